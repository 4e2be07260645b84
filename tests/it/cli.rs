//! The real `frontline` binary, each test in its own temporary HOME, XDG folders and
//! workspace: help and version, the demo, knowledge search, contacts, imports with good and
//! bad files, Markdown imports of messy real-world folders, `db path` / `db check`, and
//! files that are not workspaces.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common;

use common::{Output, Sandbox, copy_dir, fixture};

/// Helpers only these tests use.
impl Sandbox {
    fn queue(&self) -> Vec<Value> {
        self.json(&["queue", "--json"]).as_array().cloned().unwrap()
    }

    /// `db check`'s summary line (it counts customers and articles).
    fn check(&self) -> String {
        self.ok(&["db", "check"]).stdout
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Asserts a failed command printed exactly one line on stderr mentioning every `needle`.
fn one_line_error(out: &Output, code: i32, needles: &[&str]) {
    assert_eq!(out.code, code, "exit code; stderr:\n{}", out.stderr);
    let lines: Vec<&str> = out.stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line on stderr, got:\n{}", out.stderr);
    for needle in needles {
        assert!(lines[0].contains(needle), "{needle:?} missing from: {}", lines[0]);
    }
}

// ------------------------------------------------------------------ basics

#[test]
fn help_and_version_succeed() {
    let sb = Sandbox::new();
    let help = sb.ok(&["--help"]);
    for word in ["Usage", "import", "kb", "queue", "contact", "db", "--db"] {
        assert!(help.stdout.contains(word), "{word:?} missing from --help:\n{}", help.stdout);
    }
    let version = sb.ok(&["--version"]);
    assert!(version.stdout.starts_with("frontline "), "{}", version.stdout);
    assert!(version.stdout.contains(env!("CARGO_PKG_VERSION")), "{}", version.stdout);
    sb.ok(&["import", "--help"]);
    sb.ok(&["contact", "new", "--help"]);
    assert!(!sb.db().exists(), "help creates no workspace");
}

#[test]
fn an_unknown_subcommand_is_a_usage_error() {
    let sb = Sandbox::new();
    assert_eq!(sb.run(&["frobnicate"]).code, 2);
    assert_eq!(sb.run(&["kb", "search"]).code, 2, "a query is required");
}

#[test]
fn a_search_of_an_empty_knowledge_base_says_how_to_fill_it() {
    let sb = Sandbox::new();
    let out = sb.ok(&["kb", "search", "refund"]);
    assert!(out.stdout.starts_with("The knowledge base is empty: import a help centre with"), "{}", out.stdout);
    let dir = sb.path("kb");
    std::fs::create_dir(&dir).unwrap();
    sb.write("kb/returns.md", "# Returns\n\nWithin 30 days.");
    sb.ok(&["import", "kb", dir.to_str().unwrap()]);
    assert_eq!(sb.ok(&["kb", "search", "zebra"]).stdout, "No article matches “zebra”.\n");
}

#[test]
fn db_path_prints_the_workspace_path() {
    let sb = Sandbox::new();
    assert_eq!(sb.ok(&["db", "path"]).stdout.trim(), s(&sb.db()));
    let default = sb.bare().args(["db", "path"]).output().unwrap();
    assert!(default.status.success());
    let expected = sb.path("data/frontline/frontline.db");
    assert_eq!(String::from_utf8_lossy(&default.stdout).trim(), s(&expected), "XDG_DATA_HOME is honoured");
    let env = sb.bare().args(["db", "path"]).env("FRONTLINE_DB", sb.path("env.db")).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&env.stdout).trim(), s(&sb.path("env.db")), "FRONTLINE_DB is honoured");
}

#[test]
fn db_check_says_ok_with_counts() {
    let sb = Sandbox::new();
    let out = sb.check();
    assert!(out.contains(": ok"), "{out}");
    assert!(out.contains("0 customers") && out.contains("0 articles"), "{out}");
    assert!(sb.db().exists());
}

#[cfg(unix)]
#[test]
fn the_workspace_the_cli_creates_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let sb = Sandbox::new();
    sb.ok(&["queue"]);
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&sb.db()), 0o600, "workspace file given with --db");
    // The default location, folder and all, in a fresh data dir.
    let out = sb.bare().args(["queue"]).output().unwrap();
    assert!(out.status.success());
    let default = sb.path("data/frontline/frontline.db");
    assert_eq!(mode(&default), 0o600);
    assert_eq!(mode(default.parent().unwrap()), 0o700);
}

#[test]
fn a_workspace_in_a_missing_folder_is_refused_in_one_line() {
    let sb = Sandbox::new();
    let missing = sb.path("typo/ws.db");
    let out = Output::from(sb.bare().arg("--db").arg(&missing).arg("queue").output().unwrap());
    one_line_error(&out, 1, &[s(&sb.path("typo")), "does not exist"]);
    assert!(!sb.path("typo").exists(), "no folder is made for a mistyped --db");
}

#[test]
fn a_text_file_given_as_the_workspace_is_refused_untouched() {
    let sb = Sandbox::new();
    let path = sb.path("shopping-list.txt");
    let text = "eggs\nmilk\ncoffee\n".repeat(50);
    std::fs::write(&path, &text).unwrap();
    for args in [vec!["queue"], vec!["db", "check"], vec!["kb", "search", "refund"], vec!["import", "kb", "."]] {
        let out = Output::from(sb.bare().arg("--db").arg(&path).args(&args).output().unwrap());
        one_line_error(&out, 1, &[s(&path), "not a Frontline workspace"]);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "{args:?} changed the file");
    }
    for suffix in ["-wal", "-shm", "-journal"] {
        assert!(!sb.path(&format!("shopping-list.txt{suffix}")).exists());
    }
}

// ------------------------------------------------------------------ the demo

fn demo_sandbox() -> Sandbox {
    let sb = Sandbox::new();
    let out = Output::from(sb.bare().arg("demo").output().unwrap());
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("Created the demo workspace"), "{}", out.stdout);
    assert!(sb.path("data/frontline/demo.db").exists());
    sb
}

fn demo_json(sb: &Sandbox, args: &[&str]) -> Value {
    let out = Output::from(sb.bare().arg("--demo").args(args).output().unwrap());
    assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{args:?} printed invalid JSON ({e}):\n{}", out.stdout))
}

#[test]
fn demo_replies_on_every_channel_go_to_folders_beside_it() {
    let sb = demo_sandbox();
    let rows = demo_json(&sb, &["queue", "--json"]);
    let first_on = |channel: &str| {
        let row = rows.as_array().unwrap().iter().find(|r| r["channel"] == channel);
        row.and_then(|r| r["id"].as_i64()).unwrap_or_else(|| panic!("the demo has a {channel} contact")).to_string()
    };
    for (channel, folder) in [("email", "demo-outbox/new"), ("chat", "outbox"), ("social", "outbox")] {
        let id = first_on(channel);
        demo_json(&sb, &["contact", "accept", &id, "--json"]);
        let out =
            Output::from(sb.bare().args(["--demo", "contact", "reply", &id, "It is on its way."]).output().unwrap());
        assert_eq!(out.code, 0, "{channel}: {}", out.stderr);
        let written = std::fs::read_dir(sb.path("data/frontline").join(folder)).map(|d| d.count()).unwrap_or(0);
        assert!(written > 0, "{channel}: a reply in {folder}");
    }
    // A chat reply names the customer it is for.
    let files = std::fs::read_dir(sb.path("data/frontline/outbox")).unwrap().map(|f| f.unwrap().path());
    for file in files.filter(|p| p.extension().is_some_and(|e| e == "json")) {
        let reply: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        assert!(reply["customer"].as_str().is_some_and(|c| !c.is_empty()), "{reply}");
    }
    // The email comes from the support address the demo's customers wrote to.
    let mail = std::fs::read_dir(sb.path("data/frontline/demo-outbox/new")).unwrap().next().unwrap().unwrap().path();
    let text = std::fs::read_to_string(mail).unwrap();
    assert!(text.contains("From: \"Larkspur Support\" <support@larkspur.example>"), "{text}");
}

#[test]
fn demo_creates_a_queue_sorted_by_priority_then_waiting_time() {
    let sb = demo_sandbox();
    let rows = demo_json(&sb, &["queue", "--json"]);
    let rows = rows.as_array().unwrap();
    assert!(rows.len() >= 30, "{} rows", rows.len());
    // created_at is RFC 3339 like every time in JSON output; parsed, it orders as a time.
    let created =
        |r: &Value| chrono::DateTime::parse_from_rfc3339(r["created_at"].as_str().unwrap()).unwrap().timestamp();
    let keys: Vec<(i64, i64)> = rows.iter().map(|r| (r["priority"].as_i64().unwrap(), created(r))).collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(keys, sorted, "most urgent first, then oldest first");
    assert!(rows.iter().all(|r| r["status"] == "waiting"));
    assert!(keys.first().is_some_and(|k| k.0 == 1));
    // Running it again keeps the demo.
    let again = Output::from(sb.bare().arg("demo").output().unwrap());
    assert_eq!(again.code, 0);
    assert!(again.stdout.contains("--reset"), "{}", again.stdout);
}

/// One letter found one-letter words ("m" in "8 p.m." listed ten articles, "r" none).
#[test]
fn a_kb_search_of_one_letter_asks_for_a_second() {
    let sb = demo_sandbox();
    for letter in ["m", "r"] {
        let out = Output::from(sb.bare().args(["--demo", "kb", "search", letter]).output().unwrap());
        assert_eq!(
            (out.code, out.stdout.as_str()),
            (0, format!("“{letter}” is one letter: a search starts at two.\n").as_str())
        );
    }
    let two = Output::from(sb.bare().args(["--demo", "kb", "search", "re"]).output().unwrap());
    assert!(two.stdout.starts_with("1. "), "{}", two.stdout);
}

#[test]
fn kb_search_finds_a_return_window_article_first_and_prints_json() {
    let sb = demo_sandbox();
    let hits = demo_json(&sb, &["kb", "search", "return window", "--json"]);
    let hits = hits.as_array().unwrap();
    assert!(!hits.is_empty());
    let first = &hits[0];
    assert_eq!(first["category"], "Returns and refunds", "{first}");
    assert!(first["title"].as_str().unwrap().to_lowercase().contains("return"), "{first}");
    for h in hits {
        assert!(h["id"].is_i64() && h["score"].is_f64() && h["snippet"].is_string(), "{h}");
    }
    let scores: Vec<f64> = hits.iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] <= w[1]), "best (lowest bm25) first: {scores:?}");
    // People's output: numbered, with the category.
    let out =
        Output::from(sb.bare().args(["--demo", "kb", "search", "return", "window", "--limit", "3"]).output().unwrap());
    assert_eq!(out.code, 0);
    assert!(out.stdout.starts_with("1. "), "{}", out.stdout);
    assert!(out.stdout.contains("[Returns and refunds]"), "{}", out.stdout);
    assert!(!out.stdout.contains("4. "), "--limit 3:\n{}", out.stdout);
}

/// "return window" is ambiguous between the standard 30-day policy and the Plus 90-day
/// one: both must lead the results, ahead of articles that only mention a window.
#[test]
fn kb_search_puts_both_return_window_policies_first() {
    let sb = demo_sandbox();
    let hits = demo_json(&sb, &["kb", "search", "return window", "--json"]);
    let mut top: Vec<&str> = hits.as_array().unwrap().iter().take(2).map(|h| h["title"].as_str().unwrap()).collect();
    top.sort_unstable();
    assert_eq!(top, vec!["Larkspur Plus 90-day return window", "Returns within 30 days"], "{hits:#}");
}

#[test]
fn a_query_with_escapes_is_not_echoed_raw() {
    let sb = Sandbox::new();
    let out = sb.run(&["kb", "search", "--", "\u{1b}]0;pwned\u{7}\u{1b}[2J"]);
    assert_eq!(out.code, 0);
    assert!(!out.stdout.contains('\u{1b}') && !out.stdout.contains('\u{7}'), "{:?}", out.stdout);
}

#[test]
fn hostile_kb_queries_exit_0() {
    let sb = demo_sandbox();
    let long = "refund \" AND( NEAR( * ^ : ".repeat(400);
    let queries = [
        "\"",
        "\"\"",
        "wi-fi",
        "AND(",
        "OR",
        "NOT",
        "NEAR(",
        "C++",
        "*",
        "O'Brien",
        "^",
        ":",
        "-",
        "😀",
        "ｒｅｆｕｎｄ",
        "\u{1b}[2J",
        "title:refund",
        "'",
        "(",
        ")",
        "{",
        long.as_str(),
    ];
    for q in queries {
        for json in [false, true] {
            let mut cmd = sb.bare();
            cmd.args(["--demo", "kb", "search"]);
            if json {
                cmd.arg("--json");
            }
            let out = Output::from(cmd.arg("--").arg(q).output().unwrap());
            assert_eq!(out.code, 0, "query {q:?}: {}", out.stderr);
            if json {
                let v: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{q:?}: {e}"));
                assert!(v.is_array());
            }
        }
    }
    let hits = demo_json(&sb, &["kb", "search", "ｒｅｆｕｎｄ", "--json"]);
    assert!(!hits.as_array().unwrap().is_empty(), "full-width letters find refunds");
}

// ------------------------------------------------------------------ contacts

#[test]
fn a_new_contact_waits_in_the_queue_with_its_new_customer() {
    let sb = Sandbox::new();
    assert!(sb.queue().is_empty());
    let out = sb.ok(&["contact", "new", "--channel", "phone", "--subject", "S", "--customer", "new@example.com"]);
    assert!(out.stdout.contains("waiting in the queue"), "{}", out.stdout);
    let rows = sb.queue();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["subject"], "S");
    assert_eq!(rows[0]["channel"], "phone");
    assert_eq!(rows[0]["priority"], 3);
    assert_eq!(rows[0]["customer_name"], "new@example.com");
    assert!(sb.check().contains("1 customers"));
    // A second contact from the same address, differently cased, finds the same customer.
    let id = sb.json(&[
        "contact",
        "new",
        "--channel",
        "email",
        "--subject",
        "Again",
        "--customer",
        "NEW@example.com",
        "--priority",
        "1",
        "--json",
    ]);
    assert!(id["id"].is_i64(), "{id}");
    assert!(sb.check().contains("1 customers"));
    let rows = sb.queue();
    assert_eq!(rows[0]["subject"], "Again", "priority 1 goes first");
    assert_eq!(rows[0]["id"], id["id"]);
}

#[test]
fn a_contact_with_a_bad_priority_or_channel_is_a_usage_error() {
    let sb = Sandbox::new();
    for args in [
        vec!["contact", "new", "--channel", "phone", "--subject", "S", "--priority", "9"],
        vec!["contact", "new", "--channel", "phone", "--subject", "S", "--priority", "0"],
        vec!["contact", "new", "--channel", "phone", "--subject", "S", "--priority", "high"],
        vec!["contact", "new", "--channel", "fax", "--subject", "S"],
        vec!["contact", "new", "--channel", "phone"],
    ] {
        let out = sb.run(&args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
    }
    assert!(sb.queue().is_empty(), "nothing was created");
}

#[test]
fn a_contact_with_an_unknown_customer_key_is_an_error() {
    let sb = Sandbox::new();
    let out = sb.run(&["contact", "new", "--channel", "phone", "--subject", "S", "--customer", "LK-999999"]);
    one_line_error(&out, 1, &["--customer", "LK-999999"]);
    assert!(sb.queue().is_empty());
}

// ------------------------------------------------------------------ customer and contact imports

#[test]
fn customers_import_from_csv_and_json() {
    let sb = Sandbox::new();
    let out = sb.ok(&["import", "customers", s(&fixture("customers.csv"))]);
    assert!(out.stdout.contains("3 added"), "{}", out.stdout);
    let out = sb.ok(&["import", "customers", s(&fixture("customers.json"))]);
    assert!(out.stdout.contains("2 added"), "{}", out.stdout);
    assert!(sb.check().contains("5 customers"));
    // Importing again duplicates nothing, and says nothing changed (orders and billing too).
    let out = sb.ok(&["import", "customers", s(&fixture("customers.csv"))]);
    assert_eq!(out.stdout, "Customers: 0 added, 0 updated, 3 unchanged\n");
    let out = sb.ok(&["import", "customers", s(&fixture("customers.json"))]);
    assert_eq!(out.stdout, "Customers: 0 added, 0 updated, 2 unchanged\n");
    assert!(sb.check().contains("5 customers"));
    // A changed field is an update.
    let csv = std::fs::read_to_string(fixture("customers.csv"))
        .unwrap()
        .replace("Ben Okafor,ben@example.com,503.555.0102,,standard", "Ben Okafor,ben@example.com,503.555.0102,,plus");
    let changed = sb.write("changed.csv", &csv);
    let out = sb.ok(&["import", "customers", s(&changed)]);
    assert_eq!(out.stdout, "Customers: 0 added, 1 updated, 2 unchanged\n");
    // The imported identities are matched by contacts.
    sb.ok(&["contact", "new", "--channel", "chat", "--subject", "Hi", "--customer", "g.lind@example.org"]);
    assert_eq!(sb.queue()[0]["customer_name"], "Gus Lind");
}

#[test]
fn contacts_import_from_csv_and_json() {
    let sb = Sandbox::new();
    sb.ok(&["import", "customers", s(&fixture("customers.csv"))]);
    let out = sb.ok(&["import", "contacts", s(&fixture("contacts.csv"))]);
    assert!(out.stdout.contains("3 added, 1 new customer"), "{}", out.stdout);
    let out = sb.ok(&["import", "contacts", s(&fixture("contacts.json"))]);
    assert!(out.stdout.contains("2 added, 1 new customer"), "{}", out.stdout);
    let rows = sb.queue();
    let subjects: Vec<&str> = rows.iter().map(|r| r["subject"].as_str().unwrap()).collect();
    assert_eq!(
        subjects,
        vec!["Recall question", "Tent pole snapped", "Walk-in exchange", "Where is my order?"],
        "the resolved contact is not queued; priority then age"
    );
    let ana: Vec<&Value> = rows.iter().filter(|r| r["customer_name"] == "Ana Pereira").collect();
    assert_eq!(ana.len(), 2, "matched by email and by phone in another format: {rows:#?}");

    // The same file again (a second click, a rerun script): nothing doubles, and it says so.
    let again = sb.ok(&["import", "contacts", s(&fixture("contacts.csv"))]);
    assert_eq!(
        again.stdout,
        "Contacts: 0 added, 3 already in the workspace (same customer, channel, time, subject and text: not added \
         again), 0 new customers\n"
    );
    assert_eq!(sb.queue(), rows);
    // A record without a time starts when it is imported: it cannot be told from a new one.
    let json: Value = sb.json(&["import", "contacts", s(&fixture("contacts.json")), "--json"]);
    assert_eq!((&json["added"], &json["already_stored"]), (&Value::from(1), &Value::from(1)));
}

/// Runs a bad import and checks it fails with one line naming the place, changing nothing.
fn bad_import(sb: &Sandbox, what: &str, file: &str, needles: &[&str]) {
    let before = (sb.queue(), sb.check());
    let path = fixture(file);
    let out = sb.run(&["import", what, s(&path)]);
    let mut all = vec![file];
    all.extend_from_slice(needles);
    one_line_error(&out, 1, &all);
    assert_eq!((sb.queue(), sb.check()), before, "{file}: a bad import changes nothing");
}

#[test]
fn bad_customer_files_name_the_line_or_index_and_field_and_change_nothing() {
    let sb = Sandbox::new();
    sb.ok(&["import", "customers", s(&fixture("customers.csv"))]);
    bad_import(&sb, "customers", "customers_bad.csv", &["line 3", "email", "not-an-email"]);
    bad_import(&sb, "customers", "customers_bad.json", &["[1]", "flags", "platinum"]);
}

#[test]
fn a_bad_csv_email_names_the_column_as_written() {
    let sb = Sandbox::new();
    let out = sb.run(&["import", "customers", s(&fixture("customers_bad.csv"))]);
    one_line_error(&out, 1, &["field `email`"]);
}

#[test]
fn bad_contact_files_name_the_line_or_index_and_field_and_change_nothing() {
    let sb = Sandbox::new();
    sb.ok(&["import", "contacts", s(&fixture("contacts.csv"))]);
    bad_import(&sb, "contacts", "contacts_bad.csv", &["line 3", "priority", "9"]);
    bad_import(&sb, "contacts", "contacts_bad.json", &["[2]", "channel", "fax"]);
}

#[test]
fn a_large_csv_is_imported_as_it_is_read_and_a_bad_last_line_changes_nothing() {
    let sb = Sandbox::new();
    let row = |i: usize, priority: u8| format!("chat,c{i}@example.com,Question {i},{priority}\n");
    let mut text = String::from("\u{feff}channel,customer,subject,priority\n");
    for i in 0..3_000 {
        text.push_str(&row(i, 2));
    }
    let good = sb.write("big.csv", &text);
    text.push_str(&row(3_000, 9));
    let bad = sb.write("big_bad.csv", &text);
    let out = sb.run(&["import", "contacts", s(&bad)]);
    one_line_error(&out, 1, &["big_bad.csv", "line 3002", "priority", "9"]);
    assert_eq!(sb.count("contacts"), 0, "nothing of the 3,000 good rows before it");
    let out = sb.ok(&["import", "contacts", s(&good)]);
    assert!(out.stdout.contains("Contacts: 3000 added, 3000 new customers"), "{}", out.stdout);
    assert_eq!(sb.count("contacts"), 3_000);
}

#[test]
fn malformed_files_are_refused_in_one_line() {
    let sb = Sandbox::new();
    let dir = sb.path("files");
    std::fs::create_dir_all(&dir).unwrap();
    let cases: [(&str, &[u8], &[&str]); 6] = [
        ("broken.json", b"[{\"name\": \"A\",\n  \"email\": }]", &["broken.json", "line 2"]),
        ("latin1-header.csv", b"name,pr\xe9nom\nA,B\n", &["latin1-header.csv", "line 1", "UTF-8"]),
        ("object.json", b"{\"name\": \"A\"}", &["object.json", "array"]),
        ("quote.csv", b"name,email\n\"Open quote,a@example.com\nB,b@example.com\n", &["quote.csv"]),
        ("latin1.csv", b"name,email\nJos\xe9,jose@example.com\n", &["latin1.csv", "line 2", "UTF-8"]),
        ("customers.txt", b"name\nA\n", &["customers.txt", ".json, .jsonl or .csv"]),
    ];
    for (name, bytes, needles) in cases {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let out = sb.run(&["import", "customers", s(&path)]);
        one_line_error(&out, 1, needles);
    }
    let out = sb.run(&["import", "customers", s(&dir.join("missing.csv"))]);
    one_line_error(&out, 1, &["missing.csv"]);
    assert!(sb.check().contains("0 customers"));
}

// ------------------------------------------------------------------ Markdown imports

/// The fixture folder plus the files whose bytes matter (CRLF, BOM, Latin-1), written here
/// so no checkout setting can normalise them.
fn messy_kb(sb: &Sandbox) -> PathBuf {
    let root = sb.path("help-centre");
    copy_dir(&fixture("kb"), &root);
    std::fs::write(
        root.join("returns/crlf-gift-returns.md"),
        "---\r\ntitle: Gift returns\r\ntags: [gifts]\r\n---\r\n\r\nA gift can be returned for store credit.\r\n",
    )
    .unwrap();
    std::fs::write(root.join("shipping/bom-pickup.md"), "\u{feff}---\ntitle: Store pickup\n---\n\nPickup is free.\n")
        .unwrap();
    std::fs::write(root.join("shipping/latin1.md"), b"# Caf\xe9 delivery\n\nWe deliver to the caf\xe9.\n").unwrap();
    root
}

fn kb_titles(sb: &Sandbox, query: &str) -> Vec<String> {
    let hits = sb.json(&["kb", "search", query, "--json"]);
    hits.as_array().unwrap().iter().map(|h| h["title"].as_str().unwrap().to_string()).collect()
}

#[test]
fn a_messy_markdown_folder_imports_with_skips_and_failures_reported() {
    let sb = Sandbox::new();
    let root = messy_kb(&sb);
    let out = sb.run(&["import", "kb", s(&root)]);
    assert_eq!(out.code, 0, "the good files import even though one fails:\n{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("Articles: 5 added, 0 updated, 0 unchanged, 2 skipped, 1 failed"), "{}", out.stdout);
    assert!(out.stdout.contains("old-carrier.md: redirect page (redirect_to)"), "{}", out.stdout);
    assert!(out.stdout.contains("hidden-draft.md: hidden: true"), "{}", out.stdout);
    assert!(out.stderr.contains("latin1.md") && out.stderr.contains("not UTF-8"), "{}", out.stderr);
    assert!(sb.check().contains("5 articles"));

    // Titles from front matter (list and string tags), from `# Title`, CRLF and BOM files.
    assert_eq!(kb_titles(&sb, "refund window"), vec!["Refund window"]);
    assert_eq!(kb_titles(&sb, "swap"), vec!["Exchanges"], "tags given as a string");
    assert_eq!(kb_titles(&sb, "policy"), vec!["Refund window"], "tags given as a list");
    assert_eq!(kb_titles(&sb, "same day"), vec!["Shipping times"], "embedded HTML text is searchable");
    assert_eq!(kb_titles(&sb, "gift credit"), vec!["Gift returns"], "CRLF front matter");
    assert_eq!(kb_titles(&sb, "pickup"), vec!["Store pickup"], "BOM before the front matter");
    // Nothing of the site machinery, skipped pages or hidden folders.
    for word in ["baseurl", "callout", "zorkurl", "zeppelin", "partialword", "hiddenfolderword", "moved"] {
        assert!(kb_titles(&sb, word).is_empty(), "{word:?} should not be searchable");
    }
    let hits = sb.json(&["kb", "search", "same day", "--json"]);
    assert!(!hits[0]["snippet"].as_str().unwrap().contains('<'), "HTML tags are not in snippets: {hits}");
    assert_eq!(hits[0]["category"], "Shipping", "folders become categories");
    let exchanges = sb.json(&["kb", "search", "exchange", "--json"]);
    assert_eq!(exchanges[0]["category"], "Returns and refunds", "front matter category wins");

    // The same import again adds nothing and leaves everything as it was.
    let again = sb.run(&["import", "kb", s(&root)]);
    assert_eq!(again.code, 0);
    assert!(
        again.stdout.contains("Articles: 0 added, 0 updated, 5 unchanged, 2 skipped, 1 failed"),
        "{}",
        again.stdout
    );
    assert!(sb.check().contains("5 articles"));

    // An edited article is updated in place.
    std::fs::write(root.join("returns/exchanges.md"), "---\ntitle: Exchanges\n---\n\nSwap sizes in any store.\n")
        .unwrap();
    let edited = sb.ok(&["import", "kb", s(&root)]);
    assert!(edited.stdout.contains("0 added, 1 updated, 4 unchanged"), "{}", edited.stdout);
    assert!(sb.check().contains("5 articles"));
}

#[test]
fn an_import_where_every_file_fails_is_an_error() {
    let sb = Sandbox::new();
    let dir = sb.path("only-bad");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.md"), b"# Caf\xe9\n").unwrap();
    let out = sb.run(&["import", "kb", s(&dir)]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("a.md"), "{}", out.stderr);
    let missing = sb.run(&["import", "kb", s(&sb.path("nowhere"))]);
    assert_eq!(missing.code, 1);
    assert!(missing.stderr.contains("nowhere"), "{}", missing.stderr);
}
