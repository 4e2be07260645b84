//! Team mode against a real Request Tracker 5 (see `rt_server`): claiming, replies and
//! comments landing once, offline work replayed once (also after a lost answer), tickets
//! taken elsewhere, and the secret kept out of every message.

use std::os::unix::fs::PermissionsExt;

use frontline::store::{self, notes};
use frontline::team::config::{Auth, Backend, Secret, TeamSettings};
use frontline::team::rt::RtEngine;
use frontline::team::sync::{TeamAction, pull, push, record};
use frontline::team::{ClaimOutcome, Entry, HelpDesk, Ownership, TakeOutcome, TeamError, Ticket, TicketId, claim};
use rusqlite::Connection;

use crate::common::Sandbox;
use crate::rt_server::proxy::{Mode, Proxy};
use crate::rt_server::{self, password};

const QUEUES: [&str; 2] = ["General", "Billing"];

fn settings(url: &str, user: &str) -> TeamSettings {
    TeamSettings {
        backend: Backend::Rt,
        url: url.to_string(),
        user: user.to_string(),
        auth: Auth::Basic,
        secret_file: None,
        queues: QUEUES.iter().map(|q| q.to_string()).collect(),
        poll_seconds: 2,
    }
}

fn engine(url: &str, user: &str) -> RtEngine {
    RtEngine::new(&settings(url, user), &Secret::new(password(user)))
}

fn queues() -> Vec<String> {
    QUEUES.iter().map(|q| q.to_string()).collect()
}

/// A fresh workspace in its own temp dir.
fn workspace() -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let conn = store::open_workspace(&dir.path().join("w.db")).unwrap();
    (dir, conn)
}

fn contact_of(conn: &Connection, ticket: &str) -> Option<i64> {
    store::team::ticket(conn, "rt", ticket).unwrap().map(|r| r.contact_id)
}

/// A ticket rep1 has claimed, over a proxy the test can take down or make drop answers.
struct Claimed {
    proxy: Proxy,
    _dir: tempfile::TempDir,
    conn: Connection,
    rep1: RtEngine,
    contact: i64,
}

fn claimed_through_a_proxy(rt_port: u16, ticket: &str) -> Claimed {
    let proxy = Proxy::start(rt_port);
    let (_dir, mut conn) = workspace();
    let rep1 = engine(&proxy.url, "rep1");
    pull(&mut conn, &rep1, &queues()).unwrap();
    claim(&mut conn, &rep1, &TicketId(ticket.to_string())).unwrap();
    let contact = contact_of(&conn, ticket).unwrap();
    Claimed { proxy, _dir, conn, rep1, contact }
}

fn count(conn: &Connection, sql: &str, contact: i64) -> i64 {
    conn.query_row(sql, [contact], |r| r.get(0)).unwrap()
}

/// Pulls until the feed is read to its end (other tests add to RT's feed meanwhile; a poll
/// reads at most a page of it). Returns how many waiting contacts left the queue.
fn catch_up(conn: &mut Connection, desk: &dyn HelpDesk) -> usize {
    let mut gone = 0;
    loop {
        let summary = pull(conn, desk, &queues()).unwrap();
        assert!(summary.online, "{summary:?}");
        gone += summary.gone;
        if summary.changes < 100 {
            return gone;
        }
    }
}

/// Journals an action the way the contact verbs do: with its local half, in one transaction.
fn act(conn: &mut Connection, contact: i64, action: TeamAction) {
    store::write(conn, |tx| -> rusqlite::Result<()> {
        if let TeamAction::Note(text) = &action {
            notes::save_note(tx, contact, text, 1)?;
        }
        record(tx, contact, &action, 1).map(drop)
    })
    .unwrap();
}

#[test]
fn three_reps_racing_to_take_one_ticket_leave_exactly_one_winner() {
    let Some(rt) = rt_server::shared() else { return };
    let ticket = rt.create_ticket("General", "Race", "racer@example.com", "Who gets me?");
    let outcomes: Vec<(String, TakeOutcome)> = std::thread::scope(|s| {
        let handles: Vec<_> = ["rep1", "rep2", "rep3"]
            .map(|rep| {
                let ticket = TicketId(ticket.clone());
                let url = rt.url.clone();
                s.spawn(move || (rep.to_string(), engine(&url, rep).take(&ticket).unwrap()))
            })
            .into_iter()
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let winners: Vec<&String> = outcomes.iter().filter(|(_, o)| *o == TakeOutcome::Taken).map(|(r, _)| r).collect();
    assert_eq!(winners.len(), 1, "{outcomes:?}");
    let winner = winners[0].clone();
    assert_eq!(rt.owner(&ticket), winner, "RT's Owner agrees with the one winner");
    for (rep, outcome) in &outcomes {
        if *rep != winner {
            assert_eq!(*outcome, TakeOutcome::TakenBy(winner.clone()), "{rep} is told who has it");
        }
    }
}

#[test]
fn take_on_the_command_line_exits_1_naming_the_owner() {
    let Some(rt) = rt_server::shared() else { return };
    let ticket = rt.create_ticket("Billing", "Refund please", "cli@example.com", "Refund");
    let sb = Sandbox::new();
    let config = |user: &str| {
        sb.write(
            &format!("{user}.toml"),
            &format!("[team]\nurl = \"{}\"\nuser = \"{user}\"\nqueues = [\"General\", \"Billing\"]\n", rt.url),
        )
    };
    let (c2, c3) = (config("rep2"), config("rep3"));
    let take = |cfg: &std::path::Path, user: &str| {
        sb.cmd()
            .arg("--config")
            .arg(cfg)
            .args(["team", "take", &ticket])
            .env("FRONTLINE_TEAM_SECRET", password(user))
            .output()
            .unwrap()
    };
    let won = take(&c2, "rep2");
    assert!(won.status.success(), "{}", String::from_utf8_lossy(&won.stderr));
    let lost = take(&c3, "rep3");
    assert_eq!(lost.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&lost.stderr);
    assert_eq!(stderr.trim(), format!("frontline: ticket {ticket} is taken by rep2"));
    assert!(!stderr.contains(&password("rep3")));
}

#[test]
fn a_pulled_ticket_is_a_waiting_contact_with_its_customer_and_masked_card() {
    let Some(rt) = rt_server::shared() else { return };
    let ticket = rt.create_ticket(
        "General",
        "Card 4111 1111 1111 1111 declined",
        "dana@example.com",
        "My card 4111 1111 1111 1111 failed",
    );
    let (_dir, mut conn) = workspace();
    let rep1 = engine(&rt.url, "rep1");
    pull(&mut conn, &rep1, &queues()).unwrap();
    let contact = contact_of(&conn, &ticket).expect("the unowned ticket waits in the queue");
    let (subject, body, status, email): (String, String, String, String) = conn
        .query_row(
            "SELECT c.subject, c.body, c.status, i.value FROM contacts c JOIN identities i ON i.customer_id = c.customer_id
             WHERE c.id = ?1",
            [contact],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!((status.as_str(), email.as_str()), ("waiting", "dana@example.com"));
    assert!(!subject.contains("4111 1111 1111 1111") && !body.contains("4111 1111 1111 1111"), "{subject} / {body}");
    let thread =
        count(&conn, "SELECT count(*) FROM contact_messages WHERE contact_id = ?1 AND body LIKE '%failed%'", contact);
    assert_eq!(thread, 1, "the ticket's first message is the thread's first");
    // `queue --json` says which ticket the contact stands for.
    let out = assert_cmd::Command::cargo_bin("frontline")
        .unwrap()
        .env_remove("FRONTLINE_DB")
        .args(["--db", _dir.path().join("w.db").to_str().unwrap(), "queue", "--json"])
        .output()
        .unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = rows.as_array().unwrap().iter().find(|r| r["id"] == contact).unwrap();
    assert_eq!(row["team"], serde_json::json!({"backend": "rt", "id": ticket, "owner": ""}));
    // Taken by someone else: it leaves this rep's queue on the next poll.
    engine(&rt.url, "rep2").take(&TicketId(ticket.clone())).unwrap();
    assert!(catch_up(&mut conn, &rep1) >= 1);
    assert_eq!(contact_of(&conn, &ticket), None);
}

#[test]
fn a_reply_and_a_comment_land_in_rt_history_exactly_once() {
    let Some(rt) = rt_server::shared() else { return };
    let ticket = rt.create_ticket("General", "Where is my parcel?", "erin@example.com", "Parcel late");
    let (_dir, mut conn) = workspace();
    let rep1 = engine(&rt.url, "rep1");
    pull(&mut conn, &rep1, &queues()).unwrap();
    assert_eq!(claim(&mut conn, &rep1, &TicketId(ticket.clone())).unwrap(), ClaimOutcome::Taken);
    let contact = contact_of(&conn, &ticket).unwrap();
    act(&mut conn, contact, TeamAction::Reply("It ships tomorrow.".into()));
    act(&mut conn, contact, TeamAction::Note("Checked the warehouse.".into()));
    let summary = push(&mut conn, &rep1).unwrap();
    assert_eq!((summary.sent, summary.pending), (2, 0), "{summary:?}");
    // A second push and two pulls add nothing, here or there.
    push(&mut conn, &rep1).unwrap();
    catch_up(&mut conn, &rep1);
    catch_up(&mut conn, &rep1);
    assert_eq!(rt.texts(&ticket, "Correspond"), ["It ships tomorrow."]);
    assert_eq!(rt.texts(&ticket, "Comment"), ["Checked the warehouse."]);
    let notes = count(&conn, "SELECT count(*) FROM notes WHERE contact_id = ?1", contact);
    assert_eq!(notes, 1, "the rep's own comment is not stored a second time");
    let replies =
        count(&conn, "SELECT count(*) FROM contact_messages WHERE contact_id = ?1 AND direction = 'outbound'", contact);
    assert_eq!(replies, 1, "the reply is in the thread once");
}

#[test]
fn offline_work_is_replayed_once_after_restart_even_after_a_lost_answer() {
    let Some(rt) = rt_server::shared() else { return };
    let ticket = rt.create_ticket("Billing", "Double charge", "finn@example.com", "Charged twice");
    let Claimed { proxy, _dir, mut conn, rep1, contact } = claimed_through_a_proxy(rt.port, &ticket);

    proxy.set(Mode::Down);
    act(&mut conn, contact, TeamAction::Reply("Refund is on its way.".into()));
    act(&mut conn, contact, TeamAction::Note("Refunded 12.50".into()));
    let offline = push(&mut conn, &rep1).unwrap();
    assert!(!offline.online && offline.pending == 2, "{offline:?}");
    assert!(!pull(&mut conn, &rep1, &queues()).unwrap().online);

    proxy.set(Mode::Up);
    let back = push(&mut conn, &rep1).unwrap();
    assert_eq!((back.online, back.sent, back.confirmed, back.pending), (true, 2, 0, 0), "{back:?}");

    // RT acts on the next reply, but its answer never arrives.
    act(&mut conn, contact, TeamAction::Reply("One more thing.".into()));
    act(&mut conn, contact, TeamAction::Resolve);
    proxy.set(Mode::DropAnswer);
    let lost = push(&mut conn, &rep1).unwrap();
    assert!(!lost.online && lost.pending == 2, "{lost:?}");
    proxy.set(Mode::Up);
    let retried = push(&mut conn, &rep1).unwrap();
    assert_eq!((retried.confirmed, retried.sent, retried.pending), (1, 1, 0), "{retried:?}");

    assert_eq!(rt.texts(&ticket, "Correspond"), ["Refund is on its way.", "One more thing."]);
    assert_eq!(rt.texts(&ticket, "Comment"), ["Refunded 12.50"]);
    assert_eq!(rt.status(&ticket), "resolved");
}

#[test]
fn a_ticket_taken_elsewhere_while_offline_keeps_the_reply_as_a_draft() {
    let Some(rt) = rt_server::shared() else { return };
    let ticket = rt.create_ticket("General", "Password reset", "gail@example.com", "Locked out");
    let Claimed { proxy, _dir, mut conn, rep1, contact } = claimed_through_a_proxy(rt.port, &ticket);
    proxy.set(Mode::Down);
    act(&mut conn, contact, TeamAction::Reply("Try the link again.".into()));
    rt.call("PUT", &format!("ticket/{ticket}/steal"), "rep2", None).unwrap();
    proxy.set(Mode::Up);
    let summary = push(&mut conn, &rep1).unwrap();
    assert_eq!((summary.drafts, summary.sent, summary.pending), (1, 0, 0), "{summary:?}");
    assert_eq!(summary.notices, [format!("#{ticket} was taken by rep2 while you were offline")]);
    assert_eq!(notes::reply_draft(&conn, contact).unwrap().as_deref(), Some("Try the link again."));
    assert!(rt.texts(&ticket, "Correspond").is_empty());
    let thread =
        count(&conn, "SELECT count(*) FROM contact_messages WHERE contact_id = ?1 AND direction = 'outbound'", contact);
    assert_eq!(thread, 0, "a reply never sent is not in the thread");
}

#[test]
fn the_secret_never_appears_in_an_error() {
    // A closed port: nothing answers.
    let closed = format!("http://127.0.0.1:{}", rt_server::free_port());
    let err = engine(&closed, "rep1").ping().unwrap_err().to_string();
    assert!(!err.contains(&password("rep1")), "{err}");
    let Some(rt) = rt_server::shared() else { return };
    // The wrong password: RT refuses.
    let wrong = RtEngine::new(&settings(&rt.url, "rep1"), &Secret::new("not-the-pw-7731"));
    let err = wrong.take(&TicketId("1".into())).unwrap_err().to_string();
    assert!(err.contains("401") && !err.contains("not-the-pw-7731"), "{err}");
}

#[test]
fn a_secret_file_others_can_read_is_refused_with_one_line_naming_it() {
    let sb = Sandbox::new();
    let secret = sb.write("rt.secret", "hunter2-secret\n");
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o644)).unwrap();
    let config = sb.write(
        "team.toml",
        &format!("[team]\nurl = \"http://127.0.0.1:9\"\nuser = \"rep1\"\nsecret_file = \"{}\"\n", secret.display()),
    );
    let out = sb
        .cmd()
        .arg("--config")
        .arg(&config)
        .args(["team", "status"])
        .env_remove("FRONTLINE_TEAM_SECRET")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains(&secret.display().to_string()) && stderr.contains("0644"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

/// A help desk with nothing new: counts what a poll asks of it.
#[derive(Default)]
struct IdleDesk {
    calls: std::sync::Mutex<Vec<&'static str>>,
}

impl IdleDesk {
    fn note(&self, call: &'static str) {
        self.calls.lock().unwrap().push(call);
    }
}

impl HelpDesk for IdleDesk {
    fn backend(&self) -> &'static str {
        "rt"
    }
    fn url(&self) -> &str {
        "http://127.0.0.1:1"
    }
    fn user(&self) -> &str {
        "rep1"
    }
    fn ping(&self) -> Result<(), TeamError> {
        self.note("ping");
        Ok(())
    }
    fn take(&self, _: &TicketId) -> Result<TakeOutcome, TeamError> {
        unreachable!()
    }
    fn correspond(&self, _: &TicketId, _: &str) -> Result<(), TeamError> {
        unreachable!()
    }
    fn comment(&self, _: &TicketId, _: &str) -> Result<(), TeamError> {
        unreachable!()
    }
    fn set_status(&self, _: &TicketId, _: &str) -> Result<(), TeamError> {
        unreachable!()
    }
    fn move_queue(&self, _: &TicketId, _: &str) -> Result<(), TeamError> {
        unreachable!()
    }
    fn ticket(&self, _: &TicketId) -> Result<Ticket, TeamError> {
        self.note("ticket");
        Err(TeamError::Offline("idle".into()))
    }
    fn list(&self, _: &[String], _: Ownership) -> Result<Vec<Ticket>, TeamError> {
        self.note("list");
        Ok(Vec::new())
    }
    fn changes_since(&self, _: i64, _: usize) -> Result<Vec<Entry>, TeamError> {
        self.note("changes_since");
        Ok(Vec::new())
    }
    fn latest_position(&self) -> Result<i64, TeamError> {
        self.note("latest_position");
        Ok(500)
    }
    fn history(&self, _: &TicketId, _: i64) -> Result<Vec<Entry>, TeamError> {
        self.note("history");
        Ok(Vec::new())
    }
    fn content(&self, _: i64) -> Result<String, TeamError> {
        self.note("content");
        Ok(String::new())
    }
    fn queue_history(&self, _: &[String], _: Ownership) -> Result<Vec<Entry>, TeamError> {
        self.note("queue_history");
        Ok(Vec::new())
    }
}

/// As the store and jobs workers do: a ticket taken, or a poll's changes recorded, in a
/// workspace deleted under the worker could never be read back.
#[test]
fn the_team_worker_stops_once_the_workspace_is_moved_away_and_says_so_once() {
    use frontline::protocol::{Reply, TeamRequest};
    use std::time::Duration;
    let (dir, conn) = workspace();
    drop(conn);
    let db = dir.path().join("w.db");
    let (tx, rx) = std::sync::mpsc::channel();
    let tx = std::sync::Mutex::new(tx);
    let sink: frontline::workers::ReplySink = std::sync::Arc::new(move |r| drop(tx.lock().unwrap().send(r)));
    let desk = Box::new(IdleDesk::default());
    let worker =
        frontline::workers::team::TeamWorker::spawn_with(&db, desk, queues(), Duration::from_millis(20), sink).unwrap();
    assert!(matches!(rx.recv_timeout(Duration::from_secs(20)).unwrap(), Reply::TeamSynced { .. }));
    std::fs::rename(&db, dir.path().join("moved.db")).unwrap();
    worker.submit(TeamRequest::Claim { contact: 1, ticket: "7".into(), then_next: false });
    let mut replies = Vec::new();
    while let Ok(r) = rx.recv_timeout(Duration::from_millis(500)) {
        replies.push(r);
    }
    let stopped =
        replies.iter().filter(|r| matches!(r, Reply::Failed { what, .. } if what == "Stopped the team sync")).count();
    assert_eq!(stopped, 1, "said once, however many polls: {replies:?}");
    assert!(
        replies
            .iter()
            .any(|r| matches!(r, Reply::NotTaken { message, error: true } if message.contains("deleted or moved"))),
        "{replies:?}"
    );
    assert!(!replies.iter().any(|r| matches!(r, Reply::TeamSynced { .. })), "no poll after the move: {replies:?}");
}

#[test]
fn an_idle_poll_is_one_request_on_the_change_feed_not_a_rescan() {
    let (_dir, mut conn) = workspace();
    let desk = IdleDesk::default();
    pull(&mut conn, &desk, &queues()).unwrap();
    assert_eq!(
        *desk.calls.lock().unwrap(),
        ["latest_position", "list", "queue_history", "list", "queue_history"],
        "the first sync reads the queues in bulk"
    );
    desk.calls.lock().unwrap().clear();
    let summary = pull(&mut conn, &desk, &queues()).unwrap();
    assert_eq!(*desk.calls.lock().unwrap(), ["changes_since"]);
    assert_eq!((summary.online, summary.position), (true, 500));
    let pushed = push(&mut conn, &desk).unwrap();
    assert_eq!((pushed.sent, pushed.pending), (0, 0));
    assert_eq!(desk.calls.lock().unwrap().len(), 1, "an empty journal sends nothing");
}

#[test]
fn new_tickets_and_new_messages_arrive_through_the_change_feed() {
    let Some(rt) = rt_server::shared() else { return };
    let (_dir, mut conn) = workspace();
    let rep3 = engine(&rt.url, "rep3");
    pull(&mut conn, &rep3, &queues()).unwrap();
    let ticket = rt.create_ticket("Billing", "Invoice copy", "hana@example.com", "Please send my invoice");
    catch_up(&mut conn, &rep3);
    let contact = contact_of(&conn, &ticket).expect("a new ticket arrives from the feed");
    let body = "Attached, card 4111 1111 1111 1111 on file";
    rt.call(
        "POST",
        &format!("ticket/{ticket}/correspond"),
        "root",
        Some(serde_json::json!({"Content": body, "ContentType": "text/plain"})),
    )
    .unwrap();
    catch_up(&mut conn, &rep3);
    catch_up(&mut conn, &rep3);
    let texts: Vec<String> = conn
        .prepare("SELECT body FROM contact_messages WHERE contact_id = ?1 ORDER BY id")
        .unwrap()
        .query_map([contact], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(texts[1].starts_with("Attached, card") && !texts[1].contains("4111 1111 1111 1111"), "{texts:?}");
}

#[test]
fn team_status_says_offline_when_nothing_answers() {
    let sb = Sandbox::new();
    let port = rt_server::free_port();
    let config = sb.write("team.toml", &format!("[team]\nurl = \"http://127.0.0.1:{port}\"\nuser = \"rep1\"\n"));
    let out = sb
        .cmd()
        .arg("--config")
        .arg(&config)
        .args(["team", "status", "--json"])
        .env("FRONTLINE_TEAM_SECRET", "s3cret-value-991")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["online"], false);
    assert_eq!(status["pending"], 0);
    assert_eq!(status["user"], "rep1");
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!all.contains("s3cret-value-991"));
}
