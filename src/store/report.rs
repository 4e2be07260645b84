//! Loads what the metrics need for a window and hands it to `domain::metrics`, which holds
//! the definitions. Three queries whatever the window's size: the contacts that ended in
//! it, all their events, and the later contacts of their customers (for FCR).

use std::collections::HashMap;

use rusqlite::{Connection, Row, params};

use crate::domain::metrics::{self, ContactFacts, ContactsByCustomer, Report, Settings, Trends};
use crate::domain::{Channel, ContactStatus, EventKind, Id, Timestamp};

/// Contacts whose `ended_at` is in `[from, to)` (through `contacts_by_end`); open contacts
/// are included when they carry an `ended_at` — `domain::metrics` decides what has ended.
const WINDOW: &str = "c.ended_at >= ?1 AND c.ended_at < ?2";

/// The facts for a window `[from, to)`: every contact that ended in it with its event log,
/// and for FCR the contacts of the same customers created from `from` up to
/// `to + fcr_window_seconds` (any repeat of a contact ending in the window falls there).
pub fn facts(
    conn: &Connection,
    from: Timestamp,
    to: Timestamp,
    settings: &Settings,
) -> rusqlite::Result<(Vec<ContactFacts>, ContactsByCustomer)> {
    let mut contacts = conn
        .prepare_cached(&format!(
            "SELECT c.id, c.customer_id, c.channel, c.priority, c.created_at, c.accepted_at, c.ended_at,
                    c.status, c.csat
             FROM contacts c WHERE {WINDOW} ORDER BY c.ended_at, c.id"
        ))?
        .query_map(params![from, to], facts_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;

    let index: HashMap<Id, usize> = contacts.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let mut events = conn.prepare_cached(&format!(
        "SELECT e.contact_id, e.at, e.kind FROM contacts c
         JOIN contact_events e ON e.contact_id = c.id
         WHERE {WINDOW} ORDER BY e.contact_id, e.at, e.id"
    ))?;
    let mut rows = events.query(params![from, to])?;
    while let Some(r) = rows.next()? {
        let id: Id = r.get(0)?;
        let kind: String = r.get(2)?;
        let kind = EventKind::parse(&kind).ok_or_else(|| bad_text(2, "event kind", &kind))?;
        if let Some(c) = index.get(&id).and_then(|&i| contacts.get_mut(i)) {
            c.events.push((r.get(1)?, kind));
        }
    }

    let mut later = ContactsByCustomer::new();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT o.customer_id, o.id, o.created_at FROM contacts o
         WHERE o.customer_id IN (SELECT DISTINCT c.customer_id FROM contacts c
                                 WHERE {WINDOW} AND c.customer_id IS NOT NULL)
           AND o.created_at >= ?1 AND o.created_at <= ?3"
    ))?;
    let mut rows = stmt.query(params![from, to, to.saturating_add(settings.fcr_window_seconds)])?;
    while let Some(r) = rows.next()? {
        later.entry(r.get(0)?).or_default().push((r.get(1)?, r.get(2)?));
    }
    Ok((contacts, later))
}

/// The report for a window `[from, to)`: total and per-channel figures as defined in
/// `domain::metrics`. The dashboard and `frontline report` both call this.
///
/// Adherence is over the schedule blocks in the window, the last logged state lasting to
/// `to` (a window reaching into the future should end at "now", as the dashboard's does, or
/// use [`report_as_of`]); QA is over the reviews of the contacts that ended in the window.
pub fn report(conn: &Connection, from: Timestamp, to: Timestamp, settings: &Settings) -> rusqlite::Result<Report> {
    report_as_of(conn, from, to, settings, to)
}

/// [`report`] as known at `now`: adherence stops at `now` when the window runs past it
/// (what has not happened yet neither keeps nor breaks the schedule).
pub fn report_as_of(
    conn: &Connection,
    from: Timestamp,
    to: Timestamp,
    settings: &Settings,
    now: Timestamp,
) -> rusqlite::Result<Report> {
    let (contacts, later) = facts(conn, from, to, settings)?;
    let mut figures = metrics::breakdown(&contacts, &later, settings);
    let ended: std::collections::HashSet<Id> = contacts.iter().filter(|c| c.is_ended()).map(|c| c.id).collect();
    let reviews: Vec<_> = super::shift::reviews_ended_in(conn, from, to)?
        .into_iter()
        .filter(|(_, r)| r.contact_id.is_some_and(|id| ended.contains(&id)))
        .collect();
    let adherence = if now.min(to) > from { super::shift::adherence(conn, from, now.min(to))? } else { None };
    metrics::add_shift_figures(&mut figures, adherence, &reviews);
    let all: Vec<_> = reviews.into_iter().map(|(_, r)| r).collect();
    Ok(Report { from, to, figures, qa_most_missed: crate::domain::shift::most_missed(&all) })
}

/// How many days before the day [`trends`] compares against.
pub const TREND_DAYS: u32 = 7;

/// The day's most frequent tags (contacts created in `[day_start, day_end)`) and
/// dispositions (contacts ended in it), each with its mean per day over the
/// [`TREND_DAYS`] local days before `day_start` (calendar days, whatever the clock changes),
/// most frequent first.
pub fn trends(conn: &Connection, day_start: Timestamp, day_end: Timestamp) -> rusqlite::Result<Trends> {
    let since = crate::domain::time::local_days_later(day_start, -i64::from(TREND_DAYS));

    // contacts has no index on created_at alone, so this scans the table once; tags are
    // split here because they are stored `;`-separated.
    let mut tags_today = Vec::new();
    let mut tags_before = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT tags, created_at FROM contacts WHERE created_at >= ?1 AND created_at < ?2 AND tags <> ''",
    )?;
    let mut rows = stmt.query(params![since, day_end])?;
    while let Some(r) = rows.next()? {
        let tags: String = r.get(0)?;
        let at: Timestamp = r.get(1)?;
        let into = if at >= day_start { &mut tags_today } else { &mut tags_before };
        into.extend(metrics::split_tags(&tags).map(str::to_string));
    }

    let mut disp_today = Vec::new();
    let mut disp_before = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT disposition, ended_at FROM contacts
         WHERE ended_at >= ?1 AND ended_at < ?2 AND disposition IS NOT NULL",
    )?;
    let mut rows = stmt.query(params![since, day_end])?;
    while let Some(r) = rows.next()? {
        let disposition: String = r.get(0)?;
        let at: Timestamp = r.get(1)?;
        if at >= day_start { disp_today.push(disposition) } else { disp_before.push(disposition) }
    }

    Ok(Trends {
        tags: metrics::rank_trends(
            tags_today.iter().map(String::as_str),
            tags_before.iter().map(String::as_str),
            TREND_DAYS,
        ),
        dispositions: metrics::rank_trends(
            disp_today.iter().map(String::as_str),
            disp_before.iter().map(String::as_str),
            TREND_DAYS,
        ),
    })
}

fn facts_row(r: &Row<'_>) -> rusqlite::Result<ContactFacts> {
    let channel: String = r.get(2)?;
    let status: String = r.get(7)?;
    Ok(ContactFacts {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        channel: Channel::parse(&channel).ok_or_else(|| bad_text(2, "channel", &channel))?,
        priority: r.get(3)?,
        created_at: r.get(4)?,
        accepted_at: r.get(5)?,
        ended_at: r.get(6)?,
        status: ContactStatus::parse(&status).ok_or_else(|| bad_text(7, "status", &status))?,
        csat: r.get(8)?,
        events: Vec::new(),
    })
}

fn bad_text(i: usize, what: &str, value: &str) -> rusqlite::Error {
    rusqlite::Error::InvalidColumnType(i, format!("{what} {value}"), rusqlite::types::Type::Text)
}
