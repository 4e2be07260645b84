//! Contacts that arrive by themselves: email from a Maildir (real-world messages in
//! `tests/fixtures/maildir`: multipart/alternative, quoted-printable, base64, ISO-8859-1,
//! windows-1252, encoded-word headers, HTML-only, a three-message thread, a malformed file
//! and one still in `tmp/`), the live inbox folder (valid, invalid and half-written files),
//! watching it, and replies out (parsed back with mail-parser).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, SystemTime};

use frontline::domain::{ContactStatus, EventKind, Id, IdentityKind};
use frontline::intake::{self, Delivery, Direction, inbox, maildir, reply};
use frontline::store::{self, contacts, customers, notes};
use rusqlite::Connection;
use serde_json::Value;

use crate::common;

use common::{Sandbox, copy_dir, count, fixture};

/// A moment after every message in the fixture (2027-01-15).
const NOW: i64 = 1_800_000_000;

/// A copy of the fixture Maildir in a temporary folder.
fn maildir_copy() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("INBOX");
    copy_dir(&fixture("maildir"), &dir);
    std::fs::create_dir_all(dir.join("tmp")).unwrap();
    (tmp, dir)
}

/// Every file under a folder with its bytes, modification time and permissions.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                stack.push(entry.path());
                files.insert(entry.path(), (Vec::new(), meta.modified().unwrap(), meta.permissions().mode()));
            } else {
                let bytes = std::fs::read(entry.path()).unwrap();
                files.insert(entry.path(), (bytes, meta.modified().unwrap(), meta.permissions().mode()));
            }
        }
    }
    files
}

fn db() -> Connection {
    store::open_in_memory().unwrap()
}

fn customer_by_email(conn: &Connection, email: &str) -> Option<Id> {
    customers::find_by_identity(conn, IdentityKind::Email, email).unwrap()
}

/// The one contact of a customer, found by email.
fn contact_of(conn: &Connection, email: &str) -> frontline::domain::Contact {
    let customer = customer_by_email(conn, email).unwrap_or_else(|| panic!("no customer {email}"));
    let ids: Vec<Id> = conn
        .prepare("SELECT id FROM contacts WHERE customer_id = ?1")
        .unwrap()
        .query_map([customer], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(ids.len(), 1, "{email} has {} contacts", ids.len());
    contacts::contact(conn, ids[0]).unwrap().unwrap()
}

#[test]
fn each_new_message_becomes_an_email_contact_with_its_customer() {
    let (_tmp, dir) = maildir_copy();
    let mut conn = db();
    let s = maildir::sync_maildir(&mut conn, &dir, NOW).unwrap();
    assert_eq!((s.added, s.threaded, s.reopened, s.duplicates), (7, 2, 0, 0), "{s:#?}");
    assert_eq!(s.customers_created, 7);
    assert_eq!(s.cards_masked, 1, "the card number in Ana's message");
    assert_eq!(count(&conn, "contacts"), 7);
    assert_eq!(count(&conn, "contact_messages"), 9);
    // Each mail's text is kept once: on its message, which the contact reads as its body.
    let copies: i64 = conn.query_row("SELECT count(*) FROM contacts WHERE body != ''", [], |r| r.get(0)).unwrap();
    assert_eq!(copies, 0);

    // multipart/alternative with quoted-printable: the text part, soft breaks joined, card masked.
    let ana = contact_of(&conn, "ana.souza@example.com");
    assert_eq!(customers::customer(&conn, ana.customer_id.unwrap()).unwrap().unwrap().name, "Ana Souza");
    assert_eq!(ana.subject, "Boots arrived damaged");
    assert_eq!(ana.channel, frontline::domain::Channel::Email);
    assert_eq!(ana.status, ContactStatus::Waiting);
    assert!(ana.body.contains("the left sole half detached"), "{}", ana.body);
    assert!(ana.body.contains("411111******1111 — can you send a replacement"), "{}", ana.body);
    assert!(ana.body.contains("Château-d'Oex"), "{}", ana.body);
    assert!(!ana.body.contains("4111 1111") && !ana.body.contains("<div"), "{}", ana.body);
    assert_eq!(ana.created_at, 1_795_108_500, "created when the customer wrote (the Date header)");

    // base64 body; no display name, so the customer is named after the address.
    let bob = contact_of(&conn, "bob.k@example.net");
    assert_eq!(customers::customer(&conn, bob.customer_id.unwrap()).unwrap().unwrap().name, "bob.k@example.net");
    assert!(bob.body.contains("When will the refund arrive? Danke schön!"), "{}", bob.body);

    // ISO-8859-1: quoted-printable body and Q-encoded name and subject.
    let jose = contact_of(&conn, "jose.nunez@example.es");
    assert_eq!(customers::customer(&conn, jose.customer_id.unwrap()).unwrap().unwrap().name, "José Núñez");
    assert_eq!(jose.subject, "Cambio de dirección");
    assert!(jose.body.contains("la dirección de envío") && jose.body.contains("2º B"), "{}", jose.body);

    // windows-1252, 8bit, and no Message-ID (a stable hash stands in).
    let chloe = contact_of(&conn, "chloe.martin@example.fr");
    assert!(
        chloe.body.contains("The fleece was € 49 in the shop – I was told “free shipping” but paid € 5.90."),
        "{}",
        chloe.body
    );
    assert!(chloe.body.ends_with("Chloé"), "{}", chloe.body);
    let thread = intake::messages(&conn, chloe.id).unwrap();
    assert!(
        thread[0].message.message_id.starts_with("fnv-") && thread[0].message.message_id.ends_with("@frontline.hash")
    );

    // UTF-8 encoded words (base64) in the name and the subject.
    let dmitri = contact_of(&conn, "dmitri@example.ru");
    assert_eq!(customers::customer(&conn, dmitri.customer_id.unwrap()).unwrap().unwrap().name, "Дмитрий Иванов");
    assert_eq!(dmitri.subject, "Mi pedido no llegó 📦");
    assert!(dmitri.body.contains("Tracking says “delivered”."), "{}", dmitri.body);

    // HTML-only: readable text, no markup, script or style.
    let priya = contact_of(&conn, "priya.patel@example.in");
    let body = &priya.body;
    for gone in ["<p", "<b", "&amp;", "&nbsp;", "window.track", "color: red", "Wrong size\n"] {
        assert!(!body.contains(gone), "{gone:?} left in:\n{body}");
    }
    assert_eq!(
        body,
        "Hi Larkspur team,\n\nI ordered the Summit Parka in size M & received size XL:\n\n- Order: LK-104377\n\
         - Café colour — as pictured\n\nPhotos: here <https://photos.example.in/p/42>\n\nThank you,\nPriya"
    );

    // The message still being delivered (tmp/) was not read.
    assert_eq!(customer_by_email(&conn, "dana.lee@example.com"), None);
}

#[test]
fn replies_join_the_thread_of_the_contact_they_answer() {
    let (_tmp, dir) = maildir_copy();
    let mut conn = db();
    maildir::sync_maildir(&mut conn, &dir, NOW).unwrap();
    let carla = contact_of(&conn, "carla.reyes@example.com");
    assert_eq!(carla.subject, "Return label");
    let thread = intake::messages(&conn, carla.id).unwrap();
    let ids: Vec<&str> = thread.iter().map(|m| m.message.message_id.as_str()).collect();
    assert_eq!(ids, ["carla-1@mail.example.com", "carla-2@mail.example.com", "carla-3@mail.example.com"]);
    assert!(thread.windows(2).all(|w| w[0].message.sent_at <= w[1].message.sent_at), "oldest first");
    assert_eq!(thread[1].message.in_reply_to.as_deref(), Some("carla-1@mail.example.com"));
    assert_eq!(thread[2].message.in_reply_to, None, "the third names its parents in References only");
    assert_eq!(thread[2].message.references, ["carla-1@mail.example.com", "carla-2@mail.example.com"]);
    assert!(
        thread
            .iter()
            .all(|m| m.message.direction == Direction::Inbound && m.message.to_addr == "support@larkspur.example")
    );
    assert!(
        thread[2].message.source.ends_with("new/1763593200.M108P2001.mx1.larkspur.example"),
        "{}",
        thread[2].message.source
    );
    assert_eq!(thread[2].message.body, "Never mind the label, I found the one in the box. Thanks!");
}

#[test]
fn reading_the_same_folder_again_adds_nothing() {
    let (_tmp, dir) = maildir_copy();
    let mut conn = db();
    maildir::sync_maildir(&mut conn, &dir, NOW).unwrap();
    let before = (count(&conn, "contacts"), count(&conn, "contact_messages"), count(&conn, "customers"));
    // A mail client moved a message from new/ to cur/ while an old copy stayed behind.
    std::fs::copy(
        dir.join("new/1763576100.M101P2001.mx1.larkspur.example"),
        dir.join("cur/1763576100.M101P2001.mx1.larkspur.example:2,S"),
    )
    .unwrap();
    let again = maildir::sync_maildir(&mut conn, &dir, NOW + 60).unwrap();
    assert_eq!((again.added, again.threaded, again.duplicates), (0, 0, 10), "{again:#?}");
    assert_eq!(again.malformed.len(), 1, "the malformed file is listed every time");
    let after = (count(&conn, "contacts"), count(&conn, "contact_messages"), count(&conn, "customers"));
    assert_eq!(before, after);
}

#[test]
fn a_file_taken_in_once_is_not_read_again_even_after_the_client_flags_it() {
    let (_tmp, dir) = maildir_copy();
    let mut conn = db();
    let first = maildir::sync_maildir(&mut conn, &dir, NOW).unwrap();
    // Unreadable now: were it read again, it would be listed as malformed.
    let flagged = dir.join("cur/1763572500.M100P2001.mx1.larkspur.example:2,RS");
    std::fs::rename(dir.join("new/1763572500.M100P2001.mx1.larkspur.example"), &flagged).unwrap();
    std::fs::write(&flagged, b"").unwrap();
    let again = maildir::sync_maildir(&mut conn, &dir, NOW + 60).unwrap();
    assert_eq!(again.malformed, first.malformed, "only the file that was malformed before: {again:#?}");
    assert_eq!((again.added, again.duplicates), (0, first.added + first.threaded));
    // A new file is read as ever.
    std::fs::write(
        dir.join("new/1800000200.M201P9.mx1.larkspur.example"),
        "From: Dana Fox <dana@example.com>\nSubject: Sizing\nMessage-ID: <dana-1@example.com>\n\nWhich size?\n",
    )
    .unwrap();
    let third = maildir::sync_maildir(&mut conn, &dir, NOW + 120).unwrap();
    assert_eq!(third.added, 1, "{third:#?}");
}

#[test]
fn malformed_files_are_listed_by_name_and_skipped() {
    let (_tmp, dir) = maildir_copy();
    std::fs::write(dir.join("new/1763599999.M1P1.empty"), b"").unwrap();
    std::fs::write(dir.join("cur/1763599998.M1P1.binary:2,"), [0u8, 159, 146, 150, 0, 1, 2, 3]).unwrap();
    std::fs::write(dir.join("new/.hidden-partial"), b"From: x@example.com\n").unwrap();
    let mut conn = db();
    let s = maildir::sync_maildir(&mut conn, &dir, NOW).unwrap();
    assert_eq!(s.added, 7, "the good messages are all read: {s:#?}");
    let names: Vec<String> =
        s.malformed.iter().map(|(p, _)| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(
        names,
        ["1763599998.M1P1.binary:2,", "1763595000.M109P2001.mx1.larkspur.example", "1763599999.M1P1.empty"]
    );
    let why: Vec<&str> = s.malformed.iter().map(|(_, w)| w.as_str()).collect();
    assert!(why[1].contains("no sender address"), "{why:?}");
    assert_eq!(why[2], "empty file");
    assert!(s.malformed[1].0.starts_with(&dir), "the full path is given");
}

/// A message file of gigabytes (sparse here, so the test costs no disk) is listed with its
/// size and not read into memory; the rest of the folder is read as usual.
#[test]
fn a_giant_message_file_is_listed_and_not_read() {
    let (_tmp, dir) = maildir_copy();
    let giant = std::fs::File::create(dir.join("new/1763599997.M1P1.giant")).unwrap();
    giant.set_len(3 << 30).unwrap();
    let s = maildir::sync_maildir(&mut db(), &dir, NOW).unwrap();
    assert_eq!(s.added, 7, "{s:#?}");
    let (_, why) = s.malformed.iter().find(|(p, _)| p.ends_with("new/1763599997.M1P1.giant")).unwrap();
    assert_eq!(why, "larger than 128 MB (3221225472 bytes); not read");
}

#[test]
fn the_maildir_is_never_modified() {
    let (_tmp, dir) = maildir_copy();
    let before = snapshot(&dir);
    let mut conn = db();
    maildir::sync_maildir(&mut conn, &dir, NOW).unwrap();
    maildir::sync_maildir(&mut conn, &dir, NOW + 1).unwrap();
    assert_eq!(snapshot(&dir), before, "files, bytes, times and permissions are as they were");
    // And the fixture itself, read in place.
    let fixture_before = snapshot(&fixture("maildir"));
    maildir::sync_maildir(&mut db(), &fixture("maildir"), NOW).unwrap();
    assert_eq!(snapshot(&fixture("maildir")), fixture_before);
}

#[test]
fn a_folder_that_is_not_a_maildir_is_one_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let err = maildir::sync_maildir(&mut db(), tmp.path(), NOW).unwrap_err().to_string();
    assert!(err.starts_with(&tmp.path().display().to_string()) && err.contains("not a Maildir"), "{err}");
    let missing = tmp.path().join("nope");
    let err = format!("{:#}", maildir::sync_maildir(&mut db(), &missing, NOW).unwrap_err());
    assert!(err.contains("nope") && err.contains("cannot read"), "{err}");
}

#[test]
fn a_reply_to_a_closed_contact_puts_it_back_in_the_queue() {
    let (_tmp, dir) = maildir_copy();
    let mut conn = db();
    maildir::sync_maildir(&mut conn, &dir, NOW).unwrap();
    let carla = contact_of(&conn, "carla.reyes@example.com");
    store::write(&mut conn, |tx| -> rusqlite::Result<()> {
        contacts::apply_step(tx, carla.id, &contacts::Step::Accept, NOW + 10)?.unwrap();
        let close = contacts::Step::Close {
            outcome: contacts::Outcome::Resolve,
            disposition: "return_label_sent".into(),
            reason: None,
        };
        contacts::apply_step(tx, carla.id, &close, NOW + 70)?.unwrap();
        Ok(())
    })
    .unwrap();
    std::fs::write(
        dir.join("new/1800000100.M200P9.mx1.larkspur.example"),
        "From: Carla Reyes <carla.reyes@example.com>\nTo: support@larkspur.example\nSubject: Re: Return label\n\
         Date: Fri, 15 Jan 2027 00:05:00 -0800\nMessage-ID: <carla-4@mail.example.com>\n\
         In-Reply-To: <carla-3@mail.example.com>\n\nSorry, the label in the box is for another order.\n",
    )
    .unwrap();
    let s = maildir::sync_maildir(&mut conn, &dir, NOW + 200).unwrap();
    assert_eq!((s.added, s.threaded, s.reopened), (0, 1, 1), "{s:#?}");
    assert_eq!(s.contacts, [carla.id]);
    let reopened = contacts::contact(&conn, carla.id).unwrap().unwrap();
    assert_eq!(reopened.status, ContactStatus::Waiting);
    assert_eq!(reopened.ended_at, None);
    let events = contacts::events(&conn, carla.id).unwrap();
    let last = events.last().unwrap();
    assert_eq!((last.at, last.kind), (NOW + 200, EventKind::Create));
    assert_eq!(last.detail.as_deref(), Some("reopened: email reply from carla.reyes@example.com"));
    // The wait in the queue is not handle time: the closed segment is all there is so far.
    let log: Vec<_> = events.iter().map(|e| (e.at, e.kind)).collect();
    let replay = frontline::domain::metrics::replay(&log);
    assert_eq!((replay.handle_seconds, replay.open), (60, false));
    assert!(contacts::queue(&conn, 0, 100).unwrap().iter().any(|r| r.id == carla.id), "back in the queue");
    assert_eq!(intake::messages(&conn, carla.id).unwrap().len(), 4);
}

#[test]
fn forgetting_a_customer_blanks_their_mail_and_a_sync_does_not_bring_it_back() {
    let (_tmp, dir) = maildir_copy();
    let mut conn = db();
    maildir::sync_maildir(&mut conn, &dir, NOW).unwrap();
    let carla = contact_of(&conn, "carla.reyes@example.com");
    let customer = carla.customer_id.unwrap();
    store::erase::forget_customer(&mut conn, customer).unwrap();
    let thread = intake::messages(&conn, carla.id).unwrap();
    assert_eq!(thread.len(), 3);
    for m in &thread {
        assert_eq!(
            (m.message.body.as_str(), m.message.subject.as_str(), m.message.from_addr.as_str()),
            ("[erased]", "[erased]", "")
        );
        assert!(m.message.references.is_empty() && m.message.source.is_empty());
    }
    let s = maildir::sync_maildir(&mut conn, &dir, NOW + 1).unwrap();
    assert_eq!((s.added, s.threaded), (0, 0), "{s:#?}");
    assert_eq!(customer_by_email(&conn, "carla.reyes@example.com"), None);
}

// ---------------------------------------------------------------- the live inbox

fn inbox_with(files: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("inbox");
    std::fs::create_dir(&dir).unwrap();
    for f in files {
        std::fs::copy(fixture("inbox").join(f), dir.join(f)).unwrap();
    }
    (tmp, dir)
}

fn set_age(path: &Path, seconds: u64) {
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(SystemTime::now() - Duration::from_secs(seconds)).unwrap();
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn inbox_files_are_imported_or_rejected_with_the_field_named() {
    let (_tmp, dir) = inbox_with(&["caller-id-0001.json", "chat-bridge-0002.json"]);
    // Being written by the convention: never looked at.
    std::fs::create_dir(dir.join("tmp")).unwrap();
    std::fs::write(dir.join("tmp/next.json"), "{\"chann").unwrap();
    std::fs::write(dir.join(".next.json"), "{\"chann").unwrap();
    std::fs::write(dir.join("notes.txt"), "not json").unwrap();
    let mut conn = db();
    let s = inbox::process_inbox(&mut conn, &dir, NOW).unwrap();

    assert_eq!(s.imported.len(), 1, "{s:#?}");
    assert_eq!(s.imported[0].file, dir.join("done/caller-id-0001.json"));
    assert!(dir.join("done/caller-id-0001.json").exists() && !dir.join("caller-id-0001.json").exists());
    let c = contacts::contact(&conn, s.imported[0].contacts[0]).unwrap().unwrap();
    assert_eq!((c.channel, c.priority, c.status), (frontline::domain::Channel::Phone, 2, ContactStatus::Waiting));
    assert_eq!(c.subject, "Incoming call from +1 503 555 0199");
    assert_eq!(c.body, "Caller said: card 550000******0004 was charged twice.");
    assert_eq!(c.tags, ["phone-system", "billing"]);
    assert_eq!(c.created_at, NOW);
    assert_eq!(customers::find_by_key(&conn, "503-555-0199").unwrap(), c.customer_id);
    assert_eq!((s.customers_created, s.cards_masked), (1, 1));

    assert_eq!(s.rejected.len(), 1);
    let rejected = dir.join("rejected/chat-bridge-0002.json");
    assert_eq!(s.rejected[0].file, rejected);
    let why = std::fs::read_to_string(dir.join("rejected/chat-bridge-0002.json.error")).unwrap();
    assert!(why.contains("chat-bridge-0002.json: field `channel`: \"fax\" is not one of"), "{why}");
    assert_eq!(why.lines().count(), 1);
    assert_eq!(s.rejected[0].error, why.trim_end());

    assert_eq!(mode(&dir.join("done")), 0o700);
    assert_eq!(mode(&dir.join("rejected")), 0o700);
    assert_eq!(mode(&dir.join("rejected/chat-bridge-0002.json.error")), 0o600);
    // Untouched: the temporary names and anything that is not *.json.
    for kept in ["tmp/next.json", ".next.json", "notes.txt"] {
        assert!(dir.join(kept).exists(), "{kept}");
    }
    assert!(s.pending.is_empty());

    // The same name again later lands beside the first, not over it.
    std::fs::copy(fixture("inbox/caller-id-0001.json"), dir.join("caller-id-0001.json")).unwrap();
    let again = inbox::process_inbox(&mut conn, &dir, NOW + 5).unwrap();
    assert_eq!(again.imported[0].file, dir.join("done/caller-id-0001-1.json"));
    assert_eq!(again.customers_created, 0, "the caller is known now");
}

#[test]
fn a_half_written_file_waits_for_the_next_pass_and_a_stale_broken_one_is_rejected() {
    let (_tmp, dir) = inbox_with(&["half-written.json"]);
    let file = dir.join("half-written.json");
    set_age(&file, 0);
    let mut conn = db();
    let s = inbox::process_inbox(&mut conn, &dir, NOW).unwrap();
    assert_eq!(s.pending, std::slice::from_ref(&file), "{s:#?}");
    assert!(s.imported.is_empty() && s.rejected.is_empty());
    assert!(file.exists() && !dir.join("rejected").exists());

    // The writer finishes: the next pass imports it.
    std::fs::write(&file, r#"{"channel": "chat", "customer": "@sam_h", "subject": "Chat: my zip broke"}"#).unwrap();
    let s = inbox::process_inbox(&mut conn, &dir, NOW + 1).unwrap();
    assert_eq!(s.imported.len(), 1, "{s:#?}");

    // Broken and not touched for a while: rejected, saying why.
    std::fs::copy(fixture("inbox/half-written.json"), &file).unwrap();
    set_age(&file, 10);
    let s = inbox::process_inbox(&mut conn, &dir, NOW + 2).unwrap();
    assert_eq!(s.rejected.len(), 1, "{s:#?}");
    assert!(s.rejected[0].error.contains("half-written.json: line 4: invalid JSON: EOF"), "{}", s.rejected[0].error);
    // Validation errors never wait, however fresh the file.
    std::fs::write(dir.join("fresh.json"), r#"{"channel": "chat", "subject": "x", "priority": 9}"#).unwrap();
    let s = inbox::process_inbox(&mut conn, &dir, NOW + 3).unwrap();
    assert!(s.rejected[0].error.contains("field `priority`: 9 is not between 1"), "{:?}", s.rejected);

    // Dated a year ahead: no writer at work either (it waited at every pass).
    let ahead = dir.join("from-the-future.json");
    std::fs::copy(fixture("inbox/half-written.json"), &ahead).unwrap();
    let year = Duration::from_secs(365 * 24 * 3600);
    std::fs::File::options().write(true).open(&ahead).unwrap().set_modified(SystemTime::now() + year).unwrap();
    let s = inbox::process_inbox(&mut conn, &dir, NOW + 9).unwrap();
    assert_eq!((s.rejected.len(), s.pending.len()), (1, 0), "{s:#?}");
}

#[test]
fn a_file_with_several_contacts_is_imported_all_or_nothing() {
    let (_tmp, dir) = inbox_with(&[]);
    std::fs::write(
        dir.join("batch.json"),
        r#"[{"channel": "social", "customer": "@hiker", "subject": "DM"}, {"channel": "email", "customer": "not a key", "subject": "x"}]"#,
    )
    .unwrap();
    let mut conn = db();
    let s = inbox::process_inbox(&mut conn, &dir, NOW).unwrap();
    assert!(s.rejected[0].error.contains("batch.json: [1]: field `customer`"), "{:?}", s.rejected);
    assert_eq!(count(&conn, "contacts"), 0);
    std::fs::write(
        dir.join("batch2.json"),
        r#"[{"channel": "social", "customer": "@hiker", "subject": "DM"}, {"channel": "chat", "subject": "y", "extra": 1}]"#,
    )
    .unwrap();
    let s = inbox::process_inbox(&mut conn, &dir, NOW).unwrap();
    assert_eq!(s.imported[0].contacts.len(), 2);
    assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
    assert!(s.warnings[0].contains("unknown field `extra`"));
}

#[test]
fn two_instances_on_one_inbox_never_import_a_file_twice() {
    let tmp = tempfile::tempdir().unwrap();
    let db_path = tmp.path().join("frontline.db");
    store::open_workspace(&db_path).unwrap();
    let dir = tmp.path().join("inbox");
    std::fs::create_dir(&dir).unwrap();
    for i in 0..40 {
        std::fs::write(
            dir.join(format!("call-{i:02}.json")),
            format!(r#"{{"channel": "phone", "customer": "+1 503 555 {:04}", "subject": "Call {i}"}}"#, 100 + i),
        )
        .unwrap();
    }
    let passes: Vec<_> = (0..2)
        .map(|_| {
            let (db_path, dir) = (db_path.clone(), dir.clone());
            std::thread::spawn(move || {
                let mut conn = store::open_workspace(&db_path).unwrap();
                inbox::process_inbox(&mut conn, &dir, NOW).unwrap().imported.len()
            })
        })
        .collect();
    let imported: usize = passes.into_iter().map(|p| p.join().unwrap()).sum();
    assert_eq!(imported, 40);
    let conn = store::open_workspace(&db_path).unwrap();
    assert_eq!(count(&conn, "contacts"), 40);
    assert_eq!(std::fs::read_dir(dir.join("done")).unwrap().count(), 40);
}

#[test]
fn the_inbox_is_created_private_when_missing() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data/inbox");
    let s = inbox::process_inbox(&mut db(), &dir, NOW).unwrap();
    assert!(s.imported.is_empty());
    assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
    assert_eq!(std::fs::metadata(dir.join("tmp")).unwrap().permissions().mode() & 0o777, 0o700);
    assert_eq!(
        inbox::default_dir(Path::new("/home/ana/.local/share/frontline/frontline.db")),
        Path::new("/home/ana/.local/share/frontline/inbox")
    );
}

fn drop_file_by_rename(dir: &Path, name: &str) {
    let tmp = dir.join("tmp").join(name);
    std::fs::write(&tmp, std::fs::read(fixture("inbox/caller-id-0001.json")).unwrap()).unwrap();
    std::fs::rename(&tmp, dir.join(name)).unwrap();
}

#[test]
fn the_watcher_says_when_a_file_is_renamed_into_the_inbox() {
    for polling in [false, true] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("inbox");
        let (tx, rx) = mpsc::channel();
        let on_change = move || {
            let _ = tx.send(());
        };
        let watcher =
            if polling { inbox::watch_polling(&dir, on_change) } else { inbox::watch(&dir, on_change) }.unwrap();
        assert_eq!(watcher.is_polling(), polling, "inotify works here, so only the forced poller polls");
        // Once at start, for files that came while nothing watched.
        rx.recv_timeout(Duration::from_secs(10)).expect("the first pass");
        while rx.try_recv().is_ok() {}
        drop_file_by_rename(&dir, "call.json");
        rx.recv_timeout(Duration::from_secs(10)).expect("told about the new file");
        // And the pass it triggers finds the file.
        let s = inbox::process_inbox(&mut db(), &dir, NOW).unwrap();
        assert_eq!(s.imported.len(), 1);
        drop(watcher);
    }
}

#[test]
fn the_maildir_watcher_says_when_mail_is_delivered() {
    for with_missing_folder in [false, true] {
        let (tmp, dir) = maildir_copy();
        let mut dirs = vec![dir.clone()];
        if with_missing_folder {
            dirs.push(tmp.path().join("not-synced-yet"));
        }
        let (tx, rx) = mpsc::channel();
        let watcher = maildir::watch(&dirs, move || {
            let _ = tx.send(());
        })
        .unwrap();
        assert_eq!(watcher.is_polling(), with_missing_folder, "a folder that is not there yet is polled for");
        rx.recv_timeout(Duration::from_secs(10)).expect("the first pass");
        while rx.try_recv().is_ok() {}
        // Delivered as an MDA does: written to tmp/, renamed into new/.
        let name = "1800000300.M300P9.mx1.larkspur.example";
        std::fs::write(dir.join("tmp").join(name), "From: a@example.com\nSubject: hi\n\nhello\n").unwrap();
        std::fs::rename(dir.join("tmp").join(name), dir.join("new").join(name)).unwrap();
        rx.recv_timeout(Duration::from_secs(10)).expect("told about the new message");
        drop(watcher);
    }
}

// ---------------------------------------------------------------- replies

fn synced() -> (tempfile::TempDir, Connection, Id) {
    let (tmp, dir) = maildir_copy();
    let mut conn = db();
    maildir::sync_maildir(&mut conn, &dir, NOW).unwrap();
    let carla = contact_of(&conn, "carla.reyes@example.com").id;
    (tmp, conn, carla)
}

fn only_file(dir: &Path) -> PathBuf {
    let files: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files.into_iter().next().unwrap()
}

#[test]
fn a_reply_round_trips_through_the_outbox() {
    use mail_parser::MessageParser;
    let (tmp, mut conn, carla) = synced();
    let outbox = tmp.path().join("Outbox");
    let long = "word ".repeat(80);
    let body = format!(
        "Hi Carla,\n\nGlad you found it. Your card 4111 1111 1111 1111 was not charged.\n{long}\n.\nFrom now on: Grüße!\n"
    );
    let sent = reply::send_reply(
        &mut conn,
        carla,
        &body,
        &Delivery::Outbox(outbox.clone()),
        Some("Larkspur Support <support@larkspur.example>"),
        NOW + 100,
    )
    .unwrap();
    let sent_message = sent.message.clone().unwrap();

    let file = only_file(&outbox.join("new"));
    assert_eq!(mode(&file), 0o600);
    assert!(std::fs::read_dir(outbox.join("tmp")).unwrap().next().is_none(), "nothing left in tmp/");
    let raw = std::fs::read(&file).unwrap();
    assert!(raw.split(|b| *b == b'\n').all(|l| l.len() <= 78), "every line is short");
    let parsed = MessageParser::default().parse(&raw).unwrap();
    assert_eq!(parsed.subject(), Some("Re: Return label"), "one Re:, though the last message said RE: Re:");
    assert_eq!(parsed.in_reply_to().as_text(), Some("carla-3@mail.example.com"));
    let refs: Vec<String> = parsed.references().as_text_list().unwrap().iter().map(ToString::to_string).collect();
    assert_eq!(refs, ["carla-1@mail.example.com", "carla-2@mail.example.com", "carla-3@mail.example.com"]);
    let id = parsed.message_id().unwrap();
    assert!(id.ends_with("@frontline.local"), "{id}");
    assert_eq!(sent_message.message.message_id, id);
    let from = parsed.from().unwrap().first().unwrap();
    assert_eq!((from.name(), from.address()), (Some("Larkspur Support"), Some("support@larkspur.example")));
    assert_eq!(parsed.to().unwrap().first().unwrap().address(), Some("carla.reyes@example.com"));
    assert!(parsed.date().unwrap().to_timestamp() == NOW + 100);
    let text = parsed.body_text(0).unwrap();
    assert!(
        text.starts_with("Hi Carla,\n\nGlad you found it. Your card 411111******1111 was not charged.\n"),
        "{text}"
    );
    assert!(text.contains(long.trim_end()), "the long line is whole again: {text}");
    assert!(text.contains("\n.\nFrom now on: Grüße!\n"), "{text}");
    assert!(text.contains("wrote:\n> Never mind the label, I found the one in the box. Thanks!"), "{text}");

    // Recorded: the outbound message in the thread and a note on the timeline.
    let thread = intake::messages(&conn, carla).unwrap();
    assert_eq!(thread.len(), 4);
    let out = thread.last().unwrap();
    assert_eq!(out, &sent_message);
    assert_eq!(out.message.direction, Direction::Outbound);
    assert_eq!(
        (out.message.from_addr.as_str(), out.message.to_addr.as_str()),
        ("support@larkspur.example", "carla.reyes@example.com")
    );
    assert_eq!(out.message.source, file.display().to_string());
    assert!(!out.message.body.contains("4111 1111") && !out.message.body.contains("> Never mind"));
    let note = notes::for_contact(&conn, carla).unwrap().into_iter().find(|n| n.id == sent.note_id).unwrap();
    assert!(
        note.body.starts_with("Reply sent to carla.reyes@example.com: Re: Return label\n\nHi Carla,"),
        "{}",
        note.body
    );

    // A second reply continues the chain from the first; From is the support address Carla wrote to.
    let settings = reply::Settings {
        email: Some(Delivery::Outbox(outbox.clone())),
        support_addresses: vec![reply::EmailAddress::parse("support@larkspur.example").unwrap()],
        ..reply::Settings::default()
    };
    let second = reply::send(&mut conn, carla, "One more thing.", &settings, NOW + 200).unwrap().message.unwrap();
    assert_eq!(second.message.in_reply_to.as_deref(), Some(id));
    assert_eq!(second.message.references.len(), 4);
    assert_eq!(second.message.subject, "Re: Return label");
    assert_eq!(second.message.from_addr, "support@larkspur.example");
    assert_eq!(second.message.to_addr, "carla.reyes@example.com");
}

#[test]
fn composed_headers_are_encoded_and_the_subject_never_stacks() {
    use mail_parser::MessageParser;
    let (_tmp, conn, _) = synced();
    let dmitri = contact_of(&conn, "dmitri@example.ru");
    let original = intake::messages(&conn, dmitri.id).unwrap().remove(0);
    let to = reply::EmailAddress::parse("dmitri@example.ru").unwrap();
    let from = reply::Mailbox::parse("Zoë from Larkspur <support@larkspur.example>").unwrap();
    let msg = reply::compose(&original, &to, &from, "Hola Дмитрий", NOW);
    let raw = String::from_utf8(msg.bytes.clone()).unwrap();
    assert!(raw.is_ascii(), "headers encoded, body quoted-printable:\n{raw}");
    let parsed = MessageParser::default().parse(&msg.bytes).unwrap();
    assert_eq!(parsed.subject(), Some("Re: Mi pedido no llegó 📦"));
    assert_eq!(parsed.from().unwrap().first().unwrap().name(), Some("Zoë from Larkspur"));
    assert_eq!(parsed.body_text(0).unwrap().lines().next(), Some("Hola Дмитрий"));
    assert!(raw.contains(
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n"
    ));
}

#[test]
fn sendmail_gets_the_message_on_stdin_and_its_failure_is_one_line() {
    let (tmp, mut conn, carla) = synced();
    let capture = tmp.path().join("capture.sh");
    std::fs::write(&capture, "cat > \"$1\"\n").unwrap();
    let eml = tmp.path().join("sent.eml");
    let ok = Delivery::Sendmail(format!("sh {} {}", capture.display(), eml.display()));
    let sent =
        reply::send_reply(&mut conn, carla, "Label attached.", &ok, Some("support@larkspur.example"), NOW).unwrap();
    let raw = std::fs::read_to_string(&eml).unwrap();
    let sent = sent.message.unwrap();
    assert!(raw.contains(&format!("Message-ID: <{}>", sent.message.message_id)), "{raw}");
    assert!(sent.message.source.starts_with("sendmail: sh "), "{}", sent.message.source);

    let failing = tmp.path().join("fail.sh");
    std::fs::write(
        &failing,
        "cat > /dev/null\necho 'msmtp: account default not found: no configuration file available' >&2\nexit 78\n",
    )
    .unwrap();
    let before = intake::messages(&conn, carla).unwrap().len();
    let err = reply::send_reply(
        &mut conn,
        carla,
        "Hello?",
        &Delivery::Sendmail(format!("sh {}", failing.display())),
        Some("support@larkspur.example"),
        NOW + 1,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("exit status 78") && err.contains("account default not found"), "{err}");
    assert!(!err.contains('\n'));
    assert_eq!(intake::messages(&conn, carla).unwrap().len(), before, "nothing recorded when sending failed");
    let missing = reply::send_reply(
        &mut conn,
        carla,
        "Hello?",
        &Delivery::Sendmail("/nonexistent/msmtp -t".into()),
        Some("support@larkspur.example"),
        NOW + 2,
    )
    .unwrap_err();
    assert!(format!("{missing:#}").contains("/nonexistent/msmtp -t`: cannot run"), "{missing:#}");
}

#[test]
fn replies_need_an_email_thread_and_some_text() {
    let (_tmp, mut conn, carla) = synced();
    let chat = store::write(&mut conn, |tx| {
        contacts::insert(tx, &contacts::NewContact::waiting(frontline::domain::Channel::Chat, "Chat", NOW))
    })
    .unwrap();
    let outbox = Delivery::Outbox(PathBuf::from("/nonexistent/outbox"));
    let err = reply::send_reply(&mut conn, chat, "Hi", &outbox, Some("a@b.example"), NOW).unwrap_err();
    assert!(err.to_string().contains("did not come through the inbox has no way to send a reply"), "{err}");
    let err = reply::send_reply(&mut conn, carla, "  \n", &outbox, Some("a@b.example"), NOW).unwrap_err();
    assert!(err.to_string().contains("the reply is empty"), "{err}");
    let err = reply::send_reply(&mut conn, carla, "Hi", &outbox, Some("support"), NOW).unwrap_err();
    assert!(err.to_string().contains("not an email address"), "{err}");
}

// ---------------------------------------------------------------- config and command line

#[test]
fn intake_settings_come_from_the_config_with_home_expanded() {
    let text = "[intake]\nmaildirs = [\"~/Mail/support/INBOX\", \"/srv/mail/sales\"]\noutbox = \"~/Mail/Outbox\"\n\
                sendmail = \"msmtp -t\"\nfrom = \"nobody\"\ncolour = 1\n";
    let (config, warnings) = frontline::config::parse(text, "c.toml").unwrap();
    let home = directories::BaseDirs::new().unwrap().home_dir().to_path_buf();
    assert_eq!(config.intake.maildirs, [home.join("Mail/support/INBOX"), PathBuf::from("/srv/mail/sales")]);
    assert_eq!(config.intake.outbox, Some(home.join("Mail/Outbox")));
    assert_eq!(config.intake.delivery(), Some(Delivery::Sendmail("msmtp -t".into())), "sendmail wins");
    assert_eq!(config.intake.from, None);
    let warnings: Vec<String> = warnings.into_iter().map(|w| w.0).collect();
    assert_eq!(
        warnings,
        [
            "c.toml:6: intake.colour: unknown key (ignored)",
            "c.toml:5: intake.from: expected an email address like \"Support <support@example.com>\"",
        ]
    );
    let db = Path::new("/data/frontline.db");
    assert_eq!(config.intake.inbox_dir(db), Path::new("/data/inbox"));
    let (bad, warnings) = frontline::config::parse("[intake]\nmaildirs = \"~/Mail\"\n", "c.toml").unwrap();
    assert!(bad.intake.maildirs.is_empty());
    assert_eq!(
        warnings[0].0,
        "c.toml:2: intake.maildirs: expected a list of Maildir folders like [\"~/Mail/support/INBOX\"]"
    );
}

#[test]
fn frontline_sync_reads_a_maildir_and_says_what_it_did() {
    let sb = Sandbox::new();
    let maildir = sb.path("home/Mail/support/INBOX");
    copy_dir(&fixture("maildir"), &maildir);
    let m = maildir.display().to_string();

    let (code, out, err) = sb.run(&["sync", "--maildir", &m]).parts();
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(
        out,
        format!(
            "{m}: 7 new contacts, 2 replies threaded, 0 already read, 1 malformed; 7 new customers\n  Masked 1 card number or security code\n"
        )
    );
    assert!(
        err.contains(&format!("  malformed {m}/new/1763595000.M109P2001.mx1.larkspur.example: no sender address")),
        "{err}"
    );

    let (code, out, _) = sb.run(&["sync", "--maildir", &m, "--json"]).parts();
    assert_eq!(code, 0);
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json[0]["added"], 0);
    assert_eq!(json[0]["duplicates"], 9);
    assert_eq!(json[0]["malformed"][0]["error"].as_str().unwrap().split(" (").next(), Some("no sender address"));

    let (_, queue, _) = sb.run(&["queue", "--json"]).parts();
    let queue: Value = serde_json::from_str(&queue).unwrap();
    assert_eq!(queue.as_array().unwrap().len(), 7);
    assert!(queue.as_array().unwrap().iter().all(|c| c["channel"] == "email"));

    // Configured folders, with ~ expanded; none at all is one clear line.
    let (code, _, err) = sb.run(&["sync"]).parts();
    assert_eq!(code, 1);
    assert!(err.contains("no Maildir to read; add [intake] maildirs"), "{err}");
    std::fs::create_dir_all(sb.path("config/frontline")).unwrap();
    std::fs::write(
        sb.path("config/frontline/config.toml"),
        "[intake]\nmaildirs = [\"~/Mail/support/INBOX\", \"~/Mail/gone\"]\n",
    )
    .unwrap();
    let (code, out, err) = sb.run(&["sync"]).parts();
    assert_eq!(code, 1, "a missing folder fails the command after the others are read");
    assert!(out.contains("INBOX: 0 new contacts, 0 replies threaded, 9 already read"), "{out}");
    assert!(err.contains("Mail/gone: cannot read the Maildir"), "{err}");
    assert!(err.contains("sync: 1 of 2 Maildirs could not be synced"), "{err}");
}

#[test]
fn frontline_inbox_picks_up_a_folder_once() {
    let sb = Sandbox::new();
    // The default inbox sits beside the workspace.
    std::fs::create_dir_all(sb.path("work/inbox")).unwrap();
    std::fs::copy(fixture("inbox/caller-id-0001.json"), sb.path("work/inbox/caller-id-0001.json")).unwrap();
    let (code, out, err) = sb.run(&["inbox"]).parts();
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("work/inbox: 1 file imported (1 contact, 1 new customer), 0 rejected, 0 still being written"),
        "{out}"
    );
    assert!(sb.path("work/inbox/done/caller-id-0001.json").exists());

    // A bridge that sends the same timed message again (a retry after a lost answer) does
    // not make a second contact; one without a time (the caller-ID file) always does.
    let chat = r#"{"channel": "chat", "customer": "@trail", "subject": "Chat", "body": "Is it waterproof?",
                   "created_at": "2026-11-20T14:00:00Z"}"#;
    for name in ["chat-1.json", "chat-1-retry.json"] {
        sb.write(&format!("work/inbox/{name}"), chat);
        sb.ok(&["inbox"]);
    }
    std::fs::copy(fixture("inbox/caller-id-0001.json"), sb.path("work/inbox/caller-id-0001.json")).unwrap();
    sb.ok(&["inbox"]);
    let queue: Value = sb.json(&["queue", "--json"]);
    let subjects: Vec<&str> = queue.as_array().unwrap().iter().map(|r| r["subject"].as_str().unwrap()).collect();
    assert_eq!(subjects.iter().filter(|s| **s == "Chat").count(), 1, "{subjects:?}");
    assert_eq!(subjects.iter().filter(|s| s.starts_with("Incoming call")).count(), 2, "{subjects:?}");
    assert!(sb.path("work/inbox/done/chat-1-retry.json").exists());

    let other = sb.path("drop");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::copy(fixture("inbox/chat-bridge-0002.json"), other.join("chat-bridge-0002.json")).unwrap();
    let (code, out, err) = sb.run(&["inbox", other.to_str().unwrap(), "--json"]).parts();
    assert_eq!(code, 0, "{err}");
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["imported"].as_array().unwrap().len(), 0);
    assert!(json["rejected"][0]["error"].as_str().unwrap().contains("field `channel`"));
    assert!(err.contains("rejected") && err.contains("field `channel`"), "{err}");
}
