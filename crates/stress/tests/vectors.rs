//! The spec's worked examples (specs/examples, copied to tests/vectors) as tests: the
//! deterministic plan exactly, the random ones within Monte Carlo error.

use footprint_stress::result::{StressResult, YearStats};
use footprint_stress::{RunOptions, parse_national, parse_plan, run_national, run_plan};

fn vector(name: &str) -> String {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn expected(name: &str) -> serde_json::Value {
    serde_json::from_str(&vector(name)).expect("expected JSON")
}

fn close_rel(a: f64, b: f64, rel: f64, abs: f64) -> bool {
    (a - b).abs() <= abs.max(rel * b.abs())
}

#[test]
fn deterministic_plan_matches_exactly() {
    let plan = parse_plan(&vector("deterministic.toml"), "deterministic.toml").unwrap();
    let opts = RunOptions {
        samples: Some(10_000),
        ..Default::default()
    };
    let got = serde_json::to_value(run_plan(&plan, &opts).unwrap()).unwrap();
    let want = expected("deterministic.expected.json");
    for q in ["gap", "do_nothing_gap", "savings"] {
        for (g, w) in got[q].as_array().unwrap().iter().zip(want[q].as_array().unwrap()) {
            for stat in [
                "mean",
                "sd",
                "p5",
                "p10",
                "p50",
                "p90",
                "p95",
                "p_balance",
                "se_mean",
                "se_p_balance",
            ] {
                let (a, b) = (g[stat].as_f64().unwrap(), w[stat].as_f64().unwrap());
                assert!(close_rel(a, b, 1e-9, 1e-6), "{q}.{stat}: {a} vs {b}");
            }
        }
    }
    for (k, stat) in [
        ("final_year", "p_balance"),
        ("final_year", "expected_shortfall"),
        ("capital", "mean"),
        ("capital", "p50"),
    ] {
        let (a, b) = (got[k][stat].as_f64().unwrap(), want[k][stat].as_f64().unwrap());
        assert!(close_rel(a, b, 1e-9, 1e-6), "{k}.{stat}: {a} vs {b}");
    }
    for (a, b) in got["median_plan"]["gap"]
        .as_array()
        .unwrap()
        .iter()
        .zip(want["median_plan"]["gap"].as_array().unwrap())
    {
        assert!(
            close_rel(a.as_f64().unwrap(), b.as_f64().unwrap(), 1e-9, 1e-6),
            "median_plan: {a} vs {b}"
        );
    }
    assert_eq!(got["tornado"], want["tornado"]);
    assert_eq!(got["rank_correlation"], want["rank_correlation"]);
    assert_eq!(got["years"], want["years"]);
}

/// Checks a random result against an expected one within four combined standard errors
/// (specs/examples/README.md), median_plan and tornado to 1e-6, rank correlations to 0.01.
fn assert_agrees(got: &StressResult, want: &serde_json::Value, label: &str) {
    let ne = want["samples"].as_f64().unwrap();
    let na = got.samples as f64;
    let rows = |q: &str| -> Vec<YearStats> { serde_json::from_value(want[q].clone()).unwrap() };
    for (q, mine) in [
        ("gap", &got.gap),
        ("do_nothing_gap", &got.do_nothing_gap),
        ("savings", &got.savings),
    ] {
        for (w, g) in rows(q).iter().zip(mine) {
            let se = |sd: f64, n: f64, stat: &str, p: f64| match stat {
                "mean" => sd / n.sqrt(),
                "p_balance" => (p * (1.0 - p) / n).sqrt(),
                _ => 2.5 * sd / n.sqrt(),
            };
            for (stat, a, b) in [
                ("mean", g.mean, w.mean),
                ("p5", g.p5, w.p5),
                ("p10", g.p10, w.p10),
                ("p50", g.p50, w.p50),
                ("p90", g.p90, w.p90),
                ("p95", g.p95, w.p95),
                ("p_balance", g.p_balance, w.p_balance),
            ] {
                let tol = 4.0 * se(w.sd, ne, stat, w.p_balance).hypot(se(g.sd, na, stat, g.p_balance)) + 1e-6;
                assert!(
                    (a - b).abs() <= tol,
                    "{label}{q}[{}].{stat}: got {a}, expected {b} (tolerance {tol})",
                    w.year
                );
            }
            let tol = 4.0 * (w.sd / (2.0 * ne).sqrt()).hypot(g.sd / (2.0 * na).sqrt()) + 1e-6;
            assert!(
                (g.sd - w.sd).abs() <= tol,
                "{label}{q}[{}].sd: got {}, expected {}",
                w.year,
                g.sd,
                w.sd
            );
        }
    }
    let median: Vec<f64> = serde_json::from_value(want["median_plan"]["gap"].clone()).unwrap();
    for (a, b) in got.median_plan.gap.iter().zip(&median) {
        assert!(close_rel(*a, *b, 1e-6, 1e-9), "{label}median_plan: {a} vs {b}");
    }
    let tornado = want["tornado"].as_array().unwrap();
    assert_eq!(tornado.len(), got.tornado.len(), "{label}tornado length");
    for w in tornado {
        let name = w["variable"].as_str().unwrap();
        let g = got
            .tornado
            .iter()
            .find(|t| t.variable == name)
            .unwrap_or_else(|| panic!("{label}tornado lacks {name}"));
        for (a, b) in [
            (g.low, w["low"].as_f64().unwrap()),
            (g.high, w["high"].as_f64().unwrap()),
        ] {
            assert!(close_rel(a, b, 1e-6, 1e-9), "{label}tornado {name}: {a} vs {b}");
        }
    }
    // Order: by swing, largest first (ties by name) — the swings of near-zero bars are rounding noise.
    let big: Vec<&str> = tornado
        .iter()
        .filter(|t| t["swing"].as_f64().unwrap() > 1e-6)
        .map(|t| t["variable"].as_str().unwrap())
        .collect();
    let mine: Vec<&str> = got
        .tornado
        .iter()
        .take(big.len())
        .map(|t| t.variable.as_str())
        .collect();
    assert_eq!(mine, big, "{label}tornado order");
    for w in want["rank_correlation"].as_array().unwrap() {
        let name = w["variable"].as_str().unwrap();
        let g = got.rank_correlation.iter().find(|t| t.variable == name).unwrap();
        let b = w["rho"].as_f64().unwrap();
        assert!(
            (g.rho - b).abs() < 0.01,
            "{label}rank_correlation {name}: {} vs {b}",
            g.rho
        );
    }
    let fy = &want["final_year"];
    let b = fy["p_balance"].as_f64().unwrap();
    let tol = 4.0 * (b * (1.0 - b) / ne).sqrt().hypot((b * (1.0 - b) / na).sqrt());
    assert!(
        (got.final_year.p_balance - b).abs() <= tol,
        "{label}final_year.p_balance"
    );
    let es = fy["expected_shortfall"].as_f64().unwrap();
    let last_sd = got.gap.last().unwrap().sd;
    assert!(
        (got.final_year.expected_shortfall - es).abs() <= 4.0 * last_sd * (1.0 / ne + 1.0 / na).sqrt(),
        "{label}expected_shortfall"
    );
    let cap = &want["capital"];
    let spread = (cap["p90"].as_f64().unwrap() - cap["p10"].as_f64().unwrap()).max(1e-9);
    assert!(
        (got.capital.mean - cap["mean"].as_f64().unwrap()).abs() <= 4.0 * spread / na.sqrt() + 1e-9,
        "{label}capital.mean"
    );
}

#[test]
fn example_plan_agrees_within_monte_carlo_error() {
    let plan = parse_plan(&vector("example.toml"), "example.toml").unwrap();
    let opts = RunOptions {
        samples: Some(200_000),
        ..Default::default()
    };
    let got = run_plan(&plan, &opts).unwrap();
    assert_eq!(got.name, "Example Vale (fictional)");
    assert_eq!(got.method, "latin-hypercube");
    assert_agrees(&got, &expected("example.expected.json"), "");
}

#[test]
fn national_example_agrees_within_monte_carlo_error() {
    let plans: Vec<(String, String)> = ["north.toml", "south.toml"]
        .iter()
        .map(|f| (f.to_string(), vector(&format!("national/{f}"))))
        .collect();
    let input = parse_national("national.toml", &vector("national/national.toml"), &plans).unwrap();
    let opts = RunOptions {
        samples: Some(200_000),
        ..Default::default()
    };
    let got = run_national(&input, &opts).unwrap();
    let want = expected("national.expected.json");
    assert_eq!(got.footprints.len(), 2);
    for (i, f) in got.footprints.iter().enumerate() {
        assert_agrees(f, &want["footprints"][i], &format!("footprints[{i}]."));
    }
    assert_eq!(got.national.name, "national");
    assert_agrees(&got.national, &want["national"], "national.");
}

#[test]
fn national_sum_is_the_sum_of_footprints_scenario_by_scenario() {
    // Means add exactly when scenario k of every footprint uses national draw k.
    let plans: Vec<(String, String)> = ["north.toml", "south.toml"]
        .iter()
        .map(|f| (f.to_string(), vector(&format!("national/{f}"))))
        .collect();
    let input = parse_national("national.toml", &vector("national/national.toml"), &plans).unwrap();
    let got = run_national(
        &input,
        &RunOptions {
            samples: Some(20_000),
            ..Default::default()
        },
    )
    .unwrap();
    for t in 0..5 {
        let sum: f64 = got.footprints.iter().map(|f| f.gap[t].mean).sum();
        assert!((sum - got.national.gap[t].mean).abs() < 1e-9 * sum.abs().max(1.0));
    }
    // The national demand growth draw is shared: the national sd exceeds the sum of
    // independent parts' root-sum-square (perfectly correlated national shocks).
    let rss = got.footprints.iter().map(|f| f.gap[4].sd.powi(2)).sum::<f64>().sqrt();
    assert!(got.national.gap[4].sd > 1.2 * rss);
}
