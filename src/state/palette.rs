//! The command palette (Ctrl-G; Ctrl-K would take the editor's delete-to-end): one fuzzy list over actions, snippets, articles, customers
//! and dispositions, each with its key; most-used first. Ctrl-T opens it on snippets only,
//! where Tab inserts one and keeps the palette open so several can be stacked.

use std::collections::HashMap;

use crossterm::event::{KeyCode, KeyEvent};
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};
use ratatui_textarea::TextArea;

use crate::action::Action;
use crate::domain::Id;
use crate::keymap::Scope;
use crate::protocol::Request;

use super::overlay::Overlay;
use super::{Effect, State, forms, knowledge, notes};

/// What choosing an entry does.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Action(Action),
    /// Insert this snippet, filled from the open contact.
    Snippet {
        id: Id,
        body: String,
    },
    Article(Id),
    Customer(Id),
    Disposition(String),
    /// Mark a promise kept or a follow-up done on a customer's record.
    Keep {
        customer: Id,
        item: crate::protocol::Keepable,
    },
}

/// One line of the palette.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// "action", "snippet", "article", "customer" or "disposition".
    pub kind: &'static str,
    pub label: String,
    /// The key for an action; a category, identity or first words otherwise.
    pub detail: String,
    pub target: Target,
}

impl Entry {
    /// The key usage is counted under.
    pub fn usage_key(&self) -> String {
        format!("{}:{}", self.kind, self.label)
    }
}

/// Which entries the palette offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Everything,
    SnippetsOnly,
}

/// The open palette.
#[derive(Debug)]
pub struct Palette {
    pub mode: Mode,
    pub input: TextArea<'static>,
    /// Entries from the database for the current query (snippets, articles, customers).
    pub remote: Vec<Entry>,
    /// What is shown, best first.
    pub shown: Vec<Entry>,
    pub selected: usize,
    pending: Option<u64>,
}

/// Opens the palette.
pub fn open(state: &mut State, mode: Mode) -> Vec<Effect> {
    state.overlays.open(Overlay::Palette(Palette {
        mode,
        input: forms::line_field(""),
        remote: Vec::new(),
        shown: Vec::new(),
        selected: 0,
        pending: None,
    }));
    rank(state);
    ask(state)
}

/// Asks the database for entries matching the query.
fn ask(state: &mut State) -> Vec<Effect> {
    let seq = state.next_seq();
    let Some(p) = state.overlays.palette_mut() else { return Vec::new() };
    p.pending = Some(seq);
    let query = forms::field_text(&p.input);
    vec![Effect::Db(Request::PaletteSearch { seq, query, snippets_only: p.mode == Mode::SnippetsOnly })]
}

/// Database entries arrived for a query.
pub fn results(state: &mut State, seq: u64, hits: DatabaseHits) -> Vec<Effect> {
    if let Some(p) = state.overlays.palette_mut().filter(|p| p.pending == Some(seq)) {
        p.pending = None;
        p.remote = database_entries(hits);
        rank(state);
    }
    Vec::new()
}

/// Keys waited too long for the entries: Enter chooses from those shown.
pub fn stop_waiting(state: &mut State) {
    if let Some(p) = state.overlays.palette_mut() {
        p.pending = None;
    }
}

/// What the database found for the palette's text.
pub struct DatabaseHits {
    pub snippets: Vec<crate::domain::Snippet>,
    pub articles: Vec<crate::domain::KbHit>,
    pub customers: Vec<crate::domain::CustomerHit>,
}

/// The palette's database entries: snippets (by their first line), articles, customers.
fn database_entries(hits: DatabaseHits) -> Vec<Entry> {
    let snippets = hits.snippets.into_iter().map(|s| Entry {
        kind: "snippet",
        label: s.title,
        detail: s.body.lines().next().unwrap_or("").to_string(),
        target: Target::Snippet { id: s.id, body: s.body },
    });
    let articles = hits.articles.into_iter().map(|h| Entry {
        kind: "article",
        label: h.title,
        detail: h.category,
        target: Target::Article(h.id),
    });
    let customers = hits.customers.into_iter().map(|c| Entry {
        kind: "customer",
        label: c.name,
        detail: c.detail,
        target: Target::Customer(c.id),
    });
    snippets.chain(articles).chain(customers).collect()
}

/// Actions and dispositions, known without the database.
fn local_entries(state: &State) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut seen = Vec::new();
    let scope = state.scope();
    for b in state.keymap.bindings.iter().filter(|b| b.scope == scope || b.scope == Scope::Global) {
        // Palette-only plumbing actions are not worth listing.
        if matches!(b.action, Action::Quit | Action::FocusNext | Action::FocusPrev | Action::OpenPalette)
            || seen.contains(&b.action)
        {
            continue;
        }
        seen.push(b.action);
        let key = b.keys.first().map(crate::keymap::Key::label).unwrap_or_default();
        out.push(Entry { kind: "action", label: b.desc.to_string(), detail: key, target: Target::Action(b.action) });
    }
    for d in &state.lists.dispositions {
        out.push(Entry {
            kind: "disposition",
            label: d.replace('_', " "),
            detail: "wrap up with this".into(),
            target: Target::Disposition(d.clone()),
        });
    }
    out.extend(keep_entries(state));
    out
}

/// Each open promise and follow-up of the customer on screen, to mark kept or done.
fn keep_entries(state: &State) -> Vec<Entry> {
    use crate::protocol::Keepable;
    let Some(record) = super::customer_forms::shown_record(state) else { return Vec::new() };
    let customer = record.customer.id;
    let first_line = |t: &str| t.lines().next().unwrap_or("").to_string();
    let promises = record.open_promises.iter().map(|p| Entry {
        kind: "promise",
        label: format!("promise kept: {}", first_line(&p.body)),
        detail: p.due_at.map(crate::domain::time::local_date).unwrap_or_default(),
        target: Target::Keep { customer, item: Keepable::Promise(p.id) },
    });
    let follow_ups = record.follow_ups.iter().map(|f| Entry {
        kind: "follow-up",
        label: format!("follow-up done: {}", first_line(&f.note)),
        detail: crate::domain::time::local_date(f.due_at),
        target: Target::Keep { customer, item: Keepable::FollowUp(f.id) },
    });
    promises.chain(follow_ups).collect()
}

/// Orders entries: fuzzy matches on the typed text, most-used first among them.
fn rank(state: &mut State) {
    let local = local_entries(state);
    let usage = &state.palette_usage;
    let Some(p) = state.overlays.palette_mut() else { return };
    let query = forms::field_text(&p.input);
    let candidates = match p.mode {
        Mode::Everything => local.into_iter().chain(p.remote.iter().cloned()).collect::<Vec<_>>(),
        Mode::SnippetsOnly => p.remote.clone(),
    };
    p.shown = rank_entries(candidates, &query, usage);
    p.selected = p.selected.min(p.shown.len().saturating_sub(1));
}

/// Fuzzy-ranks entries against a query (all of them, by use, when it is empty). Entries the
/// database already matched (articles, customers, snippets) are kept even when their label
/// does not fuzzy-match, since they matched on their body or identity.
pub fn rank_entries(entries: Vec<Entry>, query: &str, usage: &HashMap<String, u32>) -> Vec<Entry> {
    let mut matcher = Matcher::new(Config::DEFAULT);
    let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
    let mut buf = Vec::new();
    let mut scored: Vec<(bool, u32, u32, usize, Entry)> = entries
        .into_iter()
        .enumerate()
        .filter_map(|(order, e)| {
            let haystack = format!("{} {}", e.label, e.detail);
            let score = if query.trim().is_empty() {
                Some(0)
            } else {
                pattern.score(Utf32Str::new(&haystack, &mut buf), &mut matcher)
            };
            let from_db = matches!(e.target, Target::Article(_) | Target::Customer(_) | Target::Snippet { .. });
            let named = score.is_some();
            let score = score.or(from_db.then_some(0))?;
            let used = usage.get(&e.usage_key()).copied().unwrap_or(0);
            Some((named, used, score, order, e))
        })
        .collect();
    // Entries whose name matches what was typed first ("double ch" put the often-used
    // "Closing" snippet, matched in its text only, above the "Double charges" article); then
    // most-used; then best fuzzy score; then the order the sources gave.
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(b.2.cmp(&a.2)).then(a.3.cmp(&b.3)));
    scored.into_iter().map(|(.., e)| e).collect()
}

/// Keys while the palette is open.
pub fn key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(p) = state.overlays.palette_mut() else { return Vec::new() };
    match key.code {
        KeyCode::Esc => {
            state.overlays.close_palette();
            Vec::new()
        }
        KeyCode::Up => {
            p.selected = p.selected.saturating_sub(1);
            Vec::new()
        }
        KeyCode::Down => {
            p.selected = (p.selected + 1).min(p.shown.len().saturating_sub(1));
            Vec::new()
        }
        // Chosen from the entries for what was typed: an Enter (or Tab) in the same burst as
        // the text waits for them, and the keys after it wait behind it (chosen at once it
        // inserted the top entry of an earlier text, and the words typed next went into the
        // filter).
        KeyCode::Enter | KeyCode::Tab if p.pending.is_some() => {
            super::wait_for_answer(state, super::Waiting::Key(key));
            Vec::new()
        }
        KeyCode::Enter => choose(state, true),
        // Ctrl-U empties the box, as in the knowledge search and the queue's filter.
        KeyCode::Char('u') if key.modifiers.contains(crossterm::event::KeyModifiers::CONTROL) => {
            p.input = forms::line_field("");
            p.selected = 0;
            rank(state);
            ask(state)
        }
        KeyCode::Char(c @ ('n' | 'e' | 'd')) if key.modifiers.contains(crossterm::event::KeyModifiers::CONTROL) => {
            manage_snippet(state, c)
        }
        KeyCode::Tab if p.mode == Mode::SnippetsOnly => {
            let mut effects = choose(state, false);
            rank(state);
            effects.extend(ask(state));
            effects
        }
        _ => {
            if p.input.input(key) {
                p.selected = 0;
                rank(state);
                ask(state)
            } else {
                Vec::new()
            }
        }
    }
}

/// Snippets are managed from the palette: Ctrl-N new (from the notes editor's text),
/// Ctrl-E edit the selected one, Ctrl-D delete it (after a yes).
fn manage_snippet(state: &mut State, command: char) -> Vec<Effect> {
    let selected = state.overlays.palette().and_then(|p| p.shown.get(p.selected).cloned());
    let snippet = selected.and_then(|e| match e.target {
        Target::Snippet { id, body } => Some((id, e.label, body)),
        _ => None,
    });
    match (command, snippet) {
        ('n', _) => {
            let body = state.notes.text();
            state.overlays.close_palette();
            state
                .overlays
                .open(Overlay::Form(forms::Modal::Snippet(Box::new(forms::SnippetForm::new(None, "", &body)))));
            Vec::new()
        }
        ('e', Some((id, title, body))) => {
            state.overlays.close_palette();
            state.overlays.open(Overlay::Form(forms::Modal::Snippet(Box::new(forms::SnippetForm::new(
                Some(id),
                &title,
                &body,
            )))));
            Vec::new()
        }
        ('d', Some((id, title, _))) => {
            state.overlays.close_palette();
            forms::confirm(state, format!("Delete the snippet “{title}”?"), None, Request::DeleteSnippet { id })
        }
        _ => {
            state.flash("Select a snippet first", super::Tone::Info);
            Vec::new()
        }
    }
}

/// Carries out the selected entry; `close` false keeps the palette open (stacking snippets).
fn choose(state: &mut State, close: bool) -> Vec<Effect> {
    let Some(entry) = state.overlays.palette().and_then(|p| p.shown.get(p.selected).cloned()) else {
        return Vec::new();
    };
    if close {
        state.overlays.close_palette();
    } else if let Some(p) = state.overlays.palette_mut() {
        // Stacking: start the next search afresh so Enter does not insert the same one again.
        p.input = forms::line_field("");
        p.selected = 0;
    }
    *state.palette_usage.entry(entry.usage_key()).or_default() += 1;
    let mut effects = vec![Effect::Db(Request::RecordPaletteUse { key: entry.usage_key() })];
    effects.extend(match entry.target {
        Target::Action(action) => super::perform(state, action),
        Target::Snippet { body, .. } => {
            let filled = fill_snippet(state, &body);
            notes::insert_into_editor(state, &filled)
        }
        Target::Article(id) => {
            state.focus = super::Pane::Knowledge;
            knowledge::open_article(state, id)
        }
        Target::Customer(id) => super::customer::browse(state, id),
        // Crossing a promise off has no undo: asked first, as on the record.
        Target::Keep { customer, item } => {
            let question = format!("Mark this done — {}?", entry.label);
            forms::confirm(state, question, None, crate::protocol::Request::MarkKept { customer, item })
        }
        Target::Disposition(d) => {
            let mut effects = super::contact::wrap_up(state);
            if let Some(super::forms::Modal::WrapUp(form)) = state.overlays.form_mut() {
                // The dispositions that name an outcome choose it too ("escalated" left the
                // outcome on Resolve and the contact was saved resolved).
                form.outcome = match crate::domain::ContactStatus::parse(&d) {
                    Some(crate::domain::ContactStatus::Escalated) => forms::OutcomeChoice::Escalate,
                    Some(crate::domain::ContactStatus::Transferred) => forms::OutcomeChoice::Transfer,
                    _ => form.outcome,
                };
                form.disposition_filter = forms::line_field(&d);
            }
            effects.shrink_to_fit();
            effects
        }
    });
    effects
}

/// Fills a snippet's placeholders from the open contact.
pub fn fill_snippet(state: &State, body: &str) -> String {
    use crate::domain::placeholders;
    let today = crate::domain::time::local_date(state.now());
    // A name not given yet stays a visible placeholder, filled in the reply when the rep
    // gives it at the first send (`reply::name_given`).
    let rep_name = if state.rep_name_known { state.rep_name.as_str() } else { "" };
    let ctx = match &state.open {
        Some(detail) => placeholders::context_from(detail, rep_name, &today),
        None => placeholders::Context { rep_name: rep_name.to_string(), today, ..placeholders::Context::default() },
    };
    placeholders::fill(body, &ctx)
}

/// The usage counts arrived (at start).
pub fn usage_loaded(state: &mut State, usage: HashMap<String, u32>) -> Vec<Effect> {
    state.palette_usage = usage;
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: &'static str, label: &str) -> Entry {
        Entry { kind, label: label.into(), detail: String::new(), target: Target::Action(Action::Dashboard) }
    }

    #[test]
    fn fuzzy_matches_rank_and_misses_drop_out() {
        let entries = vec![entry("action", "accept the next contact"), entry("action", "show or hide this help")];
        let ranked = rank_entries(entries, "acc nxt", &HashMap::new());
        assert_eq!(ranked.len(), 1);
        assert_eq!(ranked[0].label, "accept the next contact");
    }

    #[test]
    fn the_most_used_entry_comes_first() {
        let entries = vec![entry("action", "wrap up"), entry("action", "my numbers")];
        let mut usage = HashMap::new();
        usage.insert("action:my numbers".to_string(), 3);
        let ranked = rank_entries(entries, "", &usage);
        assert_eq!(ranked[0].label, "my numbers");
    }
}
