//! The GraphQL-over-HTTP spec against a real `mailgate demo` process: the
//! `graphql-http` npm package's server audits (pinned in
//! `tests/http-audit/package-lock.json`) run with a user's bearer token, and
//! every MUST audit passes. SHOULD and MAY results are printed, not enforced.
//! Needs Node.js 18+ and `npm ci` in `tests/http-audit` (`.ci/run` does it);
//! without them the test fails and says so.

#![allow(clippy::unwrap_used)]

use mailgate_tests::DemoProcess;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn audit_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("http-audit")
}

/// Fails (never skips) when node or the pinned package is missing.
fn require_node_and_package(dir: &Path) {
    let hint = format!("run `npm ci` in {}", dir.display());
    let version = Command::new("node").arg("--version").output().unwrap_or_else(|err| {
        panic!("the GraphQL-over-HTTP audits need Node.js 18+ (`node`: {err}); install it, then {hint}")
    });
    let version = String::from_utf8_lossy(&version.stdout).trim().to_owned();
    let major: u32 = version.trim_start_matches('v').split('.').next().and_then(|m| m.parse().ok()).unwrap_or(0);
    assert!(major >= 18, "the audits need Node.js 18+ (for fetch), found {version:?}");
    let package = dir.join("node_modules/graphql-http/package.json");
    assert!(package.exists(), "the graphql-http package is not installed ({} is missing): {hint}", package.display());
}

#[tokio::test(flavor = "multi_thread")]
async fn graphql_over_http_audits_pass_against_the_running_gateway() {
    let dir = audit_dir();
    require_node_and_package(&dir);
    let data = tempfile::tempdir().unwrap();
    let demo = DemoProcess::start_with(data.path(), &["--no-seed"]).unwrap();
    let token = demo.tokens["jdoe"].clone();
    let url = format!("{}/graphql", demo.base);

    // CSRF prevention holds on the real listener: a bare GET, as a hostile
    // page can make a browser send, is refused; with the token it runs.
    let http = reqwest::Client::new();
    let get = format!("{url}?query=%7B%20__typename%20%7D");
    let refused = http.get(&get).send().await.unwrap();
    assert_eq!(refused.status(), 400);
    assert!(refused.headers().contains_key("x-request-id"));
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "CSRF_PREVENTED", "{body}");
    let allowed = http.get(&get).bearer_auth(&token).send().await.unwrap();
    assert_eq!(allowed.status(), 200);

    let results_file = data.path().join("audit-results.json");
    let status = Command::new("node")
        .arg("audit.mjs")
        .arg(&url)
        .arg(&results_file)
        .env("MAILGATE_TOKEN", &token)
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit())
        .status()
        .unwrap_or_else(|err| panic!("cannot run node audit.mjs: {err}"));
    let text = std::fs::read_to_string(&results_file).unwrap_or_else(|err| {
        panic!("audit.mjs wrote no results ({err}; exit {status}); run `npm ci` in {}", dir.display())
    });
    let results: Vec<Value> = serde_json::from_str(&text).unwrap();
    let of_level = |level: &'static str| results.iter().filter(move |r| r["level"] == level);
    let must_failures: Vec<String> = of_level("MUST")
        .filter(|r| r["status"] != "ok")
        .map(|r| format!("{} {}: {} ({})", r["id"], r["name"], r["reason"], r["responseBody"]))
        .collect();
    for level in ["MUST", "SHOULD", "MAY"] {
        let ok = of_level(level).filter(|r| r["status"] == "ok").count();
        println!("{level}: {ok} of {} audits passed", of_level(level).count());
    }
    assert!(of_level("MUST").count() >= 10, "the audit suite ran too few MUST audits:\n{text}");
    assert!(must_failures.is_empty(), "MUST audits failed:\n{}", must_failures.join("\n"));
    assert!(status.success(), "audit.mjs exited with {status}");
    demo.stop().unwrap();
}
