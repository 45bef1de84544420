//! A Wing-Gong-Lowe linearizability checker (with the memoization of
//! Lowe's "Testing for linearizability", 2017), small enough to read.
//!
//! A history is a list of operations with invocation and response times; an
//! operation without a response (timed out, connection lost) is
//! *indeterminate*: it may have taken effect at any time after its call, or
//! never, and its output is unknown. The checker searches for an order of
//! the operations that respects real time (an operation that returned before
//! another was called comes first) and that the sequential model accepts.
//! Run it per independent key (one mailbox), which keeps the search small.

use std::collections::HashSet;
use std::fmt::Debug;
use std::hash::Hash;

/// A sequential specification.
pub trait Model: Clone + Eq + Hash + Debug {
    /// An operation's input.
    type Input: Clone + Debug;
    /// An operation's output.
    type Output: Clone + Debug;
    /// Applies `input`; `output` is what the operation returned, or `None`
    /// when unknown. Returns the next state, or `None` if `output` is not
    /// what the model would return in this state.
    fn step(&self, input: &Self::Input, output: Option<&Self::Output>) -> Option<Self>;
}

/// One operation of a history.
#[derive(Debug, Clone)]
pub struct Op<I, O> {
    /// Which client ran it (for messages only).
    pub client: usize,
    /// What it did.
    pub input: I,
    /// When it was called (any monotonic unit).
    pub call: u64,
    /// When it returned and with what; `None` if indeterminate.
    pub ret: Option<(u64, O)>,
}

/// Why a history is not linearizable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// How many completed operations the longest linearizable prefix held.
    pub longest_prefix: usize,
    /// A description of the operations that could not be placed.
    pub detail: String,
}

/// Checks `history` against `init`. The search is bounded by `budget`
/// explored states; running out is reported as an error too (never as a pass).
pub fn check<M: Model>(init: &M, history: &[Op<M::Input, M::Output>], budget: usize) -> Result<(), Violation> {
    let n = history.len();
    let completed = history.iter().filter(|o| o.ret.is_some()).count();
    let ret_of = |i: usize| history[i].ret.as_ref().map_or(u64::MAX, |(t, _)| *t);
    // Depth-first search over (linearized set, state); `seen` memoizes dead ends.
    let mut seen: HashSet<(Vec<u64>, M)> = HashSet::new();
    let words = n.div_ceil(64);
    let mut stack: Vec<(Vec<u64>, M, usize)> = vec![(vec![0; words], init.clone(), 0)];
    let mut best = 0usize;
    let mut explored = 0usize;
    while let Some((done, state, done_completed)) = stack.pop() {
        if done_completed == completed {
            return Ok(());
        }
        best = best.max(done_completed);
        explored += 1;
        if explored > budget {
            return Err(Violation {
                longest_prefix: best,
                detail: format!("search budget of {budget} states exhausted"),
            });
        }
        let is_done = |i: usize| done[i / 64] & (1 << (i % 64)) != 0;
        // An op may go next only if no pending op returned before it was called.
        let min_ret = (0..n).filter(|i| !is_done(*i)).map(ret_of).min().unwrap_or(u64::MAX);
        for i in 0..n {
            if is_done(i) || history[i].call > min_ret {
                continue;
            }
            let op = &history[i];
            let Some(next) = state.step(&op.input, op.ret.as_ref().map(|(_, o)| o)) else { continue };
            let mut d = done.clone();
            d[i / 64] |= 1 << (i % 64);
            let key = (d, next);
            if seen.insert(key.clone()) {
                let c = done_completed + usize::from(op.ret.is_some());
                stack.push((key.0, key.1, c));
            }
        }
    }
    Err(Violation {
        longest_prefix: best,
        detail: format!("no linearization: at most {best} of {completed} completed operations could be placed"),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A register holding one integer.
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    struct Register(i64);

    #[derive(Debug, Clone)]
    enum RegOp {
        Write(i64),
        Read,
    }

    impl Model for Register {
        type Input = RegOp;
        type Output = i64;
        fn step(&self, input: &RegOp, output: Option<&i64>) -> Option<Self> {
            match input {
                RegOp::Write(v) => Some(Register(*v)),
                RegOp::Read => match output {
                    Some(v) if *v != self.0 => None,
                    _ => Some(self.clone()),
                },
            }
        }
    }

    fn op(input: RegOp, call: u64, ret: Option<(u64, i64)>) -> Op<RegOp, i64> {
        Op { client: 0, input, call, ret }
    }

    #[test]
    fn concurrent_write_and_read_may_see_either_value() {
        let h = vec![op(RegOp::Write(1), 0, Some((10, 0))), op(RegOp::Read, 1, Some((5, 1)))];
        assert!(check(&Register(0), &h, 1000).is_ok());
        let h = vec![op(RegOp::Write(1), 0, Some((10, 0))), op(RegOp::Read, 1, Some((5, 0)))];
        assert!(check(&Register(0), &h, 1000).is_ok());
    }

    #[test]
    fn stale_read_after_acknowledged_write_is_a_violation() {
        let h = vec![op(RegOp::Write(1), 0, Some((1, 0))), op(RegOp::Read, 2, Some((3, 0)))];
        assert!(check(&Register(0), &h, 1000).is_err());
    }

    #[test]
    fn read_going_back_in_time_is_a_violation() {
        let h = vec![
            op(RegOp::Write(1), 0, Some((1, 0))),
            op(RegOp::Write(2), 2, None),
            op(RegOp::Read, 3, Some((4, 2))),
            op(RegOp::Read, 5, Some((6, 1))),
        ];
        assert!(check(&Register(0), &h, 1000).is_err());
    }

    #[test]
    fn indeterminate_write_may_apply_late_or_never() {
        let h = vec![op(RegOp::Write(1), 0, None), op(RegOp::Read, 5, Some((6, 0))), op(RegOp::Read, 7, Some((8, 1)))];
        assert!(check(&Register(0), &h, 1000).is_ok());
        let h = vec![op(RegOp::Write(1), 0, None), op(RegOp::Read, 5, Some((6, 0)))];
        assert!(check(&Register(0), &h, 1000).is_ok());
    }
}
