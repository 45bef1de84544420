//! Items to elements, attribute for attribute (`ToXML.java` as summarized in
//! `reference/zimbra-soap.md` §5).

use super::mime::Part;
use super::store::{Folder, Mailbox, Msg, FLAG_ORDER};
use crate::xml::El;

/// `<e a d p t>`.
pub fn email(t: char, a: &str, p: Option<&str>) -> El {
    let mut e = El::new("e").attr("a", a);
    if let Some(p) = p {
        if let Some(first) = p.split_whitespace().next() {
            e.set("d", first);
        }
        e.set("p", p);
    }
    e.set("t", t);
    e
}

/// A search hit (`encodeMessageSummary`): sender only, subject, fragment.
pub fn msg_summary(m: &Msg, sf: &str) -> El {
    let mut el =
        El::new("m").attr("id", m.id).attr("s", m.raw.len()).attr("d", m.date).attr("l", m.folder).attr("cid", m.cid());
    let f = m.f();
    if !f.is_empty() {
        el.set("f", f);
    }
    el.set("sf", sf);
    if let Some((t, a, p)) = m.parsed.addrs.iter().find(|x| x.0 == 'f') {
        el.children.push(email(*t, a, p.as_deref()));
    }
    el.children.push(El::new("su").text(m.parsed.subject.clone()));
    el.children.push(El::new("fr").text(m.parsed.fragment.clone()));
    el
}

/// The full message (`encodeMessageAsMP`): `fr`, `e`s, `su`, `mid`, `header`s, one root `mp`.
pub fn msg_full(m: &Msg, html: bool, headers: &[String]) -> El {
    let mut el =
        El::new("m").attr("id", m.id).attr("s", m.raw.len()).attr("d", m.date).attr("l", m.folder).attr("cid", m.cid());
    let f = m.f();
    if !f.is_empty() {
        el.set("f", f);
    }
    if let Some(sd) = m.parsed.sent {
        el.set("sd", sd);
    }
    let p = &m.parsed;
    el.children.push(El::new("fr").text(p.fragment.clone()));
    for t in ['f', 's', 'r', 't', 'c', 'b'] {
        for (kind, a, name) in p.addrs.iter().filter(|x| x.0 == t) {
            el.children.push(email(*kind, a, name.as_deref()));
        }
    }
    el.children.push(El::new("su").text(p.subject.clone()));
    if let Some(mid) = &p.message_id {
        el.children.push(El::new("mid").text(format!("<{mid}>")));
    }
    for want in headers {
        for (n, v) in p.headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(want)) {
            el.children.push(El::new("header").attr("n", n).text(v.clone()));
        }
    }
    let body =
        if html { p.html_part.clone().or(p.text_part.clone()) } else { p.text_part.clone().or(p.html_part.clone()) };
    el.children.push(mp(&p.root, body.as_deref()));
    el
}

fn mp(part: &Part, body: Option<&str>) -> El {
    let mut el = El::new("mp").attr("part", &part.part).attr("ct", &part.ct);
    if part.ct.starts_with("multipart/") {
        el.children.extend(part.children.iter().map(|c| mp(c, body)));
        return el;
    }
    el.set("s", part.size);
    if let Some(cd) = &part.cd {
        el.set("cd", cd);
    }
    if let Some(f) = &part.filename {
        el.set("filename", f);
    }
    if let Some(ci) = &part.ci {
        el.set("ci", ci);
    }
    if body == Some(part.part.as_str()) {
        el.set("body", "1");
        el.children.push(El::new("content").text(part.text.clone().unwrap_or_default()));
    }
    el
}

/// A folder and, recursively, its visible subfolders.
pub fn folder(mb: &Mailbox, f: &Folder) -> El {
    let (n, u) = mb.counts(f.id);
    let size: usize = mb.msgs.values().filter(|m| m.folder == f.id).map(|m| m.raw.len()).sum();
    let mut flags = f.flags.clone();
    if u > 0 {
        flags.push('u');
    }
    let flags: String = FLAG_ORDER.chars().filter(|c| flags.contains(*c)).collect();
    let mut el = El::new("folder")
        .attr("id", f.id)
        .attr("uuid", format!("{}-{:012}", &mb.zimbra_id[..23.min(mb.zimbra_id.len())], f.id))
        .attr("deletable", if f.id >= super::store::FIRST_USER_ID { "1" } else { "0" })
        .attr("name", &f.name)
        .attr("absFolderPath", mb.path(f.id))
        .attr("l", f.parent);
    if !flags.is_empty() {
        el.set("f", flags);
    }
    el.set("u", u);
    if let Some(v) = f.view {
        el.set("view", v);
    }
    el.set("rev", f.created);
    el.set("ms", f.ms);
    el.set("n", n);
    el.set("s", size);
    el.set("i4ms", f.ms);
    el.set("i4next", mb.next_id);
    for c in mb.folders.values().filter(|c| c.parent == f.id && c.id != f.id && !Mailbox::hidden(c.id)) {
        el.children.push(folder(mb, c));
    }
    el
}
