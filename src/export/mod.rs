//! Writing customers, contacts and notes out of the workspace. Customers and contacts come
//! out in the same shapes `frontline import` reads, so an export re-imports; CSV cells are
//! escaped so a spreadsheet never runs them as formulas; files are created private (0600).

pub mod csv;
pub mod json;
pub mod markdown;

use std::fs::File;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, SecondsFormat};
use rusqlite::Connection;
use serde::Serialize;

use crate::domain::message::{self, Direction, StoredMessage};
use crate::domain::{ContactEvent, EventKind, Id, IdentityKind, Timers, Timestamp};
use crate::progress::{Progress, Quiet};
use crate::store::export as listing;
use crate::store::{contacts, customers};

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    Customers,
    Contacts,
    Notes,
}

/// The file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON array (the import format for customers and contacts).
    Json,
    /// One JSON object per line.
    Jsonl,
    /// A header row and one row per record, formula-like cells escaped.
    Csv,
    /// A readable transcript per contact.
    Md,
}

impl Format {
    /// The format's name on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Jsonl => "jsonl",
            Self::Csv => "csv",
            Self::Md => "md",
        }
    }
}

/// Which records to export: created in `[from, to)` and/or of one customer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Filter {
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub customer: Option<Id>,
    /// Leave internal notes out of a Markdown transcript (one to hand to the customer).
    pub without_notes: bool,
}

impl Filter {
    fn window(&self) -> listing::Window {
        let (from, to) = self.bounds();
        listing::Window { from, to, customer: self.customer }
    }

    fn bounds(&self) -> (i64, i64) {
        (self.from.unwrap_or(i64::MIN), self.to.unwrap_or(i64::MAX))
    }
}

/// A customer in the `import customers` JSON shape.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerOut {
    pub name: String,
    pub company: Option<String>,
    pub tier: Option<String>,
    pub language: Option<String>,
    pub timezone: Option<String>,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub handles: Vec<String>,
    pub flags: Vec<String>,
    pub pinned_note: Option<String>,
    pub orders: Vec<OrderOut>,
    pub billing: Vec<BillingOut>,
}

/// An order in the import shape (times RFC 3339, amounts decimal strings).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderOut {
    pub number: String,
    pub placed_at: String,
    pub status: String,
    pub total: String,
    pub currency: String,
    pub items: String,
    pub carrier: Option<String>,
    pub tracking: Option<String>,
}

/// A billing event in the import shape.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BillingOut {
    pub at: String,
    pub kind: String,
    pub amount: String,
    pub currency: String,
    pub description: String,
}

/// A contact in the `import contacts` shape.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactOut {
    pub channel: String,
    /// The customer's first email (else phone, else handle), which import matches on.
    pub customer: Option<String>,
    pub subject: String,
    pub body: String,
    pub priority: u8,
    pub status: String,
    pub created_at: String,
    pub accepted_at: Option<String>,
    pub ended_at: Option<String>,
    pub hold_seconds: i64,
    pub disposition: Option<String>,
    pub escalated_to: Option<String>,
    /// Why it was escalated or transferred, when that was said (left out otherwise, so
    /// the import shape is unchanged for everything else).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escalation_reason: Option<String>,
    /// The rep who escalated or transferred it, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escalated_by: Option<String>,
    pub csat: Option<u8>,
    pub tags: Vec<String>,
    pub notes: Vec<ContactNoteOut>,
    /// The contact's email thread after its opening message (which is `body`): the
    /// customer's replies and the rep's, oldest first. Left out when there are none; an
    /// import names it as a field it does not read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<MessageOut>,
}

/// One message of an exported contact's email thread.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MessageOut {
    pub at: String,
    /// `inbound` (from the customer) or `outbound` (a reply sent from Frontline).
    pub direction: Direction,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// A note nested in an exported contact (the import's `notes` entries).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactNoteOut {
    pub at: String,
    pub text: String,
    pub kind: String,
    pub due: Option<String>,
}

/// What the Markdown transcript shows besides the import fields.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactExtra {
    pub id: Id,
    pub direction: String,
    pub customer_name: Option<String>,
}

/// A note as its own record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoteOut {
    pub id: Id,
    pub contact_id: Option<Id>,
    pub customer: Option<String>,
    pub customer_name: Option<String>,
    pub created_at: String,
    pub kind: String,
    pub body: String,
    pub due_at: Option<String>,
}

/// A Unix time as RFC 3339 UTC (`2026-11-20T14:00:00Z`), the import's time format.
pub fn rfc3339(ts: Timestamp) -> String {
    DateTime::from_timestamp(ts, 0).map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)).unwrap_or_default()
}

/// Cents as the decimal string the importer reads back exactly ("-12.30").
pub fn decimal(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// The customers matching the filter, in the import shape, oldest first.
pub fn customers(conn: &Connection, filter: &Filter) -> Result<Vec<CustomerOut>> {
    customers_with_progress(conn, filter, &Quiet)
}

/// [`customers`], reporting each record read to `progress`.
pub fn customers_with_progress(
    conn: &Connection,
    filter: &Filter,
    progress: &dyn Progress,
) -> Result<Vec<CustomerOut>> {
    let ids = listing::customer_ids(conn, filter.window())?;
    let mut out = Vec::with_capacity(ids.len());
    progress.start("reading", ids.len() as u64);
    for id in ids {
        progress.inc();
        let Some(rec) = customers::record(conn, id)? else { continue };
        let c = rec.customer;
        let of_kind = |kind: IdentityKind| -> Vec<String> {
            rec.identities.iter().filter(|i| i.kind == kind).map(|i| i.value.clone()).collect()
        };
        let flags = [(c.vip, "vip"), (c.fraud_watch, "fraud_watch"), (c.do_not_contact, "do_not_contact")]
            .into_iter()
            .filter(|(on, _)| *on)
            .map(|(_, name)| name.to_string())
            .collect();
        let mut orders: Vec<OrderOut> = rec
            .orders
            .iter()
            .map(|o| OrderOut {
                number: o.number.clone(),
                placed_at: rfc3339(o.placed_at),
                status: o.status.clone(),
                total: decimal(o.total_cents),
                currency: o.currency.clone(),
                items: o.items.clone(),
                carrier: o.carrier.clone(),
                tracking: o.tracking.clone(),
            })
            .collect();
        // The record lists orders newest first; files read better oldest first.
        orders.reverse();
        let billing = rec
            .billing
            .iter()
            .map(|b| BillingOut {
                at: rfc3339(b.at),
                kind: b.kind.as_str().to_string(),
                amount: decimal(b.amount_cents),
                currency: b.currency.clone(),
                description: b.description.clone(),
            })
            .collect();
        out.push(CustomerOut {
            emails: of_kind(IdentityKind::Email),
            phones: of_kind(IdentityKind::Phone),
            handles: of_kind(IdentityKind::Handle),
            name: c.name,
            company: c.company,
            tier: c.tier,
            language: c.language,
            timezone: c.timezone,
            flags,
            pinned_note: c.pinned_note,
            orders,
            billing,
        });
    }
    Ok(out)
}

/// The contacts matching the filter (created in the window), oldest first, each with its
/// notes and what the transcript shows.
pub fn contacts(conn: &Connection, filter: &Filter) -> Result<Vec<(ContactOut, ContactExtra)>> {
    contacts_with_progress(conn, filter, &Quiet)
}

/// [`contacts`], reporting each record read to `progress`.
pub fn contacts_with_progress(
    conn: &Connection,
    filter: &Filter,
    progress: &dyn Progress,
) -> Result<Vec<(ContactOut, ContactExtra)>> {
    let rows = listing::contacts(conn, filter.window())?;
    let mut out = Vec::with_capacity(rows.len());
    progress.start("reading", rows.len() as u64);
    for listing::ContactListing { id, direction, customer_id, customer_name } in rows {
        progress.inc();
        let Some(c) = contacts::contact(conn, id)? else { continue };
        let events = contacts::events(conn, id)?;
        let escalation = crate::store::contact_loop::escalation(conn, id)?;
        let customer = match customer_id {
            Some(cid) => listing::customer_key(conn, cid)?,
            None => None,
        };
        let messages = thread_out(&c.body, crate::store::messages::messages(conn, id)?);
        let notes = crate::store::notes::for_contact(conn, id)?
            .into_iter()
            .map(|n| ContactNoteOut {
                at: rfc3339(n.created_at),
                text: n.body,
                kind: n.kind.as_str().to_string(),
                due: n.due_at.map(rfc3339),
            })
            .collect();
        out.push((
            ContactOut {
                channel: c.channel.as_str().to_string(),
                customer,
                subject: c.subject,
                body: c.body,
                priority: c.priority,
                status: c.status.as_str().to_string(),
                created_at: rfc3339(c.created_at),
                accepted_at: c.accepted_at.map(rfc3339),
                ended_at: c.ended_at.map(rfc3339),
                hold_seconds: hold_seconds(&events, c.ended_at),
                disposition: c.disposition,
                escalated_to: c.escalated_to,
                escalation_reason: escalation.as_ref().and_then(|e| e.reason.clone()),
                escalated_by: escalation.and_then(|e| e.by),
                csat: c.csat,
                tags: c.tags,
                notes,
                messages,
            },
            ContactExtra { id, direction, customer_name },
        ));
    }
    Ok(out)
}

/// The thread as exported: every message after the opening one.
fn thread_out(body: &str, messages: Vec<StoredMessage>) -> Vec<MessageOut> {
    message::after_opening(body, messages)
        .into_iter()
        .map(|m| {
            let m = m.message;
            MessageOut {
                at: rfc3339(m.sent_at),
                direction: m.direction,
                from: m.from_addr,
                to: m.to_addr,
                subject: m.subject,
                body: m.body,
            }
        })
        .collect()
}

fn hold_seconds(events: &[ContactEvent], ended_at: Option<Timestamp>) -> i64 {
    let end = ended_at.or_else(|| events.iter().rev().find(|e| e.kind != EventKind::Create).map(|e| e.at));
    end.map_or(0, |end| Timers::replay(events, end).hold)
}

/// The notes matching the filter (created in the window), oldest first.
pub fn notes(conn: &Connection, filter: &Filter) -> Result<Vec<NoteOut>> {
    notes_with_progress(conn, filter, &Quiet)
}

/// [`notes`], reporting each record read to `progress`.
pub fn notes_with_progress(conn: &Connection, filter: &Filter, progress: &dyn Progress) -> Result<Vec<NoteOut>> {
    let rows = listing::notes(conn, filter.window())?;
    let mut out = Vec::with_capacity(rows.len());
    progress.start("reading", rows.len() as u64);
    for listing::NoteListing { id, contact_id, customer_id, created_at: at, kind, body, due_at: due } in rows {
        progress.inc();
        let (customer, customer_name) = match customer_id {
            Some(cid) => (listing::customer_key(conn, cid)?, customers::customer(conn, cid)?.map(|c| c.name)),
            None => (None, None),
        };
        out.push(NoteOut {
            id,
            contact_id,
            customer,
            customer_name,
            created_at: rfc3339(at),
            kind,
            body,
            due_at: due.map(rfc3339),
        });
    }
    Ok(out)
}

/// Writes the selected records in `format` to `out`; returns how many were written.
pub fn export(conn: &Connection, what: What, format: Format, filter: &Filter, out: &mut dyn Write) -> Result<usize> {
    export_with_progress(conn, what, format, filter, out, &Quiet)
}

/// [`export`], reporting each record read to `progress`.
pub fn export_with_progress(
    conn: &Connection,
    what: What,
    format: Format,
    filter: &Filter,
    out: &mut dyn Write,
    progress: &dyn Progress,
) -> Result<usize> {
    let customers = |conn: &Connection, filter: &Filter| customers_with_progress(conn, filter, progress);
    let contacts = |conn: &Connection, filter: &Filter| contacts_with_progress(conn, filter, progress);
    let notes = |conn: &Connection, filter: &Filter| notes_with_progress(conn, filter, progress);
    match (what, format) {
        (What::Customers, Format::Json | Format::Jsonl) => {
            let rows = customers(conn, filter)?;
            json::write(out, &rows, format == Format::Jsonl)?;
            Ok(rows.len())
        }
        (What::Customers, Format::Csv) => {
            let rows = customers(conn, filter)?;
            csv::customers(out, &rows)?;
            Ok(rows.len())
        }
        (What::Contacts, Format::Json | Format::Jsonl) => {
            let rows: Vec<ContactOut> = contacts(conn, filter)?.into_iter().map(|(c, _)| c).collect();
            json::write(out, &rows, format == Format::Jsonl)?;
            Ok(rows.len())
        }
        (What::Contacts, Format::Csv) => {
            let rows = contacts(conn, filter)?;
            csv::contacts(out, rows.iter().map(|(c, _)| c))?;
            Ok(rows.len())
        }
        (What::Contacts, Format::Md) => {
            let rows = contacts(conn, filter)?;
            markdown::contacts(out, &rows, !filter.without_notes)?;
            Ok(rows.len())
        }
        (What::Notes, Format::Json | Format::Jsonl) => {
            let rows = notes(conn, filter)?;
            json::write(out, &rows, format == Format::Jsonl)?;
            Ok(rows.len())
        }
        (What::Notes, Format::Csv) => {
            let rows = notes(conn, filter)?;
            csv::notes(out, &rows)?;
            Ok(rows.len())
        }
        (What::Customers | What::Notes, Format::Md) => {
            bail!("--format md: only contacts have a Markdown transcript; use json, jsonl or csv")
        }
    }
}

/// Creates (or truncates) an export file readable only by its owner (0600): exports hold
/// personal data.
///
/// Never through a link (a planted `out.json -> ~/notes.txt` was overwritten) and never
/// into a FIFO or a device (an export into a FIFO with no reader waited for ever): the file
/// is opened without following links or waiting, and must turn out a regular file.
pub fn create_private(path: &Path) -> Result<File> {
    create_with_mode(path, 0o600)
}

/// Creates (or truncates) a file with permissions `mode`, with [`create_private`]'s care: not
/// through a link, not into a FIFO or a device.
pub fn create_with_mode(path: &Path, mode: u32) -> Result<File> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => bail!("{}: is a link; give the file itself", path.display()),
        Ok(m) if !m.is_file() => bail!("{}: {}", path.display(), crate::paths::not_a_file(m.file_type())),
        _ => {}
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = options.open(path).with_context(|| format!("{}: cannot create", path.display()))?;
    let kind = file.metadata().with_context(|| format!("{}: cannot create", path.display()))?.file_type();
    if !kind.is_file() {
        bail!("{}: {}", path.display(), crate::paths::not_a_file(kind));
    }
    // Emptied only now that it is known to be a file of its own.
    file.set_len(0).with_context(|| format!("{}: cannot create", path.display()))?;
    // An existing file keeps its old mode through `open`; set it too (on the open file, not
    // by its name).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(mode))
            .with_context(|| format!("{}: cannot set its permissions", path.display()))?;
    }
    Ok(file)
}
