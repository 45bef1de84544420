//! Subscriptions against a real gateway listening on loopback: the
//! `graphql-transport-ws` and legacy `graphql-ws` websocket protocols and
//! server-sent events; each receives the change a mutation made, with the
//! new state, and nothing of another user's. Refused: no token, a token
//! without `mail:read`, a user past the connection cap, an unlisted
//! operation under a safelist.

#![allow(clippy::unwrap_used)]

use futures::{SinkExt, StreamExt};
use mailgate_backend::{ChangeRequest, MailBackend, MailChange, Principal, RequestId};
use mailgate_gateway::auth::TokenAuthority;
use mailgate_gateway::config::Config;
use mailgate_gateway::live::LiveConfig;
use mailgate_gateway::{persisted::PersistedConfig, server};
use mailgate_native::NativeBackend;
use mailgate_schema::Scopes;
use serde_json::{json, Value};
use std::num::{NonZeroU64, NonZeroUsize};
use std::sync::Arc;
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
const MESSAGES: &str = "subscription { messagesChanged { newState messages { created } } }";
const MAILBOXES: &str = "subscription { mailboxesChanged { newState mailboxes { created } } }";

struct Gateway {
    addr: std::net::SocketAddr,
    native: Arc<NativeBackend>,
    _dir: tempfile::TempDir,
}

impl Gateway {
    async fn start(config: Config) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let native = Arc::new(NativeBackend::open_embedded(dir.path()).await.unwrap());
        for user in ["ann", "bob"] {
            let change = MailChange::CreateAccount {
                display_name: user.into(),
                address: format!("{user}@example.com"),
                legacy: None,
            };
            let request = ChangeRequest { request_id: RequestId(format!("create-{user}")), change };
            native.apply(&Principal::admin("root"), user, request).await.unwrap();
        }
        let backend: Arc<dyn MailBackend> = native.clone();
        let state = server::app_state(backend, Vec::new(), SECRET, &config).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(server::serve(listener, state, std::future::pending()));
        Self { addr, native, _dir: dir }
    }

    async fn graphql(&self, user: &str, query: &str, variables: Value) -> Value {
        let response = reqwest::Client::new()
            .post(format!("http://{}/graphql", self.addr))
            .bearer_auth(token(user, Scopes::USER))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .unwrap();
        response.json().await.unwrap()
    }

    /// Imports a message into `user`'s inbox; its global id.
    async fn import(&self, user: &str, subject: &str) -> String {
        let boxes = self.graphql(user, "{ me { mailboxes { id role } } }", json!({})).await;
        let inbox = boxes["data"]["me"]["mailboxes"].as_array().unwrap().iter().find(|m| m["role"] == "INBOX").unwrap()
            ["id"]
            .clone();
        let raw = format!("From: a@example.com\r\nSubject: {subject}\r\n\r\nhello\r\n");
        let done = self
            .graphql(user, "mutation($m: ID!, $r: String!) { importMessage(input: { mailboxId: $m, raw: $r }) { message { id } } }", json!({ "m": inbox, "r": raw }))
            .await;
        done["data"]["importMessage"]["message"]["id"].as_str().unwrap_or_else(|| panic!("{done}")).to_owned()
    }

    async fn socket(&self, protocol: &str) -> Socket {
        let mut request = format!("ws://{}/graphql/ws", self.addr).into_client_request().unwrap();
        request.headers_mut().insert("Sec-WebSocket-Protocol", protocol.parse().unwrap());
        let (socket, response) = tokio_tungstenite::connect_async(request).await.unwrap();
        assert_eq!(response.headers()["sec-websocket-protocol"], protocol);
        Socket(socket)
    }
}

fn token(user: &str, scopes: Scopes) -> String {
    TokenAuthority::hs256(SECRET).mint_scoped(user, scopes, 300).unwrap()
}

fn fast() -> Config {
    let live = LiveConfig { poll_interval_ms: NonZeroU64::new(50).unwrap(), ..LiveConfig::default() };
    Config { live, ..Config::default() }
}

struct Socket(tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>);

impl Socket {
    async fn send(&mut self, message: Value) {
        self.0.send(Message::Text(message.to_string().into())).await.unwrap();
    }

    /// The next text message as JSON, or `None` if the server closed.
    async fn next(&mut self) -> Option<Value> {
        loop {
            let message =
                tokio::time::timeout(Duration::from_secs(10), self.0.next()).await.expect("no message in 10 s")?;
            match message.ok()? {
                Message::Text(text) => return Some(serde_json::from_str(&text).unwrap()),
                Message::Close(_) => return None,
                _ => continue,
            }
        }
    }

    async fn init(&mut self, token: &str) -> Option<Value> {
        self.send(json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } }))
            .await;
        self.next().await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphql_transport_ws_delivers_own_changes_with_the_new_state_and_nothing_of_others() {
    let gateway = Gateway::start(fast()).await;
    let mut socket = gateway.socket("graphql-transport-ws").await;
    assert_eq!(socket.init(&token("ann", Scopes::USER)).await.unwrap()["type"], "connection_ack");
    socket.send(json!({ "id": "1", "type": "subscribe", "payload": { "query": MESSAGES } })).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    gateway.import("bob", "bob's").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let id = gateway.import("ann", "ann's").await;
    let event = socket.next().await.unwrap();
    assert_eq!((&event["type"], &event["id"]), (&json!("next"), &json!("1")), "{event}");
    let changed = &event["payload"]["data"]["messagesChanged"];
    assert_eq!(changed["messages"]["created"], json!([id]), "only ann's message: {event}");
    // The state in the event is the one delta sync continues from.
    let state = gateway.graphql("ann", "{ me { state } }", json!({})).await["data"]["me"]["state"].clone();
    assert_eq!(changed["newState"], state);
    gateway.native.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_graphql_ws_delivers_mailbox_changes() {
    let gateway = Gateway::start(fast()).await;
    let mut socket = gateway.socket("graphql-ws").await;
    assert_eq!(socket.init(&token("ann", Scopes::USER)).await.unwrap()["type"], "connection_ack");
    socket.send(json!({ "id": "7", "type": "start", "payload": { "query": MAILBOXES } })).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let created = gateway
        .graphql("ann", "mutation { createMailbox(input: { name: \"Live\" }) { mailbox { id } } }", json!({}))
        .await;
    let id = created["data"]["createMailbox"]["mailbox"]["id"].clone();
    let event = loop {
        let message = socket.next().await.unwrap();
        if message["type"] != "ka" {
            break message;
        }
    };
    assert_eq!((&event["type"], &event["id"]), (&json!("data"), &json!("7")), "{event}");
    assert_eq!(event["payload"]["data"]["mailboxesChanged"]["mailboxes"]["created"], json!([id]), "{event}");
    gateway.native.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sockets_without_a_token_or_read_scope_or_past_the_cap_are_refused() {
    let live = LiveConfig { max_connections_per_user: NonZeroUsize::new(1).unwrap(), ..LiveConfig::default() };
    let gateway = Gateway::start(Config { live, ..Config::default() }).await;
    let refused = |answer: Option<Value>| answer.is_none_or(|m| m["type"] != "connection_ack");
    let mut anonymous = gateway.socket("graphql-transport-ws").await;
    anonymous.send(json!({ "type": "connection_init", "payload": {} })).await;
    assert!(refused(anonymous.next().await));
    let mut no_mail_scope = gateway.socket("graphql-transport-ws").await;
    assert!(refused(no_mail_scope.init(&token("ann", Scopes::default())).await));
    let mut first = gateway.socket("graphql-transport-ws").await;
    assert_eq!(first.init(&token("ann", Scopes::USER)).await.unwrap()["type"], "connection_ack");
    let mut second = gateway.socket("graphql-transport-ws").await;
    assert!(refused(second.init(&token("ann", Scopes::USER)).await), "a second connection past a cap of 1");
    // Another user has their own places; and closing the first frees ann's.
    let mut bob = gateway.socket("graphql-transport-ws").await;
    assert_eq!(bob.init(&token("bob", Scopes::USER)).await.unwrap()["type"], "connection_ack");
    first.0.close(None).await.unwrap();
    let mut again = None;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut retry = gateway.socket("graphql-transport-ws").await;
        if retry.init(&token("ann", Scopes::USER)).await.is_some_and(|m| m["type"] == "connection_ack") {
            again = Some(retry);
            break;
        }
    }
    assert!(again.is_some(), "ann's place did not come back after closing");
    gateway.native.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_sent_events_stream_the_subscription() {
    let gateway = Gateway::start(fast()).await;
    let mut response = reqwest::Client::new()
        .post(format!("http://{}/graphql/sse", gateway.addr))
        .bearer_auth(token("ann", Scopes::USER))
        .header("accept", "text/event-stream")
        .json(&json!({ "query": MESSAGES }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let id = gateway.import("ann", "over sse").await;
    let mut text = String::new();
    while !text.contains("event: next") || !text.contains("\n\n") {
        let chunk = tokio::time::timeout(Duration::from_secs(10), response.chunk()).await.unwrap().unwrap().unwrap();
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    let data = text.lines().find_map(|line| line.strip_prefix("data: ")).unwrap();
    let event: Value = serde_json::from_str(data).unwrap();
    assert_eq!(event["data"]["messagesChanged"]["messages"]["created"], json!([id]), "{event}");
    // Without a token the stream does not start.
    let anonymous = reqwest::Client::new()
        .post(format!("http://{}/graphql/sse", gateway.addr))
        .json(&json!({ "query": MESSAGES }))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    gateway.native.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_safelist_holds_on_the_websocket_too() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("operations.json");
    let operations = json!({ "format": "apollo-persisted-query-manifest", "version": 1,
        "operations": [{ "id": "listed", "body": MAILBOXES }] });
    std::fs::write(&manifest, operations.to_string()).unwrap();
    let persisted = PersistedConfig { safelist: Some(manifest), ..PersistedConfig::default() };
    let gateway = Gateway::start(Config { persisted_operations: persisted, ..fast() }).await;
    let mut socket = gateway.socket("graphql-transport-ws").await;
    assert_eq!(socket.init(&token("ann", Scopes::USER)).await.unwrap()["type"], "connection_ack");
    socket.send(json!({ "id": "1", "type": "subscribe", "payload": { "query": MESSAGES } })).await;
    let answer = socket.next().await.unwrap();
    let errors =
        if answer["type"] == "error" { answer["payload"].clone() } else { answer["payload"]["errors"].clone() };
    assert_eq!(errors[0]["extensions"]["code"], "FORBIDDEN", "{answer}");
    gateway.native.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_live_connections_get_heartbeats() {
    let live = LiveConfig { heartbeat_seconds: NonZeroU64::new(1).unwrap(), ..LiveConfig::default() };
    let gateway = Gateway::start(Config { live, ..Config::default() }).await;
    let mut socket = gateway.socket("graphql-transport-ws").await;
    assert_eq!(socket.init(&token("ann", Scopes::USER)).await.unwrap()["type"], "connection_ack");
    socket.send(json!({ "id": "1", "type": "subscribe", "payload": { "query": MESSAGES } })).await;
    // Nothing changes; within a few seconds the server still pings.
    let ping = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match socket.0.next().await {
                Some(Ok(Message::Ping(_))) => return true,
                Some(Ok(_)) => continue,
                _ => return false,
            }
        }
    })
    .await;
    assert_eq!(ping, Ok(true), "no websocket ping on an idle connection");

    let mut response = reqwest::Client::new()
        .post(format!("http://{}/graphql/sse", gateway.addr))
        .bearer_auth(token("ann", Scopes::USER))
        .json(&json!({ "query": MESSAGES }))
        .send()
        .await
        .unwrap();
    let chunk = tokio::time::timeout(Duration::from_secs(5), response.chunk()).await.unwrap().unwrap().unwrap();
    assert!(String::from_utf8_lossy(&chunk).starts_with(':'), "an SSE comment line first: {chunk:?}");
    gateway.native.shutdown().await;
}
