//! Evaluating a [`SearchExpr`] against a message, and sorting results.
//!
//! Text terms are case-insensitive substring matches. A free text term looks
//! at the subject, every address (name and email) and both bodies.
//! `in:FOLDER` matches a mailbox of the message by name (case-insensitive) or
//! role name.

use super::subject;
use mailgate_backend::{AddressKind, Mailbox, Message, SearchExpr, Sort, SortKey, Term};
use std::cmp::Ordering;
use std::collections::HashMap;

/// Whether `msg` matches `expr`; `mailboxes` resolves the message's mailbox ids.
pub fn matches(expr: &SearchExpr, msg: &Message, mailboxes: &HashMap<String, Mailbox>) -> bool {
    match expr {
        SearchExpr::And(all) => all.iter().all(|e| matches(e, msg, mailboxes)),
        SearchExpr::Or(any) => any.iter().any(|e| matches(e, msg, mailboxes)),
        SearchExpr::Not(e) => !matches(e, msg, mailboxes),
        SearchExpr::Term(t) => term(t, msg, mailboxes),
    }
}

fn contains(haystack: &str, needle_lower: &str) -> bool {
    haystack.to_lowercase().contains(needle_lower)
}

fn address_matches(msg: &Message, kinds: &[AddressKind], needle_lower: &str) -> bool {
    msg.addresses
        .iter()
        .filter(|a| kinds.contains(&a.kind))
        .any(|a| contains(&a.email, needle_lower) || a.name.as_deref().is_some_and(|n| contains(n, needle_lower)))
}

fn term(t: &Term, msg: &Message, mailboxes: &HashMap<String, Mailbox>) -> bool {
    const ALL_KINDS: [AddressKind; 6] = [
        AddressKind::From,
        AddressKind::Sender,
        AddressKind::ReplyTo,
        AddressKind::To,
        AddressKind::Cc,
        AddressKind::Bcc,
    ];
    match t {
        Term::Text(s) => {
            let n = s.to_lowercase();
            contains(&msg.subject, &n)
                || address_matches(msg, &ALL_KINDS, &n)
                || msg.text_body.as_deref().is_some_and(|b| contains(b, &n))
                || msg.html_body.as_deref().is_some_and(|b| contains(b, &n))
        }
        Term::From(s) => address_matches(msg, &[AddressKind::From, AddressKind::Sender], &s.to_lowercase()),
        Term::To(s) => address_matches(msg, &[AddressKind::To], &s.to_lowercase()),
        Term::Cc(s) => address_matches(msg, &[AddressKind::Cc], &s.to_lowercase()),
        Term::Subject(s) => contains(&msg.subject, &s.to_lowercase()),
        Term::HasAttachment => msg.has_attachment(),
        Term::Flag(flag, value) => msg.flags.get(*flag) == *value,
        Term::InMailbox(name) => msg.mailbox_ids.iter().filter_map(|id| mailboxes.get(id.as_str())).any(|m| {
            m.name.eq_ignore_ascii_case(name) || m.role.is_some_and(|r| r.as_str().eq_ignore_ascii_case(name))
        }),
        Term::Before(t) => msg.received_at < *t,
        Term::After(t) => msg.received_at >= *t,
        Term::Larger(n) => msg.size > *n,
        Term::Smaller(n) => msg.size < *n,
    }
}

fn numeric_id(m: &Message) -> u64 {
    m.id.as_str().parse().unwrap_or(u64::MAX)
}

fn from_key(m: &Message) -> String {
    m.addresses_of(AddressKind::From)
        .next()
        .map(|a| a.name.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| a.email.clone()))
        .unwrap_or_default()
        .to_lowercase()
}

/// Sorts messages by `sort`, ties broken by id in the same direction.
pub fn sort(msgs: &mut [Message], sort: Sort) {
    let cmp = |a: &Message, b: &Message| -> Ordering {
        let primary = match sort.key {
            SortKey::ReceivedAt => a.received_at.cmp(&b.received_at),
            SortKey::Size => a.size.cmp(&b.size),
            SortKey::Subject => subject::normalize(&a.subject).cmp(&subject::normalize(&b.subject)),
            SortKey::From => from_key(a).cmp(&from_key(b)),
        };
        primary.then_with(|| numeric_id(a).cmp(&numeric_id(b)))
    };
    if sort.descending {
        msgs.sort_by(|a, b| cmp(b, a));
    } else {
        msgs.sort_by(cmp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailgate_backend::{Address, BlobId, Flag, Flags, MailboxId, MailboxRole, MessageId, ThreadId};

    fn msg(id: &str, subject: &str, from: &str, received_at: i64, size: u64) -> Message {
        Message {
            id: MessageId::from(id),
            account: "a".into(),
            thread_id: ThreadId::from("1"),
            mailbox_ids: vec![MailboxId::from("10")],
            flags: Flags::default(),
            size,
            received_at,
            sent_at: None,
            message_id_header: None,
            in_reply_to: vec![],
            references: vec![],
            addresses: vec![Address { email: from.into(), name: None, kind: AddressKind::From }],
            subject: subject.into(),
            preview: String::new(),
            text_body: Some("The Quick brown fox".into()),
            html_body: None,
            headers: vec![],
            attachments: vec![],
            raw_blob: BlobId::from("x"),
        }
    }

    fn boxes() -> HashMap<String, Mailbox> {
        let mut m = HashMap::new();
        m.insert(
            "10".to_owned(),
            Mailbox {
                id: MailboxId::from("10"),
                name: "Inbox".into(),
                parent_id: None,
                role: Some(MailboxRole::Inbox),
                total: 0,
                unread: 0,
            },
        );
        m
    }

    #[test]
    fn terms_and_boolean_ops() {
        let m = msg("1", "Quarterly Report", "ann@example.com", 100, 50);
        let b = boxes();
        let t = |t: Term| SearchExpr::Term(t);
        assert!(matches(&t(Term::Text("quick".into())), &m, &b));
        assert!(matches(&t(Term::Text("REPORT".into())), &m, &b));
        assert!(matches(&t(Term::Text("ann@".into())), &m, &b));
        assert!(!matches(&t(Term::Text("zebra".into())), &m, &b));
        assert!(matches(&t(Term::From("ANN".into())), &m, &b));
        assert!(!matches(&t(Term::To("ann".into())), &m, &b));
        assert!(matches(&t(Term::Subject("quarter".into())), &m, &b));
        assert!(matches(&t(Term::InMailbox("inbox".into())), &m, &b));
        assert!(!matches(&t(Term::InMailbox("trash".into())), &m, &b));
        assert!(matches(&t(Term::Flag(Flag::Seen, false)), &m, &b));
        assert!(!matches(&t(Term::HasAttachment), &m, &b));
        assert!(matches(&t(Term::Before(101)), &m, &b));
        assert!(!matches(&t(Term::Before(100)), &m, &b));
        assert!(matches(&t(Term::After(100)), &m, &b));
        assert!(matches(&t(Term::Larger(49)), &m, &b));
        assert!(matches(&t(Term::Smaller(51)), &m, &b));
        let and = SearchExpr::And(vec![t(Term::Text("quick".into())), t(Term::Text("zebra".into()))]);
        assert!(!matches(&and, &m, &b));
        let or = SearchExpr::Or(vec![t(Term::Text("quick".into())), t(Term::Text("zebra".into()))]);
        assert!(matches(&or, &m, &b));
        assert!(!matches(&SearchExpr::Not(Box::new(or)), &m, &b));
    }

    #[test]
    fn sorting_with_id_tie_break() {
        let mut v = vec![msg("3", "Re: b", "z@x", 10, 5), msg("1", "a", "y@x", 10, 7), msg("2", "c", "x@x", 20, 6)];
        sort(&mut v, Sort { key: SortKey::ReceivedAt, descending: true });
        let ids: Vec<_> = v.iter().map(|m| m.id.as_str().to_owned()).collect();
        assert_eq!(ids, ["2", "3", "1"]);
        sort(&mut v, Sort { key: SortKey::Subject, descending: false });
        let ids: Vec<_> = v.iter().map(|m| m.id.as_str().to_owned()).collect();
        assert_eq!(ids, ["1", "3", "2"]);
        sort(&mut v, Sort { key: SortKey::From, descending: false });
        let ids: Vec<_> = v.iter().map(|m| m.id.as_str().to_owned()).collect();
        assert_eq!(ids, ["2", "1", "3"]);
        sort(&mut v, Sort { key: SortKey::Size, descending: true });
        let ids: Vec<_> = v.iter().map(|m| m.id.as_str().to_owned()).collect();
        assert_eq!(ids, ["1", "2", "3"]);
    }
}
