//! Health endpoints and metrics in-process (`router` + `oneshot`): liveness
//! never looks at a backend, readiness follows the native store (a real
//! embedded node, then a cluster address nobody listens on) and reports a
//! legacy Zimbra source that is down without failing; `/metrics` counts
//! errors by code and DataLoader batch sizes.

#![allow(clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use mailgate_backend::MailBackend;
use mailgate_cluster::RetryPolicy;
use mailgate_gateway::auth::TokenAuthority;
use mailgate_gateway::config::{Config, ZimbraSourceEntry};
use mailgate_gateway::{app, server, zimbra_sources};
use mailgate_native::NativeBackend;
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

async fn get(router: &axum::Router, uri: &str) -> (StatusCode, String) {
    let response = router.clone().oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[tokio::test]
async fn ready_follows_the_native_store_and_reports_a_dead_legacy_source_without_failing() {
    let dir = tempfile::tempdir().unwrap();
    let native = Arc::new(NativeBackend::open_embedded(&dir.path().join("store")).await.unwrap());
    // A Zimbra source on a port nobody listens on.
    let password = dir.path().join("zimbra-password");
    std::fs::write(&password, "secret\n").unwrap();
    let entry = ZimbraSourceEntry {
        user: "ann".into(),
        account: "ann@legacy.example".into(),
        url: "http://127.0.0.1:1".into(),
        password_file: password,
    };
    let extra = zimbra_sources::from_config(&[entry]).unwrap();
    let backend: Arc<dyn MailBackend> = native.clone();
    let router = app::router(server::app_state(backend, extra, SECRET, &Config::default()).unwrap());

    for uri in ["/health", "/health/live"] {
        assert_eq!(get(&router, uri).await, (StatusCode::OK, "{\"status\":\"ok\"}".to_owned()));
    }
    let (status, body) = get(&router, "/health/ready").await;
    let body = json(&body);
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!((&body["status"], &body["native"]["ok"]), (&"degraded".into(), &true.into()), "{body}");
    assert_eq!(body["legacy"], serde_json::json!({ "sources": 1, "down": 1 }), "{body}");
    assert!(!body.to_string().contains("ann"), "no account names on an open endpoint: {body}");
    native.shutdown().await;
}

#[tokio::test]
async fn not_ready_when_the_cluster_does_not_answer_but_still_live() {
    let unreachable = NativeBackend::connect(vec!["127.0.0.1:1".to_owned()], RetryPolicy::default()).unwrap();
    let backend: Arc<dyn MailBackend> = Arc::new(unreachable);
    let router = app::router(server::app_state(backend, Vec::new(), SECRET, &Config::default()).unwrap());
    assert_eq!(get(&router, "/health/live").await.0, StatusCode::OK);
    let (status, body) = get(&router, "/health/ready").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(json(&body)["status"], "unavailable");
}

#[tokio::test]
async fn metrics_count_errors_by_code_and_loader_batch_sizes() {
    let dir = tempfile::tempdir().unwrap();
    let native = Arc::new(NativeBackend::open_embedded(dir.path()).await.unwrap());
    let backend: Arc<dyn MailBackend> = native.clone();
    let router = app::router(server::app_state(backend, Vec::new(), SECRET, &Config::default()).unwrap());
    let token = TokenAuthority::hs256(SECRET).mint("nobody", false, 60).unwrap();
    for query in ["{ nope }", "{ me { username } }"] {
        let request = Request::post("/graphql")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::from(serde_json::json!({ "query": query }).to_string()))
            .unwrap();
        router.clone().oneshot(request).await.unwrap();
    }
    let (_, metrics) = get(&router, "/metrics").await;
    assert!(metrics.contains("mailgate_graphql_errors_total{code=\"BAD_USER_INPUT\"}"), "{metrics}");
    assert!(metrics.contains("mailgate_graphql_errors_total{code=\"NOT_FOUND\"}"), "{metrics}");
    assert!(metrics.contains("mailgate_dataloader_batch_size"), "{metrics}");
    native.shutdown().await;
}
