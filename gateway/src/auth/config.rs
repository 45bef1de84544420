//! [`AuthConfig`]: the `[auth]` table.

use serde::Deserialize;
use std::path::PathBuf;

/// How tokens are verified and issued.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// An identity provider's public keys (RS256/ES256) as a JWKS file.
    pub jwks_file: Option<PathBuf>,
    /// The same, fetched from a URL (cached, refreshed).
    pub jwks_url: Option<String>,
    /// How often a JWKS is fetched again, in seconds (also at once, at most
    /// every 30 s, when a token names a key id not in it).
    pub jwks_refresh_seconds: u64,
    /// The `iss` every token must carry (and the gateway's own tokens carry).
    pub issuer: Option<String>,
    /// The `aud` every token must carry (and the gateway's own tokens carry).
    pub audience: Option<String>,
    /// Clock skew tolerated on `exp` and `nbf`, in seconds.
    pub leeway_seconds: u64,
    /// Lifetime of access tokens issued by `login` and `refreshToken`.
    pub access_token_ttl_seconds: u64,
    /// Lifetime of refresh tokens.
    pub refresh_token_ttl_seconds: u64,
    /// The password file behind `login` (`mailgate passwd` writes it); without
    /// one, `login` is refused.
    pub password_file: Option<PathBuf>,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            jwks_file: None,
            jwks_url: None,
            jwks_refresh_seconds: 300,
            issuer: None,
            audience: None,
            leeway_seconds: 30,
            access_token_ttl_seconds: 15 * 60,
            refresh_token_ttl_seconds: 30 * 24 * 3600,
            password_file: None,
        }
    }
}
