//! Where things live: the platform data and config folders, and which workspace to open.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use directories::ProjectDirs;

fn project_dirs() -> Result<ProjectDirs> {
    ProjectDirs::from("", "", "frontline").context("cannot find a home folder for Frontline's data (is HOME set?)")
}

/// The folder for workspaces: `~/.local/share/frontline` on Linux.
pub fn data_dir() -> Result<PathBuf> {
    Ok(project_dirs()?.data_dir().to_path_buf())
}

/// The folder for `config.toml`: `~/.config/frontline` on Linux.
pub fn config_dir() -> Result<PathBuf> {
    Ok(project_dirs()?.config_dir().to_path_buf())
}

/// The rep's own workspace.
pub fn default_db() -> Result<PathBuf> {
    Ok(data_dir()?.join("frontline.db"))
}

/// The demo workspace.
pub fn demo_db() -> Result<PathBuf> {
    Ok(data_dir()?.join("demo.db"))
}

/// The workspace to use: `--db`/`FRONTLINE_DB` if given, else the demo or the rep's own.
pub fn workspace(explicit: Option<PathBuf>, demo: bool) -> Result<PathBuf> {
    match explicit {
        Some(p) => Ok(p),
        None if demo => demo_db(),
        None => default_db(),
    }
}

/// The path with symlinks resolved: the file itself if it exists, else its folder resolved
/// and the name kept (a file about to be created). SQLite keeps `-wal`/`-shm` beside the
/// real file, so every check for them, and everything else kept beside the workspace,
/// must start from here: a workspace reached through a link and through its real path is
/// one workspace. When no link is involved the path comes back as given (relative stays
/// relative), so messages name the path the rep typed; a path that cannot be resolved (a
/// missing folder) also comes back as it is.
pub fn real_path(path: &Path) -> PathBuf {
    let resolved = resolve_links(path);
    match (&resolved, std::path::absolute(path)) {
        (Some(real), Ok(given)) if *real != given => real.clone(),
        _ => path.to_path_buf(),
    }
}

fn resolve_links(path: &Path) -> Option<PathBuf> {
    if let Ok(real) = path.canonicalize() {
        return Some(real);
    }
    // A dangling link is left alone: creating through it would put a workspace where the
    // link points, which is for the person who made it to decide.
    if path.symlink_metadata().is_ok() {
        return None;
    }
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or_else(|| Path::new("."));
    Some(dir.canonicalize().ok()?.join(path.file_name()?))
}

/// A byte string as text: valid UTF-8 kept, each stray byte as `prefix` and two hex digits.
pub fn spell_bytes(raw: &[u8], prefix: &str) -> String {
    let mut text = String::new();
    for chunk in raw.utf8_chunks() {
        text.push_str(chunk.valid());
        for b in chunk.invalid() {
            text.push_str(&format!("{prefix}{b:02X}"));
        }
    }
    text
}

/// Why a file of this type is not read, in words.
pub fn not_a_file(kind: std::fs::FileType) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let what = if kind.is_fifo() {
            "a FIFO"
        } else if kind.is_socket() {
            "a socket"
        } else if kind.is_char_device() || kind.is_block_device() {
            "a device"
        } else if kind.is_dir() {
            "a folder"
        } else {
            "of an unknown type"
        };
        format!("not a regular file ({what})")
    }
    #[cfg(not(unix))]
    {
        let _ = kind;
        "not a regular file".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_resolved_and_plain_paths_kept_as_typed() {
        let tmp = tempfile::tempdir().unwrap();
        let real_dir = tmp.path().canonicalize().unwrap().join("real");
        std::fs::create_dir(&real_dir).unwrap();
        std::fs::write(real_dir.join("w.db"), "").unwrap();
        let link = real_dir.with_file_name("link.db");
        std::os::unix::fs::symlink(real_dir.join("w.db"), &link).unwrap();
        let dir_link = real_dir.with_file_name("dir-link");
        std::os::unix::fs::symlink(&real_dir, &dir_link).unwrap();

        assert_eq!(real_path(&link), real_dir.join("w.db"));
        assert_eq!(real_path(&dir_link.join("w.db")), real_dir.join("w.db"));
        assert_eq!(real_path(&dir_link.join("new.db")), real_dir.join("new.db"), "not created yet");
        assert_eq!(real_path(&real_dir.join("w.db")), real_dir.join("w.db"));
        assert_eq!(real_path(Path::new("no/such/folder/w.db")), Path::new("no/such/folder/w.db"));
        assert_eq!(real_path(Path::new("w.db")), Path::new("w.db"), "relative stays relative");
    }
}
