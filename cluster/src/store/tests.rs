//! State machine tests: apply commands to a [`MailStore`] directly (no Raft).

#![allow(clippy::unwrap_used)]

use super::apply::{apply_command, Outcome};
use super::MailStore;
use crate::command::{ApplyErrorKind, Command};
use mailgate_backend::{
    ChangeRequest, ErrorKind, Flag, MailChange, Mailbox, MailboxId, MailboxRole, MessageId, MessageQuery, RequestId,
    State, ThreadId,
};

struct Fx {
    _dir: tempfile::TempDir,
    store: MailStore,
    seq: u32,
}

impl Fx {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = MailStore::open(dir.path()).unwrap();
        let mut fx = Fx { _dir: dir, store, seq: 0 };
        fx.ok(MailChange::CreateAccount {
            display_name: "Ann".into(),
            address: "ann@example.com".into(),
            legacy: None,
        });
        fx
    }

    fn apply_as(&mut self, account: &str, request_id: &str, change: MailChange) -> Outcome {
        let cmd = Command {
            account: account.into(),
            request: ChangeRequest { request_id: RequestId::from(request_id), change },
        };
        let store = &self.store;
        store.write(|t| apply_command(t, store.blobs(), &cmd)).unwrap()
    }

    fn apply(&mut self, change: MailChange) -> Outcome {
        self.seq += 1;
        let id = format!("r{}", self.seq);
        self.apply_as("ann", &id, change)
    }

    fn ok(&mut self, change: MailChange) -> mailgate_backend::ChangeOutcome {
        self.apply(change).unwrap()
    }

    fn boxes(&self) -> Vec<Mailbox> {
        self.store.read().unwrap().mailboxes("ann").unwrap()
    }

    fn role(&self, role: MailboxRole) -> Mailbox {
        self.boxes().into_iter().find(|m| m.role == Some(role)).unwrap()
    }

    fn import(&mut self, raw: &str, at: i64) -> MessageId {
        let inbox = self.role(MailboxRole::Inbox).id;
        let out = self.ok(MailChange::Import {
            mailbox: inbox,
            raw: raw.as_bytes().to_vec(),
            flags: vec![],
            received_at: Some(at),
        });
        out.messages[0].clone()
    }

    fn thread_of(&self, id: &MessageId) -> ThreadId {
        let r = self.store.read().unwrap();
        r.messages("ann", std::slice::from_ref(id)).unwrap()[id].thread_id.clone()
    }

    fn thread_members(&self, t: &ThreadId) -> Vec<MessageId> {
        let r = self.store.read().unwrap();
        r.threads("ann", std::slice::from_ref(t)).unwrap().get(t).map(|t| t.message_ids.clone()).unwrap_or_default()
    }
}

fn mail(subject: &str, msgid: &str, extra: &str) -> String {
    format!("From: a@x\r\nTo: b@x\r\nSubject: {subject}\r\nMessage-ID: <{msgid}>\r\n{extra}\r\nbody of {msgid}\r\n")
}

#[test]
fn create_account_is_idempotent_with_system_mailboxes() {
    let mut fx = Fx::new();
    let boxes = fx.boxes();
    assert_eq!(boxes.len(), 6);
    for role in MailboxRole::ALL {
        let m = boxes.iter().find(|m| m.role == Some(role)).unwrap();
        assert_eq!(m.name, role.default_name());
    }
    let out = fx.ok(MailChange::CreateAccount { display_name: "Other".into(), address: "o@x".into(), legacy: None });
    assert_eq!(out.state, State::from("1"));
    assert_eq!(fx.boxes().len(), 6);
    let acct = fx.store.read().unwrap().account("ann").unwrap();
    assert_eq!(acct.display_name, "Ann");
    assert_eq!(acct.sources[0].name, "ann@example.com");
    assert!(acct.sources[0].primary);
}

#[test]
fn threading_by_references_both_directions_and_subject() {
    let mut fx = Fx::new();
    let parent = fx.import(&mail("Topic", "p@x", ""), 100);
    let reply = fx.import(&mail("Re: Topic", "r@x", "In-Reply-To: <p@x>\r\n"), 200);
    assert_eq!(fx.thread_of(&parent), fx.thread_of(&reply));
    // A child that arrives before its parent: the parent joins the child's thread.
    let child = fx.import(&mail("Other", "c2@x", "References: <p2@x>\r\n"), 300);
    let parent2 = fx.import(&mail("Other", "p2@x", ""), 50);
    assert_eq!(fx.thread_of(&child), fx.thread_of(&parent2));
    assert_eq!(fx.thread_members(&fx.thread_of(&child)), vec![parent2.clone(), child.clone()], "date order");
    // Subject fallback needs a reply prefix.
    let fwd = fx.import(&mail("Fwd: [list] topic", "f@x", ""), 400);
    assert_eq!(fx.thread_of(&fwd), fx.thread_of(&parent));
    let same_subject = fx.import(&mail("Topic", "s@x", ""), 500);
    assert_ne!(fx.thread_of(&same_subject), fx.thread_of(&parent));
    let unrelated = fx.import(&mail("Re:", "u@x", ""), 600);
    assert_ne!(fx.thread_of(&unrelated), fx.thread_of(&parent));
    assert_eq!(fx.thread_members(&fx.thread_of(&parent)), vec![parent, reply, fwd]);
}

#[test]
fn repeated_request_id_returns_the_stored_outcome() {
    let mut fx = Fx::new();
    let inbox = fx.role(MailboxRole::Inbox).id;
    let change = MailChange::Import {
        mailbox: inbox.clone(),
        raw: mail("D", "d@x", "").into_bytes(),
        flags: vec![],
        received_at: Some(1),
    };
    let first = fx.apply_as("ann", "same", change.clone()).unwrap();
    let second = fx.apply_as("ann", "same", change).unwrap();
    assert_eq!(first, second);
    assert_eq!(fx.role(MailboxRole::Inbox).total, 1);
    // A stored error is returned again too, even once the cause is gone.
    let bad = MailChange::CreateMailbox { name: "Inbox".into(), parent: None };
    let e1 = fx.apply_as("ann", "err", bad.clone()).unwrap_err();
    assert_eq!(e1.kind, ApplyErrorKind::Conflict);
    assert_eq!(fx.apply_as("ann", "err", bad).unwrap_err(), e1);
}

#[test]
fn flags_moves_and_counts() {
    let mut fx = Fx::new();
    let a = fx.import(&mail("A", "a@x", ""), 1);
    let b = fx.import(&mail("B", "b@x", ""), 2);
    assert_eq!((fx.role(MailboxRole::Inbox).total, fx.role(MailboxRole::Inbox).unread), (2, 2));
    let out = fx.ok(MailChange::SetFlags {
        ids: vec![a.clone(), MessageId::from("999"), MessageId::from("x")],
        flags: vec![Flag::Seen],
        value: true,
    });
    assert_eq!(out.messages, vec![a.clone()]);
    assert_eq!(out.not_found, vec![MessageId::from("999"), MessageId::from("x")]);
    assert_eq!(fx.role(MailboxRole::Inbox).unread, 1);
    let archive = fx.role(MailboxRole::Archive).id;
    fx.ok(MailChange::Move { ids: vec![a.clone(), b.clone()], to: archive.clone() });
    assert_eq!((fx.role(MailboxRole::Inbox).total, fx.role(MailboxRole::Inbox).unread), (0, 0));
    assert_eq!((fx.role(MailboxRole::Archive).total, fx.role(MailboxRole::Archive).unread), (2, 1));
    let err = fx.apply(MailChange::Move { ids: vec![a], to: MailboxId::from("12345") }).unwrap_err();
    assert_eq!(err.kind, ApplyErrorKind::NotFound);
}

#[test]
fn delete_moves_to_trash_then_destroys() {
    let mut fx = Fx::new();
    let a = fx.import(&mail("A", "a@x", ""), 1);
    let r = fx.import(&mail("Re: A", "ra@x", "In-Reply-To: <a@x>\r\n"), 2);
    let thread = fx.thread_of(&a);
    let before = fx.store.read().unwrap().state("ann").unwrap();
    let out = fx.ok(MailChange::Delete { ids: vec![a.clone()] });
    assert_eq!(out.messages, vec![a.clone()]);
    assert!(out.destroyed.is_empty());
    assert_eq!(fx.role(MailboxRole::Trash).total, 1);
    let out = fx.ok(MailChange::Delete { ids: vec![a.clone()] });
    assert_eq!(out.destroyed, vec![a.clone()]);
    assert_eq!(fx.role(MailboxRole::Trash).total, 0);
    assert_eq!(fx.thread_members(&thread), vec![r.clone()]);
    let reader = fx.store.read().unwrap();
    assert!(reader.messages("ann", std::slice::from_ref(&a)).unwrap().is_empty());
    let changes = reader.changes("ann", &before).unwrap();
    assert_eq!(changes.destroyed, vec![a]);
    assert!(changes.updated.is_empty());
    assert!(changes.created.is_empty());
}

#[test]
fn mailbox_lifecycle_and_refusals() {
    let mut fx = Fx::new();
    let empty = fx.apply(MailChange::CreateMailbox { name: "  ".into(), parent: None }).unwrap_err();
    assert_eq!(empty.kind, ApplyErrorKind::InvalidInput);
    let work = fx.ok(MailChange::CreateMailbox { name: "Work".into(), parent: None }).mailbox.unwrap();
    let dup = fx.apply(MailChange::CreateMailbox { name: "work".into(), parent: None }).unwrap_err();
    assert_eq!(dup.kind, ApplyErrorKind::Conflict);
    let child = fx.ok(MailChange::CreateMailbox { name: "Work".into(), parent: Some(work.clone()) }).mailbox.unwrap();
    let orphan =
        fx.apply(MailChange::CreateMailbox { name: "X".into(), parent: Some(MailboxId::from("777")) }).unwrap_err();
    assert_eq!(orphan.kind, ApplyErrorKind::NotFound);
    let inbox = fx.role(MailboxRole::Inbox).id;
    assert_eq!(
        fx.apply(MailChange::RenameMailbox { id: inbox.clone(), name: "In".into() }).unwrap_err().kind,
        ApplyErrorKind::Conflict
    );
    assert_eq!(fx.apply(MailChange::DeleteMailbox { id: inbox }).unwrap_err().kind, ApplyErrorKind::Conflict);
    fx.ok(MailChange::RenameMailbox { id: work.clone(), name: "Job".into() });
    assert!(fx.boxes().iter().any(|m| m.name == "Job"));
    assert_eq!(
        fx.apply(MailChange::DeleteMailbox { id: work.clone() }).unwrap_err().kind,
        ApplyErrorKind::Conflict,
        "has a child"
    );
    let m = fx.import(&mail("M", "m@x", ""), 1);
    fx.ok(MailChange::Move { ids: vec![m.clone()], to: child.clone() });
    fx.ok(MailChange::DeleteMailbox { id: child.clone() });
    let trash = fx.role(MailboxRole::Trash);
    assert_eq!(trash.total, 1);
    let r = fx.store.read().unwrap();
    assert_eq!(r.messages("ann", std::slice::from_ref(&m)).unwrap()[&m].mailbox_ids, vec![trash.id]);
    assert!(!fx.boxes().iter().any(|b| b.id == child));
}

#[test]
fn changes_windows_and_bad_states() {
    let mut fx = Fx::new();
    let s0 = fx.store.read().unwrap().state("ann").unwrap();
    let from_zero = fx.store.read().unwrap().changes("ann", &State::from("0")).unwrap();
    assert_eq!(from_zero.mailboxes_created.len(), 6);
    let a = fx.import(&mail("A", "a@x", ""), 1);
    let s1 = fx.store.read().unwrap().state("ann").unwrap();
    let b = fx.import(&mail("B", "b@x", ""), 2);
    fx.ok(MailChange::SetFlags { ids: vec![a.clone()], flags: vec![Flag::Flagged], value: true });
    let r = fx.store.read().unwrap();
    let c = r.changes("ann", &s0).unwrap();
    assert_eq!(c.created, vec![a.clone(), b.clone()]);
    assert!(c.updated.is_empty(), "created since: not also updated");
    let inbox = fx.role(MailboxRole::Inbox).id;
    assert_eq!(c.mailboxes_updated, vec![inbox]);
    let c = r.changes("ann", &s1).unwrap();
    assert_eq!(c.created, vec![b]);
    assert_eq!(c.updated, vec![a]);
    let now = r.state("ann").unwrap();
    let c = r.changes("ann", &now).unwrap();
    assert!(c.created.is_empty() && c.updated.is_empty() && c.destroyed.is_empty());
    assert_eq!(r.changes("ann", &State::from("abc")).unwrap_err().kind, ErrorKind::InvalidInput);
    assert_eq!(r.changes("ann", &State::from("99999")).unwrap_err().kind, ErrorKind::InvalidInput);
    assert_eq!(r.changes("nobody", &State::from("0")).unwrap_err().kind, ErrorKind::NotFound);
}

#[test]
fn malformed_mime_is_stored_and_searchable_by_raw_blob() {
    let mut fx = Fx::new();
    let inbox = fx.role(MailboxRole::Inbox).id;
    let raw = b"\xff\xfe not a message at all \x00\x01".to_vec();
    let out =
        fx.ok(MailChange::Import { mailbox: inbox, raw: raw.clone(), flags: vec![Flag::Seen], received_at: Some(7) });
    let id = out.messages[0].clone();
    let r = fx.store.read().unwrap();
    let m = &r.messages("ann", std::slice::from_ref(&id)).unwrap()[&id];
    assert_eq!(m.size, raw.len() as u64);
    assert!(m.addresses.is_empty());
    assert_eq!(fx.store.blobs().get(m.raw_blob.as_str()).unwrap(), raw);
    assert!(r.owns_blob("ann", &m.raw_blob).unwrap());
    let page = r
        .query("ann", &MessageQuery { mailbox: None, filter: None, sort: Default::default(), offset: 0, limit: 5 })
        .unwrap();
    assert_eq!(page.total, 1);
}

#[test]
fn a_deeply_nested_message_is_stored_without_crashing_the_apply() {
    // 20,000 nested message/rfc822 parts: mail-parser's recursive drop of the
    // parsed tree overflowed the apply thread's stack and aborted the node (and
    // every replica, on every replay of the log). A small stack makes the old
    // failure certain.
    let outcome = std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(|| {
            let mut fx = Fx::new();
            let raw =
                "Subject: nest\r\nContent-Type: message/rfc822\r\n\r\n".repeat(20_000) + "Subject: end\r\n\r\nx\r\n";
            let id = fx.import(&raw, 1);
            let r = fx.store.read().unwrap();
            r.messages("ann", std::slice::from_ref(&id)).unwrap()[&id].subject.clone()
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(outcome, "nest");
}

#[test]
fn unknown_account_or_mailbox_is_not_found() {
    let mut fx = Fx::new();
    let e = fx.apply_as("ghost", "g", MailChange::Delete { ids: vec![] }).unwrap_err();
    assert_eq!(e.kind, ApplyErrorKind::NotFound);
    let e = fx
        .apply(MailChange::Import {
            mailbox: MailboxId::from("4242"),
            raw: b"x".to_vec(),
            flags: vec![],
            received_at: Some(1),
        })
        .unwrap_err();
    assert_eq!(e.kind, ApplyErrorKind::NotFound);
    assert_eq!(fx.role(MailboxRole::Inbox).total, 0);
}

/// A deterministic pseudo-random sequence (no dependency, same run every time).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn ids_of(page: &mailgate_backend::Page<mailgate_backend::Message>) -> Vec<String> {
    page.items.iter().map(|m| m.id.as_str().to_owned()).collect()
}

/// The index path and the scan path agree on every page, total and error.
fn assert_paths_agree(fx: &Fx, scopes: &[Option<MailboxId>]) {
    let r = fx.store.read().unwrap();
    let query = |mailbox: &Option<MailboxId>, descending, offset, limit| MessageQuery {
        mailbox: mailbox.clone(),
        filter: None,
        sort: mailgate_backend::Sort { key: mailgate_backend::SortKey::ReceivedAt, descending },
        offset,
        limit,
    };
    for mailbox in scopes {
        for descending in [true, false] {
            // The scan path pages by skip/take over one sorted list: scan it once, slice it per page.
            let full = match r.query_scan("ann", &query(mailbox, descending, 0, usize::MAX)) {
                Ok(p) => p,
                Err(e) => {
                    let q = query(mailbox, descending, 0, 10);
                    assert_eq!(r.query_by_date("ann", &q).unwrap_err().kind, e.kind, "{q:?}");
                    assert_eq!(r.query("ann", &q).unwrap_err().kind, e.kind, "{q:?}");
                    continue;
                }
            };
            for offset in [0, 1, 3, 7, 50, 119, 1000] {
                for limit in [0, 1, 5, 50, 500] {
                    let q = query(mailbox, descending, offset, limit);
                    let page = r.query_by_date("ann", &q).unwrap();
                    let want: Vec<_> = full.items.iter().skip(offset).take(limit).cloned().collect();
                    assert_eq!(page.items, want, "{q:?}");
                    assert_eq!(page.total, full.total, "{q:?}");
                }
            }
            // The public entry point takes the index path for this query.
            let q = query(mailbox, descending, 2, 50);
            let want: Vec<_> = full.items.iter().skip(2).take(50).cloned().collect();
            assert_eq!(r.query("ann", &q).unwrap().items, want, "{q:?}");
        }
    }
}

fn all_scopes(fx: &Fx) -> Vec<Option<MailboxId>> {
    let mut scopes: Vec<Option<MailboxId>> = vec![None, Some(MailboxId::from("999999")), Some(MailboxId::from("x"))];
    scopes.extend(fx.boxes().into_iter().map(|m| Some(m.id)));
    scopes
}

#[test]
fn ordering_index_pages_like_the_scan_through_imports_moves_and_deletes() {
    let mut fx = Fx::new();
    let a = fx.ok(MailChange::CreateMailbox { name: "A".into(), parent: None }).mailbox.unwrap();
    let b = fx.ok(MailChange::CreateMailbox { name: "B".into(), parent: None }).mailbox.unwrap();
    // Another account's mail must never show up in ann's pages.
    fx.apply_as(
        "bob",
        "bob-acct",
        MailChange::CreateAccount { display_name: "Bob".into(), address: "b@x".into(), legacy: None },
    )
    .unwrap();
    let inbox = fx.role(MailboxRole::Inbox).id;
    let archive = fx.role(MailboxRole::Archive).id;
    let targets = [inbox.clone(), a.clone(), b.clone(), archive.clone()];
    let mut rng = Lcg(42);
    let mut live: Vec<MessageId> = Vec::new();
    // Few distinct dates (negative ones included) so that ties are the rule, not the exception.
    let dates = [-5_000, 0, 1_000, 1_000_000, 1_700_000_000_000];
    for i in 0..120 {
        let at = dates[rng.below(dates.len() as u64) as usize];
        let mailbox = targets[rng.below(targets.len() as u64) as usize].clone();
        let raw = mail(&format!("m{i}"), &format!("m{i}@x"), "");
        let out =
            fx.ok(MailChange::Import { mailbox, raw: raw.clone().into_bytes(), flags: vec![], received_at: Some(at) });
        live.push(out.messages[0].clone());
        if i % 10 == 0 {
            let bob_box = fx.store.read().unwrap().mailboxes("bob").unwrap()[0].id.clone();
            fx.apply_as(
                "bob",
                &format!("bob-{i}"),
                MailChange::Import { mailbox: bob_box, raw: raw.into_bytes(), flags: vec![], received_at: Some(at) },
            )
            .unwrap();
        }
    }
    assert_paths_agree(&fx, &all_scopes(&fx));

    for round in 0..60 {
        let pick = live[rng.below(live.len() as u64) as usize].clone();
        match rng.below(4) {
            0 | 1 => {
                let to = targets[rng.below(targets.len() as u64) as usize].clone();
                fx.ok(MailChange::Move { ids: vec![pick], to });
            }
            2 => {
                // Twice: first to Trash, then destroyed.
                fx.ok(MailChange::Delete { ids: vec![pick.clone()] });
                if round % 2 == 0 {
                    fx.ok(MailChange::Delete { ids: vec![pick.clone()] });
                    live.retain(|m| *m != pick);
                }
            }
            _ => {
                fx.ok(MailChange::SetFlags { ids: vec![pick], flags: vec![Flag::Seen], value: true });
            }
        }
        if round % 15 == 0 {
            assert_paths_agree(&fx, &all_scopes(&fx));
        }
    }
    assert_paths_agree(&fx, &all_scopes(&fx));

    // Deleting a mailbox sends its messages to Trash; the index follows.
    let scopes_before = all_scopes(&fx);
    fx.ok(MailChange::DeleteMailbox { id: b.clone() });
    assert_paths_agree(&fx, &scopes_before);
    assert_paths_agree(&fx, &all_scopes(&fx));

    // Mailbox totals and the index's counts agree.
    let r = fx.store.read().unwrap();
    for mb in fx.boxes() {
        let q = MessageQuery {
            mailbox: Some(mb.id.clone()),
            filter: None,
            sort: mailgate_backend::Sort::default(),
            offset: 0,
            limit: 0,
        };
        assert_eq!(r.query_by_date("ann", &q).unwrap().total, mb.total as usize, "{}", mb.name);
    }
}

#[test]
fn a_data_dir_without_the_ordering_index_is_indexed_on_open() {
    use super::tables as tb;
    use redb::ReadableDatabase;
    let mut fx = Fx::new();
    let mut rng = Lcg(7);
    for i in 0..40 {
        fx.import(&mail(&format!("s{i}"), &format!("s{i}@x"), ""), rng.below(5) as i64 * 100);
    }
    let archive = fx.role(MailboxRole::Archive).id;
    let first = fx.store.read().unwrap().query_scan(
        "ann",
        &MessageQuery { mailbox: None, filter: None, sort: mailgate_backend::Sort::default(), offset: 0, limit: 5 },
    );
    fx.ok(MailChange::Move { ids: ids_of(&first.unwrap()).into_iter().map(MessageId::from).collect(), to: archive });
    let Fx { _dir: dir, store, .. } = fx;
    drop(store);

    // Make it look like a data dir written before the index: no tables, no schema version.
    {
        let db = redb::Database::open(dir.path().join("sm.redb")).unwrap();
        let txn = db.begin_write().unwrap();
        txn.delete_table(tb::ORDER).unwrap();
        txn.delete_table(tb::ORDER_COUNTS).unwrap();
        txn.open_table(tb::META).unwrap().remove(super::order::SCHEMA_KEY).unwrap();
        txn.commit().unwrap();
        let r = db.begin_read().unwrap();
        assert!(r.open_table(tb::ORDER).is_err());
    }

    let store = MailStore::open(dir.path()).unwrap();
    let fx = Fx { _dir: dir, store, seq: 1000 };
    assert_paths_agree(&fx, &all_scopes(&fx));
    let page = fx.store.read().unwrap().query(
        "ann",
        &MessageQuery { mailbox: None, filter: None, sort: mailgate_backend::Sort::default(), offset: 0, limit: 50 },
    );
    assert_eq!(page.unwrap().total, 40);
}

#[test]
fn set_source_adds_a_legacy_source_and_cutover_moves_primary() {
    use mailgate_backend::{Source, SourceKind};
    let mut fx = Fx::new();
    let sources = |fx: &Fx| fx.store.read().unwrap().account("ann").unwrap().sources;
    let legacy = |primary: bool, read_only: bool| Source {
        name: "ann@legacy.example".into(),
        kind: SourceKind::Zimbra,
        primary,
        read_only,
    };
    // Before migration the legacy mailbox serves: it takes primary from native.
    fx.ok(MailChange::SetSource { source: legacy(true, false) });
    let now = sources(&fx);
    assert_eq!(now.len(), 2);
    assert!(!now[0].primary, "native gave primary away");
    assert_eq!(now[1], legacy(true, false));
    // Cutover: the legacy source read-only, then native primary again.
    fx.ok(MailChange::SetSource { source: legacy(true, true) });
    let native = Source { name: "ann@example.com".into(), kind: SourceKind::Native, primary: true, read_only: false };
    fx.ok(MailChange::SetSource { source: native.clone() });
    assert_eq!(sources(&fx), vec![native.clone(), legacy(false, true)]);
    // Leaving no primary source is refused and changes nothing.
    let demoted = Source { primary: false, ..native };
    let err = fx.apply(MailChange::SetSource { source: demoted }).unwrap_err();
    assert_eq!(err.kind, ApplyErrorKind::Conflict);
    assert!(sources(&fx)[0].primary);
    // Unknown accounts and nameless sources are refused.
    let missing = fx.apply_as("nobody", "x", MailChange::SetSource { source: legacy(true, false) });
    assert_eq!(missing.unwrap_err().kind, ApplyErrorKind::NotFound);
    let nameless = fx.apply(MailChange::SetSource { source: Source { name: " ".into(), ..legacy(true, false) } });
    assert_eq!(nameless.unwrap_err().kind, ApplyErrorKind::InvalidInput);
}

#[test]
fn an_account_created_for_migration_is_served_by_its_legacy_source_from_the_start() {
    use mailgate_backend::{Source, SourceKind};
    let mut fx = Fx::new();
    let legacy =
        Source { name: "bob@legacy.example".into(), kind: SourceKind::Zimbra, primary: true, read_only: false };
    let create = |legacy: Source, address: &str| MailChange::CreateAccount {
        display_name: "Bob".into(),
        address: address.into(),
        legacy: Some(legacy),
    };
    let same_name = fx.apply_as("bob", "c0", create(legacy.clone(), "bob@legacy.example"));
    assert_eq!(same_name.unwrap_err().kind, ApplyErrorKind::InvalidInput);
    fx.apply_as("bob", "c1", create(legacy.clone(), "bob@example.com")).unwrap();
    let sources = fx.store.read().unwrap().account("bob").unwrap().sources;
    let native = Source { name: "bob@example.com".into(), kind: SourceKind::Native, primary: false, read_only: false };
    assert_eq!(sources, vec![native, legacy]);
}
