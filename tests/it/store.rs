//! The store on in-memory and temporary workspaces: schema and migrations, full-text
//! search ranking and hostile queries, article re-import, queue order, identity matching,
//! notes and drafts, and files that are not ours being refused untouched.

use std::path::{Path, PathBuf};

use frontline::domain::{Channel, ContactStatus, IdentityKind};
use frontline::store::contacts::{self, NewContact};
use frontline::store::customers::{self, NewCustomer};
use frontline::store::kb::{self, NewArticle, Upsert};
use frontline::store::{self, OpenError, notes};
use rusqlite::Connection;

use crate::common;

use common::count;

const T0: i64 = 1_795_183_200;

fn mem() -> Connection {
    store::open_in_memory().unwrap()
}

fn pragma(conn: &Connection, name: &str) -> i64 {
    conn.pragma_query_value(None, name, |r| r.get(0)).unwrap()
}

// ------------------------------------------------------------------ schema

const TABLES: [&str; 10] = [
    "meta",
    "customers",
    "identities",
    "orders",
    "billing_events",
    "contacts",
    "contact_events",
    "notes",
    "drafts",
    "kb_articles",
];

#[test]
fn migrations_create_the_schema_and_set_the_version() {
    let conn = mem();
    for table in TABLES.into_iter().chain(["kb_fts"]) {
        let found: i64 =
            conn.query_row("SELECT count(*) FROM sqlite_schema WHERE name = ?1", [table], |r| r.get(0)).unwrap();
        assert_eq!(found, 1, "table {table}");
        assert_eq!(count(&conn, table), 0, "{table} starts empty");
    }
    assert!(pragma(&conn, "user_version") >= 1, "at least the first migration is recorded");
    assert_eq!(pragma(&conn, "application_id"), i64::from(store::open::APPLICATION_ID));
    assert_eq!(pragma(&conn, "foreign_keys"), 1);
}

#[test]
fn a_cached_statement_is_planned_once_whatever_its_limit() {
    // Without the planner's stability setting SQLite plans a statement again whenever a
    // `LIMIT ?` parameter is bound anew: every search would parse its statements again.
    let conn = mem();
    for limit in [30, 6, 30] {
        let mut stmt = conn.prepare_cached("SELECT id FROM kb_articles ORDER BY id LIMIT ?1").unwrap();
        stmt.query_map([limit], |r| r.get::<_, i64>(0)).unwrap().for_each(drop);
        assert_eq!(stmt.get_status(rusqlite::StatementStatus::RePrepare), 0, "limit {limit}");
    }
}

#[test]
fn a_new_workspace_file_gets_the_same_schema_and_reopening_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ws.db");
    let version = {
        let conn = store::open_workspace(&path).unwrap();
        assert_eq!(pragma(&conn, "user_version"), pragma(&mem(), "user_version"));
        let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        store::meta_set(&conn, "name", "Kept").unwrap();
        pragma(&conn, "user_version")
    };
    let conn = store::open_workspace(&path).unwrap();
    assert_eq!(pragma(&conn, "user_version"), version);
    assert_eq!(store::meta_get(&conn, "name").unwrap().as_deref(), Some("Kept"));
}

#[cfg(unix)]
#[test]
fn a_new_workspace_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ws.db");
    drop(store::open_workspace(&path).unwrap());
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
}

#[test]
fn a_workspace_in_a_missing_folder_is_refused_and_nothing_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typo/sub/ws.db");
    let err = store::open_workspace(&path).unwrap_err();
    assert!(matches!(open_error(&err), OpenError::MissingDirectory(_)), "{err:#}");
    assert!(!dir.path().join("typo").exists());
}

// ------------------------------------------------------------------ knowledge base search

fn article(source: &str, title: &str, tags: &[&str], body: &str) -> NewArticle {
    NewArticle {
        source: source.into(),
        title: title.into(),
        description: String::new(),
        category: String::new(),
        tags: tags.iter().map(|t| (*t).to_string()).collect(),
        body: body.into(),
        plain: body.into(),
        hash: format!("{title}|{}|{body}", tags.join(",")),
        url: None,
    }
}

/// A small fixed corpus; each article is there to win or lose one kind of query.
fn corpus() -> Connection {
    let conn = mem();
    let articles = [
        article(
            "refund-policy.md",
            "Refund policy",
            &["money"],
            "How money goes back to the customer's card after an approved claim.",
        ),
        article(
            "shipping.md",
            "Shipping speeds",
            &[],
            "Standard shipping takes five days. A refund of shipping costs is possible when a parcel is late; \
             the refund goes to the card.",
        ),
        article("returns.md", "Sending items back", &[], "A customer may return an unused item within 30 days."),
        article("cafe.md", "Trailside café", &[], "Our café at the Portland store serves espresso."),
        article("wifi.md", "Store Wi-Fi", &[], "Guest wi-fi is free in every store; ask for the code."),
        article("cpp.md", "Firmware notes", &[], "The stove firmware is written in C++ by O'Brien and team."),
    ];
    for a in &articles {
        assert_eq!(kb::upsert_article(&conn, a, T0).unwrap(), Upsert::Added);
    }
    conn
}

fn titles(conn: &Connection, query: &str) -> Vec<String> {
    kb::search(conn, query, 10).unwrap().into_iter().map(|h| h.title).collect()
}

#[test]
fn a_title_match_ranks_above_a_body_only_match() {
    let conn = corpus();
    let found = titles(&conn, "refund ");
    assert_eq!(found.first().map(String::as_str), Some("Refund policy"), "{found:?}");
    assert!(found.contains(&"Shipping speeds".to_string()), "the body-only match is still found: {found:?}");
}

#[test]
fn the_word_being_typed_matches_as_a_prefix() {
    let conn = corpus();
    assert_eq!(titles(&conn, "refu").first().map(String::as_str), Some("Refund policy"));
    // Once the word is finished (trailing space) it is a whole word again.
    assert!(titles(&conn, "refu ").is_empty());
}

/// Hits as the ranked statement gives them for `query` (a MATCH expression) as written.
fn ranked_as_written(conn: &Connection, query: &str, limit: i64) -> Vec<(i64, String, String)> {
    let sql = kb::ranked_sql(0, query.split(' ').count());
    let mut stmt = conn.prepare(&sql).unwrap();
    let rows = stmt.query_map(rusqlite::params![query, limit], |r| {
        Ok((r.get(0)?, r.get(3)?, format!("{:.9}", r.get::<_, f64>(4)?)))
    });
    rows.unwrap().map(Result::unwrap).collect()
}

#[test]
fn a_long_word_being_typed_finds_exactly_what_its_prefix_finds() {
    let conn = mem();
    let bodies = [
        "Tracking a delivery step by step: the tracking page shows each delivery scan.",
        "Deliveries late by a week are refunded; tracking numbers arrive by email.",
        "We delivered the parcel; tracking stops at the door.",
        "Tracking your refund",
        "Delivery windows for large items",
    ];
    for (i, body) in bodies.iter().enumerate() {
        kb::upsert_article(&conn, &article(&format!("{i}.md"), &format!("Article {i}"), &[], body), T0).unwrap();
    }
    // "delivery" begins one word of the index; "deliv" two (delivered, delivery); "refun" one.
    for (typed, as_prefix) in [
        ("tracking delivery", "\"tracking\" \"delivery\"*"),
        ("tracking deliv", "\"tracking\" \"deliv\"*"),
        ("delivery refun", "\"delivery\" \"refun\"*"),
    ] {
        let found: Vec<(i64, String, String)> = kb::search(&conn, typed, 10)
            .unwrap()
            .into_iter()
            .map(|h| (h.id, h.snippet, format!("{:.9}", h.score)))
            .collect();
        assert!(!found.is_empty(), "{typed}");
        assert_eq!(found, ranked_as_written(&conn, as_prefix, 10), "{typed}");
    }
}

#[test]
fn stemming_finds_other_forms_of_a_word() {
    let conn = corpus();
    assert_eq!(titles(&conn, "returns "), vec!["Sending items back"]);
    assert_eq!(titles(&conn, "returned "), vec!["Sending items back"]);
}

#[test]
fn search_ignores_accents_and_case() {
    let conn = corpus();
    assert_eq!(titles(&conn, "cafe "), vec!["Trailside café"]);
    assert_eq!(titles(&conn, "CAFÉ "), vec!["Trailside café"]);
    assert_eq!(titles(&conn, "REFUND POLICY").first().map(String::as_str), Some("Refund policy"));
}

#[test]
fn full_width_letters_find_the_ascii_word() {
    let conn = corpus();
    assert_eq!(titles(&conn, "ｒｅｆｕｎｄ").first().map(String::as_str), Some("Refund policy"));
}

#[test]
fn snippets_mark_the_matched_words() {
    let conn = corpus();
    let hits = kb::search(&conn, "espresso", 10).unwrap();
    assert_eq!(hits.len(), 1);
    let marked = format!("{}espresso{}", frontline::domain::text::MARK_START, frontline::domain::text::MARK_END);
    assert!(hits[0].snippet.contains(&marked), "{:?}", hits[0].snippet);
}

/// Deterministic "random" text: letters, digits, FTS5 syntax, quotes, controls and
/// non-ASCII, so that every odd combination gets a chance.
fn noise(len: usize) -> String {
    const ALPHABET: &[char] = &[
        'a', 'b', 'r', 'e', 'f', 'u', 'n', 'd', ' ', ' ', '"', '\'', '*', '^', ':', '(', ')', '-', '+', '{', '}', '[',
        ']', '\\', '/', '.', ',', ';', 'N', 'E', 'A', 'R', 'O', 'T', '0', '9', 'é', 'ß', '日', '😀', '\u{0}', '\u{1b}',
        '\t', '\n', 'ｒ', '\u{301}', '\u{200d}',
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut out = String::new();
    while out.len() < len {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let i = usize::try_from(state >> 33).unwrap() % ALPHABET.len();
        out.push(ALPHABET[i]);
    }
    out
}

#[test]
fn hostile_queries_never_error() {
    let conn = corpus();
    let big = noise(10 * 1024);
    let queries: Vec<String> = [
        "\"",
        "\"\"",
        "wi-fi",
        "AND(",
        "OR",
        "NOT",
        "NEAR(",
        "NEAR(a b, 2)",
        "C++",
        "*",
        "O'Brien",
        "^",
        ":",
        "-",
        "title:refund",
        "refund*",
        "(refund",
        "refund)",
        "a AND",
        "😀",
        "👩‍👩‍👧",
        "ｒｅｆｕｎｄ",
        "\u{0}",
        "\u{1b}[2J",
        " ",
        "",
        "'",
        "`",
        "\\",
        "{}",
        "[",
        "-refund",
        "+refund",
        "refund OR",
        "\"refund",
        "col:",
        "rank:",
        "^refund",
    ]
    .into_iter()
    .map(str::to_string)
    .chain([big])
    .collect();
    for q in &queries {
        let result = kb::search(&conn, q, 10);
        assert!(result.is_ok(), "search({q:?}) failed: {result:?}");
        let result = kb::suggest(&conn, q, q, 10);
        assert!(result.is_ok(), "suggest({q:?}) failed: {result:?}");
    }
}

#[test]
fn syntax_characters_are_searched_as_words() {
    let conn = corpus();
    assert_eq!(titles(&conn, "wi-fi").first().map(String::as_str), Some("Store Wi-Fi"));
    assert_eq!(titles(&conn, "O'Brien").first().map(String::as_str), Some("Firmware notes"));
    assert_eq!(titles(&conn, "C++ firmware").first().map(String::as_str), Some("Firmware notes"));
    assert!(titles(&conn, "NOT ").is_empty(), "NOT is a word here, and no article has it");
    assert_eq!(titles(&conn, "NOT").first().map(String::as_str), Some("Firmware notes"), "and a prefix while typed");
}

#[test]
fn reimporting_an_unchanged_article_changes_nothing_and_a_changed_one_is_updated_in_place() {
    let conn = corpus();
    let a = article("returns.md", "Sending items back", &[], "A customer may return an unused item within 30 days.");
    assert_eq!(kb::upsert_article(&conn, &a, T0 + 60).unwrap(), Upsert::Unchanged);
    let before = count(&conn, "kb_articles");
    let id = kb::search(&conn, "unused ", 5).unwrap()[0].id;

    let changed =
        article("returns.md", "Sending items back", &[], "A customer may return a pristine item within 60 days.");
    assert_eq!(kb::upsert_article(&conn, &changed, T0 + 120).unwrap(), Upsert::Updated);
    assert_eq!(count(&conn, "kb_articles"), before, "no duplicate row");
    let hits = kb::search(&conn, "pristine ", 5).unwrap();
    assert_eq!(hits.iter().map(|h| h.id).collect::<Vec<_>>(), vec![id], "same article, new text indexed");
    assert!(kb::search(&conn, "unused ", 5).unwrap().is_empty(), "the old text is gone from the index");
    assert_eq!(kb::article(&conn, id).unwrap().unwrap().body, changed.body);
    assert_eq!(kb::count(&conn).unwrap(), before);
}

#[test]
fn a_batch_adds_updates_and_skips_in_one_write_and_indexes_each_article_once() {
    let conn = corpus();
    let before = count(&conn, "kb_articles");
    let unchanged =
        article("returns.md", "Sending items back", &[], "A customer may return an unused item within 30 days.");
    let changed = article("returns.md", "Sending items back", &[], "Pristine items may come back within 60 days.");
    let added = article("gift-cards.md", "Gift cards", &["gifts"], "Gift cards never expire.");
    let tx = conn.unchecked_transaction().unwrap();
    let counts = kb::upsert_articles(&tx, std::slice::from_ref(&unchanged), T0 + 60).unwrap();
    assert_eq!(counts, kb::UpsertCounts { added: 0, updated: 0, unchanged: 1 });
    // The same source twice: the second copy is a change to the first (the last one is
    // stored), or nothing when it is the same.
    let mut added_again = added.clone();
    added_again.plain = "Gift cards never expire, and can be topped up.".into();
    added_again.hash = "other".into();
    let batch = [changed.clone(), added.clone(), added.clone(), added_again];
    let counts = kb::upsert_articles(&tx, &batch, T0 + 120).unwrap();
    tx.commit().unwrap();
    assert_eq!(counts, kb::UpsertCounts { added: 1, updated: 2, unchanged: 1 });
    assert_eq!(titles(&conn, "topped"), vec!["Gift cards"], "the last copy is stored");
    assert_eq!(count(&conn, "kb_articles"), before + 1);
    assert_eq!(titles(&conn, "pristine"), vec!["Sending items back"]);
    assert!(titles(&conn, "unused ").is_empty(), "the old text is gone from the index");
    assert_eq!(titles(&conn, "expire"), vec!["Gift cards"]);
    let rows: i64 = conn.query_row("SELECT count(*) FROM kb_fts WHERE kb_fts MATCH 'gift'", [], |r| r.get(0)).unwrap();
    assert_eq!(rows, 1, "indexed once");
}

#[test]
fn the_title_index_follows_every_change_to_an_article() {
    let conn = corpus();
    let in_titles = |word: &str| -> i64 {
        conn.query_row("SELECT count(*) FROM kb_title_fts WHERE kb_title_fts MATCH ?1", [word], |r| r.get(0)).unwrap()
    };
    let a = article("gift-cards.md", "Gift cards", &["vouchers"], "Gift cards never expire.");
    kb::upsert_article(&conn, &a, T0).unwrap();
    assert_eq!((in_titles("gift"), in_titles("vouchers"), in_titles("expire")), (1, 1, 0), "titles and tags only");
    let renamed = article("gift-cards.md", "Store credit", &["credit"], "Gift cards never expire.");
    kb::upsert_article(&conn, &renamed, T0 + 60).unwrap();
    assert_eq!((in_titles("gift"), in_titles("vouchers"), in_titles("credit")), (0, 0, 1));
    conn.execute("DELETE FROM kb_articles WHERE source = 'gift-cards.md'", []).unwrap();
    assert_eq!(in_titles("credit"), 0);
    let check: Result<(), _> = conn.execute_batch("INSERT INTO kb_title_fts(kb_title_fts) VALUES ('integrity-check')");
    assert!(check.is_ok(), "{check:?}");
}

#[test]
fn a_word_in_more_articles_than_are_ranked_still_finds_title_matches_first() {
    let conn = store::open_in_memory().unwrap();
    let n = kb::RANK_CAP + 500;
    let articles: Vec<NewArticle> = (0..n)
        .map(|i| {
            let title = if i == n - 10 { "Refund window".to_string() } else { format!("Store note {i}") };
            article(&format!("a{i}.md"), &title, &[], &format!("Every refund needs a receipt, note {i}."))
        })
        .collect();
    let tx = conn.unchecked_transaction().unwrap();
    kb::upsert_articles(&tx, &articles, T0).unwrap();
    tx.commit().unwrap();
    for query in ["refund", "refu", "refund receipt"] {
        let hits = kb::search(&conn, query, 20).unwrap();
        assert_eq!(hits.len(), 20, "{query}");
        assert_eq!(hits[0].title, "Refund window", "{query}: the title match leads");
        assert!(hits.iter().all(|h| h.snippet.to_lowercase().contains("refund")), "{query}: {hits:?}");
    }
}

// ------------------------------------------------------------------ contacts and customers

fn contact(conn: &Connection, subject: &str, priority: u8, created_at: i64, status: ContactStatus) -> i64 {
    let mut c = NewContact::waiting(Channel::Email, subject, created_at);
    c.priority = priority;
    c.status = status;
    if status != ContactStatus::Waiting {
        c.accepted_at = Some(created_at + 10);
        c.ended_at = Some(created_at + 100);
    }
    contacts::insert(conn, &c).unwrap()
}

#[test]
fn the_queue_is_most_urgent_first_then_longest_waiting() {
    let conn = mem();
    contact(&conn, "p3 old", 3, T0 - 500, ContactStatus::Waiting);
    contact(&conn, "p1 new", 1, T0 - 10, ContactStatus::Waiting);
    contact(&conn, "p3 new", 3, T0 - 20, ContactStatus::Waiting);
    contact(&conn, "p1 old", 1, T0 - 300, ContactStatus::Waiting);
    contact(&conn, "p4", 4, T0 - 9000, ContactStatus::Waiting);
    contact(&conn, "p2", 2, T0 - 1, ContactStatus::Waiting);
    contact(&conn, "p1 resolved", 1, T0 - 9999, ContactStatus::Resolved);
    let rows = contacts::queue(&conn, 0, 100).unwrap();
    let subjects: Vec<&str> = rows.iter().map(|r| r.subject.as_str()).collect();
    assert_eq!(subjects, vec!["p1 old", "p1 new", "p2", "p3 old", "p3 new", "p4"]);
    assert_eq!(contacts::waiting_count(&conn).unwrap(), 6);
    let page: Vec<String> = contacts::queue(&conn, 2, 2).unwrap().into_iter().map(|r| r.subject).collect();
    assert_eq!(page, vec!["p2", "p3 old"], "offset and limit page through the same order");
}

#[test]
fn a_started_follow_up_carries_its_note_into_the_new_contact() {
    let conn = mem();
    let first = contact(&conn, "Gas canisters by ground", 2, T0, ContactStatus::Resolved);
    let follow_up = contacts::add_follow_up(&conn, first, T0 + 60, "Check if ground shipping exists", T0).unwrap();
    let started = contacts::start_follow_up(&conn, follow_up, T0 + 120).unwrap().unwrap();
    let (subject, body): (String, String) = conn
        .query_row("SELECT subject, body FROM contacts WHERE id = ?1", [started], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!(subject, "Follow-up: Gas canisters by ground");
    assert_eq!(body, format!("Check if ground shipping exists\n\n(Follow-up of #{first}.)"));
    assert_eq!(contacts::start_follow_up(&conn, follow_up, T0 + 180).unwrap(), None, "done once");
}

#[test]
fn a_contact_records_its_event_log() {
    let conn = mem();
    let id = contact(&conn, "done", 3, T0, ContactStatus::Resolved);
    let kinds: Vec<String> = conn
        .prepare("SELECT kind FROM contact_events WHERE contact_id = ?1 ORDER BY at, id")
        .unwrap()
        .query_map([id], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(kinds, vec!["create", "accept", "resolve"]);
}

#[test]
fn customers_are_found_by_phone_in_any_format_and_email_in_any_case() {
    let conn = mem();
    let maria = customers::insert(
        &conn,
        &NewCustomer {
            name: "Maria".into(),
            identities: vec![
                (IdentityKind::Phone, "+1 (503) 555-0142".into()),
                (IdentityKind::Email, "Maria.G@Example.com".into()),
                (IdentityKind::Handle, "@MariaHikes".into()),
            ],
            ..NewCustomer::default()
        },
        T0,
    )
    .unwrap();
    let other = customers::insert(
        &conn,
        &NewCustomer {
            name: "Other".into(),
            identities: vec![(IdentityKind::Phone, "+44 20 7946 0321".into())],
            ..NewCustomer::default()
        },
        T0,
    )
    .unwrap();
    for phone in ["503.555.0142", "5035550142", "(503) 555-0142", "1-503-555-0142", "+1 503 555 0142"] {
        assert_eq!(customers::find_by_identity(&conn, IdentityKind::Phone, phone).unwrap(), Some(maria), "{phone}");
    }
    assert_eq!(customers::find_by_identity(&conn, IdentityKind::Phone, "020 7946 0321").unwrap(), None);
    assert_eq!(customers::find_by_identity(&conn, IdentityKind::Phone, "+44 (20) 7946-0321").unwrap(), Some(other));
    for email in ["maria.g@example.com", "MARIA.G@EXAMPLE.COM", " maria.g@Example.com "] {
        assert_eq!(customers::find_by_identity(&conn, IdentityKind::Email, email).unwrap(), Some(maria), "{email}");
    }
    assert_eq!(customers::find_by_identity(&conn, IdentityKind::Handle, "mariahikes").unwrap(), Some(maria));
    assert_eq!(customers::find_by_identity(&conn, IdentityKind::Email, "maria@example.com").unwrap(), None);
    assert_eq!(customers::find_by_key(&conn, "503.555.0142").unwrap(), Some(maria));
}

#[test]
fn the_same_identity_cannot_belong_to_two_customers() {
    let conn = mem();
    let c = |phone: &str| NewCustomer {
        name: "X".into(),
        identities: vec![(IdentityKind::Phone, phone.into())],
        ..NewCustomer::default()
    };
    customers::insert(&conn, &c("+1 (503) 555-0142"), T0).unwrap();
    assert!(customers::insert(&conn, &c("503.555.0142"), T0).is_err());
}

// ------------------------------------------------------------------ notes and drafts

#[test]
fn saving_a_note_clears_the_draft_in_the_same_transaction() {
    let mut conn = mem();
    let id = contact(&conn, "s", 3, T0, ContactStatus::Waiting);
    notes::save_draft(&conn, id, "half a thought", T0).unwrap();
    assert_eq!(notes::draft(&conn, id).unwrap().as_deref(), Some("half a thought"));

    // Rolled back: neither the note nor the cleared draft survive.
    {
        let tx = conn.transaction().unwrap();
        notes::save_note(&tx, id, "half a thought, finished", T0 + 5).unwrap();
        assert_eq!(notes::draft(&tx, id).unwrap(), None, "cleared inside the transaction");
        tx.rollback().unwrap();
    }
    assert_eq!(notes::draft(&conn, id).unwrap().as_deref(), Some("half a thought"));
    assert!(notes::for_contact(&conn, id).unwrap().is_empty());

    let note = store::write(&mut conn, |tx| notes::save_note(tx, id, "half a thought, finished", T0 + 5)).unwrap();
    assert_eq!(note.body, "half a thought, finished");
    assert_eq!(note.contact_id, Some(id));
    assert_eq!(note.created_at, T0 + 5);
    assert_eq!(notes::draft(&conn, id).unwrap(), None);
    assert_eq!(notes::for_contact(&conn, id).unwrap(), vec![note]);
}

#[test]
fn an_empty_draft_removes_the_stored_one() {
    let conn = mem();
    let id = contact(&conn, "s", 3, T0, ContactStatus::Waiting);
    notes::save_draft(&conn, id, "x", T0).unwrap();
    notes::save_draft(&conn, id, "y", T0 + 1).unwrap();
    assert_eq!(notes::draft(&conn, id).unwrap().as_deref(), Some("y"));
    notes::save_draft(&conn, id, "  \n", T0 + 2).unwrap();
    assert_eq!(notes::draft(&conn, id).unwrap(), None);
}

// ------------------------------------------------------------------ files that are not ours

/// Opens `path` expecting a refusal; checks the file's bytes are unchanged and that no
/// SQLite side file appeared, and returns the error.
fn refused(path: &Path) -> anyhow::Error {
    let err = refused_keeping_bytes(path);
    assert_one_line(&err);
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        assert!(!PathBuf::from(&side).exists(), "{}: {suffix} file created", path.display());
    }
    err
}

/// Opens `path` expecting a refusal that leaves the file's bytes unchanged.
fn refused_keeping_bytes(path: &Path) -> anyhow::Error {
    let before = std::fs::read(path).unwrap();
    let result = std::panic::catch_unwind(|| store::open_workspace(path));
    let Ok(result) = result else { panic!("{}: opening panicked", path.display()) };
    let Err(err) = result else { panic!("{}: a file that is not ours was opened", path.display()) };
    assert_eq!(std::fs::read(path).unwrap(), before, "{}: bytes changed", path.display());
    let text = err.to_string();
    assert!(text.starts_with(&path.display().to_string()), "names the file first: {text}");
    err
}

fn assert_one_line(err: &anyhow::Error) {
    let line = err.to_string();
    assert!(!line.contains('\n'), "one line: {line:?}");
}

fn open_error(err: &anyhow::Error) -> &OpenError {
    err.downcast_ref::<OpenError>().unwrap_or_else(|| panic!("an OpenError, got: {err:#}"))
}

/// A real workspace with enough rows to span many pages, closed and checkpointed.
fn real_workspace(dir: &Path) -> PathBuf {
    let path = dir.join("real.db");
    let mut conn = store::open_workspace(&path).unwrap();
    store::write(&mut conn, |tx| -> rusqlite::Result<()> {
        for i in 0..300 {
            let body = format!("Article {i} about refunds, returns and shipping. {}", "words ".repeat(40));
            kb::upsert_article(tx, &article(&format!("a{i}.md"), &format!("Title {i}"), &["t"], &body), T0)?;
            contact(tx, &format!("contact {i}"), 3, T0 - i, ContactStatus::Waiting);
        }
        Ok(())
    })
    .unwrap();
    conn.pragma_update(None, "wal_checkpoint", "TRUNCATE").unwrap();
    drop(conn);
    path
}

#[test]
fn a_text_file_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "Dear diary,\nthis is not a database.\n".repeat(20)).unwrap();
    assert!(matches!(open_error(&refused(&path)), OpenError::NotSqlite(_)));
}

#[test]
fn a_short_text_file_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("short.db");
    std::fs::write(&path, "SQLite format 3").unwrap();
    assert!(matches!(open_error(&refused(&path)), OpenError::NotSqlite(_)));
}

#[test]
fn an_empty_file_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.db");
    std::fs::write(&path, b"").unwrap();
    assert!(matches!(open_error(&refused(&path)), OpenError::Empty(_)));
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
}

#[test]
fn another_programs_sqlite_database_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("places.sqlite");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE bookmarks(url TEXT); INSERT INTO bookmarks VALUES ('https://example.com');")
            .unwrap();
    }
    assert!(matches!(open_error(&refused(&path)), OpenError::NotFrontline(_)));
}

#[test]
fn a_workspace_from_a_newer_frontline_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = real_workspace(dir.path());
    let current = {
        let conn = Connection::open(&path).unwrap();
        let v = pragma(&conn, "user_version");
        conn.pragma_update(None, "user_version", v + 7).unwrap();
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
        v
    };
    let err = refused(&path);
    match open_error(&err) {
        OpenError::NewerSchema { found, supported, .. } => {
            assert_eq!(*found, current + 7);
            assert_eq!(*supported, current);
        }
        other => panic!("expected NewerSchema, got {other:?}"),
    }
}

#[test]
fn a_truncated_workspace_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = real_workspace(dir.path());
    let len = std::fs::metadata(&path).unwrap().len();
    assert!(len > 64 * 1024, "the workspace spans many pages ({len} bytes)");
    let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    file.set_len(len / 2).unwrap();
    drop(file);
    let err = refused(&path);
    match open_error(&err) {
        OpenError::Truncated { expected, actual, .. } => {
            assert_eq!(*expected, len);
            assert_eq!(*actual, len / 2);
        }
        other => panic!("expected Truncated, got {other:?}"),
    }
}

/// A real workspace with a few bytes flipped in a b-tree page from the middle of the file.
fn damaged_workspace(dir: &Path) -> PathBuf {
    let path = real_workspace(dir);
    let mut bytes = std::fs::read(&path).unwrap();
    let page_size = usize::from(u16::from_be_bytes([bytes[16], bytes[17]]));
    let pages = bytes.len() / page_size;
    // A b-tree page from the middle of the file (leaf or interior, table or index): flip
    // a few bytes in the middle of its cell-pointer array and header.
    let page = (pages / 2..pages)
        .find(|p| matches!(bytes[p * page_size], 0x02 | 0x05 | 0x0a | 0x0d))
        .expect("a b-tree page in the second half");
    let start = page * page_size;
    for b in &mut bytes[start + 3..start + 12] {
        *b ^= 0x5a;
    }
    std::fs::write(&path, &bytes).unwrap();
    path
}

#[test]
fn a_workspace_with_damaged_pages_is_refused_with_its_bytes_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = damaged_workspace(dir.path());
    let err = refused_keeping_bytes(&path);
    assert!(matches!(open_error(&err), OpenError::Corrupt { .. }), "{err:#}");
}

#[test]
fn a_damaged_workspace_is_reported_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = damaged_workspace(dir.path());
    assert_one_line(&refused_keeping_bytes(&path));
}

#[test]
fn a_workspace_with_damaged_pages_gets_no_side_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = damaged_workspace(dir.path());
    let err = refused_keeping_bytes(&path);
    assert!(matches!(open_error(&err), OpenError::Corrupt { .. }), "{err:#}");
    for suffix in ["-wal", "-shm"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        assert!(!PathBuf::from(&side).exists(), "{}: {suffix} file created", path.display());
    }
}

#[test]
fn a_missing_folder_is_named() {
    let dir = tempfile::tempdir().unwrap();
    // A file where a folder should be: the folder cannot be created either.
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "x").unwrap();
    let result = store::open_workspace(&blocker.join("ws.db"));
    assert!(result.is_err());
    assert_eq!(std::fs::read(&blocker).unwrap(), b"x");
}

#[test]
fn a_contact_opened_by_an_email_reads_its_text_from_the_message_unless_the_message_was_stored_before() {
    use frontline::domain::message::{Direction, NewMessage};
    let conn = mem();
    let mail = |id: &str, body: &str| NewMessage {
        message_id: id.into(),
        in_reply_to: None,
        references: Vec::new(),
        direction: Direction::Inbound,
        sent_at: T0,
        from_addr: "ana@example.com".into(),
        to_addr: "support@example.com".into(),
        subject: "Boots".into(),
        body: body.into(),
        source: "INBOX/cur/1".into(),
    };
    let opened = NewContact::waiting(Channel::Email, "Boots", T0);
    let id = contacts::insert_opened_by(&conn, &opened, &mail("a@x", "The sole came off.")).unwrap();
    assert_eq!(contacts::contact(&conn, id).unwrap().unwrap().body, "The sole came off.");
    let kept: String = conn.query_row("SELECT body FROM contacts WHERE id = ?1", [id], |r| r.get(0)).unwrap();
    assert_eq!(kept, "", "kept once, on the message");
    // A message whose id is already stored is not stored again: its text stays on the contact.
    let other = contacts::insert_opened_by(&conn, &opened, &mail("a@x", "Card 4111 1111 1111 1111, again.")).unwrap();
    let c = contacts::contact(&conn, other).unwrap().unwrap();
    assert_eq!(c.body, "Card 411111******1111, again.");
    assert_eq!(count(&conn, "contact_messages"), 1);
}

/// Commands starting at once on a workspace that does not exist yet (the workstation and a
/// scheduled sync) all open it: it appears whole, made by one of them. Made in place, the
/// others found it empty or half-migrated and refused it as "not a Frontline workspace".
#[test]
fn a_new_workspace_opened_by_several_at_once_is_made_once_and_opens_for_all() {
    for round in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.db");
        let opened: Vec<Result<(), String>> = std::thread::scope(|scope| {
            let openers: Vec<_> = (0..6)
                .map(|_| scope.spawn(|| store::open_workspace(&path).map(drop).map_err(|e| format!("{e:#}"))))
                .collect();
            openers.into_iter().map(|o| o.join().unwrap()).collect()
        });
        assert!(opened.iter().all(Result::is_ok), "round {round}: {opened:?}");
        let conn = store::open_workspace(&path).unwrap();
        assert_eq!(store::integrity_check(&conn).unwrap(), "ok");
        let left = crate::common::names_containing(dir.path(), ".new-");
        assert!(left.is_empty(), "round {round}: {left:?}");
    }
}
