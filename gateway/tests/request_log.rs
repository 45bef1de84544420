//! Every log line of a request carries its request id (the span the HTTP
//! layer opens). A test binary of its own: it installs the process's log
//! subscriber, which other tests running in parallel threads would race.

#![allow(clippy::unwrap_used)]

use axum::body::Body;
use axum::http::Request;
use mailgate_backend::MailBackend;
use mailgate_gateway::config::Config;
use mailgate_gateway::{app, server};
use mailgate_native::NativeBackend;
use std::sync::{Arc, Mutex};
use tower::ServiceExt;

/// Where the log lines go.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn every_log_line_of_a_request_names_its_request_id() {
    let captured = Captured::default();
    let sink = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || sink.clone())
        .init();
    let dir = tempfile::tempdir().unwrap();
    let native = Arc::new(NativeBackend::open_embedded(dir.path()).await.unwrap());
    let backend: Arc<dyn MailBackend> = native.clone();
    let router = app::router(
        server::app_state(backend, Vec::new(), b"0123456789abcdef0123456789abcdef", &Config::default()).unwrap(),
    );

    let mut ids = Vec::new();
    for (uri, given) in
        [("/health", None), ("/health", Some("client-chosen-42")), ("/graphql?query=%7B__typename%7D", None)]
    {
        let mut request = Request::get(uri);
        if let Some(id) = given {
            request = request.header("x-request-id", id);
        }
        let response = router.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
        ids.push(response.headers()["x-request-id"].to_str().unwrap().to_owned());
    }
    native.shutdown().await;

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = logs.lines().filter(|line| line.contains("processing request")).collect();
    assert_eq!(lines.len(), 6, "a start and an end line per request:\n{logs}");
    for id in &ids {
        let of_request = lines.iter().filter(|line| line.contains(&format!("request_id={id} "))).count();
        assert_eq!(of_request, 2, "{id} in\n{logs}");
    }
    assert!(ids.contains(&"client-chosen-42".to_owned()));
}
