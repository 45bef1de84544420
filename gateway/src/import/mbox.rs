//! A streaming mbox reader (mboxo and mboxrd).
//!
//! Messages are split on `From ` lines that follow a blank line (or that
//! carry a well-formed asctime date), `>From ` quoting is undone (one `>`
//! removed from `>+From ` lines, as mboxrd writes them), and the blank line
//! that separates messages is dropped. The file is read line by line through
//! a `BufReader`, so memory holds one message at a time; a message over
//! [`MAX_MESSAGE_SIZE`] is skipped (and reported) without being buffered.
//!
//! Written here rather than using `mail_parser::mailbox::mbox`, which splits
//! on every `From ` line, keeps the separator blank line, and gives no
//! position for error messages.

use super::sniff::{date_header_ms, not_a_message};
use super::{ImportError, ImportItem, MAX_MESSAGE_SIZE};
use chrono::NaiveDateTime;
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// The date of an mbox From_ line (`From sender Mon Jan  5 09:00:00 2026`,
/// optionally with a zone before or after the year) in milliseconds since the
/// epoch, taken as UTC.
pub(crate) fn from_line_date(line: &[u8]) -> Option<i64> {
    let line = std::str::from_utf8(line.strip_prefix(b"From ")?).ok()?;
    let words: Vec<&str> = line.split_whitespace().skip(1).collect();
    let candidates: Vec<Vec<&str>> = match words.as_slice() {
        [day, mon, date, time, year, ..] if year.starts_with(['+', '-']) || year.chars().all(char::is_alphabetic) => {
            vec![vec![day, mon, date, time, words.get(5).copied().unwrap_or_default()]]
        }
        [day, mon, date, time, year, ..] => vec![vec![day, mon, date, time, year]],
        _ => Vec::new(),
    };
    candidates.into_iter().find_map(|c| {
        NaiveDateTime::parse_from_str(&c.join(" "), "%a %b %d %H:%M:%S %Y").ok().map(|t| t.and_utc().timestamp_millis())
    })
}

fn is_blank(line: &[u8]) -> bool {
    line == b"\n" || line == b"\r\n"
}

/// Reads messages from an mbox stream.
pub(crate) struct MboxReader<R> {
    reader: R,
    path: PathBuf,
    /// Bytes consumed so far.
    offset: u64,
    /// The From_ line that starts the next message, and its offset.
    next_from: Option<(u64, Vec<u8>)>,
    /// Messages started so far.
    count: u64,
    started: bool,
    done: bool,
    line: Vec<u8>,
}

impl<R: BufRead> MboxReader<R> {
    pub(crate) fn new(reader: R, path: &Path) -> Self {
        Self {
            reader,
            path: path.to_path_buf(),
            offset: 0,
            next_from: None,
            count: 0,
            started: false,
            done: false,
            line: Vec::with_capacity(256),
        }
    }

    /// Reads one line into `self.line`; `Ok(false)` at the end.
    fn read_line(&mut self) -> Result<bool, ImportError> {
        self.line.clear();
        let n = self.reader.read_until(b'\n', &mut self.line).map_err(|e| ImportError::io(&self.path, e))?;
        self.offset += n as u64;
        Ok(n > 0)
    }

    /// Skips to the first From_ line. Text before it is reported as a bad item.
    fn start(&mut self) -> Option<Result<ImportItem, ImportError>> {
        self.started = true;
        let mut junk = false;
        loop {
            let at = self.offset;
            match self.read_line() {
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
                Ok(false) => {
                    self.done = true;
                    break;
                }
                Ok(true) => {}
            }
            if self.line.starts_with(b"From ") {
                self.next_from = Some((at, std::mem::take(&mut self.line)));
                break;
            }
            junk |= !is_blank(&self.line);
        }
        junk.then(|| {
            Err(ImportError::NotAMessage {
                origin: format!("{}: byte 0", self.path.display()),
                reason: "text before the first From_ line is not part of any message".to_owned(),
            })
        })
    }

    /// Reads the message that starts at `self.next_from`.
    fn message(&mut self, at: u64, from_line: Vec<u8>) -> Result<ImportItem, ImportError> {
        self.count += 1;
        let origin = format!("{}: message {} at byte {at}", self.path.display(), self.count);
        let mut raw = Vec::new();
        let mut size: u64 = 0;
        let mut last_blank = 0usize;
        loop {
            let line_at = self.offset;
            if !self.read_line()? {
                self.done = true;
                break;
            }
            let is_from = self.line.starts_with(b"From ");
            if is_from && (last_blank > 0 || from_line_date(&self.line).is_some()) {
                self.next_from = Some((line_at, std::mem::take(&mut self.line)));
                break;
            }
            // Undo >From quoting: one '>' off any >+From line.
            let quoted = self
                .line
                .iter()
                .position(|&b| b != b'>')
                .is_some_and(|i| i > 0 && self.line[i..].starts_with(b"From "));
            let line: &[u8] = if quoted { &self.line[1..] } else { &self.line };
            last_blank = if is_blank(line) { line.len() } else { 0 };
            size += line.len() as u64;
            if size <= MAX_MESSAGE_SIZE {
                raw.extend_from_slice(line);
            }
        }
        // The blank line before the next From_ line separates; it is not content.
        size -= last_blank as u64;
        raw.truncate(raw.len().saturating_sub(last_blank));
        if size > MAX_MESSAGE_SIZE {
            return Err(ImportError::TooLarge { origin, size, limit: MAX_MESSAGE_SIZE });
        }
        if let Some(reason) = not_a_message(&raw) {
            return Err(ImportError::NotAMessage { origin, reason });
        }
        let received_at = from_line_date(&from_line).or_else(|| date_header_ms(&raw));
        Ok(ImportItem { raw, flags: Vec::new(), received_at, origin })
    }
}

impl<R: BufRead> Iterator for MboxReader<R> {
    type Item = Result<ImportItem, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        if !self.started {
            if let Some(junk) = self.start() {
                return Some(junk);
            }
        }
        let (at, from_line) = self.next_from.take()?;
        let item = self.message(at, from_line);
        if item.is_err() && self.next_from.is_none() {
            // An I/O error mid-message ends the source.
            self.done = true;
        }
        Some(item)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn read(text: &[u8]) -> Vec<Result<ImportItem, ImportError>> {
        MboxReader::new(text, Path::new("test.mbox")).collect()
    }

    #[test]
    fn parses_from_line_dates() {
        let ms = 1_767_603_600_000; // 2026-01-05 09:00:00 UTC
        assert_eq!(from_line_date(b"From a@b.c Mon Jan  5 09:00:00 2026\n"), Some(ms));
        assert_eq!(from_line_date(b"From a@b.c Mon Jan 05 09:00:00 2026\r\n"), Some(ms));
        assert_eq!(from_line_date(b"From a@b.c Mon Jan  5 09:00:00 +0000 2026\n"), Some(ms));
        assert_eq!(from_line_date(b"From MAILER-DAEMON Mon Jan  5 09:00:00 2026 +0100\n"), Some(ms));
        assert_eq!(from_line_date(b"From here to eternity\n"), None);
        assert_eq!(from_line_date(b"Subject: x\n"), None);
    }

    #[test]
    fn splits_and_unquotes() {
        let mbox = b"From a@example.com Mon Jan  5 09:00:00 2026\n\
Subject: one\n\
\n\
>From the start, this line was quoted.\n\
>>From stays quoted once.\n\
From inside a paragraph without a blank line before is not a separator\n\
\n\
From b@example.com Tue Jan  6 10:00:00 2026\n\
Subject: two\n\
Date: Tue, 6 Jan 2026 11:00:00 +0000\n\
\n\
body two\n";
        let items: Vec<ImportItem> = read(mbox).into_iter().map(|r| r.unwrap()).collect();
        assert_eq!(items.len(), 2);
        assert_eq!(
            String::from_utf8_lossy(&items[0].raw),
            "Subject: one\n\nFrom the start, this line was quoted.\n>From stays quoted once.\n\
From inside a paragraph without a blank line before is not a separator\n"
        );
        assert_eq!(items[0].received_at, Some(1_767_603_600_000));
        assert_eq!(items[0].origin, "test.mbox: message 1 at byte 0");
        assert_eq!(
            String::from_utf8_lossy(&items[1].raw),
            "Subject: two\nDate: Tue, 6 Jan 2026 11:00:00 +0000\n\nbody two\n"
        );
        assert_eq!(items[1].received_at, Some(1_767_693_600_000));
        assert!(items[1].origin.starts_with("test.mbox: message 2 at byte "));
        let at: usize = items[1].origin.rsplit(' ').next().unwrap().parse().unwrap();
        assert!(mbox[at..].starts_with(b"From b@example.com"));
    }

    #[test]
    fn crlf_and_dated_from_without_blank_line() {
        let mbox = b"From a Mon Jan  5 09:00:00 2026\r\nSubject: one\r\n\r\nx\r\nFrom b Mon Jan  5 10:00:00 2026\r\nSubject: two\r\n\r\ny\r\n";
        let items: Vec<ImportItem> = read(mbox).into_iter().map(|r| r.unwrap()).collect();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].raw, b"Subject: one\r\n\r\nx\r\n");
        assert_eq!(items[1].raw, b"Subject: two\r\n\r\ny\r\n");
    }

    #[test]
    fn empty_and_junk() {
        assert!(read(b"").is_empty());
        assert!(read(b"\n\n").is_empty());
        let items = read(b"hello\nFrom a Mon Jan  5 09:00:00 2026\nSubject: x\n\nbody\n");
        assert_eq!(items.len(), 2);
        assert!(matches!(&items[0], Err(ImportError::NotAMessage { .. })));
        assert!(items[1].is_ok());
        // A From_ line with nothing after it is a bad item, and the next one still reads.
        let items = read(b"From a Mon Jan  5 09:00:00 2026\n\nFrom b Mon Jan  5 09:00:00 2026\nSubject: y\n\n");
        assert_eq!(items.len(), 2);
        assert!(items[0].as_ref().unwrap_err().to_string().contains("message 1 at byte 0: not an email message"));
        assert!(items[1].is_ok());
    }
}
