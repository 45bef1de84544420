//! Mutation payloads. Affected objects load lazily, so a client that selects
//! only `state` costs no read after the write.

use super::target::Target;
use crate::id::{GlobalId, IdType};
use crate::session::Session;
use crate::source::SourceHandle;
use crate::types::mailbox::MailboxObj;
use crate::types::message::MessageObj;
use async_graphql::{Context, Object, Result, SimpleObject, ID};
use mailgate_backend::{ChangeOutcome, MailboxId, MessageId, RequestId};
use std::sync::Arc;

/// What every message write reports.
pub struct MessagesPayload {
    src: Arc<SourceHandle>,
    /// The ids that still exist after the write, in request order.
    affected: Vec<MessageId>,
    destroyed: Vec<MessageId>,
    not_found: Vec<MessageId>,
    request_id: String,
    client_mutation_id: Option<String>,
    state: String,
}

impl MessagesPayload {
    /// The payload of a write on `target` that ended with `outcome`.
    pub fn new(
        target: &Target,
        request_id: RequestId,
        client_mutation_id: Option<String>,
        outcome: ChangeOutcome,
    ) -> Self {
        let affected = target
            .ids
            .iter()
            .filter(|id| !outcome.not_found.contains(id) && !outcome.destroyed.contains(id))
            .cloned()
            .collect();
        Self {
            src: target.src.clone(),
            affected,
            destroyed: outcome.destroyed,
            not_found: outcome.not_found,
            request_id: request_id.0,
            client_mutation_id,
            state: outcome.state.0,
        }
    }

    fn gids(&self, ids: &[MessageId]) -> Vec<ID> {
        ids.iter()
            .map(|id| {
                ID::from(&GlobalId::new(IdType::Message, self.src.account.as_str(), self.src.name(), id.as_str()))
            })
            .collect()
    }

    async fn messages(&self, ctx: &Context<'_>) -> Result<Option<Vec<MessageObj>>> {
        let session = Session::of(ctx)?;
        let found = session.messages(&self.src, &self.affected).await?;
        Ok(Some(found.into_iter().map(|m| MessageObj::new(self.src.clone(), m)).collect()))
    }
}

macro_rules! messages_payload {
    ($(#[$doc:meta])* $name:ident { $($extra:tt)* }) => {
        $(#[$doc])*
        pub struct $name(pub MessagesPayload);

        $(#[$doc])*
        #[Object]
        impl $name {
            /// The `clientMutationId` of the input.
            async fn client_mutation_id(&self) -> Option<&str> {
                self.0.client_mutation_id.as_deref()
            }

            /// The idempotency key the write carried.
            async fn request_id(&self) -> &str {
                &self.0.request_id
            }

            /// The affected messages as they are after the write; null if they
            /// cannot be loaded.
            async fn messages(&self, ctx: &Context<'_>) -> Result<Option<Vec<MessageObj>>> {
                self.0.messages(ctx).await
            }

            /// Ids of the input that name no message (the rest were applied).
            async fn not_found_ids(&self) -> Vec<ID> {
                self.0.gids(&self.0.not_found)
            }

            /// The source's state after the write.
            async fn state(&self) -> &str {
                &self.0.state
            }

            $($extra)*
        }
    };
}

messages_payload!(
    /// The result of `setFlags`.
    SetFlagsPayload {}
);

messages_payload!(
    /// The result of `moveMessages`.
    MoveMessagesPayload {}
);

messages_payload!(
    /// The result of `deleteMessages`: `messages` are now in Trash.
    DeleteMessagesPayload {
        /// Messages destroyed (they were already in Trash).
        async fn destroyed_ids(&self) -> Vec<ID> {
            self.0.gids(&self.0.destroyed)
        }
    }
);

/// What every mailbox write reports.
pub struct MailboxWrite {
    src: Arc<SourceHandle>,
    mailbox: Option<MailboxId>,
    request_id: String,
    client_mutation_id: Option<String>,
    state: String,
}

impl MailboxWrite {
    /// The payload of a mailbox write on `target` that ended with `outcome`.
    pub fn new(
        target: &Target,
        request_id: RequestId,
        client_mutation_id: Option<String>,
        outcome: ChangeOutcome,
    ) -> Self {
        Self {
            src: target.src.clone(),
            mailbox: outcome.mailbox,
            request_id: request_id.0,
            client_mutation_id,
            state: outcome.state.0,
        }
    }

    async fn mailbox(&self, ctx: &Context<'_>) -> Result<Option<MailboxObj>> {
        let Some(id) = &self.mailbox else {
            return Ok(None);
        };
        let all = Session::of(ctx)?.mailboxes(&self.src).await?;
        Ok(all.iter().find(|m| &m.id == id).map(|m| MailboxObj::new(self.src.clone(), m.clone())))
    }
}

macro_rules! mailbox_payload {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub struct $name(pub MailboxWrite);

        $(#[$doc])*
        #[Object]
        impl $name {
            /// The `clientMutationId` of the input.
            async fn client_mutation_id(&self) -> Option<&str> {
                self.0.client_mutation_id.as_deref()
            }

            /// The idempotency key the write carried.
            async fn request_id(&self) -> &str {
                &self.0.request_id
            }

            /// The mailbox as it is after the write.
            async fn mailbox(&self, ctx: &Context<'_>) -> Result<Option<MailboxObj>> {
                self.0.mailbox(ctx).await
            }

            /// The source's state after the write.
            async fn state(&self) -> &str {
                &self.0.state
            }
        }
    };
}

mailbox_payload!(
    /// The result of `createMailbox`.
    CreateMailboxPayload
);

mailbox_payload!(
    /// The result of `renameMailbox`.
    RenameMailboxPayload
);

/// The result of `deleteMailbox`.
#[derive(SimpleObject)]
pub struct DeleteMailboxPayload {
    /// The `clientMutationId` of the input.
    pub client_mutation_id: Option<String>,
    /// The idempotency key the write carried.
    pub request_id: String,
    /// The deleted mailbox's id.
    pub deleted_mailbox_id: ID,
    /// The source's state after the write.
    pub state: String,
}

/// The result of `importMessage`.
pub struct ImportMessagePayload {
    /// The source the message went to.
    pub src: Arc<SourceHandle>,
    /// Its backend id.
    pub id: MessageId,
    /// The idempotency key the write carried.
    pub request_id: String,
    /// The `clientMutationId` of the input.
    pub client_mutation_id: Option<String>,
    /// The source's state after the write.
    pub state: String,
}

/// The result of `importMessage`.
#[Object]
impl ImportMessagePayload {
    /// The `clientMutationId` of the input.
    async fn client_mutation_id(&self) -> Option<&str> {
        self.client_mutation_id.as_deref()
    }

    /// The idempotency key the write carried.
    async fn request_id(&self) -> &str {
        &self.request_id
    }

    /// The stored message, parsed; null if it cannot be loaded.
    async fn message(&self, ctx: &Context<'_>) -> Result<Option<MessageObj>> {
        let session = Session::of(ctx)?;
        let msg = session.message(&self.src, &self.id).await?;
        Ok(msg.map(|m| MessageObj::new(self.src.clone(), m)))
    }

    /// The source's state after the write.
    async fn state(&self) -> &str {
        &self.state
    }
}
