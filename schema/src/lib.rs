//! The GraphQL contract of Mailgate: types, resolvers, per-request DataLoaders,
//! the search language and error codes. `schema/schema.graphql` is the SDL this
//! crate serves, checked by a test.
//!
//! The gateway builds one schema with [`build_schema`], and for every request
//! calls [`attach_request_data`] with the verified [`Principal`] and the
//! [`Directory`] that maps (user, source) to a [`mailgate_backend::MailBackend`].
//!
//! # Layout
//! - [`settings`]: the schema's settings, [`SchemaSettings`].
//! - [`access`]: token scopes and the guard on every root field.
//! - [`directory`], [`source`]: which backend serves which (user, source).
//! - [`session`]: the per-request state and [`attach_request_data`].
//! - [`loader`]: the DataLoader batch functions; every lookup goes through them.
//! - [`query`], [`mutation`], [`subscription`]: the root types; [`types`]: one object type per file.
//! - [`paging`]: Relay connections over message listings; [`prefetch`]:
//!   one batch per kind for what a page's items select.
//! - [`search`]: the search language parser.
//! - [`id`]: opaque global ids; [`error`]: `extensions.code` values;
//!   [`limits`]: what one operation may ask for ([`QueryLimits`]) and codes for
//!   async-graphql's own errors.
//! - [`persisted`]: automatic persisted queries ([`PersistedQueryCache`]).
//! - [`time`]: timestamps as RFC 3339 strings.
//!
//! Knows GraphQL and the backend trait, nothing else: no HTTP, no storage.

pub mod access;
pub mod directory;
pub mod error;
pub mod id;
pub mod limits;
pub mod loader;
pub mod mutation;
pub mod paging;
pub mod persisted;
pub mod prefetch;
pub mod query;
pub mod search;
pub mod session;
pub mod settings;
pub mod source;
pub mod subscription;
pub mod time;
pub mod types;

pub use access::{Need, Scopes};
pub use directory::{Directory, ResolvedAccount};
pub use error::{error_code, Code};
pub use id::{GlobalId, IdType};
pub use limits::QueryLimits;
pub use mailgate_backend::Principal;
pub use mutation::{Authenticator, MutationRoot};
pub use persisted::PersistedQueryCache;
pub use query::QueryRoot;
pub use session::{attach_request_data, fill_request_data, Session};
pub use settings::SchemaSettings;
pub use subscription::SubscriptionRoot;

use async_graphql::Schema;

/// The schema type the gateway serves.
pub type MailSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Builds the schema. Settings are schema data, read by resolvers that need
/// them (attachment content cap, download URLs); their limits configure the
/// checks that run before execution.
pub fn build_schema(settings: SchemaSettings) -> MailSchema {
    builder(settings).finish()
}

/// [`build_schema`], serving automatic persisted queries from `cache`.
pub fn build_schema_with_apq(settings: SchemaSettings, cache: &PersistedQueryCache) -> MailSchema {
    builder(settings).extension(cache.extension()).finish()
}

fn builder(settings: SchemaSettings) -> async_graphql::SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    let limits = settings.limits;
    Schema::build(QueryRoot, MutationRoot, SubscriptionRoot)
        .data(settings)
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .limit_directives(limits.max_directives)
        .extension(limits::shape::ShapeLimits {
            max_aliases: limits.max_aliases,
            max_root_fields: limits.max_root_fields,
        })
        .extension(limits::ErrorCodes)
        // Spans for parsing, validation, execution and each resolver, under
        // the request's span (and its request id); off unless the log filter
        // enables the `async_graphql` target, so they cost nothing by default.
        .extension(async_graphql::extensions::Tracing)
}
