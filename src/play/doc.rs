//! A tiny document model rendered twice: to Markdown and to self-contained HTML
//! (inline SVG, inline CSS, no external resources).

use std::fmt::Write;

/// A block of the report.
#[derive(Debug, Clone)]
pub enum Block {
    Heading(u8, String),
    Para(String),
    /// A paragraph set off as the report's key finding.
    Lead(String),
    List(Vec<String>),
    Table {
        head: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// A chart: its PNG file (relative to the report, for Markdown) and its SVG (for HTML).
    Chart {
        title: String,
        png: String,
        svg: String,
    },
}

#[derive(Debug, Clone, Default)]
pub struct Doc {
    pub title: String,
    pub blocks: Vec<Block>,
}

impl Doc {
    pub fn h(&mut self, level: u8, t: impl Into<String>) {
        self.blocks.push(Block::Heading(level, t.into()));
    }
    pub fn p(&mut self, t: impl Into<String>) {
        self.blocks.push(Block::Para(t.into()));
    }
    pub fn lead(&mut self, t: impl Into<String>) {
        self.blocks.push(Block::Lead(t.into()));
    }
    pub fn list(&mut self, items: Vec<String>) {
        if !items.is_empty() {
            self.blocks.push(Block::List(items));
        }
    }
    pub fn table(&mut self, head: &[&str], rows: Vec<Vec<String>>) {
        self.blocks.push(Block::Table { head: head.iter().map(|s| s.to_string()).collect(), rows });
    }

    pub fn markdown(&self) -> String {
        let mut out = format!("# {}\n", self.title);
        for b in &self.blocks {
            out.push('\n');
            match b {
                Block::Heading(l, t) => {
                    let _ = writeln!(out, "{} {t}", "#".repeat(usize::from(*l).clamp(2, 6)));
                }
                Block::Para(t) => {
                    let _ = writeln!(out, "{t}");
                }
                Block::Lead(t) => {
                    let _ = writeln!(out, "> **{t}**");
                }
                Block::List(items) => {
                    for i in items {
                        let _ = writeln!(out, "- {i}");
                    }
                }
                Block::Table { head, rows } => {
                    let cell = |c: &str| c.replace('|', "\\|").replace('\n', " ");
                    let _ = writeln!(out, "| {} |", head.iter().map(|h| cell(h)).collect::<Vec<_>>().join(" | "));
                    let _ = writeln!(out, "|{}", "---|".repeat(head.len()));
                    for r in rows {
                        let _ = writeln!(out, "| {} |", r.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | "));
                    }
                }
                Block::Chart { title, png, .. } => {
                    let _ = writeln!(out, "![{title}]({png})");
                }
            }
        }
        out
    }

    pub fn html(&self) -> String {
        let mut out = String::new();
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n",
            esc(&self.title),
            esc(&self.title)
        );
        for b in &self.blocks {
            match b {
                Block::Heading(l, t) => {
                    let l = l.clamp(&2, &6);
                    let _ = writeln!(out, "<h{l}>{}</h{l}>", esc(t));
                }
                Block::Para(t) => {
                    let _ = writeln!(out, "<p>{}</p>", esc(t));
                }
                Block::Lead(t) => {
                    let _ = writeln!(out, "<p class=\"lead\">{}</p>", esc(t));
                }
                Block::List(items) => {
                    out.push_str("<ul>\n");
                    for i in items {
                        let _ = writeln!(out, "<li>{}</li>", esc(i));
                    }
                    out.push_str("</ul>\n");
                }
                Block::Table { head, rows } => {
                    out.push_str("<table>\n<thead><tr>");
                    for h in head {
                        let _ = write!(out, "<th>{}</th>", esc(h));
                    }
                    out.push_str("</tr></thead>\n<tbody>\n");
                    for r in rows {
                        out.push_str("<tr>");
                        for c in r {
                            let _ = write!(out, "<td>{}</td>", esc(c));
                        }
                        out.push_str("</tr>\n");
                    }
                    out.push_str("</tbody>\n</table>\n");
                }
                Block::Chart { title, svg, .. } => {
                    let _ = writeln!(
                        out,
                        "<figure role=\"img\" aria-label=\"{}\">\n{}\n<figcaption>{}</figcaption>\n</figure>",
                        esc(title),
                        strip_xml_decl(svg),
                        esc(title)
                    );
                }
            }
        }
        out.push_str("</main>\n</body>\n</html>\n");
        out
    }
}

fn strip_xml_decl(svg: &str) -> &str {
    match svg.strip_prefix("<?xml") {
        Some(rest) => rest.find("?>").map_or(svg, |i| rest[i + 2..].trim_start()),
        None => svg,
    }
}

/// Escapes text for HTML.
pub fn esc(t: &str) -> String {
    let mut o = String::with_capacity(t.len());
    for c in t.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            c if crate::text::is_unsafe(c) => o.push('\u{FFFD}'),
            _ => o.push(c),
        }
    }
    o
}

const CSS: &str = "body { font-family: 'DejaVu Sans', Verdana, sans-serif; color: #222; background: #fff; margin: 0; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem; line-height: 1.45; }
h1 { font-size: 1.7rem; border-bottom: 3px solid #1f4e79; padding-bottom: .3rem; }
h2 { font-size: 1.3rem; color: #1f4e79; margin-top: 2rem; }
h3 { font-size: 1.05rem; margin-bottom: .3rem; }
p.lead { font-size: 1.15rem; background: #eef4fa; border-left: 4px solid #1f4e79; padding: .6rem .9rem; }
table { border-collapse: collapse; margin: .6rem 0; font-size: .92rem; width: 100%; }
th, td { border: 1px solid #ccd; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f0f2f5; }
tr:nth-child(even) td { background: #fafbfc; }
figure { margin: 1rem 0; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: .85rem; color: #555; }
ul { padding-left: 1.3rem; }
@media print { main { max-width: none; } h2 { page-break-after: avoid; } }
";
