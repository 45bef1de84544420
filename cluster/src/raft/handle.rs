//! [`RaftHandle`]: start a Raft node over the stores, write, linearize,
//! change membership, shut down. Errors that mean "ask the leader" come back
//! as [`WireError::NotLeader`], so callers can redirect.

use super::log_store::LogStore;
use super::network::{Faults, HttpNetwork};
use super::snapshot::{SnapshotDir, SnapshotFile};
use super::state_machine::StateMachine;
use super::{config, SnapshotMeta, TypeConfig, Vote};
use crate::command::{ApplyError, Command};
use crate::proto::WireError;
use crate::store::MailStore;
use mailgate_backend::{BackendError, ChangeOutcome};
use openraft::async_runtime::WatchReceiver;
use openraft::error::{ClientWriteError, RaftError};
use openraft::raft::{AppendEntriesRequest, AppendEntriesResponse, SnapshotResponse, VoteRequest, VoteResponse};
use openraft::storage::Snapshot;
use openraft::{BasicNode, Raft, RaftMetrics, ReadPolicy};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// How long startup waits for this node to lead its single-node pool.
const LEADER_WAIT: Duration = Duration::from_secs(15);

/// How a node runs, beyond its data directory and address.
#[derive(Debug, Clone)]
pub struct NodeOptions {
    /// A fault plan for the network (tests only).
    pub faults: Option<Arc<Faults>>,
    /// Entries between snapshots.
    pub snapshot_every: u64,
}

impl Default for NodeOptions {
    fn default() -> Self {
        Self { faults: None, snapshot_every: super::SNAPSHOT_EVERY }
    }
}

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

/// Maps a Raft API error: a redirect becomes [`WireError::NotLeader`].
fn api_error<E>(what: &str, e: RaftError<TypeConfig, E>) -> WireError
where
    E: std::fmt::Debug + std::fmt::Display + openraft::TryAsRef<openraft::error::ForwardToLeader<TypeConfig>>,
{
    if let Some(fwd) = e.forward_to_leader() {
        return WireError::NotLeader { leader: fwd.leader_node.as_ref().map(|n| n.addr.clone()) };
    }
    unavailable(what, e).into()
}

impl RaftHandle {
    /// Starts node `id` with its log in `dir/log.redb`, snapshots in
    /// `dir/snapshots`, over `store`, talking HTTP to its peers. It does not
    /// initialize a pool: that is [`RaftHandle::initialize`], run once per pool.
    pub async fn start(
        id: u64,
        dir: &Path,
        store: Arc<MailStore>,
        options: &NodeOptions,
    ) -> Result<Self, BackendError> {
        let internal = |what: &str, e: std::io::Error| BackendError::internal(format!("{what}: {e}"));
        let log = LogStore::open(&dir.join("log.redb")).map_err(|e| internal("open log.redb", e))?;
        let snapshots = SnapshotDir::open(&dir.join("snapshots")).map_err(|e| internal("open snapshots", e))?;
        let sm = StateMachine::new(store, snapshots);
        let config =
            Arc::new(config(options.snapshot_every).map_err(|e| BackendError::internal(format!("raft config: {e}")))?);
        let network = HttpNetwork::new(id, options.faults.clone())
            .map_err(|e| BackendError::internal(format!("http client: {e}")))?;
        let raft = Raft::new(id, config, network, log, sm).await.map_err(|e| unavailable("start raft", e))?;
        Ok(Self { id, raft })
    }

    /// Starts node `id` as the only voter of its own pool (the embedded
    /// mode): initializes on first start, then waits to be leader.
    pub async fn start_single(id: u64, dir: &Path, store: Arc<MailStore>) -> Result<Self, BackendError> {
        let handle = Self::start(id, dir, store, &NodeOptions::default()).await?;
        if !handle.is_initialized().await? {
            let mut members = BTreeMap::new();
            members.insert(id, String::new());
            handle.initialize(members).await.map_err(BackendError::from)?;
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

    /// Whether this node has a membership (initialized here or replicated to it).
    pub async fn is_initialized(&self) -> Result<bool, BackendError> {
        self.raft.is_initialized().await.map_err(|e| unavailable("raft state", e))
    }

    /// Makes `members` (id → address) the voters of a new pool.
    pub async fn initialize(&self, members: BTreeMap<u64, String>) -> Result<(), WireError> {
        let members: BTreeMap<u64, BasicNode> =
            members.into_iter().map(|(id, addr)| (id, BasicNode::new(addr))).collect();
        self.raft.initialize(members).await.map_err(|e| unavailable("initialize pool", e).into())
    }

    /// Adds a learner and waits until it has caught up with the log.
    pub async fn add_learner(&self, id: u64, addr: String) -> Result<(), WireError> {
        self.raft.add_learner(id, BasicNode::new(addr), true).await.map_err(|e| api_error("add learner", e))?;
        Ok(())
    }

    /// Makes `voters` the voter set (joint consensus inside openraft);
    /// removed voters leave the pool rather than staying as learners.
    pub async fn set_voters(&self, voters: BTreeSet<u64>) -> Result<(), WireError> {
        self.raft.change_membership(voters, false).await.map_err(|e| api_error("change membership", e))?;
        Ok(())
    }

    /// Removes learners from the pool.
    pub async fn remove_learners(&self, ids: BTreeSet<u64>) -> Result<(), WireError> {
        self.raft
            .change_membership(openraft::ChangeMembers::RemoveNodes(ids), false)
            .await
            .map_err(|e| api_error("remove learners", e))?;
        Ok(())
    }

    /// Proposes `cmd` and waits until it is applied; the inner result is the
    /// request's outcome as decided by the state machine.
    pub async fn write(&self, cmd: Command) -> Result<Result<ChangeOutcome, ApplyError>, WireError> {
        let response = self
            .raft
            .client_write(cmd)
            .await
            .map_err(|e: RaftError<TypeConfig, ClientWriteError<TypeConfig>>| api_error("raft write", e))?;
        response.data.outcome.ok_or_else(|| BackendError::internal("application entry without an outcome").into())
    }

    /// Waits until a read on the local state machine is linearizable (ReadIndex).
    pub async fn linearize(&self) -> Result<(), WireError> {
        self.raft.ensure_linearizable(ReadPolicy::ReadIndex).await.map_err(|e| api_error("linearizable read", e))?;
        Ok(())
    }

    /// The current Raft metrics.
    pub fn metrics(&self) -> RaftMetrics<TypeConfig> {
        self.raft.metrics().borrow_watched().clone()
    }

    /// Handles an AppendEntries RPC from the leader.
    pub async fn append_entries(
        &self,
        rpc: AppendEntriesRequest<TypeConfig>,
    ) -> Result<AppendEntriesResponse<TypeConfig>, String> {
        self.raft.append_entries(rpc).await.map_err(|e| e.to_string())
    }

    /// Handles a RequestVote RPC.
    pub async fn vote(&self, rpc: VoteRequest<TypeConfig>) -> Result<VoteResponse<TypeConfig>, String> {
        self.raft.vote(rpc).await.map_err(|e| e.to_string())
    }

    /// Handles a Pre-Vote RPC.
    pub async fn pre_vote(&self, rpc: VoteRequest<TypeConfig>) -> Result<VoteResponse<TypeConfig>, String> {
        self.raft.pre_vote(rpc).await.map_err(|e| e.to_string())
    }

    /// Installs a snapshot received in full into a file.
    pub async fn install_snapshot(
        &self,
        vote: Vote,
        meta: SnapshotMeta,
        file: SnapshotFile,
    ) -> Result<SnapshotResponse<TypeConfig>, String> {
        self.raft.install_full_snapshot(vote, Snapshot { meta, snapshot: file }).await.map_err(|e| e.to_string())
    }

    /// Builds a snapshot now and waits for it (tests and operators); the
    /// log before it may then be purged.
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
