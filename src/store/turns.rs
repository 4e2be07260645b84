//! Taking turns at the write lock within this process. SQLite lets one writer in at a time
//! and makes the others retry. A long write that commits batch after batch (a first
//! Maildir sync) takes the lock again the moment it lets it go, and a rep's save retrying on
//! SQLite's own stepped sleeps (up to 100 ms apart) found it taken again and again: during
//! a sync of 20,000 mails, draft saves waited up to a second. So here every write says it
//! is waiting for the lock or holding it, a long write makes way between its batches while
//! another is, and a connection kept waiting retries every millisecond.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use rusqlite::Connection;

/// Per workspace file, the writes of this process waiting for its write lock or holding it.
static WRITERS: Mutex<BTreeMap<String, usize>> = Mutex::new(BTreeMap::new());

/// The longest a long write waits for the others between two of its batches: a save holds
/// the lock for milliseconds; should one take longer, the long write goes on and takes its
/// turn at the lock like any writer.
const MAKE_WAY_AT_MOST: Duration = Duration::from_millis(250);

/// How long a connection keeps retrying a locked workspace before it gives up: as long as
/// the 5 seconds SQLite's `busy_timeout` was set to.
const RETRIES: i32 = 5_000;

/// The workspace file a connection writes to; `None` in memory (no other connection can
/// wait for that lock).
fn workspace(conn: &Connection) -> Option<String> {
    conn.path().filter(|p| !p.is_empty()).map(str::to_string)
}

/// Counts a write from the moment it asks for the lock until it is done.
pub(super) struct Writing(Option<String>);

impl Writing {
    pub(super) fn start(conn: &Connection) -> Self {
        let file = workspace(conn);
        if let Some(file) = &file {
            *WRITERS.lock().unwrap_or_else(PoisonError::into_inner).entry(file.clone()).or_insert(0) += 1;
        }
        Self(file)
    }
}

impl Drop for Writing {
    fn drop(&mut self) {
        let Some(file) = &self.0 else { return };
        let mut writers = WRITERS.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = writers.get_mut(file) {
            *count -= 1;
            if *count == 0 {
                writers.remove(file);
            }
        }
    }
}

/// How many writes of this process are waiting for the write lock of `conn`'s workspace
/// or holding it.
pub fn writers(conn: &Connection) -> usize {
    workspace(conn)
        .map_or(0, |file| WRITERS.lock().unwrap_or_else(PoisonError::into_inner).get(&file).copied().unwrap_or(0))
}

/// Called by a long write between its batches (holding no lock): waits, a millisecond at a
/// time and at most [`MAKE_WAY_AT_MOST`], until no other write of this process to the same
/// workspace is waiting or writing, so a save waits for one batch at most instead of many.
pub fn make_way(conn: &Connection) {
    let started = Instant::now();
    while writers(conn) > 0 && started.elapsed() < MAKE_WAY_AT_MOST {
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Makes `conn` retry a locked workspace every millisecond (for about five seconds), so it
/// takes the lock in the first gap a long write leaves.
pub(super) fn retry_every_millisecond(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.busy_handler(Some(|retries: i32| {
        std::thread::sleep(Duration::from_millis(1));
        retries < RETRIES
    }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_write_on_another_thread_counts_until_it_is_done() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        drop(crate::store::open_workspace(&path).unwrap());
        let (inside, carry_on) = (std::sync::mpsc::channel(), std::sync::mpsc::channel::<()>());
        let (tell, told) = inside;
        let (go, wait) = carry_on;
        let watcher = crate::store::connect(&path).unwrap();
        let writer = std::thread::spawn(move || {
            let mut conn = crate::store::connect(&path).unwrap();
            crate::store::write(&mut conn, |_| -> rusqlite::Result<()> {
                tell.send(()).unwrap();
                wait.recv().unwrap();
                Ok(())
            })
            .unwrap();
        });
        told.recv().unwrap();
        assert_eq!(writers(&watcher), 1, "a write holding the lock counts");
        go.send(()).unwrap();
        writer.join().unwrap();
        assert_eq!(writers(&watcher), 0, "and stops counting when it is done");
        assert_eq!(writers(&crate::store::open_in_memory().unwrap()), 0);
    }
}
