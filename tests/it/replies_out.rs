//! Replies going out, attacked first: a joined message that tries to choose the reply's
//! From and To, stored sender "addresses" that hide a second recipient, a sendmail that
//! never reads or never exits. Then the way back on every channel: email, the inbox's
//! outbox or `reply_command`, and phone or walk-in contacts, where what was said is logged.

use std::path::{Path, PathBuf};

use frontline::domain::{Channel, Id, IdentityKind};
use frontline::intake::inbox;
use frontline::intake::reply::{self, Delivery, EmailAddress, Mailbox, NotSent, Route, Settings};
use frontline::store::messages::{self, Direction, NewMessage};
use frontline::store::{self, contacts, customers, notes, origins};
use rusqlite::Connection;
use serde_json::Value;

use crate::common::fixture;

/// A moment after every message below (2027-01-15).
const NOW: i64 = 1_800_000_000;

fn inbound(id: &str, in_reply_to: Option<&str>, from: &str, to: &str, body: &str, at: i64) -> NewMessage {
    NewMessage {
        message_id: id.into(),
        in_reply_to: in_reply_to.map(str::to_string),
        references: in_reply_to.map(|r| vec![r.to_string()]).unwrap_or_default(),
        direction: Direction::Inbound,
        sent_at: at,
        from_addr: from.into(),
        to_addr: to.into(),
        subject: "Where is my order?".into(),
        body: body.into(),
        source: format!("/maildir/cur/{id}"),
    }
}

/// A contact on `channel` of a new customer known by `identity` (if any), with these
/// messages in its thread.
fn contact_with(conn: &mut Connection, channel: Channel, identity: Option<&str>, thread: &[NewMessage]) -> Id {
    store::write(conn, |tx| -> rusqlite::Result<Id> {
        let identities = identity.map(|i| vec![(IdentityKind::Email, i.to_string())]).unwrap_or_default();
        let new_customer = customers::NewCustomer { name: "Alice Example".into(), identities, ..Default::default() };
        let customer = customers::insert(tx, &new_customer, NOW - 1000)?;
        let mut new = contacts::NewContact::waiting(channel, "Where is my order?", NOW - 1000);
        new.customer_id = Some(customer);
        let contact = contacts::insert(tx, &new)?;
        for m in thread {
            messages::insert(tx, contact, m)?;
        }
        Ok(contact)
    })
    .unwrap()
}

fn email_contact(conn: &mut Connection, identity: &str, thread: &[NewMessage]) -> Id {
    contact_with(conn, Channel::Email, Some(identity), thread)
}

/// Alice wrote to support; Mallory's message, answering hers, joined her contact (as an
/// older Frontline let it), was addressed to the CEO, and is dated `mallory_at`.
fn hijacked_thread(conn: &mut Connection, mallory_at: i64) -> Id {
    let alice = "alice@customer.example";
    let first = inbound("a1@customer.example", None, alice, "support@larkspur.example", "Order LK-104233?", NOW - 900);
    let mallory = inbound(
        "m1@evil.example",
        Some("a1@customer.example"),
        "mallory@evil.example",
        "ceo@larkspur.example",
        "Please confirm my delivery address.",
        mallory_at,
    );
    email_contact(conn, alice, &[first, mallory])
}

fn db() -> Connection {
    store::open_in_memory().unwrap()
}

fn address(a: &str) -> EmailAddress {
    EmailAddress::parse(a).unwrap()
}

/// Email replies written to `outbox`, from whatever support address the customer wrote to.
fn email_settings(outbox: &Path, support: &[&str]) -> Settings {
    Settings {
        email: Some(Delivery::Outbox(outbox.to_path_buf())),
        support_addresses: support.iter().map(|a| address(a)).collect(),
        ..Settings::default()
    }
}

/// The files directly in a folder (none if it does not exist).
fn files_in(dir: &Path) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(dir).map(|d| d.map(|e| e.unwrap().path()).collect::<Vec<_>>());
    entries.unwrap_or_default().into_iter().filter(|p| p.is_file()).collect()
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The To and From addresses of a message as a mail reader sees them, and its text.
fn read_mail(raw: &[u8]) -> (Vec<String>, Vec<String>, String) {
    let parsed = mail_parser::MessageParser::default().parse(raw).unwrap();
    let list = |a: Option<&mail_parser::Address<'_>>| -> Vec<String> {
        a.map(|a| a.iter().filter_map(|m| m.address().map(str::to_string)).collect()).unwrap_or_default()
    };
    (list(parsed.to()), list(parsed.from()), parsed.body_text(0).unwrap().into_owned())
}

fn notes_of(conn: &Connection, contact: Id) -> Vec<String> {
    notes::for_contact(conn, contact).unwrap().into_iter().map(|n| n.body).collect()
}

// ---------------------------------------------------------------- email: who and from where

#[test]
fn a_joined_message_chooses_neither_the_from_nor_the_to_of_the_reply() {
    // Mallory's message dated after Alice's, and dated before it (a Date header is the
    // sender's to choose), with the CEO's address configured as one of ours.
    for mallory_at in [NOW - 800, NOW - 5000] {
        let mut conn = db();
        let alice = hijacked_thread(&mut conn, mallory_at);
        let tmp = tempfile::tempdir().unwrap();
        let outbox = tmp.path().join("Outbox");
        let settings = email_settings(&outbox, &["support@larkspur.example", "ceo@larkspur.example"]);
        let shown = reply::recipients(&conn, alice, &settings).unwrap();
        assert_eq!(
            (shown.to_line().as_str(), shown.from_line().as_str()),
            ("alice@customer.example", "support@larkspur.example")
        );

        let sent = reply::send(&mut conn, alice, "Your parcel goes to 12 Elm St.", &settings, NOW).unwrap();
        assert_eq!(sent.recipients, shown, "sent as shown");
        let files = files_in(&outbox.join("new"));
        assert_eq!(files.len(), 1);
        let (to, from, text) = read_mail(&std::fs::read(&files[0]).unwrap());
        assert_eq!(to, ["alice@customer.example"], "the reply goes to the customer alone");
        assert_eq!(from, ["support@larkspur.example"], "from the address Alice wrote to first");
        assert!(text.contains("> Order LK-104233?") && !text.contains("delivery address"), "quotes Alice only: {text}");
        let message = sent.message.unwrap();
        assert_eq!(message.message.in_reply_to.as_deref(), Some("a1@customer.example"), "answers Alice's message");
    }
}

#[test]
fn the_configured_from_is_used_unless_the_customer_wrote_to_a_support_address() {
    let mut conn = db();
    let alice = hijacked_thread(&mut conn, NOW - 800);
    let tmp = tempfile::tempdir().unwrap();
    let mut settings = email_settings(&tmp.path().join("Outbox"), &[]);
    let err = reply::recipients(&conn, alice, &settings).unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "contact #{alice}: no From address for the reply: set `from` or `support_addresses` under [intake] in the config"
        ),
        "nothing configured: no From taken from any message"
    );
    settings.from = Mailbox::parse("Larkspur Support <help@larkspur.example>");
    assert_eq!(
        reply::recipients(&conn, alice, &settings).unwrap().from_line(),
        "Larkspur Support <help@larkspur.example>"
    );
    settings.support_addresses = vec![address("SUPPORT@larkspur.example")];
    assert_eq!(reply::recipients(&conn, alice, &settings).unwrap().from_line(), "SUPPORT@larkspur.example");
    settings.from = Mailbox::parse("Larkspur Support <support@larkspur.example>");
    assert_eq!(
        reply::recipients(&conn, alice, &settings).unwrap().from_line(),
        "Larkspur Support <support@larkspur.example>",
        "the configured name with the address written to"
    );
}

#[test]
fn a_stored_sender_that_hides_a_second_recipient_is_never_replied_to() {
    let lines = std::fs::read_to_string(fixture("replies/bad_senders.txt")).unwrap();
    let mut senders: Vec<String> =
        lines.lines().filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_string).collect();
    senders.push("a@x.example\nBcc: b@evil.example".into());
    senders.push("a@x.example\r\nBcc: b@evil.example".into());
    for sender in &senders {
        let mut conn = db();
        let first = inbound("i1@x.example", None, sender, "support@larkspur.example", "Hello", NOW - 900);
        let contact = email_contact(&mut conn, sender, &[first]);
        let tmp = tempfile::tempdir().unwrap();
        let outbox = tmp.path().join("Outbox");
        let settings = email_settings(&outbox, &["support@larkspur.example"]);
        let err = match reply::send(&mut conn, contact, "Hi", &settings, NOW) {
            Ok(_) => panic!("sender {sender:?}: a reply was sent"),
            Err(e) => e.to_string(),
        };
        let expected = format!(
            "contact #{contact}: the sender's address {sender:?} is not one valid email address; reply by another channel"
        );
        assert_eq!(err, expected, "sender {sender:?}");
        assert!(!err.contains('\n') && !err.contains('\r'), "one line: {err:?}");
        assert!(files_in(&outbox.join("new")).is_empty(), "sender {sender:?}: nothing delivered");
        assert_eq!(messages::messages(&conn, contact).unwrap().len(), 1, "sender {sender:?}: nothing recorded");
        assert_eq!(reply::recipients(&conn, contact, &settings).unwrap_err().to_string(), expected);
    }
}

#[test]
fn a_thread_with_no_message_from_the_customer_is_not_answered_by_email() {
    let mut conn = db();
    let stranger = inbound("s1@x.example", None, "stranger@x.example", "support@larkspur.example", "Hi", NOW - 900);
    let contact = email_contact(&mut conn, "alice@customer.example", &[stranger]);
    let tmp = tempfile::tempdir().unwrap();
    let settings = email_settings(&tmp.path().join("Outbox"), &["support@larkspur.example"]);
    let err = reply::send(&mut conn, contact, "Hi", &settings, NOW).unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "contact #{contact}: the sender's address \"stranger@x.example\" is not an address of the contact's customer; reply by another channel"
        )
    );
}

#[test]
fn an_email_contact_without_a_thread_is_answered_at_the_customers_address() {
    let mut conn = db();
    let contact = contact_with(&mut conn, Channel::Email, Some("alice@customer.example"), &[]);
    let tmp = tempfile::tempdir().unwrap();
    let outbox = tmp.path().join("Outbox");
    let mut settings = email_settings(&outbox, &["support@larkspur.example"]);
    settings.from = Mailbox::parse("support@larkspur.example");
    let sent = reply::send(&mut conn, contact, "Card 4111 1111 1111 1111 was refunded.", &settings, NOW).unwrap();
    let raw = std::fs::read(&files_in(&outbox.join("new"))[0]).unwrap();
    let (to, from, text) = read_mail(&raw);
    assert_eq!((to, from), (vec!["alice@customer.example".to_string()], vec!["support@larkspur.example".to_string()]));
    assert!(text.starts_with("Card 411111******1111 was refunded."), "masked on the way out: {text}");
    let message = sent.message.unwrap();
    assert_eq!((message.message.subject.as_str(), message.message.in_reply_to), ("Re: Where is my order?", None));
}

#[test]
fn read_from_a_maildir_the_hostile_messages_neither_redirect_nor_multiply_a_reply() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("INBOX");
    crate::common::copy_dir(&fixture("replies/maildir"), &dir);
    for sub in ["new", "tmp"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    let mut conn = db();
    frontline::intake::maildir::sync_maildir(&mut conn, &dir, NOW).unwrap();
    let outbox = tmp.path().join("Outbox");
    let settings = email_settings(&outbox, &["support@larkspur.example", "ceo@larkspur.example"]);
    let contact_of = |conn: &Connection, id: &str| messages::thread_of(conn, Some(id), &[]).unwrap().unwrap();

    // Whether or not Mallory's message joined Alice's contact, the reply is Alice's alone.
    let alice = contact_of(&conn, "a1@customer.example");
    reply::send(&mut conn, alice, "It is on its way to 12 Elm St.", &settings, NOW).unwrap();
    let files = files_in(&outbox.join("new"));
    let (to, from, _) = read_mail(&std::fs::read(&files[0]).unwrap());
    assert_eq!((to, from), (vec!["alice@customer.example".to_string()], vec!["support@larkspur.example".to_string()]));

    // A sender whose From hides a second recipient gets no email reply at all.
    for id in ["i1@x.example", "i2@x.example"] {
        let contact = contact_of(&conn, id);
        let err = reply::send(&mut conn, contact, "Refunded.", &settings, NOW).unwrap_err().to_string();
        assert!(err.starts_with(&format!("contact #{contact}: ")) && !err.contains('\n'), "{id}: {err}");
        assert!(reply::recipients(&conn, contact, &settings).is_err(), "{id}");
    }
    assert_eq!(files_in(&outbox.join("new")).len(), 1, "only Alice's reply left");
}

// ---------------------------------------------------------------- sendmail that never finishes

/// Settings read from a config as a rep writes it, with the timeout at 1 s.
fn hanging_sendmail_settings(command: &str) -> Settings {
    let text = format!(
        "[intake]\nsendmail = \"{command}\"\nsendmail_timeout_seconds = 1\nsupport_addresses = [\"support@larkspur.example\"]\n"
    );
    let (config, warnings) = frontline::config::parse(&text, "c.toml").unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    Settings::from_config(&config.intake, Path::new("/nonexistent/frontline.db"))
}

/// Whether every process in a process group has ended (zombies count as ended).
fn group_ended(group: &str) -> bool {
    std::fs::read_dir("/proc").unwrap().filter_map(Result::ok).all(|entry| {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { return true };
        // pid (comm) state ppid pgrp …: the fields after the last ')'.
        let fields: Vec<&str> = stat.rsplit_once(')').map_or("", |(_, rest)| rest).split_whitespace().collect();
        fields.first() == Some(&"Z") || fields.get(2) != Some(&group)
    })
}

#[test]
fn a_sendmail_that_never_reads_or_never_exits_is_stopped_and_the_reply_stays_a_draft() {
    let tmp = tempfile::tempdir().unwrap();
    let pid_file = tmp.path().join("sendmail.pid");
    let script = tmp.path().join("hang.sh");
    let hang = std::fs::read_to_string(fixture("replies/hang-ignoring-stdin.sh")).unwrap();
    std::fs::write(&script, format!("echo $$ > {}\n{hang}", pid_file.display())).unwrap();
    // A script that ignores the message and hangs (with a child of its own), and a sleep
    // that never reads a message too big for the pipe.
    let big = format!("Hello Alice,\n{}", "the parcel is on its way. ".repeat(12_000));
    for (command, body) in
        [(format!("sh {}", script.display()), "Hello Alice".to_string()), ("/bin/sleep 120".into(), big)]
    {
        let mut conn = db();
        let alice = hijacked_thread(&mut conn, NOW - 800);
        let settings = hanging_sendmail_settings(&command);
        let err = reply::send(&mut conn, alice, &body, &settings, NOW).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "contact #{alice}: sendmail `{command}` did not finish within 1 s; the reply was not sent and is kept as a draft"
            )
        );
        let not_sent = err.downcast_ref::<NotSent>().expect("a NotSent the workstation can show on the contact");
        assert!(not_sent.kept_as_draft);
        assert_eq!(messages::messages(&conn, alice).unwrap().len(), 2, "nothing recorded as sent");
        assert!(notes_of(&conn, alice).is_empty(), "no \"Reply sent\" note");
        assert_eq!(notes::reply_draft(&conn, alice).unwrap().as_deref(), Some(body.as_str()), "kept as the draft");
    }
    // The script and the sleep it started were stopped together.
    let group = std::fs::read_to_string(&pid_file).unwrap().trim().to_string();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !group_ended(&group) && std::time::Instant::now() < deadline {
        std::thread::yield_now();
    }
    assert!(group_ended(&group), "process group {group} still running");
}

#[test]
fn a_failed_send_leaves_a_different_draft_alone_and_a_sent_one_clears_the_same_draft() {
    let mut conn = db();
    let alice = hijacked_thread(&mut conn, NOW - 800);
    store::write(&mut conn, |tx| notes::save_reply_draft(tx, alice, "Draft the rep is still writing", NOW)).unwrap();
    let err = reply::send(&mut conn, alice, "From the command line", &hanging_sendmail_settings("/bin/false"), NOW)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "contact #{alice}: sendmail `/bin/false` failed (exit status 1): no message on stderr; the reply was not sent (the contact's other reply draft is unchanged)"
        )
    );
    assert_eq!(notes::reply_draft(&conn, alice).unwrap().as_deref(), Some("Draft the rep is still writing"));

    let tmp = tempfile::tempdir().unwrap();
    let settings = email_settings(&tmp.path().join("Outbox"), &["support@larkspur.example"]);
    reply::send(&mut conn, alice, "Another answer", &settings, NOW).unwrap();
    assert!(notes::reply_draft(&conn, alice).unwrap().is_some(), "a different draft stays");
    reply::send(&mut conn, alice, "Draft the rep is still writing\n", &settings, NOW + 1).unwrap();
    assert_eq!(notes::reply_draft(&conn, alice).unwrap(), None, "the draft that was sent is gone");
}

// ---------------------------------------------------------------- the inbox's way back

/// The fixture chat taken in through an inbox beside a workspace in `root`, and recorded as
/// an inbox contact the way the inbox pass is to record it.
fn inbox_chat(conn: &mut Connection, root: &Path) -> Id {
    let inbox_dir = root.join("inbox");
    std::fs::create_dir_all(&inbox_dir).unwrap();
    std::fs::copy(fixture("replies/inbox/chat-conv-881.json"), inbox_dir.join("chat-conv-881.json")).unwrap();
    let summary = inbox::process_inbox(conn, &inbox_dir, NOW - 600).unwrap();
    let contact = summary.imported[0].contacts[0];
    store::write(conn, |tx| origins::record_inbox(tx, contact, Some("conv-881"), Some("@trail_runner_42"))).unwrap();
    contact
}

fn workspace_settings(root: &Path, extra: &str) -> Settings {
    let (config, warnings) = frontline::config::parse(&format!("[intake]\n{extra}"), "c.toml").unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    Settings::from_config(&config.intake, &root.join("frontline.db"))
}

#[test]
fn a_reply_to_an_inbox_chat_is_one_private_json_file_in_the_outbox_beside_the_inbox() {
    let tmp = tempfile::tempdir().unwrap();
    let mut conn = db();
    let chat = inbox_chat(&mut conn, tmp.path());
    let settings = workspace_settings(tmp.path(), "");
    let shown = reply::recipients(&conn, chat, &settings).unwrap();
    assert_eq!(shown.to_line(), "@trail_runner_42 (Chat conversation conv-881)");
    let outbox = tmp.path().join("outbox");
    assert_eq!(shown.from_line(), format!("a file in {}", outbox.display()));

    let text = "It left the depot today.\nCard 4111 1111 1111 1111 was not charged.";
    let sent = reply::send(&mut conn, chat, text, &settings, NOW).unwrap();
    let files = files_in(&outbox);
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files_in(&outbox.join("tmp")).is_empty(), "nothing left half-written");
    assert_eq!(mode(&files[0]), 0o600);
    assert_eq!(mode(&outbox), 0o700);
    assert!(inbox::is_candidate(&files[0]), "named NAME.json like an inbox file");
    let json: Value = serde_json::from_slice(&std::fs::read(&files[0]).unwrap()).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "contact_id": chat,
            "external_id": "conv-881",
            "channel": "chat",
            "customer": "@trail_runner_42",
            "text": "It left the depot today.\nCard 411111******1111 was not charged.",
            "sent_at": "2027-01-15T08:00:00Z",
        })
    );
    assert_eq!(sent.delivered_to, Some(files[0].display().to_string()));
    assert!(matches!(sent.recipients.route, Route::Inbox { .. }));
    let notes = notes_of(&conn, chat);
    assert_eq!(
        notes,
        [format!(
            "Reply sent to @trail_runner_42 (Chat conversation conv-881) via a file in {}:\n\nIt left the depot today.\nCard 411111******1111 was not charged.",
            outbox.display()
        )],
        "the transcript shows our side too"
    );
}

#[test]
fn reply_command_gets_the_same_json_on_stdin_and_the_same_deadline() {
    let tmp = tempfile::tempdir().unwrap();
    let mut conn = db();
    let chat = inbox_chat(&mut conn, tmp.path());
    let captured = tmp.path().join("captured.json");
    let capture = format!("sh {} {}", fixture("replies/capture-stdin.sh").display(), captured.display());
    let settings = workspace_settings(tmp.path(), &format!("reply_command = \"{capture}\"\n"));
    assert_eq!(reply::recipients(&conn, chat, &settings).unwrap().from_line(), format!("`{capture}`"));
    let sent = reply::send(&mut conn, chat, "On its way.", &settings, NOW).unwrap();
    let json: Value = serde_json::from_slice(&std::fs::read(&captured).unwrap()).unwrap();
    assert_eq!((json["external_id"].as_str(), json["text"].as_str()), (Some("conv-881"), Some("On its way.")));
    assert_eq!(sent.delivered_to, Some(format!("reply_command: {capture}")));
    assert!(files_in(&tmp.path().join("outbox")).is_empty(), "the command instead of a file");

    let hang = format!("sh {}", fixture("replies/hang-ignoring-stdin.sh").display());
    let settings =
        workspace_settings(tmp.path(), &format!("reply_command = \"{hang}\"\nsendmail_timeout_seconds = 1\n"));
    let err = reply::send(&mut conn, chat, "Still there?", &settings, NOW + 1).unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "contact #{chat}: reply_command `{hang}` did not finish within 1 s; the reply was not sent and is kept as a draft"
        )
    );
    assert_eq!(notes_of(&conn, chat).len(), 1, "only the first reply is recorded");
}

#[test]
fn phone_and_walk_in_replies_are_logged_as_said_and_nothing_leaves() {
    let tmp = tempfile::tempdir().unwrap();
    let settings = workspace_settings(tmp.path(), "sendmail = \"/bin/false\"\nfrom = \"support@larkspur.example\"\n");
    for channel in [Channel::Phone, Channel::InPerson] {
        let mut conn = db();
        let contact = contact_with(&mut conn, channel, Some("alice@customer.example"), &[]);
        let shown = reply::recipients(&conn, contact, &settings).unwrap();
        let said = if channel == Channel::Phone { "on the phone" } else { "in person" };
        assert_eq!(
            (shown.to_line(), shown.from_line()),
            ("Alice Example".to_string(), format!("you, {said} (logged as said)"))
        );
        let sent =
            reply::send(&mut conn, contact, "Refund to card 4111 1111 1111 1111 today.", &settings, NOW).unwrap();
        assert_eq!((sent.delivered_to, sent.message), (None, None));
        assert_eq!(notes_of(&conn, contact), ["Said to the customer: Refund to card 411111******1111 today."]);
    }
    assert!(std::fs::read_dir(tmp.path()).unwrap().next().is_none(), "no file written anywhere");
}

#[test]
fn a_chat_that_did_not_come_through_the_inbox_cannot_be_answered_and_says_so() {
    let mut conn = db();
    let chat = contact_with(&mut conn, Channel::Chat, None, &[]);
    let tmp = tempfile::tempdir().unwrap();
    let err = reply::send(&mut conn, chat, "Hi", &workspace_settings(tmp.path(), ""), NOW).unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "contact #{chat}: a chat contact that did not come through the inbox has no way to send a reply; write the answer as a note"
        )
    );
}

#[test]
fn forgetting_the_customer_forgets_the_conversation_id_and_key_kept_for_replies() {
    let tmp = tempfile::tempdir().unwrap();
    let mut conn = db();
    let chat = inbox_chat(&mut conn, tmp.path());
    let customer = contacts::contact(&conn, chat).unwrap().unwrap().customer_id.unwrap();
    store::erase::forget_customer(&mut conn, customer).unwrap();
    assert_eq!(
        origins::origin(&conn, chat).unwrap(),
        Some(origins::Origin::Inbox { external_id: None, customer_key: None })
    );
}

// ---------------------------------------------------------------- config

#[test]
fn reply_settings_come_from_intake_with_line_numbered_warnings() {
    let text = "[intake]\nsupport_addresses = [\"support@larkspur.example\", \"a@x.example,b@evil.example\"]\n\
                sendmail_timeout_seconds = 0\nreply_command = \"bridge-reply --stdin\"\n\
                from = \"Support <support@larkspur.example>, b@evil.example\"\n";
    let (config, warnings) = frontline::config::parse(text, "c.toml").unwrap();
    let mut warnings: Vec<String> = warnings.into_iter().map(|w| w.0).collect();
    warnings.sort();
    assert_eq!(
        warnings,
        [
            "c.toml:2: intake.support_addresses: \"a@x.example,b@evil.example\" is not one plain email address (left out)",
            "c.toml:3: intake.sendmail_timeout_seconds: expected a whole number of seconds from 1 to 3600",
            "c.toml:5: intake.from: expected an email address like \"Support <support@example.com>\"",
        ]
    );
    let settings = Settings::from_config(&config.intake, Path::new("/data/frontline.db"));
    assert_eq!(settings.support_addresses, [address("support@larkspur.example")]);
    assert_eq!(settings.timeout, std::time::Duration::from_secs(30), "the default stays");
    assert_eq!(settings.from, None);
    assert_eq!(settings.reply_command.as_deref(), Some("bridge-reply --stdin"));
    assert_eq!(settings.inbox_outbox, Some(PathBuf::from("/data/outbox")));
}

/// The whole way round through the binary: a chat dropped into the inbox with the other
/// system's conversation id, accepted and answered, comes back as a JSON file carrying it.
#[test]
fn a_chat_from_the_inbox_is_answered_through_the_outbox_with_its_conversation_id() {
    let sb = crate::common::Sandbox::new();
    let inbox = sb.path("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    std::fs::write(
        inbox.join("chat-1.json"),
        r#"{"channel": "chat", "customer": "@trail_runner_42", "subject": "Order status",
            "body": "Where is my order?", "external_id": "conv-77"}"#,
    )
    .unwrap();
    let config = sb.write("config.toml", &format!("[intake]\ninbox = {:?}\n", inbox.display().to_string()));
    let config = config.to_str().unwrap();
    sb.ok(&["--config", config, "inbox"]);
    let queue = sb.json(&["queue", "--json"]);
    let id = queue.as_array().unwrap().iter().find(|r| r["subject"] == "Order status").unwrap()["id"].as_i64().unwrap();
    sb.ok(&["--config", config, "contact", "accept", &id.to_string()]);
    sb.ok(&["--config", config, "contact", "reply", &id.to_string(), "It", "ships", "today."]);
    let outbox = sb.path("outbox");
    let files: Vec<_> =
        std::fs::read_dir(&outbox).unwrap().filter_map(Result::ok).filter(|e| e.path().is_file()).collect();
    assert_eq!(files.len(), 1);
    let json: Value = serde_json::from_slice(&std::fs::read(files[0].path()).unwrap()).unwrap();
    assert_eq!(json["external_id"], "conv-77");
    assert_eq!(json["customer"], "@trail_runner_42");
    assert_eq!(json["text"], "It ships today.");
    // Forgetting the customer takes the reply file with it, and says so.
    let forgot = sb.json(&["--config", config, "customer", "forget", "@trail_runner_42", "--yes", "--json"]);
    assert!(std::fs::read_dir(&outbox).unwrap().filter_map(Result::ok).all(|e| !e.path().is_file()));
    let cleaned = forgot["cleaned"].as_array().unwrap();
    assert!(cleaned.iter().any(|c| c["where"] == "file" && c["name"].as_str().unwrap().contains("reply-")), "{forgot}");
}
