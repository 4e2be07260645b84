//! Snippets, bulletins and scripts from files, and snippets back out. Every record is
//! checked before anything is written; the first bad one is named by file, `[index]` and
//! field, and a bad file changes nothing.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use yaml_rust2::Yaml;

use super::fields::List;
use super::records::{self, Options, typed, warn_unknown};
use super::{Origin, RecordError};
use crate::domain::Timestamp;
use crate::domain::text::{mask_card_numbers, sanitize};
use crate::domain::time::parse_rfc3339;
use crate::store::bulletins::{self, NewBulletin};
use crate::store::kb::Upsert;
use crate::store::scripts::{self, ScriptStep};
use crate::store::{self, snippets};

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Card numbers and security codes masked in the text.
    pub cards_masked: usize,
    pub warnings: Vec<String>,
}

impl Summary {
    fn count(&mut self, u: Upsert) {
        match u {
            Upsert::Added => self.added += 1,
            Upsert::Updated => self.updated += 1,
            Upsert::Unchanged => self.unchanged += 1,
        }
    }
}

/// Reads a JSON array of objects; other file types are refused with the format to use.
fn json_rows(path: &Path, bytes: &[u8], what: &str) -> Result<Vec<records::Row>> {
    let is_json = path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if !is_json {
        bail!("{}: {what} are read from a .json file (an array of objects)", path.display());
    }
    records::parse_rows(path, bytes)
}

fn read(path: &Path) -> Result<Vec<u8>> {
    super::regular_file::read(path, super::regular_file::SMALL_FILE_BYTES)
}

/// Masks card numbers in stored text, counting them.
fn masked(text: &str, cards: &mut usize) -> String {
    let m = mask_card_numbers(&sanitize(text));
    *cards += m.cards + m.codes;
    m.text
}

/// Refuses a second record with the same key, naming both.
fn unique(
    seen: &mut HashMap<String, Origin>,
    key: String,
    path: &Path,
    origin: &Origin,
    field: &str,
) -> Result<(), RecordError> {
    if let Some(first) = seen.get(&key) {
        return Err(RecordError::field(path, origin.clone(), field, format!("\"{key}\" is also at {first}")));
    }
    seen.insert(key, origin.clone());
    Ok(())
}

// ---------------------------------------------------------------- snippets

/// A snippet in the file shape (`frontline export snippets` writes it, import reads it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnippetFile {
    pub title: String,
    pub body: String,
}

#[derive(Debug, Deserialize)]
struct SnippetRow {
    title: String,
    body: String,
    #[serde(flatten)]
    extra: BTreeMap<String, Value>,
}

/// Imports snippets from a `.json` array of `{title, body}`, or from Markdown: a `.md` file
/// or a folder of them, titled by front matter `title`, else the first heading, else the
/// file name. A snippet with a title already stored replaces its body. All or nothing.
pub fn import_snippets(conn: &mut Connection, path: &Path, now: Timestamp) -> Result<Summary> {
    if path.is_dir() || is_markdown(path) {
        let snippets = markdown_snippets(path)?;
        return store_snippets(conn, snippets, Summary::default(), now);
    }
    import_snippets_json(conn, path, &read(path)?, now)
}

/// Imports snippets from the bytes of a `.json` file; `path` names it in messages.
pub fn import_snippets_json(conn: &mut Connection, path: &Path, bytes: &[u8], now: Timestamp) -> Result<Summary> {
    let mut summary = Summary::default();
    let mut seen = HashMap::new();
    let mut checked = Vec::new();
    for (origin, map) in json_rows(path, bytes, "snippets")? {
        let row: SnippetRow = typed(path, &origin, map)?;
        warn_unknown(path, &row.extra, "field", &mut summary.warnings);
        let title = sanitize(row.title.trim());
        if title.is_empty() {
            return Err(RecordError::field(path, origin, "title", "must not be empty").into());
        }
        if row.body.trim().is_empty() {
            return Err(RecordError::field(path, origin, "body", "must not be empty").into());
        }
        unique(&mut seen, title.to_lowercase(), path, &origin, "title")?;
        checked.push(SnippetFile { title, body: row.body });
    }
    store_snippets(conn, checked, summary, now)
}

fn store_snippets(
    conn: &mut Connection,
    snippets: Vec<SnippetFile>,
    mut summary: Summary,
    now: Timestamp,
) -> Result<Summary> {
    let snippets: Vec<SnippetFile> = snippets
        .into_iter()
        .map(|s| SnippetFile {
            title: masked(&s.title, &mut summary.cards_masked),
            body: masked(&s.body, &mut summary.cards_masked),
        })
        .collect();
    store::write(conn, |tx| -> rusqlite::Result<()> {
        for s in &snippets {
            summary.count(snippets::upsert(tx, &s.title, &s.body, now)?);
        }
        Ok(())
    })?;
    Ok(summary)
}

fn is_markdown(path: &Path) -> bool {
    path.is_file()
        && matches!(
            path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref(),
            Some("md" | "markdown")
        )
}

fn markdown_snippets(path: &Path) -> Result<Vec<SnippetFile>> {
    let mut failed = Vec::new();
    let files = super::kb::collect(&[path.to_path_buf()], &mut failed);
    if let Some((p, why)) = failed.into_iter().next() {
        bail!("{}: {why}", p.display());
    }
    if files.is_empty() {
        bail!("{}: no .md files found", path.display());
    }
    let mut seen: HashMap<String, PathBuf> = HashMap::new();
    let mut out = Vec::new();
    for f in files {
        let bytes = read(&f.path)?;
        let text = String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{}: not UTF-8 text", f.path.display()))?;
        let snippet = markdown_snippet(&f.path, &text)?;
        if let Some(first) = seen.get(&snippet.title.to_lowercase()) {
            bail!("{}: title \"{}\" is also the title of {}", f.path.display(), snippet.title, first.display());
        }
        seen.insert(snippet.title.to_lowercase(), f.path.clone());
        out.push(snippet);
    }
    Ok(out)
}

/// One snippet from a Markdown file; placeholders (`{{…}}`) are kept as written.
fn markdown_snippet(path: &Path, text: &str) -> Result<SnippetFile> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text).replace("\r\n", "\n");
    let (front_title, body) = match text.strip_prefix("---\n").and_then(|rest| {
        rest.find("\n---\n")
            .map(|i| (&rest[..i], &rest[i + 5..]))
            .or_else(|| rest.strip_suffix("\n---").map(|f| (f, "")))
    }) {
        Some((yaml, body)) => {
            let docs = super::yaml::load_front_matter(yaml, 2)
                .map_err(|e| anyhow::anyhow!("{}: front matter {e}", path.display()))?;
            let title = match docs.first().map(|d| &d["title"]) {
                Some(Yaml::String(s)) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
                _ => None,
            };
            (title, body.to_string())
        }
        None => (None, text.clone()),
    };
    let (title, body) = match front_title {
        Some(t) => (t, body),
        None => {
            let trimmed = body.trim_start();
            match trimmed.strip_prefix("# ") {
                Some(rest) => {
                    let (heading, after) = rest.split_once('\n').unwrap_or((rest, ""));
                    (heading.trim().trim_end_matches('#').trim().to_string(), after.to_string())
                }
                None => {
                    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                    (super::kb::humanize(&name), body)
                }
            }
        }
    };
    let title = sanitize(title.trim());
    let body = body.trim().to_string();
    if title.is_empty() {
        bail!("{}: the snippet has no title (front matter `title` or a `# heading`)", path.display());
    }
    if body.is_empty() {
        bail!("{}: the snippet \"{title}\" has no text", path.display());
    }
    Ok(SnippetFile { title, body })
}

/// Writes every snippet as a JSON array of `{title, body}` (what [`import_snippets`]
/// reads); returns how many.
pub fn write_snippets(conn: &Connection, out: &mut dyn Write) -> Result<usize> {
    let rows: Vec<SnippetFile> =
        snippets::all(conn)?.into_iter().map(|s| SnippetFile { title: s.title, body: s.body }).collect();
    serde_json::to_writer_pretty(&mut *out, &rows)?;
    writeln!(out)?;
    Ok(rows.len())
}

// ---------------------------------------------------------------- bulletins

#[derive(Debug, Deserialize)]
struct BulletinRow {
    title: String,
    #[serde(default)]
    body: String,
    kind: String,
    starts_at: String,
    ends_at: Option<String>,
    #[serde(default)]
    keywords: List,
    /// Where it applies: regions, states, ZIP prefixes, cities, tags, products.
    #[serde(default)]
    areas: List,
    #[serde(flatten)]
    extra: BTreeMap<String, Value>,
}

/// Imports bulletins from a `.json` array of `{title, body, kind, starts_at, ends_at,
/// keywords, areas}` (RFC 3339 times). A bulletin with the same title and start is updated. All or
/// nothing.
pub fn import_bulletins(conn: &mut Connection, path: &Path, opts: Options) -> Result<Summary> {
    import_bulletins_json(conn, path, &read(path)?, opts)
}

/// Imports bulletins from the bytes of a `.json` file; times move by `opts.shift_seconds`.
pub fn import_bulletins_json(conn: &mut Connection, path: &Path, bytes: &[u8], opts: Options) -> Result<Summary> {
    let mut summary = Summary::default();
    let mut seen = HashMap::new();
    let mut checked = Vec::new();
    for (origin, map) in json_rows(path, bytes, "bulletins")? {
        let row: BulletinRow = typed(path, &origin, map)?;
        warn_unknown(path, &row.extra, "field", &mut summary.warnings);
        let err = |field: &str, msg: String| RecordError::field(path, origin.clone(), field, msg);
        let title = sanitize(row.title.trim());
        if title.is_empty() {
            return Err(err("title", "must not be empty".into()).into());
        }
        let Some(kind) = crate::domain::bulletin::BulletinKind::parse(&row.kind) else {
            return Err(err("kind", format!("\"{}\" is not incident or policy", row.kind)).into());
        };
        let time = |field: &str, v: &str| {
            parse_rfc3339(v.trim())
                .map(|t| t + opts.shift_seconds)
                .ok_or_else(|| err(field, format!("\"{v}\" is not an RFC 3339 time like 2026-11-20T09:10:00Z")))
        };
        let starts_at = time("starts_at", &row.starts_at)?;
        let ends_at = match row.ends_at.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            None => None,
            Some(v) => Some(time("ends_at", v)?),
        };
        if ends_at.is_some_and(|e| e <= starts_at) {
            return Err(err("ends_at", "is not after starts_at".into()).into());
        }
        unique(&mut seen, format!("{title} @ {}", row.starts_at.trim()), path, &origin, "title")?;
        checked.push(NewBulletin {
            title: masked(&title, &mut summary.cards_masked),
            body: masked(&row.body, &mut summary.cards_masked),
            kind,
            starts_at,
            ends_at,
            keywords: row.keywords.0,
            areas: row.areas.0,
        });
    }
    store::write(conn, |tx| -> rusqlite::Result<()> {
        for b in &checked {
            summary.count(bulletins::upsert(tx, b)?);
        }
        Ok(())
    })?;
    Ok(summary)
}

// ---------------------------------------------------------------- scripts

#[derive(Debug, Deserialize)]
struct ScriptRow {
    name: String,
    steps: Vec<StepRow>,
    #[serde(default)]
    keywords: List,
    #[serde(flatten)]
    extra: BTreeMap<String, Value>,
}

#[derive(Debug, Deserialize)]
struct StepRow {
    text: String,
    #[serde(default)]
    required: bool,
}

/// Imports scripts from a `.json` array of `{name, steps: [{text, required}], keywords}`.
/// A script with a name already stored is replaced. All or nothing.
pub fn import_scripts(conn: &mut Connection, path: &Path) -> Result<Summary> {
    import_scripts_json(conn, path, &read(path)?)
}

/// Imports scripts from the bytes of a `.json` file; `path` names it in messages.
pub fn import_scripts_json(conn: &mut Connection, path: &Path, bytes: &[u8]) -> Result<Summary> {
    let mut summary = Summary::default();
    let mut seen = HashMap::new();
    let mut checked = Vec::new();
    for (origin, map) in json_rows(path, bytes, "scripts")? {
        let row: ScriptRow = typed(path, &origin, map)?;
        warn_unknown(path, &row.extra, "field", &mut summary.warnings);
        let name = masked(row.name.trim(), &mut summary.cards_masked);
        if name.is_empty() {
            return Err(RecordError::field(path, origin, "name", "must not be empty").into());
        }
        if row.steps.is_empty() {
            return Err(RecordError::field(path, origin, "steps", "must have at least one step").into());
        }
        let mut steps = Vec::new();
        for (i, s) in row.steps.into_iter().enumerate() {
            let text = masked(s.text.trim(), &mut summary.cards_masked);
            if text.is_empty() {
                return Err(RecordError::field(path, origin, format!("steps[{i}].text"), "must not be empty").into());
            }
            steps.push(ScriptStep { text, required: s.required });
        }
        unique(&mut seen, name.to_lowercase(), path, &origin, "name")?;
        let keywords: Vec<String> = row.keywords.0.iter().map(|k| masked(k, &mut summary.cards_masked)).collect();
        checked.push((name, steps, keywords));
    }
    store::write(conn, |tx| -> rusqlite::Result<()> {
        for (name, steps, keywords) in &checked {
            summary.count(scripts::upsert(tx, name, steps, keywords)?);
        }
        Ok(())
    })?;
    Ok(summary)
}
