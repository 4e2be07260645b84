//! An email reply as a proper RFC 5322 message: Date, From, To (exactly one address),
//! Subject "Re: …", Message-ID, In-Reply-To, References; UTF-8 text in quoted-printable, so
//! no line is longer than 76 characters. Card numbers are masked in the text and subject.

use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Result, anyhow};

use super::address::{EmailAddress, Mailbox};
use super::{command, files};
use crate::clipboard::base64;
use crate::domain::Timestamp;
use crate::domain::message::StoredMessage;
use crate::domain::text::{mask_card_numbers, sanitize};

/// How email replies leave: written for a mail client or queue, or handed to sendmail.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// A Maildir: each reply is written to its `tmp/` and renamed into `new/` (0600), for a
    /// mail client or `msmtpq`-style queue runner to send.
    Outbox(PathBuf),
    /// A command that reads a whole message on its standard input and sends it, like
    /// `msmtp -t` or `sendmail -t -i`. Words are split on spaces (no shell quoting).
    Sendmail(String),
}

impl std::fmt::Display for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Outbox(dir) => write!(f, "outbox {}", dir.display()),
            Self::Sendmail(cmd) => write!(f, "`{cmd}`"),
        }
    }
}

/// A composed reply, ready to deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMessage {
    /// Without angle brackets.
    pub message_id: String,
    pub in_reply_to: Option<String>,
    /// Oldest first, without angle brackets.
    pub references: Vec<String>,
    pub from: Mailbox,
    /// The one recipient: the customer.
    pub to: EmailAddress,
    pub subject: String,
    pub date: Timestamp,
    /// The rep's text (sanitised, card numbers masked), without the quoted original.
    pub body: String,
    /// The whole message as written to the outbox or piped to sendmail (LF line endings).
    pub bytes: Vec<u8>,
}

/// Longest References chain written: the first id (the thread's root) and the newest ones.
const MAX_REFERENCES: usize = 20;

/// Composes a reply to `original` (the customer's message, or the rep's last reply in the
/// thread): Subject gets one "Re: ", In-Reply-To and References continue the thread, and
/// the original is quoted below the rep's text. To and From are given by the caller, never
/// read from the original's headers.
pub fn compose(
    original: &StoredMessage,
    to: &EmailAddress,
    from: &Mailbox,
    body: &str,
    now: Timestamp,
) -> OutgoingMessage {
    let real = |id: &String| !id.ends_with("@frontline.hash");
    let in_reply_to = Some(original.message.message_id.clone()).filter(real);
    let mut references: Vec<String> = original.message.references.iter().filter(|id| real(id)).cloned().collect();
    references.extend(in_reply_to.clone());
    if references.len() > MAX_REFERENCES {
        let tail = references.split_off(references.len() - (MAX_REFERENCES - 1));
        references.truncate(1);
        references.extend(tail);
    }
    let mut quote =
        format!("\n\nOn {}, {} wrote:\n", rfc5322_date(original.message.sent_at), original.message.from_addr);
    for line in original.message.body.lines() {
        quote.push_str(if line.is_empty() { ">" } else { "> " });
        quote.push_str(line);
        quote.push('\n');
    }
    build(Thread { subject: &original.message.subject, in_reply_to, references, quote }, to, from, body, now)
}

/// Composes the first email of a contact that has no thread (one created by hand or
/// imported): Subject "Re: " and the contact's subject, nothing quoted.
pub fn compose_new(subject: &str, to: &EmailAddress, from: &Mailbox, body: &str, now: Timestamp) -> OutgoingMessage {
    build(Thread { subject, in_reply_to: None, references: Vec::new(), quote: String::new() }, to, from, body, now)
}

/// What a reply continues: the subject answered, the ids it refers to, the quoted text.
struct Thread<'a> {
    subject: &'a str,
    in_reply_to: Option<String>,
    references: Vec<String>,
    quote: String,
}

fn build(thread: Thread<'_>, to: &EmailAddress, from: &Mailbox, body: &str, now: Timestamp) -> OutgoingMessage {
    let subject = mask_card_numbers(&reply_subject(&sanitize(thread.subject))).text;
    let body = mask_card_numbers(&sanitize(body.trim_end())).text;
    let message_id = new_message_id(now);
    let mut head = String::new();
    head.push_str(&format!("Date: {}\n", rfc5322_date(now)));
    head.push_str(&format!("From: {}\n", address_header(from)));
    head.push_str(&format!("To: {to}\n"));
    head.push_str(&format!("Subject: {}\n", encode_header_text(&subject, "Subject: ".len())));
    head.push_str(&format!("Message-ID: <{message_id}>\n"));
    if let Some(id) = &thread.in_reply_to {
        head.push_str(&format!("In-Reply-To: <{id}>\n"));
    }
    if !thread.references.is_empty() {
        let ids: Vec<String> = thread.references.iter().map(|id| format!("<{id}>")).collect();
        head.push_str(&format!("References: {}\n", ids.join("\n ")));
    }
    head.push_str("MIME-Version: 1.0\n");
    head.push_str("Content-Type: text/plain; charset=utf-8\n");
    head.push_str("Content-Transfer-Encoding: quoted-printable\n");
    head.push_str(&format!("User-Agent: Frontline/{}\n", env!("CARGO_PKG_VERSION")));
    head.push('\n');
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(quoted_printable(&format!("{body}{}", thread.quote)).as_bytes());
    OutgoingMessage {
        message_id,
        in_reply_to: thread.in_reply_to,
        references: thread.references,
        from: from.clone(),
        to: to.clone(),
        subject,
        date: now,
        body,
        bytes,
    }
}

/// "Re: " and the original subject without its own "Re:", "RE:", "Re[2]:", "AW:", "SV:"…
/// prefixes, so replies never stack them.
pub fn reply_subject(subject: &str) -> String {
    let mut rest = subject.trim();
    loop {
        let lower = rest.to_ascii_lowercase();
        let prefix = ["re", "aw", "sv", "antw", "vs"].iter().find_map(|p| {
            let after = lower.strip_prefix(p)?;
            // Optional counter: "Re[2]:" or "Re(2):".
            let after = match after.strip_prefix(['[', '(']) {
                Some(a) => a.trim_start_matches(|c: char| c.is_ascii_digit()).strip_prefix([']', ')'])?,
                None => after,
            };
            let after = after.trim_start().strip_prefix(':')?;
            Some(rest.len() - after.len())
        });
        match prefix {
            Some(n) => rest = rest[n..].trim_start(),
            None => break,
        }
    }
    if rest.is_empty() { "Re: (no subject)".to_string() } else { format!("Re: {rest}") }
}

/// Sends a composed message, giving a command at most `timeout`. Returns where it went,
/// for the record: the file written in the outbox, or the command.
pub fn deliver(msg: &OutgoingMessage, delivery: &Delivery, timeout: Duration) -> Result<String> {
    match delivery {
        Delivery::Outbox(dir) => files::write_to_maildir(dir, &msg.bytes).map(|p| p.display().to_string()),
        Delivery::Sendmail(cmd) => match command::run(cmd, &msg.bytes, timeout) {
            Ok(()) => Ok(format!("sendmail: {cmd}")),
            Err(e) => Err(anyhow!(e.explain("sendmail", cmd))),
        },
    }
}

/// A From header value: `addr`, or the display name (quoted or encoded) and `<addr>`.
fn address_header(from: &Mailbox) -> String {
    let Some(name) = from.name.as_deref() else { return from.address.to_string() };
    let name = if name.is_ascii() {
        format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        encoded_words(name)
    };
    format!("{name} <{}>", from.address)
}

/// A header's text: as it is when ASCII (folded at spaces to stay near 78 columns), else
/// RFC 2047 encoded words.
fn encode_header_text(text: &str, used: usize) -> String {
    let text = text.replace(['\r', '\n'], " ");
    if !text.is_ascii() {
        return encoded_words(&text);
    }
    let mut out = String::new();
    let mut column = used;
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            if column + 1 + word.len() > 78 && column > 1 {
                out.push_str("\n ");
                column = 1;
            } else {
                out.push(' ');
                column += 1;
            }
        }
        out.push_str(word);
        column += word.len();
    }
    out
}

/// `=?UTF-8?B?…?=` words of at most 75 characters, split between characters, folded.
fn encoded_words(text: &str) -> String {
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in text.chars() {
        if chunk.len() + c.len_utf8() > 45 {
            words.push(format!("=?UTF-8?B?{}?=", base64(chunk.as_bytes())));
            chunk.clear();
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(format!("=?UTF-8?B?{}?=", base64(chunk.as_bytes())));
    }
    words.join("\n ")
}

/// Quoted-printable (RFC 2045) with LF line endings: encoded lines at most 76 characters,
/// trailing spaces encoded, and a `.` or `From ` at the start of a line encoded too (so
/// neither SMTP's end-of-data nor an mbox separator can appear).
pub fn quoted_printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let normalized = text.replace("\r\n", "\n");
    let lines: Vec<&str> = normalized.split('\n').collect();
    for (n, line) in lines.iter().enumerate() {
        let bytes = line.as_bytes();
        let mut column = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let at_start = column == 0;
            let last = i + 1 == bytes.len();
            let literal = match b {
                b'=' => false,
                b' ' | b'\t' => !last,
                b'.' => !at_start,
                b'F' => !(at_start && bytes[i..].starts_with(b"From ")),
                33..=126 => true,
                _ => false,
            };
            let token = if literal { char::from(b).to_string() } else { format!("={b:02X}") };
            // Room for the token and a soft break's `=` within 76 columns.
            if column + token.len() > 75 && !(last && column + token.len() <= 76) {
                out.push_str("=\n");
                column = 0;
                if b == b'.' || (b == b'F' && bytes[i..].starts_with(b"From ")) {
                    out.push_str(&format!("={b:02X}"));
                    column += 3;
                    continue;
                }
            }
            out.push_str(&token);
            column += token.len();
        }
        if n + 1 < lines.len() {
            out.push('\n');
        }
    }
    out
}

/// An RFC 5322 date in local time: `Fri, 20 Nov 2026 14:05:09 -0800`.
fn rfc5322_date(at: Timestamp) -> String {
    use chrono::TimeZone;
    chrono::Local
        .timestamp_opt(at, 0)
        .single()
        .map_or_else(|| chrono::DateTime::<chrono::Utc>::UNIX_EPOCH.to_rfc2822(), |t| t.to_rfc2822())
}

/// A fresh Message-ID (without brackets): the time, random bits from the OS, the process
/// and a counter — unique without a UUID crate.
fn new_message_id(now: Timestamp) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut random = [0u8; 8];
    let from_os = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut random)).is_ok();
    if !from_os {
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
        random = (nanos ^ (u64::from(std::process::id()) << 32)).to_le_bytes();
    }
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(
        "{}.{:016x}.{}.{count}@frontline.local",
        radix36(u64::try_from(now).unwrap_or(0)),
        u64::from_le_bytes(random),
        std::process::id()
    )
}

fn radix36(mut n: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_subjects_never_stack_re() {
        assert_eq!(reply_subject("Return label"), "Re: Return label");
        assert_eq!(reply_subject("Re: Return label"), "Re: Return label");
        assert_eq!(reply_subject("RE: re:Re[2]: AW: Return label"), "Re: Return label");
        assert_eq!(reply_subject("Regarding my order"), "Re: Regarding my order");
        assert_eq!(reply_subject(""), "Re: (no subject)");
    }

    #[test]
    fn quoted_printable_keeps_lines_short_and_dots_safe() {
        let text = format!("{}\n.\nFrom here\ntrailing \nCafé = 5€", "x".repeat(200));
        let qp = quoted_printable(&text);
        assert!(qp.lines().all(|l| l.len() <= 76), "{qp}");
        assert!(qp.contains("\n=2E\n"), "{qp}");
        assert!(qp.contains("\n=46rom here"), "{qp}");
        assert!(qp.contains("trailing=20\n"), "{qp}");
        assert!(qp.contains("Caf=C3=A9 =3D 5=E2=82=AC"), "{qp}");
    }

    #[test]
    fn headers_are_encoded_when_not_ascii() {
        assert_eq!(base64(b"Ma"), "TWE=");
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"M"), "TQ==");
        let header = |from: &str| address_header(&Mailbox::parse(from).unwrap());
        assert_eq!(header("support@example.com"), "support@example.com");
        assert_eq!(header("Larkspur Support <support@example.com>"), "\"Larkspur Support\" <support@example.com>");
        assert_eq!(header("\"Ann \\\"A\\\" Lee\" <a@example.com>"), "\"Ann \\\"A\\\" Lee\" <a@example.com>");
        assert!(header("Jürgen <j@example.com>").starts_with("=?UTF-8?B?"));
        assert!(encode_header_text(&"ü".repeat(100), 9).lines().all(|l| l.len() <= 76));
    }
}
