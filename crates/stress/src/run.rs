//! Running the model: simulate every scenario in parallel, then summarise (spec section 6).

use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use crate::correlate::Copula;
use crate::dist::Sampler;
use crate::model::{Model, Outcome};
use crate::plan::{Correlation, NationalSpec, year_labels};
use crate::result::{CapitalStats, FinalYear, MedianPlan, RankCorrelation, StressResult, TornadoBar, YearStats};
use crate::sample::{CopulaSlots, Layout, Stream, StreamScratch, strata_moments, stream_key};

/// The sampling method reported in results.
pub const METHOD: &str = "latin-hypercube";

/// The most memory a simulation spends keeping its independent variables' strata for the rank
/// pass (two bytes per variable and scenario); a larger run draws them again instead, with the
/// same result.
pub const KEPT_STRATA_BUDGET: usize = 1 << 30;

/// A progress callback: (scenarios done, scenarios in all).
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Sync);

/// A model ready to sample: its variable streams and copulas.
pub struct Sampled<'a> {
    /// The compiled model.
    pub model: &'a Model,
    streams: Vec<Stream>,
    copula: Option<CopulaSlots>,
    national: Option<NationalDraws<'a>>,
    layout: Layout,
    /// The processor's vector instructions the simulation is compiled for at run time
    /// ([`ReplicateOp`]): AVX-512 where the processor has it, the build's own set otherwise.
    arch: pulp::Arch,
}

/// The national variables' uniforms in every scenario, after the national copula, and their
/// values: drawn once per national run and read by every footprint (scenario k of every
/// footprint sees national draw k). One stream per national variable in national.toml, used or
/// not, under the national scope.
pub struct NationalUniforms {
    /// `national.NAME` for each variable, in file order.
    names: Vec<String>,
    /// One column per variable, one value per scenario.
    cols: Vec<Vec<f64>>,
    /// The values drawn from `cols` through each variable's distribution, as a footprint's
    /// model would draw them (the same sampler, so the same values bit for bit).
    values: Vec<Vec<f64>>,
    n: u64,
}

impl NationalUniforms {
    /// Draws the national variables of `spec` for n scenarios under `seed`, replicate by
    /// replicate in parallel (each replicate's values depend only on the seed, the variable and
    /// the replicate, so the threads do not change them).
    pub fn new(spec: &NationalSpec, seed: u64, n: u64) -> Self {
        let names: Vec<String> = spec.variables.iter().map(|(v, _)| format!("national.{v}")).collect();
        let streams: Vec<Stream> = names
            .iter()
            .map(|v| Stream::new(seed, stream_key("national", v)))
            .collect();
        let copula = Copula::new(&spec.correlations).map(|c| {
            let slots = c
                .names
                .iter()
                .map(|v| names.iter().position(|m| m == v).expect("validated"))
                .collect();
            CopulaSlots { copula: c, slots }
        });
        let samplers: Vec<Sampler> = spec.variables.iter().map(|(_, d)| Sampler::new(*d)).collect();
        let layout = Layout::new(n);
        let k = names.len();
        // Uniforms then values, one column each per variable.
        let mut cols: Vec<Vec<f64>> = (0..2 * k).map(|_| vec![0.0; n as usize]).collect();
        layout
            .split(&mut cols)
            .into_par_iter()
            .enumerate()
            .for_each_init(Scratch::default, |s, (r, mut part)| {
                let m = layout.range(r).len();
                s.u.resize_with(streams.len(), Vec::new);
                for (col, stream) in s.u.iter_mut().zip(&streams) {
                    col.resize(m, 0.0);
                    stream.fill(r, col, &mut s.streams);
                }
                if let Some(c) = &copula {
                    c.apply_columns(&mut s.u, &mut s.z);
                }
                let (uniforms, values) = part.split_at_mut(k);
                for ((to, from), (value, sampler)) in
                    uniforms.iter_mut().zip(&s.u).zip(values.iter_mut().zip(&samplers))
                {
                    to.copy_from_slice(from);
                    sampler.draw_into(from, value);
                }
            });
        let values = cols.split_off(k);
        NationalUniforms { names, cols, values, n }
    }

    /// The rank correlation of each named national variable (`national.NAME`) with the
    /// national final-year gap, from its uniforms: for national variables that no footprint
    /// uses, and so no footprint's rank pass covers. Such a variable still moves with the gap
    /// when it is correlated with one that is used.
    pub fn rank_correlations(&self, names: &[String], final_gap: &[f64]) -> Vec<RankCorrelation> {
        assert_eq!(final_gap.len() as u64, self.n, "one gap per scenario");
        let scores = centred_ranks(final_gap);
        let sss: f64 = scores.iter().map(|x| x * x).sum();
        let n = scores.len() as f64;
        names
            .iter()
            .map(|name| {
                let at = self.names.iter().position(|m| m == name).expect("a national variable");
                RankCorrelation {
                    variable: name.clone(),
                    rho: rho_of(uniform_moments(&self.cols[at], &scores), n, sss),
                }
            })
            .collect()
    }
}

/// Where a model takes the shared national uniforms.
struct NationalDraws<'a> {
    uniforms: &'a NationalUniforms,
    /// (index in national.toml, index among the model's variables).
    used: Vec<(usize, usize)>,
}

/// Per-thread scratch space for one replicate.
#[derive(Default)]
struct Scratch {
    u: Vec<Vec<f64>>,
    x: Vec<Vec<f64>>,
    z: Vec<Vec<f64>>,
    streams: StreamScratch,
    /// The model's scratch columns.
    model: [Vec<f64>; 6],
}

impl<'a> Sampled<'a> {
    /// Sets up sampling of `model` under `seed` for n scenarios. `scope` separates the streams
    /// of different footprints in national mode (empty for a single plan); national variables
    /// take their values from `national`, drawn once for every footprint under the same seed
    /// and scenario count.
    pub fn new(
        model: &'a Model,
        seed: u64,
        n: u64,
        scope: &str,
        local: &[Correlation],
        national: Option<&'a NationalUniforms>,
    ) -> Self {
        let streams = model
            .vars
            .iter()
            .map(|v| Stream::new(seed, stream_key(scope, &v.name)))
            .collect();
        let copula = Copula::new(local).map(|c| {
            let slots = c
                .names
                .iter()
                .map(|n| model.var_index(n).expect("validated correlation"))
                .collect();
            CopulaSlots { copula: c, slots }
        });
        let national = national.map(|uniforms| {
            assert_eq!(uniforms.n, n, "national draws for the same scenario count");
            let used = uniforms
                .names
                .iter()
                .enumerate()
                .filter_map(|(i, name)| model.var_index(name).map(|v| (i, v)))
                .collect();
            NationalDraws { uniforms, used }
        });
        Sampled {
            model,
            streams,
            copula,
            national,
            layout: Layout::new(n),
            arch: pulp::Arch::new(),
        }
    }

    /// The replicate layout.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// Fills `s.u` with every variable's uniforms for replicate r, correlated as the copulas say.
    fn replicate_uniforms(&self, r: usize, s: &mut Scratch) {
        self.uniforms_where(r, s, |_| true);
    }

    /// As [`Self::replicate_uniforms`], filling only the variables `wanted` says (the copulas
    /// need all of theirs).
    #[inline(always)]
    fn uniforms_where(&self, r: usize, s: &mut Scratch, wanted: impl Fn(usize) -> bool) {
        let m = self.layout.range(r).len();
        let v = self.streams.len();
        // A national variable's own stream is not drawn (the shared national draw replaces it)
        // unless a local copula names it.
        let replaced = |i: usize| {
            self.national
                .as_ref()
                .is_some_and(|nd| nd.used.iter().any(|&(_, mv)| mv == i))
                && !self.copula.as_ref().is_some_and(|c| c.slots.contains(&i))
        };
        s.u.resize_with(v, Vec::new);
        for (i, (col, stream)) in s.u.iter_mut().zip(&self.streams).enumerate() {
            col.resize(m, 0.0);
            if wanted(i) && !replaced(i) {
                stream.fill(r, col, &mut s.streams);
            }
        }
        if let Some(c) = &self.copula {
            c.apply_columns(&mut s.u, &mut s.z);
        }
        if let Some(nd) = &self.national {
            let range = self.layout.range(r);
            for &(i, v) in &nd.used {
                s.u[v].copy_from_slice(&nd.uniforms.cols[i][range.clone()]);
            }
        }
    }

    /// True when variable v's uniforms are transformed after drawing (copula or national).
    fn is_coupled(&self, v: usize) -> bool {
        self.copula.as_ref().is_some_and(|c| c.slots.contains(&v))
            || self
                .national
                .as_ref()
                .is_some_and(|nd| nd.used.iter().any(|&(_, mv)| mv == v))
    }

    /// Fills `s.x` with every variable's values for replicate r. Variables drawn independently
    /// are drawn straight from their strata in increasing order of u (cache-friendly for PERT
    /// tables); coupled ones go through their uniforms and the copulas first. Either way each
    /// value is exactly the quantile draw of its uniform.
    ///
    /// `strata`, when given, is this replicate's part of the kept strata: m positions for each
    /// independent variable in turn, written as they are drawn.
    #[inline(always)]
    fn replicate_draws(&self, r: usize, s: &mut Scratch, mut strata: Option<&mut [u16]>) {
        let m = self.layout.range(r).len();
        let v = self.streams.len();
        let coupled = (0..v).any(|i| self.is_coupled(i));
        if coupled {
            self.uniforms_where(r, s, |i| self.is_coupled(i));
        }
        s.x.resize_with(v, Vec::new);
        let mut independent = 0;
        for (i, (x, var)) in s.x.iter_mut().zip(&self.model.vars).enumerate() {
            x.resize(m, 0.0);
            if coupled && self.is_coupled(i) {
                // A national variable's values are the national draw's, drawn once for the run.
                let national = self.national.as_ref().and_then(|nd| {
                    let &(k, _) = nd.used.iter().find(|&&(_, mv)| mv == i)?;
                    Some(&nd.uniforms.values[k][self.layout.range(r)])
                });
                match national {
                    Some(values) => x.copy_from_slice(values),
                    None => var.sampler.draw_into(&s.u[i], x),
                }
                continue;
            }
            let stream = &self.streams[i];
            let keep = strata
                .as_deref_mut()
                .map(|st| &mut st[independent * m..(independent + 1) * m]);
            independent += 1;
            let (u, values) = stream.increasing(r, m, &mut s.streams);
            var.sampler.draw_increasing(u, values);
            s.streams.scatter(x, keep);
        }
    }

    /// Runs every scenario; returns the outcomes. Each replicate is evaluated in place in its
    /// part of the result columns, which are allocated once.
    pub fn simulate(&self, progress: Option<Progress<'_>>) -> Samples {
        self.simulate_into(progress, Buffers::default())
    }

    /// As [`Self::simulate`], writing into `buffers` (from [`Samples::into_buffers`] of an
    /// earlier run of the same shape, whose values are all overwritten) when they fit, so that
    /// a run of many footprints reuses its memory instead of faulting in fresh pages for each.
    pub fn simulate_into(&self, progress: Option<Progress<'_>>, buffers: Buffers) -> Samples {
        self.simulate_with(progress, buffers, false)
    }

    /// As [`Self::simulate_into`], keeping what the rank pass needs ([`Kept`]): the uniforms of
    /// the variables that go through a copula or the national draws, so that it need not apply
    /// the copulas again, and every other variable's stratum in every scenario (within
    /// [`KEPT_STRATA_BUDGET`]), so that it need not draw the permutations again.
    pub fn simulate_keeping(&self, progress: Option<Progress<'_>>, buffers: Buffers) -> Samples {
        self.simulate_with(progress, buffers, true)
    }

    fn simulate_with(&self, progress: Option<Progress<'_>>, buffers: Buffers, keep: bool) -> Samples {
        let Buffers {
            mut columns,
            mut strata,
        } = buffers;
        let years = self.model.years;
        let n = self.layout.n;
        let done = AtomicU64::new(0);
        let coupled: Vec<usize> = (0..self.streams.len()).filter(|&v| self.is_coupled(v)).collect();
        let independent = self.streams.len() - coupled.len();
        let kept_vars = if keep { coupled } else { Vec::new() };
        let keep_strata = keep && independent * n as usize * 2 <= KEPT_STRATA_BUDGET;
        // Columns: gap per year, do-nothing gap per year, savings per year, capital, then the
        // kept uniforms. Columns of the right length are reused as they are.
        let outs = 3 * years + 1;
        columns.retain(|c| c.len() == n as usize);
        columns.resize_with(outs + kept_vars.len(), || vec![0.0; n as usize]);
        // The kept strata, replicate by replicate: replicate r's part starts at start(r) times
        // the number of independent variables and holds each one's m strata in turn.
        if keep_strata {
            strata.resize(independent * n as usize, 0);
        } else {
            strata.clear();
        }
        let mut strata_parts: Vec<Option<&mut [u16]>> = Vec::with_capacity(self.layout.replicates);
        let mut rest: &mut [u16] = &mut strata;
        for r in 0..self.layout.replicates {
            if keep_strata {
                let (head, tail) = rest.split_at_mut(self.layout.range(r).len() * independent);
                strata_parts.push(Some(head));
                rest = tail;
            } else {
                strata_parts.push(None);
            }
        }
        self.layout
            .split(&mut columns)
            .into_par_iter()
            .zip(strata_parts)
            .enumerate()
            .for_each_init(Scratch::default, |s, (r, (mut part, strata_part))| {
                let m = self.layout.range(r).len();
                self.arch.dispatch(ReplicateOp {
                    sampled: self,
                    r,
                    s: &mut *s,
                    strata: strata_part,
                    outs: &mut part[..outs],
                });
                for (to, &v) in part[outs..].iter_mut().zip(&kept_vars) {
                    to.copy_from_slice(&s.u[v]);
                }
                if let Some(p) = progress {
                    p(done.fetch_add(m as u64, Ordering::Relaxed) + m as u64, n);
                }
            });
        let kept = columns.split_off(outs);
        let capital = columns.pop().expect("the capital column");
        let savings = columns.split_off(2 * years);
        let do_nothing = columns.split_off(years);
        Samples {
            gap: columns,
            do_nothing,
            savings,
            capital,
            layout: self.layout,
            kept: keep.then_some(Kept {
                vars: kept_vars,
                uniforms: kept,
                strata: if keep_strata { Some(strata) } else { None },
            }),
        }
    }

    /// Every scenario's uniform for variable v (after the copulas): the variable's probability
    /// integral transform F(x).
    pub fn variable_uniforms(&self, v: usize) -> Vec<f64> {
        let parts: Vec<Vec<f64>> = (0..self.layout.replicates)
            .into_par_iter()
            .map_init(Scratch::default, |s, r| {
                self.replicate_uniforms(r, s);
                std::mem::take(&mut s.u[v])
            })
            .collect();
        parts.concat()
    }

    /// Pearson correlation of each wanted variable's F(x) with the given centred scores (one
    /// per scenario, summing to zero), in one pass. An independent variable's F(x) is taken at
    /// its stratum's midpoint ([`strata_moments`]), read from `kept` or drawn again; a coupled
    /// one's is its uniform, read from `kept` or drawn again with its copula partners.
    fn correlations_with(&self, scores: &[f64], wanted: &[usize], kept: Option<&Kept>) -> Vec<f64> {
        let copula_wanted = self
            .copula
            .as_ref()
            .is_some_and(|c| c.slots.iter().any(|i| wanted.contains(i)));
        let needed = |i: usize| {
            wanted.contains(&i) || (copula_wanted && self.copula.as_ref().is_some_and(|c| c.slots.contains(&i)))
        };
        // Independent variables' moments come straight from their strata; coupled ones (copula
        // or national) go through their uniforms. Which to regenerate is worked out once.
        let coupled: Vec<bool> = wanted.iter().map(|&v| self.is_coupled(v)).collect();
        // Coupled variables' uniforms are read from the simulation's when it kept them.
        let any_coupled = coupled.contains(&true) && kept.is_none();
        let regenerate: Vec<bool> = (0..self.streams.len())
            .map(|i| needed(i) && self.is_coupled(i))
            .collect();
        // Independent variables' strata are read from the simulation's when it kept them: the
        // k-th independent variable's m strata are the k-th run of m in its replicate's part.
        let strata = kept.and_then(|k| k.strata.as_deref());
        let mut independent = 0;
        let index_among_independent: Vec<usize> = (0..self.streams.len())
            .map(|i| {
                let k = independent;
                independent += usize::from(!self.is_coupled(i));
                k
            })
            .collect();
        let strata_index: Vec<usize> = wanted.iter().map(|&v| index_among_independent[v]).collect();
        let parts: Vec<Vec<[f64; 3]>> = (0..self.layout.replicates)
            .into_par_iter()
            .map_init(Scratch::default, |s, r| {
                if any_coupled {
                    self.uniforms_where(r, s, |i| regenerate[i]);
                }
                let range = self.layout.range(r);
                let m = range.len();
                let sc = &scores[range.clone()];
                wanted
                    .iter()
                    .zip(&coupled)
                    .zip(&strata_index)
                    .map(|((&v, &is_coupled), &k)| {
                        if !is_coupled {
                            return match strata {
                                Some(st) => {
                                    let at = range.start * independent + k * m;
                                    strata_moments(&st[at..at + m], sc)
                                }
                                None => self.streams[v].moments_with(r, sc, &mut s.streams),
                            };
                        }
                        let u: &[f64] = match kept {
                            Some(k) => {
                                let at = k.vars.iter().position(|&x| x == v).expect("a kept variable");
                                &k.uniforms[at][self.layout.range(r)]
                            }
                            None => &s.u[v],
                        };
                        uniform_moments(u, sc)
                    })
                    .collect()
            })
            .collect();
        let n = scores.len() as f64;
        let sss: f64 = scores.iter().map(|x| x * x).sum();
        (0..wanted.len())
            .map(|i| {
                let (mut su, mut suu, mut sus) = (0.0, 0.0, 0.0);
                for p in &parts {
                    su += p[i][0];
                    suu += p[i][1];
                    sus += p[i][2];
                }
                rho_of([su, suu, sus], n, sss)
            })
            .collect()
    }
}

/// Σu, Σu² and Σu·s of a column of uniforms `u` with scores `s`.
fn uniform_moments(u: &[f64], s: &[f64]) -> [f64; 3] {
    let (mut su, mut suu, mut sus) = (0.0, 0.0, 0.0);
    for (&x, &y) in u.iter().zip(s) {
        su += x;
        suu += x * x;
        sus += x * y;
    }
    [su, suu, sus]
}

/// Pearson's correlation of a variable with centred scores, from the variable's moments
/// [Σu, Σu², Σu·s] over n scenarios and the scores' sum of squares; 0 when either is constant.
fn rho_of([su, suu, sus]: [f64; 3], n: f64, sss: f64) -> f64 {
    let var_u = suu - su * su / n;
    if var_u <= 0.0 || sss <= 0.0 {
        0.0
    } else {
        sus / (var_u * sss).sqrt()
    }
}

/// What a simulation kept for the rank pass ([`Sampled::simulate_keeping`]).
pub struct Kept {
    /// The coupled variables (copula or national; indices into the model's).
    vars: Vec<usize>,
    /// Their uniforms, as the simulation drew them: one column per variable, one value per
    /// scenario.
    uniforms: Vec<Vec<f64>>,
    /// Every other variable's stratum in every scenario, replicate by replicate (see
    /// [`Sampled::simulate_keeping`]); `None` when they did not fit [`KEPT_STRATA_BUDGET`].
    strata: Option<Vec<u16>>,
}

/// Memory a simulation can reuse: its result columns and kept strata.
#[derive(Default)]
pub struct Buffers {
    columns: Vec<Vec<f64>>,
    strata: Vec<u16>,
}

/// One replicate's draws and model evaluation, run through [`pulp::Arch::dispatch`]: the code
/// (inlined into it, hence the `#[inline(always)]` on the draws' and the model's functions) is
/// compiled once for the build's instruction set and once with AVX-512, and the processor's
/// features pick one when the run starts. The two give the same results bit for bit (Rust never
/// fuses a multiplication and an addition on its own; test
/// `vector_extensions_give_the_same_bits`); AVX-512's wider vectors and its conversions between
/// floats and 64-bit integers cut the simulation's time by about a tenth where the processor has
/// it (`docs/decisions/0013-x86-64-v3.md`).
struct ReplicateOp<'a, 'b, 'c> {
    sampled: &'a Sampled<'a>,
    r: usize,
    s: &'a mut Scratch,
    strata: Option<&'b mut [u16]>,
    outs: &'a mut [&'c mut [f64]],
}

impl pulp::WithSimd for ReplicateOp<'_, '_, '_> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        let ReplicateOp {
            sampled,
            r,
            s,
            strata,
            outs,
        } = self;
        sampled.replicate_draws(r, s, strata);
        let m = sampled.layout.range(r).len();
        s.model.iter_mut().for_each(|c| c.resize(m, 0.0));
        sampled.model.evaluate_into(&s.x, &mut s.model, outs);
    }
}

/// Every scenario's outcomes, one array per quantity and year.
pub struct Samples {
    /// Gap_t per year.
    pub gap: Vec<Vec<f64>>,
    /// DoNothingGap_t per year.
    pub do_nothing: Vec<Vec<f64>>,
    /// Savings per year.
    pub savings: Vec<Vec<f64>>,
    /// Capital.
    pub capital: Vec<f64>,
    /// The replicate layout.
    pub layout: Layout,
    /// What the simulation kept for the rank pass ([`Sampled::simulate_keeping`]).
    pub kept: Option<Kept>,
}

impl Samples {
    /// The memory, for [`Sampled::simulate_into`] to reuse.
    pub fn into_buffers(mut self) -> Buffers {
        let Buffers { columns: kept, strata } = self.take_kept();
        let mut columns = self.gap;
        columns.extend(self.do_nothing);
        columns.extend(self.savings);
        columns.push(self.capital);
        columns.extend(kept);
        Buffers { columns, strata }
    }

    /// What the simulation kept for the rank pass, as memory to reuse ([`Buffers`]), leaving
    /// the outcomes: for samples that outlive their rank pass, such as a national run's sum.
    pub fn take_kept(&mut self) -> Buffers {
        match self.kept.take() {
            Some(k) => Buffers {
                columns: k.uniforms,
                strata: k.strata.unwrap_or_default(),
            },
            None => Buffers::default(),
        }
    }
}

/// Type 7 quantiles (linear interpolation between order statistics) of x at each p.
pub fn quantiles(x: &[f64], ps: &[f64]) -> Vec<f64> {
    quantiles_in(x, ps, &mut Vec::new())
}

/// As [`quantiles`], selecting in `work` (a buffer kept between calls, so that repeated
/// statistics of long columns do not fault in fresh memory each time).
pub fn quantiles_in(x: &[f64], ps: &[f64], work: &mut Vec<u64>) -> Vec<f64> {
    let n = x.len();
    let mut idx: Vec<usize> = Vec::new();
    for &p in ps {
        let h = (n - 1) as f64 * p;
        let lo = h.floor() as usize;
        idx.push(lo);
        if lo + 1 < n {
            idx.push(lo + 1);
        }
    }
    idx.sort_unstable();
    idx.dedup();
    let (values, _) = order_statistics(x, &idx, work);
    let at = |i: usize| values[idx.binary_search(&i).expect("a selected order statistic")];
    ps.iter()
        .map(|&p| {
            let h = (n - 1) as f64 * p;
            let lo = h.floor() as usize;
            if lo + 1 >= n {
                at(lo)
            } else {
                at(lo) + (h - lo as f64) * (at(lo + 1) - at(lo))
            }
        })
        .collect()
}

/// Columns shorter than this are selected in whole ([`select_all`]).
const SAMPLED_SELECTION_FROM: usize = 16_384;

/// The order statistics of x at `idx` (increasing and distinct), each exact, and whether they
/// came from the sampled brackets (true) or a selection over the whole column (false).
///
/// Selecting each in turn visits the column several times over. Instead, for a long column, a
/// sorted sample of it (every (n/k)-th value) brackets each wanted rank between two sampled
/// values, about 3.5 standard deviations of the sample's rank either side; one pass over the
/// column counts the values below each bracket and copies those inside the brackets (about a
/// fifth of a column of 100,000 for the five quantiles of a year's statistics, an eighth of one
/// of 1,000,000) to `work`; the wanted ranks are then selected among those. The
/// counts tell whether every wanted rank did fall inside its bracket; when one did not (a
/// sample that misled, for example a column whose sampled places all hold one value), the
/// whole column is selected instead. Either way the figures are exact order statistics.
fn order_statistics(x: &[f64], idx: &[usize], work: &mut Vec<u64>) -> (Vec<f64>, bool) {
    let n = x.len();
    if let Some(values) = (n >= SAMPLED_SELECTION_FROM && !idx.is_empty())
        .then(|| sampled_order_statistics(x, idx, work))
        .flatten()
    {
        return (values, true);
    }
    // Selected as integer keys in f64::total_cmp's order, which compare faster than the floats.
    work.clear();
    work.extend(x.iter().map(|&v| total_key(v)));
    select_all(work, 0, idx);
    (idx.iter().map(|&i| from_total_key(work[i])).collect(), false)
}

/// Brackets at most this many ranks in one pass (more: the whole column is selected).
const MAX_BRACKETS: usize = 16;

/// [`order_statistics`] by sampled brackets; `None` when a wanted rank fell outside its bracket.
fn sampled_order_statistics(x: &[f64], idx: &[usize], work: &mut Vec<u64>) -> Option<Vec<f64>> {
    let n = x.len();
    let k = (n / 32).clamp(1024, 8192);
    let mut sample: Vec<u64> = (0..k).map(|j| total_key(x[j * n / k])).collect();
    sample.sort_unstable();
    // Each wanted rank's bracket [lo, hi] of keys, both inclusive; overlapping ones merged.
    let mut brackets: Vec<(u64, u64)> = Vec::new();
    for &q in idx {
        let p = q as f64 / n as f64;
        let centre = p * k as f64;
        let margin = 3.5 * (k as f64 * p * (1.0 - p)).sqrt() + 2.0;
        let lo = (centre - margin).floor();
        let hi = (centre + margin).ceil();
        let lo = if lo < 0.0 { 0 } else { sample[lo as usize] };
        let hi = if hi >= k as f64 { u64::MAX } else { sample[hi as usize] };
        match brackets.last_mut() {
            Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
            _ => brackets.push((lo, hi)),
        }
    }
    if brackets.len() > MAX_BRACKETS {
        return None;
    }
    // A key's region: 2i + 1 inside bracket i, 2i between bracket i − 1 and bracket i, found
    // by comparing it with every bound, eight keys at a time so that the comparisons vectorise.
    // Every key is written to `work` and kept (the cursor advanced) only when inside a bracket.
    // Each lane counts its own keys per region: one count per region, incremented key by key,
    // would wait on its own last increment whenever successive keys fall in the same region.
    let b = brackets.len();
    let mut hist = [[0usize; 2 * MAX_BRACKETS + 1]; 8];
    // `work` only ever grows: a kept buffer is not cleared again for every column.
    if work.len() < n {
        work.resize(n, 0);
    }
    let mut kept = 0;
    let mut chunks = x.chunks_exact(8);
    for chunk in &mut chunks {
        let keys: [u64; 8] = std::array::from_fn(|l| total_key(chunk[l]));
        let mut regions = [0usize; 8];
        for &(lo, hi) in &brackets {
            for (r, &key) in regions.iter_mut().zip(&keys) {
                *r += usize::from(key >= lo) + usize::from(key > hi);
            }
        }
        // kept ≤ the keys seen so far, so these eight places are inside `work`.
        let to = &mut work[kept..kept + 8];
        let mut c = 0;
        for ((&key, &r), lane) in keys.iter().zip(&regions).zip(&mut hist) {
            to[c & 7] = key;
            c += r & 1;
            lane[r.min(2 * MAX_BRACKETS)] += 1;
        }
        kept += c;
    }
    for &v in chunks.remainder() {
        let key = total_key(v);
        let r: usize = brackets
            .iter()
            .map(|&(lo, hi)| usize::from(key >= lo) + usize::from(key > hi))
            .sum();
        work[kept] = key;
        kept += r & 1;
        hist[0][r.min(2 * MAX_BRACKETS)] += 1;
    }
    let work = &mut work[..kept];
    let counts: Vec<usize> = (0..=2 * b).map(|r| hist.iter().map(|lane| lane[r]).sum()).collect();
    // Bracket i's keys are `work`'s after those of the brackets below it (every key inside a
    // lower bracket is smaller): wanted rank q in bracket i is at q − (keys below bracket i and
    // outside every bracket) in `work`'s order. Each must fall inside its bracket.
    let mut local = Vec::with_capacity(idx.len());
    let mut bracket = 0;
    for &q in idx {
        while bracket < b && q >= counts[..2 * bracket + 2].iter().sum::<usize>() {
            bracket += 1;
        }
        let below: usize = counts[..2 * bracket + 1].iter().sum();
        if bracket == b || q < below {
            return None;
        }
        let outside: usize = counts[..2 * bracket + 1].iter().step_by(2).sum();
        local.push(q - outside);
    }
    select_all(work, 0, &local);
    Some(local.iter().map(|&i| from_total_key(work[i])).collect())
}

/// Puts the order statistics at `idx` (increasing, distinct, each at least `offset`) of
/// `work` in their sorted places, `work` starting at index `offset` of the whole: the middle
/// one is selected first, then each side's within its own part, so that each selection scans
/// only the part between its neighbours (about n·log₂(k) element visits for k statistics,
/// where selecting each from the left scans most of the array every time).
fn select_all(work: &mut [u64], offset: usize, idx: &[usize]) {
    if idx.is_empty() {
        return;
    }
    let mid = idx.len() / 2;
    let k = idx[mid] - offset;
    let (left, _, right) = work.select_nth_unstable(k);
    select_all(left, offset, &idx[..mid]);
    select_all(right, offset + k + 1, &idx[mid + 1..]);
}

fn mean_of(x: &[f64]) -> f64 {
    sum_of(x) / x.len() as f64
}

/// The sum of x in eight interleaved partial sums, added pairwise at the end: the additions do
/// not wait on one another (a plain sum is one chain, an addition's latency per element), and
/// the rounding error grows more slowly than a plain sum's.
fn sum_of(x: &[f64]) -> f64 {
    sum_mapped(x, |v| v)
}

/// Σ f(v) over x, as [`sum_of`].
#[inline(always)]
fn sum_mapped(x: &[f64], f: impl Fn(f64) -> f64) -> f64 {
    sum_zipped(x, x, |v, _| f(v))
}

/// Σ f(a_j, b_j) over two columns of the same length, as [`sum_of`]: eight interleaved partial
/// sums (element j in lane j mod 8), added pairwise at the end.
#[inline(always)]
pub(crate) fn sum_zipped<A: Copy, B: Copy>(a: &[A], b: &[B], f: impl Fn(A, B) -> f64) -> f64 {
    assert_eq!(a.len(), b.len(), "columns of the same length");
    let mut lanes = [0.0; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for (lane, (&u, &v)) in lanes.iter_mut().zip(x.iter().zip(y)) {
            *lane += f(u, v);
        }
    }
    for (lane, (&u, &v)) in lanes.iter_mut().zip(ra.iter().zip(rb)) {
        *lane += f(u, v);
    }
    let [a, b, c, d, e, g, h, k] = lanes;
    ((a + b) + (c + d)) + ((e + g) + (h + k))
}

/// The standard error of a pooled estimate from the replicate estimates.
fn replicate_se(estimates: &[f64]) -> f64 {
    let r = estimates.len();
    if r < 2 {
        return 0.0;
    }
    let m = mean_of(estimates);
    let var = estimates.iter().map(|e| (e - m) * (e - m)).sum::<f64>() / (r - 1) as f64;
    (var / r as f64).sqrt()
}

/// Per-year statistics of one quantity.
pub fn year_stats(year: &str, x: &[f64], layout: &Layout) -> YearStats {
    year_stats_in(year, x, layout, &mut Vec::new())
}

/// As [`year_stats`], with a selection buffer kept between calls.
fn year_stats_in(year: &str, x: &[f64], layout: &Layout, work: &mut Vec<u64>) -> YearStats {
    let n = x.len() as f64;
    // Each replicate's sum and balanced count, and the whole's from them.
    let (mut total, mut balanced) = (0.0, 0usize);
    let mut rep_means = Vec::with_capacity(layout.replicates);
    let mut rep_p = Vec::with_capacity(layout.replicates);
    for r in 0..layout.replicates {
        let block = &x[layout.range(r)];
        let sum = sum_of(block);
        let count = block.iter().filter(|&&v| v <= 0.0).count();
        total += sum;
        balanced += count;
        rep_means.push(sum / block.len() as f64);
        rep_p.push(count as f64 / block.len() as f64);
    }
    let mean = total / n;
    let sd = (sum_mapped(x, |v| (v - mean) * (v - mean)) / (n - 1.0)).sqrt();
    let q = quantiles_in(x, &[0.05, 0.1, 0.5, 0.9, 0.95], work);
    let p_balance = balanced as f64 / n;
    YearStats {
        year: year.to_string(),
        mean,
        sd,
        p5: q[0],
        p10: q[1],
        p50: q[2],
        p90: q[3],
        p95: q[4],
        p_balance,
        se_mean: replicate_se(&rep_means),
        se_p_balance: replicate_se(&rep_p),
    }
}

/// Summary statistics shared by plan and national results.
pub struct Summary {
    /// Year labels.
    pub years: Vec<String>,
    /// Gap statistics.
    pub gap: Vec<YearStats>,
    /// Do-nothing gap statistics.
    pub do_nothing_gap: Vec<YearStats>,
    /// Savings statistics.
    pub savings: Vec<YearStats>,
    /// Final year.
    pub final_year: FinalYear,
    /// Capital.
    pub capital: CapitalStats,
}

impl Summary {
    /// The result of a run from its summary and sensitivity figures (flags are added after).
    pub fn into_result(
        self,
        name: &str,
        samples: u64,
        seed: u64,
        median_plan: MedianPlan,
        tornado: Vec<TornadoBar>,
        rank_correlation: Vec<RankCorrelation>,
    ) -> StressResult {
        StressResult {
            format: 1,
            name: name.to_string(),
            samples,
            seed,
            method: METHOD.into(),
            years: self.years,
            gap: self.gap,
            do_nothing_gap: self.do_nothing_gap,
            savings: self.savings,
            final_year: self.final_year,
            capital: self.capital,
            median_plan,
            tornado,
            rank_correlation,
            flags: Vec::new(),
        }
    }
}

/// Summarises simulated outcomes.
pub fn summarise(samples: &Samples, first_year: i32) -> Summary {
    let years = samples.gap.len();
    let labels = year_labels(first_year, years);
    // Every quantity and year at once, each thread selecting in its own buffer.
    let columns: Vec<(&Vec<f64>, &String)> = [&samples.gap, &samples.do_nothing, &samples.savings]
        .into_iter()
        .flat_map(|cols| cols.iter().zip(&labels))
        .collect();
    let mut stats: Vec<YearStats> = columns
        .par_iter()
        .map_init(Vec::new, |work, (c, y)| year_stats_in(y, c, &samples.layout, work))
        .collect();
    let savings = stats.split_off(2 * years);
    let do_nothing_gap = stats.split_off(years);
    let gap = stats;
    let last = &samples.gap[years - 1];
    let expected_shortfall = sum_mapped(last, |g| g.max(0.0)) / last.len() as f64;
    let final_year = FinalYear {
        p_balance: gap[years - 1].p_balance,
        se_p_balance: gap[years - 1].se_p_balance,
        expected_shortfall,
    };
    let cq = quantiles(&samples.capital, &[0.1, 0.5, 0.9]);
    let capital = CapitalStats {
        mean: mean_of(&samples.capital),
        p10: cq[0],
        p50: cq[1],
        p90: cq[2],
    };
    Summary {
        years: labels,
        gap,
        do_nothing_gap,
        savings,
        final_year,
        capital,
    }
}

/// The median plan: Gap_t with every value at its median.
pub fn median_plan(model: &Model) -> MedianPlan {
    let mut out = Outcome::zeros(model.years);
    model.evaluate(&model.medians(), &mut out);
    MedianPlan { gap: out.gap }
}

/// The tornado over the given variables (indices into the model): Gap_Y at each one's P10 and
/// P90 with every other value at its median, largest swing first, ties by name.
pub fn tornado(models: &[&Model], names: &[String]) -> Vec<TornadoBar> {
    let medians: Vec<Vec<f64>> = models.iter().map(|m| m.medians()).collect();
    let mut bars: Vec<TornadoBar> = names
        .par_iter()
        .map(|name| {
            let mut low = 0.0;
            let mut high = 0.0;
            for (m, med) in models.iter().zip(&medians) {
                let mut vals = med.clone();
                match m.var_index(name) {
                    Some(i) => {
                        let d = m.vars[i].dist;
                        vals[i] = d.quantile(0.1);
                        low += m.final_gap(&vals);
                        vals[i] = d.quantile(0.9);
                        high += m.final_gap(&vals);
                    }
                    None => {
                        let g = m.final_gap(&vals);
                        low += g;
                        high += g;
                    }
                }
            }
            TornadoBar {
                variable: name.clone(),
                low,
                high,
                swing: (high - low).abs(),
            }
        })
        .collect();
    bars.sort_by(|a, b| b.swing.total_cmp(&a.swing).then_with(|| a.variable.cmp(&b.variable)));
    bars
}

/// Each value's rank less the mean rank: scores that sum to zero, for rank correlations.
fn centred_ranks(x: &[f64]) -> Vec<f64> {
    let r = ranks(x);
    let mean = (r.len() as f64 + 1.0) / 2.0;
    r.iter().map(|v| v - mean).collect()
}

/// Ranks 1..n of values (average ranks for ties).
pub fn ranks(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    // Sort (order-preserving key, index) pairs: direct comparisons, no indirection.
    let mut keyed: Vec<(u64, u32)> = x.iter().enumerate().map(|(k, &v)| (order_key(v), k as u32)).collect();
    radix_sort(&mut keyed);
    let mut out = vec![0.0; n];
    let mut i = 0;
    while i < n {
        let mut j = i + 1;
        while j < n && keyed[j].0 == keyed[i].0 {
            j += 1;
        }
        let avg = (i + j + 1) as f64 / 2.0;
        for &(_, k) in &keyed[i..j] {
            out[k as usize] = avg;
        }
        i = j;
    }
    out
}

/// A u64 whose unsigned order is the total order of f64 (−0.0 and 0.0 are made equal).
#[inline]
fn order_key(v: f64) -> u64 {
    total_key(v + 0.0)
}

/// A u64 whose unsigned order is `f64::total_cmp`'s order, and from which the value comes back
/// exactly ([`from_total_key`]).
#[inline(always)]
fn total_key(v: f64) -> u64 {
    let b = v.to_bits();
    if b >> 63 == 1 { !b } else { b | (1 << 63) }
}

/// The f64 of a [`total_key`].
#[inline(always)]
fn from_total_key(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

/// Sorts (key, index) pairs by key, ties in index order: a least-significant-digit radix sort
/// in 11-bit digits, skipping the digits that every key shares (the high bits of values of one
/// sign and magnitude). Linear in the length, where a comparison sort of the 100,000 final-year
/// gaps of a footprint spent most of the rank step comparing.
fn radix_sort(keyed: &mut Vec<(u64, u32)>) {
    const BITS: usize = 11;
    const BUCKETS: usize = 1 << BITS;
    const PASSES: usize = 64usize.div_ceil(BITS);
    let n = keyed.len();
    if n < 2 {
        return;
    }
    let digit = |k: u64, p: usize| ((k >> (p * BITS)) as usize) & (BUCKETS - 1);
    let mut counts = vec![[0u32; BUCKETS]; PASSES];
    for &(k, _) in keyed.iter() {
        for (p, c) in counts.iter_mut().enumerate() {
            c[digit(k, p)] += 1;
        }
    }
    let mut other: Vec<(u64, u32)> = vec![(0, 0); n];
    let mut sorted_in_other = false;
    for (p, c) in counts.iter().enumerate() {
        if c.iter().any(|&x| x as usize == n) {
            continue;
        }
        let mut next = [0u32; BUCKETS];
        let mut at = 0u32;
        for (o, &x) in next.iter_mut().zip(c.iter()) {
            *o = at;
            at += x;
        }
        let (from, to) = if sorted_in_other {
            (&other, &mut *keyed)
        } else {
            (&*keyed, &mut other)
        };
        for &e in from.iter() {
            let d = digit(e.0, p);
            to[next[d] as usize] = e;
            next[d] += 1;
        }
        sorted_in_other = !sorted_in_other;
    }
    if sorted_in_other {
        *keyed = other;
    }
}

/// Pearson correlation of two rank vectors (0 when either is constant).
pub fn rank_pearson(a: &[f64], b: &[f64]) -> f64 {
    let m = (a.len() as f64 + 1.0) / 2.0;
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (&x, &y) in a.iter().zip(b) {
        let (dx, dy) = (x - m, y - m);
        sab += dx * dy;
        saa += dx * dx;
        sbb += dy * dy;
    }
    if saa == 0.0 || sbb == 0.0 {
        0.0
    } else {
        sab / (saa * sbb).sqrt()
    }
}

/// Spearman rank correlations between the named variables and the final-year gap: the Pearson
/// correlation between the exact ranks of Gap_Y (ties averaged) and each variable's probability
/// integral transform F(x), which equals its normalised rank up to the sampling error of the
/// empirical distribution (see docs/decisions/0002-sampling.md).
/// `kept` is the coupled variables' uniforms from the simulation that gave `final_gap`, if it kept
/// them.
pub fn rank_correlations(
    sampled: &Sampled<'_>,
    names: &[String],
    final_gap: &[f64],
    kept: Option<&Kept>,
) -> Vec<RankCorrelation> {
    let scores = centred_ranks(final_gap);
    let wanted: Vec<usize> = names
        .iter()
        .map(|name| sampled.model.var_index(name).expect("variable of the model"))
        .collect();
    let rhos = sampled.correlations_with(&scores, &wanted, kept);
    let mut out: Vec<RankCorrelation> = names
        .iter()
        .zip(rhos)
        .map(|(name, rho)| RankCorrelation {
            variable: name.clone(),
            rho,
        })
        .collect();
    out.sort_by(|a, b| {
        b.rho
            .abs()
            .total_cmp(&a.rho.abs())
            .then_with(|| a.variable.cmp(&b.variable))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The simulation dispatched to the processor's vector extensions (AVX-512 where it has them)
    /// and compiled for the build's own instruction set give the same results bit for bit. On a
    /// processor without AVX-512 both runs take the same path.
    #[test]
    fn vector_extensions_give_the_same_bits() {
        let text = include_str!("../../../bench/compare/plan60.toml");
        let plan = crate::parse_plan(text, "plan60.toml").expect("the benchmark plan");
        let model = Model::compile(&plan, &[]);
        let detected = Sampled::new(&model, 7, 5_000, "", &plan.correlations, None);
        #[cfg(target_arch = "x86_64")]
        if pulp::x86::V4::is_available() {
            assert!(
                matches!(detected.arch, pulp::Arch::V4(_)),
                "AVX-512 is used where the processor has it"
            );
        }
        let mut baseline = Sampled::new(&model, 7, 5_000, "", &plan.correlations, None);
        baseline.arch = pulp::Arch::Scalar;
        let (a, b) = (
            detected.simulate_keeping(None, Buffers::default()),
            baseline.simulate_keeping(None, Buffers::default()),
        );
        let bits = |s: &Samples| -> Vec<u64> {
            let columns = s
                .gap
                .iter()
                .chain(&s.do_nothing)
                .chain(&s.savings)
                .chain(std::iter::once(&s.capital));
            let kept = s.kept.as_ref().expect("kept");
            columns.chain(&kept.uniforms).flatten().map(|x| x.to_bits()).collect()
        };
        assert_eq!(bits(&a), bits(&b));
        let strata = |s: &Samples| s.kept.as_ref().and_then(|k| k.strata.clone());
        assert_eq!(strata(&a), strata(&b));
    }

    #[test]
    fn type7_quantiles_match_numpy() {
        // numpy.quantile([1, 2, 3, 4, 10], [0.05, 0.1, 0.5, 0.9, 0.95]) = [1.2, 1.4, 3, 7.6, 8.8]
        let q = quantiles(&[4.0, 1.0, 10.0, 3.0, 2.0], &[0.05, 0.1, 0.5, 0.9, 0.95]);
        for (a, b) in q.iter().zip([1.2, 1.4, 3.0, 7.6, 8.8]) {
            assert!((a - b).abs() < 1e-12, "{q:?}");
        }
    }

    #[test]
    fn quantiles_agree_with_a_full_sort() {
        // Ties, negative zero and many order statistics at once, against sorting.
        let ps = [0.0, 0.01, 0.05, 0.1, 0.25, 0.5, 0.5, 0.75, 0.9, 0.95, 0.99, 1.0];
        // Spread values, ties, a spike at one value, and values of wildly different sizes.
        let spread = |h: u64| ((h >> 11) as f64 / (1u64 << 53) as f64 - 0.3) * 250.0;
        let mut columns: Vec<Vec<f64>> = Vec::new();
        for n in [1usize, 2, 3, 10, 101, 1000, 4099, 16_384, 100_000] {
            let h = |i: usize| crate::sample::mix64(i as u64 ^ n as u64);
            columns.push(
                (0..n)
                    .map(|i| {
                        if h(i).is_multiple_of(7) {
                            -0.0
                        } else {
                            ((h(i) >> 11) % 97) as f64 - 40.0
                        }
                    })
                    .collect(),
            );
            columns.push((0..n).map(|i| spread(h(i))).collect());
            columns.push(
                (0..n)
                    .map(|i| if h(i).is_multiple_of(50) { spread(h(i)) } else { 3.5 })
                    .collect(),
            );
            columns.push(
                (0..n)
                    .map(|i| match h(i) % 4 {
                        0 => 0.0,
                        1 => -0.0,
                        2 => spread(h(i)) * 1e12,
                        _ => spread(h(i)) * 1e-9,
                    })
                    .collect(),
            );
        }
        for x in columns {
            let n = x.len();
            let mut sorted = x.clone();
            sorted.sort_by(f64::total_cmp);
            let want: Vec<f64> = ps
                .iter()
                .map(|&p| {
                    let h = (n - 1) as f64 * p;
                    let lo = h.floor() as usize;
                    if lo + 1 >= n {
                        sorted[lo]
                    } else {
                        sorted[lo] + (h - lo as f64) * (sorted[lo + 1] - sorted[lo])
                    }
                })
                .collect();
            let got: Vec<u64> = quantiles(&x, &ps).iter().map(|v| v.to_bits()).collect();
            let want: Vec<u64> = want.iter().map(|v| v.to_bits()).collect();
            assert_eq!(got, want, "n = {n}");
        }
    }

    #[test]
    fn sums_in_lanes_are_sums() {
        // Whole numbers add exactly in any order; every length leaves a different remainder.
        for n in 0..40usize {
            let x: Vec<f64> = (0..n).map(|i| (i * i) as f64 - 7.0).collect();
            let want: f64 = (0..n).map(|i| (i * i) as f64 - 7.0).sum();
            assert_eq!(sum_of(&x), want, "n = {n}");
            assert_eq!(sum_mapped(&x, |v| 2.0 * v), 2.0 * want, "n = {n}");
        }
        // Tenths: within a few units in the last place of the exact sum.
        let x: Vec<f64> = (0..100_003).map(|i| f64::from(i) * 0.1).collect();
        let exact = 0.1 * 100_002.0 * 100_003.0 / 2.0;
        assert!((sum_of(&x) - exact).abs() < 1e-9 * exact);
    }

    #[test]
    fn radix_sort_orders_as_a_comparison_sort() {
        // Keys spread over every digit, keys sharing their high digits, many ties, and the
        // order keys of floats of both signs.
        let floats = [-1e300, -2.5, -0.0, 0.0, 1e-300, 3.0, 7.5e8, f64::MAX];
        let cases: Vec<Vec<u64>> = vec![
            (0..5000u64).map(crate::sample::mix64).collect(),
            (0..5000u64)
                .map(|i| (1 << 62) | (crate::sample::mix64(i) & 0xfff))
                .collect(),
            (0..5000u64).map(|i| crate::sample::mix64(i) % 7).collect(),
            (0..5000)
                .map(|i| order_key(floats[i % floats.len()] * (1.0 + i as f64 / 1e4)))
                .collect(),
            vec![42],
            vec![],
        ];
        for keys in cases {
            let mut keyed: Vec<(u64, u32)> = keys.iter().enumerate().map(|(i, &k)| (k, i as u32)).collect();
            let mut want = keyed.clone();
            want.sort();
            radix_sort(&mut keyed);
            assert_eq!(keyed, want);
        }
    }

    #[test]
    fn sampled_selection_is_exact_and_falls_back_when_misled() {
        let n = 100_000;
        let h = |i: usize| crate::sample::mix64(i as u64 ^ 0x5eed);
        let spread = |i: usize| ((h(i) >> 11) as f64 / (1u64 << 53) as f64 - 0.3) * 250.0;
        // The sampled places (every (n/k)-th, k = 3125 here) all hold one value, and every other
        // place a spread value: the brackets around it miss every wanted rank (ranks away from
        // the ends: a bracket that reaches an end of the sample takes in the whole column).
        let k = n / 32;
        let sampled: Vec<usize> = (0..k).map(|j| j * n / k).collect();
        let misled: Vec<f64> = (0..n)
            .map(|i| {
                if sampled.binary_search(&i).is_ok() {
                    1.0
                } else {
                    spread(i)
                }
            })
            .collect();
        let plain: Vec<f64> = (0..n).map(spread).collect();
        let idx: Vec<usize> = vec![4_999, 5_000, 49_999, 50_000, 94_999];
        for (column, want_sampled) in [(&plain, true), (&misled, false)] {
            let mut sorted = column.clone();
            sorted.sort_by(f64::total_cmp);
            let (got, from_sample) = order_statistics(column, &idx, &mut Vec::new());
            assert_eq!(from_sample, want_sampled);
            let want: Vec<u64> = idx.iter().map(|&i| sorted[i].to_bits()).collect();
            assert_eq!(got.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), want);
        }
    }

    #[test]
    fn total_keys_round_trip_in_total_order() {
        let mut xs = vec![
            f64::NEG_INFINITY,
            -1e300,
            -2.5,
            -0.0,
            0.0,
            5e-324,
            1.0,
            f64::MAX,
            f64::INFINITY,
        ];
        for (a, b) in xs.iter().zip(&xs[1..]) {
            assert!(total_key(*a) < total_key(*b));
        }
        for x in &mut xs {
            assert_eq!(from_total_key(total_key(*x)).to_bits(), x.to_bits());
        }
    }

    #[test]
    fn ranks_average_ties() {
        assert_eq!(ranks(&[10.0, 20.0, 10.0, 5.0]), vec![2.5, 4.0, 2.5, 1.0]);
        assert_eq!(
            ranks(&[-1.0, 0.0, -0.0, -3.5, 2.0, f64::MIN]),
            vec![3.0, 4.5, 4.5, 2.0, 6.0, 1.0]
        );
    }

    #[test]
    fn spearman_of_monotone_and_reversed() {
        let a = ranks(&[1.0, 2.0, 3.0, 4.0]);
        let b = ranks(&[10.0, 20.0, 30.0, 40.0]);
        let c = ranks(&[4.0, 3.0, 2.0, 1.0]);
        assert!((rank_pearson(&a, &b) - 1.0).abs() < 1e-15);
        assert!((rank_pearson(&a, &c) + 1.0).abs() < 1e-15);
    }
}
