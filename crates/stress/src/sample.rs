//! Sampling: Latin hypercube replicates over counter-based random streams.
//!
//! The n scenarios are split into R independent replicates (contiguous index blocks of about
//! [`REPLICATE_SIZE`] scenarios, and at least [`MIN_REPLICATES`] of them). Within replicate r of
//! size m, variable v's uniform in stratum s sits at local index σ_{r,v}(s) and is
//!
//! ```text
//!     u = (s + ε_{r,v,s}) / m
//! ```
//!
//! where σ_{r,v} is a uniformly random permutation of 0..m (Fisher–Yates) and ε a jitter in
//! (0, 1). Both come from one counter-based stream per (seed, variable, replicate): draw j is
//! `mix64(key + (j + 1)·γ)`, a pure function of its counter, whose high half drives Fisher–Yates
//! step j and whose low half is stratum j's jitter. So every draw depends only on (seed,
//! variable, replicate, index): results do not depend on the number of threads or the order of
//! work. Each replicate is a Latin hypercube sample; the replicates are independent, so the spread
//! of their estimates gives honest standard errors. See `docs/decisions/0002-sampling.md`.

use crate::correlate::Copula;
use crate::run::sum_zipped;
use crate::special::{norm_cdf, norm_ppf};

/// Target scenarios per replicate.
pub const REPLICATE_SIZE: u64 = 1024;
/// Fewest replicates (for a stable standard error).
pub const MIN_REPLICATES: u64 = 32;

const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// SplitMix64's finaliser: a bijective 64-bit mixer.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A stable 64-bit stream key for a variable, from its scope and name (FNV-1a, then mixed).
pub fn stream_key(scope: &str, name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in scope.bytes().chain(std::iter::once(0u8)).chain(name.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    mix64(h)
}

/// The replicate layout of n scenarios.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// Scenario count.
    pub n: u64,
    /// Replicate count.
    pub replicates: usize,
}

impl Layout {
    /// The layout for n scenarios.
    pub fn new(n: u64) -> Self {
        let r = n.div_ceil(REPLICATE_SIZE).max(MIN_REPLICATES).min(n.max(1));
        Layout {
            n,
            replicates: r as usize,
        }
    }

    /// Start index of replicate r (r = replicates gives n).
    #[inline]
    pub fn start(&self, r: usize) -> u64 {
        (u128::from(self.n) * r as u128 / self.replicates as u128) as u64
    }

    /// The index range of replicate r.
    #[inline]
    pub fn range(&self, r: usize) -> std::ops::Range<usize> {
        self.start(r) as usize..self.start(r + 1) as usize
    }

    /// Each replicate's part of every column (each n long): for replicate r, its range of each
    /// column, in column order, so that replicates can write their results in place in parallel.
    pub fn split<'c>(&self, columns: &'c mut [Vec<f64>]) -> Vec<Vec<&'c mut [f64]>> {
        let mut parts: Vec<Vec<&mut [f64]>> = (0..self.replicates)
            .map(|_| Vec::with_capacity(columns.len()))
            .collect();
        for column in columns {
            let mut rest: &mut [f64] = column;
            for (r, part) in parts.iter_mut().enumerate() {
                let (head, tail) = rest.split_at_mut(self.range(r).len());
                part.push(head);
                rest = tail;
            }
        }
        parts
    }
}

/// A variable's random stream under a run seed.
#[derive(Debug, Clone, Copy)]
pub struct Stream {
    key: u64,
}

impl Stream {
    /// The stream for a variable key under a run seed.
    pub fn new(seed: u64, variable: u64) -> Self {
        Stream {
            key: mix64(seed ^ mix64(variable ^ 0x5851_f42d_4c95_7f2d)),
        }
    }

    /// Replicate r's strata and jitters for m scenarios: stratum s holds position `pos[s]` with
    /// jitter `jitter[s]` in (0, 1).
    pub fn strata(&self, r: usize, m: usize, pos: &mut Vec<u32>, jitter: &mut Vec<f64>) {
        let mut bits = Vec::new();
        self.shuffle(r, m, &mut bits, pos);
        jitter.clear();
        jitter.extend(bits.iter().map(|&x| unit(x)));
    }

    /// The replicate's draws and its Fisher–Yates permutation: `bits[j] = mix64(base + (j + 1)·γ)`
    /// (computed first, in a loop with no dependencies between elements, so that it vectorises),
    /// then the chain of swaps driven by their high halves. `pos` ends as the position of each
    /// stratum; the low half of `bits[s]` is stratum s's jitter.
    #[inline(always)]
    fn shuffle(&self, r: usize, m: usize, bits: &mut Vec<u64>, pos: &mut Vec<u32>) {
        let base = mix64(self.key ^ mix64((r as u64).wrapping_mul(GOLDEN) ^ 0xd1b5_4a32_d192_ed03));
        bits.resize(m, 0);
        for (j, b) in bits.iter_mut().enumerate() {
            *b = mix64(base.wrapping_add((j as u64 + 1).wrapping_mul(GOLDEN)));
        }
        pos.clear();
        pos.extend(0..m as u32);
        for j in (1..m).rev() {
            let k = bounded(bits[j], j as u32 + 1, base ^ j as u64);
            pos.swap(j, k as usize);
        }
    }

    /// Fills `out` with replicate r's stratified uniforms in (0, 1).
    #[inline(always)]
    pub fn fill(&self, r: usize, out: &mut [f64], s: &mut StreamScratch) {
        let (u, values) = self.increasing(r, out.len(), s);
        values.copy_from_slice(u);
        s.scatter(out, None);
    }

    /// Replicate r's m uniforms in stratum order, so in increasing order, and a column for their
    /// values, which [`StreamScratch::scatter`] then moves to their strata's positions. A
    /// replicate's values are so worked out a whole replicate at a time: a quantile function
    /// can be evaluated in loops without branches, which the compiler vectorises, and its
    /// table is read in order.
    #[inline(always)]
    pub fn increasing<'s>(&self, r: usize, m: usize, s: &'s mut StreamScratch) -> (&'s [f64], &'s mut [f64]) {
        self.shuffle(r, m, &mut s.bits, &mut s.pos);
        let inv = 1.0 / m as f64;
        s.u.clear();
        s.u.extend(
            s.bits
                .iter()
                .enumerate()
                .map(|(stratum, &x)| (f64::from(stratum as u32) + unit(x)) * inv),
        );
        s.values.resize(m, 0.0);
        (&s.u, &mut s.values)
    }

    /// Replicate r's moments with a score column `w` (one weight per position), from the
    /// midpoints of the strata: see [`strata_moments`]. Draws the replicate's permutation again;
    /// a simulation that kept its strata gives the same figures from them, bit for bit.
    pub fn moments_with(&self, r: usize, w: &[f64], s: &mut StreamScratch) -> [f64; 3] {
        let m = w.len();
        self.shuffle(r, m, &mut s.bits, &mut s.pos);
        s.strata.clear();
        s.strata.resize(m, 0);
        for (stratum, &j) in s.pos.iter().enumerate() {
            s.strata[j as usize] = stratum as u16;
        }
        strata_moments(&s.strata, w)
    }
}

/// Σu, Σu² and Σu·w over a replicate of m scenarios whose stratum at each position is
/// `strata[j]`, with u the stratum's midpoint (s + ½)/m and `w` one weight per position: a
/// variable's moments with a score column for the rank pass. The midpoint stands for the
/// variable's uniform: the two differ by less than half a stratum (1/(2m)), independently of
/// everything else, so a correlation computed from either agrees to about 1e-5 at 100,000
/// scenarios. Σu = m/2 and Σu² = (4m² − 1)/(12m) exactly; Σu·w is summed in eight lanes.
pub fn strata_moments(strata: &[u16], w: &[f64]) -> [f64; 3] {
    assert_eq!(strata.len(), w.len(), "one stratum per position");
    let mf = w.len() as f64;
    let suw = sum_zipped(strata, w, |s, x| (f64::from(s) + 0.5) * x);
    [0.5 * mf, (4.0 * mf * mf - 1.0) / (12.0 * mf), suw / mf]
}

/// The jitter in (0, 1) from the low half of a draw.
#[inline(always)]
fn unit(x: u64) -> f64 {
    (f64::from(x as u32) + 0.5) * (1.0 / 4_294_967_296.0)
}

/// Scratch space for [`Stream`].
#[derive(Debug, Default)]
pub struct StreamScratch {
    pos: Vec<u32>,
    bits: Vec<u64>,
    strata: Vec<u16>,
    /// A replicate's uniforms and values in stratum order.
    u: Vec<f64>,
    values: Vec<f64>,
}

impl StreamScratch {
    /// Moves the values of the last [`Stream::increasing`] to their strata's positions in
    /// `out`; with `strata` (as long as `out`), also writes each position's stratum there, for
    /// the rank pass to read in place of drawing the replicate again.
    #[inline(always)]
    pub fn scatter(&self, out: &mut [f64], strata: Option<&mut [u16]>) {
        assert_eq!(out.len(), self.values.len(), "one value per position");
        match strata {
            Some(strata) => {
                assert_eq!(strata.len(), out.len(), "one stratum per position");
                for (stratum, (&j, &v)) in self.pos.iter().zip(&self.values).enumerate() {
                    out[j as usize] = v;
                    strata[j as usize] = stratum as u16;
                }
            }
            None => {
                for (&j, &v) in self.pos.iter().zip(&self.values) {
                    out[j as usize] = v;
                }
            }
        }
    }
}

/// An unbiased integer in 0..bound from the high half of `x` (Lemire's method with rejection;
/// the rare retries draw from a second counter stream).
#[inline]
fn bounded(x: u64, bound: u32, retry_key: u64) -> u32 {
    let mut m = (x >> 32) * u64::from(bound);
    let mut low = m as u32;
    if low < bound {
        let threshold = bound.wrapping_neg() % bound;
        let mut attempt = 0u64;
        while low < threshold {
            attempt += 1;
            let y = mix64(retry_key ^ mix64(attempt.wrapping_mul(GOLDEN)));
            m = (y >> 32) * u64::from(bound);
            low = m as u32;
        }
    }
    (m >> 32) as u32
}

/// A copula applied to a subset of variables (by index into a set of columns).
#[derive(Debug, Clone)]
pub struct CopulaSlots {
    /// The copula.
    pub copula: Copula,
    /// For each copula variable, its column index.
    pub slots: Vec<usize>,
}

impl CopulaSlots {
    /// Replaces the independent uniform columns of the copula's variables with correlated ones.
    /// `z` is scratch.
    #[inline(always)]
    pub fn apply_columns(&self, cols: &mut [Vec<f64>], z: &mut Vec<Vec<f64>>) {
        let k = self.slots.len();
        let m = cols.first().map_or(0, Vec::len);
        z.resize_with(k, Vec::new);
        for (i, &s) in self.slots.iter().enumerate() {
            z[i].clear();
            z[i].extend(cols[s].iter().map(|&u| norm_ppf(u)));
        }
        let l = &self.copula.factor;
        let mut acc = vec![0.0; m];
        // The first variable's row of the Cholesky factor is (1, 0, …): its correlated normal is
        // its own, so its uniform is kept as drawn (and so are its Latin hypercube strata).
        debug_assert!(l[0] == 1.0);
        for i in 1..k {
            acc.iter_mut().for_each(|a| *a = 0.0);
            for (jj, zj) in z.iter().enumerate().take(i + 1) {
                let c = l[i * k + jj];
                for (a, &zv) in acc.iter_mut().zip(zj) {
                    *a += c * zv;
                }
            }
            // Keep strictly inside (0, 1) so that unbounded quantiles stay finite.
            for (out, &a) in cols[self.slots[i]].iter_mut().zip(&acc) {
                *out = norm_cdf(a).clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON / 2.0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_covers_every_scenario_once() {
        for n in [1000u64, 1001, 31_999, 100_000, 1_000_000, 10_000_000] {
            let l = Layout::new(n);
            assert!(l.replicates >= 32);
            assert_eq!(l.start(0), 0);
            assert_eq!(l.start(l.replicates), n);
            for r in 0..l.replicates {
                let len = l.range(r).len() as u64;
                assert!(len > 0 && len <= REPLICATE_SIZE.max(n / 32 + 1));
            }
        }
    }

    #[test]
    fn each_replicate_is_stratified() {
        let s = Stream::new(7, stream_key("", "x"));
        let mut perm = StreamScratch::default();
        for m in [1usize, 2, 31, 1024, 1000] {
            for r in 0..5 {
                let mut u = vec![0.0; m];
                s.fill(r, &mut u, &mut perm);
                let mut hit = vec![0; m];
                for &x in &u {
                    assert!(x > 0.0 && x < 1.0);
                    hit[(x * m as f64) as usize] += 1;
                }
                assert!(hit.iter().all(|&c| c == 1), "m={m} r={r}: not one per stratum");
            }
        }
    }

    #[test]
    fn streams_are_independent_and_uniform() {
        // Positions are uniform over strata (mean stratum of position 0 across replicates),
        // and two variables' columns are uncorrelated.
        let (s1, s2) = (Stream::new(1, stream_key("", "a")), Stream::new(1, stream_key("", "b")));
        let mut perm = StreamScratch::default();
        let (m, reps) = (100, 4000);
        let (mut first, mut c, mut count) = (0.0, 0.0, 0.0);
        let (mut a, mut b) = (vec![0.0; m], vec![0.0; m]);
        for r in 0..reps {
            s1.fill(r, &mut a, &mut perm);
            s2.fill(r, &mut b, &mut perm);
            first += a[0];
            for (x, y) in a.iter().zip(&b) {
                c += (x - 0.5) * (y - 0.5);
                count += 1.0;
            }
        }
        assert!((first / reps as f64 - 0.5).abs() < 4.0 * (1.0 / 12.0 / reps as f64).sqrt());
        assert!((c / count * 12.0).abs() < 4.0 / count.sqrt());
    }

    #[test]
    fn mapped_fill_matches_plain_fill() {
        let s = Stream::new(3, stream_key("", "y"));
        let mut scratch = StreamScratch::default();
        let (mut a, mut b) = (vec![0.0; 777], vec![0.0; 777]);
        s.fill(5, &mut a, &mut scratch);
        let (u, values) = s.increasing(5, b.len(), &mut scratch);
        assert!(u.windows(2).all(|w| w[0] < w[1]), "uniforms in increasing order");
        values.iter_mut().zip(u).for_each(|(v, &u)| *v = u * 2.0);
        scratch.scatter(&mut b, None);
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x * 2.0, *y);
        }
    }

    #[test]
    fn two_variables_strata_are_uncorrelated_in_every_replicate() {
        // Within a replicate, the strata of two variables at the same positions should look like
        // two independent permutations: their correlation r has variance 1/(m − 1) and no
        // replicate is far out. (A weak permutation family fails this with heavy tails, which
        // shows as standard errors that overstate the spread between seeds.)
        let (a, b) = (Stream::new(5, stream_key("", "a")), Stream::new(5, stream_key("", "b")));
        let (mut pa, mut pb, mut jitter) = (Vec::new(), Vec::new(), Vec::new());
        // The stratum at each position: the inverse of the positions of the strata.
        let invert = |pos: &[u32]| {
            let mut stratum = vec![0u32; pos.len()];
            for (s, &j) in pos.iter().enumerate() {
                stratum[j as usize] = s as u32;
            }
            stratum
        };
        for m in [625usize, 1000, 1024, 200] {
            let reps = 400;
            let mean = (m as f64 - 1.0) / 2.0;
            let (mut sum_r2, mut worst) = (0.0, 0.0f64);
            for r in 0..reps {
                a.strata(r, m, &mut pa, &mut jitter);
                b.strata(r, m, &mut pb, &mut jitter);
                let (sa, sb) = (invert(&pa), invert(&pb));
                let (mut sxy, mut sxx) = (0.0, 0.0);
                for (&x, &y) in sa.iter().zip(&sb) {
                    sxy += (f64::from(x) - mean) * (f64::from(y) - mean);
                    sxx += (f64::from(x) - mean).powi(2);
                }
                let rho = sxy / sxx;
                sum_r2 += rho * rho;
                worst = worst.max(rho.abs());
            }
            let ratio = sum_r2 / reps as f64 * (m as f64 - 1.0);
            assert!((0.75..1.3).contains(&ratio), "m={m}: mean r² is {ratio} × 1/(m − 1)");
            assert!(worst < 4.5 / (m as f64).sqrt(), "m={m}: a replicate with r = {worst}");
        }
    }

    #[test]
    fn moments_are_those_of_the_strata_midpoints() {
        let s = Stream::new(11, stream_key("", "z"));
        let mut scratch = StreamScratch::default();
        for m in [1usize, 3, 4, 9, 1023, 1024] {
            let w: Vec<f64> = (0..m).map(|j| (j as f64 * 0.37).sin()).collect();
            let mut u = vec![0.0; m];
            s.fill(2, &mut u, &mut scratch);
            // Each position's midpoint: its uniform's stratum, (⌊u·m⌋ + ½)/m.
            let mid: Vec<f64> = u.iter().map(|&x| ((x * m as f64).floor() + 0.5) / m as f64).collect();
            let [su, suu, suw] = s.moments_with(2, &w, &mut scratch);
            let want = [
                mid.iter().sum::<f64>(),
                mid.iter().map(|x| x * x).sum::<f64>(),
                mid.iter().zip(&w).map(|(x, y)| x * y).sum::<f64>(),
            ];
            for (got, want) in [su, suu, suw].into_iter().zip(want) {
                assert!((got - want).abs() < 1e-9 * (1.0 + want.abs()), "m={m}: {got} vs {want}");
            }
            // A fill that keeps its strata gives the same moments, bit for bit.
            let mut strata = vec![0u16; m];
            let (uniforms, values) = s.increasing(2, u.len(), &mut scratch);
            values.copy_from_slice(uniforms);
            scratch.scatter(&mut u, Some(&mut strata));
            let kept = strata_moments(&strata, &w);
            assert_eq!(kept.map(f64::to_bits), [su, suu, suw].map(f64::to_bits), "m={m}");
        }
    }

    #[test]
    fn bounded_is_in_range() {
        for i in 0..10_000u64 {
            let x = mix64(i);
            for b in [1u32, 2, 3, 7, 1000, u32::MAX] {
                assert!(bounded(x, b, i) < b);
            }
        }
    }
}
