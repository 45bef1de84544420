//! Every limit of `[limits]`, in-process (`router` + `oneshot`) over a real
//! embedded store: each test sends the offending request and checks the
//! status, the code and the headers, and that a request within the limit
//! still runs.

#![allow(clippy::unwrap_used)]

use axum::body::{Body, Bytes};
use axum::http::{header, Request, StatusCode};
use futures::StreamExt;
use mailgate_backend::MailBackend;
use mailgate_cluster::RetryPolicy;
use mailgate_gateway::auth::TokenAuthority;
use mailgate_gateway::config::Config;
use mailgate_gateway::limits::LimitsConfig;
use mailgate_gateway::{app, server};
use mailgate_native::NativeBackend;
use serde_json::Value;
use std::num::{NonZeroU32, NonZeroU64, NonZeroUsize};
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

struct Gateway {
    router: axum::Router,
    native: Arc<NativeBackend>,
    _dir: tempfile::TempDir,
}

impl Gateway {
    async fn with(limits: LimitsConfig) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let native = Arc::new(NativeBackend::open_embedded(dir.path()).await.unwrap());
        let backend: Arc<dyn MailBackend> = native.clone();
        let config = Config { limits, ..Config::default() };
        Self {
            router: app::router(server::app_state(backend, Vec::new(), SECRET, &config).unwrap()),
            native,
            _dir: dir,
        }
    }

    async fn send(&self, request: Request<Body>) -> axum::response::Response {
        self.router.clone().oneshot(request).await.unwrap()
    }

    async fn post(&self, user: &str, body: &str) -> (StatusCode, axum::http::HeaderMap, Value) {
        let response = self.send(post(user, Body::from(body.to_owned()))).await;
        let (status, headers) = (response.status(), response.headers().clone());
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        let json =
            serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&bytes)));
        (status, headers, json)
    }
}

fn post(user: &str, body: Body) -> Request<Body> {
    let token = TokenAuthority::hs256(SECRET).mint(user, false, 60).unwrap();
    Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/graphql-response+json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(body)
        .unwrap()
}

fn operation(query: &str) -> String {
    serde_json::json!({ "query": query }).to_string()
}

fn code(body: &Value) -> &Value {
    &body["errors"][0]["extensions"]["code"]
}

/// A body that sends its first bytes and then nothing, ever (a stalled or
/// slowloris client): the request holds its place until something cuts it off.
fn stalled_body() -> Body {
    let head = futures::stream::once(async { Ok::<_, std::io::Error>(Bytes::from_static(b"{\"query\":")) });
    Body::from_stream(head.chain(futures::stream::pending()))
}

#[tokio::test]
async fn configured_query_limits_refuse_with_query_too_complex_before_running() {
    let limits = LimitsConfig { max_aliases: 2, max_root_fields: 3, max_depth: 4, ..LimitsConfig::default() };
    let gateway = Gateway::with(limits).await;
    let (status, _, body) = gateway.post("ann", &operation("{ a: __typename b: __typename }")).await;
    assert_eq!((status, &body["data"]["a"]), (StatusCode::OK, &Value::from("Query")), "{body}");

    let refused = [
        "{ a: __typename b: __typename c: __typename }",
        "{ __typename __typename __typename __typename }",
        "{ me { mailboxes { parent { parent { name } } } } }",
        "{ me @include(if: true) @include(if: true) @include(if: true) @include(if: true) @include(if: true) @include(if: true) { username } }",
    ];
    for query in refused {
        let (status, _, body) = gateway.post("ann", &operation(query)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(code(&body), "QUERY_TOO_COMPLEX", "{query}: {body}");
        assert!(body.get("data").is_none(), "nothing ran: {body}");
    }
    // The page size multiplies the cost: 500 messages selecting 44 fields each are over the default
    // 20,000, 20 of them are not.
    let gateway = Gateway::with(LimitsConfig::default()).await;
    let fields = "id messageId threadId subject preview date receivedAt sentAt size hasAttachment textBody \
                  messageIdHeader inReplyTo references keywords sources folders from { name email } \
                  to { name email } cc { name email } flags { seen flagged answered draft } \
                  sender { email } bcc { email } mailboxes { id name role } thread { id messageCount }";
    let page =
        |n: u32| operation(&format!("{{ search(query: \"x\", first: {n}) {{ edges {{ node {{ {fields} }} }} }} }}"));
    let (status, _, body) = gateway.post("ann", &page(500)).await;
    assert_eq!((status, code(&body).clone()), (StatusCode::BAD_REQUEST, "QUERY_TOO_COMPLEX".into()), "{body}");
    let (_, _, body) = gateway.post("ann", &page(20)).await;
    assert_ne!(code(&body), "QUERY_TOO_COMPLEX", "{body}");
    gateway.native.shutdown().await;
}

#[tokio::test]
async fn batches_run_in_order_up_to_max_batch_and_larger_or_empty_ones_are_400() {
    let limits = LimitsConfig { max_batch: NonZeroUsize::new(3).unwrap(), ..LimitsConfig::default() };
    let gateway = Gateway::with(limits).await;
    let batch = |n: usize| {
        let items: Vec<Value> =
            (0..n).map(|i| serde_json::json!({ "query": format!("{{ n{i}: __typename }}") })).collect();
        Value::Array(items).to_string()
    };
    let (status, _, body) = gateway.post("ann", &batch(3)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let items = body.as_array().unwrap();
    assert_eq!(items.len(), 3);
    for (i, item) in items.iter().enumerate() {
        assert_eq!(item["data"][format!("n{i}")], "Query", "{body}");
    }
    // A broken item answers for itself; the rest run.
    let mixed = r#"[{"query":"{ __typename }"},{"query":"{ nope }"}]"#;
    let (status, _, body) = gateway.post("ann", mixed).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body[0]["data"]["__typename"], "Query", "{body}");
    assert_eq!(body[1]["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");

    for too_many in [batch(4), "[]".to_owned()] {
        let (status, _, body) = gateway.post("ann", &too_many).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
        let message = body["errors"][0]["message"].as_str().unwrap();
        // (async-graphql reads `[]` as a request with no fields, hence "no query".)
        assert!(message.contains("at most 3") || message.contains("no query"), "{message}");
    }
    gateway.native.shutdown().await;
}

#[tokio::test]
async fn an_empty_bucket_is_429_with_retry_after_for_that_user_only() {
    let limits = LimitsConfig {
        rate_limit_per_second: 1,
        rate_limit_burst: NonZeroU32::new(2).unwrap(),
        ..LimitsConfig::default()
    };
    let gateway = Gateway::with(limits).await;
    let query = operation("{ __typename }");
    for _ in 0..2 {
        let (status, _, body) = gateway.post("ann", &query).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, headers, body) = gateway.post("ann", &query).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(code(&body), "RATE_LIMITED");
    let retry_after: u64 = headers[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry_after), "Retry-After: {retry_after}");
    // Another user's bucket is untouched.
    let (status, _, _) = gateway.post("bob", &query).await;
    assert_eq!(status, StatusCode::OK);
    // A batch costs one token per operation: two in a batch empty a fresh bucket.
    let two = r#"[{"query":"{ __typename }"},{"query":"{ __typename }"}]"#;
    assert_eq!(gateway.post("cid", two).await.0, StatusCode::OK);
    assert_eq!(gateway.post("cid", &query).await.0, StatusCode::TOO_MANY_REQUESTS);
    // Zero per second turns the limit off.
    let off = Gateway::with(LimitsConfig { rate_limit_per_second: 0, ..limits }).await;
    for _ in 0..5 {
        assert_eq!(off.post("ann", &query).await.0, StatusCode::OK);
    }
    gateway.native.shutdown().await;
    off.native.shutdown().await;
}

#[tokio::test]
async fn a_request_over_the_timeout_is_504() {
    let limits = LimitsConfig { request_timeout_ms: NonZeroU64::new(200).unwrap(), ..LimitsConfig::default() };
    let gateway = Gateway::with(limits).await;
    let started = std::time::Instant::now();
    let response = gateway.send(post("ann", stalled_body())).await;
    assert_eq!(response.status(), StatusCode::GATEWAY_TIMEOUT);
    assert!(started.elapsed() >= Duration::from_millis(200));
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(code(&body), "BACKEND_UNAVAILABLE", "{body}");
    // A request that finishes in time is answered as usual.
    assert_eq!(gateway.post("ann", &operation("{ __typename }")).await.0, StatusCode::OK);
    gateway.native.shutdown().await;
}

#[tokio::test]
async fn past_max_concurrent_requests_a_request_is_shed_with_503_at_once() {
    let limits = LimitsConfig {
        max_concurrent_requests: NonZeroUsize::new(1).unwrap(),
        request_timeout_ms: NonZeroU64::new(2_000).unwrap(),
        ..LimitsConfig::default()
    };
    // A cluster nobody answers: a request that needs the store holds its
    // permit (the client retries) until the timeout cuts it off.
    let unreachable = NativeBackend::connect(vec!["127.0.0.1:1".to_owned()], RetryPolicy::default()).unwrap();
    let backend: Arc<dyn MailBackend> = Arc::new(unreachable);
    let config = Config { limits, ..Config::default() };
    let router = app::router(server::app_state(backend, Vec::new(), SECRET, &config).unwrap());
    let send = |request| router.clone().oneshot(request);
    let holder = tokio::spawn(send(post("ann", Body::from(operation("{ me { username } }")))));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = std::time::Instant::now();
    let response = send(post("bob", Body::from(operation("{ __typename }")))).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(started.elapsed() < Duration::from_millis(1_000), "shed at once, not queued");
    assert_eq!(response.headers()[header::RETRY_AFTER], "1");
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    assert_eq!(code(&serde_json::from_slice(&bytes).unwrap()), "BACKEND_UNAVAILABLE");
    // When the holder is cut off by the timeout, its permit comes back.
    assert_eq!(holder.await.unwrap().unwrap().status(), StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(send(post("bob", Body::from(operation("{ __typename }")))).await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn a_stalled_body_holds_no_permit() {
    let limits = LimitsConfig {
        max_concurrent_requests: NonZeroUsize::new(1).unwrap(),
        request_timeout_ms: NonZeroU64::new(2_000).unwrap(),
        ..LimitsConfig::default()
    };
    let gateway = Gateway::with(limits).await;
    let stalled = tokio::spawn(gateway.router.clone().oneshot(post("ann", stalled_body())));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(gateway.post("bob", &operation("{ __typename }")).await.0, StatusCode::OK);
    assert_eq!(stalled.await.unwrap().unwrap().status(), StatusCode::GATEWAY_TIMEOUT);
    gateway.native.shutdown().await;
}

#[tokio::test]
async fn a_query_text_over_max_query_bytes_and_a_head_request_are_refused() {
    let gateway = Gateway::with(LimitsConfig { max_query_bytes: 64, ..LimitsConfig::default() }).await;
    let long = format!("{{ __typename {} }}", " ".repeat(64));
    let (status, _, body) = gateway.post("ann", &operation(&long)).await;
    assert_eq!((status, code(&body).clone()), (StatusCode::BAD_REQUEST, "QUERY_TOO_COMPLEX".into()), "{body}");
    assert_eq!(gateway.post("ann", &operation("{ __typename }")).await.0, StatusCode::OK);
    let mut head = post("ann", Body::from(operation("mutation { createMailbox(input: { name: \"x\" }) { state } }")));
    *head.method_mut() = axum::http::Method::HEAD;
    assert_eq!(gateway.send(head).await.status(), StatusCode::METHOD_NOT_ALLOWED);
    gateway.native.shutdown().await;
}
