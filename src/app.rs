//! The event loop: block for the next event, drain everything pending, update, run the
//! effects, and redraw once if anything changed. It never waits on a query.

use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::Duration;

use anyhow::{Context, Result};
use crossterm::event::{self as term_event, Event as TermEvent};

use crate::clipboard::Clipboard;
use crate::config::Config;
use crate::state::{self, Effect, Event, State};
use crate::theme::Theme;
use crate::tui::TerminalGuard;
use crate::ui::{self, DrawInfo};
use crate::workers::ReplySink;
use crate::workers::jobs::JobsWorker;
use crate::workers::search::SearchWorker;
use crate::workers::store::StoreWorker;
use crate::workers::team::TeamWorker;

/// How often the clock ticks (live waiting times, autosave deadlines).
const TICK: Duration = Duration::from_millis(250);

/// How long quitting waits for the last draft to reach the disk.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(2);

/// Settings the workstation starts with.
pub struct Options {
    pub workspace_name: String,
    pub config: Config,
    pub theme: Theme,
    /// Shown in the status bar at start (config warnings).
    pub notice: Option<String>,
    /// How the command line names this workspace, for hints that show a command.
    pub invocation: crate::domain::invocation::Invocation,
}

/// Runs the workstation on an already opened (and migrated) workspace until the rep quits.
pub fn run(db_path: &Path, options: Options) -> Result<()> {
    let (tx, rx) = mpsc::channel::<Event>();
    let reply_tx = tx.clone();
    let sink: ReplySink = Arc::new(move |reply| {
        let _ = reply_tx.send(Event::Db(reply));
    });
    let mut settings = crate::workers::Settings::from_config(&options.config.intake, db_path);
    settings.invocation = options.invocation.clone();
    let mut state =
        initial_state(db_path, &options.workspace_name, options.theme, options.notice, options.config.clone());
    state.invocation = options.invocation;
    // The store worker first, and the queue asked for at once: its reads overlap everything
    // else start-up does (the other workers, the watchers, the terminal, the first frame).
    let db =
        StoreWorker::spawn_with(db_path, settings.clone(), Arc::clone(&sink)).context("starting the store worker")?;
    let (first_requests, start): (Vec<Effect>, Vec<Effect>) =
        state.start().into_iter().partition(|e| matches!(e, Effect::Db(_)));
    for effect in first_requests {
        if let Effect::Db(request) = effect {
            db.send(request);
        }
    }
    let search = SearchWorker::spawn(db_path, Arc::clone(&sink)).context("starting the search worker")?;
    let jobs = JobsWorker::spawn(db_path, settings, Arc::clone(&sink)).context("starting the jobs worker")?;
    let team = match &options.config.team {
        Some(team) => Some(TeamWorker::spawn(db_path, team, sink).context("starting team mode")?),
        None => None,
    };
    let workers = Workers { db, search, jobs, team };
    watch_signals(tx.clone())?;
    // Contacts that arrive by themselves: watch the inbox folder and the Maildirs; each
    // change asks the worker to read them (within a second, polling where watching fails).
    let _watchers = watch_intake(&state.intake, &tx);
    let mut guard = TerminalGuard::enter(options.config.mouse)?;
    let mut clipboard = Clipboard::default();
    spawn_input_thread(tx);

    // The first frame is drawn while the first queue read runs.
    let mut info = draw(&mut guard, &state)?;
    let mut stop = run_effects(&mut guard, &workers, &mut clipboard, &mut state, start)?;
    let mut last_second = state.now();
    while !stop {
        crate::fault::main_panic_if_asked();
        // A worker that died (a bug) must not leave the rep typing into the void: stop
        // with a clear message; drafts up to the last autosave are on disk.
        if !workers.db.alive() {
            crate::tui::restore_again();
            anyhow::bail!("the store worker stopped unexpectedly; notes are saved up to the last autosave");
        }
        let first = match rx.recv_timeout(TICK) {
            Ok(event) => event,
            Err(RecvTimeoutError::Timeout) => Event::Tick,
            Err(RecvTimeoutError::Disconnected) => Event::Shutdown,
        };
        let mut effects = Vec::new();
        let mut dirty = false;
        for event in std::iter::once(first).chain(rx.try_iter()) {
            state.now_ms = now_ms();
            state.clamp_scrolling(info);
            dirty |= !matches!(event, Event::Tick);
            effects.extend(state::update(&mut state, event));
        }
        // Waiting times and timers tick once a second even with no input.
        if state.now() != last_second {
            last_second = state.now();
            dirty = true;
        }
        stop = run_effects(&mut guard, &workers, &mut clipboard, &mut state, effects)?;
        if dirty && !stop {
            match draw(&mut guard, &state) {
                Ok(i) => info = i,
                // A failed draw means the terminal is gone: save and leave as on hang-up.
                Err(_) => {
                    let last = state::update(&mut state, Event::Shutdown);
                    run_effects(&mut guard, &workers, &mut clipboard, &mut state, last)?;
                    stop = true;
                }
            }
        }
    }
    // Every draft asked for is on disk (or known not to be) before the process ends.
    workers.db.flush(FLUSH_TIMEOUT);
    for event in rx.try_iter().filter(|e| matches!(e, Event::Db(_))) {
        state::update(&mut state, event);
    }
    drop(guard);
    leave(&state, &workers.jobs)
}

/// The workstation's state at start, from the config (nothing read from the workspace yet).
fn initial_state(
    db_path: &Path,
    workspace_name: &str,
    theme: Theme,
    notice: Option<String>,
    config: crate::config::Config,
) -> State {
    let metric_settings = config.metric_settings();
    let mut state = State::new(workspace_name, config.keymap, now_ms());
    state.theme = theme;
    state.metric_settings = metric_settings;
    let inbox = config.intake.inbox_dir(db_path);
    state.intake = crate::state::IntakePaths { maildirs: config.intake.maildirs.clone(), inbox: Some(inbox) };
    state.lists = config.lists;
    // Dates like 12/08 are read the way the rep's locale writes them.
    let locale = ["LC_ALL", "LC_TIME", "LANG"].iter().find_map(|v| std::env::var(v).ok().filter(|l| !l.is_empty()));
    state.lists.date_order = crate::domain::time::DateOrder::from_locale(locale.as_deref().unwrap_or(""));
    state.scorecard = config.qa_criteria;
    state.breather_after = config.breather_after_contacts;
    state.breather_minutes = config.breather_minutes;
    // "Rep" is the default: a name set in the config is known; otherwise the workspace may
    // have the one the rep gave, or the first reply asks.
    state.rep_name_known = config.rep_name != "Rep";
    state.rep_name = config.rep_name;
    if let Some(notice) = notice {
        state.flash(notice, state::Tone::Error);
    }
    state
}

/// What the process says as it ends: text written to a recovery file, work left undone,
/// and an error (non-zero exit) if text was given up.
fn leave(state: &State, jobs: &JobsWorker) -> Result<()> {
    for undone in jobs.unfinished() {
        eprintln!("frontline: {undone}");
    }
    let (lost, recovered) = match &state.quit {
        state::quit::QuitPhase::Done { lost, recovered } => (*lost, recovered.clone()),
        _ => (false, None),
    };
    let recovered = match recovered {
        // Text that failed to save after the rep was asked (a signal, the last flush).
        None if !lost && !state.unsaved.is_empty() => Some(crate::recovery::write(&state.unsaved.recovery_text())),
        r => r.map(Ok),
    };
    match recovered {
        Some(Ok(path)) => {
            eprintln!("frontline: text that could not be saved in the workspace was written to {}", path.display());
            Ok(())
        }
        Some(Err(e)) => anyhow::bail!("text that could not be saved was lost: {e}"),
        None if lost => anyhow::bail!(
            "quit without saving: {} (the text that could not be saved was discarded)",
            state.unsaved.first_error().unwrap_or("saving failed")
        ),
        None => Ok(()),
    }
}

/// The workers, by latency class (and the team's help desk, in team mode).
struct Workers {
    db: StoreWorker,
    search: SearchWorker,
    jobs: JobsWorker,
    team: Option<TeamWorker>,
}

fn draw(guard: &mut TerminalGuard, state: &State) -> Result<DrawInfo> {
    let mut info = DrawInfo::default();
    // A panic on another thread has already given the terminal back: drawing now would
    // take it again half-way. The loop notices the dead worker next and stops.
    if !crate::tui::active() {
        return Ok(state.layout);
    }
    guard.terminal.draw(|frame| info = ui::draw(state, frame))?;
    Ok(info)
}

/// Runs effects; returns true when the app should stop. Effects done here whose outcome the
/// state must know (the recovery file) are answered at once, and their effects run too.
fn run_effects(
    guard: &mut TerminalGuard,
    workers: &Workers,
    clipboard: &mut Clipboard,
    state: &mut State,
    effects: Vec<Effect>,
) -> Result<bool> {
    let mut stop = false;
    let mut queue: std::collections::VecDeque<Effect> = effects.into();
    while let Some(effect) = queue.pop_front() {
        match effect {
            Effect::Db(request) => {
                if !workers.db.send(request) {
                    crate::tui::restore_again();
                    anyhow::bail!("the store worker stopped unexpectedly");
                }
            }
            Effect::Search(request) => workers.search.submit(request),
            Effect::Job(job) => workers.jobs.submit(job),
            Effect::Team(request) => {
                if let Some(team) = &workers.team {
                    team.submit(request);
                }
            }
            Effect::Copy(text) => {
                clipboard.copy(&text, guard.terminal.backend_mut());
            }
            Effect::Suspend => {
                workers.db.flush(FLUSH_TIMEOUT);
                guard.suspend()?;
            }
            Effect::WriteRecovery(text) => {
                let written = crate::recovery::write(&text);
                queue.extend(state::update(state, Event::RecoveryWritten(written)));
            }
            Effect::Quit => stop = true,
        }
    }
    Ok(stop)
}

/// Reads terminal input on its own thread. When the terminal goes away (hang-up, closed
/// SSH) reading fails or returns nothing: it reports once and ends, instead of spinning.
/// Escape sequences split across reads are joined back into their keys first.
fn spawn_input_thread(tx: Sender<Event>) {
    let _ = std::thread::Builder::new().name("frontline-input".into()).spawn(move || {
        let mut joiner = crate::input::SplitEscapes::default();
        loop {
            // While an Esc is held, wait only a moment for the rest of its sequence.
            if joiner.holding() && !term_event::poll(Duration::from_millis(crate::input::HOLD_MS)).unwrap_or(false) {
                if !forward(&tx, joiner.flush()) {
                    return;
                }
                continue;
            }
            let events = match term_event::read() {
                Ok(event) => joiner.push(event),
                Err(_) => {
                    let _ = tx.send(Event::Shutdown);
                    return;
                }
            };
            if !forward(&tx, events) {
                return;
            }
        }
    });
}

/// Passes terminal events on to the loop; false once the loop is gone.
fn forward(tx: &Sender<Event>, events: Vec<TermEvent>) -> bool {
    for event in events {
        let event = match event {
            TermEvent::Key(key) => Event::Key(key),
            TermEvent::Paste(text) => Event::Paste(text),
            TermEvent::Resize(w, h) => Event::Resize(w, h),
            TermEvent::Mouse(m) => Event::Mouse(m),
            _ => continue,
        };
        if tx.send(event).is_err() {
            return false;
        }
    }
    true
}

/// Starts the intake watchers; a folder that cannot be watched is simply not watched (the
/// rep can still run `frontline sync`), so this never stops the workstation from opening.
fn watch_intake(paths: &crate::state::IntakePaths, tx: &Sender<Event>) -> Vec<crate::intake::Watcher> {
    let mut watchers = Vec::new();
    if let Some(inbox) = &paths.inbox {
        let _ = crate::intake::inbox::create_private_dir(inbox);
        let tx = tx.clone();
        if let Ok(w) = crate::intake::inbox::watch(inbox, move || {
            let _ = tx.send(Event::IntakeChanged);
        }) {
            watchers.push(w);
        }
    }
    if !paths.maildirs.is_empty() {
        let tx = tx.clone();
        if let Ok(w) = crate::intake::maildir::watch(&paths.maildirs, move || {
            let _ = tx.send(Event::IntakeChanged);
        }) {
            watchers.push(w);
        }
    }
    watchers
}

/// SIGTERM, SIGHUP, SIGINT and SIGQUIT become a clean shutdown that saves the draft.
fn watch_signals(tx: Sender<Event>) -> Result<()> {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
        let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT, SIGQUIT])?;
        std::thread::Builder::new().name("frontline-signals".into()).spawn(move || {
            for _ in signals.forever() {
                if tx.send(Event::Shutdown).is_err() {
                    return;
                }
            }
        })?;
    }
    #[cfg(not(unix))]
    let _ = tx;
    Ok(())
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
