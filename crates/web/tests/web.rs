//! The web application through its real router and a real HTTP client, on SQLite and on
//! PostgreSQL: pages, sign-in, CSRF, rate limiting, validation, the API, and every route as
//! every role.

#[macro_use]
mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::*;
use footprint_web::{AppState, Application, Config};
use reqwest::StatusCode;

both!(public_pages_and_headers, async |app: &App| {
    let c = client();
    let r = c.get(app.url("/footprints")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let h = r.headers();
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert!(!h["content-security-policy"].to_str().unwrap().contains("unsafe-inline"));
    assert_eq!(h["x-content-type-options"], "nosniff");
    let cookie = h["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    let html = r.text().await.unwrap();
    assert!(html.contains("Humber, Coast and Vale"));
    assert!(html.contains("Northshire and Eastvale (fictional)"));
    assert!(!html.contains("<script>"), "no inline script");

    let (s, html) = app.get(&c, "/footprints?region=London").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("North Central London") && !html.contains("Humber"));

    // The demo footprint: partners by sector, overlaps shown, no people list for the public.
    let (s, html) = app.get(&c, "/footprints/demo01").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Local government") && html.contains("Northshire County Council"));
    assert!(html.contains("Dr Tom Reid"), "the lead is named in public");
    assert!(!html.contains("Priya Shah"), "the people list is for partners only");
    assert!(!html.contains("Add a partner organisation"));

    let (s, html) = app.get(&c, "/footprints/NOPE").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(html.contains("Page not found") && html.contains("nhsuk-header"));
    let (s, _) = app.get(&c, "/assets/nhsuk/nhsuk-frontend.min.css").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(app.get(&c, "/health").await, (StatusCode::OK, "ok".to_string()));
    assert_eq!(app.get(&c, "/ready").await, (StatusCode::OK, "ready".to_string()));
});

both!(sign_in_errors_rate_limit_and_sign_out, async |app: &App| {
    let c = client();
    // Empty fields: the error summary names both.
    let (s, _, html) = app.post(&c, "/sign-in", &[("email", ""), ("password", "")]).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("There is a problem") && html.contains("href=\"#email\"") && html.contains("Enter your password")
    );
    assert!(html.contains("<title>Error: Sign in"));
    // A wrong password does not say which part was wrong.
    let (_, _, html) = app
        .post(
            &c,
            "/sign-in",
            &[("email", "lead@demo.footprint.local"), ("password", "wrong")],
        )
        .await;
    assert!(html.contains("Enter a correct email address and password"));
    let (_, _, html2) = app
        .post(
            &c,
            "/sign-in",
            &[("email", "nobody@demo.footprint.local"), ("password", "wrong")],
        )
        .await;
    assert!(html2.contains("Enter a correct email address and password"));
    // Four more failures for the lead: the next attempt, even with the right password, is refused.
    for _ in 0..4 {
        app.post(
            &c,
            "/sign-in",
            &[("email", "lead@demo.footprint.local"), ("password", "wrong")],
        )
        .await;
    }
    let lead = app.accounts.iter().find(|a| a.role == LEAD).unwrap();
    let (s, _, html) = app
        .post(&c, "/sign-in", &[("email", &lead.email), ("password", &lead.password)])
        .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert!(html.contains("Too many attempts"));
    // Others can still sign in; signing out ends the session.
    let member = app.signed_in(MEMBER).await;
    let (s, html) = app.get(&member, "/account").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Sam Okafor") && html.contains("Partner organisation member"));
    let (s, location, _) = app.post(&member, "/sign-out", &[]).await;
    assert_eq!((s, location.as_deref()), (StatusCode::SEE_OTHER, Some("/")));
    let (s, _) = app.get(&member, "/account").await;
    assert_eq!(s, StatusCode::SEE_OTHER);
});

both!(csrf_is_required_on_every_change, async |app: &App| {
    let lead = app.signed_in(LEAD).await;
    // No token.
    let r = lead
        .post(app.url("/organisations/new"))
        .form(&[("name", "X Trust"), ("kind", "acute-trust")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Another visitor's token.
    let other = client();
    let foreign = app.token(&other).await;
    let r = lead
        .post(app.url("/organisations/new"))
        .form(&[("name", "X Trust"), ("kind", "acute-trust"), ("csrf_token", &foreign)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // JSON with a session cookie but no header.
    let r = lead
        .post(app.url("/api/v1/organisations"))
        .json(&serde_json::json!({"name": "X", "kind": "cvs"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("\"error\""));
    assert!(
        app.store
            .organisations()
            .await
            .unwrap()
            .iter()
            .all(|o| o.name != "X Trust" && o.name != "X")
    );
});

both!(a_lead_adds_a_partner_and_the_public_sees_it, async |app: &App| {
    let lead = app.signed_in(LEAD).await;
    // A new organisation straight into the footprint.
    let (s, location, _) = app
        .post(
            &lead,
            "/organisations/new",
            &[
                ("name", "Eastvale Hospice"),
                ("kind", "voluntary-organisation"),
                ("footprint", "DEMO01"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(location.unwrap().starts_with("/footprints/DEMO01?added="));
    // An existing organisation of another footprint: add it to Humber, Coast and Vale? Not the lead's footprint.
    let trust = app
        .store
        .organisations()
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.name.starts_with("Northshire Hospitals"))
        .unwrap();
    let (s, _, _) = app
        .post(
            &lead,
            "/footprints/E54000006/partners/add",
            &[("organisation", &trust.id.to_string())],
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // The admin can; then the demo footprint's page shows the overlap.
    let admin = app.signed_in("Site administrator").await;
    let (s, _, _) = app
        .post(
            &admin,
            "/footprints/E54000006/partners/add",
            &[("organisation", &trust.id.to_string())],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = app.get(&client(), "/footprints/DEMO01").await;
    assert!(html.contains("Eastvale Hospice"));
    assert!(
        html.contains("Also a partner in")
            && html.contains("<a href=\"/footprints/E54000006\">Humber, Coast and Vale</a>")
    );
    // Adding it twice: a message on the form, not an error page.
    let (s, _, html) = app
        .post(
            &admin,
            "/footprints/E54000006/partners/add",
            &[("organisation", &trust.id.to_string())],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("is already a partner of Humber, Coast and Vale"));
    // Nothing chosen.
    let (_, _, html) = app
        .post(&lead, "/footprints/DEMO01/partners/add", &[("organisation", "")])
        .await;
    assert!(html.contains("Choose the organisation to add as a partner") && html.contains("nhsuk-error-summary"));
    // Every change is in the footprint's audit log, with who made it.
    let (s, html) = app.get(&lead, "/footprints/DEMO01/audit").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Added Eastvale Hospice as a partner of Northshire and Eastvale (fictional)"));
    assert!(html.contains("Dr Tom Reid (lead@demo.footprint.local)"));
    // Removing.
    let hospice = app
        .store
        .organisations()
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.name == "Eastvale Hospice")
        .unwrap();
    let (s, _, _) = app
        .post(
            &lead,
            &format!("/footprints/DEMO01/partners/{}/remove", hospice.id),
            &[],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = app.get(&client(), "/footprints/DEMO01").await;
    assert!(!html.contains("Eastvale Hospice"));
});

both!(forms_validate_and_write_nothing_on_error, async |app: &App| {
    let lead = app.signed_in(LEAD).await;
    let before = app.store.audit_count().await.unwrap();
    let (s, _, html) = app
        .post(
            &lead,
            "/organisations/new",
            &[
                ("name", ""),
                ("kind", "cvs"),
                ("foundation_trust", "yes"),
                ("ods_code", "R-1"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    for m in [
        "Enter the organisation&#39;s name",
        "Only an NHS trust can be a foundation trust",
        "ODS code must be 3 to 6 letters",
    ] {
        assert!(html.contains(m), "missing {m:?}");
    }
    assert!(html.contains("nhsuk-input--error") && html.contains("aria-describedby=\"ods_code-hint ods_code-error\""));
    // A duplicate name.
    let (_, _, html) = app
        .post(
            &lead,
            "/organisations/new",
            &[("name", "healthwatch eastvale"), ("kind", "healthwatch")],
        )
        .await;
    assert!(html.contains("An organisation called healthwatch eastvale already exists"));
    assert_eq!(app.store.audit_count().await.unwrap(), before);
    // A stale edit.
    let o = app
        .store
        .organisations()
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.name == "Healthwatch Eastvale")
        .unwrap();
    let v = o.version.to_string();
    let (s, _, _) = app
        .post(
            &lead,
            &format!("/organisations/{}/edit", o.id),
            &[
                ("name", "Healthwatch in Eastvale"),
                ("kind", "healthwatch"),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _, html) = app
        .post(
            &lead,
            &format!("/organisations/{}/edit", o.id),
            &[
                ("name", "Eastvale Healthwatch"),
                ("kind", "healthwatch"),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("was changed by someone else since you opened it"));
    assert_eq!(
        app.store.organisation(o.id).await.unwrap().unwrap().name,
        "Healthwatch in Eastvale"
    );
});

both!(api_tokens_and_json_errors, async |app: &App| {
    let lead = app.signed_in(LEAD).await;
    let (s, _, html) = app.post(&lead, "/account/tokens", &[("token_name", "reports")]).await;
    assert_eq!(s, StatusCode::OK);
    let at = html.find("<code>fp_").expect("the new token is shown once") + 6;
    let token = html[at..at + 67].to_string();
    let api = reqwest::Client::new();
    let r = api.get(app.url("/api/v1/footprints/DEMO01")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["footprint"]["name"], "Northshire and Eastvale (fictional)");
    assert_eq!(v["partners"].as_array().unwrap().len(), 14);
    // Without a token: 401; with it: created; bad input: 422 naming the fields.
    let new = serde_json::json!({"name": "Eastvale Men's Shed", "kind": "voluntary-organisation"});
    let r = api
        .post(app.url("/api/v1/organisations"))
        .json(&new)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::UNAUTHORIZED,
        "no session and no token: the program must authenticate"
    );
    let r = api
        .post(app.url("/api/v1/organisations"))
        .bearer_auth(&token)
        .json(&new)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = api
        .post(app.url("/api/v1/organisations"))
        .bearer_auth(&token)
        .json(&new)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let r = api
        .post(app.url("/api/v1/organisations"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"name": "", "kind": "hospital"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: serde_json::Value = r.json().await.unwrap();
    let fields: Vec<&str> = v["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "kind"]);
    let r = api
        .post(app.url("/api/v1/organisations"))
        .bearer_auth(&token)
        .body("{not json")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // A session in the browser works with the header.
    let csrf_token = csrf(&app.get(&lead, "/account").await.1);
    let r = lead
        .post(app.url("/api/v1/footprints/DEMO01/partners"))
        .header("x-csrf-token", &csrf_token)
        .json(&serde_json::json!({"organisation_id": 424242}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "no organisation has that id");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["fields"][0]["field"], "organisation_id");
    // JSON Schema's integer includes 424242.0, which names the same id; 1.5 names none.
    for (id, status) in [
        (serde_json::json!(424242.0), StatusCode::NOT_FOUND),
        (serde_json::json!(1.5), StatusCode::UNPROCESSABLE_ENTITY),
        (serde_json::json!(1e300), StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let r = lead
            .post(app.url("/api/v1/footprints/DEMO01/partners"))
            .header("x-csrf-token", &csrf_token)
            .json(&serde_json::json!({ "organisation_id": id }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "organisation_id {id}");
    }
    // Revoked: refused.
    let id = app
        .store
        .api_tokens(
            app.store
                .user_by_email(&footprint_domain::person::Email::parse("lead@demo.footprint.local").unwrap())
                .await
                .unwrap()
                .unwrap()
                .id,
        )
        .await
        .unwrap()[0]
        .id;
    let (s, _, _) = app.post(&lead, &format!("/account/tokens/{id}/revoke"), &[]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let r = api
        .get(app.url("/api/v1/footprints"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = api.get(app.url("/api/v1/openapi.json")).send().await.unwrap();
    let doc: serde_json::Value = r.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/organisations"]["post"].is_object());
});

// Every route as every role: allowed, or denied (403, or the sign-in page for the public).
both!(every_route_as_every_role, async |app: &App| {
    let roles = [
        "Public",
        MEMBER,
        "Footprint contributor",
        "Board member",
        LEAD,
        "National assurance",
        "Site administrator",
    ];
    let mut clients: HashMap<&str, reqwest::Client> = HashMap::new();
    for r in roles {
        let c = if r == "Public" {
            client()
        } else {
            app.signed_in(r).await
        };
        clients.insert(r, c);
    }
    let org = app.store.organisations().await.unwrap()[0].id;
    let everyone = [true; 7];
    let signed_in = [false, true, true, true, true, true, true];
    let lead_admin = [false, false, false, false, true, false, true];
    let board_up = [false, false, false, true, true, true, true];
    let admin = [false, false, false, false, false, false, true];
    let contributor_up = [false, false, true, true, true, false, true];
    let private = [false, true, true, true, true, true, true];
    let national = [false, false, false, false, false, true, true];
    // (method, path, form, allowed per role)
    let table: Vec<Row> = vec![
        ("GET", "/".into(), vec![], everyone),
        ("GET", "/footprints".into(), vec![], everyone),
        ("GET", "/footprints/DEMO01".into(), vec![], everyone),
        ("GET", format!("/organisations/{org}"), vec![], everyone),
        ("GET", "/footprints/DEMO01/plan".into(), vec![], everyone),
        ("GET", "/footprints/DEMO01/plan/versions".into(), vec![], everyone),
        ("GET", "/footprints/DEMO01/plan/versions/1".into(), vec![], everyone),
        (
            "GET",
            "/footprints/DEMO01/plan/versions/1/stress".into(),
            vec![],
            everyone,
        ),
        (
            "GET",
            "/footprints/DEMO01/plan/versions/1/model.toml".into(),
            vec![],
            everyone,
        ),
        ("GET", "/footprints/DEMO01/plan/stress".into(), vec![], everyone),
        (
            "GET",
            "/footprints/DEMO01/plan/initiatives/urgent-care/edit".into(),
            vec![],
            contributor_up,
        ),
        (
            "POST",
            "/footprints/DEMO01/plan/initiatives/urgent-care/edit".into(),
            vec![("name", "")],
            contributor_up,
        ),
        (
            "POST",
            "/footprints/DEMO01/plan/publish".into(),
            vec![("status", "nonsense")],
            lead_admin,
        ),
        ("GET", "/footprints/DEMO01/plan/compare".into(), vec![], everyone),
        (
            "GET",
            "/footprints/DEMO01/plan/compare?from=1&to=draft".into(),
            vec![],
            private,
        ),
        ("GET", "/footprints/DEMO01/plan/portfolio".into(), vec![], everyone),
        ("GET", "/footprints/DEMO01/accountability".into(), vec![], everyone),
        ("GET", "/footprints/DEMO01/plan/finances".into(), vec![], contributor_up),
        ("GET", "/footprints/DEMO01/plan/import".into(), vec![], contributor_up),
        (
            "GET",
            "/footprints/DEMO01/plan/draft/model.toml".into(),
            vec![],
            private,
        ),
        ("GET", "/data".into(), vec![], everyone),
        (
            "GET",
            "/footprints/DEMO01/plan/versions/1/plan.csv".into(),
            vec![],
            everyone,
        ),
        ("GET", "/footprints/DEMO01/plan/vision".into(), vec![], contributor_up),
        (
            "GET",
            "/footprints/DEMO01/plan/initiatives/new".into(),
            vec![],
            contributor_up,
        ),
        (
            "POST",
            "/footprints/DEMO01/plan/initiatives/new".into(),
            vec![("name", "")],
            contributor_up,
        ),
        ("GET", "/footprints/DEMO01/partners/add".into(), vec![], lead_admin),
        (
            "POST",
            "/footprints/DEMO01/partners/add".into(),
            vec![("organisation", "999999")],
            lead_admin,
        ),
        (
            "POST",
            "/footprints/DEMO01/partners/999999/remove".into(),
            vec![],
            lead_admin,
        ),
        ("GET", "/footprints/DEMO01/audit".into(), vec![], board_up),
        ("GET", "/admin/audit".into(), vec![], admin),
        ("GET", "/organisations/new".into(), vec![], lead_admin),
        ("POST", "/organisations/new".into(), vec![("name", "")], lead_admin),
        ("GET", format!("/organisations/{org}/edit"), vec![], lead_admin),
        (
            "POST",
            format!("/organisations/{org}/edit"),
            vec![("name", "")],
            lead_admin,
        ),
        ("GET", "/footprints/DEMO01/people".into(), vec![], lead_admin),
        (
            "POST",
            "/footprints/DEMO01/people".into(),
            vec![("email", "")],
            lead_admin,
        ),
        (
            "POST",
            "/footprints/DEMO01/people/999999/lead/remove".into(),
            vec![],
            lead_admin,
        ),
        ("GET", "/admin/users".into(), vec![], admin),
        ("POST", "/admin/users".into(), vec![("email", "")], admin),
        ("GET", "/account".into(), vec![], signed_in),
        ("GET", "/account/password".into(), vec![], signed_in),
        (
            "POST",
            "/account/password".into(),
            vec![("current_password", "")],
            signed_in,
        ),
        ("POST", "/account/tokens".into(), vec![("token_name", "")], signed_in),
        ("GET", "/account/two-factor".into(), vec![], signed_in),
        (
            "POST",
            "/account/two-factor".into(),
            vec![("current_password", "")],
            signed_in,
        ),
        (
            "POST",
            "/account/two-factor/off".into(),
            vec![("current_password", "")],
            signed_in,
        ),
        (
            "POST",
            "/account/two-factor/recovery-codes".into(),
            vec![("current_password", "")],
            signed_in,
        ),
        ("GET", "/sign-in/code".into(), vec![], signed_in),
        ("POST", "/sign-in/code".into(), vec![("code", "")], signed_in),
        ("POST", "/account/tokens/999999/revoke".into(), vec![], signed_in),
        ("GET", "/sign-in".into(), vec![], everyone),
        ("POST", "/sign-in".into(), vec![("email", "")], everyone),
        ("GET", "/api/v1/openapi.json".into(), vec![], everyone),
        ("GET", "/api/v1/footprints".into(), vec![], everyone),
        ("GET", "/api/v1/footprints/DEMO01".into(), vec![], everyone),
        ("GET", "/api/v1/footprints/DEMO01/partners".into(), vec![], everyone),
        ("JSON", "/api/v1/footprints/DEMO01/partners".into(), vec![], lead_admin),
        (
            "DELETE",
            "/api/v1/footprints/DEMO01/partners/999999".into(),
            vec![],
            lead_admin,
        ),
        ("GET", "/api/v1/footprints/DEMO01/decisions".into(), vec![], everyone),
        ("GET", "/api/v1/organisations".into(), vec![], everyone),
        ("GET", format!("/api/v1/organisations/{org}"), vec![], everyone),
        ("JSON", "/api/v1/organisations".into(), vec![], lead_admin),
        ("GET", "/consultations".into(), vec![], everyone),
        ("GET", "/footprints/DEMO01/engagement".into(), vec![], everyone),
        (
            "GET",
            "/footprints/DEMO01/engagement/activities/new".into(),
            vec![],
            contributor_up,
        ),
        (
            "POST",
            "/footprints/DEMO01/engagement/groups".into(),
            vec![("name", "")],
            contributor_up,
        ),
        (
            "POST",
            "/footprints/DEMO01/engagement/options-closed".into(),
            vec![("change", "")],
            contributor_up,
        ),
        ("GET", "/footprints/DEMO01/board".into(), vec![], everyone),
        (
            "POST",
            "/footprints/DEMO01/board".into(),
            vec![("name", "")],
            lead_admin,
        ),
        ("GET", "/footprints/DEMO01/board/bodies/1".into(), vec![], everyone),
        (
            "POST",
            "/footprints/DEMO01/board/bodies/1".into(),
            vec![("name", "")],
            lead_admin,
        ),
        (
            "POST",
            "/footprints/DEMO01/board/bodies/1/members".into(),
            vec![("organisation", "")],
            lead_admin,
        ),
        (
            "POST",
            "/footprints/DEMO01/board/bodies/1/members/999999/remove".into(),
            vec![],
            lead_admin,
        ),
        (
            "POST",
            "/footprints/DEMO01/board/bodies/1/consents".into(),
            vec![("consent", "social-care:999999")],
            lead_admin,
        ),
        (
            "POST",
            "/footprints/DEMO01/board/bodies/1/meetings".into(),
            vec![("meeting_title", "")],
            lead_admin,
        ),
        ("GET", "/footprints/DEMO01/board/meetings/1".into(), vec![], everyone),
        (
            "POST",
            "/footprints/DEMO01/board/meetings/1/close".into(),
            vec![("minutes", "")],
            lead_admin,
        ),
        ("GET", "/footprints/DEMO01/decisions".into(), vec![], everyone),
        ("GET", "/footprints/DEMO01/decisions.atom".into(), vec![], everyone),
        (
            "GET",
            "/footprints/DEMO01/decisions/propose".into(),
            vec![],
            contributor_up,
        ),
        (
            "POST",
            "/footprints/DEMO01/decisions/propose".into(),
            vec![("title", "")],
            contributor_up,
        ),
        (
            "GET",
            "/footprints/DEMO01/decisions/proposals/3".into(),
            vec![],
            everyone,
        ),
        (
            "GET",
            "/footprints/DEMO01/decisions/proposals/3/edit".into(),
            vec![],
            contributor_up,
        ),
        (
            "POST",
            "/footprints/DEMO01/decisions/proposals/3/edit".into(),
            vec![("title", "")],
            contributor_up,
        ),
        (
            "POST",
            "/footprints/DEMO01/decisions/proposals/3/respond".into(),
            vec![("response", "")],
            signed_in,
        ),
        (
            "POST",
            "/footprints/DEMO01/decisions/proposals/3/schedule".into(),
            vec![("meeting", "999999")],
            lead_admin,
        ),
        ("GET", "/footprints/DEMO01/decisions/1".into(), vec![], everyone),
        (
            "POST",
            "/footprints/DEMO01/decisions/1/actions".into(),
            vec![("action_title", "")],
            lead_admin,
        ),
        ("GET", "/footprints/DEMO01/delivery".into(), vec![], everyone),
        ("GET", "/national/guidance".into(), vec![], everyone),
        ("GET", "/data/decisions.csv".into(), vec![], everyone),
        ("GET", "/data/footprints.json".into(), vec![], everyone),
        ("GET", "/national/stress".into(), vec![], national),
        ("GET", "/national".into(), vec![], national),
        ("POST", "/national/stress".into(), vec![("samples", "5")], national),
        ("POST", "/national/guidance".into(), vec![("title", "")], national),
        (
            "POST",
            "/national/guidance/999999/requirements".into(),
            vec![("requirement_title", "")],
            national,
        ),
        (
            "POST",
            "/national/guidance/999999/requirements/x/remove".into(),
            vec![],
            national,
        ),
        ("POST", "/national/guidance/999999/publish".into(), vec![], national),
        ("GET", "/national/submissions".into(), vec![], national),
        ("GET", "/footprints/DEMO01/submissions".into(), vec![], private),
        (
            "POST",
            "/footprints/DEMO01/submissions".into(),
            vec![("plan", "")],
            lead_admin,
        ),
        (
            "POST",
            "/footprints/DEMO01/submissions/checklist".into(),
            vec![("key", "")],
            lead_admin,
        ),
        ("GET", "/footprints/DEMO01/submissions/1".into(), vec![], private),
        (
            "POST",
            "/footprints/DEMO01/submissions/1/feedback".into(),
            vec![("rating", "")],
            national,
        ),
        ("GET", "/account/notifications".into(), vec![], signed_in),
        ("POST", "/account/notifications".into(), vec![("digest", "")], signed_in),
        (
            "POST",
            "/footprints/DEMO01/delivery/milestones".into(),
            vec![("status", "")],
            contributor_up,
        ),
        (
            "POST",
            "/footprints/DEMO01/delivery/benefits".into(),
            vec![("amount", "")],
            contributor_up,
        ),
        (
            "POST",
            "/footprints/DEMO01/delivery/actions/999999".into(),
            vec![],
            signed_in,
        ),
        ("GET", "/footprints/DEMO01/consultations".into(), vec![], everyone),
        ("GET", "/footprints/DEMO01/consultations/new".into(), vec![], lead_admin),
        (
            "POST",
            "/footprints/DEMO01/consultations/new".into(),
            vec![("title", "")],
            lead_admin,
        ),
        ("GET", "/footprints/DEMO01/consultations/1".into(), vec![], everyone),
        ("GET", "/documents/1".into(), vec![], everyone),
        (
            "GET",
            "/footprints/DEMO01/consultations/1/manage".into(),
            vec![],
            lead_admin,
        ),
        (
            "POST",
            "/footprints/DEMO01/consultations/1/details".into(),
            vec![("title", "")],
            lead_admin,
        ),
        (
            "POST",
            "/footprints/DEMO01/consultations/1/options".into(),
            vec![("option_title", "")],
            lead_admin,
        ),
        (
            "POST",
            "/footprints/DEMO01/consultations/1/questions".into(),
            vec![("kind", "")],
            lead_admin,
        ),
        (
            "POST",
            "/footprints/DEMO01/consultations/1/remove".into(),
            vec![("question", "1")],
            lead_admin,
        ),
        (
            "POST",
            "/footprints/DEMO01/consultations/1/publish".into(),
            vec![("revision", "-1")],
            lead_admin,
        ),
        (
            "POST",
            "/footprints/DEMO01/consultations/1/outcome".into(),
            vec![("you_said_we_did", "")],
            lead_admin,
        ),
        (
            "GET",
            "/footprints/DEMO01/consultations/1/respond".into(),
            vec![],
            everyone,
        ),
        (
            "POST",
            "/footprints/DEMO01/consultations/1/respond".into(),
            vec![("consent", "")],
            everyone,
        ),
        (
            "GET",
            "/footprints/DEMO01/consultations/1/analysis".into(),
            vec![],
            contributor_up,
        ),
        (
            "GET",
            "/footprints/DEMO01/consultations/1/responses.csv".into(),
            vec![],
            contributor_up,
        ),
        (
            "GET",
            "/footprints/DEMO01/consultations/1/responses/999999".into(),
            vec![],
            contributor_up,
        ),
        (
            "POST",
            "/footprints/DEMO01/consultations/1/responses/999999".into(),
            vec![("action", "withhold")],
            contributor_up,
        ),
        ("GET", "/vcs".into(), vec![], everyone),
        ("GET", "/vcs/join".into(), vec![], everyone),
        ("POST", "/vcs/join".into(), vec![("footprint", "")], everyone),
        ("GET", format!("/vcs/{org}/edit"), vec![], lead_admin),
        (
            "POST",
            format!("/vcs/{org}/edit"),
            vec![("cvs", "nonsense")],
            lead_admin,
        ),
        (
            "POST",
            "/footprints/DEMO01/engagement/requests/999999".into(),
            vec![("decision", "accept")],
            lead_admin,
        ),
        ("GET", "/health".into(), vec![], everyone),
        ("GET", "/ready".into(), vec![], everyone),
        ("GET", "/assets/footprint.css".into(), vec![], everyone),
        // Last: it ends the session.
        ("POST", "/sign-out".into(), vec![], everyone),
    ];
    for (method, path, form, allowed) in &table {
        for (role, want) in roles.iter().zip(allowed) {
            let c = &clients[role];
            let (status, location) = match *method {
                "GET" => {
                    let r = c.get(app.url(path)).send().await.unwrap();
                    (
                        r.status(),
                        r.headers().get("location").map(|v| v.to_str().unwrap().to_string()),
                    )
                }
                "POST" => {
                    let (s, l, _) = app.post(c, path, form).await;
                    (s, l)
                }
                // The API with the browser session and the CSRF header, with bodies that are
                // refused as invalid, so that an allowed request changes nothing.
                json_or_delete => {
                    let token = app.token(c).await;
                    let req = if json_or_delete == "JSON" {
                        let body = serde_json::json!({"organisation_id": 999999, "name": "", "kind": "x"});
                        c.post(app.url(path)).json(&body)
                    } else {
                        c.delete(app.url(path))
                    };
                    (req.header("x-csrf-token", token).send().await.unwrap().status(), None)
                }
            };
            assert!(!status.is_server_error(), "{role} {method} {path}: {status}");
            let denied = matches!(status, StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED)
                || location.as_deref() == Some("/sign-in");
            assert_eq!(!denied, *want, "{role} {method} {path}: {status} {location:?}");
        }
    }
});

both!(
    public_answers_are_shared_but_never_stale_or_personal,
    async |app: &App| {
        let public = client();
        let (_, first) = app.get(&public, "/footprints/DEMO01").await;
        assert!(!first.contains("Eastvale Hospice"));
        // A signed-in lead right after: their own page, with their buttons, not the public copy.
        let lead = app.signed_in(LEAD).await;
        let (_, html) = app.get(&lead, "/footprints/DEMO01").await;
        assert!(html.contains("Add a partner organisation"));
        // A change shows to the public at once.
        let (s, _, _) = app
            .post(
                &lead,
                "/organisations/new",
                &[
                    ("name", "Eastvale Hospice"),
                    ("kind", "voluntary-organisation"),
                    ("footprint", "DEMO01"),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html) = app.get(&public, "/footprints/DEMO01").await;
        assert!(html.contains("Eastvale Hospice"));
        let (_, json) = app.get(&public, "/api/v1/footprints/DEMO01").await;
        assert!(json.contains("Eastvale Hospice"));
        // Forms are never shared: two visitors get their own CSRF tokens.
        let (a, b) = (client(), client());
        assert_ne!(
            csrf(&app.get(&a, "/sign-in").await.1),
            csrf(&app.get(&b, "/sign-in").await.1)
        );
    }
);

both!(leads_give_roles_and_administrators_make_accounts, async |app: &App| {
    let admin = app.signed_in("Site administrator").await;
    // Bad input first: every field named.
    let (s, _, html) = app
        .post(
            &admin,
            "/admin/users",
            &[("email", "nope"), ("name", ""), ("site_role", "king")],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("href=\"#email\"") && html.contains("href=\"#name\"") && html.contains("href=\"#site_role\"")
    );
    let (s, _, html) = app
        .post(
            &admin,
            "/admin/users",
            &[
                ("email", "Jo.Bloggs@Example.org"),
                ("name", "Jo Bloggs"),
                ("site_role", "none"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let at = html.find("<code>").expect("the one-time password") + 6;
    let password = html[at..at + 20].to_string();
    let (_, _, html) = app
        .post(
            &admin,
            "/admin/users",
            &[("email", "jo.bloggs@example.org"), ("name", "Jo B")],
        )
        .await;
    assert!(html.contains("An account with the email address jo.bloggs@example.org already exists"));

    // The lead gives Jo a role; Jo then reads the footprint's people list.
    let lead = app.signed_in(LEAD).await;
    let (_, _, html) = app
        .post(
            &lead,
            "/footprints/DEMO01/people",
            &[("email", "nobody@example.org"), ("role", "")],
        )
        .await;
    assert!(html.contains("No account uses that email address") && html.contains("Choose a role"));
    let (s, _, html) = app
        .post(
            &lead,
            "/footprints/DEMO01/people",
            &[("email", "jo.bloggs@example.org"), ("role", "contributor")],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Jo Bloggs is now footprint contributor in Northshire and Eastvale (fictional)"));
    let jo = client();
    let (s, location, _) = app
        .post(
            &jo,
            "/sign-in",
            &[("email", "jo.bloggs@example.org"), ("password", &password)],
        )
        .await;
    assert_eq!((s, location.as_deref()), (StatusCode::SEE_OTHER, Some("/account")));
    let (_, html) = app.get(&jo, "/footprints/DEMO01").await;
    assert!(html.contains("<h2>People</h2>") && html.contains("Priya Shah"));
    // The role taken away: the list is gone again.
    let jo_id = app
        .store
        .user_by_email(&footprint_domain::person::Email::parse("jo.bloggs@example.org").unwrap())
        .await
        .unwrap()
        .unwrap()
        .id;
    let (s, _, _) = app
        .post(
            &lead,
            &format!("/footprints/DEMO01/people/{jo_id}/contributor/remove"),
            &[],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = app.get(&jo, "/footprints/DEMO01").await;
    assert!(!html.contains("Priya Shah"));
    let (_, html) = app.get(&lead, "/footprints/DEMO01/audit").await;
    assert!(html.contains("Took the role Footprint contributor in Northshire and Eastvale (fictional) from Jo Bloggs"));
});

both!(
    the_demo_plan_is_published_and_its_model_is_open_data,
    async |app: &App| {
        let public = client();
        let (_, html) = app.get(&public, "/footprints/DEMO01").await;
        assert!(html.contains("Version 1 of Northshire and Eastvale (fictional), published"));
        assert!(html.contains("40 initiatives"));
        assert!(!html.contains("The draft plan"), "drafts are for partners");
        let r = public
            .get(app.url("/footprints/DEMO01/plan/versions/1/model.toml"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(
            r.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains("demo01-plan-v1.toml")
        );
        let toml = r.text().await.unwrap();
        // The download is the demo model: the engine reads it and gets the same plan.
        let demo = include_str!("../../../data/demo/northshire-and-eastvale.toml");
        assert_eq!(
            footprint_stress::parse_plan(&toml, "v1.toml").unwrap(),
            footprint_stress::parse_plan(demo, "demo.toml").unwrap()
        );
        let (s, json) = app.get(&public, "/footprints/DEMO01/plan/versions/1/model.json").await;
        assert_eq!(s, StatusCode::OK);
        assert!(footprint_stress::parse_plan(&json, "v1.json").is_ok());
        // A submitted version is for partners and national assurance only.
        let f = app.store.footprint_by_code("DEMO01").await.unwrap().unwrap();
        let who = footprint_store::Who::system("test");
        app.store
            .snapshot_plan(&who, f.id, footprint_store::plans::VersionStatus::Submitted)
            .await
            .unwrap();
        let (s, _) = app.get(&public, "/footprints/DEMO01/plan/versions/2/model.toml").await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let member = app.signed_in(MEMBER).await;
        let (s, _) = app.get(&member, "/footprints/DEMO01/plan/versions/2/model.toml").await;
        assert_eq!(s, StatusCode::OK);
        let (_, html) = app.get(&member, "/footprints/DEMO01").await;
        assert!(html.contains("The draft plan</a> is being written"));
        let (s, _) = app.get(&public, "/footprints/DEMO01/plan/versions/9/model.toml").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = app.get(&public, "/footprints/DEMO01/plan/versions/1/model.exe").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
);

both!(the_plan_and_its_stress_test_in_the_app, async |app: &App| {
    let public = client();
    let (s, html) = app.get(&public, "/footprints/DEMO01/plan").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("nhsuk-tag--green\">Published"));
    for text in [
        "People in Northshire and Eastvale live longer",
        "Health and wellbeing",
        "Care and quality",
        "Finance and efficiency",
        "Urgent and emergency care",
        "Urgent and emergency care redesign",
        "Northshire Hospitals NHS Foundation Trust",
        "Initiatives not yet under a priority",
    ] {
        assert_eq!(
            html.contains(text),
            text != "Initiatives not yet under a priority",
            "{text}"
        );
    }
    // The stress test in the app is the engine's: the same figure as a direct run.
    let (s, html) = app.get(&public, "/footprints/DEMO01/plan/versions/1/stress").await;
    assert_eq!(s, StatusCode::OK);
    let demo = include_str!("../../../data/demo/northshire-and-eastvale.toml");
    let plan = footprint_stress::parse_plan(demo, "demo.toml").unwrap();
    let opts = footprint_stress::RunOptions {
        samples: Some(20_000),
        ..Default::default()
    };
    let direct = footprint_stress::run_plan(&plan, &opts).unwrap();
    let p = footprint_web::charts::percent(direct.final_year.p_balance);
    assert!(html.contains(&format!("In {p} of 20,000 simulated futures")), "{p}");
    assert!(html.contains("<svg class=\"fp-chart\"") && html.contains("What moves the final-year gap most"));
    assert!(html.contains("Demand growth") && html.contains("Run it with 1,000,000 scenarios"));
    for flag in &direct.flags {
        assert!(html.contains(&flag.message.replace('"', "&#34;")), "flag {}", flag.rule);
    }
    // Any other scenario count asked for gets the live run.
    let (_, html) = app.get(&public, "/footprints/DEMO01/plan/stress?samples=5").await;
    assert!(html.contains("of 20,000 simulated futures"));
    // Partners see the draft; the versions page lists the published version.
    let member = app.signed_in(MEMBER).await;
    let (_, html) = app.get(&member, "/footprints/DEMO01/plan").await;
    assert!(html.contains("nhsuk-tag--yellow\">Draft"));
    let (_, html) = app.get(&public, "/footprints/DEMO01/plan/versions").await;
    assert!(html.contains("Version 1") && html.contains("Published") && !html.contains("The draft"));
    let (_, html) = app.get(&member, "/footprints/DEMO01/plan/versions").await;
    assert!(html.contains("The draft"));
    // A footprint with no plan: not found, not an error.
    let (s, _) = app.get(&public, "/footprints/E54000005/plan").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
});

both!(
    editing_an_initiative_shows_what_it_did_and_publishing_fixes_it,
    async |app: &App| {
        let contributor = app.signed_in("Footprint contributor").await;
        let (s, html) = app
            .get(&contributor, "/footprints/DEMO01/plan/initiatives/urgent-care/edit")
            .await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("value=\"Urgent and emergency care redesign\"") && html.contains("value=\"26\""));
        let at = html.find("name=\"revision\" value=\"").unwrap() + 23;
        let revision = html[at..].split('"').next().unwrap().to_string();
        let form = |saving: &'static str, ramp: &'static str, rev: String| {
            vec![
                ("name", "Urgent and emergency care redesign".to_string()),
                ("setting", "acute".to_string()),
                ("kind", "transformation".to_string()),
                ("priority", "urgent-care".to_string()),
                ("status", "in-delivery".to_string()),
                ("saving_mode", saving.to_string()),
                ("start_month", "12".to_string()),
                ("ramp_months", ramp.to_string()),
                ("delivery", "high".to_string()),
                ("slippage_min", "0".to_string()),
                ("slippage_mode", "3".to_string()),
                ("slippage_max", "12".to_string()),
                ("recurrent_cost", "4".to_string()),
                ("double_running", "6".to_string()),
                ("capital", "12".to_string()),
                ("revision", rev),
            ]
        };
        let post = async |fields: Vec<(&'static str, String)>| {
            let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post(&contributor, "/footprints/DEMO01/plan/initiatives/urgent-care/edit", &f)
                .await
        };
        // Bad input: errors on the fields, nothing saved.
        let before = app.store.audit_count().await.unwrap();
        let (s, _, html) = post(form("lots", "0", revision.clone())).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("Saving must be a number") && html.contains("Months to full effect must be a whole number")
        );
        assert!(html.contains("value=\"lots\""), "the input is kept");
        let mut unknown = form("20", "12", revision.clone());
        unknown.push(("lead", "999999".to_string()));
        let (_, _, html) = post(unknown).await;
        assert!(html.contains("Choose the lead organisation from the footprint&#39;s partners"));
        assert_eq!(app.store.audit_count().await.unwrap(), before);
        // A real change: the stress test says what it did, on the same scenarios.
        let (s, location, _) = post(form("60", "24", revision.clone())).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html) = app.get(&contributor, &location.unwrap()).await;
        assert!(html.contains("Saved: Urgent and emergency care redesign"));
        assert!(html.contains("Chance of balance in the final year:") && html.contains("before,"));
        let entry = &app.store.audit_entries(None, None, 1).await.unwrap()[0];
        assert!(
            entry
                .summary
                .starts_with("Edited initiative Urgent and emergency care redesign:"),
            "{}",
            entry.summary
        );
        assert!(entry.summary.contains("saving 26.0 → 60.0"), "{}", entry.summary);
        // A second person still holding the old revision is refused, their input kept.
        let (s, _, html) = post(form("10", "24", revision.clone())).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("Someone else saved this initiative since you opened it") && html.contains("value=\"10\"")
        );
        // The lead publishes; the public reads version 2 with the new saving.
        let lead = app.signed_in(LEAD).await;
        let (s, location, _) = app
            .post(&lead, "/footprints/DEMO01/plan/publish", &[("status", "published")])
            .await;
        assert_eq!(
            (s, location.as_deref()),
            (StatusCode::SEE_OTHER, Some("/footprints/DEMO01/plan/versions/2"))
        );
        let (_, html) = app.get(&client(), "/footprints/DEMO01/plan").await;
        assert!(html.contains("Version 2") && html.contains("£60.0m"));
        let (_, html) = app.get(&client(), "/footprints/DEMO01/plan/versions/1").await;
        assert!(html.contains("£26.0m"), "version 1 is unchanged");
    }
);

both!(
    finances_are_edited_in_a_form_and_imported_from_a_file,
    async |app: &App| {
        let c = app.signed_in("Footprint contributor").await;
        let (s, html) = app.get(&c, "/footprints/DEMO01/plan/finances").await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("value=\"3180\"") && html.contains("value=\"1.5\"") && html.contains("value=\"3.5\""));
        let at = html.find("name=\"revision\" value=\"").unwrap() + 23;
        let revision = html[at..].split('"').next().unwrap().to_string();
        // Read every field back as the form has it, then change what the test needs.
        let mut fields: Vec<(String, String)> = Vec::new();
        let mut rest = html.as_str();
        while let Some(i) = rest.find("<input class=\"nhsuk-input") {
            let tag = &rest[i..rest[i..].find('>').unwrap() + i];
            let attr = |a: &str| {
                tag.find(&format!("{a}=\""))
                    .map(|p| tag[p + a.len() + 2..].split('"').next().unwrap().to_string())
            };
            if let (Some(n), Some(v)) = (attr("name"), attr("value")) {
                fields.push((n, v));
            }
            rest = &rest[i + 10..];
        }
        fields.push(("revision".into(), revision.clone()));
        let post = async |changes: &[(&str, &str)]| {
            let mut f = fields.clone();
            for (k, v) in changes {
                f.retain(|(n, _)| n != k);
                f.push((k.to_string(), v.to_string()));
            }
            let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            app.post(&c, "/footprints/DEMO01/plan/finances", &f).await
        };
        let (s, _, html) = post(&[("funding", "lots"), ("demand_min", "4")]).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("Funding must be a number")
                && html.contains("The demand growth range must run from lowest to highest")
        );
        let (s, location, _) = post(&[("spend", "3300")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html) = app.get(&c, &location.unwrap()).await;
        assert!(html.contains("Saved: the plan&#39;s finances") && html.contains("before,"));
        // Only the spend changed: every untouched figure went through the form unchanged.
        let (_, html) = app.get(&c, "/footprints/DEMO01/plan/compare?from=1&to=draft").await;
        assert_eq!(
            html.matches("<th class=\"nhsuk-table__header\" scope=\"row\">Baseline</th>")
                .count(),
            1,
            "{html}"
        );
        assert!(html.contains("£3,200.0m") && html.contains("£3,300.0m"));

        // Import: a file with a problem is refused with its line and key path; a good one replaces
        // the model and keeps the initiatives' details.
        let demo = include_str!("../../../data/demo/northshire-and-eastvale.toml");
        let upload = async |name: &str, text: String| {
            let token = app.token(&c).await;
            let form = reqwest::multipart::Form::new()
                .text("csrf_token", token)
                .part("file", reqwest::multipart::Part::text(text).file_name(name.to_string()));
            let r = c
                .post(app.url("/footprints/DEMO01/plan/import"))
                .multipart(form)
                .send()
                .await
                .unwrap();
            let location = r.headers().get("location").map(|v| v.to_str().unwrap().to_string());
            (r.status(), location, r.text().await.unwrap())
        };
        let (s, _, html) = upload("bad.toml", demo.replacen("ramp_months = 24", "ramp_months = 0", 1)).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("bad.toml:") && html.contains("initiative[1].ramp_months"),
            "{html}"
        );
        let (s, location, _) = upload("new.toml", demo.replacen("saving = 26.0", "saving = 31.0", 1)).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{location:?}");
        let (_, html) = app.get(&c, "/footprints/DEMO01/plan").await;
        assert!(html.contains("£31.0m") && html.contains("Northshire Hospitals NHS Foundation Trust"));
        // An upload without the form's token is refused.
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::text(demo.to_string()).file_name("x.toml"),
        );
        let r = c
            .post(app.url("/footprints/DEMO01/plan/import"))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let (s, _) = app.get(&client(), "/footprints/DEMO01/plan/draft/model.toml").await;
        assert_eq!(s, StatusCode::SEE_OTHER, "the draft's model is for partners");
        let r = c
            .get(app.url("/footprints/DEMO01/plan/draft/model.toml"))
            .send()
            .await
            .unwrap();
        assert!(r.text().await.unwrap().contains("saving = 31.0"));
    }
);

both!(portfolio_and_shared_accountability, async |app: &App| {
    let public = client();
    let (s, html) = app.get(&public, "/footprints/DEMO01/plan/portfolio").await;
    assert_eq!(s, StatusCode::OK);
    for text in [
        "By care setting",
        "By kind",
        "acute",
        "mental health",
        "transformation",
        "efficiency",
    ] {
        assert!(html.contains(text), "{text}");
    }
    let (s, html) = app.get(&public, "/footprints/DEMO01/accountability").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Leads: Urgent and emergency care redesign"));
    assert!(
        html.contains("<td class=\"nhsuk-table__cell\">A</td>")
            && html.contains("<td class=\"nhsuk-table__cell\">C</td>")
    );
    // A contributor makes the county council responsible for part of urgent care.
    let c = app.signed_in("Footprint contributor").await;
    let (_, html) = app
        .get(&c, "/footprints/DEMO01/plan/initiatives/urgent-care/edit")
        .await;
    let council = app
        .store
        .organisations()
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.name == "Northshire County Council")
        .unwrap();
    let field = format!("partner_{}", council.id);
    assert!(html.contains(&format!("name=\"{field}\"")));
    let at = html.find("name=\"revision\" value=\"").unwrap() + 23;
    let revision = html[at..].split('"').next().unwrap().to_string();
    let form = [
        ("name", "Urgent and emergency care redesign"),
        ("setting", "acute"),
        ("kind", "transformation"),
        ("priority", "urgent-care"),
        ("status", "proposed"),
        ("saving_mode", "26"),
        ("start_month", "12"),
        ("ramp_months", "24"),
        ("delivery", "medium"),
        ("slippage_min", "0"),
        ("slippage_mode", "3"),
        ("slippage_max", "12"),
        ("recurrent_cost", "4"),
        ("double_running", "6"),
        ("capital", "12"),
        ("revision", revision.as_str()),
        (field.as_str(), "responsible"),
    ];
    let (s, _, _) = app
        .post(&c, "/footprints/DEMO01/plan/initiatives/urgent-care/edit", &form)
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = app.get(&c, "/footprints/DEMO01/accountability").await;
    assert!(
        html.contains("Responsible for work in: Urgent and emergency care redesign"),
        "the draft shows the change"
    );
    let (_, html) = app.get(&public, "/footprints/DEMO01/accountability").await;
    assert!(
        !html.contains("Responsible for work in: Urgent and emergency care redesign"),
        "the public sees the published plan"
    );
});

both!(published_plans_are_open_data, async |app: &App| {
    let public = client();
    let (s, html) = app.get(&public, "/data").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Northshire and Eastvale (fictional)") && html.contains("saving_most_likely"));
    let r = public
        .get(app.url("/footprints/DEMO01/plan/versions/1/plan.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("demo01-plan-v1-open-data.csv")
    );
    let csv = r.text().await.unwrap();
    let mut rows = csv.lines();
    let header = rows.next().unwrap();
    assert!(header.starts_with("id,name,gap,priority,setting,kind,status,lead,partners,saving_low"));
    assert_eq!(rows.clone().count(), 40);
    let urgent = rows.find(|l| l.starts_with("urgent-care,")).unwrap();
    assert!(urgent.contains("Care and quality,Urgent and emergency care,acute,transformation,proposed,Northshire Hospitals NHS Foundation Trust"));
    assert!(urgent.contains(",26,") && urgent.contains("April 2017"));
    let (s, json) = app.get(&public, "/footprints/DEMO01/plan/versions/1/plan.json").await;
    assert_eq!(s, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["footprint"]["code"], "DEMO01");
    assert_eq!(v["initiatives"].as_array().unwrap().len(), 40);
    assert_eq!(v["initiatives"][0]["lead"], "Northshire Hospitals NHS Foundation Trust");
    assert_eq!(
        v["initiatives"][0]["partners"][0]["organisation"],
        "Healthwatch Northshire"
    );
    assert!(footprint_stress::parse_plan(&v["model"].to_string(), "m.json").is_ok());
});

both!(the_plans_words_and_new_initiatives, async |app: &App| {
    let c = app.signed_in("Footprint contributor").await;
    let (s, html) = app.get(&c, "/footprints/DEMO01/plan/vision").await;
    assert_eq!(s, StatusCode::OK);
    let at = html.find("name=\"revision\" value=\"").unwrap() + 23;
    let revision = html[at..].split('"').next().unwrap().to_string();
    // Removing a priority with initiatives under it is refused; adding one works.
    let base = |extra: &[(&'static str, &'static str)]| {
        let mut f: Vec<(&str, String)> = vec![
            ("revision", revision.clone()),
            ("vision", "Healthier together".into()),
            ("p_0_0_title", "Prevention at scale".into()),
            ("p_1_0_title", "Urgent and emergency care".into()),
            ("p_1_1_title", "Care out of hospital".into()),
            ("p_1_2_title", "Mental health".into()),
            ("p_2_0_title", "Productivity and shared services".into()),
        ];
        for (k, v) in extra {
            f.retain(|(n, _)| n != k);
            f.push((k, v.to_string()));
        }
        f
    };
    let send = async |f: Vec<(&str, String)>| {
        let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        app.post(&c, "/footprints/DEMO01/plan/vision", &f).await
    };
    let (s, _, html) = send(base(&[("p_1_2_title", "")])).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("initiatives are under &#34;Mental health&#34;")
            || html.contains("initiative is under &#34;Mental health&#34;"),
        "{html}"
    );
    let (s, location, _) = send(base(&[("p_1_new_title", "Frailty and end of life")])).await;
    assert_eq!(
        (s, location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/footprints/DEMO01/plan"))
    );
    let (_, html) = app.get(&c, "/footprints/DEMO01/plan").await;
    assert!(html.contains("Healthier together") && html.contains("Frailty and end of life"));
    // A new initiative: named, then its figures on its own form.
    let (s, _, html) = app
        .post(
            &c,
            "/footprints/DEMO01/plan/initiatives/new",
            &[("name", ""), ("setting", "")],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Enter the initiative&#39;s name") && html.contains("Choose the care setting"));
    let (s, location, _) = app
        .post(
            &c,
            "/footprints/DEMO01/plan/initiatives/new",
            &[("name", "Care homes support"), ("setting", "social-care")],
        )
        .await;
    assert_eq!(
        (s, location.as_deref()),
        (
            StatusCode::SEE_OTHER,
            Some("/footprints/DEMO01/plan/initiatives/care-homes-support/edit")
        )
    );
    let (s, html) = app
        .get(&c, "/footprints/DEMO01/plan/initiatives/care-homes-support/edit")
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("value=\"Care homes support\""));
    let (_, toml) = app.get(&c, "/footprints/DEMO01/plan/draft/model.toml").await;
    assert!(footprint_stress::parse_plan(&toml, "d.toml").unwrap().initiatives.len() == 41);
});

both!(milestones_and_programmes_on_an_initiative, async |app: &App| {
    let c = app.signed_in("Footprint contributor").await;
    let (_, html) = app
        .get(&c, "/footprints/DEMO01/plan/initiatives/urgent-care/edit")
        .await;
    let at = html.find("name=\"revision\" value=\"").unwrap() + 23;
    let revision = html[at..].split('"').next().unwrap().to_string();
    let form = |due: &'static str, rev: &str| {
        vec![
            ("name", "Urgent and emergency care redesign".to_string()),
            ("setting", "acute".to_string()),
            ("kind", "transformation".to_string()),
            ("status", "proposed".to_string()),
            ("saving_mode", "26".to_string()),
            ("start_month", "12".to_string()),
            ("ramp_months", "24".to_string()),
            ("delivery", "medium".to_string()),
            ("slippage_mode", "0".to_string()),
            ("revision", rev.to_string()),
            ("m_new_title", "Business case agreed".to_string()),
            ("m_new_due", due.to_string()),
            (
                "programmes",
                "Urgent care vanguard\n\nNorthshire devolution deal".to_string(),
            ),
        ]
    };
    let post = async |f: Vec<(&'static str, String)>| {
        let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        app.post(&c, "/footprints/DEMO01/plan/initiatives/urgent-care/edit", &f)
            .await
    };
    // A what-if first: it says what the change would do and saves nothing.
    let before = app.store.audit_count().await.unwrap();
    let mut what_if = form("2017-03-31", &revision);
    what_if.retain(|(k, _)| *k != "saving_mode");
    what_if.push(("saving_mode", "60".to_string()));
    what_if.push(("action", "what-if".to_string()));
    let (s, _, html) = post(what_if).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("What this change would do") && html.contains("Nothing has been saved"));
    assert!(
        html.contains(" with this change (+"),
        "a bigger saving raises the chance of balance"
    );
    assert!(html.contains("value=\"60\""), "the figures tried are kept on the form");
    assert_eq!(app.store.audit_count().await.unwrap(), before);
    let (s, _, html) = post(form("31/03/2017", &revision)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Milestone 1: the due date must be a date like 2017-03-31"));
    let (s, _, _) = post(form("2017-03-31", &revision)).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = app
        .get(&c, "/footprints/DEMO01/plan/initiatives/urgent-care/edit")
        .await;
    assert!(html.contains("Milestone: Business case agreed") && html.contains("value=\"2017-03-31\""));
    assert!(html.contains("Urgent care vanguard\nNorthshire devolution deal"));
});

/// Stopping the server finishes the request in flight before it ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_finishes_requests_in_flight() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let db = footprint_store::testing::sqlite().await;
    footprint_web::setup::first_start(&db.store).await.unwrap();
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..Config::default()
    };
    let state = AppState::new(db.store.clone(), config).await.unwrap();
    let app = Application::build(state).await.unwrap();
    let port = app.port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    // A request half sent when the stop comes…
    let mut conn = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    conn.write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\n")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!server.is_finished(), "the server waits for the request in flight");
    // …is finished, then the server stops.
    conn.write_all(b"Connection: close\r\n\r\n").await.unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).await.unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 200 OK") && answer.ends_with("ok"),
        "{answer}"
    );
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    // New connections are refused once it has stopped.
    assert!(tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err());
    db.finish().await;
}

both!(
    the_financial_template_round_trips_through_a_workbook,
    async |app: &App| {
        let c = app.signed_in("Footprint contributor").await;
        let r = c
            .get(app.url("/footprints/DEMO01/plan/draft/model.xlsx"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"));
        let workbook = r.bytes().await.unwrap().to_vec();
        let upload = async |name: &str, bytes: Vec<u8>| {
            let token = app.token(&c).await;
            let form = reqwest::multipart::Form::new().text("csrf_token", token).part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
            );
            let r = c
                .post(app.url("/footprints/DEMO01/plan/import"))
                .multipart(form)
                .send()
                .await
                .unwrap();
            (r.status(), r.text().await.unwrap())
        };
        // The workbook as exported comes back as the same plan.
        let before = app
            .store
            .plan_draft(app.store.footprint_by_code("DEMO01").await.unwrap().unwrap().id)
            .await
            .unwrap()
            .unwrap();
        let (s, _) = upload("template.xlsx", workbook.clone()).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let after = app.store.plan_draft(before.footprint_id).await.unwrap().unwrap();
        let plan = |v: &footprint_store::plans::PlanVersion| {
            let doc: footprint_domain::plan::PlanDocument = serde_json::from_str(&v.document).unwrap();
            doc.validate().unwrap()
        };
        assert_eq!(plan(&before), plan(&after), "nothing lost on the way out and back");
        // A workbook that is not one, and one missing its sheets, are refused with what is wrong.
        let (s, html) = upload("broken.xlsx", b"not a workbook".to_vec()).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("The file is not an XLSX workbook"));
        let mut wb = rust_xlsxwriter::Workbook::new();
        wb.add_worksheet().set_name("Plan").unwrap();
        let (_, html) = upload("partial.xlsx", wb.save_to_buffer().unwrap()).await;
        assert!(html.contains("The workbook has no sheet named Initiatives"));
        let (s, _) = app
            .get(&client(), "/footprints/DEMO01/plan/versions/1/model.xlsx")
            .await;
        assert_eq!(s, StatusCode::OK, "a published version's workbook is open data");
    }
);

both!(a_stale_save_of_the_plans_words_is_refused, async |app: &App| {
    let c = app.signed_in("Footprint contributor").await;
    let (_, html) = app.get(&c, "/footprints/DEMO01/plan/vision").await;
    let at = html.find("name=\"revision\" value=\"").unwrap() + 23;
    let revision = html[at..].split('"').next().unwrap().to_string();
    let form = |vision: &'static str| {
        vec![
            ("revision", revision.clone()),
            ("vision", vision.to_string()),
            ("p_0_0_title", "Prevention at scale".to_string()),
            ("p_1_0_title", "Urgent and emergency care".to_string()),
            ("p_1_1_title", "Care out of hospital".to_string()),
            ("p_1_2_title", "Mental health".to_string()),
            ("p_2_0_title", "Productivity and shared services".to_string()),
        ]
    };
    let send = async |f: Vec<(&str, String)>| {
        let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        app.post(&c, "/footprints/DEMO01/plan/vision", &f).await
    };
    let (s, _, _) = send(form("First")).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _, html) = send(form("Second, from an old page")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("Someone else changed the draft since you opened this page. Your words are below but not saved")
    );
    assert!(html.contains("Second, from an old page"), "the input is kept");
    let (_, html) = app.get(&c, "/footprints/DEMO01/plan").await;
    assert!(html.contains("First") && !html.contains("Second, from an old page"));
});

/// A multipart form with the CSRF token, sent by `c`.
async fn post_multipart(
    app: &App,
    c: &reqwest::Client,
    path: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> (StatusCode, Option<String>, String) {
    let token = app.token(c).await;
    let mut form = reqwest::multipart::Form::new().text("csrf_token", token);
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    if let Some((name, bytes)) = file {
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()),
        );
    }
    let r = c.post(app.url(path)).multipart(form).send().await.unwrap();
    let location = r.headers().get("location").map(|v| v.to_str().unwrap().to_string());
    (r.status(), location, r.text().await.unwrap())
}

both!(engagement_is_recorded_and_shown, async |app: &App| {
    let contributor = app.signed_in("Footprint contributor").await;
    let groups = app
        .store
        .groups(app.store.footprint_by_code("DEMO01").await.unwrap().unwrap().id)
        .await
        .unwrap();
    let gid = |n: &str| groups.iter().find(|g| g.name == n).unwrap().id.to_string();
    let (hwb, gps) = (gid("Health and wellbeing board"), gid("GPs and primary care"));
    // Bad input: every problem named, nothing saved.
    let (s, _, html) = post_multipart(
        app,
        &contributor,
        "/footprints/DEMO01/engagement/activities/new",
        &[
            ("day", "31"),
            ("month", "2"),
            ("year", "2016"),
            ("group", &hwb),
            (&format!("people_{hwb}"), "lots"),
        ],
        Some(("notes.exe", b"MZ")),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    for message in [
        "Date it took place must be a real date",
        "Enter what the activity was",
        "Choose how people were engaged",
        "Choose how deep the engagement went",
        "Enter how many people from Health and wellbeing board took part",
        "Choose the parts of the plan it covered",
        "is not a file type Footprint keeps",
    ] {
        assert!(html.contains(message), "{message}");
    }
    let fid = app.store.footprint_by_code("DEMO01").await.unwrap().unwrap().id;
    let before = app.store.activities(fid).await.unwrap().len();
    // A good one, with a file as evidence.
    let people = format!("people_{hwb}");
    let people_gp = format!("people_{gps}");
    let (s, location, _) = post_multipart(
        app,
        &contributor,
        "/footprints/DEMO01/engagement/activities/new",
        &[
            ("day", "3"),
            ("month", "10"),
            ("year", "2016"),
            ("title", "Health and wellbeing board development session"),
            ("method", "workshop"),
            ("run_by", "Northshire County Council"),
            ("depth", "collaborate"),
            ("group", &hwb),
            (&people, "14"),
            ("group", &gps),
            (&people_gp, ""),
            ("area", "prevention"),
            ("what_changed", "The board now co-chairs the prevention programme."),
        ],
        Some(("session-notes.txt", b"Notes of the session")),
    )
    .await;
    assert_eq!(
        (s, location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/footprints/DEMO01/engagement#log"))
    );
    let log = app.store.activities(fid).await.unwrap();
    assert_eq!(log.len(), before + 1);
    let added = log
        .iter()
        .find(|a| a.title == "Health and wellbeing board development session")
        .unwrap();
    let evidence = added.evidence.clone().expect("the file is kept");
    // The public sees the log, the evidence and the coverage.
    let public = client();
    let (_, html) = app.get(&public, "/footprints/DEMO01/engagement").await;
    assert!(html.contains("Health and wellbeing board development session"));
    assert!(html.contains("Health and wellbeing board (14)"));
    assert!(html.contains(&format!("/documents/{}", evidence.id)));
    assert!(html.contains("Foundation trust governors: not engaged on any of the 5 priorities"));
    assert!(
        !html.contains("Health and wellbeing board: not engaged"),
        "the board is now engaged"
    );
    let r = public
        .get(app.url(&format!("/documents/{}", evidence.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"Notes of the session");
    // When options closed: a late activity is shown as late.
    let (s, _, _) = app
        .post(
            &contributor,
            "/footprints/DEMO01/engagement/options-closed",
            &[
                ("change", "prevention"),
                ("closed_day", "1"),
                ("closed_month", "9"),
                ("closed_year", "2016"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = app.get(&public, "/footprints/DEMO01/engagement").await;
    let card = &html[html.find("id=\"change-prevention\"").unwrap()..];
    let card = &card[..card.find("</dl>").unwrap()];
    let late = &card[card.find("Engaged only after they closed").unwrap()..];
    assert!(late.contains("Health and wellbeing board"), "{late}");
    // A sub-group, and a duplicate refused with the reason.
    let (s, _, _) = app
        .post(
            &contributor,
            "/footprints/DEMO01/engagement/groups",
            &[("name", "Young people"), ("parent", &groups[0].id.to_string())],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _, html) = app
        .post(
            &contributor,
            "/footprints/DEMO01/engagement/groups",
            &[("name", "young people"), ("parent", "")],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("There is already a group called"));
});

both!(a_consultation_from_draft_to_outcome, async |app: &App| {
    let lead = app.signed_in(LEAD).await;
    // Bad details: named.
    let (s, _, html) = app
        .post(
            &lead,
            "/footprints/DEMO01/consultations/new",
            &[
                ("title", ""),
                ("summary", ""),
                ("opens_day", "1"),
                ("opens_month", "9"),
                ("opens_year", "2016"),
                ("closes_day", "1"),
                ("closes_month", "8"),
                ("closes_year", "2016"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Enter the consultation&#39;s title") || html.contains("Enter the consultation's title"));
    assert!(html.contains("The closing date must be on or after the opening date"));
    // A good one: open from a week ago for four weeks.
    let today = time::OffsetDateTime::now_utc().date();
    let opens = today - time::Duration::days(7);
    let closes = opens + time::Duration::days(27);
    let (od, om, oy) = (
        opens.day().to_string(),
        u8::from(opens.month()).to_string(),
        opens.year().to_string(),
    );
    let (cd, cm, cy) = (
        closes.day().to_string(),
        u8::from(closes.month()).to_string(),
        closes.year().to_string(),
    );
    let (s, location, _) = app
        .post(
            &lead,
            "/footprints/DEMO01/consultations/new",
            &[
                ("title", "Community beds in Eastvale"),
                ("summary", "Fewer community beds, more care at home?"),
                ("area", "community-hubs"),
                ("formal", "yes"),
                ("opens_day", &od),
                ("opens_month", &om),
                ("opens_year", &oy),
                ("closes_day", &cd),
                ("closes_month", &cm),
                ("closes_year", &cy),
                ("min_weeks", "12"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{location:?}");
    let manage = location.unwrap();
    let base = manage.trim_end_matches("/manage").to_string();
    // A draft is not public.
    let public = client();
    assert_eq!(app.get(&public, &base).await.0, StatusCode::NOT_FOUND);
    // Options, a question, a document.
    for (title, effect, amount) in [
        ("Keep the beds", "without", ""),
        ("Care at home", "as-planned", ""),
        ("Halfway", "scaled", "50"),
    ] {
        let (s, _, html) = app
            .post(
                &lead,
                &format!("{base}/options"),
                &[
                    ("option_title", title),
                    ("option_description", "What it means"),
                    ("option_evidence", "Bed audit"),
                    ("effect", effect),
                    ("effect_amount", amount),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{html}");
    }
    let (s, _, html) = app
        .post(
            &lead,
            &format!("{base}/options"),
            &[
                ("option_title", "Bad"),
                ("option_description", "x"),
                ("effect", "delayed"),
                ("effect_amount", "999"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Enter the delay in months as a whole number from 0 to 60"));
    let (s, _, _) = app
        .post(
            &lead,
            &format!("{base}/questions"),
            &[
                ("kind", "single"),
                ("prompt", "Which option?"),
                ("choices", "Keep the beds\nCare at home\nHalfway"),
                ("required", "yes"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _, _) = app
        .post(
            &lead,
            &format!("{base}/questions"),
            &[("kind", "free-text"), ("prompt", "Why?"), ("choices", "")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _, html) = post_multipart(
        app,
        &lead,
        &format!("{base}/documents"),
        &[("doc_title", "Bed audit"), ("doc_url", "ftp://x")],
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Enter a link that starts with https://"));
    let (s, _, _) = post_multipart(
        app,
        &lead,
        &format!("{base}/documents"),
        &[("doc_title", "Bed audit"), ("doc_url", "https://example.org/audit.pdf")],
        None,
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    // The Gunning checks: four weeks is too short for a formal consultation.
    let (_, html) = app.get(&lead, &manage).await;
    assert!(
        html.contains("a formal consultation needs at least 12 weeks"),
        "adequate time is checked"
    );
    // Publish: the effects are worked out and fixed.
    let revision = {
        let marker = "name=\"revision\" value=\"";
        let at = html.find(marker).unwrap() + marker.len();
        html[at..].split('"').next().unwrap().to_string()
    };
    let (s, _, _) = app
        .post(&lead, &format!("{base}/publish"), &[("revision", &revision)])
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, html) = app.get(&public, &base).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Chance the footprint balances its books"));
    assert!(html.contains("Respond to this consultation"));
    let (s, _, html) = app
        .post(
            &lead,
            &format!("{base}/questions"),
            &[("kind", "free-text"), ("prompt", "Late?")],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("its options and questions are fixed"));
    // A member of the public responds: a missing answer, oversized text, then a good response
    // sent twice.
    let respond = format!("{base}/respond");
    let (_, form) = app.get(&public, &respond).await;
    let key = {
        let marker = "name=\"idempotency_key\" value=\"";
        let at = form.find(marker).unwrap() + marker.len();
        form[at..].split('"').next().unwrap().to_string()
    };
    let (s, _, html) = app
        .post(&public, &respond, &[("idempotency_key", &key), ("consent", "yes")])
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Choose an answer to question 1"));
    let long = "x".repeat(5001);
    let questions = app
        .store
        .questions(base.rsplit('/').next().unwrap().parse().unwrap())
        .await
        .unwrap();
    let (q1, q2) = (questions[0].field(), questions[1].field());
    let (s, _, html) = app
        .post(
            &public,
            &respond,
            &[
                ("idempotency_key", &key),
                (&q1, "Halfway"),
                (&q2, &long),
                ("consent", "yes"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("is 5001 characters long"));
    assert!(
        html.contains("Halfway\" checked") || html.contains("value=\"Halfway\" checked"),
        "the answers are kept"
    );
    let good = [
        ("idempotency_key", key.as_str()),
        (q1.as_str(), "Care at home"),
        (q2.as_str(), "My name is Ann Other and my mum (NE1 4AB) needs a bed"),
        ("name", "Ann Other"),
        ("consent", "yes"),
    ];
    let (s, _, first) = app.post(&public, &respond, &good).await;
    assert_eq!(s, StatusCode::OK);
    assert!(first.contains("Your reference is"));
    let (s, _, again) = app.post(&public, &respond, &good).await;
    assert_eq!(s, StatusCode::OK);
    assert!(again.contains("We already had this response"));
    let cid: i64 = base.rsplit('/').next().unwrap().parse().unwrap();
    assert_eq!(app.store.response_count(cid).await.unwrap(), 1, "counted once");
    // The spam trap: thanked, not stored.
    let (s, _, _) = app
        .post(
            &public,
            &respond,
            &[
                ("idempotency_key", "trap1"),
                (&q1, "Halfway"),
                ("consent", "no"),
                ("website", "http://spam"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(app.store.response_count(cid).await.unwrap(), 1);
    // The rate limit (5 an hour in tests): the sixth from one address is refused, answers kept.
    for i in 0..4 {
        let k = format!("rate{i}");
        let (s, _, _) = app
            .post(
                &public,
                &respond,
                &[("idempotency_key", &k), (&q1, "Halfway"), ("consent", "no")],
            )
            .await;
        assert_eq!(s, StatusCode::OK);
    }
    let (s, _, html) = app
        .post(
            &public,
            &respond,
            &[("idempotency_key", "rate9"), (&q1, "Keep the beds"), ("consent", "no")],
        )
        .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert!(html.contains("Too many responses"));
    assert_eq!(app.store.response_count(cid).await.unwrap(), 5);
    // Staff analyse: counts, a theme, the CSV, moderation with personal data removed.
    let contributor = app.signed_in("Footprint contributor").await;
    let (s, html) = app.get(&contributor, &format!("{base}/analysis")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("5 responses"));
    assert!(!html.contains("Pages of responses"), "one page for five responses");
    let (s, html) = app.get(&contributor, &format!("{base}/analysis?page=9")).await;
    assert_eq!(s, StatusCode::OK, "a page past the end shows the last page");
    assert!(html.contains("5 responses"));
    let rid = app.store.responses(cid).await.unwrap()[0].id;
    let (s, _, _) = app
        .post(
            &contributor,
            &format!("{base}/responses/{rid}"),
            &[
                ("action", "tag"),
                ("question", &questions[1].id.to_string()),
                ("tag", "Family"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let r = contributor
        .get(app.url(&format!("{base}/responses.csv")))
        .send()
        .await
        .unwrap();
    let csv = r.text().await.unwrap();
    assert!(csv.contains("My name is Ann Other"), "{csv}");
    assert!(csv.contains("family"));
    assert!(!csv.contains("Ann Other,"), "no names column");
    let (_, html) = app.get(&contributor, &format!("{base}/responses/{rid}")).await;
    assert!(html.contains("My name is [removed] [removed] and my mum ([removed]) needs a bed"));
    let (s, _, _) = app
        .post(
            &contributor,
            &format!("{base}/responses/{rid}"),
            &[
                ("action", "publish"),
                (
                    &format!("redacted_{}", questions[1].id),
                    "My name is [removed] [removed] and my mum ([removed]) needs a bed",
                ),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = app.get(&public, &base).await;
    assert!(html.contains("Published responses"));
    assert!(html.contains("and my mum ([removed]) needs a bed"));
    assert!(!html.contains("Ann Other"));
    // After closing: refused with the date, the answers shown back, nothing stored.
    let closed = footprint_store::consultations::ConsultationInput {
        title: "Closed one".into(),
        summary: "Past".into(),
        formal: false,
        opens_on: "2016-09-01".into(),
        closes_on: "2016-11-23".into(),
        min_weeks: 12,
        ..Default::default()
    };
    let who = footprint_store::Who::system("test");
    let fid = app.store.footprint_by_code("DEMO01").await.unwrap().unwrap().id;
    let old = app.store.create_consultation(&who, fid, &closed).await.unwrap();
    let q = app
        .store
        .add_question(
            &who,
            old.id,
            &footprint_store::consultations::NewQuestion {
                kind: footprint_domain::consultation::QuestionKind::FreeText,
                prompt: "Anything?".into(),
                hint: String::new(),
                required: true,
                choices: Vec::new(),
            },
        )
        .await
        .unwrap();
    let old = app.store.consultation(old.id).await.unwrap().unwrap();
    app.store
        .publish_consultation(&who, old.id, old.revision, None, &[])
        .await
        .unwrap();
    let late = client();
    let path = format!("/footprints/DEMO01/consultations/{}/respond", old.id);
    let (s, _, html) = app
        .post(
            &late,
            &path,
            &[
                ("idempotency_key", "late1"),
                (&format!("q{q}"), "Too late, sadly"),
                ("consent", "no"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(html.contains("This consultation closed on 23 November 2016"));
    assert!(html.contains("Too late, sadly"), "the answer is shown back");
    assert_eq!(app.store.response_count(old.id).await.unwrap(), 0);
    // "You said, we did" waits for the close.
    let (s, _, html) = app
        .post(
            &lead,
            &format!("{base}/outcome"),
            &[("you_said_we_did", "You said care at home.")],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("publish the response after it closes"));
});

both!(voluntary_organisations_ask_to_join, async |app: &App| {
    let public = client();
    let (s, html) = app.get(&public, "/vcs").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Advice, respite and peer support for unpaid carers"));
    assert!(html.contains("Northshire Community Voluntary Service"));
    // Bad input named; then a request from an organisation not yet listed.
    let (s, _, html) = app
        .post(&public, "/vcs/join", &[("footprint", ""), ("contact_email", "nope")])
        .await;
    assert_eq!(s, StatusCode::OK);
    for m in [
        "Choose the footprint whose engagement you want to join",
        "Give your organisation&#39;s name",
        "Enter the name of someone we can contact",
        "Enter an email address in the right format",
    ] {
        assert!(html.contains(m) || html.contains(&m.replace("&#39;", "'")), "{m}");
    }
    let (s, _, html) = app
        .post(
            &public,
            "/vcs/join",
            &[
                ("footprint", "DEMO01"),
                ("organisation", "Eastvale Youth Forum"),
                ("description", "Young people's voice in Eastvale"),
                ("contact_name", "Jo"),
                ("contact_email", "jo@example.org"),
                ("message", "We can run sessions with young people"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Request sent"));
    // The lead sees it on the engagement page and accepts it; the public then sees it.
    let lead = app.signed_in(LEAD).await;
    let (_, html) = app.get(&lead, "/footprints/DEMO01/engagement").await;
    assert!(html.contains("Requests to join"));
    let marker = "/footprints/DEMO01/engagement/requests/";
    let at = html.find(marker).unwrap() + marker.len();
    let id = html[at..].split('"').next().unwrap().to_string();
    let (s, _, _) = app
        .post(&lead, &format!("{marker}{id}"), &[("decision", "accept")])
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = app.get(&public, "/footprints/DEMO01/engagement").await;
    assert!(html.contains("Eastvale Youth Forum"));
    assert!(!html.contains("Requests to join"));
    let (_, html) = app.get(&public, "/vcs?q=youth").await;
    assert!(html.contains("1 of"));
    assert!(html.contains("Eastvale Youth Forum"));
});

both!(a_board_decides_and_the_public_can_see, async |app: &App| {
    let public = client();
    let board = app.signed_in("Board member").await;
    let lead = app.signed_in(LEAD).await;
    let national = app.signed_in("National assurance").await;
    let member = app.signed_in(MEMBER).await;
    let fid = app.store.footprint_by_code("DEMO01").await.unwrap().unwrap().id;
    let body = app.store.bodies(fid).await.unwrap()[0].clone();
    let members = app.store.members(body.id).await.unwrap();
    let council = members
        .iter()
        .find(|m| m.organisation == "Northshire County Council")
        .unwrap()
        .id
        .to_string();
    let proposals = app.store.proposals(fid).await.unwrap();
    let pid = |t: &str| proposals.iter().find(|p| p.title.starts_with(t)).unwrap().id;
    let (surgery, estates) = (
        pid("Consolidate emergency surgery"),
        pid("Dispose of the Eastvale Road"),
    );
    // The board, its rule and members are public.
    let (s, html) = app.get(&public, "/footprints/DEMO01/board").await;
    assert_eq!(s, StatusCode::OK);
    for want in [
        "Northshire and Eastvale Partnership Board",
        "Committees in common",
        "Consensus",
        "Quorum: 5",
    ] {
        assert!(html.contains(want), "{want}");
    }
    // The register: a confidential decision shows that it was taken, not what it was.
    let (_, html) = app.get(&public, "/footprints/DEMO01/decisions").await;
    assert!(html.contains("Adopt the draft plan"));
    assert!(html.contains("Confidential decision"));
    assert!(!html.contains("Eastvale Road"));
    let decisions = app.store.decisions(fid).await.unwrap();
    let secret = decisions.iter().find(|d| d.confidential).unwrap().id;
    let (s, html) = app
        .get(&public, &format!("/footprints/DEMO01/decisions/{secret}"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("took a confidential decision on 28 September 2016"));
    assert!(!html.contains("Eastvale Road"));
    let (_, html) = app
        .get(&national, &format!("/footprints/DEMO01/decisions/{secret}"))
        .await;
    assert!(
        html.contains("Eastvale Road"),
        "national assurance reads confidential items"
    );
    // The meeting's public minutes are for everyone; those of confidential items are not.
    let autumn = app.store.proposal(estates).await.unwrap().unwrap();
    let d = app
        .store
        .decisions(fid)
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.proposal_id == autumn.id)
        .unwrap();
    let meeting_path = format!("/footprints/DEMO01/board/meetings/{}", d.meeting_id);
    let (_, html) = app.get(&public, &meeting_path).await;
    assert!(html.contains("A confidential item on estates was taken in private"));
    assert!(!html.contains("Eastvale Road"), "confidential minutes are not public");
    let (_, html) = app.get(&national, &meeting_path).await;
    assert!(html.contains("Minutes of confidential items") && html.contains("Eastvale Road"));
    // Nor does a confidential decision's title reach someone proposing who cannot read it.
    let contributor = app.signed_in("Footprint contributor").await;
    let (_, html) = app.get(&contributor, "/footprints/DEMO01/decisions/propose").await;
    assert!(
        html.contains("Adopt the draft plan"),
        "a public decision can be superseded"
    );
    assert!(!html.contains("Eastvale Road"));
    assert!(html.contains("Only board members and the programme office can mark a proposal confidential"));
    let (s, _, html) = app
        .post(
            &contributor,
            "/footprints/DEMO01/decisions/propose",
            &[
                ("body", &body.id.to_string()),
                ("title", "Secret"),
                ("what", "x"),
                ("why", "y"),
                ("confidential", "yes"),
                ("effect", "not-modelled"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Only board members and the programme office can mark a proposal confidential: ask them to"));
    let path = format!("/footprints/DEMO01/decisions/proposals/{estates}");
    assert_eq!(app.get(&public, &path).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&member, &path).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&board, &path).await.0, StatusCode::OK);
    // A confidential paper is for those who read the item.
    let paper = app.store.proposal_documents(estates).await.unwrap()[0].id;
    assert_eq!(
        app.get(&public, &format!("/documents/{paper}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&national, &format!("/documents/{paper}")).await.0,
        StatusCode::OK
    );
    // The feed: public entries in full, confidential ones by body and date only.
    let r = public
        .get(app.url("/footprints/DEMO01/decisions.atom"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "application/atom+xml; charset=utf-8"
    );
    let feed = r.text().await.unwrap();
    assert!(feed.starts_with("<?xml"));
    assert!(feed.contains("<entry>") && feed.contains("Adopt the draft plan"));
    assert!(feed.contains("Confidential decision of Northshire and Eastvale Partnership Board"));
    assert!(!feed.contains("Eastvale Road"));
    assert!(
        feed.contains("Eastvale Borough Council (The council&#39;s cabinet")
            || feed.contains("Eastvale Borough Council (The council's cabinet")
    );
    // The same register as JSON.
    let v: serde_json::Value = public
        .get(app.url("/api/v1/footprints/DEMO01/decisions"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let list = v["decisions"].as_array().unwrap();
    let hidden = list.iter().find(|d| d["confidential"] == true).unwrap();
    assert!(hidden.get("title").is_none(), "{hidden}");
    assert!(
        list.iter()
            .any(|d| d["dissented"][0]["organisation"] == "Eastvale Borough Council")
    );
    // The surgery proposal's pack: stress effect, engagement, NHS England's tests with a gap.
    let path = format!("/footprints/DEMO01/decisions/proposals/{surgery}");
    let (s, html) = app.get(&public, &path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("The plan already counts on this. If it is not carried"),
        "{html}"
    );
    assert!(html.contains("The bed-closure test (from April 2017)"));
    assert!(html.contains("No evidence given"));
    assert!(html.contains("NHS Northshire CCG responded: consent"));
    assert!(
        !html.contains("Respond for your organisation"),
        "the public cannot respond"
    );
    // The council's representative responds; an objection without a reason is refused.
    let (_, html) = app.get(&board, &path).await;
    assert!(html.contains("Respond for your organisation"));
    assert!(html.contains("You are responding for <strong>Northshire County Council</strong>"));
    let respond = format!("{path}/respond");
    let (s, _, html) = app
        .post(
            &board,
            &respond,
            &[("member", &council), ("response", "block"), ("reason", " ")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Give the reason for your block"));
    // Someone who does not speak for the council: refused with the reason.
    let (s, _, html) = app
        .post(&member, &respond, &[("member", &council), ("response", "consent")])
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(html.contains("Only the representative or deputy of Northshire County Council"));
    let (s, location, _) = app
        .post(&board, &respond, &[("member", &council), ("response", "consent")])
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{location:?}");
    // Only the programme office closes the meeting; closing records the decision.
    let meeting = app.store.proposal(surgery).await.unwrap().unwrap().meeting_id.unwrap();
    let close = format!("/footprints/DEMO01/board/meetings/{meeting}/close");
    assert_eq!(
        app.post(&board, &close, &[("minutes", "")]).await.0,
        StatusCode::FORBIDDEN
    );
    let (s, _, html) = app
        .post(&lead, &close, &[("minutes", "Agreed, Eastvale dissenting")])
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("Consolidate emergency surgery at Northshire General: Carried"),
        "{html}"
    );
    // After the meeting closed, no response is taken.
    let (s, _, html) = app
        .post(
            &board,
            &respond,
            &[
                ("member", &council),
                ("response", "object"),
                ("reason", "Changed our mind"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(html.contains("decided") || html.contains("closed"));
    let (_, html) = app.get(&public, "/footprints/DEMO01/decisions").await;
    assert!(html.contains("Consolidate emergency surgery at Northshire General"));
    let d = app
        .store
        .decisions(fid)
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.proposal_id == surgery)
        .unwrap();
    let (_, html) = app
        .get(&public, &format!("/footprints/DEMO01/decisions/{}", d.id))
        .await;
    assert!(html.contains("Eastvale residents will travel up to 40 minutes further"));
    assert!(html.contains("Northshire County Council"));
    assert!(
        html.contains("The plan already counts on this"),
        "the pack is kept with the decision"
    );
    // Conditions and actions: a bad date is named; a good one is listed with its owner.
    let actions = format!("/footprints/DEMO01/decisions/{}/actions", d.id);
    let (s, _, html) = app
        .post(
            &lead,
            &actions,
            &[
                ("kind", "condition"),
                ("action_title", "Fund the transport plan"),
                ("organisation", ""),
                ("owner", ""),
                ("due_day", "31"),
                ("due_month", "2"),
                ("due_year", "2018"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Choose who owns it"));
    let org = members
        .iter()
        .find(|m| m.organisation == "Eastvale Borough Council")
        .unwrap()
        .organisation_id
        .to_string();
    let (s, _, _) = app
        .post(
            &lead,
            &actions,
            &[
                ("kind", "condition"),
                ("action_title", "Fund the transport plan"),
                ("organisation", &org),
                ("owner", ""),
                ("due_day", "31"),
                ("due_month", "1"),
                ("due_year", "2018"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = app
        .get(&public, &format!("/footprints/DEMO01/decisions/{}", d.id))
        .await;
    assert!(html.contains("Condition: Fund the transport plan"));
    assert!(html.contains("31 January 2018"));
});

both!(bodies_and_proposals_are_written_with_clear_errors, async |app: &App| {
    let lead = app.signed_in(LEAD).await;
    let contributor = app.signed_in("Footprint contributor").await;
    let (s, _, html) = app
        .post(
            &lead,
            "/footprints/DEMO01/board",
            &[
                ("name", ""),
                ("form", "advisory-group"),
                ("rule", "qualified-majority"),
                ("threshold", "40"),
                ("quorum", "0"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Enter the body&#39;s name") || html.contains("Enter the body's name"));
    assert!(html.contains("whole number from 51 to 100"));
    assert!(html.contains("quorum as a whole number"));
    let (s, location, _) = app
        .post(
            &lead,
            "/footprints/DEMO01/board",
            &[
                ("name", "Finance Committee"),
                ("form", "joint-committee"),
                ("rule", "qualified-majority"),
                ("threshold", "75"),
                ("quorum", "3"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let body_path = location.unwrap();
    let (_, html) = app.get(&lead, &body_path).await;
    assert!(html.contains("Qualified majority: carried with at least 75% of the votes cast"));
    let body_id = body_path.rsplit('/').next().unwrap().to_string();
    // Terms of reference: only the programme office adds them; a file of the wrong type is named.
    let docs = format!("{body_path}/documents");
    let (s, _, _) = post_multipart(
        app,
        &contributor,
        &docs,
        &[("role", "terms-of-reference")],
        Some(("tor.txt", b"Terms")),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, html) = post_multipart(
        app,
        &lead,
        &docs,
        &[("role", "terms-of-reference")],
        Some(("tor.exe", b"MZ")),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("is not a file type Footprint keeps"));
    let (s, _, _) = post_multipart(
        app,
        &lead,
        &docs,
        &[("role", "memorandum")],
        Some(("mou.txt", b"We agree")),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = app.get(&client(), &body_path).await;
    assert!(html.contains("Memorandum of understanding"));
    // A proposal: errors named, then saved with its stress-test effect.
    let (s, _, html) = app
        .post(
            &contributor,
            "/footprints/DEMO01/decisions/propose",
            &[
                ("body", &body_id),
                ("title", ""),
                ("effect", "delayed"),
                ("amount", "99"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Enter the proposal&#39;s title") || html.contains("Enter the proposal's title"));
    assert!(html.contains("the delay in months as a whole number from 0 to 60"));
    let (s, location, _) = app
        .post(
            &contributor,
            "/footprints/DEMO01/decisions/propose",
            &[
                ("body", &body_id),
                ("title", "Delay the stroke unit"),
                ("what", "Start the hyper-acute stroke unit a year later"),
                ("why", "The workforce is not there yet"),
                ("initiatives", "stroke"),
                ("subjects", "finance"),
                ("effect", "delayed"),
                ("amount", "12"),
                ("reconfiguration", "no"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let path = location.unwrap();
    // A draft is for partners only.
    assert_eq!(app.get(&client(), &path).await.0, StatusCode::NOT_FOUND);
    let (_, html) = app.get(&contributor, &path).await;
    assert!(
        html.contains("If carried, the chance the footprint balances its books"),
        "{html}"
    );
    assert!(html.contains("Draft"));
});

both!(delivery_shows_what_is_late_and_who_owns_it, async |app: &App| {
    let public = client();
    let contributor = app.signed_in("Footprint contributor").await;
    let member = app.signed_in(MEMBER).await;
    let lead = app.signed_in(LEAD).await;
    let (s, html) = app.get(&public, "/footprints/DEMO01/delivery").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("What is late, and who owns it"));
    assert!(html.contains("Acute reconfiguration") || html.contains("Emergency surgery consolidated"));
    assert!(html.contains("Take the plan to Eastvale Borough Council"));
    assert!(
        html.contains("Eastvale Borough Council, Councillor Mark Ellis"),
        "the action's owner is named"
    );
    assert!(html.contains("Savings: planned and brought in"));
    assert!(html.contains("£3.1m"), "a recorded benefit is shown");
    assert!(
        !html.contains("Record savings brought in"),
        "the public reads, does not record"
    );
    let (_, html) = app.get(&contributor, "/footprints/DEMO01/delivery").await;
    assert!(html.contains("Record savings brought in"));
    // A milestone: late cannot be chosen (it follows from the date); unknown ones are refused.
    let post = |form: Vec<(&'static str, &'static str)>| {
        let c = contributor.clone();
        async move { app.post(&c, "/footprints/DEMO01/delivery/milestones", &form).await }
    };
    let (s, _, html) = post(vec![
        ("initiative", "stroke"),
        ("milestone", "Hyper-acute stroke unit open"),
        ("status", "late"),
    ])
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("a milestone past its date is shown as late"));
    let (s, _, _) = post(vec![
        ("initiative", "stroke"),
        ("milestone", "No such milestone"),
        ("status", "done"),
    ])
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _, _) = post(vec![
        ("initiative", "stroke"),
        ("milestone", "Hyper-acute stroke unit open"),
        ("status", "done"),
        ("note", "Opened on time"),
    ])
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = app.get(&public, "/footprints/DEMO01/delivery").await;
    assert!(html.contains("Opened on time"));
    // Savings brought in: a bad amount is named.
    let (s, _, html) = app
        .post(
            &contributor,
            "/footprints/DEMO01/delivery/benefits",
            &[("initiative", "stroke"), ("year", "2018/19"), ("amount", "lots")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Enter the amount in £ millions"));
    let (s, _, html) = app
        .post(
            &contributor,
            "/footprints/DEMO01/delivery/benefits",
            &[("initiative", "stroke"), ("year", "2031/32"), ("amount", "1")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Choose a year of the plan"));
    let (s, _, _) = app
        .post(
            &contributor,
            "/footprints/DEMO01/delivery/benefits",
            &[
                ("initiative", "stroke"),
                ("year", "2018/19"),
                ("amount", "4.25"),
                ("benefit_note", "Finance report"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = app.get(&public, "/footprints/DEMO01/delivery").await;
    assert!(html.contains("£4.2m") || html.contains("£4.3m"));
    // An action: not for someone who neither owns it nor records delivery.
    let fid = app.store.footprint_by_code("DEMO01").await.unwrap().unwrap().id;
    let open = app
        .store
        .actions(fid)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.done_on.is_none())
        .unwrap();
    let path = format!("/footprints/DEMO01/delivery/actions/{}", open.id);
    let rev = open.revision.to_string();
    assert_eq!(
        app.post(&member, &path, &[("done", "yes"), ("revision", &rev)]).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(&lead, &path, &[("done", "yes"), ("revision", &rev)]).await.0,
        StatusCode::SEE_OTHER
    );
    // A second, stale click is refused rather than recorded twice.
    assert_eq!(
        app.post(&lead, &path, &[("done", "yes"), ("revision", &rev)]).await.0,
        StatusCode::CONFLICT
    );
    let done = app
        .store
        .actions(fid)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.id == open.id)
        .unwrap();
    assert!(done.done_on.is_some());
});

/// A local SMTP sink: accepts mail on a loopback port and keeps each message's recipients and
/// text.
async fn smtp_sink() -> (u16, std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let store = got.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let (r, mut w) = socket.into_split();
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                let (mut to, mut data, mut in_data) = (String::new(), String::new(), false);
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            store.lock().unwrap().push((to.clone(), data.clone()));
                            w.write_all(b"250 queued\r\n").await.unwrap();
                        } else {
                            data.push_str(&line);
                            data.push('\n');
                        }
                        continue;
                    }
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250 sink\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        to = line[8..].trim().trim_matches(|c| c == '<' || c == '>').to_string();
                        b"250 ok\r\n"
                    } else if upper.starts_with("DATA") {
                        in_data = true;
                        data.clear();
                        b"354 go on\r\n"
                    } else if upper.starts_with("QUIT") {
                        w.write_all(b"221 bye\r\n").await.unwrap();
                        break;
                    } else {
                        b"250 ok\r\n"
                    };
                    w.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, got)
}

both!(notifications_and_digests, async |app: &App| {
    use footprint_store::notifications::Frequency;
    use footprint_web::notify::{Mailer, send_digests};
    let board = app.signed_in("Board member").await;
    let public = client();
    let (s, html) = app.get(&board, "/account/notifications").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains(
            "Consolidate emergency surgery at Northshire General&quot; awaits a response from Northshire County Council"
        ) || html.contains(
            "Consolidate emergency surgery at Northshire General&#34; awaits a response from Northshire County Council"
        ),
        "{html}"
    );
    let r = public.get(app.url("/account/notifications")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/sign-in");
    let (s, _, html) = app
        .post(&board, "/account/notifications", &[("digest", "hourly")])
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Choose how often you want a digest"));
    let (s, _, _) = app.post(&board, "/account/notifications", &[("digest", "never")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    // Once the representative responds, the notice goes.
    let fid = app.store.footprint_by_code("DEMO01").await.unwrap().unwrap().id;
    let surgery = app
        .store
        .proposals(fid)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.title.starts_with("Consolidate"))
        .unwrap();
    let council = app
        .store
        .members(surgery.body_id)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.organisation == "Northshire County Council")
        .unwrap();
    app.post(
        &board,
        &format!("/footprints/DEMO01/decisions/proposals/{}/respond", surgery.id),
        &[("member", &council.id.to_string()), ("response", "consent")],
    )
    .await;
    let (_, html) = app.get(&board, "/account/notifications").await;
    assert!(!html.contains("awaits a response from Northshire County Council"));
    // Digests by email through a local SMTP sink: the council's representative has a late
    // condition; people with nothing waiting get nothing; a second run sends nothing more.
    let (port, inbox) = smtp_sink().await;
    let mailer = Mailer::new(&format!("smtp://127.0.0.1:{port}"), "Footprint <footprint@example.org>").unwrap();
    let today = footprint_web::routes::consultations::today();
    let report = send_digests(
        &app.store,
        Frequency::Weekly,
        Some(&mailer),
        "http://footprint.test",
        &today,
    )
    .await
    .unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert!(
        report
            .sent
            .iter()
            .any(|(to, _)| to == "eastvale-council@demo.footprint.local"),
        "{report:?}"
    );
    assert!(
        !report.sent.iter().any(|(to, _)| to == "board@demo.footprint.local"),
        "chose never"
    );
    let mail = inbox.lock().unwrap().clone();
    assert_eq!(mail.len(), report.sent.len());
    let (_, text) = mail
        .iter()
        .find(|(to, _)| to == "eastvale-council@demo.footprint.local")
        .unwrap();
    assert!(text.contains("Subject: Footprint:"), "{text}");
    assert!(text.contains("Take the plan to Eastvale Borough Council"), "{text}");
    assert!(text.contains("it is late"));
    assert!(text.contains("http://footprint.test/footprints/DEMO01/delivery#actions"));
    let again = send_digests(
        &app.store,
        Frequency::Weekly,
        Some(&mailer),
        "http://footprint.test",
        &today,
    )
    .await
    .unwrap();
    assert!(again.sent.is_empty());
    assert_eq!(again.already, report.sent.len());
    assert_eq!(inbox.lock().unwrap().len(), mail.len(), "no digest twice in a day");
    // A relay that does not answer: the failure is reported and the digest is tried again
    // next time; without a relay the digests are printed, not sent.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_port = closed.local_addr().unwrap().port();
    drop(closed);
    let dead = Mailer::new(&format!("smtp://127.0.0.1:{dead_port}"), "footprint@example.org").unwrap();
    let report = send_digests(&app.store, Frequency::Weekly, Some(&dead), "http://x", "2099-01-01")
        .await
        .unwrap();
    assert!(!report.failed.is_empty());
    let ellis = app
        .store
        .user_by_email(&footprint_domain::person::Email::parse("eastvale-council@demo.footprint.local").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(
        app.store.claim_digest(ellis.id, "2099-01-01", 1).await.unwrap(),
        "a digest that failed is not counted as sent"
    );
    let printed = send_digests(&app.store, Frequency::Weekly, None, "http://x", &today)
        .await
        .unwrap();
    assert!(
        printed
            .printed
            .iter()
            .any(|d| d.contains("To: eastvale-council@demo.footprint.local"))
    );
    assert!(Mailer::new("http://x", "a@b.c").is_err());
    assert!(Mailer::new("smtp://x:y", "a@b.c").is_err());
    assert!(Mailer::new("smtp://x:25", "not an address").is_err());
});

both!(credential_changes_are_told, async |app: &App| {
    use footprint_web::notify::{Mailer, SECURITY_NOTICE_DAYS, send_security_notices};
    let account = app
        .accounts
        .iter()
        .find(|a| a.role == "Footprint contributor")
        .unwrap()
        .clone();
    let me = app.signed_in("Footprint contributor").await;
    let (_, html) = app.get(&me, "/account").await;
    assert!(html.contains("Changes to how you sign in") && html.contains("None in the last 90 days"));
    let new = "harbour lantern quarry meadow";
    let (s, _, _) = app
        .post(
            &me,
            "/account/password",
            &[
                ("current_password", &account.password),
                ("new_password", new),
                ("confirm_password", new),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _, _) = app
        .post(&me, "/account/tokens", &[("token_name", "nightly export")])
        .await;
    assert_eq!(s, StatusCode::OK);
    // The account page lists both, newest first.
    let (_, html) = app.get(&me, "/account").await;
    let (password, token) = (
        html.find("Your password was set on")
            .expect("the password change listed"),
        html.find("nightly export").expect("the token listed"),
    );
    assert!(token < password, "newest first");
    assert!(html.contains("by you"));
    // Sent once each, by email, to the person whose account it is.
    let (port, inbox) = smtp_sink().await;
    let mailer = Mailer::new(&format!("smtp://127.0.0.1:{port}"), "Footprint <footprint@example.org>").unwrap();
    let now = footprint_store::now_ms();
    let report = send_security_notices(&app.store, Some(&mailer), "http://footprint.test", now)
        .await
        .unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let mine: Vec<&(String, i64)> = report.sent.iter().filter(|(to, _)| *to == account.email).collect();
    assert_eq!(mine.len(), 2, "{report:?}");
    let mail = inbox.lock().unwrap().clone();
    assert_eq!(mail.len(), report.sent.len());
    // Lines are wrapped at 72 columns: read each message as one line.
    let to_me: Vec<String> = mail
        .iter()
        .filter(|(to, _)| *to == account.email)
        .map(|(_, t)| t.replace('\n', " "))
        .collect();
    assert!(
        mail.iter().all(|(_, t)| t
            .split("\n\n")
            .skip(1)
            .all(|body| body.lines().all(|l| l.chars().count() <= 72))),
        "short lines in the body"
    );
    assert!(
        to_me
            .iter()
            .any(|t| t.contains("Subject: Footprint: your password was set"))
    );
    assert!(
        to_me
            .iter()
            .any(|t| t.contains("nightly export") && t.contains("was made for your account"))
    );
    assert!(
        to_me
            .iter()
            .all(|t| t.contains("If it was not") && t.contains("http://footprint.test/account"))
    );
    assert!(to_me.iter().all(|t| !t.contains(new)), "never the password itself");
    let again = send_security_notices(&app.store, Some(&mailer), "http://footprint.test", now)
        .await
        .unwrap();
    assert!(again.sent.is_empty(), "each notice once: {again:?}");
    // A revoked token: without a relay the notice is printed and not recorded as told (so that
    // a relay set up later still sends it); it is not sent once it is older than the notice
    // window; within it, the next run with a relay sends it.
    let id = app
        .store
        .api_tokens(
            app.store
                .user_by_email(&footprint_domain::person::Email::parse(&account.email).unwrap())
                .await
                .unwrap()
                .unwrap()
                .id,
        )
        .await
        .unwrap()[0]
        .id;
    let (s, _, _) = app.post(&me, &format!("/account/tokens/{id}/revoke"), &[]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let printed = send_security_notices(&app.store, None, "http://x", now).await.unwrap();
    assert!(
        printed
            .printed
            .iter()
            .any(|t| t.contains(&format!("To: {}", account.email)) && t.contains("was revoked")),
        "{printed:?}"
    );
    let later = now + (SECURITY_NOTICE_DAYS + 1) * 86_400_000;
    let stale = send_security_notices(&app.store, Some(&mailer), "http://x", later)
        .await
        .unwrap();
    assert!(stale.sent.is_empty(), "{stale:?}");
    let sent = send_security_notices(&app.store, Some(&mailer), "http://x", footprint_store::now_ms())
        .await
        .unwrap();
    assert_eq!(sent.sent.len(), 1, "{sent:?}");
    assert_eq!(sent.sent[0].0, account.email);
});

both!(guidance_submissions_and_feedback, async |app: &App| {
    let public = client();
    let lead = app.signed_in(LEAD).await;
    let national = app.signed_in("National assurance").await;
    let contributor = app.signed_in("Footprint contributor").await;
    // The guidance is public, with what changed in each version.
    let (s, html) = app.get(&public, "/national/guidance").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("STP guidance: next steps (fictional demo)"));
    assert!(html.contains("Submit the draft plan: the deadline moved from 30 June 2016 to 21 October 2016"));
    assert!(html.contains("No longer required: Outline plan at the April checkpoint"));
    assert!(html.contains("New: Show how people were involved (due 21 October 2016)"));
    assert!(!html.contains("Start a new version"));
    // The footprint's checklist: done, overdue, the submission awaiting feedback.
    let (s, html) = app.get(&lead, "/footprints/DEMO01/submissions").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("Agree the footprint&#39;s boundary and lead")
            || html.contains("Agree the footprint's boundary and lead")
    );
    assert!(html.contains("Overdue"), "being involved was due in 2016");
    assert!(html.contains("Awaiting feedback"));
    assert!(
        !html.contains("What changed since you last looked"),
        "a first look has nothing to compare"
    );
    let r = public
        .get(app.url("/footprints/DEMO01/submissions"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/sign-in");
    // National assurance publishes version 3; the lead then sees what changed since they looked.
    let (s, _, html) = app.post(&national, "/national/guidance", &[("title", "")]).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Enter the guidance&#39;s title") || html.contains("Enter the guidance's title"));
    let (s, _, _) = app
        .post(
            &national,
            "/national/guidance",
            &[("title", "Winter update"), ("summary", "")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let draft = app.store.guidance_versions().await.unwrap()[0].clone();
    assert!(draft.published_on.is_none());
    let (_, html) = app.get(&public, "/national/guidance").await;
    assert!(!html.contains("Winter update"), "a draft is not public");
    let path = format!("/national/guidance/{}/requirements", draft.id);
    let (s, _, html) = app
        .post(
            &national,
            &path,
            &[
                ("requirement_title", "Estates strategy"),
                ("due_day", "31"),
                ("due_month", "2"),
                ("due_year", "2017"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("real date") || html.contains("must be a real date"),
        "{html}"
    );
    let (s, _, _) = app
        .post(
            &national,
            &path,
            &[
                ("requirement_title", "Estates strategy"),
                ("detail", "Sites to keep and sell"),
                ("due_day", "31"),
                ("due_month", "3"),
                ("due_year", "2017"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _, _) = app
        .post(&national, &format!("/national/guidance/{}/publish", draft.id), &[])
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = app.get(&lead, "/footprints/DEMO01/submissions").await;
    assert!(html.contains("What changed since you last looked (version 2)"));
    assert!(html.contains("New: Estates strategy (due 31 March 2017)"));
    assert!(
        html.contains(", after the deadline"),
        "a submission says whether it was on time"
    );
    let (_, html) = app.get(&lead, "/footprints/DEMO01/submissions").await;
    assert!(
        !html.contains("What changed since you last looked"),
        "once seen, not shown again"
    );
    // The lead marks a requirement done; submits a plan version; a contributor may not.
    let (s, _, _) = app
        .post(
            &lead,
            "/footprints/DEMO01/submissions/checklist",
            &[("key", "estates-strategy"), ("done", "yes")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(
        app.post(
            &contributor,
            "/footprints/DEMO01/submissions",
            &[("plan", "1"), ("requirement", "draft-plan")]
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (s, location, _) = app
        .post(
            &lead,
            "/footprints/DEMO01/submissions",
            &[("plan", "1"), ("requirement", "draft-plan"), ("note", "Updated")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let submission = location.unwrap();
    let (s, _, html) = app
        .post(
            &lead,
            "/footprints/DEMO01/submissions",
            &[("plan", "1"), ("requirement", "estates-strategy")],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("not met by submitting a plan"));
    // National assurance rates it with reasons; the footprint sees the feedback.
    let feedback = format!("{submission}/feedback");
    let (s, _, html) = app.post(&national, &feedback, &[("rating", ""), ("reasons", "")]).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Choose a rating") && html.contains("Give the reasons for the rating"));
    assert_eq!(
        app.post(
            &lead,
            &feedback,
            &[("rating", "outstanding"), ("reasons", "We are great")]
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (s, _, _) = app
        .post(
            &national,
            &feedback,
            &[
                ("rating", "making-progress"),
                ("reasons", "Councils informed rather than involved"),
                ("feedback", "Bring councils onto the board"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = app.get(&lead, &submission).await;
    assert!(html.contains("Making progress") && html.contains("Councils informed rather than involved"));
    let (_, html) = app.get(&national, "/national/submissions").await;
    assert!(html.contains("Northshire and Eastvale (fictional)"));
    // A requirement of the same title is refused rather than overwritten.
    let (s, _, html) = app
        .post(&national, "/national/guidance", &[("title", "Spring update")])
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{html}");
    let spring = app.store.guidance_versions().await.unwrap()[0].clone();
    let (s, _, html) = app
        .post(
            &national,
            &format!("/national/guidance/{}/requirements", spring.id),
            &[("requirement_title", "Estates strategy")],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("is already required: change that requirement instead"));
    let (s, _, _) = app
        .post(&national, &format!("/national/guidance/{}/publish", spring.id), &[])
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
});

both!(the_national_stress_test_runs_in_the_background, async |app: &App| {
    let national = app.signed_in("National assurance").await;
    let (s, _, html) = app.post(&national, "/national/stress", &[("samples", "50")]).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("from 1,000 to 1,000,000"));
    let wait = async || loop {
        let runs = app.store.national_runs(5).await.unwrap();
        if runs.first().is_some_and(|r| r.status != "running") {
            return runs;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    for _ in 0..2 {
        let (s, location, _) = app.post(&national, "/national/stress", &[("samples", "2000")]).await;
        assert_eq!(
            (s, location.as_deref()),
            (StatusCode::SEE_OTHER, Some("/national/stress"))
        );
        let runs = tokio::time::timeout(Duration::from_secs(120), wait()).await.unwrap();
        assert_eq!(runs[0].status, "done", "{}", runs[0].error);
        assert_eq!(runs[0].done, runs[0].total);
        assert_eq!(runs[0].total, 2000, "one footprint has a plan");
    }
    let (_, html) = app.get(&national, "/national/stress").await;
    assert!(html.contains("The latest finished run"));
    assert!(html.contains("Northshire and Eastvale (fictional)"));
    assert!(
        html.contains("Against the run before: the median national gap is unchanged"),
        "the same plans and seed give the same result"
    );
    assert!(
        html.contains("the correlation of baseline.demand_growth with"),
        "{html}"
    );
    assert!(html.contains("The national assumptions that drive it"));
    assert!(
        html.contains("Demand growth") && html.contains("Cost inflation"),
        "{html}"
    );
    // The dashboard: every footprint, sortable and filterable, ratings with the areas behind them.
    let (s, html) = app.get(&national, "/national").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("45 footprints"), "the 44 and the demo");
    assert!(html.contains("Plan version 1"));
    assert!(
        html.contains("Not rated"),
        "reference footprints with nothing known are not rated"
    );
    assert!(html.contains("Body set up; 2 decisions"));
    assert!(html.contains("Finances from the national run of"));
    let (_, html) = app.get(&national, "/national?sort=balance&dir=desc&region=North").await;
    let body = html.split("<tbody").nth(1).unwrap();
    assert!(
        body.find("Northshire and Eastvale").unwrap() < body.find("</tr>").unwrap(),
        "the footprint with a chance of balance comes first"
    );
    assert!(html.contains("aria-sort=\"descending\""));
    assert!(!html.contains("North Central London"), "filtered to the North");
    assert!(html.contains("<svg class=\"fp-small-multiple\""));
    let lead = app.signed_in(LEAD).await;
    assert_eq!(app.get(&lead, "/national").await.0, StatusCode::FORBIDDEN);
    // One run at a time.
    let id = app
        .store
        .start_national_run(&footprint_store::Who::system("test"), 1000)
        .await
        .unwrap();
    let (s, _, html) = app.post(&national, "/national/stress", &[("samples", "2000")]).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("A national run is already going"));
    app.store
        .finish_national_run(id, Err("stopped by the test"))
        .await
        .unwrap();
});

both!(open_data_across_footprints, async |app: &App| {
    let public = client();
    let r = public.get(app.url("/data/decisions.csv")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = r.text().await.unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "footprint,id,decided_on,body,confidential,title,outcome,agreed,dissented,abstained,supersedes,superseded_by"
    );
    assert!(csv.contains("Adopt the draft plan"));
    assert!(csv.contains(",true,,"), "a confidential decision: date and body only");
    assert!(!csv.contains("Eastvale Road"));
    assert!(csv.contains("Eastvale Borough Council: The council"));
    let v: serde_json::Value = public
        .get(app.url("/data/footprints.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let list = v["footprints"].as_array().unwrap();
    assert_eq!(list.len(), 45);
    let demo = list.iter().find(|f| f["code"] == "DEMO01").unwrap();
    assert_eq!(demo["plan_version"], 1);
    assert_eq!(demo["decisions"], 2);
    assert!(demo["savings_share"].as_f64().unwrap() > 0.0);
    assert!(demo["p_balance"].is_null(), "no national run yet");
    let csv = public
        .get(app.url("/data/consultations.csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.starts_with("footprint,id,title,formal,opens_on,closes_on,responses"));
    assert!(csv.lines().count() >= 2);
    assert_eq!(
        public.get(app.url("/data/secrets.csv")).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        public
            .get(app.url("/data/decisions.xml"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    let (_, html) = app.get(&public, "/data").await;
    assert!(html.contains("decisions.csv and decisions.json"));
    assert!(html.contains("engagement_share"));
});
