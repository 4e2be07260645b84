//! Knowledge-base articles from Markdown files and folders, as help-centre exports and
//! static-site docs really are: optional YAML front matter, folders as categories, template
//! tags removed, redirect and hidden pages skipped. Re-importing updates changed articles.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::Result;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use rusqlite::Connection;
use yaml_rust2::Yaml;

use crate::domain::Timestamp;
use crate::domain::text::{mask_card_numbers, sanitize};
use crate::store::{self, kb};

/// What an import did, with reasons for what it left out.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Pages deliberately left out (redirects, hidden, drafts, pages kept out of search,
    /// files that are not regular files), with why.
    pub skipped: Vec<(PathBuf, String)>,
    /// Files that could not be read or parsed, with why.
    pub failed: Vec<(PathBuf, String)>,
}

/// One Markdown file, and the root it was found under (for its category and identity).
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    /// Stable key: the root folder's name and the path below it.
    pub key: String,
    /// Folders between the root and the file, humanised.
    pub category: String,
}

/// Finds the Markdown files under the given files and folders, in a stable order.
pub fn collect(paths: &[PathBuf], failed: &mut Vec<(PathBuf, String)>) -> Vec<SourceFile> {
    let mut out = Vec::new();
    for root in paths {
        // Anything but a folder is read as a page: a FIFO or device named on the command
        // line is then skipped with its reason, not reported as missing.
        if !root.is_dir() && std::fs::symlink_metadata(root).is_ok() {
            let name = root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            out.push(SourceFile { path: root.clone(), key: name, category: String::new() });
        } else if root.is_dir() {
            let base = root
                .canonicalize()
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_default();
            walk(root, root, &base, &mut HashSet::new(), &mut out, failed);
        } else {
            failed.push((root.clone(), "no such file or folder".into()));
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// A folder's identity, whatever path reaches it: its device and inode where there are
/// such (one `stat`; resolving the whole path of each folder of a 2,000-deep tree took
/// minutes), else its resolved path.
#[cfg(unix)]
fn folder_id(dir: &Path) -> std::io::Result<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(dir).map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn folder_id(dir: &Path) -> std::io::Result<PathBuf> {
    std::fs::canonicalize(dir)
}

/// The type [`folder_id`] returns.
#[cfg(unix)]
type FolderId = (u64, u64);
#[cfg(not(unix))]
type FolderId = PathBuf;

/// Collects the pages under `dir`, each folder once: `seen` holds the folders read, so a link back up the tree (`a/loop -> ..`) or a second link to a folder
/// already read is passed over rather than read again — two such links made the walk
/// branch forever. Entries are taken in name order, links last, so which one is read does
/// not change from one run to the next.
fn walk(
    root: &Path,
    dir: &Path,
    base: &str,
    seen: &mut HashSet<FolderId>,
    out: &mut Vec<SourceFile>,
    failed: &mut Vec<(PathBuf, String)>,
) {
    let entries = match folder_id(dir).map(|id| seen.insert(id)) {
        Ok(false) => return,
        Ok(true) => std::fs::read_dir(dir),
        Err(e) => Err(e),
    };
    let entries = match entries {
        Ok(e) => e,
        Err(e) => {
            failed.push((dir.to_path_buf(), e.to_string()));
            return;
        }
    };
    // Folders of their own before links, so a folder linked under another name
    // (`old-billing -> billing`) keeps its own name as the articles' category.
    let mut entries: Vec<(bool, std::fs::DirEntry)> =
        entries.flatten().map(|e| (e.file_type().is_ok_and(|t| t.is_symlink()), e)).collect();
    entries.sort_by_key(|(link, e)| (*link, e.file_name()));
    let entries = entries.into_iter().map(|(_, e)| e);
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        // Hidden folders (.git) and underscore folders (_includes, _layouts) are site
        // machinery, not articles.
        if name.starts_with('.') || name.starts_with('_') {
            continue;
        }
        if path.is_dir() {
            walk(root, &path, base, seen, out, failed);
        } else if is_markdown(&path) {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            let category = rel
                .parent()
                .map(|p| {
                    p.components().map(|c| humanize(&c.as_os_str().to_string_lossy())).collect::<Vec<_>>().join(" / ")
                })
                .unwrap_or_default();
            // A stray byte of a name that is not UTF-8 spelled `%E9`: two such names
            // (`caf\xE9.md`, `caf\xE8.md`) read lossily were one article, each import
            // replacing the other.
            let key = format!("{base}/{}", crate::paths::spell_bytes(rel.as_os_str().as_encoded_bytes(), "%"));
            out.push(SourceFile { path, key, category });
        }
    }
}

fn is_markdown(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref(),
        Some("md" | "markdown" | "mdx")
    )
}

/// "returns-and-refunds" → "Returns and refunds".
pub fn humanize(name: &str) -> String {
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let spaced = stem.replace(['-', '_'], " ");
    let mut chars = spaced.trim().chars();
    chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

/// Why a page is not imported.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    Article(Box<kb::NewArticle>),
    Skipped(String),
}

/// Reads one article from its file text.
pub fn parse(source: &SourceFile, text: &str) -> Result<Parsed, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text).replace("\r\n", "\n");
    let (front, body) = split_front_matter(&text);
    let meta = match front {
        Some(yaml) => match super::yaml::load_front_matter(yaml, 2) {
            Ok(docs) => docs.into_iter().next().unwrap_or(Yaml::Null),
            Err(e) => return Err(format!("front matter {e}")),
        },
        None => Yaml::Null,
    };
    if let Some(reason) = skip_reason(&meta) {
        return Ok(Parsed::Skipped(reason));
    }
    let body = strip_template_tags(body);
    let (heading, plain) = plain_text(&body);
    let title = yaml_str(&meta, "title").or(heading).unwrap_or_else(|| {
        humanize(&source.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())
    });
    let description = yaml_str(&meta, "description").or_else(|| yaml_str(&meta, "summary")).unwrap_or_default();
    let category = yaml_str(&meta, "category").unwrap_or_else(|| source.category.clone());
    let tags = yaml_list(&meta, "tags").into_iter().chain(yaml_list(&meta, "keywords")).collect::<Vec<_>>();
    let url = ["url", "permalink", "canonical_url"]
        .iter()
        .find_map(|key| yaml_str(&meta, key))
        .map(|u| mask_card_numbers(sanitize(&strip_template_tags(&u)).trim()).text)
        .filter(|u| !u.is_empty());
    if plain.trim().is_empty() && title.trim().is_empty() {
        return Ok(Parsed::Skipped("empty page".into()));
    }
    let clean = |s: &str| mask_card_numbers(&sanitize(s)).text;
    let body = clean(&body);
    let plain = clean(searchable_part(&format!("{description}\n{plain}")));
    // The url joins the hash only when there is one, so articles imported before it existed
    // are still unchanged on re-import.
    let tags_joined = tags.join(",");
    let mut parts = vec![title.as_str(), &description, &category, &tags_joined, &body];
    parts.extend(url.as_deref());
    let hash = fnv1a(&parts);
    Ok(Parsed::Article(Box::new(kb::NewArticle {
        source: source.key.clone(),
        title: clean(title.trim()),
        description: clean(description.trim()),
        category: clean(&category),
        tags: tags.iter().map(|t| clean(t)).collect(),
        body,
        plain,
        hash,
        url,
    })))
}

/// How often one word may occur in the text an article is searched by.
const MAX_WORD_REPEATS: u32 = 500;
/// A text shorter than this is searched whole, whatever it repeats (see [`searchable_part`]).
const SHORT_ENOUGH_BYTES: usize = 4 * 1024;

/// The text an article is searched by: all of it, unless one word repeats more than
/// [`MAX_WORD_REPEATS`] times — then the text up to there. Making a result's snippet takes
/// time by the square of how often the searched word occurs in the article: a page of
/// "apple" 20,000 times made every search for it take 3 s, and held up the searches after
/// it. A help-centre page says "the" a few hundred times; the reader still shows it whole.
fn searchable_part(text: &str) -> &str {
    use std::borrow::Cow;
    // Counting is a tenth of a large import; a text this short holds at most about 2,000 of
    // one word (a letter and a space each), whose snippet takes some 25 ms — so only longer
    // ones are counted.
    if text.len() < SHORT_ENOUGH_BYTES {
        return text;
    }
    let mut counts: HashMap<Cow<'_, str>, u32> = HashMap::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
        match (start, c.is_alphanumeric()) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                start = None;
                // One count for a word and its plural, in any case, as the index's
                // stemming and case folding would; copied only when it has capitals
                // (every import reads every word here).
                let word = &text[s..i];
                let key: Cow<'_, str> = if word.chars().any(char::is_uppercase) {
                    let lower = word.to_lowercase();
                    Cow::Owned(lower.strip_suffix('s').map_or_else(|| lower.clone(), str::to_string))
                } else {
                    Cow::Borrowed(word.strip_suffix('s').unwrap_or(word))
                };
                let n = counts.entry(key).or_insert(0);
                *n += 1;
                if *n > MAX_WORD_REPEATS {
                    return &text[..s];
                }
            }
            _ => {}
        }
    }
    text
}

fn split_front_matter(text: &str) -> (Option<&str>, &str) {
    let Some(rest) = text.strip_prefix("---\n") else { return (None, text) };
    for end in ["\n---\n", "\n...\n"] {
        if let Some(i) = rest.find(end) {
            return (Some(&rest[..i]), &rest[i + end.len()..]);
        }
    }
    for end in ["\n---", "\n..."] {
        if let Some(front) = rest.strip_suffix(end) {
            return (Some(front), "");
        }
    }
    (None, text)
}

fn skip_reason(meta: &Yaml) -> Option<String> {
    for key in ["redirect_to", "redirect", "redirect_url", "external_url"] {
        if yaml_str(meta, key).is_some() {
            return Some(format!("redirect page ({key})"));
        }
    }
    if yaml_str(meta, "layout").is_some_and(|l| l.eq_ignore_ascii_case("redirect")) {
        return Some("redirect page (layout: redirect)".into());
    }
    for (key, skip_when) in [("hidden", true), ("draft", true), ("published", false), ("unlisted", true)] {
        if meta[key].as_bool() == Some(skip_when) {
            return Some(format!("{key}: {skip_when}"));
        }
    }
    out_of_search(meta).map(|(key, value)| format!("kept out of search ({key}: {value})"))
}

/// The front-matter key (and its value as written) by which a site keeps a page out of its
/// search — a page the site does not want found is not one to answer customers from.
fn out_of_search(meta: &Yaml) -> Option<(&'static str, String)> {
    for (key, skip_when) in [
        ("search_exclude", true),
        ("excluded_in_search", true),
        ("exclude_from_search", true),
        ("noindex", true),
        ("sitemap", false),
    ] {
        if let Some((flag, written)) = yaml_flag(&meta[key])
            && flag == skip_when
        {
            return Some((key, written));
        }
    }
    // `robots: noindex` (or "noindex, nofollow"), as in the page's meta tag.
    let robots = yaml_str(meta, "robots")?;
    robots.to_ascii_lowercase().contains("noindex").then_some(("robots", robots))
}

/// A yes/no value as sites write it: a YAML boolean, or the words true/false, yes/no, on/off
/// (YAML 1.2 reads `yes` as a string), with the value as written.
fn yaml_flag(value: &Yaml) -> Option<(bool, String)> {
    match value {
        Yaml::Boolean(b) => Some((*b, b.to_string())),
        Yaml::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" => Some((true, s.trim().to_string())),
            "false" | "no" | "off" => Some((false, s.trim().to_string())),
            _ => None,
        },
        _ => None,
    }
}

fn yaml_str(meta: &Yaml, key: &str) -> Option<String> {
    match &meta[key] {
        Yaml::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Real(r) => Some(r.clone()),
        _ => None,
    }
}

fn yaml_list(meta: &Yaml, key: &str) -> Vec<String> {
    match &meta[key] {
        Yaml::Array(items) => items
            .iter()
            .filter_map(|item| match item {
                Yaml::String(s) => Some(s.trim().to_string()),
                Yaml::Integer(i) => Some(i.to_string()),
                Yaml::Real(r) => Some(r.clone()),
                _ => None,
            })
            .filter(|t| !t.is_empty())
            .collect(),
        Yaml::String(s) => s.split(',').map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect(),
        _ => Vec::new(),
    }
}

/// Removes Liquid/Jinja/Hugo template tags (`{{ site.baseurl }}`, `{% include x %}`,
/// `{{< shortcode >}}`), which mean nothing outside the site generator.
pub fn strip_template_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    // Once a closer is missing from the rest of the text it is missing for every later
    // opener too: without remembering that, a page of unclosed `{{` was searched to its end
    // once per opener (a 1 MB page ran for minutes).
    let (mut no_braces, mut no_percent) = (false, false);
    while let Some(start) = rest.find(['{']) {
        let after = &rest[start..];
        let close = if after.starts_with("{{") && !no_braces {
            Some(("}}", &mut no_braces))
        } else if after.starts_with("{%") && !no_percent {
            Some(("%}", &mut no_percent))
        } else {
            None
        };
        let end = close.and_then(|(c, missing)| {
            let found = after.find(c).map(|end| end + c.len());
            *missing = found.is_none();
            found
        });
        match end {
            Some(end) => {
                out.push_str(&rest[..start]);
                rest = &after[end..];
            }
            None => {
                out.push_str(&rest[..=start]);
                rest = &rest[start + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The first top-level heading (for articles without front matter) and the searchable
/// plain text, HTML tags removed.
fn plain_text(markdown: &str) -> (Option<String>, String) {
    let mut plain = String::new();
    let mut first_heading: Option<String> = None;
    let mut in_h1 = false;
    let mut h1_text = String::new();
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Heading { level: pulldown_cmark::HeadingLevel::H1, .. }) if first_heading.is_none() => {
                in_h1 = true
            }
            Event::End(TagEnd::Heading(_)) if in_h1 => {
                in_h1 = false;
                first_heading = Some(h1_text.trim().to_string());
                // Without this the heading's last word and the next paragraph's first word
                // were indexed as one ("D" + "Delta" → "DDelta").
                plain.push('\n');
            }
            Event::Text(t) | Event::Code(t) => {
                if in_h1 {
                    h1_text.push_str(&t);
                }
                plain.push_str(&t);
            }
            Event::Html(h) | Event::InlineHtml(h) => plain.push_str(&strip_html_tags(&h)),
            Event::SoftBreak | Event::HardBreak => plain.push(' '),
            // Blocks end a line; inline ends (bold, links) must not split "Free, no minimum".
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::TableRow
                | TagEnd::TableHead
                | TagEnd::CodeBlock
                | TagEnd::BlockQuote(_),
            ) => plain.push('\n'),
            _ => {}
        }
    }
    (first_heading.filter(|h| !h.is_empty()), plain)
}

fn strip_html_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// A stable 64-bit content hash (FNV-1a), so unchanged articles are not rewritten.
pub fn fnv1a(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// Imports Markdown articles from files and folders. Unreadable or malformed files are
/// listed in the summary and the rest still import, in one transaction.
pub fn import(conn: &mut Connection, paths: &[PathBuf], now: Timestamp) -> Result<Summary> {
    import_with_progress(conn, paths, now, &crate::progress::Quiet)
}

/// Articles written per statement: each batch becomes one full-text index segment (see
/// [`kb::ArticleBatch`]). The parsing thread may run up to one batch ahead, so it keeps
/// working while a batch is written. Measured on 100,000 articles: 1,000 → 14.8 s,
/// 2,000 → 13.5 s, 5,000 → 12.7 s but 110 MB resident; 2,000 keeps it near 80 MB.
const BATCH: usize = 2_000;

/// [`import`], reporting each file imported to `progress`.
///
/// Files are read and parsed on a second thread while this one writes, so the import takes
/// about as long as the slower of the two rather than their sum, and holds about two
/// batches of articles in memory however many files there are.
pub fn import_with_progress(
    conn: &mut Connection,
    paths: &[PathBuf],
    now: Timestamp,
    progress: &dyn crate::progress::Progress,
) -> Result<Summary> {
    let mut summary = Summary::default();
    let files = collect(paths, &mut summary.failed);
    progress.start("importing", files.len() as u64);
    let files_count = files.len();
    std::thread::scope(|scope| {
        let (sender, parsed) = std::sync::mpsc::sync_channel::<(PathBuf, Result<Parsed, String>)>(BATCH);
        let reader = scope.spawn(move || {
            for file in files {
                let result = read_and_parse(&file);
                // The writer stops listening only when it failed; its error is reported.
                if sender.send((file.path, result)).is_err() {
                    break;
                }
            }
        });
        store::write(conn, |tx| -> rusqlite::Result<()> {
            // Articles are staged as they arrive, so this thread keeps busy while the other
            // parses; each full batch is then written at once.
            let mut batch = kb::ArticleBatch::begin(tx)?;
            // An import at least the size of the help centre already there (a first import,
            // or the whole folder again) leaves the index in one segment; a few articles
            // added to a large help centre do not pay for rewriting it.
            let rewrites_index = i64::try_from(files_count).unwrap_or(i64::MAX) >= kb::count(tx)?;
            if rewrites_index {
                kb::pause_merging(tx)?;
            }
            let write = |batch: &mut kb::ArticleBatch<'_>, summary: &mut Summary| {
                let counts = batch.write(now)?;
                summary.added += counts.added;
                summary.updated += counts.updated;
                summary.unchanged += counts.unchanged;
                Ok::<(), rusqlite::Error>(())
            };
            for (path, result) in parsed {
                progress.inc();
                match result {
                    Ok(Parsed::Article(a)) => batch.stage(&a)?,
                    Ok(Parsed::Skipped(why)) => summary.skipped.push((path, why)),
                    Err(why) => summary.failed.push((path, why)),
                }
                if batch.len() == BATCH {
                    write(&mut batch, &mut summary)?;
                }
            }
            // The list also ends if the reader panicked: that must undo the import, not
            // commit the files read so far.
            reader.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            write(&mut batch, &mut summary)?;
            if rewrites_index {
                kb::merge_into_one(tx)?;
            }
            Ok(())
        })
    })?;
    Ok(summary)
}

/// Reads one file and parses its article; the error says why it cannot be imported.
fn read_and_parse(file: &SourceFile) -> Result<Parsed, String> {
    let bytes = match read_page(&file.path)? {
        Page::Read(bytes) => bytes,
        Page::NotAFile(why) => return Ok(Parsed::Skipped(why)),
    };
    let text = String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())?;
    parse(file, &text)
}

/// The largest page read: help-centre articles are a few KB; anything near this is not one.
const MAX_PAGE_BYTES: u64 = 4 * 1024 * 1024;

/// A file's bytes, or why it is no page at all.
enum Page {
    Read(Vec<u8>),
    /// A FIFO, socket or device (perhaps behind a link) named like a page: reading one can
    /// wait forever (a FIFO) or never end (`/dev/zero`).
    NotAFile(String),
}

/// Reads a regular file of at most [`MAX_PAGE_BYTES`]; the error says why it was not read.
/// The type is checked before opening (following links) and again on the open file, which
/// is opened without waiting, so a file swapped for a FIFO in between cannot hang the import.
fn read_page(path: &Path) -> Result<Page, String> {
    use std::io::Read;
    let kind = std::fs::metadata(path).map_err(|e| e.to_string())?.file_type();
    if !kind.is_file() {
        return Ok(Page::NotAFile(super::regular_file::not_a_file(kind)));
    }
    let file = super::regular_file::open_without_waiting(path).map_err(|e| e.to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if !meta.file_type().is_file() {
        return Ok(Page::NotAFile(super::regular_file::not_a_file(meta.file_type())));
    }
    let too_big = |size: u64| format!("larger than {} MB ({size} bytes)", MAX_PAGE_BYTES >> 20);
    if meta.len() > MAX_PAGE_BYTES {
        return Err(too_big(meta.len()));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // The file may grow after the size was read: read one byte past the cap to notice.
    file.take(MAX_PAGE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_PAGE_BYTES {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(Page::Read(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_tags_go_and_unclosed_openers_stay_as_text() {
        assert_eq!(strip_template_tags("a {{ x }} b {% if y %}c{% endif %} d"), "a  b c d");
        assert_eq!(strip_template_tags("{{ open {% too"), "{{ open {% too");
        assert_eq!(strip_template_tags("{{ open }} then {{ not closed"), " then {{ not closed");
        // Each unclosed opener is looked past once, not searched to the end again.
        let hostile = "{{".repeat(200_000) + &"{%".repeat(200_000);
        assert_eq!(strip_template_tags(&hostile), hostile);
    }

    #[test]
    fn a_word_repeated_past_the_limit_ends_the_searchable_text() {
        let ordinary = "Return the tent within 30 days; the receipt helps.";
        assert_eq!(searchable_part(ordinary), ordinary);
        let spam = format!("Apples. {}", "apple apples ".repeat(2_000));
        let part = searchable_part(&spam);
        assert_eq!(part.to_lowercase().matches("apple").count(), MAX_WORD_REPEATS as usize);
        assert!(part.starts_with("Apples. apple apples"));
    }
}
