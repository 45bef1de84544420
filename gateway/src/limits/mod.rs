//! What the gateway lets one request and one user cost, and the answers when
//! they ask for more.
//!
//! [`LimitsConfig`] is the `[limits]` table of the configuration. Its query
//! limits (depth, complexity, aliases, root fields, directives) go to the
//! schema ([`mailgate_schema::QueryLimits`]), which refuses a document with
//! `QUERY_TOO_COMPLEX` before anything runs. The rest are HTTP-level and live
//! here: at most `max_batch` operations in one batched POST (400
//! `BAD_USER_INPUT`), a query text over `max_query_bytes` (400 `QUERY_TOO_COMPLEX`); a request that takes longer than `request_timeout_ms`
//! is cut off with 504 ([`load::time_out_slow_requests`]); past
//! `max_concurrent_requests` in flight a new request is shed at once with 503
//! and `Retry-After` ([`load::ConcurrencyGate`]), so overload queues nowhere;
//! and each user has a token bucket ([`rate::UserRateLimiter`]) whose empty
//! bucket answers 429 with `Retry-After`.

pub mod load;
pub mod rate;

use mailgate_schema::QueryLimits;
use serde::Deserialize;
use std::num::{NonZeroU32, NonZeroU64, NonZeroUsize};
use std::time::Duration;

/// The `[limits]` table. Every key is optional; the defaults suit a public gateway.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsConfig {
    /// The deepest selection accepted.
    pub max_depth: usize,
    /// The largest query cost: each field 1 plus what it selects, a page's
    /// selection multiplied by the page size asked for.
    pub max_complexity: usize,
    /// The most aliased fields in one document.
    pub max_aliases: usize,
    /// The most fields at the root of one operation.
    pub max_root_fields: usize,
    /// The most directives on one field.
    pub max_directives: usize,
    /// The longest query text, in bytes (checked before it is parsed or cached).
    pub max_query_bytes: usize,
    /// The most operations in one batched POST (a JSON array of requests).
    pub max_batch: NonZeroUsize,
    /// How long one request may take, in milliseconds, before it gets 504.
    pub request_timeout_ms: NonZeroU64,
    /// How many `/graphql` requests may run at once; more get 503 at once.
    pub max_concurrent_requests: NonZeroUsize,
    /// Each user's sustained rate, in operations per second; 0 turns the
    /// rate limit off.
    pub rate_limit_per_second: u32,
    /// How many operations a user may send at once after being idle.
    pub rate_limit_burst: NonZeroU32,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        let query = QueryLimits::default();
        Self {
            max_depth: query.max_depth,
            max_complexity: query.max_complexity,
            max_aliases: query.max_aliases,
            max_root_fields: query.max_root_fields,
            max_directives: query.max_directives,
            max_query_bytes: 256 * 1024,
            max_batch: NonZeroUsize::new(10).unwrap_or(NonZeroUsize::MIN),
            request_timeout_ms: NonZeroU64::new(30_000).unwrap_or(NonZeroU64::MIN),
            max_concurrent_requests: NonZeroUsize::new(512).unwrap_or(NonZeroUsize::MIN),
            rate_limit_per_second: 100,
            rate_limit_burst: NonZeroU32::new(200).unwrap_or(NonZeroU32::MIN),
        }
    }
}

impl LimitsConfig {
    /// The limits the schema checks before execution.
    pub fn query_limits(&self) -> QueryLimits {
        QueryLimits {
            max_depth: self.max_depth,
            max_complexity: self.max_complexity,
            max_aliases: self.max_aliases,
            max_root_fields: self.max_root_fields,
            max_directives: self.max_directives,
        }
    }

    /// `request_timeout_ms` as a duration.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.request_timeout_ms.get())
    }
}
