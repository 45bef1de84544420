//! The per-request DataLoader: every account, mailbox-list, message, thread
//! and blob lookup of a resolver goes through it.
//!
//! One [`MailLoader`] serves five key types; async-graphql's `DataLoader`
//! batches each key type separately, so the keys requested while one level of
//! the query resolves become one backend call per source: `account()` per
//! user, `mailboxes()`, `messages(ids)`, `threads(ids)` and `blobs(ids, cap)`
//! per source. The loader is built per request (see
//! [`crate::attach_request_data`]) so that its cache never outlives the
//! request and never crosses principals.
//!
//! A batch that spans several sources makes one call per source, and a failed
//! call fails only its own keys: values are `Result`s, so that one Zimbra
//! server being down nulls its own fields and not the rest of the response.

mod keys;

pub use keys::{AccountKey, BlobKey, MailboxesKey, MessageKey, ThreadKey};

use crate::directory::{Directory, ResolvedAccount};
use crate::source::SourceHandle;
use async_graphql::dataloader::Loader;
use futures::future::join_all;
use mailgate_backend::{BackendError, Mailbox, Message, Principal, Thread};
use std::collections::HashMap;
use std::convert::Infallible;
use std::hash::Hash;
use std::sync::Arc;

/// A loaded value, or the failure of the batch call that should have loaded it.
pub type Loaded<T> = Result<Arc<T>, Arc<BackendError>>;

/// The batch functions behind the per-request DataLoader.
pub struct MailLoader {
    /// The caller, passed to every backend call.
    pub(crate) principal: Principal,
    /// Where each (user, source) lives.
    pub(crate) directory: Arc<Directory>,
}

impl MailLoader {
    /// A loader acting as `principal`.
    pub fn new(principal: Principal, directory: Arc<Directory>) -> Self {
        Self { principal, directory }
    }
}

/// Groups `(source, id)` keys by source, preserving first-seen order of ids.
fn group_by_source<K, I>(keys: &[K], split: impl Fn(&K) -> (Arc<SourceHandle>, I)) -> HashMap<Arc<SourceHandle>, Vec<I>>
where
    I: PartialEq,
{
    let mut groups: HashMap<Arc<SourceHandle>, Vec<I>> = HashMap::new();
    for key in keys {
        let (src, id) = split(key);
        let ids = groups.entry(src).or_default();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    groups
}

/// Spreads one source's batch result (or failure) over that source's keys.
fn spread<K, I, T>(
    out: &mut HashMap<K, Loaded<T>>,
    src: &Arc<SourceHandle>,
    result: Result<HashMap<I, T>, BackendError>,
    make_key: impl Fn(Arc<SourceHandle>, I) -> K,
    ids: Vec<I>,
) where
    K: Hash + Eq,
    I: Hash + Eq,
{
    match result {
        Ok(map) => {
            for (id, value) in map {
                out.insert(make_key(src.clone(), id), Ok(Arc::new(value)));
            }
        }
        Err(err) => {
            let err = Arc::new(err);
            for id in ids {
                out.insert(make_key(src.clone(), id), Err(err.clone()));
            }
        }
    }
}

/// Feeds `mailgate_dataloader_batch_size{loader}`: how many keys one batch
/// carried, so that a query whose lookups stopped batching shows on a graph.
fn record_batch(loader: &'static str, keys: usize) {
    metrics::histogram!("mailgate_dataloader_batch_size", "loader" => loader).record(keys as f64);
}

impl Loader<AccountKey> for MailLoader {
    type Value = Loaded<ResolvedAccount>;
    type Error = Infallible;

    async fn load(&self, keys: &[AccountKey]) -> Result<HashMap<AccountKey, Self::Value>, Self::Error> {
        record_batch("account", keys.len());
        let calls = keys.iter().map(|key| async move {
            let result = self.directory.resolve(&self.principal, &key.0).await;
            (key.clone(), result.map(Arc::new).map_err(Arc::new))
        });
        Ok(join_all(calls).await.into_iter().collect())
    }
}

impl Loader<MailboxesKey> for MailLoader {
    type Value = Loaded<Vec<Mailbox>>;
    type Error = Infallible;

    async fn load(&self, keys: &[MailboxesKey]) -> Result<HashMap<MailboxesKey, Self::Value>, Self::Error> {
        record_batch("mailboxes", keys.len());
        let calls = keys.iter().map(|key| async move {
            let src = &key.0;
            let result = src.backend.mailboxes(&self.principal, &src.account).await;
            (key.clone(), result.map(Arc::new).map_err(Arc::new))
        });
        Ok(join_all(calls).await.into_iter().collect())
    }
}

impl Loader<MessageKey> for MailLoader {
    type Value = Loaded<Message>;
    type Error = Infallible;

    async fn load(&self, keys: &[MessageKey]) -> Result<HashMap<MessageKey, Self::Value>, Self::Error> {
        record_batch("message", keys.len());
        let groups = group_by_source(keys, |k| (k.0.clone(), k.1.clone()));
        let calls = groups.into_iter().map(|(src, ids)| async move {
            let result = src.backend.messages(&self.principal, &src.account, &ids).await;
            (src, ids, result)
        });
        let mut out = HashMap::new();
        for (src, ids, result) in join_all(calls).await {
            spread(&mut out, &src, result, MessageKey, ids);
        }
        Ok(out)
    }
}

impl Loader<ThreadKey> for MailLoader {
    type Value = Loaded<Thread>;
    type Error = Infallible;

    async fn load(&self, keys: &[ThreadKey]) -> Result<HashMap<ThreadKey, Self::Value>, Self::Error> {
        record_batch("thread", keys.len());
        let groups = group_by_source(keys, |k| (k.0.clone(), k.1.clone()));
        let calls = groups.into_iter().map(|(src, ids)| async move {
            let result = src.backend.threads(&self.principal, &src.account, &ids).await;
            (src, ids, result)
        });
        let mut out = HashMap::new();
        for (src, ids, result) in join_all(calls).await {
            spread(&mut out, &src, result, ThreadKey, ids);
        }
        Ok(out)
    }
}

impl Loader<BlobKey> for MailLoader {
    type Value = Loaded<Vec<u8>>;
    type Error = Infallible;

    async fn load(&self, keys: &[BlobKey]) -> Result<HashMap<BlobKey, Self::Value>, Self::Error> {
        record_batch("blob", keys.len());
        // The cap is part of the key so that the loader needs no settings;
        // it is the same for every key of a schema, so grouping by it costs
        // nothing.
        let groups = group_by_source(keys, |k| ((k.0.clone()), (k.1.clone(), k.2)));
        let mut by_cap: HashMap<(Arc<SourceHandle>, u64), Vec<_>> = HashMap::new();
        for (src, ids) in groups {
            for (blob, cap) in ids {
                by_cap.entry((src.clone(), cap)).or_default().push(blob);
            }
        }
        let calls = by_cap.into_iter().map(|((src, cap), ids)| async move {
            let result = src.backend.blobs(&self.principal, &src.account, &ids, cap).await;
            (src, cap, ids, result)
        });
        let mut out = HashMap::new();
        for (src, cap, ids, result) in join_all(calls).await {
            spread(&mut out, &src, result, |src, id| BlobKey(src, id, cap), ids);
        }
        Ok(out)
    }
}
