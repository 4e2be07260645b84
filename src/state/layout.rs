//! Where the last frame put things, measured by the drawing code and read by `update`
//! (mouse clicks, scroll limits): plain rectangles, so the state needs no screen.

use ratatui::layout::Rect;

use super::Pane;

/// Measurements made while drawing that the state needs to clamp scrolling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrawInfo {
    /// Largest useful scroll offset of the customer record.
    pub customer_max_scroll: u16,
    /// The scroll the open article was drawn at (keeps its cursor in view).
    pub reader_scroll: Option<u16>,
    /// Where each pane was drawn, in Tab order (for mouse clicks).
    pub panes: [(Pane, Rect); 4],
    /// The queue's rows area, for clicking a row.
    pub queue_rows: Rect,
}

impl Default for DrawInfo {
    fn default() -> Self {
        Self {
            customer_max_scroll: 0,
            reader_scroll: None,
            panes: [Pane::Queue, Pane::Customer, Pane::Knowledge, Pane::Notes].map(|p| (p, Rect::default())),
            queue_rows: Rect::default(),
        }
    }
}
