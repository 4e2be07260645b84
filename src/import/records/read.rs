//! Reading: a `.json` or `.csv` file into rows of named values, naming the file and line
//! of any format error. Nothing here knows what the rows mean.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value};

use crate::import::Origin;

/// One record and where it came from.
pub type Row = (Origin, Map<String, Value>);

/// Records read one at a time, so a file of a million rows never sits in memory whole.
pub type RowStream = Box<dyn Iterator<Item = Result<Row>> + Send>;

/// An opened file of records: the rows as a stream, about how many there are (for
/// progress), and what the reader noticed about the file as a whole (a repeated column).
pub struct Opened {
    pub rows: RowStream,
    pub total: u64,
    pub warnings: Vec<String>,
}

/// Reads a `.json` or `.csv` file of at most `limit` bytes into rows, naming the file and
/// line of any format error.
pub fn read_rows(path: &Path, limit: u64) -> Result<Vec<Row>> {
    let bytes = crate::import::regular_file::read(path, limit)?;
    parse_rows(path, &bytes)
}

/// Opens a `.json` or `.csv` file as a stream of rows. A CSV file is read as it is
/// imported; a JSON array is parsed whole first.
pub fn open_rows(path: &Path) -> Result<Opened> {
    if format_of(path)? != Format::Csv {
        // Parsed whole, so held whole: a larger history comes as CSV, read as it is imported.
        let rows = read_rows(path, 1 << 30)?;
        let total = rows.len() as u64;
        return Ok(Opened { rows: Box::new(rows.into_iter().map(Ok)), total, warnings: Vec::new() });
    }
    let cannot_read = || format!("{}: cannot read", path.display());
    let mut file = std::io::BufReader::with_capacity(1 << 16, crate::import::regular_file::open(path)?);
    let lines = count_lines(path).with_context(cannot_read)?;
    let start = std::io::BufRead::fill_buf(&mut file).with_context(cannot_read)?;
    if start.is_empty() {
        bail!("{}: the file is empty: nothing to import", path.display());
    }
    check_encoding(path, start)?;
    if start.starts_with(b"\xEF\xBB\xBF") {
        std::io::BufRead::consume(&mut file, 3);
    }
    let (rows, warnings) = csv_rows(path.to_path_buf(), file)?;
    Ok(Opened { rows: Box::new(rows), total: lines.saturating_sub(1), warnings })
}

/// Lines in the file: the number of CSV records plus the header, unless quoted fields
/// span lines (then it is a little more).
fn count_lines(path: &Path) -> std::io::Result<u64> {
    use std::io::Read;
    let mut file = crate::import::regular_file::open(path).map_err(std::io::Error::other)?;
    let mut buf = vec![0u8; 1 << 16];
    let (mut lines, mut last) = (0u64, b'\n');
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            // A last line without its newline still counts.
            return Ok(lines + u64::from(last != b'\n'));
        }
        lines += buf[..n].iter().filter(|b| **b == b'\n').count() as u64;
        last = buf[n - 1];
    }
}

/// Parses file contents into rows; `path` names the file in messages and its extension
/// picks the format.
pub fn parse_rows(path: &Path, bytes: &[u8]) -> Result<Vec<Row>> {
    check_encoding(path, bytes)?;
    let text = match std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)) {
        Ok(t) => t,
        Err(e) => {
            let line = bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
            bail!("{}: line {line}: {NOT_UTF8}", path.display());
        }
    };
    match format_of(path)? {
        Format::Json => json_rows(path, text),
        Format::JsonLines => json_lines_rows(path, text),
        Format::Csv => csv_rows(path.to_path_buf(), text.as_bytes())?.0.collect(),
    }
}

const NOT_UTF8: &str = "not UTF-8 text (Latin-1? save the file as UTF-8)";

/// Refuses UTF-16, which would otherwise read as noise.
fn check_encoding(path: &Path, start: &[u8]) -> Result<()> {
    crate::import::encoding::refuse_utf16(path, start)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    /// One object per line (`.jsonl`, `.ndjson`).
    JsonLines,
    Csv,
}

fn format_of(path: &Path) -> Result<Format> {
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("json") => Ok(Format::Json),
        Some("jsonl" | "ndjson") => Ok(Format::JsonLines),
        Some("csv") => Ok(Format::Csv),
        _ => bail!("{}: unknown file type; use .json, .jsonl or .csv", path.display()),
    }
}

/// The objects of a JSON Lines file, one per line (blank lines skipped).
fn json_lines_rows(path: &Path, text: &str) -> Result<Vec<Row>> {
    let rows: Vec<Row> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            let n = i as u64 + 1;
            match serde_json::from_str::<Value>(line) {
                Ok(Value::Object(map)) => Ok((Origin::JsonLine(n), map)),
                Ok(_) => bail!("{}: line {n}: expected a JSON object", path.display()),
                // serde names "line 1" of the one line it was given: say the file's line.
                Err(e) => {
                    let what = e.to_string();
                    let what = what.split(" at line ").next().unwrap_or_default();
                    bail!("{}: line {n}, column {}: invalid JSON: {what}", path.display(), e.column())
                }
            }
        })
        .collect::<Result<_>>()?;
    if rows.is_empty() {
        bail!("{}: the file is empty: nothing to import", path.display());
    }
    Ok(rows)
}

/// The objects of a JSON array — or of the one array inside an object, as help desks and
/// shops page their API exports (`{"users": [...], "next_page": null, "count": 2}`).
fn json_rows(path: &Path, text: &str) -> Result<Vec<Row>> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| anyhow::anyhow!("{}: line {}: invalid JSON: {e}", path.display(), e.line()))?;
    let items = match value {
        Value::Array(items) => items,
        Value::Object(map) => match single_list(map) {
            Some(items) => items,
            None => bail!("{}: expected a JSON array of objects", path.display()),
        },
        _ => bail!("{}: expected a JSON array of objects", path.display()),
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| match item {
            Value::Object(map) => Ok((Origin::Index(i), map)),
            _ => bail!("{}: [{i}]: expected an object", path.display()),
        })
        .collect()
}

/// The value of the one key of `map` that holds an array, when exactly one does (the other
/// keys of a paged export are counts and links).
fn single_list(map: Map<String, Value>) -> Option<Vec<Value>> {
    let mut lists = map.into_iter().filter_map(|(_, v)| match v {
        Value::Array(items) => Some(items),
        _ => None,
    });
    let first = lists.next()?;
    lists.next().is_none().then_some(first)
}

/// The records of a CSV text after its header row, each keyed by the (trimmed, lower-case)
/// column names; empty cells are left out. A name given to two columns is warned about
/// (when both cells are filled, the later one is kept).
fn csv_rows<R: std::io::Read>(path: PathBuf, input: R) -> Result<(impl Iterator<Item = Result<Row>>, Vec<String>)> {
    let breaks = Arc::new(Mutex::new(LineBreaks::default()));
    let counted = CountingLines { inner: input, breaks: Arc::clone(&breaks) };
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(counted);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| match e.kind() {
            csv::ErrorKind::Utf8 { .. } => anyhow::anyhow!("{}: line 1: {NOT_UTF8}", path.display()),
            _ => anyhow::Error::new(e).context(format!("{}: line 1: cannot read the header row", path.display())),
        })?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let warnings = repeated_columns(&path, &headers);
    let line_of = move |position: Option<&csv::Position>| {
        let byte = position.map_or(0, csv::Position::byte);
        breaks.lock().unwrap_or_else(std::sync::PoisonError::into_inner).line_of(byte)
    };
    let no_records = format!("{}: line 1: a header row but no records: nothing to import", path.display());
    let rows = reader.into_records().map(move |record| {
        let record = record.map_err(|e| {
            anyhow::anyhow!("{}: line {}: {}", path.display(), line_of(e.position()), csv_error_text(&e))
        })?;
        let line = line_of(record.position());
        let map: Map<String, Value> = headers
            .iter()
            .zip(record.iter())
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(h, v)| (h.clone(), Value::String(unescape_formula(v).to_string())))
            .collect();
        Ok((Origin::Line(line), map))
    });
    Ok((NotEmpty { rows, seen: false, no_records: Some(no_records) }, warnings))
}

/// Where lines end in what the CSV reader has read so far, so a record's line is counted
/// as an editor counts it: `\n`, `\r\n` and a lone `\r` each end one. (The csv crate's own
/// count is one short per `\r\n` line before a record, as Excel writes them, and sees a
/// single line in a file of bare `\r` endings.)
#[derive(Default)]
struct LineBreaks {
    /// Offsets of the line ends read but not yet passed by a record.
    ahead: VecDeque<u64>,
    /// Line ends before the last record asked about.
    passed: u64,
    /// Bytes read so far.
    read: u64,
    /// The last byte read was a `\r` (a `\n` right after it ends the same line).
    after_cr: bool,
    /// Line ends read while `ahead` was full, all later than those in it.
    beyond: u64,
}

/// Most line ends kept by offset (32 MB). Only a hostile file gets here: one record holding
/// millions of line breaks (the csv crate holds that record whole anyway). Later ones are
/// counted in bulk, which keeps every line exact up to and including that record.
const MAX_AHEAD: usize = 1 << 22;

impl LineBreaks {
    fn note(&mut self, bytes: &[u8]) {
        for at in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            let crlf = bytes[at] == b'\n' && if at == 0 { self.after_cr } else { bytes[at - 1] == b'\r' };
            if crlf {
                continue;
            }
            if self.ahead.len() < MAX_AHEAD {
                self.ahead.push_back(self.read + at as u64);
            } else {
                self.beyond += 1;
            }
        }
        self.after_cr = bytes.last().map_or(self.after_cr, |&b| b == b'\r');
        self.read += bytes.len() as u64;
    }

    /// The 1-based line of the byte at `offset`; offsets asked about never go back.
    fn line_of(&mut self, offset: u64) -> u64 {
        while self.ahead.front().is_some_and(|&end| end < offset) {
            self.ahead.pop_front();
            self.passed += 1;
        }
        if self.ahead.is_empty() {
            self.passed += std::mem::take(&mut self.beyond);
        }
        self.passed + 1
    }
}

/// A reader that notes the line ends of what passes through it.
struct CountingLines<R> {
    inner: R,
    breaks: Arc<Mutex<LineBreaks>>,
}

impl<R: std::io::Read> std::io::Read for CountingLines<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.breaks.lock().unwrap_or_else(std::sync::PoisonError::into_inner).note(&buf[..n]);
        Ok(n)
    }
}

/// The rows, or one error when there are none: a CSV file with a header and nothing under
/// it is most likely the wrong file, and "0 added" would not say so.
struct NotEmpty<I> {
    rows: I,
    seen: bool,
    no_records: Option<String>,
}

impl<I: Iterator<Item = Result<Row>>> Iterator for NotEmpty<I> {
    type Item = Result<Row>;

    fn next(&mut self) -> Option<Result<Row>> {
        match self.rows.next() {
            Some(row) => {
                self.seen = true;
                Some(row)
            }
            None if !self.seen => self.no_records.take().map(|m| Err(anyhow::anyhow!(m))),
            None => None,
        }
    }
}

/// One warning per column whose name an earlier column already has, naming both (1-based,
/// as a spreadsheet counts them): without it one of the two is dropped without a word.
fn repeated_columns(path: &Path, headers: &[String]) -> Vec<String> {
    // Named one by one as unknown keys are: a header of 200,000 copies of one name printed
    // as many warnings.
    const MAX_NAMED: usize = super::check::MAX_UNKNOWN_NAMED;
    let mut warnings = Vec::new();
    let mut more = 0;
    // Each name's first column, so a header of a million columns is read once.
    let mut first_of: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (later, name) in headers.iter().enumerate() {
        if name.is_empty() {
            continue;
        }
        let first = *first_of.entry(name.as_str()).or_insert(later);
        if first != later && warnings.len() == MAX_NAMED {
            more += 1;
        } else if first != later {
            warnings.push(format!(
                "{}: line 1: column `{name}` appears twice (columns {} and {}); where both are filled, column {} is used",
                path.display(),
                first + 1,
                later + 1,
                later + 1
            ));
        }
    }
    if more > 0 {
        warnings.push(format!("{}: line 1: {more} more repeated columns", path.display()));
    }
    warnings
}

/// Undoes the spreadsheet-formula escaping of our own CSV exports (a `'` before a cell
/// starting with `=`, `+`, `-`, `@`, tab or carriage return), so exports import back.
fn unescape_formula(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

fn csv_error_text(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => NOT_UTF8.to_string(),
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("has {len} fields but the header has {expected_len} (an unbalanced quote?)")
        }
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{LineBreaks, repeated_columns};

    #[test]
    fn every_kind_of_line_end_counts_once_even_across_reads() {
        let mut breaks = LineBreaks::default();
        // "h\r" | "\na\rb\n" | "c": the \r\n of the first line is split between two reads.
        breaks.note(b"h\r");
        breaks.note(b"\na\rb\n");
        breaks.note(b"c");
        assert_eq!(breaks.line_of(0), 1);
        assert_eq!(breaks.line_of(3), 2); // "a"
        assert_eq!(breaks.line_of(5), 3); // "b"
        assert_eq!(breaks.line_of(7), 4); // "c"
    }

    #[test]
    fn a_record_holding_more_line_breaks_than_are_kept_leaves_every_line_exact() {
        use super::MAX_AHEAD;
        let mut breaks = LineBreaks::default();
        breaks.note(b"h\n\"");
        let inside = MAX_AHEAD + 1000;
        breaks.note(&vec![b'\n'; inside]);
        breaks.note(b"\"\nnext");
        // The long record starts on line 2, the one after it past all its breaks.
        assert_eq!(breaks.line_of(2), 2);
        let next = u64::try_from(2 + 1 + inside + 2).unwrap();
        assert_eq!(breaks.line_of(next), 3 + u64::try_from(inside).unwrap());
        assert!(breaks.ahead.len() <= MAX_AHEAD);
    }

    #[test]
    fn repeated_columns_are_named_up_to_twenty_then_counted() {
        let headers: Vec<String> = (0..200_000).map(|i| if i < 2 { format!("h{i}") } else { "dup".into() }).collect();
        let warnings = repeated_columns(Path::new("w.csv"), &headers);
        assert_eq!(warnings.len(), 21);
        assert_eq!(warnings[20], "w.csv: line 1: 199977 more repeated columns");
    }
}
