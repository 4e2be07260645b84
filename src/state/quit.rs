//! Leaving the workstation without losing a word: quitting first saves what the editors
//! hold and waits (at most [`FLUSH_DEADLINE_MS`]) for the store to confirm; if any text
//! could not be saved, it asks — write it to a recovery file, stay, or quit and lose it —
//! instead of exiting in silence.

use crossterm::event::{KeyCode, KeyEvent};

use crate::domain::shift::RepState;
use crate::protocol::{DraftKind, Request};

use super::{Effect, State, Tone, notes};

/// How long quitting waits for the store to confirm the last saves.
pub const FLUSH_DEADLINE_MS: i64 = 2000;

/// Where quitting is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum QuitPhase {
    #[default]
    Running,
    /// Contacts are in progress: the rep is asked before quitting.
    ConfirmWork,
    /// The last saves are on their way; quit when the store confirms them.
    Flushing { since_ms: i64 },
    /// Some text could not be saved: the rep is asked what to do with it.
    Asking { error: Option<String> },
    /// The recovery file is being written; quit when it is.
    Recovering,
    /// Stopping: `lost` says text was given up, `recovered` where it was written.
    Done { lost: bool, recovered: Option<std::path::PathBuf> },
}

/// The rep asked to quit: with contacts in progress, ask first; then save what the
/// editors hold and ask the store to confirm.
pub fn ask(state: &mut State) -> Vec<Effect> {
    if matches!(state.quit, QuitPhase::Asking { .. }) {
        return Vec::new();
    }
    if state.quit == QuitPhase::Running && !state.work.strip.is_empty() {
        state.quit = QuitPhase::ConfirmWork;
        return Vec::new();
    }
    flush_and_go(state)
}

/// Keys on "contacts are in progress — quit anyway?": y or Enter quits, anything else stays.
pub fn confirm_work_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    match key.code {
        KeyCode::Char('y' | 'Y') | KeyCode::Enter => flush_and_go(state),
        _ => {
            state.quit = QuitPhase::Running;
            Vec::new()
        }
    }
}

/// Saves what the editors hold and asks the store to confirm before stopping.
fn flush_and_go(state: &mut State) -> Vec<Effect> {
    let mut effects = notes::flush_draft(state);
    state.quit = QuitPhase::Flushing { since_ms: state.now_ms };
    effects.push(Effect::Db(Request::QuitCheck));
    effects
}

/// The terminal is gone or a signal asked to stop: no one can be asked, so save, and write
/// any text already known to be unsaved to the recovery file before going.
pub fn shutdown(state: &mut State) -> Vec<Effect> {
    let mut effects = notes::flush_draft(state);
    if !state.unsaved.is_empty() {
        effects.push(Effect::WriteRecovery(state.unsaved.recovery_text()));
    }
    effects.extend(finish(state, false, None));
    effects
}

/// Every save sent before quitting is done: go, or ask if some text is not saved.
pub fn saves_confirmed(state: &mut State) -> Vec<Effect> {
    if !matches!(state.quit, QuitPhase::Flushing { .. }) {
        return Vec::new();
    }
    if state.unsaved.is_empty() {
        return finish(state, false, None);
    }
    state.quit = QuitPhase::Asking { error: None };
    Vec::new()
}

/// The store did not confirm in time: whatever the editors hold counts as unsaved.
pub fn check_flush_deadline(state: &mut State) -> Vec<Effect> {
    let QuitPhase::Flushing { since_ms } = state.quit else { return Vec::new() };
    if state.now_ms - since_ms < FLUSH_DEADLINE_MS {
        return Vec::new();
    }
    let why = "not confirmed saved within 2 s".to_string();
    if let Some(contact) = state.notes.contact.filter(|_| state.notes.saving || state.notes.dirty) {
        state.unsaved.keep(contact, DraftKind::Notes, state.notes.text(), why.clone());
    }
    if let Some(r) = state.reply.as_ref().filter(|r| r.dirty) {
        state.unsaved.keep(r.contact, DraftKind::Reply, r.text(), why);
    }
    saves_confirmed(state)
}

/// Keys while asking what to do with unsaved text.
pub fn asking_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    match key.code {
        KeyCode::Char('w' | 'W') | KeyCode::Enter => {
            state.quit = QuitPhase::Recovering;
            vec![Effect::WriteRecovery(state.unsaved.recovery_text())]
        }
        KeyCode::Char('d' | 'D') => finish(state, true, None),
        KeyCode::Esc | KeyCode::Char('s' | 'S') => {
            state.quit = QuitPhase::Running;
            state.flash("Still here; your text is on screen and saving is retried as you type", Tone::Info);
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// The recovery file was written (quit) or not (stay asking, with why).
pub fn recovery_written(state: &mut State, result: Result<std::path::PathBuf, String>) -> Vec<Effect> {
    match result {
        Ok(path) if matches!(state.quit, QuitPhase::Done { .. }) => {
            state.quit = QuitPhase::Done { lost: false, recovered: Some(path) };
            Vec::new()
        }
        Ok(path) => finish(state, false, Some(path)),
        Err(error) if matches!(state.quit, QuitPhase::Done { .. }) => {
            state.quit = QuitPhase::Done { lost: true, recovered: None };
            state.flash(error, Tone::Error);
            Vec::new()
        }
        Err(error) => {
            state.quit = QuitPhase::Asking { error: Some(error) };
            Vec::new()
        }
    }
}

/// Stops: the rep goes offline (adherence must not count the time after closing).
fn finish(state: &mut State, lost: bool, recovered: Option<std::path::PathBuf>) -> Vec<Effect> {
    state.quit = QuitPhase::Done { lost, recovered };
    vec![Effect::Db(Request::SetStatus { state: RepState::Offline }), Effect::Quit]
}
