//! The load phase of `mailgate-bench`: many keep-alive connections send one
//! query for a fixed time against the in-process gateway, and every response
//! is checked, not only its status.
//!
//! Each connection is its own `reqwest::Client` sending one request at a time,
//! so there are exactly as many HTTP/1.1 keep-alive connections as tasks (the
//! workspace builds reqwest without HTTP/2). A warm-up opens the connections
//! and fills caches; only requests that complete inside the measured window
//! count. Peak RSS is the process's VmHWM, reset at the start of each phase.

use serde_json::Value;
use std::time::{Duration, Instant};

/// The inbox as a mail client's list view asks for it: the first 50 messages
/// with what a list row shows (the playground's inbox example, 50 per page).
pub const INBOX_PAGE_QUERY: &str = r#"query Inbox { me { username mailbox(role: INBOX) { id name totalCount unreadCount
  messages(first: 50) { totalCount pageInfo { hasNextPage endCursor }
    edges { node { id subject date preview hasAttachment flags { seen flagged } from { name email }
      thread { id messageCount } } } } } } }"#;

/// The cheapest query the server can answer: what the gateway costs with no
/// mail work at all.
pub const TRIVIAL_QUERY: &str = "{ __typename }";

/// One query under load and what a good answer to it holds.
pub struct Workload {
    /// How the report names it.
    pub name: &'static str,
    pub query: &'static str,
    /// Why a parsed body without `errors` is wrong, or `Ok` when it is right.
    pub check: fn(&Value) -> Result<(), String>,
}

/// The inbox page must hold exactly 50 edges, each with a message id.
pub fn check_inbox_page(body: &Value) -> Result<(), String> {
    let edges = body
        .pointer("/data/me/mailbox/messages/edges")
        .and_then(Value::as_array)
        .ok_or("no data.me.mailbox.messages.edges array")?;
    if edges.len() != 50 {
        return Err(format!("{} edges, not 50", edges.len()));
    }
    match edges.iter().position(|e| e.pointer("/node/id").and_then(Value::as_str).is_none_or(str::is_empty)) {
        Some(i) => Err(format!("edge {i} has no node id")),
        None => Ok(()),
    }
}

/// The trivial query must name the root type.
pub fn check_typename(body: &Value) -> Result<(), String> {
    match body.pointer("/data/__typename").and_then(Value::as_str) {
        Some("Query") => Ok(()),
        other => Err(format!("data.__typename is {other:?}, not \"Query\"")),
    }
}

/// How long and how wide one phase runs.
pub struct Shape {
    pub connections: usize,
    pub warmup: Duration,
    pub measured: Duration,
}

/// What one phase measured.
pub struct Outcome {
    /// Requests completed inside the measured window, errors included.
    pub requests: u64,
    pub errors: u64,
    /// The first error seen, to say why there were any.
    pub first_error: Option<String>,
    /// Per-request latency (send to parsed body), sorted.
    pub latencies: Vec<Duration>,
    pub window: Duration,
    /// VmHWM over the phase (warm-up included); `None` if it could not be reset.
    pub peak_rss_kib: Option<u64>,
    /// CPU time the whole process used inside the measured window.
    pub cpu_secs: Option<f64>,
}

impl Outcome {
    pub fn rps(&self) -> f64 {
        self.requests as f64 / self.window.as_secs_f64()
    }
}

/// What one connection saw inside the measured window.
#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    errors: u64,
    first_error: Option<String>,
}

/// Runs `workload` over `shape.connections` connections for the warm-up plus
/// the measured window.
pub async fn run(url: &str, token: &str, workload: &Workload, shape: &Shape) -> anyhow::Result<Outcome> {
    let hwm_reset = reset_peak_rss();
    let window_start = Instant::now() + shape.warmup;
    let end = window_start + shape.measured;
    let mut tasks = Vec::with_capacity(shape.connections);
    for _ in 0..shape.connections {
        let client = reqwest::Client::builder().pool_max_idle_per_host(1).build()?;
        let (url, token, query, check) = (url.to_owned(), token.to_owned(), workload.query, workload.check);
        tasks.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            loop {
                let sent = Instant::now();
                if sent >= end {
                    break;
                }
                let result = request(&client, &url, &token, query, check).await;
                let done = Instant::now();
                if done < window_start || done > end {
                    continue;
                }
                tally.latencies.push(done - sent);
                if let Err(why) = result {
                    tally.errors += 1;
                    tally.first_error.get_or_insert(why);
                }
            }
            tally
        }));
    }
    tokio::time::sleep_until(window_start.into()).await;
    let cpu_before = cpu_seconds();
    tokio::time::sleep_until(end.into()).await;
    let cpu_after = cpu_seconds();
    let mut outcome = Outcome {
        requests: 0,
        errors: 0,
        first_error: None,
        latencies: Vec::new(),
        window: shape.measured,
        peak_rss_kib: None,
        cpu_secs: cpu_before.zip(cpu_after).map(|(before, after)| after - before),
    };
    for task in tasks {
        let tally = task.await?;
        outcome.errors += tally.errors;
        outcome.latencies.extend(tally.latencies);
        if outcome.first_error.is_none() {
            outcome.first_error = tally.first_error;
        }
    }
    outcome.requests = outcome.latencies.len() as u64;
    outcome.latencies.sort();
    // Without the reset, VmHWM would be the peak of the whole run so far.
    outcome.peak_rss_kib = if hwm_reset { peak_rss_kib() } else { None };
    Ok(outcome)
}

/// One request; `Err` says why its response does not count as a good one.
async fn request(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    query: &str,
    check: fn(&Value) -> Result<(), String>,
) -> Result<(), String> {
    let response = client
        .post(url)
        .bearer_auth(token)
        .json(&serde_json::json!({ "query": query }))
        .send()
        .await
        .map_err(|e| format!("request failed: {e}"))?;
    let status = response.status();
    // Read the body even on a bad status, so the connection stays reusable.
    let body = response.bytes().await.map_err(|e| format!("body failed: {e}"))?;
    if status != reqwest::StatusCode::OK {
        let start = String::from_utf8_lossy(&body[..body.len().min(200)]);
        return Err(format!("status {status}: {start}"));
    }
    let body: Value = serde_json::from_slice(&body).map_err(|e| format!("body is not JSON: {e}"))?;
    if let Some(errors) = body.get("errors") {
        return Err(format!("errors: {errors}"));
    }
    check(&body)
}

/// VmHWM (peak resident set) of this process, in KiB.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Resets VmHWM to the current RSS (Linux 4.0+: `5` in `clear_refs`), so that
/// a later [`peak_rss_kib`] is the peak since now.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// User plus system CPU time of this process so far, in seconds.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name may hold spaces and parentheses: fields are counted
    // after its last `)`, from field 3 (`state`). utime and stime are fields
    // 14 and 15, in USER_HZ ticks, which Linux fixes at 100 for user space.
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some((utime + stime) as f64 / 100.0)
}
