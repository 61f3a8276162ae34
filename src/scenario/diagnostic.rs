//! Problems found in a scenario file, rendered with file, line, column and a hint.

use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, MietteError, MietteSpanContents, SourceCode, SourceSpan,
    SpanContents,
};
use thiserror::Error;

use super::locate::{Path, Tokens, locate_in};

/// One problem, located in the file.
#[derive(Debug, Error, Diagnostic)]
#[error("{message}")]
pub struct Problem {
    pub message: String,
    #[help]
    pub help: Option<String>,
    #[label("{label}")]
    pub span: SourceSpan,
    pub label: String,
    #[source_code]
    pub src: Source,
    /// 1-based line and column of the span's start (also shown by the renderer).
    pub line: usize,
    pub column: usize,
}

/// The scenario text as the renderer sees it.
///
/// Columns are counted in characters, as in [`ScenarioErrors::short_lines`]. A line
/// too long to show (a minified file) is cut to a window around the problem: miette
/// cannot draw a label past column 65 535, and nobody could read it there.
#[derive(Debug, Clone)]
pub struct Source {
    name: String,
    text: Arc<String>,
}

/// Lines longer than this (in bytes) are shown as a window around the problem.
const MAX_SHOWN_LINE: usize = 300;
/// Bytes shown either side of a problem on such a line.
const WINDOW: usize = 80;
/// Longest label drawn, in bytes; a value spanning a whole minified file is underlined
/// only at its start.
const MAX_LABEL: usize = 160;

impl SourceCode for Source {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text = self.text.as_str();
        let full = text.read_span(span, before, after)?;
        let long = full.data().split(|&b| b == b'\n').any(|l| l.len() > MAX_SHOWN_LINE);
        let (data, from) = if long {
            let start = floor_char_boundary(text, span.offset());
            let end = ceil_char_boundary(text, span.offset() + span.len());
            let line_start = text[..start].rfind('\n').map_or(0, |k| k + 1);
            let line_end = text[end..].find('\n').map_or(text.len(), |k| end + k);
            let lo = floor_char_boundary(text, start.saturating_sub(WINDOW).max(line_start));
            let hi = ceil_char_boundary(text, (end + WINDOW).min(line_end).max(end));
            (&text[lo..hi], lo)
        } else {
            let lo = floor_char_boundary(text, full.span().offset());
            let hi = ceil_char_boundary(text, full.span().offset() + full.span().len());
            (&text[lo..hi], lo)
        };
        let (line, column) = line_col(text, from);
        let line_count = data.matches('\n').count();
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            data.as_bytes(),
            SourceSpan::new(from.into(), data.len()),
            line - 1,
            column - 1,
            line_count,
        )))
    }
}

/// Everything wrong with one scenario file, reported at once.
#[derive(Debug, Error, Diagnostic)]
#[error("{file}: {} problem{} found", problems.len(), if problems.len() == 1 { "" } else { "s" })]
#[diagnostic(code(escalate::invalid_scenario))]
pub struct ScenarioErrors {
    pub file: String,
    #[related]
    pub problems: Vec<Problem>,
}

impl ScenarioErrors {
    /// Renders as plain text (no colour), the form used in tests and when piped.
    pub fn render_plain(&self) -> String {
        self.render(GraphicalTheme::unicode_nocolor())
    }

    /// Renders with a miette theme.
    pub fn render(&self, theme: GraphicalTheme) -> String {
        let mut out = String::new();
        let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
        let _ = handler.render_report(&mut out, self);
        out
    }

    /// `file:line:col: message` lines, for editors and grep.
    pub fn short_lines(&self) -> Vec<String> {
        self.problems.iter().map(|p| format!("{}:{}:{}: {}", self.file, p.line, p.column, p.message)).collect()
    }
}

/// Collects problems for one file as validation walks it.
pub struct Collector {
    file: String,
    src: Arc<String>,
    /// The text as shown under a problem: control characters masked, same offsets
    /// (made on the first problem).
    shown: Option<Arc<String>>,
    problems: Vec<Problem>,
    /// Problems found once the report was full: counted, not rendered.
    dropped: usize,
    /// The text's tokens, made on the first located problem.
    tokens: Option<Tokens>,
}

/// Most problems reported for one file; past this, one more line says how many were left out.
const MAX_PROBLEMS: usize = 50;

impl Collector {
    pub fn new(file: &str, src: &str) -> Self {
        Collector {
            file: crate::text::clean_line(file),
            src: Arc::new(src.to_string()),
            shown: None,
            problems: Vec::new(),
            dropped: 0,
            tokens: None,
        }
    }

    /// When the report is full, counts one more problem and returns `true`, so that
    /// callers can skip building its message (a hint over 20 000 ids is not free).
    pub fn skip_if_full(&mut self) -> bool {
        let full = self.problems.len() >= MAX_PROBLEMS;
        if full {
            self.dropped += 1;
        }
        full
    }

    /// A problem at a path in the file.
    pub fn at(&mut self, path: &Path, message: impl Into<String>, help: Option<String>) {
        if self.skip_if_full() {
            return;
        }
        let tokens = self.tokens.get_or_insert_with(|| Tokens::of(&self.src));
        let (start, len) = locate_in(&self.src, tokens, path);
        let label = if path.0.is_empty() { "here".to_string() } else { path.to_string() };
        self.push_span(start, len, label, message.into(), help);
    }

    /// A problem at a byte span.
    pub fn push_span(&mut self, start: usize, len: usize, label: String, message: String, help: Option<String>) {
        // Keep the label inside the text, on one line, and short.
        let src = self.src.as_str();
        let start = floor_char_boundary(src, start);
        let line_end = src[start..].find('\n').map_or(src.len(), |k| start + k);
        let end = ceil_char_boundary(src, (start + len.min(MAX_LABEL)).min(line_end.max(start + len.min(1))));
        let (line, column) = line_col(src, start);
        // User text (ids, values, the file's own lines) never reaches the terminal raw.
        let text = self.shown.get_or_insert_with(|| Arc::new(crate::text::mask_same_len(&self.src))).clone();
        let clean = crate::text::clean;
        self.problems.push(Problem {
            message: clean(&message),
            help: help.as_deref().map(clean),
            span: SourceSpan::new(start.into(), end - start),
            label: clean(&label),
            src: Source { name: self.file.clone(), text },
            line,
            column,
        });
    }

    pub fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }

    pub fn finish(mut self) -> Result<(), ScenarioErrors> {
        if self.problems.is_empty() {
            return Ok(());
        }
        if self.problems.len() > MAX_PROBLEMS || self.dropped > 0 {
            let extra = self.problems.len().saturating_sub(MAX_PROBLEMS) + self.dropped;
            self.problems.truncate(MAX_PROBLEMS);
            let msg = format!("…and at least {extra} more problem(s) not shown");
            self.push_span(0, 0, "start of file".into(), msg, Some("fix the ones above first".into()));
        }
        Err(ScenarioErrors { file: self.file, problems: self.problems })
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(src, offset);
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Byte offset of a 1-based line and column (in characters).
pub fn offset_of(src: &str, line: usize, col: usize) -> usize {
    let mut off = 0;
    for (i, l) in src.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let within: usize = l.chars().take(col.saturating_sub(1)).map(char::len_utf8).sum();
            return off + within;
        }
        off += l.len();
    }
    src.len()
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Latin letters that Cyrillic and Greek letters are mistaken for on screen: an id
/// typed on a Cyrillic or Greek keyboard layout (or pasted from a document) looks right
/// and matches nothing.
const LOOK_ALIKES: [(char, char); 44] = [
    ('А', 'A'),
    ('В', 'B'),
    ('Е', 'E'),
    ('К', 'K'),
    ('М', 'M'),
    ('Н', 'H'),
    ('О', 'O'),
    ('Р', 'P'),
    ('С', 'C'),
    ('Т', 'T'),
    ('Х', 'X'),
    ('У', 'Y'),
    ('Ѕ', 'S'),
    ('І', 'I'),
    ('Ј', 'J'),
    ('а', 'a'),
    ('е', 'e'),
    ('о', 'o'),
    ('р', 'p'),
    ('с', 'c'),
    ('у', 'y'),
    ('х', 'x'),
    ('ѕ', 's'),
    ('і', 'i'),
    ('ј', 'j'),
    ('Α', 'A'),
    ('Β', 'B'),
    ('Ε', 'E'),
    ('Ζ', 'Z'),
    ('Η', 'H'),
    ('Ι', 'I'),
    ('Κ', 'K'),
    ('Μ', 'M'),
    ('Ν', 'N'),
    ('Ο', 'O'),
    ('Ρ', 'P'),
    ('Τ', 'T'),
    ('Υ', 'Y'),
    ('Χ', 'X'),
    ('ο', 'o'),
    ('ν', 'v'),
    ('‐', '-'),
    ('–', '-'),
    ('‑', '-'),
];

/// `found` with every look-alike replaced by the Latin letter it imitates.
fn skeleton(found: &str) -> String {
    found.chars().map(|c| LOOK_ALIKES.iter().find(|(l, _)| *l == c).map_or(c, |&(_, a)| a)).collect()
}

/// "did you mean `x`?" for the closest candidate, if any is close enough. An id that
/// differs from a candidate only by look-alike letters is named as such, with the
/// offending characters' code points, since the two look the same on screen.
pub fn did_you_mean<'a>(found: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    let folded = skeleton(found);
    if folded != found
        && let Some(c) = candidates.iter().find(|c| c.eq_ignore_ascii_case(&folded))
    {
        let odd: Vec<String> = found
            .chars()
            .enumerate()
            .filter(|(_, ch)| LOOK_ALIKES.iter().any(|(l, _)| l == ch))
            .map(|(i, ch)| format!("U+{:04X} at character {}", u32::from(ch), i + 1))
            .collect();
        return Some(format!(
            "did you mean `{c}`? `{found}` has a letter from another alphabet that looks the same ({}).",
            odd.join(", ")
        ));
    }
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(&found.to_lowercase(), &c.to_lowercase());
        if score > 0.8 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| format!("did you mean `{c}`?"))
}

/// A hint listing what is allowed, with a suggestion first when one is close.
pub fn hint_from(found: &str, what: &str, candidates: &[&str]) -> String {
    // Duplicated ids (themselves an error) would otherwise be listed twice.
    let mut seen = std::collections::BTreeSet::new();
    let unique: Vec<&str> = candidates.iter().copied().filter(|c| seen.insert(*c)).collect();
    let candidates = &unique[..];
    let list = if candidates.len() > 12 {
        format!("{} and {} more", candidates[..12].join(", "), candidates.len() - 12)
    } else {
        candidates.join(", ")
    };
    match did_you_mean(found, candidates.iter().copied()) {
        Some(s) => format!("{s} Known {what}: {list}"),
        None => format!("known {what}: {list}"),
    }
}
