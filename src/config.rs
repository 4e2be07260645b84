//! Settings: the embedded defaults, overlaid by the rep's `config.toml`. A bad value is
//! reported with its key and line, and that key keeps its default.

use std::path::Path;

use anyhow::{Context, Result};

/// The commented default configuration (`frontline config --default` prints it).
pub const DEFAULT_TOML: &str = include_str!("../assets/default-config.toml");

/// Which colours to draw with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThemeName {
    Standard,
    Monochrome,
}

/// The settings Frontline runs with.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub rep_name: String,
    pub theme: ThemeName,
}

impl Default for Config {
    fn default() -> Self {
        Self { rep_name: "Rep".into(), theme: ThemeName::Standard }
    }
}

/// A problem found in a config file; the setting keeps its default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning(pub String);

/// Loads the config file if it exists. A file that is not TOML at all is an error;
/// unknown keys and bad values are warnings.
pub fn load(path: &Path) -> Result<(Config, Vec<Warning>)> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text, &path.display().to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((Config::default(), Vec::new())),
        Err(e) => Err(e).with_context(|| format!("{}: cannot read", path.display())),
    }
}

/// Parses config text; `origin` names the file in messages.
pub fn parse(text: &str, origin: &str) -> Result<(Config, Vec<Warning>)> {
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        let line = e.span().map(|s| text[..s.start].lines().count().max(1)).unwrap_or(1);
        anyhow::anyhow!("{origin}:{line}: {}", e.message())
    })?;
    let mut config = Config::default();
    let mut warnings = Vec::new();
    let line_of = |key: &str| text.lines().position(|l| l.trim_start().starts_with(key)).map_or(0, |i| i + 1);
    for (key, value) in &table {
        match key.as_str() {
            "rep_name" => match value.as_str() {
                Some(s) if !s.trim().is_empty() => config.rep_name = s.trim().to_string(),
                _ => {
                    warnings.push(Warning(format!("{origin}:{}: rep_name: expected a non-empty string", line_of(key))))
                }
            },
            "theme" => match value.as_str() {
                Some("standard") => config.theme = ThemeName::Standard,
                Some("monochrome") => config.theme = ThemeName::Monochrome,
                _ => warnings.push(Warning(format!(
                    "{origin}:{}: theme: expected \"standard\" or \"monochrome\"",
                    line_of(key)
                ))),
            },
            other => warnings.push(Warning(format!("{origin}:{}: unknown key `{other}` (ignored)", line_of(key)))),
        }
    }
    Ok((config, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_file_parses_without_warnings() {
        let (config, warnings) = parse(DEFAULT_TOML, "default").expect("default config parses");
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(config, Config::default());
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named_with_their_line() {
        let (config, warnings) = parse("rep_name = \"Ana\"\ncolour = 1\ntheme = \"neon\"\n", "c.toml").expect("parses");
        assert_eq!(config.rep_name, "Ana");
        assert_eq!(config.theme, ThemeName::Standard);
        assert_eq!(
            warnings,
            vec![
                Warning("c.toml:2: unknown key `colour` (ignored)".into()),
                Warning("c.toml:3: theme: expected \"standard\" or \"monochrome\"".into()),
            ]
        );
    }

    #[test]
    fn a_file_that_is_not_toml_is_an_error_naming_the_line() {
        let err = parse("rep_name = \"Ana\"\nthis is not toml\n", "c.toml").expect_err("must fail");
        assert!(err.to_string().starts_with("c.toml:2:"), "{err}");
    }
}
