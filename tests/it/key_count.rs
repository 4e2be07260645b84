//! The canonical contact in few keystrokes, counted on the real binary in a pty: accept the
//! next contact of a channel → type the note → find the policy → insert it → wrap up with a
//! disposition → resolved. Typed words are free; every other key is counted, and the whole
//! loop must take at most 12 on every channel.

use std::time::Duration;

use crate::e2e_support::*;

const CTRL_F: &[u8] = b"\x06";

/// Sends keys and counts them.
struct Counter<'a> {
    app: &'a mut Pty,
    keys: usize,
}

impl Counter<'_> {
    /// A key that counts (function keys, Enter, single-letter commands).
    fn key(&mut self, bytes: &[u8]) {
        self.keys += 1;
        self.app.send(bytes);
    }

    /// Words typed into a field: free.
    fn words(&mut self, text: &str) {
        self.app.send(text);
    }
}

/// The queue's title line.
fn queue_title(app: &Pty) -> String {
    app.with_screen(|s| s.contents().lines().find(|l| l.contains("Queue")).unwrap_or("").to_string())
}

/// Narrows the queue to one channel with `c` (all → phone → email → chat → social →
/// walk-in); returns the presses (set once per shift, not per contact).
fn view_channel(app: &mut Pty, label: &str) -> usize {
    app.wait_screen("the queue focused", |s| s.contents().contains("▶ Queue"));
    let mut presses = 0;
    while !queue_title(app).contains(&format!("· {label} ")) {
        let before = queue_title(app);
        app.send("c");
        presses += 1;
        assert!(presses < 7, "no {label} view");
        app.wait_screen("the queue's title after c", |s| {
            s.contents().lines().find(|l| l.contains("Queue")).is_some_and(|l| l != before)
        });
    }
    presses
}

/// One canonical contact, the next of the view; returns the keys it took and its channel.
fn canonical_contact(app: &mut Pty) -> (usize, String) {
    let mut k = Counter { app, keys: 0 };
    k.key(F2);
    k.app.wait_screen("the accepted contact in the notes editor", |s| {
        let c = s.contents();
        c.contains("▶ Notes") && c.contains("In progress:") && c.contains("Type notes here")
    });
    let channel = k.app.with_screen(|s| {
        let c = s.contents();
        ["Phone", "Email", "Chat", "Social", "Walk-in"]
            .into_iter()
            .find(|l| c.contains(&format!("[{l}] ")))
            .map(str::to_string)
    });
    k.words("Customer asked how long a refund takes. ");
    k.key(CTRL_F);
    k.words("refund");
    k.app.wait_screen("search results", |s| s.contents().contains("⌕ refund") && !s.contents().contains("searching…"));
    k.key(ENTER);
    // Reading: the pane shows the article instead of the search box.
    k.app.wait_screen("the article open in the reader", |s| {
        let c = s.contents();
        c.contains("▶ Knowledge") && !c.contains("⌕")
    });
    k.key(b"i");
    k.app.wait_text("Inserted into the notes");
    k.key(F5);
    k.app.wait_text("Wrap up");
    k.words("answered");
    k.key(ENTER);
    k.app.wait_screen("the contact closed and the queue focused", |s| {
        let c = s.contents();
        !c.contains("In progress:") && c.contains("▶ Queue")
    });
    (k.keys, channel.unwrap_or_default())
}

#[test]
fn the_canonical_contact_takes_at_most_twelve_keys_on_every_channel() {
    let ws = Workspace::new();
    let mut app = ws.open_demo();
    let mut counts = Vec::new();
    for label in ["Phone", "Email", "Chat", "Social", "Walk-in"] {
        let view = view_channel(&mut app, label);
        let (keys, channel) = canonical_contact(&mut app);
        assert_eq!(channel, label, "F2 takes the next contact of the view on screen");
        println!("{channel}: {keys} keys besides typed words (and {view} to choose the view)");
        counts.push((channel, keys));
    }
    assert!(counts.iter().all(|(_, k)| *k <= 12), "{counts:?}");
    app.send(CTRL_Q);
    app.wait_exit(Duration::from_secs(5));
}
