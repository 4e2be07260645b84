//! Customers, their identities, orders and billing events.

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::domain::identity::{classify, is_valid, normalize};
use crate::domain::text::{StoredField, TextReport, mask_card_numbers};
use crate::domain::{
    BillingEvent, BillingKind, Customer, CustomerHit, CustomerRecord, Id, Identity, IdentityKind, Note, Order,
    Timestamp,
};

use super::{contacts, notes};

/// A customer to create, with everything that hangs off it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewCustomer {
    pub name: String,
    pub company: Option<String>,
    pub tier: Option<String>,
    pub language: Option<String>,
    pub timezone: Option<String>,
    pub vip: bool,
    pub fraud_watch: bool,
    pub do_not_contact: bool,
    pub pinned_note: Option<String>,
    pub identities: Vec<(IdentityKind, String)>,
    pub orders: Vec<Order>,
    pub billing: Vec<BillingEvent>,
}

/// Inserts a customer with identities, orders and billing events; returns its id.
/// Call inside a write transaction so a failure leaves nothing behind. Free text (the name,
/// an email's display name among them) is cleaned on the way in.
pub fn insert(conn: &Connection, c: &NewCustomer, now: Timestamp) -> rusqlite::Result<Id> {
    insert_reporting(conn, c, now).map(|(id, _)| id)
}

/// A customer's free-text fields as stored (see [`crate::domain::text::clean_stored_text`]).
struct CleanProfile {
    name: String,
    company: Option<String>,
    tier: Option<String>,
    language: Option<String>,
    timezone: Option<String>,
    pinned_note: Option<String>,
}

fn clean_profile(c: &NewCustomer, report: &mut TextReport) -> CleanProfile {
    let profile =
        |report: &mut TextReport, v: &Option<String>| report.clean_opt(StoredField::CustomerProfile, v.as_deref());
    CleanProfile {
        name: report.clean(StoredField::CustomerName, &c.name),
        company: profile(report, &c.company),
        tier: profile(report, &c.tier),
        language: profile(report, &c.language),
        timezone: profile(report, &c.timezone),
        pinned_note: report.clean_opt(StoredField::PinnedNote, c.pinned_note.as_deref()),
    }
}

/// [`insert`], also saying what cleaning did: cards masked, fields cut to their cap.
pub fn insert_reporting(conn: &Connection, c: &NewCustomer, now: Timestamp) -> rusqlite::Result<(Id, TextReport)> {
    let mut report = TextReport::default();
    let p = clean_profile(c, &mut report);
    conn.prepare_cached(
        "INSERT INTO customers(name, company, tier, language, timezone, vip, fraud_watch, do_not_contact, pinned_note, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![p.name, p.company, p.tier, p.language, p.timezone, c.vip, c.fraud_watch, c.do_not_contact, p.pinned_note, now],
    )?;
    let id = conn.last_insert_rowid();
    for (kind, value) in &c.identities {
        add_identity(conn, id, *kind, value)?;
    }
    insert_orders_and_billing(conn, id, c, false, &mut report)?;
    Ok((id, report))
}

/// Adds a customer's orders and billing events. With `merge` (an import updating a known
/// customer), an order already stored is updated and a billing event already stored is
/// not added twice. The order number and tracking number are identifiers, kept as they are;
/// the other text is cleaned. Returns how many rows were written: an order stored as it is
/// is not written again.
fn insert_orders_and_billing(
    conn: &Connection,
    id: Id,
    c: &NewCustomer,
    merge: bool,
    report: &mut TextReport,
) -> rusqlite::Result<usize> {
    let order_sql = if merge {
        "INSERT INTO orders(customer_id, number, placed_at, status, total_cents, currency, items, carrier, tracking)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT(number) DO UPDATE SET status = excluded.status, carrier = excluded.carrier,
            tracking = excluded.tracking, items = excluded.items, total_cents = excluded.total_cents
         WHERE orders.customer_id = excluded.customer_id
           AND (orders.status, orders.carrier, orders.tracking, orders.items, orders.total_cents)
               IS NOT (excluded.status, excluded.carrier, excluded.tracking, excluded.items, excluded.total_cents)"
    } else {
        "INSERT INTO orders(customer_id, number, placed_at, status, total_cents, currency, items, carrier, tracking)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
    };
    let mut written = 0;
    for o in &c.orders {
        let o = cleaned_order(o, report);
        written += conn.prepare_cached(order_sql)?.execute(params![
            id,
            o.number,
            o.placed_at,
            o.status,
            o.total_cents,
            o.currency,
            o.items,
            o.carrier,
            o.tracking
        ])?;
    }
    let billing_sql = if merge {
        "INSERT INTO billing_events(customer_id, at, kind, amount_cents, currency, description)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE NOT EXISTS (
            SELECT 1 FROM billing_events WHERE customer_id = ?1 AND at = ?2 AND kind = ?3 AND amount_cents = ?4)"
    } else {
        "INSERT INTO billing_events(customer_id, at, kind, amount_cents, currency, description) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    };
    for b in &c.billing {
        let b = cleaned_billing(b, report);
        written += conn.prepare_cached(billing_sql)?.execute(params![
            id,
            b.at,
            b.kind.as_str(),
            b.amount_cents,
            b.currency,
            b.description
        ])?;
    }
    Ok(written)
}

/// An order as stored: its text cleaned like every free text, and its identifiers (number,
/// currency, tracking) with any card number masked — a shop's export can put a card where an
/// order number belongs.
pub(crate) fn cleaned_order(o: &Order, report: &mut TextReport) -> Order {
    Order {
        number: report.clean(StoredField::OrderText, &o.number),
        placed_at: o.placed_at,
        status: report.clean(StoredField::OrderText, &o.status),
        total_cents: o.total_cents,
        currency: report.clean(StoredField::OrderText, &o.currency),
        items: report.clean(StoredField::OrderText, &o.items),
        carrier: report.clean_opt(StoredField::OrderText, o.carrier.as_deref()),
        tracking: report.clean_opt(StoredField::OrderText, o.tracking.as_deref()),
    }
}

/// A billing event as stored: its description and currency cleaned.
pub(crate) fn cleaned_billing(b: &BillingEvent, report: &mut TextReport) -> BillingEvent {
    BillingEvent {
        currency: report.clean(StoredField::OrderText, &b.currency),
        description: report.clean(StoredField::BillingDescription, &b.description),
        ..b.clone()
    }
}

/// Updates a known customer from an imported record: the name replaced, the other profile
/// fields and the pinned note replaced where the record has them, flags only ever turned
/// on, new identities added, orders added or updated, billing events added once. Free text
/// is cleaned as in [`insert`]; returns whether anything changed (a record the workspace
/// already holds as it is writes nothing), and what cleaning did.
pub fn update_from_import(conn: &Connection, id: Id, c: &NewCustomer) -> rusqlite::Result<(bool, TextReport)> {
    let mut report = TextReport::default();
    let p = clean_profile(c, &mut report);
    let profile = conn
        .prepare_cached(
            "UPDATE customers SET name = ?2, company = coalesce(?3, company), tier = coalesce(?4, tier),
            language = coalesce(?5, language), timezone = coalesce(?6, timezone),
            vip = vip OR ?7, fraud_watch = fraud_watch OR ?8, do_not_contact = do_not_contact OR ?9,
            pinned_note = coalesce(?10, pinned_note)
         WHERE id = ?1
           AND (name, company, tier, language, timezone, vip, fraud_watch, do_not_contact, pinned_note)
               IS NOT (?2, coalesce(?3, company), coalesce(?4, tier), coalesce(?5, language),
                       coalesce(?6, timezone), vip OR ?7, fraud_watch OR ?8, do_not_contact OR ?9,
                       coalesce(?10, pinned_note))",
        )?
        .execute(params![
            id,
            p.name,
            p.company,
            p.tier,
            p.language,
            p.timezone,
            c.vip,
            c.fraud_watch,
            c.do_not_contact,
            p.pinned_note
        ])?;
    let mut identities = 0;
    for (kind, value) in &c.identities {
        if find_by_identity(conn, *kind, value)?.is_none() {
            add_identity(conn, id, *kind, value)?;
            identities += 1;
        }
    }
    let rows = insert_orders_and_billing(conn, id, c, true, &mut report)?;
    Ok((profile + identities + rows > 0, report))
}

/// Adds an identity to a customer (normalised for matching). Every way in checks the value
/// first ([`crate::domain::identity::is_valid`]); a card number that got past one is still
/// stored masked.
pub fn add_identity(conn: &Connection, customer: Id, kind: IdentityKind, value: &str) -> rusqlite::Result<()> {
    let value = mask_card_numbers(value.trim()).text;
    conn.prepare_cached("INSERT INTO identities(customer_id, kind, value, normalized) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![customer, kind.as_str(), value, normalize(kind, &value)])?;
    Ok(())
}

/// Finds the customer with this identity, however it is formatted.
pub fn find_by_identity(conn: &Connection, kind: IdentityKind, value: &str) -> rusqlite::Result<Option<Id>> {
    conn.prepare_cached("SELECT customer_id FROM identities WHERE kind = ?1 AND normalized = ?2")?
        .query_row(params![kind.as_str(), normalize(kind, value)], |r| r.get(0))
        .optional()
}

/// Resolves a key the rep or a script typed: an email, phone, handle, order number or id.
pub fn find_by_key(conn: &Connection, key: &str) -> rusqlite::Result<Option<Id>> {
    let key = key.trim();
    if let Some(kind) = classify(key)
        && let Some(id) = find_by_identity(conn, kind, key)?
    {
        return Ok(Some(id));
    }
    if let Some(id) = conn
        .query_row("SELECT customer_id FROM orders WHERE number = ?1 COLLATE NOCASE", [key], |r| r.get(0))
        .optional()?
    {
        return Ok(Some(id));
    }
    if let Ok(id) = key.trim_start_matches('#').parse::<Id>() {
        return conn.query_row("SELECT id FROM customers WHERE id = ?1", [id], |r| r.get(0)).optional();
    }
    Ok(None)
}

/// Finds the customer for an incoming identity, creating one named after it if unknown.
pub fn find_or_create_by_identity(conn: &Connection, raw: &str, now: Timestamp) -> rusqlite::Result<Option<Id>> {
    find_or_create_by_identity_reporting(conn, raw, now).map(|(id, _)| id)
}

/// [`find_or_create_by_identity`], also telling whether the customer was created. Imports
/// count the customers they create with it: comparing [`count`] before and after each
/// record scans the whole customers table twice per record (about 3 ms each at 200,000
/// customers, hours for a million records).
pub fn find_or_create_by_identity_reporting(
    conn: &Connection,
    raw: &str,
    now: Timestamp,
) -> rusqlite::Result<(Option<Id>, bool)> {
    let Some(kind) = classify(raw).filter(|k| is_valid(*k, raw)) else { return Ok((None, false)) };
    if let Some(id) = find_by_identity(conn, kind, raw)? {
        return Ok((Some(id), false));
    }
    let new = NewCustomer {
        name: raw.trim().to_string(),
        identities: vec![(kind, raw.to_string())],
        ..NewCustomer::default()
    };
    insert(conn, &new, now).map(|id| (Some(id), true))
}

fn customer_from_row(r: &Row<'_>) -> rusqlite::Result<Customer> {
    Ok(Customer {
        id: r.get(0)?,
        name: r.get(1)?,
        company: r.get(2)?,
        tier: r.get(3)?,
        language: r.get(4)?,
        timezone: r.get(5)?,
        vip: r.get(6)?,
        fraud_watch: r.get(7)?,
        do_not_contact: r.get(8)?,
        pinned_note: r.get(9)?,
    })
}

/// Reads one customer's profile.
pub fn customer(conn: &Connection, id: Id) -> rusqlite::Result<Option<Customer>> {
    conn.query_row(
        "SELECT id, name, company, tier, language, timezone, vip, fraud_watch, do_not_contact, pinned_note
         FROM customers WHERE id = ?1",
        [id],
        customer_from_row,
    )
    .optional()
}

/// Reads everything the Customer pane shows: profile, identities, orders, billing,
/// open promises and the cross-channel timeline (newest first, with notes).
pub fn record(conn: &Connection, id: Id) -> rusqlite::Result<Option<CustomerRecord>> {
    let Some(customer) = customer(conn, id)? else { return Ok(None) };
    let identities = conn
        .prepare_cached("SELECT kind, value FROM identities WHERE customer_id = ?1 ORDER BY kind, id")?
        .query_map([id], |r| {
            let kind: String = r.get(0)?;
            Ok(Identity { kind: IdentityKind::parse(&kind).unwrap_or(IdentityKind::Handle), value: r.get(1)? })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let orders = conn
        .prepare_cached(
            "SELECT number, placed_at, status, total_cents, currency, items, carrier, tracking
             FROM orders WHERE customer_id = ?1 ORDER BY placed_at DESC",
        )?
        .query_map([id], |r| {
            Ok(Order {
                number: r.get(0)?,
                placed_at: r.get(1)?,
                status: r.get(2)?,
                total_cents: r.get(3)?,
                currency: r.get(4)?,
                items: r.get(5)?,
                carrier: r.get(6)?,
                tracking: r.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let billing = conn
        .prepare_cached(
            "SELECT at, kind, amount_cents, currency, description FROM billing_events WHERE customer_id = ?1 ORDER BY at, id",
        )?
        .query_map([id], |r| {
            let kind: String = r.get(1)?;
            Ok(BillingEvent {
                at: r.get(0)?,
                kind: BillingKind::parse(&kind).unwrap_or(BillingKind::Charge),
                amount_cents: r.get(2)?,
                currency: r.get(3)?,
                description: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let open_promises: Vec<Note> = notes::open_promises(conn, id)?;
    let timeline = contacts::timeline(conn, id)?;
    let history = super::profile::history(conn, id)?;
    let follow_ups = contacts::open_follow_ups(conn, id)?;
    Ok(Some(CustomerRecord { customer, identities, orders, billing, open_promises, follow_ups, timeline, history }))
}

/// How many customers the workspace holds.
pub fn count(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT count(*) FROM customers", [], |r| r.get(0))
}

/// Finds customers as the rep types: exact on an identity or order number (ranked first),
/// then fuzzy on names (every typed word must appear; ranked by the fuzzy matcher).
pub fn search(conn: &Connection, query: &str, limit: usize) -> rusqlite::Result<Vec<CustomerHit>> {
    let q = query.trim();
    if q.is_empty() {
        return Ok(Vec::new());
    }
    let mut hits: Vec<CustomerHit> = Vec::new();
    let push = |hit: CustomerHit, hits: &mut Vec<CustomerHit>| {
        if !hits.iter().any(|h| h.id == hit.id) {
            hits.push(hit);
        }
    };
    // The start of a phone number ("(971) 555") is too short to classify, but is worth a
    // prefix search while the rep is still typing it.
    let partial_phone = q.chars().filter(char::is_ascii_digit).count() >= 3
        && q.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if let Some(kind) = classify(q).or(partial_phone.then_some(IdentityKind::Phone)) {
        let norm = normalize(kind, q);
        let mut stmt = conn.prepare_cached(
            "SELECT c.id, c.name, i.value FROM identities i JOIN customers c ON c.id = i.customer_id
             WHERE i.kind = ?1 AND i.normalized LIKE ?2 ESCAPE '\\' ORDER BY i.normalized = ?3 DESC, c.name LIMIT ?4",
        )?;
        let pattern = format!("{}%", escape_like(&norm));
        for hit in stmt.query_map(params![kind.as_str(), pattern, norm, limit_i64(limit)], hit_from_row)? {
            push(hit?, &mut hits);
        }
    }
    // The start of an email address or a handle, without its @ ("chloe.dubois",
    // "zoekim_cooks"): what a rep reads off a screen or hears spelled.
    if classify(q).is_none() && !partial_phone && !q.contains(char::is_whitespace) && q.chars().count() >= 3 {
        // A range of the (kind, normalized) index: every value beginning with `from` sorts
        // below `from` followed by the last code point (a LIKE read every identity).
        let mut stmt = conn.prepare_cached(
            "SELECT c.id, c.name, i.value FROM identities i JOIN customers c ON c.id = i.customer_id
             WHERE i.kind IN ('email', 'handle') AND i.normalized >= ?1 AND i.normalized < ?2 ORDER BY c.name LIMIT ?3",
        )?;
        let from = q.to_lowercase();
        let to = format!("{from}\u{10FFFF}");
        for hit in stmt.query_map(params![from, to, limit_i64(limit)], hit_from_row)? {
            push(hit?, &mut hits);
        }
    }
    // The end of a phone number ("0162", "555 0162"): what a rep reads off a caller ID or
    // hears when the customer gives "the last four".
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    if digits.len() >= 4 && q.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c)) {
        let mut stmt = conn.prepare_cached(
            "SELECT c.id, c.name, i.value FROM identities i JOIN customers c ON c.id = i.customer_id
             WHERE i.kind = 'phone' AND i.normalized LIKE ?1 ORDER BY c.name LIMIT ?2",
        )?;
        for hit in stmt.query_map(params![format!("%{digits}"), limit_i64(limit)], hit_from_row)? {
            push(hit?, &mut hits);
        }
    }
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.name, o.number FROM orders o JOIN customers c ON c.id = o.customer_id
         WHERE o.number = ?1 COLLATE NOCASE LIMIT 5",
    )?;
    for hit in stmt.query_map([q], |r| {
        hit_from_row(r).map(|mut h| {
            h.detail = format!("order {}", h.detail);
            h
        })
    })? {
        push(hit?, &mut hits);
    }
    for hit in fuzzy_names(conn, q, limit)? {
        push(hit, &mut hits);
    }
    hits.truncate(limit);
    Ok(hits)
}

fn hit_from_row(r: &Row<'_>) -> rusqlite::Result<CustomerHit> {
    Ok(CustomerHit { id: r.get(0)?, name: r.get(1)?, detail: r.get(2)? })
}

fn limit_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// Names containing every typed word (in any order), ranked by nucleo's fuzzy score.
fn fuzzy_names(conn: &Connection, q: &str, limit: usize) -> rusqlite::Result<Vec<CustomerHit>> {
    use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
    use nucleo_matcher::{Config, Matcher, Utf32Str};
    // Accents and case aside: "chloe" finds "Chloé".
    let words: Vec<String> =
        q.split_whitespace().map(|w| format!("%{}%", escape_like(&crate::domain::text::folded(w)))).take(4).collect();
    let mut sql = String::from(
        "SELECT c.id, c.name, coalesce((SELECT value FROM identities WHERE customer_id = c.id ORDER BY kind, id LIMIT 1), '')
         FROM customers c WHERE 1",
    );
    for i in 0..words.len() {
        // Folded only when the name has a character past ASCII (more bytes than characters):
        // a Rust call, or a GLOB, per name of every customer, on the worker that also writes
        // drafts, doubled the search at 200,000 customers.
        let n = i + 1;
        sql.push_str(&format!(
            " AND (c.name LIKE ?{n} ESCAPE '\\'
                   OR (length(c.name) <> length(CAST(c.name AS BLOB)) AND folded(c.name) LIKE ?{n} ESCAPE '\\'))"
        ));
    }
    sql.push_str(" LIMIT 500");
    let mut stmt = conn.prepare_cached(&sql)?;
    let candidates: Vec<CustomerHit> =
        stmt.query_map(rusqlite::params_from_iter(words.iter()), hit_from_row)?.collect::<rusqlite::Result<_>>()?;
    let mut matcher = Matcher::new(Config::DEFAULT);
    let pattern = Pattern::parse(q, CaseMatching::Ignore, Normalization::Smart);
    let mut buf = Vec::new();
    let mut scored: Vec<(u32, CustomerHit)> = candidates
        .into_iter()
        .filter_map(|h| pattern.score(Utf32Str::new(&h.name, &mut buf), &mut matcher).map(|s| (s, h)))
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
    Ok(scored.into_iter().take(limit).map(|(_, h)| h).collect())
}

/// A customer's identities of one kind, as written, oldest first.
pub fn identities_of_kind(conn: &Connection, customer: Id, kind: IdentityKind) -> rusqlite::Result<Vec<String>> {
    conn.prepare_cached("SELECT value FROM identities WHERE customer_id = ?1 AND kind = ?2 ORDER BY id")?
        .query_map(params![customer, kind.as_str()], |r| r.get(0))?
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::open_in_memory;

    fn customer(conn: &Connection, name: &str, email: &str, phone: &str, order: &str) -> Id {
        let order = Order {
            number: order.into(),
            placed_at: 0,
            status: "delivered".into(),
            total_cents: 100,
            currency: "USD".into(),
            items: String::new(),
            carrier: None,
            tracking: None,
        };
        let new = NewCustomer {
            name: name.into(),
            identities: vec![(IdentityKind::Email, email.into()), (IdentityKind::Phone, phone.into())],
            orders: vec![order],
            ..NewCustomer::default()
        };
        insert(conn, &new, 0).expect("insert")
    }

    #[test]
    fn customers_are_found_by_fuzzy_name_exact_numbers_and_partial_identities() {
        let conn = open_in_memory().expect("db");
        let aiko = customer(&conn, "Aiko Tanaka", "aiko.tanaka@example.net", "503.555.0104", "LK-104133");
        let zoe = customer(&conn, "Zoe Kim", "zoe.kim@example.net", "+1 (971) 555-0160", "LK-104334");
        let ids = |q: &str| search(&conn, q, 5).expect("search").into_iter().map(|h| h.id).collect::<Vec<_>>();
        assert_eq!(ids("aiko"), vec![aiko]);
        assert_eq!(ids("tanaka aiko"), vec![aiko], "words in any order");
        assert_eq!(ids("5035550104"), vec![aiko], "a phone however it is typed");
        assert_eq!(ids("(971) 555"), vec![zoe], "the start of a phone number");
        assert_eq!(ids("ZOE.KIM@"), vec![zoe], "the start of an email, any case");
        assert_eq!(ids("lk-104334"), vec![zoe], "an order number");
        assert_eq!(ids("0104"), vec![aiko], "the last four digits of a phone");
        assert_eq!(ids("555-0160"), vec![zoe], "the end of a phone, as it is read out");
        assert_eq!(ids("tana"), vec![aiko], "part of a name");
        assert!(ids("nobody").is_empty());
        assert!(ids("%_\\").is_empty(), "LIKE wildcards are literal");
    }
}
