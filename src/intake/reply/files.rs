//! Replies written as files for something else to send: a Maildir outbox for email, and the
//! inbox's `outbox/` of JSON files for the system a contact came from. Either way a file is
//! written whole under `tmp/` (0600, synced) and renamed into place, so a reader never sees
//! half a reply.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result};

/// A file name no other writer uses: the time, the process and a counter, Maildir style
/// (`1800000000.M52P4321Q3.host`).
fn unique_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let elapsed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().replace(['/', ':', '.'], "_"))
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "frontline".into());
    format!(
        "{}.M{}P{}Q{}.{host}",
        elapsed.as_secs(),
        elapsed.subsec_micros(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Creates a folder (and its parents) readable by the user alone (0700) if missing.
fn private_dir(dir: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).with_context(|| format!("{}: cannot create the folder", dir.display()))
}

/// Writes `bytes` to `tmp/NAME` (0600, synced), then renames it to `target_dir/NAME`.
fn write_then_rename(tmp_dir: &Path, target_dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf> {
    private_dir(tmp_dir)?;
    private_dir(target_dir)?;
    let tmp = tmp_dir.join(name);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = options.open(&tmp).and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("{}: cannot write the reply", tmp.display()));
    }
    let target = target_dir.join(name);
    if let Err(e) = std::fs::rename(&tmp, &target) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e)
            .with_context(|| format!("{}: cannot move the reply into {}", tmp.display(), target_dir.display()));
    }
    Ok(target)
}

/// Writes a message into a Maildir the standard way: `tmp/`, then renamed into `new/`; the
/// folders (with `cur/`) are created 0700 if missing.
pub fn write_to_maildir(dir: &Path, bytes: &[u8]) -> Result<PathBuf> {
    private_dir(&dir.join("cur"))?;
    write_then_rename(&dir.join("tmp"), &dir.join("new"), &unique_name(), bytes)
}

/// Writes one reply as `outbox/reply-CONTACT-UNIQUE.json` (through `outbox/tmp/`), the
/// inbox's convention in reverse: whatever reads the outbox looks only at `*.json` files
/// directly in it.
pub fn write_to_outbox(outbox: &Path, contact: crate::domain::Id, json: &[u8]) -> Result<PathBuf> {
    let name = format!("reply-{contact}-{}.json", unique_name());
    write_then_rename(&outbox.join("tmp"), outbox, &name, json)
}
