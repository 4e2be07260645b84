//! Knowledge on the store worker: articles, the palette's database entries and how often
//! each was chosen, snippets, bulletins and scripts.

use std::collections::HashMap;

use rusqlite::Connection;

use super::failed;
use crate::domain::Id;
use crate::domain::invocation::Invocation;
use crate::domain::time::now;
use crate::protocol::Reply;
use crate::store::{self, bulletins, customers, kb, scripts, snippets};

/// One article, to read.
pub(super) fn article(conn: &Connection, seq: u64, id: Id) -> Reply {
    match kb::article(conn, id) {
        Ok(article) => Reply::Article { seq, article },
        Err(e) => failed("Opening the article", &e),
    }
}

/// Snippets, and (unless only snippets are wanted) articles and customers, matching the
/// palette's text; the palette adds its own entries and ranks them.
pub(super) fn palette_search(conn: &Connection, seq: u64, query: &str, snippets_only: bool) -> Reply {
    let result = (|| {
        let snippets = snippets::search(conn, query, if snippets_only { 30 } else { 6 })?;
        if snippets_only || query.trim().is_empty() {
            return Ok(Reply::PaletteHits { seq, snippets, articles: Vec::new(), customers: Vec::new() });
        }
        let articles = kb::search(conn, query, 6)?;
        let customers = customers::search(conn, query, 6)?;
        Ok(Reply::PaletteHits { seq, snippets, articles, customers })
    })();
    result.unwrap_or_else(|e: rusqlite::Error| failed("Searching", &e))
}

/// How often each palette entry was chosen, kept in the workspace's meta table.
fn palette_usage(conn: &Connection) -> rusqlite::Result<HashMap<String, u32>> {
    Ok(store::meta_get(conn, "palette_usage")?.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default())
}

/// The palette's usage counts.
pub(super) fn load_palette_usage(conn: &Connection) -> Reply {
    match palette_usage(conn) {
        Ok(usage) => Reply::PaletteUsage { usage },
        Err(e) => failed("Reading palette usage", &e),
    }
}

/// Counts one use of a palette entry.
pub(super) fn record_palette_use(conn: &mut Connection, key: String) -> Reply {
    let result = store::write(conn, |tx| {
        let mut usage = palette_usage(tx)?;
        *usage.entry(key).or_default() += 1;
        let text = serde_json::to_string(&usage).unwrap_or_default();
        store::meta_set(tx, "palette_usage", &text)?;
        Ok::<_, rusqlite::Error>(usage)
    });
    match result {
        Ok(usage) => Reply::PaletteUsage { usage },
        Err(e) => failed("Remembering the palette choice", &e),
    }
}

/// Creates (`id` None) or changes a snippet.
pub(super) fn save_snippet(conn: &mut Connection, id: Option<Id>, title: &str, body: &str) -> Reply {
    let result = store::write(conn, |tx| match id {
        Some(id) => snippets::update(tx, id, title, body, now()),
        None => snippets::insert(tx, title, body, now()).map(|_| true),
    });
    match result {
        Ok(true) => Reply::Done { message: format!("Snippet “{title}” saved (Ctrl-T to use it)") },
        Ok(false) => Reply::Refused { message: "That snippet no longer exists".into() },
        Err(e) => failed("Saving the snippet", &e),
    }
}

/// Writes a draft article from a resolved contact's notes (or finds the one written before).
pub(super) fn draft_article(conn: &mut Connection, contact: Id, frontline: &Invocation) -> Reply {
    match store::write(conn, |tx| kb::drafts::from_contact(tx, contact, now())) {
        Ok(Ok(made)) => Reply::Done { message: made.summary(frontline) },
        Ok(Err(refused)) => Reply::Refused { message: format!("No draft article: {refused}") },
        Err(e) => failed("Writing the draft article", &e),
    }
}

/// Deletes a snippet.
pub(super) fn delete_snippet(conn: &mut Connection, id: Id) -> Reply {
    match store::write(conn, |tx| snippets::delete(tx, id)) {
        Ok(_) => Reply::Done { message: "Snippet deleted".into() },
        Err(e) => failed("Deleting the snippet", &e),
    }
}

/// The active bulletins (unread flags included).
pub(super) fn load_bulletins(conn: &Connection) -> Reply {
    match bulletins::active(conn, now()) {
        Ok(bulletins) => Reply::Bulletins { bulletins },
        Err(e) => failed("Reading bulletins", &e),
    }
}

/// Marks bulletins read and answers with the fresh list.
pub(super) fn mark_bulletins_read(conn: &mut Connection, ids: &[Id]) -> Reply {
    match store::write(conn, |tx| bulletins::mark_read(tx, ids, now())) {
        Ok(_) => load_bulletins(conn),
        Err(e) => failed("Marking bulletins read", &e),
    }
}

/// Every script, with the steps already ticked on a contact.
pub(super) fn load_scripts(conn: &Connection, contact: Id) -> Reply {
    match scripts::all(conn).and_then(|all| Ok((all, scripts::ticks(conn, contact)?))) {
        Ok((scripts, ticks)) => Reply::Scripts { contact, scripts, ticks },
        Err(e) => failed("Reading scripts", &e),
    }
}

/// Ticks a script step on a contact (which writes it into the contact's notes).
pub(super) fn tick_step(conn: &mut Connection, contact: Id, script: Id, step: usize) -> Reply {
    match store::write(conn, |tx| scripts::tick(tx, contact, script, step, now())) {
        Ok(note) => Reply::StepTicked { contact, script, step, note },
        Err(e) => failed("Ticking the step", &e),
    }
}

/// Remembers which words led the rep to an article (nothing to tell the rep).
pub(super) fn record_article_use(conn: &mut Connection, query: &str, article: Id) -> Reply {
    match store::write(conn, |tx| kb::record_use(tx, query, article, now())) {
        Ok(_) => Reply::Nothing,
        Err(e) => failed("Remembering the article used", &e),
    }
}

/// Undoes a tick; the contact's notes say so.
pub(super) fn untick_step(conn: &mut Connection, contact: Id, script: Id, step: usize) -> Reply {
    match store::write(conn, |tx| scripts::undo_tick(tx, contact, script, step, now())) {
        Ok(Some(note)) => Reply::StepUnticked { contact, script, step, note },
        Ok(None) => Reply::Nothing,
        Err(e) => failed("Undoing the tick", &e),
    }
}
