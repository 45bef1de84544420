//! Automatic persisted queries (APQ): a client sends a query's text once with
//! its sha256, then only the hash; the gateway keeps the parsed documents.
//!
//! The protocol is Apollo's `persistedQuery` extension (version 1), served by
//! async-graphql's own [`ApolloPersistedQueries`] extension over a bounded
//! LRU cache ([`PersistedQueryCache`]), so a client flooding new queries
//! evicts old ones instead of growing memory. An unknown hash answers
//! `PERSISTED_QUERY_NOT_FOUND` and the client retries with the text. The
//! gateway also asks the cache which operation type a hash names, because a
//! GET that names a mutation by hash must be refused like one with the text.

use async_graphql::extensions::apollo_persisted_queries::{ApolloPersistedQueries, CacheStorage, LruCacheStorage};
use async_graphql::parser::types::{DocumentOperations, OperationType};
use std::num::NonZeroUsize;

/// The documents clients registered, most recently used kept.
#[derive(Clone)]
pub struct PersistedQueryCache(LruCacheStorage);

impl PersistedQueryCache {
    /// A cache of at most `entries` documents.
    pub fn new(entries: NonZeroUsize) -> Self {
        Self(LruCacheStorage::new(entries.get()))
    }

    /// The schema extension that serves the protocol from this cache.
    pub fn extension(&self) -> ApolloPersistedQueries<LruCacheStorage> {
        ApolloPersistedQueries::new(self.0.clone())
    }

    /// The type of the operation `operation_name` (or the only one) of the
    /// document registered under `sha256`; `None` if the hash is unknown.
    pub async fn operation_type(&self, sha256: &str, operation_name: Option<&str>) -> Option<OperationType> {
        let document = self.0.get(sha256.to_owned()).await?;
        match (&document.operations, operation_name) {
            (DocumentOperations::Single(operation), _) => Some(operation.node.ty),
            (DocumentOperations::Multiple(operations), Some(name)) => operations.get(name).map(|op| op.node.ty),
            (DocumentOperations::Multiple(operations), None) => operations.values().next().map(|op| op.node.ty),
        }
    }
}
