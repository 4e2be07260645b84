#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Frontline's benchmark suite (issue 7): every figure next to its target and the floor it
//! cannot beat, measured in the same run. Run it with `benches/run.sh` (which builds the
//! data first) or, with the data in place:
//!
//! ```sh
//! cargo bench --bench suite -- --data /tmp/frontline-bench [--only NAME,NAME] [--rss-seconds 300]
//! ```
//!
//! `--data DIR` must hold `full.db` and `stress.db`, and for their figures `kb100k/`,
//! `contacts.csv` and `maildir/`, as made by `examples/generate.rs` (see `benches/run.sh`).
//! Figures: first_frame, keystroke, kb20k, kb100k, queue, redraw, draft, report,
//! import_contacts, import_kb, maildir, rss. Nothing here runs
//! under `cargo test`.

mod pty;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
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
use pty::Pty;

const COLS: u16 = 200;
const ROWS: u16 = 60;
const CTRL_F: &[u8] = b"\x06";
const CTRL_Q: &[u8] = b"\x11";
const ESC: &[u8] = b"\x1b";
const ENTER: &[u8] = b"\r";
const F2: &[u8] = b"\x1bOQ";
const F5: &[u8] = b"\x1b[15~";
const WAIT: Duration = Duration::from_secs(10);

/// Queries a rep types: two finished words, and words still being typed (prefixes).
const TWO_WORD: &[&str] = &["refund window", "return tent", "warranty zipper", "tracking delivery", "sleeping bag"];
const PREFIX: &[&str] = &["re", "ref", "wa", "war", "tr", "sl", "ship", "refund wi", "zip"];
/// Words typed letter by letter in the pty.
const TYPED: &[&str] = &["warranty", "refund", "shipping", "exchange"];

/// A figure's name (for `--only`) and the function that measures it.
type Figure = (&'static str, fn(&mut Ctx));

struct Ctx {
    data: PathBuf,
    bin: PathBuf,
    examples: PathBuf,
    home: PathBuf,
    quick: bool,
    rss_seconds: u64,
    import_timeout: Duration,
    rows: Vec<Row>,
}

struct Row {
    figure: String,
    median: String,
    p99: String,
    target: String,
    floor: String,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Median and p99 (nearest rank) in milliseconds.
fn stats(samples: &[Duration]) -> (f64, f64) {
    let mut v: Vec<f64> = samples.iter().map(|d| ms(*d)).collect();
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let rank = |q: f64| v[((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
    (rank(0.5), rank(0.99))
}

fn mean(samples: &[Duration]) -> f64 {
    samples.iter().map(|d| ms(*d)).sum::<f64>() / samples.len().max(1) as f64
}

fn fmt_ms(v: f64) -> String {
    if v.is_nan() {
        "—".into()
    } else if v >= 1000.0 {
        format!("{:.2} s", v / 1000.0)
    } else if v >= 10.0 {
        format!("{v:.1} ms")
    } else {
        format!("{v:.3} ms")
    }
}

impl Ctx {
    fn push(&mut self, figure: &str, samples: &[Duration], target: &str, floor: String) {
        let (median, p99) = stats(samples);
        let row = Row {
            figure: figure.to_string(),
            median: fmt_ms(median),
            p99: fmt_ms(p99),
            target: target.to_string(),
            floor,
        };
        eprintln!("  {} | {} | {} | {} | {}", row.figure, row.median, row.p99, row.target, row.floor);
        self.rows.push(row);
    }

    fn runs(&self, full: usize) -> usize {
        if self.quick { (full / 5).max(3) } else { full }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.data.join(name)
    }

    /// `frontline ARGS` with a private home, so no user config, logs or workspace leak in.
    fn frontline(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.args(args);
        self.env(&mut cmd);
        cmd
    }

    fn env(&self, cmd: &mut Command) {
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into()))
            .env("HOME", self.home.join("home"))
            .env("XDG_DATA_HOME", self.home.join("data"))
            .env("XDG_CONFIG_HOME", self.home.join("config"))
            .env("XDG_STATE_HOME", self.home.join("state"))
            .env("TERM", "xterm-256color")
            .env("LANG", "C.UTF-8");
    }
}

fn main() {
    let mut data = PathBuf::from("/tmp/frontline-bench");
    let mut only: Option<Vec<String>> = None;
    let mut quick = false;
    let mut rss_seconds = 300;
    let mut import_timeout = 600;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--data" => data = it.next().expect("--data DIR").into(),
            "--only" => only = Some(it.next().expect("--only A,B").split(',').map(str::to_string).collect()),
            "--quick" => quick = true,
            "--rss-seconds" => rss_seconds = it.next().expect("--rss-seconds N").parse().expect("seconds"),
            "--import-timeout" => import_timeout = it.next().expect("--import-timeout N").parse().expect("seconds"),
            "--bench" => {} // cargo bench passes it
            other => panic!("unknown argument {other}"),
        }
    }
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_frontline"));
    let examples = bin.parent().unwrap().join("examples");
    let home = data.join("home");
    for sub in ["home", "data", "config", "state"] {
        std::fs::create_dir_all(home.join(sub)).unwrap();
    }
    let mut ctx = Ctx {
        data,
        bin,
        examples,
        home,
        quick,
        rss_seconds,
        import_timeout: Duration::from_secs(import_timeout),
        rows: Vec::new(),
    };
    for need in ["full.db", "stress.db"] {
        assert!(ctx.path(need).exists(), "{} missing: run benches/run.sh", ctx.path(need).display());
    }
    // Bring the generated files to this build's schema (as the binary does on open).
    for db in ["full.db", "stress.db"] {
        drop(store::open_workspace(&ctx.path(db)).unwrap());
    }
    eprintln!("sqlite3 shell {} (the app bundles SQLite {})", shell_version(), rusqlite::version());
    let wanted = |name: &str| only.as_ref().is_none_or(|o| o.iter().any(|n| n == name));
    let figures: &[Figure] = &[
        ("first_frame", first_frame),
        ("keystroke", keystroke),
        ("kb20k", kb20k),
        ("kb100k", kb100k),
        ("queue", queue),
        ("redraw", redraw),
        ("draft", draft),
        ("report", report),
        ("import_contacts", import_contacts),
        ("import_kb", import_kb),
        ("maildir", maildir),
        ("rss", rss),
    ];
    for (name, f) in figures {
        if wanted(name) {
            eprintln!("== {name}");
            f(&mut ctx);
        }
    }
    println!("\n| figure | median | p99 | target | floor (same run) |\n|---|---|---|---|---|");
    for r in &ctx.rows {
        println!("| {} | {} | {} | {} | {} |", r.figure, r.median, r.p99, r.target, r.floor);
    }
}

// ------------------------------------------------------------------ pty figures

fn shows_queue(s: &str) -> bool {
    s.lines().any(|l| l.contains("Queue ") && l.contains(" waiting"))
}

/// The status bar: the workspace name, then `│` and the focused pane's keys.
fn shows_status(s: &str, workspace: &str) -> bool {
    s.lines().any(|l| l.starts_with(&format!(" {workspace} │")))
}

fn time_to_first_frame(ctx: &Ctx, cmd: impl Fn() -> Command, workspace: &str, quit: &[u8]) -> Duration {
    let cmd = cmd();
    let t0 = Instant::now();
    let pty = Pty::spawn(cmd, COLS, ROWS);
    let t = pty.wait("the queue and status bar", WAIT, |s| shows_queue(s) && shows_status(s, workspace));
    pty.quit(quit);
    let _ = ctx;
    t - t0
}

fn first_frame(ctx: &mut Ctx) {
    let runs = ctx.runs(20);
    let full = ctx.path("full.db").display().to_string();
    let minimal = ctx.examples.join("minimal_frame");
    let mut floor = Vec::new();
    if minimal.exists() {
        for i in 0..=runs {
            let d = time_to_first_frame(
                ctx,
                || {
                    let mut c = Command::new(&minimal);
                    ctx.env(&mut c);
                    c
                },
                "minimal",
                b"q",
            );
            if i > 0 {
                floor.push(d);
            }
        }
    }
    let mut samples = Vec::new();
    for i in 0..=runs {
        let d = time_to_first_frame(ctx, || ctx.frontline(&["--db", &full]), "full", CTRL_Q);
        if i > 0 {
            samples.push(d);
        }
    }
    let (fm, fp) = stats(&floor);
    let floor = if floor.is_empty() {
        "minimal_frame not built (cargo build --release --example minimal_frame)".into()
    } else {
        format!("minimal ratatui frame: median {} / p99 {}", fmt_ms(fm), fmt_ms(fp))
    };
    ctx.push("start to first full frame, full scale (pty, real binary)", &samples, "≤ 15 ms", floor);
}

/// Types words letter by letter in the Knowledge search box, timing each key to the
/// screen that shows the results for the new prefix (and to the echo of the letter).
fn type_search(ctx: &Ctx, db: &Path) -> (Vec<Duration>, Vec<Duration>) {
    let mut pty = Pty::spawn(ctx.frontline(&["--db", &db.display().to_string()]), COLS, ROWS);
    pty.wait("the queue", WAIT, shows_queue);
    pty.send(CTRL_F);
    pty.wait("the Knowledge pane focused", WAIT, |s| s.contains("▶ Knowledge"));
    let mut results = Vec::new();
    let mut echoes = Vec::new();
    let rounds = if ctx.quick { 1 } else { 3 };
    for _ in 0..rounds {
        for word in TYPED {
            for k in 1..=word.len() {
                let prefix = format!("⌕ {}", &word[..k]);
                let t0 = pty.send(&word[k - 1..k]);
                let echo = pty.wait("the typed letter", WAIT, |s| s.contains(&prefix));
                let done =
                    pty.wait("the results for the prefix", WAIT, |s| s.contains(&prefix) && !s.contains("searching…"));
                echoes.push(echo - t0);
                results.push(done - t0);
            }
            pty.send(ESC);
            pty.wait("the cleared search box", WAIT, |s| s.contains("type to search the knowledge base"));
        }
    }
    pty.quit(CTRL_Q);
    (results, echoes)
}

fn keystroke(ctx: &mut Ctx) {
    let (results, echoes) = type_search(ctx, &ctx.path("full.db"));
    let (em, ep) = stats(&echoes);
    ctx.push(
        "keystroke → screen with results, KB search, 20k articles (pty)",
        &results,
        "p99 ≤ 16 ms",
        format!("letter echoed: median {} / p99 {}", fmt_ms(em), fmt_ms(ep)),
    );
    let (results, echoes) = type_search(ctx, &ctx.path("stress.db"));
    let (em, ep) = stats(&echoes);
    ctx.push(
        "keystroke → screen with results, 100k articles (pty)",
        &results,
        "UI never stalls",
        format!("letter echoed: median {} / p99 {}", fmt_ms(em), fmt_ms(ep)),
    );
}

// ------------------------------------------------------------------ sqlite3 shell floors

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
fn shell_mean(db: &Path, statements: &[String], reps: usize) -> Option<f64> {
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

fn shell_version() -> String {
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

fn kb20k(ctx: &mut Ctx) {
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

fn kb100k(ctx: &mut Ctx) {
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

fn queue(ctx: &mut Ctx) {
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

fn redraw(ctx: &mut Ctx) {
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

fn draft(ctx: &mut Ctx) {
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

// ------------------------------------------------------------------ real-binary wall clock

fn wall(mut cmd: Command) -> Duration {
    cmd.stdout(Stdio::null()).stderr(Stdio::piped());
    let t0 = Instant::now();
    let out = cmd.output().unwrap();
    let d = t0.elapsed();
    assert!(out.status.success(), "{:?} failed: {}", cmd, String::from_utf8_lossy(&out.stderr));
    d
}

fn report(ctx: &mut Ctx) {
    let db = ctx.path("full.db");
    let dbs = db.display().to_string();
    let runs = ctx.runs(10);
    let mut samples = Vec::new();
    for i in 0..=runs {
        let d = wall(ctx.frontline(&["--db", &dbs, "report", "--from", "2026-10-01", "--to", "2026-10-31", "--json"]));
        if i > 0 {
            samples.push(d);
        }
    }
    // The same three queries store::report::facts runs, as bare SQL.
    use chrono::TimeZone;
    let from = chrono::Local.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap().timestamp();
    let to = chrono::Local.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap().timestamp();
    let window = format!("c.ended_at >= {from} AND c.ended_at < {to}");
    let sql = vec![
        format!(
            "SELECT c.id, c.customer_id, c.channel, c.priority, c.created_at, c.accepted_at, c.ended_at, c.status, c.csat \
             FROM contacts c WHERE {window} ORDER BY c.ended_at, c.id;"
        ),
        format!(
            "SELECT e.contact_id, e.at, e.kind FROM contacts c JOIN contact_events e ON e.contact_id = c.id \
             WHERE {window} ORDER BY e.contact_id, e.at, e.id;"
        ),
        format!(
            "SELECT o.customer_id, o.id, o.created_at FROM contacts o WHERE o.customer_id IN \
             (SELECT DISTINCT c.customer_id FROM contacts c WHERE {window} AND c.customer_id IS NOT NULL) \
             AND o.created_at >= {from} AND o.created_at <= {};",
            to + 7 * 86_400
        ),
    ];
    let floor = shell_mean(&db, &sql, 2)
        .map_or("sqlite3 missing".into(), |m| format!("bare SQL (3 queries) in sqlite3: {}", fmt_ms(m * 3.0)));
    let handled: u64 = {
        let out = ctx
            .frontline(&["--db", &dbs, "report", "--from", "2026-10-01", "--to", "2026-10-31", "--json"])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["handled"].as_u64().unwrap_or(0)
    };
    ctx.push(&format!("`frontline report`, October 2026 ({handled} handled of 1M)"), &samples, "≤ 500 ms", floor);
}

/// Runs `cmd`, killing it after `timeout`; returns the wall clock, or None when killed.
fn wall_with_timeout(mut cmd: Command, timeout: Duration) -> Option<Duration> {
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    let t0 = Instant::now();
    let mut child = cmd.spawn().unwrap();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "{cmd:?} failed");
            return Some(t0.elapsed());
        }
        if t0.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn fresh(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

fn import_contacts(ctx: &mut Ctx) {
    let csv = ctx.path("contacts.csv");
    if !csv.exists() {
        eprintln!("  skipped: {} missing", csv.display());
        return;
    }
    let target = ctx.path("import-contacts.db");
    fresh(&target);
    let d = wall_with_timeout(
        ctx.frontline(&["--db", &target.display().to_string(), "import", "contacts", &csv.display().to_string()]),
        ctx.import_timeout,
    );
    let plain = ctx.path("import-plain.db");
    fresh(&plain);
    let t0 = Instant::now();
    let status = Command::new("sqlite3")
        .arg(&plain)
        .args([".mode csv", &format!(".import {} contacts_plain", csv.display())])
        .stdout(Stdio::null())
        .status();
    let floor = match status {
        Ok(s) if s.success() => format!("sqlite3 .import of the same CSV: {}", fmt_ms(ms(t0.elapsed()))),
        _ => "sqlite3 .import failed".into(),
    };
    fresh(&plain);
    fresh(&target);
    let rows = std::fs::read_to_string(&csv).map(|t| t.lines().count().saturating_sub(1)).unwrap_or(0);
    match d {
        Some(d) => ctx.push(&format!("import {rows} contacts (CSV), real binary"), &[d], "≤ 20 s", floor),
        None => ctx.rows.push(Row {
            figure: format!("import {rows} contacts (CSV), real binary"),
            median: format!("> {} s (stopped)", ctx.import_timeout.as_secs()),
            p99: "—".into(),
            target: "≤ 20 s".into(),
            floor,
        }),
    }
}

fn import_kb(ctx: &mut Ctx) {
    let dir = ctx.path("kb100k");
    if !dir.exists() {
        eprintln!("  skipped: {} missing", dir.display());
        return;
    }
    let target = ctx.path("import-kb.db");
    fresh(&target);
    let d = wall_with_timeout(
        ctx.frontline(&["--db", &target.display().to_string(), "import", "kb", &dir.display().to_string()]),
        ctx.import_timeout,
    );
    fresh(&target);
    let samples: Vec<Duration> = d.into_iter().collect();
    ctx.push("import 100k articles (Markdown files), real binary", &samples, "≤ 15 s", "—".into());
}

/// A support mailbox synced once into a new workspace, then again with nothing new (what
/// every new mail costs while the workstation watches the folder).
fn maildir(ctx: &mut Ctx) {
    let dir = ctx.path("maildir");
    if !dir.exists() {
        eprintln!("  skipped: {} missing", dir.display());
        return;
    }
    let files: Vec<PathBuf> = ["new", "cur"]
        .iter()
        .flat_map(|sub| std::fs::read_dir(dir.join(sub)).into_iter().flatten().flatten().map(|e| e.path()))
        .collect();
    let t0 = Instant::now();
    let bytes: usize = files.iter().map(|f| std::fs::read(f).map_or(0, |b| b.len())).sum();
    let floor = format!("reading every file once: {} ({} MB)", fmt_ms(ms(t0.elapsed())), bytes / 1_000_000);
    let target = ctx.path("maildir.db");
    fresh(&target);
    let sync =
        || ctx.frontline(&["--db", &target.display().to_string(), "sync", "--maildir", &dir.display().to_string()]);
    let first = wall(sync());
    let again: Vec<Duration> = (0..ctx.runs(10)).map(|_| wall(sync())).collect();
    fresh(&target);
    let n = files.len();
    ctx.push(&format!("`frontline sync`, a Maildir of {n} messages, first time"), &[first], "—", floor.clone());
    ctx.push(&format!("`frontline sync` of the same {n} messages, nothing new"), &again, "no file read again", floor);
}

// ------------------------------------------------------------------ resident memory

fn vm_rss_kb(pid: i32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The shortest time one scripted contact takes in the memory run (1,800 contacts an hour).
const LOOP_PACE: Duration = Duration::from_secs(2);

/// Answers the question on screen as a rep in a hurry would: no breather now ("Take a
/// 5-minute breather?"), yes to anything else ("a required step of the script is not
/// ticked: wrap up anyway?", "you are on a break: take a contact?").
fn answer_prompt(pty: &mut Pty) {
    pty.send(if pty.screen().contains("breather?") { "n" } else { "y" });
    pty.wait("the question closed", WAIT, |s| !s.contains("Please confirm"));
}

/// The contact number of the status bar's "Accepted #N" message, if shown.
fn accepted_id(screen: &str) -> Option<String> {
    let at = screen.find("Accepted #")? + "Accepted #".len();
    Some(screen[at..].chars().take_while(char::is_ascii_digit).collect())
}

fn rss(ctx: &mut Ctx) {
    let session = ctx.path("session.db");
    fresh(&session);
    std::fs::copy(ctx.path("full.db"), &session).unwrap();
    let mut pty = Pty::spawn(ctx.frontline(&["--db", &session.display().to_string()]), COLS, ROWS);
    pty.wait("the queue", WAIT, shows_queue);
    let pid = pty.pid();
    let start_rss = vm_rss_kb(pid).unwrap_or(0);
    let t0 = Instant::now();
    let mut samples: Vec<(f64, u64)> = vec![(0.0, start_rss)];
    let mut loops = 0;
    let mut stumbles = 0;
    let mut last_sample = Instant::now();
    while t0.elapsed() < Duration::from_secs(ctx.rss_seconds) {
        // One accept → note → search → wrap-up loop; a step that does not show up in time
        // (a prompt, a race with a reply) is counted and the loop starts over.
        let started = Instant::now();
        let step = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            // The contact is on screen when the status bar says it was accepted: a new number.
            let before = accepted_id(&pty.screen());
            let ready = |s: &str| accepted_id(s).is_some_and(|id| Some(id) != before) && s.contains("▶ Notes");
            pty.send(F2);
            pty.wait("the accepted contact (or the breather prompt)", WAIT, |s| {
                ready(s) || s.contains("Please confirm")
            });
            if pty.screen().contains("Please confirm") {
                answer_prompt(&mut pty);
                // The prompt may have come up after F2 was taken: accept only if it was not.
                if !ready(&pty.screen()) {
                    pty.send(F2);
                    pty.wait("the accepted contact in the notes editor", WAIT, ready);
                }
            }
            let id = accepted_id(&pty.screen()).unwrap_or_default();
            // Short enough for the editor's width, so the whole line stays in view.
            let note = format!("L{loops}: refund window explained.");
            pty.send(&note);
            pty.wait("the typed note", WAIT, |s| s.contains(&note));
            pty.send(CTRL_F);
            pty.send("refund wi");
            pty.wait("search results", WAIT, |s| s.contains("⌕ refund wi") && !s.contains("searching…"));
            pty.send(ESC);
            pty.wait("the cleared search", WAIT, |s| s.contains("type to search the knowledge base"));
            pty.send(F5);
            pty.wait("the wrap-up form", WAIT, |s| s.contains("Wrap up"));
            pty.send("refund_iss");
            pty.wait("the disposition", WAIT, |s| s.contains("refund_issued"));
            pty.send(ENTER);
            // This contact's own message (an earlier one may still be on the status bar), or
            // its state in the status bar once the message has gone.
            let (message, label) = (format!("#{id} resolved"), format!("resolved #{id} "));
            let resolved = |s: &str| s.contains(&message) || s.contains(&label);
            pty.wait("the contact resolved (or a question)", WAIT, |s| resolved(s) || s.contains("Please confirm"));
            if !resolved(&pty.screen()) {
                answer_prompt(&mut pty);
                pty.wait("the contact resolved", WAIT, resolved);
            }
            // A rep's pace, not a robot's: the hour must not empty the queue of 3,001.
            std::thread::sleep(LOOP_PACE.saturating_sub(started.elapsed()));
        }));
        if step.is_err() {
            stumbles += 1;
            // Finish whatever contact is left open, so stumbles do not pile contacts up in
            // progress (each holds its record in memory, which would cloud the figure).
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                pty.send(ESC);
                pty.send(ESC);
                pty.send(F5);
                pty.wait("the wrap-up form", Duration::from_secs(2), |s| s.contains("Wrap up"));
                pty.send("refund_iss");
                pty.wait("the disposition", Duration::from_secs(2), |s| s.contains("refund_issued"));
                pty.send(ENTER);
            }));
        }
        loops += 1;
        if last_sample.elapsed() >= Duration::from_secs(5) {
            last_sample = Instant::now();
            samples.push((t0.elapsed().as_secs_f64(), vm_rss_kb(pid).unwrap_or(0)));
            eprintln!("    {:.0} s: {} kB after {loops} loops", t0.elapsed().as_secs_f64(), samples.last().unwrap().1);
        }
    }
    samples.push((t0.elapsed().as_secs_f64(), vm_rss_kb(pid).unwrap_or(0)));
    let in_progress = pty.screen().lines().find(|l| l.contains("In progress:")).map_or(0, |l| l.matches('●').count());
    pty.quit(CTRL_Q);
    fresh(&session);
    let max = samples.iter().map(|s| s.1).max().unwrap_or(0);
    let end = samples.last().map_or(0, |s| s.1);
    // Trend over the second half: least-squares slope in MB per minute.
    let half: Vec<_> = samples.iter().filter(|s| s.0 >= t0.elapsed().as_secs_f64() / 2.0).collect();
    let n = half.len() as f64;
    let (sx, sy) = half.iter().fold((0.0, 0.0), |a, s| (a.0 + s.0, a.1 + s.1 as f64 / 1024.0));
    let (mx, my) = (sx / n, sy / n);
    let (num, den) =
        half.iter().fold((0.0, 0.0), |a, s| (a.0 + (s.0 - mx) * (s.1 as f64 / 1024.0 - my), a.1 + (s.0 - mx).powi(2)));
    let slope = if den > 0.0 { num / den * 60.0 } else { 0.0 };
    let mb = |kb: u64| format!("{:.1} MB", kb as f64 / 1024.0);
    eprintln!("  rss samples (s, kB): {samples:?}");
    ctx.rows.push(Row {
        figure: format!(
            "resident memory, full scale, {} s scripted use ({loops} accept→note→search→wrap-up loops, {stumbles} restarted, {in_progress} left in progress)",
            ctx.rss_seconds
        ),
        median: format!("start {} · end {}", mb(start_rss), mb(end)),
        p99: format!("max {}", mb(max)),
        target: "≤ 50 MB, not growing".into(),
        floor: format!("trend over the second half: {slope:+.2} MB/min"),
    });
}
