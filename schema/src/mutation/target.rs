//! Resolving a mutation's message ids to one source.

use crate::error::bad_input;
use crate::id::IdType;
use crate::query::decode_id;
use crate::session::Session;
use crate::source::SourceHandle;
use async_graphql::{Result, ID};
use mailgate_backend::MessageId;
use std::sync::Arc;

/// The largest number of ids one mutation may name.
pub const MAX_IDS: usize = 1000;

/// What a write acts on: one source and backend ids in it.
pub struct Target {
    /// The source.
    pub src: Arc<SourceHandle>,
    /// Message ids (empty for mailbox writes).
    pub ids: Vec<MessageId>,
}

/// Decodes message ids that must all name one account's source.
///
/// One source per mutation keeps a mutation one backend write with one
/// outcome and one new state. Ids of accounts the caller may not access are
/// `NOT_FOUND`, like ids that never existed.
pub async fn message_targets(session: &Session, ids: &[ID]) -> Result<Target> {
    if ids.is_empty() {
        return Err(bad_input("`ids` must not be empty"));
    }
    if ids.len() > MAX_IDS {
        return Err(bad_input(format!("at most {MAX_IDS} ids per mutation")));
    }
    let mut decoded = Vec::with_capacity(ids.len());
    for id in ids {
        decoded.push(decode_id(id, IdType::Message)?);
    }
    let first = &decoded[0];
    if decoded.iter().any(|g| g.account != first.account || g.source != first.source) {
        return Err(bad_input("all ids of one mutation must belong to one source"));
    }
    let src = session.source_of(first).await?;
    let mut out: Vec<MessageId> = Vec::with_capacity(decoded.len());
    for gid in decoded {
        let id = MessageId(gid.id);
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(Target { src, ids: out })
}
