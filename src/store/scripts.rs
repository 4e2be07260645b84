//! Scripts: guided checklists (identity verification, refunds, escalation) the rep steps
//! through during a contact. Each ticked step is recorded, and written into the notes.

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

use super::kb::Upsert;
use super::notes;
use crate::domain::text::{mask_card_numbers, sanitize};
use crate::domain::{Id, Note, Timestamp};

pub use crate::domain::script::{Script, ScriptStep};

fn from_row(r: &Row<'_>) -> rusqlite::Result<Script> {
    let steps: String = r.get(2)?;
    let keywords: String = r.get(3)?;
    Ok(Script {
        id: r.get(0)?,
        name: r.get(1)?,
        steps: serde_json::from_str(&steps).unwrap_or_default(),
        keywords: serde_json::from_str(&keywords).unwrap_or_default(),
    })
}

/// Every script, by name.
pub fn all(conn: &Connection) -> rusqlite::Result<Vec<Script>> {
    conn.prepare_cached("SELECT id, name, steps, keywords FROM scripts ORDER BY name COLLATE NOCASE, id")?
        .query_map([], from_row)?
        .collect()
}

/// One script.
pub fn get(conn: &Connection, id: Id) -> rusqlite::Result<Option<Script>> {
    conn.query_row("SELECT id, name, steps, keywords FROM scripts WHERE id = ?1", [id], from_row).optional()
}

fn to_json<T: Serialize>(value: &T) -> rusqlite::Result<String> {
    serde_json::to_string(value).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

/// Adds a script, or replaces the steps and keywords of the one with the same name. Ticks
/// of steps that no longer exist are dropped.
pub fn upsert(conn: &Connection, name: &str, steps: &[ScriptStep], keywords: &[String]) -> rusqlite::Result<Upsert> {
    // Card numbers masked as in every other text the workspace keeps.
    let clean = |t: &str| mask_card_numbers(&sanitize(t.trim())).text;
    let name = clean(name);
    let steps: Vec<ScriptStep> =
        steps.iter().map(|s| ScriptStep { text: clean(&s.text), required: s.required }).collect();
    let keywords: Vec<String> = keywords.iter().map(|k| clean(k)).filter(|k| !k.is_empty()).collect();
    let (steps_json, keywords_json) = (to_json(&steps)?, to_json(&keywords)?);
    let existing: Option<(Id, String, String)> = conn
        .query_row("SELECT id, steps, keywords FROM scripts WHERE name = ?1", [&name], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    match existing {
        Some((_, s, k)) if s == steps_json && k == keywords_json => Ok(Upsert::Unchanged),
        Some((id, ..)) => {
            conn.execute(
                "UPDATE scripts SET steps = ?2, keywords = ?3 WHERE id = ?1",
                params![id, steps_json, keywords_json],
            )?;
            conn.execute(
                "DELETE FROM script_ticks WHERE script_id = ?1 AND step >= ?2",
                params![id, i64::try_from(steps.len()).unwrap_or(i64::MAX)],
            )?;
            Ok(Upsert::Updated)
        }
        None => {
            conn.execute(
                "INSERT INTO scripts(name, steps, keywords) VALUES (?1, ?2, ?3)",
                params![name, steps_json, keywords_json],
            )?;
            Ok(Upsert::Added)
        }
    }
}

/// The steps ticked on a contact, as (script id, step index), in script and step order.
pub fn ticks(conn: &Connection, contact: Id) -> rusqlite::Result<Vec<(Id, usize)>> {
    conn.prepare_cached("SELECT script_id, step FROM script_ticks WHERE contact_id = ?1 ORDER BY script_id, step")?
        .query_map([contact], |r| {
            let step: i64 = r.get(1)?;
            Ok((r.get(0)?, usize::try_from(step).unwrap_or(0)))
        })?
        .collect()
}

/// Ticks a step on a contact and appends `✓ {step} — {script}` to the contact's notes (with
/// its customer), in the caller's transaction; returns the note. Ticking a step again moves
/// its time and notes it again. An unknown script or step is `QueryReturnedNoRows`.
pub fn tick(conn: &Connection, contact: Id, script: Id, step: usize, now: Timestamp) -> rusqlite::Result<Note> {
    let s = get(conn, script)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
    let text = s.steps.get(step).map(|st| st.text.clone()).ok_or(rusqlite::Error::QueryReturnedNoRows)?;
    let customer: Option<Id> =
        conn.query_row("SELECT customer_id FROM contacts WHERE id = ?1", [contact], |r| r.get(0))?;
    let step_index = i64::try_from(step).unwrap_or(i64::MAX);
    conn.execute(
        "INSERT INTO script_ticks(contact_id, script_id, step, at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(contact_id, script_id, step) DO UPDATE SET at = excluded.at",
        params![contact, script, step_index, now],
    )?;
    let body = format!("✓ {text} — {}", s.name);
    let id = notes::insert_note(conn, Some(contact), customer, ("note", &body, now, None))?;
    Ok(Note { id, contact_id: Some(contact), created_at: now, kind: crate::domain::NoteKind::Note, body, due_at: None })
}

/// Unticks a step (a mis-key); `false` if it was not ticked. The note stays, as a record.
pub fn untick(conn: &Connection, contact: Id, script: Id, step: usize) -> rusqlite::Result<bool> {
    let n = conn.execute(
        "DELETE FROM script_ticks WHERE contact_id = ?1 AND script_id = ?2 AND step = ?3",
        params![contact, script, i64::try_from(step).unwrap_or(i64::MAX)],
    )?;
    Ok(n > 0)
}

/// Undoes a tick and says so in the contact's notes (`↺ not done: {step} — {script}`), in
/// the caller's transaction; `None` when the step was not ticked.
pub fn undo_tick(
    conn: &Connection,
    contact: Id,
    script: Id,
    step: usize,
    now: Timestamp,
) -> rusqlite::Result<Option<Note>> {
    let s = get(conn, script)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
    let text = s.steps.get(step).map(|st| st.text.clone()).ok_or(rusqlite::Error::QueryReturnedNoRows)?;
    if !untick(conn, contact, script, step)? {
        return Ok(None);
    }
    let customer: Option<Id> =
        conn.query_row("SELECT customer_id FROM contacts WHERE id = ?1", [contact], |r| r.get(0))?;
    let body = format!("↺ not done after all: {text} — {}", s.name);
    let id = notes::insert_note(conn, Some(contact), customer, ("note", &body, now, None))?;
    Ok(Some(Note {
        id,
        contact_id: Some(contact),
        created_at: now,
        kind: crate::domain::NoteKind::Note,
        body,
        due_at: None,
    }))
}

/// The required steps not yet ticked, as (script name, step text), over the scripts the
/// rep has started on this contact (at least one tick). Wrap-up asks before ending with any.
pub fn missing_required(conn: &Connection, contact: Id) -> rusqlite::Result<Vec<(String, String)>> {
    let ticked = ticks(conn, contact)?;
    let mut started: Vec<Id> = ticked.iter().map(|(s, _)| *s).collect();
    started.dedup();
    let mut out = Vec::new();
    for script in all(conn)?.into_iter().filter(|s| started.contains(&s.id)) {
        for (i, step) in script.steps.iter().enumerate() {
            if step.required && !ticked.contains(&(script.id, i)) {
                out.push((script.name.clone(), step.text.clone()));
            }
        }
    }
    Ok(out)
}
