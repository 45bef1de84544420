//! How to reach one Zimbra mailbox.

use std::time::Duration;

/// One Zimbra source: the server, the account and its password.
#[derive(Debug, Clone)]
pub struct ZimbraSourceConfig {
    /// Base URL of the mailbox server, e.g. `http://127.0.0.1:7070` (no trailing `/service`).
    pub url: String,
    /// The Zimbra account name (an address).
    pub account: String,
    /// Its password.
    pub password: String,
}

/// Client limits shared by every source of a backend.
#[derive(Debug, Clone)]
pub struct ClientLimits {
    /// Timeout of one HTTP exchange.
    pub timeout: Duration,
    /// The largest SOAP reply we read; bigger replies are refused while streaming.
    pub max_reply_bytes: usize,
    /// The largest blob (raw message or attachment) we read whole.
    pub max_blob_bytes: usize,
    /// Extra attempts for reads that failed with a transient error.
    pub read_retries: u32,
    /// The first backoff; it doubles per attempt.
    pub backoff: Duration,
    /// Fetch each message with its own SOAP call (a search for ids, then one
    /// GetMsgRequest per hit) instead of one BatchRequest per page: what
    /// GraphQL Mesh's SOAP handler does. Only the benchmark's baseline sets it.
    pub one_call_per_message: bool,
}

impl Default for ClientLimits {
    fn default() -> Self {
        ClientLimits {
            timeout: Duration::from_secs(30),
            max_reply_bytes: 32 << 20,
            max_blob_bytes: 64 << 20,
            read_retries: 2,
            backoff: Duration::from_millis(50),
            one_call_per_message: false,
        }
    }
}
