//! The command line: global options and subcommands.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

mod contact;
pub use contact::{ChannelArg, ContactCommand, ContactId, ContactText, FollowUpCommand, NewContactArgs, RouteArgs};

/// A keyboard-first terminal workstation for customer-service representatives.
#[derive(Debug, Parser)]
#[command(name = "frontline", version, about, long_about = None, after_help = EXAMPLES)]
pub struct Cli {
    /// Workspace database file (default: the data dir's frontline.db).
    #[arg(long, global = true, env = "FRONTLINE_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Config file (default: the config dir's config.toml).
    #[arg(long, global = true, env = "FRONTLINE_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Open the demo workspace (created on first use).
    #[arg(long)]
    pub demo: bool,

    /// Log more to the log file: -v info, -vv debug, -vvv trace (default: warnings only).
    /// Logs never go to the terminal.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The `FRONTLINE_*` variables behind global options, with the option each one sets.
const OPTION_VARIABLES: [(&str, &str); 2] = [("db", "FRONTLINE_DB"), ("config", "FRONTLINE_CONFIG")];

/// The command line's definition, where a `FRONTLINE_*` variable set to nothing counts as
/// unset (as in most tools: `FRONTLINE_DB= frontline` opens the default workspace) instead
/// of failing every command with "a value is required for '--db'".
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    OPTION_VARIABLES.iter().fold(Cli::command(), |cmd, (option, variable)| {
        if std::env::var_os(variable).is_some_and(|v| v.is_empty()) {
            cmd.mut_arg(*option, |arg| arg.env(None::<&str>))
        } else {
            cmd
        }
    })
}

const EXAMPLES: &str = "Examples:
  frontline --demo                      open the workstation on the demo workspace
  frontline                             open your own workspace
  frontline kb search \"refund window\"   search the knowledge base
  frontline import kb ./help-centre     import Markdown articles
  frontline db path                     show where your data lives
  frontline -vv import customers c.csv  log debug detail to the log file";

/// What to do instead of opening the workstation.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the demo workspace, or recreate it with --reset.
    #[command(after_help = "Examples:\n  frontline demo --reset\n  frontline demo --json")]
    Demo {
        /// Delete and recreate the demo workspace.
        #[arg(long)]
        reset: bool,
        /// Print {path, action} as JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Bring articles, customers or contacts in from files.
    #[command(
        subcommand,
        after_help = "Examples:\n  frontline import customers customers.csv\n  frontline import kb ./help-centre --json"
    )]
    Import(ImportCommand),
    /// Search the knowledge base.
    #[command(subcommand, after_help = "Example:\n  frontline kb search \"refund window\" --json")]
    Kb(KbCommand),
    /// List the waiting contacts, most urgent first.
    #[command(after_help = "Example:\n  frontline queue --json")]
    Queue {
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Work a contact from the shell: create, accept, hold, resume, note, reply, resolve,
    /// escalate or transfer (the same rules as the workstation's keys).
    #[command(
        subcommand,
        after_help = "Examples:
  frontline contact new --channel email --subject \"Where is my order?\" --customer ana@example.com
  frontline contact accept 42
  frontline contact note 42 \"Sent a return label\"
  frontline contact escalate 42 --to technical --reason \"Router keeps rebooting\""
    )]
    Contact(ContactCommand),
    /// List the follow-ups not yet done, soonest first.
    #[command(after_help = "Examples:\n  frontline followups\n  frontline followups --due --json")]
    Followups {
        /// Only those due now.
        #[arg(long)]
        due: bool,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Mark a follow-up done.
    #[command(subcommand, after_help = "Example:\n  frontline followup done 7")]
    Followup(FollowUpCommand),
    /// Show, find or forget a customer.
    #[command(
        subcommand,
        after_help = "Examples:\n  frontline customer show ana@example.com --json\n  frontline customer search 0142"
    )]
    Customer(CustomerCommand),
    /// Write customers, contacts or notes to a file (or stdout) for a spreadsheet or another tool.
    #[command(after_help = "Examples:
  frontline export customers --format csv --out customers.csv
  frontline export customers --out customers.json      (re-imports with `frontline import customers`)
  frontline export contacts --format md --customer ana@example.com
  frontline export notes --format csv --from 2026-11-01 --to 2026-11-30
  frontline export snippets --out snippets.json        (re-imports with `frontline import snippets`)")]
    Export(ExportArgs),
    /// Look at the workspace file.
    #[command(subcommand, after_help = "Examples:\n  frontline db path\n  frontline db check --json")]
    Db(DbCommand),
    /// Show the config file's location, or print the commented default config.
    #[command(
        after_help = "Examples:\n  frontline config --default > ~/.config/frontline/config.toml\n  frontline config --check\n  frontline --config team.toml config --check --json"
    )]
    Config {
        /// Print the commented default configuration.
        #[arg(long)]
        default: bool,
        /// Read the config file and report every problem in it.
        #[arg(long, conflicts_with = "default")]
        check: bool,
        /// Print the path (and with --check the problems) as JSON for scripts.
        #[arg(long, conflicts_with = "default")]
        json: bool,
    },
    /// List every action with its keys in each pane (after your config's changes).
    #[command(after_help = "Examples:\n  frontline keys\n  frontline keys --json")]
    Keys {
        /// Print [{scope, action, keys, desc}] as JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Handle time, speed of answer, hold, FCR, CSAT, SLA, adherence and QA over a window.
    #[command(
        after_help = "Examples:\n  frontline report\n  frontline report --from 2026-11-01 --to 2026-11-30 --json"
    )]
    Report {
        /// First day (local, YYYY-MM-DD) or RFC 3339 time; default: today.
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// Last day, included (local, YYYY-MM-DD), or RFC 3339 time, excluded; default: today.
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Team mode: the shared queue in the team's help desk (the `[team]` table).
    #[command(
        subcommand,
        after_help = "Examples:\n  frontline team status --json\n  frontline team sync\n  frontline team take 41"
    )]
    Team(TeamCommand),
    /// Print a shell completion script to stdout.
    #[command(after_help = "Examples:
  frontline completions bash > ~/.local/share/bash-completion/completions/frontline
  frontline completions zsh > ~/.zfunc/_frontline      (with fpath+=~/.zfunc before compinit)
  frontline completions fish > ~/.config/fish/completions/frontline.fish")]
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page, or write one page per subcommand into a folder.
    #[command(after_help = "Examples:
  frontline man | man -l -
  frontline man --out ~/.local/share/man/man1")]
    Man {
        /// Write frontline.1 and a page per subcommand (frontline-import-kb.1, …) here.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Show your status and how long you have been in it, or set it (logged; a running
    /// workstation picks it up within a second).
    #[command(after_help = "Examples:
  frontline status
  frontline status break
  frontline status available --json

States: available, on_contact, after_contact_work (acw), break, lunch, training, meeting, offline")]
    Status {
        /// The state to log; without it, print the current one.
        #[arg(value_parser = parse_state, value_name = "STATE")]
        state: Option<crate::domain::shift::RepState>,
        /// Print {state, since, seconds} as JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Load or show your schedule (work, break, lunch, training and meeting blocks).
    #[command(
        subcommand,
        after_help = "Examples:\n  frontline schedule import today.csv\n  frontline schedule show --date 2026-11-20 --json"
    )]
    Schedule(ScheduleCommand),
    /// List the customers' thank-you messages you kept, newest first; `kudos add` keeps one.
    #[command(
        args_conflicts_with_subcommands = true,
        after_help = "Examples:\n  frontline kudos\n  frontline kudos --json\n  frontline kudos add \"Thanks, you saved my trip!\" --contact 42"
    )]
    Kudos {
        #[command(subcommand)]
        command: Option<KudosCommand>,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Read Maildir folders: new email becomes contacts in the queue, replies join their thread.
    #[command(after_help = "Examples:
  frontline sync                                   the [intake] maildirs of your config
  frontline sync --maildir ~/Mail/support/INBOX    this folder instead (repeatable)
  frontline sync --json

The Maildirs are only read, never changed; reading one again adds nothing twice.
Malformed messages are listed with their file name and skipped.")]
    Sync {
        /// A Maildir (with cur/ and new/) to read instead of the configured ones; repeatable.
        #[arg(long, value_name = "PATH")]
        maildir: Vec<PathBuf>,
        /// Print one summary object per folder as JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Pick up the JSON contact files waiting in the inbox folder (once).
    #[command(after_help = "Examples:
  frontline inbox                      the default inbox (inbox/ beside the workspace, or [intake] inbox)
  frontline inbox ~/drop/contacts      another folder
  frontline inbox --json

Each NAME.json (the fields of `frontline import contacts`, one object per file) is imported
and moved to done/, or moved to rejected/ beside a NAME.error saying why. Write files to the
inbox's tmp/ (or as a .dotfile) and rename them in when complete.")]
    Inbox {
        /// The folder to read (default: the configured or default inbox).
        #[arg(value_name = "PATH")]
        path: Option<PathBuf>,
        /// Print the summary as JSON for scripts.
        #[arg(long)]
        json: bool,
    },
}

/// Reads a status name for `frontline status`.
fn parse_state(s: &str) -> Result<crate::domain::shift::RepState, String> {
    crate::domain::shift::RepState::parse(s).ok_or_else(|| {
        "expected one of available, on_contact, after_contact_work, break, lunch, training, meeting, offline".into()
    })
}

/// `frontline schedule …`
/// `frontline team …`.
#[derive(Debug, Subcommand)]
pub enum TeamCommand {
    /// Which help desk, as whom, online or not, the last sync and the actions waiting.
    #[command(after_help = "Example:\n  frontline team status --json")]
    Status {
        /// Print {backend, url, user, online, last_sync, pending} as JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Send the journal's waiting actions, then read the help desk's changes once.
    #[command(after_help = "Example:\n  frontline team sync --json")]
    Sync {
        /// Print what was sent and read as JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Take a ticket in the help desk (exit 1 when someone else has it).
    #[command(after_help = "Example:\n  frontline team take 41")]
    Take {
        /// The help desk's ticket id.
        ticket: String,
        /// Print {ticket, taken, owner} as JSON for scripts.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// Load blocks from a .csv (start,end,activity; RFC 3339 or "YYYY-MM-DD HH:MM" local
    /// times) or an .ics calendar; the file replaces the blocks in the time it covers.
    #[command(after_help = "Examples:
  frontline schedule import today.csv
  frontline schedule import week.ics

CSV:
  start,end,activity
  2026-11-20 09:00,2026-11-20 10:30,work
  2026-11-20 10:30,2026-11-20 10:45,break")]
    Import {
        file: PathBuf,
        /// Print the summary as JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Print a day's blocks and the adherence so far.
    #[command(after_help = "Examples:\n  frontline schedule show\n  frontline schedule show --date 2026-11-20 --json")]
    Show {
        /// The local day (YYYY-MM-DD); default: today.
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
}

/// `frontline kudos …`
#[derive(Debug, Subcommand)]
pub enum KudosCommand {
    /// Keep a customer's thank-you message.
    #[command(after_help = "Example:\n  frontline kudos add \"Thanks, you saved my trip!\" --contact 42")]
    Add {
        /// The message.
        text: String,
        /// The contact it came from (its customer is linked too).
        #[arg(long, value_name = "ID")]
        contact: Option<i64>,
    },
}

/// `frontline import …`
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Markdown files or folders (optional YAML front matter; folders become categories).
    #[command(after_help = "Example:\n  frontline import kb ./docs/help-centre")]
    Kb {
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Print the summary as JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Customers from .json (with nested orders and billing) or .csv.
    #[command(after_help = "Example:\n  frontline import customers customers.json")]
    Customers {
        file: PathBuf,
        /// Print the summary as JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Contacts (with history) from .json or .csv.
    #[command(after_help = "Example:\n  frontline import contacts contacts.csv")]
    Contacts {
        file: PathBuf,
        /// Print the summary as JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Snippets (canned responses) from a .json array of {title, body}, or a .md file or folder.
    #[command(after_help = "Examples:
  frontline import snippets snippets.json        (what `frontline export snippets` writes)
  frontline import snippets ./snippets           (one .md file per snippet; title from front matter or # heading)")]
    Snippets {
        #[arg(value_name = "FILE")]
        path: PathBuf,
        /// Print the summary as JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Bulletins (incidents and policy updates) from a .json array of
    /// {title, body, kind, starts_at, ends_at, keywords}.
    #[command(after_help = "Example:\n  frontline import bulletins bulletins.json")]
    Bulletins {
        file: PathBuf,
        /// Print the summary as JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Scripts (guided checklists) from a .json array of {name, steps: [{text, required}], keywords}.
    #[command(after_help = "Example:\n  frontline import scripts scripts.json")]
    Scripts {
        file: PathBuf,
        /// Print the summary as JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// QA scores from a .csv (contact_id,reviewer,criterion,met with met = yes, no or na;
    /// optional weight and at) or a .json array of the same objects.
    #[command(after_help = "Examples:
  frontline import qa reviews.csv

CSV:
  contact_id,reviewer,criterion,met
  42,Dana,greeting,yes
  42,Dana,identity_verified,na
  42,Dana,accurate_answer,no")]
    Qa {
        file: PathBuf,
        /// Print the summary as JSON for scripts.
        #[arg(long)]
        json: bool,
    },
}

/// `frontline kb …`
#[derive(Debug, Subcommand)]
pub enum KbCommand {
    /// Search articles with the same ranking as the workstation.
    #[command(after_help = "Example:\n  frontline kb search \"refund window\" --limit 5")]
    Search {
        /// Words to search for; any text is accepted.
        #[arg(required = true, num_args = 1..)]
        query: Vec<String>,
        /// Most results to print.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Draft articles written from resolved contacts, for the help centre.
    #[command(
        subcommand,
        after_help = "Example:\n  frontline kb draft from-contact 42\n  frontline kb draft export 3 --out article.md"
    )]
    Draft(KbDraftCommand),
}

/// `frontline kb draft …`
#[derive(Debug, Subcommand)]
pub enum KbDraftCommand {
    /// Turn a resolved contact's notes into a draft article (kept in the workspace).
    #[command(name = "from-contact", after_help = "Example:\n  frontline kb draft from-contact 42")]
    FromContact {
        id: i64,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Every draft article, newest first.
    #[command(after_help = "Example:\n  frontline kb draft list --json")]
    List {
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// A draft as Markdown with front matter (title, tags, draft: true) for the help centre.
    #[command(after_help = "Example:\n  frontline kb draft export 3 --out returns-after-30-days.md")]
    Export {
        id: i64,
        /// Write to this file (created private) instead of standard output.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
}

/// `frontline db …`
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Print the workspace file's path.
    #[command(after_help = "Examples:\n  frontline db path\n  frontline --demo db path --json")]
    Path {
        /// Print {path, exists} as JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Run SQLite's integrity check on the workspace.
    #[command(after_help = "Examples:\n  frontline db check\n  frontline db check --json")]
    Check {
        /// Print {path, ok, integrity, customers, articles} as JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Write a consistent copy of the workspace (safe while the workstation is running).
    #[command(
        after_help = "Examples:\n  frontline db backup ~/backups/frontline-$(date +%F).db\n  frontline db backup /media/usb/frontline.db --force"
    )]
    Backup {
        /// Where to write the copy (created 0600; must not exist unless --force).
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Replace FILE if it exists.
        #[arg(long)]
        force: bool,
        /// Print {workspace, file, pages, bytes} as JSON for scripts.
        #[arg(long)]
        json: bool,
    },
}

/// `frontline customer …`
#[derive(Debug, Subcommand)]
pub enum CustomerCommand {
    /// Print a customer's whole record: profile, flags, identities, orders, billing, promises, timeline.
    #[command(after_help = "Examples:
  frontline customer show ana@example.com
  frontline customer show \"+1 503 555 0142\" --json
  frontline customer show LK-104233
  frontline customer show 42")]
    Show {
        /// Any email, phone, @handle, order number or customer id.
        key: String,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Find customers by part of a name, the last 4+ digits of a phone, an email, a handle or
    /// an order number.
    #[command(after_help = "Examples:
  frontline customer search priya
  frontline customer search 0162
  frontline customer search \"ana ruiz\" --json")]
    Search {
        /// What to look for; several words must all appear in the name.
        #[arg(required = true, num_args = 1..)]
        query: Vec<String>,
        /// Most customers to list.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Erase a customer and everything that identifies them; their contacts stay, anonymised, for metrics.
    #[command(after_help = "Examples:
  frontline customer forget ana@example.com          (asks you to type the customer's name)
  frontline customer forget ana@example.com --yes    (no question; for scripts)")]
    Forget {
        /// Any email, phone, @handle, order number or customer id.
        key: String,
        /// Do not ask for confirmation (required when not run from a terminal).
        #[arg(long)]
        yes: bool,
        /// Print what was erased as JSON for scripts.
        #[arg(long)]
        json: bool,
    },
}

/// What `frontline export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportWhat {
    Customers,
    Contacts,
    Notes,
    /// Canned responses, as JSON that `frontline import snippets` reads back.
    Snippets,
}

/// Export file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Json,
    Jsonl,
    Csv,
    /// A readable transcript (contacts only).
    Md,
}

/// Arguments of `frontline export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// What to export.
    #[arg(value_enum)]
    pub what: ExportWhat,
    #[arg(long, value_enum, default_value = "json")]
    pub format: ExportFormat,
    /// Write to this file (created private, mode 0600) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Only records created on or after this day (local, YYYY-MM-DD) or RFC 3339 time.
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Only records created up to this day, included (local), or before this RFC 3339 time.
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Only this customer's records (any email, phone, @handle, order number or id).
    #[arg(long, value_name = "KEY")]
    pub customer: Option<String>,
    /// Leave internal notes out of a Markdown transcript (`--format md`), e.g. to send it to
    /// the customer.
    #[arg(long)]
    pub without_notes: bool,
}
