//! Mailboxes (folders).

use crate::ids::MailboxId;
use serde::{Deserialize, Serialize};

/// A folder. Messages carry a set of mailbox ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mailbox {
    /// Backend id.
    pub id: MailboxId,
    /// Display name, unique among siblings.
    pub name: String,
    /// The parent folder; `None` at the top level.
    pub parent_id: Option<MailboxId>,
    /// The system role, if any; mailboxes with a role cannot be renamed or deleted.
    pub role: Option<MailboxRole>,
    /// Messages in this mailbox.
    pub total: u32,
    /// Messages in this mailbox without the seen flag.
    pub unread: u32,
}

/// System mailbox roles (RFC 8621 / RFC 6154 names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MailboxRole {
    /// Incoming mail.
    Inbox,
    /// Sent mail.
    Sent,
    /// Unsent drafts.
    Drafts,
    /// Deleted mail; deleting from here destroys.
    Trash,
    /// Spam.
    Junk,
    /// Archived mail.
    Archive,
}

impl MailboxRole {
    /// Every role, in the order system mailboxes are created.
    pub const ALL: [MailboxRole; 6] = [
        MailboxRole::Inbox,
        MailboxRole::Sent,
        MailboxRole::Drafts,
        MailboxRole::Trash,
        MailboxRole::Junk,
        MailboxRole::Archive,
    ];

    /// The lowercase role name (`inbox`, `sent`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            MailboxRole::Inbox => "inbox",
            MailboxRole::Sent => "sent",
            MailboxRole::Drafts => "drafts",
            MailboxRole::Trash => "trash",
            MailboxRole::Junk => "junk",
            MailboxRole::Archive => "archive",
        }
    }

    /// The default display name of the system mailbox with this role.
    pub fn default_name(self) -> &'static str {
        match self {
            MailboxRole::Inbox => "Inbox",
            MailboxRole::Sent => "Sent",
            MailboxRole::Drafts => "Drafts",
            MailboxRole::Trash => "Trash",
            MailboxRole::Junk => "Junk",
            MailboxRole::Archive => "Archive",
        }
    }
}
