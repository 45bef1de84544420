//! One demo message as it is imported into one account.

use super::FolderRef;
use mailgate_backend::Flag;

/// One message in one account's folder. A mail between two demo users
/// appears twice: in the sender's Sent and in the recipient's Inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoMessage {
    /// The owning account's username.
    pub account: String,
    /// The folder to import into.
    pub folder: FolderRef,
    /// The raw RFC 5322 message.
    pub raw: Vec<u8>,
    /// Flags to set.
    pub flags: Vec<Flag>,
    /// Arrival time in milliseconds since the Unix epoch.
    pub received_at: i64,
}
