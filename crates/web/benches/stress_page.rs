//! The stress page of the demo plan through the real router: with the engine run afresh
//! (20,000 scenarios, as after every edit) and with the result kept, beside the engine alone.
//!
//!     cargo bench -p footprint-web --bench stress_page

use std::hint::black_box;
use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::http::Request;
use criterion::{Criterion, criterion_group, criterion_main};
use footprint_store::Store;
use footprint_web::{AppState, Config, router};
use tower::ServiceExt;

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = std::env::temp_dir().join(format!("footprint-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    let state = rt.block_on(async {
        let store = Store::open(&url, 4).await.unwrap();
        footprint_web::setup::first_start(&store).await.unwrap();
        footprint_web::setup::load_demo(&store).await.unwrap();
        AppState::new(store, Config::default()).await.unwrap()
    });
    let app = router(state.clone());
    let page = |app: axum::Router| async move {
        let req = Request::get("/footprints/DEMO01/plan/versions/1/stress")
            .body(Body::empty())
            .unwrap();
        let r = app.oneshot(req).await.unwrap();
        assert!(r.status().is_success());
        to_bytes(r.into_body(), usize::MAX).await.unwrap().len()
    };
    let mut g = c.benchmark_group("stress-page");
    g.sample_size(30).measurement_time(Duration::from_secs(10));
    g.bench_function("demo plan, 20000 scenarios, run afresh", |b| {
        b.iter(|| {
            state.forget_stress_results();
            black_box(rt.block_on(page(app.clone())))
        })
    });
    g.bench_function("demo plan, result kept", |b| {
        b.iter(|| black_box(rt.block_on(page(app.clone()))))
    });
    let demo = include_str!("../../../data/demo/northshire-and-eastvale.toml");
    let plan = footprint_stress::parse_plan(demo, "demo.toml").unwrap();
    g.bench_function("engine alone: run_plan, 20000 scenarios", |b| {
        b.iter(|| {
            let opts = footprint_stress::RunOptions {
                samples: Some(20_000),
                ..Default::default()
            };
            black_box(footprint_stress::run_plan(&plan, &opts).unwrap())
        })
    });
    g.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, bench);
criterion_main!(benches);
