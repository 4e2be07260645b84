//! The Knowledge pane: search-as-you-type over the knowledge base, suggestions for the
//! open contact, and the article reader.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui_textarea::TextArea;

use crate::action::Action;
use crate::domain::{Article, Id, KbHit};
use crate::protocol::{Request, SearchRequest};

use super::{Effect, Pane, State, notes};

/// Results asked for per search.
pub const RESULT_LIMIT: usize = 30;

/// An article being read, rendered once into lines. The cursor moves line by line (a line
/// is a heading, paragraph, list item or table row); `v` anchors a selection.
#[derive(Debug)]
pub struct Reader {
    pub article: Article,
    pub lines: Vec<ratatui::text::Line<'static>>,
    /// The same lines as plain text, for selection, copying and finding.
    pub plain: Vec<String>,
    pub cursor: usize,
    pub anchor: Option<usize>,
    /// First visual row shown (the UI keeps the cursor in view and reports it back).
    pub scroll: u16,
    /// The find-in-article box while typing, and the last query.
    pub find_input: Option<TextArea<'static>>,
    pub find: String,
}

impl Reader {
    /// Opens an article: renders it and puts the cursor on its first line.
    pub fn new(article: Article, theme: &crate::theme::Theme) -> Self {
        let mut lines =
            vec![ratatui::text::Line::styled(crate::domain::text::for_display(&article.title), theme.heading)];
        lines.push(ratatui::text::Line::raw(""));
        lines.extend(crate::markdown::render(&article.body, theme));
        let plain = lines.iter().map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect::<String>()).collect();
        Self { article, lines, plain, cursor: 0, anchor: None, scroll: 0, find_input: None, find: String::new() }
    }

    /// The selected lines (or the line under the cursor), as text.
    pub fn selection(&self) -> String {
        let (a, b) = self.selected_range();
        self.plain[a..=b.min(self.plain.len().saturating_sub(1))]
            .iter()
            .map(|l| l.trim_end())
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_string()
    }

    /// The selected lines as text for a note or a reply: without the reader's own marks
    /// (the `│` of a quote), and with where it came from.
    pub fn passage(&self) -> String {
        let selection = self.selection();
        let text: Vec<&str> =
            selection.lines().map(|l| l.trim_start_matches(['│', '▏', '┃']).trim_start_matches(' ')).collect();
        format!("{}\n— from: {}", text.join("\n").trim(), self.article.title)
    }

    /// First and last selected line.
    pub fn selected_range(&self) -> (usize, usize) {
        let anchor = self.anchor.unwrap_or(self.cursor);
        (anchor.min(self.cursor), anchor.max(self.cursor))
    }

    /// A link to the article: its web address if it has one, else its title.
    pub fn link(&self) -> String {
        article_link(&self.article.title, self.article.url.as_deref())
    }

    fn move_cursor(&mut self, to: usize) {
        self.cursor = to.min(self.plain.len().saturating_sub(1));
    }

    /// Moves to the next (or previous) line containing the find text.
    fn find_next(&mut self, forward: bool) -> bool {
        let needle = self.find.to_lowercase();
        if needle.is_empty() {
            return false;
        }
        let n = self.plain.len();
        let hit = (1..=n)
            .map(|step| if forward { (self.cursor + step) % n } else { (self.cursor + n - step % n) % n })
            .find(|&i| self.plain[i].to_lowercase().contains(&needle));
        if let Some(i) = hit {
            self.cursor = i;
        }
        hit.is_some()
    }
}

/// How an article is cited in a note: `Title <https://…>` or `KB: Title`.
pub fn article_link(title: &str, url: Option<&str>) -> String {
    match url.filter(|u| !u.trim().is_empty()) {
        Some(url) => format!("{title} <{url}>"),
        None => format!("KB: {title}"),
    }
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
    /// The text the shown results were searched for (none for suggestions).
    answered: Option<String>,
    /// The shown results answer an earlier text than the input's (see [`Self::kept_for`]).
    kept: bool,
    pending: Option<u64>,
    pending_article: Option<u64>,
}

impl KnowledgeState {
    /// Nothing searched, suggested or opened yet.
    pub fn is_untouched(&self) -> bool {
        self.hits.is_empty() && self.reading.is_none() && self.query().trim().is_empty() && self.pending.is_none()
    }

    /// The text typed in the search box.
    pub fn query(&self) -> String {
        self.input.lines().join(" ")
    }

    /// The text the shown results answer, when it is not what the input says: the rep typed
    /// on ("you took" after "you too") and the longer text matches nothing yet, so the
    /// results stay rather than the list flickering empty word by word.
    pub fn kept_for(&self) -> Option<&str> {
        self.answered.as_deref().filter(|_| self.kept)
    }
}

/// Keys while typing in the find-in-article box: Enter jumps to the first match, Esc
/// cancels.
pub fn find_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(reader) = state.knowledge.reading.as_mut() else { return Vec::new() };
    let Some(input) = reader.find_input.as_mut() else { return Vec::new() };
    match key.code {
        KeyCode::Esc => reader.find_input = None,
        KeyCode::Enter => {
            let term = super::forms::field_text(input);
            reader.find_input = None;
            reader.find = term.clone();
            let before = reader.cursor;
            // Search from just before the cursor so a match on the current line counts.
            reader.cursor = reader.cursor.checked_sub(1).unwrap_or(reader.plain.len().saturating_sub(1));
            if !reader.find_next(true) {
                // Nothing found: the cursor stays where it was and n/N have nothing to repeat,
                // so a following insert takes the line the rep was on, not a stray one.
                reader.cursor = before;
                reader.find.clear();
                state.flash(format!("“{term}” not found in this article"), super::Tone::Info);
            }
        }
        KeyCode::Char('u') if key.modifiers.contains(crossterm::event::KeyModifiers::CONTROL) => {
            *input = super::forms::line_field("");
        }
        _ => {
            input.input(key);
        }
    }
    Vec::new()
}

/// The rep used an article found by what they typed: remember the words that led there, so
/// later searches (and suggestions) with them find it first — and can say why.
fn remember_use(state: &State, article: crate::domain::Id) -> Vec<Effect> {
    let query = state.knowledge.query();
    if query.trim().is_empty() || state.open.is_none() {
        return Vec::new();
    }
    vec![Effect::Db(Request::RecordArticleUse { query, article })]
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
    // Ctrl-U clears the box, as in the queue's filter and the find-in-article box (the
    // editor's own binding is undo).
    if key.code == KeyCode::Char('u') && key.modifiers.contains(crossterm::event::KeyModifiers::CONTROL) {
        return clear_search(state);
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
        k.answered = None;
        k.kept = false;
        let open = state.open.as_ref().map(|d| (d.contact.subject.clone(), d.customer_said_last().to_string()));
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
    let typed = k.query();
    let typed_on = |earlier: &String| typed.trim_end().starts_with(earlier.trim_end()) && typed != *earlier;
    if hits.is_empty() && !suggested && !k.hits.is_empty() && k.answered.as_ref().is_some_and(typed_on) {
        k.kept = true;
        return Vec::new();
    }
    k.hits = hits;
    k.suggested = suggested;
    k.answered = (!suggested).then_some(typed);
    k.kept = false;
    k.selected = 0;
    Vec::new()
}

/// Keys waited too long for the results: Enter opens from those shown.
pub fn stop_waiting(state: &mut State) {
    state.knowledge.pending = None;
    state.knowledge.searching = false;
}

/// Moves through results, opens one, moves in the reader or goes back.
pub fn perform(state: &mut State, action: Action) -> Vec<Effect> {
    if let Some(reader) = state.knowledge.reading.as_mut() {
        let page = super::queue::PAGE_ROWS;
        match action {
            Action::MoveUp => reader.move_cursor(reader.cursor.saturating_sub(1)),
            Action::MoveDown => reader.move_cursor(reader.cursor + 1),
            Action::PageUp => reader.move_cursor(reader.cursor.saturating_sub(page)),
            Action::PageDown => reader.move_cursor(reader.cursor + page),
            Action::First => reader.move_cursor(0),
            Action::Last => reader.move_cursor(usize::MAX),
            Action::Back if reader.anchor.is_some() => reader.anchor = None,
            Action::Back => state.knowledge.reading = None,
            Action::SelectPassage => {
                reader.anchor = if reader.anchor.is_some() { None } else { Some(reader.cursor) };
            }
            Action::InsertPassage => {
                let text = reader.passage();
                let article = reader.article.id;
                reader.anchor = None;
                let mut effects = notes::insert_into_editor(state, &text);
                effects.extend(remember_use(state, article));
                return effects;
            }
            Action::InsertLink => {
                let link = reader.link();
                let article = reader.article.id;
                let mut effects = notes::insert_into_editor(state, &link);
                effects.extend(remember_use(state, article));
                return effects;
            }
            Action::CopyPassage => {
                let text = reader.selection();
                reader.anchor = None;
                state.flash("Copied to the clipboard", super::Tone::Info);
                return vec![Effect::Copy(text)];
            }
            Action::FindInArticle => reader.find_input = Some(super::forms::line_field("")),
            Action::FindNext | Action::FindPrev if !reader.find_next(action == Action::FindNext) => {
                state.flash("No match in this article", super::Tone::Info);
            }
            _ => {}
        }
        return Vec::new();
    }
    if action == Action::CopyPassage {
        let link = state.knowledge.hits.get(state.knowledge.selected).map(|h| article_link(&h.title, None));
        if let Some(link) = link {
            state.flash("Copied the article's link", super::Tone::Info);
            return vec![Effect::Copy(link)];
        }
        return Vec::new();
    }
    if action == Action::InsertLink {
        let link = state.knowledge.hits.get(state.knowledge.selected).map(|h| article_link(&h.title, None));
        return match link {
            Some(link) => notes::insert_into_editor(state, &link),
            None => Vec::new(),
        };
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
        // Opened from the results for what was typed: Enter in the same burst as the text
        // waits for them (at once it opened a result of the earlier text).
        Action::OpenSelected if k.pending.is_some() => super::wait_for_answer(state, super::Waiting::Action(action)),
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

/// Asks for an article to read.
pub fn open_article(state: &mut State, id: Id) -> Vec<Effect> {
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
        Some(article) => state.knowledge.reading = Some(Reader::new(article, &state.theme)),
        None => state.flash("That article no longer exists", super::Tone::Error),
    }
    Vec::new()
}
