//! Colours and emphasis. Only the 16 ANSI colours plus modifiers are used, so the theme
//! follows the terminal's own palette and reads on dark and light backgrounds alike;
//! `NO_COLOR` turns colour off and keeps bold/underline/reverse for structure.

use ratatui::style::{Color, Modifier, Style};

use crate::config::ThemeName;

/// The styles every pane draws with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Theme {
    pub text: Style,
    pub dim: Style,
    pub title: Style,
    pub focused_border: Style,
    pub border: Style,
    pub selected: Style,
    pub heading: Style,
    pub highlight: Style,
    pub warning: Style,
    pub danger: Style,
    pub ok: Style,
    pub key: Style,
    pub status_bar: Style,
    pub code: Style,
    pub link: Style,
}

impl Theme {
    /// The default theme (16-colour, works on dark and light terminals).
    pub fn standard() -> Self {
        Self {
            text: Style::new(),
            dim: Style::new().add_modifier(Modifier::DIM),
            title: Style::new().add_modifier(Modifier::BOLD),
            focused_border: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            border: Style::new().add_modifier(Modifier::DIM),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            heading: Style::new().fg(Color::Blue).add_modifier(Modifier::BOLD),
            highlight: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            warning: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            danger: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            ok: Style::new().fg(Color::Green),
            key: Style::new().add_modifier(Modifier::BOLD),
            status_bar: Style::new().add_modifier(Modifier::REVERSED),
            code: Style::new().fg(Color::Magenta),
            link: Style::new().fg(Color::Blue).add_modifier(Modifier::UNDERLINED),
        }
    }

    /// Bright, bold colours and underlined focus for low vision or washed-out screens.
    pub fn high_contrast() -> Self {
        let t = Self::standard();
        Self {
            text: Style::new().fg(Color::White),
            dim: Style::new().fg(Color::Gray),
            title: Style::new().fg(Color::White).add_modifier(Modifier::BOLD),
            focused_border: Style::new().fg(Color::LightYellow).add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            border: Style::new().fg(Color::White),
            selected: Style::new().fg(Color::Black).bg(Color::LightYellow).add_modifier(Modifier::BOLD),
            heading: Style::new().fg(Color::LightCyan).add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            highlight: Style::new().fg(Color::Black).bg(Color::LightCyan).add_modifier(Modifier::BOLD),
            warning: Style::new().fg(Color::LightYellow).add_modifier(Modifier::BOLD),
            danger: Style::new().fg(Color::LightRed).add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            ok: Style::new().fg(Color::LightGreen).add_modifier(Modifier::BOLD),
            key: Style::new().fg(Color::LightCyan).add_modifier(Modifier::BOLD),
            status_bar: Style::new().fg(Color::Black).bg(Color::White),
            ..t
        }
    }

    /// No colour at all, for `NO_COLOR`: structure comes from modifiers only.
    pub fn monochrome() -> Self {
        let strip = |s: Style| Style { fg: None, bg: None, underline_color: None, ..s };
        let t = Self::standard();
        Self {
            text: strip(t.text),
            dim: strip(t.dim),
            title: strip(t.title),
            focused_border: strip(t.focused_border),
            border: strip(t.border),
            selected: strip(t.selected),
            heading: strip(t.heading),
            highlight: strip(t.highlight),
            warning: strip(t.warning),
            danger: strip(t.danger),
            ok: strip(t.ok),
            key: strip(t.key),
            status_bar: strip(t.status_bar),
            code: strip(t.code),
            link: strip(t.link),
        }
    }

    /// The configured theme, made monochrome when `NO_COLOR` is set (to anything non-empty).
    pub fn for_config(name: ThemeName) -> Self {
        if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
            return Self::monochrome();
        }
        match name {
            ThemeName::Standard => Self::standard(),
            ThemeName::HighContrast => Self::high_contrast(),
            ThemeName::Monochrome => Self::monochrome(),
        }
    }
}
