//! Large writes done the way SQLite does them fastest. An import of a team's whole history
//! (a million contacts) spent most of its time on work that a bulk write can do once
//! instead of once per row:
//!
//! - an index that every row updates at a random place (contacts by customer: the rows come
//!   in time order, the customers in any order) is dropped at its start and built again by
//!   one sort before it commits ([`DeferredIndexes`]). Indexes the rows arrive in order for
//!   (a contact's events, by contact) grow at their end and cost little, so they stay;
//! - SQLite's per-row foreign-key lookups are off for its transaction ([`BulkConnection`]):
//!   every reference such a write makes is to a row it has just found or written in that
//!   same transaction, so the lookups could only ever succeed (the importers' tests run
//!   `PRAGMA foreign_key_check` after their imports to keep that true).
//!
//! Both happen inside the import's one transaction or around it, so a failed import
//! leaves the workspace exactly as it was (a `DROP INDEX` is rolled back with the rows),
//! and readers on other connections keep their snapshot, indexes included, until commit.

use rusqlite::{Connection, params};

/// A connection set up for one bulk write; [`BulkConnection::restore`] gives back what it
/// had (the connection may be the workstation's own, when the demo imports its data).
pub struct BulkConnection {
    cache_before: i64,
    foreign_keys_before: bool,
    checkpoint_before: i64,
}

/// Pages the write-ahead log may grow to during a bulk write before SQLite folds it into
/// the file (32 MiB; SQLite's default is 1,000 pages). A first Maildir sync commits every
/// 50 ms, and folding the log at nearly every commit wrote the pages of its indexes into the
/// file again each time and waited for the disk each time: a third of its storing.
const BULK_CHECKPOINT_PAGES: i64 = 8192;

impl BulkConnection {
    /// Gives the connection a page cache of `cache_kib` KiB, a longer write-ahead log and
    /// turns foreign-key enforcement off. Call outside a transaction (SQLite ignores the
    /// change inside one).
    pub fn set_up(conn: &Connection, cache_kib: i64) -> rusqlite::Result<Self> {
        let before = Self {
            cache_before: conn.pragma_query_value(None, "cache_size", |r| r.get(0))?,
            foreign_keys_before: conn.pragma_query_value(None, "foreign_keys", |r| r.get(0))?,
            checkpoint_before: conn.pragma_query_value(None, "wal_autocheckpoint", |r| r.get(0))?,
        };
        let changed = (|| {
            super::set_cache_size(conn, -cache_kib)?;
            conn.pragma_update(None, "foreign_keys", false)?;
            conn.pragma_update(None, "wal_autocheckpoint", BULK_CHECKPOINT_PAGES)
        })();
        match changed {
            Ok(()) => Ok(before),
            // Half set up is not left behind: the connection goes on serving other work.
            Err(e) => {
                let _ = before.restore(conn);
                Err(e)
            }
        }
    }

    /// Puts the cache size, the log's length and foreign-key enforcement back as they were,
    /// and folds what the log holds into the file, so that the next writer (a rep's save)
    /// does not find a long log to fold first.
    pub fn restore(self, conn: &Connection) -> rusqlite::Result<()> {
        conn.pragma_update(None, "foreign_keys", self.foreign_keys_before)?;
        conn.pragma_update(None, "wal_autocheckpoint", self.checkpoint_before)?;
        // PASSIVE: never waits for readers; what a reader still needs is folded later.
        conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        super::set_cache_size(conn, self.cache_before).map(drop)
    }
}

/// Folds the write-ahead log into the file on a thread and connection of its own while a
/// long write commits batch after batch (a first Maildir sync). SQLite lets a checkpoint
/// copy committed pages while the writer goes on, so most of the copying, and the waits
/// for the disk, run on another core instead of after the writer's commits, where they
/// were a fifth of the sync. The log starts over whenever it has been folded entirely, and
/// the writer's connection still folds at its own threshold ([`BulkConnection`]'s 32 MiB)
/// when it finds the log that long, so the log stays a fraction of what is written (at
/// most 76 MB while a sync wrote a 93 MB file). [`Checkpointer::finish`] stops the thread.
pub struct Checkpointer {
    /// Dropped to stop the thread.
    stop: std::sync::mpsc::Sender<()>,
    thread: std::thread::JoinHandle<()>,
}

/// How often the checkpointer looks for committed pages to fold.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(20);

impl Checkpointer {
    /// Starts folding the log of `conn`'s workspace. `None` (nothing started) for a
    /// workspace without a file of its own — an in-memory one has no log — or when a second
    /// connection cannot be opened (the writer's connection then folds alone, as it would).
    pub fn start(conn: &Connection) -> Option<Self> {
        let path = conn.path().filter(|p| !p.is_empty())?;
        let folder = super::connect(std::path::Path::new(path)).ok()?;
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            crate::priority::run_in_background();
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(CHECKPOINT_EVERY) {
                // PASSIVE never waits for the writer or for readers; a fold that fails is
                // tried again by the next one, and the writer's connection folds what is left.
                let _ = folder.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
            }
        });
        Some(Self { stop, thread })
    }

    /// Stops the thread (after the fold it may be in).
    pub fn finish(self) {
        drop(self.stop);
        // The thread only runs checkpoints, which report failures rather than panic.
        let _ = self.thread.join();
    }
}

/// Files of fewer records than this keep the indexes: rebuilding one sorts every row of its
/// table, and below this the per-row updates cost less than that sort.
pub const DEFER_FROM_ROWS: u64 = 50_000;

/// Secondary indexes set aside for a bulk write; [`DeferredIndexes::rebuild`] creates them
/// again from the very SQL they were created with.
#[must_use = "the indexes are gone until rebuild() runs"]
pub struct DeferredIndexes {
    /// `CREATE INDEX …` statements as `sqlite_schema` keeps them.
    created_by: Vec<String>,
}

impl DeferredIndexes {
    /// Drops the named `indexes` when `incoming` rows are at least [`DEFER_FROM_ROWS`] and
    /// at least as many as the first index's table already holds (rebuilding sorts the old
    /// rows too); otherwise drops nothing. An index that does not exist is skipped.
    pub fn drop_for_large_write(conn: &Connection, indexes: &[&str], incoming: u64) -> rusqlite::Result<Self> {
        let mut found: Vec<(String, String, String)> = Vec::new();
        for index in indexes {
            let mut rows = conn.prepare_cached(
                "SELECT name, tbl_name, sql FROM sqlite_schema WHERE type = 'index' AND name = ?1 AND sql IS NOT NULL",
            )?;
            for row in rows.query_map(params![index], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))? {
                found.push(row?);
            }
        }
        let Some((_, table, _)) = found.first() else { return Ok(Self { created_by: Vec::new() }) };
        // The largest rowid: an upper bound of the row count that costs one b-tree step.
        let existing: i64 = conn.query_row(
            &format!("SELECT ifnull(max(rowid), 0) FROM \"{}\"", table.replace('"', "\"\"")),
            [],
            |r| r.get(0),
        )?;
        if incoming < DEFER_FROM_ROWS || i64::try_from(incoming).unwrap_or(i64::MAX) < existing {
            return Ok(Self { created_by: Vec::new() });
        }
        for (name, _, _) in &found {
            conn.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
        }
        Ok(Self { created_by: found.into_iter().map(|(_, _, sql)| sql).collect() })
    }

    /// How many indexes are set aside.
    pub fn len(&self) -> usize {
        self.created_by.len()
    }

    /// True when nothing was set aside.
    pub fn is_empty(&self) -> bool {
        self.created_by.is_empty()
    }

    /// Builds every dropped index again.
    pub fn rebuild(self, conn: &Connection) -> rusqlite::Result<()> {
        for sql in &self.created_by {
            conn.execute_batch(sql)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn indexes(conn: &Connection, table: &str) -> Vec<String> {
        let mut s = conn
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = ?1 ORDER BY name")
            .unwrap();
        s.query_map([table], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    }

    #[test]
    fn indexes_come_back_as_they_were_and_unique_rules_never_leave() {
        let mut conn = crate::store::open_in_memory().unwrap();
        let before = indexes(&conn, "identities");
        assert!(before.len() >= 2 && before.iter().any(|n| n.starts_with("sqlite_autoindex")), "{before:?}");
        crate::store::write(&mut conn, |tx| -> rusqlite::Result<()> {
            let deferred = DeferredIndexes::drop_for_large_write(
                tx,
                &["identities_by_customer", "sqlite_autoindex_identities_1", "no_such_index"],
                DEFER_FROM_ROWS,
            )?;
            assert_eq!(deferred.len(), 1);
            // A uniqueness rule's own index is never set aside.
            assert_eq!(indexes(tx, "identities"), vec!["sqlite_autoindex_identities_1".to_string()]);
            deferred.rebuild(tx)
        })
        .unwrap();
        assert_eq!(indexes(&conn, "identities"), before);
    }

    #[test]
    fn a_failed_write_keeps_the_indexes() {
        let mut conn = crate::store::open_in_memory().unwrap();
        let before = indexes(&conn, "contacts");
        let failed = crate::store::write(&mut conn, |tx| -> rusqlite::Result<()> {
            let deferred = DeferredIndexes::drop_for_large_write(tx, &["contacts_by_customer"], DEFER_FROM_ROWS)?;
            assert!(!deferred.is_empty());
            Err(rusqlite::Error::InvalidQuery)
        });
        assert!(failed.is_err());
        assert_eq!(indexes(&conn, "contacts"), before);
        assert!(before.contains(&"contacts_by_customer".to_string()), "{before:?}");
    }

    #[test]
    fn small_writes_and_writes_smaller_than_the_table_keep_the_indexes() {
        let mut conn = crate::store::open_in_memory().unwrap();
        conn.execute("INSERT INTO customers(id, name, created_at) VALUES (1, 'x', 0)", []).unwrap();
        conn.execute(
            "INSERT INTO contacts(id, customer_id, channel, subject, status, created_at) VALUES (200000, 1, 'phone', 's', 'waiting', 0)",
            [],
        )
        .unwrap();
        crate::store::write(&mut conn, |tx| -> rusqlite::Result<()> {
            assert!(
                DeferredIndexes::drop_for_large_write(tx, &["contacts_by_customer"], DEFER_FROM_ROWS - 1)?.is_empty()
            );
            assert!(DeferredIndexes::drop_for_large_write(tx, &["contacts_by_customer"], 199_999)?.is_empty());
            assert_eq!(DeferredIndexes::drop_for_large_write(tx, &["contacts_by_customer"], 200_000)?.len(), 1);
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn the_checkpointer_runs_beside_a_workspace_file_and_never_for_one_in_memory() {
        assert!(Checkpointer::start(&crate::store::open_in_memory().unwrap()).is_none());
        let dir = tempfile::tempdir().unwrap();
        let mut conn = crate::store::open_workspace(&dir.path().join("w.db")).unwrap();
        let folding = Checkpointer::start(&conn).expect("a workspace file has a log to fold");
        for i in 0..200 {
            crate::store::write(&mut conn, |tx| {
                tx.execute("INSERT INTO customers(name, created_at) VALUES (?1, 0)", params![format!("c{i}")])
            })
            .unwrap();
        }
        folding.finish();
        let count: i64 = conn.query_row("SELECT count(*) FROM customers", [], |r| r.get(0)).unwrap();
        assert_eq!(count, 200);
        assert_eq!(crate::store::integrity_check(&conn).unwrap(), "ok");
    }

    #[test]
    fn the_connection_gets_its_settings_back() {
        let conn = crate::store::open_in_memory().unwrap();
        let fk = |c: &Connection| c.pragma_query_value(None, "foreign_keys", |r| r.get::<_, bool>(0)).unwrap();
        let cache = |c: &Connection| c.pragma_query_value(None, "cache_size", |r| r.get::<_, i64>(0)).unwrap();
        let log = |c: &Connection| c.pragma_query_value(None, "wal_autocheckpoint", |r| r.get::<_, i64>(0)).unwrap();
        let before = (fk(&conn), cache(&conn), log(&conn));
        assert!(before.0);
        let bulk = BulkConnection::set_up(&conn, 1024).unwrap();
        assert!(!fk(&conn));
        assert_eq!(cache(&conn), -1024);
        assert_eq!(log(&conn), BULK_CHECKPOINT_PAGES);
        bulk.restore(&conn).unwrap();
        assert_eq!((fk(&conn), cache(&conn), log(&conn)), before);
    }
}
