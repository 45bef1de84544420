//! [`ConnectionCap`]: at most N live connections per user, released when a
//! connection's [`ConnectionSlot`] is dropped (the socket closed, the event
//! stream ended), however it ends.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Open live connections per user.
#[derive(Debug)]
pub struct ConnectionCap {
    per_user: usize,
    open: Mutex<HashMap<String, usize>>,
}

/// One open connection; dropping it frees the place.
#[derive(Debug)]
pub struct ConnectionSlot {
    cap: Arc<ConnectionCap>,
    user: String,
}

impl ConnectionCap {
    /// A cap of `per_user` connections.
    pub fn new(per_user: usize) -> Arc<Self> {
        Arc::new(Self { per_user, open: Mutex::new(HashMap::new()) })
    }

    /// A place for one more connection of `user`, if they have one left.
    pub fn open(self: &Arc<Self>, user: &str) -> Option<ConnectionSlot> {
        let mut open = self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let count = open.entry(user.to_owned()).or_default();
        if *count >= self.per_user {
            return None;
        }
        *count += 1;
        Some(ConnectionSlot { cap: self.clone(), user: user.to_owned() })
    }

    /// How many connections `user` has open.
    pub fn open_for(&self, user: &str) -> usize {
        self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(user).copied().unwrap_or(0)
    }
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        let mut open = self.cap.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.user) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.user);
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn places_are_per_user_and_come_back_when_dropped() {
        let cap = ConnectionCap::new(2);
        let a = cap.open("ann").unwrap();
        let _b = cap.open("ann").unwrap();
        assert!(cap.open("ann").is_none());
        let _other = cap.open("bob").unwrap();
        drop(a);
        assert_eq!(cap.open_for("ann"), 1);
        assert!(cap.open("ann").is_some());
    }
}
