//! `mailgate demo`: the first thing a new user runs. An embedded single-node
//! cluster, seeded once with the demo dataset through the normal write path,
//! served over GraphQL with a token printed per demo user.

use crate::auth::TokenAuthority;
use crate::config::Config;
use crate::{demo_seed, secret, server};
use anyhow::Context;
use clap::Args;
use mailgate_backend::MailBackend;
use mailgate_native::NativeBackend;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// Arguments of `mailgate demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "MAILGATE_LISTEN")]
    listen: Option<SocketAddr>,
    /// Data directory; kept across restarts. Default: a fresh temporary directory.
    #[arg(long, env = "MAILGATE_DATA")]
    data: Option<PathBuf>,
    /// A TOML config file (see gateway.example.toml).
    #[arg(long, env = "MAILGATE_CONFIG")]
    config: Option<PathBuf>,
    /// Serve the data directory as it is, without seeding the demo dataset
    /// (e.g. after `mailgate import`).
    #[arg(long)]
    no_seed: bool,
}

/// Runs the demo until Ctrl-C.
pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let mut config = Config::load(args.config.as_deref())?;
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    let data_dir = match args.data.or(config.data_dir.clone()) {
        Some(dir) => dir,
        None => tempfile::Builder::new().prefix("mailgate-demo-").tempdir()?.keep(),
    };
    std::fs::create_dir_all(&data_dir).with_context(|| format!("cannot create {}", data_dir.display()))?;
    let native = Arc::new(NativeBackend::open_embedded(&data_dir.join("cluster")).await?);
    if !args.no_seed {
        demo_seed::seed_once(native.as_ref(), &data_dir).await?;
    }

    if config.auth.password_file.is_none() {
        config.auth.password_file = Some(demo_passwords(&data_dir)?);
    }
    let secret_file = config.jwt_secret_file.clone().unwrap_or_else(|| data_dir.join(secret::SECRET_FILE_NAME));
    let secret = secret::read_or_create(&secret_file)?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let url = format!("http://{}/graphql", listener.local_addr()?);
    let backend: Arc<dyn MailBackend> = native.clone();
    // alewisohn's legacy mailbox, served from an embedded Zimbra simulator.
    let zimbra = crate::zimbra_demo::start().await?;
    let mut extra = vec![server::ExtraSource {
        username: crate::zimbra_demo::ZIMBRA_DEMO_USER.to_owned(),
        source: crate::seed::zimbra::ZIMBRA_ACCOUNT.to_owned(),
        backend: Arc::new(zimbra),
    }];
    extra.extend(crate::zimbra_sources::from_config(&config.zimbra_sources)?);
    let state = server::app_state(backend, extra, &secret, &config)?;
    crate::reload::reload_on_sighup(state.clone(), args.config.clone());
    print_welcome(
        &url,
        &data_dir,
        &TokenAuthority::from_config(Some(&secret), &config.auth)?,
        config.token_ttl_seconds,
    )?;

    server::serve(listener, state, server::shutdown_signal()).await?;
    native.shutdown().await;
    Ok(())
}

/// The demo users' password for `login`: the demo is for trying things.
pub const DEMO_PASSWORD: &str = "demo";

/// `<data>/passwords` with [`DEMO_PASSWORD`] for every demo user, written once.
fn demo_passwords(data_dir: &std::path::Path) -> anyhow::Result<std::path::PathBuf> {
    let path = data_dir.join("passwords");
    if !path.exists() {
        for user in demo_seed::DEMO_USERS {
            crate::auth::passwords::set_password(&path, user, DEMO_PASSWORD)?;
        }
    }
    Ok(path)
}

fn print_welcome(url: &str, data_dir: &std::path::Path, auth: &TokenAuthority, ttl: u64) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "Mailgate demo listening on {url}")?;
    writeln!(out, "Data directory: {} (restart with --data to keep it)", data_dir.display())?;
    let mut first = None;
    for user in demo_seed::DEMO_USERS {
        let token = auth.mint(user, false, ttl)?;
        writeln!(out, "TOKEN {user} {token}")?;
        first.get_or_insert(token);
    }
    writeln!(out, "Sign in with login(input: {{ username, password: \"{DEMO_PASSWORD}\" }}) as any of them, too.")?;
    if let Some(token) = first {
        writeln!(out, "Try:")?;
        writeln!(
            out,
            "  curl -s {url} -H 'Content-Type: application/json' -H 'Authorization: Bearer {token}' \\\n    -d '{{\"query\":\"{{ me {{ username mailboxes {{ name role unreadCount totalCount }} }} }}\"}}'"
        )?;
    }
    out.flush()?;
    Ok(())
}
