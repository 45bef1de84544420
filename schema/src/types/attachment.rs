//! The `Attachment` type.

use crate::session::Session;
use crate::source::SourceHandle;
use async_graphql::{Context, Object, Result};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use mailgate_backend::Attachment;
use std::sync::Arc;

/// An attachment as a GraphQL object.
pub struct AttachmentObj {
    /// The source holding the message (and so the blob).
    pub src: Arc<SourceHandle>,
    /// The attachment.
    pub attachment: Attachment,
    /// Where the gateway serves the content.
    pub download_url: String,
    /// The largest content served inline.
    pub cap: u64,
}

/// An attachment (a non-body part, or an inline part with a filename).
#[Object(name = "Attachment")]
impl AttachmentObj {
    /// The MIME part number, e.g. `2` or `1.2`.
    async fn part_id(&self) -> &str {
        &self.attachment.part_id
    }

    /// The file name, decoded; null when the part has none.
    async fn filename(&self) -> Option<&str> {
        self.attachment.filename.as_deref()
    }

    /// The media type, e.g. `application/pdf`.
    #[graphql(name = "type")]
    async fn content_type(&self) -> &str {
        &self.attachment.content_type
    }

    /// Decoded size in bytes.
    async fn size(&self) -> u64 {
        self.attachment.size
    }

    /// `attachment` or `inline`, when the part says.
    async fn disposition(&self) -> Option<&str> {
        self.attachment.disposition.as_deref()
    }

    /// The `Content-ID` without angle brackets, for `cid:` links in HTML bodies.
    async fn content_id(&self) -> Option<&str> {
        self.attachment.content_id.as_deref()
    }

    /// The decoded content, base64 (standard alphabet, padded). Null when the
    /// attachment is larger than the server's inline cap (1 MiB by default)
    /// or cannot be loaded: then fetch `downloadUrl`.
    async fn content(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        if self.attachment.size > self.cap {
            return Ok(None);
        }
        let session = Session::of(ctx)?;
        let blob = session.blob(&self.src, &self.attachment.blob_id, self.cap).await?;
        Ok(blob.map(|bytes| STANDARD.encode(bytes.as_slice())))
    }

    /// A URL path on this server that serves the decoded content (with the same
    /// authorization header as GraphQL requests).
    async fn download_url(&self) -> &str {
        &self.download_url
    }
}
