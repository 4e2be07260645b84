//! Hostile files: the importers (`parse_rows` + `import_customer_rows`/`import_contact_rows`,
//! and `kb::parse`) given random bytes, Latin-1 and UTF-16 text, BOMs, CRLF, quoted newlines,
//! unbalanced quotes, huge fields and deeply nested JSON: always Ok or a clear error naming
//! the file, never a panic, and after an error nothing was imported (no half import).

use std::path::{Path, PathBuf};

use frontline::import::kb::{SourceFile, parse as parse_article};
use frontline::import::records::{Options, import_contact_rows, import_customer_rows, parse_rows};
use frontline::store;
use proptest::prelude::*;
use rusqlite::Connection;

const TABLES: [&str; 6] = ["customers", "identities", "orders", "billing_events", "contacts", "notes"];

fn counts(conn: &Connection) -> Vec<i64> {
    TABLES.iter().map(|t| conn.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0)).unwrap()).collect()
}

/// Some rows already in the store, so "unchanged" means something.
fn store_with_rows() -> Connection {
    let mut conn = store::open_in_memory().unwrap();
    let path = Path::new("seed.json");
    let customers = br#"[{"name": "Ana Souza", "email": "ana@example.com", "orders": [{"number": "LK-1", "placed_at": "2026-11-01T10:00:00Z", "total": "12.50"}]}]"#;
    import_customer_rows(&mut conn, path, parse_rows(path, customers).unwrap(), Options::default()).unwrap();
    let contacts = br#"[{"channel": "email", "customer": "ana@example.com", "subject": "Hi", "notes": [{"at": "2026-11-01T10:00:00Z", "text": "n"}]}]"#;
    import_contact_rows(&mut conn, path, parse_rows(path, contacts).unwrap(), Options::default()).unwrap();
    conn
}

/// Feeds `bytes` as `.csv` and `.json` to both importers. Returns how many were imported.
fn import_everything(bytes: &[u8]) -> usize {
    let mut imported = 0;
    for name in ["hostile.csv", "hostile.json"] {
        let path = Path::new(name);
        let rows = match parse_rows(path, bytes) {
            Ok(rows) => rows,
            Err(e) => {
                assert_clear(&e, name);
                continue;
            }
        };
        for customers in [true, false] {
            let mut conn = store_with_rows();
            let before = counts(&conn);
            let result = if customers {
                import_customer_rows(&mut conn, path, rows.clone(), Options::default())
            } else {
                import_contact_rows(&mut conn, path, rows.clone(), Options::default())
            };
            match result {
                Ok(summary) => imported += summary.added + summary.updated,
                Err(e) => {
                    assert_clear(&e, name);
                    assert_eq!(counts(&conn), before, "{name}: an error left a half import: {e:#}");
                }
            }
            let verdict: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
            assert_eq!(verdict, "ok");
        }
    }
    imported
}

fn assert_clear(e: &anyhow::Error, name: &str) {
    let text = format!("{e:#}");
    assert!(text.contains(name), "the error names the file: {text}");
    assert!(!text.trim().is_empty());
}

fn article(bytes: &[u8]) {
    let source =
        SourceFile { path: PathBuf::from("kb/hostile.md"), key: "kb/hostile.md".into(), category: "Kb".into() };
    let text = String::from_utf8_lossy(bytes);
    match parse_article(&source, &text) {
        Ok(_) => {}
        Err(why) => assert!(!why.trim().is_empty(), "a reason is given"),
    }
}

fn latin1(text: &str) -> Vec<u8> {
    text.chars().map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')).collect()
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut out = if big_endian { vec![0xFE, 0xFF] } else { vec![0xFF, 0xFE] };
    for unit in text.encode_utf16() {
        out.extend(if big_endian { unit.to_be_bytes() } else { unit.to_le_bytes() });
    }
    out
}

/// Plausible CSV/JSON text with hostile twists.
fn texty() -> impl Strategy<Value = String> {
    let field = prop_oneof![
        "[a-zA-Z0-9 @.]{0,12}",
        Just("Zoë Müller".to_string()),
        Just("\"quoted, with comma\"".to_string()),
        Just("\"quoted\nnewline\"".to_string()),
        Just("\"unbalanced".to_string()),
        Just("\u{1b}]0;title\u{7}".to_string()),
        Just("\u{0}".to_string()),
        Just("4111 1111 1111 1111".to_string()),
        Just("2026-11-20T10:00:00Z".to_string()),
        Just("phone".to_string()),
        Just("email".to_string()),
        Just("".to_string()),
    ];
    let header = prop_oneof![
        Just("name,email,phone,company".to_string()),
        Just("channel,customer,subject,body,priority,status,created_at".to_string()),
        Just("channel,subject".to_string()),
        Just("\u{feff}name,email".to_string()),
    ];
    let eol = prop_oneof![Just("\n"), Just("\r\n"), Just("\r")];
    (header, prop::collection::vec(prop::collection::vec(field, 0..8), 0..6), eol).prop_map(|(h, rows, eol)| {
        let mut s = h;
        for row in rows {
            s.push_str(eol);
            s.push_str(&row.join(","));
        }
        s
    })
}

fn jsonish() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just(serde_json::json!(null)),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(serde_json::Value::from),
        ".{0,20}".prop_map(serde_json::Value::from),
        Just(serde_json::json!("email")),
        Just(serde_json::json!("2026-11-20T10:00:00Z")),
    ];
    let value = leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("name".to_string()),
                        Just("channel".to_string()),
                        Just("subject".to_string()),
                        Just("customer".to_string()),
                        Just("email".to_string()),
                        Just("orders".to_string()),
                        Just("notes".to_string()),
                        Just("priority".to_string()),
                        "[a-z]{1,6}"
                    ],
                    inner
                ),
                0..5
            )
            .prop_map(|kv| serde_json::Value::Object(kv.into_iter().collect())),
        ]
    });
    prop::collection::vec(value, 0..4).prop_map(|items| serde_json::to_string(&items).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        import_everything(&bytes);
        article(&bytes);
    }

    #[test]
    fn random_bytes_after_a_bom_never_panic(bom in prop_oneof![Just(&b"\xEF\xBB\xBF"[..]), Just(&b"\xFF\xFE"[..]), Just(&b"\xFE\xFF"[..])], bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let mut all = bom.to_vec();
        all.extend(bytes);
        import_everything(&all);
        article(&all);
    }

    #[test]
    fn csv_like_text_in_any_encoding_never_panics(text in texty(), encoding in 0..4u8) {
        let bytes = match encoding {
            0 => text.clone().into_bytes(),
            1 => latin1(&text),
            2 => utf16(&text, false),
            _ => utf16(&text, true),
        };
        import_everything(&bytes);
        article(&bytes);
    }

    #[test]
    fn json_like_text_never_panics(text in jsonish(), cut in any::<prop::sample::Index>()) {
        import_everything(text.as_bytes());
        // And the same text cut short anywhere.
        let at = cut.index(text.len() + 1);
        import_everything(&text.as_bytes()[..at]);
        article(text.as_bytes());
    }

    #[test]
    fn markdown_with_hostile_front_matter_never_panics(front in ".{0,200}", body in ".{0,300}", crlf in any::<bool>()) {
        let mut text = format!("---\n{front}\n---\n# Title\n{body}");
        if crlf {
            text = text.replace('\n', "\r\n");
        }
        article(text.as_bytes());
        article(format!("\u{feff}{text}").as_bytes());
    }
}

#[test]
fn wrong_encodings_get_a_clear_error_naming_the_file_and_line() {
    let text = "name,email\nZoë Müller,zoe@example.com\n";
    let e = parse_rows(Path::new("latin1.csv"), &latin1(text)).unwrap_err();
    assert_eq!(e.to_string(), "latin1.csv: line 2: not UTF-8 text (Latin-1? save the file as UTF-8)");
    for big_endian in [false, true] {
        let e = parse_rows(Path::new("utf16.csv"), &utf16(text, big_endian)).unwrap_err();
        assert!(e.to_string().contains("UTF-16"), "{e}");
    }
    // A UTF-8 BOM and CRLF line ends are fine.
    let rows = parse_rows(Path::new("bom.csv"), "\u{feff}name,email\r\nZoë,z@example.com\r\n".as_bytes()).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].1["name"], "Zoë");
}

#[test]
fn quoted_newlines_import_and_unbalanced_quotes_are_refused_whole() {
    let mut conn = store_with_rows();
    let path = Path::new("quoted.csv");
    let good = "channel,subject,body\nemail,\"Two\nlines\",\"a \"\"quoted\"\" body\r\nover lines\"\n";
    let s =
        import_contact_rows(&mut conn, path, parse_rows(path, good.as_bytes()).unwrap(), Options::default()).unwrap();
    assert_eq!(s.added, 1);
    let body: String = conn.query_row("SELECT body FROM contacts ORDER BY id DESC LIMIT 1", [], |r| r.get(0)).unwrap();
    assert_eq!(body, "a \"quoted\" body\nover lines");

    let before = counts(&conn);
    let bad = "channel,subject,body\nemail,ok,fine\nemail,\"unbalanced,body\nemail,third,row\n";
    let result = parse_rows(Path::new("bad.csv"), bad.as_bytes())
        .and_then(|rows| import_contact_rows(&mut conn, Path::new("bad.csv"), rows, Options::default()));
    let e = result.unwrap_err();
    assert!(e.to_string().starts_with("bad.csv"), "{e}");
    assert_eq!(counts(&conn), before, "nothing from the file was imported");
}

#[test]
fn a_bad_record_late_in_a_file_imports_nothing() {
    let mut conn = store_with_rows();
    let before = counts(&conn);
    // Enough rows that the writer reaches the clash while later rows are still being checked.
    let mut rows: Vec<serde_json::Value> = (0..3_000)
        .map(|i| serde_json::json!({"name": format!("Customer {i}"), "email": format!("c{i}@example.com")}))
        .collect();
    // Valid on its own, but its order number clashes with the seeded customer's: only the
    // database can tell, in the middle of the write transaction.
    rows.insert(
        100,
        serde_json::json!({"name": "Late", "email": "late@example.com", "orders": [{"number": "LK-1", "placed_at": "2026-11-01T10:00:00Z", "total": 1}]}),
    );
    rows.push(serde_json::json!({"name": "", "email": "empty@example.com"}));
    let path = Path::new("late.json");
    let parsed = parse_rows(path, serde_json::to_string(&rows).unwrap().as_bytes()).unwrap();
    let e = import_customer_rows(&mut conn, path, parsed, Options::default()).unwrap_err();
    assert!(e.to_string().starts_with("late.json: [3001]"), "the bad record, not the clash: {e}");
    assert_eq!(counts(&conn), before);
    rows.pop();
    let parsed = parse_rows(path, serde_json::to_string(&rows).unwrap().as_bytes()).unwrap();
    let e = import_customer_rows(&mut conn, path, parsed, Options::default()).unwrap_err();
    assert!(format!("{e:#}").starts_with("late.json: [100]"), "{e:#}");
    assert_eq!(counts(&conn), before, "a clash found mid-transaction rolls everything back");
}

#[test]
fn huge_fields_import_or_fail_cleanly() {
    let huge = "é".repeat(512 * 1024); // 1 MB of UTF-8
    let csv = format!("channel,subject,body\nemail,Huge,\"{huge}\"\n");
    let json = serde_json::to_string(&serde_json::json!([{"channel": "chat", "subject": huge, "body": huge}])).unwrap();
    for (name, bytes) in [("huge.csv", csv.as_bytes()), ("huge.json", json.as_bytes())] {
        let mut conn = store_with_rows();
        let path = Path::new(name);
        let s = import_contact_rows(&mut conn, path, parse_rows(path, bytes).unwrap(), Options::default()).unwrap();
        assert_eq!(s.added, 1, "{name}");
        let len: i64 =
            conn.query_row("SELECT length(body) FROM contacts ORDER BY id DESC LIMIT 1", [], |r| r.get(0)).unwrap();
        assert_eq!(len, 512 * 1024, "{name}: the whole field is kept");
    }
    let article_text = format!("---\ntitle: Huge\n---\n{huge}");
    article(article_text.as_bytes());
}

/// Checks that took time by the square of a record's width: 250,000 made-up keys in one
/// inbox file (3 MB) ran for minutes, and the file stayed in the inbox for the next pass;
/// a header of a million columns, the same.
#[test]
fn a_record_a_hundred_thousand_keys_wide_imports_naming_twenty_unknown_ones() {
    let mut record = serde_json::Map::new();
    record.insert("channel".into(), "phone".into());
    record.insert("subject".into(), "Wide".into());
    for i in 0..100_000 {
        record.insert(format!("k{i}"), i.into());
    }
    let json = serde_json::to_string(&serde_json::json!([record])).unwrap();
    let mut header: Vec<String> = vec!["channel".into(), "subject".into()];
    header.extend((0..100_000).map(|i| format!("c{}", i % 50_000)));
    let csv = format!("{}\nphone,Wide{}\n", header.join(","), ",".repeat(100_000));
    for (name, bytes) in [("wide.json", json.as_bytes()), ("wide.csv", csv.as_bytes())] {
        let mut conn = store_with_rows();
        let path = Path::new(name);
        let s = import_contact_rows(&mut conn, path, parse_rows(path, bytes).unwrap(), Options::default()).unwrap();
        assert_eq!(s.added, 1, "{name}");
        if name.ends_with(".json") {
            let unknown = s.warnings.iter().filter(|w| w.contains(": unknown field ")).count();
            assert_eq!(unknown, 20, "{:?}", &s.warnings[..s.warnings.len().min(3)]);
            assert!(
                s.warnings.iter().any(|w| w == "wide.json: more unknown fields ignored"),
                "{:?}",
                s.warnings.last()
            );
        }
    }
}

#[test]
fn deeply_nested_json_is_an_error_not_a_stack_overflow() {
    for depth in [200, 100_000] {
        let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let e = parse_rows(Path::new("deep.json"), text.as_bytes()).unwrap_err();
        assert!(e.to_string().starts_with("deep.json"), "{e}");
        let objects = format!("[{}1{}]", "{\"a\":".repeat(depth), "}".repeat(depth));
        let e = parse_rows(Path::new("deep.json"), objects.as_bytes()).unwrap_err();
        assert!(e.to_string().contains("recursion") || e.to_string().contains("invalid JSON"), "{e}");
    }
    // Deep YAML front matter in an article.
    let yaml = format!("---\ntitle: {}x{}\n---\nbody", "[".repeat(10_000), "]".repeat(10_000));
    article(yaml.as_bytes());
}
