//! The date-ordering index: lets a page of the newest (or oldest) messages of an
//! account or of one mailbox cost O(offset + limit) instead of O(account).
//!
//! Table [`ORDER`](super::tables::ORDER): `account \0 scope received_at id` → empty, where
//! - `scope` is `*` (every message of the account) or `m` + mailbox id (u64 BE),
//! - `received_at` is the i64 with its sign bit flipped, big-endian, so that
//!   byte order is numeric order (negative times included),
//! - `id` is the message id, u64 BE.
//!
//! Byte order is therefore exactly the scan path's order in
//! [`search::sort`](super::search::sort) for `SortKey::ReceivedAt`: date, then
//! numeric id; walking backwards gives the descending order with ties by id
//! descending, just as the scan path reverses its comparator.
//!
//! Table [`ORDER_COUNTS`](super::tables::ORDER_COUNTS): `account \0 scope` → number of
//! entries (u64 BE), so a page's total costs one lookup rather than a count.
//!
//! Both are derived from `messages` alone and maintained in `apply`; a data
//! directory written before the index existed is indexed on open (see
//! [`ensure`], keyed by the schema version in `meta`).

use super::tables::{self as tb, get_u64, prefix, u64_bytes};
use mailgate_backend::{MailboxId, Message, MessageId};
use redb::{ReadableTable, Table, WriteTransaction};
use serde::Deserialize;
use std::io;

/// The schema version this code writes; stored in `meta` under [`SCHEMA_KEY`].
/// Version 1 added the ordering index.
pub const SCHEMA_VERSION: u64 = 1;
/// The `meta` key of the schema version.
pub const SCHEMA_KEY: &[u8] = b"schema_version";

type T<'txn> = Table<'txn, &'static [u8], &'static [u8]>;

/// Which messages an index range covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every message of the account.
    All,
    /// The messages of one mailbox.
    Mailbox(u64),
}

/// `account \0 scope`: the prefix of a scope's entries and the key of its count.
pub fn scope_prefix(account: &str, scope: Scope) -> Vec<u8> {
    let mut k = prefix(account);
    match scope {
        Scope::All => k.push(b'*'),
        Scope::Mailbox(id) => {
            k.push(b'm');
            k.extend_from_slice(&id.to_be_bytes());
        }
    }
    k
}

fn entry_key(account: &str, scope: Scope, received_at: i64, id: u64) -> Vec<u8> {
    let mut k = scope_prefix(account, scope);
    // Flipping the sign bit maps i64 order onto unsigned byte order.
    k.extend_from_slice(&((received_at as u64) ^ (1 << 63)).to_be_bytes());
    k.extend_from_slice(&id.to_be_bytes());
    k
}

/// The message id of an entry key (its last 8 bytes).
pub fn id_of_entry(key: &[u8]) -> Option<u64> {
    tb::id_of_key(key)
}

/// The fields of a message the index depends on.
#[derive(Debug, Clone, Deserialize)]
pub struct OrderFields {
    /// The message id.
    pub id: MessageId,
    /// Arrival time.
    pub received_at: i64,
    /// Mailboxes holding the message.
    pub mailbox_ids: Vec<MailboxId>,
}

impl From<&Message> for OrderFields {
    fn from(m: &Message) -> Self {
        OrderFields { id: m.id.clone(), received_at: m.received_at, mailbox_ids: m.mailbox_ids.clone() }
    }
}

/// The scopes a message is listed under: `*` plus each (numeric) mailbox, once.
fn scopes(m: &OrderFields) -> Vec<Scope> {
    let mut out = vec![Scope::All];
    for mb in &m.mailbox_ids {
        if let Ok(n) = mb.as_str().parse::<u64>() {
            let s = Scope::Mailbox(n);
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

/// The index tables, opened in one write transaction.
pub struct OrderTables<'a, 'txn> {
    /// `order`
    pub order: &'a mut T<'txn>,
    /// `order_counts`
    pub counts: &'a mut T<'txn>,
}

impl OrderTables<'_, '_> {
    /// Lists `m` under each of its scopes.
    pub fn add(&mut self, account: &str, m: &OrderFields) -> io::Result<()> {
        self.change(account, m, true)
    }

    /// Removes `m` from each of its scopes.
    pub fn remove(&mut self, account: &str, m: &OrderFields) -> io::Result<()> {
        self.change(account, m, false)
    }

    fn change(&mut self, account: &str, m: &OrderFields, add: bool) -> io::Result<()> {
        // Ids this store mints are numeric; anything else has no place in the index.
        let Ok(id) = m.id.as_str().parse::<u64>() else { return Ok(()) };
        for scope in scopes(m) {
            let key = entry_key(account, scope, m.received_at, id);
            // Count only real transitions, so a repeated add or remove cannot skew totals.
            let changed = if add {
                self.order.insert(key.as_slice(), &[][..]).map_err(tb::db_err)?.is_none()
            } else {
                self.order.remove(key.as_slice()).map_err(tb::db_err)?.is_some()
            };
            if changed {
                let ckey = scope_prefix(account, scope);
                let n = get_u64(&*self.counts, &ckey)?.unwrap_or(0);
                let n = if add { n + 1 } else { n.saturating_sub(1) };
                if n == 0 {
                    self.counts.remove(ckey.as_slice()).map_err(tb::db_err)?;
                } else {
                    self.counts.insert(ckey.as_slice(), &u64_bytes(n)[..]).map_err(tb::db_err)?;
                }
            }
        }
        Ok(())
    }
}

/// Brings the index up to date in `txn` if the stored schema version predates
/// it: clears both index tables and lists every stored message. Returns whether
/// it rebuilt. Opens (creating) `meta`, `messages`, `order` and `order_counts`,
/// so call it while none of them is open in `txn`.
pub fn ensure(txn: &WriteTransaction) -> io::Result<bool> {
    let mut meta = txn.open_table(tb::META).map_err(tb::db_err)?;
    if get_u64(&meta, SCHEMA_KEY)?.is_some_and(|v| v >= SCHEMA_VERSION) {
        return Ok(false);
    }
    txn.delete_table(tb::ORDER).map_err(tb::db_err)?;
    txn.delete_table(tb::ORDER_COUNTS).map_err(tb::db_err)?;
    let messages = txn.open_table(tb::MESSAGES).map_err(tb::db_err)?;
    let mut order = txn.open_table(tb::ORDER).map_err(tb::db_err)?;
    let mut counts = txn.open_table(tb::ORDER_COUNTS).map_err(tb::db_err)?;
    let mut idx = OrderTables { order: &mut order, counts: &mut counts };
    for item in messages.iter().map_err(tb::db_err)? {
        let (k, v) = item.map_err(tb::db_err)?;
        let key = k.value();
        let Some(pos) = key.iter().position(|b| *b == 0) else { continue };
        let account = std::str::from_utf8(&key[..pos]).map_err(|_| tb::corrupt("account name not utf-8"))?;
        // Only the ordering fields are decoded: bodies are skipped, not allocated.
        let fields: OrderFields = tb::from_json(v.value())?;
        idx.add(account, &fields)?;
    }
    meta.insert(SCHEMA_KEY, &u64_bytes(SCHEMA_VERSION)[..]).map_err(tb::db_err)?;
    Ok(true)
}

/// The message ids of one page of `scope`, by date then id, and the scope's size.
pub fn page(
    order: &impl tb::Readable,
    counts: &impl tb::Readable,
    account: &str,
    scope: Scope,
    descending: bool,
    offset: usize,
    limit: usize,
) -> io::Result<(Vec<u64>, usize)> {
    let start = scope_prefix(account, scope);
    let total = get_u64(counts, &start)?.unwrap_or(0);
    let total = usize::try_from(total).unwrap_or(usize::MAX);
    let mut ids = Vec::with_capacity(limit.min(total));
    if limit == 0 || offset >= total {
        return Ok((ids, total));
    }
    // The scope's entries are exactly the keys in [prefix, prefix_end).
    let range = match prefix_end(&start) {
        Some(end) => order.range(start.as_slice()..end.as_slice()),
        None => order.range(start.as_slice()..),
    }
    .map_err(tb::db_err)?;
    let keys: Box<dyn Iterator<Item = _>> = if descending { Box::new(range.rev()) } else { Box::new(range) };
    for item in keys.skip(offset).take(limit) {
        let (k, _) = item.map_err(tb::db_err)?;
        ids.push(id_of_entry(k.value()).ok_or_else(|| tb::corrupt("short order key"))?);
    }
    Ok((ids, total))
}

/// The smallest key greater than every key starting with `p`, if any.
fn prefix_end(p: &[u8]) -> Option<Vec<u8>> {
    let mut end = p.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xFF {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_keys_sort_like_date_then_id() {
        let k = |t, id| entry_key("a", Scope::All, t, id);
        let mut keys = [k(5, 2), k(-3, 9), k(5, 1), k(i64::MIN, 4), k(i64::MAX, 0), k(0, 3)];
        keys.sort();
        let ids: Vec<_> = keys.iter().map(|k| id_of_entry(k).unwrap_or(99)).collect();
        assert_eq!(ids, [4, 9, 3, 1, 2, 0]);
    }

    #[test]
    fn prefix_end_bounds_the_prefix() {
        assert_eq!(prefix_end(b"a\0*"), Some(b"a\0+".to_vec()));
        assert_eq!(prefix_end(&[1, 0xFF]), Some(vec![2]));
        assert_eq!(prefix_end(&[0xFF]), None);
    }
}
