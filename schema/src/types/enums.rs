//! GraphQL enums and small input types mirroring the backend's closed sets.

use async_graphql::{Enum, InputObject};
use mailgate_backend::{Flag, SearchExpr, Sort, SortKey, Term};

/// The system role of a mailbox (RFC 8621 / RFC 6154).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "mailgate_backend::MailboxRole")]
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

/// A system flag of a message (JMAP keywords `$seen`, `$flagged`, ...).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "mailgate_backend::Flag")]
pub enum MessageFlag {
    /// Read.
    Seen,
    /// Starred.
    Flagged,
    /// Replied to.
    Answered,
    /// Forwarded.
    Forwarded,
    /// A draft.
    Draft,
}

/// The header an address came from.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "mailgate_backend::AddressKind")]
pub enum AddressType {
    /// `From:`
    From,
    /// `Sender:`
    Sender,
    /// `Reply-To:`
    ReplyTo,
    /// `To:`
    To,
    /// `Cc:`
    Cc,
    /// `Bcc:`
    Bcc,
}

/// The kind of backend a source lives in.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "mailgate_backend::SourceKind")]
pub enum SourceKind {
    /// The Mailgate cluster.
    Native,
    /// A Zimbra mailbox server.
    Zimbra,
}

/// What to sort messages by. Ties break by message id, so paging is stable.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MessageSortKey {
    /// Arrival time (`receivedAt`).
    #[default]
    Date,
    /// Subject, case-insensitive, ignoring `Re:`/`Fwd:` prefixes.
    Subject,
    /// The first `From:` address (name, else email), case-insensitive.
    Sender,
    /// Raw size in bytes.
    Size,
}

/// Sort direction.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortDirection {
    /// Smallest (oldest) first.
    Asc,
    /// Largest (newest) first.
    #[default]
    Desc,
}

/// A message order; the default is newest first.
#[derive(InputObject, Debug, Clone, Copy, Default)]
pub struct MessageSort {
    /// What to sort by.
    #[graphql(default)]
    pub by: MessageSortKey,
    /// Which way.
    #[graphql(default)]
    pub direction: SortDirection,
}

impl MessageSort {
    /// The backend sort.
    pub fn to_backend(self) -> Sort {
        let key = match self.by {
            MessageSortKey::Date => SortKey::ReceivedAt,
            MessageSortKey::Subject => SortKey::Subject,
            MessageSortKey::Sender => SortKey::From,
            MessageSortKey::Size => SortKey::Size,
        };
        Sort { key, descending: self.direction == SortDirection::Desc }
    }
}

/// Conditions on a mailbox listing; unset fields do not filter.
#[derive(InputObject, Debug, Clone, Copy, Default)]
pub struct MessageFilter {
    /// Only read (`true`) or unread (`false`) messages.
    pub seen: Option<bool>,
    /// Only starred (`true`) or unstarred (`false`) messages.
    pub flagged: Option<bool>,
    /// Only replied-to (`true`) or not replied-to (`false`) messages.
    pub answered: Option<bool>,
    /// Only messages with (`true`) or without (`false`) attachments.
    pub has_attachment: Option<bool>,
}

impl MessageFilter {
    /// The filter as a search expression; `None` when it filters nothing.
    pub fn to_expr(self) -> Option<SearchExpr> {
        let mut terms = Vec::new();
        for (flag, value) in [(Flag::Seen, self.seen), (Flag::Flagged, self.flagged), (Flag::Answered, self.answered)] {
            if let Some(value) = value {
                terms.push(SearchExpr::Term(Term::Flag(flag, value)));
            }
        }
        match self.has_attachment {
            Some(true) => terms.push(SearchExpr::Term(Term::HasAttachment)),
            Some(false) => terms.push(SearchExpr::Not(Box::new(SearchExpr::Term(Term::HasAttachment)))),
            None => {}
        }
        match terms.len() {
            0 => None,
            1 => terms.pop(),
            _ => Some(SearchExpr::And(terms)),
        }
    }
}
