//! [`ShapeLimits`]: counts what async-graphql's own limits do not, the aliases
//! in a document and the fields at the root of each operation.
//!
//! Both are checked right after parsing, before validation, so an alias bomb
//! (thousands of `a1: me { … } a2: me { … }`) costs one parse and is refused
//! before it is validated or resolved. Fragments are followed (once each: a
//! fragment spread twice selects the same fields, which GraphQL merges).

use crate::error::Code;
use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ErrorExtensionValues, Positioned, ServerError, ServerResult, Variables};
use std::collections::HashSet;
use std::sync::Arc;

/// The alias and root-field limits, as a schema extension.
pub struct ShapeLimits {
    /// The most aliased fields in one document.
    pub max_aliases: usize,
    /// The most fields at the root of one operation.
    pub max_root_fields: usize,
}

impl ExtensionFactory for ShapeLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ShapeLimits { max_aliases: self.max_aliases, max_root_fields: self.max_root_fields })
    }
}

#[async_trait::async_trait]
impl Extension for ShapeLimits {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        self.check(&document)?;
        Ok(document)
    }
}

impl ShapeLimits {
    /// Refuses `document` if it has too many aliases or root fields.
    pub fn check(&self, document: &ExecutableDocument) -> ServerResult<()> {
        let aliases = alias_count(document);
        if aliases > self.max_aliases {
            return Err(refusal(format!(
                "the document has {aliases} aliased fields; at most {} are allowed",
                self.max_aliases
            )));
        }
        for (name, operation) in document.operations.iter() {
            let mut seen = HashSet::new();
            let root_fields = field_count(document, &operation.node.selection_set, &mut seen);
            if root_fields > self.max_root_fields {
                let name = name.map_or_else(|| "the operation".to_owned(), |name| format!("operation `{name}`"));
                return Err(refusal(format!(
                    "{name} selects {root_fields} root fields; at most {} are allowed",
                    self.max_root_fields
                )));
            }
        }
        Ok(())
    }
}

/// A refusal of the whole document: no position, the limit's code.
fn refusal(message: String) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", Code::QueryTooComplex.as_str());
    error.extensions = Some(extensions);
    error
}

/// Aliased fields in every operation and fragment of the document (each
/// definition counted once, however often it is spread).
fn alias_count(document: &ExecutableDocument) -> usize {
    let in_operations: usize =
        document.operations.iter().map(|(_, operation)| aliases_in(&operation.node.selection_set)).sum();
    let in_fragments: usize =
        document.fragments.values().map(|fragment| aliases_in(&fragment.node.selection_set)).sum();
    in_operations.saturating_add(in_fragments)
}

/// Aliased fields in a selection set and below it, not following spreads.
fn aliases_in(set: &Positioned<SelectionSet>) -> usize {
    // An explicit stack: the parser bounds nesting, but a deep document must
    // not cost a deep Rust stack here either.
    let mut stack = vec![set];
    let mut count = 0usize;
    while let Some(set) = stack.pop() {
        for selection in &set.node.items {
            match &selection.node {
                Selection::Field(field) => {
                    count += usize::from(field.node.alias.is_some());
                    stack.push(&field.node.selection_set);
                }
                Selection::InlineFragment(fragment) => stack.push(&fragment.node.selection_set),
                Selection::FragmentSpread(_) => {}
            }
        }
    }
    count
}

/// Fields directly in `set`, looking through inline fragments and fragment
/// spreads (each fragment once; `seen` also stops spread cycles, which
/// validation reports later).
fn field_count<'a>(
    document: &'a ExecutableDocument,
    set: &'a Positioned<SelectionSet>,
    seen: &mut HashSet<&'a str>,
) -> usize {
    let mut count = 0usize;
    for selection in &set.node.items {
        count = count.saturating_add(match &selection.node {
            Selection::Field(_) => 1,
            Selection::InlineFragment(fragment) => field_count(document, &fragment.node.selection_set, seen),
            Selection::FragmentSpread(spread) => {
                let name = spread.node.fragment_name.node.as_str();
                match document.fragments.get(name) {
                    Some(fragment) if seen.insert(name) => field_count(document, &fragment.node.selection_set, seen),
                    _ => 0,
                }
            }
        });
    }
    count
}
