//! Moving changes both ways between the workspace and the help desk.
//!
//! - [`pull`]: one request on the change feed per call; the tickets it names are read and
//!   the workspace follows (new tickets wait in the queue, tickets taken by others leave it,
//!   customers' replies join the thread).
//! - [`push`]: the journal replayed in order, each action at most once.
//! - [`claim`]: the help desk's take, confirmed before the contact is the rep's.
//! - [`record`]: the local verbs journal their help-desk half with it, in their transaction.

use std::collections::{BTreeMap, HashMap};

use anyhow::Result;
use rusqlite::Connection;
use serde::Serialize;

use super::{Entry, EntryKind, HelpDesk, Ownership, TakeOutcome, TeamError, Ticket, TicketId};
use crate::domain::text::mask_card_numbers;
use crate::domain::{Channel, ContactStatus, Id};
use crate::store::contacts::{self, NewContact};
use crate::store::team::{self as journal, JournalEntry, JournalKind, JournalState, ThreadMessage, TicketRow};
use crate::store::{self, customers, notes};

/// How many feed entries one poll reads; a busier help desk is caught up over a few polls.
const FEED_PAGE: usize = 100;

/// What one [`pull`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PullSummary {
    /// Whether the help desk answered.
    pub online: bool,
    /// Feed entries read.
    pub changes: usize,
    /// Team contacts that arrived in the queue.
    pub new_contacts: usize,
    /// Waiting team contacts that left the queue (taken elsewhere, closed, moved away).
    pub gone: usize,
    /// Messages and comments added to threads.
    pub messages: usize,
    /// The feed position after the pull.
    pub position: i64,
    /// What the rep should be told, one line each.
    pub notices: Vec<String>,
}

/// What one [`push`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PushSummary {
    /// Whether the help desk answered (false: the rest waits in the journal).
    pub online: bool,
    /// Actions the help desk took now.
    pub sent: usize,
    /// Actions whose answer had been lost and that the history showed as done (not resent).
    pub confirmed: usize,
    /// Replies kept back as drafts (the ticket went to someone else).
    pub drafts: usize,
    /// Actions the help desk refused.
    pub refused: usize,
    /// Actions still waiting.
    pub pending: i64,
    /// What the rep should be told, one line each ("#41 was taken by rep2 while you were offline").
    pub notices: Vec<String>,
}

pub use crate::store::team::{TeamAction, journal_message_id, marker, record};

fn masked(text: &str) -> String {
    mask_card_numbers(text).text
}

/// What a [`claim`] came to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", content = "owner", rename_all = "snake_case")]
pub enum ClaimOutcome {
    /// The help desk confirms the ticket is the rep's: accept the contact locally now.
    Taken,
    /// Someone else has it; their waiting contact has left the rep's queue.
    TakenBy(String),
}

/// Takes a ticket in the help desk (its own atomic take, confirmed by reading the owner
/// back) and records the owner. The caller accepts the local contact only on `Taken`.
pub fn claim(conn: &mut Connection, engine: &dyn HelpDesk, ticket: &TicketId) -> Result<ClaimOutcome> {
    let outcome = engine.take(ticket)?;
    let owner = match &outcome {
        TakeOutcome::Taken => engine.user().to_string(),
        TakeOutcome::TakenBy(other) => other.clone(),
    };
    store::write(conn, |tx| -> rusqlite::Result<()> {
        if let Some(mut row) = journal::ticket(tx, engine.backend(), &ticket.0)? {
            row.owner.clone_from(&owner);
            journal::save_ticket(tx, engine.backend(), &row)?;
            if owner != engine.user() {
                journal::forget_waiting_contact(tx, row.contact_id)?;
            }
        }
        Ok(())
    })?;
    Ok(match outcome {
        TakeOutcome::Taken => ClaimOutcome::Taken,
        TakeOutcome::TakenBy(other) => ClaimOutcome::TakenBy(other),
    })
}

/// One poll: the change feed since the stored position (one request), then the tickets it
/// names. The first pull lists the configured queues instead and starts the feed at the
/// help desk's newest transaction. A help desk that does not answer is `online: false`.
pub fn pull(conn: &mut Connection, engine: &dyn HelpDesk, queues: &[String]) -> Result<PullSummary> {
    let mut summary = PullSummary::default();
    let result = match journal::position(conn)? {
        None => first_pull(conn, engine, queues, &mut summary),
        Some(position) => follow_feed(conn, engine, queues, position, &mut summary),
    };
    match result {
        Ok(()) => summary.online = true,
        Err(e) => match e.downcast_ref::<TeamError>() {
            Some(TeamError::Offline(_)) => summary.online = false,
            _ => return Err(e),
        },
    }
    summary.position = journal::position(conn)?.unwrap_or(0);
    Ok(summary)
}

fn first_pull(
    conn: &mut Connection,
    engine: &dyn HelpDesk,
    queues: &[String],
    summary: &mut PullSummary,
) -> Result<()> {
    // The position is read first: anything newer is picked up by the next poll, so nothing
    // falls between the listing and the feed.
    let start = engine.latest_position()?;
    for which in [Ownership::Unowned, Ownership::Mine] {
        // Bulk reads: the tickets, all their messages, then the messages' texts — a few
        // pages for thousands of tickets instead of requests per ticket.
        let tickets = engine.list(queues, which)?;
        let entries = engine.queue_history(queues, which)?;
        let ids: Vec<i64> = entries.iter().map(|e| e.id).collect();
        let texts = if ids.is_empty() { HashMap::new() } else { engine.contents(&ids)? };
        let mut by_ticket: HashMap<&TicketId, Vec<Entry>> = HashMap::new();
        for e in &entries {
            by_ticket.entry(&e.ticket).or_default().push(e.clone());
        }
        let (backend, me) = (engine.backend(), engine.user());
        let created = store::write(conn, |tx| -> rusqlite::Result<usize> {
            let mut created = 0;
            for t in &tickets {
                if journal::ticket(tx, backend, &t.id.0)?.is_none() {
                    create_contact(tx, backend, me, t, by_ticket.get(&t.id).map_or(&[], Vec::as_slice), &texts)?;
                    created += 1;
                }
            }
            Ok(created)
        })?;
        summary.new_contacts += created;
        summary.messages += texts.len();
    }
    store::write(conn, |tx| journal::set_position(tx, start, crate::domain::time::now()))?;
    Ok(())
}

fn follow_feed(
    conn: &mut Connection,
    engine: &dyn HelpDesk,
    queues: &[String],
    position: i64,
    summary: &mut PullSummary,
) -> Result<()> {
    let entries = engine.changes_since(position, FEED_PAGE)?;
    summary.changes = entries.len();
    let mut by_ticket: BTreeMap<TicketId, Vec<Entry>> = BTreeMap::new();
    for entry in &entries {
        by_ticket.entry(entry.ticket.clone()).or_default().push(entry.clone());
    }
    // The changed tickets in one read; one the rep may no longer see is none of theirs.
    let ids: Vec<TicketId> = by_ticket.keys().cloned().collect();
    let found: HashMap<TicketId, Ticket> = engine.tickets(&ids)?.into_iter().map(|t| (t.id.clone(), t)).collect();
    for (id, changes) in &by_ticket {
        match found.get(id) {
            Some(ticket) => apply_ticket(conn, engine, queues, ticket, changes, summary)?,
            None => forget_unseen(conn, engine.backend(), id, summary)?,
        }
    }
    let newest = entries.iter().map(|e| e.id).max().unwrap_or(position);
    store::write(conn, |tx| journal::set_position(tx, newest, crate::domain::time::now()))?;
    Ok(())
}

/// A ticket the rep can no longer see (deleted, moved to a queue they may not see): its
/// waiting contact leaves the queue.
fn forget_unseen(conn: &mut Connection, backend: &str, id: &TicketId, summary: &mut PullSummary) -> Result<()> {
    let Some(row) = journal::ticket(conn, backend, &id.0)? else { return Ok(()) };
    if !journal::contact_accepted(conn, row.contact_id)? {
        store::write(conn, |tx| journal::forget_waiting_contact(tx, row.contact_id))?;
        summary.gone += 1;
    }
    Ok(())
}

/// Whether the ticket belongs in the rep's queue or strip.
fn is_ours(ticket: &Ticket, queues: &[String], me: &str) -> bool {
    let open = !matches!(ticket.status.as_str(), "resolved" | "rejected" | "deleted");
    let owner_ok = ticket.owner.as_deref().is_none_or(|o| o == me);
    open && owner_ok && queues.iter().any(|q| q == &ticket.queue)
}

/// Brings one ticket's local contact in line with the help desk.
fn apply_ticket(
    conn: &mut Connection,
    engine: &dyn HelpDesk,
    queues: &[String],
    ticket: &Ticket,
    changes: &[Entry],
    summary: &mut PullSummary,
) -> Result<()> {
    let backend = engine.backend();
    let me = engine.user();
    let existing = journal::ticket(conn, backend, &ticket.id.0)?;
    let ours = is_ours(ticket, queues, me);
    let Some(row) = existing else {
        if ours {
            // The whole history: the contact's thread starts at the ticket's first message.
            let history = engine.history(&ticket.id, 0)?;
            let texts = contents(engine, &history)?;
            store::write(conn, |tx| create_contact(tx, backend, me, ticket, &history, &texts))?;
            summary.new_contacts += 1;
            summary.messages += texts.len();
        }
        return Ok(());
    };
    let fresh: Vec<Entry> = changes.iter().filter(|e| e.id > row.last_txn).cloned().collect();
    let texts = contents(engine, &fresh)?;
    let accepted = journal::contact_accepted(conn, row.contact_id)?;
    let added = store::write(conn, |tx| -> rusqlite::Result<usize> {
        let added = add_entries(tx, backend, me, ticket, row.contact_id, &fresh, &texts)?;
        let last_txn = fresh.iter().map(|e| e.id).max().unwrap_or(row.last_txn);
        journal::save_ticket(tx, backend, &cache_row(ticket, row.contact_id, last_txn))?;
        if !ours && !accepted {
            journal::forget_waiting_contact(tx, row.contact_id)?;
        }
        Ok(added)
    })?;
    summary.messages += added;
    if !ours && !accepted {
        summary.gone += 1;
    }
    if let Some(owner) = ticket.owner.as_deref().filter(|o| *o != me && accepted && row.owner == me) {
        summary.notices.push(format!("#{} was taken by {owner}", ticket.id));
    }
    Ok(())
}

fn cache_row(ticket: &Ticket, contact_id: Id, last_txn: i64) -> TicketRow {
    TicketRow {
        ticket: ticket.id.0.clone(),
        contact_id,
        queue: ticket.queue.clone(),
        owner: ticket.owner.clone().unwrap_or_default(),
        status: ticket.status.clone(),
        requestor: ticket.requestor.clone().unwrap_or_default(),
        last_txn,
    }
}

/// The text of each message-bearing entry, keyed by transaction id.
fn contents(engine: &dyn HelpDesk, entries: &[Entry]) -> Result<HashMap<i64, String>, TeamError> {
    let ids: Vec<i64> = entries.iter().filter(|e| e.kind != EntryKind::Other).map(|e| e.id).collect();
    if ids.is_empty() { Ok(HashMap::new()) } else { engine.contents(&ids) }
}

fn create_contact(
    tx: &Connection,
    backend: &str,
    me: &str,
    ticket: &Ticket,
    history: &[Entry],
    texts: &HashMap<i64, String>,
) -> rusqlite::Result<()> {
    let now = crate::domain::time::now();
    let customer = match ticket.requestor.as_deref() {
        Some(email) => customers::find_or_create_by_identity(tx, email, now)?,
        None => None,
    };
    let first = history.iter().find(|e| e.kind == EntryKind::Create).and_then(|e| texts.get(&e.id));
    let mut new = NewContact::waiting(Channel::Email, &masked(&ticket.subject), ticket.created.max(1));
    new.customer_id = customer;
    new.body = first.map(|t| masked(t)).unwrap_or_default();
    new.tags = vec![format!("{backend}#{}", ticket.id)];
    if ticket.owner.as_deref() == Some(me) {
        new.status = ContactStatus::Active;
        new.accepted_at = Some(now.max(new.created_at));
    }
    let contact = contacts::insert(tx, &new)?;
    let last_txn = history.iter().map(|e| e.id).max().unwrap_or(0);
    journal::save_ticket(tx, backend, &cache_row(ticket, contact, last_txn))?;
    add_entries(tx, backend, me, ticket, contact, history, texts)?;
    Ok(())
}

/// Stores message-bearing entries on the contact: correspondence in its thread, comments as
/// notes. The rep's own actions that came from the journal are already there locally.
fn add_entries(
    tx: &Connection,
    backend: &str,
    me: &str,
    ticket: &Ticket,
    contact: Id,
    entries: &[Entry],
    texts: &HashMap<i64, String>,
) -> rusqlite::Result<usize> {
    let mut added = 0;
    for e in entries {
        let Some(text) = texts.get(&e.id) else { continue };
        let kind = if e.kind == EntryKind::Comment { JournalKind::Comment } else { JournalKind::Correspond };
        if e.creator == me && journal::claim_txn(tx, backend, &ticket.id.0, &marker(kind, &masked(text)), e.id)? {
            continue;
        }
        let body = masked(text);
        if e.kind == EntryKind::Comment {
            notes::insert_note(tx, Some(contact), None, ("note", &format!("{}: {body}", e.creator), e.created, None))?;
        } else {
            let message_id = format!("{backend}-{}.{}@frontline.team", e.id, ticket.id);
            // The ticket's first message is the customer's, whoever typed it into the help desk.
            let inbound = e.kind == EntryKind::Create
                || ticket.requestor.as_deref().is_some_and(|r| r.eq_ignore_ascii_case(&e.creator));
            let subject = masked(&ticket.subject);
            let source = format!("{backend}:{}", ticket.id);
            let message = ThreadMessage {
                message_id: &message_id,
                inbound,
                at: e.created,
                from: &e.creator,
                subject: &subject,
                body: &body,
                source: &source,
            };
            journal::add_message(tx, contact, &message)?;
        }
        added += 1;
    }
    Ok(added)
}

/// Replays the journal in order, each action at most once. An action whose answer was lost
/// (`sending`) is looked for in the ticket's history before it is sent again. Replies on a
/// ticket now owned by someone else are kept as drafts, and the rep is told.
pub fn push(conn: &mut Connection, engine: &dyn HelpDesk) -> Result<PushSummary> {
    let mut summary = PushSummary { online: true, ..PushSummary::default() };
    let mut owners: HashMap<String, Option<String>> = HashMap::new();
    for entry in journal::open_entries(conn, engine.backend())? {
        match replay(conn, engine, &entry, &mut owners, &mut summary) {
            Ok(()) => {}
            Err(e) => match e.downcast_ref::<TeamError>() {
                Some(TeamError::Offline(_)) => {
                    summary.online = false;
                    break;
                }
                _ => return Err(e),
            },
        }
    }
    summary.pending = journal::pending_count(conn)?;
    Ok(summary)
}

fn replay(
    conn: &mut Connection,
    engine: &dyn HelpDesk,
    entry: &JournalEntry,
    owners: &mut HashMap<String, Option<String>>,
    summary: &mut PushSummary,
) -> Result<()> {
    let ticket = TicketId(entry.ticket.clone());
    // First whether a lost answer hid a success: then nothing is sent or kept back.
    if entry.state == JournalState::Sending && already_done(conn, engine, entry)? {
        summary.confirmed += 1;
        return Ok(());
    }
    if entry.kind != JournalKind::Comment {
        // Replies and changes are the owner's: a ticket that went to someone else while the
        // rep was offline keeps the reply here as a draft (comments still go: anyone may).
        if !owners.contains_key(&entry.ticket) {
            owners.insert(entry.ticket.clone(), engine.ticket(&ticket)?.owner);
        }
        if let Some(Some(owner)) = owners.get(&entry.ticket).filter(|o| o.as_deref() != Some(engine.user())) {
            return keep_back(conn, engine, entry, owner, summary);
        }
    }
    store::write(conn, |tx| journal::mark_sending(tx, entry.id))?;
    let sent = match entry.kind {
        JournalKind::Correspond => engine.correspond(&ticket, &entry.body),
        JournalKind::Comment => engine.comment(&ticket, &entry.body),
        JournalKind::Status => engine.set_status(&ticket, &entry.body),
        JournalKind::Queue => engine.move_queue(&ticket, &entry.body),
    };
    match sent {
        Ok(()) => {
            store::write(conn, |tx| journal::finish(tx, entry.id, JournalState::Done, None, None))?;
            summary.sent += 1;
        }
        Err(TeamError::Offline(why)) => return Err(TeamError::Offline(why).into()),
        Err(refusal) => {
            let why = refusal.to_string();
            store::write(conn, |tx| journal::finish(tx, entry.id, JournalState::Refused, None, Some(&why)))?;
            summary.refused += 1;
            summary.notices.push(format!("#{ticket}: {why}"));
        }
    }
    Ok(())
}

/// Looks for an action whose answer was lost in the ticket's history: a transaction of the
/// same kind, by the rep, newer than the journal entry, with the same marker and not already
/// another entry's. Earlier identical entries confirmed without their transaction own the
/// first matches.
fn already_done(conn: &mut Connection, engine: &dyn HelpDesk, entry: &JournalEntry) -> Result<bool> {
    let kind = match entry.kind {
        JournalKind::Correspond => EntryKind::Correspond,
        JournalKind::Comment => EntryKind::Comment,
        // Setting a status or queue again changes nothing: no need to look.
        JournalKind::Status | JournalKind::Queue => return Ok(false),
    };
    let mut skip = journal::earlier_unresolved(conn, entry)?;
    let history = engine.history(&TicketId(entry.ticket.clone()), entry.after_txn)?;
    for e in history.iter().filter(|e| e.kind == kind && e.creator == engine.user()) {
        if journal::txn_claimed(conn, engine.backend(), e.id)? {
            continue;
        }
        if marker(entry.kind, &masked(&engine.content(e.id)?)) != entry.marker {
            continue;
        }
        if skip > 0 {
            skip -= 1;
            continue;
        }
        store::write(conn, |tx| journal::finish(tx, entry.id, JournalState::Done, Some(e.id), None))?;
        return Ok(true);
    }
    Ok(false)
}

fn keep_back(
    conn: &mut Connection,
    engine: &dyn HelpDesk,
    entry: &JournalEntry,
    owner: &str,
    summary: &mut PushSummary,
) -> Result<()> {
    let notice = format!("#{} was taken by {owner} while you were offline", entry.ticket);
    let contact = journal::ticket(conn, engine.backend(), &entry.ticket)?.map(|r| r.contact_id);
    let now = crate::domain::time::now();
    store::write(conn, |tx| -> rusqlite::Result<()> {
        if entry.kind == JournalKind::Correspond {
            if let Some(contact) = contact {
                let kept = match notes::reply_draft(tx, contact)? {
                    Some(existing) if !existing.trim().is_empty() => format!("{}\n\n{existing}", entry.body),
                    _ => entry.body.clone(),
                };
                notes::save_reply_draft(tx, contact, &kept, now)?;
            }
            journal::remove_message(tx, &journal_message_id(engine.backend(), entry.id))?;
            journal::finish(tx, entry.id, JournalState::Draft, None, Some(&notice))
        } else {
            journal::finish(tx, entry.id, JournalState::Refused, None, Some(&notice))
        }
    })?;
    if entry.kind == JournalKind::Correspond {
        summary.drafts += 1;
    } else {
        summary.refused += 1;
    }
    if !summary.notices.contains(&notice) {
        summary.notices.push(notice);
    }
    Ok(())
}
