//! The application command carried through Raft, and its response.
//!
//! A [`Command`] is one account's [`ChangeRequest`]. The raw message bytes of
//! an import travel inside the log entry (base64 in the JSON encoding, so a
//! follower needs nothing else to apply it). The response carries the apply
//! result as data: errors of the request (unknown mailbox, conflicts) are not
//! Raft failures.

use base64::Engine as _;
use mailgate_backend::{BackendError, ChangeOutcome, ChangeRequest, ErrorKind, MailChange};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The largest raw message accepted for import, in bytes.
pub const MAX_RAW_MESSAGE: usize = 40 * 1024 * 1024;

/// One write on one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The account written.
    pub account: String,
    /// The change and its idempotency key.
    pub request: ChangeRequest,
}

impl Command {
    /// Checks what must hold before proposing: a usable account name and the entry size cap.
    pub fn validate(&self) -> Result<(), BackendError> {
        if self.account.is_empty() || self.account.contains('\0') {
            return Err(BackendError::invalid("account name must be non-empty and contain no NUL"));
        }
        if self.request.request_id.as_str().is_empty() {
            return Err(BackendError::invalid("request id must be non-empty"));
        }
        if let MailChange::Import { raw, .. } = &self.request.change {
            if raw.len() > MAX_RAW_MESSAGE {
                return Err(BackendError::invalid(format!(
                    "message of {} bytes exceeds the limit of {MAX_RAW_MESSAGE} bytes",
                    raw.len()
                )));
            }
        }
        Ok(())
    }
}

impl std::fmt::Display for Command {
    /// A short description for logs: never the message content.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match &self.request.change {
            MailChange::CreateAccount { .. } => "create-account",
            MailChange::Import { .. } => "import",
            MailChange::SetFlags { .. } => "set-flags",
            MailChange::Move { .. } => "move",
            MailChange::Delete { .. } => "delete",
            MailChange::CreateMailbox { .. } => "create-mailbox",
            MailChange::RenameMailbox { .. } => "rename-mailbox",
            MailChange::DeleteMailbox { .. } => "delete-mailbox",
            MailChange::SetSource { .. } => "set-source",
        };
        write!(f, "{kind} account={} request={}", self.account, self.request.request_id)
    }
}

/// The JSON form of a [`Command`]: the import's raw bytes moved out into base64.
#[derive(Serialize, Deserialize)]
struct CommandWire {
    account: String,
    request: ChangeRequest,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    raw_b64: Option<String>,
}

impl Serialize for Command {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (change, raw_b64) = match &self.request.change {
            MailChange::Import { mailbox, raw, flags, received_at } => (
                MailChange::Import {
                    mailbox: mailbox.clone(),
                    raw: Vec::new(),
                    flags: flags.clone(),
                    received_at: *received_at,
                },
                Some(base64::engine::general_purpose::STANDARD.encode(raw)),
            ),
            other => (other.clone(), None),
        };
        let wire = CommandWire {
            account: self.account.clone(),
            request: ChangeRequest { request_id: self.request.request_id.clone(), change },
            raw_b64,
        };
        wire.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Command {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut wire = CommandWire::deserialize(deserializer)?;
        if let (MailChange::Import { raw, .. }, Some(b64)) = (&mut wire.request.change, wire.raw_b64) {
            *raw =
                base64::engine::general_purpose::STANDARD.decode(b64.as_bytes()).map_err(serde::de::Error::custom)?;
        }
        Ok(Command { account: wire.account, request: wire.request })
    }
}

/// What applying a log entry produced.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CommandResponse {
    /// The outcome of a [`Command`]; `None` for blank and membership entries.
    pub outcome: Option<Result<ChangeOutcome, ApplyError>>,
}

/// A request error decided by the state machine, stored for deduplication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyError {
    /// The kind, named like [`ErrorKind`].
    pub kind: ApplyErrorKind,
    /// A lowercase description.
    pub message: String,
}

/// The error kinds apply can decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApplyErrorKind {
    /// An account, mailbox or message that does not exist.
    NotFound,
    /// Conflicts with the current state (system mailbox, duplicate name).
    Conflict,
    /// A malformed request.
    InvalidInput,
}

impl ApplyError {
    /// A not-found error.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self { kind: ApplyErrorKind::NotFound, message: message.into() }
    }

    /// A conflict error.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self { kind: ApplyErrorKind::Conflict, message: message.into() }
    }

    /// An invalid-input error.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self { kind: ApplyErrorKind::InvalidInput, message: message.into() }
    }
}

impl From<ApplyError> for BackendError {
    fn from(e: ApplyError) -> Self {
        let kind = match e.kind {
            ApplyErrorKind::NotFound => ErrorKind::NotFound,
            ApplyErrorKind::Conflict => ErrorKind::Conflict,
            ApplyErrorKind::InvalidInput => ErrorKind::InvalidInput,
        };
        BackendError::new(kind, e.message)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use mailgate_backend::{Flag, MailboxId, RequestId};

    #[test]
    fn import_round_trips_with_raw_in_base64() {
        let cmd = Command {
            account: "a".into(),
            request: ChangeRequest {
                request_id: RequestId::from("r1"),
                change: MailChange::Import {
                    mailbox: MailboxId::from("1"),
                    raw: b"Subject: x\r\n\r\nbody \xff".to_vec(),
                    flags: vec![Flag::Seen],
                    received_at: Some(5),
                },
            },
        };
        let json = serde_json::to_string(&cmd).unwrap();
        assert!(json.contains("raw_b64"));
        assert!(json.contains("\"raw\":[]"));
        let back: Command = serde_json::from_str(&json).unwrap();
        assert_eq!(back, cmd);
    }

    #[test]
    fn oversized_import_is_invalid_input() {
        let cmd = Command {
            account: "a".into(),
            request: ChangeRequest {
                request_id: RequestId::from("r1"),
                change: MailChange::Import {
                    mailbox: MailboxId::from("1"),
                    raw: vec![b'a'; MAX_RAW_MESSAGE + 1],
                    flags: vec![],
                    received_at: None,
                },
            },
        };
        let err = cmd.validate().unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput);
        assert!(err.message.contains("exceeds"));
    }
}
