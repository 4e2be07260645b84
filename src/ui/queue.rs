//! The Queue pane: waiting contacts with live waiting times.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState, Wrap};

use crate::domain::text::for_display;
use crate::domain::time::compact_duration;
use crate::domain::{ContactStatus, QueueRow};
use crate::state::{Pane, State};
use crate::store::contacts::{QueueFilter, QueueView};

/// Below this inner width the queue drops the priority and full channel names.
const WIDE: u16 = 56;

/// Draws the queue, or what to do when it is empty; returns where the rows were drawn.
pub fn draw(state: &State, frame: &mut Frame<'_>, area: Rect) -> Rect {
    let q = &state.queue;
    let theme = &state.theme;
    let block = super::pane_block(state, Pane::Queue, Line::from(title_spans(state)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let filter_height = u16::from(q.filter_input.is_some());
    let [filter_row, list_area] =
        Layout::vertical([Constraint::Length(filter_height), Constraint::Min(0)]).areas(inner);
    if let Some(input) = &q.filter_input {
        let [label, field] = Layout::horizontal([Constraint::Length(8), Constraint::Min(1)]).areas(filter_row);
        frame.render_widget(Span::styled("Filter: ", theme.key), label);
        frame.render_widget(input, field);
    }
    if !q.loaded {
        frame.render_widget(Paragraph::new(Span::styled("Loading…", theme.dim)), list_area);
        return list_area;
    }
    if q.rows.is_empty() {
        let text = if q.filter == QueueFilter::default() {
            empty_text(state)
        } else {
            Text::from(Line::styled("Nothing matches this view or filter (s, c, f change it).", theme.dim))
        };
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), list_area);
        return list_area;
    }
    let wide = list_area.width >= WIDE;
    // Cells are cut with "…" here (a table cell would just stop mid-word).
    let fixed: u16 = if wide { 2 + 7 + 16 + 6 + 4 } else { 4 + 11 + 5 + 3 };
    let subject_width = usize::from(list_area.width.saturating_sub(fixed));
    let rows = q.rows.iter().map(|r| row(state, r, wide, subject_width));
    let widths: Vec<Constraint> = if wide {
        vec![
            Constraint::Length(2),
            Constraint::Length(7),
            Constraint::Length(16),
            Constraint::Fill(1),
            Constraint::Length(6),
        ]
    } else {
        vec![Constraint::Length(4), Constraint::Length(11), Constraint::Fill(1), Constraint::Length(5)]
    };
    let table = Table::new(rows, widths).column_spacing(1).row_highlight_style(if state.focus == Pane::Queue {
        theme.selected
    } else {
        theme.title
    });
    let mut table_state = TableState::default().with_selected(Some(q.selected));
    frame.render_stateful_widget(table, list_area, &mut table_state);
    list_area
}

/// The title's view, channel and text filter.
fn title_spans(state: &State) -> Vec<Span<'static>> {
    let q = &state.queue;
    let theme = &state.theme;
    let mut extra = Vec::new();
    if q.loaded {
        let f = &q.filter;
        let view = match (f.view, f.channel.is_some() || !f.text.is_empty()) {
            (QueueView::Waiting, false) => format!("{} waiting", q.waiting),
            // Filtered: how many match, out of how many wait.
            (QueueView::Waiting, true) => format!("{} of {} waiting", q.rows.len(), q.waiting),
            (view, _) => format!("{} {}", view.label(), q.rows.len()),
        };
        extra.push(Span::styled(format!("{view} "), theme.dim));
        if let Some(c) = f.channel {
            extra.push(Span::styled(format!("· {} ", c.label()), theme.warning));
        }
        if !f.text.is_empty() {
            extra.push(Span::styled(format!("· “{}” ", for_display(&f.text)), theme.warning));
        }
    }
    extra
}

/// One queue row: priority and channel, customer, subject, and the waiting time coloured
/// against the SLA target for its priority.
fn row<'a>(state: &State, r: &'a QueueRow, wide: bool, subject_width: usize) -> Row<'a> {
    let theme = &state.theme;
    let now = state.now();
    let waited = now - r.created_at;
    let who = r.customer_name.as_deref().map_or_else(|| "unknown".to_string(), for_display);
    let urgency = match r.priority {
        0 | 1 => theme.danger,
        2 => theme.warning,
        _ => theme.text,
    };
    let target = state.lists.sla_targets.get(usize::from(r.priority.saturating_sub(1))).copied().unwrap_or(i64::MAX);
    // Waiting time turns warning at three quarters of the SLA target, breach colour past it.
    let sla = if r.status != ContactStatus::Waiting || r.follow_up.is_some() {
        theme.dim
    } else if waited > target {
        theme.danger
    } else if waited * 4 >= target * 3 {
        theme.warning
    } else {
        theme.text
    };
    let subject = match &r.follow_up {
        Some(_) => format!("⚑ follow-up due · {}", for_display(&r.subject)),
        None => for_display(&r.subject),
    };
    let age = match (&r.follow_up, r.status) {
        (Some(f), _) => compact_duration(now - f.due_at),
        (None, ContactStatus::Waiting) => compact_duration(waited),
        // Short enough for the narrow column: live, hold, acw, done, esc, xfer.
        (None, status) => short_status(status).to_string(),
    };
    let mut cells = Vec::new();
    if wide {
        cells.push(Cell::from(Span::styled(format!("P{}", r.priority), urgency)));
        cells.push(Cell::from(r.channel.label()));
    } else {
        // Urgency is also a glyph, so it reads without colour (NO_COLOR, monochrome).
        let mark = match r.priority {
            0 | 1 => "!!",
            2 => "! ",
            _ => "  ",
        };
        cells.push(Cell::from(Span::styled(format!("{}{mark}", short_channel(r.channel)), urgency)));
    }
    cells.push(Cell::from(super::truncate(&who, if wide { 16 } else { 11 })));
    cells.push(Cell::from(super::truncate(&subject, subject_width)));
    cells.push(Cell::from(Line::from(Span::styled(age, sla)).right_aligned()));
    Row::new(cells)
}

fn short_status(status: ContactStatus) -> &'static str {
    match status {
        ContactStatus::Waiting => "wait",
        ContactStatus::Active => "live",
        ContactStatus::OnHold => "hold",
        ContactStatus::WrapUp => "acw",
        ContactStatus::Resolved => "done",
        ContactStatus::Escalated => "esc",
        ContactStatus::Transferred => "xfer",
    }
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

/// An empty workspace says what to do next instead of showing a blank pane (short enough
/// for the pane at 80×24).
fn empty_text(state: &State) -> Text<'static> {
    let theme = &state.theme;
    let mut lines = vec![
        Line::styled("No contacts waiting.", theme.title),
        Line::from(vec![Span::styled("F3", theme.key), Span::raw(" logs a call or walk-in now;")]),
        Line::styled(format!(" {}", state.invocation.command("import contacts FILE")), theme.code),
    ];
    if state.queue.articles == 0 {
        lines.push(Line::raw("Import help-centre articles:"));
        lines.push(Line::styled(format!(" {}", state.invocation.command("import kb FOLDER")), theme.code));
    }
    lines.push(Line::styled("New contacts show up here by themselves.", theme.dim));
    lines.push(Line::styled("Just looking? frontline --demo", theme.dim));
    Text::from(lines)
}
