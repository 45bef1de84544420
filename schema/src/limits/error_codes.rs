//! Codes for the errors async-graphql itself raises.
//!
//! Its depth, complexity, directive and recursion limits refuse a document
//! before any backend call; those errors become `QUERY_TOO_COMPLEX`. Every other error
//! that reaches the response without a code was raised by async-graphql while
//! parsing, validating or coercing the client's document or variables (all of
//! this crate's own errors carry a code), so it becomes `BAD_USER_INPUT`:
//! clients can rely on every error having `extensions.code`.

use crate::error::Code;
use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextRequest};
use async_graphql::{ErrorExtensionValues, Response, Value};
use std::sync::Arc;

/// The async-graphql messages of its depth and complexity checks.
const TOO_COMPLEX: [&str; 2] = ["Query is too complex.", "Query is nested too deep."];
/// How its directive and recursion-depth checks' messages begin.
const TOO_COMPLEX_PREFIXES: [&str; 2] =
    ["The number of directives on the field", "The recursion depth of the query cannot be greater"];

/// The message of async-graphql's APQ extension for an unknown hash (the
/// protocol's message, which Apollo clients also match on).
const PERSISTED_QUERY_NOT_FOUND: &str = "PersistedQueryNotFound";

/// Whether an uncoded error is one of async-graphql's limit refusals.
fn is_limit_refusal(message: &str) -> bool {
    TOO_COMPLEX.contains(&message) || TOO_COMPLEX_PREFIXES.iter().any(|prefix| message.starts_with(prefix))
}

/// Adds `extensions.code` to errors that lack one.
pub struct ErrorCodes;

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodes)
    }
}

#[async_trait::async_trait]
impl Extension for ErrorCodes {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        for err in &mut response.errors {
            let ext = err.extensions.get_or_insert_with(ErrorExtensionValues::default);
            if ext.get("code").is_some() {
                continue;
            }
            let code = if is_limit_refusal(&err.message) {
                Code::QueryTooComplex
            } else if err.message == PERSISTED_QUERY_NOT_FOUND {
                Code::PersistedQueryNotFound
            } else {
                Code::BadUserInput
            };
            ext.set("code", Value::from(code.as_str()));
        }
        response
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::{build_schema, SchemaSettings};

    fn code_of(query: &str) -> Option<String> {
        let schema = build_schema(SchemaSettings::default());
        let res = futures::executor::block_on(schema.execute(query));
        let err = res.errors.first()?;
        match err.extensions.as_ref()?.get("code")? {
            async_graphql::Value::String(s) => Some(s.clone()),
            _ => None,
        }
    }

    #[test]
    fn every_error_gets_a_code() {
        let deep = format!("{{ me {{ mailboxes {{ {} name {} }} }} }}", "parent { ".repeat(25), "}".repeat(25));
        let wide =
            format!("{{ {} }}", (0..2100).map(|i| format!("a{i}: me {{ username }}")).collect::<Vec<_>>().join(" "));
        let table = [
            ("{ nope }", Some("BAD_USER_INPUT")),
            ("{", Some("BAD_USER_INPUT")),
            ("{ messages { subject } }", Some("BAD_USER_INPUT")),
            ("{ messages(username: 5) { subject } }", Some("BAD_USER_INPUT")),
            (deep.as_str(), Some("QUERY_TOO_COMPLEX")),
            (wide.as_str(), Some("QUERY_TOO_COMPLEX")),
            // The resolver's own code is kept.
            ("{ me { username } }", Some("UNAUTHENTICATED")),
            // GraphiQL-style introspection fits the depth limit.
            (
                "{ __schema { types { name fields { type { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } }",
                None,
            ),
        ];
        for (query, expected) in table {
            assert_eq!(code_of(query).as_deref(), expected, "{}", &query[..query.len().min(60)]);
        }
    }
}
