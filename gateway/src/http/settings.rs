//! [`HttpSettings`]: the part of the configuration that shapes the HTTP layer.

use crate::config::Config;
use axum::http::HeaderValue;

/// What the configuration decides about CORS and CSRF prevention.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Origins whose browser pages may call the API (CORS); empty sends no CORS headers at all.
    pub cors_origins: Vec<HeaderValue>,
    /// Refuse `/graphql` requests that a browser could send cross-site without a preflight.
    pub csrf_prevention: bool,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self::from_config(&Config::default())
    }
}

impl HttpSettings {
    /// The settings of `config`. Origins were checked when the config was
    /// parsed; one that still cannot be a header value is left out (and logged).
    pub fn from_config(config: &Config) -> Self {
        let cors_origins = config
            .cors_origins
            .iter()
            .filter_map(|origin| match super::cors::parse_origin(origin) {
                Ok(value) => Some(value),
                Err(err) => {
                    tracing::warn!(%origin, %err, "CORS origin ignored");
                    None
                }
            })
            .collect();
        Self { cors_origins, csrf_prevention: config.csrf_prevention }
    }
}
