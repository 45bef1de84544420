//! [`RetryPolicy`]: deadlines and the jittered exponential backoff of the cluster client.

use std::time::Duration;

/// How long and how often the client retries.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// One HTTP request's timeout (a stopped node accepts but never answers).
    pub request_timeout: Duration,
    /// Give up after this long: longer than an election (lease 0.6 s + election 0.3-0.6 s).
    pub deadline: Duration,
    /// The first backoff.
    pub first_backoff: Duration,
    /// The largest backoff.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            request_timeout: Duration::from_secs(3),
            deadline: Duration::from_secs(20),
            first_backoff: Duration::from_millis(20),
            max_backoff: Duration::from_millis(200),
        }
    }
}

impl RetryPolicy {
    /// A fresh backoff sequence.
    pub fn backoff(&self) -> Backoff {
        Backoff { next: self.first_backoff, max: self.max_backoff }
    }
}

/// Doubling delays up to a cap, each with up to 50 % random jitter so that
/// many clients do not retry in lockstep.
#[derive(Debug)]
pub struct Backoff {
    next: Duration,
    max: Duration,
}

impl Backoff {
    /// The next delay.
    pub fn next_delay(&mut self) -> Duration {
        let base = self.next;
        self.next = (self.next * 2).min(self.max);
        let jitter = rand::random::<f64>() * 0.5;
        base.mul_f64(1.0 + jitter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_bounded_jitter() {
        let policy = RetryPolicy::default();
        let mut b = policy.backoff();
        let delays: Vec<Duration> = (0..8).map(|_| b.next_delay()).collect();
        assert!(delays[0] >= Duration::from_millis(20) && delays[0] <= Duration::from_millis(30));
        for d in &delays[4..] {
            assert!(*d >= Duration::from_millis(200) && *d <= Duration::from_millis(300), "{d:?}");
        }
    }
}
