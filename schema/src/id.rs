//! Opaque global ids: `ID`s that name an object across sources and accounts.
//!
//! A global id encodes the object type, the account, the source (by name) and
//! the backend's own id, as base64url (no padding) of a small JSON array.
//! JSON keeps the encoding unambiguous whatever characters a backend puts in
//! its ids; base64url keeps it safe in URL paths (the gateway's download route
//! is `{download_base}/{messageGlobalId}/{partId}`). Clients must treat ids as
//! opaque; the layout may change behind a new version tag.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use std::fmt;

/// The version tag written first, so that a later layout can be told apart.
const VERSION: &str = "v1";

/// What kind of object a global id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdType {
    /// A message.
    Message,
    /// A mailbox (folder).
    Mailbox,
    /// A thread (conversation).
    Thread,
}

impl IdType {
    /// The name written into the id, equal to the GraphQL type name.
    pub fn as_str(self) -> &'static str {
        match self {
            IdType::Message => "Message",
            IdType::Mailbox => "Mailbox",
            IdType::Thread => "Thread",
        }
    }

    fn parse(s: &str) -> Option<IdType> {
        match s {
            "Message" => Some(IdType::Message),
            "Mailbox" => Some(IdType::Mailbox),
            "Thread" => Some(IdType::Thread),
            _ => None,
        }
    }
}

/// A decoded global id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GlobalId {
    /// The object type.
    pub kind: IdType,
    /// The account (username) that owns the object.
    pub account: String,
    /// The source's name (its address).
    pub source: String,
    /// The backend's own id.
    pub id: String,
}

/// Why a string is not a global id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Not base64url.
    #[error("id is not valid base64url")]
    Encoding,
    /// Not the expected layout.
    #[error("id is malformed")]
    Layout,
    /// A valid id of another type than the field expects.
    #[error("id names a {found}, expected a {expected}")]
    WrongType {
        /// What the field expects.
        expected: &'static str,
        /// What the id names.
        found: &'static str,
    },
}

impl GlobalId {
    /// A global id from its parts.
    pub fn new(kind: IdType, account: impl Into<String>, source: impl Into<String>, id: impl Into<String>) -> Self {
        Self { kind, account: account.into(), source: source.into(), id: id.into() }
    }

    /// The opaque string clients see.
    pub fn encode(&self) -> String {
        let parts = [VERSION, self.kind.as_str(), self.account.as_str(), self.source.as_str(), self.id.as_str()];
        // Serializing an array of &str cannot fail; fall back to an empty
        // array rather than panicking so that the type stays total.
        let json = serde_json::to_vec(&parts).unwrap_or_default();
        URL_SAFE_NO_PAD.encode(json)
    }

    /// Decodes any global id.
    pub fn decode(s: &str) -> Result<GlobalId, IdError> {
        let bytes = URL_SAFE_NO_PAD.decode(s.trim_end_matches('=')).map_err(|_| IdError::Encoding)?;
        let parts: Vec<String> = serde_json::from_slice(&bytes).map_err(|_| IdError::Layout)?;
        let [version, kind, account, source, id]: [String; 5] = parts.try_into().map_err(|_| IdError::Layout)?;
        if version != VERSION {
            return Err(IdError::Layout);
        }
        let kind = IdType::parse(&kind).ok_or(IdError::Layout)?;
        Ok(GlobalId { kind, account, source, id })
    }

    /// Decodes a global id that must name a `kind`.
    pub fn decode_as(s: &str, kind: IdType) -> Result<GlobalId, IdError> {
        let id = Self::decode(s)?;
        if id.kind != kind {
            return Err(IdError::WrongType { expected: kind.as_str(), found: id.kind.as_str() });
        }
        Ok(id)
    }
}

impl fmt::Display for GlobalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.encode())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_awkward_parts() {
        let id = GlobalId::new(IdType::Message, "a\"lew/isohn", "andy.lewisohn@postlight.com", "-6483969");
        let s = id.encode();
        assert!(s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(GlobalId::decode(&s).unwrap(), id);
    }

    #[test]
    fn rejects_garbage_and_wrong_types() {
        assert_eq!(GlobalId::decode("!!!"), Err(IdError::Encoding));
        assert_eq!(GlobalId::decode(&URL_SAFE_NO_PAD.encode("[1,2]")), Err(IdError::Layout));
        assert_eq!(GlobalId::decode(&URL_SAFE_NO_PAD.encode(r#"["v1","Blob","a","b","c"]"#)), Err(IdError::Layout));
        let mailbox = GlobalId::new(IdType::Mailbox, "a", "a@x", "1").encode();
        assert!(matches!(GlobalId::decode_as(&mailbox, IdType::Message), Err(IdError::WrongType { .. })));
    }
}
