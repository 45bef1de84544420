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

/// How often the leader heartbeats, in ms: under half of [`ELECTION_TIMEOUT_MIN_MS`].
pub const HEARTBEAT_MS: u64 = 100;
/// The shortest election timeout, in ms.
pub const ELECTION_TIMEOUT_MIN_MS: u64 = 300;
/// The longest election timeout, in ms; openraft also takes it as the leader
/// lease a follower waits out before it may elect.
///
/// `reference/raft.md` §1.6 suggests 500-1000 ms on two shared cores, which
/// puts fail-over (lease + election timeout + a vote round trip) at 1.5-2.0 s;
/// the goal is a p50 of at most 1.5 s. With 300-600 ms it is 0.9-1.2 s,
/// and pre-vote keeps a follower that merely missed heartbeats (a slow fsync on
/// a busy machine) from disturbing a healthy leader.
pub const ELECTION_TIMEOUT_MAX_MS: u64 = 600;

/// The Raft timing ([`HEARTBEAT_MS`], [`ELECTION_TIMEOUT_MIN_MS`]-[`ELECTION_TIMEOUT_MAX_MS`],
/// pre-vote on); a snapshot every `snapshot_every` entries.
pub fn config(snapshot_every: u64) -> Result<openraft::Config, openraft::ConfigError> {
    openraft::Config {
        cluster_name: "mailgate".to_owned(),
        heartbeat_interval: HEARTBEAT_MS,
        election_timeout_min: ELECTION_TIMEOUT_MIN_MS,
        election_timeout_max: ELECTION_TIMEOUT_MAX_MS,
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
