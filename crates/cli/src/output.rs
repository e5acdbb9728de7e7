//! Output formats of `footprint stress`: JSON, a readable table and CSV.

use std::fmt::Write;

use footprint_stress::result::YearStats;
use footprint_stress::{NationalResult, StressResult};

/// Pretty JSON with a final newline.
pub fn json<T: serde::Serialize>(r: &T) -> String {
    let mut s = serde_json::to_string_pretty(r).expect("results serialise");
    s.push('\n');
    s
}

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

fn stats_block(out: &mut String, title: &str, rows: &[YearStats], show_balance: bool) {
    let _ = writeln!(out, "{title}");
    let _ = write!(
        out,
        "  {:<9}{:>10}{:>9}{:>10}{:>10}{:>10}{:>10}{:>10}",
        "year", "mean", "sd", "p5", "p10", "p50", "p90", "p95"
    );
    if show_balance {
        let _ = write!(out, "{:>13}", "P(balance)");
    }
    out.push('\n');
    for r in rows {
        let _ = write!(
            out,
            "  {:<9}{:>10.1}{:>9.1}{:>10.1}{:>10.1}{:>10.1}{:>10.1}{:>10.1}",
            r.year, r.mean, r.sd, r.p5, r.p10, r.p50, r.p90, r.p95
        );
        if show_balance {
            let _ = write!(out, "{:>13}", pct(r.p_balance));
        }
        out.push('\n');
    }
    out.push('\n');
}

/// A readable report of one result.
pub fn table(r: &StressResult) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: stress test of {} scenarios ({}, seed {})",
        r.name, r.samples, r.method, r.seed
    );
    let _ = writeln!(
        out,
        "All figures £m, cash. A positive gap is a deficit; the plan balances when the gap is 0 or less.\n"
    );
    stats_block(&mut out, "Gap after the plan", &r.gap, true);
    stats_block(&mut out, "Do-nothing gap", &r.do_nothing_gap, true);
    stats_block(&mut out, "Savings delivered", &r.savings, false);
    let last = r.years.last().cloned().unwrap_or_default();
    let _ = writeln!(
        out,
        "Final year {last}: P(balance) {} (standard error {}), expected shortfall £{:.1}m",
        pct(r.final_year.p_balance),
        pct(r.final_year.se_p_balance),
        r.final_year.expected_shortfall
    );
    let _ = writeln!(
        out,
        "Capital (one-off): mean £{:.1}m; P10 £{:.1}m, P50 £{:.1}m, P90 £{:.1}m",
        r.capital.mean, r.capital.p10, r.capital.p50, r.capital.p90
    );
    let median: Vec<String> = r.median_plan.gap.iter().map(|g| format!("{g:.1}")).collect();
    let _ = writeln!(out, "Median plan gap by year: {}\n", median.join(", "));
    if !r.tornado.is_empty() {
        let _ = writeln!(
            out,
            "What drives the final-year gap (each value at its P10 and P90, the rest at their medians)"
        );
        let _ = writeln!(
            out,
            "  {:<48}{:>10}{:>10}{:>10}{:>10}",
            "variable", "at P10", "at P90", "swing", "rank r"
        );
        for t in r.tornado.iter().take(15) {
            let rho = r
                .rank_correlation
                .iter()
                .find(|c| c.variable == t.variable)
                .map_or(String::new(), |c| format!("{:.2}", c.rho));
            let _ = writeln!(
                out,
                "  {:<48}{:>10.1}{:>10.1}{:>10.1}{:>10}",
                t.variable, t.low, t.high, t.swing, rho
            );
        }
        if r.tornado.len() > 15 {
            let _ = writeln!(out, "  ... and {} more (see --format json)", r.tornado.len() - 15);
        }
        out.push('\n');
    }
    if r.flags.is_empty() {
        let _ = writeln!(out, "Credibility checks: none raised.");
    } else {
        let _ = writeln!(out, "Credibility checks:");
        for f in &r.flags {
            let _ = writeln!(out, "  [{}] {}", f.rule, f.message);
        }
    }
    out
}

/// A readable report of a national run.
pub fn national_table(r: &NationalResult) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "National stress test: {} footprints, {} scenarios each (seed {})\n",
        r.footprints.len(),
        r.national.samples,
        r.national.seed
    );
    let _ = writeln!(
        out,
        "  {:<40}{:>14}{:>14}{:>14}",
        "footprint", "final gap P50", "P(balance)", "shortfall"
    );
    for f in &r.footprints {
        let last = f.gap.last();
        let _ = writeln!(
            out,
            "  {:<40}{:>14.1}{:>14}{:>14.1}",
            f.name,
            last.map_or(0.0, |l| l.p50),
            pct(f.final_year.p_balance),
            f.final_year.expected_shortfall
        );
    }
    out.push('\n');
    // The national sum's report, headed as the total rather than by its JSON name.
    let report = table(&r.national);
    let body = report.split_once('\n').map_or("", |(_, rest)| rest);
    let _ = writeln!(
        out,
        "All {} footprints together: {} scenarios (shared national draws)",
        r.footprints.len(),
        r.national.samples
    );
    out.push_str(body);
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// CSV: one row per footprint, quantity, year and statistic.
pub fn csv(results: &[StressResult]) -> String {
    let mut out = String::from("footprint,quantity,year,statistic,value\n");
    for r in results {
        let name = csv_field(&r.name);
        for (quantity, rows) in [
            ("gap", &r.gap),
            ("do_nothing_gap", &r.do_nothing_gap),
            ("savings", &r.savings),
        ] {
            for y in rows {
                for (stat, v) in y.named() {
                    let _ = writeln!(out, "{name},{quantity},{},{stat},{v}", y.year);
                }
            }
        }
        for (i, g) in r.median_plan.gap.iter().enumerate() {
            let _ = writeln!(out, "{name},median_plan_gap,{},value,{g}", r.years[i]);
        }
    }
    out
}
