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
use super::records::read_rows;
use super::{Origin, RecordError};
use crate::domain::shift::{Criterion, SELF_REVIEWER, Score, criterion_key, find_criterion};
use crate::domain::text::sanitize;
use crate::domain::time::parse_rfc3339;
use crate::domain::{Id, Timestamp};
use crate::store::{self, shift};

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
    (w.is_finite() && w > 0.0).then_some(w)
}

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
    let rows = read_rows(path)?;
    let mut summary = Summary::default();
    let mut reviews: Vec<Gathered> = Vec::new();
    let mut index: HashMap<(Id, String), usize> = HashMap::new();
    for (origin, map) in rows {
        let err = |field: &str, msg: String| RecordError::field(path, origin.clone(), field, msg);
        let row: QaRow = serde_path_to_error::deserialize(Value::Object(map)).map_err(|e| {
            let field = e.path().to_string();
            RecordError {
                file: path.to_path_buf(),
                origin: origin.clone(),
                field: (field != ".").then_some(field),
                message: e.into_inner().to_string(),
            }
        })?;
        for key in row.extra.keys() {
            let w = format!("{}: unknown column `{key}` ignored", path.display());
            if !summary.warnings.contains(&w) {
                summary.warnings.push(w);
            }
        }
        let contact = match row.contact_id {
            Some(Int(id)) if id > 0 => id,
            Some(Int(id)) => return Err(err("contact_id", format!("{id} is not a contact id")).into()),
            None => return Err(err("contact_id", "is missing".into()).into()),
        };
        let reviewer = sanitize(row.reviewer.as_deref().unwrap_or_default().trim());
        if reviewer.is_empty() {
            return Err(err("reviewer", format!("is missing (a name, or \"{SELF_REVIEWER}\")")).into());
        }
        let reviewer = if reviewer.eq_ignore_ascii_case(SELF_REVIEWER) { SELF_REVIEWER.to_string() } else { reviewer };
        let criterion_text = row.criterion.as_deref().unwrap_or_default().trim().to_string();
        let key = criterion_key(&criterion_text);
        if key.is_empty() {
            return Err(err("criterion", "is missing".into()).into());
        }
        let met = match &row.met {
            None => return Err(err("met", "is missing (yes, no or na)".into()).into()),
            Some(v) => met_value(v).ok_or_else(|| err("met", format!("{v} is not yes, no or na")))?,
        };
        let weight = match (&row.weight, find_criterion(scorecard, &key)) {
            (Some(v), _) => weight_value(v).ok_or_else(|| err("weight", format!("{v} is not a positive number")))?,
            (None, Some(c)) => c.weight,
            (None, None) => {
                let known = scorecard.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ");
                return Err(err(
                    "criterion",
                    format!("\"{criterion_text}\" is not on the scorecard ({known}); add it to [[qa.criteria]] or give a weight"),
                )
                .into());
            }
        };
        let at = match row.at.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
            None => None,
            Some(a) => Some(
                parse_rfc3339(a)
                    .ok_or_else(|| err("at", format!("\"{a}\" is not an RFC 3339 time like 2026-11-20T14:00:00Z")))?,
            ),
        };
        let slot = *index.entry((contact, reviewer.to_lowercase())).or_insert_with(|| {
            reviews.push(Gathered {
                origin: origin.clone(),
                contact,
                reviewer: reviewer.clone(),
                at: None,
                scores: Vec::new(),
            });
            reviews.len() - 1
        });
        let Some(review) = reviews.get_mut(slot) else { continue };
        if let Some((_, first)) = review.scores.iter().find(|(s, _)| s.criterion == key) {
            return Err(err(
                "criterion",
                format!("\"{key}\" is scored twice for contact {contact} by {reviewer} (first at {first})"),
            )
            .into());
        }
        review.at = review.at.or(at);
        review.scores.push((Score { criterion: key, weight, met }, origin.clone()));
    }
    store::write(conn, |tx| -> Result<()> {
        for r in &reviews {
            let exists: bool =
                tx.query_row("SELECT EXISTS(SELECT 1 FROM contacts WHERE id = ?1)", [r.contact], |row| row.get(0))?;
            if !exists {
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
                tx.execute(
                    "DELETE FROM qa_reviews WHERE contact_id = ?1 AND lower(reviewer) = lower(?2)",
                    rusqlite::params![r.contact, r.reviewer],
                )?;
                summary.replaced += 1;
            }
            let scores: Vec<Score> = r.scores.iter().map(|(s, _)| s.clone()).collect();
            shift::save_review(tx, r.contact, &r.reviewer, &scores, r.at.unwrap_or(now))?;
            summary.reviews += 1;
            summary.scores += scores.len();
        }
        Ok(())
    })?;
    Ok(summary)
}
