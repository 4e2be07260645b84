//! The command line as a terminal user meets it: shell completions, man pages, an example in
//! every subcommand's help, `--version`, config files good and bad (fixtures in
//! tests/fixtures/config/), key rebinding through the binary, `--json` shapes, progress bars
//! that stay quiet off a terminal, and log files that hold no customer data.

use std::path::{Path, PathBuf};

use clap::CommandFactory;
use serde_json::Value;

use crate::common;

use common::Sandbox;

/// Helpers only these tests use.
impl Sandbox {
    /// Writes a file in the sandbox and returns its path as a string.
    fn file(&self, rel: &str, text: &str) -> String {
        self.write(rel, text).display().to_string()
    }

    /// The platform state folder's log folder (XDG_STATE_HOME/frontline on Linux).
    fn log_dir(&self) -> PathBuf {
        self.path("state/frontline")
    }

    /// Everything in the log files.
    fn logs(&self) -> String {
        let mut text = String::new();
        for entry in std::fs::read_dir(self.log_dir()).unwrap() {
            text.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
        }
        text
    }
}

/// Every subcommand path below `cmd` (`["import", "kb"]`, …), without clap's `help`.
fn subcommand_paths(cmd: &clap::Command, prefix: &[String], out: &mut Vec<Vec<String>>) {
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let mut path = prefix.to_vec();
        path.push(sub.get_name().to_string());
        out.push(path.clone());
        subcommand_paths(sub, &path, out);
    }
}

fn all_subcommands() -> Vec<Vec<String>> {
    let mut out = Vec::new();
    subcommand_paths(&frontline::cli::Cli::command(), &[], &mut out);
    out
}

fn find<'a>(cmd: &'a clap::Command, path: &[String]) -> &'a clap::Command {
    path.iter().fold(cmd, |c, name| c.find_subcommand(name).unwrap())
}

// ---------------------------------------------------------------- help, version

#[test]
fn every_subcommand_in_the_clap_tree_has_an_example_in_its_after_help() {
    let root = frontline::cli::Cli::command();
    assert!(root.get_after_help().is_some_and(|h| h.to_string().contains("Example")), "frontline itself");
    let paths = all_subcommands();
    assert!(paths.len() >= 20, "expected the whole tree, got {paths:?}");
    let missing: Vec<String> = paths
        .iter()
        .filter(|p| {
            let cmd = find(&root, p);
            let help = cmd.get_after_help().or(cmd.get_after_long_help()).map(|h| h.to_string()).unwrap_or_default();
            !help.contains("Example")
        })
        .map(|p| p.join(" "))
        .collect();
    assert!(missing.is_empty(), "subcommands without an `Example` in after_help: {missing:?}");
}

#[test]
fn every_subcommand_help_runs_and_shows_an_example() {
    let sandbox = Sandbox::new();
    let mut paths = all_subcommands();
    paths.push(Vec::new());
    for path in paths {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let run = sandbox.ok(&args);
        assert!(run.stdout.contains("Example"), "frontline {args:?} shows no example:\n{}", run.stdout);
        assert!(run.stdout.contains("Usage: frontline"), "{args:?}");
    }
}

#[test]
fn version_prints_the_cargo_version() {
    let run = Sandbox::new().ok(&["--version"]);
    assert_eq!(run.stdout.trim(), format!("frontline {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn verbose_is_global_and_repeatable() {
    let sandbox = Sandbox::new();
    sandbox.ok(&["-vvv", "db", "path"]);
    sandbox.ok(&["db", "path", "--verbose", "-v"]);
}

// ---------------------------------------------------------------- completions, man

#[test]
fn completions_name_the_program_and_its_subcommands() {
    let sandbox = Sandbox::new();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let run = sandbox.ok(&["completions", shell]);
        assert!(run.stdout.len() > 500, "{shell}: a script that short cannot complete much");
        for word in ["frontline", "import", "export", "customers", "completions"] {
            assert!(run.stdout.contains(word), "{shell} completion does not mention {word}");
        }
        assert!(run.stderr.is_empty(), "{shell}: {}", run.stderr);
    }
    assert!(sandbox.ok(&["completions", "zsh"]).stdout.starts_with("#compdef frontline"));
    assert!(sandbox.ok(&["completions", "fish"]).stdout.contains("complete -c frontline"));
    assert_eq!(sandbox.run(&["completions", "tcsh"]).code, 2, "an unknown shell is a usage error");
}

#[test]
fn man_prints_the_main_page_or_writes_one_per_subcommand() {
    let sandbox = Sandbox::new();
    let page = sandbox.ok(&["man"]).stdout;
    assert!(page.contains(".TH frontline 1"), "{page}");
    assert!(page.contains("keyboard"), "the about text is in the page");

    let dir = sandbox.path("man/man1");
    let run = sandbox.ok(&["man", "--out", dir.to_str().unwrap()]);
    assert!(run.stdout.starts_with("Wrote "), "{}", run.stdout);
    for name in
        ["frontline.1", "frontline-import.1", "frontline-import-kb.1", "frontline-db-check.1", "frontline-man.1"]
    {
        let text = std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(text.contains(".TH"), "{name} is not a man page");
    }
    let pages = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(pages, all_subcommands().len() + 1, "one page per subcommand and the main page");
    assert!(run.stdout.starts_with(&format!("Wrote {pages} man pages")), "{}", run.stdout);
}

#[test]
fn man_never_writes_through_a_link_planted_in_its_folder() {
    let sandbox = Sandbox::new();
    let dir = sandbox.path("man1");
    std::fs::create_dir_all(&dir).unwrap();
    let precious = sandbox.path("precious.txt");
    std::fs::write(&precious, "keep me").unwrap();
    std::os::unix::fs::symlink(&precious, dir.join("frontline-man.1")).unwrap();
    let run = sandbox.run(&["man", "--out", dir.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("frontline-man.1: is a link"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&precious).unwrap(), "keep me");
}

// ---------------------------------------------------------------- config fixtures

fn fixture(name: &str) -> PathBuf {
    common::fixture("config").join(name)
}

#[test]
fn valid_config_fixtures_check_ok() {
    let sandbox = Sandbox::new();
    for name in ["valid-minimal.toml", "valid-full.toml"] {
        let path = fixture(name);
        let run = sandbox.ok(&["--config", path.to_str().unwrap(), "config", "--check"]);
        assert_eq!(run.stdout.trim(), format!("{}: ok", path.display()));
        assert!(run.stderr.is_empty(), "{name}: {}", run.stderr);
    }
}

#[test]
fn each_invalid_config_fixture_names_its_line_key_and_problem() {
    let sandbox = Sandbox::new();
    let cases = [
        ("invalid-syntax.toml", "3: not valid TOML"),
        ("invalid-unknown-key.toml", "3: colour: unknown key (ignored)"),
        ("invalid-theme.toml", "2: theme: expected \"standard\", \"high_contrast\" or \"monochrome\""),
        ("invalid-sla.toml", "5: sla.p2: expected a positive number of seconds"),
        ("invalid-key-name.toml", "4: keys.queue.accept_selected: \"ctrl-banana\" is not a key"),
        ("invalid-action.toml", "5: keys.queue.fly_away: unknown action"),
    ];
    let mut names: Vec<String> = std::fs::read_dir(fixture(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("invalid-"))
        .collect();
    names.sort();
    let mut covered: Vec<String> = cases.iter().map(|(n, _)| (*n).to_string()).collect();
    covered.sort();
    assert_eq!(names, covered, "every invalid fixture has an expected message here");

    for (name, expected) in cases {
        let path = fixture(name);
        let run = sandbox.run(&["--config", path.to_str().unwrap(), "config", "--check"]);
        assert_eq!(run.code, 1, "{name} must fail:\n{}", run.stderr);
        let wanted = format!("{}:{expected}", path.display());
        assert!(run.stderr.contains(&wanted), "{name}: expected {wanted:?} in:\n{}", run.stderr);
        assert!(run.stdout.is_empty(), "{name}: {}", run.stdout);
    }
}

/// A FIFO given as the config waited for ever; `/dev/zero` filled the memory.
#[cfg(unix)]
#[test]
fn a_config_that_is_a_fifo_or_a_device_is_refused_at_once() {
    let sandbox = Sandbox::new();
    let fifo = sandbox.path("config.toml");
    crate::common::mkfifo(&fifo);
    for (path, what) in [(fifo.to_str().unwrap(), "a FIFO"), ("/dev/zero", "a device")] {
        let run = sandbox.run(&["--config", path, "keys"]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert_eq!(run.stderr.trim(), format!("frontline: {path}: not a regular file ({what})"));
    }
    // A file of gigabytes was read whole into memory.
    let big = sandbox.path("big.toml");
    std::fs::File::create(&big).unwrap().set_len(3 << 30).unwrap();
    let run = sandbox.run(&["--config", big.to_str().unwrap(), "keys"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("big.toml: larger than 1 MB"), "{}", run.stderr);
}

/// A planted `out.json -> victim` was overwritten; an export into a FIFO waited for ever.
#[cfg(unix)]
#[test]
fn an_export_is_never_written_through_a_link_or_into_a_fifo() {
    let sandbox = Sandbox::new();
    let victim = sandbox.path("victim.txt");
    std::fs::write(&victim, "mine").unwrap();
    let link = sandbox.path("out.json");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let fifo = sandbox.path("pipe.json");
    crate::common::mkfifo(&fifo);
    for (path, why) in [(&link, "is a link; give the file itself"), (&fifo, "not a regular file (a FIFO)")] {
        let run = sandbox.run(&["export", "customers", "--out", path.to_str().unwrap()]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert_eq!(run.stderr.trim(), format!("frontline: {}: {why}", path.display()));
    }
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "mine");
    // An ordinary file is still replaced, and private.
    let out = sandbox.path("real.json");
    std::fs::write(&out, "old export, longer than the new one will be ".repeat(50)).unwrap();
    sandbox.ok(&["export", "customers", "--out", out.to_str().unwrap()]);
    assert!(std::fs::read_to_string(&out).unwrap().trim_start().starts_with('['));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
}

#[test]
fn config_check_json_lists_problems_with_line_and_key() {
    let sandbox = Sandbox::new();
    let path = fixture("invalid-sla.toml");
    let run = sandbox.run(&["--config", path.to_str().unwrap(), "config", "--check", "--json"]);
    assert_eq!(run.code, 1);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["problems"][0]["line"], 5);
    assert_eq!(v["problems"][0]["key"], "sla.p2");
    assert_eq!(v["problems"][0]["message"], "expected a positive number of seconds");

    let ok = sandbox.json(&["--config", fixture("valid-full.toml").to_str().unwrap(), "config", "--check", "--json"]);
    assert_eq!(ok["ok"], true);
    assert_eq!(ok["problems"], Value::Array(Vec::new()));
}

#[test]
fn keys_shows_the_rebindings_of_a_config_file() {
    let sandbox = Sandbox::new();
    let config = fixture("valid-full.toml");
    let config = config.to_str().unwrap();
    let run = sandbox.ok(&["--config", config, "keys"]);
    let line = |action: &str, section: &str| {
        let body = run.stdout.split(&format!("[{section}]")).nth(1).unwrap();
        body.lines().find(|l| l.split_whitespace().next() == Some(action)).unwrap().to_string()
    };
    assert!(line("accept_selected", "queue").contains("x, Ctrl-Y"), "{}", run.stdout);
    assert!(line("accept_next", "global").contains("F12"), "{}", run.stdout);
    // The vim preset adds g/G in the queue.
    assert!(line("first", "queue").contains('g'), "{}", run.stdout);

    let default = sandbox.ok(&["keys"]).stdout;
    let queue = default.split("[queue]").nth(1).and_then(|b| b.split("[customer]").next()).unwrap();
    assert!(!queue.contains("Ctrl-Y"), "without the file, the default keys: {queue}");

    let rows = sandbox.json(&["--config", config, "keys", "--json"]);
    let accept =
        rows.as_array().unwrap().iter().find(|r| r["scope"] == "queue" && r["action"] == "accept_selected").unwrap();
    assert_eq!(accept["keys"], serde_json::json!(["x", "Ctrl-Y"]));
    assert!(accept["desc"].as_str().is_some_and(|d| !d.is_empty()));
}

// ---------------------------------------------------------------- --json, progress

fn customers_csv(n: usize) -> String {
    let mut csv = String::from("name,email,phone,company,tier\n");
    for i in 0..n {
        csv.push_str(&format!("Customer {i},customer{i}@example.org,,Acme,gold\n"));
    }
    csv
}

#[test]
fn large_imports_and_exports_are_quiet_when_stderr_is_not_a_terminal() {
    let sandbox = Sandbox::new();
    let file = sandbox.file("in/customers.csv", &customers_csv(700));
    let run = sandbox.ok(&["import", "customers", &file]);
    assert_eq!(run.stdout.trim(), "Customers: 700 added, 0 updated, 0 unchanged");
    assert!(run.stderr.is_empty(), "no bar and no escape codes off a terminal: {:?}", run.stderr);

    let out = sandbox.path("out/customers.csv");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let run = sandbox.ok(&["export", "customers", "--format", "csv", "--out", out.to_str().unwrap()]);
    assert!(run.stdout.starts_with("Exported 700 customers"), "{}", run.stdout);
    assert!(run.stderr.is_empty(), "{:?}", run.stderr);
    let run = sandbox.ok(&["export", "customers", "--format", "jsonl"]);
    assert_eq!(run.stdout.lines().count(), 700);
    assert!(run.stderr.is_empty(), "{:?}", run.stderr);
}

#[test]
fn import_summaries_have_a_stable_json_shape() {
    let sandbox = Sandbox::new();
    let file = sandbox.file("in/customers.csv", &customers_csv(3));
    let v = sandbox.json(&["import", "customers", &file, "--json"]);
    assert_eq!(v, serde_json::json!({ "kind": "customers", "added": 3, "updated": 0, "unchanged": 0, "warnings": [] }));

    let contacts = sandbox.file(
        "in/contacts.json",
        r#"[{"channel": "email", "customer": "customer1@example.org", "subject": "Late", "colour": "red"}]"#,
    );
    let v = sandbox.json(&["import", "contacts", &contacts, "--json"]);
    assert_eq!(v["kind"], "contacts");
    assert_eq!(v["added"], 1);
    assert_eq!(v["customers_created"], 0);
    assert_eq!(v["cards_masked"], 0);
    assert_eq!(v["warnings"].as_array().unwrap().len(), 1, "the unknown column is a warning: {v}");

    let kb = sandbox.file("in/kb/returns/refunds.md", "# Refunds\n\nRefunds take five days.\n");
    let v = sandbox.json(&["import", "kb", Path::new(&kb).parent().unwrap().to_str().unwrap(), "--json"]);
    assert_eq!(v["kind"], "articles");
    assert_eq!(v["added"], 1);
    assert_eq!(v["failed"], Value::Array(Vec::new()));

    let snippets = sandbox.file("in/snippets.json", r#"[{"title": "Greeting", "body": "Hello!"}]"#);
    let v = sandbox.json(&["import", "snippets", &snippets, "--json"]);
    assert_eq!(v["kind"], "snippets");
    assert_eq!(v["added"], 1);
    assert_eq!(v["unchanged"], 0);
}

#[test]
fn db_demo_and_config_commands_speak_json() {
    let sandbox = Sandbox::new();
    let path = sandbox.json(&["db", "path", "--json"]);
    assert!(path["path"].as_str().unwrap().ends_with("frontline.db"));
    assert_eq!(path["exists"], false);

    let file = sandbox.file("in/customers.csv", &customers_csv(2));
    sandbox.ok(&["import", "customers", &file]);
    let check = sandbox.json(&["db", "check", "--json"]);
    assert_eq!(check["ok"], true);
    assert_eq!(check["integrity"], "ok");
    assert_eq!(check["customers"], 2);
    assert_eq!(check["articles"], 0);

    let backup = sandbox.path("work/backup.db");
    let v = sandbox.json(&["db", "backup", backup.to_str().unwrap(), "--json"]);
    assert!(v["pages"].as_u64().unwrap() > 0);
    assert!(v["bytes"].as_u64().unwrap() > 0);

    // `--db` names the demo file too; this one already holds the customers above.
    let v = sandbox.json(&["demo", "--json"]);
    assert_eq!(v["action"], "exists", "{v}");
    assert!(v["path"].as_str().unwrap().ends_with("frontline.db"));

    let config = sandbox.json(&["config", "--json"]);
    assert!(config["path"].as_str().unwrap().ends_with("config.toml"));
    assert_eq!(config["exists"], false);
}

// ---------------------------------------------------------------- logs

#[test]
fn verbose_runs_log_to_a_private_file_without_customer_data() {
    let sandbox = Sandbox::new();
    let email = "zed.private@example.org";
    let note = "parcel left behind the blue shed";
    let body = "my neighbour Ingrid signed for it";
    let customers = sandbox.file("in/customers.csv", &format!("name,email\nZed Quill,{email}\n"));
    let contacts = sandbox.file(
        "in/contacts.json",
        &format!(
            r#"[{{"channel": "email", "customer": "{email}", "subject": "Where is it", "body": "{body}",
                 "notes": [{{"at": "2026-11-20T10:00:00Z", "text": "{note}"}}]}}]"#
        ),
    );
    sandbox.ok(&["-vv", "import", "customers", &customers]);
    sandbox.ok(&["-vv", "import", "contacts", &contacts]);
    sandbox.ok(&[
        "-vv",
        "contact",
        "new",
        "--channel",
        "phone",
        "--subject",
        "Call back",
        "--customer",
        email,
        "--body",
        body,
    ]);
    let shown = sandbox.ok(&["-vv", "customer", "show", email]).stdout;
    assert!(shown.contains(note), "the note is really in the workspace");
    sandbox.ok(&["-vv", "kb", "search", "blue shed"]);
    sandbox.ok(&["-vv", "export", "notes", "--format", "csv"]);
    // An error message that quotes the key must not reach the log either.
    let failed = sandbox.run(&["-vv", "customer", "show", "nobody.secret@example.net"]);
    assert_eq!(failed.code, 1);
    assert!(failed.stderr.contains("nobody.secret@example.net"), "the user sees it: {}", failed.stderr);

    let dir = sandbox.log_dir();
    let files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1, "one file per day: {files:?}");
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("frontline.") && name.ends_with(".log"), "{name}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
        assert_eq!(std::fs::metadata(&files[0]).unwrap().permissions().mode() & 0o777, 0o600);
    }

    let log = sandbox.logs();
    for wanted in ["INFO", "DEBUG", "start", "version=", "command=import customers", "kb search", "import", "export"] {
        assert!(log.contains(wanted), "the log lacks {wanted:?}:\n{log}");
    }
    assert!(log.contains("workspace=frontline.db"), "the workspace by file name:\n{log}");
    assert!(log.contains("failed"), "the failure is logged by kind:\n{log}");
    for secret in [email, note, body, "Zed Quill", "nobody.secret", "blue shed", "Ingrid"] {
        assert!(!log.contains(secret), "the log contains customer data {secret:?}:\n{log}");
    }
    let sandbox_path = sandbox.root().display().to_string();
    assert!(!log.contains(&sandbox_path), "full paths (with a user name) stay out of the log:\n{log}");
}

#[test]
fn the_default_level_logs_warnings_only() {
    let sandbox = Sandbox::new();
    sandbox.ok(&["db", "path"]);
    assert!(!sandbox.logs().contains("INFO"), "{}", sandbox.logs());
    assert_eq!(sandbox.run(&["customer", "show", "nobody@example.net"]).code, 1);
    let log = sandbox.logs();
    assert!(log.contains("WARN") && log.contains("failed"), "{log}");
    assert!(!log.contains("nobody@example.net"), "{log}");
}

#[test]
fn old_log_files_are_pruned_to_a_week() {
    let sandbox = Sandbox::new();
    let dir = sandbox.log_dir();
    std::fs::create_dir_all(&dir).unwrap();
    for day in 1..=10 {
        std::fs::write(dir.join(format!("frontline.2020-01-{day:02}.log")), "old\n").unwrap();
    }
    std::fs::write(dir.join("notes.txt"), "not a log").unwrap();
    sandbox.ok(&["-v", "db", "path"]);
    let logs = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| frontline::logging::is_log_file(&e.as_ref().unwrap().file_name().to_string_lossy()))
        .count();
    assert_eq!(logs, frontline::logging::KEEP_FILES, "a week of files, today's included");
    assert!(dir.join("notes.txt").exists(), "only log files are pruned");
}
