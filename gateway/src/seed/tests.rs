//! Tests of the whole demo dataset: determinism, volume, folders, attachments,
//! parsing with mail-parser, RFC 2047 names, and thread headers.

#![allow(clippy::unwrap_used)]

use super::attachment::{MAX_SIZE, MIN_SIZE};
use super::*;
use mail_parser::{HeaderValue, MessageParser, MimeHeaders};
use mailgate_backend::{Flag, MailboxRole};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};

fn digest(data: &DemoDataset) -> String {
    let mut hash = Sha256::new();
    for account in &data.accounts {
        hash.update(format!("{account:?}"));
    }
    for folder in &data.folders {
        hash.update(format!("{folder:?}"));
    }
    for m in data.messages() {
        hash.update(format!("{}|{:?}|{:?}|{}|", m.account, m.folder, m.flags, m.received_at));
        hash.update(&m.raw);
    }
    hex::encode(hash.finalize())
}

fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    match value {
        HeaderValue::Text(t) => vec![t.to_string()],
        HeaderValue::TextList(list) => list.iter().map(|t| t.to_string()).collect(),
        _ => Vec::new(),
    }
}

#[test]
fn dataset_is_deterministic() {
    let a = digest(&demo_dataset());
    let b = digest(&demo_dataset());
    assert_eq!(a, b);
}

#[test]
fn accounts_and_folders() {
    let data = demo_dataset();
    let names: Vec<&str> = data.accounts.iter().map(|a| a.username.as_str()).collect();
    assert_eq!(names, ["alewisohn", "jdoe", "mfisher"]);
    assert_eq!(data.accounts[0].display_name, "Andy Lewisohn");
    assert_eq!(data.accounts[1].address, "jdoe@mailgate.example");
    for account in &data.accounts {
        let paths: Vec<String> =
            data.folders.iter().filter(|f| f.account == account.username).map(|f| f.path.join("/")).collect();
        for want in ["Projects/Apollo", "Projects/Hermes", "Receipts/2026", "Newsletters"] {
            assert!(paths.iter().any(|p| p == want), "{want}");
        }
        // Parents come before children.
        for (i, path) in paths.iter().enumerate() {
            if let Some((parent, _)) = path.rsplit_once('/') {
                assert!(paths[..i].iter().any(|p| p == parent), "{path}");
            }
        }
    }
}

/// One pass over every message, checking everything that needs the bytes.
#[test]
fn messages_are_realistic_and_parse() {
    let data = demo_dataset();
    let parser = MessageParser::new();
    let accounts: HashSet<&str> = data.accounts.iter().map(|a| a.username.as_str()).collect();
    let mut total = 0usize;
    let mut with_attachments = 0usize;
    let mut bytes = 0usize;
    let mut folders: HashMap<String, usize> = HashMap::new();
    let mut attachment_types: HashSet<String> = HashSet::new();
    let mut sizes: Vec<usize> = Vec::new();
    let mut names: HashSet<String> = HashSet::new();
    let mut subjects: HashSet<String> = HashSet::new();
    let mut filenames: HashSet<String> = HashSet::new();
    let mut shapes: HashSet<(bool, bool)> = HashSet::new();
    let mut flag_counts: HashMap<Flag, usize> = HashMap::new();
    // message-id -> (subject, references)
    let mut threads: HashMap<String, (String, Vec<String>)> = HashMap::new();
    let mut replies: Vec<(String, Vec<String>, Vec<String>, String)> = Vec::new();
    let mut last_received = i64::MIN;

    for m in data.messages() {
        total += 1;
        bytes += m.raw.len();
        assert!(accounts.contains(m.account.as_str()));
        assert!(m.received_at >= last_received, "arrival order");
        last_received = m.received_at;
        assert!((1_767_571_200_000..1_767_571_200_000 + 101 * 86_400_000).contains(&m.received_at));
        *folders.entry(m.folder.display()).or_default() += 1;
        for f in &m.flags {
            *flag_counts.entry(*f).or_default() += 1;
        }
        let is_draft_folder = m.folder == FolderRef::Role(MailboxRole::Drafts);
        assert_eq!(m.flags.contains(&Flag::Draft), is_draft_folder);
        if m.folder == FolderRef::Role(MailboxRole::Sent) {
            assert!(m.flags.contains(&Flag::Seen));
        }

        let msg = parser.parse(&m.raw).unwrap_or_else(|| panic!("unparseable message {total}"));
        let subject = msg.subject().unwrap().to_owned();
        let message_id = msg.message_id().unwrap().to_owned();
        assert!(msg.date().is_some());
        for addr in msg.from().into_iter().chain(msg.to()).chain(msg.cc()).flat_map(|a| a.iter()) {
            assert!(addr.address().unwrap().contains('@'));
            if let Some(name) = addr.name() {
                names.insert(name.to_owned());
            }
        }
        shapes.insert((
            msg.text_body_count() > 0 && !msg.text_part(0).unwrap().is_text_html(),
            msg.html_body_count() > 0 && msg.html_part(0).unwrap().is_text_html(),
        ));
        if msg.attachment_count() > 0 {
            with_attachments += 1;
        }
        for part in msg.attachments() {
            let ct = part.content_type().unwrap();
            attachment_types.insert(format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or_default()));
            let contents = part.contents();
            sizes.push(contents.len());
            let name = part.attachment_name().unwrap().to_owned();
            if name.ends_with(".pdf") {
                assert!(contents.starts_with(b"%PDF-") && contents.ends_with(b"%%EOF\n"));
            } else if name.ends_with(".png") {
                assert!(contents.starts_with(b"\x89PNG\r\n\x1a\n"));
            } else if name.ends_with(".ics") {
                let text = String::from_utf8_lossy(contents);
                assert!(text.starts_with("BEGIN:VCALENDAR") && text.contains("METHOD:REQUEST"));
            }
            filenames.insert(name);
        }
        let in_reply_to = ids(msg.in_reply_to());
        let references = ids(msg.references());
        if !in_reply_to.is_empty() || !references.is_empty() {
            replies.push((subject.clone(), in_reply_to, references, m.account.clone()));
        }
        subjects.insert(subject.clone());
        threads.insert(message_id, (subject, ids(msg.references())));
    }

    assert!(total >= 1500, "{total} messages");
    assert!(with_attachments >= 200, "{with_attachments} with attachments");
    assert!(bytes < 150 * 1024 * 1024, "{bytes} bytes");
    for folder in [
        "Inbox",
        "Sent",
        "Drafts",
        "Trash",
        "Junk",
        "Archive",
        "Projects/Apollo",
        "Projects/Hermes",
        "Receipts/2026",
        "Newsletters",
    ] {
        assert!(folders.get(folder).copied().unwrap_or(0) > 0, "{folder} unused: {folders:?}");
    }
    for flag in Flag::ALL {
        assert!(flag_counts.get(&flag).copied().unwrap_or(0) > 0, "{flag:?} never set");
    }
    for t in ["application/pdf", "image/png", "text/calendar", "application/octet-stream"] {
        assert!(attachment_types.contains(t), "{t} missing: {attachment_types:?}");
    }
    assert!(sizes.iter().all(|s| (MIN_SIZE..=MAX_SIZE).contains(s)), "sizes out of range");
    assert!(sizes.contains(&MAX_SIZE), "a 5 MiB attachment");
    assert!(sizes.iter().filter(|s| **s > 1024 * 1024).count() >= 4, "several multi-MiB attachments");
    assert!(sizes.iter().filter(|s| **s < 64 * 1024).count() * 2 > sizes.len(), "most attachments small");
    // Plain-only, HTML-only and both.
    assert!(
        shapes.contains(&(true, false)) && shapes.contains(&(false, true)) && shapes.contains(&(true, true)),
        "{shapes:?}"
    );
    // RFC 2047 names and subjects decode.
    for name in ["José Müller", "Zoë Castellanos", "東京オフィス", "Дмитрий Иванов", "Привет", "Café Crème Club ☕"]
    {
        assert!(names.contains(name), "{name} not decoded: {names:?}");
    }
    type Script = (&'static str, fn(char) -> bool);
    let scripts: [Script; 4] = [
        ("Cyrillic", |c| ('\u{0400}'..='\u{04FF}').contains(&c)),
        ("Japanese", |c| ('\u{3040}'..='\u{30FF}').contains(&c) || ('\u{4E00}'..='\u{9FFF}').contains(&c)),
        ("Latin accents", |c| "éüöäåëèç".contains(c)),
        ("emoji", |c| c as u32 >= 0x1F300),
    ];
    for (script, is) in scripts {
        assert!(subjects.iter().any(|s| s.chars().any(is)), "no {script} subject");
    }
    assert!(filenames.contains("Vertrag_Müller.pdf") || filenames.contains("スクリーンショット.png"));

    // Threads: every reply's parent exists, its References end with the parent,
    // and its subject is the root subject with one "Re: ".
    assert!(replies.len() > 300, "{} replies", replies.len());
    let mut multi = 0;
    for (subject, in_reply_to, references, account) in &replies {
        assert_eq!(in_reply_to.len(), 1, "{subject}");
        let parent = &in_reply_to[0];
        let (parent_subject, parent_refs) = threads.get(parent).unwrap_or_else(|| panic!("{subject}: parent missing"));
        assert_eq!(references.last(), Some(parent), "{subject}");
        assert_eq!(&references[..references.len() - 1], parent_refs.as_slice(), "{subject}");
        let root = parent_subject.strip_prefix("Re: ").unwrap_or(parent_subject);
        assert_eq!(subject, &format!("Re: {root}"), "{account}");
        if references.len() >= 3 {
            multi += 1;
        }
    }
    assert!(multi > 20, "long threads: {multi}");
}
