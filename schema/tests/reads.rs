//! Queries against a real embedded native store: the seed query, the account
//! and mailbox tree, every message field, attachments, threads, paging, search.

#![allow(clippy::unwrap_used)]

mod common;

use base64::Engine;
use common::mail::{self, HOUR, JULY_1};
use common::{first_code, first_message, Harness};
use mailgate_backend::Principal;
use serde_json::{json, Value};

const SEED: &str = r#"query { messages(username: "alewisohn", source: "andy.lewisohn@postlight.com", messageId: "6483969") {
    messageId addresses { email name type } attachments { filename size type content } date folders sources subject } }"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_query_runs_verbatim() {
    let h = Harness::new().await;
    // Unknown account: a clean NOT_FOUND, no data, no internals.
    let res = h.run("alewisohn", SEED, json!({})).await;
    assert_eq!(first_code(&res).as_deref(), Some("NOT_FOUND"), "{:?}", res.errors);
    assert_eq!(res.data.into_json().unwrap(), Value::Null);

    // The account exists, but the named source is not one of its sources.
    h.create_account("alewisohn", "Andy Lewisohn", "andy@mailgate.example").await;
    let res = h.run("alewisohn", SEED, json!({})).await;
    assert_eq!(first_code(&res).as_deref(), Some("NOT_FOUND"), "{:?}", res.errors);

    // With the source present the same text resolves; this id does not exist.
    h.create_account("andy2", "Andy", "andy.lewisohn@postlight.com").await;
    let seed2 = SEED.replace("alewisohn", "andy2");
    let res = h.run("andy2", &seed2, json!({})).await;
    assert_eq!(first_code(&res).as_deref(), Some("NOT_FOUND"), "{:?}", res.errors);

    // And with a real id it answers every seed field.
    let id = h
        .import(
            "andy2",
            mail::with_attachments("Ann <ann@example.com>", "andy.lewisohn@postlight.com", "Files", "f1@x"),
            JULY_1,
        )
        .await;
    let seed3 = seed2.replace("6483969", id.as_str());
    let data = h.data("andy2", &seed3, json!({})).await;
    let m = &data["messages"][0];
    assert_eq!(m["messageId"], id.as_str());
    assert_eq!(m["subject"], "Files");
    assert_eq!(m["date"], "2025-07-02T09:30:00Z");
    assert_eq!(m["folders"], json!(["Inbox"]));
    assert_eq!(m["sources"], json!(["andy.lewisohn@postlight.com"]));
    assert!(m["addresses"]
        .as_array()
        .unwrap()
        .contains(&json!({"email": "ann@example.com", "name": "Ann", "type": "FROM"})));
    let atts = m["attachments"].as_array().unwrap();
    assert_eq!(atts.len(), 2, "{atts:?}");
    assert_eq!(atts[0]["filename"], "notes.txt");
    let content = atts[0]["content"].as_str().unwrap();
    let decoded = base64::engine::general_purpose::STANDARD.decode(content).unwrap();
    assert_eq!(decoded, b"hello attachment");
    assert_eq!(atts[1]["size"], 600);
    assert_eq!(atts[1]["content"], Value::Null, "over the cap: no inline content");
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_lists_newest_first_with_folder_and_limit() {
    let h = Harness::new().await;
    for i in 0..5 {
        let raw = mail::plain("Ann <ann@example.com>", "alice@example.com", &format!("n{i}"), &format!("n{i}@x"), "hi");
        h.import("alice", raw, JULY_1 + i * HOUR).await;
    }
    let data = h.data("alice", r#"{ messages(username: "alice", limit: 3) { subject } }"#, json!({})).await;
    assert_eq!(data["messages"], json!([{"subject": "n4"}, {"subject": "n3"}, {"subject": "n2"}]));
    let data = h
        .data("alice", r#"{ a: messages(username: "alice", folder: "inbox") { subject } b: messages(username: "alice", folder: "Trash") { subject } }"#, json!({}))
        .await;
    assert_eq!(data["a"].as_array().unwrap().len(), 5);
    assert_eq!(data["b"], json!([]));
    let res = h.run("alice", r#"{ messages(username: "alice", folder: "Nope") { subject } }"#, json!({})).await;
    assert_eq!(first_code(&res).as_deref(), Some("NOT_FOUND"));
    let res = h.run("alice", r#"{ messages(username: "alice", limit: 501) { subject } }"#, json!({})).await;
    assert_eq!(first_code(&res).as_deref(), Some("BAD_USER_INPUT"));
    let res =
        h.run("alice", r#"{ messages(username: "alice", source: "bob@example.com") { subject } }"#, json!({})).await;
    assert_eq!(first_code(&res).as_deref(), Some("NOT_FOUND"));
    // Admins may read any account; users only their own.
    let res = h
        .run_as(Some(Principal::admin("root")), r#"{ messages(username: "alice", limit: 1) { subject } }"#, json!({}))
        .await;
    assert!(res.errors.is_empty(), "{:?}", res.errors);
    let res = h.run("bob", r#"{ messages(username: "alice") { subject } }"#, json!({})).await;
    assert_eq!(first_code(&res).as_deref(), Some("FORBIDDEN"));
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn me_lists_sources_mailboxes_and_state() {
    let h = Harness::new().await;
    h.import("alice", mail::plain("a@x", "alice@example.com", "s", "s@x", "b"), JULY_1).await;
    let data = h
        .data(
            "alice",
            "{ me { username displayName sources { name kind primary readOnly } state
                 mailboxes { id name role totalCount unreadCount parent { name } children { name } }
                 inbox: mailbox(role: INBOX) { name totalCount } } }",
            json!({}),
        )
        .await;
    let me = &data["me"];
    assert_eq!(me["username"], "alice");
    assert_eq!(me["displayName"], "Alice Example");
    assert_eq!(
        me["sources"],
        json!([{"name": "alice@example.com", "kind": "NATIVE", "primary": true, "readOnly": false}])
    );
    assert!(!me["state"].as_str().unwrap().is_empty());
    let boxes = me["mailboxes"].as_array().unwrap();
    for role in ["INBOX", "SENT", "DRAFTS", "TRASH", "JUNK", "ARCHIVE"] {
        assert!(boxes.iter().any(|m| m["role"] == role), "no {role}: {boxes:?}");
    }
    assert_eq!(me["inbox"], json!({"name": "Inbox", "totalCount": 1}));
    let inbox = boxes.iter().find(|m| m["role"] == "INBOX").unwrap();
    assert_eq!(inbox["unreadCount"], 1);
    assert_eq!(inbox["parent"], Value::Null);

    // A child mailbox shows up under its parent.
    let data = h
        .data(
            "alice",
            "mutation($p: ID!) { createMailbox(input: {name: \"Receipts\", parentId: $p}) { mailbox { name parent { name } } } }",
            json!({"p": inbox["id"]}),
        )
        .await;
    assert_eq!(data["createMailbox"]["mailbox"], json!({"name": "Receipts", "parent": {"name": "Inbox"}}));
    let data =
        h.data("alice", "query($id: ID!) { mailbox(id: $id) { children { name } } }", json!({"id": inbox["id"]})).await;
    assert_eq!(data["mailbox"]["children"], json!([{"name": "Receipts"}]));
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn message_serves_every_domain_field() {
    let h = Harness::new().await;
    let first = h
        .import(
            "alice",
            mail::plain(
                "Ann <ann@example.com>",
                "Alice <alice@example.com>",
                "Lunch",
                "l1@x",
                "Shall we meet at noon?",
            ),
            JULY_1,
        )
        .await;
    let reply = h
        .import(
            "alice",
            mail::reply("Bob <bob@example.com>", "ann@example.com", "Re: Lunch", "l2@x", "l1@x"),
            JULY_1 + HOUR,
        )
        .await;
    let html = h.import("alice", mail::html("c@x", "alice@example.com", "Html", "h1@x"), JULY_1 + 2 * HOUR).await;
    let files =
        h.import("alice", mail::with_attachments("d@x", "alice@example.com", "Files", "f1@x"), JULY_1 + 3 * HOUR).await;
    let ids = h.data("alice", r#"{ messages(username: "alice") { id messageId } }"#, json!({})).await;
    let gid = |backend: &str| {
        ids["messages"].as_array().unwrap().iter().find(|m| m["messageId"] == backend).unwrap()["id"].clone()
    };
    let q = "query($id: ID!) { message(id: $id) {
        id messageId threadId thread { id messageCount size messages { messageId } } mailboxes { name role }
        folders sources flags { seen flagged answered forwarded draft } keywords size receivedAt sentAt date
        messageIdHeader inReplyTo references from { email name type } sender { email } replyTo { email }
        to { email name } cc { email name } bcc { email } subject preview hasAttachment textBody htmlBody
        headers(names: [\"list-id\", \"Subject\"]) { name value }
        attachments { partId filename type size disposition contentId content downloadUrl } } }";
    let data = h.data("alice", q, json!({"id": gid(reply.as_str())})).await;
    let m = &data["message"];
    assert_eq!(m["messageId"], reply.as_str());
    assert_eq!(m["messageIdHeader"], "l2@x");
    assert_eq!(m["inReplyTo"], json!(["l1@x"]));
    assert_eq!(m["references"], json!(["l1@x"]));
    assert_eq!(m["from"], json!([{"email": "bob@example.com", "name": "Bob", "type": "FROM"}]));
    assert_eq!(m["to"], json!([{"email": "ann@example.com", "name": null}]));
    assert_eq!(m["subject"], "Re: Lunch");
    assert_eq!(m["sentAt"], "2025-07-01T12:00:00Z");
    assert_eq!(m["receivedAt"], "2025-07-01T11:00:00Z");
    assert_eq!(
        m["flags"],
        json!({"seen": false, "flagged": false, "answered": false, "forwarded": false, "draft": false})
    );
    assert_eq!(m["keywords"], json!([]));
    assert_eq!(m["mailboxes"], json!([{"name": "Inbox", "role": "INBOX"}]));
    assert_eq!(m["hasAttachment"], false);
    assert!(m["size"].as_u64().unwrap() > 50);
    // The thread holds both messages, oldest first.
    assert_eq!(m["thread"]["messageCount"], 2, "{m}");
    assert_eq!(m["thread"]["size"], 2);
    assert_eq!(m["thread"]["messages"], json!([{"messageId": first.as_str()}, {"messageId": reply.as_str()}]));
    assert_eq!(m["threadId"], m["thread"]["id"]);

    let data = h.data("alice", q, json!({"id": gid(first.as_str())})).await;
    let m = &data["message"];
    assert_eq!(m["cc"], json!([{"email": "carol@example.com", "name": "Carol"}]));
    assert_eq!(m["textBody"].as_str().unwrap().trim(), "Shall we meet at noon?");
    assert!(m["preview"].as_str().unwrap().starts_with("Shall we meet"));
    // Only the named headers, in message order, matched case-insensitively
    // (the backend decides the spelling of the name and the decoding of the value).
    let headers = m["headers"].as_array().unwrap();
    assert_eq!(headers.len(), 2, "{headers:?}");
    assert_eq!(headers[0], json!({"name": "Subject", "value": "Lunch"}));
    assert!(headers[1]["name"].as_str().unwrap().eq_ignore_ascii_case("list-id"));
    assert!(headers[1]["value"].as_str().unwrap().contains("team.example.com"));

    let data = h.data("alice", q, json!({"id": gid(html.as_str())})).await;
    assert!(data["message"]["htmlBody"].as_str().unwrap().contains("<b>HTML</b>"));

    let data = h.data("alice", q, json!({"id": gid(files.as_str())})).await;
    let m = &data["message"];
    assert_eq!(m["hasAttachment"], true);
    let atts = m["attachments"].as_array().unwrap();
    assert_eq!(atts[0]["type"], "text/plain");
    assert_eq!(atts[0]["disposition"], "attachment");
    assert_eq!(atts[0]["content"], "aGVsbG8gYXR0YWNobWVudA==");
    let part = atts[1]["partId"].as_str().unwrap();
    assert_eq!(atts[1]["downloadUrl"], format!("/download/{}/{part}", m["id"].as_str().unwrap()));
    assert_eq!(atts[1]["content"], Value::Null);

    // node(id:) resolves the same message, and the thread and mailbox too.
    let data = h
        .data(
            "alice",
            "query($m: ID!, $t: ID!) { m: node(id: $m) { id ... on Message { subject } } t: node(id: $t) { ... on Thread { messageCount } } }",
            json!({"m": gid(first.as_str()), "t": m["threadId"]}),
        )
        .await;
    assert_eq!(data["m"]["subject"], "Lunch");
    assert_eq!(data["t"]["messageCount"], 1);

    // Malformed and wrong-typed ids are BAD_USER_INPUT.
    let res = h.run("alice", "{ message(id: \"garbage!\") { id } }", json!({})).await;
    assert_eq!(first_code(&res).as_deref(), Some("BAD_USER_INPUT"));
    let res = h.run("alice", "query($id: ID!) { mailbox(id: $id) { id } }", json!({"id": gid(first.as_str())})).await;
    assert_eq!(first_code(&res).as_deref(), Some("BAD_USER_INPUT"));
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mailbox_connection_pages_sorts_and_filters() {
    let h = Harness::new().await;
    for i in 0..12 {
        let raw = mail::plain("a@x", "alice@example.com", &format!("m{i:02}"), &format!("c{i}@x"), "b");
        h.import("alice", raw, JULY_1 + i * HOUR).await;
    }
    let me = h.data("alice", "{ me { inbox: mailbox(role: INBOX) { id } } }", json!({})).await;
    let inbox = me["me"]["inbox"]["id"].clone();
    let page = "query($id: ID!, $first: Int, $after: String, $last: Int, $before: String, $sort: MessageSort, $filter: MessageFilter) {
        mailbox(id: $id) { messages(first: $first, after: $after, last: $last, before: $before, sort: $sort, filter: $filter) {
          totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { subject } } nodes { subject } } } }";
    let subjects = |v: &Value| -> Vec<String> {
        v["mailbox"]["messages"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["subject"].as_str().unwrap().to_owned())
            .collect()
    };
    let p1 = h.data("alice", page, json!({"id": inbox, "first": 5})).await;
    assert_eq!(subjects(&p1), ["m11", "m10", "m09", "m08", "m07"]);
    let conn = &p1["mailbox"]["messages"];
    assert_eq!(conn["totalCount"], 12);
    assert_eq!(conn["pageInfo"]["hasNextPage"], true);
    assert_eq!(conn["pageInfo"]["hasPreviousPage"], false);
    assert_eq!(conn["nodes"].as_array().unwrap().len(), 5);
    let p2 = h.data("alice", page, json!({"id": inbox, "first": 5, "after": conn["pageInfo"]["endCursor"]})).await;
    assert_eq!(subjects(&p2), ["m06", "m05", "m04", "m03", "m02"]);
    let p3 = h
        .data(
            "alice",
            page,
            json!({"id": inbox, "first": 5, "after": p2["mailbox"]["messages"]["pageInfo"]["endCursor"]}),
        )
        .await;
    assert_eq!(subjects(&p3), ["m01", "m00"]);
    assert_eq!(p3["mailbox"]["messages"]["pageInfo"]["hasNextPage"], false);
    // Backward: the last 3, then the 2 before them.
    let tail = h.data("alice", page, json!({"id": inbox, "last": 3})).await;
    assert_eq!(subjects(&tail), ["m02", "m01", "m00"]);
    let before = h
        .data(
            "alice",
            page,
            json!({"id": inbox, "last": 2, "before": tail["mailbox"]["messages"]["pageInfo"]["startCursor"]}),
        )
        .await;
    assert_eq!(subjects(&before), ["m04", "m03"]);
    // Sorting and filtering.
    let asc =
        h.data("alice", page, json!({"id": inbox, "first": 2, "sort": {"by": "SUBJECT", "direction": "ASC"}})).await;
    assert_eq!(subjects(&asc), ["m00", "m01"]);
    let all = h.data("alice", r#"{ messages(username: "alice", limit: 3) { id } }"#, json!({})).await;
    let three: Vec<Value> = all["messages"].as_array().unwrap().iter().map(|m| m["id"].clone()).collect();
    h.data(
        "alice",
        "mutation($ids: [ID!]!) { setFlags(input: {ids: $ids, seen: true}) { state } }",
        json!({"ids": three}),
    )
    .await;
    let unread = h.data("alice", page, json!({"id": inbox, "filter": {"seen": false}})).await;
    assert_eq!(unread["mailbox"]["messages"]["totalCount"], 9);
    let read = h.data("alice", page, json!({"id": inbox, "filter": {"seen": true, "hasAttachment": false}})).await;
    assert_eq!(subjects(&read), ["m11", "m10", "m09"]);
    // Bad paging input.
    for vars in [
        json!({"id": inbox, "first": 501}),
        json!({"id": inbox, "first": -1}),
        json!({"id": inbox, "first": 1, "last": 1}),
        json!({"id": inbox, "after": "not-a-cursor"}),
    ] {
        let res = h.run("alice", page, vars).await;
        assert_eq!(first_code(&res).as_deref(), Some("BAD_USER_INPUT"), "{:?}", res.errors);
        // The failing connection nulls itself, not the mailbox.
        let data = res.data.into_json().unwrap();
        assert_eq!(data["mailbox"]["messages"], Value::Null);
    }
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_applies_the_query_language() {
    let h = Harness::new().await;
    h.import(
        "alice",
        mail::plain("Ann <ann@example.com>", "alice@example.com", "Quarterly report", "s1@x", "numbers inside"),
        JULY_1,
    )
    .await;
    h.import(
        "alice",
        mail::plain("Bob <bob@example.com>", "alice@example.com", "Lunch", "s2@x", "pizza"),
        JULY_1 + HOUR,
    )
    .await;
    h.import(
        "alice",
        mail::with_attachments("Ann <ann@example.com>", "alice@example.com", "Files", "s3@x"),
        JULY_1 + 2 * HOUR,
    )
    .await;
    let q = "query($q: String!) { search(query: $q, first: 10) { totalCount edges { node { subject } } } }";
    let subjects = |v: &Value| -> Vec<String> {
        let mut s: Vec<String> = v["search"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["subject"].as_str().unwrap().to_owned())
            .collect();
        s.sort();
        s
    };
    let table: Vec<(&str, Vec<&str>)> = vec![
        ("", vec!["Files", "Lunch", "Quarterly report"]),
        ("from:ann", vec!["Files", "Quarterly report"]),
        ("from:ann -has:attachment", vec!["Quarterly report"]),
        ("has:attachment", vec!["Files"]),
        ("subject:\"quarterly report\"", vec!["Quarterly report"]),
        ("pizza", vec!["Lunch"]),
        ("from:bob OR subject:files", vec!["Files", "Lunch"]),
        ("(from:bob OR from:ann) is:unread in:inbox", vec!["Files", "Lunch", "Quarterly report"]),
        ("in:trash", vec![]),
        ("larger:500", vec!["Files"]),
        ("after:2025-07-02", vec![]),
        ("before:2025-07-02", vec!["Files", "Lunch", "Quarterly report"]),
    ];
    for (query, expected) in table {
        let data = h.data("alice", q, json!({"q": query})).await;
        assert_eq!(subjects(&data), expected, "search {query:?}");
        assert_eq!(data["search"]["totalCount"], expected.len(), "search {query:?}");
    }
    let res = h.run("alice", q, json!({"q": "from:alice (subject:x"})).await;
    assert_eq!(first_code(&res).as_deref(), Some("BAD_USER_INPUT"));
    assert_eq!(first_message(&res), "unclosed parenthesis at position 11");
    // Bob's search sees none of Alice's mail.
    let data = h.data("bob", q, json!({"q": ""})).await;
    assert_eq!(data["search"]["totalCount"], 0);
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_principal_is_unauthenticated() {
    let h = Harness::new().await;
    for q in [
        "{ me { username } }",
        r#"{ messages(username: "alice") { subject } }"#,
        "{ search(query: \"x\") { totalCount } }",
        "{ changes(since: \"1\") { newState } }",
        "mutation { createMailbox(input: {name: \"x\"}) { state } }",
    ] {
        let res = h.run_as(None, q, json!({})).await;
        assert_eq!(first_code(&res).as_deref(), Some("UNAUTHENTICATED"), "{q}: {:?}", res.errors);
    }
    h.shutdown().await;
}
