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
    let result = match cli.command {
        None => open_workstation(&db, cli.config.as_deref()),
        Some(Command::Demo { reset }) => demo_command(cli.db, reset),
        Some(Command::Import(what)) => import_command(&db, what),
        Some(Command::Kb(KbCommand::Search { query, limit, json })) => kb_search(&db, &query.join(" "), limit, json),
        Some(Command::Queue { json }) => queue(&db, json),
        Some(Command::Contact(ContactCommand::New(args))) => new_contact(&db, &args),
        Some(Command::Customer(crate::cli::CustomerCommand::Show { key, json })) => customer_show(&db, &key, json),
        Some(Command::Customer(crate::cli::CustomerCommand::Forget { key, yes })) => customer_forget(&db, &key, yes),
        Some(Command::Export(args)) => export_command(&db, &args),
        Some(Command::Db(DbCommand::Path)) => {
            println!("{}", db.display());
            Ok(())
        }
        Some(Command::Db(DbCommand::Check)) => db_check(&db),
        Some(Command::Db(DbCommand::Backup { file, force })) => db_backup(&db, &file, force),
        Some(Command::Config { default, check }) => config_command(cli.config.as_deref(), default, check),
        Some(Command::Keys) => keys_command(cli.config.as_deref()),
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
        ImportCommand::Snippets { path } => {
            let s = import::knowledge::import_snippets(&mut conn, &path, now())?;
            knowledge_summary("Snippets", &s)?;
        }
        ImportCommand::Bulletins { file } => {
            let s = import::knowledge::import_bulletins(&mut conn, &file, opts)?;
            knowledge_summary("Bulletins", &s)?;
        }
        ImportCommand::Scripts { file } => {
            let s = import::knowledge::import_scripts(&mut conn, &file)?;
            knowledge_summary("Scripts", &s)?;
        }
    }
    Ok(())
}

/// Prints what a snippet, bulletin or script import did.
fn knowledge_summary(noun: &str, s: &import::knowledge::Summary) -> Result<()> {
    report_warnings(&s.warnings)?;
    println!("{noun}: {} added, {} updated, {} unchanged", s.added, s.updated, s.unchanged);
    if s.cards_masked > 0 {
        println!("Masked {} card number(s) or security code(s)", s.cards_masked);
    }
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
        // Serialised first so a closed pipe surfaces as an io::Error (`frontline report | head`).
        writeln!(out, "{}", serde_json::to_string_pretty(&report.to_json(&chrono::Local))?)?;
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
fn customer_forget(db: &Path, key: &str, yes: bool) -> Result<()> {
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
    let mut filter = Filter::default();
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
    match &args.out {
        Some(path) => {
            let mut file = std::io::BufWriter::new(export::create_private(path)?);
            let n = export::export(&conn, what, format, &filter, &mut file)?;
            file.flush().with_context(|| format!("{}: cannot write", path.display()))?;
            println!("Exported {n} {noun} to {} ({})", path.display(), format.as_str());
        }
        None => {
            let mut out = std::io::stdout().lock();
            export::export(&conn, what, format, &filter, &mut out)?;
            out.flush()?;
        }
    }
    Ok(())
}

/// `frontline db backup FILE`: a consistent copy made with SQLite's online backup API,
/// safe while the workstation is running.
fn db_backup(db: &Path, file: &Path, force: bool) -> Result<()> {
    let s = store::backup::backup(db, file, force)?;
    println!("Backed up {} to {} ({} pages, {} bytes; integrity ok)", db.display(), s.file.display(), s.pages, s.bytes);
    Ok(())
}
