//! [`RaftHandle`]: start a Raft node over the stores, write, linearize, shut down.

use super::log_store::LogStore;
use super::network::NoNetwork;
use super::snapshot::SnapshotDir;
use super::state_machine::StateMachine;
use super::{config, TypeConfig};
use crate::command::{ApplyError, Command};
use crate::store::MailStore;
use mailgate_backend::{BackendError, ChangeOutcome};
use openraft::async_runtime::WatchReceiver;
use openraft::{BasicNode, Raft, ReadPolicy};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// How long startup waits for this node to lead its single-node pool.
const LEADER_WAIT: Duration = Duration::from_secs(15);

/// A running Raft node of one pool.
#[derive(Clone)]
pub struct RaftHandle {
    id: u64,
    raft: Raft<TypeConfig, StateMachine>,
}

impl std::fmt::Debug for RaftHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RaftHandle").field("id", &self.id).finish_non_exhaustive()
    }
}

fn unavailable(what: &str, e: impl std::fmt::Display) -> BackendError {
    BackendError::unavailable(format!("{what}: {e}"))
}

impl RaftHandle {
    /// Starts node `id` with its log in `dir/log.redb`, snapshots in
    /// `dir/snapshots`, over `store`. On first start the node initializes a
    /// pool with itself as the only voter; then it waits to be leader.
    pub async fn start_single(id: u64, dir: &Path, store: Arc<MailStore>) -> Result<Self, BackendError> {
        let internal = |what: &str, e: std::io::Error| BackendError::internal(format!("{what}: {e}"));
        let log = LogStore::open(&dir.join("log.redb")).map_err(|e| internal("open log.redb", e))?;
        let snapshots = SnapshotDir::open(&dir.join("snapshots")).map_err(|e| internal("open snapshots", e))?;
        let sm = StateMachine::new(store, snapshots);
        let config = Arc::new(config().map_err(|e| BackendError::internal(format!("raft config: {e}")))?);
        let raft = Raft::new(id, config, NoNetwork, log, sm).await.map_err(|e| unavailable("start raft", e))?;
        let handle = Self { id, raft };
        let initialized = handle.raft.is_initialized().await.map_err(|e| unavailable("raft state", e))?;
        if !initialized {
            let mut members = BTreeMap::new();
            members.insert(id, BasicNode::new(""));
            handle.raft.initialize(members).await.map_err(|e| unavailable("initialize pool", e))?;
        }
        handle
            .raft
            .wait(Some(LEADER_WAIT))
            .current_leader(id, "single node becomes leader")
            .await
            .map_err(|e| unavailable("wait for leadership", e))?;
        handle.raft.wait_for_recovery(Some(LEADER_WAIT)).await.map_err(|e| unavailable("recovery", e))?;
        Ok(handle)
    }

    /// This node's id.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Proposes `cmd` and waits until it is applied; the inner result is the
    /// request's outcome as decided by the state machine.
    pub async fn write(&self, cmd: Command) -> Result<Result<ChangeOutcome, ApplyError>, BackendError> {
        let response = self.raft.client_write(cmd).await.map_err(|e| unavailable("raft write", e))?;
        response.data.outcome.ok_or_else(|| BackendError::internal("application entry without an outcome"))
    }

    /// Waits until a read on the local state machine is linearizable (ReadIndex).
    pub async fn linearize(&self) -> Result<(), BackendError> {
        self.raft.ensure_linearizable(ReadPolicy::ReadIndex).await.map_err(|e| unavailable("linearizable read", e))?;
        Ok(())
    }

    /// Builds a snapshot now and waits for it (tests and operators).
    pub async fn snapshot(&self) -> Result<(), BackendError> {
        let want = self.raft.metrics().borrow_watched().last_applied.map(|l| l.index);
        self.raft.trigger().snapshot().await.map_err(|e| unavailable("trigger snapshot", e))?;
        self.raft
            .wait(Some(LEADER_WAIT))
            .metrics(|m| m.snapshot.map(|s| s.index) >= want, "snapshot built")
            .await
            .map_err(|e| unavailable("wait for snapshot", e))?;
        Ok(())
    }

    /// Stops the Raft tasks.
    pub async fn shutdown(&self) -> Result<(), BackendError> {
        self.raft.shutdown().await.map_err(|e| BackendError::internal(format!("raft shutdown: {e}")))
    }
}
