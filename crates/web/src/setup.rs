//! Setting a site up: the reference data and a first administrator on first start, and the
//! fictional demo footprint for `footprint serve --demo`.

use footprint_domain::access::{FootprintRole, SiteRole};
use footprint_domain::footprint::NewFootprint;
use footprint_domain::organisation::OrganisationInput;
use footprint_domain::person::Email;
use footprint_store::users::NewUser;
use footprint_store::{Store, StoreError, Who};

use crate::auth::hash_password_now;
use crate::error::AppError;

/// The email address of the administrator made on first start.
pub const FIRST_ADMIN_EMAIL: &str = "admin@footprint.local";

/// A new random password of 20 letters and digits (about 119 bits).
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    crate::auth::random_bytes::<20>()
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

fn internal(e: AppError) -> StoreError {
    StoreError::Config(format!("{e:?}"))
}

/// Hashes a password on a blocking thread, off the async runtime's threads.
async fn hash(password: &str) -> Result<String, StoreError> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || hash_password_now(&password))
        .await
        .map_err(|e| StoreError::Config(format!("hashing a password: {e}")))?
        .map_err(internal)
}

/// Loads the reference footprints; on an empty database makes the first administrator and
/// returns their one-time password (shown once, never stored in clear).
pub async fn first_start(store: &Store) -> Result<Option<(String, String)>, StoreError> {
    store.ensure_reference_footprints().await?;
    if store.user_count().await? > 0 {
        return Ok(None);
    }
    let password = random_password();
    let new = NewUser {
        email: Email::parse(FIRST_ADMIN_EMAIL).expect("a valid address"),
        display_name: "Site administrator".into(),
        password_hash: hash(&password).await?,
        site_role: SiteRole::Admin,
        organisation_id: None,
    };
    match store.create_user(&Who::system("first start"), &new).await {
        Ok(_) => Ok(Some((FIRST_ADMIN_EMAIL.to_string(), password))),
        // Another instance starting at the same moment made it first.
        Err(StoreError::Conflict { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The demo footprint's code.
pub const DEMO_CODE: &str = "DEMO01";

/// One demo account: the role in words, the email address and the password.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    /// The role.
    pub role: &'static str,
    /// Sign-in email address.
    pub email: String,
    /// Its password (new at every start with --demo).
    pub password: String,
}

const DEMO_ORGANISATIONS: [(&str, &str, bool); 14] = [
    ("Northshire Hospitals NHS Foundation Trust", "acute-trust", true),
    ("Eastvale General Hospital NHS Trust", "acute-trust", false),
    (
        "Northshire and Eastvale Partnership NHS Foundation Trust",
        "mental-health-trust",
        true,
    ),
    ("Eastvale Community Health NHS Trust", "community-trust", false),
    (
        "North Coast Ambulance Service NHS Foundation Trust",
        "ambulance-trust",
        true,
    ),
    ("NHS Northshire CCG", "ccg", false),
    ("NHS Eastvale CCG", "ccg", false),
    ("Eastvale GP Federation", "gp-federation", false),
    ("Northshire County Council", "county-council", false),
    ("Eastvale Borough Council", "unitary-council", false),
    ("Northshire Community Voluntary Service", "cvs", false),
    ("Eastvale Carers' Network", "voluntary-organisation", false),
    ("Healthwatch Northshire", "healthwatch", false),
    ("Healthwatch Eastvale", "healthwatch", false),
];

/// (role, email, name, site role, footprint role, belongs to the first organisation)
const DEMO_PEOPLE: [(&str, &str, &str, SiteRole, Option<FootprintRole>); 6] = [
    (
        "Partner organisation member",
        "member@demo.footprint.local",
        "Sam Okafor",
        SiteRole::None,
        None,
    ),
    (
        "Footprint contributor",
        "contributor@demo.footprint.local",
        "Priya Shah",
        SiteRole::None,
        Some(FootprintRole::Contributor),
    ),
    (
        "Board member",
        "board@demo.footprint.local",
        "Councillor Jean Hartley",
        SiteRole::None,
        Some(FootprintRole::BoardMember),
    ),
    (
        "Footprint lead / programme office",
        "lead@demo.footprint.local",
        "Dr Tom Reid",
        SiteRole::None,
        Some(FootprintRole::Lead),
    ),
    (
        "National assurance",
        "national@demo.footprint.local",
        "Alex Morgan",
        SiteRole::NationalAssurance,
        None,
    ),
    (
        "Site administrator",
        "admin@demo.footprint.local",
        "Chris Lee",
        SiteRole::Admin,
        None,
    ),
];

/// Loads the fictional demo footprint (once) with its partners, its plan (the demo stress-model
/// plan, published as version 1) and a person in each role, and
/// gives every demo account a new password, returned to be printed.
pub async fn load_demo(store: &Store) -> Result<Vec<DemoAccount>, StoreError> {
    let who = Who::system("demo");
    let footprint = match store.footprint_by_code(DEMO_CODE).await? {
        Some(f) => f,
        None => {
            let f = NewFootprint::parse(DEMO_CODE, "Northshire and Eastvale (fictional)", "North").expect("valid");
            store.create_footprint(&who, &f, true).await?
        }
    };
    let mut first_org = None;
    for (name, kind, ft) in DEMO_ORGANISATIONS {
        let existing = store.organisations().await?.into_iter().find(|o| o.name == name);
        let org = match existing {
            Some(o) => o,
            None => {
                store
                    .create_organisation(&who, &OrganisationInput::parse(name, kind, ft, "").expect("valid"))
                    .await?
            }
        };
        first_org.get_or_insert(org.id);
        match store.add_partner(&who, footprint.id, org.id).await {
            Ok(()) | Err(StoreError::Conflict { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    if store.plan_draft(footprint.id).await?.is_none() {
        let orgs: Vec<(String, i64)> = store
            .organisations()
            .await?
            .into_iter()
            .map(|o| (o.name, o.id))
            .collect();
        let doc = serde_json::to_string(&demo_plan(&orgs)).expect("JSON");
        store.create_plan_draft(&who, footprint.id, &doc).await?;
        store
            .snapshot_plan(&who, footprint.id, footprint_store::plans::VersionStatus::Published)
            .await?;
    }
    if store.activities(footprint.id).await?.is_empty() {
        load_demo_engagement(store, footprint.id).await?;
    }
    let mut accounts = Vec::new();
    for (role, email, name, site_role, footprint_role) in DEMO_PEOPLE {
        let password = random_password();
        let hash = hash(&password).await?;
        let email_v = Email::parse(email).expect("valid");
        let user = match store.user_by_email(&email_v).await? {
            Some(u) => {
                store.set_password(&who, u.id, &hash).await?;
                u
            }
            None => {
                let new = NewUser {
                    email: email_v,
                    display_name: name.into(),
                    password_hash: hash,
                    site_role,
                    organisation_id: if site_role == SiteRole::None { first_org } else { None },
                };
                store.create_user(&who, &new).await?
            }
        };
        if let Some(r) = footprint_role {
            store.grant_footprint_role(&who, user.id, footprint.id, r).await?;
        }
        accounts.push(DemoAccount {
            role,
            email: email.to_string(),
            password,
        });
    }
    if store.bodies(footprint.id).await?.is_empty() {
        load_demo_governance(store, footprint.id).await?;
    }
    if store.guidance_versions().await?.is_empty() {
        load_demo_guidance(store, footprint.id).await?;
    }
    Ok(accounts)
}

/// Members of the demo board who are not demo accounts: (organisation, name, email). They
/// cannot sign in (their passwords are random and never shown).
const DEMO_REPRESENTATIVES: [(&str, &str, &str); 5] = [
    (
        "NHS Northshire CCG",
        "Dr Amara Osei",
        "northshire-ccg@demo.footprint.local",
    ),
    ("NHS Eastvale CCG", "Dr Ben Carter", "eastvale-ccg@demo.footprint.local"),
    (
        "Eastvale General Hospital NHS Trust",
        "Ruth Adeyemi",
        "eastvale-general@demo.footprint.local",
    ),
    (
        "Northshire and Eastvale Partnership NHS Foundation Trust",
        "Helen Marsh",
        "partnership-trust@demo.footprint.local",
    ),
    (
        "Eastvale Borough Council",
        "Councillor Mark Ellis",
        "eastvale-council@demo.footprint.local",
    ),
];

/// The demo footprint's governance: a partnership board (committees in common, consensus,
/// quorum 5) with ten members, required consents, terms of reference; a closed meeting in 2016
/// with two decisions (one confidential) and an action; and an open meeting in 2017 with a
/// service reconfiguration on its agenda that members are responding to.
async fn load_demo_governance(store: &Store, footprint_id: i64) -> Result<(), StoreError> {
    use footprint_domain::consultation::OptionEffect;
    use footprint_domain::governance::{BodyForm, Response, Rule};
    use footprint_store::engagement::NewDocument;
    use footprint_store::governance::{ActionInput, BodyInput, GovernanceDocument, MeetingInput, ProposalInput};
    use std::collections::BTreeMap;
    let who = Who::system("demo");
    let f = store
        .footprint(footprint_id)
        .await?
        .ok_or(StoreError::NotFound("The demo footprint"))?;
    let orgs = store.organisations().await?;
    let org = |name: &str| {
        orgs.iter()
            .find(|o| o.name == name)
            .map(|o| o.id)
            .ok_or(StoreError::NotFound("A demo organisation"))
    };
    let user = |email: &'static str| async move {
        store
            .user_by_email(&Email::parse(email).expect("valid"))
            .await?
            .ok_or(StoreError::NotFound("A demo account"))
    };
    let mut reps: Vec<(&str, i64)> = vec![
        (
            "Northshire Hospitals NHS Foundation Trust",
            user("lead@demo.footprint.local").await?.id,
        ),
        (
            "Northshire County Council",
            user("board@demo.footprint.local").await?.id,
        ),
    ];
    for (o, name, email) in DEMO_REPRESENTATIVES {
        let u = match store.user_by_email(&Email::parse(email).expect("valid")).await? {
            Some(u) => u,
            None => {
                store
                    .create_user(
                        &who,
                        &NewUser {
                            email: Email::parse(email).expect("valid"),
                            display_name: name.into(),
                            password_hash: hash(&random_password()).await?,
                            site_role: SiteRole::None,
                            organisation_id: Some(org(o)?),
                        },
                    )
                    .await?
            }
        };
        reps.push((o, u.id));
    }
    let body = store
        .create_body(
            &who,
            footprint_id,
            &BodyInput {
                name: "Northshire and Eastvale Partnership Board".into(),
                form: BodyForm::CommitteesInCommon,
                purpose: "The footprint's partners meeting together to agree the plan and the changes in it. Each \
                          member's own board delegates to its committee the decisions this board takes."
                    .into(),
                rule: Rule::Consensus,
                quorum: 5,
            },
        )
        .await?;
    let mut members: Vec<(&str, i64)> = Vec::new();
    for name in [
        "Northshire Hospitals NHS Foundation Trust",
        "Eastvale General Hospital NHS Trust",
        "Northshire and Eastvale Partnership NHS Foundation Trust",
        "Eastvale Community Health NHS Trust",
        "NHS Northshire CCG",
        "NHS Eastvale CCG",
        "Eastvale GP Federation",
        "Northshire County Council",
        "Eastvale Borough Council",
        "Northshire Community Voluntary Service",
    ] {
        let rep = reps.iter().find(|r| r.0 == name).map(|r| r.1);
        let id = store.add_member(&who, body, org(name)?, (rep, None)).await?;
        members.push((name, id));
    }
    let member = |name: &str| {
        members
            .iter()
            .find(|m| m.0 == name)
            .map(|m| m.1)
            .expect("a demo member")
    };
    let rep_of = |name: &str| {
        reps.iter()
            .find(|r| r.0 == name)
            .map(|r| r.1)
            .expect("a demo representative")
    };
    store
        .set_required_consents(
            &who,
            body,
            "commissioning",
            &[member("NHS Northshire CCG"), member("NHS Eastvale CCG")],
        )
        .await?;
    store
        .set_required_consents(
            &who,
            body,
            "social-care",
            &[member("Northshire County Council"), member("Eastvale Borough Council")],
        )
        .await?;
    store
        .add_governance_document(
            &who,
            GovernanceDocument::TermsOfReference(body),
            &NewDocument::File {
                title: "Terms of reference".into(),
                file_name: "terms-of-reference.txt".into(),
                content_type: "text/plain".into(),
                content: DEMO_TERMS.as_bytes().to_vec(),
            },
        )
        .await?;
    let groups = store.groups(footprint_id).await?;
    let group = |name: &str| groups.iter().find(|g| g.name == name).map(|g| g.id);
    let proposal = |title: &str, what: &str, why: &str| ProposalInput {
        body_id: body,
        title: title.into(),
        what: what.into(),
        why: why.into(),
        options_considered: String::new(),
        subjects: Vec::new(),
        priorities: Vec::new(),
        initiatives: Vec::new(),
        effect: OptionEffect::NotModelled,
        affected_groups: Vec::new(),
        reconfiguration: false,
        evidence: BTreeMap::new(),
        confidential: false,
        supersedes_id: None,
        stress: None,
    };
    // September 2016: the vision and priorities, and a confidential estates item.
    let autumn = store
        .create_meeting(
            &who,
            body,
            &MeetingInput {
                held_on: "2016-09-28".into(),
                title: "Board meeting in public".into(),
                place: "Northshire County Hall".into(),
                agenda: "1. The draft plan's vision and priorities\n2. Estates (confidential)".into(),
            },
        )
        .await?;
    let mut vision = proposal(
        "Adopt the draft plan's vision and priorities for public engagement",
        "Adopt the vision and the five priorities of the draft plan as the basis for engagement with the public, \
         staff and partners over the autumn.",
        "Partners need one account of what the plan is for before asking people what they think of it.",
    );
    vision.options_considered = "Waiting for the financial template to be complete before engaging: rejected, \
                                 because people would then be asked about decisions already made."
        .into();
    vision.affected_groups = [group("Patients and the public"), group("Elected members")]
        .into_iter()
        .flatten()
        .collect();
    let vision = store.create_proposal(&who, footprint_id, &vision).await?;
    let mut estates = proposal(
        "Dispose of the Eastvale Road clinic site",
        "Declare the Eastvale Road clinic site surplus and start negotiations with a buyer.",
        "Services moved to the community hub in 2015; the site costs £0.4m a year to keep empty.",
    );
    estates.subjects = vec!["estates".into()];
    estates.confidential = true;
    let estates = store.create_proposal(&who, footprint_id, &estates).await?;
    store
        .add_governance_document(
            &who,
            GovernanceDocument::ProposalPaper(estates),
            &NewDocument::File {
                title: "Valuation of the Eastvale Road site".into(),
                file_name: "eastvale-road-valuation.txt".into(),
                content_type: "text/plain".into(),
                content: b"Independent valuation (fictional demo): commercial in confidence.\n".to_vec(),
            },
        )
        .await?;
    for p in [vision, estates] {
        store.schedule_proposal(&who, p, Some(autumn)).await?;
    }
    for (name, _) in &reps {
        let (response, on_estates) = if *name == "Eastvale Borough Council" {
            (
                Response::Object("The council's cabinet has not yet discussed the draft plan.".into()),
                Response::Consent,
            )
        } else {
            (Response::Consent, Response::Consent)
        };
        store
            .respond_to_proposal(&who, rep_of(name), vision, member(name), &response)
            .await?;
        store
            .respond_to_proposal(&who, rep_of(name), estates, member(name), &on_estates)
            .await?;
    }
    let mut packs = BTreeMap::new();
    for id in [vision, estates] {
        let p = store
            .proposal(id)
            .await?
            .ok_or(StoreError::NotFound("A demo proposal"))?;
        let pack = crate::routes::governance::pack(store, &f, &p)
            .await
            .map_err(|e| StoreError::Config(format!("{e:?}")))?;
        packs.insert(id, serde_json::to_value(&pack).expect("JSON"));
    }
    let closed = store
        .close_meeting(
            &who,
            autumn,
            (
                "The board adopted the vision and priorities for engagement, Eastvale Borough Council dissenting until \
                 its cabinet has met. A confidential item on estates was taken in private.",
                "Estates: the board agreed to declare the Eastvale Road clinic site surplus and to open negotiations \
                 with the preferred bidder, subject to the independent valuation.",
            ),
            "2016-09-28",
            &packs,
        )
        .await?;
    if let Some((_, decision, _)) = closed.decided.iter().find(|d| d.0 == vision) {
        let action = store
            .add_action(
                &who,
                footprint_id,
                &ActionInput {
                    decision_id: Some(*decision),
                    kind: "action".into(),
                    title: "Publish a summary of the draft plan in plain words".into(),
                    organisation_id: Some(org("Northshire Hospitals NHS Foundation Trust")?),
                    owner_id: Some(rep_of("Northshire Hospitals NHS Foundation Trust")),
                    due_on: "2016-11-30".into(),
                },
            )
            .await?;
        store
            .update_action(&who, action, 1, Some("2016-11-21"), "Published on the footprint's site")
            .await?;
        store
            .add_action(
                &who,
                footprint_id,
                &ActionInput {
                    decision_id: Some(*decision),
                    kind: "condition".into(),
                    title: "Take the plan to Eastvale Borough Council's cabinet".into(),
                    organisation_id: Some(org("Eastvale Borough Council")?),
                    owner_id: Some(rep_of("Eastvale Borough Council")),
                    due_on: "2016-12-15".into(),
                },
            )
            .await?;
    }
    // March 2017: emergency surgery, a service reconfiguration, with members responding.
    let spring = store
        .create_meeting(
            &who,
            body,
            &MeetingInput {
                held_on: "2017-03-29".into(),
                title: "Board meeting in public".into(),
                place: "Eastvale Civic Centre".into(),
                agenda: "1. Emergency surgery: consolidation at Northshire General".into(),
            },
        )
        .await?;
    let mut surgery = proposal(
        "Consolidate emergency surgery at Northshire General",
        "Bring emergency general surgery for both hospitals together at Northshire General Hospital from April \
         2018, with a surgical assessment unit and day surgery kept at Eastvale General.",
        "Two rotas of emergency surgeons cannot both be staffed safely; patients seen by a consultant surgeon \
         within 14 hours do better.",
    );
    surgery.options_considered = "Keep both sites (not safe to staff); consolidate at Eastvale General (too \
                                  few critical care beds)."
        .into();
    surgery.subjects = vec!["service-reconfiguration".into()];
    surgery.priorities = vec!["urgent-care".into()];
    surgery.initiatives = vec!["acute-reconfiguration".into()];
    surgery.effect = OptionEffect::AsPlanned;
    surgery.reconfiguration = true;
    surgery.affected_groups = [
        group("Patients and the public"),
        group("Healthwatch"),
        group("Carers"),
        group("Clinicians"),
    ]
    .into_iter()
    .flatten()
    .collect();
    surgery.evidence = [
        (
            "gp-support",
            "Both CCGs' governing bodies supported the case in February 2017; the GP Federation's clinical lead chaired the design group.",
        ),
        (
            "public-engagement",
            "Twelve weeks of formal consultation with 1,900 responses; listening events in every town.",
        ),
        (
            "clinical-evidence",
            "The clinical senate's review (January 2017) supported consolidation; Royal College of Surgeons standards.",
        ),
        (
            "patient-choice",
            "Planned surgery stays at both hospitals; only emergency admissions move.",
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    surgery.stress =
        crate::routes::governance::proposal_stress(store, footprint_id, &surgery.initiatives, surgery.effect)
            .await
            .map_err(|e| StoreError::Config(format!("{e:?}")))?;
    let surgery = store.create_proposal(&who, footprint_id, &surgery).await?;
    store.schedule_proposal(&who, surgery, Some(spring)).await?;
    for (name, response) in [
        ("Northshire Hospitals NHS Foundation Trust", Response::Consent),
        ("Eastvale General Hospital NHS Trust", Response::Consent),
        ("NHS Northshire CCG", Response::Consent),
        ("NHS Eastvale CCG", Response::Consent),
        (
            "Northshire and Eastvale Partnership NHS Foundation Trust",
            Response::Abstain,
        ),
        (
            "Eastvale Borough Council",
            Response::Object(
                "Eastvale residents will travel up to 40 minutes further, and the transport plan is not yet funded."
                    .into(),
            ),
        ),
    ] {
        store
            .respond_to_proposal(&who, rep_of(name), surgery, member(name), &response)
            .await?;
    }
    load_demo_delivery(store, footprint_id).await
}

/// Where the demo's milestones stand and the savings some initiatives have brought in.
async fn load_demo_delivery(store: &Store, footprint_id: i64) -> Result<(), StoreError> {
    use footprint_domain::delivery::MilestoneStatus as S;
    use footprint_store::delivery::Benefit;
    let who = Who::system("demo");
    for (id, title, status, note) in [
        (
            "urgent-care",
            "Single front door open at Northshire General",
            S::Done,
            "Opened 2 October 2017",
        ),
        (
            "stroke",
            "Hyper-acute stroke unit business case approved",
            S::Done,
            "Approved by both CCGs",
        ),
        ("community-hubs", "First two community hubs open", S::Done, ""),
        (
            "care-homes",
            "Enhanced health in care homes in every home",
            S::AtRisk,
            "12 homes still without a named GP",
        ),
        ("pathology", "Shared pathology network contract signed", S::OnTrack, ""),
        (
            "intermediate-care",
            "Discharge to assess across Northshire",
            S::OnTrack,
            "Social care capacity agreed",
        ),
    ] {
        store
            .set_milestone_status(&who, footprint_id, (id, title), status, note)
            .await?;
    }
    for (id, year, amount, note) in [
        ("urgent-care", "2016/17", 0.8, "Audited accounts 2016/17"),
        ("urgent-care", "2017/18", 3.1, "Month 12 finance report"),
        ("pathology", "2016/17", 0.0, "Contract not yet signed"),
        ("pathology", "2017/18", 1.2, "Month 12 finance report"),
        (
            "care-homes",
            "2017/18",
            0.6,
            "Fewer admissions from care homes, CCG analysis",
        ),
    ] {
        store
            .record_benefit(
                &who,
                footprint_id,
                &Benefit {
                    initiative_id: id.into(),
                    year: year.into(),
                    amount,
                    note: note.into(),
                },
            )
            .await?;
    }
    Ok(())
}

/// National guidance for the demo (written as national assurance would): a first version in
/// December 2015 and the next steps of September 2016, which moved the plan's deadline, dropped
/// the April checkpoint and asked how people were involved; the demo footprint's checklist and
/// its plan submitted against the draft-plan requirement.
async fn load_demo_guidance(store: &Store, footprint_id: i64) -> Result<(), StoreError> {
    use footprint_domain::guidance::Requirement;
    let who = Who::system("demo");
    let req = |key: &str, title: &str, detail: &str, due: Option<&str>, submission: bool| Requirement {
        key: key.into(),
        title: title.into(),
        detail: detail.into(),
        due_on: due.map(str::to_string),
        submission,
    };
    let v1 = store
        .start_guidance(
            &who,
            "Planning guidance 2016/17 to 2020/21 (fictional demo)",
            "Every footprint writes one sustainability and transformation plan covering five years.",
        )
        .await?;
    for r in [
        req(
            "footprint-boundary",
            "Agree the footprint's boundary and lead",
            "Name the organisations in the footprint and the leader who convenes them.",
            Some("2016-01-29"),
            false,
        ),
        req(
            "checkpoint",
            "Outline plan at the April checkpoint",
            "The footprint's main challenges and its early priorities.",
            Some("2016-04-15"),
            true,
        ),
        req(
            "draft-plan",
            "Submit the draft plan",
            "The plan with its financial template: how the three gaps close by 2020/21.",
            Some("2016-06-30"),
            true,
        ),
    ] {
        store.save_requirement(&who, v1, &r).await?;
    }
    store.publish_guidance(&who, v1, "2015-12-22").await?;
    let v2 = store
        .start_guidance(
            &who,
            "STP guidance: next steps (fictional demo)",
            "The plan's deadline moves to October; plans must show how local people, clinicians and councils were involved.",
        )
        .await?;
    store.remove_requirement(&who, v2, "checkpoint").await?;
    store
        .save_requirement(
            &who,
            v2,
            &req(
                "draft-plan",
                "Submit the draft plan",
                "The plan with its financial template and activity assumptions: how the three gaps close by 2020/21.",
                Some("2016-10-21"),
                true,
            ),
        )
        .await?;
    store
        .save_requirement(
            &who,
            v2,
            &req(
                "",
                "Show how people were involved",
                "Who was engaged, how deeply and how early: patients and the public, clinicians, councils and the voluntary sector.",
                Some("2016-10-21"),
                false,
            ),
        )
        .await?;
    store.publish_guidance(&who, v2, "2016-09-14").await?;
    store
        .set_checklist(
            &who,
            footprint_id,
            "footprint-boundary",
            Some("2016-01-25"),
            "Agreed by the partners' chief executives",
        )
        .await?;
    if store
        .plan_versions(footprint_id)
        .await?
        .iter()
        .any(|v| v.number == Some(1))
    {
        store
            .submit_plan(
                &who,
                footprint_id,
                1,
                "draft-plan",
                "Our draft plan, with engagement to follow in the autumn.",
            )
            .await?;
    }
    Ok(())
}

/// The demo board's terms of reference.
const DEMO_TERMS: &str = "Northshire and Eastvale Partnership Board: terms of reference (fictional demo)\n\n\
1. Purpose. To agree the footprint's sustainability and transformation plan and the changes in it.\n\
2. Form. Committees in common: each member's committee meets with the others and decides for its body.\n\
3. Decisions. By consensus: a decision is carried unless a member blocks it; objections are recorded.\n\
4. Quorum. Five members.\n\
5. Consent. Both CCGs must consent on commissioning decisions; both councils on adult social care.\n\
6. Openness. Meetings are held in public; an item is confidential only where commercial or personal \
information requires it, and the register records that a confidential decision was taken.\n";

/// The demo plan's stress model (the same file `footprint stress` runs).
const DEMO_PLAN: &str = include_str!("../../../data/demo/northshire-and-eastvale.toml");

/// The demo plan's document: the demo model, a vision, priorities under the three gaps, and for
/// each initiative its kind, priority and accountable organisation (by care setting).
pub fn demo_plan(organisations: &[(String, i64)]) -> footprint_domain::plan::PlanDocument {
    use footprint_domain::plan::{Kind, PartnerRole, PlanDocument, Priority};
    let mut doc =
        PlanDocument::from_model_text(DEMO_PLAN, "northshire-and-eastvale.toml").expect("the demo plan is valid");
    doc.vision = "People in Northshire and Eastvale live longer, healthier lives at home, with care joined up around \
                  them, from services that live within their means."
        .into();
    let p = |id: &str, title: &str, description: &str| Priority {
        id: id.into(),
        title: title.into(),
        description: description.into(),
    };
    doc.gaps[0].summary =
        "Healthy life expectancy in the most deprived wards is 15 years below the least deprived.".into();
    doc.gaps[0].priorities = vec![p(
        "prevention",
        "Prevention at scale",
        "Smoking, alcohol, obesity and falls.",
    )];
    doc.gaps[1].summary =
        "Too many people wait in hospital for care at home; mental health care is far from home.".into();
    doc.gaps[1].priorities = vec![
        p(
            "urgent-care",
            "Urgent and emergency care",
            "One front door, same-day care, fewer admissions.",
        ),
        p(
            "out-of-hospital",
            "Care out of hospital",
            "Primary and community care at scale, with social care.",
        ),
        p(
            "mental-health",
            "Mental health",
            "Care close to home and parity of esteem.",
        ),
    ];
    doc.gaps[2].summary =
        "A £20m deficit in 2015/16 that would grow to over £400m by 2020/21 if nothing changed.".into();
    doc.gaps[2].priorities = vec![p(
        "productivity",
        "Productivity and shared services",
        "Carter, back office, estates.",
    )];
    let org = |name: &str| organisations.iter().find(|(n, _)| n == name).map(|(_, id)| *id);
    let ids: Vec<(String, String)> = doc.model["initiative"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|i| {
                    (
                        i["setting"].as_str().unwrap_or("").to_string(),
                        i["name"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    for (details, (setting, _name)) in doc.initiatives.iter_mut().zip(ids) {
        let (priority, lead) = match setting.as_str() {
            "acute" => ("urgent-care", "Northshire Hospitals NHS Foundation Trust"),
            "mental-health" => (
                "mental-health",
                "Northshire and Eastvale Partnership NHS Foundation Trust",
            ),
            "community" => ("out-of-hospital", "Eastvale Community Health NHS Trust"),
            "primary" => ("out-of-hospital", "Eastvale GP Federation"),
            "social-care" => ("out-of-hospital", "Northshire County Council"),
            "prevention" => ("prevention", "Eastvale Borough Council"),
            "specialised" => ("urgent-care", "NHS Northshire CCG"),
            _ => ("productivity", "Eastvale General Hospital NHS Trust"),
        };
        details.priority = Some(priority.into());
        details.kind = if matches!(setting.as_str(), "corporate" | "unidentified") {
            Kind::Efficiency
        } else {
            Kind::Transformation
        };
        if setting != "unidentified" {
            details.lead = org(lead);
            if let Some(h) = org("Healthwatch Northshire") {
                details.partners.push((h, PartnerRole::Consulted));
            }
        }
        if setting == "social-care"
            && let Some(c) = org("NHS Northshire CCG")
        {
            details.partners.push((c, PartnerRole::Responsible));
        }
    }
    // Milestones for some initiatives: (initiative, title, due, done).
    for (id, title, due, done) in DEMO_MILESTONES {
        if let Some(d) = doc.initiatives.iter_mut().find(|d| d.id == id) {
            d.milestones.push(footprint_domain::plan::Milestone {
                title: title.into(),
                due: due.into(),
                done,
            });
        }
    }
    doc.validate().expect("the demo plan document is valid");
    doc
}

/// The demo plan's milestones: (initiative, title, due, done when the plan was published).
const DEMO_MILESTONES: [(&str, &str, &str, bool); 12] = [
    (
        "urgent-care",
        "Single front door open at Northshire General",
        "2017-10-01",
        false,
    ),
    (
        "urgent-care",
        "Same-day emergency care at both hospitals",
        "2018-04-01",
        false,
    ),
    (
        "acute-reconfiguration",
        "Public consultation closes",
        "2017-01-31",
        true,
    ),
    (
        "acute-reconfiguration",
        "Emergency surgery consolidated",
        "2018-04-01",
        false,
    ),
    (
        "stroke",
        "Hyper-acute stroke unit business case approved",
        "2017-06-30",
        false,
    ),
    ("stroke", "Hyper-acute stroke unit open", "2018-10-01", false),
    ("community-hubs", "First two community hubs open", "2017-09-30", false),
    ("community-hubs", "All six community hubs open", "2019-03-31", false),
    (
        "care-homes",
        "Enhanced health in care homes in every home",
        "2017-12-31",
        false,
    ),
    (
        "pathology",
        "Shared pathology network contract signed",
        "2017-07-31",
        false,
    ),
    ("pathology", "One laboratory information system", "2018-09-30", false),
    (
        "intermediate-care",
        "Discharge to assess across Northshire",
        "2017-11-30",
        false,
    ),
];

/// Scenarios for the demo consultation's option effects: fewer than a live page, so that loading
/// the demo stays quick; the standard errors shown with them say how precise they are.
const DEMO_OPTION_SAMPLES: u64 = 4_000;

/// The demo footprint's engagement: a carers' sub-group, a log of activities in 2016 (some
/// early, some late), the date the options for acute reconfiguration closed, and an open
/// consultation on urgent and emergency care with three options and four questions.
async fn load_demo_engagement(store: &Store, footprint_id: i64) -> Result<(), StoreError> {
    use footprint_domain::consultation::{OptionEffect, QuestionKind, iso};
    use footprint_domain::engagement::{Depth, Method};
    use footprint_store::consultations::ConsultationInput;
    use footprint_store::engagement::NewActivity;
    let who = Who::system("demo");
    let groups = store.groups(footprint_id).await?;
    let id = |name: &str| {
        groups
            .iter()
            .find(|g| g.name == name)
            .map(|g| g.id)
            .expect("a default group")
    };
    let carers = store
        .add_group(&who, footprint_id, "Carers", Some(id("Patients and the public")))
        .await?;
    // (date, title, method, run by, depth, plan areas, groups reached with people, what changed)
    type Entry<'a> = (
        &'a str,
        &'a str,
        Method,
        &'a str,
        Depth,
        &'a [&'a str],
        Vec<(i64, i64)>,
        &'a str,
    );
    let log: [Entry; 6] = [
        (
            "2016-04-20",
            "Leaders' design workshop",
            Method::Workshop,
            "STP programme office",
            Depth::Collaborate,
            &["whole-plan"],
            vec![(id("NHS providers"), 12), (id("CCGs"), 6), (id("Council officers"), 4)],
            "The five priorities were agreed.",
        ),
        (
            "2016-05-18",
            "Urgent care clinical summit",
            Method::Workshop,
            "Northshire Hospitals NHS Foundation Trust",
            Depth::Involve,
            &["urgent-care", "acute-reconfiguration"],
            vec![
                (id("Clinicians"), 45),
                (id("GPs and primary care"), 20),
                (id("Frontline staff"), 15),
            ],
            "A third option, a phased move over three years, was added.",
        ),
        (
            "2016-06-22",
            "Briefing for elected members",
            Method::Meeting,
            "Northshire County Council",
            Depth::Inform,
            &["whole-plan"],
            vec![(id("Elected members"), 30), (id("Overview and scrutiny committee"), 9)],
            "",
        ),
        (
            "2016-07-12",
            "Healthwatch listening events",
            Method::PublicEvent,
            "Healthwatch Northshire",
            Depth::Consult,
            &["out-of-hospital", "mental-health"],
            vec![
                (id("Patients and the public"), 140),
                (id("Healthwatch"), 6),
                (carers.id, 25),
            ],
            "Carers asked for respite care to be in the out-of-hospital model; it now is.",
        ),
        (
            "2016-09-08",
            "Voluntary sector forum",
            Method::Meeting,
            "Eastvale CVS",
            Depth::Involve,
            &["prevention", "out-of-hospital"],
            vec![(id("Voluntary and community sector"), 22)],
            "Social prescribing was added to the prevention priority.",
        ),
        (
            "2016-11-21",
            "Draft plan published online",
            Method::Online,
            "STP programme office",
            Depth::Inform,
            &["whole-plan"],
            vec![(id("Patients and the public"), 850)],
            "",
        ),
    ];
    for (date, title, method, run_by, depth, areas, reached, changed) in log {
        let a = NewActivity {
            held_on: date.into(),
            title: title.into(),
            method: Some(method),
            run_by: run_by.into(),
            depth: Some(depth),
            areas: areas.iter().map(|s| s.to_string()).collect(),
            groups: reached,
            evidence_url: String::new(),
            what_changed: changed.into(),
        };
        store.add_activity(&who, footprint_id, &a, None).await?;
    }
    store
        .set_options_closed(&who, footprint_id, "acute-reconfiguration", Some("2016-10-31"))
        .await?;
    // The directory entries of the demo's voluntary sector partners.
    let directory = store.vcs_directory().await?;
    let cvs = directory
        .iter()
        .find(|e| e.name == "Northshire Community Voluntary Service")
        .map(|e| e.id);
    for e in &directory {
        let (what, area, link) = match e.name.as_str() {
            "Northshire Community Voluntary Service" => (
                "Supports and speaks for 400 local charities and community groups; runs the volunteer centre.",
                "Northshire",
                None,
            ),
            "Eastvale Carers' Network" => (
                "Advice, respite and peer support for unpaid carers of all ages.",
                "Eastvale",
                cvs,
            ),
            _ => continue,
        };
        store.set_directory_entry(&who, e.id, what, area, link).await?;
    }
    // A consultation open now: 12 weeks, started a fortnight ago.
    let today = time::OffsetDateTime::now_utc().date();
    let opens = today - time::Duration::days(14);
    let input = ConsultationInput {
        title: "The future of urgent and emergency care in Eastvale".into(),
        summary: "Eastvale General Hospital and Northshire General Hospital both run a full emergency department, \
                  and neither has enough senior doctors at night. We want your views on three options before any decision is made."
            .into(),
        area_id: "acute-reconfiguration".into(),
        formal: true,
        opens_on: iso(opens),
        closes_on: iso(opens + time::Duration::days(12 * 7 - 1)),
        min_weeks: 12,
    };
    let c = store.create_consultation(&who, footprint_id, &input).await?;
    store
        .add_consultation_document(
            &who,
            c.id,
            &footprint_store::engagement::NewDocument::File {
                title: "Case for change: urgent and emergency care (fictional)".into(),
                file_name: "case-for-change.txt".into(),
                content_type: "text/plain; charset=utf-8".into(),
                content: b"Case for change (fictional demo document).\n\nBoth emergency departments miss the \
                           standard for senior review at night. Option A concentrates specialist care at one site."
                    .to_vec(),
            },
        )
        .await?;
    let options = [
        (
            "A: one major emergency department at Northshire General",
            "Eastvale General keeps an urgent treatment centre open 24 hours; the most serious cases go to Northshire.",
            "Clinical senate review, 2016; travel-time analysis.",
            OptionEffect::AsPlanned,
        ),
        (
            "B: keep both emergency departments as they are",
            "No change to where people go; the staffing gap stays and is filled by agency doctors.",
            "Agency spend of £6m a year across the two trusts.",
            OptionEffect::Without,
        ),
        (
            "C: one major department, moving over three years",
            "As option A, but phased, with the urgent treatment centre opening first.",
            "Programme plan; double running costs modelled.",
            OptionEffect::Delayed(18),
        ),
    ];
    for (title, description, evidence, effect) in options {
        store
            .add_option(&who, c.id, title, description, evidence, effect)
            .await?;
    }
    let names: Vec<String> = options.iter().map(|o| o.0.to_string()).collect();
    store
        .add_question(
            &who,
            c.id,
            &footprint_store::consultations::NewQuestion {
                kind: QuestionKind::Single,
                prompt: "Which option do you prefer?".into(),
                hint: "".into(),
                required: true,
                choices: names.to_vec(),
            },
        )
        .await?;
    store
        .add_question(
            &who,
            c.id,
            &footprint_store::consultations::NewQuestion {
                kind: QuestionKind::Ranking,
                prompt: "Put the options in your order of preference".into(),
                hint: "".into(),
                required: false,
                choices: names.to_vec(),
            },
        )
        .await?;
    store
        .add_question(
            &who,
            c.id,
            &footprint_store::consultations::NewQuestion {
                kind: QuestionKind::Multiple,
                prompt: "Which of these services have you used in the last two years?".into(),
                hint: "".into(),
                required: false,
                choices: [
                    "Eastvale General emergency department".into(),
                    "Northshire General emergency department".into(),
                    "NHS 111".into(),
                    "A GP out-of-hours service".into(),
                ]
                .to_vec(),
            },
        )
        .await?;
    store
        .add_question(
            &who,
            c.id,
            &footprint_store::consultations::NewQuestion {
                kind: QuestionKind::FreeText,
                prompt: "What would these changes mean for you, your family or the people you care for?".into(),
                hint: "".into(),
                required: false,
                choices: Vec::new(),
            },
        )
        .await?;
    let c = store
        .consultation(c.id)
        .await?
        .ok_or(StoreError::NotFound("The demo consultation"))?;
    let (number, results) = crate::routes::consultations::option_results(store, &c, DEMO_OPTION_SAMPLES)
        .await
        .map_err(StoreError::Config)?;
    store
        .publish_consultation(&who, c.id, c.revision, number, &results)
        .await?;
    Ok(())
}
