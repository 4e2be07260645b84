//! Word wrapping that never lets a wide character (CJK, emoji) spill into a pane's border.
//! ratatui's own word wrapper can place a double-width character on the last column
//! (ratatui#2679), so panes with free text wrap here first and draw without `Wrap`.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Wraps styled lines to `width` columns at word boundaries, breaking words longer than a
/// row. Every returned line is at most `width` columns wide.
pub fn wrap(lines: &[Line<'_>], width: u16) -> Vec<Line<'static>> {
    let width = usize::from(width.max(1));
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        // Most lines are simple text (one column a character) that already fits: nothing to
        // break. Copying them as they are keeps a redraw of a long record cheap.
        if simple_width(line).is_some_and(|w| w <= width) {
            out.push(owned(line));
            continue;
        }
        let cells: Vec<(&str, Style)> = line
            .spans
            .iter()
            .flat_map(|span| cells_of(&span.content).map(move |g| (g, line.style.patch(span.style))))
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

/// Whether `c` is one column wide and always a grapheme of its own: printable ASCII, the
/// Latin letters and punctuation of U+00A0–U+02FF, and the punctuation, arrows, box drawing
/// and shapes of U+2010–U+2BFF the panes are drawn with. Combining marks (zero width),
/// joiners and the wide ranges all lie outside, so such text needs no segmentation rules.
fn is_simple(c: char) -> bool {
    matches!(c, ' '..='~' | '\u{a0}'..='\u{2ff}' | '\u{2010}'..='\u{2bff}') && c.width() == Some(1)
}

/// The line's width when every character is simple (one column each).
fn simple_width(line: &Line<'_>) -> Option<usize> {
    let mut width = 0;
    for span in &line.spans {
        for c in span.content.chars() {
            if !is_simple(c) {
                return None;
            }
            width += 1;
        }
    }
    Some(width)
}

/// The line as one row, exactly as the general path would build it: the line's style
/// folded into each span.
fn owned(line: &Line<'_>) -> Line<'static> {
    if line.spans.iter().all(|s| s.content.is_empty()) {
        return Line::default().style(line.style);
    }
    let spans: Vec<Span<'static>> =
        line.spans.iter().map(|s| Span::styled(s.content.clone().into_owned(), line.style.patch(s.style))).collect();
    Line::from(spans)
}

/// The graphemes of `text`; in simple text each character is one, which is far cheaper to
/// cut than running the segmentation rules.
fn cells_of(text: &str) -> Box<dyn Iterator<Item = &str> + '_> {
    if text.chars().all(is_simple) {
        Box::new(text.char_indices().map(move |(i, c)| &text[i..i + c.len_utf8()]))
    } else {
        Box::new(text.graphemes(true))
    }
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
    fn a_line_that_fits_keeps_its_text_and_styles() {
        let bold = Style::new().add_modifier(ratatui::style::Modifier::BOLD);
        let dim = Style::new().add_modifier(ratatui::style::Modifier::DIM);
        let line = Line::from(vec![Span::styled("short", bold), Span::raw(" line")]).style(dim);
        for width in [10, 80] {
            let out = wrap(std::slice::from_ref(&line), width);
            assert_eq!(texts(&out), vec!["short line"]);
            assert_eq!(out[0].spans[0].style, dim.patch(bold), "width {width}");
            assert_eq!(out[0].spans[1].style, dim, "width {width}");
        }
        // One column short: the same line breaks at its space.
        assert_eq!(texts(&wrap(&[line], 9)), vec!["short ", "line"]);
    }

    #[test]
    fn simple_characters_are_graphemes_of_their_own() {
        // The shortcut in `cells_of` relies on it: no simple character joins its neighbour.
        for c in (0..0x2c00).filter_map(char::from_u32).filter(|c| is_simple(*c)) {
            let text = format!("x{c}x{c}{c}");
            assert_eq!(text.graphemes(true).count(), 5, "U+{:04X}", u32::from(c));
            assert_eq!(text.width(), 5, "U+{:04X}", u32::from(c));
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
