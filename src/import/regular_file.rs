//! Opening a file named on the command line: only a regular file is read, because a FIFO
//! waits forever for a writer and a device (`/dev/zero`) never ends.

use std::path::Path;

use anyhow::{Context, Result, bail};

pub use crate::paths::not_a_file;

/// Opens `path` for reading if it is a regular file (after links); the error names the
/// file and what it is instead. The type is checked on the open file, which is opened
/// without waiting, so a FIFO cannot hang the open or slip in after a check.
pub fn open(path: &Path) -> Result<std::fs::File> {
    let file = open_without_waiting(path).with_context(|| format!("{}: cannot read", path.display()))?;
    let kind = file.metadata().with_context(|| format!("{}: cannot read", path.display()))?.file_type();
    if !kind.is_file() {
        bail!("{}: {}", path.display(), not_a_file(kind));
    }
    Ok(file)
}

/// The whole of a regular file (see [`open`]) of at most `limit` bytes: a file read whole
/// is held in memory whole, and a 3 GB file given as a config or a schedule took 6–15 GB.
pub fn read(path: &Path, limit: u64) -> Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    let file = open(path)?;
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    if bytes.len() as u64 > limit {
        bail!("{}: larger than {} MB, more than this file can be", path.display(), limit / (1 << 20));
    }
    Ok(bytes)
}

/// The most a file of settings, snippets, scripts, bulletins, reviews or a schedule may hold.
pub const SMALL_FILE_BYTES: u64 = 64 << 20;

/// Opens for reading without blocking: opening a FIFO with no writer returns at once.
/// (On a regular file the flag changes nothing.)
pub fn open_without_waiting(path: &Path) -> std::io::Result<std::fs::File> {
    open_reading(path, false)
}

/// [`open_without_waiting`], and refusing a link (whoever may drop files into a folder
/// could link to any file of the user's).
pub fn open_without_waiting_or_following(path: &Path) -> std::io::Result<std::fs::File> {
    open_reading(path, true)
}

#[cfg(unix)]
fn open_reading(path: &Path, refuse_links: bool) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    // Never a controlling terminal, should the name turn out to be one.
    let flags = libc::O_NONBLOCK | libc::O_NOCTTY;
    let flags = if refuse_links { flags | libc::O_NOFOLLOW } else { flags };
    std::fs::OpenOptions::new().read(true).custom_flags(flags).open(path)
}

#[cfg(not(unix))]
fn open_reading(path: &Path, _refuse_links: bool) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}
