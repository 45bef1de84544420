//! Recursive descent from tokens to a [`SearchExpr`].
//!
//! ```text
//! query := or EOF
//! or    := and ("OR" and)*
//! and   := unary (["AND"] unary)*
//! unary := "-" unary | "(" or ")" | term
//! ```

use super::lexer::{tokenize, Token, TokenKind};
use super::SearchError;
use crate::time::parse_day;
use mailgate_backend::{Flag, SearchExpr, Term};

/// Longest accepted query, in characters: a bound on parsing work.
pub const MAX_QUERY_CHARS: usize = 2000;
/// Deepest accepted nesting of parentheses and negations: a bound on recursion.
pub const MAX_DEPTH: usize = 32;

/// Parses a query. An empty (or all-blank) query is `None`: it matches everything.
pub fn parse(input: &str) -> Result<Option<SearchExpr>, SearchError> {
    if input.chars().count() > MAX_QUERY_CHARS {
        return Err(SearchError::new(format!("query longer than {MAX_QUERY_CHARS} characters"), MAX_QUERY_CHARS));
    }
    let tokens = tokenize(input)?;
    if tokens.is_empty() {
        return Ok(None);
    }
    let mut parser = Parser { tokens, next: 0, depth: 0, end: input.chars().count() };
    let expr = parser.or()?;
    match parser.peek() {
        None => Ok(Some(expr)),
        Some(tok) => Err(SearchError::new("unexpected ')'", tok.pos)),
    }
}

struct Parser {
    tokens: Vec<Token>,
    next: usize,
    depth: usize,
    /// The query's length, the position of errors at the end.
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next)
    }

    fn take(&mut self) -> Option<Token> {
        let tok = self.tokens.get(self.next).cloned();
        self.next += 1;
        tok
    }

    /// Whether a term or group can start at the next token.
    fn at_operand(&self) -> bool {
        matches!(
            self.peek().map(|t| &t.kind),
            Some(TokenKind::Not)
                | Some(TokenKind::Open)
                | Some(TokenKind::Word(_))
                | Some(TokenKind::Phrase(_))
                | Some(TokenKind::Field { .. })
        )
    }

    fn or(&mut self) -> Result<SearchExpr, SearchError> {
        let mut items = vec![self.and()?];
        while let Some(tok) = self.peek() {
            if tok.kind != TokenKind::Or {
                break;
            }
            let pos = tok.pos;
            self.take();
            if !self.at_operand() {
                return Err(SearchError::new("OR needs a term on both sides", pos));
            }
            items.push(self.and()?);
        }
        Ok(combine(items, false))
    }

    fn and(&mut self) -> Result<SearchExpr, SearchError> {
        if !self.at_operand() {
            return Err(self.missing_operand());
        }
        let mut items = Vec::new();
        loop {
            match self.peek().map(|t| (&t.kind, t.pos)) {
                Some((TokenKind::And, pos)) => {
                    self.take();
                    if !self.at_operand() {
                        return Err(SearchError::new("AND needs a term on both sides", pos));
                    }
                }
                Some(_) if self.at_operand() => items.push(self.unary()?),
                _ => break,
            }
        }
        Ok(combine(items, true))
    }

    /// The error when a term was expected but something else came.
    fn missing_operand(&self) -> SearchError {
        match self.peek() {
            Some(tok) if tok.kind == TokenKind::Or => SearchError::new("OR needs a term on both sides", tok.pos),
            Some(tok) if tok.kind == TokenKind::And => SearchError::new("AND needs a term on both sides", tok.pos),
            Some(tok) => SearchError::new("unexpected ')'", tok.pos),
            None => SearchError::new("expected a search term", self.end),
        }
    }

    fn unary(&mut self) -> Result<SearchExpr, SearchError> {
        let Some(tok) = self.take() else {
            return Err(SearchError::new("expected a search term", self.end));
        };
        match tok.kind {
            TokenKind::Not => {
                self.enter(tok.pos)?;
                let inner = self.unary()?;
                self.depth -= 1;
                Ok(SearchExpr::Not(Box::new(inner)))
            }
            TokenKind::Open => {
                self.enter(tok.pos)?;
                if self.peek().is_some_and(|t| t.kind == TokenKind::Close) {
                    return Err(SearchError::new("empty parentheses", tok.pos));
                }
                if self.peek().is_none() {
                    return Err(SearchError::new("unclosed parenthesis", tok.pos));
                }
                let inner = self.or()?;
                match self.take() {
                    Some(close) if close.kind == TokenKind::Close => {}
                    _ => return Err(SearchError::new("unclosed parenthesis", tok.pos)),
                }
                self.depth -= 1;
                Ok(inner)
            }
            TokenKind::Word(word) => Ok(SearchExpr::Term(Term::Text(word))),
            TokenKind::Phrase(phrase) => {
                if phrase.trim().is_empty() {
                    return Err(SearchError::new("empty phrase", tok.pos));
                }
                Ok(SearchExpr::Term(Term::Text(phrase)))
            }
            TokenKind::Field { name, value, value_pos, raw } => {
                field(&name, &value, &raw, value_pos).map(SearchExpr::Term)
            }
            // `at_operand` admits only the kinds above.
            TokenKind::Close | TokenKind::Or | TokenKind::And => {
                Err(SearchError::new("expected a search term", tok.pos))
            }
        }
    }

    fn enter(&mut self, pos: usize) -> Result<(), SearchError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(SearchError::new(format!("query nests deeper than {MAX_DEPTH} levels"), pos));
        }
        Ok(())
    }
}

/// Joins operands, flattening nested groups of the same kind.
fn combine(items: Vec<SearchExpr>, and: bool) -> SearchExpr {
    let mut flat = Vec::with_capacity(items.len());
    for item in items {
        match (item, and) {
            (SearchExpr::And(inner), true) | (SearchExpr::Or(inner), false) => flat.extend(inner),
            (item, _) => flat.push(item),
        }
    }
    if flat.len() == 1 {
        if let Some(only) = flat.pop() {
            return only;
        }
    }
    if and {
        SearchExpr::And(flat)
    } else {
        SearchExpr::Or(flat)
    }
}

/// Builds the term for `name:value`.
///
/// Unknown operators are searched as text, as mail clients do, so that
/// `Re: lunch` or `https://example.com` need no quoting.
fn field(name: &str, value: &str, raw: &str, value_pos: usize) -> Result<Term, SearchError> {
    let known = matches!(
        name,
        "from" | "to" | "cc" | "subject" | "has" | "is" | "in" | "before" | "after" | "larger" | "smaller"
    );
    if !known {
        return Ok(Term::Text(raw.to_owned()));
    }
    if value.trim().is_empty() {
        return Err(SearchError::new(format!("missing value for '{name}:'"), value_pos));
    }
    let text = value.to_owned();
    let lower = value.to_ascii_lowercase();
    let bad_value = |expected: &str| {
        SearchError::new(format!("invalid value '{value}' for '{name}:' (expected {expected})"), value_pos)
    };
    Ok(match name {
        "from" => Term::From(text),
        "to" => Term::To(text),
        "cc" => Term::Cc(text),
        "subject" => Term::Subject(text),
        "in" => Term::InMailbox(text),
        "has" => match lower.as_str() {
            "attachment" | "attachments" => Term::HasAttachment,
            _ => return Err(bad_value("attachment")),
        },
        "is" => match lower.as_str() {
            "read" | "seen" => Term::Flag(Flag::Seen, true),
            "unread" | "unseen" => Term::Flag(Flag::Seen, false),
            "flagged" | "starred" => Term::Flag(Flag::Flagged, true),
            "unflagged" | "unstarred" => Term::Flag(Flag::Flagged, false),
            "answered" | "replied" => Term::Flag(Flag::Answered, true),
            "unanswered" => Term::Flag(Flag::Answered, false),
            "forwarded" => Term::Flag(Flag::Forwarded, true),
            "draft" => Term::Flag(Flag::Draft, true),
            _ => return Err(bad_value("read, unread, flagged, unflagged, answered, forwarded or draft")),
        },
        "before" => Term::Before(parse_day(value).ok_or_else(|| bad_value("YYYY-MM-DD"))?),
        "after" => Term::After(parse_day(value).ok_or_else(|| bad_value("YYYY-MM-DD"))?),
        "larger" => Term::Larger(parse_size(value).ok_or_else(|| bad_value("a size such as 500, 10k or 2M"))?),
        _ => Term::Smaller(parse_size(value).ok_or_else(|| bad_value("a size such as 500, 10k or 2M"))?),
    })
}

/// Parses `123`, `10k`, `2M`, `1g`, `10kb` (powers of 1024) into bytes.
pub fn parse_size(value: &str) -> Option<u64> {
    let lower = value.to_ascii_lowercase();
    let trimmed = lower.strip_suffix('b').unwrap_or(&lower);
    let digits_end = trimmed.find(|c: char| !c.is_ascii_digit()).unwrap_or(trimmed.len());
    let (digits, suffix) = trimmed.split_at(digits_end);
    if digits.is_empty() {
        return None;
    }
    let multiplier: u64 = match suffix {
        "" => 1,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        _ => return None,
    };
    digits.parse::<u64>().ok()?.checked_mul(multiplier)
}
