//! Bulletins — policy updates and known incidents — and which active incidents explain a
//! contact ("Outage in region North since 09:10" on the contact it concerns).

use serde::Serialize;

use super::{Id, Timestamp};

/// What a bulletin is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BulletinKind {
    /// Something broken now (an outage, carrier delays): shown on the contacts it explains.
    Incident,
    /// A rule that changed (a returns extension).
    Policy,
}

impl BulletinKind {
    /// The name used in files and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Incident => "incident",
            Self::Policy => "policy",
        }
    }

    /// Reads the name used in files and the database (any case).
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "incident" => Some(Self::Incident),
            "policy" => Some(Self::Policy),
            _ => None,
        }
    }
}

/// A policy update or known incident, valid from `starts_at` until `ends_at` (open-ended
/// when `None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bulletin {
    pub id: Id,
    pub title: String,
    pub body: String,
    pub kind: BulletinKind,
    pub starts_at: Timestamp,
    pub ends_at: Option<Timestamp>,
    /// Words or phrases that link an incident to the contacts it explains.
    pub keywords: Vec<String>,
    /// Where it applies — regions, states, ZIP prefixes, cities, tags, products; empty for
    /// everywhere. An incident with areas explains only contacts where one appears.
    pub areas: Vec<String>,
    /// Whether the rep has seen it.
    pub read: bool,
}

impl Bulletin {
    /// Whether this is a known incident (rather than a policy update).
    pub fn is_incident(&self) -> bool {
        self.kind == BulletinKind::Incident
    }

    /// Whether it applies at `now`: started, and not yet ended.
    pub fn is_active(&self, now: Timestamp) -> bool {
        self.starts_at <= now && self.ends_at.is_none_or(|end| now < end)
    }

    /// The keywords of this bulletin found in `text`, as written in the bulletin.
    pub fn matched_keywords(&self, text: &str) -> Vec<&str> {
        let haystack = words(text);
        self.keywords.iter().map(String::as_str).filter(|k| contains_phrase(&haystack, &words(k))).collect()
    }
}

/// The incidents among `active` whose keywords — whole words or phrases, ignoring case and
/// accents — appear in `text` (a contact's subject and body), and which concern `place`
/// (where the contact is: its text, the customer's city, tags) when they name areas. Policy
/// updates never match.
pub fn matching_incidents<'b>(active: &'b [Bulletin], text: &str, place: &str) -> Vec<&'b Bulletin> {
    let haystack = words(text);
    let place = words(&format!("{text} {place}"));
    active
        .iter()
        .filter(|b| b.is_incident())
        .filter(|b| b.keywords.iter().any(|k| contains_phrase(&haystack, &words(k))))
        .filter(|b| b.applies_in(&place))
        .collect()
}

impl Bulletin {
    /// Whether it concerns a place given as its words: no areas means everywhere; a ZIP
    /// prefix (digits) matches a ZIP code that starts with it.
    fn applies_in(&self, place: &[String]) -> bool {
        self.areas.is_empty()
            || self.areas.iter().any(|area| {
                let area_words = words(area);
                match area_words.as_slice() {
                    [digits] if digits.chars().all(|c| c.is_ascii_digit()) => place.iter().any(|w| {
                        w.len() == 5 && w.chars().all(|c| c.is_ascii_digit()) && w.starts_with(digits.as_str())
                    }),
                    _ => contains_phrase(place, &area_words),
                }
            })
    }
}

/// Lower-cased words without accents ("Sign-in Échoué" → ["sign", "in", "echoue"]).
fn words(text: &str) -> Vec<String> {
    let folded = super::text::folded(text);
    folded.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_string).collect()
}

fn contains_phrase(haystack: &[String], phrase: &[String]) -> bool {
    !phrase.is_empty() && haystack.windows(phrase.len()).any(|w| w == phrase)
}

#[cfg(test)]
mod area_tests {
    use super::*;

    fn storm(areas: &[&str]) -> Bulletin {
        Bulletin {
            id: 1,
            title: "Carrier delays in the Northeast".into(),
            body: String::new(),
            kind: BulletinKind::Incident,
            starts_at: 0,
            ends_at: None,
            keywords: vec!["delivery".into()],
            areas: areas.iter().map(|a| (*a).to_string()).collect(),
            read: false,
        }
    }

    #[test]
    fn an_incident_with_areas_shows_only_where_one_appears() {
        let b = [storm(&["Northeast", "NY", "New York", "021"])];
        assert_eq!(matching_incidents(&b, "late delivery", "Albany NY 12207").len(), 1);
        assert_eq!(matching_incidents(&b, "late delivery", "America/New_York").len(), 1, "the customer's city");
        assert_eq!(matching_incidents(&b, "late delivery to 02139", "").len(), 1, "a ZIP prefix");
        assert!(matching_incidents(&b, "late delivery", "America/Los_Angeles Portland").is_empty());
        assert!(matching_incidents(&b, "late delivery to 60640", "America/Chicago").is_empty());
        assert_eq!(matching_incidents(&[storm(&[])], "late delivery", "Chicago").len(), 1, "no areas: everywhere");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incident(title: &str, keywords: &[&str]) -> Bulletin {
        Bulletin {
            id: 1,
            title: title.into(),
            body: String::new(),
            kind: BulletinKind::Incident,
            starts_at: 100,
            ends_at: Some(200),
            keywords: keywords.iter().map(|k| (*k).to_string()).collect(),
            areas: Vec::new(),
            read: false,
        }
    }

    #[test]
    fn a_keyword_matches_whole_words_only() {
        let b = [incident("App outage", &["app"])];
        assert_eq!(matching_incidents(&b, "The APP won't open", "").len(), 1);
        assert!(matching_incidents(&b, "I want to apply a coupon", "").is_empty());
    }

    #[test]
    fn phrases_and_hyphens_match_across_punctuation() {
        let b = [incident("Sign-in", &["sign-in", "AUTH-503", "return window"])];
        assert_eq!(matching_incidents(&b, "cannot sign in on my phone", "").len(), 1);
        assert_eq!(matching_incidents(&b, "error auth 503!", "").len(), 1);
        assert_eq!(matching_incidents(&b, "Is the Return  Window longer?", "").len(), 1);
        assert!(matching_incidents(&b, "window return", "").is_empty());
        assert_eq!(b[0].matched_keywords("auth-503 while I sign-in"), vec!["sign-in", "AUTH-503"]);
    }

    #[test]
    fn accents_are_ignored() {
        let b = [incident("Café", &["café"])];
        assert_eq!(matching_incidents(&b, "CAFE order missing", "").len(), 1);
        let b = [incident("Cafe", &["cafe"])];
        assert_eq!(matching_incidents(&b, "le café est fermé", "").len(), 1);
    }

    #[test]
    fn policies_and_empty_keywords_never_match() {
        let mut policy = incident("Holiday returns", &["returns"]);
        policy.kind = BulletinKind::Policy;
        let empty = incident("No keywords", &["", "--"]);
        assert!(matching_incidents(&[policy, empty], "returns -- returns", "").is_empty());
    }

    #[test]
    fn activity_is_start_inclusive_end_exclusive() {
        let mut b = incident("x", &[]);
        assert!(!b.is_active(99));
        assert!(b.is_active(100));
        assert!(b.is_active(199));
        assert!(!b.is_active(200));
        b.ends_at = None;
        assert!(b.is_active(10_000));
    }
}
