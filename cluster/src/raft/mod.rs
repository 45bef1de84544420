//! Everything that touches openraft lives under this module, so that an
//! openraft version bump (it is an alpha, pinned exactly) touches one place.
//!
//! - [`TypeConfig`]: the Raft type configuration (`declare_raft_types!`).
//! - [`log_store`]: the Raft log in `log.redb`.
//! - [`state_machine`]: the Raft state machine over the mailbox store (`sm.redb`).
//! - [`snapshot`]: streaming snapshots to and from files.
//! - [`network`]: the HTTP Raft network (`RaftNetworkV2`) and its fault plan for tests.
//! - [`handle`]: [`RaftHandle`], the small API the rest of the crate uses.

pub mod handle;
pub mod log_store;
pub mod network;
pub mod snapshot;
pub mod state_machine;

use crate::command::{Command, CommandResponse};
use std::io;

pub use handle::RaftHandle;

openraft::declare_raft_types!(
    /// The Raft type configuration of a mailbox pool.
    pub TypeConfig:
        D = Command,
        R = CommandResponse,
        NodeId = u64,
        Node = openraft::BasicNode,
);

/// A log id.
pub type LogId = openraft::type_config::alias::LogIdOf<TypeConfig>;
/// A vote.
pub type Vote = openraft::type_config::alias::VoteOf<TypeConfig>;
/// A log entry.
pub type Entry = openraft::type_config::alias::EntryOf<TypeConfig>;
/// The membership stored with the applied state.
pub type StoredMembership = openraft::type_config::alias::StoredMembershipOf<TypeConfig>;
/// Snapshot metadata.
pub type SnapshotMeta = openraft::type_config::alias::SnapshotMetaOf<TypeConfig>;

/// Entries between snapshots by default; the log before a snapshot (less
/// [`LOGS_KEPT`]) is purged, which is the log compaction.
pub const SNAPSHOT_EVERY: u64 = 5000;
/// Entries kept in the log behind a snapshot, so that a follower slightly
/// behind, or one installing a snapshot while writes go on (openraft #1706),
/// continues from the log instead of needing another snapshot.
pub const LOGS_KEPT: u64 = 1000;

/// The Raft timing for two shared cores (`reference/raft.md` §1.6): heartbeat
/// 100 ms, election 500-1000 ms, pre-vote on; a snapshot every `snapshot_every` entries.
pub fn config(snapshot_every: u64) -> Result<openraft::Config, openraft::ConfigError> {
    openraft::Config {
        cluster_name: "mailgate".to_owned(),
        heartbeat_interval: 100,
        election_timeout_min: 500,
        election_timeout_max: 1000,
        enable_pre_vote: Some(true),
        snapshot_policy: openraft::SnapshotPolicy::LogsSinceLast(snapshot_every),
        max_in_snapshot_log_to_keep: LOGS_KEPT.min(snapshot_every),
        ..Default::default()
    }
    .validate()
}

/// Runs blocking storage work off the async threads.
pub(crate) async fn blocking<R: Send + 'static>(f: impl FnOnce() -> io::Result<R> + Send + 'static) -> io::Result<R> {
    tokio::task::spawn_blocking(f).await.map_err(io::Error::other)?
}
