//! The contact loop on the store worker: the queue, opening a contact, and every step
//! (accept, hold, log, edit, wrap up) as one short transaction answered with the contact's
//! fresh detail.

use rusqlite::{Connection, Transaction};

use super::failed;
use crate::domain::contact_loop::{QueueFilter, QueueView, Step};
use crate::domain::text::mask_card_numbers;
use crate::domain::time::{local_day_start, now};
use crate::domain::{ContactStatus, Id, Timestamp};
use crate::protocol::{ContactUpdate, CustomerChoice, Finish, NewLoggedContact, Reply, Request};
use crate::store::contact_loop::{self, Closing};
use crate::store::shift;
use crate::store::{self, contacts, customers, kb, notes, scripts};

/// The queue's first page; with `only_if_changed`, only if another connection committed
/// since the last read (`seen_version` remembers SQLite's data version).
pub(super) fn queue(
    conn: &Connection,
    seq: u64,
    filter: &QueueFilter,
    only_if_changed: bool,
    seen_version: &mut Option<i64>,
) -> Reply {
    let result = (|| {
        let version = store::data_version(conn)?;
        let changed = *seen_version != Some(version);
        *seen_version = Some(version);
        if only_if_changed && !changed {
            return Ok(Reply::Queue { seq, rows: None, waiting: 0, articles: 0, changed_elsewhere: false });
        }
        let t = now();
        let rows = contacts::queue_filtered(conn, filter, t, local_day_start(t), contacts::QUEUE_PAGE)?;
        let waiting = contacts::waiting_count(conn)?;
        // The article count only matters to an empty queue (it says what to import); a
        // count walks the whole index, so a queue with rows does without it.
        let articles = if rows.is_empty() { kb::count(conn)? } else { -1 };
        Ok(Reply::Queue { seq, rows: Some(rows), waiting, articles, changed_elsewhere: changed })
    })();
    result.unwrap_or_else(|e: rusqlite::Error| failed("Reading the queue", &e))
}

/// One contact with its customer's story.
pub(super) fn open_contact(conn: &Connection, seq: u64, id: Id) -> Reply {
    match contacts::detail(conn, id, local_day_start(now())) {
        Ok(detail) => Reply::Contact { seq, detail: detail.map(Box::new) },
        Err(e) => Reply::OpenFailed { seq, error: e.to_string() },
    }
}

/// A contact in progress as stored now, after another program changed the workspace.
pub(super) fn refresh_contact(conn: &Connection, id: Id) -> Reply {
    match contacts::detail(conn, id, local_day_start(now())) {
        Ok(detail) => Reply::ContactRefreshed { id, detail: detail.map(Box::new) },
        Err(e) => failed("Reading the contact again", &e),
    }
}

/// Every contact in progress (the strip), e.g. after a restart.
pub(super) fn load_strip(conn: &Connection) -> Reply {
    let day = local_day_start(now());
    let result = contacts::in_progress(conn)
        .and_then(|ids| ids.into_iter().filter_map(|id| contacts::detail(conn, id, day).transpose()).collect());
    match result {
        Ok(details) => Reply::Strip { details },
        Err(e) => failed("Reading the contacts in progress", &e),
    }
}

/// The most urgent work the rep sees: the first waiting row of the queue with its channel
/// and text filter — a due follow-up (they come first), else a waiting contact.
pub(super) fn accept_next(conn: &mut Connection, filter: &QueueFilter) -> Reply {
    let waiting = QueueFilter { view: QueueView::Waiting, ..filter.clone() };
    // A team contact is the help desk's to give: it takes the ticket before anything here.
    if let Some(reply) = team_claim_needed(conn, &waiting, true) {
        return reply;
    }
    changed(conn, "Accepting the next contact", true, |tx, t| {
        let Some(row) = contacts::queue_filtered(tx, &waiting, t, 0, 1)?.into_iter().next() else {
            let why = if waiting == QueueFilter::default() {
                "No contact is waiting"
            } else {
                "No contact waiting in this view"
            };
            return Ok(Err(why.into()));
        };
        if let Some(f) = row.follow_up {
            return Ok(contacts::start_follow_up(tx, f.id, t)?.ok_or_else(|| "that follow-up was already done".into()));
        }
        Ok(contacts::apply_step(tx, row.id, &Step::Accept, t)?.map(|()| row.id).map_err(|r| r.0))
    })
}

/// Starts working a follow-up that has come due.
pub(super) fn start_follow_up(conn: &mut Connection, follow_up: Id) -> Reply {
    changed(conn, "Starting the follow-up", true, |tx, t| {
        Ok(contacts::start_follow_up(tx, follow_up, t)?.ok_or_else(|| "that follow-up was already done".into()))
    })
}

/// When the next contact of the view is a team contact, the claim the help desk must make
/// first (`None` for the rep's own contacts, and when nothing is waiting).
fn team_claim_needed(conn: &Connection, waiting: &QueueFilter, then_next: bool) -> Option<Reply> {
    let t = now();
    let row = contacts::queue_filtered(conn, waiting, t, 0, 1).ok()?.into_iter().next()?;
    if row.follow_up.is_some() {
        return None;
    }
    let ticket = crate::team::ticket_for_contact(conn, row.id).ok()??;
    Some(Reply::ClaimNeeded { contact: row.id, ticket: ticket.0, then_next })
}

/// One step of the contact loop on one contact.
pub(super) fn step(conn: &mut Connection, id: Id, step: &Step) -> Reply {
    if *step == Step::Accept
        && let Ok(Some(ticket)) = crate::team::ticket_for_contact(conn, id)
    {
        return Reply::ClaimNeeded { contact: id, ticket: ticket.0, then_next: false };
    }
    let focus = *step == Step::Accept || *step == Step::Reopen;
    changed(conn, "Updating the contact", focus, |tx, t| {
        Ok(contacts::apply_step(tx, id, step, t)?.map(|()| id).map_err(|r| r.0))
    })
}

/// A call or walk-in that just started: created and accepted at once.
pub(super) fn log_contact(conn: &mut Connection, new: &NewLoggedContact) -> Reply {
    changed(conn, "Logging the contact", true, |tx, t| {
        let customer_id = resolve_customer(tx, &new.customer, t)?;
        let mut c = contacts::NewContact::waiting(new.channel, &mask_card_numbers(&new.subject).text, t);
        c.customer_id = customer_id;
        c.status = ContactStatus::Active;
        c.accepted_at = Some(t);
        Ok(Ok(contacts::insert(tx, &c)?))
    })
}

/// A contact's details changed during the contact.
pub(super) fn update_contact(conn: &mut Connection, u: &ContactUpdate) -> Reply {
    changed(conn, "Saving the contact's details", false, |tx, t| {
        if let Some(p) = u.priority {
            contacts::set_priority(tx, u.id, p)?;
        }
        if let Some(tags) = &u.tags {
            contacts::set_tags(tx, u.id, tags)?;
        }
        if let Some(customer) = resolve_customer(tx, &u.customer, t)? {
            contacts::link_customer(tx, u.id, customer)?;
        }
        if let Some(csat) = u.csat {
            contacts::set_csat(tx, u.id, csat)?;
        }
        Ok(Ok(u.id))
    })
}

/// Closes a contact after wrap-up. Unless forced, a started script with required steps
/// unticked asks first.
pub(super) fn finish(conn: &mut Connection, f: Finish) -> Reply {
    if !f.force {
        match scripts::missing_required(conn, f.id) {
            Ok(missing) if !missing.is_empty() => {
                let steps: Vec<String> = missing.iter().map(|(script, step)| format!("“{step}” ({script})")).collect();
                let message = format!("Required step not ticked: {}. Wrap up anyway?", steps.join(", "));
                return Reply::NeedsConfirmation {
                    message,
                    retry: Box::new(Request::Finish(Finish { force: true, ..f })),
                };
            }
            Ok(_) => {}
            Err(e) => return failed("Checking the scripts", &e),
        }
    }
    changed(conn, "Closing the contact", false, |tx, t| close_with_wrap_up(tx, &f, t))
}

/// The wrap-up's writes: the closing step, then any follow-up, kudos and promise.
fn close_with_wrap_up(tx: &Transaction<'_>, f: &Finish, t: Timestamp) -> rusqlite::Result<Result<Id, String>> {
    let closing = Closing {
        outcome: f.outcome.clone(),
        disposition: f.disposition.clone(),
        reason: f.reason.clone(),
        by: f.by.clone(),
    };
    if let Err(why) = contact_loop::close(tx, f.id, &closing, t)? {
        return Ok(Err(why));
    }
    if let Some((due, note)) = &f.follow_up {
        contacts::add_follow_up(tx, f.id, *due, &mask_card_numbers(note).text, t)?;
    }
    if f.difficult {
        shift::set_difficult(tx, f.id, true)?;
    }
    if let Some(text) = &f.kudos {
        shift::add_kudos(tx, Some(f.id), None, text, t)?;
    }
    if let Some((text, due)) = &f.promise {
        let customer = contacts::contact(tx, f.id)?.and_then(|c| c.customer_id);
        notes::insert_note(tx, Some(f.id), customer, ("promise", &mask_card_numbers(text).text, t, Some(*due)))?;
    }
    Ok(Ok(f.id))
}

/// Runs a write in one transaction (the same code as the command line's contact verbs) and
/// answers with the changed contact's fresh detail, or with why it was refused.
fn changed(
    conn: &mut Connection,
    what: &str,
    focus: bool,
    f: impl FnOnce(&Transaction<'_>, Timestamp) -> rusqlite::Result<Result<Id, String>>,
) -> Reply {
    match contact_loop::change(conn, now(), f) {
        Ok(Ok(detail)) => Reply::ContactChanged { detail: Box::new(detail), focus },
        // A contact asked for to work on: its own answer, which ends the type-ahead.
        Ok(Err(message)) if focus => Reply::NotTaken { message, error: false },
        Err(e) if focus => Reply::NotTaken { message: format!("{what}: {e}"), error: true },
        Ok(Err(message)) => Reply::Refused { message },
        Err(e) => failed(what, &e),
    }
}

/// The customer a logged or edited contact belongs to, created when new.
fn resolve_customer(conn: &Connection, choice: &CustomerChoice, now: Timestamp) -> rusqlite::Result<Option<Id>> {
    match choice {
        CustomerChoice::None => Ok(None),
        CustomerChoice::Existing(id) => Ok(Some(*id)),
        CustomerChoice::New { key } => match customers::find_or_create_by_identity(conn, key, now)? {
            Some(id) => Ok(Some(id)),
            None => {
                let new =
                    customers::NewCustomer { name: crate::domain::text::sanitize(key.trim()), ..Default::default() };
                customers::insert(conn, &new, now).map(Some)
            }
        },
    }
}
