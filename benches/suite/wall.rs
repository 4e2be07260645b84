//! The real binary's commands, timed by the wall clock: report, imports, Maildir sync.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::queries::shell_mean;
use crate::{Ctx, Row, fmt_ms, fresh, stats};

fn wall(mut cmd: Command) -> Duration {
    cmd.stdout(Stdio::null()).stderr(Stdio::piped());
    let t0 = Instant::now();
    let out = cmd.output().unwrap();
    let d = t0.elapsed();
    assert!(out.status.success(), "{:?} failed: {}", cmd, String::from_utf8_lossy(&out.stderr));
    d
}

pub fn report(ctx: &mut Ctx) {
    let db = ctx.path("full.db");
    let dbs = db.display().to_string();
    let runs = ctx.runs(10);
    let mut samples = Vec::new();
    for i in 0..=runs {
        let d = wall(ctx.frontline(&["--db", &dbs, "report", "--from", "2026-10-01", "--to", "2026-10-31", "--json"]));
        if i > 0 {
            samples.push(d);
        }
    }
    // The same three queries store::report::facts runs, as bare SQL.
    use chrono::TimeZone;
    let from = chrono::Local.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap().timestamp();
    let to = chrono::Local.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap().timestamp();
    let window = format!("c.ended_at >= {from} AND c.ended_at < {to}");
    let sql = vec![
        format!(
            "SELECT c.id, c.customer_id, c.channel, c.priority, c.created_at, c.accepted_at, c.ended_at, c.status, c.csat \
             FROM contacts c WHERE {window} ORDER BY c.ended_at, c.id;"
        ),
        format!(
            "SELECT e.contact_id, e.at, e.kind FROM contacts c JOIN contact_events e ON e.contact_id = c.id \
             WHERE {window} ORDER BY e.contact_id, e.at, e.id;"
        ),
        format!(
            "SELECT o.customer_id, o.id, o.created_at FROM contacts o WHERE o.customer_id IN \
             (SELECT DISTINCT c.customer_id FROM contacts c WHERE {window} AND c.customer_id IS NOT NULL) \
             AND o.created_at >= {from} AND o.created_at <= {};",
            to + 7 * 86_400
        ),
    ];
    let floor = shell_mean(&db, &sql, 2)
        .map_or("sqlite3 missing".into(), |m| format!("bare SQL (3 queries) in sqlite3: {}", fmt_ms(m * 3.0)));
    let handled: u64 = {
        let out = ctx
            .frontline(&["--db", &dbs, "report", "--from", "2026-10-01", "--to", "2026-10-31", "--json"])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["handled"].as_u64().unwrap_or(0)
    };
    ctx.push(&format!("`frontline report`, October 2026 ({handled} handled of 1M)"), &samples, "≤ 500 ms", floor);
}

/// What one timed run of the real binary took: its wall clock and its peak resident memory.
struct Timed {
    wall: Duration,
    peak_kb: u64,
}

/// The peak resident memory of a running process (`VmHWM`), in KiB.
fn peak_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.trim().trim_end_matches(" kB").parse().ok())
}

/// Runs `cmd`, killing it after `timeout`; returns its wall clock and peak memory (read
/// every 10 ms while it runs: the peak is a high-water mark, so the last reading is at most
/// 10 ms of growth short), or None when killed.
fn wall_with_timeout(mut cmd: Command, timeout: Duration) -> Option<Timed> {
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    let t0 = Instant::now();
    let mut child = cmd.spawn().unwrap();
    let mut peak = 0;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "{cmd:?} failed");
            return Some(Timed { wall: t0.elapsed(), peak_kb: peak });
        }
        if t0.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        peak = peak_kb(child.id()).unwrap_or(peak);
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Rounds of the contacts import and its floor, taken in turns so a neighbour's burst on
/// this shared machine lands on both.
const IMPORT_ROUNDS: usize = 3;

/// Rounds of the first Maildir sync and its floors (a second each).
const MAILDIR_ROUNDS: usize = 5;

/// A first import of a team's history (issue 18): every customer is new. Timed in turns
/// with `sqlite3 .import` of the same CSV into a plain table, the floor.
pub fn import_contacts(ctx: &mut Ctx) {
    let csv = ctx.path("contacts.csv");
    if !csv.exists() {
        eprintln!("  skipped: {} missing", csv.display());
        return;
    }
    let rows = std::fs::read_to_string(&csv).map(|t| t.lines().count().saturating_sub(1)).unwrap_or(0);
    let figure = format!("import {rows} contacts (CSV, every customer new), real binary");
    let target = ctx.path("import-contacts.db");
    let plain = ctx.path("import-plain.db");
    let (mut ours, mut floor, mut peak) = (Vec::new(), Vec::new(), 0);
    for _ in 0..ctx.runs(IMPORT_ROUNDS) {
        fresh(&target);
        let cmd =
            ctx.frontline(&["--db", &target.display().to_string(), "import", "contacts", &csv.display().to_string()]);
        let Some(run) = wall_with_timeout(cmd, ctx.import_timeout) else {
            fresh(&target);
            let median = format!("> {} s (stopped)", ctx.import_timeout.as_secs());
            ctx.rows.push(Row {
                figure, median, p99: "—".into(), target: "≤ 4 × the floor".into(), floor: "—".into()
            });
            return;
        };
        ours.push(run.wall);
        peak = peak.max(run.peak_kb);
        fresh(&plain);
        let t0 = Instant::now();
        let status = Command::new("sqlite3")
            .arg(&plain)
            .args([".mode csv", &format!(".import {} contacts_plain", csv.display())])
            .stdout(Stdio::null())
            .status();
        if status.is_ok_and(|s| s.success()) {
            floor.push(t0.elapsed());
        }
    }
    fresh(&plain);
    fresh(&target);
    let floor_text = if floor.is_empty() {
        "sqlite3 .import failed".into()
    } else {
        let (a, b) = (stats(&ours).0, stats(&floor).0);
        format!(
            "sqlite3 .import of the same CSV into a plain table: {} → **{:.1}×**; peak memory {:.0} MB; medians of {} rounds taken in turns",
            fmt_ms(b),
            a / b,
            peak as f64 / 1024.0,
            ours.len()
        )
    };
    ctx.push(&figure, &ours, "≤ 4 × the floor, < 100 MB", floor_text);
}

pub fn import_kb(ctx: &mut Ctx) {
    let dir = ctx.path("kb100k");
    if !dir.exists() {
        eprintln!("  skipped: {} missing", dir.display());
        return;
    }
    let target = ctx.path("import-kb.db");
    fresh(&target);
    let d = wall_with_timeout(
        ctx.frontline(&["--db", &target.display().to_string(), "import", "kb", &dir.display().to_string()]),
        ctx.import_timeout,
    );
    fresh(&target);
    let samples: Vec<Duration> = d.into_iter().map(|t| t.wall).collect();
    ctx.push("import 100k articles (Markdown files), real binary", &samples, "≤ 15 s", "—".into());
}

/// A support mailbox synced once into a new workspace, then again with nothing new (what
/// every new mail costs while the workstation watches the folder). Two floors, taken in
/// turns with the first syncs: a program reading every file (`cat` over the folder, as
/// `find … -exec cat {} +` runs it: listing, opening and reading, like the sync — the kind
/// of figure issue 18's 236 ms is), and, stricter, reading every file once in this process
/// from a list made beforehand. Both are warm (a first pass fills the page cache, as the
/// sync's own reads find it).
pub fn maildir(ctx: &mut Ctx) {
    let dir = ctx.path("maildir");
    if !dir.exists() {
        eprintln!("  skipped: {} missing", dir.display());
        return;
    }
    let files: Vec<PathBuf> = ["new", "cur"]
        .iter()
        .flat_map(|sub| std::fs::read_dir(dir.join(sub)).into_iter().flatten().flatten().map(|e| e.path()))
        .collect();
    let read_all = || files.iter().map(|f| std::fs::read(f).map_or(0, |b| b.len())).sum::<usize>();
    let cat_all = || {
        let mut find = Command::new("find");
        find.args([dir.join("new"), dir.join("cur")]).args(["-type", "f", "-exec", "cat", "{}", "+"]);
        wall(find)
    };
    read_all();
    let target = ctx.path("maildir.db");
    let sync =
        || ctx.frontline(&["--db", &target.display().to_string(), "sync", "--maildir", &dir.display().to_string()]);
    let (mut first, mut floor, mut cat, mut bytes, mut peak) = (Vec::new(), Vec::new(), Vec::new(), 0, 0);
    for _ in 0..ctx.runs(MAILDIR_ROUNDS) {
        cat.push(cat_all());
        let t0 = Instant::now();
        bytes = read_all();
        floor.push(t0.elapsed());
        fresh(&target);
        let run = wall_with_timeout(sync(), Duration::from_secs(600)).expect("the first sync finishes");
        first.push(run.wall);
        peak = peak.max(run.peak_kb);
    }
    let again: Vec<Duration> = (0..ctx.runs(10)).map(|_| wall(sync())).collect();
    fresh(&target);
    let (ours, read, by_cat) = (stats(&first).0, stats(&floor).0, stats(&cat).0);
    let floor_text = format!(
        "a program reading every file (`cat`): {} → **{:.1}×**; reading every file in this process: {} ({} MB) → {:.1}×; \
         peak memory {:.0} MB; medians of {} rounds taken in turns",
        fmt_ms(by_cat),
        ours / by_cat,
        fmt_ms(read),
        bytes / 1_000_000,
        ours / read,
        peak as f64 / 1024.0,
        first.len()
    );
    let n = files.len();
    ctx.push(
        &format!("`frontline sync`, a Maildir of {n} messages, first time"),
        &first,
        "≤ 3 × the floor",
        floor_text,
    );
    let read_text = format!("reading every file once, warm: {}", fmt_ms(read));
    ctx.push(
        &format!("`frontline sync` of the same {n} messages, nothing new"),
        &again,
        "no file read again",
        read_text,
    );
}
