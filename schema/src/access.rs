//! [`Scopes`]: what a token allows, and [`Need`], the guard on every root
//! field that checks it.
//!
//! Scopes are OAuth-style: `mail:read` lets an operation's query fields run,
//! `mail:write` its mutations (and includes `mail:read`), and `admin` lets a caller name another user's
//! account (`username:`). The gateway attaches the verified token's scopes to
//! the request; a request without a token has none attached, and its fields
//! answer `UNAUTHENTICATED` from the session instead. Sign-in mutations
//! (`login`, `refreshToken`, `logout`) have no guard: they are how a client
//! without a token gets one.

use crate::error::{api_error, Code};
use async_graphql::{Context, Guard, Result};

/// The scopes a verified token carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scopes {
    /// `mail:read`: queries.
    pub read: bool,
    /// `mail:write`: mutations.
    pub write: bool,
    /// `admin`: any account.
    pub admin: bool,
}

impl Scopes {
    /// `mail:read mail:write`, what a token without a scope claim gets: the
    /// caller's own mail, as before scopes existed.
    pub const USER: Scopes = Scopes { read: true, write: true, admin: false };
    /// Every scope.
    pub const ALL: Scopes = Scopes { read: true, write: true, admin: true };

    /// Parses a space-separated `scope` claim (unknown scopes are ignored:
    /// an identity provider's token may carry scopes for other services).
    pub fn parse<'a>(scopes: impl IntoIterator<Item = &'a str>) -> Scopes {
        let mut parsed = Scopes::default();
        for scope in scopes {
            match scope {
                "mail:read" => parsed.read = true,
                // Writing includes reading: a mutation's payload reads back what
                // it changed, and ids reach objects through it.
                "mail:write" => (parsed.read, parsed.write) = (true, true),
                "admin" => parsed.admin = true,
                _ => {}
            }
        }
        parsed
    }

    /// The space-separated claim for these scopes.
    pub fn claim(&self) -> String {
        let names = [(self.read, "mail:read"), (self.write, "mail:write"), (self.admin, "admin")];
        names.iter().filter(|(on, _)| *on).map(|(_, name)| *name).collect::<Vec<_>>().join(" ")
    }
}

/// The scope a root field needs.
#[derive(Debug, Clone, Copy)]
pub enum Need {
    /// A query field: `mail:read`.
    Read,
    /// A mutation: `mail:write`.
    Write,
}

impl Guard for Need {
    async fn check(&self, ctx: &Context<'_>) -> Result<()> {
        let Some(scopes) = ctx.data_opt::<Scopes>() else { return Ok(()) };
        let (granted, name) = match self {
            Need::Read => (scopes.read, "mail:read"),
            Need::Write => (scopes.write, "mail:write"),
        };
        if granted {
            Ok(())
        } else {
            Err(api_error(Code::Forbidden, format!("this token lacks the {name} scope")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse_and_print_and_ignore_other_services() {
        let scopes = Scopes::parse("openid mail:read profile admin".split(' '));
        assert_eq!(scopes, Scopes { read: true, write: false, admin: true });
        assert_eq!(scopes.claim(), "mail:read admin");
        assert_eq!(Scopes::parse(Scopes::ALL.claim().split(' ')), Scopes::ALL);
        assert_eq!(Scopes::parse([]), Scopes::default());
        assert_eq!(Scopes::parse(["mail:write"]), Scopes::USER, "writing includes reading");
    }
}
