//! Working on a customer record from the Customer pane: find a customer (`s`), edit the
//! profile, flags, pinned note and identities (`e`), merge a duplicate into this record
//! (`m`), and erase a person who asked to be forgotten (`X`, typing their name to confirm).

use crossterm::event::{KeyCode, KeyEvent};
use ratatui_textarea::TextArea;

use crate::domain::{Customer, CustomerRecord, Id};
use crate::protocol::{CustomerEdit, CustomerFlags, Job, Keepable, ProfileValues, Request};

use super::forms::{CustomerPicker, Modal, field_text, line_field};
use super::overlay::Overlay;
use super::{Effect, State, Tone};

/// What a customer search is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindPurpose {
    /// Show the customer's record.
    Browse,
    /// Merge the chosen customer into `keep`.
    MergeInto { keep: Id },
}

/// A customer search form.
#[derive(Debug)]
pub struct FindForm {
    pub purpose: FindPurpose,
    pub picker: CustomerPicker,
}

/// The profile editor.
#[derive(Debug)]
pub struct CustomerForm {
    pub id: Id,
    pub field: usize,
    pub texts: [TextArea<'static>; 6],
    pub flags: [bool; 3],
    pub identity: TextArea<'static>,
}

impl CustomerForm {
    /// Text fields, in order, then the flags, then "add identity".
    pub const TEXT_FIELDS: [&'static str; 6] = ["Name", "Company", "Tier", "Language", "Time zone", "Pinned note"];
    pub const FLAGS: [&'static str; 3] = ["VIP", "Fraud watch", "Do not contact"];
    pub const FIELD_COUNT: usize = 10;

    /// A form filled from a customer.
    pub fn new(c: &Customer) -> Self {
        let text = |v: &Option<String>| line_field(v.as_deref().unwrap_or(""));
        Self {
            id: c.id,
            field: 0,
            texts: [
                line_field(&c.name),
                text(&c.company),
                text(&c.tier),
                text(&c.language),
                text(&c.timezone),
                text(&c.pinned_note),
            ],
            flags: [c.vip, c.fraud_watch, c.do_not_contact],
            identity: line_field(""),
        }
    }
}

impl CustomerForm {
    /// What the form says, as named values (the form keeps them in Tab order).
    fn edit(&self) -> CustomerEdit {
        let [name, company, tier, language, timezone, pinned_note] = self.texts.each_ref().map(field_text);
        let [vip, fraud_watch, do_not_contact] = self.flags;
        CustomerEdit {
            id: self.id,
            profile: ProfileValues { name, company, tier, language, timezone, pinned_note },
            flags: CustomerFlags { vip, fraud_watch, do_not_contact },
            add_identity: Some(field_text(&self.identity)).filter(|i| !i.is_empty()),
        }
    }
}

/// The customer the pane shows (a looked-up one, or the open contact's).
pub fn shown_record(state: &State) -> Option<&CustomerRecord> {
    state.customer.browsing.as_ref().or_else(|| state.open.as_ref().and_then(|d| d.customer.as_ref()))
}

/// `s`: find a customer by name, email, phone, handle or order number.
pub fn find(state: &mut State) -> Vec<Effect> {
    state.overlays.open(Overlay::Form(Modal::FindCustomer(Box::new(FindForm {
        purpose: FindPurpose::Browse,
        picker: CustomerPicker::default(),
    }))));
    Vec::new()
}

/// `e`: edit the shown customer.
pub fn edit(state: &mut State) -> Vec<Effect> {
    match shown_record(state).map(|r| CustomerForm::new(&r.customer)) {
        Some(form) => state.overlays.open(Overlay::Form(Modal::EditCustomer(Box::new(form)))),
        None => state.flash("No customer shown: open a contact or find one (s)", Tone::Info),
    }
    Vec::new()
}

/// `m`: pick a duplicate to merge into the shown customer.
pub fn merge(state: &mut State) -> Vec<Effect> {
    match shown_record(state).map(|r| r.customer.id) {
        Some(keep) => {
            let form = FindForm { purpose: FindPurpose::MergeInto { keep }, picker: CustomerPicker::default() };
            state.overlays.open(Overlay::Form(Modal::FindCustomer(Box::new(form))));
        }
        None => state.flash("No customer shown to merge into", Tone::Info),
    }
    Vec::new()
}

/// `X`: erase the shown customer, after the rep types their name.
pub fn forget(state: &mut State) -> Vec<Effect> {
    let Some(c) = shown_record(state).map(|r| r.customer.clone()) else {
        state.flash("No customer shown", Tone::Info);
        return Vec::new();
    };
    let message = format!(
        "Erase {} for good? Their identities, orders, billing, notes and drafts are deleted and their contacts' \
         text is blanked; numbers in reports still count the contacts. This cannot be undone.",
        c.name
    );
    super::forms::confirm_effect(state, message, Some(c.name.clone()), Effect::Job(Job::ForgetCustomer { id: c.id }))
}

/// Keys in the find form: type, ↑/↓, Enter chooses, Esc closes.
pub fn find_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let seq = state.next_seq();
    let Some(Modal::FindCustomer(form)) = state.overlays.form_mut() else { return Vec::new() };
    match key.code {
        KeyCode::Esc => state.overlays.close_form(),
        KeyCode::Enter if form.picker.enter_waits() => super::wait_for_answer(state, super::Waiting::Key(key)),
        KeyCode::Enter => {
            let chosen = form.picker.hits.get(form.picker.selected).map(|h| (h.id, h.name.clone()));
            let purpose = form.purpose;
            let Some((id, name)) = chosen else {
                state.flash("Pick a customer from the list (↑/↓)", Tone::Info);
                return Vec::new();
            };
            state.overlays.close_form();
            return match purpose {
                FindPurpose::Browse => super::customer::browse(state, id),
                FindPurpose::MergeInto { keep } if keep == id => {
                    state.flash("That is the same customer", Tone::Info);
                    Vec::new()
                }
                FindPurpose::MergeInto { keep } => {
                    let into = shown_record(state).map_or_else(String::new, |r| r.customer.name.clone());
                    let message = format!(
                        "Merge {name} into {into}? Identities, contacts, notes, orders, billing and follow-ups move \
                         to {into}, and {name}'s record is removed."
                    );
                    super::forms::confirm(state, message, None, Request::MergeCustomers { keep, absorb: id })
                }
            };
        }
        _ => return form.picker.key(seq, key),
    }
    Vec::new()
}

/// Keys in the profile editor: Tab moves, typing edits, Space toggles a flag, Enter saves.
pub fn edit_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(Modal::EditCustomer(form)) = state.overlays.form_mut() else { return Vec::new() };
    let count = CustomerForm::FIELD_COUNT;
    match key.code {
        KeyCode::Esc => state.overlays.close_form(),
        KeyCode::Tab | KeyCode::Down => form.field = (form.field + 1) % count,
        KeyCode::BackTab | KeyCode::Up => form.field = (form.field + count - 1) % count,
        KeyCode::Enter => {
            let edit = form.edit();
            state.overlays.close_form();
            return vec![Effect::Db(Request::EditCustomer(edit))];
        }
        _ => match form.field {
            i @ 0..=5 => {
                form.texts[i].input(key);
            }
            i @ 6..=8 => {
                if matches!(key.code, KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right) {
                    form.flags[i - 6] = !form.flags[i - 6];
                }
            }
            _ => {
                form.identity.input(key);
            }
        },
    }
    Vec::new()
}

/// A customer's record changed: refresh every copy shown.
pub fn changed(state: &mut State, record: CustomerRecord, message: Option<String>) -> Vec<Effect> {
    let id = record.customer.id;
    if let Some(m) = message {
        state.flash(m, Tone::Info);
    }
    if state.customer.browsing.as_ref().is_some_and(|r| r.customer.id == id) {
        state.customer.browsing = Some(record.clone());
    }
    let details = state.open.iter_mut().chain(state.work.parked.values_mut().map(|p| &mut p.detail));
    for d in details {
        if d.customer.as_ref().is_some_and(|c| c.customer.id == id) || d.contact.customer_id == Some(id) {
            d.customer = Some(record.clone());
        }
    }
    super::queue::load(state)
}

/// A customer was erased: nothing of theirs stays on screen.
pub fn forgotten(state: &mut State, id: Id, message: String) -> Vec<Effect> {
    state.flash(message, Tone::Info);
    if state.customer.browsing.as_ref().is_some_and(|r| r.customer.id == id) {
        state.customer.browsing = None;
    }
    if state.open.as_ref().is_some_and(|d| d.contact.customer_id == Some(id)) {
        state.open = None;
        state.notes = super::notes::NotesState::default();
    }
    state.work.parked.retain(|_, p| p.detail.contact.customer_id != Some(id));
    let parked = &state.work.parked;
    let open = state.open.as_ref().map(|d| d.contact.id);
    state.work.strip.retain(|s| parked.contains_key(s) || Some(*s) == open);
    super::queue::load(state)
}

/// `K` on the record: the soonest open promise kept, or follow-up done (whichever is due
/// first), once the rep says yes (it has no undo); the palette lists each one to pick another.
pub fn mark_soonest_kept(state: &mut State) -> Vec<Effect> {
    let Some(record) = shown_record(state) else {
        state.flash("No customer on screen", Tone::Info);
        return Vec::new();
    };
    let customer = record.customer.id;
    let first_line = |text: &str| crate::domain::text::for_display(text.lines().next().unwrap_or_default());
    let promises = record.open_promises.iter().map(|p| {
        (p.due_at.unwrap_or(i64::MAX), Keepable::Promise(p.id), format!("the promise “{}” kept", first_line(&p.body)))
    });
    let follow_ups = record
        .follow_ups
        .iter()
        .map(|f| (f.due_at, Keepable::FollowUp(f.id), format!("the follow-up “{}” done", first_line(&f.note))));
    let Some((_, item, what)) = promises.chain(follow_ups).min_by_key(|(due, ..)| *due) else {
        state.flash("No open promise or follow-up on this record", Tone::Info);
        return Vec::new();
    };
    super::forms::confirm(state, format!("Mark {what}?"), None, Request::MarkKept { customer, item })
}
