//! The email thread of a contact: every message read from a Maildir or sent as a reply, kept
//! with its Message-ID, In-Reply-To and References (table `contact_messages`); every id a
//! stored message names, seen or not, pointing at its contact (`message_thread_ids`, for
//! threading as mail clients do); and what intake knows about an email contact — its
//! conversation, where the customer wrote to, why it cannot be answered (`email_contacts`).

use rusqlite::{Connection, OptionalExtension, Row, ToSql, params};
use serde::Serialize;

use crate::domain::{ContactStatus, Id, Timestamp};

pub use crate::domain::message::{Direction, NewMessage, StoredMessage};

const COLUMNS: &str =
    "id, contact_id, message_id, in_reply_to, refs, direction, sent_at, from_addr, to_addr, subject, body, source";

fn from_row(r: &Row<'_>) -> rusqlite::Result<StoredMessage> {
    let refs: String = r.get(4)?;
    let direction: String = r.get(5)?;
    Ok(StoredMessage {
        id: r.get(0)?,
        contact_id: r.get(1)?,
        message: NewMessage {
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
        },
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
/// newest back: the first id that names a stored message wins (the first of
/// [`thread_candidates`] without a message id of its own).
pub fn thread_of(conn: &Connection, in_reply_to: Option<&str>, references: &[String]) -> rusqlite::Result<Option<Id>> {
    Ok(thread_candidates(conn, None, in_reply_to, references)?.into_iter().next())
}

/// Every contact whose mail shares an id with this message, nearest first: those holding or
/// naming its In-Reply-To, then each of its References from the newest back, then those
/// whose mail names the message itself (a reply stored before its original; the message is
/// not stored itself — callers look that up first). An id named by stored mail counts even
/// when no stored message has it (the JWZ rules: two replies to an original that is not in
/// the Maildir are one thread).
pub fn thread_candidates(
    conn: &Connection,
    message_id: Option<&str>,
    in_reply_to: Option<&str>,
    references: &[String],
) -> rusqlite::Result<Vec<Id>> {
    // The contact that holds the message itself comes first: a stranger's reply that names
    // it must never make their contact the thread's owner. (Two statements, not one UNION:
    // SQLite prepared the UNION again at every run, a tenth of a first Maildir sync.)
    let mut holding = conn.prepare_cached("SELECT contact_id FROM contact_messages WHERE message_id = ?1")?;
    let mut naming =
        conn.prepare_cached("SELECT contact_id FROM message_thread_ids WHERE ref_id = ?1 ORDER BY contact_id")?;
    let named = in_reply_to.into_iter().chain(references.iter().rev().map(String::as_str));
    let ids = named.map(|id| (id, true)).chain(message_id.map(|id| (id, false)));
    let mut found: Vec<Id> = Vec::new();
    for (id, may_be_held) in ids {
        let mut add = |contact: Id| {
            if !found.contains(&contact) {
                found.push(contact);
            }
        };
        if may_be_held {
            for contact in holding.query_map([id], |r| r.get::<_, Id>(0))? {
                add(contact?);
            }
        }
        for contact in naming.query_map([id], |r| r.get::<_, Id>(0))? {
            add(contact?);
        }
    }
    Ok(found)
}

/// A stored message as far as telling it apart from another with the same Message-ID goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownMessage {
    pub contact_id: Id,
    pub direction: Direction,
    pub from_addr: String,
    pub body: String,
}

/// The stored message with this Message-ID, if any.
pub fn known(conn: &Connection, message_id: &str) -> rusqlite::Result<Option<KnownMessage>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM contact_messages WHERE message_id = ?1"))?
        .query_row([message_id], from_row)
        .optional()
        .map(|m| {
            m.map(|m| KnownMessage {
                contact_id: m.contact_id,
                direction: m.message.direction,
                from_addr: m.message.from_addr,
                body: m.message.body,
            })
        })
}

/// What intake knows about an email contact (see the module documentation).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EmailContact {
    /// The id of the conversation's first contact (this contact's own when it started one).
    pub conversation: Id,
    /// The contact in whose thread this one's first message was written, when its sender
    /// was not that contact's customer.
    pub replies_in: Option<Id>,
    /// The valid recipients (To, then Cc) of the contact's first message: where the
    /// customer wrote to. Never taken from a later message.
    pub wrote_to: Vec<String>,
    /// Why the contact cannot be answered by email, shown instead of sending; `None` when it can.
    pub no_reply: Option<String>,
    /// Anything else noticed when the mail came in (a reused Message-ID).
    pub notice: Option<String>,
}

/// Records what intake knows about a new email contact (once, with its first message).
pub fn add_email_contact(conn: &Connection, contact: Id, e: &EmailContact) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO email_contacts(contact_id, conversation, replies_in, wrote_to, no_reply, notice)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(contact_id) DO NOTHING",
    )?
    .execute(params![contact, e.conversation, e.replies_in, e.wrote_to.join(" "), e.no_reply, e.notice])?;
    Ok(())
}

/// What intake knows about an email contact; `None` for a contact that has no row (not
/// email, or stored before it was kept: then it can be answered and is its own conversation).
pub fn email_contact(conn: &Connection, contact: Id) -> rusqlite::Result<Option<EmailContact>> {
    conn.prepare_cached(
        "SELECT conversation, replies_in, wrote_to, no_reply, notice FROM email_contacts WHERE contact_id = ?1",
    )?
    .query_row([contact], |r| {
        let wrote_to: String = r.get(2)?;
        Ok(EmailContact {
            conversation: r.get(0)?,
            replies_in: r.get(1)?,
            wrote_to: wrote_to.split_whitespace().map(str::to_string).collect(),
            no_reply: r.get(3)?,
            notice: r.get(4)?,
        })
    })
    .optional()
}

/// Why this contact cannot be answered by email, if it cannot (for the reply side to show
/// instead of sending).
pub fn no_reply_reason(conn: &Connection, contact: Id) -> rusqlite::Result<Option<String>> {
    Ok(email_contact(conn, contact)?.and_then(|e| e.no_reply))
}

/// Which of the configured support addresses the customer wrote to in the contact's first
/// message (compared without regard to case), in the order configured; `None` when none.
/// The From of a reply may be this or the configured `from` — never a later message's To.
pub fn support_address(conn: &Connection, contact: Id, configured: &[&str]) -> rusqlite::Result<Option<String>> {
    let Some(e) = email_contact(conn, contact)? else { return Ok(None) };
    Ok(configured
        .iter()
        .find(|c| e.wrote_to.iter().any(|w| w.eq_ignore_ascii_case(c.trim())))
        .map(|c| c.trim().to_string()))
}

/// The conversation a contact belongs to (its own id when it has no row).
pub fn conversation_of(conn: &Connection, contact: Id) -> rusqlite::Result<Id> {
    Ok(email_contact(conn, contact)?.map_or(contact, |e| e.conversation))
}

/// Joins conversations that one message turned out to bridge (JWZ: a thread is everything
/// linked by References): every contact of `others` moves to `into`.
pub fn merge_conversations(conn: &Connection, into: Id, others: &[Id]) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached("UPDATE email_contacts SET conversation = ?1 WHERE conversation = ?2")?;
    for other in others.iter().filter(|o| **o != into) {
        stmt.execute(params![into, other])?;
    }
    Ok(())
}

/// How many email conversations and email contacts the workspace holds.
pub fn conversation_count(conn: &Connection) -> rusqlite::Result<(i64, i64)> {
    conn.query_row("SELECT count(DISTINCT conversation), count(*) FROM email_contacts", [], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
}

/// Stores a message on a contact; `Ok(None)` (nothing written) if its message id is already
/// stored. Call inside the caller's write transaction.
pub fn insert(conn: &Connection, contact: Id, m: &NewMessage) -> rusqlite::Result<Option<StoredMessage>> {
    let Some(id) = add(conn, contact, m)? else { return Ok(None) };
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM contact_messages WHERE id = ?1"))?
        .query_row([id], from_row)
        .map(Some)
}

/// [`insert`] without reading the stored message back (a sync stores thousands and needs
/// none of them): the new row's id, or `None` if its message id is already stored.
pub fn add(conn: &Connection, contact: Id, m: &NewMessage) -> rusqlite::Result<Option<Id>> {
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
    let named: Vec<(&str, Id)> = std::iter::once(&m.message_id)
        .chain(&m.in_reply_to)
        .chain(&m.references)
        .map(|ref_id| (ref_id.as_str(), contact))
        .collect();
    insert_pairs(conn, "INSERT OR IGNORE INTO message_thread_ids(ref_id, contact_id) VALUES ", &named)?;
    Ok(Some(id))
}

/// Rows written by one statement at most where a write has many (a message's thread ids,
/// a sync's file names): one statement for several rows costs little more than one for
/// each. Each size is a statement of its own; the connection's statement cache is sized
/// for them (`store::open`).
const ROWS_PER_INSERT: usize = 16;

/// Runs `insert` (`INSERT … VALUES `) for two-column `rows`, [`ROWS_PER_INSERT`] a statement.
fn insert_pairs<A: ToSql, B: ToSql>(conn: &Connection, insert: &str, rows: &[(A, B)]) -> rusqlite::Result<()> {
    for rows in rows.chunks(ROWS_PER_INSERT) {
        let mut statement = conn.prepare_cached(&super::insert_rows(insert, "(?, ?)", rows.len()))?;
        for (i, (first, second)) in rows.iter().enumerate() {
            statement.raw_bind_parameter(i * 2 + 1, first)?;
            statement.raw_bind_parameter(i * 2 + 2, second)?;
        }
        statement.raw_execute()?;
    }
    Ok(())
}

/// Puts a closed contact (resolved, escalated, transferred) back in the queue for a reply
/// from its customer: waiting, end time cleared, and a `create` event "reopened: email reply
/// from …" (not `reopen`: in the metrics a `reopen` starts a work segment, which would count
/// the time the reply waits in the queue as handle time). Returns whether it was closed.
pub fn reopen_for_reply(conn: &Connection, contact: Id, from: &str, now: Timestamp) -> rusqlite::Result<bool> {
    let status: String = conn.query_row("SELECT status FROM contacts WHERE id = ?1", [contact], |r| r.get(0))?;
    let closed = matches!(
        ContactStatus::parse(&status),
        Some(ContactStatus::Resolved | ContactStatus::Escalated | ContactStatus::Transferred)
    );
    if closed {
        conn.execute(
            "UPDATE contacts SET status = ?2, ended_at = NULL WHERE id = ?1",
            params![contact, ContactStatus::Waiting.as_str()],
        )?;
        super::contacts::append_event(
            conn,
            contact,
            now,
            "create",
            Some(&format!("reopened: email reply from {from}")),
        )?;
    }
    Ok(closed)
}

/// The names of the files of a Maildir (by its canonical path) taken in by earlier syncs.
pub fn maildir_seen_names(conn: &Connection, folder: &str) -> rusqlite::Result<std::collections::HashSet<String>> {
    conn.prepare_cached("SELECT name FROM maildir_seen WHERE folder = ?1")?.query_map([folder], |r| r.get(0))?.collect()
}

/// Remembers Maildir file names as taken in, so later syncs do not read them again.
pub fn remember_maildir_names(conn: &Connection, folder: &str, names: &[String]) -> rusqlite::Result<()> {
    let rows: Vec<(&str, &str)> = names.iter().map(|name| (folder, name.as_str())).collect();
    insert_pairs(conn, "INSERT OR IGNORE INTO maildir_seen(folder, name) VALUES ", &rows)
}
