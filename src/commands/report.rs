//! `frontline report`: the metrics of DESIGN.md section 4.

use std::fmt;
use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;

use crate::domain::time::now;
use crate::store;

/// A report in both of its shapes, which `domain::metrics` writes (the dashboard shares them).
#[derive(Serialize)]
#[serde(transparent)]
pub(super) struct Report {
    json: serde_json::Value,
    #[serde(skip)]
    table: String,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.table)
    }
}

/// `frontline report`: the metrics over whole local days or a time range; `settings`
/// carries the SLA targets and FCR window.
pub(super) fn report(
    db: &Path,
    from: Option<&str>,
    to: Option<&str>,
    settings: &crate::domain::metrics::Settings,
) -> Result<Report> {
    let today = chrono::TimeZone::timestamp_opt(&chrono::Local, now(), 0)
        .single()
        .map(|t| t.date_naive())
        .context("the system clock is out of range")?;
    let (start, end) = crate::domain::metrics::parse_window(from, to, today, &chrono::Local)?;
    let conn = store::open_workspace(db)?;
    let report = store::report::report_as_of(&conn, start, end, settings, now())?;
    Ok(Report { json: report.to_json(&chrono::Local), table: report.to_table(&chrono::Local) })
}
