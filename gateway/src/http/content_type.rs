//! Which request bodies `/graphql` reads: the GraphQL-over-HTTP spec's
//! `application/json` (and the multipart upload spec's `multipart/form-data`)
//! for POST; a GET has no body and may only say `application/json`.
//! Anything else is a 415.

use axum::http::{header, HeaderMap, Method};

/// The media types a POST body may have.
const POST_BODY_TYPES: [&str; 2] = ["application/json", "multipart/form-data"];

/// `Ok` when `/graphql` can read a request with these headers, else the
/// message of the 415.
pub fn check(method: &Method, headers: &HeaderMap) -> Result<(), String> {
    let content_type = headers.get(header::CONTENT_TYPE).map(|v| v.to_str().ok().and_then(essence));
    if method == Method::POST {
        return match content_type {
            Some(Some(essence)) if POST_BODY_TYPES.contains(&essence.as_str()) => Ok(()),
            Some(_) => Err("a POST to /graphql must have Content-Type: application/json".to_owned()),
            None => Err("a POST to /graphql needs a Content-Type header (application/json)".to_owned()),
        };
    }
    // A GET carries its operation in the query string. Like Apollo, any
    // Content-Type but application/json is refused, so that no browser
    // quirk can make a simple cross-site GET look like something else.
    match content_type {
        None => Ok(()),
        Some(Some(essence)) if essence == "application/json" => Ok(()),
        Some(_) => Err("a GET to /graphql must have no Content-Type or application/json".to_owned()),
    }
}

/// The essence of a media type (`type/subtype`, lower case, parameters
/// dropped), or `None` if `value` is not a media type.
pub fn essence(value: &str) -> Option<String> {
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let (kind, subtype) = essence.split_once('/')?;
    let token =
        |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_graphic() && !"()<>@,;:\\\"/[]?={}".contains(c));
    (token(kind) && token(subtype)).then_some(essence)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(content_type: Option<&'static str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(value) = content_type {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn post_needs_json_and_get_may_only_say_json() {
        assert!(check(&Method::POST, &with(Some("application/json; charset=utf-8"))).is_ok());
        assert!(check(&Method::POST, &with(Some("multipart/form-data; boundary=x"))).is_ok());
        assert!(check(&Method::POST, &with(Some("text/plain"))).is_err());
        assert!(check(&Method::POST, &with(None)).is_err());
        assert!(check(&Method::GET, &with(None)).is_ok());
        assert!(check(&Method::GET, &with(Some("application/json"))).is_ok());
        assert!(check(&Method::GET, &with(Some("text/plain"))).is_err());
        assert_eq!(essence(" Application/JSON ; charset=utf-8").as_deref(), Some("application/json"));
        assert_eq!(essence("nonsense"), None);
    }
}
