//! The axum application: routes, shared state, and the GraphQL handler.
//!
//! `/graphql` follows the GraphQL-over-HTTP spec: GET (queries only) and
//! POST with `application/json`; the response media type and status codes
//! come from `Accept` (see [`crate::http`]). The HTTP layers (request ids,
//! CORS, compression) wrap every route; CSRF prevention wraps `/graphql`.

use crate::auth::{AuthError, TokenAuthority};
use crate::download;
use crate::http::graphql_response::GraphqlHttpResponse;
use crate::http::{content_type, csrf, error, HttpSettings, ResponseMedia};
use crate::telemetry;
use async_graphql::http::GraphiQLSource;
use async_graphql_axum::GraphQLRequest;
use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
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
    /// CORS origins and CSRF prevention.
    pub http: HttpSettings,
}

/// The HTTP routes of the gateway, inside the HTTP layers.
pub fn router(state: Arc<AppState>) -> Router {
    let body_limit = RequestBodyLimitLayer::new(state.max_request_bytes);
    let mut graphql_route = get(graphql).post(graphql).layer(body_limit);
    if state.http.csrf_prevention {
        graphql_route = graphql_route.layer(axum::middleware::from_fn(csrf::refuse_unpreflighted));
    }
    let settings = state.http.clone();
    let routes = Router::new()
        .route("/", get(playground))
        .route("/graphql", graphql_route)
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .route(&format!("{}/{{message}}/{{part}}", download::ROUTE_PREFIX), get(download::attachment))
        .with_state(state);
    crate::http::layers(routes, &settings)
}

/// Executes one GraphQL request for the caller named by its bearer token.
///
/// After CSRF prevention (a layer, 400), the checks run in the spec's
/// order: an `Accept` we cannot serve is a 406,
/// a body we do not read a 415, a body that is not a GraphQL request a 400,
/// a bad token a 401, a mutation over GET a 405; then the operation runs and
/// [`GraphqlHttpResponse`] picks 200 or 400.
async fn graphql(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let started = Instant::now();
    let Some(media) = ResponseMedia::negotiate(request.headers()) else {
        let message = "this endpoint answers application/graphql-response+json or application/json";
        return error::error_response(StatusCode::NOT_ACCEPTABLE, message, "BAD_USER_INPUT", ResponseMedia::Json);
    };
    let method = request.method().clone();
    if let Err(message) = content_type::check(&method, request.headers()) {
        return error::error_response(StatusCode::UNSUPPORTED_MEDIA_TYPE, &message, "BAD_USER_INPUT", media);
    }
    let authorization = request.headers().get(header::AUTHORIZATION).cloned();
    let request = match GraphQLRequest::<BadRequest>::from_request(request, &state).await {
        Ok(request) => request.into_inner(),
        Err(err) => return err.into_response_as(media),
    };
    if request.query.trim().is_empty() && !request.extensions.contains_key("persistedQuery") {
        let message = "the request has no query";
        return error::error_response(StatusCode::BAD_REQUEST, message, "BAD_USER_INPUT", media);
    }
    let principal = match state.auth.principal_from_header(authorization.as_ref().and_then(|v| v.to_str().ok())) {
        Ok(principal) => principal,
        Err(err) => return unauthenticated(&err, media),
    };
    if method == Method::GET && is_mutation(&request) {
        // GraphQL over HTTP: GET must not change state (it may be prefetched or cached).
        let mut response =
            error::error_response(StatusCode::METHOD_NOT_ALLOWED, "mutations must use POST", "BAD_USER_INPUT", media);
        response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    let operation = telemetry::operation_label(request.operation_name.as_deref());
    let request = mailgate_schema::attach_request_data(request, principal, state.directory.clone());
    let response = state.schema.execute(request).await;
    let outcome = if response.errors.is_empty() { "ok" } else { "error" };
    metrics::counter!("mailgate_graphql_requests_total", "operation" => operation.clone(), "outcome" => outcome)
        .increment(1);
    metrics::histogram!("mailgate_graphql_request_seconds", "operation" => operation)
        .record(started.elapsed().as_secs_f64());
    GraphqlHttpResponse { response, media }.into_response()
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
        self.into_response_as(ResponseMedia::GraphqlResponseJson)
    }
}

impl BadRequest {
    /// The coded 400 (or 413) in the media type the client accepts.
    fn into_response_as(self, media: ResponseMedia) -> Response {
        let error_response = |status, message: &str, code| error::error_response(status, message, code, media);
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

fn unauthenticated(err: &AuthError, media: ResponseMedia) -> Response {
    let mut response = error::error_response(StatusCode::UNAUTHORIZED, &err.to_string(), "UNAUTHENTICATED", media);
    response.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
    response
}

/// A GraphQL-shaped error body with a stable code (as `application/graphql-response+json`).
pub(crate) fn error_response(status: StatusCode, message: &str, code: &str) -> Response {
    error::error_response(status, message, code, ResponseMedia::GraphqlResponseJson)
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
