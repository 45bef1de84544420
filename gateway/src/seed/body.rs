//! Message bodies: plain text and HTML, with quoting for replies and forwards.

use super::account::{Kind, Person, PEOPLE};
use super::plan::{Mail, Style};
use rand::{rngs::StdRng, Rng, SeedableRng};

/// The text and HTML renderings of one body (the MIME shape picks which are used).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Body {
    pub text: String,
    pub html: String,
}

const EN: &[&str] = &[
    "Thanks for the quick turnaround on this.",
    "I went through the numbers again and they look right to me.",
    "Can we move the sync to Thursday afternoon?",
    "The staging environment is green again after last night's fix.",
    "Let's keep the scope small for the first release.",
    "I've added my comments inline in the document.",
    "We still need a decision on the rollout order.",
    "The customer asked whether the export can run nightly.",
    "I'll be out on Monday, so please loop in Jane if anything comes up.",
    "The latency numbers improved by about 30% after the cache change.",
    "Could you double-check the budget line for contractors?",
    "I talked to legal and they are fine with the new wording.",
    "Attached is the latest version, with the open questions at the end.",
    "We should write this down in the design doc before we forget.",
    "No rush on this, end of next week is fine.",
    "I booked the large meeting room for the review.",
    "The on-call rotation for next month is in the shared calendar.",
    "Good catch, I missed that edge case completely.",
    "Let me know if the timeline works for your team.",
    "I think we can close this once the dashboard is updated.",
];

fn native(lang: &str) -> &'static [&'static str] {
    match lang {
        "de" => &[
            "Vielen Dank für die schnelle Rückmeldung.",
            "Können wir den Termin auf Donnerstag verschieben?",
            "Anbei die überarbeiteten Unterlagen – bitte kurz prüfen.",
        ],
        "ja" => &[
            "いつもお世話になっております。",
            "来週の打ち合わせの件でご連絡いたしました。",
            "資料を添付いたしますので、ご確認ください。",
        ],
        "ru" => &[
            "Спасибо за быстрый ответ.",
            "Давайте встретимся в марте.",
            "Документы во вложении, посмотрите, пожалуйста.",
        ],
        "fr" => &[
            "Merci pour votre retour rapide.",
            "Pouvons-nous décaler la réunion à jeudi ?",
            "Vous trouverez ci-joint le devis révisé.",
        ],
        "sv" => &["Tack för snabbt svar!", "Kan vi ses på torsdag?", "Hälsningar från hela teamet."],
        "vi" => &[
            "Cảm ơn bạn đã phản hồi nhanh.",
            "Chúng ta có thể gặp nhau vào thứ Năm không?",
            "Tôi gửi kèm tài liệu cập nhật.",
        ],
        _ => &[],
    }
}

fn person(index: usize) -> Person {
    PEOPLE.get(index).copied().unwrap_or(PEOPLE[0])
}

fn date_text(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.format("%a, %b %-d, %Y at %H:%M").to_string())
        .unwrap_or_default()
}

/// Escapes text for HTML.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// The mail's own paragraphs (no greeting, sign-off or quote).
fn paragraphs(mail: &Mail) -> Vec<String> {
    let mut rng = StdRng::seed_from_u64(mail.seed);
    let sender = person(mail.from);
    let mut out = Vec::new();
    if let Kind::External(lang) = sender.kind {
        let own = native(lang);
        if !own.is_empty() {
            let n = rng.gen_range(1..=own.len());
            out.push(own[..n].join(" "));
        }
    }
    let count = match mail.style {
        Style::Draft => 1,
        _ => rng.gen_range(1..=3),
    };
    for _ in 0..count {
        let sentences = rng.gen_range(2..=4);
        let picked = rand::seq::index::sample(&mut rng, EN.len(), sentences);
        let paragraph: Vec<&str> = picked.iter().map(|i| EN[i]).collect();
        out.push(paragraph.join(" "));
    }
    out
}

/// Wraps text at 72 columns on spaces (lines already short are kept).
fn wrap(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let mut width = 0;
        for (j, word) in line.split(' ').enumerate() {
            let len = word.chars().count();
            if j > 0 {
                if width + 1 + len > 72 {
                    out.push('\n');
                    width = 0;
                } else {
                    out.push(' ');
                    width += 1;
                }
            }
            out.push_str(word);
            width += len;
        }
    }
    out
}

fn signoff(sender: &Person) -> String {
    match sender.kind {
        Kind::External("ja") => format!("よろしくお願いいたします。\n{}", sender.name),
        Kind::External("de") => format!("Viele Grüße\n{}", sender.first_name()),
        Kind::External("ru") => format!("С уважением,\n{}", sender.name),
        Kind::External("fr") => format!("Cordialement,\n{}", sender.name),
        _ => format!("Best,\n{}", sender.first_name()),
    }
}

fn html_paragraphs(paragraphs: &[String]) -> String {
    paragraphs.iter().map(|p| format!("<p>{}</p>", escape(p).replace('\n', "<br>"))).collect::<Vec<_>>().join("\n")
}

fn html_page(title: &str, inner: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{}</title></head>\n<body style=\"font-family: sans-serif\">\n{inner}\n</body></html>\n",
        escape(title)
    )
}

fn personal(mails: &[Mail], mail: &Mail) -> Body {
    let sender = person(mail.from);
    let greeting = match mail.to.first().map(|p| person(*p)) {
        Some(to) => format!("Hi {},", to.first_name()),
        None => "Hi,".to_owned(),
    };
    let mut parts = vec![greeting];
    parts.extend(paragraphs(mail));
    if mail.style != Style::Draft {
        parts.push(signoff(&sender));
    }
    let mut text = parts.iter().map(|p| wrap(p)).collect::<Vec<_>>().join("\n\n");
    let mut html = html_paragraphs(&parts);

    let quoted = mail.parent.or(mail.forward_of).and_then(|i| mails.get(i));
    if let Some(original) = quoted {
        let from = person(original.from);
        let own_paragraphs = paragraphs(original);
        let own = own_paragraphs.iter().map(|p| wrap(p)).collect::<Vec<_>>().join("\n\n");
        if mail.style == Style::Forward {
            let header = format!(
                "---------- Forwarded message ---------\nFrom: {} <{}>\nDate: {}\nSubject: {}",
                from.name,
                from.email,
                date_text(original.date),
                original.subject
            );
            text.push_str(&format!("\n\n{header}\n\n{own}\n"));
            html.push_str(&format!(
                "\n<div class=\"forwarded\"><p>{}</p>\n{}</div>",
                escape(&header).replace('\n', "<br>"),
                html_paragraphs(&own_paragraphs)
            ));
        } else {
            let intro = format!("On {}, {} <{}> wrote:", date_text(original.date), from.name, from.email);
            let quote: String =
                own.lines().map(|l| if l.is_empty() { ">\n".to_owned() } else { format!("> {l}\n") }).collect();
            text.push_str(&format!("\n\n{intro}\n{quote}"));
            html.push_str(&format!(
                "\n<p>{}</p>\n<blockquote style=\"border-left: 2px solid #ccc; padding-left: 8px\">\n{}\n</blockquote>",
                escape(&intro),
                html_paragraphs(&own_paragraphs)
            ));
        }
    } else {
        text.push('\n');
    }
    Body { text, html: html_page(&mail.subject, &html) }
}

fn newsletter(mail: &Mail) -> Body {
    let mut rng = StdRng::seed_from_u64(mail.seed);
    let sender = person(mail.from);
    let mut text = format!("{}\n{}\n\n", sender.name, "=".repeat(sender.name.chars().count()));
    let mut html = format!("<h1>{}</h1>\n<ul>\n", escape(&mail.subject));
    for n in 1..=rng.gen_range(3..=6) {
        let sentence = EN[rng.gen_range(0..EN.len())];
        let url = format!("https://{}/issue/{}/{n}", sender.domain(), mail.seed % 10_000);
        text.push_str(&format!("{n}. {sentence}\n   {url}\n\n"));
        html.push_str(&format!("<li><a href=\"{url}\">{}</a></li>\n", escape(sentence)));
    }
    html.push_str("</ul>\n<p style=\"font-size: small\">You are receiving this because you subscribed. <a href=\"https://example.com/unsubscribe\">Unsubscribe</a></p>");
    text.push_str("Unsubscribe: https://example.com/unsubscribe\n");
    Body { text, html: html_page(&mail.subject, &html) }
}

fn receipt(mail: &Mail) -> Body {
    let sender = person(mail.from);
    let cents = mail.seed % 50_000 + 500;
    let amount = format!("{}.{:02} EUR", cents / 100, cents % 100);
    let note = if mail.attachments.is_empty() {
        "You can download the receipt from your account."
    } else {
        "Your receipt is attached as a PDF."
    };
    let text = format!(
        "Thank you for your purchase from {}.\n\n{}\nTotal charged: {amount}\n\n{note}\n",
        sender.name, mail.subject
    );
    let html = format!(
        "<h2>Thank you for your purchase</h2>\n<table><tr><td>{}</td><td><b>{amount}</b></td></tr></table>\n<p>{}</p>",
        escape(&mail.subject),
        escape(note)
    );
    Body { text, html: html_page(&mail.subject, &html) }
}

fn spam(mail: &Mail) -> Body {
    let text = format!(
        "Dear customer,\n\n{}\n\nClick here to claim: http://lucky.example/claim?id={}\n",
        mail.subject,
        mail.seed % 100_000
    );
    let html = format!(
        "<p style=\"color: red; font-size: 24px\">{}</p><p><a href=\"http://lucky.example/claim?id={}\">CLAIM NOW</a></p>",
        escape(&mail.subject),
        mail.seed % 100_000
    );
    Body { text, html: html_page(&mail.subject, &html) }
}

fn invite(mail: &Mail) -> Body {
    let sender = person(mail.from);
    let text = format!(
        "{} has invited you to a meeting.\n\n{}\n\nPlease reply with the calendar invitation attached.\n",
        sender.name, mail.subject
    );
    let html = format!(
        "<p><b>{}</b> has invited you to a meeting.</p>\n<p>{}</p>\n<p><a href=\"#accept\">Accept</a> · <a href=\"#decline\">Decline</a></p>",
        escape(sender.name),
        escape(&mail.subject)
    );
    Body { text, html: html_page(&mail.subject, &html) }
}

/// The body of `mails[index]`.
pub(crate) fn body(mails: &[Mail], mail: &Mail) -> Body {
    match mail.style {
        Style::Personal | Style::Forward | Style::Draft => personal(mails, mail),
        Style::Newsletter => newsletter(mail),
        Style::Receipt => receipt(mail),
        Style::Spam => spam(mail),
        Style::Invite => invite(mail),
    }
}

/// The meeting description for an invitation.
pub(crate) fn invite_description(mail: &Mail) -> String {
    let mut rng = StdRng::seed_from_u64(mail.seed ^ 0x1c5);
    let mut out = String::from("Agenda:\n");
    for n in 1..=rng.gen_range(4..=10) {
        out.push_str(&format!("{n}. {}\n", EN[rng.gen_range(0..EN.len())]));
    }
    out
}
