//! Notes, promises and the autosaved drafts of the notes editor.

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::domain::text::{StoredField, TextReport, clean_stored_text};
use crate::domain::{Id, Note, NoteKind, Timestamp};

const NOTE_COLUMNS: &str = "id, contact_id, created_at, kind, body, due_at";

fn note_from_row(r: &Row<'_>) -> rusqlite::Result<Note> {
    Ok(Note {
        id: r.get(0)?,
        contact_id: r.get(1)?,
        created_at: r.get(2)?,
        kind: NoteKind::parse(&r.get::<_, String>(3)?).unwrap_or(NoteKind::Note),
        body: r.get(4)?,
        due_at: r.get(5)?,
    })
}

/// Saves a note on a contact (and its customer) and clears the contact's draft, in the
/// caller's transaction so the text is never in both places or neither.
/// The body is cleaned on the way in (see [`clean_stored_text`]); the note returned is
/// what was stored.
pub fn save_note(conn: &Connection, contact: Id, body: &str, now: Timestamp) -> rusqlite::Result<Note> {
    let body = clean_stored_text(StoredField::Note, body).text;
    conn.execute(
        "INSERT INTO notes(contact_id, customer_id, created_at, kind, body)
         VALUES (?1, (SELECT customer_id FROM contacts WHERE id = ?1), ?2, 'note', ?3)",
        params![contact, now, body],
    )?;
    let id = conn.last_insert_rowid();
    conn.execute("DELETE FROM drafts WHERE contact_id = ?1", [contact])?;
    conn.query_row(&format!("SELECT {NOTE_COLUMNS} FROM notes WHERE id = ?1"), [id], note_from_row)
}

/// Inserts a note with explicit fields (imports and the demo use it for history); the body
/// is cleaned on the way in.
pub fn insert_note(
    conn: &Connection,
    contact: Option<Id>,
    customer: Option<Id>,
    note: (&str, &str, Timestamp, Option<Timestamp>),
) -> rusqlite::Result<Id> {
    insert_note_reporting(conn, contact, customer, note).map(|(id, _)| id)
}

/// [`insert_note`], also saying what cleaning did (an import's summary names a note that
/// was cut).
pub fn insert_note_reporting(
    conn: &Connection,
    contact: Option<Id>,
    customer: Option<Id>,
    note: (&str, &str, Timestamp, Option<Timestamp>),
) -> rusqlite::Result<(Id, TextReport)> {
    let (kind, body, at, due) = note;
    let mut report = TextReport::default();
    let body = report.clean(StoredField::Note, body);
    conn.prepare_cached(
        "INSERT INTO notes(contact_id, customer_id, created_at, kind, body, due_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![contact, customer, at, kind, body, due])?;
    Ok((conn.last_insert_rowid(), report))
}

/// The notes of one contact, oldest first.
pub fn for_contact(conn: &Connection, contact: Id) -> rusqlite::Result<Vec<Note>> {
    conn.prepare_cached(&format!("SELECT {NOTE_COLUMNS} FROM notes WHERE contact_id = ?1 ORDER BY created_at, id"))?
        .query_map([contact], note_from_row)?
        .collect()
}

/// The notes on every contact of a customer, by contact, each contact's oldest first (the
/// timeline reads them in one query). Notes whose `customer_id` was not kept in step with
/// their contact's are found through the contact, so the result equals calling
/// [`for_contact`] for each of the customer's contacts.
pub(crate) fn for_customer_contacts(conn: &Connection, customer: Id) -> rusqlite::Result<Vec<Note>> {
    conn.prepare_cached(&format!(
        "SELECT {NOTE_COLUMNS} FROM notes WHERE contact_id IN (SELECT id FROM contacts WHERE customer_id = ?1)
         ORDER BY contact_id, created_at, id"
    ))?
    .query_map([customer], note_from_row)?
    .collect()
}

/// A customer's promises not yet kept, soonest first.
pub fn open_promises(conn: &Connection, customer: Id) -> rusqlite::Result<Vec<Note>> {
    conn.prepare_cached(&format!(
        "SELECT {NOTE_COLUMNS} FROM notes WHERE customer_id = ?1 AND kind = 'promise' AND kept_at IS NULL
         ORDER BY due_at IS NULL, due_at, id"
    ))?
    .query_map([customer], note_from_row)?
    .collect()
}

/// Marks a promise kept: it leaves the open promises and stays in the history. `Ok(false)`
/// when there is no such open promise.
pub fn keep_promise(conn: &Connection, note: Id, now: Timestamp) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE notes SET kept_at = ?2 WHERE id = ?1 AND kind = 'promise' AND kept_at IS NULL",
        params![note, now],
    )?;
    Ok(changed == 1)
}

/// The two kinds of unsaved text kept per contact, each in its own table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DraftKind {
    /// The notes editor's text.
    Note,
    /// An email reply being written.
    Reply,
}

impl DraftKind {
    fn table(self) -> &'static str {
        match self {
            Self::Note => "drafts",
            Self::Reply => "reply_drafts",
        }
    }

    fn field(self) -> StoredField {
        match self {
            Self::Note => StoredField::Draft,
            Self::Reply => StoredField::ReplyDraft,
        }
    }
}

fn save_text(conn: &Connection, kind: DraftKind, contact: Id, body: &str, now: Timestamp) -> rusqlite::Result<()> {
    let table = kind.table();
    if body.trim().is_empty() {
        conn.execute(&format!("DELETE FROM {table} WHERE contact_id = ?1"), [contact])?;
    } else {
        let body = clean_stored_text(kind.field(), body).text;
        conn.prepare_cached(&format!(
            "INSERT INTO {table}(contact_id, body, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(contact_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at"
        ))?
        .execute(params![contact, body, now])?;
    }
    Ok(())
}

fn saved_text(conn: &Connection, kind: DraftKind, contact: Id) -> rusqlite::Result<Option<String>> {
    conn.query_row(&format!("SELECT body FROM {} WHERE contact_id = ?1", kind.table()), [contact], |r| r.get(0))
        .optional()
}

/// Replaces the draft of a contact, cleaned like every stored text; an empty text removes it.
pub fn save_draft(conn: &Connection, contact: Id, body: &str, now: Timestamp) -> rusqlite::Result<()> {
    save_text(conn, DraftKind::Note, contact, body, now)
}

/// The saved draft of a contact, if any.
pub fn draft(conn: &Connection, contact: Id) -> rusqlite::Result<Option<String>> {
    saved_text(conn, DraftKind::Note, contact)
}

/// Replaces the email reply being written for a contact, cleaned like every stored text
/// (what is sent is masked again on the way out); an empty text removes it.
pub fn save_reply_draft(conn: &Connection, contact: Id, body: &str, now: Timestamp) -> rusqlite::Result<()> {
    save_text(conn, DraftKind::Reply, contact, body, now)
}

/// The email reply being written for a contact, if any.
pub fn reply_draft(conn: &Connection, contact: Id) -> rusqlite::Result<Option<String>> {
    saved_text(conn, DraftKind::Reply, contact)
}
