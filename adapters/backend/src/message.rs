//! Messages, their addresses, flags and attachments.

use crate::ids::{BlobId, MailboxId, MessageId, ThreadId};
use serde::{Deserialize, Serialize};

/// One email, as parsed once at import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// Backend id, opaque to callers.
    pub id: MessageId,
    /// The account that owns the message.
    pub account: String,
    /// The thread this message belongs to.
    pub thread_id: ThreadId,
    /// The mailboxes holding the message (a Zimbra message has exactly one).
    pub mailbox_ids: Vec<MailboxId>,
    /// System flags.
    pub flags: Flags,
    /// Size of the raw RFC 5322 message in bytes.
    pub size: u64,
    /// When the message arrived, in milliseconds since the Unix epoch.
    pub received_at: i64,
    /// The `Date:` header, in milliseconds since the Unix epoch, if it parsed.
    pub sent_at: Option<i64>,
    /// The `Message-ID:` header without angle brackets.
    pub message_id_header: Option<String>,
    /// The `In-Reply-To:` ids without angle brackets.
    pub in_reply_to: Vec<String>,
    /// The `References:` ids without angle brackets.
    pub references: Vec<String>,
    /// All addresses, each tagged with the header it came from.
    pub addresses: Vec<Address>,
    /// The decoded subject (RFC 2047 words decoded).
    pub subject: String,
    /// The first characters of the text body, whitespace collapsed.
    pub preview: String,
    /// The plain-text body, if the message has one.
    pub text_body: Option<String>,
    /// The HTML body, if the message has one.
    pub html_body: Option<String>,
    /// Top-level header fields, decoded, in message order.
    pub headers: Vec<Header>,
    /// Attachments, in part order.
    pub attachments: Vec<Attachment>,
    /// The raw RFC 5322 message.
    pub raw_blob: BlobId,
}

impl Message {
    /// Whether the message has at least one attachment.
    pub fn has_attachment(&self) -> bool {
        !self.attachments.is_empty()
    }

    /// The addresses from one header.
    pub fn addresses_of(&self, kind: AddressKind) -> impl Iterator<Item = &Address> {
        self.addresses.iter().filter(move |a| a.kind == kind)
    }
}

/// One mailbox address from a header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// The address, e.g. `jdoe@example.com`.
    pub email: String,
    /// The display name, RFC 2047 decoded.
    pub name: Option<String>,
    /// The header it came from.
    pub kind: AddressKind,
}

/// The header an address came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AddressKind {
    /// `From:`
    From,
    /// `Sender:`
    Sender,
    /// `Reply-To:`
    ReplyTo,
    /// `To:`
    To,
    /// `Cc:`
    Cc,
    /// `Bcc:`
    Bcc,
}

/// One decoded header field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// The field name as written.
    pub name: String,
    /// The field value, unfolded and decoded to text.
    pub value: String,
}

/// One attachment (a non-body part, or an inline part with a filename).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// The MIME part number, e.g. `2` or `1.2` (IMAP/Zimbra numbering).
    pub part_id: String,
    /// The file name, RFC 2231/2047 decoded.
    pub filename: Option<String>,
    /// The media type, e.g. `application/pdf`.
    pub content_type: String,
    /// Decoded size in bytes.
    pub size: u64,
    /// `attachment` or `inline`.
    pub disposition: Option<String>,
    /// The `Content-ID`, without angle brackets.
    pub content_id: Option<String>,
    /// Where the decoded content lives.
    pub blob_id: BlobId,
}

/// The system flags of a message (JMAP keywords `$seen`, `$flagged`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Flags {
    /// Read.
    pub seen: bool,
    /// Starred.
    pub flagged: bool,
    /// Replied to.
    pub answered: bool,
    /// Forwarded.
    pub forwarded: bool,
    /// A draft.
    pub draft: bool,
}

impl Flags {
    /// Whether `flag` is set.
    pub fn get(&self, flag: Flag) -> bool {
        match flag {
            Flag::Seen => self.seen,
            Flag::Flagged => self.flagged,
            Flag::Answered => self.answered,
            Flag::Forwarded => self.forwarded,
            Flag::Draft => self.draft,
        }
    }

    /// Sets or clears `flag`.
    pub fn set(&mut self, flag: Flag, value: bool) {
        match flag {
            Flag::Seen => self.seen = value,
            Flag::Flagged => self.flagged = value,
            Flag::Answered => self.answered = value,
            Flag::Forwarded => self.forwarded = value,
            Flag::Draft => self.draft = value,
        }
    }

    /// Flags built from a list of set flags.
    pub fn from_list(flags: &[Flag]) -> Self {
        let mut out = Flags::default();
        for flag in flags {
            out.set(*flag, true);
        }
        out
    }

    /// The set flags, in [`Flag::ALL`] order.
    pub fn to_list(&self) -> Vec<Flag> {
        Flag::ALL.into_iter().filter(|f| self.get(*f)).collect()
    }
}

/// One system flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Flag {
    /// Read.
    Seen,
    /// Starred.
    Flagged,
    /// Replied to.
    Answered,
    /// Forwarded.
    Forwarded,
    /// A draft.
    Draft,
}

impl Flag {
    /// Every flag.
    pub const ALL: [Flag; 5] = [Flag::Seen, Flag::Flagged, Flag::Answered, Flag::Forwarded, Flag::Draft];
}
