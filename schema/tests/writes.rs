//! Mutations and delta sync against a real embedded native store.

#![allow(clippy::unwrap_used)]

mod common;

use base64::Engine;
use common::mail::{self, HOUR, JULY_1};
use common::{first_code, Harness};
use serde_json::{json, Value};

/// Imports `n` messages into alice's inbox; returns their global ids, newest first.
async fn seed(h: &Harness, n: i64) -> Vec<Value> {
    for i in 0..n {
        let raw = mail::plain("a@x", "alice@example.com", &format!("w{i}"), &format!("w{i}@x"), "b");
        h.import("alice", raw, JULY_1 + i * HOUR).await;
    }
    let data = h.data("alice", r#"{ messages(username: "alice") { id } }"#, json!({})).await;
    data["messages"].as_array().unwrap().iter().map(|m| m["id"].clone()).collect()
}

async fn mailbox_ids(h: &Harness) -> Value {
    let data = h.data("alice", "{ me { mailboxes { id name role totalCount unreadCount } } }", json!({})).await;
    data["me"]["mailboxes"].clone()
}

fn by_role<'a>(boxes: &'a Value, role: &str) -> &'a Value {
    boxes.as_array().unwrap().iter().find(|m| m["role"] == role).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_flags_reports_messages_state_and_changes() {
    let h = Harness::new().await;
    let ids = seed(&h, 3).await;
    let state = h.data("alice", "{ me { state } }", json!({})).await["me"]["state"].clone();
    let data = h
        .data(
            "alice",
            "mutation($ids: [ID!]!) { setFlags(input: {ids: $ids, seen: true, flagged: true, clientMutationId: \"c1\"}) {
                clientMutationId requestId state notFoundIds messages { id flags { seen flagged } keywords } } }",
            json!({"ids": [ids[0], ids[1]]}),
        )
        .await;
    let p = &data["setFlags"];
    assert_eq!(p["clientMutationId"], "c1");
    assert_eq!(p["requestId"], "setFlags:c1");
    assert_eq!(p["notFoundIds"], json!([]));
    assert_ne!(p["state"], state);
    for m in p["messages"].as_array().unwrap() {
        assert_eq!(m["flags"], json!({"seen": true, "flagged": true}));
        assert_eq!(m["keywords"], json!(["SEEN", "FLAGGED"]));
    }
    // Clearing one flag while setting another.
    let data = h
        .data(
            "alice",
            "mutation($ids: [ID!]!) { setFlags(input: {ids: $ids, seen: false, answered: true}) { messages { flags { seen flagged answered } } } }",
            json!({"ids": [ids[0]]}),
        )
        .await;
    assert_eq!(data["setFlags"]["messages"][0]["flags"], json!({"seen": false, "flagged": true, "answered": true}));
    // The changes since the old state name both messages as updated, with global ids.
    let data = h
        .data(
            "alice",
            "query($s: String!) { changes(since: $s) { oldState newState messages { created updated destroyed } mailboxes { updated } } }",
            json!({"s": state}),
        )
        .await;
    let c = &data["changes"];
    assert_eq!(c["oldState"], state);
    let updated = c["messages"]["updated"].as_array().unwrap();
    assert!(updated.contains(&ids[0]) && updated.contains(&ids[1]), "{c}");
    assert!(!updated.contains(&ids[2]));
    let res = h.run("alice", "{ changes(since: \"not-a-state\") { newState } }", json!({})).await;
    assert_eq!(first_code(&res).as_deref(), Some("BAD_USER_INPUT"), "{:?}", res.errors);
    // Bad input.
    let res = h
        .run("alice", "mutation($ids: [ID!]!) { setFlags(input: {ids: $ids}) { state } }", json!({"ids": [ids[0]]}))
        .await;
    assert_eq!(first_code(&res).as_deref(), Some("BAD_USER_INPUT"));
    let res = h.run("alice", "mutation { setFlags(input: {ids: [], seen: true}) { state } }", json!({})).await;
    assert_eq!(first_code(&res).as_deref(), Some("BAD_USER_INPUT"));
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn move_delete_and_destroy() {
    let h = Harness::new().await;
    let ids = seed(&h, 3).await;
    let boxes = mailbox_ids(&h).await;
    let archive = by_role(&boxes, "ARCHIVE")["id"].clone();
    let data = h
        .data(
            "alice",
            "mutation($ids: [ID!]!, $to: ID!) { moveMessages(input: {ids: $ids, mailboxId: $to}) { messages { folders mailboxes { role } } } }",
            json!({"ids": [ids[0], ids[1]], "to": archive}),
        )
        .await;
    for m in data["moveMessages"]["messages"].as_array().unwrap() {
        assert_eq!(m["folders"], json!(["Archive"]));
    }
    let boxes = mailbox_ids(&h).await;
    assert_eq!(by_role(&boxes, "ARCHIVE")["totalCount"], 2);
    assert_eq!(by_role(&boxes, "INBOX")["totalCount"], 1);
    // Delete moves to Trash, deleting again destroys.
    let q = "mutation($ids: [ID!]!) { deleteMessages(input: {ids: $ids}) { destroyedIds notFoundIds messages { mailboxes { role } } } }";
    let data = h.data("alice", q, json!({"ids": [ids[0]]})).await;
    assert_eq!(data["deleteMessages"]["messages"], json!([{"mailboxes": [{"role": "TRASH"}]}]));
    assert_eq!(data["deleteMessages"]["destroyedIds"], json!([]));
    let data = h.data("alice", q, json!({"ids": [ids[0]]})).await;
    assert_eq!(data["deleteMessages"]["destroyedIds"], json!([ids[0]]));
    assert_eq!(data["deleteMessages"]["messages"], json!([]));
    let res = h.run("alice", "query($id: ID!) { message(id: $id) { subject } }", json!({"id": ids[0]})).await;
    assert_eq!(first_code(&res).as_deref(), Some("NOT_FOUND"));
    // A destroyed id in a later batch is reported, the rest applied.
    let data = h.data("alice", q, json!({"ids": [ids[0], ids[2]]})).await;
    assert_eq!(data["deleteMessages"]["notFoundIds"], json!([ids[0]]));
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mailbox_mutations_and_system_mailboxes() {
    let h = Harness::new().await;
    let data = h
        .data("alice", "mutation { createMailbox(input: {name: \"Receipts\"}) { requestId state mailbox { id name role parent { id } } } }", json!({}))
        .await;
    let created = &data["createMailbox"];
    assert_eq!(created["mailbox"]["name"], "Receipts");
    assert_eq!(created["mailbox"]["role"], Value::Null);
    assert!(uuid_like(created["requestId"].as_str().unwrap()), "{created}");
    let id = created["mailbox"]["id"].clone();
    let data = h
        .data(
            "alice",
            "mutation($id: ID!) { renameMailbox(input: {id: $id, name: \"Bills\"}) { mailbox { id name } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(data["renameMailbox"]["mailbox"], json!({"id": id, "name": "Bills"}));
    let data = h
        .data(
            "alice",
            "mutation($id: ID!) { deleteMailbox(input: {id: $id}) { deletedMailboxId state } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(data["deleteMailbox"]["deletedMailboxId"], id);
    let res = h.run("alice", "query($id: ID!) { mailbox(id: $id) { name } }", json!({"id": id})).await;
    assert_eq!(first_code(&res).as_deref(), Some("NOT_FOUND"));
    // System mailboxes refuse.
    let boxes = mailbox_ids(&h).await;
    let inbox = by_role(&boxes, "INBOX")["id"].clone();
    let res = h
        .run(
            "alice",
            "mutation($id: ID!) { renameMailbox(input: {id: $id, name: \"Mine\"}) { state } }",
            json!({"id": inbox}),
        )
        .await;
    assert_eq!(first_code(&res).as_deref(), Some("CONFLICT"), "{:?}", res.errors);
    let res =
        h.run("alice", "mutation($id: ID!) { deleteMailbox(input: {id: $id}) { state } }", json!({"id": inbox})).await;
    assert_eq!(first_code(&res).as_deref(), Some("CONFLICT"), "{:?}", res.errors);
    h.shutdown().await;
}

fn uuid_like(s: &str) -> bool {
    s.len() == 36 && s.chars().filter(|c| *c == '-').count() == 4
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_message_from_text_or_base64() {
    let h = Harness::new().await;
    let boxes = mailbox_ids(&h).await;
    let inbox = by_role(&boxes, "INBOX")["id"].clone();
    let raw = String::from_utf8(mail::plain("Ann <ann@example.com>", "alice@example.com", "Imported", "i1@x", "text"))
        .unwrap();
    let q = "mutation($in: ImportMessageInput!) { importMessage(input: $in) { clientMutationId state message { subject flags { seen flagged } receivedAt folders } } }";
    let data = h
        .data(
            "alice",
            q,
            json!({"in": {"raw": raw, "mailboxId": inbox, "flags": ["SEEN"], "receivedAt": "2025-07-04T10:00:00Z", "clientMutationId": "imp-1"}}),
        )
        .await;
    let m = &data["importMessage"]["message"];
    assert_eq!(m["subject"], "Imported");
    assert_eq!(m["flags"], json!({"seen": true, "flagged": false}));
    assert_eq!(m["receivedAt"], "2025-07-04T10:00:00Z");
    assert_eq!(m["folders"], json!(["Inbox"]));
    // Retrying with the same clientMutationId does not import twice.
    h.data("alice", q, json!({"in": {"raw": raw, "mailboxId": inbox, "clientMutationId": "imp-1"}})).await;
    let count = h.data("alice", r#"{ messages(username: "alice") { id } }"#, json!({})).await;
    assert_eq!(count["messages"].as_array().unwrap().len(), 1);

    let b64 =
        base64::engine::general_purpose::STANDARD.encode(mail::html("b@x", "alice@example.com", "Base64", "i2@x"));
    let data = h.data("alice", q, json!({"in": {"rawBase64": b64, "mailboxId": inbox}})).await;
    assert_eq!(data["importMessage"]["message"]["subject"], "Base64");

    for input in [
        json!({"mailboxId": inbox}),
        json!({"raw": raw, "rawBase64": b64, "mailboxId": inbox}),
        json!({"rawBase64": "@@@", "mailboxId": inbox}),
        json!({"raw": raw, "mailboxId": inbox, "receivedAt": "yesterday"}),
    ] {
        let res = h.run("alice", q, json!({"in": input})).await;
        assert_eq!(first_code(&res).as_deref(), Some("BAD_USER_INPUT"), "{input}: {:?}", res.errors);
    }
    h.shutdown().await;
}
