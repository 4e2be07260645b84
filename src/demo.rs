//! The demo workspace: a fictional retailer's help centre, customers and a morning's
//! queue, embedded in the binary and seeded into `demo.db`. Times in the files are around
//! [`REFERENCE`] and are moved so that it becomes "now", keeping the queue's waiting
//! times and the history's ages realistic whenever the demo is created.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use include_dir::{Dir, include_dir};

use crate::domain::Timestamp;
use crate::import::kb::{self, Parsed, SourceFile};
use crate::import::knowledge;
use crate::import::records::{self, Options};
use crate::store::open::with_sidecars;
use crate::store::{self, kb as kb_store};

static DEMO: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/assets/demo");

/// The time the demo files are written around (2026-11-20T14:00:00Z).
pub const REFERENCE: Timestamp = 1_795_183_200;

/// The workspace name shown in the status bar.
pub const NAME: &str = "Larkspur Outfitters (demo)";

/// Opens the demo workspace at `path`, creating it first if it does not exist.
pub fn ensure(path: &Path, now: Timestamp) -> Result<()> {
    if !path.exists() {
        create(path, now)?;
    }
    Ok(())
}

/// Deletes and recreates the demo workspace.
pub fn reset(path: &Path, now: Timestamp) -> Result<()> {
    for p in with_sidecars(path) {
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("{}: cannot remove", p.display())),
        }
    }
    create(path, now)
}

/// Seeds a fresh file beside the target and renames it into place, so an interrupted
/// seed never leaves a half-filled demo behind.
fn create(path: &Path, now: Timestamp) -> Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".seeding");
    let tmp = PathBuf::from(tmp);
    for p in with_sidecars(&tmp) {
        let _ = std::fs::remove_file(p);
    }
    let seeded = (|| -> Result<()> {
        let mut conn = store::open_workspace(&tmp)?;
        seed(&mut conn, now)?;
        // Fold the WAL into the file so the rename moves everything.
        store::fold_wal_into_file(&conn)?;
        Ok(())
    })();
    let result =
        seeded.and_then(|()| std::fs::rename(&tmp, path).with_context(|| format!("{}: cannot create", path.display())));
    if result.is_err() {
        for p in with_sidecars(&tmp) {
            let _ = std::fs::remove_file(p);
        }
    }
    result
}

/// Fills a workspace with the demo data.
pub fn seed(conn: &mut rusqlite::Connection, now: Timestamp) -> Result<()> {
    let opts = Options { shift_seconds: now - REFERENCE, now };
    let customers = file("customers.json")?;
    let rows = records::parse_rows(Path::new("demo/customers.json"), customers)?;
    records::import_customer_rows(conn, Path::new("demo/customers.json"), rows, opts)?;
    let contacts = file("contacts.json")?;
    let rows = records::parse_rows(Path::new("demo/contacts.json"), contacts)?;
    records::import_contact_rows(conn, Path::new("demo/contacts.json"), rows, opts)?;
    knowledge::import_snippets_json(conn, Path::new("demo/snippets.json"), file("snippets.json")?, now)?;
    knowledge::import_bulletins_json(conn, Path::new("demo/bulletins.json"), file("bulletins.json")?, opts)?;
    knowledge::import_scripts_json(conn, Path::new("demo/scripts.json"), file("scripts.json")?)?;
    let articles = articles()?;
    store::write(conn, |tx| -> rusqlite::Result<()> {
        kb_store::upsert_articles(tx, &articles, now)?;
        thread_demo_emails(tx)?;
        chats_through_the_inbox(tx)?;
        store::meta_set(tx, "name", NAME)
    })?;
    Ok(())
}

fn file(name: &str) -> Result<&'static [u8]> {
    DEMO.get_file(name)
        .map(include_dir::File::contents)
        .with_context(|| format!("demo file {name} is missing from the build"))
}

/// The demo's knowledge-base articles, parsed like an import of `assets/demo/kb`.
fn articles() -> Result<Vec<kb_store::NewArticle>> {
    let mut out = Vec::new();
    let Some(root) = DEMO.get_dir("kb") else { return Ok(out) };
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        stack.extend(dir.dirs());
        for f in dir.files() {
            let rel = f.path().strip_prefix("kb").unwrap_or(f.path());
            let category = rel.parent().map(|p| kb::humanize(&p.to_string_lossy())).unwrap_or_default();
            let source = SourceFile { path: f.path().to_path_buf(), key: format!("demo/{}", rel.display()), category };
            let text = f.contents_utf8().with_context(|| format!("demo article {} is not UTF-8", rel.display()))?;
            match kb::parse(&source, text) {
                Ok(Parsed::Article(a)) => out.push(*a),
                Ok(Parsed::Skipped(_)) => {}
                Err(e) => anyhow::bail!("demo article {}: {e}", rel.display()),
            }
        }
    }
    Ok(out)
}

/// The support address the demo's customers write to, and its replies come from.
pub const SUPPORT_ADDRESS: &str = "support@larkspur.example";

/// Marks the demo's chat and social contacts as come through the inbox folder, each with a
/// conversation id, so a reply (F12) is written to `outbox/` beside the demo's inbox as in
/// real use, instead of being refused as a contact no system can be answered through.
fn chats_through_the_inbox(tx: &rusqlite::Connection) -> rusqlite::Result<()> {
    use crate::domain::Channel;
    for channel in [Channel::Chat, Channel::Social] {
        for (id, customer) in crate::store::contacts::on_channel(tx, channel)? {
            let conversation = format!("demo-{}-{id}", channel.as_str());
            crate::store::origins::record_inbox(tx, id, Some(&conversation), customer.as_deref())?;
        }
    }
    Ok(())
}

/// Replies in the demo go where a new user can read them and nowhere else: emails into the
/// `demo-outbox/` Maildir beside the demo workspace, from the support address the demo's
/// customers wrote to. What the config sets wins.
pub fn reply_defaults(intake: &mut crate::config::Intake, workspace: &Path) {
    if intake.delivery().is_none() {
        intake.outbox = Some(workspace.with_file_name("demo-outbox"));
    }
    if intake.from.is_none() && intake.support_addresses.is_empty() {
        intake.support_addresses = vec![SUPPORT_ADDRESS.into()];
        intake.from = Some(format!("Larkspur Support <{SUPPORT_ADDRESS}>"));
    }
}

/// Gives every demo email contact the message that opened it, as if it had arrived from the
/// support Maildir, so replies (F12) work in the demo like in real use.
fn thread_demo_emails(tx: &rusqlite::Connection) -> rusqlite::Result<()> {
    use crate::store::messages::{self, NewMessage};
    let openers = crate::store::contacts::email_openers(tx)?;
    for o in openers.into_iter().filter(|o| !o.from.is_empty()) {
        let (id, subject, body, at, from) = (o.contact, o.subject, o.body, o.at, o.from);
        let message = NewMessage {
            message_id: format!("demo-{id}@larkspur.example"),
            in_reply_to: None,
            references: Vec::new(),
            direction: messages::Direction::Inbound,
            sent_at: at,
            from_addr: from,
            to_addr: SUPPORT_ADDRESS.into(),
            subject,
            body,
            source: "demo".into(),
        };
        messages::insert(tx, id, &message)?;
    }
    Ok(())
}
