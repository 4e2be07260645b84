//! Knowledge-base articles and their full-text search.

use rusqlite::{Connection, OptionalExtension, params};

mod ask;
pub mod drafts;
mod long_prefix;
pub mod uses;

pub use uses::{UsedFor, record_use, used_for};

use super::fts::{self, Combine};
use crate::domain::query::{self, Thesaurus};
use crate::domain::text::{MARK_END, MARK_START};
use crate::domain::{Article, Id, KbHit, Timestamp};

/// bm25 column weights: title, tags, body. A word in the title outranks many in the body.
const WEIGHTS: (f64, f64, f64) = (10.0, 5.0, 1.0);

/// An article as read from a file, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewArticle {
    pub source: String,
    pub title: String,
    pub description: String,
    pub category: String,
    pub tags: Vec<String>,
    pub body: String,
    pub plain: String,
    pub hash: String,
    /// Where the article lives on the help centre (front matter `url`, `permalink` or
    /// `canonical_url`).
    pub url: Option<String>,
}

/// What storing an article did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    Added,
    Updated,
    Unchanged,
}

/// How many articles a batch added, updated and found unchanged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UpsertCounts {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// Adds an article, or updates the one from the same source if its content changed.
pub fn upsert_article(conn: &Connection, article: &NewArticle, now: Timestamp) -> rusqlite::Result<Upsert> {
    let counts = upsert_articles(conn, std::slice::from_ref(article), now)?;
    Ok(if counts.added > 0 {
        Upsert::Added
    } else if counts.updated > 0 {
        Upsert::Updated
    } else {
        Upsert::Unchanged
    })
}

/// Adds or updates many articles (keyed by their source; unchanged ones are left alone)
/// inside the caller's transaction: an [`ArticleBatch`] of them all.
pub fn upsert_articles(conn: &Connection, articles: &[NewArticle], now: Timestamp) -> rusqlite::Result<UpsertCounts> {
    let mut batch = ArticleBatch::begin(conn)?;
    for a in articles {
        batch.stage(a)?;
    }
    batch.write(now)
}

/// The article indexes: the whole article, and titles and tags alone.
const INDEXES: [&str; 2] = ["kb_fts", "kb_title_fts"];

/// FTS5's own default for `automerge`: merge once four segments of a size are there.
const AUTOMERGE_DEFAULT: i64 = 4;

/// Stops the article indexes merging their segments as they grow, inside the caller's
/// transaction, for an import that writes most of the index anew; [`merge_into_one`] ends
/// it.
///
/// Why: every segment FTS5 keeps is one more place each word of every search is looked up
/// (five segments at 20,000 articles put a question's p99 at 4.9 ms; one at 4.0 ms). Merging
/// as an import goes rewrites the index once per level; paused, the import leaves one
/// segment per batch, and one merge at the end rewrites it once.
pub fn pause_merging(conn: &Connection) -> rusqlite::Result<()> {
    for index in INDEXES {
        conn.execute(&format!("INSERT INTO {index}({index}, rank) VALUES ('automerge', 0)"), [])?;
    }
    Ok(())
}

/// Merges each article index into one segment and lets it merge as it grows again, inside
/// the caller's transaction (see [`pause_merging`]).
pub fn merge_into_one(conn: &Connection) -> rusqlite::Result<()> {
    for index in INDEXES {
        conn.execute(&format!("INSERT INTO {index}({index}) VALUES ('optimize')"), [])?;
        conn.execute(&format!("INSERT INTO {index}({index}, rank) VALUES ('automerge', {AUTOMERGE_DEFAULT})"), [])?;
    }
    Ok(())
}

/// Articles staged one by one and written with one statement.
///
/// Why one statement: within a transaction every statement that writes through the
/// full-text triggers opens a savepoint, and FTS5 flushes its pending terms to a new index
/// segment at each savepoint. Row-by-row upserts made one segment per article, and a
/// 100,000-article import spent three quarters of its time merging them. Staged in a
/// temporary table and written by one `INSERT … SELECT`, a batch becomes one segment.
pub struct ArticleBatch<'c> {
    conn: &'c Connection,
    /// Distinct sources staged.
    staged: usize,
    /// Sources staged again in this batch, with the same or other content.
    unchanged: usize,
    updated: usize,
}

impl<'c> ArticleBatch<'c> {
    /// An empty batch on `conn`, which must be inside a transaction.
    pub fn begin(conn: &'c Connection) -> rusqlite::Result<Self> {
        conn.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS kb_staged(
                source TEXT PRIMARY KEY, title TEXT, description TEXT, category TEXT, tags TEXT,
                body TEXT, plain TEXT, hash TEXT, url TEXT);
             DELETE FROM temp.kb_staged;",
        )?;
        Ok(Self { conn, staged: 0, unchanged: 0, updated: 0 })
    }

    /// How many articles wait to be written.
    pub fn len(&self) -> usize {
        self.staged
    }

    /// Whether nothing waits to be written.
    pub fn is_empty(&self) -> bool {
        self.staged == 0
    }

    /// Adds an article to the batch. The same source twice (one file named twice, or two
    /// folders of the same name) counts as a change to the first copy, as if written one
    /// after the other: the last copy is stored.
    pub fn stage(&mut self, a: &NewArticle) -> rusqlite::Result<()> {
        macro_rules! stage_sql {
            ($conflict:literal) => {
                concat!(
                    "INSERT OR ",
                    $conflict,
                    " INTO temp.kb_staged(source, title, description, category, tags, body, plain, hash, url)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
                )
            };
        }
        let tags = a.tags.join(", ");
        let row = params![a.source, a.title, a.description, a.category, tags, a.body, a.plain, a.hash, a.url];
        if self.conn.prepare_cached(stage_sql!("IGNORE"))?.execute(row)? == 1 {
            self.staged += 1;
            return Ok(());
        }
        let earlier: String = self
            .conn
            .prepare_cached("SELECT hash FROM temp.kb_staged WHERE source = ?1")?
            .query_row([&a.source], |r| r.get(0))?;
        if earlier == a.hash {
            self.unchanged += 1;
        } else {
            self.updated += 1;
            self.conn.prepare_cached(stage_sql!("REPLACE"))?.execute(row)?;
        }
        Ok(())
    }

    /// Writes the staged articles and empties the batch; says what it did.
    pub fn write(&mut self, now: Timestamp) -> rusqlite::Result<UpsertCounts> {
        let (same, changed): (i64, i64) = self
            .conn
            .prepare_cached(
                "SELECT count(*) FILTER (WHERE k.hash = s.hash), count(*) FILTER (WHERE k.hash <> s.hash)
                   FROM temp.kb_staged s JOIN main.kb_articles k ON k.source = s.source",
            )?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let written = self
            .conn
            .prepare_cached(
                "INSERT INTO main.kb_articles(source, title, description, category, tags, body, plain, hash, updated_at, url)
                 SELECT source, title, description, category, tags, body, plain, hash, ?1, url
                   FROM temp.kb_staged s
                  WHERE NOT EXISTS (SELECT 1 FROM main.kb_articles k WHERE k.source = s.source AND k.hash = s.hash)
                  ORDER BY s.rowid
                 ON CONFLICT(source) DO UPDATE SET title = excluded.title, description = excluded.description,
                    category = excluded.category, tags = excluded.tags, body = excluded.body, plain = excluded.plain,
                    hash = excluded.hash, updated_at = excluded.updated_at, url = excluded.url",
            )?
            .execute([now])?;
        self.conn.execute_batch("DELETE FROM temp.kb_staged")?;
        // Counts are never negative; the conversions cannot fail.
        let same = usize::try_from(same).unwrap_or(0);
        let changed = usize::try_from(changed).unwrap_or(0);
        let counts = UpsertCounts {
            added: written.saturating_sub(changed),
            updated: changed + self.updated,
            unchanged: same + self.unchanged,
        };
        self.staged = 0;
        self.unchanged = 0;
        self.updated = 0;
        Ok(counts)
    }
}

/// Most concepts a query may hold and still be searched as keywords first: a word or two
/// ("refund window", "zipp…"), typed as the article says it.
const KEYWORD_CONCEPTS: usize = 2;

/// Searches articles as the rep types, in the article's words or the customer's.
///
/// A word or two is searched as keywords: all must match ([`search_keywords`]). A longer
/// question, a customer's phrase, or keywords that match nothing together, is understood
/// first (filler dropped, the customer's phrases joined by the help centre's words for them,
/// see [`crate::domain::query`]) and searched as concepts, any of which may match, ranked by
/// the rarer concepts met, in the title above the body.
///
/// Articles the reps used for these words come first ([`uses`]).
pub fn search(conn: &Connection, input: &str, limit: usize) -> rusqlite::Result<Vec<KbHit>> {
    if query::only_a_first_letter(input) {
        return Ok(Vec::new());
    }
    let hits = search_text(conn, input, limit)?;
    uses::promote(conn, input, hits, limit)
}

/// [`search`] without what the reps taught it.
fn search_text(conn: &Connection, input: &str, limit: usize) -> rusqlite::Result<Vec<KbHit>> {
    let q = query::understand(input, Thesaurus::builtin());
    if q.concepts.is_empty() {
        // Only filler ("how to"): searched word for word as before.
        return search_keywords(conn, input, limit);
    }
    // A word or two as typed ("warranty zipp…"), even one the thesaurus knows; a customer's
    // phrase ("never showed up") is a question.
    let keywords = q.concepts.len() <= KEYWORD_CONCEPTS && q.concepts.iter().all(|c| !c.said.contains(' '));
    if keywords {
        let hits = search_all_words(conn, input, limit)?;
        if !hits.is_empty() {
            return Ok(hits);
        }
    }
    let hits = ask::search(conn, &q, limit)?;
    if hits.is_empty() { search_keywords(conn, input, limit) } else { Ok(hits) }
}

/// Keyword search: all words must match; if none does, any word may.
///
/// Ranking, in order: (when any word may match) articles that match more of the words;
/// then articles whose title or tags hold the query's words; then bm25 with title and tags
/// weighted above the body. The first two keys matter when bm25 cannot tell articles
/// apart: a word in more than half of the articles (`refu…` in a returns-heavy help centre)
/// gets an IDF of about zero, and every score ties at -0.0.
pub fn search_keywords(conn: &Connection, input: &str, limit: usize) -> rusqlite::Result<Vec<KbHit>> {
    let hits = search_all_words(conn, input, limit)?;
    if !hits.is_empty() {
        return Ok(hits);
    }
    let Some(all) = fts::build_query(input, Combine::All) else { return Ok(hits) };
    match fts::build_query(input, Combine::Any) {
        Some(any) if any != all => {
            // Terms are quoted words (no spaces inside), so the joiner splits them exactly.
            let terms: Vec<&str> = any.split(" OR ").collect();
            run_ranked(conn, &any, &terms, limit)
        }
        _ => Ok(hits),
    }
}

/// The articles holding every word typed.
fn search_all_words(conn: &Connection, input: &str, limit: usize) -> rusqlite::Result<Vec<KbHit>> {
    match fts::build_query(input, Combine::All) {
        Some(all) => run_ranked(conn, &all, &[], limit),
        None => Ok(Vec::new()),
    }
}

/// Longest query whose words are counted one by one for the "more words matched" key; a
/// longer one (a pasted paragraph) is ranked by bm25 and title alone.
const MAX_COUNTED_TERMS: usize = 12;

/// Runs a MATCH ranked by: number of `terms` matched, title/tags hold the query, bm25.
fn run_ranked(conn: &Connection, query: &str, terms: &[&str], limit: usize) -> rusqlite::Result<Vec<KbHit>> {
    let terms = if terms.len() > MAX_COUNTED_TERMS { &[][..] } else { terms };
    let mut terms = terms.to_vec();
    let narrowed = long_prefix::narrowed(conn, query)?;
    if let Some(narrowed) = &narrowed {
        // Only the last term is ever a prefix; counted, it is counted last.
        let last_of = |q: &'_ str| q.rsplit(' ').next().unwrap_or_default().to_string();
        if let Some(last) = terms.last_mut().filter(|t| **t == last_of(query)) {
            *last = narrowed.rsplit(' ').next().unwrap_or_default();
        }
    }
    let query = narrowed.as_deref().unwrap_or(query);
    let sql = ranked_sql(terms.len(), fts::phrase_count(query));
    let mut stmt = conn.prepare_cached(&sql)?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut params: Vec<&dyn rusqlite::ToSql> = vec![&query, &limit];
    params.extend(terms.iter().map(|t| t as &dyn rusqlite::ToSql));
    let rows = stmt.query_map(params.as_slice(), |r| {
        Ok(KbHit { id: r.get(0)?, title: r.get(1)?, category: r.get(2)?, snippet: r.get(3)?, score: r.get(4)? })
    })?;
    rows.collect()
}

/// Most matching articles ranked per query. A word in nearly every article (`refund` in a
/// returns-heavy help centre) or a two-letter prefix still being typed (`re…`) matches
/// thousands; bm25 over all of them costs about 0.7 µs each (13 ms for 20,000 here, 65 ms
/// for 100,000). Beyond this many, only the newest matching articles (highest ids) are
/// ranked, which keeps every search under a few milliseconds at any size; a more specific
/// query (the next letter, a second word) matches fewer and is ranked in full. (2,000 kept
/// a two-word search that matches 16,000 of 20,000 articles just over its 5 ms budget.)
pub const RANK_CAP: usize = 1_000;

/// The SQL [`search`] runs: `?1` the MATCH expression (of `phrases` phrases), `?2` the
/// limit, `?3…` the `counted_terms` terms counted one by one. Public so the benchmark suite
/// can run the very same query in the `sqlite3` shell as its floor.
///
/// Ranking runs first over ids and scores alone (at most [`RANK_CAP`] candidates); the
/// snippet, which tokenizes the article text, is made only for the rows returned, in one
/// more pass over the matches (not one MATCH per row: each would expand a prefix again).
pub fn ranked_sql(counted_terms: usize, phrases: usize) -> String {
    let in_range = |index: &str, expr: &str| {
        format!(
            "(c.id IN (SELECT rowid FROM {index} WHERE {index} MATCH {expr} AND rowid >= (SELECT min(id) FROM candidates)))"
        )
    };
    // Each counted term is one more pass over the candidates' range of the article index.
    let matched = if counted_terms == 0 {
        "0".to_string()
    } else {
        (0..counted_terms).map(|i| in_range("kb_fts", &format!("?{}", i + 3))).collect::<Vec<_>>().join(" + ")
    };
    // "Title or tags hold every phrase of the query". One phrase (a word being typed, the
    // usual case) gets it free with the scores: bm25 weighted on title and tags alone is
    // below zero exactly when the phrase occurs there (FTS5 floors every IDF at a small
    // positive number, so even a word in every article counts). More phrases ask
    // `kb_title_fts`, the small index of titles and tags, where it costs little.
    let (keys, in_title) = if phrases == 1 {
        (", bm25(kb_fts, 1.0, 1.0, 0.0) < 0 AS in_title", "c.in_title".to_string())
    } else {
        ("", in_range("kb_title_fts", "?1"))
    };
    let ranking = format!(
        "SELECT c.id, c.score, {in_title} AS in_title, {matched} AS matched FROM candidates c
         ORDER BY matched DESC, in_title DESC, c.score LIMIT ?2"
    );
    ranked_query(keys, &ranking, "r.matched DESC, r.in_title DESC, r.score")
}

/// The query around a ranking: `candidates(id, score, …)` are the newest [`RANK_CAP`]
/// articles matching `?1` with their bm25 scores and any more `keys` (columns), in one
/// descending pass over the index (which FTS5 serves natively and stops at the cap);
/// `ranking` picks some of them into `ranked`, and those rows get their title and snippet,
/// in the ranking's `order`.
///
/// Every MATCH of a prefix the index has no prefix entries for ("deliver…") merges the
/// postings of every term it expands to, over the whole index: a cost paid per MATCH, so
/// the query holds as few of them as it can.
fn ranked_query(keys: &str, ranking: &str, order: &str) -> String {
    format!(
        "WITH candidates AS MATERIALIZED (
             SELECT rowid AS id, bm25(kb_fts, {w0}, {w1}, {w2}) AS score {keys}
             FROM kb_fts WHERE kb_fts MATCH ?1
             ORDER BY rowid DESC LIMIT {cap}
         ),
         ranked AS MATERIALIZED ({ranking})
         SELECT a.id, a.title, a.category,
                snippet(kb_fts, 2, '{MARK_START}', '{MARK_END}', '…', 14),
                r.score
         FROM kb_fts CROSS JOIN ranked r CROSS JOIN kb_articles a
         WHERE kb_fts MATCH ?1 AND kb_fts.rowid >= (SELECT min(id) FROM ranked) AND r.id = kb_fts.rowid AND a.id = r.id
         ORDER BY {order}",
        cap = RANK_CAP,
        w0 = WEIGHTS.0,
        w1 = WEIGHTS.1,
        w2 = WEIGHTS.2,
    )
}

/// Suggests articles for a contact from its subject and body, before the rep types; the
/// articles the reps used for words the contact says come first ([`uses`]).
pub fn suggest(conn: &Connection, subject: &str, body: &str, limit: usize) -> rusqlite::Result<Vec<KbHit>> {
    let hits = suggest_text(conn, subject, body, limit)?;
    uses::promote(conn, &format!("{subject} {body}"), hits, limit)
}

/// How much of what the customer said a suggestion reads: its opening, where customers say
/// what they want.
const SUGGEST_CHARS: usize = 400;

fn suggest_text(conn: &Connection, subject: &str, body: &str, limit: usize) -> rusqlite::Result<Vec<KbHit>> {
    // Understood as a question in the customer's words, like a search: over the demo's
    // contacts it put the right article first for six contacts where the words alone did not
    // ("App down?" → app outages, not checkout errors), and for none the other way round.
    // Finished words only (the trailing space).
    let opening: String = body.chars().take(SUGGEST_CHARS).collect();
    let hits = search_text(conn, &format!("{subject}. {opening} "), limit)?;
    if !hits.is_empty() {
        return Ok(hits);
    }
    // Nothing understood (another language, say): any of the words, the subject twice.
    let text = format!("{subject} {subject} {body} ");
    let mut words = fts::words(&text);
    words.truncate(40);
    match fts::build_query(&format!("{} ", words.join(" ")), Combine::Any) {
        Some(q) => run_match(conn, &q, limit),
        None => Ok(Vec::new()),
    }
}

fn run_match(conn: &Connection, query: &str, limit: usize) -> rusqlite::Result<Vec<KbHit>> {
    // Ranked like `ranked_sql`, by bm25 alone.
    let sql = ranked_query("", "SELECT id, score FROM candidates ORDER BY score LIMIT ?2", "r.score");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![query, i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
        Ok(KbHit { id: r.get(0)?, title: r.get(1)?, category: r.get(2)?, snippet: r.get(3)?, score: r.get(4)? })
    })?;
    rows.collect()
}

/// Reads one article.
pub fn article(conn: &Connection, id: Id) -> rusqlite::Result<Option<Article>> {
    conn.query_row(
        "SELECT id, source, title, description, category, tags, body, url FROM kb_articles WHERE id = ?1",
        [id],
        |r| {
            let tags: String = r.get(5)?;
            Ok(Article {
                id: r.get(0)?,
                source: r.get(1)?,
                title: r.get(2)?,
                description: r.get(3)?,
                category: r.get(4)?,
                tags: tags.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_string).collect(),
                body: r.get(6)?,
                url: r.get(7)?,
            })
        },
    )
    .optional()
}

/// How many articles the workspace holds.
pub fn count(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT count(*) FROM kb_articles", [], |r| r.get(0))
}
