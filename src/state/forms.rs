//! Modal forms over the workstation: log a contact, wrap up, edit a contact's details.
//! Each is a list of fields; Tab / Shift-Tab move between them, ←/→ change a choice, ↑/↓
//! pick from a list, typing edits the focused text field, Enter submits, Esc closes.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use crate::domain::contact_loop::Outcome;
use crate::domain::time::parse_due_in;
use crate::domain::{Channel, Contact, CustomerHit, Timestamp};
use crate::protocol::{ContactUpdate, CustomerChoice, Finish, NewLoggedContact, Request};

use super::overlay::Overlay;
use super::{Effect, State};

/// The configurable lists the forms offer.
#[derive(Debug, Clone, PartialEq)]
pub struct Lists {
    pub dispositions: Vec<String>,
    pub departments: Vec<String>,
    /// SLA wait targets in seconds for priorities 1..=4.
    pub sla_targets: [i64; 4],
    /// How dates like `12/08` are read (from the rep's locale).
    pub date_order: crate::domain::time::DateOrder,
}

impl Default for Lists {
    fn default() -> Self {
        let own = |items: &[&str]| items.iter().map(|s| (*s).to_string()).collect();
        Self {
            dispositions: own(&[
                "answered",
                "refund_issued",
                "replacement_sent",
                "return_label_sent",
                "order_updated",
                "account_fixed",
                "billing_adjusted",
                "callback_scheduled",
                "escalated",
                "transferred",
                "no_action_needed",
            ]),
            departments: own(&["billing", "returns", "shipping", "technical", "fraud", "account_management"]),
            sla_targets: [60, 300, 1800, 14_400],
            date_order: crate::domain::time::DateOrder::default(),
        }
    }
}

/// The open modal.
#[derive(Debug)]
pub enum Modal {
    LogContact(Box<LogForm>),
    WrapUp(Box<WrapUpForm>),
    Details(Box<DetailsForm>),
    Confirm(Box<Confirm>),
    FindCustomer(Box<super::customer_forms::FindForm>),
    EditCustomer(Box<super::customer_forms::CustomerForm>),
    Snippet(Box<SnippetForm>),
    /// Closing a contact whose reply was written but never sent: send, keep or discard.
    UnsentReply(Box<super::prompts::UnsentReply>),
    /// A paste bigger than a draft can keep: paste its first part, or nothing.
    BigPaste(Box<super::prompts::BigPaste>),
    /// The rep's name, asked once before the first reply.
    RepName(Box<super::prompts::RepNameForm>),
}

/// Creating or editing a snippet: a title and a multi-line body with placeholders.
#[derive(Debug)]
pub struct SnippetForm {
    /// `None` creates a new snippet.
    pub id: Option<crate::domain::Id>,
    pub title: TextArea<'static>,
    pub body: TextArea<'static>,
    /// 0 = title, 1 = body.
    pub field: usize,
    pub error: Option<String>,
}

impl SnippetForm {
    /// A form for a snippet (or a new one with a suggested body).
    pub fn new(id: Option<crate::domain::Id>, title: &str, body: &str) -> Self {
        let mut body = super::notes::new_editor(body.lines().map(str::to_string).collect());
        body.move_cursor(ratatui_textarea::CursorMove::Bottom);
        Self { id, title: line_field(title), body, field: usize::from(!title.is_empty()), error: None }
    }
}

/// Keys in the snippet form: Tab switches field, Enter is a newline in the body, Ctrl-S
/// (or Enter on the title) saves, Esc closes.
fn snippet_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(Modal::Snippet(f)) = state.overlays.form_mut() else { return Vec::new() };
    let save = (key.code == KeyCode::Char('s') && key.modifiers.contains(KeyModifiers::CONTROL))
        || (key.code == KeyCode::Enter && f.field == 0);
    match key.code {
        _ if save => {
            let title = field_text(&f.title);
            let body = f.body.lines().join("\n").trim_end().to_string();
            if title.is_empty() || body.trim().is_empty() {
                f.error = Some("A snippet needs a title and a body".into());
                return Vec::new();
            }
            let id = f.id;
            state.overlays.close_form();
            return vec![Effect::Db(Request::SaveSnippet { id, title, body })];
        }
        KeyCode::Esc => state.overlays.close_form(),
        KeyCode::Tab | KeyCode::BackTab => f.field = 1 - f.field.min(1),
        _ if f.field == 0 => {
            f.title.input(key);
        }
        _ => {
            f.body.input(key);
        }
    }
    Vec::new()
}

/// A yes/no question before something consequential; with `require_text`, the rep types it
/// (a customer's name before erasing them) instead of pressing y.
#[derive(Debug)]
pub struct Confirm {
    pub message: String,
    pub require_text: Option<String>,
    pub input: TextArea<'static>,
    pub on_yes: Effect,
}

/// Asks the rep to confirm before sending `on_yes`.
pub fn confirm(state: &mut State, message: String, require_text: Option<String>, on_yes: Request) -> Vec<Effect> {
    confirm_effect(state, message, require_text, Effect::Db(on_yes))
}

/// Asks the rep to confirm before doing `on_yes` (a job, say); with `require_text`, the rep
/// types it to confirm.
pub fn confirm_effect(state: &mut State, message: String, require_text: Option<String>, on_yes: Effect) -> Vec<Effect> {
    state.overlays.open(Overlay::Form(Modal::Confirm(Box::new(Confirm {
        message,
        require_text,
        input: line_field(""),
        on_yes,
    }))));
    Vec::new()
}

/// Keys on a confirmation: y/Enter (or the typed text and Enter) confirms, n/Esc cancels;
/// on a yes/no question any other key declines it and then acts as usual.
fn confirm_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(Modal::Confirm(c)) = state.overlays.form_mut() else { return Vec::new() };
    let confirmed = match (&c.require_text, key.code) {
        (_, KeyCode::Esc) | (None, KeyCode::Char('n' | 'N')) => {
            state.overlays.close_form();
            return Vec::new();
        }
        (None, KeyCode::Char('y' | 'Y') | KeyCode::Enter) => true,
        (Some(expected), KeyCode::Enter) => {
            let typed = field_text(&c.input);
            if typed.trim().to_lowercase() != expected.trim().to_lowercase() {
                state.flash("That does not match; nothing was done", super::Tone::Error);
                state.overlays.close_form();
                return Vec::new();
            }
            true
        }
        (Some(_), _) => {
            c.input.input(key);
            false
        }
        (None, _) => {
            // Not an answer: the rep is typing on, maybe unaware of the question (a breather
            // offer comes up a moment after a contact ends). Swallowing the keys lost them, and
            // a `y` further into a word ("says") answered yes; the question is declined
            // and the key does what it does without it.
            state.overlays.close_form();
            return super::handle_key(state, key);
        }
    };
    if !confirmed {
        return Vec::new();
    }
    let Some(Modal::Confirm(c)) = state.overlays.take_form() else { return Vec::new() };
    let mut effects = match &c.on_yes {
        Effect::Job(crate::protocol::Job::SendReply { .. }) => super::reply::sending(state),
        _ => Vec::new(),
    };
    effects.push(c.on_yes);
    effects
}

/// A one-line text field.
pub fn line_field(text: &str) -> TextArea<'static> {
    let mut t = TextArea::new(vec![text.to_string()]);
    t.move_cursor(ratatui_textarea::CursorMove::End);
    t
}

/// The text of a one-line field.
pub fn field_text(t: &TextArea<'_>) -> String {
    t.lines().join(" ").trim().to_string()
}

/// Customer lookup as the rep types: results arrive from the worker, newest query wins.
#[derive(Debug)]
pub struct CustomerPicker {
    pub input: TextArea<'static>,
    pub hits: Vec<CustomerHit>,
    /// Index into hits, or `hits.len()` for "new customer from what was typed".
    pub selected: usize,
    pending: Option<u64>,
}

impl Default for CustomerPicker {
    fn default() -> Self {
        Self { input: line_field(""), hits: Vec::new(), selected: 0, pending: None }
    }
}

impl CustomerPicker {
    /// The customer chosen: a hit, a new customer from the typed text, or none.
    pub fn choice(&self) -> CustomerChoice {
        let typed = field_text(&self.input);
        match self.hits.get(self.selected) {
            Some(hit) => CustomerChoice::Existing(hit.id),
            None if typed.is_empty() => CustomerChoice::None,
            None => CustomerChoice::New { key: typed },
        }
    }

    /// Handles a key for the picker (typing searches, ↑/↓ choose).
    pub fn key(&mut self, state_seq: u64, key: KeyEvent) -> Vec<Effect> {
        match key.code {
            KeyCode::Up => self.selected = self.selected.saturating_sub(1),
            KeyCode::Down => self.selected = (self.selected + 1).min(self.hits.len()),
            _ => {
                if self.input.input(key) {
                    return self.search(state_seq);
                }
            }
        }
        Vec::new()
    }

    fn search(&mut self, seq: u64) -> Vec<Effect> {
        self.selected = 0;
        let query = field_text(&self.input);
        if query.is_empty() {
            self.pending = None;
            self.hits.clear();
            return Vec::new();
        }
        self.pending = Some(seq);
        vec![Effect::Db(Request::SearchCustomers { seq, query })]
    }

    fn results(&mut self, seq: u64, hits: Vec<CustomerHit>) {
        if self.pending == Some(seq) {
            self.pending = None;
            self.hits = hits;
            self.selected = 0;
        }
    }

    /// Whether Enter on a form holding this picker must wait for the customers of what was
    /// typed. Sent at once, a name typed and Enter in one burst made a new customer beside
    /// the one the search was about to find.
    pub fn enter_waits(&self) -> bool {
        self.pending.is_some()
    }
}

/// The customer picker of the open form, if it has one.
fn picker_mut(state: &mut State) -> Option<&mut CustomerPicker> {
    match state.overlays.form_mut()? {
        Modal::LogContact(f) => Some(&mut f.customer),
        Modal::Details(f) => Some(&mut f.customer),
        Modal::FindCustomer(f) => Some(&mut f.picker),
        _ => None,
    }
}

/// Keys waited too long for the customers: Enter takes what is shown.
pub fn stop_waiting(state: &mut State) {
    if let Some(picker) = picker_mut(state) {
        picker.pending = None;
    }
}

/// "Log contact": a call or walk-in that just started.
#[derive(Debug)]
pub struct LogForm {
    pub field: usize,
    pub channel: usize,
    pub subject: TextArea<'static>,
    pub customer: CustomerPicker,
    pub error: Option<String>,
}

impl LogForm {
    /// The field names, in Tab order.
    pub const FIELDS: [&'static str; 3] = ["Channel", "Subject", "Customer"];
}

impl Default for LogForm {
    fn default() -> Self {
        Self { field: 1, channel: 0, subject: line_field(""), customer: CustomerPicker::default(), error: None }
    }
}

/// The wrap-up form: disposition, outcome, and what happens next.
#[derive(Debug)]
pub struct WrapUpForm {
    pub contact: crate::domain::Id,
    /// The contact's status before the wrap-up, to go back to on Esc.
    pub was: crate::domain::ContactStatus,
    pub field: usize,
    pub disposition_filter: TextArea<'static>,
    pub disposition: usize,
    pub outcome: OutcomeChoice,
    pub department: usize,
    pub reason: TextArea<'static>,
    pub follow_up: TextArea<'static>,
    pub promise: TextArea<'static>,
    pub promise_due: TextArea<'static>,
    /// Abusive or distressing: counts toward offering a breather.
    pub difficult: bool,
    /// A thank-you from the customer to keep as kudos.
    pub kudos: TextArea<'static>,
    pub error: Option<String>,
}

impl WrapUpForm {
    /// The field names, in Tab order.
    pub const FIELDS: [&'static str; 9] = [
        "Disposition",
        "Outcome",
        "Department",
        "Reason",
        "Follow-up due",
        "Promise",
        "Promise due",
        "Difficult",
        "Kudos",
    ];

    /// A fresh form for a contact.
    pub fn new(contact: &Contact, _lists: &Lists) -> Self {
        Self {
            contact: contact.id,
            was: contact.status,
            field: 0,
            disposition_filter: line_field(""),
            disposition: 0,
            outcome: OutcomeChoice::Resolve,
            department: 0,
            reason: line_field(""),
            follow_up: line_field(""),
            promise: line_field(""),
            promise_due: line_field(""),
            difficult: false,
            kudos: line_field(""),
            error: None,
        }
    }

    /// The dispositions matching the typed filter.
    pub fn matching<'l>(&self, lists: &'l Lists) -> Vec<&'l String> {
        let filter = field_text(&self.disposition_filter).to_lowercase().replace(' ', "_");
        lists.dispositions.iter().filter(|d| d.to_lowercase().contains(&filter)).collect()
    }

    /// Whether the department field applies (escalate or transfer).
    pub fn needs_department(&self) -> bool {
        self.outcome != OutcomeChoice::Resolve
    }
}

/// How the wrap-up ends the contact, before a department is picked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutcomeChoice {
    Resolve,
    Escalate,
    Transfer,
}

impl OutcomeChoice {
    /// Every choice, in the order ←/→ cycle them.
    pub const ALL: [OutcomeChoice; 3] = [Self::Resolve, Self::Escalate, Self::Transfer];

    /// The name shown in the form.
    pub fn label(self) -> &'static str {
        match self {
            Self::Resolve => "Resolve",
            Self::Escalate => "Escalate",
            Self::Transfer => "Transfer",
        }
    }

    /// The place of this choice in [`OutcomeChoice::ALL`].
    pub fn index(self) -> usize {
        Self::ALL.iter().position(|c| *c == self).unwrap_or(0)
    }
}

/// Contact details during the contact: priority, tags, customer link, CSAT.
#[derive(Debug)]
pub struct DetailsForm {
    pub contact: crate::domain::Id,
    pub field: usize,
    pub priority: u8,
    pub tags: TextArea<'static>,
    pub customer: CustomerPicker,
    /// 0 = no rating, else 1..=5.
    pub csat: u8,
}

impl DetailsForm {
    /// The field names, in Tab order.
    pub const FIELDS: [&'static str; 4] = ["Priority", "Tags", "Link customer", "CSAT"];

    /// A form filled with a contact's current details.
    pub fn new(contact: &Contact) -> Self {
        Self {
            contact: contact.id,
            field: 0,
            priority: contact.priority,
            // Ends in ", " so what the rep types is a tag of its own, not the end of the last
            // ("repeat_contact" + "freight" made "repeat_contactfreight").
            tags: line_field(&if contact.tags.is_empty() {
                String::new()
            } else {
                format!("{}, ", contact.tags.join(", "))
            }),
            customer: CustomerPicker::default(),
            csat: contact.csat.unwrap_or(0),
        }
    }
}

/// Opens the log-contact form (F3).
pub fn open_log_contact(state: &mut State) -> Vec<Effect> {
    state.overlays.open(Overlay::Form(Modal::LogContact(Box::default())));
    Vec::new()
}

/// Opens the details form for the current contact (F8).
pub fn open_details(state: &mut State) -> Vec<Effect> {
    match state.open.as_ref() {
        Some(d) => state.overlays.open(Overlay::Form(Modal::Details(Box::new(DetailsForm::new(&d.contact))))),
        None => state.flash("Open a contact first", super::Tone::Info),
    }
    Vec::new()
}

/// Customer search results arrived for whichever form is asking.
pub fn customer_hits(state: &mut State, seq: u64, hits: Vec<CustomerHit>) -> Vec<Effect> {
    if let Some(picker) = picker_mut(state) {
        picker.results(seq, hits);
    }
    Vec::new()
}

/// A key while a form is open.
pub fn key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let seq = state.next_seq();
    let now = state.now();
    match state.overlays.form() {
        Some(Modal::Confirm(_)) => return confirm_key(state, key),
        Some(Modal::FindCustomer(_)) => return super::customer_forms::find_key(state, key),
        Some(Modal::EditCustomer(_)) => return super::customer_forms::edit_key(state, key),
        Some(Modal::Snippet(_)) => return snippet_key(state, key),
        Some(Modal::UnsentReply(_)) => return super::prompts::unsent_reply_key(state, key),
        Some(Modal::BigPaste(_)) => return super::prompts::big_paste_key(state, key),
        Some(Modal::RepName(_)) => return super::prompts::rep_name_key(state, key),
        _ => {}
    }
    let Some(modal) = state.overlays.form_mut() else { return Vec::new() };
    let shift_tab =
        key.code == KeyCode::BackTab || (key.code == KeyCode::Tab && key.modifiers.contains(KeyModifiers::SHIFT));
    match key.code {
        KeyCode::Esc => {
            let wrap_up = match modal {
                Modal::WrapUp(f) => Some((f.contact, f.was)),
                _ => None,
            };
            state.overlays.close_form();
            return match wrap_up {
                Some((contact, was)) => super::contact::cancel_wrap_up(state, contact, was),
                None => Vec::new(),
            };
        }
        KeyCode::Enter => {
            if picker_mut(state).is_some_and(|p| p.enter_waits()) {
                super::wait_for_answer(state, super::Waiting::Key(key));
                return Vec::new();
            }
            return submit(state, now);
        }
        _ if shift_tab => move_field(modal, -1),
        KeyCode::Tab => move_field(modal, 1),
        _ => return field_key(modal, &state.lists, seq, key),
    }
    Vec::new()
}

fn move_field(modal: &mut Modal, by: isize) {
    let (field, count) = match modal {
        Modal::LogContact(f) => (&mut f.field, LogForm::FIELDS.len()),
        Modal::WrapUp(f) => (&mut f.field, WrapUpForm::FIELDS.len()),
        Modal::Details(f) => (&mut f.field, DetailsForm::FIELDS.len()),
        Modal::Confirm(_)
        | Modal::FindCustomer(_)
        | Modal::EditCustomer(_)
        | Modal::Snippet(_)
        | Modal::UnsentReply(_)
        | Modal::BigPaste(_)
        | Modal::RepName(_) => return,
    };
    let n = isize::try_from(count).unwrap_or(1).max(1);
    let current = isize::try_from(*field).unwrap_or(0);
    *field = usize::try_from((current + by).rem_euclid(n)).unwrap_or(0);
}

/// ←/→ step through a choice of `len` items.
fn cycle(value: usize, len: usize, key: &KeyEvent) -> usize {
    match key.code {
        KeyCode::Left => (value + len - 1) % len.max(1),
        KeyCode::Right | KeyCode::Char(' ') => (value + 1) % len.max(1),
        _ => value,
    }
}

fn field_key(modal: &mut Modal, lists: &Lists, seq: u64, key: KeyEvent) -> Vec<Effect> {
    match modal {
        Modal::Confirm(_)
        | Modal::FindCustomer(_)
        | Modal::EditCustomer(_)
        | Modal::Snippet(_)
        | Modal::UnsentReply(_)
        | Modal::BigPaste(_)
        | Modal::RepName(_) => {}
        Modal::LogContact(f) => {
            f.error = None;
            match f.field {
                0 => f.channel = cycle(f.channel, Channel::ALL.len(), &key),
                1 => {
                    f.subject.input(key);
                }
                _ => return f.customer.key(seq, key),
            }
        }
        Modal::WrapUp(f) => {
            f.error = None;
            match f.field {
                0 => match key.code {
                    KeyCode::Up => f.disposition = f.disposition.saturating_sub(1),
                    KeyCode::Down => f.disposition = (f.disposition + 1).min(f.matching(lists).len().saturating_sub(1)),
                    _ => {
                        if f.disposition_filter.input(key) {
                            f.disposition = 0;
                        }
                    }
                },
                1 => f.outcome = OutcomeChoice::ALL[cycle(f.outcome.index(), OutcomeChoice::ALL.len(), &key)],
                2 => f.department = cycle(f.department, lists.departments.len(), &key),
                3 => {
                    f.reason.input(key);
                }
                4 => {
                    f.follow_up.input(key);
                }
                5 => {
                    f.promise.input(key);
                }
                6 => {
                    f.promise_due.input(key);
                }
                7 => {
                    if matches!(key.code, KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right) {
                        f.difficult = !f.difficult;
                    }
                }
                _ => {
                    f.kudos.input(key);
                }
            }
        }
        Modal::Details(f) => match f.field {
            0 => f.priority = u8::try_from(cycle(usize::from(f.priority.saturating_sub(1)), 4, &key) + 1).unwrap_or(3),
            1 => {
                f.tags.input(key);
            }
            2 => return f.customer.key(seq, key),
            _ => f.csat = u8::try_from(cycle(usize::from(f.csat), 6, &key)).unwrap_or(0),
        },
    }
    Vec::new()
}

/// Enter: check the form and send it, or show what is missing.
fn submit(state: &mut State, now: Timestamp) -> Vec<Effect> {
    let Some(modal) = state.overlays.take_form() else { return Vec::new() };
    match build_request(modal, &state.lists, now) {
        Ok(Effect::Db(Request::Finish(mut f))) => {
            f.by = Some(state.rep_name.clone());
            let finish = Effect::Db(Request::Finish(f));
            // What the rep typed during the contact is filed as a note before it closes.
            let mut effects =
                if state.notes.text().trim().is_empty() { Vec::new() } else { super::notes::save_note(state) };
            let contact = match &finish {
                Effect::Db(Request::Finish(f)) => f.id,
                _ => return effects,
            };
            // A reply written and never sent is not closed over in silence.
            if let Some(body) = super::prompts::unsent_reply(state, contact) {
                effects.extend(super::reply::flush(state));
                let preview = body.lines().next().unwrap_or("").chars().take(60).collect();
                let ask = super::prompts::UnsentReply { contact, preview, body, finish };
                state.overlays.open(Overlay::Form(Modal::UnsentReply(Box::new(ask))));
                return effects;
            }
            effects.push(finish);
            effects
        }
        Ok(effect) => vec![effect],
        Err(modal) => {
            state.overlays.open(Overlay::Form(modal));
            Vec::new()
        }
    }
}

/// Turns a filled form into its request; a form with a problem comes back with an error.
fn build_request(modal: Modal, lists: &Lists, now: Timestamp) -> Result<Effect, Modal> {
    match modal {
        Modal::Confirm(c) => Ok(c.on_yes),
        other @ (Modal::FindCustomer(_)
        | Modal::EditCustomer(_)
        | Modal::Snippet(_)
        | Modal::UnsentReply(_)
        | Modal::BigPaste(_)
        | Modal::RepName(_)) => Err(other),
        Modal::LogContact(mut f) => {
            let subject = field_text(&f.subject);
            if subject.is_empty() {
                f.error = Some("Subject: say in a few words what the contact is about".into());
                f.field = 1;
                return Err(Modal::LogContact(f));
            }
            let channel = Channel::ALL[f.channel % Channel::ALL.len()];
            Ok(Effect::Db(Request::LogContact(NewLoggedContact { channel, subject, customer: f.customer.choice() })))
        }
        Modal::WrapUp(mut f) => {
            let fail = |mut f: Box<WrapUpForm>, field: usize, msg: &str| {
                f.error = Some(msg.to_string());
                f.field = field;
                Err(Modal::WrapUp(f))
            };
            let Some(disposition) = f.matching(lists).get(f.disposition).map(|d| (*d).clone()) else {
                return fail(f, 0, "Disposition: pick one (type to filter, ↑/↓ to choose)");
            };
            let department = lists.departments.get(f.department).cloned();
            let outcome = match (f.outcome, department) {
                (OutcomeChoice::Resolve, _) => Outcome::Resolve,
                (_, None) => return fail(f, 2, "Department: none configured"),
                (OutcomeChoice::Escalate, Some(d)) => Outcome::Escalate(d),
                (OutcomeChoice::Transfer, Some(d)) => Outcome::Transfer(d),
            };
            // The department picks it up from the reason, as the command line insists too.
            if !matches!(outcome, Outcome::Resolve) && field_text(&f.reason).is_empty() {
                return fail(f, 3, "Reason: say why, for the department that picks it up");
            }
            let follow_text = field_text(&f.follow_up);
            let follow_up = if follow_text.is_empty() {
                None
            } else {
                match parse_due_in(&follow_text, now, lists.date_order) {
                    Some(due) => Some((due, field_text(&f.reason))),
                    None => return fail(f, 4, "Follow-up due: try tomorrow, next fri, +3d, 12/08 or 2026-12-08"),
                }
            };
            let promise_text = field_text(&f.promise);
            let promise = if promise_text.is_empty() {
                None
            } else {
                match parse_due_in(&field_text(&f.promise_due), now, lists.date_order) {
                    Some(due) => Some((promise_text, due)),
                    None => return fail(f, 6, "Promise due: when was it promised for? (fri, +2d, 2026-11-25)"),
                }
            };
            f.error = None;
            let reason = Some(field_text(&f.reason)).filter(|r| !r.is_empty());
            Ok(Effect::Db(Request::Finish(Finish {
                id: f.contact,
                outcome,
                disposition,
                reason,
                follow_up,
                promise,
                force: false,
                difficult: f.difficult,
                kudos: Some(field_text(&f.kudos)).filter(|k| !k.is_empty()),
                by: None,
            })))
        }
        Modal::Details(f) => {
            let tags =
                field_text(&f.tags).split([',', ';']).map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect();
            Ok(Effect::Db(Request::UpdateContact(ContactUpdate {
                id: f.contact,
                priority: Some(f.priority),
                tags: Some(tags),
                customer: f.customer.choice(),
                csat: Some((f.csat > 0).then_some(f.csat)),
            })))
        }
    }
}
