//! [`ClusterClient`]: talks to a pool over the node API, from the gateway's
//! remote backend and the admin commands.
//!
//! It keeps the last known leader, follows `NotLeader` redirects, and while
//! an election runs (no leader known, or the leader unreachable) it retries
//! with a short jittered backoff, so a node death shows as latency, not as
//! an error. Only requests that are safe to repeat are retried: reads, and
//! writes, because every write carries a request id that the state machine
//! deduplicates (a repeat answers the first outcome).

mod retry;

pub use retry::RetryPolicy;

use crate::command::Command;
use crate::proto::{self, NodeStatus, ReadEnvelope, ReadReply, Reply, StateDigest, WireError};
use mailgate_backend::{BackendError, ChangeOutcome};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a node that failed a request is skipped as a redirect target.
const SUSPECT_FOR: Duration = Duration::from_millis(1500);

/// A client of one pool.
#[derive(Debug)]
pub struct ClusterClient {
    http: reqwest::Client,
    nodes: Vec<String>,
    policy: RetryPolicy,
    leader: Mutex<Option<String>>,
    suspects: Mutex<HashMap<String, Instant>>,
}

/// One attempt's result.
enum Attempt<T> {
    Done(Result<T, BackendError>),
    Redirect(Option<String>),
    Failed(String),
}

impl ClusterClient {
    /// A client of the pool whose members include `nodes` (`host:port`).
    pub fn new(nodes: Vec<String>, policy: RetryPolicy) -> Result<Self, BackendError> {
        if nodes.is_empty() {
            return Err(BackendError::invalid("no cluster nodes given"));
        }
        let http = reqwest::Client::builder()
            .tcp_nodelay(true)
            .connect_timeout(Duration::from_millis(300))
            .build()
            .map_err(|e| BackendError::internal(format!("http client: {e}")))?;
        Ok(Self { http, nodes, policy, leader: Mutex::new(None), suspects: Mutex::new(HashMap::new()) })
    }

    /// The nodes this client was given.
    pub fn nodes(&self) -> &[String] {
        &self.nodes
    }

    fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
        m.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn suspect(&self, addr: &str) -> bool {
        Self::lock(&self.suspects).get(addr).is_some_and(|t| t.elapsed() < SUSPECT_FOR)
    }

    fn mark_failed(&self, addr: &str) {
        Self::lock(&self.suspects).insert(addr.to_owned(), Instant::now());
        let mut leader = Self::lock(&self.leader);
        if leader.as_deref() == Some(addr) {
            *leader = None;
        }
    }

    /// One request to one node; `Err` is a transport failure.
    pub async fn call_node<Req: Serialize + ?Sized, Resp: DeserializeOwned>(
        &self,
        addr: &str,
        route: &str,
        body: Option<&Req>,
        timeout: Duration,
    ) -> Result<Reply<Resp>, String> {
        let url = format!("http://{addr}{route}");
        let (request, timeout) = match body {
            Some(body) => {
                let bytes = serde_json::to_vec(body).map_err(|e| format!("cannot encode the request: {e}"))?;
                // A large write (a message with big attachments) crosses to the leader, on to a
                // majority and onto their disks before it is answered: one more second per MiB.
                let timeout = timeout + Duration::from_secs((bytes.len() as u64) >> 20);
                let request = self.http.post(url).header(reqwest::header::CONTENT_TYPE, "application/json").body(bytes);
                (request, timeout)
            }
            None => (self.http.get(url), timeout),
        };
        let response = request.timeout(timeout).send().await.map_err(|e| format!("{addr}: {e}"))?;
        if !response.status().is_success() {
            return Err(format!("{addr}: http status {}", response.status()));
        }
        response.json::<Reply<Resp>>().await.map_err(|e| format!("{addr}: bad reply: {e}"))
    }

    async fn attempt<Req: Serialize + ?Sized, Resp: DeserializeOwned>(
        &self,
        addr: &str,
        route: &str,
        body: &Req,
    ) -> Attempt<Resp> {
        match self.call_node::<Req, Resp>(addr, route, Some(body), self.policy.request_timeout).await {
            Ok(Ok(v)) => {
                *Self::lock(&self.leader) = Some(addr.to_owned());
                Attempt::Done(Ok(v))
            }
            Ok(Err(WireError::NotLeader { leader })) => Attempt::Redirect(leader),
            Ok(Err(e @ WireError::Backend { .. })) => {
                let e = BackendError::from(e);
                if e.kind == mailgate_backend::ErrorKind::Unavailable {
                    // The node's Raft is stepping down, shutting down or lost its quorum: try elsewhere.
                    Attempt::Failed(e.message)
                } else {
                    Attempt::Done(Err(e))
                }
            }
            Err(e) => Attempt::Failed(e),
        }
    }

    /// Sends `body` to the leader, following redirects and retrying through
    /// elections until the policy's deadline.
    pub async fn call_leader<Req: Serialize + ?Sized, Resp: DeserializeOwned>(
        &self,
        route: &str,
        body: &Req,
    ) -> Result<Resp, BackendError> {
        let start = Instant::now();
        let mut backoff = self.policy.backoff();
        let mut next = 0usize;
        let mut hint: Option<String> = Self::lock(&self.leader).clone();
        let mut last_error = String::from("no attempt made");
        let mut redirects = 0;
        while start.elapsed() < self.policy.deadline {
            let target = match hint.take() {
                Some(h) if !self.suspect(&h) => h,
                _ => {
                    // Round-robin over the nodes not recently failed (all of them if every one did).
                    let n = self.nodes.len();
                    let pick = (0..n)
                        .map(|i| &self.nodes[(next + i) % n])
                        .find(|a| !self.suspect(a))
                        .unwrap_or(&self.nodes[next % n])
                        .clone();
                    next += 1;
                    pick
                }
            };
            match self.attempt::<Req, Resp>(&target, route, body).await {
                Attempt::Done(result) => return result,
                // Follow a redirect at once, but not forever: nodes with stale views may point
                // at each other while an election settles.
                Attempt::Redirect(Some(leader)) if leader != target && !self.suspect(&leader) && redirects < 3 => {
                    redirects += 1;
                    hint = Some(leader);
                    continue;
                }
                Attempt::Redirect(leader) => {
                    last_error = format!("{target}: not the leader (leader: {leader:?})");
                }
                Attempt::Failed(e) => {
                    self.mark_failed(&target);
                    last_error = e;
                }
            }
            redirects = 0;
            tokio::time::sleep(backoff.next_delay()).await;
        }
        Err(BackendError::unavailable(format!("cluster unavailable after {:?}: {last_error}", self.policy.deadline)))
    }

    /// Proposes one command through the leader. Safe to retry: the state
    /// machine answers a repeated request id with the first outcome.
    pub async fn write(&self, cmd: &Command) -> Result<ChangeOutcome, BackendError> {
        self.call_leader(proto::API_WRITE, cmd).await
    }

    /// One linearizable read on the leader.
    pub async fn read(&self, req: &ReadEnvelope) -> Result<ReadReply, BackendError> {
        self.call_leader(proto::API_READ, req).await
    }

    /// One node's status.
    pub async fn status(&self, addr: &str) -> Result<NodeStatus, BackendError> {
        self.get(addr, proto::ADMIN_STATUS).await
    }

    /// One node's state digest.
    pub async fn digest(&self, addr: &str) -> Result<StateDigest, BackendError> {
        self.get(addr, proto::ADMIN_DIGEST).await
    }

    async fn get<Resp: DeserializeOwned>(&self, addr: &str, route: &str) -> Result<Resp, BackendError> {
        match self.call_node::<(), Resp>(addr, route, None, self.policy.request_timeout).await {
            Ok(reply) => reply.map_err(BackendError::from),
            Err(e) => Err(BackendError::unavailable(e)),
        }
    }
}
