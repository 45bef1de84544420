//! One Zimbra mailbox in memory: folders, messages, conversations, the change counter.
//!
//! Ids are per mailbox, as in Zimbra: system folders 1-16, user items from
//! 256. Every write bumps `change` (the `<change token>` of responses) and
//! stamps the items it touched with `ms` (metadata) or `rev` (content), which
//! is what SyncRequest reads back.

use super::mime::{self, Parsed};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The first id Zimbra gives to user items.
pub const FIRST_USER_ID: u32 = 256;
/// USER_ROOT.
pub const ROOT: u32 = 1;
/// Inbox.
pub const INBOX: u32 = 2;
/// Trash.
pub const TRASH: u32 = 3;
/// Junk.
pub const JUNK: u32 = 4;
/// Sent.
pub const SENT: u32 = 5;
/// Drafts.
pub const DRAFTS: u32 = 6;

/// Flag letters in Zimbra's enum order (`Flag.java`).
pub const FLAG_ORDER: &str = "sarwfdxnu!?/(pt+^*b#ivy~o@g";

/// A folder.
#[derive(Debug, Clone)]
pub struct Folder {
    /// Id.
    pub id: u32,
    /// Name.
    pub name: String,
    /// Parent id (`l`); USER_ROOT's parent is 11.
    pub parent: u32,
    /// `view`, absent for Trash and USER_ROOT.
    pub view: Option<&'static str>,
    /// Folder flags other than `u` (e.g. `#` on Calendar).
    pub flags: String,
    /// Last metadata change.
    pub ms: u64,
    /// Change at which it was created.
    pub created: u64,
}

/// A message.
#[derive(Debug, Clone)]
pub struct Msg {
    /// Id.
    pub id: u32,
    /// Folder (`l`).
    pub folder: u32,
    /// Stored flag letters other than `a` and `u` (derived).
    pub flags: String,
    /// Unread.
    pub unread: bool,
    /// Received, ms.
    pub date: i64,
    /// The raw bytes.
    pub raw: Arc<Vec<u8>>,
    /// Parsed view.
    pub parsed: Arc<Parsed>,
    /// The real conversation, if it has one (else the virtual `-id`).
    pub conv: Option<u32>,
    /// Last metadata change.
    pub ms: u64,
    /// Content change (creation).
    pub rev: u64,
}

impl Msg {
    /// `cid`: the real conversation id or the virtual `-id`.
    pub fn cid(&self) -> String {
        match self.conv {
            Some(c) => c.to_string(),
            None => format!("-{}", self.id),
        }
    }

    /// `f`, in Zimbra's order.
    pub fn f(&self) -> String {
        let mut set = self.flags.clone();
        if self.parsed.has_attachment() {
            set.push('a');
        }
        if self.unread {
            set.push('u');
        }
        FLAG_ORDER.chars().filter(|c| set.contains(*c)).collect()
    }
}

/// What a tombstone was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A message.
    Msg,
    /// A folder.
    Folder,
}

/// One account's mailbox.
#[derive(Debug, Clone)]
pub struct Mailbox {
    /// Login name (the address).
    pub name: String,
    /// Password.
    pub password: String,
    /// `zimbraId`, 36 characters.
    pub zimbra_id: String,
    /// `displayName`.
    pub display_name: String,
    /// Folders by id.
    pub folders: BTreeMap<u32, Folder>,
    /// Messages by id.
    pub msgs: BTreeMap<u32, Msg>,
    /// The next item id.
    pub next_id: u32,
    /// The mailbox change counter.
    pub change: u64,
    /// Deleted items `(change, id, kind)`.
    pub tombstones: Vec<(u64, u32, Kind)>,
}

impl Mailbox {
    /// A new mailbox with Zimbra's system folders.
    pub fn new(name: &str, password: &str, display_name: &str, zimbra_id: String) -> Mailbox {
        let mut folders = BTreeMap::new();
        let sys: [(u32, &str, u32, Option<&'static str>, &str); 15] = [
            (1, "USER_ROOT", 11, None, ""),
            (2, "Inbox", 1, Some("message"), ""),
            (3, "Trash", 1, None, ""),
            (4, "Junk", 1, Some("message"), ""),
            (5, "Sent", 1, Some("message"), ""),
            (6, "Drafts", 1, Some("message"), ""),
            (7, "Contacts", 1, Some("contact"), ""),
            (8, "Tags", 11, None, ""),
            (9, "Conversations", 11, None, ""),
            (10, "Calendar", 1, Some("appointment"), "#"),
            (11, "ROOT", 11, None, ""),
            (13, "Emailed Contacts", 1, Some("contact"), ""),
            (14, "Chats", 1, Some("message"), ""),
            (15, "Tasks", 1, Some("task"), ""),
            (16, "Briefcase", 1, Some("document"), ""),
        ];
        for (id, n, parent, view, flags) in sys {
            folders.insert(id, Folder { id, name: n.into(), parent, view, flags: flags.into(), ms: 1, created: 1 });
        }
        Mailbox {
            name: name.into(),
            password: password.into(),
            zimbra_id,
            display_name: display_name.into(),
            folders,
            msgs: BTreeMap::new(),
            next_id: FIRST_USER_ID,
            change: 1,
            tombstones: Vec::new(),
        }
    }

    /// Starts a write: the new change number.
    pub fn bump(&mut self) -> u64 {
        self.change += 1;
        self.change
    }

    fn alloc(&mut self) -> u32 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Whether `id` is a hidden folder a client never sees (Tags, Conversations, ROOT, Comments).
    pub fn hidden(id: u32) -> bool {
        matches!(id, 8 | 9 | 11 | 17)
    }

    /// The absolute path of a folder (`/Inbox/sub`).
    pub fn path(&self, id: u32) -> String {
        if id == ROOT {
            return "/".into();
        }
        let mut names = Vec::new();
        let mut at = id;
        for _ in 0..64 {
            let Some(f) = self.folders.get(&at) else { break };
            if f.id == ROOT || Self::hidden(f.id) {
                break;
            }
            names.push(f.name.clone());
            at = f.parent;
        }
        names.reverse();
        format!("/{}", names.join("/"))
    }

    /// Whether `id` is `anc` or below it.
    pub fn is_under(&self, id: u32, anc: u32) -> bool {
        let mut at = id;
        for _ in 0..64 {
            if at == anc {
                return true;
            }
            match self.folders.get(&at) {
                Some(f) if f.parent != at => at = f.parent,
                _ => return false,
            }
        }
        false
    }

    /// Adds a message (AddMsg, delivery); threads it by References/In-Reply-To.
    pub fn add_msg(&mut self, folder: u32, raw: Vec<u8>, flags: &str, date: i64) -> u32 {
        let change = self.bump();
        let parsed = Arc::new(mime::parse(&raw));
        let id = self.alloc();
        let mut conv = None;
        let mine = parsed.message_id.clone();
        let related: Vec<u32> = self
            .msgs
            .values()
            .filter(|m| {
                m.parsed.message_id.as_ref().is_some_and(|mid| parsed.refs.contains(mid))
                    || mine.as_ref().is_some_and(|mid| m.parsed.refs.contains(mid))
            })
            .map(|m| m.id)
            .collect();
        if let Some(c) = related.iter().find_map(|r| self.msgs.get(r).and_then(|m| m.conv)) {
            conv = Some(c);
        } else if !related.is_empty() {
            // A second message turns the virtual conversation into a real one, with its own id.
            let c = self.alloc();
            conv = Some(c);
        }
        if let Some(c) = conv {
            for r in related {
                if let Some(m) = self.msgs.get_mut(&r) {
                    if m.conv.is_none() {
                        m.conv = Some(c);
                        m.ms = change;
                    }
                }
            }
        }
        let unread = flags.contains('u');
        let stored: String = flags.chars().filter(|c| *c != 'u' && *c != 'a').collect();
        self.msgs.insert(
            id,
            Msg { id, folder, flags: stored, unread, date, raw: Arc::new(raw), parsed, conv, ms: change, rev: change },
        );
        id
    }

    /// Creates a folder; the caller checked the name.
    pub fn add_folder(&mut self, parent: u32, name: &str, view: Option<&'static str>) -> u32 {
        let change = self.bump();
        let id = self.alloc();
        self.folders.insert(
            id,
            Folder { id, name: name.into(), parent, view, flags: String::new(), ms: change, created: change },
        );
        id
    }

    /// A sibling with this name (case-insensitive, as Zimbra compares).
    pub fn sibling(&self, parent: u32, name: &str) -> Option<u32> {
        self.folders.values().find(|f| f.parent == parent && f.name.eq_ignore_ascii_case(name)).map(|f| f.id)
    }

    /// Hard-deletes messages.
    pub fn destroy_msgs(&mut self, ids: &[u32], change: u64) {
        for id in ids {
            if self.msgs.remove(id).is_some() {
                self.tombstones.push((change, *id, Kind::Msg));
            }
        }
    }

    /// The messages of a conversation (real or virtual), newest first as GetConv lists them.
    pub fn conv_msgs(&self, cid: i64) -> Vec<&Msg> {
        let mut out: Vec<&Msg> = if cid < 0 {
            self.msgs.get(&(cid.unsigned_abs() as u32)).filter(|m| m.conv.is_none()).into_iter().collect()
        } else {
            self.msgs.values().filter(|m| m.conv == Some(cid as u32)).collect()
        };
        out.sort_by(|a, b| b.date.cmp(&a.date).then(b.id.cmp(&a.id)));
        out
    }

    /// `(n, u)` of a folder.
    pub fn counts(&self, folder: u32) -> (usize, usize) {
        let in_it = self.msgs.values().filter(|m| m.folder == folder);
        let (mut n, mut u) = (0, 0);
        for m in in_it {
            n += 1;
            if m.unread {
                u += 1;
            }
        }
        (n, u)
    }
}
