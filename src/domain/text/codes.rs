//! Security codes (CVV, CVC, CID …): a 3–4 digit number right after its cue word.

use super::digits::digit_value;

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

/// Whether a cue word is anywhere in the text (in any case, full-width too): one pass
/// without copying, since most text with digits has none.
pub(super) fn has_cue(input: &str) -> bool {
    if input.is_ascii() {
        return has_cue_ascii(input.as_bytes());
    }
    input.char_indices().any(|(at, c)| {
        matches!(fold_char(c), 'c' | 's')
            && CODE_CUES.iter().any(|cue| {
                let mut rest = input[at..].chars().map(fold_char);
                cue.chars().all(|w| rest.next() == Some(w))
            })
    })
}

/// [`has_cue`] for ASCII text: jumps from one `c` or `s` to the next (memchr's vector
/// search, as a long e-mail has thousands of bytes between them) and looks only at those
/// that start a word (a cue counts only there, see [`mask_security_codes`]: "decide" holds
/// no "cid"). Every cue but "security code" is `c` + one of `v`, `s`, `i` + one more letter.
fn has_cue_ascii(bytes: &[u8]) -> bool {
    let lower = |at: usize| bytes.get(at).map(u8::to_ascii_lowercase);
    let word_start = |at: usize| at == 0 || !bytes[at - 1].is_ascii_alphanumeric();
    let after_c = |at: usize| {
        word_start(at)
            && matches!(
                (lower(at + 1), lower(at + 2)),
                (Some(b'v'), Some(b'v' | b'c')) | (Some(b's'), Some(b'c')) | (Some(b'i'), Some(b'd'))
            )
    };
    let after_s =
        |at: usize| word_start(at) && bytes.get(at..at + 13).is_some_and(|w| w.eq_ignore_ascii_case(b"security code"));
    memchr::memchr2_iter(b'c', b'C', bytes).any(after_c) || memchr::memchr2_iter(b's', b'S', bytes).any(after_s)
}

fn is_wordish(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || digit_value(c).is_some()
}

pub(super) fn mask_security_codes(input: &str) -> (String, usize) {
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
    fn the_ascii_cue_search_finds_exactly_the_cues() {
        let texts = [
            "CVV: 123",
            "the Security Code is",
            "securitycode",
            "cvc2 999",
            "Csc",
            "cid",
            "ci",
            "cv",
            "c",
            "success code check",
            "we can accept cards",
            "acid test",
            "",
            "s",
            "security cod",
            "we decide",
            "an accident",
            "x-cvv 123",
            "(cid)",
        ];
        for text in texts {
            let lower = text.to_ascii_lowercase();
            let expected = CODE_CUES.iter().any(|cue| {
                lower.match_indices(cue).any(|(at, _)| at == 0 || !lower.as_bytes()[at - 1].is_ascii_alphanumeric())
            });
            assert_eq!(has_cue(text), expected, "{text:?}");
            // Whatever the quick check rules out, the masking finds nothing in.
            if !expected {
                assert_eq!(mask_security_codes(&format!("{text} 123")).1, 0, "{text:?}");
            }
        }
    }
}
