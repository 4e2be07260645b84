//! The rep's day without traps, told to `update()`: filters that start empty, F2 in the
//! view on screen, wrap-up that can be taken back, unsent replies, per-contact knowledge,
//! script ticks undone, big pastes, the rep's name, and quitting with work in progress.

use std::collections::HashMap;

use crossterm::event::KeyCode;

use super::tests::*;
use super::*;
use crate::domain::ContactStatus;
use crate::protocol::ReplyAddresses;

// ------------------------------------------------------------------ the rep's day without traps

/// The queue's filter text.
fn filter_text(s: &State) -> &str {
    &s.queue.filter.text
}

#[test]
fn a_new_queue_filter_replaces_the_old_one_instead_of_appending() {
    let mut s = with_queue();
    update(&mut s, key(KeyCode::Char('f')));
    type_text(&mut s, "priya");
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(filter_text(&s), "priya");
    update(&mut s, key(KeyCode::Char('f')));
    type_text(&mut s, "hannah");
    assert_eq!(filter_text(&s), "hannah", "typing after f replaces the old filter");
}

#[test]
fn ctrl_u_empties_the_filter_and_esc_in_the_queue_clears_it() {
    let mut s = with_queue();
    update(&mut s, key(KeyCode::Char('f')));
    type_text(&mut s, "priya");
    update(&mut s, ctrl('u'));
    assert_eq!(filter_text(&s), "");
    type_text(&mut s, "dana");
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(filter_text(&s), "dana");
    let effects = update(&mut s, key(KeyCode::Esc));
    assert_eq!(filter_text(&s), "");
    assert!(effects.iter().any(|e| matches!(e, Effect::Db(Request::Queue { .. }))), "the whole queue is read again");
}

#[test]
fn f2_takes_the_next_contact_of_the_view_on_screen() {
    let mut s = with_queue();
    update(&mut s, key(KeyCode::Char('c')));
    let channel = s.queue.filter.channel;
    assert!(channel.is_some());
    let effects = update(&mut s, key(KeyCode::F(2)));
    let taken = effects.iter().find_map(|e| match e {
        Effect::Db(Request::AcceptNext { filter }) => Some(filter.clone()),
        _ => None,
    });
    assert_eq!(taken.map(|f| f.channel), Some(channel));
}

#[test]
fn esc_out_of_the_wrap_up_puts_the_contact_back_as_it_was() {
    use crate::domain::contact_loop::Step;
    let mut s = with_active_contact();
    update(&mut s, key(KeyCode::F(5)));
    let effects = update(&mut s, key(KeyCode::Esc));
    assert_eq!(effects, vec![Effect::Db(Request::Step { id: 2, step: Step::Resume })]);
    assert!(s.overlays.form().is_none());
}

#[test]
fn esc_out_of_a_wrap_up_started_on_hold_puts_the_customer_back_on_hold() {
    use crate::domain::contact_loop::Step;
    let mut s = with_queue();
    let mut d = detail(2, None);
    d.contact.status = ContactStatus::OnHold;
    update(&mut s, Event::Db(Reply::ContactChanged { detail: Box::new(d), focus: true }));
    update(&mut s, key(KeyCode::F(5)));
    let effects = update(&mut s, key(KeyCode::Esc));
    let steps: Vec<_> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Db(Request::Step { step, .. }) => Some(step.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(steps, vec![Step::Resume, Step::Hold]);
}

/// An article open in the reader, three lines long, the cursor on the second.
fn reading(s: &mut State) {
    let article = article(7, "Returns within 30 days.\n\nRefunds take five days.\n\nExchanges are free.");
    s.focus = Pane::Knowledge;
    s.knowledge.reading = Some(knowledge::Reader::new(article, &s.theme));
}

#[test]
fn a_find_in_the_article_opens_empty_and_a_miss_says_so_and_moves_nothing() {
    let mut s = state();
    reading(&mut s);
    update(&mut s, key(KeyCode::Char('/')));
    type_text(&mut s, "refunds");
    update(&mut s, key(KeyCode::Enter));
    let found_at = s.knowledge.reading.as_ref().map(|r| r.cursor);
    update(&mut s, key(KeyCode::Char('/')));
    let input = s.knowledge.reading.as_ref().and_then(|r| r.find_input.as_ref()).map(forms::field_text);
    assert_eq!(input.as_deref(), Some(""), "the find box opens empty");
    type_text(&mut s, "warranty");
    update(&mut s, key(KeyCode::Enter));
    let r = s.knowledge.reading.as_ref().unwrap_or_else(|| unreachable!("still reading"));
    assert_eq!(Some(r.cursor), found_at, "a miss leaves the cursor where it was");
    assert!(r.find.is_empty(), "and n has nothing stale to repeat");
    assert!(s.flash.as_ref().is_some_and(|f| f.text.contains("not found")));
}

#[test]
fn each_contact_keeps_its_own_knowledge_pane() {
    let mut s = with_active_contact();
    update(&mut s, ctrl('f'));
    type_text(&mut s, "refund");
    assert_eq!(s.knowledge.query(), "refund");
    // The next contact arrives: its own suggestions, not the last contact's search.
    let mut next = detail(3, None);
    next.contact.status = ContactStatus::Active;
    let effects = update(&mut s, Event::Db(Reply::ContactChanged { detail: Box::new(next), focus: true }));
    assert_eq!(s.knowledge.query(), "");
    assert!(effects.iter().any(|e| matches!(e, Effect::Search(SearchRequest::Suggest { .. }))));
    // Back to the first (F6): what it had open comes back.
    update(&mut s, key(KeyCode::F(6)));
    assert_eq!(s.open_contact_id(), Some(2));
    assert_eq!(s.knowledge.query(), "refund");
}

#[test]
fn resolving_a_contact_with_an_unsent_reply_asks_first() {
    let mut s = with_queue();
    let mut d = detail(2, None);
    d.contact.status = ContactStatus::Active;
    d.reply_draft = Some("Your refund is on its way".into());
    update(&mut s, Event::Db(Reply::ContactChanged { detail: Box::new(d), focus: true }));
    update(&mut s, key(KeyCode::F(5)));
    let effects = update(&mut s, key(KeyCode::Enter));
    assert!(finish_request(&effects).is_none(), "not closed yet: {effects:?}");
    assert!(matches!(s.overlays.form(), Some(forms::Modal::UnsentReply(_))));
    // Keep it as a draft: the contact closes and the reply stays.
    let effects = update(&mut s, key(KeyCode::Char('k')));
    assert!(finish_request(&effects).is_some());
    assert!(!effects.iter().any(|e| matches!(e, Effect::Db(Request::SaveReplyDraft { .. }) | Effect::Job(_))));
}

#[test]
fn an_unsent_reply_can_be_sent_or_discarded_on_the_way_out() {
    for (answer, sends, discards) in [('s', true, false), ('d', false, true)] {
        let mut s = with_queue();
        let mut d = detail(2, None);
        d.contact.status = ContactStatus::Active;
        d.reply_draft = Some("Your refund is on its way".into());
        update(&mut s, Event::Db(Reply::ContactChanged { detail: Box::new(d), focus: true }));
        update(&mut s, key(KeyCode::F(5)));
        update(&mut s, key(KeyCode::Enter));
        let effects = update(&mut s, key(KeyCode::Char(answer)));
        assert!(finish_request(&effects).is_some());
        assert_eq!(effects.iter().any(|e| matches!(e, Effect::Job(crate::protocol::Job::SendReply { .. }))), sends);
        let emptied =
            effects.iter().any(|e| matches!(e, Effect::Db(Request::SaveReplyDraft { body, .. }) if body.is_empty()));
        assert_eq!(emptied, discards);
    }
}

#[test]
fn an_inserted_passage_is_clean_text_that_names_its_article_and_stacks_with_a_blank_line() {
    let mut s = with_active_contact();
    reading(&mut s);
    // The cursor on "Refunds take five days." (the reader's third line).
    update(&mut s, key(KeyCode::Char('/')));
    type_text(&mut s, "refunds");
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, key(KeyCode::Char('i')));
    update(&mut s, key(KeyCode::Char('i')));
    let text = s.notes.text();
    assert!(!text.contains('│'), "{text}");
    let one = "Refunds take five days.\n— from: Returns";
    assert_eq!(text.trim_end(), format!("{one}\n\n{one}"), "{text:?}");
}

#[test]
fn quitting_with_contacts_in_progress_asks_first() {
    let mut s = with_active_contact();
    assert!(update(&mut s, ctrl('q')).is_empty(), "nothing saved or stopped yet");
    assert_eq!(s.quit, quit::QuitPhase::ConfirmWork);
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(s.quit, quit::QuitPhase::Running, "any other key stays");
    update(&mut s, ctrl('q'));
    let effects = update(&mut s, key(KeyCode::Char('y')));
    assert!(effects.contains(&Effect::Db(Request::QuitCheck)), "{effects:?}");
}

#[test]
fn a_paste_bigger_than_a_draft_can_keep_asks_first() {
    let mut s = with_open_contact(None);
    let huge = "x".repeat(notes::PASTE_CAP + 10);
    assert!(update(&mut s, Event::Paste(huge.clone())).is_empty());
    assert_eq!(s.notes.text(), "", "nothing pasted before the answer");
    assert!(matches!(s.overlays.form(), Some(forms::Modal::BigPaste(_))));
    update(&mut s, key(KeyCode::Char('n')));
    assert_eq!(s.notes.text(), "");
    update(&mut s, Event::Paste(huge));
    update(&mut s, key(KeyCode::Char('y')));
    assert_eq!(s.notes.text().len(), notes::PASTE_CAP, "its first part, up to what a draft keeps");
}

/// The sequence number of the last palette search among `effects`.
fn palette_search(effects: &[Effect]) -> u64 {
    effects
        .iter()
        .rev()
        .find_map(|e| match e {
            Effect::Db(Request::PaletteSearch { seq, .. }) => Some(*seq),
            _ => None,
        })
        .unwrap_or_else(|| unreachable!("typing in the palette searches: {effects:?}"))
}

#[test]
fn enter_typed_before_the_snippets_for_the_text_arrive_chooses_from_them() {
    use crate::domain::Snippet;
    let mut s = with_active_contact();
    let hits = |seq: u64, titles: &[&str]| {
        let snippets = titles
            .iter()
            .zip(1..)
            .map(|(t, id)| Snippet { id, title: (*t).into(), body: format!("{t} text") })
            .collect();
        Event::Db(Reply::PaletteHits { seq, snippets, articles: vec![], customers: vec![] })
    };
    let opened = update(&mut s, ctrl('t'));
    update(&mut s, hits(palette_search(&opened), &["Recall notice", "Greeting"]));
    // "greeting" and Enter in one burst: the search for it has not answered yet.
    let typed = type_text(&mut s, "greeting");
    update(&mut s, key(KeyCode::Enter));
    assert!(s.overlays.palette().is_some() && s.notes.text().is_empty(), "nothing chosen from the old list");
    update(&mut s, hits(palette_search(&typed), &["Greeting"]));
    assert!(s.overlays.palette().is_none());
    assert_eq!(s.notes.text(), "Greeting text\n");
}

#[test]
fn a_customer_typed_and_enter_in_one_burst_is_the_one_the_search_finds() {
    use crate::domain::CustomerHit;
    use crate::protocol::{CustomerChoice, NewLoggedContact};
    let mut s = with_queue();
    update(&mut s, key(KeyCode::F(3)));
    type_text(&mut s, "Freight follow-up call");
    update(&mut s, key(KeyCode::Tab));
    let typed = type_text(&mut s, "Priya Raman");
    let Some(Effect::Db(Request::SearchCustomers { seq, .. })) = typed.last().cloned() else {
        unreachable!("typing a customer searches: {typed:?}")
    };
    assert!(update(&mut s, key(KeyCode::Enter)).is_empty(), "no new customer before the search answers");
    let found = vec![CustomerHit { id: 12, name: "Priya Raman".into(), detail: "priya@example.com".into() }];
    let effects = update(&mut s, Event::Db(Reply::CustomerHits { seq, hits: found }));
    let logged = NewLoggedContact {
        channel: crate::domain::Channel::ALL[0],
        subject: "Freight follow-up call".into(),
        customer: CustomerChoice::Existing(12),
    };
    assert_eq!(effects, vec![Effect::Db(Request::LogContact(logged))]);
}

#[test]
fn a_tag_typed_in_the_details_form_is_added_beside_the_ones_there() {
    let mut s = with_active_contact();
    if let Some(d) = s.open.as_mut() {
        d.contact.tags = vec!["repeat_contact".into()];
    }
    update(&mut s, key(KeyCode::F(8)));
    update(&mut s, key(KeyCode::Tab));
    type_text(&mut s, "freight");
    let effects = update(&mut s, key(KeyCode::Enter));
    let tags = effects.iter().find_map(|e| match e {
        Effect::Db(Request::UpdateContact(u)) => u.tags.clone(),
        _ => None,
    });
    assert_eq!(tags, Some(vec!["repeat_contact".to_string(), "freight".to_string()]), "{effects:?}");
}

#[test]
fn the_escalated_disposition_from_the_palette_chooses_the_escalate_outcome() {
    let mut s = with_active_contact();
    update(&mut s, ctrl('g'));
    let typed = type_text(&mut s, "escalated");
    update(&mut s, key(KeyCode::Enter));
    let seq = palette_search(&typed);
    update(&mut s, Event::Db(Reply::PaletteHits { seq, snippets: vec![], articles: vec![], customers: vec![] }));
    let Some(forms::Modal::WrapUp(form)) = s.overlays.form() else { unreachable!("the wrap-up opened") };
    assert_eq!(form.outcome, forms::OutcomeChoice::Escalate);
}

#[test]
fn a_send_before_the_recipients_are_known_is_asked_when_they_are_with_the_keys_after_it() {
    let mut s = with_active_contact();
    s.rep_name_known = true;
    update(&mut s, key(KeyCode::F(12)));
    type_text(&mut s, "Checking the freight slot now.");
    // Ctrl-S and `y` in the same burst, before the store said who the reply reaches.
    update(&mut s, ctrl('s'));
    update(&mut s, key(KeyCode::Char('y')));
    assert!(s.overlays.form().is_none());
    let to = ReplyAddresses { to: "ana@example.com".into(), from: "help@example.com".into() };
    let effects = update(&mut s, Event::Db(Reply::Recipients { contact: 2, recipients: Ok(to) }));
    let sent = effects.iter().find_map(|e| match e {
        Effect::Job(crate::protocol::Job::SendReply { body, .. }) => Some(body.clone()),
        _ => None,
    });
    assert_eq!(sent.as_deref(), Some("Checking the freight slot now."), "the y answered the question: {effects:?}");
}

#[test]
fn keys_after_an_enter_waiting_for_the_snippets_go_on_after_the_choice() {
    use crate::domain::Snippet;
    let mut s = with_active_contact();
    update(&mut s, ctrl('t'));
    let typed = type_text(&mut s, "closing");
    update(&mut s, key(KeyCode::Enter));
    type_text(&mut s, " ZZZ");
    assert!(s.overlays.palette().is_some_and(|p| forms::field_text(&p.input) == "closing"), "not into the filter");
    let seq = palette_search(&typed);
    let closing = Snippet { id: 4, title: "Closing".into(), body: "Anything else?".into() };
    update(&mut s, Event::Db(Reply::PaletteHits { seq, snippets: vec![closing], articles: vec![], customers: vec![] }));
    assert!(s.overlays.palette().is_none());
    assert_eq!(s.notes.text(), "Anything else?\n ZZZ");
}

/// A contact open, the snippets box searching "closing", and Enter and "x" typed before
/// its results: both keys wait for them.
fn keys_waiting_for_snippets() -> State {
    let mut s = with_active_contact();
    update(&mut s, ctrl('t'));
    type_text(&mut s, "closing");
    update(&mut s, key(KeyCode::Enter));
    type_text(&mut s, "x");
    assert_eq!(s.waiting_keys.len(), 2);
    s
}

#[test]
fn keys_waiting_for_an_answer_that_never_comes_act_on_the_screen_after_a_while() {
    let mut s = keys_waiting_for_snippets();
    s.now_ms += WAIT_AT_MOST_MS;
    update(&mut s, Event::Tick);
    assert!(s.waiting_keys.is_empty(), "the keys went ahead");
}

#[test]
fn keys_waiting_for_a_search_that_failed_go_ahead_at_once() {
    let mut s = keys_waiting_for_snippets();
    update(&mut s, Event::Db(Reply::Failed { what: "Searching snippets".into(), error: "disk I/O error".into() }));
    assert!(s.waiting_keys.is_empty(), "the keys went ahead without waiting out the 3 s");
    assert!(s.flash.as_ref().is_some_and(|f| f.text.contains("disk I/O error")), "the failure is said");
}

#[test]
fn an_entry_named_like_the_text_ranks_above_a_more_used_one_found_in_its_body() {
    let entry = |kind, label: &str, target| palette::Entry { kind, label: label.into(), detail: String::new(), target };
    let closing = entry("snippet", "Closing", palette::Target::Snippet { id: 1, body: "Let me double check".into() });
    let article = entry("article", "Double charges", palette::Target::Article(7));
    let usage: HashMap<String, u32> = [(closing.usage_key(), 12)].into_iter().collect();
    let ranked = palette::rank_entries(vec![closing, article], "double ch", &usage);
    let labels: Vec<&str> = ranked.iter().map(|e| e.label.as_str()).collect();
    assert_eq!(labels, ["Double charges", "Closing"]);
}

/// Opens script #9, "Verify", of one step, on contact 2.
fn show_one_step_script(s: &mut State, step: &str) {
    use crate::domain::script::{Script, ScriptStep};
    let steps = vec![ScriptStep { text: step.into(), required: false }];
    let script = Script { id: 9, name: "Verify".into(), steps, keywords: vec![] };
    update(s, Event::Db(Reply::Scripts { contact: 2, scripts: vec![script], ticks: vec![] }));
}

#[test]
fn a_function_key_on_the_open_script_closes_it_and_acts() {
    let mut s = with_active_contact();
    s.rep_name_known = true;
    show_one_step_script(&mut s, "Confirm name");
    assert!(s.overlays.scripts().is_some());
    // A letter the checklist does not use is not typed anywhere else.
    update(&mut s, key(KeyCode::Char('x')));
    assert!(s.overlays.scripts().is_some() && s.notes.text().is_empty());
    let effects = update(&mut s, key(KeyCode::F(12)));
    assert!(s.overlays.scripts().is_none() && s.writing_reply, "F12 opened the reply: {effects:?}");
    assert!(effects.contains(&Effect::Db(Request::ReplyRecipients { contact: 2 })), "{effects:?}");
}

#[test]
fn a_second_space_before_the_store_answered_undoes_the_tick_instead_of_repeating_it() {
    let mut s = with_active_contact();
    show_one_step_script(&mut s, "Write a handover note");
    let first = update(&mut s, key(KeyCode::Char(' ')));
    let second = update(&mut s, key(KeyCode::Char(' ')));
    assert_eq!(first, vec![Effect::Db(Request::TickStep { contact: 2, script: 9, step: 0 })]);
    assert_eq!(second, vec![Effect::Db(Request::UntickStep { contact: 2, script: 9, step: 0 })]);
}

#[test]
fn a_script_tick_can_be_undone_and_the_notes_say_so() {
    use crate::domain::script::{Script, ScriptStep};
    let mut s = with_active_contact();
    let step = |text: &str| ScriptStep { text: text.into(), required: false };
    let script = Script {
        id: 9,
        name: "Verify".into(),
        steps: vec![step("Confirm name"), step("Confirm zip")],
        keywords: vec![],
    };
    update(&mut s, Event::Db(Reply::Scripts { contact: 2, scripts: vec![script], ticks: vec![(9, 0)] }));
    // Step 0 is ticked: Space on it undoes the tick.
    let effects = update(&mut s, key(KeyCode::Char(' ')));
    assert_eq!(effects, vec![Effect::Db(Request::UntickStep { contact: 2, script: 9, step: 0 })]);
    let note = crate::domain::Note {
        id: 1,
        contact_id: Some(2),
        created_at: 0,
        kind: crate::domain::NoteKind::Note,
        body: "↺ not done after all: Confirm name — Verify".into(),
        due_at: None,
    };
    update(&mut s, Event::Db(Reply::StepUnticked { contact: 2, script: 9, step: 0, note }));
    assert!(s.overlays.scripts().is_some_and(|v| v.ticks.is_empty()));
    // u undoes the last tick of the script from anywhere.
    let scripts = s.overlays.scripts().map(|v| v.scripts.clone()).unwrap_or_default();
    update(&mut s, Event::Db(Reply::Scripts { contact: 2, scripts, ticks: vec![(9, 1)] }));
    let effects = update(&mut s, key(KeyCode::Char('u')));
    assert_eq!(effects, vec![Effect::Db(Request::UntickStep { contact: 2, script: 9, step: 1 })]);
}

#[test]
fn the_first_send_asks_the_reps_name_once_and_typing_after_f12_goes_into_the_reply() {
    let mut s = with_active_contact();
    // F12 opens the reply at once: what the rep types next is the reply, not a name.
    update(&mut s, key(KeyCode::F(12)));
    assert!(s.writing_reply && s.overlays.form().is_none());
    type_text(&mut s, "Hi Ana, it ships today. ");
    // A snippet inserted before the name is known shows where the name will go.
    let signed = palette::fill_snippet(&s, "{{rep.name}}, Larkspur");
    assert_eq!(signed, "[rep.name?], Larkspur");
    reply::insert(&mut s, &signed);
    let to = ReplyAddresses { to: "ana@example.com".into(), from: "help@example.com".into() };
    update(&mut s, Event::Db(Reply::Recipients { contact: 2, recipients: Ok(to) }));

    assert!(update(&mut s, ctrl('s')).is_empty(), "nothing is sent before the name is given");
    assert!(matches!(s.overlays.form(), Some(forms::Modal::RepName(_))));
    type_text(&mut s, "Sam Rivera");
    let effects = update(&mut s, key(KeyCode::Enter));
    assert!(effects.contains(&Effect::Db(Request::SaveRepName { name: "Sam Rivera".into() })));
    assert_eq!(s.rep_name, "Sam Rivera");
    assert_eq!(
        s.reply.as_ref().map(reply::ReplyState::text).as_deref(),
        Some("Hi Ana, it ships today. \n\nSam Rivera, Larkspur\n")
    );
    assert!(matches!(s.overlays.form(), Some(forms::Modal::Confirm(_))), "then the send is asked as usual");

    // Known now: the next send asks only to send, and snippets carry the name.
    update(&mut s, key(KeyCode::Esc));
    update(&mut s, ctrl('s'));
    assert!(matches!(s.overlays.form(), Some(forms::Modal::Confirm(_))));
    assert_eq!(palette::fill_snippet(&s, "{{rep.name}}"), "Sam Rivera");
}
