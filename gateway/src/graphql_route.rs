//! `/graphql`: the route's layers and the handler that executes operations.
//!
//! The route follows the GraphQL-over-HTTP spec: GET (queries only) and POST
//! with `application/json`, a single request or a batch (a JSON array of at
//! most `max_batch` requests); the response media type and status codes come
//! from `Accept` (see [`crate::http`]).
//!
//! Layers, outermost first: CSRF prevention (400), the request timeout
//! (504, reading the body included), the body size limit (413); then the
//! handler, which refuses a query text over `max_query_bytes`, applies the
//! persisted-operations mode ([`crate::persisted`]: a safelist refuses what
//! it does not list) and the per-user rate limit (429), and takes a
//! concurrency permit (else 503) only once the body is read and the request
//! is admitted: a refused or stalled request holds no permit.

use crate::app::AppState;
use crate::auth::{AuthError, Verified};
use crate::http::graphql_response::GraphqlHttpResponse;
use crate::http::{content_type, csrf, error, ResponseMedia};
use crate::limits::load;
use crate::limits::rate::retry_after_seconds;
use crate::reload::Reloadable;
use crate::telemetry;
use async_graphql::BatchRequest;
use async_graphql_axum::GraphQLBatchRequest;
use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use mailgate_schema::Principal;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Instant;
use tower_http::limit::RequestBodyLimitLayer;

/// The `/graphql` route with its layers.
pub fn method_router(state: &Arc<AppState>) -> MethodRouter<Arc<AppState>> {
    let mut route = get(graphql)
        .post(graphql)
        .layer(RequestBodyLimitLayer::new(state.max_request_bytes))
        .layer(from_fn_with_state(state.clone(), load::time_out_slow_requests));
    if state.http.csrf_prevention {
        route = route.layer(from_fn(csrf::refuse_unpreflighted));
    }
    route
}

/// Executes one GraphQL request (or batch) for the caller named by its bearer token.
///
/// The checks run in the spec's order: an `Accept` we cannot serve is a 406,
/// a body we do not read a 415, a body that is not a GraphQL request (or a
/// batch that is empty or too large) a 400, a bad token a 401, a mutation
/// over GET a 405; then the caller's rate limit (429), and the operations run
/// and [`GraphqlHttpResponse`] picks 200 or 400.
async fn graphql(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let started = Instant::now();
    // The rules in force when the request arrived, kept to its end.
    let rules = state.current();
    let Some(media) = ResponseMedia::negotiate(request.headers()) else {
        let message = "this endpoint answers application/graphql-response+json or application/json";
        return error::error_response(StatusCode::NOT_ACCEPTABLE, message, "BAD_USER_INPUT", ResponseMedia::Json);
    };
    let bad_input = |status, message: &str| error::error_response(status, message, "BAD_USER_INPUT", media);
    let method = request.method().clone();
    if method != Method::GET && method != Method::POST {
        // axum answers HEAD with the GET handler; a HEAD must not run an operation.
        let mut response = bad_input(StatusCode::METHOD_NOT_ALLOWED, "use GET (queries) or POST");
        response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, POST"));
        return response;
    }
    if let Err(message) = content_type::check(&method, request.headers()) {
        return bad_input(StatusCode::UNSUPPORTED_MEDIA_TYPE, &message);
    }
    let authorization = request.headers().get(header::AUTHORIZATION).cloned();
    let batch = match GraphQLBatchRequest::<BadRequest>::from_request(request, &state).await {
        Ok(batch) => batch.into_inner(),
        Err(err) => return err.into_response_as(media),
    };
    let (mut requests, is_batch) = match batch {
        BatchRequest::Single(request) => (vec![request], false),
        BatchRequest::Batch(requests) => (requests, true),
    };
    let Some(operations) = NonZeroUsize::new(requests.len()) else {
        return bad_input(StatusCode::BAD_REQUEST, "the batch is empty");
    };
    if operations > rules.limits.max_batch {
        let message = format!("a batch of {operations} operations; at most {} are allowed", rules.limits.max_batch);
        return bad_input(StatusCode::BAD_REQUEST, &message);
    }
    if requests.iter().any(|r| r.query.trim().is_empty() && !r.extensions.contains_key("persistedQuery")) {
        return bad_input(StatusCode::BAD_REQUEST, "the request has no query");
    }
    if let Some(request) = requests.iter().find(|r| r.query.len() > rules.limits.max_query_bytes) {
        // Checked before anything parses or caches the text (APQ registers
        // documents before validation): a huge document costs nothing here.
        let message = format!(
            "the query text is {} bytes; at most {} are allowed",
            request.query.len(),
            rules.limits.max_query_bytes
        );
        return error::error_response(StatusCode::BAD_REQUEST, &message, "QUERY_TOO_COMPLEX", media);
    }
    for request in &mut requests {
        if let Err(refusal) = rules.persisted.admit(request) {
            return error::error_response(StatusCode::BAD_REQUEST, &refusal.message, refusal.code, media);
        }
    }
    let verified = match state.auth.principal_from_header(authorization.as_ref().and_then(|v| v.to_str().ok())).await {
        Ok(verified) => verified,
        Err(err) => return unauthenticated(&err, media),
    };
    if method == Method::GET && names_a_mutation(&rules, &requests).await {
        // GraphQL over HTTP: GET must not change state (it may be prefetched or cached).
        let mut response = bad_input(StatusCode::METHOD_NOT_ALLOWED, "mutations must use POST");
        response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    if let Some(response) = rate_limited(&rules, verified.as_ref().map(|v| &v.principal), operations, media) {
        return response;
    }
    // The permit is taken once the body is in: a client that stalls its body
    // holds nothing but its own connection (and is cut off by the timeout).
    let Some(_permit) = rules.gate.try_enter() else {
        return load::shed(media);
    };
    let executions = requests.into_iter().map(|request| execute(&state, &rules, request, verified.clone(), started));
    let mut responses = futures::future::join_all(executions).await;
    if is_batch {
        return GraphqlHttpResponse::batch(responses, media);
    }
    match responses.pop() {
        Some(response) => GraphqlHttpResponse { response, media }.into_response(),
        None => error::error_response(StatusCode::INTERNAL_SERVER_ERROR, "internal error", "INTERNAL", media),
    }
}

/// Runs one operation and records its metrics.
async fn execute(
    state: &AppState,
    rules: &Reloadable,
    request: async_graphql::Request,
    verified: Option<Verified>,
    started: Instant,
) -> async_graphql::Response {
    let operation = telemetry::operation_label(request.operation_name.as_deref());
    // The scopes go along only with a token: without one, fields answer UNAUTHENTICATED.
    let mut request = request.data(state.sign_in.clone());
    if let Some(verified) = &verified {
        request = request.data(verified.scopes);
    }
    let principal = verified.map(|v| v.principal);
    let request = mailgate_schema::attach_request_data(request, principal, state.directory.clone());
    let response = rules.schema.execute(request).await;
    let outcome = if response.errors.is_empty() { "ok" } else { "error" };
    for error in &response.errors {
        metrics::counter!("mailgate_graphql_errors_total", "code" => error_code_label(error)).increment(1);
    }
    metrics::counter!("mailgate_graphql_requests_total", "operation" => operation.clone(), "outcome" => outcome)
        .increment(1);
    metrics::histogram!("mailgate_graphql_request_seconds", "operation" => operation)
        .record(started.elapsed().as_secs_f64());
    response
}

/// 429 with `Retry-After` when the caller's bucket cannot pay for `operations`.
fn rate_limited(
    rules: &Reloadable,
    principal: Option<&Principal>,
    operations: NonZeroUsize,
    media: ResponseMedia,
) -> Option<Response> {
    let wait = rules.rate.as_ref()?.check(principal.map(|p| p.username.as_str()), operations).err()?;
    metrics::counter!("mailgate_http_rate_limited_total").increment(1);
    let seconds = retry_after_seconds(wait);
    let message = format!("too many requests; retry in {seconds} s");
    let mut response = error::error_response(StatusCode::TOO_MANY_REQUESTS, &message, "RATE_LIMITED", media);
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    Some(response)
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

/// Whether any request selects a mutation, by its text or by the APQ hash it sends.
async fn names_a_mutation(rules: &Reloadable, requests: &[async_graphql::Request]) -> bool {
    for request in requests {
        let hashed = rules.persisted.hashed_operation_type(request).await;
        if is_mutation(request) || hashed == Some(async_graphql::parser::types::OperationType::Mutation) {
            return true;
        }
    }
    false
}

/// Whether the request's selected operation is a mutation (unparseable
/// documents are left to the executor, which reports them properly).
fn is_mutation(request: &async_graphql::Request) -> bool {
    use async_graphql::parser::types::{DocumentOperations, OperationType};
    let Ok(document) = async_graphql::parser::parse_query(&request.query) else { return false };
    let ty = match (&document.operations, &request.operation_name) {
        (DocumentOperations::Single(op), _) => Some(op.node.ty),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name.as_str()).map(|op| op.node.ty),
        (DocumentOperations::Multiple(ops), None) => ops.values().next().map(|op| op.node.ty),
    };
    ty == Some(OperationType::Mutation)
}

fn unauthenticated(err: &AuthError, media: ResponseMedia) -> Response {
    let mut response = error::error_response(StatusCode::UNAUTHORIZED, &err.to_string(), "UNAUTHENTICATED", media);
    response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

/// An error's `extensions.code` as a metric label: one of the closed set,
/// else `other` (labels must stay bounded).
fn error_code_label(error: &async_graphql::ServerError) -> &'static str {
    let code = error.extensions.as_ref().and_then(|ext| match ext.get("code") {
        Some(async_graphql::Value::String(code)) => Some(code.as_str()),
        _ => None,
    });
    mailgate_schema::Code::ALL.iter().map(|c| c.as_str()).find(|known| Some(*known) == code).unwrap_or("other")
}
