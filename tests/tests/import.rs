//! End to end for `mailgate import` and `mailgate token`: a Maildir and an
//! mbox go in through the CLI, a second run adds nothing, and the result is
//! served over GraphQL with a minted token.

#![allow(clippy::unwrap_used)]

use mailgate_tests::{binary, DemoProcess, GraphqlClient};
use serde_json::json;
use std::path::Path;
use std::process::Command;

fn message(n: u32, subject: &str) -> String {
    format!(
        "From: Sender {n} <sender{n}@example.com>\r\nTo: newbie@example.com\r\nSubject: {subject}\r\n\
Message-ID: <import-{n}@example.com>\r\nDate: Mon, 2 Feb 2026 10:0{n}:00 +0000\r\n\r\nBody {n}\r\n"
    )
}

fn write_maildir(root: &Path) {
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(root.join(sub)).unwrap();
    }
    std::fs::write(root.join("cur/1700000001.1.host:2,S"), message(1, "seen one")).unwrap();
    std::fs::write(root.join("cur/1700000002.2.host:2,FS"), message(2, "flagged one")).unwrap();
    std::fs::write(root.join("new/1700000003.3.host"), message(3, "new one")).unwrap();
}

fn import(data: &Path, args: &[&str]) -> std::process::Output {
    let output = Command::new(binary::mailgate().unwrap())
        .args(["import", "--user", "newbie", "--data"])
        .arg(data)
        .args(args)
        .output()
        .unwrap();
    assert!(output.status.success(), "import failed: {}", String::from_utf8_lossy(&output.stderr));
    output
}

#[tokio::test(flavor = "multi_thread")]
async fn imported_maildir_and_mbox_are_served_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let maildir = dir.path().join("Maildir");
    write_maildir(&maildir);
    let mbox = dir.path().join("old.mbox");
    std::fs::write(
        &mbox,
        format!(
            "From sender4@example.com Mon Feb  2 10:04:00 2026\n{}\nFrom sender5@example.com Mon Feb  2 10:05:00 2026\n{}",
            message(4, "mbox one").replace("\r\n", "\n"),
            message(5, "mbox two").replace("\r\n", "\n").replace("Body 5", ">From the archive")
        ),
    )
    .unwrap();

    import(&data, &[maildir.to_str().unwrap()]);
    import(&data, &[maildir.to_str().unwrap()]); // again: nothing twice
    let output = import(&data, &["--mailbox", "Archive/Old", mbox.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&output.stdout).contains("imported 2"), "{output:?}");

    let token = Command::new(binary::mailgate().unwrap())
        .args(["token", "--user", "newbie", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(token.status.success(), "{token:?}");
    let token = String::from_utf8(token.stdout).unwrap().trim().to_owned();

    let demo = DemoProcess::start_with(&data, &["--no-seed"]).unwrap();
    let client = GraphqlClient::new(&demo.base, Some(&token));
    let me = client
        .data("{ me { username mailboxes { name role totalCount unreadCount parent { name } } } }", json!({}))
        .await
        .unwrap();
    let mailboxes = me["me"]["mailboxes"].as_array().unwrap();
    let inbox = mailboxes.iter().find(|m| m["role"] == "INBOX").unwrap();
    assert_eq!(inbox["totalCount"], 3, "{me}");
    assert_eq!(inbox["unreadCount"], 1, "maildir flags not kept: {me}");
    let old = mailboxes.iter().find(|m| m["name"] == "Old").unwrap();
    assert_eq!(old["totalCount"], 2);
    assert_eq!(old["parent"]["name"], "Archive");

    let flagged = client
        .data("{ search(query: \"is:flagged\") { totalCount edges { node { subject } } } }", json!({}))
        .await
        .unwrap();
    assert_eq!(flagged["search"]["totalCount"], 1);
    assert_eq!(flagged["search"]["edges"][0]["node"]["subject"], "flagged one");
    let unescaped =
        client.data("{ search(query: \"\\\"From the archive\\\"\") { totalCount } }", json!({})).await.unwrap();
    assert_eq!(unescaped["search"]["totalCount"], 1, "mbox >From escaping not undone");
}
