//! The live inbox against hostile and broken files: one it cannot read, names that are not
//! UTF-8, and what it keeps afterwards in `done/` and `rejected/` (masked, private, for a
//! limited time, and erased with the customer).

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use frontline::intake::inbox;
use frontline::store;
use rusqlite::Connection;
use serde_json::Value;

use crate::common::{self, Sandbox, fixture};

/// A moment after the fixtures were written (2027-01-15).
const NOW: i64 = 1_800_000_000;

fn inbox_with(root: &Path, files: &[&str]) -> PathBuf {
    let dir = root.join("inbox");
    std::fs::create_dir_all(&dir).unwrap();
    for f in files {
        std::fs::copy(fixture("inbox_hostile").join(f), dir.join(f)).unwrap();
    }
    dir
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect(),
        Err(_) => Vec::new(),
    };
    names.sort();
    names
}

/// `frontline ARGS` in the sandbox, without the power to read other people's files even
/// when the tests run as root (whose reads a mode of 000 does not stop).
fn run_unprivileged(sb: &Sandbox, args: &[&str], probe: &Path) -> common::Output {
    let privileged = std::fs::read(probe).is_ok();
    let bin = assert_cmd::cargo::cargo_bin!("frontline");
    let mut cmd = if privileged {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--bounding-set", "-dac_override,-dac_read_search", "--"]).arg(bin);
        c
    } else {
        std::process::Command::new(bin)
    };
    cmd.env("HOME", sb.path("home"))
        .env("XDG_DATA_HOME", sb.path("data"))
        .env("XDG_CONFIG_HOME", sb.path("config"))
        .env("XDG_STATE_HOME", sb.path("state"))
        .env_remove("FRONTLINE_DB")
        .env_remove("FRONTLINE_CONFIG")
        .arg("--db")
        .arg(sb.db());
    common::Output::from(cmd.args(args).output().unwrap())
}

#[test]
fn an_unreadable_file_is_set_aside_and_the_files_after_it_are_imported() {
    use std::os::unix::fs::PermissionsExt;
    let sb = Sandbox::new();
    let dir = inbox_with(&sb.path("work"), &["a-first.json", "b-locked.json", "c-last.json"]);
    let locked = dir.join("b-locked.json");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();

    let (code, out, err) = run_unprivileged(&sb, &["inbox", "--json"], &locked).parts();
    assert_eq!(code, 0, "one bad file does not fail the pass:\n{out}\n{err}");
    let json: Value = serde_json::from_str(&out).unwrap();
    let imported: Vec<&str> =
        json["imported"].as_array().unwrap().iter().map(|i| i["file"].as_str().unwrap()).collect();
    assert_eq!(imported.len(), 2, "{json:#}");
    assert!(imported[1].ends_with("done/c-last.json"), "the file after the unreadable one: {imported:?}");
    let rejected = &json["rejected"][0];
    assert!(rejected["file"].as_str().unwrap().ends_with("rejected/b-locked.json"), "{json:#}");
    let why = rejected["error"].as_str().unwrap();
    assert!(why.contains("b-locked.json: cannot read") && why.contains("ermission denied"), "{why}");
    assert!(err.contains("b-locked.json: cannot read"), "reported: {err}");
    assert_eq!(sb.count("contacts"), 2);

    // Set aside, so the next pass does not report it again.
    let (code, out, _) = run_unprivileged(&sb, &["inbox", "--json"], &dir.join("rejected/b-locked.json")).parts();
    assert_eq!(code, 0);
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["rejected"].as_array().unwrap().len(), 0, "{json:#}");
}

#[test]
fn a_name_that_is_not_utf8_is_reported_once_and_the_file_imported() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = inbox_with(tmp.path(), &[]);
    // "café-1.json" written by a Latin-1 system.
    let latin1 = dir.join(OsStr::from_bytes(b"caf\xE9-1.json"));
    std::fs::copy(fixture("inbox_hostile/c-last.json"), &latin1).unwrap();
    let mut conn = store::open_in_memory().unwrap();

    let s = inbox::process_inbox(&mut conn, &dir, NOW).unwrap();
    assert_eq!(s.renamed.len(), 1, "{s:#?}");
    assert_eq!(s.renamed[0].from, "caf\\xE9-1.json");
    assert_eq!(s.renamed[0].to, dir.join("caf%E9-1.json"));
    assert_eq!(s.imported.len(), 1, "{s:#?}");
    assert_eq!(s.imported[0].file, dir.join("done/caf%E9-1.json"));
    assert!(!latin1.exists());

    let again = inbox::process_inbox(&mut conn, &dir, NOW + 1).unwrap();
    assert!(again.renamed.is_empty() && again.imported.is_empty(), "reported once: {again:#?}");
    // A name not ending in .json stays someone else's business, whatever its bytes.
    std::fs::write(dir.join(OsStr::from_bytes(b"notes-\xFF.txt")), "x").unwrap();
    let third = inbox::process_inbox(&mut conn, &dir, NOW + 2).unwrap();
    assert!(third.renamed.is_empty(), "{third:#?}");
    assert_eq!(common::count(&conn, "contacts"), 1);
}

#[test]
fn the_inbox_command_names_a_renamed_file() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let sb = Sandbox::new();
    let dir = inbox_with(&sb.path("work"), &[]);
    std::fs::copy(fixture("inbox_hostile/c-last.json"), dir.join(OsStr::from_bytes(b"r\xE9sum\xE9.json"))).unwrap();
    let (code, out, err) = sb.run(&["inbox"]).parts();
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("1 file(s) imported"), "{out}");
    assert_eq!(names(&dir.join("done")), ["r%E9sum%E9.json"]);
}
