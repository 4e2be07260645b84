//! `frontline kb search QUERY`: the knowledge base with the workstation's ranking; and
//! `frontline kb draft …`: draft articles written from resolved contacts.

use std::fmt;
use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use crate::domain::KbHit;
use crate::domain::invocation::Invocation;
use crate::domain::kb_draft::KbDraft;
use crate::domain::query::only_a_first_letter;
use crate::domain::text::{MARK_END, MARK_START, for_display};
use crate::store::{self, kb};

/// One article found, its matches marked `[like this]` in the snippet.
#[derive(Serialize)]
struct Hit {
    id: i64,
    title: String,
    category: String,
    score: f64,
    snippet: String,
}

/// The articles found for a query, best first.
#[derive(Serialize)]
#[serde(transparent)]
pub(super) struct Search {
    hits: Vec<Hit>,
    #[serde(skip)]
    query: String,
    #[serde(skip)]
    raw_snippets: Vec<String>,
    /// Articles in the workspace: none found in an empty knowledge base says how to fill it.
    #[serde(skip)]
    articles: i64,
}

impl fmt::Display for Search {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.hits.is_empty() && self.articles == 0 {
            writeln!(
                f,
                "The knowledge base is empty: import a help centre with `frontline import kb FOLDER`, \
                 or try the demo's with `frontline --demo kb search …`."
            )?;
        } else if self.hits.is_empty() && only_a_first_letter(&self.query) {
            writeln!(f, "“{}” is one letter: a search starts at two.", for_display(self.query.trim()))?;
        } else if self.hits.is_empty() {
            writeln!(f, "No article matches “{}”.", for_display(&self.query))?;
        }
        for (i, (h, raw)) in self.hits.iter().zip(&self.raw_snippets).enumerate() {
            let snippet = raw.replace([MARK_START, MARK_END], "");
            writeln!(f, "{}. {}  [{}]\n   {}", i + 1, h.title, h.category, for_display(&snippet))?;
        }
        Ok(())
    }
}

/// `frontline kb search QUERY [--limit N]`.
pub(super) fn search(db: &Path, query: &str, limit: usize) -> Result<Search> {
    let conn = store::open_workspace(db)?;
    let started = std::time::Instant::now();
    let found = kb::search(&conn, query, limit)?;
    // The query itself is the rep's text: only its size goes in the log.
    tracing::debug!(
        query_chars = query.chars().count(),
        results = found.len(),
        elapsed_us = started.elapsed().as_micros(),
        "kb search"
    );
    let raw_snippets = found.iter().map(|h| h.snippet.clone()).collect();
    let hits: Vec<Hit> = found.into_iter().map(hit).collect();
    let articles = if hits.is_empty() { kb::count(&conn)? } else { 1 };
    Ok(Search { hits, query: query.to_string(), raw_snippets, articles })
}

fn hit(h: KbHit) -> Hit {
    let snippet = h.snippet.replace(MARK_START, "[").replace(MARK_END, "]");
    Hit { id: h.id, title: h.title, category: h.category, score: h.score, snippet }
}

/// Draft articles, as a list.
#[derive(Serialize)]
#[serde(transparent)]
pub(super) struct Drafts(Vec<KbDraft>);

impl fmt::Display for Drafts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return writeln!(f, "No draft articles yet: frontline kb draft from-contact ID makes one");
        }
        for d in &self.0 {
            let from = d.contact_id.map(|c| format!(" (from contact #{c})")).unwrap_or_default();
            writeln!(f, "#{} {}{from}", d.id, for_display(&d.title))?;
        }
        Ok(())
    }
}

/// `kb draft from-contact`: the draft, as a list of one like `kb draft list` in JSON; in
/// words, whether it was written now or the contact already had it.
#[derive(Serialize)]
#[serde(transparent)]
pub(super) struct FromContact {
    drafts: [KbDraft; 1],
    #[serde(skip)]
    summary: String,
}

impl fmt::Display for FromContact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.summary)
    }
}

/// `kb draft from-contact ID`: the contact's notes as a draft article (the same draft again
/// if one exists); a contact that is not resolved or has no notes is refused with why.
pub(super) fn draft_from_contact(db: &Path, contact: i64, frontline: &Invocation) -> Result<FromContact> {
    let mut conn = store::open_workspace(db)?;
    let made = store::write(&mut conn, |tx| kb::drafts::from_contact(tx, contact, crate::domain::time::now()))?;
    match made {
        Ok(made) => Ok(FromContact { summary: made.summary(frontline), drafts: [made.draft] }),
        Err(refused) => anyhow::bail!("contact #{contact}: {refused}"),
    }
}

/// `kb draft list`.
pub(super) fn draft_list(db: &Path) -> Result<Drafts> {
    let conn = store::open_workspace(db)?;
    Ok(Drafts(kb::drafts::list(&conn)?))
}

/// `kb draft export ID [--out FILE]`: Markdown with front matter.
pub(super) fn draft_export(db: &Path, id: i64, out: Option<&Path>) -> Result<()> {
    use std::io::Write;
    let conn = store::open_workspace(db)?;
    let Some(markdown) = kb::drafts::export_markdown(&conn, id)? else {
        anyhow::bail!("there is no draft article #{id}")
    };
    match out {
        Some(path) => {
            let mut file = crate::export::create_private(path)?;
            file.write_all(markdown.as_bytes())?;
        }
        None => std::io::stdout().lock().write_all(markdown.as_bytes())?,
    }
    Ok(())
}
