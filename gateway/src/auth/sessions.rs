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
}

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
