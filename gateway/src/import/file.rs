//! Reading one message file (a Maildir entry or an `.eml` file) into an [`ImportItem`].

use super::sniff::{date_header_ms, not_a_message, strip_from_line};
use super::{ImportError, ImportItem, MAX_MESSAGE_SIZE};
use mailgate_backend::Flag;
use std::path::PathBuf;
use std::time::UNIX_EPOCH;

/// Where the arrival time of a file message comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Received {
    /// The file's modification time (Maildir delivery time).
    Mtime,
    /// The `Date:` header, else the modification time (`.eml`).
    DateHeader,
}

/// One message file to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MessageFile {
    pub path: PathBuf,
    pub flags: Vec<Flag>,
    pub received: Received,
}

impl MessageFile {
    /// Reads and checks the file.
    pub(crate) fn read(self) -> Result<ImportItem, ImportError> {
        let origin = self.path.display().to_string();
        let meta = std::fs::metadata(&self.path).map_err(|e| ImportError::io(&self.path, e))?;
        if !meta.is_file() {
            return Err(ImportError::NotAMessage { origin, reason: "it is not a regular file".to_owned() });
        }
        if meta.len() > MAX_MESSAGE_SIZE {
            return Err(ImportError::TooLarge { origin, size: meta.len(), limit: MAX_MESSAGE_SIZE });
        }
        let raw = std::fs::read(&self.path).map_err(|e| ImportError::io(&self.path, e))?;
        let body = strip_from_line(&raw);
        if let Some(reason) = not_a_message(body) {
            return Err(ImportError::NotAMessage { origin, reason });
        }
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .and_then(|d| i64::try_from(d.as_millis()).ok());
        let received_at = match self.received {
            Received::Mtime => mtime,
            Received::DateHeader => date_header_ms(body).or(mtime),
        };
        let raw = if body.len() == raw.len() { raw } else { body.to_vec() };
        Ok(ImportItem { raw, flags: self.flags, received_at, origin })
    }
}
