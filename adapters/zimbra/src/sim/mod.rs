//! The Zimbra simulator: an axum server speaking what
//! `reference/zimbra-soap.md` describes, for tests and the demo.
//!
//! State is in memory, and on disk too when opened with [`Sim::open`]
//! (`mailgate zimbra-sim --data DIR`: every write is saved, a restart serves
//! the same items and change numbers). Seed it with
//! [`SimConfig::accounts`] or through a [`Sim`] handle
//! ([`Sim::add_account`], [`Sim::add_message`], [`Sim::add_folder`]), then
//! [`serve`]. Routes:
//! - `POST /service/soap[/{Name}]`: SOAP 1.2/1.1 XML or JSON, the reply in
//!   the request's format, faults as HTTP 500.
//! - `GET /service/home/~/?auth=co|qp&id=[&part=]`: raw message or one part.
//! - `POST /service/upload?fmt=raw`: an upload for `AddMsgRequest aid=`.
//! - `GET /service/extension/nginx-lookup`: the route lookup (`Auth-*` headers).

mod encode;
mod http;
pub mod mime;
mod ops;
mod persist;
pub mod search;
pub mod store;
pub mod token;
pub mod wire;

use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use store::Mailbox;

pub use ops::MAX_INLINE_RAW;
pub use store::{DRAFTS, INBOX, JUNK, SENT, TRASH};

/// Milliseconds since the epoch, wall clock.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// One account to seed.
#[derive(Debug, Clone)]
pub struct SimAccount {
    /// Login name, an address (`andy.lewisohn@postlight.com`).
    pub name: String,
    /// Password.
    pub password: String,
    /// `displayName`.
    pub display_name: String,
    /// Messages to deliver, in order (ids are given out in this order from 256).
    pub messages: Vec<SimMessage>,
}

/// One message to seed.
#[derive(Debug, Clone)]
pub struct SimMessage {
    /// Folder id (2 = Inbox, 5 = Sent, ...).
    pub folder: u32,
    /// Raw RFC 5322 bytes.
    pub raw: Vec<u8>,
    /// Zimbra flag letters (`u` unread, `f` flagged, `r` replied, ...).
    pub flags: String,
    /// Received time, ms since the epoch.
    pub date: i64,
}

/// Simulator settings.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Auth token lifetime (Zimbra's default is two days).
    pub token_lifetime: Duration,
    /// The HMAC key for tokens; fixed by default so tokens are deterministic.
    pub secret: Vec<u8>,
    /// The host the route lookup answers with (`Auth-Server`).
    pub mail_host: String,
    /// The port the route lookup answers with (`Auth-Port`).
    pub mail_port: u16,
    /// Accounts to create before serving.
    pub accounts: Vec<SimAccount>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            token_lifetime: Duration::from_millis(172_800_000),
            secret: b"mailgate-zimbra-sim".to_vec(),
            mail_host: "127.0.0.1".into(),
            mail_port: 7070,
            accounts: Vec::new(),
        }
    }
}

/// Why a seeding call failed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SimError {
    /// No such account.
    #[error("no such account: {0}")]
    NoSuchAccount(String),
    /// No such folder.
    #[error("no such folder: {0}")]
    NoSuchFolder(u32),
    /// The account exists already.
    #[error("account exists: {0}")]
    AccountExists(String),
}

#[derive(Debug, Default)]
pub(crate) struct State {
    accounts: HashMap<String, Mailbox>,
    uploads: HashMap<String, (String, Vec<u8>)>,
    next_upload: u64,
    clock_offset_ms: i64,
    soap_requests: u64,
    rest_requests: u64,
}

/// A handle on a simulator's state; cheap to clone, shared with the server.
#[derive(Debug, Clone)]
pub struct Sim {
    state: Arc<Mutex<State>>,
    config: Arc<SimConfig>,
    data_dir: Option<Arc<PathBuf>>,
}

impl Sim {
    /// A simulator with `config.accounts` seeded.
    pub fn new(config: SimConfig) -> Result<Sim, SimError> {
        let seed = config.accounts.clone();
        let sim = Sim { state: Arc::default(), config: Arc::new(config), data_dir: None };
        sim.seed(seed)?;
        Ok(sim)
    }

    /// A simulator whose mailboxes live in `dir`: what it holds is loaded,
    /// then `config.accounts` not yet there are seeded, and every write is saved.
    pub fn open(config: SimConfig, dir: &Path) -> std::io::Result<Sim> {
        std::fs::create_dir_all(dir)?;
        let seed = config.accounts.clone();
        let state = State { accounts: persist::load(dir)?, ..State::default() };
        let sim =
            Sim { state: Arc::new(Mutex::new(state)), config: Arc::new(config), data_dir: Some(Arc::new(dir.into())) };
        let fresh: Vec<SimAccount> = seed.into_iter().filter(|a| !sim.has_account(&a.name)).collect();
        sim.seed(fresh).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string()))?;
        sim.save()?;
        Ok(sim)
    }

    /// The password of `name`, if it has a mailbox here.
    pub fn password(&self, name: &str) -> Option<String> {
        self.lock().accounts.get(&name.to_lowercase()).map(|m| m.password.clone())
    }

    /// Whether `name` has a mailbox here.
    pub fn has_account(&self, name: &str) -> bool {
        self.lock().accounts.contains_key(&name.to_lowercase())
    }

    /// Writes the mailboxes to the data directory (nothing without one).
    /// Seeding calls do not save by themselves; SOAP writes do.
    pub fn save(&self) -> std::io::Result<()> {
        let Some(dir) = &self.data_dir else { return Ok(()) };
        let st = self.lock();
        persist::save(dir, st.accounts.values())
    }

    fn seed(&self, seed: Vec<SimAccount>) -> Result<(), SimError> {
        let sim = self;
        for a in seed {
            sim.add_account(&a.name, &a.password, &a.display_name)?;
            for m in a.messages {
                sim.add_message(&a.name, m.folder, &m.raw, &m.flags, m.date)?;
            }
        }
        Ok(())
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind; keep serving it.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn config(&self) -> &SimConfig {
        &self.config
    }

    /// Creates an account with the system folders; returns its zimbraId.
    pub fn add_account(&self, name: &str, password: &str, display_name: &str) -> Result<String, SimError> {
        let mut st = self.lock();
        let key = name.to_lowercase();
        if st.accounts.contains_key(&key) {
            return Err(SimError::AccountExists(name.into()));
        }
        // Deterministic ids: a UUID-shaped hex of the name's sha256.
        let h = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(key.as_bytes()));
        let zid = format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32]);
        st.accounts.insert(key, Mailbox::new(name, password, display_name, zid.clone()));
        Ok(zid)
    }

    /// Delivers a raw message into `folder` with Zimbra flag letters; returns its item id.
    pub fn add_message(&self, account: &str, folder: u32, raw: &[u8], flags: &str, date: i64) -> Result<u32, SimError> {
        let mut st = self.lock();
        let mb = st.accounts.get_mut(&account.to_lowercase()).ok_or_else(|| SimError::NoSuchAccount(account.into()))?;
        if !mb.folders.contains_key(&folder) {
            return Err(SimError::NoSuchFolder(folder));
        }
        Ok(mb.add_msg(folder, raw.to_vec(), flags, date))
    }

    /// Moves the account's item counter forward to `next` (never back), as in
    /// a mailbox with a long history: the next item added gets this id.
    pub fn set_next_item_id(&self, account: &str, next: u32) -> Result<(), SimError> {
        let mut st = self.lock();
        let mb = st.accounts.get_mut(&account.to_lowercase()).ok_or_else(|| SimError::NoSuchAccount(account.into()))?;
        mb.next_id = mb.next_id.max(next);
        Ok(())
    }

    /// Creates a user folder under `parent`; returns its id (from 256).
    pub fn add_folder(&self, account: &str, parent: u32, name: &str) -> Result<u32, SimError> {
        let mut st = self.lock();
        let mb = st.accounts.get_mut(&account.to_lowercase()).ok_or_else(|| SimError::NoSuchAccount(account.into()))?;
        if !mb.folders.contains_key(&parent) {
            return Err(SimError::NoSuchFolder(parent));
        }
        Ok(mb.add_folder(parent, name, Some("message")))
    }

    /// Moves the simulator's clock forward, e.g. past the token lifetime.
    pub fn advance_clock(&self, by: Duration) {
        self.lock().clock_offset_ms += by.as_millis() as i64;
    }

    /// How many SOAP HTTP requests were served (a batch counts once).
    pub fn soap_requests(&self) -> u64 {
        self.lock().soap_requests
    }

    /// How many HTTP requests were served: SOAP and REST downloads.
    pub fn http_requests(&self) -> u64 {
        let st = self.lock();
        st.soap_requests + st.rest_requests
    }

    pub(crate) fn now(&self) -> i64 {
        now_ms() + self.lock().clock_offset_ms
    }

    /// Serves on `listener` until `shutdown` completes.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        axum::serve(listener, http::router(self)).with_graceful_shutdown(shutdown).await
    }
}

/// Builds a simulator from `config` and serves it on `listener` until `shutdown`.
/// Use [`Sim::new`] and [`Sim::serve`] instead when a test needs the handle.
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: SimConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let sim = Sim::new(config).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string()))?;
    sim.serve(listener, shutdown).await
}
