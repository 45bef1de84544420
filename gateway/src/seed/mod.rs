//! A deterministic, realistic demo dataset for `mailgate demo`.
//!
//! Three accounts (`alewisohn`, `jdoe`, `mfisher`) with about a hundred days
//! of mail from 2026-01-05: threads between them and outside correspondents,
//! newsletters, receipts with PDFs, meeting invitations, spam, drafts, nested
//! user folders, non-ASCII names and subjects (RFC 2047), and attachments
//! from 1 KiB to 5 MiB. Every byte comes from one seeded generator and a fixed
//! base date, never the clock, so two runs give identical data.
//!
//! ```
//! let data = mailgate_gateway::seed::demo_dataset();
//! // Create the accounts, then each user folder (`folder.path` under `folder.account`),
//! // then import every message into `message.folder`, as `demo_seed` does.
//! assert_eq!(data.accounts.len(), 3);
//! assert!(data.folders.iter().all(|f| !f.path.is_empty()));
//! assert!(data.len() >= 1500);
//! let first = data.message(0).map(|m| m.raw.len()).unwrap_or(0);
//! assert!(first > 0);
//! ```

mod account;
mod attachment;
mod body;
mod dataset;
mod folder;
mod ics;
mod message;
mod pdf;
mod plan;
mod png;
mod render;
pub mod zimbra;

#[cfg(test)]
mod tests;

pub use account::DemoAccount;
pub use dataset::DemoDataset;
pub use folder::{DemoFolder, FolderRef};
pub use message::DemoMessage;

/// The demo dataset (planning is cheap; message bytes are made as they are read).
pub fn demo_dataset() -> DemoDataset {
    DemoDataset::new()
}
