//! The email thread of a contact: every message read from a Maildir or sent as a reply, kept
//! with its Message-ID, In-Reply-To and References (table `contact_messages`).

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

use crate::domain::{Id, Timestamp};

/// Which way a message went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From the customer (read from a Maildir).
    Inbound,
    /// From the rep (a reply sent by Frontline).
    Outbound,
}

impl Direction {
    /// The name used in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inbound => "inbound",
            Self::Outbound => "outbound",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "inbound" => Some(Self::Inbound),
            "outbound" => Some(Self::Outbound),
            _ => None,
        }
    }
}

/// One message of a contact's thread, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredMessage {
    pub id: Id,
    pub contact_id: Id,
    /// The Message-ID without angle brackets (or an `fnv-…@frontline.hash` stand-in for a message without one).
    pub message_id: String,
    pub in_reply_to: Option<String>,
    /// The References chain, oldest first, without angle brackets.
    pub references: Vec<String>,
    pub direction: Direction,
    pub sent_at: Timestamp,
    /// The sender's bare address (`ana@example.com`).
    pub from_addr: String,
    /// The first recipient's bare address.
    pub to_addr: String,
    pub subject: String,
    /// Plain text, sanitised, card numbers masked.
    pub body: String,
    /// The Maildir file it was read from, or where a reply was delivered.
    pub source: String,
}

/// A message to store (the row without its id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub direction: Direction,
    pub sent_at: Timestamp,
    pub from_addr: String,
    pub to_addr: String,
    pub subject: String,
    pub body: String,
    pub source: String,
}

const COLUMNS: &str =
    "id, contact_id, message_id, in_reply_to, refs, direction, sent_at, from_addr, to_addr, subject, body, source";

fn from_row(r: &Row<'_>) -> rusqlite::Result<StoredMessage> {
    let refs: String = r.get(4)?;
    let direction: String = r.get(5)?;
    Ok(StoredMessage {
        id: r.get(0)?,
        contact_id: r.get(1)?,
        message_id: r.get(2)?,
        in_reply_to: r.get(3)?,
        references: refs.split_whitespace().map(str::to_string).collect(),
        direction: Direction::parse(&direction).ok_or_else(|| {
            rusqlite::Error::InvalidColumnType(5, format!("direction {direction}"), rusqlite::types::Type::Text)
        })?,
        sent_at: r.get(6)?,
        from_addr: r.get(7)?,
        to_addr: r.get(8)?,
        subject: r.get(9)?,
        body: r.get(10)?,
        source: r.get(11)?,
    })
}

/// A contact's thread, oldest first — what the TUI shows under an email contact.
pub fn messages(conn: &Connection, contact: Id) -> rusqlite::Result<Vec<StoredMessage>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM contact_messages WHERE contact_id = ?1 ORDER BY sent_at, id"))?
        .query_map([contact], from_row)?
        .collect()
}

/// How many messages a contact's thread holds (cheap, for a badge in the queue or strip).
pub fn count(conn: &Connection, contact: Id) -> rusqlite::Result<i64> {
    conn.query_row("SELECT count(*) FROM contact_messages WHERE contact_id = ?1", [contact], |r| r.get(0))
}

/// Whether a message with this id is already stored (on any contact).
pub fn is_known(conn: &Connection, message_id: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT EXISTS(SELECT 1 FROM contact_messages WHERE message_id = ?1)")?
        .query_row([message_id], |r| r.get(0))
}

/// The contact a message belongs to, found by its In-Reply-To, then its References from the
/// newest back: the first id that names a stored message wins.
pub fn thread_of(conn: &Connection, in_reply_to: Option<&str>, references: &[String]) -> rusqlite::Result<Option<Id>> {
    let mut stmt = conn.prepare_cached("SELECT contact_id FROM contact_messages WHERE message_id = ?1")?;
    for id in in_reply_to.into_iter().chain(references.iter().rev().map(String::as_str)) {
        if let Some(contact) = stmt.query_row([id], |r| r.get::<_, Id>(0)).optional()? {
            return Ok(Some(contact));
        }
    }
    Ok(None)
}

/// Stores a message on a contact; `Ok(None)` (nothing written) if its message id is already
/// stored. Call inside the caller's write transaction.
pub fn insert(conn: &Connection, contact: Id, m: &NewMessage) -> rusqlite::Result<Option<StoredMessage>> {
    let changed = conn
        .prepare_cached(
            "INSERT INTO contact_messages(contact_id, message_id, in_reply_to, refs, direction, sent_at, from_addr,
                                          to_addr, subject, body, source)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT(message_id) DO NOTHING",
        )?
        .execute(params![
            contact,
            m.message_id,
            m.in_reply_to,
            m.references.join(" "),
            m.direction.as_str(),
            m.sent_at,
            m.from_addr,
            m.to_addr,
            m.subject,
            m.body,
            m.source
        ])?;
    if changed == 0 {
        return Ok(None);
    }
    let id = conn.last_insert_rowid();
    conn.query_row(&format!("SELECT {COLUMNS} FROM contact_messages WHERE id = ?1"), [id], from_row).map(Some)
}
