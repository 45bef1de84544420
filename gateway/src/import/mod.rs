//! Readers for `mailgate import --user U PATH`: Maildir, mbox and `.eml`.
//!
//! [`open_source`] recognizes the path and returns an [`ImportSource`], an
//! iterator of [`ImportItem`]s (raw message, flags, arrival time, origin).
//! Sources are streamed: an mbox is read line by line, Maildir and `.eml`
//! files one file at a time, so memory holds one message whatever the size
//! of the source. A bad item (not a message, too large, unreadable) comes
//! out as an `Err` naming its file or mbox offset, and the next item follows.

mod eml;
mod error;
mod file;
mod item;
mod maildir;
mod mbox;
mod sniff;
mod source;

#[cfg(test)]
mod tests;

pub use error::ImportError;
pub use item::ImportItem;
pub use source::{open_source, ImportSource, SourceKind};

/// The largest message an import accepts, in bytes (64 MiB); larger items are
/// reported as [`ImportError::TooLarge`] and skipped.
pub const MAX_MESSAGE_SIZE: u64 = 64 * 1024 * 1024;
