//! The rep's words on the store worker: the notes draft, filed notes and the reply draft.
//! A save that fails says so with its own reply, so the state can keep the text and tell
//! the rep at once (a full disk must never lose words in silence).

use rusqlite::Connection;

use crate::domain::Id;
use crate::domain::text::mask_card_numbers;
use crate::domain::time::now;
use crate::protocol::{DraftKind, Reply};
use crate::store::{self, notes};

/// Keeps the notes editor's text as the contact's draft.
pub(super) fn save_draft(conn: &mut Connection, contact: Id, body: &str) -> Reply {
    let body = mask_card_numbers(body).text;
    let saved = if crate::fault::disk_full() {
        Err(crate::fault::disk_full_error())
    } else {
        store::write(conn, |tx| notes::save_draft(tx, contact, &body, now()))
    };
    match saved {
        Ok(()) => Reply::DraftSaved { contact, kind: DraftKind::Notes },
        Err(e) => Reply::DraftFailed { contact, kind: DraftKind::Notes, body, error: e.to_string() },
    }
}

/// Files a note on the contact's timeline.
pub(super) fn save_note(conn: &mut Connection, contact: Id, body: &str) -> Reply {
    match crate::store::contact_loop::add_note(conn, contact, body, now()) {
        Ok(Ok(note)) => Reply::NoteSaved { note },
        Ok(Err(why)) => Reply::NoteFailed { contact, body: mask_card_numbers(body).text, error: why },
        Err(e) => Reply::NoteFailed { contact, body: mask_card_numbers(body).text, error: e.to_string() },
    }
}

/// Keeps the reply being written.
pub(super) fn save_reply_draft(conn: &mut Connection, contact: Id, body: &str) -> Reply {
    let body = mask_card_numbers(body).text;
    let saved = if crate::fault::disk_full() {
        Err(crate::fault::disk_full_error())
    } else {
        store::write(conn, |tx| notes::save_reply_draft(tx, contact, &body, now()))
    };
    match saved {
        Ok(()) => Reply::DraftSaved { contact, kind: DraftKind::Reply },
        Err(e) => Reply::DraftFailed { contact, kind: DraftKind::Reply, body, error: e.to_string() },
    }
}

/// Who a reply to `contact` will reach and from which address — decided by the same code
/// that sends it — or why it cannot be answered.
pub(super) fn reply_recipients(conn: &Connection, contact: Id, replies: &crate::intake::reply::Settings) -> Reply {
    let recipients = crate::intake::reply::recipients(conn, contact, replies)
        .map(|r| crate::protocol::ReplyAddresses { to: r.to_line(), from: r.from_line() })
        .map_err(|e| format!("{e:#}"));
    Reply::Recipients { contact, recipients }
}
