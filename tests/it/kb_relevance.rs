//! Knowledge search in the customer's own words: an evaluation set of questions phrased as
//! callers phrase them ("my parcel never showed up") and keyword queries (the article's own
//! words), over the demo help centre and a real public one (tests/fixtures/kb_eval/README.md
//! names it and its licence). Prints success@1, success@3 and MRR per corpus and kind, and
//! fails when they fall below the floor this build reached.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use frontline::domain::{Channel, ContactStatus};
use frontline::store::contacts::{self, NewContact};
use frontline::store::kb::drafts::{self, Refused};
use frontline::store::{self, kb, notes};
use rusqlite::Connection;

const T0: i64 = 1_795_183_200;

/// Results looked at per query: a rank past this counts as not found (reciprocal rank 0).
const DEPTH: usize = 10;

/// One question of the set.
struct Case {
    corpus: String,
    kind: String,
    /// File names of the articles that answer it (any of them counts).
    expected: Vec<String>,
    query: String,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(root().join("tests/fixtures/kb_eval/questions.tsv")).unwrap();
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(i, line)| {
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 4, "questions.tsv line {}: expected 4 tab-separated columns", i + 1);
            Case {
                corpus: cols[0].to_string(),
                kind: cols[1].to_string(),
                expected: cols[2].split('|').map(str::to_string).collect(),
                query: cols[3].to_string(),
            }
        })
        .collect()
}

fn corpus_dir(name: &str) -> PathBuf {
    match name {
        "demo" => root().join("assets/demo/kb"),
        "arduino" => root().join("tests/fixtures/kb_eval/arduino"),
        other => panic!("unknown corpus {other:?}"),
    }
}

/// A workspace holding one corpus, and each article's file name by id.
fn load(name: &str) -> (Connection, HashMap<i64, String>) {
    let mut conn = store::open_in_memory().unwrap();
    let s = frontline::import::kb::import(&mut conn, &[corpus_dir(name)], T0).unwrap();
    assert!(s.failed.is_empty(), "{name}: {:?}", s.failed);
    let mut stmt = conn.prepare("SELECT id, source FROM kb_articles").unwrap();
    let files: HashMap<i64, String> = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
        .unwrap()
        .map(|row| {
            let (id, source) = row.unwrap();
            (id, Path::new(&source).file_name().unwrap().to_string_lossy().into_owned())
        })
        .collect();
    drop(stmt);
    (conn, files)
}

/// Success@1, success@3 and mean reciprocal rank over some questions.
#[derive(Debug, Default, Clone, Copy)]
struct Scores {
    n: usize,
    at1: usize,
    at3: usize,
    rr: f64,
}

impl Scores {
    fn add(&mut self, rank: Option<usize>) {
        self.n += 1;
        if let Some(r) = rank {
            self.at1 += usize::from(r == 1);
            self.at3 += usize::from(r <= 3);
            self.rr += 1.0 / r as f64;
        }
    }

    fn mrr(&self) -> f64 {
        if self.n == 0 { 0.0 } else { self.rr / self.n as f64 }
    }

    fn line(&self, label: &str) -> String {
        format!(
            "{label:<18} n={:<3} success@1 {:>2}/{:<3} success@3 {:>2}/{:<3} ({:5.1}%)  MRR {:.3}",
            self.n,
            self.at1,
            self.n,
            self.at3,
            self.n,
            100.0 * self.at3 as f64 / self.n.max(1) as f64,
            self.mrr()
        )
    }
}

/// Runs every question of the set; returns the scores per "corpus/kind" and the misses.
fn evaluate() -> (HashMap<String, Scores>, Vec<String>) {
    let cases = cases();
    let mut scores: HashMap<String, Scores> = HashMap::new();
    let mut misses = Vec::new();
    for name in ["demo", "arduino"] {
        let (conn, files) = load(name);
        for case in cases.iter().filter(|c| c.corpus == name) {
            for e in &case.expected {
                let n = files.values().filter(|f| *f == e).count();
                assert_eq!(n, 1, "{name}: expected article {e:?} matches {n} files");
            }
            let hits = kb::search(&conn, &case.query, DEPTH).unwrap();
            let found: Vec<&String> = hits.iter().map(|h| &files[&h.id]).collect();
            let rank = found.iter().position(|f| case.expected.contains(f)).map(|i| i + 1);
            scores.entry(format!("{name}/{}", case.kind)).or_default().add(rank);
            if rank.is_none_or(|r| r > 3) {
                let top: Vec<&str> = hits.iter().take(3).map(|h| h.title.as_str()).collect();
                misses.push(format!("{name}/{} {:?} → rank {rank:?}, top {top:?}", case.kind, case.query));
            }
        }
    }
    (scores, misses)
}

fn report(scores: &HashMap<String, Scores>, misses: &[String]) {
    let mut keys: Vec<&String> = scores.keys().collect();
    keys.sort();
    for k in keys {
        println!("{}", scores[k].line(k));
    }
    for m in misses {
        println!("  miss: {m}");
    }
}

/// The floor: success@3 (out of the set's size) this build reaches, less a small margin
/// (about one question in twenty). Before question understanding: demo/ask 21 of 40,
/// arduino/ask 17 of 40, demo/heldout 6 of 12, arduino/heldout 3 of 12; keywords 12 of 12.
const FLOOR_AT3: &[(&str, usize)] = &[
    ("demo/ask", 37),
    ("arduino/ask", 37),
    ("demo/heldout", 9),
    ("arduino/heldout", 7),
    ("demo/keyword", 12),
    ("arduino/keyword", 12),
];

#[test]
fn customer_words_find_the_right_article_in_the_top_three() {
    let (scores, misses) = evaluate();
    report(&scores, &misses);
    for (key, floor) in FLOOR_AT3 {
        let s = scores[*key];
        assert!(s.at3 >= *floor, "{key}: success@3 {}/{} fell below the floor of {floor}", s.at3, s.n);
    }
}

// ------------------------------------------------------------------ learning from the reps

fn article_id(files: &HashMap<i64, String>, file: &str) -> i64 {
    *files.iter().find(|(_, f)| *f == file).unwrap().0
}

#[test]
fn an_article_the_reps_used_for_some_words_comes_first_for_them_and_says_why() {
    let (conn, files) = load("demo");
    // The words alone do not lead to the gift-card article.
    let gift = article_id(&files, "gift-cards.md");
    let before = kb::search(&conn, "the parcel never came", 5).unwrap();
    assert_ne!(before.first().map(|h| h.id), Some(gift));

    for i in 0..4 {
        assert!(kb::record_use(&conn, "Parcel never came", gift, T0 + i).unwrap());
    }
    // Another wording with the same words, and more words around them.
    let hits = kb::search(&conn, "customer says the parcel never came ", 5).unwrap();
    assert_eq!(hits[0].id, gift, "{hits:?}");
    assert_eq!(hits.iter().filter(|h| h.id == gift).count(), 1);
    let used = kb::used_for(&conn, "customer says the parcel never came", 3).unwrap();
    assert_eq!(used[0].explain(), "suggested because it was used for 'Parcel never came' 4 times");
    // A contact that says those words gets it suggested first too.
    let suggested = kb::suggest(&conn, "Where is my order?", "Hi, my parcel never came. Order 1234.", 5).unwrap();
    assert_eq!(suggested[0].id, gift);
    // Fewer words than were used are not the same question.
    assert_ne!(kb::search(&conn, "parcel ", 5).unwrap()[0].id, gift);
    // Only filler teaches nothing.
    assert!(!kb::record_use(&conn, "how do I", gift, T0).unwrap());
}

/// A contact's suggestions understand what the customer says, as a search does: the demo's
/// "App down?" got "Website checkout errors" first when its words were matched one by one.
#[test]
fn suggestions_understand_the_contact_as_a_question() {
    let mut conn = store::open_in_memory().unwrap();
    frontline::demo::seed(&mut conn, T0).unwrap();
    let (subject, body): (String, String) = conn
        .query_row("SELECT subject, body FROM contacts WHERE subject = 'App down?'", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    let suggested = kb::suggest(&conn, &subject, &body, 3).unwrap();
    let first = suggested.first().map(|h| h.title.to_lowercase()).unwrap_or_default();
    assert!(first.contains("app"), "{suggested:?}");
    // Nothing understood (no word of it in any article): still the words one by one, no error.
    assert!(kb::suggest(&conn, "Zzyzx qwv", "Blorf snark", 3).is_ok());
}

// ------------------------------------------------------------------ create article from contact

fn contact_with_notes(conn: &Connection, status: ContactStatus, notes_text: &[&str]) -> i64 {
    let mut c = NewContact::waiting(Channel::Phone, "Parcel marked \"delivered\" but never arrived", T0);
    c.status = status;
    c.tags = vec!["shipping".into()];
    if status == ContactStatus::Resolved {
        c.accepted_at = Some(T0 + 60);
        c.ended_at = Some(T0 + 600);
        c.disposition = Some("claim filed".into());
    }
    let id = contacts::insert(conn, &c).unwrap();
    for (i, text) in notes_text.iter().enumerate() {
        notes::insert_note(conn, Some(id), None, ("note", text, T0 + 100 + i as i64, None)).unwrap();
    }
    notes::insert_note(conn, Some(id), None, ("promise", "Call Ana back on Friday", T0 + 500, Some(T0 + 9000)))
        .unwrap();
    id
}

#[test]
fn a_draft_article_leaves_the_customers_name_addresses_and_numbers_out() {
    let conn = store::open_in_memory().unwrap();
    let customer = frontline::store::customers::insert(
        &conn,
        &frontline::store::customers::NewCustomer {
            name: "Ethan Brooks".into(),
            identities: vec![
                (frontline::domain::IdentityKind::Email, "ethan.b@example.com".into()),
                (frontline::domain::IdentityKind::Phone, "+1 503 555 0142".into()),
            ],
            ..Default::default()
        },
        T0,
    )
    .unwrap();
    let id = contact_with_notes(
        &conn,
        ContactStatus::Resolved,
        &["Good news, Ethan: claim filed, reship sent. Told Mr Brooks we would text 503-555-0142 and \
           mail Ethan.B@example.com."],
    );
    conn.execute("UPDATE contacts SET customer_id = ?1 WHERE id = ?2", [customer, id]).unwrap();
    let draft = drafts::from_contact(&conn, id, T0 + 700).unwrap().unwrap().draft;
    assert!(
        draft.body.contains(
            "Good news, [customer]: claim filed, reship sent. Told Mr [customer] we would text [phone] and mail [email]."
        ),
        "{}",
        draft.body
    );
}

#[test]
fn a_resolved_contacts_notes_become_a_draft_article_exported_with_front_matter() {
    let conn = store::open_in_memory().unwrap();
    let id = contact_with_notes(
        &conn,
        ContactStatus::Resolved,
        &["Checked the address and the neighbours.", "Filed a missing package claim; reship sent."],
    );
    let made = drafts::from_contact(&conn, id, T0 + 700).unwrap().unwrap();
    assert!(!made.earlier);
    let draft = made.draft;
    assert_eq!(draft.contact_id, Some(id));
    assert_eq!(draft.tags, ["shipping", "claim filed"]);
    assert!(draft.body.contains("Filed a missing package claim; reship sent."), "{}", draft.body);
    assert!(!draft.body.contains("Call Ana back"), "promises are about one customer: {}", draft.body);
    // Asking again returns the same draft, saying so.
    let again = drafts::from_contact(&conn, id, T0 + 800).unwrap().unwrap();
    assert_eq!((again.draft.id, again.earlier), (draft.id, true));
    assert!(
        drafts::update(&conn, draft.id, "Delivered but not received", &["shipping".into()], "Steps.", T0 + 900)
            .unwrap()
    );

    let md = drafts::export_markdown(&conn, draft.id).unwrap().unwrap();
    assert_eq!(md, "---\ntitle: \"Delivered but not received\"\ntags: [\"shipping\"]\ndraft: true\n---\n\nSteps.\n");
    // The help centre's own import reads the file, and holds it back as a draft.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("delivered-but-not-received.md"), &md).unwrap();
    let mut other = store::open_in_memory().unwrap();
    let s = frontline::import::kb::import(&mut other, &[dir.path().to_path_buf()], T0).unwrap();
    assert_eq!((s.added, s.skipped.len(), s.failed.len()), (0, 1, 0), "{s:?}");
    assert_eq!(s.skipped[0].1, "draft: true");
}

#[test]
fn only_a_resolved_contact_with_notes_becomes_a_draft() {
    let conn = store::open_in_memory().unwrap();
    let open = contact_with_notes(&conn, ContactStatus::Active, &["Looking into it."]);
    assert_eq!(drafts::from_contact(&conn, open, T0).unwrap(), Err(Refused::NotResolved(open, ContactStatus::Active)));
    let silent = contact_with_notes(&conn, ContactStatus::Resolved, &[]);
    assert_eq!(drafts::from_contact(&conn, silent, T0).unwrap(), Err(Refused::NoNotes(silent)));
    assert_eq!(drafts::from_contact(&conn, 999, T0).unwrap(), Err(Refused::NoSuchContact(999)));
    assert_eq!(
        Refused::NotResolved(open, ContactStatus::Active).to_string(),
        format!("contact {open} is active, not resolved: only a resolved contact becomes an article")
    );
    assert!(drafts::list(&conn).unwrap().is_empty());
}

#[test]
fn any_question_is_a_valid_search() {
    let (conn, _) = load("demo");
    for q in [
        "\"never\" AND( showed up*",
        "NOT NEAR(parcel never came)",
        "my ’parcel’ — never came!!",
        "*",
        "ｐａｒｃｅｌ never came ",
        "can't",
    ] {
        kb::search(&conn, q, 5).unwrap_or_else(|e| panic!("{q:?}: {e}"));
    }
}
