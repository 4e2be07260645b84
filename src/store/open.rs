//! Opening a workspace file: refusing files that are not ours before anything is written,
//! creating new ones privately, applying pragmas and migrations.

use std::fs::{self, File};
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rusqlite::{Connection, OpenFlags};

use super::migrate;

/// Marks a SQLite file as a Frontline workspace ("FLIN"), so any other SQLite file is refused.
pub const APPLICATION_ID: i32 = 0x464C_494E;

/// Files up to this size get a full structural check on open (about 10 ms per 16 MiB here).
const QUICK_CHECK_MAX_BYTES: u64 = 32 * 1024 * 1024;

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Why a file cannot be used as a workspace. Each renders as one line naming the file.
#[derive(Debug)]
pub enum OpenError {
    Empty(PathBuf),
    NotSqlite(PathBuf),
    NotFrontline(PathBuf),
    NewerSchema { path: PathBuf, found: i64, supported: i64 },
    Truncated { path: PathBuf, expected: u64, actual: u64 },
    Corrupt { path: PathBuf, detail: String },
    ReadOnly(PathBuf),
    MissingDirectory(PathBuf),
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Empty(p) => {
                write!(f, "{}: file is empty (0 bytes), not a Frontline workspace; left untouched", p.display())
            }
            Self::NotSqlite(p) => {
                write!(f, "{}: not a Frontline workspace (not a SQLite database); left untouched", p.display())
            }
            Self::NotFrontline(p) => {
                write!(f, "{}: a SQLite database, but not a Frontline workspace; left untouched", p.display())
            }
            Self::NewerSchema { path, found, supported } => write!(
                f,
                "{}: made by a newer Frontline (schema {found}, this version knows up to {supported}); upgrade Frontline to open it",
                path.display()
            ),
            Self::Truncated { path, expected, actual } => write!(
                f,
                "{}: database is truncated ({actual} of {expected} bytes); restore it from a backup",
                path.display()
            ),
            Self::Corrupt { path, detail } => {
                write!(f, "{}: database is corrupt ({detail}); restore it from a backup", path.display())
            }
            Self::ReadOnly(p) => {
                write!(f, "{}: workspace file is read-only; Frontline needs to write to it", p.display())
            }
            Self::MissingDirectory(p) => write!(f, "{}: folder does not exist", p.display()),
        }
    }
}

impl std::error::Error for OpenError {}

/// Opens (creating if missing) the workspace at `path` and brings its schema up to date.
pub fn open_workspace(path: &Path) -> Result<Connection> {
    if path.exists() {
        inspect_existing(path)?;
    } else {
        create_private(path)?;
    }
    let conn = connect(path)?;
    migrate::apply(&conn).with_context(|| format!("{}: applying schema migrations", path.display()))?;
    Ok(conn)
}

/// Opens another connection to a workspace already opened by [`open_workspace`].
pub fn connect(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags).with_context(|| format!("{}: cannot open", path.display()))?;
    configure(&conn).with_context(|| format!("{}: cannot configure", path.display()))?;
    Ok(conn)
}

/// An in-memory workspace with the full schema, for tests and benchmarks.
pub fn open_in_memory() -> Result<Connection> {
    let conn = Connection::open_in_memory()?;
    configure(&conn)?;
    migrate::apply(&conn)?;
    Ok(conn)
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    // WAL: readers never block the writer; NORMAL sync is durable across app crashes
    // (only an OS crash or power cut can lose the last commits).
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Erased customers must not linger in free pages.
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(())
}

/// Creates the folder (0700) and an empty file (0600) so SQLite never creates either with
/// the process umask.
fn create_private(path: &Path) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.exists() {
            fs::create_dir_all(dir).with_context(|| format!("{}: cannot create folder", dir.display()))?;
            set_mode(dir, 0o700)?;
        }
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            anyhow::Error::new(OpenError::MissingDirectory(path.parent().map(Path::to_path_buf).unwrap_or_default()))
        }
        _ => anyhow::Error::new(e).context(format!("{}: cannot create workspace", path.display())),
    })?;
    Ok(())
}

/// Restricts a path to its owner.
pub fn set_mode(path: &Path, mode: u32) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(mode))
            .with_context(|| format!("{}: cannot set permissions", path.display()))?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

/// Reads the file header without SQLite so that a foreign file is refused before SQLite
/// could touch it (even opening in WAL mode may write).
fn inspect_existing(path: &Path) -> Result<()> {
    let meta = fs::metadata(path).with_context(|| format!("{}: cannot read", path.display()))?;
    if meta.len() == 0 {
        bail!(OpenError::Empty(path.to_path_buf()));
    }
    let mut header = [0u8; 100];
    let mut file = File::open(path).with_context(|| format!("{}: cannot read", path.display()))?;
    let read = read_up_to(&mut file, &mut header)?;
    if read < 100 || &header[..16] != SQLITE_MAGIC {
        bail!(OpenError::NotSqlite(path.to_path_buf()));
    }
    let be32 = |at: usize| u32::from_be_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]]);
    let page_size = match u32::from(u16::from_be_bytes([header[16], header[17]])) {
        1 => 65_536,
        n => n,
    };
    let page_count = be32(28);
    // The in-header page count is only trustworthy when its "valid-for" matches the
    // change counter (SQLite file format, section 1.3.7).
    if be32(92) == be32(24) && page_count > 0 {
        let expected = u64::from(page_size) * u64::from(page_count);
        if meta.len() < expected && !wal_exists(path) {
            bail!(OpenError::Truncated { path: path.to_path_buf(), expected, actual: meta.len() });
        }
    }
    let app_id = be32(68) as i32;
    let user_version = i64::from(be32(60));
    if app_id != APPLICATION_ID {
        bail!(OpenError::NotFrontline(path.to_path_buf()));
    }
    if user_version > migrate::LATEST {
        bail!(OpenError::NewerSchema { path: path.to_path_buf(), found: user_version, supported: migrate::LATEST });
    }
    if meta.permissions().readonly() {
        bail!(OpenError::ReadOnly(path.to_path_buf()));
    }
    // The header looks right; make SQLite read the schema (and, for files small enough to
    // scan in a few milliseconds, check every page's structure) read-only, so a damaged
    // file is reported instead of written to. Large workspaces rely on `frontline db check`.
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .with_context(|| format!("{}: cannot open", path.display()))?;
    let check = if meta.len() <= QUICK_CHECK_MAX_BYTES {
        "PRAGMA quick_check(1)"
    } else {
        "SELECT CASE WHEN count(*) > 0 THEN 'ok' ELSE 'empty schema' END FROM sqlite_schema"
    };
    let verdict: String = conn
        .query_row(check, [], |r| r.get(0))
        .map_err(|e| OpenError::Corrupt { path: path.to_path_buf(), detail: e.to_string() })?;
    if verdict != "ok" {
        bail!(OpenError::Corrupt { path: path.to_path_buf(), detail: verdict });
    }
    Ok(())
}

fn wal_exists(path: &Path) -> bool {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    Path::new(&wal).exists()
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}
