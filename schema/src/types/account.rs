//! The `Account` and `Source` types.

use crate::directory::ResolvedAccount;
use crate::error::{backend_error, bad_input, not_found};
use crate::session::Session;
use crate::source::SourceHandle;
use crate::types::enums::{MailboxRole, SourceKind};
use crate::types::mailbox::MailboxObj;
use async_graphql::{Context, Object, Result};

use std::sync::Arc;

/// An account as a GraphQL object.
pub struct AccountObj(pub Arc<ResolvedAccount>);

impl AccountObj {
    fn source(&self, name: Option<&str>) -> Result<Arc<SourceHandle>> {
        self.0.source(name).map_err(|e| backend_error(&e))
    }
}

/// The account's mailboxes, optionally only the top level.
async fn mailboxes_of(ctx: &Context<'_>, src: &Arc<SourceHandle>, top_level_only: bool) -> Result<Vec<MailboxObj>> {
    let all = Session::of(ctx)?.mailboxes(src).await?;
    Ok(all
        .iter()
        .filter(|m| !top_level_only || m.parent_id.is_none())
        .map(|m| MailboxObj::new(src.clone(), m.clone()))
        .collect())
}

/// The source's current state string (one backend call).
async fn state_of(ctx: &Context<'_>, src: &Arc<SourceHandle>) -> Result<String> {
    let session = Session::of(ctx)?;
    let state = src.backend.state(&session.principal, src.account.as_str()).await.map_err(|e| backend_error(&e))?;
    Ok(state.0)
}

/// A user of the platform and the sources their mail lives in.
#[Object(name = "Account")]
impl AccountObj {
    /// The login name, e.g. `alewisohn`.
    async fn username(&self) -> &str {
        &self.0.account.username
    }

    /// A human name for display.
    async fn display_name(&self) -> &str {
        &self.0.account.display_name
    }

    /// Where the account's mail lives; exactly one source is primary.
    async fn sources(&self) -> Vec<SourceObj> {
        self.0.sources.iter().cloned().map(SourceObj).collect()
    }

    /// The mailboxes (folders) of a source (default: the primary source), as a
    /// flat list in backend order; build the tree from `parent`/`children`, or
    /// pass `topLevelOnly: true` and follow `children`. Null if they cannot be loaded.
    #[graphql(complexity = "crate::limits::list_cost(child_complexity)")]
    async fn mailboxes(
        &self,
        ctx: &Context<'_>,
        source: Option<String>,
        #[graphql(default = false)] top_level_only: bool,
    ) -> Result<Option<Vec<MailboxObj>>> {
        let src = self.source(source.as_deref())?;
        Ok(Some(mailboxes_of(ctx, &src, top_level_only).await?))
    }

    /// One mailbox of a source (default: the primary source) by role or by
    /// name (case-insensitive); null when there is none.
    async fn mailbox(
        &self,
        ctx: &Context<'_>,
        role: Option<MailboxRole>,
        name: Option<String>,
        source: Option<String>,
    ) -> Result<Option<MailboxObj>> {
        if role.is_none() && name.is_none() {
            return Err(bad_input("give `role` or `name`"));
        }
        let src = self.source(source.as_deref())?;
        let all = Session::of(ctx)?.mailboxes(&src).await?;
        let role = role.map(mailgate_backend::MailboxRole::from);
        let found = all.iter().find(|m| {
            role.is_none_or(|r| m.role == Some(r)) && name.as_ref().is_none_or(|n| m.name.eq_ignore_ascii_case(n))
        });
        Ok(found.map(|m| MailboxObj::new(src.clone(), m.clone())))
    }

    /// The current state of a source (default: the primary source): an opaque
    /// string that changes on every change; pass it to `changes(since:)` later.
    async fn state(&self, ctx: &Context<'_>, source: Option<String>) -> Result<Option<String>> {
        let src = self.source(source.as_deref())?;
        Ok(Some(state_of(ctx, &src).await?))
    }
}

/// A source as a GraphQL object.
pub struct SourceObj(pub Arc<SourceHandle>);

/// One mailbox store of an account, named by its address.
#[Object(name = "Source")]
impl SourceObj {
    /// The source's name: its address, e.g. `andy.lewisohn@postlight.com`.
    async fn name(&self) -> &str {
        self.0.name()
    }

    /// Which kind of backend serves it.
    async fn kind(&self) -> SourceKind {
        self.0.source.kind.into()
    }

    /// Whether requests that name no source go here.
    async fn primary(&self) -> bool {
        self.0.source.primary
    }

    /// Set on a legacy source after its mail migrated away.
    async fn read_only(&self) -> bool {
        self.0.source.read_only
    }

    /// The source's mailboxes, flat; null if they cannot be loaded.
    #[graphql(complexity = "crate::limits::list_cost(child_complexity)")]
    async fn mailboxes(&self, ctx: &Context<'_>) -> Result<Option<Vec<MailboxObj>>> {
        Ok(Some(mailboxes_of(ctx, &self.0, false).await?))
    }

    /// The source's current state; null if it cannot be loaded.
    async fn state(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(Some(state_of(ctx, &self.0).await?))
    }
}

/// Looks a mailbox up by name (case-insensitive) or role name (`inbox`, ...).
pub async fn find_folder(
    session: &Session,
    src: &Arc<SourceHandle>,
    folder: &str,
) -> Result<mailgate_backend::Mailbox> {
    let all = session.mailboxes(src).await?;
    all.iter()
        .find(|m| m.name.eq_ignore_ascii_case(folder))
        .or_else(|| all.iter().find(|m| m.role.is_some_and(|r| r.as_str().eq_ignore_ascii_case(folder))))
        .cloned()
        .ok_or_else(|| not_found("folder"))
}
