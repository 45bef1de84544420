//! Request ids: every response carries `x-request-id` (the client's, when it
//! sent a usable one, else a new UUID; tower-http's `SetRequestId` and
//! `PropagateRequestId`), and every log line of the request carries it too,
//! through the span [`RequestSpan`] opens around the whole request.

use axum::extract::Request;
use axum::http::HeaderName;
use tower_http::trace::MakeSpan;
use tracing::Span;

/// The header, as tower-http's `x_request_id` layers name it.
pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The longest client-chosen id that is kept.
const MAX_LEN: usize = 128;

/// Removes a client's `x-request-id` that would be unsafe or useless to log
/// and echo (empty, over 128 bytes, spaces or non-ASCII, or sent twice), so
/// that a fresh one is generated instead.
pub async fn drop_unusable_id(mut request: Request) -> Request {
    let usable = {
        let mut values = request.headers().get_all(&HEADER).iter();
        match (values.next(), values.next()) {
            (Some(value), None) => {
                let bytes = value.as_bytes();
                !bytes.is_empty() && bytes.len() <= MAX_LEN && bytes.iter().all(u8::is_ascii_graphic)
            }
            (None, _) => true,
            (Some(_), Some(_)) => false,
        }
    };
    if !usable {
        request.headers_mut().remove(&HEADER);
    }
    request
}

/// Opens the `request` span with the request id, method and path (never
/// the query string, which may carry variables).
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestSpan;

impl<B> MakeSpan<B> for RequestSpan {
    fn make_span(&mut self, request: &axum::http::Request<B>) -> Span {
        let id = request.headers().get(&HEADER).and_then(|v| v.to_str().ok()).unwrap_or("-");
        tracing::info_span!("request", request_id = %id, method = %request.method(), path = %request.uri().path())
    }
}
