//! A live inbox for other systems: a folder where a phone system's caller-ID hook, a helpdesk
//! sync script or a chat bridge drops one JSON file per contact, with the same fields as
//! `frontline import contacts` (and the same checks).
//!
//! The convention is Maildir's: write the file under another name — in the inbox's `tmp/`
//! folder, or as a dotfile (`.call-123.json`) — and rename it to `NAME.json` in the inbox
//! when complete; a rename is atomic, so Frontline never sees half a file. Frontline looks
//! only at `*.json` files directly in the inbox, never at dotfiles or sub-folders.
//!
//! Each file is imported in its own transaction and then moved to `done/`; a file that
//! cannot be imported moves to `rejected/` beside a `NAME.error` file with the one-line
//! reason (naming the field at fault). A file that is not valid JSON *and* was modified
//! less than [`SETTLE`] ago is taken for one still being written in place (a writer that
//! ignores the convention) and left for the next pass.
//!
//! The move to `done/` happens inside the import's write transaction, so two Frontline
//! instances watching the same inbox never import a file twice (the second waits for the
//! lock, then finds the file gone); if the commit fails the file is moved back.
//!
//! Hostile or broken files never stop a pass: a file that cannot be read (its permissions,
//! not a regular file, over [`MAX_FILE_BYTES`]) goes to `rejected/` with the reason, and
//! the files after it are imported; a name that is not UTF-8 is renamed once (stray bytes
//! spelled `%E9`) and imported, so it is reported once and never ignored. What `done/` and
//! `rejected/` keep is masked and private (see `kept`).

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};
use rusqlite::Connection;
use serde::Serialize;
use serde_json::Value;

use super::watch::Spec;
pub use super::watch::Watcher;
pub use kept::erase_customer_files;

mod kept;
use crate::domain::{Id, Timestamp};
use crate::import::records::{self, CheckedContact};
use crate::import::{Origin, RecordError};
use crate::store;

/// How recently a file must have changed for a parse failure to count as "still being
/// written" rather than "broken".
pub const SETTLE: Duration = Duration::from_secs(2);

/// The largest inbox file read: a contact or a batch of them is far smaller; anything
/// bigger is set aside instead of being read into memory.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// How many days `done/` keeps an imported file unless `[intake] keep_done_days` says.
pub const DEFAULT_KEEP_DONE_DAYS: u32 = 7;

/// How a pass treats what it keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InboxOptions {
    /// How long an imported file stays in `done/` (masked, 0600) before it is deleted;
    /// zero keeps none.
    pub keep_done: Duration,
}

impl Default for InboxOptions {
    fn default() -> Self {
        Self::keeping_done_days(DEFAULT_KEEP_DONE_DAYS)
    }
}

impl InboxOptions {
    /// Options keeping imported files `days` days.
    pub fn keeping_done_days(days: u32) -> Self {
        Self { keep_done: Duration::from_secs(u64::from(days) * 24 * 3600) }
    }
}

/// What one pass over the inbox did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct InboxSummary {
    /// The inbox folder.
    pub folder: PathBuf,
    /// Files imported (now in `done/`), with the contacts they created.
    pub imported: Vec<Imported>,
    /// Files moved to `rejected/`, with why (unreadable ones too).
    pub rejected: Vec<Rejected>,
    /// Files that look half-written, left for the next pass: call again after [`SETTLE`].
    pub pending: Vec<PathBuf>,
    /// Files whose name was not UTF-8, renamed in place (reported once: the new name is).
    pub renamed: Vec<Renamed>,
    /// Files that could not even be moved aside (left where they are, reported each pass).
    pub skipped: Vec<Rejected>,
    /// Imported files deleted from `done/` because they were older than `keep_done`.
    pub expired: usize,
    pub customers_created: usize,
    pub cards_masked: usize,
    /// Unknown fields, named by file.
    pub warnings: Vec<String>,
}

/// One imported file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Imported {
    /// Where the file is now (in `done/`, with card numbers masked; gone when nothing is kept).
    pub file: PathBuf,
    pub contacts: Vec<Id>,
}

/// One rejected file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejected {
    /// Where the file is now (in `rejected/`); `NAME.error` beside it says why.
    pub file: PathBuf,
    pub error: String,
}

/// A file whose name was not UTF-8, and the name it was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Renamed {
    /// The old name, its stray bytes written `\xE9`.
    pub from: String,
    /// The file's new path, its stray bytes written `%E9`.
    pub to: PathBuf,
}

/// The default inbox: `inbox/` beside the workspace file (for the default workspace, the
/// data dir's `inbox/`).
pub fn default_dir(workspace: &Path) -> PathBuf {
    // Beside the real file, so a workspace opened through a link and through its real path
    // has one inbox.
    let workspace = crate::paths::real_path(workspace);
    workspace.parent().unwrap_or_else(|| Path::new(".")).join("inbox")
}

/// Creates the inbox (and its `tmp/`) readable by the user alone if it does not exist yet,
/// and refuses one whose `tmp/`, `done/` or `rejected/` is not a folder of its own.
pub fn ensure_dir(dir: &Path) -> Result<()> {
    create_private_dir(dir)?;
    for sub in ["tmp", "done", "rejected"] {
        own_folder(&dir.join(sub))?;
    }
    create_private_dir(&dir.join("tmp"))
}

/// Refuses a link (or a file) where the inbox keeps files: whoever may drop files into the
/// inbox could point `done/` at any folder, and the pass that expires old kept files, or an
/// erasure that scrubs them, would delete or rewrite that folder's files.
fn own_folder(path: &Path) -> Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => anyhow::bail!(
            "{}: is a link to another folder; the inbox keeps files only in a folder of its own \
             (remove the link and Frontline makes the folder)",
            path.display()
        ),
        Ok(meta) if !meta.is_dir() => anyhow::bail!("{}: is not a folder (remove it)", path.display()),
        _ => Ok(()),
    }
}

/// [`process_inbox_with`] with the default [`InboxOptions`].
pub fn process_inbox(conn: &mut Connection, dir: &Path, now: Timestamp) -> Result<InboxSummary> {
    process_inbox_with(conn, dir, now, InboxOptions::default())
}

/// Picks up every `*.json` file in the inbox (see the module documentation), after deleting
/// what `done/` has kept longer than `options.keep_done`. Errors only when the folder cannot
/// be read or written, or the database fails — never for a bad file: one that cannot be
/// read is moved to `rejected/` with the reason, and the files after it are still imported.
pub fn process_inbox_with(
    conn: &mut Connection,
    dir: &Path,
    now: Timestamp,
    options: InboxOptions,
) -> Result<InboxSummary> {
    ensure_dir(dir)?;
    let mut summary = InboxSummary { folder: dir.to_path_buf(), ..InboxSummary::default() };
    summary.expired = kept::expire_done(dir, options.keep_done, SystemTime::now());
    for listed in candidates(dir)? {
        let path = match utf8_name(dir, &listed) {
            Ok(Some((path, renamed))) => {
                summary.renamed.extend(renamed);
                path
            }
            // Taken by another pass (a second instance) since the listing.
            Ok(None) => continue,
            Err(why) => {
                summary.skipped.push(Rejected { file: listed, error: why });
                continue;
            }
        };
        take_file(conn, dir, &path, now, options, &mut summary)?;
    }
    Ok(summary)
}

/// Imports one file, or sets it aside with the reason; the summary says which.
fn take_file(
    conn: &mut Connection,
    dir: &Path,
    path: &Path,
    now: Timestamp,
    options: InboxOptions,
    summary: &mut InboxSummary,
) -> Result<()> {
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        // Not followed: whoever may drop files here could link to any file of the user's,
        // which setting it aside would then make private and rewrite.
        let why = format!("{}: is a link; the inbox takes files, not links to them", path.display());
        set_aside(dir, path, &why, summary);
        return Ok(());
    }
    let bytes = match read_limited(path) {
        Ok(Some(b)) => b,
        Ok(None) => return Ok(()),
        Err(why) => {
            set_aside(dir, path, &why, summary);
            return Ok(());
        }
    };
    let rows = match parse(path, &bytes) {
        Ok(rows) => rows,
        Err(_) if recently_modified(path) => {
            summary.pending.push(path.to_path_buf());
            return Ok(());
        }
        Err(why) => {
            set_aside(dir, path, &why, summary);
            return Ok(());
        }
    };
    let mut warnings = Vec::new();
    let checked: Result<Vec<Arrived>, RecordError> = rows
        .into_iter()
        .map(|(origin, mut map)| {
            // The other system's conversation id: replies go back addressed with it.
            let external_id = map.remove("external_id").and_then(|v| external_id(&v));
            let opts = records::Options { shift_seconds: 0, now };
            let contact = records::check_contact_row(path, &origin, map, opts, &mut warnings)?;
            Ok(Arrived { contact, external_id })
        })
        .collect();
    let checked = match checked {
        Ok(c) => c,
        Err(e) => {
            set_aside(dir, path, &record_error_line(&e, single_object(&bytes)), summary);
            return Ok(());
        }
    };
    let Some((file, inserted)) = import_and_move(conn, dir, path, &checked, now)? else { return Ok(()) };
    kept::keep_done(&file, &bytes, options.keep_done);
    summary.customers_created += inserted.iter().filter(|i| i.customer_created).count();
    summary.cards_masked += inserted.iter().map(|i| i.cards_masked).sum::<usize>();
    summary.warnings.extend(warnings);
    summary.imported.push(Imported { file, contacts: inserted.iter().map(|i| i.id).collect() });
    Ok(())
}

/// A contact read from an inbox file, with the other system's conversation id if it gave one.
struct Arrived {
    contact: CheckedContact,
    external_id: Option<String>,
}

/// The longest conversation id kept.
const MAX_EXTERNAL_ID: usize = 200;

/// An `external_id` as the other system wrote it (a string or a number), cleaned and capped.
fn external_id(value: &serde_json::Value) -> Option<String> {
    let raw = match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let clean: String = crate::domain::text::for_display(raw.trim()).chars().take(MAX_EXTERNAL_ID).collect();
    Some(clean).filter(|s| !s.is_empty())
}

/// Writes the contacts and moves the file to `done/` in one transaction: a second Frontline
/// taking the same inbox waits for the lock, then finds the file gone (`None`).
fn import_and_move(
    conn: &mut Connection,
    dir: &Path,
    path: &Path,
    checked: &[Arrived],
    now: Timestamp,
) -> Result<Option<(PathBuf, Vec<records::InsertedContact>)>> {
    let mut moved: Option<PathBuf> = None;
    let written = store::write(conn, |tx| -> Result<Option<Vec<records::InsertedContact>>> {
        if !path.exists() {
            return Ok(None);
        }
        let mut inserted = Vec::with_capacity(checked.len());
        let mut known = records::KnownCustomers::default();
        for a in checked {
            // A contact already stored (the same file dropped again) is not stored twice.
            let Some(contact) = records::insert_checked_contact(tx, &a.contact, now, &mut known)? else { continue };
            // Remember where it came from, so a reply goes back the same way.
            store::origins::record_inbox(tx, contact.id, a.external_id.as_deref(), a.contact.customer_key())?;
            inserted.push(contact);
        }
        moved = Some(move_into(dir, "done", path)?);
        Ok(Some(inserted))
    });
    match written {
        Ok(Some(inserted)) => Ok(moved.map(|file| (file, inserted))),
        Ok(None) => Ok(None),
        Err(e) => {
            // Not imported after all (the commit failed): put the file back for next time.
            if let Some(done) = &moved {
                let _ = std::fs::rename(done, path);
            }
            Err(e.context(format!("{}: cannot import", path.display())))
        }
    }
}

/// Moves a file that cannot be imported to `rejected/`; one that cannot even be moved is
/// listed as skipped.
fn set_aside(dir: &Path, path: &Path, why: &str, summary: &mut InboxSummary) {
    match reject(dir, path, why) {
        Ok(Some(rejected)) => summary.rejected.push(rejected),
        Ok(None) => {}
        Err(e) => summary.skipped.push(Rejected { file: path.to_path_buf(), error: format!("{why} ({e:#})") }),
    }
}

/// Reads an inbox file: `Ok(None)` if it is gone (another pass took it), `Err` with a
/// one-line reason if it cannot be read, is not a regular file or is over [`MAX_FILE_BYTES`].
fn read_limited(path: &Path) -> Result<Option<Vec<u8>>, String> {
    use std::io::Read;
    let name = path.display();
    // Opened without waiting (a FIFO swapped in after the listing must not block the open)
    // and without following a link swapped in after the check.
    let mut file = match crate::import::regular_file::open_without_waiting_or_following(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{name}: cannot read: {e}")),
    };
    // Checked on the open file: a name swapped for a FIFO or a device after the listing
    // is refused, not read forever.
    let meta = file.metadata().map_err(|e| format!("{name}: cannot read: {e}"))?;
    if !meta.is_file() {
        return Err(format!("{name}: not a regular file"));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!("{name}: {} bytes, over the inbox limit of {MAX_FILE_BYTES}", meta.len()));
    }
    let mut bytes = Vec::new();
    (&mut file).take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| format!("{name}: cannot read: {e}"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!("{name}: grew past the inbox limit of {MAX_FILE_BYTES} bytes while being read"));
    }
    Ok(Some(bytes))
}

/// The `*.json` files directly in the inbox, oldest name first; dotfiles and folders
/// (`tmp/`, `done/`, `rejected/`) are not looked at.
fn candidates(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("{}: cannot read the inbox", dir.display()))? {
        let entry = entry.with_context(|| format!("{}: cannot read the inbox", dir.display()))?;
        // Anything but a folder: a link, a FIFO or a device named `*.json` is set aside with
        // the reason rather than left in the inbox, unmentioned, for ever.
        if is_candidate(&entry.path()) && entry.file_type().is_ok_and(|t| !t.is_dir()) {
            files.push(entry.path());
        }
    }
    files.sort();
    Ok(files)
}

/// Whether a path names an inbox file to pick up (by its name: `NAME.json`, not a dotfile),
/// whether or not the name is valid UTF-8.
pub fn is_candidate(path: &Path) -> bool {
    let Some(name) = path.file_name().map(std::ffi::OsStr::as_encoded_bytes) else { return false };
    !name.starts_with(b".") && name.len() > b".json".len() && name.to_ascii_lowercase().ends_with(b".json")
}

/// The file under a UTF-8 name: a name that is not (written on a system with another
/// encoding) is renamed once, its stray bytes spelled `%E9`, so the file is imported and
/// its new name reported once. `Ok(None)`: another pass took the file first.
fn utf8_name(dir: &Path, path: &Path) -> Result<Option<(PathBuf, Option<Renamed>)>, String> {
    let Some(name) = path.file_name() else { return Ok(Some((path.to_path_buf(), None))) };
    if name.to_str().is_some() {
        return Ok(Some((path.to_path_buf(), None)));
    }
    let raw = name.as_encoded_bytes();
    let from = crate::paths::spell_bytes(raw, "\\x");
    let to = unused_name(dir, &crate::paths::spell_bytes(raw, "%"));
    match std::fs::rename(path, &to) {
        Ok(()) => Ok(Some((to.clone(), Some(Renamed { from, to })))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: the name is not UTF-8 and cannot be changed: {e}", dir.join(&from).display())),
    }
}

/// The records of one file: a JSON object (one contact) or an array of them (imported
/// together, all or nothing).
fn parse(path: &Path, bytes: &[u8]) -> Result<Vec<records::Row>, String> {
    let name = path.display();
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
        .map_err(|_| format!("{name}: not UTF-8 text"))?;
    if text.trim().is_empty() {
        return Err(format!("{name}: empty file"));
    }
    let value: Value =
        serde_json::from_str(text).map_err(|e| format!("{name}: line {}: invalid JSON: {e}", e.line()))?;
    match value {
        Value::Object(map) => Ok(vec![(Origin::Index(0), map)]),
        Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::Object(map) => Ok((Origin::Index(i), map)),
                _ => Err(format!("{name}: [{i}]: expected an object")),
            })
            .collect(),
        _ => Err(format!("{name}: expected a JSON object (one contact) or an array of them")),
    }
}

fn single_object(bytes: &[u8]) -> bool {
    bytes.iter().find(|b| !b.is_ascii_whitespace() && !matches!(b, 0xEF | 0xBB | 0xBF)) == Some(&b'{')
}

/// A record error on one line; for a file holding one object the `[0]` is left out.
fn record_error_line(e: &RecordError, single: bool) -> String {
    if !single {
        return e.to_string();
    }
    let mut line = e.file.display().to_string();
    if let Some(field) = &e.field {
        line.push_str(&format!(": field `{field}`"));
    }
    format!("{line}: {}", e.message)
}

fn recently_modified(path: &Path) -> bool {
    std::fs::metadata(path).and_then(|m| m.modified()).is_ok_and(|t| match SystemTime::now().duration_since(t) {
        Ok(age) => age < SETTLE,
        // Dated ahead of the clock by more than a moment is no sign of a writer at work:
        // a broken file dated next year was "still being written" at every pass.
        Err(ahead) => ahead.duration() < SETTLE,
    })
}

/// Moves a file to `rejected/` (0600, card numbers masked) and writes `NAME.error` beside
/// it; `None` if another pass took the file first.
fn reject(dir: &Path, path: &Path, why: &str) -> Result<Option<Rejected>> {
    if std::fs::symlink_metadata(path).is_err() {
        return Ok(None);
    }
    let file = move_into(dir, "rejected", path)?;
    kept::protect_rejected(&file);
    let why = crate::domain::text::mask_card_numbers(why).text;
    write_private(&kept::error_file(&file), format!("{why}\n").as_bytes())?;
    Ok(Some(Rejected { file, error: why }))
}

/// Moves `path` into `dir/sub/` (created 0700), under a new name if that one is taken.
fn move_into(dir: &Path, sub: &str, path: &Path) -> Result<PathBuf> {
    let target_dir = dir.join(sub);
    create_private_dir(&target_dir)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "file.json".into());
    let target = unused_name(&target_dir, &name);
    std::fs::rename(path, &target)
        .with_context(|| format!("{}: cannot move to {}", path.display(), target_dir.display()))?;
    Ok(target)
}

/// `dir/name`, or `dir/stem-1.ext`, `-2`… if that name (or its `.error`) is taken.
fn unused_name(dir: &Path, name: &str) -> PathBuf {
    let (stem, ext) = name.rsplit_once('.').map_or((name, String::new()), |(s, e)| (s, format!(".{e}")));
    let mut target = dir.join(name);
    let mut n = 1;
    while target.exists() || kept::error_file(&target).exists() {
        target = dir.join(format!("{stem}-{n}{ext}"));
        n += 1;
    }
    target
}

/// Creates a folder readable by the user alone (0700); an existing one is left as it is.
pub fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).with_context(|| format!("{}: cannot create the folder", dir.display()))
}

/// Writes a new file readable by the user alone (0600).
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).with_context(|| format!("{}: cannot create", path.display()))?;
    file.write_all(bytes).and_then(|()| file.sync_all()).with_context(|| format!("{}: cannot write", path.display()))
}

// ---------------------------------------------------------------- watching

/// How often the fallback poller looks at the inbox.
const POLL: Duration = Duration::from_secs(1);

/// Watches an inbox (created if missing) and calls `on_change` — from a background thread —
/// soon after a `*.json` file appears in it (renamed in, or written and closed), so the
/// caller can run [`process_inbox`] on its database worker. Uses file-system notifications;
/// if they cannot be set up (no inotify watches left, an unsupported file system) the folder
/// is polled every second instead. Also calls `on_change` once at start (for files that
/// arrived while nothing was watching) and every [`SETTLE`] while `*.json` files wait in
/// the folder (a file left as half-written is retried). Keep the returned [`Watcher`] alive.
pub fn watch(dir: &Path, on_change: impl Fn() + Send + 'static) -> Result<Watcher> {
    watch_with(dir, false, on_change)
}

/// [`watch`] without file-system notifications: polls every second. For file systems where
/// notifications do not arrive (network mounts) and for tests of the fallback.
pub fn watch_polling(dir: &Path, on_change: impl Fn() + Send + 'static) -> Result<Watcher> {
    watch_with(dir, true, on_change)
}

fn watch_with(dir: &Path, force_polling: bool, on_change: impl Fn() + Send + 'static) -> Result<Watcher> {
    ensure_dir(dir)?;
    let folder = dir.to_path_buf();
    let spec = Spec {
        name: "inbox",
        dirs: vec![dir.to_path_buf()],
        relevant: is_candidate,
        rescan: if force_polling { POLL } else { SETTLE },
        probe: Box::new(move || waiting_files(&folder)),
    };
    super::watch::start(spec, force_polling, on_change)
}

/// Whether any `*.json` file waits in the folder.
fn waiting_files(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.filter_map(Result::ok).any(|e| is_candidate(&e.path()) && e.file_type().is_ok_and(|t| t.is_file()))
    })
}
