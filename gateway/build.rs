//! Builds the playground (`playground/`: GraphiQL bundled by esbuild) into
//! `OUT_DIR/playground/` and writes `OUT_DIR/playground_assets.rs`, the table
//! of embedded files that `src/playground.rs` includes. So `cargo build`
//! (and the README's demo command) needs no extra step, only Node.js and npm.
//!
//! `npm ci` runs only when `playground/node_modules` was not installed from
//! the current `package-lock.json` (a copy of the lock file it was installed
//! from is kept next to the packages); the esbuild bundle takes seconds. The
//! script reruns only when the playground's sources, package files or build
//! script change: node_modules is not watched, because the bundle depends on
//! the lock file, not on the installed tree.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The oldest Node.js that runs esbuild 0.25 and the bundle's build script.
const MIN_NODE_MAJOR: u32 = 18;

/// Where, inside node_modules, the lock file of the last `npm ci` is copied.
const INSTALLED_LOCK: &str = "node_modules/.mailgate-package-lock.json";

fn main() {
    if let Err(message) = run() {
        eprintln!("error: cannot build the playground (gateway/build.rs): {message}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let manifest_dir = PathBuf::from(env("CARGO_MANIFEST_DIR")?);
    let out_dir = PathBuf::from(env("OUT_DIR")?);
    let playground = manifest_dir.parent().ok_or("the gateway crate has no parent folder")?.join("playground");
    for watched in ["package.json", "package-lock.json", "build.mjs", "src"] {
        println!("cargo:rerun-if-changed={}", playground.join(watched).display());
    }
    check_node()?;
    install_packages(&playground)?;
    let dist = out_dir.join("playground");
    let mut build = Command::new("node");
    build.arg("build.mjs").arg(&dist).current_dir(&playground);
    run_command(&mut build, "node build.mjs")?;
    write_asset_table(&dist, &out_dir.join("playground_assets.rs"))
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("cargo did not set {name}"))
}

/// Fails with what to install when node or npm is missing or too old.
fn check_node() -> Result<(), String> {
    let install = format!(
        "the playground is built with Node.js {MIN_NODE_MAJOR}+ and npm: install them (Debian: \
         `apt-get install nodejs npm`) and build again; its npm packages then install from \
         playground/package-lock.json by themselves"
    );
    let version = tool_version("node").map_err(|err| format!("`node --version` failed ({err}); {install}"))?;
    let major: u32 = version.trim_start_matches('v').split('.').next().and_then(|m| m.parse().ok()).unwrap_or(0);
    if major < MIN_NODE_MAJOR {
        return Err(format!("found Node.js {version}; {install}"));
    }
    tool_version("npm").map_err(|err| format!("`npm --version` failed ({err}); {install}"))?;
    Ok(())
}

fn tool_version(tool: &str) -> Result<String, String> {
    let output = Command::new(tool).arg("--version").output().map_err(|err| err.to_string())?;
    if !output.status.success() {
        return Err(format!("exit {}", output.status));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// `npm ci` unless node_modules was installed from this very lock file.
fn install_packages(playground: &Path) -> Result<(), String> {
    let lock_path = playground.join("package-lock.json");
    let lock = std::fs::read(&lock_path).map_err(|err| format!("cannot read {}: {err}", lock_path.display()))?;
    let installed = playground.join(INSTALLED_LOCK);
    if std::fs::read(&installed).ok().as_deref() == Some(lock.as_slice()) {
        return Ok(());
    }
    // --ignore-scripts: no package runs code at install time; esbuild finds
    // its binary through its optional platform package without its postinstall.
    let mut npm = Command::new("npm");
    npm.args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"]).current_dir(playground);
    run_command(&mut npm, "npm ci (in playground/)")?;
    std::fs::write(&installed, &lock).map_err(|err| format!("cannot write {}: {err}", installed.display()))
}

fn run_command(command: &mut Command, what: &str) -> Result<(), String> {
    let status = command.status().map_err(|err| format!("cannot run {what}: {err}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed with {status} (its output is above)"))
    }
}

/// Writes the Rust table of the built files: the page and each asset.
fn write_asset_table(dist: &Path, table: &Path) -> Result<(), String> {
    let index = dist.join("index.html");
    if !index.is_file() {
        return Err(format!("the build wrote no {}", index.display()));
    }
    let assets_dir = dist.join("assets");
    let entries =
        std::fs::read_dir(&assets_dir).map_err(|err| format!("cannot list {}: {err}", assets_dir.display()))?;
    let mut assets = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|err| format!("cannot list {}: {err}", assets_dir.display()))?;
        let name = entry.file_name().into_string().map_err(|name| format!("asset name {name:?} is not UTF-8"))?;
        assets.push((name, entry.path()));
    }
    // A stable order keeps the generated file, and so the binary, reproducible.
    assets.sort();
    let mut code = String::from("// Generated by gateway/build.rs from the playground build; do not edit.\n\n");
    code.push_str("/// The playground page; it names the assets under `/playground/`.\n");
    let _ = writeln!(code, "pub static INDEX_HTML: &str = include_str!({:?});", index.display().to_string());
    code.push_str("/// Every asset the page loads: (file name, content).\n");
    code.push_str("pub static ASSETS: &[(&str, &[u8])] = &[\n");
    for (name, path) in &assets {
        let _ = writeln!(code, "    ({name:?}, include_bytes!({:?})),", path.display().to_string());
    }
    code.push_str("];\n");
    std::fs::write(table, code).map_err(|err| format!("cannot write {}: {err}", table.display()))
}
