//! Date headers that end in an obsolete zone name the mail parser misreads. RFC 5322 still
//! allows `UT` and the one-letter military zones (section 4.3); given one of those, the
//! parser took the next header line as part of the date, so a Subject, a From or an
//! In-Reply-To that followed was lost — the message came in without a sender, or outside
//! its thread. Such a zone is written as `+0000` before parsing: UT is that, and the
//! military letters are to be read as an unknown zone, which RFC 5322 writes `-0000` and
//! this parser only knows as `+0000`.

use std::borrow::Cow;

/// `bytes` with the zone of each Date and Resent-Date header of the header section written
/// as `+0000` where it was `UT` or a military letter; borrowed unchanged otherwise (nearly
/// always).
pub(super) fn with_numeric_zones(bytes: &[u8]) -> Cow<'_, [u8]> {
    let fixes = obsolete_zones(bytes);
    if fixes.is_empty() {
        return Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len() + fixes.len() * 4);
    let mut copied = 0;
    for zone in fixes {
        out.extend_from_slice(&bytes[copied..zone.start]);
        out.extend_from_slice(b"+0000");
        copied = zone.end;
    }
    out.extend_from_slice(&bytes[copied..]);
    Cow::Owned(out)
}

/// Where the obsolete zones of the date headers are, in order.
fn obsolete_zones(bytes: &[u8]) -> Vec<std::ops::Range<usize>> {
    super::headers::fields(bytes)
        .into_iter()
        .filter(|f| f.is("date") || f.is("resent-date"))
        .filter_map(|f| zone_at_end(bytes, f.value.end))
        .collect()
}

/// The last word before `end` when it is an obsolete zone: `UT`, or one letter other than J.
fn zone_at_end(bytes: &[u8], end: usize) -> Option<std::ops::Range<usize>> {
    let value = bytes[..end].trim_ascii_end();
    let word_start = value.iter().rposition(|b| b.is_ascii_whitespace()).map_or(0, |i| i + 1);
    let word = &value[word_start..];
    let obsolete = word.eq_ignore_ascii_case(b"ut")
        || (word.len() == 1 && word[0].is_ascii_alphabetic() && !word[0].eq_ignore_ascii_case(&b'j'));
    // A zone follows the time (digits and colons), never the header's name.
    let after_time = value[..word_start].trim_ascii_end().last().is_some_and(u8::is_ascii_digit);
    (obsolete && after_time).then_some(word_start..value.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(text: &str) -> String {
        String::from_utf8(with_numeric_zones(text.as_bytes()).into_owned()).unwrap()
    }

    #[test]
    fn obsolete_zones_become_numeric_and_nothing_else_changes() {
        assert_eq!(
            fixed("Date: Mon, 1 Jan 2024 10:00:00 UT\nSubject: s\n\nUT\n"),
            "Date: Mon, 1 Jan 2024 10:00:00 +0000\nSubject: s\n\nUT\n"
        );
        assert_eq!(
            fixed("date: Mon, 1 Jan 2024 10:00:00 z\r\nFrom: a@b.c\r\n\r\n"),
            "date: Mon, 1 Jan 2024 10:00:00 +0000\r\nFrom: a@b.c\r\n\r\n"
        );
        assert_eq!(
            fixed("Date: Mon, 1 Jan 2024\n 10:00:00 A\nFrom: a@b.c\n\n"),
            "Date: Mon, 1 Jan 2024\n 10:00:00 +0000\nFrom: a@b.c\n\n"
        );
        assert_eq!(
            fixed("Resent-Date: Mon, 1 Jan 2024 10:00:00 UT\n\n"),
            "Resent-Date: Mon, 1 Jan 2024 10:00:00 +0000\n\n"
        );
        for unchanged in [
            "Date: Mon, 1 Jan 2024 10:00:00 GMT\nSubject: UT\n\n",
            "Date: Mon, 1 Jan 2024 10:00:00 +0000 (UT)\n\n",
            "Date: Mon, 1 Jan 2024 10:00:00 J\n\n",
            "Subject: plan A\nX-Date: 10:00 UT\n\nDate: 1 Jan 2024 10:00 UT\n",
        ] {
            assert!(matches!(with_numeric_zones(unchanged.as_bytes()), Cow::Borrowed(_)), "{unchanged:?}");
        }
    }

    #[test]
    fn the_header_after_an_obsolete_zone_is_read() {
        for zone in ["UT", "Z", "A", "m"] {
            let mail = format!(
                "From: A <a@x.com>\nDate: Mon, 1 Jan 2024 10:00:00 {zone}\nSubject: kept\nMessage-ID: <q@x>\n\nbody\n"
            );
            let bytes = with_numeric_zones(mail.as_bytes());
            let parsed = mail_parser::MessageParser::default().parse(bytes.as_ref()).unwrap();
            assert_eq!(parsed.subject(), Some("kept"), "{zone}");
            assert_eq!(parsed.message_id(), Some("q@x"), "{zone}");
            assert_eq!(parsed.date().map(mail_parser::DateTime::to_timestamp), Some(1_704_103_200), "{zone}");
        }
    }
}
