//! Email from a Maildir (the `cur/ new/ tmp/` layout that mbsync, offlineimap and notmuch
//! keep): each message in `new/` and `cur/` becomes an email contact in the queue, or is
//! threaded onto the contact it answers.
//!
//! - The Maildir is only read: no file is renamed, flagged, moved or written, and `tmp/`
//!   (messages still being delivered) is never looked at.
//! - Sender → customer by email address; an unknown address creates a customer named after
//!   the display name (or the address when there is none). An address counts only when the
//!   From header holds exactly one valid one ([`super::address`]); a message whose sender has
//!   none still becomes a contact, without a customer, that says why it cannot be answered
//!   by email (`store::messages::no_reply_reason`).
//! - Threading as mail clients do (the JWZ rules of mutt and notmuch): a message whose
//!   In-Reply-To or References share an id with stored mail — a stored message, or an id
//!   that stored mail only names (the original went out from elsewhere), or the message
//!   itself named by a reply read before it — belongs to that mail's conversation. Ids that
//!   are not message ids (no `@`, like git send-email's `<yes>`) are ignored.
//! - It joins that conversation's contact only when its sender is that contact's customer.
//!   Anyone else gets a contact of their own, in the same conversation, with a note "Replies
//!   in the thread of #N": writing `In-Reply-To: <a customer's message>` never puts a
//!   stranger's words — or the reply to them — on the customer's contact.
//! - Where the customer wrote to (the valid To and Cc addresses) is kept from a contact's
//!   first message only; a later message's recipients never change it.
//! - A message joining a contact is added to it instead of opening a new one. A closed
//!   contact (resolved, escalated, transferred) that gets a reply goes back to the queue as
//!   *waiting*, with its end time cleared and a `create` event whose detail says
//!   "reopened: email reply from …". Not a `reopen` event: in the metrics a `reopen` starts a
//!   work segment, which would count the time the reply waits in the queue as handle time;
//!   the rep's `accept` starts the new segment instead, as for any waiting contact.
//! - Re-reading never duplicates: each message id is stored once (a message without a
//!   Message-ID gets a stable hash of its bytes), and a message already stored is skipped.
//!   A *different* message (other sender or other text) reusing a stored Message-ID is not a
//!   duplicate: it is stored under the hash of its bytes as a new contact, with a note saying
//!   which Message-ID it reused.
//!   A file taken in once is remembered by its unique name (the part before `:2,`), so a
//!   later sync does not read it again: only new files cost anything.
//! - Whole messages per transaction, in batches that hold the write lock at most ~50 ms, each
//!   remembering its files: a crash mid-sync leaves whole messages only, and the next sync
//!   carries on where it stopped.
//! - Malformed files (empty, not a mail message, no From or Sender header at all) are listed
//!   with their name and skipped; they never stop the sync.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use mail_parser::{HeaderValue, MessageParser, MimeHeaders, PartType};
use rusqlite::Connection;
use serde::Serialize;

use super::address::{self, Sender, one_line};
use super::watch::{Spec, Watcher};
use crate::domain::text::{mask_card_numbers, sanitize};
use crate::domain::{Channel, Id, IdentityKind, Timestamp};
use crate::store::messages::{self, Direction, EmailContact, KnownMessage, NewMessage};
use crate::store::{self, contacts, customers, notes};

/// Longest body kept for one message, in characters; the rest is cut with a note (a mail
/// client still has the whole message).
const MAX_BODY_CHARS: usize = 100_000;
/// The largest message file read: mail with big attachments is tens of MB; a file beyond
/// this is not mail a rep can answer, and reading it whole would hold it all in memory.
const MAX_MESSAGE_BYTES: u64 = 128 << 20;

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
    /// Of the new contacts, those written into another customer's thread (each linked to it).
    pub linked: usize,
    /// Of the new contacts, those whose sender has no valid address (they cannot be answered
    /// by email and say why).
    pub unanswerable: usize,
    /// Of the new contacts, different messages that reused a stored Message-ID.
    pub reused_ids: usize,
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
    sender: Sender,
    /// The valid To, then Cc, addresses.
    recipients: Vec<String>,
    /// The hash of the file's bytes: its id should its Message-ID turn out to be reused.
    stand_in_id: String,
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
    let seen = messages::maildir_seen_names(conn, &folder)?;
    let mut unseen = Vec::new();
    for path in files {
        // Cheapest first: a file taken in by an earlier sync is not even read.
        let name = unique_name(&path);
        if seen.contains(&name) {
            summary.duplicates += 1;
        } else {
            unseen.push((name, path));
        }
    }
    for (name, path, read) in read_all(unseen, now) {
        let (id, parsed) = match read {
            FileRead::Refused(why) => {
                summary.malformed.push((path, why));
                continue;
            }
            FileRead::Read { id, parsed } => (id, parsed),
        };
        match parsed {
            // Known ids — a copy, a different message reusing the id, mail forgotten with its
            // customer (a tombstone, never stored again) — are told apart when stored.
            Ok(m) => incoming.push((name, *m)),
            // Forgotten mail that no longer parses is still only a tombstone's file.
            Err(_) if messages::known(conn, &id)?.is_some_and(|k| k.body == ERASED) => {
                summary.duplicates += 1;
                taken_in.push(name);
            }
            // Listed again at every sync until it is fixed or removed.
            Err(why) => summary.malformed.push((path, why)),
        }
    }
    // Oldest first, so an original is stored before the replies that thread onto it.
    incoming.sort_by(|(_, a), (_, b)| {
        a.message.sent_at.cmp(&b.message.sent_at).then(a.message.source.cmp(&b.message.source))
    });
    store_all(conn, incoming, &folder, now, &mut summary)?;
    // Duplicates found while reading: a crash before this only means reading them once more.
    if !taken_in.is_empty() {
        store::write(conn, |tx| messages::remember_maildir_names(tx, &folder, &taken_in))?;
    }
    summary.malformed.sort();
    Ok(summary)
}

/// One file as read: why it was not read, or its Message-ID (a stand-in when it has none)
/// and the message parsed from it or why it could not be.
enum FileRead {
    Refused(String),
    Read { id: String, parsed: Result<Box<Incoming>, String> },
}

/// Reads and parses files on as many threads as the machine has cores (at most four),
/// keeping their order: reading and parsing was half of a first sync of 20,000 messages,
/// and each file is read on its own.
fn read_all(files: Vec<(String, PathBuf)>, now: Timestamp) -> Vec<(String, PathBuf, FileRead)> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    let per_thread = files.len().div_ceil(threads).max(1);
    let mut files = files.into_iter();
    let parts: Vec<Vec<(String, PathBuf)>> =
        std::iter::from_fn(|| Some(files.by_ref().take(per_thread).collect::<Vec<_>>()).filter(|p| !p.is_empty()))
            .collect();
    std::thread::scope(|scope| {
        let readers: Vec<_> = parts
            .into_iter()
            .map(|part| {
                scope.spawn(move || {
                    part.into_iter()
                        .map(|(name, path)| {
                            let read = read_file(&path, now);
                            (name, path, read)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        // A reader only panics on a bug; carry it on rather than lose files silently.
        readers.into_iter().flat_map(|r| r.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    })
}

/// Reads one file, unless it is too large or cannot be read, and parses it.
fn read_file(path: &Path, now: Timestamp) -> FileRead {
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => {
            let what = crate::import::regular_file::not_a_file(meta.file_type());
            return FileRead::Refused(format!("{what}; not read"));
        }
        Ok(meta) if meta.len() > MAX_MESSAGE_BYTES => {
            let limit = MAX_MESSAGE_BYTES >> 20;
            return FileRead::Refused(format!("larger than {limit} MB ({} bytes); not read", meta.len()));
        }
        Ok(_) => {}
        Err(e) => return FileRead::Refused(format!("cannot read: {e}")),
    }
    // Opened without waiting: a name swapped for a FIFO after the listing cannot block.
    let read = crate::import::regular_file::open_without_waiting(path).and_then(|mut f| {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut bytes).map(|_| bytes)
    });
    match read {
        Ok(bytes) => FileRead::Read {
            id: header_message_id(&bytes).unwrap_or_else(|| hash_id(&bytes)),
            parsed: read_message(path, &bytes, now).map(Box::new),
        },
        Err(e) => FileRead::Refused(format!("cannot read: {e}")),
    }
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

/// The entries of `new/` and `cur/` other than folders and dotfiles, in name order.
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
            if entry.file_name().to_string_lossy().starts_with('.') || path.is_dir() {
                continue;
            }
            // Anything else that is not a file (a FIFO, a socket, a device, a dangling link)
            // is listed with the malformed files, not read and not passed over in silence.
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

/// A message id as stored: no angle brackets or spaces; `None` if it is not a message id
/// (nothing left, or no `@`: git send-email writes `In-Reply-To: <yes>` when asked).
fn clean_id(raw: &str) -> Option<String> {
    let id: String = raw.trim().trim_start_matches('<').trim_end_matches('>').split_whitespace().collect();
    let (left, right) = id.split_once('@')?;
    (!left.is_empty() && !right.is_empty() && id.len() <= 998).then_some(id)
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
    let sender = address::sender(&message).ok_or("no sender address (the From: header is missing)")?;
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
    let mut recipients = address::valid_addresses(message.to());
    let to_addr = recipients.first().cloned().unwrap_or_default();
    recipients.extend(address::valid_addresses(message.cc()));
    let subject = one_line(message.subject().unwrap_or_default());
    let subject = mask_card_numbers(&subject);
    let body = body_text(&message);
    let body = mask_card_numbers(&sanitize(&body));
    let from_addr = sender.addr().map(sanitize).unwrap_or_default();
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
        sender,
        recipients,
        stand_in_id: hash_id(bytes),
        cards: subject.cards + subject.codes + body.cards + body.codes,
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

/// What forgetting a customer leaves of their mail (see `store::erase`).
const ERASED: &str = "[erased]";

/// Longest a batch of messages holds the write lock: long enough that a first sync of tens
/// of thousands of messages is not a transaction per message (which was most of its time),
/// short enough that a rep's save waiting on the lock is never late.
const BATCH_TIME: Duration = Duration::from_millis(50);

/// Stores the messages in batches of whole messages, each batch one transaction that also
/// remembers its files' names: a crash leaves whole messages, and the next sync carries on
/// where it stopped.
fn store_all(
    conn: &mut Connection,
    incoming: Vec<(String, Incoming)>,
    folder: &str,
    now: Timestamp,
    summary: &mut SyncSummary,
) -> Result<()> {
    let mut touched: std::collections::HashSet<Id> = summary.contacts.iter().copied().collect();
    let mut pending = incoming.into_iter().peekable();
    while pending.peek().is_some() {
        let started = std::time::Instant::now();
        let batch = store::write(conn, |tx| -> Result<Vec<(Incoming, Option<Placed>)>> {
            let mut done = Vec::new();
            let mut names = Vec::new();
            while let Some((name, m)) = pending.next_if(|_| done.is_empty() || started.elapsed() < BATCH_TIME) {
                let placed =
                    place(tx, &m, now).with_context(|| format!("{}: cannot store the message", m.message.source))?;
                names.push(name);
                done.push((m, placed));
            }
            messages::remember_maildir_names(tx, folder, &names)?;
            Ok(done)
        })?;
        for (m, placed) in batch {
            tally(summary, &mut touched, &m, placed);
        }
    }
    Ok(())
}

/// Counts one stored message in the summary.
fn tally(summary: &mut SyncSummary, touched: &mut std::collections::HashSet<Id>, m: &Incoming, placed: Option<Placed>) {
    let Some(placed) = placed else {
        summary.duplicates += 1;
        return;
    };
    summary.cards_masked += m.cards;
    match placed {
        Placed::Threaded { contact, reopened } => {
            summary.threaded += 1;
            summary.reopened += usize::from(reopened);
            if touched.insert(contact) {
                summary.contacts.push(contact);
            }
        }
        Placed::Added { contact, customer_created, linked, reused } => {
            summary.added += 1;
            summary.customers_created += usize::from(customer_created);
            summary.linked += usize::from(linked);
            summary.reused_ids += usize::from(reused);
            summary.unanswerable += usize::from(m.sender.addr().is_none());
            touched.insert(contact);
            summary.contacts.push(contact);
        }
    }
}

/// Where a stored message went.
enum Placed {
    Added { contact: Id, customer_created: bool, linked: bool, reused: bool },
    Threaded { contact: Id, reopened: bool },
}

/// What a new contact gets besides its message.
#[derive(Default)]
struct NewThread {
    /// The conversation it joins (its own when `None`).
    conversation: Option<Id>,
    /// The contact in whose thread it was written.
    replies_in: Option<Id>,
    /// Why it is a contact of its own although its Message-ID was known.
    notice: Option<String>,
}

/// Decides where a message goes and writes it, inside the caller's transaction; `None` for
/// a message already stored.
fn place(tx: &Connection, m: &Incoming, now: Timestamp) -> Result<Option<Placed>> {
    let mut message = m.message.clone();
    let mut thread = NewThread::default();
    match messages::known(tx, &message.message_id)? {
        Some(k) if same_message(&k, m) => return Ok(None),
        Some(k) => {
            if messages::is_known(tx, &m.stand_in_id)? {
                return Ok(None);
            }
            thread.notice = Some(format!(
                "This message reuses the Message-ID <{}> of a different message already stored on contact #{}: \
                 it was taken as a new contact.",
                message.message_id, k.contact_id
            ));
            message.message_id.clone_from(&m.stand_in_id);
        }
        None => {
            let irt = message.in_reply_to.as_deref();
            let candidates = messages::thread_candidates(tx, Some(&message.message_id), irt, &message.references)?;
            if let Some(&first) = candidates.first() {
                let conversations = candidates
                    .iter()
                    .map(|c| messages::conversation_of(tx, *c))
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                let into = conversations.iter().copied().min().unwrap_or(first);
                messages::merge_conversations(tx, into, &conversations)?;
                if let Some(contact) = customers_contact(tx, &candidates, m.sender.addr())? {
                    let reopened = messages::reopen_for_reply(tx, contact, &message.from_addr, now)?;
                    messages::add(tx, contact, &message)?;
                    return Ok(Some(Placed::Threaded { contact, reopened }));
                }
                thread.conversation = Some(into);
                thread.replies_in = Some(first);
            }
        }
    }
    add_contact(tx, m, &message, thread, now).map(Some)
}

/// Whether a stored message with the same Message-ID is this one: forgotten mail (kept as
/// a tombstone), or the same sender with the same text (a reply of ours read back from a
/// Maildir has our quoting around it, so for those the sender is enough).
fn same_message(k: &KnownMessage, m: &Incoming) -> bool {
    k.body == ERASED
        || (k.from_addr.eq_ignore_ascii_case(&m.message.from_addr)
            && (k.direction == Direction::Outbound || k.body == m.message.body))
}

/// The first of the contacts whose customer is the sender, if any.
fn customers_contact(tx: &Connection, candidates: &[Id], sender: Option<&str>) -> rusqlite::Result<Option<Id>> {
    let Some(addr) = sender else { return Ok(None) };
    let Some(customer) = customers::find_by_identity(tx, IdentityKind::Email, addr)? else { return Ok(None) };
    for &contact in candidates {
        if contacts::contact(tx, contact)?.is_some_and(|c| c.customer_id == Some(customer)) {
            return Ok(Some(contact));
        }
    }
    Ok(None)
}

/// A new email contact for a message: its customer (none when the sender has no valid
/// address), the message, what intake knows about it, and a note for each thing the rep
/// should know (a thread it was written in, a reused Message-ID, why it cannot be answered).
fn add_contact(
    tx: &Connection,
    m: &Incoming,
    message: &NewMessage,
    thread: NewThread,
    now: Timestamp,
) -> Result<Placed> {
    let (customer, customer_created) = match m.sender.addr() {
        Some(addr) => customer_for(tx, addr, m.sender.name(), now).map(|(id, created)| (Some(id), created))?,
        None => (None, false),
    };
    let mut contact = contacts::NewContact::waiting(Channel::Email, &message.subject, message.sent_at);
    contact.customer_id = customer;
    let id = contacts::insert_opened_by(tx, &contact, message)?;
    let no_reply = match &m.sender {
        Sender::Invalid { reason, .. } => Some(mask_card_numbers(reason).text),
        Sender::Address { .. } => None,
    };
    let link = thread.replies_in.map(|other| {
        format!(
            "Replies in the thread of #{other}, but the sender is not that contact's customer: kept as a contact \
             of its own so that nothing of #{other} reaches this sender."
        )
    });
    for text in [&link, &thread.notice, &no_reply].into_iter().flatten() {
        notes::insert_note(tx, Some(id), customer, ("note", text, now, None))?;
    }
    let facts = EmailContact {
        conversation: thread.conversation.unwrap_or(id),
        replies_in: thread.replies_in,
        wrote_to: m.recipients.clone(),
        no_reply,
        notice: thread.notice,
    };
    messages::add_email_contact(tx, id, &facts)?;
    Ok(Placed::Added { contact: id, customer_created, linked: link.is_some(), reused: facts.notice.is_some() })
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
        assert_eq!(no_from, Err("no sender address (the From: header is missing)".to_string()));
    }
}
