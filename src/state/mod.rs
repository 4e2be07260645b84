//! The one state of the workstation and the pure `update` that changes it.
//!
//! `update` takes an [`Event`] (a key, a paste, a clock tick, a database reply) and returns
//! the [`Effect`]s to perform; it does no IO and reads no clock (the app sets
//! [`State::now_ms`] before each event), so every behaviour is testable without a terminal.

pub mod contact;
pub mod customer;
pub mod customer_forms;
pub mod dashboard;
pub mod forms;
pub mod guidance;
pub mod knowledge;
pub mod layout;
pub mod notes;
pub mod overlay;
pub mod palette;
pub mod prompts;
pub mod queue;
pub mod quit;
pub mod reply;
pub mod shift;

use crossterm::event::{KeyEvent, KeyEventKind};

use crate::action::Action;
use crate::domain::{ContactDetail, Id, Timestamp};
use crate::keymap::{Keymap, Scope};
use crate::protocol::{Job, Reply, Request, SearchRequest, TeamRequest};
use crate::theme::Theme;
use layout::DrawInfo;
use overlay::Overlay;

pub use customer::CustomerState;
pub use knowledge::KnowledgeState;
pub use notes::NotesState;
pub use queue::QueueState;

/// The four panes, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Queue,
    Customer,
    Knowledge,
    Notes,
}

impl Pane {
    const ORDER: [Pane; 4] = [Pane::Queue, Pane::Customer, Pane::Knowledge, Pane::Notes];

    fn next(self) -> Self {
        let i = Self::ORDER.iter().position(|p| *p == self).unwrap_or(0);
        Self::ORDER[(i + 1) % Self::ORDER.len()]
    }

    fn prev(self) -> Self {
        let i = Self::ORDER.iter().position(|p| *p == self).unwrap_or(0);
        Self::ORDER[(i + Self::ORDER.len() - 1) % Self::ORDER.len()]
    }

    /// The pane's title.
    pub fn title(self) -> &'static str {
        match self {
            Self::Queue => "Queue",
            Self::Customer => "Customer",
            Self::Knowledge => "Knowledge",
            Self::Notes => "Notes",
        }
    }
}

/// Something that happened, for `update` to react to.
#[derive(Debug, Clone)]
pub enum Event {
    Key(KeyEvent),
    Paste(String),
    /// A click or wheel turn (when the mouse is enabled).
    Mouse(crossterm::event::MouseEvent),
    /// The clock moved on (timers, autosave, live waiting times).
    Tick,
    Resize(u16, u16),
    Db(Reply),
    /// The terminal is gone or a signal asked us to stop: save and leave.
    Shutdown,
    /// A watched Maildir or the inbox folder changed: read them into the queue.
    IntakeChanged,
    /// The recovery file was written (its path), or could not be (why).
    RecoveryWritten(Result<std::path::PathBuf, String>),
}

/// The folders contacts arrive from by themselves.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IntakePaths {
    pub maildirs: Vec<std::path::PathBuf>,
    pub inbox: Option<std::path::PathBuf>,
}

/// Something `update` wants done outside the pure state machine.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Db(Request),
    Search(SearchRequest),
    /// Slow or outside work, for the jobs worker.
    Job(Job),
    /// Work for the team's help desk (team mode).
    Team(TeamRequest),
    /// Put text on the clipboard (OSC 52, and the local clipboard when there is one).
    Copy(String),
    Suspend,
    /// Write the text that could not be saved to a recovery file, then say where.
    WriteRecovery(String),
    Quit,
}

/// The team's help desk as the last poll found it (team mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TeamStatus {
    pub online: bool,
    /// Actions in the journal still to reach the help desk.
    pub pending: i64,
}

/// How a status-bar message should look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Info,
    Error,
}

/// A short message shown in the status bar for a few seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Flash {
    pub text: String,
    pub tone: Tone,
    pub until_ms: i64,
}

/// The whole workstation.
#[derive(Debug)]
pub struct State {
    /// Wall clock in milliseconds since the Unix epoch, set by the app before each event.
    pub now_ms: i64,
    pub workspace: String,
    /// The rep's name (snippets fill `{{rep.name}}` with it; escalations carry it).
    pub rep_name: String,
    /// Whether the rep's name is known (from the config or the workspace): if not, the first
    /// reply asks for it, once.
    pub rep_name_known: bool,
    pub focus: Pane,
    /// The overlays over the panes (forms, palette, help…), top one last.
    pub overlays: overlay::Overlays,
    pub keymap: Keymap,
    pub queue: QueueState,
    pub customer: CustomerState,
    pub knowledge: KnowledgeState,
    pub notes: NotesState,
    /// The contact on screen: shown by Customer, written about in Notes.
    pub open: Option<ContactDetail>,
    /// Contacts in progress that are not on screen, and the strip's order.
    pub work: contact::Workbench,
    /// Dispositions, departments and SLA targets from the config.
    pub lists: forms::Lists,
    /// SLA targets and FCR window for "my numbers", from the config.
    pub metric_settings: crate::domain::metrics::Settings,
    /// Bulletins and scripts.
    pub guidance: guidance::Guidance,
    /// Where things were drawn last frame (mouse clicks land on it).
    pub layout: DrawInfo,
    /// Status, schedule, breather, kudos and self-review.
    pub shift: shift::ShiftState,
    /// The email reply being written, and whether the Notes pane shows it.
    pub reply: Option<reply::ReplyState>,
    pub writing_reply: bool,
    /// Keys waiting for an answer, and every key and paste after them, carried out in order
    /// when it arrives: keys for a contact still on its way from the store (F12, F4, F5…),
    /// an Enter typed before the results for the text it chooses from, a send before the
    /// reply's recipients are known, keys after F9 before the scripts are there.
    pub waiting_keys: Vec<Waiting>,
    /// When the keys began to wait (ms): past [`WAIT_AT_MOST_MS`] they go ahead with what is
    /// on screen, should an answer never come.
    waiting_since_ms: Option<i64>,
    /// Maildir folders and the inbox folder read into the queue (config).
    pub intake: IntakePaths,
    /// How the command line names this workspace, for hints that show a command.
    pub invocation: crate::domain::invocation::Invocation,
    /// The QA scorecard from the config.
    pub scorecard: Vec<crate::domain::shift::Criterion>,
    /// Offer a breather after this many contacts without a break (0: only after difficult
    /// contacts), lasting this many minutes.
    pub breather_after: u32,
    pub breather_minutes: u32,
    /// How often each palette entry was chosen (most-used first).
    pub palette_usage: std::collections::HashMap<String, u32>,
    pub flash: Option<Flash>,
    /// Where quitting is: asked, waiting for the last saves, done.
    pub quit: quit::QuitPhase,
    /// Text whose save failed, offered to a recovery file on quit.
    pub unsaved: notes::Unsaved,
    /// In team mode, whether the help desk answers and how many actions wait for it.
    pub team: Option<TeamStatus>,
    pub theme: Theme,
    seq: u64,
}

impl State {
    /// A fresh workstation for the named workspace at time `now_ms`.
    pub fn new(workspace: &str, keymap: Keymap, now_ms: i64) -> Self {
        Self {
            now_ms,
            workspace: workspace.to_string(),
            rep_name: "Rep".into(),
            rep_name_known: false,
            focus: Pane::Queue,
            overlays: overlay::Overlays::default(),
            keymap,
            queue: QueueState::default(),
            customer: CustomerState::default(),
            knowledge: KnowledgeState::default(),
            notes: NotesState::default(),
            open: None,
            work: contact::Workbench::default(),
            lists: forms::Lists::default(),
            metric_settings: crate::domain::metrics::Settings::default(),
            guidance: guidance::Guidance::default(),
            layout: DrawInfo::default(),
            shift: shift::ShiftState::default(),
            reply: None,
            writing_reply: false,
            waiting_keys: Vec::new(),
            waiting_since_ms: None,
            invocation: crate::domain::invocation::Invocation::default(),
            intake: IntakePaths::default(),
            scorecard: crate::domain::shift::default_scorecard(),
            breather_after: 10,
            breather_minutes: 5,
            palette_usage: std::collections::HashMap::new(),
            flash: None,
            quit: quit::QuitPhase::Running,
            unsaved: notes::Unsaved::default(),
            team: None,
            theme: Theme::standard(),
            seq: 0,
        }
    }

    /// The current time in whole seconds.
    pub fn now(&self) -> Timestamp {
        self.now_ms.div_euclid(1000)
    }

    /// A fresh sequence number for a request; replies carrying an older one are stale.
    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// The effects to run once at start: load the queue (the first frame is drawn before it
    /// arrives).
    pub fn start(&mut self) -> Vec<Effect> {
        let mut effects = queue::load(self);
        effects.push(Effect::Db(Request::LoadStrip));
        effects.push(Effect::Db(Request::LoadPaletteUsage));
        effects.push(Effect::Db(Request::LoadRepName));
        effects.extend(guidance::load_bulletins(self));
        // Opening the workstation means being at work: available unless already in a state.
        effects.push(Effect::Db(Request::StartShift));
        effects
    }

    /// Where keys go now: the open overlay, or the focused pane's mode.
    pub fn scope(&self) -> Scope {
        match self.focus {
            Pane::Queue => Scope::Queue,
            Pane::Customer => Scope::Customer,
            Pane::Knowledge if self.knowledge.reading.is_some() => Scope::Reader,
            Pane::Knowledge => Scope::Knowledge,
            Pane::Notes => Scope::Notes,
        }
    }

    /// The id of the open contact.
    pub fn open_contact_id(&self) -> Option<Id> {
        self.open.as_ref().map(|d| d.contact.id)
    }

    /// Shows a message in the status bar for a few seconds.
    pub fn flash(&mut self, text: impl Into<String>, tone: Tone) {
        self.flash = Some(Flash { text: text.into(), tone, until_ms: self.now_ms + 4000 });
    }

    /// Keeps scroll offsets within what the last frame measured, so scrolling back up after
    /// End or a long PgDn responds at once.
    pub fn clamp_scrolling(&mut self, info: DrawInfo) {
        self.layout = info;
        self.customer.scroll = self.customer.scroll.min(info.customer_max_scroll);
        if let (Some(r), Some(scroll)) = (self.knowledge.reading.as_mut(), info.reader_scroll) {
            r.scroll = scroll;
        }
    }

    fn focus(&mut self, pane: Pane) {
        self.focus = pane;
    }
}

/// A key waiting for an answer (see [`State::waiting_keys`]), carried out when it arrives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Waiting {
    /// An action waiting: on the open contact (F12, F4, F5…), or that needs an answer first
    /// (opening the chosen result, sending the reply).
    Action(Action),
    /// Nothing to carry out itself: keys after a request whose answer changes what they mean
    /// (F9's scripts) wait behind it.
    Answer,
    /// A key pressed after such an action. It waits behind it so the keys keep their order:
    /// F12 then text puts the text in the reply F12 opens, not in the notes before it.
    Key(KeyEvent),
    /// Text pasted after such an action, for the same reason.
    Paste(String),
}

/// The text typed or pasted among keys that waited for a contact that never came, to be
/// said rather than lost unseen; empty when there is none.
pub fn typed_among(waiting: &[Waiting]) -> String {
    let mut text = String::new();
    for w in waiting {
        match w {
            // A key that types nothing (F5, an arrow) changes nothing.
            Waiting::Key(key) => {
                contact::type_into(&mut text, key);
            }
            Waiting::Paste(p) => text.push_str(p),
            Waiting::Action(_) | Waiting::Answer => {}
        }
    }
    text
}

/// Longest keys wait for an answer before they act on what is on screen.
pub const WAIT_AT_MOST_MS: i64 = 3_000;

/// Makes `w`, and every key after it, wait for an answer (see [`State::waiting_keys`]).
pub fn wait_for_answer(state: &mut State, w: Waiting) {
    if state.waiting_keys.is_empty() {
        state.waiting_since_ms = Some(state.now_ms);
    }
    state.waiting_keys.push(w);
}

/// An answer arrived: the keys that waited are carried out in order (one that must wait
/// again queues again, with those after it). A contact still on its way carries them out
/// when it arrives.
pub fn answer_arrived(state: &mut State) -> Vec<Effect> {
    if state.waiting_keys.is_empty()
        || state.customer.pending.is_some()
        || state.work.taking.is_some()
        || state.work.closing.is_some()
    {
        return Vec::new();
    }
    let waiting = std::mem::take(&mut state.waiting_keys);
    state.waiting_since_ms = None;
    contact::carry_out(state, waiting)
}

/// Keys that waited too long act on what is on screen (an answer that never came).
fn stop_waiting_if_too_long(state: &mut State) -> Vec<Effect> {
    if state.waiting_keys.is_empty() {
        state.waiting_since_ms = None;
        return Vec::new();
    }
    let too_long = state.waiting_since_ms.is_some_and(|since| state.now_ms - since >= WAIT_AT_MOST_MS);
    if !too_long {
        return Vec::new();
    }
    stop_waiting(state)
}

/// Keys waiting for an answer act on what is on screen: it is not coming (too late, or a
/// request failed). A contact still on its way keeps them: it carries them out itself.
fn stop_waiting(state: &mut State) -> Vec<Effect> {
    if state.waiting_keys.is_empty() || state.customer.pending.is_some() || state.work.taking.is_some() {
        return Vec::new();
    }
    palette::stop_waiting(state);
    knowledge::stop_waiting(state);
    forms::stop_waiting(state);
    state.work.closing = None;
    answer_arrived(state)
}

/// Reacts to one event.
pub fn update(state: &mut State, event: Event) -> Vec<Effect> {
    let effects = match event {
        Event::Key(key) if key.kind == KeyEventKind::Release => Vec::new(),
        Event::Key(key) => handle_key(state, key),
        Event::Paste(text) => paste(state, &text),
        Event::Mouse(m) => mouse(state, m),
        Event::Tick => tick(state),
        Event::Resize(..) => Vec::new(),
        Event::Db(reply) => handle_reply(state, reply),
        Event::Shutdown => quit::shutdown(state),
        Event::RecoveryWritten(result) => quit::recovery_written(state, result),
        Event::IntakeChanged => {
            let p = state.intake.clone();
            vec![Effect::Job(Job::SyncIntake { maildirs: p.maildirs, inbox: p.inbox })]
        }
    };
    // From here until the contact is on screen, typing is kept for its notes.
    if effects.iter().any(contact::takes_contact) {
        state.work.taking.get_or_insert_with(String::new);
    }
    if let Some(id) = effects.iter().find_map(|e| match e {
        Effect::Db(Request::Finish(f)) => Some(f.id),
        _ => None,
    }) {
        state.work.closing = Some(id);
    }
    effects
}

fn handle_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    match state.quit {
        quit::QuitPhase::Asking { .. } => return quit::asking_key(state, key),
        quit::QuitPhase::ConfirmWork => return quit::confirm_work_key(state, key),
        _ => {}
    }
    if !state.waiting_keys.is_empty() && state.keymap.resolve(Scope::Global, &key) != Some(Action::Quit) {
        // A key waits for an answer: every key after it waits behind it.
        wait_for_answer(state, Waiting::Key(key));
        return Vec::new();
    }
    if let Some(top) = state.overlays.top() {
        // The top overlay takes every key but Quit.
        if state.keymap.resolve(Scope::Global, &key) == Some(Action::Quit) && !matches!(top, Overlay::Help(_)) {
            return quit(state);
        }
        let handler: fn(&mut State, KeyEvent) -> Vec<Effect> = match top {
            Overlay::Help(_) => help_key,
            Overlay::Palette(_) => palette::key,
            Overlay::StatusPicker(_) => shift::picker_key,
            Overlay::Review(_) => shift::review_key,
            Overlay::Kudos(_) => shift::kudos_key,
            Overlay::Schedule(_) => shift::schedule_key,
            Overlay::Bulletins(_) => guidance::bulletin_key,
            Overlay::Scripts(_) => guidance::script_key,
            Overlay::Dashboard(_) => dashboard::key,
            Overlay::Form(_) => forms::key,
        };
        return handler(state, key);
    }
    if contact::type_ahead(state, &key) {
        return Vec::new();
    }
    if state.queue.editing_filter() && state.focus == Pane::Queue {
        return queue::filter_key(state, key);
    }
    if state.focus == Pane::Knowledge && state.knowledge.reading.as_ref().is_some_and(|r| r.find_input.is_some()) {
        return knowledge::find_key(state, key);
    }
    let scope = state.scope();
    match state.keymap.resolve(scope, &key) {
        Some(action) => perform(state, action),
        None => match state.focus {
            Pane::Notes => notes::type_key(state, key),
            Pane::Knowledge if state.knowledge.reading.is_none() => knowledge::type_key(state, key),
            // A letter the reader has no use for is the rep writing about what they read
            // ("Told him 5-7 days" after `l`): it goes to the notes, and so does the focus.
            Pane::Knowledge if notes::is_text_key(&key) && (state.notes.contact.is_some() || state.writing_reply) => {
                state.focus = Pane::Notes;
                notes::type_key(state, key)
            }
            _ => Vec::new(),
        },
    }
}

/// Keys while the help overlay is open: scroll it, or close it with Esc, `?`, F1 or `q`.
fn help_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    use crossterm::event::KeyCode;
    let action = state.keymap.resolve(Scope::Queue, &key);
    match (key.code, action) {
        (_, Some(Action::Quit)) => return quit(state),
        (KeyCode::Esc | KeyCode::Char('q'), _) | (_, Some(Action::ToggleHelp)) => state.overlays.close_help(),
        (_, Some(Action::MoveDown)) => scroll_help(state, |s| s.saturating_add(1)),
        (_, Some(Action::MoveUp)) => scroll_help(state, |s| s.saturating_sub(1)),
        (_, Some(Action::PageDown)) => scroll_help(state, |s| s.saturating_add(10)),
        (_, Some(Action::PageUp)) => scroll_help(state, |s| s.saturating_sub(10)),
        _ => {}
    }
    Vec::new()
}

fn scroll_help(state: &mut State, by: impl Fn(u16) -> u16) {
    if let Some(scroll) = state.overlays.help_mut() {
        *scroll = by(*scroll);
    }
}

/// Whether an action works on the open contact, and so waits for one being opened.
fn acts_on_open_contact(action: Action) -> bool {
    matches!(
        action,
        Action::ToggleHold
            | Action::WrapUp
            | Action::EditContact
            | Action::Scripts
            | Action::ToggleReply
            | Action::SelfReview
    )
}

/// Carries out a bound action.
pub fn perform(state: &mut State, action: Action) -> Vec<Effect> {
    let contact_on_its_way =
        state.customer.pending.is_some() || state.work.taking.is_some() || state.work.closing.is_some();
    if contact_on_its_way && acts_on_open_contact(action) {
        // The contact is still on its way from the store (Enter or `a`, then F5 at once):
        // until it arrives the key would act on the contact before it, or say none is open;
        // it acts on arrival.
        wait_for_answer(state, Waiting::Action(action));
        return Vec::new();
    }
    match action {
        Action::Quit => quit(state),
        Action::Suspend => {
            let mut effects = notes::flush_draft(state);
            effects.push(Effect::Suspend);
            effects
        }
        Action::FocusNext => {
            state.focus(state.focus.next());
            Vec::new()
        }
        Action::FocusPrev => {
            state.focus(state.focus.prev());
            Vec::new()
        }
        Action::ToggleHelp => {
            if state.overlays.take_help().is_none() {
                state.overlays.open(Overlay::Help(0));
            }
            Vec::new()
        }
        Action::SearchKb => knowledge::focus_search(state),
        Action::SaveNote => notes::save_note(state),
        Action::AcceptNext => contact::accept_next(state),
        Action::AcceptSelected => contact::accept_selected(state),
        Action::LogContact => forms::open_log_contact(state),
        Action::ToggleHold => contact::toggle_hold(state),
        Action::WrapUp => contact::wrap_up(state),
        Action::NextActive => contact::next_active(state),
        Action::Dashboard => dashboard::open(state),
        Action::EditContact => forms::open_details(state),
        Action::Reopen => contact::reopen(state),
        Action::DraftArticle => contact::draft_article(state),
        Action::CycleChannel | Action::CycleView | Action::FilterText => queue::perform(state, action),
        Action::SelectPassage
        | Action::InsertPassage
        | Action::InsertLink
        | Action::CopyPassage
        | Action::FindInArticle
        | Action::FindNext
        | Action::FindPrev => knowledge::perform(state, action),
        Action::OpenPalette => {
            state.overlays.close_form();
            state.overlays.close_dashboard();
            palette::open(state, palette::Mode::Everything)
        }
        Action::InsertSnippet => palette::open(state, palette::Mode::SnippetsOnly),
        Action::Scripts => guidance::open_scripts(state),
        Action::Bulletins => guidance::show_bulletins(state),
        Action::FindCustomer => customer_forms::find(state),
        Action::SetStatus => shift::open_picker(state),
        Action::ToggleHistory => customer::perform(state, action),
        Action::MarkKept => customer_forms::mark_soonest_kept(state),
        Action::ToggleReply => reply::toggle(state),
        Action::Kudos => shift::open_kudos(state),
        Action::Schedule => shift::open_schedule(state),
        Action::SelfReview => shift::open_review(state),
        Action::EditCustomer => customer_forms::edit(state),
        Action::MergeCustomer => customer_forms::merge(state),
        Action::ForgetCustomer => customer_forms::forget(state),
        Action::MoveUp
        | Action::MoveDown
        | Action::PageUp
        | Action::PageDown
        | Action::First
        | Action::Last
        | Action::OpenSelected
        | Action::Back => match state.focus {
            Pane::Queue => queue::perform(state, action),
            Pane::Customer => customer::perform(state, action),
            Pane::Knowledge => knowledge::perform(state, action),
            Pane::Notes => Vec::new(),
        },
    }
}

fn paste(state: &mut State, text: &str) -> Vec<Effect> {
    if !state.waiting_keys.is_empty() {
        wait_for_answer(state, Waiting::Paste(text.to_string()));
        return Vec::new();
    }
    if overlay_open(state) {
        return Vec::new();
    }
    if contact::paste_ahead(state, text) {
        return Vec::new();
    }
    match state.focus {
        Pane::Notes => notes::paste(state, text),
        Pane::Knowledge if state.knowledge.reading.is_none() => knowledge::paste(state, text),
        _ => Vec::new(),
    }
}

/// Whether any overlay (help, form, palette, dashboard, bulletins, scripts…) is open.
fn overlay_open(state: &State) -> bool {
    state.overlays.any()
}

/// Mouse: a click focuses the pane under it (and selects a queue row; clicking the
/// selected row again opens it); the wheel scrolls the pane under the pointer.
fn mouse(state: &mut State, m: crossterm::event::MouseEvent) -> Vec<Effect> {
    use crossterm::event::{MouseButton, MouseEventKind};
    if overlay_open(state) {
        return Vec::new();
    }
    let at = ratatui::layout::Position::new(m.column, m.row);
    let Some(pane) = state.layout.panes.iter().find(|(_, r)| r.contains(at)).map(|(p, _)| *p) else {
        return Vec::new();
    };
    match m.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            state.focus = pane;
            let rows = state.layout.queue_rows;
            if pane == Pane::Queue && rows.contains(at) {
                // The table scrolls just enough to keep the selection in view.
                let offset = (state.queue.selected + 1).saturating_sub(usize::from(rows.height));
                let row = offset + usize::from(m.row - rows.y);
                if row < state.queue.rows.len() {
                    if row == state.queue.selected {
                        return perform(state, Action::OpenSelected);
                    }
                    state.queue.selected = row;
                }
            }
            Vec::new()
        }
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let action = if m.kind == MouseEventKind::ScrollDown { Action::MoveDown } else { Action::MoveUp };
            let saved = state.focus;
            state.focus = pane;
            let steps = if pane == Pane::Customer { 3 } else { 1 };
            let effects = (0..steps).flat_map(|_| perform(state, action)).collect();
            state.focus = saved;
            effects
        }
        _ => Vec::new(),
    }
}

fn tick(state: &mut State) -> Vec<Effect> {
    if state.flash.as_ref().is_some_and(|f| f.until_ms <= state.now_ms) {
        state.flash = None;
    }
    let mut effects = notes::autosave_if_due(state);
    effects.extend(quit::check_flush_deadline(state));
    effects.extend(queue::refresh_if_due(state));
    effects.extend(guidance::refresh_if_due(state));
    effects.extend(shift::tick(state));
    effects.extend(stop_waiting_if_too_long(state));
    effects
}

/// Saves what the editors hold, then stops once the saves are confirmed.
fn quit(state: &mut State) -> Vec<Effect> {
    quit::ask(state)
}

fn handle_reply(state: &mut State, reply: Reply) -> Vec<Effect> {
    // The answers keys may wait for: once one is taken in, the keys go on.
    let closed = match (&reply, state.work.closing) {
        (Reply::ContactChanged { detail, .. }, Some(id)) => detail.contact.id == id,
        (Reply::NeedsConfirmation { .. } | Reply::Refused { .. } | Reply::Failed { .. }, Some(_)) => true,
        _ => false,
    };
    if closed {
        state.work.closing = None;
    }
    let an_answer = closed
        || matches!(
            reply,
            Reply::CustomerHits { .. }
                | Reply::PaletteHits { .. }
                | Reply::Recipients { .. }
                | Reply::Scripts { .. }
                | Reply::KbResults { .. }
        );
    // A failed request answers nothing, but whatever the keys wait for may be what failed:
    // they go ahead now rather than after WAIT_AT_MOST_MS.
    let failed = matches!(reply, Reply::Failed { .. });
    let mut effects = take_reply(state, reply);
    if an_answer {
        effects.extend(answer_arrived(state));
    } else if failed {
        effects.extend(stop_waiting(state));
    }
    effects
}

fn take_reply(state: &mut State, reply: Reply) -> Vec<Effect> {
    match reply {
        Reply::Queue { seq, rows, waiting, articles, changed_elsewhere } => {
            let mut effects = queue::read_again_if_changed(state, changed_elsewhere);
            effects.extend(queue::loaded(state, seq, rows, waiting, articles));
            effects
        }
        Reply::Contact { seq, detail } => queue::contact_opened(state, seq, detail),
        Reply::OpenFailed { seq, error } => queue::open_failed(state, seq, &error),
        Reply::ContactRefreshed { id, detail } => contact::refreshed(state, id, detail.map(|d| *d)),
        Reply::ContactChanged { detail, focus } => contact::changed(state, *detail, focus),
        Reply::Strip { details } => contact::strip_loaded(state, details),
        Reply::Nothing => Vec::new(),
        Reply::Done { message } => {
            state.flash(message, Tone::Info);
            Vec::new()
        }
        Reply::Refused { message } => {
            state.flash(message, Tone::Info);
            queue::load(state)
        }
        Reply::NotTaken { message, error } => {
            let mut effects = contact::taking_ended(state, message, if error { Tone::Error } else { Tone::Info });
            effects.extend(queue::load(state));
            effects
        }
        Reply::CustomerHits { seq, hits } => forms::customer_hits(state, seq, hits),
        Reply::Dashboard { seq, data } => dashboard::loaded(state, seq, *data),
        Reply::PaletteHits { seq, snippets, articles, customers } => {
            palette::results(state, seq, palette::DatabaseHits { snippets, articles, customers })
        }
        Reply::Bulletins { bulletins } => guidance::bulletins_loaded(state, bulletins),
        Reply::Shift { status, current, next } => shift::loaded(state, status, current, next),
        Reply::Kudos { kudos } => shift::kudos_loaded(state, kudos),
        Reply::Schedule { blocks, adherence } => shift::schedule_loaded(state, blocks, adherence),
        Reply::BlockRefused { message } => shift::schedule_refused(state, message),
        Reply::QuitReady => quit::saves_confirmed(state),
        Reply::RepName { name } => {
            // The config's name wins; the one the rep gave is for when it has none.
            if let Some(name) = name.filter(|_| !state.rep_name_known) {
                state.rep_name = name;
                state.rep_name_known = true;
            }
            Vec::new()
        }
        Reply::ClaimNeeded { contact, ticket, then_next } => {
            vec![Effect::Team(TeamRequest::Claim { contact, ticket, then_next })]
        }
        Reply::LostRace { message, then_next } => contact::lost_race(state, message, then_next),
        Reply::TeamSynced { online, pending, notices, changed } => {
            state.team = Some(TeamStatus { online, pending });
            if let Some(notice) = notices.into_iter().next() {
                state.flash(notice, Tone::Info);
            }
            if changed { queue::load(state) } else { Vec::new() }
        }
        Reply::Recipients { contact, recipients } => reply::recipients_known(state, contact, recipients),
        Reply::ReplySent { contact } => reply::sent(state, contact),
        Reply::ReplyFailed { contact, error } => reply::failed(state, contact, &error),
        Reply::IntakeDone { message } => {
            if !message.is_empty() {
                state.flash(message, Tone::Info);
            }
            queue::load(state)
        }
        Reply::BreatherDue { minutes, difficult } => shift::breather_due(state, minutes, difficult),
        Reply::BreatherStarted { minutes } => shift::breather_started(state, minutes),
        Reply::Scripts { contact, scripts, ticks } => guidance::scripts_loaded(state, contact, scripts, ticks),
        Reply::StepTicked { contact, script, step, note } => guidance::step_ticked(state, contact, script, step, note),
        Reply::StepUnticked { contact, script, step, note } => {
            guidance::step_unticked(state, contact, script, step, note)
        }
        Reply::NeedsConfirmation { message, retry } => forms::confirm(state, message, None, *retry),
        Reply::PaletteUsage { usage } => palette::usage_loaded(state, usage),
        Reply::CustomerRecord { seq, record } => customer::browsed(state, seq, record),
        Reply::CustomerChanged { record, message } => customer_forms::changed(state, *record, message),
        Reply::Forgotten { id, message } => customer_forms::forgotten(state, id, message),
        Reply::DraftSaved { contact, kind } => notes::draft_saved(state, contact, kind),
        Reply::DraftFailed { contact, kind, body, error } => notes::draft_failed(state, contact, kind, body, &error),
        Reply::NoteSaved { note } => notes::note_saved(state, note),
        Reply::NoteFailed { contact, body, error } => notes::note_failed(state, contact, &body, &error),
        Reply::KbResults { seq, hits, suggested } => knowledge::results(state, seq, hits, suggested),
        Reply::Article { seq, article } => knowledge::article_loaded(state, seq, article),
        Reply::Failed { what, error } => {
            state.flash(format!("{what}: {error}"), Tone::Error);
            Vec::new()
        }
    }
}

#[cfg(test)]
mod day_tests;
#[cfg(test)]
pub(crate) mod tests;
