//! What can go wrong reading an import source, with the path or item it concerns.

use std::path::PathBuf;

/// An import failure. [`super::open_source`] fails with one when the source as
/// a whole cannot be read; the source's iterator yields one per bad item and
/// then goes on with the next item.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The path does not exist.
    #[error("{}: no such file or directory", path.display())]
    NotFound {
        /// The path given.
        path: PathBuf,
    },
    /// Reading a file or directory failed.
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The path is neither a Maildir, an mbox file, an `.eml` file nor a directory.
    #[error("{}: not a Maildir, mbox file, .eml file or directory of .eml files: {reason}", path.display())]
    Unrecognized {
        /// The path given.
        path: PathBuf,
        /// Why it was not recognized.
        reason: String,
    },
    /// One item does not look like an RFC 5322 message.
    #[error("{origin}: not an email message: {reason}")]
    NotAMessage {
        /// The file, or the mbox and offset, of the item.
        origin: String,
        /// What is wrong with it.
        reason: String,
    },
    /// One item is larger than [`super::MAX_MESSAGE_SIZE`]; it is skipped.
    #[error("{origin}: message of {size} bytes is larger than the {limit} byte limit")]
    TooLarge {
        /// The file, or the mbox and offset, of the item.
        origin: String,
        /// Its size in bytes (at least).
        size: u64,
        /// The limit.
        limit: u64,
    },
}

impl ImportError {
    /// An I/O error on `path`, with "not found" told apart.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        let path = path.into();
        if source.kind() == std::io::ErrorKind::NotFound {
            ImportError::NotFound { path }
        } else {
            ImportError::Io { path, source }
        }
    }
}
