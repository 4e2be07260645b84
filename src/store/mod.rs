//! SQLite storage: opening and migrating the workspace, one module per table family,
//! and the worker threads that own connections so the UI never waits on a query.

pub mod backup;
pub mod bulk;
pub mod bulletins;
pub mod contact_loop;
pub mod contacts;
pub mod customers;
pub mod erase;
pub mod export;
pub mod fts;
pub mod import_writes;
pub mod kb;
pub mod merge;
pub mod messages;
mod migrate;
pub mod notes;
pub mod open;
pub mod origins;
pub mod profile;
pub mod report;
pub mod same_contact;
pub mod scripts;
pub mod shift;
pub mod snippets;
pub mod team;
pub mod turns;

pub use open::{OpenError, connect, open_in_memory, open_workspace};

use rusqlite::{Connection, Transaction, TransactionBehavior};

/// Runs `f` in a `BEGIN IMMEDIATE` transaction: the write lock is taken up front, so a
/// second instance waits (see [`turns`]) instead of failing mid-transaction with
/// "database is locked" (a deferred read→write upgrade cannot wait).
pub fn write<T, E>(conn: &mut Connection, f: impl FnOnce(&Transaction<'_>) -> Result<T, E>) -> Result<T, E>
where
    E: From<rusqlite::Error>,
{
    // Counted from asking for the lock until done, so a long write makes way (`turns`).
    let _writing = turns::Writing::start(conn);
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

/// SQLite's own integrity check: "ok", or what is wrong.
pub fn integrity_check(conn: &Connection) -> rusqlite::Result<String> {
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
}

/// Folds the write-ahead log into the file and stops using one, so the file alone holds
/// everything (before renaming a freshly seeded workspace into place).
pub fn fold_wal_into_file(conn: &Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "journal_mode", "DELETE")
}

/// SQLite's data version: it changes when another connection commits, so a reader can
/// tell cheaply whether anything changed since it last looked.
pub fn data_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "data_version", |r| r.get(0))
}

/// Sets SQLite's page cache for this connection (negative: KiB; positive: pages) and returns
/// the size it had, so a big import can borrow a larger cache and give it back.
pub fn set_cache_size(conn: &Connection, size: i64) -> rusqlite::Result<i64> {
    let before: i64 = conn.pragma_query_value(None, "cache_size", |r| r.get(0))?;
    conn.pragma_update(None, "cache_size", size)?;
    Ok(before)
}

/// `insert` (an `INSERT … VALUES `) followed by `rows` copies of `row` (`(?, ?)`): one
/// statement for several rows, which costs little more than one for each.
pub(crate) fn insert_rows(insert: &str, row: &str, rows: usize) -> String {
    let mut sql = String::from(insert);
    for i in 0..rows {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(row);
    }
    sql
}
