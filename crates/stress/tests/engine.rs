//! Engine properties: closed-form cases, reproducibility at any thread count, achieved rank
//! correlations and marginals, TOML/JSON equivalence, honest standard errors.

use footprint_stress::dist::Dist;
use footprint_stress::model::Model;
use footprint_stress::run::{Buffers, Sampled, rank_correlations, rank_pearson, ranks};
use footprint_stress::{FootprintDetail, RunOptions, parse_national, parse_plan, run_national, run_plan};

fn example() -> String {
    std::fs::read_to_string(format!("{}/tests/vectors/example.toml", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn identical_results_at_one_and_two_threads() {
    let plan = parse_plan(&example(), "example.toml").unwrap();
    let run = |t| {
        let opts = RunOptions {
            samples: Some(50_000),
            seed: Some(99),
            threads: Some(t),
            ..Default::default()
        };
        serde_json::to_string(&run_plan(&plan, &opts).unwrap()).unwrap()
    };
    let one = run(1);
    assert_eq!(one, run(2));
    assert_eq!(one, run(3));
}

fn demo_national() -> footprint_stress::NationalInput {
    let dir = format!("{}/../../data/demo/national", env!("CARGO_MANIFEST_DIR"));
    let read = |name: &str| std::fs::read_to_string(format!("{dir}/{name}")).unwrap();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml") && n != "national.toml")
        .collect();
    names.sort();
    let plans: Vec<(String, String)> = names.iter().map(|n| (n.clone(), read(n))).collect();
    parse_national("national.toml", &read("national.toml"), &plans).unwrap()
}

#[test]
fn national_mode_is_identical_at_one_two_and_three_threads() {
    // Footprints run side by side, a pool's worth at a time: the sum must not depend on it.
    let input = demo_national();
    let run = |t| {
        let opts = RunOptions {
            samples: Some(20_000),
            seed: Some(5),
            threads: Some(t),
            ..Default::default()
        };
        serde_json::to_string(&run_national(&input, &opts).unwrap()).unwrap()
    };
    let one = run(1);
    assert_eq!(one, run(2));
    assert_eq!(one, run(3));
}

#[test]
fn national_statistics_detail_leaves_out_only_footprint_sensitivity() {
    let input = demo_national();
    let run = |footprint_detail| {
        let opts = RunOptions {
            samples: Some(20_000),
            seed: Some(3),
            footprint_detail,
            ..Default::default()
        };
        run_national(&input, &opts).unwrap()
    };
    let full = run(FootprintDetail::Full);
    let lean = run(FootprintDetail::Statistics);
    assert_eq!(full.national, lean.national);
    assert_eq!(full.footprints.len(), lean.footprints.len());
    for (f, l) in full.footprints.iter().zip(&lean.footprints) {
        assert!(!f.tornado.is_empty() && !f.rank_correlation.is_empty());
        assert!(l.tornado.is_empty() && l.rank_correlation.is_empty());
        let mut f = f.clone();
        f.tornado.clear();
        f.rank_correlation.clear();
        assert_eq!(&f, l);
    }
}

#[test]
fn unused_national_variables_are_in_the_national_sensitivity() {
    // A national variable no footprint uses: no swing in the tornado, and a rank correlation
    // through its correlation with one that is used (demand growth, which widens the gap).
    let mut input = demo_national();
    let extra = "[[variable]]\nname = \"unused\"\nvalue = { dist = \"uniform\", min = 0.0, max = 1.0 }\n\n\
                 [[variable]]\nname = \"fixed_one\"\nvalue = 0.5\n\n\
                 [[correlation]]\nvariables = [\"national.demand_growth\", \"national.unused\"]\nrank = 0.8\n";
    let dir = format!("{}/../../data/demo/national", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(format!("{dir}/national.toml")).unwrap() + "\n" + extra;
    let plans: Vec<(String, String)> = input
        .plans
        .iter()
        .map(|(name, _)| (name.clone(), std::fs::read_to_string(format!("{dir}/{name}")).unwrap()))
        .collect();
    input = parse_national("national.toml", &text, &plans).unwrap();
    let opts = RunOptions {
        samples: Some(20_000),
        seed: Some(8),
        ..Default::default()
    };
    let n = run_national(&input, &opts).unwrap().national;
    let bar = n
        .tornado
        .iter()
        .find(|b| b.variable == "national.unused")
        .expect("a bar");
    assert_eq!(bar.swing, 0.0);
    assert_eq!(bar.low, n.median_plan.gap[n.median_plan.gap.len() - 1]);
    let rho = |name: &str| {
        n.rank_correlation
            .iter()
            .find(|r| r.variable == name)
            .unwrap_or_else(|| panic!("{name} has a rank correlation"))
            .rho
    };
    let (driver, unused) = (rho("national.demand_growth"), rho("national.unused"));
    assert!(driver > 0.2, "demand growth widens the gap: {driver}");
    // It moves with the gap through demand growth only, so less than demand growth does.
    assert!(unused > 0.3 * driver && unused < driver, "{unused} against {driver}");
    // A fixed national variable is not uncertain: it has neither.
    assert!(n.tornado.iter().all(|b| b.variable != "national.fixed_one"));
    assert!(n.rank_correlation.iter().all(|r| r.variable != "national.fixed_one"));
    // The list is still in order.
    assert!(n.rank_correlation.windows(2).all(|w| w[0].rho.abs() >= w[1].rho.abs()));
}

#[test]
fn seed_and_samples_decide_the_result() {
    let plan = parse_plan(&example(), "example.toml").unwrap();
    let run = |seed, n| {
        run_plan(
            &plan,
            &RunOptions {
                samples: Some(n),
                seed: Some(seed),
                ..Default::default()
            },
        )
        .unwrap()
    };
    let a = run(1, 20_000);
    assert_eq!(a, run(1, 20_000));
    assert_ne!(a.gap[4].mean, run(2, 20_000).gap[4].mean);
    // The file's [run] section applies when no option is given.
    let r = run_plan(&plan, &RunOptions::default()).unwrap();
    assert_eq!((r.samples, r.seed), (100_000, 2016));
}

/// One uncertain value, no initiatives: Gap_1 = spend·(1 + g) − funding·(1 + f), with g uniform
/// on [0, 0.04], balances when g ≤ (funding·(1 + f))/spend − 1.
#[test]
fn one_variable_plan_has_the_known_p_balance() {
    let text = r#"format = 1
name = "One Variable (fictional)"
first_year = 2016
years = 1
[baseline]
funding = 1000.0
spend = 1000.0
funding_growth = [0.025]
demand_growth = { dist = "uniform", min = 0.0, max = 0.04 }
cost_inflation = 0.0
"#;
    let plan = parse_plan(text, "one.toml").unwrap();
    let r = run_plan(
        &plan,
        &RunOptions {
            samples: Some(100_000),
            seed: Some(5),
            ..Default::default()
        },
    )
    .unwrap();
    let exact = 0.025 / 0.04;
    let g = &r.gap[0];
    assert!((g.p_balance - exact).abs() < 4.0 * (exact * (1.0 - exact) / 100_000.0f64).sqrt());
    // Gap is uniform on [−25, 15]: mean −5, sd 40/√12, quantiles linear.
    assert!((g.mean + 5.0).abs() < 0.05);
    assert!((g.sd - 40.0 / 12f64.sqrt()).abs() < 0.05);
    assert!((g.p10 - (-25.0 + 4.0)).abs() < 0.05);
    assert!((g.p90 - (-25.0 + 36.0)).abs() < 0.05);
    // Latin hypercube: the mean of a linear function is almost exact; the reported standard
    // error is honest (the actual error is within a few of them).
    assert!(g.se_mean < 0.01);
    assert!((g.mean + 5.0).abs() < 5.0 * g.se_mean + 1e-9);
    assert_eq!(r.tornado[0].variable, "baseline.demand_growth");
    assert!((r.tornado[0].low - (1000.0 * 1.004 - 1025.0)).abs() < 1e-9);
    // The gap is a monotone function of the one variable.
    assert!(r.rank_correlation[0].rho > 0.9999, "{}", r.rank_correlation[0].rho);
}

/// Rank correlations use each variable's probability integral transform in place of its
/// empirical rank (docs/decisions/0002-sampling.md); they agree with the textbook sample
/// Spearman correlation far inside the Monte Carlo error.
#[test]
fn rank_correlations_agree_with_the_sample_spearman() {
    let plan = parse_plan(&example(), "example.toml").unwrap();
    let r = run_plan(
        &plan,
        &RunOptions {
            samples: Some(50_000),
            seed: Some(3),
            ..Default::default()
        },
    )
    .unwrap();
    let model = Model::compile(&plan, &[]);
    let s = Sampled::new(&model, 3, 50_000, "", &plan.correlations, None);
    let draws = s.simulate(None);
    let gap_ranks = ranks(&draws.gap[4]);
    for rc in &r.rank_correlation {
        let v = model.var_index(&rc.variable).unwrap();
        let u = s.variable_uniforms(v);
        let exact = rank_pearson(&ranks(&u), &gap_ranks);
        assert!(
            (exact - rc.rho).abs() < 2e-3,
            "{}: {} vs exact {exact}",
            rc.variable,
            rc.rho
        );
    }
}

/// The rank pass reads what the simulation kept (the coupled variables' uniforms and every other
/// variable's strata) in place of drawing the replicates and applying the copula again: the same
/// figures, bit for bit.
#[test]
fn kept_draws_give_the_same_rank_correlations() {
    let plan = parse_plan(&example(), "example.toml").unwrap();
    assert!(!plan.correlations.is_empty(), "the example plan has a copula");
    let model = Model::compile(&plan, &[]);
    let names: Vec<String> = model.vars.iter().map(|v| v.name.clone()).collect();
    let s = Sampled::new(&model, 4, 20_000, "", &plan.correlations, None);
    let kept = s.simulate_keeping(None, Buffers::default());
    assert!(kept.kept.is_some());
    let plain = s.simulate(None);
    assert!(plain.kept.is_none());
    let last = plan.years - 1;
    let with = rank_correlations(&s, &names, &kept.gap[last], kept.kept.as_ref());
    let without = rank_correlations(&s, &names, &plain.gap[last], None);
    let bits = |r: &[footprint_stress::result::RankCorrelation]| {
        r.iter()
            .map(|c| (c.variable.clone(), c.rho.to_bits()))
            .collect::<Vec<_>>()
    };
    assert_eq!(bits(&with), bits(&without));
}

/// A deterministic plan checked by hand: one initiative, start month 0, 12-month ramp,
/// no slippage. Year 1 saves Σ_{m=0..11} (m+1)/12 / 12 = 6.5/12 of the saving.
#[test]
fn deterministic_plan_checked_by_hand() {
    let text = r#"format = 1
name = "By Hand (fictional)"
first_year = 2020
years = 2
[baseline]
funding = 100.0
spend = 100.0
funding_growth = [0.0, 0.0]
demand_growth = 0.1
cost_inflation = 0.0
other_income = [2.0, 0.0]
[[initiative]]
id = "x"
name = "X"
setting = "community"
saving = 24.0
start_month = 0
ramp_months = 12
delivery = 0.5
recurrent_cost = 1.2
double_running = 6.0
capital = 4.0
cost_overrun = 1.5
"#;
    let plan = parse_plan(text, "hand.toml").unwrap();
    let r = run_plan(
        &plan,
        &RunOptions {
            samples: Some(1000),
            ..Default::default()
        },
    )
    .unwrap();
    // Year 1: spend 110, funding 100, other income 2 → do-nothing 8.
    // Saving 24·0.5·6.5/12 = 6.5; running 1.5·1.2 = 1.8; double 1.5·6·(12 − 6.5)/12 = 4.125.
    let y1 = 8.0 - 6.5 + 1.8 + 4.125;
    // Year 2: spend 121, funding 100 → 21; saving 12; running 1.8; double 0.
    let y2 = 21.0 - 12.0 + 1.8;
    assert!((r.gap[0].mean - y1).abs() < 1e-9, "{}", r.gap[0].mean);
    assert!((r.gap[1].mean - y2).abs() < 1e-9, "{}", r.gap[1].mean);
    assert_eq!(r.median_plan.gap.len(), 2);
    assert!((r.median_plan.gap[1] - y2).abs() < 1e-12);
    assert!((r.capital.mean - 6.0).abs() < 1e-12);
    assert_eq!(r.years, vec!["2020/21", "2021/22"]);
    assert_eq!(r.final_year.p_balance, 0.0);
    assert!((r.final_year.expected_shortfall - y2).abs() < 1e-9);
}

fn spearman(a: &[f64], b: &[f64]) -> f64 {
    rank_pearson(&ranks(a), &ranks(b))
}

#[test]
fn achieved_rank_correlations_meet_their_targets() {
    let text = example();
    let plan = parse_plan(&text, "example.toml").unwrap();
    let model = Model::compile(&plan, &[]);
    let n = 100_000;
    let s = Sampled::new(&model, 7, n, "", &plan.correlations, None);
    let col = |name: &str| {
        let v = model.var_index(name).unwrap();
        let u = s.variable_uniforms(v);
        u.iter().map(|&u| model.vars[v].sampler.draw(u)).collect::<Vec<f64>>()
    };
    let uc = col("initiative.urgent-care.delivery");
    let cb = col("initiative.community-beds.delivery");
    let dg = col("baseline.demand_growth");
    let ci = col("baseline.cost_inflation");
    assert!((spearman(&uc, &cb) - 0.5).abs() < 0.03, "{}", spearman(&uc, &cb));
    assert!((spearman(&dg, &uc) + 0.3).abs() < 0.03, "{}", spearman(&dg, &uc));
    assert!(spearman(&dg, &ci).abs() < 0.02);
    assert!(spearman(&dg, &cb).abs() < 0.03 + 0.5 * 0.3); // implied only through the chain
    // Marginals are exactly those given: compare empirical quantiles with exact ones.
    for (values, dist) in [
        (
            &uc,
            Dist::Pert {
                min: 0.4,
                mode: 0.7,
                max: 0.95,
            },
        ),
        (
            &cb,
            Dist::Pert {
                min: 0.05,
                mode: 0.35,
                max: 0.75,
            },
        ),
        (
            &dg,
            Dist::Triangular {
                min: 0.01,
                mode: 0.02,
                max: 0.03,
            },
        ),
    ] {
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        for p in [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99] {
            let emp = sorted[(p * n as f64) as usize];
            let exact = dist.quantile(p);
            let range = match dist {
                Dist::Pert { min, max, .. } | Dist::Triangular { min, max, .. } => max - min,
                _ => 1.0,
            };
            assert!((emp - exact).abs() < 0.01 * range, "p={p}: {emp} vs {exact}");
        }
    }
}

#[test]
fn toml_and_json_give_identical_results() {
    let text = example();
    let value: serde_json::Value = toml::from_str(&text).unwrap();
    let json = serde_json::to_string_pretty(&value).unwrap();
    let a = parse_plan(&text, "example.toml").unwrap();
    let b = parse_plan(&json, "example.json").unwrap();
    assert_eq!(a, b);
    let opts = RunOptions {
        samples: Some(5000),
        ..Default::default()
    };
    assert_eq!(run_plan(&a, &opts).unwrap(), run_plan(&b, &opts).unwrap());
}

#[test]
fn standard_errors_are_honest() {
    // Across independent seeds, the spread of the estimates matches the reported standard errors.
    let plan = parse_plan(&example(), "example.toml").unwrap();
    let runs: Vec<_> = (0..24)
        .map(|seed| {
            run_plan(
                &plan,
                &RunOptions {
                    samples: Some(20_000),
                    seed: Some(seed),
                    ..Default::default()
                },
            )
            .unwrap()
        })
        .collect();
    for t in [1usize, 4] {
        let means: Vec<f64> = runs.iter().map(|r| r.gap[t].mean).collect();
        let ps: Vec<f64> = runs.iter().map(|r| r.gap[t].p_balance).collect();
        let sd = |x: &[f64]| {
            let m = x.iter().sum::<f64>() / x.len() as f64;
            (x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (x.len() - 1) as f64).sqrt()
        };
        let reported_mean_se = runs.iter().map(|r| r.gap[t].se_mean).sum::<f64>() / runs.len() as f64;
        let reported_p_se = runs.iter().map(|r| r.gap[t].se_p_balance).sum::<f64>() / runs.len() as f64;
        // With 24 runs the observed spread is itself uncertain by about 15%: allow a factor 1.6.
        let (obs_m, obs_p) = (sd(&means), sd(&ps));
        assert!(
            obs_m < 1.6 * reported_mean_se && obs_m > reported_mean_se / 1.6,
            "year {t}: mean se {reported_mean_se} vs {obs_m}"
        );
        assert!(
            obs_p < 1.6 * reported_p_se && obs_p > reported_p_se / 1.6,
            "year {t}: p se {reported_p_se} vs {obs_p}"
        );
    }
}

#[test]
fn comparing_a_plan_with_itself_shows_no_change_and_a_real_change_shows_with_little_noise() {
    use footprint_stress::compare::compare_plans;
    let a = parse_plan(&example(), "example.toml").unwrap();
    let same = compare_plans(&a, &a, 20_000, 3).unwrap();
    for y in &same.years {
        assert_eq!(y.gap_change.mean, 0.0);
        assert_eq!((y.p_balance_change, y.se_p_balance_change), (0.0, 0.0));
        assert_eq!(y.p_balance_a, y.p_balance_b);
    }
    // Raise one initiative's saving by a fixed £5m a year: the final-year gap falls by at most
    // £5m in every scenario, and the paired standard error is far below the unpaired one.
    let text = example();
    let first = text.find("saving = ").unwrap();
    let end = first + text[first..].find('\n').unwrap();
    let old: f64 = text[first + 9..end]
        .trim()
        .parse()
        .expect("a fixed saving in the example");
    let b = parse_plan(
        &format!("{}saving = {}{}", &text[..first], old + 5.0, &text[end..]),
        "b.toml",
    )
    .unwrap();
    let c = compare_plans(&a, &b, 20_000, 3).unwrap();
    let last = c.years.last().unwrap();
    assert!(
        last.gap_change.mean < 0.0 && last.gap_change.mean >= -5.0 - 1e-9,
        "{:?}",
        last.gap_change
    );
    assert!(last.gap_change.p95 <= 1e-9 && last.gap_change.p5 >= -5.0 - 1e-9);
    assert!(last.p_balance_change >= 0.0);
    let unpaired = (last.p_balance_a * (1.0 - last.p_balance_a) / 20_000.0 * 2.0).sqrt();
    assert!(
        last.se_p_balance_change < unpaired / 2.0,
        "{} vs {unpaired}",
        last.se_p_balance_change
    );
}
