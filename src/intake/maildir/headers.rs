//! The fields of a message's header section, found without parsing them: where each one's
//! name is and where its value (with its folded lines) ends. The first pass finds a file's
//! Date with it, and `zones` the dates to rewrite before the whole parse.

use std::ops::Range;

/// One header field: its name, and its value's bytes from after the colon to the end of
/// its last folded line.
pub(super) struct Field<'a> {
    pub name: &'a [u8],
    pub value: Range<usize>,
}

impl Field<'_> {
    /// Whether this is the field `name` (any case; spaces before the colon ignored).
    pub fn is(&self, name: &str) -> bool {
        self.name.trim_ascii_end().eq_ignore_ascii_case(name.as_bytes())
    }
}

/// The fields of the header section at the start of `bytes`, in order, up to the first
/// blank (or whitespace-only) line. A line that is neither a field nor folded is skipped.
pub(super) fn fields(bytes: &[u8]) -> Vec<Field<'_>> {
    let mut found: Vec<Field<'_>> = Vec::new();
    let mut line_start = 0;
    // Whether the line before was a field (or one of its folded lines).
    let mut in_field = false;
    while line_start < bytes.len() {
        let line_end = memchr::memchr(b'\n', &bytes[line_start..]).map_or(bytes.len(), |i| line_start + i + 1);
        let line = &bytes[line_start..line_end];
        if line.iter().all(u8::is_ascii_whitespace) {
            break;
        }
        // A folded line starts with a space or tab, so its text never reads as a name.
        if line[0] == b' ' || line[0] == b'\t' {
            if in_field && let Some(field) = found.last_mut() {
                field.value.end = line_end;
            }
        } else if let Some(colon) = memchr::memchr(b':', line) {
            found.push(Field { name: &line[..colon], value: line_start + colon + 1..line_end });
            in_field = true;
        } else {
            in_field = false;
        }
        line_start = line_end;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_run_over_their_folded_lines_and_stop_at_the_blank_line() {
        let text = b"From: a@b.c\r\nDate: Mon, 1 Jan 2024\r\n 10:00 UT\r\nnot a field\r\n \tstray\r\n\r\nBody: no\r\n";
        let found = fields(text);
        let shown: Vec<(String, String)> = found
            .iter()
            .map(|f| (String::from_utf8_lossy(f.name).into(), String::from_utf8_lossy(&text[f.value.clone()]).into()))
            .collect();
        assert_eq!(
            shown,
            [("From".into(), " a@b.c\r\n".into()), ("Date".into(), " Mon, 1 Jan 2024\r\n 10:00 UT\r\n".into())]
        );
        assert!(found[1].is("date") && !found[0].is("date"));
        assert!(fields(b"Date : x\n").first().is_some_and(|f| f.is("Date")));
    }
}
