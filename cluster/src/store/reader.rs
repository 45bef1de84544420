//! Reads over one redb read transaction of the state machine.
//!
//! A [`Reader`] sees one consistent version of the store. Ids that are not
//! numbers minted by this store, or that belong to another account, are
//! simply absent.

use super::order::{self, Scope};
use super::records::{AccountRec, ChangeRec, ThreadRec};
use super::search;
use super::tables::{self as tb, get_json, get_u64, id_key, id_of_key, prefix, str_key};
use mailgate_backend::{
    Account, BackendError, BlobId, Changes, Mailbox, MailboxId, Message, MessageId, MessageQuery, Page, SortKey, State,
    Thread, ThreadId,
};
use redb::{ReadOnlyTable, ReadTransaction, ReadableTable};
use std::collections::{BTreeSet, HashMap};
use std::io;

type R = ReadOnlyTable<&'static [u8], &'static [u8]>;

/// The tables of one read transaction.
pub struct Reader {
    accounts: R,
    mailboxes: R,
    messages: R,
    threads: R,
    changes: R,
    blob_refs: R,
    order: R,
    order_counts: R,
}

/// A read failed for a storage reason.
fn storage(e: io::Error) -> BackendError {
    BackendError::internal(format!("storage: {e}"))
}

impl Reader {
    /// Opens the tables of `txn`. The tables exist once the state machine has opened the database.
    pub fn new(txn: &ReadTransaction) -> io::Result<Self> {
        let o = |def| txn.open_table(def).map_err(tb::db_err);
        Ok(Self {
            accounts: o(tb::ACCOUNTS)?,
            mailboxes: o(tb::MAILBOXES)?,
            messages: o(tb::MESSAGES)?,
            threads: o(tb::THREADS)?,
            changes: o(tb::CHANGES)?,
            blob_refs: o(tb::BLOB_REFS)?,
            order: o(tb::ORDER)?,
            order_counts: o(tb::ORDER_COUNTS)?,
        })
    }

    fn account_rec(&self, account: &str) -> Result<AccountRec, BackendError> {
        get_json::<AccountRec>(&self.accounts, account.as_bytes())
            .map_err(storage)?
            .ok_or_else(|| BackendError::not_found(format!("no account {account}")))
    }

    /// The account and its sources.
    pub fn account(&self, account: &str) -> Result<Account, BackendError> {
        Ok(self.account_rec(account)?.account)
    }

    /// The account's current state.
    pub fn state(&self, account: &str) -> Result<State, BackendError> {
        Ok(State(self.account_rec(account)?.modseq.to_string()))
    }

    /// Every mailbox, in id order.
    pub fn mailboxes(&self, account: &str) -> Result<Vec<Mailbox>, BackendError> {
        self.account_rec(account)?;
        tb::scan_json(&self.mailboxes, &prefix(account)).map_err(storage)
    }

    fn message(&self, account: &str, id: &str) -> Result<Option<Message>, BackendError> {
        match id.parse::<u64>() {
            Ok(n) => get_json(&self.messages, &id_key(account, n)).map_err(storage),
            Err(_) => Ok(None),
        }
    }

    /// Messages by id; absent ids are left out.
    pub fn messages(&self, account: &str, ids: &[MessageId]) -> Result<HashMap<MessageId, Message>, BackendError> {
        self.account_rec(account)?;
        let mut out = HashMap::with_capacity(ids.len());
        for id in ids {
            if let Some(m) = self.message(account, id.as_str())? {
                out.insert(id.clone(), m);
            }
        }
        Ok(out)
    }

    /// One page of matching messages and the total.
    ///
    /// A date-sorted page with no filter (a mailbox aside) walks the ordering
    /// index and decodes only the page; anything else scans the account.
    pub fn query(&self, account: &str, q: &MessageQuery) -> Result<Page<Message>, BackendError> {
        if q.filter.is_none() && q.sort.key == SortKey::ReceivedAt {
            return self.query_by_date(account, q);
        }
        self.query_scan(account, q)
    }

    /// [`Self::query`] through the ordering index; same results as [`Self::query_scan`].
    pub fn query_by_date(&self, account: &str, q: &MessageQuery) -> Result<Page<Message>, BackendError> {
        self.account_rec(account)?;
        let scope = match &q.mailbox {
            None => Scope::All,
            Some(mb) => {
                // Only the exact id string a mailbox carries names it, as in the scan path.
                let found = match mb.as_str().parse::<u64>() {
                    Ok(n) => get_json::<Mailbox>(&self.mailboxes, &id_key(account, n))
                        .map_err(storage)?
                        .filter(|m| m.id == *mb)
                        .map(|_| n),
                    Err(_) => None,
                };
                Scope::Mailbox(found.ok_or_else(|| BackendError::not_found(format!("no mailbox {mb}")))?)
            }
        };
        let (ids, total) =
            order::page(&self.order, &self.order_counts, account, scope, q.sort.descending, q.offset, q.limit)
                .map_err(storage)?;
        let mut items = Vec::with_capacity(ids.len());
        for id in ids {
            let msg = get_json::<Message>(&self.messages, &id_key(account, id))
                .map_err(storage)?
                .ok_or_else(|| storage(tb::corrupt(&format!("ordering index names missing message {id}"))))?;
            items.push(msg);
        }
        Ok(Page { items, total })
    }

    /// [`Self::query`] by decoding, filtering and sorting every message of the account.
    pub fn query_scan(&self, account: &str, q: &MessageQuery) -> Result<Page<Message>, BackendError> {
        let boxes: HashMap<String, Mailbox> =
            self.mailboxes(account)?.into_iter().map(|m| (m.id.as_str().to_owned(), m)).collect();
        if let Some(mb) = &q.mailbox {
            if !boxes.contains_key(mb.as_str()) {
                return Err(BackendError::not_found(format!("no mailbox {mb}")));
            }
        }
        let all: Vec<Message> = tb::scan_json(&self.messages, &prefix(account)).map_err(storage)?;
        let mut hits: Vec<Message> = all
            .into_iter()
            .filter(|m| q.mailbox.as_ref().is_none_or(|mb| m.mailbox_ids.contains(mb)))
            .filter(|m| q.filter.as_ref().is_none_or(|f| search::matches(f, m, &boxes)))
            .collect();
        search::sort(&mut hits, q.sort);
        let total = hits.len();
        let items = hits.into_iter().skip(q.offset).take(q.limit).collect();
        Ok(Page { items, total })
    }

    /// Threads by id; absent ids are left out.
    pub fn threads(&self, account: &str, ids: &[ThreadId]) -> Result<HashMap<ThreadId, Thread>, BackendError> {
        self.account_rec(account)?;
        let mut out = HashMap::with_capacity(ids.len());
        for id in ids {
            let Ok(n) = id.as_str().parse::<u64>() else { continue };
            if let Some(rec) = get_json::<ThreadRec>(&self.threads, &id_key(account, n)).map_err(storage)? {
                let message_ids = rec.members.iter().map(|(_, m)| MessageId(m.to_string())).collect();
                out.insert(id.clone(), Thread { id: id.clone(), message_ids });
            }
        }
        Ok(out)
    }

    /// Whether one of the account's messages references the blob.
    pub fn owns_blob(&self, account: &str, blob: &BlobId) -> Result<bool, BackendError> {
        Ok(get_u64(&self.blob_refs, &str_key(account, blob.as_str())).map_err(storage)?.is_some())
    }

    /// What changed since `since` (JMAP `/changes`).
    pub fn changes(&self, account: &str, since: &State) -> Result<Changes, BackendError> {
        let current = self.account_rec(account)?.modseq;
        let since_n: u64 = since
            .as_str()
            .parse()
            .map_err(|_| BackendError::invalid(format!("not a state of this account: {since}")))?;
        if since_n > current {
            return Err(BackendError::invalid(format!("state {since} is newer than the current state {current}")));
        }
        let mut created = BTreeSet::new();
        let mut updated = BTreeSet::new();
        let mut destroyed = BTreeSet::new();
        let mut mb_created = BTreeSet::new();
        let mut mb_updated = BTreeSet::new();
        let mut mb_destroyed = BTreeSet::new();
        let start = id_key(account, since_n.saturating_add(1));
        let end = id_key(account, current);
        for item in self.changes.range(start.as_slice()..=end.as_slice()).map_err(|e| storage(tb::db_err(e)))? {
            let (k, v) = item.map_err(|e| storage(tb::db_err(e)))?;
            if id_of_key(k.value()).is_none() {
                continue;
            }
            let rec: ChangeRec = tb::from_json(v.value()).map_err(storage)?;
            merge(&mut created, &mut updated, &mut destroyed, &rec.created, &rec.updated, &rec.destroyed);
            merge(
                &mut mb_created,
                &mut mb_updated,
                &mut mb_destroyed,
                &rec.mailboxes_created,
                &rec.mailboxes_updated,
                &rec.mailboxes_destroyed,
            );
        }
        let msg = |s: BTreeSet<u64>| s.into_iter().map(|n| MessageId(n.to_string())).collect();
        let mbx = |s: BTreeSet<u64>| s.into_iter().map(|n| MailboxId(n.to_string())).collect();
        Ok(Changes {
            old_state: since.clone(),
            new_state: State(current.to_string()),
            created: msg(created),
            updated: msg(updated),
            destroyed: msg(destroyed),
            mailboxes_created: mbx(mb_created),
            mailboxes_updated: mbx(mb_updated),
            mailboxes_destroyed: mbx(mb_destroyed),
        })
    }
}

/// Folds one change record into the running sets: a thing created and then
/// destroyed within the window disappears; updates of created or destroyed
/// things are not reported separately.
fn merge(
    created: &mut BTreeSet<u64>,
    updated: &mut BTreeSet<u64>,
    destroyed: &mut BTreeSet<u64>,
    c: &[u64],
    u: &[u64],
    d: &[u64],
) {
    for id in c {
        created.insert(*id);
    }
    for id in u {
        if !created.contains(id) && !destroyed.contains(id) {
            updated.insert(*id);
        }
    }
    for id in d {
        updated.remove(id);
        if !created.remove(id) {
            destroyed.insert(*id);
        }
    }
}
