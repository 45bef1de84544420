//! A `mailgate demo` child process: started on a free port, its printed URL
//! and tokens captured, killed when dropped.

use crate::binary;
use crate::client::GraphqlClient;
use anyhow::{bail, Context};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long seeding and startup may take before a test gives up.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(600);

/// A running demo.
pub struct DemoProcess {
    child: Child,
    /// The base URL, e.g. `http://127.0.0.1:40123`.
    pub base: String,
    /// `TOKEN <user> <jwt>` lines, by user.
    pub tokens: HashMap<String, String>,
    /// The data directory.
    pub data: PathBuf,
}

impl DemoProcess {
    /// Starts `mailgate demo --listen 127.0.0.1:0 --data DATA` and waits until it prints its tokens.
    pub fn start(data: &Path) -> anyhow::Result<DemoProcess> {
        Self::start_with(data, &[])
    }

    /// Like [`DemoProcess::start`], with extra arguments (e.g. `--no-seed`).
    pub fn start_with(data: &Path, extra: &[&str]) -> anyhow::Result<DemoProcess> {
        Self::start_with_env(data, extra, &[])
    }

    /// Like [`DemoProcess::start_with`], with environment variables set for the child.
    pub fn start_with_env(data: &Path, extra: &[&str], env: &[(&str, &str)]) -> anyhow::Result<DemoProcess> {
        let mut child = Command::new(binary::mailgate()?)
            .args(["demo", "--listen", "127.0.0.1:0", "--data"])
            .arg(data)
            .args(extra)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("cannot start mailgate demo")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let (lines_tx, lines_rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if lines_tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut base = None;
        let mut tokens = HashMap::new();
        loop {
            let line = match lines_rx.recv_timeout(STARTUP_TIMEOUT) {
                Ok(line) => line,
                Err(_) => {
                    let _ = child.kill();
                    bail!("demo did not print its tokens in time (base {base:?}, tokens {})", tokens.len());
                }
            };
            if let Some(url) = line.strip_prefix("Mailgate demo listening on ") {
                base = Some(url.trim_end_matches("/graphql").to_owned());
            }
            if let Some(rest) = line.strip_prefix("TOKEN ") {
                let mut parts = rest.split(' ');
                if let (Some(user), Some(token)) = (parts.next(), parts.next()) {
                    tokens.insert(user.to_owned(), token.to_owned());
                }
            }
            if line.starts_with("Try:") {
                break;
            }
        }
        // Keep draining stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || while lines_rx.recv().is_ok() {});
        let base = base.context("demo printed no URL")?;
        Ok(DemoProcess { child, base, tokens, data: data.to_owned() })
    }

    /// The demo's process id (for signals).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A GraphQL client acting as `user` (with the token the demo printed).
    pub fn client(&self, user: &str) -> GraphqlClient {
        GraphqlClient::new(&self.base, self.tokens.get(user).map(String::as_str))
    }

    /// Stops the demo with SIGTERM (clean shutdown), waiting for it to exit.
    pub fn stop(mut self) -> anyhow::Result<()> {
        let pid = self.child.id().to_string();
        let status = Command::new("kill").args(["-TERM", &pid]).status()?;
        if !status.success() {
            bail!("kill -TERM {pid} failed");
        }
        for _ in 0..300 {
            if self.child.try_wait()?.is_some() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        bail!("demo did not exit within 30 s of SIGTERM")
    }
}

impl Drop for DemoProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
