//! The GraphQL object types, one per file.

pub mod account;
pub mod address;
pub mod attachment;
pub mod changes;
pub mod enums;
pub mod mailbox;
pub mod message;
pub mod node;
pub mod thread;
