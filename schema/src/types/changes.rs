//! The `Changes` type: delta sync (JMAP `/changes`).

use async_graphql::{SimpleObject, ID};

/// Ids created, updated and destroyed since a state.
#[derive(SimpleObject, Debug, Clone, Default)]
pub struct IdChanges {
    /// Created since (global ids).
    pub created: Vec<ID>,
    /// Updated since, and neither created nor destroyed since.
    pub updated: Vec<ID>,
    /// Destroyed since, and not created since.
    pub destroyed: Vec<ID>,
}

/// What changed in a source since a state.
#[derive(SimpleObject, Debug, Clone, Default)]
pub struct Changes {
    /// The state asked about.
    pub old_state: String,
    /// The current state; pass it as `since` next time.
    pub new_state: String,
    /// Message changes.
    pub messages: IdChanges,
    /// Mailbox changes (a mailbox's counts changing counts as an update).
    pub mailboxes: IdChanges,
}
