#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Where the workstation's start-up time goes: the steps `frontline` takes from `main` to
//! its first full frame (see `commands::open_workstation` and `app::run`), each timed in
//! one fresh process, in the order the app takes them. The terminal is left alone (the
//! frame is drawn on ratatui's `TestBackend`), so this measures the work, not the tty.
//!
//! ```sh
//! cargo run --release --example startup_steps -- /tmp/frontline-bench/full.db [RUNS]
//! ```
//!
//! Every run is a new process (SQLite's page cache and the parsed schema start empty, as at
//! a real start); the tables show each step's median over the runs: the app's order, and
//! the same work with the queue asked for first (what reordering `app::run` would give).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use frontline::protocol::Reply;
use frontline::workers::ReplySink;
use frontline::workers::jobs::JobsWorker;
use frontline::workers::search::SearchWorker;
use frontline::workers::store::StoreWorker;

/// Named durations in the order they were taken.
type Steps = Vec<(&'static str, Duration)>;

fn main() {
    let mut args = std::env::args().skip(1);
    let first = args.next().expect("usage: startup_steps WORKSPACE.db [RUNS]");
    if let Some(order) = first.strip_prefix("--one-") {
        let db = args.next().expect("--one-ORDER WORKSPACE.db");
        let steps = if order == "early" { early_queue(Path::new(&db)) } else { one_start(Path::new(&db)) };
        for (name, d) in steps {
            println!("{name}\t{}", d.as_nanos());
        }
        return;
    }
    let runs: usize = args.next().map_or(15, |r| r.parse().expect("RUNS"));
    let me = std::env::current_exe().unwrap();
    // The two orders in turns, so a busy neighbour weighs on both alike.
    let mut tables: [Vec<(String, Vec<f64>)>; 2] = [Vec::new(), Vec::new()];
    for i in 0..=runs {
        for (table, order) in tables.iter_mut().zip(["--one-app", "--one-early"]) {
            let out = std::process::Command::new(&me).args([order, &first]).output().unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            if i == 0 {
                continue; // warm-up: the files into the OS cache
            }
            for (k, line) in String::from_utf8_lossy(&out.stdout).lines().enumerate() {
                let (name, ns) = line.split_once('\t').unwrap();
                if table.len() <= k {
                    table.push((name.to_string(), Vec::new()));
                }
                table[k].1.push(ns.parse::<f64>().unwrap() / 1e6);
            }
        }
    }
    for (table, title) in tables.into_iter().zip(["as the app starts today", "the queue asked for first"]) {
        println!("\n{title}: step | median ms | min ms");
        for (name, mut v) in table {
            v.sort_by(f64::total_cmp);
            println!("{name} | {:.3} | {:.3}", v[v.len() / 2], v[0]);
        }
    }
}

/// The same work with the queue asked for as soon as the store worker runs: the other
/// workers, the watcher and the first frame overlap the query instead of preceding it.
/// Applies the workers' replies to `state` until the queue's has come: what the first full
/// frame waits for.
fn apply_replies_until_the_queue(rx: &std::sync::mpsc::Receiver<Reply>, state: &mut frontline::state::State) {
    loop {
        let reply = rx.recv_timeout(Duration::from_secs(10)).unwrap();
        let is_queue = matches!(reply, Reply::Queue { .. });
        frontline::state::update(state, frontline::state::Event::Db(reply));
        if is_queue {
            break;
        }
    }
}

fn early_queue(db: &Path) -> Steps {
    let t0 = Instant::now();
    let conn = frontline::store::open_workspace(db).unwrap();
    let name = frontline::store::meta_get(&conn, "name").unwrap().unwrap_or_default();
    drop(conn);
    let config_path = frontline::paths::config_dir().unwrap().join("config.toml");
    let (config, _) = frontline::config::load(&config_path).unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<Reply>();
    let sink: ReplySink = Arc::new(move |r| {
        let _ = tx.send(r);
    });
    let settings = frontline::workers::Settings::from_config(&config.intake, db);
    let store = StoreWorker::spawn_with(db, settings.clone(), Arc::clone(&sink)).unwrap();
    let mut state = frontline::state::State::new(&name, config.keymap, chrono::Utc::now().timestamp_millis());
    for effect in state.start() {
        if let frontline::state::Effect::Db(r) = effect {
            store.send(r);
        }
    }
    let search = SearchWorker::spawn(db, Arc::clone(&sink)).unwrap();
    let jobs = JobsWorker::spawn(db, settings, sink).unwrap();
    let inbox = config.intake.inbox_dir(db);
    let watcher = frontline::intake::inbox::watch(&inbox, || {});
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(200, 60)).unwrap();
    terminal
        .draw(|f| {
            let _ = frontline::ui::draw(&state, f);
        })
        .unwrap();
    let before_wait = t0.elapsed();
    apply_replies_until_the_queue(&rx, &mut state);
    let waited = t0.elapsed() - before_wait;
    terminal
        .draw(|f| {
            let _ = frontline::ui::draw(&state, f);
        })
        .unwrap();
    let total = t0.elapsed();
    drop((search, jobs, watcher));
    vec![
        ("everything up to the first (empty) frame", before_wait),
        ("then waiting for the queue reply", waited),
        ("total to the full frame", total),
    ]
}

/// One start, step by step, as the app takes them.
fn one_start(db: &Path) -> Steps {
    let mut steps: Steps = Vec::new();
    let t0 = Instant::now();
    let mut at = t0;
    let mut lap = |name: &'static str, at: &mut Instant| {
        let now = Instant::now();
        steps.push((name, now - *at));
        *at = now;
    };
    let conn = frontline::store::open_workspace(db).unwrap();
    lap("open_workspace (header check, connect, schema version, migrations)", &mut at);
    let name = frontline::store::meta_get(&conn, "name").unwrap().unwrap_or_default();
    lap("meta 'name' (first statement: parses the schema)", &mut at);
    drop(conn);
    lap("close that connection", &mut at);
    let config_path = frontline::paths::config_dir().unwrap().join("config.toml");
    let (config, _) = frontline::config::load(&config_path).unwrap();
    let _theme = frontline::theme::Theme::for_config(config.theme);
    lap("config and theme", &mut at);
    let (tx, rx) = std::sync::mpsc::channel::<Reply>();
    let sink: ReplySink = Arc::new(move |r| {
        let _ = tx.send(r);
    });
    let search = SearchWorker::spawn(db, Arc::clone(&sink)).unwrap();
    lap("search worker: connect + thread", &mut at);
    let settings = frontline::workers::Settings::from_config(&config.intake, db);
    let store = StoreWorker::spawn_with(db, settings.clone(), Arc::clone(&sink)).unwrap();
    lap("store worker: connect + thread", &mut at);
    let jobs = JobsWorker::spawn(db, settings, sink).unwrap();
    lap("jobs worker: connect + thread", &mut at);
    let inbox = config.intake.inbox_dir(db);
    let _ = frontline::intake::inbox::create_private_dir(&inbox);
    let watcher = frontline::intake::inbox::watch(&inbox, || {});
    lap("inbox watcher (inotify + thread)", &mut at);
    let mut state = frontline::state::State::new(&name, config.keymap, chrono::Utc::now().timestamp_millis());
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(200, 60)).unwrap();
    terminal
        .draw(|f| {
            let _ = frontline::ui::draw(&state, f);
        })
        .unwrap();
    lap("state + first (empty) frame on a TestBackend", &mut at);
    let start = state.start();
    let queued = Instant::now();
    for effect in start {
        if let frontline::state::Effect::Db(r) = effect {
            store.send(r);
        }
    }
    // Until the queue's reply: that is what the first full frame waits for.
    apply_replies_until_the_queue(&rx, &mut state);
    at = queued;
    lap("the queue reply (store worker: rows, waiting count, kb count)", &mut at);
    terminal
        .draw(|f| {
            let _ = frontline::ui::draw(&state, f);
        })
        .unwrap();
    lap("the full frame on a TestBackend", &mut at);
    let mut since_start = t0;
    lap("total to the full frame", &mut since_start);
    // The queue reply's three queries, each timed on a connection of its own (the first
    // statement on a connection also parses the schema: timed separately first).
    let conn = frontline::store::connect(db).unwrap();
    at = Instant::now();
    let _ = frontline::store::data_version(&conn);
    lap("  (fresh connection) data_version", &mut at);
    let _ = frontline::store::meta_get(&conn, "name");
    lap("  (fresh connection) first statement: schema parse", &mut at);
    let t = frontline::domain::time::now();
    let day = frontline::domain::time::local_day_start(t);
    let filter = frontline::store::contacts::QueueFilter::default();
    let _ = frontline::store::contacts::queue_filtered(&conn, &filter, t, day, frontline::store::contacts::QUEUE_PAGE);
    lap("  queue_filtered (200 rows)", &mut at);
    let _ = frontline::store::contacts::waiting_count(&conn);
    lap("  waiting_count", &mut at);
    let _ = frontline::store::kb::count(&conn);
    lap("  kb::count (SELECT count(*) FROM kb_articles)", &mut at);
    let _ = frontline::store::kb::count(&conn);
    lap("  kb::count again (pages now in SQLite's cache)", &mut at);
    // The same two reads on a connection that maps the file instead of reading it page by
    // page (`PRAGMA mmap_size`): what the cold reads cost in system calls.
    let conn = frontline::store::connect(db).unwrap();
    conn.pragma_update(None, "mmap_size", 1i64 << 30).unwrap();
    at = Instant::now();
    let _ = frontline::store::contacts::queue_filtered(&conn, &filter, t, day, frontline::store::contacts::QUEUE_PAGE);
    lap("  queue_filtered, mmap_size = 1 GiB", &mut at);
    let _ = frontline::store::kb::count(&conn);
    lap("  kb::count, mmap_size = 1 GiB", &mut at);
    drop((search, jobs, watcher));
    steps
}
