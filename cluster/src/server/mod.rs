//! The node's HTTP listener: Raft RPCs, the client API and the admin API on
//! one axum router (routes in [`crate::proto`]).
//!
//! - [`raft_routes`]: AppendEntries, Vote, Pre-Vote, and snapshots streamed
//!   into a file.
//! - [`api_routes`]: client writes and linearizable reads.
//! - [`admin_routes`]: status, digest, init, add learner, set voters, snapshot.

pub mod admin_routes;
pub mod api_routes;
pub mod raft_routes;

use crate::node::Node;
use crate::proto;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

/// The largest JSON body a node accepts: one AppendEntries batch may carry
/// several imports of up to [`crate::MAX_RAW_MESSAGE`] bytes each, in base64.
const MAX_BODY: usize = 512 * 1024 * 1024;

/// The router of one node.
pub fn router(node: Node) -> Router {
    Router::new()
        .route(proto::RAFT_APPEND, post(raft_routes::append))
        .route(proto::RAFT_VOTE, post(raft_routes::vote))
        .route(proto::RAFT_PRE_VOTE, post(raft_routes::pre_vote))
        .route(proto::RAFT_SNAPSHOT, post(raft_routes::snapshot))
        .route(proto::API_WRITE, post(api_routes::write))
        .route(proto::API_READ, post(api_routes::read))
        .route(proto::ADMIN_STATUS, get(admin_routes::status))
        .route(proto::ADMIN_DIGEST, get(admin_routes::digest))
        .route(proto::ADMIN_INIT, post(admin_routes::init))
        .route(proto::ADMIN_ADD_LEARNER, post(admin_routes::add_learner))
        .route(proto::ADMIN_VOTERS, post(admin_routes::voters))
        .route(proto::ADMIN_SNAPSHOT, post(admin_routes::snapshot))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(node)
}

/// Serves `router(node)` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    node: Node,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(node);
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}
