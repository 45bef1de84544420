//! [`QueryRoot`]: the read entry points.

use crate::access::Need;
use crate::error::{api_error, backend_error, bad_input, not_found, Code};
use crate::id::{GlobalId, IdType};
use crate::paging::{list_messages, MessageConnection, PageArgs, MAX_PAGE};
use crate::prefetch::{prefetch, Wants};
use crate::search;
use crate::session::Session;
use crate::settings::SchemaSettings;
use crate::source::SourceHandle;
use crate::types::account::{find_folder, AccountObj};
use crate::types::changes::{Changes, IdChanges};
use crate::types::enums::MessageSort;
use crate::types::mailbox::MailboxObj;
use crate::types::message::MessageObj;
use crate::types::node::Node;
use crate::types::thread::ThreadObj;
use async_graphql::{Context, Object, Result, ID};
use mailgate_backend::{MailboxId, MessageId, MessageQuery, Sort, State, ThreadId};
use std::sync::Arc;

/// The root of every query.
pub struct QueryRoot;

/// Decodes a client-supplied id of the expected type.
pub fn decode_id(id: &ID, kind: IdType) -> Result<GlobalId> {
    GlobalId::decode_as(id.as_str(), kind).map_err(|e| bad_input(format!("invalid id: {e}")))
}

#[Object(name = "Query")]
impl QueryRoot {
    /// The signed-in account.
    #[graphql(guard = "Need::Read")]
    async fn me(&self, ctx: &Context<'_>) -> Result<Option<AccountObj>> {
        let session = Session::of(ctx)?;
        let account = session.account(&session.principal.username).await?;
        Ok(Some(AccountObj(account)))
    }

    /// Messages of one account's source, for light integrations.
    ///
    /// With `messageId` (the backend's own id, e.g. `6483969`), that one message;
    /// without, the newest `limit` messages (default 50, at most 500), optionally
    /// only those in `folder` (a mailbox name, case-insensitive, or a role such as
    /// `inbox`). `source` names a source of the account by its address (default:
    /// the primary source). Only administrators may name another user's account
    /// (`FORBIDDEN`); an unknown account, source, folder or message is `NOT_FOUND`.
    #[graphql(guard = "Need::Read", complexity = "crate::limits::limit_cost(limit, child_complexity)")]
    async fn messages(
        &self,
        ctx: &Context<'_>,
        username: String,
        source: Option<String>,
        message_id: Option<String>,
        folder: Option<String>,
        #[graphql(default = 50)] limit: i32,
    ) -> Result<Vec<MessageObj>> {
        let session = Session::of(ctx)?;
        if !session.principal.may_access(&username) {
            return Err(api_error(Code::Forbidden, "only administrators may read another user's mail"));
        }
        let limit = usize::try_from(limit)
            .ok()
            .filter(|l| *l <= MAX_PAGE)
            .ok_or_else(|| bad_input(format!("`limit` must be between 0 and {MAX_PAGE}")))?;
        let src = session.source(&username, source.as_deref()).await?;
        let mailbox = match &folder {
            Some(folder) => Some(find_folder(session, &src, folder).await?),
            None => None,
        };
        if let Some(id) = message_id {
            let msg = session
                .message(&src, &MessageId(id))
                .await?
                .filter(|m| mailbox.as_ref().is_none_or(|mb| m.mailbox_ids.contains(&mb.id)))
                .ok_or_else(|| not_found("message"))?;
            return Ok(vec![MessageObj::new(src, msg)]);
        }
        let query =
            MessageQuery { mailbox: mailbox.map(|m| m.id), filter: None, sort: Sort::default(), offset: 0, limit };
        let page = src.backend.query(&session.principal, &src.account, &query).await.map_err(|e| backend_error(&e))?;
        let messages: Vec<_> = page.items.into_iter().map(Arc::new).collect();
        session.prime_messages(&src, &messages).await;
        let wants = Wants::of_message(&ctx.look_ahead());
        let cap = SchemaSettings::of(ctx).inline_content_cap;
        prefetch(session, &src, &messages, wants, cap).await;
        Ok(messages.into_iter().map(|m| MessageObj::new(src.clone(), m)).collect())
    }

    /// A message by global id.
    #[graphql(guard = "Need::Read")]
    async fn message(&self, ctx: &Context<'_>, id: ID) -> Result<Option<MessageObj>> {
        let session = Session::of(ctx)?;
        let gid = decode_id(&id, IdType::Message)?;
        load_message(session, &gid).await.map(Some)
    }

    /// A mailbox by global id.
    #[graphql(guard = "Need::Read")]
    async fn mailbox(&self, ctx: &Context<'_>, id: ID) -> Result<Option<MailboxObj>> {
        let session = Session::of(ctx)?;
        let gid = decode_id(&id, IdType::Mailbox)?;
        load_mailbox(session, &gid).await.map(Some)
    }

    /// A thread (conversation) by global id.
    #[graphql(guard = "Need::Read")]
    async fn thread(&self, ctx: &Context<'_>, id: ID) -> Result<Option<ThreadObj>> {
        let session = Session::of(ctx)?;
        let gid = decode_id(&id, IdType::Thread)?;
        load_thread(session, &gid).await.map(Some)
    }

    /// Any object by global id (Relay).
    #[graphql(guard = "Need::Read")]
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        let session = Session::of(ctx)?;
        let gid = GlobalId::decode(id.as_str()).map_err(|e| bad_input(format!("invalid id: {e}")))?;
        Ok(Some(match gid.kind {
            IdType::Message => Node::Message(load_message(session, &gid).await?),
            IdType::Mailbox => Node::Mailbox(load_mailbox(session, &gid).await?),
            IdType::Thread => Node::Thread(load_thread(session, &gid).await?),
        }))
    }

    /// Searches the signed-in account's mail (or, for administrators, `username`'s)
    /// in one source (default: the primary source).
    ///
    /// The query language: `from: to: cc: subject:` (text), `has:attachment`,
    /// `is:read|unread|flagged|unflagged|answered|forwarded|draft`, `in:FOLDER`,
    /// `before:YYYY-MM-DD` (exclusive) `after:YYYY-MM-DD` (inclusive), `larger:SIZE`
    /// `smaller:SIZE` (bytes, or `10k`, `2M`), free words and "quoted phrases"
    /// (subject, addresses or body), `-` to negate, `OR`, parentheses; terms side by
    /// side must all match. Syntax errors are `BAD_USER_INPUT` naming a 0-based
    /// character position. Newest first unless `sort` says otherwise.
    #[allow(clippy::too_many_arguments)]
    #[graphql(guard = "Need::Read", complexity = "crate::limits::page_cost(first, last, child_complexity)")]
    async fn search(
        &self,
        ctx: &Context<'_>,
        query: String,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        sort: Option<MessageSort>,
        source: Option<String>,
        username: Option<String>,
    ) -> Result<Option<MessageConnection>> {
        let session = Session::of(ctx)?;
        let filter = search::parse(&query).map_err(|e| bad_input(e.to_string()))?;
        let username = username.unwrap_or_else(|| session.principal.username.clone());
        if !session.principal.may_access(&username) {
            return Err(api_error(Code::Forbidden, "only administrators may search another user's mail"));
        }
        let src = session.source(&username, source.as_deref()).await?;
        let args = PageArgs { first, after, last, before };
        let sort = sort.unwrap_or_default().to_backend();
        Ok(Some(list_messages(ctx, &src, None, filter, sort, args).await?))
    }

    /// What changed in the signed-in account's source (default: primary) since
    /// `since`, a state from `me { state }`, a mutation payload or an earlier call.
    #[graphql(guard = "Need::Read")]
    async fn changes(&self, ctx: &Context<'_>, since: String, source: Option<String>) -> Result<Option<Changes>> {
        let session = Session::of(ctx)?;
        let src = session.source(&session.principal.username, source.as_deref()).await?;
        let changes = src
            .backend
            .changes(&session.principal, &src.account, &State(since))
            .await
            .map_err(|e| backend_error(&e))?;
        Ok(Some(changes_in(&src, &changes)))
    }
}

/// The backend's changes of `src` as the GraphQL type, with global ids.
pub fn changes_in(src: &SourceHandle, changes: &mailgate_backend::Changes) -> Changes {
    let gid = |kind: IdType, id: &str| ID::from(&GlobalId::new(kind, src.account.as_str(), src.name(), id));
    let messages = |ids: &[MessageId]| ids.iter().map(|i| gid(IdType::Message, i.as_str())).collect();
    let mailboxes = |ids: &[MailboxId]| ids.iter().map(|i| gid(IdType::Mailbox, i.as_str())).collect();
    Changes {
        old_state: changes.old_state.0.clone(),
        new_state: changes.new_state.0.clone(),
        messages: IdChanges {
            created: messages(&changes.created),
            updated: messages(&changes.updated),
            destroyed: messages(&changes.destroyed),
        },
        mailboxes: IdChanges {
            created: mailboxes(&changes.mailboxes_created),
            updated: mailboxes(&changes.mailboxes_updated),
            destroyed: mailboxes(&changes.mailboxes_destroyed),
        },
    }
}

/// Loads the message a global id names, or `NOT_FOUND`.
pub async fn load_message(session: &Session, gid: &GlobalId) -> Result<MessageObj> {
    let src = session.source_of(gid).await?;
    let msg = session.message(&src, &MessageId(gid.id.clone())).await?.ok_or_else(|| not_found("message"))?;
    Ok(MessageObj::new(src, msg))
}

/// Loads the mailbox a global id names, or `NOT_FOUND`.
pub async fn load_mailbox(session: &Session, gid: &GlobalId) -> Result<MailboxObj> {
    let src = session.source_of(gid).await?;
    let all = session.mailboxes(&src).await?;
    let mailbox = all.iter().find(|m| m.id.as_str() == gid.id).cloned().ok_or_else(|| not_found("mailbox"))?;
    Ok(MailboxObj::new(src, mailbox))
}

/// Loads the thread a global id names, or `NOT_FOUND`.
pub async fn load_thread(session: &Session, gid: &GlobalId) -> Result<ThreadObj> {
    let src = session.source_of(gid).await?;
    let thread = session.thread(&src, &ThreadId(gid.id.clone())).await?.ok_or_else(|| not_found("thread"))?;
    Ok(ThreadObj::new(src, thread))
}
