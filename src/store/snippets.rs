//! Snippets: canned responses with placeholders, found by any word of their title or body.

use rusqlite::{Connection, OptionalExtension, params};

use super::fts::{self, Combine};
use super::kb::Upsert;
use crate::domain::text::{StoredField, clean_stored_text};
use crate::domain::{Id, Timestamp};

/// bm25 column weights: title, body. A word in the title outranks many in the body.
const WEIGHTS: (f64, f64) = (10.0, 1.0);

pub use crate::domain::Snippet;

/// A snippet's title and body as stored (see [`clean_stored_text`]).
fn clean(title: &str, body: &str) -> (String, String) {
    (
        clean_stored_text(StoredField::SnippetTitle, title.trim()).text,
        clean_stored_text(StoredField::SnippetBody, body).text,
    )
}

/// Finds snippets by words in the title or body, as the rep types (the last word is a
/// prefix). Snippets whose title matches come first; then by relevance. If no snippet has
/// every word, any word will do. An input without words lists every snippet by title.
pub fn search(conn: &Connection, query: &str, limit: usize) -> rusqlite::Result<Vec<Snippet>> {
    let Some(all) = fts::build_query(query, Combine::All) else {
        let mut list = self::all(conn)?;
        list.truncate(limit);
        return Ok(list);
    };
    let hits = run_match(conn, &all, limit)?;
    if !hits.is_empty() {
        return Ok(hits);
    }
    match fts::build_query(query, Combine::Any) {
        Some(any) if any != all => run_match(conn, &any, limit),
        _ => Ok(hits),
    }
}

fn run_match(conn: &Connection, query: &str, limit: usize) -> rusqlite::Result<Vec<Snippet>> {
    let sql = format!(
        "SELECT s.id, s.title, s.body,
                s.id IN (SELECT rowid FROM snippets_fts WHERE snippets_fts MATCH '{{title}} : (' || ?1 || ')') AS in_title,
                bm25(snippets_fts, {}, {}) AS score
         FROM snippets_fts JOIN snippets s ON s.id = snippets_fts.rowid
         WHERE snippets_fts MATCH ?1
         ORDER BY in_title DESC, score, s.title LIMIT ?2",
        WEIGHTS.0, WEIGHTS.1
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![query, i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
        Ok(Snippet { id: r.get(0)?, title: r.get(1)?, body: r.get(2)? })
    })?;
    rows.collect()
}

/// Every snippet, by title (case-insensitive).
pub fn all(conn: &Connection) -> rusqlite::Result<Vec<Snippet>> {
    conn.prepare_cached("SELECT id, title, body FROM snippets ORDER BY title COLLATE NOCASE, id")?
        .query_map([], |r| Ok(Snippet { id: r.get(0)?, title: r.get(1)?, body: r.get(2)? }))?
        .collect()
}

/// One snippet.
pub fn get(conn: &Connection, id: Id) -> rusqlite::Result<Option<Snippet>> {
    conn.query_row("SELECT id, title, body FROM snippets WHERE id = ?1", [id], |r| {
        Ok(Snippet { id: r.get(0)?, title: r.get(1)?, body: r.get(2)? })
    })
    .optional()
}

/// Adds a snippet, or replaces the body of the one with the same title (imports use it).
/// An empty title is refused by the schema.
pub fn upsert(conn: &Connection, title: &str, body: &str, now: Timestamp) -> rusqlite::Result<Upsert> {
    let (title, body) = clean(title, body);
    let existing: Option<(Id, String)> = conn
        .query_row("SELECT id, body FROM snippets WHERE title = ?1", [&title], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match existing {
        Some((_, old)) if old == body => Ok(Upsert::Unchanged),
        Some((id, _)) => {
            conn.execute("UPDATE snippets SET body = ?2, updated_at = ?3 WHERE id = ?1", params![id, body, now])?;
            Ok(Upsert::Updated)
        }
        None => {
            conn.execute(
                "INSERT INTO snippets(title, body, updated_at) VALUES (?1, ?2, ?3)",
                params![title, body, now],
            )?;
            Ok(Upsert::Added)
        }
    }
}

/// Adds a snippet and returns it (the TUI's "new snippet"). A title already in use is
/// refused by the schema (UNIQUE).
pub fn insert(conn: &Connection, title: &str, body: &str, now: Timestamp) -> rusqlite::Result<Snippet> {
    let (title, body) = clean(title, body);
    conn.execute("INSERT INTO snippets(title, body, updated_at) VALUES (?1, ?2, ?3)", params![title, body, now])?;
    let id = conn.last_insert_rowid();
    conn.query_row("SELECT id, title, body FROM snippets WHERE id = ?1", [id], |r| {
        Ok(Snippet { id: r.get(0)?, title: r.get(1)?, body: r.get(2)? })
    })
}

/// Changes a snippet's title and body; `false` when there is no such snippet. A title
/// another snippet has is refused by the schema (UNIQUE).
pub fn update(conn: &Connection, id: Id, title: &str, body: &str, now: Timestamp) -> rusqlite::Result<bool> {
    let (title, body) = clean(title, body);
    let n = conn.execute(
        "UPDATE snippets SET title = ?2, body = ?3, updated_at = ?4 WHERE id = ?1",
        params![id, title, body, now],
    )?;
    Ok(n > 0)
}

/// Deletes a snippet; `false` when there was no such snippet.
pub fn delete(conn: &Connection, id: Id) -> rusqlite::Result<bool> {
    Ok(conn.execute("DELETE FROM snippets WHERE id = ?1", [id])? > 0)
}

/// How many snippets the workspace holds.
pub fn count(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT count(*) FROM snippets", [], |r| r.get(0))
}
