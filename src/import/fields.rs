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

/// Deserialises `null` as the type's default, for lists and other fields that are
/// optional but not `Option` (`"orders": null` as exports write an empty one).
pub fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A short text given as a string or a number (Shopify's `order_number: 1001`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => Ok(Text(s)),
            serde_json::Value::Number(n) => Ok(Text(n.to_string())),
            other => Err(serde::de::Error::custom(format!("expected a text or a number, got {other}"))),
        }
    }
}

/// What an order holds, as one line to show: given as a string, a list of strings, or a
/// list of line items (`{"name"|"title"|"sku", "quantity"|"qty", "price"}`, as Shopify
/// and WooCommerce write them), each shown as "2 × Stand mixer" and joined with "; ".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Items(pub String);

impl<'de> Deserialize<'de> for Items {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let parts = match serde_json::Value::deserialize(d)? {
            serde_json::Value::Null => Vec::new(),
            serde_json::Value::String(s) => vec![s],
            serde_json::Value::Array(values) => values
                .into_iter()
                .enumerate()
                .map(|(i, v)| line_item(v).map_err(|e| serde::de::Error::custom(format!("item [{i}]: {e}"))))
                .collect::<Result<Vec<_>, _>>()?,
            other => return Err(serde::de::Error::custom(format!("expected a text or a list of items, got {other}"))),
        };
        let parts: Vec<String> = parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()).map(str::to_string).collect();
        Ok(Items(parts.join("; ")))
    }
}

/// A line item of its own shape, before it is shown.
#[derive(Debug, Deserialize)]
struct LineItem {
    name: Option<String>,
    title: Option<String>,
    sku: Option<String>,
    #[serde(alias = "qty")]
    quantity: Option<Quantity>,
    /// Checked as an amount so a garbled price is noticed, though only the name is shown.
    #[serde(rename = "price")]
    _price: Option<Cents>,
}

/// One element of an items list as text: a string as it is, an object as "2 × name".
fn line_item(value: serde_json::Value) -> Result<String, String> {
    let item: LineItem = match value {
        serde_json::Value::String(s) => return Ok(s),
        serde_json::Value::Null => return Ok(String::new()),
        v @ serde_json::Value::Object(_) => serde_json::from_value(v).map_err(|e| e.to_string())?,
        other => return Err(format!("expected a text or an object, got {other}")),
    };
    let name = [item.name, item.title, item.sku]
        .into_iter()
        .flatten()
        .map(|n| n.trim().to_string())
        .find(|n| !n.is_empty())
        .ok_or("has no name, title or sku")?;
    Ok(match item.quantity {
        Some(Quantity(q)) => format!("{q} × {name}"),
        None => name,
    })
}

/// How many of an item: a whole number, as a number or a string ("2"); shops that sell by
/// weight write "1.5", kept as written.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Quantity(String);

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = match serde_json::Value::deserialize(d)? {
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::String(s) => s.trim().to_string(),
            other => return Err(serde::de::Error::custom(format!("expected a quantity, got {other}"))),
        };
        if text.is_empty() || !text.chars().all(|c| c.is_ascii_digit() || c == '.') {
            return Err(serde::de::Error::custom(format!("expected a quantity like 2, got \"{text}\"")));
        }
        Ok(Quantity(text))
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

    fn items(json: &str) -> Result<String, String> {
        serde_json::from_str::<Items>(json).map(|i| i.0).map_err(|e| e.to_string())
    }

    #[test]
    fn items_come_as_text_lists_or_line_items() {
        assert_eq!(items(r#""Stand mixer""#).unwrap(), "Stand mixer");
        assert_eq!(items(r#"["Stand mixer", "Whisk"]"#).unwrap(), "Stand mixer; Whisk");
        assert_eq!(
            items(r#"[{"name": "Stand mixer", "quantity": 2, "price": "349.00"}, {"title": "Whisk", "qty": "1", "price": 4.5}]"#)
                .unwrap(),
            "2 × Stand mixer; 1 × Whisk"
        );
        assert_eq!(items(r#"[{"sku": "SM-1", "quantity": null, "price": null}]"#).unwrap(), "SM-1");
        assert_eq!(items("null").unwrap(), "");
        assert!(items(r#"[{"quantity": 2}]"#).unwrap_err().contains("no name, title or sku"));
        assert!(items(r#"[{"name": "x", "price": "abc"}]"#).is_err());
        assert!(items("12").is_err());
    }
}
