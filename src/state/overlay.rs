//! The overlays over the panes — forms, the palette, help, "my numbers", bulletins,
//! scripts and the shift's views — as one stack: the top one takes the keys and is drawn
//! last. Opening one puts it on top (an overlay of the same kind already open is replaced),
//! so the order of keys and drawing is the order the rep opened them, kept in one place.

use crate::domain::shift::Kudos;

use super::dashboard::Dashboard;
use super::forms::Modal;
use super::guidance::{BulletinView, ScriptView};
use super::palette::Palette;
use super::shift::{ReviewForm, ScheduleView};

/// One overlay and its state.
// The stack holds a handful at most and they move only when opened or closed, so boxing the
// big forms would buy nothing but indirection.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Overlay {
    /// A form or a confirmation.
    Form(Modal),
    Dashboard(Dashboard),
    Scripts(ScriptView),
    Bulletins(BulletinView),
    /// The status picker; the row selected.
    StatusPicker(usize),
    Review(ReviewForm),
    Kudos(Vec<Kudos>),
    Schedule(ScheduleView),
    Palette(Palette),
    /// The key help; its scroll offset.
    Help(u16),
}

/// The open overlays, bottom first.
#[derive(Debug, Default)]
pub struct Overlays(Vec<Overlay>);

impl Overlays {
    /// Opens `overlay` on top, replacing one of the same kind.
    pub fn open(&mut self, overlay: Overlay) {
        let kind = std::mem::discriminant(&overlay);
        self.0.retain(|o| std::mem::discriminant(o) != kind);
        self.0.push(overlay);
    }

    /// The overlay that takes the keys.
    pub fn top(&self) -> Option<&Overlay> {
        self.0.last()
    }

    /// Whether any overlay is open.
    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }

    /// Every open overlay, bottom first (the drawing order).
    pub fn iter(&self) -> impl Iterator<Item = &Overlay> {
        self.0.iter()
    }

    /// Closes every overlay.
    pub fn close_all(&mut self) {
        self.0.clear();
    }
}

/// Typed access to each kind: `form()`, `form_mut()`, `take_form()`, `close_form()`…
macro_rules! accessors {
    ($($variant:ident($ty:ty) => $get:ident, $get_mut:ident, $take:ident, $close:ident;)*) => {
        impl Overlays {
            $(
                #[doc = concat!("The open `", stringify!($variant), "` overlay.")]
                pub fn $get(&self) -> Option<&$ty> {
                    self.0.iter().find_map(|o| match o {
                        Overlay::$variant(x) => Some(x),
                        _ => None,
                    })
                }

                #[doc = concat!("The open `", stringify!($variant), "` overlay, to change.")]
                pub fn $get_mut(&mut self) -> Option<&mut $ty> {
                    self.0.iter_mut().find_map(|o| match o {
                        Overlay::$variant(x) => Some(x),
                        _ => None,
                    })
                }

                #[doc = concat!("Closes the `", stringify!($variant), "` overlay and hands back its state.")]
                pub fn $take(&mut self) -> Option<$ty> {
                    let i = self.0.iter().position(|o| matches!(o, Overlay::$variant(_)))?;
                    match self.0.remove(i) {
                        Overlay::$variant(x) => Some(x),
                        _ => None,
                    }
                }

                #[doc = concat!("Closes the `", stringify!($variant), "` overlay, if open.")]
                pub fn $close(&mut self) {
                    self.0.retain(|o| !matches!(o, Overlay::$variant(_)));
                }
            )*
        }
    };
}

accessors! {
    Form(Modal) => form, form_mut, take_form, close_form;
    Dashboard(Dashboard) => dashboard, dashboard_mut, take_dashboard, close_dashboard;
    Scripts(ScriptView) => scripts, scripts_mut, take_scripts, close_scripts;
    Bulletins(BulletinView) => bulletins, bulletins_mut, take_bulletins, close_bulletins;
    StatusPicker(usize) => picker, picker_mut, take_picker, close_picker;
    Review(ReviewForm) => review, review_mut, take_review, close_review;
    Kudos(Vec<Kudos>) => kudos, kudos_mut, take_kudos, close_kudos;
    Schedule(ScheduleView) => schedule, schedule_mut, take_schedule, close_schedule;
    Palette(Palette) => palette, palette_mut, take_palette, close_palette;
    Help(u16) => help, help_mut, take_help, close_help;
}
