//! Bulletins: policy updates and known incidents with a validity window and a read mark.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::kb::Upsert;
pub use crate::domain::bulletin::{Bulletin, BulletinKind, matching_incidents};
use crate::domain::text::{StoredField, clean_stored_text};
use crate::domain::{Id, Timestamp};

/// A bulletin as read from a file, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBulletin {
    pub title: String,
    pub body: String,
    pub kind: BulletinKind,
    pub starts_at: Timestamp,
    pub ends_at: Option<Timestamp>,
    pub keywords: Vec<String>,
    /// Where it applies (empty: everywhere).
    pub areas: Vec<String>,
}

const COLUMNS: &str = "id, title, body, kind, starts_at, ends_at, keywords, read_at IS NOT NULL, areas";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Bulletin> {
    let keywords: String = r.get(6)?;
    Ok(Bulletin {
        id: r.get(0)?,
        title: r.get(1)?,
        body: r.get(2)?,
        kind: {
            let kind: String = r.get(3)?;
            BulletinKind::parse(&kind).unwrap_or(BulletinKind::Policy)
        },
        starts_at: r.get(4)?,
        ends_at: r.get(5)?,
        keywords: serde_json::from_str(&keywords).unwrap_or_default(),
        areas: serde_json::from_str(&r.get::<_, String>(8)?).unwrap_or_default(),
        read: r.get(7)?,
    })
}

/// Text as stored (see [`clean_stored_text`]).
fn clean(field: StoredField, text: &str) -> String {
    clean_stored_text(field, text).text
}

/// The bulletins in force at `now` (started, not ended): incidents first, then newest.
pub fn active(conn: &Connection, now: Timestamp) -> rusqlite::Result<Vec<Bulletin>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM bulletins WHERE starts_at <= ?1 AND (ends_at IS NULL OR ends_at > ?1)
         ORDER BY kind = 'incident' DESC, starts_at DESC, id DESC"
    ))?
    .query_map([now], from_row)?
    .collect()
}

/// The bulletins in force at `now` that the rep has not read yet (shown first at the start
/// of a shift), in the order of [`active`].
pub fn unread_active(conn: &Connection, now: Timestamp) -> rusqlite::Result<Vec<Bulletin>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM bulletins
         WHERE starts_at <= ?1 AND (ends_at IS NULL OR ends_at > ?1) AND read_at IS NULL
         ORDER BY kind = 'incident' DESC, starts_at DESC, id DESC"
    ))?
    .query_map([now], from_row)?
    .collect()
}

/// Every bulletin, newest first (past and future ones too).
pub fn all(conn: &Connection) -> rusqlite::Result<Vec<Bulletin>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM bulletins ORDER BY starts_at DESC, id DESC"))?
        .query_map([], from_row)?
        .collect()
}

/// Marks bulletins read; returns how many were unread before.
pub fn mark_read(conn: &Connection, ids: &[Id], now: Timestamp) -> rusqlite::Result<usize> {
    let mut stmt = conn.prepare_cached("UPDATE bulletins SET read_at = ?2 WHERE id = ?1 AND read_at IS NULL")?;
    let mut n = 0;
    for id in ids {
        n += stmt.execute(params![id, now])?;
    }
    Ok(n)
}

/// Adds a bulletin, or updates the one with the same title and start. A changed bulletin
/// is unread again, so the rep sees the update.
pub fn upsert(conn: &Connection, b: &NewBulletin) -> rusqlite::Result<Upsert> {
    let title = clean(StoredField::BulletinTitle, b.title.trim());
    let body = clean(StoredField::BulletinBody, &b.body);
    let keywords: Vec<String> =
        b.keywords.iter().map(|k| clean(StoredField::BulletinKeyword, k.trim())).filter(|k| !k.is_empty()).collect();
    let keywords = serde_json::to_string(&keywords).unwrap_or_else(|_| "[]".into());
    let areas: Vec<String> =
        b.areas.iter().map(|a| clean(StoredField::BulletinKeyword, a.trim())).filter(|a| !a.is_empty()).collect();
    let areas = serde_json::to_string(&areas).unwrap_or_else(|_| "[]".into());
    let existing: Option<(Id, String, String, Option<Timestamp>, String, String)> = conn
        .query_row(
            "SELECT id, body, kind, ends_at, keywords, areas FROM bulletins WHERE title = ?1 AND starts_at = ?2",
            params![title, b.starts_at],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .optional()?;
    match existing {
        Some((_, old_body, kind, ends_at, old_keywords, old_areas))
            if old_body == body
                && kind == b.kind.as_str()
                && ends_at == b.ends_at
                && old_keywords == keywords
                && old_areas == areas =>
        {
            Ok(Upsert::Unchanged)
        }
        Some((id, old_body, ..)) => {
            // A new end time alone (an incident resolved) does not need re-reading.
            conn.execute(
                "UPDATE bulletins SET body = ?2, kind = ?3, ends_at = ?4, keywords = ?5, areas = ?7,
                    read_at = CASE WHEN ?6 THEN read_at END
                 WHERE id = ?1",
                params![id, body, b.kind.as_str(), b.ends_at, keywords, old_body == body, areas],
            )?;
            Ok(Upsert::Updated)
        }
        None => {
            conn.execute(
                "INSERT INTO bulletins(title, body, kind, starts_at, ends_at, keywords, areas, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, unixepoch())",
                params![title, body, b.kind.as_str(), b.starts_at, b.ends_at, keywords, areas],
            )?;
            Ok(Upsert::Added)
        }
    }
}
