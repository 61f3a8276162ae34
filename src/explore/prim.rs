//! PRIM, the patient rule induction method (Friedman & Fisher 1999), for scenario
//! discovery as in RAND's `sdtoolkit` and the EMA Workbench (Bryant & Lempert 2010;
//! Kwakkel 2017): which box of the uncertain inputs holds the runs of interest?
//!
//! Peeling shrinks the box one face at a time, each time cutting off the `alpha` share of
//! its points on the face whose removal raises the density (the share of interesting
//! points in the box) most, until the box holds fewer than `min_support` of all points.
//! Each step is a point of the trajectory: coverage (the share of all interesting points
//! inside) against density. Pasting then widens the chosen box again where that raises
//! the density. Each restriction gets a quasi-p-value: the one-sided binomial chance of
//! the box's density if that restriction were dropped.

use serde::Serialize;

/// A box: per input, the interval it is restricted to (the full range when not).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bounds {
    pub lo: Vec<f64>,
    pub hi: Vec<f64>,
}

impl Bounds {
    fn contains(&self, x: &[f64]) -> bool {
        x.iter().zip(self.lo.iter().zip(&self.hi)).all(|(v, (lo, hi))| *v >= *lo && *v <= *hi)
    }
}

/// One box of the peeling trajectory.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub bounds: Bounds,
    /// Points in the box ÷ all points.
    pub support: f64,
    /// Interesting points in the box ÷ all interesting points.
    pub coverage: f64,
    /// Interesting points in the box ÷ points in the box.
    pub density: f64,
}

/// The result: the trajectory, and the full range of each input.
#[derive(Debug, Clone, Serialize)]
pub struct Prim {
    pub trajectory: Vec<Step>,
    pub range: Bounds,
}

fn stats(x: &[Vec<f64>], y: &[bool], b: &Bounds, total_hits: usize) -> Step {
    let (mut n, mut k) = (0usize, 0usize);
    for (xi, &yi) in x.iter().zip(y) {
        if b.contains(xi) {
            n += 1;
            k += usize::from(yi);
        }
    }
    Step {
        bounds: b.clone(),
        support: n as f64 / x.len().max(1) as f64,
        coverage: if total_hits > 0 { k as f64 / total_hits as f64 } else { 0.0 },
        density: if n > 0 { k as f64 / n as f64 } else { 0.0 },
    }
}

/// Support, coverage and density of box `b`.
pub fn evaluate(x: &[Vec<f64>], y: &[bool], b: &Bounds) -> Step {
    stats(x, y, b, y.iter().filter(|&&v| v).count())
}

/// Drops, one at a time, the restriction of `b` whose quasi-p-value is largest, while
/// it is above `p_max`: what is left are the restrictions the data support, which is
/// what a reader should be told (Bryant & Lempert 2010 ask for few, significant ones).
pub fn simplify(x: &[Vec<f64>], y: &[bool], b: &Bounds, range: &Bounds, p_max: f64) -> Step {
    let mut b = b.clone();
    loop {
        let qp = quasi_p(x, y, &b, range);
        let worst = qp.iter().enumerate().filter_map(|(i, p)| p.map(|p| (i, p))).max_by(|a, b| a.1.total_cmp(&b.1));
        match worst {
            Some((i, p)) if p > p_max => {
                b.lo[i] = range.lo[i];
                b.hi[i] = range.hi[i];
            }
            _ => return evaluate(x, y, &b),
        }
    }
}

/// Peels from the full box of `x` (points × inputs) for the cases where `y` holds.
pub fn peel(x: &[Vec<f64>], y: &[bool], alpha: f64, min_support: f64) -> Prim {
    let d = x.first().map_or(0, Vec::len);
    let lo: Vec<f64> = (0..d).map(|i| x.iter().map(|p| p[i]).fold(f64::INFINITY, f64::min)).collect();
    let hi: Vec<f64> = (0..d).map(|i| x.iter().map(|p| p[i]).fold(f64::NEG_INFINITY, f64::max)).collect();
    let range = Bounds { lo, hi };
    let hits = y.iter().filter(|&&v| v).count();
    let mut b = range.clone();
    let mut trajectory = vec![stats(x, y, &b, hits)];
    loop {
        let inside: Vec<usize> = (0..x.len()).filter(|&j| b.contains(&x[j])).collect();
        if (inside.len() as f64) < min_support * x.len() as f64 {
            break;
        }
        let mut best: Option<(f64, Bounds)> = None;
        for i in 0..d {
            let mut vals: Vec<f64> = inside.iter().map(|&j| x[j][i]).collect();
            vals.sort_by(f64::total_cmp);
            let cut = ((alpha * vals.len() as f64).ceil() as usize).max(1).min(vals.len() - 1);
            // Peel the lowest share: the new lower bound is the first value kept.
            for (lower, edge) in [(true, vals[cut]), (false, vals[vals.len() - 1 - cut])] {
                let mut nb = b.clone();
                if lower {
                    if edge <= nb.lo[i] {
                        continue;
                    }
                    nb.lo[i] = edge;
                } else {
                    if edge >= nb.hi[i] {
                        continue;
                    }
                    nb.hi[i] = edge;
                }
                let s = stats(x, y, &nb, hits);
                if s.support * (x.len() as f64) < 1.0 {
                    continue;
                }
                if best.as_ref().is_none_or(|(dens, _)| s.density > *dens) {
                    best = Some((s.density, nb));
                }
            }
        }
        let Some((_, nb)) = best else { break };
        let s = stats(x, y, &nb, hits);
        if s.support < min_support {
            break;
        }
        b = nb;
        trajectory.push(s);
    }
    Prim { trajectory, range }
}

/// Widens the box where that raises its density (pasting), `alpha` of the box's points
/// at a time.
pub fn paste(x: &[Vec<f64>], y: &[bool], b: &Bounds, alpha: f64) -> Step {
    let hits = y.iter().filter(|&&v| v).count();
    let mut cur = stats(x, y, b, hits);
    loop {
        let n_box = (cur.support * x.len() as f64).round() as usize;
        let add = ((alpha * n_box as f64).ceil() as usize).max(1);
        let mut best: Option<Step> = None;
        for i in 0..b.lo.len() {
            for lower in [true, false] {
                // The candidate values beyond this face, among points inside on every other input.
                let mut beyond: Vec<f64> = x
                    .iter()
                    .filter(|p| (0..p.len()).all(|k| k == i || (p[k] >= cur.bounds.lo[k] && p[k] <= cur.bounds.hi[k])))
                    .map(|p| p[i])
                    .filter(|&v| if lower { v < cur.bounds.lo[i] } else { v > cur.bounds.hi[i] })
                    .collect();
                if beyond.is_empty() {
                    continue;
                }
                beyond.sort_by(f64::total_cmp);
                let edge = if lower {
                    beyond[beyond.len().saturating_sub(add)]
                } else {
                    beyond[(add - 1).min(beyond.len() - 1)]
                };
                let mut nb = cur.bounds.clone();
                if lower {
                    nb.lo[i] = edge
                } else {
                    nb.hi[i] = edge
                }
                let s = stats(x, y, &nb, hits);
                if s.density > cur.density && best.as_ref().is_none_or(|b| s.density > b.density) {
                    best = Some(s);
                }
            }
        }
        match best {
            Some(s) => cur = s,
            None => return cur,
        }
    }
}

/// Per restricted input: the quasi-p-value of the restriction, the one-sided binomial
/// probability of at least the box's interesting points if the box had the density it
/// has without that restriction. Inputs left at their full range are `None`.
pub fn quasi_p(x: &[Vec<f64>], y: &[bool], b: &Bounds, range: &Bounds) -> Vec<Option<f64>> {
    let hits = y.iter().filter(|&&v| v).count();
    let here = stats(x, y, b, hits);
    let n = (here.support * x.len() as f64).round() as u64;
    let k = (here.density * n as f64).round() as u64;
    (0..b.lo.len())
        .map(|i| {
            if b.lo[i] <= range.lo[i] && b.hi[i] >= range.hi[i] {
                return None;
            }
            let mut wider = b.clone();
            wider.lo[i] = range.lo[i];
            wider.hi[i] = range.hi[i];
            let p0 = stats(x, y, &wider, hits).density;
            Some(binomial_sf(k, n, p0))
        })
        .collect()
}

/// P(X ≥ k) for X ~ Binomial(n, p), summed in log space.
pub fn binomial_sf(k: u64, n: u64, p: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    let ln_choose = |n: u64, r: u64| -> f64 { (1..=r).map(|i| ((n - r + i) as f64).ln() - (i as f64).ln()).sum() };
    let mut lt = ln_choose(n, k) + k as f64 * p.ln() + (n - k) as f64 * (1.0 - p).ln();
    let mut sum = 0.0;
    for r in k..=n {
        sum += lt.exp();
        if r < n {
            lt += ((n - r) as f64).ln() - ((r + 1) as f64).ln() + p.ln() - (1.0 - p).ln();
        }
    }
    sum.min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::space::latin_hypercube;

    #[test]
    fn binomial_tail_matches_a_direct_sum() {
        assert!((binomial_sf(3, 5, 0.5) - 0.5).abs() < 1e-12);
        assert!((binomial_sf(5, 5, 0.5) - 1.0 / 32.0).abs() < 1e-12);
        assert_eq!(binomial_sf(0, 5, 0.3), 1.0);
    }

    #[test]
    fn prim_finds_a_planted_box() {
        // Interesting where x0 < 0.3 and x2 > 0.6 (density 0.9 inside, 0.05 outside);
        // x1 and x3 are irrelevant.
        let x = latin_hypercube(4, 3000, 5);
        let mut state = 12345u64;
        let mut coin = |p: f64| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((state >> 33) as f64 / (1u64 << 31) as f64) < p
        };
        let y: Vec<bool> = x.iter().map(|p| coin(if p[0] < 0.3 && p[2] > 0.6 { 0.9 } else { 0.05 })).collect();
        let prim = peel(&x, &y, 0.05, 0.05);
        // The box with the best density at coverage ≥ 0.7.
        let pick = prim
            .trajectory
            .iter()
            .filter(|s| s.coverage >= 0.7)
            .max_by(|a, b| a.density.total_cmp(&b.density))
            .unwrap();
        let b = paste(&x, &y, &pick.bounds, 0.05);
        assert!((b.bounds.hi[0] - 0.3).abs() < 0.05, "x0 < 0.3: {:?}", b.bounds);
        assert!((b.bounds.lo[2] - 0.6).abs() < 0.05, "x2 > 0.6: {:?}", b.bounds);
        assert!(b.density > 0.8, "{b:?}");
        let q = quasi_p(&x, &y, &b.bounds, &prim.range);
        assert!(q[0].unwrap() < 1e-6 && q[2].unwrap() < 1e-6, "the planted restrictions are significant: {q:?}");
        for i in [1, 3] {
            assert!(q[i].is_none_or(|p| p > 1e-3), "input {i} is not part of the box: {q:?}");
        }
        // The trajectory trades coverage for density.
        assert!(prim.trajectory.first().unwrap().coverage == 1.0);
        assert!(prim.trajectory.last().unwrap().density > prim.trajectory.first().unwrap().density);
    }
}
