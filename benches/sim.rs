//! One run of the reference workload — the default scenario (`paris-call-2018`), all
//! its actors, its full horizon — and where its time goes.
//!
//! ```text
//! cargo bench --bench sim
//! ```
//!
//! - `run::runs` / `run::actor_turns`: whole runs (world set-up, every turn, the
//!   record); the same work counted in runs/s and in actor-turns/s (actors × turns
//!   played). One thread, so these are per-core figures.
//! - `ecs::*`: the ECS machinery alone — building the World and the Schedule,
//!   dispatching a turn's ten systems with empty bodies, and dropping the World — to
//!   compare with a run.
//! - `turn::mid_run`: one turn (all ten phases) half-way through a run.

use std::hint::black_box;
use std::sync::Arc;

use bevy_ecs::prelude::*;
use bevy_ecs::schedule::SingleThreadedExecutor;
use divan::Bencher;
use divan::counter::ItemsCount;
use escalate::batch::seed_for;
use escalate::scenario::Scenario;
use escalate::scenario::builtin::{DEFAULT_SCENARIO, DEFAULT_SCENARIO_NAME};
use escalate::sim::{self, Sim};
use escalate::systems::turn_schedule;

/// Runs per benchmark iteration: enough seeds to average over short and long runs.
const SEEDS: u64 = 32;
const MASTER: u64 = 2018;

fn main() {
    divan::main();
}

fn scenario() -> Arc<Scenario> {
    let loaded = escalate::scenario::load_bytes(DEFAULT_SCENARIO_NAME, DEFAULT_SCENARIO.as_bytes())
        .expect("the default scenario is valid");
    Arc::new(loaded.scenario)
}

fn seeds() -> impl Iterator<Item = u64> {
    (0..SEEDS).map(|i| seed_for(MASTER, i))
}

/// Actors × turns played, summed over the benchmark's seeds.
fn actor_turns(s: &Arc<Scenario>) -> u64 {
    seeds().map(|seed| s.actors.len() as u64 * u64::from(sim::run(s, seed, false).turns_played)).sum()
}

mod run {
    use super::*;

    /// Whole runs: items/s is runs/s per core.
    #[divan::bench]
    fn runs(bencher: Bencher) {
        let s = scenario();
        bencher.counter(ItemsCount::new(SEEDS)).bench(|| {
            for seed in seeds() {
                black_box(sim::run(&s, seed, false));
            }
        });
    }

    /// The same work; items/s is actor-turns/s per core.
    #[divan::bench]
    fn actor_turns(bencher: Bencher) {
        let s = scenario();
        bencher.counter(ItemsCount::new(super::actor_turns(&s))).bench(|| {
            for seed in seeds() {
                black_box(sim::run(&s, seed, false));
            }
        });
    }

    /// Whole runs keeping every event (what `--events` costs).
    #[divan::bench]
    fn runs_with_events(bencher: Bencher) {
        let s = scenario();
        bencher.counter(ItemsCount::new(SEEDS)).bench(|| {
            for seed in seeds() {
                black_box(sim::run(&s, seed, true));
            }
        });
    }
}

mod ecs {
    use super::*;

    /// `Sim::new`: spawning actors and assets, inserting the resources, constructing
    /// the (not yet built) schedule.
    #[divan::bench]
    fn world_setup(bencher: Bencher) {
        let s = scenario();
        bencher.counter(ItemsCount::new(1u32)).bench(|| black_box(Sim::new(s.clone(), 7, false)));
    }

    /// Building the turn schedule on a fresh World (graph, ambiguity check,
    /// executor): done once per run, on the first turn.
    #[divan::bench]
    fn schedule_build(bencher: Bencher) {
        let s = scenario();
        bencher.with_inputs(|| (Sim::new(s.clone(), 7, false), turn_schedule())).bench_local_refs(|(sim, schedule)| {
            schedule.initialize(&mut sim.world).expect("the turn schedule builds");
        });
    }

    /// Dropping a finished run's World and Schedule.
    #[divan::bench]
    fn world_teardown(bencher: Bencher) {
        let s = scenario();
        bencher
            .with_inputs(|| {
                let mut sim = Sim::new(s.clone(), 7, false);
                sim.run_to_end();
                sim
            })
            .bench_local_values(drop);
    }

    /// Dispatching one turn: ten chained systems with empty bodies that each fetch a
    /// few resources and a query, run by the same single-threaded executor.
    #[divan::bench]
    fn dispatch_one_turn(bencher: Bencher) {
        let s = scenario();
        let mut sim = Sim::new(s, 7, false);
        let mut schedule = Schedule::default();
        schedule.set_executor(SingleThreadedExecutor::new());
        schedule.add_systems((noop, noop, noop, noop, noop, noop, noop, noop, noop, noop).chain());
        schedule.run(&mut sim.world);
        bencher.bench_local(|| schedule.run(&mut sim.world));
    }

    use escalate::model::state::{Clock, Relations, Standing, Tally};

    fn noop(clock: Res<Clock>, rel: Res<Relations>, tally: ResMut<Tally>, q: Query<&Standing>) {
        black_box((&clock, &rel, &tally, &q));
    }
}

mod turn {
    use super::*;

    /// The turn after which `turn::mid_run` measures one more.
    const AT: u32 = 13;

    /// One turn (all ten phases) half-way through a run, over the benchmark's seeds
    /// that are still going at that turn.
    #[divan::bench]
    fn mid_run(bencher: Bencher) {
        let s = scenario();
        let live: Vec<u64> = seeds().filter(|&seed| sim::run(&s, seed, false).turns_played > AT).collect();
        assert!(!live.is_empty(), "some runs last past turn {AT}");
        let mut next = 0;
        bencher
            .with_inputs(|| {
                let seed = live[next % live.len()];
                next += 1;
                let mut sim = Sim::new(s.clone(), seed, false);
                while sim.turn() < AT {
                    sim.step();
                }
                sim
            })
            .bench_local_refs(|sim| sim.step());
    }
}
