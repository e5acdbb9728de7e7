//! The distributions of spec section 2: exact quantiles (for medians, P10, P90 and checks) and
//! fast draws (for sampling).
//!
//! Every distribution is drawn by its quantile function, so that stratified sampling and the
//! Gaussian copula both apply. Uniform, triangular, normal and lognormal draws use the exact
//! closed form (normal by Wichura's AS 241, relative error about 1e-16). Beta-PERT draws use a
//! table of the exact quantile with cubic Hermite interpolation (exact derivatives at the nodes);
//! each table is checked against the exact quantile when it is built and its worst error is
//! below [`TABLE_TOLERANCE`] (1e-8) of the range (the spec allows 1e-6). See
//! `docs/decisions/0002-sampling.md`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use crate::special::{POW_UNIT_MIN, beta_pdf, inv_inc_beta, inv_inc_beta_from, ln_beta, norm_ppf, pow_unit};

/// An uncertain (or fixed) value's distribution.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Dist {
    /// Always this value.
    Fixed(f64),
    /// Uniform on [min, max].
    Uniform { min: f64, max: f64 },
    /// Triangular with the given mode.
    Triangular { min: f64, mode: f64, max: f64 },
    /// Beta-PERT with λ = 4.
    Pert { min: f64, mode: f64, max: f64 },
    /// Normal, not truncated.
    Normal { mean: f64, sd: f64 },
    /// exp(Normal(mu, sigma)).
    LogNormal { mu: f64, sigma: f64 },
}

impl Dist {
    /// True when the value is fixed (no uncertainty).
    pub fn is_fixed(&self) -> bool {
        matches!(self, Dist::Fixed(_))
    }

    /// Shape parameters (α, β) of a PERT distribution's beta.
    pub fn pert_shape(min: f64, mode: f64, max: f64) -> (f64, f64) {
        let range = max - min;
        (1.0 + 4.0 * (mode - min) / range, 1.0 + 4.0 * (max - mode) / range)
    }

    /// The exact quantile function at p in [0, 1].
    pub fn quantile(&self, p: f64) -> f64 {
        match *self {
            Dist::Fixed(v) => v,
            Dist::Uniform { min, max } => min + (max - min) * p,
            Dist::Triangular { min, mode, max } => triangular_quantile(min, mode, max, p),
            Dist::Pert { min, mode, max } => {
                let (a, b) = Dist::pert_shape(min, mode, max);
                min + (max - min) * beta_quantile(a, b, p)
            }
            Dist::Normal { mean, sd } => mean + sd * norm_ppf(p),
            Dist::LogNormal { mu, sigma } => (mu + sigma * norm_ppf(p)).exp(),
        }
    }

    /// The median (0.5 quantile).
    pub fn median(&self) -> f64 {
        self.quantile(0.5)
    }

    /// The smallest value the distribution can take (−∞ for the normal).
    pub fn support_min(&self) -> f64 {
        match *self {
            Dist::Fixed(v) => v,
            Dist::Uniform { min, .. } | Dist::Triangular { min, .. } | Dist::Pert { min, .. } => min,
            Dist::Normal { .. } => f64::NEG_INFINITY,
            Dist::LogNormal { .. } => 0.0,
        }
    }

    /// The mean of the distribution.
    pub fn mean(&self) -> f64 {
        match *self {
            Dist::Fixed(v) => v,
            Dist::Uniform { min, max } => 0.5 * (min + max),
            Dist::Triangular { min, mode, max } => (min + mode + max) / 3.0,
            Dist::Pert { min, mode, max } => (min + 4.0 * mode + max) / 6.0,
            Dist::Normal { mean, .. } => mean,
            Dist::LogNormal { mu, sigma } => (mu + 0.5 * sigma * sigma).exp(),
        }
    }

    /// A short description for tables and messages.
    pub fn describe(&self) -> String {
        match *self {
            Dist::Fixed(v) => format!("{v}"),
            Dist::Uniform { min, max } => format!("uniform({min}, {max})"),
            Dist::Triangular { min, mode, max } => format!("triangular({min}, {mode}, {max})"),
            Dist::Pert { min, mode, max } => format!("pert({min}, {mode}, {max})"),
            Dist::Normal { mean, sd } => format!("normal({mean}, {sd})"),
            Dist::LogNormal { mu, sigma } => format!("lognormal({mu}, {sigma})"),
        }
    }
}

fn triangular_quantile(min: f64, mode: f64, max: f64, p: f64) -> f64 {
    TriangularQuantile::new(min, mode, max).at(p)
}

/// The triangular quantile with its constants worked out once, shared by exact quantiles and
/// column draws so that both give identical values.
#[derive(Debug, Clone, Copy)]
pub struct TriangularQuantile {
    min: f64,
    max: f64,
    /// F(mode).
    fc: f64,
    /// (max − min)(mode − min) and (max − min)(max − mode).
    kl: f64,
    kh: f64,
}

impl TriangularQuantile {
    /// For triangular(min, mode, max), min < max.
    pub fn new(min: f64, mode: f64, max: f64) -> Self {
        let range = max - min;
        TriangularQuantile {
            min,
            max,
            fc: (mode - min) / range,
            kl: range * (mode - min),
            kh: range * (max - mode),
        }
    }

    /// `x[k]` = the quantile at `p[k]`, for p in increasing order: [`Self::at`] bit for bit,
    /// each side of the mode in a loop of its own.
    #[inline(always)]
    pub fn at_increasing(&self, p: &[f64], x: &mut [f64]) {
        let split = p.partition_point(|&p| p < self.fc);
        let (low, high) = x.split_at_mut(split);
        for (x, &p) in low.iter_mut().zip(&p[..split]) {
            *x = self.min + (p * self.kl).sqrt();
        }
        for (x, &p) in high.iter_mut().zip(&p[split..]) {
            *x = self.max - ((1.0 - p) * self.kh).sqrt();
        }
    }

    /// The quantile at p.
    #[inline(always)]
    pub fn at(&self, p: f64) -> f64 {
        if p < self.fc {
            self.min + (p * self.kl).sqrt()
        } else {
            self.max - ((1.0 - p) * self.kh).sqrt()
        }
    }
}

/// A fast drawing form of a [`Dist`]: maps a uniform u in (0, 1) to a value.
#[derive(Debug, Clone)]
pub enum Sampler {
    /// Exact closed form.
    Exact(Dist),
    /// PERT by its checked quantile table: min + range · table(u).
    Pert {
        min: f64,
        range: f64,
        table: Arc<BetaTable>,
    },
}

impl Sampler {
    /// Builds the drawing form of `dist` (PERT tables are cached by shape).
    pub fn new(dist: Dist) -> Self {
        match dist {
            Dist::Pert { min, mode, max } => {
                let (a, b) = Dist::pert_shape(min, mode, max);
                Sampler::Pert {
                    min,
                    range: max - min,
                    table: BetaTable::cached(a, b),
                }
            }
            d => Sampler::Exact(d),
        }
    }

    /// Draws a whole column: `x[j]` = the value at `u[j]`.
    #[inline(always)]
    pub fn draw_into(&self, u: &[f64], x: &mut [f64]) {
        match self {
            Sampler::Exact(Dist::Fixed(v)) => x.iter_mut().for_each(|o| *o = *v),
            Sampler::Exact(Dist::Uniform { min, max }) => {
                let r = max - min;
                x.iter_mut().zip(u).for_each(|(o, &p)| *o = min + r * p);
            }
            Sampler::Exact(Dist::Triangular { min, mode, max }) => {
                let q = TriangularQuantile::new(*min, *mode, *max);
                x.iter_mut().zip(u).for_each(|(o, &p)| *o = q.at(p));
            }
            Sampler::Exact(d) => x.iter_mut().zip(u).for_each(|(o, &p)| *o = d.quantile(p)),
            Sampler::Pert { min, range, table } => {
                x.iter_mut()
                    .zip(u)
                    .for_each(|(o, &p)| *o = min + range * table.quantile(p));
            }
        }
    }

    /// As [`Self::draw_into`] for uniforms in increasing order (a replicate's strata in order):
    /// the same values bit for bit, with each side of the triangular mode and the PERT tails'
    /// coordinates in loops that the compiler vectorises, and the PERT interior in a loop
    /// without branches that reads its table in order.
    #[inline(always)]
    pub fn draw_increasing(&self, u: &[f64], x: &mut [f64]) {
        match self {
            Sampler::Exact(Dist::Triangular { min, mode, max }) => {
                TriangularQuantile::new(*min, *mode, *max).at_increasing(u, x)
            }
            Sampler::Pert { min, range, table } => table.quantiles_increasing(*min, *range, u, x),
            _ => self.draw_into(u, x),
        }
    }

    /// The value at uniform u in (0, 1).
    #[inline]
    pub fn draw(&self, u: f64) -> f64 {
        match self {
            Sampler::Exact(d) => d.quantile(u),
            Sampler::Pert { min, range, table } => min + range * table.quantile(u),
        }
    }
}

/// The exact quantile of Beta(a, b) at p, remembered per process: the median plan, the tornado
/// and the checks ask for the same few quantiles (P10, P50, P90) of the same shapes again and
/// again (every initiative whose delivery is a confidence word shares one of three shapes), and
/// each costs a Newton solve of the incomplete beta function. The cache is emptied when it
/// reaches 65,536 entries, so a long-running server's does not grow without bound.
fn beta_quantile(a: f64, b: f64, p: f64) -> f64 {
    type Cache = Mutex<HashMap<(u64, u64, u64), f64>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let key = (a.to_bits(), b.to_bits(), p.to_bits());
    if let Some(&x) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return x;
    }
    let x = inv_inc_beta(a, b, p);
    let mut c = cache.lock().unwrap_or_else(|e| e.into_inner());
    if c.len() >= 65_536 {
        c.clear();
    }
    c.insert(key, x);
    x
}

/// The largest error a PERT table may have, as a share of the range: a hundredth of what the
/// spec allows draws (1e-6). Tables are refined until they meet it.
pub const TABLE_TOLERANCE: f64 = 1e-8;

/// Interior of the table: u in [TAIL, 1 − TAIL] on a uniform grid.
const TAIL: f64 = 1.0 / 64.0;

/// A tabulated quantile function of Beta(a, b), a, b ≥ 1.
///
/// Three pieces, each a cubic Hermite interpolant on a uniform grid with the exact quantile
/// and its exact derivative at every node: the interior in u, and each tail in the coordinate
/// w = u^(1/a) (lower) or w = (1 − u)^(1/b) (upper), in which the quantile is smooth even where
/// its derivative in u is infinite.
#[derive(Debug)]
pub struct BetaTable {
    a: f64,
    b: f64,
    inv_a: f64,
    inv_b: f64,
    interior: Vec<[f64; 2]>,
    lower: Vec<[f64; 2]>,
    h_lower: f64,
    upper: Vec<[f64; 2]>,
    h_upper: f64,
    /// The interior as cubic polynomials in s ∈ [0, 1] per cell (Horner form), for fast draws.
    cells: Vec<[f64; 4]>,
    inv_h_int: f64,
    /// The largest error found when checking the table against the exact quantile.
    pub max_error: f64,
}

impl BetaTable {
    /// The table for (a, b), built once per process and shape: threads that ask for the same
    /// shape at once wait for one build instead of each building it.
    pub fn cached(a: f64, b: f64) -> Arc<BetaTable> {
        type Cache = Mutex<HashMap<(u64, u64), Arc<OnceLock<Arc<BetaTable>>>>>;
        static CACHE: OnceLock<Cache> = OnceLock::new();
        let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
        let cell = Arc::clone(
            cache
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .entry((a.to_bits(), b.to_bits()))
                .or_default(),
        );
        Arc::clone(cell.get_or_init(|| Arc::new(BetaTable::build(a, b))))
    }

    /// Builds and checks the table; doubles the grids until the worst error is below
    /// [`TABLE_TOLERANCE`].
    pub fn build(a: f64, b: f64) -> BetaTable {
        let mut n_int = 1024;
        let mut n_tail = 64;
        loop {
            let t = BetaTable::build_with(a, b, n_int, n_tail);
            if t.max_error < TABLE_TOLERANCE || n_int >= 16384 {
                return t;
            }
            n_int *= 2;
            n_tail *= 2;
        }
    }

    fn build_with(a: f64, b: f64, n_int: usize, n_tail: usize) -> BetaTable {
        let ln_b = ln_beta(a, b);
        let dens = |x: f64| beta_pdf(a, b, x);
        // Interior nodes.
        let h_int = (1.0 - 2.0 * TAIL) / n_int as f64;
        let mut interior = Vec::with_capacity(n_int + 1);
        let mut guess = None;
        for i in 0..=n_int {
            let u = TAIL + h_int * i as f64;
            let x = inv_inc_beta_from(a, b, u, guess);
            guess = Some(x);
            interior.push([x, 1.0 / dens(x)]);
        }
        // Lower tail in w = u^(1/a), w in [0, TAIL^(1/a)].
        let w_max = TAIL.powf(1.0 / a);
        let h_lower = w_max / n_tail as f64;
        let mut lower = Vec::with_capacity(n_tail + 1);
        lower.push([0.0, ((a.ln() + ln_b) / a).exp()]);
        for i in 1..=n_tail {
            let w = h_lower * i as f64;
            let u = w.powf(a);
            let x = inv_inc_beta(a, b, u);
            lower.push([x, a * w.powf(a - 1.0) / dens(x)]);
        }
        // Upper tail in w = (1 − u)^(1/b), tabulating y = 1 − x.
        let w_max = TAIL.powf(1.0 / b);
        let h_upper = w_max / n_tail as f64;
        let mut upper = Vec::with_capacity(n_tail + 1);
        upper.push([0.0, ((b.ln() + ln_b) / b).exp()]);
        for i in 1..=n_tail {
            let w = h_upper * i as f64;
            let v = w.powf(b);
            let x = inv_inc_beta(b, a, v); // 1 − x for Beta(a, b) is Beta(b, a)
            upper.push([x, b * w.powf(b - 1.0) / dens(1.0 - x)]);
        }
        let cells = interior
            .windows(2)
            .map(|w| {
                // Hermite basis on s ∈ [0, 1] with slopes scaled by the cell width.
                let ([y0, d0], [y1, d1]) = (w[0], w[1]);
                let (m0, m1) = (d0 * h_int, d1 * h_int);
                [y0, m0, 3.0 * (y1 - y0) - 2.0 * m0 - m1, 2.0 * (y0 - y1) + m0 + m1]
            })
            .collect();
        let mut t = BetaTable {
            a,
            b,
            inv_a: 1.0 / a,
            inv_b: 1.0 / b,
            interior,
            lower,
            h_lower,
            upper,
            h_upper,
            cells,
            inv_h_int: 1.0 / h_int,
            max_error: 0.0,
        };
        // Check at the midpoint of every cell, where the cubic Hermite error (∝ s²(1 − s)²) peaks.
        let mut worst = 0.0_f64;
        for i in 0..n_int {
            let u = TAIL + h_int * (i as f64 + 0.5);
            let exact = inv_inc_beta_from(a, b, u, Some(t.interior[i][0]));
            worst = worst.max((t.quantile(u) - exact).abs());
        }
        for i in 0..n_tail {
            let w = t.h_lower * (i as f64 + 0.5);
            let u = w.powf(a);
            let exact = inv_inc_beta_from(a, b, u, Some(t.lower[i + 1][0]));
            worst = worst.max((t.quantile(u) - exact).abs());
            let w = t.h_upper * (i as f64 + 0.5);
            let v = w.powf(b);
            // Compare in the upper tail's own coordinate: 1 − x is Beta(b, a) at v.
            let exact = inv_inc_beta_from(b, a, v, Some(t.upper[i + 1][0]));
            let y = hermite(&t.upper, t.h_upper, w);
            worst = worst.max((y - exact).abs());
        }
        t.max_error = worst;
        t
    }

    /// The tabulated quantile of Beta(a, b) at u in [0, 1].
    #[inline(always)]
    pub fn quantile(&self, u: f64) -> f64 {
        if (TAIL..=1.0 - TAIL).contains(&u) {
            let t = (u - TAIL) * self.inv_h_int;
            // t is in [0, cells] here: a 32-bit conversion is exact and cheaper.
            let i = (t as i32 as usize).min(self.cells.len() - 1);
            let s = t - i as f64;
            let [c0, c1, c2, c3] = self.cells[i];
            c0 + s * (c1 + s * (c2 + s * c3))
        } else {
            self.tail(u)
        }
    }

    /// `x[k]` = `min + range · self.quantile(u[k])` for u in increasing order, bit for bit: the
    /// tails are the first and last few, each worked out in two loops (coordinates, which
    /// vectorise, then the table), and the interior in one loop without branches.
    #[inline(always)]
    pub fn quantiles_increasing(&self, min: f64, range: f64, u: &[f64], x: &mut [f64]) {
        let lo = u.partition_point(|&u| u < TAIL);
        let hi = u.partition_point(|&u| u <= 1.0 - TAIL).max(lo);
        // Each tail: its coordinates w first, in a loop of their own that vectorises (the
        // uniforms below pow_unit's range, which no draw reaches, through `tail`), then the
        // table. The same arithmetic as `tail`, so the same values bit for bit.
        let tiny = u[..lo].partition_point(|&u| u < POW_UNIT_MIN);
        let not_tiny = u[hi..].partition_point(|&u| 1.0 - u >= POW_UNIT_MIN) + hi;
        let (head, rest) = x.split_at_mut(lo);
        let (interior, upper) = rest.split_at_mut(hi - lo);
        let (upper, upper_tiny) = upper.split_at_mut(not_tiny - hi);
        let (head_tiny, head) = head.split_at_mut(tiny);
        for (x, &u) in head_tiny
            .iter_mut()
            .zip(&u[..tiny])
            .chain(upper_tiny.iter_mut().zip(&u[not_tiny..]))
        {
            *x = min + range * self.tail(u);
        }
        if self.a == 1.0 {
            head.copy_from_slice(&u[tiny..lo]);
        } else {
            head.iter_mut()
                .zip(&u[tiny..lo])
                .for_each(|(w, &u)| *w = pow_unit(u, self.inv_a));
        }
        for x in head.iter_mut() {
            *x = min + range * hermite(&self.lower, self.h_lower, *x);
        }
        if self.b == 1.0 {
            upper.iter_mut().zip(&u[hi..not_tiny]).for_each(|(w, &u)| *w = 1.0 - u);
        } else {
            upper
                .iter_mut()
                .zip(&u[hi..not_tiny])
                .for_each(|(w, &u)| *w = pow_unit(1.0 - u, self.inv_b));
        }
        for x in upper.iter_mut() {
            *x = min + range * (1.0 - hermite(&self.upper, self.h_upper, *x));
        }
        let last = self.cells.len() - 1;
        for (x, &u) in interior.iter_mut().zip(&u[lo..hi]) {
            let t = (u - TAIL) * self.inv_h_int;
            let i = (t as i32 as usize).min(last);
            let s = t - i as f64;
            let [c0, c1, c2, c3] = self.cells[i];
            *x = min + range * (c0 + s * (c1 + s * (c2 + s * c3)));
        }
    }

    /// A tail's draw through its coordinate w = u^(1/a) ([`tail_coordinate`]; the table is
    /// checked through this same path when it is built).
    #[cold]
    #[inline(never)]
    fn tail(&self, u: f64) -> f64 {
        if u < TAIL {
            hermite(&self.lower, self.h_lower, tail_coordinate(u, self.a, self.inv_a))
        } else {
            let v = 1.0 - u;
            1.0 - hermite(&self.upper, self.h_upper, tail_coordinate(v, self.b, self.inv_b))
        }
    }
}

/// A tail's coordinate w = x^(1/a) (x = u in the lower tail, 1 − u in the upper), a ≥ 1:
/// [`pow_unit`], or through the C library's `log` and `exp` below its range (never for a draw,
/// whose uniforms are at least 2^-43).
#[inline(always)]
fn tail_coordinate(x: f64, a: f64, inv_a: f64) -> f64 {
    if a == 1.0 {
        x
    } else if x >= POW_UNIT_MIN {
        pow_unit(x, inv_a)
    } else {
        (x.ln() * inv_a).exp()
    }
}

#[inline]
fn hermite(nodes: &[[f64; 2]], h: f64, x: f64) -> f64 {
    let t = x / h;
    let last = nodes.len() - 2;
    let i = (t as usize).min(last);
    let s = (t - i as f64).clamp(0.0, 1.0);
    let [y0, d0] = nodes[i];
    let [y1, d1] = nodes[i + 1];
    let s2 = s * s;
    let s3 = s2 * s;
    let h00 = 2.0 * s3 - 3.0 * s2 + 1.0;
    let h10 = s3 - 2.0 * s2 + s;
    let h01 = -2.0 * s3 + 3.0 * s2;
    let h11 = s3 - s2;
    h00 * y0 + h10 * h * d0 + h01 * y1 + h11 * h * d1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(a: f64, b: f64) -> f64 {
        (a - b).abs() / b.abs().max(1e-300)
    }

    #[test]
    fn uniform_and_triangular_quantiles() {
        let u = Dist::Uniform { min: 2.0, max: 6.0 };
        assert_eq!(u.quantile(0.25), 3.0);
        let t = Dist::Triangular {
            min: 0.0,
            mode: 3.0,
            max: 12.0,
        };
        // F(mode) = 0.25; P10 = sqrt(0.1 * 12 * 3); P90 = 12 - sqrt(0.1 * 12 * 9)
        assert!(rel(t.quantile(0.25), 3.0) < 1e-15);
        assert!(rel(t.quantile(0.1), (3.6f64).sqrt()) < 1e-15);
        assert!(rel(t.quantile(0.9), 12.0 - (10.8f64).sqrt()) < 1e-15);
        // Mode at an end.
        let t = Dist::Triangular {
            min: 1.0,
            mode: 1.0,
            max: 2.0,
        };
        assert!(rel(t.quantile(0.75), 2.0 - 0.5) < 1e-15);
    }

    #[test]
    fn normal_and_lognormal_quantiles() {
        let n = Dist::Normal { mean: 35.0, sd: 6.0 };
        assert!(rel(n.quantile(0.9), 35.0 + 6.0 * 1.281_551_565_544_600_5) < 1e-14);
        assert_eq!(n.median(), 35.0);
        let l = Dist::LogNormal { mu: 1.0, sigma: 0.6 };
        assert!(rel(l.median(), 1f64.exp()) < 1e-15);
        assert!(rel(l.quantile(0.1), (1.0 - 0.6 * 1.281_551_565_544_600_5f64).exp()) < 1e-14);
    }

    #[test]
    fn pert_quantiles_match_reference_values() {
        // Reference: scipy.stats.beta(a, b).ppf at 30 significant figures via mpmath.
        // PERT(0.4, 0.7, 0.95): a = 1 + 4*0.3/0.55, b = 1 + 4*0.25/0.55.
        let d = Dist::Pert {
            min: 0.4,
            mode: 0.7,
            max: 0.95,
        };
        let (a, b) = Dist::pert_shape(0.4, 0.7, 0.95);
        for p in [0.1, 0.5, 0.9] {
            let x = (d.quantile(p) - 0.4) / 0.55;
            assert!((crate::special::inc_beta(a, b, x) - p).abs() < 1e-13);
        }
        // Symmetric PERT: the median is the mode.
        let s = Dist::Pert {
            min: 0.0,
            mode: 5.0,
            max: 10.0,
        };
        assert!(rel(s.median(), 5.0) < 1e-12);
        // Mode at min: Beta(1, 5), quantile 1 - (1-p)^(1/5).
        let m = Dist::Pert {
            min: 0.0,
            mode: 0.0,
            max: 1.0,
        };
        for p in [0.1, 0.5, 0.9] {
            assert!(rel(m.quantile(p), 1.0 - (1.0 - p).powf(0.2)) < 1e-12);
        }
    }

    #[test]
    fn pert_tables_are_accurate_everywhere() {
        for (min, mode, max) in [
            (0.7, 0.9, 1.0),
            (0.4, 0.7, 0.95),
            (0.1, 0.4, 0.8),
            (0.95, 1.0, 1.4),
            (0.0, 0.0, 1.0),
            (0.0, 1.0, 1.0),
            (0.0, 0.001, 1.0),
        ] {
            let (a, b) = Dist::pert_shape(min, mode, max);
            let t = BetaTable::build(a, b);
            assert!(t.max_error < TABLE_TOLERANCE, "{min} {mode} {max}: {}", t.max_error);
            for i in 0..20_000 {
                let u = (f64::from(i) + 0.37) / 20_000.0;
                let exact = inv_inc_beta(a, b, u);
                assert!((t.quantile(u) - exact).abs() < TABLE_TOLERANCE, "u={u}");
            }
            for u in [1e-12, 1e-8, 1e-5, 1.0 - 1e-5, 1.0 - 1e-8] {
                let exact = inv_inc_beta(a, b, u);
                assert!((t.quantile(u) - exact).abs() < TABLE_TOLERANCE, "tail u={u}");
            }
        }
    }

    /// Draws in increasing order of u (a replicate's strata in order) are the column draws bit
    /// for bit, for every distribution, the PERT tails and the triangular mode included, and
    /// for orders that fall wholly on one side of a split.
    #[test]
    fn increasing_draws_are_the_column_draws() {
        let dists = [
            Dist::Pert {
                min: 0.4,
                mode: 0.7,
                max: 0.95,
            },
            Dist::Pert {
                min: 0.0,
                mode: 0.0,
                max: 1.0,
            },
            Dist::Pert {
                min: 0.0,
                mode: 1.0,
                max: 1.0,
            },
            Dist::Triangular {
                min: 0.0,
                mode: 3.0,
                max: 12.0,
            },
            Dist::Triangular {
                min: 0.0,
                mode: 0.0,
                max: 12.0,
            },
            Dist::Triangular {
                min: 0.0,
                mode: 12.0,
                max: 12.0,
            },
            Dist::Uniform { min: 1.0, max: 2.0 },
            Dist::Normal { mean: 1.0, sd: 0.1 },
            Dist::LogNormal { mu: 0.0, sigma: 0.5 },
        ];
        let m = 1024;
        let whole: Vec<f64> = (0..m).map(|s| (f64::from(s) + 0.61) / f64::from(m)).collect();
        let (low, high) = (&whole[..40], &whole[m as usize - 40..]);
        for d in dists {
            let sampler = Sampler::new(d);
            for u in [&whole[..], low, high, &whole[500..501], &[][..]] {
                let (mut a, mut b) = (vec![0.0; u.len()], vec![0.0; u.len()]);
                sampler.draw_into(u, &mut a);
                sampler.draw_increasing(u, &mut b);
                let bits = |x: &[f64]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&a), bits(&b), "{d:?}");
            }
        }
    }
}
