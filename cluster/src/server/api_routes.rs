//! The client API: one write or one linearizable read per request.

use crate::command::Command;
use crate::node::Node;
use crate::proto::{ReadEnvelope, ReadReply, ReadRequest, Reply, WireError, WriteReply};
use axum::extract::State;
use axum::Json;
use base64::Engine as _;

/// `POST /api/write`: propose a command and answer its outcome.
pub async fn write(State(node): State<Node>, Json(cmd): Json<Command>) -> Json<WriteReply> {
    Json(node.write_command(cmd).await)
}

/// `POST /api/read`: ReadIndex, then one read transaction.
pub async fn read(State(node): State<Node>, Json(req): Json<ReadEnvelope>) -> Json<Reply<ReadReply>> {
    Json(dispatch(&node, req).await)
}

/// Runs one read on `node` (also used by the embedded backend, so both paths share it).
pub async fn dispatch(node: &Node, req: ReadEnvelope) -> Result<ReadReply, WireError> {
    let ReadEnvelope { account, read } = req;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    Ok(match read {
        ReadRequest::Account => ReadReply::Account(node.read(move |r| r.account(&account)).await?),
        ReadRequest::Mailboxes => ReadReply::Mailboxes(node.read(move |r| r.mailboxes(&account)).await?),
        ReadRequest::Messages(ids) => {
            ReadReply::Messages(node.read(move |r| r.messages(&account, &ids)).await?.into_iter().collect())
        }
        ReadRequest::Query(q) => ReadReply::Query(node.read(move |r| r.query(&account, &q)).await?),
        ReadRequest::Threads(ids) => {
            ReadReply::Threads(node.read(move |r| r.threads(&account, &ids)).await?.into_iter().collect())
        }
        ReadRequest::Blobs { ids, max_size } => ReadReply::Blobs(
            node.blobs(&account, &ids, max_size).await?.into_iter().map(|(id, bytes)| (id, b64(&bytes))).collect(),
        ),
        ReadRequest::BlobRange { id, start, end } => {
            let (bytes, size) = node.blob_range(&account, &id, start..end).await?;
            ReadReply::BlobRange(b64(&bytes), size)
        }
        ReadRequest::State => ReadReply::State(node.read(move |r| r.state(&account)).await?),
        ReadRequest::Changes(since) => ReadReply::Changes(node.read(move |r| r.changes(&account, &since)).await?),
    })
}
