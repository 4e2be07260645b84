//! The recovery file: where text that could not be saved in the workspace goes when the rep
//! quits (or the terminal goes away). Written private (0600) in the state folder
//! (`~/.local/state/frontline/recovery/` on Linux); if that fails — often the same full
//! disk — in the temporary folder, which is usually another file system.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `text` to a new recovery file and returns its path, or why no place would take it.
pub fn write(text: &str) -> Result<PathBuf, String> {
    let name = format!("frontline-recovery-{}.txt", chrono::Local::now().format("%Y%m%d-%H%M%S"));
    let mut tried = Vec::new();
    for dir in candidate_dirs() {
        let path = dir.join(&name);
        match write_private(&path, text) {
            Ok(()) => return Ok(path),
            Err(e) => tried.push(format!("{}: {e}", path.display())),
        }
    }
    Err(format!("could not write a recovery file ({})", tried.join("; ")))
}

/// The state folder first, then the temporary folder.
fn candidate_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(p) = directories::ProjectDirs::from("", "", "frontline") {
        let base = p.state_dir().unwrap_or_else(|| p.data_local_dir());
        dirs.push(base.join("recovery"));
    }
    dirs.push(std::env::temp_dir());
    dirs
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}
