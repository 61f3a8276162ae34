//! Many runs through `batch::execute` on 1 and 2 threads: the engine's parallel
//! scaling, with the aggregate folded in and each run's CSV row rendered as
//! `escalate batch` does (but written nowhere, so the disk is not measured).
//!
//! ```text
//! cargo bench --bench batch
//! ```

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use divan::Bencher;
use divan::counter::ItemsCount;
use escalate::batch::{self, BatchSpec, Shard};
use escalate::output::runs;
use escalate::scenario::builtin::{DEFAULT_SCENARIO, DEFAULT_SCENARIO_NAME};

/// Runs per iteration: several blocks per thread, so block hand-over is included.
const RUNS: u64 = 4096;

fn main() {
    divan::main();
}

#[divan::bench(args = [1, 2], sample_count = 10, sample_size = 1)]
fn execute(bencher: Bencher, threads: usize) {
    let s = Arc::new(
        escalate::scenario::load_bytes(DEFAULT_SCENARIO_NAME, DEFAULT_SCENARIO.as_bytes())
            .expect("the default scenario is valid")
            .scenario,
    );
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool");
    let spec = BatchSpec { runs: RUNS, master_seed: 2018, shard: Shard::WHOLE, keep_events: false };
    let cancel = AtomicBool::new(false);
    bencher.counter(ItemsCount::new(RUNS)).bench_local(|| {
        let agg = batch::execute(
            &s,
            &spec,
            &pool,
            &cancel,
            |i, r| {
                black_box(runs::values(i, r));
                Ok(())
            },
            |_| {},
        );
        black_box(agg.ok())
    });
}
