//! The `[team]` table: which help desk, where, as whom, and the secret to sign in with.
//! The secret itself is never part of the settings: it is read when a connection is made,
//! from `FRONTLINE_TEAM_SECRET` or from `secret_file`, which must be private to the rep
//! (mode 0600 or stricter, owned by the user running Frontline).

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

/// The environment variable that carries the secret instead of a file.
pub const SECRET_VARIABLE: &str = "FRONTLINE_TEAM_SECRET";

/// Which help-desk engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Request Tracker 5, over REST 2.0.
    Rt,
}

impl Backend {
    /// The name used in config and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rt => "rt",
        }
    }
}

/// How the secret is presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// User name and password (HTTP basic).
    Basic,
    /// An authentication token (RT's `Authorization: token …`).
    Token,
}

/// The `[team]` settings (without the secret).
#[derive(Debug, Clone, PartialEq)]
pub struct TeamSettings {
    pub backend: Backend,
    /// The help desk's base address, e.g. `https://rt.example.com` (no trailing slash).
    pub url: String,
    pub user: String,
    pub auth: Auth,
    pub secret_file: Option<PathBuf>,
    /// The help desk's queues the rep works (the team's departments for escalate/transfer).
    pub queues: Vec<String>,
    /// How often the jobs worker polls the change feed.
    pub poll_seconds: u64,
}

/// A problem in the `[team]` table: the key and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub key: String,
    pub message: String,
}

fn problem(key: &str, message: &str) -> Problem {
    Problem { key: key.to_string(), message: message.to_string() }
}

/// Reads the `[team]` table. Any problem leaves team mode off (the problems name the keys).
pub fn parse(table: &toml::Table) -> Result<TeamSettings, Vec<Problem>> {
    let mut problems = Vec::new();
    let text = |key: &str, problems: &mut Vec<Problem>| -> Option<String> {
        match table.get(key).map(|v| v.as_str().map(str::trim)) {
            Some(Some(s)) if !s.is_empty() => Some(s.to_string()),
            Some(_) => {
                problems.push(problem(key, "expected a non-empty string"));
                None
            }
            None => None,
        }
    };
    let backend = match text("backend", &mut problems).as_deref() {
        Some("rt") | None => Backend::Rt,
        Some(_) => {
            problems.push(problem("backend", "expected \"rt\" (Request Tracker 5)"));
            Backend::Rt
        }
    };
    let url = text("url", &mut problems).map(|u| u.trim_end_matches('/').to_string());
    if let Some(u) = &url
        && !(u.starts_with("http://") || u.starts_with("https://"))
    {
        problems.push(problem("url", "expected an address starting with http:// or https://"));
    }
    let user = text("user", &mut problems);
    let auth = match text("auth", &mut problems).as_deref() {
        Some("basic") | None => Auth::Basic,
        Some("token") => Auth::Token,
        Some(_) => {
            problems.push(problem("auth", "expected \"basic\" or \"token\""));
            Auth::Basic
        }
    };
    let secret_file = text("secret_file", &mut problems).map(|p| expand_home(&p));
    let queues = match table.get("queues") {
        None => vec!["General".to_string()],
        Some(v) => match v.as_array().and_then(|a| a.iter().map(|q| q.as_str().map(str::to_string)).collect()) {
            Some(list) if !Vec::is_empty(&list) => list,
            _ => {
                problems.push(problem("queues", "expected a non-empty list of queue names"));
                Vec::new()
            }
        },
    };
    let poll_seconds = match table.get("poll_seconds").map(toml::Value::as_integer) {
        None => 2,
        Some(Some(s @ 1..=3600)) => s.unsigned_abs(),
        Some(_) => {
            problems.push(problem("poll_seconds", "expected a whole number of seconds from 1 to 3600"));
            2
        }
    };
    for key in table.keys() {
        if !["backend", "url", "user", "auth", "secret_file", "queues", "poll_seconds"].contains(&key.as_str()) {
            problems.push(problem(key, "unknown key (ignored)"));
        }
    }
    for (key, missing) in [("url", url.is_none()), ("user", user.is_none())] {
        if missing && !problems.iter().any(|p| p.key == key) {
            problems.push(problem(key, "missing: team mode needs it"));
        }
    }
    match (url, user, problems.is_empty()) {
        (Some(url), Some(user), true) => {
            Ok(TeamSettings { backend, url, user, auth, secret_file, queues, poll_seconds })
        }
        _ => Err(problems),
    }
}

fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => Path::new(&home).join(rest),
        _ => PathBuf::from(path),
    }
}

/// The secret to sign in with. It has no `Display`, and its `Debug` hides it, so it
/// cannot end up in a log line or an error message by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret (tests and the engine's own use).
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that puts it on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(hidden)")
    }
}

/// Reads the secret: `FRONTLINE_TEAM_SECRET` when set, else `secret_file`, which must be a
/// regular file of mode 0600 (or stricter) owned by the user running Frontline. A refusal
/// is one line naming the file; it never quotes the file's content.
pub fn load_secret(settings: &TeamSettings) -> Result<Secret> {
    if let Some(value) = std::env::var_os(SECRET_VARIABLE) {
        let value = value.to_string_lossy().trim().to_string();
        if !value.is_empty() {
            return Ok(Secret(value));
        }
    }
    let Some(path) = &settings.secret_file else {
        bail!("team mode needs a secret: set [team] secret_file or {SECRET_VARIABLE}");
    };
    check_private(path)?;
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("{}: cannot read the team secret: {}", path.display(), e.kind()))?;
    let value = text.lines().next().unwrap_or_default().trim().to_string();
    if value.is_empty() {
        bail!("{}: the team secret file is empty", path.display());
    }
    Ok(Secret(value))
}

/// Refuses a secret file others could read or that belongs to someone else.
#[cfg(unix)]
fn check_private(path: &Path) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path)
        .map_err(|e| anyhow::anyhow!("{}: cannot read the team secret: {}", path.display(), e.kind()))?;
    if !meta.is_file() {
        bail!("{}: the team secret must be a regular file", path.display());
    }
    let mode = meta.mode() & 0o777;
    if mode & 0o077 != 0 {
        bail!("{}: refused: the team secret file is mode {mode:04o}; make it 0600 (chmod 600)", path.display());
    }
    let me = rustix::process::getuid().as_raw();
    if meta.uid() != me {
        bail!("{}: refused: the team secret file belongs to uid {}, not to you (uid {me})", path.display(), meta.uid());
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> toml::Table {
        text.parse().unwrap()
    }

    #[test]
    fn a_full_table_parses() {
        let s = parse(&table(
            "backend = \"rt\"\nurl = \"http://127.0.0.1:8080/\"\nuser = \"rep1\"\nauth = \"token\"\nqueues = [\"General\", \"Billing\"]\npoll_seconds = 5",
        ))
        .unwrap();
        assert_eq!(s.url, "http://127.0.0.1:8080");
        assert_eq!(s.auth, Auth::Token);
        assert_eq!(s.queues, ["General", "Billing"]);
        assert_eq!(s.poll_seconds, 5);
    }

    #[test]
    fn missing_and_bad_keys_are_named() {
        let problems = parse(&table("auth = \"kerberos\"\npoll_seconds = 0\ncolour = 1")).unwrap_err();
        let keys: Vec<&str> = problems.iter().map(|p| p.key.as_str()).collect();
        for key in ["auth", "poll_seconds", "colour", "url", "user"] {
            assert!(keys.contains(&key), "{key} not in {keys:?}");
        }
    }

    #[test]
    fn the_secret_does_not_show_in_debug() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "Secret(hidden)");
    }

    #[cfg(unix)]
    #[test]
    fn a_secret_file_others_can_read_is_refused_naming_the_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rt.secret");
        std::fs::write(&path, "hunter2\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = check_private(&path).unwrap_err().to_string();
        assert!(err.starts_with(&path.display().to_string()), "{err}");
        assert!(err.contains("0644") && !err.contains("hunter2") && !err.contains('\n'), "{err}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(check_private(&path).is_ok());
    }
}
