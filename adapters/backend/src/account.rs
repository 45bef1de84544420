//! Accounts and their sources.

use serde::{Deserialize, Serialize};

/// A user of the platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// The login name, e.g. `alewisohn`.
    pub username: String,
    /// A human name for display.
    pub display_name: String,
    /// Where the account's mail lives; exactly one is primary.
    pub sources: Vec<Source>,
}

impl Account {
    /// The source that serves when a request names none.
    pub fn primary_source(&self) -> Option<&Source> {
        self.sources.iter().find(|s| s.primary).or(self.sources.first())
    }
}

/// One mailbox of an account in some backend, named by its address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The source's name: its email address, e.g. `andy.lewisohn@postlight.com`.
    pub name: String,
    /// Which kind of backend serves it.
    pub kind: SourceKind,
    /// Whether requests that name no source go here.
    pub primary: bool,
    /// Set on a legacy source after its mail migrated away.
    pub read_only: bool,
}

/// The kinds of backend a source can live in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SourceKind {
    /// The replicated Mailgate cluster.
    Native,
    /// A Zimbra mailbox server reached over SOAP.
    Zimbra,
}

impl SourceKind {
    /// A stable lowercase name, used in ids and metric labels.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Native => "native",
            SourceKind::Zimbra => "zimbra",
        }
    }
}
