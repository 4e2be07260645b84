//! The Knowledge pane: search box, ranked results with highlighted snippets, and the reader.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Paragraph, Wrap};

use crate::domain::query::only_a_first_letter;
use crate::domain::text::{MARK_END, MARK_START, for_display};
use crate::state::knowledge::Reader;
use crate::state::{Pane, State};
use crate::theme::Theme;

/// Draws search or the open article; returns the scroll the article was drawn at.
pub fn draw(state: &State, frame: &mut Frame<'_>, area: Rect) -> Option<u16> {
    match &state.knowledge.reading {
        Some(reader) => Some(draw_reader(state, reader, frame, area)),
        None => {
            draw_search(state, frame, area);
            None
        }
    }
}

fn draw_search(state: &State, frame: &mut Frame<'_>, area: Rect) {
    let theme = &state.theme;
    let k = &state.knowledge;
    let label = if k.searching { "searching… " } else { "" };
    let block = super::pane_block(state, Pane::Knowledge, Span::styled(label, theme.dim));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [input_area, results_area] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    let [prompt_area, field_area] = Layout::horizontal([Constraint::Length(2), Constraint::Min(1)]).areas(input_area);
    frame.render_widget(Span::styled("⌕ ", theme.key), prompt_area);
    let mut field = k.input.clone();
    field.set_cursor_line_style(ratatui::style::Style::new());
    if state.focus != Pane::Knowledge {
        field.set_cursor_style(ratatui::style::Style::new());
    }
    field.set_placeholder_text("type to search the knowledge base (Ctrl-F)");
    field.set_placeholder_style(theme.dim);
    frame.render_widget(&field, field_area);

    if k.hits.is_empty() {
        let query = k.query();
        let text = if query.trim().is_empty() {
            "Suggestions for the open contact appear here; or just type.".to_string()
        } else if k.searching {
            String::new()
        } else if only_a_first_letter(&query) {
            "Keep typing: the search starts at the second letter.".to_string()
        } else {
            format!("No article matches “{}”.", for_display(&query))
        };
        frame.render_widget(Paragraph::new(Span::styled(text, theme.dim)).wrap(Wrap { trim: true }), results_area);
        return;
    }
    let mut items = Vec::with_capacity(k.hits.len() + 1);
    let header = match (k.kept_for(), k.suggested) {
        // What matters first in a narrow pane: these results are for an earlier text.
        (Some(earlier), _) => format!(
            "Still showing “{}”: nothing matches “{}” yet",
            for_display(earlier.trim()),
            for_display(k.query().trim())
        ),
        (None, true) => "Suggested for this contact".to_string(),
        (None, false) => "Best matches first".to_string(),
    };
    items.push(ListItem::new(Line::styled(header, theme.dim)));
    for hit in &k.hits {
        let width = usize::from(results_area.width.saturating_sub(2));
        let category =
            if hit.category.is_empty() { String::new() } else { format!("  {}", for_display(&hit.category)) };
        items.push(ListItem::new(vec![
            Line::from(vec![
                Span::styled(super::truncate(&for_display(&hit.title), width), theme.title),
                Span::styled(category, theme.dim),
            ]),
            snippet_line(&hit.snippet, theme, width),
        ]));
    }
    let selected_style = if state.focus == Pane::Knowledge { theme.selected } else { theme.text };
    let list = List::new(items).highlight_style(selected_style);
    let mut list_state = ListState::default().with_selected(Some(k.selected + 1));
    frame.render_stateful_widget(list, results_area, &mut list_state);
}

/// A snippet with its matched words highlighted (the markers come from FTS5 `snippet()`).
fn snippet_line(snippet: &str, theme: &Theme, width: usize) -> Line<'static> {
    let mut spans = vec![Span::raw("  ")];
    let mut used = 2;
    let mut highlighted = false;
    // A snippet from the start of an article can begin with the white space of its layout.
    for part in snippet.trim_start().split_inclusive([MARK_START, MARK_END]) {
        let (text, marker) = match part.chars().last() {
            Some(c @ (MARK_START | MARK_END)) => (&part[..part.len() - c.len_utf8()], Some(c)),
            _ => (part, None),
        };
        let text = for_display(text);
        let room = width.saturating_sub(used);
        let shown = super::truncate(&text, room);
        used += unicode_width::UnicodeWidthStr::width(shown.as_str());
        spans.push(Span::styled(shown, if highlighted { theme.highlight } else { theme.dim }));
        if let Some(m) = marker {
            highlighted = m == MARK_START;
        }
        if used >= width {
            break;
        }
    }
    Line::from(spans)
}

fn draw_reader(state: &State, reader: &Reader, frame: &mut Frame<'_>, area: Rect) -> u16 {
    let theme = &state.theme;
    let a = &reader.article;
    let focused = state.focus == Pane::Knowledge;
    let mut meta = Vec::new();
    if !a.category.is_empty() {
        meta.push(for_display(&a.category));
    }
    if !a.tags.is_empty() {
        meta.push(for_display(&a.tags.join(", ")));
    }
    let block = super::pane_block(state, Pane::Knowledge, Span::styled(format!("{} ", meta.join(" · ")), theme.dim));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let find_height = u16::from(reader.find_input.is_some() || !reader.find.is_empty());
    let [text_area, find_area] = Layout::vertical([Constraint::Min(1), Constraint::Length(find_height)]).areas(inner);
    let (selected_from, selected_to) = reader.selected_range();
    let needle = reader.find.to_lowercase();
    let lines: Vec<Line<'static>> = reader
        .lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let mut line = if !needle.is_empty() && reader.plain[i].to_lowercase().contains(&needle) {
                highlight_matches(&reader.plain[i], &needle, theme)
            } else {
                line.clone()
            };
            if focused && (selected_from..=selected_to).contains(&i) {
                let style = if reader.anchor.is_some() || i == reader.cursor { theme.selected } else { theme.text };
                line = line.patch_style(style);
            }
            line
        })
        .collect();
    // Rows each line takes once wrapped, so the cursor's line can be kept in view.
    let wrapped: Vec<Vec<Line<'static>>> =
        lines.iter().map(|l| super::wrap::wrap(std::slice::from_ref(l), text_area.width)).collect();
    let heights: Vec<usize> = wrapped.iter().map(Vec::len).collect();
    let cursor_top: usize = heights[..reader.cursor.min(heights.len())].iter().sum();
    let cursor_bottom = cursor_top + heights.get(reader.cursor).copied().unwrap_or(1);
    let view = usize::from(text_area.height.max(1));
    let mut scroll = usize::from(reader.scroll);
    if cursor_top < scroll {
        scroll = cursor_top;
    } else if cursor_bottom > scroll + view {
        scroll = cursor_bottom.saturating_sub(view);
    }
    let scroll = u16::try_from(scroll).unwrap_or(u16::MAX);
    let rows: Vec<Line<'static>> = wrapped.into_iter().flatten().collect();
    frame.render_widget(Paragraph::new(rows).scroll((scroll, 0)), text_area);
    if let Some(input) = &reader.find_input {
        let [label, field] = Layout::horizontal([Constraint::Length(6), Constraint::Min(1)]).areas(find_area);
        frame.render_widget(Span::styled("Find: ", theme.key), label);
        frame.render_widget(input, field);
    } else if !reader.find.is_empty() {
        let hint = format!("“{}” · n next · N previous", for_display(&reader.find));
        frame.render_widget(Span::styled(hint, theme.dim), find_area);
    }
    scroll
}

/// A line with every occurrence of `needle` (lower-cased) highlighted.
fn highlight_matches(plain: &str, needle: &str, theme: &Theme) -> Line<'static> {
    let lower = plain.to_lowercase();
    // Lower-casing can change byte lengths; then highlight the whole line instead.
    if lower.len() != plain.len() {
        return Line::styled(plain.to_string(), theme.highlight);
    }
    let mut spans = Vec::new();
    let mut at = 0;
    while let Some(found) = lower[at..].find(needle) {
        let start = at + found;
        let end = start + needle.len();
        spans.push(Span::raw(plain[at..start].to_string()));
        spans.push(Span::styled(plain[start..end].to_string(), theme.highlight));
        at = end;
    }
    spans.push(Span::raw(plain[at..].to_string()));
    Line::from(spans)
}
