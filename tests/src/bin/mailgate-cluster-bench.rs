//! `mailgate-cluster-bench`: a 3-node pool of release `mailgate node`
//! processes on loopback against etcd 3.4 (Debian's `etcd-server`, three
//! members on loopback, fsync on by default), in one run on one machine:
//! acknowledged writes per second and p50/p99 latency for 4 KiB and 64 KiB
//! values with 1 and 64 concurrent clients (message imports through the
//! node API for mailgate, `PUT /v3/kv/put` through etcd's JSON gateway, so
//! both speak JSON over HTTP with base64 payloads); then fail-over times
//! (SIGKILL the leader → the next acknowledged write) over N trials.
//! Writes its rows into the cluster section of `docs/benchmarks.md`.
//!
//! Run: `cargo build --release -p mailgate-gateway --bin mailgate && cargo run --release -p
//! mailgate-tests --bin mailgate-cluster-bench -- [--seconds 10] [--trials 20] [--out docs/benchmarks.md]`.

use anyhow::{bail, Context};
use base64::Engine as _;
use mailgate_backend::{ChangeRequest, MailChange, MailboxRole, RequestId};
use mailgate_cluster::proto::{ReadEnvelope, ReadReply, ReadRequest};
use mailgate_cluster::{admin, raft, ClusterClient, Command, RetryPolicy};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Proc, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const BEGIN: &str = "<!-- cluster-bench -->";
const END: &str = "<!-- /cluster-bench -->";

struct Args {
    out: PathBuf,
    seconds: u64,
    trials: usize,
    mailgate: PathBuf,
}

fn args() -> anyhow::Result<Args> {
    let mut a = Args {
        out: "docs/benchmarks.md".into(),
        seconds: 10,
        trials: 20,
        mailgate: std::env::current_exe()?.with_file_name("mailgate"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--out" => a.out = value.into(),
            "--seconds" => a.seconds = value.parse()?,
            "--trials" => a.trials = value.parse()?,
            "--mailgate" => a.mailgate = value.into(),
            _ => bail!("unknown flag {flag}"),
        }
    }
    Ok(a)
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A child killed on drop.
struct Kid(Option<Child>);

impl Drop for Kid {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn spawn_node(bin: &Path, dir: &Path, addr: &str) -> anyhow::Result<Kid> {
    let log = std::fs::OpenOptions::new().create(true).append(true).open(dir.with_extension("log"))?;
    let child = Proc::new(bin)
        .args(["node", "--data"])
        .arg(dir)
        .args(["--listen", addr])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .with_context(|| format!("cannot start {}", bin.display()))?;
    Ok(Kid(Some(child)))
}

async fn wait_http(url: &str) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        if http.get(url).send().await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("{url} did not come up")
}

/// Latencies of acknowledged writes during one timed run.
struct Run {
    acks: usize,
    secs: f64,
    p50: Duration,
    p99: Duration,
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len().max(1) as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

/// Runs `clients` loops of `op` for `seconds`; `op(client, n)` is one acknowledged write.
async fn timed<F, Fut>(clients: usize, seconds: u64, op: F) -> anyhow::Result<Run>
where
    F: Fn(usize, u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = anyhow::Result<()>> + Send,
{
    let op = Arc::new(op);
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (op, stop) = (op.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let t = Instant::now();
                op(c, n).await?;
                lat.push(t.elapsed());
            }
            anyhow::Ok(lat)
        }));
    }
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    let secs = start.elapsed().as_secs_f64();
    all.sort();
    Ok(Run { acks: all.len(), secs, p50: pct(&all, 0.5), p99: pct(&all, 0.99) })
}

fn message(size: usize, tag: &str) -> Vec<u8> {
    let mut raw = format!("From: bench@example.com\r\nSubject: {tag}\r\n\r\n").into_bytes();
    while raw.len() < size {
        raw.extend_from_slice(
            b"0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789\r\n",
        );
    }
    raw.truncate(size);
    raw
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a = args()?;
    if !a.mailgate.exists() {
        bail!("{} not found: cargo build --release -p mailgate-gateway --bin mailgate", a.mailgate.display());
    }
    let root = tempfile::tempdir()?;
    let sizes = [4 * 1024, 64 * 1024];
    let concurrency = [1usize, 64];

    // mailgate: three nodes, one account.
    let addrs: Vec<String> = (0..3).map(|_| free_port().map(|p| format!("127.0.0.1:{p}"))).collect::<Result<_, _>>()?;
    let dirs: Vec<PathBuf> = (0..3).map(|i| root.path().join(format!("mg{i}"))).collect();
    let mut nodes: Vec<Kid> = Vec::new();
    for (d, addr) in dirs.iter().zip(&addrs) {
        nodes.push(spawn_node(&a.mailgate, d, addr)?);
    }
    for addr in &addrs {
        wait_http(&format!("http://{addr}/admin/status")).await?;
    }
    let client = Arc::new(ClusterClient::new(addrs.clone(), RetryPolicy::default())?);
    admin::init(&client).await?;
    let create =
        MailChange::CreateAccount { display_name: "Bench".into(), address: "bench@example.com".into(), legacy: None };
    let cmd = Command {
        account: "bench".into(),
        request: ChangeRequest { request_id: RequestId::from("create"), change: create },
    };
    client.write(&cmd).await?;
    let env = ReadEnvelope { account: "bench".into(), read: ReadRequest::Mailboxes };
    let ReadReply::Mailboxes(boxes) = client.read(&env).await? else { bail!("wrong reply") };
    let inbox = boxes.into_iter().find(|m| m.role == Some(MailboxRole::Inbox)).context("no inbox")?.id;

    let mut rows = Vec::new();
    let run_id = AtomicU64::new(0);
    for size in sizes {
        for clients in concurrency {
            let r = run_id.fetch_add(1, Ordering::Relaxed);
            eprintln!("mailgate: {size} B x {clients} clients...");
            let (client, inbox) = (client.clone(), inbox.clone());
            let mg = timed(clients, a.seconds, move |c, n| {
                let (client, inbox) = (client.clone(), inbox.clone());
                async move {
                    let tag = format!("r{r}-c{c}-{n}");
                    let change = MailChange::Import {
                        mailbox: inbox,
                        raw: message(size, &tag),
                        flags: vec![],
                        received_at: Some(0),
                    };
                    let cmd = Command {
                        account: "bench".into(),
                        request: ChangeRequest { request_id: RequestId::from(tag.as_str()), change },
                    };
                    client.write(&cmd).await?;
                    Ok(())
                }
            })
            .await?;
            rows.push((size, clients, mg));
        }
    }

    // Fail-over: SIGKILL the leader while one client writes; time to its next acknowledged write.
    let mut failovers = Vec::new();
    for t in 0..a.trials {
        let leader = admin::leader_status(&client).await?;
        let leader_addr = leader.voters.get(&leader.id).cloned().context("leader has no address")?;
        let i = addrs.iter().position(|x| *x == leader_addr).context("unknown leader")?;
        let stop = Arc::new(AtomicBool::new(false));
        let last_ack = Arc::new(AtomicU64::new(0));
        let base = Instant::now();
        let writer = {
            let (client, inbox, stop, last_ack) = (client.clone(), inbox.clone(), stop.clone(), last_ack.clone());
            tokio::spawn(async move {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let tag = format!("fo{t}-{n}");
                    let change = MailChange::Import {
                        mailbox: inbox.clone(),
                        raw: message(4096, &tag),
                        flags: vec![],
                        received_at: Some(0),
                    };
                    let cmd = Command {
                        account: "bench".into(),
                        request: ChangeRequest { request_id: RequestId::from(tag.as_str()), change },
                    };
                    if client.write(&cmd).await.is_ok() {
                        last_ack.fetch_max(base.elapsed().as_micros() as u64, Ordering::Relaxed);
                    }
                }
            })
        };
        tokio::time::sleep(Duration::from_millis(300)).await;
        // Dropping the handle SIGKILLs the process.
        nodes[i] = Kid(None);
        let killed = base.elapsed().as_micros() as u64;
        let t0 = Instant::now();
        while last_ack.load(Ordering::Relaxed) <= killed {
            if t0.elapsed() > Duration::from_secs(30) {
                bail!("no write acknowledged 30 s after killing the leader");
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        failovers.push(t0.elapsed());
        stop.store(true, Ordering::Relaxed);
        writer.await?;
        nodes[i] = spawn_node(&a.mailgate, &dirs[i], &addrs[i])?;
        wait_http(&format!("http://{}/admin/status", addrs[i])).await?;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        eprintln!("fail-over trial {t}: {:?}", failovers.last());
    }
    failovers.sort();
    drop(nodes);

    // etcd 3.4: three members on loopback, default fsync.
    let etcd_rows = etcd(root.path(), &sizes, &concurrency, a.seconds).await?;

    write_report(&a.out, &rows, &etcd_rows, &failovers, a.seconds)?;
    eprintln!("wrote {}", a.out.display());
    Ok(())
}

async fn etcd(
    root: &Path,
    sizes: &[usize],
    concurrency: &[usize],
    seconds: u64,
) -> anyhow::Result<Vec<(usize, usize, Run)>> {
    let names = ["e0", "e1", "e2"];
    let peer: Vec<u16> = (0..3).map(|_| free_port()).collect::<Result<_, _>>()?;
    let clientp: Vec<u16> = (0..3).map(|_| free_port()).collect::<Result<_, _>>()?;
    let cluster: Vec<String> = names.iter().zip(&peer).map(|(n, p)| format!("{n}=http://127.0.0.1:{p}")).collect();
    let mut kids = Vec::new();
    for i in 0..3 {
        let log = std::fs::File::create(root.join(format!("{}.log", names[i])))?;
        let child = Proc::new("etcd")
            .args(["--name", names[i], "--data-dir"])
            .arg(root.join(names[i]))
            .args(["--listen-client-urls", &format!("http://127.0.0.1:{}", clientp[i])])
            .args(["--advertise-client-urls", &format!("http://127.0.0.1:{}", clientp[i])])
            .args(["--listen-peer-urls", &format!("http://127.0.0.1:{}", peer[i])])
            .args(["--initial-advertise-peer-urls", &format!("http://127.0.0.1:{}", peer[i])])
            .args(["--initial-cluster", &cluster.join(","), "--initial-cluster-state", "new"])
            .args(["--max-request-bytes", "10485760", "--quota-backend-bytes", "8589934592"])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .context("cannot start etcd (apt-get install etcd-server)")?;
        kids.push(Kid(Some(child)));
    }
    let urls: Vec<String> = clientp.iter().map(|p| format!("http://127.0.0.1:{p}")).collect();
    for u in &urls {
        wait_http(&format!("{u}/health")).await?;
    }
    let http = reqwest::Client::builder().tcp_nodelay(true).build()?;
    // Find the leader: etcd followers forward proposals, which would add a hop mailgate does not pay.
    let mut leader_url = urls[0].clone();
    for u in &urls {
        let status: serde_json::Value =
            http.post(format!("{u}/v3/maintenance/status")).json(&serde_json::json!({})).send().await?.json().await?;
        if status["leader"] == status["header"]["member_id"] {
            leader_url = u.clone();
        }
    }
    let mut rows = Vec::new();
    for &size in sizes {
        for &clients in concurrency {
            eprintln!("etcd: {size} B x {clients} clients...");
            let (http, url) = (http.clone(), leader_url.clone());
            let value = base64::engine::general_purpose::STANDARD.encode(message(size, "etcd"));
            let run = timed(clients, seconds, move |c, n| {
                let (http, url, value) = (http.clone(), url.clone(), value.clone());
                async move {
                    let key = base64::engine::general_purpose::STANDARD.encode(format!("k{size}-{c}-{n}"));
                    let r = http
                        .post(format!("{url}/v3/kv/put"))
                        .json(&serde_json::json!({"key": key, "value": value}))
                        .send()
                        .await?;
                    if !r.status().is_success() {
                        bail!("etcd put: {}", r.status());
                    }
                    Ok(())
                }
            })
            .await?;
            rows.push((size, clients, run));
        }
    }
    drop(kids);
    Ok(rows)
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

fn write_report(
    out: &Path,
    mg: &[(usize, usize, Run)],
    etcd: &[(usize, usize, Run)],
    failovers: &[Duration],
    seconds: u64,
) -> anyhow::Result<()> {
    let mut s = String::new();
    s.push_str(&format!("{BEGIN}\n## Cluster: a 3-node pool vs etcd 3.4 on loopback\n\n"));
    s.push_str(
        "Written by `cargo run --release -p mailgate-tests --bin mailgate-cluster-bench` (needs `etcd-server`).\n",
    );
    s.push_str(&format!(
        "Three release `mailgate node` processes and three etcd members on one machine, {seconds} s per row; \
mailgate acknowledges a message import (parsed, blobs written, fsync on the leader and a quorum) \
through the node API, etcd a `PUT` through its JSON gateway (default fsync), both JSON over HTTP with \
the payload in base64, both sent to the leader.\n\n"
    ));
    s.push_str("| value | clients | mailgate writes/s | mailgate p50 (ms) | mailgate p99 (ms) | etcd writes/s | etcd p50 (ms) | etcd p99 (ms) | ratio (writes/s) |\n");
    s.push_str("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for ((size, clients, m), (_, _, e)) in mg.iter().zip(etcd) {
        let (mr, er) = (m.acks as f64 / m.secs, e.acks as f64 / e.secs);
        s.push_str(&format!(
            "| {} KiB | {clients} | {mr:.0} | {} | {} | {er:.0} | {} | {} | **{:.2}x** |\n",
            size / 1024,
            ms(m.p50),
            ms(m.p99),
            ms(e.p50),
            ms(e.p99),
            mr / er.max(f64::MIN_POSITIVE)
        ));
    }
    s.push_str("\nGoal: throughput at least etcd's at the same durability.\n\n");
    s.push_str(&format!(
        "Fail-over (SIGKILL the leader while one client writes 4 KiB imports → its next acknowledged write), {} trials: \
**p50 {} ms**, p99 {} ms, min {} ms, max {} ms. Goal: p50 at most 1500 ms. Timing: heartbeat {} ms, \
election {}-{} ms, pre-vote; followers wait out the leader lease (election max) before electing.\n{END}\n",
        failovers.len(),
        ms(pct(failovers, 0.5)),
        ms(pct(failovers, 0.99)),
        ms(failovers.first().copied().unwrap_or_default()),
        ms(failovers.last().copied().unwrap_or_default()),
        raft::HEARTBEAT_MS,
        raft::ELECTION_TIMEOUT_MIN_MS,
        raft::ELECTION_TIMEOUT_MAX_MS,
    ));
    let old = std::fs::read_to_string(out).unwrap_or_default();
    let new = match (old.find(BEGIN), old.find(END)) {
        (Some(b), Some(e)) if e > b => format!("{}{}{}", &old[..b], s, &old[e + END.len()..].trim_start_matches('\n')),
        _ => format!("{}\n{s}", old.trim_end()),
    };
    std::fs::write(out, new)?;
    Ok(())
}
