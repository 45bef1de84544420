//! The `Thread` type.

use crate::id::{GlobalId, IdType};
use crate::session::Session;
use crate::source::SourceHandle;
use crate::types::message::MessageObj;
use async_graphql::{Context, Object, Result, ID};
use mailgate_backend::Thread;
use std::sync::Arc;

/// A thread as a GraphQL object.
#[derive(Clone)]
pub struct ThreadObj {
    /// The source it belongs to.
    pub src: Arc<SourceHandle>,
    /// The thread.
    pub thread: Arc<Thread>,
}

impl ThreadObj {
    /// Wraps a backend thread.
    pub fn new(src: Arc<SourceHandle>, thread: Arc<Thread>) -> Self {
        Self { src, thread }
    }

    /// The thread's global id.
    pub fn global_id(&self) -> GlobalId {
        GlobalId::new(IdType::Thread, self.src.account.as_str(), self.src.name(), self.thread.id.as_str())
    }
}

/// A conversation: messages that reply to each other.
#[Object(name = "Thread")]
impl ThreadObj {
    /// The global id.
    pub async fn id(&self) -> ID {
        ID::from(&self.global_id())
    }

    /// The backend's own id of the thread.
    async fn thread_id(&self) -> &str {
        self.thread.id.as_str()
    }

    /// How many messages the conversation holds.
    async fn message_count(&self) -> usize {
        self.thread.message_ids.len()
    }

    /// The conversation's size as a list shows it, "(3)": the number of
    /// messages, same as `messageCount`.
    async fn size(&self) -> usize {
        self.thread.message_ids.len()
    }

    /// The global ids of the messages, oldest first.
    async fn message_ids(&self) -> Vec<ID> {
        self.thread
            .message_ids
            .iter()
            .map(|id| {
                ID::from(&GlobalId::new(IdType::Message, self.src.account.as_str(), self.src.name(), id.as_str()))
            })
            .collect()
    }

    /// The messages, oldest first; null if they cannot be loaded.
    #[graphql(complexity = "crate::limits::list_cost(child_complexity)")]
    async fn messages(&self, ctx: &Context<'_>) -> Result<Option<Vec<MessageObj>>> {
        let session = Session::of(ctx)?;
        let messages = session.messages(&self.src, &self.thread.message_ids).await?;
        Ok(Some(messages.into_iter().map(|m| MessageObj::new(self.src.clone(), m)).collect()))
    }
}
