//! Where things live: the platform data and config folders, and which workspace to open.

use std::path::PathBuf;

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
