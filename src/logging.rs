//! Logs for finding out what went wrong later: `tracing` events from Frontline's own code,
//! written to a daily file in the platform state folder (`~/.local/state/frontline` on Linux,
//! the data folder's `logs/` where the platform has no state folder), the last
//! [`KEEP_FILES`] days kept. Files are 0600 in a 0700 folder.
//!
//! Never to the terminal: there is no stdout/stderr writer, so nothing can land on the
//! TUI's screen. Never customer data: log points record event kinds, ids, counts, durations
//! and error kinds ([`error_kind`]), never text, names, emails or full paths.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, Result};
use tracing::level_filters::LevelFilter;
use tracing_appender::rolling::{RollingFileAppender, RollingWriter, Rotation};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::prelude::*;

/// How many daily files are kept (today's included); older ones are deleted.
pub const KEEP_FILES: usize = 7;

/// Log files are `frontline.YYYY-MM-DD.log` (UTC dates).
const PREFIX: &str = "frontline";
const SUFFIX: &str = "log";

/// The folder logs are written to.
pub fn log_dir() -> Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "frontline")
        .context("cannot find a home folder for Frontline's logs (is HOME set?)")?;
    Ok(match dirs.state_dir() {
        Some(state) => state.to_path_buf(),
        None => dirs.data_dir().join("logs"),
    })
}

/// The level for `-v` given `verbose` times: warnings by default, then info, debug, trace.
pub fn level(verbose: u8) -> LevelFilter {
    match verbose {
        0 => LevelFilter::WARN,
        1 => LevelFilter::INFO,
        2 => LevelFilter::DEBUG,
        _ => LevelFilter::TRACE,
    }
}

/// Logging is on while this lives; `main` holds it for the whole run. Writes are
/// synchronous (a few lines per command), so nothing is lost when the process ends or
/// crashes and there is no background thread to flush.
#[derive(Debug)]
pub struct Guard {
    /// Where the files are.
    pub dir: PathBuf,
}

/// Starts logging to [`log_dir`] at the level for `verbose`.
pub fn init(verbose: u8) -> Result<Guard> {
    init_in(&log_dir()?, verbose)
}

/// Starts logging to daily files in `dir`.
pub fn init_in(dir: &Path, verbose: u8) -> Result<Guard> {
    create_private_dir(dir)?;
    tighten_existing(dir);
    let today = utc_day();
    create_private_file(dir, &today)?;
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(PREFIX)
        .filename_suffix(SUFFIX)
        // The appender prunes to one less than this, counting on creating the day's file
        // after pruning; ours exists already (created 0600 above), so allow for it.
        .max_log_files(KEEP_FILES + 1)
        .build(dir)
        .with_context(|| format!("{}: cannot open the log file", dir.display()))?;
    let writer = PrivateFiles { appender, dir: dir.to_path_buf(), day: Mutex::new(today) };
    let layer = tracing_subscriber::fmt::layer().with_writer(writer).with_ansi(false).with_target(false);
    // Only Frontline's own events: a dependency's log lines could carry anything.
    let filter = Targets::new().with_target("frontline", level(verbose));
    tracing_subscriber::registry().with(layer).with(filter).try_init().context("logging is already set up")?;
    Ok(Guard { dir: dir.to_path_buf() })
}

/// Today's date as the appender names files (UTC).
fn utc_day() -> String {
    chrono::Utc::now().format("%Y-%m-%d").to_string()
}

fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).with_context(|| format!("{}: cannot create the log folder", dir.display()))?;
    crate::store::open::set_mode(dir, 0o700)
}

/// Creates the day's log file as 0600 before the appender opens it (the appender would
/// create it with the umask's mode); an existing one is tightened.
fn create_private_file(dir: &Path, day: &str) -> Result<()> {
    let path = dir.join(format!("{PREFIX}.{day}.{SUFFIX}"));
    let mut options = OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(&path).with_context(|| format!("{}: cannot create the log file", path.display()))?;
    crate::store::open::set_mode(&path, 0o600)
}

/// Log files left by an older version or copied in are made 0600.
fn tighten_existing(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if is_log_file(&name) && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = crate::store::open::set_mode(&entry.path(), 0o600);
        }
    }
}

/// Whether a file name is one of ours (`frontline.2026-11-22.log`).
pub fn is_log_file(name: &str) -> bool {
    name.starts_with(&format!("{PREFIX}.")) && name.ends_with(&format!(".{SUFFIX}"))
}

/// The rolling appender, with each new day's file created 0600 before it is first written.
struct PrivateFiles {
    appender: RollingFileAppender,
    dir: PathBuf,
    day: Mutex<String>,
}

impl<'a> MakeWriter<'a> for PrivateFiles {
    type Writer = RollingWriter<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        let today = utc_day();
        if let Ok(mut day) = self.day.lock()
            && *day != today
            && create_private_file(&self.dir, &today).is_ok()
        {
            *day = today;
        }
        self.appender.make_writer()
    }
}

/// An error described without its message (which may quote customer data): the kind of
/// I/O or SQLite failure, or where in an import file a record failed.
pub fn error_kind(e: &anyhow::Error) -> String {
    for cause in e.chain() {
        if let Some(r) = cause.downcast_ref::<crate::import::RecordError>() {
            let field = r
                .field
                .as_deref()
                .filter(|f| f.len() <= 40 && f.chars().all(|c| c.is_ascii_alphanumeric() || "_.[]".contains(c)))
                .unwrap_or("-");
            return format!("record {} field {field}", r.origin);
        }
        if let Some(sql) = cause.downcast_ref::<rusqlite::Error>() {
            return match sql {
                rusqlite::Error::SqliteFailure(err, _) => format!("sqlite {:?} ({})", err.code, err.extended_code),
                _ => "sqlite".into(),
            };
        }
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return format!("io {:?}", io.kind());
        }
    }
    "other".into()
}

/// A path as logs may show it: the file name only (full paths can contain a user name).
pub fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(|| "-".into(), |n| n.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_v_raises_the_level() {
        assert_eq!(level(0), LevelFilter::WARN);
        assert_eq!(level(1), LevelFilter::INFO);
        assert_eq!(level(2), LevelFilter::DEBUG);
        assert_eq!(level(7), LevelFilter::TRACE);
    }

    #[test]
    fn errors_are_described_without_their_text() {
        let e = anyhow::Error::new(std::io::Error::new(std::io::ErrorKind::NotFound, "ana@example.com"))
            .context("customer ana@example.com");
        assert_eq!(error_kind(&e), "io NotFound");
        let r = crate::import::RecordError::field(
            Path::new("/home/ana/c.csv"),
            crate::import::Origin::Line(3),
            "email",
            "\"ana@\" is bad",
        );
        assert_eq!(error_kind(&anyhow::Error::new(r)), "record line 3 field email");
        assert_eq!(error_kind(&anyhow::anyhow!("no customer \"ana@example.com\"")), "other");
    }

    #[test]
    fn only_our_files_count_as_logs() {
        assert!(is_log_file("frontline.2026-11-22.log"));
        assert!(!is_log_file("frontline.db"));
        assert!(!is_log_file("palette-usage.json"));
    }
}
