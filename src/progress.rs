//! Progress bars for long imports and exports: a bar with counts on stderr when stderr is a
//! terminal and the job is large, and nothing at all otherwise (pipes, CI, tests, the TUI).
//! Importers and exporters only see the [`Progress`] trait, so the library stays free of
//! terminal checks and existing callers pass [`Quiet`].

use std::cell::RefCell;
use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Jobs with more items than this get a bar; smaller ones finish before a bar would help.
pub const THRESHOLD: u64 = 500;

/// What a long job reports as it goes. A job calls [`Progress::start`] once it knows how
/// many items a phase has (e.g. "checking", then "writing"), [`Progress::inc`] per item and
/// [`Progress::finish`] at the end.
pub trait Progress {
    /// A phase of `total` items begins.
    fn start(&self, phase: &str, total: u64);
    /// One more item of the current phase is done.
    fn inc(&self);
    /// The job is over: remove the bar.
    fn finish(&self);
}

/// Reports nothing: for tests, the demo and any caller without a terminal.
#[derive(Debug, Clone, Copy, Default)]
pub struct Quiet;

impl Progress for Quiet {
    fn start(&self, _phase: &str, _total: u64) {}
    fn inc(&self) {}
    fn finish(&self) {}
}

/// A bar on stderr for one phase of `total` items, or a hidden one when stderr is not a
/// terminal or the job is small (`total` ≤ [`THRESHOLD`]).
pub fn bar(noun: &str, phase: &str, total: u64) -> ProgressBar {
    if total <= THRESHOLD || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("{msg:>20} [{bar:30}] {human_pos}/{human_len} ({eta})")
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_message(format!("{phase} {noun}"));
    bar
}

/// A [`Progress`] that draws [`bar`]s on stderr for a command-line job about `noun`
/// ("customers", "articles"); quiet when stderr is not a terminal.
#[derive(Debug)]
pub struct Terminal {
    noun: String,
    current: RefCell<Option<ProgressBar>>,
}

impl Terminal {
    /// A progress reporter for a job about `noun`.
    pub fn new(noun: &str) -> Self {
        Self { noun: noun.to_string(), current: RefCell::new(None) }
    }
}

impl Progress for Terminal {
    fn start(&self, phase: &str, total: u64) {
        // Clear the last phase's bar before the next one draws on the same line.
        self.finish();
        self.current.replace(Some(bar(&self.noun, phase, total)));
    }

    fn inc(&self) {
        if let Some(bar) = self.current.borrow().as_ref() {
            bar.inc(1);
        }
    }

    fn finish(&self) {
        if let Some(bar) = self.current.take() {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        // An error mid-job must not leave a half-drawn bar above the error line.
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_jobs_get_a_hidden_bar() {
        assert!(bar("customers", "writing", 10).is_hidden());
        assert!(bar("customers", "writing", THRESHOLD).is_hidden());
    }

    #[test]
    fn a_terminal_reporter_counts_and_clears() {
        let p = Terminal::new("customers");
        p.start("checking", 3);
        p.inc();
        p.inc();
        assert_eq!(p.current.borrow().as_ref().map(ProgressBar::position), Some(2));
        p.finish();
        assert!(p.current.borrow().is_none());
    }
}
