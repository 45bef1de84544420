//! The dataset plan: every mail and every per-account copy, without bodies.
//!
//! Planning is cheap (no MIME, no attachment bytes) and draws every random
//! choice from one seeded generator in a fixed order, so the plan, and with
//! it every rendered byte, is the same on every run.

use super::account::{people_where, Kind, ACCOUNTS, PEOPLE};
use super::attachment::{AttachmentKind, AttachmentSpec};
use super::folder::{APOLLO, HERMES, NEWSLETTERS, RECEIPTS};
use super::FolderRef;
use mailgate_backend::{Flag, MailboxRole};
use rand::{rngs::StdRng, Rng, SeedableRng};

/// 2026-01-05T00:00:00Z: the first day of demo mail.
pub(crate) const START: i64 = 1_767_571_200;
/// How many days of mail the demo holds.
pub(crate) const DAYS: i64 = 100;
/// The demo's "now": no mail is later.
pub(crate) const END: i64 = START + DAYS * 86_400;
const SEED: u64 = 0x6d61_696c_6761_7465; // "mailgate"

/// What a mail is, which decides its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    Personal,
    Newsletter,
    Receipt,
    Spam,
    Invite,
    Forward,
    Draft,
}

/// The MIME shape of the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyKind {
    /// `multipart/alternative` with text and HTML.
    Alternative,
    /// `text/plain` only.
    Plain,
    /// `text/html` only.
    Html,
}

/// One distinct mail (one raw message, possibly in several accounts).
#[derive(Debug, Clone)]
pub(crate) struct Mail {
    pub message_id: String,
    /// Index into [`PEOPLE`].
    pub from: usize,
    pub to: Vec<usize>,
    pub cc: Vec<usize>,
    pub subject: String,
    /// `Date:`, seconds since the epoch.
    pub date: i64,
    /// The mail this one replies to.
    pub parent: Option<usize>,
    /// `References:` ids, oldest first.
    pub references: Vec<String>,
    /// The mail this one forwards.
    pub forward_of: Option<usize>,
    pub style: Style,
    pub body: BodyKind,
    pub seed: u64,
    pub attachments: Vec<AttachmentSpec>,
}

/// One mail in one account's folder.
#[derive(Debug, Clone)]
pub(crate) struct Copy {
    pub account: usize,
    pub mail: usize,
    pub folder: FolderRef,
    pub flags: Vec<Flag>,
    pub received_at: i64,
}

/// The whole dataset, unrendered.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub mails: Vec<Mail>,
    pub copies: Vec<Copy>,
}

struct Draft {
    account: usize,
    mail: usize,
    folder: FolderRef,
    received_at: i64,
    flagged: bool,
    seen: bool,
    answered: bool,
    forwarded: bool,
}

struct Planner {
    rng: StdRng,
    mails: Vec<Mail>,
    copies: Vec<Draft>,
}

const INTERNAL_TOPICS: &[(&str, Option<&str>)] = &[
    ("Apollo launch checklist", Some(APOLLO)),
    ("Apollo: staging rollout plan", Some(APOLLO)),
    ("Apollo design review notes", Some(APOLLO)),
    ("🚀 Apollo beta feedback", Some(APOLLO)),
    ("Apollo budget for Q1", Some(APOLLO)),
    ("Hermes API review", Some(HERMES)),
    ("Hermes latency regression in eu-west", Some(HERMES)),
    ("Hermes on-call handover", Some(HERMES)),
    ("Hermes schema changes", Some(HERMES)),
    ("Q1 planning", None),
    ("Offsite logistics — Lisbon", None),
    ("Lunch on Friday?", None),
    ("Hiring: backend engineer", None),
    ("Team retro notes", None),
    ("Café meeting, über-important", None),
    ("Security training reminder", None),
    ("Quarterly numbers", None),
];

const EXTERNAL_TOPICS: &[(&str, &str)] = &[
    ("en", "Contract renewal"),
    ("en", "Question about the last invoice"),
    ("en", "Partnership proposal"),
    ("en", "Intro call next week?"),
    ("en", "Zoë's portfolio review"),
    ("de", "Grüße aus München – Angebot"),
    ("de", "Rückfrage zum Vertrag"),
    ("ja", "東京オフィスの予定について"),
    ("ja", "来週の打ち合わせ"),
    ("ru", "Привет! Встреча в марте"),
    ("ru", "Привет из Москвы"),
    ("fr", "Réunion à Paris"),
    ("fr", "Devis révisé"),
    ("sv", "Hälsningar från Göteborg"),
    ("vi", "Chào bạn – kế hoạch dự án"),
];

const SPAM_SUBJECTS: &[&str] = &[
    "You have WON a brand new phone!!!",
    "Привет! Special offer just for you",
    "Your crypto wallet is ready 💰",
    "URGENT: verify your account now",
    "Re: your invoice is overdue",
];

const BIG_FILES: &[(AttachmentKind, usize, &str)] = &[
    (AttachmentKind::Binary, 5 * 1024 * 1024, "Apollo design assets"),
    (AttachmentKind::Binary, 3 * 1024 * 1024, "Hermes load test capture"),
    (AttachmentKind::Pdf, 2_621_440, "Signed contract (scan)"),
    (AttachmentKind::Png, 2 * 1024 * 1024, "Offsite photos"),
    (AttachmentKind::Binary, 1_572_864, "Firmware image for the lab"),
];

impl Planner {
    fn account_of(person: usize) -> Option<usize> {
        match PEOPLE.get(person).map(|p| p.kind) {
            Some(Kind::Account(a)) => Some(a),
            _ => None,
        }
    }

    fn body_kind(&mut self) -> BodyKind {
        match self.rng.gen_range(0..100) {
            0..=59 => BodyKind::Alternative,
            60..=84 => BodyKind::Plain,
            _ => BodyKind::Html,
        }
    }

    fn working_time(&mut self, day: i64) -> i64 {
        START + day * 86_400 + self.rng.gen_range(7 * 3600..20 * 3600)
    }

    /// Moves a time in the night (21:00-07:00 UTC) to the next morning.
    fn waking_hours(&mut self, t: i64) -> i64 {
        let secs = t.rem_euclid(86_400);
        let morning = 7 * 3600 + self.rng.gen_range(0..2 * 3600);
        if secs < 7 * 3600 {
            t - secs + morning
        } else if secs >= 21 * 3600 {
            t - secs + 86_400 + morning
        } else {
            t
        }
    }

    fn message_id(&mut self, from: usize, date: i64) -> String {
        let domain = PEOPLE.get(from).map(|p| p.domain()).unwrap_or("mailgate.example");
        let n = self.mails.len();
        let tag: u32 = self.rng.gen();
        format!("{date:x}.{n:04}.{tag:08x}@{domain}")
    }

    /// Adds a mail and its copies: Sent for a sending account, `folder` for receiving ones.
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        from: usize,
        to: Vec<usize>,
        cc: Vec<usize>,
        subject: String,
        date: i64,
        parent: Option<usize>,
        style: Style,
        attachments: Vec<AttachmentSpec>,
        folder: FolderRef,
    ) -> usize {
        let message_id = self.message_id(from, date);
        let references = parent
            .and_then(|p| self.mails.get(p))
            .map(|p| {
                let mut refs = p.references.clone();
                refs.push(p.message_id.clone());
                refs
            })
            .unwrap_or_default();
        let body = match style {
            Style::Newsletter if self.rng.gen_bool(0.7) => BodyKind::Html,
            Style::Newsletter | Style::Invite | Style::Receipt => BodyKind::Alternative,
            _ => self.body_kind(),
        };
        let mail = Mail {
            message_id,
            from,
            to,
            cc,
            subject,
            date,
            parent,
            references,
            forward_of: None,
            style,
            body,
            seed: self.rng.gen(),
            attachments,
        };
        let index = self.mails.len();
        let mut seen_accounts = Vec::new();
        let people = std::iter::once(mail.from).chain(mail.to.iter().copied()).chain(mail.cc.iter().copied());
        for person in people {
            let Some(account) = Self::account_of(person) else {
                continue;
            };
            if seen_accounts.contains(&account) {
                continue;
            }
            seen_accounts.push(account);
            let (folder, received_at) = if style == Style::Draft {
                (FolderRef::Role(MailboxRole::Drafts), date * 1000)
            } else if person == mail.from {
                (FolderRef::Role(MailboxRole::Sent), date * 1000)
            } else {
                let delay = self.rng.gen_range(2_000..120_000);
                (folder.clone(), date * 1000 + delay)
            };
            self.copies.push(Draft {
                account,
                mail: index,
                folder,
                received_at,
                flagged: false,
                seen: false,
                answered: false,
                forwarded: false,
            });
            if style == Style::Draft {
                break;
            }
        }
        self.mails.push(mail);
        index
    }

    fn maybe_attachment(&mut self, p: f64) -> Vec<AttachmentSpec> {
        if self.rng.gen_bool(p) {
            vec![AttachmentSpec::small(&mut self.rng)]
        } else {
            Vec::new()
        }
    }

    /// A conversation: a first mail, then replies (mostly to the latest, sometimes
    /// to an earlier one), reply-all, each a little later. Returns the mail indices.
    #[allow(clippy::too_many_arguments)]
    fn thread(
        &mut self,
        first_from: usize,
        to: Vec<usize>,
        cc: Vec<usize>,
        subject: &str,
        start: i64,
        len: usize,
        folder: FolderRef,
        first_attachments: Vec<AttachmentSpec>,
    ) -> Vec<usize> {
        let mut ids = vec![self.add(
            first_from,
            to,
            cc,
            subject.to_owned(),
            start,
            None,
            Style::Personal,
            first_attachments,
            folder.clone(),
        )];
        let mut last_date = start;
        for _ in 1..len {
            let parent = if ids.len() > 1 && self.rng.gen_bool(0.2) {
                ids[self.rng.gen_range(0..ids.len() - 1)]
            } else {
                ids[ids.len() - 1]
            };
            let Some(p) = self.mails.get(parent) else {
                break;
            };
            let mut everyone: Vec<usize> =
                std::iter::once(p.from).chain(p.to.iter().copied()).chain(p.cc.iter().copied()).collect();
            unique(&mut everyone);
            let candidates: Vec<usize> = everyone.iter().copied().filter(|x| *x != p.from).collect();
            if candidates.is_empty() {
                break;
            }
            let sender = candidates[self.rng.gen_range(0..candidates.len())];
            let reply_to = p.from;
            let cc: Vec<usize> = everyone.iter().copied().filter(|x| *x != sender && *x != reply_to).collect();
            let delay = self.rng.gen_range(600..30 * 3600);
            let date = self.waking_hours(last_date + delay);
            if date > END {
                break;
            }
            last_date = date;
            let attachments = self.maybe_attachment(0.08);
            ids.push(self.add(
                sender,
                vec![reply_to],
                cc,
                format!("Re: {subject}"),
                date,
                Some(parent),
                Style::Personal,
                attachments,
                folder.clone(),
            ));
        }
        ids
    }

    fn day(&mut self) -> i64 {
        self.rng.gen_range(0..DAYS)
    }

    fn internal_threads(&mut self, count: usize) {
        let externals = people_where(|k| matches!(k, Kind::External(_)));
        for _ in 0..count {
            let (subject, project) = INTERNAL_TOPICS[self.rng.gen_range(0..INTERNAL_TOPICS.len())];
            let folder = project.map_or(FolderRef::Role(MailboxRole::Inbox), FolderRef::path);
            let from = self.rng.gen_range(0..ACCOUNTS.len());
            let others: Vec<usize> = (0..ACCOUNTS.len()).filter(|a| *a != from).collect();
            let to =
                if self.rng.gen_bool(0.5) { others.clone() } else { vec![others[self.rng.gen_range(0..others.len())]] };
            let cc = if self.rng.gen_bool(0.15) {
                vec![externals[self.rng.gen_range(0..externals.len())]]
            } else {
                Vec::new()
            };
            let day = self.day();
            let start = self.working_time(day);
            let len = self.rng.gen_range(1..=7);
            let attachments = self.maybe_attachment(0.15);
            self.thread(from, to, cc, subject, start, len, folder, attachments);
        }
    }

    fn big_file_threads(&mut self) {
        for (i, (kind, size, subject)) in BIG_FILES.iter().enumerate() {
            let from = i % ACCOUNTS.len();
            let to = vec![(i + 1) % ACCOUNTS.len()];
            let folder = if subject.starts_with("Apollo") {
                FolderRef::path(APOLLO)
            } else if subject.starts_with("Hermes") {
                FolderRef::path(HERMES)
            } else {
                FolderRef::Role(MailboxRole::Inbox)
            };
            let day = self.rng.gen_range(0..DAYS - 3);
            let start = self.working_time(day);
            let attachment = AttachmentSpec::new(*kind, *size, &mut self.rng);
            self.thread(from, to, Vec::new(), subject, start, 2, folder, vec![attachment]);
        }
    }

    fn external_threads(&mut self, per_account: usize) {
        let externals = people_where(|k| matches!(k, Kind::External(_)));
        for account in 0..ACCOUNTS.len() {
            for _ in 0..per_account {
                let ext = externals[self.rng.gen_range(0..externals.len())];
                let lang = match PEOPLE.get(ext).map(|p| p.kind) {
                    Some(Kind::External(lang)) => lang,
                    _ => "en",
                };
                let topics: Vec<&str> =
                    EXTERNAL_TOPICS.iter().filter(|(l, _)| *l == lang || *l == "en").map(|(_, s)| *s).collect();
                // Prefer the correspondent's own language when there is a topic in it.
                let native: Vec<&str> = EXTERNAL_TOPICS.iter().filter(|(l, _)| *l == lang).map(|(_, s)| *s).collect();
                let subject = if !native.is_empty() && self.rng.gen_bool(0.7) {
                    native[self.rng.gen_range(0..native.len())]
                } else {
                    topics[self.rng.gen_range(0..topics.len())]
                };
                let colleague = (account + self.rng.gen_range(1..ACCOUNTS.len())) % ACCOUNTS.len();
                let cc = if self.rng.gen_bool(0.2) { vec![colleague] } else { Vec::new() };
                let (from, to) = if self.rng.gen_bool(0.6) { (ext, vec![account]) } else { (account, vec![ext]) };
                let day = self.day();
                let start = self.working_time(day);
                let len = self.rng.gen_range(1..=5);
                let attachments = self.maybe_attachment(0.12);
                let folder = FolderRef::Role(MailboxRole::Inbox);
                self.thread(from, to, cc, subject, start, len, folder, attachments);
            }
        }
    }

    fn newsletters(&mut self) {
        let senders = people_where(|k| k == Kind::Newsletter);
        for (s, sender) in senders.iter().enumerate() {
            for week in 0..DAYS / 7 {
                let day = week * 7 + s as i64;
                let date = START + day * 86_400 + 6 * 3600 + s as i64 * 600;
                let subject = match s {
                    0 => format!("Rust Weekly #{}: async traits, faster builds", 630 + week),
                    1 => format!("The Morning Brief — week {} of 2026", week + 2),
                    _ => format!("Café Crème Club ☕ Neuigkeiten Nr. {}", week + 1),
                };
                let folder = if self.rng.gen_bool(0.8) {
                    FolderRef::path(NEWSLETTERS)
                } else {
                    FolderRef::Role(MailboxRole::Inbox)
                };
                // One issue goes to the accounts that subscribe (all of them but one, in turn).
                let to: Vec<usize> = (0..ACCOUNTS.len()).filter(|a| (a + s) % 4 != 3).collect();
                for account in to {
                    self.add(
                        *sender,
                        vec![account],
                        Vec::new(),
                        subject.clone(),
                        date,
                        None,
                        Style::Newsletter,
                        Vec::new(),
                        folder.clone(),
                    );
                }
            }
        }
    }

    fn receipts(&mut self, per_account: usize) {
        let shops = people_where(|k| k == Kind::Shop);
        for account in 0..ACCOUNTS.len() {
            for _ in 0..per_account {
                let shop = shops[self.rng.gen_range(0..shops.len())];
                let day = self.day();
                let date = self.working_time(day);
                let order: u32 = self.rng.gen_range(10_000..99_999);
                let subject = match self.rng.gen_range(0..3) {
                    0 => format!("Your receipt for order #{order}"),
                    1 => format!("Invoice {order} — payment received"),
                    _ => format!("Quittung / Receipt #{order}"),
                };
                let attachments = if self.rng.gen_bool(0.85) {
                    let size = self.rng.gen_range(1024..24 * 1024);
                    let mut pdf = AttachmentSpec::new(AttachmentKind::Pdf, size, &mut self.rng);
                    pdf.filename = format!("receipt-{order}.pdf");
                    vec![pdf]
                } else {
                    Vec::new()
                };
                let folder = if self.rng.gen_bool(0.85) {
                    FolderRef::path(RECEIPTS)
                } else {
                    FolderRef::Role(MailboxRole::Inbox)
                };
                self.add(shop, vec![account], Vec::new(), subject, date, None, Style::Receipt, attachments, folder);
            }
        }
    }

    fn spam(&mut self, per_account: usize) {
        let spammers = people_where(|k| k == Kind::Spam);
        for account in 0..ACCOUNTS.len() {
            for _ in 0..per_account {
                let from = spammers[self.rng.gen_range(0..spammers.len())];
                let subject = SPAM_SUBJECTS[self.rng.gen_range(0..SPAM_SUBJECTS.len())];
                let date = START + self.rng.gen_range(0..DAYS * 86_400);
                let attachments = if self.rng.gen_bool(0.2) {
                    let size = self.rng.gen_range(1024..8 * 1024);
                    let mut bin = AttachmentSpec::new(AttachmentKind::Binary, size, &mut self.rng);
                    bin.filename = "Invoice_8812.zip".to_owned();
                    vec![bin]
                } else {
                    Vec::new()
                };
                let folder = FolderRef::Role(MailboxRole::Junk);
                self.add(
                    from,
                    vec![account],
                    Vec::new(),
                    subject.to_owned(),
                    date,
                    None,
                    Style::Spam,
                    attachments,
                    folder,
                );
            }
        }
    }

    fn invites(&mut self, count: usize) {
        let externals = people_where(|k| matches!(k, Kind::External("en")));
        for i in 0..count {
            let (from, to) = if i % 4 == 3 {
                let ext = externals[self.rng.gen_range(0..externals.len())];
                (ext, vec![self.rng.gen_range(0..ACCOUNTS.len())])
            } else {
                let from = self.rng.gen_range(0..ACCOUNTS.len());
                (from, (0..ACCOUNTS.len()).filter(|a| *a != from).collect())
            };
            let (topic, project) = INTERNAL_TOPICS[self.rng.gen_range(0..INTERNAL_TOPICS.len())];
            let day = self.rng.gen_range(0..DAYS - 2);
            let date = self.working_time(day);
            let mut meeting_day = day + self.rng.gen_range(1..10);
            // 1970-01-01 was a Thursday: (days + 4) % 7 is 0 on Sundays, 6 on Saturdays.
            while matches!((START / 86_400 + meeting_day + 4) % 7, 0 | 6) {
                meeting_day += 1;
            }
            let start = START + meeting_day * 86_400 + self.rng.gen_range(9..17) * 3600;
            let minutes = [30, 45, 60][self.rng.gen_range(0..3)];
            let when = chrono::DateTime::from_timestamp(start, 0)
                .map(|t| t.format("%a %b %-d, %Y %H:%M UTC").to_string())
                .unwrap_or_default();
            let subject = format!("Invitation: {topic} @ {when}");
            let size = self.rng.gen_range(1024..3 * 1024);
            let invite = AttachmentSpec::new(AttachmentKind::Invite { start, minutes }, size, &mut self.rng);
            let folder = match project {
                Some(path) if self.rng.gen_bool(0.5) => FolderRef::path(path),
                _ => FolderRef::Role(MailboxRole::Inbox),
            };
            self.add(from, to, Vec::new(), subject, date, None, Style::Invite, vec![invite], folder);
        }
    }

    /// Accounts forward some received external mail to a colleague.
    fn forwards(&mut self, count: usize) {
        let candidates: Vec<(usize, usize)> = self
            .copies
            .iter()
            .filter(|c| c.folder == FolderRef::Role(MailboxRole::Inbox))
            .filter_map(|c| {
                let mail = self.mails.get(c.mail)?;
                let external = matches!(PEOPLE.get(mail.from)?.kind, Kind::External(_));
                (external && mail.style == Style::Personal && mail.date < END - 86_400).then_some((c.account, c.mail))
            })
            .collect();
        if candidates.is_empty() {
            return;
        }
        for _ in 0..count {
            let (account, original) = candidates[self.rng.gen_range(0..candidates.len())];
            let Some(orig) = self.mails.get(original) else {
                continue;
            };
            let subject = format!("Fwd: {}", orig.subject);
            let attachments = orig.attachments.clone();
            let date = orig.date + self.rng.gen_range(3600..86_400);
            let colleague = (account + self.rng.gen_range(1..ACCOUNTS.len())) % ACCOUNTS.len();
            let index = self.add(
                account,
                vec![colleague],
                Vec::new(),
                subject,
                date,
                None,
                Style::Forward,
                attachments,
                FolderRef::Role(MailboxRole::Inbox),
            );
            if let Some(mail) = self.mails.get_mut(index) {
                mail.forward_of = Some(original);
            }
        }
    }

    /// Unsent drafts: new mail, and replies begun to received mail.
    fn drafts(&mut self, per_account: usize) {
        let externals = people_where(|k| matches!(k, Kind::External(_)));
        for account in 0..ACCOUNTS.len() {
            let received: Vec<usize> = self
                .copies
                .iter()
                .filter(|c| c.account == account && c.folder == FolderRef::Role(MailboxRole::Inbox))
                .filter(|c| self.mails.get(c.mail).is_some_and(|m| m.style == Style::Personal))
                .map(|c| c.mail)
                .collect();
            for i in 0..per_account {
                let date = END - self.rng.gen_range(3600..20 * 86_400);
                if i % 2 == 0 && !received.is_empty() {
                    let parent = received[self.rng.gen_range(0..received.len())];
                    let Some(p) = self.mails.get(parent) else {
                        continue;
                    };
                    let subject =
                        if p.subject.starts_with("Re: ") { p.subject.clone() } else { format!("Re: {}", p.subject) };
                    let to = vec![p.from];
                    let date = date.max(p.date + 600);
                    self.add(
                        account,
                        to,
                        Vec::new(),
                        subject,
                        date,
                        Some(parent),
                        Style::Draft,
                        Vec::new(),
                        FolderRef::Role(MailboxRole::Drafts),
                    );
                } else {
                    let to = if self.rng.gen_bool(0.5) {
                        vec![externals[self.rng.gen_range(0..externals.len())]]
                    } else {
                        vec![(account + 1) % ACCOUNTS.len()]
                    };
                    let (topic, _) = INTERNAL_TOPICS[self.rng.gen_range(0..INTERNAL_TOPICS.len())];
                    let attachments = self.maybe_attachment(0.25);
                    self.add(
                        account,
                        to,
                        Vec::new(),
                        format!("{topic} (draft)"),
                        date,
                        None,
                        Style::Draft,
                        attachments,
                        FolderRef::Role(MailboxRole::Drafts),
                    );
                }
            }
        }
    }

    /// Flags, archiving and deleting, decided once every mail exists.
    fn finish(mut self) -> Plan {
        // Answered / forwarded: the replying account's copy of the parent.
        let mut marks: Vec<(usize, usize, bool)> = Vec::new();
        for mail in &self.mails {
            let Some(account) = Self::account_of(mail.from) else {
                continue;
            };
            if mail.style == Style::Draft {
                continue;
            }
            if let Some(parent) = mail.parent {
                marks.push((account, parent, true));
            }
            if let Some(original) = mail.forward_of {
                marks.push((account, original, false));
            }
        }
        for (account, mail, answered) in marks {
            for copy in self.copies.iter_mut().filter(|c| c.account == account && c.mail == mail) {
                if answered {
                    copy.answered = true;
                } else {
                    copy.forwarded = true;
                }
            }
        }
        let inbox = FolderRef::Role(MailboxRole::Inbox);
        let newsletters = FolderRef::path(NEWSLETTERS);
        for copy in &mut self.copies {
            let age = END * 1000 - copy.received_at;
            let old = age > 3 * 86_400_000;
            match &copy.folder {
                FolderRef::Role(MailboxRole::Sent | MailboxRole::Drafts) => copy.seen = true,
                FolderRef::Role(MailboxRole::Junk) => copy.seen = self.rng.gen_bool(0.3),
                _ => copy.seen = copy.answered || copy.forwarded || self.rng.gen_bool(if old { 0.95 } else { 0.3 }),
            }
            if !matches!(copy.folder, FolderRef::Role(MailboxRole::Junk | MailboxRole::Drafts)) {
                copy.flagged = self.rng.gen_bool(0.05);
            }
            if copy.folder == inbox && age > 45 * 86_400_000 && self.rng.gen_bool(0.35) {
                copy.folder = FolderRef::Role(MailboxRole::Archive);
            } else if (copy.folder == inbox || copy.folder == newsletters) && self.rng.gen_bool(0.04) {
                copy.folder = FolderRef::Role(MailboxRole::Trash);
                copy.seen = true;
            }
        }
        let mut copies: Vec<Copy> = self
            .copies
            .into_iter()
            .map(|c| {
                let mut flags = Vec::new();
                for (on, flag) in [
                    (c.seen, Flag::Seen),
                    (c.flagged, Flag::Flagged),
                    (c.answered, Flag::Answered),
                    (c.forwarded, Flag::Forwarded),
                    (c.folder == FolderRef::Role(MailboxRole::Drafts), Flag::Draft),
                ] {
                    if on {
                        flags.push(flag);
                    }
                }
                Copy { account: c.account, mail: c.mail, folder: c.folder, flags, received_at: c.received_at }
            })
            .collect();
        copies.sort_by_key(|c| (c.received_at, c.account, c.mail));
        Plan { mails: self.mails, copies }
    }
}

/// Removes repeated entries, keeping the first of each.
fn unique(items: &mut Vec<usize>) {
    let mut seen = Vec::with_capacity(items.len());
    items.retain(|x| {
        let new = !seen.contains(x);
        seen.push(*x);
        new
    });
}

/// Plans the demo dataset.
pub(crate) fn plan() -> Plan {
    let mut planner = Planner { rng: StdRng::seed_from_u64(SEED), mails: Vec::new(), copies: Vec::new() };
    planner.internal_threads(110);
    planner.big_file_threads();
    planner.external_threads(30);
    planner.newsletters();
    planner.receipts(24);
    planner.spam(18);
    planner.invites(28);
    planner.forwards(18);
    planner.drafts(8);
    planner.finish()
}
