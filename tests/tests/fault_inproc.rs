//! L1 fault tests: 3- and 5-node pools in one process over real HTTP and
//! real redb files, with a seeded fault plan on the Raft network
//! (partitions including the bridge topology, delay, drops), node restarts,
//! a follower stopped long enough to need a snapshot (one every 50 entries),
//! and removing the leader. Three clients write and read one mailbox the
//! whole time; the history must be linearizable, no acknowledged import may
//! be lost, and replicas at equal applied index must have equal digests.
//!
//! `MAILGATE_SEED` replays one seed; `MAILGATE_RUNS` sets how many seeds
//! each test runs (default 2); `MAILGATE_SOAK_SECS` lengthens each run
//! (default 12 s). The soak is `scripts/soak.sh`.

#![allow(clippy::unwrap_used)]

use mailgate_backend::{ChangeRequest, Flag, MailChange, MailboxId, MailboxRole, MessageId, MessageQuery, RequestId};
use mailgate_cluster::admin;
use mailgate_cluster::proto::{ReadEnvelope, ReadReply, ReadRequest};
use mailgate_cluster::testing::LocalCluster;
use mailgate_cluster::{ClusterClient, Command, RetryPolicy};
use mailgate_tests::lincheck;
use mailgate_tests::mailbox_model::{summarize, Mailbox, MbInput, MbOutput, Recorder};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const ACCOUNT: &str = "acct";

fn policy() -> RetryPolicy {
    // Short deadlines, so that an operation stuck behind a partition becomes
    // indeterminate instead of waiting out the whole fault.
    RetryPolicy { request_timeout: Duration::from_secs(1), deadline: Duration::from_secs(4), ..Default::default() }
}

fn run_secs() -> u64 {
    std::env::var("MAILGATE_SOAK_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(12)
}

async fn read_box(client: &ClusterClient, inbox: &MailboxId) -> Result<BTreeMap<String, bool>, String> {
    let q = MessageQuery {
        mailbox: Some(inbox.clone()),
        filter: None,
        sort: Default::default(),
        offset: 0,
        limit: 1_000_000,
    };
    let env = ReadEnvelope { account: ACCOUNT.into(), read: ReadRequest::Query(q) };
    match client.read(&env).await {
        Ok(ReadReply::Query(page)) => Ok(page.items.into_iter().map(|m| (m.subject, m.flags.seen)).collect()),
        Ok(_) => Err("wrong reply".into()),
        Err(e) => Err(e.to_string()),
    }
}

async fn write(client: &ClusterClient, id: String, change: MailChange) -> Result<Vec<MessageId>, String> {
    let cmd = Command {
        account: ACCOUNT.into(),
        request: ChangeRequest { request_id: RequestId::from(id.as_str()), change },
    };
    client.write(&cmd).await.map(|o| o.messages).map_err(|e| e.to_string())
}

/// One client: imports, flag changes on its own acknowledged imports, reads.
async fn client_loop(
    c: usize,
    addrs: Vec<String>,
    inbox: MailboxId,
    rec: Arc<Recorder>,
    stop: Arc<AtomicBool>,
    seed: u64,
) -> usize {
    let client = ClusterClient::new(addrs, policy()).unwrap();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut mine: Vec<(String, MessageId)> = Vec::new();
    let mut acked = 0;
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let roll: f64 = rng.gen();
        if roll < 0.5 || mine.is_empty() {
            let tag = format!("c{c}-{n}");
            let h = rec.invoke(c, MbInput::Import(tag.clone()));
            let raw = format!("From: c{c}@example.com\r\nSubject: {tag}\r\n\r\nbody {n}\r\n").into_bytes();
            let change = MailChange::Import { mailbox: inbox.clone(), raw, flags: vec![], received_at: Some(n as i64) };
            if let Ok(ids) = write(&client, tag.clone(), change).await {
                rec.complete(h, MbOutput::Ok);
                acked += 1;
                if let Some(id) = ids.first() {
                    mine.push((tag, id.clone()));
                }
            }
        } else if roll < 0.75 {
            let (tag, id) = mine[rng.gen_range(0..mine.len())].clone();
            let value = rng.gen_bool(0.5);
            let h = rec.invoke(c, MbInput::SetSeen(tag, value));
            let change = MailChange::SetFlags { ids: vec![id], flags: vec![Flag::Seen], value };
            if write(&client, format!("c{c}-flag-{n}"), change).await.is_ok() {
                rec.complete(h, MbOutput::Ok);
                acked += 1;
            }
        } else {
            let h = rec.invoke(c, MbInput::Read);
            if let Ok(seen) = read_box(&client, &inbox).await {
                rec.complete(h, MbOutput::Read(seen));
            }
        }
    }
    acked
}

/// Picks and applies one fault for a while, then heals.
async fn nemesis_step(cluster: &mut LocalCluster, rng: &mut StdRng, swapped: &mut bool, log: &mut Vec<String>) {
    let ids: Vec<u64> = (0..cluster.slots.len())
        .filter(|i| cluster.slots[*i].running.is_some())
        .filter_map(|i| cluster.id(i))
        .collect();
    let leader = cluster.wait_leader(Duration::from_secs(8)).await.ok();
    let hold = Duration::from_millis(rng.gen_range(600..2000));
    let kind = rng.gen_range(0..7);
    match kind {
        0 => {
            let x = ids[rng.gen_range(0..ids.len())];
            log.push(format!("isolate {x}"));
            cluster.faults.partition(&[vec![x], ids.iter().copied().filter(|i| *i != x).collect()]);
        }
        1 => {
            if let Some(l) = leader.and_then(|l| cluster.id(l)) {
                log.push(format!("isolate leader {l}"));
                cluster.faults.partition(&[vec![l], ids.iter().copied().filter(|i| *i != l).collect()]);
            }
        }
        2 => {
            // Bridge: one node sees both halves, the halves do not see each other.
            let mut shuffled = ids.clone();
            for i in (1..shuffled.len()).rev() {
                shuffled.swap(i, rng.gen_range(0..=i));
            }
            let half = (shuffled.len() - 1) / 2;
            let (a, rest) = shuffled.split_at(half);
            let (bridge, b) = rest.split_at(1);
            log.push(format!("bridge {a:?} <{bridge:?}> {b:?}"));
            for x in a {
                for y in b {
                    cluster.faults.cut(*x, *y);
                }
            }
        }
        3 => {
            log.push("delay 5-60ms, drop 10%".into());
            cluster.faults.set_delay(Duration::from_millis(5), Duration::from_millis(60));
            cluster.faults.set_drop_rate(0.1);
        }
        4 => {
            let i = rng.gen_range(0..cluster.slots.len());
            if cluster.slots[i].running.is_some() {
                log.push(format!("restart slot {i}"));
                let _ = cluster.stop(i).await;
                tokio::time::sleep(Duration::from_millis(300)).await;
                let _ = cluster.restart(i).await;
            }
        }
        5 => {
            // Stop a follower long enough to fall behind the purged log, so it needs a snapshot.
            if let Some(i) =
                (0..cluster.slots.len()).find(|i| Some(*i) != leader && cluster.slots[*i].running.is_some())
            {
                log.push(format!("stop follower slot {i} for 3 s"));
                let _ = cluster.stop(i).await;
                tokio::time::sleep(Duration::from_secs(3)).await;
                let _ = cluster.restart(i).await;
            }
        }
        _ => {
            if !*swapped {
                if let Some(l) = leader {
                    *swapped = true;
                    let addr = cluster.slots[l].addr.clone();
                    log.push(format!("remove leader slot {l} and add a fresh node"));
                    let admin_client = ClusterClient::new(cluster.addrs(), RetryPolicy::default()).unwrap();
                    if let Err(e) = admin::remove(&admin_client, &addr).await {
                        log.push(format!("  remove failed: {e}"));
                    } else {
                        let _ = cluster.stop(l).await;
                        let fresh = cluster.add_slot().await.unwrap();
                        let admin_client = ClusterClient::new(cluster.addrs(), RetryPolicy::default()).unwrap();
                        if let Err(e) = admin::add(&admin_client, &cluster.slots[fresh].addr).await {
                            log.push(format!("  add failed: {e}"));
                        }
                    }
                }
            }
        }
    }
    tokio::time::sleep(hold).await;
    cluster.faults.clear();
}

async fn run(nodes: usize, seed: u64) {
    let root = tempfile::tempdir().unwrap();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut cluster = LocalCluster::start(root.path(), nodes, seed, 50).await.unwrap();
    cluster.init().await.unwrap();
    cluster.wait_leader(Duration::from_secs(10)).await.unwrap();
    let setup = ClusterClient::new(cluster.addrs(), RetryPolicy::default()).unwrap();
    let change =
        MailChange::CreateAccount { display_name: "A".into(), address: "acct@example.com".into(), legacy: None };
    write(&setup, "create".into(), change).await.unwrap();
    let env = ReadEnvelope { account: ACCOUNT.into(), read: ReadRequest::Mailboxes };
    let ReadReply::Mailboxes(boxes) = setup.read(&env).await.unwrap() else { panic!("wrong reply") };
    let inbox = boxes.into_iter().find(|m| m.role == Some(MailboxRole::Inbox)).unwrap().id;

    let rec = Arc::new(Recorder::default());
    let stop = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for c in 0..3 {
        clients.push(tokio::spawn(client_loop(
            c,
            cluster.addrs(),
            inbox.clone(),
            rec.clone(),
            stop.clone(),
            seed ^ (c as u64 + 1),
        )));
    }
    let mut log = Vec::new();
    let mut swapped = false;
    let until = Instant::now() + Duration::from_secs(run_secs());
    while Instant::now() < until {
        nemesis_step(&mut cluster, &mut rng, &mut swapped, &mut log).await;
        tokio::time::sleep(Duration::from_millis(rng.gen_range(200..800))).await;
    }
    stop.store(true, Ordering::Relaxed);
    let mut acked = 0;
    for c in clients {
        acked += c.await.unwrap();
    }

    // Heal, restart every member, and take a final read through the history.
    cluster.faults.clear();
    let status = admin::status(&ClusterClient::new(cluster.addrs(), RetryPolicy::default()).unwrap()).await.unwrap();
    let members: Vec<usize> =
        status.members.iter().filter_map(|m| cluster.slots.iter().position(|s| s.addr == m.addr)).collect();
    for i in &members {
        cluster.restart(*i).await.unwrap();
    }
    let client = ClusterClient::new(cluster.addrs(), RetryPolicy::default()).unwrap();
    let h = rec.invoke(99, MbInput::Read);
    let last = read_box(&client, &inbox).await.unwrap();
    rec.complete(h, MbOutput::Read(last.clone()));
    let history = rec.history();
    let summary = summarize(&history, &last);
    let context = format!("seed {seed}, {nodes} nodes, faults {log:?}, summary {summary:?}");
    eprintln!("{context}; acked {acked}");
    assert!(acked >= 20, "too little progress ({acked} acked): {context}");
    assert!(summary.lost_acks.is_empty(), "acknowledged imports lost: {context}");
    if let Err(v) = lincheck::check(&Mailbox::default(), &history, 5_000_000) {
        panic!("not linearizable: {v:?}; {context}");
    }

    // Every member converges to the same applied index and the same digest.
    let start = Instant::now();
    loop {
        let mut digests = Vec::new();
        for i in &members {
            digests.push(client.digest(&cluster.slots[*i].addr).await.unwrap());
        }
        if digests.windows(2).all(|w| w[0].applied == w[1].applied) {
            assert!(
                digests.windows(2).all(|w| w[0].sha256 == w[1].sha256),
                "replicas diverged: {digests:?}; {context}"
            );
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "no convergence: {digests:?}; {context}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    cluster.shutdown().await;
}

/// Runs `runs()` consecutive seeds from the printed first seed.
async fn run_seeds(name: &str, nodes: usize) {
    let first = mailgate_tests::seed::seed(name);
    for i in 0..mailgate_tests::seed::runs(2) {
        let seed = first.wrapping_add(i);
        eprintln!("{name}: run {i} with seed {seed}");
        run(nodes, seed).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_under_faults_stay_linearizable() {
    run_seeds("three_nodes_under_faults_stay_linearizable", 3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_nodes_under_faults_stay_linearizable() {
    run_seeds("five_nodes_under_faults_stay_linearizable", 5).await;
}
