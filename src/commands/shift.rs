//! The shift commands: `frontline status`, `schedule import|show`, `import qa` and `kudos`.

use std::fmt;
use std::path::Path;

use anyhow::{Context, Result, bail};
use chrono::{Local, NaiveDate, TimeZone};
use serde::Serialize;

use super::{emit, report_warnings};
use crate::cli::{KudosCommand, ScheduleCommand};
use crate::domain::shift::{self, Activity, Kudos, RepState};
use crate::domain::text::for_display;
use crate::domain::time::{compact_duration, local_datetime, now};
use crate::domain::{Id, Timestamp};
use crate::store::{self, shift as shift_store};

/// A time in the shift commands' JSON: RFC 3339 with the local offset.
fn rfc3339(ts: i64) -> String {
    Local.timestamp_opt(ts, 0).single().map(|t| t.to_rfc3339()).unwrap_or_else(|| ts.to_string())
}

fn clock(ts: i64) -> String {
    Local.timestamp_opt(ts, 0).single().map(|t| t.format("%H:%M").to_string()).unwrap_or_default()
}

/// The rep's status after `frontline status [STATE]`.
#[derive(Serialize)]
pub(super) struct Status {
    state: &'static str,
    since: Option<String>,
    seconds: Option<i64>,
    changed: bool,
    #[serde(skip)]
    text: String,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.text)
    }
}

/// `frontline status [STATE] [--json]`.
pub(super) fn status(db: &Path, state: Option<RepState>) -> Result<Status> {
    let mut conn = store::open_workspace(db)?;
    let t = now();
    let changed = match state {
        Some(s) => store::write(&mut conn, |tx| shift_store::set_status(tx, s, shift_store::Source::Cli, t))?,
        None => false,
    };
    let current = shift_store::current_status(&conn)?;
    let text = match (state, current) {
        (_, None) => "Offline (no status logged yet)".to_string(),
        (Some(_), Some((s, since))) if !changed => {
            format!("Already {} for {} (since {})", s.label(), compact_duration(t - since), clock(since))
        }
        (Some(_), Some((s, _))) => format!("Now {}", s.label()),
        (None, Some((s, since))) => {
            format!("{} for {} (since {})", s.label(), compact_duration(t - since), clock(since))
        }
    };
    Ok(match current {
        Some((s, since)) => {
            Status { state: s.as_str(), since: Some(rfc3339(since)), seconds: Some((t - since).max(0)), changed, text }
        }
        None => Status { state: RepState::Offline.as_str(), since: None, seconds: None, changed: false, text },
    })
}

/// What a schedule import did.
#[derive(Serialize)]
struct ScheduleImported {
    added: usize,
    replaced: usize,
    from: String,
    to: String,
    warnings: Vec<String>,
    #[serde(skip)]
    span: (Timestamp, Timestamp),
}

impl fmt::Display for ScheduleImported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (first, last) = self.span;
        writeln!(
            f,
            "Schedule: {} blocks added, {} replaced ({} – {})",
            self.added,
            self.replaced,
            local_datetime(first),
            local_datetime(last)
        )
    }
}

/// `frontline schedule import|show`.
pub(super) fn schedule(db: &Path, command: ScheduleCommand) -> Result<()> {
    match command {
        ScheduleCommand::Import { file, json } => {
            let mut conn = store::open_workspace(db)?;
            let s = crate::import::schedule::import_schedule(&mut conn, &file)?;
            report_warnings(&s.warnings)?;
            let done = ScheduleImported {
                added: s.added,
                replaced: s.replaced,
                from: rfc3339(s.first_start),
                to: rfc3339(s.last_end),
                warnings: s.warnings,
                span: (s.first_start, s.last_end),
            };
            emit(&done, json)
        }
        ScheduleCommand::Show { date, json } => emit(&schedule_show(db, date.as_deref())?, json),
    }
}

/// One block of a day's schedule.
#[derive(Serialize)]
struct BlockOut {
    id: Id,
    start: String,
    end: String,
    activity: &'static str,
    minutes: i64,
    source: String,
    #[serde(skip)]
    span: (Timestamp, Timestamp),
}

/// The next block to come today.
#[derive(Serialize)]
struct Next {
    activity: &'static str,
    start: String,
    #[serde(skip)]
    at: Timestamp,
    #[serde(skip)]
    kind: Activity,
}

/// A day's schedule with the adherence so far.
#[derive(Serialize)]
struct Day {
    date: String,
    blocks: Vec<BlockOut>,
    adherence_percent: Option<f64>,
    next: Option<Next>,
    /// Now, and whether the day is still under way (adherence is "so far").
    #[serde(skip)]
    now: Timestamp,
    #[serde(skip)]
    so_far: bool,
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.now;
        if self.blocks.is_empty() {
            return writeln!(f, "No schedule for {} (load one with: frontline schedule import FILE)", self.date);
        }
        writeln!(f, "Schedule for {}", self.date)?;
        for b in &self.blocks {
            let (start, end) = b.span;
            let here = if start <= t && t < end { "  ← now" } else { "" };
            writeln!(f, "  {}–{}  {:<9} {:>4} min{here}", clock(start), clock(end), b.activity, b.minutes)?;
        }
        if let Some(next) = &self.next {
            writeln!(f, "\nNext: {} in {}", next.kind, compact_duration(next.at - t))?;
        }
        match self.adherence_percent {
            Some(p) => writeln!(f, "Adherence{}: {p:.1}%", if self.so_far { " so far" } else { "" }),
            None => writeln!(f, "Adherence: - (nothing scheduled yet)"),
        }
    }
}

/// The day asked for (today by default) as the instants it starts and ends.
fn day_bounds(date: Option<&str>, t: Timestamp) -> Result<(NaiveDate, Timestamp, Timestamp)> {
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
    Ok((day, from, to))
}

fn schedule_show(db: &Path, date: Option<&str>) -> Result<Day> {
    let t = now();
    let (day, from, to) = day_bounds(date, t)?;
    let conn = store::open_workspace(db)?;
    let blocks = shift_store::schedule(&conn, from, to)?;
    // Adherence so far: up to now when the day is under way.
    let until = to.min(t);
    let adherence = if until > from { shift_store::adherence(&conn, from, until)? } else { None };
    let plain: Vec<shift::Block> = blocks.iter().map(shift_store::ScheduleBlock::block).collect();
    let next = (from <= t && t < to).then(|| shift::next_block(&plain, t)).flatten();
    let blocks = blocks
        .iter()
        .map(|b| BlockOut {
            id: b.id,
            start: rfc3339(b.start_at),
            end: rfc3339(b.end_at),
            activity: b.activity.as_str(),
            minutes: (b.end_at - b.start_at) / 60,
            source: b.source.clone(),
            span: (b.start_at, b.end_at),
        })
        .collect();
    Ok(Day {
        date: day.to_string(),
        blocks,
        adherence_percent: adherence,
        next: next.map(|(a, at)| Next { activity: a.as_str(), start: rfc3339(at), at, kind: a }),
        now: t,
        so_far: until < to,
    })
}

/// What a QA import did.
#[derive(Serialize)]
pub(super) struct QaImported {
    reviews: usize,
    replaced: usize,
    scores: usize,
    warnings: Vec<String>,
}

impl fmt::Display for QaImported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "QA: {} reviews ({} replacing earlier ones), {} scores", self.reviews, self.replaced, self.scores)
    }
}

/// `frontline import qa FILE [--json]`, scored against the config's scorecard.
pub(super) fn import_qa(conn: &mut rusqlite::Connection, file: &Path, config_path: &Path) -> Result<QaImported> {
    let (config, _) = crate::config::load(config_path)?;
    let s = crate::import::qa::import_qa(conn, file, &config.qa_criteria, now())?;
    report_warnings(&s.warnings)?;
    Ok(QaImported { reviews: s.reviews, replaced: s.replaced, scores: s.scores, warnings: s.warnings })
}

/// One kept thank-you.
#[derive(Serialize)]
struct KudosOut {
    id: Id,
    at: String,
    text: String,
    contact_id: Option<Id>,
    customer_id: Option<Id>,
    customer_name: Option<String>,
    #[serde(skip)]
    when: Timestamp,
}

/// The kudos kept, newest first.
#[derive(Serialize)]
#[serde(transparent)]
struct KudosList(Vec<KudosOut>);

impl fmt::Display for KudosList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            writeln!(f, "No kudos kept yet.")?;
        }
        for k in &self.0 {
            let who = k.customer_name.as_deref().map(for_display).unwrap_or_else(|| "a customer".into());
            let contact = k.contact_id.map(|c| format!(" (contact #{c})")).unwrap_or_default();
            writeln!(f, "{}  {who}{contact}\n  “{}”", local_datetime(k.when), for_display(&k.text))?;
        }
        Ok(())
    }
}

fn kudos_out(k: Kudos) -> KudosOut {
    KudosOut {
        id: k.id,
        at: rfc3339(k.at),
        text: k.text,
        contact_id: k.contact_id,
        customer_id: k.customer_id,
        customer_name: k.customer_name,
        when: k.at,
    }
}

/// `frontline kudos [--json]` and `frontline kudos add TEXT [--contact ID]`.
pub(super) fn kudos(db: &Path, command: Option<KudosCommand>, as_json: bool) -> Result<()> {
    let mut conn = store::open_workspace(db)?;
    if let Some(KudosCommand::Add { text, contact }) = command {
        let t = now();
        let id = store::write(&mut conn, |tx| -> Result<Option<i64>> {
            if let Some(c) = contact
                && !store::contacts::exists(tx, c)?
            {
                bail!("--contact: there is no contact #{c}");
            }
            Ok(shift_store::add_kudos(tx, contact, None, &text, t)?)
        })?;
        let Some(id) = id else { bail!("kudos add: the message is empty") };
        println!("Kept kudos #{id}");
        return Ok(());
    }
    let all = shift_store::kudos(&conn)?;
    emit(&KudosList(all.into_iter().map(kudos_out).collect()), as_json)
}
