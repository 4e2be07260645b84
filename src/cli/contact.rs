//! The contact loop's subcommands: `frontline contact …` and `frontline followup …`.

use clap::{Args, Subcommand, ValueEnum};

/// `frontline contact …`
#[derive(Debug, Subcommand)]
pub enum ContactCommand {
    /// Put a new contact in the queue.
    #[command(
        after_help = "Example:\n  frontline contact new --channel phone --subject \"Order late\" --customer ana@example.com"
    )]
    New(NewContactArgs),
    /// Take a waiting contact (it becomes yours, active).
    #[command(after_help = "Example:\n  frontline contact accept 42 --json")]
    Accept(ContactId),
    /// Put an active contact on hold.
    #[command(after_help = "Example:\n  frontline contact hold 42")]
    Hold(ContactId),
    /// Take a contact off hold (or back from wrap-up).
    #[command(after_help = "Example:\n  frontline contact resume 42")]
    Resume(ContactId),
    /// File a note on a contact (card numbers are masked).
    #[command(after_help = "Example:\n  frontline contact note 42 \"Sent a return label\"")]
    Note(ContactText),
    /// Answer the customer: by email for email contacts; on other channels what was said is
    /// logged as a note.
    #[command(after_help = "Example:\n  frontline contact reply 42 \"Your refund is on its way.\"")]
    Reply(ContactText),
    /// Close a contact as resolved.
    #[command(after_help = "Example:\n  frontline contact resolve 42 --disposition \"Order status\"")]
    Resolve {
        #[arg(value_name = "ID")]
        id: i64,
        /// One of the configured dispositions (default: resolved).
        #[arg(long, value_name = "D")]
        disposition: Option<String>,
        /// Print the contact after the step as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Close a contact by escalating it to a department, saying why.
    #[command(
        after_help = "Example:\n  frontline contact escalate 42 --to technical --reason \"Router keeps rebooting\""
    )]
    Escalate(RouteArgs),
    /// Close a contact by transferring it to a department, saying why.
    #[command(after_help = "Example:\n  frontline contact transfer 42 --to billing --reason \"Refund over my limit\"")]
    Transfer(RouteArgs),
}

/// A contact to take a step on.
#[derive(Debug, Args)]
pub struct ContactId {
    #[arg(value_name = "ID")]
    pub id: i64,
    /// Print the contact after the step as JSON.
    #[arg(long)]
    pub json: bool,
}

/// A contact and the words for it.
#[derive(Debug, Args)]
pub struct ContactText {
    #[arg(value_name = "ID")]
    pub id: i64,
    /// The text (several words are joined with spaces).
    #[arg(required = true, num_args = 1.., value_name = "TEXT")]
    pub text: Vec<String>,
    /// Print the contact after the step as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Where an escalated or transferred contact goes, and why.
#[derive(Debug, Args)]
pub struct RouteArgs {
    #[arg(value_name = "ID")]
    pub id: i64,
    /// One of the configured departments.
    #[arg(long, value_name = "DEPT")]
    pub to: String,
    /// Why (kept on the record with your name).
    #[arg(long, value_name = "R")]
    pub reason: String,
    /// A disposition (default: escalated or transferred).
    #[arg(long, value_name = "D")]
    pub disposition: Option<String>,
    /// Print the contact after the step as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `frontline followup …`
#[derive(Debug, Subcommand)]
pub enum FollowUpCommand {
    /// Mark a follow-up done: it leaves the open list and stays in the history.
    #[command(after_help = "Example:\n  frontline followup done 7")]
    Done {
        #[arg(value_name = "ID")]
        id: i64,
        /// Print the follow-up as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Fields of `frontline contact new`.
#[derive(Debug, Args)]
pub struct NewContactArgs {
    #[arg(long, value_enum)]
    pub channel: ChannelArg,
    #[arg(long)]
    pub subject: String,
    /// Email, phone, handle, order number or id of the customer (an unknown email, phone or
    /// handle creates the customer).
    #[arg(long)]
    pub customer: Option<String>,
    #[arg(long, default_value = "")]
    pub body: String,
    /// 1 = most urgent … 4.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(1..=4))]
    pub priority: u8,
    /// Print the new contact as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Channel names on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ChannelArg {
    Phone,
    Email,
    Chat,
    Social,
    InPerson,
}

impl From<ChannelArg> for crate::domain::Channel {
    fn from(c: ChannelArg) -> Self {
        match c {
            ChannelArg::Phone => Self::Phone,
            ChannelArg::Email => Self::Email,
            ChannelArg::Chat => Self::Chat,
            ChannelArg::Social => Self::Social,
            ChannelArg::InPerson => Self::InPerson,
        }
    }
}
