//! `footprint stress`: reads the files (the edge), runs the engine, prints one whole result.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use footprint_stress::{
    BadInput, CheckSettings, FootprintDetail, RunOptions, parse_national, parse_plan, run_national, run_plan,
};

use crate::output;

/// The commented example plan printed by `--example`.
pub const EXAMPLE: &str = include_str!("../../../data/example-plan.toml");

#[derive(Copy, Clone, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A readable table.
    Table,
    /// The JSON result of the stress model, format 1.
    Json,
    /// One row per quantity, year and statistic.
    Csv,
}

#[derive(Args)]
#[command(arg_required_else_help = true)]
pub struct StressArgs {
    /// The plan file (.toml or .json).
    #[arg(value_name = "PLAN", conflicts_with_all = ["national", "example"])]
    plan: Option<PathBuf>,
    /// National mode: DIR holds national.toml and one plan per footprint.
    #[arg(long, value_name = "DIR", conflicts_with = "example")]
    national: Option<PathBuf>,
    /// Print a commented example plan and exit.
    #[arg(long)]
    example: bool,
    /// Number of scenarios, 1000 to 10000000 (default: the file's [run] samples, else 100000).
    #[arg(long, value_name = "N")]
    samples: Option<u64>,
    /// Random seed (default: the file's [run] seed, else 0).
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, value_name = "T", value_parser = clap::value_parser!(u16).range(1..=1024))]
    threads: Option<u16>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Change a credibility-check threshold, e.g. --check savings-rate=0.025 (see docs/stress-checks.md).
    #[arg(long = "check", value_name = "RULE=VALUE")]
    checks: Vec<String>,
}

fn bad(e: &BadInput) -> ExitCode {
    eprintln!("{e}");
    let n = e.errors.len();
    eprintln!(
        "footprint stress: {n} problem{} found; no result was produced",
        if n == 1 { "" } else { "s" }
    );
    ExitCode::from(2)
}

fn read(path: &Path) -> Result<String, BadInput> {
    std::fs::read_to_string(path).map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            std::io::ErrorKind::InvalidData => "the file is not UTF-8 text".to_string(),
            _ => e.to_string(),
        };
        BadInput::single(&path.display().to_string(), "", format!("cannot read the file: {why}"))
    })
}

/// A progress bar on stderr, shown only when stderr is a terminal and the run passes a second.
struct Bar {
    bar: indicatif::ProgressBar,
    start: Instant,
    shown: std::sync::atomic::AtomicBool,
}

impl Bar {
    fn new() -> Option<Bar> {
        if !std::io::stderr().is_terminal() {
            return None;
        }
        let bar = indicatif::ProgressBar::hidden();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {human_pos}/{human_len} scenarios, {eta} left")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Some(Bar {
            bar,
            start: Instant::now(),
            shown: false.into(),
        })
    }

    fn update(&self, done: u64, total: u64) {
        use std::sync::atomic::Ordering;
        self.bar.set_length(total);
        self.bar.set_position(done);
        if !self.shown.load(Ordering::Relaxed) && self.start.elapsed() > Duration::from_secs(1) && done < total {
            self.shown.store(true, Ordering::Relaxed);
            self.bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// The example plan in the format asked for: commented TOML, or the same plan as JSON (which
/// has no comments). A CSV plan does not exist.
fn example(format: Format) -> Result<String, String> {
    match format {
        Format::Table => Ok(EXAMPLE.to_string()),
        Format::Json => {
            let plan: serde_json::Value =
                toml::from_str(EXAMPLE).map_err(|e| format!("the example plan does not read: {e}"))?;
            serde_json::to_string_pretty(&plan)
                .map(|t| t + "\n")
                .map_err(|e| e.to_string())
        }
        Format::Csv => {
            Err("--example prints a plan, as TOML (the default) or JSON (--format json); a plan has no CSV form".into())
        }
    }
}

/// Refuses a result with a figure that is not a finite number, naming the file it came from
/// (`whose` says which result, when the file alone does not).
fn finite(file: &str, whose: &str, r: &footprint_stress::StressResult) -> Result<(), BadInput> {
    match r.first_non_finite() {
        None => Ok(()),
        Some(what) => Err(BadInput::single(
            file,
            "",
            format!(
                "{whose}{what} is not a finite number: the amounts are too large to compute with; \
                 expected amounts in £m of a realistic size"
            ),
        )),
    }
}

/// True for a file name ending in .toml or .json, in any case: the plan formats of spec section 3.
fn is_plan_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".toml") || lower.ends_with(".json")
}

pub fn run(args: StressArgs) -> ExitCode {
    if args.example {
        return match example(args.format) {
            Ok(text) => emit(text),
            Err(e) => {
                eprintln!("footprint stress: {e}");
                ExitCode::from(2)
            }
        };
    }
    let mut checks = CheckSettings::default();
    for c in &args.checks {
        if let Err(e) = checks.set(c) {
            eprintln!("footprint stress: --check {c}: {e}");
            return ExitCode::from(2);
        }
    }
    let bar = Bar::new();
    let progress = |d: u64, t: u64| {
        if let Some(b) = &bar {
            b.update(d, t);
        }
    };
    let opts = RunOptions {
        samples: args.samples,
        seed: args.seed,
        threads: args.threads.map(usize::from),
        progress: Some(&progress),
        checks,
        footprint_detail: FootprintDetail::Full,
    };
    let text = if let Some(dir) = &args.national {
        match national(dir, &opts, args.format) {
            Ok(t) => t,
            Err(e) => return bad(&e),
        }
    } else if let Some(path) = &args.plan {
        let file = path.display().to_string();
        let result = if is_plan_name(&file) || path.is_dir() {
            read(path)
                .and_then(|t| parse_plan(&t, &file))
                .and_then(|p| run_plan(&p, &opts))
                .and_then(|r| finite(&file, "", &r).map(|()| r))
        } else {
            Err(BadInput::single(
                &file,
                "",
                "expected a plan file whose name ends in .toml or .json (spec section 3)",
            ))
        };
        match result {
            Ok(r) => match args.format {
                Format::Json => output::json(&r),
                Format::Csv => output::csv(std::slice::from_ref(&r)),
                Format::Table => output::table(&r),
            },
            Err(e) => return bad(&e),
        }
    } else {
        eprintln!("footprint stress: give a PLAN file, --national DIR or --example");
        return ExitCode::from(2);
    };
    if let Some(b) = &bar {
        b.finish();
    }
    emit(text)
}

fn national(dir: &Path, opts: &RunOptions<'_>, format: Format) -> Result<String, BadInput> {
    let d = dir.display().to_string();
    let entries =
        std::fs::read_dir(dir).map_err(|e| BadInput::single(&d, "", format!("cannot read the directory: {e}")))?;
    let national_path = dir.join("national.toml");
    if !national_path.is_file() {
        return Err(BadInput::single(
            &d,
            "",
            "no national.toml in this directory; national mode needs one (spec section 7)",
        ));
    }
    let national_text = read(&national_path)?;
    let mut plans = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| BadInput::single(&d, "", format!("cannot read the directory: {e}")))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        if is_plan_name(&name) && name != "national.toml" && path.is_file() {
            plans.push((path.display().to_string(), read(&path)?));
        }
    }
    let input = parse_national(&national_path.display().to_string(), &national_text, &plans)?;
    let r = run_national(&input, opts)?;
    for ((file, _), footprint) in input.plans.iter().zip(&r.footprints) {
        finite(file, "", footprint)?;
    }
    finite(&d, "the national sum's ", &r.national)?;
    Ok(match format {
        Format::Json => output::json(&r),
        Format::Csv => {
            let mut all = r.footprints.clone();
            all.push(r.national.clone());
            output::csv(&all)
        }
        Format::Table => output::national_table(&r),
    })
}

/// Writes the whole result at once; a failed write is an internal failure.
fn emit(text: String) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("footprint stress: cannot write the result: {e}");
            ExitCode::from(1)
        }
    }
}
