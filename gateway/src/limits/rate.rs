//! [`UserRateLimiter`]: a token bucket per user (governor's GCRA, keyed).
//!
//! The key is the token's username; requests without a token share one
//! bucket, so an anonymous flood cannot spend any user's budget. An operation
//! costs one token, a batch one per operation. Buckets of users who went idle
//! are dropped by [`UserRateLimiter::forget_idle`], so memory follows the
//! active users, not every user ever seen.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::num::{NonZeroU32, NonZeroUsize};
use std::time::Duration;

/// One bucket per user.
pub struct UserRateLimiter {
    limiter: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
    /// How long an empty bucket takes to fill.
    refill: Duration,
}

impl UserRateLimiter {
    /// `per_second` operations sustained, `burst` at once; `None` when
    /// `per_second` is 0 (no rate limit).
    pub fn new(per_second: u32, burst: NonZeroU32) -> Option<Self> {
        let quota = Quota::per_second(NonZeroU32::new(per_second)?).allow_burst(burst);
        let refill = Duration::from_secs_f64(f64::from(burst.get()) / f64::from(per_second));
        Some(Self { limiter: DefaultKeyedRateLimiter::dashmap(quota), clock: DefaultClock::default(), refill })
    }

    /// Takes `operations` tokens from `user`'s bucket (`None`: anonymous), or
    /// says how long to wait before asking again. A batch larger than the
    /// burst can never pass; it is told to wait a full refill, and the
    /// batch limit (which is checked first) keeps it from coming to that.
    pub fn check(&self, user: Option<&str>, operations: NonZeroUsize) -> Result<(), Duration> {
        let key = user.unwrap_or_default().to_owned();
        let n = u32::try_from(operations.get()).ok().and_then(NonZeroU32::new).unwrap_or(NonZeroU32::MAX);
        match self.limiter.check_key_n(&key, n) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(not_until)) => Err(not_until.wait_time_from(self.clock.now())),
            // Never fits; the time a full refill takes is the honest answer.
            Err(_insufficient) => Err(self.refill),
        }
    }

    /// Drops the buckets that are full again (their users have been idle
    /// long enough that forgetting them changes nothing).
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }

    /// How many users have a bucket now.
    pub fn tracked_users(&self) -> usize {
        self.limiter.len()
    }
}

/// `Retry-After` in whole seconds, never 0 (a client told 0 retries at once).
pub fn retry_after_seconds(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0 || wait.is_zero())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_user_gets_the_burst_then_waits_and_users_do_not_share_buckets() {
        let limiter = UserRateLimiter::new(1, NonZeroU32::new(3).unwrap()).unwrap();
        let one = NonZeroUsize::MIN;
        for _ in 0..3 {
            limiter.check(Some("ann"), one).unwrap();
        }
        let wait = limiter.check(Some("ann"), one).unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(1), "{wait:?}");
        // Another user, and anonymous callers, have their own buckets.
        limiter.check(Some("bob"), one).unwrap();
        limiter.check(None, NonZeroUsize::new(3).unwrap()).unwrap();
        assert!(limiter.check(None, one).is_err());
        // A batch takes one token per operation; more than the burst never fits.
        assert!(limiter.check(Some("cid"), NonZeroUsize::new(4).unwrap()).is_err());
        limiter.check(Some("cid"), NonZeroUsize::new(3).unwrap()).unwrap();
        assert_eq!(limiter.tracked_users(), 4);
    }

    #[test]
    fn zero_per_second_is_no_limit_and_retry_after_rounds_up() {
        assert!(UserRateLimiter::new(0, NonZeroU32::MIN).is_none());
        assert_eq!(retry_after_seconds(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_seconds(Duration::from_millis(1500)), 2);
        assert_eq!(retry_after_seconds(Duration::from_secs(2)), 2);
        assert_eq!(retry_after_seconds(Duration::ZERO), 1);
    }
}
