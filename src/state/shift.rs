//! The rep's shift in the workstation: their status (always in the status bar, with time in
//! state and the next schedule block), changed with one key or by the contact loop itself;
//! a breather offered after a difficult contact or a long run without a break (never
//! forced); kudos kept for the days that need them; and QA self-reviews.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui_textarea::TextArea;

use crate::domain::Id;
use crate::domain::shift::Kudos;
use crate::domain::shift::{Activity, Criterion, RepState, Score};
use crate::domain::text::counted;
use crate::protocol::Request;

use super::overlay::Overlay;
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

/// Ctrl-O: the status picker.
pub fn open_picker(state: &mut State) -> Vec<Effect> {
    let current = state.shift.status.and_then(|(s, _)| RepState::ALL.iter().position(|x| *x == s)).unwrap_or(0);
    state.overlays.open(Overlay::StatusPicker(current));
    Vec::new()
}

/// Keys on the status picker.
pub fn picker_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(selected) = state.overlays.picker_mut() else { return Vec::new() };
    let count = RepState::ALL.len();
    match key.code {
        KeyCode::Esc => state.overlays.close_picker(),
        KeyCode::Up | KeyCode::Char('k') => *selected = (*selected + count - 1) % count,
        KeyCode::Down | KeyCode::Char('j') => *selected = (*selected + 1) % count,
        KeyCode::Enter => {
            let chosen = RepState::ALL[*selected % count];
            state.overlays.close_picker();
            state.shift.breather_until_ms = None;
            let request = Request::SetStatus { state: chosen };
            let in_progress = state.work.strip.len();
            // Stepping away with customers still connected deserves a second look.
            if chosen.is_rest() && in_progress > 0 {
                let message = format!(
                    "{} still in progress: handle time keeps counting. Go on {} anyway?",
                    counted(in_progress, "contact", "contacts"),
                    chosen.label().to_lowercase()
                );
                return super::forms::confirm(state, message, None, request);
            }
            return vec![Effect::Db(request)];
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
    // The offer comes a moment after a contact ends. If the rep has already moved on (the
    // next contact taken or on its way, a form open), a prompt popping up now would take the
    // keys of whatever they are typing: an `n` in a word would answer it, a `y` start a
    // break. So then it is only said, not asked.
    if state.work.taking.is_some() || !state.work.strip.is_empty() || state.overlays.form().is_some() {
        let how = match state.keymap.key_for(crate::keymap::Scope::Global, crate::action::Action::SetStatus) {
            Some(key) => format!(" ({key}: Break)"),
            None => String::new(),
        };
        state.flash(format!("{why} Take a breather when you can{how}."), Tone::Info);
        return Vec::new();
    }
    let message =
        format!("{why} Take a {minutes}-minute breather? (your status shows break, then you are available again)");
    super::forms::confirm(state, message, None, Request::StartBreather { minutes })
}

/// The breather started: come back to available when it ends.
pub fn breather_started(state: &mut State, minutes: u32) -> Vec<Effect> {
    state.shift.breather_until_ms = Some(state.now_ms + i64::from(minutes) * 60_000);
    state.flash(format!("Breather: {minutes} minutes. Ctrl-O ends it early."), Tone::Info);
    load(state)
}

/// Opens the kudos view.
pub fn open_kudos(_state: &mut State) -> Vec<Effect> {
    vec![Effect::Db(Request::LoadKudos)]
}

/// Kudos arrived.
pub fn kudos_loaded(state: &mut State, kudos: Vec<Kudos>) -> Vec<Effect> {
    state.overlays.open(Overlay::Kudos(kudos));
    Vec::new()
}

/// Opens the QA self-review for the open contact.
pub fn open_review(state: &mut State) -> Vec<Effect> {
    match state.open_contact_id() {
        Some(contact) => {
            let criteria = state.scorecard.clone();
            let marks = vec![Some(true); criteria.len()];
            state.overlays.open(Overlay::Review(ReviewForm { contact, criteria, marks, selected: 0 }));
        }
        None => state.flash("Open a contact to review it", Tone::Info),
    }
    Vec::new()
}

/// Keys on the self-review: ↑/↓ move, Space/←/→ cycle met → missed → n/a, Enter saves.
pub fn review_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(form) = state.overlays.review_mut() else { return Vec::new() };
    let count = form.criteria.len().max(1);
    match key.code {
        KeyCode::Esc => state.overlays.close_review(),
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
            state.overlays.close_review();
            return vec![Effect::Db(Request::SaveSelfReview { contact, scores })];
        }
        _ => {}
    }
    Vec::new()
}

/// Closes the kudos view on any key but scrolling.
pub fn kudos_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    if matches!(key.code, KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q')) {
        state.overlays.close_kudos();
    }
    Vec::new()
}

/// Today's schedule, shown and edited in the workstation (`T` in the Queue).
#[derive(Debug, Default)]
pub struct ScheduleView {
    pub blocks: Vec<crate::domain::shift::ScheduleBlock>,
    pub adherence: Option<f64>,
    pub selected: usize,
    /// The add form (start, end, activity) while adding a block.
    pub adding: Option<NewBlock>,
    pub error: Option<String>,
}

/// A block being entered: times as the rep types them ("9:00", "13:30").
#[derive(Debug)]
pub struct NewBlock {
    pub start: TextArea<'static>,
    pub end: TextArea<'static>,
    pub activity: usize,
    pub field: usize,
}

/// Opens today's schedule.
pub fn open_schedule(state: &mut State) -> Vec<Effect> {
    state.overlays.open(Overlay::Schedule(ScheduleView::default()));
    vec![Effect::Db(Request::LoadSchedule)]
}

/// The day's blocks arrived (after loading, adding or removing).
pub fn schedule_loaded(
    state: &mut State,
    blocks: Vec<crate::domain::shift::ScheduleBlock>,
    adherence: Option<f64>,
) -> Vec<Effect> {
    if let Some(view) = state.overlays.schedule_mut() {
        view.selected = view.selected.min(blocks.len().saturating_sub(1));
        view.blocks = blocks;
        view.adherence = adherence;
    }
    load(state)
}

/// A block was refused (overlap, end before start).
pub fn schedule_refused(state: &mut State, message: String) -> Vec<Effect> {
    match state.overlays.schedule_mut() {
        Some(view) => view.error = Some(message),
        None => state.flash(message, Tone::Error),
    }
    Vec::new()
}

/// "9:00", "09:00" or "13:30" today, in local time.
pub fn time_today(text: &str, now: i64) -> Option<i64> {
    use chrono::{Local, NaiveTime, TimeZone};
    let time = NaiveTime::parse_from_str(text.trim(), "%H:%M").ok()?;
    let today = Local.timestamp_opt(now, 0).single()?.date_naive();
    Local.from_local_datetime(&today.and_time(time)).earliest().map(|t| t.timestamp())
}

/// Keys on the schedule: ↑/↓ choose, `a` adds a block, `d` removes the selected one, Esc
/// closes; in the add form Tab moves, ←/→ pick the activity, Enter adds.
pub fn schedule_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let now = state.now();
    let Some(view) = state.overlays.schedule_mut() else { return Vec::new() };
    if let Some(form) = view.adding.as_mut() {
        match key.code {
            KeyCode::Esc => view.adding = None,
            KeyCode::Tab | KeyCode::BackTab => form.field = (form.field + 1) % 3,
            KeyCode::Left | KeyCode::Right if form.field == 2 => {
                let n = Activity::ALL.len();
                form.activity =
                    if key.code == KeyCode::Left { (form.activity + n - 1) % n } else { (form.activity + 1) % n };
            }
            KeyCode::Enter => {
                let start = time_today(&super::forms::field_text(&form.start), now);
                let end = time_today(&super::forms::field_text(&form.end), now);
                let (Some(start), Some(end)) = (start, end) else {
                    view.error = Some("Times look like 9:00 or 13:30".into());
                    return Vec::new();
                };
                let activity = Activity::ALL[form.activity % Activity::ALL.len()];
                view.adding = None;
                view.error = None;
                return vec![Effect::Db(Request::AddBlock { start, end, activity })];
            }
            _ => {
                let field = if form.field == 0 { &mut form.start } else { &mut form.end };
                if form.field < 2 {
                    field.input(key);
                }
            }
        }
        return Vec::new();
    }
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') => state.overlays.close_schedule(),
        KeyCode::Up | KeyCode::Char('k') => view.selected = view.selected.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => {
            view.selected = (view.selected + 1).min(view.blocks.len().saturating_sub(1))
        }
        KeyCode::Char('a') => {
            let line = super::forms::line_field;
            view.adding = Some(NewBlock { start: line(""), end: line(""), activity: 0, field: 0 });
            view.error = None;
        }
        KeyCode::Char('d') => {
            if let Some(block) = view.blocks.get(view.selected) {
                return vec![Effect::Db(Request::RemoveBlock { id: block.id })];
            }
        }
        _ => {}
    }
    Vec::new()
}
