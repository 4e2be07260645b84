//! Team mode: the team's help desk is the engine. One trait, [`HelpDesk`], says everything
//! Frontline asks of a help desk; each engine is one module behind it (Request Tracker 5 in
//! [`rt`] first — Zendesk, Freshdesk or Zammad would each be one more module). The
//! workspace keeps a cache of what the rep sees and a journal of actions still to reach the
//! help desk ([`crate::store::team`]); [`sync`] moves changes both ways.

pub mod cli;
pub mod config;
pub mod rt;
pub mod sync;

use std::fmt;

pub use sync::{ClaimOutcome, claim};

use crate::domain::Id;

/// The engine for the `[team]` settings, signed in with the secret read for them (from
/// `FRONTLINE_TEAM_SECRET` or the private secret file). Makes no call yet.
pub fn engine(settings: &config::TeamSettings) -> anyhow::Result<Box<dyn HelpDesk + Send + Sync>> {
    let secret = config::load_secret(settings)?;
    Ok(match settings.backend {
        config::Backend::Rt => Box::new(rt::RtEngine::new(settings, &secret)),
    })
}

/// The help-desk ticket a contact stands for, `None` for a contact of the rep's own.
pub fn ticket_for_contact(conn: &rusqlite::Connection, contact: Id) -> rusqlite::Result<Option<TicketId>> {
    Ok(crate::store::team::ticket_of_contact(conn, contact)?.map(|(_, row)| TicketId(row.ticket)))
}

/// A ticket's id in the help desk, as the help desk writes it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct TicketId(pub String);

impl fmt::Display for TicketId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A ticket as the queue needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    pub id: TicketId,
    pub subject: String,
    pub queue: String,
    /// `None` while nobody owns it.
    pub owner: Option<String>,
    pub status: String,
    /// The first requestor's email address, if any.
    pub requestor: Option<String>,
    /// Unix seconds.
    pub created: i64,
}

/// What a take came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TakeOutcome {
    /// The help desk confirms the ticket is ours.
    Taken,
    /// Someone else owns it (their user name).
    TakenBy(String),
}

/// Which tickets of the configured queues to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ownership {
    /// Nobody owns them: the shared queue.
    Unowned,
    /// The signed-in rep owns them.
    Mine,
}

/// What one help-desk transaction is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// The ticket was created (its first message).
    Create,
    /// A reply to or from the customer.
    Correspond,
    /// A private comment.
    Comment,
    /// Anything else (owner, status, queue changes…): the ticket itself must be re-read.
    Other,
}

/// One transaction on a ticket, from the change feed or a ticket's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The help desk's transaction id: increasing, the sync position.
    pub id: i64,
    pub ticket: TicketId,
    pub kind: EntryKind,
    /// Who did it (a user name or an email address).
    pub creator: String,
    /// Unix seconds.
    pub created: i64,
}

/// Why a call to the help desk failed. The messages never hold the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TeamError {
    /// Nothing answered (refused, timed out, connection dropped): the help desk is offline
    /// for now, and an action sent may or may not have been done.
    Offline(String),
    /// The help desk answered and said no (HTTP status and its message).
    Refused { status: u16, message: String },
    /// The help desk answered with something we could not read.
    Invalid(String),
}

impl fmt::Display for TeamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Offline(why) => write!(f, "the help desk is unreachable: {why}"),
            Self::Refused { status, message } => write!(f, "the help desk refused ({status}): {message}"),
            Self::Invalid(why) => write!(f, "the help desk's answer was not understood: {why}"),
        }
    }
}

impl std::error::Error for TeamError {}

/// Everything Frontline asks of a team's help desk. Every call has a timeout; none is made
/// on the rep's save path (the jobs worker and the `team` commands make them).
pub trait HelpDesk {
    /// The engine's name in config and output ("rt").
    fn backend(&self) -> &'static str;
    /// The help desk's address, for status output.
    fn url(&self) -> &str;
    /// The signed-in rep's user name.
    fn user(&self) -> &str;
    /// A cheap call that succeeds when the help desk answers and accepts our credentials.
    fn ping(&self) -> Result<(), TeamError>;
    /// The help desk's atomic take, confirmed by reading the owner back.
    fn take(&self, ticket: &TicketId) -> Result<TakeOutcome, TeamError>;
    /// A reply to the customer (the help desk sends the mail).
    fn correspond(&self, ticket: &TicketId, body: &str) -> Result<(), TeamError>;
    /// A private comment.
    fn comment(&self, ticket: &TicketId, body: &str) -> Result<(), TeamError>;
    /// Sets the ticket's status ("resolved", "open"…).
    fn set_status(&self, ticket: &TicketId, status: &str) -> Result<(), TeamError>;
    /// Moves the ticket to another queue (escalate / transfer).
    fn move_queue(&self, ticket: &TicketId, queue: &str) -> Result<(), TeamError>;
    /// One ticket as it is now.
    fn ticket(&self, ticket: &TicketId) -> Result<Ticket, TeamError>;
    /// Open tickets in these queues, unowned or the rep's own.
    fn list(&self, queues: &[String], which: Ownership) -> Result<Vec<Ticket>, TeamError>;
    /// Ticket transactions newer than `position`, oldest first, at most `limit`: one request.
    fn changes_since(&self, position: i64, limit: usize) -> Result<Vec<Entry>, TeamError>;
    /// The newest transaction id, where a first sync starts following the feed.
    fn latest_position(&self) -> Result<i64, TeamError>;
    /// A ticket's transactions newer than `after`, oldest first.
    fn history(&self, ticket: &TicketId, after: i64) -> Result<Vec<Entry>, TeamError>;
    /// The text of one transaction (a message or comment), empty when it has none.
    fn content(&self, entry: i64) -> Result<String, TeamError>;

    /// Several tickets as they are now; tickets the rep may no longer see are left out.
    /// This default reads them one by one; an engine with a search reads them at once.
    fn tickets(&self, ids: &[TicketId]) -> Result<Vec<Ticket>, TeamError> {
        let mut found = Vec::new();
        for id in ids {
            match self.ticket(id) {
                Ok(t) => found.push(t),
                Err(TeamError::Refused { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(found)
    }

    /// Every message-bearing entry (create, correspondence, comment) of the open tickets in
    /// these queues, unowned or the rep's: the first sync's bulk read. An engine with a
    /// search over all tickets' history answers it in a few pages; this default asks
    /// ticket by ticket.
    fn queue_history(&self, queues: &[String], which: Ownership) -> Result<Vec<Entry>, TeamError> {
        let mut entries = Vec::new();
        for ticket in self.list(queues, which)? {
            entries.extend(self.history(&ticket.id, 0)?.into_iter().filter(|e| e.kind != EntryKind::Other));
        }
        Ok(entries)
    }

    /// The texts of many transactions, keyed by id (ids without text map to ""). This
    /// default asks one by one; an engine with a bulk read overrides it.
    fn contents(&self, entries: &[i64]) -> Result<std::collections::HashMap<i64, String>, TeamError> {
        entries.iter().map(|&id| Ok((id, self.content(id)?))).collect()
    }
}
