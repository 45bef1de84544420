//! Applying one [`Command`] inside the state machine's write transaction.
//!
//! Everything here is deterministic: no clock, no randomness; ids come from
//! a counter in the `meta` table. Each operation validates before it writes,
//! so a request that fails leaves nothing behind. The outcome (success or
//! request error) is stored under the request id; a repeated request id
//! returns the stored outcome and changes nothing.
//!
//! Choices made here:
//! - Deleting a mailbox that has child mailboxes is refused (`Conflict`).
//! - A message losing its last mailbox (its mailbox was deleted) goes to Trash.
//! - Mailbox names are unique among siblings case-insensitively.
//! - A thread is ordered by `received_at`, ties by id.

use super::mime::{self, ParsedMessage};
use super::order::{self, OrderFields, OrderTables};
use super::records::{AccountRec, ChangeRec, ThreadRec};
use super::subject;
use super::tables::{self as tb, get_json, get_u64, id_key, str_key, to_json, u64_bytes};
use crate::blobs::BlobStore;
use crate::command::{ApplyError, Command};
use mailgate_backend::{
    Account, Attachment, BlobId, ChangeOutcome, Flag, Flags, MailChange, Mailbox, MailboxId, MailboxRole, Message,
    MessageId, Source, SourceKind, State, ThreadId,
};
use redb::{Table, WriteTransaction};
use std::io;

type T<'txn> = Table<'txn, &'static [u8], &'static [u8]>;

/// The state machine's tables, opened in one write transaction.
pub struct Tables<'txn> {
    /// `meta`
    pub meta: T<'txn>,
    accounts: T<'txn>,
    mailboxes: T<'txn>,
    messages: T<'txn>,
    threads: T<'txn>,
    thread_keys: T<'txn>,
    subjects: T<'txn>,
    requests: T<'txn>,
    changes: T<'txn>,
    blob_refs: T<'txn>,
    order: T<'txn>,
    order_counts: T<'txn>,
}

impl<'txn> Tables<'txn> {
    /// Opens (creating) every table.
    pub fn open(txn: &'txn WriteTransaction) -> io::Result<Self> {
        let o = |def| txn.open_table(def).map_err(tb::db_err);
        Ok(Self {
            meta: o(tb::META)?,
            accounts: o(tb::ACCOUNTS)?,
            mailboxes: o(tb::MAILBOXES)?,
            messages: o(tb::MESSAGES)?,
            threads: o(tb::THREADS)?,
            thread_keys: o(tb::THREAD_KEYS)?,
            subjects: o(tb::SUBJECTS)?,
            requests: o(tb::REQUESTS)?,
            changes: o(tb::CHANGES)?,
            blob_refs: o(tb::BLOB_REFS)?,
            order: o(tb::ORDER)?,
            order_counts: o(tb::ORDER_COUNTS)?,
        })
    }
}

fn put(t: &mut T<'_>, key: &[u8], value: &[u8]) -> io::Result<()> {
    t.insert(key, value).map_err(tb::db_err)?;
    Ok(())
}

fn del(t: &mut T<'_>, key: &[u8]) -> io::Result<()> {
    t.remove(key).map_err(tb::db_err)?;
    Ok(())
}

/// The outcome of a request, as stored for deduplication.
pub type Outcome = Result<ChangeOutcome, ApplyError>;

/// Applies `cmd`, or returns the stored outcome of its request id.
pub fn apply_command(t: &mut Tables<'_>, blobs: &BlobStore, cmd: &Command) -> io::Result<Outcome> {
    let req_key = str_key(&cmd.account, cmd.request.request_id.as_str());
    if let Some(stored) = get_json::<Outcome>(&t.requests, &req_key)? {
        return Ok(stored);
    }
    let mut ctx = Ctx { t, blobs, account: &cmd.account, delta: ChangeRec::default(), out: ChangeOutcome::default() };
    let outcome = match ctx.run(&cmd.request.change)? {
        Ok(()) => Ok(ctx.finish()?),
        Err(e) => Err(e),
    };
    put(&mut ctx.t.requests, &req_key, &to_json(&outcome)?)?;
    Ok(outcome)
}

struct Ctx<'a, 'txn> {
    t: &'a mut Tables<'txn>,
    blobs: &'a BlobStore,
    account: &'a str,
    delta: ChangeRec,
    out: ChangeOutcome,
}

type Step = io::Result<Result<(), ApplyError>>;

macro_rules! tri {
    ($e:expr) => {
        match $e? {
            Ok(v) => v,
            Err(err) => return Ok(Err(err)),
        }
    };
}

impl<'txn> Ctx<'_, 'txn> {
    fn run(&mut self, change: &MailChange) -> Step {
        match change {
            MailChange::CreateAccount { display_name, address, legacy } => {
                self.create_account(display_name, address, legacy.as_ref())
            }
            MailChange::Import { mailbox, raw, flags, received_at } => self.import(mailbox, raw, flags, *received_at),
            MailChange::SetFlags { ids, flags, value } => self.set_flags(ids, flags, *value),
            MailChange::Move { ids, to } => self.move_to(ids, to),
            MailChange::Delete { ids } => self.delete(ids),
            MailChange::CreateMailbox { name, parent } => self.create_mailbox(name, parent.as_ref()),
            MailChange::RenameMailbox { id, name } => self.rename_mailbox(id, name),
            MailChange::DeleteMailbox { id } => self.delete_mailbox(id),
            MailChange::SetSource { source } => self.set_source(source),
        }
    }

    /// Bumps the modseq if anything changed and fills in the state.
    fn finish(&mut self) -> io::Result<ChangeOutcome> {
        let key = self.account.as_bytes().to_vec();
        let mut out = std::mem::take(&mut self.out);
        if let Some(mut rec) = get_json::<AccountRec>(&self.t.accounts, &key)? {
            if !self.delta.is_empty() {
                rec.modseq += 1;
                put(&mut self.t.changes, &id_key(self.account, rec.modseq), &to_json(&self.delta)?)?;
                put(&mut self.t.accounts, &key, &to_json(&rec)?)?;
            }
            out.state = State(rec.modseq.to_string());
        }
        Ok(out)
    }

    fn next_id(&mut self) -> io::Result<u64> {
        let id = get_u64(&self.t.meta, b"next_id")?.unwrap_or(1);
        put(&mut self.t.meta, b"next_id", &u64_bytes(id + 1))?;
        Ok(id)
    }

    fn account_exists(&self) -> io::Result<Result<(), ApplyError>> {
        Ok(match tb::get_raw(&self.t.accounts, self.account.as_bytes())? {
            Some(_) => Ok(()),
            None => Err(ApplyError::not_found(format!("no account {}", self.account))),
        })
    }

    fn mailbox(&self, id: &MailboxId) -> io::Result<Option<Mailbox>> {
        match id.as_str().parse::<u64>() {
            Ok(n) => get_json(&self.t.mailboxes, &id_key(self.account, n)),
            Err(_) => Ok(None),
        }
    }

    fn need_mailbox(&self, id: &MailboxId) -> io::Result<Result<Mailbox, ApplyError>> {
        Ok(self.mailbox(id)?.ok_or_else(|| ApplyError::not_found(format!("no mailbox {id}"))))
    }

    fn all_mailboxes(&self) -> io::Result<Vec<Mailbox>> {
        tb::scan_json(&self.t.mailboxes, &tb::prefix(self.account))
    }

    fn role_mailbox(&self, role: MailboxRole) -> io::Result<Result<Mailbox, ApplyError>> {
        Ok(self
            .all_mailboxes()?
            .into_iter()
            .find(|m| m.role == Some(role))
            .ok_or_else(|| ApplyError::not_found(format!("account has no {} mailbox", role.as_str()))))
    }

    fn save_mailbox(&mut self, m: &Mailbox) -> io::Result<()> {
        let n = num(m.id.as_str());
        put(&mut self.t.mailboxes, &id_key(self.account, n), &to_json(m)?)
    }

    fn message(&self, id: &MessageId) -> io::Result<Option<Message>> {
        match id.as_str().parse::<u64>() {
            Ok(n) => get_json(&self.t.messages, &id_key(self.account, n)),
            Err(_) => Ok(None),
        }
    }

    fn order(&mut self) -> OrderTables<'_, 'txn> {
        OrderTables { order: &mut self.t.order, counts: &mut self.t.order_counts }
    }

    /// Moves `old` (if any) to `new`'s (if any) place in the ordering index.
    fn reindex(&mut self, old: Option<&Message>, new: Option<&Message>) -> io::Result<()> {
        let account = self.account;
        if let Some(m) = old {
            self.order().remove(account, &OrderFields::from(m))?;
        }
        if let Some(m) = new {
            self.order().add(account, &OrderFields::from(m))?;
        }
        Ok(())
    }

    fn save_message(&mut self, m: &Message) -> io::Result<()> {
        put(&mut self.t.messages, &id_key(self.account, num(m.id.as_str())), &to_json(m)?)
    }

    /// Adds (`sign = 1`) or removes (`-1`) a message's contribution to its mailboxes' counts.
    fn count(&mut self, msg: &Message, sign: i64) -> io::Result<()> {
        for id in &msg.mailbox_ids {
            if let Some(mut mb) = self.mailbox(id)? {
                mb.total = add(mb.total, sign);
                if !msg.flags.seen {
                    mb.unread = add(mb.unread, sign);
                }
                self.save_mailbox(&mb)?;
                ChangeRec::note(&mut self.delta.mailboxes_updated, num(id.as_str()));
            }
        }
        Ok(())
    }

    fn blob_ref(&mut self, blob: &str, sign: i64) -> io::Result<()> {
        let key = str_key(self.account, blob);
        let n = get_u64(&self.t.blob_refs, &key)?.unwrap_or(0);
        let n = if sign > 0 { n + 1 } else { n.saturating_sub(1) };
        if n == 0 {
            del(&mut self.t.blob_refs, &key)
        } else {
            put(&mut self.t.blob_refs, &key, &u64_bytes(n))
        }
    }

    fn create_account(&mut self, display_name: &str, address: &str, legacy: Option<&Source>) -> Step {
        if tb::get_raw(&self.t.accounts, self.account.as_bytes())?.is_some() {
            return Ok(Ok(()));
        }
        let native = Source { name: address.to_owned(), kind: SourceKind::Native, primary: true, read_only: false };
        let sources = match legacy {
            Some(legacy) if legacy.name == address => {
                return Ok(Err(ApplyError::invalid("the legacy source needs a name other than the native address")));
            }
            Some(legacy) => {
                vec![Source { primary: false, ..native }, Source { primary: true, read_only: false, ..legacy.clone() }]
            }
            None => vec![native],
        };
        let rec = AccountRec {
            account: Account { username: self.account.to_owned(), display_name: display_name.to_owned(), sources },
            modseq: 0,
        };
        put(&mut self.t.accounts, self.account.as_bytes(), &to_json(&rec)?)?;
        for role in MailboxRole::ALL {
            let id = self.next_id()?;
            let mb = Mailbox {
                id: MailboxId(id.to_string()),
                name: role.default_name().to_owned(),
                parent_id: None,
                role: Some(role),
                total: 0,
                unread: 0,
            };
            self.save_mailbox(&mb)?;
            self.delta.mailboxes_created.push(id);
        }
        Ok(Ok(()))
    }

    fn set_source(&mut self, source: &Source) -> Step {
        if source.name.trim().is_empty() {
            return Ok(Err(ApplyError::invalid("a source needs a name")));
        }
        let key = self.account.as_bytes().to_vec();
        let Some(mut rec) = get_json::<AccountRec>(&self.t.accounts, &key)? else {
            return Ok(Err(ApplyError::not_found(format!("no account {}", self.account))));
        };
        let sources = &mut rec.account.sources;
        if source.primary {
            for other in sources.iter_mut() {
                other.primary = false;
            }
        }
        match sources.iter_mut().find(|s| s.name == source.name) {
            Some(existing) => *existing = source.clone(),
            None => sources.push(source.clone()),
        }
        // Requests that name no source must still have somewhere to go.
        if !sources.iter().any(|s| s.primary) {
            return Ok(Err(ApplyError::conflict("an account needs a primary source: set another one primary")));
        }
        put(&mut self.t.accounts, &key, &to_json(&rec)?)?;
        Ok(Ok(()))
    }

    fn import(&mut self, mailbox: &MailboxId, raw: &[u8], flags: &[Flag], received_at: Option<i64>) -> Step {
        tri!(self.account_exists());
        let mb = tri!(self.need_mailbox(mailbox));
        let parsed = mime::parse(raw);
        let raw_blob = self.blobs.put(raw)?;
        let mut attachments = Vec::with_capacity(parsed.attachments.len());
        for a in &parsed.attachments {
            let blob = self.blobs.put(&a.content)?;
            attachments.push(Attachment {
                part_id: a.part_id.clone(),
                filename: a.filename.clone(),
                content_type: a.content_type.clone(),
                size: a.content.len() as u64,
                disposition: a.disposition.clone(),
                content_id: a.content_id.clone(),
                blob_id: BlobId(blob),
            });
        }
        let id = self.next_id()?;
        let thread = match self.find_thread(&parsed)? {
            Some(t) => t,
            None => self.next_id()?,
        };
        let received_at = received_at.or(parsed.sent_at).unwrap_or(0);
        let ParsedMessage {
            sent_at,
            message_id_header,
            in_reply_to,
            references,
            addresses,
            subject: subj,
            preview,
            text_body,
            html_body,
            headers,
            attachments: _,
        } = parsed;
        let msg = Message {
            id: MessageId(id.to_string()),
            account: self.account.to_owned(),
            thread_id: ThreadId(thread.to_string()),
            mailbox_ids: vec![mb.id.clone()],
            flags: Flags::from_list(flags),
            size: raw.len() as u64,
            received_at,
            sent_at,
            message_id_header,
            in_reply_to,
            references,
            addresses,
            subject: subj,
            preview,
            text_body,
            html_body,
            headers,
            attachments,
            raw_blob: BlobId(raw_blob),
        };
        self.index_thread(&msg, thread)?;
        self.blob_ref(msg.raw_blob.as_str(), 1)?;
        for a in &msg.attachments {
            self.blob_ref(a.blob_id.as_str(), 1)?;
        }
        self.count(&msg, 1)?;
        self.reindex(None, Some(&msg))?;
        self.save_message(&msg)?;
        self.delta.created.push(id);
        self.out.messages.push(msg.id.clone());
        Ok(Ok(()))
    }

    fn thread_exists(&self, thread: u64) -> io::Result<bool> {
        Ok(tb::get_raw(&self.t.threads, &id_key(self.account, thread))?.is_some())
    }

    /// The threading rule of [`super::subject`].
    fn find_thread(&self, p: &ParsedMessage) -> io::Result<Option<u64>> {
        let keys = p.message_id_header.iter().chain(p.in_reply_to.iter()).chain(p.references.iter().rev());
        for k in keys {
            if let Some(t) = get_u64(&self.t.thread_keys, &str_key(self.account, k))? {
                if self.thread_exists(t)? {
                    return Ok(Some(t));
                }
            }
        }
        let norm = subject::normalize(&p.subject);
        let replyish = subject::has_reply_prefix(&p.subject) || !p.in_reply_to.is_empty() || !p.references.is_empty();
        if !norm.is_empty() && replyish {
            if let Some(t) = get_u64(&self.t.subjects, &str_key(self.account, &norm))? {
                if self.thread_exists(t)? {
                    return Ok(Some(t));
                }
            }
        }
        Ok(None)
    }

    fn index_thread(&mut self, msg: &Message, thread: u64) -> io::Result<()> {
        let tkey = id_key(self.account, thread);
        let mut rec: ThreadRec = get_json(&self.t.threads, &tkey)?.unwrap_or_default();
        rec.insert(msg.received_at, num(msg.id.as_str()));
        put(&mut self.t.threads, &tkey, &to_json(&rec)?)?;
        let keys = msg.message_id_header.iter().chain(msg.in_reply_to.iter()).chain(msg.references.iter());
        for k in keys {
            let key = str_key(self.account, k);
            let current = get_u64(&self.t.thread_keys, &key)?;
            let stale = match current {
                Some(t) => !self.thread_exists(t)?,
                None => true,
            };
            if stale {
                put(&mut self.t.thread_keys, &key, &u64_bytes(thread))?;
            }
        }
        let norm = subject::normalize(&msg.subject);
        if !norm.is_empty() {
            put(&mut self.t.subjects, &str_key(self.account, &norm), &u64_bytes(thread))?;
        }
        Ok(())
    }

    fn set_flags(&mut self, ids: &[MessageId], flags: &[Flag], value: bool) -> Step {
        tri!(self.account_exists());
        for id in ids {
            let Some(mut msg) = self.message(id)? else {
                self.out.not_found.push(id.clone());
                continue;
            };
            let before = msg.flags;
            for f in flags {
                msg.flags.set(*f, value);
            }
            if msg.flags != before {
                if before.seen != msg.flags.seen {
                    let mut old = msg.clone();
                    old.flags = before;
                    self.count(&old, -1)?;
                    self.count(&msg, 1)?;
                }
                self.save_message(&msg)?;
                ChangeRec::note(&mut self.delta.updated, num(id.as_str()));
            }
            self.out.messages.push(msg.id.clone());
        }
        Ok(Ok(()))
    }

    fn relocate(&mut self, mut msg: Message, to: &MailboxId) -> io::Result<()> {
        if msg.mailbox_ids.len() == 1 && msg.mailbox_ids[0] == *to {
            return Ok(());
        }
        self.count(&msg, -1)?;
        self.reindex(Some(&msg), None)?;
        msg.mailbox_ids = vec![to.clone()];
        self.count(&msg, 1)?;
        self.reindex(None, Some(&msg))?;
        self.save_message(&msg)?;
        ChangeRec::note(&mut self.delta.updated, num(msg.id.as_str()));
        Ok(())
    }

    fn move_to(&mut self, ids: &[MessageId], to: &MailboxId) -> Step {
        tri!(self.account_exists());
        let to = tri!(self.need_mailbox(to)).id;
        for id in ids {
            match self.message(id)? {
                Some(msg) => {
                    self.relocate(msg, &to)?;
                    self.out.messages.push(id.clone());
                }
                None => self.out.not_found.push(id.clone()),
            }
        }
        Ok(Ok(()))
    }

    fn delete(&mut self, ids: &[MessageId]) -> Step {
        tri!(self.account_exists());
        let trash = tri!(self.role_mailbox(MailboxRole::Trash)).id;
        for id in ids {
            let Some(msg) = self.message(id)? else {
                self.out.not_found.push(id.clone());
                continue;
            };
            if msg.mailbox_ids.contains(&trash) {
                self.destroy(msg)?;
                self.out.destroyed.push(id.clone());
            } else {
                self.relocate(msg, &trash)?;
                self.out.messages.push(id.clone());
            }
        }
        Ok(Ok(()))
    }

    fn destroy(&mut self, msg: Message) -> io::Result<()> {
        let id = num(msg.id.as_str());
        self.count(&msg, -1)?;
        self.reindex(Some(&msg), None)?;
        del(&mut self.t.messages, &id_key(self.account, id))?;
        let tkey = id_key(self.account, num(msg.thread_id.as_str()));
        if let Some(mut rec) = get_json::<ThreadRec>(&self.t.threads, &tkey)? {
            rec.remove(id);
            if rec.members.is_empty() {
                del(&mut self.t.threads, &tkey)?;
            } else {
                put(&mut self.t.threads, &tkey, &to_json(&rec)?)?;
            }
        }
        self.blob_ref(msg.raw_blob.as_str(), -1)?;
        for a in &msg.attachments {
            self.blob_ref(a.blob_id.as_str(), -1)?;
        }
        self.delta.created.retain(|c| *c != id);
        self.delta.updated.retain(|c| *c != id);
        ChangeRec::note(&mut self.delta.destroyed, id);
        Ok(())
    }

    fn check_name(&self, name: &str, parent: Option<&MailboxId>, except: Option<&MailboxId>) -> Step {
        let name = name.trim();
        if name.is_empty() {
            return Ok(Err(ApplyError::invalid("mailbox name must not be empty")));
        }
        if name.chars().any(char::is_control) {
            return Ok(Err(ApplyError::invalid("mailbox name must not contain control characters")));
        }
        let clash = self
            .all_mailboxes()?
            .into_iter()
            .any(|m| m.parent_id.as_ref() == parent && Some(&m.id) != except && m.name.eq_ignore_ascii_case(name));
        if clash {
            return Ok(Err(ApplyError::conflict(format!("a sibling mailbox is already named {name}"))));
        }
        Ok(Ok(()))
    }

    fn create_mailbox(&mut self, name: &str, parent: Option<&MailboxId>) -> Step {
        tri!(self.account_exists());
        if let Some(p) = parent {
            tri!(self.need_mailbox(p));
        }
        tri!(self.check_name(name, parent, None));
        let id = self.next_id()?;
        let mb = Mailbox {
            id: MailboxId(id.to_string()),
            name: name.trim().to_owned(),
            parent_id: parent.cloned(),
            role: None,
            total: 0,
            unread: 0,
        };
        self.save_mailbox(&mb)?;
        self.delta.mailboxes_created.push(id);
        self.out.mailbox = Some(mb.id);
        Ok(Ok(()))
    }

    fn rename_mailbox(&mut self, id: &MailboxId, name: &str) -> Step {
        tri!(self.account_exists());
        let mut mb = tri!(self.need_mailbox(id));
        if mb.role.is_some() {
            return Ok(Err(ApplyError::conflict("system mailboxes cannot be renamed")));
        }
        tri!(self.check_name(name, mb.parent_id.as_ref(), Some(id)));
        mb.name = name.trim().to_owned();
        self.save_mailbox(&mb)?;
        ChangeRec::note(&mut self.delta.mailboxes_updated, num(id.as_str()));
        self.out.mailbox = Some(mb.id);
        Ok(Ok(()))
    }

    fn delete_mailbox(&mut self, id: &MailboxId) -> Step {
        tri!(self.account_exists());
        let mb = tri!(self.need_mailbox(id));
        if mb.role.is_some() {
            return Ok(Err(ApplyError::conflict("system mailboxes cannot be deleted")));
        }
        if self.all_mailboxes()?.iter().any(|m| m.parent_id.as_ref() == Some(id)) {
            return Ok(Err(ApplyError::conflict("delete the child mailboxes first")));
        }
        let trash = tri!(self.role_mailbox(MailboxRole::Trash)).id;
        // The stored id, not the caller's spelling of it, is what messages list.
        let id = &mb.id;
        let n = num(id.as_str());
        // The mailbox's own index range names its messages: no scan of the account.
        let (mut member_ids, _) = order::page(
            &self.t.order,
            &self.t.order_counts,
            self.account,
            order::Scope::Mailbox(n),
            false,
            0,
            usize::MAX,
        )?;
        // Id order, as the account scan used to visit them, keeps the change record identical.
        member_ids.sort_unstable();
        for mid in member_ids {
            let Some(msg) = get_json::<Message>(&self.t.messages, &id_key(self.account, mid))? else {
                return Err(tb::corrupt(&format!("ordering index names missing message {mid}")));
            };
            if !msg.mailbox_ids.contains(id) {
                continue;
            }
            self.count(&msg, -1)?;
            let mut moved = msg.clone();
            moved.mailbox_ids.retain(|m| m != id);
            if moved.mailbox_ids.is_empty() {
                moved.mailbox_ids.push(trash.clone());
            }
            self.count(&moved, 1)?;
            self.reindex(Some(&msg), Some(&moved))?;
            self.save_message(&moved)?;
            ChangeRec::note(&mut self.delta.updated, num(moved.id.as_str()));
        }
        del(&mut self.t.mailboxes, &id_key(self.account, n))?;
        self.delta.mailboxes_updated.retain(|m| *m != n);
        ChangeRec::note(&mut self.delta.mailboxes_destroyed, n);
        self.out.mailbox = Some(mb.id);
        Ok(Ok(()))
    }
}

/// The number inside an id this store minted (0 for foreign ids, which never reach here).
fn num(id: &str) -> u64 {
    id.parse().unwrap_or(0)
}

fn add(n: u32, sign: i64) -> u32 {
    if sign >= 0 {
        n.saturating_add(1)
    } else {
        n.saturating_sub(1)
    }
}
