//! The one error type of the backend seam.

use thiserror::Error;

/// A failed backend call. The kind is closed so that the schema can map it to
/// a stable GraphQL error code; the message is for logs, never for clients
/// unless the kind says it is about their input.
#[derive(Debug, Error)]
#[error("{kind:?}: {message}")]
pub struct BackendError {
    /// What kind of failure.
    pub kind: ErrorKind,
    /// A lowercase description, without secrets.
    pub message: String,
}

/// The closed set of failure kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The thing does not exist, or the caller may not know it does.
    NotFound,
    /// The caller may not do this.
    PermissionDenied,
    /// The request conflicts with the current state (e.g. a system mailbox).
    Conflict,
    /// The request itself is malformed.
    InvalidInput,
    /// The backend is down or unreachable; retrying later may work.
    Unavailable,
    /// The backend answered with something we do not understand.
    Backend,
    /// A bug or an unexpected local failure.
    Internal,
}

impl BackendError {
    /// An error of `kind` with a message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into() }
    }

    /// Shorthand for [`ErrorKind::NotFound`].
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }

    /// Shorthand for [`ErrorKind::PermissionDenied`].
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::PermissionDenied, message)
    }

    /// Shorthand for [`ErrorKind::InvalidInput`].
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidInput, message)
    }

    /// Shorthand for [`ErrorKind::Conflict`].
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, message)
    }

    /// Shorthand for [`ErrorKind::Internal`].
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }

    /// Shorthand for [`ErrorKind::Unavailable`].
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unavailable, message)
    }
}
