//! The shift overlays (status picker, kudos, QA self-review) and the status bar's status.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use crate::domain::shift::RepState;
use crate::domain::text::for_display;
use crate::domain::time::{clock_duration, compact_duration, local_datetime};
use crate::state::State;
use crate::theme::Theme;

/// "● Available 1:02:03 · break in 4m" for the status bar.
pub fn status_spans(state: &State) -> Vec<Span<'static>> {
    let theme = &state.theme;
    let now = state.now();
    let mut spans = Vec::new();
    if let Some((status, since)) = state.shift.status {
        let style = match status {
            RepState::Available => theme.ok,
            RepState::OnContact | RepState::AfterContactWork => theme.key,
            RepState::Offline => theme.dim,
            _ => theme.warning,
        };
        spans.push(Span::styled(format!("{} {} ", status.label(), clock_duration(now - since)), style));
    }
    if let Some((activity, starts)) = state.shift.next_block {
        let within = starts - now;
        // Only worth the room when it is coming up.
        if (0..=30 * 60).contains(&within) {
            let style = if within <= 5 * 60 { theme.warning } else { theme.dim };
            spans.push(Span::styled(format!("{} in {} ", activity.as_str(), compact_duration(within)), style));
        }
    }
    spans
}

fn popup(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))]).flex(Flex::Center).areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width.min(area.width))]).flex(Flex::Center).areas(row);
    popup
}

fn boxed(frame: &mut Frame<'_>, area: Rect, title: &str, lines: Vec<Line<'static>>, theme: &Theme) {
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(theme.focused_border)
        .title(Line::styled(title.to_string(), theme.title));
    let inner = block.inner(area);
    let lines = super::wrap::wrap(&lines, inner.width);
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// The status picker.
pub fn draw_picker(state: &State, selected: usize, frame: &mut Frame<'_>, area: Rect) {
    let theme = &state.theme;
    let mut lines: Vec<Line<'static>> = RepState::ALL
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let current = state.shift.status.is_some_and(|(c, _)| c == *s);
            let text = format!(" {}{} ", s.label(), if current { "  (now)" } else { "" });
            Line::styled(text, if i == selected { theme.selected } else { theme.text })
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled("Enter sets it · Esc keeps the current one", theme.dim));
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    boxed(frame, popup(area, 44, height), " My status ", lines, theme);
}

/// The kept thank-yous.
pub fn draw_kudos(state: &State, kudos: &[crate::domain::shift::Kudos], frame: &mut Frame<'_>, area: Rect) {
    let theme = &state.theme;
    let mut lines = Vec::new();
    if kudos.is_empty() {
        lines.push(Line::styled("No kudos yet. Keep a thank-you at wrap-up (F5, Kudos).", theme.dim));
    }
    for k in kudos {
        let who = k.customer_name.as_deref().map(for_display).unwrap_or_default();
        lines.push(Line::styled(format!("{} {who}", local_datetime(k.at)), theme.dim));
        lines.push(Line::raw(format!("“{}”", for_display(&k.text))));
        lines.push(Line::raw(""));
    }
    boxed(frame, popup(area, 76, 24), " Kudos — Esc closes ", lines, theme);
}

/// The QA self-review form.
pub fn draw_review(state: &State, form: &crate::state::shift::ReviewForm, frame: &mut Frame<'_>, area: Rect) {
    let theme = &state.theme;
    let mut lines = vec![Line::styled(format!("Contact #{}", form.contact), theme.dim), Line::raw("")];
    for (i, (c, mark)) in form.criteria.iter().zip(&form.marks).enumerate() {
        let (text, style) = match mark {
            Some(true) => ("met", theme.ok),
            Some(false) => ("missed", theme.danger),
            None => ("n/a", theme.dim),
        };
        let name_style = if i == form.selected { theme.selected } else { theme.text };
        lines.push(Line::from(vec![
            Span::styled(format!(" {:<22}", c.label()), name_style),
            Span::styled(format!("{text:<8}"), style),
            Span::styled(format!("weight {}", c.weight), theme.dim),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("Space: met → missed → n/a · Enter saves · Esc cancels", theme.dim));
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    boxed(frame, popup(area, 60, height), " QA self-review ", lines, theme);
}

pub fn draw_schedule(state: &State, view: &crate::state::shift::ScheduleView, frame: &mut Frame<'_>, area: Rect) {
    use crate::domain::shift::Activity;
    let theme = &state.theme;
    let now = state.now();
    let hm = |t: i64| crate::domain::time::local_datetime(t).chars().skip(11).collect::<String>();
    let mut lines = Vec::new();
    if view.blocks.is_empty() {
        let import = state.invocation.command("schedule import FILE");
        lines.push(Line::styled(format!("Nothing scheduled today. a adds a block; {import} loads a day."), theme.dim));
    }
    for (i, b) in view.blocks.iter().enumerate() {
        let now_marker = if (b.start_at..b.end_at).contains(&now) { "▸" } else { " " };
        let style = if i == view.selected { theme.selected } else { theme.text };
        lines.push(Line::styled(
            format!("{now_marker} {}–{}  {}", hm(b.start_at), hm(b.end_at), b.activity.as_str()),
            style,
        ));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!("Adherence so far today: {}", crate::domain::metrics::show_percent(view.adherence)),
        theme.key,
    ));
    if let Some(form) = &view.adding {
        lines.push(Line::raw(""));
        let field = |i: usize, name: &str, value: String| {
            let style = if form.field == i { theme.selected } else { theme.text };
            Line::from(vec![
                Span::styled(format!(" {name:<10}"), theme.title),
                Span::styled(format!(" {value} "), style),
            ])
        };
        lines.push(field(0, "Start", crate::state::forms::field_text(&form.start)));
        lines.push(field(1, "End", crate::state::forms::field_text(&form.end)));
        lines.push(field(2, "Activity", Activity::ALL[form.activity % Activity::ALL.len()].as_str().to_string()));
        lines.push(Line::styled(
            "Times like 9:00 or 13:30 · Tab moves · ←/→ activity · Enter adds · Esc cancels",
            theme.dim,
        ));
    } else {
        lines.push(Line::styled("a add a block · d remove the selected one · Esc closes", theme.dim));
    }
    if let Some(e) = &view.error {
        lines.push(Line::styled(e.clone(), theme.danger));
    }
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    boxed(frame, popup(area, 70, height), " Today's schedule ", lines, theme);
}
