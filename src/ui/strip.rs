//! The strip of contacts in progress, with their live timers; F6 cycles through them.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::domain::text::for_display;
use crate::domain::time::clock_duration;
use crate::domain::{ContactStatus, Timers};
use crate::state::{State, contact};

/// Draws one line: each contact in progress with its channel, customer and timer. When
/// they do not all fit, the contact on screen stays in view and the line says how many more
/// there are (F6 reaches them).
pub fn draw(state: &State, frame: &mut Frame<'_>, area: Rect) {
    let theme = &state.theme;
    let items: Vec<(String, bool)> = state
        .work
        .strip
        .iter()
        .enumerate()
        .filter_map(|(i, id)| {
            let detail = contact::strip_detail(state, *id)?;
            let timers = Timers::replay(&detail.events, state.now());
            let who =
                detail.customer.as_ref().map_or_else(|| "no customer".to_string(), |c| for_display(&c.customer.name));
            let marker = match detail.contact.status {
                ContactStatus::OnHold => format!("⏸ {}", clock_duration(timers.current_hold.unwrap_or(0))),
                ContactStatus::WrapUp => format!("✎ {}", clock_duration(timers.handle)),
                _ => format!("● {}", clock_duration(timers.handle)),
            };
            let text = format!(" {} {} {} {marker} ", i + 1, detail.contact.channel.label(), short_name(&who));
            Some((text, state.open_contact_id() == Some(*id)))
        })
        .collect();
    let head = " In progress: ";
    let tail = " F6 next";
    let room = usize::from(area.width).saturating_sub(head.len() + tail.len());
    let (from, to) = visible_range(&items, room);
    let mut spans = vec![Span::styled(head, theme.dim)];
    for (text, current) in &items[from..to] {
        spans.push(Span::styled(text.clone(), if *current { theme.selected } else { theme.text }));
        spans.push(Span::raw(" "));
    }
    let hidden = items.len() - (to - from);
    if hidden > 0 {
        spans.push(Span::styled(format!("+{hidden} more"), theme.warning));
    }
    spans.push(Span::styled(tail, theme.dim));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The first word of a name, or the whole name when that word is no name ("+1 (617)
/// 555-0188" showed as "+1").
fn short_name(who: &str) -> String {
    match who.split_whitespace().next() {
        Some(first) if first.chars().any(char::is_alphabetic) => first.to_string(),
        _ => who.chars().take(16).collect(),
    }
}

/// The items that fit in `room` columns (each followed by a space, and room kept for a
/// "+N more"), from the first, or shifted so the current one is in view.
fn visible_range(items: &[(String, bool)], room: usize) -> (usize, usize) {
    let width = |text: &str| Span::raw(text).width() + 1;
    let more = " +99 more".len();
    let fits = |from: usize, to: usize| {
        let used: usize = items[from..to].iter().map(|(t, _)| width(t)).sum();
        used + if to - from < items.len() { more } else { 0 } <= room
    };
    let current = items.iter().position(|(_, c)| *c).unwrap_or(0);
    let mut from = 0;
    while from < current && !fits(from, current + 1) {
        from += 1;
    }
    let mut to = from;
    while to < items.len() && fits(from, to + 1) {
        to += 1;
    }
    (from, to.max(from))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(n: usize, current: usize) -> Vec<(String, bool)> {
        (0..n).map(|i| (format!("{i:>19}"), i == current)).collect()
    }

    #[test]
    fn what_does_not_fit_is_counted_and_the_contact_on_screen_stays_in_view() {
        // Each item takes 20 columns; "+N more" takes 9.
        assert_eq!(visible_range(&items(3, 0), 60), (0, 3), "all fit, no count needed");
        assert_eq!(visible_range(&items(7, 0), 70), (0, 3));
        assert_eq!(visible_range(&items(7, 6), 70), (4, 7), "the current one, last, is shown");
        assert_eq!(visible_range(&items(7, 2), 70), (0, 3));
    }

    #[test]
    fn a_name_that_is_a_phone_number_is_shown_whole() {
        assert_eq!(short_name("Grace Mensah"), "Grace");
        assert_eq!(short_name("+1 (617) 555-0188"), "+1 (617) 555-018");
    }
}
