//! Erasing a customer everywhere Frontline wrote them: the inbox's kept files first (so a
//! failure there leaves the database untouched and the rep can simply run it again), then
//! the workspace in one transaction. The command line and the workstation both call this.

use std::path::Path;

use anyhow::Result;
use rusqlite::Connection;

use crate::domain::Id;
use crate::store::erase::{self, Cleaned, ForgetSummary};

/// What an erasure did: the database's summary and every place cleaned.
#[derive(Debug, Clone)]
pub struct Erased {
    pub summary: ForgetSummary,
    pub cleaned: Vec<Cleaned>,
}

/// Forgets customer `id` in the inbox folder `inbox` and in the workspace.
pub fn forget_customer(conn: &mut Connection, id: Id, inbox: &Path) -> Result<Erased> {
    let traces = erase::traces(conn, id)?;
    let files = crate::intake::inbox::erase_customer_files(inbox, &traces)?;
    let summary = erase::forget_customer(conn, id)?;
    let mut cleaned = summary.cleaned();
    cleaned.extend(files);
    Ok(Erased { summary, cleaned })
}
