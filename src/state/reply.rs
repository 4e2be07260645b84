//! Writing an email reply (F12 in the Notes pane for an email contact): its own editor,
//! autosaved like the notes, with snippets and knowledge-base passages inserted into it;
//! Ctrl-S asks, then sends it through the configured outbox or sendmail command.

use crossterm::event::KeyEvent;
use ratatui_textarea::TextArea;

use crate::domain::Id;
use crate::domain::placeholders;
use crate::domain::text::mask_card_numbers;
use crate::protocol::{Job, ReplyAddresses, Request};

use super::notes::{Pacing, insert_at_cursor, new_editor};
use super::{Effect, Pane, State, Tone};

/// The reply being written for one contact.
#[derive(Debug)]
pub struct ReplyState {
    pub contact: Id,
    pub editor: TextArea<'static>,
    /// Who it will reach and from where (`None` until the store says), or why it cannot go.
    pub recipients: Option<Result<ReplyAddresses, String>>,
    /// Text not yet written as the reply draft.
    pub dirty: bool,
    pacing: Pacing,
}

impl ReplyState {
    /// The reply's text.
    pub fn text(&self) -> String {
        self.editor.lines().join("\n")
    }
}

/// F12: switch the Notes pane between the notes and the email reply.
pub fn toggle(state: &mut State) -> Vec<Effect> {
    if state.writing_reply {
        state.writing_reply = false;
        return flush(state);
    }
    let Some(detail) = state.open.as_ref() else {
        state.flash("Open an email contact to reply", Tone::Info);
        return Vec::new();
    };
    let id = detail.contact.id;
    if state.reply.as_ref().is_none_or(|r| r.contact != id) {
        let draft = detail.reply_draft.clone().unwrap_or_default();
        let mut editor = new_editor(crate::domain::text::sanitize(&draft).lines().map(str::to_string).collect());
        editor.move_cursor(ratatui_textarea::CursorMove::Bottom);
        state.reply =
            Some(ReplyState { contact: id, editor, recipients: None, dirty: false, pacing: Pacing::default() });
    }
    state.writing_reply = true;
    state.focus = Pane::Notes;
    // Every channel has a way back; the store says which, and to whom, before anything is sent.
    vec![Effect::Db(Request::ReplyRecipients { contact: id })]
}

/// The store said who a reply will reach (or why it cannot be sent).
pub fn recipients_known(state: &mut State, contact: Id, recipients: Result<ReplyAddresses, String>) -> Vec<Effect> {
    if let Some(r) = state.reply.as_mut().filter(|r| r.contact == contact) {
        r.recipients = Some(recipients);
    }
    Vec::new()
}

/// Leaves reply mode when the contact on screen is no longer the reply's (call after the
/// change). The reply itself is kept, so F12 on that contact brings it back as it was.
pub fn contact_changed(state: &mut State) -> Vec<Effect> {
    let effects = flush(state);
    if state.reply.as_ref().is_some_and(|r| Some(r.contact) != state.open_contact_id()) {
        state.writing_reply = false;
    }
    effects
}

fn edited(state: &mut State) -> Vec<Effect> {
    let now = state.now_ms;
    if let Some(r) = state.reply.as_mut() {
        r.dirty = true;
        r.pacing.edited(now);
    }
    autosave_if_due(state)
}

/// A key typed into the reply.
pub fn type_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let changed = state.reply.as_mut().is_some_and(|r| r.editor.input(key));
    if changed { edited(state) } else { Vec::new() }
}

/// Pasted text goes into the reply.
pub fn paste(state: &mut State, text: &str) -> Vec<Effect> {
    let clean = crate::domain::text::sanitize(text);
    let changed = state.reply.as_mut().is_some_and(|r| r.editor.insert_str(clean));
    if changed { edited(state) } else { Vec::new() }
}

/// A snippet or a passage goes into the reply at its cursor.
pub fn insert(state: &mut State, text: &str) -> Vec<Effect> {
    let Some(r) = state.reply.as_mut() else { return Vec::new() };
    insert_at_cursor(&mut r.editor, text);
    state.flash("Inserted into the reply", Tone::Info);
    edited(state)
}

/// Writes the reply draft when it is due.
pub fn autosave_if_due(state: &mut State) -> Vec<Effect> {
    let now = state.now_ms;
    if state.reply.as_ref().is_some_and(|r| r.dirty && r.pacing.due(now)) { flush(state) } else { Vec::new() }
}

/// Writes the reply draft now if it has unsaved text.
pub fn flush(state: &mut State) -> Vec<Effect> {
    let Some(r) = state.reply.as_mut().filter(|r| r.dirty) else { return Vec::new() };
    r.dirty = false;
    r.pacing.written();
    let body = mask_card_numbers(&r.text()).text;
    vec![Effect::Db(Request::SaveReplyDraft { contact: r.contact, body })]
}

/// Ctrl-S while writing the reply: ask, then send.
pub fn ask_to_send(state: &mut State) -> Vec<Effect> {
    let Some(r) = state.reply.as_ref() else { return Vec::new() };
    let body = r.text();
    if body.trim().is_empty() {
        state.flash("The reply is empty", Tone::Info);
        return Vec::new();
    }
    if !state.rep_name_known {
        // Replies are signed: the rep's name is asked once, here. Asked when F12 opened the
        // reply, it took what the rep typed next, meant for the reply, as their name.
        let ask = super::prompts::RepNameForm { name: super::forms::line_field("") };
        state.overlays.open(super::overlay::Overlay::Form(super::forms::Modal::RepName(Box::new(ask))));
        return Vec::new();
    }
    let contact = r.contact;
    let question = match r.recipients.clone() {
        Some(Ok(to)) => format!("Send this reply to {} from {}?", to.to, to.from),
        Some(Err(why)) => {
            state.flash(format!("Cannot send: {why}"), Tone::Error);
            return Vec::new();
        }
        None => {
            // Asked again once they are known, with the keys typed after it (a `y` meant for
            // the question went into the reply, and the send was forgotten).
            state.flash("Checking who the reply goes to…", Tone::Info);
            super::wait_for_answer(state, super::Waiting::Action(crate::action::Action::SaveNote));
            return vec![Effect::Db(Request::ReplyRecipients { contact })];
        }
    };
    let send = Effect::Job(Job::SendReply { contact, body });
    super::forms::confirm_effect(state, question, None, send)
}

/// The rep gave their name at the first send: it takes the place of the `[rep.name?]` that
/// snippets inserted before left in the reply, and sending is asked as usual.
pub fn name_given(state: &mut State) -> Vec<Effect> {
    let marker = placeholders::unfilled(placeholders::REP_NAME);
    let name = state.rep_name.clone();
    let mut effects = Vec::new();
    if let Some(r) = state.reply.as_mut().filter(|r| r.text().contains(&marker)) {
        let text = r.text().replace(&marker, &name);
        r.editor = new_editor(text.split('\n').map(str::to_string).collect());
        r.editor.move_cursor(ratatui_textarea::CursorMove::Bottom);
        r.editor.move_cursor(ratatui_textarea::CursorMove::End);
        effects.extend(edited(state));
    }
    effects.extend(ask_to_send(state));
    effects
}

/// The rep confirmed sending: the reply leaves the editor while it goes out (it stays the
/// draft until it is recorded as sent, and comes back with F12 if sending fails).
pub fn sending(state: &mut State) -> Vec<Effect> {
    let effects = flush(state);
    state.writing_reply = false;
    state.flash("Sending the reply…", Tone::Info);
    effects
}

/// The reply went out: empty the editor and go back to the notes.
pub fn sent(state: &mut State, contact: Id) -> Vec<Effect> {
    if state.reply.as_ref().is_some_and(|r| r.contact == contact) {
        state.reply = None;
        state.writing_reply = false;
    }
    state.flash("Reply sent; it is on the contact's timeline", Tone::Info);
    Vec::new()
}

/// The reply did not go out: say so on the contact; its text stays as the draft.
pub fn failed(state: &mut State, contact: Id, error: &str) -> Vec<Effect> {
    state.flash(format!("Reply to contact #{contact} NOT sent: {error}. It is kept as a draft (F12)"), Tone::Error);
    Vec::new()
}
