//! One message read from an import source.

use mailgate_backend::Flag;

/// One message to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportItem {
    /// The raw RFC 5322 message (mbox `>From ` quoting undone, From_ line removed).
    pub raw: Vec<u8>,
    /// Flags from the source (Maildir info suffix); empty for mbox and `.eml`.
    pub flags: Vec<Flag>,
    /// Arrival time in milliseconds since the epoch, when the source tells it:
    /// Maildir file mtime; mbox From_ line date, else the `Date:` header;
    /// `.eml` `Date:` header, else file mtime.
    pub received_at: Option<i64>,
    /// Where it came from, for messages to the user: a file path, or
    /// `mbox-path: message N at byte B`. Stable across runs.
    pub origin: String,
}
