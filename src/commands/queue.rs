//! `frontline queue`: the waiting contacts, most urgent first.

use std::fmt;
use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use super::as_rfc3339;
use crate::domain::text::for_display;
use crate::domain::time::{compact_duration, now};
use crate::domain::{Channel, ContactStatus, FollowUp, Id, QueueRow, Timestamp};
use crate::store::{self, contacts};

/// One waiting contact; times in RFC 3339 like every JSON the commands print.
#[derive(Serialize)]
struct Row {
    id: Id,
    channel: Channel,
    customer_name: Option<String>,
    subject: String,
    priority: u8,
    #[serde(serialize_with = "as_rfc3339")]
    created_at: Timestamp,
    status: ContactStatus,
    follow_up: Option<FollowUp>,
    /// The help-desk ticket this contact stands for (team mode); absent for the rep's own.
    #[serde(skip_serializing_if = "Option::is_none")]
    team: Option<TeamTicket>,
}

/// A team contact's ticket: which help desk, its id there, and who owns it ("" for nobody).
#[derive(Serialize)]
struct TeamTicket {
    backend: String,
    id: String,
    owner: String,
}

/// The queue as of `now`.
#[derive(Serialize)]
#[serde(transparent)]
pub(super) struct Queue {
    rows: Vec<Row>,
    #[serde(skip)]
    now: Timestamp,
}

impl fmt::Display for Queue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.rows.is_empty() {
            writeln!(f, "No contacts waiting.")?;
        }
        for r in &self.rows {
            writeln!(
                f,
                "#{:<5} P{} {:<9} {:>6}  {:<22} {}",
                r.id,
                r.priority,
                r.channel.as_str(),
                compact_duration(self.now - r.created_at),
                r.customer_name.as_deref().map(for_display).unwrap_or_else(|| "unknown".into()),
                for_display(&r.subject)
            )?;
        }
        Ok(())
    }
}

/// `frontline queue [--json]`.
pub(super) fn queue(db: &Path) -> Result<Queue> {
    let conn = store::open_workspace(db)?;
    let rows = contacts::queue(&conn, 0, usize::MAX >> 1)?
        .into_iter()
        .map(|r| {
            let team = store::team::ticket_of_contact(&conn, r.id)?.map(|(backend, t)| TeamTicket {
                backend,
                id: t.ticket,
                owner: t.owner,
            });
            Ok(row(r, team))
        })
        .collect::<rusqlite::Result<_>>()?;
    Ok(Queue { rows, now: now() })
}

fn row(r: QueueRow, team: Option<TeamTicket>) -> Row {
    Row {
        id: r.id,
        channel: r.channel,
        customer_name: r.customer_name,
        subject: r.subject,
        priority: r.priority,
        created_at: r.created_at,
        status: r.status,
        follow_up: r.follow_up,
        team,
    }
}
