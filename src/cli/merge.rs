//! `escalate merge DIR... --out DIR`: join the shards of one batch (or compare, or
//! sweep) into the directory one unsharded run would have written.

use std::fs::{self, File};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::{Failure, explore, many, sweep, write_stdout};
use crate::batch::{Aggregate, Shard};
use crate::compare::ComparisonState;
use crate::explore::files as xfiles;
use crate::explore::plan::Plan;
use crate::output::batchdir::write_manifest;
use crate::output::dir::{OutputDir, write_atomic};
use crate::output::manifest::{Manifest, PartRecord, check_files, sha256_hex, short_hash, utc_now};
use crate::output::{Format, files, write_aggregates};
use crate::scenario::load_bytes;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Shard directories written by `escalate batch|compare|sweep|explore --shard K/N`.
    #[arg(required = true)]
    pub parts: Vec<PathBuf>,
    /// Where to write the merged batch. Must not exist.
    #[arg(long)]
    pub out: PathBuf,
    /// Print nothing on success.
    #[arg(long)]
    pub quiet: bool,
    /// Skip drawing charts.
    #[arg(long)]
    pub no_charts: bool,
}

struct Part {
    dir: PathBuf,
    manifest: Manifest,
    /// SHA-256 of the part's `manifest.json` as read.
    manifest_sha256: String,
}

fn read_part(dir: &Path) -> Result<Part, Failure> {
    let path = dir.join(files::MANIFEST);
    let text = fs::read_to_string(&path).map_err(|e| {
        if dir.is_dir() {
            Failure::Input(format!(
                "{} has no readable {} ({e}): it is not a finished batch directory (an interrupted batch never gets one)",
                dir.display(),
                files::MANIFEST
            ))
        } else {
            Failure::Io(format!("{}: {e}", dir.display()))
        }
    })?;
    let manifest = serde_json::from_str(&text)
        .map_err(|e| Failure::Input(format!("{}: not an escalate manifest: {e}", path.display())))?;
    Ok(Part { dir: dir.to_path_buf(), manifest, manifest_sha256: sha256_hex(&text) })
}

pub fn run(args: Args) -> Result<(), Failure> {
    let mut parts = Vec::new();
    for dir in &args.parts {
        parts.push(read_part(dir)?);
    }
    check_parts(&mut parts)?;
    let kind = parts[0].manifest.kind.clone();
    let dir =
        OutputDir::create(&args.out).map_err(|e| Failure::Io(format!("cannot create {}: {e}", args.out.display())))?;
    match kind.as_str() {
        "batch" => merge_batch_into(&parts, dir.path(), args.no_charts)?,
        "compare" | "sweep" => merge_comparison_into(&parts, dir.path(), &kind, args.no_charts)?,
        "explore" => merge_explore_into(&parts, dir.path(), args.no_charts)?,
        other => {
            return Err(Failure::Input(format!("{}: unknown kind of directory `{other}`", parts[0].dir.display())));
        }
    }
    let out = super::commit(dir)?;
    if !args.quiet {
        let m = &parts[0].manifest;
        write_stdout(&format!("merged {} parts ({} runs) into {}\n", parts.len(), m.runs_total, out.display()))?;
    }
    Ok(())
}

/// Merges batch parts (already checked) into the existing directory `out`.
fn merge_batch_into(parts: &[Part], out: &Path, no_charts: bool) -> Result<(), Failure> {
    let first = &parts[0].manifest;
    let text = fs::read_to_string(parts[0].dir.join(files::SCENARIO))
        .map_err(|e| Failure::Io(format!("{}: {e}", parts[0].dir.join(files::SCENARIO).display())))?;
    if crate::output::manifest::sha256_hex(&text) != first.scenario_sha256 {
        return Err(Failure::Input(format!(
            "{}: scenario.ron does not match the hash in its manifest (was it edited?)",
            parts[0].dir.display()
        )));
    }
    let loaded = load_bytes(&first.scenario_file, text.as_bytes())?;
    let scenario = loaded.scenario;
    let mut agg: Option<Aggregate> = None;
    for p in parts {
        let a: Aggregate = read_json(&p.dir.join(files::STATE))?;
        match agg.as_mut() {
            None => agg = Some(a),
            Some(m) if m.same_shape(&a) => m.merge(&a),
            Some(_) => {
                return Err(Failure::Input(format!("{}: its tables do not match the other parts", p.dir.display())));
            }
        }
    }
    let agg = agg.ok_or_else(|| Failure::Input("nothing to merge".into()))?;
    let started = std::time::Instant::now();
    let io = |what: &str, e: std::io::Error| Failure::Io(format!("writing {what}: {e}"));
    write_atomic(&out.join(files::SCENARIO), text.as_bytes()).map_err(|e| io(files::SCENARIO, e))?;
    let runs_name = format!("runs.{}", first.format.ext());
    concat(parts, &runs_name, out, first.format == Format::Csv).map_err(|e| io(&runs_name, e))?;
    if first.events {
        concat(parts, files::EVENTS, out, false).map_err(|e| io(files::EVENTS, e))?;
    }
    write_aggregates(out, &scenario, &agg, first.format).map_err(|e| io("tables", e))?;
    let manifest = merged_manifest(parts, started);
    if !no_charts {
        super::charts_hook(out, &manifest, true)?;
    }
    write_manifest(out, &manifest).map_err(|e| io("manifest", e))
}

/// Merges the shards of an exploration: each part's results are read back and checked
/// against the plan, which every part must share; the whole design's results are then
/// analysed exactly as an unsharded exploration analyses them.
fn merge_explore_into(parts: &[Part], out: &Path, no_charts: bool) -> Result<(), Failure> {
    let started = std::time::Instant::now();
    let plan_bytes = fs::read(parts[0].dir.join(xfiles::PLAN))
        .map_err(|e| Failure::Io(format!("{}: {e}", parts[0].dir.join(xfiles::PLAN).display())))?;
    let plan: Plan = serde_json::from_slice(&plan_bytes)
        .map_err(|e| Failure::Input(format!("{}: unreadable {}: {e}", parts[0].dir.display(), xfiles::PLAN)))?;
    let plan_hash = |p: &Part| p.manifest.files.iter().find(|f| f.path == xfiles::PLAN).map(|f| f.sha256.clone());
    for p in parts.iter().skip(1) {
        if plan_hash(p) != plan_hash(&parts[0]) {
            return Err(Failure::Input(format!(
                "{} and {} are not parts of the same exploration: their plans (plan.json) differ",
                parts[0].dir.display(),
                p.dir.display()
            )));
        }
    }
    let text = fs::read_to_string(parts[0].dir.join(files::SCENARIO))
        .map_err(|e| Failure::Io(format!("{}: {e}", parts[0].dir.join(files::SCENARIO).display())))?;
    let loaded = load_bytes(&parts[0].manifest.scenario_file, text.as_bytes())?;
    let mut results = Vec::with_capacity(plan.points());
    for p in parts {
        let m = &p.manifest;
        let bytes = fs::read(p.dir.join(xfiles::RESULTS))
            .map_err(|e| Failure::Io(format!("{}: {e}", p.dir.join(xfiles::RESULTS).display())))?;
        let range = m.run_first as usize..m.run_end as usize;
        let part = xfiles::read_results(&plan, range, &bytes).map_err(|why| {
            Failure::Input(format!("part {}: {}: {why}; refusing to merge it", p.dir.display(), xfiles::RESULTS))
        })?;
        results.extend(part);
    }
    let design = plan.design();
    explore::write_part(out, &loaded, &plan, &design, 0, &results)?;
    explore::write_analysis(out, &loaded.scenario.name, &plan, &design, &results, None, no_charts)?;
    write_manifest(out, &merged_manifest(parts, started)).map_err(|e| Failure::Io(format!("writing the manifest: {e}")))
}

/// Merges compare or sweep parts into `out`: each variant's batch, and the paired statistics.
fn merge_comparison_into(parts: &[Part], out: &Path, kind: &str, no_charts: bool) -> Result<(), Failure> {
    let started = std::time::Instant::now();
    let first = &parts[0].manifest;
    for p in parts.iter().skip(1) {
        if p.manifest.variants != first.variants {
            return Err(Failure::Input(format!(
                "{} and {} compare different variants",
                parts[0].dir.display(),
                p.dir.display()
            )));
        }
    }
    let mut state: Option<ComparisonState> = None;
    for p in parts {
        let s: ComparisonState = read_json(&p.dir.join(many::STATE))?;
        match state.as_mut() {
            None => state = Some(s),
            Some(m) => m.merge(&s).map_err(|e| Failure::Input(format!("{}: {e}", p.dir.display())))?,
        }
    }
    let state = state.ok_or_else(|| Failure::Input("nothing to merge".into()))?;
    let io = |e: std::io::Error| Failure::Io(format!("writing merged results: {e}"));
    if kind == "compare" {
        for v in &first.variants {
            let mut sub_parts = Vec::new();
            for p in parts {
                let d = p.dir.join(v);
                sub_parts.push(read_part(&d)?);
            }
            check_parts(&mut sub_parts)?;
            let sub = out.join(v);
            fs::create_dir(&sub).map_err(io)?;
            merge_batch_into(&sub_parts, &sub, no_charts)?;
        }
    } else {
        let grid: sweep::Grid = read_json(&parts[0].dir.join("sweep.json"))?;
        for p in parts.iter().skip(1) {
            let g: sweep::Grid = read_json(&p.dir.join("sweep.json"))?;
            if g != grid {
                return Err(Failure::Input(format!(
                    "{}: its sweep grid differs from the other parts",
                    p.dir.display()
                )));
            }
        }
        sweep::write_sweep(out, &grid, &state).map_err(io)?;
        fs::copy(parts[0].dir.join(files::SCENARIO), out.join(files::SCENARIO)).map_err(io)?;
    }
    many::write_comparison(out, &state).map_err(io)?;
    if !no_charts {
        super::compare_charts_hook(out)?;
    }
    write_manifest(out, &merged_manifest(parts, started)).map_err(io)
}

fn merged_manifest(parts: &[Part], started: std::time::Instant) -> Manifest {
    let first = &parts[0].manifest;
    let (created, _) = utc_now();
    Manifest {
        run_first: 0,
        run_end: first.runs_total,
        shard: Shard::WHOLE,
        merged_from: parts.iter().map(|p| p.dir.display().to_string()).collect(),
        parts: parts
            .iter()
            .map(|p| PartRecord {
                dir: p.dir.display().to_string(),
                shard: p.manifest.shard,
                run_first: p.manifest.run_first,
                run_end: p.manifest.run_end,
                manifest_sha256: p.manifest_sha256.clone(),
            })
            .collect(),
        files: Vec::new(),
        threads: 0,
        command_line: std::env::args_os().map(|a| a.to_string_lossy().into_owned()).collect(),
        wall_time_seconds: parts.iter().map(|p| p.manifest.wall_time_seconds).sum::<f64>()
            + started.elapsed().as_secs_f64(),
        created_utc: created,
        ..first.clone()
    }
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, Failure> {
    let text = fs::read_to_string(path).map_err(|e| Failure::Io(format!("{}: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| Failure::Input(format!("{}: unreadable: {e}", path.display())))
}

/// The parts must come from one batch and together hold each run exactly once.
fn check_parts(parts: &mut [Part]) -> Result<(), Failure> {
    for p in parts.iter() {
        verify_part(p)?;
    }
    parts.sort_by_key(|p| p.manifest.run_first);
    let a = &parts[0].manifest;
    for p in parts.iter().skip(1) {
        let b = &p.manifest;
        let mismatch = |what: &str, x: String, y: String| {
            Failure::Input(format!(
                "{} and {} are not parts of the same batch: {what} differs ({x} vs {y})",
                parts[0].dir.display(),
                p.dir.display()
            ))
        };
        if a.scenario_sha256 != b.scenario_sha256 {
            return Err(mismatch(
                "the scenario",
                short_hash(&a.scenario_sha256).into(),
                short_hash(&b.scenario_sha256).into(),
            ));
        }
        if a.master_seed != b.master_seed {
            return Err(mismatch("the master seed", a.master_seed.to_string(), b.master_seed.to_string()));
        }
        if a.runs_total != b.runs_total {
            return Err(mismatch("the number of runs", a.runs_total.to_string(), b.runs_total.to_string()));
        }
        if a.kind != b.kind {
            return Err(mismatch("the kind of run", a.kind.clone(), b.kind.clone()));
        }
        if a.format != b.format || a.events != b.events {
            let how = |m: &Manifest| format!("{}{}", m.format.ext(), if m.events { " with --events" } else { "" });
            return Err(mismatch("the output format or --events", how(a), how(b)));
        }
        if a.version != b.version {
            return Err(mismatch("the escalate version", a.version.clone(), b.version.clone()));
        }
    }
    let mut next = 0;
    for p in parts.iter() {
        let m = &p.manifest;
        if m.run_first < next {
            return Err(Failure::Input(format!(
                "{} repeats runs {}..{} already held by another part (duplicate shard?)",
                p.dir.display(),
                m.run_first,
                next.min(m.run_end)
            )));
        }
        if m.run_first > next {
            return Err(Failure::Input(format!(
                "runs {next}..{} are missing: no part holds them (a shard was not run or not listed)",
                m.run_first
            )));
        }
        next = m.run_end;
    }
    if next != a.runs_total {
        return Err(Failure::Input(format!("runs {next}..{} are missing: no part holds them", a.runs_total)));
    }
    Ok(())
}

/// Concatenates a file of every part, keeping only the first part's header line for CSV.
fn concat(parts: &[Part], name: &str, out_dir: &Path, has_header: bool) -> std::io::Result<()> {
    let mut out = BufWriter::new(File::create(out_dir.join(name))?);
    for (i, p) in parts.iter().enumerate() {
        let mut reader = BufReader::new(File::open(p.dir.join(name))?);
        if has_header && i > 0 {
            let mut skip = String::new();
            reader.read_line(&mut skip)?;
        }
        std::io::copy(&mut reader, &mut out)?;
    }
    out.flush()?;
    out.get_ref().sync_all()
}

/// Checks one part on its own: its manifest is self-consistent, every file it records
/// is there unchanged, the files a merge reads are all recorded, and the rows of its
/// runs table are exactly its runs, each with the seed its index and master seed give.
fn verify_part(p: &Part) -> Result<(), Failure> {
    let m = &p.manifest;
    let bad = |file: &str, why: String| {
        Failure::Input(format!("part {}: {file}: {why}; refusing to merge it", p.dir.display()))
    };
    let mf = files::MANIFEST;
    if m.tool != "escalate" {
        return Err(bad(mf, format!("written by `{}`, not escalate", m.tool)));
    }
    if m.scenario_sha256.len() != 64 || !m.scenario_sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad(mf, format!("scenario_sha256 `{}` is not a SHA-256", m.scenario_sha256)));
    }
    if m.shard.n == 0 || m.shard.k >= m.shard.n {
        return Err(bad(mf, format!("shard {}/{} is not a shard", m.shard.k, m.shard.n)));
    }
    let range = m.shard.range(m.runs_total);
    let merged = !m.parts.is_empty() && m.shard == Shard::WHOLE;
    if !merged && (range.start != m.run_first || range.end != m.run_end) {
        return Err(bad(
            mf,
            format!(
                "runs {}..{} are not those of shard {}/{} of {} runs ({}..{})",
                m.run_first, m.run_end, m.shard.k, m.shard.n, m.runs_total, range.start, range.end
            ),
        ));
    }
    if merged && (m.run_first != 0 || m.run_end != m.runs_total) {
        return Err(bad(
            mf,
            format!("a merged directory holds runs {}..{}, not all {}", m.run_first, m.run_end, m.runs_total),
        ));
    }
    // A shard may be empty (more shards than runs), never reversed or past the end.
    if m.run_first > m.run_end || m.run_end > m.runs_total {
        return Err(bad(
            mf,
            format!("runs {}..{} out of {} is not a range of runs", m.run_first, m.run_end, m.runs_total),
        ));
    }
    if m.files.is_empty() {
        return Err(bad(mf, "it records no file checksums (written by an older escalate?); rerun this shard".into()));
    }
    let mut needed: Vec<String> = Vec::new();
    let ext = m.format.ext();
    match m.kind.as_str() {
        "batch" => {
            needed.extend([files::SCENARIO.to_string(), files::STATE.to_string(), files::SUMMARY.to_string()]);
            needed.extend([format!("runs.{ext}"), format!("turns.{ext}")]);
            if m.events {
                needed.push(files::EVENTS.into());
            }
        }
        "compare" => {
            needed.push(many::STATE.into());
            needed.extend(m.variants.iter().map(|v| format!("{v}/{}", files::MANIFEST)));
        }
        "sweep" => needed.extend([many::STATE.to_string(), "sweep.json".into(), files::SCENARIO.into()]),
        "explore" => needed.extend([files::SCENARIO, xfiles::PLAN, xfiles::DESIGN, xfiles::RESULTS].map(String::from)),
        _ => {}
    }
    for n in &needed {
        if !m.files.iter().any(|f| &f.path == n) {
            return Err(bad(n, "the manifest does not record it".into()));
        }
    }
    check_files(&p.dir, &m.files).map_err(|e| {
        let (file, why) = e.split_once(": ").unwrap_or(("", &e));
        bad(file, why.to_string())
    })?;
    let held = m.run_end - m.run_first;
    if m.kind == "batch" {
        let runs_name = format!("runs.{ext}");
        let rec = m.files.iter().find(|f| f.path == runs_name).expect("checked above");
        if let Some(rows) = rec.rows
            && rows != held
        {
            return Err(bad(&runs_name, format!("{rows} rows for the {held} runs {}..{}", m.run_first, m.run_end)));
        }
        check_run_rows(&p.dir.join(&runs_name), m).map_err(|why| bad(&runs_name, why))?;
        let agg: Aggregate = read_json(&p.dir.join(files::STATE))?;
        if agg.runs != held {
            return Err(bad(files::STATE, format!("it aggregates {} runs, not the {held} runs of the part", agg.runs)));
        }
    } else if m.kind == "compare" || m.kind == "sweep" {
        let st: ComparisonState = read_json(&p.dir.join(many::STATE))?;
        if st.variants != m.variants {
            return Err(bad(many::STATE, "its variants differ from the manifest's".into()));
        }
        if let Some(a) = st.aggregates.iter().find(|a| a.runs != held) {
            return Err(bad(many::STATE, format!("it aggregates {} runs, not the {held} runs of the part", a.runs)));
        }
    }
    Ok(())
}

/// Each row of a runs table (CSV or JSON Lines) must be run `run_first + k`, with
/// the seed derived from the manifest's master seed and that index.
fn check_run_rows(path: &Path, m: &Manifest) -> Result<(), String> {
    let check = |k: u64, run: Option<u64>, seed: Option<u64>| -> Result<(), String> {
        let want = m.run_first + k;
        match (run, seed) {
            (Some(r), _) if r != want => Err(format!("row {} is run {r}, expected run {want}", k + 1)),
            (Some(_), Some(s)) if s != crate::batch::seed_for(m.master_seed, want) => Err(format!(
                "run {want} has seed {s}, which is not the seed of run {want} under master seed {}",
                m.master_seed
            )),
            (Some(_), Some(_)) => Ok(()),
            _ => Err(format!("row {} has no readable run index and seed", k + 1)),
        }
    };
    let file = File::open(path).map_err(|e| e.to_string())?;
    match m.format {
        Format::Csv => {
            let mut rd = csv::Reader::from_reader(BufReader::new(file));
            for (k, rec) in rd.records().enumerate() {
                let rec = rec.map_err(|e| format!("row {}: {e}", k + 1))?;
                let num = |i: usize| rec.get(i).and_then(|x| x.parse::<u64>().ok());
                check(k as u64, num(0), num(1))?;
            }
        }
        Format::Jsonl => {
            for (k, line) in BufReader::new(file).lines().enumerate() {
                let line = line.map_err(|e| e.to_string())?;
                let v: serde_json::Value =
                    serde_json::from_str(&line).map_err(|e| format!("row {}: not JSON: {e}", k + 1))?;
                let seed = v["seed"].as_str().and_then(|s| s.parse().ok()).or_else(|| v["seed"].as_u64());
                check(k as u64, v["run"].as_u64(), seed)?;
            }
        }
        // Without the parquet reader, the recorded hash is the check.
        Format::Parquet => {}
    }
    Ok(())
}
