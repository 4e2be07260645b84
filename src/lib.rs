//! Frontline: a keyboard-first terminal workstation for customer-service representatives.
//! Everything lives in the library so tests can reach it; `main.rs` only maps errors to
//! exit codes.

pub mod action;
pub mod app;
pub mod cli;
pub mod clipboard;
pub mod commands;
pub mod config;
pub mod demo;
pub mod domain;
pub mod erasure;
pub mod export;
pub mod fault;
pub mod import;
pub mod input;
pub mod intake;
pub mod keymap;
pub mod logging;
pub mod markdown;
pub mod paths;
pub mod priority;
pub mod progress;
pub mod protocol;
pub mod recovery;
pub mod state;
pub mod store;
pub mod team;
pub mod theme;
pub mod tui;
pub mod ui;
pub mod workers;
