//! `frontline config [--default|--check]` and `frontline keys`.

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use serde::Serialize;

use super::{config_path, emit};
use crate::config;
use crate::domain::text::counted;
use crate::keymap::{Key, Scope};

/// Where the config file is.
#[derive(Serialize)]
struct Location {
    path: PathBuf,
    exists: bool,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.exists { "" } else { " (not created yet: frontline config --default > it)" };
        writeln!(f, "{}{state}", self.path.display())
    }
}

/// One problem of a config file, as `{line, key, message, text}`.
#[derive(Serialize)]
struct Problem {
    line: Option<u64>,
    key: Option<String>,
    message: String,
    text: String,
}

/// What `config --check` found.
#[derive(Serialize)]
struct Checked {
    path: PathBuf,
    ok: bool,
    problems: Vec<Problem>,
}

impl fmt::Display for Checked {
    /// The problems themselves go to stderr; stdout says only that all is well.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ok { writeln!(f, "{}: ok", self.path.display()) } else { Ok(()) }
    }
}

/// `frontline config [--default|--check] [--json]`.
pub(super) fn config(explicit: Option<&Path>, default: bool, check: bool, as_json: bool) -> Result<()> {
    if default {
        print!("{}", config::DEFAULT_TOML);
        return Ok(());
    }
    let path = config_path(explicit)?;
    if !check {
        let exists = path.exists();
        return emit(&Location { path, exists }, as_json);
    }
    let warnings = match config::load(&path) {
        Ok((_, warnings)) => warnings,
        Err(e) => {
            // Not TOML at all: one problem, the whole file (said on stderr by `main`).
            let problems = vec![problem(&path, &e.to_string())];
            emit(&Checked { path, ok: false, problems }, as_json)?;
            return Err(e);
        }
    };
    // Each problem on stderr, also with --json (whose stdout stays one JSON value).
    for w in &warnings {
        eprintln!("{}", w.0);
    }
    let problems: Vec<Problem> = warnings.iter().map(|w| problem(&path, &w.0)).collect();
    let count = problems.len();
    emit(&Checked { path: path.clone(), ok: count == 0, problems }, as_json)?;
    if count > 0 {
        bail!("{}: {}", path.display(), counted(count, "problem", "problems"));
    }
    Ok(())
}

/// A config problem ("FILE:LINE: key: message") taken apart.
fn problem(path: &Path, text: &str) -> Problem {
    let origin = path.display().to_string();
    let rest = text.strip_prefix(&origin).and_then(|r| r.strip_prefix(':')).unwrap_or(text);
    let (line, rest) = match rest.split_once(": ") {
        Some((n, r)) if n.parse::<u64>().is_ok() => (n.parse::<u64>().ok(), r),
        _ => (None, rest),
    };
    let (key, message) = match rest.split_once(": ") {
        Some((k, m)) if !k.contains(' ') => (Some(k.to_string()), m),
        _ => (None, rest),
    };
    Problem { line, key, message: message.to_string(), text: text.to_string() }
}

/// One binding of `frontline keys`.
#[derive(Serialize)]
struct Binding {
    scope: &'static str,
    action: String,
    keys: Vec<String>,
    desc: &'static str,
}

/// Every binding, pane by pane.
#[derive(Serialize)]
#[serde(transparent)]
pub(super) struct Keys(Vec<Binding>);

impl fmt::Display for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for scope in Scope::ALL {
            writeln!(f, "[{}]", scope.name())?;
            for b in self.0.iter().filter(|b| b.scope == scope.name()) {
                writeln!(f, "  {:<18} {:<16} {}", b.action, b.keys.join(", "), b.desc)?;
            }
        }
        Ok(())
    }
}

/// `frontline keys [--json]`: the keymap after the config's changes.
pub(super) fn keys(explicit: Option<&Path>) -> Result<Keys> {
    let (config, warnings) = config::load(&config_path(explicit)?)?;
    for w in &warnings {
        eprintln!("warning: {}", w.0);
    }
    let rows = Scope::ALL
        .into_iter()
        .flat_map(|scope| config.keymap.in_scope(scope).map(move |b| (scope, b)))
        .map(|(scope, b)| Binding {
            scope: scope.name(),
            action: b.action.name(),
            keys: b.keys.iter().map(Key::label).collect(),
            desc: b.desc,
        })
        .collect();
    Ok(Keys(rows))
}
