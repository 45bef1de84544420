//! Persisted operations: automatic persisted queries (APQ) and the safelist.
//!
//! `[persisted_operations]` picks the mode. With `apq` (on by default) any
//! client may register a query by sending its text with its sha256 and then
//! send only the hash, over POST or GET (the schema's
//! [`mailgate_schema::PersistedQueryCache`] serves this). With `safelist`, a
//! manifest file lists the only operations that run ([`Safelist`]): a request
//! names one by id/hash or sends its exact text, anything else is refused, and
//! APQ registration is off (a client could otherwise register its own query).

pub mod safelist;

pub use safelist::{ManifestError, Safelist};

use async_graphql::parser::types::OperationType;
use mailgate_schema::PersistedQueryCache;
use serde::Deserialize;
use std::num::NonZeroUsize;
use std::path::PathBuf;

/// The `[persisted_operations]` table.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct PersistedConfig {
    /// Automatic persisted queries (ignored when `safelist` is set).
    pub apq: bool,
    /// How many registered queries the APQ cache keeps (least recently used go first).
    pub apq_cache_entries: NonZeroUsize,
    /// A persisted query manifest (Apollo's `apollo-persisted-query-manifest`
    /// JSON); when set, only its operations run.
    pub safelist: Option<PathBuf>,
}

impl Default for PersistedConfig {
    fn default() -> Self {
        Self { apq: true, apq_cache_entries: NonZeroUsize::new(1_000).unwrap_or(NonZeroUsize::MIN), safelist: None }
    }
}

/// The mode in force, built from [`PersistedConfig`].
#[derive(Clone, Default)]
pub enum PersistedOperations {
    /// Only the safelist's operations run.
    Safelist(std::sync::Arc<Safelist>),
    /// Clients may register queries by hash.
    Apq(PersistedQueryCache),
    /// Every request sends its text.
    #[default]
    Off,
}

/// Why a request was refused before it ran: a code and a message for a 400.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The `extensions.code`.
    pub code: &'static str,
    /// What the client is told.
    pub message: String,
}

impl PersistedOperations {
    /// Loads the mode `config` names (reading the safelist manifest, if any).
    pub fn load(config: &PersistedConfig) -> Result<Self, ManifestError> {
        if let Some(path) = &config.safelist {
            return Ok(Self::Safelist(std::sync::Arc::new(Safelist::load(path)?)));
        }
        if config.apq {
            return Ok(Self::Apq(PersistedQueryCache::new(config.apq_cache_entries)));
        }
        Ok(Self::Off)
    }

    /// The APQ cache the schema serves, if APQ is on.
    pub fn apq_cache(&self) -> Option<&PersistedQueryCache> {
        match self {
            Self::Apq(cache) => Some(cache),
            _ => None,
        }
    }

    /// Lets `request` through or refuses it. Under a safelist a request
    /// naming an operation by hash gets its text here, so what runs is
    /// always the manifest's text.
    pub fn admit(&self, request: &mut async_graphql::Request) -> Result<(), Refusal> {
        match self {
            Self::Safelist(safelist) => safelist.admit(request),
            Self::Apq(_) => Ok(()),
            Self::Off => {
                // With the text at hand the hash is not needed; without, the
                // client is told to stop sending hashes (Apollo's code).
                let hashed = request.extensions.remove(safelist::EXTENSION).is_some();
                if hashed && request.query.is_empty() {
                    return Err(Refusal {
                        code: "PERSISTED_QUERY_NOT_SUPPORTED",
                        message: "persisted queries are turned off on this gateway; send the query text".to_owned(),
                    });
                }
                Ok(())
            }
        }
    }

    /// The operation type of a request that sends only an APQ hash (its text
    /// is in the cache), so that a GET naming a mutation is refused too.
    pub async fn hashed_operation_type(&self, request: &async_graphql::Request) -> Option<OperationType> {
        let cache = self.apq_cache()?;
        if !request.query.is_empty() {
            return None;
        }
        let hash = safelist::persisted_hash(request)?;
        cache.operation_type(&hash, request.operation_name.as_deref()).await
    }
}
