//! Maildir sources: the messages in `new/` and `cur/`, with flags from the
//! file name's info suffix (`:2,FRS`).
//!
//! Only the given Maildir is read, not Maildir++ subfolders (`.Sent/` ...):
//! import each of those with its own command and `--mailbox`.

use super::file::{MessageFile, Received};
use super::ImportError;
use mailgate_backend::Flag;
use std::path::Path;

/// Whether `dir` looks like a Maildir (has `cur/` and `new/`).
pub(crate) fn is_maildir(dir: &Path) -> bool {
    dir.join("cur").is_dir() && dir.join("new").is_dir()
}

/// Flags from a Maildir file name: the letters after `:2,` (or `!2,`, as
/// some Windows tools write). `S` seen, `F` flagged, `R` answered,
/// `P` forwarded ("passed"), `D` draft; others (`T` trashed, lowercase
/// keywords) are ignored.
pub(crate) fn flags_from_name(name: &str) -> Vec<Flag> {
    let info = name.rsplit_once(":2,").or_else(|| name.rsplit_once("!2,")).map(|(_, info)| info);
    let mut flags = Vec::new();
    for c in info.unwrap_or_default().chars() {
        let flag = match c {
            'S' => Flag::Seen,
            'F' => Flag::Flagged,
            'R' => Flag::Answered,
            'P' => Flag::Forwarded,
            'D' => Flag::Draft,
            _ => continue,
        };
        if !flags.contains(&flag) {
            flags.push(flag);
        }
    }
    flags
}

/// The message files of a Maildir: `new/` then `cur/`, each sorted by name.
/// Messages in `new/` are unseen whatever their name says.
pub(crate) fn list(dir: &Path) -> Result<Vec<MessageFile>, ImportError> {
    let mut files = Vec::new();
    for sub in ["new", "cur"] {
        let sub_dir = dir.join(sub);
        let entries = std::fs::read_dir(&sub_dir).map_err(|e| ImportError::io(&sub_dir, e))?;
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| ImportError::io(&sub_dir, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            names.push((name, entry.path()));
        }
        names.sort();
        for (name, path) in names {
            let mut flags = flags_from_name(&name);
            if sub == "new" {
                flags.retain(|f| *f != Flag::Seen);
            }
            files.push(MessageFile { path, flags, received: Received::Mtime });
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_info_flags() {
        assert_eq!(flags_from_name("1700000000.M1P2.host:2,FRS"), vec![Flag::Flagged, Flag::Answered, Flag::Seen]);
        assert_eq!(flags_from_name("1700000000.M1P2.host,S=1234:2,DPT"), vec![Flag::Draft, Flag::Forwarded]);
        assert_eq!(flags_from_name("1700000000.M1P2.host:2,Sab"), vec![Flag::Seen]);
        assert_eq!(flags_from_name("1700000000.M1P2.host!2,S"), vec![Flag::Seen]);
        assert!(flags_from_name("1700000000.M1P2.host").is_empty());
        assert!(flags_from_name("1700000000.M1P2.host:2,").is_empty());
    }
}
