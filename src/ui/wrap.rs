//! Word wrapping that never lets a wide character (CJK, emoji) spill into a pane's border.
//! ratatui's own word wrapper can place a double-width character on the last column
//! (ratatui#2679), so panes with free text wrap here first and draw without `Wrap`.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Wraps styled lines to `width` columns at word boundaries, breaking words longer than a
/// row. Every returned line is at most `width` columns wide.
pub fn wrap(lines: &[Line<'_>], width: u16) -> Vec<Line<'static>> {
    let width = usize::from(width.max(1));
    let mut out = Vec::new();
    for line in lines {
        let cells: Vec<(&str, Style)> = line
            .spans
            .iter()
            .flat_map(|span| span.content.graphemes(true).map(move |g| (g, line.style.patch(span.style))))
            .collect();
        if cells.is_empty() {
            out.push(Line::default().style(line.style));
            continue;
        }
        for row in wrap_cells(&cells, width) {
            out.push(join(row));
        }
    }
    out
}

/// Greedy word wrap over graphemes.
fn wrap_cells<'a>(cells: &[(&'a str, Style)], width: usize) -> Vec<Vec<(&'a str, Style)>> {
    let mut rows: Vec<Vec<(&str, Style)>> = Vec::new();
    let mut row: Vec<(&str, Style)> = Vec::new();
    let mut used = 0;
    let mut i = 0;
    while i < cells.len() {
        // The next word: non-space graphemes, then the spaces after them.
        let start = i;
        while i < cells.len() && cells[i].0 != " " {
            i += 1;
        }
        let word_end = i;
        while i < cells.len() && cells[i].0 == " " {
            i += 1;
        }
        let word = &cells[start..word_end];
        let spaces = &cells[word_end..i];
        let word_width: usize = word.iter().map(|(g, _)| g.width()).sum();
        if used > 0 && used + word_width > width {
            rows.push(std::mem::take(&mut row));
            used = 0;
        }
        for &(g, style) in word {
            let w = g.width();
            if used + w > width && used > 0 {
                rows.push(std::mem::take(&mut row));
                used = 0;
            }
            if w > width {
                // Wider than the whole row (a 2-column glyph in a 1-column pane): skip it.
                continue;
            }
            row.push((g, style));
            used += w;
        }
        for &(g, style) in spaces {
            if used + 1 > width {
                break;
            }
            row.push((g, style));
            used += 1;
        }
    }
    if !row.is_empty() || rows.is_empty() {
        rows.push(row);
    }
    rows
}

fn join(row: Vec<(&str, Style)>) -> Line<'static> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    for (g, style) in row {
        match spans.last_mut() {
            Some(last) if last.style == style => last.content.to_mut().push_str(g),
            _ => spans.push(Span::styled(g.to_string(), style)),
        }
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[Line<'_>]) -> Vec<String> {
        lines.iter().map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect()).collect()
    }

    #[test]
    fn words_wrap_at_spaces_and_long_words_break() {
        let out = wrap(&[Line::raw("the quick brown fox")], 10);
        assert_eq!(texts(&out), vec!["the quick ", "brown fox"]);
        let out = wrap(&[Line::raw("abcdefghijkl")], 5);
        assert_eq!(texts(&out), vec!["abcde", "fghij", "kl"]);
    }

    #[test]
    fn wide_characters_never_pass_the_width() {
        let text = format!("{} 顧客の注文は届きました", "a".repeat(42));
        for width in 1..=50u16 {
            for line in wrap(&[Line::raw(text.clone())], width) {
                assert!(line.width() <= usize::from(width), "width {width}: {line:?}");
            }
        }
    }

    #[test]
    fn styles_and_empty_lines_survive() {
        let bold = Style::new().add_modifier(ratatui::style::Modifier::BOLD);
        let out = wrap(&[Line::from(vec![Span::styled("bold", bold), Span::raw(" plain")]), Line::raw("")], 20);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].spans[0].style, bold);
        assert_eq!(texts(&out), vec!["bold plain", ""]);
    }
}
