//! `mailgate import --user U PATH`: ingest a Maildir, an mbox, an `.eml` file
//! or a folder of `.eml` files through the normal write path.

use crate::import::open_source;
use crate::mailbox_path;
use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use mailgate_backend::{ChangeRequest, MailBackend, MailChange, Principal, RequestId};
use mailgate_native::NativeBackend;
use sha2::{Digest, Sha256};
use std::path::PathBuf;

/// Arguments of `mailgate import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The account to import into; created if it does not exist.
    #[arg(long)]
    user: String,
    /// The data directory of the node (the demo's `--data`); the node must not be running.
    #[arg(long, env = "MAILGATE_DATA")]
    data: PathBuf,
    /// The target mailbox: a role (`inbox`, `archive`, ...) or a `Parent/Child` path, created if missing.
    #[arg(long, default_value = "inbox")]
    mailbox: String,
    /// The address naming a newly created account's native source [default: USER@mailgate.example].
    #[arg(long)]
    address: Option<String>,
    /// A Maildir, an mbox file, an .eml file or a folder of .eml files.
    path: PathBuf,
}

/// Imports every message, reporting bad items without stopping.
pub async fn run(args: ImportArgs) -> anyhow::Result<()> {
    let source = open_source(&args.path)?;
    let native = NativeBackend::open_embedded(&args.data.join("cluster"))
        .await
        .with_context(|| format!("cannot open the store in {} (is a demo running on it?)", args.data.display()))?;
    let result = import_all(&native, &args, source).await;
    native.shutdown().await;
    result
}

async fn import_all(
    backend: &dyn MailBackend,
    args: &ImportArgs,
    source: crate::import::ImportSource,
) -> anyhow::Result<()> {
    let who = Principal::admin("import");
    let address = args.address.clone().unwrap_or_else(|| format!("{}@mailgate.example", args.user));
    let create = ChangeRequest {
        request_id: RequestId(format!("create-account:{}", args.user)),
        change: MailChange::CreateAccount { display_name: args.user.clone(), address, legacy: None },
    };
    backend.apply(&who, &args.user, create).await?;
    let mailbox = mailbox_path::ensure(backend, &who, &args.user, &args.mailbox).await?;

    let progress = ProgressBar::new(source.len_hint().unwrap_or(0) as u64);
    progress.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} messages {per_sec} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let (mut imported, mut failed) = (0u64, 0u64);
    for item in source {
        let item = match item {
            Ok(item) => item,
            Err(err) => {
                progress.println(format!("skipped: {err}"));
                failed += 1;
                continue;
            }
        };
        // The request id is a digest of the bytes and where they go (not of
        // the file name, which in a Maildir changes with the flags), so that
        // running the same import again adds nothing twice.
        let digest = Sha256::new()
            .chain_update(args.user.as_bytes())
            .chain_update([0])
            .chain_update(mailbox.as_str().as_bytes())
            .chain_update([0])
            .chain_update(&item.raw)
            .finalize();
        let request = ChangeRequest {
            request_id: RequestId(format!("import:{}", hex::encode(digest))),
            change: MailChange::Import {
                mailbox: mailbox.clone(),
                raw: item.raw,
                flags: item.flags,
                received_at: item.received_at,
            },
        };
        match backend.apply(&who, &args.user, request).await {
            Ok(_) => imported += 1,
            Err(err) => {
                progress.println(format!("failed: {}: {err}", item.origin));
                failed += 1;
            }
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    println!("imported {imported} messages into {} ({failed} failed)", args.mailbox);
    if failed > 0 {
        anyhow::bail!("{failed} items could not be imported");
    }
    Ok(())
}
