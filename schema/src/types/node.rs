//! The Relay `Node` interface.

use crate::types::mailbox::MailboxObj;
use crate::types::message::MessageObj;
use crate::types::thread::ThreadObj;
use async_graphql::{Interface, ID};

/// An object with a global id, fetchable with `node(id:)`.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "The global id."))]
pub enum Node {
    /// A message.
    Message(MessageObj),
    /// A mailbox.
    Mailbox(MailboxObj),
    /// A thread.
    Thread(ThreadObj),
}
