//! Tokens of the search language, each with its character position.

use super::SearchError;

/// One token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenKind {
    /// `(`
    Open,
    /// `)`
    Close,
    /// `-` directly before a term or group.
    Not,
    /// The upper-case keyword `OR`.
    Or,
    /// The upper-case keyword `AND` (a no-op: juxtaposition already means and).
    And,
    /// A bare word.
    Word(String),
    /// A "quoted phrase", unescaped.
    Phrase(String),
    /// `name:value`; `value_pos` is where the value starts.
    Field {
        /// The operator name, lower-cased.
        name: String,
        /// The value, unquoted.
        value: String,
        /// The value's position.
        value_pos: usize,
        /// The token as written, for unknown operators, which are searched as text.
        raw: String,
    },
}

/// A token and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Its 0-based character position.
    pub pos: usize,
}

/// Splits a query into tokens.
pub fn tokenize(input: &str) -> Result<Vec<Token>, SearchError> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let pos = i;
        let kind = match c {
            '(' => {
                i += 1;
                TokenKind::Open
            }
            ')' => {
                i += 1;
                TokenKind::Close
            }
            '-' => {
                i += 1;
                match chars.get(i) {
                    Some(next) if !next.is_whitespace() && *next != ')' => TokenKind::Not,
                    _ => return Err(SearchError::new("nothing to negate after '-'", pos)),
                }
            }
            '"' => {
                let (text, end) = quoted(&chars, i)?;
                i = end;
                TokenKind::Phrase(text)
            }
            _ => {
                let start = i;
                while i < chars.len() && !is_break(chars[i]) {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                word_token(word, start, &chars, &mut i)?
            }
        };
        tokens.push(Token { kind, pos });
    }
    Ok(tokens)
}

/// Characters that end a bare word.
fn is_break(c: char) -> bool {
    c.is_whitespace() || c == '(' || c == ')' || c == '"'
}

/// Classifies a bare word; reads a quoted value after `name:` when one follows.
fn word_token(word: String, start: usize, chars: &[char], i: &mut usize) -> Result<TokenKind, SearchError> {
    if word == "OR" {
        return Ok(TokenKind::Or);
    }
    if word == "AND" {
        return Ok(TokenKind::And);
    }
    let Some((name, value)) = word.split_once(':') else {
        return Ok(TokenKind::Word(word));
    };
    // Only `letters:` is an operator; `10:30` or `:)` are words.
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphabetic()) {
        return Ok(TokenKind::Word(word));
    }
    let value_pos = start + name.chars().count() + 1;
    let lower = name.to_ascii_lowercase();
    if value.is_empty() && chars.get(*i) == Some(&'"') {
        let (text, end) = quoted(chars, *i)?;
        *i = end;
        return Ok(TokenKind::Field { raw: format!("{name}:{text}"), name: lower, value: text, value_pos });
    }
    Ok(TokenKind::Field { name: lower, value: value.to_owned(), value_pos, raw: word.clone() })
}

/// Reads a quoted string starting at the `"` at `open`; `\"` and `\\` escape.
/// Returns the text and the index after the closing quote.
fn quoted(chars: &[char], open: usize) -> Result<(String, usize), SearchError> {
    let mut text = String::new();
    let mut i = open + 1;
    while i < chars.len() {
        match chars[i] {
            '"' => return Ok((text, i + 1)),
            '\\' if matches!(chars.get(i + 1), Some('"') | Some('\\')) => {
                text.push(chars[i + 1]);
                i += 2;
            }
            c => {
                text.push(c);
                i += 1;
            }
        }
    }
    Err(SearchError::new("unclosed quote", open))
}
