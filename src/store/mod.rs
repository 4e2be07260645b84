//! SQLite storage: opening and migrating the workspace, one module per table family,
//! and the worker threads that own connections so the UI never waits on a query.

pub mod backup;
pub mod bulletins;
pub mod contacts;
pub mod customers;
pub mod erase;
pub mod fts;
pub mod kb;
pub mod merge;
pub mod messages;
mod migrate;
pub mod notes;
pub mod open;
pub mod profile;
pub mod report;
pub mod scripts;
pub mod shift;
pub mod snippets;
pub mod worker;

pub use open::{OpenError, connect, open_in_memory, open_workspace};

use rusqlite::{Connection, Transaction, TransactionBehavior};

/// Runs `f` in a `BEGIN IMMEDIATE` transaction: the write lock is taken up front, so a
/// second instance waits on `busy_timeout` instead of failing mid-transaction with
/// "database is locked" (a deferred read→write upgrade cannot wait).
pub fn write<T, E>(conn: &mut Connection, f: impl FnOnce(&Transaction<'_>) -> Result<T, E>) -> Result<T, E>
where
    E: From<rusqlite::Error>,
{
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let value = f(&tx)?;
    tx.commit()?;
    Ok(value)
}

/// Reads a workspace-wide setting.
pub fn meta_get(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    use rusqlite::OptionalExtension;
    conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()
}

/// Writes a workspace-wide setting.
pub fn meta_set(conn: &Connection, key: &str, value: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [key, value],
    )?;
    Ok(())
}
