//! [`Node`]: one cluster node over one data directory.
//!
//! Opening a directory reads (or on first use creates) its random node id,
//! which is never reused for another directory, opens `log.redb`, `sm.redb`,
//! `blobs/` and `snapshots/` and starts Raft. [`Node::open`] joins whatever
//! pool the directory belongs to (or waits for `cluster init`);
//! [`Node::open_single`] initializes a single-voter pool on first start
//! (the embedded mode). Writes are `client_write`; every read is a ReadIndex
//! linearization followed by one redb read transaction: there is no side
//! door. Errors that mean "ask the leader" are [`WireError::NotLeader`].

use crate::command::Command;
use crate::proto::{NodeStatus, StateDigest, WireError};
use crate::raft::handle::NodeOptions;
use crate::raft::RaftHandle;
use crate::store::reader::Reader;
use crate::store::MailStore;
use mailgate_backend::{BackendError, BlobId, ChangeOutcome, ChangeRequest, ErrorKind};
use std::fs::{self, File};
use std::io::{self, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A running cluster node.
#[derive(Debug, Clone)]
pub struct Node {
    dir: PathBuf,
    addr: String,
    raft: RaftHandle,
    store: Arc<MailStore>,
}

fn internal(what: &str, e: impl std::fmt::Display) -> BackendError {
    BackendError::internal(format!("{what}: {e}"))
}

/// Reads `dir/node_id`, creating it with a random id on first use.
fn node_id(dir: &Path) -> io::Result<u64> {
    let path = dir.join("node_id");
    match fs::read_to_string(&path) {
        Ok(s) => s.trim().parse().map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad node_id file")),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let id = loop {
                let id: u64 = rand::random();
                if id != 0 {
                    break id;
                }
            };
            let tmp = dir.join("node_id.tmp");
            {
                let mut f = File::create(&tmp)?;
                writeln!(f, "{id}")?;
                f.sync_all()?;
            }
            fs::rename(&tmp, &path)?;
            File::open(dir)?.sync_all()?;
            Ok(id)
        }
        Err(e) => Err(e),
    }
}

async fn open_store(dir: &Path) -> Result<(u64, Arc<MailStore>), BackendError> {
    fs::create_dir_all(dir).map_err(|e| internal("create data dir", e))?;
    let id = node_id(dir).map_err(|e| internal("node id", e))?;
    let dir = dir.to_owned();
    let store = tokio::task::spawn_blocking(move || MailStore::open(&dir))
        .await
        .map_err(|e| internal("open store", e))?
        .map_err(|e| internal("open store", e))?;
    Ok((id, Arc::new(store)))
}

impl Node {
    /// Opens `dir` (creating it) and starts a single-node pool there.
    pub async fn open_single(dir: &Path) -> Result<Node, BackendError> {
        let (id, store) = open_store(dir).await?;
        let raft = RaftHandle::start_single(id, dir, store.clone()).await?;
        tracing::info!(node = id, dir = %dir.display(), "cluster node started");
        Ok(Node { dir: dir.to_owned(), addr: String::new(), raft, store })
    }

    /// Opens `dir` (creating it) as a pool member reachable at `addr`
    /// (`host:port` of its HTTP listener). A new directory belongs to no
    /// pool until `cluster init` or `cluster add` names it.
    pub async fn open(dir: &Path, addr: &str, options: &NodeOptions) -> Result<Node, BackendError> {
        let (id, store) = open_store(dir).await?;
        let raft = RaftHandle::start(id, dir, store.clone(), options).await?;
        tracing::info!(node = id, addr, dir = %dir.display(), "cluster node started");
        Ok(Node { dir: dir.to_owned(), addr: addr.to_owned(), raft, store })
    }

    /// The Raft handle (for the RPC routes and admin operations).
    pub fn raft(&self) -> &RaftHandle {
        &self.raft
    }

    /// The address peers and clients reach this node at.
    pub fn addr(&self) -> &str {
        &self.addr
    }

    /// This node's view of itself and its pool.
    pub async fn status(&self) -> Result<NodeStatus, BackendError> {
        let m = self.raft.metrics();
        let initialized = self.raft.is_initialized().await?;
        let membership = m.membership_config.membership();
        let voter_ids: std::collections::BTreeSet<u64> = membership.voter_ids().collect();
        let mut voters = std::collections::BTreeMap::new();
        let mut learners = std::collections::BTreeMap::new();
        for (id, node) in membership.nodes() {
            if voter_ids.contains(id) {
                voters.insert(*id, node.addr.clone());
            } else {
                learners.insert(*id, node.addr.clone());
            }
        }
        Ok(NodeStatus {
            id: m.id,
            state: format!("{:?}", m.state),
            term: m.current_term,
            leader: m.current_leader,
            last_log_index: m.last_log_index,
            applied: m.last_applied.map(|l| l.index),
            snapshot: m.snapshot.map(|l| l.index),
            purged: m.purged.map(|l| l.index),
            voters,
            learners,
            initialized,
        })
    }

    /// A digest of the whole state machine at its applied index (one read transaction).
    pub async fn digest(&self) -> Result<StateDigest, BackendError> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || crate::raft::snapshot::digest(&store))
            .await
            .map_err(|e| internal("digest task", e))?
            .map_err(|e| internal("digest", e))
    }

    /// This node's id.
    pub fn id(&self) -> u64 {
        self.raft.id()
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Applies `request` to `account` through Raft. The caller fills
    /// `received_at` of an import before calling, so that apply reads no clock.
    pub async fn write(&self, account: &str, request: ChangeRequest) -> Result<ChangeOutcome, WireError> {
        self.write_command(Command { account: account.to_owned(), request }).await
    }

    /// Applies one command through Raft.
    pub async fn write_command(&self, cmd: Command) -> Result<ChangeOutcome, WireError> {
        cmd.validate()?;
        Ok(self.raft.write(cmd).await?.map_err(BackendError::from)?)
    }

    /// Runs `f` on a linearizable read transaction.
    pub async fn read<R: Send + 'static>(
        &self,
        f: impl FnOnce(&Reader) -> Result<R, BackendError> + Send + 'static,
    ) -> Result<R, WireError> {
        self.raft.linearize().await?;
        let store = self.store.clone();
        let result = tokio::task::spawn_blocking(move || {
            let reader = store.read().map_err(|e| internal("read transaction", e))?;
            f(&reader)
        })
        .await
        .map_err(|e| internal("read task", e))?;
        Ok(result?)
    }

    /// Whole blobs of `account` of at most `max_size` bytes; blobs the account
    /// does not reference, missing and larger blobs are left out.
    pub async fn blobs(
        &self,
        account: &str,
        ids: &[BlobId],
        max_size: u64,
    ) -> Result<Vec<(BlobId, Vec<u8>)>, WireError> {
        let account = account.to_owned();
        let ids = ids.to_vec();
        let store = self.store.clone();
        self.read(move |r| {
            let mut out = Vec::new();
            for id in ids {
                if !r.owns_blob(&account, &id)? {
                    continue;
                }
                match store.blobs().size(id.as_str()) {
                    Ok(Some(size)) if size <= max_size => {}
                    Ok(_) => continue,
                    Err(e) => return Err(internal("blob size", e)),
                }
                let bytes = store.blobs().get(id.as_str()).map_err(|e| internal("read blob", e))?;
                out.push((id, bytes));
            }
            Ok(out)
        })
        .await
    }

    /// Bytes `range` of one blob of `account` and its total size.
    pub async fn blob_range(&self, account: &str, id: &BlobId, range: Range<u64>) -> Result<(Vec<u8>, u64), WireError> {
        let account = account.to_owned();
        let id = id.clone();
        let store = self.store.clone();
        self.read(move |r| {
            if !r.owns_blob(&account, &id)? {
                return Err(BackendError::not_found(format!("no blob {id}")));
            }
            store.blobs().get_range(id.as_str(), range.start, range.end).map_err(|e| match e.kind() {
                io::ErrorKind::NotFound => BackendError::new(ErrorKind::NotFound, format!("no blob {id}")),
                _ => internal("read blob", e),
            })
        })
        .await
    }

    /// Builds a Raft snapshot now.
    pub async fn snapshot(&self) -> Result<(), BackendError> {
        self.raft.snapshot().await
    }

    /// Stops Raft; the data stays on disk for the next open. The database
    /// files close when the last clone of this `Node` is dropped, so drop
    /// every clone before opening the same directory again.
    pub async fn shutdown(&self) -> Result<(), BackendError> {
        self.raft.shutdown().await
    }
}
