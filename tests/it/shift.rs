//! The rep's shift: adherence on hand-built schedules and state logs (every expected number
//! is worked out in the comment next to it), the QA scorecard, schedule and QA imports, the
//! breather trigger, the status log, and `frontline report` / `status` / `schedule` / `kudos`
//! end to end.

use std::path::{Path, PathBuf};

use chrono::Utc;
use frontline::domain::shift::{self, Activity, Activity::*, Block, Criterion, RepState, RepState as S, Review, Score};
use frontline::domain::{Channel, ContactStatus, Timestamp};
use frontline::store::{self, contacts, shift as store_shift};

use crate::common;

use common::{frontline, stdout_of};

/// One minute, the unit of the definition.
const M: i64 = 60;

fn close(actual: Option<f64>, expected: f64) {
    let a = actual.unwrap_or_else(|| panic!("expected {expected}, got None"));
    assert!((a - expected).abs() < 1e-9, "expected {expected}, got {a}");
}

/// A morning: work 0–60 min, break 60–75, work 75–120.
fn morning() -> Vec<Block> {
    vec![(0, 60 * M, Work), (60 * M, 75 * M, Break), (75 * M, 120 * M, Work)]
}

// ---------------------------------------------------------------- adherence, pure

#[test]
fn a_status_change_exactly_on_the_block_boundary_is_full_adherence() {
    // Available at 0, break at exactly 60, available at exactly 75: every scheduled second
    // matches → 120 of 120 min = 100 %.
    let log = [(0, S::Available), (60 * M, S::Break), (75 * M, S::Available)];
    assert_eq!(shift::adherence_seconds(&morning(), &log, 0, 120 * M), (120 * M, 120 * M));
    close(shift::adherence(&morning(), &log, 0, 120 * M), 100.0);
    // The same changes one second late: the break loses its first second (still available)
    // and the second work block its first second (still on break): 7200 − 2 = 7198 of 7200.
    let late = [(0, S::Available), (60 * M + 1, S::Break), (75 * M + 1, S::Available)];
    assert_eq!(shift::adherence_seconds(&morning(), &late, 0, 120 * M), (7200, 7198));
    close(shift::adherence(&morning(), &late, 0, 120 * M), 100.0 * 7198.0 / 7200.0);
}

#[test]
fn partial_overlaps_of_states_and_blocks() {
    // Work 0–60, meeting 60–90. Log: available 10, meeting 50, available 75.
    // Work: 0–10 offline (before the first entry) ✗, 10–50 available ✓ 40, 50–60 meeting ✗.
    // Meeting: 60–75 meeting ✓ 15, 75–90 available ✗. Matched 55 of 90 → 61.11… %.
    let blocks = [(0, 60 * M, Work), (60 * M, 90 * M, Meeting)];
    let log = [(10 * M, S::Available), (50 * M, S::Meeting), (75 * M, S::Available)];
    assert_eq!(shift::adherence_seconds(&blocks, &log, 0, 90 * M), (90 * M, 55 * M));
    close(shift::adherence(&blocks, &log, 0, 90 * M), 100.0 * 55.0 / 90.0);
}

#[test]
fn a_log_that_starts_mid_block_counts_the_time_before_as_offline() {
    // Work 0–60; the first entry is available at 30: 0–30 offline ✗, 30–60 ✓ → 50 %.
    let log = [(30 * M, S::Available)];
    close(shift::adherence(&[(0, 60 * M, Work)], &log, 0, 60 * M), 50.0);
    // With no log at all the whole block is offline: 0 %, not "no data".
    close(shift::adherence(&[(0, 60 * M, Work)], &[], 0, 60 * M), 0.0);
}

#[test]
fn offline_gaps_and_every_work_state() {
    // Work 0–120. Available 0–30 ✓ 30, offline 30–45 ✗, on contact 45–60 ✓ 15,
    // after-contact work 60–70 ✓ 10, offline 70–80 ✗, available 80–120 ✓ 40.
    // Matched 95 of 120 → 79.166… %.
    let log = [
        (0, S::Available),
        (30 * M, S::Offline),
        (45 * M, S::OnContact),
        (60 * M, S::AfterContactWork),
        (70 * M, S::Offline),
        (80 * M, S::Available),
    ];
    assert_eq!(shift::adherence_seconds(&[(0, 120 * M, Work)], &log, 0, 120 * M), (120 * M, 95 * M));
    close(shift::adherence(&[(0, 120 * M, Work)], &log, 0, 120 * M), 100.0 * 95.0 / 120.0);
}

#[test]
fn a_break_taken_late_costs_twice() {
    // Break scheduled 60–75, taken 70–85. Work 0–60 ✓ 60. Break: 60–70 available ✗,
    // 70–75 break ✓ 5. Work 75–120: 75–85 still on break ✗, 85–120 ✓ 35.
    // Matched 100 of 120 → 83.33… %.
    let log = [(0, S::Available), (70 * M, S::Break), (85 * M, S::Available)];
    assert_eq!(shift::adherence_seconds(&morning(), &log, 0, 120 * M), (120 * M, 100 * M));
    close(shift::adherence(&morning(), &log, 0, 120 * M), 100.0 * 100.0 / 120.0);
    // Lunch taken in the break slot does not match a break.
    let lunch = [(0, S::Available), (60 * M, S::Lunch), (75 * M, S::Available)];
    close(shift::adherence(&morning(), &lunch, 0, 120 * M), 100.0 * 105.0 / 120.0);
}

#[test]
fn blocks_are_clipped_to_the_window() {
    // The late break of the test above, over the window 65–100 only: scheduled = break
    // 65–75 (10) + work 75–100 (25) = 35. Matched: break 70–75 ✓ 5 (65–70 still available ✗);
    // work 85–100 ✓ 15 (75–85 on break ✗) → 20 of 35 = 57.142… %.
    let log = [(0, S::Available), (70 * M, S::Break), (85 * M, S::Available)];
    assert_eq!(shift::adherence_seconds(&morning(), &log, 65 * M, 100 * M), (35 * M, 20 * M));
    close(shift::adherence(&morning(), &log, 65 * M, 100 * M), 100.0 * 20.0 / 35.0);
    // A window with no scheduled time: no data.
    assert_eq!(shift::adherence(&morning(), &log, 120 * M, 200 * M), None);
}

#[test]
fn seconds_give_the_minute_figure_on_minute_boundaries_and_split_partial_minutes() {
    // Work 0–2 min. Break logged at 1:30: minute 1 is all available, minute 2 half → 90 of
    // 120 s = 75 % (a per-minute count would have to round minute 2 one way or the other).
    let log = [(0, S::Available), (90, S::Break)];
    close(shift::adherence(&[(0, 2 * M, Work)], &log, 0, 2 * M), 75.0);
    // On a minute boundary seconds and minutes agree: change at 1:00 → 1 of 2 min = 50 %.
    let log = [(0, S::Available), (M, S::Break)];
    close(shift::adherence(&[(0, 2 * M, Work)], &log, 0, 2 * M), 50.0);
}

#[test]
fn the_next_block_announces_changes_only() {
    // Work 0–60 and 60–120 back to back, break 120–135, work 135–240.
    let blocks = [(0, 60 * M, Work), (60 * M, 120 * M, Work), (120 * M, 135 * M, Break), (135 * M, 240 * M, Work)];
    // At 116 min: "break in 4 min".
    assert_eq!(shift::next_block(&blocks, 116 * M), Some((Break, 120 * M)));
    assert_eq!(shift::current_block(&blocks, 116 * M), Some((Work, 120 * M)));
    assert_eq!(shift::next_block(&blocks, 130 * M), Some((Work, 135 * M)));
    assert_eq!(shift::next_block(&blocks, 200 * M), None);
}

// ---------------------------------------------------------------- QA, pure

fn review(id: i64, contact: i64, reviewer: &str, scores: &[(&str, f64, Option<bool>)]) -> Review {
    Review {
        id,
        contact_id: Some(contact),
        reviewer: reviewer.into(),
        at: 0,
        scores: scores.iter().map(|&(c, weight, met)| Score { criterion: c.into(), weight, met }).collect(),
    }
}

#[test]
fn the_scorecard_weights_criteria_and_leaves_not_applicable_out() {
    // Default weights: greeting 1, identity 2, empathy 1, accurate 3, documentation 1,
    // closing 1. Contact 1: identity missed, empathy not applicable, the rest met →
    // applicable 1+2+3+1+1 = 8, met 6 → 75 %.
    let a = review(
        1,
        1,
        "Dana",
        &[
            ("greeting", 1.0, Some(true)),
            ("identity_verified", 2.0, Some(false)),
            ("empathy", 1.0, None),
            ("accurate_answer", 3.0, Some(true)),
            ("documentation", 1.0, Some(true)),
            ("closing", 1.0, Some(true)),
        ],
    );
    close(a.percent(), 75.0);
    // Contact 2: accurate (3) and documentation (1) missed of 1+2+3+1 = 7 → 3/7 = 42.857… %.
    let b = review(
        2,
        2,
        "self",
        &[
            ("greeting", 1.0, Some(true)),
            ("identity_verified", 2.0, Some(true)),
            ("accurate_answer", 3.0, Some(false)),
            ("documentation", 1.0, Some(false)),
        ],
    );
    close(b.percent(), 300.0 / 7.0);
    // QA % is the mean over contacts, not over weights: (75 + 42.857…) / 2.
    close(shift::qa_percent(&[a.clone(), b.clone()]), (75.0 + 300.0 / 7.0) / 2.0);
    // Missing the heaviest criterion hurts most: only accurate answer missed → 6/9.
    let c = review(
        3,
        3,
        "Dana",
        &[
            ("greeting", 1.0, Some(true)),
            ("accurate_answer", 3.0, Some(false)),
            ("empathy", 1.0, Some(true)),
            ("identity_verified", 2.0, Some(true)),
            ("documentation", 1.0, Some(true)),
            ("closing", 1.0, Some(true)),
        ],
    );
    close(c.percent(), 600.0 / 9.0);
    // An all-n/a review is left out, not counted as 0 or 100.
    let d = review(4, 4, "Dana", &[("empathy", 1.0, None)]);
    close(shift::qa_percent(&[a.clone(), d]), 75.0);
    // Most missed: one miss each, by name.
    assert_eq!(
        shift::most_missed(&[a, b, c]),
        vec![
            ("accurate_answer".to_string(), 2),
            ("documentation".to_string(), 1),
            ("identity_verified".to_string(), 1)
        ]
    );
}

#[test]
fn a_supervisor_review_supersedes_the_self_review_of_the_same_contact() {
    // Contact 1: Dana 50 %, self 100 % → Dana's counts. Contact 2: only self, 100 %.
    // Mean (50 + 100) / 2 = 75. Self's misses on contact 1 would not count either.
    let dana = review(1, 1, "Dana", &[("greeting", 1.0, Some(true)), ("closing", 1.0, Some(false))]);
    let own = review(2, 1, "self", &[("greeting", 1.0, Some(true)), ("closing", 1.0, Some(true))]);
    let other = review(3, 2, "Self", &[("greeting", 1.0, Some(true))]);
    close(shift::qa_percent(&[dana.clone(), own, other]), 75.0);
    // Two supervisors on one contact are averaged: 50 and 100 → 75 for that contact.
    let lee = review(4, 1, "Lee", &[("greeting", 1.0, Some(true))]);
    close(shift::qa_percent(&[dana, lee]), 75.0);
}

#[test]
fn breather_trigger() {
    // A difficult contact → due at once, whatever the count.
    assert!(shift::breather_due(0, true, 10));
    // N contacts without a break → due at N, not before.
    assert!(!shift::breather_due(9, false, 10));
    assert!(shift::breather_due(10, false, 10));
    // Threshold 0 turns the count off.
    assert!(!shift::breather_due(99, false, 0));
}

// ---------------------------------------------------------------- store

const T: Timestamp = 1_795_176_000; // 2026-11-20T12:00:00Z

fn ended_contact(conn: &rusqlite::Connection, accepted: Timestamp, ended: Timestamp) -> i64 {
    let mut c = contacts::NewContact::waiting(Channel::Phone, "Question", accepted - 30);
    c.status = ContactStatus::Resolved;
    c.accepted_at = Some(accepted);
    c.ended_at = Some(ended);
    contacts::insert(conn, &c).unwrap()
}

#[test]
fn status_is_logged_and_time_in_state_survives_repeats() {
    let conn = store::open_in_memory().unwrap();
    assert_eq!(store_shift::current_status(&conn).unwrap(), None);
    assert!(store_shift::set_status(&conn, S::Available, store_shift::Source::Tui, T).unwrap());
    // Logging the same state again changes nothing: still available since T.
    assert!(!store_shift::set_status(&conn, S::Available, store_shift::Source::Cli, T + 60).unwrap());
    assert_eq!(store_shift::current_status(&conn).unwrap(), Some((S::Available, T)));
    let v = store_shift::status_version(&conn).unwrap();
    store_shift::set_status(&conn, S::Break, store_shift::Source::Cli, T + 600).unwrap();
    assert_ne!(store_shift::status_version(&conn).unwrap(), v);
    assert_eq!(store_shift::current_status(&conn).unwrap(), Some((S::Break, T + 600)));
    // The log over a window starts with the entry in effect at its start.
    let log = store_shift::status_log(&conn, T + 300, T + 3600).unwrap();
    assert_eq!(log, vec![(T, S::Available), (T + 600, S::Break)]);
}

#[test]
fn stored_adherence_uses_the_state_from_before_the_window() {
    let conn = store::open_in_memory().unwrap();
    // Available since 30 min before the block; break 30 min into it → 30 of 60 = 50 %.
    store_shift::set_status(&conn, S::Available, store_shift::Source::Tui, T - 30 * M).unwrap();
    store_shift::set_status(&conn, S::Break, store_shift::Source::Tui, T + 30 * M).unwrap();
    store_shift::add_block(&conn, T, T + 60 * M, Work).unwrap().unwrap();
    close(store_shift::adherence(&conn, T, T + 60 * M).unwrap(), 50.0);
    assert_eq!(store_shift::adherence(&conn, T + 60 * M, T + 120 * M).unwrap(), None);
}

#[test]
fn add_block_refuses_overlaps_and_backwards_blocks() {
    let conn = store::open_in_memory().unwrap();
    let id = store_shift::add_block(&conn, T, T + 3600, Work).unwrap().unwrap();
    let refused = store_shift::add_block(&conn, T + 1800, T + 2700, Break).unwrap().unwrap_err();
    assert!(matches!(&refused, store_shift::BlockRefused::Overlaps(b) if b.id == id), "{refused:?}");
    assert!(refused.to_string().starts_with("it overlaps the work block"), "{refused}");
    assert_eq!(
        store_shift::add_block(&conn, T + 7200, T + 7200, Break).unwrap(),
        Err(store_shift::BlockRefused::EndNotAfterStart)
    );
    // Touching is not overlapping.
    assert!(store_shift::add_block(&conn, T + 3600, T + 4500, Break).unwrap().is_ok());
    assert!(store_shift::remove_block(&conn, id).unwrap());
    assert_eq!(store_shift::schedule(&conn, T, T + 86_400).unwrap().len(), 1);
}

#[test]
fn the_breather_comes_after_a_difficult_contact_or_n_contacts_and_a_break_resets_the_count() {
    let conn = store::open_in_memory().unwrap();
    let threshold = 3;
    // Start of shift: offline, then available.
    store_shift::set_status(&conn, S::Offline, store_shift::Source::Tui, T - 60).unwrap();
    store_shift::set_status(&conn, S::Available, store_shift::Source::Tui, T).unwrap();
    ended_contact(&conn, T + 5 * M, T + 10 * M);
    ended_contact(&conn, T + 15 * M, T + 20 * M);
    // Two contacts: not yet.
    assert_eq!(store_shift::contacts_since_break(&conn, T + 21 * M).unwrap(), 2);
    assert!(!store_shift::breather_due(&conn, T + 21 * M, threshold).unwrap());
    // The third: due.
    ended_contact(&conn, T + 25 * M, T + 30 * M);
    assert_eq!(store_shift::contacts_since_break(&conn, T + 31 * M).unwrap(), 3);
    assert!(store_shift::breather_due(&conn, T + 31 * M, threshold).unwrap());
    // A contact closed from the queue without being worked does not count.
    let mut closed = contacts::NewContact::waiting(Channel::Email, "Spam", T + 32 * M);
    closed.status = ContactStatus::Resolved;
    closed.ended_at = Some(T + 33 * M);
    contacts::insert(&conn, &closed).unwrap();
    assert_eq!(store_shift::contacts_since_break(&conn, T + 34 * M).unwrap(), 3);
    // A break resets the count.
    store_shift::set_status(&conn, S::Break, store_shift::Source::Tui, T + 35 * M).unwrap();
    store_shift::set_status(&conn, S::Available, store_shift::Source::Tui, T + 50 * M).unwrap();
    assert_eq!(store_shift::contacts_since_break(&conn, T + 51 * M).unwrap(), 0);
    assert!(!store_shift::breather_due(&conn, T + 51 * M, threshold).unwrap());
    // One difficult contact: due at once.
    let hard = ended_contact(&conn, T + 55 * M, T + 60 * M);
    assert!(store_shift::set_difficult(&conn, hard, true).unwrap());
    assert!(store_shift::last_contact_difficult(&conn, T + 61 * M).unwrap());
    assert!(store_shift::breather_due(&conn, T + 61 * M, threshold).unwrap());
    // Dismissed; the next contact is fine → not due (2 contacts since the break).
    ended_contact(&conn, T + 65 * M, T + 70 * M);
    assert!(!store_shift::breather_due(&conn, T + 71 * M, threshold).unwrap());
    // Lunch resets too, and the difficult one is behind it.
    store_shift::set_status(&conn, S::Lunch, store_shift::Source::Tui, T + 80 * M).unwrap();
    assert_eq!(store_shift::contacts_since_break(&conn, T + 81 * M).unwrap(), 0);
    assert!(!store_shift::set_difficult(&conn, 9999, true).unwrap());
}

#[test]
fn kudos_are_kept_masked_and_linked_to_the_customer() {
    let conn = store::open_in_memory().unwrap();
    let customer =
        frontline::store::customers::find_or_create_by_identity(&conn, "ana@example.com", T).unwrap().unwrap();
    let mut c = contacts::NewContact::waiting(Channel::Chat, "Thanks", T);
    c.customer_id = Some(customer);
    let contact = contacts::insert(&conn, &c).unwrap();
    store_shift::add_kudos(&conn, Some(contact), None, "You saved my trip! Card 4111 1111 1111 1111", T + 10)
        .unwrap()
        .unwrap();
    store_shift::add_kudos(&conn, None, None, "Great service", T + 20).unwrap().unwrap();
    assert_eq!(store_shift::add_kudos(&conn, None, None, "   ", T).unwrap(), None);
    let all = store_shift::kudos(&conn).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].text, "Great service");
    assert_eq!(all[1].customer_id, Some(customer));
    assert!(!all[1].text.contains("4111 1111 1111 1111"), "{}", all[1].text);
}

#[test]
fn a_self_review_is_saved_and_replaced() {
    let conn = store::open_in_memory().unwrap();
    let contact = ended_contact(&conn, T, T + 600);
    let card: Vec<Criterion> = shift::default_scorecard();
    let scores: Vec<Score> =
        card.iter().map(|c| Score { criterion: c.name.clone(), weight: c.weight, met: Some(true) }).collect();
    store_shift::save_review(&conn, contact, shift::SELF_REVIEWER, &scores, T + 700).unwrap();
    let mut fewer = scores.clone();
    fewer[0].met = Some(false);
    fewer.truncate(2);
    store_shift::save_review(&conn, contact, shift::SELF_REVIEWER, &fewer, T + 800).unwrap();
    let reviews = store_shift::reviews_of(&conn, contact).unwrap();
    assert_eq!(reviews.len(), 1);
    // greeting (1) missed, identity (2) met → 2 of 3.
    close(reviews[0].percent(), 200.0 / 3.0);
    assert_eq!(store_shift::recent_reviews(&conn, 5).unwrap().len(), 1);
}

// ---------------------------------------------------------------- schedule import

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn import(conn: &mut rusqlite::Connection, path: &Path) -> anyhow::Result<store_shift::Summary> {
    frontline::import::schedule::import_schedule_bytes(conn, path, &std::fs::read(path).unwrap(), &Utc)
}

fn ts(s: &str) -> Timestamp {
    frontline::domain::time::parse_rfc3339(s).unwrap()
}

#[test]
fn a_csv_schedule_imports_and_replaces_what_it_covers() {
    let mut conn = store::open_in_memory().unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/shift/schedule.csv");
    // An old block inside the file's span is replaced; one on another day is kept.
    store_shift::add_block(&conn, ts("2026-11-20T09:30:00Z"), ts("2026-11-20T09:45:00Z"), Meeting).unwrap().unwrap();
    store_shift::add_block(&conn, ts("2026-11-21T09:00:00Z"), ts("2026-11-21T10:00:00Z"), Work).unwrap().unwrap();
    let s = import(&mut conn, &path).unwrap();
    assert_eq!((s.added, s.replaced), (3, 1));
    let day = store_shift::schedule(&conn, ts("2026-11-20T00:00:00Z"), ts("2026-11-21T00:00:00Z")).unwrap();
    let got: Vec<(Timestamp, Timestamp, Activity)> = day.iter().map(|b| b.block()).collect();
    assert_eq!(
        got,
        vec![
            (ts("2026-11-20T09:00:00Z"), ts("2026-11-20T10:00:00Z"), Work),
            (ts("2026-11-20T10:00:00Z"), ts("2026-11-20T10:15:00Z"), Break),
            (ts("2026-11-20T10:15:00Z"), ts("2026-11-20T12:00:00Z"), Work),
        ]
    );
    // Importing it again is harmless.
    let s = import(&mut conn, &path).unwrap();
    assert_eq!((s.added, s.replaced), (3, 3));
    assert_eq!(store_shift::schedule(&conn, 0, i64::MAX).unwrap().len(), 4);
}

#[test]
fn bad_schedule_rows_are_named_by_line_and_nothing_is_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = store::open_in_memory().unwrap();
    store_shift::add_block(&conn, ts("2026-11-20T08:00:00Z"), ts("2026-11-20T08:30:00Z"), Meeting).unwrap().unwrap();
    let header = "start,end,activity\n";
    let good = "2026-11-20 08:00,2026-11-20 09:00,work\n";
    let cases = [
        (
            "time.csv",
            format!("{header}{good}2026-11-20 9am,2026-11-20 10:00,work\n"),
            "time.csv: line 3: field `start`: \"2026-11-20 9am\" is not a time like 2026-11-20 09:00 (local) or 2026-11-20T09:00:00Z",
        ),
        (
            "backwards.csv",
            format!("{header}2026-11-20 10:00,2026-11-20 09:00,work\n{good}"),
            "backwards.csv: line 2: field `end`: is not after start",
        ),
        (
            "activity.csv",
            format!("{header}{good}2026-11-20 09:00,2026-11-20 09:15,nap\n"),
            "activity.csv: line 3: field `activity`: \"nap\" is not one of work, break, lunch, training, meeting",
        ),
        (
            "overlap.csv",
            format!(
                "{header}2026-11-20 09:00,2026-11-20 10:00,work\n2026-11-20 10:00,2026-11-20 10:15,break\n2026-11-20 09:30,2026-11-20 09:45,break\n"
            ),
            "overlap.csv: line 4: this break block overlaps the work block on line 2",
        ),
        ("empty.csv", header.to_string(), "empty.csv: no schedule blocks found"),
        (
            "header.csv",
            "from,to,what\n".to_string(),
            "header.csv: line 1: the header must name the columns start, end and activity",
        ),
        (
            "long.csv",
            format!("{header}2026-11-20 09:00,2026-11-21 10:00,work\n"),
            "long.csv: line 2: field `end`: is more than 24 hours after the start; is the date right?",
        ),
    ];
    for (name, text, expected) in cases {
        let path = write(dir.path(), name, &text);
        let err = import(&mut conn, &path).unwrap_err().to_string();
        assert_eq!(err, format!("{}/{expected}", dir.path().display()), "{name}");
        // Nothing loaded, nothing replaced: the one block from before is still alone.
        let all = store_shift::schedule(&conn, 0, i64::MAX).unwrap();
        assert_eq!(all.len(), 1, "{name}");
        assert_eq!(all[0].activity, Meeting, "{name}");
    }
}

#[test]
fn a_realistic_calendar_imports() {
    let mut conn = store::open_in_memory().unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/shift/calendar.ics");
    let s = import(&mut conn, &path).unwrap();
    // America/New_York is UTC−5 on 2026-11-20. The VTIMEZONE's own DTSTARTs and the VALARM
    // are ignored; the cancelled 1:1 and the all-day "Casual Friday" are skipped with a
    // warning; the lunch has a DURATION; the training is in UTC with a folded title.
    assert_eq!(s.added, 7);
    assert_eq!(s.warnings.len(), 2, "{:?}", s.warnings);
    assert!(s.warnings[0].contains("cancelled event \"Coaching 1:1 with Dana\""), "{:?}", s.warnings);
    assert!(s.warnings[1].contains("all-day event \"Casual Friday\""), "{:?}", s.warnings);
    let got: Vec<Block> = store_shift::schedule(&conn, 0, i64::MAX).unwrap().iter().map(|b| b.block()).collect();
    assert_eq!(
        got,
        vec![
            (ts("2026-11-20T14:00:00Z"), ts("2026-11-20T15:30:00Z"), Work),
            (ts("2026-11-20T15:30:00Z"), ts("2026-11-20T15:45:00Z"), Break),
            (ts("2026-11-20T15:45:00Z"), ts("2026-11-20T17:00:00Z"), Work),
            (ts("2026-11-20T17:00:00Z"), ts("2026-11-20T17:30:00Z"), Lunch),
            (ts("2026-11-20T17:30:00Z"), ts("2026-11-20T18:30:00Z"), Training),
            (ts("2026-11-20T18:30:00Z"), ts("2026-11-20T19:00:00Z"), Meeting),
            (ts("2026-11-20T19:00:00Z"), ts("2026-11-20T22:00:00Z"), Work),
        ]
    );
}

#[test]
fn calendar_errors_name_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = store::open_in_memory().unwrap();
    let event = |body: &str| format!("BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\n{body}END:VEVENT\nEND:VCALENDAR\n");
    let cases = [
        (
            "summary.ics",
            event("DTSTART:20261120T090000Z\nDTEND:20261120T100000Z\nSUMMARY:Dentist\n"),
            "line 6: field `SUMMARY`: \"Dentist\" names no activity",
        ),
        (
            "time.ics",
            event("DTSTART:20261120T0900Z\nDTEND:20261120T100000Z\nSUMMARY:Work\n"),
            "line 4: field `DTSTART`: \"20261120T0900Z\" is not a time",
        ),
        (
            "backwards.ics",
            event("DTSTART:20261120T100000Z\nDTEND:20261120T090000Z\nSUMMARY:Work\n"),
            "line 5: field `DTEND`: is not after DTSTART (line 4)",
        ),
        (
            "rrule.ics",
            event("DTSTART:20261120T100000Z\nDTEND:20261120T110000Z\nRRULE:FREQ=DAILY\nSUMMARY:Lunch\n"),
            "line 6: field `RRULE`: \"Lunch\" repeats",
        ),
        (
            "cut.ics",
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261120T100000Z\n".to_string(),
            "BEGIN:VEVENT is never closed",
        ),
        ("notics.ics", "hello\n".to_string(), "line 1: not an iCalendar file"),
    ];
    for (name, text, expected) in cases {
        let path = write(dir.path(), name, &text);
        let err = import(&mut conn, &path).unwrap_err().to_string();
        assert!(err.starts_with(&format!("{}: ", path.display())) && err.contains(expected), "{name}: {err}");
    }
    // Two events overlapping: both BEGIN:VEVENT lines are named.
    let two = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261120T090000Z\nDTEND:20261120T100000Z\nSUMMARY:Work\nEND:VEVENT\n\
               BEGIN:VEVENT\nDTSTART:20261120T093000Z\nDTEND:20261120T094500Z\nSUMMARY:Break\nEND:VEVENT\nEND:VCALENDAR\n";
    let path = write(dir.path(), "two.ics", two);
    let err = import(&mut conn, &path).unwrap_err().to_string();
    assert!(err.ends_with("two.ics: line 7: this break block overlaps the work block on line 2"), "{err}");
    assert!(store_shift::schedule(&conn, 0, i64::MAX).unwrap().is_empty());
}

// ---------------------------------------------------------------- QA import

#[test]
fn qa_imports_are_checked_by_line_and_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = store::open_in_memory().unwrap();
    let one = ended_contact(&conn, T, T + 600);
    let card = shift::default_scorecard();
    let cases = [
        (
            "criterion.csv",
            "contact_id,reviewer,criterion,met\n1,Dana,greeting,yes\n1,Dana,smile,yes\n",
            "line 3: field `criterion`: \"smile\" is not on the scorecard",
        ),
        (
            "met.csv",
            "contact_id,reviewer,criterion,met\n1,Dana,greeting,maybe\n",
            "line 2: field `met`: \"maybe\" is not yes, no or na",
        ),
        (
            "contact.csv",
            "contact_id,reviewer,criterion,met\n1,Dana,greeting,yes\n77,Dana,greeting,yes\n",
            "line 3: field `contact_id`: there is no contact #77",
        ),
        (
            "twice.csv",
            "contact_id,reviewer,criterion,met\n1,Dana,greeting,yes\n1,Dana,Greeting,no\n",
            "line 3: field `criterion`: \"greeting\" is scored twice for contact 1 by Dana (first at line 2)",
        ),
        (
            "reviewer.csv",
            "contact_id,reviewer,criterion,met\n1,,greeting,yes\n",
            "line 2: field `reviewer`: is missing",
        ),
        (
            "weight.json",
            r#"[{"contact_id": 1, "reviewer": "Dana", "criterion": "hold", "met": true, "weight": -2}]"#,
            "[0]: field `weight`: -2 is not a positive number up to 1000000",
        ),
        (
            "huge.json",
            r#"[{"contact_id": 1, "reviewer": "Dana", "criterion": "hold", "met": true, "weight": 1e308}]"#,
            "[0]: field `weight`: 1e+308 is not a positive number up to 1000000",
        ),
        (
            "id.json",
            r#"[{"contact_id": "x", "reviewer": "Dana", "criterion": "greeting", "met": "yes"}]"#,
            "[0]: field `contact_id`",
        ),
    ];
    for (name, text, expected) in cases {
        let path = write(dir.path(), name, text);
        let err = frontline::import::qa::import_qa(&mut conn, &path, &card, T).unwrap_err().to_string();
        assert!(err.starts_with(&format!("{}: ", path.display())) && err.contains(expected), "{name}: {err}");
        assert!(store_shift::reviews_of(&conn, one).unwrap().is_empty(), "{name}");
    }
    // A good JSON file with an extra criterion scored by weight, and n/a as null.
    let path = write(
        dir.path(),
        "good.json",
        r#"[{"contact_id": 1, "reviewer": "Dana", "criterion": "greeting", "met": true},
            {"contact_id": 1, "reviewer": "Dana", "criterion": "hold etiquette", "met": "no", "weight": "2"},
            {"contact_id": 1, "reviewer": "Dana", "criterion": "empathy", "met": null}]"#,
    );
    let s = frontline::import::qa::import_qa(&mut conn, &path, &card, T).unwrap();
    assert_eq!((s.reviews, s.replaced, s.scores), (1, 0, 3));
    let r = store_shift::reviews_of(&conn, one).unwrap();
    // greeting 1 met, hold etiquette 2 missed, empathy n/a → 1 of 3.
    close(r[0].percent(), 100.0 / 3.0);
    // Importing again replaces Dana's review.
    let s = frontline::import::qa::import_qa(&mut conn, &path, &card, T).unwrap();
    assert_eq!((s.reviews, s.replaced), (1, 1));
    assert_eq!(store_shift::reviews_of(&conn, one).unwrap().len(), 1);

    // A criterion with terminal escapes and a direction override: kept without them (the
    // QA overlay drew "greet[2j]0;pwned").
    let path = write(
        dir.path(),
        "escapes.json",
        "[{\"contact_id\": 1, \"reviewer\": \"Eve\", \"criterion\": \"greet\\u001b[2J\\u202e evil\", \"met\": true, \"weight\": 1}]",
    );
    frontline::import::qa::import_qa(&mut conn, &path, &card, T).unwrap();
    let criteria: Vec<String> = crate::common::strings(&conn, "SELECT criterion FROM qa_scores");
    assert!(criteria.iter().all(|c| !c.contains(['\u{1b}', '\u{202e}'])), "{criteria:?}");
}

// ---------------------------------------------------------------- command line

fn fixture(name: &str) -> PathBuf {
    common::fixture("shift").join(name)
}

/// A workspace with two contacts ending on 2026-11-20 (phone #1, email #2) and one the day
/// before (chat #3), the schedule of `schedule.csv`, QA reviews from `qa.csv` and a
/// status log.
fn shift_workspace() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ws.db");
    let config = dir.path().join("none.toml");
    let contacts = serde_json::json!([
        { "channel": "phone", "subject": "Order late", "status": "resolved", "created_at": "2026-11-20T10:00:00Z",
          "accepted_at": "2026-11-20T10:01:00Z", "ended_at": "2026-11-20T10:10:00Z" },
        { "channel": "email", "subject": "Refund", "status": "resolved", "created_at": "2026-11-20T11:00:00Z",
          "accepted_at": "2026-11-20T11:05:00Z", "ended_at": "2026-11-20T11:30:00Z" },
        { "channel": "chat", "subject": "Sizes", "status": "resolved", "created_at": "2026-11-19T10:00:00Z",
          "accepted_at": "2026-11-19T10:01:00Z", "ended_at": "2026-11-19T10:20:00Z" },
    ]);
    let file = write(dir.path(), "contacts.json", &contacts.to_string());
    frontline().arg("--db").arg(&db).args(["import", "contacts"]).arg(&file).assert().success();
    frontline().arg("--db").arg(&db).args(["schedule", "import"]).arg(fixture("schedule.csv")).assert().success();
    frontline()
        .arg("--db")
        .arg(&db)
        .arg("--config")
        .arg(&config)
        .args(["import", "qa"])
        .arg(fixture("qa.csv"))
        .assert()
        .success();
    // The status log (times in the past, so written directly).
    let mut conn = store::open_workspace(&db).unwrap();
    store::write(&mut conn, |tx| -> rusqlite::Result<()> {
        for (at, state) in [
            ("2026-11-20T08:55:00Z", S::Available),
            ("2026-11-20T10:05:00Z", S::Break),
            ("2026-11-20T10:20:00Z", S::Available),
            ("2026-11-20T12:00:00Z", S::Offline),
        ] {
            store_shift::set_status(tx, state, store_shift::Source::Tui, ts(at))?;
        }
        Ok(())
    })
    .unwrap();
    (dir, db, config)
}

fn json_out(cmd: &mut assert_cmd::Command) -> serde_json::Value {
    let out = cmd.assert().success();
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

#[test]
fn report_json_shows_adherence_and_qa_with_data_and_null_without() {
    let (_dir, db, _config) = shift_workspace();
    let v = json_out(frontline().arg("--db").arg(&db).args([
        "report",
        "--from",
        "2026-11-20T00:00:00Z",
        "--to",
        "2026-11-21T00:00:00Z",
        "--json",
    ]));
    // Schedule: work 9–10, break 10–10:15, work 10:15–12 = 180 min. Log: available 8:55,
    // break 10:05, available 10:20, offline 12:00. Work 9–10 ✓ 60; break: 10–10:05
    // available ✗, 10:05–10:15 ✓ 10; work: 10:15–10:20 on break ✗, 10:20–12 ✓ 100.
    // 170 of 180 → 94.44… %.
    let adherence = v["adherence_percent"].as_f64().unwrap();
    assert!((adherence - 100.0 * 170.0 / 180.0).abs() < 1e-9, "{adherence}");
    // QA: contact 1 has Dana's review (75 %: identity 2 missed of 8 applicable, empathy n/a),
    // which supersedes its self-review; contact 2 has a self-review (3 of 7 = 42.857… %).
    // Contact 3 ended the day before. Mean (75 + 300/7) / 2.
    let qa = v["qa_percent"].as_f64().unwrap();
    assert!((qa - (75.0 + 300.0 / 7.0) / 2.0).abs() < 1e-9, "{qa}");
    assert_eq!(v["by_channel"]["phone"]["qa_percent"], 75.0);
    assert!((v["by_channel"]["email"]["qa_percent"].as_f64().unwrap() - 300.0 / 7.0).abs() < 1e-9);
    assert!(v["by_channel"]["chat"]["qa_percent"].is_null());
    for ch in ["phone", "email", "chat", "social", "in_person"] {
        assert!(v["by_channel"][ch]["adherence_percent"].is_null(), "{ch}");
    }
    assert_eq!(
        v["qa_most_missed"],
        serde_json::json!([
            { "criterion": "accurate_answer", "missed": 1 },
            { "criterion": "documentation", "missed": 1 },
            { "criterion": "identity_verified", "missed": 1 },
        ])
    );
    // A day with neither schedule nor reviews: both null.
    let v = json_out(frontline().arg("--db").arg(&db).args([
        "report",
        "--from",
        "2026-11-10",
        "--to",
        "2026-11-10",
        "--json",
    ]));
    assert!(v["adherence_percent"].is_null() && v["qa_percent"].is_null(), "{v}");
    assert_eq!(v["qa_most_missed"], serde_json::json!([]));
    // The table for people shows both.
    let text =
        stdout_of(frontline().arg("--db").arg(&db).args(["report", "--from", "2026-11-20", "--to", "2026-11-20"]));
    assert!(text.contains("94.4%") && text.contains("58.9%"), "{text}");
    assert!(
        text.contains("QA most often missed: accurate answer (1), documentation (1), identity verified (1)"),
        "{text}"
    );
}

#[test]
fn schedule_show_lists_the_day_with_adherence() {
    let (_dir, db, _config) = shift_workspace();
    let v = json_out(frontline().arg("--db").arg(&db).args(["schedule", "show", "--date", "2026-11-20", "--json"]));
    assert_eq!(v["blocks"].as_array().unwrap().len(), 3);
    assert_eq!(v["blocks"][1]["activity"], "break");
    assert_eq!(v["blocks"][1]["minutes"], 15);
    assert_eq!(v["blocks"][0]["start"], "2026-11-20T09:00:00+00:00");
    assert!((v["adherence_percent"].as_f64().unwrap() - 100.0 * 170.0 / 180.0).abs() < 1e-9);
    let text = stdout_of(frontline().arg("--db").arg(&db).args(["schedule", "show", "--date", "2026-11-20"]));
    assert!(text.contains("10:00–10:15  break") && text.contains("Adherence: 94.4%"), "{text}");
    let out = frontline().arg("--db").arg(&db).args(["schedule", "show", "--date", "20-11-2026"]).assert().code(1);
    assert_eq!(String::from_utf8_lossy(&out.get_output().stderr).lines().count(), 1);
}

#[test]
fn status_from_the_shell_is_logged_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ws.db");
    let out = frontline().arg("--db").arg(&db).arg("status").assert().success();
    assert_eq!(String::from_utf8_lossy(&out.get_output().stdout).trim(), "Offline (no status logged yet)");
    let out = frontline().arg("--db").arg(&db).args(["status", "acw"]).assert().success();
    assert_eq!(String::from_utf8_lossy(&out.get_output().stdout).trim(), "Now After-contact work");
    let v = json_out(frontline().arg("--db").arg(&db).args(["status", "--json"]));
    assert_eq!(v["state"], "after_contact_work");
    assert!(v["seconds"].as_i64().unwrap() < 60);
    let conn = store::open_workspace(&db).unwrap();
    let (state, _) = store_shift::current_status(&conn).unwrap().unwrap();
    assert_eq!(state, RepState::AfterContactWork);
    let source: String = conn.query_row("SELECT source FROM rep_status", [], |r| r.get(0)).unwrap();
    assert_eq!(source, "cli");
    // An unknown state is a usage error (exit 2) naming the choices.
    let out = frontline().arg("--db").arg(&db).args(["status", "napping"]).assert().code(2);
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("available, on_contact"));
}

#[test]
fn import_errors_exit_1_with_one_line() {
    let (dir, db, config) = shift_workspace();
    let bad = write(dir.path(), "bad.csv", "start,end,activity\n2026-11-21 09:00,2026-11-21 08:00,work\n");
    let out = frontline().arg("--db").arg(&db).args(["schedule", "import"]).arg(&bad).assert().code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("bad.csv: line 2: field `end`: is not after start"), "{err}");
    let bad = write(dir.path(), "bad_qa.csv", "contact_id,reviewer,criterion,met\n1,Lee,greeting,perhaps\n");
    let out =
        frontline().arg("--db").arg(&db).arg("--config").arg(&config).args(["import", "qa"]).arg(&bad).assert().code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("bad_qa.csv: line 2: field `met`: \"perhaps\" is not yes, no or na"), "{err}");
}

#[test]
fn kudos_are_added_and_listed() {
    let (_dir, db, _config) = shift_workspace();
    let out = frontline().arg("--db").arg(&db).arg("kudos").assert().success();
    assert_eq!(String::from_utf8_lossy(&out.get_output().stdout).trim(), "No kudos kept yet.");
    frontline().arg("--db").arg(&db).args(["kudos", "add", "Thank you, Sam!", "--contact", "1"]).assert().success();
    frontline().arg("--db").arg(&db).args(["kudos", "add", "x", "--contact", "99"]).assert().code(1);
    let v = json_out(frontline().arg("--db").arg(&db).args(["kudos", "--json"]));
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["text"], "Thank you, Sam!");
    assert_eq!(v[0]["contact_id"], 1);
}
