//! Messages of a contact's email thread, as plain data (the store reads and writes them).

use serde::Serialize;

use super::{Id, Timestamp};

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

    /// Reads the name used in the database.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "inbound" => Some(Self::Inbound),
            "outbound" => Some(Self::Outbound),
            _ => None,
        }
    }
}

/// A message of a contact's thread: as read from a Maildir or written as a reply, before
/// it is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewMessage {
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

/// One message of a contact's thread, as stored: the message with its row id and contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredMessage {
    pub id: Id,
    pub contact_id: Id,
    #[serde(flatten)]
    pub message: NewMessage,
}

/// A contact's messages without the one it was opened with: an email contact's body is its
/// first message, stored as both (a contact opened by hand has only the replies sent).
pub fn after_opening(body: &str, mut messages: Vec<StoredMessage>) -> Vec<StoredMessage> {
    if messages.first().is_some_and(|m| m.message.direction == Direction::Inbound && m.message.body == body) {
        messages.remove(0);
    }
    messages
}
