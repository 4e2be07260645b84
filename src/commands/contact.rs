//! `frontline contact new|accept|hold|resume|note|reply|resolve|escalate|transfer`: the
//! contact loop from the shell, through the same store functions as the workstation's keys
//! (`store::contact_loop`): the same rules, masking, event log and status.

use std::fmt;
use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use serde::Serialize;

use super::{as_rfc3339, emit, load_config, opt_rfc3339};
use crate::cli::{ContactCommand, NewContactArgs, RouteArgs};
use crate::config::Config;
use crate::domain::contact_loop::{Outcome, Step};
use crate::domain::text::{for_display, mask_card_numbers, sanitize};
use crate::domain::time::now;
use crate::domain::{Channel, ContactDetail, ContactStatus, Id, Timers, Timestamp};
use crate::store::contact_loop::{self, Closing, Escalation};
use crate::store::{self, contacts, customers};

/// A contact just put in the queue.
#[derive(Serialize)]
struct Created {
    id: Id,
}

impl fmt::Display for Created {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Contact #{} is waiting in the queue", self.id)
    }
}

/// `frontline contact new`: a waiting contact (an unknown email, phone or handle creates
/// its customer).
fn new_contact(db: &Path, args: &NewContactArgs) -> Result<Created> {
    let mut conn = store::open_workspace(db)?;
    let t = now();
    let id = store::write(&mut conn, |tx| -> Result<i64> {
        let customer_id = match &args.customer {
            None => None,
            Some(key) => {
                let found = match customers::find_by_key(tx, key)? {
                    Some(id) => Some(id),
                    None => customers::find_or_create_by_identity(tx, key, t)?,
                };
                Some(found.with_context(|| {
                    format!(
                        "--customer: no customer matches \"{}\", and it is not an email, phone or @handle to create one from",
                        crate::domain::identity::shown(key)
                    )
                })?)
            }
        };
        let masked = mask_card_numbers(&sanitize(&args.body));
        let mut c = contacts::NewContact::waiting(args.channel.into(), &sanitize(args.subject.trim()), t);
        if c.subject.is_empty() {
            bail!("--subject: must not be empty");
        }
        c.customer_id = customer_id;
        c.body = masked.text;
        c.priority = args.priority;
        Ok(contacts::insert(tx, &c)?)
    })?;
    Ok(Created { id })
}

/// A note on the contact, times in RFC 3339.
#[derive(Serialize)]
struct NoteOut {
    id: Id,
    #[serde(serialize_with = "as_rfc3339")]
    created_at: Timestamp,
    kind: crate::domain::NoteKind,
    body: String,
}

/// The contact after a step: what `--json` prints.
#[derive(Serialize)]
pub(super) struct ContactOut {
    id: Id,
    customer_id: Option<Id>,
    customer_name: Option<String>,
    channel: Channel,
    subject: String,
    status: ContactStatus,
    priority: u8,
    #[serde(serialize_with = "as_rfc3339")]
    created_at: Timestamp,
    #[serde(serialize_with = "opt_rfc3339")]
    accepted_at: Option<Timestamp>,
    #[serde(serialize_with = "opt_rfc3339")]
    ended_at: Option<Timestamp>,
    disposition: Option<String>,
    escalation: Option<Escalation>,
    handle_seconds: i64,
    hold_seconds: i64,
    notes: Vec<NoteOut>,
}

impl ContactOut {
    fn new(d: ContactDetail, escalation: Option<Escalation>, now: Timestamp) -> Self {
        let timers = Timers::replay(&d.events, now);
        let c = d.contact;
        Self {
            id: c.id,
            customer_id: c.customer_id,
            customer_name: d.customer.map(|r| r.customer.name),
            channel: c.channel,
            subject: c.subject,
            status: c.status,
            priority: c.priority,
            created_at: c.created_at,
            accepted_at: c.accepted_at,
            ended_at: c.ended_at,
            disposition: c.disposition,
            escalation,
            handle_seconds: timers.handle,
            hold_seconds: timers.hold,
            notes: d
                .notes
                .into_iter()
                .map(|n| NoteOut { id: n.id, created_at: n.created_at, kind: n.kind, body: n.body })
                .collect(),
        }
    }
}

/// A step done, with the sentence that says so.
#[derive(Serialize)]
#[serde(transparent)]
pub(super) struct Stepped {
    contact: ContactOut,
    #[serde(skip)]
    said: String,
}

impl fmt::Display for Stepped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.contact;
        writeln!(f, "{}", self.said)?;
        let who = c.customer_name.as_deref().map(|n| format!(" ({})", for_display(n))).unwrap_or_default();
        write!(
            f,
            "#{} {} · {} · {}{who}",
            c.id,
            c.status.as_str().replace('_', " "),
            c.channel.as_str(),
            for_display(&c.subject)
        )?;
        if let Some(e) = &c.escalation {
            write!(f, " · {}", for_display(&e.to_string()))?;
        }
        writeln!(f)
    }
}

/// What to do to the contact.
enum Action {
    Step(Step, &'static str),
    Note(String),
    Reply(String),
    Close(Closing),
}

/// `frontline contact accept|hold|resume|note|reply|resolve|escalate|transfer ID …`.
/// An error is one line naming the contact and the reason.
/// `frontline contact …` on `db`; `demo` when it is the demo workspace (replies go to
/// folders beside it, as in its workstation).
pub(super) fn run(db: &Path, config_file: Option<&Path>, command: ContactCommand, demo: bool) -> Result<()> {
    // Only the loop's steps read the config (dispositions, departments, the rep's name).
    let mut config = match &command {
        ContactCommand::New(args) => return emit(&new_contact(db, args)?, args.json),
        _ => load_config(config_file)?,
    };
    if demo {
        crate::demo::reply_defaults(&mut config.intake, db);
    }
    let (id, as_json, action) = match command {
        ContactCommand::New(args) => return emit(&new_contact(db, &args)?, args.json),
        ContactCommand::Accept(a) => (a.id, a.json, Action::Step(Step::Accept, "Accepted")),
        ContactCommand::Hold(a) => (a.id, a.json, Action::Step(Step::Hold, "On hold")),
        ContactCommand::Resume(a) => (a.id, a.json, Action::Step(Step::Resume, "Resumed")),
        ContactCommand::Note(a) => (a.id, a.json, Action::Note(a.text.join(" "))),
        ContactCommand::Reply(a) => (a.id, a.json, Action::Reply(a.text.join(" "))),
        ContactCommand::Resolve { id, disposition, json } => {
            let disposition = pick(&config.lists.dispositions, disposition.as_deref(), "answered", "--disposition")
                .map_err(|e| anyhow!("contact #{id}: {e}"))?;
            let closing = Closing { outcome: Outcome::Resolve, disposition, reason: None, by: None };
            (id, json, Action::Close(closing))
        }
        ContactCommand::Escalate(r) => route(&config, r, Outcome::Escalate)?,
        ContactCommand::Transfer(r) => route(&config, r, Outcome::Transfer)?,
    };
    let done = apply(db, &config, id, action).map_err(|e| {
        // Errors from the reply path already name the contact.
        let text = format!("{e:#}");
        if text.starts_with(&format!("contact #{id}")) { anyhow!(text) } else { anyhow!("contact #{id}: {text}") }
    })?;
    emit(&done, as_json)
}

/// An escalation or transfer: the department and disposition checked against the config.
fn route(config: &Config, r: RouteArgs, outcome: fn(String) -> Outcome) -> Result<(Id, bool, Action)> {
    let id = r.id;
    let department =
        pick(&config.lists.departments, Some(&r.to), "", "--to").map_err(|e| anyhow!("contact #{id}: {e}"))?;
    let outcome = outcome(department);
    // The disposition that names the outcome, as the workstation's palette reads it back.
    let natural =
        if matches!(outcome, Outcome::Transfer(_)) { ContactStatus::Transferred } else { ContactStatus::Escalated }
            .as_str();
    let disposition = pick(&config.lists.dispositions, r.disposition.as_deref(), natural, "--disposition")
        .map_err(|e| anyhow!("contact #{id}: {e}"))?;
    if r.reason.trim().is_empty() {
        bail!("contact #{id}: --reason: say why");
    }
    let closing = Closing { outcome, disposition, reason: Some(r.reason), by: Some(config.rep_name.clone()) };
    Ok((id, r.json, Action::Close(closing)))
}

/// The configured item `given` names (any case), or the default: `natural` when the list
/// has it, else the list's first.
fn pick(list: &[String], given: Option<&str>, natural: &str, flag: &str) -> Result<String> {
    match given.map(str::trim) {
        Some(g) => list
            .iter()
            .find(|item| item.eq_ignore_ascii_case(g) || item.replace('_', " ").eq_ignore_ascii_case(g))
            .cloned()
            .ok_or_else(|| anyhow!("{flag}: \"{g}\" is not one of {}", list.join(", "))),
        None => list
            .iter()
            .find(|item| item.as_str() == natural)
            .or_else(|| list.first())
            .cloned()
            .ok_or_else(|| anyhow!("{flag}: none configured")),
    }
}

/// Runs the action on an existing contact and reads it back.
fn apply(db: &Path, config: &Config, id: Id, action: Action) -> Result<Stepped> {
    let mut conn = store::open_workspace(db)?;
    if !contacts::exists(&conn, id)? {
        bail!("there is no such contact");
    }
    let t = now();
    if matches!(action, Action::Step(Step::Accept, _)) {
        claim_team_ticket(&mut conn, config, id)?;
    }
    let (detail, said) = match action {
        Action::Step(step, said) => (refused(contact_loop::step(&mut conn, id, &step, t)?)?, said.to_string()),
        Action::Close(closing) => {
            let said = match &closing.outcome {
                Outcome::Resolve => format!("Resolved ({})", closing.disposition),
                Outcome::Escalate(d) => format!("Escalated to {d}"),
                Outcome::Transfer(d) => format!("Transferred to {d}"),
            };
            let changed =
                contact_loop::change(&mut conn, t, |tx, t| Ok(contact_loop::close(tx, id, &closing, t)?.map(|()| id)))?;
            (refused(changed)?, said)
        }
        Action::Note(text) => {
            refused(contact_loop::add_note(&mut conn, id, &text, t)?)?;
            (read(&conn, id, t)?, "Note filed".to_string())
        }
        Action::Reply(text) => {
            let settings = crate::intake::reply::Settings::from_config(&config.intake, db);
            let said = reply(&mut conn, &settings, id, &text, t)?;
            (read(&conn, id, t)?, said)
        }
    };
    let escalation = contact_loop::escalation(&conn, id)?;
    Ok(Stepped { contact: ContactOut::new(detail, escalation, t), said })
}

/// A team contact is the help desk's to give: take its ticket there first (the help desk's
/// own atomic take); only a confirmed take lets the contact be accepted here.
fn claim_team_ticket(conn: &mut rusqlite::Connection, config: &Config, id: Id) -> Result<()> {
    let Some(ticket) = crate::team::ticket_for_contact(conn, id)? else { return Ok(()) };
    let settings =
        config.team.as_ref().context("a team contact, but team mode is off ([team] is not in the config)")?;
    let engine = crate::team::engine(settings)?;
    match crate::team::claim(conn, engine.as_ref(), &ticket)? {
        crate::team::ClaimOutcome::Taken => Ok(()),
        crate::team::ClaimOutcome::TakenBy(owner) => bail!("ticket {ticket} is taken by {owner}"),
    }
}

/// Answers the customer the way the contact's channel takes — the same code as the
/// workstation: email, the inbox's outbox or reply command, or a note of what was said.
fn reply(
    conn: &mut rusqlite::Connection,
    settings: &crate::intake::reply::Settings,
    id: Id,
    text: &str,
    t: Timestamp,
) -> Result<String> {
    let sent = crate::intake::reply::send(conn, id, text, settings, t)?;
    let r = &sent.recipients;
    Ok(format!("Reply to {} (from {})", r.to_line(), r.from_line()))
}

/// The contact as it is now.
fn read(conn: &rusqlite::Connection, id: Id, t: Timestamp) -> Result<ContactDetail> {
    contacts::detail(conn, id, crate::domain::time::local_day_start(t))?.context("the contact no longer exists")
}

/// A refusal from the store as an error (its message is the reason).
fn refused<T>(result: Result<T, String>) -> Result<T> {
    result.map_err(|why| anyhow!(why))
}
