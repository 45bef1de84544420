//! Mutation inputs.

use crate::types::enums::MessageFlag;
use async_graphql::{InputObject, ID};

/// Flags to set (`true`) or clear (`false`) on messages; null leaves a flag alone.
#[derive(InputObject, Debug)]
pub struct SetFlagsInput {
    /// Message ids, all of one source.
    pub ids: Vec<ID>,
    /// Read.
    pub seen: Option<bool>,
    /// Starred.
    pub flagged: Option<bool>,
    /// Replied to.
    pub answered: Option<bool>,
    /// Forwarded.
    pub forwarded: Option<bool>,
    /// Draft.
    pub draft: Option<bool>,
    /// Echoed in the payload; retrying with the same value applies at most once.
    pub client_mutation_id: Option<String>,
}

/// Messages to move.
#[derive(InputObject, Debug)]
pub struct MoveMessagesInput {
    /// Message ids, all of one source.
    pub ids: Vec<ID>,
    /// The destination mailbox, in the same source.
    pub mailbox_id: ID,
    /// Echoed in the payload; retrying with the same value applies at most once.
    pub client_mutation_id: Option<String>,
}

/// Messages to delete.
#[derive(InputObject, Debug)]
pub struct DeleteMessagesInput {
    /// Message ids, all of one source.
    pub ids: Vec<ID>,
    /// Echoed in the payload; retrying with the same value applies at most once.
    pub client_mutation_id: Option<String>,
}

/// A mailbox to create.
#[derive(InputObject, Debug)]
pub struct CreateMailboxInput {
    /// Its name, unique among its siblings.
    pub name: String,
    /// The parent mailbox; null for the top level.
    pub parent_id: Option<ID>,
    /// The source to create it in when `parentId` is null (default: the primary source).
    pub source: Option<String>,
    /// Echoed in the payload; retrying with the same value applies at most once.
    pub client_mutation_id: Option<String>,
}

/// A mailbox to rename.
#[derive(InputObject, Debug)]
pub struct RenameMailboxInput {
    /// The mailbox.
    pub id: ID,
    /// The new name.
    pub name: String,
    /// Echoed in the payload; retrying with the same value applies at most once.
    pub client_mutation_id: Option<String>,
}

/// A mailbox to delete.
#[derive(InputObject, Debug)]
pub struct DeleteMailboxInput {
    /// The mailbox.
    pub id: ID,
    /// Echoed in the payload; retrying with the same value applies at most once.
    pub client_mutation_id: Option<String>,
}

/// A raw message to store.
#[derive(InputObject, Debug)]
pub struct ImportMessageInput {
    /// The RFC 5322 message as text. Give this or `rawBase64`.
    pub raw: Option<String>,
    /// The RFC 5322 message, base64 (standard alphabet). Give this or `raw`.
    pub raw_base64: Option<String>,
    /// The mailbox to store it in.
    pub mailbox_id: ID,
    /// Flags to set on it.
    pub flags: Option<Vec<MessageFlag>>,
    /// Arrival time, RFC 3339 (default: now).
    pub received_at: Option<String>,
    /// Echoed in the payload; retrying with the same value applies at most once.
    pub client_mutation_id: Option<String>,
}
