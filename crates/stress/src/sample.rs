//! Sampling: Latin hypercube replicates over counter-based random streams.
//!
//! The n scenarios are split into R = 32 independent replicates (contiguous index blocks).
//! Within replicate r, variable v's draw for local index j is
//!
//! ```text
//!     u = (π_{r,v}(j) + ε_{v,k}) / n_r
//! ```
//!
//! where π_{r,v} is a keyed pseudo-random permutation of 0..n_r (Kensler's hash permutation
//! with cycle walking) and ε is a uniform jitter in (0, 1) from a counter-based hash of the
//! global index k. Every draw is a pure function of (seed, variable stream, k, n), so results
//! do not depend on the number of threads or the order of work. Each replicate is a Latin
//! hypercube sample; the replicates are independent, so the spread of their estimates gives
//! honest standard errors. See `docs/decisions/0002-sampling.md`.

use crate::correlate::Copula;
use crate::special::{norm_cdf, norm_ppf};

/// Number of independent replicates.
pub const REPLICATES: usize = 32;

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

/// Kensler's keyed permutation of 0..n (from "Correlated Multi-Jittered Sampling", 2013),
/// with cycle walking so that every output lies in 0..n.
#[inline]
pub fn permute(mut i: u32, n: u32, p: u32) -> u32 {
    let mut w = n - 1;
    w |= w >> 1;
    w |= w >> 2;
    w |= w >> 4;
    w |= w >> 8;
    w |= w >> 16;
    loop {
        i ^= p;
        i = i.wrapping_mul(0xe170_893d);
        i ^= p >> 16;
        i ^= (i & w) >> 4;
        i ^= p >> 8;
        i = i.wrapping_mul(0x0929_eb3f);
        i ^= p >> 23;
        i ^= (i & w) >> 1;
        i = i.wrapping_mul(1 | (p >> 27));
        i = i.wrapping_mul(0x6935_fa69);
        i ^= (i & w) >> 11;
        i = i.wrapping_mul(0x74dc_b303);
        i ^= (i & w) >> 2;
        i = i.wrapping_mul(0x9e50_1cc3);
        i ^= (i & w) >> 2;
        i = i.wrapping_mul(0xc860_a3df);
        i &= w;
        i ^= i >> 5;
        if i < n {
            break;
        }
    }
    ((u64::from(i) + u64::from(p)) % u64::from(n)) as u32
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
        Layout {
            n,
            replicates: REPLICATES.min(n as usize).max(1),
        }
    }

    /// Start index of replicate r (r = replicates gives n).
    #[inline]
    pub fn start(&self, r: usize) -> u64 {
        (u128::from(self.n) * r as u128 / self.replicates as u128) as u64
    }

    /// The replicate holding scenario k.
    #[inline]
    pub fn replicate_of(&self, k: u64) -> usize {
        // Start from the proportional guess and correct for rounding.
        let mut r = ((u128::from(k) * self.replicates as u128) / u128::from(self.n)) as usize;
        while r + 1 < self.replicates && self.start(r + 1) <= k {
            r += 1;
        }
        while r > 0 && self.start(r) > k {
            r -= 1;
        }
        r
    }
}

/// Draws stratified uniforms for one variable stream.
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

    /// The uniform in (0, 1) for scenario k, which lies in replicate r = [start, end).
    #[inline]
    pub fn uniform(&self, k: u64, r: usize, start: u64, end: u64) -> f64 {
        let n_r = (end - start) as u32;
        let j = (k - start) as u32;
        let perm_key = mix64(self.key ^ (r as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let s = permute(j, n_r, perm_key as u32);
        let bits = mix64(self.key.wrapping_add(mix64(k ^ 0xd1b5_4a32_d192_ed03)));
        let jitter = ((bits >> 11) as f64 + 0.5) * (1.0 / 9_007_199_254_740_992.0);
        (f64::from(s) + jitter) / f64::from(n_r)
    }
}

/// A copula applied to a subset of a model's variables (by index).
#[derive(Debug, Clone)]
pub struct CopulaSlots {
    /// The copula.
    pub copula: Copula,
    /// For each copula variable, its index among the model's variables.
    pub slots: Vec<usize>,
}

impl CopulaSlots {
    /// Replaces the independent uniforms of the copula's variables with correlated ones.
    #[inline]
    pub fn apply(&self, u: &mut [f64], z: &mut Vec<f64>) {
        let k = self.slots.len();
        z.clear();
        z.extend(self.slots.iter().map(|&s| norm_ppf(u[s])));
        let l = &self.copula.factor;
        for i in 0..k {
            let mut acc = 0.0;
            for (j, zj) in z.iter().enumerate().take(i + 1) {
                acc += l[i * k + j] * zj;
            }
            // Keep strictly inside (0, 1) so that unbounded quantiles stay finite.
            u[self.slots[i]] = norm_cdf(acc).clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON / 2.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permute_is_a_permutation() {
        for n in [1u32, 2, 3, 31, 32, 33, 1000, 3125] {
            for key in [0u32, 1, 0xdead_beef, 12345] {
                let mut seen = vec![false; n as usize];
                for i in 0..n {
                    let p = permute(i, n, key);
                    assert!(p < n);
                    assert!(!seen[p as usize], "n={n} key={key}: {p} twice");
                    seen[p as usize] = true;
                }
            }
        }
    }

    #[test]
    fn each_replicate_is_stratified() {
        let layout = Layout::new(10_000);
        let s = Stream::new(7, stream_key("", "x"));
        for r in 0..layout.replicates {
            let (a, b) = (layout.start(r), layout.start(r + 1));
            let n_r = (b - a) as usize;
            let mut hit = vec![0; n_r];
            for k in a..b {
                assert_eq!(layout.replicate_of(k), r);
                let u = s.uniform(k, r, a, b);
                assert!(u > 0.0 && u < 1.0);
                hit[(u * n_r as f64) as usize] += 1;
            }
            assert!(hit.iter().all(|&c| c == 1), "replicate {r} is not one per stratum");
        }
    }

    #[test]
    fn streams_are_independent_and_uniform() {
        // Mean 1/2, variance 1/12, and near-zero correlation between two streams.
        let layout = Layout::new(100_000);
        let (s1, s2) = (Stream::new(1, stream_key("", "a")), Stream::new(1, stream_key("", "b")));
        let (mut m1, mut m2, mut c) = (0.0, 0.0, 0.0);
        for k in 0..layout.n {
            let r = layout.replicate_of(k);
            let (a, b) = (layout.start(r), layout.start(r + 1));
            let (x, y) = (s1.uniform(k, r, a, b), s2.uniform(k, r, a, b));
            m1 += x;
            m2 += y;
            c += (x - 0.5) * (y - 0.5);
        }
        let n = layout.n as f64;
        assert!((m1 / n - 0.5).abs() < 1e-4);
        assert!((m2 / n - 0.5).abs() < 1e-4);
        // sd of the sample correlation is 1/sqrt(n) ≈ 0.003
        assert!((c / n * 12.0).abs() < 0.015);
    }
}
