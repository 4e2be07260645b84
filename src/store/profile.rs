//! Editing a customer's record: profile fields, flags, the pinned note and identities.
//! Every change appends a row to `customer_history` in the caller's transaction, so the
//! record and its history never disagree.

use anyhow::{Result, bail};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::domain::identity::{is_valid, normalize, shown};
use crate::domain::text::{StoredField, clean_stored_text, sanitize};
use crate::domain::{Id, IdentityKind, Timestamp};

use super::customers;

/// A profile field the rep can correct.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileField {
    Name,
    Company,
    Tier,
    Language,
    Timezone,
}

impl ProfileField {
    /// Every editable field, in the order the record shows them.
    pub const ALL: [ProfileField; 5] = [Self::Name, Self::Company, Self::Tier, Self::Language, Self::Timezone];

    /// The column name, also used as the history entry's `field`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Company => "company",
            Self::Tier => "tier",
            Self::Language => "language",
            Self::Timezone => "timezone",
        }
    }

    /// Parses a field name as typed by the rep or stored in the history.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s.trim().to_ascii_lowercase().replace("time_zone", "timezone"))
    }
}

/// A customer flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    Vip,
    FraudWatch,
    DoNotContact,
}

impl Flag {
    /// Every flag, in the order the record shows them.
    pub const ALL: [Flag; 3] = [Self::Vip, Self::FraudWatch, Self::DoNotContact];

    /// The column name, also the flag's name in import files and the history.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Vip => "vip",
            Self::FraudWatch => "fraud_watch",
            Self::DoNotContact => "do_not_contact",
        }
    }
}

pub use crate::domain::HistoryEntry;

/// Appends one entry to a customer's history (crate-internal: merges log through it too).
pub(crate) fn log(
    conn: &Connection,
    customer: Id,
    field: &str,
    old: Option<&str>,
    new: Option<&str>,
    now: Timestamp,
) -> rusqlite::Result<()> {
    // The old value may predate masking (a database written by an older version): the
    // history must not copy a card number back in.
    let clean = |v: Option<&str>| v.map(|v| clean_stored_text(StoredField::HistoryValue, v).text);
    conn.prepare_cached(
        "INSERT INTO customer_history(customer_id, at, field, old_value, new_value) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![customer, now, field, clean(old), clean(new)])?;
    Ok(())
}

/// Cleans free text typed by the rep for `field` (see [`clean_stored_text`]); blank
/// becomes `None`.
fn clean_text(field: StoredField, value: Option<&str>) -> Option<String> {
    value.map(|v| clean_stored_text(field, v.trim()).text).filter(|v| !v.is_empty())
}

fn require_customer(conn: &Connection, customer: Id) -> Result<()> {
    let exists: bool =
        conn.query_row("SELECT EXISTS(SELECT 1 FROM customers WHERE id = ?1)", [customer], |r| r.get(0))?;
    if !exists {
        bail!("customer #{customer} does not exist");
    }
    Ok(())
}

/// Sets a profile field (`None` or blank clears it; the name cannot be cleared). Returns
/// whether anything changed; a change is logged with its old and new value.
pub fn update_field(
    conn: &Connection,
    customer: Id,
    field: ProfileField,
    value: Option<&str>,
    now: Timestamp,
) -> Result<bool> {
    require_customer(conn, customer)?;
    let stored = if field == ProfileField::Name { StoredField::CustomerName } else { StoredField::CustomerProfile };
    let mut new = clean_text(stored, value);
    if field == ProfileField::Tier {
        new = new.map(|t| t.to_ascii_lowercase());
    }
    if field == ProfileField::Name && new.is_none() {
        bail!("name: must not be empty");
    }
    let column = field.as_str();
    let old: Option<String> =
        conn.query_row(&format!("SELECT {column} FROM customers WHERE id = ?1"), [customer], |r| r.get(0))?;
    if old == new {
        return Ok(false);
    }
    conn.execute(&format!("UPDATE customers SET {column} = ?2 WHERE id = ?1"), params![customer, new])?;
    log(conn, customer, column, old.as_deref(), new.as_deref(), now)?;
    Ok(true)
}

/// Sets or clears a flag; returns whether it changed (a change is logged).
pub fn set_flag(conn: &Connection, customer: Id, flag: Flag, on: bool, now: Timestamp) -> Result<bool> {
    require_customer(conn, customer)?;
    let column = flag.as_str();
    let old: bool =
        conn.query_row(&format!("SELECT {column} FROM customers WHERE id = ?1"), [customer], |r| r.get(0))?;
    if old == on {
        return Ok(false);
    }
    conn.execute(&format!("UPDATE customers SET {column} = ?2 WHERE id = ?1"), params![customer, on])?;
    log(conn, customer, column, Some(bool_text(old)), Some(bool_text(on)), now)?;
    Ok(true)
}

fn bool_text(b: bool) -> &'static str {
    if b { "on" } else { "off" }
}

/// Sets (or with `None`/blank clears) the pinned warning note shown on every contact of the
/// customer; card numbers in it are masked. Returns whether it changed.
pub fn set_pinned_note(conn: &Connection, customer: Id, note: Option<&str>, now: Timestamp) -> Result<bool> {
    require_customer(conn, customer)?;
    let new = clean_text(StoredField::PinnedNote, note);
    let old: Option<String> =
        conn.query_row("SELECT pinned_note FROM customers WHERE id = ?1", [customer], |r| r.get(0))?;
    if old == new {
        return Ok(false);
    }
    conn.execute("UPDATE customers SET pinned_note = ?2 WHERE id = ?1", params![customer, new])?;
    log(conn, customer, "pinned_note", old.as_deref(), new.as_deref(), now)?;
    Ok(true)
}

/// Adds an email, phone or handle to a customer and logs it. Returns `false` if the
/// customer already has it; refuses one that belongs to another customer (merge instead)
/// or that is not a valid identity of that kind.
pub fn add_identity_logged(
    conn: &Connection,
    customer: Id,
    kind: IdentityKind,
    value: &str,
    now: Timestamp,
) -> Result<bool> {
    require_customer(conn, customer)?;
    let value = sanitize(value.trim());
    if !is_valid(kind, &value) || normalize(kind, &value).is_empty() {
        bail!("{}: \"{}\" is not a valid {}", kind.as_str(), shown(&value), kind.as_str());
    }
    match customers::find_by_identity(conn, kind, &value)? {
        Some(owner) if owner == customer => return Ok(false),
        Some(owner) => {
            let name: String = conn
                .query_row("SELECT name FROM customers WHERE id = ?1", [owner], |r| r.get(0))
                .optional()?
                .unwrap_or_default();
            bail!(
                "{}: \"{value}\" already belongs to customer #{owner} ({name}); merge the two records instead",
                kind.as_str()
            );
        }
        None => {}
    }
    customers::add_identity(conn, customer, kind, &value)?;
    log(conn, customer, "identity", None, Some(&format!("{} {value}", kind.as_str())), now)?;
    Ok(true)
}

/// A customer's history, newest first.
pub fn history(conn: &Connection, customer: Id) -> rusqlite::Result<Vec<HistoryEntry>> {
    conn.prepare_cached(
        "SELECT id, at, field, old_value, new_value FROM customer_history WHERE customer_id = ?1
         ORDER BY at DESC, id DESC",
    )?
    .query_map([customer], |r| {
        Ok(HistoryEntry { id: r.get(0)?, at: r.get(1)?, field: r.get(2)?, old_value: r.get(3)?, new_value: r.get(4)? })
    })?
    .collect()
}
