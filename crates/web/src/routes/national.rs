//! National guidance and submissions: national assurance writes guidance in versions (each
//! requirement with its deadline; what changed is listed in plain words) and rates footprints'
//! submissions with reasons; each footprint sees its checklist, what changed since its people
//! last looked, its submissions and the feedback on them.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use footprint_domain::access::Action;
use footprint_domain::consultation::{date_from_parts, long_date};
use footprint_domain::guidance::{Rating, Requirement, Standing, changes};
use footprint_store::footprints::Footprint;
use footprint_store::national::{GuidanceVersion, Submission};

use crate::AppState;
use crate::auth::Viewer;
use crate::error::{AppError, FieldError};
use crate::page::{Page, when};
use crate::routes::consultations::today;
use crate::routes::footprints::footprint;
use crate::routes::{Pairs, conflict_errors as conflict, one};

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/national/guidance", get(guidance_page).post(start))
        .route("/national/guidance/{id}/requirements", post(save_requirement))
        .route(
            "/national/guidance/{id}/requirements/{key}/remove",
            post(remove_requirement),
        )
        .route("/national/guidance/{id}/publish", post(publish))
        .route("/national/submissions", get(all_submissions))
        .route("/footprints/{code}/submissions", get(footprint_page).post(submit))
        .route("/footprints/{code}/submissions/checklist", post(checklist))
        .route("/footprints/{code}/submissions/{id}", get(submission_page))
        .route("/footprints/{code}/submissions/{id}/feedback", post(feedback))
}

/// A requirement as the pages show it.
pub struct RequirementView {
    pub req: Requirement,
    pub due: String,
    /// The deadline's day, month and year, for the edit form.
    pub parts: (String, String, String),
}

fn views(list: Vec<Requirement>) -> Vec<RequirementView> {
    list.into_iter()
        .map(|r| RequirementView {
            due: r.due_on.as_deref().map_or_else(|| "No deadline".to_string(), long_date),
            parts: r
                .due_on
                .as_deref()
                .and_then(footprint_domain::consultation::parse_date)
                .map(|d| {
                    (
                        d.day().to_string(),
                        u8::from(d.month()).to_string(),
                        d.year().to_string(),
                    )
                })
                .unwrap_or_default(),
            req: r,
        })
        .collect()
}

/// A published version with what changed in it.
pub struct VersionView {
    pub version: GuidanceVersion,
    pub published: String,
    pub changes: Vec<String>,
}

/// The guidance page.
#[derive(Template, WebTemplate)]
#[template(path = "guidance.html")]
pub struct GuidancePage {
    pub page: Page,
    pub current: Option<(GuidanceVersion, Vec<RequirementView>)>,
    pub history: Vec<VersionView>,
    pub draft: Option<(GuidanceVersion, Vec<RequirementView>, Vec<String>)>,
    pub can_manage: bool,
    pub fields: HashMap<String, String>,
}

impl GuidancePage {
    /// A form value.
    pub fn field(&self, k: &str) -> &str {
        self.fields.get(k).map_or("", |s| s.as_str())
    }
}

async fn guidance_view(
    state: &AppState,
    viewer: &Viewer,
    errors: Vec<FieldError>,
    fields: HashMap<String, String>,
) -> Result<GuidancePage, AppError> {
    let can_manage = viewer.can(Action::ManageGuidance);
    let versions = state.store.guidance_versions().await?;
    let mut history = Vec::new();
    let mut previous: Vec<Requirement> = Vec::new();
    let mut current = None;
    let mut draft = None;
    // Oldest first, so that each version's changes are against the one before.
    for v in versions.iter().rev() {
        let reqs = state.store.requirements(v.id).await?;
        match &v.published_on {
            Some(on) => {
                history.push(VersionView {
                    published: long_date(on),
                    changes: if v.number == 1 {
                        Vec::new()
                    } else {
                        changes(&previous, &reqs)
                    },
                    version: v.clone(),
                });
                previous = reqs.clone();
                current = Some((v.clone(), views(reqs)));
            }
            None if can_manage => {
                let c = changes(&previous, &reqs);
                draft = Some((v.clone(), views(reqs), c));
            }
            None => {}
        }
    }
    history.reverse();
    Ok(GuidancePage {
        page: Page::new("National guidance", viewer, "national").with_errors(errors),
        current,
        history,
        draft,
        can_manage,
        fields,
    })
}

async fn guidance_page(State(state): State<AppState>, viewer: Viewer) -> Result<GuidancePage, AppError> {
    guidance_view(&state, &viewer, Vec::new(), HashMap::new()).await
}

async fn start(State(state): State<AppState>, viewer: Viewer, Form(form): Form<Pairs>) -> Result<Response, AppError> {
    viewer.require(Action::ManageGuidance)?;
    match state
        .store
        .start_guidance(&viewer.who(), &one(&form, "title"), &one(&form, "summary"))
        .await
    {
        Ok(_) => Ok(Redirect::to("/national/guidance#draft").into_response()),
        Err(e) => {
            let errors = conflict(e.into())?;
            Ok(guidance_view(&state, &viewer, errors, form.into_iter().collect())
                .await?
                .into_response())
        }
    }
}

async fn save_requirement(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    viewer.require(Action::ManageGuidance)?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let mut errors = Vec::new();
    let (d, m, y) = (one(&form, "due_day"), one(&form, "due_month"), one(&form, "due_year"));
    let due_on = if d.is_empty() && m.is_empty() && y.is_empty() {
        None
    } else {
        match date_from_parts(&d, &m, &y, "the deadline") {
            Ok(date) => Some(date),
            Err(e) => {
                errors.push(FieldError::new("due_day", e.0));
                None
            }
        }
    };
    if errors.is_empty() {
        let r = Requirement {
            key: one(&form, "key"),
            title: one(&form, "requirement_title"),
            detail: one(&form, "detail"),
            due_on,
            submission: one(&form, "submission") == "yes",
        };
        match state.store.save_requirement(&viewer.who(), id, &r).await {
            Ok(_) => return Ok(Redirect::to("/national/guidance#draft").into_response()),
            Err(e) => errors = conflict(e.into())?,
        }
    }
    Ok(guidance_view(&state, &viewer, errors, form.into_iter().collect())
        .await?
        .into_response())
}

async fn remove_requirement(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, key)): Path<(String, String)>,
) -> Result<Response, AppError> {
    viewer.require(Action::ManageGuidance)?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    state.store.remove_requirement(&viewer.who(), id, &key).await?;
    Ok(Redirect::to("/national/guidance#draft").into_response())
}

async fn publish(State(state): State<AppState>, viewer: Viewer, Path(id): Path<String>) -> Result<Response, AppError> {
    viewer.require(Action::ManageGuidance)?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    match state.store.publish_guidance(&viewer.who(), id, &today()).await {
        Ok(()) => Ok(Redirect::to("/national/guidance").into_response()),
        Err(e) => {
            let errors = conflict(e.into())?;
            Ok(guidance_view(&state, &viewer, errors, HashMap::new())
                .await?
                .into_response())
        }
    }
}

/// A requirement on a footprint's checklist.
pub struct ChecklistRow {
    pub req: Requirement,
    pub due: String,
    pub standing: Standing,
    pub done: String,
    /// Submissions against it: (href, words).
    pub submissions: Vec<(String, String)>,
}

/// A submission as listed: its link, words, and its latest rating.
pub struct SubmissionRow {
    pub href: String,
    pub footprint: String,
    pub what: String,
    pub when: String,
    pub rating: Option<Rating>,
}

/// A footprint's guidance, checklist and submissions.
#[derive(Template, WebTemplate)]
#[template(path = "submissions.html")]
pub struct FootprintSubmissionsPage {
    pub page: Page,
    pub footprint: Footprint,
    pub guidance: Option<GuidanceVersion>,
    pub checklist: Vec<ChecklistRow>,
    /// What changed since the viewer last looked: (since version, changes).
    pub changed: Option<(i64, Vec<String>)>,
    pub submissions: Vec<SubmissionRow>,
    pub can_submit: bool,
    /// Numbered plan versions: (number, words).
    pub versions: Vec<(i64, String)>,
    pub fields: HashMap<String, String>,
}

impl FootprintSubmissionsPage {
    /// A form value.
    pub fn field(&self, k: &str) -> &str {
        self.fields.get(k).map_or("", |s| s.as_str())
    }
}

/// ", on time" or ", after the deadline" for a submission made at `at` (ms since 1970).
fn on_time(due: Option<&str>, at: i64) -> &'static str {
    let Some(due) = due else { return "" };
    let day = footprint_domain::consultation::iso(footprint_store::datetime(at).date());
    if day.as_str() <= due {
        ", on time"
    } else {
        ", after the deadline"
    }
}

fn title_of(reqs: &[Requirement], key: &str) -> String {
    reqs.iter()
        .find(|r| r.key == key)
        .map_or_else(|| key.to_string(), |r| r.title.clone())
}

async fn footprint_view(
    state: &AppState,
    viewer: &Viewer,
    f: Footprint,
    errors: Vec<FieldError>,
    fields: HashMap<String, String>,
) -> Result<FootprintSubmissionsPage, AppError> {
    viewer.require(Action::ViewFootprintPrivate(f.id))?;
    let today = today();
    let current = state.store.current_guidance().await?;
    let done = state.store.checklist(f.id).await?;
    let submissions = state.store.submissions(f.id).await?;
    let reqs: Vec<Requirement> = current.as_ref().map(|c| c.1.clone()).unwrap_or_default();
    let checklist = reqs
        .iter()
        .map(|r| {
            let subs: Vec<&Submission> = submissions.iter().filter(|s| s.requirement_key == r.key).collect();
            let marked = done.iter().find(|d| d.0 == r.key);
            // A submission answers the version it was made against: after new guidance, the
            // requirement is done again only when submitted against the current version.
            let current_number = current.as_ref().map_or(0, |c| c.0.number);
            let is_done = if r.submission {
                subs.iter().any(|s| s.guidance_number == current_number)
            } else {
                marked.is_some()
            };
            ChecklistRow {
                due: r.due_on.as_deref().map_or_else(|| "No deadline".to_string(), long_date),
                standing: Standing::of(is_done, r.due_on.as_deref(), &today),
                done: marked
                    .map(|m| format!("Done on {}. {}", long_date(&m.1), m.2))
                    .unwrap_or_default(),
                submissions: subs
                    .iter()
                    .map(|s| {
                        (
                            format!("/footprints/{}/submissions/{}", f.code, s.id),
                            format!(
                                "Plan version {} on {}{}",
                                s.plan_number,
                                when(&s.submitted_at),
                                on_time(r.due_on.as_deref(), s.submitted_at)
                            ),
                        )
                    })
                    .collect(),
                req: r.clone(),
            }
        })
        .collect();
    // What changed since this person last looked (then remember that they have).
    let mut changed = None;
    if let (Some(user), Some((v, reqs_now))) = (&viewer.user, &current) {
        let seen = state.store.guidance_seen(user.id, f.id).await?;
        if let Some(seen) = seen.filter(|s| *s < v.number) {
            let old = state
                .store
                .guidance_versions()
                .await?
                .into_iter()
                .find(|g| g.number == seen && g.published_on.is_some());
            if let Some(old) = old {
                let before = state.store.requirements(old.id).await?;
                changed = Some((seen, changes(&before, reqs_now)));
            }
        }
        if seen != Some(v.number) {
            state.store.mark_guidance_seen(user.id, f.id, v.number).await?;
        }
    }
    let versions = state
        .store
        .plan_versions(f.id)
        .await?
        .into_iter()
        .filter_map(|v| v.number.map(|n| (n, format!("Version {n}"))))
        .collect();
    Ok(FootprintSubmissionsPage {
        page: Page::new(format!("Submissions – {}", f.name), viewer, "footprints").with_errors(errors),
        guidance: current.map(|c| c.0),
        checklist,
        changed,
        submissions: submissions
            .iter()
            .map(|s| SubmissionRow {
                href: format!("/footprints/{}/submissions/{}", f.code, s.id),
                footprint: f.name.clone(),
                what: format!(
                    "Plan version {} for \"{}\"",
                    s.plan_number,
                    title_of(&reqs, &s.requirement_key)
                ),
                when: when(&s.submitted_at),
                rating: s.feedback.last().map(|fb| fb.rating),
            })
            .collect(),
        can_submit: viewer.can(Action::PublishPlan(f.id)),
        versions,
        fields,
        footprint: f,
    })
}

async fn footprint_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<FootprintSubmissionsPage, AppError> {
    let f = footprint(&state, &code).await?;
    footprint_view(&state, &viewer, f, Vec::new(), HashMap::new()).await
}

async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::PublishPlan(f.id))?;
    let errors = match one(&form, "plan").parse::<i64>() {
        Ok(n) => match state
            .store
            .submit_plan(&viewer.who(), f.id, n, &one(&form, "requirement"), &one(&form, "note"))
            .await
        {
            Ok(id) => {
                return Ok(Redirect::to(&format!("/footprints/{}/submissions/{id}", f.code)).into_response());
            }
            Err(e) => conflict(e.into())?,
        },
        Err(_) => vec![FieldError::new(
            "plan",
            "Choose a submitted or published version of the plan",
        )],
    };
    Ok(footprint_view(&state, &viewer, f, errors, form.into_iter().collect())
        .await?
        .into_response())
}

async fn checklist(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::PublishPlan(f.id))?;
    let key = one(&form, "key");
    let known = state
        .store
        .current_guidance()
        .await?
        .is_some_and(|(_, reqs)| reqs.iter().any(|r| r.key == key && !r.submission));
    if !known {
        return Err(AppError::Invalid(vec![FieldError::new(
            "checklist",
            "Choose a requirement of the current guidance that is not met by a submission",
        )]));
    }
    let done = (one(&form, "done") == "yes").then(today);
    state
        .store
        .set_checklist(&viewer.who(), f.id, &key, done.as_deref(), &one(&form, "note"))
        .await?;
    Ok(Redirect::to(&format!("/footprints/{}/submissions#checklist", f.code)).into_response())
}

/// One submission with its feedback.
#[derive(Template, WebTemplate)]
#[template(path = "submission.html")]
pub struct SubmissionPage {
    pub page: Page,
    pub footprint: Footprint,
    pub submission: Submission,
    pub requirement: String,
    pub when: String,
    pub can_assure: bool,
    pub ratings: Vec<(&'static str, &'static str)>,
    pub fields: HashMap<String, String>,
}

impl SubmissionPage {
    /// A form value.
    pub fn field(&self, k: &str) -> &str {
        self.fields.get(k).map_or("", |s| s.as_str())
    }
}

async fn submission_view(
    state: &AppState,
    viewer: &Viewer,
    f: Footprint,
    id: &str,
    errors: Vec<FieldError>,
    fields: HashMap<String, String>,
) -> Result<SubmissionPage, AppError> {
    viewer.require(Action::ViewFootprintPrivate(f.id))?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let submission = state
        .store
        .submissions(f.id)
        .await?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or(AppError::NotFound)?;
    let mut requirement = submission.requirement_key.clone();
    for v in state.store.guidance_versions().await? {
        if v.number == submission.guidance_number {
            requirement = title_of(&state.store.requirements(v.id).await?, &submission.requirement_key);
        }
    }
    Ok(SubmissionPage {
        page: Page::new(format!("Submission – {}", f.name), viewer, "footprints").with_errors(errors),
        when: when(&submission.submitted_at),
        requirement,
        can_assure: viewer.can(Action::AssureSubmissions),
        ratings: Rating::ALL.iter().map(|r| (r.key(), r.label())).collect(),
        submission,
        fields,
        footprint: f,
    })
}

async fn submission_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id)): Path<(String, String)>,
) -> Result<SubmissionPage, AppError> {
    let f = footprint(&state, &code).await?;
    submission_view(&state, &viewer, f, &id, Vec::new(), HashMap::new()).await
}

async fn feedback(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id)): Path<(String, String)>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    viewer.require(Action::AssureSubmissions)?;
    let f = footprint(&state, &code).await?;
    let sid: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    if !state.store.submissions(f.id).await?.iter().any(|s| s.id == sid) {
        return Err(AppError::NotFound);
    }
    let mut errors = Vec::new();
    let rating = Rating::parse(&one(&form, "rating")).map_err(|e| errors.push(FieldError::new("rating", e.0)));
    if one(&form, "reasons").is_empty() {
        errors.push(FieldError::new(
            "reasons",
            "Give the reasons for the rating: what it rests on besides the finances",
        ));
    }
    if let (true, Ok(rating)) = (errors.is_empty(), rating) {
        state
            .store
            .give_feedback(
                &viewer.who(),
                sid,
                rating,
                &one(&form, "reasons"),
                &one(&form, "feedback"),
            )
            .await?;
        return Ok(Redirect::to(&format!("/footprints/{}/submissions/{sid}#feedback-given", f.code)).into_response());
    }
    Ok(
        submission_view(&state, &viewer, f, &id, errors, form.into_iter().collect())
            .await?
            .into_response(),
    )
}

/// Every footprint's submissions, for national assurance.
#[derive(Template, WebTemplate)]
#[template(path = "submissions_all.html")]
pub struct AllSubmissionsPage {
    pub page: Page,
    /// ("Awaiting feedback", rows), ("Rated", rows).
    pub sections: Vec<(&'static str, Vec<SubmissionRow>)>,
}

async fn all_submissions(State(state): State<AppState>, viewer: Viewer) -> Result<AllSubmissionsPage, AppError> {
    viewer.require(Action::AssureSubmissions)?;
    let footprints: HashMap<i64, (String, String)> = state
        .store
        .footprints()
        .await?
        .into_iter()
        .map(|s| (s.footprint.id, (s.footprint.code, s.footprint.name)))
        .collect();
    let mut titles: HashMap<(i64, String), String> = HashMap::new();
    for v in state.store.guidance_versions().await? {
        for r in state.store.requirements(v.id).await? {
            titles.insert((v.number, r.key.clone()), r.title);
        }
    }
    let (mut waiting, mut rated) = (Vec::new(), Vec::new());
    for s in state.store.all_submissions().await? {
        let (code, name) = footprints.get(&s.footprint_id).cloned().unwrap_or_default();
        let row = SubmissionRow {
            href: format!("/footprints/{code}/submissions/{}", s.id),
            footprint: name,
            what: format!(
                "Plan version {} for \"{}\"",
                s.plan_number,
                titles
                    .get(&(s.guidance_number, s.requirement_key.clone()))
                    .cloned()
                    .unwrap_or(s.requirement_key.clone())
            ),
            when: when(&s.submitted_at),
            rating: s.feedback.last().map(|f| f.rating),
        };
        if row.rating.is_some() {
            rated.push(row);
        } else {
            waiting.push(row);
        }
    }
    Ok(AllSubmissionsPage {
        page: Page::new("Submissions", &viewer, "national"),
        sections: vec![("Awaiting feedback", waiting), ("Rated", rated)],
    })
}
