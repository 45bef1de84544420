//! Cheap checks and facts about raw message bytes: does it look like mail,
//! strip a leading From_ line, read the `Date:` header.

use mail_parser::MessageParser;

/// Splits off a leading mbox `From ` line, if there is one.
pub(crate) fn strip_from_line(raw: &[u8]) -> &[u8] {
    if raw.starts_with(b"From ") {
        match raw.iter().position(|&b| b == b'\n') {
            Some(end) => &raw[end + 1..],
            None => &[],
        }
    } else {
        raw
    }
}

/// Why `raw` is not an RFC 5322 message, or `None` when it looks like one:
/// it must start with a header field (`Name: value`) and not be binary.
pub(crate) fn not_a_message(raw: &[u8]) -> Option<String> {
    if raw.iter().all(|b| b.is_ascii_whitespace()) {
        return Some("it is empty".to_owned());
    }
    let head = &raw[..raw.len().min(4096)];
    if head.contains(&0) {
        return Some("it is binary data".to_owned());
    }
    let first = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let Some(colon) = first.iter().position(|&b| b == b':') else {
        return Some("the first line is not a header field".to_owned());
    };
    let name = &first[..colon];
    let valid = !name.is_empty() && name.iter().all(|&b| (33..=126).contains(&b));
    if valid {
        None
    } else {
        Some("the first line is not a header field".to_owned())
    }
}

/// The `Date:` header in milliseconds since the epoch, if it parses.
pub(crate) fn date_header_ms(raw: &[u8]) -> Option<i64> {
    let message = MessageParser::new().parse_headers(raw)?;
    let date = message.date()?;
    date.is_valid().then(|| date.to_timestamp() * 1000)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn recognizes_messages() {
        assert_eq!(not_a_message(b"Subject: hi\r\n\r\nbody"), None);
        assert_eq!(not_a_message(b"X-Weird-Header:x\n\n"), None);
        assert!(not_a_message(b"").is_some());
        assert!(not_a_message(b"\n\n").is_some());
        assert!(not_a_message(b"hello world\nthis is a note").is_some());
        assert!(not_a_message(b"Bad Name: x\n").is_some());
        assert!(not_a_message(b"\x89PNG\r\n\x1a\n\0\0\0").is_some());
    }

    #[test]
    fn strips_from_line_and_reads_date() {
        let raw = b"From a@b Mon Jan  5 09:00:00 2026\nDate: Mon, 5 Jan 2026 10:00:00 +0000\n\nx";
        let body = strip_from_line(raw);
        assert!(body.starts_with(b"Date:"));
        assert_eq!(date_header_ms(body), Some(1_767_607_200_000));
        assert_eq!(date_header_ms(b"Subject: x\n\n"), None);
    }
}
