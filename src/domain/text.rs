//! Text hygiene: nothing from the database reaches the terminal as a control code, and
//! payment card numbers are masked before any text is stored.

/// Starts a highlighted match inside a search snippet (a control character, so it can never
/// come from stored text, which is sanitised).
pub const MARK_START: char = '\u{1}';
/// Ends a highlighted match inside a search snippet.
pub const MARK_END: char = '\u{2}';

/// Removes terminal control sequences and control characters, keeping newlines and tabs
/// (tabs become spaces). Stored text is passed through this on the way in; the UI passes
/// every string through [`for_display`] on the way out as well.
pub fn sanitize(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => out.push('\n'),
            '\t' => out.push_str("    "),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push('\n');
                }
            }
            '\u{1b}' => skip_escape_sequence(&mut chars),
            c if c.is_control() => {}
            // Bidi overrides could visually reorder neighbouring columns.
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Makes one line safe to draw: like [`sanitize`], but newlines become spaces.
pub fn for_display(input: &str) -> String {
    if input.chars().all(|c| !c.is_control() && !matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')) {
        return input.to_string();
    }
    sanitize(input).replace('\n', " ")
}

fn skip_escape_sequence(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.peek() {
        // CSI: parameters then one final byte in @..~
        Some('[') => {
            chars.next();
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
        }
        // OSC, DCS, APC, PM, SOS: up to BEL or ESC \
        Some(']' | 'P' | '_' | '^' | 'X') => {
            chars.next();
            while let Some(c) = chars.next() {
                if c == '\u{7}' {
                    break;
                }
                if c == '\u{1b}' {
                    if chars.peek() == Some(&'\\') {
                        chars.next();
                    }
                    break;
                }
            }
        }
        Some(_) => {
            chars.next();
        }
        None => {}
    }
}

/// What [`mask_card_numbers`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Masked {
    pub text: String,
    pub cards: usize,
    pub codes: usize,
}

/// Masks anything that looks like a payment card number (13–19 digits, optionally grouped
/// with spaces or dashes, in any script's decimal digits, passing the Luhn check) to its
/// first six and last four digits, and a 3–4 digit code right after "CVV", "CVC" or
/// "security code".
pub fn mask_card_numbers(input: &str) -> Masked {
    let chars: Vec<char> = input.chars().collect();
    let mut out = String::with_capacity(input.len());
    let mut cards = 0;
    let mut i = 0;
    while i < chars.len() {
        if digit_value(chars[i]).is_some() && (i == 0 || !is_wordish(chars[i - 1])) {
            let (end, digits) = digit_run(&chars, i);
            let after_ok = end == chars.len() || !is_wordish(chars[end]);
            if after_ok && (13..=19).contains(&digits.len()) && luhn_valid(&digits) {
                let n = digits.len();
                out.extend(digits[..6].iter().map(|d| char::from(b'0' + d)));
                out.extend(std::iter::repeat_n('*', n - 10));
                out.extend(digits[n - 4..].iter().map(|d| char::from(b'0' + d)));
                cards += 1;
                i = end;
                continue;
            }
            out.extend(&chars[i..end]);
            i = end;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    let (text, codes) = mask_security_codes(&out);
    Masked { text, cards, codes }
}

/// Reads digits joined by single spaces or dashes starting at `start`; returns where the
/// run ends (after its last digit) and its digit values.
fn digit_run(chars: &[char], start: usize) -> (usize, Vec<u8>) {
    let mut digits = Vec::new();
    let mut i = start;
    let mut end = start;
    while i < chars.len() {
        if let Some(d) = digit_value(chars[i]) {
            digits.push(d);
            i += 1;
            end = i;
        } else if matches!(chars[i], ' ' | '-' | '\u{a0}') && i + 1 < chars.len() && digit_value(chars[i + 1]).is_some()
        {
            i += 1;
        } else {
            break;
        }
    }
    (end, digits)
}

fn is_wordish(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || digit_value(c).is_some()
}

/// The value of a decimal digit in any common script (ASCII, full-width, Arabic-Indic,
/// Devanagari, Bengali, Thai, …).
pub fn digit_value(c: char) -> Option<u8> {
    const ZEROS: &[u32] = &[
        0x30, 0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xDE6, 0xE50, 0xED0,
        0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620,
        0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
    ];
    let code = u32::from(c);
    ZEROS.iter().find(|&&zero| (zero..zero + 10).contains(&code)).and_then(|zero| u8::try_from(code - zero).ok())
}

fn luhn_valid(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

fn mask_security_codes(input: &str) -> (String, usize) {
    const CUES: [&str; 4] = ["cvv2", "cvv", "cvc", "security code"];
    let lower: Vec<char> = input.chars().flat_map(char::to_lowercase).collect();
    let chars: Vec<char> = input.chars().collect();
    // Lower-casing can change the length for a few scripts; then positions would not line
    // up, so fall back to leaving the text alone rather than masking the wrong characters.
    if lower.len() != chars.len() {
        return (input.to_string(), 0);
    }
    let mut out: Vec<char> = chars.clone();
    let mut codes = 0;
    let mut i = 0;
    while i < lower.len() {
        let Some(cue) = CUES.iter().find(|cue| lower[i..].iter().take(cue.len()).copied().eq(cue.chars())) else {
            i += 1;
            continue;
        };
        let mut j = i + cue.chars().count();
        // Skip separators like ": ", " is ", " - ", " #".
        let mut skipped_word = false;
        while j < lower.len()
            && (matches!(lower[j], ' ' | ':' | '-' | '#' | '=' | '.')
                || (!skipped_word && lower[j..].starts_with(&['i', 's'])))
        {
            if lower[j] == 'i' {
                j += 2;
                skipped_word = true;
            } else {
                j += 1;
            }
        }
        let start = j;
        while j < chars.len() && digit_value(chars[j]).is_some() {
            j += 1;
        }
        let len = j - start;
        if (3..=4).contains(&len) && (j == chars.len() || !is_wordish(chars[j])) {
            for c in &mut out[start..j] {
                *c = '*';
            }
            codes += 1;
        }
        i = j.max(i + 1);
    }
    (out.into_iter().collect(), codes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_controls_are_removed() {
        let hostile = "Bob\u{1b}]0;pwned\u{7} \u{1b}[2J\u{1b}[31mred\u{1b}[0m\u{0}\u{8}!";
        assert_eq!(sanitize(hostile), "Bob red!");
        assert_eq!(for_display("a\nb\tc"), "a b    c");
        assert_eq!(sanitize("line\r\nnext\rthird"), "line\nnext\nthird");
    }

    #[test]
    fn card_numbers_in_any_grouping_are_masked() {
        let m = mask_card_numbers("card 4111 1111 1111 1111 was charged twice");
        assert_eq!(m.text, "card 411111******1111 was charged twice");
        assert_eq!(m.cards, 1);
        assert_eq!(mask_card_numbers("5500-0000-0000-0004").text, "550000******0004");
        // Full-width digits.
        assert_eq!(mask_card_numbers("４１１１１１１１１１１１１１１１").text, "411111******1111");
    }

    #[test]
    fn numbers_that_are_not_cards_are_left_alone() {
        for text in [
            "call me on +1 503 555 0142",
            "order LK-104233 placed 2026-11-20",
            "tracking 1Z999AA10123456784",
            "4111 1111 1111 1112 fails Luhn",
            "account 12345678901234567890123",
        ] {
            let m = mask_card_numbers(text);
            assert_eq!(m.text, text);
            assert_eq!(m.cards, 0);
        }
    }

    #[test]
    fn security_codes_after_a_cue_are_masked() {
        assert_eq!(mask_card_numbers("CVV: 123").text, "CVV: ***");
        assert_eq!(mask_card_numbers("the security code is 4321.").text, "the security code is ****.");
        assert_eq!(mask_card_numbers("cvc 12").text, "cvc 12");
    }
}
