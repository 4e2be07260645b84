//! The store worker: the rep's words (drafts, notes, the reply draft) and the contact loop,
//! with the short indexed reads that must see them. Only short transactions run here;
//! anything slow goes to the jobs worker, so a save is never queued behind one.

use std::path::Path;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;

use anyhow::Result;
use rusqlite::Connection;

use super::Settings;
use super::{ReplySink, contacts, customers, knowledge, notes, shift};
use crate::protocol::{Reply, Request};

enum Job {
    Work(Request),
    /// Answer once every earlier job is done (used before exiting).
    Flush(Sender<()>),
}

/// Handle to the store worker.
pub struct StoreWorker {
    jobs: Sender<Job>,
    thread: Option<JoinHandle<()>>,
}

impl StoreWorker {
    /// Starts the worker on its own connection to `path`.
    pub fn spawn(path: &Path, sink: ReplySink) -> Result<Self> {
        Self::spawn_with(path, Settings::default(), sink)
    }

    /// Starts the worker; `settings` let it say who a reply will reach before it is sent.
    pub fn spawn_with(path: &Path, settings: Settings, sink: ReplySink) -> Result<Self> {
        let conn = crate::store::connect(path)?;
        let (jobs, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("frontline-store".into())
            .spawn(move || db_loop(conn, &rx, &settings, &sink))?;
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

impl Drop for StoreWorker {
    fn drop(&mut self) {
        // Closing the channel ends the loop; the connection closes with the thread.
        let (closed, _) = mpsc::channel();
        self.jobs = closed;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn db_loop(mut conn: Connection, rx: &Receiver<Job>, settings: &Settings, sink: &ReplySink) {
    let mut seen_version: Option<i64> = None;
    // The files this connection writes to; if someone deletes or replaces them under us
    // (the -wal removed by hand, the file moved), every later write would vanish: refuse.
    let files = crate::store::open::WorkspaceFiles::record(&conn).ok();
    while let Ok(job) = rx.recv() {
        crate::fault::worker_panic_if_asked();
        match job {
            Job::Flush(ack) => {
                let _ = ack.send(());
            }
            Job::Work(request) => {
                let moved = files.as_ref().and_then(|f| crate::store::open::check_files_unchanged(f).err());
                let reply = match moved {
                    Some(moved) => refused_after_move(request, &moved),
                    None => serve(&mut conn, request, settings, &mut seen_version),
                };
                sink(reply);
            }
        }
    }
}

/// The answer to every request once the workspace's files changed under the worker: a
/// draft keeps its text (so quitting offers the recovery file), anything else says why.
fn refused_after_move(request: Request, moved: &crate::store::open::WorkspaceMoved) -> Reply {
    let error = moved.to_string();
    match request {
        Request::SaveDraft { contact, body } => {
            Reply::DraftFailed { contact, kind: crate::protocol::DraftKind::Notes, body, error }
        }
        Request::SaveReplyDraft { contact, body } => {
            Reply::DraftFailed { contact, kind: crate::protocol::DraftKind::Reply, body, error }
        }
        Request::SaveNote { contact, body } => Reply::NoteFailed { contact, body, error },
        Request::QuitCheck => Reply::QuitReady,
        _ => Reply::Failed { what: "Stopped writing".into(), error },
    }
}

/// Answers one request; each area's handlers sit in their own module.
fn serve(conn: &mut Connection, request: Request, settings: &Settings, seen_version: &mut Option<i64>) -> Reply {
    match request {
        Request::Queue { seq, filter, only_if_changed } => {
            contacts::queue(conn, seq, &filter, only_if_changed, seen_version)
        }
        Request::OpenContact { seq, id } => contacts::open_contact(conn, seq, id),
        Request::RefreshContact { id } => contacts::refresh_contact(conn, id),
        Request::LoadStrip => contacts::load_strip(conn),
        Request::AcceptNext { filter } => contacts::accept_next(conn, &filter),
        Request::StartFollowUp { follow_up } => contacts::start_follow_up(conn, follow_up),
        Request::Step { id, step } => contacts::step(conn, id, &step),
        Request::LogContact(new) => contacts::log_contact(conn, &new),
        Request::UpdateContact(update) => contacts::update_contact(conn, &update),
        Request::Finish(finish) => contacts::finish(conn, finish),
        Request::SaveDraft { contact, body } => notes::save_draft(conn, contact, &body),
        Request::SaveNote { contact, body } => notes::save_note(conn, contact, &body),
        Request::SaveReplyDraft { contact, body } => notes::save_reply_draft(conn, contact, &body),
        Request::SearchCustomers { seq, query } => customers::search(conn, seq, &query),
        Request::OpenCustomer { seq, id } => customers::open(conn, seq, id),
        Request::EditCustomer(edit) => customers::edit(conn, &edit),
        Request::MergeCustomers { keep, absorb } => customers::merge(conn, keep, absorb),
        Request::MarkKept { customer, item } => customers::mark_kept(conn, customer, item),
        Request::Article { seq, id } => knowledge::article(conn, seq, id),
        Request::PaletteSearch { seq, query, snippets_only } => {
            knowledge::palette_search(conn, seq, &query, snippets_only)
        }
        Request::RecordPaletteUse { key } => knowledge::record_palette_use(conn, key),
        Request::LoadPaletteUsage => knowledge::load_palette_usage(conn),
        Request::SaveSnippet { id, title, body } => knowledge::save_snippet(conn, id, &title, &body),
        Request::DeleteSnippet { id } => knowledge::delete_snippet(conn, id),
        Request::DraftArticle { contact } => knowledge::draft_article(conn, contact, &settings.invocation),
        Request::LoadBulletins => knowledge::load_bulletins(conn),
        Request::MarkBulletinsRead { ids } => knowledge::mark_bulletins_read(conn, &ids),
        Request::LoadScripts { contact } => knowledge::load_scripts(conn, contact),
        Request::TickStep { contact, script, step } => knowledge::tick_step(conn, contact, script, step),
        Request::UntickStep { contact, script, step } => knowledge::untick_step(conn, contact, script, step),
        Request::StartShift => shift::start_shift(conn),
        Request::LoadShift => shift::load_shift(conn),
        Request::SetStatus { state } => shift::set_status(conn, state),
        Request::CheckBreather { after, minutes } => shift::check_breather(conn, after, minutes),
        Request::StartBreather { minutes } => shift::start_breather(conn, minutes),
        Request::LoadSchedule => shift::load_schedule(conn),
        Request::AddBlock { start, end, activity } => shift::add_block(conn, start, end, activity),
        Request::RemoveBlock { id } => shift::remove_block(conn, id),
        Request::LoadKudos => shift::load_kudos(conn),
        Request::SaveSelfReview { contact, scores } => shift::save_self_review(conn, contact, &scores),
        Request::Dashboard { seq, settings } => shift::dashboard(conn, seq, &settings),
        Request::QuitCheck => Reply::QuitReady,
        Request::RecordArticleUse { query, article } => knowledge::record_article_use(conn, &query, article),
        Request::LoadRepName => shift::load_rep_name(conn),
        Request::SaveRepName { name } => shift::save_rep_name(conn, &name),
        Request::ReplyRecipients { contact } => notes::reply_recipients(conn, contact, &settings.replies),
    }
}
