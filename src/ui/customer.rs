//! The Customer pane: the open contact and its customer's whole story.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::domain::money::format as money;
use crate::domain::text::{counted, for_display};
use crate::domain::time::{compact_duration, local_date, local_datetime};
use crate::domain::{ContactDetail, CustomerRecord};
use crate::state::{Pane, State};
use crate::theme::Theme;

/// Draws the record; returns the largest useful scroll offset.
pub fn draw(state: &State, frame: &mut Frame<'_>, area: Rect) -> u16 {
    let theme = &state.theme;
    let block = super::pane_block(state, Pane::Customer, "");
    let lines = match (&state.open, state.customer.pending) {
        _ if state.customer.browsing.is_some() => {
            let mut out = vec![Line::styled("Looking up a customer — Esc returns to the open contact", theme.dim)];
            if let Some(record) = &state.customer.browsing {
                customer_lines(
                    record,
                    RecordView { current: -1, now: state.now(), full_history: state.customer.full_history },
                    theme,
                    &mut out,
                );
            }
            out
        }
        (_, Some(_)) => vec![Line::styled("Opening…", theme.dim)],
        (None, None) => vec![
            Line::styled("No contact open.", theme.title),
            Line::raw(""),
            Line::raw(
                "Select a contact in the Queue and press Enter: the customer's profile, flags, orders, \
                 billing and every earlier contact across channels show here.",
            ),
        ],
        (Some(detail), None) => {
            // Active incidents that explain this contact come first: the rep should know
            // before the customer says it.
            let mut out: Vec<Line<'static>> = crate::state::guidance::incidents_for_open(state)
                .into_iter()
                .map(|b| {
                    Line::styled(
                        format!(
                            "⚠ {} — since {}",
                            for_display(&b.title),
                            crate::domain::time::local_datetime(b.starts_at)
                        ),
                        theme.danger,
                    )
                })
                .collect();
            out.extend(record_lines(detail, state));
            out
        }
    };
    let inner = block.inner(area);
    let lines = super::wrap::wrap(&lines, inner.width);
    let (scroll, max) = super::clamp_scroll(state.customer.scroll, lines.len(), inner.height);
    // Nothing is cut off silently: the title says when there is more above or below.
    let more = match (scroll > 0, scroll < max) {
        (true, true) => "↑↓ more ",
        (false, true) => "↓ more ",
        (true, false) => "↑ more ",
        (false, false) => "",
    };
    let block = super::pane_block(state, Pane::Customer, Span::styled(more, theme.warning));
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), area);
    max
}

/// How much of a long record is listed before "h shows the whole record": a customer with
/// years of history would otherwise cost a full wrap of thousands of lines every frame.
const TIMELINE_SHOWN: usize = 30;
const ORDERS_SHOWN: usize = 20;
const BILLING_SHOWN: usize = 30;

/// Says what a section leaves out, so nothing is cut off silently.
fn more_line(hidden: usize, what: &str, theme: &Theme, out: &mut Vec<Line<'static>>) {
    if hidden > 0 {
        out.push(Line::styled(format!("  … {hidden} {what}: h shows the whole record"), theme.warning));
    }
}

/// What the record is drawn for: the contact on screen (marked in the history), the time,
/// and whether the whole history is shown.
#[derive(Debug, Clone, Copy)]
struct RecordView {
    current: i64,
    now: i64,
    full_history: bool,
}

fn section<'a>(title: String, theme: &Theme) -> Line<'a> {
    Line::styled(format!("── {title} "), theme.heading)
}

/// The most of a contact's body the record draws: enough to read, never a frame's worth of work.
const BODY_SHOWN_BYTES: usize = 20_000;
const BODY_SHOWN_LINES: usize = 200;

/// The open contact, then the customer's record, as one scrollable page.
pub fn record_lines(detail: &ContactDetail, state: &State) -> Vec<Line<'static>> {
    let (now, full_history, theme) = (state.now(), state.customer.full_history, &state.theme);
    let c = &detail.contact;
    let mut out = vec![
        Line::from(vec![
            Span::styled(format!("[{}] ", c.channel.label()), theme.key),
            Span::styled(for_display(&c.subject), theme.title),
        ]),
        Line::styled(
            format!(
                "#{} · P{} · {} · waited {}",
                c.id,
                c.priority,
                c.status.as_str().replace('_', " "),
                compact_duration(c.accepted_at.unwrap_or(now) - c.created_at)
            ),
            theme.dim,
        ),
    ];
    if !c.tags.is_empty() {
        out.push(Line::styled(format!("tags: {}", for_display(&c.tags.join(", "))), theme.dim));
    }
    if let Some(draft) = detail.reply_draft.as_deref().filter(|d| !d.trim().is_empty()) {
        let first = draft.lines().next().unwrap_or("");
        out.push(Line::styled(format!("✉ unsent reply (F12): “{}”", for_display(first)), theme.warning));
    }
    // A huge body (a 1 MB email) must not be wrapped on every frame: its start is shown,
    // and how much more there is.
    let body = crate::domain::text::cut_at_char_boundary(&c.body, BODY_SHOWN_BYTES);
    let body_lines = crate::domain::text::sanitize(body);
    for line in body_lines.lines().take(BODY_SHOWN_LINES) {
        out.push(Line::raw(line.to_string()));
    }
    if c.body.len() > body.len() || body_lines.lines().nth(BODY_SHOWN_LINES).is_some() {
        let export = state.invocation.command("export contacts");
        out.push(Line::styled(format!("… the message goes on ({export} has all of it)"), theme.dim));
    }
    // An email thread: every later message after the one that opened the contact.
    if detail.messages.len() > 1 {
        out.push(section(format!("Thread ({} messages, F12 replies)", detail.messages.len()), theme));
        for m in &detail.messages[1..] {
            let arrow = if m.message.direction == crate::domain::message::Direction::Outbound { "→" } else { "←" };
            out.push(Line::styled(
                format!("{arrow} {} {}", local_datetime(m.message.sent_at), for_display(&m.message.from_addr)),
                theme.key,
            ));
            for line in crate::domain::text::sanitize(&m.message.body).lines() {
                out.push(Line::raw(format!("  {line}")));
            }
        }
    }
    match &detail.customer {
        None => {
            out.push(Line::raw(""));
            out.push(Line::styled("No customer is linked to this contact.", theme.warning));
        }
        Some(record) => customer_lines(record, RecordView { current: c.id, now, full_history }, theme, &mut out),
    }
    out
}

fn customer_lines(record: &CustomerRecord, view: RecordView, theme: &Theme, out: &mut Vec<Line<'static>>) {
    out.push(Line::raw(""));
    profile_lines(record, view.now, theme, out);
    commitment_lines(record, theme, out);
    order_lines(record, view.full_history, theme, out);
    billing_lines(record, view.full_history, theme, out);
    timeline_lines(record, view, theme, out);
    change_lines(record, theme, out);
}

/// The name with its flags, the pinned note, the profile and every identity.
fn profile_lines(record: &CustomerRecord, now: i64, theme: &Theme, out: &mut Vec<Line<'static>>) {
    let cu = &record.customer;
    let mut name = vec![Span::styled(for_display(&cu.name), theme.title)];
    if cu.vip {
        name.push(Span::styled("  ★ VIP", theme.warning));
    }
    if cu.fraud_watch {
        name.push(Span::styled("  ⚠ FRAUD WATCH", theme.danger));
    }
    if cu.do_not_contact {
        name.push(Span::styled("  ⛔ DO NOT CONTACT", theme.danger));
    }
    out.push(Line::from(name));
    if let Some(note) = cu.pinned_note.as_deref().filter(|n| !n.trim().is_empty()) {
        out.push(Line::styled(format!("⚑ {}", for_display(note)), theme.warning));
    }
    let mut profile: Vec<String> = [&cu.company, &cu.tier, &cu.language]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .map(|s| for_display(s))
        .collect();
    if let Some(tz) = cu.timezone.as_deref().filter(|t| !t.is_empty()) {
        // The customer's own clock: nobody wants a call at 6 a.m. their time.
        let local = tz.parse::<chrono_tz::Tz>().ok().and_then(|zone| {
            chrono::DateTime::from_timestamp(now, 0).map(|t| t.with_timezone(&zone).format("%H:%M %a").to_string())
        });
        profile.push(match local {
            Some(time) => format!("{} (their time {time})", for_display(tz)),
            None => for_display(tz),
        });
    }
    if !profile.is_empty() {
        out.push(Line::raw(profile.join(" · ")));
    }
    if !record.identities.is_empty() {
        let ids: Vec<String> = record.identities.iter().map(|i| for_display(&i.value)).collect();
        out.push(Line::styled(ids.join(" · "), theme.dim));
    }
}

/// What we owe the customer: follow-ups and open promises.
fn commitment_lines(record: &CustomerRecord, theme: &Theme, out: &mut Vec<Line<'static>>) {
    if !record.follow_ups.is_empty() {
        out.push(section(format!("Follow-ups ({})", record.follow_ups.len()), theme));
        for f in &record.follow_ups {
            let note = if f.note.is_empty() { String::new() } else { format!(": {}", for_display(&f.note)) };
            out.push(Line::styled(format!("• due {}{note}", local_datetime(f.due_at)), theme.warning));
        }
    }
    if !record.open_promises.is_empty() {
        out.push(section(format!("Promises ({})", record.open_promises.len()), theme));
        for p in &record.open_promises {
            let due = p.due_at.map(|d| format!("due {}: ", local_date(d))).unwrap_or_default();
            out.push(Line::from(vec![
                Span::styled(format!("• {due}"), theme.warning),
                Span::raw(for_display(&p.body)),
            ]));
        }
    }
}

fn order_lines(record: &CustomerRecord, full_history: bool, theme: &Theme, out: &mut Vec<Line<'static>>) {
    out.push(section(format!("Orders ({})", record.orders.len()), theme));
    let orders_shown = if full_history { record.orders.len() } else { ORDERS_SHOWN.min(record.orders.len()) };
    for o in &record.orders[..orders_shown] {
        out.push(Line::from(vec![
            Span::styled(for_display(&o.number), theme.key),
            Span::raw(format!(
                " {} {} {} ",
                local_date(o.placed_at),
                for_display(&o.status),
                money(o.total_cents, &o.currency)
            )),
            Span::raw(for_display(&o.items)),
        ]));
        if o.carrier.is_some() || o.tracking.is_some() {
            let shipping = format!(
                "   {} {}",
                o.carrier.as_deref().map(for_display).unwrap_or_default(),
                o.tracking.as_deref().map(for_display).unwrap_or_default()
            );
            out.push(Line::styled(shipping, theme.dim));
        }
    }
    more_line(record.orders.len() - orders_shown, "earlier orders", theme, out);
}

fn billing_lines(record: &CustomerRecord, full_history: bool, theme: &Theme, out: &mut Vec<Line<'static>>) {
    // What is owed after each event, by the one rule the command line uses too.
    let running = crate::domain::money::running_balance(&record.billing, &record.orders);
    let mut events = Vec::new();
    for (b, owed) in record.billing.iter().zip(&running) {
        let kind_style = if b.kind == crate::domain::BillingKind::Dispute { theme.danger } else { theme.text };
        let (balance, amount) = crate::domain::money::after_event(*owed, &b.currency);
        events.push(Line::from(vec![
            Span::raw(format!("{} ", local_date(b.at))),
            Span::styled(format!("{:<8}", b.kind), kind_style),
            Span::raw(format!("{:>10} ", money(b.amount_cents, &b.currency))),
            Span::styled(format!("{balance} {amount} "), theme.dim),
            Span::raw(for_display(&b.description)),
        ]));
    }
    let currency = record.billing.last().map_or("USD", |b| b.currency.as_str());
    let owed = running.last().copied().unwrap_or(0);
    out.push(section(format!("Billing ({})", crate::domain::money::describe_balance(owed, currency)), theme));
    // The balance runs over every event; the newest ones are listed.
    let billing_hidden = if full_history { 0 } else { events.len().saturating_sub(BILLING_SHOWN) };
    more_line(billing_hidden, "earlier billing events", theme, out);
    out.extend(events.into_iter().skip(billing_hidden));
}

/// Every contact on every channel, newest first, with its notes.
fn timeline_lines(record: &CustomerRecord, view: RecordView, theme: &Theme, out: &mut Vec<Line<'static>>) {
    let RecordView { current, full_history, .. } = view;
    out.push(section(
        format!("History ({}, all channels)", counted(record.timeline.len(), "contact", "contacts")),
        theme,
    ));
    // A long history would cost a full wrap per frame; the newest contacts come first and
    // the rest are one key away, with a line that says so.
    let shown = if full_history { record.timeline.len() } else { TIMELINE_SHOWN.min(record.timeline.len()) };
    for t in &record.timeline[..shown] {
        let marker = if t.contact_id == current { "▸ " } else { "  " };
        let mut outcome = t
            .disposition
            .as_deref()
            .filter(|d| *d != t.status.as_str())
            .map(|d| format!(" · {}", for_display(d)))
            .unwrap_or_default();
        // Where an escalation went, why and who sent it, not just "escalated".
        if let Some(e) = &t.escalation {
            outcome.push_str(&format!(" {}", for_display(&e.describe())));
        }
        out.push(Line::from(vec![
            Span::raw(marker),
            Span::styled(format!("{} ", local_datetime(t.created_at)), theme.dim),
            Span::styled(format!("{:<7} ", t.channel.label()), theme.key),
            Span::raw(for_display(&t.subject)),
            Span::styled(format!(" [{}{outcome}]", t.status.as_str().replace('_', " ")), theme.dim),
        ]));
        for n in &t.notes {
            out.push(Line::styled(format!("    └ {}", for_display(&n.body)), theme.dim));
        }
    }
    more_line(record.timeline.len() - shown, "earlier contacts", theme, out);
}

/// Who changed what on the customer record.
fn change_lines(record: &CustomerRecord, theme: &Theme, out: &mut Vec<Line<'static>>) {
    if !record.history.is_empty() {
        out.push(section(format!("Record changes ({})", record.history.len()), theme));
        for h in &record.history {
            let change = match (&h.old_value, &h.new_value) {
                (Some(old), Some(new)) => format!("{} → {}", for_display(old), for_display(new)),
                (None, Some(new)) => format!("set to {}", for_display(new)),
                (Some(old), None) => format!("cleared (was {})", for_display(old)),
                (None, None) => String::new(),
            };
            out.push(Line::from(vec![
                Span::styled(format!("{} ", local_datetime(h.at)), theme.dim),
                Span::styled(format!("{} ", h.field.replace('_', " ")), theme.key),
                Span::raw(change),
            ]));
        }
    }
}
