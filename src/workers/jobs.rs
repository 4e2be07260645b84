//! The jobs worker: everything that touches the outside world or big inputs — reading the
//! Maildirs and the inbox folder, sending replies — on its own thread and connection, so a
//! hung sendmail or a huge hostile email never stands in front of a save.
//!
//! Jobs run one at a time in the order asked. Quitting never waits for them: the app asks
//! [`JobsWorker::unfinished`] what was left undone and says so.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;

use anyhow::Result;
use rusqlite::Connection;

use super::ReplySink;
use super::Settings;
use crate::domain::text::counted;
use crate::domain::time::now;
use crate::intake::reply;
use crate::protocol::{Job, Reply};
use crate::store;

/// What waits and what runs, shared with the thread.
#[derive(Default)]
struct Queue {
    waiting: VecDeque<Job>,
    running: Option<Job>,
    closed: bool,
}

/// Handle to the jobs worker.
pub struct JobsWorker {
    queue: Arc<(Mutex<Queue>, Condvar)>,
    thread: Option<JoinHandle<()>>,
}

impl JobsWorker {
    /// Starts the worker on its own connection to `path`; `settings` says where replies go
    /// and how the inbox keeps files.
    pub fn spawn(path: &Path, settings: Settings, sink: ReplySink) -> Result<Self> {
        let queue = Arc::new((Mutex::new(Queue::default()), Condvar::new()));
        let shared = Arc::clone(&queue);
        let path = path.to_path_buf();
        // The connection is opened on the worker's own thread: nothing waits for it at start.
        let thread =
            std::thread::Builder::new().name("frontline-jobs".into()).spawn(move || match store::connect(&path) {
                Ok(conn) => jobs_loop(conn, &shared, &settings, &sink),
                Err(e) => sink(Reply::Failed { what: "Starting the jobs worker".into(), error: format!("{e:#}") }),
            })?;
        Ok(Self { queue, thread: Some(thread) })
    }

    /// Queues a job. A Maildir/inbox pass already waiting covers a second one.
    pub fn submit(&self, job: Job) {
        let (lock, wake) = &*self.queue;
        let mut q = lock.lock().unwrap_or_else(PoisonError::into_inner);
        let already = matches!(job, Job::SyncIntake { .. }) && q.waiting.iter().any(|j| *j == job);
        if !already {
            q.waiting.push_back(job);
            wake.notify_one();
        }
    }

    /// What is running or waiting, said for the rep ("sending the reply to contact #12").
    pub fn unfinished(&self) -> Vec<String> {
        let (lock, _) = &*self.queue;
        let q = lock.lock().unwrap_or_else(PoisonError::into_inner);
        q.running.iter().chain(q.waiting.iter()).filter_map(Job::left_undone).collect()
    }

    /// Whether the worker thread is still running (it ends only on a bug).
    pub fn alive(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }
}

impl Drop for JobsWorker {
    fn drop(&mut self) {
        // Never join: a job may be waiting on the outside world. The thread ends with the
        // process; the reply it was sending stays a draft unless it was recorded as sent.
        let (lock, wake) = &*self.queue;
        lock.lock().unwrap_or_else(PoisonError::into_inner).closed = true;
        wake.notify_one();
        drop(self.thread.take());
    }
}

fn jobs_loop(mut conn: Connection, queue: &(Mutex<Queue>, Condvar), settings: &Settings, sink: &ReplySink) {
    let (lock, wake) = queue;
    // As on the store worker: once the workspace's files are deleted or replaced under this
    // connection, what it writes can never be read back.
    let files = store::open::WorkspaceFiles::record(&conn).ok();
    loop {
        let job = {
            let mut q = lock.lock().unwrap_or_else(PoisonError::into_inner);
            loop {
                if q.closed {
                    return;
                }
                if let Some(job) = q.waiting.pop_front() {
                    q.running = Some(job.clone());
                    break job;
                }
                q = wake.wait(q).unwrap_or_else(PoisonError::into_inner);
            }
        };
        let reply = match files.as_ref().and_then(|f| store::open::check_files_unchanged(f).err()) {
            Some(moved) => refused_after_move(job, &moved),
            None => run(&mut conn, job, settings),
        };
        lock.lock().unwrap_or_else(PoisonError::into_inner).running = None;
        sink(reply);
    }
}

/// The answer to a job once the workspace's files changed under the worker: nothing is read,
/// sent or erased. An inbox file taken into a workspace no one will read again is lost (it
/// moves to `done/`), and a reply sent but never recorded as sent would be sent again.
fn refused_after_move(job: Job, moved: &store::open::WorkspaceMoved) -> Reply {
    let error = moved.to_string();
    match job {
        Job::SendReply { contact, .. } => Reply::ReplyFailed { contact, error },
        Job::SyncIntake { .. } => Reply::Failed { what: "Stopped reading mail and the inbox".into(), error },
        Job::ForgetCustomer { .. } => Reply::Failed { what: "Erasing the customer".into(), error },
    }
}

fn run(conn: &mut Connection, job: Job, settings: &Settings) -> Reply {
    match job {
        Job::SyncIntake { maildirs, inbox } => sync_intake(conn, &maildirs, inbox.as_deref(), settings),
        Job::SendReply { contact, body } => send_reply(conn, contact, &body, &settings.replies),
        Job::ForgetCustomer { id } => forget_customer(conn, id, settings),
    }
}

/// Erases a customer in the inbox's kept files and in the workspace.
fn forget_customer(conn: &mut Connection, id: crate::domain::Id, settings: &Settings) -> Reply {
    match crate::erasure::forget_customer(conn, id, &settings.inbox_dir) {
        Ok(erased) => {
            let s = erased.summary;
            let files = erased.cleaned.iter().filter(|c| c.place == crate::store::erase::Place::File).count();
            Reply::Forgotten {
                id,
                message: format!(
                    "Erased: {} identities, {} orders, {} notes, {files} kept file(s); {} contacts kept for the numbers, their text blanked{}",
                    s.identities,
                    s.orders,
                    s.notes,
                    s.contacts_anonymised,
                    if s.wal_checkpointed { "" } else { " (old pages leave the log at the next checkpoint)" }
                ),
            }
        }
        Err(e) => Reply::Failed { what: "Erasing the customer".into(), error: format!("{e:#}") },
    }
}

/// Sends a reply by the way its channel takes (email, the inbox's outbox or command, or a
/// note of what was said). A reply that does not leave stays the contact's draft.
fn send_reply(conn: &mut Connection, contact: crate::domain::Id, body: &str, replies: &reply::Settings) -> Reply {
    match reply::send(conn, contact, body, replies, now()) {
        Ok(_) => Reply::ReplySent { contact },
        Err(e) => Reply::ReplyFailed { contact, error: format!("{e:#}") },
    }
}

/// Reads every Maildir and the inbox folder; problems with one folder do not stop the others.
fn sync_intake(conn: &mut Connection, maildirs: &[PathBuf], inbox: Option<&Path>, settings: &Settings) -> Reply {
    let t = now();
    let (mut added, mut threaded, mut rejected, mut problems) = (0, 0, 0, Vec::new());
    for dir in maildirs {
        match crate::intake::maildir::sync_maildir(conn, dir, t) {
            Ok(s) => {
                added += s.added;
                threaded += s.threaded;
                rejected += s.malformed.len();
            }
            Err(e) => problems.push(format!("{e:#}")),
        }
    }
    if let Some(dir) = inbox {
        match crate::intake::inbox::process_inbox_with(conn, dir, t, settings.inbox) {
            Ok(s) => {
                added += s.imported.iter().map(|i| i.contacts.len()).sum::<usize>();
                rejected += s.rejected.len();
            }
            Err(e) => problems.push(format!("{e:#}")),
        }
    }
    let mut parts = Vec::new();
    if added > 0 {
        parts.push(format!("{} arrived", counted(added, "new contact", "new contacts")));
    }
    if threaded > 0 {
        parts.push(format!("{} added to their contacts", counted(threaded, "email reply", "email replies")));
    }
    if rejected > 0 {
        let (sync, inbox) = (settings.invocation.command("sync"), settings.invocation.command("inbox"));
        parts.push(format!("{} could not be read ({sync} / {inbox} say why)", counted(rejected, "file", "files")));
    }
    parts.extend(problems);
    Reply::IntakeDone { message: parts.join("; ") }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;

    /// The inbox file stays in the inbox, where a restarted Frontline takes it into the
    /// workspace as it is now; read into the deleted one, it would have moved to `done/`.
    #[test]
    fn a_workspace_moved_away_stops_the_inbox_pass_and_leaves_its_files() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("ws.db");
        drop(store::open_workspace(&db).unwrap());
        let inbox = dir.path().join("inbox");
        std::fs::create_dir(&inbox).unwrap();
        let call = inbox.join("call.json");
        std::fs::write(&call, r#"{"channel":"phone","subject":"Incoming call"}"#).unwrap();
        let settings = Settings::from_config(&crate::config::Intake::default(), &db);
        let (tx, rx) = mpsc::channel();
        let tx = Mutex::new(tx);
        let sink: ReplySink = Arc::new(move |r| drop(tx.lock().unwrap().send(r)));
        let worker = JobsWorker::spawn(&db, settings, sink).unwrap();
        // The worker's connection records its files first: a first pass finds the inbox empty.
        std::fs::rename(&call, dir.path().join("held.json")).unwrap();
        worker.submit(Job::SyncIntake { maildirs: Vec::new(), inbox: Some(inbox.clone()) });
        assert!(matches!(rx.recv_timeout(Duration::from_secs(20)).unwrap(), Reply::IntakeDone { .. }));
        std::fs::rename(dir.path().join("held.json"), &call).unwrap();

        std::fs::rename(&db, dir.path().join("moved.db")).unwrap();
        worker.submit(Job::SyncIntake { maildirs: Vec::new(), inbox: Some(inbox) });
        match rx.recv_timeout(Duration::from_secs(20)).unwrap() {
            Reply::Failed { what, error } => {
                assert_eq!(what, "Stopped reading mail and the inbox");
                assert!(error.contains("the workspace file was deleted or moved"), "{error}");
            }
            other => panic!("expected a refusal: {other:?}"),
        }
        assert!(call.exists(), "the inbox file is left where it was");
    }
}
