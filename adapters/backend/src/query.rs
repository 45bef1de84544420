//! Listing and searching messages: the parsed search language, sorting and paging.
//!
//! The schema crate parses the user's query string into a [`SearchExpr`];
//! each backend evaluates it (the native store directly, the Zimbra adapter by
//! translating it to Zimbra's query language).

use crate::ids::MailboxId;
use crate::message::Flag;
use serde::{Deserialize, Serialize};

/// One page request over an account's messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageQuery {
    /// Only messages in this mailbox.
    pub mailbox: Option<MailboxId>,
    /// Only messages matching this expression.
    pub filter: Option<SearchExpr>,
    /// The order of the results.
    pub sort: Sort,
    /// How many matching messages to skip.
    pub offset: usize,
    /// How many to return at most.
    pub limit: usize,
}

/// A sort order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sort {
    /// What to sort by.
    pub key: SortKey,
    /// Largest (newest) first.
    pub descending: bool,
}

impl Default for Sort {
    /// Newest first, as every mail client shows a folder.
    fn default() -> Self {
        Sort { key: SortKey::ReceivedAt, descending: true }
    }
}

/// Sort keys. Ties break by message id so that paging is stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortKey {
    /// Arrival time.
    ReceivedAt,
    /// Subject, case-insensitive, without `Re:`/`Fwd:` prefixes.
    Subject,
    /// The first `From:` address (name, else email), case-insensitive.
    From,
    /// Raw size.
    Size,
}

/// A boolean search expression.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SearchExpr {
    /// All must match.
    And(Vec<SearchExpr>),
    /// At least one must match.
    Or(Vec<SearchExpr>),
    /// Must not match.
    Not(Box<SearchExpr>),
    /// A leaf condition.
    Term(Term),
}

/// A leaf search condition. Text comparisons are case-insensitive substring matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Term {
    /// A free word or "quoted phrase": subject, addresses or body.
    Text(String),
    /// `from:` name or address.
    From(String),
    /// `to:` name or address.
    To(String),
    /// `cc:` name or address.
    Cc(String),
    /// `subject:`
    Subject(String),
    /// `has:attachment`
    HasAttachment,
    /// `is:read` (`Flag(Seen, true)`), `is:unread` (`Flag(Seen, false)`), `is:flagged`.
    Flag(Flag, bool),
    /// `in:FOLDER`: a mailbox name (case-insensitive) or role name.
    InMailbox(String),
    /// `before:DATE`: received strictly before, milliseconds since the epoch.
    Before(i64),
    /// `after:DATE`: received at or after, milliseconds since the epoch.
    After(i64),
    /// `larger:SIZE` in bytes.
    Larger(u64),
    /// `smaller:SIZE` in bytes.
    Smaller(u64),
}

/// One page of results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The items of this page, in order.
    pub items: Vec<T>,
    /// How many items match in all.
    pub total: usize,
}
