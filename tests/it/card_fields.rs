//! Every free-text field is masked and capped on every way in, because the rule sits in the
//! store's write functions: the contact's subject (a CVV too), tags, disposition and
//! department, an email's display name (which becomes the customer's name in `queue`,
//! `customer show` and the CSV export), customer names and pinned notes, notes, promises,
//! follow-ups, drafts and reply drafts, bulletins and snippets. Checked through the real
//! command line (`contact new`, `import contacts`, `sync`) and through the store functions,
//! by reading back every text column of every table.

use frontline::domain::text::{MAX_STORED_LINE_BYTES, MAX_STORED_TEXT_BYTES, StoredField, digit_value};
use frontline::domain::{Channel, IdentityKind, Order};
use frontline::store::contacts::{self, NewContact, Outcome, Step};
use frontline::store::customers::{self, NewCustomer};
use frontline::store::{self, bulletins, notes, profile, snippets};
use rusqlite::Connection;

use crate::common::{Sandbox, fixture};

/// The card numbers the hostile texts hold, as digits.
const CARDS: [&str; 2] = ["4111111111111111", "5555555555554444"];

/// Every text stored anywhere in the workspace, as (table.column, value).
fn stored_texts(conn: &Connection) -> Vec<(String, String)> {
    let tables: Vec<String> = crate::common::strings(
        conn,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts%' AND name NOT LIKE 'sqlite_%'",
    );
    let mut out = Vec::new();
    for table in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let names: Vec<String> = stmt.column_names().map(str::to_string).collect();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for (i, name) in names.iter().enumerate() {
                if let Ok(rusqlite::types::ValueRef::Text(t)) = row.get_ref(i) {
                    out.push((format!("{table}.{name}"), String::from_utf8_lossy(t).into_owned()));
                }
            }
        }
    }
    out
}

/// Every digit of the text in order, through whatever lies between them.
fn all_digits(text: &str) -> String {
    text.chars().filter_map(digit_value).map(|d| char::from(b'0' + d)).collect()
}

/// Fails naming each stored field that still holds a card number or a security code.
fn assert_nothing_in_clear(conn: &Connection) -> usize {
    let texts = stored_texts(conn);
    let leaks: Vec<String> = texts
        .iter()
        .filter(|(_, v)| {
            let digits = all_digits(v);
            CARDS.iter().any(|c| digits.contains(c)) || v.to_lowercase().contains("cvv 123")
        })
        .map(|(field, v)| format!("{field}: {v:?}"))
        .collect();
    assert!(leaks.is_empty(), "stored in clear:\n{}", leaks.join("\n"));
    texts.len()
}

fn hostile(n: usize) -> String {
    let forms = ["4111.1111.1111.1111", "4111/1111/1111/1111", "card4111111111111111", "5555 - 5555 - 5555 - 4444"];
    format!("{} cvv 123", forms[n % forms.len()])
}

#[test]
fn contact_new_masks_the_subject_and_its_security_code() {
    let sb = Sandbox::new();
    sb.ok(&["contact", "new", "--channel", "phone", "--subject", "Card 4111.1111.1111.1111 cvv 123"]);
    let queue = sb.ok(&["queue", "--json"]).stdout;
    assert!(queue.contains("411111******1111") && queue.contains("cvv ***"), "{queue}");
    assert_nothing_in_clear(&sb.conn());
}

/// A caller who reads out their card number as "my number": it was kept as their phone,
/// shown by `customer show` and exported.
#[test]
fn a_card_number_given_as_the_customer_is_refused_and_never_echoed() {
    let sb = Sandbox::new();
    let out =
        sb.run(&["contact", "new", "--channel", "phone", "--subject", "Call", "--customer", "4111 1111 1111 1111"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("411111******1111") && !all_digits(&out.stderr).contains(CARDS[0]), "{}", out.stderr);
    let file = sb.write("customers.csv", "name,email,phone\nAna,ana@example.com,4111-1111-1111-1111\n");
    let out = sb.run(&["import", "customers", file.to_str().unwrap()]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("field `phone`") || out.stderr.contains("phone"), "{}", out.stderr);
    assert!(
        out.stderr.contains("holds a card number") && !all_digits(&out.stderr).contains(CARDS[0]),
        "{}",
        out.stderr
    );
    let file = sb.write("contacts.csv", "channel,customer,subject\nphone,4111 1111 1111 1111,Call\n");
    let out = sb.run(&["import", "contacts", file.to_str().unwrap()]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(!all_digits(&out.stderr).contains(CARDS[0]), "{}", out.stderr);
    assert_eq!((sb.count("customers"), sb.count("identities")), (0, 0));
    assert_nothing_in_clear(&sb.conn());
}

/// The scripts import masked nothing and said so ("cards_masked": 0).
#[test]
fn an_imported_scripts_cards_are_masked_and_counted() {
    let sb = Sandbox::new();
    let file = sb.write(
        "scripts.json",
        r#"[{"name": "Card 4111 1111 1111 1111", "steps": [{"text": "read 5555 5555 5555 4444 cvv 123"}], "keywords": ["4111111111111111"]}]"#,
    );
    let out = sb.json(&["import", "scripts", file.to_str().unwrap(), "--json"]);
    assert_eq!(out["cards_masked"], 4, "{out}");
    assert_nothing_in_clear(&sb.conn());
}

/// The importer wrote orders and billing events through its own statements, uncleaned.
#[test]
fn an_imported_customers_orders_and_billing_are_masked_in_every_field() {
    let sb = Sandbox::new();
    let card = "4111 1111 1111 1111";
    let json = serde_json::json!([{
        "name": "Ana", "email": "ana@example.com",
        "orders": [{"number": card, "placed_at": "2026-11-01T10:00:00Z", "status": format!("shipped {card}"),
                    "total": "1.00", "items": format!("Tent {card}"), "carrier": format!("UPS {card}"), "tracking": card}],
        "billing": [{"at": "2026-11-01T10:00:00Z", "kind": "charge", "amount": 1, "currency": card, "description": card}]
    }]);
    let file = sb.write("customers.json", &json.to_string());
    sb.ok(&["import", "customers", file.to_str().unwrap()]);
    assert_eq!(sb.count("orders"), 1);
    assert_nothing_in_clear(&sb.conn());
}

#[test]
fn imported_tags_disposition_department_and_subject_are_masked() {
    let sb = Sandbox::new();
    let csv = fixture("cards/fields.csv");
    let out = sb.ok(&["import", "contacts", csv.to_str().unwrap()]).stdout;
    // Every one counted: the subject's card and code, body, disposition, department, tag
    // (the summary counted the body's alone).
    assert!(out.ends_with("Masked 6 card numbers or security codes\n"), "{out}");
    let conn = sb.conn();
    let (tags, disposition, department): (String, String, String) = conn
        .query_row("SELECT tags, disposition, escalated_to FROM contacts", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(tags, "vip;card411111******1111;ok");
    assert_eq!(disposition, "refund to 555555******4444");
    assert_eq!(department, "billing 411111******1111");
    assert_nothing_in_clear(&conn);
    let export = sb.ok(&["export", "contacts", "--format", "csv"]).stdout;
    assert!(!CARDS.iter().any(|c| all_digits(&export).contains(c)), "{export}");
}

#[test]
fn an_emails_display_name_becomes_a_masked_customer_name() {
    let sb = Sandbox::new();
    let maildir = sb.path("mail/INBOX");
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    std::fs::copy(fixture("cards/display_name.eml"), maildir.join("new/1.eml")).unwrap();
    sb.ok(&["sync", "--maildir", maildir.to_str().unwrap()]);
    for shown in [
        sb.ok(&["queue"]).stdout,
        sb.ok(&["customer", "show", "card.holder@example.com"]).stdout,
        sb.ok(&["export", "customers", "--format", "csv"]).stdout,
    ] {
        assert!(!CARDS.iter().any(|c| all_digits(&shown).contains(c)), "{shown}");
        assert!(shown.contains("411111******1111") || shown.contains("555555******4444"), "{shown}");
    }
    assert_nothing_in_clear(&sb.conn());
}

fn customer_with_everything(text: &str) -> NewCustomer {
    let order = Order {
        number: "LK-104233".into(),
        placed_at: 0,
        status: text.into(),
        total_cents: 100,
        currency: "USD".into(),
        items: text.into(),
        carrier: Some(text.into()),
        tracking: Some("9400 1000 0000 0000 0000 00".into()),
    };
    NewCustomer {
        name: text.into(),
        company: Some(text.into()),
        tier: Some(text.into()),
        language: Some(text.into()),
        timezone: Some(text.into()),
        pinned_note: Some(text.into()),
        identities: vec![(IdentityKind::Email, "hostile@example.com".into())],
        orders: vec![order],
        billing: vec![frontline::domain::BillingEvent {
            at: 0,
            kind: frontline::domain::BillingKind::Charge,
            amount_cents: 100,
            currency: "USD".into(),
            description: text.into(),
        }],
        ..NewCustomer::default()
    }
}

/// Writes hostile text into every free-text field through every store write function.
fn write_everywhere(conn: &Connection) {
    let t = 1_795_000_000;
    let customer = customers::insert(conn, &customer_with_everything(&hostile(0)), t).unwrap();
    let mut c = NewContact::waiting(Channel::Email, &hostile(1), t);
    c.customer_id = Some(customer);
    c.body = hostile(2);
    c.tags = vec!["vip".into(), hostile(3)];
    c.disposition = Some(hostile(0));
    c.escalated_to = Some(hostile(1));
    let contact = contacts::insert(conn, &c).unwrap();
    contacts::set_tags(conn, contact, &[hostile(2)]).unwrap();
    contacts::add_follow_up(conn, contact, t + 60, &hostile(3), t).unwrap();
    contacts::append_event(conn, contact, t, "hold", Some(&hostile(0))).unwrap();
    notes::save_draft(conn, contact, &hostile(1), t).unwrap();
    notes::save_reply_draft(conn, contact, &hostile(2), t).unwrap();
    notes::insert_note(conn, Some(contact), Some(customer), ("promise", &hostile(3), t, Some(t + 60))).unwrap();
    let saved = notes::save_note(conn, contact, &hostile(0), t).unwrap();
    assert!(saved.body.contains("411111******1111"), "the note returned is the stored one: {}", saved.body);
    let other = contacts::insert(conn, &NewContact::waiting(Channel::Phone, "call", t)).unwrap();
    contacts::apply_step(conn, other, &Step::Accept, t).unwrap().unwrap();
    let close =
        Step::Close { outcome: Outcome::Escalate(hostile(1)), disposition: hostile(2), reason: Some(hostile(3)) };
    contacts::apply_step(conn, other, &close, t).unwrap().unwrap();
    profile::update_field(conn, customer, profile::ProfileField::Company, Some(&hostile(1)), t).unwrap();
    profile::set_pinned_note(conn, customer, Some(&hostile(2)), t).unwrap();
    customers::update_from_import(conn, customer, &customer_with_everything(&hostile(3))).unwrap();
    let b = bulletins::NewBulletin {
        title: hostile(0),
        body: hostile(1),
        kind: bulletins::BulletinKind::Policy,
        starts_at: t,
        ends_at: None,
        keywords: vec![hostile(2)],
        areas: vec![hostile(3)],
    };
    bulletins::upsert(conn, &b).unwrap();
    let s = snippets::insert(conn, &hostile(3), &hostile(0), t).unwrap();
    snippets::update(conn, s.id, &hostile(1), &hostile(2), t).unwrap();
    snippets::upsert(conn, &hostile(2), &hostile(3), t).unwrap();
    let step = frontline::domain::script::ScriptStep { text: hostile(1), required: true };
    frontline::store::scripts::upsert(conn, &hostile(0), &[step], &[hostile(2)]).unwrap();
    let score = frontline::domain::shift::Score { criterion: hostile(0), weight: 1.0, met: Some(true) };
    frontline::store::shift::save_review(conn, other, &hostile(3), &[score], t).unwrap();
}

#[test]
fn every_store_write_of_free_text_masks_it() {
    let conn = store::open_in_memory().unwrap();
    write_everywhere(&conn);
    let checked = assert_nothing_in_clear(&conn);
    // The tracking number of the order is an identifier and is kept whole.
    let tracking: String = conn.query_row("SELECT tracking FROM orders", [], |r| r.get(0)).unwrap();
    assert_eq!(tracking, "9400 1000 0000 0000 0000 00");
    println!("store writes: {checked} stored texts, no card number or code in clear");
}

#[test]
fn a_sixty_megabyte_body_is_never_stored_and_the_cut_is_reported() {
    let conn = store::open_in_memory().unwrap();
    let mut c = NewContact::waiting(Channel::Email, &"s".repeat(3 * MAX_STORED_LINE_BYTES), 0);
    c.body = format!("card 4111 1111 1111 1111 {}", "x".repeat(60_000_000));
    let (id, report) = contacts::insert_reporting(&conn, &c).unwrap();
    drop(c);
    let cut: Vec<StoredField> = report.cut.iter().map(|c| c.field).collect();
    assert_eq!(cut, vec![StoredField::ContactSubject, StoredField::ContactBody]);
    assert_eq!(report.masked, 1);
    assert_eq!(report.cut[1].to_string(), "body cut to 1.0 MB: 59.0 MB not stored");
    let (subject, body): (String, String) = conn
        .query_row("SELECT subject, body FROM contacts WHERE id = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert!(body.len() <= MAX_STORED_TEXT_BYTES, "{} bytes stored", body.len());
    assert!(body.starts_with("card 411111******1111 xxx"));
    assert!(body.ends_with("\n[… cut: 59.0 MB more not stored]"), "{}", &body[body.len() - 50..]);
    assert!(subject.len() <= MAX_STORED_LINE_BYTES && subject.ends_with(" [… cut: 20.0 kB more not stored]"));

    let (_, note) =
        notes::insert_note_reporting(&conn, Some(id), None, ("note", &"n".repeat(2_000_000), 0, None)).unwrap();
    assert_eq!(note.cut.len(), 1);
    notes::save_draft(&conn, id, &"d".repeat(5_000_000), 0).unwrap();
    assert!(notes::draft(&conn, id).unwrap().unwrap().len() <= MAX_STORED_TEXT_BYTES);
}

#[test]
fn an_imported_body_beyond_the_cap_is_cut_with_a_marker() {
    let sb = Sandbox::new();
    let body = format!("card 4111.1111.1111.1111 {}", "z".repeat(3_000_000));
    let csv = sb.write("big.csv", &format!("channel,subject,body\nemail,Big,{body}\n"));
    sb.ok(&["import", "contacts", csv.to_str().unwrap()]);
    let stored: String = sb.conn().query_row("SELECT body FROM contacts", [], |r| r.get(0)).unwrap();
    assert!(stored.len() <= MAX_STORED_TEXT_BYTES);
    assert!(
        stored.starts_with("card 411111******1111 zzz") && stored.ends_with("2.0 MB more not stored]"),
        "{}",
        &stored[..40]
    );
}

/// A customer already in the workspace, imported again with a card in the name: the update
/// masks it like every other way in.
#[test]
fn a_reimported_customers_name_is_masked_too() {
    let sb = Sandbox::new();
    let first = sb.write("first.json", r#"[{"name": "Ana Ruiz", "email": "ana@example.com"}]"#);
    sb.ok(&["import", "customers", first.to_str().unwrap()]);
    let again = sb.write("again.json", r#"[{"name": "Ana Ruiz 4111 1111 1111 1111", "email": "ana@example.com"}]"#);
    sb.ok(&["import", "customers", again.to_str().unwrap()]);
    let conn = sb.conn();
    let name: String = conn.query_row("SELECT name FROM customers", [], |r| r.get(0)).unwrap();
    assert!(!all_digits(&name).contains("4111111111111111"), "{name}");
    assert_nothing_in_clear(&conn);
}
