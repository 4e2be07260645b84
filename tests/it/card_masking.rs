//! Card numbers are never stored: known test cards in every way people write them are
//! masked to first 6 / last 4 in notes and drafts (through the DB worker), contact bodies
//! (`import contacts`, `contact new --body`) and so in exports; a code after
//! "CVV"/"CVC"/"security code" is masked too. And the false positives are measured: the
//! demo data and a list of realistic numbers that are not cards must come through untouched.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use assert_cmd::Command;
use frontline::domain::Channel;
use frontline::domain::text::mask_card_numbers;
use frontline::protocol::{Reply, Request};
use frontline::store::contacts::{self, NewContact};
use frontline::store::{self, notes};
use frontline::workers::store::StoreWorker;

/// (brand, digits, masked form)
const CARDS: [(&str, &str, &str); 6] = [
    ("Visa", "4111111111111111", "411111******1111"),
    ("Mastercard", "5555555555554444", "555555******4444"),
    ("Amex", "378282246310005", "378282*****0005"),
    ("Discover", "6011111111111117", "601111******1117"),
    ("Visa 19-digit", "4012888888881881888", "401288*********1888"),
    ("UnionPay 19-digit", "6221260000000000001", "622126*********0001"),
];

/// The ways a card number is written: grouped as printed on the card, with dashes, in
/// full-width or Arabic-Indic digits, with a non-breaking space.
fn spellings(digits: &str) -> Vec<String> {
    let groups: Vec<String> = if digits.len() == 15 {
        vec![digits[..4].into(), digits[4..10].into(), digits[10..].into()]
    } else {
        digits.as_bytes().chunks(4).map(|c| String::from_utf8(c.to_vec()).unwrap()).collect()
    };
    let shift = |zero: u32| -> String {
        digits.chars().map(|c| char::from_u32(zero + c.to_digit(10).unwrap()).unwrap()).collect()
    };
    vec![
        digits.to_string(),
        groups.join(" "),
        groups.join("-"),
        groups.join("\u{a0}"),
        groups.join("\u{2013}"),
        shift(0xFF10),
        shift(0x0660),
        shift(0x06F0),
        shift(0x0966),
        groups
            .iter()
            .map(|g| g.chars().map(|c| char::from_u32(0xFF10 + c.to_digit(10).unwrap()).unwrap()).collect::<String>())
            .collect::<Vec<_>>()
            .join("\u{3000}"),
    ]
}

fn contexts(card: &str) -> Vec<String> {
    vec![
        card.to_string(),
        format!("card {card} was charged twice"),
        format!("Card number: {card}."),
        format!("({card})"),
        format!("paid with {card}, exp 12/27"),
        format!("{card} 12/27 cvv 123"),
        format!("número de tarjeta {card}"),
        format!("رقم البطاقة {card}"),
        format!("カード番号：{card}"),
        format!("two cards: {card} and {card}"),
    ]
}

#[test]
fn known_test_cards_are_masked_in_every_spelling_and_context() {
    let mut checked = 0;
    for (brand, digits, masked) in CARDS {
        for spelling in spellings(digits) {
            for text in contexts(&spelling) {
                let m = mask_card_numbers(&text);
                let expected = text.matches(&spelling).count();
                assert_eq!(m.cards, expected, "{brand}: {text:?} → {:?}", m.text);
                assert!(!m.text.contains(&spelling), "{brand}: {text:?} → {:?}", m.text);
                assert!(m.text.contains(masked), "{brand}: {text:?} → {:?} (expected {masked})", m.text);
                checked += 1;
            }
        }
    }
    println!("card masking: {checked} card spellings in context, all masked to first 6 / last 4");
}

#[test]
fn a_card_followed_by_its_expiry_or_code_in_one_run_is_still_masked() {
    for text in [
        "4111 1111 1111 1111 12 27",
        "4111-1111-1111-1111-123",
        "ref 12 4111 1111 1111 1111",
        "5555 5555 5555 4444 0128",
    ] {
        let m = mask_card_numbers(text);
        assert_eq!(m.cards, 1, "{text:?} → {:?}", m.text);
        assert!(m.text.contains("******"), "{text:?} → {:?}", m.text);
    }
}

#[test]
fn security_codes_after_a_cue_are_masked() {
    for (text, expected) in [
        ("CVV: 123", "CVV: ***"),
        ("cvv 123", "cvv ***"),
        ("CVV2 123", "CVV2 ***"),
        ("CVC is 4321", "CVC is ****"),
        ("the security code is 987.", "the security code is ***."),
        ("Security Code: 0421", "Security Code: ****"),
        ("CVV code 123", "CVV code ***"),
        ("cvc number: 555", "cvc number: ***"),
        ("Amex CID 1234", "Amex CID ****"),
        ("ＣＶＶ：１２３", "ＣＶＶ：***"),
        ("İstanbul customer, CVV 321", "İstanbul customer, CVV ***"),
        ("CVV=999, thanks", "CVV=***, thanks"),
    ] {
        let m = mask_card_numbers(text);
        assert_eq!(m.text, expected, "{text:?}");
        assert_eq!(m.codes, 1, "{text:?}");
    }
    // Not codes: too short, too long, or not after a cue.
    for text in
        ["cvc 12", "CVV 12345", "room 123", "acid 123", "order 123 cvv", "PO number CSC-2026-118", "CVV 123-456"]
    {
        let m = mask_card_numbers(text);
        assert_eq!(m.text, text, "{text:?}");
        assert_eq!(m.codes, 0, "{text:?}");
    }
}

fn workspace(dir: &Path) -> (PathBuf, i64) {
    let path = dir.join("ws.db");
    let mut conn = store::open_workspace(&path).unwrap();
    let id =
        store::write(&mut conn, |tx| contacts::insert(tx, &NewContact::waiting(Channel::Phone, "billing", 0))).unwrap();
    (path, id)
}

/// Every stored byte of the workspace (main file and -wal), as text, for a leak search.
fn stored_bytes(path: &Path) -> String {
    let mut all = std::fs::read(path).unwrap();
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    if let Ok(more) = std::fs::read(PathBuf::from(wal)) {
        all.extend(more);
    }
    String::from_utf8_lossy(&all).into_owned()
}

fn assert_no_card(haystack: &str, what: &str) {
    for (brand, digits, _) in CARDS {
        for spelling in spellings(digits) {
            assert!(!haystack.contains(&spelling), "{what}: {brand} {spelling:?} was stored");
        }
    }
    assert!(!haystack.contains("cvv 123") && !haystack.contains("CVV: 123"), "{what}: a security code was stored");
}

#[test]
fn notes_and_drafts_saved_through_the_worker_are_masked() {
    let dir = tempfile::tempdir().unwrap();
    let (path, contact) = workspace(dir.path());
    let (tx, replies) = mpsc::channel();
    let tx = Mutex::new(tx);
    let worker = StoreWorker::spawn(&path, Arc::new(move |r| drop(tx.lock().unwrap().send(r)))).unwrap();
    let mut sent = 0;
    for (_, digits, masked) in CARDS {
        for spelling in spellings(digits) {
            let body = format!("Customer read out {spelling}, CVV: 123");
            worker.send(Request::SaveDraft { contact, body: body.clone() });
            worker.send(Request::SaveNote { contact, body });
            assert!(worker.flush(Duration::from_secs(30)));
            sent += 1;
            let stored = store::connect(&path).unwrap();
            let last = notes::for_contact(&stored, contact).unwrap().pop().unwrap();
            assert!(last.body.contains(masked) && last.body.contains("CVV: ***"), "{}", last.body);
        }
    }
    // The draft is replaced by each note, so save one more and leave it as a draft.
    worker.send(Request::SaveDraft { contact, body: "typing 4111 1111 1111 1111 cvv 123".into() });
    assert!(worker.flush(Duration::from_secs(30)));
    let mut note_replies = 0;
    for reply in replies.try_iter() {
        match reply {
            Reply::NoteSaved { note } => {
                note_replies += 1;
                assert!(note.body.contains("*****"), "the editor is shown the masked text: {}", note.body);
            }
            Reply::DraftSaved { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(note_replies, sent);
    drop(worker);
    let conn = store::connect(&path).unwrap();
    assert_eq!(notes::draft(&conn, contact).unwrap().unwrap(), "typing 411111******1111 cvv ***");
    drop(conn);
    assert_no_card(&stored_bytes(&path), "notes and drafts");
    println!("worker: {sent} notes and {} drafts with cards, all stored masked", sent + 1);
}

fn frontline(db: &Path) -> Command {
    let mut cmd = Command::cargo_bin("frontline").unwrap();
    cmd.env_remove("FRONTLINE_CONFIG").arg("--db").arg(db);
    cmd
}

#[test]
fn contact_bodies_from_import_and_contact_new_are_masked_and_so_are_exports() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = workspace(dir.path());
    let mut rows = Vec::new();
    for (i, (_, digits, _)) in CARDS.iter().enumerate() {
        for (j, spelling) in spellings(digits).into_iter().enumerate() {
            rows.push(serde_json::json!({
                "channel": "email",
                "customer": format!("c{i}x{j}@example.com"),
                "subject": "Refund",
                "body": format!("my card is {spelling} and the CVV: 123"),
                "notes": [{"at": "2026-11-20T10:00:00Z", "text": format!("read back {spelling}")}],
            }));
        }
    }
    let file = dir.path().join("contacts.json");
    std::fs::write(&file, serde_json::to_vec(&rows).unwrap()).unwrap();
    let out = frontline(&path).args(["import", "contacts"]).arg(&file).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout);
    // Each row: a card and a code in the body, a card in the note.
    assert!(said.contains(&format!("Masked {} card numbers", rows.len() * 3)), "the rep is told: {said}");

    // A CSV import too.
    let csv = dir.path().join("contacts.csv");
    std::fs::write(&csv, "channel,subject,body\nphone,Charge,\"card 5555-5555-5555-4444, security code 987\"\n")
        .unwrap();
    frontline(&path).args(["import", "contacts"]).arg(&csv).assert().success();

    for (_, digits, _) in CARDS {
        for spelling in spellings(digits) {
            frontline(&path)
                .args(["contact", "new", "--channel", "phone", "--subject", "Caller gave card"])
                .args(["--body", &format!("{spelling} cvv 123")])
                .assert()
                .success();
        }
    }
    assert_no_card(&stored_bytes(&path), "contact bodies");
    let conn = store::connect(&path).unwrap();
    let masked: i64 =
        conn.query_row("SELECT count(*) FROM contacts WHERE body LIKE '%*****%'", [], |r| r.get(0)).unwrap();
    assert_eq!(masked as usize, rows.len() * 2 + 1, "every imported and typed body masked");
    drop(conn);

    // Exports read what was stored: no card in any format.
    let mut exports = 0;
    for what in ["contacts", "notes", "customers"] {
        for format in ["json", "csv", "md", "jsonl"] {
            let out = frontline(&path).args(["export", what, "--format", format]).output().unwrap();
            if !out.status.success() {
                continue; // not every format exists for every record type
            }
            assert_no_card(&String::from_utf8_lossy(&out.stdout), &format!("export {what} --format {format}"));
            exports += 1;
        }
    }
    assert!(exports >= 3, "exports were checked ({exports})");
    println!(
        "imports/contact new: {} bodies and notes masked; {exports} export formats free of card numbers",
        rows.len() * 3 + 2 + 60
    );
}

// ------------------------------------------------------------ false positives

/// Numbers a rep meets every day that are not cards. None may be changed.
const NOT_CARDS: &[&str] = &[
    // Phone numbers
    "+1 503 555 0142",
    "(503) 555-0142",
    "503-555-0142",
    "503.555.0142",
    "+44 20 7946 0958",
    "020 7946 0958",
    "+49 30 123456789",
    "0049 1512 3456 7802",
    "+86 138 0013 8002",
    "+33 1 23 45 67 89",
    "+81 3-1234-5678",
    "+91 98765 43210",
    "+61 2 9876 5432",
    "1-800-555-0199",
    "+1 (503) 555-0142 ext. 1234",
    "+971 50 123 4567",
    "+55 11 91234-5678",
    "00 44 20 7946 0958",
    // Order, ticket, account and reference numbers
    "LK-104233",
    "order LK-104792",
    "orders 104233 104234 104239",
    "ticket #4821907",
    "RMA-2026-000481",
    "invoice INV-20261120-0042",
    "customer 000123456789",
    "SKU 0-12345-67890-5",
    "gift card 6006-4911-2345",
    "PO 450012345",
    // Tracking numbers
    "1Z999AA10123456784",
    "tracking 1Z 999 AA1 01 2345 6784",
    "9400 1000 0000 0000 0000 00",
    "9261290100130435082865",
    "7489 1234 5678",
    "JD014600006281490213",
    // Dates and times
    "2026-11-20",
    "2026-11-20 2026-11-02",
    "20/11/2026",
    "11/20/2026 14:05",
    "2026-11-20T14:05:00Z",
    "20261120033000",
    "20261120 143000",
    "1795183200",
    "1795183200009",
    "1795183200017",
    "2026-11-20 14:05:00.123456",
    // Bank and other identifiers
    "GB82 WEST 1234 5698 7654 32",
    "DE89 3704 0044 0532 0130 00",
    "NL91ABNA0417164300",
    "routing 021000021 account 1234567890",
    "IMEI 35-209900-176148-1",
    "serial 7000000001675664",
    "ISBN 978-0-306-40615-7",
    "IP 192.168.100.200",
    // 12- and 20-digit numbers, amounts
    "123456789012",
    "998877665544",
    "41111111111111111115",
    "12345678901234567890",
    "$1,234,567.89",
    "1000000055433",
];

#[test]
fn realistic_numbers_that_are_not_cards_are_left_alone() {
    assert!(NOT_CARDS.len() >= 50);
    let mut masked = Vec::new();
    for text in NOT_CARDS {
        let m = mask_card_numbers(text);
        if m.text != *text || m.cards + m.codes > 0 {
            masked.push(format!("{text:?} → {:?}", m.text));
        }
    }
    println!("false positives on {} realistic non-card numbers: {}", NOT_CARDS.len(), masked.len());
    assert!(masked.is_empty(), "masked by mistake: {masked:#?}");
}

fn demo_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            demo_files(&path, out);
        } else if matches!(path.extension().and_then(|e| e.to_str()), Some("json" | "md")) {
            out.push(path);
        }
    }
}

#[test]
fn the_demo_data_has_exactly_its_one_deliberate_card_masked() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
    let mut files = Vec::new();
    demo_files(&root, &mut files);
    files.sort();
    let (mut cards, mut codes, mut numbers) = (0, 0, 0);
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        numbers += text.split(|c: char| !c.is_ascii_digit()).filter(|run| !run.is_empty()).count();
        let m = mask_card_numbers(&text);
        cards += m.cards;
        codes += m.codes;
        if m.cards + m.codes > 0 {
            found.push(format!(
                "{}: {} card(s), {} code(s)",
                file.strip_prefix(&root).unwrap().display(),
                m.cards,
                m.codes
            ));
        }
    }
    println!(
        "demo data: {} files, {numbers} digit runs, {cards} card(s) and {codes} code(s) masked: {found:?}",
        files.len()
    );
    assert!(files.len() > 50, "the demo's JSON files and knowledge-base articles");
    assert_eq!((cards, codes), (1, 0), "only the deliberate card in contacts.json: {found:?}");
    assert_eq!(found, vec!["contacts.json: 1 card(s), 0 code(s)".to_string()]);
}
