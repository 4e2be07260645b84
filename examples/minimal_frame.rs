#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The floor for "start to first full frame": the least a ratatui program can do — enter
//! the alternate screen and raw mode, draw one frame with a titled pane and a status bar,
//! then wait for any key (or two seconds) and restore the terminal.
//!
//! `cargo run --release --example minimal_frame` (the benchmark suite times it in a pty).

use std::time::Duration;

use crossterm::event;
use ratatui::layout::{Constraint, Layout};
use ratatui::widgets::{Block, Paragraph};

fn main() -> std::io::Result<()> {
    let mut terminal = ratatui::init();
    terminal.draw(|frame| {
        let [main, status] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(frame.area());
        frame.render_widget(Paragraph::new("minimal").block(Block::bordered().title(" Queue 0 waiting ")), main);
        frame.render_widget(Paragraph::new(" minimal │ F2 accept"), status);
    })?;
    // Until a key (a resize is not one) or two seconds pass.
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
        if event::poll(left)? && matches!(event::read()?, event::Event::Key(_)) {
            break;
        }
    }
    ratatui::restore();
    Ok(())
}
