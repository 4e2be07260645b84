//! In-process figures (the store's queries, a redraw, a draft write) and their floors in
//! the `sqlite3` shell.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use frontline::domain::time::local_day_start;
use frontline::keymap::Keymap;
use frontline::protocol::Reply;
use frontline::state::{self, Effect, Event, Pane, State};
use frontline::store::contacts::{self, QueueFilter};
use frontline::store::{self, kb, notes};
use frontline::workers::ReplySink;
use frontline::workers::search::SearchWorker;
use frontline::workers::store::StoreWorker;

use crate::{COLS, Ctx, ROWS, WAIT, fmt_ms, mean, ms, stats};

/// Queries a rep types: two finished words, and words still being typed (prefixes).
const TWO_WORD: &[&str] = &["refund window", "return tent", "warranty zipper", "tracking delivery", "sleeping bag"];
const PREFIX: &[&str] = &["re", "ref", "wa", "war", "tr", "sl", "ship", "refund wi", "zip"];

fn sql_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The SQL `kb::search` runs for an input (its all-words branch), with literals in place.
fn kb_shell_sql(input: &str) -> String {
    let q = frontline::store::fts::build_query(input, frontline::store::fts::Combine::All).unwrap();
    kb::ranked_sql(0, frontline::store::fts::phrase_count(&q)).replace("?1", &sql_literal(&q)).replace("?2", "30") + ";"
}

/// Mean time per statement in the `sqlite3` shell: `reps` copies of the statements in one
/// shell process, minus the same process running `SELECT 1` as often (open, parse, exit).
pub fn shell_mean(db: &Path, statements: &[String], reps: usize) -> Option<f64> {
    let run = |body: &str| -> Option<Duration> {
        let mut script = String::from(".output /dev/null\n");
        for _ in 0..reps {
            script.push_str(body);
        }
        let mut times = Vec::new();
        for _ in 0..3 {
            let t0 = Instant::now();
            let mut child = Command::new("sqlite3")
                .arg(db)
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .ok()?;
            use std::io::Write;
            child.stdin.take()?.write_all(script.as_bytes()).ok()?;
            child.wait().ok()?;
            times.push(t0.elapsed());
        }
        times.sort();
        Some(times[1])
    };
    let body: String = statements.iter().map(|s| format!("{s}\n")).collect();
    let base: String = statements.iter().map(|_| "SELECT 1;\n").collect();
    let t = run(&body)?;
    let b = run(&base)?;
    Some(ms(t.saturating_sub(b)) / (reps * statements.len()) as f64)
}

pub fn shell_version() -> String {
    Command::new("sqlite3")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).split_whitespace().next().unwrap_or("?").to_string())
        .unwrap_or_else(|| "missing".into())
}

// ------------------------------------------------------------------ in-process figures

fn time_queries(conn: &rusqlite::Connection, queries: &[&str], runs: usize) -> Vec<Duration> {
    let mut samples = Vec::new();
    for q in queries {
        for _ in 0..3 {
            kb::search(conn, q, 30).unwrap();
        }
        let mut mine = Vec::new();
        for _ in 0..runs {
            let t0 = Instant::now();
            let hits = kb::search(conn, q, 30).unwrap();
            mine.push(t0.elapsed());
            std::hint::black_box(hits);
        }
        let (m, p) = stats(&mine);
        eprintln!("    {q:?}: median {} p99 {}", fmt_ms(m), fmt_ms(p));
        samples.extend(mine);
    }
    samples
}

pub fn kb20k(ctx: &mut Ctx) {
    let db = ctx.path("full.db");
    let conn = store::connect(&db).unwrap();
    let runs = ctx.runs(50);
    let two = time_queries(&conn, TWO_WORD, runs);
    let prefix = time_queries(&conn, PREFIX, runs);
    let reps = if ctx.quick { 5 } else { 20 };
    let shell = |qs: &[&str]| {
        let sql: Vec<String> = qs.iter().map(|q| kb_shell_sql(q)).collect();
        shell_mean(&db, &sql, reps).map_or("sqlite3 missing".into(), |m| format!("sqlite3 shell: mean {}", fmt_ms(m)))
    };
    let f2 = shell(TWO_WORD);
    let fp = shell(PREFIX);
    ctx.push(
        "KB search, 2-word queries, 20k articles",
        &two,
        "p99 ≤ 5 ms",
        format!("{f2} (in-process mean {})", fmt_ms(mean(&two))),
    );
    ctx.push(
        "KB search, prefix queries, 20k articles",
        &prefix,
        "p99 ≤ 5 ms",
        format!("{fp} (in-process mean {})", fmt_ms(mean(&prefix))),
    );
}

pub fn kb100k(ctx: &mut Ctx) {
    let db = ctx.path("stress.db");
    let conn = store::connect(&db).unwrap();
    let runs = ctx.runs(20);
    let all: Vec<&str> = TWO_WORD.iter().chain(PREFIX).copied().collect();
    let samples = time_queries(&conn, &all, runs);
    let reps = if ctx.quick { 3 } else { 10 };
    let sql: Vec<String> = all.iter().map(|q| kb_shell_sql(q)).collect();
    let shell = shell_mean(&db, &sql, reps);
    let ours = mean(&samples);
    let mut floor = match shell {
        Some(s) => format!("sqlite3 shell mean {} → ratio {:.2}×", fmt_ms(s), ours / s),
        None => "sqlite3 missing".into(),
    };
    let kb_dir = ctx.path("kb100k");
    if kb_dir.exists() && Command::new("rg").arg("--version").output().is_ok() {
        let mut rg = Vec::new();
        for word in ["refund", "warrant", "zipper"] {
            for i in 0..4 {
                let t0 = Instant::now();
                Command::new("rg").args(["-l", "-i", word]).arg(&kb_dir).stdout(Stdio::null()).status().unwrap();
                if i > 0 {
                    rg.push(t0.elapsed());
                }
            }
        }
        let (m, _) = stats(&rg);
        let _ = write!(floor, "; ripgrep -li WORD over the files: median {}", fmt_ms(m));
    } else {
        floor.push_str("; ripgrep skipped (no rg or no kb100k/)");
    }
    ctx.push(
        &format!("KB search, 100k articles (all queries; in-process mean {})", fmt_ms(ours)),
        &samples,
        "≤ 1.2 × sqlite3 shell",
        floor,
    );
}

fn heavy_contact(conn: &rusqlite::Connection) -> i64 {
    store::meta_get(conn, "bench.heavy_contact").unwrap().expect("bench.heavy_contact in meta").parse().unwrap()
}

fn time_n<T>(runs: usize, mut f: impl FnMut() -> T) -> Vec<Duration> {
    for _ in 0..3 {
        std::hint::black_box(f());
    }
    (0..runs)
        .map(|_| {
            let t0 = Instant::now();
            std::hint::black_box(f());
            t0.elapsed()
        })
        .collect()
}

pub fn queue(ctx: &mut Ctx) {
    let db = ctx.path("full.db");
    let conn = store::connect(&db).unwrap();
    let now = frontline::domain::time::now();
    let day = local_day_start(now);
    let runs = ctx.runs(300);
    let first = time_n(runs, || {
        contacts::queue_filtered(&conn, &QueueFilter::default(), now, day, contacts::QUEUE_PAGE).unwrap()
    });
    let next = time_n(runs, || contacts::queue(&conn, contacts::QUEUE_PAGE, contacts::QUEUE_PAGE).unwrap());
    let count = time_n(runs, || contacts::waiting_count(&conn).unwrap());
    let heavy = heavy_contact(&conn);
    let open = time_n(ctx.runs(100), || contacts::detail(&conn, heavy, day).unwrap());
    let reps = if ctx.quick { 20 } else { 100 };
    let columns = "c.id, c.channel, cu.name, c.subject, c.priority, c.created_at, c.status";
    let first_sql = format!(
        "SELECT {columns} FROM contacts c LEFT JOIN customers cu ON cu.id = c.customer_id WHERE c.status = 'waiting' \
         ORDER BY c.priority, c.created_at, c.id LIMIT 200;"
    );
    let next_sql = first_sql.replace("LIMIT 200", "LIMIT 200 OFFSET 200");
    let customer: i64 =
        conn.query_row("SELECT customer_id FROM contacts WHERE id = ?1", [heavy], |r| r.get(0)).unwrap();
    let open_sql = vec![
        format!("SELECT * FROM contacts WHERE id = {heavy};"),
        format!("SELECT * FROM customers WHERE id = {customer};"),
        format!("SELECT * FROM identities WHERE customer_id = {customer};"),
        format!("SELECT * FROM orders WHERE customer_id = {customer} ORDER BY placed_at DESC;"),
        format!("SELECT * FROM billing_events WHERE customer_id = {customer} ORDER BY at, id;"),
        format!(
            "SELECT id, channel, subject, status, created_at, disposition FROM contacts WHERE customer_id = {customer} ORDER BY created_at DESC, id DESC;"
        ),
        format!("SELECT * FROM notes WHERE customer_id = {customer} ORDER BY contact_id, created_at, id;"),
        format!("SELECT * FROM contact_events WHERE contact_id = {heavy} ORDER BY at, id;"),
    ];
    let shell = |sql: &[String], per: usize| {
        shell_mean(&db, sql, reps)
            .map_or("sqlite3 missing".into(), |m| format!("bare SQL in sqlite3: mean {}", fmt_ms(m * per as f64)))
    };
    let f_first = shell(std::slice::from_ref(&first_sql), 1);
    let f_next = shell(std::slice::from_ref(&next_sql), 1);
    let f_open = shell(&open_sql, open_sql.len());
    let f_count = shell(&["SELECT count(*) FROM contacts WHERE status = 'waiting';".to_string()], 1);
    ctx.push("queue: first page (200 rows)", &first, "≤ 1 ms", f_first);
    ctx.push("queue: next page (rows 201–400)", &next, "≤ 1 ms", f_next);
    ctx.push("queue: waiting count (3,001)", &count, "—", f_count);
    ctx.push("open a contact, customer with 1,000 earlier contacts", &open, "≤ 5 ms", f_open);
}

/// Builds the state a rep has mid-call, through the real workers: the queue loaded, the
/// top contact (customer with 1,000 earlier contacts) open, a KB search with results,
/// notes typed.
fn realistic_state(db: &Path) -> State {
    let (tx, rx) = mpsc::channel::<Reply>();
    let sink: ReplySink = Arc::new(move |r| {
        let _ = tx.send(r);
    });
    let worker = StoreWorker::spawn(db, Arc::clone(&sink)).unwrap();
    let search = SearchWorker::spawn(db, sink).unwrap();
    let run = |effects: Vec<Effect>| {
        for e in effects {
            match e {
                Effect::Db(r) => {
                    worker.send(r);
                }
                Effect::Search(r) => search.submit(r),
                _ => {}
            }
        }
    };
    let now_ms = chrono::Utc::now().timestamp_millis();
    let mut st = State::new("full", Keymap::default(), now_ms);
    let pump = |st: &mut State, done: &dyn Fn(&State) -> bool| {
        let until = Instant::now() + WAIT;
        while !done(st) {
            let reply = rx.recv_timeout(until - Instant::now()).expect("worker reply");
            run(state::update(st, Event::Db(reply)));
        }
    };
    let key = |c: KeyCode, m: KeyModifiers| Event::Key(KeyEvent::new(c, m));
    run(st.start());
    pump(&mut st, &|s| s.queue.loaded);
    // Select the waiting contact of the customer with 1,000 earlier contacts, and open it.
    let heavy = heavy_contact(&store::connect(db).unwrap());
    st.queue.selected = st.queue.rows.iter().position(|r| r.id == heavy).expect("heavy contact on the first page");
    run(state::update(&mut st, key(KeyCode::Enter, KeyModifiers::NONE)));
    pump(&mut st, &|s| s.open.is_some());
    run(state::update(&mut st, key(KeyCode::Char('f'), KeyModifiers::CONTROL)));
    for c in "refund wi".chars() {
        run(state::update(&mut st, key(KeyCode::Char(c), KeyModifiers::NONE)));
    }
    pump(&mut st, &|s| !s.knowledge.searching && !s.knowledge.hits.is_empty());
    st.focus = Pane::Notes;
    for c in "Customer asked about the refund window for the tent; explained the 60 days.".chars() {
        run(state::update(&mut st, key(KeyCode::Char(c), KeyModifiers::NONE)));
    }
    worker.flush(WAIT);
    st
}

pub fn redraw(ctx: &mut Ctx) {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let mut st = realistic_state(&ctx.path("full.db"));
    let timeline = st.open.as_ref().and_then(|o| o.customer.as_ref()).map_or(0, |c| c.timeline.len());
    let mut terminal = Terminal::new(TestBackend::new(COLS, ROWS)).unwrap();
    let runs = ctx.runs(500);
    let mut samples = Vec::new();
    for i in 0..runs + 5 {
        // A clock tick: waiting times and the handle timer change, as on a real redraw.
        st.now_ms += 1000;
        let t0 = Instant::now();
        terminal
            .draw(|f| {
                std::hint::black_box(frontline::ui::draw(&st, f));
            })
            .unwrap();
        if i >= 5 {
            samples.push(t0.elapsed());
        }
    }
    ctx.push(
        &format!("full redraw 200×60 (queue, open contact with {timeline} timeline entries, KB results, notes)"),
        &samples,
        "≤ 1 ms",
        "—".into(),
    );
}

pub fn draft(ctx: &mut Ctx) {
    let db = ctx.path("full.db");
    let mut conn = store::connect(&db).unwrap();
    let heavy = heavy_contact(&conn);
    let now = frontline::domain::time::now();
    let mut text = String::from("Customer asked about the refund window; ");
    let runs = ctx.runs(1000);
    let mut samples = Vec::new();
    for i in 0..runs {
        let _ = write!(text, "word{i} ");
        let t0 = Instant::now();
        store::write(&mut conn, |tx| notes::save_draft(tx, heavy, &text, now)).unwrap();
        samples.push(t0.elapsed());
    }
    store::write(&mut conn, |tx| notes::save_draft(tx, heavy, "", now)).unwrap();
    ctx.push("draft autosave write (store::write + notes::save_draft)", &samples, "p99 ≤ 1 ms", "—".into());
}
