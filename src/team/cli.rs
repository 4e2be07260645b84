//! `frontline team status|sync|take`: each builds a serialisable value; [`run`] prints it
//! for people or as JSON.

use std::path::Path;

use anyhow::{Result, bail};
use rusqlite::Connection;
use serde::Serialize;

use super::config::TeamSettings;
use super::sync::{ClaimOutcome, PullSummary, PushSummary, claim, pull, push};
use super::{HelpDesk, TicketId, engine};
use crate::cli::TeamCommand;
use crate::store::{self, team as journal};

/// `team status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Status {
    pub backend: &'static str,
    pub url: String,
    pub user: String,
    pub online: bool,
    /// RFC 3339, `null` before the first sync.
    pub last_sync: Option<String>,
    pub pending: i64,
}

/// `team sync`: one push of the journal, then one pull of changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub push: PushSummary,
    pub pull: PullSummary,
}

/// `team take`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TakeReport {
    pub ticket: String,
    pub taken: bool,
    pub owner: String,
}

/// The `[team]` settings from the config file, or a one-line refusal.
pub fn settings(config_file: &Path) -> Result<TeamSettings> {
    let (config, warnings) = crate::config::load(config_file)?;
    if let Some(team) = config.team {
        return Ok(team);
    }
    match warnings.iter().find(|w| w.0.contains(": team.")) {
        Some(w) => bail!("{}", w.0),
        None => bail!("team mode is off: {} has no [team] table", config_file.display()),
    }
}

/// `team status`: asks the help desk once whether it answers.
pub fn status(conn: &Connection, engine: &dyn HelpDesk) -> Result<Status> {
    let online = engine.ping().is_ok();
    Ok(Status {
        backend: engine.backend(),
        url: engine.url().to_string(),
        user: engine.user().to_string(),
        online,
        last_sync: journal::last_sync(conn)?.map(rfc3339),
        pending: journal::pending_count(conn)?,
    })
}

/// `team sync`.
pub fn sync(conn: &mut Connection, engine: &dyn HelpDesk, queues: &[String]) -> Result<SyncReport> {
    let push = push(conn, engine)?;
    let pull = pull(conn, engine, queues)?;
    Ok(SyncReport { push, pull })
}

/// `team take`: takes the ticket and, when it is ours, accepts its waiting contact.
pub fn take(conn: &mut Connection, engine: &dyn HelpDesk, ticket: &str) -> Result<TakeReport> {
    let id = TicketId(ticket.trim().trim_start_matches('#').to_string());
    let outcome = claim(conn, engine, &id)?;
    if outcome == ClaimOutcome::Taken
        && let Some(row) = journal::ticket(conn, engine.backend(), &id.0)?
    {
        let now = crate::domain::time::now();
        store::write(conn, |tx| store::contacts::apply_step(tx, row.contact_id, &store::contacts::Step::Accept, now))?
            .ok(); // Already accepted (taken before): nothing to do.
    }
    Ok(match outcome {
        ClaimOutcome::Taken => TakeReport { ticket: id.0, taken: true, owner: engine.user().to_string() },
        ClaimOutcome::TakenBy(owner) => TakeReport { ticket: id.0, taken: false, owner },
    })
}

fn rfc3339(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0).map(|t| t.to_rfc3339()).unwrap_or_default()
}

/// Runs `frontline team …` on the workspace `db` with the config file `config_file`.
pub fn run(db: &Path, config_file: Option<&Path>, command: TeamCommand) -> Result<()> {
    let config_file = match config_file {
        Some(p) => p.to_path_buf(),
        None => crate::paths::config_dir()?.join("config.toml"),
    };
    let settings = settings(&config_file)?;
    let engine = engine(&settings)?;
    let mut conn = store::open_workspace(db)?;
    match command {
        TeamCommand::Status { json } => {
            let s = status(&conn, engine.as_ref())?;
            print(json, &s, || {
                format!(
                    "{} {} as {}: {}, last sync {}, {} waiting",
                    s.backend,
                    s.url,
                    s.user,
                    if s.online { "online" } else { "offline" },
                    s.last_sync.as_deref().unwrap_or("never"),
                    s.pending
                )
            })
        }
        TeamCommand::Sync { json } => {
            let r = sync(&mut conn, engine.as_ref(), &settings.queues)?;
            print(json, &r, || sync_text(&r))
        }
        TeamCommand::Take { ticket, json } => {
            let r = take(&mut conn, engine.as_ref(), &ticket)?;
            if json || r.taken {
                print(json, &r, || format!("ticket {} is yours", r.ticket))?;
            }
            if !r.taken {
                bail!("ticket {} is taken by {}", r.ticket, r.owner);
            }
            Ok(())
        }
    }
}

fn sync_text(r: &SyncReport) -> String {
    let mut lines = vec![format!(
        "{}: sent {}, confirmed {}, kept as drafts {}, refused {}, {} waiting; {} changes, {} new, {} gone",
        if r.push.online && r.pull.online { "online" } else { "offline" },
        r.push.sent,
        r.push.confirmed,
        r.push.drafts,
        r.push.refused,
        r.push.pending,
        r.pull.changes,
        r.pull.new_contacts,
        r.pull.gone
    )];
    lines.extend(r.push.notices.iter().chain(&r.pull.notices).cloned());
    lines.join("\n")
}

fn print<T: Serialize>(json: bool, value: &T, text: impl FnOnce() -> String) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(value)?);
    } else {
        println!("{}", text());
    }
    Ok(())
}
