//! Drives the real `frontline` binary in a pseudo-terminal: a private workspace per test,
//! a reader thread that feeds everything the program writes into a `vt100` screen (and
//! keeps the raw bytes), and waits on screen conditions with a deadline instead of sleeps.

use std::fs::File;
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use expectrl::process::Process;
pub use expectrl::process::unix::{Signal, UnixProcess, WaitStatus};

/// How long any screen condition may take before the test fails instead of hanging.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// The pty size every test starts with.
pub const COLS: u16 = 120;
pub const ROWS: u16 = 40;

pub const CTRL_C: &[u8] = b"\x03";
pub const CTRL_Q: &[u8] = b"\x11";
pub const CTRL_S: &[u8] = b"\x13";
pub const CTRL_Z: &[u8] = b"\x1a";
pub const ENTER: &[u8] = b"\r";
pub const F2: &[u8] = b"\x1bOQ";
pub const F4: &[u8] = b"\x1bOS";
pub const F5: &[u8] = b"\x1b[15~";

/// "Device status report: where is the cursor?"
const DSR: &[u8] = b"\x1b[6n";

/// A private home, data and config folder, removed when the test ends.
pub struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    pub fn new() -> Self {
        let dir = tempfile::Builder::new().prefix("frontline-e2e-").tempdir().unwrap();
        for sub in ["home", "data", "config"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        Self { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Where `--demo` keeps its workspace under this test's XDG_DATA_HOME.
    pub fn demo_db(&self) -> PathBuf {
        self.path().join("data").join("frontline").join("demo.db")
    }

    /// Sets the environment every process of this test runs with (nothing inherited but
    /// PATH, so FRONTLINE_DB or a developer's config cannot leak in).
    pub fn env(&self, cmd: &mut Command) {
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into()))
            .env("HOME", self.path().join("home"))
            .env("XDG_DATA_HOME", self.path().join("data"))
            .env("XDG_CONFIG_HOME", self.path().join("config"))
            .env("TERM", "xterm-256color")
            .env("LANG", "C.UTF-8")
            .env("SHELL", "/bin/sh")
            .current_dir(self.path());
    }

    /// `frontline ARGS` in this workspace.
    pub fn frontline(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(bin());
        cmd.args(args);
        self.env(&mut cmd);
        cmd
    }

    /// Any other program in this workspace's environment.
    pub fn command(&self, program: &str, args: &[&str]) -> Command {
        let mut cmd = Command::new(program);
        cmd.args(args);
        self.env(&mut cmd);
        cmd
    }

    /// `frontline --demo` in a pty of the standard size, with the queue on screen. The
    /// demo's bulletins are marked read first, so the start-of-shift overlay does not cover
    /// the queue (`the_shift_starts_with_unread_bulletins` covers that overlay).
    pub fn open_demo(&self) -> Pty {
        self.mark_bulletins_read();
        self.open_demo_as_is()
    }

    /// `frontline --demo` as a rep starting a shift sees it.
    pub fn open_demo_as_is(&self) -> Pty {
        let pty = Pty::spawn(self.frontline(&["--demo"]), COLS, ROWS);
        pty.wait_for_queue();
        pty
    }

    /// Creates the demo (if needed) and marks its bulletins read.
    pub fn mark_bulletins_read(&self) {
        if !self.demo_db().exists() {
            let status = self.frontline(&["demo"]).output().unwrap().status;
            assert!(status.success());
        }
        let db = rusqlite::Connection::open(self.demo_db()).unwrap();
        db.execute("UPDATE bulletins SET read_at = 1", []).unwrap();
    }

    fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open_with_flags(self.demo_db(), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap()
    }

    /// Every draft in the demo workspace: (contact id, body).
    pub fn drafts(&self) -> Vec<(i64, String)> {
        let db = self.db();
        let mut stmt = db.prepare("SELECT contact_id, body FROM drafts ORDER BY contact_id").unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
    }

    /// Whether some contact has exactly this draft.
    pub fn has_draft(&self, body: &str) -> bool {
        self.drafts().iter().any(|(_, b)| b == body)
    }

    /// The bodies of the notes saved on a contact, oldest first.
    pub fn notes_of(&self, contact: i64) -> Vec<String> {
        let db = self.db();
        let mut stmt = db.prepare("SELECT body FROM notes WHERE contact_id = ?1 ORDER BY id").unwrap();
        stmt.query_map([contact], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    }

    /// The contact the most recent note was saved on.
    pub fn last_note_contact(&self) -> i64 {
        self.db().query_row("SELECT contact_id FROM notes ORDER BY id DESC LIMIT 1", [], |r| r.get(0)).unwrap()
    }
}

/// The binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_frontline")
}

/// What the reader thread has seen so far.
struct Output {
    parser: vt100::Parser,
    bytes: Vec<u8>,
    eof: bool,
}

struct Shared {
    out: Mutex<Output>,
    changed: Condvar,
}

/// A program running in a pseudo-terminal.
pub struct Pty {
    proc: UnixProcess,
    writer: File,
    shared: Arc<Shared>,
    status: Option<WaitStatus>,
}

fn size(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n).unwrap()
}

impl Pty {
    /// Starts `cmd` in a new pty of `cols`×`rows`.
    pub fn spawn(cmd: Command, cols: u16, rows: u16) -> Self {
        let mut proc = UnixProcess::spawn_command(cmd).unwrap();
        // ptyprocess starts at 80×24; the program reads the size on every frame and gets
        // SIGWINCH, so setting it now is enough.
        proc.set_window_size(cols, rows).unwrap();
        let writer = proc.get_raw_handle().unwrap();
        let mut reader = proc.get_raw_handle().unwrap();
        let mut answers = proc.get_raw_handle().unwrap();
        let parser = vt100::Parser::new(size(rows), size(cols), 0);
        let shared = Arc::new(Shared {
            out: Mutex::new(Output { parser, bytes: Vec::new(), eof: false }),
            changed: Condvar::new(),
        });
        let feed = Arc::clone(&shared);
        std::thread::spawn(move || {
            let mut buf = [0u8; 16 * 1024];
            loop {
                // EIO once the last holder of the terminal's other end has gone.
                let n = reader.read(&mut buf).unwrap_or(0);
                let mut out = feed.out.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                if n == 0 {
                    out.eof = true;
                } else {
                    let from = out.bytes.len().saturating_sub(DSR.len() - 1);
                    out.parser.process(&buf[..n]);
                    out.bytes.extend_from_slice(&buf[..n]);
                    // Answer cursor-position queries as a real terminal does.
                    let asked = out.bytes[from..].windows(DSR.len()).filter(|w| *w == DSR).count();
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
        Self { proc, writer, shared, status: None }
    }

    pub fn pid(&self) -> i32 {
        self.proc.pid().as_raw()
    }

    fn out(&self) -> MutexGuard<'_, Output> {
        self.shared.out.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Types bytes at the terminal, all in one write.
    pub fn send(&mut self, bytes: impl AsRef<[u8]>) {
        self.send_at(bytes);
    }

    /// Like [`Pty::send`], returning the moment the bytes were written (where a latency
    /// measured by [`Pty::wait_until`] starts).
    pub fn send_at(&mut self, bytes: impl AsRef<[u8]>) -> Instant {
        self.writer.write_all(bytes.as_ref()).unwrap();
        self.writer.flush().unwrap();
        Instant::now()
    }

    /// The screen's text, rows joined with newlines.
    pub fn contents(&self) -> String {
        self.out().parser.screen().contents()
    }

    /// The screen's text (the name the benchmarks read best: `pty.screen()`).
    #[allow(dead_code)] // used by the benchmark suite (benches/suite), which shares this harness
    pub fn screen(&self) -> String {
        self.contents()
    }

    /// Everything the program wrote so far.
    pub fn bytes(&self) -> Vec<u8> {
        self.out().bytes.clone()
    }

    /// Runs `check` on the screen until it holds, or fails the test after [`DEADLINE`]
    /// (or when the terminal closes first) with `what` and the screen as it was. Returns
    /// the screen's text.
    pub fn wait_screen(&self, what: &str, check: impl Fn(&vt100::Screen) -> bool) -> String {
        self.wait_output(what, |screen, _| check(screen))
    }

    /// Like [`Pty::wait_screen`], with the raw bytes written so far too.
    pub fn wait_output(&self, what: &str, check: impl Fn(&vt100::Screen, &[u8]) -> bool) -> String {
        self.wait_within(what, DEADLINE, check).1
    }

    /// Waits until `check` holds on the screen's text, failing after `within` as
    /// [`Pty::wait_screen`] does; returns the moment it first held, checked as each chunk of
    /// output arrives (where a latency measured from [`Pty::send_at`] ends).
    #[allow(dead_code)] // used by the benchmark suite (benches/suite), which shares this harness
    pub fn wait_until(&self, what: &str, within: Duration, check: impl Fn(&str) -> bool) -> Instant {
        self.wait_within(what, within, |screen, _| check(&screen.contents())).0
    }

    /// The one waiting loop: the moment `check` held and the screen's text then.
    fn wait_within(
        &self,
        what: &str,
        within: Duration,
        check: impl Fn(&vt100::Screen, &[u8]) -> bool,
    ) -> (Instant, String) {
        let deadline = Instant::now() + within;
        let mut out = self.out();
        loop {
            if check(out.parser.screen(), &out.bytes) {
                return (Instant::now(), out.parser.screen().contents());
            }
            let now = Instant::now();
            assert!(
                now < deadline && !out.eof,
                "gave up waiting for {what} {}; the screen shows:\n{}",
                if out.eof { "(the terminal closed first)".to_string() } else { format!("after {within:?}") },
                out.parser.screen().contents()
            );
            out = self.shared.changed.wait_timeout(out, deadline - now).unwrap_or_else(|e| e.into_inner()).0;
        }
    }

    /// Waits until `text` is on screen.
    pub fn wait_text(&self, text: &str) -> String {
        self.wait_screen(&format!("{text:?} on screen"), |s| s.contents().contains(text))
    }

    /// Waits for the queue: its title says how many contacts are waiting.
    pub fn wait_for_queue(&self) -> String {
        self.wait_screen("the Queue pane with its waiting count", shows_queue)
    }

    /// Opens the selected contact with Enter and waits until the notes editor is ready
    /// for it (the placeholder, or `draft` if the contact has one).
    pub fn open_selected_contact(&mut self, draft: Option<&str>) -> String {
        self.send(ENTER);
        let expected = draft.unwrap_or("Type notes here");
        self.wait_screen(&format!("the opened contact's notes editor showing {expected:?}"), |s| {
            let c = s.contents();
            c.contains("▶ Notes") && c.contains(expected)
        })
    }

    /// Changes the pty's size. The screen model is cleared too, so a condition on the new
    /// size cannot be met by what was drawn at the old one (a resized program redraws all).
    pub fn resize(&mut self, cols: u16, rows: u16) {
        {
            let mut out = self.out();
            out.parser.set_size(size(rows), size(cols));
            out.parser.process(b"\x1b[2J\x1b[H");
        }
        self.proc.set_window_size(cols, rows).unwrap();
    }

    pub fn signal(&mut self, signal: Signal) {
        self.proc.kill(signal).unwrap();
    }

    /// Whether the program is still running (reaping it if it has ended).
    pub fn is_running(&mut self) -> bool {
        if self.status.is_some() {
            return false;
        }
        match self.proc.status().unwrap() {
            WaitStatus::StillAlive => true,
            other => {
                self.status = Some(other);
                false
            }
        }
    }

    /// Polls `waitpid` until the program has ended, failing after `within`. Returns how it
    /// ended and how long that took from the call.
    pub fn wait_exit(&mut self, within: Duration) -> (WaitStatus, Duration) {
        let start = Instant::now();
        while self.is_running() {
            assert!(
                start.elapsed() < within,
                "the program still runs {within:?} later; the screen shows:\n{}",
                self.contents()
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        (self.status.unwrap(), start.elapsed())
    }

    /// Waits until the terminal's other end has closed: every byte the program wrote has
    /// been read.
    pub fn wait_eof(&self) {
        let deadline = Instant::now() + DEADLINE;
        let mut out = self.out();
        while !out.eof {
            let now = Instant::now();
            assert!(now < deadline, "the terminal was not closed within {DEADLINE:?}");
            out = self.shared.changed.wait_timeout(out, deadline - now).unwrap_or_else(|e| e.into_inner()).0;
        }
    }

    /// Ends the program: types `keys` (its quit keys), gives it five seconds to exit, and
    /// kills it if it is still there (dropping the [`Pty`] does that).
    #[allow(dead_code)] // used by the benchmark suite (benches/suite), which shares this harness
    pub fn quit(mut self, keys: &[u8]) {
        let _ = self.writer.write_all(keys);
        let _ = self.writer.flush();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) && self.is_running() {
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Runs `f` on the screen model as it is now.
    pub fn with_screen<T>(&self, f: impl FnOnce(&vt100::Screen) -> T) -> T {
        f(self.out().parser.screen())
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        // A failed test must not leave the program behind (nor let ptyprocess spend
        // half a second on polite signals first).
        if self.is_running() {
            let _ = self.proc.kill(Signal::SIGKILL);
            let _ = self.proc.wait();
        }
    }
}

/// Whether the screen shows the Queue pane's title with its waiting count.
pub fn shows_queue(s: &vt100::Screen) -> bool {
    s.contents().lines().any(|l| l.contains("Queue ") && l.contains(" waiting"))
}

/// Whether an exit status is a normal exit with `code`.
pub fn exited(status: WaitStatus, code: i32) -> bool {
    matches!(status, WaitStatus::Exited(_, c) if c == code)
}

/// The last index of `needle` in `haystack`.
pub fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// Checks that the byte stream ends with the terminal given back: after the last sequence
/// that entered the program's modes (alternate screen, bracketed paste, hidden cursor —
/// every frame hides the cursor), it leaves the alternate screen, shows the cursor and
/// disables bracketed paste.
pub fn assert_restored(bytes: &[u8]) {
    let last_enter = [&b"\x1b[?1049h"[..], b"\x1b[?2004h", b"\x1b[?25l"]
        .iter()
        .filter_map(|s| rfind(bytes, s))
        .max()
        .expect("the program never entered the alternate screen");
    let tail = &bytes[last_enter..];
    for (seq, name) in [
        (&b"\x1b[?1049l"[..], "leave the alternate screen"),
        (b"\x1b[?25h", "show the cursor"),
        (b"\x1b[?2004l", "disable bracketed paste"),
    ] {
        assert!(
            rfind(tail, seq).is_some(),
            "after the last frame the output does not {name} ({:?}); it ends with {:?}",
            String::from_utf8_lossy(seq),
            String::from_utf8_lossy(&bytes[bytes.len().saturating_sub(300)..])
        );
    }
}

/// Fields of /proc/PID/stat after the command name: state is `[0]`, ppid `[1]`.
pub fn proc_stat(pid: i32) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    Some(rest.split_whitespace().map(str::to_string).collect())
}

/// The process state letter (R, S, T, Z…) of a pid, or None once it is gone.
pub fn proc_state(pid: i32) -> Option<char> {
    proc_stat(pid)?.first()?.chars().next()
}

/// Waits for a child of `parent` named `frontline` and returns its pid.
pub fn wait_for_child_frontline(parent: i32) -> i32 {
    let deadline = Instant::now() + DEADLINE;
    let parent = parent.to_string();
    loop {
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else { continue };
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            let is_child = proc_stat(pid).is_some_and(|f| f.get(1) == Some(&parent));
            if is_child && comm.trim() == "frontline" {
                return pid;
            }
        }
        assert!(Instant::now() < deadline, "no frontline process started under pid {parent}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Polls /proc until `pid` has ended (gone, or a zombie not yet reaped by its new parent),
/// failing after `within`; returns how long it took.
pub fn wait_gone(pid: i32, within: Duration) -> Duration {
    let start = Instant::now();
    while proc_state(pid).is_some_and(|s| s != 'Z' && s != 'X') {
        assert!(start.elapsed() < within, "pid {pid} still runs {within:?} later (state {:?})", proc_state(pid));
        std::thread::sleep(Duration::from_millis(2));
    }
    start.elapsed()
}
