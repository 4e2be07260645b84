//! Merging two records of the same person: everything of `absorb` moves to `keep`, in the
//! caller's transaction, and `absorb` is deleted.

use anyhow::{Result, bail};
use rusqlite::{Connection, params};
use serde::Serialize;

use crate::domain::identity::normalize;
use crate::domain::{Customer, Id, IdentityKind, Timestamp};

use super::customers;
use super::profile::{self, ProfileField};

/// What a merge moved and decided.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MergeSummary {
    pub keep: Id,
    pub absorbed: Id,
    pub identities_moved: usize,
    /// Identities `keep` already had (same kind and normalised value); dropped.
    pub identities_duplicate: usize,
    pub contacts: usize,
    pub notes: usize,
    pub orders: usize,
    pub billing_events: usize,
    pub follow_ups: usize,
    /// History entries of `absorb` carried over.
    pub history_entries: usize,
    /// Fields `keep` had empty and took from `absorb`.
    pub fields_filled: Vec<ProfileField>,
    /// Fields both had, with different values: `keep`'s value stays; this is the other one
    /// (also written to the merge history entry).
    pub conflicts: Vec<(ProfileField, String)>,
    /// Flags switched on because `absorb` had them.
    pub flags_added: Vec<String>,
    pub pinned_notes_joined: bool,
}

/// Separates two pinned notes that are joined by a merge.
pub const PINNED_NOTE_JOINER: &str = " · ";

/// Merges customer `absorb` into `keep`: identities (deduplicated on kind and normalised
/// value), contacts, notes, orders, billing events, follow-ups and history move to `keep`;
/// `keep`'s empty profile fields are filled from `absorb`, flags are OR-ed, pinned notes
/// joined; a `merge` history entry records what was absorbed and every conflicting value
/// that was not kept; then `absorb` is deleted. Run it inside `store::write`.
pub fn merge_customers(conn: &Connection, keep: Id, absorb: Id, now: Timestamp) -> Result<MergeSummary> {
    if keep == absorb {
        bail!("cannot merge customer #{keep} into itself");
    }
    let Some(k) = customers::customer(conn, keep)? else { bail!("customer #{keep} does not exist") };
    let Some(a) = customers::customer(conn, absorb)? else { bail!("customer #{absorb} does not exist") };
    let mut s = MergeSummary { keep, absorbed: absorb, ..MergeSummary::default() };

    // Identities first: `keep`'s name may only be a placeholder copied from one of them.
    let keep_identities = identities(conn, keep)?;
    let absorb_identities = identities(conn, absorb)?;
    let placeholder = |name: &str, ids: &[(Id, IdentityKind, String)]| {
        name.trim().is_empty() || ids.iter().any(|(_, _, value)| value.trim() == name.trim())
    };
    let names_are_placeholders = (placeholder(&k.name, &keep_identities), placeholder(&a.name, &absorb_identities));
    let mut seen: Vec<(IdentityKind, String)> =
        keep_identities.iter().map(|(_, kind, value)| (*kind, normalize(*kind, value))).collect();
    for (row, kind, value) in absorb_identities {
        let norm = normalize(kind, &value);
        if seen.contains(&(kind, norm.clone())) {
            conn.execute("DELETE FROM identities WHERE id = ?1", [row])?;
            s.identities_duplicate += 1;
        } else {
            conn.execute(
                "UPDATE identities SET customer_id = ?2, normalized = ?3 WHERE id = ?1",
                params![row, keep, norm],
            )?;
            seen.push((kind, norm));
            s.identities_moved += 1;
        }
    }

    let move_rows = |table: &str| -> rusqlite::Result<usize> {
        conn.execute(&format!("UPDATE {table} SET customer_id = ?1 WHERE customer_id = ?2"), [keep, absorb])
    };
    s.contacts = move_rows("contacts")?;
    s.notes = move_rows("notes")?;
    s.orders = move_rows("orders")?;
    s.billing_events = move_rows("billing_events")?;
    s.follow_ups = move_rows("follow_ups")?;
    s.history_entries = move_rows("customer_history")?;

    merge_profile(conn, &k, &a, names_are_placeholders, now, &mut s)?;

    let mut absorbed = format!("#{absorb} {}", a.name);
    if !s.conflicts.is_empty() {
        let kept: Vec<String> = s.conflicts.iter().map(|(f, v)| format!("{} \"{v}\"", f.as_str())).collect();
        absorbed.push_str(&format!(" (not kept: {})", kept.join(", ")));
    }
    profile::log(conn, keep, "merge", Some(&absorbed), Some(&format!("#{keep} {}", current_name(conn, keep)?)), now)?;
    conn.execute("DELETE FROM customers WHERE id = ?1", [absorb])?;
    Ok(s)
}

fn current_name(conn: &Connection, id: Id) -> rusqlite::Result<String> {
    conn.query_row("SELECT name FROM customers WHERE id = ?1", [id], |r| r.get(0))
}

fn identities(conn: &Connection, customer: Id) -> rusqlite::Result<Vec<(Id, IdentityKind, String)>> {
    conn.prepare_cached("SELECT id, kind, value FROM identities WHERE customer_id = ?1 ORDER BY id")?
        .query_map([customer], |r| {
            let kind: String = r.get(1)?;
            Ok((r.get(0)?, IdentityKind::parse(&kind).unwrap_or(IdentityKind::Handle), r.get(2)?))
        })?
        .collect()
}

fn non_empty(v: Option<&String>) -> Option<&str> {
    v.map(|s| s.trim()).filter(|s| !s.is_empty())
}

fn merge_profile(
    conn: &Connection,
    k: &Customer,
    a: &Customer,
    (keep_name_is_placeholder, absorb_name_is_placeholder): (bool, bool),
    now: Timestamp,
    s: &mut MergeSummary,
) -> Result<()> {
    let fields = [
        (ProfileField::Name, Some(&k.name), Some(&a.name)),
        (ProfileField::Company, k.company.as_ref(), a.company.as_ref()),
        (ProfileField::Tier, k.tier.as_ref(), a.tier.as_ref()),
        (ProfileField::Language, k.language.as_ref(), a.language.as_ref()),
        (ProfileField::Timezone, k.timezone.as_ref(), a.timezone.as_ref()),
    ];
    for (field, kept, other) in fields {
        let Some(other) = non_empty(other) else { continue };
        if field == ProfileField::Name && absorb_name_is_placeholder {
            continue;
        }
        let kept = non_empty(kept).filter(|_| !(field == ProfileField::Name && keep_name_is_placeholder));
        match kept {
            None => {
                if profile::update_field(conn, s.keep, field, Some(other), now)? {
                    s.fields_filled.push(field);
                }
            }
            Some(kept) if kept != other => s.conflicts.push((field, other.to_string())),
            Some(_) => {}
        }
    }
    for (flag, kept, other) in [
        (profile::Flag::Vip, k.vip, a.vip),
        (profile::Flag::FraudWatch, k.fraud_watch, a.fraud_watch),
        (profile::Flag::DoNotContact, k.do_not_contact, a.do_not_contact),
    ] {
        if other && !kept && profile::set_flag(conn, s.keep, flag, true, now)? {
            s.flags_added.push(flag.as_str().to_string());
        }
    }
    let joined = match (non_empty(k.pinned_note.as_ref()), non_empty(a.pinned_note.as_ref())) {
        (_, None) => None,
        (None, Some(other)) => Some(other.to_string()),
        (Some(kept), Some(other)) if kept == other || kept.contains(other) => None,
        (Some(kept), Some(other)) => {
            s.pinned_notes_joined = true;
            Some(format!("{kept}{PINNED_NOTE_JOINER}{other}"))
        }
    };
    if let Some(note) = joined {
        profile::set_pinned_note(conn, s.keep, Some(&note), now)?;
    }
    Ok(())
}
