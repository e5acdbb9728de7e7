//! The engine's front door: parse plan text, run a plan or a national directory.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use crate::error::BadInput;
use crate::flags::{CheckSettings, check};
use crate::model::Model;
use crate::node::{Node, parse_json, parse_toml};
use crate::plan::{NationalSpec, Plan};
use crate::result::{NationalResult, StressResult};
use crate::run::{
    Buffers, NationalUniforms, Progress, Sampled, Samples, median_plan, rank_correlations, summarise, tornado,
};
use crate::validate::{national_from_node, plan_from_node};

/// Default scenario count.
pub const DEFAULT_SAMPLES: u64 = 100_000;
/// Smallest and largest scenario counts.
pub const SAMPLE_RANGE: std::ops::RangeInclusive<u64> = 1000..=10_000_000;

/// Reads a document as JSON when the file name ends in `.json`, as TOML otherwise.
pub fn parse_document(text: &str, file: &str) -> Result<Node, BadInput> {
    if file.to_ascii_lowercase().ends_with(".json") {
        parse_json(text, file)
    } else {
        parse_toml(text, file)
    }
}

/// Parses and validates a single plan (TOML or JSON by file name).
pub fn parse_plan(text: &str, file: &str) -> Result<Plan, BadInput> {
    let node = parse_document(text, file)?;
    plan_from_node(&node, file, None)
}

/// The validated input of national mode.
#[derive(Debug, Clone)]
pub struct NationalInput {
    /// `national.toml`.
    pub spec: NationalSpec,
    /// (file name, plan), in file-name order.
    pub plans: Vec<(String, Plan)>,
}

/// Parses `national.toml` and the footprint plans of a national directory. `plans` are
/// (file name, text); they are sorted by file name here.
pub fn parse_national(
    national_file: &str,
    national_text: &str,
    plans: &[(String, String)],
) -> Result<NationalInput, BadInput> {
    let node = parse_toml(national_text, national_file)?;
    let spec = national_from_node(&node, national_file)?;
    let mut sorted: Vec<&(String, String)> = plans.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut errors = Vec::new();
    let mut out: Vec<(String, Plan)> = Vec::new();
    // Where each accepted plan gives first_year and years, for the check that they agree.
    let mut at: Vec<[crate::node::Pos; 2]> = Vec::new();
    for (file, text) in sorted {
        match parse_document(text, file).and_then(|n| plan_from_node(&n, file, Some(&spec)).map(|p| (n, p))) {
            Ok((n, p)) => {
                out.push((file.clone(), p));
                at.push(["first_year", "years"].map(|key| n.entry(key).and_then(|v| v.pos)));
            }
            Err(e) => errors.extend(e.errors),
        }
    }
    if errors.is_empty() && out.is_empty() {
        return Err(BadInput::single(
            national_file,
            "",
            "the directory holds no footprint plans (*.toml or *.json besides national.toml)",
        ));
    }
    if errors.is_empty() {
        let (first_file, first) = (&out[0].0, &out[0].1);
        for ((file, p), at) in out[1..].iter().zip(&at[1..]) {
            if p.first_year != first.first_year || p.years != first.years {
                // The key that differs, and where this plan gives it.
                let (key, pos) = if p.first_year != first.first_year {
                    ("first_year", at[0])
                } else {
                    ("years", at[1])
                };
                errors.push(crate::error::InputError {
                    file: file.clone(),
                    line: pos.map(|(l, _)| l),
                    column: pos.map(|(_, c)| c),
                    path: key.into(),
                    message: format!(
                        "this plan runs {} for {} years but {first_file} runs {} for {} years; every plan in national mode must share first_year and years",
                        p.first_year, p.years, first.first_year, first.years
                    ),
                });
            }
        }
    }
    if errors.is_empty() {
        Ok(NationalInput { spec, plans: out })
    } else {
        Err(BadInput { errors })
    }
}

/// Options of a run; `None` takes the file's `[run]` value, then the default.
#[derive(Default, Clone)]
pub struct RunOptions<'a> {
    /// Scenario count.
    pub samples: Option<u64>,
    /// Seed.
    pub seed: Option<u64>,
    /// Worker threads (default: all cores).
    pub threads: Option<usize>,
    /// Called as scenarios complete.
    pub progress: Option<Progress<'a>>,
    /// Credibility-check thresholds.
    pub checks: CheckSettings,
    /// In national mode, what each footprint's result holds.
    pub footprint_detail: FootprintDetail,
}

/// What each footprint's result holds in national mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FootprintDetail {
    /// Every figure of spec section 6, as `footprint stress --national` prints it.
    #[default]
    Full,
    /// The statistics, median plan and flags, with each footprint's tornado and rank
    /// correlations left empty: for callers that show only each footprint's distribution and
    /// its share of the national gap (the app's national job), this saves each footprint's
    /// rank pass. The national result is complete either way.
    Statistics,
}

fn resolve(opts: &RunOptions<'_>, run: &crate::plan::RunSettings, where_: &str) -> Result<(u64, u64), BadInput> {
    let samples = opts.samples.or(run.samples).unwrap_or(DEFAULT_SAMPLES);
    if !SAMPLE_RANGE.contains(&samples) {
        return Err(BadInput::single(
            where_,
            "samples",
            format!("{samples} is out of range; expected 1000 to 10000000 scenarios"),
        ));
    }
    Ok((samples, opts.seed.or(run.seed).unwrap_or(0)))
}

fn in_pool<T: Send>(threads: Option<usize>, f: impl FnOnce() -> T + Send) -> T {
    match threads {
        Some(t) => rayon::ThreadPoolBuilder::new()
            .num_threads(t.max(1))
            .build()
            .expect("a thread pool")
            .install(f),
        None => f(),
    }
}

/// Runs the stress test of one plan.
pub fn run_plan(plan: &Plan, opts: &RunOptions<'_>) -> Result<StressResult, BadInput> {
    let (samples, seed) = resolve(opts, &plan.run, "--samples")?;
    Ok(in_pool(opts.threads, || {
        let model = Model::compile(plan, &[]);
        let sampled = Sampled::new(&model, seed, samples, "", &plan.correlations, None);
        let draws = sampled.simulate_keeping(opts.progress, Buffers::default());
        let mut result = plan_result(plan, &model, &sampled, &draws, samples, seed);
        result.flags = check(plan, &result, &opts.checks);
        result
    }))
}

fn plan_result(
    plan: &Plan,
    model: &Model,
    sampled: &Sampled<'_>,
    draws: &Samples,
    samples: u64,
    seed: u64,
) -> StressResult {
    let s = summarise(draws, plan.first_year);
    let names: Vec<String> = model.vars.iter().map(|v| v.name.clone()).collect();
    let tornado = tornado(&[model], &names);
    let rank_correlation = rank_correlations(sampled, &names, &draws.gap[plan.years - 1], draws.kept.as_ref());
    s.into_result(&plan.name, samples, seed, median_plan(model), tornado, rank_correlation)
}

/// Runs national mode: every footprint with shared national draws, and their sum.
pub fn run_national(input: &NationalInput, opts: &RunOptions<'_>) -> Result<NationalResult, BadInput> {
    let (samples, seed) = resolve(opts, &input.spec.run, "--samples")?;
    let total = samples * input.plans.len() as u64;
    Ok(in_pool(opts.threads, || {
        let models: Vec<Model> = input
            .plans
            .par_iter()
            .map(|(_, p)| Model::compile(p, &input.spec.variables))
            .collect();
        // The national variables are drawn once: every footprint reads the same draws.
        let national_draws = NationalUniforms::new(&input.spec, seed, samples);
        let mut footprints = Vec::new();
        let mut sum: Option<Samples> = None;
        let mut national_names: Vec<String> = Vec::new();
        // Footprints run side by side, a pool's worth at a time (so memory stays bounded), and
        // their draws are summed in file order, so the result does not depend on the threads.
        let done = AtomicU64::new(0);
        // Result columns of footprints already summed, reused by the next ones.
        let spare: Mutex<Vec<Buffers>> = Mutex::new(Vec::new());
        let order: Vec<usize> = (0..models.len()).collect();
        for group in order.chunks(rayon::current_num_threads().max(1)) {
            let outs: Vec<(StressResult, Samples)> = group
                .par_iter()
                .map(|&f| {
                    let ((file, plan), model) = (&input.plans[f], &models[f]);
                    let sampled = Sampled::new(model, seed, samples, file, &plan.correlations, Some(&national_draws));
                    let seen = AtomicU64::new(0);
                    let progress = opts.progress.map(|p| {
                        let (seen, done) = (&seen, &done);
                        move |d: u64, _: u64| {
                            let delta = d.saturating_sub(seen.fetch_max(d, Ordering::Relaxed));
                            p(done.fetch_add(delta, Ordering::Relaxed) + delta, total);
                        }
                    });
                    let progress_ref = progress.as_ref().map(|p| p as &(dyn Fn(u64, u64) + Sync));
                    let buffers = spare.lock().unwrap_or_else(|e| e.into_inner()).pop();
                    let buffers = buffers.unwrap_or_default();
                    let draws = match opts.footprint_detail {
                        FootprintDetail::Full => sampled.simulate_keeping(progress_ref, buffers),
                        FootprintDetail::Statistics => sampled.simulate_into(progress_ref, buffers),
                    };
                    let mut result = match opts.footprint_detail {
                        FootprintDetail::Full => plan_result(plan, model, &sampled, &draws, samples, seed),
                        FootprintDetail::Statistics => summarise(&draws, plan.first_year).into_result(
                            &plan.name,
                            samples,
                            seed,
                            median_plan(model),
                            Vec::new(),
                            Vec::new(),
                        ),
                    };
                    result.flags = check(plan, &result, &opts.checks);
                    (result, draws)
                })
                .collect();
            for (&f, (result, draws)) in group.iter().zip(outs) {
                footprints.push(result);
                for v in models[f].vars.iter().filter(|v| v.national) {
                    if !national_names.contains(&v.name) {
                        national_names.push(v.name.clone());
                    }
                }
                sum = Some(match sum {
                    // The sum keeps the first footprint's outcomes; what that footprint kept for
                    // its rank pass (its strata) is memory for the next ones.
                    None => {
                        let mut draws = draws;
                        let kept = draws.take_kept();
                        spare.lock().unwrap_or_else(|e| e.into_inner()).push(kept);
                        draws
                    }
                    Some(mut acc) => {
                        add_into(&mut acc, &draws);
                        spare
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push(draws.into_buffers());
                        acc
                    }
                });
            }
        }
        let sum = sum.expect("at least one plan");
        let first = &input.plans[0].1;
        let s = summarise(&sum, first.first_year);
        // Spec section 6 asks for every uncertain variable: a national variable that no
        // footprint uses has a bar of no swing, and a rank correlation through the national
        // correlations it takes part in.
        let unused: Vec<String> = input
            .spec
            .variables
            .iter()
            .filter(|(_, d)| !d.is_fixed())
            .map(|(name, _)| format!("national.{name}"))
            .filter(|name| !national_names.contains(name))
            .collect();
        national_names.extend(unused.iter().cloned());
        let model_refs: Vec<&Model> = models.iter().collect();
        let tornado = tornado(&model_refs, &national_names);
        // National variables draw the same in every footprint, so the first footprint that
        // uses one gives its uniforms: one pass per such footprint, over national draws only.
        let mut rank_correlation = Vec::new();
        for (k, m) in models.iter().enumerate() {
            let here: Vec<String> = national_names
                .iter()
                .filter(|name| models.iter().position(|x| x.var_index(name).is_some()) == Some(k))
                .cloned()
                .collect();
            if here.is_empty() {
                continue;
            }
            let (file, plan) = &input.plans[k];
            let sampled = Sampled::new(m, seed, samples, file, &plan.correlations, Some(&national_draws));
            rank_correlation.extend(rank_correlations(&sampled, &here, &sum.gap[first.years - 1], None));
        }
        rank_correlation.extend(national_draws.rank_correlations(&unused, &sum.gap[first.years - 1]));
        rank_correlation.sort_by(|a, b| {
            b.rho
                .abs()
                .total_cmp(&a.rho.abs())
                .then_with(|| a.variable.cmp(&b.variable))
        });
        let mut median_gap = vec![0.0; first.years];
        for m in &models {
            for (acc, g) in median_gap.iter_mut().zip(median_plan(m).gap) {
                *acc += g;
            }
        }
        let mut national = s.into_result(
            "national",
            samples,
            seed,
            crate::result::MedianPlan { gap: median_gap },
            tornado,
            rank_correlation,
        );
        national.flags = crate::flags::check_national(&national, &opts.checks);
        NationalResult {
            format: 1,
            footprints,
            national,
        }
    }))
}

fn add_into(acc: &mut Samples, other: &Samples) {
    // Column by column across the pool: each element is one addition, so the sum does not
    // depend on the threads.
    let mut pairs: Vec<(&mut Vec<f64>, &Vec<f64>)> = Vec::new();
    for (a, b) in [
        (&mut acc.gap, &other.gap),
        (&mut acc.do_nothing, &other.do_nothing),
        (&mut acc.savings, &other.savings),
    ] {
        pairs.extend(a.iter_mut().zip(b));
    }
    pairs.push((&mut acc.capital, &other.capital));
    pairs
        .into_par_iter()
        .for_each(|(a, b)| a.iter_mut().zip(b).for_each(|(x, y)| *x += y));
}
