//! The token-signing secret: read from a file, or created once in the data
//! directory so that tokens stay valid across restarts of the demo.

use anyhow::{bail, Context};
use rand::RngCore;
use std::io::Write;
use std::path::Path;

/// The file name of the generated secret inside a data directory.
pub const SECRET_FILE_NAME: &str = "jwt-secret";

/// Shortest secret accepted: HS256 needs at least 256 bits to be worth signing with.
const MIN_SECRET_BYTES: usize = 32;

/// Reads a secret file (surrounding whitespace ignored).
pub fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    let text = std::fs::read(path).with_context(|| format!("cannot read the token secret {}", path.display()))?;
    let secret = text.trim_ascii().to_vec();
    if secret.len() < MIN_SECRET_BYTES {
        bail!("the token secret in {} is shorter than {MIN_SECRET_BYTES} bytes", path.display());
    }
    Ok(secret)
}

/// Reads `path`, creating it with a fresh random secret (mode 0600) if absent.
pub fn read_or_create(path: &Path) -> anyhow::Result<Vec<u8>> {
    if !path.exists() {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path).with_context(|| format!("cannot create {}", path.display()))?;
        file.write_all(hex::encode(bytes).as_bytes())?;
        file.sync_all()?;
    }
    read(path)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn created_secret_is_stable_and_short_secret_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(SECRET_FILE_NAME);
        let first = read_or_create(&path).unwrap();
        assert_eq!(read_or_create(&path).unwrap(), first);
        std::fs::write(&path, "short").unwrap();
        assert!(read(&path).unwrap_err().to_string().contains("shorter"));
    }
}
