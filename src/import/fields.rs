//! Lenient field types shared by the CSV and JSON importers: numbers may come as strings,
//! lists as `;`-separated strings, amounts as decimal strings or numbers.

use serde::{Deserialize, Deserializer};

/// A whole number given as a number or a numeric string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Int(pub i64);

impl<'de> Deserialize<'de> for Int {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::Number(n) => {
                n.as_i64().map(Int).ok_or_else(|| serde::de::Error::custom(format!("expected a whole number, got {n}")))
            }
            serde_json::Value::String(s) => s
                .trim()
                .parse()
                .map(Int)
                .map_err(|_| serde::de::Error::custom(format!("expected a whole number, got \"{s}\""))),
            other => Err(serde::de::Error::custom(format!("expected a whole number, got {other}"))),
        }
    }
}

/// A list given as a JSON array of strings or one `;`-separated string.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct List(pub Vec<String>);

impl<'de> Deserialize<'de> for List {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let items = match serde_json::Value::deserialize(d)? {
            serde_json::Value::Array(values) => values
                .into_iter()
                .map(|v| match v {
                    serde_json::Value::String(s) => Ok(s),
                    other => Err(serde::de::Error::custom(format!("expected a list of strings, found {other}"))),
                })
                .collect::<Result<Vec<_>, _>>()?,
            serde_json::Value::String(s) => s.split(';').map(str::to_string).collect(),
            serde_json::Value::Null => Vec::new(),
            other => return Err(serde::de::Error::custom(format!("expected a list, got {other}"))),
        };
        Ok(List(items.into_iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()))
    }
}

/// A money amount in cents, given as a decimal string ("129.95") or a number (129.95).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cents(pub i64);

impl<'de> Deserialize<'de> for Cents {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = match serde_json::Value::deserialize(d)? {
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::String(s) => s,
            other => return Err(serde::de::Error::custom(format!("expected an amount, got {other}"))),
        };
        parse_cents(&text)
            .map(Cents)
            .ok_or_else(|| serde::de::Error::custom(format!("expected an amount like 12.34, got \"{text}\"")))
    }
}

/// Parses "12", "12.3", "-12.34" or "1,234.50" exactly into cents (no floating point).
pub fn parse_cents(text: &str) -> Option<i64> {
    let t = text.trim().replace(',', "");
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, t),
    };
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if whole.is_empty() && frac.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 2
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let frac: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().ok()? * 10,
        _ => frac.parse().ok()?,
    };
    let cents = whole.checked_mul(100)?.checked_add(frac)?;
    Some(if negative { -cents } else { cents })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_exactly() {
        assert_eq!(parse_cents("129.95"), Some(12_995));
        assert_eq!(parse_cents("40"), Some(4000));
        assert_eq!(parse_cents("0.5"), Some(50));
        assert_eq!(parse_cents("-12.30"), Some(-1230));
        assert_eq!(parse_cents("1,234.56"), Some(123_456));
        assert_eq!(parse_cents("12.345"), None);
        assert_eq!(parse_cents("abc"), None);
        assert_eq!(parse_cents(""), None);
    }
}
