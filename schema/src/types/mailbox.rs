//! The `Mailbox` type.

use crate::id::{GlobalId, IdType};
use crate::paging::{list_messages, MessageConnection, PageArgs};
use crate::session::Session;
use crate::source::SourceHandle;
use crate::types::enums::{MailboxRole, MessageFilter, MessageSort};
use async_graphql::{Context, Object, Result, ID};
use mailgate_backend::Mailbox;
use std::sync::Arc;

/// A mailbox as a GraphQL object.
#[derive(Clone)]
pub struct MailboxObj {
    /// The source it belongs to.
    pub src: Arc<SourceHandle>,
    /// The mailbox.
    pub mailbox: Mailbox,
}

impl MailboxObj {
    /// Wraps a backend mailbox.
    pub fn new(src: Arc<SourceHandle>, mailbox: Mailbox) -> Self {
        Self { src, mailbox }
    }

    /// The mailbox's global id.
    pub fn global_id(&self) -> GlobalId {
        GlobalId::new(IdType::Mailbox, self.src.account.as_str(), self.src.name(), self.mailbox.id.as_str())
    }
}

/// A mailbox (folder).
#[Object(name = "Mailbox")]
impl MailboxObj {
    /// The global id.
    pub async fn id(&self) -> ID {
        ID::from(&self.global_id())
    }

    /// The backend's own id of the mailbox.
    async fn mailbox_id(&self) -> &str {
        self.mailbox.id.as_str()
    }

    /// The display name, unique among siblings.
    async fn name(&self) -> &str {
        &self.mailbox.name
    }

    /// The system role; null for user mailboxes. Mailboxes with a role cannot
    /// be renamed or deleted.
    async fn role(&self) -> Option<MailboxRole> {
        self.mailbox.role.map(MailboxRole::from)
    }

    /// The name of the source (address) the mailbox belongs to.
    async fn source(&self) -> &str {
        self.src.name()
    }

    /// The global id of the parent mailbox; null at the top level.
    async fn parent_id(&self) -> Option<ID> {
        self.mailbox
            .parent_id
            .as_ref()
            .map(|p| ID::from(&GlobalId::new(IdType::Mailbox, self.src.account.as_str(), self.src.name(), p.as_str())))
    }

    /// The parent mailbox; null at the top level.
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<MailboxObj>> {
        let Some(parent) = &self.mailbox.parent_id else {
            return Ok(None);
        };
        let all = Session::of(ctx)?.mailboxes(&self.src).await?;
        Ok(all.iter().find(|m| &m.id == parent).map(|m| MailboxObj::new(self.src.clone(), m.clone())))
    }

    /// The child mailboxes, by name; null if they cannot be loaded.
    #[graphql(complexity = "crate::limits::list_cost(child_complexity)")]
    async fn children(&self, ctx: &Context<'_>) -> Result<Option<Vec<MailboxObj>>> {
        let all = Session::of(ctx)?.mailboxes(&self.src).await?;
        let mut children: Vec<_> = all
            .iter()
            .filter(|m| m.parent_id.as_ref() == Some(&self.mailbox.id))
            .map(|m| MailboxObj::new(self.src.clone(), m.clone()))
            .collect();
        children.sort_by(|a, b| a.mailbox.name.cmp(&b.mailbox.name));
        Ok(Some(children))
    }

    /// How many messages the mailbox holds.
    async fn total_count(&self) -> u32 {
        self.mailbox.total
    }

    /// How many of them are unread.
    async fn unread_count(&self) -> u32 {
        self.mailbox.unread
    }

    /// The mailbox's messages, newest first unless `sort` says otherwise.
    /// Page forward with `first`/`after` or backward with `last`/`before`
    /// (at most 500 per page; 50 when neither `first` nor `last` is given).
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::limits::page_cost(first, last, child_complexity)")]
    async fn messages(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        sort: Option<MessageSort>,
        filter: Option<MessageFilter>,
    ) -> Result<Option<MessageConnection>> {
        let args = PageArgs { first, after, last, before };
        let sort = sort.unwrap_or_default().to_backend();
        let filter = filter.and_then(MessageFilter::to_expr);
        let conn = list_messages(ctx, &self.src, Some(self.mailbox.id.clone()), filter, sort, args).await?;
        Ok(Some(conn))
    }
}
