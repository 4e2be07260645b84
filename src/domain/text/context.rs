//! The words around a number that say what it is: an IMEI, a parcel's tracking number, a
//! product's barcode, a phone number — and IBANs, which carry their own check.
//!
//! Context only ever keeps a number whose shape also fits what the words say (a 15-digit
//! IMEI, a 20-digit tracking number, a 13-digit EAN with a valid check digit): a 16-digit
//! card typed after "device" or "tracking" is still masked.

/// What the words before (or just after) a number say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cue {
    /// IMEI, MEID, serial, device, handset.
    Device,
    /// Tracking, USPS, UPS, FedEx, DHL, shipment, parcel, package, carrier, waybill.
    Tracking,
    /// EAN, UPC, GTIN, ISBN, barcode, SKU, item, product, article, order.
    Product,
    /// Phone, tel, call, mobile, cell, fax, WhatsApp.
    Phone,
}

/// How a cue word must stand to count.
#[derive(Clone, Copy)]
enum Reach {
    /// Anywhere in the context, as a word or the start of one ("IMEIs:", "tracking").
    Wide,
    /// Anywhere in the context, as a whole word only ("UPS", not "upset").
    WideWhole,
    /// Close before the number on its line, or just after it: a common word ("call",
    /// "order", "device") vouches only for the number it introduces, never for a card
    /// further on in the same paragraph.
    Near,
}

/// The words of each cue; a word matches at a word start, in any case.
fn words(cue: Cue) -> &'static [(&'static str, Reach)] {
    use Reach::{Near, Wide, WideWhole};
    match cue {
        Cue::Device => &[("imei", Wide), ("meid", Wide), ("serial", Near), ("device", Near), ("handset", Near)],
        Cue::Tracking => &[
            ("track", Wide),
            ("usps", Wide),
            ("ups", WideWhole),
            ("fedex", Wide),
            ("dhl", WideWhole),
            ("waybill", Wide),
            ("consignment", Wide),
            ("ship", Near),
            ("parcel", Near),
            ("package", Near),
            ("carrier", Near),
            ("delivery", Near),
        ],
        Cue::Product => &[
            ("ean", WideWhole),
            ("eans", WideWhole),
            ("upc", Wide),
            ("gtin", Wide),
            ("isbn", Wide),
            ("barcode", Wide),
            ("bar code", Wide),
            ("sku", Wide),
            ("item", Near),
            ("product", Near),
            ("article", Near),
            ("order", Near),
        ],
        Cue::Phone => &[
            ("phone", Near),
            ("tel", Near),
            ("call", Near),
            ("mobile", Near),
            ("cell", Near),
            ("fax", Near),
            ("whatsapp", Near),
        ],
    }
}

/// How far before a number its cue may be: far enough for a heading over a list of
/// numbers ("Tracking numbers:" and a few lines of them), never past a blank line.
const BEFORE: usize = 240;
/// How far after a number on its line: "352099001761481 (IMEI)".
const AFTER: usize = 40;

/// The text around `start..end` in which cues count: back to a blank line or [`BEFORE`]
/// bytes, and on to the end of the line or [`AFTER`] bytes, lower-cased.
pub struct Context {
    before: String,
    after: String,
}

impl Context {
    /// The context of the number at `start..end` of `input`.
    pub fn around(input: &str, start: usize, end: usize) -> Self {
        let mut from = start.saturating_sub(BEFORE);
        while !input.is_char_boundary(from) {
            from += 1;
        }
        let mut before = &input[from..start];
        if let Some(blank) = before.rfind("\n\n") {
            before = &before[blank + 2..];
        }
        let mut to = (end + AFTER).min(input.len());
        while !input.is_char_boundary(to) {
            to -= 1;
        }
        let after = input[end..to].split('\n').next().unwrap_or_default();
        Self { before: before.to_lowercase(), after: after.to_lowercase() }
    }

    /// Whether a word of `cue` is in this context (see [`Reach`]).
    pub fn has(&self, cue: Cue) -> bool {
        let near = near_end(&self.before);
        words(cue).iter().any(|&(word, reach)| match reach {
            Reach::Wide => has_word(&self.before, word, false) || has_word(&self.after, word, false),
            Reach::WideWhole => has_word(&self.before, word, true) || has_word(&self.after, word, true),
            Reach::Near => has_word(near, word, false) || has_word(&self.after, word, false),
        })
    }
}

/// How far before a number a [`Reach::Near`] cue may be.
const NEAR: usize = 24;

/// The end of `text` on its last line, at most [`NEAR`] bytes.
fn near_end(text: &str) -> &str {
    let line = text.rsplit('\n').next().unwrap_or_default();
    let mut from = line.len().saturating_sub(NEAR);
    while !line.is_char_boundary(from) {
        from += 1;
    }
    &line[from..]
}

fn has_word(text: &str, word: &str, whole: bool) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let starts = text[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        let ends = !whole || text[at + word.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        starts && ends
    })
}

/// Whether the digits at `start..end` are part of an IBAN (two letters, two check digits and
/// up to 30 letters and digits, grouped by single spaces or not) whose mod-97 check holds.
pub fn in_iban(input: &str, start: usize, end: usize) -> bool {
    let bytes = input.as_bytes();
    let from = start.saturating_sub(40);
    (from..=start).any(|p| {
        let word_start = p == 0 || !bytes[p - 1].is_ascii_alphanumeric();
        word_start
            && bytes.len() >= p + 4
            && bytes[p..p + 2].iter().all(u8::is_ascii_uppercase)
            && bytes[p + 2..p + 4].iter().all(u8::is_ascii_digit)
            && iban_from(bytes, p, end)
    })
}

/// Whether an IBAN starting at byte `p` ends (at a group boundary) at or after `end`.
fn iban_from(bytes: &[u8], p: usize, end: usize) -> bool {
    let mut compact: Vec<u8> = Vec::with_capacity(34);
    let mut i = p;
    while i < bytes.len() && compact.len() < 34 {
        let b = bytes[i];
        if b.is_ascii_alphanumeric() {
            compact.push(b.to_ascii_uppercase());
            i += 1;
            let boundary = bytes.get(i).is_none_or(|n| !n.is_ascii_alphanumeric());
            if boundary && i >= end && compact.len() >= 15 && mod97(&compact) == 1 {
                return true;
            }
        } else if b == b' ' && bytes.get(i + 1).is_some_and(u8::is_ascii_alphanumeric) && compact.len() >= 4 {
            i += 1;
        } else {
            break;
        }
    }
    false
}

/// ISO 13616: the first four characters moved to the end, letters as 10–35, mod 97.
fn mod97(iban: &[u8]) -> u32 {
    let (head, tail) = iban.split_at(4);
    tail.iter().chain(head).fold(0u32, |acc, &b| {
        let v = if b.is_ascii_digit() { u32::from(b - b'0') } else { u32::from(b - b'A') + 10 };
        if v >= 10 { (acc * 100 + v) % 97 } else { (acc * 10 + v) % 97 }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cues_are_words_not_parts_of_words() {
        let ctx = |s: &str| Context::around(s, s.len(), s.len());
        assert!(ctx("IMEI: ").has(Cue::Device));
        assert!(ctx("Tracking numbers:\n").has(Cue::Tracking));
        assert!(ctx("sent by UPS ").has(Cue::Tracking));
        assert!(!ctx("I was upset ").has(Cue::Tracking));
        assert!(!ctx("clean ocean ").has(Cue::Product));
        assert!(!ctx("tracking\n\nnew paragraph ").has(Cue::Tracking), "a blank line ends the context");
        assert!(ctx("please call me on ").has(Cue::Phone));
        assert!(!ctx("Please call me back tomorrow. My Diners card is ").has(Cue::Phone), "too far");
        assert!(!ctx("call me\ncard ").has(Cue::Phone), "another line");
    }

    #[test]
    fn ibans_are_recognised_by_their_check() {
        for iban in ["BE68539007547034", "BE68 5390 0754 7034", "DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432"]
        {
            let digits = iban.find(|c: char| c.is_ascii_digit()).unwrap();
            assert!(in_iban(iban, digits + 2, iban.len()), "{iban}");
        }
        assert!(!in_iban("BE68539007547035", 2, 16));
    }
}
