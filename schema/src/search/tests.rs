//! Table-driven tests of the search language.

#![allow(clippy::unwrap_used)]

use super::parse;
use super::parser::parse_size;
use mailgate_backend::{Flag, SearchExpr, Term};

fn t(term: Term) -> SearchExpr {
    SearchExpr::Term(term)
}
fn text(s: &str) -> SearchExpr {
    t(Term::Text(s.to_owned()))
}
fn not(e: SearchExpr) -> SearchExpr {
    SearchExpr::Not(Box::new(e))
}
fn and(v: Vec<SearchExpr>) -> SearchExpr {
    SearchExpr::And(v)
}
fn or(v: Vec<SearchExpr>) -> SearchExpr {
    SearchExpr::Or(v)
}
const DAY: i64 = 86_400_000;

#[test]
fn parses_valid_queries() {
    let table: Vec<(&str, SearchExpr)> = vec![
        ("hello", text("hello")),
        ("  hello  ", text("hello")),
        ("hello world", and(vec![text("hello"), text("world")])),
        ("\"hello world\"", text("hello world")),
        (r#""say \"hi\"""#, text("say \"hi\"")),
        ("from:alice", t(Term::From("alice".into()))),
        ("FROM:alice", t(Term::From("alice".into()))),
        ("from:\"Alice Smith\"", t(Term::From("Alice Smith".into()))),
        ("to:bob@example.com", t(Term::To("bob@example.com".into()))),
        ("cc:carol", t(Term::Cc("carol".into()))),
        ("subject:report", t(Term::Subject("report".into()))),
        ("subject:\"Q3 report\"", t(Term::Subject("Q3 report".into()))),
        ("has:attachment", t(Term::HasAttachment)),
        ("is:unread", t(Term::Flag(Flag::Seen, false))),
        ("is:read", t(Term::Flag(Flag::Seen, true))),
        ("is:flagged", t(Term::Flag(Flag::Flagged, true))),
        ("is:Starred", t(Term::Flag(Flag::Flagged, true))),
        ("in:inbox", t(Term::InMailbox("inbox".into()))),
        ("in:\"My Folder\"", t(Term::InMailbox("My Folder".into()))),
        ("before:1970-01-02", t(Term::Before(DAY))),
        ("after:1970-01-03", t(Term::After(2 * DAY))),
        ("larger:10k", t(Term::Larger(10 * 1024))),
        ("smaller:2M", t(Term::Smaller(2 * 1024 * 1024))),
        ("larger:500", t(Term::Larger(500))),
        ("-spam", not(text("spam"))),
        ("-from:bob", not(t(Term::From("bob".into())))),
        ("-\"big sale\"", not(text("big sale"))),
        ("--x", not(not(text("x")))),
        ("a OR b", or(vec![text("a"), text("b")])),
        ("a OR b OR c", or(vec![text("a"), text("b"), text("c")])),
        ("a or b", and(vec![text("a"), text("or"), text("b")])),
        ("a AND b", and(vec![text("a"), text("b")])),
        // AND binds tighter than OR.
        ("a b OR c", or(vec![and(vec![text("a"), text("b")]), text("c")])),
        ("a (b OR c)", and(vec![text("a"), or(vec![text("b"), text("c")])])),
        ("(a)", text("a")),
        ("((a b))", and(vec![text("a"), text("b")])),
        ("(from:a OR from:b)", or(vec![t(Term::From("a".into())), t(Term::From("b".into()))])),
        ("-(a OR b)", not(or(vec![text("a"), text("b")]))),
        (
            "from:alice has:attachment -in:trash",
            and(vec![t(Term::From("alice".into())), t(Term::HasAttachment), not(t(Term::InMailbox("trash".into())))]),
        ),
        // Not operators: searched as text.
        ("Re: lunch", and(vec![text("Re:"), text("lunch")])),
        ("https://example.com", text("https://example.com")),
        ("10:30", text("10:30")),
        ("foo-bar", text("foo-bar")),
        ("zürich", text("zürich")),
        ("a(b)", and(vec![text("a"), text("b")])),
    ];
    for (input, expected) in table {
        assert_eq!(parse(input).unwrap(), Some(expected), "query {input:?}");
    }
}

#[test]
fn empty_query_matches_everything() {
    assert_eq!(parse("").unwrap(), None);
    assert_eq!(parse("   \t").unwrap(), None);
}

#[test]
fn reports_errors_with_positions() {
    let table = [
        ("from:alice (subject:x", "unclosed parenthesis at position 11"),
        ("(a OR b", "unclosed parenthesis at position 0"),
        ("((a)", "unclosed parenthesis at position 0"),
        ("a)", "unexpected ')' at position 1"),
        (")", "unexpected ')' at position 0"),
        ("a ()", "empty parentheses at position 2"),
        ("\"open", "unclosed quote at position 0"),
        ("subject:\"open", "unclosed quote at position 8"),
        ("OR a", "OR needs a term on both sides at position 0"),
        ("a OR", "OR needs a term on both sides at position 2"),
        ("a OR OR b", "OR needs a term on both sides at position 2"),
        ("a OR )", "OR needs a term on both sides at position 2"),
        ("a AND", "AND needs a term on both sides at position 2"),
        ("a -", "nothing to negate after '-' at position 2"),
        ("- a", "nothing to negate after '-' at position 0"),
        ("(-)", "nothing to negate after '-' at position 1"),
        ("\"\"", "empty phrase at position 0"),
        ("from:", "missing value for 'from:' at position 5"),
        ("x in:", "missing value for 'in:' at position 5"),
        (
            "has:pdf",
            "invalid value 'pdf' for 'has:' (expected attachment) at position 4",
        ),
        (
            "is:shiny",
            "invalid value 'shiny' for 'is:' (expected read, unread, flagged, unflagged, answered, forwarded or draft) at position 3",
        ),
        (
            "before:2024-13-01",
            "invalid value '2024-13-01' for 'before:' (expected YYYY-MM-DD) at position 7",
        ),
        (
            "after:yesterday",
            "invalid value 'yesterday' for 'after:' (expected YYYY-MM-DD) at position 6",
        ),
        (
            "larger:huge",
            "invalid value 'huge' for 'larger:' (expected a size such as 500, 10k or 2M) at position 7",
        ),
        (
            "smaller:1.5M",
            "invalid value '1.5M' for 'smaller:' (expected a size such as 500, 10k or 2M) at position 8",
        ),
        // Positions count characters, not bytes.
        ("é (", "unclosed parenthesis at position 2"),
    ];
    for (input, expected) in table {
        let err = parse(input).unwrap_err();
        assert_eq!(err.to_string(), expected, "query {input:?}");
    }
}

#[test]
fn bounds_nesting_and_length() {
    let deep = format!("{}a{}", "(".repeat(40), ")".repeat(40));
    assert!(parse(&deep).unwrap_err().message.contains("nests deeper"));
    let negations = format!("{}a", "-".repeat(40));
    assert!(parse(&negations).is_err());
    let long = "a ".repeat(1500);
    assert!(parse(&long).unwrap_err().message.contains("longer than"));
    let ok = format!("{}a{}", "(".repeat(10), ")".repeat(10));
    assert_eq!(parse(&ok).unwrap(), Some(text("a")));
}

#[test]
fn parses_sizes() {
    let table = [
        ("0", Some(0)),
        ("1", Some(1)),
        ("10k", Some(10_240)),
        ("10K", Some(10_240)),
        ("10kb", Some(10_240)),
        ("2M", Some(2_097_152)),
        ("1g", Some(1_073_741_824)),
        ("", None),
        ("k", None),
        ("10x", None),
        ("-5", None),
        ("99999999999999999999", None),
        ("20000000000000g", None),
    ];
    for (input, expected) in table {
        assert_eq!(parse_size(input), expected, "size {input:?}");
    }
}
