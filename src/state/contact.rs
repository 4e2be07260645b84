//! The contact loop: accepting, holding, wrapping up, reopening, and juggling several
//! contacts at once. The database is the source of truth: every step is a request, and the
//! worker answers with the contact's fresh detail (event log included), which replaces the
//! copy held here. Timers are replayed from that log, never counted here.

use std::collections::{HashMap, HashSet};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::CursorMove;

use crate::domain::contact_loop::Step;
use crate::domain::{ContactDetail, ContactStatus, Id, Timers};
use crate::protocol::{Request, TeamRequest};

use super::overlay::Overlay;
use super::{Effect, Pane, State, Tone, forms, knowledge, notes, queue};

/// A contact in progress that is not on screen right now, with its own editor (text,
/// cursor and undo history kept while the rep works on another).
#[derive(Debug)]
pub struct Parked {
    pub detail: ContactDetail,
    pub notes: notes::NotesState,
    /// What the Knowledge pane showed for this contact (search, results, open article).
    pub knowledge: knowledge::KnowledgeState,
}

/// The contacts in progress: their order in the strip, and the ones not on screen.
#[derive(Debug, Default)]
pub struct Workbench {
    pub strip: Vec<Id>,
    pub parked: HashMap<Id, Parked>,
    /// Text typed between asking for a contact (F2, `a`, a logged contact) and its notes
    /// opening, kept for those notes. Without it the first words of a greeting would land
    /// in whatever had focus: as Queue commands, or in the previous contact's notes.
    pub taking: Option<String>,
    /// The contact whose wrap-up was sent and not yet answered: keys for the contact on
    /// screen wait for the answer, which brings the next one (F5 Enter F5 opened a second
    /// wrap-up for the contact just closed).
    pub closing: Option<Id>,
}

/// Whether an effect asks for a contact to come on screen for the rep to work on.
pub fn takes_contact(effect: &Effect) -> bool {
    match effect {
        Effect::Db(Request::AcceptNext { .. } | Request::StartFollowUp { .. } | Request::LogContact(_))
        | Effect::Team(TeamRequest::Claim { .. }) => true,
        Effect::Db(Request::Step { step, .. }) => matches!(step, Step::Accept | Step::Reopen),
        _ => false,
    }
}

/// A key pressed while a contact is being taken: text (letters, Enter, Backspace without
/// Ctrl or Alt) typed in the Queue or the Notes is kept for the contact's notes and `true`
/// returned; any other key, or text typed where the rep moved on purpose (Ctrl-F to the
/// search), acts as usual.
pub fn type_ahead(state: &mut State, key: &KeyEvent) -> bool {
    kept_typing(state).is_some_and(|typed| type_into(typed, key))
}

/// Applies a key to text being kept as typed: a character (without Ctrl or Alt), Enter or
/// Backspace changes it and says `true`; any other key leaves it and says `false`.
pub fn type_into(text: &mut String, key: &KeyEvent) -> bool {
    if key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) {
        return false;
    }
    match key.code {
        KeyCode::Char(c) => text.push(c),
        KeyCode::Enter => text.push('\n'),
        KeyCode::Backspace => {
            text.pop();
        }
        _ => return false,
    }
    true
}

/// Text pasted while a contact is being taken, where [`type_ahead`] would keep typing.
pub fn paste_ahead(state: &mut State, text: &str) -> bool {
    kept_typing(state).map(|typed| typed.push_str(text)).is_some()
}

/// Where typing is kept while a contact is on its way: only while the rep stays in the
/// Queue or the Notes (moving elsewhere, Ctrl-F to the search, is on purpose).
fn kept_typing(state: &mut State) -> Option<&mut String> {
    if matches!(state.focus, Pane::Queue | Pane::Notes) { state.work.taking.as_mut() } else { None }
}

/// The contact asked for is on screen: what was typed meanwhile goes into its notes, after
/// its saved draft.
fn typed_ahead_into_notes(state: &mut State) -> Vec<Effect> {
    let Some(text) = state.work.taking.take().filter(|t| !t.is_empty()) else { return Vec::new() };
    let (unplaced, effects) = put_typed(state, &text, true);
    if let Some(text) = unplaced {
        state.flash(you_typed(&text), Tone::Info);
    }
    effects
}

/// Taking a contact was refused or failed (`message` says why): what was typed meanwhile
/// goes into the notes on screen where the cursor was, as if no contact had been asked for;
/// with no such editor the message shows it, so it is not lost unseen.
pub fn taking_ended(state: &mut State, message: String, tone: Tone) -> Vec<Effect> {
    // Keys pressed for the contact that did not come are not for the one on screen; what
    // they typed is said.
    let dropped = super::typed_among(&std::mem::take(&mut state.waiting_keys));
    let (unplaced, effects) = match state.work.taking.take().filter(|t| !t.is_empty()) {
        Some(text) => put_typed(state, &text, false),
        None => (None, Vec::new()),
    };
    let unplaced = unplaced.unwrap_or_default() + &dropped;
    state.flash(with_what_was_typed(message, &unplaced), tone);
    effects
}

fn you_typed(text: &str) -> String {
    format!("You typed: {}", crate::domain::text::for_display(text))
}

/// `message`, followed by the text the rep typed that found no place, if any.
pub fn with_what_was_typed(message: String, typed: &str) -> String {
    if typed.is_empty() { message } else { format!("{message}. {}", you_typed(typed)) }
}

/// Puts typed text into the notes editor, cleaned like any other input: at the end on a
/// line of its own (`at_end`), or at the cursor. Returns the text when no contact's notes
/// are open.
fn put_typed(state: &mut State, text: &str, at_end: bool) -> (Option<String>, Vec<Effect>) {
    if state.notes.contact.is_none() {
        return (Some(text.to_string()), Vec::new());
    }
    let editor = &mut state.notes.editor;
    if at_end {
        editor.move_cursor(CursorMove::Bottom);
        editor.move_cursor(CursorMove::End);
        if editor.lines().last().is_some_and(|l| !l.is_empty()) {
            editor.insert_newline();
        }
    }
    editor.insert_str(crate::domain::text::sanitize(text));
    (None, notes::edited(state))
}

/// Whether a contact is being worked (shown in the strip).
pub fn in_progress(status: ContactStatus) -> bool {
    matches!(status, ContactStatus::Active | ContactStatus::OnHold | ContactStatus::WrapUp)
}

/// The current contact's timers at this moment.
pub fn timers(state: &State) -> Option<Timers> {
    state.open.as_ref().map(|d| Timers::replay(&d.events, state.now()))
}

/// A strip entry's detail, wherever it is held.
pub fn strip_detail(state: &State, id: Id) -> Option<&ContactDetail> {
    match &state.open {
        Some(d) if d.contact.id == id => Some(d),
        _ => state.work.parked.get(&id).map(|p| &p.detail),
    }
}

/// F2: take the most urgent work.
pub fn accept_next(state: &mut State) -> Vec<Effect> {
    let mut effects = notes::flush_draft(state);
    let filter = state.queue.filter.clone();
    effects.extend(super::shift::confirm_if_resting(state, Request::AcceptNext { filter }));
    effects
}

/// Someone else took the team ticket first: say who, and take the next contact if F2 asked.
pub fn lost_race(state: &mut State, message: String, then_next: bool) -> Vec<Effect> {
    if !then_next {
        let mut effects = taking_ended(state, message, Tone::Info);
        effects.extend(super::queue::load(state));
        return effects;
    }
    state.flash(format!("{message}; taking the next contact"), Tone::Info);
    let filter = state.queue.filter.clone();
    vec![Effect::Db(Request::AcceptNext { filter })]
}

/// `a` in the queue: accept the selected contact (or start the selected due follow-up).
pub fn accept_selected(state: &mut State) -> Vec<Effect> {
    let Some(row) = state.queue.selected_row().cloned() else { return Vec::new() };
    let mut effects = notes::flush_draft(state);
    let request = match row.follow_up {
        Some(f) => Request::StartFollowUp { follow_up: f.id },
        None => Request::Step { id: row.id, step: Step::Accept },
    };
    effects.extend(super::shift::confirm_if_resting(state, request));
    effects
}

/// F4: hold or resume the current contact.
pub fn toggle_hold(state: &mut State) -> Vec<Effect> {
    let Some(c) = state.open.as_ref().map(|d| &d.contact) else {
        state.flash("No contact open to hold", Tone::Info);
        return Vec::new();
    };
    let step = match c.status {
        ContactStatus::Active => Step::Hold,
        ContactStatus::OnHold => Step::Resume,
        // Wrap-up started by mistake (or the customer has one more question): back to talk.
        ContactStatus::WrapUp => Step::Resume,
        other => {
            let msg = format!("Only an active contact can be held (this one is {})", other.as_str().replace('_', " "));
            state.flash(msg, Tone::Info);
            return Vec::new();
        }
    };
    vec![Effect::Db(Request::Step { id: c.id, step })]
}

/// F5: end the talk (after-contact work starts counting) and open the wrap-up form.
pub fn wrap_up(state: &mut State) -> Vec<Effect> {
    let Some(c) = state.open.as_ref().map(|d| d.contact.clone()) else {
        state.flash("No contact open to wrap up", Tone::Info);
        return Vec::new();
    };
    let mut effects = notes::flush_draft(state);
    match c.status {
        ContactStatus::Active | ContactStatus::OnHold => {
            effects.push(Effect::Db(Request::Step { id: c.id, step: Step::WrapUp }));
        }
        ContactStatus::WrapUp => {}
        other => {
            let status = other.as_str().replace('_', " ");
            // A waiting contact is accepted; a closed one only reopening brings back.
            let how = match (other, state.keymap.key_for(crate::keymap::Scope::Queue, crate::action::Action::Reopen)) {
                (ContactStatus::Waiting, _) => "accept it first (a, or F2)".to_string(),
                (_, Some(key)) => format!("{key} in the Queue reopens it"),
                (_, None) => "reopen it first".to_string(),
            };
            state.flash(format!("This contact is {status}; {how}"), Tone::Info);
            return effects;
        }
    }
    state.overlays.open(Overlay::Form(forms::Modal::WrapUp(Box::new(forms::WrapUpForm::new(&c, &state.lists)))));
    effects
}

/// Esc on the wrap-up: the contact goes back to how it was before F5 (talking, or on hold),
/// and the after-contact-work timer stops.
pub fn cancel_wrap_up(state: &mut State, contact: crate::domain::Id, was: ContactStatus) -> Vec<Effect> {
    let step = |step| Effect::Db(Request::Step { id: contact, step });
    match was {
        ContactStatus::Active => vec![step(Step::Resume)],
        ContactStatus::OnHold => vec![step(Step::Resume), step(Step::Hold)],
        _ => {
            state.flash("Wrap-up paused: F5 finishes it, F4 goes back to the call", Tone::Info);
            Vec::new()
        }
    }
}

/// `r` in the queue: reopen the selected closed contact.
pub fn reopen(state: &mut State) -> Vec<Effect> {
    let target = state.queue.selected_row().map(|r| (r.id, r.status));
    match target {
        Some((id, ContactStatus::Resolved | ContactStatus::Escalated | ContactStatus::Transferred)) => {
            vec![Effect::Db(Request::Step { id, step: Step::Reopen })]
        }
        _ => {
            state.flash("Select a resolved contact to reopen (s shows resolved today)", Tone::Info);
            Vec::new()
        }
    }
}

/// `D` in the queue: a draft help-centre article from the selected resolved contact's notes.
pub fn draft_article(state: &mut State) -> Vec<Effect> {
    match state.queue.selected_row().map(|r| (r.id, r.status)) {
        Some((contact, ContactStatus::Resolved)) => vec![Effect::Db(Request::DraftArticle { contact })],
        _ => {
            state.flash("Select a resolved contact to write an article from (s shows resolved today)", Tone::Info);
            Vec::new()
        }
    }
}

/// F6: bring the next contact in progress on screen.
pub fn next_active(state: &mut State) -> Vec<Effect> {
    // The rep moved on from a contact still being opened: it does not take the screen later.
    // (Keys wait behind a key for that contact, so none can be waiting here.)
    queue::cancel_opening(state);
    let strip = &state.work.strip;
    if strip.is_empty() {
        state.flash("No contacts in progress", Tone::Info);
        return Vec::new();
    }
    let current = state.open_contact_id().and_then(|id| strip.iter().position(|s| *s == id));
    let next = strip[current.map_or(0, |i| (i + 1) % strip.len())];
    if Some(next) == state.open_contact_id() {
        return Vec::new();
    }
    let Some(parked) = state.work.parked.remove(&next) else { return Vec::new() };
    let mut effects = park_current(state);
    state.notes = parked.notes;
    state.knowledge = parked.knowledge;
    let (subject, body) = (parked.detail.contact.subject.clone(), parked.detail.customer_said_last().to_string());
    state.open = Some(parked.detail);
    state.focus = Pane::Notes;
    state.customer.scroll = 0;
    if state.knowledge.is_untouched() {
        effects.extend(knowledge::suggest_for(state, &subject, &body));
    }
    effects
}

/// Moves the contact on screen out of the way: into the parked set if it is in progress
/// (keeping its editor), else it is simply closed after its draft is written.
pub fn park_current(state: &mut State) -> Vec<Effect> {
    let mut effects = notes::flush_draft(state);
    if let Some(detail) = state.open.take() {
        let editor = std::mem::take(&mut state.notes);
        // The next contact starts with its own suggestions, not this one's article.
        let knowledge = std::mem::take(&mut state.knowledge);
        if state.work.strip.contains(&detail.contact.id) {
            state.work.parked.insert(detail.contact.id, Parked { detail, notes: editor, knowledge });
        }
    }
    // Typing must never go on into the reply of a contact that is no longer on screen.
    effects.extend(super::reply::contact_changed(state));
    effects
}

/// Shows a contact as the current one (from a reply), restoring its parked editor if any.
pub fn show(state: &mut State, detail: ContactDetail) -> Vec<Effect> {
    // A contact still being opened (its answer clears this before coming here) gives way to
    // the one shown now, with the keys pressed for it; what they typed is said.
    let dropped = queue::cancel_opening(state);
    if !dropped.is_empty() {
        state.flash(you_typed(&dropped), Tone::Info);
    }
    let id = detail.contact.id;
    let mut effects = Vec::new();
    let mut restored = false;
    if state.open_contact_id() != Some(id) {
        effects.extend(park_current(state));
        match state.work.parked.remove(&id) {
            Some(p) => {
                state.notes = p.notes;
                state.knowledge = p.knowledge;
                restored = true;
            }
            None => notes::load_with_typed(state, id, detail.draft.as_deref().unwrap_or("")),
        }
        state.customer.scroll = 0;
    }
    let (subject, body) = (detail.contact.subject.clone(), detail.customer_said_last().to_string());
    track(state, &detail);
    state.open = Some(detail);
    state.focus = Pane::Notes;
    // Back on a contact, its pane is as it was left; a new one gets its own suggestions.
    if !restored || state.knowledge.is_untouched() {
        effects.extend(knowledge::suggest_for(state, &subject, &body));
    }
    effects
}

/// Keeps the strip in step with a contact's status.
fn track(state: &mut State, detail: &ContactDetail) {
    let id = detail.contact.id;
    let strip = &mut state.work.strip;
    if in_progress(detail.contact.status) {
        if !strip.contains(&id) {
            strip.push(id);
        }
    } else {
        strip.retain(|s| *s != id);
        state.work.parked.remove(&id);
    }
}

/// A contact changed in the database: refresh every copy of it, and follow it on screen
/// when it was just taken.
pub fn changed(state: &mut State, detail: ContactDetail, focus: bool) -> Vec<Effect> {
    let id = detail.contact.id;
    let status = detail.contact.status;
    // The status follows the contact loop (on contact, after-contact work, available).
    let mut effects = queue::load(state);
    effects.extend(super::shift::load(state));
    if focus {
        // Keys pressed while this contact was being taken are for it (`show` drops the ones
        // pressed for a contact that was only being opened).
        let waiting = std::mem::take(&mut state.waiting_keys);
        if status == ContactStatus::Active {
            let reopened = detail.events.last().is_some_and(|e| e.kind == crate::domain::EventKind::Reopen);
            let what = if reopened { "Reopened" } else { "Accepted" };
            state.flash(format!("{what} #{id}: the handle timer is running"), Tone::Info);
        }
        effects.extend(show(state, detail));
        effects.extend(typed_ahead_into_notes(state));
        effects.extend(carry_out(state, waiting));
        return effects;
    }
    let was_current = state.open_contact_id() == Some(id);
    track(state, &detail);
    if was_current {
        // Keep the editor; take the fresh contact, customer, notes and events.
        state.open = Some(detail);
        if !in_progress(status) {
            state.flash(format!("#{id} {}", status.as_str().replace('_', " ")), Tone::Info);
            effects.push(Effect::Db(Request::CheckBreather {
                after: state.breather_after,
                minutes: state.breather_minutes,
            }));
            // A chat rep with other contacts going moves straight on to the next one;
            // otherwise the queue takes focus, ready for the next contact.
            if state.work.strip.is_empty() {
                state.focus = Pane::Queue;
            } else {
                effects.extend(next_active(state));
            }
        }
    } else if let Some(p) = state.work.parked.get_mut(&id) {
        p.detail = detail;
    }
    effects
}

/// The open contact read again after another program changed the workspace: the screen
/// shows it as stored, while the editor, the focus and the rep's search stay as they are.
/// A new message from the customer is said, and (with the search box empty) the articles
/// suggested follow what it asks.
pub fn refreshed(state: &mut State, id: Id, detail: Option<ContactDetail>) -> Vec<Effect> {
    if state.open_contact_id() != Some(id) {
        return parked_refreshed(state, id, detail);
    }
    let Some(detail) = detail else { return gone_elsewhere(state) };
    let Some(open) = state.open.as_ref() else { return Vec::new() };
    if state.customer.pending.is_some() {
        return Vec::new();
    }
    let ended = in_progress(open.contact.status) && !in_progress(detail.contact.status);
    // By id, not by position: the thread is in order of the mails' dates, and a reply dated
    // before the last one shown sorts into the middle.
    let known: HashSet<Id> = open.messages.iter().map(|m| m.id).collect();
    let newest_inbound = detail
        .messages
        .iter()
        .filter(|m| m.message.direction == crate::domain::message::Direction::Inbound && !known.contains(&m.id))
        .max_by_key(|m| m.id)
        .map(|m| m.message.body.clone());
    let subject = detail.contact.subject.clone();
    let status = detail.contact.status;
    track(state, &detail);
    state.open = Some(detail);
    let mut effects = Vec::new();
    if ended {
        ended_elsewhere(state, id, status);
    } else if let Some(body) = newest_inbound {
        state.flash(format!("#{id}: a new message from the customer"), Tone::Info);
        effects.extend(knowledge::suggest_for(state, &subject, &body));
    }
    effects
}

/// A contact in progress but not on screen, read again: kept as stored, so F6 brings back
/// what is true; one ended or removed elsewhere leaves the strip, and says so.
fn parked_refreshed(state: &mut State, id: Id, detail: Option<ContactDetail>) -> Vec<Effect> {
    let Some(was) = state.work.parked.get(&id).map(|p| p.detail.contact.status) else { return Vec::new() };
    let Some(detail) = detail else {
        state.work.parked.remove(&id);
        removed_elsewhere(state, id);
        return Vec::new();
    };
    let status = detail.contact.status;
    // Ended: `track` takes it off the strip and out of the parked ones.
    track(state, &detail);
    if let Some(parked) = state.work.parked.get_mut(&id) {
        parked.detail = detail;
    }
    if in_progress(was) && !in_progress(status) {
        ended_elsewhere(state, id, status);
    }
    Vec::new()
}

/// Says a contact was resolved, escalated… by another program.
fn ended_elsewhere(state: &mut State, id: Id, status: ContactStatus) {
    state.flash(format!("#{id} was {} elsewhere", status.as_str().replace('_', " ")), Tone::Info);
}

/// Takes a contact another program deleted off the strip, and says so.
fn removed_elsewhere(state: &mut State, id: Id) {
    state.work.strip.retain(|s| *s != id);
    state.flash(format!("#{id} no longer exists: another program removed it"), Tone::Error);
}

/// Carries out, in order, the keys pressed for a contact while it was on its way.
pub fn carry_out(state: &mut State, waiting: Vec<super::Waiting>) -> Vec<Effect> {
    waiting
        .into_iter()
        .flat_map(|w| match w {
            super::Waiting::Action(action) => super::perform(state, action),
            super::Waiting::Key(key) => super::handle_key(state, key),
            super::Waiting::Paste(text) => super::paste(state, &text),
            super::Waiting::Answer => Vec::new(),
        })
        .collect()
}

/// The open contact is no longer in the workspace (deleted by another program): it leaves
/// the screen and the strip, and its notes editor with it.
fn gone_elsewhere(state: &mut State) -> Vec<Effect> {
    let Some(id) = state.open_contact_id() else { return Vec::new() };
    removed_elsewhere(state, id);
    state.open = None;
    state.notes = notes::NotesState::default();
    state.focus = Pane::Queue;
    queue::load(state)
}

/// Every contact in progress arrived (at start): show them in the strip.
pub fn strip_loaded(state: &mut State, details: Vec<ContactDetail>) -> Vec<Effect> {
    // After a restart the work in progress comes back on screen: the oldest contact first.
    let mut details = details.into_iter();
    if state.open.is_none()
        && state.customer.pending.is_none()
        && let Some(first) = details.next()
    {
        let mut effects = show(state, first);
        // Its notes have the focus, as for any contact on screen: the rep comes back to the
        // call and types on (with the queue focused, "26 verified" ran queue commands).
        state.focus = Pane::Notes;
        effects.extend(strip_loaded(state, details.collect()));
        return effects;
    }
    for detail in details {
        let id = detail.contact.id;
        // One already in the strip keeps its own editor (and what was typed in it).
        if state.work.strip.contains(&id) {
            continue;
        }
        state.work.strip.push(id);
        if state.open_contact_id() != Some(id) {
            let mut editor = notes::NotesState::default();
            notes::load_into(&mut editor, id, detail.draft.as_deref().unwrap_or(""));
            state.work.parked.insert(id, Parked { detail, notes: editor, knowledge: Default::default() });
        }
    }
    Vec::new()
}
