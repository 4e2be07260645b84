//! Draft articles written from resolved contacts ("create article from contact"), kept in
//! the workspace until exported for the help centre.

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::domain::kb_draft::{self, Drafted, KbDraft};
use crate::domain::text::mask_card_numbers;
use crate::domain::{ContactStatus, Id, IdentityKind, Timestamp};
use crate::store::{contacts, customers, notes};

/// Longest draft body kept; notes beyond it are left out.
const MAX_BODY_CHARS: usize = 64 * 1024;

/// Why a contact cannot become a draft article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    NoSuchContact(Id),
    /// Only a resolved contact's notes say what resolved it.
    NotResolved(Id, ContactStatus),
    NoNotes(Id),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoSuchContact(id) => write!(f, "no contact {id}"),
            Self::NotResolved(id, status) => {
                write!(
                    f,
                    "contact {id} is {}, not resolved: only a resolved contact becomes an article",
                    status.as_str()
                )
            }
            Self::NoNotes(id) => write!(f, "contact {id} has no notes to write an article from"),
        }
    }
}

const COLUMNS: &str = "id, contact_id, title, tags, body, created_at, updated_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<KbDraft> {
    let tags: String = r.get(3)?;
    Ok(KbDraft {
        id: r.get(0)?,
        contact_id: r.get(1)?,
        title: r.get(2)?,
        tags: tags.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_string).collect(),
        body: r.get(4)?,
        created_at: r.get(5)?,
        updated_at: r.get(6)?,
    })
}

/// Writes a draft article from a resolved contact's subject and notes (promises, which are
/// about one customer, are left out) and returns it; the draft already made from that
/// contact is returned as it is. Call inside a write transaction.
pub fn from_contact(conn: &Connection, contact: Id, now: Timestamp) -> rusqlite::Result<Result<Drafted, Refused>> {
    if let Some(draft) = for_contact(conn, contact)? {
        return Ok(Ok(Drafted { draft, earlier: true }));
    }
    let Some(c) = contacts::contact(conn, contact)? else { return Ok(Err(Refused::NoSuchContact(contact))) };
    if c.status != ContactStatus::Resolved {
        return Ok(Err(Refused::NotResolved(contact, c.status)));
    }
    let notes = notes::for_contact(conn, contact)?;
    let texts: Vec<&str> =
        notes.iter().filter(|n| n.kind == crate::domain::NoteKind::Note).map(|n| n.body.as_str()).collect();
    if texts.iter().all(|t| t.trim().is_empty()) {
        return Ok(Err(Refused::NoNotes(contact)));
    }
    let (title, tags, body) = kb_draft::compose(&c.subject, c.disposition.as_deref(), &c.tags, &texts);
    // A help-centre page is public: the customer's name, addresses and numbers stay out.
    let personal = match c.customer_id {
        Some(customer) => personal(conn, customer)?,
        None => kb_draft::Personal::default(),
    };
    let title = personal.left_out(&title);
    let body: String = mask_card_numbers(&personal.left_out(&body)).text.chars().take(MAX_BODY_CHARS).collect();
    conn.prepare_cached(
        "INSERT INTO kb_drafts(contact_id, title, tags, body, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )?
    .execute(params![contact, title, tags.join(", "), body, now])?;
    let draft = draft(conn, conn.last_insert_rowid())?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
    Ok(Ok(Drafted { draft, earlier: false }))
}

/// What identifies a customer in a rep's notes: their name and its parts, their emails,
/// handles and phones, their orders' numbers and tracking numbers.
fn personal(conn: &Connection, customer: Id) -> rusqlite::Result<kb_draft::Personal> {
    let Some(record) = customers::record(conn, customer)? else { return Ok(kb_draft::Personal::default()) };
    let name = record.customer.name.trim().to_string();
    let mut names: Vec<String> = name.split_whitespace().map(str::to_string).collect();
    names.push(name);
    let mut p = kb_draft::Personal { names, ..kb_draft::Personal::default() };
    for i in record.identities {
        match i.kind {
            IdentityKind::Phone => p.phones.push(i.value),
            IdentityKind::Email => p.values.push((i.value, "[email]")),
            IdentityKind::Handle => p.values.push((i.value, "[handle]")),
        }
    }
    for o in record.orders {
        p.values.push((o.number, "[order number]"));
        p.values.extend(o.tracking.map(|t| (t, "[tracking number]")));
    }
    Ok(p)
}

/// Reads one draft.
pub fn draft(conn: &Connection, id: Id) -> rusqlite::Result<Option<KbDraft>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM kb_drafts WHERE id = ?1"))?.query_row([id], from_row).optional()
}

/// The draft made from a contact, if any.
pub fn for_contact(conn: &Connection, contact: Id) -> rusqlite::Result<Option<KbDraft>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM kb_drafts WHERE contact_id = ?1 ORDER BY id LIMIT 1"))?
        .query_row([contact], from_row)
        .optional()
}

/// Every draft, newest first.
pub fn list(conn: &Connection) -> rusqlite::Result<Vec<KbDraft>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM kb_drafts ORDER BY updated_at DESC, id DESC"))?
        .query_map([], from_row)?
        .collect()
}

/// Saves the rep's edit of a draft; returns whether it exists.
pub fn update(
    conn: &Connection,
    id: Id,
    title: &str,
    tags: &[String],
    body: &str,
    now: Timestamp,
) -> rusqlite::Result<bool> {
    let body: String = mask_card_numbers(body).text.chars().take(MAX_BODY_CHARS).collect();
    let title = mask_card_numbers(title.trim()).text;
    let changed = conn
        .prepare_cached("UPDATE kb_drafts SET title = ?2, tags = ?3, body = ?4, updated_at = ?5 WHERE id = ?1")?
        .execute(params![id, title, tags.join(", "), body, now])?;
    Ok(changed == 1)
}

/// Deletes a draft (published, or abandoned); returns whether it existed.
pub fn delete(conn: &Connection, id: Id) -> rusqlite::Result<bool> {
    Ok(conn.prepare_cached("DELETE FROM kb_drafts WHERE id = ?1")?.execute([id])? == 1)
}

/// Deletes the drafts written from a customer's contacts (their notes may name the
/// customer): for erasure, before the contacts are detached. Returns how many.
pub fn delete_for_customer(conn: &Connection, customer: Id) -> rusqlite::Result<usize> {
    conn.prepare_cached("DELETE FROM kb_drafts WHERE contact_id IN (SELECT id FROM contacts WHERE customer_id = ?1)")?
        .execute([customer])
}

/// The draft as Markdown with front matter for the help centre, if it exists.
pub fn export_markdown(conn: &Connection, id: Id) -> rusqlite::Result<Option<String>> {
    Ok(draft(conn, id)?.map(|d| kb_draft::to_markdown(&d)))
}
