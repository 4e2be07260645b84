//! Contacts that arrive by themselves, and the way back: email read from Maildir folders
//! ([`maildir`]), a live inbox folder where other systems drop one JSON file per contact
//! ([`inbox`]), and replies on every channel ([`reply`]). Each email contact keeps its thread
//! in the store (`store::messages`).
//!
//! For the workstation: the jobs worker runs [`maildir::sync_maildir`] and
//! [`inbox::process_inbox_with`] (they write in short transactions of their own); call
//! [`inbox::watch`] and [`maildir::watch`] once and keep their handles to be told when
//! something arrives.

pub mod address;
pub mod html;
pub mod inbox;
pub mod maildir;
pub mod reply;
mod watch;

pub use crate::domain::message::{Direction, StoredMessage};
pub use crate::store::messages::messages;
pub use inbox::{InboxSummary, Watcher, process_inbox, watch};
pub use maildir::{SyncSummary, sync_maildir};
pub use reply::{Delivery, OutgoingMessage, SentReply, compose, deliver, send_reply};
