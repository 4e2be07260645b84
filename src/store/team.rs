//! Team mode's tables: which contact stands for which help-desk ticket (with the ticket as
//! last seen), the journal of actions still to reach the help desk, and the sync position.
//! Every function runs in the caller's transaction, so a journal entry is written with the
//! local change it belongs to, or not at all.

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::domain::text::mask_card_numbers;
use crate::domain::{Id, Timestamp};

use super::{meta_get, meta_set};

/// The `meta` key of the last help-desk transaction applied (the change feed's position).
const POSITION: &str = "team.position";
/// The `meta` key of the last time the help desk answered a sync.
const LAST_SYNC: &str = "team.last_sync";

/// A ticket as the workspace caches it, and the contact that stands for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketRow {
    pub ticket: String,
    pub contact_id: Id,
    pub queue: String,
    /// Empty while nobody owns it.
    pub owner: String,
    pub status: String,
    pub requestor: String,
    /// The newest help-desk transaction already applied to the contact.
    pub last_txn: i64,
}

/// What a journaled action does in the help desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JournalKind {
    /// A reply to the customer.
    Correspond,
    /// A private comment.
    Comment,
    /// A new status (the body holds it).
    Status,
    /// A move to another queue (the body holds its name).
    Queue,
}

impl JournalKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Correspond => "correspond",
            Self::Comment => "comment",
            Self::Status => "status",
            Self::Queue => "queue",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "correspond" => Self::Correspond,
            "comment" => Self::Comment,
            "status" => Self::Status,
            "queue" => Self::Queue,
            _ => return None,
        })
    }
}

/// Where a journaled action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JournalState {
    /// Not sent yet.
    Pending,
    /// Sent, but no answer was seen: the ticket's history decides before any retry.
    Sending,
    /// The help desk has it.
    Done,
    /// The help desk said no (the outcome says why).
    Refused,
    /// A reply kept back as a draft (the ticket went to someone else).
    Draft,
}

impl JournalState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Done => "done",
            Self::Refused => "refused",
            Self::Draft => "draft",
        }
    }
}

/// One journaled action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    pub id: Id,
    pub ticket: String,
    pub kind: JournalKind,
    pub body: String,
    pub marker: String,
    pub after_txn: i64,
    pub state: JournalState,
    pub attempts: i64,
}

fn ticket_from_row(r: &Row<'_>) -> rusqlite::Result<TicketRow> {
    Ok(TicketRow {
        ticket: r.get(0)?,
        contact_id: r.get(1)?,
        queue: r.get(2)?,
        owner: r.get(3)?,
        status: r.get(4)?,
        requestor: r.get(5)?,
        last_txn: r.get(6)?,
    })
}

const TICKET_COLUMNS: &str = "ticket, contact_id, queue, owner, status, requestor, last_txn";

/// The cached ticket, by the help desk's id.
pub fn ticket(conn: &Connection, backend: &str, ticket: &str) -> rusqlite::Result<Option<TicketRow>> {
    conn.prepare_cached(&format!("SELECT {TICKET_COLUMNS} FROM team_tickets WHERE backend = ?1 AND ticket = ?2"))?
        .query_row(params![backend, ticket], ticket_from_row)
        .optional()
}

/// The ticket a contact stands for, if it is a team contact.
pub fn ticket_of_contact(conn: &Connection, contact: Id) -> rusqlite::Result<Option<(String, TicketRow)>> {
    conn.prepare_cached(&format!("SELECT {TICKET_COLUMNS}, backend FROM team_tickets WHERE contact_id = ?1"))?
        .query_row([contact], |r| Ok((r.get(7)?, ticket_from_row(r)?)))
        .optional()
}

/// Records (or updates) the cached ticket for a contact.
pub fn save_ticket(conn: &Connection, backend: &str, row: &TicketRow) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO team_tickets(backend, ticket, contact_id, queue, owner, status, requestor, last_txn)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT(backend, ticket) DO UPDATE SET contact_id = excluded.contact_id, queue = excluded.queue,
             owner = excluded.owner, status = excluded.status, requestor = excluded.requestor,
             last_txn = max(last_txn, excluded.last_txn)",
    )?
    .execute(params![
        backend,
        row.ticket,
        row.contact_id,
        row.queue,
        row.owner,
        row.status,
        row.requestor,
        row.last_txn
    ])?;
    Ok(())
}

/// Whether the rep ever accepted the contact (then it stays in the workspace for good).
pub fn contact_accepted(conn: &Connection, contact: Id) -> rusqlite::Result<bool> {
    conn.query_row("SELECT accepted_at IS NOT NULL FROM contacts WHERE id = ?1", [contact], |r| r.get(0))
        .optional()
        .map(|v| v.unwrap_or(false))
}

/// Drops a waiting team contact that is no longer the rep's to take (taken by someone
/// else, resolved, moved out of the rep's queues). Its messages and mapping go with it.
pub fn forget_waiting_contact(conn: &Connection, contact: Id) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM contacts WHERE id = ?1 AND accepted_at IS NULL", [contact])?;
    Ok(())
}

/// Adds a message of the ticket to the contact's thread (a second copy is ignored).
pub fn add_message(conn: &Connection, contact: Id, message: &ThreadMessage<'_>) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO contact_messages(contact_id, message_id, direction, sent_at, from_addr, subject, body, source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        contact,
        message.message_id,
        if message.inbound { "inbound" } else { "outbound" },
        message.at,
        message.from,
        message.subject,
        message.body,
        message.source
    ])?;
    Ok(())
}

/// Removes a message from a thread (a reply kept back as a draft was never sent).
pub fn remove_message(conn: &Connection, message_id: &str) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM contact_messages WHERE message_id = ?1", [message_id])?;
    Ok(())
}

/// A help-desk message as the contact's thread stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadMessage<'a> {
    pub message_id: &'a str,
    pub inbound: bool,
    pub at: Timestamp,
    pub from: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub source: &'a str,
}

/// Adds a journal entry; returns its id.
pub fn enqueue(
    conn: &Connection,
    backend: &str,
    ticket: &str,
    kind: JournalKind,
    body: &str,
    marker: &str,
    now: Timestamp,
) -> rusqlite::Result<Id> {
    let after = position(conn)?.unwrap_or(0);
    conn.prepare_cached(
        "INSERT INTO team_journal(backend, ticket, kind, body, marker, after_txn, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![backend, ticket, kind.as_str(), body, marker, after, now])?;
    Ok(conn.last_insert_rowid())
}

/// The actions still to reach the help desk (pending or unconfirmed), in order.
pub fn open_entries(conn: &Connection, backend: &str) -> rusqlite::Result<Vec<JournalEntry>> {
    conn.prepare_cached(
        "SELECT id, ticket, kind, body, marker, after_txn, state, attempts FROM team_journal
         WHERE backend = ?1 AND state IN ('pending', 'sending') ORDER BY id",
    )?
    .query_map([backend], |r| {
        let kind: String = r.get(2)?;
        let state: String = r.get(6)?;
        Ok(JournalEntry {
            id: r.get(0)?,
            ticket: r.get(1)?,
            // The CHECK constraints allow no other values.
            kind: JournalKind::parse(&kind).unwrap_or(JournalKind::Comment),
            body: r.get(3)?,
            marker: r.get(4)?,
            after_txn: r.get(5)?,
            state: if state == "sending" { JournalState::Sending } else { JournalState::Pending },
            attempts: r.get(7)?,
        })
    })?
    .collect()
}

/// How many actions are still to reach the help desk.
pub fn pending_count(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT count(*) FROM team_journal WHERE state IN ('pending', 'sending')", [], |r| r.get(0))
}

/// Marks an entry as about to be sent: committed before the request goes out, so a lost
/// answer leaves it `sending` and the next replay checks the history first.
pub fn mark_sending(conn: &Connection, id: Id) -> rusqlite::Result<()> {
    conn.execute("UPDATE team_journal SET state = 'sending', attempts = attempts + 1 WHERE id = ?1", [id])?;
    Ok(())
}

/// Closes an entry: done (with the transaction that carried it, when known), refused or draft.
pub fn finish(
    conn: &Connection,
    id: Id,
    state: JournalState,
    done_txn: Option<i64>,
    outcome: Option<&str>,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE team_journal SET state = ?2, done_txn = coalesce(?3, done_txn), outcome = ?4 WHERE id = ?1",
        params![id, state.as_str(), done_txn, outcome],
    )?;
    Ok(())
}

/// Whether a help-desk transaction already belongs to a journal entry.
pub fn txn_claimed(conn: &Connection, backend: &str, txn: i64) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM team_journal WHERE backend = ?1 AND done_txn = ?2)",
        params![backend, txn],
        |r| r.get(0),
    )
}

/// How many earlier entries with the same ticket and marker were confirmed without
/// learning their transaction: that many matching transactions in the history are theirs.
pub fn earlier_unresolved(conn: &Connection, entry: &JournalEntry) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT count(*) FROM team_journal
         WHERE ticket = ?1 AND marker = ?2 AND id < ?3 AND state = 'done' AND done_txn IS NULL",
        params![entry.ticket, entry.marker, entry.id],
        |r| r.get(0),
    )
}

/// Gives a transaction of the rep's, seen in the change feed, to the journal entry it came
/// from (the oldest sent one with the same marker). Returns whether there was one: then the
/// local copy already exists and the transaction is not stored again.
pub fn claim_txn(conn: &Connection, backend: &str, ticket: &str, marker: &str, txn: i64) -> rusqlite::Result<bool> {
    if txn_claimed(conn, backend, txn)? {
        return Ok(true);
    }
    let changed = conn.execute(
        "UPDATE team_journal SET state = 'done', done_txn = ?4
         WHERE id = (SELECT id FROM team_journal WHERE backend = ?1 AND ticket = ?2 AND marker = ?3
                     AND state IN ('done', 'sending') AND done_txn IS NULL ORDER BY id LIMIT 1)",
        params![backend, ticket, marker, txn],
    )?;
    Ok(changed > 0)
}

/// The change feed's position, `None` before the first sync.
pub fn position(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    Ok(meta_get(conn, POSITION)?.and_then(|v| v.parse().ok()))
}

/// Moves the change feed's position forward (never back) and notes the time of the sync.
pub fn set_position(conn: &Connection, position: i64, now: Timestamp) -> rusqlite::Result<()> {
    let current = self::position(conn)?.unwrap_or(0);
    meta_set(conn, POSITION, &current.max(position).to_string())?;
    meta_set(conn, LAST_SYNC, &now.to_string())
}

/// The last time the help desk answered a sync (Unix seconds).
pub fn last_sync(conn: &Connection) -> rusqlite::Result<Option<Timestamp>> {
    Ok(meta_get(conn, LAST_SYNC)?.and_then(|v| v.parse().ok()))
}

// ---------------------------------------------------------------- local actions

/// A local action with a help-desk half.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TeamAction {
    /// A reply to the customer (the help desk sends it).
    Reply(String),
    /// A private note (a comment in the help desk).
    Note(String),
    /// Resolve the ticket.
    Resolve,
    /// Escalate or transfer: the reason as a comment, then the move to another queue.
    Move { queue: String, reason: String },
}

/// The idempotency marker of an action: a stable hash of its kind and normalised text, so
/// the same action can be recognised in the help desk's history.
pub fn marker(kind: JournalKind, body: &str) -> String {
    let normalised = body.replace("\r\n", "\n");
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in format!("{kind:?}\n{}", normalised.trim()).bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("fnv1a-{hash:016x}")
}

/// Journals the help-desk half of a local action on `contact`, in the caller's transaction
/// (the one that makes the local change). Returns how many entries were added: none when the
/// contact is not a team contact. Text is masked for card numbers before it is kept. A reply
/// is also added to the contact's thread here (team replies never take the mail path); a
/// note's local copy stays the caller's (`notes::save_note`).
pub fn record(conn: &Connection, contact: Id, action: &TeamAction, now: Timestamp) -> rusqlite::Result<usize> {
    let Some((backend, row)) = ticket_of_contact(conn, contact)? else { return Ok(0) };
    let entries: Vec<(JournalKind, String)> = match action {
        TeamAction::Reply(text) => vec![(JournalKind::Correspond, masked(text))],
        TeamAction::Note(text) => vec![(JournalKind::Comment, masked(text))],
        TeamAction::Resolve => vec![(JournalKind::Status, "resolved".into())],
        TeamAction::Move { queue, reason } => {
            let mut v = Vec::new();
            if !reason.trim().is_empty() {
                v.push((JournalKind::Comment, masked(reason)));
            }
            v.push((JournalKind::Queue, queue.clone()));
            v
        }
    };
    for (kind, body) in &entries {
        let id = enqueue(conn, &backend, &row.ticket, *kind, body, &marker(*kind, body), now)?;
        if *kind == JournalKind::Correspond {
            // A team contact's reply goes out through the help desk, not the mail path: its
            // copy in the thread is written here (the help desk's own comes back claimed).
            let message_id = journal_message_id(&backend, id);
            let source = format!("{backend}:{}", row.ticket);
            let message = ThreadMessage {
                message_id: &message_id,
                inbound: false,
                at: now,
                from: "",
                subject: "",
                body,
                source: &source,
            };
            add_message(conn, contact, &message)?;
        }
    }
    Ok(entries.len())
}

/// The thread copy of a journaled reply.
pub fn journal_message_id(backend: &str, entry: Id) -> String {
    format!("{backend}-journal-{entry}@frontline.team")
}

fn masked(text: &str) -> String {
    mask_card_numbers(text).text
}
