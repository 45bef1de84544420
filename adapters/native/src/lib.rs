//! [`NativeBackend`]: the [`MailBackend`] over the native Raft mailbox cluster.
//!
//! Two ways to reach the cluster, behind one type:
//! - **embedded**: a single-node pool in a local directory (the demo, the
//!   importer, tests);
//! - **remote**: a pool of `mailgate node` processes reached over HTTP by a
//!   [`ClusterClient`], which finds the leader, follows redirects, reads with
//!   ReadIndex on the leader and retries through elections (writes are safe
//!   to retry because the state machine deduplicates request ids).
//!
//! Every trait call is one cluster round trip: one Raft write or one
//! linearizable read. Every call first checks `who.may_access(account)`;
//! ids of other accounts are simply absent (or `NotFound`), because every
//! lookup is keyed by the account.

mod read;

use async_trait::async_trait;
use mailgate_backend::{
    Account, BackendError, BlobId, ChangeOutcome, ChangeRequest, Changes, MailBackend, MailChange, Mailbox, Message,
    MessageId, MessageQuery, Page, Principal, State, Thread, ThreadId,
};
use mailgate_cluster::proto::{ReadEnvelope, ReadReply, ReadRequest};
use mailgate_cluster::{ClusterClient, Command, Node, RetryPolicy};
use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// How the backend reaches the cluster.
#[derive(Debug, Clone)]
enum Link {
    Embedded(Node),
    Remote(Arc<ClusterClient>),
}

/// The native backend.
#[derive(Debug, Clone)]
pub struct NativeBackend {
    link: Link,
}

fn check(who: &Principal, account: &str) -> Result<(), BackendError> {
    if who.may_access(account) {
        Ok(())
    } else {
        Err(BackendError::forbidden(format!("{} may not access account {account}", who.username)))
    }
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

impl NativeBackend {
    /// Opens (creating) a single-node cluster embedded in this process, with its data in `data_dir`.
    pub async fn open_embedded(data_dir: &Path) -> Result<NativeBackend, BackendError> {
        Ok(NativeBackend { link: Link::Embedded(Node::open_single(data_dir).await?) })
    }

    /// A backend over the pool that `nodes` (`host:port`) belong to.
    pub fn connect(nodes: Vec<String>, policy: RetryPolicy) -> Result<NativeBackend, BackendError> {
        Ok(NativeBackend { link: Link::Remote(Arc::new(ClusterClient::new(nodes, policy)?)) })
    }

    /// The embedded node, if this backend runs one.
    pub fn node(&self) -> Option<&Node> {
        match &self.link {
            Link::Embedded(node) => Some(node),
            Link::Remote(_) => None,
        }
    }

    /// Stops the embedded node; its data stays on disk. Nothing to do when remote.
    pub async fn shutdown(&self) {
        if let Link::Embedded(node) = &self.link {
            if let Err(e) = node.shutdown().await {
                tracing::warn!(error = %e, "native backend shutdown");
            }
        }
    }

    async fn read(&self, account: &str, read: ReadRequest) -> Result<ReadReply, BackendError> {
        let env = ReadEnvelope { account: account.to_owned(), read };
        match &self.link {
            Link::Embedded(node) => Ok(mailgate_cluster::server::api_routes::dispatch(node, env).await?),
            Link::Remote(client) => client.read(&env).await,
        }
    }
}

#[async_trait]
impl MailBackend for NativeBackend {
    fn kind(&self) -> &'static str {
        "native"
    }

    async fn account(&self, who: &Principal, account: &str) -> Result<Account, BackendError> {
        check(who, account)?;
        read::account(self.read(account, ReadRequest::Account).await?)
    }

    async fn mailboxes(&self, who: &Principal, account: &str) -> Result<Vec<Mailbox>, BackendError> {
        check(who, account)?;
        read::mailboxes(self.read(account, ReadRequest::Mailboxes).await?)
    }

    async fn messages(
        &self,
        who: &Principal,
        account: &str,
        ids: &[MessageId],
    ) -> Result<HashMap<MessageId, Message>, BackendError> {
        check(who, account)?;
        read::messages(self.read(account, ReadRequest::Messages(ids.to_vec())).await?)
    }

    async fn query(&self, who: &Principal, account: &str, query: &MessageQuery) -> Result<Page<Message>, BackendError> {
        check(who, account)?;
        read::query(self.read(account, ReadRequest::Query(query.clone())).await?)
    }

    async fn threads(
        &self,
        who: &Principal,
        account: &str,
        ids: &[ThreadId],
    ) -> Result<HashMap<ThreadId, Thread>, BackendError> {
        check(who, account)?;
        read::threads(self.read(account, ReadRequest::Threads(ids.to_vec())).await?)
    }

    async fn blobs(
        &self,
        who: &Principal,
        account: &str,
        ids: &[BlobId],
        max_size: u64,
    ) -> Result<HashMap<BlobId, Vec<u8>>, BackendError> {
        check(who, account)?;
        read::blobs(self.read(account, ReadRequest::Blobs { ids: ids.to_vec(), max_size }).await?)
    }

    async fn blob_range(
        &self,
        who: &Principal,
        account: &str,
        id: &BlobId,
        range: Range<u64>,
    ) -> Result<(Vec<u8>, u64), BackendError> {
        check(who, account)?;
        let req = ReadRequest::BlobRange { id: id.clone(), start: range.start, end: range.end };
        read::blob_range(self.read(account, req).await?)
    }

    async fn apply(
        &self,
        who: &Principal,
        account: &str,
        mut request: ChangeRequest,
    ) -> Result<ChangeOutcome, BackendError> {
        check(who, account)?;
        // Which source serves a user is the operators' decision (migration cutover).
        if matches!(request.change, MailChange::SetSource { .. }) && !who.admin {
            return Err(BackendError::forbidden("only operators change an account's sources"));
        }
        // The arrival time is fixed once, here, so that every retry proposes the same command.
        if let MailChange::Import { received_at, .. } = &mut request.change {
            if received_at.is_none() {
                *received_at = Some(now_ms());
            }
        }
        let cmd = Command { account: account.to_owned(), request };
        match &self.link {
            Link::Embedded(node) => Ok(node.write_command(cmd).await?),
            Link::Remote(client) => {
                cmd.validate()?;
                client.write(&cmd).await
            }
        }
    }

    async fn state(&self, who: &Principal, account: &str) -> Result<State, BackendError> {
        check(who, account)?;
        read::state(self.read(account, ReadRequest::State).await?)
    }

    async fn changes(&self, who: &Principal, account: &str, since: &State) -> Result<Changes, BackendError> {
        check(who, account)?;
        read::changes(self.read(account, ReadRequest::Changes(since.clone())).await?)
    }
}
