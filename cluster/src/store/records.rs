//! The records the state machine keeps besides the domain types themselves.

use mailgate_backend::Account;
use serde::{Deserialize, Serialize};

/// An account and its change counter.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountRec {
    /// The account as the backend trait shows it.
    pub account: Account,
    /// The modification sequence: bumped once per write that changes something.
    /// The account's `State` string is this number in decimal.
    pub modseq: u64,
}

/// A thread: its messages as `(received_at, message id)`, sorted.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ThreadRec {
    /// Members in date order; ties by id.
    pub members: Vec<(i64, u64)>,
}

impl ThreadRec {
    /// Adds a member, keeping the order.
    pub fn insert(&mut self, received_at: i64, id: u64) {
        let item = (received_at, id);
        if let Err(pos) = self.members.binary_search(&item) {
            self.members.insert(pos, item);
        }
    }

    /// Removes a member by message id.
    pub fn remove(&mut self, id: u64) {
        self.members.retain(|(_, m)| *m != id);
    }
}

/// What one modseq changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRec {
    /// Messages created.
    pub created: Vec<u64>,
    /// Messages updated.
    pub updated: Vec<u64>,
    /// Messages destroyed.
    pub destroyed: Vec<u64>,
    /// Mailboxes created.
    pub mailboxes_created: Vec<u64>,
    /// Mailboxes updated (renamed or counts changed).
    pub mailboxes_updated: Vec<u64>,
    /// Mailboxes destroyed.
    pub mailboxes_destroyed: Vec<u64>,
}

impl ChangeRec {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.created.is_empty()
            && self.updated.is_empty()
            && self.destroyed.is_empty()
            && self.mailboxes_created.is_empty()
            && self.mailboxes_updated.is_empty()
            && self.mailboxes_destroyed.is_empty()
    }

    /// Records `id` in `list` once.
    pub fn note(list: &mut Vec<u64>, id: u64) {
        if !list.contains(&id) {
            list.push(id);
        }
    }
}
