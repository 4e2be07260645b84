//! Migration 19: every `CHECK (column IN ('a', 'b', 'c'))` rule in the schema written as
//! `CHECK (column = 'a' OR column = 'b' OR column = 'c')`.
//!
//! The rules are the same; their cost is not. SQLite evaluates an `IN` list of more than
//! two constants in a CHECK by building a temporary b-tree of the list on every insert or
//! update of the row (`EXPLAIN INSERT INTO contact_events …` shows `OpenEphemeral` and one
//! `IdxInsert` per value), which was a third of the time of a million-row contacts import.
//! Comparisons in place cost next to nothing.
//!
//! Only the text of the rule changes, and every stored row already meets it, so the table
//! definitions are rewritten in `sqlite_schema` — the procedure SQLite documents for
//! changing a CHECK constraint ("Making Other Kinds Of Table Schema Changes") — instead of
//! copying million-row tables.

use rusqlite::Transaction;

/// Rewrites the CHECK rules of every table that has an `IN` list in one.
pub fn apply(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    let tables: Vec<(String, String)> = tx
        .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND sql LIKE '%CHECK%IN (%'")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    if tables.is_empty() {
        return Ok(());
    }
    let version: i64 = tx.pragma_query_value(None, "schema_version", |r| r.get(0))?;
    tx.pragma_update(None, "writable_schema", "ON")?;
    for (name, sql) in &tables {
        tx.execute(
            "UPDATE sqlite_schema SET sql = ?1 WHERE type = 'table' AND name = ?2",
            (rewrite_in_list_checks(sql), name),
        )?;
    }
    // Other connections see the new version and read the definitions again; RESET (rather
    // than OFF) makes this one reload them too.
    tx.pragma_update(None, "schema_version", version + 1)?;
    tx.pragma_update(None, "writable_schema", "RESET")?;
    Ok(())
}

/// `sql` with each `CHECK (name IN (literal, …))` written as a chain of `=` joined by
/// `OR`. Anything it does not recognise exactly is left as it was.
pub fn rewrite_in_list_checks(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 64);
    let mut rest = sql;
    while let Some(at) = rest.find("CHECK (") {
        let (before, from_check) = rest.split_at(at);
        out.push_str(before);
        match in_list_check(from_check) {
            Some((rule, used)) => {
                out.push_str(&rule);
                rest = &from_check[used..];
            }
            None => {
                out.push_str("CHECK (");
                rest = &from_check["CHECK (".len()..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Reads `CHECK (name IN (v1, v2, …))` at the start of `s`: the rewritten rule and how many
/// bytes of `s` it replaces.
fn in_list_check(s: &str) -> Option<(String, usize)> {
    let body = s.strip_prefix("CHECK (")?;
    let name_len = body.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))?;
    let (name, after_name) = body.split_at(name_len);
    let list_start = after_name.strip_prefix(" IN (")?;
    let list_len = list_start.find(')')?;
    let list = &list_start[..list_len];
    let after_list = list_start[list_len + 1..].strip_prefix(')')?;
    let values: Vec<&str> = list.split(',').map(str::trim).collect();
    // Literals only: quoted words or integers, so a comma or bracket inside a value cannot
    // be split wrongly.
    let literal = |v: &&str| {
        (v.len() >= 2 && v.starts_with('\'') && v.ends_with('\'') && !v[1..v.len() - 1].contains('\''))
            || (!v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
    };
    if name.is_empty() || !values.iter().all(literal) {
        return None;
    }
    let chain: Vec<String> = values.iter().map(|v| format!("{name} = {v}")).collect();
    let used = s.len() - after_list.len();
    Some((format!("CHECK ({})", chain.join(" OR ")), used))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn lists_become_or_chains_and_the_rest_is_kept() {
        let sql = "CREATE TABLE t (\n    kind TEXT NOT NULL CHECK (kind IN ('create', 'accept',\n                 'hold')),\n    \
                   n INTEGER CHECK (n BETWEEN 1 AND 4), f INTEGER CHECK (f IN (0, 1))) STRICT";
        assert_eq!(
            rewrite_in_list_checks(sql),
            "CREATE TABLE t (\n    kind TEXT NOT NULL CHECK (kind = 'create' OR kind = 'accept' OR kind = 'hold'),\n    \
             n INTEGER CHECK (n BETWEEN 1 AND 4), f INTEGER CHECK (f = 0 OR f = 1)) STRICT"
        );
    }

    #[test]
    fn anything_unusual_is_left_alone() {
        for sql in [
            "CHECK (kind IN (SELECT k FROM kinds))",
            "CHECK (kind IN ('a', b))",
            "CHECK (kind IN ('it''s', 'b'))",
            "CHECK (lower(kind) IN ('a', 'b'))",
            "CHECK (kind IN ('a', 'b') AND 1)",
        ] {
            assert_eq!(rewrite_in_list_checks(sql), sql);
        }
    }

    #[test]
    fn the_migrated_schema_keeps_every_rule_and_builds_no_temporary_tree() {
        let conn = crate::store::open_in_memory().unwrap();
        let plan: Vec<String> = conn
            .prepare("EXPLAIN INSERT INTO contact_events(contact_id, at, kind) VALUES (1, 0, 'create')")
            .unwrap()
            .query_map([], |r| r.get::<_, String>(1))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert!(!plan.iter().any(|op| op == "OpenEphemeral"), "{plan:?}");
        let left: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND sql LIKE '%CHECK%IN (%'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(left, 0);
        // The rules still refuse what they refused.
        conn.execute("INSERT INTO customers(name, created_at) VALUES ('a', 0)", []).unwrap();
        conn.execute("INSERT INTO contacts(customer_id, channel, subject, status, created_at) VALUES (1, 'phone', 's', 'waiting', 0)", [])
            .unwrap();
        for bad in [
            "INSERT INTO contact_events(contact_id, at, kind) VALUES (1, 0, 'teleport')",
            "INSERT INTO contacts(customer_id, channel, subject, status, created_at) VALUES (1, 'fax', 's', 'waiting', 0)",
            "INSERT INTO contacts(customer_id, channel, subject, status, created_at) VALUES (1, 'phone', 's', 'lost', 0)",
            "INSERT INTO identities(customer_id, kind, value, normalized) VALUES (1, 'fax', 'x', 'x')",
        ] {
            let e = conn.execute(bad, []).unwrap_err();
            assert!(e.to_string().contains("CHECK"), "{bad}: {e}");
        }
        assert_eq!(crate::store::integrity_check(&conn).unwrap(), "ok");
    }
}
