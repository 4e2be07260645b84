//! `frontline db path|check|backup`: the workspace file itself.

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Serialize;

use crate::store::{self, customers, kb};

/// Where the workspace lives.
#[derive(Serialize)]
pub(super) struct DbPath {
    path: PathBuf,
    exists: bool,
}

impl fmt::Display for DbPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.path.display())
    }
}

/// `frontline db path`.
pub(super) fn path(db: &Path) -> DbPath {
    DbPath { path: db.to_path_buf(), exists: db.exists() }
}

/// What the integrity check found.
#[derive(Serialize)]
struct Check {
    path: PathBuf,
    ok: bool,
    integrity: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    customers: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    articles: Option<i64>,
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.ok {
            return Ok(());
        }
        let (customers, articles) = (self.customers.unwrap_or(0), self.articles.unwrap_or(0));
        writeln!(f, "{}: ok ({customers} customers, {articles} articles)", self.path.display())
    }
}

/// `frontline db check`: SQLite's integrity check; a damaged file fails the command (with
/// `--json`, after printing what was found).
pub(super) fn check(db: &Path, as_json: bool) -> Result<()> {
    let conn = store::open_workspace(db)?;
    let integrity = store::integrity_check(&conn).context("running the integrity check")?;
    tracing::info!(ok = integrity == "ok", "integrity check");
    if integrity != "ok" {
        // Text says nothing on stdout for a damaged file (`main` prints the error line).
        let found =
            Check { path: db.to_path_buf(), ok: false, integrity: integrity.clone(), customers: None, articles: None };
        super::emit(&found, as_json)?;
        bail!("{}: integrity check failed: {integrity}", db.display());
    }
    let found = Check {
        path: db.to_path_buf(),
        ok: true,
        integrity,
        customers: Some(customers::count(&conn)?),
        articles: Some(kb::count(&conn)?),
    };
    super::emit(&found, as_json)
}

/// A backup written.
#[derive(Serialize)]
pub(super) struct Backup {
    workspace: PathBuf,
    file: PathBuf,
    pages: i32,
    bytes: u64,
}

impl fmt::Display for Backup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Backed up {} to {} ({} pages, {} bytes; integrity ok)",
            self.workspace.display(),
            self.file.display(),
            self.pages,
            self.bytes
        )
    }
}

/// `frontline db backup FILE`: a consistent copy made with SQLite's online backup API,
/// safe while the workstation is running.
pub(super) fn backup(db: &Path, file: &Path, force: bool) -> Result<Backup> {
    let s = store::backup::backup(db, file, force)?;
    tracing::info!(pages = s.pages, bytes = s.bytes, "backup");
    Ok(Backup { workspace: db.to_path_buf(), file: s.file, pages: s.pages, bytes: s.bytes })
}
