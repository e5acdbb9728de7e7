//! Special functions: the normal distribution and the regularised incomplete beta function
//! with its inverse, accurate to near machine precision.

use std::f64::consts::{FRAC_1_SQRT_2, PI};

/// Below this, [`pow_unit`] does not apply (2^-1000).
pub const POW_UNIT_MIN: f64 = 9.332_636_185_032_189e-302;

/// x^p for x in [[`POW_UNIT_MIN`], 1] and p in (0, 1], as e^(p·ln x), within a few units in
/// the last place of `powf` (relative error below 1e-14 where the result's exponent is small,
/// growing to about 1e-13 as x nears 2^-1000). Written in straight-line arithmetic and
/// bit operations, with no calls and no branches, so that a loop of them vectorises, where
/// the C library's `log` and `exp` are a call each per value. The PERT tables' tails use it
/// for their coordinate w = u^(1/a), and are checked through it when they are built.
#[inline(always)]
pub fn pow_unit(x: f64, p: f64) -> f64 {
    // 2^52 as a float: adding it to a whole number below 2^52 puts the number in the low
    // bits, and the reverse takes it out, without a float-integer conversion.
    const MAGIC: f64 = 4_503_599_627_370_496.0;
    // x = 2^e · m with m in [√½, √2).
    let bits = x.to_bits();
    let biased = f64::from_bits(MAGIC.to_bits() | (bits >> 52)) - MAGIC;
    let m1 = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    let big = m1 > std::f64::consts::SQRT_2;
    let m = if big { m1 * 0.5 } else { m1 };
    let e = biased - 1023.0 + if big { 1.0 } else { 0.0 };
    // ln m = 2·atanh(s) with s = (m − 1)/(m + 1), |s| ≤ 0.1716: the series to s^19 is within
    // 1e-17 of it.
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let series = 1.0
        + s2 * (1.0 / 3.0
            + s2 * (1.0 / 5.0
                + s2 * (1.0 / 7.0
                    + s2 * (1.0 / 9.0
                        + s2 * (1.0 / 11.0
                            + s2 * (1.0 / 13.0 + s2 * (1.0 / 15.0 + s2 * (1.0 / 17.0 + s2 * (1.0 / 19.0)))))))));
    // ln 2 in two parts (fdlibm's): LN2_HI's low 21 bits are zero, so e·LN2_HI is exact for
    // |e| < 2^11.
    const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
    let y = p * (e * LN2_HI + (e * LN2_LO + 2.0 * s * series));
    // e^y = 2^k · e^r with k = round(y / ln 2), |r| ≤ ln 2 / 2: Taylor to r^13 (within 2e-17).
    let k = (y * std::f64::consts::LOG2_E).round();
    let r = (y - k * LN2_HI) - k * LN2_LO;
    let mut poly = 1.0 / 6_227_020_800.0;
    for d in [
        479_001_600.0,
        39_916_800.0,
        3_628_800.0,
        362_880.0,
        40_320.0,
        5_040.0,
        720.0,
        120.0,
        24.0,
        6.0,
        2.0,
    ] {
        poly = poly * r + 1.0 / d;
    }
    let er = 1.0 + r * (1.0 + r * poly);
    // 2^k, k ≥ −1001 here, as the bits of k + 1023 in the exponent.
    let two_k = f64::from_bits((k + 1023.0 + MAGIC).to_bits() << 52);
    er * two_k
}

/// Natural log of the gamma function for x > 0.
pub fn ln_gamma(x: f64) -> f64 {
    libm::lgamma(x)
}

/// Natural log of the beta function B(a, b).
pub fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// Standard normal cumulative distribution function.
pub fn norm_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z * FRAC_1_SQRT_2)
}

/// Standard normal density.
pub fn norm_pdf(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (2.0 * PI).sqrt()
}

/// Standard normal quantile (Wichura's algorithm AS 241, PPND16: relative error about 1e-16),
/// polished by one Newton step on `norm_cdf`. Returns ±infinity at 0 and 1.
pub fn norm_ppf(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    as241(p)
}

fn as241(p: f64) -> f64 {
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q
            * (((((((r * 2_509.080_928_730_122_7 + 33_430.575_583_588_13) * r + 67_265.770_927_008_7) * r
                + 45_921.953_931_549_87)
                * r
                + 13_731.693_765_509_46)
                * r
                + 1_971.590_950_306_551_3)
                * r
                + 133.141_667_891_784_38)
                * r
                + 3.387_132_872_796_366_5)
            / (((((((r * 5_226.495_278_852_545 + 28_729.085_735_721_943) * r + 39_307.895_800_092_71) * r
                + 21_213.794_301_586_597)
                * r
                + 5_394.196_021_424_751)
                * r
                + 687.187_007_492_057_9)
                * r
                + 42.313_330_701_600_91)
                * r
                + 1.0);
    }
    let r = if q < 0.0 { p } else { 1.0 - p };
    let r = (-r.ln()).sqrt();
    let val = if r <= 5.0 {
        let r = r - 1.6;
        (((((((r * 7.745_450_142_783_414e-4 + 0.022_723_844_989_269_184) * r + 0.241_780_725_177_450_6) * r
            + 1.270_458_252_452_368_4)
            * r
            + 3.647_848_324_763_204_5)
            * r
            + 5.769_497_221_460_691)
            * r
            + 4.630_337_846_156_546)
            * r
            + 1.423_437_110_749_683_5)
            / (((((((r * 1.050_750_071_644_416_9e-9 + 5.475_938_084_995_345e-4) * r + 0.015_198_666_563_616_457)
                * r
                + 0.148_103_976_427_480_08)
                * r
                + 0.689_767_334_985_1)
                * r
                + 1.676_384_830_183_803_8)
                * r
                + 2.053_191_626_637_759)
                * r
                + 1.0)
    } else {
        let r = r - 5.0;
        (((((((r * 2.010_334_399_292_288_1e-7 + 2.711_555_568_743_487_6e-5) * r + 0.001_242_660_947_388_078_4) * r
            + 0.026_532_189_526_576_124)
            * r
            + 0.296_560_571_828_504_9)
            * r
            + 1.784_826_539_917_291_3)
            * r
            + 5.463_784_911_164_114)
            * r
            + 6.657_904_643_501_103)
            / (((((((r * 2.044_263_103_389_939_7e-15 + 1.421_511_758_316_446e-7) * r + 1.846_318_317_510_054_8e-5)
                * r
                + 7.868_691_311_456_133e-4)
                * r
                + 0.014_875_361_290_850_615)
                * r
                + 0.136_929_880_922_735_8)
                * r
                + 0.599_832_206_555_888)
                * r
                + 1.0)
    };
    if q < 0.0 { -val } else { val }
}

/// Regularised incomplete beta function I_x(a, b) for a, b > 0 and x in [0, 1].
pub fn inc_beta(a: f64, b: f64, x: f64) -> f64 {
    inc_beta_with(a, b, x, ln_beta(a, b))
}

/// As [`inc_beta`], with ln B(a, b) already known.
pub fn inc_beta_with(a: f64, b: f64, x: f64, ln_b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = a * x.ln() + b * (1.0 - x).ln() - ln_b;
    if x < (a + 1.0) / (a + b + 2.0) {
        ln_front.exp() * beta_cf(a, b, x) / a
    } else {
        1.0 - ln_front.exp() * beta_cf(b, a, 1.0 - x) / b
    }
}

/// Continued fraction for the incomplete beta function (modified Lentz).
fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    const EPS: f64 = 1e-16;
    let qab = a + b;
    let qap = a + 1.0;
    let qam = a - 1.0;
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=1000 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < EPS {
            break;
        }
    }
    h
}

/// Density of the Beta(a, b) distribution at x.
pub fn beta_pdf(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 || x >= 1.0 {
        // The boundary densities are only needed as limits; report them for a = 1 or b = 1.
        if x <= 0.0 {
            return if a == 1.0 {
                (-ln_beta(a, b)).exp()
            } else if a < 1.0 {
                f64::INFINITY
            } else {
                0.0
            };
        }
        return if b == 1.0 {
            (-ln_beta(a, b)).exp()
        } else if b < 1.0 {
            f64::INFINITY
        } else {
            0.0
        };
    }
    ((a - 1.0) * x.ln() + (b - 1.0) * (1.0 - x).ln() - ln_beta(a, b)).exp()
}

/// Inverse of the regularised incomplete beta function: the x in [0, 1] with I_x(a, b) = p.
///
/// Safeguarded Newton iteration inside a shrinking bracket, run to machine precision.
pub fn inv_inc_beta(a: f64, b: f64, p: f64) -> f64 {
    inv_inc_beta_from(a, b, p, None)
}

/// As [`inv_inc_beta`], starting from `guess` when one is known (used when building tables).
pub fn inv_inc_beta_from(a: f64, b: f64, p: f64, guess: Option<f64>) -> f64 {
    if p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    if p > 0.5 {
        // Work in the smaller tail, where 1 − p is exact and I_x keeps its relative precision.
        return 1.0 - inv_inc_beta_from(b, a, 1.0 - p, guess.map(|g| 1.0 - g));
    }
    let ln_b = ln_beta(a, b);
    let mut lo = 0.0_f64;
    let mut hi = 1.0_f64;
    let mut x = match guess {
        Some(g) if g > 0.0 && g < 1.0 => g,
        _ => initial_guess(a, b, p, ln_b),
    };
    for _ in 0..200 {
        let f = inc_beta_with(a, b, x, ln_b) - p;
        if f == 0.0 {
            return x;
        }
        if f < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let dens = ((a - 1.0) * x.ln() + (b - 1.0) * (1.0 - x).ln() - ln_b).exp();
        let mut next = if dens > 0.0 && dens.is_finite() {
            x - f / dens
        } else {
            f64::NAN
        };
        if !(next > lo && next < hi) {
            next = 0.5 * (lo + hi);
        }
        if (next - x).abs() <= 4.0 * f64::EPSILON * x.max(1e-300) || hi - lo <= 4.0 * f64::EPSILON * hi {
            return next;
        }
        x = next;
    }
    x
}

fn initial_guess(a: f64, b: f64, p: f64, ln_b: f64) -> f64 {
    // Tail approximations from the leading term of the series, else the mean.
    let lower = (p * a).ln() + ln_b;
    let x_lo = (lower / a).exp();
    let upper = ((1.0 - p) * b).ln() + ln_b;
    let x_hi = 1.0 - (upper / b).exp();
    let mean = a / (a + b);
    let g = if p < inc_beta(a, b, mean) {
        x_lo.min(mean)
    } else {
        x_hi.max(mean)
    };
    g.clamp(1e-12, 1.0 - 1e-12)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    #[test]
    fn normal_quantiles_match_known_values() {
        // Reference values from the normal quantile to 17 significant figures.
        let cases = [
            (0.5, 0.0),
            (0.975, 1.959_963_984_540_054),
            (0.9, 1.281_551_565_544_600_5),
            (0.1, -1.281_551_565_544_600_5),
            (0.001, -3.090_232_306_167_813_5),
            (1e-10, -6.361_340_902_404_056),
            (0.8413447460685429, 1.0),
        ];
        for (p, z) in cases {
            let got = norm_ppf(p);
            assert!((got - z).abs() <= 1e-12 * z.abs().max(1.0), "p={p}: {got} vs {z}");
        }
    }

    #[test]
    fn normal_cdf_inverts_quantile() {
        for i in 1..1000 {
            let p = f64::from(i) / 1000.0;
            assert!(close(norm_cdf(norm_ppf(p)), p, 1e-13));
        }
    }

    #[test]
    fn incomplete_beta_matches_known_values() {
        // I_x(a, b) reference values computed at high precision.
        assert!(close(inc_beta(2.0, 3.0, 0.4), 0.5248, 1e-14));
        assert!(close(inc_beta(1.0, 1.0, 0.3), 0.3, 1e-14));
        // I_x(a, 1) = x^a
        assert!(close(inc_beta(2.5, 1.0, 0.7), 0.7f64.powf(2.5), 1e-13));
        // I_x(1, b) = 1 - (1-x)^b
        assert!(close(inc_beta(1.0, 3.5, 0.2), 1.0 - 0.8f64.powf(3.5), 1e-13));
        // symmetry
        assert!(close(inc_beta(3.0, 2.0, 0.6), 1.0 - inc_beta(2.0, 3.0, 0.4), 1e-14));
    }

    #[test]
    fn inverse_incomplete_beta_round_trips() {
        let shapes = [
            (1.0, 1.0),
            (1.0, 5.0),
            (5.0, 1.0),
            (2.0, 4.0),
            (3.3333, 1.6667),
            (1.0001, 4.9999),
            (4.2, 1.8),
        ];
        for (a, b) in shapes {
            for i in 0..=1000 {
                let p = (f64::from(i) + 0.5) / 1001.0;
                let x = inv_inc_beta(a, b, p);
                assert!(close(inc_beta(a, b, x), p, 1e-12), "a={a} b={b} p={p} x={x}");
            }
            for p in [1e-12, 1e-9, 1e-6, 1.0 - 1e-6, 1.0 - 1e-9] {
                let x = inv_inc_beta(a, b, p);
                let back = inc_beta(a, b, x);
                assert!((back - p).abs() <= 1e-12 * p.min(1.0 - p) + 4e-16, "a={a} b={b} p={p}");
            }
        }
    }

    #[test]
    fn inverse_incomplete_beta_closed_forms() {
        // Beta(a, 1): x = p^(1/a); Beta(1, b): x = 1 - (1-p)^(1/b); Beta(2, 2) median is 0.5.
        for i in 1..100 {
            let p = f64::from(i) / 100.0;
            assert!(close(inv_inc_beta(3.0, 1.0, p), p.powf(1.0 / 3.0), 1e-13));
            assert!(close(inv_inc_beta(1.0, 2.5, p), 1.0 - (1.0 - p).powf(1.0 / 2.5), 1e-12));
        }
        assert!(close(inv_inc_beta(2.0, 2.0, 0.5), 0.5, 1e-15));
    }

    #[test]
    fn pow_unit_is_powf_within_a_few_ulps() {
        let mut worst = 0.0_f64;
        for p in [1.0, 0.75, 0.5, 1.0 / 3.0, 0.3, 1.0 / 7.0, 0.05] {
            for i in 0..20_000 {
                // From 1 down to 2^-1000, geometrically, and a stretch of the draws' range.
                let x = (-(f64::from(i) / 20_000.0) * 1000.0 * std::f64::consts::LN_2)
                    .exp()
                    .max(POW_UNIT_MIN);
                let y = 1.0 / 64.0 * (f64::from(i) + 0.5) / 20_000.0;
                for x in [x, y] {
                    let (fast, exact) = (pow_unit(x, p), x.powf(p));
                    let rel = ((fast - exact) / exact).abs();
                    let bound = if x > 1e-20 { 1e-14 } else { 2e-13 };
                    assert!(rel < bound, "x={x:e} p={p}: {fast:e} against {exact:e}");
                    worst = worst.max(if x > 1e-20 { rel } else { 0.0 });
                }
            }
        }
        assert!(worst < 1e-14, "{worst:e}");
        assert_eq!(pow_unit(1.0, 0.5), 1.0);
        assert_eq!(pow_unit(0.25, 0.5), 0.5);
    }
}
