//! iCalendar (RFC 5545) meeting invitations for demo mail.

/// Folds a content line at 75 octets (RFC 5545 §3.1), on character boundaries.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

/// One meeting request.
pub(crate) struct Invite<'a> {
    pub uid: &'a str,
    pub summary: &'a str,
    pub organizer: (&'a str, &'a str),
    pub attendees: Vec<(&'a str, &'a str)>,
    /// Start, seconds since the epoch (UTC).
    pub start: i64,
    pub minutes: i64,
    pub stamp: i64,
    pub description: &'a str,
}

fn utc(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.format("%Y%m%dT%H%M%SZ").to_string())
        .unwrap_or_else(|| "20260105T000000Z".to_owned())
}

/// Escapes a TEXT value.
fn text(value: &str) -> String {
    value.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,").replace('\n', "\\n")
}

/// The `.ics` text (CRLF line ends) of a `METHOD:REQUEST` invitation.
pub(crate) fn ics(invite: &Invite<'_>) -> String {
    let mut out = String::new();
    let mut line = |l: String| fold(&l, &mut out);
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line("PRODID:-//Mailgate//Demo//EN".into());
    line("METHOD:REQUEST".into());
    line("BEGIN:VEVENT".into());
    line(format!("UID:{}", invite.uid));
    line(format!("DTSTAMP:{}", utc(invite.stamp)));
    line(format!("DTSTART:{}", utc(invite.start)));
    line(format!("DTEND:{}", utc(invite.start + invite.minutes * 60)));
    line(format!("SUMMARY:{}", text(invite.summary)));
    line(format!("ORGANIZER;CN=\"{}\":mailto:{}", invite.organizer.0, invite.organizer.1));
    for (name, email) in &invite.attendees {
        line(format!("ATTENDEE;CN=\"{name}\";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{email}"));
    }
    line(format!("DESCRIPTION:{}", text(invite.description)));
    line("LOCATION:Meeting room Ada / video call".into());
    line("STATUS:CONFIRMED".into());
    line("SEQUENCE:0".into());
    line("END:VEVENT".into());
    line("END:VCALENDAR".into());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_folded_and_crlf() {
        let long = "agenda item, ".repeat(40);
        let invite = Invite {
            uid: "u1@mailgate.example",
            summary: "Apollo sync; Zoë",
            organizer: ("Jane Doe", "jdoe@mailgate.example"),
            attendees: vec![("東京オフィス", "tokyo-office@example.jp")],
            start: 1_767_600_000,
            minutes: 30,
            stamp: 1_767_571_200,
            description: &long,
        };
        let text = ics(&invite);
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        assert!(text.contains("SUMMARY:Apollo sync\\; Zoë"));
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "{line}");
        }
    }
}
