//! Persisted operations in-process (`router` + `oneshot`) over a real
//! embedded store: automatic persisted queries over POST and GET, the
//! safelist mode, and APQ turned off.

#![allow(clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use mailgate_backend::MailBackend;
use mailgate_gateway::auth::TokenAuthority;
use mailgate_gateway::config::Config;
use mailgate_gateway::persisted::safelist::sha256_hex;
use mailgate_gateway::persisted::PersistedConfig;
use mailgate_gateway::{app, server};
use mailgate_native::NativeBackend;
use serde_json::{json, Value};
use std::sync::Arc;
use tower::ServiceExt;

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
const TYPENAME: &str = "query Typename { __typename }";
const MUTATION: &str = "mutation Make { createMailbox(input: { name: \"x\" }) { mailbox { id } } }";

struct Gateway {
    router: axum::Router,
    native: Arc<NativeBackend>,
    _dir: tempfile::TempDir,
}

impl Gateway {
    async fn with(persisted: PersistedConfig) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let native = Arc::new(NativeBackend::open_embedded(dir.path()).await.unwrap());
        let backend: Arc<dyn MailBackend> = native.clone();
        let config = Config { persisted_operations: persisted, ..Config::default() };
        Self {
            router: app::router(server::app_state(backend, Vec::new(), SECRET, &config).unwrap()),
            native,
            _dir: dir,
        }
    }

    async fn send(&self, request: Request<Body>) -> (StatusCode, Value) {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&bytes))))
    }

    async fn post(&self, body: Value) -> (StatusCode, Value) {
        self.send(
            authorized(Request::post("/graphql").header(header::CONTENT_TYPE, "application/json"))
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
    }

    /// A GET with only the hash (and the operation name), as Apollo clients send it.
    async fn get_hashed(&self, hash: &str) -> (StatusCode, Value) {
        let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } }).to_string();
        let uri = format!("/graphql?extensions={}", urlencode(&extensions));
        self.send(authorized(Request::get(uri)).body(Body::empty()).unwrap()).await
    }
}

fn authorized(builder: axum::http::request::Builder) -> axum::http::request::Builder {
    let token = TokenAuthority::hs256(SECRET).mint("ann", false, 60).unwrap();
    builder
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::ACCEPT, "application/graphql-response+json")
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

fn hashed(hash: &str) -> Value {
    json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } })
}

fn with_text(query: &str, hash: &str) -> Value {
    let mut body = hashed(hash);
    body["query"] = json!(query);
    body
}

fn code(body: &Value) -> &Value {
    &body["errors"][0]["extensions"]["code"]
}

#[tokio::test]
async fn apq_registers_a_query_once_then_runs_it_by_hash_over_post_and_get() {
    let gateway = Gateway::with(PersistedConfig::default()).await;
    let hash = sha256_hex(TYPENAME);
    // Unknown hash: the client is told to send the text.
    let (status, body) = gateway.post(hashed(&hash)).await;
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, &json!("PERSISTED_QUERY_NOT_FOUND")), "{body}");
    assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound");
    // Text and hash: runs and registers.
    let (status, body) = gateway.post(with_text(TYPENAME, &hash)).await;
    assert_eq!((status, &body["data"]["__typename"]), (StatusCode::OK, &json!("Query")), "{body}");
    // Now the hash alone runs, over POST and GET.
    let (status, body) = gateway.post(hashed(&hash)).await;
    assert_eq!((status, &body["data"]["__typename"]), (StatusCode::OK, &json!("Query")), "{body}");
    let (status, body) = gateway.get_hashed(&hash).await;
    assert_eq!((status, &body["data"]["__typename"]), (StatusCode::OK, &json!("Query")), "{body}");
    // A hash that does not match the text is refused.
    let (status, body) = gateway.post(with_text(TYPENAME, &"0".repeat(64))).await;
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, &json!("BAD_USER_INPUT")), "{body}");
    // A registered mutation cannot be run by hash over GET.
    let mutation_hash = sha256_hex(MUTATION);
    gateway.post(with_text(MUTATION, &mutation_hash)).await;
    let (status, body) = gateway.get_hashed(&mutation_hash).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{body}");
    gateway.native.shutdown().await;
}

#[tokio::test]
async fn a_safelist_runs_only_its_operations_and_refuses_registration() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("operations.json");
    let operations = json!({
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [{ "id": "typename-v1", "name": "Typename", "type": "query", "body": TYPENAME }],
    });
    std::fs::write(&manifest, operations.to_string()).unwrap();
    let gateway = Gateway::with(PersistedConfig { safelist: Some(manifest), ..PersistedConfig::default() }).await;

    // Listed: by id, by body hash (GET), or as the exact text.
    for request in [hashed("typename-v1"), json!({ "query": TYPENAME })] {
        let (status, body) = gateway.post(request).await;
        assert_eq!((status, &body["data"]["__typename"]), (StatusCode::OK, &json!("Query")), "{body}");
    }
    let (status, body) = gateway.get_hashed(&sha256_hex(TYPENAME)).await;
    assert_eq!((status, &body["data"]["__typename"]), (StatusCode::OK, &json!("Query")), "{body}");
    // Not listed: other text, an unknown id, and an APQ registration attempt.
    let (status, body) = gateway.post(json!({ "query": "{ __typename }" })).await;
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, &json!("FORBIDDEN")), "{body}");
    let (status, body) = gateway.post(hashed("nope")).await;
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, &json!("PERSISTED_QUERY_NOT_FOUND")), "{body}");
    let other = "{ me { username } }";
    let (_, body) = gateway.post(with_text(other, &sha256_hex(other))).await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
    let (_, body) = gateway.post(hashed(&sha256_hex(other))).await;
    assert_eq!(code(&body), "PERSISTED_QUERY_NOT_FOUND", "registration must not have happened: {body}");
    // A batch is checked item by item: one unlisted item refuses it.
    let batch = json!([{ "query": TYPENAME }, { "query": other }]);
    assert_eq!(gateway.post(batch).await.0, StatusCode::BAD_REQUEST);
    gateway.native.shutdown().await;
}

#[tokio::test]
async fn a_missing_or_broken_manifest_stops_startup_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let native: Arc<dyn MailBackend> = Arc::new(NativeBackend::open_embedded(dir.path()).await.unwrap());
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{\"format\": \"apollo-persisted-query-manifest\"").unwrap();
    for path in [dir.path().join("missing.json"), broken] {
        let persisted = PersistedConfig { safelist: Some(path.clone()), ..PersistedConfig::default() };
        let config = Config { persisted_operations: persisted, ..Config::default() };
        let Err(err) = server::app_state(native.clone(), Vec::new(), SECRET, &config) else {
            panic!("{} was accepted", path.display())
        };
        assert!(err.to_string().contains(&path.display().to_string()), "{err}");
    }
}

#[tokio::test]
async fn with_apq_off_a_hash_alone_is_refused_and_text_with_a_hash_runs() {
    let gateway = Gateway::with(PersistedConfig { apq: false, ..PersistedConfig::default() }).await;
    let (status, body) = gateway.post(hashed(&sha256_hex(TYPENAME))).await;
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, &json!("PERSISTED_QUERY_NOT_SUPPORTED")), "{body}");
    let (status, body) = gateway.post(with_text(TYPENAME, &sha256_hex(TYPENAME))).await;
    assert_eq!((status, &body["data"]["__typename"]), (StatusCode::OK, &json!("Query")), "{body}");
    gateway.native.shutdown().await;
}
