//! Our [`SearchExpr`] and [`Sort`] in Zimbra's query language.
//!
//! Text terms become quoted phrases, `in:` a list of `inid:` resolved by the
//! caller against the folder tree (Zimbra's `in:` wants a path; ours takes a
//! name or a role), dates become millisecond literals. Zimbra's `after:` is
//! strict, ours is not, hence `after:{ms - 1}`. Every query starts with
//! `is:anywhere` because Zimbra otherwise hides Trash and Junk, and our
//! semantics is "all the account's messages".

use mailgate_backend::{Flag, MailboxId, SearchExpr, Sort, SortKey, Term};

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace(['"', '\\'], " "))
}

/// Translates an expression; `resolve` maps an `in:` name to matching mailbox ids.
pub fn translate(e: &SearchExpr, resolve: &dyn Fn(&str) -> Vec<MailboxId>) -> String {
    match e {
        SearchExpr::And(v) if v.is_empty() => "item:all".into(),
        SearchExpr::Or(v) if v.is_empty() => "item:none".into(),
        SearchExpr::And(v) => format!("({})", v.iter().map(|x| translate(x, resolve)).collect::<Vec<_>>().join(" ")),
        SearchExpr::Or(v) => format!("({})", v.iter().map(|x| translate(x, resolve)).collect::<Vec<_>>().join(" or ")),
        SearchExpr::Not(x) => format!("not {}", translate(x, resolve)),
        SearchExpr::Term(t) => term(t, resolve),
    }
}

fn term(t: &Term, resolve: &dyn Fn(&str) -> Vec<MailboxId>) -> String {
    match t {
        Term::Text(s) => quote(s),
        Term::From(s) => format!("from:{}", quote(s)),
        Term::To(s) => format!("to:{}", quote(s)),
        Term::Cc(s) => format!("cc:{}", quote(s)),
        Term::Subject(s) => format!("subject:{}", quote(s)),
        Term::HasAttachment => "has:attachment".into(),
        Term::Flag(f, on) => {
            let (yes, no) = match f {
                Flag::Seen => ("is:read", "is:unread"),
                Flag::Flagged => ("is:flagged", "is:unflagged"),
                Flag::Answered => ("is:replied", "not is:replied"),
                Flag::Forwarded => ("is:forwarded", "not is:forwarded"),
                Flag::Draft => ("is:draft", "not is:draft"),
            };
            if *on { yes } else { no }.to_owned()
        }
        Term::InMailbox(name) => {
            let ids = resolve(name);
            if ids.is_empty() {
                "item:none".into()
            } else {
                format!("({})", ids.iter().map(|i| format!("inid:{i}")).collect::<Vec<_>>().join(" or "))
            }
        }
        Term::Before(ms) => format!("before:{ms}"),
        Term::After(ms) => format!("after:{}", ms.saturating_sub(1)),
        Term::Larger(n) => format!("larger:{n}"),
        Term::Smaller(n) => format!("smaller:{n}"),
    }
}

/// `sortBy` for a sort.
pub fn sort_by(s: Sort) -> String {
    let key = match s.key {
        SortKey::ReceivedAt => "date",
        SortKey::Subject => "subj",
        SortKey::From => "name",
        SortKey::Size => "size",
    };
    format!("{key}{}", if s.descending { "Desc" } else { "Asc" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translates_terms_and_combinators() {
        let e = SearchExpr::And(vec![
            SearchExpr::Term(Term::Text("pine \"apple\"".into())),
            SearchExpr::Not(Box::new(SearchExpr::Term(Term::From("ann@".into())))),
            SearchExpr::Or(vec![
                SearchExpr::Term(Term::HasAttachment),
                SearchExpr::Term(Term::InMailbox("work".into())),
            ]),
            SearchExpr::Term(Term::After(4_000)),
        ]);
        let q = translate(&e, &|n| if n == "work" { vec![MailboxId("300".into())] } else { vec![] });
        assert_eq!(q, r#"("pine  apple " not from:"ann@" (has:attachment or (inid:300)) after:3999)"#);
        assert_eq!(translate(&SearchExpr::Term(Term::InMailbox("nope".into())), &|_| vec![]), "item:none");
        assert_eq!(sort_by(Sort { key: SortKey::Size, descending: true }), "sizeDesc");
    }
}
