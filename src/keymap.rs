//! Key bindings per pane. Footer hints and the help overlay are rendered from this table,
//! so they can never drift from what the keys really do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::action::Action;

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    Global,
    Queue,
    Customer,
    Knowledge,
    Reader,
    Notes,
}

impl Scope {
    /// Every scope, in the order the help overlay lists them.
    pub const ALL: [Scope; 6] = [Self::Global, Self::Queue, Self::Customer, Self::Knowledge, Self::Reader, Self::Notes];

    /// The name used in the config file (`[keys.queue]`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Global => "global",
            Self::Queue => "queue",
            Self::Customer => "customer",
            Self::Knowledge => "knowledge",
            Self::Reader => "reader",
            Self::Notes => "notes",
        }
    }

    /// Parses a config-file scope name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The heading used in the help overlay.
    pub fn title(self) -> &'static str {
        match self {
            Self::Global => "Everywhere",
            Self::Queue => "Queue",
            Self::Customer => "Customer",
            Self::Knowledge => "Knowledge search",
            Self::Reader => "Reading an article",
            Self::Notes => "Notes editor",
        }
    }
}

/// One key with its modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    /// Parses a key as written in the config: `ctrl-s`, `f2`, `shift-tab`, `pgdn`, `a`, `?`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let lower = text.trim().to_ascii_lowercase();
        let mut mods = KeyModifiers::NONE;
        let mut rest = lower.as_str();
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-").or_else(|| rest.strip_prefix("c-")) {
                mods |= KeyModifiers::CONTROL;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-").or_else(|| rest.strip_prefix("a-")) {
                mods |= KeyModifiers::ALT;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("shift-").filter(|r| !r.is_empty()) {
                if r == "tab" {
                    return Ok(Self::plain(KeyCode::BackTab));
                }
                mods |= KeyModifiers::SHIFT;
                rest = r;
            } else {
                break;
            }
        }
        let code = match rest {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "space" => KeyCode::Char(' '),
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            f if f.starts_with('f') && f.len() > 1 && f[1..].chars().all(|c| c.is_ascii_digit()) => {
                let n: u8 = f[1..].parse().map_err(|_| format!("\"{text}\" is not a key"))?;
                if !(1..=24).contains(&n) {
                    return Err(format!("\"{text}\" is not a function key (f1 … f24)"));
                }
                KeyCode::F(n)
            }
            single if single.chars().count() == 1 => {
                // Keep the case the user wrote for letters: "G" is shift-g.
                let original = text.trim().chars().last().unwrap_or(' ');
                KeyCode::Char(if mods.contains(KeyModifiers::CONTROL) {
                    original.to_ascii_lowercase()
                } else {
                    original
                })
            }
            _ => return Err(format!("\"{text}\" is not a key (try ctrl-s, f2, enter, pgdn, a)")),
        };
        Ok(Self { code, mods: mods - KeyModifiers::SHIFT })
    }

    const fn plain(code: KeyCode) -> Self {
        Self { code, mods: KeyModifiers::NONE }
    }

    const fn ctrl(c: char) -> Self {
        Self { code: KeyCode::Char(c), mods: KeyModifiers::CONTROL }
    }

    const fn ch(c: char) -> Self {
        Self::plain(KeyCode::Char(c))
    }

    /// Whether a key event is this key. Shift is ignored for characters, since it is
    /// already part of the character (`?` is Shift-/ on many layouts, not on others).
    pub fn matches(&self, ev: &KeyEvent) -> bool {
        let relevant = KeyModifiers::CONTROL | KeyModifiers::ALT;
        match (self.code, ev.code) {
            (KeyCode::Char(a), KeyCode::Char(b)) => {
                a.eq_ignore_ascii_case(&b)
                    && (a == b || self.mods.contains(KeyModifiers::CONTROL))
                    && (ev.modifiers & relevant) == (self.mods & relevant)
            }
            (KeyCode::BackTab, KeyCode::BackTab) => true,
            (a, b) => a == b && (ev.modifiers & (relevant | KeyModifiers::SHIFT)) == self.mods,
        }
    }

    /// How the key is written in hints and help: `Ctrl-S`, `PgDn`, `j`.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            other => format!("{other:?}"),
        };
        let mut label = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            label.push_str("Ctrl-");
            return label + &base.to_uppercase();
        }
        if self.mods.contains(KeyModifiers::ALT) {
            label.push_str("Alt-");
        }
        label + &base
    }
}

/// A key (or several) bound to an action within a scope.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub scope: Scope,
    pub keys: Vec<Key>,
    pub action: Action,
    pub desc: &'static str,
    /// Shown in the status bar's hints for its scope (the rest live in the help overlay).
    pub hint: bool,
}

/// The live keymap.
#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    pub bindings: Vec<Binding>,
}

/// A starting set of bindings, chosen in the config.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// Arrows, j/k, PgUp/PgDn, Home/End.
    Standard,
    /// Standard plus g/G for top and bottom and Ctrl-D/Ctrl-U for pages.
    Vim,
}

impl Keymap {
    /// The bindings of a preset.
    pub fn preset(preset: Preset) -> Self {
        let mut map = Self::default();
        if preset == Preset::Vim {
            for b in &mut map.bindings {
                if !matches!(b.scope, Scope::Queue | Scope::Customer | Scope::Reader) {
                    continue;
                }
                let extra = match b.action {
                    Action::First => Some(Key::ch('g')),
                    Action::Last => Some(Key::ch('G')),
                    Action::PageDown => Some(Key::ctrl('d')),
                    Action::PageUp => Some(Key::ctrl('u')),
                    _ => None,
                };
                b.keys.extend(extra);
            }
        }
        map
    }

    /// Rebinds an action in a scope to the given keys (config `[keys.SCOPE] action = …`).
    /// An action not yet bound in that scope gets a new binding there.
    pub fn rebind(&mut self, scope: Scope, action_name: &str, keys: &[String]) -> Result<(), String> {
        let action: Action = serde_json::from_value(serde_json::Value::String(action_name.to_string()))
            .map_err(|_| "unknown action (`frontline keys` lists them)".to_string())?;
        let parsed = keys.iter().map(|k| Key::parse(k)).collect::<Result<Vec<_>, _>>()?;
        if parsed.is_empty() {
            return Err("needs at least one key".into());
        }
        // A key now means this action here: take it away from other actions in the scope.
        for b in self.bindings.iter_mut().filter(|b| b.scope == scope && b.action != action) {
            b.keys.retain(|k| !parsed.contains(k));
        }
        match self.bindings.iter_mut().find(|b| b.scope == scope && b.action == action) {
            Some(b) => b.keys = parsed,
            None => {
                let desc = self.bindings.iter().find(|b| b.action == action).map_or("", |b| b.desc);
                self.bindings.push(Binding { scope, keys: parsed, action, desc, hint: false });
            }
        }
        self.bindings.retain(|b| !b.keys.is_empty());
        Ok(())
    }
}

impl Default for Keymap {
    fn default() -> Self {
        use Action as A;
        use KeyCode as K;
        use Scope as S;
        let b = |scope, keys: &[Key], action, desc, hint| Binding { scope, keys: keys.to_vec(), action, desc, hint };
        let list_moves = |scope| {
            vec![
                b(scope, &[Key::plain(K::Up), Key::ch('k')], A::MoveUp, "move up", false),
                b(scope, &[Key::plain(K::Down), Key::ch('j')], A::MoveDown, "move down", false),
                b(scope, &[Key::plain(K::PageUp)], A::PageUp, "page up", false),
                b(scope, &[Key::plain(K::PageDown)], A::PageDown, "page down", false),
                b(scope, &[Key::plain(K::Home)], A::First, "go to the top", false),
                b(scope, &[Key::plain(K::End)], A::Last, "go to the bottom", false),
            ]
        };
        let mut bindings = vec![
            b(
                S::Global,
                &[Key::ctrl('q'), Key::ctrl('c')],
                A::Quit,
                "quit (unsaved note text is kept as a draft)",
                true,
            ),
            b(S::Global, &[Key::ctrl('z')], A::Suspend, "suspend to the shell (fg to return)", false),
            b(S::Global, &[Key::plain(K::Tab)], A::FocusNext, "next pane", true),
            b(S::Global, &[Key::plain(K::BackTab)], A::FocusPrev, "previous pane", false),
            b(S::Global, &[Key::plain(K::F(1))], A::ToggleHelp, "show or hide this help", true),
            b(S::Global, &[Key::ctrl('f')], A::SearchKb, "search the knowledge base", true),
            b(S::Global, &[Key::plain(K::F(2))], A::AcceptNext, "accept the next contact of the view on screen", true),
            b(S::Global, &[Key::plain(K::F(3))], A::LogContact, "log a call or walk-in that just started", false),
            b(S::Global, &[Key::plain(K::F(4))], A::ToggleHold, "hold / resume the current contact", false),
            b(
                S::Global,
                &[Key::plain(K::F(5))],
                A::WrapUp,
                "wrap up: disposition, resolve / escalate / transfer, follow-up",
                false,
            ),
            b(S::Global, &[Key::plain(K::F(6))], A::NextActive, "switch to the next contact in progress", false),
            b(S::Global, &[Key::plain(K::F(7))], A::Dashboard, "my numbers: today and this week", false),
            b(
                S::Global,
                &[Key::plain(K::F(8))],
                A::EditContact,
                "contact details: priority, tags, customer, CSAT",
                false,
            ),
            b(
                S::Global,
                &[Key::ctrl('g')],
                A::OpenPalette,
                "command palette: actions, snippets, articles, customers",
                true,
            ),
            b(
                S::Global,
                &[Key::ctrl('t')],
                A::InsertSnippet,
                "insert a snippet (canned response) into the notes",
                false,
            ),
            b(
                S::Global,
                &[Key::plain(K::F(9))],
                A::Scripts,
                "scripts: step through a checklist for this contact",
                false,
            ),
            b(
                S::Global,
                &[Key::ctrl('o')],
                A::SetStatus,
                "my status: available, break, lunch, training, meeting…",
                false,
            ),
            b(
                S::Global,
                &[Key::plain(K::F(12))],
                A::ToggleReply,
                "write the email reply (again: back to notes; Ctrl-S sends)",
                false,
            ),
            b(S::Global, &[Key::plain(K::F(10))], A::Bulletins, "bulletins: policy updates and known incidents", false),
        ];
        bindings.push(b(S::Queue, &[Key::plain(K::Enter)], A::OpenSelected, "open the selected contact", true));
        bindings.extend(list_moves(S::Queue));
        bindings.extend([
            b(S::Queue, &[Key::ch('a')], A::AcceptSelected, "accept the selected contact", true),
            b(S::Queue, &[Key::ch('n')], A::LogContact, "log a call or walk-in", false),
            b(S::Queue, &[Key::ch('K')], A::Kudos, "kudos: thank-you messages kept for the days that need them", false),
            b(S::Queue, &[Key::ch('T')], A::Schedule, "today's schedule: see, add and remove blocks", false),
            b(S::Queue, &[Key::ch('r')], A::Reopen, "reopen the selected contact", false),
            b(
                S::Queue,
                &[Key::ch('D')],
                A::DraftArticle,
                "create a draft help-centre article from the selected resolved contact's notes",
                false,
            ),
            b(
                S::Queue,
                &[Key::ch('s')],
                A::CycleView,
                "show: waiting, active, on hold, follow-ups, escalated, resolved today",
                false,
            ),
            b(S::Queue, &[Key::ch('c')], A::CycleChannel, "filter by channel", false),
            b(S::Queue, &[Key::ch('f')], A::FilterText, "filter by words (Esc clears)", false),
            b(S::Queue, &[Key::plain(K::Esc)], A::Back, "clear the filter (every waiting contact)", false),
            b(S::Queue, &[Key::ch('/')], A::SearchKb, "search the knowledge base", false),
        ]);
        bindings.push(b(S::Queue, &[Key::ch('?')], A::ToggleHelp, "show help", false));
        bindings.extend(list_moves(S::Customer));
        bindings.extend([
            b(S::Customer, &[Key::plain(K::Esc)], A::Back, "back to the open contact's customer", false),
            b(S::Customer, &[Key::ch('s')], A::FindCustomer, "find a customer", true),
            b(S::Customer, &[Key::ch('e')], A::EditCustomer, "edit profile, flags, pinned note, identities", true),
            b(S::Customer, &[Key::ch('m')], A::MergeCustomer, "merge a duplicate into this customer", false),
            b(S::Customer, &[Key::ch('X')], A::ForgetCustomer, "erase this customer (asks for their name)", false),
            b(S::Customer, &[Key::ch('q')], A::SelfReview, "QA self-review of the open contact", false),
            b(
                S::Customer,
                &[Key::ch('K')],
                A::MarkKept,
                "mark the soonest open promise kept (or follow-up done); the palette lists each",
                false,
            ),
            b(
                S::Customer,
                &[Key::ch('h')],
                A::ToggleHistory,
                "show the whole record (or only the newest contacts, orders, billing)",
                false,
            ),
        ]);
        bindings.push(b(S::Customer, &[Key::ch('/')], A::SearchKb, "search the knowledge base", false));
        bindings.push(b(S::Customer, &[Key::ch('?')], A::ToggleHelp, "show help", false));
        bindings.extend([
            b(S::Knowledge, &[Key::plain(K::Enter)], A::OpenSelected, "read the selected article", true),
            b(S::Knowledge, &[Key::plain(K::Up)], A::MoveUp, "previous result", false),
            b(S::Knowledge, &[Key::plain(K::Down)], A::MoveDown, "next result", true),
            b(S::Knowledge, &[Key::plain(K::PageUp)], A::PageUp, "page up", false),
            b(S::Knowledge, &[Key::plain(K::PageDown)], A::PageDown, "page down", false),
            b(S::Knowledge, &[Key::plain(K::Esc)], A::Back, "clear the search", true),
            b(
                S::Knowledge,
                &[Key::ctrl('l')],
                A::InsertLink,
                "put a link to the selected article into the notes",
                false,
            ),
            b(
                S::Knowledge,
                &[Key::ctrl('y')],
                A::CopyPassage,
                "copy the selected article's link to the clipboard",
                false,
            ),
        ]);
        bindings.extend(list_moves(S::Reader));
        bindings.extend([
            b(S::Reader, &[Key::plain(K::Esc)], A::Back, "back to the results (or end the selection)", true),
            b(S::Reader, &[Key::ch('v')], A::SelectPassage, "select lines (move to extend)", true),
            b(
                S::Reader,
                &[Key::ch('i'), Key::plain(K::Enter)],
                A::InsertPassage,
                "insert the selection into the notes",
                true,
            ),
            b(S::Reader, &[Key::ch('l')], A::InsertLink, "insert a link to the article into the notes", false),
            b(S::Reader, &[Key::ch('y')], A::CopyPassage, "copy the selection to the clipboard", true),
            b(S::Reader, &[Key::ch('/')], A::FindInArticle, "find in the article", false),
            b(S::Reader, &[Key::ch('n')], A::FindNext, "next match", false),
            b(S::Reader, &[Key::ch('N')], A::FindPrev, "previous match", false),
            b(S::Reader, &[Key::ch('?')], A::ToggleHelp, "show help", false),
            b(S::Notes, &[Key::ctrl('s')], A::SaveNote, "save the text as a note", true),
        ]);
        Self { bindings }
    }
}

impl Keymap {
    /// The action a key triggers in a scope: the scope's own bindings first, then global ones.
    pub fn resolve(&self, scope: Scope, ev: &KeyEvent) -> Option<Action> {
        let find = |s: Scope| {
            self.bindings.iter().find(|b| b.scope == s && b.keys.iter().any(|k| k.matches(ev))).map(|b| b.action)
        };
        find(scope).or_else(|| find(Scope::Global))
    }

    /// The bindings of one scope, in table order.
    pub fn in_scope(&self, scope: Scope) -> impl Iterator<Item = &Binding> {
        self.bindings.iter().filter(move |b| b.scope == scope)
    }

    /// Footer hints for a scope: its hinted bindings, then the global ones.
    pub fn hints(&self, scope: Scope) -> Vec<(String, &'static str)> {
        self.in_scope(scope)
            .chain(self.in_scope(Scope::Global))
            .filter(|b| b.hint)
            .map(|b| {
                let label = match b.action.short() {
                    "" => short_desc(b.desc),
                    short => short,
                };
                (b.keys.first().map(Key::label).unwrap_or_default(), label)
            })
            .collect()
    }

    /// The first key bound to an action in a scope (or globally), written for people.
    pub fn key_for(&self, scope: Scope, action: Action) -> Option<String> {
        self.in_scope(scope)
            .chain(self.in_scope(Scope::Global))
            .find(|b| b.action == action)
            .and_then(|b| b.keys.first())
            .map(Key::label)
    }
}

/// The first words of a description, for the narrow footer.
fn short_desc(desc: &'static str) -> &'static str {
    desc.split(" (").next().unwrap_or(desc)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn scope_bindings_win_over_global_ones() {
        let map = Keymap::default();
        assert_eq!(map.resolve(Scope::Queue, &key(KeyCode::Enter, KeyModifiers::NONE)), Some(Action::OpenSelected));
        assert_eq!(map.resolve(Scope::Notes, &key(KeyCode::Char('q'), KeyModifiers::CONTROL)), Some(Action::Quit));
        assert_eq!(map.resolve(Scope::Notes, &key(KeyCode::Char('s'), KeyModifiers::CONTROL)), Some(Action::SaveNote));
    }

    #[test]
    fn no_key_means_two_things_in_one_scope() {
        for preset in [Preset::Standard, Preset::Vim] {
            let map = Keymap::preset(preset);
            let mut seen = std::collections::HashMap::new();
            for b in &map.bindings {
                for k in &b.keys {
                    if let Some(earlier) = seen.insert((b.scope, *k), b.action) {
                        assert_eq!(earlier, b.action, "{preset:?}: {k:?} in {:?} is bound twice", b.scope);
                    }
                }
            }
        }
    }

    #[test]
    fn typing_keys_are_free_in_the_notes_editor() {
        let map = Keymap::default();
        for c in ['j', 'k', '/', '?', 'g', 'G', 'q'] {
            assert_eq!(map.resolve(Scope::Notes, &key(KeyCode::Char(c), KeyModifiers::NONE)), None, "{c}");
        }
    }

    #[test]
    fn shifted_characters_match_their_binding() {
        let map = Keymap::preset(Preset::Vim);
        assert_eq!(map.resolve(Scope::Queue, &key(KeyCode::Char('?'), KeyModifiers::SHIFT)), Some(Action::ToggleHelp));
        assert_eq!(map.resolve(Scope::Queue, &key(KeyCode::Char('G'), KeyModifiers::SHIFT)), Some(Action::Last));
        assert_eq!(map.resolve(Scope::Queue, &key(KeyCode::Char('g'), KeyModifiers::NONE)), Some(Action::First));
        assert_eq!(Keymap::default().resolve(Scope::Queue, &key(KeyCode::Char('g'), KeyModifiers::NONE)), None);
        assert_eq!(
            map.resolve(Scope::Queue, &key(KeyCode::Char('Q'), KeyModifiers::CONTROL | KeyModifiers::SHIFT)),
            Some(Action::Quit)
        );
    }

    #[test]
    fn keys_parse_as_written_in_the_config() {
        assert_eq!(Key::parse("ctrl-s"), Ok(Key::ctrl('s')));
        assert_eq!(Key::parse("F2"), Ok(Key::plain(KeyCode::F(2))));
        assert_eq!(Key::parse("shift-tab"), Ok(Key::plain(KeyCode::BackTab)));
        assert_eq!(Key::parse("pgdn"), Ok(Key::plain(KeyCode::PageDown)));
        assert_eq!(Key::parse("G"), Ok(Key::ch('G')));
        assert!(Key::parse("hyper-x").is_err());
        assert!(Key::parse("f99").is_err());
    }

    #[test]
    fn rebinding_moves_the_key_and_keeps_the_description() {
        let mut map = Keymap::default();
        map.rebind(Scope::Global, "accept_next", &["f9".into()]).expect("valid");
        assert_eq!(map.resolve(Scope::Queue, &key(KeyCode::F(9), KeyModifiers::NONE)), Some(Action::AcceptNext));
        assert_eq!(map.resolve(Scope::Queue, &key(KeyCode::F(2), KeyModifiers::NONE)), None);
        // Taking Enter for accept in the queue removes it from "open".
        map.rebind(Scope::Queue, "accept_selected", &["enter".into()]).expect("valid");
        assert_eq!(map.resolve(Scope::Queue, &key(KeyCode::Enter, KeyModifiers::NONE)), Some(Action::AcceptSelected));
        assert_eq!(map.key_for(Scope::Global, Action::AcceptNext).as_deref(), Some("F9"));
        assert!(map.rebind(Scope::Queue, "fly_away", &["x".into()]).is_err());
        assert!(map.rebind(Scope::Queue, "quit", &["hyper-x".into()]).is_err());
    }

    /// Every action, listed through an exhaustive match so a new one cannot be forgotten.
    fn all_actions() -> Vec<Action> {
        use Action as A;
        let all = vec![
            A::Quit,
            A::Suspend,
            A::FocusNext,
            A::FocusPrev,
            A::ToggleHelp,
            A::SearchKb,
            A::MoveUp,
            A::MoveDown,
            A::PageUp,
            A::PageDown,
            A::First,
            A::Last,
            A::OpenSelected,
            A::Back,
            A::SaveNote,
            A::AcceptNext,
            A::AcceptSelected,
            A::LogContact,
            A::ToggleHold,
            A::WrapUp,
            A::NextActive,
            A::Dashboard,
            A::EditContact,
            A::Reopen,
            A::CycleChannel,
            A::CycleView,
            A::FilterText,
            A::SelectPassage,
            A::InsertPassage,
            A::InsertLink,
            A::CopyPassage,
            A::FindInArticle,
            A::FindNext,
            A::FindPrev,
            A::OpenPalette,
            A::InsertSnippet,
            A::Scripts,
            A::Bulletins,
            A::FindCustomer,
            A::EditCustomer,
            A::MergeCustomer,
            A::ForgetCustomer,
            A::SetStatus,
            A::Kudos,
            A::SelfReview,
            A::ToggleReply,
            A::Schedule,
            A::ToggleHistory,
            A::MarkKept,
            A::DraftArticle,
        ];
        for a in &all {
            match a {
                A::Quit
                | A::Suspend
                | A::FocusNext
                | A::FocusPrev
                | A::ToggleHelp
                | A::SearchKb
                | A::MoveUp
                | A::MoveDown
                | A::PageUp
                | A::PageDown
                | A::First
                | A::Last
                | A::OpenSelected
                | A::Back
                | A::SaveNote
                | A::AcceptNext
                | A::AcceptSelected
                | A::LogContact
                | A::ToggleHold
                | A::WrapUp
                | A::NextActive
                | A::Dashboard
                | A::EditContact
                | A::Reopen
                | A::CycleChannel
                | A::CycleView
                | A::FilterText
                | A::SelectPassage
                | A::InsertPassage
                | A::InsertLink
                | A::CopyPassage
                | A::FindInArticle
                | A::FindNext
                | A::FindPrev
                | A::OpenPalette
                | A::InsertSnippet
                | A::Scripts
                | A::Bulletins
                | A::FindCustomer
                | A::EditCustomer
                | A::MergeCustomer
                | A::ForgetCustomer
                | A::SetStatus
                | A::Kudos
                | A::SelfReview
                | A::ToggleReply
                | A::Schedule
                | A::ToggleHistory
                | A::MarkKept
                | A::DraftArticle => {}
            }
        }
        all
    }

    #[test]
    fn every_action_has_a_default_key() {
        let map = Keymap::default();
        for action in all_actions() {
            assert!(map.bindings.iter().any(|b| b.action == action), "{action:?} has no binding");
        }
    }

    #[test]
    fn everything_a_rep_needs_in_the_editor_is_on_ctrl_or_function_keys() {
        let map = Keymap::default();
        for b in map.in_scope(Scope::Global).chain(map.in_scope(Scope::Notes)) {
            for k in &b.keys {
                let plain_char = matches!(k.code, KeyCode::Char(_)) && !k.mods.intersects(KeyModifiers::CONTROL);
                assert!(!plain_char && !k.mods.contains(KeyModifiers::ALT), "{:?} on {}", b.action, k.label());
            }
        }
    }

    #[test]
    fn editor_shortcuts_stay_free_in_the_notes_editor() {
        // Ctrl letters ratatui-textarea gives meaning to (movement, deletion, undo, paste…).
        const EDITOR: &str = "abcdefhjkmnpruvwxy";
        // Ctrl-F (search from anywhere) and Ctrl-C (quit) are the only ones taken, on purpose.
        const TAKEN_ON_PURPOSE: &str = "cf";
        let map = Keymap::default();
        for b in map.in_scope(Scope::Global).chain(map.in_scope(Scope::Notes)) {
            for k in b.keys.iter().filter(|k| k.mods.contains(KeyModifiers::CONTROL)) {
                if let KeyCode::Char(c) = k.code {
                    assert!(
                        !EDITOR.contains(c) || TAKEN_ON_PURPOSE.contains(c),
                        "{:?} takes the editor's Ctrl-{c}",
                        b.action
                    );
                }
            }
        }
    }

    #[test]
    fn every_binding_has_a_description_and_a_key() {
        for b in Keymap::default().bindings {
            assert!(!b.desc.is_empty() && !b.keys.is_empty(), "{:?}", b.action);
        }
    }
}
