//! What the inbox keeps after a pass, and erasing a customer from it.
//!
//! `done/` is a courtesy record of what was imported, not a second copy of the customer:
//! each file is rewritten with card numbers masked, readable by the user alone, and deleted
//! after `[intake] keep_done_days`. `rejected/` keeps files until someone fixes them, also
//! 0600 and masked. Forgetting a customer removes their records from both folders and the
//! outbox copies of replies to them ([`erase_customer_files`]).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::Result;
use serde_json::Value;

use crate::domain::IdentityKind;
use crate::domain::identity::normalize;
use crate::domain::text::mask_card_numbers;
use crate::store::erase::{Cleaned, Cleaning, Place, Traces};

/// `NAME.error`, the reason written beside a rejected file.
pub(super) fn error_file(file: &Path) -> PathBuf {
    let mut p = file.as_os_str().to_owned();
    p.push(".error");
    PathBuf::from(p)
}

/// Keeps an imported file in `done/` masked and private, or not at all when `keep` is zero
/// or it cannot be rewritten (holding nothing beats holding it raw).
pub(super) fn keep_done(file: &Path, original: &[u8], keep: Duration) {
    let masked = (!keep.is_zero()).then(|| masked_json(original)).flatten();
    let kept = masked.is_some_and(|text| replace_private(file, text.as_bytes()).is_ok());
    if !kept {
        let _ = fs::remove_file(file);
    }
}

/// Deletes what `done/` has kept longer than `keep`; returns how many files went. Only the
/// `.json` files it keeps there: anything else was put there by someone else.
pub(super) fn expire_done(dir: &Path, keep: Duration, now: SystemTime) -> usize {
    let Ok(entries) = fs::read_dir(dir.join("done")) else { return 0 };
    let mut expired = 0;
    for entry in entries.filter_map(Result::ok) {
        // Not followed: a link in done/ is not a file kept there.
        let Ok(meta) = entry.metadata() else { continue };
        let kept = meta.is_file() && entry.path().extension().is_some_and(|e| e == "json");
        let old = meta.modified().ok().and_then(|t| now.duration_since(t).ok()).is_some_and(|age| age >= keep);
        if kept && old && fs::remove_file(entry.path()).is_ok() {
            expired += 1;
        }
    }
    expired
}

/// Makes a rejected file private and, when it is text, masks the card numbers in it (a fix
/// never needs them). Best effort: the file may be unreadable, which is why it is here.
pub(super) fn protect_rejected(file: &Path) {
    // A link set aside stays a link: changing it would change the file it points at.
    if !fs::symlink_metadata(file).is_ok_and(|m| m.is_file()) {
        return;
    }
    let _ = crate::store::open::set_mode(file, 0o600);
    let Ok(bytes) = fs::read(file) else { return };
    if let Ok(text) = std::str::from_utf8(&bytes) {
        let masked = mask_card_numbers(text);
        if masked.cards + masked.codes > 0 {
            let _ = replace_private(file, masked.text.as_bytes());
        }
        return;
    }
    // Not UTF-8 (often why it was rejected): read as Latin-1, where every byte is one
    // character, so masking (digits become `*`) changes only the card's digits and every
    // other byte is written back as it was.
    let latin1: String = bytes.iter().map(|&b| char::from(b)).collect();
    let masked = mask_card_numbers(&latin1);
    if masked.cards + masked.codes > 0 {
        let back: Vec<u8> = masked.text.chars().map(|c| u8::try_from(u32::from(c)).unwrap_or(b'*')).collect();
        let _ = replace_private(file, &back);
    }
}

/// The JSON of an imported file with every string's card numbers masked, pretty-printed.
fn masked_json(bytes: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).ok()?;
    let mut value: Value = serde_json::from_str(text).ok()?;
    mask_strings(&mut value);
    serde_json::to_string_pretty(&value).ok().map(|t| t + "\n")
}

fn mask_strings(value: &mut Value) {
    match value {
        Value::String(s) => *s = mask_card_numbers(s).text,
        Value::Array(items) => items.iter_mut().for_each(mask_strings),
        Value::Object(map) => map.values_mut().for_each(mask_strings),
        _ => {}
    }
}

/// Replaces a file's content atomically (a private temporary beside it, then a rename), so
/// a crash never leaves half of it; the result is 0600.
fn replace_private(file: &Path, bytes: &[u8]) -> Result<()> {
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = file.with_file_name(format!(".{name}.partial"));
    super::write_private(&temporary, bytes)?;
    fs::rename(&temporary, file).inspect_err(|_| {
        let _ = fs::remove_file(&temporary);
    })?;
    Ok(())
}

// ---------------------------------------------------------------- erasure

/// Removes a customer from the files Frontline wrote outside the database: the records in
/// `inbox/done/` and `inbox/rejected/` that name one of their identities (a file holding
/// only theirs is deleted with its `.error`; a batch holding others too is rewritten
/// without theirs; a broken file that names them is deleted), and the outbox copies of
/// replies to them. Call it with the [`Traces`] read before the database erasure. Returns
/// every file it cleaned; an error names the file it could not clean.
pub fn erase_customer_files(inbox: &Path, traces: &Traces) -> Result<Vec<Cleaned>> {
    let matcher = Matcher::new(traces);
    let mut cleaned = Vec::new();
    for sub in ["done", "rejected"] {
        let Ok(entries) = fs::read_dir(inbox.join(sub)) else { continue };
        let mut files: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        files.sort();
        // Not through links: a link set aside in rejected/ points at a file that is not ours.
        let own_file = |f: &&PathBuf| fs::symlink_metadata(f).is_ok_and(|m| m.is_file());
        for file in files.iter().filter(own_file).filter(|f| f.extension().is_none_or(|e| e != "error")) {
            cleaned.extend(scrub_file(file, &matcher)?);
        }
    }
    for file in &traces.reply_files {
        cleaned.extend(remove_reply(file)?);
    }
    // Replies to their inbox contacts: one JSON file each in outbox/ beside the inbox.
    let outbox = crate::intake::reply::outbox_beside(inbox);
    if let Ok(entries) = fs::read_dir(&outbox) {
        let theirs = |name: &str| {
            traces.contacts.iter().any(|c| name.starts_with(&format!("reply-{c}-")) && name.ends_with(".json"))
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(theirs))
            .collect();
        files.sort();
        for file in files {
            cleaned.extend(remove_reply(&file)?);
        }
    }
    Ok(cleaned)
}

/// Cleans one kept inbox file of the customer's records.
fn scrub_file(file: &Path, matcher: &Matcher) -> Result<Option<Cleaned>> {
    let deleted =
        |count| Cleaned { place: Place::File, name: file.display().to_string(), action: Cleaning::Deleted, count };
    let bytes = match fs::read(file) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => anyhow::bail!("{}: cannot read it to erase the customer: {e}", file.display()),
    };
    let text = String::from_utf8_lossy(&bytes);
    if !matcher.mentions(&text) {
        return Ok(None);
    }
    let parsed: Option<Value> = serde_json::from_str(text.trim_start_matches('\u{feff}')).ok();
    let Some(Value::Array(records)) = parsed else {
        remove_with_reason(file)?;
        return Ok(Some(deleted(1)));
    };
    let (theirs, others): (Vec<Value>, Vec<Value>) =
        records.into_iter().partition(|r| matcher.mentions(&r.to_string()));
    if others.is_empty() {
        remove_with_reason(file)?;
        return Ok(Some(deleted(theirs.len())));
    }
    let mut rest = Value::Array(others);
    mask_strings(&mut rest);
    let text = serde_json::to_string_pretty(&rest)? + "\n";
    replace_private(file, text.as_bytes())?;
    Ok(Some(Cleaned {
        place: Place::File,
        name: file.display().to_string(),
        action: Cleaning::Rewritten,
        count: theirs.len(),
    }))
}

fn remove_with_reason(file: &Path) -> Result<()> {
    fs::remove_file(file).map_err(|e| anyhow::anyhow!("{}: cannot delete it: {e}", file.display()))?;
    let _ = fs::remove_file(error_file(file));
    Ok(())
}

/// Deletes the outbox copy of a reply: where it was written (`new/NAME`) or where a mail
/// client moved it after sending (`cur/NAME:2,…`).
fn remove_reply(file: &Path) -> Result<Option<Cleaned>> {
    let mut found = vec![file.to_path_buf()];
    if let (Some(name), Some(new)) = (file.file_name().and_then(|n| n.to_str()), file.parent()) {
        let cur = new.with_file_name("cur");
        if let Ok(entries) = fs::read_dir(&cur) {
            found.extend(
                entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| {
                    p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.split(':').next() == Some(name))
                }),
            );
        }
    }
    let mut removed = None;
    for path in found.iter().filter(|p| p.is_file()) {
        fs::remove_file(path).map_err(|e| anyhow::anyhow!("{}: cannot delete it: {e}", path.display()))?;
        removed =
            Some(Cleaned { place: Place::File, name: path.display().to_string(), action: Cleaning::Deleted, count: 1 });
    }
    Ok(removed)
}

/// Finds a customer's identities (and full name) in free text, however a phone number is
/// written.
struct Matcher {
    /// Emails, handles and the name, lower-cased.
    words: Vec<String>,
    /// Phone numbers, normalised.
    phones: Vec<String>,
}

impl Matcher {
    fn new(traces: &Traces) -> Self {
        let mut words = Vec::new();
        let mut phones = Vec::new();
        for (kind, value) in &traces.identities {
            match kind {
                IdentityKind::Phone if value.len() >= 7 => phones.push(value.clone()),
                IdentityKind::Phone => {}
                IdentityKind::Email => words.push(value.to_lowercase()),
                IdentityKind::Handle => words.push(format!("@{}", value.to_lowercase())),
            }
        }
        // A full name ("Dana Whitlock") is specific enough; a single word is not.
        let name = traces.name.trim().to_lowercase();
        if name.split_whitespace().count() >= 2 {
            words.push(name);
        }
        Self { words, phones }
    }

    fn mentions(&self, text: &str) -> bool {
        let lower = text.to_lowercase();
        self.words.iter().any(|w| contains_word(&lower, w))
            || (!self.phones.is_empty()
                && phone_runs(text).any(|run| self.phones.iter().any(|p| run.contains(p.as_str()))))
    }
}

/// Whether `word` occurs in `text` not glued to more of a name or address on either side
/// (`ana@x.example` is not in `diana@x.example`; a full stop after it ends a sentence).
fn contains_word(text: &str, word: &str) -> bool {
    let glued_before = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || "_.-+".contains(c));
    let glued_after = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || "_-".contains(c));
    text.match_indices(word).any(|(at, _)| {
        !glued_before(text[..at].chars().next_back()) && !glued_after(text[at + word.len()..].chars().next())
    })
}

/// Every run of digits in `text` that may be one phone number (digits with single spaces,
/// dots, dashes, slashes or brackets between them), normalised like a stored phone.
fn phone_runs(text: &str) -> impl Iterator<Item = String> + '_ {
    let mut runs = Vec::new();
    let mut current = String::new();
    let mut gap = 0;
    for c in text.chars() {
        if c.is_ascii_digit() || c == '+' && current.is_empty() {
            current.push(c);
            gap = 0;
        } else if !current.is_empty() && " .-/()".contains(c) && gap < 2 {
            current.push(c);
            gap += 1;
        } else if !current.is_empty() {
            runs.push(std::mem::take(&mut current));
            gap = 0;
        }
    }
    runs.push(current);
    runs.into_iter().map(|r| normalize(IdentityKind::Phone, &r)).filter(|r| r.len() >= 7)
}
