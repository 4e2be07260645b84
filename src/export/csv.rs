//! CSV with the import's headers. Every cell that a spreadsheet would treat as a formula
//! (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed with a single
//! quote so it is shown as text, never run.

use std::borrow::Cow;
use std::io::Write;

use anyhow::Result;

use super::{ContactOut, CustomerOut, NoteOut};

/// The `import customers` CSV header.
pub const CUSTOMER_HEADER: [&str; 7] = ["name", "email", "phone", "company", "tier", "language", "timezone"];

/// The `import contacts` CSV header.
pub const CONTACT_HEADER: [&str; 14] = [
    "channel",
    "customer",
    "subject",
    "body",
    "priority",
    "status",
    "created_at",
    "accepted_at",
    "ended_at",
    "hold_seconds",
    "disposition",
    "escalated_to",
    "csat",
    "tags",
];

/// The notes CSV header.
pub const NOTE_HEADER: [&str; 8] =
    ["id", "contact_id", "customer", "customer_name", "created_at", "kind", "body", "due_at"];

/// Escapes a cell a spreadsheet would run as a formula by prefixing a single quote.
pub fn safe_cell(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

fn writer(out: &mut dyn Write) -> csv::Writer<&mut dyn Write> {
    csv::WriterBuilder::new().from_writer(out)
}

fn row<'a>(w: &mut csv::Writer<&mut dyn Write>, cells: impl IntoIterator<Item = Cow<'a, str>>) -> Result<()> {
    w.write_record(cells.into_iter().map(|c| safe_cell(&c).into_owned()))?;
    Ok(())
}

fn opt(v: Option<&String>) -> Cow<'_, str> {
    Cow::Borrowed(v.map_or("", String::as_str))
}

/// Customers, one row each with their first email and phone.
pub fn customers(out: &mut dyn Write, rows: &[CustomerOut]) -> Result<()> {
    let mut w = writer(out);
    w.write_record(CUSTOMER_HEADER)?;
    for c in rows {
        row(
            &mut w,
            [
                Cow::Borrowed(c.name.as_str()),
                opt(c.emails.first()),
                opt(c.phones.first()),
                opt(c.company.as_ref()),
                opt(c.tier.as_ref()),
                opt(c.language.as_ref()),
                opt(c.timezone.as_ref()),
            ],
        )?;
    }
    w.flush()?;
    Ok(())
}

/// Contacts without their notes (tags `;`-separated, as the importer reads them).
pub fn contacts<'a>(out: &mut dyn Write, rows: impl Iterator<Item = &'a ContactOut>) -> Result<()> {
    let mut w = writer(out);
    w.write_record(CONTACT_HEADER)?;
    for c in rows {
        row(
            &mut w,
            [
                Cow::Borrowed(c.channel.as_str()),
                opt(c.customer.as_ref()),
                Cow::Borrowed(c.subject.as_str()),
                Cow::Borrowed(c.body.as_str()),
                Cow::Owned(c.priority.to_string()),
                Cow::Borrowed(c.status.as_str()),
                Cow::Borrowed(c.created_at.as_str()),
                opt(c.accepted_at.as_ref()),
                opt(c.ended_at.as_ref()),
                Cow::Owned(c.hold_seconds.to_string()),
                opt(c.disposition.as_ref()),
                opt(c.escalated_to.as_ref()),
                Cow::Owned(c.csat.map(|v| v.to_string()).unwrap_or_default()),
                Cow::Owned(c.tags.join(";")),
            ],
        )?;
    }
    w.flush()?;
    Ok(())
}

/// Notes, one row each.
pub fn notes(out: &mut dyn Write, rows: &[NoteOut]) -> Result<()> {
    let mut w = writer(out);
    w.write_record(NOTE_HEADER)?;
    for n in rows {
        row(
            &mut w,
            [
                Cow::Owned(n.id.to_string()),
                Cow::Owned(n.contact_id.map(|v| v.to_string()).unwrap_or_default()),
                opt(n.customer.as_ref()),
                opt(n.customer_name.as_ref()),
                Cow::Borrowed(n.created_at.as_str()),
                Cow::Borrowed(n.kind.as_str()),
                Cow::Borrowed(n.body.as_str()),
                opt(n.due_at.as_ref()),
            ],
        )?;
    }
    w.flush()?;
    Ok(())
}
