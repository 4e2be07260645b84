//! A history import large enough to be written as a bulk write (`store::bulk`): its
//! scattered indexes rebuilt at the end and SQLite's per-row foreign-key lookups off. The
//! result must be the workspace a row-by-row import makes: every index back, every
//! reference whole, and nothing at all when a record is refused.

use std::path::Path;

use frontline::import::Origin;
use frontline::import::records::{Options, Row, import_contact_rows};
use frontline::store::bulk::DEFER_FROM_ROWS;
use rusqlite::Connection;

/// `n` contact rows for `n / 10` customers, each with a note and a full history; the last
/// one names a channel that does not exist when `bad_last`.
fn contact_rows(n: usize, bad_last: bool) -> Vec<Row> {
    numbered_contact_rows(0..n, n / 10, bad_last)
}

/// Contact rows numbered `numbers` (the number is in the subject and note) for `customers`
/// customers; the last one names a channel that does not exist when `bad_last`.
fn numbered_contact_rows(numbers: std::ops::Range<usize>, customers: usize, bad_last: bool) -> Vec<Row> {
    let last = numbers.end - 1;
    numbers
        .map(|i| {
            let channel = if bad_last && i == last { "fax" } else { "phone" };
            let v = serde_json::json!({
                "channel": channel,
                "customer": format!("c{}@example.com", i % customers),
                "subject": format!("call {i}"),
                "status": "resolved",
                "priority": 2,
                "created_at": "2026-01-02T10:00:00Z",
                "accepted_at": "2026-01-02T10:01:00Z",
                "ended_at": "2026-01-02T10:09:00Z",
                "hold_seconds": 30,
                "notes": [{"text": format!("note {i}"), "at": "2026-01-02T10:05:00Z"}],
            });
            let serde_json::Value::Object(map) = v else { unreachable!("a json! object literal") };
            (Origin::Index(i), map)
        })
        .collect()
}

fn index_names(conn: &Connection) -> Vec<String> {
    let mut s = conn.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' ORDER BY name").unwrap();
    s.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

fn count(conn: &Connection, table: &str) -> i64 {
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap()
}

fn large() -> usize {
    usize::try_from(DEFER_FROM_ROWS).unwrap()
}

#[test]
fn a_large_import_rebuilds_its_indexes_and_leaves_every_reference_whole() {
    let mut conn = frontline::store::open_in_memory().unwrap();
    let indexes = index_names(&conn);
    let n = large();
    let summary =
        import_contact_rows(&mut conn, Path::new("big.json"), contact_rows(n, false), Options::default()).unwrap();
    assert_eq!((summary.added, summary.customers_created), (n, n / 10));
    assert_eq!(index_names(&conn), indexes);
    let rows = i64::try_from(n).unwrap();
    assert_eq!(count(&conn, "contacts"), rows);
    // create, accept, hold, resume, resolve
    assert_eq!(count(&conn, "contact_events"), 5 * rows);
    assert_eq!(count(&conn, "notes"), rows);
    let dangling: i64 = conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0)).unwrap();
    assert_eq!(dangling, 0);
    assert_eq!(frontline::store::integrity_check(&conn).unwrap(), "ok");
    // The connection has its foreign-key rule back.
    assert!(conn.pragma_query_value(None, "foreign_keys", |r| r.get::<_, bool>(0)).unwrap());
    // And the rebuilt indexes serve the queries they exist for.
    let plan: String = conn
        .query_row(
            "EXPLAIN QUERY PLAN SELECT id FROM contacts WHERE customer_id = 3 ORDER BY created_at DESC",
            [],
            |r| r.get(3),
        )
        .unwrap();
    assert!(plan.contains("contacts_by_customer"), "{plan}");
}

#[test]
fn a_large_import_refused_at_its_last_record_leaves_nothing_and_every_index() {
    let mut conn = frontline::store::open_in_memory().unwrap();
    let indexes = index_names(&conn);
    let n = large();
    let e =
        import_contact_rows(&mut conn, Path::new("big.json"), contact_rows(n, true), Options::default()).unwrap_err();
    assert!(e.to_string().contains(&format!("[{}]", n - 1)), "{e}");
    assert_eq!(index_names(&conn), indexes);
    assert_eq!(count(&conn, "contacts") + count(&conn, "customers") + count(&conn, "contact_events"), 0);
}

#[test]
fn a_large_import_overlapping_the_stored_history_adds_only_what_is_new() {
    let mut conn = frontline::store::open_in_memory().unwrap();
    let n = large();
    let first = numbered_contact_rows(0..n, n / 10, false);
    import_contact_rows(&mut conn, Path::new("week1.json"), first, Options::default()).unwrap();
    // The next export overlaps the first by half: large enough for a bulk write, and the
    // customers' index stays to compare each record with the stored contacts.
    let second = numbered_contact_rows(n / 2..n + n / 2, n / 10, false);
    let summary = import_contact_rows(&mut conn, Path::new("week2.json"), second, Options::default()).unwrap();
    assert_eq!((summary.added, summary.already_stored, summary.customers_created), (n / 2, n / 2, 0));
    let rows = i64::try_from(n + n / 2).unwrap();
    assert_eq!(count(&conn, "contacts"), rows);
    assert_eq!(count(&conn, "notes"), rows, "a contact not added brings no note either");
    let distinct: i64 = conn.query_row("SELECT count(DISTINCT subject) FROM contacts", [], |r| r.get(0)).unwrap();
    assert_eq!(distinct, rows);
    assert_eq!(frontline::store::integrity_check(&conn).unwrap(), "ok");
}
