//! The strip of contacts in progress, with their live timers; F6 cycles through them.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::domain::text::for_display;
use crate::domain::time::clock_duration;
use crate::domain::{ContactStatus, Timers};
use crate::state::{State, contact};

/// Draws one line: each contact in progress with its channel, customer and timer.
pub fn draw(state: &State, frame: &mut Frame<'_>, area: Rect) {
    let theme = &state.theme;
    let mut spans = vec![Span::styled(" In progress: ", theme.dim)];
    for (i, id) in state.work.strip.iter().enumerate() {
        let Some(detail) = contact::strip_detail(state, *id) else { continue };
        let timers = Timers::replay(&detail.events, state.now());
        let who = detail.customer.as_ref().map_or_else(|| "no customer".to_string(), |c| for_display(&c.customer.name));
        let first_name = who.split_whitespace().next().unwrap_or("").to_string();
        let marker = match detail.contact.status {
            ContactStatus::OnHold => format!("⏸ {}", clock_duration(timers.current_hold.unwrap_or(0))),
            ContactStatus::WrapUp => format!("✎ {}", clock_duration(timers.handle)),
            _ => format!("● {}", clock_duration(timers.handle)),
        };
        let text = format!(" {} {} {first_name} {marker} ", i + 1, detail.contact.channel.label());
        let current = state.open_contact_id() == Some(*id);
        spans.push(Span::styled(text, if current { theme.selected } else { theme.text }));
        spans.push(Span::raw(" "));
    }
    spans.push(Span::styled(" F6 next", theme.dim));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
