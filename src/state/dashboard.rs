//! "My numbers" (F7): today and this week — contacts handled, AHT, ASA, hold, FCR, CSAT,
//! SLA breaches, per channel — and the day's most frequent tags and dispositions against
//! the previous week. Figures come from the same code as `frontline report`.

use crossterm::event::{KeyCode, KeyEvent};

pub use crate::protocol::DashboardData;
use crate::protocol::Request;

use super::overlay::Overlay;
use super::{Effect, State};

/// The dashboard overlay.
#[derive(Debug, Default)]
pub struct Dashboard {
    pub data: Option<DashboardData>,
    /// Which period the per-channel table shows: false = today, true = this week.
    pub week: bool,
    pub scroll: u16,
    pending: Option<u64>,
}

/// F7: opens the dashboard and asks for fresh figures.
pub fn open(state: &mut State) -> Vec<Effect> {
    if state.overlays.dashboard().is_some() {
        state.overlays.close_dashboard();
        return Vec::new();
    }
    let seq = state.next_seq();
    state.overlays.open(Overlay::Dashboard(Dashboard { pending: Some(seq), ..Dashboard::default() }));
    vec![Effect::Db(Request::Dashboard { seq, settings: state.metric_settings })]
}

/// Keys while the dashboard is open: ←/→ switch today / this week, ↑/↓ scroll, Esc closes.
pub fn key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(d) = state.overlays.dashboard_mut() else { return Vec::new() };
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') | KeyCode::F(7) => state.overlays.close_dashboard(),
        KeyCode::Left | KeyCode::Right | KeyCode::Tab | KeyCode::Char('w') => d.week = !d.week,
        KeyCode::Down | KeyCode::Char('j') => d.scroll = d.scroll.saturating_add(1),
        KeyCode::Up | KeyCode::Char('k') => d.scroll = d.scroll.saturating_sub(1),
        _ => {}
    }
    Vec::new()
}

/// The figures arrived.
pub fn loaded(state: &mut State, seq: u64, data: DashboardData) -> Vec<Effect> {
    if let Some(d) = state.overlays.dashboard_mut().filter(|d| d.pending == Some(seq)) {
        d.pending = None;
        d.data = Some(data);
    }
    Vec::new()
}
