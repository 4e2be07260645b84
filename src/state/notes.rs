//! The Notes pane: a multi-line editor for the open contact, autosaved as a draft while the
//! rep types, and saved as a timestamped note with Ctrl-S.

use crossterm::event::KeyEvent;
use ratatui_textarea::{CursorMove, DataCursor, TextArea, WrapMode};

use crate::domain::text::{Masked, mask_card_numbers};
use crate::domain::{Id, Note};
use std::collections::BTreeMap;

use crate::protocol::{DraftKind, Request};

use super::{Effect, State, Tone};

/// A draft is written once typing pauses this long…
const AUTOSAVE_IDLE_MS: i64 = 300;
/// …or, during continuous typing, at least this often, so a crash loses under a second.
const AUTOSAVE_MAX_DELAY_MS: i64 = 700;

/// When a draft is due to be written — shared by the notes and the reply editors: once
/// typing pauses, or during continuous typing at least every [`AUTOSAVE_MAX_DELAY_MS`].
#[derive(Debug, Default, Clone, Copy)]
pub struct Pacing {
    last_edit_ms: i64,
    unsaved_since_ms: Option<i64>,
}

impl Pacing {
    /// Something was typed at `now_ms`.
    pub fn edited(&mut self, now_ms: i64) {
        self.last_edit_ms = now_ms;
        self.unsaved_since_ms.get_or_insert(now_ms);
    }

    /// Whether the unsaved text should be written now.
    pub fn due(&self, now_ms: i64) -> bool {
        self.unsaved_since_ms.is_some_and(|since| {
            now_ms - self.last_edit_ms >= AUTOSAVE_IDLE_MS || now_ms - since >= AUTOSAVE_MAX_DELAY_MS
        })
    }

    /// The text was handed to the database.
    pub fn written(&mut self) {
        self.unsaved_since_ms = None;
    }
}

/// The notes editor and its save bookkeeping.
#[derive(Debug)]
pub struct NotesState {
    pub editor: TextArea<'static>,
    /// The contact the editor writes about.
    pub contact: Option<Id>,
    /// The editor holds text not yet written as a draft.
    pub dirty: bool,
    /// A draft write is on its way to the database.
    pub saving: bool,
    pacing: Pacing,
}

impl Default for NotesState {
    fn default() -> Self {
        Self { editor: new_editor(Vec::new()), contact: None, dirty: false, saving: false, pacing: Pacing::default() }
    }
}

impl NotesState {
    /// The editor's text.
    pub fn text(&self) -> String {
        self.editor.lines().join("\n")
    }
}

/// An editor that wraps long lines at word boundaries, as a notes field should.
pub fn new_editor(lines: Vec<String>) -> TextArea<'static> {
    let mut editor = TextArea::new(lines);
    editor.set_wrap_mode(WrapMode::WordOrGlyph);
    editor.set_max_histories(500);
    editor
}

/// Puts a contact's draft into the editor.
pub fn load_for(state: &mut State, contact: Id, draft: &str) {
    load_into(&mut state.notes, contact, draft);
}

/// Loads a contact's stored draft, keeping anything already typed into the editor for that
/// contact (keys typed while the contact was still loading) after it.
pub fn load_with_typed(state: &mut State, contact: Id, draft: &str) {
    let typed = if state.notes.contact == Some(contact) { state.notes.text() } else { String::new() };
    let has_typed = !typed.is_empty();
    let combined = match (draft.trim().is_empty(), typed.is_empty()) {
        (_, true) => draft.to_string(),
        (true, false) => typed,
        (false, false) => format!("{draft}\n{typed}"),
    };
    load_for(state, contact, &combined);
    if has_typed {
        state.notes.dirty = true;
        state.notes.pacing.edited(state.now_ms);
    }
}

/// Fills an editor with a contact's draft, cursor at the end.
pub fn load_into(notes: &mut NotesState, contact: Id, draft: &str) {
    // A draft written by another tool (or an older version) is shown only as clean text.
    let clean = crate::domain::text::sanitize(draft);
    let mut editor = new_editor(clean.lines().map(str::to_string).collect());
    editor.move_cursor(CursorMove::Bottom);
    editor.move_cursor(CursorMove::End);
    *notes = NotesState { editor, contact: Some(contact), ..NotesState::default() };
}

/// Whether a key types a character (a letter, digit, space or sign, Shift at most).
pub fn is_text_key(key: &KeyEvent) -> bool {
    use crossterm::event::{KeyCode, KeyModifiers};
    matches!(key.code, KeyCode::Char(_)) && !key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
}

/// A key typed into the editor (or the email reply, while writing one).
pub fn type_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    if state.writing_reply {
        return super::reply::type_key(state, key);
    }
    if state.notes.contact.is_none() {
        state.flash("Open a contact from the Queue (Enter) to write notes", Tone::Info);
        return Vec::new();
    }
    if state.notes.editor.input(key) { edited(state) } else { Vec::new() }
}

/// Puts text from the knowledge base (a passage, a link, a filled snippet) into the notes
/// editor at its cursor, on a line of its own.
pub fn insert_into_editor(state: &mut State, text: &str) -> Vec<Effect> {
    if state.writing_reply {
        return super::reply::insert(state, text);
    }
    if state.notes.contact.is_none() {
        state.flash("Open a contact first: the text goes into its notes", Tone::Info);
        return Vec::new();
    }
    insert_at_cursor(&mut state.notes.editor, text);
    state.flash("Inserted into the notes (Tab to Notes to edit)", Tone::Info);
    edited(state)
}

/// Inserts text on a line of its own at an editor's cursor.
pub fn insert_at_cursor(editor: &mut TextArea<'static>, text: &str) {
    let DataCursor(row, col) = editor.cursor();
    let lines = editor.lines();
    let needs_newline = lines.get(row).is_some_and(|l| col > 0 && !l.trim().is_empty());
    // Text right above (a note, or the last inserted passage) gets a blank line between.
    let after_text =
        if needs_newline { true } else { row > 0 && lines.get(row - 1).is_some_and(|l| !l.trim().is_empty()) };
    let mut insert = String::new();
    if needs_newline {
        insert.push('\n');
    }
    if after_text {
        insert.push('\n');
    }
    insert.push_str(&crate::domain::text::sanitize(text));
    insert.push('\n');
    editor.insert_str(insert);
}

/// Pasted text goes in at the cursor, newlines and all.
pub fn paste(state: &mut State, text: &str) -> Vec<Effect> {
    if state.notes.contact.is_none() && !state.writing_reply {
        return Vec::new();
    }
    // More than a draft can keep: ask before putting it in (a 10 MB paste by mistake would
    // otherwise sit in the editor, and only its first megabyte could ever be saved).
    if text.len() > PASTE_CAP {
        let ask = super::prompts::BigPaste { text: text.to_string() };
        state.overlays.open(super::overlay::Overlay::Form(super::forms::Modal::BigPaste(Box::new(ask))));
        return Vec::new();
    }
    paste_now(state, text)
}

/// The most a paste puts in without asking: what one draft can store.
pub const PASTE_CAP: usize = crate::domain::text::MAX_STORED_TEXT_BYTES;

/// Puts pasted text in at the cursor of the editor in use.
pub fn paste_now(state: &mut State, text: &str) -> Vec<Effect> {
    if state.writing_reply {
        return super::reply::paste(state, text);
    }
    let clean = crate::domain::text::sanitize(text);
    if state.notes.editor.insert_str(clean) { edited(state) } else { Vec::new() }
}

pub(super) fn edited(state: &mut State) -> Vec<Effect> {
    let n = &mut state.notes;
    n.dirty = true;
    n.pacing.edited(state.now_ms);
    autosave_if_due(state)
}

/// Writes the draft when typing pauses, or at the latest [`AUTOSAVE_MAX_DELAY_MS`] after
/// the first unsaved keystroke.
pub fn autosave_if_due(state: &mut State) -> Vec<Effect> {
    let mut effects =
        if state.notes.dirty && state.notes.pacing.due(state.now_ms) { flush_draft(state) } else { Vec::new() };
    effects.extend(super::reply::autosave_if_due(state));
    effects
}

/// Writes the editor's text as the contact's draft now, if it has unsaved changes.
pub fn flush_draft(state: &mut State) -> Vec<Effect> {
    let mut effects = super::reply::flush(state);
    let Some(contact) = state.notes.contact else { return effects };
    if !state.notes.dirty {
        return effects;
    }
    let body = masked_text(state);
    let n = &mut state.notes;
    n.dirty = false;
    n.saving = true;
    n.pacing.written();
    effects.push(Effect::Db(Request::SaveDraft { contact, body }));
    effects
}

/// Saves the editor's text as a note (Ctrl-S) and empties the editor.
pub fn save_note(state: &mut State) -> Vec<Effect> {
    if state.writing_reply {
        return super::reply::ask_to_send(state);
    }
    let Some(contact) = state.notes.contact else {
        state.flash("Open a contact from the Queue (Enter) to write notes", Tone::Info);
        return Vec::new();
    };
    let body = masked_text(state);
    if body.trim().is_empty() {
        state.flash("Nothing to save: type a note first", Tone::Info);
        return Vec::new();
    }
    state.notes = NotesState { contact: Some(contact), saving: true, ..NotesState::default() };
    vec![Effect::Db(Request::SaveNote { contact, body: body.trim_end().to_string() })]
}

/// The editor's text with card numbers masked; if anything was masked the editor shows the
/// masked text too, and the rep is told.
fn masked_text(state: &mut State) -> String {
    let Masked { text, cards, codes } = mask_card_numbers(&state.notes.text());
    if cards + codes > 0 {
        let DataCursor(row, col) = state.notes.editor.cursor();
        let mut editor = new_editor(text.split('\n').map(str::to_string).collect());
        editor.move_cursor(CursorMove::Jump(
            u16::try_from(row).unwrap_or(u16::MAX),
            u16::try_from(col).unwrap_or(u16::MAX),
        ));
        state.notes.editor = editor;
        state.flash("Card number masked: Frontline never stores full card numbers or security codes", Tone::Info);
    }
    text
}

/// Text whose save failed (full disk, read-only file, I/O error), by contact and editor,
/// kept until a later save of it succeeds; quitting offers to write it to a recovery file.
#[derive(Debug, Default)]
pub struct Unsaved {
    texts: BTreeMap<(Id, DraftKind), UnsavedText>,
}

/// One text that could not be saved, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsavedText {
    pub body: String,
    pub error: String,
}

impl Unsaved {
    /// Why the text of this contact's editor is not saved, if it is not.
    pub fn error_for(&self, contact: Id, kind: DraftKind) -> Option<&str> {
        self.texts.get(&(contact, kind)).map(|t| t.error.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    /// The first error, to say why.
    pub fn first_error(&self) -> Option<&str> {
        self.texts.values().next().map(|t| t.error.as_str())
    }

    /// Every unsaved text as one document for the recovery file.
    pub fn recovery_text(&self) -> String {
        let mut out = String::new();
        for ((contact, kind), text) in &self.texts {
            let what = match kind {
                DraftKind::Notes => "notes",
                DraftKind::Reply => "reply",
            };
            out.push_str(&format!("=== contact #{contact}, {what} (not saved: {}) ===\n", text.error));
            out.push_str(&text.body);
            out.push_str("\n\n");
        }
        out
    }

    pub fn keep(&mut self, contact: Id, kind: DraftKind, body: String, error: String) {
        self.texts.insert((contact, kind), UnsavedText { body, error });
    }

    fn saved(&mut self, contact: Id, kind: DraftKind) {
        self.texts.remove(&(contact, kind));
    }
}

/// A draft reached the database: it is no longer at risk.
pub fn draft_saved(state: &mut State, contact: Id, kind: DraftKind) -> Vec<Effect> {
    if kind == DraftKind::Notes && state.notes.contact == Some(contact) {
        state.notes.saving = false;
    }
    state.unsaved.saved(contact, kind);
    Vec::new()
}

/// A draft could not be written: keep its text, say so at once (the pane's title too), and
/// try again when typing next pauses.
pub fn draft_failed(state: &mut State, contact: Id, kind: DraftKind, body: String, error: &str) -> Vec<Effect> {
    state.unsaved.keep(contact, kind, body, error.to_string());
    state.flash(format!("NOT SAVED: {error}. Your text stays on screen; quitting offers a recovery file"), Tone::Error);
    if kind == DraftKind::Notes && state.notes.contact == Some(contact) {
        let now = state.now_ms;
        let n = &mut state.notes;
        n.saving = false;
        n.dirty = true;
        n.pacing.edited(now);
    }
    Vec::new()
}

/// The note could not be saved: put its text back in the editor, ahead of anything typed
/// since, so nothing is lost.
pub fn note_failed(state: &mut State, contact: Id, body: &str, error: &str) -> Vec<Effect> {
    state.flash(format!("Note not saved ({error}); its text is back in the editor"), Tone::Error);
    if state.notes.contact != Some(contact) {
        return Vec::new();
    }
    let typed_since = state.notes.text();
    let mut lines: Vec<String> = body.split('\n').map(str::to_string).collect();
    if !typed_since.is_empty() {
        lines.extend(typed_since.split('\n').map(str::to_string));
    }
    state.notes.editor = new_editor(lines);
    state.notes.saving = false;
    edited(state)
}

/// A note reached the database: list it under the editor.
pub fn note_saved(state: &mut State, note: Note) -> Vec<Effect> {
    if state.notes.contact == note.contact_id {
        state.notes.saving = false;
    }
    if let Some(open) = state.open.as_mut().filter(|d| Some(d.contact.id) == note.contact_id) {
        open.notes.push(note);
    }
    state.flash("Note saved", Tone::Info);
    Vec::new()
}
