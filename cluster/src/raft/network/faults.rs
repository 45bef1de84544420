//! [`Faults`]: a seeded fault plan that the HTTP network consults before and
//! after every Raft RPC, for the in-process fault tests (partitions, delay,
//! drops). Production nodes run without one.
//!
//! Faults act on the sender side of real HTTP requests: a blocked link
//! fails with `Unreachable` before anything is sent; a dropped reply is sent
//! (so the receiver acts on it) and then reported as unreachable, which is
//! what a lost response looks like on a real network.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::Duration;

/// What the network does with one RPC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Send it after the delay.
    Send {
        /// Sleep this long first.
        delay: Duration,
        /// Send, then report the reply as lost.
        lose_reply: bool,
    },
    /// Do not send it: the link is cut or the request is dropped.
    Drop,
}

#[derive(Debug)]
struct State {
    blocked: BTreeSet<(u64, u64)>,
    delay: (Duration, Duration),
    drop_rate: f64,
    rng: StdRng,
}

/// A shared, seeded fault plan.
#[derive(Debug)]
pub struct Faults {
    state: Mutex<State>,
}

impl Faults {
    /// No faults yet; randomness from `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            state: Mutex::new(State {
                blocked: BTreeSet::new(),
                delay: (Duration::ZERO, Duration::ZERO),
                drop_rate: 0.0,
                rng: StdRng::seed_from_u64(seed),
            }),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        // A poisoned lock only means a test thread panicked; the plan itself is still usable.
        let mut guard = self.state.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }

    /// Cuts every link between nodes of different groups (both directions).
    pub fn partition(&self, groups: &[Vec<u64>]) {
        self.with(|s| {
            s.blocked.clear();
            for (i, a) in groups.iter().enumerate() {
                for (j, b) in groups.iter().enumerate() {
                    if i != j {
                        for x in a {
                            for y in b {
                                s.blocked.insert((*x, *y));
                            }
                        }
                    }
                }
            }
        });
    }

    /// Cuts the link between `a` and `b` (both directions), keeping other cuts.
    pub fn cut(&self, a: u64, b: u64) {
        self.with(|s| {
            s.blocked.insert((a, b));
            s.blocked.insert((b, a));
        });
    }

    /// Restores every link; delay and drops stay as set.
    pub fn heal(&self) {
        self.with(|s| s.blocked.clear());
    }

    /// Delays every RPC by a uniform random time in `min..=max`.
    pub fn set_delay(&self, min: Duration, max: Duration) {
        self.with(|s| s.delay = (min, max.max(min)));
    }

    /// Drops this fraction of RPCs (half before sending, half by losing the reply).
    pub fn set_drop_rate(&self, rate: f64) {
        self.with(|s| s.drop_rate = rate.clamp(0.0, 1.0));
    }

    /// Clears every fault.
    pub fn clear(&self) {
        self.with(|s| {
            s.blocked.clear();
            s.delay = (Duration::ZERO, Duration::ZERO);
            s.drop_rate = 0.0;
        });
    }

    /// Decides the fate of one RPC from `from` to `to`.
    pub fn decide(&self, from: u64, to: u64) -> Verdict {
        self.with(|s| {
            if s.blocked.contains(&(from, to)) {
                return Verdict::Drop;
            }
            let (min, max) = s.delay;
            let delay = if max > min { s.rng.gen_range(min..=max) } else { min };
            if s.drop_rate > 0.0 && s.rng.gen_bool(s.drop_rate) {
                if s.rng.gen_bool(0.5) {
                    return Verdict::Drop;
                }
                return Verdict::Send { delay, lose_reply: true };
            }
            Verdict::Send { delay, lose_reply: false }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bridge_partition_cuts_only_the_named_link() {
        let f = Faults::new(1);
        f.cut(1, 2);
        assert_eq!(f.decide(1, 2), Verdict::Drop);
        assert_eq!(f.decide(2, 1), Verdict::Drop);
        assert!(matches!(f.decide(1, 3), Verdict::Send { .. }));
        assert!(matches!(f.decide(3, 2), Verdict::Send { .. }));
        f.heal();
        assert!(matches!(f.decide(1, 2), Verdict::Send { .. }));
    }

    #[test]
    fn groups_are_cut_from_each_other_not_within() {
        let f = Faults::new(1);
        f.partition(&[vec![1, 2], vec![3]]);
        assert!(matches!(f.decide(1, 2), Verdict::Send { .. }));
        assert_eq!(f.decide(1, 3), Verdict::Drop);
        assert_eq!(f.decide(3, 2), Verdict::Drop);
    }
}
