//! End to end against a real `mailgate demo` process: the seeded dataset,
//! every query family of the contract, batching read from `/metrics`,
//! downloads, cross-user isolation, mutations, and a restart on the same
//! data directory. One demo serves all phases because seeding is the slow part.

#![allow(clippy::unwrap_used)]

use base64::Engine;
use mailgate_tests::client::first_error_code;
use mailgate_tests::{DemoProcess, GraphqlClient};
use serde_json::{json, Value};

const SEED_FIELDS: &str =
    "messageId addresses { email name type } attachments { filename size type content } date folders sources subject";

#[tokio::test(flavor = "multi_thread")]
async fn demo_serves_the_contract_and_keeps_changes_across_restart() {
    let data = tempfile::tempdir().unwrap();
    let demo = DemoProcess::start(data.path()).unwrap();
    for user in ["alewisohn", "jdoe", "mfisher"] {
        assert!(demo.tokens.contains_key(user), "no TOKEN line for {user}");
    }
    let andy = demo.client("alewisohn");
    let jane = demo.client("jdoe");

    health_and_metrics_answer(&andy).await;
    graphql_over_get_reads_but_never_writes(&andy).await;
    let inbox = me_lists_the_mailbox_tree(&andy).await;
    the_seed_query_runs_verbatim_against_the_zimbra_source(&andy).await;
    let (message_gid, backend_id) = seed_query_costs_at_most_four_round_trips(&andy).await;
    connection_page_costs_at_most_four_round_trips(&andy, &inbox).await;
    seed_query_by_message_id_returns_that_message(&andy, &backend_id).await;
    search_language_filters_and_reports_syntax_errors(&andy).await;
    attachments_inline_and_download_with_authorization(&andy, &jane).await;
    threads_list_messages_in_date_order(&andy).await;
    other_users_ids_leak_nothing(&andy, &jane, &message_gid, &inbox).await;
    let state = mutations_change_flags_and_report_changes(&andy, &message_gid).await;
    mailbox_mutations_and_system_mailboxes(&andy).await;
    move_delete_and_destroy(&andy, &inbox).await;
    bad_tokens_are_unauthenticated(&demo.base).await;

    let token = demo.tokens["alewisohn"].clone();
    demo.stop().unwrap();
    let demo = DemoProcess::start(data.path()).unwrap();
    let andy = GraphqlClient::new(&demo.base, Some(&token));
    flags_survive_restart(&andy, &message_gid, &state).await;
}

async fn health_and_metrics_answer(client: &GraphqlClient) {
    let health = client.get("/health").await.unwrap();
    assert_eq!(health.status(), 200);
    let metrics = client.get("/metrics").await.unwrap();
    assert_eq!(metrics.status(), 200);
    assert!(metrics.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
}

async fn graphql_over_get_reads_but_never_writes(client: &GraphqlClient) {
    let read = client.get("/graphql?query=%7B%20me%20%7B%20username%20%7D%20%7D").await.unwrap();
    assert_eq!(read.status(), 200);
    let body: Value = read.json().await.unwrap();
    assert_eq!(body["data"]["me"]["username"], "alewisohn");
    let write = client
        .get("/graphql?query=mutation%20%7B%20createMailbox(input%3A%20%7Bname%3A%20%22viaGet%22%7D)%20%7B%20state%20%7D%20%7D")
        .await
        .unwrap();
    assert_eq!(write.status(), 405);
    let me = client.data("{ me { mailboxes { name } } }", json!({})).await.unwrap();
    assert!(!me.to_string().contains("viaGet"), "a GET created a mailbox");
}

/// Returns the inbox's global id.
async fn me_lists_the_mailbox_tree(client: &GraphqlClient) -> String {
    let data = client
        .data(
            "{ me { username displayName sources { name kind primary } state
                 mailboxes { id name role totalCount unreadCount parent { name } } } }",
            json!({}),
        )
        .await
        .unwrap();
    let me = &data["me"];
    assert_eq!(me["username"], "alewisohn");
    assert_eq!(me["sources"][0]["kind"], "NATIVE");
    assert!(!me["state"].as_str().unwrap().is_empty());
    let mailboxes = me["mailboxes"].as_array().unwrap();
    for role in ["INBOX", "SENT", "DRAFTS", "TRASH", "JUNK", "ARCHIVE"] {
        assert!(mailboxes.iter().any(|m| m["role"] == role), "no {role} mailbox in {mailboxes:?}");
    }
    assert!(mailboxes.iter().any(|m| !m["parent"].is_null()), "no nested user folder");
    let total: u64 = mailboxes.iter().map(|m| m["totalCount"].as_u64().unwrap()).sum();
    assert!(total >= 300, "alewisohn has only {total} messages");
    let inbox = mailboxes.iter().find(|m| m["role"] == "INBOX").unwrap();
    assert!(inbox["unreadCount"].as_u64().unwrap() > 0);
    inbox["id"].as_str().unwrap().to_owned()
}

/// The original platform plan's query, character for character.
async fn the_seed_query_runs_verbatim_against_the_zimbra_source(client: &GraphqlClient) {
    let query = r#"
  query {
    messages(username: "alewisohn", source: "andy.lewisohn@postlight.com", messageId: "6483969") {
      messageId
      addresses { email name type }
      attachments { filename size type content }
      date folders sources subject
    }
  }"#;
    let data = client.data(query, json!({})).await.unwrap();
    let message = &data["messages"][0];
    assert_eq!(data["messages"].as_array().unwrap().len(), 1);
    assert_eq!(message["messageId"], "6483969");
    assert_eq!(message["sources"], json!(["andy.lewisohn@postlight.com"]));
    assert_eq!(message["folders"], json!(["Inbox"]));
    let addresses = message["addresses"].as_array().unwrap();
    assert!(
        addresses.contains(&json!({ "email": "jose.mueller@example.de", "name": "José Müller", "type": "FROM" })),
        "{message}"
    );
    assert!(addresses.iter().any(|a| a["email"] == "andy.lewisohn@postlight.com" && a["type"] == "TO"), "{message}");
    let attachments = message["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 2, "{message}");
    for attachment in attachments {
        let content =
            base64::engine::general_purpose::STANDARD.decode(attachment["content"].as_str().unwrap()).unwrap();
        assert_eq!(content.len() as u64, attachment["size"].as_u64().unwrap(), "{attachment}");
    }
    assert!(attachments.iter().any(|a| a["type"] == "application/pdf" && a["filename"] == "SOW-phase-2.pdf"));
    let me = client.data("{ me { sources { name kind primary } } }", json!({})).await.unwrap();
    assert!(
        me["me"]["sources"].as_array().unwrap().iter().any(|s| s["kind"] == "ZIMBRA" && s["primary"] == false),
        "{me}"
    );
}

/// Returns (global id, backend message id) of a message with attachments.
async fn seed_query_costs_at_most_four_round_trips(client: &GraphqlClient) -> (String, String) {
    let before = client.backend_requests().await.unwrap();
    let query = format!(r#"{{ messages(username: "alewisohn", limit: 50) {{ {SEED_FIELDS} }} }}"#);
    let data = client.data(&query, json!({})).await.unwrap();
    let after = client.backend_requests().await.unwrap();
    let messages = data["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 50);
    assert!(after - before <= 4.0, "50-message seed query cost {} backend round trips", after - before);
    assert!(after - before >= 1.0, "the counter did not move");
    let dates: Vec<&str> = messages.iter().map(|m| m["date"].as_str().unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "not newest first: {dates:?}");
    for message in messages {
        assert!(!message["folders"].as_array().unwrap().is_empty());
        assert_eq!(message["sources"][0], "alewisohn@mailgate.example");
        assert!(message["addresses"].as_array().unwrap().iter().any(|a| a["type"] == "FROM"), "{message}");
    }
    // Find a message with attachments among the whole account for the later phases.
    let data = client
        .data(
            "{ search(query: \"has:attachment smaller:500k\", first: 1) { edges { node { id messageId } } } }",
            json!({}),
        )
        .await
        .unwrap();
    let node = &data["search"]["edges"][0]["node"];
    (node["id"].as_str().unwrap().to_owned(), node["messageId"].as_str().unwrap().to_owned())
}

async fn connection_page_costs_at_most_four_round_trips(client: &GraphqlClient, inbox: &str) {
    let before = client.backend_requests().await.unwrap();
    let data = client
        .data(
            "query($id: ID!) { mailbox(id: $id) { messages(first: 50) { totalCount pageInfo { hasNextPage endCursor }
               edges { cursor node { id subject mailboxes { name } thread { messageCount } } } } } }",
            json!({ "id": inbox }),
        )
        .await
        .unwrap();
    let after = client.backend_requests().await.unwrap();
    let connection = &data["mailbox"]["messages"];
    let edges = connection["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 50);
    assert!(after - before <= 4.0, "50-message connection page cost {} backend round trips", after - before);
    assert!(edges.iter().all(|e| e["node"]["mailboxes"][0]["name"] == "Inbox"));
    assert!(edges.iter().all(|e| e["node"]["thread"]["messageCount"].as_u64().unwrap() >= 1));
    assert!(edges.iter().any(|e| e["node"]["thread"]["messageCount"].as_u64().unwrap() >= 2), "no real threads");
    // The next page continues where this one ended, without overlap.
    let next = client
        .data(
            "query($id: ID!, $after: String) { mailbox(id: $id) { messages(first: 50, after: $after) { edges { node { id } } } } }",
            json!({ "id": inbox, "after": connection["pageInfo"]["endCursor"] }),
        )
        .await
        .unwrap();
    let first_ids: Vec<&Value> = edges.iter().map(|e| &e["node"]["id"]).collect();
    for edge in next["mailbox"]["messages"]["edges"].as_array().unwrap() {
        assert!(!first_ids.contains(&&edge["node"]["id"]), "page overlap");
    }
}

async fn seed_query_by_message_id_returns_that_message(client: &GraphqlClient, backend_id: &str) {
    let query =
        format!(r#"query($id: String) {{ messages(username: "alewisohn", messageId: $id) {{ {SEED_FIELDS} }} }}"#);
    let data = client.data(&query, json!({ "id": backend_id })).await.unwrap();
    let messages = data["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["messageId"], backend_id);
    let attachment = &messages[0]["attachments"][0];
    let content = base64::engine::general_purpose::STANDARD.decode(attachment["content"].as_str().unwrap()).unwrap();
    assert_eq!(content.len() as u64, attachment["size"].as_u64().unwrap());
    let missing = client.post(&query, json!({ "id": "999999999" })).await.unwrap();
    assert_eq!(first_error_code(&missing), Some("NOT_FOUND"), "{missing}");
}

async fn search_language_filters_and_reports_syntax_errors(client: &GraphqlClient) {
    let data = client
        .data(
            "{ a: search(query: \"has:attachment\", first: 20) { totalCount edges { node { hasAttachment } } }
               b: search(query: \"is:unread -in:trash\", first: 20) { totalCount edges { node { flags { seen } } } }
               c: search(query: \"(subject:re OR subject:fwd) after:2026-01-01\", first: 5) { totalCount } }",
            json!({}),
        )
        .await
        .unwrap();
    assert!(data["a"]["totalCount"].as_u64().unwrap() > 0);
    assert!(data["a"]["edges"].as_array().unwrap().iter().all(|e| e["node"]["hasAttachment"] == true));
    assert!(data["b"]["edges"].as_array().unwrap().iter().all(|e| e["node"]["flags"]["seen"] == false));
    assert!(data["c"]["totalCount"].as_u64().unwrap() > 0, "no replies found");
    let bad = client.post("{ search(query: \"(from:jose\") { totalCount } }", json!({})).await.unwrap();
    assert_eq!(first_error_code(&bad), Some("BAD_USER_INPUT"), "{bad}");
    assert!(bad["errors"][0]["message"].as_str().unwrap().contains("position"), "{bad}");
}

async fn attachments_inline_and_download_with_authorization(andy: &GraphqlClient, jane: &GraphqlClient) {
    // A large attachment: no inline content above the 1 MiB cap, but a download URL.
    let data = andy
        .data(
            "{ search(query: \"has:attachment larger:1200k\", first: 1) { edges { node { id
                 attachments { partId filename type size content downloadUrl } } } } }",
            json!({}),
        )
        .await
        .unwrap();
    let attachment = data["search"]["edges"][0]["node"]["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["size"].as_u64().unwrap() > 1024 * 1024)
        .cloned()
        .expect("a demo attachment above 1 MiB");
    assert!(attachment["content"].is_null(), "content inlined above the cap");
    let url = attachment["downloadUrl"].as_str().unwrap();
    let response = andy.get(url).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], attachment["type"].as_str().unwrap());
    let disposition = response.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    let bytes = response.bytes().await.unwrap();
    assert_eq!(bytes.len() as u64, attachment["size"].as_u64().unwrap());

    // A small one: the download is byte for byte the inline content.
    let data = andy
        .data(
            "{ search(query: \"has:attachment smaller:200k\", first: 1) { edges { node {
                 attachments { content downloadUrl } } } } }",
            json!({}),
        )
        .await
        .unwrap();
    let small = &data["search"]["edges"][0]["node"]["attachments"][0];
    let inline = base64::engine::general_purpose::STANDARD.decode(small["content"].as_str().unwrap()).unwrap();
    let url = small["downloadUrl"].as_str().unwrap();
    let downloaded = andy.get(url).await.unwrap().bytes().await.unwrap();
    assert_eq!(downloaded.as_ref(), inline.as_slice());
    // Another user, or nobody, gets nothing.
    assert_eq!(jane.get(url).await.unwrap().status(), 404);
    assert_eq!(GraphqlClient::new(&andy.base, None).get(url).await.unwrap().status(), 401);
}

async fn threads_list_messages_in_date_order(client: &GraphqlClient) {
    let data = client
        .data(
            "{ search(query: \"subject:re\", first: 10) { edges { node { thread { id messageCount } } } } }",
            json!({}),
        )
        .await
        .unwrap();
    let thread = data["search"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"]["thread"])
        .find(|t| t["messageCount"].as_u64().unwrap() >= 2)
        .cloned()
        .expect("a reply in a thread of at least two");
    let data = client
        .data(
            "query($id: ID!) { thread(id: $id) { messageCount messages { receivedAt subject } } }",
            json!({ "id": thread["id"] }),
        )
        .await
        .unwrap();
    let messages = data["thread"]["messages"].as_array().unwrap();
    assert_eq!(messages.len() as u64, data["thread"]["messageCount"].as_u64().unwrap());
    let dates: Vec<&str> = messages.iter().map(|m| m["receivedAt"].as_str().unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "thread not in date order: {dates:?}");
}

async fn other_users_ids_leak_nothing(andy: &GraphqlClient, jane: &GraphqlClient, message: &str, inbox: &str) {
    let forbidden = jane.post(r#"{ messages(username: "alewisohn") { subject } }"#, json!({})).await.unwrap();
    assert_eq!(first_error_code(&forbidden), Some("FORBIDDEN"), "{forbidden}");
    for (query, id) in [
        ("query($id: ID!) { message(id: $id) { subject } }", message),
        ("query($id: ID!) { node(id: $id) { id } }", message),
        ("query($id: ID!) { mailbox(id: $id) { name totalCount } }", inbox),
        ("query($id: ID!) { node(id: $id) { id } }", inbox),
    ] {
        let body = jane.post(query, json!({ "id": id })).await.unwrap();
        let code = first_error_code(&body);
        assert!(matches!(code, Some("NOT_FOUND" | "FORBIDDEN")), "{query}: {body}");
        assert!(!body.to_string().contains("subject\":\""), "leaked: {body}");
    }
    let body = jane
        .post(
            "mutation($ids: [ID!]!) { setFlags(input: {ids: $ids, flagged: true}) { state } }",
            json!({ "ids": [message] }),
        )
        .await
        .unwrap();
    assert!(matches!(first_error_code(&body), Some("NOT_FOUND" | "FORBIDDEN")), "{body}");
    let data = andy
        .data("query($id: ID!) { message(id: $id) { flags { flagged } } }", json!({ "id": message }))
        .await
        .unwrap();
    assert_eq!(data["message"]["flags"]["flagged"], false, "another user's mutation changed the message");
}

/// Returns the state after the flag change.
async fn mutations_change_flags_and_report_changes(client: &GraphqlClient, message: &str) -> String {
    let state = client.data("{ me { state } }", json!({})).await.unwrap()["me"]["state"].as_str().unwrap().to_owned();
    let data = client
        .data(
            "mutation($ids: [ID!]!) { setFlags(input: {ids: $ids, seen: false, flagged: true}) { state notFoundIds messages { flags { seen flagged } } } }",
            json!({ "ids": [message] }),
        )
        .await
        .unwrap();
    let payload = &data["setFlags"];
    assert_eq!(payload["messages"][0]["flags"], json!({ "seen": false, "flagged": true }));
    assert_ne!(payload["state"].as_str().unwrap(), state);
    let changes = client
        .data(
            "query($s: String!) { changes(since: $s) { newState messages { updated created destroyed } } }",
            json!({ "s": state }),
        )
        .await
        .unwrap();
    let updated = changes["changes"]["messages"]["updated"].as_array().unwrap();
    assert!(updated.iter().any(|id| id == message), "{changes}");
    payload["state"].as_str().unwrap().to_owned()
}

async fn mailbox_mutations_and_system_mailboxes(client: &GraphqlClient) {
    let data = client
        .data("mutation { createMailbox(input: {name: \"Receipts-e2e\"}) { mailbox { id name role } } }", json!({}))
        .await
        .unwrap();
    let id = data["createMailbox"]["mailbox"]["id"].as_str().unwrap().to_owned();
    let data = client
        .data(
            "mutation($id: ID!) { renameMailbox(input: {id: $id, name: \"Renamed-e2e\"}) { mailbox { name } } }",
            json!({ "id": id }),
        )
        .await
        .unwrap();
    assert_eq!(data["renameMailbox"]["mailbox"]["name"], "Renamed-e2e");
    client.data("mutation($id: ID!) { deleteMailbox(input: {id: $id}) { state } }", json!({ "id": id })).await.unwrap();
    let me = client.data("{ me { mailboxes { id name role } } }", json!({})).await.unwrap();
    let mailboxes = me["me"]["mailboxes"].as_array().unwrap();
    assert!(!mailboxes.iter().any(|m| m["id"] == id.as_str()), "deleted mailbox still listed");
    let inbox = mailboxes.iter().find(|m| m["role"] == "INBOX").unwrap();
    let refused = client
        .post(
            "mutation($id: ID!) { renameMailbox(input: {id: $id, name: \"Mine\"}) { state } }",
            json!({ "id": inbox["id"] }),
        )
        .await
        .unwrap();
    assert_eq!(first_error_code(&refused), Some("CONFLICT"), "{refused}");
}

async fn move_delete_and_destroy(client: &GraphqlClient, inbox: &str) {
    let me = client.data("{ me { mailboxes { id role totalCount } } }", json!({})).await.unwrap();
    let mailboxes = me["me"]["mailboxes"].as_array().unwrap();
    let archive = mailboxes.iter().find(|m| m["role"] == "ARCHIVE").unwrap()["id"].as_str().unwrap().to_owned();
    let page = client
        .data(
            "query($id: ID!) { mailbox(id: $id) { messages(first: 2) { edges { node { id } } } } }",
            json!({ "id": inbox }),
        )
        .await
        .unwrap();
    let ids: Vec<Value> =
        page["mailbox"]["messages"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["id"].clone()).collect();
    assert_eq!(ids.len(), 2);
    let moved = client
        .data(
            "mutation($ids: [ID!]!, $to: ID!) { moveMessages(input: {ids: $ids, mailboxId: $to}) { messages { mailboxes { role } } } }",
            json!({ "ids": ids, "to": archive }),
        )
        .await
        .unwrap();
    assert!(moved["moveMessages"]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["mailboxes"][0]["role"] == "ARCHIVE"));
    let deleted = client
        .data(
            "mutation($ids: [ID!]!) { deleteMessages(input: {ids: $ids}) { messages { mailboxes { role } } } }",
            json!({ "ids": ids }),
        )
        .await
        .unwrap();
    assert!(
        deleted["deleteMessages"]["messages"].as_array().unwrap().iter().all(|m| m["mailboxes"][0]["role"] == "TRASH"),
        "{deleted}"
    );
    let destroyed = client
        .data("mutation($ids: [ID!]!) { deleteMessages(input: {ids: $ids}) { destroyedIds } }", json!({ "ids": ids }))
        .await
        .unwrap();
    assert_eq!(destroyed["deleteMessages"]["destroyedIds"].as_array().unwrap().len(), 2, "{destroyed}");
    let gone = client.post("query($id: ID!) { message(id: $id) { subject } }", json!({ "id": ids[0] })).await.unwrap();
    assert_eq!(first_error_code(&gone), Some("NOT_FOUND"), "{gone}");
}

async fn bad_tokens_are_unauthenticated(base: &str) {
    let anonymous = GraphqlClient::new(base, None).post("{ me { username } }", json!({})).await.unwrap();
    assert_eq!(first_error_code(&anonymous), Some("UNAUTHENTICATED"), "{anonymous}");
    let forged = GraphqlClient::new(base, Some("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.bad"))
        .post("{ me { username } }", json!({}))
        .await
        .unwrap();
    assert_eq!(first_error_code(&forged), Some("UNAUTHENTICATED"), "{forged}");
}

async fn flags_survive_restart(client: &GraphqlClient, message: &str, state: &str) {
    let data = client
        .data("query($id: ID!) { message(id: $id) { flags { seen flagged } } }", json!({ "id": message }))
        .await
        .unwrap();
    assert_eq!(data["message"]["flags"], json!({ "seen": false, "flagged": true }), "flags lost across restart");
    // The state from before the restart is still a valid point to sync from.
    let changes = client
        .data("query($s: String!) { changes(since: $s) { messages { updated } } }", json!({ "s": state }))
        .await
        .unwrap();
    assert!(changes["changes"]["messages"]["updated"].as_array().unwrap().is_empty(), "{changes}");
}
