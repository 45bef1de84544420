//! The mailbox store: the state machine's data in `sm.redb` plus the blob directory.
//!
//! [`MailStore`] knows nothing about Raft: it applies commands in a write
//! transaction (see [`apply`]) and answers reads from a read transaction
//! (see [`reader`]). The Raft state machine adapter drives it.

pub mod apply;
pub mod mime;
pub mod order;
pub mod reader;
pub mod records;
pub mod search;
pub mod subject;
pub mod tables;
#[cfg(test)]
mod tests;

use crate::blobs::BlobStore;
use redb::{Database, Durability, ReadableDatabase};
use std::io;
use std::path::Path;

/// The state machine database and the blobs it references.
#[derive(Debug)]
pub struct MailStore {
    db: Database,
    blobs: BlobStore,
}

impl MailStore {
    /// Opens `sm.redb` and `blobs/` under `dir`, creating every table.
    pub fn open(dir: &Path) -> io::Result<Self> {
        let db = tables::open_db(&dir.join("sm.redb"))?;
        let blobs = BlobStore::open(&dir.join("blobs"))?;
        let store = Self { db, blobs };
        // A data directory from before the ordering index gets it built here, once.
        let mut txn = store.db.begin_write().map_err(tables::db_err)?;
        txn.set_durability(Durability::Immediate).map_err(io::Error::other)?;
        if order::ensure(&txn)? {
            txn.commit().map_err(tables::db_err)?;
        } else {
            txn.abort().map_err(tables::db_err)?;
        }
        store.checkpoint()?;
        Ok(store)
    }

    /// The blob directory.
    pub fn blobs(&self) -> &BlobStore {
        &self.blobs
    }

    /// The database, for snapshots.
    pub fn db(&self) -> &Database {
        &self.db
    }

    /// Runs `f` in one write transaction committed with immediate durability
    /// (the blobs it wrote, and every pending one, made durable first).
    pub fn write<R>(&self, f: impl FnOnce(&mut apply::Tables<'_>) -> io::Result<R>) -> io::Result<R> {
        self.write_with(true, f)
    }

    /// Runs `f` in one write transaction. `durable == false` commits without an
    /// fsync: readers see it at once, but a crash loses it (and everything since
    /// the last durable commit), which the Raft state machine repairs by
    /// re-applying those entries from the log. A durable commit fsyncs the
    /// pending blobs before the database, so it never references a blob a
    /// power loss could tear.
    pub fn write_with<R>(
        &self,
        durable: bool,
        f: impl FnOnce(&mut apply::Tables<'_>) -> io::Result<R>,
    ) -> io::Result<R> {
        let mut txn = self.db.begin_write().map_err(tables::db_err)?;
        let durability = if durable { Durability::Immediate } else { Durability::None };
        txn.set_durability(durability).map_err(io::Error::other)?;
        let result = {
            let mut tables = apply::Tables::open(&txn)?;
            f(&mut tables)?
        };
        if durable {
            self.blobs.sync_pending()?;
        }
        txn.commit().map_err(tables::db_err)?;
        Ok(result)
    }

    /// Makes every commit so far durable (an empty durable commit after
    /// non-durable ones persists them all; redb orders them).
    pub fn checkpoint(&self) -> io::Result<()> {
        self.write(|_| Ok(()))
    }

    /// A reader over the current committed version.
    pub fn read(&self) -> io::Result<reader::Reader> {
        let txn = self.db.begin_read().map_err(tables::db_err)?;
        reader::Reader::new(&txn)
    }
}
