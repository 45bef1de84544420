//! `/graphql/sse`: one subscription per request as server-sent events
//! (graphql-sse's distinct-connections mode): `event: next` with each
//! result, `event: complete` at the end, a comment line as heartbeat.
//!
//! The request is a GraphQL request as on `/graphql` (a GET query string or
//! a JSON POST) with the token in `Authorization`; the safelist and the
//! connection cap apply. Errors before the stream starts are plain coded
//! responses (401, 403, 429, 400), so a client can tell them from events.

use super::ws::Admitted;
use crate::app::AppState;
use crate::http::{error::error_response, ResponseMedia};
use async_graphql::Executor;
use async_graphql_axum::GraphQLRequest;
use axum::extract::{FromRequest, Request, State};
use axum::http::{header, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use std::convert::Infallible;
use std::sync::Arc;

/// The path of the route.
pub const ROUTE: &str = "/graphql/sse";

/// Runs the subscription and streams its results.
pub async fn stream(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let refuse = |status, message: &str, code| error_response(status, message, code, ResponseMedia::Json);
    let authorization = request.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let verified = match state.auth.principal_from_header(authorization.as_deref()).await {
        Ok(Some(verified)) => verified,
        Ok(None) => return refuse(StatusCode::UNAUTHORIZED, "a bearer token is required", "UNAUTHENTICATED"),
        Err(err) => return refuse(StatusCode::UNAUTHORIZED, &err.to_string(), "UNAUTHENTICATED"),
    };
    if !verified.scopes.read {
        return refuse(StatusCode::FORBIDDEN, "this token lacks the mail:read scope", "FORBIDDEN");
    }
    let Some(slot) = state.cap.open(&verified.principal.username) else {
        let message =
            format!("too many live connections for this user (at most {})", state.live.max_connections_per_user);
        return refuse(StatusCode::TOO_MANY_REQUESTS, &message, "RATE_LIMITED");
    };
    let request =
        match GraphQLRequest::<async_graphql_axum::rejection::GraphQLRejection>::from_request(request, &state).await {
            Ok(request) => request.into_inner(),
            Err(err) => {
                return refuse(StatusCode::BAD_REQUEST, &format!("not a GraphQL request: {}", err.0), "BAD_USER_INPUT")
            }
        };
    let rules = state.current();
    let executor = Admitted::new(rules.schema.clone(), rules.persisted.clone());
    let request = request.data(verified.scopes);
    let request = mailgate_schema::attach_request_data(request, Some(verified.principal), state.directory.clone());
    let results = Executor::execute_stream(&executor, request, None).map(move |response| {
        // The slot lives as long as the stream: the client's place is freed when it goes.
        let _held = &slot;
        Ok::<_, Infallible>(
            Event::default()
                .event("next")
                .json_data(&response)
                .unwrap_or_else(|_| Event::default().event("next").data("{}")),
        )
    });
    let complete = futures::stream::once(async { Ok(Event::default().event("complete").data("")) });
    Sse::new(results.chain(complete)).keep_alive(KeepAlive::new().interval(state.live.heartbeat())).into_response()
}
