//! `mailgate serve`: the GraphQL gateway over a cluster of `mailgate node`
//! processes. The native backend finds the leader and rides through
//! fail-overs; tokens are minted with `mailgate token --jwt-secret-file`.

use crate::config::Config;
use crate::{secret, server};
use anyhow::{bail, Context};
use clap::Args;
use mailgate_backend::MailBackend;
use mailgate_cluster::RetryPolicy;
use mailgate_native::NativeBackend;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// Arguments of `mailgate serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// A TOML config file (see gateway.example.toml).
    #[arg(long, env = "MAILGATE_CONFIG")]
    config: Option<PathBuf>,
    /// Cluster node addresses, comma-separated; overrides the config's `nodes`.
    #[arg(long, env = "MAILGATE_NODES", value_delimiter = ',')]
    nodes: Vec<String>,
    /// Where to listen; overrides the config's `listen`.
    #[arg(long, env = "MAILGATE_LISTEN")]
    listen: Option<SocketAddr>,
    /// The HS256 token secret; overrides the config's `jwt_secret_file`.
    #[arg(long, env = "MAILGATE_JWT_SECRET_FILE")]
    jwt_secret_file: Option<PathBuf>,
}

/// Serves until Ctrl-C or SIGTERM.
pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let mut config = Config::load(args.config.as_deref())?;
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    if !args.nodes.is_empty() {
        config.nodes = args.nodes;
    }
    if let Some(file) = args.jwt_secret_file {
        config.jwt_secret_file = Some(file);
    }
    if config.nodes.is_empty() {
        bail!("say which cluster to serve: --nodes ADDR,ADDR,... or `nodes` in the config file");
    }
    let Some(secret_file) = config.jwt_secret_file.clone() else {
        bail!("say which secret checks tokens: --jwt-secret-file FILE or `jwt_secret_file` in the config file");
    };
    let secret = secret::read(&secret_file)?;
    let backend: Arc<dyn MailBackend> = Arc::new(NativeBackend::connect(config.nodes.clone(), RetryPolicy::default())?);
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let url = format!("http://{}/graphql", listener.local_addr()?);
    let extra = crate::zimbra_sources::from_config(&config.zimbra_sources)?;
    let state = server::app_state(backend, extra, &secret, &config)?;
    crate::reload::reload_on_sighup(state.clone(), args.config.clone());
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "Mailgate gateway listening on {url} (cluster {})", config.nodes.join(","))?;
        out.flush()?;
    }
    server::serve(listener, state, server::shutdown_signal()).await?;
    Ok(())
}
