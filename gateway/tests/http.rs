//! The HTTP layer in-process (`router` + `oneshot`) over a real embedded
//! store: status codes and error bodies that do not need a seeded dataset.

#![allow(clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use mailgate_backend::MailBackend;
use mailgate_gateway::auth::TokenAuthority;
use mailgate_gateway::config::Config;
use mailgate_gateway::{app, server};
use mailgate_native::NativeBackend;
use std::sync::Arc;
use tower::ServiceExt;

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

async fn router(config: &Config) -> (axum::Router, Arc<NativeBackend>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let native = Arc::new(NativeBackend::open_embedded(dir.path()).await.unwrap());
    let backend: Arc<dyn MailBackend> = native.clone();
    (app::router(server::app_state(backend, Vec::new(), SECRET, config)), native, dir)
}

async fn body_json(response: axum::response::Response) -> serde_json::Value {
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&bytes)))
}

#[tokio::test]
async fn oversized_body_is_refused_with_413() {
    let config = Config { max_request_bytes: 1024, ..Config::default() };
    let (router, native, _dir) = router(&config).await;
    let query = format!("{{\"query\":\"{{ me {{ username }} }}\",\"variables\":{{\"pad\":\"{}\"}}}}", "x".repeat(2048));
    let response = router
        .clone()
        .oneshot(
            Request::post("/graphql").header(header::CONTENT_TYPE, "application/json").body(Body::from(query)).unwrap(),
        )
        .await
        .unwrap();
    let status = response.status();
    let body = body_json(response).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    // A body that is not GraphQL at all is a coded 400, not a bare text reply.
    let response = router
        .oneshot(
            Request::post("/graphql")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{oops"))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(body_json(response).await["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    native.shutdown().await;
}

#[tokio::test]
async fn bad_token_is_401_with_code_and_missing_token_is_unauthenticated_per_field() {
    let (router, native, _dir) = router(&Config::default()).await;
    let request = |auth: Option<&str>| {
        let mut builder = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
        if let Some(auth) = auth {
            builder = builder.header(header::AUTHORIZATION, auth);
        }
        builder.body(Body::from("{\"query\":\"{ me { username } }\"}")).unwrap()
    };
    let response = router.clone().oneshot(request(Some("Bearer not-a-jwt"))).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
    assert_eq!(body_json(response).await["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");

    let response = router.clone().oneshot(request(None)).await.unwrap();
    assert_eq!(body_json(response).await["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");

    let token = TokenAuthority::hs256(SECRET).mint("nobody", false, 60).unwrap();
    let response = router.oneshot(request(Some(&format!("Bearer {token}")))).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = body_json(response).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND", "{body}");
    native.shutdown().await;
}

#[tokio::test]
async fn mutation_over_get_is_405_and_download_needs_a_token() {
    let (router, native, _dir) = router(&Config::default()).await;
    let response = router
        .clone()
        .oneshot(
            Request::get(
                "/graphql?query=mutation%20%7B%20deleteMessages(input%3A%7Bids%3A%5B%5D%7D)%20%7B%20state%20%7D%20%7D",
            )
            .body(Body::empty())
            .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    let response = router.oneshot(Request::get("/download/abc/1").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    native.shutdown().await;
}
