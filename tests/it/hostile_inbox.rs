//! The live inbox against hostile and broken files: one it cannot read, names that are not
//! UTF-8, and what it keeps afterwards in `done/` and `rejected/` (masked, private, for a
//! limited time, and erased with the customer).

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use frontline::intake::inbox;
use frontline::store;
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
fn the_inbox_command_imports_a_file_whose_name_is_not_utf8() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let sb = Sandbox::new();
    let dir = inbox_with(&sb.path("work"), &[]);
    std::fs::copy(fixture("inbox_hostile/c-last.json"), dir.join(OsStr::from_bytes(b"r\xE9sum\xE9.json"))).unwrap();
    let (code, out, err) = sb.run(&["inbox"]).parts();
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("1 file imported"), "{out}");
    assert_eq!(names(&dir.join("done")), ["r%E9sum%E9.json"]);
}

fn set_age(path: &Path, seconds: u64) {
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(SystemTime::now() - Duration::from_secs(seconds)).unwrap();
}

const DAY: u64 = 24 * 3600;

#[test]
fn done_keeps_files_masked_private_and_only_for_a_while() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = inbox_with(tmp.path(), &["a-first.json", "e-broken.json"]);
    set_age(&dir.join("e-broken.json"), 60);
    let mut conn = store::open_in_memory().unwrap();
    let s = inbox::process_inbox_with(&mut conn, &dir, NOW, inbox::InboxOptions::keeping_done_days(7)).unwrap();
    assert_eq!((s.imported.len(), s.rejected.len()), (1, 1), "{s:#?}");

    let done = dir.join("done/a-first.json");
    assert_eq!(mode(&done), 0o600);
    let kept = std::fs::read_to_string(&done).unwrap();
    assert!(!kept.contains("4111 1111 1111 1111") && kept.contains("411111******1111"), "{kept}");
    let rejected = dir.join("rejected/e-broken.json");
    assert_eq!(mode(&rejected), 0o600);
    let kept = std::fs::read_to_string(&rejected).unwrap();
    assert!(!kept.contains("4111111111111111"), "{kept}");

    // Six days later it is still there; past the seventh it is gone.
    set_age(&done, 6 * DAY);
    let s = inbox::process_inbox(&mut conn, &dir, NOW + 1).unwrap();
    assert_eq!(s.expired, 0);
    set_age(&done, 7 * DAY + 60);
    let s = inbox::process_inbox(&mut conn, &dir, NOW + 2).unwrap();
    assert_eq!(s.expired, 1);
    assert!(names(&dir.join("done")).is_empty());
    assert!(rejected.exists(), "rejected files wait for someone to fix them");

    // Keeping nothing: imported, and nothing left behind.
    std::fs::copy(fixture("inbox_hostile/c-last.json"), dir.join("c-last.json")).unwrap();
    let s = inbox::process_inbox_with(&mut conn, &dir, NOW + 3, inbox::InboxOptions::keeping_done_days(0)).unwrap();
    assert_eq!(s.imported.len(), 1);
    assert!(names(&dir.join("done")).is_empty());
}

/// Whoever may drop files into the inbox could point `done/` at any folder: expiring old
/// kept files emptied it.
#[test]
fn a_done_folder_that_is_a_link_is_refused_and_what_it_points_at_is_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = inbox_with(tmp.path(), &["a-first.json"]);
    let victim = tmp.path().join("victim");
    std::fs::create_dir(&victim).unwrap();
    std::fs::write(victim.join("doc.json"), "precious").unwrap();
    set_age(&victim.join("doc.json"), 30 * DAY);
    std::os::unix::fs::symlink(&victim, dir.join("done")).unwrap();
    let mut conn = store::open_in_memory().unwrap();
    let err = inbox::process_inbox(&mut conn, &dir, NOW).unwrap_err().to_string();
    assert!(err.starts_with(&format!("{}: is a link to another folder", dir.join("done").display())), "{err}");
    assert_eq!(names(&victim), ["doc.json"]);
    assert_eq!(names(&dir), ["a-first.json", "done"], "nothing imported or moved");

    // A real done/ expires only the files it keeps: not what someone else left there.
    std::fs::remove_file(dir.join("done")).unwrap();
    std::fs::create_dir(dir.join("done")).unwrap();
    std::fs::write(dir.join("done/notes.txt"), "mine").unwrap();
    set_age(&dir.join("done/notes.txt"), 30 * DAY);
    let s = inbox::process_inbox(&mut conn, &dir, NOW).unwrap();
    assert_eq!((s.imported.len(), s.expired), (1, 0));
    assert!(dir.join("done/notes.txt").exists());
}

/// A link or a FIFO named `*.json` was left in the inbox, unmentioned, for ever. A link is
/// set aside as a link: its target (any file of the user's) is neither read, nor made
/// private, nor rewritten.
#[test]
fn a_link_or_a_fifo_in_the_inbox_is_set_aside_with_why_and_a_linked_file_left_alone() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = inbox_with(tmp.path(), &["a-first.json"]);
    let target = tmp.path().join("mine.json");
    std::fs::write(&target, r#"{"channel":"phone","subject":"card 4111 1111 1111 1111"}"#).unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::os::unix::fs::symlink(&target, dir.join("link.json")).unwrap();
    crate::common::mkfifo(&dir.join("pipe.json"));
    let mut conn = store::open_in_memory().unwrap();
    let s = inbox::process_inbox(&mut conn, &dir, NOW).unwrap();
    assert_eq!(s.imported.len(), 1, "{s:#?}");
    let mut why: Vec<&str> = s.rejected.iter().map(|r| r.error.as_str()).collect();
    why.sort();
    assert_eq!(why.len(), 2, "{s:#?}");
    assert!(why[0].ends_with("link.json: is a link; the inbox takes files, not links to them"), "{why:?}");
    assert!(why[1].ends_with("pipe.json: not a regular file"), "{why:?}");
    assert_eq!(names(&dir), ["done", "rejected", "tmp"]);
    assert_eq!(mode(&target), 0o644);
    assert!(std::fs::read_to_string(&target).unwrap().contains("4111 1111 1111 1111"), "the target is not rewritten");
}

/// Kept in `rejected/` unmasked because it was not UTF-8 — often the very reason it was
/// rejected.
#[test]
fn a_latin1_file_set_aside_has_its_card_masked_and_its_other_bytes_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = inbox_with(tmp.path(), &[]);
    let bytes = b"{\"channel\":\"phone\",\"subject\":\"caf\xe9 4111 1111 1111 1111\"}".to_vec();
    std::fs::write(dir.join("l.json"), &bytes).unwrap();
    set_age(&dir.join("l.json"), 60);
    let mut conn = store::open_in_memory().unwrap();
    let s = inbox::process_inbox(&mut conn, &dir, NOW).unwrap();
    assert_eq!(s.rejected.len(), 1, "{s:#?}");
    let kept = std::fs::read(dir.join("rejected/l.json")).unwrap();
    assert!(!String::from_utf8_lossy(&kept).contains("4111 1111 1111 1111"));
    assert!(kept.windows(4).any(|w| w == b"caf\xe9"), "{kept:?}");
    assert!(kept.windows(16).any(|w| w == b"411111******1111"), "{:?}", String::from_utf8_lossy(&kept));
}

/// Erasing read through a link left in `rejected/`, and wrote the file it pointed at (with
/// someone else's records) into `rejected/`.
#[test]
fn forgetting_a_customer_leaves_a_link_in_rejected_and_its_target_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = inbox_with(tmp.path(), &["a-first.json"]);
    let mut conn = store::open_in_memory().unwrap();
    inbox::process_inbox(&mut conn, &dir, NOW).unwrap();
    let dana = store::customers::find_by_key(&conn, "503-555-0142").unwrap().unwrap();
    let elsewhere = tmp.path().join("elsewhere.json");
    let text =
        r#"[{"customer": "503-555-0142", "subject": "kept"}, {"customer": "x@example.com", "subject": "other"}]"#;
    std::fs::write(&elsewhere, text).unwrap();
    std::fs::create_dir_all(dir.join("rejected")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, dir.join("rejected/l1.json")).unwrap();
    let traces = store::erase::traces(&conn, dana).unwrap();
    inbox::erase_customer_files(&dir, &traces).unwrap();
    assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), text);
    assert!(std::fs::symlink_metadata(dir.join("rejected/l1.json")).unwrap().file_type().is_symlink());
}

/// Every file under `dir`, with its bytes.
fn all_files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(all_files(&path));
        } else {
            out.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    out
}

fn assert_nowhere(dir: &Path, needles: &[&str]) {
    for (path, bytes) in all_files(dir) {
        let text = String::from_utf8_lossy(&bytes).to_lowercase();
        for needle in needles {
            assert!(!text.contains(&needle.to_lowercase()), "{needle} still in {}:\n{text}", path.display());
        }
    }
}

#[test]
fn forgetting_a_customer_cleans_their_records_out_of_done_and_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = inbox_with(tmp.path(), &["a-first.json", "c-last.json", "d-shared.json", "e-broken.json"]);
    set_age(&dir.join("e-broken.json"), 60);
    let mut conn = store::open_in_memory().unwrap();
    let s = inbox::process_inbox(&mut conn, &dir, NOW).unwrap();
    assert_eq!((s.imported.len(), s.rejected.len()), (3, 1), "{s:#?}");
    let dana = store::customers::find_by_key(&conn, "503-555-0142").unwrap().unwrap();

    let traces = store::erase::traces(&conn, dana).unwrap();
    let files = inbox::erase_customer_files(&dir, &traces).unwrap();
    store::erase::forget_customer(&mut conn, dana).unwrap();

    assert_nowhere(&dir, &["555-0142", "555 0142", "555.0142", "5035550142", "Whitlock"]);
    assert_eq!(names(&dir.join("done")), ["c-last.json", "d-shared.json"]);
    assert!(names(&dir.join("rejected")).is_empty(), "the broken file and its .error");
    let shared: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("done/d-shared.json")).unwrap()).unwrap();
    assert_eq!(shared.as_array().unwrap().len(), 1);
    assert_eq!(shared[0]["customer"], "miguel.ortiz@example.com", "the other customer's record stays");
    assert_eq!(mode(&dir.join("done/d-shared.json")), 0o600);

    let listed: Vec<(String, String, usize)> = files
        .iter()
        .map(|c| {
            let json = serde_json::to_value(c).unwrap();
            assert_eq!(json["where"], "file");
            (
                Path::new(&c.name).file_name().unwrap().to_string_lossy().into_owned(),
                json["action"].as_str().unwrap().to_string(),
                c.count,
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("a-first.json".to_string(), "deleted".to_string(), 1),
            ("d-shared.json".to_string(), "rewritten".to_string(), 1),
            ("e-broken.json".to_string(), "deleted".to_string(), 1),
        ]
    );
}

#[test]
fn forgetting_a_customer_deletes_the_outbox_copies_and_hashes_their_message_ids() {
    use frontline::intake::{Delivery, maildir, reply};
    let tmp = tempfile::tempdir().unwrap();
    let maildir = tmp.path().join("INBOX");
    common::copy_dir(&fixture("maildir"), &maildir);
    let mut conn = store::open_in_memory().unwrap();
    maildir::sync_maildir(&mut conn, &maildir, NOW).unwrap();
    let carla = store::customers::find_by_key(&conn, "carla.reyes@example.com").unwrap().unwrap();
    let contact: i64 = conn.query_row("SELECT id FROM contacts WHERE customer_id = ?1", [carla], |r| r.get(0)).unwrap();
    let outbox = tmp.path().join("Outbox");
    let delivery = Delivery::Outbox(outbox.clone());
    reply::send_reply(&mut conn, contact, "Your label is on its way.", &delivery, Some("s@larkspur.example"), NOW + 1)
        .unwrap();
    reply::send_reply(&mut conn, contact, "And the refund too.", &delivery, Some("s@larkspur.example"), NOW + 2)
        .unwrap();
    // A mail client sent the second one and moved it to cur/ with its flags.
    std::fs::create_dir_all(outbox.join("cur")).unwrap();
    let sent = names(&outbox.join("new"));
    assert_eq!(sent.len(), 2);
    std::fs::rename(outbox.join("new").join(&sent[1]), outbox.join("cur").join(format!("{}:2,S", sent[1]))).unwrap();

    let traces = store::erase::traces(&conn, carla).unwrap();
    let files = inbox::erase_customer_files(&tmp.path().join("inbox"), &traces).unwrap();
    let s = store::erase::forget_customer(&mut conn, carla).unwrap();

    assert_eq!(files.len(), 2, "{files:#?}");
    assert!(names(&outbox.join("new")).is_empty() && names(&outbox.join("cur")).is_empty());
    let ids: Vec<String> = conn
        .prepare("SELECT message_id FROM contact_messages WHERE contact_id = ?1")
        .unwrap()
        .query_map([contact], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(ids.len(), 5);
    assert!(ids.iter().all(|id| id.starts_with("erased-") && !id.contains("carla")), "{ids:?}");
    assert_eq!(s.message_ids_hashed, 5);
    assert!(store::erase::was_erased(&conn, "carla-1@mail.example.com").unwrap(), "still known as read");
    let places: Vec<Value> = s.cleaned().iter().map(|c| serde_json::to_value(c).unwrap()).collect();
    assert!(
        places.contains(
            &serde_json::json!({"where": "database", "name": "contact_messages", "action": "hashed", "count": 5})
        ),
        "{places:#?}"
    );
    assert!(
        places
            .contains(&serde_json::json!({"where": "database", "name": "customers", "action": "deleted", "count": 1}))
    );
}

#[test]
fn how_long_done_keeps_files_comes_from_the_config() {
    let (config, warnings) = frontline::config::parse("[intake]\nkeep_done_days = 2\n", "c.toml").unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(config.intake.inbox_options(), inbox::InboxOptions::keeping_done_days(2));
    let (config, warnings) = frontline::config::parse("[intake]\nkeep_done_days = -1\n", "c.toml").unwrap();
    assert_eq!(config.intake.inbox_options(), inbox::InboxOptions::default());
    assert_eq!(warnings[0].0, "c.toml:2: intake.keep_done_days: expected a number of days (0 keeps nothing)");
    let (defaults, _) = frontline::config::parse("", "c.toml").unwrap();
    assert_eq!(defaults.intake.inbox_options().keep_done, Duration::from_secs(7 * DAY));
}

#[test]
fn mail_read_in_again_after_an_erasure_can_be_erased_again() {
    use frontline::intake::maildir;
    let tmp = tempfile::tempdir().unwrap();
    let mut conn = store::open_in_memory().unwrap();
    for (round, folder) in ["INBOX", "INBOX-copy"].iter().enumerate() {
        let dir = tmp.path().join(folder);
        common::copy_dir(&fixture("maildir"), &dir);
        maildir::sync_maildir(&mut conn, &dir, NOW + round as i64).unwrap();
        let carla = store::customers::find_by_key(&conn, "carla.reyes@example.com").unwrap();
        if let Some(carla) = carla {
            store::erase::forget_customer(&mut conn, carla).unwrap_or_else(|e| panic!("round {round}: {e:#}"));
        }
    }
    let raw: i64 = conn
        .query_row("SELECT count(*) FROM contact_messages WHERE message_id LIKE 'carla-%'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(raw, 0);
}
