//! [`HttpPeer`]: `RaftNetworkV2` to one target over HTTP/JSON.
//!
//! - Connection failures and refused links map to `Unreachable`, which makes
//!   openraft back off instead of hammering a dead node.
//! - Every small RPC is bounded by `RPCOption::soft_ttl()` (AppendEntries that
//!   carry entries by at least 2 s, since they wait for a follower's fsync);
//!   a timeout is a `Network` error (the peer may be alive but slow, so no backoff).
//! - A snapshot is streamed from its file as a chunked body and never read
//!   into memory; the transfer is bounded by an idle timeout per chunk read
//!   on the receiver and a size-based budget here, not by the 200 ms RPC ttl.

use super::faults::{Faults, Verdict};
use crate::proto::{self, SnapshotHeader};
use crate::raft::snapshot::SnapshotFile;
use crate::raft::{TypeConfig, Vote};
use base64::Engine as _;
use futures::FutureExt;
use openraft::error::{NetworkError, RPCError, ReplicationClosed, StreamingError, Unreachable};
use openraft::network::RPCOption;
use openraft::raft::{AppendEntriesRequest, AppendEntriesResponse, SnapshotResponse, VoteRequest, VoteResponse};
use openraft::{AnyError, OptionalSend, RaftNetworkV2};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// The least time an AppendEntries carrying entries may take (see `append_entries`).
const APPEND_TTL: Duration = Duration::from_secs(2);

/// Chunk size of a streamed snapshot body.
const SNAPSHOT_CHUNK: usize = 256 * 1024;

/// The RPC client of one target node.
#[derive(Debug, Clone)]
pub struct HttpPeer {
    client: reqwest::Client,
    from: u64,
    target: u64,
    addr: String,
    faults: Option<Arc<Faults>>,
}

/// Why an RPC failed, before it is mapped to the caller's error type.
enum Failure {
    Unreachable(String),
    Network(String),
}

impl Failure {
    fn rpc(self) -> RPCError<TypeConfig> {
        match self {
            Failure::Unreachable(m) => RPCError::Unreachable(Unreachable::new(&AnyError::error(m))),
            Failure::Network(m) => RPCError::Network(NetworkError::new(&AnyError::error(m))),
        }
    }

    fn streaming(self) -> StreamingError<TypeConfig> {
        match self {
            Failure::Unreachable(m) => StreamingError::Unreachable(Unreachable::new(&AnyError::error(m))),
            Failure::Network(m) => StreamingError::Network(NetworkError::new(&AnyError::error(m))),
        }
    }
}

fn classify(target: u64, e: &reqwest::Error) -> Failure {
    if e.is_connect() {
        Failure::Unreachable(format!("node {target}: {e}"))
    } else {
        Failure::Network(format!("node {target}: {e}"))
    }
}

impl HttpPeer {
    /// A client of `target` at `addr`, sending as `from`.
    pub fn new(client: reqwest::Client, from: u64, target: u64, addr: String, faults: Option<Arc<Faults>>) -> Self {
        Self { client, from, target, addr, faults }
    }

    /// Applies the fault plan: `Ok(lose_reply)` to go on, `Err` for a cut link.
    async fn gate(&self) -> Result<bool, Failure> {
        let Some(faults) = &self.faults else { return Ok(false) };
        match faults.decide(self.from, self.target) {
            Verdict::Drop => Err(Failure::Unreachable(format!("link {} -> {} is cut", self.from, self.target))),
            Verdict::Send { delay, lose_reply } => {
                if !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                Ok(lose_reply)
            }
        }
    }

    async fn call<Req: Serialize, Resp: DeserializeOwned>(
        &self,
        route: &str,
        req: &Req,
        ttl: Duration,
    ) -> Result<Resp, Failure> {
        let lose_reply = self.gate().await?;
        let url = format!("http://{}{route}", self.addr);
        let response =
            self.client.post(url).json(req).timeout(ttl).send().await.map_err(|e| classify(self.target, &e))?;
        if !response.status().is_success() {
            return Err(Failure::Network(format!("node {}: http status {}", self.target, response.status())));
        }
        let reply: Result<Resp, String> = response.json().await.map_err(|e| classify(self.target, &e))?;
        if lose_reply {
            return Err(Failure::Unreachable(format!("reply from node {} lost (fault plan)", self.target)));
        }
        // A remote error is the target's Raft shutting down or failing: treat it like a dead node.
        reply.map_err(|m| Failure::Unreachable(format!("node {}: {m}", self.target)))
    }

    async fn send_snapshot(
        &self,
        vote: Vote,
        snapshot: openraft::type_config::alias::SnapshotOf<TypeConfig, SnapshotFile>,
    ) -> Result<SnapshotResponse<TypeConfig>, Failure> {
        let lose_reply = self.gate().await?;
        let header = SnapshotHeader { vote, meta: snapshot.meta.clone() };
        let header = serde_json::to_vec(&header).map_err(|e| Failure::Network(e.to_string()))?;
        let header = base64::engine::general_purpose::STANDARD.encode(header);
        let file = tokio::fs::File::open(&snapshot.snapshot.path)
            .await
            .map_err(|e| Failure::Network(format!("open snapshot: {e}")))?;
        let size = file.metadata().await.map(|m| m.len()).unwrap_or(0);
        let body = reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::with_capacity(file, SNAPSHOT_CHUNK));
        // A whole-transfer budget: 10 s plus 1 s per 8 MiB, generous for loopback and LANs.
        let budget = Duration::from_secs(10 + size / (8 * 1024 * 1024));
        let url = format!("http://{}{}", self.addr, proto::RAFT_SNAPSHOT);
        let response = self
            .client
            .post(url)
            .header(proto::SNAPSHOT_HEADER, header)
            .body(body)
            .timeout(budget)
            .send()
            .await
            .map_err(|e| classify(self.target, &e))?;
        if !response.status().is_success() {
            return Err(Failure::Network(format!("node {}: http status {}", self.target, response.status())));
        }
        let reply: Result<SnapshotResponse<TypeConfig>, String> =
            response.json().await.map_err(|e| classify(self.target, &e))?;
        if lose_reply {
            return Err(Failure::Unreachable(format!("reply from node {} lost (fault plan)", self.target)));
        }
        reply.map_err(|m| Failure::Network(format!("node {}: {m}", self.target)))
    }
}

impl RaftNetworkV2<TypeConfig> for HttpPeer {
    type SnapshotData = SnapshotFile;

    async fn append_entries(
        &mut self,
        rpc: AppendEntriesRequest<TypeConfig>,
        option: RPCOption,
    ) -> Result<AppendEntriesResponse<TypeConfig>, RPCError<TypeConfig>> {
        // openraft gives AppendEntries the heartbeat interval as its ttl (75 ms soft). That suits
        // heartbeats; a batch of entries also waits for the follower's fsync, and a batch that
        // times out is re-sent whole, so under load a short ttl turns slowness into
        // retransmission. Entries get at least APPEND_TTL.
        let ttl = if rpc.entries.is_empty() { option.soft_ttl() } else { option.soft_ttl().max(APPEND_TTL) };
        self.call(proto::RAFT_APPEND, &rpc, ttl).await.map_err(Failure::rpc)
    }

    async fn vote(
        &mut self,
        rpc: VoteRequest<TypeConfig>,
        option: RPCOption,
    ) -> Result<VoteResponse<TypeConfig>, RPCError<TypeConfig>> {
        self.call(proto::RAFT_VOTE, &rpc, option.soft_ttl()).await.map_err(Failure::rpc)
    }

    async fn pre_vote(
        &mut self,
        rpc: VoteRequest<TypeConfig>,
        option: RPCOption,
    ) -> Result<VoteResponse<TypeConfig>, RPCError<TypeConfig>> {
        self.call(proto::RAFT_PRE_VOTE, &rpc, option.soft_ttl()).await.map_err(Failure::rpc)
    }

    async fn full_snapshot(
        &mut self,
        vote: Vote,
        snapshot: openraft::type_config::alias::SnapshotOf<TypeConfig, SnapshotFile>,
        cancel: impl Future<Output = ReplicationClosed> + OptionalSend + 'static,
        _option: RPCOption,
    ) -> Result<SnapshotResponse<TypeConfig>, StreamingError<TypeConfig>> {
        let send = self.send_snapshot(vote, snapshot).fuse();
        let cancel = cancel.fuse();
        futures::pin_mut!(send, cancel);
        futures::select! {
            result = send => result.map_err(Failure::streaming),
            closed = cancel => Err(StreamingError::Closed(closed)),
        }
    }
}
