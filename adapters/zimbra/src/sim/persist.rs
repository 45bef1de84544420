//! Keeping a simulator's mailboxes on disk (`mailgate zimbra-sim --data DIR`),
//! so that a restarted simulator serves the same items, ids and change numbers.
//!
//! Layout: `DIR/state.json` (every mailbox without message bytes, replaced
//! atomically by rename after each write) and `DIR/raw/{sha256}` (message
//! bytes, content-addressed, written once before the state that names them).
//! Parsed views are rebuilt from the bytes on load.

use super::mime;
use super::store::{Folder, Kind, Mailbox, Msg};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;

/// The views Zimbra gives folders; the stored string maps back to one of them.
const VIEWS: [&str; 6] = ["message", "contact", "appointment", "task", "document", "conversation"];

#[derive(Serialize, Deserialize)]
struct StateFile {
    accounts: Vec<MailboxRec>,
}

#[derive(Serialize, Deserialize)]
struct MailboxRec {
    name: String,
    password: String,
    zimbra_id: String,
    display_name: String,
    folders: Vec<FolderRec>,
    msgs: Vec<MsgRec>,
    next_id: u32,
    change: u64,
    tombstones: Vec<(u64, u32, bool)>,
}

#[derive(Serialize, Deserialize)]
struct FolderRec {
    id: u32,
    name: String,
    parent: u32,
    view: Option<String>,
    flags: String,
    ms: u64,
    created: u64,
}

#[derive(Serialize, Deserialize)]
struct MsgRec {
    id: u32,
    folder: u32,
    flags: String,
    unread: bool,
    date: i64,
    sha256: String,
    conv: Option<u32>,
    ms: u64,
    rev: u64,
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Writes every mailbox under `dir`.
pub(crate) fn save<'a>(dir: &Path, mailboxes: impl Iterator<Item = &'a Mailbox>) -> io::Result<()> {
    let raw_dir = dir.join("raw");
    std::fs::create_dir_all(&raw_dir)?;
    let mut accounts = Vec::new();
    for mb in mailboxes {
        let mut msgs = Vec::with_capacity(mb.msgs.len());
        for m in mb.msgs.values() {
            let sha256 = sha256_hex(&m.raw);
            let path = raw_dir.join(&sha256);
            if !path.exists() {
                write_atomically(&path, &m.raw)?;
            }
            msgs.push(MsgRec {
                id: m.id,
                folder: m.folder,
                flags: m.flags.clone(),
                unread: m.unread,
                date: m.date,
                sha256,
                conv: m.conv,
                ms: m.ms,
                rev: m.rev,
            });
        }
        accounts.push(MailboxRec {
            name: mb.name.clone(),
            password: mb.password.clone(),
            zimbra_id: mb.zimbra_id.clone(),
            display_name: mb.display_name.clone(),
            folders: mb
                .folders
                .values()
                .map(|f| FolderRec {
                    id: f.id,
                    name: f.name.clone(),
                    parent: f.parent,
                    view: f.view.map(str::to_owned),
                    flags: f.flags.clone(),
                    ms: f.ms,
                    created: f.created,
                })
                .collect(),
            msgs,
            next_id: mb.next_id,
            change: mb.change,
            tombstones: mb.tombstones.iter().map(|(c, id, k)| (*c, *id, *k == Kind::Msg)).collect(),
        });
    }
    let json = serde_json::to_vec(&StateFile { accounts }).map_err(io::Error::other)?;
    write_atomically(&dir.join("state.json"), &json)
}

/// Reads the mailboxes under `dir`; none when it holds no state yet.
pub(crate) fn load(dir: &Path) -> io::Result<HashMap<String, Mailbox>> {
    let path = dir.join("state.json");
    if !path.exists() {
        return Ok(HashMap::new());
    }
    let state: StateFile = serde_json::from_slice(&std::fs::read(&path)?)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("{}: {e}", path.display())))?;
    let mut out = HashMap::new();
    for a in state.accounts {
        let mut folders = BTreeMap::new();
        for f in a.folders {
            let view = match f.view {
                Some(v) => Some(VIEWS.into_iter().find(|known| *known == v).ok_or_else(|| {
                    io::Error::new(io::ErrorKind::InvalidData, format!("folder {}: unknown view {v}", f.id))
                })?),
                None => None,
            };
            folders.insert(
                f.id,
                Folder { id: f.id, name: f.name, parent: f.parent, view, flags: f.flags, ms: f.ms, created: f.created },
            );
        }
        let mut msgs = BTreeMap::new();
        for m in a.msgs {
            let raw = std::fs::read(dir.join("raw").join(&m.sha256))?;
            if sha256_hex(&raw) != m.sha256 {
                return Err(io::Error::new(io::ErrorKind::InvalidData, format!("message {}: bytes damaged", m.id)));
            }
            let parsed = Arc::new(mime::parse(&raw));
            msgs.insert(
                m.id,
                Msg {
                    id: m.id,
                    folder: m.folder,
                    flags: m.flags,
                    unread: m.unread,
                    date: m.date,
                    raw: Arc::new(raw),
                    parsed,
                    conv: m.conv,
                    ms: m.ms,
                    rev: m.rev,
                },
            );
        }
        let key = a.name.to_lowercase();
        out.insert(
            key,
            Mailbox {
                name: a.name,
                password: a.password,
                zimbra_id: a.zimbra_id,
                display_name: a.display_name,
                folders,
                msgs,
                next_id: a.next_id,
                change: a.change,
                tombstones: a
                    .tombstones
                    .into_iter()
                    .map(|(c, id, msg)| (c, id, if msg { Kind::Msg } else { Kind::Folder }))
                    .collect(),
            },
        );
    }
    Ok(out)
}

fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}
