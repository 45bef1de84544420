//! MIME to Zimbra's view of a message: the `mp` part tree, addresses, fragment.
//!
//! Parsed once when a message enters the simulator (mail-parser 0.11). Part
//! numbers and part bytes come from [`crate::parts`], which the adapter cuts
//! attachments with too: the multipart root is `""`, its children `1`, `2`,
//! nested ones `1.2`; a single-part message is part `1`; the parts of an
//! attached message/rfc822 `2` are `2.1`, … (REST serves them). In `mp` an
//! attached message is one leaf whose `filename` falls back to its subject.

use crate::parts::{self, Node};
use mail_parser::{HeaderValue, MimeHeaders, PartType};

/// One MIME part as Zimbra describes it.
#[derive(Debug, Clone, Default)]
pub struct Part {
    /// `part`: the IMAP-style number.
    pub part: String,
    /// `ct`: lowercase media type.
    pub ct: String,
    /// `s`: decoded size.
    pub size: usize,
    /// `cd`: disposition.
    pub cd: Option<String>,
    /// `filename`.
    pub filename: Option<String>,
    /// `ci`: Content-ID with brackets, as Zimbra sends it.
    pub ci: Option<String>,
    /// Decoded text of text parts.
    pub text: Option<String>,
    /// What a REST download of the part returns ([`Node::bytes`]).
    pub bytes: Vec<u8>,
    /// Whether this leaf counts as an attachment (Zimbra's `a` flag).
    pub attachment: bool,
    /// Child parts of a multipart; for message/rfc822, the attached
    /// message's root (`mp` does not list it, REST serves it).
    pub children: Vec<Part>,
}

/// Everything the simulator needs from a message's bytes.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// Decoded subject.
    pub subject: String,
    /// `(t, address, personal name)` in From, Sender, Reply-To, To, Cc, Bcc order.
    pub addrs: Vec<(char, String, Option<String>)>,
    /// Message-ID without brackets.
    pub message_id: Option<String>,
    /// In-Reply-To and References ids, without brackets.
    pub refs: Vec<String>,
    /// `Date:` in ms.
    pub sent: Option<i64>,
    /// Top-level headers `(name, raw unfolded value)`.
    pub headers: Vec<(String, String)>,
    /// The part tree.
    pub root: Part,
    /// Part number of the text/plain body.
    pub text_part: Option<String>,
    /// Part number of the text/html body.
    pub html_part: Option<String>,
    /// `fr`: the first 150 characters of body text, whitespace collapsed.
    pub fragment: String,
    /// Lowercased searchable body text.
    pub body_lc: String,
}

impl Parsed {
    /// Whether any leaf is an attachment.
    pub fn has_attachment(&self) -> bool {
        fn any(p: &Part) -> bool {
            p.attachment || p.children.iter().any(any)
        }
        any(&self.root)
    }

    /// The part with this number.
    pub fn part(&self, number: &str) -> Option<&Part> {
        fn find<'a>(p: &'a Part, n: &str) -> Option<&'a Part> {
            if p.part == n {
                return Some(p);
            }
            p.children.iter().find_map(|c| find(c, n))
        }
        find(&self.root, number)
    }
}

fn strip(s: &str) -> String {
    s.trim().trim_start_matches('<').trim_end_matches('>').trim().to_owned()
}

fn ids(v: &HeaderValue<'_>) -> Vec<String> {
    match v {
        HeaderValue::Text(t) => vec![strip(t)],
        HeaderValue::TextList(l) => l.iter().map(|s| strip(s)).collect(),
        _ => Vec::new(),
    }
}

/// Text of HTML with tags removed (enough for a fragment and for search).
pub fn detag(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

fn collapse(s: &str, max: usize) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(max).collect()
}

/// Parses raw bytes; never fails (unparsable input gives an empty view).
pub fn parse(raw: &[u8]) -> Parsed {
    let Some(msg) = parts::parse(raw) else {
        return Parsed {
            root: Part { part: "1".into(), ct: "text/plain".into(), ..Part::default() },
            ..Parsed::default()
        };
    };
    let mut out = Parsed {
        subject: msg.subject().unwrap_or_default().trim().to_owned(),
        message_id: msg.message_id().map(strip).filter(|s| !s.is_empty()),
        sent: msg.date().map(|d| d.to_timestamp().saturating_mul(1000)),
        ..Parsed::default()
    };
    out.refs = ids(msg.in_reply_to()).into_iter().chain(ids(msg.references())).filter(|s| !s.is_empty()).collect();
    let kinds = [
        ('f', msg.from()),
        ('s', msg.sender()),
        ('r', msg.reply_to()),
        ('t', msg.to()),
        ('c', msg.cc()),
        ('b', msg.bcc()),
    ];
    for (t, list) in kinds {
        for a in list.iter().flat_map(|l| l.iter()) {
            if let Some(email) = a.address.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
                let name = a.name.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned);
                out.addrs.push((t, email.to_owned(), name));
            }
        }
    }
    for h in msg.headers() {
        let start = h.offset_start() as usize;
        let end = (h.offset_end() as usize).min(raw.len());
        let value = String::from_utf8_lossy(raw.get(start..end).unwrap_or_default());
        let value = value.split(['\r', '\n']).map(str::trim).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ");
        out.headers.push((h.name().to_owned(), value));
    }
    let text_idx = msg.text_body.first().copied();
    let html_idx = msg.html_body.first().copied();
    let mut numbers = Vec::new();
    out.root = parts::tree(&msg).map(|root| build(&root, &msg, &mut numbers)).unwrap_or_default();
    for (idx, number) in numbers {
        let body = |want: Option<u32>, kind_html: bool| {
            want == Some(idx)
                && matches!(
                    (&msg.parts[idx as usize].body, kind_html),
                    (PartType::Text(_), false) | (PartType::Html(_), true)
                )
        };
        if body(text_idx, false) && out.text_part.is_none() {
            out.text_part = Some(number.clone());
        }
        if body(html_idx, true) && out.html_part.is_none() {
            out.html_part = Some(number);
        }
    }
    let text = out.text_part.as_deref().and_then(|n| out.part(n)).and_then(|p| p.text.clone());
    let html = out.html_part.as_deref().and_then(|n| out.part(n)).and_then(|p| p.text.clone()).map(|h| detag(&h));
    let body = text.or(html).unwrap_or_default();
    out.fragment = collapse(&body, 150);
    out.body_lc = body.to_lowercase();
    out
}

/// The simulator's view of a numbered part; `numbers` collects `(index, number)`
/// of the top-level message's leaves, to find its bodies by mail-parser's index.
fn build(node: &Node<'_>, top: &mail_parser::Message<'_>, numbers: &mut Vec<(u32, String)>) -> Part {
    let ct = node.content_type();
    let children = node.children.iter().map(|c| build(c, top, numbers)).collect();
    let p = node.part;
    if let PartType::Multipart(_) = p.body {
        return Part { part: node.number.clone(), ct, children, ..Part::default() };
    }
    // Indices of an attached message's parts are its own: only the top level's name its bodies.
    if std::ptr::eq(node.message, top) {
        numbers.push((node.index, node.number.clone()));
    }
    let text = match &p.body {
        PartType::Text(t) | PartType::Html(t) => Some(t.to_string()),
        _ => None,
    };
    let mut filename = p.attachment_name().map(str::to_owned);
    if filename.is_none() {
        if let PartType::Message(m) = &p.body {
            filename = m.subject().map(str::to_owned);
        }
    }
    let bytes = node.bytes().into_owned();
    Part {
        part: node.number.clone(),
        ct,
        size: bytes.len(),
        cd: p.content_disposition().map(|d| d.ctype().to_ascii_lowercase()),
        filename,
        ci: p.content_id().map(|c| format!("<{}>", strip(c))),
        text,
        bytes,
        attachment: node.message.attachments.contains(&node.index),
        children,
    }
}
