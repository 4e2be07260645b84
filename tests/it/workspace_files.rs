//! The workspace's own files: empty `FRONTLINE_*` variables, a workspace reached through a
//! symlink and through its real path at once, and its `-wal` deleted under a running writer.

use std::path::{Path, PathBuf};

use frontline::store::{self, open, open::WorkspaceMoved};
use rusqlite::Connection;

use crate::common::Sandbox;

// ---------------------------------------------------------------- empty variables

#[test]
fn an_empty_frontline_db_means_unset() {
    let sb = Sandbox::new();
    let out = sb.bare().env("FRONTLINE_DB", "").args(["db", "path"]).output().unwrap();
    let (code, stdout, stderr) = crate::common::Output::from(out).parts();
    assert_eq!(code, 0, "stdout: {stdout}\nstderr: {stderr}");
    assert!(stdout.contains("frontline.db"), "the default workspace: {stdout}");
    assert!(stdout.contains(sb.path("data").to_str().unwrap()), "under the data dir: {stdout}");
}

#[test]
fn an_empty_frontline_config_means_unset() {
    let sb = Sandbox::new();
    let out = sb.cmd().env("FRONTLINE_CONFIG", "").env("FRONTLINE_DB", "").args(["config"]).output().unwrap();
    let (code, stdout, stderr) = crate::common::Output::from(out).parts();
    assert_eq!(code, 0, "stdout: {stdout}\nstderr: {stderr}");
    assert!(stdout.contains(sb.path("config").to_str().unwrap()), "the default config file: {stdout}");
    // A flag still wins over the variable, and a real value still counts.
    let out = sb.bare().env("FRONTLINE_DB", sb.db()).args(["db", "path"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains(sb.db().to_str().unwrap()));
}

// ---------------------------------------------------------------- through a symlink

/// A workspace in `real/` and a symlink to it elsewhere: (temp dir, real path, link).
fn linked_workspace() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("real")).unwrap();
    let real = tmp.path().join("real/frontline.db");
    drop(store::open_workspace(&real).unwrap());
    let link = tmp.path().join("link.db");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    (tmp, real, link)
}

/// Overwrites every page but the first with garbage, in the main file only.
fn scribble_over_main_file(path: &Path, page_size: usize) {
    let mut bytes = std::fs::read(path).unwrap();
    for b in &mut bytes[page_size..] {
        *b = 0xA5;
    }
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn opening_through_a_symlink_reads_the_write_ahead_log_beside_the_real_file() {
    let (_tmp, real, link) = linked_workspace();
    // A running workstation on the real path has the whole database in its WAL (as in the
    // middle of a checkpoint, the main file alone is not a consistent database).
    let writer = store::open_workspace(&real).unwrap();
    writer.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
    store::meta_set(&writer, "written_by", "the real path").unwrap();
    writer.execute_batch("VACUUM").unwrap();
    let page_size: i64 = writer.pragma_query_value(None, "page_size", |r| r.get(0)).unwrap();
    scribble_over_main_file(&real, usize::try_from(page_size).unwrap());

    // Through the link: the same database, not "corrupt … restore it from a backup".
    let reader = store::open_workspace(&link).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(store::meta_get(&reader, "written_by").unwrap().as_deref(), Some("the real path"));
    assert!(store::connect(&link).is_ok());
}

#[test]
fn writers_through_a_symlink_and_the_real_path_at_once_never_see_a_false_corrupt() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    const WRITES: usize = 150;
    let (_tmp, real, link) = linked_workspace();
    let done = Arc::new(AtomicBool::new(false));
    // The workstation on the real path: big writes, each checkpointed into the main file,
    // so the main file is often in the middle of changing.
    let other = {
        let (real, done) = (real.clone(), Arc::clone(&done));
        std::thread::spawn(move || {
            let conn = store::open_workspace(&real).unwrap();
            let big = "x".repeat(256 * 1024);
            let mut i = 0;
            while !done.load(Ordering::Relaxed) {
                store::meta_set(&conn, &format!("real-{}", i % 8), &format!("{i}{big}")).unwrap();
                conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())).unwrap();
                i += 1;
            }
            i
        })
    };
    let mut failures = Vec::new();
    for i in 0..WRITES {
        // Each write opens afresh, as every `frontline` command does.
        let written =
            store::open_workspace(&link).and_then(|c: Connection| Ok(store::meta_set(&c, &format!("link-{i}"), "x")?));
        if let Err(e) = written {
            failures.push(format!("{e:#}"));
        }
    }
    done.store(true, Ordering::Relaxed);
    let their_writes = other.join().unwrap();
    println!("{WRITES} opens and writes through the link beside {their_writes} on the real path");
    assert!(failures.is_empty(), "{} of {WRITES} failed: {:?}", failures.len(), failures.first());
    let conn = store::open_workspace(&real).unwrap();
    let rows: i64 = conn.query_row("SELECT count(*) FROM meta WHERE key LIKE 'link-%'", [], |r| r.get(0)).unwrap();
    assert_eq!(rows, WRITES as i64);
}

/// "Is a directory (os error 21)" named no file; a FIFO was called an empty file.
#[cfg(unix)]
#[test]
fn a_folder_or_a_fifo_given_as_the_workspace_is_named_as_what_it_is() {
    let sb = Sandbox::new();
    let folder = sb.path("folder.db");
    std::fs::create_dir(&folder).unwrap();
    let fifo = sb.path("pipe.db");
    crate::common::mkfifo(&fifo);
    for (path, what) in [(&folder, "a folder"), (&fifo, "a FIFO")] {
        let out = crate::common::Output::from(sb.bare().arg("--db").arg(path).arg("queue").output().unwrap());
        assert_eq!(out.code, 1, "{}", out.stderr);
        let expected = format!("frontline: {}: not a regular file ({what}), not a Frontline workspace", path.display());
        assert_eq!(out.stderr.trim(), expected);
    }
}

// ---------------------------------------------------------------- files changing under us

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

#[test]
fn a_wal_deleted_under_a_running_writer_is_noticed_before_the_next_write() {
    let sb = Sandbox::new();
    let conn = store::open_workspace(&sb.db()).unwrap();
    let files = open::WorkspaceFiles::record(&conn).unwrap();
    store::meta_set(&conn, "before", "kept").unwrap();
    assert_eq!(open::check_files_unchanged(&files), Ok(()));

    // Someone cleans up "stray" files beside the database.
    std::fs::remove_file(sidecar(&sb.db(), "-wal")).unwrap();
    std::fs::remove_file(sidecar(&sb.db(), "-shm")).unwrap();
    let moved = open::check_files_unchanged(&files).unwrap_err();
    assert_eq!(moved, WorkspaceMoved { path: sb.db(), file: "-wal", deleted: true });
    let message = moved.to_string();
    assert!(
        message.starts_with(&format!("{}: its -wal file was deleted while Frontline was running", sb.db().display())),
        "{message}"
    );
    assert!(message.contains("stopped saving") && !message.contains('\n'), "{message}");
}

#[test]
fn a_workspace_file_replaced_or_moved_away_is_noticed() {
    let sb = Sandbox::new();
    let conn = store::open_workspace(&sb.db()).unwrap();
    let files = open::WorkspaceFiles::record(&conn).unwrap();
    // Restored from a backup by copying over it from another program: a new file.
    let copy = sb.path("work/copy.db");
    std::fs::copy(sb.db(), &copy).unwrap();
    std::fs::rename(&copy, sb.db()).unwrap();
    assert_eq!(open::check_files_unchanged(&files).unwrap_err().file, "");
    assert!(!open::check_files_unchanged(&files).unwrap_err().deleted);
    std::fs::rename(sb.db(), sb.path("work/moved.db")).unwrap();
    let moved = open::check_files_unchanged(&files).unwrap_err();
    assert!(moved.deleted && moved.to_string().contains("the workspace file was deleted or moved"), "{moved}");
}

#[test]
fn ordinary_use_of_the_workspace_is_not_mistaken_for_a_change() {
    let sb = Sandbox::new();
    let mut conn = store::open_workspace(&sb.db()).unwrap();
    let files = open::WorkspaceFiles::record(&conn).unwrap();
    assert_eq!(files.path(), sb.db());
    // Other connections and commands open and close; checkpoints truncate the WAL; an
    // erasure checkpoints; a backup reads everything.
    for i in 0..3 {
        let other = store::connect(&sb.db()).unwrap();
        store::meta_set(&other, &format!("other-{i}"), "x").unwrap();
    }
    sb.ok(&["contact", "new", "--channel", "phone", "--subject", "Call"]);
    store::erase::checkpoint(&conn).unwrap();
    store::write(&mut conn, |tx| store::meta_set(tx, "mine", "y")).unwrap();
    store::backup::backup(&sb.db(), &sb.path("work/backup.db"), false).unwrap();
    assert_eq!(open::check_files_unchanged(&files), Ok(()));
    // Through a link, the same files.
    let link = sb.path("link.db");
    std::os::unix::fs::symlink(sb.db(), &link).unwrap();
    let via_link = store::open_workspace(&link).unwrap();
    assert_eq!(open::WorkspaceFiles::record(&via_link).unwrap(), files);
    assert_eq!(
        open::WorkspaceFiles::record(&store::open_in_memory().unwrap())
            .map(|f| open::check_files_unchanged(&f))
            .unwrap(),
        Ok(())
    );
}

#[test]
fn a_workspace_just_created_by_a_running_frontline_opens_in_another_process() {
    // Until the first checkpoint the main file's header has no Frontline id yet: the
    // migrations that set it are in the WAL, which the second process must consult.
    let sb = Sandbox::new();
    let running = store::open_workspace(&sb.db()).unwrap();
    let (code, out, err) = sb.run(&["contact", "new", "--channel", "phone", "--subject", "First call"]).parts();
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(crate::common::count(&running, "contacts"), 1);
}
