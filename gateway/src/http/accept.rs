//! [`ResponseMedia`]: the media type of a `/graphql` response, chosen from the
//! request's `Accept` as the GraphQL-over-HTTP spec says.

use axum::http::{header, HeaderMap, HeaderValue};

/// `application/graphql-response+json`, the spec's own media type.
pub const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
/// `application/json`, the legacy media type every client understands.
pub const JSON: &str = "application/json";

/// The two media types a GraphQL response can be sent as. They differ in
/// status codes: with `application/graphql-response+json` a request that
/// fails to parse or validate is a 400; with `application/json` it is a 200
/// whose body holds the errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMedia {
    /// `application/graphql-response+json`.
    GraphqlResponseJson,
    /// `application/json`.
    Json,
}

impl ResponseMedia {
    /// The media type for a request's `Accept` headers, `None` when none of
    /// the listed types can be served (the spec recommends 406 then).
    ///
    /// No `Accept` (or an empty one) means `application/json`, as the spec
    /// says for legacy clients. `application/graphql-response+json` is used
    /// when the client names it and ranks it at least as high as anything that
    /// matches `application/json`; wildcards (`*/*`, `application/*`) match
    /// `application/json` only, so a browser's catch-all keeps the legacy type.
    pub fn negotiate(headers: &HeaderMap) -> Option<ResponseMedia> {
        let mut any = false;
        let (mut graphql_q, mut json_q) = (0.0_f32, 0.0_f32);
        for value in headers.get_all(header::ACCEPT) {
            let Ok(value) = value.to_str() else { continue };
            for range in value.split(',') {
                let mut parts = range.split(';');
                let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
                if media.is_empty() {
                    continue;
                }
                any = true;
                let q = parts
                    .filter_map(|p| p.trim().strip_prefix("q=").or_else(|| p.trim().strip_prefix("Q=")))
                    .find_map(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                match media.as_str() {
                    GRAPHQL_RESPONSE_JSON => graphql_q = graphql_q.max(q),
                    JSON | "application/*" | "*/*" => json_q = json_q.max(q),
                    _ => {}
                }
            }
        }
        if !any {
            return Some(ResponseMedia::Json);
        }
        if graphql_q > 0.0 && graphql_q >= json_q {
            Some(ResponseMedia::GraphqlResponseJson)
        } else if json_q > 0.0 {
            Some(ResponseMedia::Json)
        } else {
            None
        }
    }

    /// The `Content-Type` value of a response in this media type.
    pub fn content_type(self) -> HeaderValue {
        match self {
            ResponseMedia::GraphqlResponseJson => HeaderValue::from_static(GRAPHQL_RESPONSE_JSON),
            ResponseMedia::Json => HeaderValue::from_static(JSON),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn negotiate(accept: Option<&str>) -> Option<ResponseMedia> {
        let mut headers = HeaderMap::new();
        if let Some(accept) = accept {
            headers.insert(header::ACCEPT, HeaderValue::from_str(accept).unwrap());
        }
        ResponseMedia::negotiate(&headers)
    }

    #[test]
    fn accept_picks_the_media_type() {
        use ResponseMedia::*;
        assert_eq!(negotiate(None), Some(Json));
        assert_eq!(negotiate(Some("")), Some(Json));
        assert_eq!(negotiate(Some("*/*")), Some(Json));
        assert_eq!(negotiate(Some("application/json")), Some(Json));
        assert_eq!(negotiate(Some("application/graphql-response+json")), Some(GraphqlResponseJson));
        assert_eq!(
            negotiate(Some("application/graphql-response+json, application/json;q=0.9")),
            Some(GraphqlResponseJson)
        );
        assert_eq!(negotiate(Some("application/graphql-response+json;q=0.5, application/json")), Some(Json));
        assert_eq!(negotiate(Some("application/json, multipart/mixed")), Some(Json));
        assert_eq!(negotiate(Some("text/html,application/xhtml+xml,*/*;q=0.8")), Some(Json));
        assert_eq!(negotiate(Some("text/html")), None);
        assert_eq!(negotiate(Some("application/json;q=0")), None);
    }
}
