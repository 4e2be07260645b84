//! The Customer pane: the open contact's customer record, scrolled as one long page.

use crate::action::Action;

use super::{Effect, State};

/// Lines moved by PgUp / PgDn in the record.
const PAGE_LINES: u16 = 10;

/// What the Customer pane shows beyond the open contact itself.
#[derive(Debug, Default)]
pub struct CustomerState {
    /// First line of the record shown (the UI clamps it to the record's length).
    pub scroll: u16,
    /// Sequence number of the contact being opened.
    pub pending: Option<u64>,
}

/// Scrolls the record.
pub fn perform(state: &mut State, action: Action) -> Vec<Effect> {
    let c = &mut state.customer;
    match action {
        Action::MoveUp => c.scroll = c.scroll.saturating_sub(1),
        Action::MoveDown => c.scroll = c.scroll.saturating_add(1),
        Action::PageUp => c.scroll = c.scroll.saturating_sub(PAGE_LINES),
        Action::PageDown => c.scroll = c.scroll.saturating_add(PAGE_LINES),
        Action::First => c.scroll = 0,
        Action::Last => c.scroll = u16::MAX,
        _ => {}
    }
    Vec::new()
}
