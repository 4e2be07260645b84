//! Knowledge at the speed of speech: snippets found by any word, placeholders filled from
//! the open contact, bulletins and the incidents that explain a contact, scripts whose ticks
//! land in the notes, their file formats, and knowledge-base ranking on a fixed corpus of
//! realistic help articles with the questions reps actually type.

use std::path::{Path, PathBuf};

use frontline::domain::bulletin::matching_incidents;
use frontline::domain::placeholders::{self, Context};
use frontline::domain::{Channel, Timestamp};
use frontline::import::knowledge;
use frontline::import::records::Options;
use frontline::store::bulletins::{self, NewBulletin};
use frontline::store::contacts::{self, NewContact};
use frontline::store::kb::{self, Upsert};
use frontline::store::scripts::{self, ScriptStep};
use frontline::store::{self, customers, notes, snippets};
use rusqlite::Connection;

const T0: Timestamp = 1_795_183_200; // 2026-11-20T14:00:00Z
const HOUR: i64 = 3600;

fn mem() -> Connection {
    store::open_in_memory().unwrap()
}

fn count(conn: &Connection, table: &str) -> i64 {
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap()
}

fn write_file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, text).unwrap();
    path
}

// ------------------------------------------------------------------ snippets

fn snippet_corpus() -> Connection {
    let conn = mem();
    for (title, body) in [
        (
            "Refund confirmation",
            "Your refund for order {{order.number}} has been issued. Card refunds take 5-10 business days.",
        ),
        ("Return label sent", "I've emailed a prepaid UPS return label. Drop the parcel off within 14 days."),
        ("Password reset steps", "Choose Forgot password? on the sign-in page. The link is valid for 30 minutes."),
        (
            "Shipping delay apology",
            "I'm sorry your parcel is late; the carrier reports a weather delay. A refund of shipping is possible.",
        ),
        ("Greeting", "Hi {{customer.first_name}}, thanks for contacting Larkspur Outfitters."),
    ] {
        assert_eq!(snippets::upsert(&conn, title, body, T0).unwrap(), Upsert::Added);
    }
    conn
}

fn snippet_titles(conn: &Connection, query: &str) -> Vec<String> {
    snippets::search(conn, query, 10).unwrap().into_iter().map(|s| s.title).collect()
}

#[test]
fn a_snippet_is_found_by_a_word_of_its_body() {
    let conn = snippet_corpus();
    assert_eq!(snippet_titles(&conn, "prepaid"), ["Return label sent"]);
    assert_eq!(snippet_titles(&conn, "ups label"), ["Return label sent"]);
    // Stemmed and accent/case-insensitive, and the word being typed is a prefix.
    assert_eq!(snippet_titles(&conn, "WEATHÉR"), ["Shipping delay apology"]);
    assert_eq!(snippet_titles(&conn, "minu"), ["Password reset steps"]);
}

#[test]
fn snippets_whose_title_matches_come_first() {
    let conn = snippet_corpus();
    // "refund" is in one title and in another snippet's body, several times over.
    let found = snippet_titles(&conn, "refund");
    assert_eq!(found.first().map(String::as_str), Some("Refund confirmation"));
    assert!(found.contains(&"Shipping delay apology".to_string()));
}

#[test]
fn an_empty_snippet_query_lists_every_snippet_by_title() {
    let conn = snippet_corpus();
    let all = snippet_titles(&conn, "   ");
    assert_eq!(all.len(), 5);
    let mut sorted = all.clone();
    sorted.sort_by_key(|t| t.to_lowercase());
    assert_eq!(all, sorted);
    assert_eq!(snippets::search(&conn, "", 2).unwrap().len(), 2, "the limit applies");
}

#[test]
fn hostile_snippet_queries_never_error() {
    let conn = snippet_corpus();
    for q in [
        "\"",
        "\"\"\"",
        "*",
        "AND(",
        "OR OR OR",
        "NOT",
        "NEAR(refund label, 2)",
        "title: refund",
        "{title}: refund",
        "refund\"*",
        "^refund",
        "-refund",
        "C++",
        "O'Brien",
        "'; DROP TABLE snippets; --",
        "ｒｅｆｕｎｄ",
        "🙂🙂",
        "\u{0}\u{1b}[31m",
        "a",
        "x".repeat(5000).as_str(),
    ] {
        let result = snippets::search(&conn, q, 10);
        assert!(result.is_ok(), "query {q:?} failed: {result:?}");
    }
    assert_eq!(count(&conn, "snippets"), 5);
    assert_eq!(snippet_titles(&conn, "ｒｅｆｕｎｄ").first().map(String::as_str), Some("Refund confirmation"));
}

#[test]
fn snippets_are_updated_deleted_and_kept_clean() {
    let conn = snippet_corpus();
    assert_eq!(
        snippets::upsert(
            &conn,
            "Greeting",
            "Hi {{customer.first_name}}, thanks for contacting Larkspur Outfitters.",
            T0
        )
        .unwrap(),
        Upsert::Unchanged
    );
    assert_eq!(snippets::upsert(&conn, "Greeting", "Hello there", T0).unwrap(), Upsert::Updated);
    let id = snippets::search(&conn, "hello", 5).unwrap()[0].id;
    assert!(snippets::update(&conn, id, "Greeting (short)", "Hi!\u{1b}[2J card 4111 1111 1111 1111", T0).unwrap());
    let s = snippets::get(&conn, id).unwrap().unwrap();
    assert_eq!(s.title, "Greeting (short)");
    assert_eq!(s.body, "Hi! card 411111******1111", "control codes removed, card masked");
    assert!(snippets::search(&conn, "hello", 5).unwrap().is_empty(), "the old text left the index");
    assert!(snippets::delete(&conn, id).unwrap());
    assert!(!snippets::delete(&conn, id).unwrap());
    assert_eq!(snippets::all(&conn).unwrap().len(), 4);
    assert!(snippets::upsert(&conn, "   ", "body", T0).is_err(), "an empty title is refused");
}

// ------------------------------------------------------------------ placeholders

#[test]
fn placeholders_are_filled_from_the_open_contact() {
    let mut conn = mem();
    frontline::demo::seed(&mut conn, T0).unwrap();
    let customer = customers::find_by_key(&conn, "maria.gonzalez@example.com").unwrap().unwrap();
    let mut c = NewContact::waiting(Channel::Chat, "Where is my tent?", T0);
    c.customer_id = Some(customer);
    let id = contacts::insert(&conn, &c).unwrap();
    let detail = contacts::detail(&conn, id, T0 - 12 * HOUR).unwrap().unwrap();
    let ctx = placeholders::context_from(&detail, "Sam", "2026-11-20");
    let newest = detail.customer.as_ref().unwrap().orders.iter().max_by_key(|o| o.placed_at).unwrap().number.clone();
    let filled = placeholders::fill(
        "{{customer.first_name}} {{ customer.last_name }}|{{CUSTOMER.NAME}}|{{customer.email}}|{{order.number}}|\
         {{rep.name}}|{{contact.subject}}|{{contact.id}}|{{date.today}}",
        &ctx,
    );
    assert_eq!(
        filled,
        format!(
            "Maria Gonzalez|Maria Gonzalez|maria.gonzalez@example.com|{newest}|Sam|Where is my tent?|{id}|2026-11-20"
        )
    );
}

#[test]
fn placeholders_without_a_value_stay_visible() {
    let ctx = Context { rep_name: "Sam".into(), today: "2026-11-20".into(), ..Context::default() };
    assert_eq!(
        placeholders::fill("Hi {{customer.first_name}}, order {{order.number}} — {{rep.name}} ({{ shoe.size }})", &ctx),
        "Hi [customer.first_name?], order [order.number?] — Sam ([shoe.size?])"
    );
}

#[test]
fn every_demo_snippet_fills_without_unknown_placeholders() {
    let mut conn = mem();
    frontline::demo::seed(&mut conn, T0).unwrap();
    let ctx = Context {
        customer_name: Some("Ana Souza".into()),
        customer_email: Some("ana@example.com".into()),
        order_number: Some("LK-1".into()),
        rep_name: "Sam".into(),
        contact_subject: Some("Tent".into()),
        contact_id: Some(1),
        today: "2026-11-20".into(),
    };
    let all = snippets::all(&conn).unwrap();
    assert!(all.len() >= 5, "the demo has snippets");
    for s in all {
        let filled = placeholders::fill(&s.body, &ctx);
        assert!(!filled.contains("?]") && !filled.contains("{{"), "{}: {filled}", s.title);
    }
}

// ------------------------------------------------------------------ bulletins

fn bulletin(title: &str, kind: &str, starts: i64, ends: Option<i64>, keywords: &[&str]) -> NewBulletin {
    NewBulletin {
        title: title.into(),
        body: format!("{title} body"),
        kind: frontline::domain::bulletin::BulletinKind::parse(kind).unwrap(),
        starts_at: starts,
        ends_at: ends,
        keywords: keywords.iter().map(|k| (*k).to_string()).collect(),
        areas: Vec::new(),
    }
}

fn bulletin_corpus() -> Connection {
    let conn = mem();
    for b in [
        bulletin("App sign-in outage - North", "incident", T0 - 5 * HOUR, None, &["sign-in", "AUTH-503", "app"]),
        bulletin("Holiday returns extension", "policy", T0 - 480 * HOUR, Some(T0 + 1000 * HOUR), &["returns"]),
        bulletin("Storm delays", "incident", T0 - 20 * HOUR, Some(T0 + 30 * HOUR), &["storm", "late delivery"]),
        bulletin("Old checkout errors", "incident", T0 - 200 * HOUR, Some(T0 - 190 * HOUR), &["checkout"]),
        bulletin("Tomorrow's maintenance", "incident", T0 + 10 * HOUR, Some(T0 + 12 * HOUR), &["maintenance"]),
    ] {
        assert_eq!(bulletins::upsert(&conn, &b).unwrap(), Upsert::Added);
    }
    conn
}

#[test]
fn active_bulletins_have_started_and_not_ended() {
    let conn = bulletin_corpus();
    let titles: Vec<String> = bulletins::active(&conn, T0).unwrap().into_iter().map(|b| b.title).collect();
    assert_eq!(
        titles,
        ["App sign-in outage - North", "Storm delays", "Holiday returns extension"],
        "incidents first, newest first"
    );
    let later: Vec<String> = bulletins::active(&conn, T0 + 11 * HOUR).unwrap().into_iter().map(|b| b.title).collect();
    assert!(later.contains(&"Tomorrow's maintenance".to_string()));
    assert!(!bulletins::active(&conn, T0 + 31 * HOUR).unwrap().iter().any(|b| b.title == "Storm delays"), "ended");
}

#[test]
fn unread_bulletins_stay_unread_until_marked() {
    let conn = bulletin_corpus();
    let unread = bulletins::unread_active(&conn, T0).unwrap();
    assert_eq!(unread.len(), 3);
    assert!(unread.iter().all(|b| !b.read));
    let first = unread[0].id;
    assert_eq!(bulletins::mark_read(&conn, &[first], T0).unwrap(), 1);
    assert_eq!(bulletins::mark_read(&conn, &[first], T0).unwrap(), 0, "already read");
    assert_eq!(bulletins::unread_active(&conn, T0).unwrap().len(), 2);
    assert!(bulletins::active(&conn, T0).unwrap().iter().find(|b| b.id == first).unwrap().read);
    // An update to its text makes it unread again; a new end time alone does not.
    let mut b = bulletin(
        "App sign-in outage - North",
        "incident",
        T0 - 5 * HOUR,
        Some(T0 + HOUR),
        &["sign-in", "AUTH-503", "app"],
    );
    assert_eq!(bulletins::upsert(&conn, &b).unwrap(), Upsert::Updated);
    assert!(bulletins::active(&conn, T0).unwrap().iter().find(|x| x.id == first).unwrap().read);
    b.body = "Update: fixed for iOS, Android still affected.".into();
    assert_eq!(bulletins::upsert(&conn, &b).unwrap(), Upsert::Updated);
    assert!(!bulletins::active(&conn, T0).unwrap().iter().find(|x| x.id == first).unwrap().read);
    assert_eq!(bulletins::upsert(&conn, &b).unwrap(), Upsert::Unchanged);
}

#[test]
fn an_active_incident_matches_the_contact_it_explains() {
    let conn = bulletin_corpus();
    let active = bulletins::active(&conn, T0).unwrap();
    let titles =
        |text: &str| matching_incidents(&active, text, "").into_iter().map(|b| b.title.clone()).collect::<Vec<_>>();
    assert_eq!(titles("Can't SIGN IN to the app — error auth-503"), ["App sign-in outage - North"]);
    assert_eq!(titles("My parcel is a late delivery because of the storm?"), ["Storm delays"]);
    assert!(titles("I want to apply a discount to my returns").is_empty(), "policies and partial words never match");
    assert!(titles("checkout failed").is_empty(), "an ended incident is not active");
}

// ------------------------------------------------------------------ scripts

fn steps(items: &[(&str, bool)]) -> Vec<ScriptStep> {
    items.iter().map(|(t, r)| ScriptStep { text: (*t).into(), required: *r }).collect()
}

fn contact_with_customer(conn: &Connection) -> i64 {
    let customer = customers::find_or_create_by_identity(conn, "ana@example.com", T0).unwrap().unwrap();
    let mut c = NewContact::waiting(Channel::Phone, "Refund please", T0);
    c.customer_id = Some(customer);
    contacts::insert(conn, &c).unwrap()
}

#[test]
fn ticking_a_step_records_it_and_writes_a_note() {
    let mut conn = mem();
    let contact = contact_with_customer(&conn);
    scripts::upsert(&conn, "Identity verification", &steps(&[("Confirm email", true), ("Confirm ZIP", true)]), &[])
        .unwrap();
    let script = scripts::all(&conn).unwrap()[0].id;
    let note = store::write(&mut conn, |tx| scripts::tick(tx, contact, script, 1, T0 + 60)).unwrap();
    assert_eq!(note.body, "✓ Confirm ZIP — Identity verification");
    assert_eq!(note.contact_id, Some(contact));
    assert_eq!(scripts::ticks(&conn, contact).unwrap(), [(script, 1)]);
    let saved = notes::for_contact(&conn, contact).unwrap();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0], note);
    let customer: Option<i64> =
        conn.query_row("SELECT customer_id FROM notes WHERE id = ?1", [note.id], |r| r.get(0)).unwrap();
    assert!(customer.is_some(), "the note is on the customer's record too");
    assert!(scripts::tick(&conn, contact, script, 9, T0).is_err(), "no such step");
    assert!(scripts::tick(&conn, contact, script + 100, 0, T0).is_err(), "no such script");
}

#[test]
fn missing_required_steps_are_listed_only_for_started_scripts() {
    let conn = mem();
    let contact = contact_with_customer(&conn);
    scripts::upsert(
        &conn,
        "Identity verification",
        &steps(&[("Confirm email", true), ("Check flags", false), ("Confirm ZIP", true)]),
        &[],
    )
    .unwrap();
    scripts::upsert(&conn, "Refund processing", &steps(&[("Find order", true)]), &["refund".into()]).unwrap();
    let id_script = scripts::all(&conn).unwrap().into_iter().find(|s| s.name == "Identity verification").unwrap().id;
    assert!(scripts::missing_required(&conn, contact).unwrap().is_empty(), "nothing started, nothing missing");
    scripts::tick(&conn, contact, id_script, 0, T0).unwrap();
    assert_eq!(
        scripts::missing_required(&conn, contact).unwrap(),
        [("Identity verification".to_string(), "Confirm ZIP".to_string())]
    );
    scripts::tick(&conn, contact, id_script, 2, T0).unwrap();
    assert!(scripts::missing_required(&conn, contact).unwrap().is_empty());
    assert!(scripts::untick(&conn, contact, id_script, 2).unwrap());
    assert_eq!(scripts::missing_required(&conn, contact).unwrap().len(), 1);
}

#[test]
fn the_demo_has_scripts_snippets_and_bulletins() {
    let mut conn = mem();
    frontline::demo::seed(&mut conn, T0).unwrap();
    let all = scripts::all(&conn).unwrap();
    assert_eq!(all.len(), 3);
    let identity = all.iter().find(|s| s.name == "Identity verification").unwrap();
    assert!(identity.steps.iter().filter(|s| s.required).count() >= 2);
    let active = bulletins::active(&conn, T0).unwrap();
    assert!(active.iter().any(|b| b.title.starts_with("App sign-in failures")), "shifted so the outage is live now");
    assert!(!active.iter().any(|b| b.title.starts_with("Resolved:")), "the resolved incident has ended");
    assert!(!matching_incidents(&active, "I can't log in to the app, it says AUTH-503", "").is_empty());
}

// ------------------------------------------------------------------ import and export

#[test]
fn bulletin_import_errors_name_the_index_and_field_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let good = r#"{"title": "Ok", "body": "b", "kind": "incident", "starts_at": "2026-11-20T09:10:00Z", "ends_at": null, "keywords": ["x"]}"#;
    let cases = [
        (r#"{"title": "Bad", "kind": "outage", "starts_at": "2026-11-20T09:10:00Z"}"#, "[1]: field `kind`"),
        (r#"{"title": "Bad", "kind": "policy", "starts_at": "yesterday"}"#, "[1]: field `starts_at`"),
        (
            r#"{"title": "Bad", "kind": "policy", "starts_at": "2026-11-20T09:10:00Z", "ends_at": "2026-11-19T09:10:00Z"}"#,
            "[1]: field `ends_at`",
        ),
        (r#"{"title": "", "kind": "policy", "starts_at": "2026-11-20T09:10:00Z"}"#, "[1]: field `title`"),
        (
            r#"{"title": "Bad", "kind": "policy", "starts_at": "2026-11-20T09:10:00Z", "keywords": [1, 2]}"#,
            "[1]: field `keywords`",
        ),
        (r#"{"title": "Bad", "kind": "policy"}"#, "[1]: "),
    ];
    for (bad, expected) in cases {
        let path = write_file(dir.path(), "bulletins.json", &format!("[{good}, {bad}]"));
        let mut conn = mem();
        let err = knowledge::import_bulletins(&mut conn, &path, Options::default()).unwrap_err().to_string();
        assert!(err.contains("bulletins.json") && err.contains(expected), "{bad}: {err}");
        assert!(!err.contains('\n'), "one line: {err}");
        assert_eq!(count(&conn, "bulletins"), 0, "nothing written for {bad}");
    }
    let path = write_file(dir.path(), "bulletins.json", &format!("[{good}]"));
    let mut conn = mem();
    let s = knowledge::import_bulletins(&mut conn, &path, Options::default()).unwrap();
    assert_eq!((s.added, s.updated), (1, 0));
    let s = knowledge::import_bulletins(&mut conn, &path, Options::default()).unwrap();
    assert_eq!((s.added, s.unchanged), (0, 1), "re-importing does not duplicate");
}

#[test]
fn the_demo_bulletins_file_imports_as_is() {
    let mut conn = mem();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo/bulletins.json");
    let s = knowledge::import_bulletins(&mut conn, &path, Options::default()).unwrap();
    assert_eq!(s.added, 5);
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
}

#[test]
fn script_and_snippet_import_errors_name_the_index_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = mem();
    let path = write_file(
        dir.path(),
        "scripts.json",
        r#"[{"name": "A", "steps": [{"text": "one", "required": true}]},
            {"name": "B", "steps": [{"text": "one"}, {"text": "  ", "required": true}]}]"#,
    );
    let err = knowledge::import_scripts(&mut conn, &path).unwrap_err().to_string();
    assert!(err.contains("scripts.json: [1]: field `steps[1].text`"), "{err}");
    let path =
        write_file(dir.path(), "scripts2.json", r#"[{"name": "A", "steps": [{"text": "one", "required": "yes"}]}]"#);
    let err = knowledge::import_scripts(&mut conn, &path).unwrap_err().to_string();
    assert!(err.contains("[0]: field `steps[0].required`"), "{err}");
    let path = write_file(dir.path(), "scripts3.json", r#"[{"name": "A", "steps": []}]"#);
    assert!(knowledge::import_scripts(&mut conn, &path).unwrap_err().to_string().contains("[0]: field `steps`"));
    assert_eq!(count(&conn, "scripts"), 0);

    let path = write_file(dir.path(), "snippets.json", r#"[{"title": "A", "body": "x"}, {"title": "a", "body": "y"}]"#);
    let err = knowledge::import_snippets(&mut conn, &path, T0).unwrap_err().to_string();
    assert!(err.contains("[1]: field `title`") && err.contains("[0]"), "{err}");
    let path = write_file(dir.path(), "snippets2.json", r#"[{"title": "A", "body": "x"}, {"title": "B"}]"#);
    let err = knowledge::import_snippets(&mut conn, &path, T0).unwrap_err().to_string();
    assert!(err.contains("[1]") && err.contains("body"), "{err}");
    let path = write_file(dir.path(), "snippets.csv", "title,body\nA,x\n");
    assert!(knowledge::import_snippets(&mut conn, &path, T0).unwrap_err().to_string().contains(".json"));
    assert_eq!(count(&conn, "snippets"), 0);
}

#[test]
fn snippets_export_and_import_round_trip() {
    let conn = snippet_corpus();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("snippets.json");
    let mut out = Vec::new();
    assert_eq!(knowledge::write_snippets(&conn, &mut out).unwrap(), 5);
    std::fs::write(&path, &out).unwrap();
    let mut other = mem();
    let s = knowledge::import_snippets(&mut other, &path, T0).unwrap();
    assert_eq!(s.added, 5);
    let strip = |v: Vec<snippets::Snippet>| v.into_iter().map(|s| (s.title, s.body)).collect::<Vec<_>>();
    assert_eq!(strip(snippets::all(&other).unwrap()), strip(snippets::all(&conn).unwrap()));
    let again = knowledge::import_snippets(&mut other, &path, T0).unwrap();
    assert_eq!((again.added, again.updated, again.unchanged), (0, 0, 5));
}

#[test]
fn the_export_command_writes_a_private_reimportable_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ws.db");
    {
        let mut conn = store::open_workspace(&db).unwrap();
        store::write(&mut conn, |tx| snippets::upsert(tx, "Greeting", "Hi {{customer.first_name}}", T0)).unwrap();
    }
    let out = dir.path().join("out.json");
    assert_cmd::Command::cargo_bin("frontline")
        .unwrap()
        .args(["--db", db.to_str().unwrap(), "export", "snippets", "--out", out.to_str().unwrap()])
        .assert()
        .success();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let db2 = dir.path().join("ws2.db");
    let output = assert_cmd::Command::cargo_bin("frontline")
        .unwrap()
        .args(["--db", db2.to_str().unwrap(), "import", "snippets", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("Snippets: 1 added"));
    let conn = store::open_workspace(&db2).unwrap();
    assert_eq!(snippets::all(&conn).unwrap()[0].body, "Hi {{customer.first_name}}");
}

#[test]
fn snippets_import_from_a_folder_of_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("snippets");
    write_file(&root, "greeting.md", "---\ntitle: Warm greeting\n---\nHi {{customer.first_name}}!\n");
    write_file(&root, "refund.md", "# Refund issued\n\nYour refund for {{ order.number }} is on its way.\n");
    write_file(&root, "sign-off.md", "Thanks for shopping with us,\n{{rep.name}}\n");
    let mut conn = mem();
    let s = knowledge::import_snippets(&mut conn, &root, T0).unwrap();
    assert_eq!(s.added, 3);
    let all: Vec<(String, String)> = snippets::all(&conn).unwrap().into_iter().map(|s| (s.title, s.body)).collect();
    assert_eq!(
        all,
        [
            ("Refund issued".to_string(), "Your refund for {{ order.number }} is on its way.".to_string()),
            ("Sign off".to_string(), "Thanks for shopping with us,\n{{rep.name}}".to_string()),
            ("Warm greeting".to_string(), "Hi {{customer.first_name}}!".to_string()),
        ]
    );
}

#[test]
fn imported_scripts_keep_their_steps_and_keywords() {
    let mut conn = mem();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo/scripts.json");
    let s = knowledge::import_scripts(&mut conn, &path).unwrap();
    assert_eq!(s.added, 3);
    assert!(s.warnings.is_empty());
    let refund = scripts::all(&conn).unwrap().into_iter().find(|s| s.name == "Refund processing").unwrap();
    assert!(refund.steps.len() >= 5 && refund.keywords.contains(&"refund".to_string()));
    assert_eq!(knowledge::import_scripts(&mut conn, &path).unwrap().unchanged, 3);
}

#[test]
fn kb_import_keeps_the_articles_url_from_front_matter() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("help");
    write_file(&root, "a.md", "---\ntitle: A\nurl: https://help.example/a\n---\nAlpha text\n");
    write_file(&root, "b.md", "---\ntitle: B\npermalink: /help/b/\n---\nBravo text\n");
    write_file(&root, "c.md", "---\ntitle: C\ncanonical_url: https://help.example/c\n---\nCharlie text\n");
    write_file(&root, "d.md", "# D\n\nDelta text\n");
    let mut conn = mem();
    let s = frontline::import::kb::import(&mut conn, std::slice::from_ref(&root), T0).unwrap();
    assert_eq!(s.added, 4);
    fn url_of(conn: &Connection, q: &str) -> Option<String> {
        let id = kb::search(conn, q, 1).unwrap()[0].id;
        kb::article(conn, id).unwrap().unwrap().url
    }
    let url = |q: &str| url_of(&conn, q);
    assert_eq!(url("alpha").as_deref(), Some("https://help.example/a"));
    assert_eq!(url("bravo").as_deref(), Some("/help/b/"));
    assert_eq!(url("charlie").as_deref(), Some("https://help.example/c"));
    assert_eq!(url("delta"), None);
    // A changed url alone updates the article; an unchanged file stays unchanged.
    write_file(&root, "a.md", "---\ntitle: A\nurl: https://help.example/a-moved\n---\nAlpha text\n");
    let s = frontline::import::kb::import(&mut conn, &[root], T0).unwrap();
    assert_eq!((s.updated, s.unchanged), (1, 3));
    assert_eq!(url_of(&conn, "alpha").as_deref(), Some("https://help.example/a-moved"));
}

#[test]
fn kb_import_of_more_files_than_one_batch_writes_them_all_and_reports_each_failure() {
    // Articles are written in batches of 2,000 while a second thread parses: every batch,
    // the last partial one too, must land, and failures keep their files' names.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("big");
    for i in 0..4_100 {
        write_file(&root, &format!("a{i:05}.md"), &format!("# Article {i}\n\nUnique word w{i}x here.\n"));
    }
    std::fs::write(root.join("a02000.md"), b"\xff\xfe not text").unwrap();
    write_file(&root, "a04099.md", "---\nredirect_to: /elsewhere\n---\nMoved\n");
    let mut conn = mem();
    let s = frontline::import::kb::import(&mut conn, std::slice::from_ref(&root), T0).unwrap();
    assert_eq!((s.added, s.skipped.len(), s.failed.len()), (4_098, 1, 1), "{:?}", s.failed);
    assert!(s.failed[0].0.ends_with("a02000.md"), "{:?}", s.failed);
    assert_eq!(count(&conn, "kb_articles"), 4_098);
    for i in [0, 1_999, 2_001, 4_000, 4_098] {
        let hits = kb::search(&conn, &format!("w{i}x"), 2).unwrap();
        assert_eq!(hits.len(), 1, "article {i} is indexed once");
    }
    let s = frontline::import::kb::import(&mut conn, &[root], T0).unwrap();
    assert_eq!((s.added, s.updated, s.unchanged), (0, 0, 4_098));
}

// ------------------------------------------------------------------ knowledge-base ranking

fn ranking_corpus() -> Connection {
    let mut conn = mem();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kb_ranking");
    let s = frontline::import::kb::import(&mut conn, &[root], T0).unwrap();
    assert!(s.failed.is_empty() && s.skipped.is_empty(), "{s:?}");
    assert_eq!(s.added, 14);
    conn
}

/// The questions reps type while the customer talks, and the article that must come first.
const RANKING: &[(&str, &str)] = &[
    ("refu", "How long does a refund take?"),
    ("how long does a refund take to my card", "How long does a refund take?"),
    ("customer wants to return tent after 45 days plus member", "Return policy and return windows"),
    ("return windo", "Return policy and return windows"),
    ("passw", "Resetting a password"),
    ("forgot my password", "Resetting a password"),
    ("charged twice", "Charged twice for one order"),
    ("two charges on my statement for one order", "Charged twice for one order"),
    ("package says delivered but it's not here", "Package marked delivered but not received"),
    ("cancel my order", "Cancelling an order"),
    ("card declined at checkout", "Payment declined at checkout"),
    ("stove leaking gas", "Product recalls"),
    ("change email address on account", "Changing the email address on an account"),
    ("exchange for a bigger size", "Exchanging an item for another size or colour"),
    ("where is my order tracking number", "Tracking an order"),
    ("tent pole snapped", "Warranty claims and repairs"),
    ("how much is expedited shipping", "Shipping options and delivery times"),
    ("what do plus members get", "Larkspur Plus membership benefits"),
    ("exch", "Exchanging an item for another size or colour"),
];

#[test]
fn the_expected_article_ranks_first_for_realistic_rep_queries() {
    let conn = ranking_corpus();
    let mut failures = Vec::new();
    for (query, expected) in RANKING {
        let hits = kb::search(&conn, query, 5).unwrap();
        let titles: Vec<&str> = hits.iter().map(|h| h.title.as_str()).collect();
        if titles.first() != Some(expected) {
            failures.push(format!("{query:?}: expected {expected:?} first, got {titles:?}"));
        }
    }
    assert!(failures.is_empty(), "{} of {} queries misranked:\n{}", failures.len(), RANKING.len(), failures.join("\n"));
}

#[test]
fn ranking_queries_work_while_the_last_word_is_still_being_typed() {
    let conn = ranking_corpus();
    // Every prefix of a question from its fourth character on keeps a result on screen.
    let question = "how long does a refund take to my card";
    for end in 4..=question.len() {
        let q = &question[..end];
        assert!(!kb::search(&conn, q, 5).unwrap().is_empty(), "{q:?} found nothing");
    }
}

#[test]
fn a_word_in_most_articles_still_puts_title_matches_first() {
    // "order" and "refu…" are in more than half of the corpus, so bm25 gives them an IDF of
    // about zero and every score ties; the title and tags decide.
    let conn = ranking_corpus();
    for (query, in_title) in [("order", "order"), ("refu", "refund")] {
        let hits = kb::search(&conn, query, 20).unwrap();
        assert!(hits.len() >= 7, "{query}: the word is in half the corpus or more");
        let titled: Vec<bool> = hits.iter().map(|h| h.title.to_lowercase().contains(in_title)).collect();
        let first_untitled = titled.iter().position(|t| !t).unwrap();
        assert!(first_untitled > 0 && titled[first_untitled..].iter().all(|t| !t), "{query}: {titled:?}");
    }
}

#[test]
fn a_question_matching_more_of_its_words_beats_one_rare_word() {
    let conn = ranking_corpus();
    // No article has every word; the one with most of them comes first.
    let hits = kb::search(&conn, "customer got charged but order cancelled", 3).unwrap();
    assert_eq!(hits[0].title, "Charged twice for one order");
    assert_eq!(hits[1].title, "Cancelling an order");
}

/// The segments an article index is in: each one is another place every search looks.
fn segments(conn: &Connection, index: &str) -> i64 {
    conn.query_row(&format!("SELECT count(DISTINCT segid) FROM {index}_idx"), [], |r| r.get(0)).unwrap()
}

fn automerge(conn: &Connection, index: &str) -> i64 {
    conn.query_row(&format!("SELECT v FROM {index}_config WHERE k = 'automerge'"), [], |r| r.get(0)).unwrap()
}

#[test]
fn a_help_centre_import_leaves_each_index_in_one_segment_and_a_few_articles_more_do_not_rewrite_it() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..40 {
        write_file(dir.path(), &format!("a{i:02}.md"), &format!("# Article {i}\n\nParcel claims, step {i}."));
    }
    let mut conn = mem();
    // Many small writes first: the index is in several segments before the import.
    for i in 0..5 {
        let article = kb::NewArticle {
            source: format!("early{i}.md"),
            title: format!("Early {i}"),
            description: String::new(),
            category: String::new(),
            tags: Vec::new(),
            body: "Parcel claims, early.".into(),
            plain: "Parcel claims, early.".into(),
            hash: format!("{i}"),
            url: None,
        };
        kb::upsert_article(&conn, &article, T0).unwrap();
    }
    assert!(segments(&conn, "kb_fts") > 1);
    let s = frontline::import::kb::import(&mut conn, &[dir.path().to_path_buf()], T0).unwrap();
    assert_eq!(s.added, 40);
    for index in ["kb_fts", "kb_title_fts"] {
        assert_eq!(segments(&conn, index), 1, "{index}");
        assert_eq!(automerge(&conn, index), 4, "{index}: merging as it grows again");
    }
    // One more article into 45: not worth rewriting the index for.
    let more = tempfile::tempdir().unwrap();
    write_file(more.path(), "late.md", "# Late\n\nParcel claims once more.");
    frontline::import::kb::import(&mut conn, &[more.path().to_path_buf()], T0).unwrap();
    assert_eq!(segments(&conn, "kb_fts"), 2);
    assert_eq!(kb::search(&conn, "parcel claims", 50).unwrap().len(), 46);
}
