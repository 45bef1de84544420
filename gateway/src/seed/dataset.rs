//! The demo dataset: accounts, folders, and messages rendered one at a time.

use super::account::demo_accounts;
use super::folder::USER_FOLDERS;
use super::plan::{plan, Plan};
use super::render::render;
use super::{DemoAccount, DemoFolder, DemoMessage};

/// The demo dataset. Messages are planned up front (cheap) and rendered on
/// demand, so memory stays bounded even with multi-MiB attachments.
#[derive(Debug, Clone)]
pub struct DemoDataset {
    /// The accounts to create, with their native addresses.
    pub accounts: Vec<DemoAccount>,
    /// The user folders to create, per account, parents before children.
    /// System mailboxes (Inbox, Sent, ...) come with the account.
    pub folders: Vec<DemoFolder>,
    plan: Plan,
}

impl DemoDataset {
    pub(crate) fn new() -> Self {
        let accounts = demo_accounts();
        let folders = accounts
            .iter()
            .flat_map(|a| {
                USER_FOLDERS.iter().map(|path| DemoFolder {
                    account: a.username.clone(),
                    path: path.split('/').map(str::to_owned).collect(),
                })
            })
            .collect();
        Self { accounts, folders, plan: plan() }
    }

    /// How many messages the dataset holds (a mail between two demo users counts once per account).
    pub fn len(&self) -> usize {
        self.plan.copies.len()
    }

    /// Whether the dataset has no messages (never true).
    pub fn is_empty(&self) -> bool {
        self.plan.copies.is_empty()
    }

    /// The `i`-th message, in arrival order; `None` past the end.
    pub fn message(&self, i: usize) -> Option<DemoMessage> {
        let copy = self.plan.copies.get(i)?;
        let account = self.accounts.get(copy.account)?;
        Some(DemoMessage {
            account: account.username.clone(),
            folder: copy.folder.clone(),
            raw: render(&self.plan.mails, copy.mail),
            flags: copy.flags.clone(),
            received_at: copy.received_at,
        })
    }

    /// Every message, in arrival order, rendered as the iterator advances.
    pub fn messages(&self) -> impl Iterator<Item = DemoMessage> + '_ {
        (0..self.len()).filter_map(|i| self.message(i))
    }
}
