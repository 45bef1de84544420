//! The content-addressed blob store: `blobs/<sha256-hex>`.
//!
//! The state machine writes blobs while applying, without an fsync each: a
//! blob goes to a temporary file, is renamed into place and joins the
//! *pending* list, and [`BlobStore::sync_pending`] fsyncs the pending files and
//! the directory before the state machine makes a commit durable (its
//! checkpoint, see `raft::state_machine`). So every blob a durable commit
//! references is on disk, and what a power loss tears is only referenced by
//! commits that were lost with it and are re-applied from the Raft log. A
//! replayed write finds the file present and checks its hash instead of
//! trusting it: a torn file is rewritten. Blobs received in a snapshot are
//! written durably at once ([`BlobStore::put_verified`]).

use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// A directory of immutable blobs named by the sha256 of their content.
#[derive(Debug)]
pub struct BlobStore {
    dir: PathBuf,
    tmp_seq: AtomicU64,
    /// Blobs written (or found) since the last [`BlobStore::sync_pending`].
    pending: Mutex<Vec<PathBuf>>,
}

impl BlobStore {
    /// Opens (creating if needed) the blob directory.
    pub fn open(dir: &Path) -> io::Result<Self> {
        fs::create_dir_all(dir)?;
        Ok(Self { dir: dir.to_owned(), tmp_seq: AtomicU64::new(0), pending: Mutex::new(Vec::new()) })
    }

    /// The id (sha256 hex) of `content`.
    pub fn id_of(content: &[u8]) -> String {
        hex::encode(Sha256::digest(content))
    }

    /// Whether `id` has the shape of a blob id; anything else is never a path.
    pub fn valid_id(id: &str) -> bool {
        id.len() == 64 && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    }

    fn path(&self, id: &str) -> io::Result<PathBuf> {
        if !Self::valid_id(id) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a blob id"));
        }
        Ok(self.dir.join(id))
    }

    /// Stores `content` and returns its id; durable after the next [`BlobStore::sync_pending`].
    pub fn put(&self, content: &[u8]) -> io::Result<String> {
        let id = Self::id_of(content);
        let path = self.path(&id)?;
        // Present already (the same attachment again, or a replay after a
        // crash): keep it if it is whole. It joins the pending list either way,
        // since a file left by a killed process may still be only in the page cache.
        let whole = match fs::read(&path) {
            Ok(existing) => Self::id_of(&existing) == id,
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            Err(e) => return Err(e),
        };
        if !whole {
            let seq = self.tmp_seq.fetch_add(1, Ordering::Relaxed);
            let tmp = self.dir.join(format!(".tmp-{}-{seq}", std::process::id()));
            File::create(&tmp)?.write_all(content)?;
            fs::rename(&tmp, &path)?;
        }
        self.pending.lock().map_err(|_| io::Error::other("blob pending list poisoned"))?.push(path);
        Ok(id)
    }

    /// Makes every blob written since the last call durable: fsyncs each file, then the directory.
    pub fn sync_pending(&self) -> io::Result<()> {
        let pending =
            std::mem::take(&mut *self.pending.lock().map_err(|_| io::Error::other("blob pending list poisoned"))?);
        if pending.is_empty() {
            return Ok(());
        }
        for path in &pending {
            File::open(path)?.sync_all()?;
        }
        File::open(&self.dir)?.sync_all()
    }

    /// Stores the content read from `reader`, which must hash to `id`.
    pub fn put_verified(&self, id: &str, reader: &mut impl Read, len: u64) -> io::Result<()> {
        let path = self.path(id)?;
        let seq = self.tmp_seq.fetch_add(1, Ordering::Relaxed);
        let tmp = self.dir.join(format!(".tmp-{}-{seq}", std::process::id()));
        let mut hasher = Sha256::new();
        {
            let mut f = File::create(&tmp)?;
            let mut limited = reader.take(len);
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = limited.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                hasher.update(&buf[..n]);
                f.write_all(&buf[..n])?;
            }
            f.sync_all()?;
        }
        if hex::encode(hasher.finalize()) != id {
            let _ = fs::remove_file(&tmp);
            return Err(io::Error::new(io::ErrorKind::InvalidData, "blob content does not match its id"));
        }
        fs::rename(&tmp, &path)?;
        File::open(&self.dir)?.sync_all()?;
        Ok(())
    }

    /// The size of a blob, or `None` if it is absent.
    pub fn size(&self, id: &str) -> io::Result<Option<u64>> {
        match fs::metadata(self.path(id)?) {
            Ok(m) => Ok(Some(m.len())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Opens a blob for reading.
    pub fn open_blob(&self, id: &str) -> io::Result<File> {
        File::open(self.path(id)?)
    }

    /// The whole blob.
    pub fn get(&self, id: &str) -> io::Result<Vec<u8>> {
        fs::read(self.path(id)?)
    }

    /// Bytes `start..end` of a blob (clamped to its size) and the blob's total size.
    pub fn get_range(&self, id: &str, start: u64, end: u64) -> io::Result<(Vec<u8>, u64)> {
        let mut f = self.open_blob(id)?;
        let total = f.metadata()?.len();
        let start = start.min(total);
        let end = end.clamp(start, total);
        f.seek(SeekFrom::Start(start))?;
        let len = usize::try_from(end - start).map_err(io::Error::other)?;
        let mut buf = vec![0u8; len];
        f.read_exact(&mut buf)?;
        Ok((buf, total))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn put_is_content_addressed_and_ranges_clamp() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        let id = store.put(b"hello world").unwrap();
        assert_eq!(id, BlobStore::id_of(b"hello world"));
        assert_eq!(store.put(b"hello world").unwrap(), id);
        assert_eq!(store.get(&id).unwrap(), b"hello world");
        assert_eq!(store.get_range(&id, 6, 100).unwrap(), (b"world".to_vec(), 11));
        assert_eq!(store.get_range(&id, 20, 30).unwrap(), (Vec::new(), 11));
        assert_eq!(store.size(&id).unwrap(), Some(11));
        assert!(store.get("../etc/passwd").is_err());
        let missing = BlobStore::id_of(b"nope");
        assert_eq!(store.size(&missing).unwrap(), None);
    }

    #[test]
    fn a_torn_blob_left_by_a_power_loss_is_rewritten_by_the_replay() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        let id = BlobStore::id_of(b"the attachment");
        // What a power loss can leave: the rename reached the disk, the data did not.
        std::fs::write(dir.path().join(&id), [0u8; 14]).unwrap();
        assert_eq!(store.put(b"the attachment").unwrap(), id);
        assert_eq!(store.get(&id).unwrap(), b"the attachment");
        assert_eq!(store.pending.lock().unwrap().len(), 1);
        store.sync_pending().unwrap();
        assert!(store.pending.lock().unwrap().is_empty());
    }

    #[test]
    fn put_verified_rejects_wrong_content() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        let id = BlobStore::id_of(b"abc");
        assert!(store.put_verified(&id, &mut &b"abd"[..], 3).is_err());
        store.put_verified(&id, &mut &b"abc"[..], 3).unwrap();
        assert_eq!(store.get(&id).unwrap(), b"abc");
    }
}
