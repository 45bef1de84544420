//! [`GraphqlHttpResponse`]: an executed GraphQL response as HTTP, with the
//! GraphQL-over-HTTP spec's status codes.
//!
//! A *request error* (the document does not parse or validate, a variable
//! cannot be coerced, a limit refuses it: nothing was executed) has no `data`
//! entry and, with `application/graphql-response+json`, status 400. With
//! `application/json` it stays 200, as the spec requires for legacy clients.
//! Once execution started the status is 200, whatever errors fields raised.

use super::ResponseMedia;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// An executed response and the media type it is sent as.
pub struct GraphqlHttpResponse {
    /// What the schema answered.
    pub response: async_graphql::Response,
    /// `Accept`'s choice.
    pub media: ResponseMedia,
}

impl GraphqlHttpResponse {
    /// Whether nothing was executed: errors but no data, and no error points
    /// at a field (async-graphql gives every field error its path).
    pub fn is_request_error(response: &async_graphql::Response) -> bool {
        response.data == async_graphql::Value::Null
            && !response.errors.is_empty()
            && response.errors.iter().all(|error| error.path.is_empty())
    }
}

impl GraphqlHttpResponse {
    /// The JSON body of one response, serialized straight from it. The
    /// spec: a request error has no `data` entry (async-graphql writes
    /// `"data": null`).
    fn body(response: &async_graphql::Response) -> serde_json::Result<Vec<u8>> {
        if !Self::is_request_error(response) {
            return serde_json::to_vec(response);
        }
        let mut body = serde_json::json!({ "errors": response.errors });
        if !response.extensions.is_empty() {
            body["extensions"] = serde_json::json!(response.extensions);
        }
        serde_json::to_vec(&body)
    }

    /// The answer to a batch: a JSON array with one body per operation, in
    /// order, and status 200 (each item carries its own errors; the spec
    /// defines no status for a batch).
    pub fn batch(responses: Vec<async_graphql::Response>, media: ResponseMedia) -> Response {
        let mut array = b"[".to_vec();
        for (i, response) in responses.iter().enumerate() {
            if i > 0 {
                array.push(b',');
            }
            match Self::body(response) {
                Ok(body) => array.extend_from_slice(&body),
                Err(err) => {
                    tracing::error!(%err, "cannot serialize a GraphQL response");
                    return super::error::error_response(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "internal error",
                        "INTERNAL",
                        media,
                    );
                }
            }
        }
        array.push(b']');
        let mut http = (StatusCode::OK, array).into_response();
        http.headers_mut().insert(header::CONTENT_TYPE, media.content_type());
        http
    }
}

impl IntoResponse for GraphqlHttpResponse {
    fn into_response(self) -> Response {
        let GraphqlHttpResponse { mut response, media } = self;
        let request_error = Self::is_request_error(&response);
        let headers = std::mem::take(&mut response.http_headers);
        let cache_control = if response.is_ok() { response.cache_control.value() } else { None };
        let body = match Self::body(&response) {
            Ok(body) => body,
            Err(err) => {
                tracing::error!(%err, "cannot serialize a GraphQL response");
                return super::error::error_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal error",
                    "INTERNAL",
                    media,
                );
            }
        };
        let status = if request_error && media == ResponseMedia::GraphqlResponseJson {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        };
        let mut http = (status, body).into_response();
        http.headers_mut().insert(header::CONTENT_TYPE, media.content_type());
        if let Some(value) = cache_control.and_then(|value| HeaderValue::from_str(&value).ok()) {
            http.headers_mut().insert(header::CACHE_CONTROL, value);
        }
        http.headers_mut().extend(headers);
        http
    }
}
