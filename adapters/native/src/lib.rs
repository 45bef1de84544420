//! [`NativeBackend`]: the [`MailBackend`] over the native Raft mailbox cluster.
//!
//! Every trait call is one cluster round trip: either one Raft write
//! (`client_write` of one command) or one linearizable read (ReadIndex, then
//! one read transaction). Every call first checks `who.may_access(account)`;
//! ids of other accounts are simply absent (or `NotFound`), because every
//! lookup is keyed by the account.
//!
//! For now the node is embedded (a single-node pool in a local directory);
//! a cluster client that talks HTTP to a remote leader will sit behind the
//! same type.

use async_trait::async_trait;
use mailgate_backend::{
    Account, BackendError, BlobId, ChangeOutcome, ChangeRequest, Changes, MailBackend, MailChange, Mailbox, Message,
    MessageId, MessageQuery, Page, Principal, State, Thread, ThreadId,
};
use mailgate_cluster::Node;
use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// The native backend.
#[derive(Debug, Clone)]
pub struct NativeBackend {
    node: Node,
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
        Ok(NativeBackend { node: Node::open_single(data_dir).await? })
    }

    /// The cluster node behind this backend.
    pub fn node(&self) -> &Node {
        &self.node
    }

    /// Stops the embedded node; its data stays on disk.
    pub async fn shutdown(&self) {
        if let Err(e) = self.node.shutdown().await {
            tracing::warn!(error = %e, "native backend shutdown");
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
        let account = account.to_owned();
        self.node.read(move |r| r.account(&account)).await
    }

    async fn mailboxes(&self, who: &Principal, account: &str) -> Result<Vec<Mailbox>, BackendError> {
        check(who, account)?;
        let account = account.to_owned();
        self.node.read(move |r| r.mailboxes(&account)).await
    }

    async fn messages(
        &self,
        who: &Principal,
        account: &str,
        ids: &[MessageId],
    ) -> Result<HashMap<MessageId, Message>, BackendError> {
        check(who, account)?;
        let account = account.to_owned();
        let ids = ids.to_vec();
        self.node.read(move |r| r.messages(&account, &ids)).await
    }

    async fn query(&self, who: &Principal, account: &str, query: &MessageQuery) -> Result<Page<Message>, BackendError> {
        check(who, account)?;
        let account = account.to_owned();
        let query = query.clone();
        self.node.read(move |r| r.query(&account, &query)).await
    }

    async fn threads(
        &self,
        who: &Principal,
        account: &str,
        ids: &[ThreadId],
    ) -> Result<HashMap<ThreadId, Thread>, BackendError> {
        check(who, account)?;
        let account = account.to_owned();
        let ids = ids.to_vec();
        self.node.read(move |r| r.threads(&account, &ids)).await
    }

    async fn blobs(
        &self,
        who: &Principal,
        account: &str,
        ids: &[BlobId],
        max_size: u64,
    ) -> Result<HashMap<BlobId, Vec<u8>>, BackendError> {
        check(who, account)?;
        Ok(self.node.blobs(account, ids, max_size).await?.into_iter().collect())
    }

    async fn blob_range(
        &self,
        who: &Principal,
        account: &str,
        id: &BlobId,
        range: Range<u64>,
    ) -> Result<(Vec<u8>, u64), BackendError> {
        check(who, account)?;
        self.node.blob_range(account, id, range).await
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
        if let MailChange::Import { received_at, .. } = &mut request.change {
            if received_at.is_none() {
                *received_at = Some(now_ms());
            }
        }
        self.node.write(account, request).await
    }

    async fn state(&self, who: &Principal, account: &str) -> Result<State, BackendError> {
        check(who, account)?;
        let account = account.to_owned();
        self.node.read(move |r| r.state(&account)).await
    }

    async fn changes(&self, who: &Principal, account: &str, since: &State) -> Result<Changes, BackendError> {
        check(who, account)?;
        let account = account.to_owned();
        let since = since.clone();
        self.node.read(move |r| r.changes(&account, &since)).await
    }
}
