//! Loading the demo dataset ([`crate::seed`]) into a backend through the
//! normal write path: accounts, folders, then every message as an import.
//!
//! Request ids are derived from the dataset position, so an interrupted seed
//! resumes without duplicates; a marker file records completion.

use crate::mailbox_path;
use crate::seed::{demo_dataset, FolderRef};
use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use mailgate_backend::{ChangeRequest, MailBackend, MailChange, MailboxId, Principal, RequestId};
use std::collections::HashMap;
use std::path::Path;

/// The demo users, in the order their tokens are printed.
pub const DEMO_USERS: [&str; 3] = ["alewisohn", "jdoe", "mfisher"];

/// Written into the data directory once seeding has finished.
const MARKER_FILE: &str = "demo-seeded";

/// Seeds the demo dataset unless `data_dir` says it already was.
pub async fn seed_once(backend: &dyn MailBackend, data_dir: &Path) -> anyhow::Result<()> {
    let marker = data_dir.join(MARKER_FILE);
    if marker.exists() {
        return Ok(());
    }
    seed(backend).await?;
    std::fs::write(&marker, b"seeded\n").with_context(|| format!("cannot write {}", marker.display()))?;
    Ok(())
}

/// Writes the whole dataset; safe to repeat (every write is deduplicated by request id).
pub async fn seed(backend: &dyn MailBackend) -> anyhow::Result<()> {
    let who = Principal::admin("demo-seed");
    let data = demo_dataset();
    for account in &data.accounts {
        let request = ChangeRequest {
            request_id: RequestId(format!("demo-seed:account:{}", account.username)),
            change: MailChange::CreateAccount {
                display_name: account.display_name.clone(),
                address: account.address.clone(),
                legacy: None,
            },
        };
        backend.apply(&who, &account.username, request).await?;
    }
    let mut folders: HashMap<(String, FolderRef), MailboxId> = HashMap::new();
    for folder in &data.folders {
        let id = mailbox_path::ensure(backend, &who, &folder.account, &folder.path.join("/")).await?;
        folders.insert((folder.account.clone(), FolderRef::Path(folder.path.clone())), id);
    }

    let progress = ProgressBar::new(data.len() as u64);
    progress.set_style(
        ProgressStyle::with_template("seeding demo data {bar:40} {pos}/{len} messages {per_sec}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    for (index, message) in data.messages().enumerate() {
        let key = (message.account.clone(), message.folder.clone());
        let mailbox = match folders.get(&key) {
            Some(id) => id.clone(),
            None => {
                let path = match &message.folder {
                    FolderRef::Role(role) => role.as_str().to_owned(),
                    FolderRef::Path(path) => path.join("/"),
                };
                let id = mailbox_path::ensure(backend, &who, &message.account, &path).await?;
                folders.insert(key, id.clone());
                id
            }
        };
        let request = ChangeRequest {
            request_id: RequestId(format!("demo-seed:message:{index}")),
            change: MailChange::Import {
                mailbox,
                raw: message.raw,
                flags: message.flags,
                received_at: Some(message.received_at),
            },
        };
        backend
            .apply(&who, &message.account, request)
            .await
            .with_context(|| format!("seeding message {index} of {}", message.account))?;
        progress.inc(1);
    }
    progress.finish_and_clear();
    Ok(())
}
