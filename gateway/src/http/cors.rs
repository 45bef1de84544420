//! CORS from the configured allow-list (tower-http's `CorsLayer`).
//!
//! Only listed origins get `Access-Control-Allow-Origin`; preflights are
//! answered by the layer without reaching a handler. No credentials mode:
//! callers authenticate with a bearer token, never a cookie.

use axum::http::{header, HeaderName, HeaderValue, Method};
use std::time::Duration;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// How long a browser may cache a preflight answer.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(600);

/// The CORS layer for `origins`, or `None` (no CORS headers at all) when the list is empty.
pub fn layer(origins: &[HeaderValue]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let request_id = HeaderName::from_static("x-request-id");
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins.iter().cloned()))
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::ACCEPT,
                HeaderName::from_static(super::csrf::OPERATION_NAME_HEADER),
                HeaderName::from_static(super::csrf::REQUIRE_PREFLIGHT_HEADER),
                request_id.clone(),
            ])
            .expose_headers([request_id])
            .max_age(PREFLIGHT_MAX_AGE),
    )
}

/// Checks one configured origin: `scheme://host[:port]` with an `http` or
/// `https` scheme and nothing after the authority, exactly as a browser
/// sends it in `Origin` (no trailing slash, no path).
pub fn parse_origin(origin: &str) -> Result<HeaderValue, String> {
    let authority = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .ok_or_else(|| format!("CORS origin {origin:?} must start with http:// or https://"))?;
    let well_formed = !authority.is_empty()
        && authority.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if !well_formed {
        return Err(format!("CORS origin {origin:?} must be scheme://host[:port], without a path or a trailing slash"));
    }
    HeaderValue::from_str(origin).map_err(|err| format!("CORS origin {origin:?}: {err}"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_checked() {
        assert_eq!(parse_origin("https://mail.example.com").unwrap(), "https://mail.example.com");
        assert!(parse_origin("http://localhost:5173").is_ok());
        assert!(parse_origin("http://[::1]:8080").is_ok());
        for bad in ["mail.example.com", "https://mail.example.com/", "https://a/b", "*", "ftp://x", "https://"] {
            assert!(parse_origin(bad).is_err(), "{bad}");
        }
    }
}
