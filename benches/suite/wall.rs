//! The real binary's commands, timed by the wall clock: report, imports, Maildir sync.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::queries::shell_mean;
use crate::{Ctx, Row, fmt_ms, fresh, ms};

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

/// Runs `cmd`, killing it after `timeout`; returns the wall clock, or None when killed.
fn wall_with_timeout(mut cmd: Command, timeout: Duration) -> Option<Duration> {
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    let t0 = Instant::now();
    let mut child = cmd.spawn().unwrap();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "{cmd:?} failed");
            return Some(t0.elapsed());
        }
        if t0.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub fn import_contacts(ctx: &mut Ctx) {
    let csv = ctx.path("contacts.csv");
    if !csv.exists() {
        eprintln!("  skipped: {} missing", csv.display());
        return;
    }
    let target = ctx.path("import-contacts.db");
    fresh(&target);
    let d = wall_with_timeout(
        ctx.frontline(&["--db", &target.display().to_string(), "import", "contacts", &csv.display().to_string()]),
        ctx.import_timeout,
    );
    let plain = ctx.path("import-plain.db");
    fresh(&plain);
    let t0 = Instant::now();
    let status = Command::new("sqlite3")
        .arg(&plain)
        .args([".mode csv", &format!(".import {} contacts_plain", csv.display())])
        .stdout(Stdio::null())
        .status();
    let floor = match status {
        Ok(s) if s.success() => format!("sqlite3 .import of the same CSV: {}", fmt_ms(ms(t0.elapsed()))),
        _ => "sqlite3 .import failed".into(),
    };
    fresh(&plain);
    fresh(&target);
    let rows = std::fs::read_to_string(&csv).map(|t| t.lines().count().saturating_sub(1)).unwrap_or(0);
    match d {
        Some(d) => ctx.push(&format!("import {rows} contacts (CSV), real binary"), &[d], "≤ 20 s", floor),
        None => ctx.rows.push(Row {
            figure: format!("import {rows} contacts (CSV), real binary"),
            median: format!("> {} s (stopped)", ctx.import_timeout.as_secs()),
            p99: "—".into(),
            target: "≤ 20 s".into(),
            floor,
        }),
    }
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
    let samples: Vec<Duration> = d.into_iter().collect();
    ctx.push("import 100k articles (Markdown files), real binary", &samples, "≤ 15 s", "—".into());
}

/// A support mailbox synced once into a new workspace, then again with nothing new (what
/// every new mail costs while the workstation watches the folder).
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
    let t0 = Instant::now();
    let bytes: usize = files.iter().map(|f| std::fs::read(f).map_or(0, |b| b.len())).sum();
    let floor = format!("reading every file once: {} ({} MB)", fmt_ms(ms(t0.elapsed())), bytes / 1_000_000);
    let target = ctx.path("maildir.db");
    fresh(&target);
    let sync =
        || ctx.frontline(&["--db", &target.display().to_string(), "sync", "--maildir", &dir.display().to_string()]);
    let first = wall(sync());
    let again: Vec<Duration> = (0..ctx.runs(10)).map(|_| wall(sync())).collect();
    fresh(&target);
    let n = files.len();
    ctx.push(&format!("`frontline sync`, a Maildir of {n} messages, first time"), &[first], "—", floor.clone());
    ctx.push(&format!("`frontline sync` of the same {n} messages, nothing new"), &again, "no file read again", floor);
}
