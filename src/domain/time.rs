//! Reading and showing times: RFC 3339 parsing, compact durations for narrow columns.

use chrono::{DateTime, Local, TimeZone, Utc};

use super::Timestamp;

/// Parses an RFC 3339 time (`2026-11-20T14:00:00Z`) to a Unix timestamp.
///
/// Only a moment in the years 0000–9999 once in UTC: `9999-12-31T23:59:59-23:59` is in the
/// year 10000, which every export would then write as `+10000-…` and no import reads back.
pub fn parse_rfc3339(s: &str) -> Option<Timestamp> {
    use chrono::Datelike;
    let t = DateTime::parse_from_rfc3339(s.trim()).ok()?.to_utc();
    (0..=9999).contains(&t.year()).then(|| t.timestamp())
}

/// The widest [`compact_duration`] ever gets, in columns (the queue's wait column).
pub const COMPACT_WIDTH: usize = 6;

const MINUTE: i64 = 60;
const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;
/// A year of waiting: 365 days (a duration, not a calendar year).
const YEAR: i64 = 365 * DAY;

/// Shows a duration compactly, whole and at most [`COMPACT_WIDTH`] columns wide: `45s`,
/// `12m`, `1h05m`, `3d04h`, `123d`, `1y5d`, `12y` — the leading unit is never cut off, the
/// smallest ones give way as the number grows.
pub fn compact_duration(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..MINUTE => format!("{s}s"),
        MINUTE..HOUR => format!("{}m", s / MINUTE),
        HOUR..DAY => format!("{}h{:02}m", s / HOUR, (s % HOUR) / MINUTE),
        // Up to `99d23h`: six columns.
        _ if s < 100 * DAY => format!("{}d{:02}h", s / DAY, (s % DAY) / HOUR),
        _ if s < YEAR => format!("{}d", s / DAY),
        // Up to `9y364d`: six columns.
        _ if s < 10 * YEAR => format!("{}y{}d", s / YEAR, (s % YEAR) / DAY),
        // Up to `99999y`; anything longer is nonsense data, shown as the widest that fits.
        _ => format!("{}y", (s / YEAR).min(99_999)),
    }
}

/// Shows a running timer as `m:ss` or `h:mm:ss`.
pub fn clock_duration(seconds: i64) -> String {
    let s = seconds.max(0);
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, (s % 3600) / 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// Shows a timestamp as a local date and time, `2026-11-20 14:05`.
pub fn local_datetime(ts: Timestamp) -> String {
    Local.timestamp_opt(ts, 0).single().map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default()
}

/// Shows a timestamp as a local date, `2026-11-20`.
pub fn local_date(ts: Timestamp) -> String {
    Local.timestamp_opt(ts, 0).single().map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default()
}

/// The local midnight that starts the day containing `ts` ("today" for reports and the
/// resolved-today filter).
pub fn local_day_start(ts: Timestamp) -> Timestamp {
    day_start_in(&Local, ts)
}

/// The local midnight that starts the day after the one containing `ts`: the end of
/// "today". A day is 23 or 25 hours long when the clocks change, never `+ 86_400`.
pub fn next_local_day_start(ts: Timestamp) -> Timestamp {
    next_day_start_in(&Local, ts)
}

/// Monday's local midnight starting the week that contains `ts` ("this week").
pub fn local_week_start(ts: Timestamp) -> Timestamp {
    week_start_in(&Local, ts)
}

/// The start of the local day `days` days after (or, negative, before) the one containing
/// `ts`: "seven days back" on the calendar, whatever the clocks did in between.
pub fn local_days_later(ts: Timestamp, days: i64) -> Timestamp {
    days_later_in(&Local, ts, days)
}

/// [`local_day_start`] in the time zone `tz`.
pub fn day_start_in<Tz: TimeZone>(tz: &Tz, ts: Timestamp) -> Timestamp {
    match tz.timestamp_opt(ts, 0).single() {
        Some(t) => start_of_date(tz, t.date_naive()).unwrap_or(ts - ts.rem_euclid(DAY)),
        None => ts - ts.rem_euclid(DAY),
    }
}

/// [`next_local_day_start`] in the time zone `tz`.
pub fn next_day_start_in<Tz: TimeZone>(tz: &Tz, ts: Timestamp) -> Timestamp {
    days_later_in(tz, ts, 1)
}

/// [`local_week_start`] in the time zone `tz` (weeks start on Monday).
pub fn week_start_in<Tz: TimeZone>(tz: &Tz, ts: Timestamp) -> Timestamp {
    use chrono::Datelike;
    match tz.timestamp_opt(ts, 0).single() {
        Some(t) => days_later_in(tz, ts, -i64::from(t.weekday().num_days_from_monday())),
        None => day_start_in(tz, ts),
    }
}

/// [`local_days_later`] in the time zone `tz`.
pub fn days_later_in<Tz: TimeZone>(tz: &Tz, ts: Timestamp, days: i64) -> Timestamp {
    let date = tz
        .timestamp_opt(ts, 0)
        .single()
        .and_then(|t| t.date_naive().checked_add_signed(chrono::Duration::try_days(days)?));
    match date.and_then(|d| start_of_date(tz, d)) {
        Some(start) => start,
        None => day_start_in(tz, ts).saturating_add(days.saturating_mul(DAY)),
    }
}

/// The first instant of a local date: its midnight, or — where the clocks skip midnight
/// (Sao Paulo, Beirut, Havana have done so) — the first minute after the gap.
fn start_of_date<Tz: TimeZone>(tz: &Tz, date: chrono::NaiveDate) -> Option<Timestamp> {
    let midnight = date.and_hms_opt(0, 0, 0)?;
    // Gaps are at most a few hours; look a quarter of an hour at a time.
    (0..=16).find_map(|quarter| {
        let at = midnight + chrono::Duration::minutes(15 * quarter);
        tz.from_local_datetime(&at).earliest().map(|t| t.timestamp())
    })
}

/// Reads a due date the way a rep says it: `today`, `tomorrow`, a weekday (`fri`,
/// `friday`: the next one), `+3d` / `+2h`, `2026-11-25` or `2026-11-25 15:00` (local), or
/// RFC 3339. A date without a time means the end of the working day (17:00 local).
pub fn parse_due(input: &str, now: Timestamp) -> Option<Timestamp> {
    parse_due_in(input, now, DateOrder::default())
}

/// Which comes first in a date written with slashes, `12/08`: the month (United States) or
/// the day (most of the world).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DateOrder {
    #[default]
    MonthFirst,
    DayFirst,
}

impl DateOrder {
    /// The order a locale name writes dates in (`en_US.UTF-8` month first, `en_GB` or
    /// `de_DE` day first); `C`, `POSIX` and unknown names read month first.
    pub fn from_locale(locale: &str) -> Self {
        let name = locale.split(['.', '@']).next().unwrap_or("");
        let month_first = ["en_US", "en_PH", "en_CA", "es_US", "en_AS", "en_GU", "en_MH", "en_FM", "en_UM", "en_VI"];
        if name.is_empty() || name == "C" || name == "POSIX" || month_first.contains(&name) || !name.contains('_') {
            Self::MonthFirst
        } else {
            Self::DayFirst
        }
    }
}

/// [`parse_due`] with slashed dates read in `order`; also `12/08` (the next such date),
/// `12/08/2027`, `next tuesday`, `in 3 days`.
pub fn parse_due_in(input: &str, now: Timestamp, order: DateOrder) -> Option<Timestamp> {
    use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
    let lowered = input.trim().to_lowercase();
    // "next tuesday" and "this friday" name the coming one; "in 3 days" is "+3d".
    let text = lowered.strip_prefix("next ").or_else(|| lowered.strip_prefix("this ")).unwrap_or(&lowered).to_string();
    let text = match text.strip_prefix("in ") {
        Some(rest) => format!("+{}", rest.replace(' ', "")),
        None => text,
    };
    if text.is_empty() {
        return None;
    }
    if let Some(t) = parse_rfc3339(&text.to_uppercase()) {
        return Some(t);
    }
    let local_now = Local.timestamp_opt(now, 0).single()?;
    let end_of_day = NaiveTime::from_hms_opt(17, 0, 0)?;
    let at = |date: NaiveDate| Local.from_local_datetime(&date.and_time(end_of_day)).earliest().map(|t| t.timestamp());
    if let Some(rest) = text.strip_prefix('+') {
        let (n, unit) = rest.split_at(rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len()));
        let n: i64 = n.parse().ok()?;
        return match unit.trim() {
            "m" | "min" | "mins" => Some(now + n * 60),
            "h" | "hr" | "hrs" | "hours" => Some(now + n * 3600),
            "d" | "day" | "days" | "" => at(local_now.date_naive() + Duration::days(n)),
            "w" | "week" | "weeks" => at(local_now.date_naive() + Duration::weeks(n)),
            _ => None,
        };
    }
    match text.as_str() {
        "today" | "eod" => return at(local_now.date_naive()),
        "tomorrow" | "tmrw" => return at(local_now.date_naive() + Duration::days(1)),
        _ => {}
    }
    if let Ok(day) = text.parse::<Weekday>() {
        let today = local_now.weekday();
        let ahead = (i64::from(day.num_days_from_monday()) - i64::from(today.num_days_from_monday())).rem_euclid(7);
        let ahead = if ahead == 0 { 7 } else { ahead };
        return at(local_now.date_naive() + Duration::days(ahead));
    }
    if let Ok(date) = NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
        return at(date);
    }
    if let Some(date) = slashed_date(&text, local_now.date_naive(), order) {
        return at(date);
    }
    for format in ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(&text, format) {
            return Local.from_local_datetime(&dt).earliest().map(|t| t.timestamp());
        }
    }
    None
}

/// `12/08`, `12/08/27` or `12/08/2027` in `order`; without a year, the next such date
/// from `today` (today included).
fn slashed_date(text: &str, today: chrono::NaiveDate, order: DateOrder) -> Option<chrono::NaiveDate> {
    use chrono::{Datelike, NaiveDate};
    let parts: Vec<u32> = text.split('/').map(|p| p.trim().parse().ok()).collect::<Option<_>>()?;
    let (a, b) = (*parts.first()?, *parts.get(1)?);
    let (month, day) = match order {
        DateOrder::MonthFirst => (a, b),
        DateOrder::DayFirst => (b, a),
    };
    match parts.get(2) {
        Some(&y) if parts.len() == 3 => {
            let year = if y < 100 { 2000 + y } else { y };
            NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
        }
        None => {
            let this_year = NaiveDate::from_ymd_opt(today.year(), month, day)?;
            if this_year >= today { Some(this_year) } else { NaiveDate::from_ymd_opt(today.year() + 1, month, day) }
        }
        _ => None,
    }
}

/// The current time as a Unix timestamp; the one place the real clock is read outside `app`.
pub fn now() -> Timestamp {
    Utc::now().timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_moments_in_the_years_0000_to_9999_in_utc_are_read() {
        assert_eq!(parse_rfc3339("9999-12-31T23:59:59Z"), Some(253_402_300_799));
        assert_eq!(parse_rfc3339("9999-12-31T23:59:59-23:59"), None);
        assert_eq!(parse_rfc3339("0000-01-01T00:00:00+23:59"), None);
        assert_eq!(parse_rfc3339("2026-11-20T14:00:00+01:00"), Some(1_795_179_600));
    }

    #[test]
    fn durations_pick_the_largest_sensible_unit() {
        assert_eq!(compact_duration(-5), "0s");
        assert_eq!(compact_duration(59), "59s");
        assert_eq!(compact_duration(60), "1m");
        assert_eq!(compact_duration(3599), "59m");
        assert_eq!(compact_duration(3600 + 5 * 60), "1h05m");
        assert_eq!(compact_duration(2 * 86_400 + 3 * 3600), "2d03h");
        assert_eq!(compact_duration(i64::MAX), "99999y");
        assert_eq!(clock_duration(65), "1:05");
        assert_eq!(clock_duration(3661), "1:01:01");
    }

    #[test]
    fn due_dates_read_like_speech() {
        let now = Local.with_ymd_and_hms(2026, 11, 18, 10, 0, 0).single().map(|t| t.timestamp()).unwrap_or_default(); // a Wednesday
        let day = |d: u32| Local.with_ymd_and_hms(2026, 11, d, 17, 0, 0).single().map(|t| t.timestamp());
        assert_eq!(parse_due("tomorrow", now), day(19));
        assert_eq!(parse_due("Fri", now), day(20));
        assert_eq!(parse_due("wednesday", now), day(25), "the same weekday means next week");
        assert_eq!(parse_due("+3d", now), day(21));
        assert_eq!(parse_due("+2h", now), Some(now + 7200));
        assert_eq!(parse_due("2026-11-25", now), day(25));
        assert_eq!(parse_due("someday", now), None);
        assert_eq!(parse_due("", now), None);
    }

    #[test]
    fn due_dates_as_reps_write_them_with_slashes_and_next() {
        let now = Local.with_ymd_and_hms(2026, 11, 18, 10, 0, 0).single().map(|t| t.timestamp()).unwrap_or_default(); // a Wednesday
        let on = |y: i32, m: u32, d: u32| Local.with_ymd_and_hms(y, m, d, 17, 0, 0).single().map(|t| t.timestamp());
        assert_eq!(parse_due_in("12/08", now, DateOrder::MonthFirst), on(2026, 12, 8));
        assert_eq!(parse_due_in("12/08", now, DateOrder::DayFirst), on(2027, 8, 12), "past this year: next year");
        assert_eq!(parse_due_in("12/08/2027", now, DateOrder::MonthFirst), on(2027, 12, 8));
        assert_eq!(parse_due_in("8/12/27", now, DateOrder::DayFirst), on(2027, 12, 8));
        assert_eq!(parse_due_in("next tuesday", now, DateOrder::MonthFirst), on(2026, 11, 24));
        assert_eq!(parse_due_in("in 3 days", now, DateOrder::MonthFirst), on(2026, 11, 21));
        assert_eq!(parse_due_in("13/45", now, DateOrder::MonthFirst), None);
        assert_eq!(DateOrder::from_locale("en_US.UTF-8"), DateOrder::MonthFirst);
        assert_eq!(DateOrder::from_locale("en_GB.UTF-8"), DateOrder::DayFirst);
        assert_eq!(DateOrder::from_locale("de_DE"), DateOrder::DayFirst);
        assert_eq!(DateOrder::from_locale("C.UTF-8"), DateOrder::MonthFirst);
    }

    #[test]
    fn rfc3339_with_offsets_parses_to_utc_seconds() {
        assert_eq!(parse_rfc3339("1970-01-01T00:01:00Z"), Some(60));
        assert_eq!(parse_rfc3339("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_rfc3339("yesterday"), None);
    }

    const H: i64 = 3600;

    #[test]
    fn long_waits_are_shown_whole_and_never_wider_than_six_columns() {
        let d = |days: i64, hours: i64| days * DAY + hours * H;
        // The queue used to show these two as `69d16h` and `0d00h`.
        assert_eq!(compact_duration(d(369, 16)), "1y4d");
        assert_eq!(compact_duration(d(370, 0)), "1y5d");
        let boundaries = [
            (d(0, 23) + 59 * 60, "23h59m"),
            (d(1, 0), "1d00h"),
            (d(99, 23) + 3599, "99d23h"),
            (d(100, 0), "100d"),
            (d(364, 23), "364d"),
            (d(365, 0), "1y0d"),
            (d(3649, 23), "9y364d"),
            (d(3650, 0), "10y"),
            (d(365 * 99_999, 0), "99999y"),
        ];
        for (seconds, shown) in boundaries {
            assert_eq!(compact_duration(seconds), shown, "{seconds} s");
        }
        // Every power of two of seconds, and one less: all fit.
        for bit in 0..63 {
            for s in [1i64 << bit, (1i64 << bit) - 1] {
                let shown = compact_duration(s);
                assert!(shown.len() <= COMPACT_WIDTH, "{s} s shown as {shown}");
            }
        }
    }

    fn at<Tz: TimeZone>(tz: &Tz, y: i32, m: u32, d: u32, h: u32) -> Timestamp {
        tz.with_ymd_and_hms(y, m, d, h, 0, 0).single().map(|t| t.timestamp()).unwrap()
    }

    #[test]
    fn days_are_23_or_25_hours_long_when_the_clocks_change() {
        use chrono_tz::{America::New_York, Europe::Berlin};
        // (zone, the day the clocks change, its length in hours)
        let new_york = [((2026, 3, 8), 23), ((2026, 11, 1), 25), ((2026, 7, 1), 24)];
        for ((y, m, d), hours) in new_york {
            let noon = at(&New_York, y, m, d, 12);
            let start = day_start_in(&New_York, noon);
            assert_eq!(start, at(&New_York, y, m, d, 0));
            assert_eq!(next_day_start_in(&New_York, noon) - start, hours * H, "New York {y}-{m}-{d}");
        }
        let berlin = [((2026, 3, 29), 23), ((2026, 10, 25), 25), ((2026, 1, 15), 24)];
        for ((y, m, d), hours) in berlin {
            let noon = at(&Berlin, y, m, d, 12);
            let start = day_start_in(&Berlin, noon);
            assert_eq!(start, at(&Berlin, y, m, d, 0));
            assert_eq!(next_day_start_in(&Berlin, noon) - start, hours * H, "Berlin {y}-{m}-{d}");
        }
        // The last second of the short day still belongs to it.
        let end = next_day_start_in(&Berlin, at(&Berlin, 2026, 3, 29, 12));
        assert_eq!(day_start_in(&Berlin, end - 1), at(&Berlin, 2026, 3, 29, 0));
        assert_eq!(day_start_in(&Berlin, end), at(&Berlin, 2026, 3, 30, 0));
    }

    #[test]
    fn weeks_start_on_monday_midnight_across_the_clock_changes() {
        use chrono_tz::{America::New_York, Europe::Berlin};
        // Sunday 8 March 2026, the day New York springs forward: the week began Monday 2 March.
        assert_eq!(week_start_in(&New_York, at(&New_York, 2026, 3, 8, 15)), at(&New_York, 2026, 3, 2, 0));
        // Tuesday after it: Monday 9 March, in summer time.
        assert_eq!(week_start_in(&New_York, at(&New_York, 2026, 3, 10, 1)), at(&New_York, 2026, 3, 9, 0));
        // Monday itself, just after midnight.
        assert_eq!(week_start_in(&Berlin, at(&Berlin, 2026, 3, 30, 0) + 1), at(&Berlin, 2026, 3, 30, 0));
        // Sunday 25 October 2026, Berlin falls back, late evening: Monday 19 October.
        assert_eq!(week_start_in(&Berlin, at(&Berlin, 2026, 10, 25, 23)), at(&Berlin, 2026, 10, 19, 0));
        // Seven calendar days back over a change is not 7 × 24 hours.
        let monday = at(&Berlin, 2026, 3, 30, 0);
        assert_eq!(days_later_in(&Berlin, monday, -7), at(&Berlin, 2026, 3, 23, 0));
        assert_eq!(monday - days_later_in(&Berlin, monday, -7), 7 * DAY - H);
        assert_eq!(days_later_in(&New_York, at(&New_York, 2026, 10, 30, 9), 3), at(&New_York, 2026, 11, 2, 0));
    }

    #[test]
    fn a_day_whose_midnight_was_skipped_starts_after_the_gap() {
        use chrono_tz::America::Sao_Paulo;
        // 4 November 2018: Sao Paulo's clocks went from 00:00 straight to 01:00.
        let noon = at(&Sao_Paulo, 2018, 11, 4, 12);
        assert_eq!(day_start_in(&Sao_Paulo, noon), at(&Sao_Paulo, 2018, 11, 4, 1));
        assert_eq!(next_day_start_in(&Sao_Paulo, at(&Sao_Paulo, 2018, 11, 3, 12)), at(&Sao_Paulo, 2018, 11, 4, 1));
    }
}
