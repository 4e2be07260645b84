//! The contact loop's plain vocabulary: which contacts the queue lists, and the steps a
//! contact goes through. Shared by the store (which applies them) and the state (which asks).

use super::Channel;

/// Which contacts the queue lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum QueueView {
    /// Waiting contacts, with follow-ups that have come due on top.
    #[default]
    Waiting,
    Active,
    OnHold,
    FollowUpDue,
    Escalated,
    ResolvedToday,
}

impl QueueView {
    /// Every view, in the order the filter key cycles through them.
    pub const ALL: [QueueView; 6] =
        [Self::Waiting, Self::Active, Self::OnHold, Self::FollowUpDue, Self::Escalated, Self::ResolvedToday];

    /// The name shown in the Queue pane's title.
    pub fn label(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Active => "active",
            Self::OnHold => "on hold",
            Self::FollowUpDue => "follow-ups due",
            Self::Escalated => "escalated or transferred",
            Self::ResolvedToday => "resolved today",
        }
    }
}

/// What the queue is narrowed to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct QueueFilter {
    pub view: QueueView,
    pub channel: Option<Channel>,
    /// Words that must appear in the subject or the customer's name.
    pub text: String,
}

/// A step of the contact loop, applied to a contact in one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Accept,
    Hold,
    Resume,
    WrapUp,
    Close { outcome: Outcome, disposition: String, reason: Option<String> },
    Reopen,
}

/// How a contact ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Resolve,
    Escalate(String),
    Transfer(String),
}
