//! [`LocalCluster`]: real nodes in one process, each with its own data
//! directory and its own HTTP listener on loopback, sharing one fault plan.
//! Used by the in-process fault tests and the remote-backend contract test;
//! nothing here is a mock (real Raft, real HTTP, real redb files).

use crate::admin;
use crate::client::{ClusterClient, RetryPolicy};
use crate::node::Node;
use crate::raft::handle::NodeOptions;
use crate::raft::network::Faults;
use mailgate_backend::BackendError;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// One running node of a [`LocalCluster`].
#[derive(Debug)]
pub struct LocalNode {
    /// The node.
    pub node: Node,
    stop: oneshot::Sender<()>,
    server: JoinHandle<std::io::Result<()>>,
}

/// A slot of the cluster: its directory and address stay across restarts.
#[derive(Debug)]
pub struct Slot {
    /// The data directory.
    pub dir: PathBuf,
    /// The listen address.
    pub addr: String,
    /// The running node, if up.
    pub running: Option<LocalNode>,
}

/// In-process nodes over real HTTP.
#[derive(Debug)]
pub struct LocalCluster {
    root: PathBuf,
    /// The slots, in creation order.
    pub slots: Vec<Slot>,
    /// The shared fault plan.
    pub faults: Arc<Faults>,
    options: NodeOptions,
}

fn err(what: &str, e: impl std::fmt::Display) -> BackendError {
    BackendError::internal(format!("{what}: {e}"))
}

async fn start_node(dir: &Path, listener: TcpListener, options: &NodeOptions) -> Result<LocalNode, BackendError> {
    let addr = listener.local_addr().map_err(|e| err("local addr", e))?.to_string();
    let node = Node::open(dir, &addr, options).await?;
    Ok(serve_node(node, listener))
}

fn serve_node(node: Node, listener: TcpListener) -> LocalNode {
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(crate::server::serve(listener, node.clone(), async {
        let _ = stopped.await;
    }));
    LocalNode { node, stop, server }
}

/// Retries `f` for up to 10 s: a restarted node's port and database files
/// are released by the kernel and the previous handles a moment after stop.
async fn retry<T, F: std::future::Future<Output = Result<T, BackendError>>>(
    what: &str,
    mut f: impl FnMut() -> F,
) -> Result<T, BackendError> {
    let start = Instant::now();
    loop {
        match f().await {
            Ok(v) => return Ok(v),
            Err(e) if start.elapsed() < Duration::from_secs(10) => {
                tracing::debug!(error = %e, what, "retrying");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

impl LocalCluster {
    /// Starts `n` nodes under `root` (not yet a pool; see [`LocalCluster::init`]).
    pub async fn start(root: &Path, n: usize, seed: u64, snapshot_every: u64) -> Result<Self, BackendError> {
        let faults = Arc::new(Faults::new(seed));
        let options = NodeOptions { faults: Some(faults.clone()), snapshot_every };
        let mut cluster = Self { root: root.to_owned(), slots: Vec::new(), faults, options };
        for _ in 0..n {
            cluster.add_slot().await?;
        }
        Ok(cluster)
    }

    /// Starts one more node in a fresh directory; returns its slot index.
    pub async fn add_slot(&mut self) -> Result<usize, BackendError> {
        let i = self.slots.len();
        let dir = self.root.join(format!("node{i}"));
        let listener = TcpListener::bind("127.0.0.1:0").await.map_err(|e| err("bind", e))?;
        let addr = listener.local_addr().map_err(|e| err("local addr", e))?.to_string();
        let running = start_node(&dir, listener, &self.options).await?;
        self.slots.push(Slot { dir, addr, running: Some(running) });
        Ok(i)
    }

    /// Every slot's address.
    pub fn addrs(&self) -> Vec<String> {
        self.slots.iter().map(|s| s.addr.clone()).collect()
    }

    /// A client of the whole cluster.
    pub fn client(&self, policy: RetryPolicy) -> Result<ClusterClient, BackendError> {
        ClusterClient::new(self.addrs(), policy)
    }

    /// Makes every current slot a voter of one pool.
    pub async fn init(&self) -> Result<(), BackendError> {
        admin::init(&self.client(RetryPolicy::default())?).await.map(|_| ())
    }

    /// The running node of slot `i`.
    pub fn node(&self, i: usize) -> Option<&Node> {
        self.slots.get(i).and_then(|s| s.running.as_ref()).map(|r| &r.node)
    }

    /// The node id of slot `i` (read from its directory's `node_id` file).
    pub fn id(&self, i: usize) -> Option<u64> {
        let text = std::fs::read_to_string(self.slots.get(i)?.dir.join("node_id")).ok()?;
        text.trim().parse().ok()
    }

    /// The slot whose node id is `id`.
    pub fn slot_of(&self, id: u64) -> Option<usize> {
        (0..self.slots.len()).find(|i| self.id(*i) == Some(id))
    }

    /// Stops slot `i` (Raft first, then its listener); the data stays.
    pub async fn stop(&mut self, i: usize) -> Result<(), BackendError> {
        let Some(slot) = self.slots.get_mut(i) else { return Ok(()) };
        let Some(running) = slot.running.take() else { return Ok(()) };
        running.node.shutdown().await?;
        let _ = running.stop.send(());
        match tokio::time::timeout(Duration::from_secs(10), running.server).await {
            Ok(Ok(r)) => r.map_err(|e| err("server", e))?,
            Ok(Err(e)) => return Err(err("server task", e)),
            Err(_) => return Err(err("server", "did not stop within 10 s")),
        }
        drop(running.node);
        Ok(())
    }

    /// Restarts a stopped slot on the same directory and address.
    pub async fn restart(&mut self, i: usize) -> Result<(), BackendError> {
        let options = self.options.clone();
        let Some(slot) = self.slots.get_mut(i) else { return Err(err("restart", "no such slot")) };
        if slot.running.is_some() {
            return Ok(());
        }
        let (dir, addr) = (slot.dir.clone(), slot.addr.clone());
        let node = retry("reopen", || Node::open(&dir, &addr, &options)).await?;
        let listener = retry("rebind", || async { TcpListener::bind(&addr).await.map_err(|e| err("bind", e)) }).await?;
        slot.running = Some(serve_node(node, listener));
        Ok(())
    }

    /// Waits until the running nodes agree on one leader; returns its slot.
    pub async fn wait_leader(&self, timeout: Duration) -> Result<usize, BackendError> {
        let start = Instant::now();
        loop {
            let mut leaders = Vec::new();
            for slot in &self.slots {
                if let Some(r) = &slot.running {
                    let m = r.node.raft().metrics();
                    if m.current_leader == Some(m.id) {
                        leaders.push(m.id);
                    }
                }
            }
            if let [id] = leaders.as_slice() {
                if let Some(i) = self.slot_of(*id) {
                    return Ok(i);
                }
            }
            if start.elapsed() > timeout {
                return Err(BackendError::unavailable(format!("no single leader within {timeout:?}: {leaders:?}")));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Stops every running node.
    pub async fn shutdown(&mut self) {
        for i in 0..self.slots.len() {
            if let Err(e) = self.stop(i).await {
                tracing::warn!(error = %e, slot = i, "stop");
            }
        }
    }
}
