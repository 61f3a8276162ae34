//! The explore speed target (issue 12): a Sobol' analysis of the default scenario over
//! every parameter of `src/model/params.rs` with N = 512 base samples and R = 10
//! replicates — N (d + 2) R runs — then the indices with their bootstrap intervals, on
//! 2 threads. One sample: it is minutes of real work, the figure the README quotes.
//! `explore_small` is the same pipeline at N = 16, for quick regressions.
//!
//! ```text
//! cargo bench --bench explore
//! ```

use std::sync::atomic::AtomicBool;

use divan::Bencher;
use divan::counter::ItemsCount;
use escalate::explore::analysis;
use escalate::explore::plan::{Method, Plan};
use escalate::explore::study::{default_inputs, default_outputs, run_design};
use escalate::scenario::builtin::{DEFAULT_SCENARIO, DEFAULT_SCENARIO_NAME};

fn main() {
    divan::main();
}

fn sobol(n: usize, bencher: Bencher) {
    let loaded = escalate::scenario::load_bytes(DEFAULT_SCENARIO_NAME, DEFAULT_SCENARIO.as_bytes())
        .expect("the default scenario is valid");
    let plan = Plan {
        method: Method::Sobol,
        samples: n,
        replicates: 10,
        seed: 2018,
        inputs: default_inputs(),
        outputs: default_outputs().iter().map(|o| o.name()).collect(),
        discover: None,
    };
    let specs = plan.output_specs().expect("the default outputs parse");
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().expect("thread pool");
    let cancel = AtomicBool::new(false);
    bencher.counter(ItemsCount::new(plan.runs())).bench_local(|| {
        let design = plan.design();
        let results = run_design(
            &loaded,
            &plan.inputs,
            &specs,
            &design.points,
            plan.replicates,
            plan.seed,
            &pool,
            &cancel,
            &|_| {},
        )
        .expect("every parameter applies to the default scenario");
        analysis::analyse(&loaded.scenario.name, &plan, &design, &results, None).expect("the analysis runs")
    });
}

#[divan::bench(sample_count = 1, sample_size = 1)]
fn explore_sobol_n512_r10(bencher: Bencher) {
    sobol(512, bencher);
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn explore_small(bencher: Bencher) {
    sobol(16, bencher);
}
