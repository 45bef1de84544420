//! `mailgate migrate --user U --from SOURCE`: copy a user's Zimbra mailbox
//! into the native store, verify it, and cut the user over (see [`crate::migrate`]).

use crate::migrate::{Journal, MigrationPlan, Migrator, Progress};
use crate::zimbra_sources::read_password_file;
use anyhow::Context;
use clap::Args;
use mailgate_cluster::RetryPolicy;
use mailgate_native::NativeBackend;
use mailgate_zimbra::{ZimbraBackend, ZimbraSourceConfig};
use std::path::PathBuf;

/// Arguments of `mailgate migrate`.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The user to migrate (the native account's username).
    #[arg(long)]
    user: String,
    /// The Zimbra account to migrate from (its address, which names the source).
    #[arg(long)]
    from: String,
    /// The Zimbra mailbox server's base URL, e.g. `http://zimbra.example:8080`.
    #[arg(long, env = "MAILGATE_ZIMBRA_URL")]
    url: String,
    /// A file holding the Zimbra account's password (first line).
    #[arg(long, env = "MAILGATE_ZIMBRA_PASSWORD_FILE")]
    password_file: PathBuf,
    /// The data directory of an embedded store (the demo's `--data`), which must not be running.
    #[arg(long, env = "MAILGATE_DATA", required_unless_present = "nodes", conflicts_with = "nodes")]
    data: Option<PathBuf>,
    /// Cluster node addresses, comma-separated: migrate into a running pool while `mailgate serve`
    /// keeps serving the user.
    #[arg(long, value_delimiter = ',')]
    nodes: Vec<String>,
    /// The address naming the native source if the account is created [default: USER@mailgate.example].
    #[arg(long)]
    address: Option<String>,
    /// Copy and verify only; leave the legacy source serving.
    #[arg(long)]
    no_cutover: bool,
    /// Write the per-message verification (JSON) to this file.
    #[arg(long)]
    report: Option<PathBuf>,
    /// Messages copied at once.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// The journal that lets a run resume [default: DATA/migrations/USER.jsonl, or
    /// ./mailgate-migrate-USER.jsonl with --nodes].
    #[arg(long)]
    journal: Option<PathBuf>,
}

/// Runs the migration; fails (non-zero exit) when verification finds a mismatch.
pub async fn run(args: MigrateArgs) -> anyhow::Result<()> {
    let password = read_password_file(&args.password_file)?;
    let source = ZimbraBackend::new()?;
    source.add_user(&args.user, ZimbraSourceConfig { url: args.url.clone(), account: args.from.clone(), password });
    let target = match &args.data {
        Some(data) => NativeBackend::open_embedded(&data.join("cluster"))
            .await
            .with_context(|| format!("cannot open the store in {} (is a node running on it?)", data.display()))?,
        None => NativeBackend::connect(args.nodes.clone(), RetryPolicy::default())?,
    };
    let result = migrate(&source, &target, &args).await;
    target.shutdown().await;
    result
}

async fn migrate(source: &ZimbraBackend, target: &NativeBackend, args: &MigrateArgs) -> anyhow::Result<()> {
    let journal_path = match (&args.journal, &args.data) {
        (Some(path), _) => path.clone(),
        (None, Some(data)) => data.join("migrations").join(format!("{}.jsonl", args.user)),
        (None, None) => PathBuf::from(format!("mailgate-migrate-{}.jsonl", args.user)),
    };
    let journal = Journal::open(&journal_path)?;
    let plan = MigrationPlan {
        user: args.user.clone(),
        native_address: args.address.clone().unwrap_or_else(|| format!("{}@mailgate.example", args.user)),
        cutover: !args.no_cutover,
        page_size: 200,
        concurrency: args.concurrency,
    };
    if !journal.is_empty() {
        eprintln!("resuming: {} messages already copied ({})", journal.len(), journal_path.display());
    }
    let outcome = Migrator::new(source, target, plan, journal, Progress::new(false)).run().await?;
    println!(
        "copied {} messages ({:.1} MB) in {:.1} s: {:.1} messages/s, {:.2} MB/s",
        outcome.copied,
        outcome.bytes as f64 / 1e6,
        outcome.seconds,
        outcome.copied as f64 / outcome.seconds.max(1e-3),
        outcome.bytes as f64 / 1e6 / outcome.seconds.max(1e-3)
    );
    print!("{}", outcome.report);
    if let Some(path) = &args.report {
        let json = serde_json::to_vec_pretty(&outcome.report)?;
        std::fs::write(path, json).with_context(|| format!("cannot write {}", path.display()))?;
    }
    if !outcome.report.is_clean() {
        anyhow::bail!("verification found mismatches; run again to retry (nothing is copied twice)");
    }
    if outcome.cut_over {
        println!("cutover: {} is now served from the native store; {} is read-only", args.user, args.from);
    } else {
        println!("no cutover (--no-cutover): {} still serves", args.from);
    }
    Ok(())
}
