//! `mailgate-bench`: what the gateway costs on top of the store.
//!
//! Seeds the demo dataset into a temporary single-node cluster, then measures
//! in one run, on one machine: the seed-style 50-message page read through
//! the backend trait in-process (the same four calls the gateway makes) and
//! the same page over HTTP; p50/p99 of each and their ratio; throughput at 32
//! concurrent connections; the process's peak RSS; and a load phase ([`load`]):
//! the inbox page and `{ __typename }` at 64 keep-alive connections on the same
//! server, every response checked. Writes Markdown tables.

// A crate root finds modules next to itself (`src/bin/`), where every file is a binary.
#[path = "mailgate-bench/load.rs"]
mod load;

use anyhow::{bail, Context};
use clap::Parser;
use mailgate_backend::{MailBackend, MessageQuery, Principal, Sort};
use mailgate_gateway::{demo_seed, server};
use mailgate_native::NativeBackend;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Benchmark options.
#[derive(Debug, Parser)]
struct Args {
    /// Where to write the Markdown report.
    #[arg(long, default_value = "docs/benchmarks.md")]
    out: PathBuf,
    /// Sequential requests per latency measurement.
    #[arg(long, default_value_t = 500)]
    requests: usize,
    /// Seconds of the concurrent throughput run.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Concurrent connections of the throughput run.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Keep-alive connections of the load phase.
    #[arg(long, default_value_t = 64)]
    load_connections: usize,
    /// Warm-up seconds before each load row is measured.
    #[arg(long, default_value_t = 2)]
    load_warmup: u64,
    /// Measured seconds of each load row.
    #[arg(long, default_value_t = 10)]
    load_seconds: u64,
}

/// Marked sections of the report that other benchmark programs own.
const KEPT_SECTIONS: [(&str, &str); 2] = [
    ("<!-- cluster-bench -->", "<!-- /cluster-bench -->"),
    ("<!-- zimbra-bench:begin -->", "<!-- zimbra-bench:end -->"),
];

const PAGE_QUERY: &str = r#"query Page { messages(username: "alewisohn", limit: 50) {
  messageId addresses { email name type } attachments { filename size type content } date folders sources subject } }"#;

/// The same page without attachment content: what a message list shows.
const LIST_QUERY: &str = r#"query List { messages(username: "alewisohn", limit: 50) {
  messageId addresses { email name type } attachments { filename size type } date folders sources subject } }"#;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let dir = tempfile::tempdir()?;
    let native = Arc::new(NativeBackend::open_embedded(&dir.path().join("cluster")).await?);
    eprintln!("seeding the demo dataset...");
    let seeded = Instant::now();
    demo_seed::seed_once(native.as_ref(), dir.path()).await?;
    let seed_secs = seeded.elapsed().as_secs_f64();

    let direct = measure(args.requests, || direct_page(native.as_ref(), true)).await?;
    let direct_list = measure(args.requests, || direct_page(native.as_ref(), false)).await?;

    let secret = [7u8; 32];
    let backend: Arc<dyn MailBackend> = native.clone();
    // One user at 64 connections is the load being measured, not abuse: no rate
    // limit. The load phase runs on this same server, so it has this config too.
    let mut config = mailgate_gateway::config::Config::default();
    config.limits.rate_limit_per_second = 0;
    let state = server::app_state(backend, Vec::new(), &secret, &config)?;
    let token = mailgate_gateway::auth::TokenAuthority::hs256(&secret).mint("alewisohn", false, 3600)?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/graphql", listener.local_addr()?);
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(server::serve(listener, state, async {
        let _ = stop_rx.await;
    }));
    // Before the load phase resets VmHWM: the peak of seeding and the direct reads.
    let mut process_peak = load::peak_rss_kib();
    let shape = load::Shape {
        connections: args.load_connections,
        warmup: Duration::from_secs(args.load_warmup),
        measured: Duration::from_secs(args.load_seconds),
    };
    // Trivial first, so the page row's peak RSS is not what the page left behind.
    let workloads = [
        load::Workload { name: "`{ __typename }` (trivial)", query: load::TRIVIAL_QUERY, check: load::check_typename },
        load::Workload {
            name: "inbox page, 50 messages, list-view fields",
            query: load::INBOX_PAGE_QUERY,
            check: load::check_inbox_page,
        },
    ];
    let mut loaded = Vec::new();
    for workload in &workloads {
        eprintln!("load: {} at {} connections...", workload.name, shape.connections);
        let outcome = load::run(&url, &token, workload, &shape).await?;
        if let Some(why) = &outcome.first_error {
            eprintln!("load: {}: {} errors, the first: {why}", workload.name, outcome.errors);
        }
        process_peak = process_peak.max(outcome.peak_rss_kib);
        loaded.push((workload.name, outcome));
    }
    let client = reqwest::Client::new();
    let over_http = measure(args.requests, || http_page(&client, &url, &token, PAGE_QUERY)).await?;
    let list_http = measure(args.requests, || http_page(&client, &url, &token, LIST_QUERY)).await?;
    let page_bytes = response_bytes(&client, &url, &token, PAGE_QUERY).await?;
    let throughput = throughput(&client, &url, &token, args.connections, Duration::from_secs(args.seconds)).await?;
    let _ = stop_tx.send(());
    let _ = server.await;
    native.shutdown().await;

    let rows = [
        Row { what: "50-message page with attachment content (the seed query)", direct, http: over_http },
        Row { what: "50-message list without attachment content", direct: direct_list, http: list_http },
    ];
    let process_peak = process_peak.max(load::peak_rss_kib());
    let mut report = render(&args, seed_secs, &rows, page_bytes, throughput, process_peak);
    report.push_str(&render_load(&shape, &loaded));
    if let Some(parent) = args.out.parent() {
        std::fs::create_dir_all(parent)?;
    }
    // Keep the sections other benchmarks write into the same file
    // (`mailgate-cluster-bench`, `mailgate-bench-zimbra`).
    if let Ok(old) = std::fs::read_to_string(&args.out) {
        let mut kept: Vec<(usize, &str)> = KEPT_SECTIONS
            .iter()
            .filter_map(|(begin, end)| {
                let (b, e) = (old.find(begin)?, old.find(end)?);
                (e > b).then(|| (b, &old[b..e + end.len()]))
            })
            .collect();
        // In the order the file has them, so that a rerun does not move them.
        kept.sort_by_key(|(at, _)| *at);
        for (_, section) in kept {
            report = format!("{}\n\n{}\n", report.trim_end(), section);
        }
    }
    std::fs::write(&args.out, &report).with_context(|| format!("cannot write {}", args.out.display()))?;
    print!("{report}");
    Ok(())
}

/// The page through the trait: account, query, mailboxes, blobs (what the resolvers batch to).
async fn direct_page(backend: &dyn MailBackend, with_content: bool) -> anyhow::Result<()> {
    let who = Principal::user("alewisohn");
    backend.account(&who, "alewisohn").await?;
    let query = MessageQuery { mailbox: None, filter: None, sort: Sort::default(), offset: 0, limit: 50 };
    let page = backend.query(&who, "alewisohn", &query).await?;
    backend.mailboxes(&who, "alewisohn").await?;
    if with_content {
        let blobs: Vec<_> = page.items.iter().flat_map(|m| m.attachments.iter().map(|a| a.blob_id.clone())).collect();
        backend.blobs(&who, "alewisohn", &blobs, 1024 * 1024).await?;
    }
    if page.items.len() != 50 {
        bail!("direct page returned {} messages", page.items.len());
    }
    Ok(())
}

async fn http_page(client: &reqwest::Client, url: &str, token: &str, query: &str) -> anyhow::Result<()> {
    let body: serde_json::Value =
        client.post(url).bearer_auth(token).json(&serde_json::json!({ "query": query })).send().await?.json().await?;
    let count = body["data"]["messages"].as_array().map(Vec::len).unwrap_or(0);
    if count != 50 || body.get("errors").is_some() {
        bail!("bad page over HTTP: {count} messages, errors {}", body["errors"]);
    }
    Ok(())
}

/// Latencies of `n` sequential runs after a short warm-up, sorted.
async fn measure<F, Fut>(n: usize, mut run: F) -> anyhow::Result<Vec<Duration>>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    for _ in 0..20 {
        run().await?;
    }
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        run().await?;
        samples.push(started.elapsed());
    }
    samples.sort();
    Ok(samples)
}

/// Completed pages per second with `connections` clients in a loop.
async fn throughput(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    connections: usize,
    length: Duration,
) -> anyhow::Result<f64> {
    let deadline = Instant::now() + length;
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (client, url, token) = (client.clone(), url.to_owned(), token.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut done = 0u64;
            while Instant::now() < deadline {
                http_page(&client, &url, &token, PAGE_QUERY).await?;
                done += 1;
            }
            anyhow::Ok(done)
        }));
    }
    let mut total = 0;
    for task in tasks {
        total += task.await??;
    }
    Ok(total as f64 / length.as_secs_f64())
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(index).map(|d| d.as_secs_f64() * 1000.0).unwrap_or(f64::NAN)
}

/// One measured pair: the same page read directly and over HTTP.
struct Row {
    what: &'static str,
    direct: Vec<Duration>,
    http: Vec<Duration>,
}

/// The size of one response body.
async fn response_bytes(client: &reqwest::Client, url: &str, token: &str, query: &str) -> anyhow::Result<usize> {
    let body =
        client.post(url).bearer_auth(token).json(&serde_json::json!({ "query": query })).send().await?.bytes().await?;
    Ok(body.len())
}

fn render(args: &Args, seed_secs: f64, rows: &[Row], page_bytes: usize, throughput: f64, rss: Option<u64>) -> String {
    let mut out = String::from(
        "# Benchmarks\n\n\
Written by `cargo run --release -p mailgate-gateway --bin mailgate-bench -- --out docs/benchmarks.md`.\n\
One run, one machine; compare the ratios, not the raw times.\n\n\
## Gateway overhead: a 50-message page of `alewisohn`, direct vs over HTTP\n\n\
Direct: the same backend calls the resolvers batch to (account, query, mailboxes, and blobs when\n\
content is asked for) on the backend trait in-process. Over HTTP: `messages(username:, limit: 50)`\n\
through the whole gateway (auth, GraphQL, JSON, loopback HTTP, client-side JSON parse).\n\n\
| page | direct p50 (ms) | HTTP p50 (ms) | added p50 (ms) | direct p99 (ms) | HTTP p99 (ms) | ratio p50 | ratio p99 |\n\
| --- | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for row in rows {
        let (d50, d99) = (percentile(&row.direct, 0.5), percentile(&row.direct, 0.99));
        let (h50, h99) = (percentile(&row.http, 0.5), percentile(&row.http, 0.99));
        out.push_str(&format!(
            "| {} | {d50:.2} | {h50:.2} | **{:.2}** | {d99:.2} | {h99:.2} | {:.2}x | {:.2}x |\n",
            row.what,
            h50 - d50,
            h50 / d50,
            h99 / d99
        ));
    }
    let rss = rss.map(|k| format!("{:.0} MiB", k as f64 / 1024.0)).unwrap_or_else(|| "n/a".into());
    out.push_str(&format!(
        "\nGoal: the gateway adds at most 1 ms at p50.\n\n\
| other figures | value |\n| --- | --- |\n\
| response size of the seed-query page | {:.1} KiB |\n\
| throughput of the seed-query page, {} connections, {} s | {throughput:.0} pages/s |\n\
| peak RSS of the process (store + gateway + load client) | {rss} |\n\
| sequential requests per latency row | {} |\n\
| demo dataset seeding (through Raft, fsync per write) | {seed_secs:.1} s |\n",
        page_bytes as f64 / 1024.0,
        args.connections,
        args.seconds,
        args.requests,
    ));
    out
}

/// The load table: one row per workload, then the page-to-trivial ratios.
fn render_load(shape: &load::Shape, loaded: &[(&str, load::Outcome)]) -> String {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let mib = |kib: Option<u64>| kib.map(|k| format!("{:.0}", k as f64 / 1024.0)).unwrap_or_else(|| "n/a".into());
    let mut out = format!(
        "\n## Load: the inbox page vs a trivial query, {n} connections\n\n\
{n} HTTP/1.1 keep-alive connections (one client each, one request at a time) against the gateway\n\
above, in the same process; per row {w} s of warm-up, then {m} s measured. The page is\n\
`me {{ mailbox(role: INBOX) {{ messages(first: 50) {{ edges {{ node {{ ... }} }} }} }} }}` with what a list row\n\
shows (id, subject, date, preview, hasAttachment, flags, from, thread). An error is a non-200\n\
status, or a body that is not JSON, has `errors`, or does not hold 50 edges with non-empty ids\n\
(`data.__typename == \"Query\"` for the trivial query). Latency: send to parsed body, every request\n\
completed in the window. Per core: divided by the {cores} cores available, which the load generator\n\
shares with the gateway and the store. Peak RSS: VmHWM of the whole process (store, gateway and\n\
load generator), reset at the start of the row. The per-user rate limit is off\n\
(`limits.rate_limit_per_second = 0`): one user's {n} connections are the load being measured; the\n\
concurrency cap is the default (`limits.max_concurrent_requests`, 512).\n\n\
| query | connections | requests | rps | rps per core | p50 (ms) | p99 (ms) | errors | peak RSS (MiB) |\n\
| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
        n = shape.connections,
        w = shape.warmup.as_secs(),
        m = shape.measured.as_secs(),
    );
    for (name, outcome) in loaded {
        out.push_str(&format!(
            "| {name} | {} | {} | {:.0} | {:.0} | {:.2} | {:.2} | {} | {} |\n",
            shape.connections,
            outcome.requests,
            outcome.rps(),
            outcome.rps() / cores as f64,
            percentile(&outcome.latencies, 0.5),
            percentile(&outcome.latencies, 0.99),
            outcome.errors,
            mib(outcome.peak_rss_kib),
        ));
    }
    // The table's last row is the page, the first the trivial query.
    if let (Some((_, trivial)), Some((_, page))) = (loaded.first(), loaded.last()) {
        let p50 = |o: &load::Outcome| percentile(&o.latencies, 0.5);
        out.push_str(&format!(
            "\nPage / trivial: **{:.3}x** the requests per second, **{:.1}x** the p50.",
            page.rps() / trivial.rps(),
            p50(page) / p50(trivial),
        ));
        // Other processes took some of the cores, not always the same share in
        // both rows: requests per CPU second this process got corrects for that.
        let per_cpu = |o: &load::Outcome| o.cpu_secs.map(|s| o.requests as f64 / s);
        if let (Some(page), Some(trivial)) = (per_cpu(page), per_cpu(trivial)) {
            out.push_str(&format!(
                " Per CPU second the process used: {page:.0} pages, {trivial:.0} trivial queries, **{:.3}x**.",
                page / trivial
            ));
        }
    }
    // Other processes share the cores too: how much of them this one got.
    let cpu: Vec<String> = loaded
        .iter()
        .filter_map(|(name, o)| o.cpu_secs.map(|s| format!("{:.2} ({name})", s / o.window.as_secs_f64())))
        .collect();
    if !cpu.is_empty() {
        out.push_str(&format!(" Cores this process kept busy while measured, of {cores}: {}.", cpu.join(", ")));
    }
    out.push('\n');
    out
}
