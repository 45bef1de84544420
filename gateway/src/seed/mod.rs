//! A deterministic, realistic demo dataset for `mailgate demo`.
//!
//! Three accounts (`alewisohn`, `jdoe`, `mfisher`) with about a hundred days
//! of mail from 2026-01-05: threads between them and outside correspondents,
//! newsletters, receipts with PDFs, meeting invitations, spam, drafts, nested
//! user folders, non-ASCII names and subjects (RFC 2047), and attachments
//! from 1 KiB to 5 MiB. Every byte comes from one seeded generator and a fixed
//! base date, never the clock, so two runs give identical data.
//!
//! ```ignore
//! let data = mailgate_gateway::seed::demo_dataset();
//! for account in &data.accounts { /* create it */ }
//! for folder in &data.folders { /* create folder.path under folder.account */ }
//! for message in data.messages() { /* import message.raw into message.folder */ }
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
