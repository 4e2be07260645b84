//! Customers on the store worker: finding them, opening a record, editing, merging and
//! erasing — each change in one transaction, answered with the fresh record.

use rusqlite::{Connection, Transaction};

use super::failed;
use crate::domain::time::now;
use crate::domain::{Id, Timestamp};
use crate::protocol::{CustomerEdit, Keepable, Reply};
use crate::store::profile::{self, Flag, ProfileField};
use crate::store::{self, customers, merge};

/// Customers matching a name, email, phone, handle or order number.
pub(super) fn search(conn: &Connection, seq: u64, query: &str) -> Reply {
    match customers::search(conn, query, 12) {
        Ok(hits) => Reply::CustomerHits { seq, hits },
        Err(e) => failed("Finding customers", &e),
    }
}

/// A customer's record, without a contact.
pub(super) fn open(conn: &Connection, seq: u64, id: Id) -> Reply {
    match customers::record(conn, id) {
        Ok(record) => Reply::CustomerRecord { seq, record: record.map(Box::new) },
        Err(e) => failed("Opening the customer", &e),
    }
}

/// Saves the profile editor's changes (each logged in the customer's history).
pub(super) fn edit(conn: &mut Connection, edit: &CustomerEdit) -> Reply {
    customer_changed(conn, edit.id, |tx, t| {
        apply_edit(tx, edit, t)?;
        Ok(Some("Customer updated".to_string()))
    })
}

/// Merges `absorb` into `keep` in one transaction.
pub(super) fn merge(conn: &mut Connection, keep: Id, absorb: Id) -> Reply {
    customer_changed(conn, keep, |tx, t| {
        let m = merge::merge_customers(tx, keep, absorb, t)?;
        let conflicts = if m.conflicts.is_empty() {
            String::new()
        } else {
            format!("; {} differing fields kept (see record changes)", m.conflicts.len())
        };
        Ok(Some(format!(
            "Merged: {} contacts, {} identities, {} orders moved{conflicts}",
            m.contacts, m.identities_moved, m.orders
        )))
    })
}

/// A promise kept or a follow-up done: it leaves the open list and stays in the history.
pub(super) fn mark_kept(conn: &mut Connection, customer: Id, item: Keepable) -> Reply {
    customer_changed(conn, customer, |tx, t| match item {
        Keepable::Promise(note) => {
            if !crate::store::notes::keep_promise(tx, note, t)? {
                anyhow::bail!("that promise was already kept");
            }
            Ok(Some("Promise kept: it stays in the history".to_string()))
        }
        Keepable::FollowUp(id) => {
            if !crate::store::contact_loop::mark_follow_up_done(tx, id, t)? {
                anyhow::bail!("that follow-up was already done");
            }
            Ok(Some("Follow-up done".to_string()))
        }
    })
}

/// Runs a customer change in one transaction and answers with the fresh record.
fn customer_changed(
    conn: &mut Connection,
    id: Id,
    f: impl FnOnce(&Transaction<'_>, Timestamp) -> anyhow::Result<Option<String>>,
) -> Reply {
    let t = now();
    let result = store::write(conn, |tx| -> anyhow::Result<_> {
        let message = f(tx, t)?;
        Ok((customers::record(tx, id)?, message))
    });
    match result {
        Ok((Some(record), message)) => Reply::CustomerChanged { record: Box::new(record), message },
        Ok((None, _)) => Reply::Refused { message: "That customer no longer exists".into() },
        Err(e) => Reply::Refused { message: format!("{e:#}") },
    }
}

/// Applies the profile editor's values; each actual change is logged by `profile`.
fn apply_edit(tx: &Connection, edit: &CustomerEdit, t: Timestamp) -> anyhow::Result<()> {
    let p = &edit.profile;
    if !p.timezone.is_empty() && p.timezone.parse::<chrono_tz::Tz>().is_err() {
        anyhow::bail!("time zone \"{}\" is not an IANA name like America/Chicago", p.timezone);
    }
    let fields = [
        (ProfileField::Name, &p.name),
        (ProfileField::Company, &p.company),
        (ProfileField::Tier, &p.tier),
        (ProfileField::Language, &p.language),
        (ProfileField::Timezone, &p.timezone),
    ];
    fn non_empty(v: &str) -> Option<&str> {
        Some(v).filter(|v| !v.is_empty())
    }
    for (field, value) in fields {
        profile::update_field(tx, edit.id, field, non_empty(value), t)?;
    }
    profile::set_pinned_note(tx, edit.id, non_empty(&p.pinned_note), t)?;
    let f = edit.flags;
    for (flag, on) in [(Flag::Vip, f.vip), (Flag::FraudWatch, f.fraud_watch), (Flag::DoNotContact, f.do_not_contact)] {
        profile::set_flag(tx, edit.id, flag, on, t)?;
    }
    if let Some(identity) = &edit.add_identity {
        let Some(kind) = crate::domain::identity::classify(identity) else {
            anyhow::bail!("\"{}\" is not an email, phone number or @handle", crate::domain::identity::shown(identity));
        };
        profile::add_identity_logged(tx, edit.id, kind, identity, t)?;
    }
    Ok(())
}
