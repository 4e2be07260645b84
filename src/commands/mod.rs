//! What each command-line invocation does, one module per subcommand. Each command builds a
//! result value that [`emit`] prints: its `Display` for people, its `Serialize` shape with
//! `--json` for scripts. Errors go back to `main`, which prints one line and exits non-zero.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::cli::{Cli, Command, CustomerCommand, DbCommand, FollowUpCommand, KbCommand, KbDraftCommand};
use crate::domain::invocation::Invocation;
use crate::domain::text::{counted, terminal_safe};
use crate::domain::time::now;
use crate::store::{self, customers};
use crate::{app, config, demo, paths};

mod config_cmd;
mod contact;
mod customer;
mod db;
mod demo_cmd;
mod export;
mod followups;
mod help;
mod import;
mod intake;
mod kb;
mod queue;
mod report;
mod shift;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    let db = paths::workspace(cli.db.clone(), cli.demo)?;
    // `--db` wins over `--demo`, as in `paths::workspace`.
    let on = Workspace { invocation: Invocation::new(cli.db.as_deref(), cli.demo), demo: cli.demo && cli.db.is_none() };
    // `--demo` with any command works on the demo workspace, created on first use.
    if on.demo && !matches!(cli.command, Some(Command::Demo { .. })) {
        demo::ensure(&db, now())?;
    }
    tracing::info!(workspace = %crate::logging::file_name(&db), demo = cli.demo, "workspace");
    let result = match cli.command {
        None => open_workstation(&db, cli.config.as_deref(), on),
        Some(command) => dispatch(command, &db, cli.db, &on, cli.config.as_deref()),
    };
    // A full disk or a file made read-only mid-command surfaces from SQLite without a file
    // name; say which workspace and what it means.
    result.map_err(|e| store::open::explain_storage_error(e, &db))
}

/// How the command line chose the workspace.
struct Workspace {
    /// How a command names it, for hints that show one.
    invocation: Invocation,
    /// It is the demo workspace (its replies go to folders beside it, see
    /// [`demo::reply_defaults`]).
    demo: bool,
}

/// Runs one subcommand on the workspace `db` (`explicit_db` is `--db` as given).
fn dispatch(
    command: Command,
    db: &Path,
    explicit_db: Option<PathBuf>,
    on: &Workspace,
    config: Option<&Path>,
) -> Result<()> {
    match command {
        Command::Demo { reset, json } => emit(&demo_cmd::demo(explicit_db, reset)?, json),
        Command::Import(what) => import::import(db, what, config),
        Command::Status { state, json } => emit(&shift::status(db, state)?, json),
        Command::Schedule(what) => shift::schedule(db, what),
        Command::Kudos { command, json } => shift::kudos(db, command, json),
        Command::Kb(KbCommand::Search { query, limit, json }) => emit(&kb::search(db, &query.join(" "), limit)?, json),
        Command::Kb(KbCommand::Draft(KbDraftCommand::FromContact { id, json })) => {
            emit(&kb::draft_from_contact(db, id, &on.invocation)?, json)
        }
        Command::Kb(KbCommand::Draft(KbDraftCommand::List { json })) => emit(&kb::draft_list(db)?, json),
        Command::Kb(KbCommand::Draft(KbDraftCommand::Export { id, out })) => kb::draft_export(db, id, out.as_deref()),
        Command::Queue { json } => emit(&queue::queue(db)?, json),
        Command::Sync { maildir, json } => intake::sync(db, config, maildir, json),
        Command::Inbox { path, json } => intake::inbox(db, config, path, json),
        Command::Contact(command) => contact::run(db, config, command, on.demo),
        Command::Followups { due, json } => emit(&followups::list(db, due)?, json),
        Command::Followup(FollowUpCommand::Done { id, json }) => emit(&followups::done(db, id)?, json),
        Command::Customer(CustomerCommand::Show { key, json }) => emit(&customer::show(db, &key)?, json),
        Command::Customer(CustomerCommand::Search { query, limit, json }) => {
            emit(&customer::search(db, &query.join(" "), limit)?, json)
        }
        Command::Customer(CustomerCommand::Forget { key, yes, json }) => {
            let (settings, _) = config::load(&config_path(config)?)?;
            emit(&customer::forget(db, &key, yes, &settings.intake.inbox_dir(db))?, json)
        }
        Command::Export(args) => export::export(db, &args),
        Command::Db(DbCommand::Path { json }) => emit(&db::path(db), json),
        Command::Db(DbCommand::Check { json }) => db::check(db, json),
        Command::Db(DbCommand::Backup { file, force, json }) => emit(&db::backup(db, &file, force)?, json),
        Command::Config { default, check, json } => config_cmd::config(config, default, check, json),
        Command::Keys { json } => emit(&config_cmd::keys(config)?, json),
        Command::Completions { shell } => help::completions(shell),
        Command::Man { out } => help::man_pages(out.as_deref()),
        Command::Team(what) => crate::team::cli::run(db, config, what),
        Command::Report { from, to, json } => {
            let (settings, _) = config::load(&config_path(config)?)?;
            emit(&report::report(db, from.as_deref(), to.as_deref(), &settings.metric_settings())?, json)
        }
    }
}

/// Prints a command's result: as pretty JSON with `--json`, else as its text. A reader
/// that closed the pipe surfaces as an `io::Error` (`frontline queue | head`), which `main`
/// treats as success.
pub(crate) fn emit<T: serde::Serialize + std::fmt::Display>(value: &T, as_json: bool) -> Result<()> {
    let mut out = std::io::stdout().lock();
    if as_json {
        writeln!(out, "{}", serde_json::to_string_pretty(value)?)?;
    } else {
        write!(out, "{}", terminal_safe(&value.to_string()))?;
    }
    out.flush()?;
    Ok(())
}

/// The config file to read: `--config`/`FRONTLINE_CONFIG`, else the platform config dir's.
fn config_path(explicit: Option<&Path>) -> Result<PathBuf> {
    match explicit {
        Some(p) => Ok(p.to_path_buf()),
        None => Ok(paths::config_dir()?.join("config.toml")),
    }
}

/// The config as the commands read it: defaults when the file does not exist.
fn load_config(explicit: Option<&Path>) -> Result<config::Config> {
    Ok(config::load(&config_path(explicit)?)?.0)
}

/// Runs the workstation on `db`.
fn open_workstation(db: &Path, config_path: Option<&Path>, on: Workspace) -> Result<()> {
    let conn = store::open_workspace(db)?;
    let name = store::meta_get(&conn, "name")?.unwrap_or_else(|| {
        db.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "workspace".into())
    });
    drop(conn);
    let (mut config, warnings) = config::load(&self::config_path(config_path)?)?;
    if on.demo {
        demo::reply_defaults(&mut config.intake, db);
    }
    let theme = crate::theme::Theme::for_config(config.theme);
    let notice =
        warnings.first().map(|w| format!("{} ({})", w.0, counted(warnings.len(), "config warning", "config warnings")));
    tracing::info!(config_warnings = warnings.len(), "workstation opening");
    let result = app::run(db, app::Options { workspace_name: name, config, theme, notice, invocation: on.invocation });
    tracing::info!(ok = result.is_ok(), "workstation closed");
    result
}

/// Prints an import's warnings on stderr, one `warning: …` line each.
fn report_warnings(warnings: &[String]) -> Result<()> {
    let mut err = std::io::stderr();
    for w in warnings {
        writeln!(err, "{}", terminal_safe(&format!("warning: {w}")))?;
    }
    Ok(())
}

/// The line saying how many card numbers an import masked, if any.
fn cards_masked_line(n: usize) -> String {
    if n > 0 {
        format!("Masked {}\n", counted(n, "card number or security code", "card numbers or security codes"))
    } else {
        String::new()
    }
}

/// The one-line error for a customer key that matches nobody.
fn unknown_customer(key: &str) -> anyhow::Error {
    anyhow::anyhow!("customer \"{key}\": no customer has that email, phone, handle, order number or id")
}

fn resolve_customer(conn: &rusqlite::Connection, key: &str) -> Result<crate::domain::Id> {
    customers::find_by_key(conn, key)?.ok_or_else(|| unknown_customer(key))
}

/// A time in JSON output: RFC 3339 in UTC, as the exports write it.
fn rfc3339(ts: crate::domain::Timestamp) -> String {
    crate::export::rfc3339(ts)
}

/// Serialises an optional time as RFC 3339 (or null), for `#[serde(serialize_with)]`.
fn opt_rfc3339<S: serde::Serializer>(ts: &Option<crate::domain::Timestamp>, s: S) -> Result<S::Ok, S::Error> {
    match ts {
        Some(t) => s.serialize_str(&rfc3339(*t)),
        None => s.serialize_none(),
    }
}

/// Serialises a time as RFC 3339, for `#[serde(serialize_with)]`.
fn as_rfc3339<S: serde::Serializer>(ts: &crate::domain::Timestamp, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&rfc3339(*ts))
}
