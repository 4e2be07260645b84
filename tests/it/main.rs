//! Every integration test in one binary: one link instead of one per file, and one copy of
//! the shared helpers (`common`, the pty harness in `e2e_support`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod e2e_support;
mod rt_server;

mod bulk_import;
mod card_corpus;
mod card_fields;
mod card_masking;
mod cli;
mod cli_polish;
mod contact_cli;
mod customers;
mod e2e;
mod erasure;
mod files_not_ours;
mod hostile_files;
mod hostile_inbox;
mod import_shapes;
mod intake;
mod isolation;
mod kb_relevance;
mod key_count;
mod knowledge;
mod layers;
mod mail_in;
mod metrics;
mod privacy;
mod promises;
mod reliability;
mod replies_out;
mod shift;
mod snapshots;
mod status;
mod store;
mod team;
mod team_live;
mod workspace_files;
