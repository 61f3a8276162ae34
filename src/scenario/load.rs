//! Reading a scenario: text → RON → [`ScenarioFile`] → validated [`Scenario`]. Its
//! variants are checked one step later, by [`super::open`], so that [`super::variant`]
//! builds on this module and not the other way round.
//!
//! Every failure is a [`LoadError`] whose diagnostics carry file, line and column.
//! Limits here keep hostile input (huge, binary, deeply nested) from exhausting memory
//! or the stack before validation sees it.

use ron::error::{Error as RonError, SpannedError};
use thiserror::Error;

use super::diagnostic::{Collector, ScenarioErrors, hint_from, offset_of};
use super::schema::ScenarioFile;
use super::validate::validate;
use super::validated::Scenario;

/// Largest scenario file accepted. The biggest shipped scenario is ~40 KiB.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;
/// Deepest nesting of brackets accepted (RON's own default is 128).
const MAX_DEPTH: usize = 64;

#[derive(Debug, Error, miette::Diagnostic)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    #[diagnostic(code(escalate::io), help("check the path and that the file is readable"))]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(#[from] ScenarioErrors),
}

/// A loaded scenario together with the exact text it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub scenario: Scenario,
    pub file: ScenarioFile,
    pub name: String,
    pub text: String,
}

/// The problem of a file over [`MAX_FILE_BYTES`], of known size or not (a stream).
pub(super) fn too_big(name: &str, size: Option<u64>) -> ScenarioErrors {
    let what = match size {
        Some(n) => format!("the file is {n} bytes, more than"),
        None => "the file holds more than".to_string(),
    };
    let mut c = Collector::new(name, "");
    c.push_span(
        0,
        0,
        "whole file".into(),
        format!("{what} the {MAX_FILE_BYTES} bytes a scenario may hold"),
        Some("is this really a scenario? Scenarios are small text files".into()),
    );
    c.finish().unwrap_err()
}

/// Validates scenario text without applying its variants (used on variant texts).
pub fn load_str_unchecked_variants(name: &str, text: &str) -> Result<Loaded, LoadError> {
    let file = parse(name, text)?;
    let scenario = validate(name, text, &file)?;
    Ok(Loaded { scenario, file, name: name.to_string(), text: text.to_string() })
}

/// Parses RON into the file schema, turning serde errors into located diagnostics.
pub fn parse(name: &str, text: &str) -> Result<ScenarioFile, ScenarioErrors> {
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big(name, None));
    }
    let mut c = Collector::new(name, text);
    if text.trim().is_empty() {
        c.push_span(
            0,
            0,
            "empty".into(),
            "the file is empty".into(),
            Some("a scenario starts with `ScenarioFile(` — see docs/scenario-format.md or scenarios/".into()),
        );
        return Err(c.finish().unwrap_err());
    }
    if let Some((offset, depth)) = too_deep(text) {
        c.push_span(
            offset,
            1,
            "too deep".into(),
            format!("brackets are nested more than {depth} deep"),
            Some("no scenario needs this much nesting; is a closing bracket missing?".into()),
        );
        return Err(c.finish().unwrap_err());
    }
    let options = ron::Options::default().with_recursion_limit(MAX_DEPTH * 2);
    match options.from_str::<ScenarioFile>(text) {
        Ok(f) => Ok(f),
        Err(e) => {
            syntax_problem(&mut c, text, &e);
            Err(c.finish().unwrap_err())
        }
    }
}

/// Finds the first place where bracket nesting exceeds the limit, skipping strings and
/// comments. A guard, not a parser (raw strings are not understood): ron's own
/// recursion limit backs it up.
fn too_deep(text: &str) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                // Skip the string, escapes included.
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            // Comments may hold brackets: a commented-out block is not nesting.
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let mut level = 0usize;
                while i < b.len() {
                    if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                        level += 1;
                        i += 1;
                    } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                        level -= 1;
                        i += 1;
                        if level == 0 {
                            break;
                        }
                    }
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some((i, MAX_DEPTH));
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

fn syntax_problem(c: &mut Collector, text: &str, e: &SpannedError) {
    let start = offset_of(text, e.span.start.line, e.span.start.col);
    let end = offset_of(text, e.span.end.line, e.span.end.col).max(start);
    // Past the last value, whatever the parser expected, the real problem is that the
    // file stops early (ron reports e.g. "expected `(` for struct" at the end).
    let (message, help) = if only_blank_after(text, start) {
        describe(&RonError::Eof)
    } else if e.code == RonError::ExpectedComma && is_fraction_at(text, start) {
        // `turns: 16.5`: the parser read the whole number 16 and stopped at the dot.
        (
            "a fraction where a whole number is expected".into(),
            Some(
                "this value is a whole number (a count of turns, actors, runs...): write e.g. `16`, not `16.5`".into(),
            ),
        )
    } else {
        describe(&e.code)
    };
    c.push_span(start, end - start, "here".into(), message, help);
}

/// Whether `offset` is the dot of a number such as `16.5` (digits, a dot, a digit).
fn is_fraction_at(text: &str, offset: usize) -> bool {
    let b = text.as_bytes();
    let at = |i: usize| b.get(i).copied();
    let dot = if at(offset) == Some(b'.') {
        offset
    } else if offset > 0 && at(offset - 1) == Some(b'.') {
        offset - 1
    } else {
        return false;
    };
    dot > 0 && at(dot - 1).is_some_and(|c| c.is_ascii_digit()) && at(dot + 1).is_some_and(|c| c.is_ascii_digit())
}

/// Whether nothing but whitespace and line comments follows `offset`.
fn only_blank_after(text: &str, offset: usize) -> bool {
    text.get(offset..).is_some_and(|rest| {
        rest.lines().all(|l| {
            let l = l.trim();
            l.is_empty() || l.starts_with("//")
        })
    })
}

fn describe(e: &RonError) -> (String, Option<String>) {
    match e {
        RonError::NoSuchStructField { expected, found, outer } => {
            (format!("unknown field `{found}`{}", in_outer(outer)), Some(hint_from(found, "fields", expected)))
        }
        RonError::NoSuchEnumVariant { expected, found, outer } => {
            (format!("unknown value `{found}`{}", in_outer(outer)), Some(hint_from(found, "values", expected)))
        }
        RonError::MissingStructField { field, outer } => (
            format!("missing field `{field}`{}", in_outer(outer)),
            Some(format!("add `{field}: ...`; docs/scenario-format.md says what it holds")),
        ),
        RonError::DuplicateStructField { field, outer } => {
            (format!("field `{field}` is given twice{}", in_outer(outer)), Some("keep one of them".into()))
        }
        RonError::ExpectedDifferentStructName { expected, found } => (
            format!("expected `{expected}` here, found `{found}`"),
            Some(format!("write `{expected}(...)`, or leave the name out")),
        ),
        RonError::Eof => (
            "the file ends in the middle of a value".into(),
            Some("a closing bracket `)`, `]` or `}` is probably missing".into()),
        ),
        RonError::ExpectedComma => ("expected a comma".into(), Some("separate fields and list items with `,`".into())),
        RonError::ExpectedString | RonError::ExpectedStringEnd => {
            ("expected a string in double quotes".into(), Some("ids and names are written \"like this\"".into()))
        }
        RonError::ExpectedFloat | RonError::ExpectedInteger => {
            (format!("{e}"), Some("numbers are written like 0.5 or 12; fractions need a digit before the dot".into()))
        }
        RonError::TrailingCharacters => (
            "unexpected text after the end of the scenario".into(),
            Some("the file must hold exactly one `ScenarioFile(...)`; is a bracket closed too early?".into()),
        ),
        RonError::IntegerOutOfBounds => (
            "this whole number is out of range here (too large, or negative)".into(),
            Some("counts and turns are whole numbers from 0 up, of a sensible size (e.g. `turns: 26`)".into()),
        ),
        RonError::ExceededRecursionLimit => {
            ("values are nested too deeply".into(), Some("is a closing bracket missing?".into()))
        }
        RonError::ExpectedOption => {
            ("expected `Some(...)` or `None`".into(), Some("optional values are written Some(value) or None".into()))
        }
        RonError::InvalidValueForType { expected, found } => (
            format!("expected {expected}, found {found}"),
            Some("check the type of this value in docs/scenario-format.md".into()),
        ),
        RonError::Message(m) => (m.clone(), Some("check this value against docs/scenario-format.md".into())),
        other => (format!("{other}"), Some("check the RON syntax here; docs/scenario-format.md has examples".into())),
    }
}

fn in_outer(outer: &Option<String>) -> String {
    outer.as_ref().map(|o| format!(" in `{o}`")).unwrap_or_default()
}
