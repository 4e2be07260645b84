#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Times knowledge search on a workspace for questions in customers' words, beside the
//! keyword search alone on the same input (the search before question understanding).
//! Each call is timed twice: wall clock, and the thread's CPU time (Linux), which a machine
//! shared with other work does not inflate (the search does no IO a warm page cache would
//! not serve).
//!
//! ```sh
//! cargo run --release --example kb_questions -- DB [RUNS]
//! ```

use std::time::{Duration, Instant};

use frontline::store::{self, kb};

/// Questions as customers phrase them, and the keyword queries of the benchmark suite.
const QUERIES: &[&str] = &[
    "my parcel never showed up",
    "you took the money twice for the same jacket",
    "the zip on my jacket broke after a week",
    "tracking says it arrived but there's nothing on my porch",
    "I want to stop paying for the plus membership",
    "can I send back boots I bought two weeks ago",
    "my card keeps getting rejected when I try to pay",
    "customer says the tent pole snapped on the first trip and wants a refund",
    "refund window",
    "return tent",
    "warranty zipper",
    "ref",
    "ship",
];

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// This thread's CPU time so far, from the scheduler's count in nanoseconds (about 10 µs to
/// read, the same for both searches compared).
fn cpu_now() -> Duration {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").expect("/proc/thread-self/schedstat");
    Duration::from_nanos(stat.split_whitespace().next().and_then(|n| n.parse().ok()).expect("a number"))
}

/// Wall-clock and CPU times of `runs` calls, each sorted.
fn time(runs: usize, mut f: impl FnMut()) -> (Vec<Duration>, Vec<Duration>) {
    for _ in 0..3 {
        f();
    }
    let (mut wall, mut cpu) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let (t0, c0) = (Instant::now(), cpu_now());
        f();
        cpu.push(cpu_now() - c0);
        wall.push(t0.elapsed());
    }
    wall.sort();
    cpu.sort();
    (wall, cpu)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let db = args.next().expect("usage: kb_questions DB [RUNS]");
    let runs: usize = args.next().map_or(50, |r| r.parse().expect("RUNS is a number"));
    let conn = store::connect(std::path::Path::new(&db)).unwrap();
    println!("{} articles, {runs} runs per query", kb::count(&conn).unwrap());
    let mut totals: [Vec<Duration>; 4] = Default::default();
    for q in QUERIES {
        let new = time(runs, || drop(std::hint::black_box(kb::search(&conn, q, 30).unwrap())));
        let old = time(runs, || drop(std::hint::black_box(kb::search_keywords(&conn, q, 30).unwrap())));
        println!(
            "{q:<75} search cpu median {:>7.2?} p99 {:>7.2?} (wall p99 {:>7.2?}) | keywords only cpu median {:>7.2?} p99 {:>7.2?}",
            percentile(&new.1, 0.5),
            percentile(&new.1, 0.99),
            percentile(&new.0, 0.99),
            percentile(&old.1, 0.5),
            percentile(&old.1, 0.99),
        );
        for (total, part) in totals.iter_mut().zip([new.0, new.1, old.0, old.1]) {
            total.extend(part);
        }
    }
    for t in &mut totals {
        t.sort();
    }
    let line = |t: &Vec<Duration>| format!("median {:.2?} p99 {:.2?}", percentile(t, 0.5), percentile(t, 0.99));
    println!("all, search:        cpu {} | wall {}", line(&totals[1]), line(&totals[0]));
    println!("all, keywords only: cpu {} | wall {}", line(&totals[3]), line(&totals[2]));
}
