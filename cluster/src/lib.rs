//! The replicated mailbox store.
//!
//! - [`node::Node`]: opens a data directory and runs one pool member;
//!   writes go through Raft (`client_write`), reads through ReadIndex and one
//!   redb read transaction.
//! - [`server`]: the node's HTTP listener (Raft RPCs, client and admin API).
//! - [`client`]: [`client::ClusterClient`], leader-following client of a pool.
//! - [`admin`]: pool administration (init, add, remove, status).
//! - [`proto`]: the wire types shared by server and client.
//! - [`command`]: the application command carried in the Raft log.
//! - [`store`]: the mailbox state machine (apply, reads, MIME, search).
//! - [`blobs`]: the content-addressed blob directory.
//! - [`raft`]: everything that touches openraft, including the HTTP network.
//!
//! Data directory layout: `node_id`, `log.redb`, `sm.redb`, `blobs/`, `snapshots/`.

pub mod admin;
pub mod blobs;
pub mod client;
pub mod command;
pub mod node;
pub mod proto;
pub mod raft;
pub mod server;
pub mod store;
pub mod testing;

pub use client::{ClusterClient, RetryPolicy};
pub use command::{ApplyError, Command, CommandResponse, MAX_RAW_MESSAGE};
pub use node::Node;
pub use raft::handle::NodeOptions;
pub use raft::network::Faults;
