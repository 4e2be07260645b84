//! `frontline db backup FILE`: a consistent copy of the workspace while it is in use.
//!
//! SQLite's online backup API copies every page inside one read transaction, so the copy
//! is the database as of one commit even while the workstation (or another instance) keeps
//! writing: in WAL mode the reader never blocks the writers, nor they it. The copy is
//! written to a private temporary file beside the target, checked, flushed to disk and
//! only then renamed into place, so an interrupted backup never leaves a half copy under
//! the name the rep asked for.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use super::open::{OpenError, open_workspace};

/// How many 20 ms waits a busy source gets (5 seconds, like `busy_timeout`).
const BUSY_WAITS: u32 = 250;

/// What a backup wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub file: PathBuf,
    pub bytes: u64,
    pub pages: i32,
}

/// Copies the workspace at `source` to `target` (mode 0600). An existing `target` is
/// refused unless `force`; the source itself is always refused as a target.
pub fn backup(source: &Path, target: &Path, force: bool) -> Result<Summary> {
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.is_dir()
    {
        bail!(OpenError::MissingDirectory(dir.to_path_buf()));
    }
    if target.exists() {
        if same_file(source, target) {
            bail!("{}: is the workspace itself; pick another file for the backup", target.display());
        }
        if !force {
            bail!("{}: already exists; use --force to replace it", target.display());
        }
        if target.is_dir() {
            bail!("{}: is a folder; give a file name for the backup", target.display());
        }
    }
    let conn = open_workspace(source)?;
    let partial = partial_name(target);
    let result = copy_into(&conn, &partial).and_then(|pages| {
        fs::rename(&partial, target).with_context(|| format!("{}: cannot write the backup", target.display()))?;
        sync_folder(target);
        let bytes = fs::metadata(target).map(|m| m.len()).unwrap_or(0);
        Ok(Summary { file: target.to_path_buf(), bytes, pages })
    });
    if result.is_err() {
        for suffix in ["", "-journal", "-wal", "-shm"] {
            let mut p = partial.as_os_str().to_owned();
            p.push(suffix);
            let _ = fs::remove_file(PathBuf::from(p));
        }
    }
    result
}

/// Writes the copy to `partial` (created 0600 first, so neither it nor its journal ever has
/// the umask's mode), checks it and flushes it; returns the number of pages copied.
fn copy_into(source: &Connection, partial: &Path) -> Result<i32> {
    let _ = fs::remove_file(partial);
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(partial).with_context(|| format!("{}: cannot create the backup", partial.display()))?;
    super::open::set_mode(partial, 0o600)?;
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut dest = Connection::open_with_flags(partial, flags)
        .with_context(|| format!("{}: cannot open the backup", partial.display()))?;
    let pages = {
        let copy = Backup::new(source, &mut dest).context("starting the backup")?;
        // -1: every page in one step, i.e. one read transaction on the source: a consistent
        // snapshot however busy the writers are (a step-by-step copy restarts whenever
        // another connection commits, and might never finish under a steady writer).
        let mut waits = 0;
        loop {
            match copy.step(-1).with_context(|| format!("{}: copying the workspace", partial.display()))? {
                StepResult::Done => break,
                // The source is briefly locked (e.g. a checkpoint): wait, like busy_timeout.
                _ if waits < BUSY_WAITS => {
                    waits += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                _ => bail!("{}: the workspace stayed busy for 5 seconds; try again", partial.display()),
            }
        }
        copy.progress().pagecount
    };
    let verdict: String = dest
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .with_context(|| format!("{}: checking the backup", partial.display()))?;
    if verdict != "ok" {
        bail!("{}: the copy failed its integrity check ({verdict})", partial.display());
    }
    // A single self-contained file: no -wal needed beside it to read it.
    dest.pragma_update(None, "journal_mode", "DELETE")
        .with_context(|| format!("{}: finishing the backup", partial.display()))?;
    drop(dest);
    fs::File::open(partial)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("{}: flushing the backup to disk", partial.display()))?;
    Ok(pages)
}

fn partial_name(target: &Path) -> PathBuf {
    let mut s = target.as_os_str().to_owned();
    s.push(format!(".partial-{}", std::process::id()));
    PathBuf::from(s)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Makes the rename durable (best effort; not every platform can sync a folder).
fn sync_folder(target: &Path) {
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(f) = fs::File::open(dir)
    {
        let _ = f.sync_all();
    }
}
