//! Child processes for the multi-process cluster tests: `mailgate node`
//! (restartable on the same directory and port, killable with any signal)
//! and `mailgate serve`.

use crate::binary;
use anyhow::{bail, Context};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A free loopback `host:port` (bound, then released for the child to take).
pub fn free_addr() -> anyhow::Result<String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.to_string())
}

/// Starts the binary with `args` and waits for a stdout line containing `ready`.
fn spawn(args: &[&str], ready: &str, log: &Path) -> anyhow::Result<Child> {
    let log_file = std::fs::OpenOptions::new().create(true).append(true).open(log)?;
    let mut child = Command::new(binary::mailgate()?)
        .args(args)
        .env("RUST_LOG", std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()))
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log_file))
        .spawn()
        .with_context(|| format!("cannot start mailgate {args:?}"))?;
    let stdout = child.stdout.take().context("no stdout")?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    loop {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) if line.contains(ready) => break,
            Ok(_) => {}
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                bail!("mailgate {args:?} did not become ready (see {})", log.display());
            }
        }
    }
    std::thread::spawn(move || while rx.recv().is_ok() {});
    Ok(child)
}

fn signal(child: &Child, sig: &str) -> anyhow::Result<()> {
    let status = Command::new("kill").args([sig, &child.id().to_string()]).status()?;
    if !status.success() {
        bail!("kill {sig} {} failed", child.id());
    }
    Ok(())
}

/// A `mailgate node` child.
pub struct NodeProcess {
    child: Option<Child>,
    /// Its listen address.
    pub addr: String,
    /// Its data directory.
    pub data: PathBuf,
    log: PathBuf,
}

impl NodeProcess {
    /// Starts a node on `addr` with its data in `data` (log next to it).
    pub fn start(data: &Path, addr: &str) -> anyhow::Result<Self> {
        let log = data.with_extension("log");
        let mut node = Self { child: None, addr: addr.to_owned(), data: data.to_owned(), log };
        node.restart()?;
        Ok(node)
    }

    /// Whether it is running.
    pub fn running(&self) -> bool {
        self.child.is_some()
    }

    /// (Re)starts it on the same directory and address.
    pub fn restart(&mut self) -> anyhow::Result<()> {
        if self.child.is_some() {
            return Ok(());
        }
        let data = self.data.to_string_lossy().into_owned();
        // A just-killed node's port may take a moment to be free again.
        let mut last = None;
        for _ in 0..20 {
            match spawn(&["node", "--data", &data, "--listen", &self.addr], "listening on", &self.log) {
                Ok(child) => {
                    self.child = Some(child);
                    return Ok(());
                }
                Err(e) => {
                    last = Some(e);
                    std::thread::sleep(Duration::from_millis(250));
                }
            }
        }
        Err(last.unwrap_or_else(|| anyhow::anyhow!("restart failed")))
    }

    /// SIGKILLs it and reaps it.
    pub fn kill9(&mut self) -> anyhow::Result<()> {
        if let Some(mut child) = self.child.take() {
            child.kill()?;
            child.wait()?;
        }
        Ok(())
    }

    /// SIGSTOP (`true`) or SIGCONT (`false`).
    pub fn pause(&self, stop: bool) -> anyhow::Result<()> {
        match &self.child {
            Some(child) => signal(child, if stop { "-STOP" } else { "-CONT" }),
            None => Ok(()),
        }
    }
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        if let Some(child) = &self.child {
            let _ = signal(child, "-CONT");
        }
        let _ = self.kill9();
    }
}

/// A `mailgate serve` child.
pub struct ServeProcess {
    child: Child,
    /// The base URL.
    pub base: String,
}

impl ServeProcess {
    /// Starts a gateway over `nodes` with the secret in `secret_file`. The
    /// per-user rate limit is off: the fault tests' clients are load
    /// generators acting as one user, and a 429 would read as a lost write.
    pub fn start(nodes: &[String], secret_file: &Path, log: &Path) -> anyhow::Result<Self> {
        let addr = free_addr()?;
        let nodes = nodes.join(",");
        let secret = secret_file.to_string_lossy().into_owned();
        let config = log.with_extension("gateway.toml");
        std::fs::write(&config, "[limits]\nrate_limit_per_second = 0\n")?;
        let config = config.to_string_lossy().into_owned();
        let args = ["serve", "--config", &config, "--nodes", &nodes, "--listen", &addr, "--jwt-secret-file", &secret];
        let child = spawn(&args, "listening on", log)?;
        Ok(Self { child, base: format!("http://{addr}") })
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `mailgate ARGS` to completion and returns its stdout.
pub fn run(args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new(binary::mailgate()?).args(args).output()?;
    if !out.status.success() {
        bail!("mailgate {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
