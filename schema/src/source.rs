//! [`SourceHandle`]: one resolved (account, source) pair with its backend.

use mailgate_backend::{MailBackend, Source};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// One source of one account, resolved to the backend that serves it.
///
/// Handles are the part of every DataLoader key that says where to go; they
/// compare and hash by (account, source name) only, so that keys built from
/// different lookups of the same source batch together.
#[derive(Clone)]
pub struct SourceHandle {
    /// The account (username) passed to every backend call.
    pub account: String,
    /// The source as the account lists it.
    pub source: Source,
    /// The backend that serves it.
    pub backend: Arc<dyn MailBackend>,
}

impl SourceHandle {
    /// The source's name (its address).
    pub fn name(&self) -> &str {
        &self.source.name
    }
}

impl PartialEq for SourceHandle {
    fn eq(&self, other: &Self) -> bool {
        self.account == other.account && self.source.name == other.source.name
    }
}

impl Eq for SourceHandle {}

impl Hash for SourceHandle {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.account.hash(state);
        self.source.name.hash(state);
    }
}

impl fmt::Debug for SourceHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceHandle")
            .field("account", &self.account)
            .field("source", &self.source.name)
            .field("backend", &self.backend.kind())
            .finish()
    }
}
