//! [`Journal`]: what a migration already copied, one JSON line per message.
//!
//! The journal is a cache that lets a resumed migration skip downloads; it is
//! not what makes a migration safe to repeat. That is the store's request-id
//! deduplication: a message whose line was lost (a SIGKILL between the write
//! and the append) is sent again with the same request id and the store
//! answers with the message it already has. So lines are appended without
//! fsync, and a torn last line is ignored on load.

use anyhow::Context;
use mailgate_backend::MessageId;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

/// A message copied from the source into the native store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopiedMessage {
    /// Its id in the source.
    pub source_id: MessageId,
    /// Its id in the native store.
    pub native_id: MessageId,
    /// The sha256 (hex) of the raw bytes the source gave.
    pub sha256: String,
    /// Their length.
    pub size: u64,
}

/// The journal of one (user, source) migration.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    copied: HashMap<MessageId, CopiedMessage>,
}

impl Journal {
    /// Opens (or creates) the journal at `path`, reading what it holds.
    pub fn open(path: &Path) -> anyhow::Result<Journal> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let mut copied = HashMap::new();
        if path.exists() {
            let reader = BufReader::new(File::open(path).with_context(|| format!("cannot read {}", path.display()))?);
            for line in reader.lines() {
                let line = line.with_context(|| format!("cannot read {}", path.display()))?;
                // A torn last line (the process was killed mid-write) is skipped.
                if let Ok(c) = serde_json::from_str::<CopiedMessage>(&line) {
                    copied.insert(c.source_id.clone(), c);
                }
            }
        }
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        // Start on a fresh line if the last one was torn.
        if std::fs::metadata(path).map(|m| m.len() > 0).unwrap_or(false) && !ends_with_newline(path) {
            file.write_all(b"\n")?;
        }
        Ok(Journal { path: path.to_owned(), file, copied })
    }

    /// Where the journal lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The copy of `source_id`, if one was recorded.
    pub fn copied(&self, source_id: &MessageId) -> Option<&CopiedMessage> {
        self.copied.get(source_id)
    }

    /// How many messages are recorded as copied.
    pub fn len(&self) -> usize {
        self.copied.len()
    }

    /// Whether nothing was copied yet.
    pub fn is_empty(&self) -> bool {
        self.copied.is_empty()
    }

    /// Appends a copied message (and keeps it in memory).
    pub fn record(&mut self, copied: CopiedMessage) -> anyhow::Result<()> {
        let mut bytes = serde_json::to_vec(&copied)?;
        bytes.push(b'\n');
        self.file.write_all(&bytes).with_context(|| format!("cannot append to {}", self.path.display()))?;
        self.copied.insert(copied.source_id.clone(), copied);
        Ok(())
    }
}

fn ends_with_newline(path: &Path) -> bool {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut f) = File::open(path) else { return true };
    let mut last = [0u8; 1];
    f.seek(SeekFrom::End(-1)).and_then(|_| f.read_exact(&mut last)).map(|_| last[0] == b'\n').unwrap_or(true)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn copied(n: u32) -> CopiedMessage {
        CopiedMessage {
            source_id: MessageId(n.to_string()),
            native_id: MessageId(format!("n{n}")),
            sha256: "ab".repeat(32),
            size: 10,
        }
    }

    #[test]
    fn lines_survive_reopening_and_a_torn_tail_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m/j.jsonl");
        let mut j = Journal::open(&path).unwrap();
        j.record(copied(256)).unwrap();
        drop(j);
        // A kill in the middle of an append leaves half a line.
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(br#"{"source_id":"25"#).unwrap();
        drop(f);
        let mut j = Journal::open(&path).unwrap();
        assert_eq!(j.len(), 1);
        assert_eq!(j.copied(&MessageId("256".into())).unwrap().native_id, MessageId("n256".into()));
        j.record(copied(257)).unwrap();
        drop(j);
        let j = Journal::open(&path).unwrap();
        assert_eq!(j.len(), 2, "the line after the torn one is read");
    }
}
