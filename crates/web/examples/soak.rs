//! Load and soak: a mixed load on a running Footprint for a fixed time at a fixed offered rate —
//! public pages, consultation responses, signed-in partners reading the draft, milestone
//! updates and votes — measuring throughput, p50 and p99 per kind, errors, and the server's
//! memory every few seconds (start, end, and the trend over the second half). At the end it
//! checks that the consultation counted exactly the responses acknowledged. Prints a Markdown
//! summary; exits 1 on any error or miscount.
//!
//!   soak BASE_URL SERVER_PID SECONDS RATE SERVE_OUTPUT_FILE
//!
//! SERVE_OUTPUT_FILE is what `footprint serve --demo` printed (the demo accounts). Used by
//! `bench/reliability/soak.sh`.

#[path = "drive/mod.rs"]
mod drive;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use drive::{Outcome, Site};
use tokio::sync::Mutex;

const PUBLIC: &[&str] = &[
    "/",
    "/footprints",
    "/footprints/DEMO01",
    "/footprints/DEMO01/plan",
    "/footprints/DEMO01/decisions",
    "/consultations",
    "/footprints/DEMO01/consultations/1",
    "/data/footprints.json",
    "/api/v1/footprints/DEMO01",
];
const SIGNED_IN: &[&str] = &[
    "/footprints/DEMO01/plan",
    "/footprints/DEMO01/engagement",
    "/account/notifications",
];

/// One cycle of the mix: 11 public pages, 3 responses, 2 signed-in pages, 2 updates, 2 votes.
const MIX: &[&str] = &[
    "public page",
    "public page",
    "response",
    "public page",
    "signed-in page",
    "public page",
    "vote",
    "public page",
    "response",
    "public page",
    "update",
    "public page",
    "public page",
    "signed-in page",
    "public page",
    "response",
    "public page",
    "vote",
    "update",
    "public page",
];

#[derive(Default)]
struct Record {
    latencies: BTreeMap<&'static str, Vec<u32>>,
    /// (seconds from the start when the action finished, its latency in microseconds).
    timeline: Vec<(f32, u32)>,
    errors: BTreeMap<&'static str, Vec<String>>,
    responses: u64,
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[i]) / 1000.0
}

fn response_count(page: &str) -> Option<u64> {
    drive::between(
        page,
        "Responses so far</dt><dd class=\"nhsuk-summary-list__value\">",
        "<",
    )?
    .trim()
    .parse()
    .ok()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 6 {
        eprintln!("usage: soak BASE_URL SERVER_PID SECONDS RATE SERVE_OUTPUT_FILE");
        std::process::exit(2);
    }
    let site = Site { base: args[1].clone() };
    let pid: u32 = args[2].parse().expect("a process id");
    let seconds: u64 = args[3].parse().expect("seconds");
    let rate: u64 = args[4].parse().expect("a rate");
    let printed = std::fs::read_to_string(&args[5]).expect("the server's output");
    let account = |role: &str| drive::demo_account(&printed, role);
    // The people: public visitors share a pool of connections; partners are signed in.
    let public = drive::browser();
    let consultation = "/footprints/DEMO01/consultations/1";
    let fields = Arc::new(
        site.respond_form(&public, consultation)
            .await
            .expect("the response form"),
    );
    let start_count = response_count(&site.get(&public, consultation).await.unwrap().1).expect("a count");
    let (email, password) = account("Partner organisation member");
    let member = site.sign_in(&email, &password).await.expect("a member");
    let (email, password) = account("Footprint contributor");
    let contributor = site.sign_in(&email, &password).await.expect("a contributor");
    let edit_token = site.token(&contributor, "/footprints/DEMO01/delivery").await.unwrap();
    let milestone = site.first_milestone(&contributor, "DEMO01").await.unwrap();
    // The open proposal and the voters' seats, read off the proposal pages.
    let (lead_email, lead_password) = account("Footprint lead / programme office");
    let lead = site.sign_in(&lead_email, &lead_password).await.expect("the lead");
    let (board_email, board_password) = account("Board member");
    let board = site
        .sign_in(&board_email, &board_password)
        .await
        .expect("a board member");
    let mut voters = Vec::new();
    for id in 1..20 {
        let path = format!("/footprints/DEMO01/decisions/proposals/{id}");
        let (status, html) = site.get(&lead, &path).await.unwrap();
        if status != 200 || !html.contains("name=\"member\"") {
            continue;
        }
        for c in [&lead, &board] {
            let html = site.get(c, &path).await.unwrap().1;
            let seat = drive::between(&html, "name=\"member\" value=\"", "\"")
                .or_else(|| drive::between(&html, "<option value=\"", "\""))
                .and_then(|m| m.parse::<i64>().ok());
            let token = drive::between(&html, "name=\"csrf_token\" value=\"", "\"").map(str::to_string);
            if let (Some(seat), Some(token)) = (seat, token) {
                voters.push((c.clone(), token, path.clone(), seat));
            }
        }
        break;
    }
    assert!(
        !voters.is_empty(),
        "an open proposal the lead and a board member can vote on"
    );

    let record = Arc::new(Mutex::new(Record::default()));
    let memory = Arc::new(Mutex::new(Vec::<(f64, u64)>::new()));
    let started = Instant::now();
    {
        let memory = memory.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(5));
            loop {
                every.tick().await;
                if let Some(kib) = drive::rss_kib(pid) {
                    memory.lock().await.push((started.elapsed().as_secs_f64(), kib));
                }
            }
        });
    }
    let in_flight = Arc::new(tokio::sync::Semaphore::new(512));
    let mut tick = tokio::time::interval(Duration::from_nanos(1_000_000_000 / rate));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let total = rate * seconds;
    let mut tasks = Vec::with_capacity(total as usize);
    for n in 0..total {
        tick.tick().await;
        let kind = MIX[n as usize % MIX.len()];
        let permit = in_flight.clone().acquire_owned().await.expect("a permit");
        let (site, record) = (site.clone(), record.clone());
        let (public, member, contributor) = (public.clone(), member.clone(), contributor.clone());
        let (fields, edit_token, milestone) = (fields.clone(), edit_token.clone(), milestone.clone());
        let voter = voters[(n as usize / MIX.len()) % voters.len()].clone();
        tasks.push(tokio::spawn(async move {
            let t = Instant::now();
            let result: Result<(), String> = match kind {
                "public page" => match site.get(&public, PUBLIC[n as usize % PUBLIC.len()]).await {
                    Ok((200, _)) => Ok(()),
                    Ok((s, _)) => Err(format!("status {s}")),
                    Err(e) => Err(e),
                },
                "signed-in page" => match site.get(&member, SIGNED_IN[n as usize % SIGNED_IN.len()]).await {
                    Ok((200, _)) => Ok(()),
                    Ok((s, _)) => Err(format!("status {s}")),
                    Err(e) => Err(e),
                },
                "response" => match site.respond(&public, consultation, &fields, &format!("soak{n}")).await {
                    Outcome::Done(Some(_)) => {
                        record.lock().await.responses += 1;
                        Ok(())
                    }
                    other => Err(format!("{other:?}")),
                },
                "update" => {
                    let note = format!("soak update {n}");
                    match site
                        .milestone(&contributor, &edit_token, "DEMO01", (&milestone.0, &milestone.1), &note)
                        .await
                    {
                        Outcome::Done(_) => Ok(()),
                        other => Err(format!("{other:?}")),
                    }
                }
                _ => {
                    let (c, token, path, seat) = voter;
                    match site.vote(&c, &token, &path, seat, &format!("soak vote {n}")).await {
                        Outcome::Done(_) => Ok(()),
                        other => Err(format!("{other:?}")),
                    }
                }
            };
            let micros = t.elapsed().as_micros().min(u128::from(u32::MAX)) as u32;
            let mut r = record.lock().await;
            r.latencies.entry(kind).or_default().push(micros);
            r.timeline.push((started.elapsed().as_secs_f32(), micros));
            if let Err(e) = result {
                // When, so that an error can be matched with the server's log.
                let at = started.elapsed().as_secs_f32();
                r.errors.entry(kind).or_default().push(format!("{e} at {at:.1} s"));
            }
            drop(permit);
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let end_count = response_count(&site.get(&public, consultation).await.unwrap().1).expect("a count");
    if let Some(kib) = drive::rss_kib(pid) {
        memory.lock().await.push((elapsed, kib));
    }
    let r = record.lock().await;
    let mut all: Vec<u32> = r.latencies.values().flatten().copied().collect();
    all.sort_unstable();
    let errors: usize = r.errors.values().map(Vec::len).sum();
    println!("| kind | requests | p50 ms | p99 ms | errors |");
    println!("|---|---:|---:|---:|---:|");
    for (kind, l) in &r.latencies {
        let mut l = l.clone();
        l.sort_unstable();
        println!(
            "| {kind} | {} | {:.2} | {:.2} | {} |",
            l.len(),
            percentile(&l, 0.5),
            percentile(&l, 0.99),
            r.errors.get(kind).map_or(0, Vec::len)
        );
    }
    println!(
        "| all | {} | {:.2} | {:.2} | {errors} |",
        all.len(),
        percentile(&all, 0.5),
        percentile(&all, 0.99)
    );
    println!();
    println!(
        "Throughput: {:.0} actions/s offered, {:.0} completed/s over {elapsed:.0} s.",
        rate,
        all.len() as f64 / elapsed
    );
    // Whether the server kept up all the way: completions and p99 in each tenth of the run.
    let tenth = (elapsed / 10.0) as f32;
    let windows: Vec<String> = (0..10)
        .map(|w| {
            let (from, to) = (tenth * w as f32, tenth * (w + 1) as f32);
            let mut l: Vec<u32> = r
                .timeline
                .iter()
                .filter(|x| x.0 >= from && (x.0 < to || w == 9))
                .map(|x| x.1)
                .collect();
            l.sort_unstable();
            format!("{:.0}/s, {:.0} ms", l.len() as f32 / tenth, percentile(&l, 0.99))
        })
        .collect();
    println!(
        "Completed per second and p99, by tenth of the run: {}.",
        windows.join("; ")
    );
    let m = memory.lock().await;
    let (first, last) = (m.first().map_or(0, |x| x.1), m.last().map_or(0, |x| x.1));
    let peak = m.iter().map(|x| x.1).max().unwrap_or(0);
    // The trend over the second half: least squares, KiB per minute.
    let half: Vec<&(f64, u64)> = m.iter().filter(|x| x.0 >= elapsed / 2.0).collect();
    let slope = if half.len() >= 3 {
        let n = half.len() as f64;
        let (sx, sy) = half.iter().fold((0.0, 0.0), |a, x| (a.0 + x.0, a.1 + x.1 as f64));
        let (mx, my) = (sx / n, sy / n);
        let (num, den) = half.iter().fold((0.0, 0.0), |a, x| {
            (a.0 + (x.0 - mx) * (x.1 as f64 - my), a.1 + (x.0 - mx).powi(2))
        });
        num / den * 60.0
    } else {
        0.0
    };
    println!(
        "Server memory (resident): {:.1} MiB at the first sample, {:.1} MiB at the end, {:.1} MiB at most; trend over the second half {slope:+.0} KiB/min.",
        first as f64 / 1024.0,
        last as f64 / 1024.0,
        peak as f64 / 1024.0
    );
    let counted = end_count - start_count;
    println!(
        "Responses: {} acknowledged, the consultation counted {counted} more.",
        r.responses
    );
    for (kind, e) in &r.errors {
        eprintln!("{kind}: {} errors, first: {:?}", e.len(), &e[..e.len().min(3)]);
    }
    if errors > 0 || counted != r.responses {
        std::process::exit(1);
    }
}
