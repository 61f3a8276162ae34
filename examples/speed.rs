use std::sync::Arc;
fn main() {
    let l = escalate::scenario::load_file(std::path::Path::new("scenarios/paris-call-2018.ron")).unwrap();
    let s = Arc::new(l.scenario);
    let n = 500;
    let t = std::time::Instant::now();
    let mut ops = 0;
    for i in 0..n {
        let r = escalate::sim::run(&s, i, false);
        ops += r.operations();
    }
    let el = t.elapsed().as_secs_f64();
    println!("{n} runs in {el:.3}s = {:.0} runs/s; ops/run {}", n as f64 / el, ops / n as u32);
    let t = std::time::Instant::now();
    for i in 0..n {
        let _ = escalate::sim::Sim::new(s.clone(), i, false);
    }
    println!("setup only: {:.1} us/run", t.elapsed().as_secs_f64() * 1e6 / n as f64);
}
