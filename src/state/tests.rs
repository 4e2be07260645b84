//! The rep's stories, told to `update()` without a terminal or a database.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::domain::{Channel, Contact, ContactStatus, KbHit, QueueRow};

const T0: i64 = 1_795_183_200_000;

pub(super) fn state() -> State {
    State::new("Test", Keymap::default(), T0)
}

pub(super) fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub(super) fn ctrl(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

pub(super) fn type_text(s: &mut State, text: &str) -> Vec<Effect> {
    text.chars().flat_map(|c| update(s, key(KeyCode::Char(c)))).collect()
}

pub(super) fn row(id: i64, subject: &str) -> QueueRow {
    QueueRow {
        id,
        channel: Channel::Email,
        customer_name: Some("Ana".into()),
        subject: subject.into(),
        priority: 3,
        created_at: 0,
        status: ContactStatus::Waiting,
        follow_up: None,
    }
}

pub(super) fn detail(id: i64, draft: Option<&str>) -> ContactDetail {
    ContactDetail {
        contact: Contact {
            id,
            customer_id: None,
            channel: Channel::Email,
            subject: "Tent pole snapped".into(),
            body: "It broke on the first night.".into(),
            status: ContactStatus::Waiting,
            priority: 3,
            tags: vec![],
            created_at: 0,
            accepted_at: None,
            ended_at: None,
            disposition: None,
            escalated_to: None,
            csat: None,
        },
        customer: None,
        notes: vec![],
        draft: draft.map(str::to_string),
        events: vec![],
        customer_hold_today: 0,
        messages: vec![],
        reply_draft: None,
    }
}

/// Loads a queue of three contacts, as the worker would answer the start request.
pub(super) fn with_queue() -> State {
    let mut s = state();
    let effects = s.start();
    let Some(Effect::Db(Request::Queue { seq, .. })) = effects.first().cloned() else {
        unreachable!("start asks for the queue first: {effects:?}")
    };
    let rows = vec![row(1, "first"), row(2, "second"), row(3, "third")];
    update(&mut s, Event::Db(Reply::Queue { seq, rows: Some(rows), waiting: 3, articles: 5, changed_elsewhere: true }));
    s
}

/// Opens contact 2 and delivers its detail.
pub(super) fn with_open_contact(draft: Option<&str>) -> State {
    let mut s = with_queue();
    update(&mut s, key(KeyCode::Down));
    let effects = update(&mut s, key(KeyCode::Enter));
    let seq = effects
        .iter()
        .find_map(|e| match e {
            Effect::Db(Request::OpenContact { seq, id: 2 }) => Some(*seq),
            _ => None,
        })
        .unwrap_or_default();
    update(&mut s, Event::Db(Reply::Contact { seq, detail: Some(Box::new(detail(2, draft))) }));
    s
}

/// Back in the queue from contact 2, Enter on the contact above: contact 1 is on its way.
/// Returns the request's sequence number, for its answer.
fn opening_contact_1(s: &mut State) -> u64 {
    s.focus = Pane::Queue;
    update(s, key(KeyCode::Up));
    let effects = update(s, key(KeyCode::Enter));
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Db(Request::OpenContact { seq, id: 1 }) => Some(*seq),
            _ => None,
        })
        .unwrap_or_else(|| unreachable!("Enter opens the selected contact: {effects:?}"))
}

/// `a F4` in one burst held the contact on screen before the accepted one arrived.
#[test]
fn a_key_pressed_with_an_accept_acts_on_the_accepted_contact() {
    let mut s = with_open_contact(None);
    let mut on_screen = detail(2, None);
    on_screen.contact.status = ContactStatus::Active;
    update(&mut s, Event::Db(Reply::ContactChanged { detail: Box::new(on_screen), focus: true }));
    s.focus = Pane::Queue;
    update(&mut s, key(KeyCode::Up));
    let effects = update(&mut s, key(KeyCode::Char('a')));
    assert!(effects.iter().any(contact::takes_contact), "{effects:?}");
    let effects = update(&mut s, key(KeyCode::F(4)));
    assert!(effects.is_empty(), "nothing held yet: {effects:?}");
    let mut accepted = detail(1, None);
    accepted.contact.status = ContactStatus::Active;
    let effects = update(&mut s, Event::Db(Reply::ContactChanged { detail: Box::new(accepted), focus: true }));
    assert_eq!(s.open_contact_id(), Some(1));
    let held: Vec<i64> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Db(Request::Step { id, step: crate::domain::contact_loop::Step::Hold }) => Some(*id),
            _ => None,
        })
        .collect();
    assert_eq!(held, [1], "{effects:?}");
}

#[test]
fn f9_pressed_while_the_contact_is_still_opening_loads_its_scripts_when_it_arrives() {
    let mut s = with_open_contact(None);
    let seq = opening_contact_1(&mut s);
    assert!(update(&mut s, key(KeyCode::F(9))).is_empty());
    assert!(s.flash.is_none(), "no “open a contact first”: {:?}", s.flash);
    let effects = update(&mut s, Event::Db(Reply::Contact { seq, detail: Some(Box::new(detail(1, None))) }));
    assert!(effects.contains(&Effect::Db(Request::LoadScripts { contact: 1 })), "{effects:?}");
    // Done once; keys now wait for the scripts, and go on once they are there.
    assert_eq!(s.waiting_keys, vec![Waiting::Answer]);
    let effects = update(&mut s, Event::Db(Reply::Scripts { contact: 1, scripts: vec![], ticks: vec![] }));
    assert!(s.waiting_keys.is_empty() && !effects.contains(&Effect::Db(Request::LoadScripts { contact: 1 })));
}

#[test]
fn f12_pressed_while_the_contact_is_still_opening_opens_its_reply_when_it_arrives() {
    let mut s = with_open_contact(None);
    s.rep_name_known = true;
    let seq = opening_contact_1(&mut s);
    let effects = update(&mut s, key(KeyCode::F(12)));
    assert!(!s.writing_reply && s.flash.is_none(), "not a reply to the contact open before: {effects:?}");
    let effects = update(&mut s, Event::Db(Reply::Contact { seq, detail: Some(Box::new(detail(1, None))) }));
    assert!(s.writing_reply);
    assert!(effects.contains(&Effect::Db(Request::ReplyRecipients { contact: 1 })), "{effects:?}");
}

#[test]
fn capital_d_on_a_resolved_contact_asks_for_a_draft_article_and_explains_on_any_other() {
    let mut s = with_queue();
    // Contact 1 is waiting: nothing to write up yet.
    assert!(update(&mut s, key(KeyCode::Char('D'))).is_empty());
    assert!(s.flash.as_ref().is_some_and(|f| f.text.contains("Select a resolved contact")), "{:?}", s.flash);
    let mut resolved = row(7, "Router reboots");
    resolved.status = ContactStatus::Resolved;
    s.queue.rows = vec![resolved];
    s.queue.selected = 0;
    let effects = update(&mut s, key(KeyCode::Char('D')));
    assert_eq!(effects, vec![Effect::Db(Request::DraftArticle { contact: 7 })]);
}

#[test]
fn the_queue_has_focus_with_its_first_contact_selected_at_start() {
    let s = with_queue();
    assert_eq!(s.focus, Pane::Queue);
    assert_eq!(s.queue.selected_row().map(|r| r.id), Some(1));
}

#[test]
fn tab_and_shift_tab_cycle_the_panes_in_order() {
    let mut s = state();
    let mut seen = vec![];
    for _ in 0..4 {
        update(&mut s, key(KeyCode::Tab));
        seen.push(s.focus);
    }
    assert_eq!(seen, vec![Pane::Customer, Pane::Knowledge, Pane::Notes, Pane::Queue]);
    update(&mut s, key(KeyCode::BackTab));
    assert_eq!(s.focus, Pane::Notes);
}

#[test]
fn list_keys_move_and_stop_at_the_ends() {
    let mut s = with_queue();
    update(&mut s, key(KeyCode::Up));
    assert_eq!(s.queue.selected, 0);
    update(&mut s, key(KeyCode::Char('j')));
    assert_eq!(s.queue.selected, 1);
    update(&mut s, key(KeyCode::End));
    assert_eq!(s.queue.selected, 2);
    update(&mut s, key(KeyCode::PageDown));
    assert_eq!(s.queue.selected, 2);
    update(&mut s, key(KeyCode::Home));
    assert_eq!(s.queue.selected, 0);
}

#[test]
fn a_refreshed_queue_keeps_the_same_contact_selected() {
    let mut s = with_queue();
    update(&mut s, key(KeyCode::Down)); // contact 2
    let seq = tick_to_queue_check(&mut s);
    let rows = vec![row(9, "new and urgent"), row(1, "first"), row(2, "second")];
    update(&mut s, Event::Db(Reply::Queue { seq, rows: Some(rows), waiting: 3, articles: 5, changed_elsewhere: true }));
    assert_eq!(s.queue.selected_row().map(|r| r.id), Some(2));
}

/// Ticks a second on: the queue's "anything changed?" read is asked for; its number.
fn tick_to_queue_check(s: &mut State) -> u64 {
    s.now_ms += 1_500;
    let effects = update(s, Event::Tick);
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Db(Request::Queue { seq, only_if_changed: true, .. }) => Some(*seq),
            _ => None,
        })
        .unwrap_or_else(|| unreachable!("a tick after a second re-reads the queue: {effects:?}"))
}

/// Ticks a second on and answers the queue's "anything changed?" read with `rows`.
fn refresh_queue(s: &mut State, rows: Vec<QueueRow>) -> Vec<Effect> {
    let seq = tick_to_queue_check(s);
    update(s, Event::Db(Reply::Queue { seq, rows: Some(rows), waiting: 3, articles: 5, changed_elsewhere: true }))
}

fn inbound(id: i64, body: &str) -> crate::domain::message::StoredMessage {
    use crate::domain::message::{Direction, NewMessage, StoredMessage};
    let message = NewMessage {
        message_id: format!("m{id}@example.com"),
        in_reply_to: None,
        references: vec![],
        direction: Direction::Inbound,
        sent_at: 0,
        from_addr: "ana@example.com".into(),
        to_addr: "help@example.com".into(),
        subject: "Re: Tent pole snapped".into(),
        body: body.into(),
        source: String::new(),
    };
    StoredMessage { id, contact_id: 2, message }
}

/// Whether `effects` ask for suggestions from a text holding `words`.
fn suggests_from(effects: &[Effect], words: &str) -> bool {
    effects.iter().any(|e| matches!(e, Effect::Search(SearchRequest::Suggest { body, .. }) if body.contains(words)))
}

#[test]
fn another_programs_change_reads_the_open_contact_again_keeping_what_the_rep_typed() {
    let mut s = with_open_contact(Some("half a thought"));
    let effects = refresh_queue(&mut s, vec![row(1, "first"), row(2, "second")]);
    assert_eq!(effects, vec![Effect::Db(Request::RefreshContact { id: 2 }), Effect::Db(Request::LoadStrip)]);
    // The customer wrote again (a reply by mail or from the help desk).
    let mut fresh = detail(2, Some("half a thought"));
    fresh.messages = vec![inbound(1, "It broke on the first night."), inbound(2, "Also the zip is stuck.")];
    s.open.as_mut().unwrap_or_else(|| unreachable!()).messages = vec![inbound(1, "It broke on the first night.")];
    let effects = update(&mut s, Event::Db(Reply::ContactRefreshed { id: 2, detail: Some(Box::new(fresh)) }));
    assert_eq!(s.open.as_ref().map(|d| d.messages.len()), Some(2));
    assert_eq!((s.notes.text().as_str(), s.focus), ("half a thought", Pane::Notes));
    assert!(s.flash.as_ref().is_some_and(|f| f.text.contains("new message")), "{:?}", s.flash);
    assert!(suggests_from(&effects, "zip"), "suggestions follow the new message: {effects:?}");
    // Resolved from the command line meanwhile: said, and the contact leaves the strip.
    let mut resolved = detail(2, None);
    resolved.contact.status = ContactStatus::Resolved;
    s.open.as_mut().unwrap_or_else(|| unreachable!()).contact.status = ContactStatus::Active;
    s.work.strip.push(2);
    update(&mut s, Event::Db(Reply::ContactRefreshed { id: 2, detail: Some(Box::new(resolved)) }));
    assert!(s.flash.as_ref().is_some_and(|f| f.text == "#2 was resolved elsewhere"), "{:?}", s.flash);
    assert!(!s.work.strip.contains(&2));
}

#[test]
fn mail_taken_in_by_the_workstation_itself_reads_the_open_contact_again() {
    let mut s = with_open_contact(None);
    // The jobs worker read a Maildir: the queue is read in full, and says another
    // connection wrote since its last read.
    let effects = update(&mut s, Event::Db(Reply::IntakeDone { message: "1 email reply added".into() }));
    let Some(seq) = effects.iter().find_map(|e| match e {
        Effect::Db(Request::Queue { seq, only_if_changed: false, .. }) => Some(*seq),
        _ => None,
    }) else {
        unreachable!("{effects:?}")
    };
    let rows = vec![row(1, "first"), row(2, "second")];
    let reply = Reply::Queue { seq, rows: Some(rows), waiting: 2, articles: -1, changed_elsewhere: true };
    let read_again = vec![Effect::Db(Request::RefreshContact { id: 2 }), Effect::Db(Request::LoadStrip)];
    assert_eq!(update(&mut s, Event::Db(reply)), read_again);
    // Even an answer too late to show passes the word on: the worker says it once.
    let late = Reply::Queue { seq: seq + 100, rows: None, waiting: 0, articles: 0, changed_elsewhere: true };
    assert_eq!(update(&mut s, Event::Db(late)), read_again);
}

#[test]
fn a_contact_taken_elsewhere_joins_the_strip_and_one_there_keeps_its_editor() {
    let mut s = with_open_contact(None);
    let mut typed = notes::NotesState::default();
    notes::load_into(&mut typed, 5, "half typed");
    let mut parked = detail(5, None);
    parked.contact.status = ContactStatus::OnHold;
    s.work.parked.insert(5, contact::Parked { detail: parked.clone(), notes: typed, knowledge: Default::default() });
    s.work.strip = vec![2, 5];
    // `frontline contact accept 21` from another shell: the strip is read again.
    let mut taken = detail(21, None);
    taken.contact.status = ContactStatus::Active;
    update(&mut s, Event::Db(Reply::Strip { details: vec![parked, taken] }));
    assert_eq!(s.work.strip, vec![2, 5, 21]);
    assert_eq!(s.work.parked.get(&5).map(|p| p.notes.text()), Some("half typed".to_string()));
    assert!(s.work.parked.contains_key(&21) && s.open_contact_id() == Some(2));
}

/// `frontline contact resolve 31` left #31 "in progress" in the strip, its hold timer
/// running, and F6 brought back the stale copy.
#[test]
fn a_contact_in_progress_off_screen_is_read_again_and_leaves_the_strip_when_ended_elsewhere() {
    let mut s = with_open_contact(None);
    let mut parked = detail(5, None);
    parked.contact.status = ContactStatus::OnHold;
    s.work.parked.insert(
        5,
        contact::Parked { detail: parked, notes: notes::NotesState::default(), knowledge: Default::default() },
    );
    s.work.strip = vec![2, 5];
    let effects = refresh_queue(&mut s, vec![row(1, "first")]);
    assert_eq!(
        effects,
        vec![
            Effect::Db(Request::RefreshContact { id: 2 }),
            Effect::Db(Request::RefreshContact { id: 5 }),
            Effect::Db(Request::LoadStrip)
        ]
    );
    let mut resolved = detail(5, None);
    resolved.contact.status = ContactStatus::Resolved;
    update(&mut s, Event::Db(Reply::ContactRefreshed { id: 5, detail: Some(Box::new(resolved)) }));
    assert_eq!(s.work.strip, [2]);
    assert!(!s.work.parked.contains_key(&5));
    assert!(s.flash.as_ref().is_some_and(|f| f.text == "#5 was resolved elsewhere"), "{:?}", s.flash);
    assert_eq!(s.open_contact_id(), Some(2), "the contact on screen stays");
}

#[test]
fn a_reply_dated_before_the_last_message_is_still_news() {
    let mut s = with_open_contact(None);
    s.open.as_mut().unwrap_or_else(|| unreachable!()).messages = vec![inbound(5, "first"), inbound(6, "second")];
    let mut fresh = detail(2, None);
    // Its Date header is older: the thread sorts it first.
    fresh.messages = vec![inbound(7, "sent from the phone yesterday"), inbound(5, "first"), inbound(6, "second")];
    let effects = update(&mut s, Event::Db(Reply::ContactRefreshed { id: 2, detail: Some(Box::new(fresh)) }));
    assert!(suggests_from(&effects, "yesterday"), "{effects:?}");
}

#[test]
fn a_cleared_search_suggests_for_what_the_customer_said_last() {
    let mut s = with_open_contact(None);
    s.open.as_mut().unwrap_or_else(|| unreachable!()).messages =
        vec![inbound(5, "It broke on the first night."), inbound(6, "Now the zip is stuck too.")];
    update(&mut s, ctrl('f'));
    type_text(&mut s, "ref");
    let effects = update(&mut s, ctrl('u'));
    assert!(suggests_from(&effects, "zip"), "{effects:?}");
}

#[test]
fn an_open_contact_removed_by_another_program_leaves_the_screen() {
    let mut s = with_open_contact(Some("notes"));
    s.work.strip.push(2);
    update(&mut s, Event::Db(Reply::ContactRefreshed { id: 2, detail: None }));
    assert!(s.open.is_none() && !s.work.strip.contains(&2));
    assert_eq!(s.focus, Pane::Queue);
    assert!(s.flash.as_ref().is_some_and(|f| f.text.starts_with("#2 no longer exists")), "{:?}", s.flash);
}

#[test]
fn text_typed_after_f12_for_a_contact_still_opening_goes_into_its_reply_in_order() {
    let mut s = with_open_contact(None);
    s.rep_name_known = true;
    let seq = opening_contact_1(&mut s);
    type_text(&mut s, "Call ");
    update(&mut s, key(KeyCode::F(12)));
    type_text(&mut s, "Hi Ana,");
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, Event::Paste("it ships today".into()));
    update(&mut s, Event::Db(Reply::Contact { seq, detail: Some(Box::new(detail(1, None))) }));
    assert!(s.writing_reply && s.waiting_keys.is_empty());
    assert_eq!(s.reply.as_ref().map(reply::ReplyState::text).as_deref(), Some("Hi Ana,\nit ships today"));
    assert_eq!(s.notes.editor.lines().join("\n"), "Call ", "what came before F12 stays in the notes");
}

#[test]
fn text_waiting_for_a_contact_that_cannot_be_read_is_said_not_lost() {
    let mut s = with_open_contact(None);
    let seq = opening_contact_1(&mut s);
    update(&mut s, key(KeyCode::F(12)));
    type_text(&mut s, "Hi Ana");
    update(&mut s, Event::Db(Reply::OpenFailed { seq, error: "disk I/O error".into() }));
    assert!(s.waiting_keys.is_empty());
    let flash = s.flash.as_ref().map(|f| f.text.as_str());
    assert_eq!(flash, Some("Opening the contact: disk I/O error. You typed: Hi Ana"));
}

#[test]
fn keys_for_a_contact_still_opening_are_dropped_when_the_rep_moves_on_or_it_cannot_be_read() {
    let mut s = with_open_contact(None);
    let seq = opening_contact_1(&mut s);
    update(&mut s, key(KeyCode::F(9)));
    assert_eq!(s.waiting_keys, vec![Waiting::Action(Action::Scripts)]);
    update(&mut s, Event::Db(Reply::OpenFailed { seq, error: "disk I/O error".into() }));
    assert!(s.waiting_keys.is_empty() && s.customer.pending.is_none());
    assert!(s.flash.as_ref().is_some_and(|f| f.text == "Opening the contact: disk I/O error"), "{:?}", s.flash);
    // F9 acts at once again (here: says no contact is open), instead of waiting for ever.
    update(&mut s, key(KeyCode::F(9)));
    assert!(s.waiting_keys.is_empty());

    // Enter, then F6 to a contact in progress: the one asked for does not take the screen later.
    let seq = opening_contact_1(&mut s);
    s.work.strip = vec![2];
    update(&mut s, key(KeyCode::F(6)));
    assert!(s.customer.pending.is_none());
    update(&mut s, Event::Db(Reply::Contact { seq, detail: Some(Box::new(detail(1, None))) }));
    assert_ne!(s.open_contact_id(), Some(1));
}

#[test]
fn a_queue_read_without_another_programs_change_asks_nothing_more() {
    let mut s = with_open_contact(None);
    let seq = tick_to_queue_check(&mut s);
    let effects =
        update(&mut s, Event::Db(Reply::Queue { seq, rows: None, waiting: 3, articles: 5, changed_elsewhere: false }));
    assert!(effects.is_empty(), "{effects:?}");
}

#[test]
fn enter_opens_the_contact_and_moves_focus_to_notes_with_its_draft() {
    let s = with_open_contact(Some("half a thought"));
    assert_eq!(s.focus, Pane::Notes);
    assert_eq!(s.open_contact_id(), Some(2));
    assert_eq!(s.notes.text(), "half a thought");
}

#[test]
fn a_stale_contact_reply_is_dropped() {
    let mut s = with_queue();
    let first = update(&mut s, key(KeyCode::Enter));
    s.focus = Pane::Queue;
    update(&mut s, key(KeyCode::Down));
    update(&mut s, key(KeyCode::Enter));
    let Some(Effect::Db(Request::OpenContact { seq: old, .. })) = first.last().cloned() else {
        unreachable!("enter opens a contact")
    };
    update(&mut s, Event::Db(Reply::Contact { seq: old, detail: Some(Box::new(detail(1, None))) }));
    assert_eq!(s.open, None, "the reply to the first Enter arrived after the second Enter");
}

#[test]
fn typing_a_note_is_autosaved_within_a_second() {
    let mut s = with_open_contact(None);
    let mut saved = Vec::new();
    for (i, c) in "Refund approved".chars().enumerate() {
        s.now_ms = T0 + 100 * i64::try_from(i).unwrap_or(0);
        saved.extend(update(&mut s, key(KeyCode::Char(c))));
    }
    let drafts: Vec<_> = saved.iter().filter(|e| matches!(e, Effect::Db(Request::SaveDraft { .. }))).collect();
    assert!(!drafts.is_empty(), "continuous typing for 1.5 s must write a draft at least once");
    // After a pause the rest is written too.
    s.now_ms += 400;
    let effects = update(&mut s, Event::Tick);
    assert_eq!(effects.first(), Some(&Effect::Db(Request::SaveDraft { contact: 2, body: "Refund approved".into() })));
    assert!(!s.notes.dirty);
}

#[test]
fn quitting_keeps_unsaved_text_as_a_draft_first() {
    let mut s = with_open_contact(None);
    type_text(&mut s, "call back");
    let effects = update(&mut s, ctrl('q'));
    assert_eq!(
        effects,
        vec![Effect::Db(Request::SaveDraft { contact: 2, body: "call back".into() }), Effect::Db(Request::QuitCheck)]
    );
    // Once the store confirms the saves, the workstation closes.
    assert_eq!(
        update(&mut s, Event::Db(Reply::QuitReady)),
        vec![
            // Adherence stops counting the rep as at work once the workstation closes.
            Effect::Db(Request::SetStatus { state: crate::domain::shift::RepState::Offline }),
            Effect::Quit
        ]
    );
}

/// A draft save failed as on a full disk.
pub(super) fn disk_full(s: &mut State) {
    let failed = Reply::DraftFailed {
        contact: 2,
        kind: crate::protocol::DraftKind::Notes,
        body: "call back".into(),
        error: "database or disk is full".into(),
    };
    update(s, Event::Db(failed));
}

#[test]
fn a_draft_that_cannot_be_saved_is_said_at_once_and_quitting_asks_instead_of_exiting() {
    let mut s = with_open_contact(None);
    type_text(&mut s, "call back");
    update(&mut s, ctrl('q'));
    disk_full(&mut s);
    assert_eq!(s.unsaved.error_for(2, crate::protocol::DraftKind::Notes), Some("database or disk is full"));
    assert!(s.flash.as_ref().is_some_and(|f| f.text.contains("NOT SAVED")));
    // The confirmation of the (failed) saves does not quit: it asks.
    assert!(update(&mut s, Event::Db(Reply::QuitReady)).is_empty());
    assert!(matches!(s.quit, quit::QuitPhase::Asking { .. }));
    // `w` writes the recovery file; once written, the workstation closes.
    let effects = update(&mut s, key(KeyCode::Char('w')));
    let [Effect::WriteRecovery(text)] = effects.as_slice() else { panic!("expected a recovery write: {effects:?}") };
    assert!(text.contains("contact #2") && text.contains("call back"), "{text}");
    let effects = update(&mut s, Event::RecoveryWritten(Ok("/tmp/r.txt".into())));
    assert_eq!(effects.last(), Some(&Effect::Quit));
    assert_eq!(s.quit, quit::QuitPhase::Done { lost: false, recovered: Some("/tmp/r.txt".into()) });
}

#[test]
fn staying_after_a_failed_save_keeps_working_and_quitting_without_the_text_says_it_was_lost() {
    let mut s = with_open_contact(None);
    type_text(&mut s, "call back");
    update(&mut s, ctrl('q'));
    disk_full(&mut s);
    update(&mut s, Event::Db(Reply::QuitReady));
    assert!(update(&mut s, key(KeyCode::Esc)).is_empty());
    assert_eq!(s.quit, quit::QuitPhase::Running);
    assert_eq!(s.notes.text(), "call back", "the text stays in the editor");
    update(&mut s, ctrl('q'));
    update(&mut s, Event::Db(Reply::QuitReady));
    let effects = update(&mut s, key(KeyCode::Char('d')));
    assert_eq!(effects.last(), Some(&Effect::Quit));
    assert!(matches!(s.quit, quit::QuitPhase::Done { lost: true, .. }));
}

#[test]
fn a_recovery_file_that_cannot_be_written_keeps_asking_with_the_reason() {
    let mut s = with_open_contact(None);
    type_text(&mut s, "call back");
    update(&mut s, ctrl('q'));
    disk_full(&mut s);
    update(&mut s, Event::Db(Reply::QuitReady));
    update(&mut s, key(KeyCode::Char('w')));
    assert!(update(&mut s, Event::RecoveryWritten(Err("no space".into()))).is_empty());
    assert_eq!(s.quit, quit::QuitPhase::Asking { error: Some("no space".into()) });
}

#[test]
fn a_store_that_does_not_confirm_within_two_seconds_counts_the_editor_as_unsaved() {
    let mut s = with_open_contact(None);
    type_text(&mut s, "call back");
    update(&mut s, ctrl('q'));
    s.now_ms += 1000;
    update(&mut s, Event::Tick);
    assert!(matches!(s.quit, quit::QuitPhase::Flushing { .. }), "still waiting after 1 s");
    s.now_ms += 1100;
    update(&mut s, Event::Tick);
    assert!(matches!(s.quit, quit::QuitPhase::Asking { .. }));
    assert!(s.unsaved.recovery_text().contains("call back"));
}

#[test]
fn a_draft_saved_after_a_failure_is_no_longer_at_risk() {
    let mut s = with_open_contact(None);
    type_text(&mut s, "call back");
    disk_full(&mut s);
    update(&mut s, Event::Db(Reply::DraftSaved { contact: 2, kind: crate::protocol::DraftKind::Notes }));
    assert!(s.unsaved.is_empty());
}

#[test]
fn a_hang_up_saves_the_draft_like_quit() {
    let mut s = with_open_contact(None);
    type_text(&mut s, "x");
    let effects = update(&mut s, Event::Shutdown);
    assert_eq!(effects.last(), Some(&Effect::Quit));
    assert!(effects.iter().any(|e| matches!(e, Effect::Db(Request::SaveDraft { .. }))));
}

#[test]
fn ctrl_s_saves_a_note_with_card_numbers_masked_and_empties_the_editor() {
    let mut s = with_open_contact(None);
    type_text(&mut s, "paid with 4111 1111 1111 1111");
    let effects = update(&mut s, ctrl('s'));
    assert_eq!(effects, vec![Effect::Db(Request::SaveNote { contact: 2, body: "paid with 411111******1111".into() })]);
    assert_eq!(s.notes.text(), "");
    assert!(s.flash.as_ref().is_some_and(|f| f.text.contains("masked")), "the rep is told");
}

#[test]
fn a_note_that_fails_to_save_comes_back_into_the_editor() {
    let mut s = with_open_contact(None);
    type_text(&mut s, "keep me");
    update(&mut s, ctrl('s'));
    type_text(&mut s, "later");
    update(&mut s, Event::Db(Reply::NoteFailed { contact: 2, body: "keep me".into(), error: "disk full".into() }));
    assert_eq!(s.notes.text(), "keep me\nlater");
    assert!(s.notes.dirty, "the restored text is written as a draft");
}

#[test]
fn question_mark_and_slash_type_into_notes_but_open_help_and_search_elsewhere() {
    let mut s = with_open_contact(None);
    type_text(&mut s, "why?/");
    assert_eq!(s.notes.text(), "why?/");
    assert_eq!(s.overlays.help(), None);
    s.focus = Pane::Queue;
    update(&mut s, key(KeyCode::Char('?')));
    assert_eq!(s.overlays.help(), Some(&0));
    update(&mut s, key(KeyCode::Esc));
    update(&mut s, key(KeyCode::Char('/')));
    assert_eq!(s.focus, Pane::Knowledge);
}

#[test]
fn ctrl_f_reaches_search_even_from_the_notes_editor() {
    let mut s = with_open_contact(None);
    update(&mut s, ctrl('f'));
    assert_eq!(s.focus, Pane::Knowledge);
}

/// The help centre's "Returns" article (`a.md`) with this id and body.
pub(super) fn article(id: i64, body: &str) -> crate::domain::Article {
    crate::domain::Article {
        id,
        source: "a.md".into(),
        title: "Returns".into(),
        description: String::new(),
        category: String::new(),
        tags: vec![],
        body: body.into(),
        url: None,
    }
}

pub(super) fn hit(id: i64) -> KbHit {
    KbHit { id, title: format!("Article {id}"), category: String::new(), snippet: String::new(), score: -1.0 }
}

#[test]
fn search_as_you_type_keeps_only_the_newest_results() {
    let mut s = state();
    update(&mut s, ctrl('f'));
    let seqs: Vec<u64> = type_text(&mut s, "ref")
        .into_iter()
        .filter_map(|e| match e {
            Effect::Search(SearchRequest::Search { seq, .. }) => Some(seq),
            _ => None,
        })
        .collect();
    assert_eq!(seqs.len(), 3, "one search per keystroke");
    update(&mut s, Event::Db(Reply::KbResults { seq: seqs[2], hits: vec![hit(3)], suggested: false }));
    update(&mut s, Event::Db(Reply::KbResults { seq: seqs[0], hits: vec![hit(1)], suggested: false }));
    assert_eq!(s.knowledge.hits, vec![hit(3)], "the late reply to “r” is ignored");
}

/// Types `text` and answers its last search with `hits`.
fn search_answered(s: &mut State, text: &str, hits: Vec<KbHit>) {
    let Some(Effect::Search(SearchRequest::Search { seq, .. })) = type_text(s, text).last().cloned() else {
        unreachable!("typing searches")
    };
    update(s, Event::Db(Reply::KbResults { seq, hits, suggested: false }));
}

#[test]
fn ctrl_u_clears_the_knowledge_search_as_it_clears_the_queue_filter() {
    let mut s = state();
    update(&mut s, ctrl('f'));
    search_answered(&mut s, "parcel never", vec![hit(1)]);
    update(&mut s, ctrl('u'));
    assert_eq!(s.knowledge.query(), "");
    assert!(s.knowledge.hits.is_empty() && s.knowledge.kept_for().is_none());
}

#[test]
fn typing_on_past_every_match_keeps_the_last_matches_until_something_matches_again() {
    let mut s = state();
    update(&mut s, ctrl('f'));
    search_answered(&mut s, "you too", vec![hit(1)]);
    assert_eq!((s.knowledge.hits.clone(), s.knowledge.kept_for()), (vec![hit(1)], None));
    // "you took" matches nothing: the list stays, saying which text it answers.
    search_answered(&mut s, "k", Vec::new());
    assert_eq!((s.knowledge.hits.clone(), s.knowledge.kept_for()), (vec![hit(1)], Some("you too")));
    search_answered(&mut s, " th", vec![hit(2)]);
    assert_eq!((s.knowledge.hits.clone(), s.knowledge.kept_for()), (vec![hit(2)], None));
    // Not typed on from what is shown (a word taken back and another typed): no match is no match.
    for _ in 0.."you took th".len() {
        update(&mut s, key(KeyCode::Backspace));
    }
    search_answered(&mut s, "zzz", Vec::new());
    assert!(s.knowledge.hits.is_empty() && s.knowledge.kept_for().is_none());
}

#[test]
fn opening_an_article_and_esc_returns_to_the_results() {
    let mut s = state();
    update(&mut s, ctrl('f'));
    let effects = type_text(&mut s, "x");
    let Some(Effect::Search(SearchRequest::Search { seq, .. })) = effects.last().cloned() else {
        unreachable!("typing searches")
    };
    update(&mut s, Event::Db(Reply::KbResults { seq, hits: vec![hit(7)], suggested: false }));
    let effects = update(&mut s, key(KeyCode::Enter));
    let Some(Effect::Db(Request::Article { seq, id: 7 })) = effects.last().cloned() else {
        unreachable!("enter opens the selected article: {effects:?}")
    };
    let article = article(7, "# Returns");
    update(&mut s, Event::Db(Reply::Article { seq, article: Some(article) }));
    assert!(s.knowledge.reading.is_some());
    update(&mut s, key(KeyCode::Esc));
    assert!(s.knowledge.reading.is_none());
    assert_eq!(s.knowledge.hits.len(), 1);
}

#[test]
fn enter_before_the_results_for_the_typed_text_opens_the_first_of_them() {
    let mut s = state();
    update(&mut s, ctrl('f'));
    search_answered(&mut s, "recall", vec![hit(1)]);
    // Typed on and Enter in one burst: the list on screen is still for “recall”.
    let Some(Effect::Search(SearchRequest::Search { seq, .. })) = type_text(&mut s, " jacket").last().cloned() else {
        unreachable!("typing searches")
    };
    assert!(update(&mut s, key(KeyCode::Enter)).is_empty(), "not the article of the earlier text");
    let effects = update(&mut s, Event::Db(Reply::KbResults { seq, hits: vec![hit(2), hit(3)], suggested: false }));
    assert!(matches!(effects.as_slice(), [Effect::Db(Request::Article { id: 2, .. })]), "{effects:?}");
}

#[test]
fn writing_after_inserting_from_the_reader_goes_into_the_notes() {
    let mut s = with_open_contact(None);
    s.focus = Pane::Knowledge;
    search_answered(&mut s, "x", vec![hit(7)]);
    let Some(Effect::Db(Request::Article { seq, .. })) = update(&mut s, key(KeyCode::Enter)).last().cloned() else {
        unreachable!("enter opens the article")
    };
    update(&mut s, Event::Db(Reply::Article { seq, article: Some(article(7, "Ships in 5-7 days.")) }));
    update(&mut s, key(KeyCode::Char('l')));
    assert_eq!(s.focus, Pane::Knowledge, "another passage or link may follow");
    type_text(&mut s, "Told him");
    assert_eq!(s.focus, Pane::Notes, "a letter the reader has no use for starts the rep's text");
    assert!(s.notes.text().ends_with("Told him"), "{:?}", s.notes.text());
    assert!(s.knowledge.reading.is_some(), "the reader stays open behind");
}

#[test]
fn opening_a_contact_suggests_articles_from_its_subject() {
    let mut s = with_queue();
    let effects = update(&mut s, key(KeyCode::Enter));
    let Some(Effect::Db(Request::OpenContact { seq, .. })) = effects.last().cloned() else { unreachable!() };
    let effects = update(&mut s, Event::Db(Reply::Contact { seq, detail: Some(Box::new(detail(1, None))) }));
    assert!(
        matches!(effects.as_slice(), [Effect::Search(SearchRequest::Suggest { subject, .. })] if subject == "Tent pole snapped"),
        "{effects:?}"
    );
}

#[test]
fn typing_in_notes_with_no_contact_open_explains_instead_of_losing_keys() {
    let mut s = with_queue();
    s.focus = Pane::Notes;
    let effects = type_text(&mut s, "a");
    assert!(effects.is_empty());
    assert!(s.flash.as_ref().is_some_and(|f| f.text.contains("Open a contact")));
}

#[test]
fn ctrl_u_empties_the_palette_box() {
    let mut s = with_queue();
    update(&mut s, ctrl('g'));
    type_text(&mut s, "double charges");
    update(&mut s, ctrl('u'));
    type_text(&mut s, "refund");
    assert_eq!(s.overlays.palette().map(|p| forms::field_text(&p.input)).as_deref(), Some("refund"));
}

#[test]
fn ctrl_g_opens_the_palette_and_esc_closes_it() {
    let mut s = with_queue();
    let effects = update(&mut s, ctrl('g'));
    assert!(s.overlays.palette().is_some(), "{effects:?}");
    assert!(effects.iter().any(|e| matches!(e, Effect::Db(Request::PaletteSearch { .. }))));
    type_text(&mut s, "numbers");
    let shown =
        s.overlays.palette().map(|p| p.shown.iter().map(|e| e.label.clone()).collect::<Vec<_>>()).unwrap_or_default();
    assert_eq!(shown.first().map(String::as_str), Some("my numbers: today and this week"), "{shown:?}");
    update(&mut s, key(KeyCode::Esc));
    assert!(s.overlays.palette().is_none());
}

fn mouse_at(kind: crossterm::event::MouseEventKind, column: u16, row: u16) -> Event {
    Event::Mouse(crossterm::event::MouseEvent { kind, column, row, modifiers: KeyModifiers::NONE })
}

/// A layout as the 80×24 screen draws it: queue rows start at row 1.
fn with_layout(mut s: State) -> State {
    use ratatui::layout::Rect;
    s.layout.panes = [
        (Pane::Queue, Rect::new(0, 0, 33, 11)),
        (Pane::Customer, Rect::new(33, 0, 47, 12)),
        (Pane::Knowledge, Rect::new(0, 11, 33, 12)),
        (Pane::Notes, Rect::new(33, 12, 47, 11)),
    ];
    s.layout.queue_rows = Rect::new(1, 1, 31, 9);
    s
}

#[test]
fn clicking_a_pane_focuses_it_and_clicking_a_row_twice_opens_it() {
    use crossterm::event::{MouseButton, MouseEventKind};
    let mut s = with_layout(with_queue());
    update(&mut s, mouse_at(MouseEventKind::Down(MouseButton::Left), 50, 15));
    assert_eq!(s.focus, Pane::Notes);
    update(&mut s, mouse_at(MouseEventKind::Down(MouseButton::Left), 5, 3));
    assert_eq!((s.focus, s.queue.selected), (Pane::Queue, 2), "third row selected");
    let effects = update(&mut s, mouse_at(MouseEventKind::Down(MouseButton::Left), 5, 3));
    assert!(effects.iter().any(|e| matches!(e, Effect::Db(Request::OpenContact { id: 3, .. }))), "{effects:?}");
}

#[test]
fn the_wheel_scrolls_the_pane_under_the_pointer_without_moving_focus() {
    use crossterm::event::MouseEventKind;
    let mut s = with_layout(with_queue());
    s.focus = Pane::Notes;
    update(&mut s, mouse_at(MouseEventKind::ScrollDown, 5, 3));
    assert_eq!((s.focus, s.queue.selected), (Pane::Notes, 1));
    update(&mut s, mouse_at(MouseEventKind::ScrollDown, 40, 3));
    assert_eq!(s.customer.scroll, 3);
}

/// Opens contact 2 as an active (accepted) contact.
pub(super) fn with_active_contact() -> State {
    let mut s = with_queue();
    let mut d = detail(2, None);
    d.contact.status = ContactStatus::Active;
    update(&mut s, Event::Db(Reply::ContactChanged { detail: Box::new(d), focus: true }));
    s
}

pub(super) fn finish_request(effects: &[Effect]) -> Option<crate::protocol::Finish> {
    effects.iter().find_map(|e| match e {
        Effect::Db(Request::Finish(f)) => Some(f.clone()),
        _ => None,
    })
}

#[test]
fn after_a_restart_the_contact_in_progress_is_on_screen_with_its_notes_focused() {
    let mut s = with_queue();
    let mut first = detail(4, Some("caller verified"));
    first.contact.status = ContactStatus::Active;
    let mut second = detail(5, None);
    second.contact.status = ContactStatus::OnHold;
    update(&mut s, Event::Db(Reply::Strip { details: vec![first, second] }));
    assert_eq!((s.open_contact_id(), s.focus), (Some(4), Pane::Notes));
    assert_eq!(s.work.strip, vec![4, 5]);
    type_text(&mut s, " twice");
    assert_eq!(s.notes.text(), "caller verified twice", "typing goes on in its notes");
}

#[test]
fn accepting_puts_the_contact_in_the_strip_and_on_screen() {
    let s = with_active_contact();
    assert_eq!(s.work.strip, vec![2]);
    assert_eq!(s.open_contact_id(), Some(2));
    assert_eq!(s.focus, Pane::Notes);
}

#[test]
fn wrap_up_ends_the_talk_then_the_form_sends_the_outcome() {
    use crate::domain::contact_loop::{Outcome, Step};
    let mut s = with_active_contact();
    let effects = update(&mut s, Event::Key(KeyEvent::new(KeyCode::F(5), KeyModifiers::NONE)));
    assert!(effects.contains(&Effect::Db(Request::Step { id: 2, step: Step::WrapUp })), "after-contact work starts");
    // Outcome: Escalate, to the second department, with a reason and a follow-up.
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, key(KeyCode::Right));
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, key(KeyCode::Right));
    update(&mut s, key(KeyCode::Tab));
    type_text(&mut s, "needs a refund over $500");
    update(&mut s, key(KeyCode::Tab));
    type_text(&mut s, "tomorrow");
    let effects = update(&mut s, key(KeyCode::Enter));
    let finish = finish_request(&effects).unwrap_or_else(|| unreachable!("the form sends: {effects:?}"));
    assert_eq!(finish.outcome, Outcome::Escalate("returns".into()));
    assert_eq!(finish.disposition, "answered", "the first disposition unless another is chosen");
    assert_eq!(finish.reason.as_deref(), Some("needs a refund over $500"));
    assert!(finish.follow_up.is_some_and(|(due, _)| due > s.now()));
    assert!(s.overlays.form().is_none());
}

#[test]
fn f5_right_after_a_wrap_up_is_sent_waits_for_the_contact_to_close() {
    let mut s = with_active_contact();
    update(&mut s, key(KeyCode::F(5)));
    let effects = update(&mut s, key(KeyCode::Enter));
    assert!(finish_request(&effects).is_some());
    // F5 again before the store answered: not a second wrap-up of the contact just closed.
    update(&mut s, key(KeyCode::F(5)));
    assert!(s.overlays.form().is_none(), "{:?}", s.overlays.form().is_some());
    let mut closed = detail(2, None);
    closed.contact.status = ContactStatus::Resolved;
    update(&mut s, Event::Db(Reply::ContactChanged { detail: Box::new(closed), focus: false }));
    assert!(s.waiting_keys.is_empty() && s.work.closing.is_none());
    assert!(
        !matches!(s.overlays.form(), Some(forms::Modal::WrapUp(f)) if f.contact == 2),
        "the F5 went to what is on screen now, not the closed contact"
    );
}

#[test]
fn an_escalation_without_a_reason_stays_open_and_asks_for_one() {
    let mut s = with_active_contact();
    update(&mut s, key(KeyCode::F(5)));
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, key(KeyCode::Right));
    assert!(finish_request(&update(&mut s, key(KeyCode::Enter))).is_none());
    assert!(
        matches!(s.overlays.form(), Some(forms::Modal::WrapUp(f)) if f.field == 3 && f.error.as_deref().is_some_and(|e| e.starts_with("Reason"))),
        "the cursor waits in Reason"
    );
    type_text(&mut s, "over the refund limit");
    assert!(finish_request(&update(&mut s, key(KeyCode::Enter))).is_some());
}

#[test]
fn a_wrap_up_with_a_bad_date_or_no_matching_disposition_stays_open_and_says_why() {
    let mut s = with_active_contact();
    update(&mut s, Event::Key(KeyEvent::new(KeyCode::F(5), KeyModifiers::NONE)));
    type_text(&mut s, "zzz");
    assert!(finish_request(&update(&mut s, key(KeyCode::Enter))).is_none());
    assert!(
        matches!(s.overlays.form(), Some(forms::Modal::WrapUp(f)) if f.error.as_deref().is_some_and(|e| e.starts_with("Disposition")))
    );
    for _ in 0..3 {
        update(&mut s, key(KeyCode::Backspace));
    }
    for _ in 0..4 {
        update(&mut s, key(KeyCode::Tab));
    }
    type_text(&mut s, "someday");
    assert!(finish_request(&update(&mut s, key(KeyCode::Enter))).is_none());
    assert!(
        matches!(s.overlays.form(), Some(forms::Modal::WrapUp(f)) if f.error.as_deref().is_some_and(|e| e.starts_with("Follow-up")))
    );
}

#[test]
fn typed_notes_are_filed_when_the_wrap_up_is_confirmed() {
    let mut s = with_active_contact();
    type_text(&mut s, "told her 5-10 days");
    update(&mut s, Event::Key(KeyEvent::new(KeyCode::F(5), KeyModifiers::NONE)));
    let effects = update(&mut s, key(KeyCode::Enter));
    let note = effects.iter().position(|e| matches!(e, Effect::Db(Request::SaveNote { .. })));
    let finish = effects.iter().position(|e| matches!(e, Effect::Db(Request::Finish(_))));
    assert!(note.is_some() && note < finish, "the note is saved before the contact closes: {effects:?}");
}

#[test]
fn f6_cycles_between_contacts_in_progress_keeping_each_editor() {
    let mut s = with_active_contact();
    type_text(&mut s, "first contact's notes");
    let mut other = detail(3, None);
    other.contact.status = ContactStatus::Active;
    update(&mut s, Event::Db(Reply::ContactChanged { detail: Box::new(other), focus: true }));
    assert_eq!((s.open_contact_id(), s.notes.text().as_str()), (Some(3), ""));
    update(&mut s, Event::Key(KeyEvent::new(KeyCode::F(6), KeyModifiers::NONE)));
    assert_eq!((s.open_contact_id(), s.notes.text().as_str()), (Some(2), "first contact's notes"));
    assert_eq!(s.work.strip, vec![2, 3]);
}

#[test]
fn keys_typed_before_the_contact_arrives_are_kept_after_its_draft() {
    let mut s = with_queue();
    let effects = update(&mut s, key(KeyCode::Enter));
    type_text(&mut s, "typed fast");
    let Some(Effect::Db(Request::OpenContact { seq, .. })) = effects.last().cloned() else { unreachable!() };
    update(&mut s, Event::Db(Reply::Contact { seq, detail: Some(Box::new(detail(1, Some("earlier draft")))) }));
    assert_eq!(s.notes.text(), "earlier draft\ntyped fast");
}

fn f2() -> Event {
    Event::Key(KeyEvent::new(KeyCode::F(2), KeyModifiers::NONE))
}

#[test]
fn a_greeting_typed_right_after_f2_goes_into_the_new_contacts_notes_not_the_queue() {
    let mut s = with_queue();
    assert_eq!(update(&mut s, f2()), vec![Effect::Db(Request::AcceptNext { filter: Default::default() })]);
    // Queue keys (`r` reopen, `c` channel filter, `/` search…) must not act on these.
    let effects = type_text(&mut s, "Hi, sorry");
    assert!(effects.is_empty(), "{effects:?}");
    assert!(update(&mut s, Event::Paste(" for the wait".into())).is_empty());
    update(&mut s, key(KeyCode::Backspace));
    assert_eq!((s.focus, s.overlays.form().is_some(), s.queue.editing_filter()), (Pane::Queue, false, false));
    let mut d = detail(3, Some("earlier draft"));
    d.contact.status = ContactStatus::Active;
    update(&mut s, Event::Db(Reply::ContactChanged { detail: Box::new(d), focus: true }));
    assert_eq!(s.focus, Pane::Notes);
    assert_eq!(s.notes.text(), "earlier draft\nHi, sorry for the wai");
    // Taken: typing is the editor's again.
    type_text(&mut s, "t");
    assert_eq!(s.notes.text(), "earlier draft\nHi, sorry for the wait");
}

#[test]
fn after_f2_a_search_typed_on_purpose_is_a_search() {
    let mut s = with_queue();
    update(&mut s, f2());
    update(&mut s, ctrl('f'));
    type_text(&mut s, "refund");
    assert_eq!(s.knowledge.input.lines().join(""), "refund");
    assert_eq!(s.work.taking.as_deref(), Some(""), "nothing kept for the notes");
}

#[test]
fn typing_after_a_refused_f2_stays_with_the_contact_on_screen_or_is_shown() {
    let mut s = with_open_contact(None);
    update(&mut s, f2());
    type_text(&mut s, "still here");
    // Another request's refusal (a hold sent before F2) is not the answer to the take.
    update(&mut s, Event::Db(Reply::Refused { message: "Only an active contact can be held".into() }));
    assert_eq!(s.work.taking.as_deref(), Some("still here"));
    update(&mut s, Event::Db(Reply::NotTaken { message: "No contact is waiting".into(), error: false }));
    assert_eq!(s.notes.text(), "still here", "the open contact's notes get it");
    assert_eq!(s.work.taking, None);

    let mut s = with_queue();
    update(&mut s, f2());
    type_text(&mut s, "hello");
    update(&mut s, Event::Db(Reply::NotTaken { message: "No contact is waiting".into(), error: false }));
    let flash = s.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default();
    assert!(flash.contains("No contact is waiting") && flash.contains("hello"), "{flash}");
}

#[test]
fn a_breather_offered_after_the_rep_moved_on_is_said_not_asked() {
    // Taken the next contact already: a prompt now would eat the greeting being typed.
    let mut s = with_queue();
    update(&mut s, f2());
    update(&mut s, Event::Db(Reply::BreatherDue { minutes: 5, difficult: true }));
    assert!(s.overlays.form().is_none());
    type_text(&mut s, "yes, hello");
    assert_eq!(s.work.taking.as_deref(), Some("yes, hello"), "no key went to a prompt");
    let flash = s.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default();
    assert!(flash.contains("breather"), "{flash}");
    // Between contacts it is asked.
    let mut s = with_queue();
    update(&mut s, Event::Db(Reply::BreatherDue { minutes: 5, difficult: true }));
    assert!(matches!(s.overlays.form(), Some(forms::Modal::Confirm(_))));
}

#[test]
fn a_key_that_does_not_answer_a_question_declines_it_and_acts() {
    // The breather question is open; the rep, not looking, takes the next contact and types.
    let mut s = with_queue();
    update(&mut s, Event::Db(Reply::BreatherDue { minutes: 5, difficult: true }));
    assert!(matches!(s.overlays.form(), Some(forms::Modal::Confirm(_))));
    let effects = update(&mut s, f2());
    assert!(s.overlays.form().is_none(), "declined");
    assert!(effects.contains(&Effect::Db(Request::AcceptNext { filter: Default::default() })), "{effects:?}");
    let effects = type_text(&mut s, "Customer says");
    assert!(!effects.contains(&Effect::Db(Request::StartBreather { minutes: 5 })), "the y in “says” answered nothing");
    assert_eq!(s.work.taking.as_deref(), Some("Customer says"), "every key kept for the contact");
}

#[test]
fn accepting_while_on_break_asks_first() {
    use crate::domain::shift::RepState;
    let mut s = with_queue();
    update(&mut s, Event::Db(Reply::Shift { status: Some((RepState::Break, 0)), current: None, next: None }));
    let effects = update(&mut s, f2());
    assert!(
        !effects.contains(&Effect::Db(Request::AcceptNext { filter: Default::default() })),
        "not taken straight away"
    );
    assert!(matches!(s.overlays.form(), Some(forms::Modal::Confirm(_))));
    let effects = update(&mut s, key(KeyCode::Char('y')));
    assert_eq!(effects, vec![Effect::Db(Request::AcceptNext { filter: Default::default() })]);
    // Available: no question.
    update(&mut s, Event::Db(Reply::Shift { status: Some((RepState::Available, 0)), current: None, next: None }));
    let effects = update(&mut s, f2());
    assert_eq!(effects, vec![Effect::Db(Request::AcceptNext { filter: Default::default() })]);
}

#[test]
fn a_breather_is_offered_never_forced_and_ends_by_itself() {
    let mut s = with_queue();
    update(&mut s, Event::Db(Reply::BreatherDue { minutes: 5, difficult: true }));
    assert!(matches!(s.overlays.form(), Some(forms::Modal::Confirm(c)) if c.message.contains("difficult")));
    // Dismissing it changes nothing.
    assert!(update(&mut s, key(KeyCode::Char('n'))).is_empty());
    update(&mut s, Event::Db(Reply::BreatherDue { minutes: 5, difficult: false }));
    assert_eq!(update(&mut s, key(KeyCode::Enter)), vec![Effect::Db(Request::StartBreather { minutes: 5 })]);
    update(&mut s, Event::Db(Reply::BreatherStarted { minutes: 5 }));
    s.now_ms += 5 * 60_000;
    let effects = update(&mut s, Event::Tick);
    assert!(effects.contains(&Effect::Db(Request::SetStatus { state: crate::domain::shift::RepState::Available })));
}

#[test]
fn the_status_picker_sets_the_chosen_state() {
    let mut s = with_queue();
    update(&mut s, ctrl('o'));
    assert_eq!(s.overlays.picker(), Some(&0));
    for _ in 0..3 {
        update(&mut s, key(KeyCode::Down));
    }
    let effects = update(&mut s, key(KeyCode::Enter));
    assert_eq!(effects, vec![Effect::Db(Request::SetStatus { state: crate::domain::shift::RepState::Break })]);
}

#[test]
fn going_on_break_with_a_contact_in_progress_asks_first() {
    let mut s = with_active_contact();
    update(&mut s, ctrl('o'));
    for _ in 0..3 {
        update(&mut s, key(KeyCode::Down));
    }
    let effects = update(&mut s, key(KeyCode::Enter));
    assert!(effects.is_empty(), "{effects:?}");
    assert!(matches!(s.overlays.form(), Some(forms::Modal::Confirm(c)) if c.message.contains("in progress")));
    let effects = update(&mut s, key(KeyCode::Char('y')));
    assert_eq!(effects, vec![Effect::Db(Request::SetStatus { state: crate::domain::shift::RepState::Break })]);
}
