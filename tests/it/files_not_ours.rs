//! Files that are not ours, through the real command line (`frontline --db PATH queue`):
//! each gets one line on stderr naming the file, exit status 1, never a panic, and a file
//! that was not ours keeps its exact bytes (and gets no -wal/-shm beside it). Also a full
//! disk (a small tmpfs when we may mount one, and `PRAGMA max_page_count` always),
//! `frontline db check` on good and damaged files, and `frontline db backup` while another
//! process is writing.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use assert_cmd::Command;
use frontline::domain::Channel;
use frontline::store::contacts::{self, NewContact};
use frontline::store::{self, notes};
use rusqlite::Connection;

fn frontline() -> Command {
    let mut cmd = Command::cargo_bin("frontline").unwrap();
    // Never touch the real home folder's workspace or config.
    cmd.env_remove("FRONTLINE_DB").env_remove("FRONTLINE_CONFIG");
    cmd
}

/// A real workspace (the demo data: hundreds of pages), closed and checkpointed, so the
/// whole database is in the main file. Seeded once, copied for each test.
fn real_workspace(dir: &Path, name: &str) -> PathBuf {
    use std::os::unix::fs::OpenOptionsExt;
    static TEMPLATE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    let bytes = TEMPLATE.get_or_init(|| {
        let seed_dir = tempfile::tempdir().unwrap();
        let path = seed_dir.path().join("template.db");
        let mut conn = store::open_workspace(&path).unwrap();
        frontline::demo::seed(&mut conn, frontline::domain::time::now()).unwrap();
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
        drop(conn);
        std::fs::read(&path).unwrap()
    });
    let path = dir.join(name);
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path).unwrap();
    std::io::Write::write_all(&mut file, bytes).unwrap();
    path
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Runs `args` on `path` and checks the refusal: exit 1, one stderr line that names
/// `named`, no panic, and — for a file that exists — its bytes unchanged and no side files.
fn refused(path: &Path, named: &str, args: &[&str]) -> String {
    let before = std::fs::read(path).ok();
    let out = frontline().arg("--db").arg(path).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{}: exit status; stderr: {stderr}", path.display());
    assert!(!stderr.contains("panicked"), "{}: panicked: {stderr}", path.display());
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr:?}");
    assert!(stderr.contains(named), "names {named}: {stderr}");
    if let Some(before) = before {
        assert_eq!(std::fs::read(path).unwrap(), before, "{}: bytes changed", path.display());
        for suffix in ["-wal", "-shm", "-journal"] {
            assert!(!sidecar(path, suffix).exists(), "{}: a {suffix} file was created", path.display());
        }
    }
    println!("{:<28} → {}", path.file_name().unwrap().to_string_lossy(), stderr.trim_end());
    stderr
}

fn refused_by_queue(path: &Path) -> String {
    refused(path, &path.display().to_string(), &["queue"])
}

#[test]
fn a_text_file_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "Shopping list\n- milk\n- eggs\n".repeat(50)).unwrap();
    let err = refused_by_queue(&path);
    assert!(err.contains("not a Frontline workspace"), "{err}");
}

#[test]
fn an_empty_file_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.db");
    std::fs::write(&path, b"").unwrap();
    let err = refused_by_queue(&path);
    assert!(err.contains("empty"), "{err}");
}

#[test]
fn another_programs_sqlite_database_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("browser-history.sqlite");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch("CREATE TABLE visits(url TEXT); INSERT INTO visits VALUES ('https://example.com');").unwrap();
    drop(conn);
    let err = refused_by_queue(&path);
    assert!(err.contains("not a Frontline workspace"), "{err}");
}

#[test]
fn a_truncated_workspace_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = real_workspace(dir.path(), "truncated.db");
    let len = std::fs::metadata(&path).unwrap().len();
    let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    file.set_len(len * 2 / 3).unwrap();
    drop(file);
    let err = refused_by_queue(&path);
    assert!(err.contains("truncated"), "{err}");
}

/// The first b-tree page (table or index, leaf or interior) at or after the middle of the
/// file, with its page size.
fn middle_btree_page(bytes: &[u8]) -> (usize, usize) {
    let page_size = usize::from(u16::from_be_bytes([bytes[16], bytes[17]]));
    let pages = bytes.len() / page_size;
    let page = (pages / 2..pages)
        .find(|p| matches!(bytes[p * page_size], 0x02 | 0x05 | 0x0a | 0x0d))
        .expect("a b-tree page in the second half");
    (page, page_size)
}

#[test]
fn a_workspace_with_a_damaged_page_header_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = real_workspace(dir.path(), "bitflip-header.db");
    let mut bytes = std::fs::read(&path).unwrap();
    let (page, size) = middle_btree_page(&bytes);
    // The page header and start of the cell-pointer array.
    for b in &mut bytes[page * size + 3..page * size + 12] {
        *b ^= 0x5a;
    }
    std::fs::write(&path, &bytes).unwrap();
    let err = refused_by_queue(&path);
    assert!(err.contains("corrupt"), "{err}");
}

#[test]
fn a_workspace_with_bits_flipped_in_pages_mid_file_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = real_workspace(dir.path(), "bitflip-middle.db");
    let mut bytes = std::fs::read(&path).unwrap();
    let page_size = usize::from(u16::from_be_bytes([bytes[16], bytes[17]]));
    // Flip every bit of the 64 bytes after the header of four b-tree leaf pages from the
    // middle of the file on: their cell pointers, which say where each row lies, and the
    // free space after them. (Bits
    // flipped inside a row's text cannot be found by anyone: SQLite keeps no checksums.)
    let pages = bytes.len() / page_size;
    let damaged: Vec<usize> = (pages / 2..pages)
        .filter(|p| matches!(bytes[p * page_size], 0x0a | 0x0d))
        .filter(|p| {
            let at = p * page_size;
            u16::from_be_bytes([bytes[at + 3], bytes[at + 4]]) >= 4
        })
        .take(4)
        .collect();
    assert_eq!(damaged.len(), 4, "four b-tree leaf pages of 4 rows or more in the second half");
    for p in &damaged {
        let at = p * page_size + 8;
        for b in &mut bytes[at..at + 64] {
            *b = !*b;
        }
    }
    std::fs::write(&path, &bytes).unwrap();
    let err = refused_by_queue(&path);
    assert!(err.contains("corrupt"), "{err}");
}

#[test]
fn a_workspace_from_a_newer_frontline_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = real_workspace(dir.path(), "newer.db");
    let conn = Connection::open(&path).unwrap();
    let v: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    conn.pragma_update(None, "user_version", v + 1).unwrap();
    conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    drop(conn);
    let err = refused_by_queue(&path);
    assert!(err.contains("newer Frontline"), "{err}");
}

/// A newer Frontline still running beside this one: its migration is committed but only
/// in the -wal, so the file's header still shows the old version. SQLite must be asked.
#[test]
fn a_newer_schema_still_in_the_wal_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = real_workspace(dir.path(), "newer-in-wal.db");
    let other = store::connect(&path).unwrap();
    other.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
    let v: i64 = other.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    other.pragma_update(None, "user_version", v + 1).unwrap();
    let out = frontline().arg("--db").arg(&path).arg("queue").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("newer Frontline"), "{stderr}");
    drop(other);
}

fn is_root() -> bool {
    // The owner of a file we just created is our effective user.
    use std::os::unix::fs::MetadataExt;
    let probe = tempfile::NamedTempFile::new().unwrap();
    probe.as_file().metadata().unwrap().uid() == 0
}

#[test]
fn a_read_only_workspace_is_refused_untouched() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = real_workspace(dir.path(), "read-only.db");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o400)).unwrap();
    // As root, permissions do not stop writes at all; the refusal comes from open.rs
    // reading the permission bits (`ReadOnly`), which is what this asserts either way.
    if is_root() {
        println!("running as root: 0400 does not stop root's writes; checking the permission-bit refusal");
    }
    let err = refused_by_queue(&path);
    assert!(err.contains("read-only"), "{err}");
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o400, "mode left alone");
}

#[test]
fn a_missing_folder_is_named_and_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-folder").join("deeper");
    let path = missing.join("x.db");
    let err = refused(&path, &missing.display().to_string(), &["queue"]);
    assert!(err.contains("folder does not exist"), "{err}");
    assert!(!dir.path().join("no-such-folder").exists(), "the folder was created");

    // The literal example from the issue (as root, creating it would succeed silently).
    let err = refused(Path::new("/nonexistent/dir/x.db"), "/nonexistent/dir", &["queue"]);
    assert!(err.contains("folder does not exist"), "{err}");
    assert!(!Path::new("/nonexistent").exists(), "/nonexistent was created");
}

#[test]
fn a_file_where_the_folder_should_be_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("blocker");
    std::fs::write(&blocker, "x").unwrap();
    let err = refused(&blocker.join("x.db"), &blocker.display().to_string(), &["queue"]);
    assert!(err.contains("not a folder"), "{err}");
    assert_eq!(std::fs::read(&blocker).unwrap(), b"x");
}

// ---------------------------------------------------------------- full disk

fn count(conn: &Connection, table: &str) -> i64 {
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap()
}

/// SQLITE_FULL without privileges: cap the connection's page count at its current size.
/// The write fails as a whole (nothing half-written), the error explains itself in one line
/// naming the file, and the workspace stays intact and usable.
#[test]
fn a_full_database_reports_one_clear_line_and_keeps_nothing_half_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("full.db");
    let mut conn = store::open_workspace(&path).unwrap();
    let contact =
        store::write(&mut conn, |tx| contacts::insert(tx, &NewContact::waiting(Channel::Phone, "s", 0))).unwrap();
    let pages: i64 = conn.pragma_query_value(None, "page_count", |r| r.get(0)).unwrap();
    conn.pragma_update(None, "max_page_count", pages).unwrap();
    let (contacts_before, notes_before) = (count(&conn, "contacts"), count(&conn, "notes"));

    let big = "long note text ".repeat(2_000);
    let err = store::write(&mut conn, |tx| -> rusqlite::Result<()> {
        notes::save_note(tx, contact, "a small note written first", 1)?;
        contacts::insert(tx, &NewContact::waiting(Channel::Email, "second", 1))?;
        notes::save_note(tx, contact, &big, 2)?;
        Ok(())
    })
    .unwrap_err();
    assert!(
        matches!(&err, rusqlite::Error::SqliteFailure(e, _) if e.code == rusqlite::ErrorCode::DiskFull),
        "SQLITE_FULL, got {err}"
    );
    let message = store::open::explain_storage_error(anyhow::Error::new(err), &path);
    let line = format!("{message:#}");
    println!("max_page_count: {line}");
    assert!(!line.contains('\n'), "{line}");
    assert!(line.starts_with(&path.display().to_string()), "names the file: {line}");
    assert!(line.contains("disk is full") && line.contains("nothing"), "{line}");
    assert_eq!(count(&conn, "contacts"), contacts_before, "no half-written transaction");
    assert_eq!(count(&conn, "notes"), notes_before, "no half-written transaction");

    // An import that does not fit changes nothing either.
    let rows: Vec<serde_json::Value> = (0..20)
        .map(|i| serde_json::json!({"channel": "email", "customer": format!("c{i}@example.com"), "subject": "s", "body": big.clone()}))
        .collect();
    let file = Path::new("big.json");
    let rows = frontline::import::records::parse_rows(file, serde_json::to_string(&rows).unwrap().as_bytes()).unwrap();
    let opts = frontline::import::records::Options { shift_seconds: 0, now: 1 };
    let err = frontline::import::records::import_contact_rows(&mut conn, file, rows, opts).unwrap_err();
    assert!(format!("{err:#}").contains("full"), "{err:#}");
    assert_eq!(count(&conn, "contacts"), contacts_before);
    assert_eq!(count(&conn, "customers"), 0);

    // Room again: the same connection writes, and the file is intact.
    conn.pragma_update(None, "max_page_count", 1_000_000).unwrap();
    store::write(&mut conn, |tx| notes::save_note(tx, contact, "after", 3).map(|_| ())).unwrap();
    let verdict: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(verdict, "ok");
}

/// A tmpfs of a couple of megabytes, unmounted on drop.
struct SmallDisk(tempfile::TempDir);

impl SmallDisk {
    fn mount(size: &str) -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Self(dir))
    }
    fn path(&self) -> &Path {
        self.0.path()
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(self.0.path()).status();
    }
}

/// Fills the file system holding `dir` to the last byte, then frees `spare` bytes.
fn fill(dir: &Path, spare: u64) -> PathBuf {
    use std::io::Write;
    let filler = dir.join("filler");
    let mut f = std::fs::File::create(&filler).unwrap();
    let block = vec![0u8; 4096];
    let mut written = 0u64;
    while f.write_all(&block).is_ok() {
        written += 4096;
    }
    drop(f);
    let file = std::fs::OpenOptions::new().write(true).open(&filler).unwrap();
    file.set_len(written.saturating_sub(spare)).unwrap();
    filler
}

fn queue_len(path: &Path) -> usize {
    let out = frontline().arg("--db").arg(path).args(["queue", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice::<Vec<serde_json::Value>>(&out.stdout).unwrap().len()
}

#[test]
fn a_full_disk_reports_one_clear_line_and_keeps_nothing_half_written() {
    let Some(disk) = SmallDisk::mount("2m") else {
        println!(
            "SKIPPED the tmpfs part: cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN); the max_page_count test covers SQLITE_FULL"
        );
        return;
    };
    let path = disk.path().join("ws.db");
    frontline()
        .arg("--db")
        .arg(&path)
        .args(["contact", "new", "--channel", "phone", "--subject", "before the disk filled"])
        .assert()
        .success();
    assert_eq!(queue_len(&path), 1);

    // Some room for the -shm and a little WAL, not for a 400 kB note.
    let filler = fill(disk.path(), 96 * 1024);
    let outside = tempfile::tempdir().unwrap();
    let import = outside.path().join("big.json");
    let rows: Vec<serde_json::Value> = (0..40)
        .map(|i| serde_json::json!({"channel": "email", "customer": format!("c{i}@example.com"), "subject": "s", "body": "x".repeat(10_000)}))
        .collect();
    std::fs::write(&import, serde_json::to_vec(&rows).unwrap()).unwrap();
    let err = refused(&path, &path.display().to_string(), &["import", "contacts", import.to_str().unwrap()]);
    assert!(err.contains("full"), "{err}");

    // No room at all, even to open: still one clear line, and a new workspace is not left
    // behind as an empty file (the next run would refuse it as "not a workspace").
    std::fs::remove_file(&filler).unwrap();
    let filler = fill(disk.path(), 0);
    let fresh = disk.path().join("fresh.db");
    let err = refused(&fresh, &fresh.display().to_string(), &["queue"]);
    assert!(err.contains("full"), "{err}");
    assert!(!fresh.exists(), "a half-created workspace was left behind");
    let building = crate::common::names_containing(disk.path(), "fresh.db");
    assert!(building.is_empty(), "nothing of the workspace being built is left: {building:?}");

    std::fs::remove_file(&filler).unwrap();
    assert_eq!(queue_len(&path), 1, "the failed write left nothing behind");
    frontline().arg("--db").arg(&path).args(["db", "check"]).assert().success();
}

// ---------------------------------------------------------- db check, backup

#[test]
fn db_check_passes_a_good_workspace_and_fails_a_damaged_one() {
    let dir = tempfile::tempdir().unwrap();
    let good = real_workspace(dir.path(), "good.db");
    let out = frontline().arg("--db").arg(&good).args(["db", "check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains(": ok"));

    let bad = dir.path().join("bad.db");
    let mut bytes = std::fs::read(&good).unwrap();
    let (page, size) = middle_btree_page(&bytes);
    for b in &mut bytes[page * size + 3..page * size + 12] {
        *b ^= 0x5a;
    }
    std::fs::write(&bad, &bytes).unwrap();
    let err = refused(&bad, &bad.display().to_string(), &["db", "check"]);
    assert!(err.contains("corrupt"), "{err}");
}

#[test]
fn db_backup_makes_a_consistent_private_copy_while_another_process_writes() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = real_workspace(dir.path(), "live.db");

    // A writer on its own connection keeps committing notes through the whole backup.
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicU64::new(0));
    let writer = {
        let (path, stop, written) = (path.clone(), Arc::clone(&stop), Arc::clone(&written));
        std::thread::spawn(move || {
            let mut conn = store::connect(&path).unwrap();
            let mut i = 0u64;
            while !stop.load(Ordering::Relaxed) || i < 50 {
                store::write(&mut conn, |tx| notes::save_note(tx, 1, &format!("live note {i}"), i as i64).map(|_| ()))
                    .unwrap();
                i += 1;
                written.store(i, Ordering::Relaxed);
            }
            i
        })
    };
    while written.load(Ordering::Relaxed) < 20 {
        std::thread::yield_now();
    }
    let copies: Vec<PathBuf> = (0..3).map(|i| dir.path().join(format!("backup-{i}.db"))).collect();
    for copy in &copies {
        frontline().arg("--db").arg(&path).args(["db", "backup"]).arg(copy).assert().success();
    }
    let during = written.load(Ordering::Relaxed);
    stop.store(true, Ordering::Relaxed);
    let total = writer.join().unwrap();
    assert!(during >= 20);

    for copy in &copies {
        assert_eq!(std::fs::metadata(copy).unwrap().permissions().mode() & 0o777, 0o600, "{}", copy.display());
        let conn = Connection::open(copy).unwrap();
        let verdict: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(verdict, "ok", "{}", copy.display());
        let live_notes = conn
            .query_row("SELECT count(*) FROM notes WHERE body LIKE 'live note %'", [], |r| r.get::<_, i64>(0))
            .unwrap();
        // A snapshot as of one commit: notes 0..n, with no gap.
        let max: Option<i64> = conn
            .query_row(
                "SELECT max(CAST(substr(body, 11) AS INTEGER)) FROM notes WHERE body LIKE 'live note %'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(max.map_or(0, |m| m + 1), live_notes, "{}: a consistent snapshot", copy.display());
        drop(conn);
        // And it opens as a Frontline workspace, through the real CLI too.
        drop(store::open_workspace(copy).unwrap());
        frontline().arg("--db").arg(copy).args(["db", "check"]).assert().success();
        println!("backup {}: {live_notes} of {total} live notes, integrity ok, mode 0600", copy.display());
    }
}

#[test]
fn db_backup_refuses_to_overwrite_without_force() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = real_workspace(dir.path(), "ws.db");
    let target = dir.path().join("existing.db");
    std::fs::write(&target, "precious").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = frontline().arg("--db").arg(&path).args(["db", "backup"]).arg(&target).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains(&target.display().to_string()) && err.contains("--force"), "{err}");
    assert_eq!(std::fs::read(&target).unwrap(), b"precious");

    frontline().arg("--db").arg(&path).args(["db", "backup", "--force"]).arg(&target).assert().success();
    assert_eq!(std::fs::metadata(&target).unwrap().permissions().mode() & 0o777, 0o600);
    frontline().arg("--db").arg(&target).args(["db", "check"]).assert().success();

    // The workspace itself is never a backup target, even with --force.
    let before = std::fs::read(&path).unwrap();
    let out = frontline().arg("--db").arg(&path).args(["db", "backup", "--force"]).arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read(&path).unwrap(), before);
    // No partial file is left beside a target.
    let leftovers = crate::common::names_containing(dir.path(), ".partial-");
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
