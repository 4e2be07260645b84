//! The importers' writes that belong to no one table family: for `import customers`, a new
//! customer with everything that hangs off it, or an update of the one a record matched;
//! for `import qa`, the checks and replacement around a review. A record the database
//! refuses for a uniqueness rule comes back as [`Refused`], told apart by SQLite's extended
//! error code and by which statement failed — never by reading the message text.

use rusqlite::{Connection, params};

use crate::domain::text::TextReport;
use crate::domain::{BillingEvent, Id, IdentityKind, Order, Timestamp};

use super::customers::{self, NewCustomer};

/// What a uniqueness rule refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// The order number is already used (by this record, the file or another customer).
    OrderNumber(String),
    /// The identity is already given (twice in this record, or earlier in the file).
    Identity(IdentityKind, String),
}

/// Why an import write failed.
#[derive(Debug)]
pub enum WriteError {
    /// A uniqueness rule refused the record.
    Refused(Refused),
    /// Anything else the database said.
    Db(rusqlite::Error),
}

impl From<rusqlite::Error> for WriteError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Db(e)
    }
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Refused(Refused::OrderNumber(n)) => write!(f, "order number {n} is already taken"),
            Self::Refused(Refused::Identity(kind, v)) => write!(f, "{} {v} is already taken", kind.as_str()),
            Self::Db(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for WriteError {}

/// True when SQLite refused a row for a UNIQUE or PRIMARY KEY rule (its extended code).
pub fn is_uniqueness(e: &rusqlite::Error) -> bool {
    e.sqlite_error().is_some_and(|f| {
        f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
            || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
    })
}

/// `result`, with a uniqueness refusal turned into `refused`.
fn refusing<T>(result: rusqlite::Result<T>, refused: impl FnOnce() -> Refused) -> Result<T, WriteError> {
    result.map_err(|e| if is_uniqueness(&e) { WriteError::Refused(refused()) } else { WriteError::Db(e) })
}

/// Inserts a new customer with its identities, orders and billing events; returns its id.
/// Call inside a write transaction: a refusal leaves part of the record written.
pub fn insert_customer(conn: &Connection, c: &NewCustomer, now: Timestamp) -> Result<Id, WriteError> {
    let bare = NewCustomer {
        name: c.name.clone(),
        company: c.company.clone(),
        tier: c.tier.clone(),
        language: c.language.clone(),
        timezone: c.timezone.clone(),
        vip: c.vip,
        fraud_watch: c.fraud_watch,
        do_not_contact: c.do_not_contact,
        pinned_note: c.pinned_note.clone(),
        ..NewCustomer::default()
    };
    let id = customers::insert(conn, &bare, now)?;
    for (kind, value) in &c.identities {
        refusing(customers::add_identity(conn, id, *kind, value), || Refused::Identity(*kind, value.clone()))?;
    }
    // Cleaned as every other way in cleans them.
    let mut report = TextReport::default();
    for o in &c.orders {
        let o = &customers::cleaned_order(o, &mut report);
        refusing(
            conn.prepare_cached(
                "INSERT INTO orders(customer_id, number, placed_at, status, total_cents, currency, items, carrier, tracking)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .and_then(|mut s| s.execute(order_params(id, o))),
            || Refused::OrderNumber(o.number.clone()),
        )?;
    }
    for b in &c.billing {
        let b = &customers::cleaned_billing(b, &mut report);
        conn.prepare_cached(
            "INSERT INTO billing_events(customer_id, at, kind, amount_cents, currency, description)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(billing_params(id, b))?;
    }
    Ok(id)
}

fn order_params(id: Id, o: &Order) -> impl rusqlite::Params + '_ {
    (id, &o.number, o.placed_at, &o.status, o.total_cents, &o.currency, &o.items, &o.carrier, &o.tracking)
}

fn billing_params(id: Id, b: &BillingEvent) -> impl rusqlite::Params + '_ {
    (id, b.at, b.kind.as_str(), b.amount_cents, &b.currency, &b.description)
}

/// Updates an existing customer from a record: fields the record gives replace the stored
/// ones, flags are only ever set, new identities are added, orders are added or updated
/// (an order number of another customer is left alone), billing events already stored are
/// not repeated. Returns whether anything changed.
pub fn update_customer(conn: &Connection, id: Id, c: &NewCustomer) -> Result<bool, WriteError> {
    // The store's one rule for an update from a file, so the text is masked and capped as on
    // every way in.
    Ok(customers::update_from_import(conn, id, c)?.0)
}

/// True when the contact exists (QA reviews are imported only for contacts that do).
pub fn contact_exists(conn: &Connection, contact: Id) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT EXISTS(SELECT 1 FROM contacts WHERE id = ?1)")?.query_row([contact], |r| r.get(0))
}

/// Deletes a reviewer's reviews of a contact (the reviewer's name in any case), so an
/// imported review replaces them.
pub fn delete_reviews_by(conn: &Connection, contact: Id, reviewer: &str) -> rusqlite::Result<usize> {
    conn.prepare_cached("DELETE FROM qa_reviews WHERE contact_id = ?1 AND lower(reviewer) = lower(?2)")?
        .execute(params![contact, reviewer])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn customer(email: &str, order: &str) -> NewCustomer {
        NewCustomer {
            name: email.to_string(),
            identities: vec![(IdentityKind::Email, email.to_string())],
            orders: vec![Order {
                number: order.to_string(),
                placed_at: 0,
                status: "processing".into(),
                total_cents: 100,
                currency: "USD".into(),
                items: String::new(),
                carrier: None,
                tracking: None,
            }],
            ..NewCustomer::default()
        }
    }

    #[test]
    fn refusals_are_told_by_the_extended_code() {
        let conn = crate::store::open_in_memory().unwrap();
        insert_customer(&conn, &customer("a@example.com", "N-1"), 0).unwrap();
        let clash = insert_customer(&conn, &customer("b@example.com", "N-1"), 0).unwrap_err();
        assert!(matches!(clash, WriteError::Refused(Refused::OrderNumber(ref n)) if n == "N-1"), "{clash}");
        let twice = insert_customer(&conn, &customer("a@example.com", "N-2"), 0).unwrap_err();
        assert!(matches!(twice, WriteError::Refused(Refused::Identity(IdentityKind::Email, _))), "{twice}");
        // Another rule (NOT NULL) is not a uniqueness refusal, whatever its message says.
        let other = conn.execute("INSERT INTO customers(name, created_at) VALUES (NULL, 0)", []).unwrap_err();
        assert!(!is_uniqueness(&other), "{other}");
    }
}
