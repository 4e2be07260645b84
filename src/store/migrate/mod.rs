//! A small `user_version` migration runner: each step runs once, in order, in its own
//! transaction — a SQL file in `assets/migrations`, or a function when the change is to
//! the schema's text itself ([`in_list_checks`]).

mod in_list_checks;

use anyhow::{Context, Result};
use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::open::APPLICATION_ID;

/// What one migration does.
enum Step {
    Sql(&'static str),
    Rust(fn(&Transaction<'_>) -> rusqlite::Result<()>),
}
use Step::{Rust, Sql};

/// The migrations, in order; the schema version is the number applied.
const MIGRATIONS: &[(&str, Step)] = &[
    ("0001_initial", Sql(include_str!("../../../assets/migrations/0001_initial.sql"))),
    ("0002_contact_loop", Sql(include_str!("../../../assets/migrations/0002_contact_loop.sql"))),
    ("0003_customer_history", Sql(include_str!("../../../assets/migrations/0003_customer_history.sql"))),
    ("0004_knowledge", Sql(include_str!("../../../assets/migrations/0004_knowledge.sql"))),
    ("0005_intake", Sql(include_str!("../../../assets/migrations/0005_intake.sql"))),
    ("0006_shift", Sql(include_str!("../../../assets/migrations/0006_shift.sql"))),
    ("0007_reply_drafts", Sql(include_str!("../../../assets/migrations/0007_reply_drafts.sql"))),
    ("0008_kb_prefix4", Sql(include_str!("../../../assets/migrations/0008_kb_prefix4.sql"))),
    ("0009_kb_fts_hashsize", Sql(include_str!("../../../assets/migrations/0009_kb_fts_hashsize.sql"))),
    ("0010_maildir_seen", Sql(include_str!("../../../assets/migrations/0010_maildir_seen.sql"))),
    ("0011_kb_title_fts", Sql(include_str!("../../../assets/migrations/0011_kb_title_fts.sql"))),
    ("0012_contact_origins", Sql(include_str!("../../../assets/migrations/0012_contact_origins.sql"))),
    ("0013_team", Sql(include_str!("../../../assets/migrations/0013_team.sql"))),
    ("0014_escalation_reason", Sql(include_str!("../../../assets/migrations/0014_escalation_reason.sql"))),
    ("0015_kb_learning", Sql(include_str!("../../../assets/migrations/0015_kb_learning.sql"))),
    ("0016_mail_threads", Sql(include_str!("../../../assets/migrations/0016_mail_threads.sql"))),
    ("0017_promise_kept", Sql(include_str!("../../../assets/migrations/0017_promise_kept.sql"))),
    ("0018_bulletin_areas", Sql(include_str!("../../../assets/migrations/0018_bulletin_areas.sql"))),
    ("0019_in_list_checks", Rust(in_list_checks::apply)),
    ("0020_body_in_thread", Sql(include_str!("../../../assets/migrations/0020_body_in_thread.sql"))),
];

/// The schema version this build writes; a file with a higher one is refused.
pub const LATEST: i64 = MIGRATIONS.len() as i64;

/// Applies every migration the database has not seen yet.
pub fn apply(conn: &Connection) -> Result<()> {
    loop {
        // The version is read inside the write transaction so two instances opening a new
        // file at once cannot both apply the same migration.
        let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
        let current: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let Some((name, step)) = usize::try_from(current).ok().and_then(|i| MIGRATIONS.get(i)) else {
            tx.commit()?;
            return Ok(());
        };
        match step {
            Sql(sql) => tx.execute_batch(sql),
            Rust(run) => run(&tx),
        }
        .with_context(|| format!("migration {name}"))?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.pragma_update(None, "user_version", current + 1)?;
        tx.commit()?;
    }
}
