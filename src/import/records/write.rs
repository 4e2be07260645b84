//! Writing: checked records into the store, inside the import's one transaction. The SQL
//! is in `store::import_writes`; this side decides which write a record needs and words
//! the database's refusals for the person importing.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Result, bail};
use rusqlite::Connection;

use super::Summary;
use super::check::{CheckedContact, CheckedCustomer};
use crate::domain::{Id, Timestamp};
use crate::import::Origin;
use crate::store::contacts::{self, NewContact};
use crate::store::import_writes::{self, Refused, WriteError};
use crate::store::{customers, notes, same_contact};

/// Updates the customer a checked record matches, or adds it.
pub(super) fn write_customer(
    conn: &Connection,
    path: &Path,
    origin: &Origin,
    c: &CheckedCustomer,
    now: Timestamp,
    summary: &mut Summary,
) -> Result<()> {
    let written = match existing_customer(conn, path, origin, &c.new)? {
        Some(id) => import_writes::update_customer(conn, id, &c.new)
            .map(|changed| if changed { &mut summary.updated } else { &mut summary.unchanged }),
        None => import_writes::insert_customer(conn, &c.new, now).map(|_| &mut summary.added),
    };
    match written {
        Ok(count) => {
            *count += 1;
            Ok(())
        }
        Err(e) => Err(write_error(path, origin, e)),
    }
}

/// A refused write as one line naming the file, record and value.
fn write_error(path: &Path, origin: &Origin, e: WriteError) -> anyhow::Error {
    let message = match e {
        WriteError::Refused(Refused::OrderNumber(n)) => {
            format!("order number {n} appears twice (in this file or on another customer)")
        }
        WriteError::Refused(Refused::Identity(kind, v)) => format!("{} {v} appears twice in this file", kind.as_str()),
        WriteError::Db(e) => e.to_string(),
    };
    anyhow::anyhow!("{}: {origin}: {message}", path.display())
}

/// The one existing customer that owns any of these identities.
fn existing_customer(
    conn: &Connection,
    path: &Path,
    origin: &Origin,
    c: &customers::NewCustomer,
) -> Result<Option<Id>> {
    let mut found: Option<Id> = None;
    for (kind, value) in &c.identities {
        if let Some(id) = customers::find_by_identity(conn, *kind, value)? {
            if found.is_some_and(|f| f != id) {
                bail!(
                    "{}: {origin}: its identities belong to two different customers; merge them first",
                    path.display()
                );
            }
            found = Some(id);
        }
    }
    Ok(found)
}

/// What [`insert_checked_contact`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InsertedContact {
    pub id: Id,
    pub customer_created: bool,
    pub cards_masked: usize,
}

/// The customers one write transaction has found or created, by the key its records name
/// them with, and how it tells a record from a contact already stored. A history import
/// names each customer about five times, and asking the identities index every time cost a
/// tenth of a million-row import. Valid only inside the transaction it was made for
/// (nothing else writes meanwhile: it holds the write lock).
#[derive(Debug, Default)]
pub struct KnownCustomers {
    /// Each customer, and whether this transaction created it (it then has no contact from
    /// before).
    customers: HashMap<String, (Option<Id>, bool)>,
    stored: StoredContacts,
}

/// How a transaction finds out whether a contact is already stored.
#[derive(Debug, Default)]
enum StoredContacts {
    /// The workspace held no contact when it began.
    None,
    /// By asking the database (a few records: the inbox's files).
    #[default]
    Ask,
    /// By the stored contacts' starts, read once, then the database on a match (an import).
    Starts(same_contact::Starts),
}

impl KnownCustomers {
    /// For an import of many records: the stored contacts' starts are read once.
    pub fn for_import(conn: &Connection) -> rusqlite::Result<Self> {
        let starts = same_contact::Starts::read(conn)?;
        let stored = if starts.is_empty() { StoredContacts::None } else { StoredContacts::Starts(starts) };
        Ok(Self { customers: HashMap::new(), stored })
    }

    fn already_stored(&self, conn: &Connection, c: &NewContact) -> rusqlite::Result<bool> {
        match &self.stored {
            StoredContacts::None => Ok(false),
            StoredContacts::Ask => same_contact::holds_same(conn, c),
            StoredContacts::Starts(starts) => {
                Ok(starts.may_hold(c.customer_id, c.created_at) && same_contact::holds_same(conn, c)?)
            }
        }
    }
}

/// Writes a checked contact with its notes, finding or creating its customer as
/// `import contacts` does; `None` when a contact equal to it (same customer, channel, start,
/// subject and text) was stored before this transaction, which then writes nothing (a
/// record without a start time is always new). Call
/// inside the caller's write transaction, with `known` made for that transaction.
pub fn insert_checked_contact(
    conn: &Connection,
    c: &CheckedContact,
    now: Timestamp,
    known: &mut KnownCustomers,
) -> Result<Option<InsertedContact>> {
    let mut contact = c.contact.clone();
    let mut customer_created = false;
    let mut new_customer = false;
    if let Some(key) = &c.customer_key {
        (contact.customer_id, new_customer) = match known.customers.get(key) {
            Some(&known) => known,
            None => {
                let id;
                (id, customer_created) = customers::find_or_create_by_identity_reporting(conn, key, now)?;
                known.customers.insert(key.clone(), (id, customer_created));
                (id, customer_created)
            }
        };
    }
    if c.timed && !new_customer && known.already_stored(conn, &contact)? {
        return Ok(None);
    }
    // The body and notes were masked when checked; the store masks the subject, tags,
    // disposition and the rest, and says how many it found there.
    let (id, report) = contacts::insert_reporting(conn, &contact)?;
    for (kind, text, at, due) in &c.notes {
        notes::insert_note(conn, Some(id), contact.customer_id, (kind, text, *at, *due))?;
    }
    Ok(Some(InsertedContact { id, customer_created, cards_masked: c.cards + report.masked }))
}
