//! Crash safety: runs `footprint serve` on a database, sends writes as people do (consultation
//! responses, votes on a proposal, milestone updates), kills the server with SIGKILL at a random
//! moment, and then checks the database: every write the server acknowledged is there, and the
//! audit log agrees with the rows (one `consultation.response` entry per stored response, at
//! least one entry per acknowledged vote and update). Repeats for the given number of rounds on
//! the same database; exits 1 if anything acknowledged was lost.
//!
//!   crash_check FOOTPRINT_BINARY DATABASE_URL ROUNDS [PORT]
//!
//! Used by `bench/reliability/crash.sh`.

#[path = "drive/mod.rs"]
mod drive;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use drive::{Outcome, Site};
use footprint_store::Store;
use tokio::sync::Mutex;

/// Starts the server and waits until it answers; returns it and what it printed before.
fn start(binary: &str, url: &str, port: u16, demo: bool) -> (Child, String) {
    let mut cmd = Command::new(binary);
    cmd.args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--database-url", url])
        .args(["--responses-per-hour", "0", "--log-level", "warn"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if demo {
        cmd.arg("--demo");
    }
    let mut child = cmd.spawn().expect("start footprint serve");
    let mut printed = String::new();
    let mut out = BufReader::new(child.stdout.take().expect("its output"));
    loop {
        let mut line = String::new();
        if out.read_line(&mut line).expect("its output") == 0 {
            panic!("footprint serve stopped before it was running:\n{printed}");
        }
        printed.push_str(&line);
        if line.starts_with("Footprint is running") {
            break;
        }
    }
    // Keep reading (and dropping) its output so that it never blocks on a full pipe.
    std::thread::spawn(move || for _ in out.lines() {});
    (child, printed)
}

/// "round R seq N" as (R, N).
fn seq(text: &str) -> Option<(u64, u64)> {
    let number = |s: &str| {
        s.chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .ok()
    };
    let rest = &text[text.find("round ")? + 6..];
    Some((number(rest)?, number(&rest[rest.find("seq ")? + 4..])?))
}

#[derive(Default)]
struct Acked {
    responses: Vec<i64>,
    /// (member, (round, seq)) of each acknowledged vote.
    votes: Vec<(i64, (u64, u64))>,
    /// (round, seq) of each acknowledged milestone update.
    milestones: Vec<(u64, u64)>,
    failures: Vec<String>,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: crash_check FOOTPRINT_BINARY DATABASE_URL ROUNDS [PORT]");
        std::process::exit(2);
    }
    let (binary, url) = (args[1].clone(), args[2].clone());
    let rounds: u64 = args[3].parse().expect("a number of rounds");
    let port: u16 = args.get(4).map_or(18431, |p| p.parse().expect("a port"));
    let site = Site {
        base: format!("http://127.0.0.1:{port}"),
    };
    let (first, printed) = start(&binary, &url, port, true);
    let account = |role: &str| drive::demo_account(&printed, role);
    // What to write to: the demo's open consultation, its open proposal and the voters' seats.
    let store = Store::open(&url, 2).await.expect("the database");
    let f = store.footprint_by_code("DEMO01").await.unwrap().expect("the demo");
    let consultation = store.consultations(f.id).await.unwrap()[0].0.id;
    let mut proposal = None;
    for p in store.proposals(f.id).await.unwrap() {
        let open = !p.decided
            && p.meeting_id.is_some()
            && store
                .meetings(p.body_id)
                .await
                .unwrap()
                .iter()
                .any(|m| Some(m.id) == p.meeting_id && m.closed_at.is_none());
        if open {
            proposal = Some(p);
            break;
        }
    }
    let proposal = proposal.expect("an open proposal");
    let members = store.members(proposal.body_id).await.unwrap();
    let mut voters = Vec::new();
    for role in ["Footprint lead / programme office", "Board member"] {
        let (email, password) = account(role);
        let user = store
            .user_by_email(&footprint_domain::person::Email::parse(&email).unwrap())
            .await
            .unwrap()
            .unwrap();
        let member = members.iter().find(|m| m.speaks_for(user.id)).expect("a seat").id;
        voters.push((email, password, member));
    }
    store.close().await;
    let contributor = account("Footprint contributor");
    let consultation_path = format!("/footprints/DEMO01/consultations/{consultation}");
    let proposal_path = format!("/footprints/DEMO01/decisions/proposals/{}", proposal.id);

    let acked = Arc::new(Mutex::new(Acked::default()));
    let mut child = first;
    let mut lost_total = 0usize;
    println!(
        "| round | killed after | responses acknowledged | votes acknowledged | updates acknowledged | lost (all rounds so far) | audit agrees |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---|");
    for round in 0..rounds {
        if round > 0 {
            child = start(&binary, &url, port, false).0;
        }
        let stop = Arc::new(AtomicBool::new(false));
        let before = {
            let a = acked.lock().await;
            (a.responses.len(), a.votes.len(), a.milestones.len())
        };
        let mut tasks = Vec::new();
        // Four people responding to the consultation.
        for task in 0..4u64 {
            let (site, stop, acked, path) = (site.clone(), stop.clone(), acked.clone(), consultation_path.clone());
            tasks.push(tokio::spawn(async move {
                let c = drive::browser();
                let Ok(fields) = site.respond_form(&c, &path).await else {
                    return;
                };
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    match site.respond(&c, &path, &fields, &format!("r{round}t{task}n{n}")).await {
                        Outcome::Done(Some(reference)) => acked.lock().await.responses.push(reference),
                        Outcome::Failed(_) | Outcome::Done(None) => {}
                        Outcome::Refused(s) => acked.lock().await.failures.push(format!("response refused: {s}")),
                    }
                }
            }));
        }
        // Two board members voting, over and over.
        for (email, password, member) in voters.clone() {
            let (site, stop, acked, path) = (site.clone(), stop.clone(), acked.clone(), proposal_path.clone());
            tasks.push(tokio::spawn(async move {
                let Ok(c) = site.sign_in(&email, &password).await else {
                    return;
                };
                let Ok(token) = site.token(&c, &path).await else { return };
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    match site
                        .vote(&c, &token, &path, member, &format!("round {round} seq {n}"))
                        .await
                    {
                        Outcome::Done(_) => acked.lock().await.votes.push((member, (round, n))),
                        Outcome::Failed(_) => {}
                        Outcome::Refused(s) => acked.lock().await.failures.push(format!("vote refused: {s}")),
                    }
                }
            }));
        }
        // A contributor updating a milestone.
        {
            let (site, stop, acked, (email, password)) =
                (site.clone(), stop.clone(), acked.clone(), contributor.clone());
            tasks.push(tokio::spawn(async move {
                let Ok(c) = site.sign_in(&email, &password).await else {
                    return;
                };
                let Ok(token) = site.token(&c, "/footprints/DEMO01/delivery").await else {
                    return;
                };
                let Ok(m) = site.first_milestone(&c, "DEMO01").await else {
                    return;
                };
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let note = format!("round {round} seq {n}");
                    match site.milestone(&c, &token, "DEMO01", (&m.0, &m.1), &note).await {
                        Outcome::Done(_) => acked.lock().await.milestones.push((round, n)),
                        Outcome::Failed(_) => {}
                        Outcome::Refused(s) => acked.lock().await.failures.push(format!("update refused: {s}")),
                    }
                }
            }));
        }
        // Kill it at a moment that differs from round to round (0.8 to 2.3 s in).
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let after = Duration::from_millis(800 + u64::from(nanos % 1500));
        let started = Instant::now();
        tokio::time::sleep(after).await;
        child.kill().expect("kill -9 the server");
        child.wait().expect("the killed server");
        stop.store(true, Ordering::Relaxed);
        for t in tasks {
            let _ = t.await;
        }
        let killed_after = started.elapsed();

        // Check the database as it was left.
        let store = Store::open(&url, 2).await.expect("the database after the crash");
        let a = acked.lock().await;
        let mut lost = Vec::new();
        for r in &a.responses {
            if store.response(consultation, *r).await.unwrap().is_none() {
                lost.push(format!("response {r}"));
            }
        }
        let stored = store.proposal_responses(proposal.id).await.unwrap();
        for (email, _, member) in &voters {
            let last = a.votes.iter().filter(|v| v.0 == *member).map(|v| v.1).max();
            let here = stored
                .iter()
                .find(|r| r.member_id == *member)
                .and_then(|r| seq(&format!("{:?}", r.response)));
            if last.is_some() && here < last {
                lost.push(format!("{email}'s vote {last:?} (stored {here:?})"));
            }
        }
        let note = store
            .milestone_statuses(f.id)
            .await
            .unwrap()
            .iter()
            .filter_map(|m| seq(&m.note))
            .max();
        let last = a.milestones.iter().max().copied();
        if last.is_some() && note < last {
            lost.push(format!("milestone update {last:?} (stored {note:?})"));
        }
        let entries = store.audit_entries(Some(f.id), None, 10_000_000).await.unwrap();
        let count = |action: &str| entries.iter().filter(|e| e.action == action).count();
        let responses_now = store.response_count(consultation).await.unwrap() as usize;
        let audit_agrees = count("consultation.response") == responses_now
            && count("governance.respond") >= a.votes.len()
            && count("delivery.milestone") >= a.milestones.len();
        store.close().await;
        println!(
            "| {round} | {:.2} s | {} | {} | {} | {} | {} |",
            killed_after.as_secs_f64(),
            a.responses.len() - before.0,
            a.votes.len() - before.1,
            a.milestones.len() - before.2,
            lost.len(),
            if audit_agrees { "yes" } else { "NO" }
        );
        for l in &lost {
            eprintln!("  lost: {l}");
        }
        if !a.failures.is_empty() {
            eprintln!(
                "  refused during the round: {:?}",
                &a.failures[..a.failures.len().min(5)]
            );
        }
        lost_total += lost.len() + usize::from(!audit_agrees) + a.failures.len();
    }
    let a = acked.lock().await;
    println!(
        "\n{rounds} kills: {} responses, {} votes and {} milestone updates acknowledged in all; {lost_total} lost or disagreeing.",
        a.responses.len(),
        a.votes.len(),
        a.milestones.len()
    );
    if lost_total > 0 {
        std::process::exit(1);
    }
}
