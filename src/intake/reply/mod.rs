//! Replies going out, on every channel, through one entry point ([`send`]) that the
//! workstation and the command line share:
//!
//! - **email** (a contact with an email thread, or an email contact with none): a proper
//!   RFC 5322 message to exactly one address — an identity of the contact's customer — from
//!   the configured `from` or the support address the customer first wrote to, written to an
//!   outbox Maildir or piped to sendmail;
//! - **inbox** (a contact that came through the inbox folder): one JSON file per reply in
//!   `outbox/` beside the inbox, or the same JSON on `reply_command`'s standard input;
//! - **said** (phone and walk-in): nothing leaves; what was said is logged on the contact.
//!
//! [`recipients`] tells who will receive a reply, and how, by the very code [`send`] uses,
//! so the reply pane can show it before the rep confirms. Every outside command has a
//! deadline; a reply that could not be sent is kept as the contact's reply draft. Card
//! numbers are masked on the way out.

mod address;
mod command;
mod email;
mod files;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use rusqlite::Connection;
use serde::Serialize;

pub use address::{EmailAddress, Mailbox};
pub use email::{Delivery, OutgoingMessage, compose, compose_new, deliver, quoted_printable, reply_subject};

use crate::domain::text::{mask_card_numbers, sanitize};
use crate::domain::{Channel, Contact, Id, IdentityKind, Timestamp};
use crate::store::messages::{self, Direction, NewMessage, StoredMessage};
use crate::store::origins::{self, Origin};
use crate::store::{self, contacts, customers, notes};

/// What replies need from the config (`[intake]`), read once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// How email replies leave; `None` when neither `outbox` nor `sendmail` is set.
    pub email: Option<Delivery>,
    /// The From of email replies when the customer did not write to a support address.
    pub from: Option<Mailbox>,
    /// Our addresses: a reply goes out from the one the customer first wrote to.
    pub support_addresses: Vec<EmailAddress>,
    /// The longest sendmail or `reply_command` may run.
    pub timeout: Duration,
    /// Where replies to inbox contacts are written: `outbox/` beside the inbox.
    pub inbox_outbox: Option<PathBuf>,
    /// A command that takes replies to inbox contacts as JSON on stdin (instead of files).
    pub reply_command: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            email: None,
            from: None,
            support_addresses: Vec::new(),
            timeout: Duration::from_secs(30),
            inbox_outbox: None,
            reply_command: None,
        }
    }
}

impl Settings {
    /// The settings for a workspace (whose path places the default inbox and its outbox).
    pub fn from_config(intake: &crate::config::Intake, workspace: &Path) -> Self {
        let inbox = intake.inbox_dir(workspace);
        Self {
            email: intake.delivery(),
            from: intake.from.as_deref().and_then(Mailbox::parse),
            support_addresses: intake.support_addresses.iter().filter_map(|a| EmailAddress::parse(a)).collect(),
            timeout: intake.sendmail_timeout(),
            inbox_outbox: Some(outbox_beside(&inbox)),
            reply_command: intake.reply_command.clone(),
        }
    }
}

/// `outbox/` beside an inbox folder (`/data/inbox` → `/data/outbox`).
pub fn outbox_beside(inbox: &Path) -> PathBuf {
    inbox.parent().map_or_else(|| inbox.join("outbox"), |parent| parent.join("outbox"))
}

/// How a reply to a contact leaves, and to whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Route {
    /// An email to exactly one address of the customer, from one of ours.
    Email { to: EmailAddress, from: Mailbox, delivery: Delivery },
    /// Back to the system the contact came from through the inbox folder.
    Inbox {
        /// The customer as that system named them, if known.
        customer: Option<String>,
        /// That system's conversation id, if its file gave one.
        external_id: Option<String>,
        via: InboxVia,
    },
    /// A team contact: the reply goes into the journal and the team's help desk sends it.
    HelpDesk { backend: String, ticket: String },
    /// Phone and walk-in: the words were said; they are logged on the contact.
    Said {
        /// The customer's name, if the contact has a customer.
        customer: Option<String>,
    },
}

/// How a reply to an inbox contact is handed over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InboxVia {
    /// One JSON file per reply in this folder.
    Outbox(PathBuf),
    /// The JSON on this command's standard input.
    Command(String),
}

/// Who will receive a reply to a contact, and how — what the reply pane shows before the
/// rep confirms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recipients {
    pub contact: Id,
    pub channel: Channel,
    pub route: Route,
}

impl Recipients {
    /// The "To" line: the one address, or the customer and conversation, or who was spoken to.
    pub fn to_line(&self) -> String {
        match &self.route {
            Route::Email { to, .. } => to.to_string(),
            Route::Inbox { customer, external_id, .. } => {
                let who = customer.clone().unwrap_or_else(|| "the customer".into());
                match external_id {
                    Some(id) => format!("{who} ({} conversation {id})", self.channel.label()),
                    None => format!("{who} ({})", self.channel.label()),
                }
            }
            Route::HelpDesk { backend, ticket } => format!("the requestor of {backend} ticket #{ticket}"),
            Route::Said { customer } => customer.clone().unwrap_or_else(|| "the customer".into()),
        }
    }

    /// The "From" line: our address, or where the reply is handed over, or that it is logged.
    pub fn from_line(&self) -> String {
        match &self.route {
            Route::Email { from, .. } => from.to_string(),
            Route::Inbox { via: InboxVia::Outbox(dir), .. } => format!("a file in {}", dir.display()),
            Route::Inbox { via: InboxVia::Command(cmd), .. } => format!("`{cmd}`"),
            Route::HelpDesk { backend, .. } => format!("the team's help desk ({backend} sends the mail)"),
            Route::Said { .. } if self.channel == Channel::Phone => "you, on the phone (logged as said)".into(),
            Route::Said { .. } => "you, in person (logged as said)".into(),
        }
    }
}

/// What [`send`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SentReply {
    /// Who received it, and how.
    pub recipients: Recipients,
    /// The file written or the command it went to; `None` when it was only logged.
    pub delivered_to: Option<String>,
    /// For email, the outbound message as stored in the contact's thread.
    pub message: Option<StoredMessage>,
    /// The note on the contact's timeline ("Reply sent to …" or "Said to the customer: …").
    pub note_id: Id,
}

/// A reply that did not leave. Its text is kept as the contact's reply draft unless the
/// contact already had a different one (which is left as it was).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotSent {
    pub contact: Id,
    /// Why, in one line ("sendmail `msmtp -t` did not finish within 30 s").
    pub why: String,
    /// Whether the text is now the contact's reply draft.
    pub kept_as_draft: bool,
}

impl std::fmt::Display for NotSent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (contact, why) = (self.contact, &self.why);
        if self.kept_as_draft {
            write!(f, "contact #{contact}: {why}; the reply was not sent and is kept as a draft")
        } else {
            write!(
                f,
                "contact #{contact}: {why}; the reply was not sent (the contact's other reply draft is unchanged)"
            )
        }
    }
}

impl std::error::Error for NotSent {}

/// Who will receive a reply to `contact` and how, or why it cannot be answered. [`send`]
/// decides by this same function.
pub fn recipients(conn: &Connection, contact: Id, settings: &Settings) -> Result<Recipients> {
    plan(conn, contact, settings).map(|p| p.recipients)
}

/// Sends the rep's reply to a contact the way [`recipients`] says, then records it in one
/// transaction: for email the outbound message in the thread; always a note on the
/// contact's timeline; and the contact's reply draft is removed if it holds this text.
/// When delivery fails nothing is recorded and the error is a [`NotSent`]; if recording
/// fails after delivery, the error says the reply went out.
pub fn send(conn: &mut Connection, contact: Id, body: &str, settings: &Settings, now: Timestamp) -> Result<SentReply> {
    if body.trim().is_empty() {
        bail!("contact #{contact}: the reply is empty");
    }
    let plan = plan(conn, contact, settings)?;
    let delivered = match deliver_by_route(&plan, body, settings.timeout, now) {
        Ok(d) => d,
        Err(why) => {
            let why = one_line(&format!("{why:#}"));
            return Err(match keep_as_draft(conn, contact, body, now) {
                Ok(kept_as_draft) => anyhow::Error::new(NotSent { contact, why, kept_as_draft }),
                Err(e) => anyhow!(
                    "contact #{contact}: {why}; the reply was not sent, and keeping it as a draft failed: {e:#}"
                ),
            });
        }
    };
    let failed = match &delivered.source {
        Some(source) => {
            format!("the reply to {} was sent ({source}) but could not be recorded", plan.recipients.to_line())
        }
        None => "what was said could not be logged".to_string(),
    };
    record(conn, plan, delivered, body, now).with_context(|| format!("contact #{contact}: {failed}"))
}

/// [`send`] by email with the old arguments (a delivery and an optional From), for callers
/// that do not pass [`Settings`] yet; every rule of [`send`] applies.
pub fn send_reply(
    conn: &mut Connection,
    contact: Id,
    body: &str,
    delivery: &Delivery,
    from: Option<&str>,
    now: Timestamp,
) -> Result<SentReply> {
    let from = match from.map(str::trim).filter(|f| !f.is_empty()) {
        Some(f) => Some(Mailbox::parse(f).with_context(|| format!("from address {f:?}: not an email address"))?),
        None => None,
    };
    let settings = Settings { email: Some(delivery.clone()), from, ..Settings::default() };
    send(conn, contact, body, &settings, now)
}

/// What sending a reply to one contact takes: where it goes, and what it answers.
struct Plan {
    recipients: Recipients,
    contact: Contact,
    /// The email thread's message the reply answers (quoted, In-Reply-To).
    original: Option<StoredMessage>,
}

fn plan(conn: &Connection, id: Id, settings: &Settings) -> Result<Plan> {
    let contact = contacts::contact(conn, id)?.with_context(|| format!("contact #{id} does not exist"))?;
    if let Some((backend, row)) = store::team::ticket_of_contact(conn, id)? {
        let route = Route::HelpDesk { backend, ticket: row.ticket };
        return Ok(Plan {
            recipients: Recipients { contact: id, channel: contact.channel, route },
            contact,
            original: None,
        });
    }
    let thread = messages::messages(conn, id)?;
    let (route, original) = if !thread.is_empty() || (contact.channel == Channel::Email && !from_inbox(conn, id)?) {
        email_route(conn, &contact, &thread, settings)?
    } else if matches!(contact.channel, Channel::Phone | Channel::InPerson) {
        let customer = match contact.customer_id {
            Some(c) => customers::customer(conn, c)?.map(|c| c.name),
            None => None,
        };
        (Route::Said { customer }, None)
    } else {
        (inbox_route(conn, &contact, settings)?, None)
    };
    Ok(Plan { recipients: Recipients { contact: id, channel: contact.channel, route }, contact, original })
}

fn from_inbox(conn: &Connection, contact: Id) -> Result<bool> {
    Ok(matches!(origins::origin(conn, contact)?, Some(Origin::Inbox { .. })))
}

fn inbox_route(conn: &Connection, contact: &Contact, settings: &Settings) -> Result<Route> {
    let id = contact.id;
    let channel = contact.channel.label().to_lowercase();
    let Some(Origin::Inbox { external_id, customer_key }) = origins::origin(conn, id)? else {
        bail!(
            "contact #{id}: a {channel} contact that did not come through the inbox has no way to send a reply; write the answer as a note"
        );
    };
    let via = match (&settings.reply_command, &settings.inbox_outbox) {
        (Some(cmd), _) => InboxVia::Command(cmd.clone()),
        (None, Some(dir)) => InboxVia::Outbox(dir.clone()),
        (None, None) => {
            bail!("contact #{id}: no outbox for replies to inbox contacts: set `reply_command` under [intake]")
        }
    };
    Ok(Route::Inbox { customer: customer_key, external_id, via })
}

/// To, From and the message answered, for an email reply. To is the newest sender in the
/// thread who is an identity of the contact's customer (so a stranger's message that joined
/// the thread is neither answered nor quoted); From depends only on the contact's first
/// message, the one that started it.
fn email_route(
    conn: &Connection,
    contact: &Contact,
    thread: &[StoredMessage],
    settings: &Settings,
) -> Result<(Route, Option<StoredMessage>)> {
    let id = contact.id;
    let identities: Vec<EmailAddress> = match contact.customer_id {
        Some(customer) => customers::identities_of_kind(conn, customer, IdentityKind::Email)?
            .iter()
            .filter_map(|v| EmailAddress::parse(v))
            .collect(),
        None => Vec::new(),
    };
    let to = reply_to(id, thread, &identities)?;
    let from = reply_from(id, thread, settings)?;
    let delivery = settings.email.clone().with_context(|| {
        format!("contact #{id}: replies by email need `outbox` or `sendmail` under [intake] in the config")
    })?;
    // The newest message of the customer's or ours: never a stranger's.
    let original = thread
        .iter()
        .rev()
        .find(|m| match m.message.direction {
            Direction::Outbound => true,
            Direction::Inbound => EmailAddress::parse(&m.message.from_addr).is_some_and(|a| a.same_as(&to)),
        })
        .cloned();
    Ok((Route::Email { to, from, delivery }, original))
}

/// The customer's identity that most recently wrote in the thread; with no mail from them
/// at all, their first valid email identity. Refused, naming the first sender, otherwise.
fn reply_to(contact: Id, thread: &[StoredMessage], identities: &[EmailAddress]) -> Result<EmailAddress> {
    let senders =
        thread.iter().rev().filter(|m| m.message.direction == Direction::Inbound).map(|m| m.message.from_addr.as_str());
    let known = senders.filter_map(EmailAddress::parse).find_map(|a| identities.iter().find(|i| i.same_as(&a)));
    if let Some(identity) = known {
        return Ok(identity.clone());
    }
    let Some(first) = thread.iter().filter(|m| m.message.direction == Direction::Inbound).min_by_key(|m| m.id) else {
        // No mail from them at all: an email contact created by hand or imported.
        return identities
            .first()
            .cloned()
            .with_context(|| format!("contact #{contact}: the customer has no email address to reply to"));
    };
    let sender = &first.message.from_addr;
    if EmailAddress::parse(sender).is_none() {
        bail!(
            "contact #{contact}: the sender's address {sender:?} is not one valid email address; reply by another channel"
        );
    }
    bail!(
        "contact #{contact}: the sender's address {sender:?} is not an address of the contact's customer; reply by another channel"
    )
}

/// The support address the customer wrote to in the contact's first message (the first
/// stored, not the earliest dated: a Date header is the sender's to choose), if configured;
/// else the configured `from`.
fn reply_from(contact: Id, thread: &[StoredMessage], settings: &Settings) -> Result<Mailbox> {
    let written_to = thread
        .iter()
        .min_by_key(|m| m.id)
        .filter(|m| m.message.direction == Direction::Inbound)
        .and_then(|m| EmailAddress::parse(&m.message.to_addr));
    let ours = written_to.and_then(|w| settings.support_addresses.iter().find(|s| s.same_as(&w)));
    match (ours, &settings.from) {
        (Some(ours), Some(from)) if from.address.same_as(ours) => Ok(from.clone()),
        (Some(ours), _) => Ok(Mailbox::from(ours.clone())),
        (None, Some(from)) => Ok(from.clone()),
        (None, None) => bail!(
            "contact #{contact}: no From address for the reply: set `from` or `support_addresses` under [intake] in the config"
        ),
    }
}

/// What left, for the record.
struct Delivered {
    /// The file written or the command used; `None` when only logged.
    source: Option<String>,
    /// The email as sent.
    email: Option<OutgoingMessage>,
}

fn deliver_by_route(plan: &Plan, body: &str, timeout: Duration, now: Timestamp) -> Result<Delivered> {
    match &plan.recipients.route {
        Route::Email { to, from, delivery } => {
            let msg = match &plan.original {
                Some(original) => compose(original, to, from, body, now),
                None => compose_new(&plan.contact.subject, to, from, body, now),
            };
            let source = deliver(&msg, delivery, timeout)?;
            Ok(Delivered { source: Some(source), email: Some(msg) })
        }
        Route::Inbox { customer, external_id, via } => {
            let json = outbox_json(plan, customer.as_deref(), external_id.as_deref(), body, now)?;
            let source = match via {
                InboxVia::Outbox(dir) => {
                    files::write_to_outbox(dir, plan.recipients.contact, &json)?.display().to_string()
                }
                InboxVia::Command(cmd) => {
                    command::run(cmd, &json, timeout).map_err(|e| anyhow!(e.explain("reply_command", cmd)))?;
                    format!("reply_command: {cmd}")
                }
            };
            Ok(Delivered { source: Some(source), email: None })
        }
        // The help desk sends it once the journal reaches it; nothing leaves from here.
        Route::HelpDesk { .. } | Route::Said { .. } => Ok(Delivered { source: None, email: None }),
    }
}

/// One reply as the other system reads it back.
#[derive(Serialize)]
struct OutboxReply<'a> {
    contact_id: Id,
    external_id: Option<&'a str>,
    channel: Channel,
    customer: Option<&'a str>,
    text: String,
    /// RFC 3339, UTC.
    sent_at: String,
}

fn outbox_json(
    plan: &Plan,
    customer: Option<&str>,
    external_id: Option<&str>,
    body: &str,
    now: Timestamp,
) -> Result<Vec<u8>> {
    let reply = OutboxReply {
        contact_id: plan.recipients.contact,
        external_id,
        channel: plan.recipients.channel,
        customer,
        text: outgoing_text(body),
        sent_at: crate::export::rfc3339(now),
    };
    let mut json = serde_json::to_vec_pretty(&reply)?;
    json.push(b'\n');
    Ok(json)
}

/// The rep's text as it leaves: control codes removed, card numbers masked.
fn outgoing_text(body: &str) -> String {
    mask_card_numbers(&sanitize(body.trim_end())).text
}

fn record(conn: &mut Connection, plan: Plan, delivered: Delivered, body: &str, now: Timestamp) -> Result<SentReply> {
    let contact = plan.recipients.contact;
    store::write(conn, |tx| -> Result<SentReply> {
        let (message, note) = match &delivered.email {
            Some(msg) => {
                let new = NewMessage {
                    message_id: msg.message_id.clone(),
                    in_reply_to: msg.in_reply_to.clone(),
                    references: msg.references.clone(),
                    direction: Direction::Outbound,
                    sent_at: now,
                    from_addr: msg.from.address.to_string(),
                    to_addr: msg.to.to_string(),
                    subject: msg.subject.clone(),
                    body: msg.body.clone(),
                    source: delivered.source.clone().unwrap_or_default(),
                };
                let stored = messages::insert(tx, contact, &new)?.context("the new Message-ID is already stored")?;
                (Some(stored), format!("Reply sent to {}: {}\n\n{}", msg.to, msg.subject, msg.body))
            }
            None => (None, note_text(&plan.recipients, &outgoing_text(body))),
        };
        if let Route::HelpDesk { .. } = &plan.recipients.route {
            store::team::record(tx, contact, &store::team::TeamAction::Reply(outgoing_text(body)), now)?;
        }
        let note_id = notes::insert_note(tx, Some(contact), plan.contact.customer_id, ("note", &note, now, None))?;
        if notes::reply_draft(tx, contact)?.is_some_and(|d| d.trim_end() == body.trim_end()) {
            notes::save_reply_draft(tx, contact, "", now)?;
        }
        Ok(SentReply { recipients: plan.recipients, delivered_to: delivered.source, message, note_id })
    })
}

fn note_text(recipients: &Recipients, text: &str) -> String {
    match &recipients.route {
        Route::Said { .. } => format!("Said to the customer: {text}"),
        _ => format!("Reply sent to {} via {}:\n\n{text}", recipients.to_line(), recipients.from_line()),
    }
}

/// Keeps an unsent reply as the contact's reply draft, unless a different draft is there.
fn keep_as_draft(conn: &mut Connection, contact: Id, body: &str, now: Timestamp) -> Result<bool> {
    store::write(conn, |tx| -> Result<bool> {
        match notes::reply_draft(tx, contact)? {
            Some(draft) if !draft.trim().is_empty() && draft.trim_end() != body.trim_end() => Ok(false),
            _ => {
                notes::save_reply_draft(tx, contact, body, now)?;
                Ok(true)
            }
        }
    })
}

/// An error's text on one line (a command's message may span several).
fn one_line(text: &str) -> String {
    sanitize(text).split_whitespace().collect::<Vec<_>>().join(" ")
}
