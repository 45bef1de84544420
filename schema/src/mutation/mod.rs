//! [`MutationRoot`]: the write entry points.
//!
//! Every mutation takes ids of one account's source, turns into one
//! [`ChangeRequest`] (setting and clearing flags at once is two) and carries a
//! request id: `{mutation}:{clientMutationId}` when the client gives one, so a
//! retry with the same `clientMutationId` applies at most once, else a fresh
//! uuid v4. Payloads load the affected objects lazily, after the request's
//! caches were cleared, so they show the state after the write.

pub mod auth;
mod inputs;
mod payloads;
mod target;

pub use auth::{AuthFailure, Authenticator, LoginInput, LogoutPayload, RefreshTokenInput, TokenPayload};
pub use inputs::*;
pub use payloads::*;

use crate::access::Need;
use crate::error::{api_error, backend_error, bad_input, not_found, Code};
use crate::id::{GlobalId, IdType};
use crate::query::{decode_id, load_mailbox};
use crate::session::Session;
use crate::time::parse_iso;
use async_graphql::{Context, Object, Result};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use mailgate_backend::{ChangeOutcome, ChangeRequest, Flag, MailChange, MailboxId, RequestId};
use target::{message_targets, Target};

/// The root of every mutation.
pub struct MutationRoot;

/// The idempotency key of one write.
fn request_id(mutation: &str, client: Option<&str>) -> RequestId {
    match client {
        Some(client) => RequestId(format!("{mutation}:{client}")),
        None => RequestId(uuid::Uuid::new_v4().to_string()),
    }
}

/// Applies one change to a target's source and forgets cached mail.
async fn apply(session: &Session, target: &Target, request_id: RequestId, change: MailChange) -> Result<ChangeOutcome> {
    if target.src.source.read_only {
        // A legacy source after cutover: its mail lives on in the primary
        // source, and a write here would be lost to the user.
        return Err(api_error(
            Code::Forbidden,
            format!("source {} is read-only since its mail moved; write to the primary source", target.src.name()),
        ));
    }
    let result =
        target.src.backend.apply(&session.principal, &target.src.account, ChangeRequest { request_id, change }).await;
    // Forget even on failure: a timeout may still have applied.
    session.forget_mail();
    result.map_err(|e| backend_error(&e))
}

#[Object(name = "Mutation")]
impl MutationRoot {
    /// Signs in with a password: a short-lived access token and a refresh
    /// token. A wrong username or password is `UNAUTHENTICATED` (which one
    /// is not said).
    async fn login(&self, ctx: &Context<'_>, input: LoginInput) -> Result<TokenPayload> {
        auth::login(ctx, input).await
    }

    /// Exchanges a refresh token for new tokens; the old refresh token stops
    /// working (rotation), so a stolen one is good for one use at most.
    async fn refresh_token(&self, ctx: &Context<'_>, input: RefreshTokenInput) -> Result<TokenPayload> {
        auth::refresh(ctx, input).await
    }

    /// Revokes a refresh token (sign out). The access token stays valid until
    /// it expires, which is minutes.
    async fn logout(&self, ctx: &Context<'_>, input: RefreshTokenInput) -> Result<LogoutPayload> {
        auth::logout(ctx, input).await
    }

    /// Sets (`true`) or clears (`false`) flags on many messages; flags left
    /// null are unchanged.
    #[graphql(guard = "Need::Write")]
    async fn set_flags(&self, ctx: &Context<'_>, input: SetFlagsInput) -> Result<Option<SetFlagsPayload>> {
        let session = Session::of(ctx)?;
        let target = message_targets(session, &input.ids).await?;
        let mut set = Vec::new();
        let mut clear = Vec::new();
        for (flag, value) in [
            (Flag::Seen, input.seen),
            (Flag::Flagged, input.flagged),
            (Flag::Answered, input.answered),
            (Flag::Forwarded, input.forwarded),
            (Flag::Draft, input.draft),
        ] {
            match value {
                Some(true) => set.push(flag),
                Some(false) => clear.push(flag),
                None => {}
            }
        }
        if set.is_empty() && clear.is_empty() {
            return Err(bad_input("give at least one flag to set or clear"));
        }
        let base = request_id("setFlags", input.client_mutation_id.as_deref());
        let mut outcome = ChangeOutcome::default();
        for (flags, value, suffix) in [(set, true, "set"), (clear, false, "clear")] {
            if flags.is_empty() {
                continue;
            }
            let change = MailChange::SetFlags { ids: target.ids.clone(), flags, value };
            let rid = RequestId(format!("{}:{suffix}", base.0));
            let out = apply(session, &target, rid, change).await?;
            outcome.not_found.extend(out.not_found);
            outcome.state = out.state;
        }
        Ok(Some(SetFlagsPayload(MessagesPayload::new(&target, base, input.client_mutation_id, outcome))))
    }

    /// Moves many messages into one mailbox of the same source (replacing
    /// the mailboxes they were in).
    #[graphql(guard = "Need::Write")]
    async fn move_messages(&self, ctx: &Context<'_>, input: MoveMessagesInput) -> Result<Option<MoveMessagesPayload>> {
        let session = Session::of(ctx)?;
        let target = message_targets(session, &input.ids).await?;
        let to = same_source_mailbox(&target, &input.mailbox_id)?;
        let rid = request_id("moveMessages", input.client_mutation_id.as_deref());
        let change = MailChange::Move { ids: target.ids.clone(), to };
        let outcome = apply(session, &target, rid.clone(), change).await?;
        Ok(Some(MoveMessagesPayload(MessagesPayload::new(&target, rid, input.client_mutation_id, outcome))))
    }

    /// Moves many messages to Trash; messages already in Trash are destroyed.
    #[graphql(guard = "Need::Write")]
    async fn delete_messages(
        &self,
        ctx: &Context<'_>,
        input: DeleteMessagesInput,
    ) -> Result<Option<DeleteMessagesPayload>> {
        let session = Session::of(ctx)?;
        let target = message_targets(session, &input.ids).await?;
        let rid = request_id("deleteMessages", input.client_mutation_id.as_deref());
        let change = MailChange::Delete { ids: target.ids.clone() };
        let outcome = apply(session, &target, rid.clone(), change).await?;
        Ok(Some(DeleteMessagesPayload(MessagesPayload::new(&target, rid, input.client_mutation_id, outcome))))
    }

    /// Creates a user mailbox under `parentId` (or at the top level of
    /// `source`, default: the primary source).
    #[graphql(guard = "Need::Write")]
    async fn create_mailbox(
        &self,
        ctx: &Context<'_>,
        input: CreateMailboxInput,
    ) -> Result<Option<CreateMailboxPayload>> {
        let session = Session::of(ctx)?;
        let (target, parent) = match &input.parent_id {
            Some(parent) => {
                let gid = decode_id(parent, IdType::Mailbox)?;
                let src = session.source_of(&gid).await?;
                (Target { src, ids: Vec::new() }, Some(MailboxId(gid.id)))
            }
            None => {
                let src = session.source(&session.principal.username, input.source.as_deref()).await?;
                (Target { src, ids: Vec::new() }, None)
            }
        };
        let rid = request_id("createMailbox", input.client_mutation_id.as_deref());
        let change = MailChange::CreateMailbox { name: input.name, parent };
        let outcome = apply(session, &target, rid.clone(), change).await?;
        Ok(Some(CreateMailboxPayload(MailboxWrite::new(&target, rid, input.client_mutation_id, outcome))))
    }

    /// Renames a user mailbox; system mailboxes (with a role) refuse with `CONFLICT`.
    #[graphql(guard = "Need::Write")]
    async fn rename_mailbox(
        &self,
        ctx: &Context<'_>,
        input: RenameMailboxInput,
    ) -> Result<Option<RenameMailboxPayload>> {
        let session = Session::of(ctx)?;
        let gid = decode_id(&input.id, IdType::Mailbox)?;
        let existing = load_mailbox(session, &gid).await?;
        let target = Target { src: existing.src.clone(), ids: Vec::new() };
        let rid = request_id("renameMailbox", input.client_mutation_id.as_deref());
        let change = MailChange::RenameMailbox { id: existing.mailbox.id.clone(), name: input.name };
        let outcome = apply(session, &target, rid.clone(), change).await?;
        Ok(Some(RenameMailboxPayload(MailboxWrite::new(&target, rid, input.client_mutation_id, outcome))))
    }

    /// Deletes a user mailbox; its messages move to Trash. System mailboxes
    /// refuse with `CONFLICT`.
    #[graphql(guard = "Need::Write")]
    async fn delete_mailbox(
        &self,
        ctx: &Context<'_>,
        input: DeleteMailboxInput,
    ) -> Result<Option<DeleteMailboxPayload>> {
        let session = Session::of(ctx)?;
        let gid = decode_id(&input.id, IdType::Mailbox)?;
        let existing = load_mailbox(session, &gid).await?;
        let target = Target { src: existing.src.clone(), ids: Vec::new() };
        let rid = request_id("deleteMailbox", input.client_mutation_id.as_deref());
        let change = MailChange::DeleteMailbox { id: existing.mailbox.id.clone() };
        let outcome = apply(session, &target, rid.clone(), change).await?;
        Ok(Some(DeleteMailboxPayload {
            client_mutation_id: input.client_mutation_id,
            request_id: rid.0,
            deleted_mailbox_id: existing.global_id().encode().into(),
            state: outcome.state.0,
        }))
    }

    /// Stores a raw RFC 5322 message in a mailbox. Give the message as text in
    /// `raw` or, for 8-bit or binary content, base64 in `rawBase64` (exactly one).
    #[graphql(guard = "Need::Write")]
    async fn import_message(
        &self,
        ctx: &Context<'_>,
        input: ImportMessageInput,
    ) -> Result<Option<ImportMessagePayload>> {
        let session = Session::of(ctx)?;
        let raw = match (input.raw, input.raw_base64) {
            (Some(raw), None) => raw.into_bytes(),
            (None, Some(b64)) => {
                STANDARD.decode(b64.trim()).map_err(|_| bad_input("`rawBase64` is not valid base64"))?
            }
            _ => return Err(bad_input("give exactly one of `raw` and `rawBase64`")),
        };
        if raw.is_empty() {
            return Err(bad_input("the message is empty"));
        }
        let received_at =
            match &input.received_at {
                Some(s) => Some(parse_iso(s).ok_or_else(|| {
                    bad_input("`receivedAt` must be an RFC 3339 timestamp, e.g. 2024-05-01T12:00:00Z")
                })?),
                None => None,
            };
        let gid = decode_id(&input.mailbox_id, IdType::Mailbox)?;
        let mailbox = load_mailbox(session, &gid).await?;
        let target = Target { src: mailbox.src.clone(), ids: Vec::new() };
        let rid = request_id("importMessage", input.client_mutation_id.as_deref());
        let change = MailChange::Import {
            mailbox: mailbox.mailbox.id.clone(),
            raw,
            flags: input.flags.unwrap_or_default().into_iter().map(Flag::from).collect(),
            received_at,
        };
        let outcome = apply(session, &target, rid.clone(), change).await?;
        let Some(id) = outcome.messages.first().cloned() else {
            return Err(crate::error::internal("import returned no message id"));
        };
        Ok(Some(ImportMessagePayload {
            src: target.src,
            id,
            request_id: rid.0,
            client_mutation_id: input.client_mutation_id,
            state: outcome.state.0,
        }))
    }
}

/// The backend id of a mailbox that must be in the target's source.
fn same_source_mailbox(target: &Target, id: &async_graphql::ID) -> Result<MailboxId> {
    let gid: GlobalId = decode_id(id, IdType::Mailbox)?;
    if gid.account != target.src.account || gid.source != target.src.name() {
        return Err(not_found("mailbox"));
    }
    Ok(MailboxId(gid.id))
}
