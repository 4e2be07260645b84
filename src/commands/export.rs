//! `frontline export customers|contacts|notes|snippets`: a stream to a file or stdout.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};

use super::resolve_customer;
use crate::import;
use crate::progress::Progress as _;
use crate::store;

/// `frontline export customers|contacts|notes`: to `--out FILE` (mode 0600) or stdout.
pub(super) fn export(db: &Path, args: &crate::cli::ExportArgs) -> Result<()> {
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
