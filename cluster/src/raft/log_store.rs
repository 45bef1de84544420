//! The Raft log in `log.redb`.
//!
//! Every mutation is one redb transaction committed with
//! `Durability::Immediate` (fsync) before the call returns, so a saved vote
//! is durable on return and `append` signals `io_completed` only after its
//! commit. The log has no holes: `append` only ever extends it,
//! `truncate_after` cuts its tail and `purge` its head.

use super::{blocking, Entry, LogId, TypeConfig, Vote};
use crate::store::tables::{corrupt, db_err, from_json, to_json};
use openraft::storage::{IOFlushed, LogState, RaftLogReader, RaftLogStorage};
use openraft::OptionalSend;
use redb::{Database, Durability, ReadableDatabase, ReadableTable, TableDefinition};
use std::fmt::Debug;
use std::io;
use std::ops::{Bound, RangeBounds};
use std::path::Path;
use std::sync::Arc;

const LOGS: TableDefinition<u64, &[u8]> = TableDefinition::new("logs");
const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const VOTE: &str = "vote";
const COMMITTED: &str = "committed";
const LAST_PURGED: &str = "last_purged";

/// The Raft log store. Clones share the database (the clone is the log reader).
#[derive(Debug, Clone)]
pub struct LogStore {
    db: Arc<Database>,
}

impl LogStore {
    /// Opens (creating) `path`.
    pub fn open(path: &Path) -> io::Result<Self> {
        Self::from_db(crate::store::tables::open_db(path)?)
    }

    /// Wraps an opened database (the crash tests open one over a backend
    /// that loses un-synced writes).
    pub fn from_db(db: Database) -> io::Result<Self> {
        let store = Self { db: Arc::new(db) };
        store.write_sync(|_| Ok(()))?;
        Ok(store)
    }

    /// The durable half of `append`: returns once the entries are committed
    /// with fsync. `append` reports `io_completed` only after this succeeds.
    pub async fn append_durably(&self, entries: impl IntoIterator<Item = Entry>) -> io::Result<()> {
        let mut rows = Vec::new();
        for e in entries {
            rows.push((e.log_id.index, to_json(&e)?));
        }
        self.write(move |txn| {
            let mut table = txn.open_table(LOGS).map_err(db_err)?;
            for (index, bytes) in &rows {
                table.insert(*index, bytes.as_slice()).map_err(db_err)?;
            }
            Ok(())
        })
        .await
    }

    fn write_sync(&self, f: impl FnOnce(&redb::WriteTransaction) -> io::Result<()>) -> io::Result<()> {
        write_txn(&self.db, f)
    }

    async fn write(
        &self,
        f: impl FnOnce(&redb::WriteTransaction) -> io::Result<()> + Send + 'static,
    ) -> io::Result<()> {
        let db = self.db.clone();
        blocking(move || write_txn(&db, f)).await
    }

    async fn meta<T: serde::de::DeserializeOwned + Send + 'static>(&self, key: &'static str) -> io::Result<Option<T>> {
        let db = self.db.clone();
        blocking(move || read_meta(&db, key)).await
    }
}

fn write_txn(db: &Database, f: impl FnOnce(&redb::WriteTransaction) -> io::Result<()>) -> io::Result<()> {
    let mut txn = db.begin_write().map_err(db_err)?;
    txn.set_durability(Durability::Immediate).map_err(io::Error::other)?;
    {
        txn.open_table(LOGS).map_err(db_err)?;
        txn.open_table(META).map_err(db_err)?;
    }
    f(&txn)?;
    txn.commit().map_err(db_err)
}

fn read_meta<T: serde::de::DeserializeOwned>(db: &Database, key: &str) -> io::Result<Option<T>> {
    let txn = db.begin_read().map_err(db_err)?;
    let table = txn.open_table(META).map_err(db_err)?;
    let value = match table.get(key).map_err(db_err)? {
        Some(v) => Some(from_json(v.value())?),
        None => None,
    };
    Ok(value)
}

fn put_meta<T: serde::Serialize>(txn: &redb::WriteTransaction, key: &str, value: &T) -> io::Result<()> {
    let mut table = txn.open_table(META).map_err(db_err)?;
    table.insert(key, to_json(value)?.as_slice()).map_err(db_err)?;
    Ok(())
}

impl RaftLogReader<TypeConfig> for LogStore {
    async fn try_get_log_entries<RB: RangeBounds<u64> + Clone + Debug + OptionalSend>(
        &mut self,
        range: RB,
    ) -> Result<Vec<Entry>, io::Error> {
        let start = match range.start_bound() {
            Bound::Included(s) => *s,
            Bound::Excluded(s) => s.saturating_add(1),
            Bound::Unbounded => 0,
        };
        let end = match range.end_bound() {
            Bound::Included(e) => Some(*e),
            Bound::Excluded(0) => None,
            Bound::Excluded(e) => Some(e - 1),
            Bound::Unbounded => Some(u64::MAX),
        };
        let db = self.db.clone();
        blocking(move || {
            let txn = db.begin_read().map_err(db_err)?;
            let table = txn.open_table(LOGS).map_err(db_err)?;
            let mut out = Vec::new();
            let Some(end) = end.filter(|e| *e >= start) else {
                return Ok(out);
            };
            for item in table.range(start..=end).map_err(db_err)? {
                let (_, v) = item.map_err(db_err)?;
                out.push(from_json::<Entry>(v.value())?);
            }
            Ok(out)
        })
        .await
    }

    async fn read_vote(&mut self) -> Result<Option<Vote>, io::Error> {
        self.meta(VOTE).await
    }
}

impl RaftLogStorage<TypeConfig> for LogStore {
    type LogReader = LogStore;

    async fn get_log_state(&mut self) -> Result<LogState<TypeConfig>, io::Error> {
        let db = self.db.clone();
        blocking(move || {
            let last_purged: Option<LogId> = read_meta(&db, LAST_PURGED)?;
            let txn = db.begin_read().map_err(db_err)?;
            let table = txn.open_table(LOGS).map_err(db_err)?;
            let last = match table.last().map_err(db_err)? {
                Some((_, v)) => Some(from_json::<Entry>(v.value())?.log_id),
                None => last_purged,
            };
            Ok(LogState { last_purged_log_id: last_purged, last_log_id: last })
        })
        .await
    }

    async fn get_log_reader(&mut self) -> Self::LogReader {
        self.clone()
    }

    async fn save_vote(&mut self, vote: &Vote) -> Result<(), io::Error> {
        let vote = *vote;
        self.write(move |txn| put_meta(txn, VOTE, &vote)).await
    }

    async fn save_committed(&mut self, committed: Option<LogId>) -> Result<(), io::Error> {
        self.write(move |txn| put_meta(txn, COMMITTED, &committed)).await
    }

    async fn read_committed(&mut self) -> Result<Option<LogId>, io::Error> {
        Ok(self.meta::<Option<LogId>>(COMMITTED).await?.flatten())
    }

    async fn append<I>(&mut self, entries: I, callback: IOFlushed<TypeConfig>) -> Result<(), io::Error>
    where
        I: IntoIterator<Item = Entry> + OptionalSend,
        I::IntoIter: OptionalSend,
    {
        let entries: Vec<Entry> = entries.into_iter().collect();
        match self.append_durably(entries).await {
            Ok(()) => {
                callback.io_completed(Ok(()));
                Ok(())
            }
            Err(e) => {
                callback.io_completed(Err(io::Error::new(e.kind(), e.to_string())));
                Err(e)
            }
        }
    }

    async fn truncate_after(&mut self, last_log_id: Option<LogId>) -> Result<(), io::Error> {
        let from = last_log_id.map(|l| l.index + 1).unwrap_or(0);
        self.write(move |txn| {
            let mut table = txn.open_table(LOGS).map_err(db_err)?;
            table.retain_in(from.., |_, _| false).map_err(db_err)?;
            Ok(())
        })
        .await
    }

    async fn purge(&mut self, log_id: LogId) -> Result<(), io::Error> {
        let upto = log_id.index;
        self.write(move |txn| {
            let previous: Option<LogId> = {
                let table = txn.open_table(META).map_err(db_err)?;
                let value = match table.get(LAST_PURGED).map_err(db_err)? {
                    Some(v) => Some(from_json(v.value())?),
                    None => None,
                };
                value
            };
            if previous.as_ref().is_some_and(|p| p.index > upto) {
                return Err(corrupt("purge would move last_purged backwards"));
            }
            put_meta(txn, LAST_PURGED, &log_id)?;
            let mut table = txn.open_table(LOGS).map_err(db_err)?;
            table.retain_in(..=upto, |_, _| false).map_err(db_err)?;
            Ok(())
        })
        .await
    }
}
