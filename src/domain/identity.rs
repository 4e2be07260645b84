//! Normalising customer identities so the same person matches however an address is typed.

use super::IdentityKind;
use super::text::mask_card_numbers;

/// Normalises an identity for matching: emails and handles lower-cased, phone numbers
/// reduced to their digits with a North American `1` country code dropped, so
/// "+1 (503) 555-0142", "503.555.0142" and "5035550142" are the same number.
pub fn normalize(kind: IdentityKind, value: &str) -> String {
    match kind {
        IdentityKind::Email => value.trim().to_lowercase(),
        IdentityKind::Handle => value.trim().trim_start_matches('@').to_lowercase(),
        IdentityKind::Phone => normalize_phone(value),
    }
}

fn normalize_phone(value: &str) -> String {
    let digits: String = value.chars().filter_map(|c| c.to_digit(10)).filter_map(|d| char::from_digit(d, 10)).collect();
    let trimmed = digits.trim_start_matches("00");
    match trimmed.len() {
        11 if trimmed.starts_with('1') => trimmed[1..].to_string(),
        _ => trimmed.to_string(),
    }
}

/// Whether a value holds a card number: a caller who reads out their card number as "my
/// number" must not have it kept as their phone.
pub fn holds_card_number(value: &str) -> bool {
    // Also behind a `+`, which reads as a country code ("+4111111111111111").
    mask_card_numbers(value).cards > 0 || mask_card_numbers(value.trim().trim_start_matches('+')).cards > 0
}

/// The most digits a phone number has with its country code (E.164).
const MAX_PHONE_DIGITS: usize = 15;

/// A value as an error message may show it: any card number in it masked.
pub fn shown(value: &str) -> String {
    let masked = mask_card_numbers(value);
    match value.trim().strip_prefix('+') {
        Some(rest) if masked.cards == 0 && holds_card_number(rest) => format!("+{}", mask_card_numbers(rest).text),
        _ => masked.text,
    }
}

/// Whether `value` can be kept as an identity of `kind`: one email address as mail intake
/// accepts a sender's ([`is_addr_spec`]: no second one after a comma, no header after a line
/// break, no display name), a phone number, or a handle without spaces — and never a card
/// number.
pub fn is_valid(kind: IdentityKind, value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() || holds_card_number(v) || v.chars().any(char::is_control) {
        return false;
    }
    match kind {
        IdentityKind::Email => is_addr_spec(v),
        IdentityKind::Phone => {
            classify(v) == Some(IdentityKind::Phone)
                && v.chars().filter(char::is_ascii_digit).count() <= MAX_PHONE_DIGITS
        }
        IdentityKind::Handle => !v.contains(char::is_whitespace) && !normalize(kind, v).is_empty(),
    }
}

/// Whether `s` is one RFC 5322 addr-spec in its plain form: a dot-atom local part (letters
/// of any script allowed, as RFC 6532 does), `@`, and a domain of at least two labels. Quoted
/// local parts and domain literals are refused: real customers do not use them, and every
/// character they allow is one more way to smuggle a second recipient.
pub fn is_addr_spec(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    s.len() <= 254 && local.len() <= 64 && dot_atom(local, is_atext) && is_domain(domain)
}

/// RFC 5322 `atext`, plus letters and digits of any script.
fn is_atext(c: char) -> bool {
    c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c)
}

/// Non-empty parts separated by single dots, each made of `allowed` characters.
fn dot_atom(s: &str, allowed: fn(char) -> bool) -> bool {
    !s.is_empty() && s.split('.').all(|part| !part.is_empty() && part.chars().all(allowed))
}

fn is_domain(domain: &str) -> bool {
    let label_ok = |l: &str| l.len() <= 63 && !l.starts_with('-') && !l.ends_with('-');
    domain.contains('.') && dot_atom(domain, |c| c.is_alphanumeric() || c == '-') && domain.split('.').all(label_ok)
}

/// Guesses what kind of identity a free-form key is (`@name` handle, `a@b` email, digits phone).
/// A card number is none of them.
pub fn classify(value: &str) -> Option<IdentityKind> {
    let v = value.trim();
    if v.is_empty() || holds_card_number(v) {
        return None;
    }
    if v.starts_with('@') {
        return Some(IdentityKind::Handle);
    }
    if v.contains('@') {
        return Some(IdentityKind::Email);
    }
    let digits = v.chars().filter(char::is_ascii_digit).count();
    let phone_chars = v.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if phone_chars && digits >= 7 {
        return Some(IdentityKind::Phone);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_in_different_formats_normalise_alike() {
        let forms = ["+1 (503) 555-0142", "503.555.0142", "5035550142", "1-503-555-0142", "001 503 555 0142"];
        for form in forms {
            assert_eq!(normalize(IdentityKind::Phone, form), "5035550142", "{form}");
        }
        assert_eq!(normalize(IdentityKind::Phone, "+44 20 7946 0321"), "442079460321");
    }

    #[test]
    fn a_card_number_or_several_addresses_are_no_identity() {
        assert_eq!(classify("4111 1111 1111 1111"), None);
        assert_eq!(classify("+4111111111111111"), None);
        assert!(!is_valid(IdentityKind::Phone, "+41 1111 1111 1111 12"), "16 digits is no phone number");
        assert!(!is_valid(IdentityKind::Phone, "4111-1111-1111-1111"));
        assert!(
            is_valid(IdentityKind::Phone, "+1 (503) 555-0142") && is_valid(IdentityKind::Phone, "+44 20 7946 0321")
        );
        for bad in [
            "<a@x.com,b@evil.example>",
            "a@x.com,b@evil.example",
            "a@x.com\nBcc: b@evil.example",
            "a@x.com\0b@evil",
            "a@b@c.com",
            "a@localhost",
            "Ana <a@x.com>",
        ] {
            assert!(!is_valid(IdentityKind::Email, bad), "{bad:?}");
        }
        assert!(is_valid(IdentityKind::Email, "maria.g+orders@example.co.uk"));
        assert_eq!(shown("card 4111 1111 1111 1111"), "card 411111******1111");
        assert_eq!(shown("+4111111111111111"), "+411111******1111");
    }

    #[test]
    fn emails_and_handles_ignore_case() {
        assert_eq!(normalize(IdentityKind::Email, " Maria.G@Example.COM "), "maria.g@example.com");
        assert_eq!(normalize(IdentityKind::Handle, "@MariaG_Hikes"), "mariag_hikes");
    }

    #[test]
    fn classify_recognises_each_kind() {
        assert_eq!(classify("@someone"), Some(IdentityKind::Handle));
        assert_eq!(classify("a@b.example"), Some(IdentityKind::Email));
        assert_eq!(classify("(503) 555-0142"), Some(IdentityKind::Phone));
        assert_eq!(classify("LK-104233"), None);
        assert_eq!(classify(""), None);
    }
}
