//! Reading and showing times: RFC 3339 parsing, compact durations for narrow columns.

use chrono::{DateTime, Local, TimeZone, Utc};

use super::Timestamp;

/// Parses an RFC 3339 time (`2026-11-20T14:00:00Z`) to a Unix timestamp.
pub fn parse_rfc3339(s: &str) -> Option<Timestamp> {
    DateTime::parse_from_rfc3339(s.trim()).ok().map(|t| t.timestamp())
}

/// Shows a duration compactly: `45s`, `12m`, `1h05m`, `3d04h`.
pub fn compact_duration(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86_400 => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
        _ => format!("{}d{:02}h", s / 86_400, (s % 86_400) / 3600),
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
    Local
        .timestamp_opt(ts, 0)
        .single()
        .and_then(|t| t.date_naive().and_hms_opt(0, 0, 0))
        .and_then(|midnight| Local.from_local_datetime(&midnight).earliest())
        .map_or(ts - ts.rem_euclid(86_400), |t| t.timestamp())
}

/// The local midnight that starts the day after the one containing `ts` (23 or 25 hours
/// later across a daylight-saving change, never `+ 86_400`).
pub fn next_local_day_start(ts: Timestamp) -> Timestamp {
    let next = Local
        .timestamp_opt(ts, 0)
        .single()
        .and_then(|t| t.date_naive().succ_opt())
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|midnight| Local.from_local_datetime(&midnight).earliest());
    next.map_or(local_day_start(ts) + 86_400, |t| t.timestamp())
}

/// The local midnight that starts the week (Monday) containing `ts`.
pub fn local_week_start(ts: Timestamp) -> Timestamp {
    use chrono::Datelike;
    let monday = Local.timestamp_opt(ts, 0).single().map(|t| {
        let date = t.date_naive();
        date - chrono::Days::new(u64::from(date.weekday().num_days_from_monday()))
    });
    monday
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|midnight| Local.from_local_datetime(&midnight).earliest())
        .map_or(local_day_start(ts), |t| t.timestamp())
}

/// Reads a due date the way a rep says it: `today`, `tomorrow`, a weekday (`fri`,
/// `friday`: the next one), `+3d` / `+2h`, `2026-11-25` or `2026-11-25 15:00` (local), or
/// RFC 3339. A date without a time means the end of the working day (17:00 local).
pub fn parse_due(input: &str, now: Timestamp) -> Option<Timestamp> {
    use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
    let text = input.trim().to_lowercase();
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
    for format in ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(&text, format) {
            return Local.from_local_datetime(&dt).earliest().map(|t| t.timestamp());
        }
    }
    None
}

/// The current time as a Unix timestamp; the one place the real clock is read outside `app`.
pub fn now() -> Timestamp {
    Utc::now().timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_pick_the_largest_sensible_unit() {
        assert_eq!(compact_duration(-5), "0s");
        assert_eq!(compact_duration(59), "59s");
        assert_eq!(compact_duration(60), "1m");
        assert_eq!(compact_duration(3599), "59m");
        assert_eq!(compact_duration(3600 + 5 * 60), "1h05m");
        assert_eq!(compact_duration(2 * 86_400 + 3 * 3600), "2d03h");
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
    fn rfc3339_with_offsets_parses_to_utc_seconds() {
        assert_eq!(parse_rfc3339("1970-01-01T00:01:00Z"), Some(60));
        assert_eq!(parse_rfc3339("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_rfc3339("yesterday"), None);
    }
}
