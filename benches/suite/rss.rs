//! Resident memory over a scripted shift in the pty.

use std::time::{Duration, Instant};

use crate::pty::{CTRL_Q, ENTER, F2, F5, Pty};
use crate::typing::shows_queue;
use crate::{COLS, CTRL_F, Ctx, ESC, ROWS, Row, WAIT, fresh};

fn vm_rss_kb(pid: i32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The shortest time one scripted contact takes in the memory run (1,800 contacts an hour).
const LOOP_PACE: Duration = Duration::from_secs(2);

/// Answers the question on screen as a rep in a hurry would: no breather now ("Take a
/// 5-minute breather?"), yes to anything else ("a required step of the script is not
/// ticked: wrap up anyway?", "you are on a break: take a contact?").
fn answer_prompt(pty: &mut Pty) {
    pty.send(if pty.screen().contains("breather?") { "n" } else { "y" });
    pty.wait_until("the question closed", WAIT, |s| !s.contains("Please confirm"));
}

/// The contact number of the status bar's "Accepted #N" message, if shown.
fn accepted_id(screen: &str) -> Option<String> {
    let at = screen.find("Accepted #")? + "Accepted #".len();
    Some(screen[at..].chars().take_while(char::is_ascii_digit).collect())
}

pub fn rss(ctx: &mut Ctx) {
    let session = ctx.path("session.db");
    fresh(&session);
    std::fs::copy(ctx.path("full.db"), &session).unwrap();
    let mut pty = Pty::spawn(ctx.frontline(&["--db", &session.display().to_string()]), COLS, ROWS);
    pty.wait_until("the queue", WAIT, shows_queue);
    let pid = pty.pid();
    let start_rss = vm_rss_kb(pid).unwrap_or(0);
    let t0 = Instant::now();
    let mut samples: Vec<(f64, u64)> = vec![(0.0, start_rss)];
    let mut loops = 0;
    let mut stumbles = 0;
    let mut last_sample = Instant::now();
    while t0.elapsed() < Duration::from_secs(ctx.rss_seconds) {
        // One accept → note → search → wrap-up loop; a step that does not show up in time
        // (a prompt, a race with a reply) is counted and the loop starts over.
        let started = Instant::now();
        let step = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            // The contact is on screen when the status bar says it was accepted: a new number.
            let before = accepted_id(&pty.screen());
            let ready = |s: &str| accepted_id(s).is_some_and(|id| Some(id) != before) && s.contains("▶ Notes");
            pty.send(F2);
            pty.wait_until("the accepted contact (or the breather prompt)", WAIT, |s| {
                ready(s) || s.contains("Please confirm")
            });
            if pty.screen().contains("Please confirm") {
                answer_prompt(&mut pty);
                // The prompt may have come up after F2 was taken: accept only if it was not.
                if !ready(&pty.screen()) {
                    pty.send(F2);
                    pty.wait_until("the accepted contact in the notes editor", WAIT, ready);
                }
            }
            let id = accepted_id(&pty.screen()).unwrap_or_default();
            // Short enough for the editor's width, so the whole line stays in view.
            let note = format!("L{loops}: refund window explained.");
            pty.send(&note);
            pty.wait_until("the typed note", WAIT, |s| s.contains(&note));
            pty.send(CTRL_F);
            pty.send("refund wi");
            pty.wait_until("search results", WAIT, |s| s.contains("⌕ refund wi") && !s.contains("searching…"));
            pty.send(ESC);
            pty.wait_until("the cleared search", WAIT, |s| s.contains("type to search the knowledge base"));
            pty.send(F5);
            pty.wait_until("the wrap-up form", WAIT, |s| s.contains("Wrap up"));
            pty.send("refund_iss");
            pty.wait_until("the disposition", WAIT, |s| s.contains("refund_issued"));
            pty.send(ENTER);
            // This contact's own message (an earlier one may still be on the status bar), or
            // its state in the status bar once the message has gone.
            let (message, label) = (format!("#{id} resolved"), format!("resolved #{id} "));
            let resolved = |s: &str| s.contains(&message) || s.contains(&label);
            pty.wait_until("the contact resolved (or a question)", WAIT, |s| {
                resolved(s) || s.contains("Please confirm")
            });
            if !resolved(&pty.screen()) {
                answer_prompt(&mut pty);
                pty.wait_until("the contact resolved", WAIT, resolved);
            }
            // A rep's pace, not a robot's: the hour must not empty the queue of 3,001.
            std::thread::sleep(LOOP_PACE.saturating_sub(started.elapsed()));
        }));
        if step.is_err() {
            stumbles += 1;
            // Finish whatever contact is left open, so stumbles do not pile contacts up in
            // progress (each holds its record in memory, which would cloud the figure).
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                pty.send(ESC);
                pty.send(ESC);
                pty.send(F5);
                pty.wait_until("the wrap-up form", Duration::from_secs(2), |s| s.contains("Wrap up"));
                pty.send("refund_iss");
                pty.wait_until("the disposition", Duration::from_secs(2), |s| s.contains("refund_issued"));
                pty.send(ENTER);
            }));
        }
        loops += 1;
        if last_sample.elapsed() >= Duration::from_secs(5) {
            last_sample = Instant::now();
            samples.push((t0.elapsed().as_secs_f64(), vm_rss_kb(pid).unwrap_or(0)));
            eprintln!("    {:.0} s: {} kB after {loops} loops", t0.elapsed().as_secs_f64(), samples.last().unwrap().1);
        }
    }
    samples.push((t0.elapsed().as_secs_f64(), vm_rss_kb(pid).unwrap_or(0)));
    let in_progress = pty.screen().lines().find(|l| l.contains("In progress:")).map_or(0, |l| l.matches('●').count());
    pty.quit(CTRL_Q);
    fresh(&session);
    let max = samples.iter().map(|s| s.1).max().unwrap_or(0);
    let end = samples.last().map_or(0, |s| s.1);
    // Trend over the second half: least-squares slope in MB per minute.
    let half: Vec<_> = samples.iter().filter(|s| s.0 >= t0.elapsed().as_secs_f64() / 2.0).collect();
    let n = half.len() as f64;
    let (sx, sy) = half.iter().fold((0.0, 0.0), |a, s| (a.0 + s.0, a.1 + s.1 as f64 / 1024.0));
    let (mx, my) = (sx / n, sy / n);
    let (num, den) =
        half.iter().fold((0.0, 0.0), |a, s| (a.0 + (s.0 - mx) * (s.1 as f64 / 1024.0 - my), a.1 + (s.0 - mx).powi(2)));
    let slope = if den > 0.0 { num / den * 60.0 } else { 0.0 };
    let mb = |kb: u64| format!("{:.1} MB", kb as f64 / 1024.0);
    eprintln!("  rss samples (s, kB): {samples:?}");
    ctx.rows.push(Row {
        figure: format!(
            "resident memory, full scale, {} s scripted use ({loops} accept→note→search→wrap-up loops, {stumbles} restarted, {in_progress} left in progress)",
            ctx.rss_seconds
        ),
        median: format!("start {} · end {}", mb(start_rss), mb(end)),
        p99: format!("max {}", mb(max)),
        target: "≤ 50 MB, not growing".into(),
        floor: format!("trend over the second half: {slope:+.2} MB/min"),
    });
}
