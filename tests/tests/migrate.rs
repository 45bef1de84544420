//! End to end for `mailgate migrate`: a `mailgate zimbra-sim` process holds
//! 2,103 messages (generated, plus a Maildir); the migration is SIGKILLed
//! part-way, run again, and must end with every message copied exactly once,
//! a clean verification report, and the user cut over to the native store.

#![allow(clippy::unwrap_used)]

use mailgate_tests::{binary, DemoProcess, GraphqlClient};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const LEGACY: &str = "ann@legacy.example";
const GENERATED: usize = 2100;
const FROM_MAILDIR: usize = 3;

/// A child process killed when the test ends, however it ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the simulator on a free port; returns it with its base URL.
fn start_sim(maildir: &Path) -> (Killed, String) {
    let mut child = Command::new(binary::mailgate().unwrap())
        .args(["zimbra-sim", "--listen", "127.0.0.1:0", "--account", LEGACY, "--password", "s3cret"])
        .args(["--generate", &GENERATED.to_string(), "--maildir"])
        .arg(maildir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let guard = Killed(child);
    let mut url = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("Zimbra simulator on ") {
            url = Some(rest.trim_end_matches("/service/soap").to_owned());
        }
        if line.starts_with("ACCOUNT ") {
            break;
        }
    }
    (guard, url.expect("the simulator printed no URL"))
}

fn migrate_command(url: &str, data: &Path, password_file: &Path) -> Command {
    let mut cmd = Command::new(binary::mailgate().unwrap());
    cmd.args(["migrate", "--user", "ann", "--from", LEGACY, "--url", url, "--password-file"])
        .arg(password_file)
        .arg("--data")
        .arg(data);
    cmd
}

fn lines(path: &Path) -> usize {
    std::fs::read_to_string(path).map(|t| t.lines().count()).unwrap_or(0)
}

fn text(output: &Output) -> String {
    format!("{}\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

fn write_maildir(root: &Path) {
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(root.join(sub)).unwrap();
    }
    for n in 0..FROM_MAILDIR {
        let raw = format!(
            "From: Old Friend <friend{n}@example.org>\r\nTo: {LEGACY}\r\nSubject: From the Maildir {n}\r\n\
Message-ID: <maildir-{n}@example.org>\r\nDate: Tue, 3 Mar 2026 09:0{n}:00 +0000\r\n\r\nKept for years.\r\n"
        );
        std::fs::write(root.join(format!("cur/17000000{n}.{n}.host:2,S")), raw).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_migration_killed_half_way_resumes_without_duplicates_and_cuts_over() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let maildir = dir.path().join("Maildir");
    write_maildir(&maildir);
    let password_file = dir.path().join("zimbra-password");
    std::fs::write(&password_file, "s3cret\n").unwrap();
    let (_sim, url) = start_sim(&maildir);
    let journal = data.join("migrations/ann.jsonl");
    let total = GENERATED + FROM_MAILDIR;

    // Run 1: SIGKILL once a third is copied.
    let mut first =
        migrate_command(&url, &data, &password_file).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let started = Instant::now();
    while lines(&journal) < total / 3 {
        assert!(first.try_wait().unwrap().is_none(), "the migration ended before it could be killed");
        assert!(started.elapsed() < Duration::from_secs(300), "the migration made no progress");
        std::thread::sleep(Duration::from_millis(20));
    }
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();
    let copied_before = lines(&journal);
    assert!(copied_before < total, "killed too late to test anything: {copied_before} copied");

    // Run 2: resumes, copies the rest once, verifies, cuts over.
    let report_path = dir.path().join("report.json");
    let second = migrate_command(&url, &data, &password_file).arg("--report").arg(&report_path).output().unwrap();
    let out = text(&second);
    assert!(second.status.success(), "resumed migration failed:\n{out}");
    assert!(out.contains("resuming: "), "{out}");
    assert!(out.contains(&format!("{total} checked, {total} with equal sha256")), "{out}");
    assert!(out.contains("0 mismatches"), "{out}");
    assert!(out.contains("cutover: ann is now served from the native store"), "{out}");
    let copied_now: usize =
        out.lines().find_map(|l| l.strip_prefix("copied ")?.split(' ').next()?.parse().ok()).unwrap();
    // Lines lost in the kill are copied again; the store's dedup keeps them single.
    assert!(copied_now <= total - copied_before + 16, "resumed run copied {copied_now} of {total}");
    assert!(copied_now >= total - copied_before);
    let report: Value = serde_json::from_slice(&std::fs::read(&report_path).unwrap()).unwrap();
    let messages = report["messages"].as_array().unwrap();
    assert_eq!(messages.len(), total);
    assert!(messages.iter().all(|m| m["problem"].is_null() && m["source_sha256"] == m["native_sha256"]));
    assert!(messages.iter().all(|m| m["source_sha256"].as_str().is_some_and(|s| s.len() == 64)));

    // Run 3: nothing to copy, still clean (idempotent).
    let third = migrate_command(&url, &data, &password_file).output().unwrap();
    assert!(third.status.success(), "{}", text(&third));
    assert!(text(&third).contains("copied 0 messages"), "{}", text(&third));

    // What the store holds, seen through GraphQL: every message once, folders mirrored.
    let token =
        Command::new(binary::mailgate().unwrap()).args(["token", "--user", "ann", "--data"]).arg(&data).output();
    let token = String::from_utf8(token.unwrap().stdout).unwrap().trim().to_owned();
    let demo = DemoProcess::start_with(&data, &["--no-seed"]).unwrap();
    let client = GraphqlClient::new(&demo.base, Some(&token));
    let me = client
        .data("{ me { sources { name primary readOnly } mailboxes { name totalCount parent { name } } } }", json!({}))
        .await
        .unwrap();
    let sources = me["me"]["sources"].as_array().unwrap();
    assert_eq!(sources[0], json!({"name": "ann@mailgate.example", "primary": true, "readOnly": false}), "{me}");
    let mailboxes = me["me"]["mailboxes"].as_array().unwrap();
    let sum: u64 = mailboxes.iter().map(|m| m["totalCount"].as_u64().unwrap()).sum();
    assert_eq!(sum, total as u64, "duplicates or losses: {me}");
    let apollo = mailboxes.iter().find(|m| m["name"] == "Apollo").unwrap();
    assert_eq!(apollo["parent"]["name"], "Projects");
    let found = client.data("{ search(query: \"subject:\\\"From the Maildir\\\"\") { totalCount } }", json!({})).await;
    assert_eq!(found.unwrap()["search"]["totalCount"], FROM_MAILDIR as u64);
    demo.stop().unwrap();
}
