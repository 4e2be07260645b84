//! Pane snapshots: every pane state drawn on a `TestBackend` at 80×24 and at a small 44×12,
//! a no-panic sweep over sizes from 0×0 to 300×100, and hostile text (escape sequences,
//! control characters, CJK, emoji, NFD Hangul, right-to-left) that must never reach the
//! terminal as a control code nor push a pane border out of line.
//!
//! States are built the way the app builds them: `State::new` at a fixed clock, then the
//! database replies the workers would send (`Event::Db(Reply::…)`). Snapshot files live in
//! `tests/snapshots/` and are reviewed like code.

use std::panic::AssertUnwindSafe;
use std::sync::Once;

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use frontline::domain::text::{MARK_END, MARK_START};
use frontline::domain::{BillingEvent, Channel, ContactStatus, IdentityKind, Order};
use frontline::import::kb::{self as import_kb, Parsed, SourceFile};
use frontline::keymap::Keymap;
use frontline::protocol::{Reply, Request, SearchRequest};
use frontline::state::{Effect, Event, Pane, State, Tone, update};
use frontline::store::contacts::{self, NewContact};
use frontline::store::customers::{self, NewCustomer};
use frontline::store::{self, kb, notes};
use frontline::ui::{self, DrawInfo};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use rusqlite::Connection;
use unicode_width::UnicodeWidthStr;

/// 2026-11-20T14:00:00Z, the demo's reference time.
const T0_MS: i64 = 1_795_183_200_000;
const T0: i64 = T0_MS / 1000;
const MIN: i64 = 60;
const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

static UTC: Once = Once::new();

/// Dates and times are drawn in the local time zone; pin it so snapshots do not depend on
/// the machine. Every test calls this before anything reads the environment.
fn utc() {
    UTC.call_once(|| {
        // SAFETY: runs exactly once, before any test in this binary reads the environment
        // (every test calls `utc()` first, and `Once` blocks the others until it is done),
        // so no other thread reads or writes the environment concurrently.
        #[allow(unsafe_code)]
        unsafe {
            std::env::set_var("TZ", "UTC");
        }
    });
}

// ------------------------------------------------------------------ building states

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ctrl(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

// ------------------------------------------------------------------ a small workspace
//
// The data is written with the store's own functions and read back with the same queries
// the workers run, so the replies below are exactly what the app would receive.

/// Customer ids and the contact ids the states open.
struct Seeded {
    conn: Connection,
    maria_contact: i64,
}

fn order(number: &str, days_ago: i64, status: &str, cents: i64, items: &str, tracking: Option<&str>) -> Order {
    Order {
        number: number.into(),
        placed_at: T0 - days_ago * DAY,
        status: status.into(),
        total_cents: cents,
        currency: "USD".into(),
        items: items.into(),
        carrier: tracking.map(|_| "UPS".to_string()),
        tracking: tracking.map(str::to_string),
    }
}

fn billing(at: i64, kind: &str, cents: i64, description: &str) -> BillingEvent {
    BillingEvent {
        at,
        kind: frontline::domain::BillingKind::parse(kind).unwrap(),
        amount_cents: cents,
        currency: "USD".into(),
        description: description.into(),
    }
}

fn customer(conn: &Connection, c: &NewCustomer) -> i64 {
    customers::insert(conn, c, T0 - 400 * DAY).unwrap()
}

fn waiting(
    conn: &Connection,
    customer: Option<i64>,
    channel: Channel,
    subject: &str,
    priority: u8,
    waited: i64,
) -> i64 {
    let mut c = NewContact::waiting(channel, subject, T0 - waited);
    c.customer_id = customer;
    c.priority = priority;
    contacts::insert(conn, &c).unwrap()
}

fn resolved(conn: &Connection, customer: i64, channel: Channel, subject: &str, ago: i64, disposition: &str) -> i64 {
    let mut c = NewContact::waiting(channel, subject, T0 - ago);
    c.customer_id = Some(customer);
    c.status = ContactStatus::Resolved;
    c.accepted_at = Some(T0 - ago + 2 * MIN);
    c.ended_at = Some(T0 - ago + 14 * MIN);
    c.disposition = Some(disposition.into());
    contacts::insert(conn, &c).unwrap()
}

fn maria() -> NewCustomer {
    NewCustomer {
        name: "Maria Gonzalez".into(),
        company: Some("Trailhead Guides LLC".into()),
        tier: Some("plus".into()),
        language: Some("es".into()),
        timezone: Some("America/Denver".into()),
        vip: true,
        fraud_watch: true,
        pinned_note: Some("Verify identity by order number before any refund.".into()),
        identities: vec![
            (IdentityKind::Email, "maria.g@example.com".into()),
            (IdentityKind::Phone, "+1 (503) 555-0142".into()),
        ],
        orders: vec![
            order("LK-104233", 3, "shipped", 38_900, "Ridgeline 2P tent", Some("1Z999AA10123456784")),
            order("LK-098812", 40, "delivered", 12_995, "Down jacket", None),
        ],
        billing: vec![
            billing(T0 - 40 * DAY, "charge", 12_995, "LK-098812"),
            billing(T0 - 3 * DAY, "charge", 38_900, "LK-104233"),
            billing(T0 - 3 * DAY + 60, "charge", 38_900, "LK-104233 again"),
            billing(T0 - DAY, "dispute", 38_900, "Bank dispute opened"),
        ],
        ..NewCustomer::default()
    }
}

fn named(name: &str, email: &str) -> NewCustomer {
    NewCustomer { name: name.into(), identities: vec![(IdentityKind::Email, email.into())], ..NewCustomer::default() }
}

fn seed() -> Seeded {
    utc();
    let conn = store::open_in_memory().unwrap();
    let aiko = customer(&conn, &named("Aiko Tanaka", "aiko@example.com"));
    let zoe = customer(&conn, &named("Zoe Kim", "zoe@example.com"));
    let maria_id = customer(&conn, &maria());
    let dmitri = customer(&conn, &named("Dmitri Volkov", "dmitri@example.com"));
    let priya = customer(&conn, &named("Priya Raman", "priya@example.com"));

    let earlier = resolved(&conn, maria_id, Channel::Chat, "Sizing question", 41 * DAY, "answered");
    let zipper = resolved(&conn, maria_id, Channel::Email, "Jacket zipper broke", 10 * DAY, "repair booked");
    notes::insert_note(
        &conn,
        Some(zipper),
        Some(maria_id),
        ("note", "Sent repair label by email.", T0 - 10 * DAY, None),
    )
    .unwrap();
    notes::insert_note(
        &conn,
        Some(zipper),
        Some(maria_id),
        ("promise", "Call back about the jacket repair", T0 - 10 * DAY, Some(T0 + 2 * DAY)),
    )
    .unwrap();
    let _ = earlier;

    waiting(&conn, Some(aiko), Channel::InPerson, "Recalled stove swap — Portland store", 1, 47 * MIN);
    waiting(&conn, Some(zoe), Channel::Social, "Is my Summit stove part of the recall?", 1, 41 * MIN);
    let maria_contact =
        waiting(&conn, Some(maria_id), Channel::Phone, "Charged twice for the Ridgeline tent", 2, 2 * HOUR + 5 * MIN);
    conn.execute(
        "UPDATE contacts SET body = ?2, tags = ?3 WHERE id = ?1",
        rusqlite::params![
            maria_contact,
            "I see two charges of $389.00 on my card for one tent.\nPlease refund one of them.",
            "billing;double-charge"
        ],
    )
    .unwrap();
    notes::insert_note(
        &conn,
        Some(maria_contact),
        Some(maria_id),
        ("note", "Customer confirmed both charges on statement.", T0 - 20 * MIN, None),
    )
    .unwrap();
    notes::insert_note(
        &conn,
        Some(maria_contact),
        Some(maria_id),
        ("note", "Asked billing to check the gateway log.", T0 - 5 * MIN, None),
    )
    .unwrap();
    notes::save_draft(
        &conn,
        maria_contact,
        "Refund the duplicate charge to the original card.\nTold her 5–10 business days.",
        T0,
    )
    .unwrap();
    waiting(&conn, Some(dmitri), Channel::Email, "Where is my order LK-104233?", 3, 3 * DAY + 4 * HOUR);
    waiting(&conn, None, Channel::Chat, "Discount code not working", 3, 12 * MIN);
    waiting(&conn, Some(priya), Channel::Email, "Return a sleeping bag bought as a gift", 4, 45);

    for (key, category, text) in ARTICLES {
        add_article(&conn, key, category, text);
    }
    Seeded { conn, maria_contact }
}

fn add_article(conn: &Connection, key: &str, category: &str, text: &str) {
    let source = SourceFile { path: PathBuf::from(key), key: key.to_string(), category: category.to_string() };
    match import_kb::parse(&source, text) {
        Ok(Parsed::Article(a)) => {
            kb::upsert_article(conn, &a, T0).unwrap();
        }
        other => panic!("{key} is an article: {other:?}"),
    }
}

const ARTICLES: [(&str, &str, &str); 4] = [
    ("kb/returns/30-day-return-window.md", "Returns and refunds", ARTICLE),
    (
        "kb/returns/refund-timing.md",
        "Returns and refunds",
        "---\ntitle: Refund timing by payment method\ntags: [refund]\n---\n\nRefunds to a card take 5–10 business days after we receive the item; gift cards are refunded at once.\n",
    ),
    (
        "kb/billing/double-charges.md",
        "Billing and payments",
        "# Double charges\n\nA duplicate charge is usually a pre-authorization hold and drops off within 3 days. If both charges settle, refund the duplicate the same day.\n",
    ),
    (
        "kb/billing/disputes.md",
        "Billing and payments",
        "# Billing disputes and chargebacks\n\nOnce a charge is disputed with the bank, do not refund it as well: the bank returns the money.\n",
    ),
];

const ARTICLE: &str = "---
title: Returns within 30 days
description: Standard return policy
tags: [returns, refund, policy]
---

## Policy summary

Customers can return most items **within 30 days** of delivery. See the [returns portal](https://larkspur.example/returns).

### How to process

1. Check the order date.
2. Confirm the item is *unused*.
   - tags attached
   - original box
3. Issue the label.

| Method | Refund time |
|---|--:|
| Card | 5–10 days |
| Gift card | instant |

```text
RMA-<order>-<yyyymmdd>
```

> Final-sale items cannot be returned.
";

/// The start request answered from the workspace.
fn loaded(conn: &Connection) -> State {
    let mut s = State::new("Larkspur Outfitters", Keymap::default(), T0_MS);
    answer_queue(&mut s, conn);
    s
}

fn answer_queue(s: &mut State, conn: &Connection) {
    let effects = s.start();
    let Some(Effect::Db(Request::Queue { seq, .. })) = effects.first().cloned() else {
        panic!("start asks for the queue first: {effects:?}")
    };
    let rows = contacts::queue(conn, 0, contacts::QUEUE_PAGE).unwrap();
    let waiting = contacts::waiting_count(conn).unwrap();
    let articles = kb::count(conn).unwrap();
    update(s, Event::Db(Reply::Queue { seq, rows: Some(rows), waiting, articles, changed_elsewhere: false }));
}

/// Answers whatever search or suggestion the effects asked for, as the search worker would.
fn answer_searches(s: &mut State, conn: &Connection, effects: Vec<Effect>) {
    for e in effects {
        let reply = match e {
            Effect::Search(SearchRequest::Search { seq, query, limit }) => {
                Reply::KbResults { seq, hits: kb::search(conn, &query, limit).unwrap(), suggested: false }
            }
            Effect::Search(SearchRequest::Suggest { seq, subject, body, limit }) => {
                Reply::KbResults { seq, hits: kb::suggest(conn, &subject, &body, limit).unwrap(), suggested: true }
            }
            _ => continue,
        };
        update(s, Event::Db(reply));
    }
}

/// Moves to the queue row of contact `id`, presses Enter and answers like the worker.
fn open_contact(s: &mut State, conn: &Connection, id: i64) {
    let row = s.queue.rows.iter().position(|r| r.id == id).unwrap_or_else(|| panic!("contact {id} is queued"));
    update(s, key(KeyCode::Home));
    for _ in 0..row {
        update(s, key(KeyCode::Down));
    }
    let effects = update(s, key(KeyCode::Enter));
    let seq = effects
        .iter()
        .find_map(|e| match e {
            Effect::Db(Request::OpenContact { seq, .. }) => Some(*seq),
            _ => None,
        })
        .unwrap_or_else(|| panic!("Enter on a queue row opens it: {effects:?}"));
    let detail = contacts::detail(conn, id, T0 - T0 % DAY).unwrap().map(Box::new);
    let effects = update(s, Event::Db(Reply::Contact { seq, detail }));
    answer_searches(s, conn, effects);
}

/// Types `query` into Knowledge (Ctrl-F) and answers the last search.
fn search(s: &mut State, conn: &Connection, query: &str) {
    update(s, ctrl('f'));
    let mut effects = Vec::new();
    for c in query.chars() {
        effects = update(s, key(KeyCode::Char(c)));
    }
    assert!(matches!(effects.as_slice(), [Effect::Search(SearchRequest::Search { .. })]), "{effects:?}");
    answer_searches(s, conn, effects);
}

/// Opens the selected result and answers with the stored article.
fn read_selected(s: &mut State, conn: &Connection) {
    let effects = update(s, key(KeyCode::Enter));
    let Some(Effect::Db(Request::Article { seq, id })) = effects.last().cloned() else {
        panic!("Enter on a result opens it: {effects:?}")
    };
    update(s, Event::Db(Reply::Article { seq, article: kb::article(conn, id).unwrap() }));
    assert!(s.knowledge.reading.is_some(), "the reader is open");
}

// ------------------------------------------------------------------ the named states

fn st_loading() -> State {
    utc();
    State::new("Larkspur Outfitters", Keymap::default(), T0_MS)
}

fn st_empty() -> State {
    utc();
    loaded(&store::open_in_memory().unwrap())
}

fn st_queue() -> State {
    let w = seed();
    let mut s = loaded(&w.conn);
    update(&mut s, key(KeyCode::Down));
    s
}

/// Maria's contact open, as right after Enter: focus on Notes, suggestions in Knowledge.
fn st_contact() -> State {
    let w = seed();
    let mut s = loaded(&w.conn);
    open_contact(&mut s, &w.conn, w.maria_contact);
    s
}

fn st_contact_customer_focused() -> State {
    let mut s = st_contact();
    s.focus = Pane::Customer;
    s
}

fn st_results() -> State {
    let w = seed();
    let mut s = loaded(&w.conn);
    search(&mut s, &w.conn, "refund");
    s
}

fn st_no_results() -> State {
    let w = seed();
    let mut s = loaded(&w.conn);
    search(&mut s, &w.conn, "zzz");
    s
}

fn st_reader() -> State {
    let w = seed();
    let mut s = loaded(&w.conn);
    search(&mut s, &w.conn, "return polic");
    read_selected(&mut s, &w.conn);
    s
}

fn st_help() -> State {
    let mut s = st_queue();
    update(&mut s, key(KeyCode::F(1)));
    assert_eq!(s.overlays.help(), Some(&0), "F1 opens help");
    s
}

fn st_flash() -> State {
    let mut s = st_contact();
    s.flash("Note not saved (disk full); its text is back in the editor", Tone::Error);
    s
}

type Builder = fn() -> State;

const ALL_STATES: [(&str, Builder); 11] = [
    ("loading", st_loading),
    ("empty", st_empty),
    ("queue", st_queue),
    ("contact", st_contact),
    ("contact_customer_focused", st_contact_customer_focused),
    ("results", st_results),
    ("no_results", st_no_results),
    ("reader", st_reader),
    ("help", st_help),
    ("flash", st_flash),
    ("hostile", st_hostile_contact),
];

// ------------------------------------------------------------------ drawing

fn render(state: &State, width: u16, height: u16) -> (Terminal<TestBackend>, DrawInfo) {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let mut info = DrawInfo::default();
    terminal
        .draw(|frame| {
            info = ui::draw(state, frame);
        })
        .unwrap();
    (terminal, info)
}

/// The visible text of each row (cells hidden behind a wide character left out).
fn rows(buf: &Buffer) -> Vec<String> {
    let area = buf.area;
    (0..area.height)
        .map(|y| {
            let mut line = String::new();
            let mut x = 0;
            while x < area.width {
                let symbol = buf[(x, y)].symbol();
                line.push_str(symbol);
                x += u16::try_from(symbol.width().max(1)).unwrap();
            }
            line
        })
        .collect()
}

fn screen(state: &State, width: u16, height: u16) -> String {
    let (terminal, _) = render(state, width, height);
    rows(terminal.backend().buffer()).join("\n")
}

macro_rules! snap {
    ($name:literal, $state:expr, $w:expr, $h:expr) => {{
        let state = $state;
        let (terminal, _) = render(&state, $w, $h);
        insta::assert_snapshot!($name, terminal.backend());
    }};
}

// ------------------------------------------------------------------ snapshots

#[test]
fn loading_before_the_first_reply() {
    snap!("loading_80x24", st_loading(), 80, 24);
}

#[test]
fn empty_workspace_says_what_to_do() {
    let s = st_empty();
    let text = screen(&s, 80, 24);
    assert!(text.contains("No contacts waiting."), "{text}");
    assert!(text.contains("F3 logs a call or walk-in"), "{text}");
    // The whole hint fits the pane at 80×24, with the KB import while there are no articles.
    assert!(text.contains("frontline import kb FOLDER"), "{text}");
    assert!(text.contains("show up here by"), "{text}");
    snap!("empty_80x24", st_empty(), 80, 24);
    snap!("empty_44x12", st_empty(), 44, 12);
}

#[test]
fn typing_while_a_contact_is_on_its_way_shows_on_the_status_bar() {
    let mut s = st_queue();
    update(&mut s, key(KeyCode::F(2)));
    for c in "Hi Maria".chars() {
        update(&mut s, key(KeyCode::Char(c)));
    }
    let text = screen(&s, 120, 30);
    let status = text.lines().last().unwrap_or_default();
    assert!(status.contains("Taking the contact… Hi Maria"), "{status}");
}

#[test]
fn an_empty_queue_with_articles_does_not_ask_for_them() {
    utc();
    let conn = store::open_in_memory().unwrap();
    add_article(&conn, "kb/a.md", "", "# A\n\nText.\n");
    let text = screen(&loaded(&conn), 80, 40);
    assert!(text.contains("No contacts waiting."), "{text}");
    assert!(!text.contains("import kb"), "{text}");
}

#[test]
fn the_whole_empty_queue_hint_fits_at_80x24() {
    let text = screen(&st_empty(), 80, 24);
    assert!(text.contains("import kb"), "{text}");
    assert!(text.contains("frontline --demo"), "{text}");
}

#[test]
fn loaded_queue_lists_the_most_urgent_first_with_waiting_times() {
    let text = screen(&st_queue(), 80, 24);
    assert!(text.contains("6 waiting"), "{text}");
    assert!(text.contains("47m"), "live waiting time of the first row:\n{text}");
    snap!("queue_80x24", st_queue(), 80, 24);
    snap!("queue_44x12", st_queue(), 44, 12);
}

#[test]
fn an_open_contact_shows_the_customer_story_and_the_notes() {
    let s = st_contact();
    let text = screen(&s, 80, 24);
    for expected in ["★ VIP", "⚠ FRAUD WATCH", "⚑ Verify identity", "Refund the duplicate", "Asked billing"] {
        assert!(text.contains(expected), "{expected:?} missing:\n{text}");
    }
    snap!("contact_80x24", st_contact(), 80, 24);
    snap!("contact_44x12", st_contact(), 44, 12);
}

#[test]
fn the_whole_customer_record_reads_top_to_bottom_on_a_tall_screen() {
    let text = screen(&st_contact_customer_focused(), 120, 80);
    for expected in [
        "★ VIP",
        "⚠ FRAUD WATCH",
        "⚑ Verify identity",
        "Promises (1)",
        "Orders (2)",
        "LK-104233",
        "Billing (nothing owed)",
        "dispute",
        "History (3 contacts, all channels)",
        "└ Sent repair label",
        "Saved notes (2)",
        "Customer confirmed both charges",
    ] {
        assert!(text.contains(expected), "{expected:?} missing:\n{text}");
    }
    snap!("contact_customer_focused_120x80", st_contact_customer_focused(), 120, 80);
}

#[test]
fn knowledge_results_show_highlighted_snippets() {
    let s = st_results();
    let (terminal, _) = render(&s, 80, 24);
    let buf = terminal.backend().buffer();
    let text = rows(buf).join("\n");
    assert!(text.contains("Best matches first"), "{text}");
    assert!(!text.contains(MARK_START) && !text.contains(MARK_END), "markers never reach the screen");
    // The matched word is drawn in the highlight style, the rest of the snippet is not.
    let theme = s.theme;
    let (x, y) = find(buf, "Refunds to").unwrap_or_else(|| panic!("snippet drawn:\n{text}"));
    assert!(buf[(x, y)].modifier.contains(theme.highlight.add_modifier), "the match is highlighted");
    let (x, y) = find(buf, "card").unwrap_or_else(|| panic!("snippet drawn:\n{text}"));
    assert!(!buf[(x, y)].modifier.contains(ratatui::style::Modifier::UNDERLINED), "context is not highlighted");
    snap!("results_80x24", st_results(), 80, 24);
    snap!("results_44x12", st_results(), 44, 12);
}

#[test]
fn typing_on_past_every_match_keeps_the_last_matches_and_says_so() {
    let w = seed();
    let mut s = loaded(&w.conn);
    search(&mut s, &w.conn, "polic");
    let shown = s.knowledge.hits.clone();
    assert!(!shown.is_empty());
    for c in "qzx".chars() {
        let effects = update(&mut s, key(KeyCode::Char(c)));
        answer_searches(&mut s, &w.conn, effects);
    }
    assert_eq!(s.knowledge.hits, shown);
    let text = screen(&s, 80, 24);
    assert!(text.contains("Still showing “polic”"), "{text}");
    let wide = screen(&s, 160, 40);
    assert!(wide.contains("Still showing “polic”: nothing matches “policqzx” yet"), "{wide}");
}

#[test]
fn one_letter_typed_asks_for_the_second_instead_of_saying_nothing_matches() {
    let w = seed();
    let mut s = loaded(&w.conn);
    search(&mut s, &w.conn, "p");
    let text = screen(&s, 160, 40);
    assert!(text.contains("Keep typing: the search starts at the second letter."), "{text}");
    assert!(!text.contains("No article matches"), "{text}");
}

#[test]
fn a_search_with_no_match_says_so() {
    let text = screen(&st_no_results(), 80, 24);
    assert!(text.contains("No article matches “zzz”."), "{text}");
}

#[test]
fn the_reader_renders_markdown() {
    let s = st_reader();
    let text = screen(&s, 100, 60);
    for expected in [
        "Policy summary",
        "30 days of delivery",
        "<https://larkspur.example/returns>",
        "1. Check the order date.",
        "  • tags attached",
        "3. Issue the label.",
        "Method    │ Refund time",
        "──────────┼────────────",
        "Gift card │     instant",
        "    RMA-<order>-<yyyymmdd>",
        "│ Final-sale items cannot be returned.",
    ] {
        assert!(text.contains(expected), "{expected:?} missing:\n{text}");
    }
    for markup in ["**", "##", "```", "|---", "](http"] {
        assert!(!text.contains(markup), "raw Markdown {markup:?} on screen:\n{text}");
    }
    snap!("reader_80x24", st_reader(), 80, 24);
    snap!("reader_44x12", st_reader(), 44, 12);
    // At the end (End), the table, code block and quote are in view.
    let mut s = st_reader();
    update(&mut s, key(KeyCode::End));
    let (_, info) = render(&s, 80, 24);
    s.clamp_scrolling(info);
    snap!("reader_end_80x24", s, 80, 24);
}

#[test]
fn reader_scrolling_is_clamped_to_the_article() {
    let mut s = st_reader();
    update(&mut s, key(KeyCode::End));
    let (_, info) = render(&s, 80, 24);
    s.clamp_scrolling(info);
    let scroll = s.knowledge.reading.as_ref().unwrap().scroll;
    assert!(scroll > 0 && scroll < 100, "End scrolls to the article's end, no further: {scroll} ({info:?})");
    let text = screen(&s, 80, 24);
    assert!(text.contains("Final-sale items"), "the last line is in view at the end:\n{text}");
}

#[test]
fn f1_shows_every_key_from_the_keymap() {
    let text = screen(&st_help(), 80, 24);
    // The list is longer than 24 rows, so the title says how to scroll it.
    assert!(text.contains("Keys — j/k or PgUp/PgDn scroll · Esc closes"), "{text}");
    snap!("help_80x24", st_help(), 80, 24);
    snap!("help_44x12", st_help(), 44, 12);
}

#[test]
fn a_flash_message_replaces_the_key_hints() {
    let text = screen(&st_flash(), 120, 30);
    let status = text.lines().last().unwrap_or_default();
    assert!(status.contains("Note not saved (disk full)"), "{text}");
    assert!(!status.contains("Ctrl-S"), "the hints make way for the message: {status}");
    snap!("flash_80x24", st_flash(), 80, 24);
}

#[test]
fn a_flash_message_is_readable_at_80_columns_with_a_contact_open() {
    let text = screen(&st_flash(), 80, 24);
    let status = text.lines().last().unwrap_or_default();
    assert!(status.contains("Note not saved"), "{status}");
}

#[test]
fn below_the_minimum_size_a_one_line_notice_is_drawn() {
    snap!("too_small_30x6", st_contact(), 30, 6);
}

fn find(buf: &Buffer, needle: &str) -> Option<(u16, u16)> {
    let first = needle.chars().next()?;
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            if buf[(x, y)].symbol().starts_with(first) {
                let mut s = String::new();
                for dx in 0..u16::try_from(needle.chars().count()).ok()? {
                    if x + dx < buf.area.width {
                        s.push_str(buf[(x + dx, y)].symbol());
                    }
                }
                if s == needle {
                    return Some((x, y));
                }
            }
        }
    }
    None
}

// ------------------------------------------------------------------ no-panic sweep

const SIZES: [(u16, u16); 8] = [(0, 0), (1, 1), (10, 3), (20, 5), (40, 8), (44, 12), (80, 24), (300, 100)];

#[test]
fn every_state_draws_at_every_size_without_panicking() {
    for (name, build) in ALL_STATES {
        for (w, h) in SIZES {
            let state = build();
            let result = std::panic::catch_unwind(AssertUnwindSafe(|| render(&state, w, h).1));
            assert!(result.is_ok(), "{name} panicked at {w}×{h}");
        }
    }
}

#[test]
fn extreme_scroll_offsets_draw_and_are_clamped() {
    for (w, h) in SIZES {
        let mut s = st_contact_customer_focused();
        s.customer.scroll = u16::MAX;
        let (_, info) = render(&s, w, h);
        s.clamp_scrolling(info);
        assert!(s.customer.scroll <= info.customer_max_scroll);
        let mut s = st_reader();
        s.knowledge.reading.as_mut().unwrap().scroll = u16::MAX;
        let (_, info) = render(&s, w, h);
        s.clamp_scrolling(info);
        let mut s = st_help();
        s.overlays.open(frontline::state::overlay::Overlay::Help(u16::MAX));
        render(&s, w, h);
    }
}

// ------------------------------------------------------------------ hostile text

const OSC_TITLE: &str = "\u{1b}]0;pwned-title\u{7}";
const CLEAR: &str = "\u{1b}[2J\u{1b}[H\u{1b}[31m";
const OSC_52: &str = "\u{1b}]52;c;ZWNobyBwd25lZA==\u{7}";
const CONTROLS: &str = "nul\u{0}bel\u{7}bs\u{8}del\u{7f}vt\u{b}ff\u{c}c1\u{85}\u{9b}";
const CJK: &str = "顧客サービス 王小明 김민준";
const EMOJI: &str = "👩‍👩‍👧‍👦 👍🏽 🧑🏿‍🚀 🏳️‍🌈";
/// "한글" decomposed into conjoining jamo (NFD).
const HANGUL_NFD: &str = "\u{1112}\u{1161}\u{11ab}\u{1100}\u{1173}\u{11af}";
const RTL: &str = "שלום עולם مرحبا \u{202e}txet desrever\u{202c} \u{2067}iso\u{2069}";
const COMBINING: &str = "Ze\u{301}\u{327}\u{308}bra Z\u{324}\u{354}\u{367}a\u{308}";

fn hostile(label: &str) -> String {
    format!("{label}{OSC_TITLE}{CLEAR} {CJK} {EMOJI}{OSC_52} {HANGUL_NFD} {RTL} {COMBINING} {CONTROLS}\ttab\rcr end")
}

/// A workspace whose every stored string is hostile, opened on the hostile contact.
fn hostile_workspace(draft: &str) -> (Connection, i64) {
    utc();
    let conn = store::open_in_memory().unwrap();
    let mut c = maria();
    c.name = hostile("Customer");
    c.pinned_note = Some(hostile("Pinned"));
    c.company = Some(hostile("Co"));
    c.identities.push((IdentityKind::Handle, hostile("@handle")));
    c.orders[0].items = hostile("Items");
    c.orders[0].carrier = Some(hostile("Carrier"));
    c.orders[1].currency = hostile("XX");
    c.billing[0].description = hostile("Billing");
    c.billing[3].currency = OSC_TITLE.into();
    let id = customer(&conn, &c);
    let old = resolved(&conn, id, Channel::Chat, &hostile("Timeline"), 3 * DAY, &hostile("Disposition"));
    notes::insert_note(&conn, Some(old), Some(id), ("note", &hostile("TimelineNote"), T0 - 3 * DAY, None)).unwrap();
    notes::insert_note(&conn, Some(old), Some(id), ("promise", &hostile("Promise"), T0, Some(T0 + DAY))).unwrap();
    let contact = waiting(&conn, Some(id), Channel::Chat, &hostile("Subject"), 1, 5 * MIN);
    conn.execute(
        "UPDATE contacts SET body = ?2, tags = ?3 WHERE id = ?1",
        rusqlite::params![
            contact,
            format!("{}\n{}\n{}", hostile("Body"), hostile("Line2"), EMOJI.repeat(20)),
            format!("{};{CJK}", hostile("tag")),
        ],
    )
    .unwrap();
    notes::insert_note(&conn, Some(contact), Some(id), ("note", &hostile("Saved"), T0, None)).unwrap();
    notes::insert_note(&conn, Some(contact), Some(id), ("note", &format!("{CJK}{CJK}{CJK}{EMOJI}"), T0, None)).unwrap();
    notes::save_draft(&conn, contact, draft, T0).unwrap();
    let cjk = customer(&conn, &named(CJK, "cjk@example.com"));
    waiting(&conn, Some(cjk), Channel::Email, EMOJI, 2, HOUR);
    let rtl = customer(&conn, &named(RTL, "rtl@example.com"));
    waiting(&conn, Some(rtl), Channel::Social, HANGUL_NFD, 3, DAY);
    // The article comes in through the importer, as every article does.
    let md = format!(
        "# {h}\n\nplain chat subject {h}\n\n- {h}\n- {CJK}\n\n| {h} | {EMOJI} |\n|---|---|\n| {CJK} | {RTL} |\n\n```\n{h}\n```\n\n[{h}](http://x.example/{OSC_52})\n",
        h = hostile("Md")
    );
    add_article(&conn, "hostile.md", &hostile("Category"), &md);
    (conn, contact)
}

/// A draft with everything but escape sequences and control characters: the editor shows
/// drafts as they are stored (see `a_hostile_draft_is_cleaned_before_it_is_drawn`).
fn unicode_draft() -> String {
    format!("Draft {CJK} {EMOJI}\n{HANGUL_NFD} {COMBINING}\n{}", "שלום עולם مرحبا")
}

fn st_hostile_contact() -> State {
    let (conn, contact) = hostile_workspace(&unicode_draft());
    let mut s = State::new(&hostile("ws"), Keymap::default(), T0_MS);
    answer_queue(&mut s, &conn);
    open_contact(&mut s, &conn, contact);
    s
}

fn hostile_states() -> Vec<(&'static str, State)> {
    let (conn, contact) = hostile_workspace(&unicode_draft());
    let base = || {
        let mut s = State::new(&hostile("ws"), Keymap::default(), T0_MS);
        answer_queue(&mut s, &conn);
        s
    };
    let queue = base();
    let mut notes = base();
    open_contact(&mut notes, &conn, contact);
    assert!(!notes.knowledge.hits.is_empty(), "the hostile article is suggested");
    let mut customer = base();
    open_contact(&mut customer, &conn, contact);
    customer.focus = Pane::Customer;
    let mut scrolled = base();
    open_contact(&mut scrolled, &conn, contact);
    scrolled.focus = Pane::Customer;
    scrolled.customer.scroll = 12;
    let mut results = base();
    search(&mut results, &conn, "plain chat");
    assert!(!results.knowledge.hits.is_empty(), "the hostile article is found");
    let mut reader = base();
    search(&mut reader, &conn, "plain chat");
    read_selected(&mut reader, &conn);
    let mut pasted = base();
    update(&mut pasted, ctrl('f'));
    let effects = update(&mut pasted, Event::Paste(hostile("Pasted query")));
    answer_searches(&mut pasted, &conn, effects);
    let mut notes_paste = base();
    open_contact(&mut notes_paste, &conn, contact);
    update(&mut notes_paste, Event::Paste(hostile("Pasted note")));
    let mut flash = base();
    open_contact(&mut flash, &conn, contact);
    flash.flash(hostile("Flash"), Tone::Error);
    vec![
        ("queue", queue),
        ("notes", notes),
        ("customer", customer),
        ("customer_scrolled", scrolled),
        ("results", results),
        ("reader", reader),
        ("pasted_query", pasted),
        ("pasted_note", notes_paste),
        ("flash", flash),
    ]
}

/// What an escape sequence leaves behind if only its ESC byte were removed.
const REMNANTS: [&str; 6] = ["]0;", "pwned-title", "[2J", "[31m", "]52;", "ZWNobyBwd25lZA"];

fn is_border(symbol: &str) -> bool {
    matches!(symbol, "│" | "┃" | "║" | "┐" | "┘" | "┓" | "┛" | "╗" | "╝" | "╮" | "╯")
}

/// Checks a drawn frame: no control characters, bidi overrides or escape-sequence remnants
/// in any cell.
fn assert_clean(name: &str, buf: &Buffer) {
    let area = buf.area;
    let text = rows(buf).join("\n");
    for y in 0..area.height {
        for x in 0..area.width {
            let symbol = buf[(x, y)].symbol();
            assert!(
                !symbol
                    .chars()
                    .any(|c| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')),
                "{name}: cell ({x},{y}) holds a control character {symbol:?}:\n{text}"
            );
        }
    }
    for remnant in REMNANTS {
        assert!(!text.contains(remnant), "{name}: escape sequence remnant {remnant:?} on screen:\n{text}");
    }
}

/// Checks that every visible cell is at least one column wide (a zero-width cell would
/// shift everything to its right), that each row is exactly the screen's width, and that
/// both columns of panes have their right border in the same column on every row.
fn assert_aligned(name: &str, buf: &Buffer) {
    let area = buf.area;
    let text = rows(buf).join("\n");
    // Walk each row as a terminal would: the column where each cell lands.
    let mut right_columns: Option<Vec<usize>> = None;
    for y in 0..area.height.saturating_sub(1) {
        let mut col = 0usize;
        let mut x = 0u16;
        let mut borders = Vec::new();
        while x < area.width {
            let symbol = buf[(x, y)].symbol();
            let w = symbol.width();
            assert!(w >= 1, "{name}: cell ({x},{y}) is {w} columns wide ({symbol:?}); the row shifts left:\n{text}");
            if is_border(symbol) {
                borders.push(col);
            }
            col += w;
            x += u16::try_from(w).unwrap();
        }
        assert_eq!(col, usize::from(area.width), "{name}: row {y} is {col} columns wide:\n{text}");
        // Right borders are the last column of each column of panes.
        let rights: Vec<usize> =
            borders.into_iter().filter(|c| *c == usize::from(area.width) - 1 || rows_right_edge(buf, *c, y)).collect();
        match &right_columns {
            None => right_columns = Some(rights),
            Some(expected) => {
                assert_eq!(&rights, expected, "{name}: row {y} has right borders elsewhere than row 0:\n{text}")
            }
        }
    }
    let rights = right_columns.unwrap_or_default();
    assert_eq!(rights.len(), 2, "{name}: two columns of panes, each with a right border: {rights:?}\n{text}");
}

fn assert_clean_and_aligned(name: &str, buf: &Buffer) {
    assert_clean(name, buf);
    assert_aligned(name, buf);
}

/// Whether the border glyph at display column `col` of row `y` ends a left-hand pane
/// (the next cell starts the right-hand pane's left border).
fn rows_right_edge(buf: &Buffer, col: usize, y: u16) -> bool {
    let x = u16::try_from(col + 1).unwrap_or(u16::MAX);
    x < buf.area.width && matches!(buf[(x, y)].symbol(), "│" | "┃" | "┌" | "└" | "┏" | "┗" | "├" | "┣")
}

const HOSTILE_SIZES: [(u16, u16); 4] = [(80, 24), (44, 12), (120, 40), (57, 19)];

#[test]
fn hostile_text_never_reaches_the_terminal_as_control_codes() {
    for (name, state) in hostile_states() {
        for (w, h) in HOSTILE_SIZES {
            let (terminal, _) = render(&state, w, h);
            assert_clean(&format!("{name} at {w}×{h}"), terminal.backend().buffer());
        }
    }
}

#[test]
fn one_line_panes_keep_their_borders_aligned_with_wide_text() {
    // The queue table, the result list and the status bar cut text to the column width
    // themselves, so wide and combining characters must never push a border.
    for (name, state) in hostile_states().into_iter().filter(|(n, _)| ["queue", "results", "pasted_query"].contains(n))
    {
        for (w, h) in HOSTILE_SIZES {
            let (terminal, _) = render(&state, w, h);
            assert_aligned(&format!("{name} at {w}×{h}"), terminal.backend().buffer());
        }
    }
}

#[test]
fn wrapped_panes_keep_their_borders_aligned_with_wide_text() {
    for (name, state) in hostile_states() {
        for (w, h) in HOSTILE_SIZES {
            let (terminal, _) = render(&state, w, h);
            assert_aligned(&format!("{name} at {w}×{h}"), terminal.backend().buffer());
        }
    }
}

#[test]
fn an_article_stored_with_raw_escapes_is_cleaned_before_it_is_drawn() {
    let (conn, _) = hostile_workspace(&unicode_draft());
    let body = format!(
        "# {h}\n\n{h}\n\n- {h}\n\n| {h} | {EMOJI} |\n|---|---|\n| {CJK} | {RTL} |\n\n```\n{h}\n```\n\n[{h}](http://x.example/{OSC_52})\n",
        h = hostile("Md")
    );
    // Straight through the store, as another tool, a sync or an older version might.
    let article = kb::NewArticle {
        source: "raw.md".into(),
        title: hostile("Raw"),
        description: hostile("Description"),
        category: hostile("Category"),
        tags: vec![hostile("tag"), EMOJI.into()],
        body: body.clone(),
        plain: format!("{} rawword {body}", hostile("Plain")),
        hash: "x".into(),
        url: None,
    };
    kb::upsert_article(&conn, &article, T0).unwrap();
    let mut s = State::new("ws", Keymap::default(), T0_MS);
    answer_queue(&mut s, &conn);
    search(&mut s, &conn, "rawword");
    let (terminal, _) = render(&s, 80, 24);
    assert_clean("results", terminal.backend().buffer());
    read_selected(&mut s, &conn);
    for (w, h) in HOSTILE_SIZES.into_iter().chain([(200, 120)]) {
        let (terminal, _) = render(&s, w, h);
        assert_clean(&format!("article at {w}×{h}"), terminal.backend().buffer());
    }
}

#[test]
fn a_hostile_draft_is_cleaned_before_it_is_drawn() {
    let (conn, contact) = hostile_workspace(&format!("{}\n{}", hostile("Draft"), hostile("Draft2")));
    let mut s = State::new("ws", Keymap::default(), T0_MS);
    answer_queue(&mut s, &conn);
    open_contact(&mut s, &conn, contact);
    let (terminal, _) = render(&s, 80, 24);
    assert_clean("hostile draft", terminal.backend().buffer());
}

#[test]
fn hostile_text_keeps_its_readable_parts() {
    let mut customer = st_hostile_contact();
    customer.focus = Pane::Customer;
    let text = screen(&customer, 160, 60);
    for expected in ["Customer", "顧客サービス", "👍🏽", "שלום", "مرحبا", "Pinned"] {
        assert!(text.contains(expected), "{expected:?} missing:\n{text}");
    }
    assert!(!text.contains("txet desrever\u{202c}"), "bidi controls are dropped");
}

#[test]
fn the_alignment_check_catches_a_broken_border() {
    // The checker itself must be able to fail: overwrite one border cell.
    let s = st_queue();
    let (mut terminal, _) = render(&s, 80, 24);
    let intact = terminal.backend().buffer().clone();
    let ok = std::panic::catch_unwind(move || assert_clean_and_aligned("intact", &intact));
    assert!(ok.is_ok(), "an untouched frame passes");
    terminal
        .draw(|frame| {
            ui::draw(&s, frame);
            frame.buffer_mut()[(79, 5)].set_symbol("\u{200b}");
        })
        .unwrap();
    let broken = terminal.backend().buffer().clone();
    let failed = std::panic::catch_unwind(move || assert_clean_and_aligned("broken", &broken));
    assert!(failed.is_err(), "a zero-width cell in the border column is caught");
}

/// A 1 MB body is not drawn whole: its start, and a line saying it goes on.
#[test]
fn a_huge_body_draws_its_start_and_says_it_goes_on() {
    utc();
    let mut state = st_contact_customer_focused();
    if let Some(open) = state.open.as_mut() {
        open.contact.body = format!("Short start.\n{}", "Long complaint line.\n".repeat(50_000));
    }
    // The record ends right after the drawn part of the body, whatever its size: scrolled to
    // the bottom, the line after the body is on screen (a whole 1 MB body would take 50,000).
    state.customer.scroll = u16::MAX;
    let text = screen(&state, 120, 80);
    assert!(text.contains("the message goes on"), "{text}");
}

/// The wrap-up's department choice stays on its line beside the label at 80 columns, even
/// on the last department (a long name).
#[test]
fn the_wrap_up_department_stays_beside_its_label() {
    utc();
    let mut s = st_contact();
    if let Some(open) = s.open.as_mut() {
        open.contact.status = frontline::domain::ContactStatus::Active;
    }
    frontline::state::update(&mut s, key(KeyCode::F(5)));
    frontline::state::update(&mut s, key(KeyCode::Tab));
    frontline::state::update(&mut s, key(KeyCode::Right)); // Escalate
    frontline::state::update(&mut s, key(KeyCode::Tab));
    for _ in 0..5 {
        frontline::state::update(&mut s, key(KeyCode::Right)); // to the last department
    }
    let text = screen(&s, 80, 24);
    let line = text.lines().find(|l| l.contains("Department")).unwrap_or_default();
    assert!(line.contains("account_management"), "{text}");
    let next = text.lines().skip_while(|l| !l.contains("Department")).nth(1).unwrap_or_default();
    assert!(next.contains("Reason"), "nothing wraps under the label column:\n{text}");
}

/// The open script's line of keys wraps on an 80-column terminal rather than losing its end
/// (it was cut at "↑/↓ st", so "Esc closes" never showed).
#[test]
fn the_script_keys_line_is_whole_at_80_columns() {
    use frontline::domain::script::{Script, ScriptStep};
    let w = seed();
    let mut s = loaded(&w.conn);
    open_contact(&mut s, &w.conn, w.maria_contact);
    let steps = vec![ScriptStep { text: "Confirm the customer's name".into(), required: true }];
    let script = Script { id: 1, name: "Verify".into(), steps, keywords: vec![] };
    update(&mut s, Event::Db(Reply::Scripts { contact: w.maria_contact, scripts: vec![script], ticks: vec![] }));
    let text = screen(&s, 80, 24);
    assert!(text.contains("Confirm the customer's name"), "{text}");
    assert!(text.contains("Esc closes"), "the keys' line ends on screen:\n{text}");
    assert!(text.contains("Space ticks"), "{text}");
}
