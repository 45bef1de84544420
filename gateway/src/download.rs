//! Attachment downloads: `GET /download/{messageId}/{partId}` streams the
//! decoded attachment in chunks, with the caller's authorization.

use crate::app::{error_response, AppState};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use mailgate_backend::{BackendError, BlobId, ErrorKind, MailBackend, MessageId, Principal};
use mailgate_schema::id::{GlobalId, IdType};
use std::sync::Arc;

/// The URL path prefix that `downloadUrl` fields point under.
pub const ROUTE_PREFIX: &str = "/download";

/// Bytes fetched from the backend per chunk: bounded memory per download.
const CHUNK_BYTES: u64 = 256 * 1024;

/// Streams one attachment.
pub async fn attachment(
    State(state): State<Arc<AppState>>,
    Path((message, part)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let who = match state.auth.principal_from_header(authorization).await {
        Ok(Some(verified)) if !verified.scopes.read => {
            return error_response(StatusCode::FORBIDDEN, "this token lacks the mail:read scope", "FORBIDDEN")
        }
        Ok(Some(verified)) => verified.principal,
        Ok(None) => return error_response(StatusCode::UNAUTHORIZED, "a bearer token is required", "UNAUTHENTICATED"),
        Err(err) => return error_response(StatusCode::UNAUTHORIZED, &err.to_string(), "UNAUTHENTICATED"),
    };
    let Ok(target) = GlobalId::decode_as(&message, IdType::Message) else {
        return not_found();
    };
    let source = match state.directory.resolve(&who, &target.account).await.and_then(|a| a.source(Some(&target.source)))
    {
        Ok(source) => source,
        Err(err) => return backend_error(&err),
    };
    let backend = source.backend.clone();
    let id = MessageId(target.id);
    let found = match backend.messages(&who, &target.account, std::slice::from_ref(&id)).await {
        Ok(found) => found,
        Err(err) => return backend_error(&err),
    };
    let Some(attachment) = found.get(&id).and_then(|m| m.attachments.iter().find(|a| a.part_id == part)).cloned()
    else {
        return not_found();
    };
    let body = Body::from_stream(chunks(backend, who, target.account, attachment.blob_id, attachment.size));
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&attachment.content_type).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(attachment.size));
    let filename = attachment.filename.unwrap_or_else(|| format!("part-{part}"));
    if let Ok(value) = HeaderValue::from_str(&content_disposition(&filename)) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

/// The blob as a stream of ranged backend reads.
fn chunks(
    backend: Arc<dyn MailBackend>,
    who: Principal,
    account: String,
    blob: BlobId,
    size: u64,
) -> impl futures::Stream<Item = Result<Vec<u8>, BackendError>> {
    futures::stream::try_unfold(0u64, move |offset| {
        let (backend, who, account, blob) = (backend.clone(), who.clone(), account.clone(), blob.clone());
        async move {
            if offset >= size {
                return Ok(None);
            }
            let end = (offset + CHUNK_BYTES).min(size);
            let (bytes, _total) = backend.blob_range(&who, &account, &blob, offset..end).await?;
            if bytes.is_empty() {
                return Err(BackendError::internal("blob shorter than its recorded size"));
            }
            let next = offset + bytes.len() as u64;
            Ok(Some((bytes, next)))
        }
    })
}

/// `attachment; filename="ascii"; filename*=UTF-8''percent-encoded` (RFC 6266).
fn content_disposition(filename: &str) -> String {
    let ascii: String = filename
        .chars()
        .map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' })
        .collect();
    let mut encoded = String::new();
    for byte in filename.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

fn not_found() -> Response {
    error_response(StatusCode::NOT_FOUND, "no such attachment", "NOT_FOUND")
}

fn backend_error(err: &BackendError) -> Response {
    match err.kind {
        ErrorKind::NotFound | ErrorKind::PermissionDenied => not_found(),
        ErrorKind::Unavailable => {
            error_response(StatusCode::SERVICE_UNAVAILABLE, "backend unavailable", "BACKEND_UNAVAILABLE")
        }
        _ => {
            tracing::error!(error = %err, "download failed");
            error_response(StatusCode::BAD_GATEWAY, "backend error", "BACKEND_ERROR")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disposition_keeps_ascii_and_encodes_utf8() {
        assert_eq!(
            content_disposition("Résumé \"v2\".pdf"),
            "attachment; filename=\"R_sum_ _v2_.pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%22v2%22.pdf"
        );
    }
}
