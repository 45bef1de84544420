//! [`SignIn`]: `login`, `refreshToken` and `logout` for the schema.
//!
//! `login` checks the password file and issues an access token (`mail:read
//! mail:write`, `access_token_ttl_seconds`) and a refresh token (a signed JWT
//! naming a live session, `refresh_token_ttl_seconds`). Sign-in attempts are
//! limited per username (a token bucket of [`LOGIN_BURST`] refilled one per
//! [`LOGIN_PERIOD`]), so guessing one user's password goes no faster than
//! that, however many clients try; the price is that a flood of wrong
//! guesses also holds the real user off for as long.

use super::passwords::PasswordFile;
use super::sessions::{RefreshSession, RefreshSessions};
use super::{now_seconds, AuthConfig, TokenAuthority, TokenKind};
use async_trait::async_trait;
use governor::{DefaultKeyedRateLimiter, Quota};
use mailgate_schema::mutation::{AuthFailure, Authenticator, TokenPayload};
use mailgate_schema::{Code, Scopes};
use std::num::NonZeroU32;
use std::time::Duration;

/// The longest username and password `login` looks at.
pub const MAX_USERNAME_BYTES: usize = 256;
/// See [`MAX_USERNAME_BYTES`].
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// Usernames tracked by the attempt limiter before idle ones are dropped.
const PRUNE_ABOVE: usize = 10_000;

/// Sign-in attempts one username may make at once.
pub const LOGIN_BURST: u32 = 5;
/// How often one more attempt is allowed.
pub const LOGIN_PERIOD: Duration = Duration::from_secs(12);

/// The gateway's sign-in.
pub struct SignIn {
    tokens: TokenAuthority,
    passwords: Option<PasswordFile>,
    sessions: RefreshSessions,
    attempts: DefaultKeyedRateLimiter<String>,
    access_ttl: u64,
    refresh_ttl: u64,
}

impl SignIn {
    /// Sign-in with `tokens` and, for `login`, `passwords`.
    pub fn new(tokens: TokenAuthority, passwords: Option<PasswordFile>, config: &AuthConfig) -> Self {
        let burst = NonZeroU32::new(LOGIN_BURST).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(LOGIN_PERIOD).map_or_else(|| Quota::per_minute(burst), |q| q.allow_burst(burst));
        Self {
            tokens,
            passwords,
            sessions: RefreshSessions::default(),
            attempts: DefaultKeyedRateLimiter::dashmap(quota),
            access_ttl: config.access_token_ttl_seconds,
            refresh_ttl: config.refresh_token_ttl_seconds,
        }
    }

    /// A fresh access token and refresh session for `username`, bound to
    /// the password hash (`credential`) they signed in with.
    fn issue(&self, username: &str, credential: String) -> Result<TokenPayload, AuthFailure> {
        let now = now_seconds();
        let session = uuid::Uuid::new_v4().to_string();
        let access = self.tokens.issue(username, Scopes::USER, self.access_ttl, TokenKind::Access, None);
        let refresh =
            self.tokens.issue(username, Scopes::USER, self.refresh_ttl, TokenKind::Refresh, Some(session.clone()));
        let (Ok(access_token), Ok(refresh_token)) = (access, refresh) else {
            return Err(failure(Code::Internal, "cannot sign tokens"));
        };
        let expires = now.saturating_add(self.refresh_ttl);
        self.sessions.insert(session, RefreshSession { username: username.to_owned(), expires, credential }, now);
        Ok(TokenPayload { access_token, token_type: "Bearer".to_owned(), expires_in: self.access_ttl, refresh_token })
    }

    /// How many refresh sessions are live.
    pub fn live_sessions(&self) -> usize {
        self.sessions.len()
    }
}

fn failure(code: Code, message: &str) -> AuthFailure {
    AuthFailure { code, message: message.to_owned() }
}

fn bad_refresh_token() -> AuthFailure {
    failure(Code::Unauthenticated, "the refresh token is invalid, expired or already used; sign in again")
}

#[async_trait]
impl Authenticator for SignIn {
    async fn login(&self, username: &str, password: &str) -> Result<TokenPayload, AuthFailure> {
        let Some(passwords) = &self.passwords else {
            return Err(failure(Code::BadUserInput, "password sign-in is not configured here ([auth] password_file)"));
        };
        if username.len() > MAX_USERNAME_BYTES || password.len() > MAX_PASSWORD_BYTES {
            return Err(failure(Code::BadUserInput, "the username or password is too long"));
        }
        // The limiter holds one entry per username tried: forget the idle ones
        // before a flood of made-up names can grow it far.
        if self.attempts.len() > PRUNE_ABOVE {
            self.attempts.retain_recent();
        }
        if self.attempts.check_key(&username.to_owned()).is_err() {
            return Err(failure(Code::RateLimited, "too many sign-in attempts for this user; wait a minute"));
        }
        match passwords.verify(username, password).await {
            Ok(Some(credential)) => self.issue(username, credential),
            Ok(None) => Err(failure(Code::Unauthenticated, "wrong username or password")),
            Err(_busy) => Err(failure(Code::RateLimited, "too many sign-ins at once; retry in a moment")),
        }
    }

    async fn refresh(&self, refresh_token: &str) -> Result<TokenPayload, AuthFailure> {
        let claims = self.tokens.verify_refresh(refresh_token).await.map_err(|_| bad_refresh_token())?;
        let session = claims.jti.as_deref().unwrap_or_default();
        let current = self.passwords.as_ref().and_then(|p| p.hash_of(&claims.sub));
        match self.sessions.take(session, now_seconds()) {
            // A password changed or removed since sign-in ends the session.
            Some(live) if live.username == claims.sub && current.as_ref() == Some(&live.credential) => {
                self.issue(&live.username, live.credential)
            }
            _ => Err(bad_refresh_token()),
        }
    }

    async fn logout(&self, refresh_token: &str) -> Result<bool, AuthFailure> {
        let claims = self.tokens.verify_refresh(refresh_token).await.map_err(|_| bad_refresh_token())?;
        let session = claims.jti.as_deref().unwrap_or_default();
        Ok(self.sessions.take(session, now_seconds()).is_some())
    }
}
