//! MIME parsing at import, once, with `mail-parser`.
//!
//! [`parse`] never fails: a message mail-parser cannot make sense of yields
//! empty fields (subject `""`, no addresses, no bodies), and the raw bytes are
//! kept by the caller regardless. Attachment part ids follow IMAP numbering:
//! the children of a multipart root are `1`, `2`, ...; the children of a
//! nested multipart `2` are `2.1`, `2.2`; a non-multipart root is part `1`.
//! An attached `message/rfc822` is one attachment (its parts are not listed).

use mail_parser::{HeaderValue, MessagePart, MimeHeaders, PartType};
use mailgate_backend::{Address, AddressKind, Header};
use std::collections::HashMap;

/// How many characters of body text the preview keeps.
pub const PREVIEW_CHARS: usize = 256;

/// The fields of a message that come from its bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedMessage {
    /// `Date:` in ms since the epoch.
    pub sent_at: Option<i64>,
    /// `Message-ID:` without angle brackets.
    pub message_id_header: Option<String>,
    /// `In-Reply-To:` ids.
    pub in_reply_to: Vec<String>,
    /// `References:` ids.
    pub references: Vec<String>,
    /// From/Sender/Reply-To/To/Cc/Bcc addresses.
    pub addresses: Vec<Address>,
    /// The decoded subject, `""` when absent.
    pub subject: String,
    /// Whitespace-collapsed start of the text (or de-tagged HTML) body.
    pub preview: String,
    /// The first text/plain body part.
    pub text_body: Option<String>,
    /// The first text/html body part.
    pub html_body: Option<String>,
    /// Top-level headers.
    pub headers: Vec<Header>,
    /// Non-body parts.
    pub attachments: Vec<ParsedAttachment>,
}

/// One attachment with its decoded content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAttachment {
    /// IMAP part number.
    pub part_id: String,
    /// File name.
    pub filename: Option<String>,
    /// Media type, lowercase.
    pub content_type: String,
    /// `attachment` or `inline`.
    pub disposition: Option<String>,
    /// Content-ID without angle brackets.
    pub content_id: Option<String>,
    /// The decoded bytes.
    pub content: Vec<u8>,
}

/// Parses a raw RFC 5322 message, best effort.
pub fn parse(raw: &[u8]) -> ParsedMessage {
    // Through mailgate-mime: this runs in the state machine's apply, where a
    // message whose drop overflowed the stack would abort every replica.
    let Some(msg) = mailgate_mime::parse(raw) else {
        return ParsedMessage::default();
    };
    let mut out = ParsedMessage {
        sent_at: msg.date().map(|d| d.to_timestamp().saturating_mul(1000)),
        message_id_header: msg.message_id().map(strip_brackets).filter(|s| !s.is_empty()),
        in_reply_to: ids(msg.in_reply_to()),
        references: ids(msg.references()),
        subject: msg.subject().unwrap_or_default().trim().to_owned(),
        ..ParsedMessage::default()
    };
    let kinds: [(AddressKind, Option<&mail_parser::Address<'_>>); 6] = [
        (AddressKind::From, msg.from()),
        (AddressKind::Sender, msg.sender()),
        (AddressKind::ReplyTo, msg.reply_to()),
        (AddressKind::To, msg.to()),
        (AddressKind::Cc, msg.cc()),
        (AddressKind::Bcc, msg.bcc()),
    ];
    for (kind, list) in kinds {
        for addr in list.iter().flat_map(|l| l.iter()) {
            let Some(email) = addr.address.as_deref().map(str::trim).filter(|e| !e.is_empty()) else {
                continue;
            };
            let name = addr.name.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned);
            out.addresses.push(Address { email: email.to_owned(), name, kind });
        }
    }
    out.text_body = msg.text_body.iter().find_map(|&i| match msg.parts.get(i as usize).map(|p| &p.body) {
        Some(PartType::Text(t)) => Some(t.to_string()),
        _ => None,
    });
    out.html_body = msg.html_body.iter().find_map(|&i| match msg.parts.get(i as usize).map(|p| &p.body) {
        Some(PartType::Html(t)) => Some(t.to_string()),
        _ => None,
    });
    out.preview = match (&out.text_body, &out.html_body) {
        (Some(t), _) => preview_of(t),
        (None, Some(h)) => preview_of(&strip_tags(h)),
        (None, None) => String::new(),
    };
    for h in msg.headers() {
        let value = match h.value() {
            HeaderValue::Text(t) => t.to_string(),
            HeaderValue::TextList(l) => l.iter().map(|s| s.as_ref()).collect::<Vec<_>>().join(", "),
            HeaderValue::Address(a) => a
                .iter()
                .map(|x| match (&x.name, &x.address) {
                    (Some(n), Some(e)) => format!("{n} <{e}>"),
                    (None, Some(e)) => e.to_string(),
                    (Some(n), None) => n.to_string(),
                    (None, None) => String::new(),
                })
                .collect::<Vec<_>>()
                .join(", "),
            _ => raw_value(raw, h.offset_start() as usize, h.offset_end() as usize),
        };
        out.headers.push(Header { name: h.name().to_owned(), value });
    }
    let numbers = part_numbers(&msg);
    for &idx in &msg.attachments {
        let Some(part) = msg.parts.get(idx as usize) else { continue };
        out.attachments.push(attachment(part, numbers.get(&idx).cloned().unwrap_or_else(|| (idx + 1).to_string())));
    }
    out
}

fn attachment(part: &MessagePart<'_>, part_id: String) -> ParsedAttachment {
    let content_type = match part.content_type() {
        Some(ct) => match ct.subtype() {
            Some(sub) => format!("{}/{}", ct.ctype(), sub),
            None => ct.ctype().to_owned(),
        },
        None => match part.body {
            PartType::Message(_) => "message/rfc822".to_owned(),
            PartType::Text(_) => "text/plain".to_owned(),
            PartType::Html(_) => "text/html".to_owned(),
            _ => "application/octet-stream".to_owned(),
        },
    }
    .to_ascii_lowercase();
    ParsedAttachment {
        part_id,
        filename: part.attachment_name().map(str::to_owned),
        content_type,
        disposition: part.content_disposition().map(|d| d.ctype().to_ascii_lowercase()),
        content_id: part.content_id().map(strip_brackets).filter(|s| !s.is_empty()),
        content: part.contents().to_vec(),
    }
}

/// IMAP part numbers of every part reachable from the root (nested messages excluded).
fn part_numbers(msg: &mail_parser::Message<'_>) -> HashMap<u32, String> {
    let mut out = HashMap::new();
    match msg.parts.first().map(|p| &p.body) {
        Some(PartType::Multipart(children)) => number_children(msg, children, "", &mut out, 0),
        Some(_) => {
            out.insert(0, "1".to_owned());
        }
        None => {}
    }
    out
}

fn number_children(
    msg: &mail_parser::Message<'_>,
    children: &[u32],
    prefix: &str,
    out: &mut HashMap<u32, String>,
    depth: usize,
) {
    if depth > 64 {
        return;
    }
    for (n, &child) in children.iter().enumerate() {
        let number = if prefix.is_empty() { (n + 1).to_string() } else { format!("{prefix}.{}", n + 1) };
        if let Some(PartType::Multipart(grand)) = msg.parts.get(child as usize).map(|p| &p.body) {
            number_children(msg, grand, &number, out, depth + 1);
        }
        out.insert(child, number);
    }
}

fn ids(v: &HeaderValue<'_>) -> Vec<String> {
    match v {
        HeaderValue::Text(t) => vec![strip_brackets(t)],
        HeaderValue::TextList(l) => l.iter().map(|s| strip_brackets(s)).collect(),
        _ => Vec::new(),
    }
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect()
}

fn strip_brackets(s: &str) -> String {
    s.trim().trim_start_matches('<').trim_end_matches('>').trim().to_owned()
}

fn raw_value(raw: &[u8], start: usize, end: usize) -> String {
    let slice = raw.get(start..end.min(raw.len())).unwrap_or_default();
    let text = String::from_utf8_lossy(slice);
    text.split(['\r', '\n']).map(str::trim).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ")
}

/// The first [`PREVIEW_CHARS`] characters of `text` with whitespace runs collapsed to one space.
pub fn preview_of(text: &str) -> String {
    let mut out = String::new();
    let mut count = 0;
    for word in text.split_whitespace() {
        if count > 0 {
            if count >= PREVIEW_CHARS {
                break;
            }
            out.push(' ');
            count += 1;
        }
        for c in word.chars() {
            if count >= PREVIEW_CHARS {
                break;
            }
            out.push(c);
            count += 1;
        }
    }
    out
}

/// Text of an HTML document: tags removed, `<script>`/`<style>` content dropped,
/// the common entities decoded.
pub fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let after = &rest[lt..];
        let lower: String = after.chars().take(8).collect::<String>().to_ascii_lowercase();
        let skip_to = if lower.starts_with("<script") {
            Some("</script")
        } else if lower.starts_with("<style") {
            Some("</style")
        } else {
            None
        };
        let body_end = match skip_to {
            Some(close) => after.to_ascii_lowercase().find(close).unwrap_or(after.len()),
            None => 0,
        };
        let tail = &after[body_end..];
        match tail.find('>') {
            Some(gt) => {
                out.push(' ');
                rest = &tail[gt + 1..];
            }
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn plain_message_fields() {
        let raw = b"From: \"Ann Lee\" <ann@example.com>\r\nTo: bob@example.com, Carl <carl@example.com>\r\n\
Cc: dee@example.com\r\nSubject: Hello\r\nDate: Tue, 1 Jul 2025 10:00:00 +0000\r\n\
Message-ID: <m1@example.com>\r\nIn-Reply-To: <m0@example.com>\r\nReferences: <a@x> <m0@example.com>\r\n\r\n\
Hi   Bob,\r\n\r\n  see you.\r\n";
        let p = parse(raw);
        assert_eq!(p.subject, "Hello");
        assert_eq!(p.message_id_header.as_deref(), Some("m1@example.com"));
        assert_eq!(p.in_reply_to, vec!["m0@example.com"]);
        assert_eq!(p.references, vec!["a@x", "m0@example.com"]);
        assert_eq!(p.sent_at, Some(1_751_364_000_000));
        let from: Vec<_> = p.addresses.iter().filter(|a| a.kind == AddressKind::From).collect();
        assert_eq!(from.len(), 1);
        assert_eq!(from[0].email, "ann@example.com");
        assert_eq!(from[0].name.as_deref(), Some("Ann Lee"));
        assert_eq!(p.addresses.iter().filter(|a| a.kind == AddressKind::To).count(), 2);
        assert_eq!(p.addresses.iter().filter(|a| a.kind == AddressKind::Cc).count(), 1);
        assert_eq!(p.preview, "Hi Bob, see you.");
        assert!(p.html_body.is_none());
        assert!(p.attachments.is_empty());
        assert!(p.headers.iter().any(|h| h.name == "Subject" && h.value == "Hello"));
    }

    #[test]
    fn rfc2047_subject_and_name_are_decoded() {
        let raw =
            b"From: =?UTF-8?Q?Andr=C3=A9?= <andre@example.com>\r\nSubject: =?UTF-8?B?Q2Fmw6kgY3LDqG1l?=\r\n\r\nx\r\n";
        let p = parse(raw);
        assert_eq!(p.subject, "Café crème");
        assert_eq!(p.addresses[0].name.as_deref(), Some("André"));
    }

    #[test]
    fn multipart_attachments_get_imap_part_ids() {
        let raw = b"From: a@example.com\r\nSubject: att\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n\
--outer\r\nContent-Type: multipart/alternative; boundary=\"inner\"\r\n\r\n\
--inner\r\nContent-Type: text/plain\r\n\r\nplain body\r\n\
--inner\r\nContent-Type: text/html\r\n\r\n<p>html <b>body</b></p>\r\n\
--inner--\r\n\
--outer\r\nContent-Type: application/pdf; name=\"r.pdf\"\r\nContent-Disposition: attachment; filename=\"r.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\nContent-ID: <cid1>\r\n\r\naGVsbG8gcGRm\r\n\
--outer--\r\n";
        let p = parse(raw);
        assert_eq!(p.text_body.as_deref().map(str::trim), Some("plain body"));
        assert!(p.html_body.as_deref().unwrap().contains("<b>body</b>"));
        assert_eq!(p.attachments.len(), 1);
        let a = &p.attachments[0];
        assert_eq!(a.part_id, "2");
        assert_eq!(a.filename.as_deref(), Some("r.pdf"));
        assert_eq!(a.content_type, "application/pdf");
        assert_eq!(a.disposition.as_deref(), Some("attachment"));
        assert_eq!(a.content_id.as_deref(), Some("cid1"));
        assert_eq!(a.content, b"hello pdf");
    }

    #[test]
    fn nested_part_ids() {
        let raw = b"Subject: n\r\nContent-Type: multipart/mixed; boundary=\"o\"\r\n\r\n\
--o\r\nContent-Type: multipart/related; boundary=\"i\"\r\n\r\n\
--i\r\nContent-Type: text/html\r\n\r\n<img src=\"cid:x\">\r\n\
--i\r\nContent-Type: image/png\r\nContent-ID: <x>\r\nContent-Disposition: inline; filename=\"x.png\"\r\n\r\nPNGDATA\r\n\
--i--\r\n--o--\r\n";
        let p = parse(raw);
        assert_eq!(p.attachments.len(), 1);
        assert_eq!(p.attachments[0].part_id, "1.2");
        assert_eq!(p.attachments[0].disposition.as_deref(), Some("inline"));
        assert!(p.text_body.is_none());
        assert!(p.html_body.is_some());
    }

    #[test]
    fn html_only_preview_is_detagged() {
        let raw = b"Subject: h\r\nContent-Type: text/html\r\n\r\n<html><style>p{x:y}</style><p>Hello&nbsp;<b>there</b></p></html>\r\n";
        let p = parse(raw);
        assert!(p.text_body.is_none());
        assert_eq!(p.preview, "Hello there");
    }

    #[test]
    fn malformed_input_never_panics_and_keeps_defaults() {
        for raw in [
            &b""[..],
            b"\xff\xfe\x00garbage",
            b"Subject\r\n\r\n",
            b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n",
        ] {
            let p = parse(raw);
            assert!(p.addresses.is_empty());
            let _ = p.subject;
        }
    }

    #[test]
    fn preview_is_capped() {
        let long = "word ".repeat(200);
        assert_eq!(preview_of(&long).chars().count(), PREVIEW_CHARS);
    }
}
