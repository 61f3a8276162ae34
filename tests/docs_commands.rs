//! The docs cannot drift from the program: every `sh`/`bash` block of `README.md` and
//! `docs/*.md` is run here, as written, with the `escalate` under test first on the PATH.
//!
//! Each page runs in its own scratch directory, where `scenarios/` and `data/` are
//! the project's, so a block can use what an earlier block of the same page wrote. A
//! block must exit 0 unless a directive says otherwise. Directives are HTML comments
//! on the line before a block, invisible on the rendered page:
//!
//! - `<!-- docs-test: skip: REASON -->` — not run (the reason is printed, and required);
//! - `<!-- docs-test: slurm FILE -->` — a Slurm script, not run here: `.ci/slurm`
//!   extracts it as FILE and runs it on a real one-node cluster in CI;
//! - `<!-- docs-test: exit N -->` — the block must end with exit code N;
//! - `<!-- docs-test: input TEXT -->` — TEXT (with `\n` for a new line) is the block's
//!   standard input: the answers a class would type at `play`'s prompts;
//! - `<!-- docs-test: file NAME -->` on a `ron` block — written to NAME in the scratch
//!   directory before the page's commands run (a decisions file, a space…);
//!
//! and a `ron` block whose first line is `// PATH`, a file of the project, must be that
//! file (as shipped, or the start of it), so an example file shown cannot go stale.
//! Otherwise standard input is empty: an interactive `play` ends at once and saves, as
//! at Ctrl-D.

#[allow(dead_code)]
mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tempfile::TempDir;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fenced block of a page.
struct Block {
    line: usize,
    lang: String,
    directive: Option<String>,
    body: String,
}

fn blocks(text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(lang) = lines[i].strip_prefix("```").filter(|l| !l.is_empty()) else {
            i += 1;
            continue;
        };
        let directive = (i > 0)
            .then(|| lines[i - 1].trim())
            .and_then(|l| l.strip_prefix("<!-- docs-test:"))
            .and_then(|l| l.strip_suffix("-->"))
            .map(|d| d.trim().to_string());
        let start = i + 1;
        let end = (start..lines.len()).find(|&j| lines[j].starts_with("```")).expect("an unclosed code block");
        let body = lines[start..end].iter().map(|l| format!("{l}\n")).collect();
        out.push(Block { line: i + 1, lang: lang.trim().to_string(), directive, body });
        i = end + 1;
    }
    out
}

fn pages() -> Vec<PathBuf> {
    let mut pages = vec![root().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

/// The directory holding the `escalate` binary the tests were built with.
fn bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_escalate")).parent().unwrap().to_path_buf()
}

fn scratch(page: &Path) -> TempDir {
    let dir = tempfile::Builder::new()
        .prefix(&format!("docs-{}-", page.file_stem().unwrap().to_string_lossy()))
        .tempdir()
        .unwrap();
    for sub in ["scenarios", "data"] {
        std::os::unix::fs::symlink(root().join(sub), dir.path().join(sub)).unwrap();
    }
    std::fs::create_dir(dir.path().join("output")).unwrap();
    dir
}

/// Runs one shell block with `input` on its standard input; returns a failure message, if any.
fn run(page: &str, b: &Block, dir: &Path, want: i32, input: &str) -> Option<String> {
    let path = format!("{}:{}", bin_dir().display(), std::env::var("PATH").unwrap_or_default());
    let mut cmd = Command::new("bash");
    // A scheduler's shard variables would turn `--shard auto` examples into shards.
    for v in common::SHARD_VARS {
        cmd.env_remove(v);
    }
    let mut child = cmd
        .args(["-euo", "pipefail", "-c", &b.body])
        .current_dir(dir)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The block may stop reading early (a broken pipe is its business, not a failure).
    let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
    let out = child.wait_with_output().unwrap();
    let code = out.status.code().unwrap_or(-1);
    (code != want).then(|| {
        let tail = |b: &[u8]| {
            let s = String::from_utf8_lossy(b);
            let lines: Vec<&str> = s.lines().collect();
            lines[lines.len().saturating_sub(15)..].join("\n")
        };
        format!(
            "{page}:{}: exit {code}, expected {want}\n{}\n--- stdout (end):\n{}\n--- stderr (end):\n{}\n",
            b.line,
            b.body.trim_end(),
            tail(&out.stdout),
            tail(&out.stderr)
        )
    })
}

#[test]
fn every_command_block_of_the_docs_runs_as_written() {
    let mut failures = Vec::new();
    let (mut ran, mut skipped, mut files) = (0, Vec::new(), 0);
    for page in pages() {
        let name = page.strip_prefix(root()).unwrap().display().to_string();
        let text = std::fs::read_to_string(&page).unwrap();
        let dir = scratch(&page);
        let blocks = blocks(&text);
        // Example files first: a page may show its command before the file it reads.
        for b in blocks.iter().filter(|b| b.lang == "ron") {
            if let Some(file) = b.directive.as_deref().and_then(|d| d.strip_prefix("file ")) {
                std::fs::write(dir.path().join(file.trim()), &b.body).unwrap();
                files += 1;
            }
        }
        for b in blocks {
            let directive = b.directive.as_deref().unwrap_or("");
            match b.lang.as_str() {
                "sh" | "bash" => {
                    if let Some(file) = directive.strip_prefix("slurm ") {
                        // Run verbatim on a real one-node Slurm cluster by `.ci/slurm`, which
                        // extracts the blocks marked so from this page.
                        let ci = std::fs::read_to_string(root().join(".ci/slurm")).unwrap();
                        assert!(ci.contains(&name), "{name}:{}: .ci/slurm does not read this page", b.line);
                        skipped.push(format!("{name}:{}: {} (run on Slurm by .ci/slurm)", b.line, file.trim()));
                        continue;
                    }
                    if let Some(reason) = directive.strip_prefix("skip:") {
                        assert!(!reason.trim().is_empty(), "{name}:{}: a skipped block needs a reason", b.line);
                        skipped.push(format!("{name}:{}: {}", b.line, reason.trim()));
                        continue;
                    }
                    let want = directive
                        .strip_prefix("exit ")
                        .map(|n| n.trim().parse().expect("`exit N` takes a number"))
                        .unwrap_or(0);
                    let input = directive.strip_prefix("input ").map(|t| t.trim().replace("\\n", "\n"));
                    assert!(
                        directive.is_empty() || directive.starts_with("exit ") || input.is_some(),
                        "{name}:{}: unknown directive `{directive}`",
                        b.line
                    );
                    ran += 1;
                    failures.extend(run(&name, &b, dir.path(), want, input.as_deref().unwrap_or("")));
                }
                "ron" => {
                    let shipped = b.body.lines().next().and_then(|l| l.strip_prefix("// ")).map(|p| root().join(p));
                    if let Some(shipped) = shipped.filter(|p| p.is_file()) {
                        let real = std::fs::read_to_string(&shipped).unwrap();
                        let shown: String = b.body.lines().skip(1).map(|l| format!("{l}\n")).collect();
                        if !real.contains(shown.as_str()) {
                            failures.push(format!("{name}:{}: differs from {}", b.line, shipped.display()));
                        }
                        files += 1;
                    }
                }
                _ => {}
            }
        }
    }
    println!("ran {ran} command blocks, wrote or checked {files} example files; skipped {}:", skipped.len());
    for s in &skipped {
        println!("  {s}");
    }
    assert!(ran >= 15, "only {ran} command blocks found: is the extraction broken?");
    assert!(failures.is_empty(), "{} of {ran} doc blocks failed:\n\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn directives_are_read() {
    let text = "x\n<!-- docs-test: exit 4 -->\n```sh\nfalse\n```\n```ron\n// a\n```\n";
    let b = blocks(text);
    assert_eq!(b.len(), 2);
    assert_eq!((b[0].line, b[0].lang.as_str(), b[0].directive.as_deref()), (3, "sh", Some("exit 4")));
    assert_eq!((b[1].body.as_str(), b[1].directive.as_deref()), ("// a\n", None));
}
