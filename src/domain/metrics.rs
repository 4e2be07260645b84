//! The metric definitions of DESIGN.md section 4, in one place: the dashboard and
//! `frontline report` both call [`breakdown`] (through `store::report`) so a number can
//! never mean two things. Pure: no IO and no clock; time zones and "today" are passed in.
//!
//! Decisions where the design leaves room (each is pinned by a test):
//! - A contact counts when it *ended*: it has an `ended_at` and its event log has no open
//!   work segment (an `accept`/`reopen` with no closing event after it).
//! - A contact that ended without ever being accepted (closed from the queue) is handled,
//!   but has no wait and no work segment, so it is left out of ASA, AHT and SLA.
//! - A repeat contact for FCR is another contact of the same customer created at or after
//!   this one's end and at most `fcr_window_seconds` later: `ended_at <= created_at <=
//!   ended_at + window`. Exactly at the boundary is a repeat; one second later is not.
//! - SLA breach is strictly longer than the target: waiting exactly the target is met.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeZone};
use serde::Serialize;

use super::{Channel, ContactStatus, EventKind, Id, Timestamp};

/// What the metrics need to know about one contact: its row plus its event log.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactFacts {
    pub id: Id,
    pub customer_id: Option<Id>,
    pub channel: Channel,
    /// 1 = most urgent … 4; anything outside is clamped for the SLA target lookup.
    pub priority: u8,
    pub created_at: Timestamp,
    pub accepted_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    pub status: ContactStatus,
    /// Satisfaction rating 1–5, if the customer gave one.
    pub csat: Option<u8>,
    /// The event log in the order it was written (time, then insertion order).
    pub events: Vec<(Timestamp, EventKind)>,
}

impl ContactFacts {
    /// Whether the contact has ended: it has an end time and its log shows no open work
    /// segment (a reopened contact that is being worked again has not ended).
    pub fn is_ended(&self) -> bool {
        self.ended_at.is_some() && !replay(&self.events).open
    }

    /// Seconds between creation and acceptance, if the contact was accepted.
    pub fn wait_seconds(&self) -> Option<i64> {
        self.accepted_at.map(|a| a - self.created_at)
    }

    /// Whether the log shows the contact was resolved without ever being escalated or
    /// transferred (an escalated contact that was reopened and resolved does not qualify).
    pub fn resolved_first_time(&self) -> bool {
        self.status == ContactStatus::Resolved
            && !self.events.iter().any(|(_, k)| matches!(k, EventKind::Escalate | EventKind::Transfer))
    }
}

/// The knobs of the definitions, set in the config (defaults until it is wired).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Longest acceptable wait in seconds for priority 1, 2, 3 and 4.
    pub sla_targets_seconds: [i64; 4],
    /// How long after a contact ends another contact from the same customer counts as a
    /// repeat (and so the first one was not resolved first time).
    pub fcr_window_seconds: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Self { sla_targets_seconds: [60, 300, 1800, 14_400], fcr_window_seconds: 7 * 86_400 }
    }
}

impl Settings {
    /// The SLA target for a priority; priorities outside 1–4 use the nearest one.
    pub fn sla_target(&self, priority: u8) -> i64 {
        let i = usize::from(priority.clamp(1, 4)) - 1;
        self.sla_targets_seconds.get(i).copied().unwrap_or(i64::MAX)
    }
}

/// The figures over one set of contacts. `None` (JSON `null`) means there was no data.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Figures {
    /// Contacts that ended in the window.
    pub handled: u64,
    /// AHT: mean handle time (sum of work segments, talk + hold + after-contact work) over
    /// handled contacts that were worked at all.
    pub aht_seconds: Option<f64>,
    /// ASA: mean wait (accepted_at − created_at) over handled contacts that were accepted.
    pub asa_seconds: Option<f64>,
    /// Total time in hold segments over the handled contacts that were worked.
    pub hold_seconds: Option<i64>,
    /// Share of handled contacts with a customer that were resolved (never escalated or
    /// transferred) and had no repeat contact within the FCR window.
    pub fcr_percent: Option<f64>,
    /// 100 × ratings of 4 or 5 / all ratings.
    pub csat_percent: Option<f64>,
    /// Accepted contacts whose wait was longer than their priority's target.
    pub sla_breaches: u64,
    /// Schedule adherence over the schedule blocks in the window (see
    /// `domain::shift::adherence`); always `None` per channel.
    pub adherence_percent: Option<f64>,
    /// QA: mean over the reviewed contacts that ended in the window of 100 × weights met /
    /// weights applicable (see `domain::shift::qa_percent`).
    pub qa_percent: Option<f64>,
}

impl Figures {
    /// The figures as people read them, in report column order: handled, AHT, ASA, hold,
    /// FCR, CSAT, SLA breaches, adherence, QA (`-` where there is no data).
    pub fn cells(&self) -> [String; 9] {
        [
            self.handled.to_string(),
            show_seconds(self.aht_seconds),
            show_seconds(self.asa_seconds),
            show_seconds(self.hold_seconds.map(|h| h as f64)),
            show_percent(self.fcr_percent),
            show_percent(self.csat_percent),
            self.sla_breaches.to_string(),
            show_percent(self.adherence_percent),
            show_percent(self.qa_percent),
        ]
    }
}

/// The figures for a window in total and per channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Breakdown {
    pub total: Figures,
    /// Every channel, in [`Channel::ALL`] order, including those with no contacts.
    pub by_channel: Vec<(Channel, Figures)>,
}

/// For FCR: customer id → (contact id, created_at) of that customer's contacts that may be
/// repeats (created at or after the earliest end in the window, up to its end + window).
pub type ContactsByCustomer = HashMap<Id, Vec<(Id, Timestamp)>>;

/// Totals from replaying one event log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Replay {
    /// Sum of closed work segments.
    pub handle_seconds: i64,
    /// Sum of hold segments inside closed work segments.
    pub hold_seconds: i64,
    /// How many work segments were closed.
    pub segments: u32,
    /// Whether the log ends inside a work segment (the contact is still being worked).
    pub open: bool,
}

/// Replays an event log. Work segments run from `accept`/`reopen` to the next `resolve`,
/// `escalate` or `transfer`; `wrap_up` is inside the segment (after-contact work counts);
/// a hold runs from `hold` to the next `resume`, or to the segment's end if never resumed.
/// Events outside a segment other than openers are ignored; a segment still open at the
/// end of the log is not counted. Events are taken in time order; ties keep log order.
pub fn replay(events: &[(Timestamp, EventKind)]) -> Replay {
    let mut ordered: Vec<&(Timestamp, EventKind)> = events.iter().collect();
    ordered.sort_by_key(|(at, _)| *at);
    let mut r = Replay::default();
    let mut segment: Option<Timestamp> = None;
    let mut hold: Option<Timestamp> = None;
    for &&(at, kind) in &ordered {
        match (kind, segment) {
            (EventKind::Accept | EventKind::Reopen, None) => segment = Some(at),
            (EventKind::Hold, Some(_)) if hold.is_none() => hold = Some(at),
            (EventKind::Resume, Some(_)) => {
                if let Some(h) = hold.take() {
                    r.hold_seconds += at - h;
                }
            }
            (k, Some(start)) if k.closes() => {
                if let Some(h) = hold.take() {
                    r.hold_seconds += at - h;
                }
                r.handle_seconds += at - start;
                r.segments += 1;
                segment = None;
            }
            _ => {}
        }
    }
    r.open = segment.is_some();
    r
}

/// Handle time of one contact: the sum of its closed work segments (see [`replay`]).
pub fn handle_seconds(events: &[(Timestamp, EventKind)]) -> i64 {
    replay(events).handle_seconds
}

/// Hold time of one contact: the sum of its hold segments (see [`replay`]).
pub fn hold_seconds(events: &[(Timestamp, EventKind)]) -> i64 {
    replay(events).hold_seconds
}

/// Whether `contact` was followed by another contact from the same customer created within
/// the FCR window after it ended (`ended_at <= created_at <= ended_at + window`).
pub fn has_repeat(contact: &ContactFacts, later: &ContactsByCustomer, settings: &Settings) -> bool {
    let (Some(customer), Some(end)) = (contact.customer_id, contact.ended_at) else { return false };
    later.get(&customer).is_some_and(|others| {
        others.iter().any(|&(id, created)| {
            id != contact.id && created >= end && created <= end.saturating_add(settings.fcr_window_seconds)
        })
    })
}

/// The figures (DESIGN.md section 4) over the contacts that ended among `contacts`; the
/// caller picks the window (contacts still open are skipped here).
pub fn compute(contacts: &[ContactFacts], later: &ContactsByCustomer, settings: &Settings) -> Figures {
    compute_over(contacts.iter(), later, settings)
}

/// [`compute`] in total and for each channel.
pub fn breakdown(contacts: &[ContactFacts], later: &ContactsByCustomer, settings: &Settings) -> Breakdown {
    Breakdown {
        total: compute(contacts, later, settings),
        by_channel: Channel::ALL
            .iter()
            .map(|&ch| (ch, compute_over(contacts.iter().filter(|c| c.channel == ch), later, settings)))
            .collect(),
    }
}

fn compute_over<'a>(
    contacts: impl Iterator<Item = &'a ContactFacts>,
    later: &ContactsByCustomer,
    settings: &Settings,
) -> Figures {
    let mut f = Figures::default();
    let (mut worked, mut handle_total, mut hold_total) = (0u64, 0i64, 0i64);
    let (mut accepted, mut wait_total) = (0u64, 0i64);
    let (mut fcr_base, mut fcr_hits) = (0u64, 0u64);
    let (mut ratings, mut satisfied) = (0u64, 0u64);
    for c in contacts {
        let log = replay(&c.events);
        if c.ended_at.is_none() || log.open {
            continue;
        }
        f.handled += 1;
        if log.segments > 0 {
            worked += 1;
            handle_total += log.handle_seconds;
            hold_total += log.hold_seconds;
        }
        if let Some(wait) = c.wait_seconds() {
            accepted += 1;
            wait_total += wait;
            if wait > settings.sla_target(c.priority) {
                f.sla_breaches += 1;
            }
        }
        if c.customer_id.is_some() {
            fcr_base += 1;
            if c.resolved_first_time() && !has_repeat(c, later, settings) {
                fcr_hits += 1;
            }
        }
        if let Some(rating @ 1..=5) = c.csat {
            ratings += 1;
            if rating >= 4 {
                satisfied += 1;
            }
        }
    }
    f.aht_seconds = mean(handle_total, worked);
    f.hold_seconds = (worked > 0).then_some(hold_total);
    f.asa_seconds = mean(wait_total, accepted);
    f.fcr_percent = percent(fcr_hits, fcr_base);
    f.csat_percent = percent(satisfied, ratings);
    f
}

#[allow(clippy::cast_precision_loss)] // counts and second totals are far below 2^52
fn mean(total: i64, n: u64) -> Option<f64> {
    (n > 0).then(|| total as f64 / n as f64)
}

#[allow(clippy::cast_precision_loss)]
fn percent(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| 100.0 * part as f64 / whole as f64)
}

/// Fills in the shift figures of a breakdown: `adherence` for the total only (adherence per
/// channel means nothing, so it stays `None`), and QA in total and per channel from
/// `reviews` — each with the channel of its contact — of the contacts that ended in the
/// window.
pub fn add_shift_figures(
    figures: &mut Breakdown,
    adherence: Option<f64>,
    reviews: &[(Option<Channel>, super::shift::Review)],
) {
    figures.total.adherence_percent = adherence;
    let all: Vec<super::shift::Review> = reviews.iter().map(|(_, r)| r.clone()).collect();
    figures.total.qa_percent = super::shift::qa_percent(&all);
    for (channel, f) in &mut figures.by_channel {
        let mine: Vec<super::shift::Review> =
            reviews.iter().filter(|(c, _)| *c == Some(*channel)).map(|(_, r)| r.clone()).collect();
        f.qa_percent = super::shift::qa_percent(&mine);
        f.adherence_percent = None;
    }
}

/// A report over a window `[from, to)`: what `frontline report` prints and the dashboard
/// shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub from: Timestamp,
    pub to: Timestamp,
    pub figures: Breakdown,
    /// The QA criteria most often missed in the window's reviews: (criterion, times), most
    /// first (see `domain::shift::most_missed`).
    pub qa_most_missed: Vec<(String, u32)>,
}

impl Report {
    /// The `--json` object: the total figures at the top level, `by_channel` (channel name →
    /// the same fields) and `from`/`to` as RFC 3339 times in `tz`.
    pub fn to_json<Tz: TimeZone>(&self, tz: &Tz) -> serde_json::Value
    where
        Tz::Offset: std::fmt::Display,
    {
        let mut value = serde_json::to_value(&self.figures.total).unwrap_or_default();
        let by_channel: BTreeMap<&str, serde_json::Value> = self
            .figures
            .by_channel
            .iter()
            .map(|(ch, f)| (ch.as_str(), serde_json::to_value(f).unwrap_or_default()))
            .collect();
        if let Some(obj) = value.as_object_mut() {
            obj.insert("from".into(), rfc3339(self.from, tz).into());
            obj.insert("to".into(), rfc3339(self.to, tz).into());
            obj.insert("by_channel".into(), serde_json::to_value(by_channel).unwrap_or_default());
            let missed: Vec<serde_json::Value> =
                self.qa_most_missed.iter().map(|(c, n)| serde_json::json!({ "criterion": c, "missed": n })).collect();
            obj.insert("qa_most_missed".into(), missed.into());
        }
        value
    }

    /// A small aligned table for people: the total, then each channel that had contacts.
    pub fn to_table<Tz: TimeZone>(&self, tz: &Tz) -> String
    where
        Tz::Offset: std::fmt::Display,
    {
        let when = |ts: Timestamp| {
            tz.timestamp_opt(ts, 0).single().map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default()
        };
        let mut out = format!("Contacts ended {} – {}\n\n", when(self.from), when(self.to));
        let _ = writeln!(
            out,
            "{:<9} {:>7} {:>8} {:>8} {:>9} {:>6} {:>6} {:>4} {:>9} {:>6}",
            "", "Handled", "AHT", "ASA", "Hold", "FCR", "CSAT", "SLA", "Adherence", "QA"
        );
        let mut row = |label: &str, f: &Figures| {
            let [handled, aht, asa, hold, fcr, csat, sla, adherence, qa] = f.cells();
            let _ = writeln!(
                out,
                "{label:<9} {handled:>7} {aht:>8} {asa:>8} {hold:>9} {fcr:>6} {csat:>6} {sla:>4} {adherence:>9} {qa:>6}"
            );
        };
        row("All", &self.figures.total);
        for (ch, f) in &self.figures.by_channel {
            if f.handled > 0 {
                row(ch.label(), f);
            }
        }
        if !self.qa_most_missed.is_empty() {
            let list: Vec<String> =
                self.qa_most_missed.iter().take(3).map(|(c, n)| format!("{} ({n})", c.replace('_', " "))).collect();
            let _ = writeln!(out, "\nQA most often missed: {}", list.join(", "));
        }
        out.push_str("\nAHT/ASA are means, Hold is the total, SLA counts breaches; - means no data.\n");
        out
    }
}

fn rfc3339<Tz: TimeZone>(ts: Timestamp, tz: &Tz) -> String
where
    Tz::Offset: std::fmt::Display,
{
    tz.timestamp_opt(ts, 0).single().map(|t| t.to_rfc3339()).unwrap_or_else(|| ts.to_string())
}

/// Shows a number of seconds as `m:ss` or `h:mm:ss` (rounded), `-` for no data.
pub fn show_seconds(seconds: Option<f64>) -> String {
    match seconds {
        #[allow(clippy::cast_possible_truncation)]
        Some(s) => super::time::clock_duration(s.round() as i64),
        None => "-".into(),
    }
}

/// Shows a percentage with one decimal, `-` for no data.
pub fn show_percent(p: Option<f64>) -> String {
    p.map_or_else(|| "-".into(), |p| format!("{p:.1}%"))
}

/// Why a `--from`/`--to` value was refused; the message names the flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowError(pub String);

impl std::fmt::Display for WindowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for WindowError {}

/// One bound as typed: a whole local day or an instant.
enum Bound {
    Day(NaiveDate),
    Instant(Timestamp),
}

fn parse_bound(flag: &str, text: &str) -> Result<Bound, WindowError> {
    let t = text.trim();
    if let Ok(day) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(Bound::Day(day));
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(t) {
        return Ok(Bound::Instant(at.timestamp()));
    }
    Err(WindowError(format!("{flag}: \"{text}\" is not a date (YYYY-MM-DD) or RFC 3339 time")))
}

/// The first instant of a local day in `tz` (midnight, or the first hour that exists when a
/// daylight-saving change skips midnight).
pub fn start_of_day<Tz: TimeZone>(day: NaiveDate, tz: &Tz) -> Option<Timestamp> {
    (0..24).find_map(|h| {
        let time = NaiveTime::from_hms_opt(h, 0, 0)?;
        tz.from_local_datetime(&day.and_time(time)).earliest().map(|t| t.timestamp())
    })
}

/// Turns `--from`/`--to` into a window `[from, to)`. A date is a whole local day in `tz`
/// (`--to` includes its whole day); an RFC 3339 time is that instant (`--to` exclusive).
/// A missing bound is the start / end of `today`. An empty or reversed window is refused.
pub fn parse_window<Tz: TimeZone>(
    from: Option<&str>,
    to: Option<&str>,
    today: NaiveDate,
    tz: &Tz,
) -> Result<(Timestamp, Timestamp), WindowError> {
    let day_start = |d: NaiveDate, flag: &str| {
        start_of_day(d, tz).ok_or_else(|| WindowError(format!("{flag}: {d} has no start in the local time zone")))
    };
    let next_day = |d: NaiveDate, flag: &str| {
        let next = d.checked_add_days(Days::new(1)).ok_or_else(|| WindowError(format!("{flag}: {d} is too late")))?;
        day_start(next, flag)
    };
    let from_ts = match from.map(|f| parse_bound("--from", f)).transpose()? {
        None => day_start(today, "--from")?,
        Some(Bound::Day(d)) => day_start(d, "--from")?,
        Some(Bound::Instant(t)) => t,
    };
    let to_ts = match to.map(|t| parse_bound("--to", t)).transpose()? {
        None => next_day(today, "--to")?,
        Some(Bound::Day(d)) => next_day(d, "--to")?,
        Some(Bound::Instant(t)) => t,
    };
    if from_ts >= to_ts {
        let shown = |v: Option<&str>| v.map_or_else(|| format!("today ({today})"), |s| format!("\"{}\"", s.trim()));
        return Err(WindowError(format!("--from {} is not before --to {}", shown(from), shown(to))));
    }
    Ok((from_ts, to_ts))
}

/// One tag or disposition on the dashboard: "12 contacts about cancel button, usually 1 a
/// day".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    /// The tag or disposition, trimmed and lower-cased.
    pub name: String,
    /// How many contacts carried it on the day.
    pub today: u64,
    /// Mean per day over the previous days (counts / days).
    pub usual_per_day: f64,
}

/// The day's tags and dispositions, most frequent first.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Trends {
    pub tags: Vec<Trend>,
    pub dispositions: Vec<Trend>,
}

/// Ranks what appeared on the day: `today` and `previous` are the names seen (one entry per
/// contact carrying it; case and surrounding space are ignored), `previous_days` is how many
/// days `previous` covers. Sorted by today's count, then by how unusual it is, then name.
pub fn rank_trends<'a>(
    today: impl IntoIterator<Item = &'a str>,
    previous: impl IntoIterator<Item = &'a str>,
    previous_days: u32,
) -> Vec<Trend> {
    let count = |names: &mut dyn Iterator<Item = &'a str>| {
        let mut m: HashMap<String, u64> = HashMap::new();
        for n in names {
            let key = n.trim().to_lowercase();
            if !key.is_empty() {
                *m.entry(key).or_default() += 1;
            }
        }
        m
    };
    let day = count(&mut today.into_iter());
    let before = count(&mut previous.into_iter());
    #[allow(clippy::cast_precision_loss)]
    let mut out: Vec<Trend> = day
        .into_iter()
        .map(|(name, n)| {
            let prev = before.get(&name).copied().unwrap_or(0);
            let usual = if previous_days == 0 { 0.0 } else { prev as f64 / f64::from(previous_days) };
            Trend { name, today: n, usual_per_day: usual }
        })
        .collect();
    out.sort_by(|a, b| {
        b.today.cmp(&a.today).then(a.usual_per_day.total_cmp(&b.usual_per_day)).then_with(|| a.name.cmp(&b.name))
    });
    out
}

/// Splits a stored `;`-separated tag list.
pub fn split_tags(tags: &str) -> impl Iterator<Item = &str> {
    tags.split(';').map(str::trim).filter(|t| !t.is_empty())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::EventKind::*;
    use super::*;
    use chrono::{FixedOffset, Utc};

    #[test]
    fn one_segment_counts_talk_hold_and_after_contact_work() {
        // accept 100 → hold 130 → resume 160 → wrap_up 200 → resolve 260:
        // handle = 260 − 100 = 160 (wrap-up time included), hold = 160 − 130 = 30.
        let log = [(90, Create), (100, Accept), (130, Hold), (160, Resume), (200, WrapUp), (260, Resolve)];
        assert_eq!(handle_seconds(&log), 160);
        assert_eq!(hold_seconds(&log), 30);
        assert!(!replay(&log).open);
    }

    #[test]
    fn a_hold_never_resumed_runs_to_the_end_of_its_segment() {
        // hold 20 → escalate 50 with no resume: hold = 30; handle = 50 − 10 = 40.
        let log = [(0, Create), (10, Accept), (20, Hold), (50, Escalate)];
        assert_eq!(hold_seconds(&log), 30);
        assert_eq!(handle_seconds(&log), 40);
    }

    #[test]
    fn reopened_contacts_sum_both_segments_and_ignore_the_gap() {
        // Segment 1: 10..40 = 30. Gap 40..1000 not counted. Segment 2: 1000..1100 = 100,
        // with a hold 1020..1050 = 30. Handle 130, hold 30, two segments.
        let log =
            [(0, Create), (10, Accept), (40, Resolve), (1000, Reopen), (1020, Hold), (1050, Resume), (1100, Resolve)];
        let r = replay(&log);
        assert_eq!((r.handle_seconds, r.hold_seconds, r.segments, r.open), (130, 30, 2, false));
    }

    #[test]
    fn a_log_ending_inside_a_segment_is_open_and_that_segment_is_not_counted() {
        let log = [(0, Create), (10, Accept), (40, Resolve), (100, Reopen), (150, Hold)];
        let r = replay(&log);
        assert!(r.open);
        assert_eq!((r.handle_seconds, r.hold_seconds, r.segments), (30, 0, 1));
    }

    #[test]
    fn events_out_of_order_are_replayed_in_time_order() {
        let log = [(60, Resolve), (10, Accept), (30, Resume), (20, Hold)];
        assert_eq!((handle_seconds(&log), hold_seconds(&log)), (50, 10));
    }

    #[test]
    fn sla_targets_follow_priority_and_clamp() {
        let s = Settings::default();
        assert_eq!(s.sla_target(1), 60);
        assert_eq!(s.sla_target(4), 14_400);
        assert_eq!(s.sla_target(0), 60);
        assert_eq!(s.sla_target(9), 14_400);
    }

    fn utc_day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn dates_are_whole_local_days_inclusive() {
        let tz = FixedOffset::east_opt(2 * 3600).unwrap();
        let (from, to) = parse_window(Some("2026-11-20"), Some("2026-11-21"), utc_day("2026-01-01"), &tz).unwrap();
        // 2026-11-20T00:00+02:00 = 2026-11-19T22:00Z; the end is the start of the 22nd.
        assert_eq!(from, DateTime::parse_from_rfc3339("2026-11-20T00:00:00+02:00").unwrap().timestamp());
        assert_eq!(to - from, 2 * 86_400);
    }

    #[test]
    fn rfc3339_bounds_are_instants_and_default_is_today() {
        let (from, to) =
            parse_window(Some("2026-11-20T10:00:00Z"), Some("2026-11-20T11:00:00Z"), utc_day("2026-01-01"), &Utc)
                .unwrap();
        assert_eq!(to - from, 3600);
        let (from, to) = parse_window(None, None, utc_day("2026-11-20"), &Utc).unwrap();
        assert_eq!(from, parse_window(Some("2026-11-20"), None, utc_day("2026-11-20"), &Utc).unwrap().0);
        assert_eq!(to - from, 86_400);
    }

    #[test]
    fn bad_dates_name_the_flag_and_reversed_windows_are_refused() {
        let today = utc_day("2026-11-20");
        let e = parse_window(Some("2026-13-01"), None, today, &Utc).unwrap_err();
        assert_eq!(e.0, "--from: \"2026-13-01\" is not a date (YYYY-MM-DD) or RFC 3339 time");
        let e = parse_window(None, Some("soon"), today, &Utc).unwrap_err();
        assert!(e.0.starts_with("--to: \"soon\""), "{e}");
        let e = parse_window(Some("2026-11-21"), Some("2026-11-20"), today, &Utc).unwrap_err();
        assert_eq!(e.0, "--from \"2026-11-21\" is not before --to \"2026-11-20\"");
        let e = parse_window(Some("2026-11-23"), None, today, &Utc).unwrap_err();
        assert_eq!(e.0, "--from \"2026-11-23\" is not before --to today (2026-11-20)");
        // The same day on both sides is one whole day, not an error.
        assert!(parse_window(Some("2026-11-20"), Some("2026-11-20"), today, &Utc).is_ok());
    }

    #[test]
    fn trends_rank_by_todays_count_and_average_the_previous_days() {
        // cancel button: 3 today, 7 over 7 previous days → 1.0 a day. refund: 1 today, 14
        // before → 2.0 a day. "Cancel Button " folds into "cancel button".
        let today = ["cancel button", "Cancel Button ", "cancel button", "refund"];
        let previous = std::iter::repeat_n("cancel button", 7).chain(std::iter::repeat_n("refund", 14));
        let t = rank_trends(today, previous, 7);
        assert_eq!(t.len(), 2);
        assert_eq!((t[0].name.as_str(), t[0].today, t[0].usual_per_day), ("cancel button", 3, 1.0));
        assert_eq!((t[1].name.as_str(), t[1].today, t[1].usual_per_day), ("refund", 1, 2.0));
        assert_eq!(split_tags(" a ;; b;").collect::<Vec<_>>(), ["a", "b"]);
    }
}
