//! The contact loop's writes, one function each, shared by the workstation's store worker
//! and the `frontline contact …` commands, so a step taken from the shell follows the same
//! rules, masking and event log as one taken with a key: every change runs in one
//! transaction, the rep's status follows the work, and the contact is read back fresh.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;

use super::team::TeamAction;
use super::{contacts, notes, shift};
use crate::domain::contact_loop::{Outcome, Step};
use crate::domain::text::{mask_card_numbers, sanitize};
use crate::domain::time::local_day_start;
use crate::domain::{ContactDetail, ContactStatus, Id, Note, Timestamp};

/// Runs one change of the contact loop in one transaction: `f` writes and names the
/// contact it changed (or says why it refused, and nothing is written); then the rep's
/// status follows the work and the contact's fresh detail is read back.
pub fn change(
    conn: &mut Connection,
    now: Timestamp,
    f: impl FnOnce(&Transaction<'_>, Timestamp) -> rusqlite::Result<Result<Id, String>>,
) -> rusqlite::Result<Result<ContactDetail, String>> {
    super::write(conn, |tx| -> rusqlite::Result<Result<ContactDetail, String>> {
        match f(tx, now)? {
            Ok(id) => {
                shift::follow_contact_status(tx, now)?;
                Ok(contacts::detail(tx, id, local_day_start(now))?
                    .ok_or_else(|| "the contact no longer exists".to_string()))
            }
            Err(message) => Ok(Err(message)),
        }
    })
}

/// One step (accept, hold, resume, wrap up, reopen) on one contact, as [`change`] runs it.
pub fn step(
    conn: &mut Connection,
    id: Id,
    step: &Step,
    now: Timestamp,
) -> rusqlite::Result<Result<ContactDetail, String>> {
    change(conn, now, |tx, t| Ok(contacts::apply_step(tx, id, step, t)?.map(|()| id).map_err(|r| r.0)))
}

/// How a contact is closed: the outcome, its disposition and, for an escalation or a
/// transfer, why and by whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closing {
    pub outcome: Outcome,
    pub disposition: String,
    pub reason: Option<String>,
    /// The rep's name, kept on the record beside the reason.
    pub by: Option<String>,
}

/// Closes a contact in the caller's transaction: the closing step (event log included),
/// then the escalation's reason and who sent it on the contact itself, masked like every
/// stored text, so the record and exports can say "escalated to technical: … (by Ana)".
pub fn close(conn: &Connection, id: Id, closing: &Closing, now: Timestamp) -> rusqlite::Result<Result<(), String>> {
    let reason =
        closing.reason.as_deref().map(|r| mask_card_numbers(&sanitize(r.trim())).text).filter(|r| !r.is_empty());
    let step = Step::Close {
        outcome: closing.outcome.clone(),
        disposition: closing.disposition.clone(),
        reason: reason.clone(),
    };
    if let Err(refused) = contacts::apply_step(conn, id, &step, now)? {
        return Ok(Err(refused.0));
    }
    if !matches!(closing.outcome, Outcome::Resolve) {
        let by = closing.by.as_deref().map(|b| sanitize(b.trim())).filter(|b| !b.is_empty());
        conn.execute(
            "UPDATE contacts SET escalation_reason = ?2, escalated_by = ?3 WHERE id = ?1",
            params![id, reason, by],
        )?;
    }
    // A team contact's help-desk half goes into the journal in this same transaction.
    let action = match &closing.outcome {
        Outcome::Resolve => TeamAction::Resolve,
        Outcome::Escalate(queue) | Outcome::Transfer(queue) => {
            TeamAction::Move { queue: queue.clone(), reason: reason.unwrap_or_default() }
        }
    };
    super::team::record(conn, id, &action, now)?;
    Ok(Ok(()))
}

/// Files a note on a contact (card numbers masked, the draft cleared, as the notes editor
/// does). Refuses an empty note and a contact that does not exist.
pub fn add_note(
    conn: &mut Connection,
    contact: Id,
    body: &str,
    now: Timestamp,
) -> rusqlite::Result<Result<Note, String>> {
    let masked = mask_card_numbers(&sanitize(body.trim_end())).text;
    if masked.trim().is_empty() {
        return Ok(Err("the note is empty".into()));
    }
    super::write(conn, |tx| {
        if !contacts::exists(tx, contact)? {
            return Ok(Err("there is no such contact".into()));
        }
        let note = notes::save_note(tx, contact, &masked, now)?;
        super::team::record(tx, contact, &TeamAction::Note(masked.clone()), now)?;
        Ok(Ok(note))
    })
}

/// Where an escalated or transferred contact went, why, and who sent it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Escalation {
    /// Escalated or transferred.
    pub status: ContactStatus,
    pub department: String,
    pub reason: Option<String>,
    pub by: Option<String>,
}

impl std::fmt::Display for Escalation {
    /// "escalated to technical: router keeps rebooting (by Ana)".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verb = if self.status == ContactStatus::Transferred { "transferred" } else { "escalated" };
        write!(f, "{verb} to {}", self.department)?;
        if let Some(reason) = &self.reason {
            write!(f, ": {reason}")?;
        }
        if let Some(by) = &self.by {
            write!(f, " (by {by})")?;
        }
        Ok(())
    }
}

fn escalation_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Id, Escalation)> {
    let status: String = r.get(1)?;
    Ok((
        r.get(0)?,
        Escalation {
            status: ContactStatus::parse(&status).unwrap_or(ContactStatus::Escalated),
            department: r.get(2)?,
            reason: r.get(3)?,
            by: r.get(4)?,
        },
    ))
}

const ESCALATION_COLUMNS: &str = "id, status, escalated_to, escalation_reason, escalated_by";

/// A contact's escalation or transfer, if it ended that way.
pub fn escalation(conn: &Connection, contact: Id) -> rusqlite::Result<Option<Escalation>> {
    conn.query_row(
        &format!(
            "SELECT {ESCALATION_COLUMNS} FROM contacts
             WHERE id = ?1 AND status IN ('escalated', 'transferred') AND escalated_to IS NOT NULL"
        ),
        [contact],
        escalation_row,
    )
    .optional()
    .map(|found| found.map(|(_, e)| e))
}

/// Every escalation or transfer among a customer's contacts, by contact.
pub fn escalations_of_customer(conn: &Connection, customer: Id) -> rusqlite::Result<Vec<(Id, Escalation)>> {
    conn.prepare_cached(&format!(
        "SELECT {ESCALATION_COLUMNS} FROM contacts
         WHERE customer_id = ?1 AND status IN ('escalated', 'transferred') AND escalated_to IS NOT NULL"
    ))?
    .query_map([customer], escalation_row)?
    .collect()
}

/// A follow-up with what it is about, for lists outside one customer's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowUpItem {
    pub id: Id,
    pub contact_id: Id,
    pub customer_id: Option<Id>,
    pub customer_name: Option<String>,
    pub subject: String,
    pub due_at: Timestamp,
    pub note: String,
    pub done_at: Option<Timestamp>,
}

const FOLLOW_UP_SELECT: &str =
    "SELECT f.id, f.contact_id, f.customer_id, cu.name, c.subject, f.due_at, f.note, f.done_at
     FROM follow_ups f JOIN contacts c ON c.id = f.contact_id LEFT JOIN customers cu ON cu.id = f.customer_id";

fn follow_up_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<FollowUpItem> {
    Ok(FollowUpItem {
        id: r.get(0)?,
        contact_id: r.get(1)?,
        customer_id: r.get(2)?,
        customer_name: r.get(3)?,
        subject: r.get(4)?,
        due_at: r.get(5)?,
        note: r.get(6)?,
        done_at: r.get(7)?,
    })
}

/// Follow-ups not yet done, soonest first; with `due_by`, only those due by then.
pub fn open_follow_ups(conn: &Connection, due_by: Option<Timestamp>) -> rusqlite::Result<Vec<FollowUpItem>> {
    conn.prepare_cached(&format!(
        "{FOLLOW_UP_SELECT} WHERE f.done_at IS NULL AND (?1 IS NULL OR f.due_at <= ?1) ORDER BY f.due_at, f.id"
    ))?
    .query_map([due_by], follow_up_row)?
    .collect()
}

/// Marks a follow-up done (it leaves the open lists and stays in the history). Refuses one
/// that does not exist or is already done, saying when.
pub fn complete_follow_up(
    conn: &mut Connection,
    id: Id,
    now: Timestamp,
) -> rusqlite::Result<Result<FollowUpItem, String>> {
    super::write(conn, |tx| {
        let found = tx.query_row(&format!("{FOLLOW_UP_SELECT} WHERE f.id = ?1"), [id], follow_up_row).optional()?;
        let Some(mut item) = found else { return Ok(Err("there is no such follow-up".into())) };
        if let Some(done) = item.done_at {
            let when = crate::domain::time::local_datetime(done);
            return Ok(Err(format!("it was already done on {when}")));
        }
        mark_follow_up_done(tx, id, now)?;
        item.done_at = Some(now);
        Ok(Ok(item))
    })
}

/// Marks a follow-up done in the caller's transaction; `false` when it already was.
pub fn mark_follow_up_done(conn: &Connection, id: Id, now: Timestamp) -> rusqlite::Result<bool> {
    Ok(conn.execute("UPDATE follow_ups SET done_at = ?2 WHERE id = ?1 AND done_at IS NULL", params![id, now])? == 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Channel;
    use crate::store::open_in_memory;

    fn active_contact(conn: &mut Connection) -> Id {
        let mut c = contacts::NewContact::waiting(Channel::Phone, "Router", 100);
        c.status = ContactStatus::Active;
        c.accepted_at = Some(110);
        contacts::insert(conn, &c).expect("insert")
    }

    #[test]
    fn an_escalation_keeps_its_department_reason_and_rep_on_the_record() {
        let mut conn = open_in_memory().expect("db");
        let id = active_contact(&mut conn);
        let closing = Closing {
            outcome: Outcome::Escalate("technical".into()),
            disposition: "escalated".into(),
            reason: Some("card 4111 1111 1111 1111 declined twice".into()),
            by: Some("Ana".into()),
        };
        let done = change(&mut conn, 200, |tx, t| Ok(close(tx, id, &closing, t)?.map(|()| id))).expect("write");
        assert_eq!(done.expect("closed").contact.status, ContactStatus::Escalated);
        let e = escalation(&conn, id).expect("read").expect("escalated");
        assert_eq!(e.department, "technical");
        assert_eq!(e.by.as_deref(), Some("Ana"));
        let text = e.to_string();
        assert!(
            text.starts_with("escalated to technical: card ") && text.ends_with(" declined twice (by Ana)"),
            "{text}"
        );
        assert!(!text.contains("4111 1111 1111 1111"), "masked: {text}");
    }

    #[test]
    fn a_refused_step_writes_nothing_and_says_why() {
        let mut conn = open_in_memory().expect("db");
        let id = active_contact(&mut conn);
        let refused = step(&mut conn, id, &Step::Accept, 200).expect("write");
        assert_eq!(refused, Err("cannot accept a contact that is active".to_string()));
        assert_eq!(contacts::events(&conn, id).expect("events").len(), 2, "create and accept only");
    }

    #[test]
    fn a_follow_up_done_leaves_the_open_list_once() {
        let mut conn = open_in_memory().expect("db");
        let id = active_contact(&mut conn);
        let f = contacts::add_follow_up(&conn, id, 500, "Call back", 200).expect("follow-up");
        assert_eq!(open_follow_ups(&conn, Some(400)).expect("list").len(), 0, "not due yet");
        assert_eq!(open_follow_ups(&conn, None).expect("list").len(), 1);
        let done = complete_follow_up(&mut conn, f, 600).expect("write").expect("done");
        assert_eq!(done.done_at, Some(600));
        assert!(open_follow_ups(&conn, None).expect("list").is_empty());
        let again = complete_follow_up(&mut conn, f, 700).expect("write");
        assert!(again.is_err_and(|e| e.starts_with("it was already done")));
    }
}
