//! Bearer-token authentication: HS256 JWTs minted by `mailgate token` and
//! verified on every request.
//!
//! The token only names the caller; what the caller may touch is decided by
//! the backend calls, which all receive the resulting [`Principal`].

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use mailgate_backend::Principal;
use serde::{Deserialize, Serialize};
use std::time::{SystemTime, UNIX_EPOCH};

/// Clock skew tolerated when checking `exp`.
const LEEWAY_SECONDS: u64 = 30;

/// The claims Mailgate puts in, and requires of, a token.
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    /// The username.
    sub: String,
    /// Expiry, seconds since the epoch.
    exp: u64,
    /// Issued at, seconds since the epoch.
    iat: u64,
    /// Operators may act on every account.
    #[serde(default)]
    admin: bool,
}

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

/// Signs and verifies tokens with one shared secret.
#[derive(Clone)]
pub struct TokenAuthority {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for TokenAuthority {
    /// Never prints the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenAuthority { secret: <redacted> }")
    }
}

impl TokenAuthority {
    /// An authority for an HS256 secret.
    pub fn hs256(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = LEEWAY_SECONDS;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Self { encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret), validation }
    }

    /// A token for `username`, valid for `ttl_seconds`.
    pub fn mint(&self, username: &str, admin: bool, ttl_seconds: u64) -> Result<String, AuthError> {
        let now = now_seconds();
        let claims = Claims { sub: username.to_owned(), exp: now + ttl_seconds, iat: now, admin };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| AuthError::InvalidToken(e.to_string()))
    }

    /// The caller a token names, if it verifies.
    pub fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| AuthError::InvalidToken(e.to_string()))?;
        if data.claims.sub.is_empty() {
            return Err(AuthError::InvalidToken("empty subject".into()));
        }
        Ok(Principal { username: data.claims.sub, admin: data.claims.admin })
    }

    /// The caller named by an `Authorization` header value; `Ok(None)` when
    /// there is no header, so that public fields still answer.
    pub fn principal_from_header(&self, header: Option<&str>) -> Result<Option<Principal>, AuthError> {
        let Some(value) = header else { return Ok(None) };
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(AuthError::MalformedHeader)?;
        self.verify(token).map(Some)
    }
}

fn now_seconds() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn minted_token_verifies_to_its_user() {
        let auth = TokenAuthority::hs256(b"secret");
        let token = auth.mint("jdoe", false, 60).unwrap();
        let who = auth.principal_from_header(Some(&format!("Bearer {token}"))).unwrap();
        assert_eq!(who, Some(Principal::user("jdoe")));
    }

    #[test]
    fn token_signed_with_another_secret_is_refused() {
        let token = TokenAuthority::hs256(b"other").mint("jdoe", false, 60).unwrap();
        let err = TokenAuthority::hs256(b"secret").verify(&token).unwrap_err();
        assert!(matches!(err, AuthError::InvalidToken(_)), "{err}");
    }

    #[test]
    fn expired_token_is_refused() {
        let auth = TokenAuthority::hs256(b"secret");
        let claims = Claims { sub: "jdoe".into(), exp: now_seconds() - 3600, iat: 0, admin: false };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &auth.encoding).unwrap();
        assert!(auth.verify(&token).is_err());
    }

    #[test]
    fn header_without_bearer_is_malformed_and_absent_header_is_anonymous() {
        let auth = TokenAuthority::hs256(b"secret");
        assert!(matches!(auth.principal_from_header(Some("Basic abc")), Err(AuthError::MalformedHeader)));
        assert!(matches!(auth.principal_from_header(Some("Bearer ")), Err(AuthError::MalformedHeader)));
        assert_eq!(auth.principal_from_header(None).unwrap(), None);
    }

    #[test]
    fn garbage_token_is_refused_not_panicking() {
        let auth = TokenAuthority::hs256(b"secret");
        for bad in ["x", "a.b.c", "....", "eyJhbGciOiJub25lIn0.e30."] {
            assert!(auth.verify(bad).is_err(), "{bad}");
        }
    }
}
