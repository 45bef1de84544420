//! The HTTP layer in-process (`router` + `oneshot`) over a real embedded
//! store: status codes and error bodies that do not need a seeded dataset,
//! GraphQL-over-HTTP media types, CSRF prevention, CORS, compression and
//! request ids.

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
    (app::router(server::app_state(backend, Vec::new(), SECRET, config).unwrap()), native, dir)
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
            .header("apollo-require-preflight", "true")
            .body(Body::empty())
            .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()[header::ALLOW], "POST");
    let response = router.oneshot(Request::get("/download/abc/1").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    native.shutdown().await;
}

fn bearer() -> String {
    format!("Bearer {}", TokenAuthority::hs256(SECRET).mint("nobody", false, 60).unwrap())
}

/// A request to `uri` with `headers`; a non-empty `body` makes it a POST.
fn request(uri: &str, headers: &[(&str, &str)], body: &str) -> Request<Body> {
    let mut builder = if body.is_empty() { Request::get(uri) } else { Request::post(uri) };
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::from(body.to_owned())).unwrap()
}

async fn send(router: &axum::Router, request: Request<Body>) -> axum::response::Response {
    router.clone().oneshot(request).await.unwrap()
}

const TYPENAME: &str = r#"{"query":"{ __typename }"}"#;

#[tokio::test]
async fn media_types_and_status_codes_follow_graphql_over_http() {
    let (router, native, _dir) = router(&Config::default()).await;
    let token = bearer();
    let json = [("content-type", "application/json"), ("authorization", token.as_str())];
    let with_accept = |accept: &'static str| {
        let mut headers = json.to_vec();
        headers.push(("accept", accept));
        headers
    };

    // The spec's media type when asked for; application/json when asked only for that, or for nothing.
    for (accept, media) in [
        (Some("application/graphql-response+json"), "application/graphql-response+json"),
        (Some("application/json"), "application/json"),
        (Some("*/*"), "application/json"),
        (None, "application/json"),
    ] {
        let headers = match accept {
            Some(accept) => with_accept(accept),
            None => json.to_vec(),
        };
        let response = send(&router, request("/graphql", &headers, TYPENAME)).await;
        assert_eq!(response.status(), StatusCode::OK, "{accept:?}");
        assert_eq!(response.headers()[header::CONTENT_TYPE], media, "{accept:?}");
        assert_eq!(body_json(response).await["data"]["__typename"], "Query");
    }

    // A document that does not parse or validate: 400 without `data` for
    // graphql-response+json, 200 for application/json.
    for query in [r#"{"query":"{"}"#, r#"{"query":"{ noSuchField }"}"#] {
        let response =
            send(&router, request("/graphql", &with_accept("application/graphql-response+json"), query)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
        let body = body_json(response).await;
        assert!(body.get("data").is_none() && body["errors"][0]["message"].is_string(), "{body}");
        let response = send(&router, request("/graphql", &with_accept("application/json"), query)).await;
        assert_eq!(response.status(), StatusCode::OK, "{query}");
        assert!(body_json(response).await["errors"].is_array());
    }
    // An execution error is a 200 with data and errors, whatever the media type.
    let response = send(
        &router,
        request("/graphql", &with_accept("application/graphql-response+json"), r#"{"query":"{ me { username } }"}"#),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = body_json(response).await;
    assert!(body.get("data").is_some() && body["errors"].is_array(), "{body}");

    // Not JSON, and no query at all: 400.
    for bad in ["{ \"not json", r#"{"qeury":"{ __typename }"}"#] {
        let response = send(&router, request("/graphql", &json, bad)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
        assert_eq!(body_json(response).await["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    }
    // GET with query parameters, variables included.
    let response = send(
        &router,
        request(
            "/graphql?query=query%20T(%24n%3A%20String!)%20%7B%20__type(name%3A%20%24n)%20%7B%20name%20%7D%20%7D&variables=%7B%22n%22%3A%22Query%22%7D",
            &[("authorization", token.as_str())],
            "",
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_json(response).await["data"]["__type"]["name"], "Query");
    // 406 for an Accept we cannot serve, 415 for a body we do not read.
    let response = send(&router, request("/graphql", &with_accept("text/html"), TYPENAME)).await;
    assert_eq!(response.status(), StatusCode::NOT_ACCEPTABLE);
    let response =
        send(&router, request("/graphql", &[("content-type", "application/xml"), ("authorization", &token)], TYPENAME))
            .await;
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let response = send(&router, request("/graphql", &[("authorization", token.as_str())], TYPENAME)).await;
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "POST without Content-Type");
    let response =
        send(&router, request("/graphql?query=%7B__typename%7D", &[("content-type", "text/plain")], "")).await;
    assert_ne!(response.status(), StatusCode::OK, "GET with a non-JSON Content-Type");
    native.shutdown().await;
}

#[tokio::test]
async fn csrf_prevention_refuses_simple_requests_and_accepts_preflighted_ones() {
    let (router, native, _dir) = router(&Config::default()).await;
    let get = "/graphql?query=%7B%20__typename%20%7D";
    // What a hostile page can make a browser send without a preflight.
    for (uri, headers, body) in [
        (get, vec![], ""),
        (get, vec![("authorization", "Basic dXNlcjpwdw==")], ""),
        ("/graphql", vec![("content-type", "text/plain")], TYPENAME),
        ("/graphql", vec![("content-type", "application/x-www-form-urlencoded")], TYPENAME),
        ("/graphql", vec![("content-type", "multipart/form-data; boundary=x")], TYPENAME),
        ("/graphql", vec![], TYPENAME),
    ] {
        let response = send(&router, request(uri, &headers, body)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{uri} {headers:?}");
        let body = body_json(response).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "CSRF_PREVENTED", "{body}");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("apollo-require-preflight"), "{body}");
    }
    // What only a preflighted request (or a non-browser client) carries.
    let token = bearer();
    for (uri, headers, body) in [
        (get, vec![("apollo-require-preflight", "true")], ""),
        (get, vec![("x-apollo-operation-name", "Typename")], ""),
        (get, vec![("authorization", token.as_str())], ""),
        (get, vec![("content-type", "application/json")], ""),
        ("/graphql", vec![("content-type", "application/json")], TYPENAME),
    ] {
        let response = send(&router, request(uri, &headers, body)).await;
        assert_eq!(response.status(), StatusCode::OK, "{uri} {headers:?}");
        assert_eq!(body_json(response).await["data"]["__typename"], "Query");
    }
    // Past the CSRF check, a text body is still not read: 415.
    let headers = [("content-type", "text/plain"), ("apollo-require-preflight", "true")];
    let response = send(&router, request("/graphql", &headers, TYPENAME)).await;
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    native.shutdown().await;

    let (router, native, _dir) = crate::router(&Config { csrf_prevention: false, ..Config::default() }).await;
    let response = send(&router, request(get, &[], "")).await;
    assert_eq!(response.status(), StatusCode::OK, "csrf_prevention = false lets a bare GET run");
    native.shutdown().await;
}

#[tokio::test]
async fn cors_answers_listed_origins_only_and_nothing_by_default() {
    let preflight = |origin: &str| {
        Request::options("/graphql")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization,content-type")
            .body(Body::empty())
            .unwrap()
    };
    let (router, native, _dir) = router(&Config::default()).await;
    let response = send(&router, preflight("https://mail.example.com")).await;
    assert!(response.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    let response = send(
        &router,
        request("/graphql", &[("content-type", "application/json"), ("origin", "https://x.example")], TYPENAME),
    )
    .await;
    assert!(response.headers().keys().all(|name| !name.as_str().starts_with("access-control-")), "no CORS by default");
    native.shutdown().await;

    let config = Config { cors_origins: vec!["https://mail.example.com".to_owned()], ..Config::default() };
    let (router, native, _dir) = crate::router(&config).await;
    let response = send(&router, preflight("https://mail.example.com")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "https://mail.example.com");
    let allowed = response.headers()[header::ACCESS_CONTROL_ALLOW_HEADERS].to_str().unwrap().to_owned();
    assert!(allowed.contains("authorization") && allowed.contains("content-type"), "{allowed}");
    assert!(response.headers()[header::ACCESS_CONTROL_ALLOW_METHODS].to_str().unwrap().contains("POST"));
    let response = send(&router, preflight("https://evil.example")).await;
    assert!(response.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    let headers = [("content-type", "application/json"), ("origin", "https://mail.example.com")];
    let response = send(&router, request("/graphql", &headers, TYPENAME)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "https://mail.example.com");
    assert!(response.headers()[header::ACCESS_CONTROL_EXPOSE_HEADERS].to_str().unwrap().contains("x-request-id"));
    native.shutdown().await;
}

#[tokio::test]
async fn responses_are_gzip_or_brotli_as_accept_encoding_asks() {
    use std::io::Read;
    let (router, native, _dir) = router(&Config::default()).await;
    let introspection = r#"{"query":"{ __schema { types { name fields { name } } } }"}"#;
    let fetch = |encoding: Option<&'static str>| {
        let mut headers = vec![("content-type", "application/json")];
        if let Some(encoding) = encoding {
            headers.push(("accept-encoding", encoding));
        }
        request("/graphql", &headers, introspection)
    };
    let plain = send(&router, fetch(None)).await;
    assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
    let plain = axum::body::to_bytes(plain.into_body(), usize::MAX).await.unwrap();
    assert!(plain.len() > 1000, "the introspection body is big enough to compress");

    let gzip = send(&router, fetch(Some("gzip"))).await;
    assert_eq!(gzip.headers()[header::CONTENT_ENCODING], "gzip");
    let gzip = axum::body::to_bytes(gzip.into_body(), usize::MAX).await.unwrap();
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(&gzip[..]).read_to_end(&mut decoded).unwrap();
    assert_eq!(decoded, plain);
    assert!(gzip.len() < plain.len());

    let br = send(&router, fetch(Some("br;q=1.0, gzip;q=0.5"))).await;
    assert_eq!(br.headers()[header::CONTENT_ENCODING], "br");
    let br = axum::body::to_bytes(br.into_body(), usize::MAX).await.unwrap();
    let mut decoded = Vec::new();
    brotli::Decompressor::new(&br[..], 4096).read_to_end(&mut decoded).unwrap();
    assert_eq!(decoded, plain);
    assert!(br.len() < plain.len());
    native.shutdown().await;
}

#[tokio::test]
async fn request_ids_are_generated_or_echoed_on_every_response() {
    let (router, native, _dir) = router(&Config::default()).await;
    let first = send(&router, request("/health", &[], "")).await;
    let second = send(&router, request("/health", &[], "")).await;
    let id = |response: &axum::response::Response| response.headers()["x-request-id"].to_str().unwrap().to_owned();
    let (first, second) = (id(&first), id(&second));
    assert_eq!(first.len(), 36, "a UUID: {first}");
    assert_ne!(first, second);

    let response = send(&router, request("/health", &[("x-request-id", "client-chosen-42")], "")).await;
    assert_eq!(response.headers()["x-request-id"], "client-chosen-42");
    // Refused and error answers carry it too.
    let response =
        send(&router, request("/graphql?query=%7B__typename%7D", &[("x-request-id", "refused-7")], "")).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(response.headers()["x-request-id"], "refused-7");
    // An id that is unsafe to log or echo is replaced.
    for bad in ["x".repeat(200), "two words".to_owned(), String::new()] {
        let response = send(&router, request("/health", &[("x-request-id", bad.as_str())], "")).await;
        assert_eq!(response.headers()["x-request-id"].len(), 36, "{bad:?}");
    }
    native.shutdown().await;
}
