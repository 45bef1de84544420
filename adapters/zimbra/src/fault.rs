//! Zimbra faults to our [`ErrorKind`]s.

use crate::xml::El;
use mailgate_backend::{BackendError, ErrorKind};

/// A fault read from a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoapFault {
    /// Zimbra's code, e.g. `mail.NO_SUCH_MSG`.
    pub code: String,
    /// The reason text.
    pub reason: String,
}

impl SoapFault {
    /// Reads a `Fault` element (SOAP 1.2 or 1.1 shape).
    pub fn from_el(f: &El) -> SoapFault {
        let code = f.path(&["Detail", "Error", "Code"]).or_else(|| f.path(&["detail", "Error", "Code"]));
        let reason = f.path(&["Reason", "Text"]).or_else(|| f.first("faultstring"));
        SoapFault {
            code: code.map(|c| c.text.trim().to_owned()).unwrap_or_else(|| "service.FAILURE".into()),
            reason: reason.map(|r| r.text.trim().to_owned()).unwrap_or_default(),
        }
    }

    /// The kind of error this fault means for our callers.
    pub fn kind(&self) -> ErrorKind {
        match self.code.as_str() {
            c if c.starts_with("mail.NO_SUCH_") => ErrorKind::NotFound,
            "account.NO_SUCH_ACCOUNT" => ErrorKind::NotFound,
            "account.AUTH_FAILED" | "service.PERM_DENIED" | "service.AUTH_REQUIRED" | "service.AUTH_EXPIRED" => {
                ErrorKind::PermissionDenied
            }
            "mail.ALREADY_EXISTS" | "mail.IMMUTABLE_OBJECT" | "mail.MODIFY_CONFLICT" => ErrorKind::Conflict,
            "service.INVALID_REQUEST" | "mail.QUERY_PARSE_ERROR" => ErrorKind::InvalidInput,
            "service.PROXY_ERROR" | "service.TEMPORARILY_UNAVAILABLE" => ErrorKind::Unavailable,
            _ => ErrorKind::Backend,
        }
    }

    /// As a [`BackendError`]; the message names the code, never a token.
    pub fn into_error(self) -> BackendError {
        BackendError::new(self.kind(), format!("zimbra fault {}: {}", self.code, self.reason))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_kinds() {
        let k = |c: &str| SoapFault { code: c.into(), reason: String::new() }.kind();
        assert_eq!(k("mail.NO_SUCH_MSG"), ErrorKind::NotFound);
        assert_eq!(k("mail.NO_SUCH_FOLDER"), ErrorKind::NotFound);
        assert_eq!(k("account.AUTH_FAILED"), ErrorKind::PermissionDenied);
        assert_eq!(k("service.PERM_DENIED"), ErrorKind::PermissionDenied);
        assert_eq!(k("mail.ALREADY_EXISTS"), ErrorKind::Conflict);
        assert_eq!(k("service.INVALID_REQUEST"), ErrorKind::InvalidInput);
        assert_eq!(k("service.FAILURE"), ErrorKind::Backend);
    }
}
