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

/// Masks anything that looks like a payment card number to its first six and last four
/// digits, and a 3–4 digit code right after "CVV", "CVC", "CSC", "CID" or "security code".
///
/// A card number is 13–19 decimal digits in any script (ASCII, full-width, Arabic-Indic, …),
/// written together or in groups of 4–6 separated by single spaces or dashes (any Unicode
/// space or dash), passing the Luhn check, and starting like a card (see
/// [`plausible_issuer`]). Within a longer run of digit groups (a card followed by its
/// expiry or code, "4111 1111 1111 1111 12 27"), the card is found and masked on its own.
/// A number right after `+` is a phone number and is left alone.
pub fn mask_card_numbers(input: &str) -> Masked {
    // Most text (articles, notes) holds too few digits for a card and no security-code cue:
    // nothing to scan. Counting digits is far cheaper than the scan, which runs on every save.
    let digits = input.chars().filter(|c| digit_value(*c).is_some()).take(13).count();
    if digits < 3 {
        return Masked { text: input.to_string(), cards: 0, codes: 0 };
    }
    // A security code needs its cue word somewhere in the text, and a card 13 digits.
    let folded: String = input.chars().map(fold_char).collect();
    let has_cue = CODE_CUES.iter().any(|cue| folded.contains(cue));
    let (text, cards) = if digits < 13 { (input.to_string(), 0) } else { mask_cards(input) };
    let (text, codes) = if has_cue { mask_security_codes(&text) } else { (text, 0) };
    Masked { text, cards, codes }
}

/// The card-number half of [`mask_card_numbers`]: the text with each card masked, and how
/// many there were.
fn mask_cards(input: &str) -> (String, usize) {
    let chars: Vec<char> = input.chars().collect();
    let mut out = String::with_capacity(input.len());
    let mut cards = 0;
    let mut i = 0;
    while i < chars.len() {
        let starts_number = digit_value(chars[i]).is_some()
            && (i == 0 || !(is_wordish(chars[i - 1]) || matches!(chars[i - 1], '+' | '\u{ff0b}')));
        if !starts_number {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let groups = digit_groups(&chars, i);
        let end = groups.last().map_or(i, |g| g.end);
        let after_ok = end == chars.len() || !is_wordish(chars[end]);
        // Groups usable at the end of a card: all but a last group glued to letters.
        let usable = if after_ok { groups.len() } else { groups.len() - 1 };
        let mut copied = i;
        let mut a = 0;
        while a < usable {
            match card_in(&groups[..usable], a) {
                Some((b, digits)) => {
                    out.extend(&chars[copied..groups[a].start]);
                    let n = digits.len();
                    out.extend(digits[..6].iter().map(|d| char::from(b'0' + d)));
                    out.extend(std::iter::repeat_n('*', n - 10));
                    out.extend(digits[n - 4..].iter().map(|d| char::from(b'0' + d)));
                    cards += 1;
                    copied = groups[b - 1].end;
                    a = b;
                }
                None => a += 1,
            }
        }
        out.extend(&chars[copied..end]);
        i = end;
    }
    (out, cards)
}

/// One group of digits in a run: where it is and its digit values.
struct Group {
    start: usize,
    end: usize,
    digits: Vec<u8>,
}

/// Reads groups of digits joined by single separators starting at `start`.
fn digit_groups(chars: &[char], start: usize) -> Vec<Group> {
    let mut groups = Vec::new();
    let mut i = start;
    loop {
        let begin = i;
        let mut digits = Vec::new();
        while let Some(d) = chars.get(i).copied().and_then(digit_value) {
            digits.push(d);
            i += 1;
        }
        groups.push(Group { start: begin, end: i, digits });
        let joined = chars.get(i).is_some_and(|&c| is_group_separator(c))
            && chars.get(i + 1).copied().and_then(digit_value).is_some();
        if !joined {
            return groups;
        }
        i += 1;
    }
}

/// Spaces and dashes people (and keyboards, and word processors) put between digit groups.
fn is_group_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '-' | '\u{a0}' | '\u{2007}' | '\u{2009}' | '\u{202f}' | '\u{3000}' | '\u{2010}'
            ..='\u{2015}' | '\u{2212}' | '\u{fe63}' | '\u{ff0d}'
    )
}

/// The longest card number made of whole groups starting at group `a`: the index after its
/// last group and its digits.
fn card_in(groups: &[Group], a: usize) -> Option<(usize, Vec<u8>)> {
    let mut best = None;
    let mut digits: Vec<u8> = Vec::new();
    for b in a..groups.len() {
        let len = groups[b].digits.len();
        // In a grouped number every group but the last has 4–6 digits (4-4-4-4, 4-6-5,
        // 4-4-4-4-3); phone numbers (3-3-4), dates (4-2-2) and times are not grouped so.
        if b > a && !(4..=6).contains(&groups[b - 1].digits.len()) {
            break;
        }
        digits.extend_from_slice(&groups[b].digits);
        if digits.len() > 19 {
            break;
        }
        let grouped_ok = b == a || len <= 7;
        if grouped_ok && digits.len() >= 13 && plausible_issuer(&digits) && luhn_valid(&digits) {
            best = Some((b + 1, digits.clone()));
        }
    }
    best
}

/// Whether the number starts like a payment card (ISO/IEC 7812 major industry identifier):
/// 1 only for 15-digit UATP, 2 only for Mir (2200–2204) and Mastercard (2221–2720), 3–6,
/// 8 (UnionPay 81) and 9 (national schemes). Never 0 (phone trunk prefixes) or 7; this keeps
/// 13-digit millisecond timestamps and 20xx dates and times out.
fn plausible_issuer(digits: &[u8]) -> bool {
    let prefix4 = digits.iter().take(4).fold(0u32, |n, &d| n * 10 + u32::from(d));
    match digits.first() {
        Some(1) => digits.len() == 15,
        Some(2) => (2200..=2204).contains(&prefix4) || (2221..=2720).contains(&prefix4),
        Some(3..=6 | 8 | 9) => true,
        _ => false,
    }
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
    // Below the first non-ASCII digit block only ASCII digits exist; nearly all text is here.
    if code < 0x660 {
        return c.is_ascii_digit().then(|| c as u8 - b'0');
    }
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
    sum.is_multiple_of(10)
}

/// One lower-case character per character (so positions line up): full-width Latin folded
/// to ASCII, and a character whose lower case is longer (Turkish İ) kept as it is.
fn fold_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let c = match u32::from(c) {
        code @ 0xFF01..=0xFF5E => char::from_u32(code - 0xFEE0).unwrap_or(c),
        0x3000 => ' ',
        _ => c,
    };
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// Words after which a 3–4 digit number is a card's security code.
const CODE_CUES: [&str; 7] = ["security code", "cvv2", "cvc2", "cvv", "cvc", "csc", "cid"];

fn mask_security_codes(input: &str) -> (String, usize) {
    const CUES: [&str; 7] = CODE_CUES;
    // Words that may sit between the cue and the code: "CVV code: 123", "CVC is 123".
    const FILLERS: [&str; 6] = ["code", "number", "no", "is", "was", "of"];
    let chars: Vec<char> = input.chars().collect();
    let lower: Vec<char> = chars.iter().map(|&c| fold_char(c)).collect();
    let starts_with = |at: usize, word: &str| {
        let n = word.chars().count();
        at + n <= lower.len()
            && lower[at..at + n].iter().copied().eq(word.chars())
            && lower.get(at + n).is_none_or(|&c| !c.is_alphanumeric())
    };
    let mut out: Vec<char> = chars.clone();
    let mut codes = 0;
    let mut i = 0;
    while i < lower.len() {
        let at_word_start = i == 0 || !lower[i - 1].is_alphanumeric();
        let cue = if at_word_start { CUES.iter().find(|cue| starts_with(i, cue)) } else { None };
        let Some(cue) = cue else {
            i += 1;
            continue;
        };
        let mut j = i + cue.chars().count();
        let mut words = 0;
        loop {
            while j < lower.len() && (lower[j].is_whitespace() || matches!(lower[j], ':' | '-' | '#' | '=' | '.' | ','))
            {
                j += 1;
            }
            match FILLERS.iter().find(|w| starts_with(j, w)) {
                Some(w) if words < 3 => {
                    j += w.chars().count();
                    words += 1;
                }
                _ => break,
            }
        }
        let start = j;
        while j < chars.len() && digit_value(chars[j]).is_some() {
            j += 1;
        }
        let len = j - start;
        // "CSC-2026-118" is a reference number, not a code: the digits must end there.
        let continues = j < chars.len()
            && (is_wordish(chars[j])
                || (matches!(chars[j], '-' | '/' | '.' | ',' | ':')
                    && chars.get(j + 1).copied().and_then(digit_value).is_some()));
        if (3..=4).contains(&len) && !continues {
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
