//! Contacts, the queue and each contact's event log.

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::domain::{Channel, Contact, ContactDetail, ContactStatus, Id, QueueRow, TimelineEntry, Timestamp};

use super::{customers, notes};

/// How many queue rows one page holds; the queue pane asks for more as the rep scrolls.
pub const QUEUE_PAGE: usize = 200;

/// A contact to create.
#[derive(Debug, Clone, PartialEq)]
pub struct NewContact {
    pub customer_id: Option<Id>,
    pub channel: Channel,
    pub subject: String,
    pub body: String,
    pub priority: u8,
    pub status: ContactStatus,
    pub tags: Vec<String>,
    pub created_at: Timestamp,
    pub accepted_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    pub hold_seconds: i64,
    pub disposition: Option<String>,
    pub escalated_to: Option<String>,
    pub csat: Option<u8>,
}

impl NewContact {
    /// A new waiting contact created now.
    pub fn waiting(channel: Channel, subject: &str, now: Timestamp) -> Self {
        Self {
            customer_id: None,
            channel,
            subject: subject.to_string(),
            body: String::new(),
            priority: 3,
            status: ContactStatus::Waiting,
            tags: Vec::new(),
            created_at: now,
            accepted_at: None,
            ended_at: None,
            hold_seconds: 0,
            disposition: None,
            escalated_to: None,
            csat: None,
        }
    }
}

/// Inserts a contact and the event log its timestamps imply (create, accept, hold/resume,
/// and the closing event), so history imported from elsewhere feeds the same metrics.
pub fn insert(conn: &Connection, c: &NewContact) -> rusqlite::Result<Id> {
    conn.execute(
        "INSERT INTO contacts(customer_id, channel, subject, body, status, priority, tags, created_at, accepted_at,
                              ended_at, disposition, escalated_to, csat)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            c.customer_id,
            c.channel.as_str(),
            c.subject,
            c.body,
            c.status.as_str(),
            c.priority,
            c.tags.join(";"),
            c.created_at,
            c.accepted_at,
            c.ended_at,
            c.disposition,
            c.escalated_to,
            c.csat
        ],
    )?;
    let id = conn.last_insert_rowid();
    append_event(conn, id, c.created_at, "create", None)?;
    if let Some(accepted) = c.accepted_at {
        append_event(conn, id, accepted, "accept", None)?;
        if c.hold_seconds > 0 {
            // Imported history only knows the total hold; place it as one block right after
            // the accept, which gives the same hold and handle totals.
            append_event(conn, id, accepted, "hold", None)?;
            append_event(conn, id, accepted + c.hold_seconds, "resume", None)?;
        }
    }
    if let Some(ended) = c.ended_at {
        let kind = match c.status {
            ContactStatus::Escalated => "escalate",
            ContactStatus::Transferred => "transfer",
            _ => "resolve",
        };
        append_event(conn, id, ended, kind, c.escalated_to.as_deref())?;
    }
    Ok(id)
}

/// Appends one step to a contact's event log.
pub fn append_event(
    conn: &Connection,
    contact: Id,
    at: Timestamp,
    kind: &str,
    detail: Option<&str>,
) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT INTO contact_events(contact_id, at, kind, detail) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![contact, at, kind, detail])?;
    Ok(())
}

/// One page of waiting contacts, most urgent first, then longest waiting.
pub fn queue(conn: &Connection, offset: usize, limit: usize) -> rusqlite::Result<Vec<QueueRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.channel, cu.name, c.subject, c.priority, c.created_at, c.status
         FROM contacts c LEFT JOIN customers cu ON cu.id = c.customer_id
         WHERE c.status = 'waiting'
         ORDER BY c.priority, c.created_at, c.id
         LIMIT ?1 OFFSET ?2",
    )?;
    let rows = stmt.query_map(params![to_i64(limit), to_i64(offset)], |r| {
        Ok(QueueRow {
            id: r.get(0)?,
            channel: channel_column(r, 1)?,
            customer_name: r.get(2)?,
            subject: r.get(3)?,
            priority: r.get(4)?,
            created_at: r.get(5)?,
            status: status_column(r, 6)?,
        })
    })?;
    rows.collect()
}

/// How many contacts are waiting.
pub fn waiting_count(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT count(*) FROM contacts WHERE status = 'waiting'", [], |r| r.get(0))
}

fn to_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn channel_column(r: &Row<'_>, i: usize) -> rusqlite::Result<Channel> {
    let s: String = r.get(i)?;
    Channel::parse(&s)
        .ok_or_else(|| rusqlite::Error::InvalidColumnType(i, format!("channel {s}"), rusqlite::types::Type::Text))
}

fn status_column(r: &Row<'_>, i: usize) -> rusqlite::Result<ContactStatus> {
    let s: String = r.get(i)?;
    ContactStatus::parse(&s)
        .ok_or_else(|| rusqlite::Error::InvalidColumnType(i, format!("status {s}"), rusqlite::types::Type::Text))
}

/// Reads one contact.
pub fn contact(conn: &Connection, id: Id) -> rusqlite::Result<Option<Contact>> {
    conn.query_row(
        "SELECT id, customer_id, channel, subject, body, status, priority, tags, created_at, accepted_at, ended_at,
                disposition, escalated_to, csat
         FROM contacts WHERE id = ?1",
        [id],
        |r| {
            let tags: String = r.get(7)?;
            Ok(Contact {
                id: r.get(0)?,
                customer_id: r.get(1)?,
                channel: channel_column(r, 2)?,
                subject: r.get(3)?,
                body: r.get(4)?,
                status: status_column(r, 5)?,
                priority: r.get(6)?,
                tags: tags.split(';').map(str::trim).filter(|t| !t.is_empty()).map(str::to_string).collect(),
                created_at: r.get(8)?,
                accepted_at: r.get(9)?,
                ended_at: r.get(10)?,
                disposition: r.get(11)?,
                escalated_to: r.get(12)?,
                csat: r.get(13)?,
            })
        },
    )
    .optional()
}

/// Reads a contact with its customer record, its notes and its draft.
pub fn detail(conn: &Connection, id: Id) -> rusqlite::Result<Option<ContactDetail>> {
    let Some(contact) = contact(conn, id)? else { return Ok(None) };
    let customer = match contact.customer_id {
        Some(cid) => customers::record(conn, cid)?,
        None => None,
    };
    let notes = notes::for_contact(conn, id)?;
    let draft = notes::draft(conn, id)?;
    Ok(Some(ContactDetail { contact, customer, notes, draft }))
}

/// Every contact of a customer across all channels, newest first, each with its notes.
pub fn timeline(conn: &Connection, customer: Id) -> rusqlite::Result<Vec<TimelineEntry>> {
    let mut entries = conn
        .prepare_cached(
            "SELECT id, channel, subject, status, created_at, disposition FROM contacts
             WHERE customer_id = ?1 ORDER BY created_at DESC, id DESC",
        )?
        .query_map([customer], |r| {
            Ok(TimelineEntry {
                contact_id: r.get(0)?,
                channel: channel_column(r, 1)?,
                subject: r.get(2)?,
                status: status_column(r, 3)?,
                created_at: r.get(4)?,
                disposition: r.get(5)?,
                notes: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for entry in &mut entries {
        entry.notes = notes::for_contact(conn, entry.contact_id)?;
    }
    Ok(entries)
}
