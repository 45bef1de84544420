//! Sign-in mutations: `login`, `refreshToken` and `logout`, over an
//! [`Authenticator`] the gateway provides (it owns the password file, the
//! signing keys and the refresh sessions; the schema only speaks GraphQL).

use crate::error::{api_error, Code};
use async_graphql::{Context, InputObject, Result, SimpleObject};
use std::sync::Arc;

/// Tokens issued by a sign-in.
#[derive(Debug, Clone, SimpleObject)]
pub struct TokenPayload {
    /// A short-lived bearer token for `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until `accessToken` expires.
    pub expires_in: u64,
    /// Exchange it with `refreshToken` for new tokens before it expires;
    /// each refresh token works once.
    pub refresh_token: String,
}

/// What `logout` did.
#[derive(Debug, Clone, SimpleObject)]
pub struct LogoutPayload {
    /// Whether the refresh token was live and is now revoked.
    pub revoked: bool,
}

/// `login`'s arguments.
#[derive(Debug, InputObject)]
pub struct LoginInput {
    /// The account name.
    pub username: String,
    /// The account's password.
    pub password: String,
}

/// `refreshToken`'s and `logout`'s argument.
#[derive(Debug, InputObject)]
pub struct RefreshTokenInput {
    /// A refresh token from `login` or an earlier `refreshToken`.
    pub refresh_token: String,
}

/// Why a sign-in failed: a code and a message safe to show.
#[derive(Debug, Clone)]
pub struct AuthFailure {
    /// The `extensions.code` (`UNAUTHENTICATED`, `RATE_LIMITED`, `INTERNAL`…).
    pub code: Code,
    /// What the client is told.
    pub message: String,
}

/// What the gateway does for the sign-in mutations.
#[async_trait::async_trait]
pub trait Authenticator: Send + Sync {
    /// Checks a password and issues tokens.
    async fn login(&self, username: &str, password: &str) -> Result<TokenPayload, AuthFailure>;
    /// Exchanges a refresh token (once) for new tokens.
    async fn refresh(&self, refresh_token: &str) -> Result<TokenPayload, AuthFailure>;
    /// Revokes a refresh token; `false` if it was not live.
    async fn logout(&self, refresh_token: &str) -> Result<bool, AuthFailure>;
}

/// The request's authenticator; without one, sign-in is not offered here.
fn authenticator<'a>(ctx: &Context<'a>) -> Result<&'a Arc<dyn Authenticator>> {
    ctx.data_opt::<Arc<dyn Authenticator>>()
        .ok_or_else(|| api_error(Code::BadUserInput, "this gateway does not offer sign-in; use a bearer token"))
}

fn failed(failure: AuthFailure) -> async_graphql::Error {
    api_error(failure.code, failure.message)
}

pub(super) async fn login(ctx: &Context<'_>, input: LoginInput) -> Result<TokenPayload> {
    authenticator(ctx)?.login(&input.username, &input.password).await.map_err(failed)
}

pub(super) async fn refresh(ctx: &Context<'_>, input: RefreshTokenInput) -> Result<TokenPayload> {
    authenticator(ctx)?.refresh(&input.refresh_token).await.map_err(failed)
}

pub(super) async fn logout(ctx: &Context<'_>, input: RefreshTokenInput) -> Result<LogoutPayload> {
    let revoked = authenticator(ctx)?.logout(&input.refresh_token).await.map_err(failed)?;
    Ok(LogoutPayload { revoked })
}
