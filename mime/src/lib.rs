//! Parsing untrusted RFC 5322 messages with mail-parser without letting a
//! hostile message take the process down.
//!
//! mail-parser parses a chain of tens of thousands of nested `message/rfc822`
//! parts iteratively, but the parsed [`Message`] owns its attached messages
//! by value, so dropping it recurses once per level and overflows the stack:
//! the process aborts. Every place that parses mail from outside (the store's
//! state machine applying an import, the Zimbra adapter cutting parts out of
//! a raw message) parses through [`parse`], whose [`Mime`] drops level by
//! level in a loop. In the store this matters twice over: a message that
//! crashed the apply would crash every replica, and again on every replay of
//! the log.

use mail_parser::{Message, MessageParser, PartType};
use std::ops::Deref;

/// A parsed message that is dropped without recursion.
#[derive(Debug)]
pub struct Mime<'x>(Message<'x>);

/// Parses raw bytes; `None` when mail-parser finds no message in them.
pub fn parse(raw: &[u8]) -> Option<Mime<'_>> {
    MessageParser::default().parse(raw).map(Mime)
}

impl<'x> Deref for Mime<'x> {
    type Target = Message<'x>;

    fn deref(&self) -> &Message<'x> {
        &self.0
    }
}

impl Drop for Mime<'_> {
    fn drop(&mut self) {
        // Empty every attached message before it is dropped, so each drop is shallow.
        let mut pending = vec![std::mem::take(&mut self.0.parts)];
        while let Some(mut parts) = pending.pop() {
            for part in parts.drain(..) {
                if let PartType::Message(mut attached) = part.body {
                    pending.push(std::mem::take(&mut attached.parts));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// A chain of `depth` messages, each the only part of the one around it.
    fn chain(depth: usize) -> String {
        "Subject: m\r\nContent-Type: message/rfc822\r\n\r\n".repeat(depth) + "Subject: end\r\n\r\nx\r\n"
    }

    #[test]
    fn a_deep_message_rfc822_chain_parses_and_drops_without_overflowing_the_stack() {
        // Run on a thread with a small stack, so the test fails (aborts) with a
        // recursive drop even where the main thread's stack is large.
        let handle = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| {
                let raw = chain(50_000);
                let parsed = parse(raw.as_bytes()).unwrap();
                assert_eq!(parsed.subject(), Some("m"));
                drop(parsed);
            })
            .unwrap();
        handle.join().unwrap();
    }

    #[test]
    fn an_ordinary_message_reads_through_the_wrapper() {
        let parsed = parse(b"Subject: hi\r\nFrom: a@b.example\r\n\r\nbody\r\n").unwrap();
        assert_eq!(parsed.subject(), Some("hi"));
        assert_eq!(parsed.body_text(0).as_deref(), Some("body\r\n"));
    }
}
