//! [`SubscriptionRoot`]: live updates. Each event carries the new state, so a
//! client that missed events (it was offline, its socket dropped) catches up
//! with `changes(since:)` from the last state it saw.
//!
//! Events come from polling the source's `state()` every
//! [`SchemaSettings::live_poll_interval`] and, when it moved, one
//! `changes(since)` call: the store has no push channel to the gateway yet,
//! and a state read is one cheap linearizable read. The subscription holds
//! the source it resolved at the start, not the request's loaders, whose
//! caches would go stale over a long-lived connection. A backend that is
//! briefly unavailable (a fail-over) is polled again; any other error ends
//! the subscription with that error.

use crate::access::Need;
use crate::error::backend_error;
use crate::query::changes_in;
use crate::session::Session;
use crate::settings::SchemaSettings;
use crate::source::SourceHandle;
use crate::types::changes::Changes;
use async_graphql::{Context, Result, Subscription};
use futures::stream::{self, Stream};
use mailgate_backend::{ErrorKind, Principal, State};
use std::sync::Arc;
use std::time::Duration;

/// The root of every subscription.
pub struct SubscriptionRoot;

/// Which changes a subscription reports.
#[derive(Debug, Clone, Copy)]
enum Watch {
    Messages,
    Mailboxes,
}

#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// Messages created, updated (flags, mailboxes) or destroyed in the
    /// signed-in account's source (default: primary). With `since` (a state
    /// the client has), changes after it come first; without, changes from
    /// now on.
    #[graphql(guard = "Need::Read")]
    async fn messages_changed(
        &self,
        ctx: &Context<'_>,
        source: Option<String>,
        since: Option<String>,
    ) -> Result<impl Stream<Item = Result<Changes>>> {
        watch(ctx, source, since, Watch::Messages).await
    }

    /// Mailboxes created, renamed, moved, destroyed, or whose counts changed,
    /// in the signed-in account's source (default: primary); `since` as for
    /// `messagesChanged`.
    #[graphql(guard = "Need::Read")]
    async fn mailboxes_changed(
        &self,
        ctx: &Context<'_>,
        source: Option<String>,
        since: Option<String>,
    ) -> Result<impl Stream<Item = Result<Changes>>> {
        watch(ctx, source, since, Watch::Mailboxes).await
    }
}

/// What one poll loop carries from event to event.
struct Poll {
    src: Arc<SourceHandle>,
    principal: Principal,
    last: State,
    every: Duration,
    watch: Watch,
    ended: bool,
}

async fn watch(
    ctx: &Context<'_>,
    source: Option<String>,
    since: Option<String>,
    watch: Watch,
) -> Result<impl Stream<Item = Result<Changes>>> {
    let session = Session::of(ctx)?;
    let principal = session.principal.clone();
    let src = session.source(&principal.username, source.as_deref()).await?;
    let last = match since {
        Some(since) => State(since),
        None => src.backend.state(&principal, &src.account).await.map_err(|e| backend_error(&e))?,
    };
    let every = SchemaSettings::of(ctx).live_poll_interval;
    let poll = Poll { src, principal, last, every, watch, ended: false };
    Ok(stream::unfold(poll, next_event))
}

/// Waits for the next change the subscription reports.
async fn next_event(mut poll: Poll) -> Option<(Result<Changes>, Poll)> {
    if poll.ended {
        return None;
    }
    loop {
        tokio::time::sleep(poll.every).await;
        let (backend, who, account) = (&poll.src.backend, &poll.principal, &poll.src.account);
        let changes = match backend.state(who, account).await {
            Ok(now) if now == poll.last => continue,
            Ok(_) => backend.changes(who, account, &poll.last).await,
            Err(err) => Err(err),
        };
        match changes {
            Ok(changes) => {
                poll.last = changes.new_state.clone();
                let relevant = match poll.watch {
                    Watch::Messages => {
                        !(changes.created.is_empty() && changes.updated.is_empty() && changes.destroyed.is_empty())
                    }
                    Watch::Mailboxes => {
                        !(changes.mailboxes_created.is_empty()
                            && changes.mailboxes_updated.is_empty()
                            && changes.mailboxes_destroyed.is_empty())
                    }
                };
                if relevant {
                    let event = changes_in(&poll.src, &changes);
                    return Some((Ok(event), poll));
                }
            }
            Err(err) if err.kind == ErrorKind::Unavailable => continue,
            Err(err) => {
                poll.ended = true;
                return Some((Err(backend_error(&err)), poll));
            }
        }
    }
}
