//! `.eml` sources: one file, or every file under a directory (recursively).
//!
//! In a directory every regular, non-hidden file is an item, in path order;
//! a file that is not a message (a README, a picture) is reported as a bad
//! item rather than silently dropped, so nothing goes missing unnoticed.

use super::file::{MessageFile, Received};
use super::ImportError;
use std::path::{Path, PathBuf};

/// A single `.eml` file.
pub(crate) fn single(path: &Path) -> Vec<MessageFile> {
    vec![MessageFile { path: path.to_path_buf(), flags: Vec::new(), received: Received::DateHeader }]
}

/// Every non-hidden file under `dir`, sorted by path. Symbolic links to
/// directories are not followed (no cycles).
pub(crate) fn walk(dir: &Path) -> Result<Vec<MessageFile>, ImportError> {
    let mut files = Vec::new();
    let mut pending: Vec<PathBuf> = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let entries = std::fs::read_dir(&current).map_err(|e| ImportError::io(&current, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| ImportError::io(&current, e))?;
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let kind = entry.file_type().map_err(|e| ImportError::io(entry.path(), e))?;
            if kind.is_dir() {
                pending.push(entry.path());
            } else if kind.is_file() || (kind.is_symlink() && entry.path().is_file()) {
                files.push(entry.path());
            }
        }
    }
    files.sort();
    Ok(files.into_iter().map(|path| MessageFile { path, flags: Vec::new(), received: Received::DateHeader }).collect())
}
