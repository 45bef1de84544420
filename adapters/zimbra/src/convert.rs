//! Zimbra elements to our domain types. Zimbra's attribute names end here.

use crate::xml::El;
use mailgate_backend::{
    Address, AddressKind, Attachment, BlobId, Flags, Header, Mailbox, MailboxId, MailboxRole, Message, MessageId,
    ThreadId,
};

/// Header fields we ask GetMsg/Search for, so that `headers`, `In-Reply-To` and `References` are filled.
pub const HEADERS: &[&str] = &["From", "To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To", "References"];

/// The blob id of a message's raw bytes.
pub fn raw_blob(id: &str) -> BlobId {
    BlobId(id.to_owned())
}

/// Splits a blob id into `(item id, part)`.
pub fn split_blob(b: &BlobId) -> Option<(&str, Option<&str>)> {
    let (id, part) = match b.0.split_once('/') {
        Some((i, p)) => (i, Some(p)),
        None => (b.0.as_str(), None),
    };
    let ok_id = !id.is_empty() && id.len() < 12 && id.bytes().all(|c| c.is_ascii_digit());
    let ok_part = part.is_none_or(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit() || c == b'.'));
    (ok_id && ok_part).then_some((id, part))
}

/// Whether `s` is a Zimbra item id (positive decimal).
pub fn is_item_id(s: &str) -> bool {
    !s.is_empty() && s.len() < 12 && s.bytes().all(|c| c.is_ascii_digit())
}

/// Whether `s` is a conversation id (`-123` virtual or `123` real).
pub fn is_conv_id(s: &str) -> bool {
    is_item_id(s.strip_prefix('-').unwrap_or(s))
}

fn role(id: &str, parent: &str, name: &str) -> Option<MailboxRole> {
    match id {
        "2" => Some(MailboxRole::Inbox),
        "3" => Some(MailboxRole::Trash),
        "4" => Some(MailboxRole::Junk),
        "5" => Some(MailboxRole::Sent),
        "6" => Some(MailboxRole::Drafts),
        // Zimbra has no archive system folder; sites use a top-level "Archive" folder.
        _ if parent == "1" && name.eq_ignore_ascii_case("archive") => Some(MailboxRole::Archive),
        _ => None,
    }
}

/// The mail folders of a GetFolderResponse tree: message views and Trash;
/// USER_ROOT and the IM folder Chats (14) are left out.
pub fn mailboxes(root: &El) -> Vec<Mailbox> {
    let mut out = Vec::new();
    walk(root, &mut out, 0);
    out
}

fn walk(f: &El, out: &mut Vec<Mailbox>, depth: usize) {
    let id = f.get("id").unwrap_or_default();
    let view = f.get("view");
    let mail = matches!(view, None | Some("message") | Some("conversation"));
    if id != "1" && id != "14" && mail && f.name == "folder" {
        let parent = f.get("l").unwrap_or("1");
        let name = f.get("name").unwrap_or_default();
        out.push(Mailbox {
            id: MailboxId(id.to_owned()),
            name: name.to_owned(),
            parent_id: (parent != "1").then(|| MailboxId(parent.to_owned())),
            role: role(id, parent, name),
            total: f.get("n").and_then(|n| n.parse().ok()).unwrap_or(0),
            unread: f.get("u").and_then(|n| n.parse().ok()).unwrap_or(0),
        });
    }
    if depth < 64 {
        for c in f.all("folder") {
            walk(c, out, depth + 1);
        }
    }
}

/// The flags of an `f` attribute.
pub fn flags(f: &str) -> Flags {
    Flags {
        seen: !f.contains('u'),
        flagged: f.contains('f'),
        answered: f.contains('r'),
        forwarded: f.contains('w'),
        draft: f.contains('d'),
    }
}

fn msg_ids(v: &str) -> Vec<String> {
    v.split_whitespace().map(|s| s.trim_matches(['<', '>', ',']).to_owned()).filter(|s| !s.is_empty()).collect()
}

fn collect_parts<'a>(mp: &'a El, out: &mut Vec<&'a El>, depth: usize) {
    if mp.all("mp").next().is_none() {
        out.push(mp);
    } else if depth < 64 {
        for c in mp.all("mp") {
            collect_parts(c, out, depth + 1);
        }
    }
}

/// A full `<m>` (GetMsg, or a Search hit with `fetch=all`) as a [`Message`].
pub fn message(account: &str, m: &El) -> Option<Message> {
    let id = m.get("id")?.to_owned();
    let num = |n: &str| m.get(n).and_then(|v| v.parse::<i64>().ok());
    let mut addresses = Vec::new();
    for e in m.all("e") {
        let kind = match e.get("t") {
            Some("f") => AddressKind::From,
            Some("s") => AddressKind::Sender,
            Some("r") => AddressKind::ReplyTo,
            Some("t") => AddressKind::To,
            Some("c") => AddressKind::Cc,
            Some("b") => AddressKind::Bcc,
            _ => continue,
        };
        let Some(email) = e.get("a") else { continue };
        addresses.push(Address { email: email.to_owned(), name: e.get("p").map(str::to_owned), kind });
    }
    let headers: Vec<Header> = m
        .all("header")
        .map(|h| Header { name: h.get("n").unwrap_or_default().to_owned(), value: h.text.clone() })
        .collect();
    let header = |n: &str| {
        headers.iter().filter(|h| h.name.eq_ignore_ascii_case(n)).flat_map(|h| msg_ids(&h.value)).collect::<Vec<_>>()
    };
    let mut leaves = Vec::new();
    if let Some(root) = m.first("mp") {
        collect_parts(root, &mut leaves, 0);
    }
    let (mut text_body, mut html_body, mut attachments) = (None, None, Vec::new());
    for p in leaves {
        let ct = p.get("ct").unwrap_or("application/octet-stream").to_ascii_lowercase();
        let part = p.get("part").unwrap_or("1");
        if p.get("body") == Some("1") {
            let content = p.first("content").map(|c| c.text.clone()).unwrap_or_default();
            if ct == "text/html" {
                html_body = Some(content);
            } else {
                text_body = Some(content);
            }
            continue;
        }
        let cd = p.get("cd").map(str::to_ascii_lowercase);
        let filename = p.get("filename").map(str::to_owned);
        if cd.as_deref() == Some("attachment") || filename.is_some() || !ct.starts_with("text/") {
            attachments.push(Attachment {
                part_id: part.to_owned(),
                filename,
                content_type: ct,
                size: p.get("s").and_then(|s| s.parse().ok()).unwrap_or(0),
                disposition: cd,
                content_id: p.get("ci").map(|c| c.trim_matches(['<', '>']).to_owned()),
                blob_id: BlobId(format!("{id}/{part}")),
            });
        }
    }
    let text = |n: &str| m.first(n).map(|e| e.text.clone()).unwrap_or_default();
    Some(Message {
        id: MessageId(id.clone()),
        account: account.to_owned(),
        thread_id: ThreadId(m.get("cid").map(str::to_owned).unwrap_or_else(|| format!("-{id}"))),
        mailbox_ids: m.get("l").map(|l| vec![MailboxId(l.to_owned())]).unwrap_or_default(),
        flags: flags(m.get("f").unwrap_or_default()),
        size: num("s").unwrap_or(0).max(0) as u64,
        received_at: num("d").unwrap_or(0),
        sent_at: num("sd"),
        message_id_header: m
            .first("mid")
            .map(|e| e.text.trim().trim_matches(['<', '>']).to_owned())
            .filter(|s| !s.is_empty()),
        in_reply_to: header("In-Reply-To"),
        references: header("References"),
        addresses,
        subject: text("su"),
        preview: text("fr"),
        text_body,
        html_body,
        headers,
        attachments,
        raw_blob: raw_blob(&id),
    })
}
