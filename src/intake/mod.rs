//! Contacts that arrive by themselves: email read from Maildir folders ([`maildir`]), a live
//! inbox folder where other systems drop one JSON file per contact ([`inbox`]), and replies
//! sent back by email ([`reply`]). Each email contact keeps its thread ([`messages`]).
//!
//! For the workstation: run [`maildir::sync_maildir`] and [`inbox::process_inbox`] on the
//! database worker (they write in short transactions of their own); call [`inbox::watch`]
//! and [`maildir::watch`] once and keep their handles to be told when something arrives.

pub mod address;
pub mod html;
pub mod inbox;
pub mod maildir;
pub mod reply;
mod watch;

// Moved to the store (it is SQL); still reachable here for the code that names it so.
pub use crate::store::messages;

pub use inbox::{InboxSummary, Watcher, process_inbox, watch};
pub use maildir::{SyncSummary, sync_maildir};
pub use messages::{Direction, StoredMessage, messages};
pub use reply::{Delivery, OutgoingMessage, SentReply, compose, deliver, send_reply};
