//! Text hygiene: nothing from the database reaches the terminal as a control code, and
//! payment card numbers are masked before any text is stored.

mod cards;
mod codes;
mod context;
pub mod digits;
mod stored;

pub use digits::digit_value;
pub use stored::{
    Cleaned, Cut, MAX_STORED_LINE_BYTES, MAX_STORED_TEXT_BYTES, StoredField, TextReport, clean_stored_text,
    cut_at_char_boundary,
};

/// Starts a highlighted match inside a search snippet (a control character, so it can never
/// come from stored text, which is sanitised).
pub const MARK_START: char = '\u{1}';
/// Ends a highlighted match inside a search snippet.
pub const MARK_END: char = '\u{2}';

/// "1 contact", "3 contacts": a count with its noun in the right number.
pub fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Removes terminal control sequences and control characters, keeping newlines and tabs
/// (tabs become spaces). Stored text is passed through this on the way in; the UI passes
/// every string through [`for_display`] on the way out as well.
pub fn sanitize(input: &str) -> String {
    // Runs of ordinary text are copied whole; only the characters `needs_a_look` finds are
    // looked at one by one. (Pushing every character was half of reading a mailbox.)
    let bytes = input.as_bytes();
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    loop {
        let from = input.len() - rest.len();
        let Some(at) = (from..bytes.len()).find(|&i| needs_a_look(bytes, i)) else { break };
        // `at` starts a character: an ASCII byte or a lead byte (see `needs_a_look`).
        out.push_str(&input[from..at]);
        let mut chars = input[at..].chars();
        match chars.next() {
            Some('\t') => out.push_str("    "),
            // A lone CR ends a line; in CR LF the LF does.
            Some('\r') if chars.clone().next() != Some('\n') => out.push('\n'),
            Some('\u{1b}') => skip_escape_sequence(&mut chars),
            // Other control characters, and bidi overrides (which could visually reorder
            // neighbouring columns), are dropped.
            _ => {}
        }
        rest = chars.as_str();
    }
    out.push_str(rest);
    out
}

/// Whether the character starting at byte `i` is more than text to copy: a control
/// character other than a newline (C0, DEL, or C1: U+0080–U+009F, bytes C2 80–9F) or a bidi
/// override (U+202A–U+202E: E2 80 AA–AE; U+2066–U+2069: E2 81 A6–A9). Continuation bytes
/// never match, so a match always starts a character.
fn needs_a_look(bytes: &[u8], i: usize) -> bool {
    match bytes[i] {
        b'\n' => false,
        0x00..=0x1f | 0x7f => true,
        0xc2 => matches!(bytes.get(i + 1), Some(0x80..=0x9f)),
        0xe2 => matches!(
            (bytes.get(i + 1), bytes.get(i + 2)),
            (Some(0x80), Some(0xaa..=0xae)) | (Some(0x81), Some(0xa6..=0xa9))
        ),
        _ => false,
    }
}

/// Makes one line safe to draw: like [`sanitize`], but newlines become spaces.
/// The Unicode direction overrides and isolates (U+202A–U+202E, U+2066–U+2069): text that
/// holds them shows something other than what it says.
pub fn is_direction_override(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Text for a terminal with every control character but line breaks and tabs written out
/// (`\u{1b}`), and the direction overrides too: what the command line prints holds file
/// names and errors the rep did not write, and a file named `ESC[2J.md` cleared the screen.
/// Unlike [`for_display`] nothing is dropped, so the file can still be found by its name.
pub fn terminal_safe(input: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| (c.is_control() && c != '\n' && c != '\t') || is_direction_override(c);
    if !input.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(input);
    }
    let mut out = String::with_capacity(input.len() + 16);
    for c in input.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

pub fn for_display(input: &str) -> String {
    if input.chars().all(|c| !c.is_control() && !is_direction_override(c)) {
        return input.to_string();
    }
    sanitize(input).replace('\n', " ")
}

fn skip_escape_sequence(chars: &mut std::str::Chars<'_>) {
    let peek = |chars: &std::str::Chars<'_>| chars.clone().next();
    match peek(chars) {
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
                    if peek(chars) == Some('\\') {
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

/// Masks anything that is a payment card number to its first six and last four digits, and
/// a 3–4 digit code right after "CVV", "CVC", "CSC", "CID" or "security code".
///
/// A card number is 13–19 decimal digits in any script (ASCII, full-width, mathematical,
/// Arabic-Indic, …), written together, glued to a word ("card4111…"), or in groups joined
/// by spaces, dashes, dots, slashes or underscores (" - ", double spaces, one line break,
/// zero-width characters read through); it passes the Luhn check and starts like a card of
/// its length (see [`digits::plausible_card`]). Within a longer run of groups (a card and
/// its expiry, "4111 1111 1111 1111 12 27"), the card is masked on its own. The whole
/// written span is replaced by the ASCII mask. Kept as they are: a number after `+` (a
/// phone), IMEIs, barcodes, phone numbers and tracking numbers by their context, IBANs by
/// their check (see `cards`).
pub fn mask_card_numbers(input: &str) -> Masked {
    // Most text (articles, notes) holds too few digits for a card and no security-code cue:
    // nothing to scan. Counting digits is far cheaper than the scan, which runs on every save.
    let digits = count_digits(input, 13);
    if digits < 3 {
        return Masked { text: input.to_string(), cards: 0, codes: 0 };
    }
    let (text, cards) = if digits < 13 { (input.to_string(), 0) } else { cards::mask_cards(input) };
    let (text, codes) = if codes::has_cue(&text) { codes::mask_security_codes(&text) } else { (text, 0) };
    Masked { text, cards, codes }
}

/// How many digits (any script) the text holds, counting no further than `enough`.
fn count_digits(input: &str, enough: usize) -> usize {
    if input.is_ascii() {
        input.bytes().filter(u8::is_ascii_digit).take(enough).count()
    } else {
        input.chars().filter(|c| digit_value(*c).is_some()).take(enough).count()
    }
}

/// Text lower-cased and without accents, for matching what a rep types against names
/// ("chloe" finds "Chloé", "echoue" finds "Échoué").
pub fn folded(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    text.nfkd().filter(|c| !is_combining_mark(*c)).collect::<String>().to_lowercase()
}

#[cfg(test)]
mod tests {

    #[test]
    fn terminal_safe_writes_out_escapes_and_keeps_lines() {
        assert_eq!(terminal_safe("a\tb\nc"), "a\tb\nc");
        assert_eq!(terminal_safe("\u{1b}[2Jx\u{7}\u{202e}y"), "\\u{1b}[2Jx\\u{7}\\u{202e}y");
    }

    use super::*;

    #[test]
    fn counts_take_the_noun_in_their_number() {
        assert_eq!(counted(0, "contact", "contacts"), "0 contacts");
        assert_eq!(counted(1, "contact", "contacts"), "1 contact");
        assert_eq!(counted(2, "change", "changes"), "2 changes");
    }

    /// What [`sanitize`] does, one character at a time: the definition the fast version is
    /// checked against.
    fn sanitize_by_char(input: &str) -> String {
        let mut out = String::new();
        let mut chars = input.chars();
        while let Some(c) = chars.next() {
            match c {
                '\t' => out.push_str("    "),
                '\r' if chars.clone().next() == Some('\n') => {}
                '\r' => out.push('\n'),
                '\u{1b}' => skip_escape_sequence(&mut chars),
                '\n' => out.push('\n'),
                c if c.is_control() || is_direction_override(c) => {}
                c => out.push(c),
            }
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn sanitize_copies_runs_exactly_as_one_character_at_a_time(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    "[a-z 0-9é€“”—£©\u{a0}\u{2028}\u{2069}\u{202a}\u{2067}\u{85}\u{9f}\u{7f}]{0,6}",
                    proptest::strategy::Strategy::prop_map(
                        proptest::sample::select(vec![
                            "\r\n", "\r", "\n", "\t", "\u{1b}[31m", "\u{1b}]0;title\u{7}", "\u{1b}]x\u{1b}\\",
                            "\u{1b}", "\u{1b}[", "\u{0}", "\u{8}", "\u{2066}", "\u{2029}", "\u{e2}",
                        ]),
                        str::to_string,
                    ),
                ],
                0..12,
            )
        ) {
            let text = parts.concat();
            proptest::prop_assert_eq!(sanitize(&text), sanitize_by_char(&text));
        }
    }

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
