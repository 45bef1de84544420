//! Raw RFC 5322 fixtures.

#![allow(dead_code)]

/// Milliseconds of 2025-07-01T10:00:00Z.
pub const JULY_1: i64 = 1_751_364_000_000;
/// One hour in milliseconds.
pub const HOUR: i64 = 3_600_000;

/// A plain-text message.
pub fn plain(from: &str, to: &str, subject: &str, msgid: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {to}\r\nCc: Carol <carol@example.com>\r\nSubject: {subject}\r\n\
         Date: Tue, 1 Jul 2025 10:00:00 +0000\r\nMessage-ID: <{msgid}>\r\nList-Id: <team.example.com>\r\n\
         \r\n{body}\r\n"
    )
    .into_bytes()
}

/// A reply to `parent` (a Message-ID without brackets).
pub fn reply(from: &str, to: &str, subject: &str, msgid: &str, parent: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\n\
         Date: Tue, 1 Jul 2025 12:00:00 +0000\r\nMessage-ID: <{msgid}>\r\n\
         In-Reply-To: <{parent}>\r\nReferences: <{parent}>\r\n\r\nSounds good.\r\n"
    )
    .into_bytes()
}

/// A message with a small text attachment (`notes.txt`, "hello attachment")
/// and a larger one (`big.bin`, 600 bytes of `x`), over the tests' inline cap.
pub fn with_attachments(from: &str, to: &str, subject: &str, msgid: &str) -> Vec<u8> {
    let small = "aGVsbG8gYXR0YWNobWVudA=="; // "hello attachment"
    let big = "eHh4".repeat(200); // 600 bytes of 'x'
    let big_lines: Vec<String> = big.as_bytes().chunks(76).map(|c| String::from_utf8_lossy(c).into_owned()).collect();
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: Wed, 2 Jul 2025 09:30:00 +0000\r\n\
         Message-ID: <{msgid}>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"BOUNDARY\"\r\n\r\n\
         --BOUNDARY\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee attached.\r\n\
         --BOUNDARY\r\nContent-Type: text/plain; name=\"notes.txt\"\r\n\
         Content-Disposition: attachment; filename=\"notes.txt\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{small}\r\n\
         --BOUNDARY\r\nContent-Type: application/octet-stream; name=\"big.bin\"\r\n\
         Content-Disposition: attachment; filename=\"big.bin\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n\
         --BOUNDARY--\r\n",
        big_lines.join("\r\n")
    )
    .into_bytes()
}

/// An HTML-only message.
pub fn html(from: &str, to: &str, subject: &str, msgid: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: Thu, 3 Jul 2025 08:00:00 +0000\r\n\
         Message-ID: <{msgid}>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
         <p>Hello <b>HTML</b></p>\r\n"
    )
    .into_bytes()
}
