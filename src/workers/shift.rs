//! The rep's shift on the store worker: status, breathers, schedule, kudos, self-review and
//! "my numbers".

use rusqlite::Connection;

use super::failed;
use crate::domain::Id;
use crate::domain::Timestamp;
use crate::domain::metrics::Settings;
use crate::domain::shift::{Activity, RepState, SELF_REVIEWER, Score, current_block, next_block};
use crate::domain::time::{local_day_start, local_week_start, next_local_day_start, now};
use crate::protocol::{DashboardData, Reply};
use crate::store::shift::{self, ScheduleBlock, Source};
use crate::store::{self, report};

/// Opening the workstation means being at work: on the contacts still in progress from
/// before, else available — unless the rep set a status (a break stays a break).
pub(super) fn start_shift(conn: &mut Connection) -> Reply {
    let result = store::write(conn, |tx| {
        let t = now();
        match shift::current_status(tx)? {
            None | Some((RepState::Offline | RepState::Available, _)) => {
                shift::follow_contact_status(tx, t)?;
                if let None | Some((RepState::Offline, _)) = shift::current_status(tx)? {
                    shift::set_status(tx, RepState::Available, Source::Auto, t)?;
                }
                Ok(())
            }
            Some(_) => Ok(()),
        }
    });
    match result {
        Ok(()) => load_shift(conn),
        Err(e) => failed("Starting the shift", &e),
    }
}

/// The status, and the schedule block under way and the next one.
pub(super) fn load_shift(conn: &Connection) -> Reply {
    let t = now();
    let result = (|| {
        let status = shift::current_status(conn)?;
        let day = local_day_start(t);
        let window = shift::schedule(conn, day - 1, next_local_day_start(t))?;
        let blocks: Vec<_> = window.iter().map(ScheduleBlock::block).collect();
        Ok::<_, rusqlite::Error>((status, blocks))
    })();
    match result {
        Ok((status, blocks)) => {
            Reply::Shift { status, current: current_block(&blocks, t), next: next_block(&blocks, t) }
        }
        Err(e) => failed("Reading the status", &e),
    }
}

/// The rep chose a status. Back to available with contacts in progress means back on them.
pub(super) fn set_status(conn: &mut Connection, state: RepState) -> Reply {
    let result = store::write(conn, |tx| {
        let t = now();
        shift::set_status(tx, state, Source::Tui, t)?;
        if state == RepState::Available {
            shift::follow_contact_status(tx, t)?;
        }
        Ok::<_, rusqlite::Error>(())
    });
    match result {
        Ok(()) => load_shift(conn),
        Err(e) => failed("Changing the status", &e),
    }
}

/// A contact just closed: is a breather due (difficult contact, or `after` contacts without
/// a break)?
pub(super) fn check_breather(conn: &Connection, after: u32, minutes: u32) -> Reply {
    let t = now();
    match (shift::breather_due(conn, t, after), shift::last_contact_difficult(conn, t)) {
        (Ok(true), Ok(difficult)) => Reply::BreatherDue { minutes, difficult },
        (Ok(false), _) => Reply::Nothing,
        (Err(e), _) | (_, Err(e)) => failed("Checking for a breather", &e),
    }
}

/// Takes a timed breather (status: break).
pub(super) fn start_breather(conn: &mut Connection, minutes: u32) -> Reply {
    match store::write(conn, |tx| shift::set_status(tx, RepState::Break, Source::Tui, now())) {
        Ok(_) => Reply::BreatherStarted { minutes },
        Err(e) => failed("Starting the breather", &e),
    }
}

/// Today's blocks (local midnight to midnight) and adherence so far.
pub(super) fn load_schedule(conn: &Connection) -> Reply {
    let t = now();
    let day = local_day_start(t);
    let result = shift::schedule(conn, day, next_local_day_start(t))
        .and_then(|blocks| Ok((blocks, shift::adherence(conn, day, t)?)));
    match result {
        Ok((blocks, adherence)) => Reply::Schedule { blocks, adherence },
        Err(e) => failed("Reading the schedule", &e),
    }
}

/// Adds a block to today's schedule, unless it overlaps another.
pub(super) fn add_block(conn: &mut Connection, start: Timestamp, end: Timestamp, activity: Activity) -> Reply {
    match store::write(conn, |tx| shift::add_block(tx, start, end, activity)) {
        Ok(Ok(_)) => load_schedule(conn),
        Ok(Err(refused)) => Reply::BlockRefused { message: format!("Not added: {refused}") },
        Err(e) => failed("Adding the block", &e),
    }
}

/// Removes a schedule block.
pub(super) fn remove_block(conn: &mut Connection, id: Id) -> Reply {
    match store::write(conn, |tx| shift::remove_block(tx, id)) {
        Ok(_) => load_schedule(conn),
        Err(e) => failed("Removing the block", &e),
    }
}

/// Every kept thank-you.
pub(super) fn load_kudos(conn: &Connection) -> Reply {
    match shift::kudos(conn) {
        Ok(kudos) => Reply::Kudos { kudos },
        Err(e) => failed("Reading kudos", &e),
    }
}

/// The rep's own review of a contact.
pub(super) fn save_self_review(conn: &mut Connection, contact: Id, scores: &[Score]) -> Reply {
    match store::write(conn, |tx| shift::save_review(tx, contact, SELF_REVIEWER, scores, now())) {
        Ok(_) => Reply::Done { message: "Self-review saved; it counts in QA %".into() },
        Err(e) => failed("Saving the review", &e),
    }
}

/// Today (since local midnight) and this week (since Monday's local midnight), up to now.
pub(super) fn dashboard(conn: &Connection, seq: u64, settings: &Settings) -> Reply {
    let t = now();
    let day = local_day_start(t);
    let result = (|| {
        Ok::<_, rusqlite::Error>(DashboardData {
            today: report::report(conn, day, t + 1, settings)?,
            week: report::report(conn, local_week_start(t), t + 1, settings)?,
            trends: report::trends(conn, day, t + 1)?,
        })
    })();
    match result {
        Ok(data) => Reply::Dashboard { seq, data: Box::new(data) },
        Err(e) => failed("Computing my numbers", &e),
    }
}

/// The rep's name kept in the workspace.
pub(super) fn load_rep_name(conn: &Connection) -> Reply {
    match store::meta_get(conn, "rep_name") {
        Ok(name) => Reply::RepName { name: name.filter(|n| !n.trim().is_empty()) },
        Err(e) => failed("Reading your name", &e),
    }
}

/// Keeps the rep's name in the workspace (asked once).
pub(super) fn save_rep_name(conn: &mut Connection, name: &str) -> Reply {
    let name = crate::domain::text::for_display(name.trim());
    match store::write(conn, |tx| store::meta_set(tx, "rep_name", &name)) {
        Ok(()) => Reply::RepName { name: Some(name).filter(|n| !n.is_empty()) },
        Err(e) => failed("Keeping your name", &e),
    }
}
