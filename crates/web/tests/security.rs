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
