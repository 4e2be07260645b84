//! Keys as the rep pressed them, even when the terminal's bytes arrive in pieces. During a
//! fast key flood an escape sequence (PgUp is `ESC [ 5 ~`) can be split across two reads:
//! the terminal library then reports Esc, followed by the characters `[`, `5`, `~`, which
//! would be typed into a field. [`SplitEscapes`] holds an Esc for a moment and joins such a
//! tail back into the key it was (or drops a tail it cannot name), so a fragment of an
//! escape sequence never becomes text.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// How long an Esc is held to see whether the rest of a sequence follows: shorter than any
/// two keys a person presses, longer than the gap between two reads of one sequence even on
/// a busy machine (terminal editors wait as long: vim's `ttimeoutlen` is 50–100 ms).
pub const HOLD_MS: u64 = 50;

/// Joins escape sequences split across reads; see the module documentation.
#[derive(Debug, Default)]
pub struct SplitEscapes {
    /// An Esc, and the characters of a sequence's tail seen after it.
    held: Option<String>,
}

impl SplitEscapes {
    /// Whether an Esc is being held (the reader should wait at most [`HOLD_MS`] for more).
    pub fn holding(&self) -> bool {
        self.held.is_some()
    }

    /// Takes the next event; returns the events to pass on now.
    pub fn push(&mut self, event: Event) -> Vec<Event> {
        let Event::Key(key) = &event else { return self.flush_then(event) };
        if key.kind == KeyEventKind::Release {
            return self.flush_then(event);
        }
        let plain = key.modifiers.difference(KeyModifiers::SHIFT).is_empty();
        match (&mut self.held, key.code) {
            (None, KeyCode::Esc) if plain => {
                self.held = Some(String::new());
                Vec::new()
            }
            (Some(tail), KeyCode::Char(c)) if plain && tail.is_empty() && (c == '[' || c == 'O') => {
                tail.push(c);
                Vec::new()
            }
            (Some(tail), KeyCode::Char(c)) if plain && !tail.is_empty() => {
                tail.push(c);
                if c.is_ascii_digit() || c == ';' {
                    return Vec::new();
                }
                // The final character: the sequence is whole. A key it names goes on;
                // anything else is dropped rather than typed.
                let sequence = self.held.take().unwrap_or_default();
                named_key(&sequence).map(|k| vec![Event::Key(k)]).unwrap_or_default()
            }
            _ => self.flush_then(event),
        }
    }

    /// Nothing more came in time: what was held was a real Esc (and anything after it).
    pub fn flush(&mut self) -> Vec<Event> {
        let Some(tail) = self.held.take() else { return Vec::new() };
        let mut out = vec![Event::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE))];
        out.extend(tail.chars().map(|c| Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))));
        out
    }

    fn flush_then(&mut self, event: Event) -> Vec<Event> {
        let mut out = self.flush();
        out.extend(self.push_fresh(event));
        out
    }

    /// `event` with nothing held (an Esc starts holding again).
    fn push_fresh(&mut self, event: Event) -> Vec<Event> {
        debug_assert!(self.held.is_none());
        match &event {
            Event::Key(k) if k.code == KeyCode::Esc && k.kind != KeyEventKind::Release => self.push(event),
            _ => vec![event],
        }
    }
}

/// The key a sequence's tail (after Esc) stands for, as xterm and its kin send them.
fn named_key(tail: &str) -> Option<KeyEvent> {
    let code = match tail {
        "[A" | "OA" => KeyCode::Up,
        "[B" | "OB" => KeyCode::Down,
        "[C" | "OC" => KeyCode::Right,
        "[D" | "OD" => KeyCode::Left,
        "[H" | "OH" | "[1~" | "[7~" => KeyCode::Home,
        "[F" | "OF" | "[4~" | "[8~" => KeyCode::End,
        "[2~" => KeyCode::Insert,
        "[3~" => KeyCode::Delete,
        "[5~" => KeyCode::PageUp,
        "[6~" => KeyCode::PageDown,
        "[Z" => return Some(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
        "OP" => KeyCode::F(1),
        "OQ" => KeyCode::F(2),
        "OR" => KeyCode::F(3),
        "OS" => KeyCode::F(4),
        "[15~" => KeyCode::F(5),
        "[17~" => KeyCode::F(6),
        "[18~" => KeyCode::F(7),
        "[19~" => KeyCode::F(8),
        "[20~" => KeyCode::F(9),
        "[21~" => KeyCode::F(10),
        "[23~" => KeyCode::F(11),
        "[24~" => KeyCode::F(12),
        _ => return None,
    };
    Some(KeyEvent::new(code, KeyModifiers::NONE))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> Event {
        Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    fn feed(joiner: &mut SplitEscapes, events: &[Event]) -> Vec<Event> {
        events.iter().cloned().flat_map(|e| joiner.push(e)).collect()
    }

    #[test]
    fn a_sequence_split_across_reads_becomes_its_key_not_text() {
        let mut j = SplitEscapes::default();
        let chars = |s: &str| s.chars().map(|c| key(KeyCode::Char(c))).collect::<Vec<_>>();
        let mut events = vec![key(KeyCode::Esc)];
        events.extend(chars("[5~"));
        assert_eq!(feed(&mut j, &events), vec![key(KeyCode::PageUp)]);
        let mut events = vec![key(KeyCode::Esc)];
        events.extend(chars("[B"));
        assert_eq!(feed(&mut j, &events), vec![key(KeyCode::Down)]);
        let mut events = vec![key(KeyCode::Esc)];
        events.extend(chars("[99x"));
        assert!(feed(&mut j, &events).is_empty(), "an unknown tail is dropped, never typed");
    }

    #[test]
    fn a_real_esc_and_what_follows_pass_through() {
        let mut j = SplitEscapes::default();
        assert!(j.push(key(KeyCode::Esc)).is_empty());
        assert!(j.holding());
        assert_eq!(j.push(key(KeyCode::Char('a'))), vec![key(KeyCode::Esc), key(KeyCode::Char('a'))]);
        assert!(j.push(key(KeyCode::Esc)).is_empty());
        assert_eq!(j.flush(), vec![key(KeyCode::Esc)], "nothing more in time: it was Esc");
        assert_eq!(j.push(key(KeyCode::Char('['))), vec![key(KeyCode::Char('['))], "a bracket alone is text");
    }

    #[test]
    fn esc_twice_is_two_escs() {
        let mut j = SplitEscapes::default();
        assert!(j.push(key(KeyCode::Esc)).is_empty());
        assert_eq!(j.push(key(KeyCode::Esc)), vec![key(KeyCode::Esc)]);
        assert_eq!(j.flush(), vec![key(KeyCode::Esc)]);
    }
}
