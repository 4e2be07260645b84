//! The team worker (team mode only): talks to the team's help desk on its own thread and
//! connection — every `poll_seconds` it pushes the journal and pulls the change feed, and
//! it claims tickets when the rep accepts a team contact. A slow or dead help desk delays
//! nothing else: every call has a timeout, and saves never wait behind one.

use std::path::Path;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::Result;
use rusqlite::Connection;

use super::ReplySink;
use crate::domain::Id;
use crate::domain::contact_loop::Step;
use crate::domain::time::now;
use crate::protocol::{Reply, TeamRequest};
use crate::store::{self, contact_loop};
use crate::team::config::TeamSettings;
use crate::team::sync::{self, ClaimOutcome};
use crate::team::{HelpDesk, TicketId};

/// Handle to the team worker.
pub struct TeamWorker {
    requests: Sender<TeamRequest>,
    thread: Option<JoinHandle<()>>,
}

impl TeamWorker {
    /// Starts the worker for the `[team]` settings; the engine makes no call until the
    /// first poll, so a dead server never delays the start.
    pub fn spawn(path: &Path, settings: &TeamSettings, sink: ReplySink) -> Result<Self> {
        let engine = crate::team::engine(settings)?;
        let poll = Duration::from_secs(settings.poll_seconds.max(1));
        Self::spawn_with(path, engine, settings.queues.clone(), poll, sink)
    }

    /// [`TeamWorker::spawn`] with the help desk given (a test's stand-in for one).
    pub fn spawn_with(
        path: &Path,
        engine: Box<dyn HelpDesk + Send + Sync>,
        queues: Vec<String>,
        poll: Duration,
        sink: ReplySink,
    ) -> Result<Self> {
        let conn = store::connect(path)?;
        let (requests, rx) = mpsc::channel();
        // The first poll right away: the shared queue is on screen without waiting a period.
        let _ = requests.send(TeamRequest::SyncNow);
        let thread = std::thread::Builder::new()
            .name("frontline-team".into())
            .spawn(move || team_loop(conn, engine.as_ref(), &queues, poll, &rx, &sink))?;
        Ok(Self { requests, thread: Some(thread) })
    }

    /// Asks the worker for something (a claim, a poll now).
    pub fn submit(&self, request: TeamRequest) {
        let _ = self.requests.send(request);
    }
}

impl Drop for TeamWorker {
    fn drop(&mut self) {
        // Never join: a call may be waiting on the help desk (it ends with its timeout or
        // with the process). What is journaled is replayed at the next start.
        let (closed, _) = mpsc::channel();
        self.requests = closed;
        drop(self.thread.take());
    }
}

fn team_loop(
    mut conn: Connection,
    engine: &dyn HelpDesk,
    queues: &[String],
    poll: Duration,
    rx: &Receiver<TeamRequest>,
    sink: &ReplySink,
) {
    // As on the store and jobs workers: once the workspace's files are deleted or replaced
    // under this connection, a ticket taken or a reply recorded here could never be read back.
    let files = store::open::WorkspaceFiles::record(&conn).ok();
    let mut said_stopped = false;
    loop {
        let request = match rx.recv_timeout(poll) {
            Ok(request) => Some(request),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if let Some(moved) = files.as_ref().and_then(|f| store::open::check_files_unchanged(f).err()) {
            match request {
                Some(TeamRequest::Claim { .. }) => sink(Reply::NotTaken { message: moved.to_string(), error: true }),
                // Said once, not at every poll.
                _ if !said_stopped => {
                    sink(Reply::Failed { what: "Stopped the team sync".into(), error: moved.to_string() });
                    said_stopped = true;
                }
                _ => {}
            }
            continue;
        }
        match request {
            Some(TeamRequest::Claim { contact, ticket, then_next }) => {
                sink(claim_and_accept(&mut conn, engine, contact, &TicketId(ticket), then_next));
            }
            Some(TeamRequest::SyncNow) | None => sink(poll_once(&mut conn, engine, queues)),
        }
    }
}

/// One push of the journal and one pull of the change feed.
fn poll_once(conn: &mut Connection, engine: &dyn HelpDesk, queues: &[String]) -> Reply {
    let pushed = sync::push(conn, engine);
    let pulled = sync::pull(conn, engine, queues);
    let pending = store::team::pending_count(conn).unwrap_or(0);
    let mut notices = Vec::new();
    let mut online = true;
    let mut changed = false;
    match pushed {
        Ok(p) => {
            online &= p.online;
            changed |= p.sent + p.confirmed + p.drafts + p.refused > 0;
            notices.extend(p.notices);
        }
        Err(e) => notices.push(format!("Team: {e:#}")),
    }
    match pulled {
        Ok(p) => {
            online &= p.online;
            changed |= p.changes > 0;
            notices.extend(p.notices);
        }
        Err(e) => notices.push(format!("Team: {e:#}")),
    }
    Reply::TeamSynced { online, pending, notices, changed }
}

/// Takes the ticket in the help desk first; only a confirmed take makes the contact the
/// rep's (accepted locally, with the same code as every accept).
fn claim_and_accept(
    conn: &mut Connection,
    engine: &dyn HelpDesk,
    contact: Id,
    ticket: &TicketId,
    then_next: bool,
) -> Reply {
    match sync::claim(conn, engine, ticket) {
        Ok(ClaimOutcome::Taken) => match contact_loop::step(conn, contact, &Step::Accept, now()) {
            Ok(Ok(detail)) => Reply::ContactChanged { detail: Box::new(detail), focus: true },
            Ok(Err(message)) => Reply::NotTaken { message, error: false },
            Err(e) => Reply::NotTaken { message: format!("Accepting the contact: {e}"), error: true },
        },
        Ok(ClaimOutcome::TakenBy(owner)) => {
            Reply::LostRace { message: format!("#{ticket} was taken by {owner}"), then_next }
        }
        Err(e) => Reply::NotTaken { message: format!("Taking #{ticket} in the help desk: {e:#}"), error: true },
    }
}
