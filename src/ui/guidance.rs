//! The bulletins and scripts overlays.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use crate::domain::text::for_display;
use crate::domain::time::local_datetime;
use crate::state::State;
use crate::state::guidance::{BulletinView, ScriptView, shown_bulletins};

fn popup(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))]).flex(Flex::Center).areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width.min(area.width))]).flex(Flex::Center).areas(row);
    popup
}

/// Policy updates and known incidents, unread ones at the start of the shift.
pub fn draw_bulletins(state: &State, view: &BulletinView, frame: &mut Frame<'_>, area: Rect) {
    let theme = &state.theme;
    let mut lines = Vec::new();
    let shown = shown_bulletins(state);
    if shown.is_empty() {
        lines.push(Line::styled("No active bulletins.", theme.dim));
    }
    for b in shown {
        let kind = if b.is_incident() { ("INCIDENT", theme.danger) } else { ("POLICY", theme.warning) };
        let until = b.ends_at.map(|e| format!(" until {}", local_datetime(e))).unwrap_or_default();
        lines.push(Line::from(vec![
            Span::styled(format!("{} ", kind.0), kind.1),
            Span::styled(for_display(&b.title), theme.title),
            Span::styled(if b.read { "" } else { "  new" }, theme.ok),
        ]));
        lines.push(Line::styled(format!("since {}{until}", local_datetime(b.starts_at)), theme.dim));
        for l in crate::domain::text::sanitize(&b.body).lines() {
            lines.push(Line::raw(l.to_string()));
        }
        lines.push(Line::raw(""));
    }
    let title = if view.unread_only {
        " New bulletins — Enter or Esc: read (F10 shows them again) "
    } else {
        " Bulletins — Esc closes "
    };
    let area = popup(area, 84, 30);
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(theme.focused_border)
        .title(Line::styled(title, theme.title));
    let inner = block.inner(area);
    let lines = super::wrap::wrap(&lines, inner.width);
    let (scroll, _) = super::clamp_scroll(view.scroll, lines.len(), inner.height);
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), area);
}

/// The checklist for the open contact; the selected step is always in view.
pub fn draw_scripts(state: &State, view: &ScriptView, frame: &mut Frame<'_>, area: Rect) {
    let theme = &state.theme;
    let names: Vec<Span<'static>> = view
        .scripts
        .iter()
        .enumerate()
        .map(|(i, s)| {
            Span::styled(
                format!(" {} ", for_display(&s.name)),
                if i == view.script { theme.selected } else { theme.dim },
            )
        })
        .collect();
    let hint = Line::styled(
        "Space ticks (written into the notes; again, or u, undoes) · ←/→ script · ↑/↓ step · Esc closes",
        theme.dim,
    );
    let inner_width = 80.min(area.width).saturating_sub(2);
    let mut lines = super::wrap::wrap(&[Line::from(names), Line::raw("")], inner_width);
    let mut selected_rows = (lines.len(), lines.len());
    if let Some(script) = view.scripts.get(view.script) {
        for (i, step) in script.steps.iter().enumerate() {
            let mark = if view.ticked(i) { "[x]" } else { "[ ]" };
            let required = if step.required { " (required)" } else { "" };
            let pointer = if i == view.step { "▶ " } else { "  " };
            let style = if i == view.step {
                theme.selected
            } else if view.ticked(i) {
                theme.dim
            } else {
                theme.text
            };
            let line = Line::from(vec![
                Span::styled(format!("{pointer}{mark} {}", for_display(&step.text)), style),
                Span::styled(required, theme.warning),
            ]);
            let start = lines.len();
            lines.extend(super::wrap::wrap(&[line], inner_width));
            if i == view.step {
                selected_rows = (start, lines.len());
            }
        }
    }
    // The keys' line wraps rather than lose its end on a narrow terminal (80 columns cut it
    // at "↑/↓ st").
    let hint = super::wrap::wrap(&[hint], inner_width);
    let hint_rows = u16::try_from(hint.len()).unwrap_or(1);
    let wanted = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX).saturating_add(hint_rows);
    let popup_area = popup(area, 80, wanted);
    let body_height = popup_area.height.saturating_sub(2 + hint_rows);
    let height = usize::from(body_height);
    let scroll = selected_rows.1.saturating_sub(height).min(selected_rows.0);
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(theme.focused_border)
        .title(Line::styled(" Scripts (F9) ", theme.title));
    let inner = block.inner(popup_area);
    frame.render_widget(Clear, popup_area);
    frame.render_widget(block, popup_area);
    let [body, footer] =
        ratatui::layout::Layout::vertical([Constraint::Min(1), Constraint::Length(hint_rows)]).areas(inner);
    let scroll = u16::try_from(scroll).unwrap_or(u16::MAX);
    frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), body);
    frame.render_widget(Paragraph::new(hint), footer);
}
