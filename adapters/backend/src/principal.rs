//! The authenticated caller, passed explicitly to every backend call.

use serde::{Deserialize, Serialize};

/// Who is asking. Built by the gateway from a verified token, never from
/// request arguments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    /// The caller's account name.
    pub username: String,
    /// Operators may act on any account (seeding, import, migration).
    pub admin: bool,
}

impl Principal {
    /// A regular user.
    pub fn user(username: impl Into<String>) -> Self {
        Self { username: username.into(), admin: false }
    }

    /// An operator: used by the CLI for seeding and imports.
    pub fn admin(username: impl Into<String>) -> Self {
        Self { username: username.into(), admin: true }
    }

    /// Whether this caller may read and write `account`'s mail.
    pub fn may_access(&self, account: &str) -> bool {
        self.admin || self.username == account
    }
}
