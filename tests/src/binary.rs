//! Locating the `mailgate` binary. The tests build it once per test process
//! with the same cargo that runs them, so they never test a stale binary.

use anyhow::{bail, Context};
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

static BINARY: OnceLock<Result<PathBuf, String>> = OnceLock::new();

/// The path of a freshly built `mailgate` binary.
pub fn mailgate() -> anyhow::Result<PathBuf> {
    match BINARY.get_or_init(|| build().map_err(|e| format!("{e:#}"))) {
        Ok(path) => Ok(path.clone()),
        Err(err) => bail!("cannot build mailgate: {err}"),
    }
}

fn build() -> anyhow::Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--quiet", "-p", "mailgate-gateway", "--bin", "mailgate"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        // Cargo sets this for the test process; passed on, it differs from a
        // build run from a shell, and build scripts that watch it (ring's)
        // would rebuild their crate and everything above it every time.
        .env_remove("CARGO_MANIFEST_DIR")
        .status()
        .context("cannot run cargo build")?;
    if !status.success() {
        bail!("cargo build -p mailgate-gateway failed: {status}");
    }
    // The test executable lives in target/<profile>/deps; the binary one level up.
    let exe = std::env::current_exe()?;
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).context("unexpected test binary location")?;
    let binary = profile_dir.join("mailgate");
    if !binary.exists() {
        bail!("{} was not built", binary.display());
    }
    Ok(binary)
}
