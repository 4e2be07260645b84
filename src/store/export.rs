//! The reads `frontline export` needs: which records fall in a time window (optionally of
//! one customer), and the identity an import would match a customer on.

use rusqlite::{Connection, OptionalExtension, params};

use crate::domain::{Id, Timestamp};

/// A half-open time window `[from, to)` and an optional customer.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub from: Timestamp,
    pub to: Timestamp,
    pub customer: Option<Id>,
}

/// A contact in the window, with what its export line needs beside the contact itself.
#[derive(Debug, Clone)]
pub struct ContactListing {
    pub id: Id,
    pub direction: String,
    pub customer_id: Option<Id>,
    pub customer_name: Option<String>,
}

/// A note in the window; its customer is the note's own or its contact's.
#[derive(Debug, Clone)]
pub struct NoteListing {
    pub id: Id,
    pub contact_id: Option<Id>,
    pub customer_id: Option<Id>,
    pub created_at: Timestamp,
    pub kind: String,
    pub body: String,
    pub due_at: Option<Timestamp>,
}

/// The identity an import matches a customer on: first email, else phone, else handle.
pub fn customer_key(conn: &Connection, customer: Id) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT value FROM identities WHERE customer_id = ?1
         ORDER BY CASE kind WHEN 'email' THEN 0 WHEN 'phone' THEN 1 ELSE 2 END, id LIMIT 1",
        [customer],
        |r| r.get(0),
    )
    .optional()
}

/// Customers created in the window, oldest first.
pub fn customer_ids(conn: &Connection, w: Window) -> rusqlite::Result<Vec<Id>> {
    conn.prepare(
        "SELECT id FROM customers WHERE created_at >= ?1 AND created_at < ?2 AND (?3 IS NULL OR id = ?3)
         ORDER BY id",
    )?
    .query_map(params![w.from, w.to, w.customer], |r| r.get(0))?
    .collect()
}

/// Contacts created in the window, oldest first.
pub fn contacts(conn: &Connection, w: Window) -> rusqlite::Result<Vec<ContactListing>> {
    conn.prepare(
        "SELECT c.id, c.direction, c.customer_id, cu.name FROM contacts c LEFT JOIN customers cu ON cu.id = c.customer_id
         WHERE c.created_at >= ?1 AND c.created_at < ?2 AND (?3 IS NULL OR c.customer_id = ?3)
         ORDER BY c.created_at, c.id",
    )?
    .query_map(params![w.from, w.to, w.customer], |r| {
        Ok(ContactListing { id: r.get(0)?, direction: r.get(1)?, customer_id: r.get(2)?, customer_name: r.get(3)? })
    })?
    .collect()
}

/// Notes created in the window, oldest first.
pub fn notes(conn: &Connection, w: Window) -> rusqlite::Result<Vec<NoteListing>> {
    conn.prepare(
        "SELECT n.id, n.contact_id, coalesce(n.customer_id, c.customer_id), n.created_at, n.kind, n.body, n.due_at
         FROM notes n LEFT JOIN contacts c ON c.id = n.contact_id
         WHERE n.created_at >= ?1 AND n.created_at < ?2
           AND (?3 IS NULL OR coalesce(n.customer_id, c.customer_id) = ?3)
         ORDER BY n.created_at, n.id",
    )?
    .query_map(params![w.from, w.to, w.customer], |r| {
        Ok(NoteListing {
            id: r.get(0)?,
            contact_id: r.get(1)?,
            customer_id: r.get(2)?,
            created_at: r.get(3)?,
            kind: r.get(4)?,
            body: r.get(5)?,
            due_at: r.get(6)?,
        })
    })?
    .collect()
}
