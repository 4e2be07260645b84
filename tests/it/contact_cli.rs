//! The contact loop from the shell, through the real binary: `frontline contact
//! accept|hold|resume|note|reply|resolve|escalate|transfer`, `followups`, `followup done`
//! and `customer search`, with the workstation's rules — and their refusals as one line
//! naming the contact, exit 1.

use std::path::Path;

use serde_json::Value;

use crate::common::{Output, Sandbox};

const CUSTOMERS: &str = r#"[
  { "name": "Ana Ruiz", "email": "ana.ruiz@example.com", "phone": "+1 503 555 0142",
    "orders": [ { "number": "LK-300001", "placed_at": "2026-06-11T17:22:00Z", "status": "delivered",
                  "total": "44.95", "currency": "USD", "items": "Headlamp" },
                { "number": "LK-300002", "placed_at": "2026-07-01T10:00:00Z", "status": "delivered",
                  "total": "1200", "currency": "JPY", "items": "Tenugui" } ],
    "billing": [ { "at": "2026-06-11T17:23:00Z", "kind": "charge", "amount": "44.95", "currency": "USD",
                   "description": "Order LK-300001" } ] },
  { "name": "Priya Raman", "email": "priya@example.net", "phone": "(971) 555-0162" }
]"#;

/// The one error line of a refused command, checked to be exactly one line and exit 1.
fn refused(out: &Output, needles: &[&str]) {
    assert_eq!(out.code, 1, "exit code; stdout:\n{}\nstderr:\n{}", out.stdout, out.stderr);
    let lines: Vec<&str> = out.stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line on stderr, got:\n{}", out.stderr);
    for needle in needles {
        assert!(lines[0].contains(needle), "{needle:?} missing from: {}", lines[0]);
    }
}

impl Sandbox {
    /// Two customers, and a waiting contact for Ana on `channel`; returns the contact's id.
    fn with_contact(&self, channel: &str) -> i64 {
        let file = self.write("customers.json", CUSTOMERS);
        self.ok(&["import", "customers", file.to_str().unwrap()]);
        self.new_contact(channel)
    }

    fn new_contact(&self, channel: &str) -> i64 {
        let args =
            ["contact", "new", "--channel", channel, "--subject", "Router", "--customer", "ana.ruiz@example.com"];
        let created = self.json(&[&args[..], &["--json"]].concat());
        created["id"].as_i64().unwrap()
    }

    /// `frontline contact VERB ID [ARGS] --json`: the contact after the step.
    fn step(&self, verb: &str, id: i64, args: &[&str]) -> Value {
        let id = id.to_string();
        self.json(&[&["contact", verb, id.as_str()], args, &["--json"]].concat())
    }

    fn event_kinds(&self, id: i64) -> Vec<String> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT kind FROM contact_events WHERE contact_id = ?1 ORDER BY at, id").unwrap();
        stmt.query_map([id], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    }
}

#[test]
fn accept_hold_resume_and_resolve_follow_the_workstation_rules_and_log_every_step() {
    let sb = Sandbox::new();
    let id = sb.with_contact("phone");
    let c = sb.step("accept", id, &[]);
    assert_eq!(c["status"], "active");
    assert_eq!(c["customer_name"], "Ana Ruiz");
    assert!(c["accepted_at"].as_str().unwrap().ends_with('Z'), "RFC 3339: {c}");
    assert_eq!(sb.json(&["status", "--json"])["state"], "on_contact", "the rep's status follows the work");

    assert_eq!(sb.step("hold", id, &[])["status"], "on_hold");
    assert_eq!(sb.step("resume", id, &[])["status"], "active");
    let done = sb.step("resolve", id, &["--disposition", "refund issued"]);
    assert_eq!(done["status"], "resolved");
    assert_eq!(done["disposition"], "refund_issued", "the configured spelling");
    assert_eq!(sb.event_kinds(id), ["create", "accept", "hold", "resume", "resolve"]);

    let text = sb.ok(&["contact", "accept", &sb.new_contact("chat").to_string()]).stdout;
    assert!(text.starts_with("Accepted\n#") && text.contains("active · chat · Router (Ana Ruiz)"), "{text}");
}

#[test]
fn a_step_the_contact_is_not_in_a_state_for_is_refused_with_why_and_changes_nothing() {
    let sb = Sandbox::new();
    let id = sb.with_contact("phone");
    sb.step("accept", id, &[]);
    let again = sb.run(&["contact", "accept", &id.to_string()]);
    refused(&again, &[&format!("contact #{id}"), "cannot accept a contact that is active"]);
    assert!(again.stdout.is_empty(), "{}", again.stdout);
    refused(&sb.run(&["contact", "resume", &id.to_string()]), &[&format!("contact #{id}"), "cannot resume"]);
    assert_eq!(sb.event_kinds(id), ["create", "accept"], "nothing written by the refusals");

    let bad = sb.run(&["contact", "resolve", &id.to_string(), "--disposition", "made up"]);
    refused(&bad, &[&format!("contact #{id}"), "--disposition", "made up", "answered"]);
    let nowhere = sb.run(&["contact", "escalate", &id.to_string(), "--to", "moon", "--reason", "r"]);
    refused(&nowhere, &[&format!("contact #{id}"), "--to", "moon", "technical"]);
    assert_eq!(sb.json(&["contact", "hold", &id.to_string(), "--json"])["status"], "on_hold", "still open");
}

#[test]
fn an_unknown_contact_is_one_line_naming_it_for_every_step() {
    let sb = Sandbox::new();
    sb.with_contact("phone");
    for args in [
        &["contact", "accept", "9999"][..],
        &["contact", "hold", "9999"],
        &["contact", "resume", "9999"],
        &["contact", "note", "9999", "hello"],
        &["contact", "reply", "9999", "hello"],
        &["contact", "resolve", "9999"],
        &["contact", "escalate", "9999", "--to", "technical", "--reason", "r"],
        &["contact", "transfer", "9999", "--to", "billing", "--reason", "r"],
    ] {
        refused(&sb.run(args), &["contact #9999", "no such contact"]);
    }
    assert_eq!(sb.count("notes"), 0);
}

#[test]
fn notes_and_spoken_replies_are_masked_and_kept_on_the_contact() {
    let sb = Sandbox::new();
    let id = sb.with_contact("phone");
    sb.step("accept", id, &[]);
    let c = sb.step("note", id, &["Card", "4111 1111 1111 1111", "was", "declined"]);
    let body = c["notes"][0]["body"].as_str().unwrap();
    assert!(body.starts_with("Card ") && body.ends_with(" was declined"), "{body}");
    assert!(!body.contains("4111 1111 1111 1111"), "masked: {body}");
    let c = sb.step("reply", id, &["Your refund is on its way."]);
    assert_eq!(c["notes"][1]["body"], "Said to the customer: Your refund is on its way.");
    refused(&sb.run(&["contact", "note", &id.to_string(), "   "]), &[&format!("contact #{id}"), "empty"]);
}

#[test]
fn an_email_reply_with_no_way_to_send_is_refused_and_nothing_is_logged() {
    let sb = Sandbox::new();
    let id = sb.with_contact("email");
    sb.step("accept", id, &[]);
    let out = sb.run(&["contact", "reply", &id.to_string(), "Hello"]);
    refused(&out, &[&format!("contact #{id}"), "[intake]"]);
    assert_eq!(sb.count("notes"), 0);
}

#[test]
fn an_escalation_keeps_department_reason_and_rep_on_the_record_and_customer_show() {
    let sb = Sandbox::new();
    let config = sb.write("config.toml", "rep_name = \"Dana\"\n");
    let id = sb.with_contact("phone");
    sb.step("accept", id, &[]);
    let args = ["--config", config.to_str().unwrap(), "contact", "escalate", &id.to_string()];
    let out = sb.ok(&[&args[..], &["--to", "Technical", "--reason", "Router reboots every hour", "--json"]].concat());
    let c: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(c["status"], "escalated");
    assert_eq!(c["disposition"], "escalated");
    assert_eq!(
        c["escalation"],
        serde_json::json!({ "status": "escalated", "department": "technical", "reason": "Router reboots every hour", "by": "Dana" })
    );
    let shown = sb.ok(&["customer", "show", "ana.ruiz@example.com"]).stdout;
    assert!(shown.contains("escalated to technical: Router reboots every hour (by Dana)"), "{shown}");
    let json = sb.json(&["customer", "show", "ana.ruiz@example.com", "--json"]);
    assert_eq!(json["timeline"][0]["escalation"]["reason"], "Router reboots every hour");

    let other = sb.new_contact("chat");
    sb.step("accept", other, &[]);
    let t = sb.step("transfer", other, &["--to", "billing", "--reason", "Refund over my limit"]);
    assert_eq!(t["escalation"]["status"], "transferred");
    assert_eq!(t["escalation"]["by"], "Rep", "the default rep name");
    refused(
        &sb.run(&["contact", "escalate", &sb.new_contact("chat").to_string(), "--to", "billing", "--reason", " "]),
        &["--reason"],
    );
}

/// A follow-up on `contact` due at `due` (Unix seconds), as the wrap-up writes it.
fn add_follow_up(sb: &Sandbox, contact: i64, due: i64, note: &str) -> i64 {
    let conn = sb.conn();
    frontline::store::contacts::add_follow_up(&conn, contact, due, note, 0).unwrap()
}

#[test]
fn follow_ups_are_listed_due_first_and_done_once() {
    let sb = Sandbox::new();
    let id = sb.with_contact("phone");
    let due = add_follow_up(&sb, id, 1_000, "Check the refund landed");
    let later = add_follow_up(&sb, id, 4_000_000_000, "Ask about the tent");
    let all = sb.json(&["followups", "--json"]);
    let ids: Vec<i64> = all.as_array().unwrap().iter().map(|f| f["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [due, later], "soonest first");
    assert_eq!(all[0]["due_at"], "1970-01-01T00:16:40Z", "RFC 3339");
    assert_eq!(all[0]["customer_name"], "Ana Ruiz");
    let due_now = sb.json(&["followups", "--due", "--json"]);
    assert_eq!(due_now.as_array().unwrap().len(), 1);
    assert!(sb.ok(&["followups", "--due"]).stdout.contains("(due now)  Ana Ruiz · contact #"));

    let shown = sb.ok(&["customer", "show", "ana.ruiz@example.com"]).stdout;
    assert!(shown.contains("Follow-ups (2)") && shown.contains("Check the refund landed"), "{shown}");
    let record = sb.json(&["customer", "show", "ana.ruiz@example.com", "--json"]);
    assert_eq!(record["follow_ups"].as_array().unwrap().len(), 2);

    let done = sb.json(&["followup", "done", &due.to_string(), "--json"]);
    assert!(done["done_at"].is_string(), "{done}");
    assert_eq!(sb.json(&["followups", "--json"]).as_array().unwrap().len(), 1, "it left the open list");
    refused(&sb.run(&["followup", "done", &due.to_string()]), &[&format!("follow-up #{due}"), "already done"]);
    refused(&sb.run(&["followup", "done", "999"]), &["follow-up #999", "no such follow-up"]);
    assert_eq!(sb.ok(&["followups", "--due"]).stdout, "No follow-up is due.\n");
}

#[test]
fn customer_search_matches_the_end_of_a_phone_and_part_of_a_name() {
    let sb = Sandbox::new();
    sb.with_contact("phone");
    for (query, name) in
        [("0162", "Priya Raman"), ("5550162", "Priya Raman"), ("555 0142", "Ana Ruiz"), ("ana ru", "Ana Ruiz")]
    {
        let hits = sb.json(&["customer", "search", query, "--json"]);
        assert_eq!(hits[0]["name"], name, "{query}: {hits}");
    }
    let text = sb.ok(&["customer", "search", "pri"]).stdout;
    assert!(text.contains("Priya Raman"), "{text}");
    assert_eq!(sb.ok(&["customer", "search", "nobody"]).stdout, "No customer matches “nobody”.\n");
}

#[test]
fn customer_search_ignores_accents_and_finds_the_start_of_an_address_or_handle() {
    let sb = Sandbox::new();
    let people = r#"[
      { "name": "Chloé Dubois", "email": "chloe.dubois@example.org" },
      { "name": "Zoe Kim", "handle": "@zoekim_cooks" }
    ]"#;
    let file = sb.write("people.json", people);
    sb.ok(&["import", "customers", file.to_str().unwrap()]);
    for (query, name) in [
        ("chloe", "Chloé Dubois"),
        ("CHLOÉ dub", "Chloé Dubois"),
        ("chloe.dubois", "Chloé Dubois"),
        ("zoekim_co", "Zoe Kim"),
    ] {
        let hits = sb.json(&["customer", "search", query, "--json"]);
        assert_eq!(hits[0]["name"], name, "{query}: {hits}");
    }
}

#[test]
fn customer_show_owes_nothing_for_paid_orders_and_shows_yen_without_decimals() {
    let sb = Sandbox::new();
    sb.with_contact("phone");
    let shown = sb.ok(&["customer", "show", "ana.ruiz@example.com"]).stdout;
    assert!(shown.contains("¥1,200 "), "no .00 on yen: {shown}");
    assert!(shown.contains("Billing (1, nothing owed)"), "{shown}");
    let json = sb.json(&["customer", "show", "ana.ruiz@example.com", "--json"]);
    assert_eq!(json["balance_cents"], 0);
    assert_eq!(json["orders"][0]["placed_at"], "2026-07-01T10:00:00Z", "times in RFC 3339");
}

#[test]
fn queue_json_gives_created_at_in_rfc_3339() {
    let sb = Sandbox::new();
    sb.with_contact("phone");
    let rows = sb.json(&["queue", "--json"]);
    let created = rows[0]["created_at"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(created).is_ok(), "{created}");
}

#[test]
fn an_email_reply_goes_out_through_the_configured_outbox() {
    let sb = Sandbox::new();
    let maildir = sb.path("home/Mail/support/INBOX");
    crate::common::copy_dir(&crate::common::fixture("maildir"), &maildir);
    sb.ok(&["sync", "--maildir", &maildir.display().to_string()]);
    let queue = sb.json(&["queue", "--json"]);
    let id = queue[0]["id"].as_i64().unwrap();
    let outbox = sb.path("Outbox");
    let config = sb.write(
        "config.toml",
        &format!("[intake]\noutbox = \"{}\"\nsupport_addresses = [\"support@larkspur.example\"]\n", outbox.display()),
    );
    let config = config.to_str().unwrap();
    sb.ok(&["--config", config, "contact", "accept", &id.to_string()]);
    let out = sb.ok(&["--config", config, "contact", "reply", &id.to_string(), "Your", "parcel", "ships", "today."]);
    assert!(out.stdout.starts_with("Reply to "), "{}", out.stdout);
    let sent: Vec<_> = std::fs::read_dir(outbox.join("new")).unwrap().collect();
    assert_eq!(sent.len(), 1, "one message in the outbox");
    let message = std::fs::read_to_string(sent[0].as_ref().unwrap().path()).unwrap();
    assert!(message.contains("Your parcel ships today."), "{message}");
}

#[test]
fn exports_carry_the_escalation_reason_and_who_sent_it() {
    let sb = Sandbox::new();
    let id = sb.with_contact("phone");
    sb.step("accept", id, &[]);
    sb.step("escalate", id, &["--to", "technical", "--reason", "Router reboots every hour"]);
    let json: Value = serde_json::from_str(&sb.ok(&["export", "contacts"]).stdout).unwrap();
    assert_eq!(json[0]["escalated_to"], "technical");
    assert_eq!(json[0]["escalation_reason"], "Router reboots every hour");
    assert_eq!(json[0]["escalated_by"], "Rep");
    let md = sb.ok(&["export", "contacts", "--format", "md"]).stdout;
    assert!(md.contains("(to technical: Router reboots every hour, by Rep)"), "{md}");
    // The record the workstation draws says it too.
    let conn = sb.conn();
    let customer: i64 = conn.query_row("SELECT customer_id FROM contacts WHERE id = ?1", [id], |r| r.get(0)).unwrap();
    let record = frontline::store::customers::record(&conn, customer).unwrap().unwrap();
    let entry = record.timeline.iter().find(|t| t.contact_id == id).unwrap();
    assert_eq!(
        entry.escalation.as_ref().map(|e| e.describe()).as_deref(),
        Some("to technical: Router reboots every hour (by Rep)")
    );
}

#[test]
fn a_resolved_contacts_notes_become_a_draft_article_for_the_help_centre() {
    let sb = Sandbox::new();
    let id = sb.with_contact("phone");
    // Not resolved yet: refused with why.
    let early = sb.cmd().args(["kb", "draft", "from-contact", &id.to_string()]).output().unwrap();
    assert_eq!(early.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&early.stderr).contains(&format!("contact #{id}")));
    sb.step("accept", id, &[]);
    sb.step("note", id, &["Power-cycle the router, then wait two minutes for the lights."]);
    sb.step("resolve", id, &[]);
    let made = sb.json(&["kb", "draft", "from-contact", &id.to_string(), "--json"]);
    let draft = made[0]["id"].as_i64().unwrap();
    // Asked again, it says the contact already has that draft (kept as the rep edited it).
    let again = sb.ok(&["kb", "draft", "from-contact", &id.to_string()]).stdout;
    assert!(again.starts_with(&format!("This contact already has draft article #{draft} ")), "{again}");
    // The export command it shows names this workspace, and runs as shown.
    let shown = again.split(": ").nth(1).and_then(|rest| rest.strip_suffix(" writes it for the help centre\n"));
    let expected = format!("frontline --db {} kb draft export {draft}", sb.db().display());
    assert_eq!(shown, Some(expected.as_str()), "{again}");
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_frontline")).parent().unwrap().display().to_string();
    let path = format!("{bin_dir}:{}", std::env::var("PATH").unwrap_or_default());
    let ran = std::process::Command::new("sh").arg("-c").arg(&expected).env("PATH", path).output().unwrap();
    assert!(ran.status.success(), "{}", String::from_utf8_lossy(&ran.stderr));
    assert!(String::from_utf8_lossy(&ran.stdout).starts_with("---\n"), "the draft as Markdown");
    let listed = sb.json(&["kb", "draft", "list", "--json"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    let out = sb.path("draft.md");
    sb.ok(&["kb", "draft", "export", &draft.to_string(), "--out", out.to_str().unwrap()]);
    let markdown = std::fs::read_to_string(&out).unwrap();
    assert!(markdown.starts_with("---\n") && markdown.contains("draft: true"), "{markdown}");
    assert!(markdown.contains("Power-cycle the router"), "{markdown}");
}
