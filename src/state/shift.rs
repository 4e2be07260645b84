//! The rep's shift in the workstation: their status (always in the status bar, with time in
//! state and the next schedule block), changed with one key or by the contact loop itself;
//! a breather offered after a difficult contact or a long run without a break (never
//! forced); kudos kept for the days that need them; and QA self-reviews.

use crossterm::event::{KeyCode, KeyEvent};

use crate::domain::Id;
use crate::domain::shift::{Activity, Criterion, RepState, Score};
use crate::store::shift::Kudos;
use crate::store::worker::Request;

use super::{Effect, State, Tone};

/// How often the status and schedule are re-read (a `frontline status` from a shell shows
/// within a second).
const REFRESH_MS: i64 = 1_000;

/// What the workstation knows of the shift.
#[derive(Debug, Default)]
pub struct ShiftState {
    /// The rep's state and since when.
    pub status: Option<(RepState, i64)>,
    /// The schedule block under way and when it ends.
    pub current_block: Option<(Activity, i64)>,
    /// The next block that changes the activity, and when it starts.
    pub next_block: Option<(Activity, i64)>,
    /// A breather under way ends at this time (ms).
    pub breather_until_ms: Option<i64>,
    /// The status picker, with its selection.
    pub picker: Option<usize>,
    /// The kudos view.
    pub kudos: Option<Vec<Kudos>>,
    /// The QA self-review form.
    pub review: Option<ReviewForm>,
    last_load_ms: i64,
}

/// A self-review: each criterion met, missed or not applicable.
#[derive(Debug)]
pub struct ReviewForm {
    pub contact: Id,
    pub criteria: Vec<Criterion>,
    /// Per criterion: Some(true) met, Some(false) missed, None not applicable.
    pub marks: Vec<Option<bool>>,
    pub selected: usize,
}

impl ShiftState {
    /// Whether the rep is resting (break, lunch, training, meeting, offline).
    pub fn resting(&self) -> bool {
        self.status.is_some_and(|(s, _)| matches!(s, RepState::Break | RepState::Lunch | RepState::Offline))
    }
}

/// Asks for the status and schedule.
pub fn load(state: &mut State) -> Vec<Effect> {
    state.shift.last_load_ms = state.now_ms;
    vec![Effect::Db(Request::LoadShift)]
}

/// Re-reads status and schedule once a second; ends a breather that has run its time.
pub fn tick(state: &mut State) -> Vec<Effect> {
    let mut effects = Vec::new();
    if state.shift.breather_until_ms.is_some_and(|until| until <= state.now_ms) {
        state.shift.breather_until_ms = None;
        state.flash("Breather over: you are available again", Tone::Info);
        effects.push(Effect::Db(Request::SetStatus { state: RepState::Available }));
    }
    if state.now_ms - state.shift.last_load_ms >= REFRESH_MS {
        effects.extend(load(state));
    }
    effects
}

/// Status and schedule arrived.
pub fn loaded(
    state: &mut State,
    status: Option<(RepState, i64)>,
    current: Option<(Activity, i64)>,
    next: Option<(Activity, i64)>,
) -> Vec<Effect> {
    let s = &mut state.shift;
    s.status = status;
    s.current_block = current;
    s.next_block = next;
    Vec::new()
}

/// Ctrl-B: the status picker.
pub fn open_picker(state: &mut State) -> Vec<Effect> {
    let current = state.shift.status.and_then(|(s, _)| RepState::ALL.iter().position(|x| *x == s)).unwrap_or(0);
    state.shift.picker = Some(current);
    Vec::new()
}

/// Keys on the status picker.
pub fn picker_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(selected) = state.shift.picker.as_mut() else { return Vec::new() };
    let count = RepState::ALL.len();
    match key.code {
        KeyCode::Esc => state.shift.picker = None,
        KeyCode::Up | KeyCode::Char('k') => *selected = (*selected + count - 1) % count,
        KeyCode::Down | KeyCode::Char('j') => *selected = (*selected + 1) % count,
        KeyCode::Enter => {
            let chosen = RepState::ALL[*selected % count];
            state.shift.picker = None;
            state.shift.breather_until_ms = None;
            return vec![Effect::Db(Request::SetStatus { state: chosen })];
        }
        _ => {}
    }
    Vec::new()
}

/// Before taking a contact while on a break, lunch or offline, ask (issue: a rep on break
/// who presses F2 by habit should not silently end their break).
pub fn confirm_if_resting(state: &mut State, request: Request) -> Vec<Effect> {
    match state.shift.status {
        Some((resting, _)) if state.shift.resting() => {
            let message = format!("You are on {}. Take a contact anyway?", resting.label().to_lowercase());
            super::forms::confirm(state, message, None, request)
        }
        _ => vec![Effect::Db(request)],
    }
}

/// After a contact closes the worker says whether a breather is due; offer it.
pub fn breather_due(state: &mut State, minutes: u32, difficult: bool) -> Vec<Effect> {
    let why = if difficult { "That was a difficult one." } else { "You have taken a lot of contacts without a break." };
    let message =
        format!("{why} Take a {minutes}-minute breather? (your status shows break, then you are available again)");
    super::forms::confirm(state, message, None, Request::StartBreather { minutes })
}

/// The breather started: come back to available when it ends.
pub fn breather_started(state: &mut State, minutes: u32) -> Vec<Effect> {
    state.shift.breather_until_ms = Some(state.now_ms + i64::from(minutes) * 60_000);
    state.flash(format!("Breather: {minutes} minutes. Ctrl-B ends it early."), Tone::Info);
    load(state)
}

/// Opens the kudos view.
pub fn open_kudos(_state: &mut State) -> Vec<Effect> {
    vec![Effect::Db(Request::LoadKudos)]
}

/// Kudos arrived.
pub fn kudos_loaded(state: &mut State, kudos: Vec<Kudos>) -> Vec<Effect> {
    state.shift.kudos = Some(kudos);
    Vec::new()
}

/// Opens the QA self-review for the open contact.
pub fn open_review(state: &mut State) -> Vec<Effect> {
    match state.open_contact_id() {
        Some(contact) => {
            let criteria = state.scorecard.clone();
            let marks = vec![Some(true); criteria.len()];
            state.shift.review = Some(ReviewForm { contact, criteria, marks, selected: 0 });
        }
        None => state.flash("Open a contact to review it", Tone::Info),
    }
    Vec::new()
}

/// Keys on the self-review: ↑/↓ move, Space/←/→ cycle met → missed → n/a, Enter saves.
pub fn review_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(form) = state.shift.review.as_mut() else { return Vec::new() };
    let count = form.criteria.len().max(1);
    match key.code {
        KeyCode::Esc => state.shift.review = None,
        KeyCode::Up | KeyCode::Char('k') => form.selected = (form.selected + count - 1) % count,
        KeyCode::Down | KeyCode::Char('j') | KeyCode::Tab => form.selected = (form.selected + 1) % count,
        KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right => {
            if let Some(mark) = form.marks.get_mut(form.selected) {
                *mark = match *mark {
                    Some(true) => Some(false),
                    Some(false) => None,
                    None => Some(true),
                };
            }
        }
        KeyCode::Enter => {
            let scores = form
                .criteria
                .iter()
                .zip(&form.marks)
                .map(|(c, met)| Score { criterion: c.name.clone(), weight: c.weight, met: *met })
                .collect();
            let contact = form.contact;
            state.shift.review = None;
            return vec![Effect::Db(Request::SaveSelfReview { contact, scores })];
        }
        _ => {}
    }
    Vec::new()
}

/// Closes the kudos view on any key but scrolling.
pub fn kudos_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    if matches!(key.code, KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q')) {
        state.shift.kudos = None;
    }
    Vec::new()
}
