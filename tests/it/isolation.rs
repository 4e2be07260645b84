//! Typing never waits on the outside world: the real binary in a pty with a sendmail that
//! hangs, a hostile HTML mail arriving mid-call and a full disk. The rep's words reach the
//! workspace (or a recovery file) whatever the jobs worker is stuck on.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::e2e_support::*;

const F12: &[u8] = b"\x1b[24~";

/// A Maildir with one email from a customer, and a config that reads it and sends replies
/// through `sendmail`.
fn mail_setup(ws: &Workspace, sendmail: &str) -> PathBuf {
    let maildir = ws.path().join("mail");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    std::fs::write(
        maildir.join("new/1.M1P1.test"),
        "From: Alice Moss <alice@customer.example>\nTo: support@larkspur.example\n\
         Subject: Parcel never came\nMessage-ID: <alice-1@customer.example>\n\
         Date: Mon, 30 Nov 2026 09:00:00 +0000\n\nMy parcel never showed up.\n",
    )
    .unwrap();
    let config = format!(
        "[intake]\nmaildirs = [{:?}]\nsendmail = {sendmail:?}\nsupport_addresses = [\"support@larkspur.example\"]\n",
        maildir.display().to_string()
    );
    write_config(ws, &config);
    maildir
}

fn write_config(ws: &Workspace, text: &str) {
    let dir = ws.path().join("config/frontline");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), text).unwrap();
}

/// A script that never reads its input and never ends, like sendmail on a dead relay.
fn hanging_sendmail(dir: &Path) -> String {
    let path = dir.join("hanging-sendmail");
    std::fs::write(&path, "#!/bin/sh\nexec sleep 600\n").unwrap();
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&path, perms).unwrap();
    path.display().to_string()
}

/// Opens the email contact, writes a reply and confirms sending it.
fn send_reply_to_alice(app: &mut Pty) {
    app.send("f");
    app.send("Parcel never");
    app.wait_screen("the queue narrowed to Alice's email", |s| s.contents().contains("Queue 1 of"));
    app.send(ENTER);
    app.open_selected_contact(None);
    // Typed in the same burst as F12: it goes into the reply.
    app.send(F12);
    app.send("We are looking into it today.");
    app.wait_text("To:   alice@customer.example");
    app.wait_text("From: support@larkspur.example");
    app.wait_text("We are looking into it today.");
    app.send(CTRL_S);
    // The first send asks the rep's name once (replies are signed with it).
    app.wait_text("Replies are signed with your name");
    app.send("Sam Rivera");
    app.send(ENTER);
    app.wait_text("Send this reply to");
    app.send("y");
}

/// The demo workstation over a synced Maildir whose sendmail never returns, with a reply to
/// Alice handed to it.
fn open_with_a_reply_stuck_in_sendmail(ws: &Workspace) -> Pty {
    let sendmail = hanging_sendmail(ws.path());
    mail_setup(ws, &sendmail);
    ws.mark_bulletins_read();
    let sync = ws.frontline(&["--demo", "sync"]).output().unwrap();
    assert!(sync.status.success(), "{}", String::from_utf8_lossy(&sync.stderr));
    let mut app = ws.open_demo_as_is();
    send_reply_to_alice(&mut app);
    app
}

/// Types `words` into the open contact's notes, waits for "draft saved", kills the process
/// with no chance to flush, and checks the words are in a draft on disk.
fn type_until_saved_then_kill(ws: &Workspace, app: &mut Pty, words: &str) {
    app.send(words);
    app.wait_screen("the words saved as the draft", |s| {
        let c = s.contents();
        c.contains(words) && c.lines().any(|l| l.contains("Notes draft saved"))
    });
    app.signal(Signal::SIGKILL);
    app.wait_exit(Duration::from_secs(5));
    assert!(ws.has_draft(words), "the draft is on disk: {:?}", ws.drafts());
}

/// After a reply is handed to a sendmail that hangs, the next contact is taken and what the
/// rep types is on disk: a SIGKILL loses nothing.
#[test]
fn a_hanging_sendmail_never_delays_the_next_contacts_notes() {
    let ws = Workspace::new();
    let mut app = open_with_a_reply_stuck_in_sendmail(&ws);

    app.send(F2);
    app.wait_screen("the next contact's handle timer", |s| s.contents().contains("● 0:"));
    type_until_saved_then_kill(&ws, &mut app, "Caller wants the invoice resent to the new address");
}

/// Quitting while sendmail hangs takes no more than a couple of seconds and says the reply
/// was not confirmed sent (it stays a draft).
#[test]
fn quitting_while_a_reply_is_stuck_says_so_and_does_not_wait() {
    let ws = Workspace::new();
    let mut app = open_with_a_reply_stuck_in_sendmail(&ws);
    app.send(CTRL_Q);
    let (status, _) = app.wait_exit(Duration::from_secs(5));
    assert!(exited(status, 0), "{status:?}");
    let out = String::from_utf8_lossy(&app.bytes()).to_string();
    assert!(out.contains("was not confirmed sent; it is kept as a draft"), "{out}");
}

/// A 1.6 MB HTML-only mail made of `<!` arrives in a watched Maildir during a call: the
/// rep's notes are saved while it is being read.
#[test]
fn a_hostile_html_mail_arriving_mid_call_never_delays_the_notes() {
    let ws = Workspace::new();
    let maildir = mail_setup(&ws, "/bin/true");
    ws.mark_bulletins_read();
    let mut app = ws.open_demo_as_is();
    app.send(F2);
    app.wait_screen("the accepted contact's handle timer", |s| s.contents().contains("● 0:"));
    let mut hostile = String::from(
        "From: mallory@evil.example\nTo: support@larkspur.example\nSubject: hi\n\
         Message-ID: <hostile-1@evil.example>\nContent-Type: text/html\n\n",
    );
    hostile.push_str(&"<!".repeat(800_000));
    std::fs::write(maildir.join("tmp/2.M2P2.test"), &hostile).unwrap();
    std::fs::rename(maildir.join("tmp/2.M2P2.test"), maildir.join("new/2.M2P2.test")).unwrap();
    type_until_saved_then_kill(&ws, &mut app, "Promised a callback before five");
}

/// The demo with every write failing as on a full disk, a contact open in it.
fn contact_open_on_a_full_disk() -> (Workspace, Pty) {
    let ws = Workspace::new();
    ws.mark_bulletins_read();
    let mut cmd = ws.frontline(&["--demo"]);
    cmd.env("FRONTLINE_FAULT", "disk-full");
    let mut app = Pty::spawn(cmd, COLS, ROWS);
    app.wait_for_queue();
    app.open_selected_contact(None);
    (ws, app)
}

/// A full disk: the Notes title says NOT SAVED at once, Ctrl-Q asks instead of exiting,
/// and `w` writes the text to a recovery file whose path is printed.
#[test]
fn a_full_disk_is_said_at_once_and_quitting_offers_a_recovery_file() {
    let (_ws, mut app) = contact_open_on_a_full_disk();
    let words = "Customer read out the new shipping address";
    app.send(words);
    app.wait_text("NOT SAVED: database or disk is full");
    app.send(CTRL_Q);
    app.wait_text("write it to a recovery file and quit");
    app.send("w");
    let (status, _) = app.wait_exit(Duration::from_secs(5));
    assert!(exited(status, 0), "{status:?}");
    let out = String::from_utf8_lossy(&app.bytes()).to_string();
    let path = out
        .split("was written to ")
        .nth(1)
        .and_then(|rest| rest.split(['\r', '\n']).next())
        .unwrap_or_else(|| panic!("no recovery path in {out:?}"));
    let text = std::fs::read_to_string(path.trim()).unwrap();
    assert!(text.contains(words), "{text}");
}

/// Quitting and choosing to lose the unsaved text exits non-zero and says so.
#[test]
fn quitting_without_the_unsaved_text_exits_non_zero() {
    let (_ws, mut app) = contact_open_on_a_full_disk();
    app.send("lost words");
    app.wait_text("NOT SAVED");
    app.send(CTRL_Q);
    app.wait_text("quit and lose it");
    app.send("d");
    let (status, _) = app.wait_exit(Duration::from_secs(5));
    assert!(exited(status, 1), "{status:?}");
    assert!(String::from_utf8_lossy(&app.bytes()).contains("quit without saving"));
}
