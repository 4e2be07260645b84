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
//! - Message-IDs of the person's mail stay, as tombstones that keep a sync from reading the
//!   same mail back in, but only as a one-way hash ([`message_id_tombstone`]): an id such as
//!   `<CAF…ana.reyes@mail.example>` can name the sender.
//!
//! Outside the database: [`traces`] reads, before the erasure, what identifies the person
//! in files Frontline wrote (the inbox's `done/` and `rejected/`, the outbox copies of
//! replies), for `intake::inbox::erase_customer_files` to clean. Earlier backups
//! and exports are out of reach (the README says so).

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use rusqlite::{Connection, Transaction, params};
use serde::Serialize;

use crate::domain::{Id, IdentityKind};

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
    /// Stored Message-IDs of their mail replaced by one-way hashes.
    pub message_ids_hashed: usize,
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
        // Draft articles are made of their contacts' notes.
        super::kb::drafts::delete_for_customer(tx, id)?;
        // The Message-IDs their mail named (a thread's ids) go too: they can name them.
        tx.execute(&format!("DELETE FROM message_thread_ids WHERE contact_id IN ({theirs})"), [id])?;
        s.notes = tx.execute(&format!("DELETE FROM notes WHERE customer_id = ?1 OR contact_id IN ({theirs})"), [id])?;
        s.drafts = tx.execute(&format!("DELETE FROM drafts WHERE contact_id IN ({theirs})"), [id])?
            + tx.execute(&format!("DELETE FROM reply_drafts WHERE contact_id IN ({theirs})"), [id])?;
        s.follow_ups =
            tx.execute(&format!("DELETE FROM follow_ups WHERE customer_id = ?1 OR contact_id IN ({theirs})"), [id])?;
        tx.execute(&format!("UPDATE contact_events SET detail = NULL WHERE contact_id IN ({theirs})"), [id])?;
        s.message_ids_hashed = hash_message_ids(tx, id)?;
        s.contacts_anonymised = tx.execute(
            &format!(
                "UPDATE contacts SET subject = ?2, body = ?2, body_in_thread = 0, tags = ?2, escalation_reason = NULL,
                                     customer_id = NULL
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

/// The tombstone kept instead of an erased message's Message-ID: a hash that still tells a
/// sync "this mail was read before" (compare a new message's id through this function)
/// without keeping the id's text.
pub fn message_id_tombstone(message_id: &str) -> String {
    // FNV-1a, twice with different offsets, for 128 bits: no extra dependency, and an id
    // cannot be recovered without guessing the whole of it.
    let fnv = |offset: u64| message_id.bytes().fold(offset, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!("erased-{:016x}{:016x}@frontline.erased", fnv(0xcbf2_9ce4_8422_2325), fnv(0x6c62_272e_07bb_0142))
}

/// Whether a message with this Message-ID was read before and then erased with its customer.
pub fn was_erased(conn: &Connection, message_id: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT EXISTS(SELECT 1 FROM contact_messages WHERE message_id = ?1)")?
        .query_row([message_id_tombstone(message_id)], |r| r.get(0))
}

/// Replaces the Message-IDs of the customer's mail with their tombstones.
fn hash_message_ids(tx: &Transaction<'_>, customer: Id) -> rusqlite::Result<usize> {
    let ids: Vec<(Id, String)> = tx
        .prepare(
            "SELECT m.id, m.message_id FROM contact_messages m JOIN contacts c ON c.id = m.contact_id
              WHERE c.customer_id = ?1 AND m.message_id NOT LIKE 'erased-%@frontline.erased'",
        )?
        .query_map([customer], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    // OR REPLACE: the same mail read in again after an earlier erasure (from another copy
    // of the Maildir) already has its tombstone; one is enough.
    let mut update = tx.prepare("UPDATE OR REPLACE contact_messages SET message_id = ?2 WHERE id = ?1")?;
    for (row, message_id) in &ids {
        update.execute(params![row, message_id_tombstone(message_id)])?;
    }
    Ok(ids.len())
}

/// What identifies a customer outside the database, read before [`forget_customer`] (which
/// deletes it): for cleaning the files Frontline wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Traces {
    pub customer: Id,
    pub name: String,
    /// Each identity with its kind, normalised (`domain::identity::normalize`).
    pub identities: Vec<(IdentityKind, String)>,
    /// The files replies to them were written to (an outbox Maildir's `new/`), as recorded.
    pub reply_files: Vec<PathBuf>,
    /// Their contacts: replies to inbox contacts are files named after the contact.
    pub contacts: Vec<Id>,
}

/// Reads the [`Traces`] of a customer (an error if there is no such customer).
pub fn traces(conn: &Connection, id: Id) -> Result<Traces> {
    use rusqlite::OptionalExtension;
    let name: Option<String> =
        conn.query_row("SELECT name FROM customers WHERE id = ?1", [id], |r| r.get(0)).optional()?;
    let Some(name) = name else { bail!("customer #{id} does not exist") };
    let identities = conn
        .prepare("SELECT kind, normalized FROM identities WHERE customer_id = ?1 ORDER BY id")?
        .query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .filter_map(|row| row.map(|(k, v)| IdentityKind::parse(&k).map(|k| (k, v))).transpose())
        .collect::<rusqlite::Result<_>>()?;
    let reply_files = conn
        .prepare(
            "SELECT m.source FROM contact_messages m JOIN contacts c ON c.id = m.contact_id
              WHERE c.customer_id = ?1 AND m.direction = 'outbound' AND m.source <> ''
                AND m.source NOT LIKE 'sendmail:%'",
        )?
        .query_map([id], |r| r.get::<_, String>(0))?
        .map(|p| p.map(PathBuf::from))
        .collect::<rusqlite::Result<_>>()?;
    let contacts = conn
        .prepare("SELECT id FROM contacts WHERE customer_id = ?1 ORDER BY id")?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Traces { customer: id, name, identities, reply_files, contacts })
}

/// Where an erasure cleaned something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    /// A table of the workspace.
    Database,
    /// A file Frontline wrote outside it.
    File,
}

/// What was done there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cleaning {
    /// Rows or files removed.
    Deleted,
    /// Rows kept with their text replaced by [`ERASED`].
    Blanked,
    /// Values replaced by one-way hashes.
    Hashed,
    /// A file rewritten without the person's records.
    Rewritten,
    /// The write-ahead log copied into the file and truncated.
    Checkpointed,
}

/// One place an erasure cleaned, as `customer forget --json` lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cleaned {
    #[serde(rename = "where")]
    pub place: Place,
    /// The table, or the file's path.
    pub name: String,
    pub action: Cleaning,
    /// Rows, or records in a file, affected.
    pub count: usize,
}

impl ForgetSummary {
    /// Every table this erasure changed (those with nothing to change left out), and the WAL.
    pub fn cleaned(&self) -> Vec<Cleaned> {
        use Cleaning::{Blanked, Checkpointed, Deleted, Hashed};
        let rows = [
            ("identities", Deleted, self.identities),
            ("orders", Deleted, self.orders),
            ("billing_events", Deleted, self.billing_events),
            ("notes", Deleted, self.notes),
            ("drafts", Deleted, self.drafts),
            ("follow_ups", Deleted, self.follow_ups),
            ("customer_history", Deleted, self.history_entries),
            ("contacts", Blanked, self.contacts_anonymised),
            ("contact_messages", Hashed, self.message_ids_hashed),
            ("customers", Deleted, 1),
        ];
        let mut cleaned: Vec<Cleaned> = rows
            .into_iter()
            .filter(|(_, _, count)| *count > 0)
            .map(|(table, action, count)| Cleaned { place: Place::Database, name: table.into(), action, count })
            .collect();
        if self.wal_checkpointed {
            cleaned.push(Cleaned { place: Place::Database, name: "-wal".into(), action: Checkpointed, count: 1 });
        }
        cleaned
    }
}
