//! Bearer-token authentication: JWTs verified on every request, and the
//! gateway's own sign-in (`login`, `refreshToken`, `logout`).
//!
//! [`TokenAuthority`] accepts HS256 tokens signed with the gateway's secret
//! (minted by `mailgate token` and by `login`) and RS256/ES256 tokens from an
//! identity provider whose keys come from a JWKS file or URL ([`jwks`]),
//! checking `exp`/`nbf` with a small leeway and `iss`/`aud` when configured.
//! A verified token gives a [`Principal`] (who) and [`Scopes`] (what:
//! `mail:read`, `mail:write`, `admin`). The token only names the caller; what
//! the caller may touch is decided by the backend calls, which all receive
//! the principal.
//!
//! - [`config`]: the `[auth]` table.
//! - [`claims`]: what a token says, and how scopes are read from it.
//! - [`jwks`]: an identity provider's public keys, cached and refreshed.
//! - [`passwords`]: the argon2id password file behind `login`.
//! - [`sessions`]: live refresh tokens; [`sign_in`]: the mutations' logic.

pub mod claims;
pub mod config;
pub mod jwks;
pub mod passwords;
pub mod sessions;
pub mod sign_in;

pub use config::AuthConfig;
pub use sign_in::SignIn;

pub(crate) use claims::{Claims, TokenKind};
use jsonwebtoken::{decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use jwks::JwksCache;
use mailgate_backend::Principal;
use mailgate_schema::Scopes;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// Why a token was refused. The text is safe to show to the client.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The `Authorization` header is not `Bearer <token>`.
    #[error("the Authorization header must be `Bearer <token>`")]
    MalformedHeader,
    /// The token is expired, badly signed or malformed.
    #[error("invalid token: {0}")]
    InvalidToken(String),
}

/// Why the token authority could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum AuthSetupError {
    /// The JWKS file or URL is unusable.
    #[error(transparent)]
    Jwks(#[from] jwks::JwksError),
    /// A JWKS without an audience: every token the provider signs for any
    /// of its clients (ID tokens included) would be accepted.
    #[error("[auth] jwks_file / jwks_url needs `audience`: the aud this gateway's tokens carry")]
    AudienceRequired,
    /// Neither a secret nor a JWKS: no token could ever verify.
    #[error("no way to verify tokens: give a jwt secret or [auth] jwks_file / jwks_url")]
    NothingToVerifyWith,
}

/// A verified token: who, and what they may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The caller.
    pub principal: Principal,
    /// The token's scopes.
    pub scopes: Scopes,
}

/// Signs (HS256) and verifies (HS256, RS256, ES256) tokens.
#[derive(Clone)]
pub struct TokenAuthority {
    /// The gateway's own secret, if it has one.
    secret: Option<(EncodingKey, DecodingKey)>,
    /// An identity provider's keys, if configured.
    jwks: Option<Arc<JwksCache>>,
    issuer: Option<String>,
    audience: Option<String>,
    leeway_seconds: u64,
}

impl std::fmt::Debug for TokenAuthority {
    /// Never prints the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenAuthority")
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .field("jwks", &self.jwks.is_some())
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish()
    }
}

impl TokenAuthority {
    /// An authority for an HS256 secret alone, with the default leeway and
    /// no issuer or audience.
    pub fn hs256(secret: &[u8]) -> Self {
        Self {
            secret: Some((EncodingKey::from_secret(secret), DecodingKey::from_secret(secret))),
            jwks: None,
            issuer: None,
            audience: None,
            leeway_seconds: AuthConfig::default().leeway_seconds,
        }
    }

    /// The authority `[auth]` describes, with the gateway's secret if any.
    pub fn from_config(secret: Option<&[u8]>, config: &AuthConfig) -> Result<Self, AuthSetupError> {
        let jwks = JwksCache::from_config(config)?.map(Arc::new);
        if jwks.is_some() && config.audience.is_none() {
            return Err(AuthSetupError::AudienceRequired);
        }
        if secret.is_none() && jwks.is_none() {
            return Err(AuthSetupError::NothingToVerifyWith);
        }
        Ok(Self {
            secret: secret.map(|s| (EncodingKey::from_secret(s), DecodingKey::from_secret(s))),
            jwks,
            issuer: config.issuer.clone(),
            audience: config.audience.clone(),
            leeway_seconds: config.leeway_seconds,
        })
    }

    /// An access token for `username`, valid for `ttl_seconds`: `admin`
    /// gives every scope, else `mail:read mail:write`.
    pub fn mint(&self, username: &str, admin: bool, ttl_seconds: u64) -> Result<String, AuthError> {
        let scopes = if admin { Scopes::ALL } else { Scopes::USER };
        self.sign(&self.claims(username, scopes, ttl_seconds, TokenKind::Access, None))
    }

    /// An access token for `username` with `scopes`, valid for `ttl_seconds`.
    pub fn mint_scoped(&self, username: &str, scopes: Scopes, ttl_seconds: u64) -> Result<String, AuthError> {
        self.sign(&self.claims(username, scopes, ttl_seconds, TokenKind::Access, None))
    }

    /// The claims of a token this authority issues.
    fn claims(&self, username: &str, scopes: Scopes, ttl: u64, kind: TokenKind, jti: Option<String>) -> Claims {
        let now = now_seconds();
        Claims {
            sub: username.to_owned(),
            exp: now.saturating_add(ttl),
            iat: Some(now),
            iss: self.issuer.clone(),
            aud: self.audience.clone().map(claims::Audience::One),
            admin: scopes.admin,
            scope: Some(scopes.claim()),
            scp: None,
            typ: kind.claim(),
            jti,
        }
    }

    /// Signs `claims` with the gateway's secret.
    fn sign(&self, claims: &Claims) -> Result<String, AuthError> {
        let Some((encoding, _)) = &self.secret else {
            return Err(AuthError::InvalidToken("this gateway has no secret to sign tokens with".into()));
        };
        encode(&Header::new(Algorithm::HS256), claims, encoding).map_err(|e| AuthError::InvalidToken(e.to_string()))
    }

    /// A token of `kind` for `username` with `scopes` (refresh tokens carry their session id).
    pub(crate) fn issue(
        &self,
        username: &str,
        scopes: Scopes,
        ttl_seconds: u64,
        kind: TokenKind,
        jti: Option<String>,
    ) -> Result<String, AuthError> {
        self.sign(&self.claims(username, scopes, ttl_seconds, kind, jti))
    }

    /// The claims of a refresh token this gateway issued, if it verifies.
    pub(crate) async fn verify_refresh(&self, token: &str) -> Result<Claims, AuthError> {
        let claims = self.decode(token.trim()).await?;
        if claims.kind() != TokenKind::Refresh || claims.jti.is_none() {
            return Err(AuthError::InvalidToken("not a refresh token".into()));
        }
        Ok(claims)
    }

    /// The caller an access token names, if it verifies.
    pub async fn verify(&self, token: &str) -> Result<Verified, AuthError> {
        let claims = self.decode(token).await?;
        if claims.kind() != TokenKind::Access {
            return Err(AuthError::InvalidToken("a refresh token is not an access token".into()));
        }
        let scopes = claims.scopes();
        Ok(Verified { principal: Principal { username: claims.sub, admin: scopes.admin }, scopes })
    }

    /// Checks a token's signature, algorithm, times, issuer and audience.
    async fn decode(&self, token: &str) -> Result<Claims, AuthError> {
        let invalid = |e: jsonwebtoken::errors::Error| AuthError::InvalidToken(e.to_string());
        let header = decode_header(token).map_err(invalid)?;
        let key = match header.alg {
            Algorithm::HS256 => match &self.secret {
                Some((_, decoding)) => decoding.clone(),
                None => return Err(AuthError::InvalidToken("HS256 tokens are not accepted here".into())),
            },
            Algorithm::RS256 | Algorithm::ES256 => match &self.jwks {
                Some(jwks) => jwks.key(header.kid.as_deref(), header.alg).await?,
                None => return Err(AuthError::InvalidToken(format!("{:?} tokens are not accepted here", header.alg))),
            },
            other => return Err(AuthError::InvalidToken(format!("the {other:?} algorithm is not accepted"))),
        };
        let mut validation = Validation::new(header.alg);
        validation.leeway = self.leeway_seconds;
        validation.validate_nbf = true;
        // A configured issuer or audience must be present, not just right when present.
        let mut required = vec!["exp", "sub"];
        required.extend(self.issuer.as_ref().map(|_| "iss"));
        required.extend(self.audience.as_ref().map(|_| "aud"));
        validation.set_required_spec_claims(&required);
        match &self.issuer {
            Some(issuer) => validation.set_issuer(&[issuer]),
            None => validation.iss = None,
        }
        match &self.audience {
            Some(audience) => validation.set_audience(&[audience]),
            None => validation.validate_aud = false,
        }
        let claims = decode::<Claims>(token, &key, &validation).map_err(invalid)?.claims;
        if claims.sub.is_empty() {
            return Err(AuthError::InvalidToken("empty subject".into()));
        }
        Ok(claims)
    }

    /// The caller named by an `Authorization` header value; `Ok(None)` when
    /// there is no header, so that public fields still answer.
    pub async fn principal_from_header(&self, header: Option<&str>) -> Result<Option<Verified>, AuthError> {
        let Some(value) = header else { return Ok(None) };
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(AuthError::MalformedHeader)?;
        self.verify(token).await.map(Some)
    }
}

fn now_seconds() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn user(name: &str) -> Verified {
        Verified { principal: Principal::user(name), scopes: Scopes::USER }
    }

    #[tokio::test]
    async fn minted_token_verifies_to_its_user_with_user_scopes() {
        let auth = TokenAuthority::hs256(b"secret");
        let token = auth.mint("jdoe", false, 60).unwrap();
        let who = auth.principal_from_header(Some(&format!("Bearer {token}"))).await.unwrap();
        assert_eq!(who, Some(user("jdoe")));
        let admin = auth.verify(&auth.mint("root", true, 60).unwrap()).await.unwrap();
        assert_eq!((admin.principal.admin, admin.scopes), (true, Scopes::ALL));
    }

    #[tokio::test]
    async fn token_signed_with_another_secret_is_refused() {
        let token = TokenAuthority::hs256(b"other").mint("jdoe", false, 60).unwrap();
        let err = TokenAuthority::hs256(b"secret").verify(&token).await.unwrap_err();
        assert!(matches!(err, AuthError::InvalidToken(_)), "{err}");
    }

    #[tokio::test]
    async fn expired_token_is_refused_beyond_the_leeway_and_accepted_within_it() {
        let auth = TokenAuthority::hs256(b"secret");
        let mut claims = auth.claims("jdoe", Scopes::USER, 0, TokenKind::Access, None);
        claims.exp = now_seconds() - 3600;
        assert!(auth.verify(&auth.sign(&claims).unwrap()).await.is_err());
        claims.exp = now_seconds() - 10;
        assert!(auth.verify(&auth.sign(&claims).unwrap()).await.is_ok(), "10 s late is within the 30 s leeway");
    }

    #[tokio::test]
    async fn issuer_and_audience_are_checked_when_configured() {
        let config = AuthConfig {
            issuer: Some("https://idp".into()),
            audience: Some("mailgate".into()),
            ..AuthConfig::default()
        };
        let strict = TokenAuthority::from_config(Some(b"secret"), &config).unwrap();
        assert!(strict.verify(&strict.mint("jdoe", false, 60).unwrap()).await.is_ok());
        let plain = TokenAuthority::hs256(b"secret").mint("jdoe", false, 60).unwrap();
        assert!(strict.verify(&plain).await.is_err(), "no iss/aud");
        let other = AuthConfig { audience: Some("other".into()), ..config };
        let elsewhere = TokenAuthority::from_config(Some(b"secret"), &other).unwrap().mint("jdoe", false, 60).unwrap();
        assert!(strict.verify(&elsewhere).await.is_err(), "wrong audience");
    }

    #[tokio::test]
    async fn header_without_bearer_is_malformed_and_absent_header_is_anonymous() {
        let auth = TokenAuthority::hs256(b"secret");
        assert!(matches!(auth.principal_from_header(Some("Basic abc")).await, Err(AuthError::MalformedHeader)));
        assert!(matches!(auth.principal_from_header(Some("Bearer ")).await, Err(AuthError::MalformedHeader)));
        assert_eq!(auth.principal_from_header(None).await.unwrap(), None);
    }

    #[tokio::test]
    async fn garbage_and_unaccepted_algorithms_are_refused_not_panicking() {
        let auth = TokenAuthority::hs256(b"secret");
        // The last is alg "none"; then RS256 with no JWKS configured.
        for bad in ["x", "a.b.c", "....", "eyJhbGciOiJub25lIn0.e30.", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"] {
            assert!(auth.verify(bad).await.is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn a_refresh_token_is_not_an_access_token() {
        let auth = TokenAuthority::hs256(b"secret");
        let refresh = auth.claims("jdoe", Scopes::USER, 60, TokenKind::Refresh, Some("j1".into()));
        let err = auth.verify(&auth.sign(&refresh).unwrap()).await.unwrap_err();
        assert!(err.to_string().contains("refresh"), "{err}");
    }
}
