//! Questions the workstation asks before it goes on: a reply written and never sent when
//! its contact closes, a paste bigger than a draft can keep, the rep's name before the first
//! reply goes out.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui_textarea::TextArea;

use super::forms::{Modal, field_text};
use super::{Effect, State};
use crate::protocol::Request;

/// Asking the rep's name (replies are signed with it; escalations carry it).
#[derive(Debug)]
pub struct RepNameForm {
    pub name: TextArea<'static>,
}

/// Keys on the name question: Enter keeps it and goes on to send the reply, Esc goes back
/// to it.
pub(super) fn rep_name_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(Modal::RepName(form)) = state.overlays.form_mut() else { return Vec::new() };
    match key.code {
        KeyCode::Esc => state.overlays.close_form(),
        KeyCode::Enter => {
            let name = field_text(&form.name);
            if name.is_empty() {
                return Vec::new();
            }
            state.overlays.close_form();
            state.rep_name.clone_from(&name);
            state.rep_name_known = true;
            let mut effects = vec![Effect::Db(Request::SaveRepName { name })];
            effects.extend(super::reply::name_given(state));
            return effects;
        }
        _ => {
            form.name.input(key);
        }
    }
    Vec::new()
}

/// The question asked before a paste beyond what a draft stores.
#[derive(Debug)]
pub struct BigPaste {
    pub text: String,
}

/// Keys on the big-paste question: y or Enter pastes the first part, anything else nothing.
pub(super) fn big_paste_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(Modal::BigPaste(p)) = state.overlays.take_form() else { return Vec::new() };
    match key.code {
        KeyCode::Char('y' | 'Y') | KeyCode::Enter => {
            let cut = crate::domain::text::cut_at_char_boundary(&p.text, super::notes::PASTE_CAP);
            super::notes::paste_now(state, cut)
        }
        _ => {
            state.flash("Nothing pasted", super::Tone::Info);
            Vec::new()
        }
    }
}

/// The question asked before a contact with an unsent reply is closed.
#[derive(Debug)]
pub struct UnsentReply {
    pub contact: crate::domain::Id,
    /// The reply's first line, to recognise it.
    pub preview: String,
    pub body: String,
    /// The wrap-up to carry out once the rep has answered.
    pub finish: Effect,
}

/// Keys on the unsent-reply question: s sends it, k keeps it as a draft, d discards it, then
/// the contact closes; Esc goes back to the contact.
pub(super) fn unsent_reply_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let send = match key.code {
        KeyCode::Char('s' | 'S') => Some(true),
        KeyCode::Char('k' | 'K') => None,
        KeyCode::Char('d' | 'D') => Some(false),
        KeyCode::Esc => {
            state.overlays.close_form();
            return Vec::new();
        }
        _ => return Vec::new(),
    };
    let Some(Modal::UnsentReply(u)) = state.overlays.take_form() else { return Vec::new() };
    let mut effects = Vec::new();
    match send {
        Some(true) => effects.push(Effect::Job(crate::protocol::Job::SendReply { contact: u.contact, body: u.body })),
        Some(false) => {
            if state.reply.as_ref().is_some_and(|r| r.contact == u.contact) {
                state.reply = None;
                state.writing_reply = false;
            }
            effects.push(Effect::Db(Request::SaveReplyDraft { contact: u.contact, body: String::new() }));
        }
        None => {}
    }
    effects.push(u.finish);
    effects
}

/// The reply written for `contact` and not sent: the open editor's text, else the stored draft.
pub(super) fn unsent_reply(state: &State, contact: crate::domain::Id) -> Option<String> {
    let typed = state.reply.as_ref().filter(|r| r.contact == contact).map(super::reply::ReplyState::text);
    let stored = || state.open.as_ref().filter(|d| d.contact.id == contact).and_then(|d| d.reply_draft.clone());
    typed.or_else(stored).filter(|t| !t.trim().is_empty())
}
