//! Privacy at rest: the workspace, its -wal and -shm, backups and exports are created 0600
//! (whatever the umask), and the folder Frontline creates for them is 0700.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use frontline::domain::Channel;
use frontline::store::{self, contacts, notes};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// `frontline ARGS` under `umask 000` (the loosest possible), with HOME and the XDG folders
/// inside `home`, so the default locations are created there.
fn frontline_umask_000(home: &Path, args: &str) -> std::process::Output {
    let bin = assert_cmd::cargo::cargo_bin("frontline");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("umask 000 && exec \"$0\" {args}"))
        .arg(bin)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env_remove("FRONTLINE_DB")
        .env_remove("FRONTLINE_CONFIG")
        .output()
        .unwrap();
    assert!(out.status.success(), "frontline {args}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

#[test]
fn the_default_workspace_and_its_folder_are_private_even_with_umask_000() {
    let home = tempfile::tempdir().unwrap();
    frontline_umask_000(home.path(), "queue");
    let folder = home.path().join("data/frontline");
    let db = folder.join("frontline.db");
    assert_eq!(mode(&folder), 0o700, "{}", folder.display());
    assert_eq!(mode(&db), 0o600, "{}", db.display());

    frontline_umask_000(home.path(), "--demo queue");
    assert_eq!(mode(&folder.join("demo.db")), 0o600);
    for entry in std::fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(mode(&path), 0o600, "{}", path.display());
    }
    println!("default folder 0700, frontline.db and demo.db 0600 under umask 000");
}

#[test]
fn wal_and_shm_are_private_while_the_workspace_is_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ws.db");
    let mut conn = store::open_workspace(&path).unwrap();
    store::write(&mut conn, |tx| -> rusqlite::Result<()> {
        let id = contacts::insert(tx, &contacts::NewContact::waiting(Channel::Phone, "private", 0))?;
        notes::save_draft(tx, id, "customer's address", 0)
    })
    .unwrap();
    for p in [path.clone(), sidecar(&path, "-wal"), sidecar(&path, "-shm")] {
        assert_eq!(mode(&p), 0o600, "{}", p.display());
    }
}

#[test]
fn a_workspace_copied_in_with_loose_permissions_is_made_private_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("copied.db");
    drop(store::open_workspace(&path).unwrap());
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut conn = store::open_workspace(&path).unwrap();
    store::write(&mut conn, |tx| contacts::insert(tx, &contacts::NewContact::waiting(Channel::Chat, "x", 0))).unwrap();
    for p in [path.clone(), sidecar(&path, "-wal"), sidecar(&path, "-shm")] {
        assert_eq!(mode(&p), 0o600, "{}", p.display());
    }
}

#[test]
fn backups_and_exports_are_private_even_with_umask_000() {
    let home = tempfile::tempdir().unwrap();
    frontline_umask_000(home.path(), "--demo queue");
    let out = home.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o700)).unwrap();

    let backup = out.join("backup.db");
    frontline_umask_000(home.path(), &format!("--demo db backup '{}'", backup.display()));
    assert_eq!(mode(&backup), 0o600);
    // Replacing an existing, readable-by-all file gives a private one.
    std::fs::set_permissions(&backup, std::fs::Permissions::from_mode(0o644)).unwrap();
    frontline_umask_000(home.path(), &format!("--demo db backup --force '{}'", backup.display()));
    assert_eq!(mode(&backup), 0o600);

    let mut checked = 0;
    for what in ["notes", "contacts", "customers"] {
        let file = out.join(format!("{what}.json"));
        frontline_umask_000(home.path(), &format!("--demo export {what} --out '{}'", file.display()));
        assert_eq!(mode(&file), 0o600, "{}", file.display());
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        frontline_umask_000(home.path(), &format!("--demo export {what} --out '{}'", file.display()));
        assert_eq!(mode(&file), 0o600, "{}: an existing file is tightened", file.display());
        checked += 1;
    }
    // Nothing else was left in the folder (no temporary or partial files).
    let names: Vec<String> =
        std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names.len(), 1 + checked, "{names:?}");
    println!("backup and {checked} exports 0600 under umask 000");
}
