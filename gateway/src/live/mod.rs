//! Live updates: the schema's subscriptions (`messagesChanged`,
//! `mailboxesChanged`) over websockets and server-sent events.
//!
//! - [`ws`]: `GET /graphql/ws`, both `graphql-transport-ws` (the graphql-ws
//!   library) and the legacy `graphql-ws` (subscriptions-transport-ws),
//!   chosen by `Sec-WebSocket-Protocol`; the token comes in the
//!   `connection_init` payload (browsers cannot set headers on a websocket);
//!   a websocket ping every `heartbeat_seconds`.
//! - [`sse`]: `/graphql/sse`, one subscription per request (graphql-sse's
//!   distinct-connections mode), the token in `Authorization`; a comment
//!   line every `heartbeat_seconds`.
//! - [`cap`]: at most `max_connections_per_user` live connections per user.
//!
//! Both check the token, its `mail:read` scope (the schema's guard) and the
//! cap once, when the connection opens.

pub mod cap;
pub mod sse;
pub mod ws;

use serde::Deserialize;
use std::num::{NonZeroU64, NonZeroUsize};
use std::time::Duration;

/// The `[live]` table.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct LiveConfig {
    /// How often a subscription polls its source for a new state, in milliseconds.
    pub poll_interval_ms: NonZeroU64,
    /// Live connections (websockets and event streams) one user may hold open.
    pub max_connections_per_user: NonZeroUsize,
    /// How often an idle live connection gets a heartbeat, in seconds.
    pub heartbeat_seconds: NonZeroU64,
}

impl Default for LiveConfig {
    fn default() -> Self {
        Self {
            poll_interval_ms: NonZeroU64::new(1_000).unwrap_or(NonZeroU64::MIN),
            max_connections_per_user: NonZeroUsize::new(8).unwrap_or(NonZeroUsize::MIN),
            heartbeat_seconds: NonZeroU64::new(15).unwrap_or(NonZeroU64::MIN),
        }
    }
}

impl LiveConfig {
    /// `poll_interval_ms` as a duration.
    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.poll_interval_ms.get())
    }

    /// `heartbeat_seconds` as a duration.
    pub fn heartbeat(&self) -> Duration {
        Duration::from_secs(self.heartbeat_seconds.get())
    }
}
