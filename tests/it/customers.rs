//! The customer record: identity matching across channels, merging two records of one
//! person, edits with history, `import customers` errors, `customer show` by every kind of
//! key, and `export` (formula-safe CSV, JSON that re-imports unchanged).

use std::path::PathBuf;

use frontline::domain::{BillingEvent, Channel, IdentityKind, Order};
use frontline::store::customers::{self, NewCustomer};
use frontline::store::merge::{PINNED_NOTE_JOINER, merge_customers};
use frontline::store::profile::{self, Flag, ProfileField};
use frontline::store::{self, contacts, notes};
use rusqlite::Connection;
use serde_json::{Value, json};

use crate::common;

use common::Sandbox;

const NOW: i64 = 1_795_000_000;

fn fixture(name: &str) -> PathBuf {
    common::fixture("customers").join(name)
}

/// Helpers only these tests use.
impl Sandbox {
    fn import_fixtures(&self) {
        self.ok(&["import", "customers", fixture("customers.json").to_str().unwrap()]);
        self.ok(&["import", "contacts", fixture("contacts.json").to_str().unwrap()]);
    }
}

// ---------------------------------------------------------------- identity matching

#[test]
fn contacts_match_customers_whatever_the_phone_format_or_email_case() {
    let sb = Sandbox::new();
    sb.ok(&["import", "customers", fixture("customers.json").to_str().unwrap()]);
    let out = sb.ok(&["import", "contacts", fixture("contacts.json").to_str().unwrap()]);
    // "503.555.0142", "ANA.RUIZ@example.COM", "+15035550142" and "@Ana_Hikes" are all Ana.
    assert!(out.stdout.contains("4 added, 0 new customers"), "{}", out.stdout);
    assert_eq!(sb.count("customers"), 3);
    let ana = sb.json(&["customer", "show", "ana.ruiz@example.com", "--json"]);
    assert_eq!(ana["timeline"].as_array().unwrap().len(), 4);
    let channels: Vec<&str> =
        ana["timeline"].as_array().unwrap().iter().map(|t| t["channel"].as_str().unwrap()).collect();
    for ch in ["phone", "email", "chat", "social"] {
        assert!(channels.contains(&ch), "{channels:?} lacks {ch}");
    }
}

#[test]
fn csv_customers_match_by_lower_cased_email_and_normalised_phone() {
    let sb = Sandbox::new();
    sb.ok(&["import", "customers", fixture("customers.csv").to_str().unwrap()]);
    let by_email = sb.json(&["customer", "show", "dana.fox@example.com", "--json"]);
    let by_phone = sb.json(&["customer", "show", "+1 503 555 0177", "--json"]);
    assert_eq!(by_email["customer"]["name"], "Dana Fox");
    assert_eq!(by_email["customer"]["id"], by_phone["customer"]["id"]);
    // Importing the same file again never duplicates: each is found, and unchanged.
    let again = sb.ok(&["import", "customers", fixture("customers.csv").to_str().unwrap()]);
    assert!(again.stdout.contains("0 added, 0 updated, 2 unchanged"), "{}", again.stdout);
    assert_eq!(sb.count("customers"), 2);
}

// ---------------------------------------------------------------- import errors

#[test]
fn a_bad_csv_names_its_line_and_field_and_changes_nothing() {
    let sb = Sandbox::new();
    sb.ok(&["db", "check"]);
    let out = sb.run(&["import", "customers", fixture("bad.csv").to_str().unwrap()]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let line = out.stderr.trim();
    assert_eq!(line.lines().count(), 1, "one line: {line}");
    assert!(line.contains("bad.csv: line 3"), "{line}");
    assert!(line.contains("field `email`") && line.contains("not-an-email"), "the CSV column is named: {line}");
    assert_eq!(sb.count("customers"), 0, "the good first row was not written either");
}

#[test]
fn a_bad_json_names_its_index_and_nested_field_and_changes_nothing() {
    let sb = Sandbox::new();
    sb.ok(&["db", "check"]);
    let out = sb.run(&["import", "customers", fixture("bad.json").to_str().unwrap()]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let line = out.stderr.trim();
    assert_eq!(line.lines().count(), 1, "one line: {line}");
    assert!(line.contains("bad.json: [1]"), "{line}");
    assert!(line.contains("orders[0].total"), "{line}");
    assert_eq!(sb.count("customers"), 0);
    assert_eq!(sb.count("identities"), 0);
}

// ---------------------------------------------------------------- customer show

#[test]
fn customer_show_finds_the_same_record_by_every_kind_of_key() {
    let sb = Sandbox::new();
    sb.import_fixtures();
    let id = sb.json(&["customer", "show", "Ana.Ruiz@EXAMPLE.com", "--json"])["customer"]["id"].as_i64().unwrap();
    let id_text = id.to_string();
    let hash_id = format!("#{id}");
    for key in [
        "ana@ruiz-outfitters.example",
        "503-555-0142",
        "+1 (503) 555 0142",
        "@ANA_HIKES",
        "LK-200002",
        "lk-200001",
        id_text.as_str(),
        hash_id.as_str(),
    ] {
        let rec = sb.json(&["customer", "show", key, "--json"]);
        assert_eq!(rec["customer"]["id"].as_i64(), Some(id), "key {key}");
    }
    let bo = sb.json(&["customer", "show", "+46 8 555 123 45", "--json"]);
    assert_eq!(bo["customer"]["name"], "Bo Lindqvist");
    assert_eq!(bo["customer"]["fraud_watch"], true);
}

#[test]
fn customer_show_prints_the_whole_record_for_people() {
    let sb = Sandbox::new();
    sb.import_fixtures();
    let out = sb.ok(&["customer", "show", "ana.ruiz@example.com"]).stdout;
    for expected in [
        "Ana Ruiz (#",
        "Ruiz Outfitters",
        "Flags: VIP",
        "Pinned: Hard of hearing: speak slowly",
        "@ana_hikes",
        "LK-200001",
        "USPS 9400937437592866656702",
        // charge 44.95, refund 4.00, charge 268.95 for orders already paid: nothing owed
        // after any of them (the old rule added the charges up to "$309.90").
        "Billing (3, nothing owed)",
        "charge       $44.95  owed      $0.00  Order LK-200001",
        "refund        $4.00  owed      $0.00  Price adjustment",
        "Promises (1)",
        "Call back Friday",
        "Timeline (4 contacts, all channels)",
        "Where is my tent?",
        "Told her it ships Monday.",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
    let json = sb.json(&["customer", "show", "ana.ruiz@example.com", "--json"]);
    assert_eq!(json["balance_cents"], 0, "paid orders owe nothing");
    assert_eq!(json["orders"].as_array().unwrap().len(), 2);
    assert_eq!(json["billing"].as_array().unwrap().len(), 3);
}

/// A customer in credit reads "credit $5.00" on the rows after the credit that put them
/// there, not "owed -$5.00", which read as a debt.
#[test]
fn a_billing_row_in_credit_says_credit() {
    let sb = Sandbox::new();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("customers.json");
    std::fs::write(
        &file,
        r#"[{"name": "Cy Credit", "emails": ["cy@example.com"],
            "billing": [{"kind": "credit", "amount": 5, "at": "2026-11-01T10:00:00Z", "description": "Goodwill"}]}]"#,
    )
    .unwrap();
    sb.ok(&["import", "customers", &file.display().to_string()]);
    let out = sb.ok(&["customer", "show", "cy@example.com"]).stdout;
    assert!(out.contains("in credit $5.00"), "{out}");
    assert!(out.contains("credit    $5.00  Goodwill"), "{out}");
    assert!(!out.contains("-$5.00"), "{out}");
}

#[test]
fn an_unknown_key_is_one_line_and_exit_1() {
    let sb = Sandbox::new();
    sb.import_fixtures();
    for key in ["nobody@example.com", "LK-000000", "99999"] {
        let out = sb.run(&["customer", "show", key]);
        assert_eq!(out.code, 1);
        assert_eq!(
            out.stderr.trim(),
            format!("frontline: customer \"{key}\": no customer has that email, phone, handle, order number or id")
        );
        assert!(out.stdout.is_empty());
    }
}

// ---------------------------------------------------------------- merge

fn order(number: &str, at: i64) -> Order {
    Order {
        number: number.into(),
        placed_at: at,
        status: "delivered".into(),
        total_cents: 1000,
        currency: "USD".into(),
        items: "Socks".into(),
        carrier: None,
        tracking: None,
    }
}

fn charge(at: i64, cents: i64) -> BillingEvent {
    BillingEvent {
        at,
        kind: frontline::domain::BillingKind::Charge,
        amount_cents: cents,
        currency: "USD".into(),
        description: String::new(),
    }
}

/// Two records of one person, each with identities, an order, billing, a contact with a
/// note and a follow-up; returns (keep, absorb).
fn two_records(conn: &mut Connection) -> (i64, i64) {
    store::write(conn, |tx| -> rusqlite::Result<(i64, i64)> {
        let keep = customers::insert(
            tx,
            &NewCustomer {
                name: "Ana Ruiz".into(),
                company: Some("Ruiz Outfitters".into()),
                vip: true,
                pinned_note: Some("Speak slowly".into()),
                identities: vec![(IdentityKind::Email, "ana@example.com".into()), (IdentityKind::Phone, "+1 503 555 0142".into())],
                orders: vec![order("LK-1", NOW - 100)],
                billing: vec![charge(NOW - 100, 1000)],
                ..NewCustomer::default()
            },
            NOW - 1000,
        )?;
        let absorb = customers::insert(
            tx,
            &NewCustomer {
                name: "Ana R.".into(),
                company: Some("Other Co".into()),
                tier: Some("gold".into()),
                language: Some("es".into()),
                fraud_watch: true,
                pinned_note: Some("Prefers email".into()),
                identities: vec![(IdentityKind::Email, "ana.r@work.example".into()), (IdentityKind::Handle, "@anar".into())],
                orders: vec![order("LK-2", NOW - 50)],
                billing: vec![charge(NOW - 50, 2500)],
                ..NewCustomer::default()
            },
            NOW - 900,
        )?;
        // The same phone, stored by an older build that normalised differently: it must not
        // survive the merge as a duplicate.
        tx.execute(
            "INSERT INTO identities(customer_id, kind, value, normalized) VALUES (?1, 'phone', '503-555-0142', 'legacy')",
            [absorb],
        )?;
        let mut c = contacts::NewContact::waiting(Channel::Chat, "Second account question", NOW - 40);
        c.customer_id = Some(absorb);
        let contact = contacts::insert(tx, &c)?;
        notes::save_note(tx, contact, "Asked about merging accounts", NOW - 30)?;
        contacts::add_follow_up(tx, contact, NOW + 3600, "check back", NOW - 30)?;
        profile::update_field(tx, absorb, ProfileField::Timezone, Some("Europe/Madrid"), NOW - 20)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))?;
        Ok((keep, absorb))
    })
    .unwrap()
}

#[test]
fn merge_moves_everything_keeps_keeps_values_and_records_the_conflicts() {
    let mut conn = store::open_in_memory().unwrap();
    let (keep, absorb) = two_records(&mut conn);
    let s = store::write(&mut conn, |tx| merge_customers(tx, keep, absorb, NOW)).unwrap();

    assert_eq!((s.identities_moved, s.identities_duplicate), (2, 1));
    assert_eq!((s.contacts, s.notes, s.orders, s.billing_events, s.follow_ups), (1, 1, 1, 1, 1));
    assert_eq!(s.history_entries, 1, "absorb's own history comes along");
    assert_eq!(s.fields_filled, vec![ProfileField::Tier, ProfileField::Language, ProfileField::Timezone]);
    assert_eq!(
        s.conflicts,
        vec![(ProfileField::Name, "Ana R.".to_string()), (ProfileField::Company, "Other Co".to_string())]
    );
    assert_eq!(s.flags_added, vec!["fraud_watch".to_string()]);
    assert!(s.pinned_notes_joined);

    assert!(customers::customer(&conn, absorb).unwrap().is_none(), "absorb is deleted");
    let rec = customers::record(&conn, keep).unwrap().unwrap();
    let c = &rec.customer;
    assert_eq!(c.name, "Ana Ruiz");
    assert_eq!(c.company.as_deref(), Some("Ruiz Outfitters"));
    assert_eq!(c.tier.as_deref(), Some("gold"));
    assert_eq!(c.language.as_deref(), Some("es"));
    assert_eq!(c.timezone.as_deref(), Some("Europe/Madrid"), "filled from absorb's own edit");
    assert!(c.vip && c.fraud_watch && !c.do_not_contact);
    assert_eq!(c.pinned_note.as_deref(), Some(format!("Speak slowly{PINNED_NOTE_JOINER}Prefers email").as_str()));
    let phones: Vec<_> = rec.identities.iter().filter(|i| i.kind == IdentityKind::Phone).collect();
    assert_eq!(phones.len(), 1, "one phone after the dedupe: {:?}", rec.identities);
    assert_eq!(rec.identities.len(), 4);
    assert_eq!(rec.orders.iter().map(|o| o.number.as_str()).collect::<Vec<_>>(), ["LK-2", "LK-1"]);
    assert_eq!(rec.billing.len(), 2);
    assert_eq!(rec.timeline.len(), 1);
    assert_eq!(rec.timeline[0].notes[0].body, "Asked about merging accounts");
    let follow_up_owner: i64 = conn.query_row("SELECT customer_id FROM follow_ups", [], |r| r.get(0)).unwrap();
    assert_eq!(follow_up_owner, keep);
    let orphans: i64 = conn
        .query_row(
            "SELECT (SELECT count(*) FROM identities WHERE customer_id = ?1) + (SELECT count(*) FROM notes WHERE customer_id = ?1)
             + (SELECT count(*) FROM orders WHERE customer_id = ?1) + (SELECT count(*) FROM customer_history WHERE customer_id = ?1)",
            [absorb],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0);
    // Every absorbed identity now matches the kept record.
    for key in ["ana.r@work.example", "@ANAR", "5035550142"] {
        assert_eq!(customers::find_by_key(&conn, key).unwrap(), Some(keep), "{key}");
    }

    let history = profile::history(&conn, keep).unwrap();
    let merge = history.iter().find(|h| h.field == "merge").expect("a merge entry");
    let absorbed = merge.old_value.as_deref().unwrap();
    assert!(absorbed.contains(&format!("#{absorb} Ana R.")), "{absorbed}");
    assert!(absorbed.contains("name \"Ana R.\"") && absorbed.contains("company \"Other Co\""), "{absorbed}");
    for field in ["tier", "language", "fraud_watch", "pinned_note", "timezone"] {
        assert!(history.iter().any(|h| h.field == field), "history lacks {field}: {history:?}");
    }
}

#[test]
fn merge_takes_a_real_name_over_one_copied_from_an_identity_and_refuses_nonsense() {
    let mut conn = store::open_in_memory().unwrap();
    let (placeholder, real) = store::write(&mut conn, |tx| -> rusqlite::Result<(i64, i64)> {
        // A contact from an unknown number creates a customer named after the number.
        let placeholder = customers::find_or_create_by_identity(tx, "+1 206 555 0100", NOW)?.unwrap();
        let real = customers::insert(
            tx,
            &NewCustomer {
                name: "Sam Park".into(),
                identities: vec![(IdentityKind::Email, "sam@example.com".into())],
                ..NewCustomer::default()
            },
            NOW,
        )?;
        Ok((placeholder, real))
    })
    .unwrap();
    let s = store::write(&mut conn, |tx| merge_customers(tx, placeholder, real, NOW)).unwrap();
    assert!(s.conflicts.is_empty(), "{:?}", s.conflicts);
    assert_eq!(customers::customer(&conn, placeholder).unwrap().unwrap().name, "Sam Park");

    let itself = store::write(&mut conn, |tx| merge_customers(tx, placeholder, placeholder, NOW)).unwrap_err();
    assert!(itself.to_string().contains("into itself"), "{itself}");
    let gone = store::write(&mut conn, |tx| merge_customers(tx, placeholder, real, NOW)).unwrap_err();
    assert!(gone.to_string().contains(&format!("#{real} does not exist")), "{gone}");
}

#[test]
fn a_failed_merge_leaves_both_records_alone() {
    let mut conn = store::open_in_memory().unwrap();
    let (keep, absorb) = two_records(&mut conn);
    let result = store::write(&mut conn, |tx| -> anyhow::Result<()> {
        merge_customers(tx, keep, absorb, NOW)?;
        anyhow::bail!("the rep's connection dropped")
    });
    assert!(result.is_err());
    assert!(customers::customer(&conn, absorb).unwrap().is_some());
    assert_eq!(customers::record(&conn, absorb).unwrap().unwrap().timeline.len(), 1);
}

// ---------------------------------------------------------------- edits with history

#[test]
fn every_edit_is_logged_and_identities_of_others_are_refused() {
    let mut conn = store::open_in_memory().unwrap();
    let (keep, absorb) = two_records(&mut conn);
    store::write(&mut conn, |tx| -> anyhow::Result<()> {
        assert!(profile::update_field(tx, keep, ProfileField::Tier, Some("Plus"), NOW)?);
        assert!(!profile::update_field(tx, keep, ProfileField::Tier, Some("plus"), NOW + 1)?, "no change, no entry");
        assert!(profile::update_field(tx, keep, ProfileField::Company, None, NOW + 2)?);
        assert!(profile::set_flag(tx, keep, Flag::DoNotContact, true, NOW + 3)?);
        assert!(profile::set_pinned_note(tx, keep, Some("Card on file 4111 1111 1111 1111"), NOW + 4)?);
        assert!(profile::add_identity_logged(tx, keep, IdentityKind::Phone, "(971) 555-0199", NOW + 5)?);
        assert!(!profile::add_identity_logged(tx, keep, IdentityKind::Phone, "971.555.0199", NOW + 6)?);
        Ok(())
    })
    .unwrap();
    let c = customers::customer(&conn, keep).unwrap().unwrap();
    assert_eq!(c.tier.as_deref(), Some("plus"));
    assert_eq!(c.company, None);
    assert!(c.do_not_contact);
    assert_eq!(c.pinned_note.as_deref(), Some("Card on file 411111******1111"));

    let history = profile::history(&conn, keep).unwrap();
    let fields: Vec<&str> = history.iter().map(|h| h.field.as_str()).collect();
    assert_eq!(fields, ["identity", "pinned_note", "do_not_contact", "company", "tier"], "newest first");
    assert_eq!(history[3].old_value.as_deref(), Some("Ruiz Outfitters"));
    assert_eq!(history[3].new_value, None);
    assert_eq!(history[2].new_value.as_deref(), Some("on"));
    assert!(!history[1].new_value.as_deref().unwrap().contains("4111 1111"), "no card number in the history");

    let mut conn2 = conn;
    let refused = store::write(&mut conn2, |tx| {
        profile::add_identity_logged(tx, keep, IdentityKind::Email, "ANA.R@work.example", NOW)
    })
    .unwrap_err()
    .to_string();
    assert!(refused.contains(&format!("already belongs to customer #{absorb} (Ana R.)")), "{refused}");
    let invalid =
        store::write(&mut conn2, |tx| profile::add_identity_logged(tx, keep, IdentityKind::Email, "nope", NOW))
            .unwrap_err()
            .to_string();
    assert!(invalid.contains("not a valid email"), "{invalid}");
    let unnamed = store::write(&mut conn2, |tx| profile::update_field(tx, keep, ProfileField::Name, Some("  "), NOW))
        .unwrap_err()
        .to_string();
    assert!(unnamed.contains("name"), "{unnamed}");
}

// ---------------------------------------------------------------- export

#[test]
fn csv_export_escapes_every_formula_like_cell() {
    let sb = Sandbox::new();
    let src = sb.path("evil.json");
    std::fs::write(
        &src,
        r#"[
  { "name": "=HYPERLINK(\"http://evil.example\",\"click\")", "emails": ["a@example.com"], "company": "+1" },
  { "name": "-2", "emails": ["b@example.com"], "company": "@SUM(A1:A9)" },
  { "name": "@SUM(1+1)", "phones": ["+1 503 555 0100"], "tier": "-gold" },
  { "name": "+1", "emails": ["c@example.com"], "language": "en" },
  { "name": "Plain Name", "emails": ["d@example.com"] }
]"#,
    )
    .unwrap();
    sb.ok(&["import", "customers", src.to_str().unwrap()]);
    let out = sb.path("out/customers.csv");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let done = sb.ok(&["export", "customers", "--format", "csv", "--out", out.to_str().unwrap()]);
    assert!(done.stdout.contains("Exported 5 customers"), "{}", done.stdout);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let mut reader = csv::Reader::from_path(&out).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(header, ["name", "email", "phone", "company", "tier", "language", "timezone"]);
    let rows: Vec<Vec<String>> =
        reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect::<Vec<_>>();
    assert_eq!(rows.len(), 5);
    for cell in rows.iter().flatten() {
        assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "unescaped cell {cell:?}");
    }
    assert_eq!(rows[0][0], "'=HYPERLINK(\"http://evil.example\",\"click\")");
    assert_eq!(rows[0][3], "'+1");
    assert_eq!(rows[1][0], "'-2");
    assert_eq!(rows[1][3], "'@SUM(A1:A9)");
    assert_eq!(rows[2][0], "'@SUM(1+1)");
    assert_eq!(rows[2][2], "'+1 503 555 0100");
    assert_eq!(rows[2][4], "'-gold");
    assert_eq!(rows[3][0], "'+1");
    assert_eq!(rows[4][0], "Plain Name");
}

#[test]
fn json_export_re_imports_to_the_same_records() {
    let first = Sandbox::new();
    first.import_fixtures();
    let exported = first.path("customers.json");
    first.ok(&["export", "customers", "--out", exported.to_str().unwrap()]);

    let second = Sandbox::new();
    let out = second.ok(&["import", "customers", exported.to_str().unwrap()]);
    assert!(out.stdout.contains("3 added"), "{}", out.stdout);
    assert!(out.stderr.is_empty(), "no unknown-column warnings: {}", out.stderr);
    let again = second.ok(&["export", "customers"]).stdout;
    assert_eq!(std::fs::read_to_string(&exported).unwrap(), again, "export → import → export is stable");

    // And the records themselves agree, order by order and cent by cent.
    for key in ["ana.ruiz@example.com", "bo@example.org", "@chenwei"] {
        let mut a = first.json(&["customer", "show", key, "--json"]);
        let mut b = second.json(&["customer", "show", key, "--json"]);
        for v in [&mut a, &mut b] {
            v["timeline"] = Value::Null;
            v["open_promises"] = Value::Null;
            v["history"] = Value::Null;
            v["customer"]["id"] = Value::Null;
        }
        assert_eq!(a, b, "{key}");
    }
    let parsed: Value = serde_json::from_str(&again).unwrap();
    let ana = &parsed[0];
    assert_eq!(ana["emails"], serde_json::json!(["Ana.Ruiz@Example.com", "ana@ruiz-outfitters.example"]));
    assert_eq!(ana["flags"], serde_json::json!(["vip"]));
    assert_eq!(ana["orders"][1]["total"], "268.95");
    assert_eq!(ana["orders"][0]["placed_at"], "2026-06-11T17:22:00Z");
    assert_eq!(ana["billing"][1]["amount"], "4.00");
}

#[test]
fn contacts_export_re_imports_and_reads_as_a_transcript() {
    let first = Sandbox::new();
    first.import_fixtures();
    let exported = first.path("contacts.json");
    first.ok(&["export", "contacts", "--out", exported.to_str().unwrap()]);
    let parsed: Value = serde_json::from_str(&std::fs::read_to_string(&exported).unwrap()).unwrap();
    assert_eq!(parsed.as_array().unwrap().len(), 4);
    assert_eq!(parsed[0]["customer"], "Ana.Ruiz@Example.com");
    assert_eq!(parsed[0]["hold_seconds"], 60);
    assert_eq!(parsed[0]["notes"][0]["text"], "Told her it ships Monday.");

    let second = Sandbox::new();
    second.ok(&["import", "customers", fixture("customers.json").to_str().unwrap()]);
    let out = second.ok(&["import", "contacts", exported.to_str().unwrap()]);
    assert!(out.stdout.contains("4 added, 0 new customers"), "{}", out.stdout);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    let again = second.ok(&["export", "contacts"]).stdout;
    assert_eq!(std::fs::read_to_string(&exported).unwrap(), again);

    let csv = first.ok(&["export", "contacts", "--format", "csv"]).stdout;
    assert!(csv.starts_with(
        "channel,customer,subject,body,priority,status,created_at,accepted_at,ended_at,hold_seconds,disposition,escalated_to,csat,tags\n"
    ));
    assert!(csv.contains("shipping;wismo"), "{csv}");
    let jsonl = first.ok(&["export", "contacts", "--format", "jsonl"]).stdout;
    assert_eq!(jsonl.lines().count(), 4);
    for line in jsonl.lines() {
        serde_json::from_str::<Value>(line).unwrap();
    }
    // JSON Lines read back as well, and a bad line is named.
    let third = Sandbox::new();
    third.ok(&["import", "customers", fixture("customers.json").to_str().unwrap()]);
    let lines = third.write("contacts.jsonl", &jsonl);
    let out = third.ok(&["import", "contacts", lines.to_str().unwrap()]);
    assert!(out.stdout.contains("4 added, 0 new customers"), "{}", out.stdout);
    assert_eq!(third.ok(&["export", "contacts"]).stdout, again);
    let bad = third.write("bad.ndjson", &format!("{}\n\n[1, 2]\n", jsonl.lines().next().unwrap()));
    let refused = third.run(&["import", "contacts", bad.to_str().unwrap()]);
    assert_eq!(refused.code, 1);
    assert!(refused.stderr.contains("bad.ndjson: line 3: expected a JSON object"), "{}", refused.stderr);
    assert_eq!(third.count("contacts"), 4, "nothing of a refused file is written");
    let broken = third.write("broken.jsonl", &format!("{}\nnope\n", jsonl.lines().next().unwrap()));
    let refused = third.run(&["import", "contacts", broken.to_str().unwrap()]);
    assert_eq!(refused.code, 1);
    assert!(
        refused.stderr.contains("broken.jsonl: line 2, column 2: invalid JSON: expected ident\n"),
        "{}",
        refused.stderr
    );
    let md = first.ok(&["export", "contacts", "--format", "md", "--customer", "LK-200001"]).stdout;
    for expected in [
        "## #1 Where is my tent?",
        "- Channel: phone (inbound)",
        "- Customer: Ana Ruiz <Ana.Ruiz@Example.com>",
        "- Accepted: 2026-11-20T13:01:00Z",
        "> Caller asked about LK-200002.",
        "Told her it ships Monday.",
        "**Outcome:** resolved — order_status, CSAT 5/5",
        "**Outcome:** escalated — billing_issue (to billing)",
    ] {
        assert!(md.contains(expected), "missing {expected:?} in:\n{md}");
    }
    // For the customer's eyes: the same transcript without the internal notes.
    let public =
        first.ok(&["export", "contacts", "--format", "md", "--customer", "LK-200001", "--without-notes"]).stdout;
    assert!(public.contains("> Caller asked about LK-200002."), "{public}");
    assert!(!public.contains("Told her it ships Monday.") && !public.contains("### Notes"), "{public}");
}

#[test]
fn exports_filter_by_customer_and_window_and_refuse_what_they_cannot_do() {
    let sb = Sandbox::new();
    sb.import_fixtures();
    let notes: Value = sb.json(&["export", "notes", "--customer", "@ana_hikes"]);
    assert_eq!(notes.as_array().unwrap().len(), 2);
    assert_eq!(notes[1]["kind"], "promise");
    assert_eq!(notes[1]["customer_name"], "Ana Ruiz");
    let in_window: Value =
        sb.json(&["export", "contacts", "--from", "2026-11-20T14:30:00Z", "--to", "2026-11-20T15:30:00Z"]);
    assert_eq!(in_window.as_array().unwrap().len(), 1);
    assert_eq!(in_window[0]["subject"], "Chat follow-up");
    let none: Value = sb.json(&["export", "customers", "--customer", "bo@example.org"]);
    assert_eq!(none.as_array().unwrap().len(), 1);
    let notes_csv = sb.ok(&["export", "notes", "--format", "csv"]).stdout;
    assert!(notes_csv.starts_with("id,contact_id,customer,customer_name,created_at,kind,body,due_at\n"), "{notes_csv}");

    let md = sb.run(&["export", "customers", "--format", "md"]);
    assert_eq!(md.code, 1);
    assert!(md.stderr.contains("only contacts"), "{}", md.stderr);
    let unknown = sb.run(&["export", "notes", "--customer", "ghost@example.com"]);
    assert_eq!(unknown.code, 1);
    assert!(unknown.stderr.contains("no customer has that"), "{}", unknown.stderr);
    let usage = sb.run(&["export", "orders"]);
    assert_eq!(usage.code, 2);
}

#[test]
fn an_email_contacts_export_carries_its_whole_thread_after_the_opening_message() {
    let sb = Sandbox::new();
    let maildir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/maildir_threads");
    sb.ok(&["sync", "--maildir", maildir]);
    // A reply sent from the command line joins the thread as an outbound message.
    let capture = sb.write("capture.sh", "cat > \"$1\"\n");
    let config = format!(
        "[intake]\nsendmail = \"sh {} {}\"\nfrom = \"support@larkspur.example\"\n",
        capture.display(),
        sb.path("sent.eml").display()
    );
    sb.write("config/frontline/config.toml", &config);
    let eve: Value = sb.json(&["customer", "show", "eve@x.example", "--json"]);
    let contact = eve["timeline"][0]["contact_id"].as_i64().unwrap().to_string();
    sb.ok(&["contact", "reply", &contact, "The replacement ships today."]);

    let contacts: Value = sb.json(&["export", "contacts", "--customer", "eve@x.example"]);
    let c = &contacts[0];
    assert_eq!(c["body"], "A follow-up whose clock ran behind: dated before the message it answers.");
    let thread = c["messages"].as_array().unwrap();
    assert_eq!(thread.len(), 2, "the opening message is the body, not repeated: {thread:?}");
    assert_eq!(
        (&thread[0]["direction"], &thread[0]["from"], &thread[0]["body"]),
        (&json!("inbound"), &json!("eve@x.example"), &json!("The original message, read after its reply."))
    );
    assert_eq!((&thread[1]["direction"], &thread[1]["to"]), (&json!("outbound"), &json!("eve@x.example")));
    assert!(thread[1]["body"].as_str().unwrap().contains("The replacement ships today."), "{thread:?}");

    let md = sb.ok(&["export", "contacts", "--format", "md", "--customer", "eve@x.example", "--without-notes"]).stdout;
    for expected in [
        "> A follow-up whose clock ran behind",
        "### Thread",
        "- 2023-11-14T21:00:00Z, from eve@x.example:\n  > The original message, read after its reply.",
        ", reply to eve@x.example:",
        "  > The replacement ships today.",
    ] {
        assert!(md.contains(expected), "missing {expected:?} in:\n{md}");
    }
    // The customer's record shows the same thread under the contact, a line per message.
    let shown = sb.ok(&["customer", "show", "eve@x.example"]).stdout;
    assert!(shown.contains(" from eve@x.example: The original message, read after its reply.\n"), "{shown}");
    assert!(shown.contains(" reply to eve@x.example: The replacement ships today."), "{shown}");
    assert!(!shown.contains("from eve@x.example: A follow-up"), "the opening is not repeated: {shown}");
    let record: Value = sb.json(&["customer", "show", "eve@x.example", "--json"]);
    assert_eq!(record["timeline"][0]["thread"].as_array().map(Vec::len), Some(2), "{record}");
    // The export read back into the same workspace adds nothing, mail-opened contacts too
    // (their text is kept on their first message).
    let all = sb.path("all.json");
    sb.ok(&["export", "contacts", "--out", all.to_str().unwrap()]);
    let stored = sb.count("contacts");
    let back: Value = sb.json(&["import", "contacts", all.to_str().unwrap(), "--json"]);
    assert_eq!((back["added"].as_i64(), back["already_stored"].as_i64()), (Some(0), Some(stored)), "{back}");
    // Contacts without a thread keep the import shape exactly (no `messages` key).
    let other: Value = sb.json(&["export", "contacts", "--customer", "ann@lists.example"]);
    assert!(other[0]["messages"].as_array().is_some_and(|m| m.len() == 1), "{other}");
    let none = Sandbox::new();
    none.import_fixtures();
    let plain: Value = none.json(&["export", "contacts"]);
    assert!(plain.as_array().unwrap().iter().all(|c| c.get("messages").is_none()), "{plain}");
}
