//! QA scores from a supervisor: `.csv` with `contact_id,reviewer,criterion,met` (met = yes,
//! no or na; optional `weight` and `at` columns) or a `.json` array of objects with the same
//! fields. Rows of one contact and reviewer form one review, which replaces that reviewer's
//! earlier review of the contact. Criteria come from the configured scorecard (a `weight`
//! column may score others). Every row is checked first; all or nothing.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use anyhow::Result;
use rusqlite::Connection;
use serde::Deserialize;
use serde_json::Value;

use super::fields::Int;
use super::records::{read_rows, typed, warn_unknown};
use super::{Origin, RecordError};
use crate::domain::shift::{Criterion, SELF_REVIEWER, Score, criterion_key, find_criterion};
use crate::domain::text::sanitize;
use crate::domain::time::parse_rfc3339;
use crate::domain::{Id, Timestamp};
use crate::store::{self, import_writes, shift};

/// What a QA import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Reviews written.
    pub reviews: usize,
    /// Of those, how many replaced an earlier review by the same reviewer.
    pub replaced: usize,
    /// Scores written.
    pub scores: usize,
    pub warnings: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct QaRow {
    contact_id: Option<Int>,
    reviewer: Option<String>,
    criterion: Option<String>,
    /// `None` when the field is absent; JSON `null` is `Some(Null)` (not applicable).
    #[serde(default, deserialize_with = "present")]
    met: Option<Value>,
    weight: Option<Value>,
    at: Option<String>,
    #[serde(flatten)]
    extra: BTreeMap<String, Value>,
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// Reads `yes`/`no`/`na` (and `y`, `true`, `1`, `met`, `pass` / `n`, `false`, `0`,
/// `missed`, `fail` / `n/a`, `not applicable`, `-`, JSON `null`).
fn met_value(v: &Value) -> Option<Option<bool>> {
    match v {
        Value::Bool(b) => Some(Some(*b)),
        Value::Null => Some(None),
        Value::Number(n) => match n.as_i64() {
            Some(1) => Some(Some(true)),
            Some(0) => Some(Some(false)),
            _ => None,
        },
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "yes" | "y" | "true" | "1" | "met" | "pass" => Some(Some(true)),
            "no" | "n" | "false" | "0" | "missed" | "fail" => Some(Some(false)),
            "na" | "n/a" | "n.a." | "not applicable" | "not_applicable" | "-" => Some(None),
            _ => None,
        },
        _ => None,
    }
}

fn weight_value(v: &Value) -> Option<f64> {
    let w = match v {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    (w > 0.0 && w <= MAX_WEIGHT).then_some(w)
}

/// The largest weight a criterion can have: weights are shares of a score, and a sum of
/// weights near `f64::MAX` (`1e308`) became infinite and the report's QA score `NaN%`.
const MAX_WEIGHT: f64 = 1_000_000.0;

/// One review gathered from its rows.
struct Gathered {
    origin: Origin,
    contact: Id,
    reviewer: String,
    at: Option<Timestamp>,
    /// criterion key → (score, where it came from).
    scores: Vec<(Score, Origin)>,
}

/// Imports QA reviews from `path`, scoring against `scorecard`. All or nothing.
pub fn import_qa(conn: &mut Connection, path: &Path, scorecard: &[Criterion], now: Timestamp) -> Result<Summary> {
    let rows = read_rows(path, crate::import::regular_file::SMALL_FILE_BYTES)?;
    let mut summary = Summary::default();
    let mut reviews: Vec<Gathered> = Vec::new();
    let mut index: HashMap<(Id, String), usize> = HashMap::new();
    for (origin, map) in rows {
        let row: QaRow = typed(path, &origin, map)?;
        warn_unknown(path, &row.extra, "column", &mut summary.warnings);
        let checked = check_row(path, &origin, row, scorecard)?;
        gather(path, &mut reviews, &mut index, origin, checked)?;
    }
    store::write(conn, |tx| write_reviews(tx, path, &reviews, now, &mut summary))?;
    Ok(summary)
}

/// One row that passed its checks.
struct CheckedRow {
    contact: Id,
    reviewer: String,
    score: Score,
    at: Option<Timestamp>,
}

fn check_row(path: &Path, origin: &Origin, row: QaRow, scorecard: &[Criterion]) -> Result<CheckedRow, RecordError> {
    let err = |field: &str, msg: String| RecordError::field(path, origin.clone(), field, msg);
    let contact = match row.contact_id {
        Some(Int(id)) if id > 0 => id,
        Some(Int(id)) => return Err(err("contact_id", format!("{id} is not a contact id"))),
        None => return Err(err("contact_id", "is missing".into())),
    };
    let reviewer = sanitize(row.reviewer.as_deref().unwrap_or_default().trim());
    if reviewer.is_empty() {
        return Err(err("reviewer", format!("is missing (a name, or \"{SELF_REVIEWER}\")")));
    }
    let reviewer = if reviewer.eq_ignore_ascii_case(SELF_REVIEWER) { SELF_REVIEWER.to_string() } else { reviewer };
    let criterion_text = row.criterion.as_deref().unwrap_or_default().trim().to_string();
    let key = criterion_key(&criterion_text);
    if key.is_empty() {
        return Err(err("criterion", "is missing".into()));
    }
    let met = match &row.met {
        None => return Err(err("met", "is missing (yes, no or na)".into())),
        Some(v) => met_value(v).ok_or_else(|| err("met", format!("{v} is not yes, no or na")))?,
    };
    let weight = match (&row.weight, find_criterion(scorecard, &key)) {
        (Some(v), _) => {
            weight_value(v).ok_or_else(|| err("weight", format!("{v} is not a positive number up to {MAX_WEIGHT}")))?
        }
        (None, Some(c)) => c.weight,
        (None, None) => {
            let known = scorecard.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ");
            return Err(err(
                "criterion",
                format!(
                    "\"{criterion_text}\" is not on the scorecard ({known}); add it to [[qa.criteria]] or give a weight"
                ),
            ));
        }
    };
    let at = match row.at.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        None => None,
        Some(a) => Some(
            parse_rfc3339(a)
                .ok_or_else(|| err("at", format!("\"{a}\" is not an RFC 3339 time like 2026-11-20T14:00:00Z")))?,
        ),
    };
    Ok(CheckedRow { contact, reviewer, score: Score { criterion: key, weight, met }, at })
}

/// Adds a checked row to the review of its contact and reviewer, refusing a criterion
/// scored twice in one review.
fn gather(
    path: &Path,
    reviews: &mut Vec<Gathered>,
    index: &mut HashMap<(Id, String), usize>,
    origin: Origin,
    row: CheckedRow,
) -> Result<(), RecordError> {
    let slot = *index.entry((row.contact, row.reviewer.to_lowercase())).or_insert_with(|| {
        reviews.push(Gathered {
            origin: origin.clone(),
            contact: row.contact,
            reviewer: row.reviewer.clone(),
            at: None,
            scores: Vec::new(),
        });
        reviews.len() - 1
    });
    let Some(review) = reviews.get_mut(slot) else { return Ok(()) };
    if let Some((_, first)) = review.scores.iter().find(|(s, _)| s.criterion == row.score.criterion) {
        return Err(RecordError::field(
            path,
            origin,
            "criterion",
            format!(
                "\"{}\" is scored twice for contact {} by {} (first at {first})",
                row.score.criterion, row.contact, row.reviewer
            ),
        ));
    }
    review.at = review.at.or(row.at);
    review.scores.push((row.score, origin));
    Ok(())
}

/// Writes the gathered reviews, each replacing its reviewer's earlier one of the contact.
fn write_reviews(
    tx: &Connection,
    path: &Path,
    reviews: &[Gathered],
    now: Timestamp,
    summary: &mut Summary,
) -> Result<()> {
    for r in reviews {
        if !import_writes::contact_exists(tx, r.contact)? {
            return Err(RecordError::field(
                path,
                r.origin.clone(),
                "contact_id",
                format!("there is no contact #{}", r.contact),
            )
            .into());
        }
        let before = shift::reviews_of(tx, r.contact)?.iter().any(|x| x.reviewer.eq_ignore_ascii_case(&r.reviewer));
        if before {
            // Same reviewer in another case: drop it so the new one replaces it.
            import_writes::delete_reviews_by(tx, r.contact, &r.reviewer)?;
            summary.replaced += 1;
        }
        let scores: Vec<Score> = r.scores.iter().map(|(s, _)| s.clone()).collect();
        shift::save_review(tx, r.contact, &r.reviewer, &scores, r.at.unwrap_or(now))?;
        summary.reviews += 1;
        summary.scores += scores.len();
    }
    Ok(())
}
