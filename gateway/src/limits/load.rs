//! Load limits on `/graphql`: shed past a concurrency cap (503, taken by the
//! handler once the body is read) and cut off slow requests (504, a layer).
//!
//! Shedding at once instead of queueing is deliberate: a queue in front of a
//! saturated gateway only turns overload into timeouts for everyone, while a
//! 503 with `Retry-After` lets clients and load balancers go elsewhere or back
//! off. Both answers are GraphQL-shaped bodies with the code
//! `BACKEND_UNAVAILABLE`, which clients already treat as "retry later".

use crate::app::AppState;
use crate::http::{error::error_response, ResponseMedia};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// The code of both answers.
const CODE: &str = "BACKEND_UNAVAILABLE";

/// At most this many requests run at once; the rest are shed.
#[derive(Clone)]
pub struct ConcurrencyGate {
    permits: Arc<Semaphore>,
}

impl ConcurrencyGate {
    /// A gate that lets `max` requests through at once.
    pub fn new(max: usize) -> Self {
        Self { permits: Arc::new(Semaphore::new(max)) }
    }
}

impl ConcurrencyGate {
    /// A permit for one request, or `None` when the gate is full.
    pub fn try_enter(&self) -> Option<tokio::sync::OwnedSemaphorePermit> {
        self.permits.clone().try_acquire_owned().ok()
    }
}

/// The 503 for a request the gate is too full to take, with `Retry-After`.
pub fn shed(media: ResponseMedia) -> Response {
    metrics::counter!("mailgate_http_shed_total").increment(1);
    let mut response = error_response(
        StatusCode::SERVICE_UNAVAILABLE,
        "the gateway is at its concurrency limit; retry shortly",
        CODE,
        media,
    );
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

/// Middleware: answers 504 when the request (reading its body included) takes
/// longer than the configured timeout. Dropping the handler's future cancels
/// its backend calls; a write already handed to the cluster may still commit,
/// which is why writes carry request ids that a retry deduplicates.
pub async fn time_out_slow_requests(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let timeout = state.current().limits.request_timeout();
    let media = ResponseMedia::negotiate(request.headers()).unwrap_or(ResponseMedia::Json);
    match tokio::time::timeout(timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_elapsed) => {
            metrics::counter!("mailgate_http_timeouts_total").increment(1);
            let message = format!("the request took longer than {} ms", timeout.as_millis());
            error_response(StatusCode::GATEWAY_TIMEOUT, &message, CODE, media)
        }
    }
}
