//! Handing bytes to an outside command (sendmail, `reply_command`) with a deadline: the
//! command runs in a process group of its own, its input is written from a thread, and when
//! the deadline passes the whole group is killed. Nothing here waits on a command that
//! never reads its input or never exits.

use std::io::{Read, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::domain::text::sanitize;

/// Why a command did not take the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandError {
    /// The command line has no program.
    Empty,
    /// The program could not be started.
    CannotRun(String),
    /// It was still running at the deadline and was stopped.
    TimedOut(Duration),
    /// It exited unsuccessfully: the status and the first line it printed on stderr.
    Failed { status: String, stderr: String },
}

impl CommandError {
    /// One line naming what ran: "sendmail `msmtp -t` did not finish within 30 s".
    pub fn explain(&self, what: &str, command: &str) -> String {
        match self {
            Self::Empty => format!("{what}: the command is empty"),
            Self::CannotRun(why) => format!("{what} `{command}`: cannot run: {why}"),
            Self::TimedOut(limit) => format!("{what} `{command}` did not finish within {} s", limit.as_secs().max(1)),
            Self::Failed { status, stderr } => format!("{what} `{command}` failed ({status}): {stderr}"),
        }
    }
}

/// How long to wait for a killed command to be reaped before leaving it behind: SIGKILL is
/// not ignorable, so only a process stuck in the kernel (a dead NFS mount) takes longer.
const REAP_GRACE: Duration = Duration::from_secs(2);

/// Runs `command` (words split on spaces, no shell quoting), writes `input` to its standard
/// input and waits at most `timeout` for it to exit successfully.
pub fn run(command: &str, input: &[u8], timeout: Duration) -> Result<(), CommandError> {
    let mut words = command.split_whitespace();
    let program = words.next().ok_or(CommandError::Empty)?;
    let mut cmd = Command::new(program);
    cmd.args(words).stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::piped());
    #[cfg(unix)]
    {
        // Its own group, so a timeout can stop the command and whatever it started.
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    let mut child = cmd.spawn().map_err(|e| CommandError::CannotRun(e.to_string()))?;
    if let Some(mut stdin) = child.stdin.take() {
        let input = input.to_vec();
        // A command that exits without reading makes this fail (broken pipe); its exit
        // status and stderr say why, so the write error itself is not reported. A command
        // that never reads blocks this thread until the group is killed.
        std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
    }
    let stderr = child.stderr.take().map(|mut pipe| {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut text = Vec::new();
            let _ = pipe.by_ref().take(64 * 1024).read_to_end(&mut text);
            let _ = tx.send(text);
        });
        rx
    });
    let group = ProcessGroup::of(&child);
    let (done_tx, done_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done_tx.send(child.wait());
    });
    let status = match done_rx.recv_timeout(timeout) {
        Ok(Ok(status)) => status,
        Ok(Err(e)) => return Err(CommandError::CannotRun(format!("cannot wait for it: {e}"))),
        Err(_) => {
            group.kill();
            let _ = done_rx.recv_timeout(REAP_GRACE);
            return Err(CommandError::TimedOut(timeout));
        }
    };
    if status.success() {
        return Ok(());
    }
    // It has exited, so its stderr ends now, unless something it started still holds it:
    // wait no longer than the deadline would have allowed anyway.
    let text = stderr.and_then(|rx| rx.recv_timeout(timeout).ok()).unwrap_or_default();
    Err(CommandError::Failed { status: describe(status), stderr: first_line(&text) })
}

fn describe(status: ExitStatus) -> String {
    status.code().map_or_else(|| "killed by a signal".to_string(), |c| format!("exit status {c}"))
}

fn first_line(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let line = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("no message on stderr");
    sanitize(line)
}

/// The process group a command was started in (its id is the command's pid).
struct ProcessGroup {
    #[cfg(unix)]
    leader: rustix::process::Pid,
}

impl ProcessGroup {
    fn of(child: &Child) -> Self {
        #[cfg(not(unix))]
        let _ = child;
        Self {
            #[cfg(unix)]
            leader: rustix::process::Pid::from_child(child),
        }
    }

    /// Kills every process still in the group. Called only while the command has not been
    /// seen to exit; a group outlives its leader while any member runs, so the id can name
    /// another group only if everything in this one ended that instant and the id was
    /// taken again at once.
    fn kill(&self) {
        #[cfg(unix)]
        {
            let _ = rustix::process::kill_process_group(self.leader, rustix::process::Signal::KILL);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_that_exits_early_reports_its_status_and_first_stderr_line() {
        let err = run("sh -c exit", b"x", Duration::from_secs(30)).map(|()| "ran");
        assert_eq!(err, Ok("ran"));
        let err = run("sh -c false", &vec![b'x'; 300_000], Duration::from_secs(30)).unwrap_err();
        assert_eq!(err, CommandError::Failed { status: "exit status 1".into(), stderr: "no message on stderr".into() });
        assert_eq!(run("  ", b"", Duration::from_secs(1)), Err(CommandError::Empty));
        assert!(matches!(run("/nonexistent/msmtp", b"", Duration::from_secs(1)), Err(CommandError::CannotRun(_))));
    }

    #[test]
    fn a_command_that_never_reads_nor_exits_is_stopped_at_the_deadline() {
        let err = run("sleep 120", &vec![b'x'; 300_000], Duration::from_secs(1)).unwrap_err();
        assert_eq!(err, CommandError::TimedOut(Duration::from_secs(1)));
        assert_eq!(err.explain("sendmail", "sleep 120"), "sendmail `sleep 120` did not finish within 1 s");
    }
}
