//! Filling a simulator account for trials, tests and benchmarks: generated
//! mail (the demo dataset, cycled to any size) or a Maildir.

use crate::import::open_source;
use crate::seed::{demo_dataset, FolderRef};
use anyhow::Context;
use mailgate_backend::{Flag, MailboxRole};
use mailgate_zimbra::sim::{Sim, DRAFTS, INBOX, JUNK, SENT, TRASH};
use std::collections::HashMap;
use std::path::Path;

/// Zimbra's USER_ROOT, the parent of top-level folders.
const USER_ROOT: u32 = 1;

/// Zimbra flag letters for our flags (`u` for unread).
fn letters(flags: &[Flag]) -> String {
    let mut out = String::new();
    if !flags.contains(&Flag::Seen) {
        out.push('u');
    }
    for (flag, letter) in [(Flag::Flagged, 'f'), (Flag::Answered, 'r'), (Flag::Forwarded, 'w'), (Flag::Draft, 'd')] {
        if flags.contains(&flag) {
            out.push(letter);
        }
    }
    out
}

/// Creates user folders in `account` on demand, by path.
struct Folders<'a> {
    sim: &'a Sim,
    account: &'a str,
    made: HashMap<Vec<String>, u32>,
}

impl Folders<'_> {
    fn id(&mut self, folder: &FolderRef) -> anyhow::Result<u32> {
        let path = match folder {
            FolderRef::Role(MailboxRole::Inbox) => return Ok(INBOX),
            FolderRef::Role(MailboxRole::Sent) => return Ok(SENT),
            FolderRef::Role(MailboxRole::Drafts) => return Ok(DRAFTS),
            FolderRef::Role(MailboxRole::Trash) => return Ok(TRASH),
            FolderRef::Role(MailboxRole::Junk) => return Ok(JUNK),
            // Zimbra has no archive role: an ordinary top-level folder.
            FolderRef::Role(role) => vec![role.default_name().to_owned()],
            FolderRef::Path(path) => path.clone(),
        };
        let mut parent = USER_ROOT;
        for depth in 1..=path.len() {
            let prefix = path[..depth].to_vec();
            parent = match self.made.get(&prefix) {
                Some(id) => *id,
                None => {
                    let id = self.sim.add_folder(self.account, parent, &prefix[depth - 1])?;
                    self.made.insert(prefix, id);
                    id
                }
            };
        }
        Ok(parent)
    }
}

/// Delivers `count` generated messages to `account`: the demo dataset in
/// arrival order, cycled; repeats get a distinct Message-ID so that they are
/// distinct mail, not duplicates.
pub fn seed_generated(sim: &Sim, account: &str, count: usize) -> anyhow::Result<()> {
    let data = demo_dataset();
    let mut folders = Folders { sim, account, made: HashMap::new() };
    for i in 0..count {
        let round = i / data.len();
        let Some(message) = data.message(i % data.len()) else { break };
        let raw = if round == 0 { message.raw } else { with_copy_suffix(&message.raw, round) };
        let folder = folders.id(&message.folder)?;
        let date = message.received_at + round as i64 * 1000;
        sim.add_message(account, folder, &raw, &letters(&message.flags), date)?;
    }
    Ok(())
}

/// Delivers every message of a Maildir (or mbox, or .eml files) to `account`'s Inbox.
pub fn seed_maildir(sim: &Sim, account: &str, path: &Path) -> anyhow::Result<usize> {
    let mut n = 0;
    for item in open_source(path)? {
        let item = item.with_context(|| format!("cannot read {}", path.display()))?;
        let date = item.received_at.unwrap_or(0);
        sim.add_message(account, INBOX, &item.raw, &letters(&item.flags), date)?;
        n += 1;
    }
    Ok(n)
}

/// `raw` with its Message-ID made unique for repeat `round`.
fn with_copy_suffix(raw: &[u8], round: usize) -> Vec<u8> {
    let needle = b"Message-ID: <";
    match raw.windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle)) {
        Some(at) => {
            let mut out = raw[..at + needle.len()].to_vec();
            out.extend_from_slice(format!("r{round}.").as_bytes());
            out.extend_from_slice(&raw[at + needle.len()..]);
            out
        }
        None => raw.to_vec(),
    }
}
