//! Zimbra's MIME part numbering, and the bytes a part download returns.
//!
//! Both halves of the crate must give the same answer to "which bytes are
//! part `1.2` of this message": the simulator, to describe a message
//! (`<mp part=>`) and to serve `GET /service/home/~/?id=&part=`; the adapter,
//! to cut attachments out of raw messages fetched in one BatchRequest instead
//! of downloading each. One implementation is what keeps them byte-equal.
//!
//! Numbering follows Zimbra's `Mime.listParts` (IMAP style), over
//! mail-parser 0.11's tree:
//! - a multipart message's root is `""`, its children `1`, `2`, and theirs
//!   `1.1`, `1.2`;
//! - a single-part message is one part, `1`;
//! - an attached message/rfc822 `2` holds the attached message: its body is
//!   `2.1` when single-part; when multipart, the container is `2.TEXT` and
//!   its children are `2.1`, `2.2`, ….
//!
//! (Zimbra's `listParts` names the top-level multipart `TEXT` as well;
//! `reference/zimbra-soap.md` §5 and the simulator write `""`. A multipart
//! is never downloadable, so no blob id names either.)
//!
//! A part's bytes are its body with the transfer encoding (base64,
//! quoted-printable) undone and nothing else: text keeps its charset, as
//! Zimbra's REST download sends it. An attached message's bytes are that
//! message, whole.
//!
//! Parse with [`parse`] (re-exported from `mailgate-mime`): the adapter parses
//! MIME a server sent, and its [`Mime`] drops a chain of thousands of attached
//! messages in a loop instead of overflowing the stack.

use mail_parser::decoders::base64::base64_decode;
use mail_parser::decoders::quoted_printable::quoted_printable_decode;
use mail_parser::{Encoding, Message, MessagePart, MimeHeaders, PartType};
pub use mailgate_mime::{parse, Mime};
use std::borrow::Cow;

/// How deep parts are numbered; deeper children are left out (the
/// simulator's `mp` tree and the adapter's cutting stop at the same place).
const MAX_DEPTH: usize = 32;

/// One MIME part and its Zimbra number.
#[derive(Debug)]
pub struct Node<'a> {
    /// `part`: `""`, `1`, `1.2`, `2.1`, `2.TEXT`.
    pub number: String,
    /// The parsed part.
    pub part: &'a MessagePart<'a>,
    /// The message whose `parts` hold [`Node::part`]: the top-level one, or an
    /// attached one (whose part indices are its own).
    pub message: &'a Message<'a>,
    /// The part's index in `message.parts`.
    pub index: u32,
    /// Multipart children; for message/rfc822, the attached message's root.
    pub children: Vec<Node<'a>>,
}

/// The numbered tree of a parsed message; `None` if it has no parts.
pub fn tree<'a>(message: &'a Message<'a>) -> Option<Node<'a>> {
    node(message, 0, String::new(), String::new(), 0)
}

/// `number` is this part's own name, `prefix` what its multipart children's
/// numbers start with (they differ for `2.TEXT`, whose children are `2.1`).
fn node<'a>(message: &'a Message<'a>, index: u32, number: String, prefix: String, depth: usize) -> Option<Node<'a>> {
    let part = message.parts.get(index as usize)?;
    let mut me = Node { number, part, message, index, children: Vec::new() };
    match &part.body {
        PartType::Multipart(children) => {
            if depth < MAX_DEPTH {
                for (n, &child) in children.iter().enumerate() {
                    let num = format!("{prefix}{}", n + 1);
                    me.children.extend(node(message, child, num.clone(), format!("{num}."), depth + 1));
                }
            }
        }
        _ => {
            // The top-level part of a single-part message is `1`.
            if me.number.is_empty() {
                me.number = "1".into();
            }
            if let PartType::Message(attached) = &part.body {
                if depth < MAX_DEPTH {
                    me.children.extend(attached_root(attached, &me.number, depth + 1));
                }
            }
        }
    }
    Some(me)
}

fn attached_root<'a>(attached: &'a Message<'a>, at: &str, depth: usize) -> Option<Node<'a>> {
    let root = attached.parts.first()?;
    let number = match root.body {
        PartType::Multipart(_) => format!("{at}.TEXT"),
        _ => format!("{at}.1"),
    };
    node(attached, 0, number, format!("{at}."), depth)
}

impl<'a> Node<'a> {
    /// The part with this number, here or below.
    pub fn find(&self, number: &str) -> Option<&Node<'a>> {
        if self.number == number {
            return Some(self);
        }
        self.children.iter().find_map(|c| c.find(number))
    }

    /// `ct`: the lowercase media type, defaulted by body kind when the header is missing.
    pub fn content_type(&self) -> String {
        let p = self.part;
        match p.content_type() {
            Some(ct) => match ct.subtype() {
                Some(sub) => format!("{}/{}", ct.ctype(), sub),
                None => ct.ctype().to_owned(),
            },
            None => match p.body {
                PartType::Message(_) => "message/rfc822".into(),
                PartType::Html(_) => "text/html".into(),
                PartType::Multipart(_) => "multipart/mixed".into(),
                _ => "text/plain".into(),
            },
        }
        .to_ascii_lowercase()
    }

    /// Whether a part download serves this part (Zimbra refuses multiparts).
    pub fn downloadable(&self) -> bool {
        !self.content_type().starts_with("multipart/")
    }

    /// The bytes a part download returns: transfer encoding undone, charset kept.
    pub fn bytes(&self) -> Cow<'a, [u8]> {
        let p: &'a MessagePart<'a> = self.part;
        match &p.body {
            // mail-parser converts text to UTF-8; the download sends the charset the part was written in.
            PartType::Text(_) | PartType::Html(_) => self.undecoded_text().unwrap_or(Cow::Borrowed(p.contents())),
            PartType::Multipart(_) => Cow::Borrowed(&[]),
            _ => Cow::Borrowed(p.contents()),
        }
    }

    /// A text body with only its transfer encoding undone; `None` if the
    /// offsets or the encoding do not check out (the parser's text is used then).
    fn undecoded_text(&self) -> Option<Cow<'a, [u8]>> {
        let p: &'a MessagePart<'a> = self.part;
        let raw: &'a [u8] = self.message.raw_message.as_ref();
        let body = raw.get(p.offset_body as usize..p.offset_end as usize)?;
        match p.encoding {
            Encoding::None => Some(Cow::Borrowed(body)),
            Encoding::QuotedPrintable => quoted_printable_decode(body).map(Cow::Owned),
            Encoding::Base64 => base64_decode(body).map(Cow::Owned),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const NESTED: &[u8] = b"From: a@x\r\nSubject: outer\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"o\"\r\n\r\n--o\r\n\
Content-Type: multipart/alternative; boundary=\"a\"\r\n\r\n--a\r\nContent-Type: text/plain\r\n\r\nplain\r\n\
--a\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n--a--\r\n\
--o\r\nContent-Type: message/rfc822\r\n\r\nFrom: b@x\r\nSubject: inner\r\n\
Content-Type: multipart/mixed; boundary=\"i\"\r\n\r\n--i\r\nContent-Type: text/plain\r\n\r\ninner body\r\n\
--i\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC/w==\r\n--i--\r\n\
--o\r\nContent-Type: message/rfc822\r\n\r\nFrom: c@x\r\nSubject: single\r\n\r\nsingle body\r\n\
--o\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\
Content-Disposition: attachment; filename=\"l.txt\"\r\n\r\ncaf=E9 cr=E8me\r\n--o--\r\n";

    fn numbers(n: &Node<'_>, out: &mut Vec<String>) {
        out.push(n.number.clone());
        for c in &n.children {
            numbers(c, out);
        }
    }

    #[test]
    fn parts_are_numbered_like_zimbra() {
        let msg = parse(NESTED).unwrap();
        let root = tree(&msg).unwrap();
        let mut all = Vec::new();
        numbers(&root, &mut all);
        assert_eq!(all, ["", "1", "1.1", "1.2", "2", "2.TEXT", "2.1", "2.2", "3", "3.1", "4"]);
        assert_eq!(root.find("2.2").unwrap().bytes().as_ref(), &[0, 1, 2, 255]);
        assert_eq!(root.find("2.1").unwrap().bytes().as_ref(), b"inner body");
        assert_eq!(root.find("3.1").unwrap().bytes().as_ref(), b"single body");
        assert!(root.find("2").unwrap().bytes().starts_with(b"From: b@x\r\n"), "an attached message is whole");
        assert!(!root.find("1").unwrap().downloadable() && !root.find("2.TEXT").unwrap().downloadable());
        assert!(root.find("2.3").is_none() && root.find("5").is_none());
    }

    #[test]
    fn text_keeps_its_charset_and_utf8_text_matches_the_parser() {
        let msg = parse(NESTED).unwrap();
        let root = tree(&msg).unwrap();
        let latin = root.find("4").unwrap();
        assert_eq!(latin.bytes().as_ref(), b"caf\xE9 cr\xE8me", "iso-8859-1 stays iso-8859-1");
        assert_eq!(latin.part.contents(), "café crème".as_bytes(), "the parser's view is UTF-8");
        for n in ["1.1", "1.2", "2.1"] {
            let p = root.find(n).unwrap();
            assert_eq!(p.bytes().as_ref(), p.part.contents(), "part {n}");
        }
        let single = parse(b"Subject: s\r\nContent-Transfer-Encoding: base64\r\n\r\naMOpbGxv\r\n");
        let single = single.unwrap();
        let one = tree(&single).unwrap();
        assert_eq!((one.number.as_str(), one.bytes().as_ref()), ("1", "héllo".as_bytes()));
    }

    #[test]
    fn deep_nesting_stops_numbering_without_failing() {
        let mut raw = String::from("Subject: deep\r\n");
        for d in 0..100 {
            raw.push_str(&format!("Content-Type: multipart/mixed; boundary=\"b{d}\"\r\n\r\n--b{d}\r\n"));
        }
        raw.push_str("Content-Type: text/plain\r\n\r\nx\r\n");
        let msg = parse(raw.as_bytes()).unwrap();
        let root = tree(&msg).unwrap();
        let mut all = Vec::new();
        numbers(&root, &mut all);
        assert!(all.len() <= MAX_DEPTH + 1, "{}", all.len());
    }

    #[test]
    fn a_long_chain_of_attached_messages_is_dropped_without_overflowing() {
        let chain = "Subject: m\r\nContent-Type: message/rfc822\r\n\r\n".repeat(50_000) + "Subject: end\r\n\r\nx\r\n";
        let msg = parse(chain.as_bytes()).unwrap();
        let root = tree(&msg).unwrap();
        let mut all = Vec::new();
        numbers(&root, &mut all);
        assert_eq!(all.len(), MAX_DEPTH + 1, "numbered as deep as the limit");
        drop(root);
        drop(msg);
    }
}
