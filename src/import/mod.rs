//! Reading files into the workspace. Each importer checks every record, writes in one
//! transaction, and names the file, line (CSV) or index (JSON) and field of the first bad
//! record — a bad file changes nothing. (The customer and contact importers check on a
//! second thread while the first writes; a bad record anywhere undoes the transaction.)

pub mod encoding;
pub mod fields;
pub mod kb;
pub mod knowledge;
pub mod qa;
pub mod records;
pub mod regular_file;
pub mod schedule;
pub mod yaml;

use std::fmt;
use std::path::{Path, PathBuf};

/// Where in a file a record came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// 1-based line of a CSV record.
    Line(u64),
    /// 0-based index of a JSON array element.
    Index(usize),
    /// 1-based line of a JSON Lines record (one object per line, as `export --format jsonl`
    /// writes).
    JsonLine(u64),
}

impl Origin {
    /// What a record's keys are called where it came from: a CSV file's columns, a JSON
    /// object's fields.
    pub fn key_noun(&self) -> &'static str {
        match self {
            Self::Line(_) => "column",
            Self::Index(_) | Self::JsonLine(_) => "field",
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Line(n) | Self::JsonLine(n) => write!(f, "line {n}"),
            Self::Index(i) => write!(f, "[{i}]"),
        }
    }
}

/// A record that cannot be imported, with where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    pub file: PathBuf,
    pub origin: Origin,
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.origin)?;
        if let Some(field) = &self.field {
            write!(f, ": field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for RecordError {}

impl RecordError {
    /// An error about one field of a record.
    pub fn field(file: &Path, origin: Origin, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { file: file.to_path_buf(), origin, field: Some(field.into()), message: message.into() }
    }
}
