//! Searching with a question in the customer's words: every concept of the question
//! ([`Understood`]) may match; articles rank by how many concepts they meet, each weighted by
//! its rarity (a word in every article tells nothing), and by whether their title or tags
//! meet it; bm25 over all the terms breaks the rest.
//!
//! One statement gives each candidate its bm25 and two bit masks (the concepts met anywhere,
//! and in title or tags); the weighting happens here, over at most [`super::RANK_CAP`] rows.

use rusqlite::{Connection, params_from_iter};

use crate::domain::query::{Concept, Term, Understood};
use crate::domain::text::{MARK_END, MARK_START};
use crate::domain::{Id, KbHit};

/// What meeting a concept in the title or tags adds, as a share of meeting it at all.
const TITLE_SHARE: f64 = 0.8;
/// What the best bm25 among the candidates adds, in units of one concept of average rarity.
const BM25_SHARE: f64 = 3.0;

/// One candidate article with what it met.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    id: Id,
    bm25: f64,
    body: u32,
    title: u32,
}

/// Articles for a question, best first; empty when it has no concept.
pub(super) fn search(conn: &Connection, q: &Understood, limit: usize) -> rusqlite::Result<Vec<KbHit>> {
    if q.concepts.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let exprs: Vec<String> = q.concepts.iter().map(concept_expr).collect();
    let all = exprs.join(" OR ");
    let candidates = candidates(conn, &all, &exprs)?;
    let ranked = rank(conn, &q.concepts, &candidates)?;
    let mut hits = Vec::with_capacity(limit.min(ranked.len()));
    for (id, score) in ranked.into_iter().take(limit) {
        if let Some(hit) = hit(conn, &all, id, score)? {
            hits.push(hit);
        }
    }
    Ok(hits)
}

/// The FTS5 expression meeting a concept: any of its terms, each quoted.
pub(super) fn concept_expr(c: &Concept) -> String {
    let terms: Vec<String> = c.terms.iter().map(term_expr).collect();
    format!("({})", terms.join(" OR "))
}

fn term_expr(t: &Term) -> String {
    // Words hold letters and digits only, so no quote can end the phrase early; doubled anyway.
    let phrase = format!("\"{}\"", t.words.join(" ").replace('"', "\"\""));
    if t.prefix { format!("{phrase}*") } else { phrase }
}

/// The SQL giving each candidate its id, bm25 and the masks of concepts met (`?1` any of
/// them, `?2…` each one).
fn candidates_sql(concepts: usize) -> String {
    let mask = |index: &str| {
        (0..concepts)
            .map(|i| {
                format!(
                    "((c.id IN (SELECT rowid FROM {index} WHERE {index} MATCH ?{p} \
                     AND rowid >= (SELECT min(id) FROM candidates))) << {i})",
                    p = i + 2
                )
            })
            .collect::<Vec<_>>()
            .join(" | ")
    };
    format!(
        "WITH candidates AS MATERIALIZED (
             SELECT rowid AS id, bm25(kb_fts, {w0}, {w1}, {w2}) AS score
             FROM kb_fts WHERE kb_fts MATCH ?1 ORDER BY rowid DESC LIMIT {cap}
         )
         SELECT c.id, c.score, {body}, {title} FROM candidates c",
        w0 = super::WEIGHTS.0,
        w1 = super::WEIGHTS.1,
        w2 = super::WEIGHTS.2,
        cap = super::RANK_CAP,
        body = mask("kb_fts"),
        title = mask("kb_title_fts"),
    )
}

fn candidates(conn: &Connection, all: &str, exprs: &[String]) -> rusqlite::Result<Vec<Candidate>> {
    let mut stmt = conn.prepare_cached(&candidates_sql(exprs.len()))?;
    let params = std::iter::once(all).chain(exprs.iter().map(String::as_str));
    let rows = stmt.query_map(params_from_iter(params), |r| {
        Ok(Candidate { id: r.get(0)?, bm25: r.get(1)?, body: r.get(2)?, title: r.get(3)? })
    })?;
    rows.collect()
}

/// Orders candidates by weighted concepts met, then bm25; returns ids with their scores
/// (negated, so lower is better as with bm25).
fn rank(conn: &Connection, concepts: &[Concept], cands: &[Candidate]) -> rusqlite::Result<Vec<(Id, f64)>> {
    let total: i64 = conn.prepare_cached("SELECT count(*) FROM kb_articles")?.query_row([], |r| r.get(0))?;
    let n = total.max(1) as f64;
    let weights: Vec<f64> = concepts
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let df = cands.iter().filter(|d| d.body & (1 << i) != 0).count() as f64;
            c.weight * (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
        })
        .collect();
    let mean = weights.iter().sum::<f64>() / weights.len().max(1) as f64;
    let best = cands.iter().map(|c| c.bm25).fold(0.0_f64, f64::min);
    let mut scored: Vec<(Id, f64)> = cands
        .iter()
        .map(|c| {
            let met: f64 = weights
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    let bit = 1 << i;
                    w * (f64::from(u8::from(c.body & bit != 0)) + TITLE_SHARE * f64::from(u8::from(c.title & bit != 0)))
                })
                .sum();
            let bm = if best < 0.0 { c.bm25 / best } else { 0.0 };
            (c.id, -(met + BM25_SHARE * mean * bm))
        })
        .collect();
    scored.sort_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
    Ok(scored)
}

/// One result row: the article's title and category, and a snippet around the terms met.
fn hit(conn: &Connection, all: &str, id: Id, score: f64) -> rusqlite::Result<Option<KbHit>> {
    let sql = format!(
        "SELECT a.id, a.title, a.category, snippet(kb_fts, 2, '{MARK_START}', '{MARK_END}', '…', 14)
         FROM kb_fts CROSS JOIN kb_articles a
         WHERE kb_fts MATCH ?1 AND kb_fts.rowid = ?2 AND a.id = kb_fts.rowid"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(rusqlite::params![all, id])?;
    match rows.next()? {
        Some(r) => Ok(Some(KbHit { id: r.get(0)?, title: r.get(1)?, category: r.get(2)?, snippet: r.get(3)?, score })),
        None => Ok(None),
    }
}
