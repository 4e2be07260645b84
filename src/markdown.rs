//! Markdown to terminal lines: headings, lists, emphasis, links, code and tables that read
//! well in a pane. Raw HTML is dropped (its text content is kept).

use pulldown_cmark::{Alignment, CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use crate::domain::text::for_display;
use crate::theme::Theme;

/// Renders Markdown into styled lines (the pane wraps them).
pub fn render(markdown: &str, theme: &Theme) -> Vec<Line<'static>> {
    let mut r = Renderer {
        theme,
        lines: Vec::new(),
        current: Vec::new(),
        styles: vec![Style::new()],
        lists: Vec::new(),
        quote: 0,
        link: None,
        table: None,
        in_code_block: false,
    };
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    // Clean the whole text first: an escape sequence split across Markdown syntax would
    // otherwise survive piecewise cleaning.
    let clean = crate::domain::text::sanitize(markdown);
    for event in Parser::new_ext(&clean, options) {
        r.event(event);
    }
    r.flush();
    while r.lines.last().is_some_and(|l| l.width() == 0) {
        r.lines.pop();
    }
    r.lines
}

struct Table {
    alignments: Vec<Alignment>,
    rows: Vec<Vec<String>>,
    cell: String,
    header_rows: usize,
}

struct Renderer<'t> {
    theme: &'t Theme,
    lines: Vec<Line<'static>>,
    current: Vec<Span<'static>>,
    styles: Vec<Style>,
    /// One entry per open list: the next number for ordered lists.
    lists: Vec<Option<u64>>,
    quote: usize,
    link: Option<String>,
    table: Option<Table>,
    in_code_block: bool,
}

impl Renderer<'_> {
    fn style(&self) -> Style {
        self.styles.last().copied().unwrap_or_default()
    }

    fn push_style(&mut self, s: Style) {
        self.styles.push(self.style().patch(s));
    }

    fn pop_style(&mut self) {
        if self.styles.len() > 1 {
            self.styles.pop();
        }
    }

    fn text(&mut self, text: &str) {
        if let Some(table) = self.table.as_mut() {
            table.cell.push_str(text);
            return;
        }
        let style = self.style();
        self.current.push(Span::styled(for_display(text), style));
    }

    fn flush(&mut self) {
        if self.current.is_empty() {
            return;
        }
        let mut spans = Vec::new();
        if self.quote > 0 {
            spans.push(Span::styled("│ ".repeat(self.quote), self.theme.dim));
        }
        spans.append(&mut self.current);
        self.lines.push(Line::from(spans));
    }

    fn blank(&mut self) {
        self.flush();
        if self.lines.last().is_some_and(|l| l.width() > 0) {
            self.lines.push(Line::raw(""));
        }
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(t) => {
                if self.in_code_block {
                    for line in t.lines() {
                        self.current.push(Span::styled(format!("    {}", for_display(line)), self.theme.code));
                        self.flush();
                    }
                } else {
                    self.text(&t);
                }
            }
            Event::Code(t) => {
                if let Some(table) = self.table.as_mut() {
                    table.cell.push_str(&t);
                } else {
                    self.current.push(Span::styled(for_display(&t), self.theme.code));
                }
            }
            Event::SoftBreak => self.text(" "),
            Event::HardBreak => self.flush(),
            Event::Rule => {
                self.blank();
                self.lines.push(Line::styled("────────", self.theme.dim));
            }
            Event::TaskListMarker(done) => self.text(if done { "[x] " } else { "[ ] " }),
            // Raw HTML and footnotes are not shown as markup.
            _ => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph => {}
            Tag::Heading { level, .. } => {
                self.blank();
                let style = match level {
                    HeadingLevel::H1 | HeadingLevel::H2 => self.theme.heading,
                    _ => self.theme.title,
                };
                self.push_style(style);
            }
            Tag::BlockQuote(_) => {
                self.flush();
                self.quote += 1;
            }
            Tag::CodeBlock(kind) => {
                self.blank();
                if let CodeBlockKind::Fenced(lang) = kind
                    && !lang.is_empty()
                {
                    self.lines.push(Line::styled(format!("    {}", for_display(&lang)), self.theme.dim));
                }
                self.in_code_block = true;
            }
            Tag::List(start) => {
                self.flush();
                self.lists.push(start);
            }
            Tag::Item => {
                self.flush();
                let depth = self.lists.len().saturating_sub(1);
                let marker = match self.lists.last_mut() {
                    Some(Some(n)) => {
                        let m = format!("{n}. ");
                        *n += 1;
                        m
                    }
                    _ => "• ".to_string(),
                };
                self.current.push(Span::raw(format!("{}{marker}", "  ".repeat(depth))));
            }
            Tag::Emphasis => self.push_style(Style::new().add_modifier(Modifier::ITALIC)),
            Tag::Strong => self.push_style(Style::new().add_modifier(Modifier::BOLD)),
            Tag::Strikethrough => self.push_style(Style::new().add_modifier(Modifier::CROSSED_OUT)),
            Tag::Link { dest_url, .. } => {
                self.link = Some(dest_url.to_string());
                self.push_style(self.theme.link);
            }
            Tag::Image { dest_url, .. } => self.text(&format!("[image {dest_url}] ")),
            Tag::Table(alignments) => {
                self.blank();
                self.table = Some(Table { alignments, rows: Vec::new(), cell: String::new(), header_rows: 0 });
            }
            Tag::TableHead | Tag::TableRow => {
                if let Some(t) = self.table.as_mut() {
                    t.rows.push(Vec::new());
                }
            }
            Tag::TableCell => {
                if let Some(t) = self.table.as_mut() {
                    t.cell.clear();
                }
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => {
                self.flush();
                if self.lists.is_empty() {
                    self.blank();
                }
            }
            TagEnd::Heading(_) => {
                self.pop_style();
                self.blank();
            }
            TagEnd::BlockQuote(_) => {
                self.flush();
                self.quote = self.quote.saturating_sub(1);
                self.blank();
            }
            TagEnd::CodeBlock => {
                self.in_code_block = false;
                self.blank();
            }
            TagEnd::List(_) => {
                self.flush();
                self.lists.pop();
                if self.lists.is_empty() {
                    self.blank();
                }
            }
            TagEnd::Item => self.flush(),
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough => self.pop_style(),
            TagEnd::Link => {
                self.pop_style();
                if let Some(url) = self.link.take()
                    && self.table.is_none()
                {
                    self.current.push(Span::styled(format!(" <{}>", for_display(&url)), self.theme.dim));
                }
            }
            TagEnd::TableCell => {
                if let Some(t) = self.table.as_mut() {
                    let cell = for_display(t.cell.trim());
                    if let Some(row) = t.rows.last_mut() {
                        row.push(cell);
                    }
                }
            }
            TagEnd::TableHead => {
                if let Some(t) = self.table.as_mut() {
                    t.header_rows = t.rows.len();
                }
            }
            TagEnd::Table => {
                if let Some(t) = self.table.take() {
                    self.lines.extend(table_lines(&t, self.theme));
                    self.lines.push(Line::raw(""));
                }
            }
            _ => {}
        }
    }
}

/// Lays a table out in aligned columns with a rule under the header.
fn table_lines(t: &Table, theme: &Theme) -> Vec<Line<'static>> {
    let columns = t.rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> =
        (0..columns).map(|c| t.rows.iter().filter_map(|r| r.get(c)).map(|s| s.width()).max().unwrap_or(0)).collect();
    // A table wider than a reading pane would wrap into a jumble of cells; it reads as one
    // small "Header: value" block per row instead.
    if widths.iter().sum::<usize>() + 3 * columns.saturating_sub(1) > TABLE_MAX_WIDTH {
        return table_as_blocks(t, theme);
    }
    let mut out = Vec::new();
    for (i, row) in t.rows.iter().enumerate() {
        let cells: Vec<String> = (0..columns)
            .map(|c| {
                let text = row.get(c).map_or("", String::as_str);
                let pad = widths[c].saturating_sub(text.width());
                match t.alignments.get(c) {
                    Some(Alignment::Right) => format!("{}{text}", " ".repeat(pad)),
                    Some(Alignment::Center) => format!("{}{text}{}", " ".repeat(pad / 2), " ".repeat(pad - pad / 2)),
                    _ => format!("{text}{}", " ".repeat(pad)),
                }
            })
            .collect();
        let style = if i < t.header_rows { theme.title } else { theme.text };
        out.push(Line::styled(cells.join(" │ "), style));
        if i + 1 == t.header_rows {
            let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
            out.push(Line::styled(rule.join("─┼─"), theme.dim));
        }
    }
    out
}

/// Widest table drawn as columns (the Knowledge pane's width at 120 columns).
const TABLE_MAX_WIDTH: usize = 46;

/// Each body row as its first cell in bold, then `Header: value` for the other cells.
fn table_as_blocks(t: &Table, theme: &Theme) -> Vec<Line<'static>> {
    let headers: Vec<&str> = t
        .rows
        .get(..t.header_rows)
        .and_then(|h| h.last())
        .map_or(Vec::new(), |h| h.iter().map(String::as_str).collect());
    let mut out = Vec::new();
    for row in t.rows.iter().skip(t.header_rows) {
        let mut cells = row.iter();
        if let Some(first) = cells.next() {
            out.push(Line::styled(format!("▪ {first}"), theme.title));
        }
        for (i, cell) in cells.enumerate() {
            let header = headers.get(i + 1).copied().unwrap_or("");
            out.push(Line::from(vec![Span::styled(format!("  {header}: "), theme.dim), Span::raw(cell.clone())]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(md: &str) -> Vec<String> {
        render(md, &Theme::monochrome()).iter().map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect()).collect()
    }

    #[test]
    fn lists_headings_and_links_read_as_text() {
        let out = plain("## Steps\n\n1. Open the [portal](https://x.example)\n2. Print **label**\n\n- a\n- b\n");
        assert_eq!(
            out,
            vec!["Steps", "", "1. Open the portal <https://x.example>", "2. Print label", "", "• a", "• b"]
        );
    }

    #[test]
    fn tables_line_up_in_columns() {
        let out = plain("| Method | Days |\n|---|--:|\n| Card | 5–10 |\n| Gift card | 0 |\n");
        assert_eq!(out, vec!["Method    │ Days", "──────────┼─────", "Card      │ 5–10", "Gift card │    0"]);
    }

    #[test]
    fn a_table_too_wide_for_the_pane_reads_as_blocks() {
        let out = plain(
            "| Payment method | Refund time | Notes |\n|---|---|---|\n| Credit or debit card | 5–10 business days | back to the same card |\n",
        );
        assert_eq!(
            out,
            vec!["▪ Credit or debit card", "  Refund time: 5–10 business days", "  Notes: back to the same card"]
        );
    }

    #[test]
    fn raw_html_is_not_shown_as_markup() {
        let out = plain("Hello <b>there</b>\n\n<div class=\"x\">inside</div>\n");
        assert!(out.iter().all(|l| !l.contains('<') || l.contains("<https")), "{out:?}");
    }
}
