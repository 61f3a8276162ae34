//! Finds where a value lives in RON text, so that semantic errors found after
//! deserialisation can still point at a file, line and column.
//!
//! serde gives us typed values without positions; rather than parse twice into a
//! span-carrying tree, we tokenise the text and walk a path (`actors[3].doctrine`)
//! through it. Anything the walker does not understand falls back to the nearest
//! ancestor it did find, so a location is always produced.

use std::fmt;

/// One step of a path into a scenario file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Field(&'static str),
    Index(usize),
    /// A key of a map, e.g. a parameter name.
    Key(String),
    /// The value stored under a key of a map (located at the value, not the key).
    Value(String),
}

/// A path from the root of the file to a value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Path(pub Vec<Seg>);

impl Path {
    pub fn root() -> Self {
        Path(Vec::new())
    }
    pub fn field(&self, f: &'static str) -> Self {
        let mut p = self.clone();
        p.0.push(Seg::Field(f));
        p
    }
    pub fn index(&self, i: usize) -> Self {
        let mut p = self.clone();
        p.0.push(Seg::Index(i));
        p
    }
    pub fn key(&self, k: &str) -> Self {
        let mut p = self.clone();
        p.0.push(Seg::Key(k.to_string()));
        p
    }
    /// The value under map key `k`, for problems with the value rather than the key.
    pub fn value(&self, k: &str) -> Self {
        let mut p = self.clone();
        p.0.push(Seg::Value(k.to_string()));
        p
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Seg::Field(n) if i == 0 => write!(f, "{n}")?,
                Seg::Field(n) => write!(f, ".{n}")?,
                Seg::Index(k) => write!(f, "[{k}]")?,
                Seg::Key(k) | Seg::Value(k) => write!(f, "[\"{k}\"]")?,
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Open(u8),
    Close(u8),
    Comma,
    Colon,
    Str,
    Word,
}

#[derive(Debug, Clone, Copy)]
struct Tok {
    kind: Kind,
    start: usize,
    end: usize,
}

fn tokenize(src: &str) -> Vec<Tok> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let mut depth = 0usize;
                while i < b.len() {
                    if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                        depth += 1;
                        i += 2;
                    } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
            }
            b'"' | b'\'' => {
                let start = i;
                i += 1;
                while i < b.len() && b[i] != c {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i = (i + 1).min(b.len());
                out.push(Tok { kind: Kind::Str, start, end: i });
            }
            b'(' | b'[' | b'{' => {
                out.push(Tok { kind: Kind::Open(c), start: i, end: i + 1 });
                i += 1;
            }
            b')' | b']' | b'}' => {
                out.push(Tok { kind: Kind::Close(c), start: i, end: i + 1 });
                i += 1;
            }
            b',' => {
                out.push(Tok { kind: Kind::Comma, start: i, end: i + 1 });
                i += 1;
            }
            b':' => {
                out.push(Tok { kind: Kind::Colon, start: i, end: i + 1 });
                i += 1;
            }
            _ => {
                let start = i;
                // Raw strings r#"..."# are rare in scenarios; treat them as words up to the quote.
                while i < b.len() && !b" \t\r\n()[]{},:\"'".contains(&b[i]) {
                    i += 1;
                }
                if i == start {
                    i += 1;
                }
                out.push(Tok { kind: Kind::Word, start, end: i });
            }
        }
    }
    out
}

/// Skips one value starting at token `i`; returns the index after it.
fn skip_value(t: &[Tok], mut i: usize) -> usize {
    if i >= t.len() {
        return i;
    }
    if t[i].kind == Kind::Word || t[i].kind == Kind::Str {
        i += 1;
        if t.get(i).map(|k| k.kind) != Some(Kind::Open(b'(')) || t[i - 1].kind == Kind::Str {
            return i;
        }
    }
    let mut depth = 0i32;
    while i < t.len() {
        match t[i].kind {
            Kind::Open(_) => depth += 1,
            Kind::Close(_) => {
                depth -= 1;
                if depth <= 0 {
                    return i + 1;
                }
            }
            _ if depth == 0 => return i + 1,
            _ => {}
        }
        i += 1;
    }
    i
}

/// Token index just inside the value's opening bracket `open`, unwrapping a
/// leading struct or variant name and `Some(...)`.
fn enter(t: &[Tok], src: &str, mut i: usize, open: u8) -> Option<usize> {
    loop {
        let tok = t.get(i)?;
        match tok.kind {
            Kind::Word => {
                i += 1;
            }
            Kind::Open(c) if c == open => return Some(i + 1),
            Kind::Open(b'(') => {
                // `Some(` around the value we want, or a struct name we skipped.
                let inner = i + 1;
                let prev_is_some = i > 0 && &src[t[i - 1].start..t[i - 1].end] == "Some";
                if prev_is_some {
                    i = inner;
                } else {
                    return None;
                }
            }
            _ => return None,
        }
    }
}

/// Walks entries `key: value,` of a struct or map body from token `i`.
fn find_entry(t: &[Tok], src: &str, mut i: usize, want: &str) -> Option<(usize, usize)> {
    while i < t.len() {
        if let Kind::Close(_) = t[i].kind {
            return None;
        }
        let key = t[i];
        let text = &src[key.start..key.end];
        let name = text.trim_matches('"');
        if t.get(i + 1).map(|k| k.kind) == Some(Kind::Colon) {
            let v = i + 2;
            if name == want {
                return Some((i, v));
            }
            i = skip_value(t, v);
        } else {
            i = skip_value(t, i);
        }
        if t.get(i).map(|k| k.kind) == Some(Kind::Comma) {
            i += 1;
        }
    }
    None
}

/// The byte span `(start, len)` of the value at `path`, or of its nearest located ancestor.
pub fn locate(src: &str, path: &Path) -> (usize, usize) {
    locate_in(src, &Tokens::of(src), path)
}

/// The tokens of a text, to locate many paths in it without tokenising it each time.
#[derive(Debug, Clone, Default)]
pub struct Tokens(Vec<Tok>);

impl Tokens {
    pub fn of(src: &str) -> Self {
        Tokens(tokenize(src))
    }
}

/// [`locate`] with the text's tokens already at hand (they must be `src`'s).
pub fn locate_in(src: &str, tokens: &Tokens, path: &Path) -> (usize, usize) {
    let t = &tokens.0[..];
    if t.is_empty() {
        return (0, 0);
    }
    let mut at = 0usize; // token index where the current value starts
    let mut key_tok: Option<usize> = None;
    for seg in &path.0 {
        let found = match seg {
            Seg::Field(name) => {
                enter(t, src, at, b'(').and_then(|body| find_entry(t, src, body, name)).map(|(k, v)| (Some(k), v))
            }
            Seg::Key(name) | Seg::Value(name) => {
                enter(t, src, at, b'{').and_then(|body| find_entry(t, src, body, name)).map(|(k, v)| (Some(k), v))
            }
            Seg::Index(n) => enter(t, src, at, b'[').and_then(|mut i| {
                for _ in 0..*n {
                    if matches!(t.get(i).map(|k| k.kind), None | Some(Kind::Close(_))) {
                        return None;
                    }
                    i = skip_value(t, i);
                    if t.get(i).map(|k| k.kind) == Some(Kind::Comma) {
                        i += 1;
                    }
                }
                match t.get(i).map(|k| k.kind) {
                    None | Some(Kind::Close(_)) => None,
                    _ => Some((None, i)),
                }
            }),
        };
        match found {
            Some((k, v)) => {
                key_tok = k;
                at = v;
            }
            None => break,
        }
    }
    // An optional value `Some(x)`: what is wrong is `x`.
    if t.get(at).is_some_and(|k| &src[k.start..k.end] == "Some")
        && t.get(at + 1).map(|k| k.kind) == Some(Kind::Open(b'('))
        && t.get(at + 2).is_some_and(|k| !matches!(k.kind, Kind::Close(_)))
    {
        at += 2;
    }
    // Point at the value itself, or at its key when the key is what is wrong (maps).
    let point_key = matches!(path.0.last(), Some(Seg::Key(_)));
    let tok = match (point_key, key_tok) {
        (true, Some(k)) => t[k],
        _ => t[at.min(t.len() - 1)],
    };
    let end = if !point_key && matches!(tok.kind, Kind::Word | Kind::Str) {
        tok.end
    } else if !point_key {
        // A bracketed value: underline just its first line's worth.
        let stop = skip_value(t, at);
        let end = t[stop.saturating_sub(1).min(t.len() - 1)].end;
        let line_end = src[tok.start..].find('\n').map_or(src.len(), |e| tok.start + e);
        end.min(line_end)
    } else {
        tok.end
    };
    (tok.start, end.saturating_sub(tok.start))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = r#"ScenarioFile(
    name: "x", // a comment (with parens
    actors: [
        ActorDef(id: "A", name: "a"),
        ActorDef(id: "B", doctrine: (restraint: 2.0)),
    ],
    parameters: { "choice_temp": 1.0 },
    injects: [ InjectDef(turn: 2, event: Operation(actor: "Q", action: "wiper", target: "t")) ],
)"#;

    fn at(path: Path) -> &'static str {
        let (s, l) = locate(SRC, &path);
        &SRC[s..s + l]
    }

    #[test]
    fn finds_nested_fields_and_indices() {
        let p = Path::root().field("actors").index(1).field("doctrine").field("restraint");
        assert_eq!(at(p), "2.0");
        assert_eq!(at(Path::root().field("actors").index(0).field("id")), "\"A\"");
    }

    #[test]
    fn finds_map_keys_and_variant_fields() {
        assert_eq!(at(Path::root().field("parameters").key("choice_temp")), "\"choice_temp\"");
        assert_eq!(at(Path::root().field("parameters").value("choice_temp")), "1.0");
        let p = Path::root().field("injects").index(0).field("event").field("actor");
        assert_eq!(at(p), "\"Q\"");
    }

    #[test]
    fn points_inside_some() {
        let src = r#"(actors: [(id: "P", sponsor: Some("USA"))])"#;
        let (s, l) = locate(src, &Path::root().field("actors").index(0).field("sponsor"));
        assert_eq!(&src[s..s + l], "\"USA\"");
    }

    #[test]
    fn falls_back_to_the_nearest_ancestor() {
        let p = Path::root().field("actors").index(0).field("doctrine");
        assert!(at(p).starts_with("ActorDef"));
    }
}

/// Where a path lands in the text, for editing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spot {
    /// The value is written in the text at this byte range.
    Value { start: usize, end: usize },
    /// The first `matched` segments exist; the rest are not written (their defaults
    /// apply). New entries can be inserted at byte `insert_at`, just inside the
    /// opening bracket of the deepest matched value.
    Missing { matched: usize, insert_at: usize },
}

/// Finds a path precisely (no fallback), for splicing new values into a scenario.
/// Index segments must already be numeric.
pub fn find(src: &str, path: &Path) -> Option<Spot> {
    let t = tokenize(src);
    if t.is_empty() {
        return None;
    }
    let mut at = 0usize;
    for (depth, seg) in path.0.iter().enumerate() {
        let body = match seg {
            Seg::Field(_) => enter(&t, src, at, b'('),
            Seg::Key(_) | Seg::Value(_) => enter(&t, src, at, b'{'),
            Seg::Index(_) => enter(&t, src, at, b'['),
        }?;
        let next = match seg {
            Seg::Field(name) => find_entry(&t, src, body, name).map(|(_, v)| v),
            Seg::Key(name) | Seg::Value(name) => find_entry(&t, src, body, name).map(|(_, v)| v),
            Seg::Index(n) => {
                let mut i = body;
                for _ in 0..*n {
                    if matches!(t.get(i).map(|k| k.kind), None | Some(Kind::Close(_))) {
                        return None;
                    }
                    i = skip_value(&t, i);
                    if t.get(i).map(|k| k.kind) == Some(Kind::Comma) {
                        i += 1;
                    }
                }
                match t.get(i).map(|k| k.kind) {
                    None | Some(Kind::Close(_)) => None,
                    _ => Some(i),
                }
            }
        };
        match next {
            Some(v) => at = v,
            None => return Some(Spot::Missing { matched: depth, insert_at: t[body - 1].end }),
        }
    }
    let stop = skip_value(&t, at);
    let end = t[stop.saturating_sub(1).min(t.len() - 1)].end;
    Some(Spot::Value { start: t[at].start, end })
}
