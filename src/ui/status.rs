//! The status bar: workspace, open contact, and either a message or the focused pane's keys.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::domain::text::for_display;
use crate::state::{State, Tone};

/// Draws the one-line status bar.
pub fn draw(state: &State, frame: &mut Frame<'_>, area: Rect) {
    let theme = &state.theme;
    let mut spans = vec![Span::styled(format!(" {} ", for_display(&state.workspace)), theme.title)];
    if let Some(open) = &state.open {
        let who = open.customer.as_ref().map(|c| for_display(&c.customer.name)).unwrap_or_else(|| "no customer".into());
        spans.push(Span::raw(format!(
            "│ #{} {} · {} ",
            open.contact.id,
            super::truncate(&for_display(&open.contact.subject), 28),
            who
        )));
    }
    spans.push(Span::raw("│ "));
    match &state.flash {
        Some(flash) => spans
            .push(Span::styled(flash.text.clone(), if flash.tone == Tone::Error { theme.danger } else { theme.ok })),
        None => {
            for (i, (key, desc)) in state.keymap.hints(state.scope()).into_iter().enumerate() {
                if i > 0 {
                    spans.push(Span::raw(" · "));
                }
                spans.push(Span::styled(key, theme.key));
                spans.push(Span::raw(format!(" {desc}")));
            }
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(theme.status_bar), area);
}
