//! Criterion benchmarks of the stress engine. Figures and how to read them: docs/benchmarks.md.
//!
//!     cargo bench -p footprint-stress --bench engine

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use footprint_stress::dist::{BetaTable, Dist, Sampler};
use footprint_stress::model::Model;
use footprint_stress::run::Sampled;
use footprint_stress::special::inv_inc_beta;
use footprint_stress::{NationalInput, RunOptions, parse_national, parse_plan, run_national, run_plan};

/// The `footprint` binary's allocator (crates/cli), so that the figures are those of what ships:
/// with the C library's, each footprint's result columns are fresh pages from the kernel.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const PLAN60: &str = include_str!("../../../bench/compare/plan60.toml");
const DEMO_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/demo/national");

/// 44 footprints: the demo national plans, renamed and scaled so that each is its own footprint.
pub fn national44() -> NationalInput {
    let mut sources = Vec::new();
    for entry in std::fs::read_dir(DEMO_DIR).expect("demo national directory") {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name != "national.toml" && name.ends_with(".toml") {
            sources.push(std::fs::read_to_string(&path).unwrap());
        }
    }
    sources.sort();
    let national = std::fs::read_to_string(format!("{DEMO_DIR}/national.toml")).unwrap();
    let plans: Vec<(String, String)> = (0..44)
        .map(|k| {
            let text = &sources[k % sources.len()];
            let renamed = text.replacen("(fictional)", &format!("(fictional {k})"), 1);
            (format!("footprint-{k:02}.toml"), renamed)
        })
        .collect();
    parse_national("national.toml", &national, &plans).expect("valid demo plans")
}

fn engine(c: &mut Criterion) {
    let plan = parse_plan(PLAN60, "plan60.toml").unwrap();
    let model = Model::compile(&plan, &[]);

    let mut g = c.benchmark_group("plan60");
    g.sample_size(10);
    for n in [100_000u64, 1_000_000] {
        g.throughput(Throughput::Elements(n));
        g.bench_function(format!("simulate/{n}"), |b| {
            let s = Sampled::new(&model, 1, n, "", &plan.correlations, None);
            b.iter(|| black_box(s.simulate(None)))
        });
        g.bench_function(format!("run_plan/{n}"), |b| {
            let opts = RunOptions {
                samples: Some(n),
                seed: Some(1),
                ..Default::default()
            };
            b.iter(|| black_box(run_plan(&plan, &opts).unwrap()))
        });
    }
    g.finish();

    let input = national44();
    let mut g = c.benchmark_group("national44");
    g.sample_size(10);
    g.throughput(Throughput::Elements(44 * 100_000));
    g.bench_function("run_national/100000", |b| {
        let opts = RunOptions {
            samples: Some(100_000),
            seed: Some(1),
            ..Default::default()
        };
        b.iter(|| black_box(run_national(&input, &opts).unwrap()))
    });
    g.finish();

    let mut g = c.benchmark_group("quantiles");
    let pert = Dist::Pert {
        min: 0.4,
        mode: 0.7,
        max: 0.95,
    };
    let (a, b) = Dist::pert_shape(0.4, 0.7, 0.95);
    let sampler = Sampler::new(pert);
    let u: Vec<f64> = (0..1024).map(|i| (f64::from(i) + 0.5) / 1024.0).collect();
    let mut x = vec![0.0; 1024];
    g.throughput(Throughput::Elements(1024));
    // The exact quantile itself (the inverse incomplete beta), not `Dist::quantile`, which
    // remembers the few quantiles the tornado and median plan ask for.
    g.bench_function("pert-exact/1024", |bch| {
        bch.iter(|| u.iter().map(|&p| 0.4 + 0.55 * inv_inc_beta(a, b, p)).sum::<f64>())
    });
    g.bench_function("pert-table/1024", |bch| {
        bch.iter(|| {
            sampler.draw_into(&u, &mut x);
            black_box(x[0])
        })
    });
    g.bench_function("pert-table-build", |bch| {
        bch.iter(|| black_box(BetaTable::build(a, b).max_error))
    });
    g.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
