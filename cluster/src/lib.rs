//! The replicated mailbox store.
//!
//! - [`node::Node`]: opens a data directory and runs one pool member;
//!   writes go through Raft (`client_write`), reads through ReadIndex and one
//!   redb read transaction.
//! - [`command`]: the application command carried in the Raft log.
//! - [`store`]: the mailbox state machine (apply, reads, MIME, search).
//! - [`blobs`]: the content-addressed blob directory.
//! - [`raft`]: everything that touches openraft.
//!
//! Data directory layout: `node_id`, `log.redb`, `sm.redb`, `blobs/`, `snapshots/`.

pub mod blobs;
pub mod command;
pub mod node;
pub mod raft;
pub mod store;

pub use command::{ApplyError, Command, CommandResponse, MAX_RAW_MESSAGE};
pub use node::Node;
