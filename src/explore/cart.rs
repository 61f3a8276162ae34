//! CART (Breiman, Friedman, Olshen & Stone 1984) for scenario discovery, the EMA
//! Workbench's second method beside PRIM: a classification tree on the same cases,
//! split by Gini impurity. PRIM returns one box; the tree's leaves partition the whole
//! space, so they also say where the outcome does *not* happen, in rules of at most
//! `max_depth` conditions.

/// One leaf: its limits per input (`None`: unbounded on that side), and its cases.
#[derive(Debug, Clone, PartialEq)]
pub struct Leaf {
    pub lo: Vec<Option<f64>>,
    pub hi: Vec<Option<f64>>,
    pub runs: usize,
    pub cases: usize,
}

impl Leaf {
    pub fn density(&self) -> f64 {
        self.cases as f64 / self.runs as f64
    }
}

fn gini(cases: usize, runs: usize) -> f64 {
    if runs == 0 {
        return 0.0;
    }
    let p = cases as f64 / runs as f64;
    2.0 * p * (1.0 - p)
}

/// The best split of `idx`: (input, threshold) with the largest impurity decrease,
/// both sides holding at least `min_leaf` cases. Ties keep the first input and the
/// lowest threshold, so the tree is deterministic.
fn best_split(x: &[Vec<f64>], y: &[bool], idx: &[usize], min_leaf: usize) -> Option<(usize, f64)> {
    let n = idx.len();
    let total = idx.iter().filter(|&&i| y[i]).count();
    let parent = gini(total, n) * n as f64;
    let mut best: Option<(f64, usize, f64)> = None;
    let mut sorted = idx.to_vec();
    // `d` is a column of every row, not an index into `x` itself.
    #[allow(clippy::needless_range_loop)]
    for d in 0..x.first().map_or(0, Vec::len) {
        sorted.sort_by(|&a, &b| x[a][d].total_cmp(&x[b][d]));
        let mut left_cases = 0;
        for k in 1..n {
            left_cases += usize::from(y[sorted[k - 1]]);
            let (a, b) = (x[sorted[k - 1]][d], x[sorted[k]][d]);
            if k < min_leaf || n - k < min_leaf || a == b {
                continue;
            }
            let cost = gini(left_cases, k) * k as f64 + gini(total - left_cases, n - k) * (n - k) as f64;
            let gain = parent - cost;
            if gain > 1e-9 && best.is_none_or(|(g, _, _)| gain > g + 1e-12) {
                best = Some((gain, d, 0.5 * (a + b)));
            }
        }
    }
    best.map(|(_, d, t)| (d, t))
}

/// Grows the tree on cases `x` (one row per run, in input units) and outcomes `y`;
/// returns its leaves, left to right.
pub fn fit(x: &[Vec<f64>], y: &[bool], max_depth: usize, min_leaf: usize) -> Vec<Leaf> {
    let d = x.first().map_or(0, Vec::len);
    let mut leaves = Vec::new();
    let idx: Vec<usize> = (0..y.len()).collect();
    grow(x, y, idx, vec![None; d], vec![None; d], max_depth, min_leaf.max(1), &mut leaves);
    leaves
}

#[allow(clippy::too_many_arguments)]
fn grow(
    x: &[Vec<f64>],
    y: &[bool],
    idx: Vec<usize>,
    lo: Vec<Option<f64>>,
    hi: Vec<Option<f64>>,
    depth: usize,
    min_leaf: usize,
    leaves: &mut Vec<Leaf>,
) {
    let cases = idx.iter().filter(|&&i| y[i]).count();
    let split = (depth > 0 && cases > 0 && cases < idx.len()).then(|| best_split(x, y, &idx, min_leaf)).flatten();
    let Some((dim, t)) = split else {
        leaves.push(Leaf { lo, hi, runs: idx.len(), cases });
        return;
    };
    let (left, right): (Vec<usize>, Vec<usize>) = idx.into_iter().partition(|&i| x[i][dim] < t);
    let (mut lhi, mut rlo) = (hi.clone(), lo.clone());
    lhi[dim] = Some(t);
    rlo[dim] = Some(t);
    grow(x, y, left, lo, lhi, depth - 1, min_leaf, leaves);
    grow(x, y, right, rlo, hi, depth - 1, min_leaf, leaves);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::space::latin_hypercube;

    #[test]
    fn cart_finds_a_planted_box() {
        // Interesting where x0 < 0.3 and x2 > 0.6 (0.9 inside, 0.05 outside); x1, x3 inert.
        let x = latin_hypercube(4, 3000, 7);
        let mut state = 99u64;
        let mut coin = |p: f64| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((state >> 33) as f64 / (1u64 << 31) as f64) < p
        };
        let y: Vec<bool> = x.iter().map(|p| coin(if p[0] < 0.3 && p[2] > 0.6 { 0.9 } else { 0.05 })).collect();
        let leaves = fit(&x, &y, 3, 150);
        assert_eq!(leaves.iter().map(|l| l.runs).sum::<usize>(), 3000, "the leaves partition the cases");
        // Each case lies in one leaf; the dense leaves (over half with the outcome)
        // together must be the planted box, cut only on x0 and x2.
        let leaf_of = |p: &[f64]| {
            leaves
                .iter()
                .find(|l| (0..4).all(|i| l.lo[i].is_none_or(|v| p[i] >= v) && l.hi[i].is_none_or(|v| p[i] < v)))
                .unwrap()
        };
        let agree = x.iter().filter(|p| (leaf_of(p).density() > 0.5) == (p[0] < 0.3 && p[2] > 0.6)).count();
        assert!(agree as f64 >= 0.97 * 3000.0, "the dense leaves are the planted box: {agree} of 3000 agree");
        for l in leaves.iter().filter(|l| l.density() > 0.5) {
            assert!(l.density() > 0.8, "{l:?}");
            assert!(l.lo[1].is_none() && l.hi[1].is_none() && l.lo[3].is_none() && l.hi[3].is_none(), "{l:?}");
        }
        assert_eq!(fit(&x, &y, 3, 150), leaves, "deterministic");
        // A pure or empty outcome is one leaf.
        assert_eq!(fit(&x, &vec![false; 3000], 3, 150).len(), 1);
    }
}
