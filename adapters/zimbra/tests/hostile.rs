//! Hostile and broken replies from a tiny axum server: every one ends as a
//! clear `Backend` (or `Unavailable`) error, with bounded memory and no panic.

#![allow(clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use mailgate_backend::{ErrorKind, MailBackend, Principal};
use mailgate_zimbra::config::ClientLimits;
use mailgate_zimbra::{ZimbraBackend, ZimbraSourceConfig};
use std::time::Duration;

const XML: &str = "text/xml; charset=utf-8";

async fn hostile(kind: &'static str) -> Response {
    match kind {
        "doctype" => (
            [(header::CONTENT_TYPE, XML)],
            r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>&lol2;</soap:Body></soap:Envelope>"#,
        )
            .into_response(),
        "huge" => {
            // 100 MB of valid-looking XML, streamed: the client must stop at its cap.
            let chunk = bytes::Bytes::from(vec![b' '; 1 << 20]);
            let head = futures::stream::once(async { Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"<soap:Envelope>")) });
            let body = futures::stream::iter((0..100).map(move |_| Ok(chunk.clone())));
            ([(header::CONTENT_TYPE, XML)], Body::from_stream(futures::StreamExt::chain(head, body))).into_response()
        }
        "truncated" => ([(header::CONTENT_TYPE, XML)], r#"<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><AuthResponse><authTo"#).into_response(),
        "wrong-type" => ([(header::CONTENT_TYPE, "application/json")], r#"{"Body":{}}"#).into_response(),
        "html" => (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/html")], "<html><body><h1>404 Not Found</h1></body></html>").into_response(),
        "html-500" => (StatusCode::INTERNAL_SERVER_ERROR, [(header::CONTENT_TYPE, "text/html")], "<html><body>Error 500</body></html>").into_response(),
        _ => StatusCode::IM_A_TEAPOT.into_response(),
    }
}

async fn against(kind: &'static str) -> mailgate_backend::BackendError {
    let app = Router::new().route("/service/soap/{name}", post(move || hostile(kind)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let limits = ClientLimits { max_reply_bytes: 1 << 20, read_retries: 0, ..ClientLimits::default() };
    let b = ZimbraBackend::with_limits(limits).unwrap();
    b.add_user("u", ZimbraSourceConfig { url, account: "u@example.com".into(), password: "p".into() });
    b.mailboxes(&Principal::user("u"), "u").await.unwrap_err()
}

#[tokio::test]
async fn hostile_replies_are_backend_errors() {
    for (kind, needle) in [
        ("doctype", "DOCTYPE"),
        ("huge", "larger than"),
        ("truncated", "malformed"),
        ("wrong-type", "content type"),
        ("html", "404"),
        ("html-500", "content type"),
    ] {
        let e = against(kind).await;
        assert_eq!(e.kind, ErrorKind::Backend, "{kind}: {e}");
        assert!(e.message.contains(needle), "{kind}: {e}");
    }
}

#[tokio::test]
async fn a_slow_server_times_out_as_unavailable() {
    let app = Router::new().route(
        "/service/soap/{name}",
        post(|| async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            "late"
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let limits = ClientLimits { timeout: Duration::from_millis(200), read_retries: 1, ..ClientLimits::default() };
    let b = ZimbraBackend::with_limits(limits).unwrap();
    b.add_user("u", ZimbraSourceConfig { url, account: "u@example.com".into(), password: "p".into() });
    let e = b.mailboxes(&Principal::user("u"), "u").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unavailable, "{e}");
}
