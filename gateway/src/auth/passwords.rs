//! [`PasswordFile`]: the argon2id password hashes behind `login`.
//!
//! One `username:$argon2id$…` line per account (a PHC string; `#` starts a
//! comment), written by `mailgate passwd`. The file is read again when it
//! changes, so adding a user needs no restart. Verifying costs tens of
//! milliseconds of CPU by design and runs on the blocking pool; an unknown
//! user is checked against a dummy hash, so timing does not tell which
//! usernames exist.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// Why the password file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum PasswordFileError {
    /// Reading or writing failed.
    #[error("password file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A line is not `username:$argon2id$…`.
    #[error("password file {path}, line {line}: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// Hashing failed.
    #[error("cannot hash the password: {0}")]
    Hash(String),
}

/// The hashes, and the file's modification time when they were read.
struct Loaded {
    hashes: Arc<HashMap<String, String>>,
    modified: Option<SystemTime>,
}

/// Too many password checks running at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

/// The password file, reloaded when it changes.
pub struct PasswordFile {
    path: PathBuf,
    /// One permit per core: password checks running at once.
    checks: Arc<tokio::sync::Semaphore>,
    loaded: Mutex<Loaded>,
    /// A hash of a random password, checked for unknown users.
    dummy: String,
}

impl PasswordFile {
    /// Reads the file now (a broken file stops startup).
    pub fn open(path: &Path) -> Result<Self, PasswordFileError> {
        let (hashes, modified) = read(path)?;
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Ok(Self {
            path: path.to_owned(),
            checks: Arc::new(tokio::sync::Semaphore::new(cores)),
            loaded: Mutex::new(Loaded { hashes: Arc::new(hashes), modified }),
            dummy: hash(&uuid::Uuid::new_v4().to_string())?,
        })
    }

    /// Whether `password` is `username`'s: `Some(hash)` (the stored hash, to
    /// bind a session to) if it is, `None` if not; `Err(Busy)` when as many
    /// checks as there are cores are already running (each costs ~19 MiB and
    /// tens of ms, so a flood must not queue them up).
    pub async fn verify(&self, username: &str, password: &str) -> Result<Option<String>, Busy> {
        let Ok(_permit) = self.checks.clone().try_acquire_owned() else { return Err(Busy) };
        let hashes = self.current();
        let (stored, known) = match hashes.get(username) {
            Some(stored) => (stored.clone(), true),
            None => (self.dummy.clone(), false),
        };
        let password = password.to_owned();
        let hash = stored.clone();
        let matches = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&stored)
                .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        })
        .await
        .unwrap_or(false);
        Ok((known && matches).then_some(hash))
    }

    /// `username`'s stored hash now, if they have one.
    pub fn hash_of(&self, username: &str) -> Option<String> {
        self.current().get(username).cloned()
    }

    /// The hashes, read again if the file changed (a broken edit keeps the old ones).
    fn current(&self) -> Arc<HashMap<String, String>> {
        let mut loaded = self.loaded.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let modified = std::fs::metadata(&self.path).and_then(|m| m.modified()).ok();
        if modified != loaded.modified {
            match read(&self.path) {
                Ok((hashes, modified)) => *loaded = Loaded { hashes: Arc::new(hashes), modified },
                Err(err) => tracing::warn!(%err, "password file not reloaded"),
            }
        }
        loaded.hashes.clone()
    }
}

/// An argon2id PHC string for `password` with a fresh salt.
pub fn hash(password: &str) -> Result<String, PasswordFileError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PasswordFileError::Hash(e.to_string()))
}

/// Sets `username`'s password in the file at `path` (created if missing),
/// replacing an existing line; the file is replaced atomically.
pub fn set_password(path: &Path, username: &str, password: &str) -> Result<(), PasswordFileError> {
    if username.is_empty() || username.contains([':', '\n', '#']) {
        return Err(PasswordFileError::Invalid {
            path: path.into(),
            line: 0,
            reason: format!("{username:?} cannot be a username here"),
        });
    }
    let io = |source| PasswordFileError::Io { path: path.into(), source };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(err) => return Err(io(err)),
    };
    let line = format!("{username}:{}", hash(password)?);
    let mut lines: Vec<String> =
        text.lines().filter(|l| l.split_once(':').map(|(u, _)| u) != Some(username)).map(str::to_owned).collect();
    lines.push(line);
    // A fresh temporary file readable by its owner only, then an atomic rename.
    let tmp = path.with_extension(format!("tmp-{}", uuid::Uuid::new_v4()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&tmp).and_then(|mut file| {
        std::io::Write::write_all(&mut file, (lines.join("\n") + "\n").as_bytes())?;
        file.sync_all()
    });
    if let Err(err) = written.and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(err));
    }
    Ok(())
}

fn read(path: &Path) -> Result<(HashMap<String, String>, Option<SystemTime>), PasswordFileError> {
    let io = |source| PasswordFileError::Io { path: path.into(), source };
    let text = std::fs::read_to_string(path).map_err(io)?;
    let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let mut hashes = HashMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let invalid =
            |reason: &str| PasswordFileError::Invalid { path: path.into(), line: n + 1, reason: reason.into() };
        let (user, phc) = line.split_once(':').ok_or_else(|| invalid("expected username:$argon2id$…"))?;
        let parsed = PasswordHash::new(phc).map_err(|_| invalid("not a PHC password hash"))?;
        if parsed.algorithm.as_str() != "argon2id" {
            return Err(invalid("only argon2id hashes are accepted"));
        }
        hashes.insert(user.to_owned(), phc.to_owned());
    }
    Ok((hashes, modified))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn set_then_verify_and_replace_and_reload() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("passwords");
        set_password(&path, "ann", "correct horse").unwrap();
        let file = PasswordFile::open(&path).unwrap();
        assert!(file.verify("ann", "correct horse").await.unwrap().is_some());
        assert!(file.verify("ann", "wrong").await.unwrap().is_none());
        assert!(file.verify("bob", "correct horse").await.unwrap().is_none(), "unknown user");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        // A new password replaces the line, and the open file notices.
        std::thread::sleep(std::time::Duration::from_millis(20));
        set_password(&path, "ann", "battery staple").unwrap();
        set_password(&path, "bob", "b").unwrap();
        assert!(file.verify("ann", "battery staple").await.unwrap().is_some());
        assert!(file.verify("ann", "correct horse").await.unwrap().is_none());
        assert!(file.verify("bob", "b").await.unwrap().is_some());
        assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 2);
    }

    #[test]
    fn broken_lines_are_refused_with_their_number() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("passwords");
        std::fs::write(&path, "# comment\nann:plain-text\n").unwrap();
        let Err(err) = PasswordFile::open(&path) else { panic!("accepted") };
        assert!(err.to_string().contains("line 2"), "{err}");
        assert!(set_password(&path, "a:b", "x").is_err());
    }
}
