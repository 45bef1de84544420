//! The content-addressed blob store: `blobs/<sha256-hex>`.
//!
//! A blob is written to a temporary file, fsynced, renamed into place, and
//! the directory is fsynced, so a blob that is visible is complete and
//! durable. Writing the same content twice is harmless, which lets the state
//! machine write blobs while applying (a replayed entry rewrites nothing).

use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A directory of immutable blobs named by the sha256 of their content.
#[derive(Debug)]
pub struct BlobStore {
    dir: PathBuf,
    tmp_seq: AtomicU64,
}

impl BlobStore {
    /// Opens (creating if needed) the blob directory.
    pub fn open(dir: &Path) -> io::Result<Self> {
        fs::create_dir_all(dir)?;
        Ok(Self { dir: dir.to_owned(), tmp_seq: AtomicU64::new(0) })
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

    /// Stores `content` durably and returns its id.
    pub fn put(&self, content: &[u8]) -> io::Result<String> {
        let id = Self::id_of(content);
        let path = self.path(&id)?;
        if path.exists() {
            return Ok(id);
        }
        let seq = self.tmp_seq.fetch_add(1, Ordering::Relaxed);
        let tmp = self.dir.join(format!(".tmp-{}-{seq}", std::process::id()));
        {
            let mut f = File::create(&tmp)?;
            f.write_all(content)?;
            f.sync_all()?;
        }
        fs::rename(&tmp, &path)?;
        File::open(&self.dir)?.sync_all()?;
        Ok(id)
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
    fn put_verified_rejects_wrong_content() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        let id = BlobStore::id_of(b"abc");
        assert!(store.put_verified(&id, &mut &b"abd"[..], 3).is_err());
        store.put_verified(&id, &mut &b"abc"[..], 3).unwrap();
        assert_eq!(store.get(&id).unwrap(), b"abc");
    }
}
