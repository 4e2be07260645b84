//! What each command-line invocation does. Output for people by default, `--json` for
//! scripts; errors go back to `main`, which prints one line and exits non-zero.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::json;

use crate::cli::{Cli, Command, ContactCommand, DbCommand, ImportCommand, KbCommand, NewContactArgs};
use crate::domain::time::{compact_duration, now};
use crate::store::{self, contacts, customers, kb};
use crate::{app, config, demo, import, paths};

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    let db = paths::workspace(cli.db.clone(), cli.demo)?;
    // `--demo` with any command works on the demo workspace, created on first use.
    if cli.demo && cli.db.is_none() && !matches!(cli.command, Some(Command::Demo { .. })) {
        demo::ensure(&db, now())?;
    }
    match cli.command {
        None => open_workstation(&db, cli.config.as_deref()),
        Some(Command::Demo { reset }) => demo_command(cli.db, reset),
        Some(Command::Import(what)) => import_command(&db, what),
        Some(Command::Kb(KbCommand::Search { query, limit, json })) => kb_search(&db, &query.join(" "), limit, json),
        Some(Command::Queue { json }) => queue(&db, json),
        Some(Command::Contact(ContactCommand::New(args))) => new_contact(&db, &args),
        Some(Command::Db(DbCommand::Path)) => {
            println!("{}", db.display());
            Ok(())
        }
        Some(Command::Db(DbCommand::Check)) => db_check(&db),
        Some(Command::Config { default, check }) => config_command(cli.config.as_deref(), default, check),
        Some(Command::Keys) => keys_command(cli.config.as_deref()),
        Some(Command::Report { from, to, json }) => {
            report(&db, from.as_deref(), to.as_deref(), json, &crate::domain::metrics::Settings::default())
        }
    }
}

/// The config file to read: `--config`/`FRONTLINE_CONFIG`, else the platform config dir's.
fn config_path(explicit: Option<&Path>) -> Result<PathBuf> {
    match explicit {
        Some(p) => Ok(p.to_path_buf()),
        None => Ok(paths::config_dir()?.join("config.toml")),
    }
}

fn config_command(explicit: Option<&Path>, default: bool, check: bool) -> Result<()> {
    if default {
        print!("{}", config::DEFAULT_TOML);
        return Ok(());
    }
    let path = config_path(explicit)?;
    if !check {
        let state = if path.exists() { "" } else { " (not created yet: frontline config --default > it)" };
        println!("{}{state}", path.display());
        return Ok(());
    }
    let (_, warnings) = config::load(&path)?;
    for w in &warnings {
        eprintln!("{}", w.0);
    }
    if warnings.is_empty() {
        println!("{}: ok", path.display());
        Ok(())
    } else {
        bail!("{}: {} problem(s)", path.display(), warnings.len())
    }
}

fn keys_command(explicit: Option<&Path>) -> Result<()> {
    let (config, warnings) = config::load(&config_path(explicit)?)?;
    for w in &warnings {
        eprintln!("warning: {}", w.0);
    }
    let mut out = std::io::stdout().lock();
    for scope in crate::keymap::Scope::ALL {
        writeln!(out, "[{}]", scope.name())?;
        for b in config.keymap.in_scope(scope) {
            let keys = b.keys.iter().map(crate::keymap::Key::label).collect::<Vec<_>>().join(", ");
            writeln!(out, "  {:<18} {:<16} {}", b.action.name(), keys, b.desc)?;
        }
    }
    Ok(())
}

fn open_workstation(db: &Path, config_path: Option<&Path>) -> Result<()> {
    let conn = store::open_workspace(db)?;
    let name = store::meta_get(&conn, "name")?.unwrap_or_else(|| {
        db.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "workspace".into())
    });
    drop(conn);
    let (config, warnings) = config::load(&self::config_path(config_path)?)?;
    let theme = crate::ui::theme::Theme::for_config(config.theme);
    let notice = warnings.first().map(|w| format!("{} ({} config warning(s))", w.0, warnings.len()));
    app::run(db, app::Options { workspace_name: name, config, theme, notice })
}

fn demo_command(explicit: Option<PathBuf>, reset: bool) -> Result<()> {
    let path = match explicit {
        Some(p) => p,
        None => paths::demo_db()?,
    };
    if reset {
        demo::reset(&path, now())?;
        println!("Recreated the demo workspace at {}", path.display());
    } else if path.exists() {
        store::open_workspace(&path)?;
        println!("The demo workspace is at {} (use --reset to recreate it)", path.display());
    } else {
        demo::ensure(&path, now())?;
        println!("Created the demo workspace at {}", path.display());
    }
    println!("Open it with: frontline --demo");
    Ok(())
}

fn import_command(db: &Path, what: ImportCommand) -> Result<()> {
    let mut conn = store::open_workspace(db)?;
    let opts = import::records::Options { shift_seconds: 0, now: now() };
    let mut err = std::io::stderr();
    match what {
        ImportCommand::Kb { paths } => {
            let s = import::kb::import(&mut conn, &paths, now())?;
            println!(
                "Articles: {} added, {} updated, {} unchanged, {} skipped, {} failed",
                s.added,
                s.updated,
                s.unchanged,
                s.skipped.len(),
                s.failed.len()
            );
            for (path, why) in &s.skipped {
                println!("  skipped {}: {why}", path.display());
            }
            for (path, why) in &s.failed {
                writeln!(err, "  failed {}: {why}", path.display())?;
            }
            if s.added + s.updated + s.unchanged == 0 && !s.failed.is_empty() {
                bail!("no article could be imported");
            }
        }
        ImportCommand::Customers { file } => {
            let s = import::records::import_customers(&mut conn, &file, opts)?;
            report_warnings(&s.warnings)?;
            println!("Customers: {} added, {} updated", s.added, s.updated);
        }
        ImportCommand::Contacts { file } => {
            let s = import::records::import_contacts(&mut conn, &file, opts)?;
            report_warnings(&s.warnings)?;
            println!("Contacts: {} added, {} new customers", s.added, s.customers_created);
            if s.cards_masked > 0 {
                println!("Masked {} card number(s) or security code(s)", s.cards_masked);
            }
        }
    }
    Ok(())
}

fn report_warnings(warnings: &[String]) -> Result<()> {
    let mut err = std::io::stderr();
    for w in warnings {
        writeln!(err, "warning: {w}")?;
    }
    Ok(())
}

fn kb_search(db: &Path, query: &str, limit: usize, as_json: bool) -> Result<()> {
    let conn = store::open_workspace(db)?;
    let hits = kb::search(&conn, query, limit)?;
    let mut out = std::io::stdout().lock();
    if as_json {
        serde_json::to_writer_pretty(&mut out, &hits.iter().map(|h| json!({
            "id": h.id, "title": h.title, "category": h.category, "score": h.score,
            "snippet": h.snippet.replace(crate::domain::text::MARK_START, "[").replace(crate::domain::text::MARK_END, "]"),
        })).collect::<Vec<_>>())?;
        writeln!(out)?;
        return Ok(());
    }
    if hits.is_empty() {
        writeln!(out, "No article matches “{query}”.")?;
    }
    for (i, h) in hits.iter().enumerate() {
        let snippet = h.snippet.replace([crate::domain::text::MARK_START, crate::domain::text::MARK_END], "");
        writeln!(out, "{}. {}  [{}]\n   {}", i + 1, h.title, h.category, crate::domain::text::for_display(&snippet))?;
    }
    Ok(())
}

fn queue(db: &Path, as_json: bool) -> Result<()> {
    let conn = store::open_workspace(db)?;
    let rows = contacts::queue(&conn, 0, usize::MAX >> 1)?;
    let mut out = std::io::stdout().lock();
    if as_json {
        serde_json::to_writer_pretty(&mut out, &rows)?;
        writeln!(out)?;
        return Ok(());
    }
    if rows.is_empty() {
        writeln!(out, "No contacts waiting.")?;
    }
    let t = now();
    for r in rows {
        writeln!(
            out,
            "#{:<5} P{} {:<8} {:>6}  {:<22} {}",
            r.id,
            r.priority,
            r.channel.as_str(),
            compact_duration(t - r.created_at),
            r.customer_name.as_deref().map(crate::domain::text::for_display).unwrap_or_else(|| "unknown".into()),
            crate::domain::text::for_display(&r.subject)
        )?;
    }
    Ok(())
}

fn new_contact(db: &Path, args: &NewContactArgs) -> Result<()> {
    let mut conn = store::open_workspace(db)?;
    let t = now();
    let id = store::write(&mut conn, |tx| -> Result<i64> {
        let customer_id = match &args.customer {
            None => None,
            Some(key) => {
                let found = match customers::find_by_key(tx, key)? {
                    Some(id) => Some(id),
                    None => customers::find_or_create_by_identity(tx, key, t)?,
                };
                Some(found.with_context(|| {
                    format!("--customer: no customer matches \"{key}\", and it is not an email, phone or @handle to create one from")
                })?)
            }
        };
        let masked = crate::domain::text::mask_card_numbers(&crate::domain::text::sanitize(&args.body));
        let mut c =
            contacts::NewContact::waiting(args.channel.into(), &crate::domain::text::sanitize(args.subject.trim()), t);
        if c.subject.is_empty() {
            bail!("--subject: must not be empty");
        }
        c.customer_id = customer_id;
        c.body = masked.text;
        c.priority = args.priority;
        Ok(contacts::insert(tx, &c)?)
    })?;
    if args.json {
        println!("{}", json!({ "id": id }));
    } else {
        println!("Contact #{id} is waiting in the queue");
    }
    Ok(())
}

/// `frontline report`: the metrics of DESIGN.md section 4 over whole local days or a time
/// range; `settings` carries the SLA targets and FCR window.
fn report(
    db: &Path,
    from: Option<&str>,
    to: Option<&str>,
    as_json: bool,
    settings: &crate::domain::metrics::Settings,
) -> Result<()> {
    let today = chrono::TimeZone::timestamp_opt(&chrono::Local, now(), 0)
        .single()
        .map(|t| t.date_naive())
        .context("the system clock is out of range")?;
    let (start, end) = crate::domain::metrics::parse_window(from, to, today, &chrono::Local)?;
    let conn = store::open_workspace(db)?;
    let report = store::report::report(&conn, start, end, settings)?;
    let mut out = std::io::stdout().lock();
    if as_json {
        serde_json::to_writer_pretty(&mut out, &report.to_json(&chrono::Local))?;
        writeln!(out)?;
    } else {
        write!(out, "{}", report.to_table(&chrono::Local))?;
    }
    Ok(())
}

fn db_check(db: &Path) -> Result<()> {
    let conn = store::open_workspace(db)?;
    let verdict: String =
        conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).context("running the integrity check")?;
    if verdict != "ok" {
        bail!("{}: integrity check failed: {verdict}", db.display());
    }
    println!("{}: ok ({} customers, {} articles)", db.display(), customers::count(&conn)?, kb::count(&conn)?);
    Ok(())
}
