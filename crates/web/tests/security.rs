//! Personal data and access through the running app, on SQLite and on PostgreSQL: a subject
//! access export and erasure reach everything the app shows, and the retention rules run.

#[macro_use]
mod common;

use common::*;
use footprint_store::privacy::Subject;

const CONTRIBUTOR: &str = "Footprint contributor";

/// A member of the public responds to the demo's open consultation; returns the reference.
async fn respond(app: &App, c: &reqwest::Client, key: &str, name: &str, email: &str, text: &str) -> i64 {
    let questions = app.store.questions(1).await.unwrap();
    let mut form: Vec<(String, String)> = vec![
        ("idempotency_key".into(), key.into()),
        ("name".into(), name.into()),
        ("email".into(), email.into()),
        ("consent".into(), "yes".into()),
    ];
    for q in &questions {
        match q.kind {
            footprint_domain::consultation::QuestionKind::Single => form.push((q.field(), q.choices[0].clone())),
            footprint_domain::consultation::QuestionKind::FreeText => form.push((q.field(), text.into())),
            _ => {}
        }
    }
    let fields: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let (s, _, html) = app.post(c, "/footprints/DEMO01/consultations/1/respond", &fields).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    let marker = "Your reference is";
    let at = html.find(marker).expect("a receipt") + marker.len();
    html[at..]
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

both!(subject_access_and_erasure, async |app: &App| {
    let public = client();
    let before = app.store.response_count(1).await.unwrap();
    let first = respond(
        app,
        &public,
        "privacy-1",
        "Wilhelmina Canary",
        "Wilhelmina.Canary@example.org",
        "My father waited nine hours at Eastvale General",
    )
    .await;
    let second = respond(app, &public, "privacy-2", "", "", "An anonymous view on travel times").await;
    assert_eq!(app.store.response_count(1).await.unwrap(), before + 2);

    // The export by email (in any case) finds the response, its answers and the name given.
    let doc = app
        .store
        .subject_export(&Subject::Email("wilhelmina.canary@EXAMPLE.org".into()))
        .await
        .unwrap();
    let responses = doc["consultation_responses"].as_array().unwrap();
    assert_eq!(responses.len(), 1);
    assert_eq!(responses[0]["reference"], first);
    assert_eq!(responses[0]["respondent_name"], "Wilhelmina Canary");
    assert!(responses[0]["answers"].to_string().contains("nine hours"));
    assert_eq!(responses[0]["consultation"]["footprint"], "DEMO01");
    assert!(doc["account"].is_null());
    // By reference, for a response given without an email address.
    let doc = app.store.subject_export(&Subject::Response(second)).await.unwrap();
    assert!(
        doc["consultation_responses"][0]["answers"]
            .to_string()
            .contains("travel times")
    );

    // A contributor's account: sessions, a token, sign-in attempts, roles and audit entries.
    let member = app.signed_in(CONTRIBUTOR).await;
    let (s, _) = app.get(&member, "/account").await;
    assert_eq!(s, StatusCode::OK);
    let (s, _, _) = app
        .post(&member, "/account/tokens", &[("token_name", "reporting")])
        .await;
    assert!(s.is_success() || s.is_redirection(), "{s}");
    let email = app
        .accounts
        .iter()
        .find(|a| a.role == CONTRIBUTOR)
        .unwrap()
        .email
        .clone();
    let doc = app.store.subject_export(&Subject::Email(email.clone())).await.unwrap();
    let account = &doc["account"];
    assert_eq!(account["email"], email.to_lowercase());
    assert!(!account["sessions"].as_array().unwrap().is_empty());
    assert_eq!(account["api_tokens"][0]["name"], "reporting");
    assert!(!account["footprint_roles"].as_array().unwrap().is_empty());
    assert!(
        account["audit_entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "api-token.create")
    );
    assert!(!doc["sign_in_attempts"].as_array().unwrap().is_empty());
    assert!(!doc.to_string().contains("argon2"), "no password hash in an export");

    // Erasure of the respondent: the response is gone from every count and page, the audit log
    // says so without naming them, and the anonymous response is untouched.
    let done = app
        .store
        .subject_erase(&Subject::Email("WILHELMINA.CANARY@example.org".into()))
        .await
        .unwrap();
    assert_eq!(done.responses, 1);
    assert_eq!(app.store.response_count(1).await.unwrap(), before + 1);
    let lead = app.signed_in(LEAD).await;
    let (_, html) = app.get(&lead, "/footprints/DEMO01/consultations/1/analysis").await;
    assert!(!html.contains("nine hours") && !html.contains("Wilhelmina"));
    let audit = app.store.audit_entries(None, None, 20).await.unwrap();
    let erased = audit
        .iter()
        .find(|e| e.action == "consultation.response.erase")
        .expect("an audit entry for the erasure");
    assert_eq!(erased.entity_id, first.to_string());
    for e in &audit {
        assert!(
            !format!("{e:?}").contains("Wilhelmina"),
            "the audit log names the respondent: {e:?}"
        );
    }
    let doc = app
        .store
        .subject_export(&Subject::Email("wilhelmina.canary@example.org".into()))
        .await
        .unwrap();
    assert!(doc["consultation_responses"].as_array().unwrap().is_empty());
    // Erasing again finds nothing; by reference works for the anonymous one.
    assert!(
        app.store
            .subject_erase(&Subject::Email("wilhelmina.canary@example.org".into()))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        app.store
            .subject_erase(&Subject::Response(second))
            .await
            .unwrap()
            .responses,
        1
    );
    assert_eq!(app.store.response_count(1).await.unwrap(), before);

    let (_, people) = app.get(&lead, "/footprints/DEMO01/people").await;
    assert!(people.contains(&email), "listed before the erasure");
    // Closing the contributor's account: signed out at once, cannot sign in, gone from the people
    // list, and the export under the old address finds no account.
    let done = app.store.subject_erase(&Subject::Email(email.clone())).await.unwrap();
    assert_eq!(done.accounts.len(), 1);
    assert!(done.sign_in_attempts >= 1);
    let r = member.get(app.url("/account")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "the session is gone");
    let password = app
        .accounts
        .iter()
        .find(|a| a.role == CONTRIBUTOR)
        .unwrap()
        .password
        .clone();
    let fresh = client();
    let (s, _, html) = app
        .post(&fresh, "/sign-in", &[("email", &email), ("password", &password)])
        .await;
    assert_ne!(s, StatusCode::SEE_OTHER, "an erased account cannot sign in: {html}");
    let (_, people) = app.get(&lead, "/footprints/DEMO01/people").await;
    assert!(!people.contains(&email));
    let doc = app.store.subject_export(&Subject::Email(email)).await.unwrap();
    assert!(doc["account"].is_null());
    // Only the failed attempt made after the erasure is left.
    let attempts = doc["sign_in_attempts"].as_array().unwrap();
    assert!(
        attempts.len() <= 1 && attempts.iter().all(|a| a["succeeded"] == false),
        "{attempts:?}"
    );

    // The last active administrator's account is not closed.
    let admin = app
        .accounts
        .iter()
        .find(|a| a.role == "Site administrator")
        .unwrap()
        .email
        .clone();
    app.store.subject_erase(&Subject::Email(admin)).await.unwrap();
    match app
        .store
        .subject_erase(&Subject::Email(footprint_web::setup::FIRST_ADMIN_EMAIL.into()))
        .await
    {
        Err(footprint_store::StoreError::Conflict { message, .. }) => {
            assert!(message.contains("only active site administrator"))
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
});

both!(retention_rules_remove_what_is_no_longer_needed, async |app: &App| {
    let public = client();
    respond(app, &public, "retention-1", "", "", "Kept, but not who sent it").await;
    let _lead = app.signed_in(LEAD).await;
    let now = footprint_store::now_ms();
    // Nothing is old yet.
    let r = app.store.apply_retention(now).await.unwrap();
    assert_eq!((r.sign_in_attempts, r.client_keys), (0, 0));
    // Two months on: sessions have expired, attempts and client keys are past keeping.
    let later = now + 61 * 24 * 3_600_000;
    let r = app.store.apply_retention(later).await.unwrap();
    assert!(
        r.sessions >= 1 && r.sign_in_attempts >= 1 && r.client_keys >= 1,
        "{r:?}"
    );
    let again = app.store.apply_retention(later).await.unwrap();
    assert_eq!((again.sessions, again.sign_in_attempts, again.client_keys), (0, 0, 0));
    // The response itself is kept.
    let responses = app.store.responses(1).await.unwrap();
    assert!(
        responses
            .iter()
            .any(|r| format!("{:?}", r.answers).contains("who sent it"))
    );
});

// The access sweep: private things are planted (a draft, the demo's confidential estates item, a
// respondent's personal details, a join request's contact, another footprint's draft); every
// page and API route the site links to is found by crawling it as several roles; then every
// role fetches every one of those addresses, and the same addresses with the footprint code
// swapped (an id from one footprint asked for under another), and no private thing may appear
// in any answer, HTML or JSON, to a role that may not read it.

const OTHER: &str = "E54000005";
const DRAFT: &str = "CANARY-DRAFT-7731";
const OTHER_DRAFT: &str = "CANARY-OTHER-3319";
const DRAFT_PROPOSAL: &str = "CANARY-PROPOSAL-8810";
const RESPONDENT: [&str; 3] = [
    "Canary Respondent-9921",
    "canary-9921@example.org",
    "Canary Organisation-9921",
];
const JOIN_CONTACT: [&str; 2] = ["Canary Contact-5512", "canary-join-5512@example.org"];
/// The demo's confidential item: its title, minutes and paper.
const CONFIDENTIAL: [&str; 2] = ["Eastvale Road", "commercial in confidence"];

const SWEEP_ROLES: [&str; 8] = [
    "Public",
    MEMBER,
    CONTRIBUTOR,
    "Board member",
    LEAD,
    "National assurance",
    "Site administrator",
    "Other footprint's lead",
];

/// The roles that may read each planted thing.
fn may_read(thing: &str, role: &str) -> bool {
    let partner = [MEMBER, CONTRIBUTOR, "Board member", LEAD];
    let national = ["National assurance", "Site administrator"];
    match thing {
        "draft" => partner.contains(&role) || national.contains(&role),
        "confidential" => ["Board member", LEAD].contains(&role) || national.contains(&role),
        "respondent" => [CONTRIBUTOR, "Board member", LEAD, "Site administrator"].contains(&role),
        "join contact" => [LEAD, "Site administrator"].contains(&role),
        "other draft" => ["Other footprint's lead", "National assurance", "Site administrator"].contains(&role),
        _ => unreachable!(),
    }
}

fn planted() -> Vec<(&'static str, &'static str)> {
    let mut out = vec![
        ("draft", DRAFT),
        ("draft", DRAFT_PROPOSAL),
        ("other draft", OTHER_DRAFT),
    ];
    out.extend(RESPONDENT.iter().map(|s| ("respondent", *s)));
    out.extend(JOIN_CONTACT.iter().map(|s| ("join contact", *s)));
    out.extend(CONFIDENTIAL.iter().map(|s| ("confidential", *s)));
    out
}

async fn plant(app: &App) -> (String, String) {
    use footprint_domain::access::FootprintRole;
    use footprint_store::users::NewUser;
    let who = footprint_store::Who::system("sweep");
    let demo = app.store.footprint_by_code("DEMO01").await.unwrap().unwrap();
    let draft = app
        .store
        .plan_draft(demo.id)
        .await
        .unwrap()
        .expect("the demo has a draft");
    let mut doc: serde_json::Value = serde_json::from_str(&draft.document).unwrap();
    doc["vision"] = format!("{DRAFT}: a vision not yet published").into();
    app.store
        .update_plan_draft(&who, demo.id, draft.revision, &doc.to_string(), "sweep")
        .await
        .unwrap();
    // A proposal still being drafted (not on any agenda).
    let body = app.store.bodies(demo.id).await.unwrap()[0].id;
    app.store
        .create_proposal(
            &who,
            demo.id,
            &footprint_store::governance::ProposalInput {
                body_id: body,
                title: format!("{DRAFT_PROPOSAL}: merge the two stroke units"),
                what: "A draft for discussion.".into(),
                why: "Senior cover at night.".into(),
                options_considered: String::new(),
                subjects: Vec::new(),
                priorities: Vec::new(),
                initiatives: Vec::new(),
                effect: footprint_domain::consultation::OptionEffect::NotModelled,
                affected_groups: Vec::new(),
                reconfiguration: false,
                evidence: Default::default(),
                confidential: false,
                supersedes_id: None,
                stress: None,
            },
        )
        .await
        .unwrap();
    // A respondent's personal details (the answers themselves may be published).
    let public = client();
    let questions = app.store.questions(1).await.unwrap();
    let mut form: Vec<(String, String)> = vec![
        ("idempotency_key".into(), "sweep-1".into()),
        ("name".into(), RESPONDENT[0].into()),
        ("email".into(), RESPONDENT[1].into()),
        ("on_behalf_of".into(), RESPONDENT[2].into()),
        ("consent".into(), "yes".into()),
    ];
    for q in &questions {
        if q.kind == footprint_domain::consultation::QuestionKind::Single {
            form.push((q.field(), q.choices[0].clone()));
        }
    }
    let fields: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let (s, _, _) = app
        .post(&public, "/footprints/DEMO01/consultations/1/respond", &fields)
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _, html) = app
        .post(
            &public,
            "/vcs/join",
            &[
                ("footprint", "DEMO01"),
                ("organisation", "Canary Community Group"),
                ("contact_name", JOIN_CONTACT[0]),
                ("contact_email", JOIN_CONTACT[1]),
                ("message", "We run lunch clubs in Eastvale."),
            ],
        )
        .await;
    assert!(s.is_success() || s.is_redirection(), "join request: {s} {html}");
    // Another footprint, with a lead of its own and a private draft.
    let other = app.store.footprint_by_code(OTHER).await.unwrap().unwrap();
    let password = "sweep-other-lead-password-1";
    let user = app
        .store
        .create_user(
            &who,
            &NewUser {
                email: footprint_domain::person::Email::parse("other.lead@example.org").unwrap(),
                display_name: "Other Lead".into(),
                password_hash: footprint_web::auth::hash_password_now(password).unwrap(),
                site_role: footprint_domain::access::SiteRole::None,
                organisation_id: None,
            },
        )
        .await
        .unwrap();
    app.store
        .grant_footprint_role(&who, user.id, other.id, FootprintRole::Lead)
        .await
        .unwrap();
    let mut other_doc = doc.clone();
    other_doc["vision"] = format!("{OTHER_DRAFT}: another footprint's private vision").into();
    app.store
        .create_plan_draft(&who, other.id, &other_doc.to_string())
        .await
        .unwrap();
    ("other.lead@example.org".into(), password.into())
}

/// Same-site links in a page: `href="/…"`, without fragments, entities decoded.
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("href=\"") {
        rest = &rest[at + 6..];
        let Some(end) = rest.find('"') else { break };
        let href = rest[..end].replace("&amp;", "&").replace("&#x2F;", "/");
        let href = href.split('#').next().unwrap_or("").to_string();
        if href.starts_with('/') && !href.starts_with("//") && !href.starts_with("/assets/") {
            out.push(href);
        }
    }
    out
}

/// The shape of an address, for keeping a few of each: numbers and initiative ids collapsed.
fn shape(address: &str) -> String {
    let (path, query) = address.split_once('?').unwrap_or((address, ""));
    let mut out = String::new();
    let mut segments = path.split('/').peekable();
    while let Some(s) = segments.next() {
        out.push('/');
        if s.chars().any(|c| c.is_ascii_digit()) && s != "DEMO01" && s != OTHER {
            out.push('#');
        } else {
            out.push_str(s);
        }
        if s == "initiatives" && segments.peek().is_some_and(|n| *n != "new") {
            segments.next();
            out.push_str("/*");
        }
    }
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        out.push(if out.contains('?') { '&' } else { '?' });
        out.push_str(pair.split('=').next().unwrap_or(""));
    }
    out
}

async fn crawl(app: &App, c: &reqwest::Client, seeds: &[String], found: &mut std::collections::BTreeSet<String>) {
    let mut shapes: std::collections::HashMap<String, usize> = Default::default();
    let mut queue: std::collections::VecDeque<String> = seeds.iter().cloned().collect();
    let mut seen: std::collections::HashSet<String> = Default::default();
    while let Some(path) = queue.pop_front() {
        // Heavy on-demand runs are left out (the same pages at the default size are in).
        if !seen.insert(path.clone()) || path.contains("samples=") || seen.len() > 2000 {
            continue;
        }
        let n = shapes.entry(shape(&path)).or_default();
        *n += 1;
        if *n > 12 {
            continue;
        }
        let r = c.get(app.url(&path)).send().await.unwrap();
        let status = r.status();
        let html = r.text().await.unwrap();
        assert!(!status.is_server_error(), "{path}: {status}");
        found.insert(path.clone());
        if status == StatusCode::OK {
            queue.extend(links(&html));
        }
    }
}

/// GET routes the crawl cannot reach by following links, and why.
const NOT_CRAWLED: &[(&str, &str)] = &[
    (
        "/assets/{*path}",
        "static files built into the binary, the same for everyone",
    ),
    (
        "/sign-in/code",
        "reached only by the redirect after a right password for an account with two-factor sign-in on; \
         `two_factor_sign_in` covers it",
    ),
];

/// Every route pattern with a GET handler, read from the route modules' source.
fn get_routes() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/routes");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let prefix = if path.ends_with("api.rs") { "/api/v1" } else { "" };
        // Patterns built with format! from a `let name = "…";` in the same file.
        let variable = |name: &str| -> Option<String> {
            let at = text.find(&format!("let {name} = \""))? + name.len() + 8;
            Some(text[at..at + text[at..].find('"')?].to_string())
        };
        for (i, _) in text.match_indices(".route(") {
            // The call's arguments, up to its matching parenthesis.
            let rest = &text[i + 7..];
            let mut depth = 1;
            let end = rest
                .char_indices()
                .find(|&(_, c)| {
                    depth += match c {
                        '(' => 1,
                        ')' => -1,
                        _ => 0,
                    };
                    depth == 0
                })
                .map_or(rest.len(), |(j, _)| j);
            let call = &rest[..end];
            let Some(start) = call.find('"') else { continue };
            let Some(len) = call[start + 1..].find('"') else {
                continue;
            };
            let mut pattern = call[start + 1..start + 1 + len].to_string();
            if call[..start].contains("format!") {
                let mut built = String::new();
                let mut rest = pattern.as_str();
                while !rest.is_empty() {
                    if let Some(r) = rest.strip_prefix("{{") {
                        built.push('{');
                        rest = r;
                    } else if let Some(r) = rest.strip_prefix("}}") {
                        built.push('}');
                        rest = r;
                    } else if let Some(r) = rest.strip_prefix('{') {
                        let close = r.find('}').unwrap();
                        built.push_str(&variable(&r[..close]).expect("a route variable"));
                        rest = &r[close + 1..];
                    } else {
                        let c = rest.chars().next().unwrap();
                        built.push(c);
                        rest = &rest[c.len_utf8()..];
                    }
                }
                pattern = built;
            }
            if call[start + 1 + len..].contains("get(") {
                out.push(format!("{prefix}{pattern}"));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Whether an address (query string aside) matches a route pattern.
fn matches_route(pattern: &str, path: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    let (a, b): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), path.split('/').collect());
    a.len() == b.len()
        && a.iter().zip(&b).all(|(p, s)| {
            if p.starts_with('{') {
                !s.is_empty()
            } else if let Some(at) = p.find('{') {
                s.starts_with(&p[..at]) && s.len() > at
            } else {
                p == s
            }
        })
}

async fn sign_in_as(app: &App, email: &str, password: &str) -> reqwest::Client {
    let c = client();
    let (s, location, _) = app
        .post(&c, "/sign-in", &[("email", email), ("password", password)])
        .await;
    assert_eq!((s, location.as_deref()), (StatusCode::SEE_OTHER, Some("/account")));
    c
}

both!(nothing_private_leaks_to_any_role, async |app: &App| {
    let (other_email, other_password) = plant(app).await;
    let mut clients = Vec::new();
    for role in SWEEP_ROLES {
        let c = match role {
            "Public" => client(),
            "Other footprint's lead" => sign_in_as(app, &other_email, &other_password).await,
            r => app.signed_in(r).await,
        };
        clients.push((role, c));
    }
    // Seeds: the home page, the footprints' pages, and every API path with ids filled in.
    let org = app.store.organisations().await.unwrap()[0].id;
    let mut seeds: Vec<String> = vec![
        "/".into(),
        "/health".into(),
        "/ready".into(),
        "/footprints/DEMO01".into(),
        format!("/footprints/{OTHER}"),
    ];
    let spec: serde_json::Value = clients[0]
        .1
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for (path, item) in spec["paths"].as_object().unwrap() {
        if item.get("get").is_none() {
            continue;
        }
        for code in ["DEMO01", OTHER] {
            seeds.push(format!(
                "/api/v1{}",
                path.replace("{code}", code)
                    .replace("{id}", &org.to_string())
                    .replace("{organisation_id}", &org.to_string())
            ));
        }
    }
    let mut found = std::collections::BTreeSet::new();
    for (role, c) in &clients {
        if [
            "Public",
            LEAD,
            "National assurance",
            "Site administrator",
            "Other footprint's lead",
        ]
        .contains(role)
        {
            crawl(app, c, &seeds, &mut found).await;
        }
    }
    // The same addresses under the other footprint's code: ids from one asked for under another.
    let swapped: Vec<String> = found
        .iter()
        .filter_map(|p| {
            if p.contains("/DEMO01") {
                Some(p.replace("/DEMO01", &format!("/{OTHER}")))
            } else if p.contains(&format!("/{OTHER}")) {
                Some(p.replace(&format!("/{OTHER}"), "/DEMO01"))
            } else {
                None
            }
        })
        .collect();
    found.extend(swapped);
    // The crawl must reach the places where each planted thing lives, or the sweep proves nothing.
    for must in [
        "/footprints/DEMO01/plan",
        "/footprints/DEMO01/engagement",
        "/footprints/DEMO01/consultations/1/analysis",
        "/footprints/DEMO01/decisions",
        "/api/v1/footprints/DEMO01/decisions",
        "/national",
        "/admin/audit",
    ] {
        assert!(found.iter().any(|p| p == must), "the crawl did not reach {must}");
    }
    assert!(
        found
            .iter()
            .any(|p| p.starts_with("/footprints/DEMO01/consultations/1/responses/")),
        "the crawl reached the responses"
    );
    // Every GET route the router declares is reached by the crawl (or said here why not).
    let missed: Vec<String> = get_routes()
        .into_iter()
        .filter(|pattern| !NOT_CRAWLED.iter().any(|(p, _)| p == pattern))
        .filter(|pattern| !found.iter().any(|p| matches_route(pattern, p)))
        .collect();
    assert!(missed.is_empty(), "routes the sweep did not reach: {missed:#?}");
    let mut seen_by: std::collections::HashMap<&str, Vec<&str>> = Default::default();
    let mut requests = 0;
    for path in &found {
        for (role, c) in &clients {
            let r = c.get(app.url(path)).send().await.unwrap();
            let status = r.status();
            let body = r.text().await.unwrap();
            requests += 1;
            assert!(!status.is_server_error(), "{role} GET {path}: {status}");
            for (thing, marker) in planted() {
                if body.contains(marker) {
                    assert!(
                        may_read(thing, role),
                        "{role} reads the {thing} ({marker:?}) at {path} ({status})"
                    );
                    seen_by.entry(marker).or_default().push(role);
                }
            }
        }
    }
    if std::env::var("SWEEP_LIST").is_ok() {
        for p in &found {
            eprintln!("  {p}");
        }
    }
    // And each planted thing is shown to someone who may read it, so the markers are real.
    for (thing, marker) in planted() {
        assert!(
            seen_by.contains_key(marker),
            "no role saw the {thing} ({marker:?}) anywhere in {} requests",
            requests
        );
    }
    if std::env::var("SWEEP_LIST").is_ok() {
        for p in &found {
            eprintln!("  {p}");
        }
    }
    eprintln!(
        "access sweep: {} addresses × {} roles = {requests} requests",
        found.len(),
        SWEEP_ROLES.len()
    );
});

// Bad requests at the edge: a body over the limit, a broken multipart upload and a client too
// slow to send its headers are refused cleanly, and the server carries on.
both!(oversized_malformed_and_slow_requests_are_refused, async |app: &App| {
    let lead = app.signed_in(LEAD).await;
    let token = app.token(&lead).await;
    // 2 MB of form: over the 1 MB limit.
    let big = "x".repeat(2 * 1024 * 1024);
    let r = lead
        .post(app.url("/footprints/DEMO01/plan/vision"))
        .form(&[("csrf_token", token.as_str()), ("vision", big.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        r.headers().contains_key("content-security-policy"),
        "with the site's headers"
    );
    assert!(r.text().await.unwrap().contains("What you sent is too large"));
    // The same through the API, announced by its length: refused before a byte of it is read.
    let (_, _, html) = app
        .post(&lead, "/account/tokens", &[("token_name", "big uploads")])
        .await;
    let at = html.find("<code>fp_").expect("the new token is shown once") + 6;
    let api_token = html[at..at + 67].to_string();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.base.trim_start_matches("http://").to_string();
    let mut raw = tokio::net::TcpStream::connect(&address).await.unwrap();
    raw.write_all(
        format!(
            "POST /api/v1/organisations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
             Authorization: Bearer {api_token}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            big.len()
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let mut answer = String::new();
    raw.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("\"error\":\"What you sent is too large\""), "{answer}");
    // A multipart body that breaks off half way, and one with no boundary.
    let broken = format!(
        "--XYZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"plan.toml\"\r\n\r\nname = \"half"
    );
    for content_type in ["multipart/form-data; boundary=XYZ", "multipart/form-data"] {
        let r = lead
            .post(app.url("/footprints/DEMO01/plan/import"))
            .header("content-type", content_type)
            .body(broken.clone())
            .send()
            .await
            .unwrap();
        let status = r.status();
        let body = r.text().await.unwrap();
        assert!(status.is_client_error(), "{content_type}: {status}");
        assert!(!body.is_empty(), "{content_type}: the refusal says something");
    }
    // An id that cannot be one names nothing: 404, as a page or as the API's JSON.
    let r = client()
        .get(app.url("/api/v1/organisations/94241590049272599186814009344"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"], "Page not found");
    let (s, html) = app.get(&client(), "/organisations/null,null").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(html.contains("Page not found"));
    // A program's change without a token or a session: 401, not a CSRF refusal.
    let r = client()
        .post(app.url("/api/v1/organisations"))
        .json(&serde_json::json!({"name": "X", "kind": "acute-trust"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // A client that sends half its headers and stops is cut off (3 s in tests, 10 s in serve).
    let mut slow = tokio::net::TcpStream::connect(&address).await.unwrap();
    slow.write_all(b"GET /footprints HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(15), slow.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the slow connection was closed by the server");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    // And the server still answers.
    let (s, _) = app.get(&client(), "/footprints").await;
    assert_eq!(s, StatusCode::OK);
});

// A person changes their password: the current one is needed, the new one must pass the rule
// and be typed twice, other sign-ins end, this one carries on, and the old password stops working.
both!(a_person_changes_their_password, async |app: &App| {
    let account = app.accounts.iter().find(|a| a.role == CONTRIBUTOR).unwrap().clone();
    let here = app.signed_in(CONTRIBUTOR).await;
    let elsewhere = app.signed_in(CONTRIBUTOR).await;
    let (s, html) = app.get(&here, "/account/password").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("autocomplete=\"current-password\""));
    let new = "lantern orchard pebble viaduct";
    let cases: [(&str, &str, &str, &str); 4] = [
        ("", new, new, "Enter your current password"),
        ("wrong password here", new, new, "Your current password is not right"),
        (&account.password, "short", "short", "12 characters or more"),
        (
            &account.password,
            new,
            "lantern orchard pebble",
            "Enter the same new password twice",
        ),
    ];
    for (current, password, confirm, message) in cases {
        let (s, _, html) = app
            .post(
                &here,
                "/account/password",
                &[
                    ("current_password", current),
                    ("new_password", password),
                    ("confirm_password", confirm),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        assert!(html.contains(message), "{message}");
        assert!(html.contains("There is a problem"));
    }
    let (s, location, _) = app
        .post(
            &here,
            "/account/password",
            &[
                ("current_password", &account.password),
                ("new_password", new),
                ("confirm_password", new),
            ],
        )
        .await;
    assert_eq!(
        (s, location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/account?password=changed"))
    );
    let (s, html) = app.get(&here, "/account?password=changed").await;
    assert_eq!(s, StatusCode::OK, "this sign-in carries on");
    assert!(html.contains("Your password is changed"));
    let r = elsewhere.get(app.url("/account")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "the other sign-in has ended");
    let fresh = client();
    let (s, _, _) = app
        .post(
            &fresh,
            "/sign-in",
            &[("email", &account.email), ("password", &account.password)],
        )
        .await;
    assert_ne!(s, StatusCode::SEE_OTHER, "the old password no longer works");
    let (s, location, _) = app
        .post(&fresh, "/sign-in", &[("email", &account.email), ("password", new)])
        .await;
    assert_eq!((s, location.as_deref()), (StatusCode::SEE_OTHER, Some("/account")));
    let entries = app.store.audit_entries(None, None, 10).await.unwrap();
    assert!(entries.iter().any(|e| e.action == "user.password"));
    assert!(
        entries.iter().all(|e| !format!("{e:?}").contains(new)),
        "the password is never recorded"
    );
});

both!(two_factor_sign_in, async |app: &App| {
    use footprint_web::totp;
    let account = app.accounts.iter().find(|a| a.role == CONTRIBUTOR).unwrap().clone();
    let email = footprint_domain::person::Email::parse(&account.email).unwrap();
    let user_id = app.store.user_by_email(&email).await.unwrap().unwrap().id;
    let me = app.signed_in(CONTRIBUTOR).await;
    let elsewhere = app.signed_in(CONTRIBUTOR).await;
    let (_, html) = app.get(&me, "/account").await;
    assert!(html.contains("Two-factor sign-in") && html.contains("Set up"), "{html}");
    // Setting up: a QR code and the same key as text; the offer stays until confirmed.
    let (s, html) = app.get(&me, "/account/two-factor").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("<svg role=\"img\" aria-label=\"QR code"), "{html}");
    let at = html.find("<code>").unwrap() + 6;
    let shown = html[at..at + html[at..].find("</code>").unwrap()].to_string();
    let secret: String = shown.chars().filter(|c| !c.is_whitespace()).collect();
    assert_eq!(secret.len(), 32);
    assert!(app.get(&me, "/account/two-factor").await.1.contains(&shown));
    let now = totp::step_at(footprint_store::now_ms());
    let code = totp::code(&secret, now).unwrap();
    let near: Vec<String> = (now - 2..=now + 2).map(|s| totp::code(&secret, s).unwrap()).collect();
    let wrong = (0..)
        .map(|k: u32| format!("{:06}", (code.parse::<u32>().unwrap() + 1 + k * 7919) % 1_000_000))
        .find(|c| !near.contains(c))
        .unwrap();
    for (password, entered, message) in [
        ("", code.as_str(), "Enter your current password"),
        (account.password.as_str(), "", "Enter the 6-digit code"),
        (
            "wrong password here",
            code.as_str(),
            "Your current password is not right",
        ),
        (account.password.as_str(), wrong.as_str(), "The code is not right"),
    ] {
        let (s, _, html) = app
            .post(
                &me,
                "/account/two-factor",
                &[("current_password", password), ("code", entered)],
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        assert!(
            html.contains(message) && html.contains("There is a problem"),
            "{message}"
        );
    }
    assert!(!app.store.two_factor(user_id).await.unwrap().on());
    let (s, _, html) = app
        .post(
            &me,
            "/account/two-factor",
            &[("current_password", &account.password), ("code", &code)],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("Two-factor sign-in is on"));
    let codes: Vec<String> = html
        .split("<li><code>")
        .skip(1)
        .map(|p| p[..p.find("</code>").unwrap()].to_string())
        .collect();
    assert_eq!(codes.len(), totp::RECOVERY_CODES, "{html}");
    // Every other sign-in has ended; this one carries on.
    let r = elsewhere.get(app.url("/account")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (s, html) = app.get(&me, "/account").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("On (10 unused recovery codes)"), "{html}");
    assert!(html.contains("Two-factor sign-in was turned on for your account"));
    // Signing in: the password alone opens nothing.
    let fresh = client();
    let (s, location, _) = app
        .post(
            &fresh,
            "/sign-in",
            &[("email", &account.email), ("password", &account.password)],
        )
        .await;
    assert_eq!((s, location.as_deref()), (StatusCode::SEE_OTHER, Some("/sign-in/code")));
    let r = fresh.get(app.url("/account")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/sign-in", "a pending sign-in shows nothing");
    let (s, html) = app.get(&fresh, "/sign-in/code").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Enter your code"));
    // The code already used to turn it on does not work again; the next one does.
    let (s, _, html) = app.post(&fresh, "/sign-in/code", &[("code", &code)]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("The code is not right"));
    let next = totp::code(&secret, now + 1).unwrap();
    let (s, location, _) = app.post(&fresh, "/sign-in/code", &[("code", &next)]).await;
    assert_eq!((s, location.as_deref()), (StatusCode::SEE_OTHER, Some("/account")));
    assert_eq!(app.get(&fresh, "/account").await.0, StatusCode::OK);
    // A recovery code, typed in capitals without its hyphen, works once.
    let typed = codes[0].replace('-', "").to_uppercase();
    for (k, want) in [(0, Some("/account")), (1, None)] {
        let c = client();
        app.post(
            &c,
            "/sign-in",
            &[("email", &account.email), ("password", &account.password)],
        )
        .await;
        let (s, location, _) = app.post(&c, "/sign-in/code", &[("code", &typed)]).await;
        assert_eq!(location.as_deref(), want, "use {k}");
        if want.is_none() {
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        }
    }
    let tf = app.store.two_factor(user_id).await.unwrap();
    assert_eq!(tf.recovery_codes_left, 9);
    // New recovery codes replace the old; then off, with a recovery code for the second factor.
    let (s, _, html) = app
        .post(
            &me,
            "/account/two-factor/recovery-codes",
            &[("current_password", &account.password), ("code", &codes[1])],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Your old recovery codes no longer work"));
    let fresh_codes: Vec<String> = html
        .split("<li><code>")
        .skip(1)
        .map(|p| p[..p.find("</code>").unwrap()].to_string())
        .collect();
    assert_eq!(app.store.two_factor(user_id).await.unwrap().recovery_codes_left, 10);
    assert!(fresh_codes.iter().all(|c| !codes.contains(c)));
    let (s, location, _) = app
        .post(
            &me,
            "/account/two-factor/off",
            &[("off_password", &account.password), ("off_code", &fresh_codes[0])],
        )
        .await;
    assert_eq!(
        (s, location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/account/two-factor?off"))
    );
    let tf = app.store.two_factor(user_id).await.unwrap();
    assert!(!tf.on() && tf.recovery_codes_left == 0);
    let again = client();
    let (_, location, _) = app
        .post(
            &again,
            "/sign-in",
            &[("email", &account.email), ("password", &account.password)],
        )
        .await;
    assert_eq!(location.as_deref(), Some("/account"), "the password alone again");
    // Every step is in the audit log and told to the person; the secret and codes never are.
    let changes = app.store.credential_changes(Some(user_id), 0).await.unwrap();
    let actions: Vec<&str> = changes.iter().map(|c| c.action.as_str()).collect();
    for a in [
        "user.two-factor.on",
        "user.recovery-code.use",
        "user.recovery-codes",
        "user.two-factor.off",
    ] {
        assert!(actions.contains(&a), "{a}: {actions:?}");
    }
    let entries = app.store.audit_entries(None, None, 50).await.unwrap();
    for e in &entries {
        let text = format!("{e:?}");
        assert!(!text.contains(&secret) && !codes.iter().any(|c| text.contains(c.as_str())));
    }
});
