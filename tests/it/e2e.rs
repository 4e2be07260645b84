//! End-to-end: the real binary in a pseudo-terminal, from opening the demo to every way of
//! leaving it. Each test has its own home/data/config folders and a 120×40 terminal, and
//! waits for screen conditions (with a deadline) rather than for time to pass.

use crate::e2e_support;

use std::time::Duration;

use e2e_support::*;

/// How long a clean exit may take after a key or signal asked for it (saving the draft
/// included). Generous: CI shares two cores.
const EXIT_WITHIN: Duration = Duration::from_secs(5);

/// The spec: after a hang-up the process is gone within two seconds.
const HANGUP_WITHIN: Duration = Duration::from_secs(2);

/// Whether the saved-notes list under the editor shows `text`.
fn listed_under_saved_notes(s: &vt100::Screen, text: &str) -> bool {
    let c = s.contents();
    c.find("Saved notes").is_some_and(|heading| c[heading..].contains(text))
}

/// The acceptance story: queue → open → type → Ctrl-S → listed → quit → reopen → still there.
#[test]
fn a_saved_note_is_listed_and_still_there_after_a_restart() {
    let ws = Workspace::new();
    let mut app = ws.open_demo();
    app.open_selected_contact(None);
    let note = "Offered an in-store swap, e2e acceptance note";
    app.send(note);
    app.wait_text(note);
    app.send(CTRL_S);
    app.wait_screen("the note under \"Saved notes\" and the editor emptied", |s| {
        listed_under_saved_notes(s, note) && s.contents().contains("Type notes here")
    });
    app.send(CTRL_Q);
    let (status, _) = app.wait_exit(EXIT_WITHIN);
    assert!(exited(status, 0), "{status:?}");
    let contact = ws.last_note_contact();
    assert_eq!(ws.notes_of(contact).last().map(String::as_str), Some(note));

    let mut again = ws.open_demo();
    again.open_selected_contact(None);
    again.wait_screen("the note saved before the restart", |s| listed_under_saved_notes(s, note));
    again.send(CTRL_Q);
    assert!(exited(again.wait_exit(EXIT_WITHIN).0, 0));
}

/// Text typed but never saved is a draft: Ctrl-Q keeps it, and the editor shows it again.
#[test]
fn an_unsaved_draft_survives_quitting() {
    let ws = Workspace::new();
    let mut app = ws.open_demo();
    app.open_selected_contact(None);
    let draft = "Customer will call back after lunch";
    app.send(draft);
    app.wait_text(draft);
    // Quit at once: no waiting for the autosave.
    app.send(CTRL_Q);
    assert!(exited(app.wait_exit(EXIT_WITHIN).0, 0));

    let mut again = ws.open_demo();
    again.open_selected_contact(Some(draft));
}

/// Once the title says "draft saved" it is on disk: even SIGKILL cannot lose it.
#[test]
fn a_draft_marked_saved_survives_sigkill() {
    let ws = Workspace::new();
    let mut app = ws.open_demo();
    app.open_selected_contact(None);
    let draft = "Refund approved pending RMA, drafted before a crash";
    app.send(draft);
    app.wait_screen("\"draft saved\" in the Notes title", |s| {
        let c = s.contents();
        c.contains(draft) && c.lines().any(|l| l.contains("Notes draft saved"))
    });
    app.signal(Signal::SIGKILL);
    let (status, _) = app.wait_exit(EXIT_WITHIN);
    assert!(matches!(status, WaitStatus::Signaled(_, Signal::SIGKILL, _)), "{status:?}");

    let mut again = ws.open_demo();
    again.open_selected_contact(Some(draft));
}

/// How a test asks the program to stop.
#[derive(Debug, Clone, Copy)]
enum Exit {
    Key(&'static [u8]),
    Signal(Signal),
}

/// Types a draft, stops the program `how` right after the text is on screen, and checks:
/// gone in time, exit status 0, the terminal given back (in the byte stream and in the
/// terminal model), the draft on disk. Returns how long the exit took.
fn exit_path(how: Exit, within: Duration) -> Duration {
    let ws = Workspace::new();
    let mut app = ws.open_demo();
    app.open_selected_contact(None);
    let draft = format!("draft typed before {how:?}");
    app.send(&draft);
    app.wait_text(&draft);
    match how {
        Exit::Key(key) => app.send(key),
        Exit::Signal(signal) => app.signal(signal),
    }
    let (status, took) = app.wait_exit(within);
    assert!(exited(status, 0), "{how:?} ended the program with {status:?}");
    app.wait_eof();
    assert_restored(&app.bytes());
    app.with_screen(|s| {
        assert!(!s.alternate_screen(), "{how:?}: still on the alternate screen");
        assert!(!s.hide_cursor(), "{how:?}: the cursor is still hidden");
        assert!(!s.bracketed_paste(), "{how:?}: bracketed paste is still on");
    });
    assert!(ws.has_draft(&draft), "{how:?}: draft {draft:?} not saved; drafts: {:?}", ws.drafts());
    took
}

#[test]
fn ctrl_q_quits_cleanly() {
    exit_path(Exit::Key(CTRL_Q), EXIT_WITHIN);
}

#[test]
fn ctrl_c_quits_cleanly() {
    exit_path(Exit::Key(CTRL_C), EXIT_WITHIN);
}

#[test]
fn sigterm_quits_cleanly() {
    exit_path(Exit::Signal(Signal::SIGTERM), EXIT_WITHIN);
}

#[test]
fn sigint_quits_cleanly() {
    exit_path(Exit::Signal(Signal::SIGINT), EXIT_WITHIN);
}

#[test]
fn sighup_quits_cleanly_within_two_seconds() {
    let took = exit_path(Exit::Signal(Signal::SIGHUP), HANGUP_WITHIN);
    eprintln!("SIGHUP: exited after {took:?}");
}

/// A real hang-up: the terminal emulator owning the program's pty (here `script`)
/// vanishes, as with `tmux kill-session` or a dropped SSH connection. The kernel sends
/// SIGHUP and the terminal stops working; the program must save the draft and be gone
/// within two seconds.
#[test]
fn a_vanished_terminal_ends_the_program_within_two_seconds_and_keeps_the_draft() {
    let ws = Workspace::new();
    let shell_cmd = format!("exec '{}' --demo", bin());
    ws.mark_bulletins_read();
    let mut script = Pty::spawn(ws.command("script", &["-q", "-f", "-c", &shell_cmd, "/dev/null"]), COLS, ROWS);
    script.wait_for_queue();
    let app = wait_for_child_frontline(script.pid());
    script.open_selected_contact(None);
    let draft = "typed just before the line dropped";
    script.send(draft);
    script.wait_text(draft);
    script.signal(Signal::SIGKILL);
    let took = wait_gone(app, HANGUP_WITHIN);
    eprintln!("hang-up: frontline gone after {took:?}");
    script.wait_exit(EXIT_WITHIN);
    assert!(ws.has_draft(draft), "draft not saved on hang-up; drafts: {:?}", ws.drafts());
}

/// An error before the workstation starts: one line naming the file, status 1, the file
/// untouched, and the terminal never left in the alternate screen.
#[test]
fn a_file_that_is_not_a_workspace_is_refused_and_left_untouched() {
    use std::os::unix::fs::PermissionsExt;
    let ws = Workspace::new();
    let path = ws.path().join("notes.txt");
    let text = b"Call list for Monday\nnot a database at all\n";
    std::fs::write(&path, text).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    let path_str = path.to_str().unwrap();

    let out = ws.frontline(&["--db", path_str]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "stderr: {stderr:?}");
    assert!(stderr.contains(path_str), "stderr does not name the file: {stderr:?}");

    // The same in a terminal: whatever was switched on is switched off again.
    let mut tty = Pty::spawn(ws.frontline(&["--db", path_str]), COLS, ROWS);
    let (status, _) = tty.wait_exit(EXIT_WITHIN);
    assert!(exited(status, 1), "{status:?}");
    tty.wait_eof();
    let bytes = tty.bytes();
    assert!(String::from_utf8_lossy(&bytes).contains(path_str), "{:?}", String::from_utf8_lossy(&bytes));
    if rfind(&bytes, b"\x1b[?1049h").is_some() {
        assert_restored(&bytes);
    }
    tty.with_screen(|s| {
        assert!(!s.alternate_screen() && !s.hide_cursor() && !s.bracketed_paste(), "terminal left in a mode");
    });

    assert_eq!(std::fs::read(&path).unwrap(), text, "the file was changed");
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode(), mode, "the file's mode was changed");
}

/// `frontline --demo` started from an interactive bash (job control on), with a contact
/// open and a draft typed; returns the shell's pty, frontline's pid and the draft.
fn frontline_under_a_shell(ws: &Workspace) -> (Pty, i32, &'static str) {
    ws.mark_bulletins_read();
    let mut cmd = ws.command("bash", &["--norc", "--noprofile", "-i"]);
    cmd.env("PS1", "e2e-shell$ ");
    let mut shell = Pty::spawn(cmd, COLS, ROWS);
    shell.wait_text("e2e-shell$");
    shell.send(format!("'{}' --demo\r", bin()));
    shell.wait_for_queue();
    let app = wait_for_child_frontline(shell.pid());
    shell.open_selected_contact(None);
    let draft = "draft typed before Ctrl-Z";
    shell.send(draft);
    shell.wait_text(draft);
    (shell, app, draft)
}

/// Ctrl-Z under a job-control shell: the draft is flushed, the terminal given back
/// (normal screen, cursor shown, the shell's "Stopped" message) and the process stopped.
#[test]
fn ctrl_z_saves_the_draft_gives_back_the_terminal_and_stops() {
    let ws = Workspace::new();
    let (mut shell, app, draft) = frontline_under_a_shell(&ws);
    shell.send(CTRL_Z);
    shell.wait_screen("the shell's job-stopped message on the normal screen", |s| {
        !s.alternate_screen() && !s.hide_cursor() && s.contents().contains("Stopped")
    });
    // Everything frontline switched on was switched off before the shell spoke again
    // (bash's readline turns bracketed paste back on for itself afterwards).
    let bytes = shell.bytes();
    assert_restored(&bytes[..rfind(&bytes, b"Stopped").unwrap()]);
    assert_eq!(proc_state(app), Some('T'), "Ctrl-Z did not stop the process");
    assert!(ws.has_draft(draft), "the draft was not saved before suspending; drafts: {:?}", ws.drafts());
    let killed = ws.command("kill", &["-KILL", &app.to_string()]).status().unwrap();
    assert!(killed.success());
    wait_gone(app, EXIT_WITHIN);
}

/// …and `fg` (SIGCONT plus the terminal back) redraws the workstation, which goes on
/// working: Ctrl-Q then quits normally back to the shell.
#[test]
fn fg_after_ctrl_z_redraws_and_keeps_working() {
    let ws = Workspace::new();
    let (mut shell, app, draft) = frontline_under_a_shell(&ws);
    shell.send(CTRL_Z);
    shell.wait_screen("the shell's job-stopped message", |s| !s.alternate_screen() && s.contents().contains("Stopped"));
    assert_eq!(proc_state(app), Some('T'), "Ctrl-Z did not stop the process");

    shell.send("fg\r");
    // No key is typed until the frame is back: a key would wake the input thread and hide
    // the bug above.
    shell.wait_screen("the workstation redrawn after fg", |s| {
        s.alternate_screen() && shows_queue(s) && s.contents().contains(draft)
    });
    let more = " and after fg";
    shell.send(more);
    shell.wait_text(&format!("{draft}{more}"));
    shell.send(CTRL_Q);
    wait_gone(app, EXIT_WITHIN);
    shell.wait_screen("the shell prompt back on the normal screen", |s| {
        !s.alternate_screen() && s.contents().trim_end().ends_with("e2e-shell$")
    });
    shell.send("echo status=$?\r");
    shell.wait_text("status=0");
    assert!(ws.has_draft(&format!("{draft}{more}")), "drafts: {:?}", ws.drafts());
}

/// Without job control (the program is its terminal's session leader, as in
/// `tmux new-session frontline` or `ssh host frontline`) the kernel discards the stop
/// signal: Ctrl-Z must come straight back to a working workstation, not end it.
#[test]
fn ctrl_z_without_job_control_comes_straight_back() {
    let ws = Workspace::new();
    let mut app = ws.open_demo();
    app.open_selected_contact(None);
    app.send(CTRL_Z);
    app.wait_output("the alternate screen left and entered again", |_, bytes| {
        rfind(bytes, b"\x1b[?1049l").is_some_and(|left| rfind(&bytes[left..], b"\x1b[?1049h").is_some())
    });
    // Entering the alternate screen cleared it: only a new frame can show the panes. No key
    // is typed before it appears.
    app.wait_screen("the workstation redrawn", |s| {
        s.alternate_screen() && shows_queue(s) && s.contents().contains("▶ Notes")
    });
    let typed = "still working after Ctrl-Z";
    app.send(typed);
    app.wait_text(typed);
    app.send(CTRL_Q);
    assert!(exited(app.wait_exit(EXIT_WITHIN).0, 0));
}

/// Resizing to ordinary, tiny and absurd sizes and back: no crash, always a fresh frame.
#[test]
fn resizing_down_to_one_cell_and_back_redraws_without_crashing() {
    let ws = Workspace::new();
    let mut app = ws.open_demo();

    let panes = |s: &vt100::Screen| {
        let c = s.contents();
        // The queue's title on the first row, the status bar's workspace name on the last.
        c.lines().next().is_some_and(|r| r.contains("Queue ") && r.contains(" waiting"))
            && c.contains("Notes")
            && c.lines().last().is_some_and(|r| r.contains("Larkspur Outfitters"))
    };
    app.resize(80, 24);
    app.wait_screen("the panes at 80×24", panes);
    app.resize(30, 8);
    app.wait_screen("the too-small notice at 30×8", |s| s.contents().contains("needs 40×8"));
    app.resize(1, 1);
    app.wait_screen("one cell drawn at 1×1", |s| s.contents() == "F");
    assert!(app.is_running(), "the program ended at 1×1");
    app.resize(COLS, ROWS);
    app.wait_screen("the panes at 120×40", panes);
    assert!(app.is_running(), "the program ended after the resizes");
    app.send(CTRL_Q);
    assert!(exited(app.wait_exit(EXIT_WITHIN).0, 0));
}

/// 500 characters in one write (a fast typist, or a terminal without bracketed paste),
/// then a bracketed paste with line breaks: every character reaches the saved note.
#[test]
fn a_burst_of_keys_and_a_bracketed_paste_land_in_the_note_intact() {
    let ws = Workspace::new();
    let mut app = ws.open_demo();
    app.open_selected_contact(None);

    let words = ["Customer", "asked", "about", "the", "tent;", "replacement", "poles,", "ships", "Friday."];
    let mut burst = String::new();
    for w in words.iter().cycle() {
        if burst.len() + w.len() + 1 > 500 {
            break;
        }
        if !burst.is_empty() {
            burst.push(' ');
        }
        burst.push_str(w);
    }
    while burst.len() < 500 {
        burst.push('x');
    }
    assert_eq!(burst.len(), 500);
    assert!(burst.ends_with("poles,xxx"), "{burst}");

    // Saved: the editor is empty again and the note's end is listed under it (a long note
    // scrolls the list's own heading out of view).
    let saved = |end: &'static str| {
        move |s: &vt100::Screen| {
            let c = s.contents();
            c.contains("Type notes here") && c.contains(end) && c.contains("Note saved")
        }
    };
    app.send(&burst);
    app.wait_text("replacement poles,xxx");
    app.send(CTRL_S);
    app.wait_screen("the burst saved as a note", saved("poles,xxx"));

    let pasted = "First line of the paste\rsecond line\r\nthird line ends it";
    app.send(format!("\x1b[200~{pasted}\x1b[201~"));
    app.wait_screen("the paste in the editor", |s| {
        let c = s.contents();
        c.contains("third line ends it") && !c.contains("Type notes here")
    });
    app.send(CTRL_S);
    // The list shows a note on one line, its line breaks as spaces.
    app.wait_screen("the paste saved as a note", saved("First line of the paste second line"));
    app.send(CTRL_Q);
    assert!(exited(app.wait_exit(EXIT_WITHIN).0, 0));

    let notes = ws.notes_of(ws.last_note_contact());
    let [.., first, second] = notes.as_slice() else { panic!("two notes expected: {notes:?}") };
    assert_eq!(*first, burst);
    // The terminal's carriage returns are line breaks.
    assert_eq!(second, "First line of the paste\nsecond line\nthird line ends it");
}

/// A rep who presses Enter and starts typing at once must not lose the first words while
/// the contact is still loading.
#[test]
fn typing_straight_after_enter_is_not_lost() {
    let ws = Workspace::new();
    let mut app = ws.open_demo();
    let typed = "typed straight after Enter";
    app.send(format!("\r{typed}"));
    app.wait_text(typed);
    app.send(CTRL_Q);
    assert!(exited(app.wait_exit(EXIT_WITHIN).0, 0));
    assert!(ws.has_draft(typed), "drafts: {:?}", ws.drafts());
}

/// The rep's whole loop on one contact, as issue 3 tells it: accept the next contact, type a
/// note, hold, resume, wrap up with a disposition — and `frontline report` counts it, with
/// every step in the contact's event log.
#[test]
fn accept_note_hold_resume_wrap_up_and_the_report_counts_it() {
    let ws = Workspace::new();
    let handled = |ws: &Workspace| -> u64 {
        let out = ws.frontline(&["--demo", "report", "--json"]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        json["handled"].as_u64().unwrap()
    };
    let mut app = ws.open_demo();
    let before = handled(&ws);

    app.send(F2);
    app.wait_screen("the accepted contact's handle timer", |s| s.contents().contains("● 0:"));
    let note = "Verified identity, refund approved for the duplicate charge";
    app.send(note);
    app.wait_text(note);
    app.send(F4);
    app.wait_text("HOLD");
    app.send(F4);
    app.wait_screen("resumed: no hold timer", |s| !s.contents().contains("HOLD"));
    app.send(F5);
    app.wait_text("Wrap up");
    app.send("refund_iss");
    app.wait_text("refund_issued");
    app.send(ENTER);
    app.wait_screen("the contact resolved", |s| s.contents().contains("resolved"));
    app.send(CTRL_Q);
    assert!(exited(app.wait_exit(EXIT_WITHIN).0, 0));

    assert_eq!(handled(&ws), before + 1, "the report counts the contact that was just handled");
    let db = rusqlite::Connection::open(ws.demo_db()).unwrap();
    let contact: i64 = db
        .query_row(
            "SELECT id FROM contacts WHERE disposition = 'refund_issued' ORDER BY ended_at DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let kinds: Vec<String> = db
        .prepare("SELECT kind FROM contact_events WHERE contact_id = ?1 ORDER BY at, id")
        .unwrap()
        .query_map([contact], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(kinds, vec!["create", "accept", "hold", "resume", "wrap_up", "resolve"]);
    assert_eq!(ws.notes_of(contact), vec![note.to_string()], "the typed text is filed as a note at wrap-up");
}

/// The shift starts with unread bulletins over the queue; once read they do not come back.
#[test]
fn the_shift_starts_with_unread_bulletins() {
    let ws = Workspace::new();
    let mut app = ws.open_demo_as_is();
    app.wait_text("New bulletins");
    app.wait_text("INCIDENT");
    app.send(ENTER);
    app.wait_screen("the bulletins closed", |s| !s.contents().contains("New bulletins"));
    app.send(CTRL_Q);
    assert!(exited(app.wait_exit(EXIT_WITHIN).0, 0));
    let again = ws.open_demo_as_is();
    again.wait_text("Ctrl-Q quit");
    assert!(!again.contents().contains("New bulletins"), "read bulletins stay read");
}

/// Opens the demo with a fault injected (`FRONTLINE_FAULT`, honoured by debug builds only)
/// and returns how the process ended and everything it wrote to the terminal, after
/// checking that the terminal was given back.
fn run_with_fault(kind: &str) -> (WaitStatus, Vec<u8>) {
    let ws = Workspace::new();
    ws.mark_bulletins_read();
    let mut cmd = ws.frontline(&["--demo"]);
    cmd.env("FRONTLINE_FAULT", kind);
    let mut tty = Pty::spawn(cmd, COLS, ROWS);
    let (status, _) = tty.wait_exit(EXIT_WITHIN);
    tty.wait_eof();
    let bytes = tty.bytes();
    assert_restored(&bytes);
    (status, bytes)
}

/// A panic in the main loop: the panic hook gives the terminal back before the message is
/// printed.
#[test]
fn a_panic_restores_the_terminal() {
    let (status, bytes) = run_with_fault("panic");
    assert!(exited(status, 101), "a panic exits with Rust's panic status: {status:?}");
    let last_restore = rfind(&bytes, b"\x1b[?1049l").unwrap();
    let message = rfind(&bytes, b"fault injected").unwrap();
    assert!(message > last_restore, "the panic message lands on the normal screen, after the restore");
}

/// A panic in the database worker thread: the workstation notices, stops with one line,
/// and the terminal is restored.
#[test]
fn a_worker_panic_stops_cleanly_and_restores_the_terminal() {
    let (status, bytes) = run_with_fault("worker-panic");
    assert!(exited(status, 1), "{status:?}");
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("frontline: the store worker stopped unexpectedly"), "{text:?}");
}
