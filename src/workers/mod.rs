//! Threads that own SQLite connections, one per latency class, so nothing slow ever queues
//! in front of a save:
//!
//! - [`store::StoreWorker`] — the rep's words and the contact loop: drafts, notes, steps, and
//!   the short indexed reads that must see them (queue page, contact, record). Short
//!   transactions only.
//! - [`search::SearchWorker`] — search as you type; the newest request wins.
//! - [`jobs::JobsWorker`] — anything that touches the outside world or big inputs: Maildir
//!   sync, the inbox folder, sending replies. Every outside call has a timeout, and a job
//!   writes in short transactions so a save waits at most one of them.
//!
//! Replies come back as events carrying the sequence number of their request; the state
//! drops any reply older than its latest request.

pub mod jobs;
pub mod search;
pub mod store;
pub mod team;

mod contacts;
mod customers;
mod knowledge;
mod notes;
mod shift;

use std::sync::Arc;

use crate::protocol::Reply;

/// What the workers need from the config, read once at start.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// How replies leave, per channel.
    pub replies: crate::intake::reply::Settings,
    /// How an inbox pass treats the files it keeps.
    pub inbox: crate::intake::inbox::InboxOptions,
    /// The inbox folder (erasing a customer cleans the files it keeps).
    pub inbox_dir: std::path::PathBuf,
    /// How the command line names this workspace, for hints that show a command.
    pub invocation: crate::domain::invocation::Invocation,
}

impl Settings {
    /// The settings for the workspace at `path`.
    pub fn from_config(intake: &crate::config::Intake, path: &std::path::Path) -> Self {
        Self {
            replies: crate::intake::reply::Settings::from_config(intake, path),
            inbox: intake.inbox_options(),
            inbox_dir: intake.inbox_dir(path),
            invocation: crate::domain::invocation::Invocation::default(),
        }
    }
}

/// Where replies go (the app wraps them into its event channel).
pub type ReplySink = Arc<dyn Fn(Reply) + Send + Sync>;

/// A query failed: say what was being done.
fn failed(what: &str, e: &rusqlite::Error) -> Reply {
    Reply::Failed { what: what.to_string(), error: e.to_string() }
}
