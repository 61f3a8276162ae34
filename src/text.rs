//! User text made safe to show on a terminal or write into SVG, XML or HTML: control
//! characters (an escape sequence could recolour, clear or retitle a terminal, and
//! most are not allowed in XML at all) and bidirectional overrides are escaped.

/// A character that must not reach a terminal or a document as it is.
pub fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn escaped(s: &str, keep_lines: bool) -> String {
    let bad = |c: char| is_unsafe(c) || (!keep_lines && (c == '\n' || c == '\t'));
    if !s.chars().any(bad) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if bad(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// One-line text (a name, an id): every control character, newlines and tabs
/// included, written as a visible `\u{1b}` escape.
pub fn clean_line(s: &str) -> String {
    escaped(s, false)
}

/// Multi-line text (a report, a description): like [`clean_line`], keeping newlines and tabs.
pub fn clean(s: &str) -> String {
    escaped(s, true)
}

/// The same text with each unsafe character (carriage returns kept) replaced by as
/// many `?` as it has bytes, so byte offsets into it still hold: for showing a
/// source file's lines under a diagnostic.
pub fn mask_same_len(s: &str) -> String {
    if !s.chars().any(|c| is_unsafe(c) && c != '\r') {
        return s.to_string();
    }
    s.chars().map(|c| if is_unsafe(c) && c != '\r' { "?".repeat(c.len_utf8()) } else { c.to_string() }).collect()
}

/// Replaces characters XML 1.0 does not allow (C0 controls other than tab, newline
/// and carriage return) and bidirectional overrides with U+FFFD, in place.
pub fn xml_safe(s: &mut String) {
    let bad = |c: char| (c.is_control() && !matches!(c, '\n' | '\t' | '\r')) || is_unsafe(c) && c != '\r';
    if s.chars().any(bad) {
        *s = s.chars().map(|c| if bad(c) { '\u{FFFD}' } else { c }).collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_keeps_plain_text() {
        assert_eq!(clean_line("Alpha"), "Alpha");
        assert_eq!(clean_line("A\u{1b}[31mB\n"), "A\\u{1b}[31mB\\u{a}");
        assert_eq!(clean("one\ntwo\u{7}"), "one\ntwo\\u{7}");
        assert_eq!(clean_line("x\u{202E}y"), "x\\u{202e}y");
        assert_eq!(mask_same_len("a\u{1b}b\u{85}c\r\n"), "a?b??c\r\n");
        let mut s = "ok\u{1}\u{1b}é".to_string();
        xml_safe(&mut s);
        assert_eq!(s, "ok\u{FFFD}\u{FFFD}é");
    }
}
