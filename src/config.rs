//! Settings: the embedded defaults, overlaid by the rep's `config.toml`. A file that is not
//! TOML is an error; an unknown key or a bad value is a warning naming its line and key,
//! and that setting keeps its default.

use std::path::Path;

use anyhow::{Context, Result};

use crate::keymap::{Keymap, Preset};
use crate::state::forms::Lists;

/// The commented default configuration (`frontline config --default` prints it).
pub const DEFAULT_TOML: &str = include_str!("../assets/default-config.toml");

/// Which colours to draw with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThemeName {
    Standard,
    HighContrast,
    Monochrome,
}

/// The settings Frontline runs with.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub rep_name: String,
    pub theme: ThemeName,
    pub keymap: Keymap,
    pub lists: Lists,
    pub fcr_window_days: i64,
    /// Where contacts arrive from and where replies go (`[intake]`).
    pub intake: Intake,
    /// The QA scorecard (`[[qa.criteria]]`); a file's list replaces the default one whole.
    pub qa_criteria: Vec<crate::domain::shift::Criterion>,
    /// Offer a breather after this many contacts without a break (0 = only after a
    /// difficult contact).
    pub breather_after_contacts: u32,
    /// How long an accepted breather lasts, in minutes.
    pub breather_minutes: u32,
    /// Clicks focus and select, the wheel scrolls (off keeps the terminal's own selection).
    pub mouse: bool,
    /// Team mode (`[team]`): the team's help desk is the engine. `None` works as ever.
    pub team: Option<crate::team::config::TeamSettings>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            rep_name: "Rep".into(),
            theme: ThemeName::Standard,
            keymap: Keymap::default(),
            lists: Lists::default(),
            fcr_window_days: 7,
            intake: Intake::default(),
            qa_criteria: crate::domain::shift::default_scorecard(),
            breather_after_contacts: 10,
            breather_minutes: 5,
            mouse: true,
            team: None,
        }
    }
}

impl Config {
    /// The SLA targets and FCR window the metrics use.
    pub fn metric_settings(&self) -> crate::domain::metrics::Settings {
        crate::domain::metrics::Settings {
            sla_targets_seconds: self.lists.sla_targets,
            fcr_window_seconds: self.fcr_window_days * 86_400,
        }
    }
}

/// A problem found in a config file; the setting keeps its default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning(pub String);

/// Loads the config file if it exists. Only a regular file is read: a FIFO given as the
/// config waited for ever, and `/dev/zero` filled the memory.
pub fn load(path: &Path) -> Result<(Config, Vec<Warning>)> {
    if std::fs::symlink_metadata(path).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound) {
        return Ok((Config::default(), Vec::new()));
    }
    // A config file is a few kilobytes; a megabyte is already no config.
    let bytes = crate::import::regular_file::read(path, 1 << 20)?;
    let text = String::from_utf8(bytes).with_context(|| format!("{}: is not UTF-8 text", path.display()))?;
    parse(&text, &path.display().to_string())
}

/// Finds the line of `key` inside `[section]` (or at the top level), for messages.
fn line_of(text: &str, section: Option<&str>, key: &str) -> usize {
    let mut current: Option<String> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = Some(name.trim().to_string());
            continue;
        }
        let here = current.as_deref() == section;
        let is_key = line.strip_prefix(key).is_some_and(|rest| rest.trim_start().starts_with('='))
            || line.strip_prefix(&format!("\"{key}\"")).is_some_and(|rest| rest.trim_start().starts_with('='));
        if here && is_key {
            return i + 1;
        }
        // A table header line itself, e.g. the key is "sla" and the section line is [sla].
        if section.is_none() && current.as_deref() == Some(key) && line.starts_with('[') {
            return i + 1;
        }
    }
    text.lines()
        .position(|l| l.trim() == format!("[{key}]") || l.trim().starts_with(&format!("[{key}.")))
        .map_or(1, |i| i + 1)
}

/// Collects warnings with file and line.
struct Problems<'t> {
    origin: &'t str,
    text: &'t str,
    warnings: Vec<Warning>,
}

impl Problems<'_> {
    fn at(&mut self, section: Option<&str>, key: &str, message: impl std::fmt::Display) {
        let line = line_of(self.text, section, key);
        let name = section.map_or_else(|| key.to_string(), |s| format!("{s}.{key}"));
        self.warnings.push(Warning(format!("{}:{line}: {name}: {message}", self.origin)));
    }
}

/// Parses config text; `origin` names the file in messages.
pub fn parse(text: &str, origin: &str) -> Result<(Config, Vec<Warning>)> {
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        let line = e.span().map_or(1, |s| text[..s.start.min(text.len())].lines().count().max(1));
        anyhow::anyhow!("{origin}:{line}: not valid TOML: {}", e.message())
    })?;
    let mut config = Config::default();
    let mut p = Problems { origin, text, warnings: Vec::new() };
    let mut preset = Preset::Standard;
    for (key, value) in &table {
        match key.as_str() {
            "rep_name" => match value.as_str().map(str::trim) {
                Some(s) if !s.is_empty() => config.rep_name = s.to_string(),
                _ => p.at(None, key, "expected a non-empty string"),
            },
            "theme" => match value.as_str() {
                Some("standard") => config.theme = ThemeName::Standard,
                Some("high_contrast") => config.theme = ThemeName::HighContrast,
                Some("monochrome") => config.theme = ThemeName::Monochrome,
                _ => p.at(None, key, "expected \"standard\", \"high_contrast\" or \"monochrome\""),
            },
            "keymap" => match value.as_str() {
                Some("standard") => preset = Preset::Standard,
                Some("vim") => preset = Preset::Vim,
                _ => p.at(None, key, "expected \"standard\" or \"vim\""),
            },
            "fcr_window_days" => match value.as_integer() {
                Some(d @ 1..=90) => config.fcr_window_days = d,
                _ => p.at(None, key, "expected a whole number of days from 1 to 90"),
            },
            "dispositions" | "departments" => match string_list(value) {
                Some(list) if !list.is_empty() => {
                    if key == "dispositions" {
                        config.lists.dispositions = list;
                    } else {
                        config.lists.departments = list;
                    }
                }
                _ => p.at(None, key, "expected a non-empty list of strings"),
            },
            "sla" => match value.as_table() {
                Some(sla) => read_sla(sla, &mut config.lists.sla_targets, &mut p),
                None => p.at(None, key, "expected a table like [sla] p1 = 60"),
            },
            "mouse" => match value.as_bool() {
                Some(on) => config.mouse = on,
                None => p.at(None, key, "expected true or false"),
            },
            "qa" => match value.as_table() {
                Some(qa) => read_qa(qa, &mut config.qa_criteria, &mut p),
                None => p.at(None, key, "expected [[qa.criteria]] tables"),
            },
            "wellbeing" => match value.as_table() {
                Some(w) => read_wellbeing(w, &mut config, &mut p),
                None => p.at(None, key, "expected a table like [wellbeing] breather_after_contacts = 10"),
            },
            "intake" => match value.as_table() {
                Some(intake) => read_intake(intake, &mut config.intake, &mut p),
                None => p.at(None, key, "expected a table like [intake] maildirs = [\"~/Mail/support/INBOX\"]"),
            },
            "team" => match value.as_table() {
                Some(team) => match crate::team::config::parse(team) {
                    Ok(settings) => config.team = Some(settings),
                    Err(problems) => {
                        for problem in problems {
                            p.at(Some("team"), &problem.key, format!("{} (team mode is off)", problem.message));
                        }
                    }
                },
                None => p.at(None, key, "expected a table like [team] url = \"https://rt.example.com\""),
            },
            "keys" => {}
            other => p.at(None, other, "unknown key (ignored)"),
        }
    }
    config.keymap = Keymap::preset(preset);
    if let Some(keys) = table.get("keys") {
        match keys.as_table() {
            Some(keys) => read_keys(keys, &mut config.keymap, &mut p),
            None => p.at(None, "keys", "expected tables like [keys.queue]"),
        }
    }
    Ok((config, p.warnings))
}

fn string_list(value: &toml::Value) -> Option<Vec<String>> {
    value.as_array()?.iter().map(|v| v.as_str().map(|s| s.trim().to_string()).filter(|s| !s.is_empty())).collect()
}

fn read_sla(sla: &toml::Table, targets: &mut [i64; 4], p: &mut Problems<'_>) {
    for (key, value) in sla {
        let slot = match key.as_str() {
            "p1" => 0,
            "p2" => 1,
            "p3" => 2,
            "p4" => 3,
            other => {
                p.at(Some("sla"), other, "unknown priority (use p1 … p4)");
                continue;
            }
        };
        match value.as_integer() {
            Some(seconds) if seconds > 0 => targets[slot] = seconds,
            _ => p.at(Some("sla"), key, "expected a positive number of seconds"),
        }
    }
}

/// The line of the `n`th (0-based) `[[header]]` entry, or of `key` inside that entry.
fn array_entry_line(text: &str, header: &str, n: usize, key: Option<&str>) -> usize {
    let mut seen = 0usize;
    let mut header_line = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.starts_with('[') {
            if header_line.is_some() {
                break;
            }
            let this =
                line.strip_prefix("[[").and_then(|l| l.split_once("]]")).is_some_and(|(h, _)| h.trim() == header);
            if this {
                if seen == n {
                    header_line = Some(i + 1);
                }
                seen += 1;
            }
            continue;
        }
        if let (Some(_), Some(k)) = (header_line, key)
            && line.strip_prefix(k).is_some_and(|rest| rest.trim_start().starts_with('='))
        {
            return i + 1;
        }
    }
    header_line.unwrap_or(1)
}

fn read_qa(qa: &toml::Table, criteria: &mut Vec<crate::domain::shift::Criterion>, p: &mut Problems<'_>) {
    use crate::domain::shift::{Criterion, criterion_key};
    for (key, value) in qa {
        if key != "criteria" {
            p.at(Some("qa"), key, "unknown key (ignored; the scorecard is [[qa.criteria]])");
            continue;
        }
        let Some(entries) = value.as_array() else {
            p.at(Some("qa"), key, "expected [[qa.criteria]] tables with name and weight");
            continue;
        };
        let mut read: Vec<Criterion> = Vec::new();
        for (i, entry) in entries.iter().enumerate() {
            let mut warn = |k: Option<&str>, message: String| {
                let line = array_entry_line(p.text, "qa.criteria", i, k);
                let name = k.map_or_else(|| format!("qa.criteria[{i}]"), |k| format!("qa.criteria[{i}].{k}"));
                p.warnings.push(Warning(format!("{}:{line}: {name}: {message}", p.origin)));
            };
            let Some(table) = entry.as_table() else {
                warn(None, "expected a table with name and weight (entry ignored)".into());
                continue;
            };
            for k in table.keys().filter(|k| *k != "name" && *k != "weight") {
                warn(Some(k), "unknown key (ignored)".into());
            }
            let name = match table.get("name").and_then(toml::Value::as_str).map(criterion_key) {
                Some(n) if !n.is_empty() => n,
                _ => {
                    warn(Some("name"), "expected a non-empty string (entry ignored)".into());
                    continue;
                }
            };
            #[allow(clippy::cast_precision_loss)] // a weight is a small number
            let weight = match table.get("weight") {
                Some(toml::Value::Float(w)) if w.is_finite() && *w > 0.0 => *w,
                Some(toml::Value::Integer(w)) if *w > 0 => *w as f64,
                None => 1.0,
                Some(_) => {
                    warn(Some("weight"), "expected a positive number (entry ignored)".into());
                    continue;
                }
            };
            if read.iter().any(|c| c.name == name) {
                warn(Some("name"), format!("\"{name}\" is listed twice (entry ignored)"));
                continue;
            }
            read.push(Criterion { name, weight });
        }
        if read.is_empty() {
            p.at(Some("qa"), key, "no usable criterion; the default scorecard is used");
        } else {
            *criteria = read;
        }
    }
}

fn read_wellbeing(table: &toml::Table, config: &mut Config, p: &mut Problems<'_>) {
    for (key, value) in table {
        let n = value.as_integer();
        match key.as_str() {
            "breather_after_contacts" => match n.and_then(|n| u32::try_from(n).ok()).filter(|n| *n <= 1000) {
                Some(n) => config.breather_after_contacts = n,
                None => p.at(Some("wellbeing"), key, "expected a whole number of contacts from 0 (off) to 1000"),
            },
            "breather_minutes" => match n.and_then(|n| u32::try_from(n).ok()).filter(|n| (1..=60).contains(n)) {
                Some(n) => config.breather_minutes = n,
                None => p.at(Some("wellbeing"), key, "expected a whole number of minutes from 1 to 60"),
            },
            other => p.at(Some("wellbeing"), other, "unknown key (ignored)"),
        }
    }
}

fn read_keys(keys: &toml::Table, keymap: &mut Keymap, p: &mut Problems<'_>) {
    for (scope_name, bindings) in keys {
        let section = format!("keys.{scope_name}");
        let Some(scope) = crate::keymap::Scope::parse(scope_name) else {
            p.at(Some("keys"), scope_name, "unknown pane (global, queue, customer, knowledge, reader, notes)");
            continue;
        };
        let Some(bindings) = bindings.as_table() else {
            p.at(Some("keys"), scope_name, "expected a table of action = \"key\"");
            continue;
        };
        for (action_name, keys_value) in bindings {
            let texts: Vec<String> = match keys_value {
                toml::Value::String(s) => vec![s.clone()],
                other => match string_list(other) {
                    Some(list) => list,
                    None => {
                        p.at(Some(&section), action_name, "expected \"key\" or a list of keys");
                        continue;
                    }
                },
            };
            if let Err(message) = keymap.rebind(scope, action_name, &texts) {
                p.at(Some(&section), action_name, message);
            }
        }
    }
}

/// Where contacts arrive from and where replies go (`[intake]`); paths have `~` expanded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Intake {
    /// Maildir folders that `frontline sync` and the workstation read.
    pub maildirs: Vec<std::path::PathBuf>,
    /// The live inbox folder; `None` means `inbox/` beside the workspace file.
    pub inbox: Option<std::path::PathBuf>,
    /// A Maildir that replies are written to (`new/`), for a mail client or queue to send.
    pub outbox: Option<std::path::PathBuf>,
    /// A sendmail-compatible command that replies are piped to (used instead of `outbox`).
    pub sendmail: Option<String>,
    /// The From of replies, unless the customer wrote to one of `support_addresses`.
    pub from: Option<String>,
    /// Our own addresses: a reply goes out from the one the customer wrote to in the
    /// contact's first message, if it is listed here.
    pub support_addresses: Vec<String>,
    /// How long sendmail or `reply_command` may take; `None` means 30 seconds.
    pub sendmail_timeout_seconds: Option<u64>,
    /// A command that takes replies to inbox contacts as JSON on its standard input
    /// (instead of a file in the inbox's `outbox/`).
    pub reply_command: Option<String>,
    /// Days the inbox's `done/` keeps an imported file; `None` means
    /// [`crate::intake::inbox::DEFAULT_KEEP_DONE_DAYS`].
    pub keep_done_days: Option<u32>,
}

impl Intake {
    /// How replies are sent: `sendmail` if set, else `outbox`; `None` if neither is set.
    pub fn delivery(&self) -> Option<crate::intake::Delivery> {
        match (&self.sendmail, &self.outbox) {
            (Some(cmd), _) => Some(crate::intake::Delivery::Sendmail(cmd.clone())),
            (None, Some(dir)) => Some(crate::intake::Delivery::Outbox(dir.clone())),
            (None, None) => None,
        }
    }

    /// How long sendmail or `reply_command` may run before it is stopped.
    pub fn sendmail_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.sendmail_timeout_seconds.unwrap_or(30))
    }

    /// How an inbox pass treats what it keeps (`keep_done_days`).
    pub fn inbox_options(&self) -> crate::intake::inbox::InboxOptions {
        crate::intake::inbox::InboxOptions::keeping_done_days(
            self.keep_done_days.unwrap_or(crate::intake::inbox::DEFAULT_KEEP_DONE_DAYS),
        )
    }

    /// The inbox folder for a workspace: `inbox` if set, else `inbox/` beside the file.
    pub fn inbox_dir(&self, workspace: &Path) -> std::path::PathBuf {
        self.inbox.clone().unwrap_or_else(|| crate::intake::inbox::default_dir(workspace))
    }
}

/// A path from the config with a leading `~` replaced by the home folder.
pub fn expand_tilde(path: &str) -> std::path::PathBuf {
    let home = || directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf());
    match path.strip_prefix('~') {
        Some("") => home().unwrap_or_else(|| path.into()),
        Some(rest) if rest.starts_with('/') => {
            home().map_or_else(|| path.into(), |h| h.join(rest.trim_start_matches('/')))
        }
        _ => path.into(),
    }
}

fn read_intake(table: &toml::Table, intake: &mut Intake, p: &mut Problems<'_>) {
    let text = |value: &toml::Value| value.as_str().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    for (key, value) in table {
        match key.as_str() {
            "maildirs" => match string_list(value) {
                Some(list) => intake.maildirs = list.iter().map(|d| expand_tilde(d)).collect(),
                None => p.at(Some("intake"), key, "expected a list of Maildir folders like [\"~/Mail/support/INBOX\"]"),
            },
            "inbox" | "outbox" => match text(value) {
                Some(dir) if key == "inbox" => intake.inbox = Some(expand_tilde(&dir)),
                Some(dir) => intake.outbox = Some(expand_tilde(&dir)),
                None => p.at(Some("intake"), key, "expected a folder path"),
            },
            "sendmail" | "reply_command" => match text(value) {
                Some(cmd) if key == "sendmail" => intake.sendmail = Some(cmd),
                Some(cmd) => intake.reply_command = Some(cmd),
                None => p.at(Some("intake"), key, "expected a command like \"msmtp -t\""),
            },
            "from" => match text(value) {
                Some(from) if crate::intake::reply::Mailbox::parse(&from).is_some() => intake.from = Some(from),
                _ => p.at(Some("intake"), key, "expected an email address like \"Support <support@example.com>\""),
            },
            "support_addresses" => read_support_addresses(value, intake, p),
            "sendmail_timeout_seconds" => match value.as_integer().and_then(|n| u64::try_from(n).ok()) {
                Some(n @ 1..=3600) => intake.sendmail_timeout_seconds = Some(n),
                _ => p.at(Some("intake"), key, "expected a whole number of seconds from 1 to 3600"),
            },
            "keep_done_days" => match value.as_integer().and_then(|n| u32::try_from(n).ok()) {
                Some(days) => intake.keep_done_days = Some(days),
                None => p.at(Some("intake"), key, "expected a number of days (0 keeps nothing)"),
            },
            other => p.at(Some("intake"), other, "unknown key (ignored)"),
        }
    }
}

/// `support_addresses`: every entry must be one plain address; a bad one is named and left out.
fn read_support_addresses(value: &toml::Value, intake: &mut Intake, p: &mut Problems<'_>) {
    let key = "support_addresses";
    let Some(list) = string_list(value) else {
        p.at(Some("intake"), key, "expected a list of addresses like [\"support@example.com\"]");
        return;
    };
    for entry in list {
        match crate::intake::reply::EmailAddress::parse(&entry) {
            Some(address) => intake.support_addresses.push(address.to_string()),
            None => p.at(Some("intake"), key, format!("\"{entry}\" is not one plain email address (left out)")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_file_parses_to_the_defaults_without_warnings() {
        let (config, warnings) = parse(DEFAULT_TOML, "default").expect("default config parses");
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(config, Config::default());
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named_with_their_line() {
        let text = "rep_name = \"Ana\"\ncolour = 1\ntheme = \"neon\"\n[sla]\np1 = -5\n";
        let (config, warnings) = parse(text, "c.toml").expect("parses");
        assert_eq!(config.rep_name, "Ana");
        assert_eq!(config.theme, ThemeName::Standard);
        assert_eq!(config.lists.sla_targets, Lists::default().sla_targets);
        assert_eq!(
            warnings,
            vec![
                Warning("c.toml:2: colour: unknown key (ignored)".into()),
                Warning("c.toml:5: sla.p1: expected a positive number of seconds".into()),
                Warning("c.toml:3: theme: expected \"standard\", \"high_contrast\" or \"monochrome\"".into()),
            ]
        );
    }

    #[test]
    fn lists_and_sla_targets_come_from_the_file() {
        let text = "dispositions = [\"fixed\", \"not fixed\"]\ndepartments = [\"tier2\"]\n[sla]\np2 = 120\n";
        let (config, warnings) = parse(text, "c.toml").expect("parses");
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(config.lists.dispositions, vec!["fixed", "not fixed"]);
        assert_eq!(config.lists.departments, vec!["tier2"]);
        assert_eq!(config.lists.sla_targets[1], 120);
    }

    #[test]
    fn the_qa_scorecard_and_breather_come_from_the_file_with_line_numbered_warnings() {
        use crate::domain::shift::{Criterion, default_scorecard};
        let text = "[wellbeing]\nbreather_after_contacts = 6\nbreather_minutes = 0\n\n\
                    [[qa.criteria]]\nname = \"Greeting\"\nweight = 2\n\n\
                    [[qa.criteria]]\nname = \"hold etiquette\"\nweight = -1\n\n\
                    [[qa.criteria]]\nname = \"Accurate answer\"\nweight = 3.5\ncolour = 1\n";
        let (config, warnings) = parse(text, "c.toml").expect("parses");
        assert_eq!(config.breather_after_contacts, 6);
        assert_eq!(config.breather_minutes, 5);
        assert_eq!(config.qa_criteria, vec![Criterion::new("greeting", 2.0), Criterion::new("accurate_answer", 3.5)]);
        assert_eq!(
            warnings,
            vec![
                Warning("c.toml:11: qa.criteria[1].weight: expected a positive number (entry ignored)".into()),
                Warning("c.toml:16: qa.criteria[2].colour: unknown key (ignored)".into()),
                Warning("c.toml:3: wellbeing.breather_minutes: expected a whole number of minutes from 1 to 60".into()),
            ]
        );
        // A list with nothing usable keeps the default scorecard.
        let (config, warnings) = parse("[[qa.criteria]]\nweight = 2\n", "c.toml").expect("parses");
        assert_eq!(config.qa_criteria, default_scorecard());
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].0.starts_with("c.toml:1: qa.criteria[0].name:"), "{warnings:?}");
    }

    #[test]
    fn a_file_that_is_not_toml_is_an_error_naming_the_line() {
        let err = parse("rep_name = \"Ana\"\nthis is not toml\n", "c.toml").expect_err("must fail");
        assert!(err.to_string().starts_with("c.toml:2:"), "{err}");
    }
}
