//! The modal forms: log a contact, wrap up, contact details.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};
use ratatui_textarea::TextArea;

use crate::domain::Channel;
use crate::domain::text::{counted, for_display};
use crate::domain::time::{local_datetime, parse_due_in};
use crate::state::State;
use crate::state::customer_forms::{CustomerForm, FindForm, FindPurpose};
use crate::state::forms::{
    Confirm, CustomerPicker, DetailsForm, LogForm, Modal, OutcomeChoice, SnippetForm, WrapUpForm, field_text,
};
use crate::state::prompts::{BigPaste, RepNameForm, UnsentReply};
use crate::theme::Theme;

/// Draws the open form centred over `area`.
pub fn draw(state: &State, modal: &Modal, frame: &mut Frame<'_>, area: Rect) {
    let theme = &state.theme;
    let (title, lines) = match modal {
        Modal::LogContact(f) => (" Log a contact ", log_lines(f, theme)),
        Modal::WrapUp(f) => (" Wrap up ", wrap_lines(state, f, theme)),
        Modal::Details(f) => (" Contact details ", details_lines(f, theme)),
        Modal::Confirm(c) => (" Please confirm ", confirm_lines(c, theme)),
        Modal::UnsentReply(u) => (" The reply was not sent ", unsent_reply_lines(u, theme)),
        Modal::BigPaste(p) => (" A very big paste ", big_paste_lines(p, theme)),
        Modal::RepName(f) => (" Your name ", rep_name_lines(f, theme)),
        Modal::FindCustomer(f) => (
            match f.purpose {
                FindPurpose::Browse => " Find a customer ",
                FindPurpose::MergeInto { .. } => " Merge which customer into this one? ",
            },
            find_lines(f, theme),
        ),
        Modal::EditCustomer(f) => (" Edit customer ", edit_customer_lines(f, theme)),
        Modal::Snippet(f) => (" Snippet — Ctrl-S saves ", snippet_lines(f, theme)),
    };
    let mut lines = lines;
    // A confirmation says its own keys; the forms share these.
    if !matches!(modal, Modal::Confirm(_) | Modal::UnsentReply(_) | Modal::BigPaste(_) | Modal::RepName(_)) {
        lines.push(Line::raw(""));
        lines.push(Line::styled("Tab next field · ←/→ change · ↑/↓ choose · Enter confirm · Esc close", theme.dim));
    }
    popup(frame, area, title, &lines, theme);
}

/// A centred box over the panes, 76 columns at most, as tall as its (wrapped) lines.
pub(super) fn popup(frame: &mut Frame<'_>, area: Rect, title: &str, lines: &[Line<'_>], theme: &Theme) {
    let width = 76.min(area.width);
    // Long messages (what a merge or an erasure will do) wrap rather than being cut off.
    let lines = super::wrap::wrap(lines, width.saturating_sub(2));
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX).min(area.height);
    let [row] = Layout::vertical([Constraint::Length(height)]).flex(Flex::Center).areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width)]).flex(Flex::Center).areas(row);
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(theme.focused_border)
        .title(Line::styled(title.to_string(), theme.title));
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}

/// Quitting with contacts in progress: say which, and that they stay in progress.
pub fn draw_confirm_quit(state: &State, frame: &mut Frame<'_>, area: Rect) {
    let theme = &state.theme;
    let ids: Vec<String> = state.work.strip.iter().map(|id| format!("#{id}")).collect();
    let lines = vec![
        Line::styled(
            format!("{} in progress: {}.", counted(ids.len(), "contact", "contacts"), ids.join(", ")),
            theme.warning,
        ),
        Line::raw("They stay in progress, with their notes, for the next start."),
        Line::raw(""),
        Line::from(vec![
            Span::styled("y", theme.key),
            Span::raw(" or Enter: quit   "),
            Span::styled("any other key", theme.key),
            Span::raw(": stay"),
        ]),
    ];
    popup(frame, area, " Quit? ", &lines, theme);
}

/// Quitting with text that could not be saved: say why and what each key does.
pub fn draw_unsaved(state: &State, error: Option<&str>, frame: &mut Frame<'_>, area: Rect) {
    let theme = &state.theme;
    let why = state.unsaved.first_error().unwrap_or("saving failed");
    let mut lines = vec![
        Line::styled(format!("Some text could not be saved: {}.", for_display(why)), theme.danger),
        Line::raw(""),
        Line::from(vec![Span::styled("w", theme.key), Span::raw("  write it to a recovery file and quit")]),
        Line::from(vec![Span::styled("Esc", theme.key), Span::raw("  stay (saving is retried as you type)")]),
        Line::from(vec![Span::styled("d", theme.key), Span::raw("  quit and lose it")]),
    ];
    if let Some(e) = error {
        lines.push(Line::raw(""));
        lines.push(Line::styled(for_display(e), theme.danger));
    }
    popup(frame, area, " Not saved ", &lines, theme);
}

fn label(name: &str, focused: bool, theme: &Theme) -> Span<'static> {
    let style = if focused { theme.focused_border } else { theme.title };
    Span::styled(format!("{}{name:<14} ", if focused { "▶ " } else { "  " }), style)
}

/// A text field's content with a visible cursor when focused.
fn text_value(t: &TextArea<'_>, focused: bool, placeholder: &str, theme: &Theme) -> Vec<Span<'static>> {
    let text = for_display(&field_text(t));
    if text.is_empty() && !focused {
        return vec![Span::styled(placeholder.to_string(), theme.dim)];
    }
    if !focused {
        return vec![Span::raw(text)];
    }
    let line = t.lines().first().cloned().unwrap_or_default();
    let col = t.cursor().1;
    let before: String = line.chars().take(col).collect();
    let at: String = line.chars().nth(col).map_or(" ".to_string(), |c| c.to_string());
    let after: String = line.chars().skip(col + 1).collect();
    vec![
        Span::raw(for_display(&before)),
        Span::styled(for_display(&at), theme.selected),
        Span::raw(for_display(&after)),
    ]
}

/// The choices of a ←/→ field on one line beside its label: all of them when they fit the
/// form, else a window around the selected one with how many there are — never wrapping
/// under the label column.
fn choice(options: &[String], selected: usize, focused: bool, theme: &Theme) -> Vec<Span<'static>> {
    /// What is left of the 76-column form beside a label and the arrows.
    const ROOM: usize = 76 - 2 - 17 - 6;
    let all: usize = options.iter().map(|o| o.chars().count() + 2).sum();
    let (from, to) = if all <= ROOM {
        (0, options.len())
    } else {
        // As many neighbours of the selected one as fit, the selected one always shown.
        let (mut from, mut to, mut used) =
            (selected, selected + 1, options.get(selected).map_or(0, |o| o.chars().count() + 2));
        loop {
            let grew = [to < options.len(), from > 0];
            let mut any = false;
            if grew[0] && used + options[to].chars().count() + 2 <= ROOM.saturating_sub(8) {
                used += options[to].chars().count() + 2;
                to += 1;
                any = true;
            }
            if grew[1] && used + options[from - 1].chars().count() + 2 <= ROOM.saturating_sub(8) {
                from -= 1;
                used += options[from].chars().count() + 2;
                any = true;
            }
            if !any {
                break;
            }
        }
        (from, to)
    };
    let mut spans = Vec::new();
    if focused {
        spans.push(Span::styled("◀ ", theme.dim));
    }
    if from > 0 {
        spans.push(Span::styled("… ", theme.dim));
    }
    for (i, o) in options.iter().enumerate().take(to).skip(from) {
        let style = if i == selected { theme.selected } else { theme.dim };
        spans.push(Span::styled(format!(" {o} "), style));
    }
    if to < options.len() {
        spans.push(Span::styled(" …", theme.dim));
    }
    if focused {
        spans.push(Span::styled(" ▶", theme.dim));
    }
    if from > 0 || to < options.len() {
        spans.push(Span::styled(format!(" {}/{}", selected + 1, options.len()), theme.dim));
    }
    spans
}

fn picker_lines(p: &CustomerPicker, focused: bool, theme: &Theme, out: &mut Vec<Line<'static>>) {
    if !focused && p.hits.is_empty() {
        return;
    }
    for (i, hit) in p.hits.iter().enumerate() {
        let style = if i == p.selected { theme.selected } else { theme.text };
        out.push(Line::from(vec![
            Span::raw("                "),
            Span::styled(format!(" {} ", for_display(&hit.name)), style),
            Span::styled(format!(" {}", for_display(&hit.detail)), theme.dim),
        ]));
    }
    let typed = field_text(&p.input);
    if !typed.is_empty() {
        let style = if p.selected >= p.hits.len() { theme.selected } else { theme.dim };
        out.push(Line::from(vec![
            Span::raw("                "),
            Span::styled(format!(" + new customer “{}” ", for_display(&typed)), style),
        ]));
    } else if focused {
        out.push(Line::styled("                type a name, email, phone, handle or order number", theme.dim));
    }
}

fn log_lines(f: &LogForm, theme: &Theme) -> Vec<Line<'static>> {
    let channels: Vec<String> = Channel::ALL.iter().map(|c| c.label().to_string()).collect();
    let mut out =
        vec![Line::styled("A call or walk-in that just started: it is accepted at once.", theme.dim), Line::raw("")];
    let mut row = vec![label(LogForm::FIELDS[0], f.field == 0, theme)];
    row.extend(choice(&channels, f.channel, f.field == 0, theme));
    out.push(Line::from(row));
    let mut row = vec![label(LogForm::FIELDS[1], f.field == 1, theme)];
    row.extend(text_value(&f.subject, f.field == 1, "what it is about", theme));
    out.push(Line::from(row));
    let mut row = vec![label(LogForm::FIELDS[2], f.field == 2, theme)];
    row.extend(text_value(&f.customer.input, f.field == 2, "(optional) name, email, phone or order", theme));
    out.push(Line::from(row));
    picker_lines(&f.customer, f.field == 2, theme, &mut out);
    if let Some(e) = &f.error {
        out.push(Line::styled(e.clone(), theme.danger));
    }
    out
}

fn wrap_lines(state: &State, f: &WrapUpForm, theme: &Theme) -> Vec<Line<'static>> {
    let lists = &state.lists;
    let now = state.now();
    let mut out = Vec::new();
    if let Some(d) = state.open.as_ref().filter(|d| d.contact.id == f.contact) {
        let timers = crate::domain::Timers::replay(&d.events, now);
        out.push(Line::from(vec![
            Span::styled(format!("#{} {}", d.contact.id, for_display(&d.contact.subject)), theme.title),
            Span::styled(
                format!(
                    "  handle {} (after-contact work counts until you confirm)",
                    crate::domain::time::clock_duration(timers.handle)
                ),
                theme.dim,
            ),
        ]));
    }
    out.push(Line::raw(""));
    let focused = |i: usize| f.field == i;
    let mut row = vec![label(WrapUpForm::FIELDS[0], focused(0), theme)];
    row.extend(text_value(&f.disposition_filter, focused(0), "type to filter", theme));
    out.push(Line::from(row));
    let matching = f.matching(lists);
    let shown = if focused(0) { 6 } else { 1 };
    let start = f.disposition.saturating_sub(shown - 1);
    for (i, d) in matching.iter().enumerate().skip(start).take(shown) {
        let style = if i == f.disposition { theme.selected } else { theme.dim };
        out.push(Line::from(vec![Span::raw("                "), Span::styled(format!(" {} ", for_display(d)), style)]));
    }
    if matching.is_empty() {
        out.push(Line::styled("                no disposition matches", theme.warning));
    }
    let outcomes: Vec<String> = OutcomeChoice::ALL.iter().map(|o| o.label().to_string()).collect();
    let mut row = vec![label(WrapUpForm::FIELDS[1], focused(1), theme)];
    row.extend(choice(&outcomes, f.outcome.index(), focused(1), theme));
    out.push(Line::from(row));
    let mut row = vec![label(WrapUpForm::FIELDS[2], focused(2), theme)];
    if f.needs_department() {
        row.extend(choice(&lists.departments, f.department, focused(2), theme));
    } else {
        row.push(Span::styled("(for escalate or transfer)", theme.dim));
    }
    out.push(Line::from(row));
    let mut row = vec![label(WrapUpForm::FIELDS[3], focused(3), theme)];
    row.extend(text_value(&f.reason, focused(3), "why (escalation reason, follow-up note)", theme));
    out.push(Line::from(row));
    for (i, field, hint) in
        [(4, &f.follow_up, "e.g. tomorrow, fri, +3d, 2026-11-25"), (6, &f.promise_due, "when it is due")]
    {
        if i == 6 {
            let mut row = vec![label(WrapUpForm::FIELDS[5], focused(5), theme)];
            row.extend(text_value(&f.promise, focused(5), "e.g. refund of $40 by Friday", theme));
            out.push(Line::from(row));
        }
        let mut row = vec![label(WrapUpForm::FIELDS[i], focused(i), theme)];
        row.extend(text_value(field, focused(i), hint, theme));
        let typed = field_text(field);
        if !typed.is_empty() {
            row.push(match parse_due_in(&typed, now, state.lists.date_order) {
                Some(due) => Span::styled(format!("  → {}", local_datetime(due)), theme.ok),
                None => Span::styled("  ?", theme.warning),
            });
        }
        out.push(Line::from(row));
    }
    out.push(Line::from(vec![
        label(WrapUpForm::FIELDS[7], focused(7), theme),
        Span::styled(
            if f.difficult { "[x] abusive or distressing" } else { "[ ] no" },
            if f.difficult { theme.warning } else { theme.dim },
        ),
        Span::styled(if focused(7) { "   Space toggles" } else { "" }, theme.dim),
    ]));
    let mut row = vec![label(WrapUpForm::FIELDS[8], focused(8), theme)];
    row.extend(text_value(&f.kudos, focused(8), "a thank-you to keep for the days that need it", theme));
    out.push(Line::from(row));
    if let Some(e) = &f.error {
        out.push(Line::styled(e.clone(), theme.danger));
    }
    out
}

fn find_lines(f: &FindForm, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = vec![Line::raw("")];
    let mut row = vec![label("Search", true, theme)];
    row.extend(text_value(&f.picker.input, true, "", theme));
    out.push(Line::from(row));
    picker_lines(&f.picker, true, theme, &mut out);
    out
}

fn edit_customer_lines(f: &CustomerForm, theme: &Theme) -> Vec<Line<'static>> {
    let mut out =
        vec![Line::styled("Every change is logged with its time in the customer's record.", theme.dim), Line::raw("")];
    for (i, (name, field)) in CustomerForm::TEXT_FIELDS.iter().zip(&f.texts).enumerate() {
        let mut row = vec![label(name, f.field == i, theme)];
        row.extend(text_value(field, f.field == i, "", theme));
        out.push(Line::from(row));
    }
    for (i, (name, on)) in CustomerForm::FLAGS.iter().zip(f.flags).enumerate() {
        let focused = f.field == 6 + i;
        out.push(Line::from(vec![
            label(name, focused, theme),
            Span::styled(if on { "[x] on" } else { "[ ] off" }, if on { theme.warning } else { theme.dim }),
            Span::styled(if focused { "   Space toggles" } else { "" }, theme.dim),
        ]));
    }
    let mut row = vec![label("Add identity", f.field == 9, theme)];
    row.extend(text_value(&f.identity, f.field == 9, "email, phone or @handle", theme));
    out.push(Line::from(row));
    out
}

fn snippet_lines(f: &SnippetForm, theme: &Theme) -> Vec<Line<'static>> {
    let mut row = vec![label("Title", f.field == 0, theme)];
    row.extend(text_value(&f.title, f.field == 0, "e.g. Refund confirmation", theme));
    let mut out = vec![Line::raw(""), Line::from(row), Line::from(label("Body", f.field == 1, theme))];
    let (cursor_row, cursor_col) = (f.body.cursor().0, f.body.cursor().1);
    for (i, line) in f.body.lines().iter().enumerate() {
        let mut spans = vec![Span::raw("  ")];
        if f.field == 1 && i == cursor_row {
            let before: String = line.chars().take(cursor_col).collect();
            let at: String = line.chars().nth(cursor_col).map_or(" ".to_string(), |c| c.to_string());
            let after: String = line.chars().skip(cursor_col + 1).collect();
            spans.extend([
                Span::raw(for_display(&before)),
                Span::styled(for_display(&at), theme.selected),
                Span::raw(for_display(&after)),
            ]);
        } else {
            spans.push(Span::raw(for_display(line)));
        }
        out.push(Line::from(spans));
    }
    out.push(Line::styled(
        "Placeholders: {{customer.first_name}} {{customer.name}} {{order.number}} {{rep.name}} {{contact.subject}} {{date.today}}",
        theme.dim,
    ));
    if let Some(e) = &f.error {
        out.push(Line::styled(e.clone(), theme.danger));
    }
    out
}

fn confirm_lines(c: &Confirm, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = vec![Line::styled(c.message.clone(), theme.warning), Line::raw("")];
    match &c.require_text {
        Some(expected) => {
            out.push(Line::raw(format!("Type “{}” and press Enter to go ahead; Esc cancels.", for_display(expected))));
            let mut row = vec![label("Confirm", true, theme)];
            row.extend(text_value(&c.input, true, "", theme));
            out.push(Line::from(row));
        }
        None => out.push(Line::from(vec![
            Span::styled("y", theme.key),
            Span::raw(" or Enter: go ahead   "),
            Span::styled("n", theme.key),
            Span::raw(" or Esc: go back"),
        ])),
    }
    out
}

fn rep_name_lines(f: &RepNameForm, theme: &Theme) -> Vec<Line<'static>> {
    let mut row = vec![label("Name", true, theme)];
    row.extend(text_value(&f.name, true, "as customers should see it", theme));
    vec![
        Line::raw("Replies are signed with your name where a snippet says {{rep.name}},"),
        Line::raw("and escalations carry it. Asked once; rep_name in config.toml sets it too."),
        Line::raw(""),
        Line::from(row),
        Line::raw(""),
        Line::styled("Enter keeps it and goes on to send · Esc goes back to the reply", theme.dim),
    ]
}

fn big_paste_lines(p: &BigPaste, theme: &Theme) -> Vec<Line<'static>> {
    let mb = |bytes: usize| format!("{:.1} MB", bytes as f64 / 1_000_000.0);
    vec![
        Line::styled(
            format!("The paste is {}; a draft keeps {} at most.", mb(p.text.len()), mb(crate::state::notes::PASTE_CAP)),
            theme.warning,
        ),
        Line::raw(""),
        Line::from(vec![Span::styled("y", theme.key), Span::raw(" or Enter: paste its first part   ")]),
        Line::from(vec![Span::styled("any other key", theme.key), Span::raw(": paste nothing")]),
    ]
}

fn unsent_reply_lines(u: &UnsentReply, theme: &Theme) -> Vec<Line<'static>> {
    vec![
        Line::styled(format!("Contact #{} has a reply that was written but never sent:", u.contact), theme.warning),
        Line::styled(format!("“{}…”", for_display(&u.preview)), theme.dim),
        Line::raw(""),
        Line::from(vec![Span::styled("s", theme.key), Span::raw("  send it, then close the contact")]),
        Line::from(vec![Span::styled("k", theme.key), Span::raw("  keep it as a draft, then close")]),
        Line::from(vec![Span::styled("d", theme.key), Span::raw("  discard it, then close")]),
        Line::from(vec![Span::styled("Esc", theme.key), Span::raw(" back to the contact")]),
    ]
}

fn details_lines(f: &DetailsForm, theme: &Theme) -> Vec<Line<'static>> {
    let focused = |i: usize| f.field == i;
    let mut out = vec![Line::raw("")];
    let priorities: Vec<String> = (1..=4).map(|p| format!("P{p}")).collect();
    let mut row = vec![label(DetailsForm::FIELDS[0], focused(0), theme)];
    row.extend(choice(&priorities, usize::from(f.priority.saturating_sub(1)), focused(0), theme));
    out.push(Line::from(row));
    let mut row = vec![label(DetailsForm::FIELDS[1], focused(1), theme)];
    row.extend(text_value(&f.tags, focused(1), "comma-separated", theme));
    out.push(Line::from(row));
    let mut row = vec![label(DetailsForm::FIELDS[2], focused(2), theme)];
    row.extend(text_value(&f.customer.input, focused(2), "(unchanged) name, email, phone or order", theme));
    out.push(Line::from(row));
    picker_lines(&f.customer, focused(2), theme, &mut out);
    let ratings: Vec<String> = ["none", "1", "2", "3", "4", "5"].iter().map(|s| (*s).to_string()).collect();
    let mut row = vec![label(DetailsForm::FIELDS[3], focused(3), theme)];
    row.extend(choice(&ratings, usize::from(f.csat), focused(3), theme));
    out.push(Line::from(row));
    out
}
