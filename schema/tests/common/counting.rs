//! A `MailBackend` that counts calls per operation and delegates to a real one.

#![allow(clippy::unwrap_used, dead_code)]

use async_trait::async_trait;
use mailgate_backend::{
    Account, BackendError, BlobId, ChangeOutcome, ChangeRequest, Changes, MailBackend, Mailbox, Message, MessageId,
    MessageQuery, Page, Principal, State, Thread, ThreadId,
};
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::{Arc, Mutex};

/// Counts every call, per operation name.
pub struct Counting {
    inner: Arc<dyn MailBackend>,
    calls: Mutex<BTreeMap<&'static str, usize>>,
}

impl Counting {
    pub fn new(inner: Arc<dyn MailBackend>) -> Self {
        Self { inner, calls: Mutex::new(BTreeMap::new()) }
    }

    fn hit(&self, op: &'static str) {
        *self.calls.lock().unwrap().entry(op).or_default() += 1;
    }

    /// Clears the counts.
    pub fn reset(&self) {
        self.calls.lock().unwrap().clear();
    }

    /// The counts since the last reset.
    pub fn calls(&self) -> BTreeMap<&'static str, usize> {
        self.calls.lock().unwrap().clone()
    }

    /// The total count since the last reset.
    pub fn total(&self) -> usize {
        self.calls.lock().unwrap().values().sum()
    }
}

#[async_trait]
impl MailBackend for Counting {
    fn kind(&self) -> &'static str {
        self.inner.kind()
    }

    async fn account(&self, who: &Principal, account: &str) -> Result<Account, BackendError> {
        self.hit("account");
        self.inner.account(who, account).await
    }

    async fn mailboxes(&self, who: &Principal, account: &str) -> Result<Vec<Mailbox>, BackendError> {
        self.hit("mailboxes");
        self.inner.mailboxes(who, account).await
    }

    async fn messages(
        &self,
        who: &Principal,
        account: &str,
        ids: &[MessageId],
    ) -> Result<HashMap<MessageId, Message>, BackendError> {
        self.hit("messages");
        self.inner.messages(who, account, ids).await
    }

    async fn query(&self, who: &Principal, account: &str, query: &MessageQuery) -> Result<Page<Message>, BackendError> {
        self.hit("query");
        self.inner.query(who, account, query).await
    }

    async fn threads(
        &self,
        who: &Principal,
        account: &str,
        ids: &[ThreadId],
    ) -> Result<HashMap<ThreadId, Thread>, BackendError> {
        self.hit("threads");
        self.inner.threads(who, account, ids).await
    }

    async fn blobs(
        &self,
        who: &Principal,
        account: &str,
        ids: &[BlobId],
        max_size: u64,
    ) -> Result<HashMap<BlobId, Vec<u8>>, BackendError> {
        self.hit("blobs");
        self.inner.blobs(who, account, ids, max_size).await
    }

    async fn blob_range(
        &self,
        who: &Principal,
        account: &str,
        id: &BlobId,
        range: Range<u64>,
    ) -> Result<(Vec<u8>, u64), BackendError> {
        self.hit("blob_range");
        self.inner.blob_range(who, account, id, range).await
    }

    async fn apply(
        &self,
        who: &Principal,
        account: &str,
        request: ChangeRequest,
    ) -> Result<ChangeOutcome, BackendError> {
        self.hit("apply");
        self.inner.apply(who, account, request).await
    }

    async fn state(&self, who: &Principal, account: &str) -> Result<State, BackendError> {
        self.hit("state");
        self.inner.state(who, account).await
    }

    async fn changes(&self, who: &Principal, account: &str, since: &State) -> Result<Changes, BackendError> {
        self.hit("changes");
        self.inner.changes(who, account, since).await
    }
}
