//! The command palette overlay.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, List, ListItem, ListState, Paragraph};

use crate::domain::text::for_display;
use crate::state::State;
use crate::state::palette::{Mode, Palette};

/// Draws the palette near the top of `area`.
pub fn draw(state: &State, p: &Palette, frame: &mut Frame<'_>, area: Rect) {
    let theme = &state.theme;
    let width = 80.min(area.width);
    let height = 18.min(area.height);
    let [row] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Start)
        .areas(Rect { y: area.y + area.height.saturating_sub(height).min(2), ..area });
    let [popup] = Layout::horizontal([Constraint::Length(width)]).flex(Flex::Center).areas(row);
    let title = match p.mode {
        Mode::Everything => " Ctrl-G · actions, snippets, articles, customers, dispositions ",
        Mode::SnippetsOnly => " Snippets · Enter inserts · Tab stacks · Ctrl-N new · Ctrl-E edit · Ctrl-D delete ",
    };
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(theme.focused_border)
        .title(Line::styled(title, theme.title));
    let inner = block.inner(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(block, popup);
    let [input_row, list_area] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    let [prompt, field] = Layout::horizontal([Constraint::Length(2), Constraint::Min(1)]).areas(input_row);
    frame.render_widget(Span::styled("› ", theme.key), prompt);
    let mut input = p.input.clone();
    input.set_cursor_line_style(ratatui::style::Style::new());
    input.set_placeholder_text("type to filter");
    input.set_placeholder_style(theme.dim);
    frame.render_widget(&input, field);
    if p.shown.is_empty() {
        frame.render_widget(Paragraph::new(Span::styled("Nothing matches.", theme.dim)), list_area);
        return;
    }
    let label_width = usize::from(list_area.width.saturating_sub(28));
    let items: Vec<ListItem<'_>> = p
        .shown
        .iter()
        .map(|e| {
            ListItem::new(Line::from(vec![
                Span::styled(format!("{:<12}", e.kind), theme.dim),
                Span::raw(format!("{:<label_width$}", super::truncate(&for_display(&e.label), label_width))),
                Span::styled(format!(" {}", super::truncate(&for_display(&e.detail), 14)), theme.key),
            ]))
        })
        .collect();
    let list = List::new(items).highlight_style(theme.selected);
    let mut list_state = ListState::default().with_selected(Some(p.selected));
    frame.render_stateful_widget(list, list_area, &mut list_state);
}
