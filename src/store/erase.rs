//! Erasure that erases: forgetting a customer removes everything that identifies them so
//! that their name, email and phone can no longer be found anywhere in the database file
//! or its WAL.
//!
//! How the bytes go away:
//! - `PRAGMA secure_delete=ON` is set on every connection (`open::configure`), so SQLite
//!   overwrites deleted rows and freed pages with zeros instead of leaving them in free
//!   space; [`forget_customer`] checks it is on before deleting anything.
//! - The rows are deleted or overwritten in one `BEGIN IMMEDIATE` transaction.
//! - Afterwards `PRAGMA wal_checkpoint(TRUNCATE)` copies the zeroed pages into the main
//!   file and truncates the WAL, which until then still holds the old page images.
//! - Full-text indexes: the FTS5 tables today are `kb_fts` and `kb_title_fts` (external
//!   content over `kb_articles`) and `snippets_fts` (canned responses); none holds customer
//!   text. Any future FTS5 index that can hold
//!   customer text (notes, contact bodies, customer names) MUST be created with
//!   `INSERT INTO x(x, rank) VALUES('secure-delete', 1)` so deleted tokens are removed from
//!   its b-tree rather than just marked deleted, and must be cleared here.

use anyhow::{Context, Result, bail};
use rusqlite::{Connection, params};
use serde::Serialize;

use crate::domain::Id;

use super::write;

/// What replaces the subject, body and tags of an erased person's contacts.
pub const ERASED: &str = "[erased]";

/// What [`forget_customer`] removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ForgetSummary {
    pub customer: Id,
    pub identities: usize,
    pub orders: usize,
    pub billing_events: usize,
    pub notes: usize,
    pub drafts: usize,
    pub follow_ups: usize,
    pub history_entries: usize,
    /// Contacts kept for aggregate metrics, with their text blanked and no customer.
    pub contacts_anonymised: usize,
    /// Whether the WAL checkpoint completed (another open connection can hold it back; the
    /// next checkpoint then finishes the job).
    pub wal_checkpointed: bool,
}

/// Forgets a customer in one transaction: deletes identities, orders, billing events,
/// notes, drafts, follow-ups, history and the customer; for the person's contacts blanks
/// subject, body and tags to [`ERASED`], clears event details and detaches them (no
/// customer), keeping channel, times, status, disposition and CSAT so aggregate metrics
/// still count them. The knowledge base is untouched. Then checkpoints and truncates the WAL.
pub fn forget_customer(conn: &mut Connection, id: Id) -> Result<ForgetSummary> {
    let secure: i64 = conn.pragma_query_value(None, "secure_delete", |r| r.get(0))?;
    if secure != 1 {
        conn.pragma_update(None, "secure_delete", "ON")?;
    }
    let mut s = write(conn, |tx| -> Result<ForgetSummary> {
        let exists: bool = tx.query_row("SELECT EXISTS(SELECT 1 FROM customers WHERE id = ?1)", [id], |r| r.get(0))?;
        if !exists {
            bail!("customer #{id} does not exist");
        }
        let mut s = ForgetSummary { customer: id, ..ForgetSummary::default() };
        // Their contacts; detached last, so this still finds them until then.
        let theirs = "SELECT id FROM contacts WHERE customer_id = ?1";
        s.notes = tx.execute(&format!("DELETE FROM notes WHERE customer_id = ?1 OR contact_id IN ({theirs})"), [id])?;
        s.drafts = tx.execute(&format!("DELETE FROM drafts WHERE contact_id IN ({theirs})"), [id])?
            + tx.execute(&format!("DELETE FROM reply_drafts WHERE contact_id IN ({theirs})"), [id])?;
        s.follow_ups =
            tx.execute(&format!("DELETE FROM follow_ups WHERE customer_id = ?1 OR contact_id IN ({theirs})"), [id])?;
        tx.execute(&format!("UPDATE contact_events SET detail = NULL WHERE contact_id IN ({theirs})"), [id])?;
        s.contacts_anonymised = tx.execute(
            &format!(
                "UPDATE contacts SET subject = ?2, body = ?2, tags = ?2, escalation_reason = NULL, customer_id = NULL
                 WHERE id IN ({theirs})"
            ),
            params![id, ERASED],
        )?;
        s.identities = tx.execute("DELETE FROM identities WHERE customer_id = ?1", [id])?;
        s.orders = tx.execute("DELETE FROM orders WHERE customer_id = ?1", [id])?;
        s.billing_events = tx.execute("DELETE FROM billing_events WHERE customer_id = ?1", [id])?;
        s.history_entries = tx.execute("DELETE FROM customer_history WHERE customer_id = ?1", [id])?;
        tx.execute("DELETE FROM customers WHERE id = ?1", [id])?;
        Ok(s)
    })?;
    s.wal_checkpointed = checkpoint(conn).context("checkpointing the WAL after erasure")?;
    Ok(s)
}

/// Copies the WAL into the database file and truncates it; `false` if another connection
/// kept part of it in use.
pub fn checkpoint(conn: &Connection) -> rusqlite::Result<bool> {
    let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Ok(true);
    }
    let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
    Ok(busy == 0)
}
