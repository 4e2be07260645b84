//! Turning whatever the rep typed into a safe FTS5 query. User text never reaches MATCH raw:
//! it is NFKC-normalised, split into words, and every word is quoted, so quotes, `AND(`,
//! `C++`, `*` or emoji are just text.

use unicode_normalization::UnicodeNormalization;

/// Prefix expansion of a word shorter than this would match most of the index; such a
/// word is searched as a whole word until the rep types more.
pub const MIN_PREFIX_CHARS: usize = 2;

/// Words that carry no meaning in a spoken question ("how do I return a tent").
const STOPWORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "could", "do", "does", "for", "from", "get", "has",
    "have", "how", "i", "if", "in", "into", "is", "it", "its", "me", "my", "of", "on", "or", "our", "please", "so",
    "that", "the", "their", "them", "there", "they", "this", "to", "was", "we", "what", "when", "where", "which",
    "who", "why", "will", "with", "would", "you", "your",
    // What is left of contractions once the apostrophe splits them ("it's", "doesn't").
    "s", "t", "d", "ll", "re", "ve", "don", "doesn", "didn", "isn", "wasn", "won",
];

/// Whether a word carries no meaning in a search: a stopword, or a word that stands for
/// whatever the customer means ([`crate::domain::query::VAGUE`]).
fn is_stopword(word: &str) -> bool {
    STOPWORDS.contains(&word) || crate::domain::query::VAGUE.contains(&word)
}

/// How the words of a query combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    All,
    Any,
}

/// Splits typed text into normalised search words.
pub fn words(input: &str) -> Vec<String> {
    let normalized: String = input.nfkc().collect::<String>().to_lowercase();
    normalized.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_string).collect()
}

/// Builds an FTS5 MATCH expression, or `None` when the input has no words.
/// The last word is a prefix unless the input ends in white space (the rep finished it).
pub fn build_query(input: &str, combine: Combine) -> Option<String> {
    let mut all = words(input);
    let mut last_is_partial = !input.ends_with(char::is_whitespace);
    // A one-letter word still being typed ("how l") says nothing yet: searched as a whole
    // word it matches nothing and would empty the results under the rep's fingers.
    if last_is_partial && all.len() > 1 && all.last().is_some_and(|w| w.chars().count() < MIN_PREFIX_CHARS) {
        all.pop();
        // The word before it was finished (a space followed it).
        last_is_partial = false;
    }
    let meaningful: Vec<&String> = all.iter().filter(|w| !is_stopword(w)).collect();
    // A query of only stopwords ("how to") is still searched, word for word.
    let chosen: Vec<&String> = if meaningful.is_empty() { all.iter().collect() } else { meaningful };
    let last_word = all.last();
    let terms: Vec<String> = chosen
        .iter()
        .map(|w| {
            let quoted = format!("\"{}\"", w.replace('"', "\"\""));
            let is_last = Some(*w) == last_word;
            if is_last && last_is_partial && w.chars().count() >= MIN_PREFIX_CHARS {
                format!("{quoted}*")
            } else {
                quoted
            }
        })
        .collect();
    if terms.is_empty() {
        return None;
    }
    let joiner = match combine {
        Combine::All => " ",
        Combine::Any => " OR ",
    };
    Some(terms.join(joiner))
}

/// How many phrases a query from [`build_query`] holds: its terms are quoted words with no
/// space inside, joined by spaces (all) or `OR` (any).
pub fn phrase_count(query: &str) -> usize {
    query.split(' ').filter(|t| !t.is_empty() && *t != "OR").count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_word_is_quoted_and_the_last_is_a_prefix() {
        assert_eq!(build_query("refund windo", Combine::All).as_deref(), Some("\"refund\" \"windo\"*"));
        assert_eq!(build_query("refund window ", Combine::All).as_deref(), Some("\"refund\" \"window\""));
        assert_eq!(build_query("refund tent", Combine::Any).as_deref(), Some("\"refund\" OR \"tent\"*"));
    }

    #[test]
    fn phrases_are_counted_whichever_way_they_are_joined() {
        let count = |input: &str, combine| phrase_count(&build_query(input, combine).unwrap_or_default());
        assert_eq!(count("refu", Combine::All), 1);
        assert_eq!(count("refund tent zip", Combine::All), 3);
        assert_eq!(count("refund tent zip", Combine::Any), 3);
        assert_eq!(count("O'Brien", Combine::All), 2);
        assert_eq!(count("", Combine::All), 0);
    }

    #[test]
    fn hostile_input_becomes_plain_words() {
        assert_eq!(build_query("AND(", Combine::All).as_deref(), Some("\"and\"*"));
        assert_eq!(build_query("\"", Combine::All), None);
        assert_eq!(build_query("*", Combine::All), None);
        assert_eq!(build_query("C++", Combine::All).as_deref(), Some("\"c\""));
        assert_eq!(build_query("O'Brien", Combine::All).as_deref(), Some("\"o\" \"brien\"*"));
        assert_eq!(build_query("ｗｉｆｉ", Combine::All).as_deref(), Some("\"wifi\"*"));
    }

    #[test]
    fn a_one_letter_word_being_typed_waits_for_the_next_letter() {
        assert_eq!(build_query("refund l", Combine::All).as_deref(), Some("\"refund\""));
        assert_eq!(build_query("how l", Combine::All).as_deref(), Some("\"how\""));
        assert_eq!(build_query("refund lo", Combine::All).as_deref(), Some("\"refund\" \"lo\"*"));
        assert_eq!(build_query("l", Combine::All).as_deref(), Some("\"l\""));
    }

    #[test]
    fn stopwords_are_dropped_unless_nothing_else_is_left() {
        assert_eq!(build_query("return something", Combine::All).as_deref(), Some("\"return\""));
        assert_eq!(build_query("how do I return a tent", Combine::All).as_deref(), Some("\"return\" \"tent\"*"));
        assert_eq!(build_query("how to", Combine::All).as_deref(), Some("\"how\" \"to\"*"));
    }
}
