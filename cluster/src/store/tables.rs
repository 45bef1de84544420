//! The redb tables of the mailbox state machine (`sm.redb`) and their key encoding.
//!
//! Every table maps bytes to bytes so that a snapshot can stream all of them
//! generically. Keys are `account \0 suffix`: the suffix is a big-endian u64
//! for numbered records (messages, mailboxes, threads, change log entries) or
//! a UTF-8 string for indexes (Message-ID → thread, request id → outcome).
//! Account names never contain `\0` (checked when proposing), so a prefix
//! range scan over `account \0` sees exactly one account's records.
//! Values are JSON.

use redb::TableDefinition;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::io;

/// A byte-keyed, byte-valued table.
pub type Bytes = TableDefinition<'static, &'static [u8], &'static [u8]>;

/// Raft bookkeeping (`last_applied`, `membership`) and the id counter (`next_id`).
pub const META: Bytes = TableDefinition::new("meta");
/// account → [`AccountRec`](super::records::AccountRec).
pub const ACCOUNTS: Bytes = TableDefinition::new("accounts");
/// (account, mailbox id) → `Mailbox`.
pub const MAILBOXES: Bytes = TableDefinition::new("mailboxes");
/// (account, message id) → `Message`.
pub const MESSAGES: Bytes = TableDefinition::new("messages");
/// (account, thread id) → [`ThreadRec`](super::records::ThreadRec).
pub const THREADS: Bytes = TableDefinition::new("threads");
/// (account, Message-ID or referenced id) → thread id (u64 BE).
pub const THREAD_KEYS: Bytes = TableDefinition::new("thread_keys");
/// (account, normalized subject) → thread id (u64 BE).
pub const SUBJECTS: Bytes = TableDefinition::new("subjects");
/// (account, request id) → the stored outcome of that request.
pub const REQUESTS: Bytes = TableDefinition::new("requests");
/// (account, modseq) → [`ChangeRec`](super::records::ChangeRec).
pub const CHANGES: Bytes = TableDefinition::new("changes");
/// (account, blob id) → reference count (u64 BE): which blobs an account may read.
pub const BLOB_REFS: Bytes = TableDefinition::new("blob_refs");

/// (account, scope, received_at, message id) → empty: the date-ordering index (see [`super::order`]).
pub const ORDER: Bytes = TableDefinition::new("order");
/// (account, scope) → number of messages in the scope (u64 BE) (see [`super::order`]).
pub const ORDER_COUNTS: Bytes = TableDefinition::new("order_counts");

/// Every table, in a fixed order; the snapshot format numbers tables by this index,
/// so new tables go at the end.
pub const ALL: [Bytes; 12] = [
    META,
    ACCOUNTS,
    MAILBOXES,
    MESSAGES,
    THREADS,
    THREAD_KEYS,
    SUBJECTS,
    REQUESTS,
    CHANGES,
    BLOB_REFS,
    ORDER,
    ORDER_COUNTS,
];

/// The prefix shared by every key of `account`.
pub fn prefix(account: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(account.len() + 1);
    k.extend_from_slice(account.as_bytes());
    k.push(0);
    k
}

/// The key of a numbered record of `account`.
pub fn id_key(account: &str, id: u64) -> Vec<u8> {
    let mut k = prefix(account);
    k.extend_from_slice(&id.to_be_bytes());
    k
}

/// The key of a string-named record of `account`.
pub fn str_key(account: &str, s: &str) -> Vec<u8> {
    let mut k = prefix(account);
    k.extend_from_slice(s.as_bytes());
    k
}

/// The numeric suffix of an [`id_key`].
pub fn id_of_key(key: &[u8]) -> Option<u64> {
    let tail = key.len().checked_sub(8).map(|start| &key[start..])?;
    let bytes: [u8; 8] = tail.try_into().ok()?;
    Some(u64::from_be_bytes(bytes))
}

/// Encodes a u64 value.
pub fn u64_bytes(v: u64) -> [u8; 8] {
    v.to_be_bytes()
}

/// Decodes a u64 value written by [`u64_bytes`].
pub fn bytes_u64(v: &[u8]) -> io::Result<u64> {
    let bytes: [u8; 8] = v.try_into().map_err(|_| corrupt("u64 value of wrong length"))?;
    Ok(u64::from_be_bytes(bytes))
}

/// Serializes a record.
pub fn to_json<T: Serialize>(v: &T) -> io::Result<Vec<u8>> {
    serde_json::to_vec(v).map_err(io::Error::other)
}

/// Deserializes a record.
pub fn from_json<T: DeserializeOwned>(v: &[u8]) -> io::Result<T> {
    serde_json::from_slice(v).map_err(|e| corrupt(&format!("bad record: {e}")))
}

/// An error for data on disk that does not decode.
pub fn corrupt(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_owned())
}

/// Maps any redb error to `io::Error`.
pub fn db_err(e: impl Into<redb::Error>) -> io::Error {
    io::Error::other(e.into())
}

/// A table readable in either a read or a write transaction.
pub trait Readable: redb::ReadableTable<&'static [u8], &'static [u8]> {}
impl<T: redb::ReadableTable<&'static [u8], &'static [u8]>> Readable for T {}

/// The raw value under `key`.
pub fn get_raw(t: &impl Readable, key: &[u8]) -> io::Result<Option<Vec<u8>>> {
    Ok(t.get(key).map_err(db_err)?.map(|g| g.value().to_vec()))
}

/// The record under `key`.
pub fn get_json<V: DeserializeOwned>(t: &impl Readable, key: &[u8]) -> io::Result<Option<V>> {
    match t.get(key).map_err(db_err)? {
        Some(g) => Ok(Some(from_json(g.value())?)),
        None => Ok(None),
    }
}

/// The u64 value under `key`.
pub fn get_u64(t: &impl Readable, key: &[u8]) -> io::Result<Option<u64>> {
    match t.get(key).map_err(db_err)? {
        Some(g) => Ok(Some(bytes_u64(g.value())?)),
        None => Ok(None),
    }
}

/// Every `(key, value)` whose key starts with `prefix`, in key order.
pub fn scan(t: &impl Readable, prefix: &[u8]) -> io::Result<Vec<(Vec<u8>, Vec<u8>)>> {
    let mut out = Vec::new();
    for item in t.range(prefix..).map_err(db_err)? {
        let (k, v) = item.map_err(db_err)?;
        if !k.value().starts_with(prefix) {
            break;
        }
        out.push((k.value().to_vec(), v.value().to_vec()));
    }
    Ok(out)
}

/// Every record whose key starts with `prefix`, in key order.
pub fn scan_json<V: DeserializeOwned>(t: &impl Readable, prefix: &[u8]) -> io::Result<Vec<V>> {
    scan(t, prefix)?.iter().map(|(_, v)| from_json(v)).collect()
}

/// Opens (creating) a redb file. A file still held by the tasks of a node
/// that was just shut down (its last blocking task drops the handle a
/// moment later) is retried for up to 5 s instead of failing the reopen.
pub fn open_db(path: &std::path::Path) -> io::Result<redb::Database> {
    let start = std::time::Instant::now();
    loop {
        match redb::Database::create(path) {
            Err(redb::DatabaseError::DatabaseAlreadyOpen) if start.elapsed() < std::time::Duration::from_secs(5) => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other.map_err(db_err),
        }
    }
}
