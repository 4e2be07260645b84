//! The rep's shift, pure: states and scheduled activities, schedule adherence, the next
//! block ("break in 4 min"), the breather trigger and the QA scorecard arithmetic. No IO and
//! no clock: the store loads, these functions decide (DESIGN.md section 4).
//!
//! Decisions where the design leaves room (each is pinned by a test):
//! - **Adherence is computed in whole seconds.** DESIGN.md defines it over scheduled
//!   *minutes*; the unit of the definition stays the minute, and because the result is a
//!   ratio, seconds give exactly the same figure whenever states change on minute
//!   boundaries. When a state changes mid-minute, seconds count each part of that minute
//!   for what it was (a change at 10:00:30 makes that minute half matched) instead of
//!   rounding the whole minute one way — no rule for partial minutes is needed.
//! - The state before the first log entry is `offline`; the last entry lasts until `to`.
//! - Log entries are taken in time order; entries at the same second keep their order, so
//!   the later one wins.
//! - Blocks are expected not to overlap (the store refuses overlaps); if they do, each
//!   counts on its own.
//! - QA: a contact's score is its supervisor review (the mean of them if several reviewers);
//!   the rep's self-review counts only for contacts no one else reviewed. A review in which
//!   no criterion applies is left out.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::{Id, Timestamp};

/// The longest schedule block accepted; anything longer is almost surely a wrong date.
pub const MAX_BLOCK_SECONDS: i64 = 24 * 3600;

/// What the rep is doing now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RepState {
    Available,
    OnContact,
    AfterContactWork,
    Break,
    Lunch,
    Training,
    Meeting,
    Offline,
}

impl RepState {
    /// Every state, in the order a picker lists them.
    pub const ALL: [RepState; 8] = [
        Self::Available,
        Self::OnContact,
        Self::AfterContactWork,
        Self::Break,
        Self::Lunch,
        Self::Training,
        Self::Meeting,
        Self::Offline,
    ];

    /// The name used in the database and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Available => "available",
            Self::OnContact => "on_contact",
            Self::AfterContactWork => "after_contact_work",
            Self::Break => "break",
            Self::Lunch => "lunch",
            Self::Training => "training",
            Self::Meeting => "meeting",
            Self::Offline => "offline",
        }
    }

    /// A short label for the status bar.
    pub fn label(self) -> &'static str {
        match self {
            Self::Available => "Available",
            Self::OnContact => "On contact",
            Self::AfterContactWork => "After-contact work",
            Self::Break => "Break",
            Self::Lunch => "Lunch",
            Self::Training => "Training",
            Self::Meeting => "Meeting",
            Self::Offline => "Offline",
        }
    }

    /// Parses a state name; case, spaces and dashes are ignored and a few common spellings
    /// are accepted (`acw`, `wrap_up`, `busy`, `away`).
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.trim().to_ascii_lowercase().replace(['-', ' '], "_").as_str() {
            "available" | "ready" | "idle" => Self::Available,
            "on_contact" | "on_call" | "busy" | "talking" => Self::OnContact,
            "after_contact_work" | "acw" | "wrap_up" | "wrapup" => Self::AfterContactWork,
            "break" | "on_break" | "breather" => Self::Break,
            "lunch" => Self::Lunch,
            "training" | "coaching" => Self::Training,
            "meeting" | "huddle" => Self::Meeting,
            "offline" | "away" | "logged_out" => Self::Offline,
            _ => return None,
        })
    }

    /// Whether being in this state keeps to a scheduled `activity`: available, on contact
    /// and after-contact work match work; break, lunch, training and meeting match
    /// themselves; offline matches nothing.
    pub fn matches(self, activity: Activity) -> bool {
        matches!(
            (self, activity),
            (Self::Available | Self::OnContact | Self::AfterContactWork, Activity::Work)
                | (Self::Break, Activity::Break)
                | (Self::Lunch, Activity::Lunch)
                | (Self::Training, Activity::Training)
                | (Self::Meeting, Activity::Meeting)
        )
    }

    /// Whether the state is a rest (break or lunch): it resets the breather count.
    pub fn is_rest(self) -> bool {
        matches!(self, Self::Break | Self::Lunch)
    }
}

impl std::fmt::Display for RepState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the schedule says the rep should be doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Activity {
    Work,
    Break,
    Lunch,
    Training,
    Meeting,
}

impl Activity {
    /// Every activity.
    pub const ALL: [Activity; 5] = [Self::Work, Self::Break, Self::Lunch, Self::Training, Self::Meeting];

    /// The name used in the database and files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Work => "work",
            Self::Break => "break",
            Self::Lunch => "lunch",
            Self::Training => "training",
            Self::Meeting => "meeting",
        }
    }

    /// Parses an activity name (case and surrounding space ignored; a few synonyms such as
    /// `shift`, `coaching` or `huddle` are accepted).
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.trim().to_ascii_lowercase().replace(['-', ' '], "_").as_str() {
            "work" | "working" | "shift" | "queue" | "phones" | "available" => Self::Work,
            "break" | "rest" | "coffee" | "coffee_break" => Self::Break,
            "lunch" | "lunch_break" | "meal" => Self::Lunch,
            "training" | "coaching" | "course" | "learning" => Self::Training,
            "meeting" | "huddle" | "one_on_one" | "1:1" | "team_meeting" => Self::Meeting,
            _ => return None,
        })
    }

    /// The activity a calendar event's title describes: the first known word in it, with
    /// lunch before break ("Lunch break" is lunch) and training before meeting ("Training
    /// meeting" is training). `None` when no word is known.
    pub fn from_summary(summary: &str) -> Option<Self> {
        let lower = summary.to_lowercase();
        let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
        let has =
            |list: &[&str]| words.iter().any(|w| list.contains(w)) || (list.contains(&"1:1") && lower.contains("1:1"));
        if has(&["lunch", "meal"]) {
            Some(Self::Lunch)
        } else if has(&["break", "breaks", "rest", "coffee"]) {
            Some(Self::Break)
        } else if has(&["training", "coaching", "course", "learning", "workshop", "onboarding"]) {
            Some(Self::Training)
        } else if has(&["meeting", "huddle", "standup", "stand", "1:1", "sync", "briefing", "team"]) {
            Some(Self::Meeting)
        } else if has(&["work", "shift", "queue", "phones", "phone", "chat", "email", "support", "available", "desk"]) {
            Some(Self::Work)
        } else {
            None
        }
    }
}

impl std::fmt::Display for Activity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One scheduled block: `[start, end)` and what it is for.
pub type Block = (Timestamp, Timestamp, Activity);

/// Schedule adherence over `[from, to)`: 100 × scheduled seconds in which the logged state
/// matched the scheduled activity / scheduled seconds, with every block clipped to the
/// window. `None` when no scheduled time falls in the window. See the module notes for the
/// unit (seconds, exact for the minute-based definition) and the rules for the log.
pub fn adherence(blocks: &[Block], log: &[(Timestamp, RepState)], from: Timestamp, to: Timestamp) -> Option<f64> {
    let (scheduled, matched) = adherence_seconds(blocks, log, from, to);
    #[allow(clippy::cast_precision_loss)] // second totals are far below 2^52
    (scheduled > 0).then(|| 100.0 * matched as f64 / scheduled as f64)
}

/// The two totals behind [`adherence`]: (scheduled seconds, matched seconds) in the window.
pub fn adherence_seconds(
    blocks: &[Block],
    log: &[(Timestamp, RepState)],
    from: Timestamp,
    to: Timestamp,
) -> (i64, i64) {
    // The log as back-to-back segments: offline until the first entry, each entry until the
    // next one, the last until the end of time.
    let mut ordered: Vec<(Timestamp, RepState)> = log.to_vec();
    ordered.sort_by_key(|&(at, _)| at);
    let mut segments: Vec<(Timestamp, Timestamp, RepState)> = Vec::with_capacity(ordered.len() + 1);
    let mut start = Timestamp::MIN;
    let mut state = RepState::Offline;
    for &(at, next) in &ordered {
        if at > start {
            segments.push((start, at, state));
            start = at;
        }
        state = next;
    }
    segments.push((start, Timestamp::MAX, state));

    let (mut scheduled, mut matched) = (0i64, 0i64);
    for &(block_start, block_end, activity) in blocks {
        let (lo, hi) = (block_start.max(from), block_end.min(to));
        if lo >= hi {
            continue;
        }
        scheduled += hi - lo;
        // First segment that ends after `lo`.
        let first = segments.partition_point(|&(_, end, _)| end <= lo);
        for &(seg_start, seg_end, seg_state) in segments.iter().skip(first) {
            if seg_start >= hi {
                break;
            }
            if seg_state.matches(activity) {
                matched += seg_end.min(hi) - seg_start.max(lo);
            }
        }
    }
    (scheduled, matched)
}

/// The block in effect at `now` (`start <= now < end`): its activity and when it ends.
pub fn current_block(blocks: &[Block], now: Timestamp) -> Option<(Activity, Timestamp)> {
    blocks.iter().find(|&&(s, e, _)| s <= now && now < e).map(|&(_, e, a)| (a, e))
}

/// The next change of activity after `now`, for "break in 4 min": the first block starting
/// strictly after `now`, skipping blocks that merely continue the block before them (same
/// activity, starting exactly when it ends), so back-to-back work blocks announce nothing.
pub fn next_block(blocks: &[Block], now: Timestamp) -> Option<(Activity, Timestamp)> {
    let mut sorted: Vec<Block> = blocks.to_vec();
    sorted.sort_by_key(|&(s, e, _)| (s, e));
    let mut previous: Option<Block> = None;
    for &(s, e, a) in &sorted {
        let continues = previous.is_some_and(|(_, pe, pa)| pe == s && pa == a);
        if s > now && !continues {
            return Some((a, s));
        }
        previous = Some((s, e, a));
    }
    None
}

/// Whether to offer the rep a breather: after a difficult contact, or once
/// `contacts_since_break` reaches `threshold` (0 turns the count off). Only ever an offer.
pub fn breather_due(contacts_since_break: u32, last_contact_difficult: bool, threshold: u32) -> bool {
    last_contact_difficult || (threshold > 0 && contacts_since_break >= threshold)
}

// ---------------------------------------------------------------- quality reviews

/// The reviewer name of a rep's own review.
pub const SELF_REVIEWER: &str = "self";

/// One line of the scorecard (from the config).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Criterion {
    /// Canonical name, snake_case (`identity_verified`).
    pub name: String,
    /// Relative weight, > 0.
    pub weight: f64,
}

impl Criterion {
    pub fn new(name: &str, weight: f64) -> Self {
        Self { name: criterion_key(name), weight }
    }

    /// "identity verified" for people.
    pub fn label(&self) -> String {
        self.name.replace('_', " ")
    }
}

/// The default scorecard: greeting 1, identity verified 2, empathy 1, accurate answer 3,
/// documentation 1, closing 1.
pub fn default_scorecard() -> Vec<Criterion> {
    [
        ("greeting", 1.0),
        ("identity_verified", 2.0),
        ("empathy", 1.0),
        ("accurate_answer", 3.0),
        ("documentation", 1.0),
        ("closing", 1.0),
    ]
    .into_iter()
    .map(|(n, w)| Criterion::new(n, w))
    .collect()
}

/// A criterion name folded for comparison and storage: trimmed, lower-case, spaces and
/// dashes as `_` ("Identity verified" → `identity_verified`).
pub fn criterion_key(name: &str) -> String {
    name.trim()
        .to_lowercase()
        .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

/// The scorecard criterion `name` refers to (compared with [`criterion_key`]).
pub fn find_criterion<'a>(scorecard: &'a [Criterion], name: &str) -> Option<&'a Criterion> {
    let key = criterion_key(name);
    scorecard.iter().find(|c| c.name == key)
}

/// One criterion as scored in a review.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    pub criterion: String,
    /// The weight when the review was made (later scorecard changes do not rewrite it).
    pub weight: f64,
    /// `Some(true)` met, `Some(false)` missed, `None` not applicable.
    pub met: Option<bool>,
}

/// One review of one contact.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Review {
    pub id: Id,
    /// `None` when the contact was deleted.
    pub contact_id: Option<Id>,
    /// [`SELF_REVIEWER`] or a supervisor's name.
    pub reviewer: String,
    pub at: Timestamp,
    pub scores: Vec<Score>,
}

impl Review {
    /// 100 × weights met / weights applicable; `None` when nothing applies.
    pub fn percent(&self) -> Option<f64> {
        let applicable: f64 = self.scores.iter().filter(|s| s.met.is_some()).map(|s| s.weight).sum();
        let met: f64 = self.scores.iter().filter(|s| s.met == Some(true)).map(|s| s.weight).sum();
        (applicable > 0.0).then(|| 100.0 * met / applicable)
    }

    /// Whether this is the rep's own review.
    pub fn is_self(&self) -> bool {
        self.reviewer.trim().eq_ignore_ascii_case(SELF_REVIEWER)
    }
}

/// The reviews that count, per the module notes: for each contact, its supervisor reviews
/// if it has any, else its self-review. Reviews without a contact count on their own.
fn counted(reviews: &[Review]) -> Vec<&Review> {
    let supervised: std::collections::HashSet<Id> =
        reviews.iter().filter(|r| !r.is_self()).filter_map(|r| r.contact_id).collect();
    reviews.iter().filter(|r| !(r.is_self() && r.contact_id.is_some_and(|c| supervised.contains(&c)))).collect()
}

/// QA %: the mean over reviewed contacts of each contact's score (100 × weights met /
/// weights applicable; several counted reviews of one contact are averaged first). `None`
/// when no review has an applicable criterion.
pub fn qa_percent(reviews: &[Review]) -> Option<f64> {
    let mut per_contact: BTreeMap<(i64, Id), (f64, u32)> = BTreeMap::new();
    for r in counted(reviews) {
        if let Some(p) = r.percent() {
            // Reviews whose contact was deleted stand alone, keyed by their own id.
            let key = r.contact_id.map_or((1, r.id), |c| (0, c));
            let e = per_contact.entry(key).or_default();
            e.0 += p;
            e.1 += 1;
        }
    }
    let n = per_contact.len();
    #[allow(clippy::cast_precision_loss)]
    (n > 0).then(|| per_contact.values().map(|&(sum, k)| sum / f64::from(k)).sum::<f64>() / n as f64)
}

/// The criteria most often missed in the counted reviews: (criterion, times missed), most
/// missed first, then by name; criteria never missed are left out.
pub fn most_missed(reviews: &[Review]) -> Vec<(String, u32)> {
    let mut missed: HashMap<&str, u32> = HashMap::new();
    for r in counted(reviews) {
        for s in r.scores.iter().filter(|s| s.met == Some(false)) {
            *missed.entry(s.criterion.as_str()).or_default() += 1;
        }
    }
    let mut out: Vec<(String, u32)> = missed.into_iter().map(|(c, n)| (c.to_string(), n)).collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::Activity::*;
    use super::*;

    const M: i64 = 60;

    #[test]
    fn states_match_activities() {
        for s in [RepState::Available, RepState::OnContact, RepState::AfterContactWork] {
            assert!(s.matches(Work));
            assert!(!s.matches(Break));
        }
        assert!(RepState::Break.matches(Break) && !RepState::Break.matches(Lunch));
        assert!(RepState::Lunch.matches(Lunch) && !RepState::Lunch.matches(Work));
        assert!(RepState::Training.matches(Training) && RepState::Meeting.matches(Meeting));
        assert!(Activity::ALL.iter().all(|&a| !RepState::Offline.matches(a)));
        for s in RepState::ALL {
            assert_eq!(RepState::parse(s.as_str()), Some(s));
        }
        for a in Activity::ALL {
            assert_eq!(Activity::parse(a.as_str()), Some(a));
        }
        assert_eq!(RepState::parse("After-contact work"), Some(RepState::AfterContactWork));
        assert_eq!(RepState::parse("ACW"), Some(RepState::AfterContactWork));
        assert_eq!(RepState::parse("nap"), None);
    }

    #[test]
    fn calendar_titles_map_to_activities() {
        assert_eq!(Activity::from_summary("Lunch break"), Some(Lunch));
        assert_eq!(Activity::from_summary("Coffee"), Some(Break));
        assert_eq!(Activity::from_summary("Product training: new returns policy"), Some(Training));
        assert_eq!(Activity::from_summary("Team huddle"), Some(Meeting));
        assert_eq!(Activity::from_summary("Phones – Tier 1 queue"), Some(Work));
        assert_eq!(Activity::from_summary("Dentist"), None);
    }

    #[test]
    fn adherence_is_exact_on_a_simple_day() {
        // Work 0–60 min, break 60–75 min. Log: available at 0, break at 62, available at 75.
        // Work: 0–60 available → 60 min matched. Break: 60–62 available (no), 62–75 break
        // (13 min). Matched 73 of 75 min → 97.333… %.
        let blocks = [(0, 60 * M, Work), (60 * M, 75 * M, Break)];
        let log = [(0, RepState::Available), (62 * M, RepState::Break), (75 * M, RepState::Available)];
        assert_eq!(adherence_seconds(&blocks, &log, 0, 75 * M), (75 * M, 73 * M));
        let a = adherence(&blocks, &log, 0, 75 * M).unwrap();
        assert!((a - 100.0 * 73.0 / 75.0).abs() < 1e-9, "{a}");
    }

    #[test]
    fn no_scheduled_time_in_the_window_is_none() {
        let blocks = [(0, 60, Work)];
        assert_eq!(adherence(&blocks, &[], 60, 120), None);
        assert_eq!(adherence(&[], &[(0, RepState::Available)], 0, 100), None);
        // Scheduled but never logged: the rep was offline → 0 %, not None.
        assert_eq!(adherence(&blocks, &[], 0, 60), Some(0.0));
    }

    #[test]
    fn entries_at_the_same_second_keep_their_order() {
        // break then available at 30: available wins from 30; work 0–60 → 30..60 matched
        // (before 30 offline) → 50 %.
        let log = [(30, RepState::Break), (30, RepState::Available)];
        assert_eq!(adherence_seconds(&[(0, 60, Work)], &log, 0, 60), (60, 30));
    }

    #[test]
    fn next_and_current_block() {
        let blocks = [(0, 100, Work), (100, 200, Work), (200, 215, Break), (215, 300, Work)];
        // At 50: the work block 100–200 only continues work, so the next change is the break.
        assert_eq!(next_block(&blocks, 50), Some((Break, 200)));
        assert_eq!(current_block(&blocks, 50), Some((Work, 100)));
        // Exactly at the break's start it is current, and the next is work at 215.
        assert_eq!(next_block(&blocks, 200), Some((Work, 215)));
        assert_eq!(current_block(&blocks, 200), Some((Break, 215)));
        assert_eq!(next_block(&blocks, 215), None);
        assert_eq!(current_block(&blocks, 300), None);
        // A gap makes the next work block a change again.
        let gappy = [(0, 100, Work), (130, 200, Work)];
        assert_eq!(next_block(&gappy, 10), Some((Work, 130)));
    }

    #[test]
    fn breather_rules() {
        assert!(breather_due(0, true, 8));
        assert!(!breather_due(7, false, 8));
        assert!(breather_due(8, false, 8));
        assert!(!breather_due(50, false, 0));
    }

    fn review(id: Id, contact: Option<Id>, reviewer: &str, scores: &[(&str, f64, Option<bool>)]) -> Review {
        Review {
            id,
            contact_id: contact,
            reviewer: reviewer.into(),
            at: 0,
            scores: scores.iter().map(|&(c, w, m)| Score { criterion: c.into(), weight: w, met: m }).collect(),
        }
    }

    #[test]
    fn criterion_names_fold() {
        assert_eq!(criterion_key("  Identity  Verified "), "identity_verified");
        assert_eq!(criterion_key("accurate-answer"), "accurate_answer");
        assert_eq!(find_criterion(&default_scorecard(), "Accurate answer").map(|c| c.weight), Some(3.0));
        assert_eq!(default_scorecard().iter().map(|c| c.weight).sum::<f64>(), 9.0);
    }

    #[test]
    fn a_review_with_nothing_applicable_is_left_out() {
        let r = review(1, Some(1), "self", &[("greeting", 1.0, None)]);
        assert_eq!(r.percent(), None);
        assert_eq!(qa_percent(&[r]), None);
        assert_eq!(qa_percent(&[]), None);
    }
}

/// One stored schedule block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduleBlock {
    pub id: Id,
    pub start_at: Timestamp,
    pub end_at: Timestamp,
    pub activity: Activity,
    /// `import`, `tui` or `cli`.
    pub source: String,
}

impl ScheduleBlock {
    /// The block as `domain::shift` takes it.
    pub fn block(&self) -> Block {
        (self.start_at, self.end_at, self.activity)
    }
}

/// One kept thank-you.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Kudos {
    pub id: Id,
    pub at: Timestamp,
    pub text: String,
    pub contact_id: Option<Id>,
    pub customer_id: Option<Id>,
    /// The customer's name, when known.
    pub customer_name: Option<String>,
}
