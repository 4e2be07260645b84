#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Frontline's benchmark suite (issue 7): every figure next to its target and the floor it
//! cannot beat, measured in the same run. Run it with `benches/run.sh` (which builds the
//! data first) or, with the data in place:
//!
//! ```sh
//! cargo bench --bench suite -- --data /tmp/frontline-bench [--only NAME,NAME] [--rss-seconds 300] [--html-budget 30]
//! ```
//!
//! `--data DIR` must hold `full.db` and `stress.db`, and for their figures `kb100k/`,
//! `contacts.csv` and `maildir/`, as made by `examples/generate.rs` (see `benches/run.sh`).
//! Figures: first_frame, keystroke, sync_typing, kb20k, kb100k, queue, redraw, draft, html,
//! report, import_contacts, import_kb, maildir, rss. Nothing here runs under `cargo test`.

// The pty harness the integration tests use (tests/it/e2e_support): one copy for both.
#[allow(dead_code)]
#[path = "../../tests/it/e2e_support/mod.rs"]
mod pty;

mod busy;
mod html;
mod queries;
mod rss;
mod typing;
mod wall;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use frontline::store;

/// The pty size of every pty figure.
const COLS: u16 = 200;
const ROWS: u16 = 60;
const CTRL_F: &[u8] = b"\x06";
const ESC: &[u8] = b"\x1b";
/// How long any screen condition may take before the figure fails instead of hanging.
const WAIT: Duration = Duration::from_secs(10);

/// A figure's name (for `--only`) and the function that measures it.
type Figure = (&'static str, fn(&mut Ctx));

struct Ctx {
    data: PathBuf,
    bin: PathBuf,
    examples: PathBuf,
    home: PathBuf,
    quick: bool,
    rss_seconds: u64,
    import_timeout: Duration,
    /// A hostile HTML size predicted to take longer than this is skipped (see html.rs).
    html_budget: Duration,
    rows: Vec<Row>,
}

struct Row {
    figure: String,
    median: String,
    p99: String,
    target: String,
    floor: String,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Median and p99 (nearest rank) in milliseconds.
fn stats(samples: &[Duration]) -> (f64, f64) {
    let mut v: Vec<f64> = samples.iter().map(|d| ms(*d)).collect();
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let rank = |q: f64| v[((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
    (rank(0.5), rank(0.99))
}

fn mean(samples: &[Duration]) -> f64 {
    samples.iter().map(|d| ms(*d)).sum::<f64>() / samples.len().max(1) as f64
}

fn fmt_ms(v: f64) -> String {
    if v.is_nan() {
        "—".into()
    } else if v >= 1000.0 {
        format!("{:.2} s", v / 1000.0)
    } else if v >= 10.0 {
        format!("{v:.1} ms")
    } else {
        format!("{v:.3} ms")
    }
}

impl Ctx {
    fn push(&mut self, figure: &str, samples: &[Duration], target: &str, floor: String) {
        let (median, p99) = stats(samples);
        let row = Row {
            figure: figure.to_string(),
            median: fmt_ms(median),
            p99: fmt_ms(p99),
            target: target.to_string(),
            floor,
        };
        eprintln!("  {} | {} | {} | {} | {}", row.figure, row.median, row.p99, row.target, row.floor);
        self.rows.push(row);
    }

    fn runs(&self, full: usize) -> usize {
        if self.quick { (full / 5).max(3) } else { full }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.data.join(name)
    }

    /// `frontline ARGS` with a private home, so no user config, logs or workspace leak in.
    fn frontline(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.args(args);
        self.env(&mut cmd);
        cmd
    }

    fn env(&self, cmd: &mut Command) {
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into()))
            .env("HOME", self.home.join("home"))
            .env("XDG_DATA_HOME", self.home.join("data"))
            .env("XDG_CONFIG_HOME", self.home.join("config"))
            .env("XDG_STATE_HOME", self.home.join("state"))
            .env("TERM", "xterm-256color")
            .env("LANG", "C.UTF-8");
    }
}

fn main() {
    let mut data = PathBuf::from("/tmp/frontline-bench");
    let mut only: Option<Vec<String>> = None;
    let mut quick = false;
    let mut rss_seconds = 300;
    let mut import_timeout = 600;
    let mut html_budget = 30;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--data" => data = it.next().expect("--data DIR").into(),
            "--only" => only = Some(it.next().expect("--only A,B").split(',').map(str::to_string).collect()),
            "--quick" => quick = true,
            "--rss-seconds" => rss_seconds = it.next().expect("--rss-seconds N").parse().expect("seconds"),
            "--import-timeout" => import_timeout = it.next().expect("--import-timeout N").parse().expect("seconds"),
            "--html-budget" => html_budget = it.next().expect("--html-budget N").parse().expect("seconds"),
            "--bench" => {} // cargo bench passes it
            other => panic!("unknown argument {other}"),
        }
    }
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_frontline"));
    let examples = bin.parent().unwrap().join("examples");
    let home = data.join("home");
    for sub in ["home", "data", "config", "state"] {
        std::fs::create_dir_all(home.join(sub)).unwrap();
    }
    let mut ctx = Ctx {
        data,
        bin,
        examples,
        home,
        quick,
        rss_seconds,
        import_timeout: Duration::from_secs(import_timeout),
        html_budget: Duration::from_secs(html_budget),
        rows: Vec::new(),
    };
    for need in ["full.db", "stress.db"] {
        assert!(ctx.path(need).exists(), "{} missing: run benches/run.sh", ctx.path(need).display());
    }
    // Bring the generated files to this build's schema (as the binary does on open).
    for db in ["full.db", "stress.db"] {
        drop(store::open_workspace(&ctx.path(db)).unwrap());
    }
    eprintln!("sqlite3 shell {} (the app bundles SQLite {})", queries::shell_version(), rusqlite::version());
    let wanted = |name: &str| only.as_ref().is_none_or(|o| o.iter().any(|n| n == name));
    let figures: &[Figure] = &[
        ("first_frame", typing::first_frame),
        ("keystroke", typing::keystroke),
        ("sync_typing", busy::typing_during_sync),
        ("kb20k", queries::kb20k),
        ("kb100k", queries::kb100k),
        ("queue", queries::queue),
        ("redraw", queries::redraw),
        ("draft", queries::draft),
        ("html", html::to_text),
        ("report", wall::report),
        ("import_contacts", wall::import_contacts),
        ("import_kb", wall::import_kb),
        ("maildir", wall::maildir),
        ("rss", rss::rss),
    ];
    for (name, f) in figures {
        if wanted(name) {
            eprintln!("== {name}");
            f(&mut ctx);
        }
    }
    println!("\n| figure | median | p99 | target | floor (same run) |\n|---|---|---|---|---|");
    for r in &ctx.rows {
        println!("| {} | {} | {} | {} | {} |", r.figure, r.median, r.p99, r.target, r.floor);
    }
}

/// Removes a workspace file with its WAL and shared-memory files.
fn fresh(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}
