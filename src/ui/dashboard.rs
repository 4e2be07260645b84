//! "My numbers": today against this week, per channel, and the day's trends.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use crate::domain::metrics::Trend;
use crate::domain::text::for_display;
use crate::state::State;
use crate::state::dashboard::Dashboard;
use crate::theme::Theme;

/// Draws the dashboard centred over `area`.
pub fn draw(state: &State, d: &Dashboard, frame: &mut Frame<'_>, area: Rect) {
    let theme = &state.theme;
    let lines = match &d.data {
        None => vec![Line::styled("Counting…", theme.dim)],
        Some(data) => {
            let mut out = vec![Line::from(vec![
                Span::styled(format!("{:<22}", ""), theme.title),
                Span::styled(format!("{:>12}", "Today"), theme.title),
                Span::styled(format!("{:>12}", "This week"), theme.title),
            ])];
            let (today, week) = (data.today.figures.total.cells(), data.week.figures.total.cells());
            for ((name, today), week) in ROWS.iter().zip(today).zip(week) {
                out.push(Line::from(vec![
                    Span::raw(format!("{name:<22}")),
                    Span::styled(format!("{today:>12}"), theme.key),
                    Span::raw(format!("{week:>12}")),
                ]));
            }
            out.push(Line::raw(""));
            let (label, report) = if d.week { ("This week", &data.week) } else { ("Today", &data.today) };
            out.push(Line::styled(format!("By channel — {label} (←/→ switches)"), theme.heading));
            out.push(Line::styled(
                format!(
                    "{:<10}{:>8}{:>8}{:>8}{:>8}{:>7}{:>7}{:>5}",
                    "", "handled", "AHT", "ASA", "hold", "FCR", "CSAT", "SLA"
                ),
                theme.dim,
            ));
            for (channel, f) in report.figures.by_channel.iter().filter(|(_, f)| f.handled > 0) {
                let [handled, aht, asa, hold, fcr, csat, sla, ..] = f.cells();
                let label = channel.label();
                out.push(Line::raw(format!(
                    "{label:<10}{handled:>8}{aht:>8}{asa:>8}{hold:>8}{fcr:>7}{csat:>7}{sla:>5}"
                )));
            }
            if report.figures.total.handled == 0 {
                out.push(Line::styled("No contacts ended in this period yet.", theme.dim));
            }
            if !data.week.qa_most_missed.is_empty() {
                let missed: Vec<String> = data
                    .week
                    .qa_most_missed
                    .iter()
                    .take(3)
                    .map(|(c, n)| format!("{} ({n})", c.replace('_', " ")))
                    .collect();
                out.push(Line::styled(format!("QA most often missed this week: {}", missed.join(", ")), theme.warning));
            }
            out.push(Line::raw(""));
            out.push(Line::styled("Today's topics, against the previous 7 days", theme.heading));
            trend_lines(&data.trends.tags, "tag", theme, &mut out);
            trend_lines(&data.trends.dispositions, "disposition", theme, &mut out);
            out
        }
    };
    // Never over the status bar (and the strip above the panes): they stay readable.
    let height = u16::try_from(lines.len() + 3).unwrap_or(u16::MAX).min(area.height.saturating_sub(2));
    let width = 72.min(area.width);
    let [row] = Layout::vertical([Constraint::Length(height)]).flex(Flex::Center).areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width)]).flex(Flex::Center).areas(row);
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(theme.focused_border)
        .title(Line::styled(" My numbers — Esc closes ", theme.title));
    let (scroll, _) = super::clamp_scroll(d.scroll, lines.len(), height.saturating_sub(2));
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), popup);
}

/// Row names, in the order of [`Figures::cells`].
const ROWS: [&str; 9] = [
    "Contacts handled",
    "Avg handle time",
    "Avg speed of answer",
    "Hold time (total)",
    "First-contact res.",
    "CSAT",
    "SLA breaches",
    "Schedule adherence",
    "QA score",
];

/// "12 contacts about cancel_button, usually 1.0 a day", unusual ones highlighted.
fn trend_lines(trends: &[Trend], kind: &str, theme: &Theme, out: &mut Vec<Line<'static>>) {
    for t in trends.iter().take(5) {
        // Three times the usual rate (and more than a couple) is worth telling the product team.
        let unusual = t.today as f64 >= 3.0 * t.usual_per_day.max(1.0) && t.today >= 3;
        let style = if unusual { theme.warning } else { theme.text };
        out.push(Line::from(vec![
            Span::styled(format!("{:>4} ", t.today), style),
            Span::styled(format!("{kind} {}", for_display(&t.name)), style),
            Span::styled(format!(", usually {:.1} a day", t.usual_per_day), theme.dim),
        ]));
    }
}
