//! `mailgate node`: one cluster node. Raft traffic, the client API and the
//! admin API share one HTTP listener. A new data directory joins no pool
//! until `mailgate cluster init` or `mailgate cluster add` names it.

use anyhow::Context;
use clap::Args;
use mailgate_cluster::{Node, NodeOptions};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Arguments of `mailgate node`.
#[derive(Debug, Args)]
pub struct NodeArgs {
    /// The node's data directory (node id, Raft log, state machine, blobs, snapshots).
    #[arg(long, env = "MAILGATE_DATA")]
    data: PathBuf,
    /// Where to listen, e.g. 127.0.0.1:7001.
    #[arg(long, env = "MAILGATE_LISTEN")]
    listen: SocketAddr,
    /// The address peers and clients use to reach this node, if not the listen address
    /// (e.g. when listening on 0.0.0.0).
    #[arg(long, env = "MAILGATE_ADVERTISE")]
    advertise: Option<String>,
}

/// Runs the node until Ctrl-C or SIGTERM.
pub async fn run(args: NodeArgs) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let addr = match args.advertise {
        Some(a) => a,
        None => listener.local_addr()?.to_string(),
    };
    let node = Node::open(&args.data, &addr, &NodeOptions::default()).await?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "mailgate node {} listening on {addr}", node.id())?;
        out.flush()?;
    }
    mailgate_cluster::server::serve(listener, node.clone(), crate::server::shutdown_signal()).await?;
    node.shutdown().await?;
    Ok(())
}
