//! The shift commands: `frontline status`, `schedule import|show`, `import qa` and `kudos`.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};
use chrono::{Local, NaiveDate, TimeZone};
use serde_json::json;

use super::report_warnings;
use crate::cli::{KudosCommand, ScheduleCommand};
use crate::domain::shift::{self, RepState};
use crate::domain::text::for_display;
use crate::domain::time::{compact_duration, local_datetime, now};
use crate::store::{self, shift as shift_store};

fn rfc3339(ts: i64) -> String {
    Local.timestamp_opt(ts, 0).single().map(|t| t.to_rfc3339()).unwrap_or_else(|| ts.to_string())
}

fn clock(ts: i64) -> String {
    Local.timestamp_opt(ts, 0).single().map(|t| t.format("%H:%M").to_string()).unwrap_or_default()
}

/// `frontline status [STATE] [--json]`.
pub fn status(db: &Path, state: Option<RepState>, as_json: bool) -> Result<()> {
    let mut conn = store::open_workspace(db)?;
    let t = now();
    let changed = match state {
        Some(s) => store::write(&mut conn, |tx| shift_store::set_status(tx, s, shift_store::Source::Cli, t))?,
        None => false,
    };
    let current = shift_store::current_status(&conn)?;
    let mut out = std::io::stdout().lock();
    if as_json {
        let value = match current {
            Some((s, since)) => json!({
                "state": s.as_str(), "since": rfc3339(since), "seconds": (t - since).max(0), "changed": changed
            }),
            None => json!({ "state": RepState::Offline.as_str(), "since": null, "seconds": null, "changed": false }),
        };
        writeln!(out, "{value}")?;
        return Ok(());
    }
    match (state, current) {
        (_, None) => writeln!(out, "Offline (no status logged yet)")?,
        (Some(_), Some((s, since))) if !changed => {
            writeln!(out, "Already {} for {} (since {})", s.label(), compact_duration(t - since), clock(since))?;
        }
        (Some(_), Some((s, _))) => writeln!(out, "Now {}", s.label())?,
        (None, Some((s, since))) => {
            writeln!(out, "{} for {} (since {})", s.label(), compact_duration(t - since), clock(since))?;
        }
    }
    Ok(())
}

/// `frontline schedule import|show`.
pub fn schedule(db: &Path, command: ScheduleCommand) -> Result<()> {
    match command {
        ScheduleCommand::Import { file, json: as_json } => {
            let mut conn = store::open_workspace(db)?;
            let s = crate::import::schedule::import_schedule(&mut conn, &file)?;
            report_warnings(&s.warnings)?;
            if as_json {
                println!(
                    "{}",
                    json!({ "added": s.added, "replaced": s.replaced, "from": rfc3339(s.first_start),
                            "to": rfc3339(s.last_end), "warnings": s.warnings })
                );
            } else {
                println!(
                    "Schedule: {} blocks added, {} replaced ({} – {})",
                    s.added,
                    s.replaced,
                    local_datetime(s.first_start),
                    local_datetime(s.last_end)
                );
            }
            Ok(())
        }
        ScheduleCommand::Show { date, json: as_json } => schedule_show(db, date.as_deref(), as_json),
    }
}

fn schedule_show(db: &Path, date: Option<&str>, as_json: bool) -> Result<()> {
    let t = now();
    let day = match date.map(str::trim) {
        None => {
            Local.timestamp_opt(t, 0).single().map(|d| d.date_naive()).context("the system clock is out of range")?
        }
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_err(|_| anyhow::anyhow!("--date: \"{d}\" is not a date (YYYY-MM-DD)"))?,
    };
    let start_of = |d: NaiveDate| {
        d.and_hms_opt(0, 0, 0).and_then(|m| Local.from_local_datetime(&m).earliest()).map(|x| x.timestamp())
    };
    let (Some(from), Some(to)) = (start_of(day), day.succ_opt().and_then(start_of)) else {
        bail!("--date: {day} has no start in the local time zone");
    };
    let conn = store::open_workspace(db)?;
    let blocks = shift_store::schedule(&conn, from, to)?;
    // Adherence so far: up to now when the day is under way.
    let until = to.min(t);
    let adherence = if until > from { shift_store::adherence(&conn, from, until)? } else { None };
    let plain: Vec<shift::Block> = blocks.iter().map(shift_store::ScheduleBlock::block).collect();
    let next = (from <= t && t < to).then(|| shift::next_block(&plain, t)).flatten();
    let mut out = std::io::stdout().lock();
    if as_json {
        let value = json!({
            "date": day.to_string(),
            "blocks": blocks.iter().map(|b| json!({
                "id": b.id, "start": rfc3339(b.start_at), "end": rfc3339(b.end_at),
                "activity": b.activity.as_str(), "minutes": (b.end_at - b.start_at) / 60, "source": b.source,
            })).collect::<Vec<_>>(),
            "adherence_percent": adherence,
            "next": next.map(|(a, at)| json!({ "activity": a.as_str(), "start": rfc3339(at) })),
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
        return Ok(());
    }
    if blocks.is_empty() {
        writeln!(out, "No schedule for {day} (load one with: frontline schedule import FILE)")?;
        return Ok(());
    }
    writeln!(out, "Schedule for {day}")?;
    for b in &blocks {
        let here = if b.start_at <= t && t < b.end_at { "  ← now" } else { "" };
        writeln!(
            out,
            "  {}–{}  {:<9} {:>4} min{here}",
            clock(b.start_at),
            clock(b.end_at),
            b.activity.as_str(),
            (b.end_at - b.start_at) / 60
        )?;
    }
    if let Some((a, at)) = next {
        writeln!(out, "\nNext: {a} in {}", compact_duration(at - t))?;
    }
    match adherence {
        Some(p) => writeln!(out, "Adherence{}: {p:.1}%", if until < to { " so far" } else { "" })?,
        None => writeln!(out, "Adherence: - (nothing scheduled yet)")?,
    }
    Ok(())
}

/// `frontline import qa FILE [--json]`, scored against the config's scorecard.
pub fn import_qa(conn: &mut rusqlite::Connection, file: &Path, as_json: bool, config_path: &Path) -> Result<()> {
    let (config, _) = crate::config::load(config_path)?;
    let s = crate::import::qa::import_qa(conn, file, &config.qa_criteria, now())?;
    report_warnings(&s.warnings)?;
    if as_json {
        println!(
            "{}",
            json!({ "reviews": s.reviews, "replaced": s.replaced, "scores": s.scores, "warnings": s.warnings })
        );
    } else {
        println!("QA: {} reviews ({} replacing earlier ones), {} scores", s.reviews, s.replaced, s.scores);
    }
    Ok(())
}

/// `frontline kudos [--json]` and `frontline kudos add TEXT [--contact ID]`.
pub fn kudos(db: &Path, command: Option<KudosCommand>, as_json: bool) -> Result<()> {
    let mut conn = store::open_workspace(db)?;
    if let Some(KudosCommand::Add { text, contact }) = command {
        let t = now();
        let id = store::write(&mut conn, |tx| -> Result<Option<i64>> {
            if let Some(c) = contact {
                if !store::contacts::exists(tx, c)? {
                    bail!("--contact: there is no contact #{c}");
                }
            }
            Ok(shift_store::add_kudos(tx, contact, None, &text, t)?)
        })?;
        let Some(id) = id else { bail!("kudos add: the message is empty") };
        println!("Kept kudos #{id}");
        return Ok(());
    }
    let all = shift_store::kudos(&conn)?;
    let mut out = std::io::stdout().lock();
    if as_json {
        let value: Vec<_> = all
            .iter()
            .map(|k| {
                json!({ "id": k.id, "at": rfc3339(k.at), "text": k.text, "contact_id": k.contact_id,
                        "customer_id": k.customer_id, "customer_name": k.customer_name })
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
        return Ok(());
    }
    if all.is_empty() {
        writeln!(out, "No kudos kept yet.")?;
    }
    for k in &all {
        let who = k.customer_name.as_deref().map(for_display).unwrap_or_else(|| "a customer".into());
        let contact = k.contact_id.map(|c| format!(" (contact #{c})")).unwrap_or_default();
        writeln!(out, "{}  {who}{contact}\n  “{}”", local_datetime(k.at), for_display(&k.text))?;
    }
    Ok(())
}
