//! A program in a pseudo-terminal whose output feeds a `vt100` screen on a reader thread,
//! with timed waits on screen conditions (the same approach as tests/e2e_support).

use std::fs::File;
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::process::Command;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use expectrl::process::Process;
use expectrl::process::unix::{Signal, UnixProcess, WaitStatus};

const DSR: &[u8] = b"\x1b[6n";

struct Output {
    parser: vt100::Parser,
    bytes: usize,
    tail: Vec<u8>,
    eof: bool,
}

struct Shared {
    out: Mutex<Output>,
    changed: Condvar,
}

/// A program running in a pty.
pub struct Pty {
    proc: UnixProcess,
    writer: File,
    shared: Arc<Shared>,
}

fn size(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n).unwrap()
}

impl Pty {
    /// Starts `cmd` in a new pty of `cols`×`rows`.
    pub fn spawn(cmd: Command, cols: u16, rows: u16) -> Self {
        let mut proc = UnixProcess::spawn_command(cmd).unwrap();
        proc.set_window_size(cols, rows).unwrap();
        let writer = proc.get_raw_handle().unwrap();
        let mut reader = proc.get_raw_handle().unwrap();
        let mut answers = proc.get_raw_handle().unwrap();
        let parser = vt100::Parser::new(size(rows), size(cols), 0);
        let shared = Arc::new(Shared {
            out: Mutex::new(Output { parser, bytes: 0, tail: Vec::new(), eof: false }),
            changed: Condvar::new(),
        });
        let feed = Arc::clone(&shared);
        std::thread::spawn(move || {
            let mut buf = [0u8; 64 * 1024];
            loop {
                let n = reader.read(&mut buf).unwrap_or(0);
                let mut out = feed.out.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                if n == 0 {
                    out.eof = true;
                } else {
                    out.parser.process(&buf[..n]);
                    out.bytes += n;
                    // Answer cursor-position queries as a real terminal does.
                    let mut window = std::mem::take(&mut out.tail);
                    window.extend_from_slice(&buf[..n]);
                    let asked = window.windows(DSR.len()).filter(|w| *w == DSR).count();
                    let keep = window.len().saturating_sub(DSR.len() - 1);
                    out.tail = window.split_off(keep);
                    let (row, col) = out.parser.screen().cursor_position();
                    for _ in 0..asked {
                        let _ = write!(answers, "\x1b[{};{}R", row + 1, col + 1);
                    }
                }
                drop(out);
                feed.changed.notify_all();
                if n == 0 {
                    return;
                }
            }
        });
        Self { proc, writer, shared }
    }

    pub fn pid(&self) -> i32 {
        self.proc.pid().as_raw()
    }

    fn out(&self) -> MutexGuard<'_, Output> {
        self.shared.out.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Types bytes at the terminal in one write; returns when they were written.
    pub fn send(&mut self, bytes: impl AsRef<[u8]>) -> Instant {
        self.writer.write_all(bytes.as_ref()).unwrap();
        self.writer.flush().unwrap();
        Instant::now()
    }

    /// The screen's text now.
    pub fn screen(&self) -> String {
        self.out().parser.screen().contents()
    }

    /// Waits until `check` holds on the screen; returns when it first did (or panics
    /// with the screen after `deadline`).
    pub fn wait(&self, what: &str, deadline: Duration, check: impl Fn(&str) -> bool) -> Instant {
        let until = Instant::now() + deadline;
        let mut out = self.out();
        loop {
            if check(&out.parser.screen().contents()) {
                return Instant::now();
            }
            let now = Instant::now();
            assert!(
                now < until && !out.eof,
                "gave up waiting for {what}; the screen shows:\n{}",
                out.parser.screen().contents()
            );
            out = self.shared.changed.wait_timeout(out, until - now).unwrap_or_else(|e| e.into_inner()).0;
        }
    }

    /// Ends the program: `quit` keys first, then SIGKILL if it is still there.
    pub fn quit(mut self, keys: &[u8]) {
        let _ = self.writer.write_all(keys);
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) {
            match self.proc.status() {
                Ok(WaitStatus::StillAlive) => std::thread::sleep(Duration::from_millis(5)),
                _ => return,
            }
        }
        let _ = self.proc.kill(Signal::SIGKILL);
        let _ = self.proc.wait();
    }
}
