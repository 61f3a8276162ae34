//! Terminal styling: ANSI colour when stdout is a terminal and `NO_COLOR` is unset,
//! plain text otherwise (pipes, files, tests).

use std::io::IsTerminal;

/// Whether to colour, decided once per session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

impl Style {
    pub const PLAIN: Style = Style { color: false };

    /// Colour when stdout is a terminal and `NO_COLOR` is not set (see no-color.org).
    pub fn detect() -> Style {
        Style { color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none() }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
    }

    pub fn bold(&self, t: &str) -> String {
        self.paint("1", t)
    }
    pub fn dim(&self, t: &str) -> String {
        self.paint("2", t)
    }
    pub fn red(&self, t: &str) -> String {
        self.paint("1;31", t)
    }
    pub fn yellow(&self, t: &str) -> String {
        self.paint("33", t)
    }
    pub fn green(&self, t: &str) -> String {
        self.paint("32", t)
    }
    pub fn cyan(&self, t: &str) -> String {
        self.paint("1;36", t)
    }
    /// A section heading.
    pub fn heading(&self, t: &str) -> String {
        self.paint("1;4", t)
    }
}
