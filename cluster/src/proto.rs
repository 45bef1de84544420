//! The wire types of a node's client and admin API (JSON over HTTP).
//!
//! The node ([`crate::server`]) and the client ([`crate::client`]) share
//! these types, so a change shows up on both sides at compile time.

use mailgate_backend::{BackendError, BlobId, ErrorKind, MessageId, MessageQuery, State, ThreadId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Route of Raft AppendEntries.
pub const RAFT_APPEND: &str = "/raft/append";
/// Route of Raft RequestVote.
pub const RAFT_VOTE: &str = "/raft/vote";
/// Route of Raft Pre-Vote.
pub const RAFT_PRE_VOTE: &str = "/raft/pre-vote";
/// Route of a streamed full snapshot.
pub const RAFT_SNAPSHOT: &str = "/raft/snapshot";
/// Header carrying the snapshot's vote and metadata (base64 JSON of [`SnapshotHeader`]).
pub const SNAPSHOT_HEADER: &str = "x-mailgate-snapshot";
/// Route of a client write ([`crate::Command`] in, [`WriteReply`] out).
pub const API_WRITE: &str = "/api/write";
/// Route of a linearizable read ([`ReadRequest`] in, [`ReadReply`] out).
pub const API_READ: &str = "/api/read";
/// Route of this node's identity and Raft state ([`NodeStatus`]).
pub const ADMIN_STATUS: &str = "/admin/status";
/// Route that initializes a pool ([`InitRequest`]).
pub const ADMIN_INIT: &str = "/admin/init";
/// Route that adds a learner and waits for it to catch up ([`MemberRequest`]).
pub const ADMIN_ADD_LEARNER: &str = "/admin/add-learner";
/// Route that changes the voter set ([`VotersRequest`]).
pub const ADMIN_VOTERS: &str = "/admin/voters";
/// Route of the state digest ([`StateDigest`]).
pub const ADMIN_DIGEST: &str = "/admin/digest";
/// Route that builds a snapshot now (and so allows log purging).
pub const ADMIN_SNAPSHOT: &str = "/admin/snapshot";

/// A serializable [`BackendError`], or a redirect to the leader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum WireError {
    /// This node is not the leader; the leader's address if known. The
    /// request was not proposed, so sending it to the leader is safe.
    #[error("not the leader (leader: {leader:?})")]
    NotLeader {
        /// The leader's listen address.
        leader: Option<String>,
    },
    /// A backend error of a kind and message.
    #[error("{kind}: {message}")]
    Backend {
        /// The [`ErrorKind`] name.
        kind: String,
        /// The description.
        message: String,
    },
}

impl From<BackendError> for WireError {
    fn from(e: BackendError) -> Self {
        WireError::Backend { kind: format!("{:?}", e.kind), message: e.message }
    }
}

impl From<WireError> for BackendError {
    fn from(e: WireError) -> Self {
        match e {
            WireError::NotLeader { leader } => {
                BackendError::unavailable(format!("not the leader (leader: {leader:?})"))
            }
            WireError::Backend { kind, message } => {
                let kind = match kind.as_str() {
                    "NotFound" => ErrorKind::NotFound,
                    "PermissionDenied" => ErrorKind::PermissionDenied,
                    "Conflict" => ErrorKind::Conflict,
                    "InvalidInput" => ErrorKind::InvalidInput,
                    "Unavailable" => ErrorKind::Unavailable,
                    "Backend" => ErrorKind::Backend,
                    _ => ErrorKind::Internal,
                };
                BackendError::new(kind, message)
            }
        }
    }
}

/// The reply of every API route: a result as data, so that the HTTP status
/// only says whether the node answered at all.
pub type Reply<T> = Result<T, WireError>;

/// The reply to a write: the state machine's outcome.
pub type WriteReply = Reply<mailgate_backend::ChangeOutcome>;

/// One linearizable read of one account.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum ReadRequest {
    /// [`mailgate_backend::Account`].
    Account,
    /// The account's mailboxes.
    Mailboxes,
    /// Messages by id.
    Messages(Vec<MessageId>),
    /// A listing.
    Query(MessageQuery),
    /// Threads by id.
    Threads(Vec<ThreadId>),
    /// Whole blobs of at most `max_size` bytes.
    Blobs {
        /// The blobs.
        ids: Vec<BlobId>,
        /// The size cap.
        max_size: u64,
    },
    /// A byte range of one blob.
    BlobRange {
        /// The blob.
        id: BlobId,
        /// First byte.
        start: u64,
        /// One past the last byte.
        end: u64,
    },
    /// The current state string.
    State,
    /// Changes since a state.
    Changes(State),
}

/// A read addressed to one account.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReadEnvelope {
    /// The account read.
    pub account: String,
    /// What to read.
    pub read: ReadRequest,
}

/// The answer to a [`ReadRequest`], variant for variant.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum ReadReply {
    /// See [`ReadRequest::Account`].
    Account(mailgate_backend::Account),
    /// See [`ReadRequest::Mailboxes`].
    Mailboxes(Vec<mailgate_backend::Mailbox>),
    /// See [`ReadRequest::Messages`].
    Messages(Vec<(MessageId, mailgate_backend::Message)>),
    /// See [`ReadRequest::Query`].
    Query(mailgate_backend::Page<mailgate_backend::Message>),
    /// See [`ReadRequest::Threads`].
    Threads(Vec<(ThreadId, mailgate_backend::Thread)>),
    /// See [`ReadRequest::Blobs`]; contents in base64.
    Blobs(Vec<(BlobId, String)>),
    /// See [`ReadRequest::BlobRange`]: base64 bytes and the blob's total size.
    BlobRange(String, u64),
    /// See [`ReadRequest::State`].
    State(State),
    /// See [`ReadRequest::Changes`].
    Changes(mailgate_backend::Changes),
}

/// The voters of a new pool, by node id and listen address.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InitRequest {
    /// id → address.
    pub members: BTreeMap<u64, String>,
}

/// A node to add as a learner.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MemberRequest {
    /// Its id.
    pub id: u64,
    /// Its listen address.
    pub addr: String,
}

/// A membership change.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum VotersRequest {
    /// Replace the voter set; removed voters leave the pool.
    SetVoters(Vec<u64>),
    /// Remove these learners.
    RemoveLearners(Vec<u64>),
}

/// One node's view of itself and its pool.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct NodeStatus {
    /// Its id.
    pub id: u64,
    /// `Leader`, `Follower`, `Candidate`, `Learner` or `Shutdown`.
    pub state: String,
    /// The current term.
    pub term: u64,
    /// The leader's id, if known.
    pub leader: Option<u64>,
    /// The last log index.
    pub last_log_index: Option<u64>,
    /// The last applied index.
    pub applied: Option<u64>,
    /// The last snapshot's index.
    pub snapshot: Option<u64>,
    /// The last purged index.
    pub purged: Option<u64>,
    /// The voters (id → address) of the effective membership.
    pub voters: BTreeMap<u64, String>,
    /// The learners (id → address).
    pub learners: BTreeMap<u64, String>,
    /// Whether the pool has been initialized on this node.
    pub initialized: bool,
}

/// A digest of the whole state machine, read in one transaction.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct StateDigest {
    /// The applied index the digest is of.
    pub applied: Option<u64>,
    /// sha256 (hex) over every table row, in table and key order.
    pub sha256: String,
}

/// The vote and metadata of a streamed snapshot.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SnapshotHeader {
    /// The leader's vote.
    pub vote: crate::raft::Vote,
    /// The snapshot's metadata.
    pub meta: crate::raft::SnapshotMeta,
}
