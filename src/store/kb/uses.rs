//! What the reps taught the knowledge search: which article they inserted or linked after
//! searching which words. A later search holding all the words of such a use puts that
//! article first, and can say why ("used for 'parcel never came' 4 times").

use rusqlite::{Connection, OptionalExtension, params};

use crate::domain::query::key_of;
use crate::domain::text::mask_card_numbers;
use crate::domain::{Id, KbHit, Timestamp};

/// Longest wording kept for an explanation (a pasted paragraph is cut).
const MAX_QUERY_CHARS: usize = 120;
/// Most words a use is remembered under: a longer text is a pasted message, not a search.
const MAX_KEY_WORDS: usize = 12;

/// Why an article is suggested: the reps used it for these words this many times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsedFor {
    pub article: Id,
    /// The wording typed most recently for the use counted most.
    pub query: String,
    /// Uses summed over every remembered wording the search holds.
    pub uses: i64,
}

impl UsedFor {
    /// The explanation shown next to the article.
    pub fn explain(&self) -> String {
        let times = if self.uses == 1 { "once".to_string() } else { format!("{} times", self.uses) };
        format!("suggested because it was used for '{}' {times}", self.query)
    }
}

/// Remembers that a rep inserted or linked `article` after searching `query`. Returns
/// whether anything was kept (a query of only filler words teaches nothing).
pub fn record_use(conn: &Connection, query: &str, article: Id, now: Timestamp) -> rusqlite::Result<bool> {
    let mut key = key_of(query);
    key.truncate(MAX_KEY_WORDS);
    if key.is_empty() {
        return Ok(false);
    }
    let shown: String = mask_card_numbers(query.trim()).text.chars().take(MAX_QUERY_CHARS).collect();
    let joined = key.join(" ");
    let words = i64::try_from(key.len()).unwrap_or(i64::MAX);
    let id: Id = conn
        .prepare_cached(
            "INSERT INTO kb_uses(key, words, article_id, query, uses, last_used) VALUES (?1, ?2, ?3, ?4, 1, ?5)
             ON CONFLICT(key, article_id) DO UPDATE SET uses = uses + 1, query = excluded.query,
                last_used = excluded.last_used
             RETURNING id",
        )?
        .query_row(params![joined, words, article, shown, now], |r| r.get(0))?;
    let mut add = conn.prepare_cached("INSERT OR IGNORE INTO kb_use_words(word, use_id) VALUES (?1, ?2)")?;
    for w in &key {
        add.execute(params![w, id])?;
    }
    Ok(true)
}

/// The articles the reps used for words all found in `text`, most used first.
pub fn used_for(conn: &Connection, text: &str, limit: usize) -> rusqlite::Result<Vec<UsedFor>> {
    let key = key_of(text);
    if key.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let words = serde_json::Value::from(key).to_string();
    let mut stmt = conn.prepare_cached(
        "WITH held AS (
             SELECT use_id, count(*) AS n FROM kb_use_words
              WHERE word IN (SELECT value FROM json_each(?1)) GROUP BY use_id
         ),
         matched AS (
             SELECT u.article_id, u.uses, u.query, u.last_used FROM kb_uses u JOIN held h ON h.use_id = u.id
              WHERE h.n = u.words
         )
         SELECT article_id, sum(uses) AS total,
                (SELECT m2.query FROM matched m2 WHERE m2.article_id = m.article_id
                  ORDER BY m2.uses DESC, m2.last_used DESC LIMIT 1)
           FROM matched m GROUP BY article_id ORDER BY total DESC, max(last_used) DESC LIMIT ?2",
    )?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = stmt
        .query_map(params![words, limit], |r| Ok(UsedFor { article: r.get(0)?, uses: r.get(1)?, query: r.get(2)? }))?;
    rows.collect()
}

/// Puts the articles the reps used for these words first (most used first), then the rest
/// of `hits` in their order, at most `limit` in all.
pub(super) fn promote(conn: &Connection, text: &str, hits: Vec<KbHit>, limit: usize) -> rusqlite::Result<Vec<KbHit>> {
    let used = used_for(conn, text, limit)?;
    if used.is_empty() {
        return Ok(hits);
    }
    let mut out = Vec::with_capacity(limit);
    let mut rest = hits;
    for u in &used {
        let hit = match rest.iter().position(|h| h.id == u.article) {
            Some(i) => Some(rest.remove(i)),
            None => plain_hit(conn, u.article)?,
        };
        out.extend(hit);
    }
    out.extend(rest);
    out.truncate(limit);
    Ok(out)
}

/// An article as a result row when the words did not find it themselves: its description
/// stands in for the snippet.
fn plain_hit(conn: &Connection, id: Id) -> rusqlite::Result<Option<KbHit>> {
    conn.prepare_cached("SELECT id, title, category, description FROM kb_articles WHERE id = ?1")?
        .query_row([id], |r| {
            Ok(KbHit { id: r.get(0)?, title: r.get(1)?, category: r.get(2)?, snippet: r.get(3)?, score: 0.0 })
        })
        .optional()
}
