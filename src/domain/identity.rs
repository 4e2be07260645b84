//! Normalising customer identities so the same person matches however an address is typed.

use super::IdentityKind;

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

/// Guesses what kind of identity a free-form key is (`@name` handle, `a@b` email, digits phone).
pub fn classify(value: &str) -> Option<IdentityKind> {
    let v = value.trim();
    if v.is_empty() {
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
