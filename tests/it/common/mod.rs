//! What the command-line tests share: a private [`Sandbox`] per test that runs the real
//! `frontline` binary, the [`Output`] it captures, and small helpers for fixtures, folders
//! and row counts.
//!
//! Every test file compiles this module on its own (`mod common;`) and uses only part of
//! it, so unused items are allowed here. A file adds helpers of its own to the sandbox with
//! an `impl common::Sandbox { … }` block of its own.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use rusqlite::Connection;
use serde_json::Value;
use tempfile::TempDir;

/// A private sandbox: HOME, the XDG data/config/state folders and a workspace inside one
/// temp dir, removed when the test ends.
pub struct Sandbox {
    dir: TempDir,
}

impl Sandbox {
    /// A new sandbox with its `work` folder (the workspace file does not exist until first use).
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("work")).unwrap();
        Self { dir }
    }

    /// The sandbox's temp dir itself.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// `rel` inside the sandbox.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// The workspace given with `--db`.
    pub fn db(&self) -> PathBuf {
        self.path("work/frontline.db")
    }

    /// The binary with this sandbox's environment and no `--db`.
    pub fn bare(&self) -> Command {
        let mut cmd = Command::cargo_bin("frontline").unwrap();
        cmd.env("HOME", self.path("home"))
            .env("XDG_DATA_HOME", self.path("data"))
            .env("XDG_CONFIG_HOME", self.path("config"))
            .env("XDG_STATE_HOME", self.path("state"))
            .env_remove("FRONTLINE_DB")
            .env_remove("FRONTLINE_CONFIG")
            .env("NO_COLOR", "1");
        cmd
    }

    /// The binary on this sandbox's workspace.
    pub fn cmd(&self) -> Command {
        let mut cmd = self.bare();
        cmd.arg("--db").arg(self.db());
        cmd
    }

    /// `frontline --db WORKSPACE ARGS`, as the process ended.
    pub fn output(&self, args: &[&str]) -> std::process::Output {
        self.cmd().args(args).output().unwrap()
    }

    /// `frontline --db WORKSPACE ARGS`: its exit code, stdout and stderr.
    pub fn run(&self, args: &[&str]) -> Output {
        Output::from(self.output(args))
    }

    /// [`Sandbox::run`], failing the test unless the command succeeded.
    pub fn ok(&self, args: &[&str]) -> Output {
        let out = self.run(args);
        assert_eq!(out.code, 0, "frontline {args:?} failed:\n{}\n{}", out.stdout, out.stderr);
        out
    }

    /// [`Sandbox::ok`] for a command that prints JSON: the parsed value.
    pub fn json(&self, args: &[&str]) -> Value {
        let out = self.ok(args);
        serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?} printed invalid JSON ({e}):\n{}", out.stdout))
    }

    /// Writes a file in the sandbox (making its folder) and returns its path.
    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    /// The workspace, opened directly.
    pub fn conn(&self) -> Connection {
        frontline::store::open_workspace(&self.db()).unwrap()
    }

    /// How many rows a table of the workspace holds.
    pub fn count(&self, table: &str) -> i64 {
        count(&self.conn(), table)
    }
}

/// What a finished command printed, and its exit code (-1 when a signal ended it).
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// Code, stdout and stderr, for `let (code, out, err) = sb.run(…).parts();`.
    pub fn parts(self) -> (i32, String, String) {
        (self.code, self.stdout, self.stderr)
    }
}

impl From<std::process::Output> for Output {
    fn from(o: std::process::Output) -> Self {
        Self {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

/// The binary outside any sandbox, with no workspace or config from the environment, in UTC.
pub fn frontline() -> Command {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("frontline");
    cmd.env_remove("FRONTLINE_DB").env_remove("FRONTLINE_CONFIG").env("TZ", "UTC");
    cmd
}

/// Runs `cmd`, failing the test unless it succeeds, and returns its stdout.
pub fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.assert().success();
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

/// `rel` under `tests/fixtures`.
/// The first column of every row `sql` returns, as text.
pub fn strings(conn: &Connection, sql: &str) -> Vec<String> {
    conn.prepare(sql).unwrap().query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
}

/// Makes a FIFO at `path` (the hostile "file" that waits for ever for a writer).
pub fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo").arg(path).status().unwrap();
    assert!(made.success(), "mkfifo {}", path.display());
}

pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(rel)
}

/// Copies a folder and everything in it.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// How many rows `table` holds.
pub fn count(conn: &Connection, table: &str) -> i64 {
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap()
}

/// The names in `dir` that contain `part` (files left behind, say).
pub fn names_containing(dir: &Path, part: &str) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(part))
        .collect()
}
