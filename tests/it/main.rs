//! Every integration test in one binary: one link instead of one per file, and one copy of
//! the shared helpers (`common`, the pty harness in `e2e_support`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod e2e_support;

mod card_masking;
mod cli;
mod cli_polish;
mod customers;
mod e2e;
mod erasure;
mod files_not_ours;
mod hostile_files;
mod intake;
mod knowledge;
mod mail_in;
mod metrics;
mod privacy;
mod reliability;
mod shift;
mod snapshots;
mod store;
