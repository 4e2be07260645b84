//! The search worker: knowledge-base search and suggestions as the rep types. Only the newest
//! request matters, so a newer one replaces a waiting one and interrupts a running one.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;

use anyhow::Result;
use rusqlite::{Connection, InterruptHandle};

use super::{ReplySink, failed};
use crate::protocol::{Reply, SearchRequest};
use crate::store::kb;
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
        let conn = crate::store::connect(path)?;
        let slot = Arc::new((Mutex::new(Slot::default()), Condvar::new()));
        let busy = Arc::new(AtomicBool::new(false));
        let interrupt = Arc::new(conn.get_interrupt_handle());
        let thread = {
            let (slot, busy) = (Arc::clone(&slot), Arc::clone(&busy));
            std::thread::Builder::new()
                .name("frontline-search".into())
                .spawn(move || search_loop(&conn, &slot, &busy, &sink))?
        };
        Ok(Self { slot, busy, interrupt, thread: Some(thread) })
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
