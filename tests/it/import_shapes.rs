//! Data in as other systems write it, and files that are not what they claim: shop and help
//! desk exports (`tests/fixtures/import_shapes/`), orders' items as lists, `null` for
//! optional fields, a repeated CSV column, help-centre pages kept out of search, and a
//! knowledge folder holding a FIFO, a link to `/dev/zero` or an oversized page.

use std::path::Path;
use std::time::Duration;

use crate::common::{Sandbox, fixture};

/// The items and total of an order, as stored.
fn order(sb: &Sandbox, number: &str) -> (String, i64, String) {
    sb.conn()
        .query_row("SELECT items, total_cents, currency FROM orders WHERE number = ?1", [number], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap()
}

fn customer_names(sb: &Sandbox) -> Vec<String> {
    let conn = sb.conn();
    let mut stmt = conn.prepare("SELECT name FROM customers ORDER BY id").unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

#[test]
fn orders_items_come_as_a_list_of_strings() {
    let sb = Sandbox::new();
    let file = sb.write(
        "c.json",
        r#"[{"name": "Ana", "email": "ana@example.com",
            "orders": [{"number": "A-1", "placed_at": "2026-11-01T10:00:00Z", "total": 349, "items": ["Stand mixer", "Whisk"]}]}]"#,
    );
    sb.ok(&["import", "customers", file.to_str().unwrap()]);
    assert_eq!(order(&sb, "A-1"), ("Stand mixer; Whisk".to_string(), 34_900, "USD".to_string()));
}

#[test]
fn null_is_accepted_for_every_optional_field() {
    let sb = Sandbox::new();
    let customers = sb.write(
        "c.json",
        r#"[{"name": "Ana", "email": "ana@example.com", "phone": null, "company": null, "tier": null,
             "emails": null, "flags": null, "pinned_note": null, "billing": null,
             "orders": [{"number": "A-2", "placed_at": "2026-11-01T10:00:00Z", "total": "12.50", "status": null,
                         "currency": null, "items": null, "carrier": null, "tracking": null}]},
            {"name": "Bo", "email": "bo@example.com", "orders": null}]"#,
    );
    sb.ok(&["import", "customers", customers.to_str().unwrap()]);
    assert_eq!(order(&sb, "A-2"), (String::new(), 1250, "USD".to_string()));
    let contacts = sb.write(
        "k.json",
        r#"[{"channel": "email", "customer": "ana@example.com", "subject": "Hi", "body": null, "notes": null,
             "tags": null, "priority": null, "csat": null, "disposition": null}]"#,
    );
    sb.ok(&["import", "contacts", contacts.to_str().unwrap()]);
    assert_eq!(sb.count("contacts"), 1);
}

#[test]
fn shop_orders_import_as_shopify_and_woocommerce_write_them() {
    let sb = Sandbox::new();
    let out = sb.json(&["import", "customers", fixture("import_shapes/shop_orders.json").to_str().unwrap(), "--json"]);
    assert_eq!(out["added"], 2, "{out}");
    assert_eq!(order(&sb, "#1001"), ("2 × Stand mixer - red; 1 × Whisk".to_string(), 59_800, "USD".to_string()));
    assert_eq!(
        order(&sb, "727"),
        ("2 × Pour-over kettle; 1 × Paper filters (100)".to_string(), 2935, "EUR".to_string())
    );
    let placed: i64 =
        sb.conn().query_row("SELECT placed_at FROM orders WHERE number = '727'", [], |r| r.get(0)).unwrap();
    // WooCommerce's date_created_gmt is UTC written without a zone.
    assert_eq!(placed, 1_793_633_282);
    // What an order holds beyond what Frontline keeps is said, as for a customer's fields
    // (a `note` there, which could hold anything, went without a word).
    let warnings: Vec<&str> = out["warnings"].as_array().unwrap().iter().filter_map(|w| w.as_str()).collect();
    assert!(warnings.iter().any(|w| w.ends_with("unknown order field `note` ignored")), "{warnings:?}");
}

#[test]
fn a_shopify_customers_export_imports_as_it_is() {
    let sb = Sandbox::new();
    let file = fixture("import_shapes/shopify_customers_export.csv");
    let out = sb.json(&["import", "customers", file.to_str().unwrap(), "--json"]);
    assert_eq!(out["added"], 3, "{out}");
    assert_eq!(customer_names(&sb), ["Mira Okafor", "Jonas Lindqvist", "pat.reyes@example.org"]);
    let phone: String = sb
        .conn()
        .query_row("SELECT value FROM identities WHERE kind = 'phone' ORDER BY id LIMIT 1", [], |r| r.get(0))
        .unwrap();
    assert_eq!(phone, "+15035550142");
    let warnings = out["warnings"].to_string();
    assert!(warnings.contains("unknown column `tags` ignored"), "{warnings}");
}

#[test]
fn a_zendesk_users_page_imports_as_it_is() {
    let sb = Sandbox::new();
    let file = fixture("import_shapes/zendesk_users.json");
    let out = sb.json(&["import", "customers", file.to_str().unwrap(), "--json"]);
    assert_eq!(out["added"], 2, "{out}");
    assert_eq!(customer_names(&sb), ["Ingrid Halvorsen", "Tomasz Wójcik"]);
    let zone: String =
        sb.conn().query_row("SELECT timezone FROM customers WHERE name = 'Tomasz Wójcik'", [], |r| r.get(0)).unwrap();
    assert_eq!(zone, "Europe/Warsaw");
    assert_eq!(sb.count("identities"), 3);
}

#[test]
fn a_garbled_line_item_names_the_order_and_item() {
    let sb = Sandbox::new();
    let file = sb.write(
        "c.json",
        r#"[{"name": "Ana", "orders": [{"number": "A-3", "placed_at": "2026-11-01T10:00:00Z", "total": 1,
            "line_items": [{"title": "Mixer", "quantity": 1, "price": "12.00"}, {"quantity": 2, "price": "1.00"}]}]}]"#,
    );
    let (code, _, err) = sb.run(&["import", "customers", file.to_str().unwrap()]).parts();
    assert_ne!(code, 0);
    assert!(err.contains("c.json: [0]: field `orders[0].line_items`") && err.contains("item [1]"), "{err}");
    assert!(err.contains("no name, title or sku"), "{err}");
    assert_eq!(sb.count("customers"), 0);
}

#[test]
fn a_repeated_csv_column_is_warned_about_naming_both() {
    let sb = Sandbox::new();
    let file = sb.write("c.csv", "name,email,phone,Email\nAna,ana@example.com,,ana2@example.com\n");
    let out = sb.json(&["import", "customers", file.to_str().unwrap(), "--json"]);
    let warnings = out["warnings"].to_string();
    assert!(warnings.contains("column `email` appears twice (columns 2 and 4)"), "{warnings}");
    let (code, _, err) = sb.run(&["import", "customers", file.to_str().unwrap()]).parts();
    assert_eq!(code, 0);
    assert!(err.contains("columns 2 and 4"), "{err}");
}

#[test]
fn a_duplicate_order_number_is_named() {
    let sb = Sandbox::new();
    let file = sb.write(
        "c.json",
        r#"[{"name": "Ana", "email": "ana@example.com", "orders": [{"number": "Z-9", "placed_at": "2026-11-01T10:00:00Z", "total": 1}]},
            {"name": "Bo", "email": "bo@example.com", "orders": [{"number": "Z-9", "placed_at": "2026-11-01T10:00:00Z", "total": 1}]}]"#,
    );
    let (code, _, err) = sb.run(&["import", "customers", file.to_str().unwrap()]).parts();
    assert_ne!(code, 0);
    assert!(err.contains("c.json: [1]: order number Z-9 appears twice"), "{err}");
    assert_eq!(sb.count("customers"), 0);
}

/// `import kb DIR --json` on the sandbox, given a minute at most so a hang fails the test
/// instead of stopping the suite.
fn import_kb(sb: &Sandbox, dir: &Path) -> serde_json::Value {
    let out =
        sb.cmd().args(["import", "kb", dir.to_str().unwrap(), "--json"]).timeout(Duration::from_secs(60)).output();
    let out = crate::common::Output::from(out.unwrap());
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

/// The reason given for `name` among the summary's `list` ("skipped" or "failed").
fn reason(summary: &serde_json::Value, list: &str, name: &str) -> String {
    summary[list]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["path"].as_str().unwrap().ends_with(name))
        .unwrap_or_else(|| panic!("{name} is not {list}: {summary}"))["reason"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn pages_kept_out_of_search_are_not_imported() {
    let sb = Sandbox::new();
    let keys = [
        ("search_exclude", "true"),
        ("excluded_in_search", "true"),
        ("exclude_from_search", "yes"),
        ("noindex", "true"),
        ("sitemap", "false"),
    ];
    for (key, value) in keys {
        sb.write(&format!("kb/{key}.md"), &format!("---\ntitle: Legal notice {key}\n{key}: {value}\n---\nText.\n"));
    }
    sb.write("kb/kept.md", "---\ntitle: Returns\nsearch_exclude: false\nsitemap: true\n---\nReturn within 30 days.\n");
    let out = import_kb(&sb, &sb.path("kb"));
    assert_eq!(out["added"], 1, "{out}");
    for (key, value) in keys {
        let why = reason(&out, "skipped", &format!("{key}.md"));
        assert_eq!(why, format!("kept out of search ({key}: {value})"));
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_or_a_link_to_a_device_in_a_kb_folder_is_skipped() {
    let sb = Sandbox::new();
    sb.write("kb/ok.md", "# Shipping\nWe ship in two days.\n");
    let fifo = sb.path("kb/x.md");
    crate::common::mkfifo(&fifo);
    std::os::unix::fs::symlink("/dev/zero", sb.path("kb/zero.md")).unwrap();
    std::os::unix::fs::symlink(sb.path("kb/ok.md"), sb.path("kb/alias.md")).unwrap();
    let out = import_kb(&sb, &sb.path("kb"));
    assert_eq!(out["added"], 2, "{out}");
    assert_eq!(reason(&out, "skipped", "x.md"), "not a regular file (a FIFO)");
    assert_eq!(reason(&out, "skipped", "zero.md"), "not a regular file (a device)");
}

/// Links back up the tree made the walk branch forever (two loops: 2^40 paths before the
/// system refused one); a folder linked twice was read twice.
#[cfg(unix)]
#[test]
fn kb_folders_linked_in_loops_or_twice_are_read_once() {
    let sb = Sandbox::new();
    sb.write("kb/a/returns.md", "# Returns\nReturn within 30 days.\n");
    sb.write("shared/warranty.md", "# Warranty\nTwo years on every tent.\n");
    std::os::unix::fs::symlink("..", sb.path("kb/a/up")).unwrap();
    std::os::unix::fs::symlink(sb.path("kb"), sb.path("kb/a/root")).unwrap();
    std::os::unix::fs::symlink(sb.path("shared"), sb.path("kb/s1")).unwrap();
    std::os::unix::fs::symlink(sb.path("shared"), sb.path("kb/s2")).unwrap();
    // An old name linked to a folder of the tree: the folder's own name is kept.
    std::os::unix::fs::symlink(sb.path("kb/a"), sb.path("kb/0-old-a")).unwrap();
    let out = import_kb(&sb, &sb.path("kb"));
    assert_eq!((out["added"].as_i64(), out["failed"].as_array().map(Vec::len)), (Some(2), Some(0)), "{out}");
    let sources: Vec<String> = crate::common::strings(&sb.conn(), "SELECT source FROM kb_articles ORDER BY source");
    assert_eq!(sources, ["kb/a/returns.md", "kb/s1/warranty.md"]);
}

/// A page named `ESC[2J…` cleared the screen of whoever imported it: names are printed with
/// their control characters written out.
#[cfg(unix)]
#[test]
fn a_file_name_with_terminal_escapes_is_printed_written_out() {
    let sb = Sandbox::new();
    sb.write("kb/ok.md", "# Shipping\nWe ship in two days.\n");
    let fifo = sb.path("kb/\u{1b}[2J\u{1b}]0;PWN\u{7}.md");
    crate::common::mkfifo(&fifo);
    let out = sb.ok(&["import", "kb", sb.path("kb").to_str().unwrap()]);
    assert!(!out.stdout.contains('\u{1b}') && !out.stdout.contains('\u{7}'), "{:?}", out.stdout);
    assert!(out.stdout.contains("\\u{1b}[2J\\u{1b}]0;PWN\\u{7}.md: not a regular file (a FIFO)"), "{}", out.stdout);
}

/// Read lossily, `caf\xE9.md` and `caf\xE8.md` were one article, each import replacing
/// the other.
#[cfg(unix)]
#[test]
fn kb_pages_whose_names_are_not_utf8_stay_apart() {
    use std::os::unix::ffi::OsStrExt;
    let sb = Sandbox::new();
    let dir = sb.path("kb");
    std::fs::create_dir_all(&dir).unwrap();
    for (byte, title) in [(0xe9u8, "Café"), (0xe8u8, "Cafè")] {
        let name = [b'c', b'a', b'f', byte, b'.', b'm', b'd'];
        std::fs::write(dir.join(std::ffi::OsStr::from_bytes(&name)), format!("# {title}\nText.\n")).unwrap();
    }
    let out = import_kb(&sb, &dir);
    assert_eq!(out["added"], 2, "{out}");
    let again = import_kb(&sb, &dir);
    assert_eq!((again["added"].as_i64(), again["unchanged"].as_i64()), (Some(0), Some(2)), "{again}");
}

#[test]
fn an_oversized_kb_page_is_left_out_with_its_size() {
    let sb = Sandbox::new();
    sb.write("kb/ok.md", "# Shipping\nWe ship in two days.\n");
    let big = "word ".repeat(1_000_000);
    sb.write("kb/big.md", &format!("# Big\n{big}"));
    let out = import_kb(&sb, &sb.path("kb"));
    assert_eq!(out["added"], 1, "{out}");
    assert!(reason(&out, "failed", "big.md").starts_with("larger than 4 MB"), "{out}");
}

/// A FIFO (which would wait forever for a writer) or a device (which never ends) named as a
/// file of records is refused at once, by name, and nothing is written.
#[test]
fn a_fifo_or_a_device_named_as_a_records_file_is_refused_at_once() {
    let sb = Sandbox::new();
    let fifo = sb.path("contacts.csv");
    crate::common::mkfifo(&fifo);
    std::os::unix::fs::symlink("/dev/zero", sb.path("customers.json")).unwrap();
    for (kind, file, what) in [("contacts", "contacts.csv", "a FIFO"), ("customers", "customers.json", "a device")] {
        let path = sb.path(file);
        let (code, _, err) = sb.run(&["import", kind, path.to_str().unwrap()]).parts();
        assert_eq!(code, 1, "{err}");
        assert!(err.contains(&format!("{file}: not a regular file ({what})")), "{err}");
    }
    assert_eq!(sb.count("customers"), 0);
    assert_eq!(sb.count("contacts"), 0);
}

/// The line an import error names, in a file written with each kind of line ending.
#[test]
fn csv_errors_name_the_line_an_editor_shows_whatever_the_line_endings() {
    let sb = Sandbox::new();
    let rows = [
        "channel,customer,subject",
        "phone,a@example.com,first",
        "phone,a@example.com,second",
        "fax,a@example.com,third",
    ];
    for (name, ending) in [("lf", "\n"), ("crlf", "\r\n"), ("cr", "\r")] {
        let file = sb.write(&format!("{name}.csv"), &(rows.join(ending) + ending));
        let (code, _, err) = sb.run(&["import", "contacts", file.to_str().unwrap()]).parts();
        assert_eq!(code, 1, "{name}: {err}");
        assert!(err.contains("line 4") && err.contains("channel") && err.contains("fax"), "{name}: {err}");
    }
    // A quoted field spanning lines counts its lines too.
    let file = sb.write(
        "multi.csv",
        "channel,customer,subject\r\nphone,a@example.com,\"two\r\nlines\"\r\nfax,a@example.com,x\r\n",
    );
    let (code, _, err) = sb.run(&["import", "contacts", file.to_str().unwrap()]).parts();
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("line 4"), "{err}");
    assert!(sb.json(&["queue", "--json"]).as_array().is_some_and(Vec::is_empty));
}

#[test]
fn an_empty_file_or_a_header_alone_is_refused_not_imported_as_nothing() {
    let sb = Sandbox::new();
    for (name, text, says) in [
        ("empty.csv", "", "the file is empty"),
        ("header.csv", "channel,customer,subject\n", "a header row but no records"),
        ("header_crlf.csv", "channel,customer,subject\r\n", "a header row but no records"),
    ] {
        let file = sb.write(name, text);
        for kind in ["contacts", "customers"] {
            let (code, out, err) = sb.run(&["import", kind, file.to_str().unwrap()]).parts();
            assert_eq!(code, 1, "{name} {kind}: {out}{err}");
            assert!(err.contains(name) && err.contains(says), "{name} {kind}: {err}");
            assert_eq!(err.trim().lines().count(), 1, "{err}");
        }
    }
}

/// A repeated column that makes a record's value wrong: the refusal names the record's line
/// and, in the same line, the repeated column behind it; nothing is imported.
#[test]
fn a_refusal_caused_by_a_repeated_column_names_the_column_too() {
    let sb = Sandbox::new();
    let file = sb.write("twice.csv", "channel,customer,subject,channel\nphone,a@example.com,hello,Body text\n");
    let (code, _, err) = sb.run(&["import", "contacts", file.to_str().unwrap()]).parts();
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("line 2") && err.contains("channel") && err.contains("Body text"), "{err}");
    assert!(err.contains("column `channel` appears twice (columns 1 and 4)"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert_eq!(sb.count("contacts"), 0);
}
