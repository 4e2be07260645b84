//! A readable transcript of contacts: one section per contact with its subject, channel,
//! customer, times, body, the rest of its email thread, notes and outcome.

use std::io::Write;

use anyhow::Result;

use super::{ContactExtra, ContactOut};
use crate::domain::message::Direction;
use crate::domain::text::for_display;

/// Quotes free text line by line so Markdown in it cannot restructure the transcript.
fn quoted(text: &str) -> String {
    text.lines().map(|l| format!("> {}", for_display(l))).collect::<Vec<_>>().join("\n")
}

/// Indents a quoted block under its list item.
fn indented(block: &str) -> String {
    block.lines().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n")
}

/// Writes one section per contact; `with_notes` false leaves the internal notes out.
pub fn contacts(out: &mut dyn Write, rows: &[(ContactOut, ContactExtra)], with_notes: bool) -> Result<()> {
    writeln!(out, "# Contacts\n")?;
    if rows.is_empty() {
        writeln!(out, "No contacts.")?;
    }
    for (c, x) in rows {
        writeln!(out, "## #{} {}\n", x.id, for_display(&c.subject))?;
        writeln!(out, "- Channel: {} ({})", c.channel, x.direction)?;
        let who = match (&x.customer_name, &c.customer) {
            (Some(name), Some(key)) => format!("{} <{}>", for_display(name), for_display(key)),
            (Some(name), None) => for_display(name),
            (None, Some(key)) => for_display(key),
            (None, None) => "unknown".to_string(),
        };
        writeln!(out, "- Customer: {who}")?;
        writeln!(out, "- Priority: P{}", c.priority)?;
        writeln!(out, "- Created: {}", c.created_at)?;
        if let Some(at) = &c.accepted_at {
            writeln!(out, "- Accepted: {at}")?;
        }
        if let Some(at) = &c.ended_at {
            writeln!(out, "- Ended: {at}")?;
        }
        if c.hold_seconds > 0 {
            writeln!(out, "- Hold: {}s", c.hold_seconds)?;
        }
        if !c.tags.is_empty() {
            writeln!(out, "- Tags: {}", for_display(&c.tags.join(", ")))?;
        }
        if !c.body.trim().is_empty() {
            writeln!(out, "\n{}", quoted(&c.body))?;
        }
        if !c.messages.is_empty() {
            writeln!(out, "\n### Thread\n")?;
            for m in &c.messages {
                let (who, address) = match m.direction {
                    Direction::Inbound => ("from", &m.from),
                    Direction::Outbound => ("reply to", &m.to),
                };
                writeln!(out, "- {}, {who} {}:", m.at, for_display(address))?;
                writeln!(out, "{}", indented(&quoted(&m.body)))?;
            }
        }
        if with_notes && !c.notes.is_empty() {
            writeln!(out, "\n### Notes\n")?;
            for n in &c.notes {
                let due = n.due.as_deref().map(|d| format!(", due {d}")).unwrap_or_default();
                writeln!(out, "- {} ({}{due}):", n.at, n.kind)?;
                writeln!(out, "{}", indented(&quoted(&n.text)))?;
            }
        }
        let mut outcome = c.status.replace('_', " ");
        if let Some(d) = &c.disposition {
            outcome.push_str(&format!(" — {}", for_display(d)));
        }
        if let Some(to) = &c.escalated_to {
            // "(to technical: router reboots hourly, by Dana)": where, why and who.
            let reason = c.escalation_reason.as_deref().map(|r| format!(": {}", for_display(r))).unwrap_or_default();
            let by = c.escalated_by.as_deref().map(|b| format!(", by {}", for_display(b))).unwrap_or_default();
            outcome.push_str(&format!(" (to {}{reason}{by})", for_display(to)));
        }
        if let Some(csat) = c.csat {
            outcome.push_str(&format!(", CSAT {csat}/5"));
        }
        writeln!(out, "\n**Outcome:** {outcome}\n")?;
    }
    Ok(())
}
