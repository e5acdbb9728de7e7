//! Moving a footprint between sites: `footprint export` and `footprint import` underneath, on
//! SQLite and on PostgreSQL. An imported footprint reads the same as the original, page for page.

#[macro_use]
mod common;

use common::*;
use footprint_store::{StoreError, Who};

/// A page's text with what legitimately differs between two copies taken out: links and form
/// targets (ids), CSRF tokens, the footprint's code and name.
/// (The plan document itself names the footprint it was written for, so both names go.)
fn normalise(html: &str, code: &str, name: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = [
        "href=\"",
        "action=\"",
        "value=\"",
        "id=\"",
        "for=\"",
        "aria-describedby=\"",
        "name=\"",
    ]
    .iter()
    .filter_map(|m| rest.find(m).map(|i| (i, m.len())))
    .min()
    {
        out.push_str(&rest[..at.0 + at.1]);
        rest = &rest[at.0 + at.1..];
        let end = rest.find('"').unwrap_or(rest.len());
        out.push('…');
        rest = &rest[end..];
    }
    out.push_str(rest);
    // Links named by a number (a response's reference) name a new id in the copy.
    let mut linked = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(at) = rest.find("href=\"…\">") {
        let (head, tail) = rest.split_at(at + "href=\"…\">".len());
        linked.push_str(head);
        let digits = tail.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 && tail[digits..].starts_with("</a>") {
            linked.push('#');
            rest = &tail[digits..];
        } else {
            rest = tail;
        }
    }
    linked.push_str(rest);
    linked
        .replace(code, "CODE")
        .replace(name, "NAME")
        .replace("Northshire and Eastvale (fictional)", "NAME")
        .replace("Imported copy (fictional)", "NAME")
        .replace("DEMO01", "CODE")
        .replace("DEMO02", "CODE")
}

async fn same_pages(app: &App, c: &reqwest::Client, a: (&str, &str), b: (&str, &str), paths: &[String]) {
    for path in paths {
        let (sa, ha) = app.get(c, &path.replace("{code}", a.0)).await;
        let (sb, hb) = app.get(c, &path.replace("{code}", b.0)).await;
        assert_eq!(sa, StatusCode::OK, "{path} on {}", a.0);
        assert_eq!(sb, StatusCode::OK, "{path} on {}", b.0);
        assert_same(&normalise(&ha, a.0, a.1), &normalise(&hb, b.0, b.1), path);
    }
}

fn assert_same(a: &str, b: &str, what: &str) {
    if a != b {
        let line = a.lines().zip(b.lines()).position(|(x, y)| x != y).unwrap_or(0);
        panic!(
            "{what} differs at line {line}:\n  {}\n  {}",
            a.lines().nth(line).unwrap_or(""),
            b.lines().nth(line).unwrap_or("")
        );
    }
}

both!(a_footprint_moves_whole, async |app: &App| {
    // A response with answers, so that question ids inside answers are carried across.
    let public = client();
    let questions = app.store.questions(1).await.unwrap();
    let mut form: Vec<(String, String)> = vec![
        ("idempotency_key".into(), "move-1".into()),
        ("consent".into(), "yes".into()),
    ];
    for q in &questions {
        if q.kind == footprint_domain::consultation::QuestionKind::Single {
            form.push((q.field(), q.choices[1].clone()));
        }
        if q.kind == footprint_domain::consultation::QuestionKind::FreeText {
            form.push((q.field(), "Keep the minor injuries unit open at weekends".into()));
        }
    }
    let fields: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let (s, _, _) = app
        .post(&public, "/footprints/DEMO01/consultations/1/respond", &fields)
        .await;
    assert_eq!(s, StatusCode::OK);

    let doc = app.store.export_footprint("demo01").await.unwrap();
    assert_eq!(doc["footprint"]["code"], "DEMO01");
    let tables = doc["tables"].as_object().unwrap();
    assert!(
        tables["users"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u.get("password_hash").is_none()),
        "no password hashes leave the site"
    );
    assert!(!tables["consultation_responses"].as_array().unwrap().is_empty());
    let text = serde_json::to_string(&doc).unwrap();
    assert!(!text.contains("argon2"));

    // Into the same site under another code: every id is new, organisations and accounts are
    // shared, and the copy reads the same as the original.
    let mut copy = doc.clone();
    copy["footprint"]["code"] = "DEMO02".into();
    copy["footprint"]["name"] = "Imported copy (fictional)".into();
    let before = app.store.table_counts().await.unwrap();
    let done = app.store.import_footprint(&Who::system("test"), &copy).await.unwrap();
    assert_eq!(done.rows.get("organisations"), Some(&0), "organisations are reused");
    assert_eq!(done.rows.get("users"), Some(&0), "accounts are reused");
    assert!(done.reused.0 > 0 && done.reused.1 > 0);
    let after = app.store.table_counts().await.unwrap();
    for ((table, n0), (_, n1)) in before.iter().zip(&after) {
        let exported = tables.get(table).and_then(|t| t.as_array()).map_or(0, Vec::len) as i64;
        let expected = match table.as_str() {
            "footprints" => 1,
            "organisations" | "users" => 0,
            // The import's own entry besides the copied history.
            "audit_log" => exported + 1,
            // Kept by the database: one row per consultation that has responses.
            "consultation_response_counts" => {
                let mut ids: Vec<String> = tables["consultation_responses"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["consultation_id"].to_string())
                    .collect();
                ids.sort();
                ids.dedup();
                ids.len() as i64
            }
            t if tables.contains_key(t) => exported,
            _ => 0,
        };
        assert_eq!(n1 - n0, expected, "{table}: rows added by the import");
    }
    let lead = app.signed_in(LEAD).await;
    let demo = app.store.footprint_by_code("DEMO01").await.unwrap().unwrap();
    let copied = app.store.footprint_by_code("DEMO02").await.unwrap().unwrap();
    let (d1, d2) = (
        app.store.decisions(demo.id).await.unwrap(),
        app.store.decisions(copied.id).await.unwrap(),
    );
    assert_eq!(d1.len(), d2.len());
    assert!(d1.iter().zip(&d2).all(|(x, y)| x.id != y.id), "new ids");
    let c1 = app.store.consultations(demo.id).await.unwrap()[0].0.id;
    let c2 = app.store.consultations(copied.id).await.unwrap()[0].0.id;
    assert_ne!(c1, c2);
    let mut paths: Vec<String> = [
        "/footprints/{code}",
        "/footprints/{code}/plan",
        "/footprints/{code}/plan/versions",
        "/footprints/{code}/plan/versions/1",
        "/footprints/{code}/plan/portfolio",
        "/footprints/{code}/engagement",
        "/footprints/{code}/consultations",
        "/footprints/{code}/decisions",
        "/footprints/{code}/board",
        "/footprints/{code}/delivery",
        "/footprints/{code}/submissions",
        "/footprints/{code}/people",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    same_pages(app, &lead, ("DEMO01", &demo.name), ("DEMO02", &copied.name), &paths).await;
    // Pages under ids: each original beside its copy.
    paths.clear();
    for (x, y) in d1.iter().zip(&d2) {
        let (a, b) = (
            app.get(&lead, &format!("/footprints/DEMO01/decisions/{}", x.id)).await,
            app.get(&lead, &format!("/footprints/DEMO02/decisions/{}", y.id)).await,
        );
        assert_eq!((a.0, b.0), (StatusCode::OK, StatusCode::OK));
        assert_same(
            &normalise(&a.1, "DEMO01", &demo.name),
            &normalise(&b.1, "DEMO02", &copied.name),
            &format!("decision {}", x.id),
        );
    }
    for page in ["", "/analysis"] {
        let a = app
            .get(&lead, &format!("/footprints/DEMO01/consultations/{c1}{page}"))
            .await;
        let b = app
            .get(&lead, &format!("/footprints/DEMO02/consultations/{c2}{page}"))
            .await;
        assert_eq!((a.0, b.0), (StatusCode::OK, StatusCode::OK));
        assert_same(
            &normalise(&a.1, "DEMO01", &demo.name),
            &normalise(&b.1, "DEMO02", &copied.name),
            &format!("consultation{page}"),
        );
        if page == "/analysis" {
            assert!(
                b.1.contains("minor injuries unit"),
                "the answers came across with their questions"
            );
        }
    }

    // Again: refused, nothing written.
    let before = app.store.table_counts().await.unwrap();
    match app.store.import_footprint(&Who::system("test"), &copy).await {
        Err(StoreError::Conflict { message, .. }) => assert!(message.contains("already holds")),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(app.store.table_counts().await.unwrap(), before);

    // Into a new site: the reference footprint with the same code is filled.
    let other = footprint_store::testing::sqlite().await;
    footprint_web::setup::first_start(&other.store).await.unwrap();
    let mut reference = doc.clone();
    reference["footprint"]["code"] = "E54000005".into();
    let done = other
        .store
        .import_footprint(&Who::system("test"), &reference)
        .await
        .unwrap();
    assert_eq!(done.rows.get("footprints"), None, "the reference footprint was used");
    assert!(done.rows["users"] > 0 && done.rows["organisations"] > 0);
    let f = other.store.footprint_by_code("E54000005").await.unwrap().unwrap();
    assert_eq!(other.store.decisions(f.id).await.unwrap().len(), d1.len());
    assert_eq!(
        other.store.partners(f.id).await.unwrap().len(),
        app.store.partners(demo.id).await.unwrap().len()
    );
    other.finish().await;
});

both!(bad_exports_are_refused_naming_where, async |app: &App| {
    let doc = app.store.export_footprint("DEMO01").await.unwrap();
    let mut moved = doc.clone();
    moved["footprint"]["code"] = "DEMO03".into();
    let cases: Vec<(serde_json::Value, &str)> = vec![
        (serde_json::json!({"format": "something else"}), "format"),
        (
            {
                let mut d = moved.clone();
                d["version"] = 9.into();
                d
            },
            "version: this release reads version 1",
        ),
        (
            {
                let mut d = moved.clone();
                d["schema_version"] = 999.into();
                d
            },
            "later release",
        ),
        (
            {
                let mut d = moved.clone();
                d["tables"]["decisions"][0]["title"] = 5.into();
                d
            },
            "tables.decisions[0].title: expected text",
        ),
        (
            {
                let mut d = moved.clone();
                d["tables"]["body_members"][1]["body_id"] = 987_654.into();
                d
            },
            "tables.body_members[1].body_id: 987654 is not one of the bodies in this export",
        ),
        (
            {
                let mut d = moved.clone();
                d["tables"]["meetings"][0].as_object_mut().unwrap().remove("minutes");
                d
            },
            "tables.meetings[0].minutes: is missing",
        ),
        (
            {
                let mut d = moved.clone();
                d["tables"]["wishes"] = serde_json::json!([]);
                d
            },
            "tables.wishes: is not a table",
        ),
        (
            {
                let mut d = moved.clone();
                d["footprint"]["name"] = "".into();
                d
            },
            "footprint.name",
        ),
    ];
    let before = app.store.table_counts().await.unwrap();
    for (bad, expect) in cases {
        match app.store.import_footprint(&Who::system("test"), &bad).await {
            Err(StoreError::Import(m)) => assert!(m.contains(expect), "{m:?} should say {expect:?}"),
            other => panic!("expected a refusal saying {expect:?}, got {other:?}"),
        }
        assert_eq!(
            app.store.table_counts().await.unwrap(),
            before,
            "nothing written for {expect}"
        );
    }
});

/// Every column of every table is either exported or said not to be, so a new column cannot be
/// silently left behind.
#[tokio::test]
async fn the_export_covers_the_schema() {
    use footprint_store::transfer::{NOT_EXPORTED, exported_columns};
    let db = footprint_store::testing::sqlite().await;
    let exported = exported_columns();
    // Credentials and site roles stay with the site.
    let skipped_user_columns = [
        "password_hash",
        "site_role",
        "version",
        "totp_secret",
        "totp_pending",
        "totp_offered_at",
        "totp_last_step",
    ];
    for (table, _) in db.store.table_counts().await.unwrap() {
        if NOT_EXPORTED.iter().any(|(t, _)| *t == table) {
            continue;
        }
        let columns = db.store.table_columns(&table).await.unwrap();
        let (_, ours) = exported
            .iter()
            .find(|(t, _)| *t == table)
            .unwrap_or_else(|| panic!("the table {table} is neither exported nor listed in NOT_EXPORTED"));
        for c in &columns {
            assert!(
                ours.contains(&c.as_str()) || (table == "users" && skipped_user_columns.contains(&c.as_str())),
                "{table}.{c} is not exported"
            );
        }
        assert_eq!(
            ours.len(),
            columns.iter().filter(|c| ours.contains(&c.as_str())).count(),
            "{table}: exported columns exist"
        );
    }
    db.finish().await;
}

/// The open demo proposal (on the agenda of a meeting not yet closed).
async fn open_proposal(app: &App) -> footprint_store::governance::Proposal {
    let f = app.store.footprint_by_code("DEMO01").await.unwrap().unwrap();
    let mut open = Vec::new();
    for p in app.store.proposals(f.id).await.unwrap() {
        if p.decided || p.meeting_id.is_none() {
            continue;
        }
        let meetings = app.store.meetings(p.body_id).await.unwrap();
        if meetings
            .iter()
            .any(|m| Some(m.id) == p.meeting_id && m.closed_at.is_none())
        {
            open.push(p);
        }
    }
    open.into_iter()
        .next()
        .expect("the demo has a proposal on an open agenda")
}

// Many clients at once: edits with a revision (each success is one step, no update is lost),
// votes (one standing response per member, whichever came last), duplicate responses (counted
// once), and nothing deadlocks: all of it finishes on both backends.
mod concurrency {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let app = spawn_with(footprint_store::testing::sqlite().await, 100_000).await;
        many_at_once(&app).await;
        app.finish().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        let Some(db) = footprint_store::testing::postgres().await else {
            eprintln!("TEST_POSTGRES_URL is not set: the PostgreSQL run of this test is skipped");
            return;
        };
        let app = spawn_with(db, 100_000).await;
        many_at_once(&app).await;
        app.finish().await;
    }
}

async fn many_at_once(app: &App) {
    tokio::time::timeout(std::time::Duration::from_secs(120), async {
        edits(app).await;
        votes(app).await;
        responses(app).await;
    })
    .await
    .expect("everything finishes: no deadlock");
}

async fn edits(app: &App) {
    let f = app.store.footprint_by_code("DEMO01").await.unwrap().unwrap();
    let start = app.store.plan_draft(f.id).await.unwrap().unwrap();
    let audit_before = app.store.audit_count().await.unwrap();
    let mut tasks = Vec::new();
    for writer in 0..12 {
        let store = app.store.clone();
        tasks.push(tokio::spawn(async move {
            let mut won = Vec::new();
            for attempt in 0..6 {
                let draft = store.plan_draft(f.id).await.unwrap().unwrap();
                let mut doc: serde_json::Value = serde_json::from_str(&draft.document).unwrap();
                doc["vision"] = format!("written by {writer}, attempt {attempt}").into();
                match store
                    .update_plan_draft(
                        &Who::system("writer"),
                        f.id,
                        draft.revision,
                        &doc.to_string(),
                        "concurrent edit",
                    )
                    .await
                {
                    Ok(revision) => won.push((revision, doc["vision"].as_str().unwrap().to_string())),
                    Err(StoreError::Stale(_)) => {}
                    Err(e) => panic!("an edit failed other than as stale: {e}"),
                }
            }
            won
        }));
    }
    let mut won: Vec<(i64, String)> = Vec::new();
    for t in tasks {
        won.extend(t.await.unwrap());
    }
    assert!(!won.is_empty());
    let revisions: std::collections::BTreeSet<i64> = won.iter().map(|w| w.0).collect();
    assert_eq!(revisions.len(), won.len(), "no two edits took the same revision");
    let end = app.store.plan_draft(f.id).await.unwrap().unwrap();
    assert_eq!(
        end.revision,
        start.revision + won.len() as i64,
        "every accepted edit is one step"
    );
    let last = won.iter().max_by_key(|w| w.0).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&end.document).unwrap();
    assert_eq!(doc["vision"], last.1.as_str(), "the draft holds the last accepted edit");
    assert_eq!(
        app.store.audit_count().await.unwrap() - audit_before,
        won.len() as i64,
        "one audit entry per accepted edit"
    );
}

async fn votes(app: &App) {
    let p = open_proposal(app).await;
    let members = app.store.members(p.body_id).await.unwrap();
    let voters = [LEAD, "Board member"];
    let mut tasks = Vec::new();
    for role in voters {
        let email = app.accounts.iter().find(|a| a.role == role).unwrap().email.clone();
        let user = app
            .store
            .user_by_email(&footprint_domain::person::Email::parse(&email).unwrap())
            .await
            .unwrap()
            .unwrap();
        let member = members
            .iter()
            .find(|m| m.speaks_for(user.id))
            .expect("a representative")
            .id;
        for k in 0..6 {
            let c = app.signed_in(role).await;
            let token = app.token(&c).await;
            let url = app.url(&format!("/footprints/DEMO01/decisions/proposals/{}/respond", p.id));
            let response = if k % 2 == 0 { "consent" } else { "abstain" };
            tasks.push(tokio::spawn(async move {
                let r = c
                    .post(url)
                    .form(&[
                        ("member", member.to_string().as_str()),
                        ("response", response),
                        ("csrf_token", token.as_str()),
                    ])
                    .send()
                    .await
                    .unwrap();
                (r.status(), member)
            }));
        }
    }
    for t in tasks {
        let (status, _) = t.await.unwrap();
        assert_eq!(status, StatusCode::SEE_OTHER, "every vote is taken");
    }
    let responses = app.store.proposal_responses(p.id).await.unwrap();
    let mut per_member: std::collections::HashMap<i64, usize> = Default::default();
    for r in &responses {
        *per_member.entry(r.member_id).or_default() += 1;
    }
    assert!(per_member.values().all(|n| *n == 1), "one standing response per member");
    assert!(per_member.len() >= 2);
}

async fn responses(app: &App) {
    let questions = app.store.questions(1).await.unwrap();
    let single = questions
        .iter()
        .find(|q| q.kind == footprint_domain::consultation::QuestionKind::Single)
        .unwrap();
    let (field, choice) = (single.field(), single.choices[0].clone());
    let before = app.store.response_count(1).await.unwrap();
    let mut tasks = Vec::new();
    for k in 0..30 {
        // Ten keys, each sent three times at once (double-clicks and retries).
        let key = format!("burst{}", k % 10);
        let c = client();
        let token = app.token(&c).await;
        let url = app.url("/footprints/DEMO01/consultations/1/respond");
        let (field, choice) = (field.clone(), choice.clone());
        tasks.push(tokio::spawn(async move {
            let r = c
                .post(url)
                .form(&[
                    ("idempotency_key", key.as_str()),
                    (field.as_str(), choice.as_str()),
                    ("consent", "no"),
                    ("csrf_token", token.as_str()),
                ])
                .send()
                .await
                .unwrap();
            let status = r.status();
            let html = r.text().await.unwrap();
            let at = html.find("Your reference is").expect("a receipt") + "Your reference is".len();
            let reference: String = html[at..]
                .chars()
                .skip_while(|c| !c.is_ascii_digit())
                .take_while(char::is_ascii_digit)
                .collect();
            (status, key, reference)
        }));
    }
    let mut references: std::collections::HashMap<String, std::collections::BTreeSet<String>> = Default::default();
    for t in tasks {
        let (status, key, reference) = t.await.unwrap();
        assert_eq!(status, StatusCode::OK);
        references.entry(key).or_default().insert(reference);
    }
    assert!(
        references.values().all(|r| r.len() == 1),
        "each key got one reference: {references:?}"
    );
    assert_eq!(
        app.store.response_count(1).await.unwrap() - before,
        10,
        "counted once per key"
    );
}

// Two instances on one PostgreSQL database, no sticky sessions: a person signs in on one and
// carries on on the other, and a background job started on both at once runs once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_one_database() {
    let Some(db) = footprint_store::testing::postgres().await else {
        eprintln!("TEST_POSTGRES_URL is not set: the PostgreSQL run of this test is skipped");
        return;
    };
    let app = spawn(db).await;
    let other = app.second_instance().await;
    let c = app.signed_in(LEAD).await;
    let r = c.get(format!("{other}/account")).send().await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "the session made on one instance works on the other"
    );
    assert!(r.text().await.unwrap().contains("Sign out"));
    // A form from one instance is accepted by the other (the CSRF key is shared).
    let token = app.token(&c).await;
    let r = c
        .post(format!("{other}/account/tokens"))
        .form(&[("token_name", "made on the second instance"), ("csrf_token", &token)])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success() || r.status().is_redirection(), "{}", r.status());
    // Signing out on the second ends the session on the first.
    let national = app.signed_in("National assurance").await;
    let token_a = app.token(&national).await;
    let (a, b) = (app.url("/national/stress"), format!("{other}/national/stress"));
    let (ra, rb) = tokio::join!(
        national
            .post(a)
            .form(&[("samples", "1000"), ("csrf_token", &token_a)])
            .send(),
        national
            .post(b)
            .form(&[("samples", "1000"), ("csrf_token", &token_a)])
            .send(),
    );
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    let started = [ra.status(), rb.status()]
        .iter()
        .filter(|s| **s == StatusCode::SEE_OTHER)
        .count();
    assert_eq!(
        started,
        1,
        "one start is taken, the other is told a run is going: {} {}",
        ra.status(),
        rb.status()
    );
    // Wait for it to finish, then count: one run, one finish in the audit log.
    let mut finished = false;
    for _ in 0..600 {
        let runs = app.store.national_runs(10).await.unwrap();
        if runs.iter().all(|r| r.status != "running") {
            finished = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(finished, "the run finished");
    assert_eq!(app.store.national_runs(10).await.unwrap().len(), 1);
    let finishes = app
        .store
        .audit_entries(None, None, 1000)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == "national.run.finish")
        .count();
    assert_eq!(finishes, 1, "the job ran once");
    let sign_out_token = app.token(&c).await;
    let r = c
        .post(format!("{other}/sign-out"))
        .form(&[("csrf_token", sign_out_token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = c.get(app.url("/account")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "signed out everywhere");
    app.finish().await;
}
