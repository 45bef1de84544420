//! `mailgate cluster init|add|remove|status`: pool administration over the
//! nodes' admin API. Each takes `--nodes` to find the pool.

use anyhow::Context;
use clap::{Args, Subcommand};
use mailgate_cluster::{admin, ClusterClient, RetryPolicy};
use std::io::Write;

/// The nodes to reach, shared by every cluster command.
#[derive(Debug, Args)]
pub struct NodesArg {
    /// Node addresses, comma-separated (host:port,...).
    #[arg(long, env = "MAILGATE_NODES", value_delimiter = ',', required = true)]
    pub nodes: Vec<String>,
}

impl NodesArg {
    /// A client of these nodes.
    pub fn client(&self) -> anyhow::Result<ClusterClient> {
        Ok(ClusterClient::new(self.nodes.clone(), RetryPolicy::default())?)
    }
}

/// `mailgate cluster ...`
#[derive(Debug, Subcommand)]
pub enum ClusterCommand {
    /// Make the given nodes the voters of a new pool.
    Init(NodesArg),
    /// Add a node: it joins as a learner, catches up and is promoted to voter.
    Add {
        #[command(flatten)]
        nodes: NodesArg,
        /// The new node's address.
        #[arg(long)]
        node: String,
    },
    /// Remove a node (it need not be running).
    Remove {
        #[command(flatten)]
        nodes: NodesArg,
        /// The node's address.
        #[arg(long)]
        node: String,
    },
    /// Leader, term, and every member's applied index and lag.
    Status {
        #[command(flatten)]
        nodes: NodesArg,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
}

/// Runs a cluster command, printing its result on stdout.
pub async fn run(cmd: ClusterCommand) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match cmd {
        ClusterCommand::Init(nodes) => {
            let members = admin::init(&nodes.client()?).await.context("cluster init")?;
            for (id, addr) in members {
                writeln!(out, "voter {id} {addr}")?;
            }
        }
        ClusterCommand::Add { nodes, node } => {
            let id = admin::add(&nodes.client()?, &node).await.context("cluster add")?;
            writeln!(out, "added voter {id} {node}")?;
        }
        ClusterCommand::Remove { nodes, node } => {
            let id = admin::remove(&nodes.client()?, &node).await.context("cluster remove")?;
            writeln!(out, "removed {id} {node}")?;
        }
        ClusterCommand::Status { nodes, json } => {
            let status = admin::status(&nodes.client()?).await.context("cluster status")?;
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&status)?)?;
            } else {
                writeln!(
                    out,
                    "leader {} (id {}) term {} last log index {}",
                    status.leader.as_deref().unwrap_or("-"),
                    status.leader_id.map(|i| i.to_string()).unwrap_or_else(|| "-".into()),
                    status.term,
                    status.last_log_index.map(|i| i.to_string()).unwrap_or_else(|| "-".into()),
                )?;
                writeln!(
                    out,
                    "{:<20} {:<22} {:<8} {:<12} {:>8} {:>6}",
                    "id", "addr", "role", "state", "applied", "lag"
                )?;
                for m in status.members {
                    let show = |v: Option<u64>| v.map(|i| i.to_string()).unwrap_or_else(|| "-".into());
                    writeln!(
                        out,
                        "{:<20} {:<22} {:<8} {:<12} {:>8} {:>6}",
                        m.id,
                        m.addr,
                        m.role,
                        m.state,
                        show(m.applied),
                        show(m.lag)
                    )?;
                }
            }
        }
    }
    out.flush()?;
    Ok(())
}
