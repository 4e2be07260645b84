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
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    Truncated {
        path: PathBuf,
        expected: u64,
        actual: u64,
    },
    Corrupt {
        path: PathBuf,
        detail: String,
    },
    ReadOnly(PathBuf),
    MissingDirectory(PathBuf),
    /// SQLite could not read the file for a reason other than damage (I/O error, full disk).
    Unreadable {
        path: PathBuf,
        detail: String,
    },
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
            Self::Unreadable { path, detail } => write!(
                f,
                "{}: cannot read the workspace ({detail}); check the disk (full or failing?) and try again",
                path.display()
            ),
            Self::MissingDirectory(p) => {
                write!(f, "{}: folder does not exist; create it first or pick another --db path", p.display())
            }
        }
    }
}

impl std::error::Error for OpenError {}

/// Opens (creating if missing) the workspace at `path` and brings its schema up to date.
/// A symlink is resolved first ([`crate::paths::real_path`]): the checks for `-wal` look
/// where SQLite keeps it, beside the real file.
///
/// A new workspace appears whole or not at all ([`create_whole`]): a failed first run (a
/// full disk during the first migration, say) never leaves behind an empty file that the
/// next run would refuse as "not a Frontline workspace".
pub fn open_workspace(path: &Path) -> Result<Connection> {
    let real = crate::paths::real_path(path);
    let path = real.as_path();
    if !path.exists() {
        create_whole(path)?;
    }
    inspect_existing(path)?;
    let conn = connect(path)?;
    check_schema_version(&conn, path)?;
    migrate::apply(&conn).with_context(|| format!("{}: applying schema migrations", path.display()))?;
    keep_private(path);
    Ok(conn)
}

/// Makes a new workspace at `path` in one step: built beside it under a name of its own,
/// then linked into place only if nothing is there yet. Two commands starting at once on a
/// new workspace (the workstation and a scheduled sync) each build one; the second finds the
/// first's and opens it. Made in place, the second saw a file still empty or half-migrated
/// and refused it ("not a Frontline workspace"), or failed on the name ("File exists").
fn create_whole(path: &Path) -> Result<()> {
    // A name of this call's own: threads of one process may create at once too.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let building = sidecar(path, &format!(".new-{}-{call}", std::process::id()));
    for p in with_sidecars(&building) {
        let _ = fs::remove_file(p);
    }
    create_private(path, &building)?;
    let built = (|| -> Result<()> {
        let conn = connect(&building)?;
        migrate::apply(&conn).with_context(|| format!("{}: applying schema migrations", path.display()))?;
        // The file alone holds everything once the log is folded in, so it can be linked.
        super::fold_wal_into_file(&conn).with_context(|| format!("{}: cannot create workspace", path.display()))?;
        drop(conn);
        match fs::hard_link(&building, path) {
            Ok(()) => Ok(()),
            // Another command made it first: theirs is whole, open it.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            // A file system without links: moved instead (a rare race there replaces a
            // workspace created in the same instant, which holds nothing yet).
            Err(_) => {
                fs::rename(&building, path).with_context(|| format!("{}: cannot create workspace", path.display()))
            }
        }
    })();
    for p in with_sidecars(&building) {
        let _ = fs::remove_file(p);
    }
    built
}

/// The header was checked before SQLite opened the file, but a newer Frontline running
/// beside this one may have migrated it with the change still in the WAL: ask SQLite too.
fn check_schema_version(conn: &Connection, path: &Path) -> Result<()> {
    let found: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .with_context(|| format!("{}: cannot read the schema version", path.display()))?;
    if found > migrate::LATEST {
        bail!(OpenError::NewerSchema { path: path.to_path_buf(), found, supported: migrate::LATEST });
    }
    Ok(())
}

/// The workspace file and its `-wal`/`-shm`/`-journal` companions, which hold the same
/// customer data.
pub(crate) fn with_sidecars(path: &Path) -> Vec<PathBuf> {
    ["", "-wal", "-shm", "-journal"].iter().map(|suffix| sidecar(path, suffix)).collect()
}

/// Takes group and other permissions off the workspace and its `-wal`/`-shm`. SQLite
/// already creates the companions with the database file's own mode (not the umask), so
/// this only matters for a file made elsewhere (copied in, or by an older version).
/// Best effort: a file owned by someone else is left as it is.
fn keep_private(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for p in with_sidecars(path) {
            if let Ok(meta) = fs::metadata(&p) {
                let mode = meta.permissions().mode() & 0o777;
                if mode & 0o077 != 0 {
                    let _ = fs::set_permissions(&p, fs::Permissions::from_mode(mode & 0o700));
                }
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// Rewrites storage errors that SQLite reports without a file name (a full disk, a file
/// made read-only under a running command) as one line naming the workspace, keeping the
/// cause. Errors that already name the file pass through unchanged.
pub fn explain_storage_error(err: anyhow::Error, path: &Path) -> anyhow::Error {
    use rusqlite::ErrorCode;
    let code = err.chain().find_map(|c| match c.downcast_ref::<rusqlite::Error>() {
        Some(rusqlite::Error::SqliteFailure(e, _)) => Some(e.code),
        _ => None,
    });
    let shown = path.display().to_string();
    if err.to_string().starts_with(&shown) {
        return err;
    }
    let why = match code {
        Some(ErrorCode::DiskFull) => {
            "the disk is full; nothing from this command was saved (free some space and retry)"
        }
        Some(ErrorCode::ReadOnly) => "cannot write to the workspace (read-only file or folder); nothing was saved",
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            "another program kept the workspace busy for over 5 seconds; nothing was saved, try again"
        }
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => {
            "the workspace is damaged; run `frontline db check` and restore it from a backup"
        }
        Some(ErrorCode::SystemIoFailure | ErrorCode::CannotOpen) => "the disk reported an error; nothing was saved",
        _ => return err,
    };
    err.context(format!("{shown}: {why}"))
}

/// Opens another connection to a workspace already opened by [`open_workspace`].
pub fn connect(path: &Path) -> Result<Connection> {
    let path = &crate::paths::real_path(path);
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let mut conn =
        Connection::open_with_flags(path, flags).with_context(|| format!("{}: cannot open", path.display()))?;
    configure(&mut conn).with_context(|| format!("{}: cannot configure", path.display()))?;
    Ok(conn)
}

/// An in-memory workspace with the full schema, for tests and benchmarks.
pub fn open_in_memory() -> Result<Connection> {
    let mut conn = Connection::open_in_memory()?;
    configure(&mut conn)?;
    migrate::apply(&conn)?;
    Ok(conn)
}

/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 128;

fn configure(conn: &mut Connection) -> rusqlite::Result<()> {
    // WAL: readers never block the writer; NORMAL sync is durable across app crashes
    // (only an OS crash or power cut can lose the last commits).
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Erased customers must not linger in free pages.
    conn.pragma_update(None, "secure_delete", "ON")?;
    super::turns::retry_every_millisecond(conn)?;
    // Room for every statement a worker runs over and over: rusqlite keeps 16, and a sync's
    // own (with the sizes of its many-row inserts) pushed the others out to be prepared again.
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    // A plan is made once per statement, never again for a new value of a parameter: without
    // this SQLite plans a cached statement anew each time its `LIMIT ?` (or `LIKE ?`) is bound,
    // which parsed and planned the knowledge search's largest statements on every keystroke.
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    // `folded(name)`: lower case without accents, for name searches as the rep types them.
    conn.create_scalar_function(
        "folded",
        1,
        rusqlite::functions::FunctionFlags::SQLITE_UTF8 | rusqlite::functions::FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| Ok(crate::domain::text::folded(&ctx.get::<String>(0)?)),
    )?;
    Ok(())
}

/// Creates an empty file (0600) so SQLite never creates it with the process umask. The
/// folder is created (0700) only for the default location; a folder named by the user
/// (`--db`, `FRONTLINE_DB`) must exist, so a typo is reported instead of silently creating
/// a new tree of folders and an empty workspace somewhere unexpected.
/// `file` is made; errors name the workspace `path` it is made for (in the same folder).
fn create_private(path: &Path, file: &Path) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        match fs::metadata(dir) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => bail!("{}: not a folder, so {} cannot be created in it", dir.display(), path.display()),
            Err(_) if is_default_folder(dir) => {
                fs::create_dir_all(dir).with_context(|| format!("{}: cannot create folder", dir.display()))?;
                set_mode(dir, 0o700)?;
            }
            Err(_) => bail!(OpenError::MissingDirectory(dir.to_path_buf())),
        }
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(file).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            anyhow::Error::new(OpenError::MissingDirectory(path.parent().map(Path::to_path_buf).unwrap_or_default()))
        }
        _ => anyhow::Error::new(e).context(format!("{}: cannot create workspace", path.display())),
    })?;
    // The umask could only have removed bits; make sure it is exactly owner read/write.
    set_mode(file, 0o600)?;
    Ok(())
}

/// Whether `dir` is Frontline's own data folder (created on first use).
fn is_default_folder(dir: &Path) -> bool {
    crate::paths::data_dir().is_ok_and(|d| d == dir)
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
    // A folder or a FIFO named as the workspace: said as what it is ("Is a directory (os
    // error 21)" named no file, and a FIFO was called an empty file).
    if !meta.is_file() {
        bail!("{}: {}, not a Frontline workspace", path.display(), crate::paths::not_a_file(meta.file_type()));
    }
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
    // A workspace just created by a Frontline still running has its application id only in
    // the WAL (the main file's header is written at the first checkpoint): ask SQLite.
    if app_id != APPLICATION_ID && !(sidecars_exist(path) && application_id_in_wal(path) == Some(APPLICATION_ID)) {
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
    let check = if meta.len() <= QUICK_CHECK_MAX_BYTES {
        "PRAGMA quick_check(1)"
    } else {
        "SELECT CASE WHEN count(*) > 0 THEN 'ok' ELSE 'empty schema' END FROM sqlite_schema"
    };
    // With no -wal/-shm beside the file, no connection has it open: read it as immutable,
    // which creates no side files next to a file that may turn out not to be usable. If a
    // second instance opened it meanwhile (its -wal appears), the immutable view may have
    // raced with its writes, so a bad verdict is confirmed through a normal read-only open.
    let mut verdict = if sidecars_exist(path) { None } else { Some(run_check(path, check, true)) };
    if verdict.as_ref().is_none_or(|v| v.is_err()) && (verdict.is_none() || sidecars_exist(path)) {
        verdict = Some(run_check(path, check, false));
    }
    match verdict {
        Some(Ok(())) | None => Ok(()),
        Some(Err(e)) => Err(e.into()),
    }
}

/// The application id as SQLite sees it, WAL included (read-only; `None` if unreadable).
fn application_id_in_wal(path: &Path) -> Option<i32> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).ok()?;
    conn.pragma_query_value(None, "application_id", |r| r.get(0)).ok()
}

/// Runs `check` on a read-only (or, with `immutable`, side-file-free) connection.
fn run_check(path: &Path, check: &str, immutable: bool) -> Result<(), OpenError> {
    let unreadable =
        |e: &rusqlite::Error| OpenError::Unreadable { path: path.to_path_buf(), detail: one_line(&e.to_string()) };
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    let conn = if immutable {
        Connection::open_with_flags(immutable_uri(path), flags)
    } else {
        Connection::open_with_flags(path, flags)
    }
    .map_err(|e| unreadable(&e))?;
    match conn.query_row(check, [], |r| r.get::<_, String>(0)) {
        Ok(v) if v == "ok" => Ok(()),
        Ok(v) => Err(OpenError::Corrupt { path: path.to_path_buf(), detail: one_line(&v) }),
        Err(e @ rusqlite::Error::SqliteFailure(f, _))
            if matches!(f.code, rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase) =>
        {
            Err(OpenError::Corrupt { path: path.to_path_buf(), detail: one_line(&e.to_string()) })
        }
        Err(e) => Err(unreadable(&e)),
    }
}

/// SQLite's verdicts can span lines (`*** in database main ***\nPage 12: …`); keep the
/// message on one line and short.
fn one_line(text: &str) -> String {
    let joined = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("; ");
    match joined.char_indices().nth(200) {
        Some((at, _)) => format!("{}…", &joined[..at]),
        None => joined,
    }
}

/// A `file:` URI opening `path` as immutable (no locks, no -wal/-shm created).
fn immutable_uri(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut uri = String::from("file:");
    #[cfg(unix)]
    let bytes = {
        use std::os::unix::ffi::OsStrExt;
        absolute.as_os_str().as_bytes().to_vec()
    };
    #[cfg(not(unix))]
    let bytes = absolute.to_string_lossy().replace('\\', "/").into_bytes();
    for b in bytes {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            uri.push(char::from(b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str("?immutable=1");
    uri
}

fn sidecars_exist(path: &Path) -> bool {
    ["-wal", "-shm"].iter().any(|suffix| sidecar(path, suffix).exists())
}

fn wal_exists(path: &Path) -> bool {
    sidecar(path, "-wal").exists()
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

// ---------------------------------------------------------------- files changing under us

/// Which file a path names: device and inode (where the platform has them), so a file
/// deleted and made again under the same name is told apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileId(u64, u64);

impl FileId {
    fn of(path: &Path) -> std::io::Result<Self> {
        let meta = fs::metadata(path)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Ok(Self(meta.dev(), meta.ino()))
        }
        #[cfg(not(unix))]
        {
            let born = meta.created().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
            Ok(Self(born.map_or(0, |d| d.as_secs()), born.map_or(0, |d| u64::from(d.subsec_nanos()))))
        }
    }
}

/// The workspace file and its `-wal`/`-shm` as a connection found them when it opened.
/// SQLite keeps writing to the files it has open: if someone deletes or replaces them (a
/// cleanup script, a sync tool, `rm *-wal`), every later commit goes to a file no one can
/// read again and is lost at quit, while `db check` still says ok. Record this once per
/// connection and call [`check_files_unchanged`] before writing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceFiles {
    path: PathBuf,
    files: Vec<(&'static str, FileId)>,
}

impl WorkspaceFiles {
    /// Records the files of the workspace `conn` has open (after a read, so that its
    /// `-wal` and `-shm` exist). An in-memory database records nothing.
    pub fn record(conn: &Connection) -> Result<Self> {
        let Some(path) = conn.path().filter(|p| !p.is_empty()).map(PathBuf::from) else {
            return Ok(Self { path: PathBuf::new(), files: Vec::new() });
        };
        conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))
            .with_context(|| format!("{}: cannot read", path.display()))?;
        let mut files = vec![("", FileId::of(&path).with_context(|| format!("{}: cannot read", path.display()))?)];
        for suffix in ["-wal", "-shm"] {
            if let Ok(id) = FileId::of(&sidecar(&path, suffix)) {
                files.push((suffix, id));
            }
        }
        Ok(Self { path, files })
    }

    /// The workspace file these are the files of.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The workspace's files were deleted, moved or replaced while a connection had them open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceMoved {
    /// The workspace file.
    pub path: PathBuf,
    /// Which file: "" (the workspace itself), "-wal" or "-shm".
    pub file: &'static str,
    /// Whether it is gone (`false`: another file has its name now).
    pub deleted: bool,
}

impl std::fmt::Display for WorkspaceMoved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match (self.file, self.deleted) {
            ("", true) => "the workspace file was deleted or moved".to_string(),
            ("", false) => "the workspace file was replaced by another".to_string(),
            (side, true) => format!("its {side} file was deleted"),
            (side, false) => format!("its {side} file was replaced"),
        };
        write!(
            f,
            "{}: {what} while Frontline was running; stopped saving, since nothing written now could be read \
             back. Quit and start Frontline again, then check your last changes",
            self.path.display()
        )
    }
}

impl std::error::Error for WorkspaceMoved {}

/// Whether the workspace's files are still the ones recorded in `files`: a few `stat` calls,
/// cheap enough before every write. An `Err` means stop writing on this connection.
pub fn check_files_unchanged(files: &WorkspaceFiles) -> Result<(), WorkspaceMoved> {
    for (suffix, recorded) in &files.files {
        let now = FileId::of(&sidecar(&files.path, suffix));
        if now.as_ref().ok() != Some(recorded) {
            return Err(WorkspaceMoved { path: files.path.clone(), file: suffix, deleted: now.is_err() });
        }
    }
    Ok(())
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut side = path.as_os_str().to_owned();
    side.push(suffix);
    PathBuf::from(side)
}
