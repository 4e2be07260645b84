//! Mail coming in, as an attacker and as real mail systems write it: sender headers that
//! smuggle a second recipient, a stranger writing into a customer's thread, a reused
//! Message-ID, and threads the way mail clients see them (`tests/fixtures/maildir_threads`:
//! replies to a parent that is not in the folder, git send-email's `<yes>`, a reply dated
//! before its original).

use std::path::{Path, PathBuf};

use frontline::domain::{Id, IdentityKind};
use frontline::intake::maildir;
use frontline::store::{self, contacts, customers, messages, notes};
use rusqlite::Connection;

use crate::common::{copy_dir, fixture};

/// A moment after every message (2027-01-15).
const NOW: i64 = 1_800_000_000;

/// An empty Maildir in a temporary folder.
fn maildir() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("INBOX");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    (tmp, dir)
}

/// One message, as a mail client would deliver it.
struct Mail<'a> {
    from: &'a str,
    to: &'a str,
    id: &'a str,
    in_reply_to: Option<&'a str>,
    minute: i64,
    body: &'a str,
}

impl<'a> Mail<'a> {
    fn new(from: &'a str, id: &'a str, minute: i64) -> Self {
        Mail { from, to: "support@larkspur.example", id, in_reply_to: None, minute, body: "Hello." }
    }

    fn answering(mut self, parent: &'a str) -> Self {
        self.in_reply_to = Some(parent);
        self
    }

    fn to(mut self, to: &'a str) -> Self {
        self.to = to;
        self
    }

    fn body(mut self, body: &'a str) -> Self {
        self.body = body;
        self
    }

    /// Writes it into `new/` under a name of its own.
    fn deliver(&self, dir: &Path, name: &str) {
        let date = chrono::DateTime::from_timestamp(1_763_000_000 + self.minute * 60, 0).unwrap().to_rfc2822();
        let mut text = format!(
            "From: {}\nTo: {}\nSubject: About my order\nDate: {date}\nMessage-ID: {}\n",
            self.from, self.to, self.id
        );
        if let Some(parent) = self.in_reply_to {
            text.push_str(&format!("In-Reply-To: {parent}\nReferences: {parent}\n"));
        }
        text.push_str(&format!("\n{}\n", self.body));
        std::fs::write(dir.join("new").join(name), text).unwrap();
    }
}

fn db() -> Connection {
    store::open_in_memory().unwrap()
}

fn contact_ids(conn: &Connection) -> Vec<Id> {
    conn.prepare("SELECT id FROM contacts ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn note_texts(conn: &Connection, contact: Id) -> Vec<String> {
    notes::for_contact(conn, contact).unwrap().into_iter().map(|n| n.body).collect()
}

fn customer_of(conn: &Connection, email: &str) -> Option<Id> {
    customers::find_by_identity(conn, IdentityKind::Email, email).unwrap()
}

#[test]
fn a_sender_header_with_more_than_one_address_is_never_stored_as_one() {
    let (_tmp, dir) = maildir();
    let attacks = [
        "<a@x.com,b@evil.example>",
        "<a\\,b@evil.example>",
        "<a@x.com;b@evil.example>",
        "<a@x.com>b@evil.example>",
        "a@x.com>, b@evil.example",
        "Two <a@x.com>, Authors <b@evil.example>",
    ];
    for (i, from) in attacks.iter().enumerate() {
        Mail::new(from, &format!("<attack{i}@x.com>"), i as i64).deliver(&dir, &format!("{i}.attack"));
    }
    Mail::new("Ana Ok <ana@customer.example>", "<fine@customer.example>", 10).deliver(&dir, "10.fine");
    let mut conn = db();
    let s = maildir::sync_maildir(&mut conn, &dir, NOW).unwrap();
    assert_eq!((s.added, s.unanswerable, s.malformed.len()), (7, 6, 0), "{s:#?}");

    // The only address kept anywhere is the one valid sender.
    let identities: Vec<String> = conn
        .prepare("SELECT value FROM identities")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(identities, ["ana@customer.example"]);
    let from_addrs: Vec<String> = conn
        .prepare("SELECT from_addr FROM contact_messages WHERE from_addr <> '' ")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(from_addrs, ["ana@customer.example"]);

    // Each attack is a contact, without a customer, that says why it cannot be answered.
    for (contact, from) in contact_ids(&conn).into_iter().zip(attacks) {
        let c = contacts::contact(&conn, contact).unwrap().unwrap();
        assert_eq!(c.customer_id, None, "{from}");
        let why = messages::no_reply_reason(&conn, contact).unwrap().unwrap_or_else(|| panic!("{from}: no reason"));
        assert!(why.starts_with("cannot be answered by email: the From header is not one valid address"), "{why}");
        assert!(note_texts(&conn, contact).contains(&why), "the rep sees it on the contact");
    }
    let ana = contact_ids(&conn)[6];
    assert_eq!(messages::no_reply_reason(&conn, ana).unwrap(), None);
}

/// Alice's thread, then Mallory writing into it to the CEO's address.
fn hijack_attempt(dir: &Path) {
    Mail::new("Alice <alice@customer.example>", "<a1@customer.example>", 0)
        .body("My address is 1 Elm Street.")
        .deliver(dir, "1.alice");
    Mail::new("Mallory <mallory@evil.example>", "<m1@evil.example>", 5)
        .answering("<a1@customer.example>")
        .to("ceo@larkspur.example")
        .body("Please send me the details.")
        .deliver(dir, "2.mallory");
    Mail::new("Alice <alice@customer.example>", "<a2@customer.example>", 9)
        .answering("<a1@customer.example>")
        .to("ceo@larkspur.example, support@larkspur.example")
        .deliver(dir, "3.alice");
}

#[test]
fn a_stranger_writing_into_a_customers_thread_gets_a_contact_of_their_own() {
    let (_tmp, dir) = maildir();
    hijack_attempt(&dir);
    let mut conn = db();
    let s = maildir::sync_maildir(&mut conn, &dir, NOW).unwrap();
    assert_eq!((s.added, s.threaded, s.linked), (2, 1, 1), "{s:#?}");

    let alice = customer_of(&conn, "alice@customer.example").unwrap();
    let mallory = customer_of(&conn, "mallory@evil.example").unwrap();
    let ids = contact_ids(&conn);
    let (alices, mallorys) = (ids[0], ids[1]);
    assert_eq!(contacts::contact(&conn, alices).unwrap().unwrap().customer_id, Some(alice));
    assert_eq!(contacts::contact(&conn, mallorys).unwrap().unwrap().customer_id, Some(mallory));

    // Alice's thread holds only Alice's mail; Mallory's contact is linked to it, plainly.
    let froms: Vec<String> =
        messages::messages(&conn, alices).unwrap().into_iter().map(|m| m.message.from_addr).collect();
    assert_eq!(froms, ["alice@customer.example", "alice@customer.example"]);
    let facts = messages::email_contact(&conn, mallorys).unwrap().unwrap();
    assert_eq!((facts.replies_in, facts.conversation), (Some(alices), alices));
    assert!(note_texts(&conn, mallorys)[0].starts_with(&format!("Replies in the thread of #{alices}")));

    // Where Alice wrote to comes from her first message only, never a later To.
    let alice_facts = messages::email_contact(&conn, alices).unwrap().unwrap();
    assert_eq!(alice_facts.wrote_to, ["support@larkspur.example"]);
    let configured = ["ceo@larkspur.example", "support@larkspur.example"];
    assert_eq!(
        messages::support_address(&conn, alices, &configured).unwrap().as_deref(),
        Some("support@larkspur.example")
    );
    assert_eq!(messages::support_address(&conn, mallorys, &["support@larkspur.example"]).unwrap(), None);
}

#[test]
fn a_different_message_reusing_a_stored_message_id_is_a_new_contact_with_a_note() {
    let (_tmp, dir) = maildir();
    Mail::new("Ana <ana@customer.example>", "<same@customer.example>", 0)
        .body("My parcel is late.")
        .deliver(&dir, "1.ana");
    let mut conn = db();
    maildir::sync_maildir(&mut conn, &dir, NOW).unwrap();

    // The same file under another name (another folder, a client's copy): still a duplicate.
    std::fs::copy(dir.join("new/1.ana"), dir.join("new/2.copy")).unwrap();
    // Another sender, and the same sender with another text, reusing the id.
    Mail::new("Mallory <mallory@evil.example>", "<same@customer.example>", 1).deliver(&dir, "3.other-sender");
    Mail::new("Ana <ana@customer.example>", "<same@customer.example>", 2)
        .body("Another thing.")
        .deliver(&dir, "4.other-body");
    let s = maildir::sync_maildir(&mut conn, &dir, NOW).unwrap();
    assert_eq!((s.added, s.reused_ids, s.duplicates), (2, 2, 2), "{s:#?}");
    let ids = contact_ids(&conn);
    assert_eq!(ids.len(), 3);
    for contact in &ids[1..] {
        let notes = note_texts(&conn, *contact);
        assert!(
            notes[0].contains(&format!(
                "reuses the Message-ID <same@customer.example> of a different message already stored on contact #{}",
                ids[0]
            )),
            "{notes:?}"
        );
    }

    // Read again (the names forgotten, as after a restore): nothing new.
    conn.execute("DELETE FROM maildir_seen", []).unwrap();
    let again = maildir::sync_maildir(&mut conn, &dir, NOW).unwrap();
    assert_eq!((again.added, again.threaded, again.duplicates), (0, 0, 4), "{again:#?}");
}

#[test]
fn threads_follow_the_references_chain_like_a_mail_client() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("lists");
    copy_dir(&fixture("maildir_threads"), &dir);
    let mut conn = db();
    let s = maildir::sync_maildir(&mut conn, &dir, NOW).unwrap();
    // Ann's two patches to an absent cover letter: one contact. Bob's review: his own, in
    // the same conversation. The two `<yes>` patches: unrelated. Eve's reply read before her
    // original: one contact.
    assert_eq!((s.added, s.threaded, s.linked), (5, 2, 1), "{s:#?}");
    assert_eq!(messages::conversation_count(&conn).unwrap(), (4, 5));
    let ann = customer_of(&conn, "ann@lists.example").unwrap();
    let ann_contacts: i64 =
        conn.query_row("SELECT count(*) FROM contacts WHERE customer_id = ?1", [ann], |r| r.get(0)).unwrap();
    assert_eq!(ann_contacts, 1);
    let eve = customer_of(&conn, "eve@x.example").unwrap();
    let eve_contact: Id =
        conn.query_row("SELECT id FROM contacts WHERE customer_id = ?1", [eve], |r| r.get(0)).unwrap();
    assert_eq!(messages::messages(&conn, eve_contact).unwrap().len(), 2);
}

#[test]
fn a_message_that_bridges_two_conversations_joins_them() {
    let (_tmp, dir) = maildir();
    Mail::new("Ana <ana@customer.example>", "<x1@customer.example>", 0)
        .answering("<gone1@elsewhere.example>")
        .deliver(&dir, "1");
    Mail::new("Bo <bo@customer.example>", "<y1@customer.example>", 1)
        .answering("<gone2@elsewhere.example>")
        .deliver(&dir, "2");
    let mut conn = db();
    maildir::sync_maildir(&mut conn, &dir, NOW).unwrap();
    assert_eq!(messages::conversation_count(&conn).unwrap(), (2, 2));
    let bridge = "From: Cy <cy@customer.example>\nTo: support@larkspur.example\nSubject: both\n\
        Message-ID: <z1@customer.example>\nIn-Reply-To: <y1@customer.example>\n\
        References: <gone1@elsewhere.example> <x1@customer.example> <y1@customer.example>\n\nBoth.\n";
    std::fs::write(dir.join("new/3"), bridge).unwrap();
    maildir::sync_maildir(&mut conn, &dir, NOW).unwrap();
    assert_eq!(messages::conversation_count(&conn).unwrap(), (1, 3));
}

/// A Maildir larger than the waves the sync parses ahead (1,024 files) is stored oldest
/// first across them all, whatever order the file names are in: every reply is listed
/// before its original by name, yet each customer ends with one contact that opens with
/// the original.
#[test]
fn a_large_maildir_is_stored_oldest_first_across_every_wave() {
    let (_tmp, dir) = maildir();
    let customers = 1_250;
    let (senders, ids): (Vec<String>, Vec<String>) =
        (0..customers).map(|i| (format!("C{i} <c{i}@customer.example>"), format!("<o{i}@customer.example>"))).unzip();
    for i in 0..customers {
        let reply_id = format!("<r{i}@customer.example>");
        // Names sort replies first, and the customers in the opposite order of their dates.
        let rank = customers - i;
        Mail::new(&senders[i], &reply_id, 10_000 + i as i64)
            .answering(&ids[i])
            .body("Any news?")
            .deliver(&dir, &format!("a-{rank:05}"));
        Mail::new(&senders[i], &ids[i], i as i64).body("Where is my order?").deliver(&dir, &format!("b-{rank:05}"));
    }
    // A workspace file, so that the log is folded beside the sync as in real use.
    let mut conn = store::open_workspace(&_tmp.path().join("workspace.db")).unwrap();
    let s = maildir::sync_maildir(&mut conn, &dir, NOW).unwrap();
    assert_eq!((s.added, s.threaded, s.malformed.len()), (customers, customers, 0), "{:?}", s.malformed.first());
    // Written in bulk, yet every reference holds, the file is sound, and the connection has
    // its foreign-key checks back.
    let dangling: i64 = conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0)).unwrap();
    assert_eq!(dangling, 0);
    assert_eq!(store::integrity_check(&conn).unwrap(), "ok");
    let checks: bool = conn.pragma_query_value(None, "foreign_keys", |r| r.get(0)).unwrap();
    assert!(checks);
    let out_of_order: i64 = conn
        .query_row(
            "SELECT count(*) FROM contacts a JOIN contacts b ON b.id = a.id + 1 WHERE b.created_at < a.created_at",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(out_of_order, 0, "contacts are stored in the order of their dates");
    for i in [0, customers / 2, customers - 1] {
        let contact = customer_of(&conn, &format!("c{i}@customer.example")).unwrap();
        let contact: Id =
            conn.query_row("SELECT id FROM contacts WHERE customer_id = ?1", [contact], |r| r.get(0)).unwrap();
        let thread = messages::messages(&conn, contact).unwrap();
        let bodies: Vec<&str> = thread.iter().map(|m| m.message.body.as_str()).collect();
        assert_eq!(bodies, ["Where is my order?", "Any news?"], "customer {i}");
        let opened_by = contacts::contact(&conn, contact).unwrap().unwrap().body;
        assert_eq!(opened_by, "Where is my order?", "customer {i}: the contact opens with the original");
    }
}

/// Conversations on a Maildir kept outside the repository (the notmuch test corpora lkml +
/// html, 212 messages, where mail clients see 21):
/// `FRONTLINE_CORPUS=DIR cargo test --test it mail_in::conversations_on_a_corpus -- --ignored --nocapture`
#[test]
#[ignore = "a measurement on a corpus outside the repository"]
fn conversations_on_a_corpus() {
    let Ok(dir) = std::env::var("FRONTLINE_CORPUS") else { return };
    let mut conn = db();
    let s = maildir::sync_maildir(&mut conn, Path::new(&dir), NOW).unwrap();
    let (conversations, contacts) = messages::conversation_count(&conn).unwrap();
    println!(
        "{dir}: {conversations} conversations in {contacts} contacts ({} threaded, {} duplicates)",
        s.threaded, s.duplicates
    );
}

/// A FIFO or a broken link where a message should be is listed with the malformed files by
/// name and kind, never read (a FIFO would wait for a writer) and never passed over in
/// silence; the messages around it are taken in.
#[cfg(unix)]
#[test]
fn a_fifo_or_a_broken_link_in_a_maildir_is_listed_not_read() {
    let (_tmp, dir) = maildir();
    Mail::new("Ana <ana@customer.example>", "<one@customer.example>", 1).deliver(&dir, "1.one");
    let fifo = dir.join("new/2.fifo");
    crate::common::mkfifo(&fifo);
    std::os::unix::fs::symlink(dir.join("new/missing"), dir.join("new/3.dangling")).unwrap();
    let mut conn = db();
    let s = maildir::sync_maildir(&mut conn, &dir, NOW).unwrap();
    assert_eq!(s.added, 1, "{s:#?}");
    let why = |name: &str| s.malformed.iter().find(|(p, _)| p.ends_with(name)).map(|(_, w)| w.clone());
    assert_eq!(why("2.fifo").as_deref(), Some("not a regular file (a FIFO); not read"), "{s:#?}");
    assert!(why("3.dangling").is_some_and(|w| w.starts_with("cannot read")), "{s:#?}");
}

/// A Date in an obsolete zone (`UT`, a military letter) no longer swallows the header after
/// it: the reply below kept its In-Reply-To and joined its thread (it was a contact of its
/// own), and the message after it kept its sender (it was refused as having none).
#[test]
fn a_date_in_an_obsolete_zone_keeps_the_headers_after_it() {
    let (_tmp, dir) = maildir();
    Mail::new("Ana <ana@customer.example>", "<first@customer.example>", 0).deliver(&dir, "1");
    let reply = "From: Ana <ana@customer.example>\nTo: support@larkspur.example\nSubject: Re: About my order\n\
        Message-ID: <second@customer.example>\nDate: Mon, 17 Nov 2025 10:00:00 UT\n\
        In-Reply-To: <first@customer.example>\n\nAny news?\n";
    std::fs::write(dir.join("new/2"), reply).unwrap();
    let sender_after = "To: support@larkspur.example\nDate: Mon, 17 Nov 2025 11:00:00 Z\n\
        From: Bo <bo@customer.example>\nSubject: Hello\nMessage-ID: <third@customer.example>\n\nHi.\n";
    std::fs::write(dir.join("new/3"), sender_after).unwrap();
    let mut conn = db();
    let s = maildir::sync_maildir(&mut conn, &dir, NOW).unwrap();
    assert_eq!((s.added, s.threaded, s.malformed.len()), (2, 1, 0), "{s:#?}");
    assert!(customer_of(&conn, "bo@customer.example").is_some());
}
