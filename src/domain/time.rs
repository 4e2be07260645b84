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
    fn rfc3339_with_offsets_parses_to_utc_seconds() {
        assert_eq!(parse_rfc3339("1970-01-01T00:01:00Z"), Some(60));
        assert_eq!(parse_rfc3339("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_rfc3339("yesterday"), None);
    }
}
