//! Where a contact came from, for the contacts that must be answered the same way (table
//! `contact_origins`): today, those that arrived through the inbox folder.

use rusqlite::{Connection, OptionalExtension, params};

use crate::domain::Id;

/// How a contact arrived, beyond its channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// From a file in the inbox folder: replies go back through the inbox's outbox.
    Inbox {
        /// The other system's conversation id, if its file gave one.
        external_id: Option<String>,
        /// The customer as the file named them (an email, phone or handle).
        customer_key: Option<String>,
    },
}

/// Records that a contact came through the inbox folder, with the other system's
/// conversation id and the customer key its file gave. Call in the import's write
/// transaction, right after the contact is inserted.
pub fn record_inbox(
    conn: &Connection,
    contact: Id,
    external_id: Option<&str>,
    customer_key: Option<&str>,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO contact_origins(contact_id, source, external_id, customer_key) VALUES (?1, 'inbox', ?2, ?3)
         ON CONFLICT(contact_id) DO UPDATE SET source = excluded.source, external_id = excluded.external_id,
                                               customer_key = excluded.customer_key",
    )?
    .execute(params![contact, external_id, customer_key])?;
    Ok(())
}

/// How a contact arrived; `None` for one created by hand, imported, or read from a Maildir.
pub fn origin(conn: &Connection, contact: Id) -> rusqlite::Result<Option<Origin>> {
    conn.prepare_cached("SELECT source, external_id, customer_key FROM contact_origins WHERE contact_id = ?1")?
        .query_row([contact], |r| {
            let source: String = r.get(0)?;
            match source.as_str() {
                "inbox" => Ok(Origin::Inbox { external_id: r.get(1)?, customer_key: r.get(2)? }),
                other => {
                    Err(rusqlite::Error::InvalidColumnType(0, format!("source {other}"), rusqlite::types::Type::Text))
                }
            }
        })
        .optional()
}
