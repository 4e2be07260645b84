//! The Knowledge pane: search-as-you-type over the knowledge base, suggestions for the
//! open contact, and the article reader.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui_textarea::TextArea;

use crate::action::Action;
use crate::domain::{Article, Id, KbHit};
use crate::store::worker::{Request, SearchRequest};

use super::{Effect, Pane, State};

/// Results asked for per search.
pub const RESULT_LIMIT: usize = 30;

/// An article being read.
#[derive(Debug)]
pub struct Reader {
    pub article: Article,
    pub scroll: u16,
}

/// What the Knowledge pane shows.
#[derive(Debug, Default)]
pub struct KnowledgeState {
    pub input: TextArea<'static>,
    pub hits: Vec<KbHit>,
    pub selected: usize,
    /// The hits are suggestions for the open contact, not answers to a typed query.
    pub suggested: bool,
    /// A search is in flight for what the input now says.
    pub searching: bool,
    pub reading: Option<Reader>,
    pending: Option<u64>,
    pending_article: Option<u64>,
}

impl KnowledgeState {
    /// The text typed in the search box.
    pub fn query(&self) -> String {
        self.input.lines().join(" ")
    }
}

/// Focuses the search box (from any pane), leaving an open article.
pub fn focus_search(state: &mut State) -> Vec<Effect> {
    state.focus = Pane::Knowledge;
    state.knowledge.reading = None;
    Vec::new()
}

/// A key typed into the search box: edit the query and search again (latest wins).
pub fn type_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    // One line only: Enter opens a result (bound), so never insert newlines.
    if matches!(key.code, KeyCode::Enter) {
        return Vec::new();
    }
    if state.knowledge.input.input(key) { search(state) } else { Vec::new() }
}

/// Pasted text goes into the search box as one line.
pub fn paste(state: &mut State, text: &str) -> Vec<Effect> {
    let line = crate::domain::text::for_display(text);
    if state.knowledge.input.insert_str(line) { search(state) } else { Vec::new() }
}

fn search(state: &mut State) -> Vec<Effect> {
    let query = state.knowledge.query();
    let seq = state.next_seq();
    let k = &mut state.knowledge;
    k.pending = Some(seq);
    k.selected = 0;
    if query.trim().is_empty() {
        k.searching = false;
        k.hits.clear();
        let open = state.open.as_ref().map(|d| (d.contact.subject.clone(), d.contact.body.clone()));
        return match open {
            Some((subject, body)) => suggest_for(state, &subject, &body),
            None => vec![Effect::Search(SearchRequest::Cancel)],
        };
    }
    k.searching = true;
    vec![Effect::Search(SearchRequest::Search { seq, query, limit: RESULT_LIMIT })]
}

/// Suggests articles for a contact, unless the rep is in the middle of a search.
pub fn suggest_for(state: &mut State, subject: &str, body: &str) -> Vec<Effect> {
    if !state.knowledge.query().trim().is_empty() {
        return Vec::new();
    }
    let seq = state.next_seq();
    state.knowledge.pending = Some(seq);
    vec![Effect::Search(SearchRequest::Suggest {
        seq,
        subject: subject.to_string(),
        body: body.to_string(),
        limit: RESULT_LIMIT,
    })]
}

/// Search or suggestion results arrived; older ones than the latest request are dropped.
pub fn results(state: &mut State, seq: u64, hits: Vec<KbHit>, suggested: bool) -> Vec<Effect> {
    let k = &mut state.knowledge;
    if k.pending != Some(seq) {
        return Vec::new();
    }
    k.pending = None;
    k.searching = false;
    k.hits = hits;
    k.suggested = suggested;
    k.selected = 0;
    Vec::new()
}

/// Moves through results, opens one, scrolls the reader or goes back.
pub fn perform(state: &mut State, action: Action) -> Vec<Effect> {
    if let Some(reader) = state.knowledge.reading.as_mut() {
        match action {
            Action::MoveUp => reader.scroll = reader.scroll.saturating_sub(1),
            Action::MoveDown => reader.scroll = reader.scroll.saturating_add(1),
            Action::PageUp => reader.scroll = reader.scroll.saturating_sub(super::queue::PAGE_ROWS as u16),
            Action::PageDown => reader.scroll = reader.scroll.saturating_add(super::queue::PAGE_ROWS as u16),
            Action::First => reader.scroll = 0,
            Action::Last => reader.scroll = u16::MAX,
            Action::Back => state.knowledge.reading = None,
            _ => {}
        }
        return Vec::new();
    }
    let k = &mut state.knowledge;
    let last = k.hits.len().saturating_sub(1);
    match action {
        Action::MoveUp => k.selected = k.selected.saturating_sub(1),
        Action::MoveDown => k.selected = (k.selected + 1).min(last),
        Action::PageUp => k.selected = k.selected.saturating_sub(super::queue::PAGE_ROWS),
        Action::PageDown => k.selected = (k.selected + super::queue::PAGE_ROWS).min(last),
        Action::First => k.selected = 0,
        Action::Last => k.selected = last,
        Action::OpenSelected => {
            if let Some(id) = k.hits.get(k.selected).map(|h| h.id) {
                return open_article(state, id);
            }
        }
        Action::Back => return clear_search(state),
        _ => {}
    }
    Vec::new()
}

fn open_article(state: &mut State, id: Id) -> Vec<Effect> {
    let seq = state.next_seq();
    state.knowledge.pending_article = Some(seq);
    vec![Effect::Db(Request::Article { seq, id })]
}

fn clear_search(state: &mut State) -> Vec<Effect> {
    state.knowledge.input = TextArea::default();
    search(state)
}

/// An article arrived: open the reader.
pub fn article_loaded(state: &mut State, seq: u64, article: Option<Article>) -> Vec<Effect> {
    if state.knowledge.pending_article != Some(seq) {
        return Vec::new();
    }
    state.knowledge.pending_article = None;
    match article {
        Some(article) => state.knowledge.reading = Some(Reader { article, scroll: 0 }),
        None => state.flash("That article no longer exists", super::Tone::Error),
    }
    Vec::new()
}
