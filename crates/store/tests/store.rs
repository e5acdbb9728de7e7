//! The store's behaviour, each test on SQLite and on PostgreSQL.

use footprint_domain::access::{FootprintRole, Role, SiteRole};
use footprint_domain::footprint::NewFootprint;
use footprint_domain::organisation::OrganisationInput;
use footprint_domain::person::Email;
use footprint_store::users::NewUser;
use footprint_store::{Store, StoreError, Who, both_backends};

fn org(name: &str, kind: &str) -> OrganisationInput {
    OrganisationInput::parse(name, kind, false, "").unwrap()
}

async fn reference(store: &Store) -> (i64, i64) {
    store.ensure_reference_footprints().await.unwrap();
    let a = store.footprint_by_code("E54000005").await.unwrap().unwrap();
    let b = store.footprint_by_code("e54000006").await.unwrap().unwrap();
    (a.id, b.id)
}

both_backends!(reference_data_loads_once, |store: Store| async move {
    assert_eq!(store.ensure_reference_footprints().await.unwrap(), 44);
    assert_eq!(store.ensure_reference_footprints().await.unwrap(), 0);
    let all = store.footprints().await.unwrap();
    assert_eq!(all.len(), 44);
    assert!(all.iter().all(|f| f.footprint.reference && f.partners == 0));
    let humber = store.footprint_by_code("E54000006").await.unwrap().unwrap();
    assert_eq!(humber.name, "Humber, Coast and Vale");
    // One audit entry for the load, none for the no-op.
    assert_eq!(store.audit_count().await.unwrap(), 1);
});

both_backends!(partners_with_overlaps_and_audit, |store: Store| async move {
    let (wy, humber) = reference(&store).await;
    let who = Who::system("test");
    let trust = store
        .create_organisation(&who, &org("Eastvale Hospitals NHS Trust", "acute-trust"))
        .await
        .unwrap();
    let cvs = store
        .create_organisation(&who, &org("Eastvale CVS", "cvs"))
        .await
        .unwrap();
    store.add_partner(&who, wy, trust.id).await.unwrap();
    store.add_partner(&who, wy, cvs.id).await.unwrap();
    store.add_partner(&who, humber, trust.id).await.unwrap();

    let partners = store.partners(wy).await.unwrap();
    let names: Vec<_> = partners.iter().map(|p| p.organisation.name.as_str()).collect();
    assert_eq!(
        names,
        ["Eastvale Hospitals NHS Trust", "Eastvale CVS"],
        "trusts before the voluntary sector"
    );
    assert_eq!(
        partners[0].also_in,
        [("E54000006".to_string(), "Humber, Coast and Vale".to_string())]
    );
    assert!(partners[1].also_in.is_empty());
    assert_eq!(store.organisation_footprints(trust.id).await.unwrap().len(), 2);

    // A duplicate partner is a conflict with a message, and nothing is written.
    let before = store.audit_count().await.unwrap();
    match store.add_partner(&who, wy, trust.id).await {
        Err(StoreError::Conflict { field, message }) => {
            assert_eq!(field, "organisation");
            assert_eq!(
                message,
                "Eastvale Hospitals NHS Trust is already a partner of West Yorkshire and Harrogate"
            );
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert!(matches!(
        store.add_partner(&who, wy, 999_999).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(store.audit_count().await.unwrap(), before);

    store.remove_partner(&who, wy, cvs.id).await.unwrap();
    assert_eq!(store.partners(wy).await.unwrap().len(), 1);
    assert!(matches!(
        store.remove_partner(&who, wy, cvs.id).await,
        Err(StoreError::NotFound(_))
    ));

    let entries = store.audit_entries(Some(wy), None, 10).await.unwrap();
    let actions: Vec<_> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "footprint.partner.remove",
            "footprint.partner.add",
            "footprint.partner.add"
        ]
    );
    assert_eq!(
        entries[0].summary,
        "Removed Eastvale CVS as a partner of West Yorkshire and Harrogate"
    );
    assert!(entries[0].before.is_some() && entries[0].after.is_none());
});

both_backends!(organisation_names_and_codes_are_unique, |store: Store| async move {
    let who = Who::system("test");
    let a = OrganisationInput::parse("Northshire Council", "county-council", false, "N01").unwrap();
    store.create_organisation(&who, &a).await.unwrap();
    let same_name = OrganisationInput::parse("NORTHSHIRE council", "unitary-council", false, "").unwrap();
    match store.create_organisation(&who, &same_name).await {
        Err(StoreError::Conflict { field: "name", .. }) => {}
        other => panic!("expected a name conflict, got {other:?}"),
    }
    let same_code = OrganisationInput::parse("Eastvale Council", "unitary-council", false, "n01").unwrap();
    match store.create_organisation(&who, &same_code).await {
        Err(StoreError::Conflict {
            field: "ods_code",
            message,
        }) => assert!(message.contains("N01")),
        other => panic!("expected an ODS code conflict, got {other:?}"),
    }
    assert_eq!(store.organisations().await.unwrap().len(), 1);
});

both_backends!(stale_edits_are_refused, |store: Store| async move {
    let who = Who::system("test");
    let created = store
        .create_organisation(&who, &org("Eastvale Healthwatch", "healthwatch"))
        .await
        .unwrap();
    let renamed = org("Healthwatch Eastvale", "healthwatch");
    let edited = store
        .update_organisation(&who, created.id, created.version, &renamed)
        .await
        .unwrap();
    assert_eq!(edited.version, 2);
    // A second person still holding version 1 is told, and their edit is not applied.
    let other = org("Healthwatch in Eastvale", "healthwatch");
    assert!(matches!(
        store
            .update_organisation(&who, created.id, created.version, &other)
            .await,
        Err(StoreError::Stale(_))
    ));
    assert_eq!(
        store.organisation(created.id).await.unwrap().unwrap().name,
        "Healthwatch Eastvale"
    );
    let entry = &store.audit_entries(None, None, 1).await.unwrap()[0];
    assert_eq!(entry.action, "organisation.update");
    assert!(entry.before.as_deref().unwrap().contains("Eastvale Healthwatch"));
    assert!(entry.after.as_deref().unwrap().contains("Healthwatch Eastvale"));
});

both_backends!(the_audit_log_cannot_be_rewritten, |store: Store| async move {
    store.ensure_reference_footprints().await.unwrap();
    let id = store.audit_entries(None, None, 1).await.unwrap()[0].id;
    assert!(store.try_rewrite_audit(id).await.is_err());
    assert!(store.try_delete_audit(id).await.is_err());
    let entry = &store.audit_entries(None, None, 1).await.unwrap()[0];
    assert_eq!(entry.summary, "Loaded 44 reference footprints");
});

both_backends!(people_roles_and_what_they_may_do, |store: Store| async move {
    let (wy, humber) = reference(&store).await;
    let who = Who::system("test");
    let trust = store
        .create_organisation(&who, &org("Eastvale Hospitals NHS Trust", "acute-trust"))
        .await
        .unwrap();
    store.add_partner(&who, wy, trust.id).await.unwrap();
    let new = NewUser {
        email: Email::parse("Ada@Example.org").unwrap(),
        display_name: "Ada Lovelace".into(),
        password_hash: "$argon2id$test".into(),
        site_role: SiteRole::None,
        organisation_id: Some(trust.id),
    };
    let ada = store.create_user(&who, &new).await.unwrap();
    assert_eq!(ada.email, "ada@example.org");
    match store.create_user(&who, &new).await {
        Err(StoreError::Conflict { field: "email", .. }) => {}
        other => panic!("expected an email conflict, got {other:?}"),
    }
    store
        .grant_footprint_role(&who, ada.id, humber, FootprintRole::Lead)
        .await
        .unwrap();
    store
        .grant_footprint_role(&who, ada.id, humber, FootprintRole::Lead)
        .await
        .unwrap();
    let actor = store.actor(&ada).await.unwrap();
    assert_eq!(actor.role_in(wy), Role::OrganisationMember);
    assert_eq!(actor.role_in(humber), Role::Lead);
    assert_eq!(store.footprint_people(humber).await.unwrap().len(), 1);
    let (found, hash) = store
        .user_for_sign_in(&Email::parse("ada@example.org").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((found.id, hash.as_str()), (ada.id, "$argon2id$test"));
    // Granting twice records once.
    let grants = store.audit_entries(Some(humber), None, 10).await.unwrap();
    assert_eq!(grants.len(), 1);
});

both_backends!(sessions_tokens_and_sign_in_attempts, |store: Store| async move {
    let who = Who::system("test");
    let new = NewUser {
        email: Email::parse("grace@example.org").unwrap(),
        display_name: "Grace Hopper".into(),
        password_hash: "h".into(),
        site_role: SiteRole::NationalAssurance,
        organisation_id: None,
    };
    let grace = store.create_user(&who, &new).await.unwrap();
    let now = footprint_store::now_ms();
    store.create_session("live", grace.id, now + 60_000).await.unwrap();
    store.create_session("old", grace.id, now - 1).await.unwrap();
    assert_eq!(store.session_user("live").await.unwrap().unwrap().id, grace.id);
    assert!(store.session_user("old").await.unwrap().is_none());
    assert!(store.session_user("nothing").await.unwrap().is_none());
    assert_eq!(store.purge_sessions().await.unwrap(), 1);
    store.delete_session("live").await.unwrap();
    assert!(store.session_user("live").await.unwrap().is_none());

    let token = store
        .create_api_token(&grace.who(), grace.id, "dashboard", "hash1")
        .await
        .unwrap();
    assert_eq!(store.api_token_user("hash1").await.unwrap().unwrap().id, grace.id);
    store.revoke_api_token(&grace.who(), grace.id, token.id).await.unwrap();
    assert!(store.api_token_user("hash1").await.unwrap().is_none());
    assert!(matches!(
        store.revoke_api_token(&grace.who(), grace.id, token.id).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(store.api_tokens(grace.id).await.unwrap()[0].revoked_at.is_some());

    for _ in 0..3 {
        store
            .record_sign_in_attempt("grace@example.org", "10.0.0.1", false)
            .await
            .unwrap();
    }
    store
        .record_sign_in_attempt("grace@example.org", "10.0.0.2", true)
        .await
        .unwrap();
    assert_eq!(
        store
            .failed_sign_ins("grace@example.org", "10.0.0.1", now - 1000)
            .await
            .unwrap(),
        (3, 3)
    );
    assert_eq!(
        store
            .failed_sign_ins("x@example.org", "10.0.0.2", now - 1000)
            .await
            .unwrap(),
        (0, 0)
    );
});

both_backends!(footprints_set_up_here, |store: Store| async move {
    let who = Who::system("demo");
    let f = NewFootprint::parse("DEMO01", "Northshire and Eastvale (fictional)", "north").unwrap();
    let created = store.create_footprint(&who, &f, true).await.unwrap();
    assert!(created.demo && !created.reference);
    assert_eq!(created.region, "North");
    match store.create_footprint(&who, &f, true).await {
        Err(StoreError::Conflict { field: "code", .. }) => {}
        other => panic!("expected a code conflict, got {other:?}"),
    }
    assert_eq!(store.footprint(created.id).await.unwrap().unwrap(), created);
    let settings = store.setting_or_init("k", "first").await.unwrap();
    assert_eq!(settings, "first");
    assert_eq!(store.setting_or_init("k", "second").await.unwrap(), "first");
});

both_backends!(roles_are_taken_away_with_a_record, |store: Store| async move {
    let (wy, _) = reference(&store).await;
    let who = Who::system("test");
    let new = NewUser {
        email: Email::parse("mo@example.org").unwrap(),
        display_name: "Mo Farah".into(),
        password_hash: "h".into(),
        site_role: SiteRole::None,
        organisation_id: None,
    };
    let mo = store.create_user(&who, &new).await.unwrap();
    store
        .grant_footprint_role(&who, mo.id, wy, FootprintRole::BoardMember)
        .await
        .unwrap();
    assert_eq!(store.actor(&mo).await.unwrap().role_in(wy), Role::BoardMember);
    store
        .revoke_footprint_role(&who, mo.id, wy, FootprintRole::BoardMember)
        .await
        .unwrap();
    assert_eq!(store.actor(&mo).await.unwrap().role_in(wy), Role::Public);
    assert!(matches!(
        store
            .revoke_footprint_role(&who, mo.id, wy, FootprintRole::BoardMember)
            .await,
        Err(StoreError::NotFound(_))
    ));
    let e = &store.audit_entries(Some(wy), None, 1).await.unwrap()[0];
    assert_eq!(
        e.summary,
        "Took the role Board member in West Yorkshire and Harrogate from Mo Farah"
    );
});

both_backends!(plan_versions_draft_and_fixed_snapshots, |store: Store| async move {
    let (wy, _) = reference(&store).await;
    let who = Who::system("test");
    use footprint_store::plans::VersionStatus;
    assert!(store.plan_draft(wy).await.unwrap().is_none());
    let draft = store.create_plan_draft(&who, wy, r#"{"vision":"one"}"#).await.unwrap();
    assert!(matches!(
        store.create_plan_draft(&who, wy, "{}").await,
        Err(StoreError::Conflict { field: "plan", .. })
    ));
    let v1 = store.snapshot_plan(&who, wy, VersionStatus::Published).await.unwrap();
    assert_eq!((v1.number, v1.document.as_str()), (Some(1), r#"{"vision":"one"}"#));
    // Edit the draft; a second editor holding the old revision is refused.
    let rev = store
        .update_plan_draft(&who, wy, draft.revision, r#"{"vision":"two"}"#, "Changed the vision")
        .await
        .unwrap();
    assert!(matches!(
        store
            .update_plan_draft(&who, wy, draft.revision, r#"{"vision":"three"}"#, "x")
            .await,
        Err(StoreError::Stale(_))
    ));
    assert_eq!(rev, 2);
    let v2 = store.snapshot_plan(&who, wy, VersionStatus::Submitted).await.unwrap();
    assert_eq!(v2.number, Some(2));
    // Snapshots are fixed: the published one still says "one", and cannot be rewritten.
    assert!(store.try_rewrite_plan_version(v1.id).await.is_err());
    assert_eq!(
        store.plan_version(wy, 1).await.unwrap().unwrap().document,
        r#"{"vision":"one"}"#
    );
    assert_eq!(store.latest_published_plan(wy).await.unwrap().unwrap().number, Some(1));
    let numbers: Vec<_> = store
        .plan_versions(wy)
        .await
        .unwrap()
        .iter()
        .map(|v| v.number)
        .collect();
    assert_eq!(numbers, [Some(2), Some(1)]);
    let actions: Vec<_> = store
        .audit_entries(Some(wy), None, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        ["plan.submit", "plan.draft.update", "plan.publish", "plan.draft.create"]
    );
});

both_backends!(engagement_groups_and_log, |store: Store| async move {
    use footprint_domain::engagement::{Depth, Method};
    use footprint_store::engagement::{NewActivity, NewDocument};
    let (wy, _) = reference(&store).await;
    let who = Who::system("test");
    // Every footprint starts with the default groups.
    let groups = store.groups(wy).await.unwrap();
    assert_eq!(groups.len(), 13);
    assert_eq!(groups[0].name, "Patients and the public");
    let carers = store.add_group(&who, wy, "Carers", Some(groups[0].id)).await.unwrap();
    let groups = store.groups(wy).await.unwrap();
    assert_eq!(groups[1].id, carers.id, "a sub-group follows its group");
    assert!(matches!(
        store.add_group(&who, wy, "carers", None).await,
        Err(StoreError::Conflict { field: "name", .. })
    ));
    assert!(matches!(
        store.add_group(&who, wy, "Young carers", Some(carers.id)).await,
        Err(StoreError::Conflict { field: "parent", .. })
    ));
    let a = NewActivity {
        held_on: "2016-06-01".into(),
        title: "Urgent care workshop".into(),
        method: Some(Method::Workshop),
        run_by: "Programme office".into(),
        depth: Some(Depth::Involve),
        areas: vec!["urgent-care".into()],
        groups: vec![(groups[0].id, 40), (carers.id, 12)],
        evidence_url: String::new(),
        what_changed: "A third option added".into(),
    };
    let file = NewDocument::File {
        title: "Notes".into(),
        file_name: "notes.txt".into(),
        content_type: "text/plain".into(),
        content: b"what we heard".to_vec(),
    };
    let id = store.add_activity(&who, wy, &a, Some(&file)).await.unwrap();
    let log = store.activities(wy).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].id, id);
    assert_eq!(log[0].people(), 52);
    assert_eq!(log[0].groups[1].1, "Carers");
    let doc = log[0].evidence.clone().unwrap();
    assert_eq!(store.document_content(doc.id).await.unwrap().unwrap(), b"what we heard");
    // A group of another footprint cannot be named.
    let other = store.groups(wy + 1).await.unwrap();
    let mut bad = a.clone();
    bad.groups = vec![(other[0].id, 1)];
    assert!(matches!(
        store.add_activity(&who, wy, &bad, None).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(store.activities(wy).await.unwrap().len(), 1, "nothing half-written");
    store
        .set_options_closed(&who, wy, "urgent-care", Some("2016-07-01"))
        .await
        .unwrap();
    store
        .set_options_closed(&who, wy, "urgent-care", Some("2016-08-01"))
        .await
        .unwrap();
    assert_eq!(
        store.options_closed(wy).await.unwrap(),
        [("urgent-care".to_string(), "2016-08-01".to_string())]
    );
});

both_backends!(consultations_take_each_response_once, |store: Store| async move {
    use footprint_domain::consultation::{Answer, OptionEffect, QuestionKind};
    use footprint_store::consultations::{ConsultationInput, NewResponse, RateLimit, Received, Refused};
    let (wy, _) = reference(&store).await;
    let who = Who::system("test");
    let input = ConsultationInput {
        title: "Urgent care in Eastvale".into(),
        summary: "Two options".into(),
        area_id: "urgent-care".into(),
        formal: true,
        opens_on: "2016-09-01".into(),
        closes_on: "2016-11-23".into(),
        min_weeks: 12,
    };
    let c = store.create_consultation(&who, wy, &input).await.unwrap();
    let o = store
        .add_option(&who, c.id, "One site", "Centralise", "Audit", OptionEffect::AsPlanned)
        .await
        .unwrap();
    store
        .add_option(&who, c.id, "Two sites", "Keep both", "", OptionEffect::Without)
        .await
        .unwrap();
    let q = store
        .add_question(
            &who,
            c.id,
            &footprint_store::consultations::NewQuestion {
                kind: QuestionKind::Single,
                prompt: "Which?".into(),
                hint: "".into(),
                required: true,
                choices: ["One site".into(), "Two sites".into()].to_vec(),
            },
        )
        .await
        .unwrap();
    let c = store.consultation(c.id).await.unwrap().unwrap();
    assert_eq!(c.revision, 4);
    let limit = RateLimit {
        max: 2,
        window_ms: 60_000,
    };
    let response = |key: &str| NewResponse {
        idempotency_key: key.into(),
        answers: vec![(q, Answer::One("Two sites".into()))],
        respondent_name: "Jane Smith".into(),
        respondent_email: String::new(),
        on_behalf_of: String::new(),
        consent: true,
        client_key: "client-a".into(),
    };
    // Not published: not open.
    assert!(matches!(
        store.respond(c.id, &response("k1"), "2016-10-01", limit).await.unwrap(),
        Err(Refused::NotOpen { closed: false, .. })
    ));
    store
        .publish_consultation(&who, c.id, c.revision, Some(1), &[(o, serde_json::json!({"p": 0.1}))])
        .await
        .unwrap();
    assert!(matches!(
        store
            .add_question(
                &who,
                c.id,
                &footprint_store::consultations::NewQuestion {
                    kind: QuestionKind::FreeText,
                    prompt: "Why?".into(),
                    hint: "".into(),
                    required: false,
                    choices: Vec::new()
                }
            )
            .await,
        Err(StoreError::Conflict { .. })
    ));
    let first = store
        .respond(c.id, &response("k1"), "2016-10-01", limit)
        .await
        .unwrap()
        .unwrap();
    let Received::New(rid, at) = first else {
        panic!("{first:?}")
    };
    assert_eq!(
        store
            .respond(c.id, &response("k1"), "2016-10-01", limit)
            .await
            .unwrap()
            .unwrap(),
        Received::Again(rid, at),
        "a double-click finds the first response"
    );
    assert!(matches!(
        store.respond(c.id, &response("k2"), "2016-10-01", limit).await.unwrap(),
        Ok(Received::New(..))
    ));
    assert_eq!(
        store.respond(c.id, &response("k3"), "2016-10-01", limit).await.unwrap(),
        Err(Refused::TooMany)
    );
    let mut other = response("k4");
    other.client_key = "client-b".into();
    assert!(matches!(
        store.respond(c.id, &other, "2016-11-24", limit).await.unwrap(),
        Err(Refused::NotOpen { closed: true, .. })
    ));
    assert_eq!(store.response_count(c.id).await.unwrap(), 2);
    assert_eq!(
        store.options(c.id).await.unwrap()[0].result,
        Some(serde_json::json!({"p": 0.1}))
    );
    store.tag_response(&who, c.id, rid, q, "travel", true).await.unwrap();
    store.tag_response(&who, c.id, rid, q, "travel", true).await.unwrap();
    assert_eq!(store.response_tags(c.id).await.unwrap().len(), 1);
    let redacted = vec![(q, Answer::One("Two sites".into()))];
    store.moderate(&who, c.id, rid, Some(&redacted)).await.unwrap();
    let rs = store.responses(c.id).await.unwrap();
    assert_eq!(rs[0].moderation, "published");
    assert_eq!(rs[0].published_answers.as_ref(), Some(&redacted));
    assert_eq!(store.response(c.id, rid).await.unwrap().as_ref(), Some(&rs[0]));
    assert_eq!(
        store.response(c.id + 1, rid).await.unwrap(),
        None,
        "only through its own consultation"
    );
    let c = store
        .record_outcome(
            &who,
            c.id,
            Some("You said two sites; we kept both."),
            None,
            "2016-12-01",
        )
        .await
        .unwrap();
    assert_eq!(c.responded_on.as_deref(), Some("2016-12-01"));
    let c = store
        .record_outcome(&who, c.id, None, Some("2017-01-10"), "2017-01-10")
        .await
        .unwrap();
    assert_eq!(c.decided_on.as_deref(), Some("2017-01-10"));
    assert!(
        store
            .record_outcome(&who, c.id, None, Some("2017-01-11"), "2017-01-11")
            .await
            .is_err()
    );
});

both_backends!(the_voluntary_sector_directory_and_joining, |store: Store| async move {
    use footprint_store::vcs::NewJoinRequest;
    let (wy, _) = reference(&store).await;
    let who = Who::system("test");
    let cvs = store.create_organisation(&who, &org("Leeds CVS", "cvs")).await.unwrap();
    let group = store
        .create_organisation(&who, &org("Leeds Carers", "voluntary-organisation"))
        .await
        .unwrap();
    let trust = store
        .create_organisation(&who, &org("Leeds Hospitals NHS Trust", "acute-trust"))
        .await
        .unwrap();
    store
        .set_directory_entry(&who, group.id, "Support for carers", "Leeds", Some(cvs.id))
        .await
        .unwrap();
    assert!(matches!(
        store.set_directory_entry(&who, group.id, "", "", Some(trust.id)).await,
        Err(StoreError::Conflict { field: "cvs", .. })
    ));
    let d = store.vcs_directory().await.unwrap();
    assert_eq!(d.len(), 2, "trusts are not in the directory");
    let carers = d.iter().find(|e| e.id == group.id).unwrap();
    assert_eq!(carers.cvs, Some((cvs.id, "Leeds CVS".to_string())));
    assert_eq!(carers.area_served, "Leeds");
    // A listed organisation and a new one ask to join; one accepted, one declined.
    let listed = store
        .request_to_join(
            wy,
            &NewJoinRequest {
                organisation_id: Some(group.id),
                organisation: "Leeds Carers".into(),
                contact_name: "Sam".into(),
                contact_email: "sam@example.org".into(),
                message: "We would like to help".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let new = store
        .request_to_join(
            wy,
            &NewJoinRequest {
                organisation: "Bramley Men's Shed".into(),
                description: "Woodwork and company".into(),
                contact_name: "Al".into(),
                contact_email: "al@example.org".into(),
                message: "Hello".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .request_to_join(
                wy,
                &NewJoinRequest {
                    organisation_id: Some(trust.id),
                    ..Default::default()
                }
            )
            .await,
        Err(StoreError::NotFound(_))
    ));
    store.decide_join_request(&who, wy, listed, false).await.unwrap();
    store.decide_join_request(&who, wy, new, true).await.unwrap();
    assert!(matches!(
        store.decide_join_request(&who, wy, new, true).await,
        Err(StoreError::Conflict { .. })
    ));
    let network = store.engagement_network(wy).await.unwrap();
    assert_eq!(network.len(), 1);
    assert_eq!(network[0].1, "Bramley Men's Shed");
    let d = store.vcs_directory().await.unwrap();
    let shed = d
        .iter()
        .find(|e| e.name == "Bramley Men's Shed")
        .expect("made in the directory");
    assert_eq!(shed.footprints.len(), 1);
    let requests = store.join_requests(wy).await.unwrap();
    assert_eq!(
        requests.iter().map(|r| r.status.as_str()).collect::<Vec<_>>(),
        ["accepted", "declined"]
    );
    assert!(requests[0].message.contains("What it does: Woodwork and company"));
});

/// An empty pack for each item on a meeting's agenda.
async fn packs_for(store: &Store, meeting: i64) -> std::collections::BTreeMap<i64, serde_json::Value> {
    store
        .agenda(meeting)
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.id, serde_json::json!({})))
        .collect()
}

both_backends!(governance_decides_by_the_body_s_rule, |store: Store| async move {
    use footprint_domain::consultation::OptionEffect;
    use footprint_domain::governance::{BodyForm, Outcome, Response, Rule};
    use footprint_store::governance::{ActionInput, BodyInput, MeetingInput, ProposalInput, ProposalStatus};
    use std::collections::BTreeMap;
    let (wy, humber) = reference(&store).await;
    let who = Who::system("test");
    let mut members = Vec::new();
    let mut people = Vec::new();
    for (i, (name, kind)) in [
        ("Leeds Hospitals NHS Trust", "acute-trust"),
        ("Leeds CCG", "ccg"),
        ("Leeds City Council", "unitary-council"),
    ]
    .into_iter()
    .enumerate()
    {
        let o = store.create_organisation(&who, &org(name, kind)).await.unwrap();
        store.add_partner(&who, wy, o.id).await.unwrap();
        let rep = store
            .create_user(
                &who,
                &NewUser {
                    email: Email::parse(&format!("rep{i}@example.org")).unwrap(),
                    display_name: format!("Rep {i}"),
                    password_hash: "$argon2id$test".into(),
                    site_role: SiteRole::None,
                    organisation_id: Some(o.id),
                },
            )
            .await
            .unwrap();
        people.push(rep.id);
        members.push(o.id);
    }
    let outsider = store
        .create_organisation(&who, &org("York Council", "unitary-council"))
        .await
        .unwrap();
    let body = store
        .create_body(
            &who,
            wy,
            &BodyInput {
                name: "West Yorkshire Partnership Board".into(),
                form: BodyForm::JointCommittee,
                purpose: "Decides together".into(),
                rule: Rule::Consensus,
                quorum: 2,
            },
        )
        .await
        .unwrap();
    let mut member_ids = Vec::new();
    for (o, u) in members.iter().zip(&people) {
        member_ids.push(store.add_member(&who, body, *o, (Some(*u), None)).await.unwrap());
    }
    // Representatives belong to the footprint: someone from elsewhere is refused.
    let stranger = store
        .create_user(
            &who,
            &NewUser {
                email: Email::parse("stranger@example.org").unwrap(),
                display_name: "Stranger".into(),
                password_hash: "$argon2id$test".into(),
                site_role: SiteRole::None,
                organisation_id: Some(outsider.id),
            },
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .add_member(&who, body, members[0], (Some(stranger.id), None))
            .await,
        Err(StoreError::Conflict {
            field: "representative",
            ..
        })
    ));
    // Only partners can be members.
    assert!(matches!(
        store.add_member(&who, body, outsider.id, (None, None)).await,
        Err(StoreError::Conflict {
            field: "organisation",
            ..
        })
    ));
    // The council must consent on social care.
    store
        .set_required_consents(&who, body, "social-care", &[member_ids[2]])
        .await
        .unwrap();
    assert_eq!(
        store.required_consents(body).await.unwrap(),
        vec![("social-care".to_string(), vec![member_ids[2]])]
    );
    let meeting = store
        .create_meeting(
            &who,
            body,
            &MeetingInput {
                held_on: "2017-03-27".into(),
                title: "March board".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let input = |title: &str, subjects: &[&str]| ProposalInput {
        body_id: body,
        title: title.into(),
        what: "Pool the budgets".into(),
        why: "Care closer to home".into(),
        options_considered: String::new(),
        subjects: subjects.iter().map(|s| s.to_string()).collect(),
        priorities: vec![],
        initiatives: vec![],
        effect: OptionEffect::NotModelled,
        affected_groups: vec![],
        reconfiguration: false,
        evidence: BTreeMap::new(),
        confidential: false,
        supersedes_id: None,
        stress: None,
    };
    let care = store
        .create_proposal(&who, wy, &input("Pooled care budget", &["social-care"]))
        .await
        .unwrap();
    let quiet = store
        .create_proposal(&who, wy, &input("Estates review", &[]))
        .await
        .unwrap();
    let mut secret = input("Sell the old hospital site", &["estates"]);
    secret.confidential = true;
    let secret = store.create_proposal(&who, wy, &secret).await.unwrap();
    // A proposal can't go to another footprint's body.
    assert!(matches!(
        store.create_proposal(&who, humber, &input("Elsewhere", &[])).await,
        Err(StoreError::Conflict { field: "body", .. })
    ));
    // Not on an agenda yet: refused.
    let refused = store
        .respond_to_proposal(&who, people[0], care, member_ids[0], &Response::Consent)
        .await;
    assert!(
        matches!(&refused, Err(StoreError::Conflict { message, .. }) if message.contains("not on a meeting's agenda")),
        "{refused:?}"
    );
    for p in [care, quiet, secret] {
        store.schedule_proposal(&who, p, Some(meeting)).await.unwrap();
    }
    assert_eq!(store.agenda(meeting).await.unwrap().len(), 3);
    // Someone who does not speak for the member: refused.
    let refused = store
        .respond_to_proposal(&who, people[1], care, member_ids[0], &Response::Consent)
        .await;
    assert!(
        matches!(&refused, Err(StoreError::Conflict { message, .. }) if message.contains("Only the representative or deputy of Leeds Hospitals")),
        "{refused:?}"
    );
    store
        .respond_to_proposal(&who, people[0], care, member_ids[0], &Response::Abstain)
        .await
        .unwrap();
    // A later response replaces the earlier one.
    store
        .respond_to_proposal(&who, people[0], care, member_ids[0], &Response::Consent)
        .await
        .unwrap();
    store
        .respond_to_proposal(
            &who,
            people[1],
            care,
            member_ids[1],
            &Response::Object("Too soon".into()),
        )
        .await
        .unwrap();
    store
        .respond_to_proposal(&who, people[2], care, member_ids[2], &Response::Consent)
        .await
        .unwrap();
    for (i, m) in member_ids.iter().enumerate() {
        store
            .respond_to_proposal(&who, people[i], secret, *m, &Response::Consent)
            .await
            .unwrap();
    }
    store
        .respond_to_proposal(&who, people[2], quiet, member_ids[2], &Response::Block("No".into()))
        .await
        .unwrap();
    assert_eq!(store.proposal_responses(care).await.unwrap().len(), 3);
    // A proposal with responses is fixed.
    assert!(matches!(
        store.update_proposal(&who, care, 2, &input("Changed", &[])).await,
        Err(StoreError::Conflict { field: "proposal", .. }) | Err(StoreError::Stale(_))
    ));
    // Every item on the agenda needs its pack: closing without one is refused.
    let mut packs = BTreeMap::new();
    packs.insert(care, serde_json::json!({"stress": {"p_balance_change": 0.01}}));
    assert!(matches!(
        store.close_meeting(&who, meeting, ("", ""), "2017-03-27", &packs).await,
        Err(StoreError::Conflict { field: "meeting", .. })
    ));
    for p in [quiet, secret] {
        packs.insert(p, serde_json::json!({}));
    }
    let closed = store
        .close_meeting(
            &who,
            meeting,
            ("Minutes as agreed", "The site sale"),
            "2017-03-27",
            &packs,
        )
        .await
        .unwrap();
    assert_eq!(closed.decided.len(), 2);
    assert_eq!(
        closed.not_decided.len(),
        1,
        "the estates review had one response, below the quorum of 2"
    );
    assert!(closed.not_decided[0].1.contains("quorum is 2"));
    let estates = store.proposal(quiet).await.unwrap().unwrap();
    assert_eq!(estates.status(), ProposalStatus::Draft);
    assert!(estates.note.contains("Not decided at March board"));
    // After the meeting closed: refused.
    let late = store
        .respond_to_proposal(&who, people[0], quiet, member_ids[0], &Response::Consent)
        .await;
    assert!(matches!(late, Err(StoreError::Conflict { .. })));
    let decisions = store.decisions(wy).await.unwrap();
    assert_eq!(decisions.len(), 2);
    let d = decisions.iter().find(|d| d.proposal_id == care).unwrap();
    assert_eq!(d.outcome, Outcome::Carried);
    assert_eq!(
        d.agreed,
        vec![
            "Leeds City Council".to_string(),
            "Leeds Hospitals NHS Trust".to_string()
        ]
    );
    assert_eq!(d.dissented, vec![("Leeds CCG".to_string(), "Too soon".to_string())]);
    assert_eq!(d.pack["stress"]["p_balance_change"], 0.01);
    assert!(decisions.iter().any(|d| d.confidential && d.proposal_id == secret));
    // Decisions are final.
    assert!(store.try_rewrite_decision(d.id).await.is_err());
    assert!(store.try_delete_decision(d.id).await.is_err());
    assert_eq!(store.decision(d.id).await.unwrap().unwrap().title, "Pooled care budget");
    // A later decision supersedes it by linking to it; without the council's consent on social
    // care it is not carried, and the earlier one stands.
    let m2 = store
        .create_meeting(
            &who,
            body,
            &MeetingInput {
                held_on: "2017-06-26".into(),
                title: "June board".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let mut again = input("Pooled care budget, revised", &["social-care"]);
    again.supersedes_id = Some(d.id);
    let again = store.create_proposal(&who, wy, &again).await.unwrap();
    store.schedule_proposal(&who, again, Some(m2)).await.unwrap();
    for (i, m) in member_ids.iter().enumerate().take(2) {
        store
            .respond_to_proposal(&who, people[i], again, *m, &Response::Consent)
            .await
            .unwrap();
    }
    store
        .respond_to_proposal(&who, people[2], again, member_ids[2], &Response::Abstain)
        .await
        .unwrap();
    let closed = store
        .close_meeting(&who, m2, ("", ""), "2017-06-26", &packs_for(&store, m2).await)
        .await
        .unwrap();
    assert_eq!(closed.decided[0].2, Outcome::ConsentMissing);
    assert_eq!(store.decision(d.id).await.unwrap().unwrap().superseded_by, None);
    // With the council's consent the revision is carried and the first decision is superseded
    // (once: nothing else may supersede it).
    let m3 = store
        .create_meeting(
            &who,
            body,
            &MeetingInput {
                held_on: "2017-09-25".into(),
                title: "September board".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let mut third = input("Pooled care budget, agreed", &["social-care"]);
    third.supersedes_id = Some(d.id);
    let third = store.create_proposal(&who, wy, &third).await.unwrap();
    store.schedule_proposal(&who, third, Some(m3)).await.unwrap();
    for (i, m) in member_ids.iter().enumerate() {
        store
            .respond_to_proposal(&who, people[i], third, *m, &Response::Consent)
            .await
            .unwrap();
    }
    let closed = store
        .close_meeting(&who, m3, ("", ""), "2017-09-25", &packs_for(&store, m3).await)
        .await
        .unwrap();
    assert_eq!(closed.decided[0].2, Outcome::Carried);
    let later = closed.decided[0].1;
    let first = store.decision(d.id).await.unwrap().unwrap();
    assert_eq!(first.superseded_by, Some(later));
    assert_eq!(
        first.outcome,
        Outcome::Carried,
        "the superseded decision itself is unchanged"
    );
    assert_eq!(store.decision(later).await.unwrap().unwrap().supersedes_id, Some(d.id));
    let mut fourth = input("Yet another", &[]);
    fourth.supersedes_id = Some(d.id);
    assert!(matches!(
        store.create_proposal(&who, wy, &fourth).await,
        Err(StoreError::Conflict {
            field: "supersedes",
            ..
        })
    ));
    // Closing twice is refused.
    assert!(
        store
            .close_meeting(&who, m2, ("", ""), "2017-06-26", &packs_for(&store, m2).await)
            .await
            .is_err()
    );
    // Conditions and actions with owners and due dates.
    let a = store
        .add_action(
            &who,
            wy,
            &ActionInput {
                decision_id: Some(d.id),
                kind: "condition".into(),
                title: "Agree the risk share".into(),
                organisation_id: Some(members[2]),
                owner_id: Some(people[2]),
                due_on: "2017-05-01".into(),
            },
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .add_action(
                &who,
                wy,
                &ActionInput {
                    kind: "action".into(),
                    title: "x".into(),
                    due_on: "2017-02-30".into(),
                    organisation_id: Some(members[0]),
                    ..Default::default()
                }
            )
            .await,
        Err(StoreError::Conflict { field: "due_on", .. })
    ));
    assert_eq!(store.actions_owned(people[2]).await.unwrap().len(), 1);
    store
        .update_action(&who, a, 1, Some("2017-04-20"), "Signed")
        .await
        .unwrap();
    assert!(store.actions_owned(people[2]).await.unwrap().is_empty());
    assert_eq!(
        store.actions(wy).await.unwrap()[0].done_on.as_deref(),
        Some("2017-04-20")
    );
    assert!(matches!(
        store.update_action(&who, a, 1, None, "").await,
        Err(StoreError::Stale(_))
    ));
});

both_backends!(delivery_milestones_and_benefits, |store: Store| async move {
    use footprint_domain::delivery::MilestoneStatus;
    use footprint_store::delivery::Benefit;
    let (wy, _) = reference(&store).await;
    let who = Who::system("test");
    store
        .set_milestone_status(&who, wy, ("stroke", "Unit open"), MilestoneStatus::OnTrack, "")
        .await
        .unwrap();
    store
        .set_milestone_status(
            &who,
            wy,
            ("stroke", "Unit open"),
            MilestoneStatus::AtRisk,
            "Recruitment",
        )
        .await
        .unwrap();
    let s = store.milestone_statuses(wy).await.unwrap();
    assert_eq!(s.len(), 1);
    assert_eq!(
        (s[0].status, s[0].note.as_str()),
        (MilestoneStatus::AtRisk, "Recruitment")
    );
    assert!(matches!(
        store
            .set_milestone_status(&who, 999_999, ("x", "y"), MilestoneStatus::Done, "")
            .await,
        Err(StoreError::NotFound(_))
    ));
    let b = Benefit {
        initiative_id: "stroke".into(),
        year: "2016/17".into(),
        amount: 1.25,
        note: "Audited".into(),
    };
    store.record_benefit(&who, wy, &b).await.unwrap();
    store
        .record_benefit(
            &who,
            wy,
            &Benefit {
                amount: 1.5,
                ..b.clone()
            },
        )
        .await
        .unwrap();
    let got = store.benefits(wy).await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].amount, 1.5);
    assert!(
        store
            .record_benefit(&who, wy, &Benefit { amount: f64::NAN, ..b })
            .await
            .is_err()
    );
    assert_eq!(store.audit_entries(Some(wy), None, 10).await.unwrap().len(), 4);
});

both_backends!(national_guidance_submissions_and_feedback, |store: Store| async move {
    use footprint_domain::guidance::{Rating, Requirement, changes};
    use footprint_store::plans::VersionStatus;
    let (wy, humber) = reference(&store).await;
    let who = Who::system("test");
    let req = |title: &str, due: Option<&str>, submission: bool| Requirement {
        key: String::new(),
        title: title.into(),
        detail: String::new(),
        due_on: due.map(str::to_string),
        submission,
    };
    let v1 = store.start_guidance(&who, "Planning guidance", "").await.unwrap();
    assert!(matches!(
        store.start_guidance(&who, "Another", "").await,
        Err(StoreError::Conflict { field: "guidance", .. })
    ));
    assert!(matches!(
        store.publish_guidance(&who, v1, "2015-12-22").await,
        Err(StoreError::Conflict { field: "guidance", .. })
    ));
    let plan_key = store
        .save_requirement(&who, v1, &req("Submit the draft plan", Some("2016-06-30"), true))
        .await
        .unwrap();
    assert_eq!(plan_key, "submit-the-draft-plan");
    store
        .save_requirement(&who, v1, &req("Agree the boundary", Some("2016-01-29"), false))
        .await
        .unwrap();
    assert!(matches!(
        store
            .save_requirement(&who, v1, &req("Bad date", Some("2016-02-30"), false))
            .await,
        Err(StoreError::Conflict { field: "due_day", .. })
    ));
    store.publish_guidance(&who, v1, "2015-12-22").await.unwrap();

    assert!(matches!(
        store
            .save_requirement(&who, v1, &req("Late addition", None, false))
            .await,
        Err(StoreError::Conflict { field: "guidance", .. })
    ));
    // The next version starts from the current requirements.
    let v2 = store.start_guidance(&who, "Next steps", "").await.unwrap();
    // Published guidance is fixed, in the database too: its requirements, its title, and no
    // requirement of the draft can be moved into it.
    assert_eq!(store.try_rewrite_guidance(v1, v2).await, 5);
    let dup = store
        .save_requirement(&who, v2, &req("Submit the draft plan", None, true))
        .await;
    assert!(
        matches!(
            dup,
            Err(StoreError::Conflict {
                field: "requirement_title",
                ..
            })
        ),
        "{dup:?}"
    );
    let mut moved = store.requirements(v2).await.unwrap()[0].clone();
    assert_eq!(moved.key, plan_key);
    moved.due_on = Some("2016-10-21".into());
    store.save_requirement(&who, v2, &moved).await.unwrap();
    store.remove_requirement(&who, v2, "agree-the-boundary").await.unwrap();
    let (current, _) = store.current_guidance().await.unwrap().unwrap();
    assert_eq!(current.number, 1, "a draft is not current");
    store.publish_guidance(&who, v2, "2016-09-14").await.unwrap();
    let (current, now) = store.current_guidance().await.unwrap().unwrap();
    assert_eq!(current.number, 2);
    let before = store.requirements(v1).await.unwrap();
    assert_eq!(
        changes(&before, &now),
        vec![
            "Submit the draft plan: the deadline moved from 30 June 2016 to 21 October 2016".to_string(),
            "No longer required: Agree the boundary".to_string()
        ]
    );
    // A footprint submits a numbered plan version against the requirement; feedback is kept.
    assert!(matches!(
        store.submit_plan(&who, wy, 1, &plan_key, "").await,
        Err(StoreError::Conflict { field: "plan", .. })
    ));
    store.create_plan_draft(&who, wy, r#"{"vision":"one"}"#).await.unwrap();
    store.snapshot_plan(&who, wy, VersionStatus::Submitted).await.unwrap();
    assert!(matches!(
        store.submit_plan(&who, wy, 1, "agree-the-boundary", "").await,
        Err(StoreError::Conflict {
            field: "requirement",
            ..
        })
    ));
    let s = store.submit_plan(&who, wy, 1, &plan_key, "Our plan").await.unwrap();
    assert!(store.submissions(humber).await.unwrap().is_empty());
    assert!(matches!(
        store.give_feedback(&who, s, Rating::Advanced, " ", "").await,
        Err(StoreError::Conflict { field: "reasons", .. })
    ));
    store
        .give_feedback(
            &who,
            s,
            Rating::MakingProgress,
            "Engagement came late",
            "Involve councils",
        )
        .await
        .unwrap();
    store
        .give_feedback(&who, s, Rating::Advanced, "Councils now on the board", "")
        .await
        .unwrap();
    let subs = store.submissions(wy).await.unwrap();
    assert_eq!(subs.len(), 1);
    assert_eq!((subs[0].plan_number, subs[0].guidance_number), (1, 2));
    let ratings: Vec<Rating> = subs[0].feedback.iter().map(|f| f.rating).collect();
    assert_eq!(ratings, vec![Rating::MakingProgress, Rating::Advanced]);
    assert_eq!(store.all_submissions().await.unwrap().len(), 1);
    // The checklist and what each person last saw.
    store
        .set_checklist(&who, wy, "x", Some("2016-01-20"), "done")
        .await
        .unwrap();
    assert_eq!(store.checklist(wy).await.unwrap().len(), 1);
    store.set_checklist(&who, wy, "x", None, "").await.unwrap();
    assert!(store.checklist(wy).await.unwrap().is_empty());
    let user = store
        .create_user(
            &who,
            &NewUser {
                email: Email::parse("seen@example.org").unwrap(),
                display_name: "Seen".into(),
                password_hash: "$argon2id$test".into(),
                site_role: SiteRole::None,
                organisation_id: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(store.guidance_seen(user.id, wy).await.unwrap(), None);
    store.mark_guidance_seen(user.id, wy, 1).await.unwrap();
    store.mark_guidance_seen(user.id, wy, 2).await.unwrap();
    assert_eq!(store.guidance_seen(user.id, wy).await.unwrap(), Some(2));
});

both_backends!(national_runs_one_at_a_time, |store: Store| async move {
    let who = Who::system("test");
    let a = store.start_national_run(&who, 1000).await.unwrap();
    assert!(matches!(
        store.start_national_run(&who, 1000).await,
        Err(StoreError::Conflict { field: "run", .. })
    ));
    store.national_run_progress(a, 500, 1000).await.unwrap();
    assert_eq!(store.national_runs(1).await.unwrap()[0].done, 500);
    store
        .finish_national_run(a, Ok(&serde_json::json!({"national": {"gap_p50": 1.5}})))
        .await
        .unwrap();
    // Finishing twice changes nothing and records nothing.
    let audit = store.audit_count().await.unwrap();
    store.finish_national_run(a, Err("late")).await.unwrap();
    assert_eq!(store.audit_count().await.unwrap(), audit);
    let run = &store.national_runs(1).await.unwrap()[0];
    assert_eq!((run.status.as_str(), run.done), ("done", 1000));
    assert_eq!(run.result.as_ref().unwrap()["national"]["gap_p50"], 1.5);
    // The next run may start once the first has finished.
    let b = store.start_national_run(&who, 1000).await.unwrap();
    store
        .finish_national_run(b, Err("the plans do not read"))
        .await
        .unwrap();
    let run = &store.national_runs(1).await.unwrap()[0];
    assert_eq!(
        (run.status.as_str(), run.error.as_str()),
        ("failed", "the plans do not read")
    );
    store.give_up_stale_runs().await.unwrap();
});
