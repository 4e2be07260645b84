//! Checking: each row becomes a typed record that passed every rule, or a [`RecordError`]
//! naming the file, record and field. Nothing here touches the database.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::Options;
use crate::domain::identity::{classify, holds_card_number, is_valid, normalize, shown};
use crate::domain::text::{mask_card_numbers, sanitize};
use crate::domain::time::parse_rfc3339;
use crate::domain::{BillingEvent, Channel, ContactStatus, IdentityKind, Order, Timestamp};
use crate::import::fields::{Cents, Int, Items, List, Text, null_as_default};
use crate::import::{Origin, RecordError};
use crate::store::{contacts, customers};

/// Deserialises one row or record, naming the field at fault.
pub(in crate::import) fn typed<T: for<'de> Deserialize<'de>>(
    path: &Path,
    origin: &Origin,
    map: Map<String, Value>,
) -> Result<T, RecordError> {
    serde_path_to_error::deserialize(Value::Object(map)).map_err(|e| {
        let field = e.path().to_string();
        let message = e.into_inner().to_string();
        RecordError {
            file: path.to_path_buf(),
            origin: origin.clone(),
            field: (field != ".").then_some(field),
            message,
        }
    })
}

/// Most unknown keys named one by one in a file's warnings; past them one line says more
/// were ignored. A record with 250,000 made-up keys made as many warnings, each compared
/// with all before it: minutes for a 3 MB inbox file, which then stayed in the inbox.
pub(super) const MAX_UNKNOWN_NAMED: usize = 20;

/// Adds a warning (once per file) for each key of `extra`, which the row type did not
/// know, up to [`MAX_UNKNOWN_NAMED`]; `what` names such a key in the message ("column",
/// "field").
pub(in crate::import) fn warn_unknown(
    path: &Path,
    extra: &BTreeMap<String, Value>,
    what: &str,
    warnings: &mut Vec<String>,
) {
    let prefix = format!("{}: unknown {what} `", path.display());
    let more = format!("{}: more unknown {what}s ignored", path.display());
    for key in extra.keys() {
        if warnings.contains(&more) {
            return;
        }
        let w = format!("{prefix}{key}` ignored");
        if warnings.contains(&w) {
            continue;
        }
        let named = warnings.iter().filter(|x| x.starts_with(&prefix)).count();
        warnings.push(if named < MAX_UNKNOWN_NAMED { w } else { more.clone() });
    }
}

/// Where a record is, for the messages about its fields.
struct At<'a> {
    path: &'a Path,
    origin: &'a Origin,
}

impl At<'_> {
    fn err(&self, field: &str, message: impl Into<String>) -> RecordError {
        RecordError::field(self.path, self.origin.clone(), field, message)
    }

    /// An optional RFC 3339 time, moved by `shift` seconds.
    fn time(&self, field: &str, value: Option<&str>, shift: i64) -> Result<Option<Timestamp>, RecordError> {
        match value.map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => parse_rfc3339(v)
                .map(|t| Some(t + shift))
                .ok_or_else(|| self.err(field, format!("\"{v}\" is not an RFC 3339 time like 2026-11-20T14:00:00Z"))),
        }
    }
}

fn clean(text: Option<String>) -> Option<String> {
    text.map(|t| sanitize(t.trim())).filter(|t| !t.is_empty())
}

// ---------------------------------------------------------------- customers

/// A customer as a file gives it. Names other systems use are accepted too: a shop's
/// `first_name`/`last_name` (or "First Name"/"Last Name" columns) for `name`, a help
/// desk's `iana_time_zone` for `timezone`.
#[derive(Debug, Deserialize)]
struct CustomerRow {
    name: Option<String>,
    #[serde(alias = "first name")]
    first_name: Option<String>,
    #[serde(alias = "last name")]
    last_name: Option<String>,
    company: Option<String>,
    tier: Option<String>,
    language: Option<String>,
    #[serde(alias = "iana_time_zone")]
    timezone: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    handle: Option<String>,
    #[serde(default)]
    emails: List,
    #[serde(default)]
    phones: List,
    #[serde(default)]
    handles: List,
    #[serde(default)]
    flags: List,
    pinned_note: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    orders: Vec<OrderRow>,
    #[serde(default, deserialize_with = "null_as_default")]
    billing: Vec<BillingRow>,
    #[serde(flatten)]
    extra: BTreeMap<String, Value>,
}

/// An order as a file gives it, in Frontline's names or a shop's (Shopify's `name` "#1001",
/// `created_at`, `total_price`, `fulfillment_status`, `line_items`; WooCommerce's
/// `date_created_gmt`, a UTC time written without its zone).
#[derive(Debug, Deserialize)]
struct OrderRow {
    #[serde(alias = "name")]
    number: Text,
    #[serde(alias = "created_at")]
    placed_at: Option<String>,
    date_created_gmt: Option<String>,
    #[serde(alias = "fulfillment_status")]
    status: Option<String>,
    #[serde(alias = "total_price")]
    total: Cents,
    currency: Option<String>,
    #[serde(default, alias = "line_items")]
    items: Items,
    carrier: Option<String>,
    tracking: Option<String>,
    #[serde(flatten)]
    extra: BTreeMap<String, Value>,
}

#[derive(Debug, Deserialize)]
struct BillingRow {
    at: String,
    kind: String,
    amount: Cents,
    currency: Option<String>,
    description: Option<String>,
    #[serde(flatten)]
    extra: BTreeMap<String, Value>,
}

/// A customer checked and ready to write.
pub(super) struct CheckedCustomer {
    pub(super) new: customers::NewCustomer,
}

/// Checks one customer record, keeping where it came from for the messages of the write.
pub(super) fn check_customer_row(
    path: &Path,
    origin: Origin,
    map: Map<String, Value>,
    opts: Options,
    warnings: &mut Vec<String>,
) -> Result<(Origin, CheckedCustomer), RecordError> {
    let row: CustomerRow = typed(path, &origin, map)?;
    warn_unknown(path, &row.extra, origin.key_noun(), warnings);
    // Inside an order or a billing event too: a `note` there was dropped without a word.
    for o in &row.orders {
        warn_unknown(path, &o.extra, "order field", warnings);
    }
    for b in &row.billing {
        warn_unknown(path, &b.extra, "billing field", warnings);
    }
    let c = check_customer(&At { path, origin: &origin }, row, opts)?;
    Ok((origin, c))
}

fn check_customer(at: &At<'_>, row: CustomerRow, opts: Options) -> Result<CheckedCustomer, RecordError> {
    let identities = customer_identities(
        at,
        [
            (IdentityKind::Email, [("emails", row.emails.0), ("email", row.email.into_iter().collect())]),
            (IdentityKind::Phone, [("phones", row.phones.0), ("phone", row.phone.into_iter().collect())]),
            (IdentityKind::Handle, [("handles", row.handles.0), ("handle", row.handle.into_iter().collect())]),
        ],
    )?;
    let name = customer_name(at, [row.name, row.first_name, row.last_name], &identities)?;
    let flags = customer_flags(at, &row.flags.0)?;
    let orders =
        row.orders.into_iter().enumerate().map(|(i, o)| check_order(at, i, o, opts)).collect::<Result<_, _>>()?;
    let billing =
        row.billing.into_iter().enumerate().map(|(i, b)| check_billing(at, i, b, opts)).collect::<Result<_, _>>()?;
    Ok(CheckedCustomer {
        new: customers::NewCustomer {
            name,
            company: clean(row.company),
            tier: clean(row.tier).map(|t| t.to_ascii_lowercase()),
            language: clean(row.language),
            timezone: clean(row.timezone),
            vip: flags.vip,
            fraud_watch: flags.fraud_watch,
            do_not_contact: flags.do_not_contact,
            pinned_note: clean(row.pinned_note).map(|n| mask_card_numbers(&n).text),
            identities,
            orders,
            billing,
        },
    })
}

/// The customer's name: `name`, else the first and last names joined, else (as shops
/// export customers who never gave one) the first email, phone or handle — as a customer
/// created from an incoming contact is named. A `name` given but empty is refused.
fn customer_name(
    at: &At<'_>,
    [name, first, last]: [Option<String>; 3],
    identities: &[(IdentityKind, String)],
) -> Result<String, RecordError> {
    // A name given empty is a mistake in the file; one not given at all is an export's way.
    if name.is_some() && clean(name.clone()).is_none() {
        return Err(at.err("name", "must not be empty"));
    }
    let parts = [clean(first), clean(last)].into_iter().flatten().collect::<Vec<_>>().join(" ");
    clean(name)
        .or_else(|| Some(parts).filter(|p| !p.is_empty()))
        .or_else(|| identities.first().map(|(_, v)| v.clone()))
        .ok_or_else(|| at.err("name", "must not be empty (and there is no email, phone or handle to name it by)"))
}

/// The values given for one kind of identity, under the name of each column they came from.
type IdentityColumns<'a> = (IdentityKind, [(&'a str, Vec<String>); 2]);

/// The identities of every kind, each value checked under the name of the column it came
/// from (so errors name the right one), duplicates (however formatted) left out.
fn customer_identities(
    at: &At<'_>,
    sources: [IdentityColumns<'_>; 3],
) -> Result<Vec<(IdentityKind, String)>, RecordError> {
    let mut identities: Vec<(IdentityKind, String)> = Vec::new();
    for (kind, columns) in sources {
        for (field, values) in columns {
            for value in values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
                if holds_card_number(value) {
                    let why = format!("\"{}\" holds a card number, which is never kept", shown(value));
                    return Err(at.err(field, why));
                }
                if !is_valid(kind, value) {
                    return Err(at.err(field, format!("\"{value}\" is not a valid {}", kind.as_str())));
                }
                if !identities.iter().any(|(k, v)| *k == kind && normalize(kind, v) == normalize(kind, value)) {
                    identities.push((kind, value.to_string()));
                }
            }
        }
    }
    Ok(identities)
}

/// The customer flags a record sets.
#[derive(Debug, Default)]
struct Flags {
    vip: bool,
    fraud_watch: bool,
    do_not_contact: bool,
}

fn customer_flags(at: &At<'_>, given: &[String]) -> Result<Flags, RecordError> {
    let mut flags = Flags::default();
    for flag in given {
        match flag.to_ascii_lowercase().replace(['-', ' '], "_").as_str() {
            "vip" => flags.vip = true,
            "fraud_watch" | "fraud" => flags.fraud_watch = true,
            "do_not_contact" | "dnc" => flags.do_not_contact = true,
            other => {
                return Err(
                    at.err("flags", format!("unknown flag \"{other}\" (known: vip, fraud_watch, do_not_contact)"))
                );
            }
        }
    }
    Ok(flags)
}

fn check_order(at: &At<'_>, i: usize, o: OrderRow, opts: Options) -> Result<Order, RecordError> {
    let number = o.number.0.trim().to_string();
    if number.is_empty() {
        return Err(at.err(&format!("orders[{i}].number"), "must not be empty"));
    }
    let field = format!("orders[{i}].placed_at");
    let placed = match (o.placed_at, o.date_created_gmt) {
        (Some(t), _) => t,
        (None, Some(gmt)) if !gmt.trim().is_empty() => utc_if_zoneless(&gmt),
        (None, _) => return Err(at.err(&field, "missing (the time the order was placed)")),
    };
    let placed_at = at.time(&field, Some(&placed), opts.shift_seconds)?.unwrap_or(0);
    Ok(Order {
        number,
        placed_at,
        status: clean(o.status).unwrap_or_else(|| "processing".into()),
        total_cents: o.total.0,
        currency: clean(o.currency).unwrap_or_else(|| "USD".into()).to_ascii_uppercase(),
        items: clean(Some(o.items.0)).unwrap_or_default(),
        carrier: clean(o.carrier),
        tracking: clean(o.tracking),
    })
}

/// A time the source says is UTC, with its `Z` added when written without a zone.
fn utc_if_zoneless(time: &str) -> String {
    let time = time.trim();
    let has_zone = time.ends_with(['Z', 'z']) || time.get(19..).is_some_and(|rest| rest.contains(['+', '-']));
    if has_zone { time.to_string() } else { format!("{time}Z") }
}

fn check_billing(at: &At<'_>, i: usize, b: BillingRow, opts: Options) -> Result<BillingEvent, RecordError> {
    let kind = match crate::domain::BillingKind::parse(&b.kind) {
        Some(k) if k != crate::domain::BillingKind::Payment => k,
        _ => {
            let kind = b.kind.trim().to_ascii_lowercase();
            return Err(at.err(
                &format!("billing[{i}].kind"),
                format!("\"{kind}\" is not one of charge, refund, credit, dispute"),
            ));
        }
    };
    let when = at.time(&format!("billing[{i}].at"), Some(&b.at), opts.shift_seconds)?.unwrap_or(0);
    Ok(BillingEvent {
        at: when,
        kind,
        amount_cents: b.amount.0,
        currency: clean(b.currency).unwrap_or_else(|| "USD".into()).to_ascii_uppercase(),
        description: clean(b.description).map(|d| mask_card_numbers(&d).text).unwrap_or_default(),
    })
}

// ---------------------------------------------------------------- contacts

#[derive(Debug, Deserialize)]
struct ContactRow {
    channel: String,
    customer: Option<String>,
    subject: String,
    #[serde(default, deserialize_with = "null_as_default")]
    body: String,
    priority: Option<Int>,
    status: Option<String>,
    created_at: Option<String>,
    accepted_at: Option<String>,
    ended_at: Option<String>,
    hold_seconds: Option<Int>,
    disposition: Option<String>,
    escalated_to: Option<String>,
    csat: Option<Int>,
    #[serde(default)]
    tags: List,
    #[serde(default, deserialize_with = "null_as_default")]
    notes: Vec<NoteRow>,
    #[serde(flatten)]
    extra: BTreeMap<String, Value>,
}

#[derive(Debug, Deserialize)]
struct NoteRow {
    at: String,
    text: String,
    kind: Option<String>,
    due: Option<String>,
}

/// A note of a checked contact: kind, text, when, and the promise's due time.
pub(super) type CheckedNote = (String, String, Timestamp, Option<Timestamp>);

/// A contact record that passed every check of `import contacts`, ready to write with
/// [`super::insert_checked_contact`] (the live inbox checks one file at a time with it).
pub struct CheckedContact {
    pub(super) customer_key: Option<String>,
    pub(super) contact: contacts::NewContact,
    /// Whether the record gave its start time: one that did not starts when it is imported,
    /// and cannot be told from a new contact.
    pub(super) timed: bool,
    pub(super) notes: Vec<CheckedNote>,
    pub(super) cards: usize,
}

impl CheckedContact {
    /// The customer as the record named them (an email, phone or @handle), if it did.
    pub fn customer_key(&self) -> Option<&str> {
        self.customer_key.as_deref()
    }
}

/// Checks one contact record exactly as `import contacts` does (every field, and that
/// `customer` is an email, phone or @handle); unknown fields are added to `warnings`.
/// Errors are [`RecordError`]s naming the file, record and field.
pub fn check_contact_row(
    path: &Path,
    origin: &Origin,
    map: Map<String, Value>,
    opts: Options,
    warnings: &mut Vec<String>,
) -> Result<CheckedContact, RecordError> {
    let row: ContactRow = typed(path, origin, map)?;
    warn_unknown(path, &row.extra, origin.key_noun(), warnings);
    let at = At { path, origin };
    let c = check_contact(&at, row, opts)?;
    if let Some(key) = &c.customer_key
        && classify(key).is_none()
    {
        return Err(at.err("customer", format!("\"{}\" is not an email, phone number or @handle", shown(key))));
    }
    Ok(c)
}

/// The times of a contact, checked against each other and its status.
struct Times {
    created_at: Timestamp,
    /// Whether `created_at` was given (else it is the import's time).
    timed: bool,
    accepted_at: Option<Timestamp>,
    ended_at: Option<Timestamp>,
    hold_seconds: i64,
}

fn check_contact(at: &At<'_>, row: ContactRow, opts: Options) -> Result<CheckedContact, RecordError> {
    let channel = Channel::parse(&row.channel).ok_or_else(|| {
        at.err("channel", format!("\"{}\" is not one of phone, email, chat, social, in_person", row.channel))
    })?;
    let subject = sanitize(row.subject.trim());
    if subject.is_empty() {
        return Err(at.err("subject", "must not be empty"));
    }
    let priority = match row.priority {
        None => 3,
        Some(Int(p @ 1..=4)) => u8::try_from(p).unwrap_or(3),
        Some(Int(p)) => return Err(at.err("priority", format!("{p} is not between 1 (most urgent) and 4"))),
    };
    let (status, status_text) = contact_status(at, row.status.as_deref())?;
    let times = contact_times(at, &row, status, &status_text, opts)?;
    let csat = match row.csat {
        None => None,
        Some(Int(c @ 1..=5)) => u8::try_from(c).ok(),
        Some(Int(c)) => return Err(at.err("csat", format!("{c} is not a rating from 1 to 5"))),
    };
    let body = mask_card_numbers(&sanitize(&row.body));
    let (notes, note_cards) = contact_notes(at, row.notes, times.created_at, opts.shift_seconds)?;
    Ok(CheckedContact {
        customer_key: clean(row.customer),
        timed: times.timed,
        contact: contacts::NewContact {
            customer_id: None,
            channel,
            subject,
            body: body.text,
            priority,
            status,
            tags: row.tags.0.iter().map(|t| sanitize(t)).collect(),
            created_at: times.created_at,
            accepted_at: times.accepted_at,
            ended_at: times.ended_at,
            hold_seconds: times.hold_seconds,
            disposition: clean(row.disposition),
            escalated_to: clean(row.escalated_to),
            csat,
        },
        notes,
        cards: body.cards + body.codes + note_cards,
    })
}

/// The status a file may give a contact (not one in progress), and its text for messages.
fn contact_status(at: &At<'_>, given: Option<&str>) -> Result<(ContactStatus, String), RecordError> {
    let text = given.map_or("waiting", str::trim).to_ascii_lowercase();
    match ContactStatus::parse(&text) {
        Some(
            s @ (ContactStatus::Waiting
            | ContactStatus::Resolved
            | ContactStatus::Escalated
            | ContactStatus::Transferred),
        ) => Ok((s, text)),
        _ => Err(at.err("status", format!("\"{text}\" is not one of waiting, resolved, escalated, transferred"))),
    }
}

fn contact_times(
    at: &At<'_>,
    row: &ContactRow,
    status: ContactStatus,
    status_text: &str,
    opts: Options,
) -> Result<Times, RecordError> {
    let shift = opts.shift_seconds;
    let given = at.time("created_at", row.created_at.as_deref(), shift)?;
    let created_at = given.unwrap_or(opts.now);
    let accepted_at = at.time("accepted_at", row.accepted_at.as_deref(), shift)?;
    let ended_at = at.time("ended_at", row.ended_at.as_deref(), shift)?;
    if accepted_at.is_some_and(|a| a < created_at) {
        return Err(at.err("accepted_at", "is before created_at"));
    }
    if let Some(end) = ended_at
        && end < accepted_at.unwrap_or(created_at)
    {
        return Err(at.err("ended_at", "is before the contact was accepted"));
    }
    if status == ContactStatus::Waiting && ended_at.is_some() {
        return Err(at.err("status", "a waiting contact cannot have ended_at"));
    }
    if status != ContactStatus::Waiting && ended_at.is_none() {
        return Err(at.err("ended_at", format!("a {status_text} contact needs the time it ended")));
    }
    let hold_seconds = match row.hold_seconds {
        None => 0,
        Some(Int(h)) if h >= 0 => h,
        Some(Int(h)) => return Err(at.err("hold_seconds", format!("{h} is negative"))),
    };
    if hold_seconds > 0 {
        let handled = ended_at.zip(accepted_at).map(|(e, a)| e - a);
        if handled.is_none_or(|d| hold_seconds > d) {
            return Err(at.err("hold_seconds", "is longer than the time between accepted_at and ended_at"));
        }
    }
    Ok(Times { created_at, timed: given.is_some(), accepted_at, ended_at, hold_seconds })
}

/// The contact's notes, masked, with how many card numbers and codes were masked.
fn contact_notes(
    at: &At<'_>,
    rows: Vec<NoteRow>,
    created_at: Timestamp,
    shift: i64,
) -> Result<(Vec<CheckedNote>, usize), RecordError> {
    let mut cards = 0;
    let mut notes = Vec::new();
    for (i, n) in rows.into_iter().enumerate() {
        let when = at.time(&format!("notes[{i}].at"), Some(&n.at), shift)?.unwrap_or(created_at);
        let due = at.time(&format!("notes[{i}].due"), n.due.as_deref(), shift)?;
        let kind = n.kind.as_deref().map_or("note", str::trim).to_ascii_lowercase();
        if kind != "note" && kind != "promise" {
            return Err(at.err(&format!("notes[{i}].kind"), format!("\"{kind}\" is not note or promise")));
        }
        let text = mask_card_numbers(&sanitize(n.text.trim()));
        cards += text.cards + text.codes;
        notes.push((kind, text.text, when, due));
    }
    Ok((notes, cards))
}
