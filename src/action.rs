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
    /// Take the most urgent contact (a due follow-up first).
    AcceptNext,
    /// Accept the contact selected in the queue.
    AcceptSelected,
    /// Log a call or walk-in that just started.
    LogContact,
    /// Put the current contact on hold, or resume it.
    ToggleHold,
    /// End the current contact: disposition, outcome, follow-up.
    WrapUp,
    /// Switch to the next contact in progress.
    NextActive,
    /// Show my numbers: today and this week.
    Dashboard,
    /// Change the current contact's priority, tags, customer or CSAT.
    EditContact,
    /// Reopen the selected resolved contact.
    Reopen,
    /// Filter the queue by channel (cycles).
    CycleChannel,
    /// Show waiting, active, on hold, follow-ups due, escalated or resolved today (cycles).
    CycleView,
    /// Filter the queue by words in the subject or customer name.
    FilterText,
    /// Start or end selecting lines of the article.
    SelectPassage,
    /// Put the selected passage (or the line under the cursor) into the notes.
    InsertPassage,
    /// Put a link to the article into the notes.
    InsertLink,
    /// Copy the selected passage to the clipboard (works over SSH too).
    CopyPassage,
    /// Find words in the open article.
    FindInArticle,
    FindNext,
    FindPrev,
    /// Open the command palette: actions, snippets, articles, customers, dispositions.
    OpenPalette,
    /// Insert a canned response (snippet) at the cursor; Tab stacks several.
    InsertSnippet,
    /// Step through a guided checklist for the current contact.
    Scripts,
    /// Show the active bulletins: policy updates and known incidents.
    Bulletins,
    /// Find a customer by name, email, phone, handle or order number.
    FindCustomer,
    /// Correct the shown customer's profile, flags, pinned note or identities.
    EditCustomer,
    /// Merge a duplicate record into the shown customer.
    MergeCustomer,
    /// Erase the shown customer for good (asks to type their name).
    ForgetCustomer,
    /// Change my status: available, break, lunch, training, meeting, offline…
    SetStatus,
    /// Read the thank-you messages kept as kudos.
    Kudos,
    /// Score the open contact against the QA scorecard.
    SelfReview,
    /// Switch the Notes pane between the notes and the email reply (Ctrl-S sends it).
    ToggleReply,
    /// Today's schedule: see, add and remove blocks.
    Schedule,
    /// Show the customer's whole history, or only the newest contacts.
    ToggleHistory,
    /// Mark the customer's soonest open promise kept, or follow-up done.
    MarkKept,
    /// Write a draft help-centre article from the selected resolved contact's notes.
    DraftArticle,
}

impl Action {
    /// A word or two for the status bar's key hints (the help overlay has the full text).
    pub fn short(self) -> &'static str {
        match self {
            Self::Quit => "quit",
            Self::FocusNext => "next pane",
            Self::ToggleHelp => "help",
            Self::SearchKb => "search",
            Self::AcceptNext => "accept next",
            Self::AcceptSelected => "accept",
            Self::OpenSelected => "open",
            Self::OpenPalette => "palette",
            Self::Back => "back",
            Self::SaveNote => "save note",
            Self::FindCustomer => "find",
            Self::EditCustomer => "edit",
            Self::SelectPassage => "select",
            Self::InsertPassage => "insert",
            Self::CopyPassage => "copy",
            Self::MoveDown => "next",
            Self::WrapUp => "wrap up",
            Self::ToggleHold => "hold",
            Self::LogContact => "log contact",
            _ => "",
        }
    }

    /// The name used in config files and the help overlay.
    pub fn name(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
    }
}
