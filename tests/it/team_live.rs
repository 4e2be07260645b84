//! Team mode in the running workstation, against the real Request Tracker: unowned tickets
//! are waiting contacts, a ticket taken by someone else leaves the queue by itself, and
//! accepting a ticket someone else won says who has it instead of making it the rep's.

use std::time::Duration;

use crate::e2e_support::*;
use crate::rt_server::{self, RtServer, password};

/// The workstation for rep `user`, on an empty workspace, polling RT every `poll` seconds.
fn workstation(ws: &Workspace, rt: &RtServer, user: &str, poll: u64) -> Pty {
    let config = ws.path().join("config/frontline");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.toml"),
        format!(
            "[team]\nurl = \"{}\"\nuser = \"{user}\"\nqueues = [\"General\", \"Billing\"]\npoll_seconds = {poll}\n",
            rt.url
        ),
    )
    .unwrap();
    let db = ws.path().join("team.db");
    let mut cmd = ws.frontline(&["--db", &db.display().to_string()]);
    cmd.env("FRONTLINE_TEAM_SECRET", password(user));
    let pty = Pty::spawn(cmd, COLS, ROWS);
    pty.wait_text("team online");
    pty
}

/// A subject no other test uses.
fn subject(what: &str) -> String {
    format!("{what} {}", std::process::id())
}

#[test]
fn a_ticket_taken_elsewhere_leaves_the_running_queue_by_itself() {
    let Some(rt) = rt_server::shared() else { return };
    let title = subject("Lost luggage tag");
    let ticket = rt.create_ticket("General", &title, "lugg@example.com", "My tag fell off");
    let ws = Workspace::new();
    let mut app = workstation(&ws, rt, "rep1", 1);
    app.wait_text(&title);
    rt.call("PUT", &format!("ticket/{ticket}/take"), "rep2", None).unwrap();
    let taken = std::time::Instant::now();
    app.wait_screen("the ticket gone from the queue", |s| !s.contents().contains(&title));
    // Printed, not asserted (timings belong to benchmarks): poll_seconds is 1 here.
    println!("taken in RT → gone from the screen: {} ms", taken.elapsed().as_millis());
    app.send(CTRL_Q);
    app.wait_exit(Duration::from_secs(5));
}

#[test]
fn accepting_a_ticket_someone_else_won_says_who_has_it() {
    let Some(rt) = rt_server::shared() else { return };
    let title = subject("Broken zip claim");
    let ticket = rt.create_ticket("Billing", &title, "zip@example.com", "The zip broke");
    let ws = Workspace::new();
    // A long poll: the queue still shows the ticket when the rep presses a.
    let mut app = workstation(&ws, rt, "rep1", 600);
    app.send("f");
    app.send(title.as_str());
    app.wait_screen("the queue narrowed to the ticket", |s| s.contents().contains("Queue 1 of"));
    app.send(ENTER);
    // rep3 takes it in RT before this rep presses a: RT's own take decides.
    rt.call("PUT", &format!("ticket/{ticket}/take"), "rep3", None).unwrap();
    app.wait_screen("the queue focused", |s| s.contents().contains("▶ Queue"));
    app.send("a");
    app.wait_text(&format!("#{ticket} was taken by rep3"));
    assert_eq!(rt.owner(&ticket), "rep3", "RT keeps one owner");
    app.send(CTRL_Q);
    app.wait_exit(Duration::from_secs(5));
}

#[test]
fn accepting_a_free_ticket_takes_it_in_rt_first() {
    let Some(rt) = rt_server::shared() else { return };
    let title = subject("Parcel never came");
    let ticket = rt.create_ticket("General", &title, "parcel@example.com", "Where is it");
    let ws = Workspace::new();
    let mut app = workstation(&ws, rt, "rep2", 1);
    app.send("f");
    app.send(title.as_str());
    app.wait_screen("the queue narrowed to the ticket", |s| s.contents().contains("Queue 1 of"));
    app.send(ENTER);
    app.send(F2);
    app.wait_screen("the accepted contact's handle timer", |s| s.contents().contains("● 0:"));
    assert_eq!(rt.owner(&ticket), "rep2");
    app.send(CTRL_Q);
    app.wait_text("1 contact in progress");
    app.send("y");
    app.wait_exit(Duration::from_secs(5));
}
