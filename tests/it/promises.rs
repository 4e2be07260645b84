//! Promises kept and follow-ups done: one key on the record (`k`, the soonest first; the
//! palette lists each); a kept promise leaves the open list and stays in the history.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use frontline::domain::{Channel, CustomerRecord};
use frontline::protocol::{Keepable, Reply, Request};
use frontline::store::{self, contacts, customers, notes};
use frontline::workers::store::StoreWorker;

/// A customer with a contact, two promises (the sooner one first) and a follow-up.
fn workspace(dir: &std::path::Path) -> (std::path::PathBuf, i64, i64, i64, i64) {
    let path = dir.join("ws.db");
    let mut conn = store::open_workspace(&path).unwrap();
    let t = frontline::domain::time::now();
    let ids = store::write(&mut conn, |tx| {
        let customer =
            customers::insert(tx, &customers::NewCustomer { name: "Aiko Tanaka".into(), ..Default::default() }, t)?;
        let mut c = contacts::NewContact::waiting(Channel::Phone, "Recall swap", t - 100);
        c.customer_id = Some(customer);
        let contact = contacts::insert(tx, &c)?;
        let soon = notes::insert_note(
            tx,
            Some(contact),
            Some(customer),
            ("promise", "Email when the stove ships", t, Some(t + 3600)),
        )?;
        let later = notes::insert_note(
            tx,
            Some(contact),
            Some(customer),
            ("promise", "Call back Friday", t, Some(t + 86_400 * 3)),
        )?;
        let follow = contacts::add_follow_up(tx, contact, t + 86_400 * 2, "Check the swap happened", t)?;
        Ok::<_, rusqlite::Error>((customer, soon, later, follow))
    })
    .unwrap();
    (path, ids.0, ids.1, ids.2, ids.3)
}

fn record_after(path: &std::path::Path, request: Request) -> (CustomerRecord, Option<String>) {
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    let worker = StoreWorker::spawn(path, Arc::new(move |r| drop(tx.lock().unwrap().send(r)))).unwrap();
    worker.send(request);
    assert!(worker.flush(Duration::from_secs(10)));
    rx.try_iter()
        .find_map(|r| match r {
            Reply::CustomerChanged { record, message } => Some((*record, message)),
            Reply::Refused { message } => panic!("refused: {message}"),
            _ => None,
        })
        .unwrap()
}

#[test]
fn a_kept_promise_leaves_the_open_list_and_stays_in_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let (path, customer, soon, later, _) = workspace(dir.path());
    let (record, message) = record_after(&path, Request::MarkKept { customer, item: Keepable::Promise(soon) });
    assert_eq!(record.open_promises.iter().map(|p| p.id).collect::<Vec<_>>(), vec![later]);
    assert!(message.unwrap().contains("kept"));
    let conn = store::connect(&path).unwrap();
    let kept: Option<i64> = conn.query_row("SELECT kept_at FROM notes WHERE id = ?1", [soon], |r| r.get(0)).unwrap();
    assert!(kept.is_some(), "the promise is still there, marked kept");
}

#[test]
fn a_done_follow_up_leaves_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let (path, customer, _, _, follow) = workspace(dir.path());
    let (record, _) = record_after(&path, Request::MarkKept { customer, item: Keepable::FollowUp(follow) });
    assert!(record.follow_ups.is_empty());
}
