//! `SIGHUP` reloads `[limits]` and `[persisted_operations]` in a running
//! `mailgate demo`: a query the old limits allowed is refused after the
//! file changes, a safelist switched on takes effect, and a broken file
//! changes nothing.

#![allow(clippy::unwrap_used)]

use mailgate_tests::DemoProcess;
use serde_json::{json, Value};
use std::process::Command;
use std::time::{Duration, Instant};

const THREE_ALIASES: &str = "{ a: __typename b: __typename c: __typename }";

fn hangup(pid: u32) {
    assert!(Command::new("kill").args(["-HUP", &pid.to_string()]).status().unwrap().success());
}

/// Polls until `check` holds for the answer to `query` (a reload is asynchronous), or fails.
async fn eventually(client: &mailgate_tests::GraphqlClient, query: &str, check: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let body = client.post(query, json!({})).await.unwrap();
        if check(&body) {
            return body;
        }
        assert!(Instant::now() < deadline, "no reload took effect: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn code(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["code"].as_str()
}

#[tokio::test(flavor = "multi_thread")]
async fn sighup_reloads_limits_and_the_safelist_and_a_broken_file_changes_nothing() {
    let data = tempfile::tempdir().unwrap();
    let config = data.path().join("gateway.toml");
    std::fs::write(&config, "[limits]\nmax_aliases = 30\n").unwrap();
    let config_arg = config.to_string_lossy().into_owned();
    let demo = DemoProcess::start_with(data.path(), &["--no-seed", "--config", &config_arg]).unwrap();
    let client = demo.client("jdoe");
    let body = client.post(THREE_ALIASES, json!({})).await.unwrap();
    assert_eq!(body["data"]["c"], "Query", "{body}");

    std::fs::write(&config, "[limits]\nmax_aliases = 2\n").unwrap();
    hangup(demo.pid());
    eventually(&client, THREE_ALIASES, |b| code(b) == Some("QUERY_TOO_COMPLEX")).await;

    // A broken file is refused; the limits stay as they were.
    std::fs::write(&config, "[limits]\nmax_aliases = \"many\"\n").unwrap();
    hangup(demo.pid());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(code(&client.post(THREE_ALIASES, json!({})).await.unwrap()), Some("QUERY_TOO_COMPLEX"));
    assert_eq!(client.post("{ a: __typename }", json!({})).await.unwrap()["data"]["a"], "Query");

    // A safelist switched on: only its operation runs.
    let manifest = data.path().join("operations.json");
    let listed = "query Listed { a: __typename b: __typename c: __typename }";
    let operations = json!({
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [{ "id": "listed", "name": "Listed", "type": "query", "body": listed }],
    });
    std::fs::write(&manifest, operations.to_string()).unwrap();
    std::fs::write(&config, format!("[persisted_operations]\nsafelist = {:?}\n", manifest.to_string_lossy())).unwrap();
    hangup(demo.pid());
    eventually(&client, "{ me { username } }", |b| code(b) == Some("FORBIDDEN")).await;
    // It has three aliases: the limits went back to the defaults with the new file.
    let body = client.post(listed, json!({})).await.unwrap();
    assert_eq!((&body["data"]["c"], &body["errors"]), (&json!("Query"), &Value::Null), "{body}");
    demo.stop().unwrap();
}
