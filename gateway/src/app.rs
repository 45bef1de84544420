//! The axum application: routes and shared state.
//!
//! `/graphql` and its own layers (CSRF prevention, load shedding, timeout,
//! body limit) are in [`crate::graphql_route`]. The HTTP layers (request ids,
//! CORS, compression) wrap every route.

use crate::auth::TokenAuthority;
use crate::config::Config;
use crate::download;
use crate::http::{error, HttpSettings, ResponseMedia};
use crate::live::cap::ConnectionCap;
use crate::live::{sse, ws, LiveConfig};
use crate::reload::Reloadable;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use mailgate_backend::MailBackend;
use mailgate_schema::{Authenticator, Directory, SchemaSettings};
use metrics_exporter_prometheus::PrometheusHandle;
use std::sync::{Arc, RwLock};

/// What every request handler shares. Holds no per-user state but the
/// rate limit's token buckets and the refresh sessions.
pub struct AppState {
    /// Maps (user, source) to a backend; handed to each request's loaders.
    pub directory: Arc<Directory>,
    /// The native backend, for attachment downloads.
    pub native: Arc<dyn MailBackend>,
    /// Verifies bearer tokens.
    pub auth: TokenAuthority,
    /// `login`, `refreshToken` and `logout`.
    pub sign_in: Arc<dyn Authenticator>,
    /// Renders `/metrics`.
    pub metrics: PrometheusHandle,
    /// The largest request body accepted on `/graphql`, in bytes.
    pub max_request_bytes: usize,
    /// CORS origins and CSRF prevention.
    pub http: HttpSettings,
    /// The schema settings every reload starts from (all but the limits).
    pub schema_settings: SchemaSettings,
    /// Limits, schema, rate limiter and persisted operations: what `SIGHUP` replaces.
    pub reloadable: RwLock<Arc<Reloadable>>,
    /// Subscriptions' heartbeat and connection cap settings.
    pub live: LiveConfig,
    /// Open live connections per user.
    pub cap: Arc<ConnectionCap>,
}

impl AppState {
    /// The reloadable state in force now; a request takes it once.
    pub fn current(&self) -> Arc<Reloadable> {
        self.reloadable.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Replaces the reloadable state with what `config` asks for; on error nothing changes.
    pub fn reload(&self, config: &Config) -> anyhow::Result<()> {
        let next = Reloadable::build(config, &self.schema_settings, Some(&self.current()))?;
        *self.reloadable.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(next);
        Ok(())
    }
}

/// The HTTP routes of the gateway, inside the HTTP layers.
pub fn router(state: Arc<AppState>) -> Router {
    let graphql_route = crate::graphql_route::method_router(&state);
    let settings = state.http.clone();
    let routes = Router::new()
        .merge(crate::playground::routes())
        .route("/graphql", graphql_route)
        .route(ws::ROUTE, get(ws::upgrade))
        .route(sse::ROUTE, get(sse::stream).post(sse::stream))
        .route("/health", get(crate::health::live))
        .route("/health/live", get(crate::health::live))
        .route("/health/ready", get(crate::health::ready))
        .route("/metrics", get(metrics))
        .route(&format!("{}/{{message}}/{{part}}", download::ROUTE_PREFIX), get(download::attachment))
        .with_state(state);
    crate::http::layers(routes, &settings)
}

/// A GraphQL-shaped error body with a stable code (as `application/graphql-response+json`).
pub(crate) fn error_response(status: StatusCode, message: &str, code: &str) -> Response {
    error::error_response(status, message, code, ResponseMedia::GraphqlResponseJson)
}

async fn metrics(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render())
}
