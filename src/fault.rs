//! Fault injection for the end-to-end tests that prove every exit path restores the
//! terminal: in debug builds only, `FRONTLINE_FAULT=panic` panics the main loop and
//! `FRONTLINE_FAULT=worker-panic` panics the database worker, and
//! `FRONTLINE_FAULT=disk-full` makes every draft save fail as SQLite does on a full disk.
//! Release builds ignore it.

/// What the environment asks for (debug builds only).
fn asked(kind: &str) -> bool {
    cfg!(debug_assertions) && std::env::var("FRONTLINE_FAULT").is_ok_and(|v| v == kind)
}

/// Panics the main loop when asked to.
#[allow(clippy::panic)] // The whole point: a real panic, to test the panic hook.
pub fn main_panic_if_asked() {
    if asked("panic") {
        panic!("fault injected by FRONTLINE_FAULT=panic");
    }
}

/// Panics the database worker when asked to.
#[allow(clippy::panic)] // The whole point: a real panic in a worker thread.
pub fn worker_panic_if_asked() {
    if asked("worker-panic") {
        panic!("fault injected by FRONTLINE_FAULT=worker-panic");
    }
}

/// Whether draft saves should fail as on a full disk.
pub fn disk_full() -> bool {
    asked("disk-full")
}

/// The error SQLite gives when the disk is full.
pub fn disk_full_error() -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
        Some("database or disk is full".into()),
    )
}
