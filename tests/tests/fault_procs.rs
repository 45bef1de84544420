//! L2 fault test: three `mailgate node` processes and a `mailgate serve`
//! gateway on loopback. Three GraphQL clients import messages and flip seen
//! flags on six mailboxes while the nemesis SIGKILLs the leader 20 times
//! (restarting it each time), SIGSTOPs nodes for 2-4 s, and finally kills
//! every node and restarts them all. Each mailbox's history must be
//! linearizable, no acknowledged import may be lost, the three replicas
//! must end with equal digests, and fail-over times (leader SIGKILL to the
//! next acknowledged write) are printed.
//!
//! `MAILGATE_SEED` replays a seed; `MAILGATE_KILLS` sets the number of leader
//! kills (default 20; the soak uses more).

#![allow(clippy::unwrap_used)]

use mailgate_cluster::{admin, ClusterClient, RetryPolicy};
use mailgate_tests::lincheck;
use mailgate_tests::mailbox_model::{summarize, Mailbox, MbInput, MbOutput, Recorder};
use mailgate_tests::procs::{free_addr, run, NodeProcess, ServeProcess};
use mailgate_tests::GraphqlClient;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a client keeps retrying one operation (same clientMutationId) before calling it indeterminate.
const OP_DEADLINE: Duration = Duration::from_secs(15);
/// A mailbox page holds at most 500 messages; stay below so that one read sees the whole mailbox.
const MAX_PER_BOX: usize = 450;

const READ: &str = "query($id: ID!) { mailbox(id: $id) { messages(first: 500) { totalCount edges { node { subject flags { seen } } } } } }";
const IMPORT: &str = "mutation($box: ID!, $raw: String!, $cm: String!) { importMessage(input: {mailboxId: $box, raw: $raw, clientMutationId: $cm}) { message { id } } }";
const FLAG: &str = "mutation($id: ID!, $seen: Boolean!, $cm: String!) { setFlags(input: {ids: [$id], seen: $seen, clientMutationId: $cm}) { requestId } }";

struct Shared {
    boxes: Vec<String>,
    recorders: Vec<Recorder>,
    imports: Vec<AtomicUsize>,
    stop: AtomicBool,
    start: Instant,
    /// Micros since `start` of the latest acknowledged write.
    last_ack: AtomicU64,
    /// Errors the gateway returned (each retried).
    errors: AtomicUsize,
    sample_errors: Mutex<Vec<String>>,
}

impl Shared {
    fn ack(&self) {
        self.last_ack.fetch_max(self.start.elapsed().as_micros() as u64, Ordering::Relaxed);
    }
}

/// Sends one GraphQL operation until it succeeds or the deadline passes.
async fn until_ok(
    gql: &GraphqlClient,
    shared: &Shared,
    query: &str,
    vars: serde_json::Value,
) -> Option<serde_json::Value> {
    let start = Instant::now();
    while start.elapsed() < OP_DEADLINE {
        match gql.data(query, vars.clone()).await {
            Ok(data) => return Some(data),
            Err(e) => {
                shared.errors.fetch_add(1, Ordering::Relaxed);
                {
                    let mut samples = shared.sample_errors.lock().unwrap();
                    if samples.len() < 5 {
                        samples.push(format!("{e:#}").chars().take(300).collect());
                    }
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    None
}

fn parse_read(data: &serde_json::Value) -> Option<BTreeMap<String, bool>> {
    let edges = data["mailbox"]["messages"]["edges"].as_array()?;
    edges
        .iter()
        .map(|e| Some((e["node"]["subject"].as_str()?.to_owned(), e["node"]["flags"]["seen"].as_bool()?)))
        .collect()
}

async fn client_loop(c: usize, gql: GraphqlClient, shared: Arc<Shared>, seed: u64) -> usize {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut mine: Vec<(usize, String, String)> = Vec::new();
    let mut acked = 0;
    let mut n = 0;
    while !shared.stop.load(Ordering::Relaxed) {
        n += 1;
        let b = rng.gen_range(0..shared.boxes.len());
        let rec = &shared.recorders[b];
        let roll: f64 = rng.gen();
        let room = shared.imports[b].load(Ordering::Relaxed) < MAX_PER_BOX;
        if room && (roll < 0.5 || mine.is_empty()) {
            shared.imports[b].fetch_add(1, Ordering::Relaxed);
            let tag = format!("c{c}-{n}");
            let h = rec.invoke(c, MbInput::Import(tag.clone()));
            let raw = format!("From: c{c}@example.com\r\nSubject: {tag}\r\n\r\nbody {n}\r\n");
            let vars = json!({"box": shared.boxes[b], "raw": raw, "cm": tag});
            if let Some(data) = until_ok(&gql, &shared, IMPORT, vars).await {
                rec.complete(h, MbOutput::Ok);
                shared.ack();
                acked += 1;
                if let Some(id) = data["importMessage"]["message"]["id"].as_str() {
                    mine.push((b, tag, id.to_owned()));
                }
            }
        } else if roll < 0.75 && !mine.is_empty() {
            let (b, tag, id) = mine[rng.gen_range(0..mine.len())].clone();
            let seen = rng.gen_bool(0.5);
            let h = shared.recorders[b].invoke(c, MbInput::SetSeen(tag, seen));
            let vars = json!({"id": id, "seen": seen, "cm": format!("c{c}-flag-{n}")});
            if until_ok(&gql, &shared, FLAG, vars).await.is_some() {
                shared.recorders[b].complete(h, MbOutput::Ok);
                shared.ack();
                acked += 1;
            }
        } else {
            let h = rec.invoke(c, MbInput::Read);
            if let Some(seen) = gql.data(READ, json!({"id": shared.boxes[b]})).await.ok().as_ref().and_then(parse_read)
            {
                rec.complete(h, MbOutput::Read(seen));
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    acked
}

async fn leader_slot(nodes: &[NodeProcess]) -> Option<usize> {
    let client = ClusterClient::new(nodes.iter().map(|n| n.addr.clone()).collect(), RetryPolicy::default()).ok()?;
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        if let Ok(status) = admin::leader_status(&client).await {
            if let Some(addr) = status.voters.get(&status.id) {
                return nodes.iter().position(|n| &n.addr == addr);
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_over_three_processes_survives_kills_pauses_and_full_restart() {
    let seed = mailgate_tests::seed::seed("gateway_over_three_processes_survives_kills_pauses_and_full_restart");
    let kills: usize = std::env::var("MAILGATE_KILLS").ok().and_then(|s| s.parse().ok()).unwrap_or(20);
    let mut rng = StdRng::seed_from_u64(seed);
    let root = tempfile::tempdir().unwrap();
    let mut nodes = Vec::new();
    for i in 0..3 {
        nodes.push(NodeProcess::start(&root.path().join(format!("node{i}")), &free_addr().unwrap()).unwrap());
    }
    let addrs: Vec<String> = nodes.iter().map(|n| n.addr.clone()).collect();
    let joined = addrs.join(",");
    run(&["cluster", "init", "--nodes", &joined]).unwrap();
    run(&["account", "add", "acct", "--nodes", &joined]).unwrap();
    let secret = root.path().join("jwt-secret");
    std::fs::write(&secret, format!("{:064x}", rng.gen::<u128>())).unwrap();
    let gateway = ServeProcess::start(&addrs, &secret, &root.path().join("serve.log")).unwrap();
    let token = run(&["token", "--user", "acct", "--jwt-secret-file", &secret.to_string_lossy()]).unwrap();
    let gql = GraphqlClient::new(&gateway.base, Some(token.trim()));
    let me = gql.data("{ me { mailboxes { id } } }", json!({})).await.unwrap();
    let boxes: Vec<String> =
        me["me"]["mailboxes"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(boxes.len(), 6);

    let shared = Arc::new(Shared {
        recorders: boxes.iter().map(|_| Recorder::default()).collect(),
        imports: boxes.iter().map(|_| AtomicUsize::new(0)).collect(),
        boxes,
        stop: AtomicBool::new(false),
        start: Instant::now(),
        last_ack: AtomicU64::new(0),
        errors: AtomicUsize::new(0),
        sample_errors: Mutex::new(Vec::new()),
    });
    let clients: Vec<_> =
        (0..3).map(|c| tokio::spawn(client_loop(c, gql.clone(), shared.clone(), seed ^ (c as u64 + 1)))).collect();
    tokio::time::sleep(Duration::from_secs(1)).await;

    // 1. SIGKILL the leader, measure the time to the next acknowledged write, restart it.
    let mut failovers = Vec::new();
    for k in 0..kills {
        let leader = leader_slot(&nodes).await.unwrap_or_else(|| panic!("no leader before kill {k}; seed {seed}"));
        nodes[leader].kill9().unwrap();
        let killed_at = shared.start.elapsed().as_micros() as u64;
        let t0 = Instant::now();
        while shared.last_ack.load(Ordering::Relaxed) <= killed_at {
            assert!(t0.elapsed() < Duration::from_secs(30), "no write acknowledged 30 s after kill {k}; seed {seed}");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        failovers.push(t0.elapsed());
        nodes[leader].restart().unwrap();
        tokio::time::sleep(Duration::from_millis(rng.gen_range(300..1000))).await;
    }
    // 2. SIGSTOP a random node (sometimes the leader) for 2-4 s.
    for _ in 0..3 {
        let i = rng.gen_range(0..nodes.len());
        nodes[i].pause(true).unwrap();
        tokio::time::sleep(Duration::from_millis(rng.gen_range(2000..4000))).await;
        nodes[i].pause(false).unwrap();
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    // 3. Kill every node, restart them all.
    for n in nodes.iter_mut() {
        n.kill9().unwrap();
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    for n in nodes.iter_mut() {
        n.restart().unwrap();
    }
    let before = shared.last_ack.load(Ordering::Relaxed);
    let t0 = Instant::now();
    while shared.last_ack.load(Ordering::Relaxed) <= before {
        assert!(t0.elapsed() < Duration::from_secs(30), "no write after the full restart; seed {seed}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    shared.stop.store(true, Ordering::Relaxed);
    let mut acked = 0;
    for c in clients {
        acked += c.await.unwrap();
    }

    failovers.sort();
    let errors = shared.errors.load(Ordering::Relaxed);
    let context = format!(
        "seed {seed}; acked {acked}; gateway errors {errors} {:?}; fail-over over {} kills: p50 {:?} p99 {:?} max {:?}",
        shared.sample_errors.lock().unwrap(),
        failovers.len(),
        percentile(&failovers, 0.5),
        percentile(&failovers, 0.99),
        failovers.last()
    );
    eprintln!("{context}");
    assert!(acked >= 100, "too little progress: {context}");
    // A node going down is a latency blip for clients, not an error.
    assert_eq!(errors, 0, "the gateway returned errors: {context}");
    for (b, id) in shared.boxes.iter().enumerate() {
        let h = shared.recorders[b].invoke(99, MbInput::Read);
        let data = until_ok(&gql, &shared, READ, json!({"id": id})).await.unwrap();
        let last = parse_read(&data).unwrap();
        shared.recorders[b].complete(h, MbOutput::Read(last.clone()));
        let history = shared.recorders[b].history();
        let summary = summarize(&history, &last);
        eprintln!("mailbox {b}: {summary:?}");
        assert!(
            summary.lost_acks.is_empty(),
            "mailbox {b} lost acknowledged imports {:?}: {context}",
            summary.lost_acks
        );
        if let Err(v) = lincheck::check(&Mailbox::default(), &history, 5_000_000) {
            panic!("mailbox {b} not linearizable: {v:?}; {context}");
        }
    }
    // The replicas converge to one applied index and one digest.
    let client = ClusterClient::new(addrs.clone(), RetryPolicy::default()).unwrap();
    let t0 = Instant::now();
    loop {
        let mut digests = Vec::new();
        for a in &addrs {
            digests.push(client.digest(a).await.unwrap());
        }
        if digests.windows(2).all(|w| w[0].applied == w[1].applied) {
            assert!(digests.windows(2).all(|w| w[0].sha256 == w[1].sha256), "replicas diverged {digests:?}: {context}");
            break;
        }
        assert!(t0.elapsed() < Duration::from_secs(30), "replicas did not converge {digests:?}: {context}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // `cluster status --json` names the leader and the three members with their applied index.
    let status: serde_json::Value =
        serde_json::from_str(&run(&["cluster", "status", "--json", "--nodes", &joined]).unwrap()).unwrap();
    assert!(addrs.iter().any(|a| status["leader"].as_str() == Some(a.as_str())), "{status}");
    let members = status["members"].as_array().unwrap();
    assert_eq!(members.len(), 3, "{status}");
    assert!(members.iter().all(|m| m["applied"].as_u64().is_some()), "{status}");
    drop(gateway);
}
