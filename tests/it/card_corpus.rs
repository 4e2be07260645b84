//! The card corpus: card numbers in every written form must all be masked, and real numbers
//! that are not cards — IMEIs (which pass Luhn), tracking numbers in groups of four,
//! barcodes, phone numbers, IBANs, the demo's own order and tracking numbers — must all be
//! kept. Card numbers are generated with valid check digits across the brands; the forms
//! reported in the attack (dots, slashes, underscores, double spaces, " - ", line breaks,
//! digits glued to words, zero-width characters, mathematical digits) are in
//! `tests/fixtures/cards/`. The counts are printed.

use std::path::Path;

use frontline::domain::text::digits::{gtin_valid, luhn_valid};
use frontline::domain::text::{digit_value, mask_card_numbers};

/// A small deterministic generator (xorshift), so the corpus is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn digits(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from(b'0' + self.below(10) as u8)).collect()
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

fn digits_of(s: &str) -> Vec<u8> {
    s.bytes().map(|b| b - b'0').collect()
}

/// `prefix`, random digits, and the check digit that makes the whole `len` digits pass Luhn.
fn with_luhn(rng: &mut Rng, prefix: &str, len: usize) -> String {
    let body = format!("{prefix}{}", rng.digits(len - 1 - prefix.len()));
    (0..10).map(|c| format!("{body}{c}")).find(|n| luhn_valid(&digits_of(n))).unwrap()
}

/// (brand, prefixes, length) of the cards generated.
const BRANDS: &[(&str, &[&str], usize)] = &[
    ("Visa 13", &["4"], 13),
    ("Visa 16", &["4"], 16),
    ("Visa 19", &["4"], 19),
    ("Mastercard 5-series", &["51", "52", "53", "54", "55"], 16),
    ("Mastercard 2-series", &["2221", "2300", "2500", "2720"], 16),
    ("Amex", &["34", "37"], 15),
    ("Discover", &["6011", "644", "649", "65"], 16),
    ("Discover 19", &["6011"], 19),
    ("JCB", &["3528", "3540", "3589"], 16),
    ("Diners 14", &["36", "300", "305"], 14),
    ("Diners 16", &["38", "39"], 16),
    ("UnionPay 19", &["62"], 19),
];

/// How a card of `len` digits is grouped when printed.
fn groups(card: &str) -> Vec<String> {
    let sizes: &[usize] = match card.len() {
        13 => &[4, 4, 5],
        14 => &[4, 6, 4],
        15 => &[4, 6, 5],
        19 => &[4, 4, 4, 4, 3],
        _ => &[4, 4, 4, 4],
    };
    let mut at = 0;
    sizes
        .iter()
        .map(|n| {
            at += n;
            card[at - n..at].to_string()
        })
        .collect()
}

fn shift(s: &str, zero: u32) -> String {
    s.chars().map(|c| c.to_digit(10).map_or(c, |d| char::from_u32(zero + d).unwrap())).collect()
}

/// Every way the corpus writes a card.
fn forms(card: &str) -> Vec<(&'static str, String)> {
    let g = groups(card);
    let half = g.len() / 2;
    let zw_every: String = card.chars().flat_map(|c| [c, '\u{200b}']).collect();
    vec![
        ("plain", card.to_string()),
        ("spaces", g.join(" ")),
        ("dashes", g.join("-")),
        ("dots", g.join(".")),
        ("slashes", g.join("/")),
        ("underscores", g.join("_")),
        ("double spaces", g.join("  ")),
        ("spaced dash", g.join(" - ")),
        ("line break between groups", format!("{}\n{}", g[..half].join(" "), g[half..].join(" "))),
        ("line break inside", format!("{}\n{}", &card[..7], &card[7..])),
        ("CRLF", format!("{}\r\n{}", g[..half].join(" "), g[half..].join(" "))),
        ("glued to a word before", format!("card{card}")),
        ("glued to a word after", format!("{card}exp")),
        ("zero-width between digits", zw_every.trim_end_matches('\u{200b}').to_string()),
        ("zero-width between groups", g.join("\u{200b}")),
        ("word joiner and soft hyphen", g.join("\u{2060}\u{ad}")),
        ("mathematical bold", shift(card, 0x1D7CE)),
        ("double-struck, spaced", shift(&g.join(" "), 0x1D7D8)),
        ("monospace, dashed", shift(&g.join("-"), 0x1D7F6)),
        ("full-width, ideographic space", shift(&g.join("\u{3000}"), 0xFF10)),
        ("no-break spaces", g.join("\u{a0}")),
        ("en dashes", g.join("\u{2013}")),
        ("Arabic-Indic", shift(card, 0x660)),
        ("tabs", g.join("\t")),
    ]
}

const CONTEXTS: &[&str] = &[
    "{}",
    "card {} was charged twice",
    "Card number: {}.",
    "({})",
    "paid with {}, exp 12/27",
    "{} cvv 123",
    "número de tarjeta {}",
    "カード番号：{}",
    "Subject: refund to {} please",
];

/// Contexts whose words would keep an IMEI, a tracking or a barcode number: a card of
/// 16 digits or more is masked in them all the same.
const HOSTILE_CONTEXTS: &[&str] = &["IMEI {}", "tracking {}", "order {}", "EAN {}", "call {}", "device serial {}"];

fn masked_form(card: &str) -> String {
    let n = card.len();
    format!("{}{}{}", &card[..6], "*".repeat(n - 10), &card[n - 4..])
}

/// Every digit of the text, in any script, through anything between them.
fn all_digits(text: &str) -> String {
    text.chars().filter_map(digit_value).map(|d| char::from(b'0' + d)).collect()
}

/// Why a text with one card was not masked right, if it was not.
fn card_failure(text: &str, card: &str, expected: &str) -> Option<String> {
    let m = mask_card_numbers(text);
    let ok = m.cards == 1 && m.text.contains(expected) && !all_digits(&m.text).contains(card);
    (!ok).then(|| format!("{text:?} → {:?} ({} card(s))", m.text, m.cards))
}

fn fixture(name: &str) -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cards").join(name);
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn every_card_form_is_masked() {
    let mut rng = Rng(0x5eed_cafe_f00d);
    let (mut total, mut failures) = (0, Vec::new());
    for case in fixture("masked.json").as_array().unwrap() {
        let text = case["text"].as_str().unwrap();
        let expected = case["masked"].as_str().unwrap();
        let card = expected.replace('*', "");
        total += 1;
        let m = mask_card_numbers(text);
        if m.cards != 1 || !m.text.contains(expected) || all_digits(&m.text).contains(&all_digits(text)) {
            failures.push(format!("fixture {text:?} → {:?} (expected {expected}, {card})", m.text));
        }
    }
    for (brand, prefixes, len) in BRANDS {
        let prefix = *rng.pick(prefixes);
        let card = with_luhn(&mut rng, prefix, *len);
        let expected = masked_form(&card);
        for (form, written) in forms(&card) {
            let context = if *len >= 16 && rng.below(3) == 0 { rng.pick(HOSTILE_CONTEXTS) } else { rng.pick(CONTEXTS) };
            let text = context.replace("{}", &written);
            total += 1;
            if let Some(why) = card_failure(&text, &card, &expected) {
                failures.push(format!("{brand}, {form}: {why}"));
            }
        }
    }
    println!("cards masked {}/{total}", total - failures.len());
    assert!(total >= 200, "the corpus holds at least 200 card forms ({total})");
    assert!(failures.is_empty(), "{} card form(s) not masked:\n{}", failures.len(), failures.join("\n"));
}

/// An IMEI: a reporting body's two digits, twelve more, and the Luhn check digit.
fn imei(rng: &mut Rng) -> String {
    let rbi = *rng.pick(&["35", "86", "01", "99", "45", "49", "50", "51", "53", "91", "98", "44"]);
    with_luhn(rng, rbi, 15)
}

/// A USPS tracking number (22 digits); every other one has a first 16 digits that would
/// pass as a card, the cases that were masked before.
fn usps(rng: &mut Rng, hard: bool) -> String {
    let prefix = *rng.pick(&["94001", "92055", "94073", "92701", "93033", "93612", "95055"]);
    loop {
        let n = format!("{prefix}{}", rng.digits(17));
        if !hard || luhn_valid(&digits_of(&n[..16])) {
            return n;
        }
    }
}

fn fours(n: &str) -> String {
    n.as_bytes().chunks(4).map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join(" ")
}

/// An EAN-13 with its GS1 check digit; `hard` ones also pass Luhn and start like a Visa.
fn ean13(rng: &mut Rng, hard: bool) -> String {
    loop {
        let body = format!("{}{}", rng.pick(&["40", "41", "42", "43", "44", "50", "76", "87", "00"]), rng.digits(10));
        let n = (0..10).map(|c| format!("{body}{c}")).find(|n| gtin_valid(&digits_of(n))).unwrap();
        if !hard || (luhn_valid(&digits_of(&n)) && n.starts_with('4')) {
            return n;
        }
    }
}

/// A Belgian IBAN (BE, check digits, 12 digits) with a valid mod-97 check.
fn iban_be(rng: &mut Rng) -> String {
    let bban = rng.digits(12);
    // Check digits: 98 - (BBAN + "BE00" as digits) mod 97; B = 11, E = 14.
    let numeric = format!("{bban}111400");
    let rem = numeric.bytes().fold(0u32, |acc, b| (acc * 10 + u32::from(b - b'0')) % 97);
    format!("BE{:02}{bban}", 98 - rem)
}

/// Numbers from the demo's own customers: order numbers and every tracking number.
fn demo_numbers() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo/customers.json");
    let customers: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let mut out = Vec::new();
    for order in customers.as_array().unwrap().iter().flat_map(|c| c["orders"].as_array().cloned().unwrap_or_default())
    {
        let number = order["number"].as_str().unwrap_or_default();
        out.push(format!("order {number}"));
        if let (Some(carrier), Some(tracking)) = (order["carrier"].as_str(), order["tracking"].as_str()) {
            out.push(format!("Your {carrier} tracking number is {tracking} ({number})"));
        }
    }
    out
}

fn non_cards(rng: &mut Rng) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = Vec::new();
    for i in 0..40 {
        let n = imei(rng);
        let written = match i % 4 {
            0 => n.clone(),
            1 => format!("{}-{}-{}-{}", &n[..2], &n[2..8], &n[8..14], &n[14..]),
            2 => format!("{} {} {} {}", &n[..2], &n[2..8], &n[8..14], &n[14..]),
            _ => n.clone(),
        };
        let ctx = *rng.pick(&["IMEI {}", "IMEI: {}", "device IMEI {}", "serial no. {}", "{} (IMEI)", "Handset {}"]);
        out.push(("IMEI", ctx.replace("{}", &written)));
    }
    for i in 0..40 {
        let n = usps(rng, i % 2 == 0);
        let written = if i % 5 == 4 { n.clone() } else { fours(&n) };
        let ctx = *rng.pick(&["USPS tracking {}", "Tracking: {}", "shipped via USPS, {}", "{}", "parcel {} arrived"]);
        out.push(("USPS tracking", ctx.replace("{}", &written)));
    }
    for i in 0..30 {
        let n = ean13(rng, i % 2 == 0);
        let ctx = *rng.pick(&["EAN {}", "barcode: {}", "SKU {}", "UPC/EAN {}", "item {} x2", "order line: EAN {}"]);
        out.push(("EAN-13", ctx.replace("{}", &n)));
    }
    for _ in 0..10 {
        let body = format!("0{}", rng.digits(10));
        let upc = (0..10).map(|c| format!("{body}{c}")).find(|n| gtin_valid(&digits_of(n))).unwrap();
        out.push(("UPC-A", format!("UPC {upc}")));
    }
    for i in 0..10 {
        let n = iban_be(rng);
        out.push(("IBAN", if i % 2 == 0 { n.clone() } else { fours(&n) }));
    }
    for _ in 0..20 {
        let n = rng.digits(4);
        let phone = *rng.pick(&["+1 503 555 {}", "(503) 555-{}", "503.555.{}", "+44 20 7946 {}", "+49 30 1234{}"]);
        out.push(("phone", phone.replace("{}", &n)));
    }
    for _ in 0..6 {
        let n = with_luhn(rng, "4915", 13);
        out.push(("phone", format!("call me on {n}")));
    }
    for _ in 0..10 {
        let (y, m, d) = (2020 + rng.below(10), 1 + rng.below(12), 1 + rng.below(28));
        out.push(("date", format!("{y}-{m:02}-{d:02} {:02}:{:02}", rng.below(24), rng.below(60))));
        out.push(("date", format!("{d:02}/{m:02}/{y} and {m:02}/{d:02}/{y}")));
    }
    for _ in 0..10 {
        let cents = rng.below(10_000_000);
        out.push(("amount", format!("${},{:03}.{:02}", cents / 100_000, (cents / 100) % 1000, cents % 100)));
    }
    for _ in 0..10 {
        out.push(("order", format!("order LK-{} placed, ticket #{}", 100_000 + rng.below(9000), rng.digits(7))));
    }
    for _ in 0..5 {
        let shipper = rng.digits(6);
        out.push(("UPS", format!("UPS 1Z{shipper}03{}", rng.digits(8))));
    }
    for _ in 0..5 {
        out.push(("FedEx", format!("FedEx {} / Ground {}", rng.digits(12), with_luhn(rng, "6", 15))));
    }
    out.extend(demo_numbers().into_iter().map(|t| ("demo", t)));
    out
}

#[test]
fn no_real_number_that_is_not_a_card_is_masked() {
    let mut rng = Rng(0x0bad_5eed_1234);
    let mut cases: Vec<(&'static str, String)> = non_cards(&mut rng);
    for text in fixture("kept.json").as_array().unwrap() {
        cases.push(("fixture", text.as_str().unwrap().to_string()));
    }
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(kind, text)| {
            let m = mask_card_numbers(text);
            (m.text != *text || m.cards + m.codes > 0).then(|| format!("{kind}: {text:?} → {:?}", m.text))
        })
        .collect();
    println!("non-cards kept {}/{}", cases.len() - failures.len(), cases.len());
    assert!(cases.len() >= 200, "the corpus holds at least 200 numbers that are not cards ({})", cases.len());
    assert!(failures.is_empty(), "{} number(s) masked by mistake:\n{}", failures.len(), failures.join("\n"));
}
