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

mod headers;
mod read;
mod zones;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use rusqlite::Connection;
use serde::Serialize;

use self::read::{Arrival, FileRead, Incoming, Listed};
use super::address::Sender;
use super::watch::{Spec, Watcher};
use crate::domain::text::mask_card_numbers;
use crate::domain::{Channel, Id, IdentityKind, Timestamp};
use crate::store::messages::{self, Direction, EmailContact, KnownMessage, NewMessage};
use crate::store::{self, contacts, customers, notes};

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

/// Reads every message of a Maildir's `new/` and `cur/` into the workspace (see the module
/// documentation). Errors only when the folder cannot be read or the database fails; bad
/// messages are listed in [`SyncSummary::malformed`].
pub fn sync_maildir(conn: &mut Connection, dir: &Path, now: Timestamp) -> Result<SyncSummary> {
    let mut summary = SyncSummary { folder: dir.to_path_buf(), ..SyncSummary::default() };
    let entries = read::message_files(dir)?;
    let folder = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf()).to_string_lossy().into_owned();
    // One read of the names taken in before, rather than a lookup per file.
    let seen = messages::maildir_seen_names(conn, &folder)?;
    let mut unseen = Vec::new();
    for entry in entries {
        // Cheapest first: a file taken in by an earlier sync is not even read.
        let name = read::unique_name(&entry.path);
        if seen.contains(&name) {
            summary.duplicates += 1;
        } else if let Some(why) = entry.not_a_file {
            summary.malformed.push((entry.path, why));
        } else {
            unseen.push(Listed { name, path: entry.path });
        }
    }
    // Oldest first, so an original is stored before the replies that thread onto it.
    let (ordered, refused) = read::in_time_order(unseen, now);
    summary.malformed.extend(refused);
    // A large sync writes in bulk: every reference it writes is to a row it has just found
    // or written (see `store::bulk`), a wave's new pages fit the larger cache, and the log
    // is folded beside it. A few new messages — the usual sync — need none of that.
    let bulk = if ordered.len() >= read::WAVE {
        Some((store::bulk::BulkConnection::set_up(conn, SYNC_CACHE_KIB)?, store::bulk::Checkpointer::start(conn)))
    } else {
        None
    };
    let stored = read::parse_in_order(ordered, now, |waves| store_all(conn, waves, &folder, now, &mut summary));
    let restored = bulk.map_or(Ok(()), |(connection, folding)| {
        if let Some(folding) = folding {
            folding.finish();
        }
        connection.restore(conn)
    });
    let workspace = conn.path().filter(|p| !p.is_empty()).unwrap_or("the workspace").to_string();
    // The sync's own error says more than a failure to put the settings back.
    stored.with_context(|| format!("{}: cannot store its mail in {workspace}", dir.display()))?;
    restored.with_context(|| format!("{workspace}: the mail is stored, but its settings could not be put back"))?;
    summary.malformed.sort();
    Ok(summary)
}

/// The page cache of a large sync's connection, in KiB: a batch writes a few MB of new
/// pages, which spilled from SQLite's default 2 MB cache into the log before their commit.
const SYNC_CACHE_KIB: i64 = 16 << 10;

/// What forgetting a customer leaves of their mail (see `store::erase`).
const ERASED: &str = "[erased]";

/// Longest a batch of messages holds the write lock: long enough that a first sync of tens
/// of thousands of messages is not a transaction per message (which was most of its time),
/// short enough that a rep's save waiting on the lock is never late.
const BATCH_TIME: Duration = Duration::from_millis(50);

/// Stores the files' messages, wave by wave, in batches of whole messages, each batch one
/// transaction that also remembers its files' names: a crash leaves whole messages, and the
/// next sync carries on where it stopped. A batch never waits for the next wave to be
/// parsed, so the write lock is only held while storing.
fn store_all(
    conn: &mut Connection,
    waves: &mut dyn Iterator<Item = Vec<Arrival>>,
    folder: &str,
    now: Timestamp,
    summary: &mut SyncSummary,
) -> Result<()> {
    let mut touched: std::collections::HashSet<Id> = summary.contacts.iter().copied().collect();
    for wave in waves {
        let mut pending = wave.into_iter().peekable();
        while pending.peek().is_some() {
            let started = std::time::Instant::now();
            store::write(conn, |tx| -> Result<()> {
                let mut names = Vec::new();
                while let Some(file) = pending.next_if(|_| names.is_empty() || started.elapsed() < BATCH_TIME) {
                    let taken_in = store_one(tx, file, now, summary, &mut touched)?;
                    names.extend(taken_in);
                }
                messages::remember_maildir_names(tx, folder, &names)?;
                Ok(())
            })?;
            // A rep's save waiting for the lock goes first.
            store::turns::make_way(conn);
        }
    }
    Ok(())
}

/// Stores one file's message inside the caller's transaction and counts it; returns the
/// file's unique name when it is taken in (stored, or stored before), `None` when it is
/// listed as malformed (and read again at the next sync).
fn store_one(
    tx: &Connection,
    file: Arrival,
    now: Timestamp,
    summary: &mut SyncSummary,
    touched: &mut std::collections::HashSet<Id>,
) -> Result<Option<String>> {
    match file.read {
        FileRead::Gone => Ok(None),
        FileRead::Refused(why) => {
            summary.malformed.push((file.path, why));
            Ok(None)
        }
        // Forgotten mail that no longer parses is still only a tombstone's file.
        FileRead::Unusable { id, .. } if messages::known(tx, &id)?.is_some_and(|k| k.body == ERASED) => {
            summary.duplicates += 1;
            Ok(Some(file.name))
        }
        // Listed again at every sync until it is fixed or removed.
        FileRead::Unusable { why, .. } => {
            summary.malformed.push((file.path, why));
            Ok(None)
        }
        // Known ids — a copy, a different message reusing the id, mail forgotten with its
        // customer (a tombstone, never stored again) — are told apart by `place`.
        FileRead::Parsed(m) => {
            let placed =
                place(tx, &m, now).with_context(|| format!("{}: cannot store the message", m.message.source))?;
            tally(summary, touched, &m, placed);
            Ok(Some(file.name))
        }
    }
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
            let stand_in = m.stand_in_id();
            if messages::is_known(tx, &stand_in)? {
                return Ok(None);
            }
            thread.notice = Some(format!(
                "This message reuses the Message-ID <{}> of a different message already stored on contact #{}: \
                 it was taken as a new contact.",
                message.message_id, k.contact_id
            ));
            message.message_id = stand_in;
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
        if contacts::customer_of(tx, contact)? == Some(customer) {
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
