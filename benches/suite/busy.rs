//! Typing while the workstation takes in a big Maildir (issue 14): keystroke → screen and
//! "draft saved" while the first sync of 20,000 messages runs on the jobs worker, against
//! the same typing with no sync.
//!
//! Each run starts the workstation on a fresh copy of full.db with `[intake] maildirs` set
//! to a copy of DATA/maildir, so the sync the watcher starts at once is a first sync. The
//! rep opens the top contact and types notes, a numbered line at a time, each key as soon
//! as the last one is on screen; after each line the bench waits for the Notes title to
//! say "draft saved" (the autosave writes once typing pauses for 300 ms) and presses Enter.
//! A key or a save counts as "during the sync" when it was on screen before the status bar
//! said the sync had ended ("… new contacts arrived").

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::pty::{CTRL_Q, ENTER, Pty};
use crate::typing::shows_queue;
use crate::{COLS, Ctx, ROWS, WAIT, fmt_ms, fresh, stats};

/// What the notes say, one line each (numbered, so every line is unique on screen).
const PHRASES: &[&str] = &[
    "refund window explained",
    "tent pole replaced under warranty",
    "asked for the tracking number",
    "sleeping bag zip stuck, sent guide",
    "exchange for size M agreed",
];
/// The status bar's message when a sync that took in mail ends.
const SYNC_DONE: &str = "new contacts arrived";
/// Lines typed in a run without a sync (the floor).
const FLOOR_LINES: usize = 12;
/// The longest a sync may take before the run is given up.
const SYNC_LIMIT: Duration = Duration::from_secs(300);

/// What one session measured.
#[derive(Default)]
struct Typed {
    echoes: Vec<Duration>,
    saves: Vec<Duration>,
    /// From the first frame to the status bar saying the sync ended.
    sync: Option<Duration>,
    /// The queue's title at the end ("19001 waiting"), to show the sync took mail in.
    waiting_after: String,
}

pub fn typing_during_sync(ctx: &mut Ctx) {
    let source = ctx.path("maildir");
    if !source.exists() {
        eprintln!("  skipped: {} missing", source.display());
        return;
    }
    let maildir = ctx.path("sync-maildir");
    if !maildir.exists() {
        copy_maildir(&source, &maildir);
    }
    let config = ctx.home.join("config-sync");
    std::fs::create_dir_all(config.join("frontline")).unwrap();
    let toml = format!("[intake]\nmaildirs = [{:?}]\n", maildir.display().to_string());
    std::fs::write(config.join("frontline").join("config.toml"), toml).unwrap();
    let runs = ctx.runs(5);
    let (mut busy, mut quiet) = (Typed::default(), Typed::default());
    let mut syncs = Vec::new();
    let session = ctx.path("sync-session.db");
    for run in 0..runs {
        // A fresh copy each time: the sync adds contacts and remembers the files it read.
        fresh(&session);
        std::fs::copy(ctx.path("full.db"), &session).unwrap();
        let mut cmd = ctx.frontline(&["--db", &session.display().to_string()]);
        cmd.env("XDG_CONFIG_HOME", &config);
        let t = type_notes(cmd, None);
        eprintln!(
            "    run {run}: sync {} in the workstation, {} keys and {} saves during it; then {}",
            t.sync.map_or("?".into(), |d| fmt_ms(crate::ms(d))),
            t.echoes.len(),
            t.saves.len(),
            t.waiting_after
        );
        syncs.extend(t.sync);
        busy.echoes.extend(t.echoes);
        busy.saves.extend(t.saves);
        busy.waiting_after = t.waiting_after;
        // The floor on the same copy, now synced: nothing left for the watcher to read.
        clear_drafts(&session);
        let t = type_notes(ctx.frontline(&["--db", &session.display().to_string()]), Some(FLOOR_LINES));
        quiet.echoes.extend(t.echoes);
        quiet.saves.extend(t.saves);
    }
    fresh(&session);
    report(ctx, &busy, &quiet, &syncs);
}

fn report(ctx: &mut Ctx, busy: &Typed, quiet: &Typed, syncs: &[Duration]) {
    let (em, ep) = stats(&quiet.echoes);
    let (sm, sp) = stats(&quiet.saves);
    let (ym, _) = stats(syncs);
    let during = format!(
        "first sync of a 20,000-message Maildir running (median {} in the workstation; queue then {})",
        fmt_ms(ym),
        busy.waiting_after.trim()
    );
    ctx.push(
        &format!("keystroke → screen, typing notes while the {during}, pty; {} keys", busy.echoes.len()),
        &busy.echoes,
        "p99 ≤ 16 ms",
        format!("the same typing, no sync: median {} / p99 {} ({} keys)", fmt_ms(em), fmt_ms(ep), quiet.echoes.len()),
    );
    ctx.push(
        &format!("last key → \"draft saved\" in the Notes title, during the same sync; {} saves", busy.saves.len()),
        &busy.saves,
        "≤ 1 s",
        format!(
            "no sync: median {} / p99 {} ({} saves; the autosave waits for a 300 ms pause)",
            fmt_ms(sm),
            fmt_ms(sp),
            quiet.saves.len()
        ),
    );
}

/// Runs the workstation, opens the top contact and types numbered lines of notes: until
/// the sync has ended (`lines` None), or `lines` of them.
fn type_notes(cmd: Command, lines: Option<usize>) -> Typed {
    let mut pty = Pty::spawn(cmd, COLS, ROWS);
    let shown = pty.wait_until("the queue", WAIT, shows_queue);
    pty.send(ENTER);
    pty.wait_until("the contact's notes editor", WAIT, |s| s.contains("▶ Notes") && s.contains("Type notes here"));
    let mut typed = Typed::default();
    // When a wait first saw the sync's end on the status bar (every screen a wait looks at
    // is checked, so this is late by at most the key being waited for).
    let sync_end: Cell<Option<Instant>> = Cell::new(None);
    let wait = |pty: &Pty, what: &str, check: &dyn Fn(&str) -> bool| {
        pty.wait_until(what, WAIT, |s| {
            if sync_end.get().is_none() && s.contains(SYNC_DONE) {
                sync_end.set(Some(Instant::now()));
            }
            check(s)
        })
    };
    let started = Instant::now();
    let mut n = 0;
    while lines.map_or(sync_end.get().is_none(), |l| n < l) {
        assert!(started.elapsed() < SYNC_LIMIT, "the sync did not end within {SYNC_LIMIT:?}:\n{}", pty.screen());
        let line = format!("#{n:03}: {}", PHRASES[n % PHRASES.len()]);
        // "#017: " is typed untimed: before the phrase starts, a prefix is not unique on screen.
        let anchor = line.find(' ').unwrap_or(0) + 1;
        pty.send(&line[..anchor]);
        let mut keys = Vec::new();
        for k in anchor + 1..=line.len() {
            let t0 = pty.send_at(&line[k - 1..k]);
            let at = wait(&pty, "the typed letter", &|s| s.contains(&line[..k]));
            keys.push((t0, at));
        }
        let saved = wait(&pty, "\"draft saved\"", &|s| s.contains(&line) && s.contains("draft saved"));
        // During the sync: on screen before its end was (unless there is no sync).
        let during = |at: Instant| lines.is_some() || sync_end.get().is_none_or(|e| at <= e);
        typed.echoes.extend(keys.iter().filter(|(_, at)| during(*at)).map(|(t0, at)| *at - *t0));
        if let Some((last_key, _)) = keys.last().filter(|_| during(saved)) {
            typed.saves.push(saved - *last_key);
        }
        pty.send(ENTER);
        n += 1;
    }
    if lines.is_none() {
        typed.sync = sync_end.get().map(|e| e - shown);
    }
    typed.waiting_after = pty.screen().lines().find(|l| l.contains("Queue ")).and_then(waiting).unwrap_or_default();
    pty.quit(CTRL_Q);
    typed
}

/// "19001 waiting" from the queue's title line.
fn waiting(line: &str) -> Option<String> {
    let at = line.find(" waiting")?;
    let start = line[..at].rfind(' ').map_or(0, |i| i + 1);
    Some(line[start..at + " waiting".len()].to_string())
}

/// The notes typed in a run are drafts in the copy; the next session must start empty.
fn clear_drafts(db: &Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute("DELETE FROM drafts", []).unwrap();
}

/// Copies a Maildir's `new/`, `cur/` and `tmp/` (what the sync reads is never changed, but
/// the bench's data stays untouched by a workstation pointed at it).
fn copy_maildir(from: &Path, to: &Path) {
    for sub in ["new", "cur", "tmp"] {
        let dir = to.join(sub);
        std::fs::create_dir_all(&dir).unwrap();
        for entry in std::fs::read_dir(from.join(sub)).into_iter().flatten().flatten() {
            let target: PathBuf = dir.join(entry.file_name());
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
