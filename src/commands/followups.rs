//! `frontline followups [--due]` and `frontline followup done ID`.

use std::fmt;
use std::path::Path;

use anyhow::{Result, anyhow};
use serde::Serialize;

use super::{as_rfc3339, opt_rfc3339};
use crate::domain::text::for_display;
use crate::domain::time::{local_datetime, now};
use crate::domain::{Id, Timestamp};
use crate::store::{self, contact_loop::FollowUpItem};

/// A follow-up, times in RFC 3339.
#[derive(Serialize)]
pub(super) struct FollowUpOut {
    id: Id,
    contact_id: Id,
    customer_id: Option<Id>,
    customer_name: Option<String>,
    subject: String,
    #[serde(serialize_with = "as_rfc3339")]
    due_at: Timestamp,
    note: String,
    #[serde(serialize_with = "opt_rfc3339")]
    done_at: Option<Timestamp>,
    #[serde(skip)]
    now: Timestamp,
}

impl FollowUpOut {
    fn new(f: FollowUpItem, now: Timestamp) -> Self {
        Self {
            id: f.id,
            contact_id: f.contact_id,
            customer_id: f.customer_id,
            customer_name: f.customer_name,
            subject: f.subject,
            due_at: f.due_at,
            note: f.note,
            done_at: f.done_at,
            now,
        }
    }
}

impl fmt::Display for FollowUpOut {
    /// One line: "#7  due 2026-11-20 14:00 (due now)  Ana Ruiz · contact #42 Order late: call back".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.done_at {
            Some(done) => format!(" (done {})", local_datetime(done)),
            None if self.due_at <= self.now => " (due now)".to_string(),
            None => String::new(),
        };
        let who = self.customer_name.as_deref().map_or_else(|| "unknown customer".to_string(), for_display);
        write!(
            f,
            "#{:<4} due {}{state}  {who} · contact #{} {}",
            self.id,
            local_datetime(self.due_at),
            self.contact_id,
            for_display(&self.subject)
        )?;
        if !self.note.trim().is_empty() {
            write!(f, ": {}", for_display(&self.note))?;
        }
        writeln!(f)
    }
}

/// The open follow-ups, soonest first.
#[derive(Serialize)]
#[serde(transparent)]
pub(super) struct FollowUps {
    items: Vec<FollowUpOut>,
    #[serde(skip)]
    due_only: bool,
}

impl fmt::Display for FollowUps {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.items.is_empty() {
            writeln!(f, "{}", if self.due_only { "No follow-up is due." } else { "No follow-up is open." })?;
        }
        self.items.iter().try_for_each(|item| write!(f, "{item}"))
    }
}

/// `frontline followups [--due]`: every follow-up not yet done, or only those due now.
pub(super) fn list(db: &Path, due_only: bool) -> Result<FollowUps> {
    let conn = store::open_workspace(db)?;
    let t = now();
    let items = store::contact_loop::open_follow_ups(&conn, due_only.then_some(t))?;
    Ok(FollowUps { items: items.into_iter().map(|i| FollowUpOut::new(i, t)).collect(), due_only })
}

/// A follow-up just marked done.
#[derive(Serialize)]
#[serde(transparent)]
pub(super) struct Done(FollowUpOut);

impl fmt::Display for Done {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Done: {}", self.0)
    }
}

/// `frontline followup done ID`: refused, with why, when there is no such follow-up or it
/// was already done.
pub(super) fn done(db: &Path, id: Id) -> Result<Done> {
    let mut conn = store::open_workspace(db)?;
    let t = now();
    match store::contact_loop::complete_follow_up(&mut conn, id, t)? {
        Ok(item) => Ok(Done(FollowUpOut::new(item, t))),
        Err(why) => Err(anyhow!("follow-up #{id}: {why}")),
    }
}
