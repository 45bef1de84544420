//! Raft RPC handlers. Replies are `Result<T, String>` as JSON: the error
//! side means the local Raft failed or is shutting down.

use crate::node::Node;
use crate::proto::{self, SnapshotHeader};
use crate::raft::snapshot::SnapshotFile;
use crate::raft::TypeConfig;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use base64::Engine as _;
use futures::StreamExt;
use openraft::raft::{AppendEntriesRequest, AppendEntriesResponse, SnapshotResponse, VoteRequest, VoteResponse};
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// How long a snapshot body may go without a chunk before the receiver gives up.
const CHUNK_IDLE: Duration = Duration::from_secs(10);

/// `POST /raft/append`.
pub async fn append(
    State(node): State<Node>,
    Json(rpc): Json<AppendEntriesRequest<TypeConfig>>,
) -> Json<Result<AppendEntriesResponse<TypeConfig>, String>> {
    Json(node.raft().append_entries(rpc).await)
}

/// `POST /raft/vote`.
pub async fn vote(
    State(node): State<Node>,
    Json(rpc): Json<VoteRequest<TypeConfig>>,
) -> Json<Result<VoteResponse<TypeConfig>, String>> {
    Json(node.raft().vote(rpc).await)
}

/// `POST /raft/pre-vote`.
pub async fn pre_vote(
    State(node): State<Node>,
    Json(rpc): Json<VoteRequest<TypeConfig>>,
) -> Json<Result<VoteResponse<TypeConfig>, String>> {
    Json(node.raft().pre_vote(rpc).await)
}

fn header(headers: &HeaderMap) -> Result<SnapshotHeader, String> {
    let value = headers.get(proto::SNAPSHOT_HEADER).ok_or("missing snapshot header")?;
    let bytes = base64::engine::general_purpose::STANDARD.decode(value.as_bytes()).map_err(|e| e.to_string())?;
    serde_json::from_slice(&bytes).map_err(|e| e.to_string())
}

/// Streams the body into a temporary file in the snapshot directory, chunk
/// by chunk, fsyncs it and returns its path.
async fn receive(node: &Node, body: Body) -> Result<std::path::PathBuf, String> {
    let dir = crate::raft::snapshot::SnapshotDir::open(&node.dir().join("snapshots")).map_err(|e| e.to_string())?;
    let path = dir.temp_path();
    let mut file = tokio::fs::File::create(&path).await.map_err(|e| e.to_string())?;
    let mut stream = body.into_data_stream();
    loop {
        let chunk = match tokio::time::timeout(CHUNK_IDLE, stream.next()).await {
            Err(_) => return Err("snapshot stream idle for too long".into()),
            Ok(None) => break,
            Ok(Some(chunk)) => chunk.map_err(|e| e.to_string())?,
        };
        file.write_all(&chunk).await.map_err(|e| e.to_string())?;
    }
    file.sync_all().await.map_err(|e| e.to_string())?;
    Ok(path)
}

/// `POST /raft/snapshot`: the vote and metadata in a header, the snapshot file as the body.
pub async fn snapshot(
    State(node): State<Node>,
    headers: HeaderMap,
    body: Body,
) -> Json<Result<SnapshotResponse<TypeConfig>, String>> {
    let result = async {
        let SnapshotHeader { vote, meta } = header(&headers)?;
        let path = receive(&node, body).await?;
        let result = node.raft().install_snapshot(vote, meta, SnapshotFile { path: path.clone() }).await;
        // Installing renames the file into place; if it was refused the temporary file is left: remove it.
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            let _ = tokio::fs::remove_file(&path).await;
        }
        result
    }
    .await;
    if let Err(e) = &result {
        tracing::warn!(error = %e, "snapshot install failed");
    }
    Json(result)
}
