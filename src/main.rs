//! The `frontline` binary: parse the command line, run, and turn errors into one line on
//! stderr and a non-zero exit code (1 error, 2 usage — clap's own).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = frontline::cli::Cli::parse();
    match frontline::commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // A reader that stopped early (`frontline queue | head`) is not an error.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // The terminal is already restored here (the guard drops before the error
            // returns); one line, most specific cause last.
            frontline::tui::restore();
            eprintln!("frontline: {}", one_line(&e));
            ExitCode::from(1)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
}

/// The error chain joined on one line: "context: cause".
fn one_line(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ").replace('\n', " ")
}
