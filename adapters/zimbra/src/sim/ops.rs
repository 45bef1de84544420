//! The mail operations (`urn:zimbraMail`) on one mailbox.
//!
//! Each handler takes the request element and answers with the response
//! element or a [`Fault`] carrying Zimbra's code and reason text.

use super::encode;
use super::search;
use super::store::{Kind, Mailbox, DRAFTS, FIRST_USER_ID, JUNK, ROOT, SENT, TRASH};
use super::wire::Fault;
use crate::xml::El;

const MAIL: &str = "urn:zimbraMail";

/// The largest raw message GetMsg `raw=1` sends inline; a bigger one gets
/// `<content url=…>` and no text. Zimbra's rule (`ToXML.encodeMessageAsMIME`):
/// inline only while the size plus 2048 is at most `MAX_INLINE_MSG_SIZE`,
/// 40 000 bytes.
pub const MAX_INLINE_RAW: usize = 40_000 - 2_048;

/// The raw message as `<content>` text, if it may go inline. XML carries
/// characters, not bytes: a byte of 0x80 or more would have to be decoded
/// with a guessed charset (mangling anything that is not UTF-8), and the C0
/// controls other than tab, LF and CR cannot appear at all, not even as
/// character references. Zimbra inlines only ASCII and gives a URL for the
/// rest; so do we, and for those controls too, which `xml::escape` would drop.
fn inline_raw(raw: &[u8]) -> Option<String> {
    let xml_safe = raw.iter().all(|&b| matches!(b, b'\t' | b'\n' | b'\r' | 0x20..=0x7f));
    if raw.len() > MAX_INLINE_RAW || !xml_safe {
        return None;
    }
    String::from_utf8(raw.to_vec()).ok()
}

fn resp(name: &str) -> El {
    El::new(name).attr("xmlns", MAIL)
}

/// An item id: decimal, no padding (the harness's empty/space-padded ids fault).
fn item_id(s: &str) -> Result<u32, Fault> {
    if s.is_empty() || s.trim() != s {
        return Err(Fault::invalid(format!("invalid item id: {s}")));
    }
    s.parse().map_err(|_| Fault::invalid(format!("invalid item id: {s}")))
}

fn flag(req: &El, name: &str) -> bool {
    matches!(req.get(name), Some("1") | Some("true"))
}

/// GetFolderRequest: the tree under USER_ROOT, or under `folder l=`.
pub fn get_folder(mb: &Mailbox, req: &El) -> Result<El, Fault> {
    let base = match req.first("folder").and_then(|f| f.get("l")) {
        Some(l) => item_id(l)?,
        None => ROOT,
    };
    let f = mb.folders.get(&base).ok_or_else(|| Fault::no_such_folder(base))?;
    Ok(resp("GetFolderResponse").child(encode::folder(mb, f)))
}

/// CreateFolderRequest.
pub fn create_folder(mb: &mut Mailbox, req: &El) -> Result<El, Fault> {
    let f = req.first("folder").ok_or_else(|| Fault::invalid("missing folder"))?;
    let name = f.get("name").unwrap_or_default().trim().to_owned();
    if name.is_empty() || name.contains('/') || name.len() > 128 {
        return Err(Fault::invalid(format!("invalid name: {name}")));
    }
    let parent = match f.get("l") {
        Some(l) => item_id(l)?,
        None => ROOT,
    };
    if !mb.folders.contains_key(&parent) {
        return Err(Fault::no_such_folder(parent));
    }
    let id = match mb.sibling(parent, &name) {
        Some(id) if flag(f, "fie") => id,
        Some(_) => {
            return Err(Fault::sender("mail.ALREADY_EXISTS", format!("object with that name already exists: {name}")))
        }
        None => mb.add_folder(parent, &name, Some("message")),
    };
    let folder = mb.folders.get(&id).ok_or_else(|| Fault::no_such_folder(id))?;
    Ok(resp("CreateFolderResponse").child(encode::folder(mb, folder)))
}

/// FolderActionRequest: rename, move, delete (hard, with contents), empty.
pub fn folder_action(mb: &mut Mailbox, req: &El) -> Result<El, Fault> {
    let a = req.first("action").ok_or_else(|| Fault::invalid("missing action"))?;
    let op = a.get("op").unwrap_or_default().to_lowercase();
    let id = item_id(a.get("id").unwrap_or_default())?;
    if !mb.folders.contains_key(&id) || Mailbox::hidden(id) {
        return Err(Fault::no_such_folder(id));
    }
    let immutable = || Fault::sender("mail.IMMUTABLE_OBJECT", format!("cannot modify immutable object: {id}"));
    match op.as_str() {
        "rename" => {
            if id < FIRST_USER_ID {
                return Err(immutable());
            }
            let name = a.get("name").unwrap_or_default().trim().to_owned();
            if name.is_empty() || name.contains('/') {
                return Err(Fault::invalid(format!("invalid name: {name}")));
            }
            let parent = mb.folders.get(&id).map(|f| f.parent).unwrap_or(ROOT);
            if mb.sibling(parent, &name).is_some_and(|s| s != id) {
                return Err(Fault::sender(
                    "mail.ALREADY_EXISTS",
                    format!("object with that name already exists: {name}"),
                ));
            }
            let change = mb.bump();
            if let Some(f) = mb.folders.get_mut(&id) {
                f.name = name;
                f.ms = change;
            }
        }
        "move" => {
            if id < FIRST_USER_ID {
                return Err(immutable());
            }
            let to = item_id(a.get("l").unwrap_or_default())?;
            if !mb.folders.contains_key(&to) {
                return Err(Fault::no_such_folder(to));
            }
            if mb.is_under(to, id) {
                return Err(Fault::invalid("cannot move a folder into itself"));
            }
            let change = mb.bump();
            if let Some(f) = mb.folders.get_mut(&id) {
                f.parent = to;
                f.ms = change;
            }
        }
        "delete" | "empty" => {
            if op == "delete" && id < FIRST_USER_ID {
                return Err(immutable());
            }
            let change = mb.bump();
            let doomed: Vec<u32> = mb.folders.keys().copied().filter(|f| mb.is_under(*f, id)).collect();
            let msgs: Vec<u32> = mb.msgs.values().filter(|m| doomed.contains(&m.folder)).map(|m| m.id).collect();
            mb.destroy_msgs(&msgs, change);
            for f in doomed {
                if op == "delete" || f != id {
                    mb.folders.remove(&f);
                    mb.tombstones.push((change, f, Kind::Folder));
                }
            }
        }
        other => return Err(Fault::invalid(format!("unknown operation: {other}"))),
    }
    Ok(resp("FolderActionResponse").child(El::new("action").attr("id", id).attr("op", op)))
}

fn tcon_ok(tcon: Option<&str>, folder: u32) -> bool {
    let Some(t) = tcon else { return true };
    let (neg, set) = match t.strip_prefix('-') {
        Some(s) => (true, s),
        None => (false, t),
    };
    let letter = match folder {
        TRASH => 't',
        JUNK => 'j',
        SENT => 's',
        DRAFTS => 'd',
        _ => 'o',
    };
    set.contains(letter) != neg
}

/// MsgActionRequest: read, flag, move, trash, delete (and their `!` forms).
pub fn msg_action(mb: &mut Mailbox, req: &El) -> Result<El, Fault> {
    let a = req.first("action").ok_or_else(|| Fault::invalid("missing action"))?;
    let op = a.get("op").unwrap_or_default().to_lowercase();
    let ids = a.get("id").unwrap_or_default().split(',').map(item_id).collect::<Result<Vec<_>, _>>()?;
    let (neg, base) = match op.strip_prefix('!') {
        Some(b) => (true, b),
        None => (false, op.as_str()),
    };
    let to = match base {
        "move" => {
            let l = item_id(a.get("l").unwrap_or_default())?;
            if !mb.folders.contains_key(&l) {
                return Err(Fault::no_such_folder(l));
            }
            Some(l)
        }
        "trash" => Some(TRASH),
        "read" | "flag" | "delete" => None,
        _ => return Err(Fault::invalid(format!("unknown operation: {op}"))),
    };
    let tcon = a.get("tcon");
    let targets: Vec<u32> =
        ids.into_iter().filter(|id| mb.msgs.get(id).is_some_and(|m| tcon_ok(tcon, m.folder))).collect();
    let change = if targets.is_empty() { mb.change } else { mb.bump() };
    if base == "delete" {
        mb.destroy_msgs(&targets, change);
    } else {
        for id in &targets {
            let Some(m) = mb.msgs.get_mut(id) else { continue };
            match base {
                "read" => m.unread = neg,
                "flag" if neg => m.flags.retain(|c| c != 'f'),
                "flag" => {
                    if !m.flags.contains('f') {
                        m.flags.push('f');
                    }
                }
                _ => m.folder = to.unwrap_or(m.folder),
            }
            m.ms = change;
        }
    }
    let done = targets.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
    Ok(resp("MsgActionResponse").child(El::new("action").attr("id", done).attr("op", op)))
}

/// GetMsgRequest: one full message; `read=1` clears `u` first; `raw=1`
/// gives the RFC822 text instead of `mp`, inline or as a URL ([`MAX_INLINE_RAW`]).
pub fn get_msg(mb: &mut Mailbox, req: &El) -> Result<El, Fault> {
    let m = req.first("m").ok_or_else(|| Fault::invalid("missing m"))?;
    let raw_id = m.get("id").unwrap_or_default();
    let id = item_id(raw_id)?;
    if !mb.msgs.contains_key(&id) {
        return Err(Fault::no_such_msg(raw_id));
    }
    if flag(m, "read") && mb.msgs.get(&id).is_some_and(|x| x.unread) {
        let change = mb.bump();
        if let Some(x) = mb.msgs.get_mut(&id) {
            x.unread = false;
            x.ms = change;
        }
    }
    let msg = mb.msgs.get(&id).ok_or_else(|| Fault::no_such_msg(raw_id))?;
    let headers: Vec<String> = m.all("header").filter_map(|h| h.get("n")).map(str::to_owned).collect();
    let mut el = encode::msg_full(msg, flag(m, "html"), &headers);
    if flag(m, "raw") {
        el.children.retain(|c| c.name != "mp");
        let content = match inline_raw(&msg.raw) {
            Some(text) => El::new("content").text(text),
            None => El::new("content").attr("url", format!("/service/home/~/?auth=co&id={id}")),
        };
        el.children.push(content);
    }
    Ok(resp("GetMsgResponse").child(el))
}

/// GetConvRequest: the conversation and its messages, newest first.
pub fn get_conv(mb: &Mailbox, req: &El) -> Result<El, Fault> {
    let c = req.first("c").ok_or_else(|| Fault::invalid("missing c"))?;
    let raw = c.get("id").unwrap_or_default();
    let cid: i64 = raw.parse().map_err(|_| Fault::invalid(format!("invalid item id: {raw}")))?;
    let msgs = mb.conv_msgs(cid);
    let Some(newest) = msgs.first() else {
        return Err(Fault::sender("mail.NO_SUCH_CONV", format!("no such conversation: {raw}")));
    };
    let flags: String = {
        let all: String = msgs.iter().map(|m| m.f()).collect();
        super::store::FLAG_ORDER.chars().filter(|ch| all.contains(*ch)).collect()
    };
    let mut el = El::new("c").attr("id", raw).attr("n", msgs.len());
    if !flags.is_empty() {
        el.set("f", flags);
    }
    el.children.push(El::new("su").text(newest.parsed.subject.clone()));
    for m in &msgs {
        let mut me = El::new("m")
            .attr("id", m.id)
            .attr("s", m.raw.len())
            .attr("d", m.date)
            .attr("l", m.folder)
            .attr("cid", m.cid());
        let f = m.f();
        if !f.is_empty() {
            me.set("f", f);
        }
        el.children.push(me);
    }
    Ok(resp("GetConvResponse").child(el))
}

/// SearchRequest (types=message): query, limit/offset/sortBy, `fetch=all` for full hits.
pub fn search(mb: &mut Mailbox, req: &El) -> Result<El, Fault> {
    let types = req.get("types").unwrap_or("conversation");
    if types != "message" {
        return Err(Fault::invalid(format!("simulator supports types=message only, not {types}")));
    }
    let query = req.get_any("query").unwrap_or("in:inbox").to_owned();
    let limit: usize = req.get("limit").and_then(|l| l.parse().ok()).unwrap_or(10).clamp(1, 1000);
    let offset: usize = req.get("offset").and_then(|o| o.parse().ok()).unwrap_or(0);
    let sort = req.get("sortBy").unwrap_or("dateDesc").to_owned();
    let mut hits = search::run(mb, &query)?;
    let (key, desc) = match sort.as_str() {
        "none" => ("id", false),
        s if s.ends_with("Asc") => (&s[..s.len() - 3], false),
        s if s.ends_with("Desc") => (&s[..s.len() - 4], true),
        s => return Err(Fault::invalid(format!("invalid sortBy: {s}"))),
    };
    let sf = |m: &super::store::Msg| -> String {
        match key {
            "subj" => m.parsed.subject.to_lowercase(),
            "name" => m
                .parsed
                .addrs
                .iter()
                .find(|a| a.0 == 'f')
                .map(|a| a.2.clone().unwrap_or(a.1.clone()).to_lowercase())
                .unwrap_or_default(),
            "size" => format!("{:020}", m.raw.len()),
            "id" => format!("{:010}", m.id),
            _ => format!("{:020}", m.date),
        }
    };
    if !matches!(key, "date" | "subj" | "name" | "size" | "id") {
        return Err(Fault::invalid(format!("invalid sortBy: {sort}")));
    }
    hits.sort_by(|a, b| {
        let o = sf(a).cmp(&sf(b)).then(a.id.cmp(&b.id));
        if desc {
            o.reverse()
        } else {
            o
        }
    });
    let total = hits.len();
    let full = req.get("fetch") == Some("all");
    let html = flag(req, "html");
    let headers: Vec<String> = req.all("header").filter_map(|h| h.get("n")).map(str::to_owned).collect();
    let mut out = resp("SearchResponse")
        .attr("sortBy", &sort)
        .attr("offset", offset)
        .attr("more", if offset + limit < total { "1" } else { "0" })
        .attr("total", total);
    for m in hits.iter().skip(offset).take(limit) {
        let mut el = if full { encode::msg_full(m, html, &headers) } else { encode::msg_summary(m, &sf(m)) };
        el.set("sf", sf(m));
        out.children.push(el);
    }
    Ok(out)
}

/// AddMsgRequest: stores raw MIME from `content` or an upload (`aid`).
pub fn add_msg(mb: &mut Mailbox, req: &El, upload: Option<Vec<u8>>) -> Result<El, Fault> {
    let m = req.first("m").ok_or_else(|| Fault::invalid("missing m"))?;
    let l = m.get("l").unwrap_or_default();
    let folder = match item_id(l) {
        Ok(id) => id,
        Err(_) => mb
            .folders
            .values()
            .find(|f| mb.path(f.id).eq_ignore_ascii_case(&format!("/{}", l.trim_start_matches('/'))))
            .map(|f| f.id)
            .ok_or_else(|| Fault::sender("mail.NO_SUCH_FOLDER", format!("no such folder path: {l}")))?,
    };
    if !mb.folders.contains_key(&folder) || Mailbox::hidden(folder) || folder == ROOT {
        return Err(Fault::no_such_folder(folder));
    }
    let raw = match (upload, m.first("content")) {
        (Some(bytes), _) => bytes,
        (None, Some(c)) => c.text.clone().into_bytes(),
        (None, None) => return Err(Fault::invalid("missing content or aid")),
    };
    let date = m.get("d").and_then(|d| d.parse().ok()).unwrap_or_else(super::now_ms);
    let flags: String = m.get("f").unwrap_or_default().chars().filter(|c| "rwfdsu!?".contains(*c)).collect();
    let id = mb.add_msg(folder, raw, &flags, date);
    let msg = mb.msgs.get(&id).ok_or_else(|| Fault::no_such_msg(&id.to_string()))?;
    let mut el =
        El::new("m").attr("id", id).attr("l", folder).attr("cid", msg.cid()).attr("d", date).attr("s", msg.raw.len());
    let f = msg.f();
    if !f.is_empty() {
        el.set("f", f);
    }
    Ok(resp("AddMsgResponse").child(el))
}

/// SyncRequest `token=`: items changed since, and tombstones grouped by type.
pub fn sync(mb: &Mailbox, req: &El) -> Result<El, Fault> {
    let token: u64 = match req.get("token") {
        Some(t) => t.parse().map_err(|_| Fault::invalid(format!("invalid sync token: {t}")))?,
        None => 0,
    };
    let mut out = resp("SyncResponse").attr("token", mb.change).attr("md", super::now_ms() / 1000);
    for f in mb.folders.values().filter(|f| f.ms > token && !Mailbox::hidden(f.id)) {
        out.children.push(
            El::new("folder")
                .attr("id", f.id)
                .attr("l", f.parent)
                .attr("name", &f.name)
                .attr("ms", f.ms)
                .attr("rev", f.created),
        );
    }
    for m in mb.msgs.values().filter(|m| m.ms > token) {
        out.children.push(
            El::new("m")
                .attr("id", m.id)
                .attr("l", m.folder)
                .attr("f", m.f())
                .attr("cid", m.cid())
                .attr("ms", m.ms)
                .attr("rev", m.rev),
        );
    }
    let gone = |k: Kind| {
        mb.tombstones
            .iter()
            .filter(|(c, _, kind)| *c > token && *kind == k)
            .map(|(_, id, _)| id.to_string())
            .collect::<Vec<_>>()
    };
    let (msgs, folders) = (gone(Kind::Msg), gone(Kind::Folder));
    if !msgs.is_empty() || !folders.is_empty() {
        let all: Vec<String> = msgs.iter().chain(folders.iter()).cloned().collect();
        let mut d = El::new("deleted").attr("ids", all.join(","));
        if !msgs.is_empty() {
            d.children.push(El::new("m").attr("ids", msgs.join(",")));
        }
        if !folders.is_empty() {
            d.children.push(El::new("folder").attr("ids", folders.join(",")));
        }
        out.children.push(d);
    }
    Ok(out)
}
