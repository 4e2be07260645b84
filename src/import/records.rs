//! Customers and contacts from `.json` (an array of objects) or `.csv` (a header row).
//! Both formats become the same rows, checked by the same code.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rusqlite::{Connection, params};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::fields::{Cents, Int, List};
use super::{Origin, RecordError};
use crate::domain::identity::{classify, normalize};
use crate::domain::text::{mask_card_numbers, sanitize};
use crate::domain::time::parse_rfc3339;
use crate::domain::{BillingEvent, Channel, ContactStatus, Id, IdentityKind, Order, Timestamp};
use crate::progress::{Progress, Quiet};
use crate::store::{self, contacts, customers, notes};

/// How to import.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Added to every time in the file (the demo moves its history up to today).
    pub shift_seconds: i64,
    /// The time new customers are recorded as created.
    pub now: Timestamp,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub added: usize,
    pub updated: usize,
    pub customers_created: usize,
    pub cards_masked: usize,
    pub warnings: Vec<String>,
}

/// One record and where it came from.
pub type Row = (Origin, Map<String, Value>);

/// Records read one at a time, so a file of a million rows never sits in memory whole.
pub type RowStream = Box<dyn Iterator<Item = Result<Row>> + Send>;

/// Reads a `.json` or `.csv` file into rows, naming the file and line of any format error.
pub fn read_rows(path: &Path) -> Result<Vec<Row>> {
    let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    parse_rows(path, &bytes)
}

/// Opens a `.json` or `.csv` file as a stream of rows, with about how many there are (for
/// progress). A CSV file is read as it is imported; a JSON array is parsed whole first.
pub fn open_rows(path: &Path) -> Result<(RowStream, u64)> {
    if format_of(path)? == Format::Json {
        let rows = read_rows(path)?;
        let total = rows.len() as u64;
        return Ok((Box::new(rows.into_iter().map(Ok)), total));
    }
    let cannot_read = || format!("{}: cannot read", path.display());
    let lines = count_lines(path).with_context(cannot_read)?;
    let mut file = std::io::BufReader::with_capacity(1 << 16, std::fs::File::open(path).with_context(cannot_read)?);
    let start = std::io::BufRead::fill_buf(&mut file).with_context(cannot_read)?;
    check_encoding(path, start)?;
    if start.starts_with(b"\xEF\xBB\xBF") {
        std::io::BufRead::consume(&mut file, 3);
    }
    let rows = csv_rows(path.to_path_buf(), file)?;
    Ok((Box::new(rows), lines.saturating_sub(1)))
}

/// Lines in the file: the number of CSV records plus the header, unless quoted fields
/// span lines (then it is a little more).
fn count_lines(path: &Path) -> std::io::Result<u64> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut buf = vec![0u8; 1 << 16];
    let (mut lines, mut last) = (0u64, b'\n');
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            // A last line without its newline still counts.
            return Ok(lines + u64::from(last != b'\n'));
        }
        lines += buf[..n].iter().filter(|b| **b == b'\n').count() as u64;
        last = buf[n - 1];
    }
}

/// Parses file contents into rows; `path` names the file in messages and its extension
/// picks the format.
pub fn parse_rows(path: &Path, bytes: &[u8]) -> Result<Vec<Row>> {
    check_encoding(path, bytes)?;
    let text = match std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)) {
        Ok(t) => t,
        Err(e) => {
            let line = bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
            bail!("{}: line {line}: {NOT_UTF8}", path.display());
        }
    };
    match format_of(path)? {
        Format::Json => json_rows(path, text),
        Format::Csv => csv_rows(path.to_path_buf(), text.as_bytes())?.collect(),
    }
}

const NOT_UTF8: &str = "not UTF-8 text (Latin-1? save the file as UTF-8)";

/// Refuses UTF-16 by its byte-order mark, which would otherwise read as noise.
fn check_encoding(path: &Path, start: &[u8]) -> Result<()> {
    if start.starts_with(&[0xFF, 0xFE]) || start.starts_with(&[0xFE, 0xFF]) {
        bail!("{}: file is UTF-16; save it as UTF-8", path.display());
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Csv,
}

fn format_of(path: &Path) -> Result<Format> {
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("json") => Ok(Format::Json),
        Some("csv") => Ok(Format::Csv),
        _ => bail!("{}: unknown file type; use .json or .csv", path.display()),
    }
}

fn json_rows(path: &Path, text: &str) -> Result<Vec<Row>> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| anyhow::anyhow!("{}: line {}: invalid JSON: {e}", path.display(), e.line()))?;
    let Value::Array(items) = value else {
        bail!("{}: expected a JSON array of objects", path.display());
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| match item {
            Value::Object(map) => Ok((Origin::Index(i), map)),
            _ => bail!("{}: [{i}]: expected an object", path.display()),
        })
        .collect()
}

/// The records of a CSV text after its header row, each keyed by the (trimmed, lower-case)
/// column names; empty cells are left out.
fn csv_rows<R: std::io::Read>(path: PathBuf, input: R) -> Result<impl Iterator<Item = Result<Row>>> {
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(input);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| match e.kind() {
            csv::ErrorKind::Utf8 { .. } => anyhow::anyhow!("{}: line 1: {NOT_UTF8}", path.display()),
            _ => anyhow::Error::new(e).context(format!("{}: line 1: cannot read the header row", path.display())),
        })?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    Ok(reader.into_records().map(move |record| {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, csv::Position::line);
            anyhow::anyhow!("{}: line {line}: {}", path.display(), csv_error_text(&e))
        })?;
        let line = record.position().map_or(0, csv::Position::line);
        let map: Map<String, Value> = headers
            .iter()
            .zip(record.iter())
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(h, v)| (h.clone(), Value::String(unescape_formula(v).to_string())))
            .collect();
        Ok((Origin::Line(line), map))
    }))
}

/// Undoes the spreadsheet-formula escaping of our own CSV exports (a `'` before a cell
/// starting with `=`, `+`, `-`, `@`, tab or carriage return), so exports import back.
fn unescape_formula(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

fn csv_error_text(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => NOT_UTF8.to_string(),
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("has {len} fields but the header has {expected_len} (an unbalanced quote?)")
        }
        _ => e.to_string(),
    }
}

/// Deserialises one row or record, naming the field at fault.
pub(super) fn typed<T: for<'de> Deserialize<'de>>(
    path: &Path,
    origin: &Origin,
    map: Map<String, Value>,
) -> Result<T, RecordError> {
    serde_path_to_error::deserialize(Value::Object(map)).map_err(|e| {
        let field = e.path().to_string();
        let message = e.into_inner().to_string();
        RecordError {
            file: path.to_path_buf(),
            origin: origin.clone(),
            field: (field != ".").then_some(field),
            message,
        }
    })
}

/// Adds a warning (once per file) for each key of `extra`, which the row type did not
/// know; `what` names such a key in the message ("column", "field").
pub(super) fn warn_unknown(path: &Path, extra: &BTreeMap<String, Value>, what: &str, warnings: &mut Vec<String>) {
    for key in extra.keys() {
        let w = format!("{}: unknown {what} `{key}` ignored", path.display());
        if !warnings.contains(&w) {
            warnings.push(w);
        }
    }
}

fn time_field(
    path: &Path,
    origin: &Origin,
    field: &str,
    value: Option<&str>,
    shift: i64,
) -> Result<Option<Timestamp>, RecordError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => parse_rfc3339(v).map(|t| Some(t + shift)).ok_or_else(|| {
            RecordError::field(
                path,
                origin.clone(),
                field,
                format!("\"{v}\" is not an RFC 3339 time like 2026-11-20T14:00:00Z"),
            )
        }),
    }
}

fn clean(text: Option<String>) -> Option<String> {
    text.map(|t| sanitize(t.trim())).filter(|t| !t.is_empty())
}

// ---------------------------------------------------------------- customers

#[derive(Debug, Deserialize)]
struct CustomerRow {
    name: String,
    company: Option<String>,
    tier: Option<String>,
    language: Option<String>,
    timezone: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    handle: Option<String>,
    #[serde(default)]
    emails: List,
    #[serde(default)]
    phones: List,
    #[serde(default)]
    handles: List,
    #[serde(default)]
    flags: List,
    pinned_note: Option<String>,
    #[serde(default)]
    orders: Vec<OrderRow>,
    #[serde(default)]
    billing: Vec<BillingRow>,
    #[serde(flatten)]
    extra: BTreeMap<String, Value>,
}

#[derive(Debug, Deserialize)]
struct OrderRow {
    number: String,
    placed_at: String,
    status: Option<String>,
    total: Cents,
    currency: Option<String>,
    items: Option<String>,
    carrier: Option<String>,
    tracking: Option<String>,
}

#[derive(Debug, Deserialize)]
struct BillingRow {
    at: String,
    kind: String,
    amount: Cents,
    currency: Option<String>,
    description: Option<String>,
}

/// A customer checked and ready to write.
struct CheckedCustomer {
    new: customers::NewCustomer,
}

fn check_customer(
    path: &Path,
    origin: &Origin,
    row: CustomerRow,
    opts: Options,
) -> Result<CheckedCustomer, RecordError> {
    let err = |field: &str, msg: String| RecordError::field(path, origin.clone(), field, msg);
    let name = sanitize(row.name.trim());
    if name.is_empty() {
        return Err(err("name", "must not be empty".into()));
    }
    let mut identities = Vec::new();
    // Each value keeps the name of the column it came from, so errors name the right one.
    let named = |field: &'static str, values: Vec<String>| values.into_iter().map(move |v| (field, v));
    let sources: [(IdentityKind, Vec<(&str, String)>); 3] = [
        (
            IdentityKind::Email,
            named("emails", row.emails.0).chain(named("email", row.email.into_iter().collect())).collect(),
        ),
        (
            IdentityKind::Phone,
            named("phones", row.phones.0).chain(named("phone", row.phone.into_iter().collect())).collect(),
        ),
        (
            IdentityKind::Handle,
            named("handles", row.handles.0).chain(named("handle", row.handle.into_iter().collect())).collect(),
        ),
    ];
    for (kind, values) in sources {
        for (field, value) in values.into_iter().map(|(f, v)| (f, v.trim().to_string())).filter(|(_, v)| !v.is_empty())
        {
            let ok = match kind {
                IdentityKind::Email => value.contains('@') && !value.starts_with('@'),
                IdentityKind::Phone => classify(&value) == Some(IdentityKind::Phone),
                IdentityKind::Handle => !value.contains(char::is_whitespace),
            };
            if !ok {
                return Err(err(field, format!("\"{value}\" is not a valid {}", kind.as_str())));
            }
            if !identities
                .iter()
                .any(|(k, v): &(IdentityKind, String)| *k == kind && normalize(kind, v) == normalize(kind, &value))
            {
                identities.push((kind, value));
            }
        }
    }
    let (mut vip, mut fraud_watch, mut do_not_contact) = (false, false, false);
    for flag in &row.flags.0 {
        match flag.to_ascii_lowercase().replace(['-', ' '], "_").as_str() {
            "vip" => vip = true,
            "fraud_watch" | "fraud" => fraud_watch = true,
            "do_not_contact" | "dnc" => do_not_contact = true,
            other => {
                return Err(err(
                    "flags",
                    format!("unknown flag \"{other}\" (known: vip, fraud_watch, do_not_contact)"),
                ));
            }
        }
    }
    let mut orders = Vec::new();
    for (i, o) in row.orders.into_iter().enumerate() {
        let number = o.number.trim().to_string();
        if number.is_empty() {
            return Err(err(&format!("orders[{i}].number"), "must not be empty".into()));
        }
        let placed_at =
            time_field(path, origin, &format!("orders[{i}].placed_at"), Some(&o.placed_at), opts.shift_seconds)?
                .unwrap_or(0);
        orders.push(Order {
            number,
            placed_at,
            status: clean(o.status).unwrap_or_else(|| "processing".into()),
            total_cents: o.total.0,
            currency: clean(o.currency).unwrap_or_else(|| "USD".into()).to_ascii_uppercase(),
            items: clean(o.items).unwrap_or_default(),
            carrier: clean(o.carrier),
            tracking: clean(o.tracking),
        });
    }
    let mut billing = Vec::new();
    for (i, b) in row.billing.into_iter().enumerate() {
        let kind = b.kind.trim().to_ascii_lowercase();
        if !["charge", "refund", "credit", "dispute"].contains(&kind.as_str()) {
            return Err(err(
                &format!("billing[{i}].kind"),
                format!("\"{kind}\" is not one of charge, refund, credit, dispute"),
            ));
        }
        let at = time_field(path, origin, &format!("billing[{i}].at"), Some(&b.at), opts.shift_seconds)?.unwrap_or(0);
        billing.push(BillingEvent {
            at,
            kind,
            amount_cents: b.amount.0,
            currency: clean(b.currency).unwrap_or_else(|| "USD".into()).to_ascii_uppercase(),
            description: clean(b.description).map(|d| mask_card_numbers(&d).text).unwrap_or_default(),
        });
    }
    Ok(CheckedCustomer {
        new: customers::NewCustomer {
            name,
            company: clean(row.company),
            tier: clean(row.tier).map(|t| t.to_ascii_lowercase()),
            language: clean(row.language),
            timezone: clean(row.timezone),
            vip,
            fraud_watch,
            do_not_contact,
            pinned_note: clean(row.pinned_note).map(|n| mask_card_numbers(&n).text),
            identities,
            orders,
            billing,
        },
    })
}

/// What a file of records holds, which decides how each record is checked and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Records {
    /// An existing customer (matched by any identity) is updated instead of duplicated.
    Customers,
    /// Contacts with their history; customers are matched by email, phone or handle, and an
    /// unknown one is created.
    Contacts,
}

/// Imports a `.json` or `.csv` file of customers or contacts, all or nothing, reporting each
/// record imported to `progress` ([`Quiet`] for none). A CSV file is streamed.
pub fn import_file(
    conn: &mut Connection,
    path: &Path,
    records: Records,
    opts: Options,
    progress: &dyn Progress,
) -> Result<Summary> {
    let (rows, total) = open_rows(path)?;
    import_stream(conn, path, rows, total, records, opts, progress)
}

/// [`import_file`] for rows already read; `path` names the file in messages.
pub fn import_rows(
    conn: &mut Connection,
    path: &Path,
    rows: Vec<Row>,
    records: Records,
    opts: Options,
    progress: &dyn Progress,
) -> Result<Summary> {
    let total = rows.len() as u64;
    import_stream(conn, path, Box::new(rows.into_iter().map(Ok)), total, records, opts, progress)
}

fn import_stream(
    conn: &mut Connection,
    path: &Path,
    rows: RowStream,
    total: u64,
    records: Records,
    opts: Options,
    progress: &dyn Progress,
) -> Result<Summary> {
    match records {
        Records::Customers => check_then_write(
            conn,
            rows,
            (total, progress),
            |origin, map, warnings| check_customer_row(path, origin, map, opts, warnings),
            |tx, (origin, c), summary| write_customer(tx, path, origin, c, opts.now, summary),
        ),
        Records::Contacts => check_then_write(
            conn,
            rows,
            (total, progress),
            |origin, map, warnings| Ok(check_contact_row(path, &origin, map, opts, warnings)?),
            |tx, c, summary| {
                let inserted = insert_checked_contact(tx, c, opts.now)?;
                summary.added += 1;
                summary.customers_created += usize::from(inserted.customer_created);
                summary.cards_masked += inserted.cards_masked;
                Ok(())
            },
        ),
    }
}

/// Imports already-read customer rows quietly (see [`import_rows`]).
pub fn import_customer_rows(conn: &mut Connection, path: &Path, rows: Vec<Row>, opts: Options) -> Result<Summary> {
    import_rows(conn, path, rows, Records::Customers, opts, &Quiet)
}

/// Imports already-read contact rows quietly (see [`import_rows`]).
pub fn import_contact_rows(conn: &mut Connection, path: &Path, rows: Vec<Row>, opts: Options) -> Result<Summary> {
    import_rows(conn, path, rows, Records::Contacts, opts, &Quiet)
}

/// SQLite page cache an import may use, in KiB (64 MiB): a million-row import updates
/// several indexes at random places, and the default 2 MiB re-reads their pages over and over.
const IMPORT_CACHE_KIB: i64 = 64 * 1024;

/// Checked records travel to the writer in chunks of this many (a hand-over per record cost
/// more in thread wake-ups than the check itself) ...
const CHUNK: usize = 256;
/// ... and at most this many chunks wait: enough to keep both threads busy.
const CHUNKS_AHEAD: usize = 4;

/// The two steps of every import here, all or nothing: `check` each row (its unknown keys
/// go into the warnings), and `write` each checked row, in one transaction.
///
/// Rows are read and checked on a second thread while this one writes, so a large file
/// costs about the slower of the two, and memory holds only the rows in between. Errors
/// keep the order the two-pass import had: a bad record anywhere in the file is reported
/// even when the database refused an earlier record (the writer stops writing but keeps
/// listening until every row is checked); either way nothing is written. `progress` counts
/// the records imported, of about `total`.
fn check_then_write<C: Send>(
    conn: &mut Connection,
    rows: RowStream,
    (total, progress): (u64, &dyn Progress),
    check: impl Fn(Origin, Map<String, Value>, &mut Vec<String>) -> Result<C> + Sync,
    write: impl Fn(&Connection, &C, &mut Summary) -> Result<()>,
) -> Result<Summary> {
    let mut summary = Summary::default();
    progress.start("importing", total);
    let cache_before: i64 = conn.pragma_query_value(None, "cache_size", |r| r.get(0))?;
    conn.pragma_update(None, "cache_size", -IMPORT_CACHE_KIB)?;
    let result = std::thread::scope(|scope| {
        let (sender, checked) = std::sync::mpsc::sync_channel::<Vec<C>>(CHUNKS_AHEAD);
        let check = &check;
        let checker = scope.spawn(move || -> Result<Vec<String>> {
            let mut warnings = Vec::new();
            let mut chunk = Vec::with_capacity(CHUNK);
            for row in rows {
                let (origin, map) = row?;
                chunk.push(check(origin, map, &mut warnings)?);
                // The writer hangs up only when it could not start (its error is reported)
                // or panicked.
                if chunk.len() == CHUNK
                    && sender.send(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK))).is_err()
                {
                    return Ok(warnings);
                }
            }
            let _ = sender.send(chunk);
            Ok(warnings)
        });
        store::write(conn, |tx| -> Result<()> {
            let mut refused = None;
            for c in checked.iter().flatten() {
                progress.inc();
                if refused.is_none()
                    && let Err(e) = write(tx, &c, &mut summary)
                {
                    refused = Some(e);
                }
            }
            let warnings = checker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
            summary.warnings = warnings;
            refused.map_or(Ok(()), Err)
        })
    });
    // The connection may be the workstation's own (the demo): give back its usual cache.
    // Failing to is harmless and must not hide what the import did.
    if let Err(e) = conn.pragma_update(None, "cache_size", cache_before) {
        tracing::warn!(error = %e, "could not restore the page cache size after an import");
    }
    result?;
    Ok(summary)
}

/// Checks one customer record, keeping where it came from for the messages of the write.
fn check_customer_row(
    path: &Path,
    origin: Origin,
    map: Map<String, Value>,
    opts: Options,
    warnings: &mut Vec<String>,
) -> Result<(Origin, CheckedCustomer)> {
    let row: CustomerRow = typed(path, &origin, map)?;
    warn_unknown(path, &row.extra, "column", warnings);
    let c = check_customer(path, &origin, row, opts)?;
    Ok((origin, c))
}

/// Updates the customer a checked record matches, or adds it.
fn write_customer(
    conn: &Connection,
    path: &Path,
    origin: &Origin,
    c: &CheckedCustomer,
    now: Timestamp,
    summary: &mut Summary,
) -> Result<()> {
    match existing_customer(conn, path, origin, &c.new)? {
        Some(id) => {
            update_customer(conn, id, &c.new, now)?;
            summary.updated += 1;
        }
        None => {
            customers::insert(conn, &c.new, now).map_err(|e| db_error(path, origin, &e))?;
            summary.added += 1;
        }
    }
    Ok(())
}

fn db_error(path: &Path, origin: &Origin, e: &rusqlite::Error) -> anyhow::Error {
    let message = match e {
        rusqlite::Error::SqliteFailure(_, Some(m)) if m.contains("UNIQUE") && m.contains("orders.number") => {
            "an order number appears twice (in this file or on another customer)".to_string()
        }
        rusqlite::Error::SqliteFailure(_, Some(m)) if m.contains("UNIQUE") && m.contains("identities") => {
            "an email, phone or handle appears twice in this file".to_string()
        }
        other => other.to_string(),
    };
    anyhow::anyhow!("{}: {origin}: {message}", path.display())
}

/// The one existing customer that owns any of these identities.
fn existing_customer(
    conn: &Connection,
    path: &Path,
    origin: &Origin,
    c: &customers::NewCustomer,
) -> Result<Option<Id>> {
    let mut found: Option<Id> = None;
    for (kind, value) in &c.identities {
        if let Some(id) = customers::find_by_identity(conn, *kind, value)? {
            if found.is_some_and(|f| f != id) {
                bail!(
                    "{}: {origin}: its identities belong to two different customers; merge them first",
                    path.display()
                );
            }
            found = Some(id);
        }
    }
    Ok(found)
}

fn update_customer(conn: &Connection, id: Id, c: &customers::NewCustomer, _now: Timestamp) -> Result<()> {
    conn.execute(
        "UPDATE customers SET name = ?2, company = coalesce(?3, company), tier = coalesce(?4, tier),
            language = coalesce(?5, language), timezone = coalesce(?6, timezone),
            vip = vip OR ?7, fraud_watch = fraud_watch OR ?8, do_not_contact = do_not_contact OR ?9,
            pinned_note = coalesce(?10, pinned_note)
         WHERE id = ?1",
        params![
            id,
            c.name,
            c.company,
            c.tier,
            c.language,
            c.timezone,
            c.vip,
            c.fraud_watch,
            c.do_not_contact,
            c.pinned_note
        ],
    )?;
    for (kind, value) in &c.identities {
        if customers::find_by_identity(conn, *kind, value)?.is_none() {
            customers::add_identity(conn, id, *kind, value)?;
        }
    }
    for o in &c.orders {
        conn.execute(
            "INSERT INTO orders(customer_id, number, placed_at, status, total_cents, currency, items, carrier, tracking)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT(number) DO UPDATE SET status = excluded.status, carrier = excluded.carrier,
                tracking = excluded.tracking, items = excluded.items, total_cents = excluded.total_cents
             WHERE orders.customer_id = excluded.customer_id",
            params![id, o.number, o.placed_at, o.status, o.total_cents, o.currency, o.items, o.carrier, o.tracking],
        )?;
    }
    for b in &c.billing {
        conn.execute(
            "INSERT INTO billing_events(customer_id, at, kind, amount_cents, currency, description)
             SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE NOT EXISTS (
                SELECT 1 FROM billing_events WHERE customer_id = ?1 AND at = ?2 AND kind = ?3 AND amount_cents = ?4)",
            params![id, b.at, b.kind, b.amount_cents, b.currency, b.description],
        )?;
    }
    Ok(())
}

// ---------------------------------------------------------------- contacts

#[derive(Debug, Deserialize)]
struct ContactRow {
    channel: String,
    customer: Option<String>,
    subject: String,
    #[serde(default)]
    body: String,
    priority: Option<Int>,
    status: Option<String>,
    created_at: Option<String>,
    accepted_at: Option<String>,
    ended_at: Option<String>,
    hold_seconds: Option<Int>,
    disposition: Option<String>,
    escalated_to: Option<String>,
    csat: Option<Int>,
    #[serde(default)]
    tags: List,
    #[serde(default)]
    notes: Vec<NoteRow>,
    #[serde(flatten)]
    extra: BTreeMap<String, Value>,
}

#[derive(Debug, Deserialize)]
struct NoteRow {
    at: String,
    text: String,
    kind: Option<String>,
    due: Option<String>,
}

/// A contact record that passed every check of `import contacts`, ready to write with
/// [`insert_checked_contact`] (the live inbox checks one file at a time with it).
pub struct CheckedContact {
    customer_key: Option<String>,
    contact: contacts::NewContact,
    notes: Vec<(String, String, Timestamp, Option<Timestamp>)>,
    cards: usize,
}

fn check_contact(path: &Path, origin: &Origin, row: ContactRow, opts: Options) -> Result<CheckedContact, RecordError> {
    let err = |field: &str, msg: String| RecordError::field(path, origin.clone(), field, msg);
    let channel = Channel::parse(&row.channel).ok_or_else(|| {
        err("channel", format!("\"{}\" is not one of phone, email, chat, social, in_person", row.channel))
    })?;
    let subject = sanitize(row.subject.trim());
    if subject.is_empty() {
        return Err(err("subject", "must not be empty".into()));
    }
    let priority = match row.priority {
        None => 3,
        Some(Int(p @ 1..=4)) => u8::try_from(p).unwrap_or(3),
        Some(Int(p)) => return Err(err("priority", format!("{p} is not between 1 (most urgent) and 4"))),
    };
    let status_text = row.status.as_deref().map_or("waiting", str::trim).to_ascii_lowercase();
    let status = match ContactStatus::parse(&status_text) {
        Some(
            s @ (ContactStatus::Waiting
            | ContactStatus::Resolved
            | ContactStatus::Escalated
            | ContactStatus::Transferred),
        ) => s,
        _ => {
            return Err(err(
                "status",
                format!("\"{status_text}\" is not one of waiting, resolved, escalated, transferred"),
            ));
        }
    };
    let shift = opts.shift_seconds;
    let created_at = time_field(path, origin, "created_at", row.created_at.as_deref(), shift)?.unwrap_or(opts.now);
    let accepted_at = time_field(path, origin, "accepted_at", row.accepted_at.as_deref(), shift)?;
    let ended_at = time_field(path, origin, "ended_at", row.ended_at.as_deref(), shift)?;
    if accepted_at.is_some_and(|a| a < created_at) {
        return Err(err("accepted_at", "is before created_at".into()));
    }
    if let Some(end) = ended_at
        && end < accepted_at.unwrap_or(created_at)
    {
        return Err(err("ended_at", "is before the contact was accepted".into()));
    }
    if status == ContactStatus::Waiting && ended_at.is_some() {
        return Err(err("status", "a waiting contact cannot have ended_at".into()));
    }
    if status != ContactStatus::Waiting && ended_at.is_none() {
        return Err(err("ended_at", format!("a {status_text} contact needs the time it ended")));
    }
    let hold_seconds = match row.hold_seconds {
        None => 0,
        Some(Int(h)) if h >= 0 => h,
        Some(Int(h)) => return Err(err("hold_seconds", format!("{h} is negative"))),
    };
    if hold_seconds > 0 {
        let handled = ended_at.zip(accepted_at).map(|(e, a)| e - a);
        if handled.is_none_or(|d| hold_seconds > d) {
            return Err(err("hold_seconds", "is longer than the time between accepted_at and ended_at".into()));
        }
    }
    let csat = match row.csat {
        None => None,
        Some(Int(c @ 1..=5)) => u8::try_from(c).ok(),
        Some(Int(c)) => return Err(err("csat", format!("{c} is not a rating from 1 to 5"))),
    };
    let body = mask_card_numbers(&sanitize(&row.body));
    let mut cards = body.cards + body.codes;
    let mut notes = Vec::new();
    for (i, n) in row.notes.into_iter().enumerate() {
        let at = time_field(path, origin, &format!("notes[{i}].at"), Some(&n.at), shift)?.unwrap_or(created_at);
        let due = time_field(path, origin, &format!("notes[{i}].due"), n.due.as_deref(), shift)?;
        let kind = n.kind.as_deref().map_or("note", str::trim).to_ascii_lowercase();
        if kind != "note" && kind != "promise" {
            return Err(err(&format!("notes[{i}].kind"), format!("\"{kind}\" is not note or promise")));
        }
        let text = mask_card_numbers(&sanitize(n.text.trim()));
        cards += text.cards + text.codes;
        notes.push((kind, text.text, at, due));
    }
    Ok(CheckedContact {
        customer_key: clean(row.customer),
        contact: contacts::NewContact {
            customer_id: None,
            channel,
            subject,
            body: body.text,
            priority,
            status,
            tags: row.tags.0.iter().map(|t| sanitize(t)).collect(),
            created_at,
            accepted_at,
            ended_at,
            hold_seconds,
            disposition: clean(row.disposition),
            escalated_to: clean(row.escalated_to),
            csat,
        },
        notes,
        cards,
    })
}

/// Checks one contact record exactly as `import contacts` does (every field, and that
/// `customer` is an email, phone or @handle); unknown fields are added to `warnings`.
/// Errors are [`RecordError`]s naming the file, record and field.
pub fn check_contact_row(
    path: &Path,
    origin: &Origin,
    map: Map<String, Value>,
    opts: Options,
    warnings: &mut Vec<String>,
) -> Result<CheckedContact, RecordError> {
    let row: ContactRow = typed(path, origin, map)?;
    warn_unknown(path, &row.extra, "column", warnings);
    let c = check_contact(path, origin, row, opts)?;
    if let Some(key) = &c.customer_key
        && classify(key).is_none()
    {
        return Err(RecordError::field(
            path,
            origin.clone(),
            "customer",
            format!("\"{key}\" is not an email, phone number or @handle"),
        ));
    }
    Ok(c)
}

/// What [`insert_checked_contact`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InsertedContact {
    pub id: Id,
    pub customer_created: bool,
    pub cards_masked: usize,
}

/// Writes a checked contact with its notes, finding or creating its customer as
/// `import contacts` does. Call inside the caller's write transaction.
pub fn insert_checked_contact(conn: &Connection, c: &CheckedContact, now: Timestamp) -> Result<InsertedContact> {
    let mut contact = c.contact.clone();
    let mut customer_created = false;
    if let Some(key) = &c.customer_key {
        (contact.customer_id, customer_created) = customers::find_or_create_by_identity_reporting(conn, key, now)?;
    }
    let id = contacts::insert(conn, &contact)?;
    for (kind, text, at, due) in &c.notes {
        notes::insert_note(conn, Some(id), contact.customer_id, (kind, text, *at, *due))?;
    }
    Ok(InsertedContact { id, customer_created, cards_masked: c.cards })
}
