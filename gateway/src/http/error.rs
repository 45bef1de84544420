//! Coded error bodies for answers the gateway gives before (or instead of)
//! executing an operation: `{"errors":[{"message","extensions":{"code"}}]}`.

use super::ResponseMedia;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// A GraphQL-shaped error body with a stable `extensions.code`, sent as `media`.
pub fn error_response(status: StatusCode, message: &str, code: &str, media: ResponseMedia) -> Response {
    let body = serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, media.content_type());
    response
}
