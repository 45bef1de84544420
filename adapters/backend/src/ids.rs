//! Opaque identifier newtypes.
//!
//! Ids are strings because every backend has its own shape (the native
//! cluster uses decimal integers, Zimbra uses `6483969` for messages and
//! `-6483969` for virtual conversations). Only the backend that minted an id
//! interprets it.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The id as the backend wrote it.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s)
            }
        }
    };
}

string_id!(
    /// A message, unique within its backend.
    MessageId
);
string_id!(
    /// A mailbox (folder), unique within its backend.
    MailboxId
);
string_id!(
    /// A thread (conversation), unique within its backend.
    ThreadId
);
string_id!(
    /// A blob: a raw message or an attachment's decoded content. For the
    /// native backend it is the sha256 of the content, in hex.
    BlobId
);
string_id!(
    /// An account's change state: opaque, different after every change.
    State
);
string_id!(
    /// The idempotency key of a write; a backend applies a request id at most once.
    RequestId
);
