//! Turns one planned mail into raw RFC 5322 bytes with `mail-builder`.
//!
//! Boundaries, `Message-ID` and `Date` are always given explicitly:
//! mail-builder would otherwise derive them from the clock and the host name,
//! and the dataset must be the same bytes on every run.

use super::account::{Person, PEOPLE};
use super::attachment::{AttachmentKind, AttachmentSpec};
use super::body::{body, invite_description};
use super::ics::{ics, Invite};
use super::plan::{BodyKind, Mail, Style};
use mail_builder::headers::address::Address;
use mail_builder::headers::content_type::ContentType;
use mail_builder::headers::message_id::MessageId;
use mail_builder::headers::raw::Raw;
use mail_builder::mime::{BodyPart, MimePart};
use mail_builder::MessageBuilder;

fn person(index: usize) -> Person {
    PEOPLE.get(index).copied().unwrap_or(PEOPLE[0])
}

fn address(index: usize) -> Address<'static> {
    let p = person(index);
    Address::new_address(Some(p.name), p.email)
}

fn addresses(list: &[usize]) -> Address<'static> {
    if let [one] = list {
        address(*one)
    } else {
        Address::new_list(list.iter().map(|i| address(*i)).collect())
    }
}

fn boundary(mail: &Mail, level: &str) -> String {
    format!("=_mailgate_{level}_{:016x}", mail.seed)
}

fn invite_part(mail: &Mail, spec: &AttachmentSpec, start: i64, minutes: i64) -> MimePart<'static> {
    let organizer = person(mail.from);
    let attendees: Vec<(&str, &str)> = mail
        .to
        .iter()
        .chain(&mail.cc)
        .map(|i| {
            let p = person(*i);
            (p.name, p.email)
        })
        .collect();
    let summary = mail
        .subject
        .strip_prefix("Invitation: ")
        .and_then(|s| s.split(" @ ").next())
        .unwrap_or(&mail.subject)
        .to_owned();
    let uid = format!("{:016x}@mailgate.example", mail.seed);
    let mut description = invite_description(mail);
    let mut text = String::new();
    for _ in 0..64 {
        text = ics(&Invite {
            uid: &uid,
            summary: &summary,
            organizer: (organizer.name, organizer.email),
            attendees: attendees.clone(),
            start,
            minutes,
            stamp: mail.date,
            description: &description,
        });
        if text.len() >= spec.size {
            break;
        }
        description.push_str("Notes: bring the latest numbers and any open questions.\n");
    }
    let content_type = ContentType::new("text/calendar").attribute("charset", "utf-8").attribute("method", "REQUEST");
    MimePart::new(content_type, BodyPart::Text(text.into())).attachment(spec.filename.clone())
}

fn attachment_part(mail: &Mail, spec: &AttachmentSpec) -> MimePart<'static> {
    match spec.kind {
        AttachmentKind::Invite { start, minutes } => invite_part(mail, spec, start, minutes),
        _ => {
            MimePart::new(spec.content_type(), BodyPart::Binary(spec.bytes().into())).attachment(spec.filename.clone())
        }
    }
}

/// The raw message for `mails[index]`.
pub(crate) fn render(mails: &[Mail], index: usize) -> Vec<u8> {
    let Some(mail) = mails.get(index) else {
        return Vec::new();
    };
    let body_text = body(mails, mail);
    let text = MimePart::new("text/plain", body_text.text);
    let html = MimePart::new("text/html", body_text.html);
    let content = match mail.body {
        BodyKind::Plain => text,
        BodyKind::Html => html,
        BodyKind::Alternative => MimePart::new(
            ContentType::new("multipart/alternative").attribute("boundary", boundary(mail, "alt")),
            vec![text, html],
        ),
    };
    let content = if mail.attachments.is_empty() {
        content
    } else {
        let mut parts = vec![content];
        parts.extend(mail.attachments.iter().map(|a| attachment_part(mail, a)));
        MimePart::new(ContentType::new("multipart/mixed").attribute("boundary", boundary(mail, "mixed")), parts)
    };

    let mut builder = MessageBuilder::new()
        .from(address(mail.from))
        .to(addresses(&mail.to))
        .subject(mail.subject.clone())
        .date(mail.date)
        .message_id(mail.message_id.clone());
    if !mail.cc.is_empty() {
        builder = builder.cc(addresses(&mail.cc));
    }
    if let Some(parent) = mail.parent.and_then(|p| mails.get(p)) {
        builder = builder
            .in_reply_to(parent.message_id.clone())
            .references(MessageId::new_list(mail.references.iter().cloned()));
    }
    match mail.style {
        Style::Newsletter => {
            let sender = person(mail.from);
            builder = builder
                .header("List-Id", Raw::new(format!("<{}.list-id>", sender.domain())))
                .header("List-Unsubscribe", Raw::new(format!("<https://{}/unsubscribe>", sender.domain())));
        }
        Style::Spam => builder = builder.header("X-Spam-Flag", Raw::new("YES")),
        Style::Draft => builder = builder.header("X-Mailgate-Draft", Raw::new("1")),
        _ => {}
    }
    builder = builder.header("X-Mailer", Raw::new("Mailgate demo seed"));
    // Writing into a Vec cannot fail.
    builder.body(content).write_to_vec().unwrap_or_default()
}
