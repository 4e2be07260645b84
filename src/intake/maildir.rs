//! Email from a Maildir (the `cur/ new/ tmp/` layout that mbsync, offlineimap and notmuch
//! keep): each message in `new/` and `cur/` becomes an email contact in the queue, or is
//! threaded onto the contact it answers.
//!
//! - The Maildir is only read: no file is renamed, flagged, moved or written, and `tmp/`
//!   (messages still being delivered) is never looked at.
//! - Sender → customer by email address; an unknown address creates a customer named after
//!   the display name (or the address when there is none).
//! - Threading: a message whose In-Reply-To, or any id in its References, names a stored
//!   message is added to that message's contact instead of opening a new one. A closed
//!   contact (resolved, escalated, transferred) that gets a reply goes back to the queue as
//!   *waiting*, with its end time cleared and a `create` event whose detail says
//!   "reopened: email reply from …". Not a `reopen` event: in the metrics a `reopen` starts a
//!   work segment, which would count the time the reply waits in the queue as handle time;
//!   the rep's `accept` starts the new segment instead, as for any waiting contact.
//! - Re-reading never duplicates: each message id is stored once (a message without a
//!   Message-ID gets a stable hash of its bytes), and a message already stored is skipped.
//!   A file taken in once is remembered by its unique name (the part before `:2,`), so a
//!   later sync does not read it again: only new files cost anything.
//! - One transaction per message: a crash mid-sync leaves whole messages only, and the next
//!   sync carries on where it stopped.
//! - Malformed files (empty, not a mail message, no sender address) are listed with their
//!   name and skipped; they never stop the sync.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use mail_parser::{Address, HeaderValue, MessageParser, MimeHeaders, PartType};
use rusqlite::{Connection, params};
use serde::Serialize;

use super::messages::{self, Direction, NewMessage};
use super::watch::{Spec, Watcher};
use crate::domain::text::{mask_card_numbers, sanitize};
use crate::domain::{Channel, ContactStatus, Id, IdentityKind, Timestamp};
use crate::store::{self, contacts, customers};

/// Longest body kept for one message, in characters; the rest is cut with a note (a mail
/// client still has the whole message).
const MAX_BODY_CHARS: usize = 100_000;

/// What one sync of one Maildir did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncSummary {
    /// The Maildir read.
    pub folder: PathBuf,
    /// New email contacts put in the queue.
    pub added: usize,
    /// Replies added to the thread of an existing contact.
    pub threaded: usize,
    /// Of those, closed contacts that went back to the queue.
    pub reopened: usize,
    /// Messages already stored (read before, or the same message twice in the folder).
    pub duplicates: usize,
    pub customers_created: usize,
    pub cards_masked: usize,
    /// Files skipped, with why.
    #[serde(serialize_with = "serialize_malformed")]
    pub malformed: Vec<(PathBuf, String)>,
    /// The contacts that were created or got a new message, for the TUI to refresh.
    pub contacts: Vec<Id>,
}

fn serialize_malformed<S: serde::Serializer>(list: &[(PathBuf, String)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(list.len()))?;
    for (file, error) in list {
        seq.serialize_element(&serde_json::json!({ "file": file, "error": error }))?;
    }
    seq.end()
}

/// A message read from a file, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Incoming {
    message: NewMessage,
    from_name: Option<String>,
    cards: usize,
}

/// Reads every message of a Maildir's `new/` and `cur/` into the workspace (see the module
/// documentation). Errors only when the folder cannot be read or the database fails; bad
/// messages are listed in [`SyncSummary::malformed`].
pub fn sync_maildir(conn: &mut Connection, dir: &Path, now: Timestamp) -> Result<SyncSummary> {
    let mut summary = SyncSummary { folder: dir.to_path_buf(), ..SyncSummary::default() };
    let files = message_files(dir)?;
    let folder = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf()).to_string_lossy().into_owned();
    let mut incoming = Vec::new();
    // Names taken in by this sync (stored, or already stored), remembered at the end.
    let mut taken_in = Vec::new();
    // One read of the names taken in before, rather than a lookup per file.
    let seen = seen_names(conn, &folder)?;
    for path in files {
        // Cheapest first: a file taken in by an earlier sync is not even read.
        let name = unique_name(&path);
        if seen.contains(&name) {
            summary.duplicates += 1;
            continue;
        }
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                summary.malformed.push((path, format!("cannot read: {e}")));
                continue;
            }
        };
        // Cheap first: a message already stored is not parsed in full again.
        let id = header_message_id(&bytes).unwrap_or_else(|| hash_id(&bytes));
        if messages::is_known(conn, &id)? {
            summary.duplicates += 1;
            taken_in.push(name);
            continue;
        }
        match read_message(&path, &bytes, now) {
            Ok(m) => incoming.push((name, m)),
            // Listed again at every sync until it is fixed or removed.
            Err(why) => summary.malformed.push((path, why)),
        }
    }
    // Oldest first, so an original is stored before the replies that thread onto it.
    incoming.sort_by(|(_, a), (_, b)| {
        a.message.sent_at.cmp(&b.message.sent_at).then(a.message.source.cmp(&b.message.source))
    });
    for (name, m) in incoming {
        store_incoming(conn, &m, now, &mut summary)
            .with_context(|| format!("{}: cannot store the message", m.message.source))?;
        taken_in.push(name);
    }
    // After the messages: a crash before this only means reading those files once more.
    if !taken_in.is_empty() {
        store::write(conn, |tx| -> rusqlite::Result<()> {
            let mut remember = tx.prepare_cached("INSERT OR IGNORE INTO maildir_seen(folder, name) VALUES (?1, ?2)")?;
            for name in &taken_in {
                remember.execute(params![folder, name])?;
            }
            Ok(())
        })?;
    }
    summary.malformed.sort();
    Ok(summary)
}

/// A Maildir file's unique name: its file name without the `:2,FLAGS` a mail client adds
/// and changes.
fn unique_name(path: &Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    match name.split_once(':') {
        Some((unique, _)) => unique.to_string(),
        None => name,
    }
}

/// The names of the files of this Maildir taken in by earlier syncs.
fn seen_names(conn: &Connection, folder: &str) -> rusqlite::Result<std::collections::HashSet<String>> {
    conn.prepare_cached("SELECT name FROM maildir_seen WHERE folder = ?1")?.query_map([folder], |r| r.get(0))?.collect()
}

/// The files of `new/` and `cur/`, in name order (dotfiles and folders left out).
fn message_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let meta = std::fs::metadata(dir).with_context(|| format!("{}: cannot read the Maildir", dir.display()))?;
    if !meta.is_dir() {
        bail!("{}: not a folder (a Maildir has cur/, new/ and tmp/ folders)", dir.display());
    }
    let mut files = Vec::new();
    let mut found = false;
    for sub in ["new", "cur"] {
        let folder = dir.join(sub);
        let entries = match std::fs::read_dir(&folder) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e).with_context(|| format!("{}: cannot read", folder.display())),
        };
        found = true;
        for entry in entries {
            let entry = entry.with_context(|| format!("{}: cannot read", folder.display()))?;
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') || !path.is_file() {
                continue;
            }
            files.push(path);
        }
    }
    if !found {
        bail!("{}: not a Maildir (it has no new/ or cur/ folder)", dir.display());
    }
    files.sort();
    Ok(files)
}

/// The Message-ID from the header section alone, without angle brackets.
fn header_message_id(bytes: &[u8]) -> Option<String> {
    let message = MessageParser::new().parse_headers(bytes)?;
    clean_id(message.message_id()?)
}

/// A message id as stored: no angle brackets or spaces; `None` if nothing is left.
fn clean_id(raw: &str) -> Option<String> {
    let id: String = raw.trim().trim_start_matches('<').trim_end_matches('>').split_whitespace().collect();
    (!id.is_empty() && id.len() <= 998).then_some(id)
}

/// A stable stand-in id for a message without a Message-ID: a 128-bit FNV-1a hash of its
/// bytes (the same file read again gets the same id).
fn hash_id(bytes: &[u8]) -> String {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    let hash = bytes.iter().fold(OFFSET, |h, &b| (h ^ u128::from(b)).wrapping_mul(PRIME));
    format!("fnv-{hash:032x}@frontline.hash")
}

/// Parses one file into a message to store, or says why it cannot be used.
fn read_message(path: &Path, bytes: &[u8], now: Timestamp) -> Result<Incoming, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err("empty file".into());
    }
    let message = MessageParser::default().parse(bytes).ok_or("not a mail message (no header section)")?;
    if message.headers().is_empty() {
        return Err("not a mail message (no header section)".into());
    }
    let sender = message
        .from()
        .and_then(first_address)
        .or_else(|| message.sender().and_then(first_address))
        .ok_or("no sender address (the From: header is missing or has no address)")?;
    let message_id = message.message_id().and_then(clean_id).unwrap_or_else(|| hash_id(bytes));
    let in_reply_to = text_list(message.in_reply_to()).into_iter().find_map(|id| clean_id(&id));
    let references: Vec<String> = text_list(message.references()).iter().filter_map(|id| clean_id(id)).collect();
    let sent_at = message
        .date()
        .filter(|d| d.is_valid())
        .map(mail_parser::DateTime::to_timestamp)
        .or_else(|| mtime(path))
        .unwrap_or(now)
        .min(now);
    let to_addr = message.to().and_then(first_address).map(|(addr, _)| addr).unwrap_or_default();
    let subject = one_line(message.subject().unwrap_or_default());
    let subject = mask_card_numbers(&subject);
    let body = body_text(&message);
    let body = mask_card_numbers(&sanitize(&body));
    let (from_addr, from_name) = sender;
    Ok(Incoming {
        message: NewMessage {
            message_id,
            in_reply_to,
            references,
            direction: Direction::Inbound,
            sent_at,
            from_addr,
            to_addr,
            subject: if subject.text.is_empty() { "(no subject)".into() } else { subject.text },
            body: body.text,
            source: path.display().to_string(),
        },
        from_name,
        cards: subject.cards + subject.codes + body.cards + body.codes,
    })
}

/// The first usable address of a header: the bare address (must contain `@`) and the
/// display name, if any.
fn first_address(address: &Address<'_>) -> Option<(String, Option<String>)> {
    address.iter().find_map(|a| {
        let addr = a.address()?.trim();
        let ok =
            addr.contains('@') && !addr.starts_with('@') && !addr.ends_with('@') && !addr.contains(char::is_whitespace);
        ok.then(|| (sanitize(addr), a.name().map(one_line).filter(|n| !n.is_empty() && n != addr)))
    })
}

/// Text or a list of texts (In-Reply-To, References) as a list.
fn text_list(value: &HeaderValue<'_>) -> Vec<String> {
    match value {
        HeaderValue::Text(t) => vec![t.to_string()],
        HeaderValue::TextList(list) => list.iter().map(ToString::to_string).collect(),
        _ => Vec::new(),
    }
}

/// Sanitised and on one line (folded headers, tabs), outer quotes dropped.
fn one_line(text: &str) -> String {
    let text = sanitize(text);
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    joined.trim_matches('"').trim().to_string()
}

fn mtime(path: &Path) -> Option<Timestamp> {
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    let secs = modified.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    i64::try_from(secs).ok()
}

/// The readable text of a message: its text/plain parts, HTML-only parts converted, and the
/// names of attachments that were not imported.
fn body_text(message: &mail_parser::Message<'_>) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut ids: Vec<u32> = message.text_body.clone();
    if ids.is_empty() {
        ids.clone_from(&message.html_body);
    }
    for id in ids {
        let Some(part) = message.parts.get(id as usize) else { continue };
        let text = match &part.body {
            PartType::Text(t) => t.to_string(),
            PartType::Html(h) => super::html::to_text(h),
            _ => continue,
        };
        let text = text.trim_end();
        if !text.trim().is_empty() {
            parts.push(text.to_string());
        }
    }
    let mut body = parts.join("\n\n");
    let names: Vec<String> =
        message.attachments().map(|a| a.attachment_name().map_or_else(|| "unnamed".to_string(), one_line)).collect();
    if !names.is_empty() {
        body.push_str(&format!("\n\n[attachments not imported: {}]", names.join(", ")));
    }
    if body.chars().count() > MAX_BODY_CHARS {
        let cut: String = body.chars().take(MAX_BODY_CHARS).collect();
        let more = body.chars().count() - MAX_BODY_CHARS;
        body = format!("{cut}\n[… shortened: {more} more characters in the original message]");
    }
    body
}

/// Stores one message in its own transaction: threaded onto its contact, or as a new
/// contact with its customer.
fn store_incoming(conn: &mut Connection, m: &Incoming, now: Timestamp, summary: &mut SyncSummary) -> Result<()> {
    let outcome = store::write(conn, |tx| -> Result<Option<(Id, Outcome)>> {
        if messages::is_known(tx, &m.message.message_id)? {
            return Ok(None);
        }
        let thread = messages::thread_of(tx, m.message.in_reply_to.as_deref(), &m.message.references)?;
        if let Some(contact) = thread {
            let reopened = reopen_if_closed(tx, contact, &m.message.from_addr, now)?;
            messages::insert(tx, contact, &m.message)?;
            return Ok(Some((contact, Outcome::Threaded { reopened })));
        }
        let (customer, created) = customer_for(tx, &m.message.from_addr, m.from_name.as_deref(), now)?;
        let mut contact = contacts::NewContact::waiting(Channel::Email, &m.message.subject, m.message.sent_at);
        contact.customer_id = Some(customer);
        contact.body.clone_from(&m.message.body);
        let id = contacts::insert(tx, &contact)?;
        messages::insert(tx, id, &m.message)?;
        Ok(Some((id, Outcome::Added { customer_created: created })))
    })?;
    match outcome {
        None => summary.duplicates += 1,
        Some((id, Outcome::Threaded { reopened })) => {
            summary.threaded += 1;
            summary.reopened += usize::from(reopened);
            summary.cards_masked += m.cards;
            if !summary.contacts.contains(&id) {
                summary.contacts.push(id);
            }
        }
        Some((id, Outcome::Added { customer_created })) => {
            summary.added += 1;
            summary.customers_created += usize::from(customer_created);
            summary.cards_masked += m.cards;
            summary.contacts.push(id);
        }
    }
    Ok(())
}

enum Outcome {
    Added { customer_created: bool },
    Threaded { reopened: bool },
}

/// Puts a closed contact back in the queue for a reply (see the module documentation for
/// why the event is `create`, not `reopen`). Returns whether it was closed.
fn reopen_if_closed(conn: &Connection, contact: Id, from: &str, now: Timestamp) -> rusqlite::Result<bool> {
    let status: String = conn.query_row("SELECT status FROM contacts WHERE id = ?1", [contact], |r| r.get(0))?;
    let closed = matches!(
        ContactStatus::parse(&status),
        Some(ContactStatus::Resolved | ContactStatus::Escalated | ContactStatus::Transferred)
    );
    if closed {
        conn.execute(
            "UPDATE contacts SET status = ?2, ended_at = NULL WHERE id = ?1",
            params![contact, ContactStatus::Waiting.as_str()],
        )?;
        contacts::append_event(conn, contact, now, "create", Some(&format!("reopened: email reply from {from}")))?;
    }
    Ok(closed)
}

/// The customer with this email address, or a new one named after the display name.
/// Returns the id and whether it was created.
fn customer_for(conn: &Connection, address: &str, name: Option<&str>, now: Timestamp) -> rusqlite::Result<(Id, bool)> {
    if let Some(id) = customers::find_by_identity(conn, IdentityKind::Email, address)? {
        return Ok((id, false));
    }
    let new = customers::NewCustomer {
        name: name.filter(|n| !n.trim().is_empty()).unwrap_or(address).to_string(),
        identities: vec![(IdentityKind::Email, address.to_string())],
        ..customers::NewCustomer::default()
    };
    customers::insert(conn, &new, now).map(|id| (id, true))
}

/// How often Maildirs are looked at without an event: a safety net with notifications, the
/// whole mechanism when polling.
const RESCAN_NOTIFY: Duration = Duration::from_secs(30);
const RESCAN_POLLING: Duration = Duration::from_secs(2);

/// Watches Maildirs' `new/` and `cur/` and calls `on_change` — from a background thread —
/// soon after a message arrives, so the caller can run [`sync_maildir`] on its database
/// worker (a sync that finds nothing new writes nothing). File-system notifications when
/// they work, else polling every two seconds; also once at start. Folders that do not
/// exist yet are noticed when they appear (by the periodic look). Keep the returned
/// [`Watcher`] alive; nothing in the Maildirs is written.
pub fn watch(maildirs: &[PathBuf], on_change: impl Fn() + Send + 'static) -> Result<Watcher> {
    let folders: Vec<PathBuf> = maildirs.iter().flat_map(|m| [m.join("new"), m.join("cur")]).collect();
    let existing: Vec<PathBuf> = folders.iter().filter(|f| f.is_dir()).cloned().collect();
    let force_polling = existing.len() < folders.len();
    let mut last = folder_times(&folders);
    let spec = Spec {
        name: "maildir",
        dirs: existing,
        relevant: |p| p.file_name().is_some_and(|n| !n.to_string_lossy().starts_with('.')),
        rescan: if force_polling { RESCAN_POLLING } else { RESCAN_NOTIFY },
        probe: Box::new(move || {
            let now = folder_times(&folders);
            let changed = now != last;
            last = now;
            changed
        }),
    };
    super::watch::start(spec, force_polling, on_change)
}

/// The modification times of folders (a folder's changes when a file is added or renamed).
fn folder_times(folders: &[PathBuf]) -> Vec<Option<std::time::SystemTime>> {
    folders.iter().map(|f| std::fs::metadata(f).and_then(|m| m.modified()).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_lose_their_brackets_and_hashes_are_stable() {
        assert_eq!(clean_id(" <a.b@c> ").as_deref(), Some("a.b@c"));
        assert_eq!(clean_id("<>"), None);
        assert_eq!(hash_id(b"same"), hash_id(b"same"));
        assert_ne!(hash_id(b"same"), hash_id(b"other"));
        assert!(hash_id(b"x").ends_with("@frontline.hash"));
    }

    #[test]
    fn files_that_are_not_mail_are_refused_with_a_reason() {
        let p = Path::new("x");
        assert_eq!(read_message(p, b"", 0).map(|_| ()), Err("empty file".to_string()));
        let junk = read_message(p, b"\x00\x01\x02 just some bytes\n\nmore", 0).map(|_| ());
        assert!(junk.is_err(), "{junk:?}");
        let no_from = read_message(p, b"Subject: hi\n\nbody\n", 0).map(|_| ());
        assert_eq!(no_from, Err("no sender address (the From: header is missing or has no address)".to_string()));
    }
}
