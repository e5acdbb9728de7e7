//! Benchmark of the national view: 44 footprints, each with a demo-sized published plan (the
//! demo footprint's 40 initiatives), on a fresh SQLite database.
//!
//! 1. The national stress test as the app runs it (gathering the plans from the database, the
//!    background job with its progress writes, the summary stored), against the engine alone on
//!    the same plans (the baseline), both at SAMPLES scenarios a footprint.
//! 2. The national dashboard (`GET /national` as national assurance, over HTTP on loopback):
//!    median and 95th percentile of REQUESTS requests after one warm-up.
//!
//!   national_bench [SAMPLES] [REQUESTS]
//!
//! Used by `bench/national.sh`.

use std::time::{Duration, Instant};

use footprint_store::plans::VersionStatus;
use footprint_store::{Store, Who};
use footprint_web::{AppState, Application, Config};

/// The `footprint` binary's allocator, so that the figures are those of what ships.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    // The app's job logs how long it spent gathering plans and in the engine.
    tracing_subscriber::fmt()
        .with_env_filter("footprint_web=info")
        .with_writer(std::io::stderr)
        .init();
    let args: Vec<String> = std::env::args().collect();
    let samples: u64 = args.get(1).map_or(100_000, |a| a.parse().expect("a scenario count"));
    let requests: usize = args.get(2).map_or(50, |a| a.parse().expect("a request count"));
    let dir = std::env::temp_dir().join(format!("footprint-national-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    let store = Store::open(&url, 8).await.expect("the database");
    footprint_web::setup::first_start(&store).await.expect("reference data");
    let accounts = footprint_web::setup::load_demo(&store).await.expect("the demo");
    // Every reference footprint publishes a plan the size of the demo's.
    let who = Who::system("bench");
    let orgs: Vec<(String, i64)> = store
        .organisations()
        .await
        .expect("organisations")
        .into_iter()
        .map(|o| (o.name, o.id))
        .collect();
    let doc = serde_json::to_string(&footprint_web::setup::demo_plan(&orgs)).expect("JSON");
    let mut footprints = 0;
    for f in store.footprints().await.expect("footprints") {
        if f.footprint.reference {
            store
                .create_plan_draft(&who, f.footprint.id, &doc)
                .await
                .expect("a draft");
            store
                .snapshot_plan(&who, f.footprint.id, VersionStatus::Published)
                .await
                .expect("a published version");
            footprints += 1;
        }
    }
    // The baseline: the engine alone on the same 45 plans (the 44 and the demo), with the same
    // options as the app's job (each footprint's statistics; the national result whole).
    let mut plans = Vec::new();
    for f in store.footprints().await.expect("footprints") {
        if let Some(v) = store.latest_published_plan(f.footprint.id).await.expect("a plan") {
            let d: footprint_domain::plan::PlanDocument = serde_json::from_str(&v.document).expect("a plan document");
            let (model, _) = footprint_web::routes::national_stress::nationalise(&d.model);
            plans.push((format!("{}.json", f.footprint.code), model.to_string()));
        }
    }
    let input = footprint_stress::engine::parse_national(
        "national.toml",
        footprint_web::routes::national_stress::NATIONAL_TOML,
        &plans,
    )
    .expect("the national input");
    // The engine alone, timed before and after the app's job: the machine's drift between
    // runs shows as the difference between the two.
    let input = std::sync::Arc::new(input);
    let engine_alone = async || {
        let input = input.clone();
        let t = Instant::now();
        let result = tokio::task::spawn_blocking(move || {
            footprint_stress::engine::run_national(
                &input,
                &footprint_stress::engine::RunOptions {
                    samples: Some(samples),
                    footprint_detail: footprint_stress::engine::FootprintDetail::Statistics,
                    ..Default::default()
                },
            )
        })
        .await
        .expect("the engine")
        .expect("a result");
        (result, t.elapsed())
    };
    let (engine, engine_before) = engine_alone().await;
    // The app's job, start to stored summary.
    let t = Instant::now();
    let id = store.start_national_run(&who, samples as i64).await.expect("a run");
    footprint_web::routes::national_stress::run(store.clone(), id, samples).await;
    let app_time = t.elapsed();
    let (_, engine_after) = engine_alone().await;
    let run = store.national_runs(1).await.expect("runs").remove(0);
    assert_eq!(run.status, "done", "{}", run.error);
    let national = run.result.as_ref().expect("a summary")["national"]["gap_p50"].as_f64();
    assert_eq!(
        national,
        Some(engine.national.gap.last().expect("years").p50),
        "the app and the engine agree"
    );
    println!(
        "national stress test, {} footprints x {samples} scenarios: app job {:.2} s (engine alone {:.2} s before it, {:.2} s after)",
        plans.len(),
        app_time.as_secs_f64(),
        engine_before.as_secs_f64(),
        engine_after.as_secs_f64()
    );
    // The dashboard over HTTP.
    let config = Config {
        listen: "127.0.0.1:0".parse().expect("an address"),
        ..Config::default()
    };
    let state = AppState::new(store.clone(), config).await.expect("the app");
    let app = Application::build(state).await.expect("a listener");
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until(std::future::pending()));
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let na = accounts
        .iter()
        .find(|a| a.role == "National assurance")
        .expect("a national assurance account");
    let page = client
        .get(format!("{base}/sign-in"))
        .send()
        .await
        .expect("the sign-in page")
        .text()
        .await
        .expect("its text");
    let at = page.find("name=\"csrf_token\" value=\"").expect("a token") + 25;
    let token = page[at..at + 64].to_string();
    let r = client
        .post(format!("{base}/sign-in"))
        .form(&[
            ("email", na.email.as_str()),
            ("password", &na.password),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .expect("signed in");
    assert_eq!(r.status(), reqwest::StatusCode::SEE_OTHER);
    let get = async || {
        let t = Instant::now();
        let r = client
            .get(format!("{base}/national"))
            .send()
            .await
            .expect("the dashboard");
        assert_eq!(r.status(), reqwest::StatusCode::OK);
        let body = r.text().await.expect("its text");
        assert!(body.contains(&format!("{} footprints", footprints + 1)));
        t.elapsed()
    };
    get().await;
    let mut times: Vec<Duration> = Vec::new();
    for _ in 0..requests {
        times.push(get().await);
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "national dashboard, {} footprints with plans: median {:.1} ms, p95 {:.1} ms over {requests} requests",
        footprints + 1,
        ms(times[times.len() / 2]),
        ms(times[(times.len() * 95 / 100).min(times.len() - 1)])
    );
    let _ = std::fs::remove_dir_all(&dir);
}
