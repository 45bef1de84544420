//! CSRF prevention on `/graphql`, on by default (`csrf_prevention`), with
//! Apollo Router's rule.
//!
//! A browser sends a cross-site request without asking the server first (a
//! CORS preflight) only when it is "simple": GET or POST, a `Content-Type`
//! of `text/plain`, `application/x-www-form-urlencoded` or
//! `multipart/form-data` (or none), and only CORS-safelisted headers. Such a
//! request carries the user's ambient credentials and runs before any CORS
//! check, so it is refused here with 400 and `CSRF_PREVENTED`. A request is
//! let through when it proves it was preflighted: a `Content-Type` that is not
//! simple (`application/json`), or a non-empty `x-apollo-operation-name` or
//! `apollo-require-preflight` header.
//!
//! **GET, the audits, and the bearer token.** A GET has no body and usually
//! no `Content-Type`, so by Apollo's rule it needs one of those two headers;
//! Apollo's own GraphQL-over-HTTP audit report shows its GET checks (all of
//! them MAY) refused that way, while every MUST check is a JSON POST and
//! passes. We add one preflight-proving header to Apollo's list: a bearer
//! token. Browsers attach `Authorization` by themselves only for the HTTP
//! authentication schemes they answer (Basic, Digest, Negotiate), never
//! `Bearer`; a page can send a bearer token only from script, and a
//! cross-origin script request with a non-safelisted header is always
//! preflighted (in `no-cors` mode the header is dropped instead). So a
//! request with a bearer token proves its preflight as well as
//! `apollo-require-preflight` does, and bearer tokens are this gateway's only
//! credential. API clients keep using GET with their token alone (cacheable
//! reads; the audits, which we run with a token on every request as any
//! client would, pass their GET checks too), and what stays refused is every
//! request a hostile page can make a browser send: no token, a cookie, or
//! Basic credentials. A POST whose body is not JSON is then still a 415
//! (`content_type`).

use super::{error::error_response, ResponseMedia};
use axum::extract::Request;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

/// Apollo's header naming the operation; any non-empty value proves a preflight.
pub const OPERATION_NAME_HEADER: &str = "x-apollo-operation-name";
/// Apollo's header whose only purpose is to force a preflight.
pub const REQUIRE_PREFLIGHT_HEADER: &str = "apollo-require-preflight";
/// The error code of a refused request.
pub const CODE: &str = "CSRF_PREVENTED";

/// The content types a browser may send cross-site without a preflight.
const SIMPLE_CONTENT_TYPES: [&str; 3] = ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"];

/// Middleware: refuses a GET or POST that a browser could have sent
/// cross-site without a preflight. Other methods go on to the router (405).
pub async fn refuse_unpreflighted(request: Request, next: Next) -> Response {
    let checked = request.method() == Method::GET || request.method() == Method::POST;
    if checked && !is_preflighted(request.headers()) {
        let media = ResponseMedia::negotiate(request.headers()).unwrap_or(ResponseMedia::Json);
        let message = format!(
            "this request has been blocked as a potential cross-site request forgery: send a Content-Type \
             other than {} (e.g. application/json), an Authorization: Bearer token, or a non-empty \
             {OPERATION_NAME_HEADER} or {REQUIRE_PREFLIGHT_HEADER} header",
            SIMPLE_CONTENT_TYPES.join(", ")
        );
        return error_response(StatusCode::BAD_REQUEST, &message, CODE, media);
    }
    next.run(request).await
}

/// Whether a browser must have preflighted a request with these headers.
pub fn is_preflighted(headers: &HeaderMap) -> bool {
    if let Some(content_type) = headers.get(header::CONTENT_TYPE) {
        match content_type.to_str().ok().and_then(super::content_type::essence) {
            Some(essence) if SIMPLE_CONTENT_TYPES.contains(&essence.as_str()) => {}
            // Not a simple type, or not one a browser would send without asking.
            _ => return true,
        }
    }
    let non_empty = |name: &str| headers.get(name).is_some_and(|v| !v.as_bytes().trim_ascii().is_empty());
    non_empty(OPERATION_NAME_HEADER) || non_empty(REQUIRE_PREFLIGHT_HEADER) || has_bearer_token(headers)
}

/// `Authorization: Bearer <something>`, which only script can attach (see the module doc).
fn has_bearer_token(headers: &HeaderMap) -> bool {
    headers.get_all(header::AUTHORIZATION).iter().any(|value| {
        let value = value.as_bytes().trim_ascii();
        value.len() > 7 && value[..7].eq_ignore_ascii_case(b"bearer ") && !value[7..].trim_ascii().is_empty()
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn simple_requests_are_not_preflighted() {
        assert!(!is_preflighted(&headers(&[])));
        assert!(!is_preflighted(&headers(&[("content-type", "text/plain;charset=UTF-8")])));
        assert!(!is_preflighted(&headers(&[("content-type", "Multipart/Form-Data; boundary=x")])));
        assert!(!is_preflighted(&headers(&[("content-type", "application/x-www-form-urlencoded")])));
        assert!(!is_preflighted(&headers(&[(REQUIRE_PREFLIGHT_HEADER, " ")])));
        assert!(!is_preflighted(&headers(&[("authorization", "Basic dXNlcjpwdw==")])));
        assert!(!is_preflighted(&headers(&[("authorization", "Bearer ")])));
    }

    #[test]
    fn preflight_forcing_requests_pass() {
        assert!(is_preflighted(&headers(&[("content-type", "application/json")])));
        assert!(is_preflighted(&headers(&[("content-type", "text/plain"), (OPERATION_NAME_HEADER, "Inbox")])));
        assert!(is_preflighted(&headers(&[(REQUIRE_PREFLIGHT_HEADER, "true")])));
        assert!(is_preflighted(&headers(&[("authorization", "bearer abc.def.ghi")])));
    }
}
