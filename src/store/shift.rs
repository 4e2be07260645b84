//! The rep's shift in the workspace: the status log, schedule blocks, QA reviews, kudos and
//! the difficult mark on contacts. The arithmetic lives in `domain::shift`; this module
//! loads and writes. Writers take a `&Connection` and are meant to run inside
//! `store::write` (the importers here open their own transaction).

use anyhow::Result;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::domain::shift::{self, Activity, Block, RepState, Review, Score};
use crate::domain::text::{mask_card_numbers, sanitize};
use crate::domain::{Channel, Id, Timestamp};

pub use crate::domain::shift::{Kudos, MAX_BLOCK_SECONDS, ScheduleBlock};

/// Who logged a status change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The workstation, by the rep's key.
    Tui,
    /// `frontline status STATE`.
    Cli,
    /// The workstation on its own (accepting a contact, the breather timer).
    Auto,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tui => "tui",
            Self::Cli => "cli",
            Self::Auto => "auto",
        }
    }
}

fn bad_text(i: usize, what: &str, value: &str) -> rusqlite::Error {
    rusqlite::Error::InvalidColumnType(i, format!("{what} {value}"), rusqlite::types::Type::Text)
}

fn state_at(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<RepState> {
    let s: String = r.get(i)?;
    RepState::parse(&s).ok_or_else(|| bad_text(i, "state", &s))
}

fn activity_at(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Activity> {
    let s: String = r.get(i)?;
    Activity::parse(&s).ok_or_else(|| bad_text(i, "activity", &s))
}

// ---------------------------------------------------------------- status

/// Logs the rep's state at `now`. Logging the state the rep is already in changes nothing
/// (so the time in state keeps running); returns whether a row was added.
pub fn set_status(conn: &Connection, state: RepState, source: Source, now: Timestamp) -> rusqlite::Result<bool> {
    if current_status(conn)?.is_some_and(|(s, _)| s == state) {
        return Ok(false);
    }
    conn.execute(
        "INSERT INTO rep_status(at, state, source) VALUES (?1, ?2, ?3)",
        params![now, state.as_str(), source.as_str()],
    )?;
    Ok(true)
}

/// The latest logged state and since when the rep has been in it (the start of the run of
/// rows with that state). `None` before anything was logged: the rep counts as offline.
pub fn current_status(conn: &Connection) -> rusqlite::Result<Option<(RepState, Timestamp)>> {
    let Some((state, at)) = conn
        .prepare_cached("SELECT state, at FROM rep_status ORDER BY at DESC, id DESC LIMIT 1")?
        .query_row([], |r| Ok((state_at(r, 0)?, r.get::<_, Timestamp>(1)?)))
        .optional()?
    else {
        return Ok(None);
    };
    // The first row after the last row with another state.
    let other: Option<(Timestamp, Id)> = conn
        .prepare_cached("SELECT at, id FROM rep_status WHERE state <> ?1 ORDER BY at DESC, id DESC LIMIT 1")?
        .query_row([state.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (after_at, after_id) = other.unwrap_or((Timestamp::MIN, Id::MIN));
    let since: Option<Timestamp> = conn
        .prepare_cached("SELECT at FROM rep_status WHERE at > ?1 OR (at = ?1 AND id > ?2) ORDER BY at, id LIMIT 1")?
        .query_row(params![after_at, after_id], |r| r.get(0))
        .optional()?;
    Ok(Some((state, since.unwrap_or(at))))
}

/// A number that changes whenever the status log does: a running workstation polls it to
/// pick up `frontline status STATE` from another process cheaply.
pub fn status_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT coalesce(max(id), 0) FROM rep_status", [], |r| r.get(0))
}

/// The status log for `[from, to)`, in order, starting with the entry in effect at `from`
/// (the last one before it, if any), so `domain::shift::adherence` knows the state at `from`.
pub fn status_log(conn: &Connection, from: Timestamp, to: Timestamp) -> rusqlite::Result<Vec<(Timestamp, RepState)>> {
    let mut out: Vec<(Timestamp, RepState)> = conn
        .prepare_cached("SELECT at, state FROM rep_status WHERE at < ?1 ORDER BY at DESC, id DESC LIMIT 1")?
        .query_map([from], |r| Ok((r.get(0)?, state_at(r, 1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let rest = conn
        .prepare_cached("SELECT at, state FROM rep_status WHERE at >= ?1 AND at < ?2 ORDER BY at, id")?
        .query_map([from, to], |r| Ok((r.get(0)?, state_at(r, 1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    out.extend(rest);
    Ok(out)
}

/// Adherence over `[from, to)` (DESIGN.md section 4) from the stored schedule and log.
pub fn adherence(conn: &Connection, from: Timestamp, to: Timestamp) -> rusqlite::Result<Option<f64>> {
    let blocks: Vec<Block> = schedule(conn, from, to)?.iter().map(ScheduleBlock::block).collect();
    if blocks.is_empty() {
        return Ok(None);
    }
    Ok(shift::adherence(&blocks, &status_log(conn, from, to)?, from, to))
}

// ---------------------------------------------------------------- schedule

/// The blocks overlapping `[from, to)`, by start time (not clipped).
pub fn schedule(conn: &Connection, from: Timestamp, to: Timestamp) -> rusqlite::Result<Vec<ScheduleBlock>> {
    conn.prepare_cached(
        "SELECT id, start_at, end_at, activity, source FROM schedule_blocks
         WHERE start_at < ?2 AND end_at > ?1 ORDER BY start_at, end_at, id",
    )?
    .query_map([from, to], |r| {
        Ok(ScheduleBlock {
            id: r.get(0)?,
            start_at: r.get(1)?,
            end_at: r.get(2)?,
            activity: activity_at(r, 3)?,
            source: r.get(4)?,
        })
    })?
    .collect()
}

/// Why a block was not added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockRefused {
    /// The end is not after the start.
    EndNotAfterStart,
    /// Longer than [`MAX_BLOCK_SECONDS`].
    TooLong,
    /// It overlaps this existing block.
    Overlaps(ScheduleBlock),
}

impl std::fmt::Display for BlockRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::EndNotAfterStart => f.write_str("the end is not after the start"),
            Self::TooLong => f.write_str("a block cannot be longer than 24 hours"),
            Self::Overlaps(b) => write!(
                f,
                "it overlaps the {} block {}–{}",
                b.activity,
                crate::domain::time::local_datetime(b.start_at),
                crate::domain::time::local_datetime(b.end_at)
            ),
        }
    }
}

/// Adds one block entered in the workstation (source `tui`), refusing one that overlaps an
/// existing block.
pub fn add_block(
    conn: &Connection,
    start: Timestamp,
    end: Timestamp,
    activity: Activity,
) -> rusqlite::Result<Result<Id, BlockRefused>> {
    if end <= start {
        return Ok(Err(BlockRefused::EndNotAfterStart));
    }
    if end - start > MAX_BLOCK_SECONDS {
        return Ok(Err(BlockRefused::TooLong));
    }
    if let Some(existing) = schedule(conn, start, end)?.into_iter().next() {
        return Ok(Err(BlockRefused::Overlaps(existing)));
    }
    conn.execute(
        "INSERT INTO schedule_blocks(start_at, end_at, activity, source) VALUES (?1, ?2, ?3, 'tui')",
        params![start, end, activity.as_str()],
    )?;
    Ok(Ok(conn.last_insert_rowid()))
}

/// Deletes one block; returns whether it existed.
pub fn remove_block(conn: &Connection, id: Id) -> rusqlite::Result<bool> {
    Ok(conn.execute("DELETE FROM schedule_blocks WHERE id = ?1", [id])? > 0)
}

/// What a schedule import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub added: usize,
    /// Existing blocks inside the time the file covers, replaced by the file's.
    pub replaced: usize,
    pub first_start: Timestamp,
    pub last_end: Timestamp,
    pub warnings: Vec<String>,
}

/// Replaces the schedule for the time `blocks` cover (their first start to their last
/// end) with `blocks`, in one transaction: importing an updated file again is safe.
pub fn replace_schedule(
    conn: &mut Connection,
    blocks: &[(Timestamp, Timestamp, Activity)],
    warnings: Vec<String>,
) -> rusqlite::Result<Summary> {
    let first_start = blocks.iter().map(|b| b.0).min().unwrap_or_default();
    let last_end = blocks.iter().map(|b| b.1).max().unwrap_or_default();
    super::write(conn, |tx| {
        let replaced = tx.execute(
            "DELETE FROM schedule_blocks WHERE start_at < ?2 AND end_at > ?1",
            params![first_start, last_end],
        )?;
        let mut insert = tx.prepare_cached(
            "INSERT INTO schedule_blocks(start_at, end_at, activity, source) VALUES (?1, ?2, ?3, 'import')",
        )?;
        for (start, end, activity) in blocks {
            insert.execute(params![start, end, activity.as_str()])?;
        }
        Ok(Summary { added: blocks.len(), replaced, first_start, last_end, warnings })
    })
}

// ---------------------------------------------------------------- wellbeing

/// When the rep last rested: the start of the latest break, lunch or offline entry at or
/// before `now`, or — if there is none — the local start of `now`'s day.
pub fn last_rest(conn: &Connection, now: Timestamp) -> rusqlite::Result<Timestamp> {
    let rest: Option<Timestamp> = conn
        .prepare_cached("SELECT max(at) FROM rep_status WHERE at <= ?1 AND state IN ('break', 'lunch', 'offline')")?
        .query_row([now], |r| r.get(0))?;
    Ok(rest.unwrap_or_else(|| crate::domain::time::local_day_start(now)))
}

/// Contacts the rep worked (accepted) that ended since the last rest (see [`last_rest`])
/// and at or before `now`: the count behind the breather prompt.
pub fn contacts_since_break(conn: &Connection, now: Timestamp) -> rusqlite::Result<u32> {
    let since = last_rest(conn, now)?;
    conn.prepare_cached(
        "SELECT count(*) FROM contacts WHERE accepted_at IS NOT NULL AND ended_at > ?1 AND ended_at <= ?2",
    )?
    .query_row([since, now], |r| r.get(0))
}

/// Whether the contact that ended last since the rep's last rest was marked difficult.
pub fn last_contact_difficult(conn: &Connection, now: Timestamp) -> rusqlite::Result<bool> {
    let since = last_rest(conn, now)?;
    Ok(conn
        .prepare_cached(
            "SELECT difficult FROM contacts WHERE accepted_at IS NOT NULL AND ended_at > ?1 AND ended_at <= ?2
             ORDER BY ended_at DESC, id DESC LIMIT 1",
        )?
        .query_row([since, now], |r| r.get::<_, bool>(0))
        .optional()?
        .unwrap_or(false))
}

/// Whether to offer a breather now: [`shift::breather_due`] on the stored facts.
pub fn breather_due(conn: &Connection, now: Timestamp, threshold: u32) -> rusqlite::Result<bool> {
    Ok(shift::breather_due(contacts_since_break(conn, now)?, last_contact_difficult(conn, now)?, threshold))
}

/// Marks a contact difficult (abusive, distressing) or clears the mark; returns whether the
/// contact exists.
pub fn set_difficult(conn: &Connection, contact: Id, difficult: bool) -> rusqlite::Result<bool> {
    Ok(conn.execute("UPDATE contacts SET difficult = ?2 WHERE id = ?1", params![contact, difficult])? > 0)
}

// ---------------------------------------------------------------- kudos

/// Keeps a thank-you message (sanitised, card numbers masked). The customer is taken from
/// the contact when one is given, so erasing the customer erases their kudos. `Ok(None)`
/// when the text is empty.
pub fn add_kudos(
    conn: &Connection,
    contact: Option<Id>,
    customer: Option<Id>,
    text: &str,
    now: Timestamp,
) -> rusqlite::Result<Option<Id>> {
    let text = mask_card_numbers(&sanitize(text.trim())).text;
    if text.trim().is_empty() {
        return Ok(None);
    }
    let from_contact: Option<Id> = match contact {
        Some(c) => {
            conn.query_row("SELECT customer_id FROM contacts WHERE id = ?1", [c], |r| r.get(0)).optional()?.flatten()
        }
        None => None,
    };
    conn.execute(
        "INSERT INTO kudos(contact_id, customer_id, at, text) VALUES (?1, ?2, ?3, ?4)",
        params![contact, customer.or(from_contact), now, text],
    )?;
    Ok(Some(conn.last_insert_rowid()))
}

/// Every kept thank-you, newest first.
pub fn kudos(conn: &Connection) -> rusqlite::Result<Vec<Kudos>> {
    conn.prepare_cached(
        "SELECT k.id, k.at, k.text, k.contact_id, k.customer_id, c.name FROM kudos k
         LEFT JOIN customers c ON c.id = k.customer_id ORDER BY k.at DESC, k.id DESC",
    )?
    .query_map([], |r| {
        Ok(Kudos {
            id: r.get(0)?,
            at: r.get(1)?,
            text: r.get(2)?,
            contact_id: r.get(3)?,
            customer_id: r.get(4)?,
            customer_name: r.get(5)?,
        })
    })?
    .collect()
}

// ---------------------------------------------------------------- QA reviews

/// Saves a review of `contact` by `reviewer` (`domain::shift::SELF_REVIEWER` for the rep's
/// own), replacing that reviewer's earlier review of the contact. Scores with a criterion
/// given twice keep the last.
pub fn save_review(
    conn: &Connection,
    contact: Id,
    reviewer: &str,
    scores: &[Score],
    now: Timestamp,
) -> rusqlite::Result<Id> {
    // Cleaned like every text kept (control codes and escapes out, card numbers masked): a
    // reviewer's name or a criterion can come from a file.
    let masked = |t: &str| crate::domain::text::mask_card_numbers(&crate::domain::text::sanitize(t)).text;
    let reviewer = &masked(reviewer.trim());
    conn.execute("DELETE FROM qa_reviews WHERE contact_id = ?1 AND reviewer = ?2", params![contact, reviewer])?;
    conn.execute(
        "INSERT INTO qa_reviews(contact_id, reviewer, at) VALUES (?1, ?2, ?3)",
        params![contact, reviewer, now],
    )?;
    let id = conn.last_insert_rowid();
    let mut insert = conn.prepare_cached(
        "INSERT INTO qa_scores(review_id, criterion, weight, met) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(review_id, criterion) DO UPDATE SET weight = excluded.weight, met = excluded.met",
    )?;
    for s in scores {
        insert.execute(params![id, masked(&shift::criterion_key(&s.criterion)), s.weight, s.met])?;
    }
    Ok(id)
}

/// Loads reviews with their scores for `WHERE {filter}` over `qa_reviews r` (joined with
/// `contacts c`), each with its contact's channel when the contact still exists.
fn load_reviews(
    conn: &Connection,
    filter: &str,
    args: impl rusqlite::Params,
) -> rusqlite::Result<Vec<(Option<Channel>, Review)>> {
    let mut out: Vec<(Option<Channel>, Review)> = Vec::new();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT r.id, r.contact_id, r.reviewer, r.at, c.channel, s.criterion, s.weight, s.met
         FROM qa_reviews r LEFT JOIN contacts c ON c.id = r.contact_id
         LEFT JOIN qa_scores s ON s.review_id = r.id
         WHERE {filter} ORDER BY r.at, r.id, s.rowid"
    ))?;
    let mut rows = stmt.query(args)?;
    while let Some(r) = rows.next()? {
        let id: Id = r.get(0)?;
        if out.last().is_none_or(|(_, last)| last.id != id) {
            let channel: Option<String> = r.get(4)?;
            out.push((
                channel.as_deref().and_then(Channel::parse),
                Review { id, contact_id: r.get(1)?, reviewer: r.get(2)?, at: r.get(3)?, scores: Vec::new() },
            ));
        }
        let criterion: Option<String> = r.get(5)?;
        if let (Some(criterion), Some((_, review))) = (criterion, out.last_mut()) {
            review.scores.push(Score { criterion, weight: r.get(6)?, met: r.get(7)? });
        }
    }
    Ok(out)
}

/// The reviews of contacts that ended in `[from, to)`, each with the contact's channel:
/// what QA % in a report is computed over.
pub fn reviews_ended_in(
    conn: &Connection,
    from: Timestamp,
    to: Timestamp,
) -> rusqlite::Result<Vec<(Option<Channel>, Review)>> {
    load_reviews(conn, "c.ended_at >= ?1 AND c.ended_at < ?2", params![from, to])
}

/// Every review of one contact (the rep's own and any supervisor's).
pub fn reviews_of(conn: &Connection, contact: Id) -> rusqlite::Result<Vec<Review>> {
    Ok(load_reviews(conn, "r.contact_id = ?1", [contact])?.into_iter().map(|(_, r)| r).collect())
}

/// The most recent reviews, newest first, up to `limit`.
pub fn recent_reviews(conn: &Connection, limit: usize) -> rusqlite::Result<Vec<Review>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut all: Vec<Review> =
        load_reviews(conn, "r.id IN (SELECT id FROM qa_reviews ORDER BY at DESC, id DESC LIMIT ?1)", [limit])?
            .into_iter()
            .map(|(_, r)| r)
            .collect();
    all.reverse();
    Ok(all)
}

/// Follows the contact loop with the rep's status: on a contact while one is active or on
/// hold, after-contact work while wrapping up, available when the last one closes. A status
/// the rep chose (break, lunch…) is left alone unless a contact is being worked.
pub fn follow_contact_status(tx: &Connection, t: Timestamp) -> rusqlite::Result<()> {
    let working: Vec<String> = tx
        .prepare_cached("SELECT DISTINCT status FROM contacts WHERE status IN ('active', 'on_hold', 'wrap_up')")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let current = current_status(tx)?.map(|(s, _)| s);
    let wanted = if working.iter().any(|s| s != "wrap_up") {
        RepState::OnContact
    } else if !working.is_empty() {
        RepState::AfterContactWork
    } else if matches!(current, Some(RepState::OnContact | RepState::AfterContactWork)) {
        RepState::Available
    } else {
        return Ok(());
    };
    set_status(tx, wanted, Source::Auto, t).map(|_| ())
}
