//! Who a message is from and to, as addresses a reply can safely be sent to. mail-parser
//! reads the RFC 5322 address lists (groups, quoted names, comments, encoded words) but is
//! lenient: `<a@x.com,b@evil.example>` comes back as one "address" with a comma in it, which
//! a `sendmail -t` reading `To:` would take as two recipients. So an address is kept only when
//! it is exactly one addr-spec (dot-atom `@` dot-atom), nothing else.

use crate::domain::identity::is_addr_spec;
use mail_parser::{Address, Message};

use crate::domain::text::sanitize;

/// Longest part of a broken header quoted in the reason a contact cannot be answered.
const MAX_QUOTED: usize = 120;

/// The sender of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sender {
    /// Exactly one valid address, with its display name if it has one.
    Address { addr: String, name: Option<String> },
    /// A From (or Sender) header without exactly one valid address: the contact cannot be
    /// answered by email, for this reason (shown to the rep). The display name, if any.
    Invalid { reason: String, name: Option<String> },
}

impl Sender {
    /// The address, when there is exactly one valid one.
    pub fn addr(&self) -> Option<&str> {
        match self {
            Self::Address { addr, .. } => Some(addr),
            Self::Invalid { .. } => None,
        }
    }

    /// The display name, if any.
    pub fn name(&self) -> Option<&str> {
        match self {
            Self::Address { name, .. } | Self::Invalid { name, .. } => name.as_deref(),
        }
    }
}

/// The sender from `From:` (or `Sender:` when there is no From); `None` when the message has
/// neither header (not a message from anyone: such a file is refused).
pub fn sender(message: &Message<'_>) -> Option<Sender> {
    let (header, list) = match (message.from(), message.sender()) {
        (Some(from), _) => ("From", from),
        (None, Some(sender)) => ("Sender", sender),
        (None, None) => return None,
    };
    let mailboxes: Vec<_> = list.iter().collect();
    let name = mailboxes.iter().find_map(|a| a.name()).map(one_line).filter(|n| !n.is_empty());
    let single = match mailboxes.as_slice() {
        [only] => only.address().map(str::trim).filter(|a| is_addr_spec(a)),
        _ => None,
    };
    Some(match single {
        Some(addr) => Sender::Address { name: name.filter(|n| n != addr), addr: addr.to_string() },
        None => {
            let raw = one_line(message.header_raw(header).unwrap_or_default());
            let quoted: String = raw.chars().take(MAX_QUOTED).collect();
            let more = if raw.chars().count() > MAX_QUOTED { "…" } else { "" };
            let reason = format!(
                "cannot be answered by email: the {header} header is not one valid address ({header}: {quoted}{more})"
            );
            Sender::Invalid { reason, name }
        }
    })
}

/// Every valid single address of a header (To, Cc), in order; the rest are left out.
pub fn valid_addresses(list: Option<&Address<'_>>) -> Vec<String> {
    list.map(|l| {
        l.iter().filter_map(|a| a.address().map(str::trim).filter(|a| is_addr_spec(a))).map(str::to_string).collect()
    })
    .unwrap_or_default()
}

/// Sanitised and on one line (folded headers, tabs), outer quotes dropped.
pub fn one_line(text: &str) -> String {
    let text = sanitize(text);
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    joined.trim_matches('"').trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_parser::MessageParser;

    fn from(header: &str) -> Option<Sender> {
        let raw = format!("From: {header}\nSubject: x\n\nbody\n");
        sender(&MessageParser::default().parse(raw.as_bytes())?)
    }

    #[test]
    fn only_one_plain_address_is_a_sender() {
        let ok = from("Ann Example <Ann.Example+tag@mail.example.com>");
        assert_eq!(ok.as_ref().and_then(Sender::addr), Some("Ann.Example+tag@mail.example.com"));
        assert_eq!(ok.as_ref().and_then(Sender::name), Some("Ann Example"));
        assert_eq!(from("\"Ann, B\" <ann@x.com>").as_ref().and_then(Sender::addr), Some("ann@x.com"));
        assert_eq!(from("josé@correo.example").as_ref().and_then(Sender::addr), Some("josé@correo.example"));
        for attack in [
            "<a@x.com,b@evil.example>",
            "<a\\,b@evil.example>",
            "<a@x.com;b@evil.example>",
            "<a@x.com>b@evil.example>",
            "a@x.com>, b@evil.example",
            "a@x.com, b@evil.example",
            "grp: a@x.com, b@evil.example;",
            "undisclosed-recipients:;",
            "\"a b\"@x.com",
            "a@[127.0.0.1]",
            "nobody",
            "a@localhost",
            "a..b@x.com",
            "a@x..com",
            "a@-x.com",
            "a b@x.com",
        ] {
            let s = from(attack);
            assert!(matches!(s, Some(Sender::Invalid { .. })), "{attack}: {s:?}");
        }
    }

    #[test]
    fn the_reason_quotes_the_header_on_one_line() {
        let Some(Sender::Invalid { reason, .. }) = from("<a@x.com,\n b@evil.example>") else { panic!() };
        assert_eq!(
            reason,
            "cannot be answered by email: the From header is not one valid address (From: <a@x.com, b@evil.example>)"
        );
    }
}
