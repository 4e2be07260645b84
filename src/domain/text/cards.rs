//! Finding payment card numbers in free text, however they are written, without touching
//! the other long numbers a support desk lives on.
//!
//! A number is read as *groups* of digits joined by short separators (spaces, dashes, dots,
//! slashes, underscores, at most one line break), reading through zero-width characters and
//! digits of any script. Within such a run, a card is 13–19 digits of whole groups that
//! start like a card ([`plausible_card`]), pass the Luhn check, and are grouped the way
//! cards are printed. Then the context may still say it is something else: see
//! [`exempt`].

use super::context::{Context, Cue, in_iban};
use super::digits::{digit_value, gtin_valid, is_ignorable, luhn_valid, plausible_card};

/// One group of digits: its byte span in the text and where its digit values are in the
/// run's `digits`.
struct Group {
    start: usize,
    end: usize,
    digits: std::ops::Range<usize>,
    /// Whether the separator before this group holds a line break.
    newline_before: bool,
}

impl Group {
    fn len(&self) -> usize {
        self.digits.len()
    }
}

/// Groups joined by separators, as written, and the values of all their digits in order
/// (so the digits of consecutive groups are one slice). One is reused for every run of a
/// text: text full of numbers costs no allocation per number.
#[derive(Default)]
struct Run {
    groups: Vec<Group>,
    digits: Vec<u8>,
}

impl Run {
    /// The digits of groups `a..b`.
    fn digits(&self, a: usize, b: usize) -> &[u8] {
        &self.digits[self.groups[a].digits.start..self.groups[b - 1].digits.end]
    }
}

/// The text with each card masked to its first six and last four digits, and how many
/// cards there were.
pub(super) fn mask_cards(input: &str) -> (String, usize) {
    let mut out = String::with_capacity(input.len());
    let (mut copied, mut cards, mut pos) = (0, 0, 0);
    let mut run = Run::default();
    while let Some(start) = next_digit(input, pos) {
        read_run(input, start, &mut run);
        pos = run.groups.last().map_or(input.len(), |g| g.end);
        let first = match first_group_of_a_card(input, start) {
            Start::Anywhere => 0,
            // E.164 numbers have at most 15 digits: a longer run holds more than the phone.
            Start::AfterPhone if run.digits.len() <= 15 => continue,
            Start::AfterPhone | Start::AfterCode => 1,
        };
        for (from, to, digits) in cards_in(input, &run, first) {
            out.push_str(&input[copied..from]);
            push_masked(&mut out, &digits);
            copied = to;
            cards += 1;
        }
    }
    out.push_str(&input[copied..]);
    (out, cards)
}

fn push_masked(out: &mut String, digits: &[u8]) {
    let n = digits.len();
    out.extend(digits[..6].iter().map(|d| char::from(b'0' + d)));
    out.extend(std::iter::repeat_n('*', n - 10));
    out.extend(digits[n - 4..].iter().map(|d| char::from(b'0' + d)));
}

/// The byte offset of the next digit (any script) at or after `pos`.
fn next_digit(input: &str, mut pos: usize) -> Option<usize> {
    let bytes = input.as_bytes();
    loop {
        // ASCII text is scanned byte by byte; only a non-ASCII character is decoded.
        pos += bytes.get(pos..)?.iter().position(|b| b.is_ascii_digit() || *b >= 0x80)?;
        if bytes[pos].is_ascii_digit() {
            return Some(pos);
        }
        let c = input[pos..].chars().next()?;
        if digit_value(c).is_some() {
            return Some(pos);
        }
        pos += c.len_utf8();
    }
}

/// Where in a run a card may start, by what comes before the run.
enum Start {
    /// Anywhere, the first group too: after a space, punctuation, or a plain word glued to
    /// the digits ("card4111…").
    Anywhere,
    /// After `+`: the first group is a phone's country code.
    AfterPhone,
    /// Inside a code mixing letters and digits ("1Z…" UPS numbers, "NL91ABNA…"): the first
    /// group is part of the code.
    AfterCode,
}

fn first_group_of_a_card(input: &str, start: usize) -> Start {
    let mut before = input[..start].chars().rev().filter(|&c| !is_ignorable(c));
    match before.next() {
        Some('+' | '\u{ff0b}') => Start::AfterPhone,
        Some(c)
            if c.is_alphanumeric()
                && std::iter::once(c)
                    .chain(before.take(32))
                    .take_while(|c| c.is_alphanumeric())
                    .any(|c| digit_value(c).is_some()) =>
        {
            Start::AfterCode
        }
        _ => Start::Anywhere,
    }
}

/// At most this many invisible characters in a row are read through inside a number.
const MAX_IGNORABLE: usize = 3;
/// At most this many characters between two groups (" - ", a line break and indentation).
const MAX_SEPARATOR: usize = 5;

fn read_run(input: &str, start: usize, run: &mut Run) {
    run.groups.clear();
    run.digits.clear();
    let (mut at, mut newline_before, mut newlines) = (start, false, 0);
    loop {
        let from = run.digits.len();
        let end = read_group(input, at, &mut run.digits);
        run.groups.push(Group { start: at, end, digits: from..run.digits.len(), newline_before });
        match read_separator(input, end) {
            // A second line break ends the run: a column of numbers is not one number.
            Some((next, newline)) if !(newline && newlines > 0) => {
                newlines += usize::from(newline);
                newline_before = newline;
                at = next;
            }
            _ => return,
        }
    }
}

/// Reads the digits from `at` (a digit) on, through invisible characters, into `digits`;
/// returns where the last ends.
fn read_group(input: &str, at: usize, digits: &mut Vec<u8>) -> usize {
    let (mut end, mut hidden) = (at, 0);
    for (i, c) in input[at..].char_indices() {
        if let Some(d) = digit_value(c) {
            digits.push(d);
            end = at + i + c.len_utf8();
            hidden = 0;
        } else if is_ignorable(c) && hidden < MAX_IGNORABLE {
            hidden += 1;
        } else {
            break;
        }
    }
    end
}

/// Characters people put between digit groups besides white space: dashes of every kind,
/// dots (middle dots and bullets too), slashes and underscores (full-width too).
fn is_mark(c: char) -> bool {
    matches!(
        c,
        '-' | '.' | '/' | '_' | '\u{b7}' | '\u{2022}' | '\u{2219}' | '\u{30fb}' | '\u{2010}'
            ..='\u{2015}' | '\u{2212}' | '\u{fe63}' | '\u{ff0d}' | '\u{ff0e}' | '\u{ff0f}' | '\u{ff3f}'
    )
}

/// A separator from `at` to the next digit: white space (one line break at most) with at
/// most one mark, [`MAX_SEPARATOR`] characters at most. Returns where the next group starts
/// and whether the separator breaks the line.
fn read_separator(input: &str, at: usize) -> Option<(usize, bool)> {
    let (mut shown, mut marks, mut newline) = (0, 0, false);
    for (n, (i, c)) in input[at..].char_indices().enumerate() {
        if digit_value(c).is_some() {
            return (i > 0).then_some((at + i, newline));
        }
        if c == '\n' {
            if newline {
                return None;
            }
            newline = true;
        } else if is_mark(c) {
            marks += 1;
        } else if !c.is_whitespace() && !is_ignorable(c) {
            return None;
        }
        shown += usize::from(!is_ignorable(c));
        if marks > 1 || shown > MAX_SEPARATOR || n >= MAX_SEPARATOR + MAX_IGNORABLE {
            return None;
        }
    }
    None
}

/// The cards in a run, starting at group `first` or later: (byte start, byte end, digits)
/// of each.
fn cards_in(input: &str, run: &Run, first: usize) -> Vec<(usize, usize, Vec<u8>)> {
    let groups = &run.groups;
    let mut found = Vec::new();
    if run.digits.len() < 13 {
        return found;
    }
    let mut context: Option<Context> = None;
    // Everything from a tracking number on is that tracking number ("420 94107 9400 1000 …":
    // a ZIP routing code, then the number).
    let mut tracking_cue: Option<bool> = None;
    let tracking = tracking_starts(groups).find(|&t| {
        run.digits[groups[t].digits.start] == 9
            || *tracking_cue.get_or_insert_with(|| {
                context.get_or_insert_with(|| Context::around(input, groups[0].start, run_end(run))).has(Cue::Tracking)
            })
    });
    let groups = &groups[..tracking.unwrap_or(groups.len())];
    let mut a = first;
    while a < groups.len() {
        let Some((b, digits)) = card_at(run, groups.len(), a) else {
            a += 1;
            continue;
        };
        let (from, to) = (groups[a].start, groups[b - 1].end);
        let ctx = context.get_or_insert_with(|| Context::around(input, groups[0].start, run_end(run)));
        if exempt(input, ctx, (from, to), &digits) {
            a += 1;
        } else {
            found.push((from, to, digits));
            a = b;
        }
    }
    found
}

fn run_end(run: &Run) -> usize {
    run.groups.last().map_or(0, |g| g.end)
}

/// Where a parcel's tracking number as USPS prints it could start: from there to the end of
/// the run, 20 digits or more in groups of four (the last may be shorter). Card and expiry
/// ("4111 1111 1111 1111 12 27") are not grouped so. Linear in the run, however long.
fn tracking_starts(groups: &[Group]) -> impl Iterator<Item = usize> + '_ {
    let n = groups.len();
    let last_len = groups.last().map_or(0, Group::len);
    // The first group of the block of four-digit groups just before the last.
    let mut first = n.saturating_sub(1);
    while first > 0 && groups[first - 1].len() == 4 {
        first -= 1;
    }
    (first..n.saturating_sub(1)).filter(move |&t| (1..=4).contains(&last_len) && 4 * (n - 1 - t) + last_len >= 20)
}

/// The longest card made of whole groups starting at group `a` (of the first `n` groups of
/// the run): the index after its last group and its digits.
fn card_at(run: &Run, n: usize, a: usize) -> Option<(usize, Vec<u8>)> {
    let groups = &run.groups[..n];
    let mut best = None;
    for b in a..n {
        let digits = run.digits(a, b + 1);
        if digits.len() > 19 {
            break;
        }
        // Cheapest checks first: a long run of short numbers tries many spans.
        if digits.len() >= 13 && plausible_card(digits) && luhn_valid(digits) && grouped_like_a_card(&groups[a..=b]) {
            best = Some((b + 1, digits.to_vec()));
        }
    }
    best
}

/// Whether groups are written the way card numbers are: every group but the last of 4–6
/// digits (4-4-4-4, 4-6-5, 4-4-4-4-3; phone numbers 3-3-4, dates 4-2-2 and IMEIs 2-6-6-1 are
/// not grouped so) and the last of 2–7. A line break may fall between groups or inside one
/// (a wrapped line), so both readings are tried.
fn grouped_like_a_card(groups: &[Group]) -> bool {
    if groups.len() == 1 {
        return true;
    }
    // A line break between groups: the groups on either side are not held to the sizes.
    let as_groups: Vec<(usize, bool)> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| (g.len(), g.newline_before || groups.get(i + 1).is_some_and(|n| n.newline_before)))
        .collect();
    // A line break inside a group: the two pieces are one group.
    let mut as_wrapped: Vec<(usize, bool)> = Vec::new();
    for g in groups {
        match as_wrapped.last_mut() {
            Some((len, _)) if g.newline_before => *len += g.len(),
            _ => as_wrapped.push((g.len(), false)),
        }
    }
    sizes_ok(&as_groups) || sizes_ok(&as_wrapped)
}

/// (digits, free of the size rule) per group.
fn sizes_ok(groups: &[(usize, bool)]) -> bool {
    let Some((&(last, last_free), rest)) = groups.split_last() else { return false };
    let rest_ok = rest.iter().all(|&(len, free)| free || (4..=6).contains(&len));
    rest_ok && (rest.is_empty() || last_free || (2..=7).contains(&last))
}

/// Whether a card-like number is, by its context, something else that must be kept:
///
/// - an IMEI or a FedEx Ground number: 15 digits after "IMEI", "serial", "device" … or
///   "tracking", "FedEx" … (never an Amex 34/37 number);
/// - a barcode: 13 or 14 digits with a valid GS1 check digit after "EAN", "UPC", "SKU",
///   "item", "order" …;
/// - a phone number: at most 15 digits after "phone", "call", "mobile" … (not Amex);
/// - part of an IBAN whose mod-97 check holds.
fn exempt(input: &str, ctx: &Context, (from, to): (usize, usize), digits: &[u8]) -> bool {
    let amex = matches!(digits[..2], [3, 4] | [3, 7]);
    let n = digits.len();
    (n == 15 && !amex && (ctx.has(Cue::Device) || ctx.has(Cue::Tracking)))
        || ((n == 13 || n == 14) && gtin_valid(digits) && ctx.has(Cue::Product))
        || (n <= 15 && !amex && ctx.has(Cue::Phone))
        || in_iban(input, from, to)
}
