//! What each command-line invocation does. Output for people by default, `--json` for
//! scripts; errors go back to `main`, which prints one line and exits non-zero.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::json;

use crate::cli::{Cli, Command, ContactCommand, DbCommand, ImportCommand, KbCommand, NewContactArgs};
use crate::domain::time::{compact_duration, now};
use crate::import::records::Records;
use crate::progress::Progress as _;
use crate::store::{self, contacts, customers, kb};
use crate::{app, config, demo, import, paths};

mod shift;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    let db = paths::workspace(cli.db.clone(), cli.demo)?;
    // `--demo` with any command works on the demo workspace, created on first use.
    if cli.demo && cli.db.is_none() && !matches!(cli.command, Some(Command::Demo { .. })) {
        demo::ensure(&db, now())?;
    }
    tracing::info!(workspace = %crate::logging::file_name(&db), demo = cli.demo, "workspace");
    let result = match cli.command {
        None => open_workstation(&db, cli.config.as_deref()),
        Some(Command::Demo { reset, json }) => demo_command(cli.db, reset, json),
        Some(Command::Import(what)) => import_command(&db, what, cli.config.as_deref()),
        Some(Command::Status { state, json }) => shift::status(&db, state, json),
        Some(Command::Schedule(what)) => shift::schedule(&db, what),
        Some(Command::Kudos { command, json }) => shift::kudos(&db, command, json),
        Some(Command::Kb(KbCommand::Search { query, limit, json })) => kb_search(&db, &query.join(" "), limit, json),
        Some(Command::Queue { json }) => queue(&db, json),
        Some(Command::Sync { maildir, json }) => sync_command(&db, cli.config.as_deref(), maildir, json),
        Some(Command::Inbox { path, json }) => inbox_command(&db, cli.config.as_deref(), path, json),
        Some(Command::Contact(ContactCommand::New(args))) => new_contact(&db, &args),
        Some(Command::Customer(crate::cli::CustomerCommand::Show { key, json })) => customer_show(&db, &key, json),
        Some(Command::Customer(crate::cli::CustomerCommand::Forget { key, yes, json })) => {
            customer_forget(&db, &key, yes, json)
        }
        Some(Command::Export(args)) => export_command(&db, &args),
        Some(Command::Db(DbCommand::Path { json })) => {
            if json {
                println!("{}", json!({ "path": db, "exists": db.exists() }));
            } else {
                println!("{}", db.display());
            }
            Ok(())
        }
        Some(Command::Db(DbCommand::Check { json })) => db_check(&db, json),
        Some(Command::Db(DbCommand::Backup { file, force, json })) => db_backup(&db, &file, force, json),
        Some(Command::Config { default, check, json }) => config_command(cli.config.as_deref(), default, check, json),
        Some(Command::Keys { json }) => keys_command(cli.config.as_deref(), json),
        Some(Command::Completions { shell }) => completions(shell),
        Some(Command::Man { out }) => man_pages(out.as_deref()),
        Some(Command::Team(what)) => crate::team::cli::run(&db, cli.config.as_deref(), what),
        Some(Command::Report { from, to, json }) => {
            let (config, _) = config::load(&config_path(cli.config.as_deref())?)?;
            report(&db, from.as_deref(), to.as_deref(), json, &config.metric_settings())
        }
    };
    // A full disk or a file made read-only mid-command surfaces from SQLite without a file
    // name; say which workspace and what it means.
    result.map_err(|e| store::open::explain_storage_error(e, &db))
}

/// The config file to read: `--config`/`FRONTLINE_CONFIG`, else the platform config dir's.
fn config_path(explicit: Option<&Path>) -> Result<PathBuf> {
    match explicit {
        Some(p) => Ok(p.to_path_buf()),
        None => Ok(paths::config_dir()?.join("config.toml")),
    }
}

fn config_command(explicit: Option<&Path>, default: bool, check: bool, as_json: bool) -> Result<()> {
    if default {
        print!("{}", config::DEFAULT_TOML);
        return Ok(());
    }
    let path = config_path(explicit)?;
    if !check {
        if as_json {
            println!("{}", json!({ "path": path, "exists": path.exists() }));
            return Ok(());
        }
        let state = if path.exists() { "" } else { " (not created yet: frontline config --default > it)" };
        println!("{}{state}", path.display());
        return Ok(());
    }
    let (_, warnings) = match config::load(&path) {
        Ok(loaded) => loaded,
        Err(e) if as_json => {
            // Not TOML at all: one problem, the whole file.
            let text = e.to_string();
            println!("{}", json!({ "path": path, "ok": false, "problems": [config_problem(&path, &text)] }));
            return Err(e);
        }
        Err(e) => return Err(e),
    };
    if as_json {
        let problems: Vec<_> = warnings.iter().map(|w| config_problem(&path, &w.0)).collect();
        println!("{}", json!({ "path": path, "ok": warnings.is_empty(), "problems": problems }));
        if warnings.is_empty() {
            return Ok(());
        }
        bail!("{}: {} problem(s)", path.display(), warnings.len());
    }
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

/// A config problem ("FILE:LINE: key: message") as `{line, key, message}` for `--json`.
fn config_problem(path: &Path, text: &str) -> serde_json::Value {
    let origin = path.display().to_string();
    let rest = text.strip_prefix(&origin).and_then(|r| r.strip_prefix(':')).unwrap_or(text);
    let (line, rest) = match rest.split_once(": ") {
        Some((n, r)) if n.parse::<u64>().is_ok() => (n.parse::<u64>().ok(), r),
        _ => (None, rest),
    };
    let (key, message) = match rest.split_once(": ") {
        Some((k, m)) if !k.contains(' ') => (Some(k), m),
        _ => (None, rest),
    };
    json!({ "line": line, "key": key, "message": message, "text": text })
}

fn keys_command(explicit: Option<&Path>, as_json: bool) -> Result<()> {
    let (config, warnings) = config::load(&config_path(explicit)?)?;
    for w in &warnings {
        eprintln!("warning: {}", w.0);
    }
    let mut out = std::io::stdout().lock();
    if as_json {
        let rows: Vec<_> = crate::keymap::Scope::ALL
            .into_iter()
            .flat_map(|scope| config.keymap.in_scope(scope).map(move |b| (scope, b)))
            .map(|(scope, b)| {
                json!({
                    "scope": scope.name(),
                    "action": b.action.name(),
                    "keys": b.keys.iter().map(crate::keymap::Key::label).collect::<Vec<_>>(),
                    "desc": b.desc,
                })
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?;
        return Ok(());
    }
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
    let theme = crate::theme::Theme::for_config(config.theme);
    let notice = warnings.first().map(|w| format!("{} ({} config warning(s))", w.0, warnings.len()));
    tracing::info!(config_warnings = warnings.len(), "workstation opening");
    let result = app::run(db, app::Options { workspace_name: name, config, theme, notice });
    tracing::info!(ok = result.is_ok(), "workstation closed");
    result
}

fn demo_command(explicit: Option<PathBuf>, reset: bool, as_json: bool) -> Result<()> {
    let path = match explicit {
        Some(p) => p,
        None => paths::demo_db()?,
    };
    let action = if reset {
        let existed = path.exists();
        demo::reset(&path, now())?;
        if existed { "recreated" } else { "created" }
    } else if path.exists() {
        store::open_workspace(&path)?;
        "exists"
    } else {
        demo::ensure(&path, now())?;
        "created"
    };
    tracing::info!(action, "demo workspace");
    if as_json {
        println!("{}", json!({ "path": path, "action": action }));
        return Ok(());
    }
    match action {
        "recreated" => println!("Recreated the demo workspace at {}", path.display()),
        "exists" => println!("The demo workspace is at {} (use --reset to recreate it)", path.display()),
        _ => println!("Created the demo workspace at {}", path.display()),
    }
    println!("Open it with: frontline --demo");
    Ok(())
}

/// `frontline completions SHELL`: the completion script on stdout.
fn completions(shell: clap_complete::Shell) -> Result<()> {
    use clap::CommandFactory;
    let mut out = std::io::stdout().lock();
    clap_complete::generate(shell, &mut Cli::command(), "frontline", &mut out);
    out.flush()?;
    Ok(())
}

/// `frontline man [--out DIR]`: the main page on stdout, or every page into DIR.
fn man_pages(out_dir: Option<&Path>) -> Result<()> {
    use clap::CommandFactory;
    let cmd = Cli::command();
    match out_dir {
        None => {
            let mut out = std::io::stdout().lock();
            clap_mangen::Man::new(cmd).render(&mut out)?;
            out.flush()?;
        }
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("{}: cannot create the folder", dir.display()))?;
            clap_mangen::generate_to(cmd, dir).with_context(|| format!("{}: cannot write man pages", dir.display()))?;
            let pages = std::fs::read_dir(dir)
                .with_context(|| format!("{}: cannot read", dir.display()))?
                .filter_map(|e| e.ok())
                .filter(|e| e.path().extension().is_some_and(|x| x == "1"))
                .count();
            println!("Wrote {pages} man pages to {}", dir.display());
        }
    }
    Ok(())
}

fn import_command(db: &Path, what: ImportCommand, config: Option<&Path>) -> Result<()> {
    let mut conn = store::open_workspace(db)?;
    let opts = import::records::Options { shift_seconds: 0, now: now() };
    let started = std::time::Instant::now();
    let mut err = std::io::stderr();
    match what {
        ImportCommand::Kb { paths, json } => {
            let s = with_progress("articles", |p| import::kb::import_with_progress(&mut conn, &paths, now(), p))?;
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
            if json {
                let listed = |items: &[(PathBuf, String)]| {
                    items.iter().map(|(p, why)| json!({ "path": p, "reason": why })).collect::<Vec<_>>()
                };
                println!(
                    "{}",
                    json!({
                        "kind": "articles", "added": s.added, "updated": s.updated, "unchanged": s.unchanged,
                        "skipped": listed(&s.skipped), "failed": listed(&s.failed),
                    })
                );
            } else {
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
            }
            if none {
                bail!("no article could be imported");
            }
        }
        ImportCommand::Customers { file, json } => {
            let s = with_progress("customers", |p| {
                import::records::import_file(&mut conn, &file, Records::Customers, opts, p)
            })?;
            tracing::info!(
                kind = "customers",
                added = s.added,
                updated = s.updated,
                warnings = s.warnings.len(),
                elapsed_ms = started.elapsed().as_millis(),
                "import"
            );
            if json {
                println!(
                    "{}",
                    json!({ "kind": "customers", "added": s.added, "updated": s.updated, "warnings": s.warnings })
                );
            } else {
                report_warnings(&s.warnings)?;
                println!("Customers: {} added, {} updated", s.added, s.updated);
            }
        }
        ImportCommand::Contacts { file, json } => {
            let s = with_progress("contacts", |p| {
                import::records::import_file(&mut conn, &file, Records::Contacts, opts, p)
            })?;
            tracing::info!(
                kind = "contacts",
                added = s.added,
                customers_created = s.customers_created,
                cards_masked = s.cards_masked,
                warnings = s.warnings.len(),
                elapsed_ms = started.elapsed().as_millis(),
                "import"
            );
            if json {
                println!(
                    "{}",
                    json!({
                        "kind": "contacts", "added": s.added, "customers_created": s.customers_created,
                        "cards_masked": s.cards_masked, "warnings": s.warnings,
                    })
                );
            } else {
                report_warnings(&s.warnings)?;
                println!("Contacts: {} added, {} new customers", s.added, s.customers_created);
                report_cards_masked(s.cards_masked);
            }
        }
        ImportCommand::Snippets { path, json } => {
            let s = import::knowledge::import_snippets(&mut conn, &path, now())?;
            knowledge_summary("Snippets", &s, json, started)?;
        }
        ImportCommand::Bulletins { file, json } => {
            let s = import::knowledge::import_bulletins(&mut conn, &file, opts)?;
            knowledge_summary("Bulletins", &s, json, started)?;
        }
        ImportCommand::Scripts { file, json } => {
            let s = import::knowledge::import_scripts(&mut conn, &file)?;
            knowledge_summary("Scripts", &s, json, started)?;
        }
        ImportCommand::Qa { file, json } => shift::import_qa(&mut conn, &file, json, &config_path(config)?)?,
    }
    Ok(())
}

/// Prints what a snippet, bulletin or script import did.
fn knowledge_summary(
    noun: &str,
    s: &import::knowledge::Summary,
    as_json: bool,
    started: std::time::Instant,
) -> Result<()> {
    let kind = noun.to_lowercase();
    tracing::info!(
        kind = %kind,
        added = s.added,
        updated = s.updated,
        unchanged = s.unchanged,
        cards_masked = s.cards_masked,
        warnings = s.warnings.len(),
        elapsed_ms = started.elapsed().as_millis(),
        "import"
    );
    if as_json {
        println!(
            "{}",
            json!({
                "kind": kind, "added": s.added, "updated": s.updated, "unchanged": s.unchanged,
                "cards_masked": s.cards_masked, "warnings": s.warnings,
            })
        );
        return Ok(());
    }
    report_warnings(&s.warnings)?;
    println!("{noun}: {} added, {} updated, {} unchanged", s.added, s.updated, s.unchanged);
    report_cards_masked(s.cards_masked);
    Ok(())
}

/// `frontline export snippets [--out FILE]`: JSON that `frontline import snippets` reads.
fn export_snippets(conn: &rusqlite::Connection, args: &crate::cli::ExportArgs) -> Result<()> {
    if args.format != crate::cli::ExportFormat::Json {
        bail!("--format: snippets are exported as json only");
    }
    if args.from.is_some() || args.to.is_some() || args.customer.is_some() {
        bail!("export snippets: --from, --to and --customer do not apply to snippets");
    }
    match &args.out {
        Some(path) => {
            let mut file = std::io::BufWriter::new(crate::export::create_private(path)?);
            let n = import::knowledge::write_snippets(conn, &mut file)?;
            file.flush().with_context(|| format!("{}: cannot write", path.display()))?;
            println!("Exported {n} snippets to {} (json)", path.display());
        }
        None => {
            let mut out = std::io::stdout().lock();
            import::knowledge::write_snippets(conn, &mut out)?;
            out.flush()?;
        }
    }
    Ok(())
}

/// Runs an import with a progress bar about `noun` on stderr, cleared once it is done.
fn with_progress<T>(noun: &str, import: impl FnOnce(&crate::progress::Terminal) -> Result<T>) -> Result<T> {
    let progress = crate::progress::Terminal::new(noun);
    let summary = import(&progress)?;
    progress.finish();
    Ok(summary)
}

/// Prints an import's warnings on stderr, one `warning: …` line each.
fn report_warnings(warnings: &[String]) -> Result<()> {
    let mut err = std::io::stderr();
    for w in warnings {
        writeln!(err, "warning: {w}")?;
    }
    Ok(())
}

/// Says how many card numbers an import masked, if any.
fn report_cards_masked(n: usize) {
    if n > 0 {
        println!("Masked {n} card number(s) or security code(s)");
    }
}

fn kb_search(db: &Path, query: &str, limit: usize, as_json: bool) -> Result<()> {
    let conn = store::open_workspace(db)?;
    let started = std::time::Instant::now();
    let hits = kb::search(&conn, query, limit)?;
    // The query itself is the rep's text: only its size goes in the log.
    tracing::debug!(
        query_chars = query.chars().count(),
        results = hits.len(),
        elapsed_us = started.elapsed().as_micros(),
        "kb search"
    );
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
        writeln!(out, "No article matches “{}”.", crate::domain::text::for_display(query))?;
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
            "#{:<5} P{} {:<9} {:>6}  {:<22} {}",
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
    let report = store::report::report_as_of(&conn, start, end, settings, now())?;
    let mut out = std::io::stdout().lock();
    if as_json {
        // Serialised first so a closed pipe surfaces as an io::Error (`frontline report | head`).
        writeln!(out, "{}", serde_json::to_string_pretty(&report.to_json(&chrono::Local))?)?;
    } else {
        write!(out, "{}", report.to_table(&chrono::Local))?;
    }
    Ok(())
}

fn db_check(db: &Path, as_json: bool) -> Result<()> {
    let conn = store::open_workspace(db)?;
    let verdict = store::integrity_check(&conn).context("running the integrity check")?;
    tracing::info!(ok = verdict == "ok", "integrity check");
    if verdict != "ok" {
        if as_json {
            println!("{}", json!({ "path": db, "ok": false, "integrity": verdict }));
        }
        bail!("{}: integrity check failed: {verdict}", db.display());
    }
    let (n_customers, n_articles) = (customers::count(&conn)?, kb::count(&conn)?);
    if as_json {
        println!(
            "{}",
            json!({ "path": db, "ok": true, "integrity": verdict, "customers": n_customers, "articles": n_articles })
        );
    } else {
        println!("{}: ok ({n_customers} customers, {n_articles} articles)", db.display());
    }
    Ok(())
}

/// The one-line error for a customer key that matches nobody.
fn unknown_customer(key: &str) -> anyhow::Error {
    anyhow::anyhow!("customer \"{key}\": no customer has that email, phone, handle, order number or id")
}

fn resolve_customer(conn: &rusqlite::Connection, key: &str) -> Result<crate::domain::Id> {
    customers::find_by_key(conn, key)?.ok_or_else(|| unknown_customer(key))
}

/// An amount with its currency, as the Customer pane shows it (`$12.30`, `-€4.00`).
fn money(cents: i64, currency: &str) -> String {
    let amount = crate::export::decimal(cents);
    let (sign, amount) = amount.strip_prefix('-').map_or(("", amount.as_str()), |a| ("-", a));
    match currency {
        "USD" => format!("{sign}${amount}"),
        "CAD" => format!("{sign}CA${amount}"),
        "EUR" => format!("{sign}€{amount}"),
        "GBP" => format!("{sign}£{amount}"),
        other => format!("{sign}{amount} {}", crate::domain::text::for_display(other)),
    }
}

/// `frontline customer show KEY [--json]`: the whole record, as the Customer pane shows it.
fn customer_show(db: &Path, key: &str, as_json: bool) -> Result<()> {
    use crate::domain::text::for_display;
    use crate::domain::time::{local_date, local_datetime};
    let conn = store::open_workspace(db)?;
    let id = resolve_customer(&conn, key)?;
    let record = customers::record(&conn, id)?.ok_or_else(|| unknown_customer(key))?;
    let history = store::profile::history(&conn, id)?;
    let mut balance = 0i64;
    let balances: Vec<i64> = record
        .billing
        .iter()
        .map(|b| {
            balance += match b.kind.as_str() {
                "charge" => b.amount_cents,
                "refund" | "credit" => -b.amount_cents,
                _ => 0,
            };
            balance
        })
        .collect();
    let mut out = std::io::stdout().lock();
    if as_json {
        let mut value = serde_json::to_value(&record)?;
        if let Some(map) = value.as_object_mut() {
            map.insert("balance_cents".into(), json!(balance));
            map.insert("history".into(), serde_json::to_value(&history)?);
        }
        serde_json::to_writer_pretty(&mut out, &value)?;
        writeln!(out)?;
        return Ok(());
    }
    let c = &record.customer;
    let opt = |v: &Option<String>| v.as_deref().map_or_else(|| "—".to_string(), for_display);
    writeln!(out, "{} (#{})", for_display(&c.name), c.id)?;
    writeln!(
        out,
        "  Company: {}  Tier: {}  Language: {}  Time zone: {}",
        opt(&c.company),
        opt(&c.tier),
        opt(&c.language),
        opt(&c.timezone)
    )?;
    let flags: Vec<&str> = [(c.vip, "VIP"), (c.fraud_watch, "FRAUD WATCH"), (c.do_not_contact, "DO NOT CONTACT")]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect();
    writeln!(out, "  Flags: {}", if flags.is_empty() { "none".to_string() } else { flags.join(", ") })?;
    if let Some(note) = &c.pinned_note {
        writeln!(out, "  Pinned: {}", for_display(note))?;
    }
    writeln!(out, "\nIdentities ({})", record.identities.len())?;
    for i in &record.identities {
        writeln!(out, "  {:<6} {}", i.kind.as_str(), for_display(&i.value))?;
    }
    writeln!(out, "\nOrders ({})", record.orders.len())?;
    for o in &record.orders {
        writeln!(
            out,
            "  {}  {}  {:<10} {:>10}  {}",
            for_display(&o.number),
            local_date(o.placed_at),
            for_display(&o.status),
            money(o.total_cents, &o.currency),
            for_display(&o.items)
        )?;
        if o.carrier.is_some() || o.tracking.is_some() {
            writeln!(out, "      {} {}", opt(&o.carrier), opt(&o.tracking))?;
        }
    }
    let currency = record.billing.last().map_or("USD", |b| b.currency.as_str());
    writeln!(out, "\nBilling ({}, balance {})", record.billing.len(), money(balance, currency))?;
    for (b, bal) in record.billing.iter().zip(&balances) {
        writeln!(
            out,
            "  {}  {:<8} {:>10}  balance {:>10}  {}",
            local_date(b.at),
            b.kind,
            money(b.amount_cents, &b.currency),
            money(*bal, &b.currency),
            for_display(&b.description)
        )?;
    }
    writeln!(out, "\nPromises ({})", record.open_promises.len())?;
    for p in &record.open_promises {
        let due = p.due_at.map_or_else(|| "no due date".to_string(), |d| format!("due {}", local_datetime(d)));
        writeln!(out, "  {due}: {}", for_display(&p.body))?;
    }
    writeln!(out, "\nTimeline ({} contacts, all channels)", record.timeline.len())?;
    for t in &record.timeline {
        let outcome = t.disposition.as_deref().map(|d| format!(" · {}", for_display(d))).unwrap_or_default();
        writeln!(
            out,
            "  #{:<5} {}  {:<9} {:<11} {}{outcome}",
            t.contact_id,
            local_datetime(t.created_at),
            t.channel.as_str(),
            t.status.as_str(),
            for_display(&t.subject)
        )?;
        for n in &t.notes {
            writeln!(out, "         {} {}: {}", local_datetime(n.created_at), n.kind, for_display(&n.body))?;
        }
    }
    if !history.is_empty() {
        writeln!(out, "\nHistory ({} changes)", history.len())?;
        for h in &history {
            writeln!(
                out,
                "  {}  {}: {} → {}",
                local_datetime(h.at),
                h.field,
                h.old_value.as_deref().map_or_else(|| "—".to_string(), for_display),
                h.new_value.as_deref().map_or_else(|| "—".to_string(), for_display)
            )?;
        }
    }
    Ok(())
}

/// `frontline customer forget KEY [--yes]`: erases the person (see `store::erase`), after
/// the rep types the customer's name, or at once with `--yes`.
fn customer_forget(db: &Path, key: &str, yes: bool, as_json: bool) -> Result<()> {
    use std::io::IsTerminal;
    if !yes && !std::io::stdin().is_terminal() {
        use clap::CommandFactory;
        Cli::command()
            .error(
                clap::error::ErrorKind::MissingRequiredArgument,
                "customer forget: not run from a terminal, so nobody can confirm; pass --yes to erase without asking",
            )
            .exit();
    }
    let mut conn = store::open_workspace(db)?;
    let id = resolve_customer(&conn, key)?;
    let name = customers::customer(&conn, id)?.map(|c| c.name).ok_or_else(|| unknown_customer(key))?;
    if !yes {
        let mut err = std::io::stderr();
        writeln!(
            err,
            "This erases {} (#{id}): identities, orders, billing, notes, drafts, follow-ups and history; \
             their contacts stay for metrics with the text erased. It cannot be undone.",
            crate::domain::text::for_display(&name)
        )?;
        write!(err, "Type the customer's name to confirm: ")?;
        err.flush()?;
        let mut typed = String::new();
        std::io::stdin().read_line(&mut typed).context("reading the confirmation")?;
        if typed.trim() != name.trim() {
            bail!("customer forget: the name did not match; nothing was erased");
        }
    }
    let s = store::erase::forget_customer(&mut conn, id)?;
    tracing::info!(customer_id = id, contacts_anonymised = s.contacts_anonymised, "customer forgotten");
    if as_json {
        println!(
            "{}",
            json!({
                "id": id, "identities": s.identities, "orders": s.orders, "billing_events": s.billing_events,
                "notes": s.notes, "drafts": s.drafts, "follow_ups": s.follow_ups,
                "history_entries": s.history_entries, "contacts_anonymised": s.contacts_anonymised,
                "wal_checkpointed": s.wal_checkpointed,
            })
        );
        return Ok(());
    }
    println!(
        "Forgot customer #{id}: {} identities, {} orders, {} billing events, {} notes, {} drafts, {} follow-ups, \
         {} history entries deleted; {} contacts kept anonymised for metrics",
        s.identities,
        s.orders,
        s.billing_events,
        s.notes,
        s.drafts,
        s.follow_ups,
        s.history_entries,
        s.contacts_anonymised
    );
    if !s.wal_checkpointed {
        println!("Note: another Frontline window holds the journal; the erased pages leave it when that closes");
    }
    Ok(())
}

/// `frontline export customers|contacts|notes`: to `--out FILE` (mode 0600) or stdout.
fn export_command(db: &Path, args: &crate::cli::ExportArgs) -> Result<()> {
    use crate::cli::{ExportFormat, ExportWhat};
    use crate::export::{self, Filter, Format, What};
    let conn = store::open_workspace(db)?;
    if args.what == ExportWhat::Snippets {
        return export_snippets(&conn, args);
    }
    let mut filter = Filter { without_notes: args.without_notes, ..Filter::default() };
    if args.from.is_some() || args.to.is_some() {
        let today = chrono::Local::now().date_naive();
        let (from, to) = crate::domain::metrics::parse_window(
            Some(args.from.as_deref().unwrap_or("1970-01-02")),
            Some(args.to.as_deref().unwrap_or("9999-12-30")),
            today,
            &chrono::Local,
        )?;
        filter.from = args.from.is_some().then_some(from);
        filter.to = args.to.is_some().then_some(to);
    }
    if let Some(key) = &args.customer {
        filter.customer = Some(resolve_customer(&conn, key)?);
    }
    let (what, noun) = match args.what {
        ExportWhat::Customers => (What::Customers, "customers"),
        ExportWhat::Contacts => (What::Contacts, "contacts"),
        ExportWhat::Notes => (What::Notes, "notes"),
        ExportWhat::Snippets => return export_snippets(&conn, args),
    };
    let format = match args.format {
        ExportFormat::Json => Format::Json,
        ExportFormat::Jsonl => Format::Jsonl,
        ExportFormat::Csv => Format::Csv,
        ExportFormat::Md => Format::Md,
    };
    let started = std::time::Instant::now();
    let progress = crate::progress::Terminal::new(noun);
    let n = match &args.out {
        Some(path) => {
            let mut file = std::io::BufWriter::new(export::create_private(path)?);
            let n = export::export_with_progress(&conn, what, format, &filter, &mut file, &progress)?;
            file.flush().with_context(|| format!("{}: cannot write", path.display()))?;
            progress.finish();
            println!("Exported {n} {noun} to {} ({})", path.display(), format.as_str());
            n
        }
        None => {
            let mut out = std::io::stdout().lock();
            let n = export::export_with_progress(&conn, what, format, &filter, &mut out, &progress)?;
            out.flush()?;
            n
        }
    };
    tracing::info!(
        what = noun,
        format = format.as_str(),
        count = n,
        elapsed_ms = started.elapsed().as_millis(),
        "export"
    );
    Ok(())
}

/// `frontline db backup FILE`: a consistent copy made with SQLite's online backup API,
/// safe while the workstation is running.
fn db_backup(db: &Path, file: &Path, force: bool, as_json: bool) -> Result<()> {
    let s = store::backup::backup(db, file, force)?;
    tracing::info!(pages = s.pages, bytes = s.bytes, "backup");
    if as_json {
        println!("{}", json!({ "workspace": db, "file": s.file, "pages": s.pages, "bytes": s.bytes }));
        return Ok(());
    }
    println!("Backed up {} to {} ({} pages, {} bytes; integrity ok)", db.display(), s.file.display(), s.pages, s.bytes);
    Ok(())
}

/// `frontline sync [--maildir PATH]... [--json]`: reads the given Maildirs (or the
/// configured ones) into the queue; a folder that cannot be read is reported and the others
/// still synced, then the command fails.
fn sync_command(db: &Path, config_file: Option<&Path>, given: Vec<PathBuf>, as_json: bool) -> Result<()> {
    let folders = if given.is_empty() { config::load(&config_path(config_file)?)?.0.intake.maildirs } else { given };
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
                writeln!(err, "error: {e:#}")?;
            }
        }
    }
    let mut out = std::io::stdout().lock();
    if as_json {
        writeln!(out, "{}", serde_json::to_string_pretty(&summaries)?)?;
    } else {
        for s in &summaries {
            let reopened = if s.reopened > 0 { format!(" ({} reopened)", s.reopened) } else { String::new() };
            writeln!(
                out,
                "{}: {} new contacts, {} replies threaded{reopened}, {} already read, {} malformed; {} new customers",
                s.folder.display(),
                s.added,
                s.threaded,
                s.duplicates,
                s.malformed.len(),
                s.customers_created
            )?;
            if s.cards_masked > 0 {
                writeln!(out, "  Masked {} card number(s) or security code(s)", s.cards_masked)?;
            }
        }
    }
    for s in &summaries {
        for (file, why) in &s.malformed {
            writeln!(err, "  malformed {}: {why}", file.display())?;
        }
    }
    if failed > 0 {
        bail!("sync: {failed} of {} Maildir(s) could not be read", folders.len());
    }
    Ok(())
}

/// `frontline inbox [PATH] [--json]`: one pass over the inbox folder (see
/// `intake::inbox`): each JSON file imported and moved to done/, or moved to rejected/.
fn inbox_command(db: &Path, config_file: Option<&Path>, path: Option<PathBuf>, as_json: bool) -> Result<()> {
    let dir = match path {
        Some(p) => p,
        None => config::load(&config_path(config_file)?)?.0.intake.inbox_dir(db),
    };
    let mut conn = store::open_workspace(db)?;
    let s = crate::intake::process_inbox(&mut conn, &dir, now())?;
    report_warnings(&s.warnings)?;
    let mut out = std::io::stdout().lock();
    if as_json {
        writeln!(out, "{}", serde_json::to_string_pretty(&s)?)?;
    } else {
        let contacts: usize = s.imported.iter().map(|i| i.contacts.len()).sum();
        writeln!(
            out,
            "{}: {} file(s) imported ({contacts} contacts, {} new customers), {} rejected, {} still being written",
            dir.display(),
            s.imported.len(),
            s.customers_created,
            s.rejected.len(),
            s.pending.len()
        )?;
        if s.cards_masked > 0 {
            writeln!(out, "  Masked {} card number(s) or security code(s)", s.cards_masked)?;
        }
    }
    let mut err = std::io::stderr();
    for r in &s.rejected {
        writeln!(err, "  rejected {}", r.error)?;
    }
    Ok(())
}
