//! The terminal guard: raw mode, alternate screen and bracketed paste on the way in, and
//! always restored on the way out — on return, on error, on panic (any thread) and on
//! signals.

use std::io::{self, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Result;
use crossterm::event::{DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture};
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};
use crossterm::{cursor, execute};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// The terminal type the app draws on.
pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Whether the terminal is currently in our raw/alternate mode (so restoring twice, from
/// the panic hook and from Drop, is harmless).
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Owns the terminal while the workstation runs; restores it when dropped.
pub struct TerminalGuard {
    pub terminal: Term,
    mouse: bool,
}

impl TerminalGuard {
    /// Switches the terminal into the workstation's mode; `mouse` turns on click and wheel
    /// reporting (which takes over the terminal's own text selection).
    pub fn enter(mouse: bool) -> Result<Self> {
        install_panic_hook();
        enter_modes(mouse)?;
        let terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
        Ok(Self { terminal, mouse })
    }

    /// Gives the terminal back to the shell for Ctrl-Z, stops the process, and takes the
    /// terminal again when `fg` continues it.
    pub fn suspend(&mut self) -> Result<()> {
        restore();
        #[cfg(unix)]
        signal_hook::low_level::raise(signal_hook::consts::SIGTSTP)?;
        enter_modes(self.mouse)?;
        // Not `clear()`: it asks the terminal for the cursor position, and the input thread
        // holds the event reader, so the answer never arrives. A resize to the current size
        // clears the screen and forces a full redraw without asking the terminal anything.
        let size = self.terminal.size()?;
        self.terminal.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))?;
        Ok(())
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

fn enter_modes(mouse: bool) -> Result<()> {
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    execute!(io::stdout(), EnterAlternateScreen, EnableBracketedPaste, cursor::Hide)?;
    if mouse {
        execute!(io::stdout(), EnableMouseCapture)?;
    }
    Ok(())
}

/// Whether the terminal is still ours (a panic on any thread gives it back at once).
pub fn active() -> bool {
    ACTIVE.load(Ordering::SeqCst)
}

/// Puts the terminal back even if it was already restored: a panic on another thread gives
/// it back at once, but a frame being drawn at that moment can take it again half-way.
pub fn restore_again() {
    ACTIVE.store(true, Ordering::SeqCst);
    restore();
}

/// Puts the terminal back as the shell expects it. Errors are ignored: the terminal may
/// already be gone (hang-up), and there is nothing better to do on the way out.
pub fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let mut out = io::stdout();
        let _ = execute!(out, DisableMouseCapture, DisableBracketedPaste, LeaveAlternateScreen, cursor::Show);
        let _ = disable_raw_mode();
        let _ = out.flush();
    }
}

fn install_panic_hook() {
    static INSTALLED: AtomicBool = AtomicBool::new(false);
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // Restore first so the message lands on the normal screen, readable.
        restore();
        previous(info);
    }));
}
