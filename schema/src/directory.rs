//! [`Directory`]: which backend serves which (user, source).
//!
//! The native store is the directory of accounts: `account()` on it lists an
//! account's sources, and its native source (named by the account's address)
//! is served by the native backend. Other backends (Zimbra, in a later issue)
//! are registered per user with [`Directory::with_source`]; a registered
//! source is served by its backend even when the native account does not list
//! it, and a user that exists only in registered sources still resolves.

use crate::source::SourceHandle;
use mailgate_backend::{Account, BackendError, ErrorKind, MailBackend, Principal, Source, SourceKind};
use std::collections::HashMap;
use std::sync::Arc;

/// A registered non-native source.
#[derive(Clone)]
struct Registered {
    name: String,
    backend: Arc<dyn MailBackend>,
}

/// Maps (username, source name) to the backend that serves it.
#[derive(Clone)]
pub struct Directory {
    native: Arc<dyn MailBackend>,
    /// Extra sources per username, in registration order.
    extra: HashMap<String, Vec<Registered>>,
}

/// An account with every source resolved to a backend.
#[derive(Debug, Clone)]
pub struct ResolvedAccount {
    /// The account as the directory knows it (sources merged).
    pub account: Account,
    /// One handle per source, in `account.sources` order.
    pub sources: Vec<Arc<SourceHandle>>,
}

impl ResolvedAccount {
    /// The source named `name`, or the primary source when `name` is `None`.
    pub fn source(&self, name: Option<&str>) -> Result<Arc<SourceHandle>, BackendError> {
        let found = match name {
            Some(name) => self.sources.iter().find(|s| s.name() == name),
            None => self.sources.iter().find(|s| s.source.primary).or(self.sources.first()),
        };
        found.cloned().ok_or_else(|| BackendError::not_found("no such source for this account"))
    }
}

impl Directory {
    /// A directory where every account lives in `native`.
    pub fn new(native: Arc<dyn MailBackend>) -> Self {
        Self { native, extra: HashMap::new() }
    }

    /// Registers a source of `username` served by `backend` (e.g. a Zimbra
    /// mailbox). Backend calls for it pass `username` as the account.
    #[must_use]
    pub fn with_source(
        mut self,
        username: impl Into<String>,
        source_name: impl Into<String>,
        backend: Arc<dyn MailBackend>,
    ) -> Self {
        let name = source_name.into();
        let list = self.extra.entry(username.into()).or_default();
        list.retain(|r| r.name != name);
        list.push(Registered { name, backend });
        self
    }

    /// The native backend.
    pub fn native(&self) -> &Arc<dyn MailBackend> {
        &self.native
    }

    /// Every extra source: (username, source name, backend).
    pub fn extra_sources(&self) -> impl Iterator<Item = (&str, &str, &Arc<dyn MailBackend>)> {
        self.extra
            .iter()
            .flat_map(|(user, list)| list.iter().map(move |r| (user.as_str(), r.name.as_str(), &r.backend)))
    }

    /// Looks the account up (one `account()` call to the native backend) and
    /// resolves each of its sources to a backend.
    pub async fn resolve(&self, who: &Principal, username: &str) -> Result<ResolvedAccount, BackendError> {
        let extra = self.extra.get(username).map(Vec::as_slice).unwrap_or(&[]);
        let mut account = match self.native.account(who, username).await {
            Ok(account) => account,
            // A user served only by registered sources has no native account.
            Err(err) if err.kind == ErrorKind::NotFound && !extra.is_empty() => {
                if !who.may_access(username) {
                    return Err(BackendError::forbidden("not your account"));
                }
                Account { username: username.to_owned(), display_name: username.to_owned(), sources: Vec::new() }
            }
            Err(err) => return Err(err),
        };
        for reg in extra {
            if !account.sources.iter().any(|s| s.name == reg.name) {
                let primary = account.sources.is_empty();
                account.sources.push(Source {
                    name: reg.name.clone(),
                    kind: kind_of(reg.backend.as_ref()),
                    primary,
                    read_only: false,
                });
            }
        }
        let sources = account
            .sources
            .iter()
            .filter_map(|source| {
                let backend = match extra.iter().find(|r| r.name == source.name) {
                    Some(reg) => reg.backend.clone(),
                    // Only native sources are served without registration; a
                    // listed legacy source with no backend is left out so that
                    // naming it is a clean NOT_FOUND.
                    None if source.kind == SourceKind::Native => self.native.clone(),
                    None => return None,
                };
                Some(Arc::new(SourceHandle { account: account.username.clone(), source: source.clone(), backend }))
            })
            .collect::<Vec<_>>();
        account.sources.retain(|s| sources.iter().any(|h| h.name() == s.name));
        Ok(ResolvedAccount { account, sources })
    }
}

/// The source kind a backend serves, from its metrics name.
fn kind_of(backend: &dyn MailBackend) -> SourceKind {
    match backend.kind() {
        "zimbra" => SourceKind::Zimbra,
        _ => SourceKind::Native,
    }
}
