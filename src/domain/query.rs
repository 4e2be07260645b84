//! Understanding a knowledge search typed in the customer's words: the rep's filler
//! ("customer says", "how do I", "my") is dropped, negations and product names are kept, and
//! the customer's phrases ("never showed up", "took the money twice") gain the words help
//! centres use for them ("not received", "double charge") from a small shipped thesaurus.
//!
//! The result is a list of [`Concept`]s: each is one thing the customer said, met by any of
//! its [`Term`]s. Search ranks articles by how many concepts they meet, rarer ones first.

use std::collections::HashMap;
use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;

/// The thesaurus that ships with Frontline (assets/thesaurus/en.txt).
const BUILTIN: &str = include_str!("../../assets/thesaurus/en.txt");

/// Words that carry no meaning in a question a rep types while the customer talks: function
/// words, and the rep's own framing ("customer says", "wants", "please").
const FILLER: &[&str] = &[
    "a",
    "about",
    "after",
    "again",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "anymore",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "but",
    "by",
    "call",
    "caller",
    "calling",
    "can",
    "could",
    "customer",
    "customers",
    "did",
    "do",
    "does",
    "for",
    "from",
    "get",
    "had",
    "has",
    "have",
    "hello",
    "help",
    "hi",
    "how",
    "i",
    "if",
    "im",
    "in",
    "into",
    "is",
    "it",
    "its",
    "just",
    "keep",
    "keeps",
    "know",
    "like",
    "me",
    "my",
    "need",
    "needs",
    "now",
    "of",
    "ok",
    "on",
    "or",
    "our",
    "please",
    "possible",
    "really",
    "said",
    "say",
    "says",
    "she",
    "he",
    "so",
    "some",
    "still",
    "tell",
    "than",
    "thanks",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "they",
    "this",
    "to",
    "too",
    "up",
    "us",
    "very",
    "want",
    "wants",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "who",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yours",
    "s",
    "t",
    "d",
    "ll",
    "re",
    "ve",
    "m",
];

/// Words that stand for whatever the customer means ("return something", "where's my
/// stuff"), and questions typed without the apostrophe: alone they matched the odd article
/// that happens to use them. Filler here, and stopwords of the keyword search.
pub const VAGUE: &[&str] = &["anything", "something", "stuff", "thing", "things", "hows", "whats", "wheres"];

/// Words that turn a statement around: kept, so "not detected" is not "detected".
const NEGATIONS: &[&str] = &[
    "not", "never", "no", "nothing", "none", "without",
    // Typed without the apostrophe (with it, "can't" is "can not").
    "cant", "dont", "doesnt", "didnt", "wont", "isnt", "wasnt", "havent", "hasnt", "couldnt", "wouldnt",
];

/// Prefix expansion of a word shorter than this matches too much of the index.
const MIN_PREFIX_CHARS: usize = 3;

/// Most concepts kept from one query (a pasted paragraph keeps its first ones).
pub const MAX_CONCEPTS: usize = 12;

/// A word or phrase to look for in articles.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Term {
    /// Its words, lower-cased; more than one makes a phrase.
    pub words: Vec<String>,
    /// The last word is still being typed: match any word it begins.
    pub prefix: bool,
}

/// One thing the customer said, met by an article holding any of its terms.
#[derive(Debug, Clone, PartialEq)]
pub struct Concept {
    /// The words as typed (for explanations).
    pub said: String,
    /// The typed words first, then the thesaurus' words for them.
    pub terms: Vec<Term>,
    /// How much meeting it counts, before rarity: a lone negation counts less.
    pub weight: f64,
}

/// What a query says, ready to search.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Understood {
    pub concepts: Vec<Concept>,
    /// Whether the thesaurus added words to any concept.
    pub expanded: bool,
    /// The meaningful words, sorted and unique: what a rep's use of an article is kept under.
    pub key: Vec<String>,
}

/// Customer phrases and the help centre's words for them.
#[derive(Debug, Clone, Default)]
pub struct Thesaurus {
    entries: HashMap<Vec<String>, Vec<Vec<String>>>,
    longest: usize,
}

impl Thesaurus {
    /// Reads `phrase, phrase = word, phrase` lines (`#` starts a comment). An error names the
    /// line at fault.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut th = Self::default();
        for (i, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            let Some((keys, expansions)) = line.split_once('=') else {
                return Err(format!("line {}: expected `customer words = help centre words`", i + 1));
            };
            let expansions: Vec<Vec<String>> = expansions.split(',').map(words).filter(|w| !w.is_empty()).collect();
            if expansions.is_empty() {
                return Err(format!("line {}: nothing after `=`", i + 1));
            }
            for key in keys.split(',').map(words).filter(|w| !w.is_empty()) {
                th.longest = th.longest.max(key.len());
                let entry = th.entries.entry(key).or_default();
                entry.extend(expansions.iter().filter(|e| !entry_has(entry, e)).cloned().collect::<Vec<_>>());
            }
        }
        Ok(th)
    }

    /// The thesaurus shipped with Frontline, read once.
    pub fn builtin() -> &'static Thesaurus {
        static BUILT: OnceLock<Thesaurus> = OnceLock::new();
        // A unit test parses the shipped file, so the empty fallback never happens in a build
        // that passed its tests.
        BUILT.get_or_init(|| Thesaurus::parse(BUILTIN).unwrap_or_default())
    }

    /// How many customer phrases it knows.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it knows no phrase at all.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The longest phrase starting `words` that the thesaurus knows, with its expansions.
    fn longest_match(&self, words: &[String]) -> Option<(usize, &[Vec<String>])> {
        (1..=self.longest.min(words.len())).rev().find_map(|n| self.entries.get(&words[..n]).map(|e| (n, e.as_slice())))
    }
}

fn entry_has(entry: &[Vec<String>], e: &[String]) -> bool {
    entry.iter().any(|x| x == e)
}

/// Lower-cases and NFKC-normalises text and spells out contractions ("can't" → "can not").
pub fn normalize(input: &str) -> String {
    let text: String = input.nfkc().collect::<String>().to_lowercase().replace(['\u{2019}', '\u{2018}'], "'");
    text.replace("can't", "can not")
        .replace("won't", "will not")
        .replace("cannot", "can not")
        .replace("n't", " not")
        .replace("'m ", " am ")
}

/// Splits text into normalised words (letters and digits).
pub fn words(input: &str) -> Vec<String> {
    normalize(input).split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_string).collect()
}

/// Whether a word is the rep's or the sentence's filler rather than the customer's matter.
pub fn is_filler(word: &str) -> bool {
    FILLER.contains(&word) || VAGUE.contains(&word)
}

/// Whether the rep has typed one letter so far and is still typing: too little to search.
/// As a whole word it finds only one-letter words ("m" in "8 p.m.", "s" in "it's"), so "m"
/// listed ten articles while "r" found none; as the start of a word it matches most of the
/// help centre, with no prefix index to do it quickly.
/// A single character of a script that writes words without letters-as-sounds (Chinese,
/// Japanese, Korean: from U+2E80 on) is a word: it is searched.
pub fn only_a_first_letter(input: &str) -> bool {
    let mut chars = input.trim().chars();
    let lone = match (chars.next(), chars.next()) {
        (Some(c), None) => (c as u32) < 0x2E80,
        _ => false,
    };
    lone && !input.ends_with(char::is_whitespace)
}

/// Reads a query: thesaurus phrases first (longest wins, never across punctuation the rep
/// typed), then every remaining meaningful word as a concept of its own.
pub fn understand(input: &str, thesaurus: &Thesaurus) -> Understood {
    let normalized = normalize(input);
    let last_is_partial = !input.ends_with(char::is_whitespace);
    let segments: Vec<Vec<String>> = normalized.split([',', '.', ';', '?', '!', '\n']).map(words).collect();
    let last_segment = segments.iter().rposition(|s| !s.is_empty());
    let mut out = Understood::default();
    for (si, seg) in segments.iter().enumerate() {
        let mut i = 0;
        while i < seg.len() {
            let is_last_word = Some(si) == last_segment && i + 1 == seg.len();
            if let Some((n, expansions)) = thesaurus.longest_match(&seg[i..]) {
                // Phrases of one meaning that overlap ("my money" and "money back" in "can I
                // get my money back") are one concept: the word the second adds, searched
                // on its own, put "Backorders" above the refund articles.
                let mut end = i + n;
                while let Some(further) = (i + 1..end).find_map(|k| {
                    thesaurus
                        .longest_match(&seg[k..])
                        .filter(|(m, e)| k + m > end && *e == expansions)
                        .map(|(m, _)| k + m)
                }) {
                    end = further;
                }
                out.expanded = true;
                out.concepts.push(expanded_concept(&seg[i..end], expansions));
                i = end;
                continue;
            }
            let word = &seg[i];
            i += 1;
            if is_filler(word) {
                continue;
            }
            let prefix = is_last_word && last_is_partial && word.chars().count() >= MIN_PREFIX_CHARS;
            let weight = if NEGATIONS.contains(&word.as_str()) { 0.3 } else { 1.0 };
            out.concepts.push(Concept {
                said: word.clone(),
                terms: vec![Term { words: vec![word.clone()], prefix }],
                weight,
            });
        }
    }
    out.concepts.truncate(MAX_CONCEPTS);
    out.key = key_words(&out.concepts);
    out
}

/// A thesaurus phrase as a concept: the phrase as typed, then the help centre's words.
fn expanded_concept(said: &[String], expansions: &[Vec<String>]) -> Concept {
    let mut terms = vec![Term { words: said.to_vec(), prefix: false }];
    terms.extend(expansions.iter().filter(|e| e.as_slice() != said).map(|e| Term { words: e.clone(), prefix: false }));
    Concept { said: said.join(" "), terms, weight: 1.0 }
}

fn key_words(concepts: &[Concept]) -> Vec<String> {
    let mut key: Vec<String> =
        concepts.iter().flat_map(|c| c.said.split(' ')).filter(|w| !is_filler(w)).map(str::to_string).collect();
    key.sort();
    key.dedup();
    key
}

/// The meaningful words of a text, sorted and unique: how a rep's use of an article is
/// remembered and found again ("parcel never came" and "never came, the parcel" alike).
pub fn key_of(input: &str) -> Vec<String> {
    let mut key: Vec<String> = words(input).into_iter().filter(|w| !is_filler(w)).collect();
    key.sort();
    key.dedup();
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(input: &str) -> Vec<String> {
        understand(input, Thesaurus::builtin()).concepts.into_iter().map(|c| c.said).collect()
    }

    #[test]
    fn only_a_lone_letter_still_being_typed_is_too_short() {
        assert!(only_a_first_letter("m") && only_a_first_letter(" é"));
        assert!(!only_a_first_letter("m ") && !only_a_first_letter("re") && !only_a_first_letter("a b"));
        assert!(!only_a_first_letter("") && !only_a_first_letter("  "));
        assert!(!only_a_first_letter("退") && !only_a_first_letter("본"), "a word in its own right");
    }

    #[test]
    fn the_shipped_thesaurus_parses() {
        let th = Thesaurus::parse(BUILTIN).unwrap();
        assert!(th.len() > 100, "{}", th.len());
    }

    #[test]
    fn a_line_without_an_equals_sign_is_named() {
        assert_eq!(
            Thesaurus::parse("# ok\nparcel = package\nbroken\n").unwrap_err(),
            "line 3: expected `customer words = help centre words`"
        );
        assert_eq!(Thesaurus::parse("parcel = ,\n").unwrap_err(), "line 1: nothing after `=`");
    }

    #[test]
    fn the_reps_filler_is_dropped_and_negations_kept() {
        assert_eq!(said("customer says how do I reset my router "), ["reset", "router"]);
        assert_eq!(said("board not detected "), ["board", "not", "detected"]);
    }

    #[test]
    fn words_that_stand_for_anything_are_filler_and_a_bare_cant_is_a_negation() {
        assert_eq!(said("how do i return something"), ["return"]);
        let u = understand("cant log in ", Thesaurus::builtin());
        assert!(u.concepts.iter().any(|c| c.said == "cant" && c.weight < 1.0), "{u:?}");
    }

    #[test]
    fn overlapping_phrases_of_one_meaning_are_one_concept() {
        assert_eq!(said("can I get my money back"), ["my money back"]);
        // Of different meanings (a charge, a refund) the first keeps its words.
        assert_eq!(said("they took the money back"), ["took the money", "back"]);
    }

    #[test]
    fn customer_phrases_gain_the_help_centres_words() {
        let u = understand("my parcel never showed up", Thesaurus::builtin());
        assert!(u.expanded);
        assert_eq!(u.concepts.iter().map(|c| c.said.as_str()).collect::<Vec<_>>(), ["parcel", "never showed up"]);
        let never = &u.concepts[1];
        assert!(never.terms.iter().any(|t| t.words == ["not", "received"]), "{never:?}");
        let twice = understand("you took the money twice", Thesaurus::builtin());
        assert!(twice.concepts[0].terms.iter().any(|t| t.words == ["double", "charge"]), "{twice:?}");
    }

    #[test]
    fn contractions_are_spelled_out_and_phrases_stop_at_punctuation() {
        assert_eq!(normalize("It didn’t arrive, can't log in"), "it did not arrive, can not log in");
        // "showed, up" is two segments: no phrase across the comma.
        assert_eq!(said("never showed, up"), ["never", "showed"]);
    }

    #[test]
    fn the_last_word_being_typed_is_a_prefix() {
        let u = understand("warranty zipp", &Thesaurus::default());
        assert!(u.concepts[1].terms[0].prefix);
        let done = understand("warranty zipp ", &Thesaurus::default());
        assert!(!done.concepts[1].terms[0].prefix);
    }

    #[test]
    fn the_key_ignores_order_and_filler() {
        assert_eq!(key_of("Parcel never came"), key_of("never came, the parcel!"));
        assert_eq!(key_of("my parcel never came"), ["came", "never", "parcel"]);
    }
}
