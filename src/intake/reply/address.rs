//! Email addresses a reply may carry: exactly one addr-spec each, checked strictly, so a
//! stored "address" such as `a@x.example,b@evil.example` or one with a line break can never
//! become a second recipient or a header.

use serde::Serialize;

/// One email address: a dot-atom local part, `@`, and a domain of at least two labels
/// (letters, digits, hyphens), ASCII only, at most 254 characters.
///
/// This is deliberately narrower than RFC 5322's addr-spec: quoted local parts
/// (`"a b"@x.example`), domain literals (`a@[10.0.0.1]`), comments and internationalised
/// addresses are refused. They are rare in customer mail, and each is a way to smuggle
/// separators (`,` `;` `<` `>` spaces, line breaks) past a looser check.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct EmailAddress(String);

/// Characters allowed in a dot-atom besides letters and digits (RFC 5322 `atext`).
const ATEXT_SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~";

impl EmailAddress {
    /// The address if `text` (surrounding spaces aside) is exactly one valid address.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.len() > 254 {
            return None;
        }
        let (local, domain) = text.split_once('@')?;
        (valid_local(local) && valid_domain(domain)).then(|| Self(text.to_string()))
    }

    /// The address as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether two addresses name the same mailbox, as mail systems treat them in practice
    /// (case ignored throughout).
    pub fn same_as(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl std::fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn valid_local(local: &str) -> bool {
    !local.is_empty()
        && local.len() <= 64
        && local.split('.').all(|atom| {
            !atom.is_empty() && atom.chars().all(|c| c.is_ascii_alphanumeric() || ATEXT_SPECIALS.contains(c))
        })
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            (1..=63).contains(&label.len())
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// A From: an address and, optionally, the name shown with it
/// (`Larkspur Support <support@larkspur.example>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mailbox {
    /// The display name, without quotes; never holds a control character.
    pub name: Option<String>,
    pub address: EmailAddress,
}

impl Mailbox {
    /// Reads `addr` or `Name <addr>` (the name may be quoted); `None` unless the address is
    /// exactly one valid [`EmailAddress`] and nothing follows the `>`.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let Some(open) = text.find('<') else {
            return EmailAddress::parse(text).map(|address| Self { name: None, address });
        };
        let inner = text[open + 1..].strip_suffix('>')?;
        let address = EmailAddress::parse(inner)?;
        let name = text[..open].trim();
        let name = name.strip_prefix('"').and_then(|n| n.strip_suffix('"')).unwrap_or(name);
        let name = name.replace("\\\"", "\"").replace("\\\\", "\\");
        if name.chars().any(char::is_control) {
            return None;
        }
        Some(Self { name: Some(name.trim().to_string()).filter(|n| !n.is_empty()), address })
    }
}

impl From<EmailAddress> for Mailbox {
    fn from(address: EmailAddress) -> Self {
        Self { name: None, address }
    }
}

impl std::fmt::Display for Mailbox {
    /// `Name <addr>` or `addr`, for people (headers are written by the composer).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.name {
            Some(name) => write!(f, "{name} <{}>", self.address),
            None => write!(f, "{}", self.address),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_plain_address_is_accepted() {
        for ok in ["ana@example.com", " Maria.G+orders@Mail.Example.COM ", "o'brien@x-y.example", "a_b@1.example"] {
            assert!(EmailAddress::parse(ok).is_some(), "{ok}");
        }
    }

    #[test]
    fn anything_that_could_hide_a_second_recipient_or_a_header_is_refused() {
        let bad = [
            "",
            "a@x.example,b@evil.example",
            "a@x.example;b@evil.example",
            "<a@x.example>",
            "a\\,b@evil.example",
            "a@x.example b@evil.example",
            "a@x.example\nBcc: b@evil.example",
            "\"a b\"@x.example",
            "a@[10.0.0.1]",
            "a@localhost",
            "a..b@x.example",
            ".a@x.example",
            "a@-x.example",
            "a@x..example",
            "a@x.example@y.example",
            "zoë@x.example",
            "(comment)a@x.example",
        ];
        for b in bad {
            assert_eq!(EmailAddress::parse(b), None, "{b:?}");
        }
        assert_eq!(EmailAddress::parse(&format!("{}@x.example", "a".repeat(65))), None);
        // Spaces and line ends around one address are not part of it, and are not kept.
        assert_eq!(EmailAddress::parse("a@x.example\r\n").map(|a| a.to_string()), Some("a@x.example".into()));
    }

    #[test]
    fn a_mailbox_keeps_its_name_and_refuses_a_second_address() {
        let m = Mailbox::parse("\"Larkspur Support\" <support@larkspur.example>").unwrap();
        assert_eq!(m.name.as_deref(), Some("Larkspur Support"));
        assert_eq!(m.address.as_str(), "support@larkspur.example");
        assert_eq!(m.to_string(), "Larkspur Support <support@larkspur.example>");
        assert_eq!(Mailbox::parse("support@larkspur.example").unwrap().name, None);
        assert_eq!(Mailbox::parse("S <a@x.example, b@evil.example>"), None);
        assert_eq!(Mailbox::parse("S <a@x.example> b@evil.example"), None);
        assert_eq!(Mailbox::parse("S\r\nBcc: x <a@x.example>"), None);
        assert_eq!(Mailbox::parse("nobody"), None);
    }
}
