//! The `[[zimbra_sources]]` of the configuration, turned into backends the
//! Directory serves: one Zimbra backend per entry, logged in lazily on first use.

use crate::config::ZimbraSourceEntry;
use crate::server::ExtraSource;
use anyhow::Context;
use mailgate_zimbra::{ZimbraBackend, ZimbraSourceConfig};
use std::path::Path;
use std::sync::Arc;

/// One [`ExtraSource`] per configured Zimbra mailbox; fails on an unreadable password file.
pub fn from_config(entries: &[ZimbraSourceEntry]) -> anyhow::Result<Vec<ExtraSource>> {
    let mut out = Vec::with_capacity(entries.len());
    for entry in entries {
        let password = read_password_file(&entry.password_file)
            .with_context(|| format!("zimbra source {} of {}", entry.account, entry.user))?;
        let backend = ZimbraBackend::new()?;
        backend.add_user(
            &entry.user,
            ZimbraSourceConfig { url: entry.url.clone(), account: entry.account.clone(), password },
        );
        out.push(ExtraSource {
            username: entry.user.clone(),
            source: entry.account.clone(),
            backend: Arc::new(backend),
        });
    }
    Ok(out)
}

/// The first line of `path`, which must not be empty.
pub fn read_password_file(path: &Path) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let password = text.lines().next().unwrap_or_default().trim_end_matches('\r').to_owned();
    if password.is_empty() {
        anyhow::bail!("{} holds no password on its first line", path.display());
    }
    Ok(password)
}
