//! A [`MailBackend`] wrapper that counts and times every backend round trip.
//!
//! It exports `mailgate_backend_requests_total{backend,operation}` (one count
//! per call, so the cost of a GraphQL query can be read from `/metrics`) and
//! `mailgate_backend_request_seconds`, and runs each call in a `backend` span
//! (with the backend and the operation) under the request's span.

use async_trait::async_trait;
use mailgate_backend::{
    Account, BackendError, BlobId, ChangeOutcome, ChangeRequest, Changes, MailBackend, Mailbox, Message, MessageId,
    MessageQuery, Page, Principal, State, Thread, ThreadId,
};
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;
use std::time::Instant;

/// Counts and times the calls into an inner backend.
pub struct InstrumentedBackend {
    inner: Arc<dyn MailBackend>,
}

impl InstrumentedBackend {
    /// Wraps `inner`.
    pub fn new(inner: Arc<dyn MailBackend>) -> Self {
        Self { inner }
    }

    fn record(&self, operation: &'static str, started: Instant, ok: bool) {
        let backend = self.inner.kind();
        metrics::counter!("mailgate_backend_requests_total", "backend" => backend, "operation" => operation)
            .increment(1);
        if !ok {
            metrics::counter!("mailgate_backend_errors_total", "backend" => backend, "operation" => operation)
                .increment(1);
        }
        metrics::histogram!("mailgate_backend_request_seconds", "backend" => backend, "operation" => operation)
            .record(started.elapsed().as_secs_f64());
    }
}

/// Runs one call, recording it whatever its outcome.
macro_rules! timed {
    ($self:ident, $op:literal, $call:expr) => {{
        let started = Instant::now();
        let span = tracing::info_span!("backend", backend = $self.inner.kind(), operation = $op);
        let result = tracing::Instrument::instrument($call, span).await;
        $self.record($op, started, result.is_ok());
        result
    }};
}

#[async_trait]
impl MailBackend for InstrumentedBackend {
    fn kind(&self) -> &'static str {
        self.inner.kind()
    }

    async fn account(&self, who: &Principal, account: &str) -> Result<Account, BackendError> {
        timed!(self, "account", self.inner.account(who, account))
    }

    async fn mailboxes(&self, who: &Principal, account: &str) -> Result<Vec<Mailbox>, BackendError> {
        timed!(self, "mailboxes", self.inner.mailboxes(who, account))
    }

    async fn messages(
        &self,
        who: &Principal,
        account: &str,
        ids: &[MessageId],
    ) -> Result<HashMap<MessageId, Message>, BackendError> {
        timed!(self, "messages", self.inner.messages(who, account, ids))
    }

    async fn query(&self, who: &Principal, account: &str, query: &MessageQuery) -> Result<Page<Message>, BackendError> {
        timed!(self, "query", self.inner.query(who, account, query))
    }

    async fn threads(
        &self,
        who: &Principal,
        account: &str,
        ids: &[ThreadId],
    ) -> Result<HashMap<ThreadId, Thread>, BackendError> {
        timed!(self, "threads", self.inner.threads(who, account, ids))
    }

    async fn blobs(
        &self,
        who: &Principal,
        account: &str,
        ids: &[BlobId],
        max_size: u64,
    ) -> Result<HashMap<BlobId, Vec<u8>>, BackendError> {
        timed!(self, "blobs", self.inner.blobs(who, account, ids, max_size))
    }

    async fn blob_range(
        &self,
        who: &Principal,
        account: &str,
        id: &BlobId,
        range: Range<u64>,
    ) -> Result<(Vec<u8>, u64), BackendError> {
        timed!(self, "blob_range", self.inner.blob_range(who, account, id, range))
    }

    async fn apply(
        &self,
        who: &Principal,
        account: &str,
        request: ChangeRequest,
    ) -> Result<ChangeOutcome, BackendError> {
        timed!(self, "apply", self.inner.apply(who, account, request))
    }

    async fn state(&self, who: &Principal, account: &str) -> Result<State, BackendError> {
        timed!(self, "state", self.inner.state(who, account))
    }

    async fn changes(&self, who: &Principal, account: &str, since: &State) -> Result<Changes, BackendError> {
        timed!(self, "changes", self.inner.changes(who, account, since))
    }
}
