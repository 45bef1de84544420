//! The DataLoader budget: a 50-message page costs a handful of backend calls,
//! counted by wrapping the real native backend.

#![allow(clippy::unwrap_used)]

mod common;

use common::mail::{self, HOUR, JULY_1};
use common::Harness;
use serde_json::json;

/// 60 messages in alice's inbox, every third with attachments, in threads of two.
async fn seed(h: &Harness) {
    for i in 0..60i64 {
        let raw = match i % 3 {
            0 => mail::with_attachments(
                "Ann <ann@example.com>",
                "alice@example.com",
                &format!("b{i}"),
                &format!("b{i}@x"),
            ),
            1 => mail::reply(
                "Bob <bob@example.com>",
                "alice@example.com",
                &format!("Re: b{}", i - 1),
                &format!("b{i}@x"),
                &format!("b{}@x", i - 1),
            ),
            _ => mail::plain(
                "Carol <carol@example.com>",
                "alice@example.com",
                &format!("b{i}"),
                &format!("b{i}@x"),
                "hello",
            ),
        };
        h.import("alice", raw, JULY_1 + i * HOUR).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_style_query_for_fifty_messages_costs_at_most_four_calls() {
    let h = Harness::new().await;
    seed(&h).await;
    h.counting.reset();
    let data = h
        .data(
            "alice",
            r#"{ messages(username: "alice", source: "alice@example.com", limit: 50) {
                messageId addresses { email name type } attachments { filename size type content } date folders sources subject } }"#,
            json!({}),
        )
        .await;
    let messages = data["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 50);
    let inline =
        messages.iter().flat_map(|m| m["attachments"].as_array().unwrap()).filter(|a| a["content"].is_string()).count();
    assert!(inline >= 16, "only {inline} attachments inline");
    assert!(messages.iter().all(|m| m["folders"] == json!(["Inbox"])));
    let calls = h.counting.calls();
    assert!(h.counting.total() <= 4, "{calls:?}");
    assert_eq!(calls.get("blobs"), Some(&1), "{calls:?}");
    assert_eq!(calls.get("messages"), None, "messages re-fetched: {calls:?}");
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_page_with_mailboxes_and_threads_costs_at_most_four_calls() {
    let h = Harness::new().await;
    seed(&h).await;
    let me = h.data("alice", "{ me { inbox: mailbox(role: INBOX) { id } } }", json!({})).await;
    let inbox = me["me"]["inbox"]["id"].clone();
    h.counting.reset();
    let data = h
        .data(
            "alice",
            "query($id: ID!) { mailbox(id: $id) { messages(first: 50) { totalCount pageInfo { hasNextPage endCursor }
               edges { cursor node { id subject folders mailboxes { name } thread { messageCount size } } } } } }",
            json!({"id": inbox}),
        )
        .await;
    let conn = &data["mailbox"]["messages"];
    assert_eq!(conn["totalCount"], 60);
    let edges = conn["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 50);
    assert!(edges.iter().all(|e| e["node"]["thread"]["messageCount"].as_u64().unwrap() >= 1));
    assert!(edges.iter().any(|e| e["node"]["thread"]["messageCount"] == 2));
    let calls = h.counting.calls();
    assert!(h.counting.total() <= 4, "{calls:?}");
    assert_eq!(calls.get("threads"), Some(&1), "{calls:?}");

    // A thread's messages that the page already holds are not fetched again;
    // the rest come in one batch.
    h.counting.reset();
    h.data(
        "alice",
        "query($id: ID!) { mailbox(id: $id) { messages(first: 50) { nodes { thread { messages { subject } } } } } }",
        json!({"id": inbox}),
    )
    .await;
    let calls = h.counting.calls();
    assert!(calls.get("messages").copied().unwrap_or(0) <= 1, "{calls:?}");
    assert!(h.counting.total() <= 5, "{calls:?}");
    h.shutdown().await;
}
