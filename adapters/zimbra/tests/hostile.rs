//! Hostile and broken replies from a tiny axum server: every one ends as a
//! clear `Backend` (or `Unavailable`) error, with bounded memory and no panic;
//! for `blobs()`, a reply too big to hold or a message it cannot cut falls
//! back to the REST download instead.

#![allow(clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use mailgate_backend::{BlobId, ErrorKind, MailBackend, Principal};
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

/// A raw message whose part 2 is `LOCAL` (so a blob cut from it tells itself
/// apart from a downloaded one, which reads `REST id/part`).
const RAW: &str =
    "Subject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nbody\r\n\
--b\r\nContent-Type: application/octet-stream\r\n\r\nLOCAL\r\n--b--\r\n";

fn envelope(body: &str) -> Response {
    let doc = format!(
        r#"<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>{body}</soap:Body></soap:Envelope>"#
    );
    ([(header::CONTENT_TYPE, XML)], doc).into_response()
}

fn item(n: usize, id: &str, content: &str) -> String {
    format!(r#"<GetMsgResponse xmlns="urn:zimbraMail" requestId="{n}"><m id="{id}">{content}</m></GetMsgResponse>"#)
}

fn inline(raw: &str) -> String {
    format!("<content>{}</content>", mailgate_zimbra::xml::escape(raw))
}

/// The BatchResponse (for messages 7 and 8) of each hostile kind.
async fn batch_reply(kind: &'static str) -> Response {
    let ok = || item(0, "7", &inline(RAW)) + &item(1, "8", &inline(RAW));
    let batch = |items: String| envelope(&format!(r#"<BatchResponse xmlns="urn:zimbra">{items}</BatchResponse>"#));
    match kind {
        "fine" => batch(ok()),
        "huge" => hostile("huge").await,
        "doctype" => hostile("doctype").await,
        "truncated" => ([(header::CONTENT_TYPE, XML)], envelope_prefix()).into_response(),
        "item-fault" => batch(
            r#"<soap:Fault requestId="0"><soap:Code><soap:Value>soap:Receiver</soap:Value></soap:Code><soap:Reason><soap:Text>system failure: disk</soap:Text></soap:Reason><soap:Detail><Error xmlns="urn:zimbra"><Code>service.FAILURE</Code><Trace>t</Trace></Error></soap:Detail></soap:Fault>"#.to_owned()
                + &item(1, "8", &inline(RAW)),
        ),
        "wrong-id" => batch(item(0, "1", &inline(RAW)) + &item(1, "8", &inline(RAW))),
        "missing-item" => batch(item(1, "8", &inline(RAW))),
        "not-ascii" => batch(item(0, "7", &inline(&RAW.replace("body", "bödy"))) + &item(1, "8", &inline(RAW))),
        "over-cut-bound" => {
            let big = format!("{RAW}{}", "x".repeat(mailgate_zimbra::blobs::MAX_CUT_RAW));
            batch(item(0, "7", &inline(&big)) + &item(1, "8", &inline(RAW)))
        }
        "mime-bomb" => {
            let mut bomb = String::from("Subject: bomb\r\n");
            for d in 0..5000 {
                bomb.push_str(&format!("Content-Type: multipart/mixed; boundary=\"b{d}\"\r\n\r\n--b{d}\r\n"));
            }
            bomb.push_str("Content-Type: text/plain\r\n\r\nx\r\n");
            batch(item(0, "7", &inline(&bomb)) + &item(1, "8", &inline(RAW)))
        }
        "rfc822-bomb" => {
            // Messages attached inside messages, 20 000 deep: nothing may recurse that far.
            let bomb = "Subject: m\r\nContent-Type: message/rfc822\r\n\r\n".repeat(20_000) + "Subject: end\r\n\r\nx\r\n";
            batch(item(0, "7", &inline(&bomb)) + &item(1, "8", &inline(RAW)))
        }
        _ => StatusCode::IM_A_TEAPOT.into_response(),
    }
}

fn envelope_prefix() -> &'static str {
    r#"<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><BatchResponse xmlns="urn:zimbra"><GetMsgResponse requestId="0"><m id="7"><content>Subj"#
}

/// `blobs()` for parts 2 of messages 7 and 8 against a server that logs in
/// fine, answers the BatchRequest with `kind`, and serves REST downloads.
async fn blobs_against(kind: &'static str) -> Result<Vec<(String, String)>, mailgate_backend::BackendError> {
    let soap = move |axum::extract::Path(name): axum::extract::Path<String>| async move {
        match name.as_str() {
            "AuthRequest" => {
                envelope(r#"<AuthResponse xmlns="urn:zimbraAccount"><authToken>0_t_00</authToken></AuthResponse>"#)
            }
            _ => batch_reply(kind).await,
        }
    };
    let rest = |axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>| async move {
        format!("REST {}/{}", q.get("id").cloned().unwrap_or_default(), q.get("part").cloned().unwrap_or_default())
    };
    let app =
        Router::new().route("/service/soap/{name}", post(soap)).route("/service/home/~/", axum::routing::get(rest));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let limits = ClientLimits { max_reply_bytes: 16 << 20, read_retries: 0, ..ClientLimits::default() };
    let b = ZimbraBackend::with_limits(limits).unwrap();
    b.add_user("u", ZimbraSourceConfig { url, account: "u@example.com".into(), password: "p".into() });
    let ids = [BlobId("7/2".into()), BlobId("8/2".into())];
    let got = b.blobs(&Principal::user("u"), "u", &ids, 1 << 20).await?;
    let mut out: Vec<(String, String)> =
        got.into_iter().map(|(k, v)| (k.0, String::from_utf8_lossy(&v).into_owned())).collect();
    out.sort();
    Ok(out)
}

#[tokio::test]
async fn hostile_batch_replies_for_blobs_fail_clearly_or_fall_back_to_the_download() {
    let pair = |a: &str, b: &str| vec![("7/2".to_owned(), a.to_owned()), ("8/2".to_owned(), b.to_owned())];
    assert_eq!(blobs_against("fine").await.unwrap(), pair("LOCAL", "LOCAL"), "cut from the batch");
    // Too big to hold: refused while streaming, and the page is still served.
    assert_eq!(blobs_against("huge").await.unwrap(), pair("REST 7/2", "REST 8/2"));
    // Inline but not byte-exact (8-bit), or over the cutting bound: that message is downloaded.
    assert_eq!(blobs_against("not-ascii").await.unwrap(), pair("REST 7/2", "LOCAL"));
    assert_eq!(blobs_against("over-cut-bound").await.unwrap(), pair("REST 7/2", "LOCAL"));
    // A MIME bomb is parsed without blowing up; it has no part 2.
    assert_eq!(blobs_against("mime-bomb").await.unwrap(), vec![("8/2".to_owned(), "LOCAL".to_owned())]);
    assert_eq!(blobs_against("rfc822-bomb").await.unwrap(), vec![("8/2".to_owned(), "LOCAL".to_owned())]);
    for (kind, needle) in [
        ("doctype", "DOCTYPE"),
        ("truncated", "malformed"),
        ("item-fault", "service.FAILURE"),
        ("wrong-id", "with message"),
        ("missing-item", "misses"),
    ] {
        let e = blobs_against(kind).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Backend, "{kind}: {e}");
        assert!(e.message.contains(needle), "{kind}: {e}");
    }
}
