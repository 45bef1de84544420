//! [`ImportSource`]: a recognized source and the iterator over its messages.

use super::file::MessageFile;
use super::mbox::MboxReader;
use super::{eml, maildir, ImportError, ImportItem};
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

/// The kinds of source `mailgate import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceKind {
    /// A directory with `cur/` and `new/`.
    Maildir,
    /// An mbox file (mboxo or mboxrd).
    Mbox,
    /// One `.eml` file.
    Eml,
    /// A directory of `.eml` files, searched recursively.
    EmlDir,
}

impl SourceKind {
    /// A short lowercase name for messages (`maildir`, `mbox`, `eml`, `eml-dir`).
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Maildir => "maildir",
            SourceKind::Mbox => "mbox",
            SourceKind::Eml => "eml",
            SourceKind::EmlDir => "eml-dir",
        }
    }
}

enum Items {
    Files(std::vec::IntoIter<MessageFile>),
    Mbox(Box<MboxReader<BufReader<File>>>),
}

/// An opened import source. Iterating yields one `Result` per message:
/// a bad item is an `Err` and iteration goes on with the next one.
pub struct ImportSource {
    kind: SourceKind,
    path: PathBuf,
    len_hint: Option<usize>,
    items: Items,
}

impl std::fmt::Debug for ImportSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportSource")
            .field("kind", &self.kind)
            .field("path", &self.path)
            .field("len_hint", &self.len_hint)
            .finish_non_exhaustive()
    }
}

impl ImportSource {
    pub(crate) fn files(kind: SourceKind, path: &Path, files: Vec<MessageFile>) -> Self {
        Self { kind, path: path.to_path_buf(), len_hint: Some(files.len()), items: Items::Files(files.into_iter()) }
    }

    pub(crate) fn mbox(path: &Path, file: File) -> Self {
        let reader = MboxReader::new(BufReader::with_capacity(256 * 1024, file), path);
        Self { kind: SourceKind::Mbox, path: path.to_path_buf(), len_hint: None, items: Items::Mbox(Box::new(reader)) }
    }

    /// What kind of source this is.
    pub fn kind(&self) -> SourceKind {
        self.kind
    }

    /// The path it was opened from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How many items the source holds, when known without reading them
    /// (Maildir and `.eml`: yes; mbox: `None`). Counts bad items too.
    pub fn len_hint(&self) -> Option<usize> {
        self.len_hint
    }
}

impl Iterator for ImportSource {
    type Item = Result<ImportItem, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.items {
            Items::Files(files) => files.next().map(MessageFile::read),
            Items::Mbox(reader) => reader.next(),
        }
    }
}

/// Recognizes `path` and opens it for reading:
/// - a directory with `cur/` and `new/` is a Maildir;
/// - any other directory is a directory of `.eml` files (read recursively);
/// - a file named `*.eml` is one message;
/// - a file named `*.mbox`/`*.mbx`, starting with `From `, or empty, is an mbox;
/// - any other file is one message.
pub fn open_source(path: &Path) -> Result<ImportSource, ImportError> {
    let meta = std::fs::metadata(path).map_err(|e| ImportError::io(path, e))?;
    if meta.is_dir() {
        return if maildir::is_maildir(path) {
            Ok(ImportSource::files(SourceKind::Maildir, path, maildir::list(path)?))
        } else {
            Ok(ImportSource::files(SourceKind::EmlDir, path, eml::walk(path)?))
        };
    }
    if !meta.is_file() {
        return Err(ImportError::Unrecognized {
            path: path.to_path_buf(),
            reason: "it is neither a regular file nor a directory".to_owned(),
        });
    }
    let extension = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    if extension == "eml" {
        return Ok(ImportSource::files(SourceKind::Eml, path, eml::single(path)));
    }
    let mut file = File::open(path).map_err(|e| ImportError::io(path, e))?;
    let mut head = [0u8; 5];
    let mut read = 0;
    while read < head.len() {
        let n = std::io::Read::read(&mut file, &mut head[read..]).map_err(|e| ImportError::io(path, e))?;
        if n == 0 {
            break;
        }
        read += n;
    }
    let is_mbox = &head[..read] == b"From " || read == 0 || matches!(extension.as_str(), "mbox" | "mbx");
    if is_mbox {
        let file = File::open(path).map_err(|e| ImportError::io(path, e))?;
        Ok(ImportSource::mbox(path, file))
    } else {
        Ok(ImportSource::files(SourceKind::Eml, path, eml::single(path)))
    }
}
