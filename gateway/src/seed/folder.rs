//! Where a demo message lives: a system mailbox (by role) or a user folder (by path).

use mailgate_backend::MailboxRole;

/// A folder of a demo account.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FolderRef {
    /// The system mailbox with this role (created with the account).
    Role(MailboxRole),
    /// A user folder, named by the names from the top level down,
    /// e.g. `["Projects", "Apollo"]`.
    Path(Vec<String>),
}

impl FolderRef {
    /// A user folder from a `/`-separated path, e.g. `"Projects/Apollo"`.
    pub fn path(path: &str) -> Self {
        FolderRef::Path(path.split('/').map(str::to_owned).collect())
    }

    /// The folder as a `/`-separated path; system mailboxes use their default name.
    pub fn display(&self) -> String {
        match self {
            FolderRef::Role(role) => role.default_name().to_owned(),
            FolderRef::Path(path) => path.join("/"),
        }
    }
}

/// A user folder to create before importing messages into it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DemoFolder {
    /// The owning account's username.
    pub account: String,
    /// The folder's path of names; the parent path is listed before it in
    /// [`super::DemoDataset::folders`].
    pub path: Vec<String>,
}

/// User folders every demo account has, parents first.
pub(crate) const USER_FOLDERS: &[&str] =
    &["Projects", "Projects/Apollo", "Projects/Hermes", "Receipts", "Receipts/2026", "Newsletters"];

/// Leaf folders that hold messages.
pub(crate) const APOLLO: &str = "Projects/Apollo";
pub(crate) const HERMES: &str = "Projects/Hermes";
pub(crate) const RECEIPTS: &str = "Receipts/2026";
pub(crate) const NEWSLETTERS: &str = "Newsletters";
