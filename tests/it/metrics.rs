//! The metric definitions (DESIGN.md section 4) on hand-built event logs, the store query
//! that feeds them, and `frontline report` end to end. Every expected number is worked out
//! in the comment next to it.

use frontline::domain::metrics::{self, ContactFacts, ContactsByCustomer, Figures, Settings};
use frontline::domain::{Channel, ContactStatus, EventKind, EventKind::*, Id, Timestamp};
use frontline::store::{self, contacts, customers};

use crate::common;

use common::{frontline, stdout_of};

const DAY: i64 = 86_400;

/// A contact whose log is `events`; it has ended (with the status of its last closing
/// event) when the log closes, and is still being worked otherwise.
fn contact(id: Id, created: Timestamp, accepted: Option<Timestamp>, events: &[(Timestamp, EventKind)]) -> ContactFacts {
    let mut log = vec![(created, Create)];
    log.extend_from_slice(events);
    let (mut open, mut ended_at, mut status) = (false, None, ContactStatus::Waiting);
    for &(at, kind) in events {
        match kind {
            Accept | Reopen => open = true,
            Resolve | Escalate | Transfer => {
                open = false;
                ended_at = Some(at);
                status = match kind {
                    Resolve => ContactStatus::Resolved,
                    Escalate => ContactStatus::Escalated,
                    _ => ContactStatus::Transferred,
                };
            }
            _ => {}
        }
    }
    if open {
        (ended_at, status) = (None, ContactStatus::Active);
    }
    ContactFacts {
        id,
        customer_id: None,
        channel: Channel::Phone,
        priority: 3,
        created_at: created,
        accepted_at: accepted,
        ended_at,
        status,
        csat: None,
        events: log,
    }
}

/// The simplest handled contact: accepted `wait` seconds after creation at `created`,
/// resolved `handle` seconds later.
fn simple(id: Id, created: Timestamp, wait: i64, handle: i64) -> ContactFacts {
    contact(id, created, Some(created + wait), &[(created + wait, Accept), (created + wait + handle, Resolve)])
}

fn with_customer(c: ContactFacts, customer: Id) -> ContactFacts {
    ContactFacts { customer_id: Some(customer), ..c }
}

fn none_later() -> ContactsByCustomer {
    ContactsByCustomer::new()
}

fn compute(cs: &[ContactFacts]) -> Figures {
    metrics::compute(cs, &none_later(), &Settings::default())
}

fn assert_close(actual: Option<f64>, expected: f64) {
    let a = actual.unwrap_or_else(|| panic!("expected {expected}, got None"));
    assert!((a - expected).abs() < 1e-9, "expected {expected}, got {a}");
}

// ---------------------------------------------------------------- domain definitions

#[test]
fn no_contacts_means_nothing_handled_and_every_figure_null() {
    let b = metrics::breakdown(&[], &none_later(), &Settings::default());
    for f in std::iter::once(&b.total).chain(b.by_channel.iter().map(|(_, f)| f)) {
        assert_eq!(f.handled, 0);
        assert_eq!(f.sla_breaches, 0);
        assert_eq!(
            (f.aht_seconds, f.asa_seconds, f.hold_seconds, f.fcr_percent, f.csat_percent),
            (None, None, None, None, None)
        );
        assert_eq!((f.adherence_percent, f.qa_percent), (None, None));
    }
    assert_eq!(b.by_channel.len(), Channel::ALL.len());
}

#[test]
fn aht_asa_and_hold_over_talk_hold_wrap_up_reopen_and_transfer() {
    // A: wait 30 (0 → 30); hold 100..160 = 60; wrap_up 300; resolve 400.
    //    handle = 400 − 30 = 370 (after-contact work 300..400 included), hold 60.
    let a = contact(1, 0, Some(30), &[(30, Accept), (100, Hold), (160, Resume), (300, WrapUp), (400, Resolve)]);
    // B: wait 90 (1000 → 1090); hold at 1100 never resumed; transfer at 1200.
    //    handle = 1200 − 1090 = 110; hold runs to the segment's end: 1200 − 1100 = 100.
    let b = contact(2, 1000, Some(1090), &[(1090, Accept), (1100, Hold), (1200, Transfer)]);
    // C: wait 0; segment 5000..5100 = 100, reopened 9000..9050 = 50 → handle 150, hold 0.
    //    The 3900 s between the segments is not handle time.
    let c = contact(3, 5000, Some(5000), &[(5000, Accept), (5100, Resolve), (9000, Reopen), (9050, Resolve)]);
    assert_eq!(metrics::handle_seconds(&a.events), 370);
    assert_eq!(metrics::hold_seconds(&b.events), 100);
    assert_eq!(metrics::handle_seconds(&c.events), 150);

    let f = compute(&[a, b, c]);
    assert_eq!(f.handled, 3);
    // AHT = (370 + 110 + 150) / 3 = 630 / 3 = 210.
    assert_close(f.aht_seconds, 210.0);
    // ASA = (30 + 90 + 0) / 3 = 40.
    assert_close(f.asa_seconds, 40.0);
    // Hold is a total: 60 + 100 + 0 = 160.
    assert_eq!(f.hold_seconds, Some(160));
}

#[test]
fn contacts_still_open_do_not_count() {
    // Counted: wait 10, handle 100.
    let done = simple(1, 0, 10, 100);
    // Accepted, talking, never closed: no ended_at.
    let talking = contact(2, 0, Some(5), &[(5, Accept), (50, Hold)]);
    // Resolved once, then reopened and being worked again: the log has an open segment even
    // though a stale ended_at is still on the row.
    let mut reopened = contact(3, 0, Some(20), &[(20, Accept), (60, Resolve), (500, Reopen)]);
    reopened.ended_at = Some(60);
    reopened.status = ContactStatus::Resolved;
    assert!(!reopened.is_ended());
    let f = compute(&[done, talking, reopened]);
    // Only `done`: handled 1, AHT 100, ASA 10 (the others' waits 5 and 20 would change it).
    assert_eq!(f.handled, 1);
    assert_close(f.aht_seconds, 100.0);
    assert_close(f.asa_seconds, 10.0);
}

#[test]
fn a_contact_closed_without_being_accepted_is_handled_but_has_no_wait_or_handle_time() {
    // Closed from the queue (spam, duplicate): create 0, resolve 500, never accepted.
    let closed = contact(1, 0, None, &[(500, Resolve)]);
    let f = compute(std::slice::from_ref(&closed));
    assert_eq!(f.handled, 1);
    assert_eq!((f.aht_seconds, f.asa_seconds, f.hold_seconds), (None, None, None));
    assert_eq!(f.sla_breaches, 0);
    // Next to a worked contact (wait 20, handle 40) the means are that contact's alone.
    let f = compute(&[closed, simple(2, 0, 20, 40)]);
    assert_eq!(f.handled, 2);
    assert_close(f.aht_seconds, 40.0);
    assert_close(f.asa_seconds, 20.0);
    assert_eq!(f.hold_seconds, Some(0));
}

#[test]
fn fcr_counts_escalations_and_transfers_against_and_skips_contacts_without_a_customer() {
    // Customer 1: resolved first time, no repeat → FCR.
    let resolved = with_customer(simple(1, 0, 10, 100), 1);
    // Customer 2: escalated → not FCR.
    let escalated = with_customer(contact(2, 0, Some(10), &[(10, Accept), (90, Escalate)]), 2);
    // Customer 3: transferred → not FCR.
    let transferred = with_customer(contact(3, 0, Some(10), &[(10, Accept), (90, Transfer)]), 3);
    // Customer 4: escalated, reopened, then resolved: the final status is resolved but the
    // log shows the escalation → not FCR.
    let bounced =
        with_customer(contact(4, 0, Some(10), &[(10, Accept), (50, Escalate), (200, Reopen), (260, Resolve)]), 4);
    assert_eq!(bounced.status, ContactStatus::Resolved);
    // No customer: resolved, but outside the FCR denominator.
    let anonymous = simple(5, 0, 10, 100);
    let f = compute(&[resolved, escalated, transferred, bounced, anonymous]);
    assert_eq!(f.handled, 5);
    // 1 of the 4 contacts with a customer → 25 %.
    assert_close(f.fcr_percent, 25.0);
}

#[test]
fn fcr_is_null_when_no_handled_contact_has_a_customer() {
    let f = compute(&[simple(1, 0, 10, 100)]);
    assert_eq!(f.handled, 1);
    assert_eq!(f.fcr_percent, None);
}

#[test]
fn a_repeat_exactly_at_the_fcr_window_boundary_counts_and_one_second_later_does_not() {
    let settings = Settings::default();
    let window = settings.fcr_window_seconds;
    assert_eq!(window, 7 * DAY);
    // Customer 9's contact ends at 1000 + 10 + 100 = 1110.
    let first = with_customer(simple(1, 1000, 10, 100), 9);
    let end = first.ended_at.unwrap();
    assert_eq!(end, 1110);
    let fcr = |later: &[(Id, Timestamp)]| {
        let map: ContactsByCustomer = [(9, later.to_vec())].into_iter().collect();
        metrics::compute(std::slice::from_ref(&first), &map, &settings).fcr_percent
    };
    // Its own creation (1000) is before its end: not a repeat.
    assert_eq!(fcr(&[(1, 1000)]), Some(100.0));
    // Created at ended_at + window exactly: a repeat (ended_at <= created_at <= end + window).
    assert_eq!(fcr(&[(1, 1000), (2, end + window)]), Some(0.0));
    // One second later: outside the window.
    assert_eq!(fcr(&[(1, 1000), (2, end + window + 1)]), Some(100.0));
    // Created the second it ended: a repeat; created before it ended (the customer wrote
    // while still on the phone): not a repeat.
    assert_eq!(fcr(&[(2, end)]), Some(0.0));
    assert_eq!(fcr(&[(2, end - 1)]), Some(100.0));
    // A contact closed the second it was created (created_at == ended_at) is in the list
    // the store hands over, and still is not its own repeat.
    let instant = with_customer(contact(3, 500, None, &[(500, Resolve)]), 9);
    let map: ContactsByCustomer = [(9, vec![(3, 500)])].into_iter().collect();
    assert_eq!(metrics::compute(std::slice::from_ref(&instant), &map, &settings).fcr_percent, Some(100.0));
    // Another customer's contact never matters.
    let map: ContactsByCustomer = [(8, vec![(2, end + 5)])].into_iter().collect();
    assert_eq!(metrics::compute(std::slice::from_ref(&first), &map, &settings).fcr_percent, Some(100.0));
    // A shorter configured window moves the boundary: 1 day → end + window is outside.
    let one_day = Settings { fcr_window_seconds: DAY, ..settings };
    let map: ContactsByCustomer = [(9, vec![(2, end + DAY + 1)])].into_iter().collect();
    assert_eq!(metrics::compute(std::slice::from_ref(&first), &map, &one_day).fcr_percent, Some(100.0));
    let map: ContactsByCustomer = [(9, vec![(2, end + DAY)])].into_iter().collect();
    assert_eq!(metrics::compute(std::slice::from_ref(&first), &map, &one_day).fcr_percent, Some(0.0));
}

#[test]
fn csat_is_the_share_of_four_and_five_ratings_and_null_without_ratings() {
    let rated = |id: Id, csat: Option<u8>| ContactFacts { csat, ..simple(id, 0, 10, 100) };
    // Ratings 5, 4, 3, 1 (and one unrated contact): 2 of 4 are 4–5 → 50 %.
    let f = compute(&[rated(1, Some(5)), rated(2, Some(4)), rated(3, Some(3)), rated(4, Some(1)), rated(5, None)]);
    assert_eq!(f.handled, 5);
    assert_close(f.csat_percent, 50.0);
    // 4 alone → 100 %; 3 alone → 0 % (4 is the lowest satisfied rating).
    assert_close(compute(&[rated(1, Some(4))]).csat_percent, 100.0);
    assert_close(compute(&[rated(1, Some(3))]).csat_percent, 0.0);
    // No ratings at all → null, though contacts were handled.
    let f = compute(&[rated(1, None), rated(2, None)]);
    assert_eq!((f.handled, f.csat_percent), (2, None));
}

#[test]
fn an_sla_breach_is_a_wait_longer_than_the_priority_target() {
    let with_priority = |id: Id, priority: u8, wait: i64| ContactFacts { priority, ..simple(id, 0, wait, 30) };
    let s = Settings::default();
    let (p1, p4) = (s.sla_targets_seconds[0], s.sla_targets_seconds[3]);
    // Exactly the target is met; one second more is a breach.
    assert_eq!(compute(&[with_priority(1, 1, p1)]).sla_breaches, 0);
    assert_eq!(compute(&[with_priority(1, 1, p1 + 1)]).sla_breaches, 1);
    assert_eq!(compute(&[with_priority(1, 4, p4)]).sla_breaches, 0);
    assert_eq!(compute(&[with_priority(1, 4, p4 + 1)]).sla_breaches, 1);
    // The same 61 s wait breaches priority 1 (target 60) but not priority 2 (300): 1 of 2.
    assert_eq!(compute(&[with_priority(1, 1, 61), with_priority(2, 2, 61)]).sla_breaches, 1);
    // Targets come from the settings: with a 10 s target for priority 2 both breach.
    let strict = Settings { sla_targets_seconds: [60, 10, 1800, 14_400], ..s };
    let cs = [with_priority(1, 1, 61), with_priority(2, 2, 61)];
    assert_eq!(metrics::compute(&cs, &none_later(), &strict).sla_breaches, 2);
}

#[test]
fn the_breakdown_splits_by_channel_and_the_channels_add_up() {
    // Phone: waits 10 and 30, handles 100 and 300 → AHT 200, ASA 20.
    // Email: wait 600, handle 60, rating 5 → AHT 60, ASA 600, CSAT 100.
    let phone1 = simple(1, 0, 10, 100);
    let phone2 = simple(2, 0, 30, 300);
    let email = ContactFacts { channel: Channel::Email, csat: Some(5), ..simple(3, 0, 600, 60) };
    let b = metrics::breakdown(&[phone1, phone2, email], &none_later(), &Settings::default());
    let of = |ch: Channel| b.by_channel.iter().find(|(c, _)| *c == ch).map(|(_, f)| f.clone()).unwrap();
    assert_eq!(b.total.handled, 3);
    // Total AHT = (100 + 300 + 60) / 3 = 153.33…; ASA = (10 + 30 + 600) / 3 = 213.33…
    assert_close(b.total.aht_seconds, 460.0 / 3.0);
    assert_close(b.total.asa_seconds, 640.0 / 3.0);
    let phone = of(Channel::Phone);
    assert_eq!(phone.handled, 2);
    assert_close(phone.aht_seconds, 200.0);
    assert_close(phone.asa_seconds, 20.0);
    assert_eq!(phone.csat_percent, None);
    let email = of(Channel::Email);
    assert_eq!(email.handled, 1);
    assert_close(email.aht_seconds, 60.0);
    assert_close(email.csat_percent, 100.0);
    assert_eq!(of(Channel::Chat), Figures::default());
    assert_eq!(b.by_channel.iter().map(|(_, f)| f.handled).sum::<u64>(), b.total.handled);
}

// ---------------------------------------------------------------- store

/// 2027-01-15T08:00:00Z — the start of the reporting window in the store tests.
const T: Timestamp = 1_800_000_000;

struct Row {
    channel: Channel,
    customer: Option<&'static str>,
    priority: u8,
    created: i64,
    accepted: Option<i64>,
    ended: Option<i64>,
    hold: i64,
    status: ContactStatus,
    csat: Option<u8>,
}

fn row(channel: Channel, customer: Option<&'static str>, created: i64, accepted: i64, ended: i64) -> Row {
    Row {
        channel,
        customer,
        priority: 3,
        created,
        accepted: Some(accepted),
        ended: Some(ended),
        hold: 0,
        status: ContactStatus::Resolved,
        csat: None,
    }
}

fn insert(conn: &rusqlite::Connection, r: &Row) -> Id {
    let mut c = contacts::NewContact::waiting(r.channel, "test contact", r.created);
    c.customer_id = r.customer.map(|key| customers::find_or_create_by_identity(conn, key, T).unwrap().unwrap());
    c.priority = r.priority;
    c.accepted_at = r.accepted;
    c.ended_at = r.ended;
    c.hold_seconds = r.hold;
    c.status = r.status;
    c.csat = r.csat;
    contacts::insert(conn, &c).unwrap()
}

#[test]
fn report_reads_the_window_from_the_store() {
    let conn = store::open_in_memory().unwrap();
    let (from, to) = (T, T + DAY);
    let ana = Some("ana@example.com");
    // a1 phone p1: wait 30 (100 → 130), hold 20, ends 400 → handle 270, CSAT 5.
    insert(&conn, &Row { priority: 1, hold: 20, csat: Some(5), ..row(Channel::Phone, ana, T + 100, T + 130, T + 400) });
    // a2: Ana again, created an hour after the window closes (within 7 days of a1's end):
    // a1 is not resolved first time. The store must look past `to` to see it.
    insert(
        &conn,
        &Row {
            accepted: None,
            ended: None,
            status: ContactStatus::Waiting,
            ..row(Channel::Chat, ana, to + 3600, 0, 0)
        },
    );
    // b1 email p3: wait 1900 (1000 → 2900) > 1800 → SLA breach; handle 100; CSAT 2; FCR.
    insert(&conn, &Row { csat: Some(2), ..row(Channel::Email, Some("bo@example.com"), T + 1000, T + 2900, T + 3000) });
    // c1 chat p2: wait 100, handle 300, escalated → not FCR.
    insert(
        &conn,
        &Row {
            priority: 2,
            status: ContactStatus::Escalated,
            ..row(Channel::Chat, Some("cy@example.com"), T + 5000, T + 5100, T + 5400)
        },
    );
    // d1 phone p4, no customer: wait 60, handle 100.
    insert(&conn, &Row { priority: 4, ..row(Channel::Phone, None, T + 6000, T + 6060, T + 6160) });
    // g1 phone, no customer, ends exactly at `from` → inside [from, to): wait 300, handle 200.
    insert(&conn, &row(Channel::Phone, None, T - 500, T - 200, T));
    // h1 email, customer Di, CSAT 4: wait 10, first segment 7010..7100 = 90, reopened
    // 8000..8060 = 60 → handle 150; still FCR (never escalated or transferred).
    let h1 = insert(
        &conn,
        &Row { csat: Some(4), ..row(Channel::Email, Some("di@example.com"), T + 7000, T + 7010, T + 7100) },
    );
    contacts::append_event(&conn, h1, T + 8000, "reopen", None).unwrap();
    contacts::append_event(&conn, h1, T + 8060, "resolve", None).unwrap();
    conn.execute("UPDATE contacts SET ended_at = ?1 WHERE id = ?2", (T + 8060, h1)).unwrap();
    // i1: resolved, then reopened and being worked (stale ended_at) → not counted.
    let i1 = insert(&conn, &row(Channel::Phone, None, T + 9000, T + 9010, T + 9020));
    contacts::append_event(&conn, i1, T + 9500, "reopen", None).unwrap();
    conn.execute("UPDATE contacts SET status = 'active' WHERE id = ?1", [i1]).unwrap();
    // Outside the window: ended one second before `from`, and exactly at `to`.
    insert(&conn, &row(Channel::Phone, None, T - 100, T - 50, T - 1));
    insert(&conn, &row(Channel::Phone, None, to - 100, to - 50, to));

    let report = store::report::report(&conn, from, to, &Settings::default()).unwrap();
    let f = &report.figures.total;
    // Counted: a1, b1, c1, d1, g1, h1.
    assert_eq!(f.handled, 6);
    // AHT = (270 + 100 + 300 + 100 + 200 + 150) / 6 = 1120 / 6.
    assert_close(f.aht_seconds, 1120.0 / 6.0);
    // ASA = (30 + 1900 + 100 + 60 + 300 + 10) / 6 = 2400 / 6 = 400.
    assert_close(f.asa_seconds, 400.0);
    assert_eq!(f.hold_seconds, Some(20));
    // Only b1 waits past its target (1900 > 1800).
    assert_eq!(f.sla_breaches, 1);
    // With a customer: a1 (repeat), b1 (FCR), c1 (escalated), h1 (FCR) → 2 / 4 = 50 %.
    assert_close(f.fcr_percent, 50.0);
    // Ratings 5, 2, 4 → 2 / 3.
    assert_close(f.csat_percent, 200.0 / 3.0);

    let of = |ch: Channel| report.figures.by_channel.iter().find(|(c, _)| *c == ch).map(|(_, f)| f.clone()).unwrap();
    // Phone: a1, d1, g1 → AHT (270 + 100 + 200) / 3 = 190, ASA (30 + 60 + 300) / 3 = 130,
    // FCR 0 / 1 (only a1 has a customer), CSAT 1 / 1.
    let phone = of(Channel::Phone);
    assert_eq!(phone.handled, 3);
    assert_close(phone.aht_seconds, 190.0);
    assert_close(phone.asa_seconds, 130.0);
    assert_close(phone.fcr_percent, 0.0);
    assert_close(phone.csat_percent, 100.0);
    // Email: b1, h1 → AHT (100 + 150) / 2 = 125, ASA (1900 + 10) / 2 = 955, FCR 2 / 2,
    // CSAT (2, 4) → 50 %, one breach.
    let email = of(Channel::Email);
    assert_eq!((email.handled, email.sla_breaches), (2, 1));
    assert_close(email.aht_seconds, 125.0);
    assert_close(email.asa_seconds, 955.0);
    assert_close(email.fcr_percent, 100.0);
    assert_close(email.csat_percent, 50.0);
    // Chat: c1 only (a2 has not ended) → AHT 300, FCR 0, no ratings.
    let chat = of(Channel::Chat);
    assert_eq!(chat.handled, 1);
    assert_close(chat.aht_seconds, 300.0);
    assert_eq!(chat.csat_percent, None);
    assert_eq!(of(Channel::Social), Figures::default());

    // A later window that holds none of them: nothing handled, nulls.
    let empty = store::report::report(&conn, to + DAY, to + 2 * DAY, &Settings::default()).unwrap();
    assert_eq!(empty.figures.total, Figures::default());
}

#[test]
fn the_store_hands_fcr_the_repeat_at_the_window_boundary() {
    // Ana's first contact ends at T + 400; a second one created exactly 7 days later is a
    // repeat (FCR 0 %); in a second workspace, one second later it is not (FCR 100 %).
    let fcr_with_repeat_at = |created: Timestamp| {
        let conn = store::open_in_memory().unwrap();
        let ana = Some("ana@example.com");
        insert(&conn, &row(Channel::Phone, ana, T + 100, T + 130, T + 400));
        insert(
            &conn,
            &Row {
                accepted: None,
                ended: None,
                status: ContactStatus::Waiting,
                ..row(Channel::Email, ana, created, 0, 0)
            },
        );
        store::report::report(&conn, T, T + DAY, &Settings::default()).unwrap().figures.total.fcr_percent
    };
    assert_eq!(fcr_with_repeat_at(T + 400 + 7 * DAY), Some(0.0));
    assert_eq!(fcr_with_repeat_at(T + 400 + 7 * DAY + 1), Some(100.0));
}

#[test]
fn trends_compare_the_day_with_the_previous_seven() {
    let conn = store::open_in_memory().unwrap();
    let (day, end) = (T, T + DAY);
    let tagged = |created: i64, tags: &[&str], disposition: Option<&str>| {
        let mut c = contacts::NewContact::waiting(Channel::Chat, "tagged", created);
        c.tags = tags.iter().map(|t| (*t).to_string()).collect();
        if let Some(d) = disposition {
            c.status = ContactStatus::Resolved;
            c.accepted_at = Some(created);
            c.ended_at = Some(created + 60);
            c.disposition = Some(d.to_string());
        }
        contacts::insert(&conn, &c).unwrap();
    };
    // The day: "cancel button" on 3 contacts (spelled two ways), "refund" on 1;
    // disposition "Refund issued" twice.
    tagged(day + 100, &["cancel button"], Some("Refund issued"));
    tagged(day + 200, &["Cancel Button", "refund"], Some("refund issued"));
    tagged(day + 300, &["cancel button"], None);
    // The 7 days before: "cancel button" once a day (7 → 1.0 a day), "refund" 14 times
    // (2.0 a day), "refund issued" 3 times (3 / 7 a day).
    for d in 1..=7 {
        tagged(day - d * DAY + 10, &["cancel button", "refund"], None);
        tagged(day - d * DAY + 20, &["refund"], if d <= 3 { Some("Refund issued") } else { None });
    }
    // Eight days before and the next day: outside both ranges.
    tagged(day - 8 * DAY, &["cancel button", "refund"], Some("refund issued"));
    tagged(end, &["cancel button"], Some("refund issued"));

    let t = store::report::trends(&conn, day, end).unwrap();
    assert_eq!(t.tags.len(), 2);
    assert_eq!((t.tags[0].name.as_str(), t.tags[0].today), ("cancel button", 3));
    assert!((t.tags[0].usual_per_day - 1.0).abs() < 1e-9);
    assert_eq!((t.tags[1].name.as_str(), t.tags[1].today), ("refund", 1));
    assert!((t.tags[1].usual_per_day - 2.0).abs() < 1e-9);
    assert_eq!(t.dispositions.len(), 1);
    assert_eq!((t.dispositions[0].name.as_str(), t.dispositions[0].today), ("refund issued", 2));
    assert!((t.dispositions[0].usual_per_day - 3.0 / 7.0).abs() < 1e-9);
}

// ---------------------------------------------------------------- command line

/// A workspace with three contacts ending on 2026-11-20 (UTC) and one the day before.
fn imported_workspace() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ws.db");
    let file = dir.path().join("contacts.json");
    let contacts = serde_json::json!([
        // Phone p1: wait 90 (> 60 → breach), hold 30, handle 10:01:30 → 10:11:30 = 600,
        // CSAT 5. Ana calls again the next day → not FCR.
        { "channel": "phone", "customer": "ana@example.com", "subject": "Order late", "priority": 1,
          "status": "resolved", "created_at": "2026-11-20T10:00:00Z", "accepted_at": "2026-11-20T10:01:30Z",
          "ended_at": "2026-11-20T10:11:30Z", "hold_seconds": 30, "csat": 5 },
        // Email p3: wait 600 (≤ 1800), handle 11:10 → 11:30 = 1200, escalated, CSAT 3.
        { "channel": "email", "customer": "bo@example.com", "subject": "Refund", "priority": 3,
          "status": "escalated", "created_at": "2026-11-20T11:00:00Z", "accepted_at": "2026-11-20T11:10:00Z",
          "ended_at": "2026-11-20T11:30:00Z", "escalated_to": "billing", "csat": 3 },
        // Chat p3, no customer: wait 60, handle 22:01 → 23:01 = 3600, ends 23:01 UTC.
        { "channel": "chat", "subject": "Sizes", "status": "resolved", "created_at": "2026-11-20T22:00:00Z",
          "accepted_at": "2026-11-20T22:01:00Z", "ended_at": "2026-11-20T23:01:00Z" },
        // Ana's repeat, still waiting.
        { "channel": "chat", "customer": "ana@example.com", "subject": "Still late",
          "created_at": "2026-11-21T09:00:00Z" },
        // Ended the day before: outside every window below.
        { "channel": "phone", "customer": "cy@example.com", "subject": "Old", "status": "resolved",
          "created_at": "2026-11-19T10:00:00Z", "accepted_at": "2026-11-19T10:00:10Z", "ended_at": "2026-11-19T10:05:00Z" },
    ]);
    std::fs::write(&file, serde_json::to_string_pretty(&contacts).unwrap()).unwrap();
    frontline().arg("--db").arg(&db).args(["import", "contacts"]).arg(&file).assert().success();
    (dir, db)
}

fn report_json(db: &std::path::Path, args: &[&str], tz: &str) -> serde_json::Value {
    let out = frontline().env("TZ", tz).arg("--db").arg(db).arg("report").args(args).arg("--json").assert().success();
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

#[test]
fn report_json_over_an_imported_day() {
    let (_dir, db) = imported_workspace();
    let v = report_json(&db, &["--from", "2026-11-20T00:00:00Z", "--to", "2026-11-21T00:00:00Z"], "UTC");
    // Phone (600), email (1200), chat (3600) → handled 3, AHT 5400 / 3 = 1800.
    assert_eq!(v["handled"], 3);
    assert_eq!(v["aht_seconds"], 1800.0);
    // ASA = (90 + 600 + 60) / 3 = 250.
    assert_eq!(v["asa_seconds"], 250.0);
    assert_eq!(v["hold_seconds"], 30);
    // Ana's call has a repeat, Bo's was escalated; the chat has no customer → 0 of 2.
    assert_eq!(v["fcr_percent"], 0.0);
    // Ratings 5 and 3 → 50 %.
    assert_eq!(v["csat_percent"], 50.0);
    assert_eq!(v["sla_breaches"], 1);
    assert!(v["adherence_percent"].is_null() && v["qa_percent"].is_null());
    assert_eq!(v["from"], "2026-11-20T00:00:00+00:00");
    assert_eq!(v["to"], "2026-11-21T00:00:00+00:00");
    assert_eq!(v["by_channel"]["phone"]["handled"], 1);
    assert_eq!(v["by_channel"]["phone"]["aht_seconds"], 600.0);
    assert_eq!(v["by_channel"]["phone"]["sla_breaches"], 1);
    assert_eq!(v["by_channel"]["email"]["csat_percent"], 0.0);
    assert_eq!(v["by_channel"]["chat"]["fcr_percent"], serde_json::Value::Null);
    assert_eq!(v["by_channel"]["social"]["handled"], 0);
    assert!(v["by_channel"]["social"]["aht_seconds"].is_null());
    for field in
        ["handled", "aht_seconds", "asa_seconds", "hold_seconds", "fcr_percent", "csat_percent", "sla_breaches"]
    {
        assert!(v["by_channel"]["in_person"].get(field).is_some(), "by_channel lacks {field}");
    }
}

#[test]
fn report_dates_are_whole_local_days() {
    let (_dir, db) = imported_workspace();
    // In UTC the day 2026-11-20 holds all three contacts of that day.
    let v = report_json(&db, &["--from", "2026-11-20", "--to", "2026-11-20"], "UTC");
    assert_eq!(v["handled"], 3);
    // At UTC+2 (POSIX "XXX-2") that local day is 2026-11-19T22:00Z … 2026-11-20T22:00Z: the
    // chat ending at 23:01Z falls on the 21st, so 2 are handled, AHT (600 + 1200) / 2.
    let v = report_json(&db, &["--from", "2026-11-20", "--to", "2026-11-20"], "XXX-2");
    assert_eq!(v["from"], "2026-11-20T00:00:00+02:00");
    assert_eq!(v["handled"], 2);
    assert_eq!(v["aht_seconds"], 900.0);
    // A window with nothing in it: handled 0, nulls.
    let v = report_json(&db, &["--from", "2026-11-10", "--to", "2026-11-12"], "UTC");
    assert_eq!(v["handled"], 0);
    assert!(v["aht_seconds"].is_null() && v["fcr_percent"].is_null() && v["csat_percent"].is_null());
}

#[test]
fn report_prints_a_table_for_people() {
    let (_dir, db) = imported_workspace();
    let text =
        stdout_of(frontline().arg("--db").arg(&db).args(["report", "--from", "2026-11-20", "--to", "2026-11-20"]));
    let line = |label: &str| {
        text.lines().find(|l| l.starts_with(label)).unwrap_or_else(|| panic!("no {label} row:\n{text}")).to_string()
    };
    // All: 3 handled, AHT 1800 s = 30:00, ASA 250 s = 4:10, CSAT 50.0 %.
    let all = line("All");
    assert!(all.contains(" 3 ") && all.contains("30:00") && all.contains("4:10") && all.contains("50.0%"), "{all}");
    // Phone: AHT 600 s = 10:00; Social had nothing and is left out.
    assert!(line("Phone").contains("10:00"), "{text}");
    assert!(!text.contains("Social"), "{text}");
}

#[test]
fn bad_report_dates_exit_1_naming_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ws.db");
    let run = |args: &[&str]| {
        let out = frontline().arg("--db").arg(&db).arg("report").args(args).assert().code(1);
        String::from_utf8(out.get_output().stderr.clone()).unwrap()
    };
    let err = run(&["--from", "2026-13-01"]);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(r#"--from: "2026-13-01" is not a date (YYYY-MM-DD) or RFC 3339 time"#), "{err}");
    let err = run(&["--to", "next week"]);
    assert!(err.contains(r#"--to: "next week" is not a date"#), "{err}");
    let err = run(&["--from", "2026-11-21", "--to", "2026-11-20"]);
    assert!(err.contains("--from \"2026-11-21\" is not before --to \"2026-11-20\""), "{err}");
}
