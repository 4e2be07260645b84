//! What the workstation asks its workers and what they answer: plain data that both sides
//! share, so the state machine never needs the store and the store never needs the state.

use std::collections::HashMap;

use crate::domain::bulletin::Bulletin;
use crate::domain::contact_loop::{Outcome, QueueFilter, Step};
use crate::domain::metrics::{Report, Settings, Trends};
use crate::domain::script::Script;
use crate::domain::shift::{Activity, Kudos, RepState, ScheduleBlock, Score};
use crate::domain::{
    Article, Channel, ContactDetail, CustomerHit, CustomerRecord, Id, KbHit, Note, QueueRow, Snippet, Timestamp,
};

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
    /// A contact in progress again, after another program changed the workspace.
    RefreshContact {
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
    AcceptNext {
        /// The queue's channel and text filter: F2 takes the next contact the rep sees.
        filter: QueueFilter,
    },
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
    SaveSelfReview {
        contact: Id,
        scores: Vec<Score>,
    },
    /// Save the profile editor's changes (each logged in the customer's history).
    EditCustomer(CustomerEdit),
    /// A promise kept, or a follow-up done, on a customer's record.
    MarkKept {
        customer: Id,
        item: Keepable,
    },
    /// Merge `absorb` into `keep` in one transaction.
    MergeCustomers {
        keep: Id,
        absorb: Id,
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
    /// A draft help-centre article from a resolved contact's notes.
    DraftArticle {
        contact: Id,
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
    /// Answered once every request sent before it is done: quitting waits for it to know
    /// whether the last saves reached the disk.
    QuitCheck,
    /// The rep used `article` after searching for `query`: remember it for later searches.
    RecordArticleUse {
        query: String,
        article: Id,
    },
    /// The rep's name kept in the workspace (asked once, for signatures and escalations).
    LoadRepName,
    SaveRepName {
        name: String,
    },
    /// Who a reply to this contact would reach, shown before it is sent.
    ReplyRecipients {
        contact: Id,
    },
    /// Undo a script step's tick (the note it wrote stays; another says it was undone).
    UntickStep {
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

/// The profile editor's values for one customer, and an identity to add.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerEdit {
    pub id: Id,
    pub profile: ProfileValues,
    pub flags: CustomerFlags,
    pub add_identity: Option<String>,
}

/// The profile's text fields; an empty one is cleared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileValues {
    pub name: String,
    pub company: String,
    pub tier: String,
    pub language: String,
    /// An IANA name like America/Chicago.
    pub timezone: String,
    pub pinned_note: String,
}

/// The flags a customer can carry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CustomerFlags {
    pub vip: bool,
    pub fraud_watch: bool,
    pub do_not_contact: bool,
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
    /// The rep's name, kept beside an escalation's reason.
    pub by: Option<String>,
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
        /// Articles in the knowledge base; -1 when not counted (a queue with rows).
        articles: i64,
        /// Another connection (mail intake, the help desk's sync, the command line) committed
        /// since the worker's last queue read: the open contact may have changed too.
        changed_elsewhere: bool,
    },
    Contact {
        seq: u64,
        detail: Option<Box<ContactDetail>>,
    },
    /// The contact asked for could not be read.
    OpenFailed {
        seq: u64,
        error: String,
    },
    /// A contact in progress as stored now (None: it is gone).
    ContactRefreshed {
        id: Id,
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
    /// The reply did not go out; it stays a draft.
    ReplyFailed {
        contact: Id,
        error: String,
    },
    Schedule {
        blocks: Vec<ScheduleBlock>,
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
    /// Every request before [`Request::QuitCheck`] is done.
    QuitReady,
    /// The rep's name kept in the workspace, if they gave it.
    RepName {
        name: Option<String>,
    },
    /// The contact to accept is a team contact: the help desk must take it first.
    ClaimNeeded {
        contact: Id,
        ticket: String,
        /// Accepted by F2: if someone else wins the ticket, move on to the next.
        then_next: bool,
    },
    /// Someone else took the ticket first; `then_next` asks for the next contact.
    LostRace {
        message: String,
        then_next: bool,
    },
    /// One poll of the team's help desk.
    TeamSynced {
        online: bool,
        /// Actions still waiting in the journal.
        pending: i64,
        /// What the rep should be told ("#41 was taken by rep2 while you were offline").
        notices: Vec<String>,
        /// Something changed (the queue should be read again).
        changed: bool,
    },
    /// Who a reply would reach, or why the contact cannot be answered.
    Recipients {
        contact: Id,
        recipients: Result<ReplyAddresses, String>,
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
    /// What the database holds for the palette's text (it adds its own entries).
    PaletteHits {
        seq: u64,
        snippets: Vec<Snippet>,
        articles: Vec<KbHit>,
        customers: Vec<CustomerHit>,
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
    /// A tick was undone; `note` says so on the contact.
    StepUnticked {
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
        kind: DraftKind,
    },
    /// A draft could not be written (full disk, read-only file, I/O error); the editor
    /// still holds the text.
    DraftFailed {
        contact: Id,
        kind: DraftKind,
        body: String,
        error: String,
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

/// "My numbers": today's and this week's figures and the day's trends.
#[derive(Debug, Clone, PartialEq)]
pub struct DashboardData {
    pub today: Report,
    pub week: Report,
    pub trends: Trends,
}

/// Which of a contact's two editors a draft belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DraftKind {
    Notes,
    Reply,
}

/// Work for the jobs worker: anything that waits on the outside world or reads big inputs.
#[derive(Debug, Clone, PartialEq)]
pub enum Job {
    /// Read the Maildirs and the inbox folder into the queue.
    SyncIntake { maildirs: Vec<std::path::PathBuf>, inbox: Option<std::path::PathBuf> },
    /// Send the reply by the configured way and record it on the contact.
    SendReply { contact: Id, body: String },
    /// Erase a customer for good: the inbox's kept files, then the workspace.
    ForgetCustomer { id: Id },
}

impl Job {
    /// What quitting leaves undone if this job has not finished; a sync is simply done
    /// again at the next start.
    pub fn left_undone(&self) -> Option<String> {
        match self {
            Self::SyncIntake { .. } => None,
            Self::ForgetCustomer { id } => Some(format!("erasing customer #{id} did not finish; run it again")),
            Self::SendReply { contact, .. } => {
                Some(format!("the reply to contact #{contact} was not confirmed sent; it is kept as a draft"))
            }
        }
    }
}

/// Who a reply goes to and from, as the reply pane shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyAddresses {
    /// "alice@example.com", "the chat (via the outbox)", "Maria (said on the phone)"…
    pub to: String,
    pub from: String,
}

/// Work for the team worker (team mode only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TeamRequest {
    /// Take the ticket in the help desk, then accept the contact if the take is confirmed.
    Claim { contact: Id, ticket: String, then_next: bool },
    /// Push the journal and pull the change feed now (after a local action).
    SyncNow,
}

/// What can be marked kept or done on a customer's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keepable {
    /// A promise (a note of kind promise).
    Promise(Id),
    FollowUp(Id),
}
