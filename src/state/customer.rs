//! The Customer pane: the open contact's customer record, scrolled as one long page.

use crate::action::Action;
use crate::domain::{CustomerRecord, Id};
use crate::protocol::Request;

use super::{Effect, Pane, State};

/// Lines moved by PgUp / PgDn in the record.
const PAGE_LINES: u16 = 10;

/// What the Customer pane shows beyond the open contact itself.
#[derive(Debug, Default)]
pub struct CustomerState {
    /// A customer looked up without a contact (palette, customer search); Esc returns to
    /// the open contact.
    pub browsing: Option<CustomerRecord>,
    /// Show every earlier contact, not only the newest ones.
    pub full_history: bool,
    browse_pending: Option<u64>,
    /// First line of the record shown (the UI clamps it to the record's length).
    pub scroll: u16,
    /// Sequence number of the contact being opened.
    pub pending: Option<u64>,
}

/// Shows a customer's record in the pane (without a contact).
pub fn browse(state: &mut State, id: Id) -> Vec<Effect> {
    let seq = state.next_seq();
    state.customer.browse_pending = Some(seq);
    state.focus = Pane::Customer;
    vec![Effect::Db(Request::OpenCustomer { seq, id })]
}

/// The looked-up customer's record arrived.
pub fn browsed(state: &mut State, seq: u64, record: Option<Box<CustomerRecord>>) -> Vec<Effect> {
    if state.customer.browse_pending != Some(seq) {
        return Vec::new();
    }
    state.customer.browse_pending = None;
    match record {
        Some(r) => {
            state.customer.browsing = Some(*r);
            state.customer.scroll = 0;
        }
        None => state.flash("That customer no longer exists", super::Tone::Error),
    }
    Vec::new()
}

/// Scrolls the record.
pub fn perform(state: &mut State, action: Action) -> Vec<Effect> {
    let c = &mut state.customer;
    match action {
        Action::ToggleHistory => {
            c.full_history = !c.full_history;
            let message = if c.full_history {
                "Showing the whole record (h again: newest only)"
            } else {
                "Showing the newest contacts, orders and billing (h: the whole record)"
            };
            state.flash(message, super::Tone::Info);
        }
        Action::Back if c.browsing.is_some() => {
            c.browsing = None;
            c.scroll = 0;
        }
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
