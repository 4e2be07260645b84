//! Contacts, the queue and each contact's event log.

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::domain::text::{StoredField, TextReport, clean_stored_text};
use crate::domain::{
    Channel, Contact, ContactDetail, ContactEvent, ContactStatus, EventKind, FollowUp, Id, QueueRow, TimelineEntry,
    Timers, Timestamp,
};

use super::{customers, messages, notes};
use crate::domain::message::NewMessage;

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
/// Free text is cleaned on the way in (see [`clean_stored_text`]).
pub fn insert(conn: &Connection, c: &NewContact) -> rusqlite::Result<Id> {
    insert_reporting(conn, c).map(|(id, _)| id)
}

/// [`insert`], also saying what cleaning did: cards masked, and fields cut to their cap
/// (an import's summary names them).
pub fn insert_reporting(conn: &Connection, c: &NewContact) -> rusqlite::Result<(Id, TextReport)> {
    insert_keeping(conn, c, BodyKept::OnContact)
}

/// Inserts a contact opened by an email together with that email, whose text is kept once:
/// on the message, which the contact reads as its body (`c.body` is not stored). Call
/// inside the caller's write transaction.
pub fn insert_opened_by(conn: &Connection, c: &NewContact, opening: &NewMessage) -> rusqlite::Result<Id> {
    let (id, _) = insert_keeping(conn, c, BodyKept::InThread)?;
    if messages::add(conn, id, opening)?.is_none() {
        // Its Message-ID turned out to be stored already: the text stays with the contact.
        let body = clean_stored_text(StoredField::ContactBody, &opening.body).text;
        conn.prepare_cached("UPDATE contacts SET body = ?2, body_in_thread = 0 WHERE id = ?1")?
            .execute(params![id, body])?;
    }
    Ok(id)
}

/// Where a contact's opening text is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyKept {
    /// In the contact's `body`.
    OnContact,
    /// In the first message of its thread (see [`BODY`]).
    InThread,
}

/// A contact's opening text as read: its own `body`, or its thread's first message's for a
/// contact opened by an email (migration 20: kept once). `contacts` must be in scope under
/// that name.
pub(super) const BODY: &str = "CASE contacts.body_in_thread WHEN 0 THEN contacts.body
     ELSE ifnull((SELECT m.body FROM contact_messages m WHERE m.contact_id = contacts.id ORDER BY m.id LIMIT 1), '')
     END";

fn insert_keeping(conn: &Connection, c: &NewContact, kept: BodyKept) -> rusqlite::Result<(Id, TextReport)> {
    let mut report = TextReport::default();
    let subject = report.clean(StoredField::ContactSubject, &c.subject);
    let body = match kept {
        BodyKept::OnContact => report.clean(StoredField::ContactBody, &c.body),
        BodyKept::InThread => String::new(),
    };
    let tags = report.clean(StoredField::ContactTags, &c.tags.join(";"));
    let disposition = report.clean_opt(StoredField::Disposition, c.disposition.as_deref());
    let escalated_to = report.clean_opt(StoredField::Department, c.escalated_to.as_deref());
    conn.prepare_cached(
        "INSERT INTO contacts(customer_id, channel, subject, body, body_in_thread, status, priority, tags, created_at,
                              accepted_at, ended_at, disposition, escalated_to, csat)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
        c.customer_id,
        c.channel.as_str(),
        subject,
        body,
        kept == BodyKept::InThread,
        c.status.as_str(),
        c.priority,
        tags,
        c.created_at,
        c.accepted_at,
        c.ended_at,
        disposition,
        escalated_to,
        c.csat
    ])?;
    let id = conn.last_insert_rowid();
    let mut events: Vec<(Timestamp, &str, Option<&str>)> = vec![(c.created_at, "create", None)];
    if let Some(accepted) = c.accepted_at {
        events.push((accepted, "accept", None));
        if c.hold_seconds > 0 {
            // Imported history only knows the total hold; place it as one block right after
            // the accept, which gives the same hold and handle totals.
            events.push((accepted, "hold", None));
            events.push((accepted + c.hold_seconds, "resume", None));
        }
    }
    if let Some(ended) = c.ended_at {
        let kind = match c.status {
            ContactStatus::Escalated => "escalate",
            ContactStatus::Transferred => "transfer",
            _ => "resolve",
        };
        events.push((ended, kind, escalated_to.as_deref()));
    }
    append_events(conn, id, &events)?;
    Ok((id, report))
}

/// Appends steps to a contact's event log with one statement: a contact written with its
/// whole history (an import, a sync) has up to five, and one statement for all of them
/// costs little more than one for each.
fn append_events(conn: &Connection, contact: Id, events: &[(Timestamp, &str, Option<&str>)]) -> rusqlite::Result<()> {
    let Some(first) = events.first() else { return Ok(()) };
    if events.len() == 1 {
        return append_event(conn, contact, first.0, first.1, first.2);
    }
    let sql = super::insert_rows(
        "INSERT INTO contact_events(contact_id, at, kind, detail) VALUES ",
        "(?, ?, ?, ?)",
        events.len(),
    );
    let mut insert = conn.prepare_cached(&sql)?;
    for (i, (at, kind, detail)) in events.iter().enumerate() {
        let first = i * 4 + 1;
        insert.raw_bind_parameter(first, contact)?;
        insert.raw_bind_parameter(first + 1, at)?;
        insert.raw_bind_parameter(first + 2, kind)?;
        insert.raw_bind_parameter(first + 3, detail.map(|d| clean_stored_text(StoredField::EventDetail, d).text))?;
    }
    insert.raw_execute()?;
    Ok(())
}

/// The customer a contact is linked to (`None` for an unknown contact or one without).
pub fn customer_of(conn: &Connection, id: Id) -> rusqlite::Result<Option<Id>> {
    conn.prepare_cached("SELECT customer_id FROM contacts WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()
        .map(Option::flatten)
}

/// Appends one step to a contact's event log.
pub fn append_event(
    conn: &Connection,
    contact: Id,
    at: Timestamp,
    kind: &str,
    detail: Option<&str>,
) -> rusqlite::Result<()> {
    let detail = detail.map(|d| clean_stored_text(StoredField::EventDetail, d).text);
    conn.prepare_cached("INSERT INTO contact_events(contact_id, at, kind, detail) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![contact, at, kind, detail])?;
    Ok(())
}

pub use crate::domain::contact_loop::{Outcome, QueueFilter, QueueView, Step};

const QUEUE_COLUMNS: &str = "c.id, c.channel, cu.name, c.subject, c.priority, c.created_at, c.status";

fn queue_row(r: &Row<'_>) -> rusqlite::Result<QueueRow> {
    Ok(QueueRow {
        id: r.get(0)?,
        channel: channel_column(r, 1)?,
        customer_name: r.get(2)?,
        subject: r.get(3)?,
        priority: r.get(4)?,
        created_at: r.get(5)?,
        status: status_column(r, 6)?,
        follow_up: None,
    })
}

/// One page of the queue for a filter. `day_start` is the local midnight that "resolved
/// today" counts from; `now` decides which follow-ups are due.
pub fn queue_filtered(
    conn: &Connection,
    filter: &QueueFilter,
    now: Timestamp,
    day_start: Timestamp,
    limit: usize,
) -> rusqlite::Result<Vec<QueueRow>> {
    let channel = filter.channel.map(Channel::as_str);
    let like = like_pattern(&filter.text);
    let mut rows = Vec::new();
    if matches!(filter.view, QueueView::Waiting | QueueView::FollowUpDue) {
        rows.extend(due_follow_ups(conn, channel, &like, now)?);
    }
    let (condition, order) = match filter.view {
        QueueView::Waiting => ("c.status = 'waiting'", "c.priority, c.created_at, c.id"),
        QueueView::Active => ("c.status IN ('active', 'wrap_up')", "c.created_at DESC"),
        QueueView::OnHold => ("c.status = 'on_hold'", "c.created_at DESC"),
        QueueView::Escalated => ("c.status IN ('escalated', 'transferred')", "c.created_at DESC"),
        QueueView::ResolvedToday => ("c.status = 'resolved' AND c.ended_at >= ?4", "c.ended_at DESC"),
        QueueView::FollowUpDue => return Ok(rows),
    };
    let sql = format!(
        "SELECT {QUEUE_COLUMNS} FROM contacts c LEFT JOIN customers cu ON cu.id = c.customer_id
         WHERE {condition} AND (?1 IS NULL OR c.channel = ?1)
           AND (?2 IS NULL OR c.subject LIKE ?2 ESCAPE '\\' OR cu.name LIKE ?2 ESCAPE '\\')
         ORDER BY {order} LIMIT ?3"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let limit = to_i64(limit);
    let mapped = if filter.view == QueueView::ResolvedToday {
        stmt.query_map(params![channel, like, limit, day_start], queue_row)?.collect::<rusqlite::Result<Vec<_>>>()?
    } else {
        stmt.query_map(params![channel, like, limit], queue_row)?.collect::<rusqlite::Result<Vec<_>>>()?
    };
    rows.extend(mapped);
    Ok(rows)
}

/// A LIKE pattern for the text filter (`%` and `_` typed by the rep are literal).
fn like_pattern(text: &str) -> Option<String> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    let escaped = t.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    Some(format!("%{escaped}%"))
}

fn due_follow_ups(
    conn: &Connection,
    channel: Option<&str>,
    like: &Option<String>,
    now: Timestamp,
) -> rusqlite::Result<Vec<QueueRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {QUEUE_COLUMNS}, f.id, f.due_at, f.note
         FROM follow_ups f JOIN contacts c ON c.id = f.contact_id LEFT JOIN customers cu ON cu.id = c.customer_id
         WHERE f.done_at IS NULL AND f.due_at <= ?1 AND (?2 IS NULL OR c.channel = ?2)
           AND (?3 IS NULL OR c.subject LIKE ?3 ESCAPE '\\' OR cu.name LIKE ?3 ESCAPE '\\')
         ORDER BY f.due_at, f.id"
    ))?;
    let rows = stmt.query_map(params![now, channel, like], |r| {
        let mut row = queue_row(r)?;
        row.follow_up = Some(FollowUp { id: r.get(7)?, due_at: r.get(8)?, note: r.get(9)? });
        Ok(row)
    })?;
    rows.collect()
}

/// One page of waiting contacts, most urgent first, then longest waiting.
pub fn queue(conn: &Connection, offset: usize, limit: usize) -> rusqlite::Result<Vec<QueueRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {QUEUE_COLUMNS} FROM contacts c LEFT JOIN customers cu ON cu.id = c.customer_id
         WHERE c.status = 'waiting'
         ORDER BY c.priority, c.created_at, c.id
         LIMIT ?1 OFFSET ?2"
    ))?;
    let rows = stmt.query_map(params![to_i64(limit), to_i64(offset)], queue_row)?;
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
        &format!(
            "SELECT id, customer_id, channel, subject, {BODY}, status, priority, tags, created_at, accepted_at, ended_at,
                    disposition, escalated_to, csat
             FROM contacts WHERE id = ?1"
        ),
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

/// Reads a contact with its customer record, notes, draft and event log; `day_start` is
/// the local midnight from which the customer's hold time today is counted.
pub fn detail(conn: &Connection, id: Id, day_start: Timestamp) -> rusqlite::Result<Option<ContactDetail>> {
    let Some(contact) = contact(conn, id)? else { return Ok(None) };
    let customer = match contact.customer_id {
        Some(cid) => customers::record(conn, cid)?,
        None => None,
    };
    let notes = notes::for_contact(conn, id)?;
    let draft = notes::draft(conn, id)?;
    let events = events(conn, id)?;
    let customer_hold_today = match contact.customer_id {
        Some(cid) => customer_hold_since(conn, cid, id, day_start)?,
        None => 0,
    };
    let messages = super::messages::messages(conn, id)?;
    let reply_draft = notes::reply_draft(conn, id)?;
    Ok(Some(ContactDetail { contact, customer, notes, draft, events, customer_hold_today, messages, reply_draft }))
}

/// A contact's event log, oldest first.
pub fn events(conn: &Connection, contact: Id) -> rusqlite::Result<Vec<ContactEvent>> {
    conn.prepare_cached("SELECT at, kind, detail FROM contact_events WHERE contact_id = ?1 ORDER BY at, id")?
        .query_map([contact], |r| {
            let kind: String = r.get(1)?;
            Ok(ContactEvent {
                at: r.get(0)?,
                kind: EventKind::parse(&kind).ok_or_else(|| {
                    rusqlite::Error::InvalidColumnType(1, format!("event {kind}"), rusqlite::types::Type::Text)
                })?,
                detail: r.get(2)?,
            })
        })?
        .collect()
}

/// Total hold on a customer's other contacts created since `since`.
fn customer_hold_since(conn: &Connection, customer: Id, except: Id, since: Timestamp) -> rusqlite::Result<i64> {
    let ids: Vec<Id> = conn
        .prepare_cached("SELECT id FROM contacts WHERE customer_id = ?1 AND id <> ?2 AND created_at >= ?3")?
        .query_map(params![customer, except, since], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut total = 0;
    for id in ids {
        let log = events(conn, id)?;
        let end = log.last().map_or(since, |e| e.at);
        total += Timers::replay(&log, end).hold;
    }
    Ok(total)
}

/// Why a step of the contact loop was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

fn status_of(conn: &Connection, id: Id) -> rusqlite::Result<Option<ContactStatus>> {
    conn.query_row("SELECT status FROM contacts WHERE id = ?1", [id], |r| status_column(r, 0)).optional()
}

fn set_status(conn: &Connection, id: Id, status: ContactStatus) -> rusqlite::Result<()> {
    conn.execute("UPDATE contacts SET status = ?2 WHERE id = ?1", params![id, status.as_str()])?;
    Ok(())
}

/// Applies a step if the contact's status allows it; appends it to the event log.
/// Returns `Err(Refused)` (nothing written) when the contact is not in a state for it —
/// e.g. another instance accepted it first.
pub fn apply_step(conn: &Connection, id: Id, step: &Step, now: Timestamp) -> rusqlite::Result<Result<(), Refused>> {
    use ContactStatus as S;
    let Some(status) = status_of(conn, id)? else { return Ok(Err(Refused("the contact no longer exists".into()))) };
    let refused =
        |what: &str| Ok(Err(Refused(format!("cannot {what} a contact that is {}", status.as_str().replace('_', " ")))));
    match step {
        Step::Accept => {
            if status != S::Waiting {
                return refused("accept");
            }
            conn.execute(
                "UPDATE contacts SET status = 'active', accepted_at = coalesce(accepted_at, ?2) WHERE id = ?1",
                params![id, now],
            )?;
            append_event(conn, id, now, "accept", None)?;
        }
        Step::Hold => {
            if status != S::Active {
                return refused("hold");
            }
            set_status(conn, id, S::OnHold)?;
            append_event(conn, id, now, "hold", None)?;
        }
        Step::Resume => {
            // From hold, or from wrap-up when the customer is still there after all.
            if !matches!(status, S::OnHold | S::WrapUp) {
                return refused("resume");
            }
            set_status(conn, id, S::Active)?;
            append_event(conn, id, now, "resume", None)?;
        }
        Step::WrapUp => {
            if !matches!(status, S::Active | S::OnHold) {
                return refused("wrap up");
            }
            if status == S::OnHold {
                append_event(conn, id, now, "resume", None)?;
            }
            set_status(conn, id, S::WrapUp)?;
            append_event(conn, id, now, "wrap_up", None)?;
        }
        Step::Close { outcome, disposition, reason } => {
            if !matches!(status, S::Active | S::OnHold | S::WrapUp) {
                return refused("close");
            }
            if status == S::OnHold {
                append_event(conn, id, now, "resume", None)?;
            }
            let (new_status, kind, department) = match outcome {
                Outcome::Resolve => (S::Resolved, "resolve", None),
                Outcome::Escalate(d) => (S::Escalated, "escalate", Some(d.as_str())),
                Outcome::Transfer(d) => (S::Transferred, "transfer", Some(d.as_str())),
            };
            let disposition = clean_stored_text(StoredField::Disposition, disposition).text;
            let department = department.map(|d| clean_stored_text(StoredField::Department, d).text);
            let department = department.as_deref();
            conn.execute(
                "UPDATE contacts SET status = ?2, ended_at = ?3, disposition = ?4, escalated_to = ?5 WHERE id = ?1",
                params![id, new_status.as_str(), now, disposition, department],
            )?;
            let detail = match (department, reason.as_deref().filter(|r| !r.trim().is_empty())) {
                (Some(d), Some(r)) => Some(format!("{d}: {r}")),
                (Some(d), None) => Some(d.to_string()),
                (None, r) => r.map(str::to_string),
            };
            append_event(conn, id, now, kind, detail.as_deref())?;
        }
        Step::Reopen => {
            if !matches!(status, S::Resolved | S::Escalated | S::Transferred) {
                return refused("reopen");
            }
            conn.execute("UPDATE contacts SET status = 'active', ended_at = NULL WHERE id = ?1", [id])?;
            append_event(conn, id, now, "reopen", None)?;
        }
    }
    Ok(Ok(()))
}

/// Contacts in progress (active, on hold or wrapping up), oldest accepted first: the strip.
pub fn in_progress(conn: &Connection) -> rusqlite::Result<Vec<Id>> {
    conn.prepare_cached(
        "SELECT id FROM contacts WHERE status IN ('active', 'on_hold', 'wrap_up') ORDER BY accepted_at, id",
    )?
    .query_map([], |r| r.get(0))?
    .collect()
}

/// The contact "accept next" should take: most urgent, then longest waiting.
pub fn next_waiting(conn: &Connection) -> rusqlite::Result<Option<Id>> {
    conn.query_row(
        "SELECT id FROM contacts WHERE status = 'waiting' ORDER BY priority, created_at, id LIMIT 1",
        [],
        |r| r.get(0),
    )
    .optional()
}

/// Schedules a follow-up on a contact; its note is cleaned like every stored text.
pub fn add_follow_up(
    conn: &Connection,
    contact: Id,
    due_at: Timestamp,
    note: &str,
    now: Timestamp,
) -> rusqlite::Result<Id> {
    let note = clean_stored_text(StoredField::FollowUpNote, note).text;
    conn.execute(
        "INSERT INTO follow_ups(contact_id, customer_id, due_at, note, created_at)
         VALUES (?1, (SELECT customer_id FROM contacts WHERE id = ?1), ?2, ?3, ?4)",
        params![contact, due_at, note, now],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Starts working a due follow-up: a new outbound contact for the same customer, accepted
/// at once, and the follow-up marked done. Returns the new contact's id.
///
/// The new contact's body is the follow-up's note (what the rep meant to do) and the contact
/// it follows: once done, the follow-up is listed nowhere else.
pub fn start_follow_up(conn: &Connection, follow_up: Id, now: Timestamp) -> rusqlite::Result<Option<Id>> {
    let original: Option<(Id, Option<Id>, String, String, u8, String)> = conn
        .query_row(
            "SELECT c.id, c.customer_id, c.channel, c.subject, c.priority, f.note
               FROM follow_ups f JOIN contacts c ON c.id = f.contact_id
             WHERE f.id = ?1 AND f.done_at IS NULL",
            [follow_up],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .optional()?;
    let Some((followed, customer, channel, subject, priority, note)) = original else { return Ok(None) };
    conn.execute("UPDATE follow_ups SET done_at = ?2 WHERE id = ?1", params![follow_up, now])?;
    let body = match note.trim() {
        "" => format!("Follow-up of #{followed}."),
        note => format!("{note}\n\n(Follow-up of #{followed}.)"),
    };
    conn.execute(
        "INSERT INTO contacts(customer_id, channel, direction, subject, body, status, priority, created_at, accepted_at)
         VALUES (?1, ?2, 'outbound', ?3, ?4, 'active', ?5, ?6, ?6)",
        params![
            customer,
            channel,
            clean_stored_text(StoredField::ContactSubject, &format!("Follow-up: {subject}")).text,
            clean_stored_text(StoredField::ContactBody, &body).text,
            priority,
            now
        ],
    )?;
    let id = conn.last_insert_rowid();
    append_event(conn, id, now, "create", None)?;
    append_event(conn, id, now, "accept", None)?;
    Ok(Some(id))
}

/// Changes a contact's priority.
pub fn set_priority(conn: &Connection, id: Id, priority: u8) -> rusqlite::Result<()> {
    conn.execute("UPDATE contacts SET priority = ?2 WHERE id = ?1", params![id, priority])?;
    Ok(())
}

/// Replaces a contact's tags (cleaned like every stored text).
pub fn set_tags(conn: &Connection, id: Id, tags: &[String]) -> rusqlite::Result<()> {
    let tags = clean_stored_text(StoredField::ContactTags, &tags.join(";")).text;
    conn.execute("UPDATE contacts SET tags = ?2 WHERE id = ?1", params![id, tags])?;
    Ok(())
}

/// Links a contact (and its notes) to a customer found mid-call.
pub fn link_customer(conn: &Connection, id: Id, customer: Id) -> rusqlite::Result<()> {
    conn.execute("UPDATE contacts SET customer_id = ?2 WHERE id = ?1", params![id, customer])?;
    conn.execute("UPDATE notes SET customer_id = ?2 WHERE contact_id = ?1", params![id, customer])?;
    conn.execute("UPDATE follow_ups SET customer_id = ?2 WHERE contact_id = ?1", params![id, customer])?;
    Ok(())
}

/// Records the customer's satisfaction rating (1–5).
pub fn set_csat(conn: &Connection, id: Id, csat: Option<u8>) -> rusqlite::Result<()> {
    conn.execute("UPDATE contacts SET csat = ?2 WHERE id = ?1", params![id, csat])?;
    Ok(())
}

/// Every contact of a customer across all channels, newest first, each with its notes.
pub fn timeline(conn: &Connection, customer: Id) -> rusqlite::Result<Vec<TimelineEntry>> {
    let mut entries = conn
        .prepare_cached(
            "SELECT id, channel, subject, status, created_at, disposition, escalated_to, escalation_reason,
                    escalated_by FROM contacts
             WHERE customer_id = ?1 ORDER BY created_at DESC, id DESC",
        )?
        .query_map([customer], |r| {
            let status = status_column(r, 3)?;
            let department: Option<String> = r.get(6)?;
            let (reason, by): (Option<String>, Option<String>) = (r.get(7)?, r.get(8)?);
            let escalation = department
                .filter(|_| matches!(status, ContactStatus::Escalated | ContactStatus::Transferred))
                .map(|department| crate::domain::Escalated { department, reason, by });
            Ok(TimelineEntry {
                contact_id: r.get(0)?,
                channel: channel_column(r, 1)?,
                subject: r.get(2)?,
                status,
                created_at: r.get(4)?,
                disposition: r.get(5)?,
                escalation,
                notes: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    // All the customer's notes in one query (not one per contact: a customer with 1,000
    // contacts cost 1,000 queries), then handed to their contacts; each contact's notes stay
    // oldest first, as `notes::for_contact` returns them.
    let mut by_contact: std::collections::HashMap<Id, Vec<crate::domain::Note>> = std::collections::HashMap::new();
    for note in notes::for_customer_contacts(conn, customer)? {
        if let Some(contact) = note.contact_id {
            by_contact.entry(contact).or_default().push(note);
        }
    }
    for entry in &mut entries {
        if let Some(list) = by_contact.remove(&entry.contact_id) {
            entry.notes = list;
        }
    }
    Ok(entries)
}

/// A customer's follow-ups not yet done, soonest first.
pub fn open_follow_ups(conn: &Connection, customer: Id) -> rusqlite::Result<Vec<FollowUp>> {
    conn.prepare_cached(
        "SELECT id, due_at, note FROM follow_ups WHERE customer_id = ?1 AND done_at IS NULL ORDER BY due_at, id",
    )?
    .query_map([customer], |r| Ok(FollowUp { id: r.get(0)?, due_at: r.get(1)?, note: r.get(2)? }))?
    .collect()
}

/// Whether a contact with this id exists.
pub fn exists(conn: &Connection, id: Id) -> rusqlite::Result<bool> {
    conn.query_row("SELECT EXISTS(SELECT 1 FROM contacts WHERE id = ?1)", [id], |r| r.get(0))
}

/// An email contact as it opened: what its first message said and who sent it.
#[derive(Debug, Clone)]
pub struct EmailOpener {
    pub contact: Id,
    pub subject: String,
    pub body: String,
    pub at: Timestamp,
    /// The customer's first email address.
    pub from: String,
}

/// The contacts of one channel, oldest first, each with its customer's name (if it has a
/// customer).
pub fn on_channel(conn: &Connection, channel: Channel) -> rusqlite::Result<Vec<(Id, Option<String>)>> {
    conn.prepare_cached(
        "SELECT contacts.id, customers.name FROM contacts LEFT JOIN customers ON customers.id = contacts.customer_id
          WHERE contacts.channel = ?1 ORDER BY contacts.id",
    )?
    .query_map([channel.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?
    .collect()
}

/// Every email contact whose customer has an email address (the demo threads them).
pub fn email_openers(conn: &Connection) -> rusqlite::Result<Vec<EmailOpener>> {
    conn.prepare(&format!(
        "SELECT contacts.id, contacts.subject, {BODY}, contacts.created_at,
                (SELECT value FROM identities WHERE customer_id = contacts.customer_id AND kind = 'email'
                 ORDER BY id LIMIT 1)
         FROM contacts WHERE contacts.channel = 'email' AND contacts.customer_id IS NOT NULL"
    ))?
    .query_map([], |r| {
        Ok(EmailOpener {
            contact: r.get(0)?,
            subject: r.get(1)?,
            body: r.get(2)?,
            at: r.get(3)?,
            from: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
        })
    })?
    .collect()
}
