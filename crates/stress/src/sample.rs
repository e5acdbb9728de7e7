//! Sampling: Latin hypercube replicates over counter-based random streams.
//!
//! The n scenarios are split into R independent replicates (contiguous index blocks of about
//! [`REPLICATE_SIZE`] scenarios, and at least [`MIN_REPLICATES`] of them). Within replicate r of
//! size m, variable v's uniform for local index j is
//!
//! ```text
//!     u = (π_{r,v}(j) + ε_{r,v}(π_{r,v}(j))) / m
//! ```
//!
//! where π_{r,v} is a random permutation of the strata 0..m (a keyed four-round Feistel
//! bijection restricted to 0..m, then a uniform rotation: see [`Stream::strata`]) and ε a jitter
//! in (0, 1) per stratum. Every key comes from one counter-based stream per (seed, variable,
//! replicate), so every draw depends only on (seed, variable, replicate, index): results do not
//! depend on the number of threads or the order of
//! work. Each replicate is a Latin hypercube sample; the replicates are independent, so the spread
//! of their estimates gives honest standard errors. See `docs/decisions/0002-sampling.md`.

use crate::correlate::Copula;
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

    /// Replicate r's keys: the permutation's round keys, the rotation and the jitter key.
    #[inline]
    fn replicate_keys(&self, r: usize, m: usize) -> ([u32; 4], u32, u64) {
        let base = mix64(self.key ^ mix64((r as u64).wrapping_mul(GOLDEN) ^ 0xd1b5_4a32_d192_ed03));
        let (k1, k2) = (mix64(base ^ 0x2545_f491_4f6c_dd1d), mix64(base ^ 0x9e6c_63d0_676a_9a99));
        let keys = [k1 as u32, (k1 >> 32) as u32, k2 as u32, (k2 >> 32) as u32];
        let rotation = bounded(
            mix64(base ^ 0x4f1b_bcdc_bfa5_4dc3),
            m as u32,
            base ^ 0x6a09_e667_f3bc_c909,
        );
        (keys, rotation, mix64(base ^ 0x94d0_49bb_1331_11eb))
    }

    /// Replicate r's strata for m scenarios: position j falls in stratum `perm[j]`. The strata
    /// are a keyed bijection of the positions (a hash-based permutation of the next power of
    /// two, restricted to 0..m) followed by a random rotation, which alone makes every
    /// position's stratum exactly uniform. Returns the key of the jitters ([`jitter`]).
    pub fn strata(&self, r: usize, m: usize, perm: &mut Vec<u32>, spare: &mut Vec<u32>) -> u64 {
        let (keys, rotation, jitter_key) = self.replicate_keys(r, m);
        // The smallest power of four at or above m: 4^h.
        let mut half_bits = 0u32;
        while (1usize << (2 * half_bits)) < m {
            half_bits += 1;
        }
        let size = 1u32 << (2 * half_bits);
        // Every i below the power of four through the bijection, in a plain loop that vectorises.
        spare.clear();
        spare.extend((0..size).map(|i| permute(i, half_bits, keys)));
        // The images below m, in order of i, are a permutation of 0..m (branch-free compaction).
        perm.resize(size as usize + 1, 0);
        let mut count = 0usize;
        let m32 = m as u32;
        for &q in spare.iter() {
            perm[count] = q;
            count += usize::from(q < m32);
        }
        perm.truncate(m);
        for p in perm.iter_mut() {
            let s = *p + rotation;
            *p = if s >= m32 { s - m32 } else { s };
        }
        jitter_key
    }

    /// Fills `out` with replicate r's stratified uniforms in (0, 1).
    pub fn fill(&self, r: usize, out: &mut [f64], s: &mut StreamScratch) {
        self.fill_mapped(r, out, s, |u| u);
    }

    /// Fills `out` with the values `f(u)` of replicate r's stratified uniforms, evaluating f in
    /// increasing order of u so that a tabulated quantile function is read sequentially.
    pub fn fill_mapped<F: Fn(f64) -> f64>(&self, r: usize, out: &mut [f64], s: &mut StreamScratch, f: F) {
        let m = out.len();
        let jitter_key = self.strata(r, m, &mut s.perm, &mut s.spare);
        let inv = 1.0 / m as f64;
        s.values.clear();
        s.values
            .extend((0..m as u32).map(|k| f((f64::from(k) + jitter(jitter_key, k)) * inv)));
        for (o, &p) in out.iter_mut().zip(&s.perm) {
            *o = s.values[p as usize];
        }
    }
}

/// Scratch space for [`Stream`].
#[derive(Debug, Default)]
pub struct StreamScratch {
    perm: Vec<u32>,
    spare: Vec<u32>,
    values: Vec<f64>,
}

/// A keyed bijection of 0..2^(2h): a balanced four-round Feistel network on two h-bit halves
/// whose round function is a 32-bit integer hash keyed by that round's key (Luby and Rackoff:
/// four rounds of a pseudorandom function give a pseudorandom permutation). 32-bit operations
/// only, so that a loop over i runs in vector lanes.
#[inline(always)]
pub fn permute(i: u32, half_bits: u32, keys: [u32; 4]) -> u32 {
    let mask = (1u32 << half_bits) - 1;
    let (mut l, mut r) = (i >> half_bits, i & mask);
    for k in keys {
        let t = l ^ (hash32(r ^ k) & mask);
        l = r;
        r = t;
    }
    (l << half_bits) | r
}

/// A 32-bit integer hash (Wellons's "lowbias32": two multiply–xorshift rounds).
#[inline(always)]
fn hash32(mut x: u32) -> u32 {
    x ^= x >> 16;
    x = x.wrapping_mul(0x7feb_352d);
    x ^= x >> 15;
    x = x.wrapping_mul(0x846c_a68b);
    x ^ (x >> 16)
}

/// Stratum k's jitter in (0, 1) under a jitter key: two rounds of a 32-bit hash, each keyed by
/// half of the 64-bit key.
#[inline(always)]
pub fn jitter(key: u64, k: u32) -> f64 {
    let x = hash32(hash32((key as u32) ^ k.wrapping_mul(0x9e37_79b9)) ^ (key >> 32) as u32);
    (f64::from(x) + 0.5) * (1.0 / 4_294_967_296.0)
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
        for i in 0..k {
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
        s.fill_mapped(5, &mut b, &mut scratch, |u| u * 2.0);
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x * 2.0, *y);
        }
    }

    #[test]
    fn permute_is_a_bijection_of_each_power_of_four() {
        for half_bits in 0..=6 {
            let size = 1u32 << (2 * half_bits);
            for keys in [[0u32; 4], [1, 2, 3, 4], [0xdead_beef, u32::MAX, 12345, 7]] {
                let mut seen = vec![false; size as usize];
                for i in 0..size {
                    let q = permute(i, half_bits, keys);
                    assert!(q < size && !seen[q as usize], "half_bits={half_bits} keys={keys:?}");
                    seen[q as usize] = true;
                }
            }
        }
    }

    #[test]
    fn every_position_is_uniform_over_the_strata() {
        // Each position's stratum over many replicates: a chi-square test per position.
        let s = Stream::new(11, stream_key("", "z"));
        let (mut perm, mut spare) = (Vec::new(), Vec::new());
        let (m, reps) = (37usize, 37 * 200);
        let mut counts = vec![vec![0u32; m]; m];
        for r in 0..reps {
            s.strata(r, m, &mut perm, &mut spare);
            for (j, &p) in perm.iter().enumerate() {
                counts[j][p as usize] += 1;
            }
        }
        let expected = reps as f64 / m as f64;
        for (j, row) in counts.iter().enumerate() {
            let chi2: f64 = row.iter().map(|&c| (f64::from(c) - expected).powi(2) / expected).sum();
            // 36 degrees of freedom: P(chi2 > 80) < 1e-4.
            assert!(chi2 < 80.0, "position {j}: chi2 {chi2}");
        }
    }

    #[test]
    fn two_variables_strata_are_uncorrelated_in_every_replicate() {
        // Within a replicate, the strata of two variables at the same positions should look like
        // two independent permutations: their correlation r has variance 1/(m − 1) and no
        // replicate is far out. (A weak permutation family fails this with heavy tails, which
        // shows as standard errors that overstate the spread between seeds.)
        let (a, b) = (Stream::new(5, stream_key("", "a")), Stream::new(5, stream_key("", "b")));
        let (mut pa, mut pb, mut spare) = (Vec::new(), Vec::new(), Vec::new());
        for m in [625usize, 1000, 1024, 200] {
            let reps = 400;
            let mean = (m as f64 - 1.0) / 2.0;
            let (mut sum_r2, mut worst) = (0.0, 0.0f64);
            for r in 0..reps {
                a.strata(r, m, &mut pa, &mut spare);
                b.strata(r, m, &mut pb, &mut spare);
                let (mut sxy, mut sxx) = (0.0, 0.0);
                for (&x, &y) in pa.iter().zip(&pb) {
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
    fn jitters_are_uniform_and_distinct() {
        let mut sum = 0.0;
        let n = 100_000u32;
        let mut seen = std::collections::HashSet::new();
        for k in 0..n {
            let e = jitter(0x1234_5678_9abc_def0, k);
            assert!(e > 0.0 && e < 1.0);
            sum += e;
            seen.insert(e.to_bits());
        }
        assert!((sum / f64::from(n) - 0.5).abs() < 4.0 * (1.0 / 12.0 / f64::from(n)).sqrt());
        assert!(seen.len() as u32 > n - 10);
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
