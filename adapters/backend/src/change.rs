//! Writes, their outcomes, and delta sync.

use crate::account::Source;
use crate::ids::{MailboxId, MessageId, RequestId, State};
use crate::message::Flag;
use serde::{Deserialize, Serialize};

/// A write with its idempotency key. Retrying the same request id never
/// applies the change twice; the backend answers with the first outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRequest {
    /// The idempotency key.
    pub request_id: RequestId,
    /// What to change.
    pub change: MailChange,
}

/// Every kind of write on an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MailChange {
    /// Create the account with the standard system mailboxes; does nothing if it exists.
    CreateAccount {
        /// A human name.
        display_name: String,
        /// The address that names the account's native source.
        address: String,
        /// A legacy source listed from the start as primary: an account
        /// created to migrate a user into keeps serving them from where their
        /// mail is until cutover, with no moment in between when an empty
        /// native mailbox would serve.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        legacy: Option<Source>,
    },
    /// Store a raw RFC 5322 message; MIME is parsed here, once.
    Import {
        /// The mailbox to put it in.
        mailbox: MailboxId,
        /// The raw message.
        raw: Vec<u8>,
        /// Flags to set.
        flags: Vec<Flag>,
        /// Arrival time in milliseconds since the epoch; `None` means now.
        received_at: Option<i64>,
    },
    /// Set (`value = true`) or clear flags on many messages.
    SetFlags {
        /// The messages.
        ids: Vec<MessageId>,
        /// The flags to change.
        flags: Vec<Flag>,
        /// Set or clear.
        value: bool,
    },
    /// Move many messages into one mailbox (replacing their mailboxes).
    Move {
        /// The messages.
        ids: Vec<MessageId>,
        /// The destination.
        to: MailboxId,
    },
    /// Move to Trash; messages already in Trash are destroyed.
    Delete {
        /// The messages.
        ids: Vec<MessageId>,
    },
    /// Create a user mailbox.
    CreateMailbox {
        /// Its name.
        name: String,
        /// Its parent; `None` for the top level.
        parent: Option<MailboxId>,
    },
    /// Rename a user mailbox; system mailboxes refuse.
    RenameMailbox {
        /// The mailbox.
        id: MailboxId,
        /// The new name.
        name: String,
    },
    /// Delete an empty-or-not user mailbox; its messages move to Trash. System mailboxes refuse.
    DeleteMailbox {
        /// The mailbox.
        id: MailboxId,
    },
    /// Records one of the account's sources (added, or its flags replaced,
    /// matched by name). A source set primary takes primary from the others,
    /// which is how a migrated user's cutover happens in one write. Only the
    /// native store keeps the source list; operators only.
    SetSource {
        /// The source as it should now be listed.
        source: Source,
    },
}

/// What a write did.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ChangeOutcome {
    /// Messages created or updated.
    pub messages: Vec<MessageId>,
    /// Messages destroyed.
    pub destroyed: Vec<MessageId>,
    /// Ids named by the request that do not exist in the account (the rest were applied).
    pub not_found: Vec<MessageId>,
    /// The mailbox created, renamed or deleted.
    pub mailbox: Option<MailboxId>,
    /// The account's state after the write.
    pub state: State,
}

/// What changed in an account since a state (JMAP `/changes`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Changes {
    /// The state asked about.
    pub old_state: State,
    /// The current state.
    pub new_state: State,
    /// Messages created since.
    pub created: Vec<MessageId>,
    /// Messages updated since (and not created or destroyed since).
    pub updated: Vec<MessageId>,
    /// Messages destroyed since (and not created since).
    pub destroyed: Vec<MessageId>,
    /// Mailboxes created since.
    pub mailboxes_created: Vec<MailboxId>,
    /// Mailboxes updated since (renamed, or counts changed).
    pub mailboxes_updated: Vec<MailboxId>,
    /// Mailboxes destroyed since.
    pub mailboxes_destroyed: Vec<MailboxId>,
}
