//! The demo accounts and the people who write to them.

/// One demo user account.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DemoAccount {
    /// Login name, e.g. `alewisohn`.
    pub username: String,
    /// Human name, e.g. `Andy Lewisohn`.
    pub display_name: String,
    /// The native address, e.g. `alewisohn@mailgate.example`.
    pub address: String,
}

/// What a correspondent is, which decides the mail they send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// One of the demo accounts (index into [`ACCOUNTS`]).
    Account(usize),
    /// A person outside, writing in a language (`en`, `de`, `ja`, `ru`, `fr`, `vi`, `sv`).
    External(&'static str),
    /// A newsletter sender.
    Newsletter,
    /// A shop or service that sends receipts.
    Shop,
    /// A spammer.
    Spam,
}

/// A mail address with a display name.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Person {
    pub name: &'static str,
    pub email: &'static str,
    pub kind: Kind,
}

impl Person {
    /// The name used in greetings and sign-offs.
    pub fn first_name(&self) -> &'static str {
        self.name.split(' ').next().unwrap_or(self.name)
    }

    /// The domain of the address.
    pub fn domain(&self) -> &'static str {
        self.email.rsplit('@').next().unwrap_or("mailgate.example")
    }
}

/// The demo accounts: (username, display name).
pub(crate) const ACCOUNTS: [(&str, &str); 3] =
    [("alewisohn", "Andy Lewisohn"), ("jdoe", "Jane Doe"), ("mfisher", "Mark Fisher")];

/// The mail domain of the demo accounts.
pub(crate) const DOMAIN: &str = "mailgate.example";

const fn p(name: &'static str, email: &'static str, kind: Kind) -> Person {
    Person { name, email, kind }
}

/// Everybody in the dataset; the first three are the accounts, in [`ACCOUNTS`] order.
pub(crate) const PEOPLE: &[Person] = &[
    p("Andy Lewisohn", "alewisohn@mailgate.example", Kind::Account(0)),
    p("Jane Doe", "jdoe@mailgate.example", Kind::Account(1)),
    p("Mark Fisher", "mfisher@mailgate.example", Kind::Account(2)),
    p("José Müller", "jose.mueller@example.de", Kind::External("de")),
    p("Zoë Castellanos", "zoe@studio.example", Kind::External("en")),
    p("東京オフィス", "tokyo-office@example.jp", Kind::External("ja")),
    p("Дмитрий Иванов", "dmitri@example.ru", Kind::External("ru")),
    p("François Lefèvre", "francois@example.fr", Kind::External("fr")),
    p("Priya Raman", "priya.raman@example.com", Kind::External("en")),
    p("Carlos Mendes", "carlos@example.org", Kind::External("en")),
    p("Åsa Lindqvist", "asa@example.se", Kind::External("sv")),
    p("Nguyễn Thị Lan", "lan@example.vn", Kind::External("vi")),
    p("Omar Haddad", "omar@example.net", Kind::External("en")),
    p("Rust Weekly", "news@rustweekly.example", Kind::Newsletter),
    p("The Morning Brief", "brief@morning.example", Kind::Newsletter),
    p("Café Crème Club ☕", "club@cafe.example", Kind::Newsletter),
    p("Acme Billing", "billing@acme.example", Kind::Shop),
    p("Nordic Rail", "tickets@rail.example", Kind::Shop),
    p("Cloudy Hosting", "invoices@cloudy.example", Kind::Shop),
    p("Bücherei Online", "shop@buecher.example", Kind::Shop),
    p("Prize Department", "winner@lucky.example", Kind::Spam),
    p("Crypto Alerts", "alerts@coin.example", Kind::Spam),
    p("Привет", "privet@spam.example", Kind::Spam),
];

/// The indices into [`PEOPLE`] of one kind.
pub(crate) fn people_where(pred: impl Fn(Kind) -> bool) -> Vec<usize> {
    PEOPLE.iter().enumerate().filter(|(_, person)| pred(person.kind)).map(|(i, _)| i).collect()
}

/// The demo accounts as public values.
pub(crate) fn demo_accounts() -> Vec<DemoAccount> {
    ACCOUNTS
        .iter()
        .map(|(username, name)| DemoAccount {
            username: (*username).to_owned(),
            display_name: (*name).to_owned(),
            address: format!("{username}@{DOMAIN}"),
        })
        .collect()
}
