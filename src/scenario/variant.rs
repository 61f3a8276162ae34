//! Variants: named sets of overrides of a scenario (used by `compare` and `sweep`).
//!
//! An override is a path into the scenario and a RON value. It is applied to the
//! *text*: the value is spliced in where the path lands (or inserted where the file
//! relied on a default), and the result is loaded and validated like any scenario.
//! So every override is checked by the same rules, and the variant's exact text can be
//! stored beside its results.

use super::diagnostic::{Collector, ScenarioErrors, hint_from};
use super::load::{LoadError, Loaded, load_str_unchecked_variants, parse};
use super::locate::{Path, Seg, Spot, find};
use super::schema::{OverrideDef, ScenarioFile};

/// The id that names the scenario as written, with no overrides.
pub const BASE: &str = "base";

/// A parsed path step: `field`, `[3]` or `[USA]` (an element by its `id`).
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Field(String),
    Index(usize),
    Id(String),
}

fn parse_path(p: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    let mut rest = p.trim();
    if rest.is_empty() {
        return Err("the path is empty".into());
    }
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('[') {
            let close = r.find(']').ok_or_else(|| format!("`[` without `]` in `{p}`"))?;
            let inner = r[..close].trim().trim_matches('"');
            steps.push(match inner.parse::<usize>() {
                Ok(i) => Step::Index(i),
                Err(_) => Step::Id(inner.to_string()),
            });
            rest = &r[close + 1..];
        } else {
            let r = rest.strip_prefix('.').unwrap_or(rest);
            let end = r.find(['.', '[']).unwrap_or(r.len());
            if end == 0 {
                return Err(format!("empty field name in `{p}`"));
            }
            steps.push(Step::Field(r[..end].to_string()));
            rest = &r[end..];
        }
    }
    Ok(steps)
}

/// Resolves a user path against the parsed file (as JSON, which shows every field,
/// defaults included): field names are checked and `[ID]` becomes an index.
fn resolve(file: &ScenarioFile, p: &str) -> Result<Path, (String, Option<String>)> {
    let steps = parse_path(p).map_err(|e| {
        (e, Some("paths look like `actors[USA].doctrine.firebreak` or `parameters.choice_temperature`".into()))
    })?;
    let json = serde_json::to_value(file).map_err(|e| (e.to_string(), None))?;
    let mut at = &json;
    let mut out = Path::root();
    let mut in_map = false;
    for step in steps {
        match step {
            Step::Field(name) => {
                // Enum variants with fields show as {"Variant": {...}}: look inside.
                if let Some(obj) = at.as_object()
                    && !obj.contains_key(&name)
                    && obj.len() == 1
                    && let Some((k, v)) = obj.iter().next()
                    && k.chars().next().is_some_and(char::is_uppercase)
                    && v.is_object()
                {
                    at = v;
                }
                let obj = at.as_object().ok_or_else(|| (format!("`{name}` is not inside a record here"), None))?;
                if in_map {
                    if crate::model::params::spec(&name).is_none() {
                        let names: Vec<&str> = crate::model::params::PARAMETERS.iter().map(|p| p.name).collect();
                        return Err((
                            format!("unknown parameter `{name}`"),
                            Some(hint_from(&name, "parameters", &names)),
                        ));
                    }
                    out = out.key(&name);
                    at = obj.get(&name).unwrap_or(&serde_json::Value::Null);
                    in_map = false;
                    continue;
                }
                match obj.get(&name) {
                    Some(v) => {
                        let leaked: &'static str = Box::leak(name.clone().into_boxed_str());
                        out = out.field(leaked);
                        in_map = name == "parameters";
                        at = v;
                    }
                    None => {
                        let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
                        return Err((format!("no field `{name}` here"), Some(hint_from(&name, "fields", &keys))));
                    }
                }
            }
            Step::Index(i) => {
                let arr =
                    at.as_array().ok_or_else(|| (format!("`[{i}]` used on something that is not a list"), None))?;
                at = arr
                    .get(i)
                    .ok_or_else(|| (format!("index {i} is past the end of a list of {}", arr.len()), None))?;
                out = out.index(i);
            }
            Step::Id(id) => {
                let arr =
                    at.as_array().ok_or_else(|| (format!("`[{id}]` used on something that is not a list"), None))?;
                let ids: Vec<&str> = arr.iter().filter_map(|v| v.get("id").and_then(|x| x.as_str())).collect();
                let i = ids.iter().position(|x| *x == id).ok_or_else(|| {
                    (format!("no element with id `{id}` in this list"), Some(hint_from(&id, "ids", &ids)))
                })?;
                at = &arr[i];
                out = out.index(i);
            }
        }
    }
    Ok(out)
}

/// Text of the scenario with one override applied.
fn splice(text: &str, path: &Path, value: &str) -> Result<String, String> {
    match find(text, path) {
        Some(Spot::Value { start, end }) => Ok(format!("{}{}{}", &text[..start], value, &text[end..])),
        Some(Spot::Missing { matched, insert_at }) => {
            // Build the missing tail, innermost first: `a: (b: VALUE)` or `"k": VALUE`.
            let mut inner = value.to_string();
            let tail = &path.0[matched..];
            for (k, seg) in tail.iter().enumerate().rev() {
                let is_last = k + 1 == tail.len();
                inner = match seg {
                    Seg::Key(key) | Seg::Value(key) => format!("\"{key}\": {inner}"),
                    Seg::Field(f) if is_last => format!("{f}: {inner}"),
                    Seg::Field(f) => {
                        let next_is_key = matches!(tail.get(k + 1), Some(Seg::Key(_) | Seg::Value(_)));
                        if next_is_key { format!("{f}: {{ {inner} }}") } else { format!("{f}: ({inner})") }
                    }
                    Seg::Index(_) => return Err("cannot add a list element by index".into()),
                };
            }
            Ok(format!("{} {inner},{}", &text[..insert_at], &text[insert_at..]))
        }
        None => Err("could not find where this path is written in the file".into()),
    }
}

/// The hint for a path that cannot be followed.
const PATH_HELP: &str = "a path names fields, list elements by id and map keys, e.g. `actors[USA].commitments` or `parameters.choice_temperature`";

/// Applies overrides in order; errors are reported at `where_` (the override's
/// position in the original file).
pub fn apply(
    name: &str,
    original: &str,
    overrides: &[OverrideDef],
    mut report: impl FnMut(usize, String, Option<String>),
) -> Option<String> {
    let mut text = original.to_string();
    for (i, o) in overrides.iter().enumerate() {
        let file = match parse(name, &text) {
            Ok(f) => f,
            Err(e) => {
                let p = &e.problems[0];
                report(i, format!("after this override the scenario does not parse: {}", p.message), p.help.clone());
                return None;
            }
        };
        let path = match resolve(&file, &o.path) {
            Ok(p) => p,
            Err((msg, help)) => {
                report(i, format!("bad path `{}`: {msg}", o.path), Some(help.unwrap_or_else(|| PATH_HELP.into())));
                return None;
            }
        };
        match splice(&text, &path, &o.value) {
            Ok(t) => text = t,
            Err(msg) => {
                report(i, format!("cannot apply `{}`: {msg}", o.path), Some(PATH_HELP.into()));
                return None;
            }
        }
    }
    Some(text)
}

/// Loads a named variant (or [`BASE`]) of a loaded scenario.
pub fn load_variant(base: &Loaded, id: &str) -> Result<Loaded, LoadError> {
    if id == BASE {
        return Ok(base.clone());
    }
    let Some(k) = base.file.variants.iter().position(|v| v.id == id) else {
        let mut ids: Vec<&str> = base.file.variants.iter().map(|v| v.id.as_str()).collect();
        ids.push(BASE);
        let mut c = Collector::new(&base.name, &base.text);
        c.at(
            &Path::root().field("variants"),
            format!("no variant `{id}` in this scenario"),
            Some(hint_from(id, "variants", &ids)),
        );
        return Err(c.finish().unwrap_err().into());
    };
    let mut c = Collector::new(&base.name, &base.text);
    let text = apply(&base.name, &base.text, &base.file.variants[k].set, |i, msg, help| {
        let p = Path::root().field("variants").index(k).field("set").index(i).field("path");
        c.at(&p, format!("variant `{id}`: {msg}"), help);
    });
    c.finish()?;
    let text = text.expect("no errors means text");
    let label = format!("{} (variant {id})", base.name);
    load_str_unchecked_variants(&label, &text).map_err(|e| relabel(e, base, k, id))
}

/// Applies ad-hoc overrides (from `sweep --param`) to a loaded scenario.
pub fn load_with(base: &Loaded, label: &str, overrides: &[OverrideDef]) -> Result<Loaded, String> {
    let mut first_error = None;
    let text = apply(&base.name, &base.text, overrides, |i, msg, help| {
        if first_error.is_none() {
            first_error =
                Some(format!("{}: {msg}{}", overrides[i].path, help.map(|h| format!(" ({h})")).unwrap_or_default()));
        }
    });
    if let Some(e) = first_error {
        return Err(e);
    }
    let text = text.ok_or("override failed")?;
    load_str_unchecked_variants(label, &text).map_err(|e| match e {
        LoadError::Invalid(errs) => errs
            .problems
            .iter()
            .map(|p| format!("{}{}", p.message, p.help.as_ref().map(|h| format!(" ({h})")).unwrap_or_default()))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    })
}

/// A variant that breaks validation is reported at its declaration in the original file.
fn relabel(e: LoadError, base: &Loaded, k: usize, id: &str) -> LoadError {
    match e {
        LoadError::Invalid(errs) => {
            let mut c = Collector::new(&base.name, &base.text);
            for p in errs.problems {
                let path = Path::root().field("variants").index(k).field("set");
                c.at(&path, format!("variant `{id}` makes the scenario invalid: {}", p.message), p.help);
            }
            LoadError::Invalid(c.finish().unwrap_err())
        }
        other => other,
    }
}

/// Checks every variant of a file; problems are added to `c`.
pub fn check_all(name: &str, text: &str, file: &ScenarioFile, c: &mut Collector) {
    for (k, v) in file.variants.iter().enumerate() {
        if v.id == BASE {
            c.at(
                &Path::root().field("variants").index(k).field("id"),
                "`base` is reserved for the scenario as written",
                Some("choose another id".into()),
            );
            continue;
        }
        let mut bad = false;
        let text2 = apply(name, text, &v.set, |i, msg, help| {
            bad = true;
            let p = Path::root().field("variants").index(k).field("set").index(i).field("path");
            c.at(&p, format!("variant `{}`: {msg}", v.id), help);
        });
        if bad {
            continue;
        }
        if let Some(t) = text2
            && let Err(LoadError::Invalid(errs)) = load_str_unchecked_variants(name, &t)
        {
            for p in errs.problems {
                let path = Path::root().field("variants").index(k).field("set");
                c.at(&path, format!("variant `{}` makes the scenario invalid: {}", v.id, p.message), p.help);
            }
        }
    }
}

/// Errors of all variants, or Ok.
pub fn check(name: &str, text: &str, file: &ScenarioFile) -> Result<(), ScenarioErrors> {
    let mut c = Collector::new(name, text);
    check_all(name, text, file, &mut c);
    c.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse() {
        assert_eq!(
            parse_path("actors[USA].doctrine.firebreak").unwrap(),
            vec![
                Step::Field("actors".into()),
                Step::Id("USA".into()),
                Step::Field("doctrine".into()),
                Step::Field("firebreak".into())
            ]
        );
        assert_eq!(parse_path("injects[0].turn").unwrap()[1], Step::Index(0));
        assert!(parse_path("").is_err());
    }
}
