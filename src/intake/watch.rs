//! Watching folders for new files: file-system notifications (inotify, FSEvents, …) when
//! they work, polling when they do not, and in both cases a periodic look so that nothing
//! is missed for long. Used by the inbox ([`super::inbox::watch`]) and the Maildirs
//! ([`super::maildir::watch`]).

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

/// Keeps folders watched; dropping it stops the watching (the background thread ends
/// within a second).
pub struct Watcher {
    /// The file-system watcher, when notifications work (kept alive by being held).
    _notify: Option<notify::RecommendedWatcher>,
    /// Dropping this stops the dispatch thread.
    _stop: mpsc::Sender<()>,
    polling: bool,
}

impl Watcher {
    /// Whether file-system notifications could not be used and the folders are polled.
    pub fn is_polling(&self) -> bool {
        self.polling
    }
}

impl std::fmt::Debug for Watcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watcher").field("polling", &self.polling).finish()
    }
}

/// What to watch and how to tell that something is waiting.
pub(crate) struct Spec {
    /// Names the background thread.
    pub name: &'static str,
    /// Folders watched (not their sub-folders).
    pub dirs: Vec<PathBuf>,
    /// Whether an event on this path can mean a new file to pick up.
    pub relevant: fn(&Path) -> bool,
    /// How often `probe` runs when no event came.
    pub rescan: Duration,
    /// Looks at the folders: `true` calls `on_change`.
    pub probe: Box<dyn FnMut() -> bool + Send>,
}

/// How long a burst of file events is gathered before `on_change` is called once.
const DEBOUNCE: Duration = Duration::from_millis(50);

/// Starts watching; `on_change` is called once at start, then after each burst of relevant
/// events and whenever the periodic probe says so.
pub(crate) fn start(spec: Spec, force_polling: bool, on_change: impl Fn() + Send + 'static) -> Result<Watcher> {
    let (events_tx, events_rx) = mpsc::channel::<()>();
    let notify = if force_polling { None } else { start_notify(&spec.dirs, spec.relevant, events_tx.clone()).ok() };
    let polling = notify.is_none();
    let (stop_tx, stop_rx) = mpsc::channel::<()>();
    let name = spec.name;
    std::thread::Builder::new()
        .name(format!("{name}-watch"))
        .spawn(move || dispatch(spec, polling, &events_rx, &stop_rx, &on_change))
        .with_context(|| format!("starting the {name} watcher thread"))?;
    // The first pass picks up whatever is already waiting.
    let _ = events_tx.send(());
    Ok(Watcher { _notify: notify, _stop: stop_tx, polling })
}

fn start_notify(
    dirs: &[PathBuf],
    relevant: fn(&Path) -> bool,
    events: mpsc::Sender<()>,
) -> notify::Result<notify::RecommendedWatcher> {
    use notify::event::AccessKind;
    use notify::{EventKind, RecursiveMode, Watcher as _};
    let mut watcher = notify::recommended_watcher(move |result: notify::Result<notify::Event>| {
        let wanted = match result {
            Ok(event) => {
                !matches!(event.kind, EventKind::Remove(_) | EventKind::Access(AccessKind::Open(_) | AccessKind::Read))
                    && event.paths.iter().any(|p| relevant(p))
            }
            // An overflowed queue may have hidden a new file: look.
            Err(_) => true,
        };
        if wanted {
            let _ = events.send(());
        }
    })?;
    for dir in dirs {
        watcher.watch(dir, RecursiveMode::NonRecursive)?;
    }
    Ok(watcher)
}

/// Calls `on_change` once per burst of events and when the periodic probe finds something,
/// until the [`Watcher`] is dropped.
fn dispatch(
    mut spec: Spec,
    polling: bool,
    events: &mpsc::Receiver<()>,
    stop: &mpsc::Receiver<()>,
    on_change: &dyn Fn(),
) {
    let mut last_scan = Instant::now();
    loop {
        let mut changed = if polling {
            let queued = events.try_iter().count() > 0;
            if !queued
                && !matches!(stop.recv_timeout(spec.rescan.min(Duration::from_secs(1))), Err(RecvTimeoutError::Timeout))
            {
                return;
            }
            queued
        } else {
            match events.recv_timeout(Duration::from_millis(250)) {
                Ok(()) => {
                    // Gather the rest of the burst.
                    while events.recv_timeout(DEBOUNCE).is_ok() {}
                    true
                }
                Err(RecvTimeoutError::Timeout) => false,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        };
        if matches!(stop.try_recv(), Err(mpsc::TryRecvError::Disconnected)) {
            return;
        }
        if changed {
            last_scan = Instant::now();
        } else if last_scan.elapsed() >= spec.rescan {
            last_scan = Instant::now();
            changed = (spec.probe)();
        }
        if changed {
            on_change();
        }
    }
}
