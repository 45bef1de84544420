//! Several sources per account: `Directory::with_source` serves a source from
//! another backend (a second real native store stands in for a legacy server).

#![allow(clippy::unwrap_used)]

mod common;

use async_graphql::Request;
use common::mail::{self, JULY_1};
use common::{first_code, Harness};
use mailgate_backend::{
    ChangeRequest, MailBackend, MailChange, MailboxRole, MessageId, Principal, RequestId, Source, SourceKind,
};
use mailgate_native::NativeBackend;
use mailgate_schema::{attach_request_data, Directory};
use serde_json::json;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registered_source_is_listed_and_served_by_its_backend() {
    let h = Harness::new().await;
    h.import("alice", mail::plain("a@x", "alice@example.com", "On native", "n1@x", "b"), JULY_1).await;

    // The legacy store knows alice by the same username.
    let legacy_dir = tempfile::tempdir().unwrap();
    let legacy = Arc::new(NativeBackend::open_embedded(legacy_dir.path()).await.unwrap());
    let admin = Principal::admin("root");
    let create = MailChange::CreateAccount {
        display_name: "Alice".into(),
        address: "alice@legacy.example".into(),
        legacy: None,
    };
    legacy.apply(&admin, "alice", ChangeRequest { request_id: RequestId::from("c"), change: create }).await.unwrap();
    let inbox = legacy.mailboxes(&admin, "alice").await.unwrap();
    let inbox = inbox.into_iter().find(|m| m.role == Some(MailboxRole::Inbox)).unwrap().id;
    let raw = mail::plain("z@x", "alice@legacy.example", "On legacy", "l1@x", "b");
    let import = MailChange::Import { mailbox: inbox, raw, flags: vec![], received_at: Some(JULY_1) };
    legacy.apply(&admin, "alice", ChangeRequest { request_id: RequestId::from("i"), change: import }).await.unwrap();

    let directory =
        Arc::new(Directory::new(h.counting.clone()).with_source("alice", "alice@legacy.example", legacy.clone()));
    let run = |query: &'static str| {
        let directory = directory.clone();
        let schema = h.schema.clone();
        async move {
            let req = attach_request_data(Request::new(query), Some(Principal::user("alice")), directory);
            schema.execute(req).await
        }
    };
    let res = run("{ me { sources { name primary } } }").await;
    assert!(res.errors.is_empty(), "{:?}", res.errors);
    assert_eq!(
        res.data.into_json().unwrap()["me"]["sources"],
        json!([{"name": "alice@example.com", "primary": true}, {"name": "alice@legacy.example", "primary": false}])
    );
    let res = run(r#"{ a: messages(username: "alice") { subject sources }
             b: messages(username: "alice", source: "alice@legacy.example") { id subject sources folders } }"#)
    .await;
    assert!(res.errors.is_empty(), "{:?}", res.errors);
    let data = res.data.into_json().unwrap();
    assert_eq!(data["a"], json!([{"subject": "On native", "sources": ["alice@example.com"]}]));
    let legacy_msg = &data["b"][0];
    assert_eq!(legacy_msg["subject"], "On legacy");
    assert_eq!(legacy_msg["sources"], json!(["alice@legacy.example"]));
    assert_eq!(legacy_msg["folders"], json!(["Inbox"]));

    // Its global id routes back to the legacy backend.
    let req = Request::new("query($id: ID!) { message(id: $id) { subject } }")
        .variables(async_graphql::Variables::from_json(json!({"id": legacy_msg["id"]})));
    let res = h.schema.execute(attach_request_data(req, Some(Principal::user("alice")), directory.clone())).await;
    assert_eq!(res.data.into_json().unwrap()["message"]["subject"], "On legacy");

    // Without the registration the source does not exist.
    let res =
        h.run("alice", r#"{ messages(username: "alice", source: "alice@legacy.example") { id } }"#, json!({})).await;
    assert_eq!(first_code(&res).as_deref(), Some("NOT_FOUND"));
    legacy.shutdown().await;
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stored_source_list_decides_primary_and_read_only_after_cutover() {
    let h = Harness::new().await;
    h.import("alice", mail::plain("a@x", "alice@example.com", "On native", "n1@x", "b"), JULY_1).await;
    let legacy_dir = tempfile::tempdir().unwrap();
    let legacy = Arc::new(NativeBackend::open_embedded(legacy_dir.path()).await.unwrap());
    let admin = Principal::admin("root");
    let create = MailChange::CreateAccount {
        display_name: "Alice".into(),
        address: "alice@legacy.example".into(),
        legacy: None,
    };
    legacy.apply(&admin, "alice", ChangeRequest { request_id: RequestId::from("c"), change: create }).await.unwrap();
    let inbox = legacy.mailboxes(&admin, "alice").await.unwrap();
    let inbox = inbox.into_iter().find(|m| m.role == Some(MailboxRole::Inbox)).unwrap().id;
    let raw = mail::plain("z@x", "alice@legacy.example", "On legacy", "l1@x", "b");
    let import = MailChange::Import { mailbox: inbox, raw, flags: vec![], received_at: Some(JULY_1) };
    legacy.apply(&admin, "alice", ChangeRequest { request_id: RequestId::from("i"), change: import }).await.unwrap();
    let directory =
        Arc::new(Directory::new(h.counting.clone()).with_source("alice", "alice@legacy.example", legacy.clone()));
    let run = |query: &'static str, vars: serde_json::Value| {
        let directory = directory.clone();
        let schema = h.schema.clone();
        async move {
            let req = Request::new(query).variables(async_graphql::Variables::from_json(vars));
            schema.execute(attach_request_data(req, Some(Principal::user("alice")), directory)).await
        }
    };
    let set = |primary: bool, read_only: bool| MailChange::SetSource {
        source: Source { name: "alice@legacy.example".into(), kind: SourceKind::Zimbra, primary, read_only },
    };
    const LIST: &str = "{ me { sources { name primary readOnly } } messages(username: \"alice\") { id subject } }";

    // While the legacy server still serves, the stored list makes it primary.
    h.apply("alice", set(true, false)).await;
    let data = run(LIST, json!({})).await.data.into_json().unwrap();
    assert_eq!(data["messages"][0]["subject"], "On legacy");
    assert_eq!(data["me"]["sources"][1], json!({"name": "alice@legacy.example", "primary": true, "readOnly": false}));
    let legacy_id = data["messages"][0]["id"].clone();

    // Cutover: legacy read-only, native primary.
    h.apply("alice", set(true, true)).await;
    let native = Source { name: "alice@example.com".into(), kind: SourceKind::Native, primary: true, read_only: false };
    h.apply("alice", MailChange::SetSource { source: native }).await;
    let data = run(LIST, json!({})).await.data.into_json().unwrap();
    assert_eq!(data["messages"][0]["subject"], "On native");
    assert_eq!(
        data["me"]["sources"],
        json!([{"name": "alice@example.com", "primary": true, "readOnly": false},
               {"name": "alice@legacy.example", "primary": false, "readOnly": true}])
    );
    // The legacy message still reads, and a write to it is refused before it reaches the backend.
    let read = run("query($id: ID!) { message(id: $id) { subject } }", json!({"id": legacy_id})).await;
    assert_eq!(read.data.into_json().unwrap()["message"]["subject"], "On legacy");
    let write =
        run("mutation($id: ID!) { setFlags(input: {ids: [$id], seen: true}) { state } }", json!({"id": legacy_id}))
            .await;
    assert_eq!(first_code(&write).as_deref(), Some("FORBIDDEN"), "{:?}", write.errors);
    let after = legacy.messages(&admin, "alice", &[MessageId(legacy_id_backend(&legacy, &admin).await)]).await.unwrap();
    assert!(after.values().all(|m| !m.flags.seen), "the legacy message was not touched");
    legacy.shutdown().await;
    h.shutdown().await;
}

/// The backend id of the legacy store's only message.
async fn legacy_id_backend(legacy: &NativeBackend, admin: &Principal) -> String {
    let page = legacy
        .query(
            admin,
            "alice",
            &mailgate_backend::MessageQuery {
                mailbox: None,
                filter: None,
                sort: mailgate_backend::Sort::default(),
                offset: 0,
                limit: 10,
            },
        )
        .await
        .unwrap();
    page.items[0].id.0.clone()
}
