//! The search query language, parsed into [`mailgate_backend::SearchExpr`].
//!
//! ```text
//! from:alice subject:"quarterly report" has:attachment -in:trash
//! (from:bob OR from:carol) after:2024-01-01 larger:2M is:unread
//! ```
//!
//! - Operators: `from: to: cc: subject:` (text), `has:attachment`,
//!   `is:read|unread|seen|unseen|flagged|unflagged|starred|answered|unanswered|draft|forwarded`,
//!   `in:FOLDER` (name or role), `before:DATE after:DATE` (`YYYY-MM-DD`, UTC;
//!   `before` is exclusive, `after` inclusive), `larger:SIZE smaller:SIZE`
//!   (bytes, or with a `k`/`m`/`g` suffix in powers of 1024, e.g. `10k`, `2M`).
//!   Operator names are case-insensitive; values may be "quoted".
//! - Free words and "quoted phrases" match subject, addresses or body.
//! - `-x` negates; `a OR b` (upper-case `OR`) is alternation; juxtaposition
//!   (or an upper-case `AND`) is conjunction, which binds tighter than `OR`;
//!   parentheses group.
//! - Errors name a 0-based character position, e.g.
//!   `unclosed parenthesis at position 14`.
//!
//! The lexer ([`lexer`]) turns text into positioned tokens; the parser
//! ([`parser`]) is recursive descent over them.

pub mod lexer;
pub mod parser;
#[cfg(test)]
mod tests;

pub use parser::parse;

/// A syntax error with the character position it was found at.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at position {position}")]
pub struct SearchError {
    /// What is wrong.
    pub message: String,
    /// The 0-based character (not byte) offset into the query.
    pub position: usize,
}

impl SearchError {
    /// An error at `position`.
    pub fn new(message: impl Into<String>, position: usize) -> Self {
        Self { message: message.into(), position }
    }
}
