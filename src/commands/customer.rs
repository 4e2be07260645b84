//! `frontline customer show|search|forget`.

use std::fmt;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Serialize;
use serde_json::Value;

use super::{resolve_customer, rfc3339, unknown_customer};
use crate::cli::Cli;
use crate::domain::message::{self, Direction, StoredMessage};
use crate::domain::money;
use crate::domain::text::{counted, for_display};
use crate::domain::time::{local_date, local_datetime};
use crate::domain::{CustomerHit, CustomerRecord, HistoryEntry, Id};
use crate::store::{self, contact_loop, customers};

/// A customer's whole record, as the Customer pane shows it.
pub(super) struct Shown {
    record: CustomerRecord,
    history: Vec<HistoryEntry>,
    /// What the customer owes after each billing event (see `domain::money::balance`).
    running: Vec<i64>,
    escalations: Vec<(Id, contact_loop::Escalation)>,
    /// Each email contact's thread after its opening message (which is the contact's body),
    /// for the contacts that have one.
    threads: Vec<(Id, Vec<StoredMessage>)>,
}

/// The longest part of a message's first line `customer show` prints under its contact.
const MESSAGE_LINE_CHARS: usize = 100;

/// Fields holding Unix times in the record's own serialisation, written as RFC 3339.
const TIME_FIELDS: &[&str] =
    &["at", "placed_at", "created_at", "due_at", "done_at", "accepted_at", "ended_at", "sent_at"];

/// Rewrites every Unix time under a [`TIME_FIELDS`] key as RFC 3339, at any depth.
fn times_as_rfc3339(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                match v.as_i64() {
                    Some(ts) if TIME_FIELDS.contains(&key.as_str()) => *v = Value::String(rfc3339(ts)),
                    _ => times_as_rfc3339(v),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(times_as_rfc3339),
        _ => {}
    }
}

impl Serialize for Shown {
    /// The record's fields, `balance_cents` (what is owed), the history, and on each
    /// timeline entry its escalation if any; times in RFC 3339.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error;
        let mut value = serde_json::to_value(&self.record).map_err(S::Error::custom)?;
        if let Some(map) = value.as_object_mut() {
            map.insert("balance_cents".into(), Value::from(self.running.last().copied().unwrap_or(0)));
            map.insert("history".into(), serde_json::to_value(&self.history).map_err(S::Error::custom)?);
        }
        if let Some(timeline) = value.get_mut("timeline").and_then(Value::as_array_mut) {
            for entry in timeline {
                let id = entry.get("contact_id").and_then(Value::as_i64);
                if let Some((_, e)) = self.escalations.iter().find(|(c, _)| Some(*c) == id) {
                    let e = serde_json::to_value(e).map_err(S::Error::custom)?;
                    if let Some(map) = entry.as_object_mut() {
                        map.insert("escalation".into(), e);
                    }
                }
                if let Some((_, thread)) = self.threads.iter().find(|(c, _)| Some(*c) == id) {
                    let thread = serde_json::to_value(thread).map_err(S::Error::custom)?;
                    if let Some(map) = entry.as_object_mut() {
                        map.insert("thread".into(), thread);
                    }
                }
            }
        }
        times_as_rfc3339(&mut value);
        value.serialize(s)
    }
}

fn opt(v: Option<&String>) -> String {
    v.map_or_else(|| "—".to_string(), |s| for_display(s))
}

impl Shown {
    fn profile(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.record.customer;
        writeln!(f, "{} (#{})", for_display(&c.name), c.id)?;
        writeln!(
            f,
            "  Company: {}  Tier: {}  Language: {}  Time zone: {}",
            opt(c.company.as_ref()),
            opt(c.tier.as_ref()),
            opt(c.language.as_ref()),
            opt(c.timezone.as_ref())
        )?;
        let flags: Vec<&str> = [(c.vip, "VIP"), (c.fraud_watch, "FRAUD WATCH"), (c.do_not_contact, "DO NOT CONTACT")]
            .into_iter()
            .filter_map(|(on, name)| on.then_some(name))
            .collect();
        writeln!(f, "  Flags: {}", if flags.is_empty() { "none".to_string() } else { flags.join(", ") })?;
        if let Some(note) = &c.pinned_note {
            writeln!(f, "  Pinned: {}", for_display(note))?;
        }
        writeln!(f, "\nIdentities ({})", self.record.identities.len())?;
        for i in &self.record.identities {
            writeln!(f, "  {:<6} {}", i.kind.as_str(), for_display(&i.value))?;
        }
        Ok(())
    }

    fn orders_and_billing(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.record;
        writeln!(f, "\nOrders ({})", r.orders.len())?;
        for o in &r.orders {
            writeln!(
                f,
                "  {}  {}  {:<10} {:>10}  {}",
                for_display(&o.number),
                local_date(o.placed_at),
                for_display(&o.status),
                money::format(o.total_cents, &o.currency),
                for_display(&o.items)
            )?;
            if o.carrier.is_some() || o.tracking.is_some() {
                writeln!(f, "      {} {}", opt(o.carrier.as_ref()), opt(o.tracking.as_ref()))?;
            }
        }
        let currency = r.billing.last().map_or("USD", |b| b.currency.as_str());
        let owed = self.running.last().copied().unwrap_or(0);
        writeln!(f, "\nBilling ({}, {})", r.billing.len(), money::describe_balance(owed, currency))?;
        for (b, owed) in r.billing.iter().zip(&self.running) {
            let (balance, amount) = money::after_event(*owed, &b.currency);
            writeln!(
                f,
                "  {}  {:<8} {:>10}  {balance:<6}{amount:>9}  {}",
                local_date(b.at),
                b.kind,
                money::format(b.amount_cents, &b.currency),
                for_display(&b.description)
            )?;
        }
        Ok(())
    }

    fn promises_and_follow_ups(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.record;
        writeln!(f, "\nPromises ({})", r.open_promises.len())?;
        for p in &r.open_promises {
            let due = p.due_at.map_or_else(|| "no due date".to_string(), |d| format!("due {}", local_datetime(d)));
            writeln!(f, "  {due}: {}", for_display(&p.body))?;
        }
        writeln!(f, "\nFollow-ups ({})", r.follow_ups.len())?;
        for fu in &r.follow_ups {
            let note = if fu.note.trim().is_empty() { "(no note)".to_string() } else { for_display(&fu.note) };
            writeln!(f, "  #{:<4} due {}: {note}", fu.id, local_datetime(fu.due_at))?;
        }
        Ok(())
    }

    fn timeline(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.record;
        writeln!(f, "\nTimeline ({}, all channels)", counted(r.timeline.len(), "contact", "contacts"))?;
        for t in &r.timeline {
            let outcome = t.disposition.as_deref().map(|d| format!(" · {}", for_display(d))).unwrap_or_default();
            writeln!(
                f,
                "  #{:<5} {}  {:<9} {:<11} {}{outcome}",
                t.contact_id,
                local_datetime(t.created_at),
                t.channel.as_str(),
                t.status.as_str(),
                for_display(&t.subject)
            )?;
            if let Some((_, e)) = self.escalations.iter().find(|(c, _)| *c == t.contact_id) {
                writeln!(f, "         {}", for_display(&e.to_string()))?;
            }
            for m in self.threads.iter().filter(|(c, _)| *c == t.contact_id).flat_map(|(_, thread)| thread) {
                let m = &m.message;
                let (way, address) = match m.direction {
                    Direction::Inbound => ("from", &m.from_addr),
                    Direction::Outbound => ("reply to", &m.to_addr),
                };
                let first = m.body.lines().find(|l| !l.trim().is_empty()).unwrap_or_default();
                let shown: String = for_display(first).chars().take(MESSAGE_LINE_CHARS).collect();
                let more = if first.chars().nth(MESSAGE_LINE_CHARS).is_some() { "…" } else { "" };
                writeln!(f, "         {} {way} {}: {shown}{more}", local_datetime(m.sent_at), for_display(address))?;
            }
            for n in &t.notes {
                writeln!(f, "         {} {}: {}", local_datetime(n.created_at), n.kind, for_display(&n.body))?;
            }
        }
        if !self.history.is_empty() {
            writeln!(f, "\nHistory ({})", counted(self.history.len(), "change", "changes"))?;
            for h in &self.history {
                writeln!(
                    f,
                    "  {}  {}: {} → {}",
                    local_datetime(h.at),
                    h.field,
                    opt(h.old_value.as_ref()),
                    opt(h.new_value.as_ref())
                )?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.profile(f)?;
        self.orders_and_billing(f)?;
        self.promises_and_follow_ups(f)?;
        self.timeline(f)
    }
}

/// `frontline customer show KEY [--json]`: the whole record, as the Customer pane shows it.
pub(super) fn show(db: &Path, key: &str) -> Result<Shown> {
    let conn = store::open_workspace(db)?;
    let id = resolve_customer(&conn, key)?;
    let record = customers::record(&conn, id)?.ok_or_else(|| unknown_customer(key))?;
    let history = store::profile::history(&conn, id)?;
    let running = money::running_balance(&record.billing, &record.orders);
    let escalations = contact_loop::escalations_of_customer(&conn, id)?;
    let mut threads = Vec::new();
    for t in &record.timeline {
        let messages = store::messages::messages(&conn, t.contact_id)?;
        if messages.is_empty() {
            continue;
        }
        let body = store::contacts::contact(&conn, t.contact_id)?.map(|c| c.body).unwrap_or_default();
        let thread = message::after_opening(&body, messages);
        if !thread.is_empty() {
            threads.push((t.contact_id, thread));
        }
    }
    Ok(Shown { record, history, running, escalations, threads })
}

/// Customers found by `customer search`, best first.
#[derive(Serialize)]
#[serde(transparent)]
pub(super) struct Found {
    hits: Vec<CustomerHit>,
    #[serde(skip)]
    query: String,
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.hits.is_empty() {
            writeln!(f, "No customer matches “{}”.", for_display(&self.query))?;
        }
        for h in &self.hits {
            writeln!(f, "#{:<5} {:<28} {}", h.id, for_display(&h.name), for_display(&h.detail))?;
        }
        Ok(())
    }
}

/// `frontline customer search QUERY [--json]`: the workstation's finder (parts of names,
/// the end of a phone number, emails, handles, order numbers).
pub(super) fn search(db: &Path, query: &str, limit: usize) -> Result<Found> {
    let conn = store::open_workspace(db)?;
    let hits = customers::search(&conn, query, limit)?;
    Ok(Found { hits, query: query.to_string() })
}

/// What forgetting a customer erased.
#[derive(Serialize)]
pub(super) struct Forgotten {
    id: Id,
    identities: usize,
    orders: usize,
    billing_events: usize,
    notes: usize,
    drafts: usize,
    follow_ups: usize,
    history_entries: usize,
    contacts_anonymised: usize,
    message_ids_hashed: usize,
    wal_checkpointed: bool,
    /// Every place cleaned: tables of the workspace and files Frontline wrote beside it.
    cleaned: Vec<store::erase::Cleaned>,
}

impl fmt::Display for Forgotten {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Forgot customer #{}: {} identities, {} orders, {} billing events, {} notes, {} drafts, {} follow-ups, \
             {} history entries deleted; {} contacts kept anonymised for metrics",
            self.id,
            self.identities,
            self.orders,
            self.billing_events,
            self.notes,
            self.drafts,
            self.follow_ups,
            self.history_entries,
            self.contacts_anonymised
        )?;
        for c in self.cleaned.iter().filter(|c| c.place == store::erase::Place::File) {
            writeln!(f, "  {:?} {} ({})", c.action, c.name, counted(c.count, "record", "records"))?;
        }
        if !self.wal_checkpointed {
            writeln!(
                f,
                "Note: another Frontline window holds the journal; the erased pages leave it when that closes"
            )?;
        }
        Ok(())
    }
}

/// `frontline customer forget KEY [--yes]`: erases the person (see `store::erase`), after
/// the rep types the customer's name, or at once with `--yes`.
pub(super) fn forget(db: &Path, key: &str, yes: bool, inbox: &Path) -> Result<Forgotten> {
    use std::io::IsTerminal;
    if !yes && !std::io::stdin().is_terminal() {
        use clap::CommandFactory;
        Cli::command()
            .error(
                clap::error::ErrorKind::MissingRequiredArgument,
                "customer forget: not run from a terminal, so nobody can confirm; pass --yes to erase without asking",
            )
            .exit();
    }
    let mut conn = store::open_workspace(db)?;
    let id = resolve_customer(&conn, key)?;
    let name = customers::customer(&conn, id)?.map(|c| c.name).ok_or_else(|| unknown_customer(key))?;
    if !yes {
        confirm_by_name(id, &name)?;
    }
    let erased = crate::erasure::forget_customer(&mut conn, id, inbox)?;
    let s = erased.summary;
    tracing::info!(customer_id = id, contacts_anonymised = s.contacts_anonymised, "customer forgotten");
    Ok(Forgotten {
        id,
        identities: s.identities,
        orders: s.orders,
        billing_events: s.billing_events,
        notes: s.notes,
        drafts: s.drafts,
        follow_ups: s.follow_ups,
        history_entries: s.history_entries,
        contacts_anonymised: s.contacts_anonymised,
        message_ids_hashed: s.message_ids_hashed,
        wal_checkpointed: s.wal_checkpointed,
        cleaned: erased.cleaned,
    })
}

/// Asks the rep to type the customer's name; anything else erases nothing.
fn confirm_by_name(id: Id, name: &str) -> Result<()> {
    let mut err = std::io::stderr();
    writeln!(
        err,
        "This erases {} (#{id}): identities, orders, billing, notes, drafts, follow-ups and history; \
         their contacts stay for metrics with the text erased. It cannot be undone.",
        for_display(name)
    )?;
    write!(err, "Type the customer's name to confirm: ")?;
    err.flush()?;
    let mut typed = String::new();
    std::io::stdin().read_line(&mut typed).context("reading the confirmation")?;
    if typed.trim() != name.trim() {
        bail!("customer forget: the name did not match; nothing was erased");
    }
    Ok(())
}
