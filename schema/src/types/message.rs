//! The `Message` type.

use crate::id::{GlobalId, IdType};
use crate::session::Session;
use crate::source::SourceHandle;
use crate::time::iso;
use crate::types::address::AddressObj;
use crate::types::attachment::AttachmentObj;
use crate::types::enums::MessageFlag;
use crate::types::mailbox::MailboxObj;
use crate::types::thread::ThreadObj;
use async_graphql::{Context, Object, Result, SimpleObject, ID};
use mailgate_backend::{AddressKind, Message};
use std::sync::Arc;

/// A message as a GraphQL object: the backend message and where it lives.
#[derive(Clone)]
pub struct MessageObj {
    /// The source that holds it.
    pub src: Arc<SourceHandle>,
    /// The message.
    pub msg: Arc<Message>,
}

/// The system flags of a message.
#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct MessageFlags {
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

/// One decoded header field.
#[derive(SimpleObject, Debug, Clone)]
pub struct Header {
    /// The field name as written, e.g. `List-Id`.
    pub name: String,
    /// The value, unfolded and decoded to text.
    pub value: String,
}

impl MessageObj {
    /// Wraps a backend message.
    pub fn new(src: Arc<SourceHandle>, msg: Arc<Message>) -> Self {
        Self { src, msg }
    }

    /// The message's global id.
    pub fn global_id(&self) -> GlobalId {
        GlobalId::new(IdType::Message, self.src.account.as_str(), self.src.name(), self.msg.id.as_str())
    }

    fn addresses_of_kind(&self, kind: AddressKind) -> Vec<AddressObj> {
        self.msg.addresses_of(kind).map(|a| AddressObj(a.clone())).collect()
    }
}

/// An email message.
#[Object(name = "Message")]
impl MessageObj {
    /// The global id; use it with `message(id:)`, `node(id:)` and mutations.
    pub async fn id(&self) -> ID {
        ID::from(&self.global_id())
    }

    /// The backend's own id of the message (e.g. a Zimbra item id such as `6483969`).
    async fn message_id(&self) -> &str {
        self.msg.id.as_str()
    }

    /// The global id of the message's thread.
    async fn thread_id(&self) -> ID {
        let id = GlobalId::new(IdType::Thread, self.src.account.as_str(), self.src.name(), self.msg.thread_id.as_str());
        ID::from(&id)
    }

    /// The conversation the message belongs to; null if it cannot be loaded.
    async fn thread(&self, ctx: &Context<'_>) -> Result<Option<ThreadObj>> {
        let session = Session::of(ctx)?;
        let thread = session.thread(&self.src, &self.msg.thread_id).await?;
        Ok(thread.map(|t| ThreadObj::new(self.src.clone(), t)))
    }

    /// The mailboxes (folders) holding the message; null if they cannot be loaded.
    async fn mailboxes(&self, ctx: &Context<'_>) -> Result<Option<Vec<MailboxObj>>> {
        let session = Session::of(ctx)?;
        let all = session.mailboxes(&self.src).await?;
        let found = self
            .msg
            .mailbox_ids
            .iter()
            .filter_map(|id| all.iter().find(|m| &m.id == id))
            .map(|m| MailboxObj::new(self.src.clone(), m.clone()))
            .collect();
        Ok(Some(found))
    }

    /// The names of the mailboxes (folders) holding the message, e.g. `["Inbox"]`.
    async fn folders(&self, ctx: &Context<'_>) -> Result<Option<Vec<String>>> {
        let session = Session::of(ctx)?;
        let all = session.mailboxes(&self.src).await?;
        let names = self
            .msg
            .mailbox_ids
            .iter()
            .filter_map(|id| all.iter().find(|m| &m.id == id))
            .map(|m| m.name.clone())
            .collect();
        Ok(Some(names))
    }

    /// The names of the sources holding the message (a source is named by its address).
    async fn sources(&self) -> Vec<String> {
        vec![self.src.name().to_owned()]
    }

    /// The system flags.
    async fn flags(&self) -> MessageFlags {
        let f = self.msg.flags;
        MessageFlags { seen: f.seen, flagged: f.flagged, answered: f.answered, forwarded: f.forwarded, draft: f.draft }
    }

    /// The set flags as a list (JMAP keywords), e.g. `[SEEN, FLAGGED]`.
    async fn keywords(&self) -> Vec<MessageFlag> {
        self.msg.flags.to_list().into_iter().map(MessageFlag::from).collect()
    }

    /// Size of the raw RFC 5322 message in bytes.
    async fn size(&self) -> u64 {
        self.msg.size
    }

    /// When the message arrived, RFC 3339 (ISO-8601) in UTC.
    async fn received_at(&self) -> String {
        iso(self.msg.received_at)
    }

    /// The `Date:` header, RFC 3339 (ISO-8601) in UTC; null if absent or unparsable.
    async fn sent_at(&self) -> Option<String> {
        self.msg.sent_at.map(iso)
    }

    /// The date to show: `sentAt` if known, else `receivedAt`. RFC 3339 (ISO-8601) in UTC,
    /// e.g. `2017-03-01T18:04:05Z`.
    async fn date(&self) -> String {
        iso(self.msg.sent_at.unwrap_or(self.msg.received_at))
    }

    /// The `Message-ID:` header without angle brackets.
    async fn message_id_header(&self) -> Option<&str> {
        self.msg.message_id_header.as_deref()
    }

    /// The `In-Reply-To:` ids without angle brackets.
    async fn in_reply_to(&self) -> &[String] {
        &self.msg.in_reply_to
    }

    /// The `References:` ids without angle brackets.
    async fn references(&self) -> &[String] {
        &self.msg.references
    }

    /// Every address of the message, each tagged with the header it came from.
    async fn addresses(&self) -> Vec<AddressObj> {
        self.msg.addresses.iter().map(|a| AddressObj(a.clone())).collect()
    }

    /// `From:` addresses.
    async fn from(&self) -> Vec<AddressObj> {
        self.addresses_of_kind(AddressKind::From)
    }

    /// `Sender:` addresses.
    async fn sender(&self) -> Vec<AddressObj> {
        self.addresses_of_kind(AddressKind::Sender)
    }

    /// `Reply-To:` addresses.
    async fn reply_to(&self) -> Vec<AddressObj> {
        self.addresses_of_kind(AddressKind::ReplyTo)
    }

    /// `To:` addresses.
    async fn to(&self) -> Vec<AddressObj> {
        self.addresses_of_kind(AddressKind::To)
    }

    /// `Cc:` addresses.
    async fn cc(&self) -> Vec<AddressObj> {
        self.addresses_of_kind(AddressKind::Cc)
    }

    /// `Bcc:` addresses (known only for messages the account sent).
    async fn bcc(&self) -> Vec<AddressObj> {
        self.addresses_of_kind(AddressKind::Bcc)
    }

    /// The decoded subject.
    async fn subject(&self) -> &str {
        &self.msg.subject
    }

    /// The first characters of the text body, whitespace collapsed.
    async fn preview(&self) -> &str {
        &self.msg.preview
    }

    /// Whether the message has at least one attachment.
    async fn has_attachment(&self) -> bool {
        self.msg.has_attachment()
    }

    /// The plain-text body, if the message has one.
    async fn text_body(&self) -> Option<&str> {
        self.msg.text_body.as_deref()
    }

    /// The HTML body, if the message has one. It is the sender's HTML: sanitize before display.
    async fn html_body(&self) -> Option<&str> {
        self.msg.html_body.as_deref()
    }

    /// Top-level header fields in message order; with `names`, only those
    /// fields (case-insensitive), e.g. `headers(names: ["List-Id"])`.
    async fn headers(&self, names: Option<Vec<String>>) -> Vec<Header> {
        self.msg
            .headers
            .iter()
            .filter(|h| match &names {
                Some(names) => names.iter().any(|n| n.eq_ignore_ascii_case(&h.name)),
                None => true,
            })
            .map(|h| Header { name: h.name.clone(), value: h.value.clone() })
            .collect()
    }

    /// Attachments in part order.
    async fn attachments(&self, ctx: &Context<'_>) -> Result<Vec<AttachmentObj>> {
        let settings = crate::SchemaSettings::of(ctx);
        let message_gid = self.global_id().encode();
        Ok(self
            .msg
            .attachments
            .iter()
            .map(|a| AttachmentObj {
                src: self.src.clone(),
                attachment: a.clone(),
                download_url: format!("{}/{}/{}", settings.download_base.trim_end_matches('/'), message_gid, a.part_id),
                cap: settings.inline_content_cap,
            })
            .collect())
    }
}
