//! The [`MailBackend`] trait.

use crate::account::Account;
use crate::change::{ChangeOutcome, ChangeRequest, Changes};
use crate::error::BackendError;
use crate::ids::{BlobId, MessageId, State, ThreadId};
use crate::mailbox::Mailbox;
use crate::message::Message;
use crate::principal::Principal;
use crate::query::{MessageQuery, Page};
use crate::thread::Thread;
use async_trait::async_trait;
use std::collections::HashMap;
use std::ops::Range;

/// A place where mail lives. One call is one round trip to the backend.
///
/// Every method takes the caller and the account it acts on; an
/// implementation refuses with `PermissionDenied` when
/// `!who.may_access(account)`, and answers `NotFound` (or leaves the id out
/// of a batch map) for ids that are not in `account`, so that ids of other
/// accounts leak nothing.
#[async_trait]
pub trait MailBackend: Send + Sync + 'static {
    /// A short name for metrics and logs (`native`, `zimbra`).
    fn kind(&self) -> &'static str;

    /// The account and its sources.
    async fn account(&self, who: &Principal, account: &str) -> Result<Account, BackendError>;

    /// Every mailbox of the account, with counts.
    async fn mailboxes(&self, who: &Principal, account: &str) -> Result<Vec<Mailbox>, BackendError>;

    /// Messages by id; ids that do not exist in the account are absent from the map.
    async fn messages(
        &self,
        who: &Principal,
        account: &str,
        ids: &[MessageId],
    ) -> Result<HashMap<MessageId, Message>, BackendError>;

    /// One page of the account's messages matching `query`, with the total.
    async fn query(&self, who: &Principal, account: &str, query: &MessageQuery) -> Result<Page<Message>, BackendError>;

    /// Threads by id; unknown ids are absent from the map.
    async fn threads(
        &self,
        who: &Principal,
        account: &str,
        ids: &[ThreadId],
    ) -> Result<HashMap<ThreadId, Thread>, BackendError>;

    /// Whole blobs by id, for blobs of at most `max_size` bytes; larger and
    /// unknown blobs are absent from the map.
    async fn blobs(
        &self,
        who: &Principal,
        account: &str,
        ids: &[BlobId],
        max_size: u64,
    ) -> Result<HashMap<BlobId, Vec<u8>>, BackendError>;

    /// A byte range of one blob and the blob's total size, for streaming downloads.
    async fn blob_range(
        &self,
        who: &Principal,
        account: &str,
        id: &BlobId,
        range: Range<u64>,
    ) -> Result<(Vec<u8>, u64), BackendError>;

    /// Applies one write, at most once per request id.
    async fn apply(
        &self,
        who: &Principal,
        account: &str,
        request: ChangeRequest,
    ) -> Result<ChangeOutcome, BackendError>;

    /// The account's current state (cheap: no change history is read).
    async fn state(&self, who: &Principal, account: &str) -> Result<State, BackendError>;

    /// What changed since `since`.
    async fn changes(&self, who: &Principal, account: &str, since: &State) -> Result<Changes, BackendError>;
}
