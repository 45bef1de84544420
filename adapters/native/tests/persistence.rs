//! The native backend over a real embedded node: data survives a restart,
//! request ids deduplicate, and other accounts' ids are invisible.

#![allow(clippy::unwrap_used)]

use mailgate_backend::{
    ChangeRequest, ErrorKind, Flag, MailBackend, MailChange, MailboxRole, MessageId, Principal, RequestId,
};
use mailgate_native::NativeBackend;

fn req(id: &str, change: MailChange) -> ChangeRequest {
    ChangeRequest { request_id: RequestId::from(id), change }
}

const RAW: &[u8] = b"From: Ann <ann@example.com>\r\nTo: bob@example.com\r\nSubject: Persist me\r\n\
Date: Tue, 1 Jul 2025 10:00:00 +0000\r\nMessage-ID: <p1@example.com>\r\n\r\nHello there.\r\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_and_flags_survive_restart() {
    let dir = tempfile::tempdir().unwrap();
    let admin = Principal::admin("root");
    let (msg_id, inbox, state) = {
        let b = NativeBackend::open_embedded(dir.path()).await.unwrap();
        b.apply(
            &admin,
            "bob",
            req(
                "c1",
                MailChange::CreateAccount {
                    display_name: "Bob".into(),
                    address: "bob@example.com".into(),
                    legacy: None,
                },
            ),
        )
        .await
        .unwrap();
        let boxes = b.mailboxes(&admin, "bob").await.unwrap();
        let inbox = boxes.iter().find(|m| m.role == Some(MailboxRole::Inbox)).unwrap().id.clone();
        let out = b
            .apply(
                &admin,
                "bob",
                req(
                    "i1",
                    MailChange::Import { mailbox: inbox.clone(), raw: RAW.to_vec(), flags: vec![], received_at: None },
                ),
            )
            .await
            .unwrap();
        let id = out.messages[0].clone();
        let out = b
            .apply(
                &admin,
                "bob",
                req(
                    "f1",
                    MailChange::SetFlags { ids: vec![id.clone()], flags: vec![Flag::Seen, Flag::Flagged], value: true },
                ),
            )
            .await
            .unwrap();
        b.shutdown().await;
        (id, inbox, out.state)
    };
    let b = NativeBackend::open_embedded(dir.path()).await.unwrap();
    let msgs = b.messages(&admin, "bob", std::slice::from_ref(&msg_id)).await.unwrap();
    let m = &msgs[&msg_id];
    assert!(m.flags.seen && m.flags.flagged);
    assert_eq!(m.subject, "Persist me");
    assert!(m.received_at > 0);
    let boxes = b.mailboxes(&admin, "bob").await.unwrap();
    let inbox_after = boxes.iter().find(|mb| mb.id == inbox).unwrap();
    assert_eq!((inbox_after.total, inbox_after.unread), (1, 0));
    let changes = b.changes(&admin, "bob", &state).await.unwrap();
    assert_eq!(changes.new_state, state);
    // A request id applied before the restart is still deduplicated.
    let again = b
        .apply(
            &admin,
            "bob",
            req(
                "i1",
                MailChange::Import { mailbox: inbox.clone(), raw: RAW.to_vec(), flags: vec![], received_at: None },
            ),
        )
        .await
        .unwrap();
    assert_eq!(again.messages, vec![msg_id.clone()]);
    let page = b
        .query(
            &admin,
            "bob",
            &mailgate_backend::MessageQuery {
                mailbox: None,
                filter: None,
                sort: Default::default(),
                offset: 0,
                limit: 10,
            },
        )
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    b.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_users_are_refused_and_foreign_ids_absent() {
    let dir = tempfile::tempdir().unwrap();
    let b = NativeBackend::open_embedded(dir.path()).await.unwrap();
    let ann = Principal::user("ann");
    let bob = Principal::user("bob");
    b.apply(
        &ann,
        "ann",
        req("a", MailChange::CreateAccount { display_name: "Ann".into(), address: "ann@x".into(), legacy: None }),
    )
    .await
    .unwrap();
    b.apply(
        &bob,
        "bob",
        req("b", MailChange::CreateAccount { display_name: "Bob".into(), address: "bob@x".into(), legacy: None }),
    )
    .await
    .unwrap();
    let err = b.mailboxes(&bob, "ann").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::PermissionDenied);
    let inbox = b.mailboxes(&ann, "ann").await.unwrap()[0].id.clone();
    let out = b
        .apply(
            &ann,
            "ann",
            req("i", MailChange::Import { mailbox: inbox, raw: RAW.to_vec(), flags: vec![], received_at: None }),
        )
        .await
        .unwrap();
    let found = b.messages(&bob, "bob", &out.messages).await.unwrap();
    assert!(found.is_empty());
    let out = b
        .apply(
            &bob,
            "bob",
            req(
                "f",
                MailChange::SetFlags {
                    ids: vec![MessageId::from(out.messages[0].as_str())],
                    flags: vec![Flag::Seen],
                    value: true,
                },
            ),
        )
        .await
        .unwrap();
    assert_eq!(out.not_found.len(), 1);
    b.shutdown().await;
}

#[tokio::test]
async fn works_on_a_current_thread_runtime() {
    let dir = tempfile::tempdir().unwrap();
    let b = NativeBackend::open_embedded(dir.path()).await.unwrap();
    let ann = Principal::user("ann");
    b.apply(
        &ann,
        "ann",
        req("a", MailChange::CreateAccount { display_name: "Ann".into(), address: "ann@x".into(), legacy: None }),
    )
    .await
    .unwrap();
    assert_eq!(b.mailboxes(&ann, "ann").await.unwrap().len(), 6);
    b.shutdown().await;
}
