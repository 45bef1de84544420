//! The contract every [`MailBackend`] passes.
//!
//! [`run_suite`] drives a backend through the whole trait with raw messages
//! built inline and panics, with a message naming the broken rule, at the
//! first violation. It creates two accounts, `contract-ann` and
//! `contract-bob` (through `admin`), so run it on a fresh backend. Plain async
//! functions, no test framework: call it from an async test of the adapter.

use crate::{
    AddressKind, BlobId, ChangeOutcome, ChangeRequest, ErrorKind, Flag, MailBackend, MailChange, Mailbox, MailboxId,
    MailboxRole, Message, MessageId, MessageQuery, Principal, RequestId, SearchExpr, Sort, SortKey, State, Term,
};
use std::sync::atomic::{AtomicU64, Ordering};

/// The first account the suite creates.
pub const ANN: &str = "contract-ann";
/// The second account, used for isolation checks.
pub const BOB: &str = "contract-bob";

const PLAIN: &[u8] = b"From: Zed Writer <zed@example.com>\r\nTo: Ann <ann@example.com>\r\n\
Cc: carol@example.com\r\nSubject: Quarterly numbers\r\nDate: Tue, 01 Jul 2025 09:00:00 +0000\r\n\
Message-ID: <q1@example.com>\r\n\r\nThe numbers   are\r\n in. Pineapple.\r\n";

const MULTIPART: &[u8] = b"From: Bea <bea@example.com>\r\nTo: ann@example.com\r\nSubject: Report attached\r\n\
Date: Wed, 02 Jul 2025 09:00:00 +0000\r\nMessage-ID: <att1@example.com>\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
See the attached report.\r\n--b1\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\n\
Content-Disposition: attachment; filename=\"report.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\
JVBERi0xLjQKZmFrZSBwZGYgY29udGVudAo=\r\n--b1--\r\n";

/// The decoded content of the attachment above.
const PDF: &[u8] = b"%PDF-1.4\nfake pdf content\n";

const ENCODED: &[u8] = b"From: =?UTF-8?Q?Ren=C3=A9e?= <renee@example.com>\r\nTo: ann@example.com\r\n\
Subject: =?UTF-8?B?Q2Fmw6kgY3LDqG1l?=\r\nDate: Thu, 03 Jul 2025 09:00:00 +0000\r\n\
Message-ID: <enc1@example.com>\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Bonjour <b>Ann</b></p>\r\n";

const REPLY: &[u8] = b"From: Ann <ann@example.com>\r\nTo: Zed Writer <zed@example.com>\r\n\
Subject: Re: Quarterly numbers\r\nDate: Fri, 04 Jul 2025 09:00:00 +0000\r\nMessage-ID: <q2@example.com>\r\n\
In-Reply-To: <q1@example.com>\r\nReferences: <q1@example.com>\r\n\r\nThanks!\r\n";

/// Broken on purpose: a truncated encoded word, an unparsable address and
/// date, a header line without a colon, and a body that is not UTF-8.
const MALFORMED: &[u8] =
    b"Subject: =?UTF-8?B?broken\r\nFrom: <<<@@@>>>\r\nDate: not a date\r\nno colon here\r\n\r\n\xff\xfe\x00 body\r\n";

static SEQ: AtomicU64 = AtomicU64::new(0);

fn rid(tag: &str) -> RequestId {
    RequestId(format!("contract-{tag}-{}", SEQ.fetch_add(1, Ordering::Relaxed)))
}

async fn apply(b: &dyn MailBackend, who: &Principal, account: &str, change: MailChange) -> ChangeOutcome {
    let what = format!("{change:?}").chars().take(80).collect::<String>();
    match b.apply(who, account, ChangeRequest { request_id: rid("w"), change }).await {
        Ok(o) => o,
        Err(e) => panic!("contract: apply {what} on {account} failed: {e}"),
    }
}

async fn apply_err(b: &dyn MailBackend, who: &Principal, account: &str, change: MailChange) -> ErrorKind {
    match b.apply(who, account, ChangeRequest { request_id: rid("e"), change }).await {
        Ok(o) => panic!("contract: expected an error, got {o:?}"),
        Err(e) => e.kind,
    }
}

/// The account's current state: the outcome of a write that changes nothing.
async fn state_now(b: &dyn MailBackend, who: &Principal) -> State {
    let out = apply(b, who, ANN, MailChange::SetFlags { ids: vec![], flags: vec![], value: true }).await;
    let again = apply(b, who, ANN, MailChange::SetFlags { ids: vec![], flags: vec![], value: true }).await;
    assert_eq!(out.state, again.state, "contract: a write that changes nothing keeps the state");
    let read = b.state(who, ANN).await.unwrap_or_else(|e| panic!("contract: state: {e}"));
    assert_eq!(read, out.state, "contract: state() is the state of the last write");
    out.state
}

async fn boxes(b: &dyn MailBackend, who: &Principal, account: &str) -> Vec<Mailbox> {
    b.mailboxes(who, account).await.unwrap_or_else(|e| panic!("contract: mailboxes({account}): {e}"))
}

fn by_role(boxes: &[Mailbox], role: MailboxRole) -> Mailbox {
    boxes
        .iter()
        .find(|m| m.role == Some(role))
        .cloned()
        .unwrap_or_else(|| panic!("contract: no {} mailbox", role.as_str()))
}

async fn one(b: &dyn MailBackend, who: &Principal, account: &str, id: &MessageId) -> Message {
    let map =
        b.messages(who, account, std::slice::from_ref(id)).await.unwrap_or_else(|e| panic!("contract: messages: {e}"));
    map.get(id).cloned().unwrap_or_else(|| panic!("contract: message {id} missing"))
}

async fn query(b: &dyn MailBackend, who: &Principal, q: MessageQuery) -> (Vec<MessageId>, usize) {
    let page = b.query(who, ANN, &q).await.unwrap_or_else(|e| panic!("contract: query {q:?}: {e}"));
    (page.items.into_iter().map(|m| m.id).collect(), page.total)
}

fn q(filter: Option<SearchExpr>) -> MessageQuery {
    MessageQuery { mailbox: None, filter, sort: Sort::default(), offset: 0, limit: 100 }
}

fn term(t: Term) -> Option<SearchExpr> {
    Some(SearchExpr::Term(t))
}

async fn import(b: &dyn MailBackend, who: &Principal, mailbox: &MailboxId, raw: &[u8], at: i64) -> MessageId {
    let out = apply(
        b,
        who,
        ANN,
        MailChange::Import { mailbox: mailbox.clone(), raw: raw.to_vec(), flags: vec![], received_at: Some(at) },
    )
    .await;
    assert_eq!(out.messages.len(), 1, "contract: an import reports exactly the created message");
    out.messages[0].clone()
}

/// The imported messages the later steps work on.
struct Corpus {
    plain: MessageId,
    multipart: MessageId,
    encoded: MessageId,
    reply: MessageId,
    malformed: MessageId,
}

/// Runs the whole contract. `admin` must be an operator principal.
pub async fn run_suite(backend: &dyn MailBackend, admin: &Principal) {
    assert!(admin.admin, "contract: run_suite needs an admin principal");
    let b = backend;
    let ann = Principal::user(ANN);
    setup(b, admin).await;
    let state0 = state_now(b, &ann).await;
    let corpus = imports(b, &ann).await;
    reads(b, &ann, &corpus).await;
    search(b, &ann, &corpus).await;
    threads(b, &ann, &corpus).await;
    blobs(b, &ann, &corpus).await;
    changes_since(b, &ann, &state0, &corpus).await;
    flags_and_moves(b, &ann, &corpus).await;
    delete_and_destroy(b, &ann, &corpus).await;
    mailboxes(b, &ann).await;
    dedup(b, &ann).await;
    isolation(b, &corpus).await;
}

async fn setup(b: &dyn MailBackend, admin: &Principal) {
    assert!(!b.kind().is_empty(), "contract: kind() names the backend");
    for (user, name) in [(ANN, "Ann"), (BOB, "Bob")] {
        let change = MailChange::CreateAccount {
            display_name: name.into(),
            address: format!("{user}@example.com"),
            legacy: None,
        };
        apply(b, admin, user, change.clone()).await;
        apply(b, admin, user, change).await;
        let acct = b.account(admin, user).await.unwrap_or_else(|e| panic!("contract: account({user}): {e}"));
        assert_eq!(acct.username, user, "contract: account username");
        let primary = acct.primary_source().unwrap_or_else(|| panic!("contract: account has no source"));
        assert_eq!(primary.name, format!("{user}@example.com"), "contract: primary source named by address");
        let mbs = boxes(b, admin, user).await;
        for role in MailboxRole::ALL {
            let m = by_role(&mbs, role);
            assert_eq!((m.total, m.unread), (0, 0), "contract: a new account's mailboxes are empty");
        }
        assert_eq!(mbs.len(), 6, "contract: creating an account twice creates its mailboxes once");
    }
    let err = b.account(&Principal::user(BOB), ANN).await.err().map(|e| e.kind);
    assert_eq!(err, Some(ErrorKind::PermissionDenied), "contract: a user cannot read another account");
}

async fn imports(b: &dyn MailBackend, ann: &Principal) -> Corpus {
    let mbs = boxes(b, ann, ANN).await;
    let inbox = by_role(&mbs, MailboxRole::Inbox).id;
    let corpus = Corpus {
        plain: import(b, ann, &inbox, PLAIN, 1_000).await,
        multipart: import(b, ann, &inbox, MULTIPART, 2_000).await,
        encoded: import(b, ann, &inbox, ENCODED, 3_000).await,
        reply: import(b, ann, &inbox, REPLY, 4_000).await,
        malformed: import(b, ann, &inbox, MALFORMED, 5_000).await,
    };
    let inbox_after = by_role(&boxes(b, ann, ANN).await, MailboxRole::Inbox);
    assert_eq!((inbox_after.total, inbox_after.unread), (5, 5), "contract: inbox counts after five imports");
    let err = apply_err(
        b,
        ann,
        ANN,
        MailChange::Import {
            mailbox: MailboxId("no-such-mailbox".into()),
            raw: PLAIN.to_vec(),
            flags: vec![],
            received_at: Some(1),
        },
    )
    .await;
    assert_eq!(err, ErrorKind::NotFound, "contract: import into an unknown mailbox");
    corpus
}

async fn reads(b: &dyn MailBackend, ann: &Principal, c: &Corpus) {
    let m = one(b, ann, ANN, &c.plain).await;
    assert_eq!(m.subject, "Quarterly numbers");
    assert_eq!(m.size, PLAIN.len() as u64, "contract: size is the raw size");
    assert_eq!(m.received_at, 1_000, "contract: received_at as given");
    assert_eq!(m.sent_at, Some(1_751_360_400_000), "contract: sent_at from Date:");
    assert_eq!(m.message_id_header.as_deref(), Some("q1@example.com"), "contract: Message-ID without <>");
    let from: Vec<_> = m.addresses_of(AddressKind::From).collect();
    assert_eq!(from.len(), 1);
    assert_eq!((from[0].email.as_str(), from[0].name.as_deref()), ("zed@example.com", Some("Zed Writer")));
    assert_eq!(m.addresses_of(AddressKind::Cc).count(), 1, "contract: cc address tagged");
    assert!(m.preview.starts_with("The numbers are in."), "contract: preview collapses whitespace: {:?}", m.preview);
    assert!(m.text_body.as_deref().unwrap_or_default().contains("Pineapple"));
    assert!(!m.has_attachment());
    assert!(m.headers.iter().any(|h| h.name.eq_ignore_ascii_case("subject")), "contract: headers kept");

    let m = one(b, ann, ANN, &c.multipart).await;
    assert_eq!(m.attachments.len(), 1, "contract: one attachment");
    let a = &m.attachments[0];
    assert_eq!(a.part_id, "2", "contract: IMAP part id");
    assert_eq!(a.filename.as_deref(), Some("report.pdf"));
    assert_eq!(a.content_type, "application/pdf");
    assert_eq!(a.size, PDF.len() as u64, "contract: attachment size is decoded size");
    assert_eq!(a.disposition.as_deref(), Some("attachment"));
    assert!(m.text_body.as_deref().unwrap_or_default().contains("attached report"));

    let m = one(b, ann, ANN, &c.encoded).await;
    assert_eq!(m.subject, "Café crème", "contract: RFC 2047 subject decoded");
    let from = m.addresses_of(AddressKind::From).next().map(|a| a.name.clone());
    assert_eq!(from, Some(Some("Renée".to_owned())), "contract: RFC 2047 name decoded");
    assert!(m.html_body.as_deref().unwrap_or_default().contains("<b>Ann</b>"));
    assert!(m.preview.contains("Bonjour") && !m.preview.contains('<'), "contract: html preview de-tagged");

    let m = one(b, ann, ANN, &c.malformed).await;
    assert_eq!(m.size, MALFORMED.len() as u64, "contract: malformed MIME is stored whole");
    assert_eq!(m.sent_at, None, "contract: an unparsable Date: gives no sent_at");

    let unknown = MessageId("no-such-message".into());
    let map = b
        .messages(ann, ANN, &[c.plain.clone(), unknown.clone()])
        .await
        .unwrap_or_else(|e| panic!("contract: messages batch: {e}"));
    assert!(map.contains_key(&c.plain) && !map.contains_key(&unknown), "contract: unknown ids are absent");
}

async fn search(b: &dyn MailBackend, ann: &Principal, c: &Corpus) {
    let (ids, total) = query(b, ann, q(None)).await;
    assert_eq!(total, 5);
    assert_eq!(
        ids,
        vec![c.malformed.clone(), c.reply.clone(), c.encoded.clone(), c.multipart.clone(), c.plain.clone()],
        "contract: default sort newest first"
    );
    let mut asc = q(None);
    asc.sort = Sort { key: SortKey::ReceivedAt, descending: false };
    asc.offset = 1;
    asc.limit = 2;
    let (ids, total) = query(b, ann, asc).await;
    assert_eq!((ids, total), (vec![c.multipart.clone(), c.encoded.clone()], 5), "contract: offset/limit paging");
    let mut by_size = q(None);
    by_size.sort = Sort { key: SortKey::Size, descending: true };
    let (ids, _) = query(b, ann, by_size).await;
    assert_eq!(ids.first(), Some(&c.multipart), "contract: size sort");

    let cases: Vec<(&str, Option<SearchExpr>, Vec<&MessageId>)> = vec![
        ("text in body", term(Term::Text("pineapple".into())), vec![&c.plain]),
        ("text in subject", term(Term::Text("QUARTERLY".into())), vec![&c.reply, &c.plain]),
        ("from", term(Term::From("bea@".into())), vec![&c.multipart]),
        ("from by name", term(Term::From("renée".into())), vec![&c.encoded]),
        ("to", term(Term::To("zed".into())), vec![&c.reply]),
        ("cc", term(Term::Cc("carol".into())), vec![&c.plain]),
        ("subject", term(Term::Subject("café".into())), vec![&c.encoded]),
        ("has:attachment", term(Term::HasAttachment), vec![&c.multipart]),
        (
            "in:inbox",
            term(Term::InMailbox("inbox".into())),
            vec![&c.malformed, &c.reply, &c.encoded, &c.multipart, &c.plain],
        ),
        ("in:trash", term(Term::InMailbox("Trash".into())), vec![]),
        ("after", term(Term::After(4_000)), vec![&c.malformed, &c.reply]),
        ("before", term(Term::Before(2_000)), vec![&c.plain]),
        (
            "and/not",
            Some(SearchExpr::And(vec![
                SearchExpr::Term(Term::Text("quarterly".into())),
                SearchExpr::Not(Box::new(SearchExpr::Term(Term::From("ann@".into())))),
            ])),
            vec![&c.plain],
        ),
        (
            "or",
            Some(SearchExpr::Or(vec![
                SearchExpr::Term(Term::HasAttachment),
                SearchExpr::Term(Term::Text("bonjour".into())),
            ])),
            vec![&c.encoded, &c.multipart],
        ),
    ];
    for (name, filter, want) in cases {
        let (ids, total) = query(b, ann, q(filter)).await;
        let want: Vec<MessageId> = want.into_iter().cloned().collect();
        assert_eq!(ids, want, "contract: search {name}");
        assert_eq!(total, want.len(), "contract: search {name} total");
    }
    let mut missing = q(None);
    missing.mailbox = Some(MailboxId("no-such-mailbox".into()));
    let err = b.query(ann, ANN, &missing).await.err().map(|e| e.kind);
    assert_eq!(err, Some(ErrorKind::NotFound), "contract: query of an unknown mailbox");
}

async fn threads(b: &dyn MailBackend, ann: &Principal, c: &Corpus) {
    let plain = one(b, ann, ANN, &c.plain).await;
    let reply = one(b, ann, ANN, &c.reply).await;
    let other = one(b, ann, ANN, &c.multipart).await;
    assert_eq!(plain.thread_id, reply.thread_id, "contract: a reply joins its parent's thread");
    assert_ne!(plain.thread_id, other.thread_id, "contract: unrelated messages are separate threads");
    let map = b
        .threads(ann, ANN, &[plain.thread_id.clone(), crate::ThreadId("no-such-thread".into())])
        .await
        .unwrap_or_else(|e| panic!("contract: threads: {e}"));
    assert_eq!(map.len(), 1, "contract: unknown thread ids are absent");
    let t = &map[&plain.thread_id];
    assert_eq!(t.message_ids, vec![c.plain.clone(), c.reply.clone()], "contract: thread in date order");
}

async fn blobs(b: &dyn MailBackend, ann: &Principal, c: &Corpus) {
    let m = one(b, ann, ANN, &c.multipart).await;
    let att = m.attachments[0].blob_id.clone();
    let map = b
        .blobs(ann, ANN, &[att.clone(), m.raw_blob.clone(), BlobId("0".repeat(64))], 1 << 20)
        .await
        .unwrap_or_else(|e| panic!("contract: blobs: {e}"));
    assert_eq!(map.get(&att).map(Vec::as_slice), Some(PDF), "contract: attachment blob is the decoded content");
    assert_eq!(map.get(&m.raw_blob).map(Vec::as_slice), Some(MULTIPART), "contract: raw blob is the message");
    assert_eq!(map.len(), 2, "contract: unknown blobs are absent");
    let small = b.blobs(ann, ANN, std::slice::from_ref(&m.raw_blob), 10).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(small.is_empty(), "contract: blobs larger than max_size are absent");
    let (bytes, total) =
        b.blob_range(ann, ANN, &att, 5..9).await.unwrap_or_else(|e| panic!("contract: blob_range: {e}"));
    assert_eq!((bytes.as_slice(), total), (&PDF[5..9], PDF.len() as u64), "contract: blob range");
    let (bytes, _) = b.blob_range(ann, ANN, &att, 20..1000).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(bytes.as_slice(), &PDF[20..], "contract: a range past the end is clamped");
    let malformed = one(b, ann, ANN, &c.malformed).await;
    let raw = b.blob_range(ann, ANN, &malformed.raw_blob, 0..u64::MAX).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(raw.0.as_slice(), MALFORMED, "contract: malformed MIME loses nothing");
}

async fn changes_since(b: &dyn MailBackend, ann: &Principal, state0: &State, c: &Corpus) {
    let ch = b.changes(ann, ANN, state0).await.unwrap_or_else(|e| panic!("contract: changes: {e}"));
    assert_eq!(ch.old_state, *state0);
    assert_ne!(ch.new_state, *state0, "contract: imports change the state");
    for id in [&c.plain, &c.multipart, &c.encoded, &c.reply, &c.malformed] {
        assert!(ch.created.contains(id), "contract: changes lists created {id}");
    }
    assert!(ch.updated.is_empty() && ch.destroyed.is_empty());
    let same = b.changes(ann, ANN, &ch.new_state).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(same.created.is_empty() && same.updated.is_empty() && same.destroyed.is_empty());
    assert_eq!(same.new_state, ch.new_state);
    let err = b.changes(ann, ANN, &State("not-a-state".into())).await.err().map(|e| e.kind);
    assert_eq!(err, Some(ErrorKind::InvalidInput), "contract: a bad state is invalid input");
}

async fn flags_and_moves(b: &dyn MailBackend, ann: &Principal, c: &Corpus) {
    let state = state_now(b, ann).await;
    let unknown = MessageId("no-such-message".into());
    let out = apply(
        b,
        ann,
        ANN,
        MailChange::SetFlags {
            ids: vec![c.plain.clone(), unknown.clone()],
            flags: vec![Flag::Seen, Flag::Flagged],
            value: true,
        },
    )
    .await;
    assert_eq!(out.not_found, vec![unknown], "contract: unknown ids reported, the rest applied");
    assert_ne!(out.state, state, "contract: the outcome carries the new state");
    let m = one(b, ann, ANN, &c.plain).await;
    assert!(m.flags.seen && m.flags.flagged);
    let inbox = by_role(&boxes(b, ann, ANN).await, MailboxRole::Inbox);
    assert_eq!((inbox.total, inbox.unread), (5, 4), "contract: unread count follows the seen flag");
    let (ids, _) = query(b, ann, q(term(Term::Flag(Flag::Seen, false)))).await;
    assert!(!ids.contains(&c.plain), "contract: is:unread");
    apply(b, ann, ANN, MailChange::SetFlags { ids: vec![c.plain.clone()], flags: vec![Flag::Flagged], value: false })
        .await;
    let m = one(b, ann, ANN, &c.plain).await;
    assert!(m.flags.seen && !m.flags.flagged, "contract: clearing one flag keeps the others");
    let ch = b.changes(ann, ANN, &state).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ch.updated, vec![c.plain.clone()], "contract: flag changes are updates");

    let archive = by_role(&boxes(b, ann, ANN).await, MailboxRole::Archive).id;
    apply(b, ann, ANN, MailChange::Move { ids: vec![c.encoded.clone()], to: archive.clone() }).await;
    let m = one(b, ann, ANN, &c.encoded).await;
    assert_eq!(m.mailbox_ids, vec![archive.clone()], "contract: move replaces the mailboxes");
    let mbs = boxes(b, ann, ANN).await;
    assert_eq!(by_role(&mbs, MailboxRole::Archive).total, 1);
    assert_eq!(by_role(&mbs, MailboxRole::Inbox).total, 4);
    let mut in_archive = q(None);
    in_archive.mailbox = Some(archive);
    assert_eq!(query(b, ann, in_archive).await.0, vec![c.encoded.clone()], "contract: mailbox filter");
}

async fn delete_and_destroy(b: &dyn MailBackend, ann: &Principal, c: &Corpus) {
    let state = state_now(b, ann).await;
    let trash = by_role(&boxes(b, ann, ANN).await, MailboxRole::Trash).id;
    let out = apply(b, ann, ANN, MailChange::Delete { ids: vec![c.malformed.clone()] }).await;
    assert!(out.destroyed.is_empty(), "contract: first delete moves to trash");
    assert_eq!(one(b, ann, ANN, &c.malformed).await.mailbox_ids, vec![trash.clone()]);
    let raw_blob = one(b, ann, ANN, &c.malformed).await.raw_blob;
    let out = apply(b, ann, ANN, MailChange::Delete { ids: vec![c.malformed.clone()] }).await;
    assert_eq!(out.destroyed, vec![c.malformed.clone()], "contract: deleting from trash destroys");
    let map = b.messages(ann, ANN, std::slice::from_ref(&c.malformed)).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(map.is_empty(), "contract: a destroyed message is gone");
    let gone = b.blobs(ann, ANN, std::slice::from_ref(&raw_blob), 1 << 20).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(gone.is_empty(), "contract: a destroyed message's blob is no longer readable");
    assert_eq!(by_role(&boxes(b, ann, ANN).await, MailboxRole::Trash).total, 0);
    let ch = b.changes(ann, ANN, &state).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ch.destroyed, vec![c.malformed.clone()], "contract: changes lists destroyed");
    assert!(!ch.updated.contains(&c.malformed), "contract: destroyed is not also updated");

    // Destroying a thread member keeps the thread of the rest.
    apply(b, ann, ANN, MailChange::Move { ids: vec![c.reply.clone()], to: trash }).await;
    apply(b, ann, ANN, MailChange::Delete { ids: vec![c.reply.clone()] }).await;
    let thread = one(b, ann, ANN, &c.plain).await.thread_id;
    let map = b.threads(ann, ANN, std::slice::from_ref(&thread)).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(map[&thread].message_ids, vec![c.plain.clone()], "contract: thread membership updated on destroy");
}

async fn mailboxes(b: &dyn MailBackend, ann: &Principal) {
    let mbs = boxes(b, ann, ANN).await;
    let inbox = by_role(&mbs, MailboxRole::Inbox);
    let trash = by_role(&mbs, MailboxRole::Trash);
    let out = apply(b, ann, ANN, MailChange::CreateMailbox { name: "Projects".into(), parent: None }).await;
    let projects = out.mailbox.unwrap_or_else(|| panic!("contract: create mailbox returns its id"));
    let dup = apply_err(b, ann, ANN, MailChange::CreateMailbox { name: "Projects".into(), parent: None }).await;
    assert_eq!(dup, ErrorKind::Conflict, "contract: sibling names are unique");
    let empty = apply_err(b, ann, ANN, MailChange::CreateMailbox { name: String::new(), parent: None }).await;
    assert_eq!(empty, ErrorKind::InvalidInput, "contract: empty mailbox name");
    apply(b, ann, ANN, MailChange::RenameMailbox { id: projects.clone(), name: "Work".into() }).await;
    let now = boxes(b, ann, ANN).await;
    let renamed = now.iter().find(|m| m.id == projects).map(|m| m.name.clone());
    assert_eq!(renamed.as_deref(), Some("Work"), "contract: rename");
    for change in [
        MailChange::RenameMailbox { id: inbox.id.clone(), name: "Renamed".into() },
        MailChange::DeleteMailbox { id: inbox.id.clone() },
    ] {
        assert_eq!(apply_err(b, ann, ANN, change).await, ErrorKind::Conflict, "contract: system mailboxes refuse");
    }
    let missing = apply_err(b, ann, ANN, MailChange::DeleteMailbox { id: MailboxId("no-such-mailbox".into()) }).await;
    assert_eq!(missing, ErrorKind::NotFound, "contract: deleting an unknown mailbox");

    let (ids, _) = query(b, ann, q(term(Term::InMailbox("inbox".into())))).await;
    let first = ids.first().cloned().unwrap_or_else(|| panic!("contract: inbox is empty"));
    apply(b, ann, ANN, MailChange::Move { ids: vec![first.clone()], to: projects.clone() }).await;
    let (ids, _) = query(b, ann, q(term(Term::InMailbox("work".into())))).await;
    assert_eq!(ids, vec![first.clone()], "contract: in:FOLDER by user mailbox name");
    apply(b, ann, ANN, MailChange::DeleteMailbox { id: projects.clone() }).await;
    let after = boxes(b, ann, ANN).await;
    assert!(!after.iter().any(|m| m.id == projects), "contract: deleted mailbox is gone");
    assert_eq!(one(b, ann, ANN, &first).await.mailbox_ids, vec![trash.id], "contract: its messages move to trash");
    assert_eq!(by_role(&after, MailboxRole::Trash).total, 1);
}

async fn dedup(b: &dyn MailBackend, ann: &Principal) {
    let inbox = by_role(&boxes(b, ann, ANN).await, MailboxRole::Inbox);
    let request = ChangeRequest {
        request_id: rid("dedup"),
        change: MailChange::Import {
            mailbox: inbox.id.clone(),
            raw: PLAIN.to_vec(),
            flags: vec![Flag::Seen],
            received_at: Some(9_000),
        },
    };
    let first = b.apply(ann, ANN, request.clone()).await.unwrap_or_else(|e| panic!("{e}"));
    let second = b.apply(ann, ANN, request).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(first, second, "contract: a repeated request id returns the first outcome");
    let after = by_role(&boxes(b, ann, ANN).await, MailboxRole::Inbox);
    assert_eq!(after.total, inbox.total + 1, "contract: a repeated request id applies once");
}

async fn isolation(b: &dyn MailBackend, c: &Corpus) {
    let bob = Principal::user(BOB);
    for result in [
        b.mailboxes(&bob, ANN).await.map(|_| ()),
        b.messages(&bob, ANN, std::slice::from_ref(&c.plain)).await.map(|_| ()),
        b.changes(&bob, ANN, &State("0".into())).await.map(|_| ()),
        b.apply(
            &bob,
            ANN,
            ChangeRequest { request_id: rid("iso"), change: MailChange::Delete { ids: vec![c.plain.clone()] } },
        )
        .await
        .map(|_| ()),
    ] {
        assert_eq!(result.err().map(|e| e.kind), Some(ErrorKind::PermissionDenied), "contract: other accounts refuse");
    }
    let ann = Principal::user(ANN);
    let m = one(b, &ann, ANN, &c.multipart).await;
    let seen = b.messages(&bob, BOB, &[c.plain.clone(), c.multipart.clone()]).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(seen.is_empty(), "contract: another account's message ids are absent");
    let threads = b.threads(&bob, BOB, std::slice::from_ref(&m.thread_id)).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(threads.is_empty(), "contract: another account's thread ids are absent");
    let blob = m.attachments[0].blob_id.clone();
    let blobs =
        b.blobs(&bob, BOB, &[blob.clone(), m.raw_blob.clone()], 1 << 20).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(blobs.is_empty(), "contract: another account's blobs are absent");
    let range = b.blob_range(&bob, BOB, &blob, 0..10).await.err().map(|e| e.kind);
    assert_eq!(range, Some(ErrorKind::NotFound), "contract: another account's blob range is not found");
    let out = b
        .apply(
            &bob,
            BOB,
            ChangeRequest { request_id: rid("iso2"), change: MailChange::Delete { ids: vec![c.plain.clone()] } },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.not_found, vec![c.plain.clone()], "contract: another account's ids are not found on write");
    assert!(b.messages(&ann, ANN, std::slice::from_ref(&c.plain)).await.map(|m| m.len()).unwrap_or(0) == 1);
}
