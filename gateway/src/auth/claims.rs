//! [`Claims`]: what a token says, as Mailgate issues it and as identity
//! providers write it.
//!
//! Scopes are read from `scope` (a space-separated string, RFC 8693/9068) or
//! `scp` (an array, as Okta and Entra write it). A token with neither gets
//! `mail:read mail:write`, the caller's own mail (tokens minted before scopes
//! existed keep working), and only for those the `admin: true` claim grants
//! `admin`. `mail:write` includes `mail:read`.

use mailgate_schema::Scopes;
use serde::{Deserialize, Serialize};

/// A token's claims.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The username.
    pub sub: String,
    /// Expiry, seconds since the epoch.
    pub exp: u64,
    /// Issued at, seconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<u64>,
    /// The issuer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// The audience: one or several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<Audience>,
    /// Operators may act on every account (the claim of older tokens).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub admin: bool,
    /// Space-separated scopes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Scopes as an array.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scp: Option<Vec<String>>,
    /// `refresh` for the gateway's refresh tokens; absent for access tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typ: Option<String>,
    /// The token's id (refresh tokens: the session it belongs to).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
}

/// `aud` as a string or a list.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    /// One audience.
    One(String),
    /// Several.
    Many(Vec<String>),
}

/// Access or refresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Sent as `Authorization: Bearer`.
    Access,
    /// Only exchanged through `refreshToken`.
    Refresh,
}

impl TokenKind {
    /// The `typ` claim.
    pub fn claim(self) -> Option<String> {
        match self {
            TokenKind::Access => None,
            TokenKind::Refresh => Some("refresh".to_owned()),
        }
    }
}

impl Claims {
    /// The scopes the token grants (see the module doc).
    pub fn scopes(&self) -> Scopes {
        match (&self.scope, &self.scp) {
            (Some(scope), _) => Scopes::parse(scope.split_whitespace()),
            (None, Some(scp)) => Scopes::parse(scp.iter().map(String::as_str)),
            // Only a token without scope claims is read the old way: an
            // identity provider's `admin` attribute next to its scopes grants nothing.
            (None, None) => Scopes { admin: self.admin, ..Scopes::USER },
        }
    }

    /// Access or refresh.
    pub fn kind(&self) -> TokenKind {
        match self.typ.as_deref() {
            Some(typ) if typ.eq_ignore_ascii_case("refresh") => TokenKind::Refresh,
            _ => TokenKind::Access,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn claims(json: serde_json::Value) -> Claims {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn scopes_come_from_scope_or_scp_and_default_to_the_users_own_mail() {
        let base = serde_json::json!({ "sub": "ann", "exp": 1 });
        assert_eq!(claims(base.clone()).scopes(), Scopes::USER);
        let mut read_only = base.clone();
        read_only["scope"] = "openid mail:read".into();
        assert_eq!(claims(read_only).scopes(), Scopes { read: true, write: false, admin: false });
        let mut scp = base.clone();
        scp["scp"] = serde_json::json!(["mail:write"]);
        assert_eq!(claims(scp).scopes(), Scopes::USER);
        let mut legacy_admin = base.clone();
        legacy_admin["admin"] = true.into();
        assert_eq!(claims(legacy_admin.clone()).scopes(), Scopes::ALL);
        // Next to scope claims, `admin: true` grants nothing.
        legacy_admin["scope"] = "mail:read".into();
        assert!(!claims(legacy_admin).scopes().admin);
        let mut keycloak = base;
        keycloak["typ"] = "Refresh".into();
        assert_eq!(claims(keycloak).kind(), TokenKind::Refresh);
    }
}
