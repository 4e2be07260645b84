//! Drawing: pure functions from [`State`] to a frame. Nothing here touches the database.

mod customer;
mod dashboard;
mod forms;
mod guidance;
mod help;
mod knowledge;
mod notes;
mod palette;
mod queue;
mod shift;
mod status;
mod strip;
pub mod wrap;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};

pub use crate::state::layout::DrawInfo;
use crate::state::overlay::Overlay;
use crate::state::{Pane, State};
use crate::theme::Theme;

/// Below this size the panes cannot show anything useful; a one-line notice is drawn.
const MIN_WIDTH: u16 = 40;
const MIN_HEIGHT: u16 = 8;

/// Draws the whole workstation and reports the measurements made on the way.
pub fn draw(state: &State, frame: &mut Frame<'_>) -> DrawInfo {
    let area = frame.area();
    let theme = &state.theme;
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let notice = Paragraph::new(Line::from(vec![
            Span::styled("Frontline", theme.title),
            Span::raw(format!(" needs {MIN_WIDTH}×{MIN_HEIGHT}; Ctrl-Q quits")),
        ]));
        frame.render_widget(notice, area);
        return DrawInfo::default();
    }
    let strip_height = u16::from(!state.work.strip.is_empty());
    let [strip_area, main, status_area] =
        Layout::vertical([Constraint::Length(strip_height), Constraint::Min(1), Constraint::Length(1)]).areas(area);
    if strip_height > 0 {
        strip::draw(state, frame, strip_area);
    }
    let [left, right] = Layout::horizontal([Constraint::Percentage(42), Constraint::Percentage(58)]).areas(main);
    // While an article is open and focused, it takes most of the left column.
    let reading = state.focus == Pane::Knowledge && state.knowledge.reading.is_some();
    let (queue_share, kb_share) = if reading { (30, 70) } else { (50, 50) };
    let [queue_area, kb_area] =
        Layout::vertical([Constraint::Percentage(queue_share), Constraint::Percentage(kb_share)]).areas(left);
    let [customer_area, notes_area] =
        Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(right);

    let queue_rows = queue::draw(state, frame, queue_area);
    let customer_max_scroll = customer::draw(state, frame, customer_area);
    let reader_scroll = knowledge::draw(state, frame, kb_area);
    notes::draw(state, frame, notes_area);
    status::draw(state, frame, status_area);
    // Overlays in the order they were opened: the one that takes the keys is drawn last.
    // They cover the panes only: the status bar below says what a key on them did (a
    // script's tick, an error) and the strip above which contacts are in progress.
    for overlay in state.overlays.iter() {
        draw_overlay(state, overlay, frame, main);
    }
    match &state.quit {
        crate::state::quit::QuitPhase::Asking { error } => forms::draw_unsaved(state, error.as_deref(), frame, main),
        crate::state::quit::QuitPhase::ConfirmWork => forms::draw_confirm_quit(state, frame, main),
        _ => {}
    }
    let panes = [
        (Pane::Queue, queue_area),
        (Pane::Customer, customer_area),
        (Pane::Knowledge, kb_area),
        (Pane::Notes, notes_area),
    ];
    DrawInfo { customer_max_scroll, reader_scroll, panes, queue_rows }
}

/// Draws one overlay over the panes.
fn draw_overlay(state: &State, overlay: &Overlay, frame: &mut Frame<'_>, area: Rect) {
    match overlay {
        Overlay::Form(modal) => forms::draw(state, modal, frame, area),
        Overlay::Dashboard(d) => dashboard::draw(state, d, frame, area),
        Overlay::Scripts(view) => guidance::draw_scripts(state, view, frame, area),
        Overlay::Bulletins(view) => guidance::draw_bulletins(state, view, frame, area),
        Overlay::StatusPicker(selected) => shift::draw_picker(state, *selected, frame, area),
        Overlay::Kudos(kudos) => shift::draw_kudos(state, kudos, frame, area),
        Overlay::Review(form) => shift::draw_review(state, form, frame, area),
        Overlay::Schedule(view) => shift::draw_schedule(state, view, frame, area),
        Overlay::Palette(p) => palette::draw(state, p, frame, area),
        Overlay::Help(scroll) => help::draw(state, frame, area, *scroll),
    }
}

/// A pane's frame: a heavy cyan border and a marked title when focused, dim otherwise.
fn pane_block<'a>(state: &State, pane: Pane, extra: impl Into<Line<'a>>) -> Block<'a> {
    let theme: &Theme = &state.theme;
    let focused = state.focus == pane;
    let mut title = vec![if focused {
        Span::styled(format!("▶ {} ", pane.title()), theme.focused_border)
    } else {
        Span::styled(format!(" {} ", pane.title()), theme.title)
    }];
    title.extend(extra.into().spans);
    Block::bordered()
        .border_type(if focused { BorderType::Thick } else { BorderType::Plain })
        .border_style(if focused { theme.focused_border } else { theme.border })
        .title(Line::from(title))
}

/// Truncates text to `width` display columns, ending with `…` when cut.
fn truncate(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for g in unicode_segmentation::UnicodeSegmentation::graphemes(text, true) {
        let w = g.width();
        if used + w + 1 > width {
            break;
        }
        out.push_str(g);
        used += w;
    }
    if width > 0 {
        out.push('…');
    }
    out
}

/// Cuts a line to `width` columns, ending it with `…` when something was cut, so the status
/// bar never stops mid-word without saying so.
fn fit_line(line: Line<'static>, width: u16) -> Line<'static> {
    let width = usize::from(width);
    if line.width() <= width {
        return line;
    }
    let mut spans = Vec::new();
    let mut used = 0;
    for span in line.spans {
        let room = width.saturating_sub(used);
        let w = span.width();
        if w < room {
            used += w;
            spans.push(span);
        } else {
            spans.push(Span::styled(truncate(&span.content, room), span.style));
            break;
        }
    }
    Line::from(spans)
}

/// Scroll offset clamped to the content, and the largest one, for a paragraph of
/// `lines` rendered lines in a viewport of `height`.
fn clamp_scroll(wanted: u16, lines: usize, height: u16) -> (u16, u16) {
    let max = u16::try_from(lines.saturating_sub(usize::from(height))).unwrap_or(u16::MAX);
    (wanted.min(max), max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_respects_display_width() {
        assert_eq!(truncate("hello", 10), "hello");
        assert_eq!(truncate("hello world", 6), "hello…");
        assert_eq!(truncate("日本語テキスト", 7), "日本語…");
        assert_eq!(truncate("abc", 0), "");
    }
}
