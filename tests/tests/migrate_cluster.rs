//! `mailgate migrate --nodes` into a running three-node pool while a
//! `mailgate serve` gateway keeps serving the user: every read during the
//! copy answers a full page from the Zimbra source, and after cutover the
//! same gateway serves the user from the native store.

#![allow(clippy::unwrap_used)]

use mailgate_tests::procs::{free_addr, run, NodeProcess};
use mailgate_tests::{binary, GraphqlClient};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const LEGACY: &str = "ann@legacy.example";
const MESSAGES: u64 = 400;

/// A child process killed when the test ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `mailgate ARGS` and waits for a stdout line starting with `ready`; returns that line.
fn start(args: &[&str], ready: &str) -> (Killed, String) {
    let mut child = Command::new(binary::mailgate().unwrap())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let guard = Killed(child);
    let mut lines = BufReader::new(stdout).lines();
    let line = lines.by_ref().map_while(Result::ok).find(|l| l.starts_with(ready)).expect("never became ready");
    // Keep draining so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (guard, line)
}

async fn page(client: &GraphqlClient) -> Value {
    client.data("{ messages(username: \"ann\", limit: 50) { messageId sources } }", json!({})).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_user_is_served_by_the_gateway_throughout_a_migration_into_the_pool() {
    let dir = tempfile::tempdir().unwrap();
    let (_sim, line) = start(
        &["zimbra-sim", "--listen", "127.0.0.1:0", "--account", LEGACY, "--password", "pw", "--generate", "400"],
        "Zimbra simulator on ",
    );
    let url = line.trim_start_matches("Zimbra simulator on ").trim_end_matches("/service/soap").to_owned();

    let addrs: Vec<String> = (0..3).map(|_| free_addr().unwrap()).collect();
    let _nodes: Vec<NodeProcess> = addrs
        .iter()
        .enumerate()
        .map(|(i, a)| NodeProcess::start(&dir.path().join(format!("n{i}")), a).unwrap())
        .collect();
    let joined = addrs.join(",");
    run(&["cluster", "init", "--nodes", &joined]).unwrap();

    let secret = dir.path().join("jwt-secret");
    std::fs::write(&secret, [42u8; 32]).unwrap();
    let password = dir.path().join("zimbra-pw");
    std::fs::write(&password, "pw\n").unwrap();
    let config = dir.path().join("gateway.toml");
    std::fs::write(
        &config,
        format!(
            "nodes = {nodes:?}\njwt_secret_file = {secret:?}\n\n[[zimbra_sources]]\nuser = \"ann\"\n\
account = \"{LEGACY}\"\nurl = \"{url}\"\npassword_file = {password:?}\n",
            nodes = addrs,
            secret = secret.to_string_lossy(),
            password = password.to_string_lossy(),
        ),
    )
    .unwrap();
    let listen = free_addr().unwrap();
    let (_serve, _) = start(&["serve", "--config", &config.to_string_lossy(), "--listen", &listen], "Mailgate gateway");
    let token = run(&["token", "--user", "ann", "--jwt-secret-file", &secret.to_string_lossy()]).unwrap();
    let client = GraphqlClient::new(&format!("http://{listen}"), Some(token.trim()));

    // Before: ann exists only on Zimbra, and is served from there.
    let before = page(&client).await;
    assert_eq!(before["messages"].as_array().unwrap().len(), 50);
    assert!(before["messages"].as_array().unwrap().iter().all(|m| m["sources"] == json!([LEGACY])));

    let mut migrate = Command::new(binary::mailgate().unwrap())
        .args(["migrate", "--user", "ann", "--from", LEGACY, "--url", &url, "--nodes", &joined])
        .arg("--password-file")
        .arg(&password)
        .arg("--journal")
        .arg(dir.path().join("journal.jsonl"))
        .stdout(Stdio::piped())
        .stderr(Stdio::from(std::fs::File::create(dir.path().join("migrate.err")).unwrap()))
        .spawn()
        .unwrap();
    let started = Instant::now();
    let mut reads = 0;
    while migrate.try_wait().unwrap().is_none() {
        assert!(started.elapsed() < Duration::from_secs(600), "the migration did not finish");
        let got = page(&client).await;
        let messages = got["messages"].as_array().unwrap();
        assert_eq!(messages.len(), 50, "a short page during the copy: {got}");
        reads += 1;
    }
    let mut out = String::new();
    std::io::Read::read_to_string(&mut migrate.stdout.take().unwrap(), &mut out).unwrap();
    let errors = std::fs::read_to_string(dir.path().join("migrate.err")).unwrap_or_default();
    assert!(migrate.wait().unwrap().success(), "{out}\n{errors}");
    assert!(reads > 0, "no read ran during the copy");
    assert!(out.contains("cutover: ann is now served from the native store"), "{out}");

    // After: the same gateway serves ann from the pool; the Zimbra source is read-only.
    let me =
        client.data("{ me { sources { name primary readOnly } mailboxes { totalCount } } }", json!({})).await.unwrap();
    assert_eq!(
        me["me"]["sources"],
        json!([{"name": "ann@mailgate.example", "primary": true, "readOnly": false},
               {"name": LEGACY, "primary": false, "readOnly": true}]),
        "{me}"
    );
    let total: u64 = me["me"]["mailboxes"].as_array().unwrap().iter().map(|m| m["totalCount"].as_u64().unwrap()).sum();
    assert_eq!(total, MESSAGES);
    let after = page(&client).await;
    assert!(after["messages"].as_array().unwrap().iter().all(|m| m["sources"] == json!(["ann@mailgate.example"])));
}
