#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Times knowledge search on a workspace for questions in customers' words, beside the
//! keyword search alone on the same input (the search before question understanding).
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

fn time(runs: usize, mut f: impl FnMut()) -> Vec<Duration> {
    for _ in 0..3 {
        f();
    }
    let mut out: Vec<Duration> = (0..runs)
        .map(|_| {
            let t0 = Instant::now();
            f();
            t0.elapsed()
        })
        .collect();
    out.sort();
    out
}

fn main() {
    let mut args = std::env::args().skip(1);
    let db = args.next().expect("usage: kb_questions DB [RUNS]");
    let runs: usize = args.next().map_or(50, |r| r.parse().expect("RUNS is a number"));
    let conn = store::connect(std::path::Path::new(&db)).unwrap();
    println!("{} articles, {runs} runs per query", kb::count(&conn).unwrap());
    let (mut all_new, mut all_old) = (Vec::new(), Vec::new());
    for q in QUERIES {
        let new = time(runs, || drop(std::hint::black_box(kb::search(&conn, q, 30).unwrap())));
        let old = time(runs, || drop(std::hint::black_box(kb::search_keywords(&conn, q, 30).unwrap())));
        println!(
            "{q:<75} search median {:>7.2?} p99 {:>7.2?} | keywords only median {:>7.2?} p99 {:>7.2?}",
            percentile(&new, 0.5),
            percentile(&new, 0.99),
            percentile(&old, 0.5),
            percentile(&old, 0.99)
        );
        all_new.extend(new);
        all_old.extend(old);
    }
    all_new.sort();
    all_old.sort();
    println!(
        "all: search median {:.2?} p99 {:.2?} | keywords only median {:.2?} p99 {:.2?}",
        percentile(&all_new, 0.5),
        percentile(&all_new, 0.99),
        percentile(&all_old, 0.5),
        percentile(&all_old, 0.99)
    );
}
