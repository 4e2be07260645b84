//! Customers and contacts from `.json` (an array of objects) or `.csv` (a header row).
//! Both formats become the same rows, checked by the same code: [`read`] turns a file into
//! rows, [`check`] turns each row into a record that passed every rule, [`write`] puts
//! checked records into the store. This module runs the three as one import.

mod check;
mod read;
mod write;

use std::path::Path;

use anyhow::Result;
use rusqlite::Connection;
use serde_json::{Map, Value};

pub use check::{CheckedContact, check_contact_row};
pub(super) use check::{typed, warn_unknown};
pub use read::{Opened, Row, RowStream, open_rows, parse_rows, read_rows};
pub use write::{InsertedContact, KnownCustomers, insert_checked_contact};

use crate::domain::Timestamp;
use crate::import::Origin;
use crate::progress::{Progress, Quiet};
use crate::store;
use crate::store::bulk::{BulkConnection, DeferredIndexes};

/// How to import.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Added to every time in the file (the demo moves its history up to today).
    pub shift_seconds: i64,
    /// The time new customers are recorded as created.
    pub now: Timestamp,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub added: usize,
    pub updated: usize,
    /// Customers the workspace already held, whom importing the record would not change.
    pub unchanged: usize,
    /// Contacts equal to one the workspace held before (same customer, channel, start,
    /// subject and text): not added again.
    pub already_stored: usize,
    pub customers_created: usize,
    pub cards_masked: usize,
    pub warnings: Vec<String>,
}

/// What a file of records holds, which decides how each record is checked and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Records {
    /// An existing customer (matched by any identity) is updated instead of duplicated.
    Customers,
    /// Contacts with their history; customers are matched by email, phone or handle, and an
    /// unknown one is created.
    Contacts,
}

impl Records {
    /// The indexes a large import of these records builds once at its end instead of
    /// updating for every row: the ones its rows reach in no order.
    fn deferrable_indexes(self, conn: &Connection) -> rusqlite::Result<Vec<&'static str>> {
        let all: &[&str] = match self {
            // None: updating a customer reads their stored orders and billing through the
            // indexes of those tables.
            Records::Customers => &[],
            // A history file comes in time order but names its customers in any order, and
            // its statuses and priorities mixed: each of these takes every row at a random
            // place. (A contact's events and notes arrive in contact order and are appended.)
            // Writing a contact never reads through them: it finds its customer by identity.
            Records::Contacts => &[
                "contacts_by_customer",
                "contacts_queue",
                "contacts_by_status_recent",
                "contacts_by_end",
                "notes_by_customer",
            ],
        };
        // Each record is compared with the contacts stored before through the customers'
        // index (see `KnownCustomers`): that one stays while there are any.
        let compared = self == Records::Contacts && crate::store::same_contact::any_stored(conn)?;
        Ok(all.iter().copied().filter(|i| !(compared && *i == "contacts_by_customer")).collect())
    }
}

/// Imports a `.json` or `.csv` file of customers or contacts, all or nothing, reporting each
/// record imported to `progress` ([`Quiet`] for none). A CSV file is streamed.
pub fn import_file(
    conn: &mut Connection,
    path: &Path,
    records: Records,
    opts: Options,
    progress: &dyn Progress,
) -> Result<Summary> {
    let Opened { rows, total, warnings } = open_rows(path)?;
    // A refused file still says what the reader noticed: a repeated column is most often
    // why a record's value is not what its header promised.
    let mut summary = import_stream(conn, path, rows, total, records, opts, progress)
        .map_err(|e| if warnings.is_empty() { e } else { anyhow::anyhow!("{e:#}; note: {}", warnings.join("; ")) })?;
    // What the reader noticed about the file comes before what the checks noticed in it.
    summary.warnings.splice(0..0, warnings);
    Ok(summary)
}

/// [`import_file`] for rows already read; `path` names the file in messages.
pub fn import_rows(
    conn: &mut Connection,
    path: &Path,
    rows: Vec<Row>,
    records: Records,
    opts: Options,
    progress: &dyn Progress,
) -> Result<Summary> {
    let total = rows.len() as u64;
    import_stream(conn, path, Box::new(rows.into_iter().map(Ok)), total, records, opts, progress)
}

fn import_stream(
    conn: &mut Connection,
    path: &Path,
    rows: RowStream,
    total: u64,
    records: Records,
    opts: Options,
    progress: &dyn Progress,
) -> Result<Summary> {
    match records {
        Records::Customers => check_then_write(
            conn,
            rows,
            (records, total, progress),
            |origin, map, warnings| Ok(check::check_customer_row(path, origin, map, opts, warnings)?),
            |tx, (origin, c), summary| write::write_customer(tx, path, origin, c, opts.now, summary),
        ),
        Records::Contacts => {
            // Made by the first write, inside the import's transaction.
            let mut known: Option<KnownCustomers> = None;
            check_then_write(
                conn,
                rows,
                (records, total, progress),
                |origin, map, warnings| Ok(check_contact_row(path, &origin, map, opts, warnings)?),
                |tx, c, summary| {
                    let known = match &mut known {
                        Some(known) => known,
                        None => known.insert(KnownCustomers::for_import(tx)?),
                    };
                    match insert_checked_contact(tx, c, opts.now, known)? {
                        Some(inserted) => {
                            summary.added += 1;
                            summary.customers_created += usize::from(inserted.customer_created);
                            summary.cards_masked += inserted.cards_masked;
                        }
                        None => summary.already_stored += 1,
                    }
                    Ok(())
                },
            )
        }
    }
}

/// Imports already-read customer rows quietly (see [`import_rows`]).
pub fn import_customer_rows(conn: &mut Connection, path: &Path, rows: Vec<Row>, opts: Options) -> Result<Summary> {
    import_rows(conn, path, rows, Records::Customers, opts, &Quiet)
}

/// Imports already-read contact rows quietly (see [`import_rows`]).
pub fn import_contact_rows(conn: &mut Connection, path: &Path, rows: Vec<Row>, opts: Options) -> Result<Summary> {
    import_rows(conn, path, rows, Records::Contacts, opts, &Quiet)
}

/// SQLite page cache an import may use, in KiB (64 MiB): an import updates several indexes
/// at random places, and the default 2 MiB re-reads their pages over and over ...
const IMPORT_CACHE_KIB: i64 = 64 * 1024;
/// ... unless it sets those indexes aside (see `store::bulk`): then 16 MiB. The rows arrive
/// in order and a bigger cache measured no faster, while SQLite's sorter takes about as
/// much again when the indexes are rebuilt (a million-row import peaks at 69 MB).
const DEFERRED_CACHE_KIB: i64 = 16 * 1024;

/// Checked records travel to the writer in chunks of this many (a hand-over per record cost
/// more in thread wake-ups than the check itself) ...
const CHUNK: usize = 256;
/// ... and at most this many chunks wait: enough to keep both threads busy.
const CHUNKS_AHEAD: usize = 4;

/// The two steps of every import here, all or nothing: `check` each row (its unknown keys
/// go into the warnings), and `write` each checked row, in one transaction — written as a
/// bulk write (`store::bulk`): foreign-key lookups off, and for a file large next to the
/// workspace, the `records`' indexes rebuilt at the end.
///
/// Rows are read and checked on a second thread while this one writes, so a large file
/// costs about the slower of the two, and memory holds only the rows in between. Errors
/// keep the order the two-pass import had: a bad record anywhere in the file is reported
/// even when the database refused an earlier record (the writer stops writing but keeps
/// listening until every row is checked); either way nothing is written. `progress` counts
/// the records imported, of about `total`.
fn check_then_write<C: Send>(
    conn: &mut Connection,
    rows: RowStream,
    (records, total, progress): (Records, u64, &dyn Progress),
    check: impl Fn(Origin, Map<String, Value>, &mut Vec<String>) -> Result<C> + Sync,
    mut write: impl FnMut(&Connection, &C, &mut Summary) -> Result<()>,
) -> Result<Summary> {
    let mut summary = Summary::default();
    progress.start("importing", total);
    let bulk = BulkConnection::set_up(conn, IMPORT_CACHE_KIB)?;
    let result = std::thread::scope(|scope| {
        let (sender, checked) = std::sync::mpsc::sync_channel::<Vec<C>>(CHUNKS_AHEAD);
        let check = &check;
        let checker = scope.spawn(move || -> Result<Vec<String>> {
            let mut warnings = Vec::new();
            let mut chunk = Vec::with_capacity(CHUNK);
            for row in rows {
                let (origin, map) = row?;
                chunk.push(check(origin, map, &mut warnings)?);
                // The writer hangs up only when it could not start (its error is reported)
                // or panicked.
                if chunk.len() == CHUNK
                    && sender.send(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK))).is_err()
                {
                    return Ok(warnings);
                }
            }
            let _ = sender.send(chunk);
            Ok(warnings)
        });
        store::write(conn, |tx| -> Result<()> {
            let deferred = DeferredIndexes::drop_for_large_write(tx, &records.deferrable_indexes(tx)?, total)?;
            if !deferred.is_empty() {
                store::set_cache_size(tx, -DEFERRED_CACHE_KIB)?;
            }
            let mut refused = None;
            for c in checked.iter().flatten() {
                progress.inc();
                if refused.is_none()
                    && let Err(e) = write(tx, &c, &mut summary)
                {
                    refused = Some(e);
                }
            }
            let warnings = checker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
            summary.warnings = warnings;
            deferred.rebuild(tx)?;
            refused.map_or(Ok(()), Err)
        })
    });
    // Failing to restore the connection's settings must not hide what the import did; the
    // connection is the workstation's own only for the demo, which opens it afresh.
    if let Err(e) = bulk.restore(conn) {
        tracing::warn!(error = %e, "could not restore the connection's settings after an import");
    }
    result?;
    Ok(summary)
}
