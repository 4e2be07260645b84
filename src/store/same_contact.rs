//! Telling an incoming contact from one the workspace already holds: the same customer,
//! channel, start time, subject and text. Importing the same history file twice (or two
//! exports that overlap) would otherwise store every contact in it twice, and every count
//! built on them — handled, AHT, FCR — would be wrong without a word.

use std::hash::{DefaultHasher, Hash, Hasher};

use rusqlite::{Connection, params};

use super::contacts::NewContact;
use crate::domain::text::{StoredField, clean_stored_text};
use crate::domain::{Id, Timestamp};

/// Where each stored contact starts — its customer and start time — hashed and sorted: read
/// once per import (from the customers' contacts index alone), it spares asking the
/// database about every record that no stored contact could equal. A million contacts
/// take 8 MB.
#[derive(Debug, Default)]
pub struct Starts(Vec<u64>);

impl Starts {
    /// The starts of every stored contact.
    pub fn read(conn: &Connection) -> rusqlite::Result<Self> {
        let mut keys: Vec<u64> = conn
            .prepare("SELECT customer_id, created_at FROM contacts")?
            .query_map([], |r| Ok(start_key(r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        keys.sort_unstable();
        keys.dedup();
        Ok(Self(keys))
    }

    /// Whether no contact is stored.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether a stored contact may start at `at` for `customer` (a different start with the
    /// same hash answers yes, and [`holds_same`] then says no).
    pub fn may_hold(&self, customer: Option<Id>, at: Timestamp) -> bool {
        self.0.binary_search(&start_key(customer, at)).is_ok()
    }
}

fn start_key(customer: Option<Id>, at: Timestamp) -> u64 {
    let mut h = DefaultHasher::new();
    (customer, at).hash(&mut h);
    h.finish()
}

/// Whether any contact is stored (an import then compares each record with them).
pub fn any_stored(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row("SELECT EXISTS(SELECT 1 FROM contacts)", [], |r| r.get(0))
}

/// Whether a contact equal to `c` is stored: same customer, channel, start, subject and text,
/// the text compared as storing it would leave it (cleaned and masked) with the text the
/// contact reads (its own, or its email's: see `contacts::BODY`).
pub fn holds_same(conn: &Connection, c: &NewContact) -> rusqlite::Result<bool> {
    let subject = clean_stored_text(StoredField::ContactSubject, &c.subject).text;
    let body = clean_stored_text(StoredField::ContactBody, &c.body).text;
    conn.prepare_cached(&format!(
        "SELECT EXISTS(SELECT 1 FROM contacts
                       WHERE customer_id IS ?1 AND created_at = ?2 AND channel = ?3 AND subject = ?4 AND {BODY} = ?5)",
        BODY = super::contacts::BODY
    ))?
    .query_row(params![c.customer_id, c.created_at, c.channel.as_str(), subject, body], |r| r.get(0))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::domain::Channel;
    use crate::store::contacts;

    #[test]
    fn a_stored_contact_is_told_by_customer_channel_start_subject_and_text() {
        let conn = crate::store::open_in_memory().unwrap();
        let mut c = NewContact::waiting(Channel::Phone, "Where is my tent?", 1_000);
        c.body = "Card 4111 1111 1111 1111 was charged twice.".into();
        assert!(Starts::read(&conn).unwrap().is_empty());
        contacts::insert(&conn, &c).unwrap();
        let starts = Starts::read(&conn).unwrap();
        assert!(starts.may_hold(None, 1_000) && !starts.may_hold(None, 1_001));
        // The stored text is masked; the incoming one, cleaned the same way, still equals it.
        assert!(holds_same(&conn, &c).unwrap());
        for differs in [
            NewContact { channel: Channel::Chat, ..c.clone() },
            NewContact { created_at: 1_001, ..c.clone() },
            NewContact { subject: "Where is my tent??".into(), ..c.clone() },
            NewContact { body: "Card was charged twice.".into(), ..c.clone() },
        ] {
            assert!(!holds_same(&conn, &differs).unwrap(), "{differs:?}");
        }
    }
}
