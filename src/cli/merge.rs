//! `escalate merge DIR... --out DIR`: join the shards of one batch into the
//! directory one unsharded batch would have written.

use std::fs::{self, File};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::{Failure, write_stdout};
use crate::batch::{Aggregate, Shard};
use crate::output::dir::{OutputDir, write_atomic};
use crate::output::manifest::{Manifest, utc_now};
use crate::output::{Format, files, to_pretty, write_aggregates};
use crate::scenario::load_bytes;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Shard directories written by `escalate batch --shard K/N`.
    #[arg(required = true)]
    pub parts: Vec<PathBuf>,
    /// Where to write the merged batch. Must not exist.
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long)]
    pub quiet: bool,
    /// Skip drawing charts.
    #[arg(long)]
    pub no_charts: bool,
}

struct Part {
    dir: PathBuf,
    manifest: Manifest,
}

fn read_manifest(dir: &Path) -> Result<Manifest, Failure> {
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
    serde_json::from_str(&text)
        .map_err(|e| Failure::Input(format!("{}: not an escalate manifest: {e}", path.display())))
}

pub fn run(args: Args) -> Result<(), Failure> {
    let mut parts = Vec::new();
    for dir in &args.parts {
        parts.push(Part { dir: dir.clone(), manifest: read_manifest(dir)? });
    }
    check_parts(&mut parts)?;
    let first = &parts[0].manifest;
    let text = fs::read_to_string(parts[0].dir.join(files::SCENARIO))
        .map_err(|e| Failure::Io(format!("{}: {e}", parts[0].dir.join(files::SCENARIO).display())))?;
    let loaded = load_bytes(&first.scenario_file, text.as_bytes())?;
    if crate::output::manifest::sha256_hex(&text) != first.scenario_sha256 {
        return Err(Failure::Input(format!(
            "{}: scenario.ron does not match the hash in its manifest (was it edited?)",
            parts[0].dir.display()
        )));
    }
    let scenario = loaded.scenario;
    let mut agg: Option<Aggregate> = None;
    for p in &parts {
        let path = p.dir.join(files::STATE);
        let state = fs::read_to_string(&path).map_err(|e| Failure::Io(format!("{}: {e}", path.display())))?;
        let a: Aggregate = serde_json::from_str(&state)
            .map_err(|e| Failure::Input(format!("{}: unreadable batch state: {e}", path.display())))?;
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
    let dir =
        OutputDir::create(&args.out).map_err(|e| Failure::Io(format!("cannot create {}: {e}", args.out.display())))?;
    let io = |what: &str, e: std::io::Error| Failure::Io(format!("writing {what}: {e}"));
    write_atomic(&dir.path().join(files::SCENARIO), text.as_bytes()).map_err(|e| io(files::SCENARIO, e))?;
    let runs_name = format!("runs.{}", first.format.ext());
    concat(&parts, &runs_name, dir.path(), first.format == Format::Csv).map_err(|e| io(&runs_name, e))?;
    if first.events {
        concat(&parts, files::EVENTS, dir.path(), false).map_err(|e| io(files::EVENTS, e))?;
    }
    write_aggregates(dir.path(), &scenario, &agg, first.format).map_err(|e| io("tables", e))?;
    let (created, _) = utc_now();
    let manifest = Manifest {
        run_first: 0,
        run_end: first.runs_total,
        shard: Shard::WHOLE,
        merged_from: parts.iter().map(|p| p.dir.display().to_string()).collect(),
        threads: 0,
        command_line: std::env::args().collect(),
        wall_time_seconds: parts.iter().map(|p| p.manifest.wall_time_seconds).sum::<f64>()
            + started.elapsed().as_secs_f64(),
        created_utc: created,
        ..first.clone()
    };
    if !args.no_charts {
        super::charts_hook(dir.path(), args.quiet)?;
    }
    write_atomic(&dir.path().join(files::MANIFEST), to_pretty(&manifest).map_err(|e| io("manifest", e))?.as_bytes())
        .map_err(|e| io(files::MANIFEST, e))?;
    let out = dir.commit().map_err(|e| Failure::Io(e.to_string()))?;
    if !args.quiet {
        write_stdout(&format!("merged {} parts ({} runs) into {}\n", parts.len(), first.runs_total, out.display()))?;
    }
    Ok(())
}

/// The parts must come from one batch and together hold each run exactly once.
fn check_parts(parts: &mut [Part]) -> Result<(), Failure> {
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
            return Err(mismatch("the scenario", a.scenario_sha256[..12].into(), b.scenario_sha256[..12].into()));
        }
        if a.master_seed != b.master_seed {
            return Err(mismatch("the master seed", a.master_seed.to_string(), b.master_seed.to_string()));
        }
        if a.runs_total != b.runs_total {
            return Err(mismatch("the number of runs", a.runs_total.to_string(), b.runs_total.to_string()));
        }
        if a.format != b.format || a.events != b.events {
            return Err(mismatch(
                "the output format or --events",
                format!("{:?}", a.format),
                format!("{:?}", b.format),
            ));
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
