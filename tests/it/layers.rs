//! The layers of DESIGN.md section 1, kept by a test anyone can read: the state machine
//! needs neither the store nor the screen; the store needs neither the state nor the file
//! formats; the domain needs nothing; SQL lives only in `src/store/`. The same checks by
//! hand: `grep -rE "crate::(store|ui)\b" src/state` finds nothing, and so on.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn src(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(rel)
}

/// Lines of the files under `dir` (or the file `dir`) that name a forbidden module.
fn crossings(dir: &Path, forbidden: &[&str]) -> Vec<String> {
    let files = if dir.is_dir() { sources(dir) } else { vec![dir.to_path_buf()] };
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            for module in forbidden {
                let pattern = format!("crate::{module}");
                let hit = line.match_indices(&pattern).any(|(i, _)| {
                    let after = line[i + pattern.len()..].chars().next();
                    !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
                });
                if hit {
                    found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    found
}

#[test]
fn the_state_imports_neither_the_store_nor_the_screen() {
    let found =
        crossings(&src("state"), &["store", "ui", "workers", "intake", "import", "export", "app", "commands", "team"]);
    assert!(found.is_empty(), "state crosses a layer:\n{}", found.join("\n"));
}

#[test]
fn the_store_imports_neither_the_state_nor_the_file_formats() {
    let found =
        crossings(&src("store"), &["state", "ui", "workers", "intake", "import", "export", "app", "commands", "team"]);
    assert!(found.is_empty(), "store crosses a layer:\n{}", found.join("\n"));
}

#[test]
fn the_protocol_is_plain_data_both_sides_share() {
    let found = crossings(&src("protocol.rs"), &["store", "ui", "state", "workers", "app", "intake", "import"]);
    assert!(found.is_empty(), "protocol crosses a layer:\n{}", found.join("\n"));
}

#[test]
fn the_domain_depends_on_nothing_else() {
    let others = [
        "store", "ui", "state", "workers", "app", "intake", "import", "export", "commands", "protocol", "config", "team",
        "keymap", "action",
    ];
    let found = crossings(&src("domain"), &others);
    assert!(found.is_empty(), "domain crosses a layer:\n{}", found.join("\n"));
}

#[test]
fn sql_runs_only_in_the_store() {
    let calls = [
        ".execute(",
        ".execute_batch(",
        ".prepare(",
        ".prepare_cached(",
        ".query_row(",
        ".query_map(",
        ".pragma_update(",
        ".pragma_query_value(",
    ];
    let store = src("store");
    let mut found = Vec::new();
    for file in sources(&src("")).into_iter().filter(|f| !f.starts_with(&store)) {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            if calls.iter().any(|c| line.contains(c)) {
                found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "SQL outside src/store:\n{}", found.join("\n"));
}

/// The checks above must be able to fail: a crossing written into a sample is caught.
#[test]
fn a_crossing_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sample.rs");
    std::fs::write(&file, "use crate::store::worker;\nuse crate::stored_thing;\n").unwrap();
    let found = crossings(dir.path(), &["store"]);
    assert_eq!(found.len(), 1, "{found:?}");
}
