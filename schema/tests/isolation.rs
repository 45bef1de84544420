//! Cross-user isolation: another user's global ids read and change nothing.

#![allow(clippy::unwrap_used)]

mod common;

use common::mail::{self, JULY_1};
use common::{first_code, Harness};
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_users_ids_leak_nothing_and_change_nothing() {
    let h = Harness::new().await;
    h.import(
        "alice",
        mail::plain("Ann <ann@example.com>", "alice@example.com", "Secret plans", "x1@x", "top secret"),
        JULY_1,
    )
    .await;
    let data = h
        .data("alice", "{ me { mailboxes { id role } } messages(username: \"alice\") { id threadId } }", json!({}))
        .await;
    let msg = data["messages"][0]["id"].clone();
    let thread = data["messages"][0]["threadId"].clone();
    let boxes = data["me"]["mailboxes"].as_array().unwrap().clone();
    let inbox = boxes.iter().find(|m| m["role"] == "INBOX").unwrap()["id"].clone();
    let archive = boxes.iter().find(|m| m["role"] == "ARCHIVE").unwrap()["id"].clone();

    let reads = [
        ("query($id: ID!) { message(id: $id) { subject textBody } }", &msg),
        ("query($id: ID!) { node(id: $id) { id ... on Message { subject } } }", &msg),
        ("query($id: ID!) { thread(id: $id) { messages { subject } } }", &thread),
        ("query($id: ID!) { node(id: $id) { id } }", &thread),
        ("query($id: ID!) { mailbox(id: $id) { name totalCount messages { edges { node { subject } } } } }", &inbox),
        ("query($id: ID!) { node(id: $id) { id ... on Mailbox { name } } }", &inbox),
    ];
    for (query, id) in reads {
        let res = h.run("bob", query, json!({"id": id})).await;
        let code = first_code(&res);
        assert!(matches!(code.as_deref(), Some("NOT_FOUND" | "FORBIDDEN")), "{query}: {:?}", res.errors);
        let body = res.data.into_json().unwrap().to_string();
        assert!(!body.contains("Secret") && !body.contains("Inbox"), "leaked: {body}");
    }
    let res = h.run("bob", r#"{ messages(username: "alice") { subject } }"#, json!({})).await;
    assert_eq!(first_code(&res).as_deref(), Some("FORBIDDEN"));
    let res = h.run("bob", r#"{ search(query: "secret", username: "alice") { totalCount } }"#, json!({})).await;
    assert_eq!(first_code(&res).as_deref(), Some("FORBIDDEN"));

    let writes = [
        ("mutation($id: ID!) { setFlags(input: {ids: [$id], flagged: true}) { state } }", &msg),
        ("mutation($id: ID!) { deleteMessages(input: {ids: [$id]}) { state } }", &msg),
        ("mutation($id: ID!) { renameMailbox(input: {id: $id, name: \"Owned\"}) { state } }", &archive),
        ("mutation($id: ID!) { deleteMailbox(input: {id: $id}) { state } }", &archive),
        ("mutation($id: ID!) { createMailbox(input: {name: \"Owned\", parentId: $id}) { state } }", &inbox),
        (
            "mutation($id: ID!) { importMessage(input: {raw: \"Subject: x\\r\\n\\r\\nx\", mailboxId: $id}) { state } }",
            &inbox,
        ),
    ];
    for (query, id) in writes {
        let res = h.run("bob", query, json!({"id": id})).await;
        let code = first_code(&res);
        assert!(matches!(code.as_deref(), Some("NOT_FOUND" | "FORBIDDEN")), "{query}: {:?}", res.errors);
    }
    // Moving bob's own message into alice's mailbox is refused too.
    h.import("bob", mail::plain("z@x", "bob@example.com", "Bob's", "b1@x", "b"), JULY_1).await;
    let bobs = h.data("bob", r#"{ messages(username: "bob") { id } }"#, json!({})).await;
    let res = h
        .run(
            "bob",
            "mutation($ids: [ID!]!, $to: ID!) { moveMessages(input: {ids: $ids, mailboxId: $to}) { state } }",
            json!({"ids": [bobs["messages"][0]["id"]], "to": inbox}),
        )
        .await;
    assert!(matches!(first_code(&res).as_deref(), Some("NOT_FOUND" | "FORBIDDEN")), "{:?}", res.errors);

    // Alice's data is untouched.
    let data = h
        .data(
            "alice",
            "query($id: ID!) { message(id: $id) { flags { flagged } folders } me { mailboxes { name } } }",
            json!({"id": msg}),
        )
        .await;
    assert_eq!(data["message"]["flags"]["flagged"], false);
    assert_eq!(data["message"]["folders"], json!(["Inbox"]));
    let names: Vec<&Value> = data["me"]["mailboxes"].as_array().unwrap().iter().map(|m| &m["name"]).collect();
    assert!(!names.contains(&&json!("Owned")), "{names:?}");
    assert_eq!(names.len(), 6, "{names:?}");
    h.shutdown().await;
}
