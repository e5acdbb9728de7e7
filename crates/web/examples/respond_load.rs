//! Load test of the consultation response form: sends responses to one consultation at a fixed
//! rate for a fixed time, each with its own idempotency key, and one in fifty sent twice at once
//! (a double-clicked submit). Then it counts: every request answered 200, every response stored
//! once (the consultation's count rose by exactly the number of distinct keys), and each double
//! send given the first one's reference. Exits 1 if any of that fails.
//!
//!   respond_load BASE_URL CONSULTATION_PATH [RATE_PER_SECOND] [SECONDS]
//!
//! Used by `bench/load/responses.sh`, which starts the server with a rate limit high enough for
//! one address to send them all.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The text between `start` and the next `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let at = text.find(start)? + start.len();
    let rest = &text[at..];
    Some(&rest[..rest.find(end)?])
}

fn count(page: &str) -> u64 {
    between(
        page,
        "Responses so far</dt><dd class=\"nhsuk-summary-list__value\">",
        "<",
    )
    .and_then(|n| n.trim().parse().ok())
    .expect("the consultation page shows its response count")
}

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (base, path) = (args[1].clone(), args[2].clone());
    let rate: u64 = args.get(3).map_or(200, |a| a.parse().expect("a rate"));
    let seconds: u64 = args.get(4).map_or(60, |a| a.parse().expect("seconds"));
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .pool_max_idle_per_host(512)
        .build()
        .expect("a client");
    let form = client
        .get(format!("{base}{path}/respond"))
        .send()
        .await
        .expect("the form")
        .text()
        .await
        .expect("the form's text");
    let token = between(&form, "name=\"csrf_token\" value=\"", "\"")
        .expect("a CSRF token")
        .to_string();
    // The first single-choice question and its first choice.
    let question = between(&form, "type=\"radio\" value=\"", "\"")
        .expect("a choice")
        .to_string();
    let field = {
        let at = form.find("type=\"radio\" value=\"").expect("a choice");
        let before = &form[..at];
        let name_at = before.rfind("name=\"").expect("its name") + 6;
        before[name_at..].split('"').next().expect("a name").to_string()
    };
    let before = count(
        &client
            .get(format!("{base}{path}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    let run = std::process::id();
    let fields = Arc::new((token, field, question));
    let url = Arc::new(format!("{base}{path}/respond"));
    let mut tasks = Vec::new();
    let mut tick = tokio::time::interval(Duration::from_nanos(1_000_000_000 / rate));
    let total = rate * seconds;
    let started = Instant::now();
    for i in 0..total {
        tick.tick().await;
        let key = format!("load{run}x{i}");
        let sends = if i % 50 == 0 { 2 } else { 1 };
        for _ in 0..sends {
            let (client, fields, url, key) = (client.clone(), fields.clone(), url.clone(), key.clone());
            tasks.push(tokio::spawn(async move {
                let t = Instant::now();
                let r = client
                    .post(url.as_str())
                    .form(&[
                        ("csrf_token", fields.0.as_str()),
                        ("idempotency_key", key.as_str()),
                        (fields.1.as_str(), fields.2.as_str()),
                        ("consent", "no"),
                    ])
                    .send()
                    .await;
                let (status, body) = match r {
                    Ok(r) => {
                        let s = r.status().as_u16();
                        (s, r.text().await.unwrap_or_default())
                    }
                    Err(_) => (0, String::new()),
                };
                let reference = between(&body, "Your reference is <strong>", "<").map(str::to_string);
                (key, status, reference, t.elapsed())
            }));
        }
    }
    let sent_in = started.elapsed();
    let mut latencies = Vec::new();
    let mut statuses: HashMap<u16, u64> = HashMap::new();
    let mut by_key: HashMap<String, Vec<Option<String>>> = HashMap::new();
    for t in tasks {
        let (key, status, reference, latency) = t.await.expect("a task");
        *statuses.entry(status).or_default() += 1;
        latencies.push(latency);
        by_key.entry(key).or_default().push(reference);
    }
    let elapsed = started.elapsed();
    let after = count(
        &client
            .get(format!("{base}{path}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 - 1.0) * p) as usize].as_secs_f64() * 1000.0;
    let requests = latencies.len() as u64;
    let ok = statuses.get(&200).copied().unwrap_or(0);
    let missing_reference = by_key.values().flatten().filter(|r| r.is_none()).count();
    let doubles_split = by_key
        .values()
        .filter(|r| r.len() > 1 && r.iter().collect::<HashSet<_>>().len() > 1)
        .count();
    let references: HashSet<&String> = by_key.values().flatten().flatten().collect();
    let stored = after - before;
    println!(
        "responses: {} distinct, {requests} requests ({} sent twice at once)",
        by_key.len(),
        total.div_ceil(50)
    );
    println!(
        "rate: {:.1} requests/s offered over {:.1} s; all answered after {:.1} s",
        requests as f64 / sent_in.as_secs_f64(),
        sent_in.as_secs_f64(),
        elapsed.as_secs_f64()
    );
    println!(
        "latency: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );
    println!("statuses: {statuses:?}");
    println!(
        "stored: {stored} (count {before} -> {after}); distinct references {}; double sends given two references: {doubles_split}; answers without a reference: {missing_reference}",
        references.len()
    );
    let good = ok == requests
        && stored == by_key.len() as u64
        && references.len() == by_key.len()
        && doubles_split == 0
        && missing_reference == 0;
    println!(
        "{}",
        if good {
            "PASS: no error, none lost, none counted twice"
        } else {
            "FAIL"
        }
    );
    if !good {
        std::process::exit(1);
    }
}
