//! Searching with a question in the customer's words: every concept of the question
//! ([`Understood`]) may match; articles rank by how many concepts they meet, each weighted by
//! its rarity (a word in every article tells nothing), and by whether their title or tags
//! meet it; bm25 over all the terms breaks the rest.
//!
//! A few statements give each candidate its bm25 over titles and tags and two bit masks (the
//! concepts met anywhere, and in title or tags); the weighting happens here, over at most
//! [`super::RANK_CAP`] rows.
//!
//! Two things a question does not pay for, measured on the evaluation set and 20,000
//! articles: bm25 over whole articles (FTS5 counts every article holding each word to
//! weigh it, the most expensive statement of the search; the concepts' own rarity weights
//! already rank by it, and without it success@3 stayed the same on every set), and a last
//! word still being typed expanded as a prefix beyond the four letters the index keeps
//! prefixes for (each MATCH would merge every word it begins over the whole index).

use std::collections::{HashMap, HashSet};

use rusqlite::{Connection, params};

use super::long_prefix::INDEXED_PREFIX;
use crate::domain::query::{Concept, Term, Understood};
use crate::domain::text::{MARK_END, MARK_START};
use crate::domain::{Id, KbHit};

/// What meeting a concept in the title or tags adds, as a share of meeting it at all.
const TITLE_SHARE: f64 = 0.8;
/// What the best bm25 of all terms over titles and tags adds, in units of one concept of
/// average rarity.
const TITLE_BM25_SHARE: f64 = 3.0;

/// One candidate article with what it met.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    id: Id,
    /// bm25 of every term, the thesaurus' too, over the title and tags.
    title_bm25: f64,
    body: u32,
    title: u32,
}

/// Articles for a question, best first; empty when it has no concept.
pub(super) fn search(conn: &Connection, q: &Understood, limit: usize) -> rusqlite::Result<Vec<KbHit>> {
    if q.concepts.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let concepts: Vec<Concept> = q.concepts.iter().map(without_long_prefixes).collect();
    let exprs: Vec<String> = concepts.iter().map(concept_expr).collect();
    let all = any_term_expr(&concepts);
    let candidates = candidates(conn, &all, &exprs)?;
    let ranked = rank(conn, &concepts, &candidates)?;
    let top: Vec<(Id, f64)> = ranked.into_iter().take(limit).collect();
    hits(conn, &all, &top)
}

/// A concept whose word still being typed, when longer than [`INDEXED_PREFIX`], is matched
/// as typed: in a question it is one concept among several and complete a keystroke or two
/// later, while as a prefix it cost more than the rest of the search.
fn without_long_prefixes(c: &Concept) -> Concept {
    let mut c = c.clone();
    for t in &mut c.terms {
        if t.prefix && t.words.last().is_some_and(|w| w.chars().count() > INDEXED_PREFIX) {
            t.prefix = false;
        }
    }
    c
}

/// The FTS5 expression meeting any concept: each term once. A term two concepts share
/// ("warranty" for a broken zip and for the breakage) was looked up, and weighed in the
/// titles' bm25, twice: without the repeat a search is quicker, and one question more of
/// the evaluation set has its article first.
fn any_term_expr(concepts: &[Concept]) -> String {
    let mut seen = HashSet::new();
    let terms: Vec<String> =
        concepts.iter().flat_map(|c| &c.terms).map(term_expr).filter(|t| seen.insert(t.clone())).collect();
    terms.join(" OR ")
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

/// The candidates of a question, each with its bm25 over titles and tags (all terms), and
/// the masks of the concepts (`exprs`) met anywhere and in title or tags.
///
/// Several plain statements rather than one: each asks its index for rows from the lowest
/// candidate id on, given as a number. Given as a subquery over the candidates, the same
/// bound made that part of the search about three times slower at 20,000 articles.
fn candidates(conn: &Connection, all: &str, exprs: &[String]) -> rusqlite::Result<Vec<Candidate>> {
    let sql = format!("SELECT rowid FROM kb_fts WHERE kb_fts MATCH ?1 ORDER BY rowid DESC LIMIT {}", super::RANK_CAP);
    let ids: Vec<Id> = conn.prepare_cached(&sql)?.query_map([all], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    let Some(&lowest) = ids.last() else { return Ok(Vec::new()) };
    let mut cands: Vec<Candidate> =
        ids.iter().map(|&id| Candidate { id, title_bm25: 0.0, body: 0, title: 0 }).collect();
    // Ids come in descending order: a binary search finds each one.
    let find = |id: Id| ids.binary_search_by(|probe| id.cmp(probe)).ok();
    let (w0, w1, _) = super::WEIGHTS;
    let sql = format!(
        "SELECT rowid, bm25(kb_title_fts, {w0}, {w1}) FROM kb_title_fts WHERE kb_title_fts MATCH ?1 AND rowid >= ?2"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params![all, lowest])?;
    while let Some(r) = rows.next()? {
        if let Some(i) = find(r.get(0)?) {
            cands[i].title_bm25 = r.get(1)?;
        }
    }
    for (bit, expr) in exprs.iter().enumerate() {
        for index in ["kb_fts", "kb_title_fts"] {
            let sql = format!("SELECT rowid FROM {index} WHERE {index} MATCH ?1 AND rowid >= ?2");
            let mut stmt = conn.prepare_cached(&sql)?;
            let mut rows = stmt.query(params![expr, lowest])?;
            while let Some(r) = rows.next()? {
                if let Some(i) = find(r.get(0)?) {
                    if index == "kb_fts" { cands[i].body |= 1 << bit } else { cands[i].title |= 1 << bit }
                }
            }
        }
    }
    Ok(cands)
}

/// Orders candidates by weighted concepts met, then bm25; returns ids with their scores
/// (negated, so lower is better as with bm25).
fn rank(conn: &Connection, concepts: &[Concept], cands: &[Candidate]) -> rusqlite::Result<Vec<(Id, f64)>> {
    // The title index keeps one small size row per article (its triggers follow every
    // insert and delete): counting those reads an eighth of the pages the articles' own
    // smallest index has, pages the search's other statements have pushed out of the cache
    // (counting articles was a tenth of a question's time at 20,000).
    let total: i64 = conn.prepare_cached("SELECT count(*) FROM kb_title_fts_docsize")?.query_row([], |r| r.get(0))?;
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
    let best_title = cands.iter().map(|c| c.title_bm25).fold(0.0_f64, f64::min);
    let share = |score: f64, best: f64| if best < 0.0 { score / best } else { 0.0 };
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
            (c.id, -(met + mean * TITLE_BM25_SHARE * share(c.title_bm25, best_title)))
        })
        .collect();
    scored.sort_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
    Ok(scored)
}

/// The result rows for the chosen articles, in their order: a snippet around the terms met,
/// made in one pass over the matches from the lowest chosen id, then title and category by id.
///
/// The `+` before `rowid` keeps SQLite from handing the id list to FTS5 as one lookup per id
/// (each would look every term up again: twice as slow at 20,000 articles), and the articles
/// table is read for the chosen ids only rather than joined to every match on the way
/// (a third of this step).
fn hits(conn: &Connection, all: &str, top: &[(Id, f64)]) -> rusqlite::Result<Vec<KbHit>> {
    let Some(lowest) = top.iter().map(|t| t.0).min() else { return Ok(Vec::new()) };
    let ids = serde_json::Value::from(top.iter().map(|t| t.0).collect::<Vec<_>>()).to_string();
    let sql = format!(
        "SELECT rowid, snippet(kb_fts, 2, '{MARK_START}', '{MARK_END}', '…', 14) FROM kb_fts
         WHERE kb_fts MATCH ?1 AND rowid >= ?2 AND +rowid IN (SELECT value FROM json_each(?3))"
    );
    let mut snippets: HashMap<Id, String> = conn
        .prepare_cached(&sql)?
        .query_map(params![all, lowest, ids], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = conn
        .prepare_cached("SELECT id, title, category FROM kb_articles WHERE id IN (SELECT value FROM json_each(?1))")?;
    let mut found: HashMap<Id, KbHit> = stmt
        .query_map([&ids], |r| {
            Ok(KbHit { id: r.get(0)?, title: r.get(1)?, category: r.get(2)?, snippet: String::new(), score: 0.0 })
        })?
        .map(|h| h.map(|h| (h.id, h)))
        .collect::<rusqlite::Result<_>>()?;
    Ok(top
        .iter()
        .filter_map(|(id, score)| {
            let snippet = snippets.remove(id)?;
            found.remove(id).map(|h| KbHit { score: *score, snippet, ..h })
        })
        .collect())
}
