//! Prefetching what a list's items will ask for, in one batch per kind.
//!
//! The DataLoader batches the loads that arrive within its delay window; on a
//! busy machine the 50 items of a page may not all reach their loads inside
//! it, and a batch splits in two. Lists whose items are in hand (a `query()`
//! page) therefore look at the selection and load the mailboxes, threads,
//! thread members and attachment blobs the items will need with one
//! `load_many` each, before returning; the items' own loads then hit the
//! request cache. This makes the call budget of a page deterministic.

use crate::loader::{BlobKey, MailboxesKey, MessageKey, ThreadKey};
use crate::session::Session;
use crate::source::SourceHandle;
use async_graphql::Lookahead;
use mailgate_backend::Message;
use std::sync::Arc;

/// What the items of a message list select.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Wants {
    /// `mailboxes` or `folders`.
    pub mailboxes: bool,
    /// `thread`.
    pub threads: bool,
    /// `thread { messages }`.
    pub thread_messages: bool,
    /// `attachments { content }`.
    pub blobs: bool,
}

impl Wants {
    /// What a selection on `Message` needs.
    pub fn of_message(message: &Lookahead<'_>) -> Wants {
        let thread = message.field("thread");
        Wants {
            mailboxes: message.field("mailboxes").exists() || message.field("folders").exists(),
            threads: thread.exists(),
            thread_messages: thread.field("messages").exists(),
            blobs: message.field("attachments").field("content").exists(),
        }
    }

    /// What a selection on `MessageConnection` needs (through `edges.node` and `nodes`).
    pub fn of_connection(connection: &Lookahead<'_>) -> Wants {
        let a = Wants::of_message(&connection.field("edges").field("node"));
        let b = Wants::of_message(&connection.field("nodes"));
        Wants {
            mailboxes: a.mailboxes || b.mailboxes,
            threads: a.threads || b.threads,
            thread_messages: a.thread_messages || b.thread_messages,
            blobs: a.blobs || b.blobs,
        }
    }
}

/// Loads what `wants` says the items of `messages` will need, concurrently.
/// Failures are cached like values; the fields that need them report them.
pub async fn prefetch(session: &Session, src: &Arc<SourceHandle>, messages: &[Arc<Message>], wants: Wants, cap: u64) {
    if messages.is_empty() {
        return;
    }
    let mailboxes = async {
        if wants.mailboxes {
            let _ = session.loader.load_one(MailboxesKey(src.clone())).await;
        }
    };
    let threads = async {
        if !wants.threads {
            return;
        }
        let keys = messages.iter().map(|m| ThreadKey(src.clone(), m.thread_id.clone()));
        let Ok(threads) = session.loader.load_many(keys).await;
        if wants.thread_messages {
            let members = threads
                .values()
                .filter_map(|t| t.as_ref().ok())
                .flat_map(|t| t.message_ids.iter())
                .map(|id| MessageKey(src.clone(), id.clone()));
            let _ = session.loader.load_many(members).await;
        }
    };
    let blobs = async {
        if !wants.blobs {
            return;
        }
        let keys: Vec<_> = messages
            .iter()
            .flat_map(|m| m.attachments.iter())
            .filter(|a| a.size <= cap)
            .map(|a| BlobKey(src.clone(), a.blob_id.clone(), cap))
            .collect();
        if !keys.is_empty() {
            let _ = session.loader.load_many(keys).await;
        }
    };
    futures::join!(mailboxes, threads, blobs);
}
