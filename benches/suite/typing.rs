//! Figures in the pty: start to the first full frame, and typing a KB search.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::pty::{CTRL_Q, Pty};
use crate::{COLS, CTRL_F, Ctx, ESC, ROWS, WAIT, fmt_ms, stats};

/// Words typed letter by letter in the pty.
const TYPED: &[&str] = &["warranty", "refund", "shipping", "exchange"];

/// The Queue pane's title with its waiting count.
pub fn shows_queue(s: &str) -> bool {
    s.lines().any(|l| l.contains("Queue ") && l.contains(" waiting"))
}

/// The status bar: the workspace name, then `│` and the focused pane's keys.
fn shows_status(s: &str, workspace: &str) -> bool {
    s.lines().any(|l| l.starts_with(&format!(" {workspace} │")))
}

/// From the spawn to the screen with the queue's waiting count and the status bar.
fn time_to_first_frame(cmd: impl Fn() -> Command, workspace: &str, quit: &[u8]) -> Duration {
    let cmd = cmd();
    let t0 = Instant::now();
    let pty = Pty::spawn(cmd, COLS, ROWS);
    let t = pty.wait_until("the queue and status bar", WAIT, |s| shows_queue(s) && shows_status(s, workspace));
    pty.quit(quit);
    t - t0
}

/// The workstation at full scale against the least a ratatui program does, run in turns
/// (minimal, full, minimal, …) so a busy neighbour weighs on both alike; the first run of
/// each is a warm-up.
pub fn first_frame(ctx: &mut Ctx) {
    let runs = ctx.runs(20);
    let full = ctx.path("full.db").display().to_string();
    let minimal = ctx.examples.join("minimal_frame");
    let (mut floor, mut samples) = (Vec::new(), Vec::new());
    for i in 0..=runs {
        if minimal.exists() {
            let plain = || {
                let mut c = Command::new(&minimal);
                ctx.env(&mut c);
                c
            };
            let d = time_to_first_frame(plain, "minimal", b"q");
            if i > 0 {
                floor.push(d);
            }
        }
        let d = time_to_first_frame(|| ctx.frontline(&["--db", &full]), "full", CTRL_Q);
        if i > 0 {
            samples.push(d);
        }
    }
    let (fm, fp) = stats(&floor);
    let (m, _) = stats(&samples);
    let floor = if floor.is_empty() {
        "minimal_frame not built (cargo build --release --example minimal_frame)".into()
    } else {
        format!("minimal ratatui frame: median {} / p99 {} → ratio {:.1}×", fmt_ms(fm), fmt_ms(fp), m / fm)
    };
    ctx.push("start to first full frame, full scale (pty, real binary)", &samples, "≤ 3 × minimal frame", floor);
}

/// Types words letter by letter in the Knowledge search box, timing each key to the
/// screen that shows the results for the new prefix (and to the echo of the letter).
fn type_search(ctx: &Ctx, db: &Path) -> (Vec<Duration>, Vec<Duration>) {
    let mut pty = Pty::spawn(ctx.frontline(&["--db", &db.display().to_string()]), COLS, ROWS);
    pty.wait_until("the queue", WAIT, shows_queue);
    pty.send(CTRL_F);
    pty.wait_until("the Knowledge pane focused", WAIT, |s| s.contains("▶ Knowledge"));
    let mut results = Vec::new();
    let mut echoes = Vec::new();
    let rounds = if ctx.quick { 1 } else { 3 };
    for _ in 0..rounds {
        for word in TYPED {
            for k in 1..=word.len() {
                let prefix = format!("⌕ {}", &word[..k]);
                let t0 = pty.send_at(&word[k - 1..k]);
                let echo = pty.wait_until("the typed letter", WAIT, |s| s.contains(&prefix));
                let done = pty.wait_until("the results for the prefix", WAIT, |s| {
                    s.contains(&prefix) && !s.contains("searching…")
                });
                echoes.push(echo - t0);
                results.push(done - t0);
            }
            pty.send(ESC);
            pty.wait_until("the cleared search box", WAIT, |s| s.contains("type to search the knowledge base"));
        }
    }
    pty.quit(CTRL_Q);
    (results, echoes)
}

pub fn keystroke(ctx: &mut Ctx) {
    let (results, echoes) = type_search(ctx, &ctx.path("full.db"));
    let (em, ep) = stats(&echoes);
    ctx.push(
        "keystroke → screen with results, KB search, 20k articles (pty)",
        &results,
        "p99 ≤ 16 ms",
        format!("letter echoed: median {} / p99 {}", fmt_ms(em), fmt_ms(ep)),
    );
    let (results, echoes) = type_search(ctx, &ctx.path("stress.db"));
    let (em, ep) = stats(&echoes);
    ctx.push(
        "keystroke → screen with results, 100k articles (pty)",
        &results,
        "UI never stalls",
        format!("letter echoed: median {} / p99 {}", fmt_ms(em), fmt_ms(ep)),
    );
}
