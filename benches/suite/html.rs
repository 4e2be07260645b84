//! HTML to text throughput (issue 14): `frontline::intake::html::to_text` on the hostile
//! body (`<!` repeated, 1.6 MB) and on an ordinary newsletter-like mail (~100 KB), against
//! reading the same bytes once (`std::str::from_utf8`, and a scan for `<`).
//!
//! The hostile body is converted at doubling sizes from 0.1 MB: a conversion that is not
//! linear shows as a falling MB/s, and a size whose predicted time (the last time × the
//! last growth) is over the budget is skipped rather than run for minutes.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use frontline::intake::html;

use crate::{Ctx, Row, fmt_ms, ms, stats};

/// The hostile body's full size: `<!` × 800,000.
const HOSTILE_PAIRS: usize = 800_000;

/// Megabytes (10⁶ bytes) per second.
fn mb_per_s(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

/// Both bodies; see the module doc.
pub fn to_text(ctx: &mut Ctx) {
    ordinary(ctx);
    hostile(ctx);
}

/// What reading `bytes` once costs, as MB/s: `from_utf8` and a byte scan, each the median of
/// `reps` passes (repeated within a sample so the clock's resolution does not show).
fn floors(bytes: &[u8], reps: usize) -> String {
    let per = (2_000_000 / bytes.len().max(1)).max(1);
    let time = |f: &dyn Fn() -> usize| {
        let samples: Vec<Duration> = (0..reps)
            .map(|_| {
                let t0 = Instant::now();
                for _ in 0..per {
                    std::hint::black_box(f());
                }
                t0.elapsed() / per as u32
            })
            .collect();
        Duration::from_secs_f64(stats(&samples).0 / 1000.0)
    };
    let utf8 = time(&|| std::str::from_utf8(std::hint::black_box(bytes)).map_or(0, str::len));
    let scan = time(&|| std::hint::black_box(bytes).iter().filter(|b| **b == b'<').count());
    format!(
        "`std::str::from_utf8` over the same bytes: {:.0} MB/s; counting `<` bytes: {:.0} MB/s",
        mb_per_s(bytes.len(), utf8),
        mb_per_s(bytes.len(), scan)
    )
}

fn ordinary(ctx: &mut Ctx) {
    let body = newsletter(100_000);
    let runs = ctx.runs(50);
    let mut samples = Vec::new();
    let mut text_len = 0;
    for i in 0..runs + 3 {
        let t0 = Instant::now();
        let text = html::to_text(std::hint::black_box(&body));
        let d = t0.elapsed();
        text_len = text.len();
        if i >= 3 {
            samples.push(d);
        }
    }
    let (m, p) = stats(&samples);
    let kb = body.len() / 1000;
    let mbs = |ms_: f64| mb_per_s(body.len(), Duration::from_secs_f64(ms_ / 1000.0));
    let row = Row {
        figure: format!(
            "HTML to text, ordinary newsletter mail ({kb} KB: tables, links, lists, entities, style; {} KB of text)",
            text_len / 1000
        ),
        median: format!("{:.1} MB/s ({})", mbs(m), fmt_ms(m)),
        p99: format!("{:.1} MB/s ({})", mbs(p), fmt_ms(p)),
        target: "linear in size".into(),
        floor: floors(body.as_bytes(), 20),
    };
    eprintln!("  {} | {} | {} | {} | {}", row.figure, row.median, row.p99, row.target, row.floor);
    ctx.rows.push(row);
}

fn hostile(ctx: &mut Ctx) {
    let mut steps: Vec<(usize, Duration)> = Vec::new();
    let mut skipped = None;
    let mut pairs = HOSTILE_PAIRS / 16;
    while pairs <= HOSTILE_PAIRS {
        let body = "<!".repeat(pairs);
        if let [.., (_, before), (_, last)] = steps.as_slice() {
            let predicted = last.mul_f64(last.as_secs_f64() / before.as_secs_f64().max(1e-9));
            if predicted > ctx.html_budget {
                skipped = Some((body.len(), predicted));
                break;
            }
        }
        // Several runs while they are quick, one once they take seconds.
        let mut times = Vec::new();
        while times.len() < 5 && times.iter().sum::<Duration>() < Duration::from_secs(1) {
            let t0 = Instant::now();
            std::hint::black_box(html::to_text(std::hint::black_box(&body)));
            times.push(t0.elapsed());
        }
        let median = Duration::from_secs_f64(stats(&times).0 / 1000.0);
        eprintln!(
            "    <! × {pairs} ({} KB): {} ({:.2} MB/s)",
            body.len() / 1000,
            fmt_ms(ms(median)),
            mb_per_s(body.len(), median)
        );
        steps.push((body.len(), median));
        pairs *= 2;
    }
    let Some(&(size, time)) = steps.last() else { return };
    let mut by_size = String::new();
    for (i, (bytes, d)) in steps.iter().enumerate() {
        let growth =
            if i == 0 { String::new() } else { format!(", ×{:.1}", d.as_secs_f64() / steps[i - 1].1.as_secs_f64()) };
        let _ = write!(
            by_size,
            "{}{:.1} MB {}{growth}",
            if i == 0 { "" } else { "; " },
            *bytes as f64 / 1e6,
            fmt_ms(ms(*d))
        );
    }
    let full = HOSTILE_PAIRS * 2;
    let figure = match skipped {
        None => format!("HTML to text, hostile body (`<!` × {HOSTILE_PAIRS} = {:.1} MB)", full as f64 / 1e6),
        Some((bytes, predicted)) => format!(
            "HTML to text, hostile body (`<!` repeated), largest size run {:.1} MB — {:.1} MB skipped: predicted {:.0} s (budget {} s)",
            size as f64 / 1e6,
            bytes as f64 / 1e6,
            predicted.as_secs_f64(),
            ctx.html_budget.as_secs()
        ),
    };
    let body = "<!".repeat(HOSTILE_PAIRS);
    let row = Row {
        figure,
        median: format!("{:.2} MB/s ({})", mb_per_s(size, time), fmt_ms(ms(time))),
        p99: "—".into(),
        target: "1.6 MB in < 1 s (≥ 1.6 MB/s), linear".into(),
        floor: format!("{} (1.6 MB). By size, each doubling's time growth: {by_size}", floors(body.as_bytes(), 5)),
    };
    eprintln!("  {} | {} | {} | {} | {}", row.figure, row.median, row.p99, row.target, row.floor);
    ctx.rows.push(row);
}

/// A marketing newsletter as mail clients send it, about `size` bytes: nested layout
/// tables, a hidden preheader, Outlook conditional comments, a style sheet, headings,
/// paragraphs with entities and tracked links, lists and product tables. Always the same.
fn newsletter(size: usize) -> String {
    let mut s = String::from(
        "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n\
         <html xmlns=\"http://www.w3.org/1999/xhtml\"><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\" />\n\
         <title>Ridgeline Outfitters &mdash; Spring field notes</title>\n\
         <style type=\"text/css\">body{margin:0;padding:0;font-family:Helvetica,Arial,sans-serif}\n\
         .btn a{background:#2d6a4f;color:#ffffff;padding:12px 24px;border-radius:4px;text-decoration:none}\n\
         @media only screen and (max-width:600px){.col{display:block!important;width:100%!important}}</style>\n\
         <!--[if mso]><style>table{border-collapse:collapse}</style><![endif]-->\n</head>\n<body>\n\
         <div style=\"display:none;max-height:0;overflow:hidden\">New tents, a trail guide and 20&nbsp;% off sleeping bags this week&nbsp;&zwnj;&nbsp;&zwnj;</div>\n\
         <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\"><tr><td align=\"center\">\n\
         <table role=\"presentation\" width=\"600\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" class=\"wrapper\">\n",
    );
    let products = ["Ridgeline 2P tent", "Summit down sleeping bag", "Trailhead 45 L pack", "Alpine stove kit"];
    let mut i = 0usize;
    while s.len() < size {
        let track =
            format!("https://click.ridgeline.example/ls/click?upn=u001.{i:08x}Qk9yZ2V0LW1lLW5vdA-3D-3D_{:x}", i * 7919);
        let _ = write!(
            s,
            "<tr><td class=\"section\" style=\"padding:24px 32px;background:#ffffff\">\n\
             <h2 style=\"font-size:22px;color:#1b4332\">Field note {n}: {title}</h2>\n\
             <p style=\"font-size:16px;line-height:24px\">Whether you&rsquo;re planning a weekend in the hills or a week on the trail, \
             our team has put together a few tips &amp; tricks. Read <a href=\"{track}\" target=\"_blank\">the full guide</a> \
             or visit <a href=\"https://www.ridgeline.example/stores\">www.ridgeline.example/stores</a> to find your nearest shop &#8212; \
             open 7&nbsp;days a week.</p>\n\
             <ul style=\"padding-left:20px\"><li>Pitch your tent on level ground &ndash; check for roots first.</li>\
             <li>Keep your sleeping bag dry: pack it in a liner.</li><li>Carry 2&nbsp;L of water per person &times; day.</li>\
             <li>Tell someone your route &amp; expected return.</li></ul>\n\
             <table role=\"presentation\" width=\"100%\" cellpadding=\"8\" cellspacing=\"0\" border=\"0\" style=\"border-top:1px solid #d8e2dc\"><tr>\n",
            n = i + 1,
            title = products[i % products.len()],
        );
        for (k, p) in products.iter().enumerate() {
            let _ = writeln!(
                s,
                "<td class=\"col\" width=\"25%\" valign=\"top\" style=\"font-size:14px\"><a href=\"{track}&amp;p={k}\">\
                 <img src=\"https://img.ridgeline.example/p/{k}.jpg\" width=\"120\" alt=\"{p}\" style=\"display:block;border:0\" /></a>\
                 <strong>{p}</strong><br />Now &pound;{price}.99 <s>&pound;{was}.00</s><br />\
                 <span class=\"btn\"><a href=\"{track}&amp;p={k}&amp;cta=1\">Shop now &rarr;</a></span></td>",
                price = 49 + 10 * k + i % 7,
                was = 69 + 10 * k,
            );
        }
        s.push_str("</tr></table>\n</td></tr>\n");
        i += 1;
    }
    s.push_str(
        "<tr><td style=\"padding:16px 32px;font-size:12px;color:#6c757d\">You receive this because you signed up at \
         ridgeline.example. <a href=\"https://www.ridgeline.example/unsubscribe?u=123\">Unsubscribe</a> &middot; \
         <a href=\"https://www.ridgeline.example/privacy\">Privacy</a><br />Ridgeline Outfitters Ltd, 1 Trail Way, Keswick CA12 5AA</td></tr>\n\
         </table></td></tr></table>\n<script>window.dataLayer=window.dataLayer||[];</script>\n</body></html>\n",
    );
    s
}
