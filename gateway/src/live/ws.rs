//! `GET /graphql/ws`: subscriptions over a websocket, in the protocol the
//! client asks for (`graphql-transport-ws` or the legacy `graphql-ws`).
//!
//! The client sends its token in `connection_init`'s payload, as
//! `{"Authorization": "Bearer …"}` (what graphql-ws clients and the
//! playground send) or `{"token": "…"}`; a bad or missing token, a token
//! without `mail:read`, or a user at their connection cap closes the socket
//! before any subscription runs. Operations go through [`Admitted`], so the
//! safelist holds here as on `/graphql`. Every `heartbeat_seconds` the
//! server sends a websocket ping (which browsers answer by themselves), so
//! proxies keep the idle connection and a dead peer is noticed.

use super::cap::ConnectionSlot;
use crate::app::AppState;
use crate::persisted::PersistedOperations;
use async_graphql::{Data, Executor, Request, Response};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response as HttpResponse;
use futures::stream::BoxStream;
use futures::{SinkExt, StreamExt};
use mailgate_schema::MailSchema;
use std::sync::Arc;

/// The path of the route.
pub const ROUTE: &str = "/graphql/ws";

/// The schema behind the persisted-operations check.
#[derive(Clone)]
pub struct Admitted {
    schema: MailSchema,
    persisted: PersistedOperations,
}

impl Admitted {
    /// `schema`, letting through only what `persisted` admits.
    pub fn new(schema: MailSchema, persisted: PersistedOperations) -> Self {
        Self { schema, persisted }
    }

    /// The request as it may run, or the refusal as a response.
    fn admit(&self, mut request: Request) -> Result<Request, Box<Response>> {
        match self.persisted.admit(&mut request) {
            Ok(()) => Ok(request),
            Err(refusal) => {
                let mut error = async_graphql::ServerError::new(refusal.message, None);
                let mut extensions = async_graphql::ErrorExtensionValues::default();
                extensions.set("code", refusal.code);
                error.extensions = Some(extensions);
                Err(Box::new(Response::from_errors(vec![error])))
            }
        }
    }
}

impl Executor for Admitted {
    async fn execute(&self, request: Request) -> Response {
        match self.admit(request) {
            Ok(request) => self.schema.execute(request).await,
            Err(refusal) => *refusal,
        }
    }

    fn execute_stream(&self, request: Request, session_data: Option<Arc<Data>>) -> BoxStream<'static, Response> {
        match self.admit(request) {
            Ok(request) => Executor::execute_stream(&self.schema, request, session_data),
            Err(refusal) => futures::stream::once(async move { *refusal }).boxed(),
        }
    }
}

/// Upgrades the connection and serves subscriptions on it.
pub async fn upgrade(
    State(state): State<Arc<AppState>>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> HttpResponse {
    let rules = state.current();
    let executor = Admitted::new(rules.schema.clone(), rules.persisted.clone());
    upgrade
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| serve(state, executor, protocol, socket))
}

async fn serve(state: Arc<AppState>, executor: Admitted, protocol: GraphQLProtocol, socket: WebSocket) {
    let (mut sink, stream) = socket.split();
    // The GraphQL side writes into a channel; this loop forwards it and adds pings.
    let (tx, mut rx) = futures::channel::mpsc::channel::<Message>(16);
    let heartbeat = state.live.heartbeat();
    let forward = async move {
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + heartbeat, heartbeat);
        loop {
            let message = tokio::select! {
                message = rx.next() => match message {
                    Some(message) => message,
                    None => break,
                },
                _ = ticks.tick() => Message::Ping(Default::default()),
            };
            if sink.send(message).await.is_err() {
                break;
            }
        }
        let _ = sink.close().await;
    };
    let init_state = state.clone();
    let graphql = GraphQLWebSocket::new_with_pair(tx, stream, executor, protocol)
        .on_connection_init(move |payload| connection_init(init_state, payload))
        .serve();
    tokio::join!(forward, graphql);
}

/// Checks the token and the cap; the connection's data holds the caller and
/// its [`ConnectionSlot`], freed when the socket closes.
async fn connection_init(state: Arc<AppState>, payload: serde_json::Value) -> async_graphql::Result<Data> {
    let header = ["Authorization", "authorization"]
        .iter()
        .find_map(|key| payload.get(key).and_then(|v| v.as_str()).map(str::to_owned))
        .or_else(|| payload.get("token").and_then(|v| v.as_str()).map(|t| format!("Bearer {t}")));
    let verified = match state.auth.principal_from_header(header.as_deref()).await {
        Ok(Some(verified)) => verified,
        Ok(None) => return Err("authentication required: send {\"Authorization\": \"Bearer <token>\"}".into()),
        Err(err) => return Err(err.to_string().into()),
    };
    if !verified.scopes.read {
        return Err("this token lacks the mail:read scope".into());
    }
    let slot: ConnectionSlot = state.cap.open(&verified.principal.username).ok_or_else(|| {
        async_graphql::Error::from(format!(
            "too many live connections for this user (at most {})",
            state.live.max_connections_per_user
        ))
    })?;
    let mut data = Data::default();
    data.insert(verified.scopes);
    data.insert(slot);
    mailgate_schema::fill_request_data(&mut data, Some(verified.principal), state.directory.clone());
    Ok(data)
}
