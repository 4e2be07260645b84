//! The help overlay, generated from the live keymap.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use crate::keymap::Scope;
use crate::state::State;

const SCOPES: [Scope; 6] =
    [Scope::Global, Scope::Queue, Scope::Customer, Scope::Knowledge, Scope::Reader, Scope::Notes];

/// The help text: every binding of every scope with its description, the description
/// wrapped under itself (not under the keys) to fit `width` columns.
pub fn lines(state: &State, width: u16) -> Vec<Line<'static>> {
    const KEYS: usize = 18;
    let theme = &state.theme;
    let mut out = Vec::new();
    for scope in SCOPES {
        if !out.is_empty() {
            out.push(Line::raw(""));
        }
        out.push(Line::styled(scope.title(), theme.heading));
        for b in state.keymap.in_scope(scope) {
            let keys = b.keys.iter().map(crate::keymap::Key::label).collect::<Vec<_>>().join(" / ");
            let desc_width = usize::from(width).saturating_sub(KEYS).max(10);
            let wrapped = super::wrap::wrap(&[Line::raw(b.desc)], u16::try_from(desc_width).unwrap_or(u16::MAX));
            for (i, part) in wrapped.into_iter().enumerate() {
                let lead =
                    if i == 0 { Span::styled(format!("  {keys:<16}"), theme.key) } else { Span::raw(" ".repeat(KEYS)) };
                let mut spans = vec![lead];
                spans.extend(part.spans);
                out.push(Line::from(spans));
            }
        }
    }
    out.push(Line::raw(""));
    out.push(Line::styled("In the notes editor: arrows, Ctrl-←/→ by word, Ctrl-U undo, Ctrl-R redo.", theme.dim));
    out
}

/// Draws the overlay centred over `area`, scrolled by `scroll` lines.
pub fn draw(state: &State, frame: &mut Frame<'_>, area: Rect, scroll: u16) {
    let width = 72.min(area.width);
    let body = super::wrap::wrap(&lines(state, width.saturating_sub(2)), width.saturating_sub(2));
    let height = u16::try_from(body.len() + 2).unwrap_or(u16::MAX).min(area.height);
    let [row] = Layout::vertical([Constraint::Length(height)]).flex(Flex::Center).areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width)]).flex(Flex::Center).areas(row);
    let scrolls = body.len() > usize::from(height.saturating_sub(2));
    let title = if scrolls { " Keys — j/k or PgUp/PgDn scroll · Esc closes " } else { " Keys — Esc closes " };
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(state.theme.focused_border)
        .title(Line::styled(title, state.theme.title));
    let (scroll, _) = super::clamp_scroll(scroll, body.len(), height.saturating_sub(2));
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(body).block(block).scroll((scroll, 0)), popup);
}
