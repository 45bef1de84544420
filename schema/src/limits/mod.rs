//! Query limits: what one GraphQL operation may ask for before anything runs.
//!
//! A public gateway has to refuse the cheap-to-send, expensive-to-answer
//! documents (alias bombs, deep nesting, a page of 500 messages each listing
//! its thread's messages) before any backend call. [`QueryLimits`] holds the
//! numbers; [`crate::build_schema`] hands them to async-graphql's own depth,
//! complexity and directive checks and adds [`shape::ShapeLimits`] for
//! aliases and root fields, which async-graphql does not count. Every refusal
//! has the code `QUERY_TOO_COMPLEX` ([`error_codes::ErrorCodes`]).
//!
//! **Complexity.** Each selected field costs 1 plus what it selects; a field
//! that returns a page ([`page_cost`]) multiplies what it selects by the page
//! size the client asked for (`first`, `last` or `limit`, else the default
//! page), and a list without paging arguments by [`LIST_ESTIMATE`], so the
//! cost of a query follows the number of objects it can return, not the
//! length of its text.

pub mod error_codes;
pub mod shape;

pub use error_codes::ErrorCodes;

use crate::paging::{DEFAULT_PAGE, MAX_PAGE};

/// The limits on one operation. `Default` is what the gateway runs with unless
/// configured otherwise (`[limits]` in `gateway.example.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryLimits {
    /// The deepest selection accepted. GraphiQL's introspection query needs
    /// 13; the deepest mail query (a mailbox's messages' threads' messages'
    /// attachments) about 10.
    pub max_depth: usize,
    /// The largest cost (see the module doc). A full page of 50 messages with
    /// twenty fields each costs about 1,000; the largest page (500) of the
    /// same, about 10,000.
    pub max_complexity: usize,
    /// The most aliased fields in one document.
    pub max_aliases: usize,
    /// The most fields at the root of one operation.
    pub max_root_fields: usize,
    /// The most directives on one field.
    pub max_directives: usize,
}

impl Default for QueryLimits {
    fn default() -> Self {
        Self { max_depth: 20, max_complexity: 20_000, max_aliases: 30, max_root_fields: 20, max_directives: 5 }
    }
}

/// The complexity of a field that returns a page: what one item selects,
/// times the most items the page can hold. A page size out of range costs as
/// the largest page; the resolver refuses it anyway, but only after the cost
/// check, so the check must not be fooled by it.
pub fn page_cost(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
    let asked = first.or(last).map_or(DEFAULT_PAGE, |n| usize::try_from(n).unwrap_or(MAX_PAGE).min(MAX_PAGE));
    // The connection object itself (pageInfo, totalCount) is counted with the
    // items; a page of 0 still costs its own field.
    child_complexity.saturating_mul(asked.max(1)).saturating_add(1)
}

/// How many items a list without paging arguments (a thread's messages, a
/// source's mailboxes, a mailbox's children) is assumed to hold: enough that
/// nesting such lists inside a page is priced, not free.
pub const LIST_ESTIMATE: usize = 20;

/// The complexity of a list field without paging arguments.
pub fn list_cost(child_complexity: usize) -> usize {
    child_complexity.saturating_mul(LIST_ESTIMATE).saturating_add(1)
}

/// [`page_cost`] for a field with a single `limit` argument.
pub fn limit_cost(limit: i32, child_complexity: usize) -> usize {
    page_cost(Some(limit), None, child_complexity)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::{build_schema, SchemaSettings};

    /// The code of the first error `query` gets from a schema with `limits`.
    fn code_with(limits: QueryLimits, query: &str) -> Option<String> {
        let schema = build_schema(SchemaSettings { limits, ..SchemaSettings::default() });
        let response = futures::executor::block_on(schema.execute(query));
        let error = response.errors.first()?;
        match error.extensions.as_ref()?.get("code")? {
            async_graphql::Value::String(code) => Some(code.clone()),
            _ => None,
        }
    }

    fn repeat(part: &str, n: usize) -> String {
        (0..n).map(|i| part.replace("{i}", &i.to_string())).collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn each_limit_refuses_the_document_that_exceeds_it_and_admits_the_one_at_it() {
        let limits = QueryLimits::default();
        let too_complex = Some("QUERY_TOO_COMPLEX".to_owned());
        // No session: a document that passes every limit reaches a resolver,
        // which answers UNAUTHENTICATED.
        let admitted = Some("UNAUTHENTICATED".to_owned());
        let aliases = |n| format!("{{ me {{ {} }} }}", repeat("a{i}: username", n));
        assert_eq!(code_with(limits, &aliases(limits.max_aliases)), admitted);
        assert_eq!(code_with(limits, &aliases(limits.max_aliases + 1)), too_complex);
        // Aliases inside a fragment count too.
        let in_fragment = format!("{{ me {{ ...F }} }} fragment F on Account {{ {} }}", repeat("a{i}: username", 31));
        assert_eq!(code_with(limits, &in_fragment), too_complex);

        let roots = |n| format!("{{ {} }}", repeat("me { username }", n));
        assert_eq!(code_with(limits, &roots(limits.max_root_fields)), admitted);
        assert_eq!(code_with(limits, &roots(limits.max_root_fields + 1)), too_complex);
        // Root fields spread from fragments count at the root.
        let spread =
            format!("{{ me {{ username }} ...F }} fragment F on Query {{ {} }}", repeat("me { username }", 20));
        assert_eq!(code_with(limits, &spread), too_complex);

        let directives = |n| format!("{{ me {} {{ username }} }}", repeat("@include(if: true)", n));
        assert_eq!(code_with(limits, &directives(limits.max_directives + 1)), too_complex);

        let nested =
            |n: usize| format!("{{ me {{ mailboxes {{ {} name {} }} }} }}", "parent { ".repeat(n), "}".repeat(n));
        assert_eq!(code_with(limits, &nested(3)), admitted);
        assert_eq!(code_with(limits, &nested(limits.max_depth)), too_complex);
    }

    #[test]
    fn complexity_follows_the_page_size_asked_for() {
        let limits = QueryLimits { max_complexity: 1_000, ..QueryLimits::default() };
        let fields = "subject preview date size from { email name } to { email name } flags { seen flagged }";
        let page = |args: &str| format!("{{ search(query: \"x\" {args}) {{ edges {{ node {{ {fields} }} }} }} }}");
        // 13 fields a message: 10 messages fit, 100 do not; no `first` means the default 50.
        assert_eq!(code_with(limits, &page("first: 10")), Some("UNAUTHENTICATED".to_owned()));
        assert_eq!(code_with(limits, &page("first: 100")), Some("QUERY_TOO_COMPLEX".to_owned()));
        assert_eq!(code_with(limits, &page("last: 100")), Some("QUERY_TOO_COMPLEX".to_owned()));
        assert_eq!(code_with(limits, &page("")), Some("UNAUTHENTICATED".to_owned()));
        let listing = |limit: u32| format!("{{ messages(username: \"ann\", limit: {limit}) {{ {fields} }} }}");
        assert_eq!(code_with(limits, &listing(10)), Some("UNAUTHENTICATED".to_owned()));
        assert_eq!(code_with(limits, &listing(400)), Some("QUERY_TOO_COMPLEX".to_owned()));
        // A thread's messages inside a page cost the list estimate each.
        let threads = |n: u32| {
            format!("{{ search(query: \"x\", first: {n}) {{ edges {{ node {{ thread {{ messages {{ {fields} }} }} }} }} }} }}")
        };
        assert_eq!(code_with(limits, &threads(1)), Some("UNAUTHENTICATED".to_owned()));
        assert_eq!(code_with(limits, &threads(10)), Some("QUERY_TOO_COMPLEX".to_owned()));
    }

    #[test]
    fn page_cost_multiplies_by_the_asked_page() {
        assert_eq!(page_cost(None, None, 10), 10 * DEFAULT_PAGE + 1);
        assert_eq!(page_cost(Some(3), None, 10), 31);
        assert_eq!(page_cost(None, Some(4), 10), 41);
        assert_eq!(page_cost(Some(0), None, 10), 11);
        // Out of range asks cost as the largest page, never less.
        assert_eq!(page_cost(Some(-1), None, 10), 10 * MAX_PAGE + 1);
        assert_eq!(page_cost(Some(i32::MAX), None, 10), 10 * MAX_PAGE + 1);
        assert_eq!(page_cost(Some(2), None, usize::MAX), usize::MAX);
        assert_eq!(limit_cost(7, 2), 15);
        assert_eq!(list_cost(3), 3 * LIST_ESTIMATE + 1);
    }
}
