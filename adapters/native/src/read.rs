//! Unpacking a [`ReadReply`] into the type each trait method returns; a
//! reply of the wrong variant is a backend protocol error.

use base64::Engine as _;
use mailgate_backend::{
    Account, BackendError, BlobId, Changes, Mailbox, Message, MessageId, Page, State, Thread, ThreadId,
};
use mailgate_cluster::proto::ReadReply;
use std::collections::HashMap;

fn unexpected(want: &str) -> BackendError {
    BackendError::new(
        mailgate_backend::ErrorKind::Backend,
        format!("cluster answered a read with the wrong reply (wanted {want})"),
    )
}

fn decode(b64: &str) -> Result<Vec<u8>, BackendError> {
    base64::engine::general_purpose::STANDARD
        .decode(b64.as_bytes())
        .map_err(|e| BackendError::new(mailgate_backend::ErrorKind::Backend, format!("bad base64 from cluster: {e}")))
}

pub fn account(r: ReadReply) -> Result<Account, BackendError> {
    match r {
        ReadReply::Account(a) => Ok(a),
        _ => Err(unexpected("account")),
    }
}

pub fn mailboxes(r: ReadReply) -> Result<Vec<Mailbox>, BackendError> {
    match r {
        ReadReply::Mailboxes(m) => Ok(m),
        _ => Err(unexpected("mailboxes")),
    }
}

pub fn messages(r: ReadReply) -> Result<HashMap<MessageId, Message>, BackendError> {
    match r {
        ReadReply::Messages(m) => Ok(m.into_iter().collect()),
        _ => Err(unexpected("messages")),
    }
}

pub fn query(r: ReadReply) -> Result<Page<Message>, BackendError> {
    match r {
        ReadReply::Query(p) => Ok(p),
        _ => Err(unexpected("query")),
    }
}

pub fn threads(r: ReadReply) -> Result<HashMap<ThreadId, Thread>, BackendError> {
    match r {
        ReadReply::Threads(t) => Ok(t.into_iter().collect()),
        _ => Err(unexpected("threads")),
    }
}

pub fn blobs(r: ReadReply) -> Result<HashMap<BlobId, Vec<u8>>, BackendError> {
    match r {
        ReadReply::Blobs(b) => b.into_iter().map(|(id, b64)| Ok((id, decode(&b64)?))).collect(),
        _ => Err(unexpected("blobs")),
    }
}

pub fn blob_range(r: ReadReply) -> Result<(Vec<u8>, u64), BackendError> {
    match r {
        ReadReply::BlobRange(b64, size) => Ok((decode(&b64)?, size)),
        _ => Err(unexpected("blob range")),
    }
}

pub fn state(r: ReadReply) -> Result<State, BackendError> {
    match r {
        ReadReply::State(s) => Ok(s),
        _ => Err(unexpected("state")),
    }
}

pub fn changes(r: ReadReply) -> Result<Changes, BackendError> {
    match r {
        ReadReply::Changes(c) => Ok(c),
        _ => Err(unexpected("changes")),
    }
}
