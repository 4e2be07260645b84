//! Worker threads that own their SQLite connections. The UI sends requests and goes on
//! drawing; replies come back as events carrying the sequence number of their request, and
//! the state drops any reply older than its latest request.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;

use anyhow::Result;
use rusqlite::{Connection, InterruptHandle};

use crate::domain::text::mask_card_numbers;
use crate::domain::time::now;
use crate::domain::{Article, ContactDetail, Id, KbHit, Note, QueueRow};

use super::{contacts, kb, notes};

/// Work for the main database worker.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// Read the queue's first page; with `only_if_changed`, only if another connection
    /// committed since the last read (so a second instance's changes show up).
    Queue {
        seq: u64,
        only_if_changed: bool,
    },
    OpenContact {
        seq: u64,
        id: Id,
    },
    SaveDraft {
        contact: Id,
        body: String,
    },
    SaveNote {
        contact: Id,
        body: String,
    },
    Article {
        seq: u64,
        id: Id,
    },
}

/// Work for the search worker; only the newest request matters.
#[derive(Debug, Clone, PartialEq)]
pub enum SearchRequest {
    Search {
        seq: u64,
        query: String,
        limit: usize,
    },
    Suggest {
        seq: u64,
        subject: String,
        body: String,
        limit: usize,
    },
    /// Nothing to search any more: stop whatever is running.
    Cancel,
}

/// A worker's answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// `rows` is `None` when nothing changed since the last read.
    Queue {
        seq: u64,
        rows: Option<Vec<QueueRow>>,
        waiting: i64,
        articles: i64,
    },
    Contact {
        seq: u64,
        detail: Option<Box<ContactDetail>>,
    },
    DraftSaved {
        contact: Id,
    },
    NoteSaved {
        note: Note,
    },
    /// The note could not be saved; its text comes back so the editor can keep it.
    NoteFailed {
        contact: Id,
        body: String,
        error: String,
    },
    KbResults {
        seq: u64,
        hits: Vec<KbHit>,
        suggested: bool,
    },
    Article {
        seq: u64,
        article: Option<Article>,
    },
    Failed {
        what: String,
        error: String,
    },
}

/// Where replies go (the app wraps them into its event channel).
pub type ReplySink = Arc<dyn Fn(Reply) + Send + Sync>;

enum Job {
    Work(Request),
    /// Answer once every earlier job is done (used before exiting).
    Flush(Sender<()>),
}

/// Handle to the main database worker.
pub struct DbWorker {
    jobs: Sender<Job>,
    thread: Option<JoinHandle<()>>,
}

impl DbWorker {
    /// Starts the worker on its own connection to `path`.
    pub fn spawn(path: &Path, sink: ReplySink) -> Result<Self> {
        let conn = super::connect(path)?;
        let (jobs, rx) = mpsc::channel();
        let thread =
            std::thread::Builder::new().name("frontline-db".into()).spawn(move || db_loop(conn, &rx, &sink))?;
        Ok(Self { jobs, thread: Some(thread) })
    }

    /// Queues a request; returns false if the worker has stopped.
    pub fn send(&self, request: Request) -> bool {
        self.jobs.send(Job::Work(request)).is_ok()
    }

    /// Waits (up to `timeout`) until every request sent so far is done.
    pub fn flush(&self, timeout: std::time::Duration) -> bool {
        let (tx, rx) = mpsc::channel();
        self.jobs.send(Job::Flush(tx)).is_ok() && rx.recv_timeout(timeout).is_ok()
    }
}

impl Drop for DbWorker {
    fn drop(&mut self) {
        // Closing the channel ends the loop; the connection closes with the thread.
        let (closed, _) = mpsc::channel();
        self.jobs = closed;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn db_loop(mut conn: Connection, rx: &Receiver<Job>, sink: &ReplySink) {
    let mut seen_version: Option<i64> = None;
    while let Ok(job) = rx.recv() {
        match job {
            Job::Flush(ack) => {
                let _ = ack.send(());
            }
            Job::Work(request) => {
                let reply = serve(&mut conn, request, &mut seen_version);
                sink(reply);
            }
        }
    }
}

fn serve(conn: &mut Connection, request: Request, seen_version: &mut Option<i64>) -> Reply {
    match request {
        Request::Queue { seq, only_if_changed } => {
            let result = (|| {
                let version: i64 = conn.pragma_query_value(None, "data_version", |r| r.get(0))?;
                let changed = *seen_version != Some(version);
                *seen_version = Some(version);
                if only_if_changed && !changed {
                    return Ok(Reply::Queue { seq, rows: None, waiting: 0, articles: 0 });
                }
                let rows = contacts::queue(conn, 0, contacts::QUEUE_PAGE)?;
                let waiting = contacts::waiting_count(conn)?;
                let articles = kb::count(conn)?;
                Ok(Reply::Queue { seq, rows: Some(rows), waiting, articles })
            })();
            result.unwrap_or_else(|e: rusqlite::Error| failed("Reading the queue", &e))
        }
        Request::OpenContact { seq, id } => match contacts::detail(conn, id) {
            Ok(detail) => Reply::Contact { seq, detail: detail.map(Box::new) },
            Err(e) => failed("Opening the contact", &e),
        },
        Request::SaveDraft { contact, body } => {
            let body = mask_card_numbers(&body).text;
            match super::write(conn, |tx| notes::save_draft(tx, contact, &body, now())) {
                Ok(()) => Reply::DraftSaved { contact },
                Err(e) => failed("Saving the draft", &e),
            }
        }
        Request::SaveNote { contact, body } => {
            let masked = mask_card_numbers(&body).text;
            match super::write(conn, |tx| notes::save_note(tx, contact, &masked, now())) {
                Ok(note) => Reply::NoteSaved { note },
                Err(e) => Reply::NoteFailed { contact, body: masked, error: e.to_string() },
            }
        }
        Request::Article { seq, id } => match kb::article(conn, id) {
            Ok(article) => Reply::Article { seq, article },
            Err(e) => failed("Opening the article", &e),
        },
    }
}

fn failed(what: &str, e: &rusqlite::Error) -> Reply {
    Reply::Failed { what: what.to_string(), error: e.to_string() }
}

/// The newest search request, shared between the UI side and the search thread.
#[derive(Default)]
struct Slot {
    request: Option<SearchRequest>,
    closed: bool,
}

/// Handle to the search worker: newest query wins, a running older one is interrupted.
pub struct SearchWorker {
    slot: Arc<(Mutex<Slot>, Condvar)>,
    busy: Arc<AtomicBool>,
    interrupt: Arc<InterruptHandle>,
    thread: Option<JoinHandle<()>>,
}

impl SearchWorker {
    /// Starts the search thread on its own connection to `path`.
    pub fn spawn(path: &Path, sink: ReplySink) -> Result<Self> {
        let conn = super::connect(path)?;
        Ok(Self::start(conn, path.to_path_buf(), sink))
    }

    fn start(conn: Connection, _path: PathBuf, sink: ReplySink) -> Self {
        let slot = Arc::new((Mutex::new(Slot::default()), Condvar::new()));
        let busy = Arc::new(AtomicBool::new(false));
        let interrupt = Arc::new(conn.get_interrupt_handle());
        let thread = {
            let (slot, busy) = (Arc::clone(&slot), Arc::clone(&busy));
            std::thread::Builder::new()
                .name("frontline-search".into())
                .spawn(move || search_loop(&conn, &slot, &busy, &sink))
                .ok()
        };
        Self { slot, busy, interrupt, thread }
    }

    /// Replaces any waiting request with this one and interrupts a running search.
    pub fn submit(&self, request: SearchRequest) {
        let (lock, wake) = &*self.slot;
        lock.lock().unwrap_or_else(PoisonError::into_inner).request = Some(request);
        if self.busy.load(Ordering::Acquire) {
            self.interrupt.interrupt();
        }
        wake.notify_one();
    }
}

impl Drop for SearchWorker {
    fn drop(&mut self) {
        let (lock, wake) = &*self.slot;
        lock.lock().unwrap_or_else(PoisonError::into_inner).closed = true;
        self.interrupt.interrupt();
        wake.notify_one();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn search_loop(conn: &Connection, slot: &(Mutex<Slot>, Condvar), busy: &AtomicBool, sink: &ReplySink) {
    let (lock, wake) = slot;
    loop {
        let request = {
            let mut guard = lock.lock().unwrap_or_else(PoisonError::into_inner);
            loop {
                if guard.closed {
                    return;
                }
                if let Some(r) = guard.request.take() {
                    break r;
                }
                guard = wake.wait(guard).unwrap_or_else(PoisonError::into_inner);
            }
        };
        busy.store(true, Ordering::Release);
        let outcome = run_search(conn, &request);
        busy.store(false, Ordering::Release);
        match outcome {
            Some(Ok(reply)) => sink(reply),
            // Interrupted by a newer request: that one is already in the slot. If the
            // interrupt raced with the start of this (newest) search, run it again.
            Some(Err(rusqlite::Error::SqliteFailure(e, _))) if e.code == rusqlite::ErrorCode::OperationInterrupted => {
                let mut guard = lock.lock().unwrap_or_else(PoisonError::into_inner);
                if guard.request.is_none() && !guard.closed {
                    guard.request = Some(request);
                }
            }
            Some(Err(e)) => sink(failed("Searching", &e)),
            None => {}
        }
    }
}

fn run_search(conn: &Connection, request: &SearchRequest) -> Option<rusqlite::Result<Reply>> {
    match request {
        SearchRequest::Search { seq, query, limit } => {
            Some(kb::search(conn, query, *limit).map(|hits| Reply::KbResults { seq: *seq, hits, suggested: false }))
        }
        SearchRequest::Suggest { seq, subject, body, limit } => {
            Some(kb::suggest(conn, subject, body, *limit).map(|hits| Reply::KbResults {
                seq: *seq,
                hits,
                suggested: true,
            }))
        }
        SearchRequest::Cancel => None,
    }
}
