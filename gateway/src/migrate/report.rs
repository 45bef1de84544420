//! [`Report`]: the verification at the end of a migration, per folder and per message.

use mailgate_backend::MessageId;
use serde::Serialize;
use std::fmt;

/// Counts of one source folder.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FolderCounts {
    /// The source folder's path.
    pub path: String,
    /// Messages the source reports in it.
    pub source: u64,
    /// Messages listed from it and found in the native store, in the mapped folder, with equal bytes and flags.
    pub verified: u64,
}

/// One message's check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageCheck {
    /// Its id in the source.
    pub source_id: MessageId,
    /// Its id in the native store, when it was copied.
    pub native_id: Option<MessageId>,
    /// sha256 of the raw bytes the source gave.
    pub source_sha256: Option<String>,
    /// sha256 of the raw bytes the native store holds.
    pub native_sha256: Option<String>,
    /// Empty when the message is verified; else what is wrong.
    pub problem: Option<String>,
}

/// The verification report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// The user migrated.
    pub user: String,
    /// The source's name.
    pub source: String,
    /// Per source folder, in the source's order.
    pub folders: Vec<FolderCounts>,
    /// Per message, in the source's date order.
    pub messages: Vec<MessageCheck>,
    /// Flag or folder differences found (changed at the source after the
    /// copy) and corrected in the native store before checking.
    pub reconciled: u64,
}

impl Report {
    /// Messages with a problem.
    pub fn mismatches(&self) -> impl Iterator<Item = &MessageCheck> {
        self.messages.iter().filter(|m| m.problem.is_some())
    }

    /// Folders whose counts differ.
    pub fn folder_mismatches(&self) -> impl Iterator<Item = &FolderCounts> {
        self.folders.iter().filter(|f| f.source != f.verified)
    }

    /// Whether everything matched.
    pub fn is_clean(&self) -> bool {
        self.mismatches().next().is_none() && self.folder_mismatches().next().is_none()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "verification of {} from {}", self.user, self.source)?;
        let width = self.folders.iter().map(|c| c.path.chars().count()).max().unwrap_or(6).max(6);
        writeln!(f, "  {:<width$}  {:>8}  {:>8}", "folder", "source", "verified")?;
        for c in &self.folders {
            let flag = if c.source == c.verified { "" } else { "  MISMATCH" };
            writeln!(f, "  {:<width$}  {:>8}  {:>8}{flag}", c.path, c.source, c.verified)?;
        }
        let checked = self.messages.len();
        let equal = self.messages.iter().filter(|m| m.problem.is_none()).count();
        writeln!(
            f,
            "  messages: {checked} checked, {equal} with equal sha256, flags and folder; {} reconciled; {} mismatches",
            self.reconciled,
            checked - equal
        )?;
        for m in self.mismatches().take(20) {
            writeln!(f, "  MISMATCH message {}: {}", m.source_id, m.problem.as_deref().unwrap_or_default())?;
        }
        if checked - equal > 20 {
            writeln!(f, "  ... and {} more", checked - equal - 20)?;
        }
        Ok(())
    }
}
