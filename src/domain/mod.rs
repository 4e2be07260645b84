//! Plain data types shared by the store, the state machine, the UI and the command line.

pub mod bulletin;
pub mod contact_loop;
pub mod identity;
pub mod invocation;
pub mod kb_draft;
pub mod message;
pub mod metrics;
pub mod money;
pub mod placeholders;
pub mod query;
pub mod script;
pub mod shift;
pub mod text;
pub mod time;

use serde::{Deserialize, Serialize};

/// Database row id.
pub type Id = i64;

/// Unix time in seconds (UTC). Stored as INTEGER so ordering and arithmetic are cheap.
pub type Timestamp = i64;

/// How a contact reached the rep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Phone,
    Email,
    Chat,
    Social,
    InPerson,
}

impl Channel {
    /// Every channel, in the order reports list them.
    pub const ALL: [Channel; 5] = [Self::Phone, Self::Email, Self::Chat, Self::Social, Self::InPerson];

    /// The name used in the database, files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Phone => "phone",
            Self::Email => "email",
            Self::Chat => "chat",
            Self::Social => "social",
            Self::InPerson => "in_person",
        }
    }

    /// A short label for narrow table columns.
    pub fn label(self) -> &'static str {
        match self {
            Self::Phone => "Phone",
            Self::Email => "Email",
            Self::Chat => "Chat",
            Self::Social => "Social",
            Self::InPerson => "Walk-in",
        }
    }

    /// Parses a channel name, accepting a few common spellings.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.trim().to_ascii_lowercase().replace(['-', ' '], "_").as_str() {
            "phone" | "call" | "voice" => Self::Phone,
            "email" | "mail" => Self::Email,
            "chat" => Self::Chat,
            "social" => Self::Social,
            "in_person" | "walk_in" | "walkin" => Self::InPerson,
            _ => return None,
        })
    }
}

/// Where a contact is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactStatus {
    Waiting,
    Active,
    OnHold,
    WrapUp,
    Resolved,
    Escalated,
    Transferred,
}

impl ContactStatus {
    /// The name used in the database and files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Active => "active",
            Self::OnHold => "on_hold",
            Self::WrapUp => "wrap_up",
            Self::Resolved => "resolved",
            Self::Escalated => "escalated",
            Self::Transferred => "transferred",
        }
    }

    /// Parses a stored status name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "waiting" => Self::Waiting,
            "active" => Self::Active,
            "on_hold" => Self::OnHold,
            "wrap_up" => Self::WrapUp,
            "resolved" => Self::Resolved,
            "escalated" => Self::Escalated,
            "transferred" => Self::Transferred,
            _ => return None,
        })
    }
}

/// One row of the contact queue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueRow {
    pub id: Id,
    pub channel: Channel,
    pub customer_name: Option<String>,
    pub subject: String,
    pub priority: u8,
    pub created_at: Timestamp,
    pub status: ContactStatus,
    /// Set when the row is a follow-up that has come due (it sorts to the top).
    pub follow_up: Option<FollowUp>,
}

/// A scheduled follow-up on a contact.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowUp {
    pub id: Id,
    pub due_at: Timestamp,
    pub note: String,
}

/// One step of a contact's life, from its append-only event log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Create,
    Accept,
    Hold,
    Resume,
    WrapUp,
    Transfer,
    Escalate,
    Resolve,
    Reopen,
}

impl EventKind {
    /// The name used in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Accept => "accept",
            Self::Hold => "hold",
            Self::Resume => "resume",
            Self::WrapUp => "wrap_up",
            Self::Transfer => "transfer",
            Self::Escalate => "escalate",
            Self::Resolve => "resolve",
            Self::Reopen => "reopen",
        }
    }

    /// Parses a stored event name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "create" => Self::Create,
            "accept" => Self::Accept,
            "hold" => Self::Hold,
            "resume" => Self::Resume,
            "wrap_up" => Self::WrapUp,
            "transfer" => Self::Transfer,
            "escalate" => Self::Escalate,
            "resolve" => Self::Resolve,
            "reopen" => Self::Reopen,
            _ => return None,
        })
    }

    /// Whether this event ends a work segment.
    pub fn closes(self) -> bool {
        matches!(self, Self::Transfer | Self::Escalate | Self::Resolve)
    }
}

/// One entry of a contact's event log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactEvent {
    pub at: Timestamp,
    pub kind: EventKind,
    pub detail: Option<String>,
}

/// Live timers of a contact, replayed from its event log at a given moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timers {
    /// Time worked so far (talk, hold and after-contact work), over every segment.
    pub handle: i64,
    /// Total time on hold.
    pub hold: i64,
    /// Length of the hold in progress, if on hold now.
    pub current_hold: Option<i64>,
    /// Length of after-contact work in progress, if wrapping up now.
    pub wrap_up: Option<i64>,
}

impl Timers {
    /// Replays an event log up to `now`, with the same definitions as the reports
    /// ([`metrics::replay`]): an open work segment counts as if it closed now.
    pub fn replay(events: &[ContactEvent], now: Timestamp) -> Self {
        let mut log: Vec<(Timestamp, EventKind)> = events.iter().map(|e| (e.at, e.kind)).collect();
        let totals = metrics::replay(&log);
        let (handle, hold) = if totals.open {
            log.push((now.max(log.last().map_or(now, |l| l.0)), EventKind::Resolve));
            let live = metrics::replay(&log);
            (live.handle_seconds, live.hold_seconds)
        } else {
            (totals.handle_seconds, totals.hold_seconds)
        };
        // The step in progress: the last hold not yet resumed, or the wrap-up under way.
        let mut current_hold = None;
        let mut wrap_up = None;
        if totals.open {
            for e in events.iter().rev() {
                match e.kind {
                    EventKind::Hold => {
                        current_hold = Some((now - e.at).max(0));
                        break;
                    }
                    EventKind::WrapUp => {
                        wrap_up = Some((now - e.at).max(0));
                        break;
                    }
                    EventKind::Resume | EventKind::Accept | EventKind::Reopen => break,
                    _ => {}
                }
            }
        }
        Timers { handle, hold, current_hold, wrap_up }
    }
}

/// A contact with everything shown about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contact {
    pub id: Id,
    pub customer_id: Option<Id>,
    pub channel: Channel,
    pub subject: String,
    pub body: String,
    pub status: ContactStatus,
    pub priority: u8,
    pub tags: Vec<String>,
    pub created_at: Timestamp,
    pub accepted_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    pub disposition: Option<String>,
    pub escalated_to: Option<String>,
    pub csat: Option<u8>,
}

/// A way of reaching a customer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Identity {
    pub kind: IdentityKind,
    pub value: String,
}

/// Which kind of address an identity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityKind {
    Email,
    Phone,
    Handle,
}

impl IdentityKind {
    /// The name used in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Handle => "handle",
        }
    }

    /// Parses a stored kind name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "email" => Some(Self::Email),
            "phone" => Some(Self::Phone),
            "handle" => Some(Self::Handle),
            _ => None,
        }
    }
}

/// Customer profile fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Customer {
    pub id: Id,
    pub name: String,
    pub company: Option<String>,
    pub tier: Option<String>,
    pub language: Option<String>,
    pub timezone: Option<String>,
    pub vip: bool,
    pub fraud_watch: bool,
    pub do_not_contact: bool,
    pub pinned_note: Option<String>,
}

/// An order as shown on the customer record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Order {
    pub number: String,
    pub placed_at: Timestamp,
    pub status: String,
    pub total_cents: i64,
    pub currency: String,
    pub items: String,
    pub carrier: Option<String>,
    pub tracking: Option<String>,
}

/// What a billing event is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BillingKind {
    /// Money taken from the customer.
    Charge,
    /// Money given back.
    Refund,
    /// Goodwill or store credit.
    Credit,
    /// The customer disputed a charge with their bank.
    Dispute,
    /// A payment against an unpaid order.
    Payment,
}

impl BillingKind {
    /// The name used in files and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Charge => "charge",
            Self::Refund => "refund",
            Self::Credit => "credit",
            Self::Dispute => "dispute",
            Self::Payment => "payment",
        }
    }

    /// Reads the name used in files and the database (any case).
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Charge, Self::Refund, Self::Credit, Self::Dispute, Self::Payment]
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

impl std::fmt::Display for BillingKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// A charge, refund, credit or dispute.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BillingEvent {
    pub at: Timestamp,
    pub kind: BillingKind,
    pub amount_cents: i64,
    pub currency: String,
    pub description: String,
}

/// One earlier (or current) contact on a customer's timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineEntry {
    pub contact_id: Id,
    pub channel: Channel,
    pub subject: String,
    pub status: ContactStatus,
    pub created_at: Timestamp,
    pub disposition: Option<String>,
    /// For an escalated or transferred contact: where it went, why, and who sent it.
    pub escalation: Option<Escalated>,
    pub notes: Vec<Note>,
}

/// Where an escalated or transferred contact went, why, and who sent it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Escalated {
    pub department: String,
    pub reason: Option<String>,
    pub by: Option<String>,
}

impl Escalated {
    /// "to technical: router reboots hourly (by Dana)".
    pub fn describe(&self) -> String {
        let mut text = format!("to {}", self.department);
        if let Some(reason) = &self.reason {
            text.push_str(&format!(": {reason}"));
        }
        if let Some(by) = &self.by {
            text.push_str(&format!(" (by {by})"));
        }
        text
    }
}

/// Everything the Customer pane shows about one customer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerRecord {
    pub customer: Customer,
    pub identities: Vec<Identity>,
    pub orders: Vec<Order>,
    pub billing: Vec<BillingEvent>,
    pub open_promises: Vec<Note>,
    /// Follow-ups scheduled and not yet done, soonest first.
    pub follow_ups: Vec<FollowUp>,
    pub timeline: Vec<TimelineEntry>,
    /// Changes to the record (profile edits, flags, identities, merges), newest first.
    pub history: Vec<HistoryEntry>,
}

/// One logged change to a customer's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    pub id: Id,
    pub at: Timestamp,
    /// A profile field or flag name, `pinned_note`, `identity` or `merge`.
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// A customer found by a search, with what matched.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerHit {
    pub id: Id,
    pub name: String,
    /// The identity or order number that matched, or the customer's first identity.
    pub detail: String,
}

/// What a note is: something written down, or a promise made to the customer (with a due
/// date; it stays open until kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    Note,
    Promise,
}

impl NoteKind {
    /// The name used in files and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Note => "note",
            Self::Promise => "promise",
        }
    }

    /// Reads the name used in files and the database.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "note" => Some(Self::Note),
            "promise" => Some(Self::Promise),
            _ => None,
        }
    }
}

impl std::fmt::Display for NoteKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A saved note or promise.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Note {
    pub id: Id,
    pub contact_id: Option<Id>,
    pub created_at: Timestamp,
    pub kind: NoteKind,
    pub body: String,
    pub due_at: Option<Timestamp>,
}

/// An opened contact: the contact, its customer, its notes and the unsaved draft.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactDetail {
    pub contact: Contact,
    pub customer: Option<CustomerRecord>,
    pub notes: Vec<Note>,
    pub draft: Option<String>,
    pub events: Vec<ContactEvent>,
    /// Hold time the customer has had today on their other contacts (long holds anger
    /// people), not counting this contact.
    pub customer_hold_today: i64,
    /// The email thread, oldest first (empty for other channels).
    pub messages: Vec<message::StoredMessage>,
    /// The email reply being written, if any.
    pub reply_draft: Option<String>,
}

impl ContactDetail {
    /// What the customer said last, for the articles suggested: the newest message they
    /// sent, else the text that opened the contact.
    pub fn customer_said_last(&self) -> &str {
        self.messages
            .iter()
            .filter(|m| m.message.direction == message::Direction::Inbound)
            .max_by_key(|m| m.id)
            .map_or(self.contact.body.as_str(), |m| m.message.body.as_str())
    }
}

/// One knowledge-base search result. `snippet` marks matches with [`text::MARK_START`] /
/// [`text::MARK_END`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KbHit {
    pub id: Id,
    pub title: String,
    pub category: String,
    pub snippet: String,
    pub score: f64,
}

/// A canned response; its body may hold placeholders (see [`crate::domain::placeholders`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snippet {
    pub id: Id,
    pub title: String,
    pub body: String,
}

/// A knowledge-base article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Article {
    pub id: Id,
    pub source: String,
    pub title: String,
    pub description: String,
    pub category: String,
    pub tags: Vec<String>,
    pub body: String,
    /// Where the article lives on the help centre, when its front matter says so.
    pub url: Option<String>,
}
