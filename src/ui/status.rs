//! The status bar: workspace, open contact, and either a message or the focused pane's keys.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::action::Action;
use crate::domain::text::for_display;
use crate::domain::time::clock_duration;
use crate::domain::{ContactDetail, ContactStatus, Timers};
use crate::keymap::Scope;
use crate::state::{Pane, State, Tone};

/// The live handle timer, and the hold timer with the customer's hold today while on hold.
fn timer_spans(state: &State, open: &ContactDetail) -> Vec<Span<'static>> {
    let theme = &state.theme;
    let t = Timers::replay(&open.events, state.now());
    match open.contact.status {
        ContactStatus::Active => vec![Span::styled(format!("● {} ", clock_duration(t.handle)), theme.key)],
        ContactStatus::OnHold => {
            let today = open.customer_hold_today + t.hold;
            vec![
                Span::styled(format!("⏸ HOLD {} ", clock_duration(t.current_hold.unwrap_or(0))), theme.warning),
                Span::raw(format!("(hold today {}) ", clock_duration(today))),
                Span::styled(format!("● {} ", clock_duration(t.handle)), theme.key),
            ]
        }
        ContactStatus::WrapUp => vec![Span::styled(
            format!("✎ wrap-up {} · handle {} ", clock_duration(t.wrap_up.unwrap_or(0)), clock_duration(t.handle)),
            theme.warning,
        )],
        ContactStatus::Waiting => {
            // The key as bound, and where it works: in the Notes, `a` is a letter typed.
            let key = state.keymap.key_for(Scope::Queue, Action::AcceptSelected).unwrap_or_else(|| "a".into());
            let hint = if state.focus == Pane::Queue {
                format!("reading · {key} accepts ")
            } else {
                format!("reading · {key} (Queue) accepts ")
            };
            vec![Span::styled(hint, theme.dim)]
        }
        _ => vec![Span::styled(format!("{} ", open.contact.status.as_str()), theme.dim)],
    }
}

/// Draws the one-line status bar.
pub fn draw(state: &State, frame: &mut Frame<'_>, area: Rect) {
    let theme = &state.theme;
    let mut spans = vec![Span::styled(format!(" {} ", for_display(&state.workspace)), theme.title)];
    let shift = super::shift::status_spans(state);
    if !shift.is_empty() {
        spans.push(Span::raw("│ "));
        spans.extend(shift);
    }
    if let Some(team) = state.team {
        spans.push(Span::raw("│ "));
        let waiting = if team.pending > 0 { format!(" · {} to send", team.pending) } else { String::new() };
        if team.online {
            spans.push(Span::styled(format!("team online{waiting} "), theme.ok));
        } else {
            spans.push(Span::styled(format!("team OFFLINE{waiting} "), theme.warning));
        }
    }
    if let Some(open) = &state.open {
        spans.push(Span::raw("│ "));
        spans.extend(timer_spans(state, open));
        // A message needs the room more than the contact's summary, which the panes show.
        if state.flash.is_none() {
            let who = open.customer.as_ref().map_or_else(|| "no customer".into(), |c| for_display(&c.customer.name));
            let subject = super::truncate(&for_display(&open.contact.subject), 24);
            spans.push(Span::raw(format!("#{} {subject} · {who} ", open.contact.id)));
        }
    }
    spans.push(Span::raw("│ "));
    // Typing kept for a contact on its way: say so, so nothing seems lost meanwhile.
    if let Some(typed) = &state.work.taking {
        let typed = typed.rsplit('\n').next().unwrap_or_default();
        spans.push(Span::styled(format!("Taking the contact… {}", for_display(typed)), theme.warning));
        spans.push(Span::raw(" │ "));
    }
    match &state.flash {
        Some(flash) => spans
            .push(Span::styled(flash.text.clone(), if flash.tone == Tone::Error { theme.danger } else { theme.ok })),
        None => {
            // Whole hints only, the most useful first, as many as fit: never one cut mid-word.
            let mut used: usize = spans.iter().map(Span::width).sum();
            let room = usize::from(area.width);
            for (i, (key, desc)) in state.keymap.hints(state.scope()).into_iter().enumerate() {
                let sep = if i > 0 { " · " } else { "" };
                let hint_width = sep.chars().count() + key.chars().count() + 1 + desc.chars().count();
                if used + hint_width > room {
                    break;
                }
                used += hint_width;
                if i > 0 {
                    spans.push(Span::raw(sep));
                }
                spans.push(Span::styled(key, theme.key));
                spans.push(Span::raw(format!(" {desc}")));
            }
        }
    }
    frame.render_widget(Paragraph::new(super::fit_line(Line::from(spans), area.width)).style(theme.status_bar), area);
}
