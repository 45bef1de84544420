//! The playground: GraphiQL with a bearer-token field, built from
//! `playground/` by `build.rs` and embedded in the binary, so it works
//! offline and the page asks nothing of any host but this gateway.
//!
//! `GET /` serves the page (revalidated on every load, so a new binary's page
//! is picked up at once); `GET /playground/{file}` serves its script and
//! stylesheet, whose names carry a content hash and so are cached for a year.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

mod built {
    include!(concat!(env!("OUT_DIR"), "/playground_assets.rs"));
}

/// The path prefix the page's assets are served under (the page names them so).
pub const ASSET_PREFIX: &str = "/playground";

/// What the page may load: only this origin (scripts, styles, `/graphql` and
/// its websocket), plus the inline styles the editors set and the `data:`
/// fonts and icons of GraphiQL's stylesheet. A browser refuses anything else,
/// so "no request leaves the machine" does not rest on the bundle alone.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     font-src 'self' data:; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; \
     form-action 'none'";

/// Hashed names never change content, so caches may keep them.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The page's routes: `/` and the assets under [`ASSET_PREFIX`].
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/", get(index)).route(&format!("{ASSET_PREFIX}/{{file}}"), get(asset))
}

/// The page itself.
async fn index() -> Response {
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY)),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
    ];
    (headers, built::INDEX_HTML).into_response()
}

/// One embedded asset by file name; 404 for any other name.
async fn asset(Path(file): Path<String>) -> Response {
    let Some((name, body)) = built::ASSETS.iter().find(|(name, _)| *name == file) else {
        return (StatusCode::NOT_FOUND, [(header::CACHE_CONTROL, "no-store")], "no such playground asset")
            .into_response();
    };
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static(content_type(name))),
        (header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE)),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
    ];
    (headers, *body).into_response()
}

/// The media type of an asset, from its extension (esbuild writes only these).
fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("woff2") => "font/woff2",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use axum::body::Body;
    use axum::http::{HeaderName, Request};
    use tower::ServiceExt;

    async fn get(path: &str) -> Response {
        routes::<()>().oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap()
    }

    fn header_of(response: &Response, name: HeaderName) -> &str {
        response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    /// The `src`/`href` values of the page's tags.
    fn references(html: &str) -> Vec<&str> {
        let mut found = Vec::new();
        for attribute in ["src=\"", "href=\""] {
            for (at, _) in html.match_indices(attribute) {
                let rest = &html[at + attribute.len()..];
                found.push(&rest[..rest.find('"').unwrap()]);
            }
        }
        found
    }

    #[tokio::test]
    async fn the_page_is_html_revalidated_and_locked_to_this_origin() {
        let response = get("/").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(header_of(&response, header::CONTENT_TYPE), "text/html; charset=utf-8");
        assert_eq!(header_of(&response, header::CACHE_CONTROL), "no-cache");
        let policy = header_of(&response, header::CONTENT_SECURITY_POLICY);
        assert!(policy.starts_with("default-src 'self';") && policy.contains("connect-src 'self'"), "{policy}");
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        let html = std::str::from_utf8(&body).unwrap();
        assert!(html.contains("<div id=\"root\">"), "{html}");
    }

    #[tokio::test]
    async fn every_reference_of_the_page_is_an_embedded_asset_or_data() {
        let refs = references(built::INDEX_HTML);
        let assets: Vec<&&str> = refs.iter().filter(|r| r.starts_with(ASSET_PREFIX)).collect();
        assert_eq!(assets.len(), 2, "one script and one stylesheet: {refs:?}");
        for reference in refs {
            if reference.starts_with("data:") {
                continue;
            }
            let response = get(reference).await;
            assert_eq!(response.status(), StatusCode::OK, "{reference} is not served");
            let expected = if reference.ends_with(".js") { "text/javascript" } else { "text/css" };
            assert!(header_of(&response, header::CONTENT_TYPE).starts_with(expected), "{reference}");
            assert_eq!(header_of(&response, header::CACHE_CONTROL), IMMUTABLE);
            let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
            assert!(body.len() > 1000, "{reference} is only {} bytes", body.len());
        }
    }

    #[tokio::test]
    async fn the_stylesheet_inlines_its_fonts() {
        let (_, css) = built::ASSETS.iter().find(|(name, _)| name.ends_with(".css")).unwrap();
        let css = std::str::from_utf8(css).unwrap();
        assert!(css.contains("@font-face"), "GraphiQL's fonts are missing");
        // Every url(...) of the stylesheet is a data: URL, none points at a host or a file.
        for (at, _) in css.match_indices("url(") {
            let target = css[at + 4..].trim_start_matches(['"', '\'']);
            let context: String = css[at..].chars().take(80).collect();
            assert!(target.starts_with("data:"), "external url in the stylesheet: {context}");
        }
    }

    #[tokio::test]
    async fn unknown_assets_are_404() {
        assert_eq!(get("/playground/nope.js").await.status(), StatusCode::NOT_FOUND);
        assert_eq!(get("/playground/").await.status(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(content_type("playground-ABC.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("playground-ABC.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("README"), "application/octet-stream");
    }
}
