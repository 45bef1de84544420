//! Tests of source detection and of each format, on temporary directories.

#![allow(clippy::unwrap_used)]

use super::*;
use mailgate_backend::Flag;
use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

const MAIL: &str = "From: Jane Doe <jdoe@mailgate.example>\r\nTo: alewisohn@mailgate.example\r\nSubject: Hello\r\nDate: Mon, 5 Jan 2026 09:00:00 +0000\r\nMessage-ID: <m1@mailgate.example>\r\n\r\nHi Andy.\r\n";

fn write(path: &Path, text: &[u8]) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn set_mtime(path: &Path, secs: u64) {
    let file = fs::File::options().write(true).open(path).unwrap();
    file.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(secs)).unwrap();
}

fn subject(raw: &[u8]) -> String {
    mail_parser::MessageParser::new().parse(raw).unwrap().subject().unwrap_or_default().to_owned()
}

#[test]
fn maildir_flags_and_mtime() {
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("Maildir");
    fs::create_dir_all(md.join("tmp")).unwrap();
    write(&md.join("new/1767600000.M1P1.host"), MAIL.as_bytes());
    write(&md.join("new/1767600001.M2P1.host:2,S"), MAIL.as_bytes());
    write(&md.join("cur/1767600002.M3P1.host,S=200:2,FRS"), MAIL.as_bytes());
    write(&md.join("cur/1767600003.M4P1.host:2,DS"), MAIL.as_bytes());
    write(&md.join("cur/1767600004.M5P1.host:2,PT"), MAIL.as_bytes());
    write(&md.join("cur/.hidden"), b"not listed");
    write(&md.join("tmp/1767600005.M6P1.host"), MAIL.as_bytes()); // being delivered: skipped
    write(&md.join("dovecot-uidlist"), b"3 V1 N6\n");
    set_mtime(&md.join("cur/1767600002.M3P1.host,S=200:2,FRS"), 1_767_600_002);

    let source = open_source(&md).unwrap();
    assert_eq!(source.kind(), SourceKind::Maildir);
    assert_eq!(source.len_hint(), Some(5));
    let items: Vec<ImportItem> = source.map(|r| r.unwrap()).collect();
    let flags: Vec<Vec<Flag>> = items.iter().map(|i| i.flags.clone()).collect();
    assert_eq!(
        flags,
        vec![
            vec![],
            vec![], // new/ is unseen whatever the name says
            vec![Flag::Flagged, Flag::Answered, Flag::Seen],
            vec![Flag::Draft, Flag::Seen],
            vec![Flag::Forwarded],
        ]
    );
    assert_eq!(items[2].received_at, Some(1_767_600_002_000));
    assert!(items.iter().all(|i| i.received_at.is_some() && subject(&i.raw) == "Hello"));
    assert!(items[0].origin.ends_with("new/1767600000.M1P1.host"));
}

#[test]
fn maildir_bad_item_is_reported_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("cur/a:2,S"), b"\0\0\0binary");
    write(&dir.path().join("cur/b:2,S"), MAIL.as_bytes());
    fs::create_dir_all(dir.path().join("new")).unwrap();
    let results: Vec<_> = open_source(dir.path()).unwrap().collect();
    assert_eq!(results.len(), 2);
    let err = results[0].as_ref().unwrap_err().to_string();
    assert!(err.contains("cur/a:2,S") && err.contains("binary"), "{err}");
    assert!(results[1].is_ok());
}

#[test]
fn mbox_file_with_from_quoting() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("archive");
    let mbox = "From jdoe@mailgate.example Mon Jan  5 09:00:00 2026\n\
From: jdoe@mailgate.example\nSubject: First\n\n>From here on, quoted.\n>>From twice.\n\n\
From alewisohn@mailgate.example Tue Jan  6 10:30:00 2026\n\
From: alewisohn@mailgate.example\nSubject: Second\n\nbye\n\n";
    write(&path, mbox.as_bytes());
    let source = open_source(&path).unwrap();
    assert_eq!(source.kind(), SourceKind::Mbox);
    assert_eq!(source.len_hint(), None);
    let items: Vec<ImportItem> = source.map(|r| r.unwrap()).collect();
    assert_eq!(items.len(), 2);
    assert_eq!(subject(&items[0].raw), "First");
    assert!(String::from_utf8_lossy(&items[0].raw).ends_with("\n\nFrom here on, quoted.\n>From twice.\n"));
    assert_eq!(items[1].raw, b"From: alewisohn@mailgate.example\nSubject: Second\n\nbye\n");
    assert_eq!(items[1].received_at, Some(1_767_695_400_000));
    assert!(items.iter().all(|i| i.flags.is_empty()));
}

#[test]
fn empty_mbox() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["empty.mbox", "empty"] {
        let path = dir.path().join(name);
        write(&path, b"");
        let source = open_source(&path).unwrap();
        assert_eq!(source.kind(), SourceKind::Mbox);
        assert_eq!(source.count(), 0);
    }
}

#[test]
fn single_eml_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hello.EML");
    write(&path, MAIL.as_bytes());
    let source = open_source(&path).unwrap();
    assert_eq!(source.kind(), SourceKind::Eml);
    assert_eq!(source.len_hint(), Some(1));
    let items: Vec<ImportItem> = source.map(|r| r.unwrap()).collect();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].raw, MAIL.as_bytes());
    assert_eq!(items[0].received_at, Some(1_767_603_600_000)); // from Date:

    // A saved message with a leading From_ line: the line is dropped.
    let path = dir.path().join("saved.eml");
    write(&path, format!("From jdoe Mon Jan  5 09:00:00 2026\n{MAIL}").as_bytes());
    let item = open_source(&path).unwrap().next().unwrap().unwrap();
    assert_eq!(item.raw, MAIL.as_bytes());

    // Any other file is taken as one message, and checked.
    let path = dir.path().join("notes.txt");
    write(&path, b"remember the milk\n");
    let mut source = open_source(&path).unwrap();
    assert_eq!(source.kind(), SourceKind::Eml);
    let err = source.next().unwrap().unwrap_err();
    assert!(matches!(err, ImportError::NotAMessage { .. }));
    assert!(err.to_string().contains("notes.txt: not an email message"), "{err}");
}

#[test]
fn eml_directory_recursive_with_non_mail() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("export");
    write(&root.join("b.eml"), MAIL.as_bytes());
    write(&root.join("2026/01/a.eml"), MAIL.replace("Hello", "Nested").as_bytes());
    write(&root.join("README.txt"), b"These are my old mails.\n");
    write(&root.join(".DS_Store"), b"\0\0\0\x01Bud1");
    let source = open_source(&root).unwrap();
    assert_eq!(source.kind(), SourceKind::EmlDir);
    assert_eq!(source.len_hint(), Some(3));
    let results: Vec<_> = source.collect();
    assert_eq!(results.len(), 3);
    // Sorted by path: 2026/01/a.eml, README.txt, b.eml.
    assert_eq!(subject(&results[0].as_ref().unwrap().raw), "Nested");
    let err = results[1].as_ref().unwrap_err().to_string();
    assert!(err.contains("README.txt") && err.contains("not an email message"), "{err}");
    assert_eq!(subject(&results[2].as_ref().unwrap().raw), "Hello");
}

#[test]
fn unrecognized_and_missing_paths() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let err = open_source(&missing).unwrap_err();
    assert!(matches!(err, ImportError::NotFound { .. }));
    assert!(err.to_string().contains("nope: no such file or directory"), "{err}");

    let empty = dir.path().join("empty-dir");
    fs::create_dir(&empty).unwrap();
    let source = open_source(&empty).unwrap();
    assert_eq!(source.kind(), SourceKind::EmlDir);
    assert_eq!(source.count(), 0);
}

#[test]
fn oversized_eml_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.eml");
    let file = fs::File::create(&path).unwrap();
    file.set_len(MAX_MESSAGE_SIZE + 1).unwrap(); // sparse: no disk used
    let err = open_source(&path).unwrap().next().unwrap().unwrap_err();
    assert!(matches!(err, ImportError::TooLarge { .. }), "{err}");
}
