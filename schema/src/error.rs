//! Stable error codes and the mapping from backend failures to GraphQL errors.
//!
//! Every error a client sees carries `extensions.code`, one of a closed set of
//! strings that clients may branch on. Messages of internal and backend
//! failures are logged here and replaced by a generic sentence, because they
//! can name hosts, files or other accounts.

use async_graphql::ErrorExtensions;
use mailgate_backend::{BackendError, ErrorKind};

/// The closed set of `extensions.code` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    /// No principal on the request.
    Unauthenticated,
    /// The principal may not act on this account.
    Forbidden,
    /// The thing does not exist, or the caller may not know it does.
    NotFound,
    /// An argument is malformed (bad id, bad search syntax, limit too large).
    BadUserInput,
    /// The request conflicts with the current state (e.g. renaming a system mailbox).
    Conflict,
    /// Too many requests; set by the gateway.
    RateLimited,
    /// The query is too deep or too complex; set by the gateway or the validator.
    QueryTooComplex,
    /// A backend is down or unreachable; retrying later may work.
    BackendUnavailable,
    /// The request named a persisted query by hash that the gateway does not
    /// know; the client sends the full text with the hash (the APQ protocol).
    PersistedQueryNotFound,
    /// A backend answered with something unexpected.
    BackendError,
    /// A bug.
    Internal,
}

impl Code {
    /// Every code, for documentation and tests.
    pub const ALL: [Code; 11] = [
        Code::Unauthenticated,
        Code::Forbidden,
        Code::NotFound,
        Code::BadUserInput,
        Code::Conflict,
        Code::RateLimited,
        Code::QueryTooComplex,
        Code::BackendUnavailable,
        Code::PersistedQueryNotFound,
        Code::BackendError,
        Code::Internal,
    ];

    /// The string clients see in `extensions.code`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Unauthenticated => "UNAUTHENTICATED",
            Code::Forbidden => "FORBIDDEN",
            Code::NotFound => "NOT_FOUND",
            Code::BadUserInput => "BAD_USER_INPUT",
            Code::Conflict => "CONFLICT",
            Code::RateLimited => "RATE_LIMITED",
            Code::QueryTooComplex => "QUERY_TOO_COMPLEX",
            Code::BackendUnavailable => "BACKEND_UNAVAILABLE",
            Code::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            Code::BackendError => "BACKEND_ERROR",
            Code::Internal => "INTERNAL",
        }
    }

    /// The code for a backend failure kind.
    pub fn from_kind(kind: ErrorKind) -> Code {
        match kind {
            ErrorKind::NotFound => Code::NotFound,
            ErrorKind::PermissionDenied => Code::Forbidden,
            ErrorKind::Conflict => Code::Conflict,
            ErrorKind::InvalidInput => Code::BadUserInput,
            ErrorKind::Unavailable => Code::BackendUnavailable,
            ErrorKind::Backend => Code::BackendError,
            ErrorKind::Internal => Code::Internal,
        }
    }
}

/// The `extensions.code` string for a backend failure kind.
pub fn error_code(kind: ErrorKind) -> &'static str {
    Code::from_kind(kind).as_str()
}

/// A GraphQL error with `extensions.code` set. The message is shown to the
/// client as is, so callers pass only text about the client's own input.
pub fn api_error(code: Code, message: impl Into<String>) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(|_, ext| ext.set("code", code.as_str()))
}

/// The GraphQL error for a backend failure.
///
/// Input-related kinds keep the backend's message (it describes the caller's
/// request); not-found and forbidden get a fixed sentence so that they reveal
/// nothing about other accounts; unavailable, backend and internal failures
/// are logged with their details and shown as a generic sentence.
pub fn backend_error(err: &BackendError) -> async_graphql::Error {
    let code = Code::from_kind(err.kind);
    let message = match err.kind {
        ErrorKind::InvalidInput | ErrorKind::Conflict => err.message.clone(),
        ErrorKind::NotFound => "not found".to_owned(),
        ErrorKind::PermissionDenied => "forbidden".to_owned(),
        ErrorKind::Unavailable => {
            tracing::warn!(error = %err.message, "backend unavailable");
            "the mail backend is unavailable; retry later".to_owned()
        }
        ErrorKind::Backend => {
            tracing::error!(error = %err.message, "backend error");
            "the mail backend failed".to_owned()
        }
        ErrorKind::Internal => {
            tracing::error!(error = %err.message, "internal error");
            "internal error".to_owned()
        }
    };
    api_error(code, message)
}

/// Shorthand for a [`Code::NotFound`] error.
pub fn not_found(what: &str) -> async_graphql::Error {
    api_error(Code::NotFound, format!("{what} not found"))
}

/// Shorthand for a [`Code::BadUserInput`] error.
pub fn bad_input(message: impl Into<String>) -> async_graphql::Error {
    api_error(Code::BadUserInput, message)
}

/// Shorthand for an [`Code::Internal`] error; logs `detail`, shows nothing of it.
pub fn internal(detail: &str) -> async_graphql::Error {
    tracing::error!(error = %detail, "internal error");
    api_error(Code::Internal, "internal error")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_maps_to_a_documented_code() {
        let kinds = [
            (ErrorKind::NotFound, "NOT_FOUND"),
            (ErrorKind::PermissionDenied, "FORBIDDEN"),
            (ErrorKind::Conflict, "CONFLICT"),
            (ErrorKind::InvalidInput, "BAD_USER_INPUT"),
            (ErrorKind::Unavailable, "BACKEND_UNAVAILABLE"),
            (ErrorKind::Backend, "BACKEND_ERROR"),
            (ErrorKind::Internal, "INTERNAL"),
        ];
        for (kind, code) in kinds {
            assert_eq!(error_code(kind), code);
        }
    }

    #[test]
    fn internal_details_do_not_reach_the_client() {
        let err = BackendError::internal("redb: /var/lib/secret/path corrupt");
        let gql = backend_error(&err);
        assert_eq!(gql.message, "internal error");
        let err = BackendError::new(ErrorKind::Backend, "host 10.0.0.7 said no");
        assert!(!backend_error(&err).message.contains("10.0.0.7"));
    }

    #[test]
    fn input_errors_keep_their_message() {
        let err = BackendError::conflict("system mailboxes cannot be renamed");
        assert_eq!(backend_error(&err).message, "system mailboxes cannot be renamed");
    }
}
