//! Snapshots as files, streamed: never one big in-memory buffer.
//!
//! A snapshot is built from one redb read transaction of `sm.redb` (an MVCC
//! view, so it runs while apply continues) and written record by record to a
//! file, followed by every blob the accounts reference. Installing reads the
//! file back into one write transaction that replaces every table; a snapshot
//! written before the ordering index existed gets the index rebuilt on install.
//!
//! File format (integers big-endian):
//! ```text
//! "MGSNAP01"
//! { 0x01 table:u8 klen:u32 key vlen:u32 value }*   table rows (index into tables::ALL)
//! { 0x02 idlen:u16 id len:u64 bytes }*             blobs
//! 0xFF
//! ```
//! The current snapshot is `snapshots/current.snap` with its metadata in
//! `snapshots/current.json`; both are replaced by rename.

use super::{LogId, SnapshotMeta, StoredMembership};
use crate::blobs::BlobStore;
use crate::store::tables::{self as tb, corrupt, db_err, from_json, to_json};
use crate::store::MailStore;
use redb::{Durability, ReadableDatabase, ReadableTable, TableHandle};
use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"MGSNAP01";
const ROW: u8 = 0x01;
const BLOB: u8 = 0x02;
const END: u8 = 0xFF;

/// The snapshot data handed to and from openraft: a file on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotFile {
    /// Where the snapshot bytes are.
    pub path: PathBuf,
}

/// The `snapshots/` directory.
#[derive(Debug, Clone)]
pub struct SnapshotDir {
    dir: PathBuf,
}

impl SnapshotDir {
    /// Opens (creating) the directory.
    pub fn open(dir: &Path) -> io::Result<Self> {
        fs::create_dir_all(dir)?;
        Ok(Self { dir: dir.to_owned() })
    }

    fn current_path(&self) -> PathBuf {
        self.dir.join("current.snap")
    }

    fn meta_path(&self) -> PathBuf {
        self.dir.join("current.json")
    }

    /// The current snapshot, if one was built or installed.
    pub fn current(&self) -> io::Result<Option<(SnapshotMeta, SnapshotFile)>> {
        let meta = match fs::read(self.meta_path()) {
            Ok(bytes) => from_json::<SnapshotMeta>(&bytes)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        Ok(Some((meta, SnapshotFile { path: self.current_path() })))
    }

    /// A fresh temporary path in the directory.
    pub fn temp_path(&self) -> PathBuf {
        let n: u64 = rand::random();
        self.dir.join(format!(".tmp-{n:016x}.snap"))
    }

    /// Makes `file` the current snapshot with `meta`: a file in this
    /// directory is renamed into place, any other file is copied.
    pub fn set_current(&self, meta: &SnapshotMeta, file: &Path) -> io::Result<SnapshotFile> {
        let cur = self.current_path();
        if file != cur {
            if file.parent() == Some(self.dir.as_path()) {
                fs::rename(file, &cur)?;
            } else {
                // Not ours (e.g. another node's file in a test): copy, then rename into place.
                let tmp = self.temp_path();
                fs::copy(file, &tmp)?;
                File::open(&tmp)?.sync_all()?;
                fs::rename(&tmp, &cur)?;
            }
        }
        let tmp = self.dir.join(".tmp-current.json");
        {
            let mut f = File::create(&tmp)?;
            f.write_all(&to_json(meta)?)?;
            f.sync_all()?;
        }
        fs::rename(&tmp, self.meta_path())?;
        File::open(&self.dir)?.sync_all()?;
        Ok(SnapshotFile { path: cur })
    }
}

/// Writes a snapshot of `store` to `path` and returns its metadata.
pub fn build(store: &MailStore, path: &Path) -> io::Result<SnapshotMeta> {
    let txn = store.db().begin_read().map_err(db_err)?;
    let file = File::create(path)?;
    let mut w = BufWriter::new(file);
    w.write_all(MAGIC)?;
    let mut last_applied: Option<LogId> = None;
    let mut membership = StoredMembership::default();
    let mut blob_ids = BTreeSet::new();
    for (idx, def) in tb::ALL.iter().enumerate() {
        let table = txn.open_table(*def).map_err(db_err)?;
        for item in table.iter().map_err(db_err)? {
            let (k, v) = item.map_err(db_err)?;
            let (k, v) = (k.value(), v.value());
            if idx == 0 && k == b"last_applied" {
                last_applied = from_json(v)?;
            } else if idx == 0 && k == b"membership" {
                membership = from_json(v)?;
            }
            if def.name() == tb::BLOB_REFS.name() {
                if let Some(pos) = k.iter().position(|b| *b == 0) {
                    blob_ids.insert(String::from_utf8_lossy(&k[pos + 1..]).into_owned());
                }
            }
            w.write_all(&[ROW, idx as u8])?;
            write_bytes32(&mut w, k)?;
            write_bytes32(&mut w, v)?;
        }
    }
    for id in &blob_ids {
        let Some(size) = store.blobs().size(id)? else {
            return Err(corrupt(&format!("referenced blob {id} is missing")));
        };
        w.write_all(&[BLOB])?;
        let id_len = u16::try_from(id.len()).map_err(io::Error::other)?;
        w.write_all(&id_len.to_be_bytes())?;
        w.write_all(id.as_bytes())?;
        w.write_all(&size.to_be_bytes())?;
        let mut f = store.blobs().open_blob(id)?.take(size);
        let copied = io::copy(&mut f, &mut w)?;
        if copied != size {
            return Err(corrupt(&format!("blob {id} changed size while snapshotting")));
        }
    }
    w.write_all(&[END])?;
    let file = w.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    Ok(SnapshotMeta { last_log_id: last_applied, last_membership: membership })
}

fn write_bytes32(w: &mut impl Write, b: &[u8]) -> io::Result<()> {
    let len = u32::try_from(b.len()).map_err(io::Error::other)?;
    w.write_all(&len.to_be_bytes())?;
    w.write_all(b)
}

fn read_array<const N: usize>(r: &mut impl Read) -> io::Result<[u8; N]> {
    let mut buf = [0u8; N];
    r.read_exact(&mut buf)?;
    Ok(buf)
}

fn read_bytes32(r: &mut impl Read) -> io::Result<Vec<u8>> {
    let len = u32::from_be_bytes(read_array(r)?) as usize;
    let mut buf = vec![0u8; len];
    r.read_exact(&mut buf)?;
    Ok(buf)
}

/// Replaces the whole state of `store` with the snapshot in `path`; the
/// applied state becomes `meta`'s.
pub fn install(store: &MailStore, meta: &SnapshotMeta, path: &Path) -> io::Result<()> {
    let mut r = BufReader::new(File::open(path)?);
    if &read_array::<8>(&mut r)? != MAGIC {
        return Err(corrupt("not a mailgate snapshot"));
    }
    let mut txn = store.db().begin_write().map_err(db_err)?;
    txn.set_durability(Durability::Immediate).map_err(io::Error::other)?;
    for def in tb::ALL {
        txn.delete_table(def).map_err(db_err)?;
    }
    {
        let mut tables = Vec::with_capacity(tb::ALL.len());
        for def in tb::ALL {
            tables.push(txn.open_table(def).map_err(db_err)?);
        }
        loop {
            match read_array::<1>(&mut r)?[0] {
                ROW => {
                    let idx = read_array::<1>(&mut r)?[0] as usize;
                    let k = read_bytes32(&mut r)?;
                    let v = read_bytes32(&mut r)?;
                    let table = tables.get_mut(idx).ok_or_else(|| corrupt("unknown table in snapshot"))?;
                    table.insert(k.as_slice(), v.as_slice()).map_err(db_err)?;
                }
                BLOB => {
                    let id_len = u16::from_be_bytes(read_array(&mut r)?) as usize;
                    let mut id = vec![0u8; id_len];
                    r.read_exact(&mut id)?;
                    let id = String::from_utf8(id).map_err(|_| corrupt("blob id not utf-8"))?;
                    let size = u64::from_be_bytes(read_array(&mut r)?);
                    if !BlobStore::valid_id(&id) {
                        return Err(corrupt("bad blob id in snapshot"));
                    }
                    store.blobs().put_verified(&id, &mut r, size)?;
                }
                END => break,
                _ => return Err(corrupt("bad record tag in snapshot")),
            }
        }
        let meta_table = tables.get_mut(0).ok_or_else(|| corrupt("no meta table"))?;
        meta_table.insert(&b"last_applied"[..], to_json(&meta.last_log_id)?.as_slice()).map_err(db_err)?;
        meta_table.insert(&b"membership"[..], to_json(&meta.last_membership)?.as_slice()).map_err(db_err)?;
    }
    // A snapshot from before the ordering index carries no index rows: build them now.
    crate::store::order::ensure(&txn)?;
    txn.commit().map_err(db_err)
}

/// A sha256 over every row of every state machine table, in table and key
/// order, with the applied index read from the same transaction: replicas at
/// equal applied indexes must give equal digests.
pub fn digest(store: &MailStore) -> io::Result<crate::proto::StateDigest> {
    use sha2::{Digest, Sha256};
    let txn = store.db().begin_read().map_err(db_err)?;
    let mut hash = Sha256::new();
    let mut applied: Option<LogId> = None;
    for (idx, def) in tb::ALL.iter().enumerate() {
        let table = txn.open_table(*def).map_err(db_err)?;
        for item in table.iter().map_err(db_err)? {
            let (k, v) = item.map_err(db_err)?;
            let (k, v) = (k.value(), v.value());
            if idx == 0 && k == b"last_applied" {
                applied = from_json(v)?;
            }
            hash.update([idx as u8]);
            hash.update((k.len() as u64).to_be_bytes());
            hash.update(k);
            hash.update((v.len() as u64).to_be_bytes());
            hash.update(v);
        }
    }
    Ok(crate::proto::StateDigest { applied: applied.map(|l| l.index), sha256: hex::encode(hash.finalize()) })
}
