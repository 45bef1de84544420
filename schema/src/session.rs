//! [`Session`]: the per-request state resolvers work through, and
//! [`attach_request_data`], which the gateway calls to create it.

use crate::directory::{Directory, ResolvedAccount};
use crate::error::{api_error, backend_error, not_found, Code};
use crate::id::GlobalId;
use crate::loader::{AccountKey, BlobKey, MailLoader, MailboxesKey, MessageKey, ThreadKey};
use crate::source::SourceHandle;
use async_graphql::dataloader::{DataLoader, HashMapCache};
use async_graphql::{Context, Result};
use mailgate_backend::{BlobId, ErrorKind, Mailbox, Message, MessageId, Principal, Thread, ThreadId};
use std::sync::Arc;

/// The authenticated caller and the request's loaders.
pub struct Session {
    /// Who is asking; every backend call carries it.
    pub principal: Principal,
    /// Where each (user, source) lives.
    pub directory: Arc<Directory>,
    /// The request's batching cache.
    pub loader: DataLoader<MailLoader, HashMapCache>,
}

/// Adds the caller and fresh DataLoaders to a request.
///
/// Loaders are built here, per request, so that their caches hold only what
/// this principal may see and are dropped with the request. Without a
/// principal nothing is attached but the directory, and every field that
/// touches mail answers `UNAUTHENTICATED`.
pub fn attach_request_data(
    mut req: async_graphql::Request,
    principal: Option<Principal>,
    directory: Arc<Directory>,
) -> async_graphql::Request {
    fill_request_data(&mut req.data, principal, directory);
    req
}

/// [`attach_request_data`] into a bare [`async_graphql::Data`], for a
/// websocket connection's subscriptions.
pub fn fill_request_data(data: &mut async_graphql::Data, principal: Option<Principal>, directory: Arc<Directory>) {
    data.insert(directory.clone());
    if let Some(principal) = principal {
        let loader = DataLoader::with_cache(
            MailLoader::new(principal.clone(), directory.clone()),
            tokio::spawn,
            HashMapCache::default(),
        )
        // No timer wait: loads issued in the same executor pass still
        // batch (the fetch is a spawned task that runs after them), and
        // pages prefetch their mailboxes, threads and blobs explicitly.
        // The default 1 ms wait cost about 2 ms per query level.
        .delay(std::time::Duration::ZERO);
        data.insert(principal.clone());
        data.insert(Session { principal, directory, loader });
    }
}

impl Session {
    /// The request's session, or `UNAUTHENTICATED`.
    pub fn of<'a>(ctx: &Context<'a>) -> Result<&'a Session> {
        ctx.data_opt::<Session>().ok_or_else(|| api_error(Code::Unauthenticated, "authentication required"))
    }

    /// The account `username` with its sources resolved (cached per request).
    pub async fn account(&self, username: &str) -> Result<Arc<ResolvedAccount>> {
        match self.loader.load_one(AccountKey(username.to_owned())).await {
            Ok(Some(Ok(account))) => Ok(account),
            Ok(Some(Err(err))) => Err(backend_error(&err)),
            Ok(None) | Err(_) => Err(not_found("account")),
        }
    }

    /// The source `name` (or the primary one) of `username`.
    pub async fn source(&self, username: &str, name: Option<&str>) -> Result<Arc<SourceHandle>> {
        let account = self.account(username).await?;
        account.source(name).map_err(|e| backend_error(&e))
    }

    /// The source a global id points into. Ids of accounts the caller may not
    /// access are `NOT_FOUND`, indistinguishable from ids that never existed.
    pub async fn source_of(&self, id: &GlobalId) -> Result<Arc<SourceHandle>> {
        let what = id.kind.as_str();
        if !self.principal.may_access(&id.account) {
            return Err(not_found(what));
        }
        let account = match self.loader.load_one(AccountKey(id.account.clone())).await {
            Ok(Some(Ok(account))) => account,
            Ok(Some(Err(err))) if matches!(err.kind, ErrorKind::NotFound | ErrorKind::PermissionDenied) => {
                return Err(not_found(what))
            }
            Ok(Some(Err(err))) => return Err(backend_error(&err)),
            Ok(None) | Err(_) => return Err(not_found(what)),
        };
        account.source(Some(&id.source)).map_err(|_| not_found(what))
    }

    /// Every mailbox of a source (one backend call per source per request).
    pub async fn mailboxes(&self, src: &Arc<SourceHandle>) -> Result<Arc<Vec<Mailbox>>> {
        match self.loader.load_one(MailboxesKey(src.clone())).await {
            Ok(Some(Ok(list))) => Ok(list),
            Ok(Some(Err(err))) => Err(backend_error(&err)),
            Ok(None) | Err(_) => Ok(Arc::new(Vec::new())),
        }
    }

    /// One message, `None` when it does not exist in the source.
    pub async fn message(&self, src: &Arc<SourceHandle>, id: &MessageId) -> Result<Option<Arc<Message>>> {
        match self.loader.load_one(MessageKey(src.clone(), id.clone())).await {
            Ok(Some(Ok(msg))) => Ok(Some(msg)),
            Ok(Some(Err(err))) => Err(backend_error(&err)),
            Ok(None) | Err(_) => Ok(None),
        }
    }

    /// Many messages in the order of `ids`, skipping those that do not exist.
    pub async fn messages(&self, src: &Arc<SourceHandle>, ids: &[MessageId]) -> Result<Vec<Arc<Message>>> {
        let keys = ids.iter().map(|id| MessageKey(src.clone(), id.clone()));
        let Ok(mut found) = self.loader.load_many(keys).await;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            match found.remove(&MessageKey(src.clone(), id.clone())) {
                Some(Ok(msg)) => out.push(msg),
                Some(Err(err)) => return Err(backend_error(&err)),
                None => {}
            }
        }
        Ok(out)
    }

    /// Puts messages a `query()` already returned into the cache, so that no
    /// resolver fetches them again.
    pub async fn prime_messages(&self, src: &Arc<SourceHandle>, messages: &[Arc<Message>]) {
        let values = messages.iter().map(|m| (MessageKey(src.clone(), m.id.clone()), Ok(m.clone())));
        self.loader.feed_many(values).await;
    }

    /// One thread, `None` when it does not exist in the source.
    pub async fn thread(&self, src: &Arc<SourceHandle>, id: &ThreadId) -> Result<Option<Arc<Thread>>> {
        match self.loader.load_one(ThreadKey(src.clone(), id.clone())).await {
            Ok(Some(Ok(thread))) => Ok(Some(thread)),
            Ok(Some(Err(err))) => Err(backend_error(&err)),
            Ok(None) | Err(_) => Ok(None),
        }
    }

    /// A whole blob of at most `cap` bytes; `None` when larger or unknown.
    pub async fn blob(&self, src: &Arc<SourceHandle>, id: &BlobId, cap: u64) -> Result<Option<Arc<Vec<u8>>>> {
        match self.loader.load_one(BlobKey(src.clone(), id.clone(), cap)).await {
            Ok(Some(Ok(blob))) => Ok(Some(blob)),
            Ok(Some(Err(err))) => Err(backend_error(&err)),
            Ok(None) | Err(_) => Ok(None),
        }
    }

    /// Forgets cached mail after a write so that payloads show the new state.
    /// Accounts stay cached: writes do not change sources.
    pub fn forget_mail(&self) {
        self.loader.clear::<MessageKey>();
        self.loader.clear::<MailboxesKey>();
        self.loader.clear::<ThreadKey>();
    }
}
