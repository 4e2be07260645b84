//! What the rep can ask for. Bindable actions have snake_case names so the config file
//! can rebind them; the keymap gives each one its keys and description.

use serde::{Deserialize, Serialize};

/// A command the rep can bind to a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Leave Frontline, keeping unsaved note text as a draft.
    Quit,
    /// Suspend to the shell (Ctrl-Z); `fg` brings the screen back.
    Suspend,
    FocusNext,
    FocusPrev,
    ToggleHelp,
    /// Jump to the knowledge-base search box.
    SearchKb,
    MoveUp,
    MoveDown,
    PageUp,
    PageDown,
    First,
    Last,
    /// Open the selected contact or article.
    OpenSelected,
    /// Close what is open, or clear what was typed.
    Back,
    /// Save the editor's text as a timestamped note.
    SaveNote,
}

impl Action {
    /// The name used in config files and the help overlay.
    pub fn name(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
    }
}
