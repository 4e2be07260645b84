//! A word still being typed that is longer than the prefixes the article index keeps,
//! searched as the one indexed word it can only be.
//!
//! Why: FTS5 answers a prefix it keeps no entries for ("delivery…": eight letters, against
//! the index's four) by merging the postings of every word the prefix begins, over the
//! whole index, and it does so again in each MATCH of a search and once more for bm25's
//! weights. At 20,000 articles that was 1.7 ms of the 4.3 ms a search for "tracking
//! delivery" took. When the index holds exactly one word the prefix begins, that word
//! searched whole matches the same articles, with the same scores and snippets.
//!
//! Which words a prefix begins is asked of the index itself (`fts5vocab`), and the word a
//! typed text becomes is asked of FTS5's own tokenizer (a one-row table of the same
//! tokenizer), so the two can never disagree with how the articles were indexed.

use rusqlite::Connection;

/// The longest prefix the article index keeps entries for (`prefix = '2 3 4'`,
/// migration 0008).
pub(super) const INDEXED_PREFIX: usize = 4;

/// The tokenizer of the article indexes (migrations 0008 and 0011); a test holds the schema
/// to it.
pub(super) const TOKENIZE: &str = "porter unicode61 remove_diacritics 2";

/// `query` (from [`super::fts::build_query`]) with its last term, when that is a prefix
/// longer than [`INDEXED_PREFIX`] that begins exactly one indexed word, searched as that
/// word; otherwise `None`.
pub(super) fn narrowed(conn: &Connection, query: &str) -> rusqlite::Result<Option<String>> {
    let (head, last) = match query.rsplit_once(' ') {
        Some((head, last)) => (Some(head), last),
        None => (None, query),
    };
    let Some(typed) = long_prefix_word(last) else { return Ok(None) };
    open_word_tables(conn)?;
    let Some(word) = only_word_begun_by(conn, &typed)? else { return Ok(None) };
    let whole = format!("\"{}\"", word.replace('"', "\"\""));
    Ok(Some(match head {
        Some(head) => format!("{head} {whole}"),
        None => whole,
    }))
}

/// The word of a prefix term (`"deliver"*`) longer than [`INDEXED_PREFIX`].
fn long_prefix_word(term: &str) -> Option<String> {
    let word = term.strip_prefix('"')?.strip_suffix("\"*")?.replace("\"\"", "\"");
    (word.chars().count() > INDEXED_PREFIX).then_some(word)
}

/// A word that, searched whole, matches exactly what `typed` as a prefix matches: the
/// typed word itself or the one indexed word it begins. `None` when the prefix begins no
/// word or several, or no such word exists.
fn only_word_begun_by(conn: &Connection, typed: &str) -> rusqlite::Result<Option<String>> {
    let stems = index_words(conn, typed)?;
    let [stem] = stems.as_slice() else { return Ok(None) };
    let begun = words_beginning(conn, stem)?;
    let [only] = begun.as_slice() else { return Ok(None) };
    // The typed word becomes that very word ("delivery" → "deliveri").
    if only == stem {
        return Ok(Some(typed.to_string()));
    }
    // A shorter prefix ("deliver" → "deliv", which begins only "deliveri"): the indexed word
    // searched as itself, if the tokenizer leaves it as it is.
    Ok((index_words(conn, only)?.as_slice() == std::slice::from_ref(only)).then(|| only.clone()))
}

/// At most two of the indexed words that begin with `stem`: one is all [`narrowed`] needs
/// to know of, a second says there are several. `fts5vocab` counts each word's articles as
/// it goes, so asking for more would walk more of the index.
fn words_beginning(conn: &Connection, stem: &str) -> rusqlite::Result<Vec<String>> {
    // Every word beginning with `stem` sorts below `stem` followed by the last code point.
    let end = format!("{stem}\u{10FFFF}");
    let mut stmt = conn.prepare_cached("SELECT term FROM temp.kb_fts_words WHERE term >= ?1 AND term < ?2 LIMIT 2")?;
    let words = stmt.query_map([stem, end.as_str()], |r| r.get(0))?;
    words.collect()
}

/// The distinct words the article index would store for `text`, sorted: FTS5's tokenizer
/// run over it in a private one-row table of the connection's temporary schema.
fn index_words(conn: &Connection, text: &str) -> rusqlite::Result<Vec<String>> {
    conn.prepare_cached("DELETE FROM temp.kb_tokenizer")?.execute([])?;
    conn.prepare_cached("INSERT INTO temp.kb_tokenizer(text) VALUES (?1)")?.execute([text])?;
    let mut stmt = conn.prepare_cached("SELECT term FROM temp.kb_tokenizer_words")?;
    let words = stmt.query_map([], |r| r.get(0))?;
    words.collect()
}

/// The connection's views of the article index's words and its private tokenizer table,
/// made once per connection (`IF NOT EXISTS` leaves them be afterwards).
fn open_word_tables(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(&format!(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.kb_fts_words USING fts5vocab(main, kb_fts, row);
         CREATE VIRTUAL TABLE IF NOT EXISTS temp.kb_tokenizer USING fts5(text, detail = none, tokenize = '{TOKENIZE}');
         CREATE VIRTUAL TABLE IF NOT EXISTS temp.kb_tokenizer_words USING fts5vocab(temp, kb_tokenizer, row);"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::kb::{NewArticle, upsert_article};

    /// A workspace whose articles hold `bodies`.
    fn indexed(bodies: &[&str]) -> Connection {
        let conn = crate::store::open_in_memory().expect("an in-memory workspace opens");
        for (i, body) in bodies.iter().enumerate() {
            let article = NewArticle {
                source: format!("{i}.md"),
                title: format!("Article {i}"),
                description: String::new(),
                category: String::new(),
                tags: Vec::new(),
                body: (*body).to_string(),
                plain: (*body).to_string(),
                hash: (*body).to_string(),
                url: None,
            };
            upsert_article(&conn, &article, 0).expect("the article is stored");
        }
        conn
    }

    fn narrowed_in(conn: &Connection, query: &str) -> Option<String> {
        narrowed(conn, query).expect("narrowing reads the index")
    }

    #[test]
    fn a_long_prefix_of_one_indexed_word_is_searched_as_that_word() {
        let conn = indexed(&["Tracking a delivery", "Late deliveries are refunded"]);
        // "delivery" and "deliveries" are one word to the index.
        assert_eq!(narrowed_in(&conn, "\"tracking\" \"delivery\"*").as_deref(), Some("\"tracking\" \"delivery\""));
        // "deliver" is indexed as "deliv", which begins only "deliveri": that word is searched.
        assert_eq!(narrowed_in(&conn, "\"tracking\" OR \"deliver\"*").as_deref(), Some("\"tracking\" OR \"deliveri\""));
        assert_eq!(narrowed_in(&conn, "\"refun\"*").as_deref(), Some("\"refund\""));
    }

    #[test]
    fn a_prefix_of_several_words_or_none_or_a_short_one_is_left_as_typed() {
        let conn = indexed(&["We delivered it", "Tracking a delivery"]);
        // "deliv" begins "deliv" (delivered) and "deliveri" (delivery).
        assert_eq!(narrowed_in(&conn, "\"tracking\" \"deliv\"*"), None);
        assert_eq!(narrowed_in(&conn, "\"tracking\" \"parcel\"*"), None);
        // Four letters or fewer are the prefix index's own.
        assert_eq!(narrowed_in(&conn, "\"trac\"*"), None);
        // A finished word is no prefix.
        assert_eq!(narrowed_in(&conn, "\"tracking\" \"delivery\""), None);
        // A dash makes two words of it for the tokenizer.
        assert_eq!(narrowed_in(&conn, "\"track-ing\"*"), None);
    }

    #[test]
    fn the_article_indexes_use_the_tokenizer_the_narrowing_asks() {
        let conn = indexed(&[]);
        for index in ["kb_fts", "kb_title_fts"] {
            let sql: String = conn
                .query_row("SELECT sql FROM sqlite_schema WHERE name = ?1", [index], |r| r.get(0))
                .expect("the index exists");
            assert!(sql.contains(&format!("tokenize = '{TOKENIZE}'")), "{sql}");
        }
    }
}
