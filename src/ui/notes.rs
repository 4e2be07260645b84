//! The Notes pane: the editor for the open contact and its saved notes beneath.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::domain::text::for_display;
use crate::domain::time::local_datetime;
use crate::protocol::DraftKind;
use crate::state::{Pane, State};

/// Draws the editor and the saved notes of the open contact (or the email reply).
pub fn draw(state: &State, frame: &mut Frame<'_>, area: Rect) {
    let theme = &state.theme;
    if let Some(reply) = state.reply.as_ref().filter(|_| state.writing_reply) {
        draw_reply(state, reply, frame, area);
        return;
    }
    let n = &state.notes;
    let failed = n.contact.and_then(|c| state.unsaved.error_for(c, DraftKind::Notes));
    let status = match failed {
        Some(error) => Span::styled(format!("NOT SAVED: {} ", for_display(error)), theme.danger),
        None if n.contact.is_none() || (n.editor.is_empty() && !n.dirty && !n.saving) => Span::raw(""),
        None if n.dirty || n.saving => Span::styled("saving… ", theme.dim),
        None => Span::styled("draft saved ", theme.dim),
    };
    let block = super::pane_block(state, Pane::Notes, status);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if n.contact.is_none() {
        let hint = Paragraph::new(vec![
            Line::styled("Open a contact (Enter in the Queue) to take notes.", theme.dim),
            Line::styled("Notes autosave as you type; Ctrl-S files them with a timestamp.", theme.dim),
        ])
        .wrap(Wrap { trim: true });
        frame.render_widget(hint, inner);
        return;
    }
    let saved = state.open.as_ref().map(|d| d.notes.as_slice()).unwrap_or_default();
    let saved_lines: Vec<Line<'static>> = saved
        .iter()
        .map(|note| {
            Line::from(vec![
                Span::styled(format!("{} ", local_datetime(note.created_at)), theme.dim),
                Span::raw(for_display(&note.body)),
            ])
        })
        .collect();
    let saved_lines = super::wrap::wrap(&saved_lines, inner.width);
    // Saved notes take what they need, up to two fifths of the pane; the editor the rest.
    let saved_height = if saved.is_empty() {
        0
    } else {
        let wanted = u16::try_from(saved_lines.len() + 1).unwrap_or(u16::MAX);
        wanted.min((inner.height * 2 / 5).max(3))
    };
    let [editor_area, saved_area] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(saved_height)]).areas(inner);
    let mut editor = n.editor.clone();
    editor.set_cursor_line_style(Style::new());
    if state.focus == Pane::Notes {
        editor.set_cursor_style(theme.selected);
    } else {
        editor.set_cursor_style(Style::new());
    }
    editor.set_placeholder_text("Type notes here… (Ctrl-S saves a note)");
    editor.set_placeholder_style(theme.dim);
    frame.render_widget(&editor, editor_area);
    if saved_height > 0 {
        // The heading stays put so saved notes never read as editor text; the newest note
        // is always in view below it.
        let [heading, list] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(saved_area);
        let title = format!("── Saved notes ({}) ", saved.len());
        frame.render_widget(Line::styled(title, theme.heading), heading);
        let scroll = u16::try_from(saved_lines.len().saturating_sub(usize::from(list.height))).unwrap_or(u16::MAX);
        frame.render_widget(Paragraph::new(saved_lines).scroll((scroll, 0)), list);
    }
}

/// The email reply editor: who it goes to, the text, and how to send it.
fn draw_reply(state: &State, reply: &crate::state::reply::ReplyState, frame: &mut Frame<'_>, area: Rect) {
    let theme = &state.theme;
    let status = match state.unsaved.error_for(reply.contact, DraftKind::Reply) {
        Some(error) => format!("NOT SAVED: {} ", for_display(error)),
        None if reply.dirty => "saving… ".to_string(),
        None => String::new(),
    };
    let block = super::pane_block(state, Pane::Notes, Span::styled(format!("Reply {status}"), theme.warning));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [to_line, from_line, editor_area, hint] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1), Constraint::Min(1), Constraint::Length(1)])
            .areas(inner);
    // Exactly who will receive it, decided by the code that sends it, before any confirm.
    let (to, from) = match &reply.recipients {
        Some(Ok(r)) => (Span::styled(for_display(&r.to), theme.text), Span::styled(for_display(&r.from), theme.text)),
        Some(Err(why)) => (Span::styled(format!("cannot be sent: {}", for_display(why)), theme.danger), Span::raw("")),
        None => (Span::styled("checking…", theme.dim), Span::raw("")),
    };
    frame.render_widget(Line::from(vec![Span::styled("To:   ", theme.key), to]), to_line);
    frame.render_widget(Line::from(vec![Span::styled("From: ", theme.key), from]), from_line);
    let mut editor = reply.editor.clone();
    editor.set_cursor_line_style(Style::new());
    editor.set_cursor_style(if state.focus == Pane::Notes { theme.selected } else { Style::new() });
    editor.set_placeholder_text("Write the reply… Ctrl-T inserts a snippet, Ctrl-F finds an answer");
    editor.set_placeholder_style(theme.dim);
    frame.render_widget(&editor, editor_area);
    frame.render_widget(Line::styled("Ctrl-S sends (asks first) · F12 back to the notes", theme.dim), hint);
}
