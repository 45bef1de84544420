//! Threads (conversations).

use crate::ids::{MessageId, ThreadId};
use serde::{Deserialize, Serialize};

/// A conversation: the ids of its messages, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thread {
    /// Backend id.
    pub id: ThreadId,
    /// Message ids in date order (oldest first).
    pub message_ids: Vec<MessageId>,
}
