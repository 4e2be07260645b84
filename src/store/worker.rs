//! Worker threads that own their SQLite connections. The UI sends requests and goes on
//! drawing; replies come back as events carrying the sequence number of their request, and
//! the state drops any reply older than its latest request.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;

use anyhow::Result;
use rusqlite::{Connection, InterruptHandle};

use crate::domain::text::mask_card_numbers;
use crate::domain::time::local_day_start;
use crate::domain::time::now;
use crate::domain::{
    Article, Channel, ContactDetail, CustomerHit, CustomerRecord, Id, KbHit, Note, QueueRow, Timestamp,
};

use super::contacts::{Outcome, QueueFilter, Step};
use super::scripts::Script;
use super::shift::{self, Kudos, Source};
use super::{bulletins, contacts, customers, kb, notes, report, scripts};
use crate::domain::bulletin::Bulletin;
use crate::domain::metrics::Settings;
use crate::domain::shift::{Activity, RepState, Score};
use crate::state::dashboard::DashboardData;
use crate::state::palette::{Entry, Target};
use std::collections::HashMap;

/// Work for the main database worker.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// Read the queue's first page; with `only_if_changed`, only if another connection
    /// committed since the last read (so a second instance's changes show up).
    Queue {
        seq: u64,
        filter: QueueFilter,
        only_if_changed: bool,
    },
    OpenContact {
        seq: u64,
        id: Id,
    },
    SaveDraft {
        contact: Id,
        body: String,
    },
    SaveNote {
        contact: Id,
        body: String,
    },
    Article {
        seq: u64,
        id: Id,
    },
    /// Read every contact in progress (the strip), e.g. after a restart.
    LoadStrip,
    /// Take the most urgent work: a due follow-up first, else the next waiting contact.
    AcceptNext,
    /// Start working a follow-up that has come due.
    StartFollowUp {
        follow_up: Id,
    },
    /// One step of the contact loop on one contact.
    Step {
        id: Id,
        step: Step,
    },
    /// Create a contact for a call or walk-in that just started, accepted at once.
    LogContact(NewLoggedContact),
    /// Change a contact's details during the contact.
    UpdateContact(ContactUpdate),
    /// Close a contact after wrap-up, with any follow-up and promise, in one transaction.
    Finish(Finish),
    /// Find customers by name, email, phone, handle or order number.
    SearchCustomers {
        seq: u64,
        query: String,
    },
    /// Today's and this week's figures and the day's trends, for "my numbers".
    Dashboard {
        seq: u64,
        settings: Settings,
    },
    /// Snippets, articles and customers matching the palette's text.
    PaletteSearch {
        seq: u64,
        query: String,
        snippets_only: bool,
    },
    /// Count one use of a palette entry.
    RecordPaletteUse {
        key: String,
    },
    LoadPaletteUsage,
    /// The active bulletins (unread flags included).
    LoadBulletins,
    MarkBulletinsRead {
        ids: Vec<Id>,
    },
    /// Opening the workstation: available unless the rep is already in a state.
    StartShift,
    /// The rep's status and the schedule around now.
    LoadShift,
    SetStatus {
        state: RepState,
    },
    /// A contact just closed: is a breather due (difficult contact, or `after` contacts
    /// without a break)?
    CheckBreather {
        after: u32,
        minutes: u32,
    },
    /// Take a timed breather (status: break).
    StartBreather {
        minutes: u32,
    },
    LoadKudos,
    /// Today's schedule and adherence so far.
    LoadSchedule,
    AddBlock {
        start: Timestamp,
        end: Timestamp,
        activity: Activity,
    },
    RemoveBlock {
        id: Id,
    },
    /// Keep the email reply being written.
    SaveReplyDraft {
        contact: Id,
        body: String,
    },
    /// Send the reply by the configured way and record it on the contact.
    SendReply {
        contact: Id,
        body: String,
        delivery: crate::intake::Delivery,
        from: Option<String>,
    },
    /// Read the Maildirs and the inbox folder into the queue.
    ProcessIntake {
        maildirs: Vec<PathBuf>,
        inbox: Option<PathBuf>,
    },
    SaveSelfReview {
        contact: Id,
        scores: Vec<Score>,
    },
    /// Save the profile editor's changes (each logged in the customer's history).
    EditCustomer(CustomerEdit),
    /// Merge `absorb` into `keep` in one transaction.
    MergeCustomers {
        keep: Id,
        absorb: Id,
    },
    /// Erase a customer for good.
    ForgetCustomer {
        id: Id,
    },
    /// Create (`id` None) or change a snippet.
    SaveSnippet {
        id: Option<Id>,
        title: String,
        body: String,
    },
    DeleteSnippet {
        id: Id,
    },
    /// Every script, with the steps already ticked on a contact.
    LoadScripts {
        contact: Id,
    },
    /// Tick a script step on a contact (which writes it into the contact's notes).
    TickStep {
        contact: Id,
        script: Id,
        step: usize,
    },
    /// A customer's record, without a contact.
    OpenCustomer {
        seq: u64,
        id: Id,
    },
}

/// A contact logged by hand.
#[derive(Debug, Clone, PartialEq)]
pub struct NewLoggedContact {
    pub channel: Channel,
    pub subject: String,
    pub customer: CustomerChoice,
}

/// Which customer a logged or edited contact belongs to.
#[derive(Debug, Clone, PartialEq)]
pub enum CustomerChoice {
    None,
    Existing(Id),
    /// Create a customer; `key` becomes an identity if it is an email, phone or handle,
    /// otherwise it is the name.
    New {
        key: String,
    },
}

/// New values for a contact's details (`None` leaves a field alone).
#[derive(Debug, Clone, PartialEq)]
pub struct ContactUpdate {
    pub id: Id,
    pub priority: Option<u8>,
    pub tags: Option<Vec<String>>,
    pub customer: CustomerChoice,
    pub csat: Option<Option<u8>>,
}

/// The profile editor's values: name, company, tier, language, time zone, pinned note;
/// the vip / fraud watch / do-not-contact flags; an identity to add.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerEdit {
    pub id: Id,
    pub fields: Vec<String>,
    pub flags: [bool; 3],
    pub add_identity: Option<String>,
}

/// Everything the wrap-up form decided.
#[derive(Debug, Clone, PartialEq)]
pub struct Finish {
    pub id: Id,
    pub outcome: Outcome,
    pub disposition: String,
    pub reason: Option<String>,
    pub follow_up: Option<(Timestamp, String)>,
    pub promise: Option<(String, Timestamp)>,
    /// Close even if a started script has required steps unticked (the rep confirmed).
    pub force: bool,
    /// The contact was abusive or distressing (counts toward offering a breather).
    pub difficult: bool,
    /// A thank-you from the customer to keep as kudos.
    pub kudos: Option<String>,
}

/// Work for the search worker; only the newest request matters.
#[derive(Debug, Clone, PartialEq)]
pub enum SearchRequest {
    Search {
        seq: u64,
        query: String,
        limit: usize,
    },
    Suggest {
        seq: u64,
        subject: String,
        body: String,
        limit: usize,
    },
    /// Nothing to search any more: stop whatever is running.
    Cancel,
}

/// A worker's answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// `rows` is `None` when nothing changed since the last read.
    Queue {
        seq: u64,
        rows: Option<Vec<QueueRow>>,
        waiting: i64,
        articles: i64,
    },
    Contact {
        seq: u64,
        detail: Option<Box<ContactDetail>>,
    },
    /// A contact changed (accepted, held, closed, edited…); `focus` asks to make it the
    /// current contact (newly accepted or logged).
    ContactChanged {
        detail: Box<ContactDetail>,
        focus: bool,
    },
    /// Every contact in progress, oldest first.
    Strip {
        details: Vec<ContactDetail>,
    },
    Shift {
        status: Option<(RepState, Timestamp)>,
        current: Option<(Activity, Timestamp)>,
        next: Option<(Activity, Timestamp)>,
    },
    Kudos {
        kudos: Vec<Kudos>,
    },
    ReplySent {
        contact: Id,
    },
    Schedule {
        blocks: Vec<shift::ScheduleBlock>,
        adherence: Option<f64>,
    },
    BlockRefused {
        message: String,
    },
    /// New mail or inbox files were read; `message` says how many (empty when none).
    IntakeDone {
        message: String,
    },
    BreatherDue {
        minutes: u32,
        difficult: bool,
    },
    BreatherStarted {
        minutes: u32,
    },
    /// Done, and nothing to tell (a breather not due, a reply draft kept).
    Nothing,
    /// Something finished that only needs telling the rep.
    Done {
        message: String,
    },
    /// A step was not possible (e.g. another instance accepted the contact first).
    Refused {
        message: String,
    },
    /// A contact asked for (accept, follow-up, reopen, log) did not come: refused (`message`
    /// says why) or failed (`error` is set). Answers only those requests, so the state can
    /// tell it from any other refusal.
    NotTaken {
        message: String,
        error: bool,
    },
    CustomerHits {
        seq: u64,
        hits: Vec<CustomerHit>,
    },
    Dashboard {
        seq: u64,
        data: Box<DashboardData>,
    },
    PaletteEntries {
        seq: u64,
        entries: Vec<Entry>,
    },
    PaletteUsage {
        usage: HashMap<String, u32>,
    },
    Bulletins {
        bulletins: Vec<Bulletin>,
    },
    /// A customer's record changed (edit, merge); `message` says what happened.
    CustomerChanged {
        record: Box<CustomerRecord>,
        message: Option<String>,
    },
    Forgotten {
        id: Id,
        message: String,
    },
    Scripts {
        contact: Id,
        scripts: Vec<Script>,
        ticks: Vec<(Id, usize)>,
    },
    StepTicked {
        contact: Id,
        script: Id,
        step: usize,
        note: Note,
    },
    /// A request that needs the rep's confirmation first; `retry` sends it anyway.
    NeedsConfirmation {
        message: String,
        retry: Box<Request>,
    },
    CustomerRecord {
        seq: u64,
        record: Option<Box<CustomerRecord>>,
    },
    DraftSaved {
        contact: Id,
    },
    NoteSaved {
        note: Note,
    },
    /// The note could not be saved; its text comes back so the editor can keep it.
    NoteFailed {
        contact: Id,
        body: String,
        error: String,
    },
    KbResults {
        seq: u64,
        hits: Vec<KbHit>,
        suggested: bool,
    },
    Article {
        seq: u64,
        article: Option<Article>,
    },
    Failed {
        what: String,
        error: String,
    },
}

/// Where replies go (the app wraps them into its event channel).
pub type ReplySink = Arc<dyn Fn(Reply) + Send + Sync>;

enum Job {
    Work(Request),
    /// Answer once every earlier job is done (used before exiting).
    Flush(Sender<()>),
}

/// Handle to the main database worker.
pub struct DbWorker {
    jobs: Sender<Job>,
    thread: Option<JoinHandle<()>>,
}

impl DbWorker {
    /// Starts the worker on its own connection to `path`.
    pub fn spawn(path: &Path, sink: ReplySink) -> Result<Self> {
        let conn = super::connect(path)?;
        let (jobs, rx) = mpsc::channel();
        let thread =
            std::thread::Builder::new().name("frontline-db".into()).spawn(move || db_loop(conn, &rx, &sink))?;
        Ok(Self { jobs, thread: Some(thread) })
    }

    /// Queues a request; returns false if the worker has stopped.
    pub fn send(&self, request: Request) -> bool {
        self.jobs.send(Job::Work(request)).is_ok()
    }

    /// Whether the worker thread is still running (it ends only on a bug).
    pub fn alive(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// Waits (up to `timeout`) until every request sent so far is done.
    pub fn flush(&self, timeout: std::time::Duration) -> bool {
        let (tx, rx) = mpsc::channel();
        self.jobs.send(Job::Flush(tx)).is_ok() && rx.recv_timeout(timeout).is_ok()
    }
}

impl Drop for DbWorker {
    fn drop(&mut self) {
        // Closing the channel ends the loop; the connection closes with the thread.
        let (closed, _) = mpsc::channel();
        self.jobs = closed;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn db_loop(mut conn: Connection, rx: &Receiver<Job>, sink: &ReplySink) {
    let mut seen_version: Option<i64> = None;
    while let Ok(job) = rx.recv() {
        crate::fault::worker_panic_if_asked();
        match job {
            Job::Flush(ack) => {
                let _ = ack.send(());
            }
            Job::Work(request) => {
                let reply = serve(&mut conn, request, &mut seen_version);
                sink(reply);
            }
        }
    }
}

fn serve(conn: &mut Connection, request: Request, seen_version: &mut Option<i64>) -> Reply {
    match request {
        Request::Queue { seq, filter, only_if_changed } => {
            let result = (|| {
                let version: i64 = conn.pragma_query_value(None, "data_version", |r| r.get(0))?;
                let changed = *seen_version != Some(version);
                *seen_version = Some(version);
                if only_if_changed && !changed {
                    return Ok(Reply::Queue { seq, rows: None, waiting: 0, articles: 0 });
                }
                let t = now();
                let rows = contacts::queue_filtered(conn, &filter, t, local_day_start(t), contacts::QUEUE_PAGE)?;
                let waiting = contacts::waiting_count(conn)?;
                let articles = kb::count(conn)?;
                Ok(Reply::Queue { seq, rows: Some(rows), waiting, articles })
            })();
            result.unwrap_or_else(|e: rusqlite::Error| failed("Reading the queue", &e))
        }
        Request::OpenContact { seq, id } => match contacts::detail(conn, id, local_day_start(now())) {
            Ok(detail) => Reply::Contact { seq, detail: detail.map(Box::new) },
            Err(e) => failed("Opening the contact", &e),
        },
        Request::SaveDraft { contact, body } => {
            let body = mask_card_numbers(&body).text;
            match super::write(conn, |tx| notes::save_draft(tx, contact, &body, now())) {
                Ok(()) => Reply::DraftSaved { contact },
                Err(e) => failed("Saving the draft", &e),
            }
        }
        Request::SaveNote { contact, body } => {
            let masked = mask_card_numbers(&body).text;
            match super::write(conn, |tx| notes::save_note(tx, contact, &masked, now())) {
                Ok(note) => Reply::NoteSaved { note },
                Err(e) => Reply::NoteFailed { contact, body: masked, error: e.to_string() },
            }
        }
        Request::Article { seq, id } => match kb::article(conn, id) {
            Ok(article) => Reply::Article { seq, article },
            Err(e) => failed("Opening the article", &e),
        },
        Request::LoadStrip => {
            let t = now();
            let result = contacts::in_progress(conn).and_then(|ids| {
                ids.into_iter().filter_map(|id| contacts::detail(conn, id, local_day_start(t)).transpose()).collect()
            });
            match result {
                Ok(details) => Reply::Strip { details },
                Err(e) => failed("Reading the contacts in progress", &e),
            }
        }
        Request::AcceptNext => changed(conn, "Accepting the next contact", true, |tx, t| {
            if let Some(row) = contacts::queue_filtered(tx, &QueueFilter::default(), t, 0, 1)?.into_iter().next()
                && let Some(f) = row.follow_up
            {
                return Ok(
                    contacts::start_follow_up(tx, f.id, t)?.ok_or_else(|| refused("that follow-up was already done"))
                );
            }
            let Some(id) = contacts::next_waiting(tx)? else { return Ok(Err(refused("No contact is waiting"))) };
            Ok(contacts::apply_step(tx, id, &Step::Accept, t)?.map(|()| id).map_err(|r| r.0))
        }),
        Request::StartFollowUp { follow_up } => changed(conn, "Starting the follow-up", true, |tx, t| {
            Ok(contacts::start_follow_up(tx, follow_up, t)?.ok_or_else(|| refused("that follow-up was already done")))
        }),
        Request::Step { id, step } => {
            let focus = step == Step::Accept || step == Step::Reopen;
            changed(conn, "Updating the contact", focus, |tx, t| {
                Ok(contacts::apply_step(tx, id, &step, t)?.map(|()| id).map_err(|r| r.0))
            })
        }
        Request::LogContact(new) => changed(conn, "Logging the contact", true, |tx, t| {
            let customer_id = resolve_customer(tx, &new.customer, t)?;
            let mut c = contacts::NewContact::waiting(new.channel, &mask_card_numbers(&new.subject).text, t);
            c.customer_id = customer_id;
            c.status = crate::domain::ContactStatus::Active;
            c.accepted_at = Some(t);
            Ok(Ok(contacts::insert(tx, &c)?))
        }),
        Request::UpdateContact(u) => changed(conn, "Saving the contact's details", false, |tx, t| {
            if let Some(p) = u.priority {
                contacts::set_priority(tx, u.id, p)?;
            }
            if let Some(tags) = &u.tags {
                contacts::set_tags(tx, u.id, tags)?;
            }
            if let Some(customer) = resolve_customer(tx, &u.customer, t)? {
                contacts::link_customer(tx, u.id, customer)?;
            }
            if let Some(csat) = u.csat {
                contacts::set_csat(tx, u.id, csat)?;
            }
            Ok(Ok(u.id))
        }),
        Request::Finish(f) if !f.force => match scripts::missing_required(conn, f.id) {
            Ok(missing) if !missing.is_empty() => {
                let steps: Vec<String> = missing.iter().map(|(script, step)| format!("“{step}” ({script})")).collect();
                let message = format!("Required step not ticked: {}. Wrap up anyway?", steps.join(", "));
                Reply::NeedsConfirmation { message, retry: Box::new(Request::Finish(Finish { force: true, ..f })) }
            }
            Ok(_) => serve(conn, Request::Finish(Finish { force: true, ..f }), seen_version),
            Err(e) => failed("Checking the scripts", &e),
        },
        Request::Finish(f) => changed(conn, "Closing the contact", false, |tx, t| {
            let step = Step::Close {
                outcome: f.outcome.clone(),
                disposition: f.disposition.clone(),
                reason: f.reason.clone(),
            };
            if let Err(r) = contacts::apply_step(tx, f.id, &step, t)? {
                return Ok(Err(r.0));
            }
            if let Some((due, note)) = &f.follow_up {
                contacts::add_follow_up(tx, f.id, *due, &mask_card_numbers(note).text, t)?;
            }
            if f.difficult {
                shift::set_difficult(tx, f.id, true)?;
            }
            if let Some(text) = &f.kudos {
                shift::add_kudos(tx, Some(f.id), None, text, t)?;
            }
            if let Some((text, due)) = &f.promise {
                let customer = contacts::contact(tx, f.id)?.and_then(|c| c.customer_id);
                notes::insert_note(
                    tx,
                    Some(f.id),
                    customer,
                    ("promise", &mask_card_numbers(text).text, t, Some(*due)),
                )?;
            }
            Ok(Ok(f.id))
        }),
        Request::SearchCustomers { seq, query } => match customers::search(conn, &query, 12) {
            Ok(hits) => Reply::CustomerHits { seq, hits },
            Err(e) => failed("Finding customers", &e),
        },
        Request::PaletteSearch { seq, query, snippets_only } => match palette_entries(conn, &query, snippets_only) {
            Ok(entries) => Reply::PaletteEntries { seq, entries },
            Err(e) => failed("Searching", &e),
        },
        Request::RecordPaletteUse { key } => {
            let result = super::write(conn, |tx| {
                let mut usage = palette_usage(tx)?;
                *usage.entry(key).or_default() += 1;
                let text = serde_json::to_string(&usage).unwrap_or_default();
                super::meta_set(tx, "palette_usage", &text)?;
                Ok::<_, rusqlite::Error>(usage)
            });
            match result {
                Ok(usage) => Reply::PaletteUsage { usage },
                Err(e) => failed("Remembering the palette choice", &e),
            }
        }
        Request::StartShift => {
            let result = super::write(conn, |tx| match shift::current_status(tx)? {
                None | Some((RepState::Offline, _)) => {
                    shift::set_status(tx, RepState::Available, Source::Auto, now()).map(|_| ())
                }
                Some(_) => Ok(()),
            });
            match result {
                Ok(()) => load_shift(conn),
                Err(e) => failed("Starting the shift", &e),
            }
        }
        Request::LoadShift => load_shift(conn),
        Request::SetStatus { state } => match super::write(conn, |tx| shift::set_status(tx, state, Source::Tui, now()))
        {
            Ok(_) => load_shift(conn),
            Err(e) => failed("Changing the status", &e),
        },
        Request::CheckBreather { after, minutes } => {
            let t = now();
            match (shift::breather_due(conn, t, after), shift::last_contact_difficult(conn, t)) {
                (Ok(true), Ok(difficult)) => Reply::BreatherDue { minutes, difficult },
                (Ok(false), _) => Reply::Nothing,
                (Err(e), _) | (_, Err(e)) => failed("Checking for a breather", &e),
            }
        }
        Request::StartBreather { minutes } => {
            match super::write(conn, |tx| shift::set_status(tx, RepState::Break, Source::Tui, now())) {
                Ok(_) => Reply::BreatherStarted { minutes },
                Err(e) => failed("Starting the breather", &e),
            }
        }
        Request::SaveReplyDraft { contact, body } => {
            match super::write(conn, |tx| notes::save_reply_draft(tx, contact, &body, now())) {
                Ok(()) => Reply::Nothing,
                Err(e) => failed("Saving the reply", &e),
            }
        }
        Request::SendReply { contact, body, delivery, from } => {
            match crate::intake::reply::send_reply(conn, contact, &body, &delivery, from.as_deref(), now()) {
                Ok(_) => {
                    let _ = super::write(conn, |tx| notes::save_reply_draft(tx, contact, "", now()));
                    Reply::ReplySent { contact }
                }
                Err(e) => Reply::Failed { what: "Sending the reply".into(), error: format!("{e:#}") },
            }
        }
        Request::ProcessIntake { maildirs, inbox } => process_intake(conn, &maildirs, inbox.as_deref()),
        Request::LoadSchedule => load_schedule(conn),
        Request::AddBlock { start, end, activity } => {
            match super::write(conn, |tx| shift::add_block(tx, start, end, activity)) {
                Ok(Ok(_)) => load_schedule(conn),
                Ok(Err(refused)) => Reply::BlockRefused { message: format!("Not added: {refused}") },
                Err(e) => failed("Adding the block", &e),
            }
        }
        Request::RemoveBlock { id } => match super::write(conn, |tx| shift::remove_block(tx, id)) {
            Ok(_) => load_schedule(conn),
            Err(e) => failed("Removing the block", &e),
        },
        Request::LoadKudos => match shift::kudos(conn) {
            Ok(kudos) => Reply::Kudos { kudos },
            Err(e) => failed("Reading kudos", &e),
        },
        Request::SaveSelfReview { contact, scores } => {
            match super::write(conn, |tx| {
                shift::save_review(tx, contact, crate::domain::shift::SELF_REVIEWER, &scores, now())
            }) {
                Ok(_) => Reply::Done { message: "Self-review saved; it counts in QA %".into() },
                Err(e) => failed("Saving the review", &e),
            }
        }
        Request::EditCustomer(edit) => customer_changed(conn, edit.id, |tx, t| {
            edit_customer(tx, &edit, t)?;
            Ok(Some("Customer updated".to_string()))
        }),
        Request::MergeCustomers { keep, absorb } => customer_changed(conn, keep, |tx, t| {
            let m = super::merge::merge_customers(tx, keep, absorb, t)?;
            Ok(Some(format!(
                "Merged: {} contacts, {} identities, {} orders moved{}",
                m.contacts,
                m.identities_moved,
                m.orders,
                if m.conflicts.is_empty() {
                    String::new()
                } else {
                    format!("; {} differing fields kept (see record changes)", m.conflicts.len())
                }
            )))
        }),
        Request::ForgetCustomer { id } => match super::erase::forget_customer(conn, id) {
            Ok(summary) => Reply::Forgotten {
                id,
                message: format!(
                    "Erased: {} identities, {} orders, {} notes; {} contacts kept for the numbers, their text blanked{}",
                    summary.identities,
                    summary.orders,
                    summary.notes,
                    summary.contacts_anonymised,
                    if summary.wal_checkpointed { "" } else { " (old pages leave the log at the next checkpoint)" }
                ),
            },
            Err(e) => Reply::Failed { what: "Erasing the customer".into(), error: format!("{e:#}") },
        },
        Request::SaveSnippet { id, title, body } => {
            let result = super::write(conn, |tx| match id {
                Some(id) => super::snippets::update(tx, id, &title, &body, now()),
                None => super::snippets::insert(tx, &title, &body, now()).map(|_| true),
            });
            match result {
                Ok(true) => Reply::Done { message: format!("Snippet “{title}” saved (Ctrl-T to use it)") },
                Ok(false) => Reply::Refused { message: "That snippet no longer exists".into() },
                Err(e) => failed("Saving the snippet", &e),
            }
        }
        Request::DeleteSnippet { id } => match super::write(conn, |tx| super::snippets::delete(tx, id)) {
            Ok(_) => Reply::Done { message: "Snippet deleted".into() },
            Err(e) => failed("Deleting the snippet", &e),
        },
        Request::LoadBulletins => match bulletins::active(conn, now()) {
            Ok(bulletins) => Reply::Bulletins { bulletins },
            Err(e) => failed("Reading bulletins", &e),
        },
        Request::MarkBulletinsRead { ids } => match super::write(conn, |tx| bulletins::mark_read(tx, &ids, now())) {
            Ok(_) => Reply::Bulletins { bulletins: bulletins::active(conn, now()).unwrap_or_default() },
            Err(e) => failed("Marking bulletins read", &e),
        },
        Request::LoadScripts { contact } => {
            match scripts::all(conn).and_then(|all| Ok((all, scripts::ticks(conn, contact)?))) {
                Ok((scripts, ticks)) => Reply::Scripts { contact, scripts, ticks },
                Err(e) => failed("Reading scripts", &e),
            }
        }
        Request::TickStep { contact, script, step } => {
            match super::write(conn, |tx| scripts::tick(tx, contact, script, step, now())) {
                Ok(note) => Reply::StepTicked { contact, script, step, note },
                Err(e) => failed("Ticking the step", &e),
            }
        }
        Request::LoadPaletteUsage => match palette_usage(conn) {
            Ok(usage) => Reply::PaletteUsage { usage },
            Err(e) => failed("Reading palette usage", &e),
        },
        Request::OpenCustomer { seq, id } => match customers::record(conn, id) {
            Ok(record) => Reply::CustomerRecord { seq, record: record.map(Box::new) },
            Err(e) => failed("Opening the customer", &e),
        },
        Request::Dashboard { seq, settings } => match dashboard(conn, &settings) {
            Ok(data) => Reply::Dashboard { seq, data: Box::new(data) },
            Err(e) => failed("Computing my numbers", &e),
        },
    }
}

/// Today (since local midnight) and this week (since Monday's local midnight), up to now.
fn dashboard(conn: &Connection, settings: &Settings) -> rusqlite::Result<DashboardData> {
    use chrono::Datelike;
    let t = now();
    let day_start = local_day_start(t);
    let weekday = chrono::Local::now().weekday().num_days_from_monday();
    let week_start = local_day_start(day_start - i64::from(weekday) * 86_400 + 3600);
    Ok(DashboardData {
        today: report::report(conn, day_start, t + 1, settings)?,
        week: report::report(conn, week_start, t + 1, settings)?,
        trends: report::trends(conn, day_start, t + 1)?,
    })
}

/// Runs a customer change in one transaction and answers with the fresh record.
fn customer_changed(
    conn: &mut Connection,
    id: Id,
    f: impl FnOnce(&rusqlite::Transaction<'_>, Timestamp) -> anyhow::Result<Option<String>>,
) -> Reply {
    let t = now();
    let result = super::write(conn, |tx| -> anyhow::Result<_> {
        let message = f(tx, t)?;
        Ok((customers::record(tx, id)?, message))
    });
    match result {
        Ok((Some(record), message)) => Reply::CustomerChanged { record: Box::new(record), message },
        Ok((None, _)) => Reply::Refused { message: "That customer no longer exists".into() },
        Err(e) => Reply::Refused { message: format!("{e:#}") },
    }
}

/// Applies the profile editor's values; each actual change is logged by `profile`.
fn edit_customer(tx: &Connection, edit: &CustomerEdit, t: Timestamp) -> anyhow::Result<()> {
    use super::profile::{self, Flag, ProfileField};
    let fields =
        [ProfileField::Name, ProfileField::Company, ProfileField::Tier, ProfileField::Language, ProfileField::Timezone];
    for (field, value) in fields.into_iter().zip(&edit.fields) {
        profile::update_field(tx, edit.id, field, Some(value.as_str()).filter(|v| !v.is_empty()), t)?;
    }
    if let Some(timezone) = edit.fields.get(4).filter(|z| !z.is_empty())
        && timezone.parse::<chrono_tz::Tz>().is_err()
    {
        anyhow::bail!("time zone \"{timezone}\" is not an IANA name like America/Chicago");
    }
    let pinned = edit.fields.get(5).map(String::as_str).filter(|v| !v.is_empty());
    profile::set_pinned_note(tx, edit.id, pinned, t)?;
    for (flag, on) in [Flag::Vip, Flag::FraudWatch, Flag::DoNotContact].into_iter().zip(edit.flags) {
        profile::set_flag(tx, edit.id, flag, on, t)?;
    }
    if let Some(identity) = &edit.add_identity {
        let Some(kind) = crate::domain::identity::classify(identity) else {
            anyhow::bail!("\"{identity}\" is not an email, phone number or @handle");
        };
        profile::add_identity_logged(tx, edit.id, kind, identity, t)?;
    }
    Ok(())
}

/// How often each palette entry was chosen, kept in the workspace's meta table.
fn palette_usage(conn: &Connection) -> rusqlite::Result<HashMap<String, u32>> {
    Ok(super::meta_get(conn, "palette_usage")?.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default())
}

/// The palette's database entries: snippets, and (unless only snippets are wanted)
/// articles and customers.
fn palette_entries(conn: &Connection, query: &str, snippets_only: bool) -> rusqlite::Result<Vec<Entry>> {
    let mut out: Vec<Entry> = super::snippets::search(conn, query, if snippets_only { 30 } else { 6 })?
        .into_iter()
        .map(|s| {
            let first_line = s.body.lines().next().unwrap_or("").to_string();
            Entry {
                kind: "snippet",
                label: s.title,
                detail: first_line,
                target: Target::Snippet { id: s.id, body: s.body },
            }
        })
        .collect();
    if snippets_only || query.trim().is_empty() {
        return Ok(out);
    }
    out.extend(kb::search(conn, query, 6)?.into_iter().map(|h| Entry {
        kind: "article",
        label: h.title,
        detail: h.category,
        target: Target::Article(h.id),
    }));
    out.extend(customers::search(conn, query, 6)?.into_iter().map(|c| Entry {
        kind: "customer",
        label: c.name,
        detail: c.detail,
        target: Target::Customer(c.id),
    }));
    Ok(out)
}

/// Reads every Maildir and the inbox folder; problems with one folder do not stop the others.
fn process_intake(conn: &mut Connection, maildirs: &[PathBuf], inbox: Option<&Path>) -> Reply {
    let t = now();
    let (mut added, mut threaded, mut rejected, mut problems) = (0, 0, 0, Vec::new());
    for dir in maildirs {
        match crate::intake::maildir::sync_maildir(conn, dir, t) {
            Ok(s) => {
                added += s.added;
                threaded += s.threaded;
                rejected += s.malformed.len();
            }
            Err(e) => problems.push(format!("{e:#}")),
        }
    }
    if let Some(dir) = inbox {
        match crate::intake::inbox::process_inbox(conn, dir, t) {
            Ok(s) => {
                added += s.imported.iter().map(|i| i.contacts.len()).sum::<usize>();
                rejected += s.rejected.len();
            }
            Err(e) => problems.push(format!("{e:#}")),
        }
    }
    let mut parts = Vec::new();
    if added > 0 {
        parts.push(format!("{added} new contact(s) arrived"));
    }
    if threaded > 0 {
        parts.push(format!("{threaded} email repl(ies) added to their contacts"));
    }
    if rejected > 0 {
        parts.push(format!("{rejected} file(s) could not be read (frontline sync / frontline inbox say why)"));
    }
    parts.extend(problems);
    Reply::IntakeDone { message: parts.join("; ") }
}

/// Today's blocks (local midnight to midnight) and adherence so far.
fn load_schedule(conn: &Connection) -> Reply {
    let t = now();
    let day = local_day_start(t);
    let result =
        shift::schedule(conn, day, day + 86_400).and_then(|blocks| Ok((blocks, shift::adherence(conn, day, t)?)));
    match result {
        Ok((blocks, adherence)) => Reply::Schedule { blocks, adherence },
        Err(e) => failed("Reading the schedule", &e),
    }
}

/// The status, and the schedule block under way and the next one.
fn load_shift(conn: &Connection) -> Reply {
    let t = now();
    let result = (|| {
        let status = shift::current_status(conn)?;
        let blocks: Vec<_> =
            shift::schedule(conn, t - 86_400, t + 86_400)?.iter().map(shift::ScheduleBlock::block).collect();
        Ok::<_, rusqlite::Error>((status, blocks))
    })();
    match result {
        Ok((status, blocks)) => Reply::Shift {
            status,
            current: crate::domain::shift::current_block(&blocks, t),
            next: crate::domain::shift::next_block(&blocks, t),
        },
        Err(e) => failed("Reading the status", &e),
    }
}

/// Follows the contact loop with the rep's status: on a contact while one is active or on
/// hold, after-contact work while wrapping up, available when the last one closes. A status
/// the rep chose (break, lunch…) is left alone unless a contact is being worked.
fn follow_contact_status(tx: &Connection, t: Timestamp) -> rusqlite::Result<()> {
    let working: Vec<String> = tx
        .prepare_cached("SELECT DISTINCT status FROM contacts WHERE status IN ('active', 'on_hold', 'wrap_up')")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let current = shift::current_status(tx)?.map(|(s, _)| s);
    let wanted = if working.iter().any(|s| s != "wrap_up") {
        RepState::OnContact
    } else if !working.is_empty() {
        RepState::AfterContactWork
    } else if matches!(current, Some(RepState::OnContact | RepState::AfterContactWork)) {
        RepState::Available
    } else {
        return Ok(());
    };
    shift::set_status(tx, wanted, Source::Auto, t).map(|_| ())
}

fn refused(message: &str) -> String {
    message.to_string()
}

/// Runs a write in one transaction and answers with the changed contact's fresh detail,
/// or with why it was refused (nothing written).
fn changed(
    conn: &mut Connection,
    what: &str,
    focus: bool,
    f: impl FnOnce(&rusqlite::Transaction<'_>, Timestamp) -> rusqlite::Result<Result<Id, String>>,
) -> Reply {
    let t = now();
    let result = super::write(conn, |tx| -> rusqlite::Result<Result<ContactDetail, String>> {
        match f(tx, t)? {
            Ok(id) => {
                follow_contact_status(tx, t)?;
                Ok(contacts::detail(tx, id, local_day_start(t))?
                    .ok_or_else(|| "the contact no longer exists".to_string()))
            }
            Err(message) => Ok(Err(message)),
        }
    });
    match result {
        Ok(Ok(detail)) => Reply::ContactChanged { detail: Box::new(detail), focus },
        // A contact asked for to work on: its own answer, which ends the type-ahead.
        Ok(Err(message)) if focus => Reply::NotTaken { message, error: false },
        Err(e) if focus => Reply::NotTaken { message: format!("{what}: {e}"), error: true },
        Ok(Err(message)) => Reply::Refused { message },
        Err(e) => failed(what, &e),
    }
}

fn resolve_customer(conn: &Connection, choice: &CustomerChoice, now: Timestamp) -> rusqlite::Result<Option<Id>> {
    match choice {
        CustomerChoice::None => Ok(None),
        CustomerChoice::Existing(id) => Ok(Some(*id)),
        CustomerChoice::New { key } => match customers::find_or_create_by_identity(conn, key, now)? {
            Some(id) => Ok(Some(id)),
            None => {
                let new =
                    customers::NewCustomer { name: crate::domain::text::sanitize(key.trim()), ..Default::default() };
                customers::insert(conn, &new, now).map(Some)
            }
        },
    }
}

fn failed(what: &str, e: &rusqlite::Error) -> Reply {
    Reply::Failed { what: what.to_string(), error: e.to_string() }
}

/// The newest search request, shared between the UI side and the search thread.
#[derive(Default)]
struct Slot {
    request: Option<SearchRequest>,
    closed: bool,
}

/// Handle to the search worker: newest query wins, a running older one is interrupted.
pub struct SearchWorker {
    slot: Arc<(Mutex<Slot>, Condvar)>,
    busy: Arc<AtomicBool>,
    interrupt: Arc<InterruptHandle>,
    thread: Option<JoinHandle<()>>,
}

impl SearchWorker {
    /// Starts the search thread on its own connection to `path`.
    pub fn spawn(path: &Path, sink: ReplySink) -> Result<Self> {
        let conn = super::connect(path)?;
        let slot = Arc::new((Mutex::new(Slot::default()), Condvar::new()));
        let busy = Arc::new(AtomicBool::new(false));
        let interrupt = Arc::new(conn.get_interrupt_handle());
        let thread = {
            let (slot, busy) = (Arc::clone(&slot), Arc::clone(&busy));
            std::thread::Builder::new()
                .name("frontline-search".into())
                .spawn(move || search_loop(&conn, &slot, &busy, &sink))?
        };
        Ok(Self { slot, busy, interrupt, thread: Some(thread) })
    }

    /// Replaces any waiting request with this one and interrupts a running search.
    pub fn submit(&self, request: SearchRequest) {
        let (lock, wake) = &*self.slot;
        lock.lock().unwrap_or_else(PoisonError::into_inner).request = Some(request);
        if self.busy.load(Ordering::Acquire) {
            self.interrupt.interrupt();
        }
        wake.notify_one();
    }
}

impl Drop for SearchWorker {
    fn drop(&mut self) {
        let (lock, wake) = &*self.slot;
        lock.lock().unwrap_or_else(PoisonError::into_inner).closed = true;
        self.interrupt.interrupt();
        wake.notify_one();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn search_loop(conn: &Connection, slot: &(Mutex<Slot>, Condvar), busy: &AtomicBool, sink: &ReplySink) {
    let (lock, wake) = slot;
    loop {
        let request = {
            let mut guard = lock.lock().unwrap_or_else(PoisonError::into_inner);
            loop {
                if guard.closed {
                    return;
                }
                if let Some(r) = guard.request.take() {
                    break r;
                }
                guard = wake.wait(guard).unwrap_or_else(PoisonError::into_inner);
            }
        };
        busy.store(true, Ordering::Release);
        let outcome = run_search(conn, &request);
        busy.store(false, Ordering::Release);
        match outcome {
            Some(Ok(reply)) => sink(reply),
            // Interrupted by a newer request: that one is already in the slot. If the
            // interrupt raced with the start of this (newest) search, run it again.
            Some(Err(rusqlite::Error::SqliteFailure(e, _))) if e.code == rusqlite::ErrorCode::OperationInterrupted => {
                let mut guard = lock.lock().unwrap_or_else(PoisonError::into_inner);
                if guard.request.is_none() && !guard.closed {
                    guard.request = Some(request);
                }
            }
            Some(Err(e)) => sink(failed("Searching", &e)),
            None => {}
        }
    }
}

fn run_search(conn: &Connection, request: &SearchRequest) -> Option<rusqlite::Result<Reply>> {
    match request {
        SearchRequest::Search { seq, query, limit } => {
            Some(kb::search(conn, query, *limit).map(|hits| Reply::KbResults { seq: *seq, hits, suggested: false }))
        }
        SearchRequest::Suggest { seq, subject, body, limit } => {
            Some(kb::suggest(conn, subject, body, *limit).map(|hits| Reply::KbResults {
                seq: *seq,
                hits,
                suggested: true,
            }))
        }
        SearchRequest::Cancel => None,
    }
}
