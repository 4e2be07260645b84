//! Customers, their identities, orders and billing events.

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::domain::identity::{classify, normalize};
use crate::domain::{BillingEvent, Customer, CustomerRecord, Id, Identity, IdentityKind, Note, Order, Timestamp};

use super::{contacts, notes};

/// A customer to create, with everything that hangs off it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewCustomer {
    pub name: String,
    pub company: Option<String>,
    pub tier: Option<String>,
    pub language: Option<String>,
    pub timezone: Option<String>,
    pub vip: bool,
    pub fraud_watch: bool,
    pub do_not_contact: bool,
    pub pinned_note: Option<String>,
    pub identities: Vec<(IdentityKind, String)>,
    pub orders: Vec<Order>,
    pub billing: Vec<BillingEvent>,
}

/// Inserts a customer with identities, orders and billing events; returns its id.
/// Call inside a write transaction so a failure leaves nothing behind.
pub fn insert(conn: &Connection, c: &NewCustomer, now: Timestamp) -> rusqlite::Result<Id> {
    conn.execute(
        "INSERT INTO customers(name, company, tier, language, timezone, vip, fraud_watch, do_not_contact, pinned_note, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![c.name, c.company, c.tier, c.language, c.timezone, c.vip, c.fraud_watch, c.do_not_contact, c.pinned_note, now],
    )?;
    let id = conn.last_insert_rowid();
    for (kind, value) in &c.identities {
        add_identity(conn, id, *kind, value)?;
    }
    for o in &c.orders {
        conn.execute(
            "INSERT INTO orders(customer_id, number, placed_at, status, total_cents, currency, items, carrier, tracking)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![id, o.number, o.placed_at, o.status, o.total_cents, o.currency, o.items, o.carrier, o.tracking],
        )?;
    }
    for b in &c.billing {
        conn.execute(
            "INSERT INTO billing_events(customer_id, at, kind, amount_cents, currency, description) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, b.at, b.kind, b.amount_cents, b.currency, b.description],
        )?;
    }
    Ok(id)
}

/// Adds an identity to a customer (normalised for matching).
pub fn add_identity(conn: &Connection, customer: Id, kind: IdentityKind, value: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO identities(customer_id, kind, value, normalized) VALUES (?1, ?2, ?3, ?4)",
        params![customer, kind.as_str(), value.trim(), normalize(kind, value)],
    )?;
    Ok(())
}

/// Finds the customer with this identity, however it is formatted.
pub fn find_by_identity(conn: &Connection, kind: IdentityKind, value: &str) -> rusqlite::Result<Option<Id>> {
    conn.query_row(
        "SELECT customer_id FROM identities WHERE kind = ?1 AND normalized = ?2",
        params![kind.as_str(), normalize(kind, value)],
        |r| r.get(0),
    )
    .optional()
}

/// Resolves a key the rep or a script typed: an email, phone, handle, order number or id.
pub fn find_by_key(conn: &Connection, key: &str) -> rusqlite::Result<Option<Id>> {
    let key = key.trim();
    if let Some(kind) = classify(key) {
        if let Some(id) = find_by_identity(conn, kind, key)? {
            return Ok(Some(id));
        }
    }
    if let Some(id) = conn
        .query_row("SELECT customer_id FROM orders WHERE number = ?1 COLLATE NOCASE", [key], |r| r.get(0))
        .optional()?
    {
        return Ok(Some(id));
    }
    if let Ok(id) = key.trim_start_matches('#').parse::<Id>() {
        return conn.query_row("SELECT id FROM customers WHERE id = ?1", [id], |r| r.get(0)).optional();
    }
    Ok(None)
}

/// Finds the customer for an incoming identity, creating one named after it if unknown.
pub fn find_or_create_by_identity(conn: &Connection, raw: &str, now: Timestamp) -> rusqlite::Result<Option<Id>> {
    let Some(kind) = classify(raw) else { return Ok(None) };
    if let Some(id) = find_by_identity(conn, kind, raw)? {
        return Ok(Some(id));
    }
    let new = NewCustomer {
        name: raw.trim().to_string(),
        identities: vec![(kind, raw.to_string())],
        ..NewCustomer::default()
    };
    insert(conn, &new, now).map(Some)
}

fn customer_from_row(r: &Row<'_>) -> rusqlite::Result<Customer> {
    Ok(Customer {
        id: r.get(0)?,
        name: r.get(1)?,
        company: r.get(2)?,
        tier: r.get(3)?,
        language: r.get(4)?,
        timezone: r.get(5)?,
        vip: r.get(6)?,
        fraud_watch: r.get(7)?,
        do_not_contact: r.get(8)?,
        pinned_note: r.get(9)?,
    })
}

/// Reads one customer's profile.
pub fn customer(conn: &Connection, id: Id) -> rusqlite::Result<Option<Customer>> {
    conn.query_row(
        "SELECT id, name, company, tier, language, timezone, vip, fraud_watch, do_not_contact, pinned_note
         FROM customers WHERE id = ?1",
        [id],
        customer_from_row,
    )
    .optional()
}

/// Reads everything the Customer pane shows: profile, identities, orders, billing,
/// open promises and the cross-channel timeline (newest first, with notes).
pub fn record(conn: &Connection, id: Id) -> rusqlite::Result<Option<CustomerRecord>> {
    let Some(customer) = customer(conn, id)? else { return Ok(None) };
    let identities = conn
        .prepare_cached("SELECT kind, value FROM identities WHERE customer_id = ?1 ORDER BY kind, id")?
        .query_map([id], |r| {
            let kind: String = r.get(0)?;
            Ok(Identity { kind: IdentityKind::parse(&kind).unwrap_or(IdentityKind::Handle), value: r.get(1)? })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let orders = conn
        .prepare_cached(
            "SELECT number, placed_at, status, total_cents, currency, items, carrier, tracking
             FROM orders WHERE customer_id = ?1 ORDER BY placed_at DESC",
        )?
        .query_map([id], |r| {
            Ok(Order {
                number: r.get(0)?,
                placed_at: r.get(1)?,
                status: r.get(2)?,
                total_cents: r.get(3)?,
                currency: r.get(4)?,
                items: r.get(5)?,
                carrier: r.get(6)?,
                tracking: r.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let billing = conn
        .prepare_cached(
            "SELECT at, kind, amount_cents, currency, description FROM billing_events WHERE customer_id = ?1 ORDER BY at, id",
        )?
        .query_map([id], |r| {
            Ok(BillingEvent { at: r.get(0)?, kind: r.get(1)?, amount_cents: r.get(2)?, currency: r.get(3)?, description: r.get(4)? })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let open_promises: Vec<Note> = notes::open_promises(conn, id)?;
    let timeline = contacts::timeline(conn, id)?;
    Ok(Some(CustomerRecord { customer, identities, orders, billing, open_promises, timeline }))
}

/// How many customers the workspace holds.
pub fn count(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT count(*) FROM customers", [], |r| r.get(0))
}
