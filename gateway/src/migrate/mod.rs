//! Live migration of one user's legacy mailbox (a Zimbra source) into the
//! native store, without a flag day.
//!
//! Phases, each safe to interrupt and run again:
//! 1. **prepare**: the native account exists and lists the legacy source;
//!    an account created here lists it as primary in the same write, so the
//!    user keeps being served from it while mail is copied.
//! 2. **folders** ([`FolderMap`]): the folder tree, parents first.
//! 3. **copy**: every message as raw MIME with its flags and arrival date,
//!    oldest first (so mail arriving meanwhile lands at the end of the
//!    listing), with request id `migrate:{source}:{item}`: the store
//!    deduplicates, so a resumed run never stores a message twice. The
//!    [`Journal`] only spares downloads.
//! 4. **verify** ([`Report`]): every listed message is in the native store, in
//!    the mapped folder, with the same flags (differences made at the source
//!    since the copy are reconciled first) and a raw sha256 equal to the
//!    source's; counts per folder equal the source's.
//! 5. **cutover**: the legacy source is marked read-only, anything that
//!    arrived since is copied and verified, and then one write makes the
//!    native source primary. A failed check undoes the read-only mark.

mod folders;
mod journal;
mod progress;
mod report;

pub use folders::FolderMap;
pub use journal::{CopiedMessage, Journal};
pub use progress::Progress;
pub use report::{FolderCounts, MessageCheck, Report};

use anyhow::{anyhow, Context};
use futures::StreamExt;
use mailgate_backend::{
    Account, BlobId, ChangeRequest, ErrorKind, Flag, Flags, MailBackend, MailChange, MailboxId, Message, MessageId,
    MessageQuery, Principal, RequestId, Sort, SortKey, Source, SourceKind,
};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The largest raw message copied (the store's own limit).
const MAX_RAW: u64 = mailgate_cluster::MAX_RAW_MESSAGE as u64;
/// Messages verified per round trip (raw bytes are held for a batch at once).
const VERIFY_BATCH: usize = 25;

/// What to migrate and how.
#[derive(Debug, Clone)]
pub struct MigrationPlan {
    /// The user, as both backends know it.
    pub user: String,
    /// The address naming the native source if the account must be created.
    pub native_address: String,
    /// Switch the user to the native store when verification is clean.
    pub cutover: bool,
    /// Messages listed per source query.
    pub page_size: usize,
    /// Messages copied at once.
    pub concurrency: usize,
}

/// How a run ended.
#[derive(Debug)]
pub struct MigrationOutcome {
    /// The last verification.
    pub report: Report,
    /// Whether the native source is now primary and the legacy one read-only.
    pub cut_over: bool,
    /// Messages and bytes this run copied (not those of earlier runs).
    pub copied: u64,
    /// Bytes this run copied.
    pub bytes: u64,
    /// Wall time of the run, seconds.
    pub seconds: f64,
}

/// One message as the source lists it: what the copy and the check need.
#[derive(Debug, Clone)]
struct Listed {
    id: MessageId,
    mailbox: MailboxId,
    flags: Flags,
    received_at: i64,
    raw_blob: BlobId,
}

impl From<&Message> for Listed {
    fn from(m: &Message) -> Self {
        Listed {
            id: m.id.clone(),
            mailbox: m.mailbox_ids.first().cloned().unwrap_or_default(),
            flags: m.flags,
            received_at: m.received_at,
            raw_blob: m.raw_blob.clone(),
        }
    }
}

/// Runs one migration from `source` (the legacy backend) into `target` (native).
pub struct Migrator<'a> {
    source: &'a dyn MailBackend,
    target: &'a dyn MailBackend,
    plan: MigrationPlan,
    who: Principal,
    journal: Journal,
    progress: Progress,
}

impl<'a> Migrator<'a> {
    /// A migrator recording into `journal`.
    pub fn new(
        source: &'a dyn MailBackend,
        target: &'a dyn MailBackend,
        plan: MigrationPlan,
        journal: Journal,
        progress: Progress,
    ) -> Self {
        Migrator { source, target, plan, who: Principal::admin("migrate"), journal, progress }
    }

    /// Runs every phase; see the module documentation.
    pub async fn run(mut self) -> anyhow::Result<MigrationOutcome> {
        let user = self.plan.user.clone();
        let legacy = self.source.account(&self.who, &user).await.context("cannot reach the source")?;
        let legacy = legacy.primary_source().cloned().ok_or_else(|| anyhow!("the source lists no mailbox"))?;
        let account = self.prepare(&legacy).await?;
        let source_boxes = self.source.mailboxes(&self.who, &user).await?;
        let folders = FolderMap::build(self.target, &self.who, &user, &legacy.name, &source_boxes).await?;
        let listed = self.copy(&legacy.name, &folders).await?;
        let mut report = self.verify(&legacy.name, &folders, &listed).await?;
        let mut cut_over = false;
        if report.is_clean() && self.plan.cutover {
            let stored = account_source(self.target, &self.who, &user, &legacy.name).await?;
            // Read-only first: from here on no write through us reaches the
            // legacy source, so the last copy below is complete.
            self.set_source(Source { read_only: true, ..stored.clone() }).await?;
            let folders = FolderMap::build(
                self.target,
                &self.who,
                &user,
                &legacy.name,
                &self.source.mailboxes(&self.who, &user).await?,
            )
            .await?;
            let listed = self.copy(&legacy.name, &folders).await?;
            let reconciled = report.reconciled;
            report = self.verify(&legacy.name, &folders, &listed).await?;
            report.reconciled += reconciled;
            if report.is_clean() {
                let native = account
                    .sources
                    .iter()
                    .find(|s| s.kind == SourceKind::Native)
                    .cloned()
                    .ok_or_else(|| anyhow!("the native account has no native source"))?;
                self.set_source(Source { primary: true, read_only: false, ..native }).await?;
                cut_over = true;
            } else {
                self.set_source(Source { read_only: false, ..stored }).await?;
            }
        }
        let progress = &self.progress;
        Ok(MigrationOutcome {
            report,
            cut_over,
            copied: progress.messages(),
            bytes: progress.bytes(),
            seconds: progress.seconds(),
        })
    }

    /// The journal's file, for messages to the operator.
    pub fn journal_path(&self) -> &std::path::Path {
        self.journal.path()
    }

    /// Makes sure the native account exists and lists the legacy source.
    async fn prepare(&mut self, legacy: &Source) -> anyhow::Result<Account> {
        let user = self.plan.user.clone();
        let existing = match self.target.account(&self.who, &user).await {
            Ok(account) => Some(account),
            Err(err) if err.kind == ErrorKind::NotFound => None,
            Err(err) => return Err(err).context("cannot read the native account"),
        };
        let account = match existing {
            Some(account) => account,
            None => {
                // One write creates the account with the legacy source as
                // primary: the user is never served an empty native mailbox.
                let legacy = Source { primary: true, read_only: false, ..legacy.clone() };
                let create = MailChange::CreateAccount {
                    display_name: user.clone(),
                    address: self.plan.native_address.clone(),
                    legacy: Some(legacy),
                };
                self.apply(format!("create-account:{user}"), create).await?;
                self.target.account(&self.who, &user).await?
            }
        };
        if !account.sources.iter().any(|s| s.name == legacy.name) {
            // The user already had native mail: the legacy source joins beside it.
            self.set_source(Source { name: legacy.name.clone(), kind: legacy.kind, primary: false, read_only: false })
                .await?;
        }
        Ok(self.target.account(&self.who, &user).await?)
    }

    /// Copies every listed message not in the journal; returns the listing.
    async fn copy(&mut self, source_name: &str, folders: &FolderMap) -> anyhow::Result<Vec<Listed>> {
        let mut listed: Vec<Listed> = Vec::new();
        let mut failed: Vec<Listed> = Vec::new();
        let mut offset = 0;
        let sort = Sort { key: SortKey::ReceivedAt, descending: false };
        loop {
            let query = MessageQuery { mailbox: None, filter: None, sort, offset, limit: self.plan.page_size };
            let page = self.source.query(&self.who, &self.plan.user, &query).await.context("cannot list the source")?;
            self.progress.set_total(page.total as u64);
            if page.items.is_empty() {
                break;
            }
            offset += page.items.len();
            let page: Vec<Listed> = page.items.iter().map(Listed::from).collect();
            let todo: Vec<Listed> = page.iter().filter(|m| self.journal.copied(&m.id).is_none()).cloned().collect();
            self.progress.skip((page.len() - todo.len()) as u64);
            failed.extend(self.copy_all(source_name, folders, todo).await?);
            listed.extend(page);
        }
        // A second chance, one at a time, for what failed (a write that timed
        // out during an election, a source hiccup); what fails again is left
        // to verification and the next run.
        if !failed.is_empty() {
            self.progress.println(format!("retrying {} messages that failed", failed.len()));
            for m in failed {
                self.copy_all(source_name, folders, vec![m]).await?;
            }
        }
        Ok(listed)
    }

    /// Copies `todo`, `concurrency` at a time, journaling each success; returns the failures.
    async fn copy_all(
        &mut self,
        source_name: &str,
        folders: &FolderMap,
        todo: Vec<Listed>,
    ) -> anyhow::Result<Vec<Listed>> {
        let (source, target, who, user) = (self.source, self.target, &self.who, self.plan.user.as_str());
        let mut copies = futures::stream::iter(todo.into_iter().map(|m| {
            let mailbox = folders.native(&m.mailbox).cloned();
            async move {
                let result = copy_one(source, target, who, user, source_name, mailbox, m.clone()).await;
                (m, result)
            }
        }))
        .buffered(self.plan.concurrency.max(1));
        let mut failed = Vec::new();
        while let Some((m, result)) = copies.next().await {
            match result {
                Ok(copied) => {
                    let size = copied.size;
                    self.journal.record(copied)?;
                    self.progress.copied(size);
                }
                Err(err) => {
                    self.progress.println(format!("copy failed: {err:#}"));
                    failed.push(m);
                }
            }
        }
        Ok(failed)
    }

    /// Checks every listed message; reconciles flags and folders first.
    async fn verify(&mut self, source_name: &str, folders: &FolderMap, listed: &[Listed]) -> anyhow::Result<Report> {
        let mut report = Report { user: self.plan.user.clone(), source: source_name.to_owned(), ..Report::default() };
        let mut verified: HashMap<MailboxId, u64> = HashMap::new();
        for batch in listed.chunks(VERIFY_BATCH) {
            let copies: Vec<Option<CopiedMessage>> =
                batch.iter().map(|m| self.journal.copied(&m.id).cloned()).collect();
            let ids: Vec<MessageId> = copies.iter().flatten().map(|c| c.native_id.clone()).collect();
            let natives = self.target.messages(&self.who, &self.plan.user, &ids).await?;
            report.reconciled += self.reconcile(batch, &copies, &natives, folders).await?;
            let natives = self.target.messages(&self.who, &self.plan.user, &ids).await?;
            let blobs: Vec<BlobId> = natives.values().map(|m| m.raw_blob.clone()).collect();
            let raws = self.target.blobs(&self.who, &self.plan.user, &blobs, MAX_RAW).await?;
            for (m, copy) in batch.iter().zip(copies) {
                let mut check = MessageCheck {
                    source_id: m.id.clone(),
                    native_id: copy.as_ref().map(|c| c.native_id.clone()),
                    source_sha256: copy.as_ref().map(|c| c.sha256.clone()),
                    native_sha256: None,
                    problem: None,
                };
                let native = copy.as_ref().and_then(|c| natives.get(&c.native_id));
                check.native_sha256 = native.and_then(|n| raws.get(&n.raw_blob)).map(|raw| sha256_hex(raw));
                check.problem = match (&copy, native) {
                    (None, _) => Some("not copied".to_owned()),
                    (Some(_), None) => Some("missing from the native store".to_owned()),
                    (Some(_), Some(n)) => {
                        let mapped = folders.native(&m.mailbox);
                        if check.native_sha256.is_none() {
                            Some("the native store has no raw bytes for it".to_owned())
                        } else if check.native_sha256 != check.source_sha256 {
                            Some("raw bytes differ (sha256)".to_owned())
                        } else if mapped.is_none_or(|f| !n.mailbox_ids.contains(f)) {
                            Some(format!("not in the folder mapped from {}", folders.path(&m.mailbox)))
                        } else if n.flags != m.flags {
                            Some("flags differ".to_owned())
                        } else {
                            None
                        }
                    }
                };
                if check.problem.is_none() {
                    *verified.entry(m.mailbox.clone()).or_default() += 1;
                }
                report.messages.push(check);
            }
        }
        let mut seen = std::collections::HashSet::new();
        for m in listed {
            if seen.insert(m.mailbox.clone()) {
                report.folders.push(FolderCounts {
                    path: folders.path(&m.mailbox),
                    source: folders.source_totals.get(&m.mailbox).copied().unwrap_or(0),
                    verified: verified.get(&m.mailbox).copied().unwrap_or(0),
                });
            }
        }
        report.folders.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(report)
    }

    /// Applies flag and folder changes the source made after a message was
    /// copied; returns how many messages were corrected.
    async fn reconcile(
        &self,
        batch: &[Listed],
        copies: &[Option<CopiedMessage>],
        natives: &HashMap<MessageId, Message>,
        folders: &FolderMap,
    ) -> anyhow::Result<u64> {
        let mut moves: HashMap<MailboxId, Vec<MessageId>> = HashMap::new();
        let mut flag_sets: HashMap<(Flag, bool), Vec<MessageId>> = HashMap::new();
        let mut touched = std::collections::HashSet::new();
        for (m, copy) in batch.iter().zip(copies) {
            let Some(native) = copy.as_ref().and_then(|c| natives.get(&c.native_id)) else { continue };
            if let Some(folder) = folders.native(&m.mailbox) {
                if !native.mailbox_ids.contains(folder) {
                    moves.entry(folder.clone()).or_default().push(native.id.clone());
                    touched.insert(native.id.clone());
                }
            }
            for flag in Flag::ALL {
                if native.flags.get(flag) != m.flags.get(flag) {
                    flag_sets.entry((flag, m.flags.get(flag))).or_default().push(native.id.clone());
                    touched.insert(native.id.clone());
                }
            }
        }
        for (to, ids) in moves {
            self.apply(uuid::Uuid::new_v4().to_string(), MailChange::Move { ids, to }).await?;
        }
        for ((flag, value), ids) in flag_sets {
            self.apply(uuid::Uuid::new_v4().to_string(), MailChange::SetFlags { ids, flags: vec![flag], value })
                .await?;
        }
        Ok(touched.len() as u64)
    }

    async fn set_source(&self, source: Source) -> anyhow::Result<()> {
        // A fresh request id: setting a source is idempotent by itself, and a
        // later run may need to set it back.
        self.apply(uuid::Uuid::new_v4().to_string(), MailChange::SetSource { source }).await
    }

    async fn apply(&self, request_id: String, change: MailChange) -> anyhow::Result<()> {
        let request = ChangeRequest { request_id: RequestId(request_id), change };
        self.target.apply(&self.who, &self.plan.user, request).await?;
        Ok(())
    }
}

/// Downloads one message's raw bytes and imports them.
async fn copy_one(
    source: &dyn MailBackend,
    target: &dyn MailBackend,
    who: &Principal,
    user: &str,
    source_name: &str,
    mailbox: Option<MailboxId>,
    m: Listed,
) -> anyhow::Result<CopiedMessage> {
    let mailbox = mailbox.ok_or_else(|| anyhow!("message {}: its folder {} was not mapped", m.id, m.mailbox))?;
    let mut raws = source.blobs(who, user, std::slice::from_ref(&m.raw_blob), MAX_RAW).await?;
    let raw = raws
        .remove(&m.raw_blob)
        .ok_or_else(|| anyhow!("message {}: the source gave no raw bytes (gone, or over {MAX_RAW} bytes)", m.id))?;
    let sha256 = sha256_hex(&raw);
    let size = raw.len() as u64;
    let request = ChangeRequest {
        request_id: RequestId(format!("migrate:{source_name}:{}", m.id)),
        change: MailChange::Import { mailbox, raw, flags: m.flags.to_list(), received_at: Some(m.received_at) },
    };
    let outcome = target.apply(who, user, request).await.with_context(|| format!("message {}", m.id))?;
    let native_id =
        outcome.messages.into_iter().next().ok_or_else(|| anyhow!("message {}: the store returned no id", m.id))?;
    Ok(CopiedMessage { source_id: m.id, native_id, sha256, size })
}

/// The account's listing of the source `name`.
async fn account_source(target: &dyn MailBackend, who: &Principal, user: &str, name: &str) -> anyhow::Result<Source> {
    let account = target.account(who, user).await?;
    account.sources.into_iter().find(|s| s.name == name).ok_or_else(|| anyhow!("the account does not list {name}"))
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
