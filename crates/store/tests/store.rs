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
