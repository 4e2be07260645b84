//! The `frontline` binary: parse the command line, run, and turn errors into one line on
//! stderr and a non-zero exit code (1 error, 2 usage — clap's own).

use std::process::ExitCode;
use std::time::Instant;

use clap::FromArgMatches;

fn main() -> ExitCode {
    let matches = frontline::cli::command().get_matches();
    let cli = match frontline::cli::Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    // Logs are best-effort: a read-only state folder must not stop the command. Held until
    // the process ends; it never writes to the terminal.
    let _logs = match frontline::logging::init(cli.verbose) {
        Ok(guard) => Some(guard),
        Err(e) => {
            if cli.verbose > 0 {
                eprintln!("frontline: logs are off: {}", one_line(&e));
            }
            None
        }
    };
    let command = command_name(&matches);
    let started = Instant::now();
    tracing::info!(version = env!("CARGO_PKG_VERSION"), command = %command, "start");
    let result = frontline::commands::run(cli);
    let elapsed_ms = started.elapsed().as_millis();
    match &result {
        Ok(()) => tracing::info!(command = %command, elapsed_ms, "done"),
        Err(e) if is_broken_pipe(e) => tracing::info!(command = %command, elapsed_ms, "done (reader closed early)"),
        Err(e) => tracing::warn!(command = %command, elapsed_ms, error = %frontline::logging::error_kind(e), "failed"),
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // A reader that stopped early (`frontline queue | head`) is not an error.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // The terminal is already restored here (the guard drops before the error
            // returns); one line, most specific cause last.
            frontline::tui::restore();
            eprintln!("frontline: {}", frontline::domain::text::terminal_safe(&one_line(&e)));
            ExitCode::from(1)
        }
    }
}

/// The subcommand path, e.g. "import customers" ("workstation" for none): safe to log.
fn command_name(matches: &clap::ArgMatches) -> String {
    let mut names = Vec::new();
    let mut current = matches;
    while let Some((name, sub)) = current.subcommand() {
        names.push(name);
        current = sub;
    }
    if names.is_empty() { "workstation".into() } else { names.join(" ") }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            // serde_json wraps the io::Error without exposing it as a source.
            || c.downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
    })
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
