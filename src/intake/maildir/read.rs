//! Reading a Maildir's files: which files it holds, the order they are stored in (oldest
//! first, so an original comes before the replies that thread onto it), and each file parsed
//! into a message to store.
//!
//! A first sync of a large Maildir reads in two passes, both on every core:
//!
//! 1. [`in_time_order`] reads each file's header section for its date and sorts the files;
//! 2. [`parse_in_order`] parses them whole, a wave of [`WAVE`] files (or [`WAVE_BYTES`]) at a time, on other
//!    threads while the caller stores the wave before.
//!
//! Reading the header sections first costs a second open of each file, but it lets storing
//! start at once instead of after every file is parsed, and it keeps no more than three
//! waves in memory however large the Maildir is (everything was held at once before).

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use mail_parser::{HeaderValue, MessageParser, MimeHeaders, PartType};

use super::super::address::{self, Sender, one_line};
use crate::domain::Timestamp;
use crate::domain::text::{mask_card_numbers, sanitize};
use crate::store::messages::{Direction, NewMessage};

/// Longest body kept for one message, in characters; the rest is cut with a note (a mail
/// client still has the whole message).
const MAX_BODY_CHARS: usize = 100_000;
/// The largest message file read: mail with big attachments is tens of MB; a file beyond
/// this is not mail a rep can answer, and reading it whole would hold it all in memory.
const MAX_MESSAGE_BYTES: u64 = 128 << 20;
/// How much of a file the first pass reads for its date. A header section is a few KiB;
/// in one longer than this the first pass may find an earlier Date than the last, or none
/// (then the file's time): only the storing order can differ, the message is stored with
/// the date the whole parse finds.
const HEADER_BYTES: u64 = 64 << 10;
/// Files parsed together while the wave before is stored: about what one storing
/// transaction takes in (see `BATCH_TIME`), so waves cost no extra commits.
pub(super) const WAVE: usize = 1024;
/// A wave also ends once its files hold this many bytes: each file is held whole while its
/// wave waits to be stored, and 1,024 mails of 4 MB took 4 GB (a file larger than this is a
/// wave of its own).
const WAVE_BYTES: u64 = 64 << 20;

/// A file of the Maildir not taken in before: its unique name and where it is.
pub(super) struct Listed {
    pub name: String,
    pub path: PathBuf,
}

/// An entry of `new/` or `cur/` as listed: anything but a folder or a dotfile.
pub(super) struct Entry {
    pub path: PathBuf,
    /// What it is when it is not a regular file (a FIFO, a device, a socket, a dangling
    /// link): it is listed as malformed without being opened — opening a device can do
    /// things (a terminal, a tape drive).
    pub not_a_file: Option<String>,
}

/// A file placed in time by its header section.
pub(super) struct Timed {
    name: String,
    path: PathBuf,
    /// Its size when dated, in bytes.
    size: u64,
    sent_at: Timestamp,
    source: String,
}

/// A message read from a file, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Incoming {
    pub message: NewMessage,
    pub sender: Sender,
    /// The valid To, then Cc, addresses.
    pub recipients: Vec<String>,
    pub cards: usize,
    /// The file's bytes, kept with the message (a wave's worth at a time) for
    /// [`Incoming::stand_in_id`].
    bytes: Vec<u8>,
}

impl Incoming {
    /// The id this message is stored under should its Message-ID turn out to be a
    /// different message's: the hash of its file's bytes, as for a message without a
    /// Message-ID. Hashed only then — that is rare, and hashing every file as it was read
    /// was a tenth of a first sync.
    pub fn stand_in_id(&self) -> String {
        hash_id(&self.bytes)
    }
}

/// Why a listed file was not read.
enum Unread {
    /// It is no longer there: moved (a mail client that marks a message seen renames it
    /// into `cur/`) or deleted since the listing. Not a fault of the file: under its new
    /// name it is read at the next sync, which the move itself starts in the workstation.
    Gone,
    /// Not a regular file, too large, or unreadable: why.
    Refused(String),
}

impl From<std::io::Error> for Unread {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::NotFound {
            Unread::Gone
        } else {
            Unread::Refused(format!("cannot read: {e}"))
        }
    }
}

/// One file as read.
pub(super) enum FileRead {
    /// Gone since the listing (see [`Unread::Gone`]): nothing to say, nothing remembered.
    Gone,
    /// Not read (not a file, too large, unreadable): why.
    Refused(String),
    /// Read, but not mail that can be stored: its Message-ID (a stand-in when it has none)
    /// and why.
    Unusable {
        id: String,
        why: String,
    },
    Parsed(Box<Incoming>),
}

/// A file of a wave, as read, in storing order.
pub(super) struct Arrival {
    pub name: String,
    pub path: PathBuf,
    pub read: FileRead,
}

/// The entries of `new/` and `cur/` other than folders and dotfiles, in name order.
/// Each entry's type comes with the listing, so only links cost a look at what they name.
pub(super) fn message_files(dir: &Path) -> anyhow::Result<Vec<Entry>> {
    use anyhow::{Context, bail};
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
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            // The listing says what most entries are; a link (or a file system that does
            // not say) is looked up through.
            let kind = match entry.file_type() {
                Ok(kind) if !kind.is_symlink() => Ok(kind),
                _ => std::fs::metadata(&path).map(|m| m.file_type()),
            };
            let not_a_file = match kind {
                Ok(kind) if kind.is_dir() => continue,
                Ok(kind) if kind.is_file() => None,
                Ok(kind) => Some(format!("{}; not read", crate::import::regular_file::not_a_file(kind))),
                Err(e) => Some(format!("cannot read: {e}")),
            };
            // Anything else that is not a file (a FIFO, a socket, a device, a dangling link)
            // is listed with the malformed files, not read and not passed over in silence.
            files.push(Entry { path, not_a_file });
        }
    }
    if !found {
        bail!("{}: not a Maildir (it has no new/ or cur/ folder)", dir.display());
    }
    files.sort_unstable_by(|a, b| a.path.as_os_str().cmp(b.path.as_os_str()));
    Ok(files)
}

/// A Maildir file's unique name: its file name without the `:2,FLAGS` (or `:1,…`) a mail
/// client adds and changes. Only that suffix is cut: `report:1` and `report:2` are two
/// files. A name that is not UTF-8 is kept byte for byte (see [`name_text`]), so two such
/// names never read as one — the second file was taken for the first and never read.
pub(super) fn unique_name(path: &Path) -> String {
    let name = name_text(path.file_name().unwrap_or_default());
    match name.rsplit_once(':') {
        Some((unique, info)) if info.starts_with("2,") || info.starts_with("1,") => unique.to_string(),
        _ => name,
    }
}

/// A file name as text: itself when it is UTF-8; otherwise `/` and its bytes, each one
/// outside printable ASCII (and `%`) as `%XX`. No file name holds a `/`, so no UTF-8 name
/// can read the same.
fn name_text(name: &std::ffi::OsStr) -> String {
    if let Some(text) = name.to_str() {
        return text.to_string();
    }
    #[cfg(unix)]
    {
        use std::fmt::Write;
        use std::os::unix::ffi::OsStrExt;
        let mut text = String::from("/");
        for &b in name.as_bytes() {
            if b.is_ascii_graphic() && b != b'%' {
                text.push(char::from(b));
            } else {
                // Writing to a String cannot fail.
                let _ = write!(text, "%{b:02X}");
            }
        }
        text
    }
    #[cfg(not(unix))]
    {
        name.to_string_lossy().into_owned()
    }
}

/// The files in the order they are stored: by date (from the header section; the file's
/// time when it has none), then path. Files that cannot be read are returned apart, with why.
pub(super) fn in_time_order(files: Vec<Listed>, now: Timestamp) -> (Vec<Timed>, Vec<(PathBuf, String)>) {
    let mut timed = Vec::with_capacity(files.len());
    let mut refused = Vec::new();
    for (file, time) in on_every_core(files, |file| {
        let time = time_of(&file.path, now);
        (file, time)
    }) {
        match time {
            Ok((sent_at, size)) => {
                let source = file.path.display().to_string();
                timed.push(Timed { name: file.name, path: file.path, size, sent_at, source });
            }
            Err(Unread::Gone) => {}
            Err(Unread::Refused(why)) => refused.push((file.path, why)),
        }
    }
    timed.sort_unstable_by(|a, b| a.sent_at.cmp(&b.sent_at).then_with(|| a.source.cmp(&b.source)));
    (timed, refused)
}

/// Parses the files, in the order given, a wave at a time on other threads, and hands the
/// waves in that order to `store`, which runs on this thread while the next wave is parsed.
/// At most three waves are in memory: the one stored, one parsed and waiting, one being
/// parsed.
pub(super) fn parse_in_order<R>(
    files: Vec<Timed>,
    now: Timestamp,
    store: impl FnOnce(&mut dyn Iterator<Item = Vec<Arrival>>) -> R,
) -> R {
    std::thread::scope(|scope| {
        let (waves, parsed) = std::sync::mpsc::sync_channel::<Vec<Arrival>>(1);
        let files = &files;
        scope.spawn(move || {
            crate::priority::run_in_background();
            for wave in waves_of(files) {
                let arrivals = on_every_core(wave.iter().collect(), |file: &Timed| Arrival {
                    name: file.name.clone(),
                    path: file.path.clone(),
                    read: read_file(&file.path, now),
                });
                // The storing side stopped (it failed): nothing more is wanted.
                if waves.send(arrivals).is_err() {
                    break;
                }
            }
        });
        // `parsed` is dropped when `store` returns, which stops the parsing thread early.
        store(&mut parsed.into_iter())
    })
}

/// The files cut into waves of at most [`WAVE`] files and [`WAVE_BYTES`] bytes (at least
/// one file each), in order.
fn waves_of(files: &[Timed]) -> Vec<&[Timed]> {
    let mut waves = Vec::new();
    let (mut start, mut bytes) = (0, 0u64);
    for (i, file) in files.iter().enumerate() {
        let full = i - start == WAVE || (i > start && bytes.saturating_add(file.size) > WAVE_BYTES);
        if full {
            waves.push(&files[start..i]);
            (start, bytes) = (i, 0);
        }
        bytes = bytes.saturating_add(file.size);
    }
    if start < files.len() {
        waves.push(&files[start..]);
    }
    waves
}

/// Runs `work` on every item on as many threads as the machine has cores (at most four),
/// and returns the results in the items' order.
fn on_every_core<T: Send, U: Send>(items: Vec<T>, work: impl Fn(T) -> U + Sync) -> Vec<U> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    if threads == 1 || items.len() < 2 {
        return items.into_iter().map(work).collect();
    }
    let per_thread = items.len().div_ceil(threads);
    let mut items = items.into_iter();
    let parts: Vec<Vec<T>> =
        std::iter::from_fn(|| Some(items.by_ref().take(per_thread).collect::<Vec<_>>()).filter(|p| !p.is_empty()))
            .collect();
    let work = &work;
    std::thread::scope(|scope| {
        let workers: Vec<_> = parts
            .into_iter()
            .map(|part| {
                scope.spawn(move || {
                    crate::priority::run_in_background();
                    part.into_iter().map(work).collect::<Vec<_>>()
                })
            })
            .collect();
        // A worker only panics on a bug; carry it on rather than lose files silently.
        workers.into_iter().flat_map(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    })
}

/// Opens a file that is a regular file of at most [`MAX_MESSAGE_BYTES`]; the error says why
/// not. Only entries listed as files get here; opened without waiting and checked once
/// open, a name swapped for a FIFO since the listing cannot block, nor one swapped for a
/// device be read for ever.
fn open_message(path: &Path) -> Result<(std::fs::File, std::fs::Metadata), Unread> {
    let file = crate::import::regular_file::open_without_waiting(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        let what = crate::import::regular_file::not_a_file(meta.file_type());
        return Err(Unread::Refused(format!("{what}; not read")));
    }
    if meta.len() > MAX_MESSAGE_BYTES {
        let limit = MAX_MESSAGE_BYTES >> 20;
        return Err(Unread::Refused(format!("larger than {limit} MB ({} bytes); not read", meta.len())));
    }
    Ok((file, meta))
}

/// At most `limit` bytes from the start of an open file of `size` bytes (as it was opened).
/// The buffer is sized first: grown from empty, it took a dozen reads per file, which made
/// reading twice as slow as `std::fs::read`.
fn read_start(file: std::fs::File, size: u64, limit: u64) -> Result<Vec<u8>, Unread> {
    use std::io::Read;
    // One more byte, so the read that finds the end needs no room of its own.
    let expected = usize::try_from(size.min(limit)).unwrap_or(0).saturating_add(1);
    let mut bytes = Vec::with_capacity(expected);
    file.take(limit).read_to_end(&mut bytes).map_err(|e| Unread::Refused(format!("cannot read: {e}")))?;
    Ok(bytes)
}

/// The whole of a message file and its modification time.
fn read_bounded(path: &Path) -> Result<(Vec<u8>, Option<SystemTime>), Unread> {
    let (file, meta) = open_message(path)?;
    Ok((read_start(file, meta.len(), MAX_MESSAGE_BYTES)?, meta.modified().ok()))
}

/// When a file's message was sent, from its header section, and the file's size.
fn time_of(path: &Path, now: Timestamp) -> Result<(Timestamp, u64), Unread> {
    let (file, meta) = open_message(path)?;
    let start = read_start(file, meta.len(), HEADER_BYTES)?;
    let date = header_date(&super::zones::with_numeric_zones(&start));
    Ok((sent_at(date.as_ref(), meta.modified().ok(), now), meta.len()))
}

/// The date in a message's header section: its last Date header (the one the whole parse
/// takes), read by the mail parser's own date parser, without parsing the other headers.
/// Header shapes the two could see differently (spaces inside a header name, a line of
/// blanks) only change where a message is stored in the order, never its date.
fn header_date(start: &[u8]) -> Option<mail_parser::DateTime> {
    let date = super::headers::fields(start).into_iter().rfind(|f| f.is("date"))?;
    mail_parser::parsers::MessageStream::new(&start[date.value.start..]).parse_date().as_datetime().cloned()
}

/// When a message was sent: its Date when valid, else the file's time, else now — never
/// later than now.
fn sent_at(date: Option<&mail_parser::DateTime>, modified: Option<SystemTime>, now: Timestamp) -> Timestamp {
    let file_time = || {
        let secs = modified?.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
        i64::try_from(secs).ok()
    };
    date.filter(|d| d.is_valid()).map(mail_parser::DateTime::to_timestamp).or_else(file_time).unwrap_or(now).min(now)
}

/// Reads one file, unless it is not a regular file, too large or unreadable, and parses it.
fn read_file(path: &Path, now: Timestamp) -> FileRead {
    let (bytes, modified) = match read_bounded(path) {
        Ok(read) => read,
        Err(Unread::Gone) => return FileRead::Gone,
        Err(Unread::Refused(why)) => return FileRead::Refused(why),
    };
    match read_message(path, &bytes, modified, now) {
        Ok(m) => FileRead::Parsed(Box::new(Incoming { bytes, ..m })),
        Err(why) => FileRead::Unusable { id: header_message_id(&bytes).unwrap_or_else(|| hash_id(&bytes)), why },
    }
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

/// Parses one file's bytes into a message to store, or says why they cannot be used.
fn read_message(path: &Path, bytes: &[u8], modified: Option<SystemTime>, now: Timestamp) -> Result<Incoming, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err("empty file".into());
    }
    let readable = super::zones::with_numeric_zones(bytes);
    let message = MessageParser::default().parse(readable.as_ref()).ok_or("not a mail message (no header section)")?;
    if message.headers().is_empty() {
        return Err("not a mail message (no header section)".into());
    }
    let sender = address::sender(&message).ok_or("no sender address (the From: header is missing)")?;
    let message_id = message.message_id().and_then(clean_id).unwrap_or_else(|| hash_id(bytes));
    let in_reply_to = text_list(message.in_reply_to()).into_iter().find_map(|id| clean_id(&id));
    let references: Vec<String> = text_list(message.references()).iter().filter_map(|id| clean_id(id)).collect();
    let sent_at = sent_at(message.date(), modified, now);
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
        cards: subject.cards + subject.codes + body.cards + body.codes,
        // Moved in by `read_file` once the parse no longer borrows them.
        bytes: Vec::new(),
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
            PartType::Html(h) => super::super::html::to_text(h),
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
        assert_eq!(read_message(p, b"", None, 0).map(|_| ()), Err("empty file".to_string()));
        let junk = read_message(p, b"\x00\x01\x02 just some bytes\n\nmore", None, 0).map(|_| ());
        assert!(junk.is_err(), "{junk:?}");
        let no_from = read_message(p, b"Subject: hi\n\nbody\n", None, 0).map(|_| ());
        assert_eq!(no_from, Err("no sender address (the From: header is missing)".to_string()));
    }

    #[test]
    fn a_wave_ends_at_its_count_or_its_bytes_and_holds_at_least_one_file() {
        let file =
            |size: u64| Timed { name: String::new(), path: PathBuf::new(), size, sent_at: 0, source: String::new() };
        let lens = |files: &[Timed]| waves_of(files).iter().map(|w| w.len()).collect::<Vec<_>>();
        let small: Vec<Timed> = (0..WAVE * 2 + 1).map(|_| file(4_000)).collect();
        assert_eq!(lens(&small), [WAVE, WAVE, 1]);
        let large: Vec<Timed> = (0..10).map(|_| file(WAVE_BYTES / 4)).collect();
        assert_eq!(lens(&large), [4, 4, 2]);
        let huge = [file(WAVE_BYTES * 2), file(1), file(WAVE_BYTES * 2)];
        assert_eq!(lens(&huge), [1, 1, 1]);
        assert!(waves_of(&[]).is_empty());
    }

    #[test]
    fn unique_names_lose_only_the_flags_and_never_merge_two_files() {
        assert_eq!(unique_name(Path::new("cur/1733.M1P2.host:2,RS")), "1733.M1P2.host");
        assert_eq!(unique_name(Path::new("cur/1733.M1P2.host,U=12:2,")), "1733.M1P2.host,U=12");
        assert_eq!(unique_name(Path::new("new/1733.M1P2.host")), "1733.M1P2.host");
        assert_ne!(unique_name(Path::new("cur/report:1")), unique_name(Path::new("cur/report:2")));
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let name = |bytes: &[u8]| unique_name(Path::new(std::ffi::OsStr::from_bytes(bytes)));
            assert_ne!(name(b"n\xff"), name(b"n\xfe"));
            assert_eq!(name(b"n\xff:2,S"), name(b"n\xff:2,"));
            assert_ne!(name(b"n\xff"), "n\u{fffd}");
            assert_eq!(name(b"n\xff"), "/n%FF");
        }
    }

    #[test]
    fn the_stand_in_of_a_message_is_the_hash_of_its_files_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("1");
        let bytes = b"From: a@example.com\nMessage-ID: <m@x>\n\nhello\n";
        std::fs::write(&path, bytes).unwrap();
        let FileRead::Parsed(m) = read_file(&path, 0) else { panic!("not parsed") };
        assert_eq!(m.stand_in_id(), hash_id(bytes));
        assert_eq!(m.message.message_id, "m@x");
    }

    #[test]
    fn the_first_pass_dates_a_file_as_the_whole_parse_does() {
        let dir = tempfile::tempdir().unwrap();
        let dated = dir.path().join("dated");
        std::fs::write(&dated, "From: a@example.com\nDate: Tue, 1 Dec 2026 10:00:00 +0000\n\nhi\n").unwrap();
        let undated = dir.path().join("undated");
        std::fs::write(&undated, "From: a@example.com\n\nhi\n").unwrap();
        let now = 1_900_000_000;
        for path in [&dated, &undated] {
            let FileRead::Parsed(m) = read_file(path, now) else { panic!("{} not parsed", path.display()) };
            assert_eq!(time_of(path, now).ok().map(|(at, _)| at), Some(m.message.sent_at), "{}", path.display());
        }
        assert_eq!(time_of(&dated, now).ok().map(|(at, _)| at), Some(1_796_119_200));
        // The header shapes the whole parse reads a date from: any case, folded, CRLF, the
        // last of two, a bad last one (no date), none, a Date only in the body.
        for header in [
            "From: a@b.c\nDATE: Tue, 1 Dec 2026 10:00:00 +0200\nSubject: x\n\nhi\n",
            "From: a@b.c\r\nDate: Tue, 1 Dec 2026\r\n 10:00:00 -0500\r\n\r\nhi\r\n",
            "Date: Mon, 30 Nov 2026 09:00:00 +0000\nFrom: a@b.c\nDate: Tue, 1 Dec 2026 11:00:00 +0000\n\nhi\n",
            "Date: Mon, 30 Nov 2026 09:00:00 +0000\nDate: not a date\nFrom: a@b.c\n\nhi\n",
            "From: a@b.c\nSubject: date: Mon, 30 Nov 2026 09:00:00 +0000\n\nDate: Mon, 30 Nov 2026 09:00:00 +0000\n",
        ] {
            let whole = MessageParser::new().parse(header.as_bytes()).and_then(|m| m.date().cloned());
            assert_eq!(header_date(header.as_bytes()), whole, "{header:?}");
        }
        assert!(header_date(b"From: a@b.c\nDATE: Tue, 1 Dec 2026 10:00:00 +0200\n\n").is_some());
        let fifo_like = dir.path().join("folder");
        std::fs::create_dir(&fifo_like).unwrap();
        assert!(matches!(time_of(&fifo_like, now), Err(Unread::Refused(why)) if why.contains("not read")));
        // A file moved or deleted since the listing is gone, not malformed.
        assert!(matches!(time_of(&dir.path().join("moved"), now), Err(Unread::Gone)));
        assert!(matches!(read_file(&dir.path().join("moved"), now), FileRead::Gone));
    }
}
