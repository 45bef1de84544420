//! The axum application: routes, shared state, and the GraphQL handler.

use crate::auth::{AuthError, TokenAuthority};
use crate::download;
use crate::telemetry;
use async_graphql::http::GraphiQLSource;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::State;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use mailgate_backend::MailBackend;
use mailgate_schema::{Directory, MailSchema};
use metrics_exporter_prometheus::PrometheusHandle;
use std::sync::Arc;
use std::time::Instant;
use tower_http::limit::RequestBodyLimitLayer;

/// What every request handler shares. Holds no per-user state.
pub struct AppState {
    /// The executable GraphQL schema.
    pub schema: MailSchema,
    /// Maps (user, source) to a backend; handed to each request's loaders.
    pub directory: Arc<Directory>,
    /// The native backend, for attachment downloads.
    pub native: Arc<dyn MailBackend>,
    /// Verifies bearer tokens.
    pub auth: TokenAuthority,
    /// Renders `/metrics`.
    pub metrics: PrometheusHandle,
    /// The largest request body accepted on `/graphql`, in bytes.
    pub max_request_bytes: usize,
}

/// The HTTP routes of the gateway.
pub fn router(state: Arc<AppState>) -> Router {
    let body_limit = RequestBodyLimitLayer::new(state.max_request_bytes);
    Router::new()
        .route("/", get(playground))
        .route("/graphql", get(graphql).post(graphql).layer(body_limit))
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .route(&format!("{}/{{message}}/{{part}}", download::ROUTE_PREFIX), get(download::attachment))
        .with_state(state)
}

/// Executes one GraphQL request for the caller named by its bearer token.
async fn graphql(
    State(state): State<Arc<AppState>>,
    method: Method,
    headers: HeaderMap,
    request: GraphQLRequest<BadRequest>,
) -> Response {
    let started = Instant::now();
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let principal = match state.auth.principal_from_header(authorization) {
        Ok(principal) => principal,
        Err(err) => return unauthenticated(&err),
    };
    let request = request.into_inner();
    if method == Method::GET && is_mutation(&request) {
        // GraphQL over HTTP: GET must not change state (it may be prefetched or cached).
        return error_response(StatusCode::METHOD_NOT_ALLOWED, "mutations must use POST", "BAD_USER_INPUT");
    }
    let operation = telemetry::operation_label(request.operation_name.as_deref());
    let request = mailgate_schema::attach_request_data(request, principal, state.directory.clone());
    let response = state.schema.execute(request).await;
    let outcome = if response.errors.is_empty() { "ok" } else { "error" };
    metrics::counter!("mailgate_graphql_requests_total", "operation" => operation.clone(), "outcome" => outcome)
        .increment(1);
    metrics::histogram!("mailgate_graphql_request_seconds", "operation" => operation)
        .record(started.elapsed().as_secs_f64());
    GraphQLResponse::from(response).into_response()
}

/// A request body that is not a GraphQL request, answered with a coded error.
pub struct BadRequest(async_graphql::ParseRequestError);

impl From<async_graphql::ParseRequestError> for BadRequest {
    fn from(err: async_graphql::ParseRequestError) -> Self {
        Self(err)
    }
}

impl IntoResponse for BadRequest {
    fn into_response(self) -> Response {
        let text = self.0.to_string();
        // A body cut off by the size limit while streaming (no Content-Length
        // to refuse it up front) surfaces here as an I/O error.
        if matches!(self.0, async_graphql::ParseRequestError::PayloadTooLarge) || text.contains("length limit exceeded")
        {
            return error_response(StatusCode::PAYLOAD_TOO_LARGE, "the request body is too large", "BAD_USER_INPUT");
        }
        error_response(StatusCode::BAD_REQUEST, &format!("not a GraphQL request: {text}"), "BAD_USER_INPUT")
    }
}

/// Whether the request's selected operation is a mutation (unparseable
/// documents are left to the executor, which reports them properly).
fn is_mutation(request: &async_graphql::Request) -> bool {
    let Ok(document) = async_graphql::parser::parse_query(&request.query) else { return false };
    let ty = match (&document.operations, &request.operation_name) {
        (async_graphql::parser::types::DocumentOperations::Single(op), _) => Some(op.node.ty),
        (async_graphql::parser::types::DocumentOperations::Multiple(ops), Some(name)) => {
            ops.get(name.as_str()).map(|op| op.node.ty)
        }
        (async_graphql::parser::types::DocumentOperations::Multiple(ops), None) => {
            ops.values().next().map(|op| op.node.ty)
        }
    };
    ty == Some(async_graphql::parser::types::OperationType::Mutation)
}

fn unauthenticated(err: &AuthError) -> Response {
    let mut response = error_response(StatusCode::UNAUTHORIZED, &err.to_string(), "UNAUTHENTICATED");
    response.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
    response
}

/// A GraphQL-shaped error body with a stable code.
pub(crate) fn error_response(status: StatusCode, message: &str, code: &str) -> Response {
    let body = serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    let mut response = (status, Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/graphql-response+json"));
    response
}

async fn health() -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok" }))
}

async fn metrics(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render())
}

/// GraphiQL, so that a new user can explore the API from the browser.
async fn playground() -> impl IntoResponse {
    Html(GraphiQLSource::build().endpoint("/graphql").finish())
}
