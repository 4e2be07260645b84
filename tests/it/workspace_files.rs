//! The workspace's own files: empty `FRONTLINE_*` variables, a workspace reached through a
//! symlink and through its real path at once, and its `-wal` deleted under a running writer.



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
