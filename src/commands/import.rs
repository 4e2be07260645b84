//! `frontline import kb|customers|contacts|snippets|bulletins|scripts|qa`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Result, bail};
use serde::Serialize;

use super::{cards_masked_line, config_path, emit, report_warnings, shift};
use crate::cli::ImportCommand;
use crate::domain::text::{counted, terminal_safe};
use crate::domain::time::now;
use crate::import::{self, records::Records};
use crate::store;

/// A file left out or refused, with why.
#[derive(Serialize)]
struct Listed {
    path: PathBuf,
    reason: String,
}

/// What an article import did.
#[derive(Serialize)]
struct Articles {
    kind: &'static str,
    added: usize,
    updated: usize,
    unchanged: usize,
    skipped: Vec<Listed>,
    failed: Vec<Listed>,
}

impl fmt::Display for Articles {
    /// Failures go to stderr (see [`import`]); stdout keeps the summary and what was skipped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Articles: {} added, {} updated, {} unchanged, {} skipped, {} failed",
            self.added,
            self.updated,
            self.unchanged,
            self.skipped.len(),
            self.failed.len()
        )?;
        for s in &self.skipped {
            writeln!(f, "  skipped {}: {}", s.path.display(), s.reason)?;
        }
        Ok(())
    }
}

/// What a customer import did.
#[derive(Serialize)]
struct Customers {
    kind: &'static str,
    added: usize,
    updated: usize,
    unchanged: usize,
    warnings: Vec<String>,
}

impl fmt::Display for Customers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Customers: {} added, {} updated, {} unchanged", self.added, self.updated, self.unchanged)
    }
}

/// What a contact import did.
#[derive(Serialize)]
struct Contacts {
    kind: &'static str,
    added: usize,
    /// Equal to a contact stored before: not added again.
    already_stored: usize,
    customers_created: usize,
    cards_masked: usize,
    warnings: Vec<String>,
}

impl fmt::Display for Contacts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let already = match self.already_stored {
            0 => String::new(),
            n => format!(
                ", {n} already in the workspace (same customer, channel, time, subject and text: not added again)"
            ),
        };
        let customers = counted(self.customers_created, "new customer", "new customers");
        writeln!(f, "Contacts: {} added{already}, {customers}", self.added)?;
        f.write_str(&cards_masked_line(self.cards_masked))
    }
}

/// What a snippet, bulletin or script import did.
#[derive(Serialize)]
struct Knowledge {
    kind: String,
    added: usize,
    updated: usize,
    unchanged: usize,
    cards_masked: usize,
    warnings: Vec<String>,
    #[serde(skip)]
    noun: &'static str,
}

impl fmt::Display for Knowledge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: {} added, {} updated, {} unchanged", self.noun, self.added, self.updated, self.unchanged)?;
        f.write_str(&cards_masked_line(self.cards_masked))
    }
}

/// `frontline import …`: each kind read, written in one transaction and summed up.
pub(super) fn import(db: &Path, what: ImportCommand, config: Option<&Path>) -> Result<()> {
    let mut conn = store::open_workspace(db)?;
    let opts = import::records::Options { shift_seconds: 0, now: now() };
    let started = Instant::now();
    match what {
        ImportCommand::Kb { paths, json } => articles(&mut conn, &paths, json, started),
        ImportCommand::Customers { file, json } => {
            let s = records(&mut conn, &file, Records::Customers, opts, started)?;
            let done = Customers {
                kind: "customers",
                added: s.added,
                updated: s.updated,
                unchanged: s.unchanged,
                warnings: s.warnings,
            };
            emit(&done, json)
        }
        ImportCommand::Contacts { file, json } => {
            let s = records(&mut conn, &file, Records::Contacts, opts, started)?;
            let done = Contacts {
                kind: "contacts",
                added: s.added,
                already_stored: s.already_stored,
                customers_created: s.customers_created,
                cards_masked: s.cards_masked,
                warnings: s.warnings,
            };
            emit(&done, json)
        }
        ImportCommand::Snippets { path, json } => {
            knowledge("Snippets", import::knowledge::import_snippets(&mut conn, &path, now())?, json, started)
        }
        ImportCommand::Bulletins { file, json } => {
            knowledge("Bulletins", import::knowledge::import_bulletins(&mut conn, &file, opts)?, json, started)
        }
        ImportCommand::Scripts { file, json } => {
            knowledge("Scripts", import::knowledge::import_scripts(&mut conn, &file)?, json, started)
        }
        ImportCommand::Qa { file, json } => emit(&shift::import_qa(&mut conn, &file, &config_path(config)?)?, json),
    }
}

/// `frontline import customers|contacts FILE`: the file imported with a progress bar, one
/// log line with every count, and the warnings on standard error.
fn records(
    conn: &mut rusqlite::Connection,
    file: &Path,
    records: Records,
    opts: import::records::Options,
    started: Instant,
) -> Result<import::records::Summary> {
    let kind = match records {
        Records::Customers => "customers",
        Records::Contacts => "contacts",
    };
    let s = with_progress(kind, |p| import::records::import_file(conn, file, records, opts, p))?;
    tracing::info!(
        kind,
        added = s.added,
        updated = s.updated,
        customers_created = s.customers_created,
        cards_masked = s.cards_masked,
        warnings = s.warnings.len(),
        elapsed_ms = started.elapsed().as_millis(),
        "import"
    );
    report_warnings(&s.warnings)?;
    Ok(s)
}

/// `frontline import kb PATH…`: fails when not one article could be imported.
fn articles(conn: &mut rusqlite::Connection, paths: &[PathBuf], as_json: bool, started: Instant) -> Result<()> {
    let s = with_progress("articles", |p| import::kb::import_with_progress(conn, paths, now(), p))?;
    tracing::info!(
        kind = "articles",
        added = s.added,
        updated = s.updated,
        unchanged = s.unchanged,
        skipped = s.skipped.len(),
        failed = s.failed.len(),
        elapsed_ms = started.elapsed().as_millis(),
        "import"
    );
    let none = s.added + s.updated + s.unchanged == 0 && !s.failed.is_empty();
    let listed =
        |items: Vec<(PathBuf, String)>| items.into_iter().map(|(path, reason)| Listed { path, reason }).collect();
    let done = Articles {
        kind: "articles",
        added: s.added,
        updated: s.updated,
        unchanged: s.unchanged,
        skipped: listed(s.skipped),
        failed: listed(s.failed),
    };
    emit(&done, as_json)?;
    for failed in &done.failed {
        eprintln!("{}", terminal_safe(&format!("  failed {}: {}", failed.path.display(), failed.reason)));
    }
    if none {
        bail!("no article could be imported");
    }
    Ok(())
}

/// Prints what a snippet, bulletin or script import did.
fn knowledge(noun: &'static str, s: import::knowledge::Summary, as_json: bool, started: Instant) -> Result<()> {
    let kind = noun.to_lowercase();
    tracing::info!(kind = %kind, added = s.added, updated = s.updated, unchanged = s.unchanged,
        cards_masked = s.cards_masked, warnings = s.warnings.len(), elapsed_ms = started.elapsed().as_millis(), "import");
    report_warnings(&s.warnings)?;
    let done = Knowledge {
        kind,
        added: s.added,
        updated: s.updated,
        unchanged: s.unchanged,
        cards_masked: s.cards_masked,
        warnings: s.warnings,
        noun,
    };
    emit(&done, as_json)
}

/// Runs an import with a progress bar about `noun` on stderr, cleared once it is done.
fn with_progress<T>(noun: &str, import: impl FnOnce(&crate::progress::Terminal) -> Result<T>) -> Result<T> {
    use crate::progress::Progress as _;
    let progress = crate::progress::Terminal::new(noun);
    let summary = import(&progress)?;
    progress.finish();
    Ok(summary)
}
