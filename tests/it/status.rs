//! The rep's status follows the work: a restart or the end of a break with contacts still
//! in progress is "on contact", not "available"; a break the rep set stays a break.

use std::path::Path;
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use frontline::domain::Channel;
use frontline::domain::contact_loop::Step;
use frontline::domain::shift::RepState;
use frontline::protocol::{Reply, Request};
use frontline::store::shift::Source;
use frontline::store::{self, contacts};
use frontline::workers::store::StoreWorker;

/// A workspace with one contact in progress and the rep's status set to `status`.
fn workspace_with_contact_in_progress(dir: &Path, status: RepState) -> std::path::PathBuf {
    let path = dir.join("ws.db");
    let mut conn = store::open_workspace(&path).unwrap();
    let t = frontline::domain::time::now();
    store::write(&mut conn, |tx| {
        let id = contacts::insert(tx, &contacts::NewContact::waiting(Channel::Phone, "Billing question", t - 60))?;
        contacts::apply_step(tx, id, &Step::Accept, t - 50)?.unwrap();
        store::shift::set_status(tx, status, Source::Tui, t - 40)?;
        Ok::<_, rusqlite::Error>(())
    })
    .unwrap();
    path
}

fn worker(path: &Path) -> (StoreWorker, Receiver<Reply>) {
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    (StoreWorker::spawn(path, Arc::new(move |r| drop(tx.lock().unwrap().send(r)))).unwrap(), rx)
}

/// The status the worker reports after `request`.
fn status_after(path: &Path, request: Request) -> Option<RepState> {
    let (worker, replies) = worker(path);
    worker.send(request);
    assert!(worker.flush(Duration::from_secs(10)));
    replies.try_iter().find_map(|r| match r {
        Reply::Shift { status, .. } => status.map(|(s, _)| s),
        _ => None,
    })
}

#[test]
fn a_restart_with_a_contact_in_progress_is_on_contact() {
    let dir = tempfile::tempdir().unwrap();
    let path = workspace_with_contact_in_progress(dir.path(), RepState::Offline);
    assert_eq!(status_after(&path, Request::StartShift), Some(RepState::OnContact));
}

#[test]
fn coming_back_from_a_break_to_a_contact_in_progress_is_on_contact() {
    let dir = tempfile::tempdir().unwrap();
    let path = workspace_with_contact_in_progress(dir.path(), RepState::Break);
    assert_eq!(status_after(&path, Request::SetStatus { state: RepState::Available }), Some(RepState::OnContact));
}

#[test]
fn a_break_the_rep_set_stays_a_break_at_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = workspace_with_contact_in_progress(dir.path(), RepState::Break);
    assert_eq!(status_after(&path, Request::StartShift), Some(RepState::Break));
}
