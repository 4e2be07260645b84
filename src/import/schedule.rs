//! Schedule files: `.csv` with `start,end,activity` (RFC 3339 or `YYYY-MM-DD HH:MM` local
//! times) or an `.ics` calendar (VEVENTs read by hand: DTSTART, DTEND or DURATION, SUMMARY).
//! Parsing is pure — the time zone for local times is passed in — and checks every block
//! before anything is written: a bad row is named by its line, and overlapping blocks are an
//! error naming both lines.

use std::path::Path;

use anyhow::{Result, bail};
use chrono::{NaiveDate, NaiveDateTime, TimeZone};

use super::{Origin, RecordError};
use crate::domain::Timestamp;
use crate::domain::shift::Activity;
use crate::domain::time::parse_rfc3339;

pub use crate::domain::shift::MAX_BLOCK_SECONDS;

/// One block read from a file, with the line it came from (the row for CSV, the
/// `BEGIN:VEVENT` line for a calendar).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedBlock {
    pub line: u64,
    pub start: Timestamp,
    pub end: Timestamp,
    pub activity: Activity,
}

/// What a file held: its blocks, sorted by start, and warnings (skipped events).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub blocks: Vec<ParsedBlock>,
    pub warnings: Vec<String>,
}

/// Parses a schedule file's contents; the extension of `path` picks the format and local
/// times are read in `tz`.
pub fn parse<Tz: TimeZone>(path: &Path, bytes: &[u8], tz: &Tz) -> Result<Parsed> {
    super::encoding::refuse_utf16(path, bytes)?;
    let text = match std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)) {
        Ok(t) => t,
        Err(e) => {
            let line = bytes.get(..e.valid_up_to()).map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count()) + 1;
            bail!("{}: line {line}: not UTF-8 text (save the file as UTF-8)", path.display());
        }
    };
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let mut parsed = match ext.as_deref() {
        Some("csv") => parse_csv(path, text, tz)?,
        Some("ics" | "ical" | "ifb" | "icalendar") => parse_ics(path, text, tz)?,
        _ => bail!("{}: unknown file type; use .csv (start,end,activity) or .ics", path.display()),
    };
    if parsed.blocks.is_empty() {
        bail!("{}: no schedule blocks found", path.display());
    }
    parsed.blocks.sort_by_key(|b| (b.start, b.end, b.line));
    check_overlaps(path, &parsed.blocks)?;
    Ok(parsed)
}

/// Refuses overlapping blocks (touching is fine), naming both lines; `blocks` sorted by start.
fn check_overlaps(path: &Path, blocks: &[ParsedBlock]) -> Result<(), RecordError> {
    let mut latest: Option<&ParsedBlock> = None;
    for b in blocks {
        if let Some(prev) = latest
            && b.start < prev.end
        {
            let (first, second) = if prev.line <= b.line { (prev, b) } else { (b, prev) };
            return Err(RecordError {
                file: path.to_path_buf(),
                origin: Origin::Line(second.line),
                field: None,
                message: format!(
                    "this {} block overlaps the {} block on line {}",
                    second.activity, first.activity, first.line
                ),
            });
        }
        if latest.is_none_or(|p| b.end > p.end) {
            latest = Some(b);
        }
    }
    Ok(())
}

/// Reads a local wall-clock time in `tz`; `None` when it does not exist there (the hour
/// skipped when clocks go forward). An ambiguous time (clocks going back) is the earlier.
fn local<Tz: TimeZone>(tz: &Tz, t: NaiveDateTime) -> Option<Timestamp> {
    tz.from_local_datetime(&t).earliest().map(|d| d.timestamp())
}

/// An RFC 3339 time, or `YYYY-MM-DD HH:MM[:SS]` (space or `T`) in `tz`.
pub fn parse_time<Tz: TimeZone>(text: &str, tz: &Tz) -> Result<Timestamp, String> {
    let t = text.trim();
    if let Some(ts) = parse_rfc3339(t) {
        return Ok(ts);
    }
    for format in ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(t, format) {
            return local(tz, naive)
                .ok_or_else(|| format!("\"{t}\" does not exist in the local time zone (clocks change)"));
        }
    }
    Err(format!("\"{t}\" is not a time like 2026-11-20 09:00 (local) or 2026-11-20T09:00:00Z"))
}

fn block_checks(
    path: &Path,
    line: u64,
    (start_field, end_field): (&str, &str),
    start: Timestamp,
    end: Timestamp,
) -> Result<(), RecordError> {
    if end <= start {
        return Err(RecordError::field(path, Origin::Line(line), end_field, format!("is not after {start_field}")));
    }
    if end - start > MAX_BLOCK_SECONDS {
        return Err(RecordError::field(
            path,
            Origin::Line(line),
            end_field,
            "is more than 24 hours after the start; is the date right?",
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------- CSV

fn parse_csv<Tz: TimeZone>(path: &Path, text: &str, tz: &Tz) -> Result<Parsed> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| anyhow::anyhow!("{}: line 1: cannot read the header row: {e}", path.display()))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(start_col), Some(end_col), Some(activity_col)) = (column("start"), column("end"), column("activity"))
    else {
        bail!("{}: line 1: the header must name the columns start, end and activity", path.display());
    };
    let mut parsed = Parsed::default();
    for h in headers.iter().filter(|h| !["start", "end", "activity"].contains(&h.as_str())) {
        parsed.warnings.push(format!("{}: unknown column `{h}` ignored", path.display()));
    }
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, csv::Position::line);
            anyhow::anyhow!("{}: line {line}: {e}", path.display())
        })?;
        let line = record.position().map_or(0, csv::Position::line);
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let field = |i: usize, name: &str| -> Result<&str, RecordError> {
            match record.get(i).map(str::trim) {
                Some(v) if !v.is_empty() => Ok(v),
                _ => Err(RecordError::field(path, Origin::Line(line), name, "is missing")),
            }
        };
        let time = |i: usize, name: &str| -> Result<Timestamp, RecordError> {
            parse_time(field(i, name)?, tz).map_err(|m| RecordError::field(path, Origin::Line(line), name, m))
        };
        let start = time(start_col, "start")?;
        let end = time(end_col, "end")?;
        let activity_text = field(activity_col, "activity")?;
        let activity = Activity::parse(activity_text).ok_or_else(|| {
            RecordError::field(
                path,
                Origin::Line(line),
                "activity",
                format!("\"{activity_text}\" is not one of work, break, lunch, training, meeting"),
            )
        })?;
        block_checks(path, line, ("start", "end"), start, end)?;
        parsed.blocks.push(ParsedBlock { line, start, end, activity });
    }
    Ok(parsed)
}

// ---------------------------------------------------------------- iCalendar

/// One content line after unfolding: the line it started on, name, parameters, value.
struct Property {
    line: u64,
    name: String,
    params: Vec<(String, String)>,
    value: String,
}

impl Property {
    fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Unfolds content lines (a line starting with a space or tab continues the one before,
/// RFC 5545 §3.1) and splits each into name, parameters and value.
fn content_lines(text: &str) -> Vec<Property> {
    let mut logical: Vec<(u64, String)> = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        match (raw.strip_prefix([' ', '\t']), logical.last_mut()) {
            (Some(rest), Some((_, last))) => last.push_str(rest),
            _ if raw.trim().is_empty() => {}
            _ => logical.push((i as u64 + 1, raw.to_string())),
        }
    }
    logical
        .into_iter()
        .map(|(line, text)| {
            // The value starts at the first ':' outside a quoted parameter value.
            let mut quoted = false;
            let split = text.char_indices().find(|&(_, c)| {
                if c == '"' {
                    quoted = !quoted;
                }
                c == ':' && !quoted
            });
            let (head, value) = match split {
                Some((i, _)) => (&text[..i], &text[i + 1..]),
                None => (text.as_str(), ""),
            };
            let mut parts = head.split(';');
            let name = parts.next().unwrap_or_default().trim().to_ascii_uppercase();
            let params = parts
                .filter_map(|p| p.split_once('='))
                .map(|(k, v)| (k.trim().to_ascii_uppercase(), v.trim().trim_matches('"').to_string()))
                .collect();
            Property { line, name, params, value: value.to_string() }
        })
        .collect()
}

/// Undoes iCalendar text escaping (`\,` `\;` `\n` `\\`).
fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push(' '),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Which time zone a `TZID` names: an IANA name, also inside a longer path some calendar
/// programs write (`/mozilla.org/20070129_1/Europe/Berlin`).
fn named_zone(tzid: &str) -> Option<chrono_tz::Tz> {
    if let Ok(z) = tzid.parse::<chrono_tz::Tz>() {
        return Some(z);
    }
    let parts: Vec<&str> = tzid.split('/').filter(|p| !p.is_empty()).collect();
    (1..parts.len()).rev().find_map(|k| parts.get(parts.len() - k..).and_then(|tail| tail.join("/").parse().ok()))
}

/// A DTSTART/DTEND value: `…Z` is UTC, `TZID=` names a zone, otherwise local (floating).
/// `Ok(None)` for a date without a time (an all-day event).
fn ics_time<Tz: TimeZone>(
    p: &Property,
    tz: &Tz,
    warnings: &mut Vec<String>,
    path: &Path,
) -> Result<Option<Timestamp>, String> {
    let v = p.value.trim();
    if p.param("VALUE").is_some_and(|x| x.eq_ignore_ascii_case("DATE")) || (v.len() == 8 && !v.contains('T')) {
        return if NaiveDate::parse_from_str(v, "%Y%m%d").is_ok() {
            Ok(None)
        } else {
            Err(format!("\"{v}\" is not a date like 20261120"))
        };
    }
    let bad = || format!("\"{v}\" is not a time like 20261120T090000 or 20261120T090000Z");
    let (naive_text, utc) = match v.strip_suffix(['Z', 'z']) {
        Some(rest) => (rest, true),
        None => (v, false),
    };
    let naive = NaiveDateTime::parse_from_str(naive_text, "%Y%m%dT%H%M%S").map_err(|_| bad())?;
    if utc {
        return Ok(Some(naive.and_utc().timestamp()));
    }
    let missing = || format!("\"{v}\" does not exist in its time zone (clocks change)");
    match p.param("TZID") {
        Some(tzid) => match named_zone(tzid) {
            Some(zone) => local(&zone, naive).map(Some).ok_or_else(missing),
            None => {
                let w = format!(
                    "{}: line {}: time zone \"{tzid}\" is not known; read as local time",
                    path.display(),
                    p.line
                );
                if !warnings.contains(&w) {
                    warnings.push(w);
                }
                local(tz, naive).map(Some).ok_or_else(missing)
            }
        },
        None => local(tz, naive).map(Some).ok_or_else(missing),
    }
}

/// An RFC 5545 duration such as `PT30M`, `PT1H30M`, `P1D`; weeks and days included.
fn ics_duration(text: &str) -> Option<i64> {
    let t = text.trim().strip_prefix('+').unwrap_or(text.trim());
    let rest = t.strip_prefix('P')?;
    let (mut total, mut number, mut in_time, mut any) = (0i64, String::new(), false, false);
    for c in rest.chars() {
        match c {
            'T' => in_time = true,
            '0'..='9' => number.push(c),
            unit => {
                let n: i64 = number.parse().ok()?;
                number.clear();
                any = true;
                let unit_seconds = match (unit, in_time) {
                    ('W', false) => 7 * 86_400,
                    ('D', false) => 86_400,
                    ('H', true) => 3600,
                    ('M', true) => 60,
                    ('S', true) => 1,
                    _ => return None,
                };
                // Checked: a duration past i64 wrapped round to an ordinary-looking one.
                total = n.checked_mul(unit_seconds).and_then(|s| total.checked_add(s))?;
            }
        }
    }
    (any && number.is_empty()).then_some(total)
}

#[derive(Default)]
struct Event {
    line: u64,
    start: Option<(u64, Option<Timestamp>)>,
    end: Option<(u64, Option<Timestamp>)>,
    duration: Option<(u64, i64)>,
    summary: Option<(u64, String)>,
    cancelled: bool,
    recurring: Option<u64>,
}

fn parse_ics<Tz: TimeZone>(path: &Path, text: &str, tz: &Tz) -> Result<Parsed> {
    let err = |line: u64, field: &str, msg: String| RecordError::field(path, Origin::Line(line), field, msg);
    let mut parsed = Parsed::default();
    let lines = content_lines(text);
    if !lines.first().is_some_and(|p| p.name == "BEGIN" && p.value.trim().eq_ignore_ascii_case("VCALENDAR")) {
        bail!("{}: line 1: not an iCalendar file (expected BEGIN:VCALENDAR)", path.display());
    }
    // The components we are inside, innermost last; only properties directly inside a
    // VEVENT are read (VALARM and VTIMEZONE have DTSTARTs of their own).
    let mut stack: Vec<String> = Vec::new();
    let mut event: Option<Event> = None;
    for p in &lines {
        match p.name.as_str() {
            "BEGIN" => {
                let what = p.value.trim().to_ascii_uppercase();
                if what == "VEVENT" {
                    event = Some(Event { line: p.line, ..Event::default() });
                }
                stack.push(what);
                continue;
            }
            "END" => {
                let what = p.value.trim().to_ascii_uppercase();
                if stack.last() != Some(&what) {
                    bail!("{}: line {}: END:{what} does not close the open component", path.display(), p.line);
                }
                stack.pop();
                if what == "VEVENT"
                    && let Some(e) = event.take()
                    && let Some(b) = finish_event(path, e, &mut parsed.warnings)?
                {
                    parsed.blocks.push(b);
                }
                continue;
            }
            _ => {}
        }
        if stack.last().map(String::as_str) != Some("VEVENT") {
            continue;
        }
        let Some(e) = event.as_mut() else { continue };
        match p.name.as_str() {
            "DTSTART" => {
                e.start =
                    Some((p.line, ics_time(p, tz, &mut parsed.warnings, path).map_err(|m| err(p.line, "DTSTART", m))?))
            }
            "DTEND" => {
                e.end =
                    Some((p.line, ics_time(p, tz, &mut parsed.warnings, path).map_err(|m| err(p.line, "DTEND", m))?))
            }
            "DURATION" => {
                let d = ics_duration(&p.value).ok_or_else(|| {
                    err(p.line, "DURATION", format!("\"{}\" is not a duration like PT30M", p.value.trim()))
                })?;
                e.duration = Some((p.line, d));
            }
            "SUMMARY" => e.summary = Some((p.line, unescape(&p.value).trim().to_string())),
            "STATUS" => e.cancelled = p.value.trim().eq_ignore_ascii_case("CANCELLED"),
            "RRULE" | "RDATE" => e.recurring = Some(p.line),
            _ => {}
        }
    }
    if let Some(open) = stack.last() {
        bail!("{}: BEGIN:{open} is never closed (the file is cut short?)", path.display());
    }
    Ok(parsed)
}

/// Turns one VEVENT into a block; `Ok(None)` for events that are not schedule blocks
/// (cancelled, all-day), each with a warning.
fn finish_event(path: &Path, e: Event, warnings: &mut Vec<String>) -> Result<Option<ParsedBlock>, RecordError> {
    let err = |line: u64, field: &str, msg: String| RecordError::field(path, Origin::Line(line), field, msg);
    let title = e.summary.as_ref().map_or("(untitled)", |(_, s)| s.as_str()).to_string();
    if e.cancelled {
        warnings.push(format!("{}: line {}: cancelled event \"{title}\" skipped", path.display(), e.line));
        return Ok(None);
    }
    if let Some(line) = e.recurring {
        return Err(err(
            line,
            "RRULE",
            format!(
                "\"{title}\" repeats; recurring events are not supported — export the day's events as single events"
            ),
        ));
    }
    let Some((start_line, start)) = e.start else {
        return Err(err(e.line, "DTSTART", format!("\"{title}\" has no start")));
    };
    let Some(start) = start else {
        warnings.push(format!("{}: line {}: all-day event \"{title}\" skipped", path.display(), e.line));
        return Ok(None);
    };
    let (end_line, end) = match (e.end, e.duration) {
        (Some((line, Some(end))), _) => (line, end),
        (Some((line, None)), _) => {
            return Err(err(line, "DTEND", "is a date without a time while DTSTART has one".into()));
        }
        (None, Some((line, d))) => (line, start + d),
        (None, None) => return Err(err(e.line, "DTEND", format!("\"{title}\" has neither DTEND nor DURATION"))),
    };
    let (summary_line, summary) = e.summary.unwrap_or((e.line, String::new()));
    let activity = Activity::from_summary(&summary).ok_or_else(|| {
        err(
            summary_line,
            "SUMMARY",
            format!("\"{summary}\" names no activity (a word such as work, shift, break, lunch, training, meeting)"),
        )
    })?;
    let field = if e.end.is_some() { "DTEND" } else { "DURATION" };
    if end <= start {
        return Err(err(end_line, field, format!("is not after DTSTART (line {start_line})")));
    }
    if end - start > MAX_BLOCK_SECONDS {
        return Err(err(end_line, field, "is more than 24 hours after DTSTART; is the date right?".into()));
    }
    Ok(Some(ParsedBlock { line: e.line, start, end, activity }))
}

/// Imports a schedule file (`.csv` or `.ics`, local times in the system time zone). The file
/// is the schedule for the time it covers: existing blocks overlapping its first start to
/// its last end are replaced, so importing an updated file again is safe. All or nothing.
pub fn import_schedule(conn: &mut rusqlite::Connection, path: &Path) -> Result<crate::store::shift::Summary> {
    let bytes = super::regular_file::read(path, super::regular_file::SMALL_FILE_BYTES)?;
    import_schedule_bytes(conn, path, &bytes, &chrono::Local)
}

/// [`import_schedule`] on bytes already read, with local times in `tz` (for tests).
pub fn import_schedule_bytes<Tz: TimeZone>(
    conn: &mut rusqlite::Connection,
    path: &Path,
    bytes: &[u8],
    tz: &Tz,
) -> Result<crate::store::shift::Summary> {
    let parsed = parse(path, bytes, tz)?;
    let blocks: Vec<_> = parsed.blocks.iter().map(|b| (b.start, b.end, b.activity)).collect();
    Ok(crate::store::shift::replace_schedule(conn, &blocks, parsed.warnings)?)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[test]
    fn durations_parse() {
        assert_eq!(ics_duration("PT30M"), Some(1800));
        assert_eq!(ics_duration("PT1H30M"), Some(5400));
        assert_eq!(ics_duration("P1DT1S"), Some(86_401));
        assert_eq!(ics_duration("30M"), None);
        assert_eq!(ics_duration("PT"), None);
        assert_eq!(ics_duration("PT9223372036854775807S9223372036854775807S3602S"), None);
    }

    #[test]
    fn folded_lines_and_quoted_params() {
        let props = content_lines(
            "BEGIN:VCALENDAR\r\nSUMMARY:Team\r\n  huddle\r\nDTSTART;TZID=\"Europe/Berlin\":20261120T090000\r\n",
        );
        assert_eq!(props.len(), 3);
        assert_eq!(props[1].value, "Team huddle");
        assert_eq!(props[2].param("TZID"), Some("Europe/Berlin"));
        assert_eq!(props[2].line, 4);
        assert!(named_zone("/mozilla.org/20070129_1/Europe/Berlin").is_some());
        assert!(named_zone("W. Europe Standard Time").is_none());
    }

    #[test]
    fn local_times_and_rfc3339() {
        assert_eq!(parse_time("2026-11-20 09:00", &Utc), Ok(parse_rfc3339("2026-11-20T09:00:00Z").unwrap()));
        assert_eq!(parse_time("2026-11-20T09:00:00+01:00", &Utc), Ok(parse_rfc3339("2026-11-20T08:00:00Z").unwrap()));
        assert!(parse_time("9am", &Utc).unwrap_err().contains("\"9am\" is not a time"));
    }
}
