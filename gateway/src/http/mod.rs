//! The HTTP layer around the routes: GraphQL-over-HTTP media types and status
//! codes, CORS, CSRF prevention, response compression and request ids.
//!
//! [`layers`] stacks the tower layers over a router, outermost first: a
//! request id is fixed (kept if the client sent a usable one, else
//! generated), a tracing span carrying it is entered for the whole request,
//! the id is copied onto the response, CORS answers preflights, and the
//! response is compressed as `Accept-Encoding` asks. CSRF prevention sits on
//! `/graphql` alone (see [`csrf`]).
//!
//! - [`settings`]: what the configuration decides ([`HttpSettings`]).
//! - [`accept`]: which media type a response uses ([`ResponseMedia`]).
//! - [`content_type`]: which request bodies `/graphql` reads (415 otherwise).
//! - [`graphql_response`]: an executed response as HTTP, with the spec's status codes.
//! - [`error`]: coded error bodies.
//! - [`csrf`], [`cors`], [`request_id`]: the guard and the layers.

pub mod accept;
pub mod content_type;
pub mod cors;
pub mod csrf;
pub mod error;
pub mod graphql_response;
pub mod request_id;
pub mod settings;

pub use accept::ResponseMedia;
pub use settings::HttpSettings;

use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// Wraps every route of `router` in the gateway's HTTP layers.
pub fn layers(router: Router, settings: &HttpSettings) -> Router {
    // `Router::layer` wraps what is already there, so the last call is the outermost layer.
    // gzip and brotli as `Accept-Encoding` asks; tiny bodies, images and
    // event streams are left alone (tower-http's default predicate).
    let mut router = router.layer(CompressionLayer::new().gzip(true).br(true).no_deflate().no_zstd());
    if let Some(cors) = cors::layer(&settings.cors_origins) {
        router = router.layer(cors);
    }
    router
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(request_id::RequestSpan))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(axum::middleware::map_request(request_id::drop_unusable_id))
}
