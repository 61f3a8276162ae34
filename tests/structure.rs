//! The shape of the code: data flows one way. No two modules that are not parent and
//! child may use each other, directly or through others (`ARCHITECTURE.md`: each step
//! knows nothing of the ones after it).
//!
//! The sources are read as text: every `crate::`, `super::` and `self::` path (in `use`
//! trees and inline) is resolved to the innermost module file it names, and the graph
//! of those references must have no cycle. Parent–child references (a child using its
//! parent's error type, a parent re-exporting its child) are not edges: a module and
//! its children are one unit seen from outside.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// `src/a/b.rs` and `src/a/b/mod.rs` are `a::b`; `src/lib.rs` is the crate root.
fn module_of(src: &Path, file: &Path) -> Module {
    let rel = file.strip_prefix(src).unwrap();
    let mut parts: Vec<String> = rel.iter().map(|s| s.to_string_lossy().into_owned()).collect();
    let last = parts.pop().unwrap();
    match last.as_str() {
        "lib.rs" | "mod.rs" => {}
        name => parts.push(name.trim_end_matches(".rs").to_string()),
    }
    parts
}

/// The text without comments, string and character literals, and `#[cfg(test)]` modules.
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    let b: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i + 1 < b.len() && !(b[i] == '*' && b[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if c == 'r'
            && (next == Some('"') || next == Some('#'))
            && !b.get(i.wrapping_sub(1)).is_some_and(|p| p.is_alphanumeric() || *p == '_')
        {
            // A raw string: r"…" or r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= b.len() {
                    break;
                }
                if b[j] == '"' && (0..hashes).all(|k| b.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < b.len() && b[i] != '"' {
                i += if b[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' {
            // A character literal ('a', '\n', '\u{1F}'), not a lifetime ('a).
            let close = if next == Some('\\') {
                (i + 2..b.len().min(i + 12)).find(|&k| b[k] == '\'')
            } else {
                (b.get(i + 2) == Some(&'\'')).then_some(i + 2)
            };
            match close {
                Some(k) => {
                    out.push_str("' '");
                    i = k + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Expands a `use` tree (`super::{a, b::{c, d}}`) into its paths.
fn expand(tree: &str) -> Vec<Vec<String>> {
    fn go(s: &str, prefix: &[String], out: &mut Vec<Vec<String>>) {
        let s = s.trim();
        if let Some(open) = s.find('{') {
            let head: Vec<String> =
                s[..open].split("::").map(str::trim).filter(|p| !p.is_empty()).map(String::from).collect();
            let inner = &s[open + 1..s.rfind('}').unwrap_or(s.len())];
            let mut p = prefix.to_vec();
            p.extend(head);
            let (mut depth, mut start) = (0, 0);
            let bytes: Vec<char> = inner.chars().collect();
            let mut parts = Vec::new();
            for (k, ch) in bytes.iter().enumerate() {
                match ch {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        parts.push(bytes[start..k].iter().collect::<String>());
                        start = k + 1;
                    }
                    _ => {}
                }
            }
            parts.push(bytes[start..].iter().collect::<String>());
            for part in parts.iter().filter(|x| !x.trim().is_empty()) {
                go(part, &p, out);
            }
        } else {
            let s = s.split(" as ").next().unwrap_or(s);
            let mut p = prefix.to_vec();
            p.extend(s.split("::").map(str::trim).filter(|x| !x.is_empty() && *x != "*").map(String::from));
            out.push(p);
        }
    }
    let mut out = Vec::new();
    go(tree, &[], &mut out);
    out
}

/// Every `crate::`/`super::`/`self::` path of the code: in `use` trees and inline.
fn paths_of(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let chars: Vec<char> = code.chars().collect();
    let s: String = chars.iter().collect();
    // `use` trees (which may span lines).
    let mut rest = s.as_str();
    while let Some(i) = rest.find("use ") {
        let before = rest[..i].chars().last();
        let after = &rest[i + 4..];
        if before.is_none_or(|c| !is_ident(c)) {
            let t = after.trim_start();
            if t.starts_with("crate::") || t.starts_with("super::") || t.starts_with("self::") {
                let end = after.find(';').unwrap_or(after.len());
                out.extend(expand(&after[..end]));
            }
        }
        rest = &rest[i + 4..];
    }
    // Inline paths: `crate::a::b`, `super::x`.
    for root in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(i) = s[from..].find(root) {
            let at = from + i;
            from = at + root.len();
            if s[..at].chars().last().is_some_and(|c| is_ident(c) || c == ':') {
                continue;
            }
            let tail = &s[at..];
            let end = tail.find(|c: char| !(is_ident(c) || c == ':')).unwrap_or(tail.len());
            let p: Vec<String> = tail[..end].split("::").filter(|x| !x.is_empty()).map(String::from).collect();
            out.push(p);
        }
    }
    out
}

/// The module file a path from `here` lands in (the longest known prefix).
fn resolve(here: &Module, path: &[String], known: &BTreeSet<Module>) -> Option<Module> {
    let mut base: Module = Vec::new();
    let mut rest = path;
    match path.first().map(String::as_str) {
        Some("crate") => rest = &path[1..],
        Some("self") => {
            base = here.clone();
            rest = &path[1..];
        }
        Some("super") => {
            base = here.clone();
            while rest.first().map(String::as_str) == Some("super") {
                base.pop()?;
                rest = &rest[1..];
            }
        }
        _ => return None,
    }
    let mut m = base.clone();
    let mut best = base;
    for seg in rest {
        m.push(seg.clone());
        if known.contains(&m) {
            best = m.clone();
        } else {
            break;
        }
    }
    Some(best)
}

fn related(a: &Module, b: &Module) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

fn name(m: &Module) -> String {
    if m.is_empty() { "crate".into() } else { m.join("/") }
}

/// The module graph of `src/`: module → modules it uses (parents and children aside).
fn graph() -> BTreeMap<Module, BTreeSet<Module>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.retain(|f| f.file_name().is_some_and(|n| n != "main.rs"));
    let known: BTreeSet<Module> = files.iter().map(|f| module_of(&src, f)).collect();
    let mut g: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for f in &files {
        let here = module_of(&src, f);
        let code = code_of(&std::fs::read_to_string(f).unwrap());
        let edges = g.entry(here.clone()).or_default();
        for p in paths_of(&code) {
            if let Some(to) = resolve(&here, &p, &known)
                && !related(&here, &to)
            {
                edges.insert(to);
            }
        }
    }
    g
}

/// Strongly connected components with more than one module (Tarjan).
fn cycles(g: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<Module>> {
    struct T<'a> {
        g: &'a BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<&'a Module, usize>,
        low: BTreeMap<&'a Module, usize>,
        stack: Vec<&'a Module>,
        on: BTreeSet<&'a Module>,
        out: Vec<Vec<Module>>,
    }
    fn visit<'a>(t: &mut T<'a>, v: &'a Module) {
        let i = t.index.len();
        t.index.insert(v, i);
        t.low.insert(v, i);
        t.stack.push(v);
        t.on.insert(v);
        if let Some(next) = t.g.get(v) {
            for w in next {
                let Some((w, _)) = t.g.get_key_value(w) else { continue };
                if !t.index.contains_key(w) {
                    visit(t, w);
                    let l = t.low[w].min(t.low[v]);
                    t.low.insert(v, l);
                } else if t.on.contains(w) {
                    let l = t.index[w].min(t.low[v]);
                    t.low.insert(v, l);
                }
            }
        }
        if t.low[v] == t.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = t.stack.pop() {
                t.on.remove(w);
                comp.push(w.clone());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                t.out.push(comp);
            }
        }
    }
    let mut t =
        T { g, index: BTreeMap::new(), low: BTreeMap::new(), stack: Vec::new(), on: BTreeSet::new(), out: Vec::new() };
    for v in g.keys() {
        if !t.index.contains_key(v) {
            visit(&mut t, v);
        }
    }
    t.out
}

#[test]
fn no_two_modules_use_each_other() {
    let g = graph();
    let found = cycles(&g);
    let text: Vec<String> = found
        .iter()
        .map(|c| {
            let members: BTreeSet<&Module> = c.iter().collect();
            let edges: Vec<String> = c
                .iter()
                .flat_map(|a| {
                    g[a].iter().filter(|b| members.contains(b)).map(move |b| format!("{} → {}", name(a), name(b)))
                })
                .collect();
            edges.join(", ")
        })
        .collect();
    assert!(found.is_empty(), "modules that use each other in a circle:\n  {}", text.join("\n  "));
}

/// The checker itself sees a circle, resolves `super` and groups, and ignores comments.
#[test]
fn the_checker_finds_a_circle_and_ignores_comments_and_strings() {
    let known: BTreeSet<Module> =
        [vec![], vec!["a".into()], vec!["a".into(), "b".into()], vec!["a".into(), "c".into()]].into_iter().collect();
    let here: Module = vec!["a".into(), "b".into()];
    let code = code_of("use super::{c::{X, Y}, Failure};\n// use super::d;\nlet s = \"crate::a::c\";\n");
    let to: BTreeSet<Module> = paths_of(&code).iter().filter_map(|p| resolve(&here, p, &known)).collect();
    assert_eq!(to, [vec!["a".to_string()], vec!["a".into(), "c".into()]].into_iter().collect());
    let mut g = BTreeMap::new();
    g.insert(vec!["x".to_string()], [vec!["y".to_string()]].into_iter().collect::<BTreeSet<_>>());
    g.insert(vec!["y".to_string()], [vec!["x".to_string()]].into_iter().collect::<BTreeSet<_>>());
    g.insert(vec!["z".to_string()], [vec!["x".to_string()]].into_iter().collect::<BTreeSet<_>>());
    assert_eq!(cycles(&g), vec![vec![vec!["x".to_string()], vec!["y".to_string()]]]);
}
