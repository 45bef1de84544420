//! The DataLoader key types, one per backend batch call.

use crate::source::SourceHandle;
use mailgate_backend::{BlobId, MessageId, ThreadId};
use std::sync::Arc;

/// An account by username; loads with `account()` (plus directory lookups).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AccountKey(pub String);

/// Every mailbox of one source; loads with `mailboxes()`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MailboxesKey(pub Arc<SourceHandle>);

/// One message of one source; batches into `messages(ids)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MessageKey(pub Arc<SourceHandle>, pub MessageId);

/// One thread of one source; batches into `threads(ids)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ThreadKey(pub Arc<SourceHandle>, pub ThreadId);

/// One blob of one source no larger than the cap; batches into `blobs(ids, cap)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BlobKey(pub Arc<SourceHandle>, pub BlobId, pub u64);
