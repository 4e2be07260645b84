//! The Queue pane: waiting contacts with live waiting times.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState, Wrap};

use crate::domain::text::for_display;
use crate::domain::time::compact_duration;
use crate::state::{Pane, State};

/// Below this inner width the queue drops the priority and full channel names.
const WIDE: u16 = 56;

/// Draws the queue, or what to do when it is empty.
pub fn draw(state: &State, frame: &mut Frame<'_>, area: Rect) {
    let q = &state.queue;
    let theme = &state.theme;
    let extra = if q.loaded { Span::styled(format!("{} waiting ", q.waiting), theme.dim) } else { Span::raw("") };
    let block = super::pane_block(state, Pane::Queue, Line::from(extra));
    if !q.loaded {
        frame.render_widget(Paragraph::new(Span::styled("Loading…", theme.dim)).block(block), area);
        return;
    }
    if q.rows.is_empty() {
        frame.render_widget(Paragraph::new(empty_text(state)).wrap(Wrap { trim: true }).block(block), area);
        return;
    }
    let inner_width = area.width.saturating_sub(2);
    let wide = inner_width >= WIDE;
    let now = state.now();
    let rows = q.rows.iter().map(|r| {
        let waited = now - r.created_at;
        let who = r.customer_name.as_deref().map_or_else(|| "unknown".to_string(), for_display);
        let urgency = if r.priority <= 1 {
            theme.danger
        } else if r.priority == 2 {
            theme.warning
        } else {
            theme.text
        };
        let mut cells = Vec::new();
        if wide {
            cells.push(Cell::from(Span::styled(format!("P{}", r.priority), urgency)));
            cells.push(Cell::from(r.channel.label()));
        } else {
            cells.push(Cell::from(Span::styled(short_channel(r.channel), urgency)));
        }
        cells.push(Cell::from(who));
        cells.push(Cell::from(for_display(&r.subject)));
        cells.push(Cell::from(Line::from(compact_duration(waited)).right_aligned()));
        Row::new(cells)
    });
    let widths: Vec<Constraint> = if wide {
        vec![
            Constraint::Length(2),
            Constraint::Length(7),
            Constraint::Length(16),
            Constraint::Fill(1),
            Constraint::Length(6),
        ]
    } else {
        vec![Constraint::Length(2), Constraint::Length(11), Constraint::Fill(1), Constraint::Length(5)]
    };
    let table = Table::new(rows, widths)
        .block(block)
        .column_spacing(1)
        .row_highlight_style(if state.focus == Pane::Queue { theme.selected } else { theme.title });
    let mut table_state = TableState::default().with_selected(Some(q.selected));
    frame.render_stateful_widget(table, area, &mut table_state);
}

fn short_channel(channel: crate::domain::Channel) -> &'static str {
    use crate::domain::Channel;
    match channel {
        Channel::Phone => "PH",
        Channel::Email => "EM",
        Channel::Chat => "CH",
        Channel::Social => "SO",
        Channel::InPerson => "WI",
    }
}

/// An empty workspace says what to do next instead of showing a blank pane.
fn empty_text(state: &State) -> Text<'static> {
    let theme = &state.theme;
    let mut lines = vec![
        Line::styled("No contacts waiting.", theme.title),
        Line::raw(""),
        Line::raw("Log a call or walk-in from a shell:"),
        Line::styled("  frontline contact new --channel phone --subject \"…\"", theme.code),
        Line::raw("Or bring contacts in:"),
        Line::styled("  frontline import contacts FILE.csv", theme.code),
    ];
    if state.queue.articles == 0 {
        lines.push(Line::raw("Import your help-centre articles:"));
        lines.push(Line::styled("  frontline import kb FOLDER", theme.code));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("New contacts appear here within a second. Try the demo: frontline --demo", theme.dim));
    Text::from(lines)
}
