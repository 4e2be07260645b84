//! How the command line names the workspace in use, for hints that show a command to run.

use std::path::Path;

/// What starts a command on this workspace: `frontline`, `frontline --demo` or
/// `frontline --db PATH` (quoted for a POSIX shell when it has to be). A hint that says
/// `frontline kb draft export 3` to a rep working in the demo would export from another
/// workspace, or from none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation(String);

impl Default for Invocation {
    fn default() -> Self {
        Self("frontline".into())
    }
}

impl Invocation {
    /// The workspace chosen by `--db` (as typed) or `--demo`; neither is the default one.
    pub fn new(db: Option<&Path>, demo: bool) -> Self {
        match (db, demo) {
            (Some(db), _) => Self(format!("frontline --db {}", shell_quoted(&db.to_string_lossy()))),
            (None, true) => Self("frontline --demo".into()),
            (None, false) => Self::default(),
        }
    }

    /// `rest` as a command on this workspace: `frontline --demo kb draft export 3`.
    pub fn command(&self, rest: &str) -> String {
        format!("{} {rest}", self.0)
    }
}

/// `word` as one word for a POSIX shell: as it is when only safe characters make it up,
/// else in single quotes.
fn shell_quoted(word: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "/._-+=:,@%".contains(c);
    if !word.is_empty() && word.chars().all(safe) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_names_the_workspace_it_was_started_on() {
        assert_eq!(Invocation::new(None, false).command("sync"), "frontline sync");
        assert_eq!(Invocation::new(None, true).command("sync"), "frontline --demo sync");
        let db = Path::new("/srv/team/ws.db");
        assert_eq!(Invocation::new(Some(db), true).command("sync"), "frontline --db /srv/team/ws.db sync");
    }

    #[test]
    fn a_path_a_shell_would_split_or_expand_is_quoted() {
        let db = Path::new("/home/ana/My Work/it's $HOME.db");
        assert_eq!(
            Invocation::new(Some(db), false).command("sync"),
            r"frontline --db '/home/ana/My Work/it'\''s $HOME.db' sync"
        );
    }
}
