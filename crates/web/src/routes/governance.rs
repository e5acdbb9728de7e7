//! Governance on the site: the board (bodies, members, rules, meetings), proposals with their
//! decision pack, members' responses, the public decision register with its Atom feed, and
//! conditions and actions.
//!
//! Who sees what: bodies, members, meetings and public items are for everyone; a proposal not
//! yet on an agenda is for the footprint's partners; a confidential item is for board members,
//! the people who speak for a member of its body, and national assurance. The register shows
//! everyone that a confidential decision was taken, when and by which body.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use footprint_domain::access::Action;
use footprint_domain::consultation::{OptionEffect, long_date};
use footprint_domain::engagement::{self as eng, Depth, Timing};
use footprint_domain::governance::{self as gov, BodyForm, Outcome, ReconfigurationTest, Response as Answer, Rule};
use footprint_store::engagement::Document;
use footprint_store::footprints::Footprint;
use footprint_store::governance::{
    ActionInput, ActionItem, Body, BodyInput, DecisionRecord, GovernanceDocument, Meeting, MeetingInput, Member,
    MemberResponse, Proposal, ProposalInput,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::Viewer;
use crate::charts::{esc, percent};
use crate::error::{AppError, FieldError};
use crate::page::Page;
use crate::routes::consultations::today;
use crate::routes::engagement::{Areas, document_from, domain_log, read_multipart};
use crate::routes::footprints::footprint;
use crate::routes::{Pairs, conflict_errors as conflict, one};

/// The routes.
pub fn router() -> Router<AppState> {
    let board = "/footprints/{code}/board";
    let decisions = "/footprints/{code}/decisions";
    Router::new()
        .route(board, get(board_page).post(create_body))
        .route(&format!("{board}/bodies/{{id}}"), get(body_page).post(update_body))
        .route(&format!("{board}/bodies/{{id}}/members"), post(add_member))
        .route(
            &format!("{board}/bodies/{{id}}/members/{{member}}/remove"),
            post(remove_member),
        )
        .route(&format!("{board}/bodies/{{id}}/consents"), post(set_consents))
        .route(&format!("{board}/bodies/{{id}}/documents"), post(body_document))
        .route(&format!("{board}/bodies/{{id}}/meetings"), post(create_meeting))
        .route(&format!("{board}/meetings/{{id}}"), get(meeting_page))
        .route(&format!("{board}/meetings/{{id}}/close"), post(close_meeting))
        .route(&format!("{board}/meetings/{{id}}/documents"), post(meeting_document))
        .route(decisions, get(register))
        .route("/footprints/{code}/decisions.atom", get(atom))
        .route(&format!("{decisions}/propose"), get(new_proposal).post(create_proposal))
        .route(&format!("{decisions}/proposals/{{id}}"), get(proposal_page))
        .route(
            &format!("{decisions}/proposals/{{id}}/edit"),
            get(edit_proposal).post(save_proposal),
        )
        .route(&format!("{decisions}/proposals/{{id}}/respond"), post(respond))
        .route(&format!("{decisions}/proposals/{{id}}/schedule"), post(schedule))
        .route(
            &format!("{decisions}/proposals/{{id}}/documents"),
            post(proposal_document),
        )
        .route(&format!("{decisions}/{{id}}"), get(decision_page))
        .route(&format!("{decisions}/{{id}}/actions"), post(add_action))
}

type Fields = HashMap<String, String>;

fn all(form: &Pairs, k: &str) -> Vec<String> {
    form.iter()
        .filter(|(key, v)| key == k && !v.trim().is_empty())
        .map(|(_, v)| v.trim().to_string())
        .collect()
}

fn fields(form: &Pairs) -> Fields {
    let mut f = Fields::new();
    for (k, v) in form {
        f.entry(k.clone()).or_insert_with(|| v.clone());
    }
    f
}

fn id_of(text: &str) -> Result<i64, AppError> {
    text.parse().map_err(|_| AppError::NotFound)
}

/// A body of the footprint.
async fn body_of(state: &AppState, f: &Footprint, id: &str) -> Result<Body, AppError> {
    let b = state.store.body(id_of(id)?).await?.ok_or(AppError::NotFound)?;
    if b.footprint_id != f.id {
        return Err(AppError::NotFound);
    }
    Ok(b)
}

/// Whether the viewer may read a body's confidential items: board members and national
/// assurance, and whoever speaks for one of its members.
fn reads_confidential(viewer: &Viewer, f: &Footprint, members: &[Member]) -> bool {
    viewer.can(Action::ViewConfidential(f.id))
        || viewer
            .user
            .as_ref()
            .is_some_and(|u| members.iter().any(|m| m.speaks_for(u.id)))
}

/// Whether the viewer may read a proposal: drafts for partners, confidential items for those
/// who read them, the rest for everyone.
async fn may_read(state: &AppState, viewer: &Viewer, f: &Footprint, p: &Proposal) -> Result<bool, AppError> {
    if p.confidential {
        let members = state.store.members(p.body_id).await?;
        return Ok(reads_confidential(viewer, f, &members));
    }
    Ok(p.meeting_id.is_some() || p.decided || viewer.can(Action::ViewFootprintPrivate(f.id)))
}

/// Whether the viewer may read a governance paper: a proposal's papers as the proposal.
pub async fn may_read_document(state: &AppState, viewer: &Viewer, d: &Document) -> Result<bool, AppError> {
    let Some(pid) = d.proposal_id else {
        if !d.confidential || viewer.can(Action::ViewConfidential(d.footprint_id)) {
            return Ok(true);
        }
        let Some(body) = d.body_id else { return Ok(false) };
        let members = state.store.members(body).await?;
        return Ok(viewer
            .user
            .as_ref()
            .is_some_and(|u| members.iter().any(|m| m.speaks_for(u.id))));
    };
    let Some(p) = state.store.proposal(pid).await? else {
        return Ok(false);
    };
    let Some(f) = state.store.footprint(p.footprint_id).await? else {
        return Ok(false);
    };
    may_read(state, viewer, &f, &p).await
}

fn form_label(form: &BodyForm) -> &'static str {
    form.label()
}

// ---------------------------------------------------------------------------------------------
// The board

/// The board: every body with its members, rule and meetings.
#[derive(Template, WebTemplate)]
#[template(path = "board.html")]
pub struct BoardPage {
    pub page: Page,
    pub footprint: Footprint,
    pub bodies: Vec<BodyView>,
    pub can_manage: bool,
    pub can_propose: bool,
    pub forms: Vec<(&'static str, &'static str)>,
    pub fields: Fields,
}

impl BoardPage {
    /// A form value.
    pub fn field(&self, k: &str) -> &str {
        self.fields.get(k).map_or("", |s| s.as_str())
    }
}

/// A body as the board page shows it.
pub struct BodyView {
    pub body: Body,
    pub form: &'static str,
    pub rule: String,
    pub members: Vec<Member>,
    /// (subject label, organisation names)
    pub consents: Vec<(String, String)>,
    pub documents: Vec<Document>,
    /// (href, title, date, status)
    pub meetings: Vec<(String, String, String, &'static str)>,
}

async fn body_view(state: &AppState, f: &Footprint, b: Body) -> Result<BodyView, AppError> {
    let members = state.store.members(b.id).await?;
    let consents = state
        .store
        .required_consents(b.id)
        .await?
        .into_iter()
        .map(|(s, ids)| {
            let names: Vec<&str> = members
                .iter()
                .filter(|m| ids.contains(&m.id))
                .map(|m| m.organisation.as_str())
                .collect();
            (gov::subject_label(&s).to_string(), names.join(", "))
        })
        .collect();
    let meetings = state
        .store
        .meetings(b.id)
        .await?
        .into_iter()
        .map(|m| {
            (
                format!("/footprints/{}/board/meetings/{}", f.code, m.id),
                m.title.clone(),
                long_date(&m.held_on),
                if m.closed_at.is_some() { "Closed" } else { "Open" },
            )
        })
        .collect();
    Ok(BodyView {
        form: form_label(&b.form),
        rule: format!("{}. Quorum: {} members.", b.rule.words(), b.quorum),
        documents: state.store.body_documents(b.id).await?,
        members,
        consents,
        meetings,
        body: b,
    })
}

async fn board_view(
    state: &AppState,
    viewer: &Viewer,
    f: Footprint,
    errors: Vec<FieldError>,
    fields: Fields,
) -> Result<BoardPage, AppError> {
    let mut bodies = Vec::new();
    for b in state.store.bodies(f.id).await? {
        bodies.push(body_view(state, &f, b).await?);
    }
    Ok(BoardPage {
        page: Page::new(format!("Board – {}", f.name), viewer, "footprints").with_errors(errors),
        can_manage: viewer.can(Action::ManageGovernance(f.id)),
        can_propose: viewer.can(Action::Propose(f.id)),
        forms: BodyForm::ALL.iter().map(|b| (b.key(), b.label())).collect(),
        bodies,
        fields,
        footprint: f,
    })
}

async fn board_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<BoardPage, AppError> {
    let f = footprint(&state, &code).await?;
    let mut fields = Fields::new();
    fields.insert("rule".into(), "consensus".into());
    fields.insert("form".into(), "advisory-group".into());
    board_view(&state, &viewer, f, Vec::new(), fields).await
}

/// Reads the body form.
fn body_input(form: &Pairs) -> Result<BodyInput, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = one(form, "name");
    if name.is_empty() {
        errors.push(FieldError::new("name", "Enter the body's name"));
    } else if name.chars().count() > 200 {
        errors.push(FieldError::new("name", "The name must be 200 characters or fewer"));
    }
    let body_form = BodyForm::parse(&one(form, "form"));
    if body_form.is_none() {
        errors.push(FieldError::new("form", "Choose the body's form"));
    }
    let rule = match Rule::parse(&one(form, "rule"), &one(form, "threshold")) {
        Ok(r) => Some(r),
        Err(e) => {
            let field = if one(form, "rule") == "qualified-majority" {
                "threshold"
            } else {
                "rule"
            };
            errors.push(FieldError::new(field, e.0));
            None
        }
    };
    let quorum = match one(form, "quorum").parse::<i64>() {
        Ok(q) if (1..=100).contains(&q) => q,
        _ => {
            errors.push(FieldError::new(
                "quorum",
                "Enter the quorum as a whole number of members from 1 to 100",
            ));
            0
        }
    };
    match (errors.is_empty(), body_form, rule) {
        (true, Some(form_), Some(rule)) => Ok(BodyInput {
            name,
            form: form_,
            purpose: one(form, "purpose"),
            rule,
            quorum,
        }),
        _ => Err(errors),
    }
}

async fn create_body(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::ManageGovernance(f.id))?;
    let errors = match body_input(&form) {
        Ok(input) => match state.store.create_body(&viewer.who(), f.id, &input).await {
            Ok(id) => {
                return Ok(Redirect::to(&format!("/footprints/{}/board/bodies/{id}", f.code)).into_response());
            }
            Err(e) => conflict(e.into())?,
        },
        Err(errors) => errors,
    };
    Ok(board_view(&state, &viewer, f, errors, fields(&form))
        .await?
        .into_response())
}

// ---------------------------------------------------------------------------------------------
// A body

/// One body: its rule, members, required consents, documents and meetings, with the forms to
/// change them.
#[derive(Template, WebTemplate)]
#[template(path = "body.html")]
pub struct BodyPage {
    pub page: Page,
    pub footprint: Footprint,
    pub view: BodyView,
    pub can_manage: bool,
    pub forms: Vec<(&'static str, &'static str)>,
    /// Partner organisations not yet members: (id, name).
    pub partners: Vec<(i64, String)>,
    /// People who can represent a member: (id, name).
    pub people: Vec<(i64, String)>,
    /// (key, label, member ids required)
    pub subjects: Vec<(&'static str, &'static str, Vec<i64>)>,
    pub fields: Fields,
}

impl BodyPage {
    /// A form value.
    pub fn field(&self, k: &str) -> &str {
        self.fields.get(k).map_or("", |s| s.as_str())
    }

    /// Whether a member's representative or deputy is this person.
    pub fn is_person(&self, who: &Option<(i64, String)>, id: &i64) -> bool {
        who.as_ref().is_some_and(|w| w.0 == *id)
    }

    /// Whether a member's consent is required on a subject.
    pub fn requires(&self, ids: &[i64], member: &i64) -> bool {
        ids.contains(member)
    }
}

fn body_fields(b: &Body) -> Fields {
    let mut f = Fields::new();
    f.insert("name".into(), b.name.clone());
    f.insert("form".into(), b.form.key().into());
    f.insert("purpose".into(), b.purpose.clone());
    f.insert("rule".into(), b.rule.key().into());
    if let Some(t) = b.rule.threshold_percent() {
        f.insert("threshold".into(), t.to_string());
    }
    f.insert("quorum".into(), b.quorum.to_string());
    f.insert("revision".into(), b.revision.to_string());
    f
}

async fn body_view_page(
    state: &AppState,
    viewer: &Viewer,
    f: Footprint,
    b: Body,
    errors: Vec<FieldError>,
    fields: Option<Fields>,
) -> Result<BodyPage, AppError> {
    let mut fields_ = body_fields(&b);
    if let Some(given) = fields {
        fields_.extend(given);
    }
    let required = state.store.required_consents(b.id).await?;
    let view = body_view(state, &f, b).await?;
    let can_manage = viewer.can(Action::ManageGovernance(f.id));
    let (partners, people) = if can_manage {
        let partners: Vec<(i64, String)> = state
            .store
            .partners(f.id)
            .await?
            .into_iter()
            .filter(|p| !view.members.iter().any(|m| m.organisation_id == p.organisation.id))
            .map(|p| (p.organisation.id, p.organisation.name))
            .collect();
        let partner_ids: Vec<i64> = state
            .store
            .partners(f.id)
            .await?
            .iter()
            .map(|p| p.organisation.id)
            .collect();
        let with_role: Vec<i64> = state
            .store
            .footprint_people(f.id)
            .await?
            .iter()
            .map(|(u, _)| u.id)
            .collect();
        let people = state
            .store
            .users()
            .await?
            .into_iter()
            .filter(|u| {
                u.active && (with_role.contains(&u.id) || u.organisation_id.is_some_and(|o| partner_ids.contains(&o)))
            })
            .map(|u| (u.id, u.display_name))
            .collect();
        (partners, people)
    } else {
        (Vec::new(), Vec::new())
    };
    let subjects = gov::SUBJECTS
        .iter()
        .map(|(k, l)| {
            (
                *k,
                *l,
                required
                    .iter()
                    .find(|(s, _)| s == k)
                    .map(|(_, ids)| ids.clone())
                    .unwrap_or_default(),
            )
        })
        .collect();
    Ok(BodyPage {
        page: Page::new(format!("{} – {}", view.body.name, f.name), viewer, "footprints").with_errors(errors),
        can_manage,
        forms: BodyForm::ALL.iter().map(|b| (b.key(), b.label())).collect(),
        partners,
        people,
        subjects,
        view,
        fields: fields_,
        footprint: f,
    })
}

async fn body_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id)): Path<(String, String)>,
) -> Result<BodyPage, AppError> {
    let f = footprint(&state, &code).await?;
    let b = body_of(&state, &f, &id).await?;
    body_view_page(&state, &viewer, f, b, Vec::new(), None).await
}

/// The footprint and body, for someone who manages governance.
async fn managed_body(state: &AppState, viewer: &Viewer, code: &str, id: &str) -> Result<(Footprint, Body), AppError> {
    let f = footprint(state, code).await?;
    viewer.require(Action::ManageGovernance(f.id))?;
    let b = body_of(state, &f, id).await?;
    Ok((f, b))
}

fn body_href(f: &Footprint, b: &Body) -> String {
    format!("/footprints/{}/board/bodies/{}", f.code, b.id)
}

async fn update_body(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id)): Path<(String, String)>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let (f, b) = managed_body(&state, &viewer, &code, &id).await?;
    let revision: i64 = one(&form, "revision").parse().unwrap_or(-1);
    let errors = match body_input(&form) {
        Ok(input) => match state.store.update_body(&viewer.who(), b.id, revision, &input).await {
            Ok(()) => return Ok(Redirect::to(&body_href(&f, &b)).into_response()),
            Err(e) => conflict(e.into())?,
        },
        Err(errors) => errors,
    };
    Ok(body_view_page(&state, &viewer, f, b, errors, Some(fields(&form)))
        .await?
        .into_response())
}

fn person(form: &Pairs, k: &str) -> Option<i64> {
    one(form, k).parse().ok()
}

async fn add_member(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id)): Path<(String, String)>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let (f, b) = managed_body(&state, &viewer, &code, &id).await?;
    let errors = match one(&form, "organisation").parse::<i64>() {
        Ok(org) => match state
            .store
            .add_member(
                &viewer.who(),
                b.id,
                org,
                (person(&form, "representative"), person(&form, "deputy")),
            )
            .await
        {
            Ok(_) => return Ok(Redirect::to(&format!("{}#members", body_href(&f, &b))).into_response()),
            Err(e) => conflict(e.into())?,
        },
        Err(_) => vec![FieldError::new("organisation", "Choose the member organisation")],
    };
    Ok(body_view_page(&state, &viewer, f, b, errors, Some(fields(&form)))
        .await?
        .into_response())
}

async fn remove_member(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id, member)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    let (f, b) = managed_body(&state, &viewer, &code, &id).await?;
    let member = id_of(&member)?;
    if !state.store.members(b.id).await?.iter().any(|m| m.id == member) {
        return Err(AppError::NotFound);
    }
    state.store.remove_member(&viewer.who(), member).await?;
    Ok(Redirect::to(&format!("{}#members", body_href(&f, &b))).into_response())
}

async fn set_consents(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id)): Path<(String, String)>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let (f, b) = managed_body(&state, &viewer, &code, &id).await?;
    // One checkbox per (subject, member): `consent` = "subject:member".
    let chosen: Vec<(String, i64)> = all(&form, "consent")
        .iter()
        .filter_map(|v| {
            let (s, m) = v.split_once(':')?;
            Some((s.to_string(), m.parse().ok()?))
        })
        .collect();
    // Every choice must name a subject and a member, before anything changes.
    let members = state.store.members(b.id).await?;
    if chosen.len() != all(&form, "consent").len()
        || chosen
            .iter()
            .any(|(s, m)| !gov::SUBJECTS.iter().any(|x| x.0 == s) || !members.iter().any(|x| x.id == *m))
    {
        return Err(AppError::Invalid(vec![FieldError::new(
            "consents",
            "Choose subjects and members of this body from the list",
        )]));
    }
    let before = state.store.required_consents(b.id).await?;
    let changed: Vec<(String, Vec<i64>)> = gov::SUBJECTS
        .iter()
        .map(|(subject, _)| {
            let ids: Vec<i64> = chosen.iter().filter(|(s, _)| s == subject).map(|(_, m)| *m).collect();
            (subject.to_string(), ids)
        })
        .filter(|(subject, ids)| {
            let was = before
                .iter()
                .find(|(s, _)| s == subject)
                .map(|(_, i)| i.clone())
                .unwrap_or_default();
            was != *ids
        })
        .collect();
    if !changed.is_empty() {
        state
            .store
            .set_all_required_consents(&viewer.who(), b.id, &changed)
            .await?;
    }
    Ok(Redirect::to(&format!("{}#consents", body_href(&f, &b))).into_response())
}

async fn body_document(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id)): Path<(String, String)>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let (f, b) = managed_body(&state, &viewer, &code, &id).await?;
    let form = read_multipart(multipart).await?;
    let role = form.get("role");
    let attach = match role.as_str() {
        "memorandum" => GovernanceDocument::Memorandum(b.id),
        _ => GovernanceDocument::TermsOfReference(b.id),
    };
    let default = if role == "memorandum" {
        "Memorandum of understanding"
    } else {
        "Terms of reference"
    };
    match add_document(&state, &viewer, &form, default, attach).await? {
        Ok(()) => Ok(Redirect::to(&format!("{}#documents", body_href(&f, &b))).into_response()),
        Err(errors) => Ok(body_view_page(&state, &viewer, f, b, errors, None)
            .await?
            .into_response()),
    }
}

/// Reads a governance document from its form (a file or a link) and adds it; what is wrong with
/// it comes back as field errors for the form.
async fn add_document(
    state: &AppState,
    viewer: &Viewer,
    form: &crate::routes::engagement::Submitted,
    default_title: &str,
    attach: GovernanceDocument,
) -> Result<Result<(), Vec<FieldError>>, AppError> {
    let doc = match document_from(form, default_title, "doc_") {
        Ok(Some(doc)) => doc,
        Ok(None) => return Ok(Err(vec![FieldError::new("file", "Choose a file or give a link")])),
        Err(e) => return Ok(Err(vec![e])),
    };
    match state.store.add_governance_document(&viewer.who(), attach, &doc).await {
        Ok(_) => Ok(Ok(())),
        Err(e) => conflict(e.into()).map(Err),
    }
}

async fn create_meeting(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id)): Path<(String, String)>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let (f, b) = managed_body(&state, &viewer, &code, &id).await?;
    let mut errors = Vec::new();
    let held_on = footprint_domain::consultation::date_from_parts(
        &one(&form, "held_day"),
        &one(&form, "held_month"),
        &one(&form, "held_year"),
        "the date of the meeting",
    );
    if let Err(e) = &held_on {
        errors.push(FieldError::new("held_day", e.0.clone()));
    }
    let title = one(&form, "meeting_title");
    if title.is_empty() {
        errors.push(FieldError::new("meeting_title", "Enter the meeting's title"));
    }
    if errors.is_empty() {
        let input = MeetingInput {
            held_on: held_on.unwrap_or_default(),
            title,
            place: one(&form, "place"),
            agenda: one(&form, "agenda"),
        };
        match state.store.create_meeting(&viewer.who(), b.id, &input).await {
            Ok(m) => return Ok(Redirect::to(&format!("/footprints/{}/board/meetings/{m}", f.code)).into_response()),
            Err(e) => errors = conflict(e.into())?,
        }
    }
    Ok(body_view_page(&state, &viewer, f, b, errors, Some(fields(&form)))
        .await?
        .into_response())
}

// ---------------------------------------------------------------------------------------------
// A meeting

/// A meeting: agenda, papers, minutes, and (for the programme office) closing it.
#[derive(Template, WebTemplate)]
#[template(path = "meeting.html")]
pub struct MeetingPage {
    pub page: Page,
    pub footprint: Footprint,
    pub body: Body,
    pub meeting: Meeting,
    pub held_on: String,
    /// (href or empty for a confidential item the viewer cannot read, title, status, responses)
    pub items: Vec<(String, String, String, String)>,
    pub documents: Vec<Document>,
    pub can_manage: bool,
    /// Whether the viewer reads the body's confidential items.
    pub confidential_ok: bool,
    /// What closing did: (proposal title, outcome or reason).
    pub result: Vec<(String, String)>,
    pub fields: Fields,
}

impl MeetingPage {
    /// A form value.
    pub fn field(&self, k: &str) -> &str {
        self.fields.get(k).map_or("", |s| s.as_str())
    }
}

async fn meeting_of(state: &AppState, f: &Footprint, id: &str) -> Result<(Meeting, Body), AppError> {
    let m = state.store.meeting(id_of(id)?).await?.ok_or(AppError::NotFound)?;
    let b = state.store.body(m.body_id).await?.ok_or(AppError::NotFound)?;
    if b.footprint_id != f.id {
        return Err(AppError::NotFound);
    }
    Ok((m, b))
}

async fn meeting_view(
    state: &AppState,
    viewer: &Viewer,
    f: Footprint,
    m: Meeting,
    b: Body,
    errors: Vec<FieldError>,
    result: Vec<(String, String)>,
) -> Result<MeetingPage, AppError> {
    let members = state.store.members(b.id).await?;
    let confidential_ok = reads_confidential(viewer, &f, &members);
    let mut items = Vec::new();
    let mut agenda = state.store.agenda(m.id).await?;
    // Decided items stay on the agenda of the meeting that decided them.
    for d in state.store.decisions(f.id).await? {
        if d.meeting_id == m.id
            && !agenda.iter().any(|p| p.id == d.proposal_id)
            && let Some(p) = state.store.proposal(d.proposal_id).await?
        {
            agenda.push(p);
        }
    }
    for p in agenda {
        let n = state.store.proposal_responses(p.id).await?.len();
        if p.confidential && !confidential_ok {
            items.push((
                String::new(),
                "Confidential item".into(),
                p.status().label().into(),
                String::new(),
            ));
        } else {
            items.push((
                format!("/footprints/{}/decisions/proposals/{}", f.code, p.id),
                p.title.clone(),
                p.status().label().into(),
                format!("{n} of {} members", members.len()),
            ));
        }
    }
    let documents = state
        .store
        .meeting_documents(m.id)
        .await?
        .into_iter()
        .filter(|d| !d.confidential || confidential_ok)
        .collect();
    let mut fields = Fields::new();
    fields.insert("minutes".into(), m.minutes.clone());
    Ok(MeetingPage {
        page: Page::new(format!("{} – {}", m.title, b.name), viewer, "footprints").with_errors(errors),
        can_manage: viewer.can(Action::ManageGovernance(f.id)),
        confidential_ok,
        held_on: long_date(&m.held_on),
        items,
        documents,
        result,
        fields,
        footprint: f,
        body: b,
        meeting: m,
    })
}

async fn meeting_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id)): Path<(String, String)>,
) -> Result<MeetingPage, AppError> {
    let f = footprint(&state, &code).await?;
    let (m, b) = meeting_of(&state, &f, &id).await?;
    meeting_view(&state, &viewer, f, m, b, Vec::new(), Vec::new()).await
}

async fn close_meeting(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id)): Path<(String, String)>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::ManageGovernance(f.id))?;
    let (m, b) = meeting_of(&state, &f, &id).await?;
    // The pack of each item as it stands is kept with its decision.
    let mut packs = BTreeMap::new();
    let agenda = state.store.agenda(m.id).await?;
    for p in &agenda {
        let pack = pack(&state.store, &f, p).await?;
        packs.insert(
            p.id,
            serde_json::to_value(&pack).map_err(|e| AppError::internal(e.to_string()))?,
        );
    }
    let closed = match state
        .store
        .close_meeting(
            &viewer.who(),
            m.id,
            (&one(&form, "minutes"), &one(&form, "confidential_minutes")),
            &today(),
            &packs,
        )
        .await
    {
        Ok(c) => c,
        Err(e) => {
            let errors = conflict(e.into())?;
            return Ok(meeting_view(&state, &viewer, f, m, b, errors, Vec::new())
                .await?
                .into_response());
        }
    };
    let title = |id: i64| {
        agenda
            .iter()
            .find(|p| p.id == id)
            .map_or_else(String::new, |p| p.title.clone())
    };
    let mut result: Vec<(String, String)> = closed
        .decided
        .iter()
        .map(|(p, _, o)| (title(*p), o.label().to_string()))
        .collect();
    result.extend(closed.not_decided.iter().map(|(p, why)| (title(*p), why.clone())));
    let m = state.store.meeting(m.id).await?.ok_or(AppError::NotFound)?;
    Ok(meeting_view(&state, &viewer, f, m, b, Vec::new(), result)
        .await?
        .into_response())
}

async fn meeting_document(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id)): Path<(String, String)>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::ManageGovernance(f.id))?;
    let (m, b) = meeting_of(&state, &f, &id).await?;
    let form = read_multipart(multipart).await?;
    let minutes = form.get("role") == "minutes";
    let confidential = form.get("confidential") == "yes";
    let attach = if minutes {
        GovernanceDocument::Minutes {
            meeting: m.id,
            confidential,
        }
    } else {
        GovernanceDocument::MeetingPaper {
            meeting: m.id,
            confidential,
        }
    };
    let default = if minutes { "Minutes" } else { "Paper" };
    let Err(errors) = add_document(&state, &viewer, &form, default, attach).await? else {
        return Ok(Redirect::to(&format!("/footprints/{}/board/meetings/{}#papers", f.code, m.id)).into_response());
    };
    Ok(meeting_view(&state, &viewer, f, m, b, errors, Vec::new())
        .await?
        .into_response())
}

// ---------------------------------------------------------------------------------------------
// The decision pack

/// What a decision rests on, assembled for every proposal and kept with its decision.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Pack {
    /// The stress-test effect in words (or why there is none).
    pub stress: String,
    /// The figures behind it, if worked out.
    pub figures: Option<Value>,
    /// Engagement with each affected group: (group, deepest depth, early or late, a gap).
    pub engagement: Vec<PackEngagement>,
    /// For a service reconfiguration, NHS England's tests.
    pub tests: Vec<PackTest>,
}

/// Engagement with one affected group.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PackEngagement {
    pub group: String,
    pub depth: String,
    pub timing: String,
    pub gap: bool,
}

/// One of NHS England's reconfiguration tests.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PackTest {
    pub label: String,
    pub asks: String,
    pub evidence: String,
    /// What Footprint itself holds that bears on the test.
    pub facts: Vec<String>,
    pub gap: bool,
}

/// The stress-test effect of a proposal: the plan (its newest published version)
/// against the plan changed as the proposal says, on common random numbers. When the plan
/// already counts on the change, the comparison is with it not carried.
pub async fn proposal_stress(
    store: &footprint_store::Store,
    footprint_id: i64,
    initiatives: &[String],
    effect: OptionEffect,
) -> Result<Option<Value>, AppError> {
    if effect == OptionEffect::NotModelled || initiatives.is_empty() {
        return Ok(None);
    }
    // Only a published plan: a pack can be public and is kept for good, and a draft's figures
    // are the partners' until they publish them.
    let Some(version) = store.latest_published_plan(footprint_id).await? else {
        return Ok(Some(json!({"error": "the footprint has not published a plan yet"})));
    };
    let doc = crate::routes::plans::document(&version)?;
    let base = match doc.validate() {
        Ok(b) => b,
        Err(e) => return Ok(Some(json!({"error": e.to_string()}))),
    };
    let carried = effect != OptionEffect::AsPlanned;
    let applied = if carried { effect } else { OptionEffect::Without };
    let mut model = doc.model.clone();
    for id in initiatives {
        match applied.apply(&model, id) {
            Ok(Some(m)) => model = m,
            Ok(None) => return Ok(None),
            Err(e) => return Ok(Some(json!({"error": e.0}))),
        }
    }
    let plan = match footprint_domain::plan::PlanDocument::from_model_text(&model.to_string(), "proposal.json")
        .and_then(|d| d.validate())
    {
        Ok(p) => p,
        Err(e) => return Ok(Some(json!({"error": e.to_string()}))),
    };
    let seed = base.run.seed.unwrap_or(0);
    let samples = crate::stress::LIVE_SAMPLES;
    let cmp =
        tokio::task::spawn_blocking(move || footprint_stress::compare::compare_plans(&base, &plan, samples, seed))
            .await
            .map_err(|e| AppError::internal(e.to_string()))?;
    Ok(Some(match cmp {
        Ok(cmp) => {
            let y = cmp.years.last().expect("a plan has at least one year");
            json!({
                "carried": carried,
                "year": y.year,
                "p_balance_plan": y.p_balance_a,
                "p_balance_changed": y.p_balance_b,
                "p_balance_change": y.p_balance_change,
                "se_p_balance_change": y.se_p_balance_change,
                "gap_change": y.gap_change.mean,
                "se_gap_change": y.gap_change.se_mean,
                "samples": cmp.samples,
                "plan_version": version.number,
            })
        }
        Err(e) => json!({"error": e.to_string()}),
    }))
}

/// The stress-test effect in words.
pub fn stress_words(r: Option<&Value>, effect: OptionEffect) -> String {
    let Some(r) = r else {
        return if effect == OptionEffect::NotModelled {
            "Not modelled: the proposal does not change the plan's finances in the stress test.".into()
        } else {
            "Not worked out: choose the initiatives the proposal changes.".into()
        };
    };
    if let Some(e) = r.get("error").and_then(Value::as_str) {
        return format!("Not worked out: {e}.");
    }
    let num = |k: &str| r.get(k).and_then(Value::as_f64).unwrap_or(0.0);
    let year = r.get("year").and_then(Value::as_str).unwrap_or("the final year");
    let carried = r.get("carried").and_then(Value::as_bool).unwrap_or(true);
    let change = num("p_balance_change");
    let gap = num("gap_change");
    let version = r
        .get("plan_version")
        .and_then(Value::as_i64)
        .map_or_else(|| "the draft plan".to_string(), |n| format!("plan version {n}"));
    let gap_words = if gap.abs() < 0.05 {
        "The final-year gap is unchanged.".to_string()
    } else {
        format!(
            "The final-year gap is £{:.1}m {} on average (standard error £{:.1}m).",
            gap.abs(),
            if gap > 0.0 { "larger" } else { "smaller" },
            num("se_gap_change")
        )
    };
    format!(
        "{} the chance the footprint balances its books in {year} is {}, against {} with the plan as it stands \
         ({}{:.1} percentage points, standard error {:.1}). {gap_words} From {version}, {} scenarios on common random numbers.",
        if carried {
            "If carried,"
        } else {
            "The plan already counts on this. If it is not carried,"
        },
        percent(num("p_balance_changed")),
        percent(num("p_balance_plan")),
        if change > 0.0 { "+" } else { "" },
        change * 100.0,
        num("se_p_balance_change") * 100.0,
        r.get("samples").and_then(Value::as_u64).unwrap_or(0),
    )
}

/// Assembles a proposal's decision pack as things stand.
pub async fn pack(store: &footprint_store::Store, f: &Footprint, p: &Proposal) -> Result<Pack, AppError> {
    let groups = store.groups(f.id).await?;
    let log = store.activities(f.id).await?;
    let closed = store.options_closed(f.id).await?;
    let areas = match store.latest_published_plan(f.id).await? {
        Some(v) => Areas::of(&crate::routes::plans::document(&v)?),
        None => match store.plan_draft(f.id).await? {
            Some(v) => Areas::of(&crate::routes::plans::document(&v)?),
            None => Areas {
                priorities: Vec::new(),
                initiatives: Vec::new(),
            },
        },
    };
    let dlog = domain_log(&groups, &log, &areas);
    let mut proposal_areas: Vec<String> = p.initiatives.clone();
    proposal_areas.extend(p.priorities.iter().cloned());
    let engagement: Vec<PackEngagement> = groups
        .iter()
        .filter(|g| p.affected_groups.contains(&g.id))
        .map(|g| engagement_of(&dlog, &g.name, &proposal_areas, &closed))
        .collect();
    let mut tests = Vec::new();
    if p.reconfiguration {
        let responses = store.proposal_responses(p.id).await?;
        let members = store.members(p.body_id).await?;
        for t in ReconfigurationTest::ALL {
            let evidence = p.evidence.get(t.key()).cloned().unwrap_or_default();
            let mut facts = Vec::new();
            match t {
                ReconfigurationTest::GpSupport => {
                    for m in members.iter().filter(|m| m.organisation_kind == "ccg") {
                        let said = responses
                            .iter()
                            .find(|r| r.member_id == m.id)
                            .map_or("has not responded yet".to_string(), |r| {
                                format!("responded: {}", r.response.label().to_lowercase())
                            });
                        facts.push(format!("{} {said}", m.organisation));
                    }
                    if facts.is_empty() {
                        facts.push("No clinical commissioning group is a member of this body".into());
                    }
                }
                ReconfigurationTest::PublicEngagement => {
                    let e = engagement_of(&dlog, "Patients and the public", &proposal_areas, &closed);
                    facts.push(format!("Patients and the public: {}, {}", e.depth, e.timing));
                }
                _ => {}
            }
            tests.push(PackTest {
                label: t.label().into(),
                asks: t.asks().into(),
                gap: evidence.trim().is_empty(),
                evidence,
                facts,
            });
        }
    }
    Ok(Pack {
        stress: stress_words(p.stress.as_ref(), p.effect),
        figures: p.stress.clone(),
        engagement,
        tests,
    })
}

/// How deeply, and how early, a group was engaged on the proposal's areas (on anything, when it
/// names none).
fn engagement_of(log: &[eng::Activity], group: &str, areas: &[String], closed: &[(String, String)]) -> PackEngagement {
    let relevant: Vec<&eng::Activity> = log
        .iter()
        .filter(|a| a.groups.iter().any(|g| g == group))
        .filter(|a| areas.is_empty() || a.areas.iter().any(|x| areas.contains(x)))
        .collect();
    let depth: Option<Depth> = relevant.iter().map(|a| a.depth).max();
    let timing = if relevant.is_empty() {
        Timing::Never
    } else if areas.is_empty() {
        Timing::Early
    } else {
        let mut t = Timing::Late;
        for area in areas {
            match closed.iter().find(|(a, _)| a == area) {
                // Options still open on this area: engagement now is early.
                None => {
                    if relevant.iter().any(|a| a.areas.contains(area)) {
                        t = Timing::Early;
                    }
                }
                Some((_, on)) => {
                    if eng::timing(log, group, area, on) == Timing::Early {
                        t = Timing::Early;
                    }
                }
            }
        }
        t
    };
    PackEngagement {
        group: group.into(),
        depth: depth.map_or_else(|| "not engaged".into(), |d| d.label().to_lowercase()),
        timing: match timing {
            Timing::Early => "while options were open".into(),
            Timing::Late => "only after the options closed".into(),
            Timing::Never => "never".into(),
        },
        gap: depth.is_none_or(|d| d < Depth::Involve) || timing != Timing::Early,
    }
}

// ---------------------------------------------------------------------------------------------
// Proposals

/// Writing or changing a proposal.
#[derive(Template, WebTemplate)]
#[template(path = "proposal_form.html")]
pub struct ProposalFormPage {
    pub page: Page,
    pub footprint: Footprint,
    pub action: String,
    pub bodies: Vec<(i64, String)>,
    pub subjects: Vec<(&'static str, &'static str)>,
    pub priorities: Vec<(String, String)>,
    pub initiatives: Vec<(String, String)>,
    pub groups: Vec<(i64, String)>,
    pub tests: Vec<(&'static str, &'static str, &'static str)>,
    /// Decisions it could supersede: (id, words).
    pub decisions: Vec<(i64, String)>,
    /// Whether the viewer may mark it confidential (only those who can read confidential items).
    pub can_mark_confidential: bool,
    pub fields: Fields,
    pub chosen: Vec<(String, String)>,
}

impl ProposalFormPage {
    /// A form value.
    pub fn field(&self, k: &str) -> &str {
        self.fields.get(k).map_or("", |s| s.as_str())
    }

    /// Whether a checkbox is ticked.
    pub fn ticked(&self, k: &str, v: &str) -> bool {
        self.chosen.iter().any(|(a, b)| a == k && b == v)
    }

    /// Whether a numbered checkbox is ticked.
    pub fn ticked_id(&self, k: &str, v: &i64) -> bool {
        self.ticked(k, &v.to_string())
    }

    /// The evidence field of a test.
    pub fn evidence(&self, test: &str) -> &str {
        self.field(&format!("evidence_{test}"))
    }

    /// The error on a test's evidence.
    pub fn evidence_id(&self, test: &str) -> String {
        format!("evidence_{test}")
    }
}

async fn proposal_form(
    state: &AppState,
    viewer: &Viewer,
    f: Footprint,
    action: String,
    form: &Pairs,
    errors: Vec<FieldError>,
) -> Result<ProposalFormPage, AppError> {
    let areas = match crate::routes::plans::current(state, viewer, &f).await {
        Ok(v) => Areas::of(&crate::routes::plans::document(&v)?),
        Err(AppError::NotFound) => Areas {
            priorities: Vec::new(),
            initiatives: Vec::new(),
        },
        Err(e) => return Err(e),
    };
    let readers = confidential_readers(state, viewer, &f).await?;
    let decisions = state
        .store
        .decisions(f.id)
        .await?
        .into_iter()
        .filter(|d| d.superseded_by.is_none() && d.outcome == Outcome::Carried)
        .filter(|d| !d.confidential || readers.get(&d.body_id).copied().unwrap_or(false))
        .map(|d| (d.id, format!("{} ({}, {})", d.title, d.body, long_date(&d.decided_on))))
        .collect();
    Ok(ProposalFormPage {
        page: Page::new(
            if action.ends_with("/propose") {
                "Propose a decision".to_string()
            } else {
                "Change the proposal".to_string()
            },
            viewer,
            "footprints",
        )
        .with_errors(errors),
        action,
        bodies: state
            .store
            .bodies(f.id)
            .await?
            .into_iter()
            .map(|b| (b.id, b.name))
            .collect(),
        subjects: gov::SUBJECTS.to_vec(),
        priorities: areas.priorities,
        initiatives: areas.initiatives.into_iter().map(|(id, name, _)| (id, name)).collect(),
        groups: state
            .store
            .groups(f.id)
            .await?
            .into_iter()
            .map(|g| (g.id, g.name))
            .collect(),
        tests: ReconfigurationTest::ALL
            .iter()
            .map(|t| (t.key(), t.label(), t.asks()))
            .collect(),
        decisions,
        can_mark_confidential: viewer.can(Action::ViewConfidential(f.id)),
        fields: fields(form),
        chosen: form.clone(),
        footprint: f,
    })
}

/// Reads the proposal form.
fn proposal_input(form: &Pairs, bodies: &[Body]) -> Result<ProposalInput, Vec<FieldError>> {
    let mut errors = Vec::new();
    let body_id = one(form, "body")
        .parse::<i64>()
        .ok()
        .filter(|b| bodies.iter().any(|x| x.id == *b));
    if body_id.is_none() {
        errors.push(FieldError::new("body", "Choose the body that decides it"));
    }
    let text = |k: &str, what: &str, max: usize, errors: &mut Vec<FieldError>| {
        let v = one(form, k);
        if v.is_empty() && !what.is_empty() {
            errors.push(FieldError::new(k, what.to_string()));
        } else if v.chars().count() > max {
            errors.push(FieldError::new(k, format!("Keep it to {max} characters or fewer")));
        }
        v
    };
    let title = text("title", "Enter the proposal's title", 200, &mut errors);
    let what = text("what", "Say what is proposed", 10_000, &mut errors);
    let why = text("why", "Say why it is proposed", 10_000, &mut errors);
    let options_considered = text("options_considered", "", 10_000, &mut errors);
    let subjects = gov::parse_subjects(&all(form, "subjects")).unwrap_or_else(|e| {
        errors.push(FieldError::new("subjects", e.0));
        Vec::new()
    });
    let effect = OptionEffect::parse(&one(form, "effect"), &one(form, "amount")).unwrap_or_else(|e| {
        errors.push(FieldError::new("amount", e.0));
        OptionEffect::NotModelled
    });
    let initiatives = all(form, "initiatives");
    if effect != OptionEffect::NotModelled && initiatives.is_empty() {
        errors.push(FieldError::new(
            "initiatives",
            "Choose the initiatives the proposal changes, or say its effect is not modelled",
        ));
    }
    let reconfiguration = one(form, "reconfiguration") == "yes";
    let mut evidence = BTreeMap::new();
    if reconfiguration {
        for t in ReconfigurationTest::ALL {
            let v = text(&format!("evidence_{}", t.key()), "", 10_000, &mut errors);
            if !v.is_empty() {
                evidence.insert(t.key().to_string(), v);
            }
        }
    }
    let supersedes_id = one(form, "supersedes").parse::<i64>().ok();
    let affected_groups = all(form, "groups").iter().filter_map(|g| g.parse().ok()).collect();
    match body_id {
        Some(body_id) if errors.is_empty() => Ok(ProposalInput {
            body_id,
            title,
            what,
            why,
            options_considered,
            subjects,
            priorities: all(form, "priorities"),
            initiatives,
            effect,
            affected_groups,
            reconfiguration,
            evidence,
            confidential: one(form, "confidential") == "yes",
            supersedes_id,
            stress: None,
        }),
        _ => Err(errors),
    }
}

async fn new_proposal(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<ProposalFormPage, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::Propose(f.id))?;
    let action = format!("/footprints/{}/decisions/propose", f.code);
    let defaults: Pairs = vec![
        ("effect".into(), "not-modelled".into()),
        ("reconfiguration".into(), "no".into()),
    ];
    proposal_form(&state, &viewer, f, action, &defaults, Vec::new()).await
}

async fn create_proposal(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::Propose(f.id))?;
    let bodies = state.store.bodies(f.id).await?;
    let action = format!("/footprints/{}/decisions/propose", f.code);
    let errors = match proposal_input(&form, &bodies) {
        Ok(_) if one(&form, "confidential") == "yes" && !viewer.can(Action::ViewConfidential(f.id)) => {
            vec![FieldError::new(
                "confidential",
                "Only board members and the programme office can mark a proposal confidential: ask them to",
            )]
        }
        Ok(mut input) => {
            input.stress = proposal_stress(&state.store, f.id, &input.initiatives, input.effect).await?;
            match state.store.create_proposal(&viewer.who(), f.id, &input).await {
                Ok(id) => {
                    return Ok(
                        Redirect::to(&format!("/footprints/{}/decisions/proposals/{id}", f.code)).into_response(),
                    );
                }
                Err(e) => conflict(e.into())?,
            }
        }
        Err(errors) => errors,
    };
    Ok(proposal_form(&state, &viewer, f, action, &form, errors)
        .await?
        .into_response())
}

fn proposal_pairs(p: &Proposal) -> Pairs {
    let mut out: Pairs = vec![
        ("body".into(), p.body_id.to_string()),
        ("title".into(), p.title.clone()),
        ("what".into(), p.what.clone()),
        ("why".into(), p.why.clone()),
        ("options_considered".into(), p.options_considered.clone()),
        ("effect".into(), p.effect.key().into()),
        (
            "amount".into(),
            p.effect.amount().map(|a| a.to_string()).unwrap_or_default(),
        ),
        (
            "reconfiguration".into(),
            if p.reconfiguration { "yes" } else { "no" }.into(),
        ),
        ("confidential".into(), if p.confidential { "yes" } else { "" }.into()),
        (
            "supersedes".into(),
            p.supersedes_id.map(|d| d.to_string()).unwrap_or_default(),
        ),
        ("revision".into(), p.revision.to_string()),
    ];
    out.extend(p.subjects.iter().map(|s| ("subjects".to_string(), s.clone())));
    out.extend(p.priorities.iter().map(|s| ("priorities".to_string(), s.clone())));
    out.extend(p.initiatives.iter().map(|s| ("initiatives".to_string(), s.clone())));
    out.extend(p.affected_groups.iter().map(|g| ("groups".to_string(), g.to_string())));
    out.extend(p.evidence.iter().map(|(k, v)| (format!("evidence_{k}"), v.clone())));
    out
}

/// A proposal of the footprint that the viewer may read.
async fn readable(state: &AppState, viewer: &Viewer, f: &Footprint, id: &str) -> Result<Proposal, AppError> {
    let p = state.store.proposal(id_of(id)?).await?.ok_or(AppError::NotFound)?;
    if p.footprint_id != f.id || !may_read(state, viewer, f, &p).await? {
        return Err(AppError::NotFound);
    }
    Ok(p)
}

async fn edit_proposal(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id)): Path<(String, String)>,
) -> Result<ProposalFormPage, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::Propose(f.id))?;
    let p = readable(&state, &viewer, &f, &id).await?;
    let action = format!("/footprints/{}/decisions/proposals/{}/edit", f.code, p.id);
    proposal_form(&state, &viewer, f, action, &proposal_pairs(&p), Vec::new()).await
}

async fn save_proposal(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id)): Path<(String, String)>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::Propose(f.id))?;
    let p = readable(&state, &viewer, &f, &id).await?;
    let bodies = state.store.bodies(f.id).await?;
    let action = format!("/footprints/{}/decisions/proposals/{}/edit", f.code, p.id);
    let revision: i64 = one(&form, "revision").parse().unwrap_or(-1);
    let errors = match proposal_input(&form, &bodies) {
        Ok(_) if one(&form, "confidential") == "yes" && !viewer.can(Action::ViewConfidential(f.id)) => {
            vec![FieldError::new(
                "confidential",
                "Only board members and the programme office can mark a proposal confidential: ask them to",
            )]
        }
        Ok(mut input) => {
            input.stress = proposal_stress(&state.store, f.id, &input.initiatives, input.effect).await?;
            match state.store.update_proposal(&viewer.who(), p.id, revision, &input).await {
                Ok(()) => {
                    return Ok(
                        Redirect::to(&format!("/footprints/{}/decisions/proposals/{}", f.code, p.id)).into_response(),
                    );
                }
                Err(e) => conflict(e.into())?,
            }
        }
        Err(errors) => errors,
    };
    Ok(proposal_form(&state, &viewer, f, action, &form, errors)
        .await?
        .into_response())
}

/// A proposal with its pack, the responses so far, and the forms to respond and schedule it.
#[derive(Template, WebTemplate)]
#[template(path = "proposal.html")]
pub struct ProposalPage {
    pub page: Page,
    pub footprint: Footprint,
    pub proposal: Proposal,
    pub body: Body,
    pub status: &'static str,
    pub meeting: Option<Meeting>,
    pub subjects: Vec<String>,
    pub areas: Vec<String>,
    pub groups: Vec<String>,
    pub effect: String,
    pub pack: Pack,
    pub members: Vec<Member>,
    pub responses: Vec<MemberResponse>,
    /// The members the viewer may respond for: (member id, organisation).
    pub speaks_for: Vec<(i64, String)>,
    pub open: bool,
    pub can_propose: bool,
    pub can_manage: bool,
    /// Meetings of the body not yet closed: (id, words).
    pub meetings: Vec<(i64, String)>,
    pub documents: Vec<Document>,
    pub decision: Option<i64>,
    pub supersedes: Option<(i64, String)>,
    pub fields: Fields,
}

impl ProposalPage {
    /// A form value.
    pub fn field(&self, k: &str) -> &str {
        self.fields.get(k).map_or("", |s| s.as_str())
    }

    /// Whether the proposal is on this meeting's agenda.
    pub fn on_meeting(&self, id: &i64) -> bool {
        self.proposal.meeting_id == Some(*id)
    }

    /// A member's response, if recorded.
    pub fn response_of(&self, member: &i64) -> Option<&MemberResponse> {
        self.responses.iter().find(|r| r.member_id == *member)
    }
}

async fn proposal_view(
    state: &AppState,
    viewer: &Viewer,
    f: Footprint,
    p: Proposal,
    errors: Vec<FieldError>,
    fields: Fields,
) -> Result<ProposalPage, AppError> {
    let body = state.store.body(p.body_id).await?.ok_or(AppError::NotFound)?;
    let meeting = match p.meeting_id {
        Some(m) => state.store.meeting(m).await?,
        None => None,
    };
    let members = state.store.members(body.id).await?;
    let responses = state.store.proposal_responses(p.id).await?;
    let open = !p.decided && meeting.as_ref().is_some_and(|m| m.closed_at.is_none());
    let speaks_for = match &viewer.user {
        Some(u) if open => members
            .iter()
            .filter(|m| m.speaks_for(u.id))
            .map(|m| (m.id, m.organisation.clone()))
            .collect(),
        _ => Vec::new(),
    };
    let areas_of = match crate::routes::plans::current(state, viewer, &f).await {
        Ok(v) => Some(Areas::of(&crate::routes::plans::document(&v)?)),
        Err(AppError::NotFound) => None,
        Err(e) => return Err(e),
    };
    let name = |id: &String| areas_of.as_ref().and_then(|a| a.name(id)).unwrap_or_else(|| id.clone());
    let mut areas: Vec<String> = p.priorities.iter().map(name).collect();
    areas.extend(p.initiatives.iter().map(name));
    let all_groups = state.store.groups(f.id).await?;
    let groups = all_groups
        .iter()
        .filter(|g| p.affected_groups.contains(&g.id))
        .map(|g| g.name.clone())
        .collect();
    let meetings = if viewer.can(Action::ManageGovernance(f.id)) && !p.decided {
        state
            .store
            .meetings(body.id)
            .await?
            .into_iter()
            .filter(|m| m.closed_at.is_none())
            .map(|m| (m.id, format!("{} ({})", m.title, long_date(&m.held_on))))
            .collect()
    } else {
        Vec::new()
    };
    let decision = if p.decided {
        state
            .store
            .decisions(f.id)
            .await?
            .into_iter()
            .find(|d| d.proposal_id == p.id)
            .map(|d| d.id)
    } else {
        None
    };
    let readers = confidential_readers(state, viewer, &f).await?;
    let supersedes = match p.supersedes_id {
        Some(d) => state.store.decision(d).await?.map(|d| {
            let hidden = d.confidential && !readers.get(&d.body_id).copied().unwrap_or(false);
            (
                d.id,
                if hidden {
                    "a confidential decision".to_string()
                } else {
                    d.title
                },
            )
        }),
        None => None,
    };
    let pack = pack(&state.store, &f, &p).await?;
    Ok(ProposalPage {
        page: Page::new(format!("{} – proposal", p.title), viewer, "footprints").with_errors(errors),
        status: p.status().label(),
        subjects: p.subjects.iter().map(|s| gov::subject_label(s).to_string()).collect(),
        areas,
        groups,
        effect: p.effect.words(),
        pack,
        speaks_for,
        open,
        can_propose: viewer.can(Action::Propose(f.id)) && !p.decided && responses.is_empty(),
        can_manage: viewer.can(Action::ManageGovernance(f.id)),
        meetings,
        documents: state.store.proposal_documents(p.id).await?,
        decision,
        supersedes,
        members,
        responses,
        fields,
        meeting,
        body,
        proposal: p,
        footprint: f,
    })
}

async fn proposal_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id)): Path<(String, String)>,
) -> Result<ProposalPage, AppError> {
    let f = footprint(&state, &code).await?;
    let p = readable(&state, &viewer, &f, &id).await?;
    proposal_view(&state, &viewer, f, p, Vec::new(), Fields::new()).await
}

async fn respond(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id)): Path<(String, String)>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let user = viewer.signed_in()?.clone();
    let f = footprint(&state, &code).await?;
    let p = readable(&state, &viewer, &f, &id).await?;
    let mut errors = Vec::new();
    let member = one(&form, "member").parse::<i64>();
    if member.is_err() {
        errors.push(FieldError::new(
            "member",
            "Choose the organisation you are responding for",
        ));
    }
    let answer = Answer::parse(&one(&form, "response"), &one(&form, "reason"));
    if let Err(e) = &answer {
        let field = if one(&form, "response").is_empty() {
            "response"
        } else {
            "reason"
        };
        errors.push(FieldError::new(field, e.0.clone()));
    }
    if let (Ok(member), Ok(answer)) = (member, &answer) {
        match state
            .store
            .respond_to_proposal(&viewer.who(), user.id, p.id, member, answer)
            .await
        {
            Ok(()) => {
                return Ok(Redirect::to(&format!(
                    "/footprints/{}/decisions/proposals/{}?responded=1#responses",
                    f.code, p.id
                ))
                .into_response());
            }
            Err(e) => errors = conflict(e.into())?,
        }
    }
    let status = if errors
        .iter()
        .any(|e| e.field == "response" && one(&form, "response").is_empty())
    {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else if errors.iter().any(|e| e.field == "response") {
        axum::http::StatusCode::CONFLICT
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut page = proposal_view(&state, &viewer, f, p, errors, fields(&form)).await?;
    if page.speaks_for.is_empty() {
        // No response form on the page: point the error at the responses.
        for e in &mut page.page.errors {
            e.field = "responses".into();
        }
    }
    Ok((status, page).into_response())
}

async fn schedule(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id)): Path<(String, String)>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::ManageGovernance(f.id))?;
    let p = readable(&state, &viewer, &f, &id).await?;
    let meeting = one(&form, "meeting").parse::<i64>().ok();
    match state.store.schedule_proposal(&viewer.who(), p.id, meeting).await {
        Ok(()) => Ok(Redirect::to(&format!("/footprints/{}/decisions/proposals/{}", f.code, p.id)).into_response()),
        Err(e) => {
            let errors = conflict(e.into())?;
            Ok((
                axum::http::StatusCode::CONFLICT,
                proposal_view(&state, &viewer, f, p, errors, fields(&form)).await?,
            )
                .into_response())
        }
    }
}

async fn proposal_document(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id)): Path<(String, String)>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::Propose(f.id))?;
    let p = readable(&state, &viewer, &f, &id).await?;
    let form = read_multipart(multipart).await?;
    let attach = GovernanceDocument::ProposalPaper(p.id);
    let Err(errors) = add_document(&state, &viewer, &form, "Paper", attach).await? else {
        return Ok(
            Redirect::to(&format!("/footprints/{}/decisions/proposals/{}#papers", f.code, p.id)).into_response(),
        );
    };
    Ok(proposal_view(&state, &viewer, f, p, errors, Fields::new())
        .await?
        .into_response())
}

// ---------------------------------------------------------------------------------------------
// The register

/// A decision as the register lists it: confidential ones only say that they were taken.
pub struct RegisterRow {
    pub href: String,
    pub title: String,
    pub date: String,
    pub body: String,
    pub outcome: &'static str,
    pub tag: &'static str,
    pub dissent: usize,
    pub superseded_by: Option<i64>,
    pub confidential: bool,
    pub hidden: bool,
}

fn outcome_tag(o: &Outcome) -> &'static str {
    match o {
        Outcome::Carried => "nhsuk-tag--green",
        Outcome::NotCarried | Outcome::ConsentMissing => "nhsuk-tag--orange",
        Outcome::Blocked => "nhsuk-tag--red",
        Outcome::NoQuorum => "nhsuk-tag--grey",
    }
}

/// The public decision register.
#[derive(Template, WebTemplate)]
#[template(path = "decisions.html")]
pub struct RegisterPage {
    pub page: Page,
    pub footprint: Footprint,
    pub rows: Vec<RegisterRow>,
    /// Proposals in progress the viewer may read: (href, title, status, body).
    pub proposals: Vec<(String, String, &'static str, String)>,
    pub can_propose: bool,
    pub has_bodies: bool,
}

pub async fn confidential_readers(
    state: &AppState,
    viewer: &Viewer,
    f: &Footprint,
) -> Result<HashMap<i64, bool>, AppError> {
    let mut out = HashMap::new();
    for b in state.store.bodies(f.id).await? {
        let members = state.store.members(b.id).await?;
        out.insert(b.id, reads_confidential(viewer, f, &members));
    }
    Ok(out)
}

fn register_rows(f: &Footprint, decisions: &[DecisionRecord], readers: &HashMap<i64, bool>) -> Vec<RegisterRow> {
    decisions
        .iter()
        .map(|d| {
            let hidden = d.confidential && !readers.get(&d.body_id).copied().unwrap_or(false);
            RegisterRow {
                href: format!("/footprints/{}/decisions/{}", f.code, d.id),
                title: if hidden {
                    "Confidential decision".into()
                } else {
                    d.title.clone()
                },
                date: long_date(&d.decided_on),
                body: d.body.clone(),
                outcome: if hidden { "Confidential" } else { d.outcome.label() },
                tag: if hidden {
                    "nhsuk-tag--grey"
                } else {
                    outcome_tag(&d.outcome)
                },
                dissent: if hidden { 0 } else { d.dissented.len() },
                superseded_by: d.superseded_by,
                confidential: d.confidential,
                hidden,
            }
        })
        .collect()
}

async fn register(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<RegisterPage, AppError> {
    let f = footprint(&state, &code).await?;
    let readers = confidential_readers(&state, &viewer, &f).await?;
    let decisions = state.store.decisions(f.id).await?;
    let rows = register_rows(&f, &decisions, &readers);
    let bodies = state.store.bodies(f.id).await?;
    let mut proposals = Vec::new();
    for p in state.store.proposals(f.id).await? {
        if p.decided || !may_read(&state, &viewer, &f, &p).await? {
            continue;
        }
        let body = bodies
            .iter()
            .find(|b| b.id == p.body_id)
            .map_or_else(String::new, |b| b.name.clone());
        proposals.push((
            format!("/footprints/{}/decisions/proposals/{}", f.code, p.id),
            p.title.clone(),
            p.status().label(),
            body,
        ));
    }
    Ok(RegisterPage {
        page: Page::new(format!("Decisions – {}", f.name), &viewer, "footprints"),
        can_propose: viewer.can(Action::Propose(f.id)),
        has_bodies: !bodies.is_empty(),
        rows,
        proposals,
        footprint: f,
    })
}

/// The register as an Atom feed (what the public may read).
async fn atom(State(state): State<AppState>, Path(code): Path<String>) -> Result<Response, AppError> {
    let f = footprint(&state, &code).await?;
    let decisions = state.store.decisions(f.id).await?;
    let updated = decisions.iter().map(|d| d.created_at).max().unwrap_or(0);
    let stamp = |ms: i64| {
        footprint_store::datetime(ms)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    out.push_str(&format!(
        "<title>Decisions – {}</title>\n<id>urn:footprint:{}:decisions</id>\n<updated>{}</updated>\n\
         <link rel=\"self\" href=\"/footprints/{}/decisions.atom\"/>\n<link rel=\"alternate\" href=\"/footprints/{}/decisions\"/>\n",
        esc(&f.name),
        esc(&f.code),
        stamp(updated),
        esc(&f.code),
        esc(&f.code)
    ));
    for d in &decisions {
        let (title, summary) = if d.confidential {
            (
                format!("Confidential decision of {}", d.body),
                format!(
                    "{} took a confidential decision on {}.",
                    d.body,
                    long_date(&d.decided_on)
                ),
            )
        } else {
            let mut s = format!("{}: {}.", d.outcome.label(), d.reasons.join("; "));
            if !d.dissented.is_empty() {
                s.push_str(&format!(
                    " Dissent: {}.",
                    d.dissented
                        .iter()
                        .map(|(o, why)| format!("{o} ({why})"))
                        .collect::<Vec<_>>()
                        .join("; ")
                ));
            }
            (format!("{} – {}", d.title, d.outcome.label()), s)
        };
        out.push_str(&format!(
            "<entry>\n<title>{}</title>\n<id>urn:footprint:{}:decision:{}</id>\n<updated>{}</updated>\n\
             <link href=\"/footprints/{}/decisions/{}\"/>\n<author><name>{}</name></author>\n<summary>{}</summary>\n</entry>\n",
            esc(&title),
            esc(&f.code),
            d.id,
            stamp(d.created_at),
            esc(&f.code),
            d.id,
            esc(&d.body),
            esc(&summary)
        ));
    }
    out.push_str("</feed>\n");
    Ok(([(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")], out).into_response())
}

// ---------------------------------------------------------------------------------------------
// A decision

/// A decision: outcome, who agreed and dissented, the pack it rested on, its conditions and
/// actions, and what it supersedes or is superseded by.
#[derive(Template, WebTemplate)]
#[template(path = "decision.html")]
pub struct DecisionPage {
    pub page: Page,
    pub footprint: Footprint,
    pub decision: DecisionRecord,
    pub hidden: bool,
    pub date: String,
    pub outcome_tag: &'static str,
    pub proposal: Option<Proposal>,
    pub pack: Pack,
    pub meeting: Option<Meeting>,
    pub documents: Vec<Document>,
    pub actions: Vec<ActionItem>,
    pub can_manage: bool,
    pub partners: Vec<(i64, String)>,
    pub people: Vec<(i64, String)>,
    pub supersedes: Option<(i64, String)>,
    pub superseded_by: Option<(i64, String)>,
    pub fields: Fields,
}

impl DecisionPage {
    /// A form value.
    pub fn field(&self, k: &str) -> &str {
        self.fields.get(k).map_or("", |s| s.as_str())
    }
}

async fn decision_view(
    state: &AppState,
    viewer: &Viewer,
    f: Footprint,
    d: DecisionRecord,
    errors: Vec<FieldError>,
    fields: Fields,
) -> Result<DecisionPage, AppError> {
    let members = state.store.members(d.body_id).await?;
    let hidden = d.confidential && !reads_confidential(viewer, &f, &members);
    let pack: Pack = serde_json::from_value(d.pack.clone()).unwrap_or_default();
    let can_manage = viewer.can(Action::ManageGovernance(f.id));
    let (partners, people) = if can_manage && !hidden {
        let partners = state
            .store
            .partners(f.id)
            .await?
            .into_iter()
            .map(|p| (p.organisation.id, p.organisation.name))
            .collect();
        let people = state
            .store
            .footprint_people(f.id)
            .await?
            .into_iter()
            .map(|(u, _)| (u.id, u.display_name))
            .fold(Vec::<(i64, String)>::new(), |mut acc, p| {
                if !acc.iter().any(|a| a.0 == p.0) {
                    acc.push(p);
                }
                acc
            });
        (partners, people)
    } else {
        (Vec::new(), Vec::new())
    };
    let readers = confidential_readers(state, viewer, &f).await?;
    let title_of = |d: Option<DecisionRecord>| {
        d.map(|d| {
            let t = if d.confidential && !readers.get(&d.body_id).copied().unwrap_or(false) {
                "a confidential decision".to_string()
            } else {
                d.title
            };
            (d.id, t)
        })
    };
    let supersedes = match d.supersedes_id {
        Some(s) => title_of(state.store.decision(s).await?),
        None => None,
    };
    let superseded_by = match d.superseded_by {
        Some(s) => title_of(state.store.decision(s).await?),
        None => None,
    };
    let actions = if hidden {
        Vec::new()
    } else {
        state
            .store
            .actions(f.id)
            .await?
            .into_iter()
            .filter(|a| a.decision_id == Some(d.id))
            .collect()
    };
    Ok(DecisionPage {
        page: Page::new(
            if hidden {
                format!("Confidential decision – {}", f.name)
            } else {
                format!("{} – decision", d.title)
            },
            viewer,
            "footprints",
        )
        .with_errors(errors),
        date: long_date(&d.decided_on),
        outcome_tag: outcome_tag(&d.outcome),
        proposal: if hidden {
            None
        } else {
            state.store.proposal(d.proposal_id).await?
        },
        pack: if hidden { Pack::default() } else { pack },
        meeting: state.store.meeting(d.meeting_id).await?,
        documents: if hidden {
            Vec::new()
        } else {
            state.store.proposal_documents(d.proposal_id).await?
        },
        actions,
        can_manage: can_manage && !hidden,
        partners,
        people,
        supersedes,
        superseded_by,
        fields,
        hidden,
        decision: d,
        footprint: f,
    })
}

async fn decision_of(state: &AppState, f: &Footprint, id: &str) -> Result<DecisionRecord, AppError> {
    let d = state.store.decision(id_of(id)?).await?.ok_or(AppError::NotFound)?;
    if d.footprint_id != f.id {
        return Err(AppError::NotFound);
    }
    Ok(d)
}

async fn decision_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id)): Path<(String, String)>,
) -> Result<DecisionPage, AppError> {
    let f = footprint(&state, &code).await?;
    let d = decision_of(&state, &f, &id).await?;
    let mut fields = Fields::new();
    fields.insert("kind".into(), "action".into());
    decision_view(&state, &viewer, f, d, Vec::new(), fields).await
}

async fn add_action(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id)): Path<(String, String)>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::ManageGovernance(f.id))?;
    let d = decision_of(&state, &f, &id).await?;
    let mut errors = Vec::new();
    let due = footprint_domain::consultation::date_from_parts(
        &one(&form, "due_day"),
        &one(&form, "due_month"),
        &one(&form, "due_year"),
        "the due date",
    );
    if let Err(e) = &due {
        errors.push(FieldError::new("due_day", e.0.clone()));
    }
    if one(&form, "action_title").is_empty() {
        errors.push(FieldError::new("action_title", "Say what is to be done"));
    }
    let organisation_id = one(&form, "organisation").parse().ok();
    let owner_id = one(&form, "owner").parse().ok();
    if organisation_id.is_none() && owner_id.is_none() {
        errors.push(FieldError::new(
            "organisation",
            "Choose who owns it: an organisation, a person or both",
        ));
    }
    if errors.is_empty() {
        let input = ActionInput {
            decision_id: Some(d.id),
            kind: if one(&form, "kind") == "condition" {
                "condition".into()
            } else {
                "action".into()
            },
            title: one(&form, "action_title"),
            organisation_id,
            owner_id,
            due_on: due.unwrap_or_default(),
        };
        match state.store.add_action(&viewer.who(), f.id, &input).await {
            Ok(_) => {
                return Ok(Redirect::to(&format!("/footprints/{}/decisions/{}#actions", f.code, d.id)).into_response());
            }
            Err(e) => errors = conflict(e.into())?,
        }
    }
    Ok(decision_view(&state, &viewer, f, d, errors, fields(&form))
        .await?
        .into_response())
}

/// Words for a response, for templates.
pub fn response_words(r: &MemberResponse) -> String {
    match &r.response {
        Answer::Object(why) | Answer::Block(why) => format!("{}: {why}", r.response.label()),
        other => other.label().to_string(),
    }
}
