//! Optional OTLP trace export from a real `mailgate demo` process: with
//! `OTEL_EXPORTER_OTLP_ENDPOINT` set, the request and backend spans reach a
//! collector (an HTTP listener on loopback that records what it is sent) as
//! OTLP/HTTP protobuf; with a collector that accepts connections and never
//! answers, requests are still served.

#![allow(clippy::unwrap_used)]

use mailgate_tests::DemoProcess;
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One request the collector received: its first line, headers and body.
#[derive(Debug, Clone)]
struct Received {
    head: String,
    body: Vec<u8>,
}

/// A minimal HTTP/1.1 listener that records each request and answers 200.
async fn collector() -> (String, Arc<Mutex<Vec<Received>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let received = Arc::new(Mutex::new(Vec::new()));
    let log = received.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                loop {
                    let mut chunk = [0u8; 8192];
                    let Ok(n) = socket.read(&mut chunk).await else { return };
                    if n == 0 {
                        return;
                    }
                    buffer.extend_from_slice(&chunk[..n]);
                    let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
                    let head = String::from_utf8_lossy(&buffer[..end]).to_string();
                    let length = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned())
                        })
                        .and_then(|v| v.parse::<usize>().ok())
                        .unwrap_or(0);
                    if buffer.len() < end + 4 + length {
                        continue;
                    }
                    let body = buffer[end + 4..end + 4 + length].to_vec();
                    buffer.drain(..end + 4 + length);
                    log.lock().unwrap().push(Received { head, body });
                    let _ = socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").await;
                }
            });
        }
    });
    (url, received)
}

#[tokio::test(flavor = "multi_thread")]
async fn spans_are_exported_over_otlp_http_when_the_environment_asks() {
    let (url, received) = collector().await;
    let data = tempfile::tempdir().unwrap();
    let env = [("OTEL_EXPORTER_OTLP_ENDPOINT", url.as_str()), ("OTEL_BSP_SCHEDULE_DELAY", "200")];
    let demo = DemoProcess::start_with_env(data.path(), &["--no-seed"], &env).unwrap();
    let client = demo.client("jdoe");
    for _ in 0..3 {
        client.post("{ me { username } }", json!({})).await.unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    let export = loop {
        let found = received.lock().unwrap().iter().find(|r| r.head.starts_with("POST /v1/traces")).cloned();
        if let Some(found) = found {
            break found;
        }
        assert!(Instant::now() < deadline, "no OTLP export reached the collector");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(export.head.to_ascii_lowercase().contains("content-type: application/x-protobuf"), "{}", export.head);
    let has = |needle: &[u8]| export.body.windows(needle.len()).any(|w| w == needle);
    assert!(has(b"mailgate"), "the service name is in the export");
    assert!(has(b"request"), "the request span is in the export");
    demo.stop().unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_collector_that_never_answers_does_not_hold_up_requests() {
    // Accepts connections and never reads or answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let held = Arc::new(Mutex::new(Vec::new()));
    let keep = held.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            keep.lock().unwrap().push(socket);
        }
    });
    let data = tempfile::tempdir().unwrap();
    let env = [
        ("OTEL_EXPORTER_OTLP_ENDPOINT", url.as_str()),
        ("OTEL_BSP_SCHEDULE_DELAY", "100"),
        ("OTEL_EXPORTER_OTLP_TIMEOUT", "1000"),
    ];
    let demo = DemoProcess::start_with_env(data.path(), &["--no-seed"], &env).unwrap();
    let client = demo.client("jdoe");
    // First some spans, and the exporter's connection to the silent collector.
    let deadline = Instant::now() + Duration::from_secs(20);
    while held.lock().unwrap().is_empty() {
        let body = client.post("{ __typename }", json!({})).await.unwrap();
        assert_eq!(body["data"]["__typename"], "Query", "{body}");
        assert!(Instant::now() < deadline, "the gateway never tried to export");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // While that export hangs, requests are served.
    for _ in 0..30 {
        let body = client.post("{ __typename }", json!({})).await.unwrap();
        assert_eq!(body["data"]["__typename"], "Query", "{body}");
    }
    demo.stop().unwrap();
}
