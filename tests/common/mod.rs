//! Helpers shared by the end-to-end tests of the real binary.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// Variables through which a scheduler assigns a shard (`--shard auto`): cleared so
/// that a test run inside a Slurm or Kubernetes job behaves like one outside.
pub const SHARD_VARS: [&str; 6] = [
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_COUNT",
    "SLURM_ARRAY_TASK_MIN",
    "JOB_COMPLETION_INDEX",
    "JOB_COMPLETIONS",
    "ESCALATE_SHARD_COUNT",
];

/// The binary, without colour and without any scheduler's shard variables.
pub fn escalate() -> Command {
    let mut cmd = Command::cargo_bin("escalate").expect("the escalate binary is built");
    cmd.env("NO_COLOR", "1");
    for v in SHARD_VARS {
        cmd.env_remove(v);
    }
    cmd
}

/// Runs `escalate batch --no-charts --quiet --runs RUNS --out OUT EXTRA...` and expects success.
pub fn batch(out: &Path, runs: &str, extra: &[&str]) {
    escalate()
        .args(["batch", "--no-charts", "--quiet", "--runs", runs, "--out"])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

/// Writes shards `0/3`, `1/3`, `2/3` of the default batch of `runs` runs (plus `extra`
/// arguments) under `tmp`, in directories `PREFIX-0`, `PREFIX-1`, `PREFIX-2`.
pub fn three_shards(tmp: &Path, prefix: &str, runs: &str, extra: &[&str]) -> Vec<PathBuf> {
    (0..3)
        .map(|k| {
            let out = tmp.join(format!("{prefix}-{k}"));
            let shard = format!("{k}/3");
            let mut args = vec!["--shard", shard.as_str()];
            args.extend_from_slice(extra);
            batch(&out, runs, &args);
            out
        })
        .collect()
}

/// `escalate merge PARTS... --out OUT --no-charts --quiet`.
pub fn merge(parts: &[PathBuf], out: &Path) -> assert_cmd::assert::Assert {
    escalate().arg("merge").args(parts).arg("--out").arg(out).args(["--no-charts", "--quiet"]).assert()
}
