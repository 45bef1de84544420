//! [`RefreshSessions`]: the refresh tokens that are live.
//!
//! A refresh token is a signed JWT naming its session (`jti`), but it works
//! only while its session is in this list: `refreshToken` takes the session
//! out and puts a new one in (rotation), `logout` takes it out. Keeping the
//! live list rather than a list of revoked ones errs on the safe side: a
//! gateway restart signs every client out of refreshing (access tokens stay
//! valid until they expire) instead of bringing revoked tokens back. The
//! list is per gateway process.

use std::collections::HashMap;
use std::sync::Mutex;

/// One live refresh session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshSession {
    /// Whose.
    pub username: String,
    /// Until when, seconds since the epoch.
    pub expires: u64,
    /// The user's password hash when they signed in: a changed or removed
    /// password ends the session.
    pub credential: String,
}

/// The most live sessions one user keeps; signing in again drops the oldest.
pub const MAX_SESSIONS_PER_USER: usize = 100;

/// The live sessions by id.
#[derive(Default)]
pub struct RefreshSessions {
    live: Mutex<HashMap<String, RefreshSession>>,
}

impl RefreshSessions {
    /// Adds a session; expired ones are dropped on the way.
    pub fn insert(&self, id: String, session: RefreshSession, now: u64) {
        let mut live = self.live.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        live.retain(|_, s| s.expires > now);
        let mut own: Vec<(u64, String)> =
            live.iter().filter(|(_, s)| s.username == session.username).map(|(k, s)| (s.expires, k.clone())).collect();
        if own.len() >= MAX_SESSIONS_PER_USER {
            own.sort();
            for (_, oldest) in own.iter().take(own.len() + 1 - MAX_SESSIONS_PER_USER) {
                live.remove(oldest);
            }
        }
        live.insert(id, session);
    }

    /// Removes and returns a live session.
    pub fn take(&self, id: &str, now: u64) -> Option<RefreshSession> {
        let mut live = self.live.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        live.remove(id).filter(|s| s.expires > now)
    }

    /// How many sessions are live.
    pub fn len(&self) -> usize {
        self.live.lock().unwrap_or_else(std::sync::PoisonError::into_inner).len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn one_user_keeps_at_most_the_cap_and_loses_the_oldest() {
        let sessions = RefreshSessions::default();
        let session =
            |user: &str, expires| RefreshSession { username: user.into(), expires, credential: String::new() };
        for i in 0..(MAX_SESSIONS_PER_USER as u64 + 5) {
            sessions.insert(format!("ann-{i}"), session("ann", 1_000 + i), 0);
        }
        sessions.insert("bob-0".into(), session("bob", 1_000), 0);
        assert_eq!(sessions.len(), MAX_SESSIONS_PER_USER + 1);
        assert!(sessions.take("ann-0", 0).is_none(), "the oldest went");
        assert!(sessions.take(&format!("ann-{}", MAX_SESSIONS_PER_USER + 4), 0).is_some());
        assert!(sessions.take("bob-0", 2_000).is_none(), "expired");
    }
}
