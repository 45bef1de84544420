//! The demo's legacy mailbox: `andy.lewisohn@postlight.com` on the embedded
//! Zimbra simulator, so that the original platform plan's seed query
//! (`messageId: "6483969"`) runs verbatim against `mailgate demo`.
//!
//! Like the rest of the dataset, every byte is fixed: explicit boundaries,
//! dates and Message-IDs, never the clock.

use super::pdf::pdf;
use super::png::png;
use mail_builder::headers::content_type::ContentType;
use mail_builder::mime::{BodyPart, MimePart};
use mail_builder::MessageBuilder;

/// The Zimbra account (and the name of alewisohn's second source).
pub const ZIMBRA_ACCOUNT: &str = "andy.lewisohn@postlight.com";

/// The item id the seed query asks for; the mailbox's item counter starts
/// there, as in a Zimbra mailbox with a long history.
pub const SEED_ITEM_ID: u32 = 6_483_969;

/// One message for the simulator, in delivery order.
#[derive(Debug, Clone)]
pub struct ZimbraDemoMessage {
    /// The raw RFC 5322 message.
    pub raw: Vec<u8>,
    /// Whether it goes to Sent (else Inbox).
    pub sent: bool,
    /// Whether it is unread.
    pub unread: bool,
    /// Arrival, milliseconds since the epoch.
    pub date: i64,
}

/// 2025-06-02T09:00:00Z: this mailbox predates the native one.
const BASE_MS: i64 = 1_748_854_800_000;
const HOUR_MS: i64 = 3_600_000;

/// The mailbox's messages; the first one becomes item [`SEED_ITEM_ID`] and
/// carries two attachments.
pub fn zimbra_messages() -> Vec<ZimbraDemoMessage> {
    let mut out = vec![ZimbraDemoMessage { raw: seed_item(), sent: false, unread: false, date: BASE_MS }];
    let topics = [
        ("Celina Khalife", "celina@postlight.com", "Zimbra GraphQL: resolver review"),
        ("Gina Trapani", "gina@postlight.com", "Design sync moved to Thursday"),
        ("Matt Quinn", "matt@postlight.com", "Re: Zimbra GraphQL: resolver review"),
        ("Paul Ford", "paul@postlight.com", "Quarterly all-hands notes"),
        ("Rich Ziade", "rich@postlight.com", "Client dinner — Wednesday?"),
        ("Łukasz Nowak", "lukasz@example.pl", "Übersetzung der Oberfläche"),
    ];
    for (i, (name, email, subject)) in topics.iter().enumerate() {
        let n = i as i64 + 1;
        let date = BASE_MS + n * 5 * HOUR_MS;
        let text = format!("Hi Andy,\n\n{subject}: details below.\n\nThanks,\n{name}\n");
        let raw = MessageBuilder::new()
            .from((*name, *email))
            .to(("Andy Lewisohn", ZIMBRA_ACCOUNT))
            .subject(*subject)
            .date(date / 1000)
            .message_id(format!("zimbra-demo-{n}@postlight.com"))
            .body(MimePart::new(
                ContentType::new("text/plain").attribute("charset", "utf-8"),
                BodyPart::Text(text.into()),
            ))
            .write_to_vec()
            .unwrap_or_default();
        out.push(ZimbraDemoMessage { raw, sent: false, unread: i % 3 == 0, date });
    }
    let raw = MessageBuilder::new()
        .from(("Andy Lewisohn", ZIMBRA_ACCOUNT))
        .to(("Celina Khalife", "celina@postlight.com"))
        .subject("Re: Zimbra GraphQL: resolver review")
        .date((BASE_MS + 40 * HOUR_MS) / 1000)
        .message_id("zimbra-demo-sent-1@postlight.com")
        .body(MimePart::new(
            ContentType::new("text/plain").attribute("charset", "utf-8"),
            BodyPart::Text("Looks good to me; ship it.\n".into()),
        ))
        .write_to_vec()
        .unwrap_or_default();
    out.push(ZimbraDemoMessage { raw, sent: true, unread: false, date: BASE_MS + 40 * HOUR_MS });
    out
}

/// Item 6483969: a message with HTML and text bodies and two attachments.
fn seed_item() -> Vec<u8> {
    let lines = ["Postlight / Mailgate".to_owned(), "Statement of work, phase 2".to_owned()];
    let alternative = MimePart::new(
        ContentType::new("multipart/alternative").attribute("boundary", "=_zimbra_seed_alt"),
        vec![
            MimePart::new(
                ContentType::new("text/plain").attribute("charset", "utf-8"),
                BodyPart::Text("Andy,\n\nAttached are the signed SOW and the architecture sketch.\n\n— José\n".into()),
            ),
            MimePart::new(
                ContentType::new("text/html").attribute("charset", "utf-8"),
                BodyPart::Text(
                    "<p>Andy,</p><p>Attached are the <b>signed SOW</b> and the architecture sketch.</p><p>— José</p>"
                        .into(),
                ),
            ),
        ],
    );
    let parts = vec![
        alternative,
        MimePart::new(ContentType::new("application/pdf"), BodyPart::Binary(pdf(24 * 1024, &lines).into()))
            .attachment("SOW-phase-2.pdf"),
        MimePart::new(ContentType::new("image/png"), BodyPart::Binary(png(48 * 1024, 6_483_969).into()))
            .attachment("architecture-sketch.png"),
    ];
    MessageBuilder::new()
        .from(("José Müller", "jose.mueller@example.de"))
        .to(("Andy Lewisohn", ZIMBRA_ACCOUNT))
        .cc(("Celina Khalife", "celina@postlight.com"))
        .subject("Signed SOW and architecture sketch")
        .date(BASE_MS / 1000)
        .message_id("sow-phase-2@example.de")
        .body(MimePart::new(ContentType::new("multipart/mixed").attribute("boundary", "=_zimbra_seed_mixed"), parts))
        .write_to_vec()
        .unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn seed_item_parses_with_two_attachments_and_is_stable() {
        let messages = zimbra_messages();
        let first = mail_parser::MessageParser::default().parse(&messages[0].raw).unwrap();
        assert_eq!(first.attachment_count(), 2);
        assert_eq!(first.from().unwrap().first().unwrap().name(), Some("José Müller"));
        assert_eq!(zimbra_messages()[0].raw, messages[0].raw, "not deterministic");
        assert!(messages.iter().any(|m| m.sent) && messages.iter().any(|m| m.unread));
    }
}
