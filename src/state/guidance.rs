//! Guidance during the shift: bulletins (policy updates and known incidents, unread ones
//! shown first at start) and scripts (guided checklists ticked during a contact, each tick
//! written into the notes).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::domain::bulletin::{Bulletin, matching_incidents};
use crate::domain::script::Script;
use crate::domain::{Id, Note};
use crate::protocol::Request;

use super::overlay::Overlay;
use super::{Effect, State, Tone};

/// How often the active bulletins are re-read (incidents start during the day).
const BULLETIN_REFRESH_MS: i64 = 60_000;

/// The bulletins overlay.
#[derive(Debug, Default)]
pub struct BulletinView {
    /// Shown at start with only the unread ones.
    pub unread_only: bool,
    pub scroll: u16,
}

/// The scripts overlay for one contact.
#[derive(Debug)]
pub struct ScriptView {
    pub contact: Id,
    pub scripts: Vec<Script>,
    /// (script id, step) pairs already ticked on this contact.
    pub ticks: Vec<(Id, usize)>,
    pub script: usize,
    pub step: usize,
}

impl ScriptView {
    /// Whether a step of the shown script is ticked.
    pub fn ticked(&self, step: usize) -> bool {
        self.scripts.get(self.script).is_some_and(|s| self.ticks.contains(&(s.id, step)))
    }
}

/// The guidance the state keeps between overlays.
#[derive(Debug, Default)]
pub struct Guidance {
    /// Active bulletins, incidents first.
    pub bulletins: Vec<Bulletin>,
    last_bulletins_ms: i64,
}

/// Asks for the active bulletins (at start, then every minute).
pub fn load_bulletins(state: &mut State) -> Vec<Effect> {
    state.guidance.last_bulletins_ms = state.now_ms;
    vec![Effect::Db(Request::LoadBulletins)]
}

/// Re-reads bulletins once a minute.
pub fn refresh_if_due(state: &mut State) -> Vec<Effect> {
    if state.now_ms - state.guidance.last_bulletins_ms >= BULLETIN_REFRESH_MS {
        load_bulletins(state)
    } else {
        Vec::new()
    }
}

/// Bulletins arrived: unread ones open the overlay so the shift starts with them.
pub fn bulletins_loaded(state: &mut State, bulletins: Vec<Bulletin>) -> Vec<Effect> {
    let unread = bulletins.iter().any(|b| !b.read);
    state.guidance.bulletins = bulletins;
    if unread && state.overlays.bulletins().is_none() {
        state.overlays.open(Overlay::Bulletins(BulletinView { unread_only: true, scroll: 0 }));
    }
    Vec::new()
}

/// F10: show every active bulletin.
pub fn show_bulletins(state: &mut State) -> Vec<Effect> {
    state.overlays.open(Overlay::Bulletins(BulletinView { unread_only: false, scroll: 0 }));
    load_bulletins(state)
}

/// The bulletins the overlay lists.
pub fn shown_bulletins(state: &State) -> Vec<&Bulletin> {
    let unread_only = state.overlays.bulletins().is_some_and(|v| v.unread_only);
    state.guidance.bulletins.iter().filter(|b| !unread_only || !b.read).collect()
}

/// Keys on the bulletins overlay: scroll, and Enter/Esc marks them read and closes.
pub fn bulletin_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(view) = state.overlays.bulletins_mut() else { return Vec::new() };
    match key.code {
        KeyCode::Down | KeyCode::Char('j') => view.scroll = view.scroll.saturating_add(1),
        KeyCode::Up | KeyCode::Char('k') => view.scroll = view.scroll.saturating_sub(1),
        KeyCode::PageDown => view.scroll = view.scroll.saturating_add(10),
        KeyCode::PageUp => view.scroll = view.scroll.saturating_sub(10),
        KeyCode::Enter | KeyCode::Esc | KeyCode::Char('q') | KeyCode::F(10) => {
            let ids: Vec<Id> = state.guidance.bulletins.iter().filter(|b| !b.read).map(|b| b.id).collect();
            for b in &mut state.guidance.bulletins {
                b.read = true;
            }
            state.overlays.close_bulletins();
            if !ids.is_empty() {
                return vec![Effect::Db(Request::MarkBulletinsRead { ids })];
            }
        }
        _ => {}
    }
    Vec::new()
}

/// Active incidents that explain the open contact ("Outage in region North since 09:10").
pub fn incidents_for_open(state: &State) -> Vec<&Bulletin> {
    let Some(d) = state.open.as_ref() else { return Vec::new() };
    let text = format!("{} {} {}", d.contact.subject, d.contact.body, d.contact.tags.join(" "));
    // Where the customer is: their time zone names a city ("America/New_York"), and their
    // company and orders' carriers may name a region.
    let place = d.customer.as_ref().map_or_else(String::new, |r| {
        let c = &r.customer;
        let zone = c.timezone.as_deref().unwrap_or("").replace(['/', '_'], " ");
        format!("{zone} {}", c.company.as_deref().unwrap_or(""))
    });
    matching_incidents(&state.guidance.bulletins, &text, &place)
}

/// F9: the scripts for the open contact.
pub fn open_scripts(state: &mut State) -> Vec<Effect> {
    match state.open_contact_id() {
        Some(contact) => {
            // The keys after F9 are for the scripts: they wait for them (the overlay came up
            // later over whatever they had done).
            super::wait_for_answer(state, super::Waiting::Answer);
            vec![Effect::Db(Request::LoadScripts { contact })]
        }
        None => {
            state.flash("Open a contact to step through a script", Tone::Info);
            Vec::new()
        }
    }
}

/// Scripts arrived: the one whose keywords best fit the contact comes first.
pub fn scripts_loaded(
    state: &mut State,
    contact: Id,
    mut scripts: Vec<Script>,
    ticks: Vec<(Id, usize)>,
) -> Vec<Effect> {
    if scripts.is_empty() {
        state.flash(format!("No scripts yet: {}", state.invocation.command("import scripts FILE")), Tone::Info);
        return Vec::new();
    }
    let text = state
        .open
        .as_ref()
        .map(|d| format!("{} {}", d.contact.subject, d.contact.body).to_lowercase())
        .unwrap_or_default();
    let fit = |s: &Script| s.keywords.iter().filter(|k| text.contains(&k.to_lowercase())).count();
    // Scripts already started on this contact first, then the best keyword fit.
    scripts.sort_by_key(|s| (!ticks.iter().any(|(id, _)| *id == s.id), std::cmp::Reverse(fit(s))));
    let keep = state.overlays.scripts().filter(|v| v.contact == contact).map(|v| (v.script, v.step));
    let (script, step) = keep.unwrap_or((0, 0));
    state.overlays.open(Overlay::Scripts(ScriptView { contact, scripts, ticks, script, step }));
    Vec::new()
}

/// Keys on the scripts overlay: ←/→ switch script, ↑/↓ move, Space ticks, Esc closes.
pub fn script_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(view) = state.overlays.scripts_mut() else { return Vec::new() };
    let steps = view.scripts.get(view.script).map_or(0, |s| s.steps.len());
    match key.code {
        KeyCode::Esc | KeyCode::F(9) | KeyCode::Char('q') => state.overlays.close_scripts(),
        KeyCode::Left => {
            view.script = (view.script + view.scripts.len() - 1) % view.scripts.len().max(1);
            view.step = 0;
        }
        KeyCode::Right | KeyCode::Tab => {
            view.script = (view.script + 1) % view.scripts.len().max(1);
            view.step = 0;
        }
        KeyCode::Up | KeyCode::Char('k') => view.step = view.step.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => view.step = (view.step + 1).min(steps.saturating_sub(1)),
        KeyCode::Char(' ') | KeyCode::Enter | KeyCode::Char('u') if view.ticked(view.step) => {
            // A tick on a ticked step undoes it (a mis-key): the notes say so.
            let Some(script) = view.scripts.get(view.script).map(|s| s.id) else { return Vec::new() };
            // Unmarked at once, as a tick is marked at once (below).
            view.ticks.retain(|t| *t != (script, view.step));
            return vec![Effect::Db(Request::UntickStep { contact: view.contact, script, step: view.step })];
        }
        KeyCode::Char('u') => {
            // u undoes the last tick of this script, wherever the cursor is.
            let Some(script) = view.scripts.get(view.script) else { return Vec::new() };
            let script = script.id;
            let Some(&(_, step)) = view.ticks.iter().rev().find(|(s, _)| *s == script) else { return Vec::new() };
            view.step = step;
            view.ticks.retain(|t| *t != (script, step));
            return vec![Effect::Db(Request::UntickStep { contact: view.contact, script, step })];
        }
        KeyCode::Char(' ') | KeyCode::Enter => {
            let Some(script) = view.scripts.get(view.script) else { return Vec::new() };
            let request = Request::TickStep { contact: view.contact, script: script.id, step: view.step };
            // Marked at once: a second Space before the store answered ticked the step again,
            // writing its note twice, where it should undo it.
            view.ticks.push((script.id, view.step));
            view.step = (view.step + 1).min(steps.saturating_sub(1));
            return vec![Effect::Db(request)];
        }
        // Keys the checklist has no use for that act elsewhere (F2, F12, F5, Ctrl-F…) close it
        // and act as usual: on a call the rep reaches for them with the script still open.
        // Plain letters stay here: `u` and `j` mean something on the checklist.
        _ if key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
            || matches!(key.code, KeyCode::F(_)) =>
        {
            state.overlays.close_scripts();
            return super::handle_key(state, key);
        }
        _ => {}
    }
    Vec::new()
}

/// A tick was undone: unmark it, and list the note that says so.
pub fn step_unticked(state: &mut State, contact: Id, script: Id, step: usize, note: Note) -> Vec<Effect> {
    if let Some(view) = state.overlays.scripts_mut().filter(|v| v.contact == contact) {
        view.ticks.retain(|t| *t != (script, step));
    }
    if let Some(open) = state.open.as_mut().filter(|d| d.contact.id == contact) {
        open.notes.push(note);
    }
    state.flash("Tick undone; the notes say so", Tone::Info);
    Vec::new()
}

/// A step was ticked: mark it, and list the note it wrote.
pub fn step_ticked(state: &mut State, contact: Id, script: Id, step: usize, note: Note) -> Vec<Effect> {
    if let Some(view) = state.overlays.scripts_mut().filter(|v| v.contact == contact)
        && !view.ticks.contains(&(script, step))
    {
        view.ticks.push((script, step));
    }
    if let Some(open) = state.open.as_mut().filter(|d| d.contact.id == contact) {
        open.notes.push(note);
    }
    Vec::new()
}
