//! Relay connections over message listings: offset cursors, page planning,
//! and the one `query()` call behind a page.
//!
//! Cursors are opaque offsets into the sorted result. They are stable while
//! the listing does not change, which is what mail clients get from every
//! offset-paged server; a client that needs exact sync uses `changes(since:)`.

use crate::error::{backend_error, bad_input};
use crate::prefetch::{prefetch, Wants};
use crate::session::Session;
use crate::settings::SchemaSettings;
use crate::source::SourceHandle;
use crate::types::message::MessageObj;
use async_graphql::{Context, Result, SimpleObject};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use mailgate_backend::{MailboxId, MessageQuery, SearchExpr, Sort};
use std::sync::Arc;

/// Page size when the client gives neither `first` nor `last`.
pub const DEFAULT_PAGE: usize = 50;
/// The largest page a client may ask for.
pub const MAX_PAGE: usize = 500;

/// Relay paging arguments as the client gave them.
#[derive(Debug, Clone, Default)]
pub struct PageArgs {
    /// Page forward: at most this many after `after`.
    pub first: Option<i32>,
    /// The cursor to page forward from.
    pub after: Option<String>,
    /// Page backward: at most this many before `before`.
    pub last: Option<i32>,
    /// The cursor to page backward from.
    pub before: Option<String>,
}

/// One edge of a message connection.
#[derive(SimpleObject)]
#[graphql(name = "MessageEdge")]
pub struct MessageEdge {
    /// An opaque cursor for `after`/`before`.
    pub cursor: String,
    /// The message.
    pub node: MessageObj,
}

/// Relay page information.
#[derive(SimpleObject, Debug, Clone, Default)]
pub struct PageInfo {
    /// Whether there are messages after this page.
    pub has_next_page: bool,
    /// Whether there are messages before this page.
    pub has_previous_page: bool,
    /// The cursor of the first edge.
    pub start_cursor: Option<String>,
    /// The cursor of the last edge.
    pub end_cursor: Option<String>,
}

/// A page of messages.
#[derive(SimpleObject)]
#[graphql(name = "MessageConnection")]
pub struct MessageConnection {
    /// The page's edges, in order.
    pub edges: Vec<MessageEdge>,
    /// The page's messages, in order (the edges' nodes, for clients that need no cursors).
    pub nodes: Vec<MessageObj>,
    /// Where the page sits.
    pub page_info: PageInfo,
    /// How many messages match in all.
    pub total_count: usize,
}

/// Encodes an offset as an opaque cursor.
pub fn encode_cursor(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("o:{offset}"))
}

/// Decodes a cursor made by [`encode_cursor`].
pub fn decode_cursor(cursor: &str) -> Result<usize> {
    let invalid = || bad_input(format!("invalid cursor {cursor:?}"));
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    text.strip_prefix("o:").and_then(|n| n.parse().ok()).ok_or_else(invalid)
}

/// Validates a page size argument.
fn page_size(name: &str, value: i32) -> Result<usize> {
    usize::try_from(value)
        .ok()
        .filter(|n| *n <= MAX_PAGE)
        .ok_or_else(|| bad_input(format!("`{name}` must be between 0 and {MAX_PAGE}")))
}

/// The window `[offset, offset + limit)` a page covers, when it is known
/// without the total (everything but `last` without `before`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    /// A known window.
    Window { offset: usize, limit: usize },
    /// The last `last` items before `start`..total: needs the total first.
    Tail { start: usize, last: usize },
}

fn plan(args: &PageArgs) -> Result<Plan> {
    if args.first.is_some() && args.last.is_some() {
        return Err(bad_input("give `first` or `last`, not both"));
    }
    let start = match &args.after {
        Some(c) => decode_cursor(c)?.saturating_add(1),
        None => 0,
    };
    let end = match &args.before {
        Some(c) => Some(decode_cursor(c)?),
        None => None,
    };
    if let Some(last) = args.last {
        let last = page_size("last", last)?;
        return Ok(match end {
            Some(end) => {
                let end = end.max(start);
                let offset = end.saturating_sub(last).max(start);
                Plan::Window { offset, limit: end - offset }
            }
            None => Plan::Tail { start, last },
        });
    }
    let first = match args.first {
        Some(first) => page_size("first", first)?,
        None => DEFAULT_PAGE,
    };
    let limit = match end {
        Some(end) => first.min(end.saturating_sub(start)),
        None => first,
    };
    Ok(Plan::Window { offset: start, limit })
}

/// Lists one page of a source's messages (one `query()` call; two for `last`
/// without `before`, which needs the total first), primes the message loader
/// with the full messages the backend returned, and prefetches what the
/// page's items select.
pub async fn list_messages(
    ctx: &Context<'_>,
    src: &Arc<SourceHandle>,
    mailbox: Option<MailboxId>,
    filter: Option<SearchExpr>,
    sort: Sort,
    args: PageArgs,
) -> Result<MessageConnection> {
    let session = Session::of(ctx)?;
    let mut query = MessageQuery { mailbox, filter, sort, offset: 0, limit: 0 };
    let (offset, limit) = match plan(&args)? {
        Plan::Window { offset, limit } => (offset, limit),
        Plan::Tail { start, last } => {
            let counted =
                src.backend.query(&session.principal, &src.account, &query).await.map_err(|e| backend_error(&e))?;
            let end = counted.total.max(start);
            let offset = end.saturating_sub(last).max(start);
            (offset, end - offset)
        }
    };
    query.offset = offset;
    query.limit = limit;
    let page = src.backend.query(&session.principal, &src.account, &query).await.map_err(|e| backend_error(&e))?;
    let messages: Vec<_> = page.items.into_iter().map(Arc::new).collect();
    session.prime_messages(src, &messages).await;
    let wants = Wants::of_connection(&ctx.look_ahead());
    let cap = SchemaSettings::of(ctx).inline_content_cap;
    prefetch(session, src, &messages, wants, cap).await;
    let count = messages.len();
    let edges: Vec<MessageEdge> = messages
        .into_iter()
        .enumerate()
        .map(|(i, msg)| MessageEdge { cursor: encode_cursor(offset + i), node: MessageObj::new(src.clone(), msg) })
        .collect();
    let page_info = PageInfo {
        // True when anything follows the page, whichever way the client pages.
        has_next_page: offset + count < page.total,
        has_previous_page: offset > 0,
        start_cursor: edges.first().map(|e| e.cursor.clone()),
        end_cursor: edges.last().map(|e| e.cursor.clone()),
    };
    let nodes = edges.iter().map(|e| e.node.clone()).collect();
    Ok(MessageConnection { edges, nodes, page_info, total_count: page.total })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn args(first: Option<i32>, after: Option<usize>, last: Option<i32>, before: Option<usize>) -> PageArgs {
        PageArgs { first, after: after.map(encode_cursor), last, before: before.map(encode_cursor) }
    }

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        assert_eq!(decode_cursor(&encode_cursor(42)).unwrap(), 42);
        assert!(decode_cursor("nope").is_err());
        assert!(decode_cursor(&URL_SAFE_NO_PAD.encode("o:-1")).is_err());
    }

    #[test]
    fn plans_windows() {
        let table = [
            (args(None, None, None, None), Plan::Window { offset: 0, limit: 50 }),
            (args(Some(10), None, None, None), Plan::Window { offset: 0, limit: 10 }),
            (args(Some(10), Some(9), None, None), Plan::Window { offset: 10, limit: 10 }),
            (args(Some(10), Some(9), None, Some(15)), Plan::Window { offset: 10, limit: 5 }),
            (args(None, None, Some(5), Some(20)), Plan::Window { offset: 15, limit: 5 }),
            (args(None, Some(17), Some(5), Some(20)), Plan::Window { offset: 18, limit: 2 }),
            (args(None, None, Some(5), None), Plan::Tail { start: 0, last: 5 }),
            (args(Some(0), None, None, None), Plan::Window { offset: 0, limit: 0 }),
        ];
        for (input, expected) in table {
            assert_eq!(plan(&input).unwrap(), expected, "{input:?}");
        }
    }

    #[test]
    fn rejects_bad_sizes() {
        assert!(plan(&args(Some(-1), None, None, None)).is_err());
        assert!(plan(&args(Some(501), None, None, None)).is_err());
        assert!(plan(&args(Some(1), None, Some(1), None)).is_err());
    }
}
