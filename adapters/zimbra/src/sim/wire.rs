//! The three request formats (SOAP 1.2, SOAP 1.1, JSON) in and out of [`El`].
//!
//! A request is read into a header `context` and a body element; handlers
//! answer with an [`El`] or a [`Fault`], and the reply is written in the
//! request's format (`reference/zimbra-soap.md` §2, §4).

use crate::xml::{self, El, SOAP11, SOAP12};
use serde_json::{Map, Value};

/// The request's format; the reply uses the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// SOAP 1.2 XML.
    Soap12,
    /// SOAP 1.1 XML.
    Soap11,
    /// JSON SOAP.
    Json,
}

/// A SOAP fault with Zimbra's code, reason and arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// e.g. `mail.NO_SUCH_MSG`.
    pub code: &'static str,
    /// e.g. `no such message: 300`.
    pub reason: String,
    /// Client error (`soap:Sender`) or server error (`soap:Receiver`).
    pub sender: bool,
    /// `a n= t=` arguments.
    pub args: Vec<(&'static str, &'static str, String)>,
}

impl Fault {
    /// A client (Sender) fault.
    pub fn sender(code: &'static str, reason: impl Into<String>) -> Fault {
        Fault { code, reason: reason.into(), sender: true, args: Vec::new() }
    }

    /// `service.INVALID_REQUEST`.
    pub fn invalid(what: impl std::fmt::Display) -> Fault {
        Fault::sender("service.INVALID_REQUEST", format!("invalid request: {what}"))
    }

    /// `mail.NO_SUCH_MSG` with its `itemId` argument.
    pub fn no_such_msg(id: &str) -> Fault {
        let mut f = Fault::sender("mail.NO_SUCH_MSG", format!("no such message: {id}"));
        f.args.push(("itemId", "IID", id.to_owned()));
        f
    }

    /// `mail.NO_SUCH_FOLDER`.
    pub fn no_such_folder(id: impl std::fmt::Display) -> Fault {
        Fault::sender("mail.NO_SUCH_FOLDER", format!("no such folder id: {id}"))
    }

    /// The fault element for the Body (or a BatchResponse) in `format`.
    pub fn to_el(&self, format: Format, request_id: Option<&str>) -> El {
        let mut error = El::new("Error").attr("xmlns", "urn:zimbra");
        error.children.push(El::new("Code").text(self.code));
        error.children.push(El::new("Trace").text("qtp1-1:sim"));
        for (n, t, v) in &self.args {
            error.children.push(El::new("a").attr("n", *n).attr("t", *t).text(v.clone()));
        }
        let who = if self.sender { "Sender" } else { "Receiver" };
        let mut el = match format {
            Format::Soap11 => El::new("soap:Fault")
                .child(El::new("faultcode").text(if self.sender { "soap:Client" } else { "soap:Server" }))
                .child(El::new("faultstring").text(self.reason.clone()))
                .child(El::new("detail").child(error)),
            Format::Soap12 => El::new("soap:Fault")
                .child(El::new("soap:Code").child(El::new("soap:Value").text(format!("soap:{who}"))))
                .child(El::new("soap:Reason").child(El::new("soap:Text").text(self.reason.clone())))
                .child(El::new("soap:Detail").child(error)),
            Format::Json => El::new("Fault")
                .child(El::new("Code").child(El::new("Value").text(format!("soap:{who}"))))
                .child(El::new("Reason").child(El::new("Text").text(self.reason.clone())))
                .child(El::new("Detail").child(error)),
        };
        if let Some(r) = request_id {
            el.set("requestId", r);
        }
        el
    }
}

/// A parsed request: its format, header context and body element.
#[derive(Debug)]
pub struct Request {
    /// The format to reply in.
    pub format: Format,
    /// `Header/context`, if any.
    pub context: Option<El>,
    /// The first element of the Body.
    pub body: El,
}

/// Reads a request body in any of the three formats.
pub fn read(bytes: &[u8]) -> Result<Request, Fault> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
    if first == Some(b'{') {
        let v: Value = serde_json::from_slice(bytes)
            .map_err(|e| Fault::sender("service.PARSE_ERROR", format!("parse error: {e}")))?;
        let env = json_to_el("Envelope", &v);
        let context = env.path(&["Header", "context"]).cloned();
        let body = env.first("Body").and_then(|b| b.children.first()).cloned();
        let body = body.ok_or_else(|| Fault::invalid("no body"))?;
        return Ok(Request { format: Format::Json, context, body });
    }
    let env = xml::parse(bytes).map_err(|e| Fault::sender("service.PARSE_ERROR", format!("parse error: {e}")))?;
    let ns = env.attrs.iter().find(|(n, _)| n.starts_with("xmlns")).map(|(_, v)| v.as_str()).unwrap_or(SOAP12);
    let format = if ns == SOAP11 { Format::Soap11 } else { Format::Soap12 };
    if env.name != "Envelope" {
        return Err(Fault::sender("service.PARSE_ERROR", "parse error: not a SOAP envelope"));
    }
    let context = env.path(&["Header", "context"]).cloned();
    let body = env.first("Body").and_then(|b| b.children.first()).cloned().ok_or_else(|| Fault::invalid("no body"))?;
    Ok(Request { format, context, body })
}

/// Writes a reply envelope with an optional header context around `body`.
pub fn write(format: Format, context: Option<El>, body: El) -> String {
    match format {
        Format::Soap12 | Format::Soap11 => {
            let ns = if format == Format::Soap11 { SOAP11 } else { SOAP12 };
            let mut env = El::new("soap:Envelope").attr("xmlns:soap", ns);
            if let Some(c) = context {
                env.children.push(El::new("soap:Header").child(c));
            }
            env.children.push(El::new("soap:Body").child(body));
            env.to_xml()
        }
        Format::Json => {
            let mut top = Map::new();
            if let Some(c) = context {
                let mut h = Map::new();
                h.insert("context".into(), el_to_json(&c));
                top.insert("Header".into(), Value::Object(h));
            }
            let mut b = Map::new();
            b.insert(body.name.clone(), el_to_json(&body));
            top.insert("Body".into(), Value::Object(b));
            top.insert("_jsns".into(), Value::String("urn:zimbraSoap".into()));
            Value::Object(top).to_string()
        }
    }
}

fn json_to_el(name: &str, v: &Value) -> El {
    let mut el = El::new(name);
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("_jsns", Value::String(s)) => el.set("xmlns", s),
                    ("_content", v) => el.text = scalar(v),
                    (_, Value::Object(_)) => el.children.push(json_to_el(k, v)),
                    (_, Value::Array(items)) => el.children.extend(items.iter().map(|i| json_to_el(k, i))),
                    (_, v) => el.set(k, scalar(v)),
                }
            }
        }
        v => el.text = scalar(v),
    }
    el
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(b) => if *b { "1" } else { "0" }.into(),
        Value::Null => String::new(),
        v => v.to_string(),
    }
}

/// Attributes that JSON carries as numbers (ids and `sf` stay strings).
const NUMERIC: &[&str] =
    &["d", "sd", "rd", "s", "n", "u", "ms", "rev", "md", "offset", "total", "token", "lifetime", "size"];
/// Children that are unique, written as objects rather than arrays.
const UNIQUE: &[&str] =
    &["change", "context", "Code", "Reason", "Detail", "Error", "Value", "action", "attrs", "deleted"];
/// Text-only children written as bare values.
const TEXT: &[&str] = &["su", "fr", "content", "lifetime", "mid", "irt", "Text", "Trace", "name", "id", "version"];

fn el_to_json(el: &El) -> Value {
    let mut map = Map::new();
    for (k, v) in &el.attrs {
        if k.starts_with("xmlns") {
            map.insert("_jsns".into(), Value::String(v.clone()));
        } else if NUMERIC.contains(&k.as_str()) && v.parse::<i64>().is_ok() {
            map.insert(k.clone(), v.parse::<i64>().map(Value::from).unwrap_or(Value::Null));
        } else {
            map.insert(k.clone(), Value::String(v.clone()));
        }
    }
    if !el.text.is_empty() {
        map.insert("_content".into(), Value::String(el.text.clone()));
    }
    for c in &el.children {
        let name = c.name.trim_start_matches("soap:").to_owned();
        let bare = TEXT.contains(&name.as_str()) && c.attrs.is_empty() && c.children.is_empty();
        let v = if bare { Value::String(c.text.clone()) } else { el_to_json(c) };
        if UNIQUE.contains(&name.as_str()) || bare {
            map.insert(name, v);
        } else if let Some(Value::Array(a)) = map.get_mut(&name) {
            a.push(v);
        } else {
            map.insert(name, Value::Array(vec![v]));
        }
    }
    Value::Object(map)
}
