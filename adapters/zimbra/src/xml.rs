//! A small element tree for SOAP bodies, read with quick-xml's streaming
//! reader and written by hand.
//!
//! Both halves of the crate (the adapter and the simulator) speak SOAP, so
//! both use this one tree. The reader is hostile-input safe: it refuses
//! DOCTYPE (and with it every entity declaration), resolves only the five
//! predefined entities and character references, and bounds nesting depth
//! and element count so that a reply cannot make us allocate without limit.
//! Element and attribute names are kept as local names (prefixes dropped),
//! except `xmlns`/`xmlns:*` declarations, which are kept as written so the
//! simulator can tell SOAP 1.1 from 1.2.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// SOAP 1.2 envelope namespace.
pub const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";
/// SOAP 1.1 envelope namespace.
pub const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";

/// How deep elements may nest before we refuse the document.
const MAX_DEPTH: usize = 64;
/// How many elements one document may hold.
const MAX_ELEMENTS: usize = 1_000_000;

/// One XML element: local name, attributes in document order, children, text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct El {
    /// Local name (no prefix).
    pub name: String,
    /// Attributes as `(name, value)`; names are local except `xmlns*`.
    pub attrs: Vec<(String, String)>,
    /// Child elements in order.
    pub children: Vec<El>,
    /// Concatenated text content directly inside this element.
    pub text: String,
}

/// Why a document was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum XmlError {
    /// A DOCTYPE (and so possibly entity declarations) was present.
    #[error("xml with a DOCTYPE declaration refused")]
    Doctype,
    /// Not well-formed, truncated, or an unknown entity.
    #[error("malformed xml: {0}")]
    Malformed(String),
    /// Too deep or too many elements.
    #[error("xml too large: {0}")]
    TooLarge(&'static str),
}

impl El {
    /// A new element with no attributes or children.
    pub fn new(name: impl Into<String>) -> El {
        El { name: name.into(), ..El::default() }
    }

    /// Builder: adds an attribute.
    pub fn attr(mut self, name: &str, value: impl ToString) -> El {
        self.attrs.push((name.to_owned(), value.to_string()));
        self
    }

    /// Builder: adds a child.
    pub fn child(mut self, child: El) -> El {
        self.children.push(child);
        self
    }

    /// Builder: sets the text.
    pub fn text(mut self, text: impl Into<String>) -> El {
        self.text = text.into();
        self
    }

    /// Sets or replaces an attribute.
    pub fn set(&mut self, name: &str, value: impl ToString) {
        let value = value.to_string();
        match self.attrs.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.attrs.push((name.to_owned(), value)),
        }
    }

    /// An attribute's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// An attribute's value, or else the text of a child of that name.
    /// Zimbra's JSON requests write `"query":"x"` where XML has `<query>x</query>`,
    /// and its server reads either; so does the simulator.
    pub fn get_any(&self, name: &str) -> Option<&str> {
        self.get(name).or_else(|| self.first(name).map(|c| c.text.as_str()))
    }

    /// The first child with this local name.
    pub fn first(&self, name: &str) -> Option<&El> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child with this local name.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a El> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Follows a path of first children.
    pub fn path(&self, names: &[&str]) -> Option<&El> {
        let mut at = self;
        for n in names {
            at = at.first(n)?;
        }
        Some(at)
    }

    /// Writes the element as XML (no declaration).
    pub fn to_xml(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        out.push('<');
        out.push_str(&self.name);
        for (n, v) in &self.attrs {
            out.push(' ');
            out.push_str(n);
            out.push_str("=\"");
            out.push_str(&escape(v));
            out.push('"');
        }
        if self.children.is_empty() && self.text.is_empty() {
            out.push_str("/>");
            return;
        }
        out.push('>');
        out.push_str(&escape(&self.text));
        for c in &self.children {
            c.write(out);
        }
        out.push_str("</");
        out.push_str(&self.name);
        out.push('>');
    }
}

/// Escapes text and attribute values; control characters XML 1.0 cannot
/// carry are dropped rather than producing a document nobody can read.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn local(name: &[u8]) -> String {
    let s = String::from_utf8_lossy(name);
    if s.starts_with("xmlns") {
        return s.into_owned();
    }
    match s.rsplit_once(':') {
        Some((_, l)) => l.to_owned(),
        None => s.into_owned(),
    }
}

fn start(e: &BytesStart<'_>) -> Result<El, XmlError> {
    let mut el = El::new(local(e.name().as_ref()));
    for a in e.attributes() {
        let a = a.map_err(|err| XmlError::Malformed(err.to_string()))?;
        let v = a.unescape_value().map_err(|err| XmlError::Malformed(err.to_string()))?;
        el.attrs.push((local(a.key.as_ref()), v.into_owned()));
    }
    Ok(el)
}

fn entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => None,
    }
}

/// Parses one document into its root element.
pub fn parse(bytes: &[u8]) -> Result<El, XmlError> {
    let mut reader = Reader::from_reader(bytes);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<El> = Vec::new();
    let mut count = 0usize;
    let mal = |e: quick_xml::Error| XmlError::Malformed(e.to_string());
    loop {
        let ev = reader.read_event().map_err(mal)?;
        match ev {
            Event::DocType(_) => return Err(XmlError::Doctype),
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(ev, Event::Empty(_));
                count += 1;
                if count > MAX_ELEMENTS {
                    return Err(XmlError::TooLarge("too many elements"));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError::TooLarge("nesting too deep"));
                }
                let el = start(e)?;
                if empty {
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(el),
                        None => return Ok(el),
                    }
                } else {
                    stack.push(el);
                }
            }
            Event::End(_) => {
                let Some(done) = stack.pop() else {
                    return Err(XmlError::Malformed("unbalanced end tag".into()));
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => return Ok(done),
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    let s = t.decode().map_err(|e| XmlError::Malformed(e.to_string()))?;
                    top.text.push_str(&s);
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    let s = t.decode().map_err(|e| XmlError::Malformed(e.to_string()))?;
                    top.text.push_str(&s);
                }
            }
            Event::GeneralRef(r) => {
                let c = if r.is_char_ref() {
                    r.resolve_char_ref().map_err(mal)?
                } else {
                    let name = r.decode().map_err(|e| XmlError::Malformed(e.to_string()))?;
                    entity(&name)
                };
                let Some(c) = c else {
                    return Err(XmlError::Malformed("unknown entity reference".into()));
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push(c);
                }
            }
            Event::Eof => return Err(XmlError::Malformed("truncated document".into())),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_escapes() {
        let el = El::new("m").attr("su", "a<b & \"c\"").text("x & y").child(El::new("e").attr("a", "z@x"));
        let back = parse(el.to_xml().as_bytes()).unwrap();
        assert_eq!(back, el);
    }

    #[test]
    fn prefixes_are_dropped_but_namespace_declarations_kept() {
        let doc = r#"<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><a:X xmlns:a="urn:x" a:k="v">t&#233;&amp;</a:X></soap:Body></soap:Envelope>"#;
        let el = parse(doc.as_bytes()).unwrap();
        assert_eq!(el.name, "Envelope");
        assert_eq!(el.get("xmlns:soap"), Some(SOAP12));
        let x = el.path(&["Body", "X"]).unwrap();
        assert_eq!((x.get("k"), x.text.as_str()), (Some("v"), "té&"));
    }

    #[test]
    fn doctype_entities_truncation_and_depth_are_refused() {
        let bomb = r#"<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xxxx">]><a>&x;</a>"#;
        assert_eq!(parse(bomb.as_bytes()), Err(XmlError::Doctype));
        assert!(matches!(parse(b"<a>&x;</a>"), Err(XmlError::Malformed(_))));
        assert!(matches!(parse(b"<a><b>"), Err(XmlError::Malformed(_))));
        assert!(matches!(parse(b"<a></b>"), Err(XmlError::Malformed(_))));
        let deep = "<a>".repeat(100) + &"</a>".repeat(100);
        assert_eq!(parse(deep.as_bytes()), Err(XmlError::TooLarge("nesting too deep")));
    }
}
