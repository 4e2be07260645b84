//! Erasure that erases: `frontline customer forget` on a real workspace file, then the raw
//! bytes of the database and its WAL are searched for the person's name, email and phone —
//! and contact counts (what aggregate metrics count) are unchanged.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use crate::common;

use common::Sandbox;

const NAME: &str = "Zebulon Quartermaine";
const EMAIL: &str = "erase.me.9137@example.com";
const PHONE: &str = "+1 503 555 0199";
/// How the phone is stored for matching.
const PHONE_DIGITS: &str = "5035550199";

/// Helpers only these tests use.
impl Sandbox {
    /// Customers and contacts with distinctive strings, plus a bystander who must survive.
    fn populate(&self) {
        let customers = self.write(
            "customers.json",
            &format!(
                r#"[
  {{ "name": "{NAME}", "emails": ["{EMAIL}"], "phones": ["{PHONE}"], "company": "Quartermaine Holdings",
     "pinned_note": "{NAME} prefers mornings",
     "orders": [ {{ "number": "QM-777001", "placed_at": "2026-10-01T10:00:00Z", "total": "99.00", "items": "Bivy sack" }} ],
     "billing": [ {{ "at": "2026-10-01T10:01:00Z", "kind": "charge", "amount": "99.00", "description": "Order QM-777001 for {NAME}" }} ] }},
  {{ "name": "Bystander Person", "emails": ["bystander@example.com"] }}
]"#
            ),
        );
        let contacts = self.write(
            "contacts.json",
            &format!(
                r#"[
  {{ "channel": "phone", "customer": "{PHONE}", "subject": "Call from {NAME}", "body": "{NAME} called from {PHONE} about a refund",
     "status": "resolved", "created_at": "2026-11-20T13:00:00Z", "accepted_at": "2026-11-20T13:01:00Z",
     "ended_at": "2026-11-20T13:10:00Z", "disposition": "refund", "csat": 4, "tags": ["refund"],
     "notes": [ {{ "at": "2026-11-20T13:05:00Z", "text": "Spoke with {NAME}; email {EMAIL} confirmed" }} ] }},
  {{ "channel": "email", "customer": "{EMAIL}", "subject": "Mail from {EMAIL}", "body": "Hello, this is {NAME}.",
     "status": "escalated", "created_at": "2026-11-20T14:00:00Z", "accepted_at": "2026-11-20T14:02:00Z",
     "ended_at": "2026-11-20T14:20:00Z", "escalated_to": "billing", "disposition": "billing_issue", "csat": 2 }},
  {{ "channel": "chat", "customer": "{EMAIL}", "subject": "Still waiting, {NAME}", "status": "waiting",
     "created_at": "2026-11-20T15:00:00Z" }},
  {{ "channel": "chat", "customer": "bystander@example.com", "subject": "Bystander question", "status": "resolved",
     "created_at": "2026-11-20T13:00:00Z", "accepted_at": "2026-11-20T13:00:10Z", "ended_at": "2026-11-20T13:03:00Z",
     "csat": 5 }}
]"#
            ),
        );
        self.ok(&["import", "customers", customers.to_str().unwrap()]);
        self.ok(&["import", "contacts", contacts.to_str().unwrap()]);
        // A draft and a follow-up on one of their contacts, as the workstation leaves them.
        let mut conn = frontline::store::open_workspace(&self.db()).unwrap();
        frontline::store::write(&mut conn, |tx| -> rusqlite::Result<()> {
            let contact: i64 =
                tx.query_row("SELECT id FROM contacts WHERE channel = 'chat' AND status = 'waiting'", [], |r| {
                    r.get(0)
                })?;
            frontline::store::notes::save_draft(tx, contact, &format!("Draft reply to {NAME}"), 1)?;
            frontline::store::contacts::add_follow_up(tx, contact, 2, &format!("ring {NAME} back"), 1)?;
            Ok(())
        })
        .unwrap();
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    let n = needle.as_bytes();
    haystack.windows(n.len()).any(|w| w == n)
}

fn raw_bytes(db: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![(db.display().to_string(), std::fs::read(db).unwrap())];
    for suffix in ["-wal", "-journal"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        let p = PathBuf::from(p);
        if p.exists() {
            files.push((p.display().to_string(), std::fs::read(&p).unwrap()));
        }
    }
    files
}

fn counts(conn: &Connection) -> (i64, i64, i64, i64) {
    conn.query_row(
        "SELECT count(*), count(ended_at), count(csat), (SELECT count(*) FROM contact_events) FROM contacts",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )
    .unwrap()
}

#[test]
fn forget_leaves_no_trace_of_the_person_in_the_file_or_its_wal() {
    let sb = Sandbox::new();
    sb.populate();
    let before_files = raw_bytes(&sb.db());
    assert!(
        before_files.iter().any(|(_, b)| contains(b, NAME) && contains(b, EMAIL)),
        "the test data must be on disk before the erasure for the test to mean anything"
    );
    let report_before = sb.ok(&["report", "--from", "2026-11-01", "--to", "2026-11-30", "--json"]).stdout;
    let conn = frontline::store::open_workspace(&sb.db()).unwrap();
    let before = counts(&conn);
    drop(conn);

    let out = sb.ok(&["customer", "forget", EMAIL, "--yes"]).stdout;
    assert!(out.contains("3 contacts kept anonymised"), "{out}");
    assert!(out.contains("1 drafts") && out.contains("1 follow-ups"), "{out}");

    for (file, bytes) in raw_bytes(&sb.db()) {
        for needle in [NAME, EMAIL, PHONE, PHONE_DIGITS, "Quartermaine", "QM-777001"] {
            assert!(!contains(&bytes, needle), "{file} still holds {needle:?}");
        }
    }

    let conn = frontline::store::open_workspace(&sb.db()).unwrap();
    assert_eq!(counts(&conn), before, "contacts, their end times, ratings and events are all still counted");
    let (erased, detached): (i64, i64) = conn
        .query_row(
            "SELECT count(*), count(*) FILTER (WHERE customer_id IS NULL) FROM contacts WHERE subject = '[erased]' AND body = '[erased]'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((erased, detached), (3, 3));
    for table in ["identities", "orders", "billing_events", "notes", "drafts", "follow_ups", "customer_history"] {
        let n: i64 = conn
            .query_row(&format!("SELECT count(*) FROM {table} WHERE {}", owner_column(table)), [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0, "{table} still has rows of the forgotten customer");
    }
    drop(conn);
    // The bystander is untouched, and the report counts the same contacts as before.
    sb.ok(&["customer", "show", "bystander@example.com"]);
    let report_after = sb.ok(&["report", "--from", "2026-11-01", "--to", "2026-11-30", "--json"]).stdout;
    let (before, after): (serde_json::Value, serde_json::Value) =
        (serde_json::from_str(&report_before).unwrap(), serde_json::from_str(&report_after).unwrap());
    // FCR is defined over contacts that have a customer, so the detached contacts leave it;
    // every figure that does not identify a person is unchanged.
    for field in ["handled", "aht_seconds", "asa_seconds", "hold_seconds", "csat_percent", "sla_breaches"] {
        assert_eq!(before[field], after[field], "{field}");
        for channel in ["phone", "email", "chat"] {
            assert_eq!(before["by_channel"][channel][field], after["by_channel"][channel][field], "{channel} {field}");
        }
    }
    assert_eq!(after["handled"], 3);
    // They are gone for every key.
    let gone = sb.output(&["customer", "show", EMAIL]);
    assert_eq!(gone.status.code(), Some(1));
    sb.ok(&["db", "check"]);
}

/// Rows of the forgotten customer: there is only one customer left, the bystander.
fn owner_column(table: &str) -> &'static str {
    match table {
        "drafts" => "contact_id IN (SELECT id FROM contacts WHERE customer_id IS NULL)",
        "follow_ups" | "notes" => {
            "customer_id IS NULL OR customer_id NOT IN (SELECT id FROM customers) \
             OR contact_id IN (SELECT id FROM contacts WHERE customer_id IS NULL)"
        }
        _ => "customer_id NOT IN (SELECT id FROM customers WHERE name = 'Bystander Person')",
    }
}

#[test]
fn forget_refuses_to_ask_nobody_and_unknown_keys() {
    let sb = Sandbox::new();
    sb.populate();
    // Not a terminal and no --yes: a usage error, nothing erased.
    let out = sb.output(&["customer", "forget", EMAIL]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--yes"));
    sb.ok(&["customer", "show", EMAIL]);
    let unknown = sb.output(&["customer", "forget", "ghost@example.com", "--yes"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&unknown.stderr).trim(),
        "frontline: customer \"ghost@example.com\": no customer has that email, phone, handle, order number or id"
    );
}

#[test]
fn secure_delete_is_on_and_no_full_text_index_holds_customer_text() {
    let sb = Sandbox::new();
    sb.populate();
    let conn = frontline::store::open_workspace(&sb.db()).unwrap();
    let secure: i64 = conn.pragma_query_value(None, "secure_delete", |r| r.get(0)).unwrap();
    assert_eq!(secure, 1);
    // The knowledge base and canned snippets hold no customer text. Any new FTS5 table that
    // can must use FTS5 `secure-delete` and be cleared by `store::erase::forget_customer`;
    // this test is the reminder.
    let fts: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE '%USING fts5%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(
        fts,
        ["kb_fts", "kb_title_fts", "snippets_fts"],
        "a new full-text index: see the erasure notes in src/store/erase.rs"
    );
}

#[test]
fn forget_from_the_library_reports_what_it_removed() {
    let mut conn = frontline::store::open_in_memory().unwrap();
    let id = frontline::store::write(&mut conn, |tx| {
        frontline::store::customers::find_or_create_by_identity(tx, EMAIL, 10).map(Option::unwrap)
    })
    .unwrap();
    let s = frontline::store::erase::forget_customer(&mut conn, id).unwrap();
    assert_eq!((s.customer, s.identities, s.contacts_anonymised), (id, 1, 0));
    assert!(s.wal_checkpointed, "in-memory databases have no WAL to hold back");
    let again = frontline::store::erase::forget_customer(&mut conn, id).unwrap_err();
    assert!(again.to_string().contains("does not exist"), "{again}");
}

/// Runs `frontline … customer forget KEY` on a terminal (util-linux `script` gives it a pty)
/// and types `answer` at the prompt; returns (exit code, everything the terminal showed).
#[cfg(target_os = "linux")]
fn forget_on_a_terminal(sb: &Sandbox, key: &str, answer: &str) -> Option<(i32, String)> {
    use std::io::Write;
    use std::process::Stdio;
    if std::process::Command::new("script").arg("--version").output().is_err() {
        return None;
    }
    let bin = assert_cmd::cargo::cargo_bin("frontline");
    let quote = |s: &str| format!("'{}'", s.replace('\'', "'\\''"));
    let line = format!(
        "{} --db {} customer forget {}",
        quote(bin.to_str().unwrap()),
        quote(sb.db().to_str().unwrap()),
        quote(key)
    );
    let mut child = std::process::Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .env("HOME", sb.path("home"))
        .env("XDG_DATA_HOME", sb.path("data"))
        .env("XDG_CONFIG_HOME", sb.path("config"))
        .env_remove("FRONTLINE_DB")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Give the prompt a moment so the answer is read by it, not echoed before it.
    std::thread::sleep(std::time::Duration::from_millis(500));
    child.stdin.take().unwrap().write_all(format!("{answer}\n").as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    Some((out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned()))
}

#[cfg(target_os = "linux")]
#[test]
fn on_a_terminal_forget_asks_for_the_name_and_only_the_name_will_do() {
    let sb = Sandbox::new();
    sb.populate();
    let Some((code, screen)) = forget_on_a_terminal(&sb, EMAIL, "Zebulon") else { return };
    assert!(screen.contains("Type the customer's name to confirm"), "{screen}");
    assert_eq!(code, 1, "{screen}");
    assert!(screen.contains("nothing was erased"), "{screen}");
    sb.ok(&["customer", "show", EMAIL]);

    let (code, screen) = forget_on_a_terminal(&sb, EMAIL, NAME).unwrap();
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("Forgot customer #"), "{screen}");
    assert_eq!(sb.output(&["customer", "show", EMAIL]).status.code(), Some(1));
}
