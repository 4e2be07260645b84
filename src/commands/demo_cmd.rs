//! `frontline demo [--reset]`: the demo workspace.

use std::fmt;
use std::path::PathBuf;

use anyhow::Result;
use serde::Serialize;

use crate::domain::time::now;
use crate::{demo, paths, store};

/// What `frontline demo` did to the demo workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Action {
    Created,
    Recreated,
    Exists,
}

/// The demo workspace and what was done to it.
#[derive(Serialize)]
pub(super) struct Demo {
    path: PathBuf,
    action: Action,
}

impl fmt::Display for Demo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        match self.action {
            Action::Recreated => writeln!(f, "Recreated the demo workspace at {path}")?,
            Action::Exists => writeln!(f, "The demo workspace is at {path} (use --reset to recreate it)")?,
            Action::Created => writeln!(f, "Created the demo workspace at {path}")?,
        }
        writeln!(f, "Open it with: frontline --demo")
    }
}

/// `frontline demo [--reset]`: creates the demo workspace (at `--db` if given), or
/// recreates it.
pub(super) fn demo(explicit: Option<PathBuf>, reset: bool) -> Result<Demo> {
    let path = match explicit {
        Some(p) => p,
        None => paths::demo_db()?,
    };
    let action = if reset {
        let existed = path.exists();
        demo::reset(&path, now())?;
        if existed { Action::Recreated } else { Action::Created }
    } else if path.exists() {
        store::open_workspace(&path)?;
        Action::Exists
    } else {
        demo::ensure(&path, now())?;
        Action::Created
    };
    tracing::info!(action = ?action, "demo workspace");
    Ok(Demo { path, action })
}
