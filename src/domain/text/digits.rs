//! Digits in any script, the characters that hide between them, and the check-digit rules
//! that tell a card number from other long numbers.

/// The code point of the digit zero of every Unicode decimal-digit block (Unicode 14):
/// ASCII, Arabic-Indic, Devanagari, …, full-width, and the mathematical bold, double-struck,
/// sans-serif and monospace digits people paste to get past filters.
const ZEROS: &[u32] = &[
    0x30, 0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xDE6, 0xE50, 0xED0,
    0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620,
    0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10, 0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0,
    0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60,
    0x16AC0, 0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
];

/// The value of a decimal digit in any script (ASCII, full-width, Arabic-Indic, Devanagari,
/// mathematical bold, …): what NFKC would turn it into, without normalising the text.
///
/// Superscript, subscript and circled digits count too: NFKC turns them into digits, and a
/// card written `⁴¹¹¹…` or `④①①①…` is still a card.
pub fn digit_value(c: char) -> Option<u8> {
    let code = u32::from(c);
    if code < 0x80 {
        return c.is_ascii_digit().then(|| c as u8 - b'0');
    }
    let value = match code {
        0xB2 | 0xB3 => code - 0xB0,
        0xB9 => 1,
        0x2070 => 0,
        0x2074..=0x2079 => code - 0x2070,
        0x2080..=0x2089 => code - 0x2080,
        0x2460..=0x2468 => code - 0x245F,
        0x24EA => 0,
        // Below the first non-ASCII digit block no other digits exist.
        _ if code < 0x660 => return None,
        _ => {
            // ZEROS is sorted: the block a digit would be in starts at the last zero not
            // above it (a search, where a scan of the list cost every curly quote and dash
            // of a mailbox a third of masking it).
            let zero = ZEROS[..ZEROS.partition_point(|&z| z <= code)].last()?;
            return (code < zero + 10).then(|| u8::try_from(code - zero).ok()).flatten();
        }
    };
    u8::try_from(value).ok()
}

/// Invisible characters that can sit between the digits of a number without showing:
/// zero-width space, joiners, word joiner, invisible operators, byte-order mark, soft
/// hyphen, Mongolian vowel separator. Card detection reads through them.
///
/// Combining marks, variation selectors and the keycap mark count as well: `4️⃣1️⃣1️⃣1️⃣…`
/// (each digit followed by U+FE0F U+20E3) shows as a card number.
pub fn is_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{300}'..='\u{36f}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200d}'
            | '\u{2060}'..='\u{2064}'
            | '\u{20d0}'..='\u{20ff}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{feff}'
            | '\u{e0000}'..='\u{e007f}'
    )
}

/// The Luhn (mod 10) check every payment card number passes — and so do IMEIs, and one in
/// ten random numbers.
pub fn luhn_valid(digits: &[u8]) -> bool {
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

/// The GS1 check digit of EAN-13, UPC-A, GTIN-14 and ISBN-13 (weights 3 and 1 from the
/// right).
pub fn gtin_valid(digits: &[u8]) -> bool {
    let Some((&check, body)) = digits.split_last() else { return false };
    let sum: u32 = body.iter().rev().enumerate().map(|(i, &d)| u32::from(d) * if i % 2 == 0 { 3 } else { 1 }).sum();
    (10 - sum % 10) % 10 == u32::from(check)
}

/// The first `n` digits as a number (for prefix ranges).
fn prefix(digits: &[u8], n: usize) -> u32 {
    digits.iter().take(n).fold(0u32, |acc, &d| acc * 10 + u32::from(d))
}

/// Whether a number of this length could be issued as a payment card, by the issuer ranges
/// of the schemes (ISO/IEC 7812 and the schemes' own tables):
///
/// - 1: UATP and old JCB, 15 digits only; 2: Mir 2200–2204 (16–19), Mastercard 2221–2720
///   (16), old JCB 2131 and enRoute 2014/2149 (15);
/// - 3: Amex 34/37 (15), Diners 300–305, 3095, 36, 38, 39 (14–19), JCB 3528–3589 (16–19);
/// - 4: Visa, 13, 16 or 19; 5: Mastercard 51–55 (16), Maestro 50 and 56–59 (13–19);
/// - 6: Discover, UnionPay, Maestro, RuPay, Elo … (13–19); 8: UnionPay and RuPay 81–82
///   (16–19); 9: national schemes (16–19).
///
/// Never 0 (phone trunk prefixes) or 7. So a 15-digit number that is not Amex, Diners,
/// Maestro, UATP or 6-series (an IMEI starts 35, 86, 99, 01, 44–54 …) is not a card, nor is
/// a 13-digit millisecond timestamp.
pub fn plausible_card(digits: &[u8]) -> bool {
    let len = digits.len();
    if !(13..=19).contains(&len) {
        return false;
    }
    let (p2, p3, p4) = (prefix(digits, 2), prefix(digits, 3), prefix(digits, 4));
    match digits[0] {
        1 => len == 15,
        2 => match len {
            15 => matches!(p4, 2014 | 2149 | 2131),
            16 => (2200..=2204).contains(&p4) || (2221..=2720).contains(&p4),
            _ => (2200..=2204).contains(&p4),
        },
        3 => match p2 {
            34 | 37 => len == 15,
            36 | 38 | 39 => len >= 14,
            30 => ((300..=305).contains(&p3) || p4 == 3095) && len >= 14,
            35 => (3528..=3589).contains(&p4) && len >= 16,
            _ => false,
        },
        4 => matches!(len, 13 | 16 | 19),
        5 => match p2 {
            51..=55 => len == 16,
            50 | 56..=59 => true,
            _ => false,
        },
        6 => true,
        8 => matches!(p2, 81 | 82) && len >= 16,
        9 => len >= 16,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_zeros_are_sorted_and_every_digit_block_is_found() {
        assert!(ZEROS.windows(2).all(|w| w[0] + 10 <= w[1]), "sorted, blocks apart");
        for c in (0x660..0x20000).filter_map(char::from_u32) {
            let code = u32::from(c);
            let scanned = ZEROS.iter().find(|&&z| (z..z + 10).contains(&code)).map(|z| (code - z) as u8);
            if !matches!(code, 0x2070..=0x2089 | 0x2460..=0x2468 | 0x24EA) {
                assert_eq!(digit_value(c), scanned, "U+{code:04X}");
            }
        }
    }

    fn digits(s: &str) -> Vec<u8> {
        s.bytes().map(|b| b - b'0').collect()
    }

    #[test]
    fn digits_of_every_script_are_read() {
        assert_eq!(digit_value('7'), Some(7));
        assert_eq!(digit_value('\u{ff17}'), Some(7), "full-width");
        assert_eq!(digit_value('\u{1d7d5}'), Some(7), "mathematical bold");
        assert_eq!(digit_value('\u{1d7fd}'), Some(7), "mathematical monospace");
        assert_eq!(digit_value('\u{667}'), Some(7), "Arabic-Indic");
        assert_eq!(digit_value('x'), None);
        assert_eq!(digit_value('\u{b2}'), Some(2), "superscript two");
        assert_eq!(digit_value('\u{2463}'), Some(4), "circled four");
        assert_eq!(digit_value('\u{b5}'), None, "micro sign");
    }

    #[test]
    fn check_digits() {
        assert!(luhn_valid(&digits("4111111111111111")));
        assert!(!luhn_valid(&digits("4111111111111112")));
        assert!(gtin_valid(&digits("4006381333931")), "EAN-13");
        assert!(gtin_valid(&digits("036000291452")), "UPC-A");
        assert!(!gtin_valid(&digits("4006381333932")));
    }

    #[test]
    fn issuer_ranges_by_length() {
        for card in ["4111111111111111", "378282246310005", "36227206271667", "3530111333300000", "2223000048400011"] {
            assert!(plausible_card(&digits(card)), "{card}");
        }
        for other in ["352099001761481", "861234567890123", "1795183200009", "7000000001675664", "3111111111111111"] {
            assert!(!plausible_card(&digits(other)), "{other}");
        }
    }
}
