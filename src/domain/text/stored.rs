//! The one rule for free text on its way into the database: control codes removed, card
//! numbers and security codes masked, and the size capped with a visible marker. Every
//! write of free text in `store` goes through [`clean_stored_text`], so the TUI, the
//! command line, imports and mail intake all get the same rule.

use super::{mask_card_numbers, sanitize};

/// The most a text field (a body, a note, a draft, a pinned note) stores: 1 MiB. A 60 MB
/// mail body or paste would otherwise be stored whole, and every screen that opens it pays.
pub const MAX_STORED_TEXT_BYTES: usize = 1 << 20;
/// The most a one-line field (a subject, a name, tags, a disposition, a title) stores.
pub const MAX_STORED_LINE_BYTES: usize = 10_000;

/// A free-text field as stored: names the field in the report of what was cut, and decides
/// its cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StoredField {
    ContactSubject,
    ContactBody,
    ContactTags,
    Disposition,
    Department,
    EventDetail,
    FollowUpNote,
    Note,
    Draft,
    ReplyDraft,
    CustomerName,
    /// Company, tier, language or time zone.
    CustomerProfile,
    PinnedNote,
    HistoryValue,
    OrderText,
    BillingDescription,
    BulletinTitle,
    BulletinBody,
    BulletinKeyword,
    SnippetTitle,
    SnippetBody,
}

impl StoredField {
    /// The field's name in messages ("body", "subject", …).
    pub fn name(self) -> &'static str {
        match self {
            Self::ContactSubject => "subject",
            Self::ContactBody => "body",
            Self::ContactTags => "tags",
            Self::Disposition => "disposition",
            Self::Department => "department",
            Self::EventDetail => "reason",
            Self::FollowUpNote => "follow-up note",
            Self::Note => "note",
            Self::Draft => "draft",
            Self::ReplyDraft => "reply draft",
            Self::CustomerName => "name",
            Self::CustomerProfile => "profile field",
            Self::PinnedNote => "pinned note",
            Self::HistoryValue => "history",
            Self::OrderText => "order",
            Self::BillingDescription => "billing description",
            Self::BulletinTitle => "title",
            Self::BulletinBody => "bulletin body",
            Self::BulletinKeyword => "keyword",
            Self::SnippetTitle => "snippet title",
            Self::SnippetBody => "snippet body",
        }
    }

    /// Whether the field holds one line (a subject, a name): it gets the smaller cap and a
    /// marker on the same line.
    fn one_line(self) -> bool {
        matches!(
            self,
            Self::ContactSubject
                | Self::ContactTags
                | Self::Disposition
                | Self::Department
                | Self::CustomerName
                | Self::CustomerProfile
                | Self::OrderText
                | Self::BulletinTitle
                | Self::BulletinKeyword
                | Self::SnippetTitle
        )
    }

    /// The most this field stores, in bytes, marker included.
    pub fn cap(self) -> usize {
        if self.one_line() { MAX_STORED_LINE_BYTES } else { MAX_STORED_TEXT_BYTES }
    }
}

/// A field that was cut to its cap, and how much of it was not stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cut {
    pub field: StoredField,
    /// Bytes of the text as given that were not stored.
    pub dropped_bytes: usize,
}

impl std::fmt::Display for Cut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} cut to {}: {} not stored", self.field.name(), size(self.field.cap()), size(self.dropped_bytes))
    }
}

/// Text ready to store, and what was done to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cleaned {
    pub text: String,
    /// Card numbers and security codes masked.
    pub masked: usize,
    pub cut: Option<Cut>,
}

/// What cleaning did to every field of one record (or a whole import): cards masked and
/// fields cut. A writer returns it so an import summary can say which fields were cut.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextReport {
    pub masked: usize,
    pub cut: Vec<Cut>,
}

impl TextReport {
    /// Takes the text out of a cleaned field, noting what was done to it.
    pub fn take(&mut self, cleaned: Cleaned) -> String {
        self.masked += cleaned.masked;
        self.cut.extend(cleaned.cut);
        cleaned.text
    }

    /// Cleans one field and keeps its text (see [`clean_stored_text`]).
    pub fn clean(&mut self, field: StoredField, text: &str) -> String {
        self.take(clean_stored_text(field, text))
    }

    /// [`TextReport::clean`] for an optional field.
    pub fn clean_opt(&mut self, field: StoredField, text: Option<&str>) -> Option<String> {
        text.map(|t| self.clean(field, t))
    }

    /// Adds another record's report to this one.
    pub fn merge(&mut self, other: TextReport) {
        self.masked += other.masked;
        self.cut.extend(other.cut);
    }
}

/// Room kept past the cap while masking, so a card that straddles the cap is seen whole
/// and masked before the cut (a card with separators and invisible characters between its
/// digits spans well under 1 KiB).
const MASK_MARGIN: usize = 1024;

/// Makes free text safe to store in `field`: control codes and escape sequences removed
/// (see [`sanitize`]), card numbers and security codes masked (see [`mask_card_numbers`]),
/// and cut at a character boundary to the field's cap with a visible marker saying how much
/// was not stored ("\n[… cut: 59.0 MB more not stored]").
///
/// Text beyond the cap is never scanned or copied, so a 60 MB body costs no more than 1 MB.
pub fn clean_stored_text(field: StoredField, text: &str) -> Cleaned {
    let cap = field.cap();
    let scanned = floor_boundary(text, cap.saturating_add(MASK_MARGIN));
    let clean = sanitize_if_needed(&text[..scanned]);
    let masked = mask_card_numbers(&clean);
    let mut out = masked.text;
    let count = masked.cards + masked.codes;
    if out.len() <= cap && scanned == text.len() {
        return Cleaned { text: out, masked: count, cut: None };
    }
    // Measure the marker with the largest number it can hold, then cut to fit it.
    let room = cap.saturating_sub(marker(field, text.len()).len());
    let kept = floor_boundary(&out, room);
    out.truncate(kept);
    let dropped_bytes = text.len().saturating_sub(kept);
    out.push_str(&marker(field, dropped_bytes));
    Cleaned { text: out, masked: count, cut: Some(Cut { field, dropped_bytes }) }
}

/// "\n[… cut: 59.0 MB more not stored]", on the same line for a one-line field.
fn marker(field: StoredField, dropped: usize) -> String {
    let sep = if field.one_line() { " " } else { "\n" };
    format!("{sep}[… cut: {} more not stored]", size(dropped))
}

/// A size for people: "59.0 MB", "12.3 kB", "17 bytes".
fn size(bytes: usize) -> String {
    #[allow(clippy::cast_precision_loss)] // a size shown to one decimal
    let b = bytes as f64;
    if bytes >= 1_000_000 {
        format!("{:.1} MB", b / 1e6)
    } else if bytes >= 1_000 {
        format!("{:.1} kB", b / 1e3)
    } else {
        format!("{bytes} bytes")
    }
}

/// `text` cut to at most `max` bytes, at a character boundary.
pub fn cut_at_char_boundary(text: &str, max: usize) -> &str {
    &text[..floor_boundary(text, max)]
}

/// The largest char boundary of `text` at or below `at`.
fn floor_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// [`sanitize`], skipping the copy when there is nothing to remove (nearly all text).
fn sanitize_if_needed(text: &str) -> std::borrow::Cow<'_, str> {
    let bidi = super::is_direction_override;
    let clean = if text.is_ascii() {
        !text.bytes().any(|b| b.is_ascii_control() && b != b'\n')
    } else {
        !text.chars().any(|c| (c.is_control() && c != '\n') || bidi(c))
    };
    if clean { std::borrow::Cow::Borrowed(text) } else { std::borrow::Cow::Owned(sanitize(text)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sixty_megabyte_body_is_cut_to_the_cap_with_a_marker() {
        let body = "x".repeat(60_000_000);
        let c = clean_stored_text(StoredField::ContactBody, &body);
        assert!(c.text.len() <= MAX_STORED_TEXT_BYTES, "{}", c.text.len());
        assert!(c.text.ends_with("\n[… cut: 59.0 MB more not stored]"), "{}", &c.text[c.text.len() - 60..]);
        assert_eq!(c.cut.map(|c| c.field), Some(StoredField::ContactBody));
    }

    #[test]
    fn a_cut_never_splits_a_character_or_leaves_half_a_card() {
        // A card straddling the cap is masked before the cut.
        let mut text = "é".repeat(MAX_STORED_TEXT_BYTES / 2 - 10);
        text.push_str(" 4111 1111 1111 1111 and more");
        text.push_str(&"y".repeat(5000));
        let c = clean_stored_text(StoredField::Note, &text);
        assert!(c.text.len() <= MAX_STORED_TEXT_BYTES);
        assert!(!c.text.contains("4111 1111"), "no digits of the middle of the card survive");
        let short = clean_stored_text(StoredField::ContactSubject, &"ü".repeat(MAX_STORED_LINE_BYTES));
        assert!(short.text.len() <= MAX_STORED_LINE_BYTES && short.text.ends_with("more not stored]"));
        assert!(!short.text.contains('\n'), "a one-line field stays one line");
    }

    #[test]
    fn a_long_run_of_digit_groups_is_read_in_one_pass() {
        // One run of 60,000 to 150,000 groups: every step is linear in the run (a quadratic
        // one would take minutes).
        for unit in ["4111 ", "1 ", "9400 "] {
            let text = unit.repeat(300_000 / unit.len());
            let c = clean_stored_text(StoredField::Note, &text);
            assert!(c.text.len() <= MAX_STORED_TEXT_BYTES);
        }
    }

    #[test]
    fn text_under_the_cap_is_only_cleaned() {
        let c = clean_stored_text(StoredField::ContactSubject, "card 4111.1111.1111.1111 \u{1b}[31mcvv 123");
        assert_eq!(c.text, "card 411111******1111 cvv ***");
        assert_eq!((c.masked, c.cut), (2, None));
        let plain = clean_stored_text(StoredField::Note, "nothing to do here\n");
        assert_eq!(plain.text, "nothing to do here\n");
    }
}
