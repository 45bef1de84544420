//! [`Progress`]: the copy's progress bar on a terminal, periodic lines elsewhere.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// How often a line is printed when stderr is not a terminal (logs, CI).
const LINE_EVERY: Duration = Duration::from_secs(2);

/// Counts, throughput and a bar.
#[derive(Debug)]
pub struct Progress {
    bar: ProgressBar,
    lines: bool,
    started: Instant,
    last_line: Instant,
    messages: u64,
    bytes: u64,
}

impl Progress {
    /// A bar on stderr when it is a terminal, else `copy:` lines; `quiet` shows nothing.
    pub fn new(quiet: bool) -> Progress {
        let terminal = std::io::stderr().is_terminal();
        let bar = if quiet || !terminal {
            ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden())
        } else {
            ProgressBar::new(0)
        };
        bar.set_style(
            ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} messages {per_sec} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        let now = Instant::now();
        Progress { bar, lines: !quiet && !terminal, started: now, last_line: now, messages: 0, bytes: 0 }
    }

    /// The number of messages to copy (the source's total).
    pub fn set_total(&self, total: u64) {
        self.bar.set_length(total);
    }

    /// Messages already copied by an earlier run.
    pub fn skip(&self, n: u64) {
        self.bar.inc(n);
    }

    /// One message copied now.
    pub fn copied(&mut self, bytes: u64) {
        self.messages += 1;
        self.bytes += bytes;
        self.bar.inc(1);
        self.bar.set_message(format!("{:.1} MB/s", self.mb_per_second()));
        if self.lines && self.last_line.elapsed() >= LINE_EVERY {
            self.last_line = Instant::now();
            eprintln!("{}", self.line());
        }
    }

    /// Prints a message above the bar.
    pub fn println(&self, text: impl AsRef<str>) {
        if self.bar.is_hidden() {
            eprintln!("{}", text.as_ref());
        } else {
            self.bar.println(text.as_ref());
        }
    }

    /// Clears the bar; returns the summary line.
    pub fn finish(&self) -> String {
        self.bar.finish_and_clear();
        self.line()
    }

    /// Messages copied by this run.
    pub fn messages(&self) -> u64 {
        self.messages
    }

    /// Bytes copied by this run.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Seconds since the start.
    pub fn seconds(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    fn mb_per_second(&self) -> f64 {
        self.bytes as f64 / 1e6 / self.seconds().max(1e-3)
    }

    fn line(&self) -> String {
        format!(
            "copy: {}/{} messages ({} this run, {:.1} messages/s, {:.2} MB/s)",
            self.bar.position(),
            self.bar.length().unwrap_or(0),
            self.messages,
            self.messages as f64 / self.seconds().max(1e-3),
            self.mb_per_second()
        )
    }
}
