//! The contact queue: waiting contacts, selection, opening one.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui_textarea::TextArea;

use crate::action::Action;
use crate::domain::contact_loop::{QueueFilter, QueueView};
use crate::domain::{Channel, ContactDetail, QueueRow};
use crate::protocol::Request;

use super::{Effect, Pane, State, contact, forms, notes};

/// How often the queue is re-read to pick up another instance's changes.
const REFRESH_EVERY_MS: i64 = 1_000;

/// Rows moved by PgUp / PgDn.
pub const PAGE_ROWS: usize = 10;

/// What the Queue pane shows.
#[derive(Debug, Default)]
pub struct QueueState {
    pub rows: Vec<QueueRow>,
    pub selected: usize,
    /// Total waiting contacts (the pane may hold only the first page).
    pub waiting: i64,
    /// Articles in the knowledge base, so an empty workspace can say what to import.
    pub articles: i64,
    /// `None` until the first reply arrives.
    pub loaded: bool,
    /// What the queue is narrowed to.
    pub filter: QueueFilter,
    /// The text filter being typed (`f`), if any.
    pub filter_input: Option<TextArea<'static>>,
    pending: Option<u64>,
    last_refresh_ms: i64,
}

impl QueueState {
    /// The selected row.
    pub fn selected_row(&self) -> Option<&QueueRow> {
        self.rows.get(self.selected)
    }

    /// Whether keys go to the text filter.
    pub fn editing_filter(&self) -> bool {
        self.filter_input.is_some()
    }
}

/// Asks for the queue.
pub fn load(state: &mut State) -> Vec<Effect> {
    let seq = state.next_seq();
    state.queue.pending = Some(seq);
    state.queue.last_refresh_ms = state.now_ms;
    vec![Effect::Db(Request::Queue { seq, filter: state.queue.filter.clone(), only_if_changed: false })]
}

/// Re-reads the queue every second if another process changed the database.
pub fn refresh_if_due(state: &mut State) -> Vec<Effect> {
    if state.queue.pending.is_some() || state.now_ms - state.queue.last_refresh_ms < REFRESH_EVERY_MS {
        return Vec::new();
    }
    let seq = state.next_seq();
    state.queue.pending = Some(seq);
    state.queue.last_refresh_ms = state.now_ms;
    vec![Effect::Db(Request::Queue { seq, filter: state.queue.filter.clone(), only_if_changed: true })]
}

/// When another program changed the workspace (a reply by mail or from the help desk, a
/// note or a resolve from the command line), the open contact and every other contact in
/// progress are read again too. Said by any queue read, even one answered too late to show:
/// the worker says it once.
pub fn read_again_if_changed(state: &State, changed_elsewhere: bool) -> Vec<Effect> {
    if !changed_elsewhere {
        return Vec::new();
    }
    let open = state.open_contact_id().filter(|_| state.customer.pending.is_none());
    let parked = state.work.strip.iter().copied().filter(|id| state.work.parked.contains_key(id));
    let mut effects: Vec<Effect> =
        open.into_iter().chain(parked).map(|id| Effect::Db(Request::RefreshContact { id })).collect();
    // A contact taken elsewhere (`frontline contact accept 21`) is in progress too: the strip
    // gains it. Not in team mode, where the help desk's sync brings in the rep's tickets taken
    // in its own pages: those join the strip at the next start, as before.
    if state.team.is_none() {
        effects.push(Effect::Db(Request::LoadStrip));
    }
    effects
}

/// The queue arrived; keep the same contact selected if it is still there.
pub fn loaded(state: &mut State, seq: u64, rows: Option<Vec<QueueRow>>, waiting: i64, articles: i64) -> Vec<Effect> {
    if state.queue.pending != Some(seq) {
        return Vec::new();
    }
    state.queue.pending = None;
    let Some(rows) = rows else { return Vec::new() };
    let q = &mut state.queue;
    let keep = q.selected_row().map(|r| r.id);
    q.rows = rows;
    q.waiting = waiting;
    // A queue with rows does not count the articles (-1): keep the last count.
    if articles >= 0 {
        q.articles = articles;
    }
    q.loaded = true;
    q.selected = keep.and_then(|id| q.rows.iter().position(|r| r.id == id)).unwrap_or(q.selected);
    q.selected = q.selected.min(q.rows.len().saturating_sub(1));
    Vec::new()
}

/// Moves the selection or opens the selected contact.
pub fn perform(state: &mut State, action: Action) -> Vec<Effect> {
    // A page is what the pane shows (10 rows before the first frame has measured it).
    let page = match usize::from(state.layout.queue_rows.height) {
        0 => PAGE_ROWS,
        rows => rows,
    };
    let q = &mut state.queue;
    let last = q.rows.len().saturating_sub(1);
    match action {
        Action::MoveUp => q.selected = q.selected.saturating_sub(1),
        Action::MoveDown => q.selected = (q.selected + 1).min(last),
        Action::PageUp => q.selected = q.selected.saturating_sub(page),
        Action::PageDown => q.selected = (q.selected + page).min(last),
        Action::First => q.selected = 0,
        Action::Last => q.selected = last,
        Action::OpenSelected => return open_selected(state),
        Action::CycleView => return cycle_view(state),
        Action::CycleChannel => return cycle_channel(state),
        Action::FilterText => {
            // A new filter starts empty: what is typed replaces the old one, never appends.
            state.focus = Pane::Queue;
            state.queue.filter_input = Some(forms::line_field(""));
            if !state.queue.filter.text.is_empty() {
                state.queue.filter.text.clear();
                state.queue.selected = 0;
                return load(state);
            }
        }
        Action::Back if state.queue.filter != QueueFilter::default() => {
            // Esc in the queue: back to every waiting contact.
            state.queue.filter = QueueFilter::default();
            state.queue.selected = 0;
            state.flash("Filter cleared", super::Tone::Info);
            return load(state);
        }
        _ => {}
    }
    Vec::new()
}

/// `s`: waiting → active → on hold → follow-ups due → escalated → resolved today → …
fn cycle_view(state: &mut State) -> Vec<Effect> {
    let views = QueueView::ALL;
    let i = views.iter().position(|v| *v == state.queue.filter.view).unwrap_or(0);
    state.queue.filter.view = views[(i + 1) % views.len()];
    state.queue.selected = 0;
    load(state)
}

/// `c`: all channels → phone → email → chat → social → walk-in → all …
fn cycle_channel(state: &mut State) -> Vec<Effect> {
    let f = &mut state.queue.filter;
    f.channel = match f.channel {
        None => Some(Channel::ALL[0]),
        Some(c) => Channel::ALL.iter().position(|x| *x == c).and_then(|i| Channel::ALL.get(i + 1)).copied(),
    };
    state.queue.selected = 0;
    load(state)
}

/// Keys while typing the text filter: Enter keeps it, Esc clears it; the queue narrows as
/// the rep types.
pub fn filter_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(input) = state.queue.filter_input.as_mut() else { return Vec::new() };
    match key.code {
        KeyCode::Enter => {
            state.queue.filter_input = None;
            Vec::new()
        }
        KeyCode::Esc => {
            state.queue.filter_input = None;
            state.queue.filter.text.clear();
            load(state)
        }
        KeyCode::Char('u') if key.modifiers.contains(crossterm::event::KeyModifiers::CONTROL) => {
            *input = forms::line_field("");
            state.queue.filter.text.clear();
            state.queue.selected = 0;
            load(state)
        }
        _ => {
            if input.input(key) {
                state.queue.filter.text = forms::field_text(input);
                state.queue.selected = 0;
                load(state)
            } else {
                Vec::new()
            }
        }
    }
}

/// Opens the selected contact: the record loads into Customer and focus goes to Notes.
fn open_selected(state: &mut State) -> Vec<Effect> {
    let Some(id) = state.queue.selected_row().map(|r| r.id) else {
        return Vec::new();
    };
    let mut effects = notes::flush_draft(state);
    let seq = state.next_seq();
    state.customer.pending = Some(seq);
    // Keys pressed for a contact still opening were for that one, not this.
    state.waiting_keys.clear();
    state.focus = Pane::Notes;
    // The editor belongs to the new contact at once, so what the rep types before the
    // record arrives is kept (and merged after its stored draft).
    if state.open_contact_id() != Some(id) {
        effects.extend(contact::park_current(state));
        notes::load_for(state, id, "");
    }
    effects.push(Effect::Db(Request::OpenContact { seq, id }));
    effects
}

/// Forgets the contact being opened, and the keys pressed for it: another contact came on
/// screen meanwhile (F6, an accept), or it could not be read. Returns the text typed among
/// those keys, for the caller to say.
pub fn cancel_opening(state: &mut State) -> String {
    state.customer.pending = None;
    super::typed_among(&std::mem::take(&mut state.waiting_keys))
}

/// The contact being opened could not be read: said, and the keys pressed for it dropped
/// (what they typed is said too).
pub fn open_failed(state: &mut State, seq: u64, error: &str) -> Vec<Effect> {
    let dropped = if state.customer.pending == Some(seq) { cancel_opening(state) } else { String::new() };
    let message = format!("Opening the contact: {error}");
    state.flash(super::contact::with_what_was_typed(message, &dropped), super::Tone::Error);
    Vec::new()
}

/// The opened contact arrived: show it, restore its draft, suggest articles.
pub fn contact_opened(state: &mut State, seq: u64, detail: Option<Box<ContactDetail>>) -> Vec<Effect> {
    if state.customer.pending != Some(seq) {
        return Vec::new();
    }
    state.customer.pending = None;
    let waiting = std::mem::take(&mut state.waiting_keys);
    let Some(detail) = detail else {
        state.flash("That contact no longer exists", super::Tone::Error);
        return load(state);
    };
    let mut effects = contact::show(state, *detail);
    effects.extend(contact::carry_out(state, waiting));
    effects
}
