//! JSON (one array, pretty-printed) and JSON Lines (one compact object per line).

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

/// Writes `rows` as a JSON array, or one object per line when `lines` is set.
pub fn write<T: Serialize>(out: &mut dyn Write, rows: &[T], lines: bool) -> Result<()> {
    if lines {
        for row in rows {
            serde_json::to_writer(&mut *out, row)?;
            writeln!(out)?;
        }
    } else {
        serde_json::to_writer_pretty(&mut *out, rows)?;
        writeln!(out)?;
    }
    Ok(())
}
