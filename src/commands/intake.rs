//! `frontline sync` (Maildirs) and `frontline inbox` (JSON contact files): mail and files in.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use serde::Serialize;

use super::{cards_masked_line, emit, load_config, report_warnings};
use crate::domain::text::{counted, terminal_safe};
use crate::domain::time::now;
use crate::intake::{InboxSummary, SyncSummary};
use crate::store;

/// One summary per Maildir read.
#[derive(Serialize)]
#[serde(transparent)]
struct Synced(Vec<SyncSummary>);

impl fmt::Display for Synced {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for s in &self.0 {
            let reopened = if s.reopened > 0 { format!(" ({} reopened)", s.reopened) } else { String::new() };
            writeln!(
                f,
                "{}: {}, {} threaded{reopened}, {} already read, {} malformed; {}",
                s.folder.display(),
                counted(s.added, "new contact", "new contacts"),
                counted(s.threaded, "reply", "replies"),
                s.duplicates,
                s.malformed.len(),
                counted(s.customers_created, "new customer", "new customers")
            )?;
            if s.cards_masked > 0 {
                writeln!(f, "  {}", cards_masked_line(s.cards_masked).trim_end())?;
            }
            if s.linked > 0 {
                writeln!(
                    f,
                    "  {} from someone else in a customer's thread: a contact of their own, linked",
                    counted(s.linked, "message", "messages")
                )?;
            }
            if s.unanswerable > 0 {
                writeln!(
                    f,
                    "  {} whose From is not one valid address: they cannot be answered by email",
                    counted(s.unanswerable, "message", "messages")
                )?;
            }
            if s.reused_ids > 0 {
                let reused = counted(s.reused_ids, "message", "messages");
                writeln!(f, "  {reused} reusing another message's Message-ID: taken as new, noted")?;
            }
        }
        Ok(())
    }
}

/// `frontline sync [--maildir PATH]... [--json]`: reads the given Maildirs (or the
/// configured ones) into the queue; a folder that cannot be read is reported and the others
/// still synced, then the command fails.
pub(super) fn sync(db: &Path, config_file: Option<&Path>, given: Vec<PathBuf>, as_json: bool) -> Result<()> {
    let folders = if given.is_empty() { load_config(config_file)?.intake.maildirs } else { given };
    if folders.is_empty() {
        bail!(
            "sync: no Maildir to read; add [intake] maildirs = [\"~/Mail/support/INBOX\"] to the config or pass --maildir PATH"
        );
    }
    let mut conn = store::open_workspace(db)?;
    let t = now();
    let mut summaries = Vec::new();
    let mut failed = 0;
    let mut err = std::io::stderr();
    for folder in &folders {
        match crate::intake::sync_maildir(&mut conn, folder, t) {
            Ok(s) => summaries.push(s),
            Err(e) => {
                failed += 1;
                writeln!(err, "{}", terminal_safe(&format!("error: {e:#}")))?;
            }
        }
    }
    let synced = Synced(summaries);
    emit(&synced, as_json)?;
    for (file, why) in synced.0.iter().flat_map(|s| &s.malformed) {
        // One line a file, whatever its name holds (a newline in a name split the line).
        let name = file.display().to_string().replace('\n', "\\n");
        writeln!(err, "{}", terminal_safe(&format!("  malformed {name}: {why}")))?;
    }
    if failed > 0 {
        // Reading the folder or storing its mail (a full disk): each error above says which.
        bail!("sync: {failed} of {} could not be synced", counted(folders.len(), "Maildir", "Maildirs"));
    }
    Ok(())
}

/// What one pass over the inbox folder did.
#[derive(Serialize)]
#[serde(transparent)]
struct Inbox(InboxSummary);

impl fmt::Display for Inbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.0;
        let contacts: usize = s.imported.iter().map(|i| i.contacts.len()).sum();
        writeln!(
            f,
            "{}: {} imported ({}, {}), {} rejected, {} still being written",
            s.folder.display(),
            counted(s.imported.len(), "file", "files"),
            counted(contacts, "contact", "contacts"),
            counted(s.customers_created, "new customer", "new customers"),
            s.rejected.len(),
            s.pending.len()
        )?;
        if s.cards_masked > 0 {
            writeln!(f, "  {}", cards_masked_line(s.cards_masked).trim_end())?;
        }
        for r in &s.renamed {
            writeln!(f, "  renamed {} → {} (the name was not UTF-8)", r.from, r.to.display())?;
        }
        for r in &s.skipped {
            writeln!(f, "  left in place (could not be moved aside): {}", r.error)?;
        }
        if s.expired > 0 {
            let expired = counted(s.expired, "imported file", "imported files");
            writeln!(f, "  {expired} older than keep_done_days deleted from done/")?;
        }
        Ok(())
    }
}

/// `frontline inbox [PATH] [--json]`: one pass over the inbox folder (see
/// `intake::inbox`): each JSON file imported and moved to done/, or moved to rejected/.
pub(super) fn inbox(db: &Path, config_file: Option<&Path>, path: Option<PathBuf>, as_json: bool) -> Result<()> {
    let config = load_config(config_file)?;
    let dir = path.unwrap_or_else(|| config.intake.inbox_dir(db));
    let mut conn = store::open_workspace(db)?;
    let s = crate::intake::inbox::process_inbox_with(&mut conn, &dir, now(), config.intake.inbox_options())?;
    report_warnings(&s.warnings)?;
    let done = Inbox(s);
    emit(&done, as_json)?;
    let mut err = std::io::stderr();
    for r in &done.0.rejected {
        writeln!(err, "{}", terminal_safe(&format!("  rejected {}", r.error)))?;
    }
    Ok(())
}
