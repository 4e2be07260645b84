//! `frontline kb search QUERY`: the knowledge base with the workstation's ranking.

use std::fmt;
use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use crate::domain::KbHit;
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
}

impl fmt::Display for Search {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.hits.is_empty() {
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
    let hits = found.into_iter().map(hit).collect();
    Ok(Search { hits, query: query.to_string(), raw_snippets })
}

fn hit(h: KbHit) -> Hit {
    let snippet = h.snippet.replace(MARK_START, "[").replace(MARK_END, "]");
    Hit { id: h.id, title: h.title, category: h.category, score: h.score, snippet }
}
