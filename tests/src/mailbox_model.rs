//! The sequential model of one mailbox for the linearizability checker, and
//! a thread-safe recorder of client histories.
//!
//! Clients import messages with unique tags (the subject), set or clear the
//! seen flag of messages they imported, and read the whole mailbox. The
//! model is the map tag → seen.

use crate::lincheck::{Model, Op};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

/// One mailbox: tag → seen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Mailbox(pub BTreeMap<String, bool>);

/// What a client did.
#[derive(Debug, Clone)]
pub enum MbInput {
    /// Import a message tagged so.
    Import(String),
    /// Set (true) or clear the seen flag of the tagged message.
    SetSeen(String, bool),
    /// Read every message's tag and seen flag.
    Read,
}

/// What it got back.
#[derive(Debug, Clone)]
pub enum MbOutput {
    /// A write was acknowledged.
    Ok,
    /// A read's result.
    Read(BTreeMap<String, bool>),
}

impl Model for Mailbox {
    type Input = MbInput;
    type Output = MbOutput;

    fn step(&self, input: &MbInput, output: Option<&MbOutput>) -> Option<Self> {
        match (input, output) {
            (MbInput::Import(tag), None | Some(MbOutput::Ok)) => {
                // Each tag is imported by one operation: a second copy would be a dedup failure.
                if self.0.contains_key(tag) {
                    return None;
                }
                let mut next = self.clone();
                next.0.insert(tag.clone(), false);
                Some(next)
            }
            (MbInput::SetSeen(tag, v), None | Some(MbOutput::Ok)) => {
                let mut next = self.clone();
                *next.0.get_mut(tag)? = *v;
                Some(next)
            }
            (MbInput::Read, None) => Some(self.clone()),
            (MbInput::Read, Some(MbOutput::Read(seen))) => (seen == &self.0).then(|| self.clone()),
            _ => None,
        }
    }
}

/// A history being recorded by concurrent clients.
#[derive(Debug)]
pub struct Recorder {
    start: Instant,
    ops: Mutex<Vec<Op<MbInput, MbOutput>>>,
}

impl Default for Recorder {
    fn default() -> Self {
        Self { start: Instant::now(), ops: Mutex::new(Vec::new()) }
    }
}

impl Recorder {
    fn now(&self) -> u64 {
        self.start.elapsed().as_micros() as u64
    }

    fn ops(&self) -> std::sync::MutexGuard<'_, Vec<Op<MbInput, MbOutput>>> {
        self.ops.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records an invocation; returns its handle.
    pub fn invoke(&self, client: usize, input: MbInput) -> usize {
        let call = self.now();
        let mut ops = self.ops();
        ops.push(Op { client, input, call, ret: None });
        ops.len() - 1
    }

    /// Records a response. Never calling it leaves the operation indeterminate.
    pub fn complete(&self, handle: usize, output: MbOutput) {
        let t = self.now();
        if let Some(op) = self.ops().get_mut(handle) {
            op.ret = Some((t, output));
        }
    }

    /// The history so far.
    pub fn history(&self) -> Vec<Op<MbInput, MbOutput>> {
        self.ops().clone()
    }
}

/// What a history shows, for the test report.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Operations recorded.
    pub ops: usize,
    /// Of which indeterminate.
    pub indeterminate: usize,
    /// Acknowledged imports missing from the final read.
    pub lost_acks: Vec<String>,
}

/// Counts operations and finds acknowledged imports missing from `final_read`.
pub fn summarize(history: &[Op<MbInput, MbOutput>], final_read: &BTreeMap<String, bool>) -> Summary {
    let mut s = Summary { ops: history.len(), ..Default::default() };
    for op in history {
        match (&op.input, &op.ret) {
            (_, None) => s.indeterminate += 1,
            (MbInput::Import(tag), Some(_)) if !final_read.contains_key(tag) => s.lost_acks.push(tag.clone()),
            _ => {}
        }
    }
    s
}
