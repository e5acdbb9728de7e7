//! Public consultation: the programme office writes a consultation (background documents,
//! options with their stress-test effect, questions, dates) and publishes it; anyone responds
//! without an account; staff analyse the responses (counts, theme tags, CSV), publish them with
//! personal data removed, and publish "you said, we did". The Gunning principles are shown as
//! checks throughout.

use std::collections::HashMap;

use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use footprint_domain::access::Action;
use footprint_domain::consultation::{
    self as dc, Answer, FormValues, GunningFacts, OptionEffect, Question, QuestionKind, Stage, check_question,
    date_from_parts, long_date, read_answers, redact,
};
use footprint_store::StoreError;
use footprint_store::consultations::{Consultation, ConsultationInput, NewResponse, RateLimit, Received, Refused};
use footprint_store::footprints::Footprint;
use serde_json::json;
use sha2::Digest;

use crate::AppState;
use crate::auth::Viewer;
use crate::charts::percent;
use crate::error::{AppError, FieldError};
use crate::page::{
    AllConsultationsPage, AnalysisPage, ConsultationFormPage, ConsultationManagePage, ConsultationPage,
    ConsultationsPage, OptionView, QuestionSummary, ReceiptPage, RespondPage, ResponsePage, ResponseView,
};
use crate::routes::ClientAddr;
use crate::routes::engagement::{Areas, document_from, read_multipart};
use crate::routes::footprints::footprint;
use crate::routes::plans::document;

/// The routes.
pub fn router() -> Router<AppState> {
    let base = "/footprints/{code}/consultations";
    Router::new()
        .route("/consultations", get(all))
        .route(base, get(list))
        .route(&format!("{base}/new"), get(new_form).post(create))
        .route(&format!("{base}/{{id}}"), get(show))
        .route(&format!("{base}/{{id}}/manage"), get(manage))
        .route(&format!("{base}/{{id}}/details"), post(save_details))
        .route(&format!("{base}/{{id}}/options"), post(add_option))
        .route(&format!("{base}/{{id}}/questions"), post(add_question))
        .route(&format!("{base}/{{id}}/remove"), post(remove_part))
        .route(&format!("{base}/{{id}}/documents"), post(add_document))
        .route(&format!("{base}/{{id}}/publish"), post(publish))
        .route(&format!("{base}/{{id}}/outcome"), post(outcome))
        .route(&format!("{base}/{{id}}/respond"), get(respond_form).post(respond))
        .route(&format!("{base}/{{id}}/analysis"), get(analysis))
        .route(&format!("{base}/{{id}}/responses.csv"), get(responses_csv))
        .route(
            &format!("{base}/{{id}}/responses/{{rid}}"),
            get(response_page).post(response_action),
        )
}

/// Today, `YYYY-MM-DD` (UTC).
pub fn today() -> String {
    let now = time::OffsetDateTime::now_utc().date();
    dc::iso(now)
}

type Fields = HashMap<String, String>;

fn field(f: &Fields, k: &str) -> String {
    f.get(k).map_or("", |s| s.trim()).to_string()
}

/// A consultation of a footprint that the viewer may see: published ones by anyone, drafts by
/// the footprint's partners.
async fn visible(state: &AppState, viewer: &Viewer, f: &Footprint, id: &str) -> Result<Consultation, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let c = state.store.consultation(id).await?.ok_or(AppError::NotFound)?;
    if c.footprint_id != f.id {
        return Err(AppError::NotFound);
    }
    if c.published_at.is_none() && !viewer.can(Action::ViewFootprintPrivate(f.id)) {
        return Err(AppError::NotFound);
    }
    Ok(c)
}

/// The footprint and consultation for someone who runs the footprint's consultations.
async fn managed(
    state: &AppState,
    viewer: &Viewer,
    code: &str,
    id: &str,
) -> Result<(Footprint, Consultation), AppError> {
    let f = footprint(state, code).await?;
    viewer.require(Action::ManageConsultations(f.id))?;
    let c = visible(state, viewer, &f, id).await?;
    Ok((f, c))
}

/// The footprint and consultation for someone who analyses its responses.
async fn analysed(
    state: &AppState,
    viewer: &Viewer,
    code: &str,
    id: &str,
) -> Result<(Footprint, Consultation), AppError> {
    let f = footprint(state, code).await?;
    viewer.require(Action::AnalyseResponses(f.id))?;
    let c = visible(state, viewer, &f, id).await?;
    Ok((f, c))
}

fn href(f: &Footprint, c: &Consultation) -> String {
    format!("/footprints/{}/consultations/{}", f.code, c.id)
}

/// The plan areas a consultation can be about (the draft, for staff).
async fn areas(state: &AppState, viewer: &Viewer, f: &Footprint) -> Result<Option<Areas>, AppError> {
    match crate::routes::plans::current(state, viewer, f).await {
        Ok(v) => Ok(Some(Areas::of(&document(&v)?))),
        Err(AppError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

async fn all(State(state): State<AppState>, viewer: Viewer) -> Result<AllConsultationsPage, AppError> {
    let today = today();
    let mut open = Vec::new();
    let mut closed = Vec::new();
    for (c, code, name, responses) in state.store.published_consultations().await? {
        let stage = c.stage(&today);
        let row = (
            format!("/footprints/{code}/consultations/{}", c.id),
            c.title.clone(),
            name,
            long_date(&c.closes_on),
            stage.label(),
            stage.tag(),
            responses,
        );
        match stage {
            Stage::Open | Stage::Upcoming => open.push(row),
            _ => closed.push(row),
        }
    }
    Ok(AllConsultationsPage {
        page: Page::new("Consultations", &viewer, "consultations"),
        open,
        closed,
    })
}

use crate::page::Page;

async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<ConsultationsPage, AppError> {
    let f = footprint(&state, &code).await?;
    let today = today();
    let private = viewer.can(Action::ViewFootprintPrivate(f.id));
    let rows = state
        .store
        .consultations(f.id)
        .await?
        .into_iter()
        .filter(|(c, _)| private || c.published_at.is_some())
        .map(|(c, n)| {
            let stage = c.stage(&today);
            (
                href(&f, &c),
                c.title.clone(),
                format!("{} to {}", long_date(&c.opens_on), long_date(&c.closes_on)),
                stage.label(),
                stage.tag(),
                n,
            )
        })
        .collect();
    Ok(ConsultationsPage {
        page: Page::new(format!("Consultations – {}", f.name), &viewer, "footprints"),
        can_manage: viewer.can(Action::ManageConsultations(f.id)),
        rows,
        footprint: f,
    })
}

/// Reads the details form: errors name the fields.
fn details_from(form: &Fields, areas: Option<&Areas>) -> Result<ConsultationInput, Vec<FieldError>> {
    let mut errors = Vec::new();
    let title = field(form, "title");
    if title.is_empty() {
        errors.push(FieldError::new("title", "Enter the consultation's title"));
    } else if title.chars().count() > 200 {
        errors.push(FieldError::new("title", "The title must be 200 characters or fewer"));
    }
    let summary = field(form, "summary");
    if summary.is_empty() {
        errors.push(FieldError::new(
            "summary",
            "Say what the consultation is about, in plain words",
        ));
    } else if summary.chars().count() > 10_000 {
        errors.push(FieldError::new(
            "summary",
            "The summary must be 10,000 characters or fewer",
        ));
    }
    let area_id = field(form, "area");
    if !area_id.is_empty() && areas.is_none_or(|a| a.name(&area_id).is_none()) {
        errors.push(FieldError::new("area", "Choose a priority or initiative from the plan"));
    }
    let formal = field(form, "formal") != "no";
    let opens = date_from_parts(
        &field(form, "opens_day"),
        &field(form, "opens_month"),
        &field(form, "opens_year"),
        "the opening date",
    );
    let closes = date_from_parts(
        &field(form, "closes_day"),
        &field(form, "closes_month"),
        &field(form, "closes_year"),
        "the closing date",
    );
    let (opens_on, closes_on) = match (opens, closes) {
        (Ok(o), Ok(c)) => {
            if c < o {
                errors.push(FieldError::new(
                    "closes_day",
                    "The closing date must be on or after the opening date",
                ));
            }
            (o, c)
        }
        (o, c) => {
            if let Err(e) = &o {
                errors.push(FieldError::new("opens_day", e.0.clone()));
            }
            if let Err(e) = &c {
                errors.push(FieldError::new("closes_day", e.0.clone()));
            }
            (o.unwrap_or_default(), c.unwrap_or_default())
        }
    };
    let weeks_text = field(form, "min_weeks");
    let min_weeks = if weeks_text.is_empty() {
        dc::DEFAULT_FORMAL_WEEKS
    } else {
        match weeks_text.parse::<i64>() {
            Ok(w) if (1..=52).contains(&w) => w,
            _ => {
                errors.push(FieldError::new(
                    "min_weeks",
                    "Enter the minimum length as a whole number of weeks from 1 to 52",
                ));
                dc::DEFAULT_FORMAL_WEEKS
            }
        }
    };
    if errors.is_empty() {
        Ok(ConsultationInput {
            title,
            summary,
            area_id,
            formal,
            opens_on,
            closes_on,
            min_weeks,
        })
    } else {
        Err(errors)
    }
}

fn fields_of(c: &Consultation) -> Fields {
    let mut f = Fields::new();
    f.insert("title".into(), c.title.clone());
    f.insert("summary".into(), c.summary.clone());
    f.insert("area".into(), c.area_id.clone());
    f.insert("formal".into(), if c.formal { "yes" } else { "no" }.into());
    for (prefix, date) in [("opens", &c.opens_on), ("closes", &c.closes_on)] {
        if let Some(d) = dc::parse_date(date) {
            f.insert(format!("{prefix}_day"), d.day().to_string());
            f.insert(format!("{prefix}_month"), u8::from(d.month()).to_string());
            f.insert(format!("{prefix}_year"), d.year().to_string());
        }
    }
    f.insert("min_weeks".into(), c.min_weeks.to_string());
    f.insert("revision".into(), c.revision.to_string());
    f
}

fn area_choices(areas: Option<&Areas>) -> Vec<(String, String)> {
    let Some(a) = areas else { return Vec::new() };
    let mut out: Vec<(String, String)> = a
        .priorities
        .iter()
        .map(|p| (p.0.clone(), format!("Priority: {}", p.1)))
        .collect();
    out.extend(
        a.initiatives
            .iter()
            .map(|i| (i.0.clone(), format!("Initiative: {}", i.1))),
    );
    out
}

async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<ConsultationFormPage, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::ManageConsultations(f.id))?;
    let a = areas(&state, &viewer, &f).await?;
    let mut fields = Fields::new();
    fields.insert("formal".into(), "yes".into());
    fields.insert("min_weeks".into(), dc::DEFAULT_FORMAL_WEEKS.to_string());
    Ok(ConsultationFormPage {
        page: Page::new("Start a consultation", &viewer, "footprints"),
        action: format!("/footprints/{}/consultations/new", f.code),
        areas: area_choices(a.as_ref()),
        fields,
        footprint: f,
    })
}

async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Form(form): Form<Fields>,
) -> Result<Response, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::ManageConsultations(f.id))?;
    let a = areas(&state, &viewer, &f).await?;
    match details_from(&form, a.as_ref()) {
        Ok(input) => {
            let c = state.store.create_consultation(&viewer.who(), f.id, &input).await?;
            Ok(Redirect::to(&format!("{}/manage", href(&f, &c))).into_response())
        }
        Err(errors) => Ok(ConsultationFormPage {
            page: Page::new("Start a consultation", &viewer, "footprints").with_errors(errors),
            action: format!("/footprints/{}/consultations/new", f.code),
            areas: area_choices(a.as_ref()),
            fields: form,
            footprint: f,
        }
        .into_response()),
    }
}

/// The options as the public reads them, with their stress-test effect in words.
fn option_views(options: &[footprint_store::consultations::ConsultOption]) -> Vec<OptionView> {
    options
        .iter()
        .map(|o| OptionView {
            id: o.id,
            title: o.title.clone(),
            description: o.description.clone(),
            evidence: o.evidence.clone(),
            effect: o.effect.words(),
            result: o.result.as_ref().map(|r| effect_words(r, o.effect)),
        })
        .collect()
}

/// An option's stored stress-test result in words.
fn effect_words(r: &serde_json::Value, effect: OptionEffect) -> String {
    if let Some(e) = r.get("error").and_then(|e| e.as_str()) {
        return format!("Not worked out: {e}");
    }
    let num = |k: &str| r.get(k).and_then(serde_json::Value::as_f64).unwrap_or(0.0);
    if effect == OptionEffect::AsPlanned {
        return format!(
            "This is the plan as it stands: the footprint balances its books in {} in {} of the simulated futures.",
            r.get("year")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("the final year"),
            percent(num("p_balance_plan"))
        );
    }
    let year = r
        .get("year")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("the final year");
    let change = num("p_balance_change");
    let gap = num("gap_change");
    format!(
        "Chance the footprint balances its books in {}: {} with this option, against {} with the plan as it stands ({}{:.1} percentage points, standard error {:.1}). {}",
        year,
        percent(num("p_balance_option")),
        percent(num("p_balance_plan")),
        if change > 0.0 { "+" } else { "" },
        change * 100.0,
        num("se_p_balance_change") * 100.0,
        if gap.abs() < 0.05 {
            "The final-year gap is unchanged.".to_string()
        } else {
            format!(
                "The final-year gap is £{:.1}m {} on average (standard error £{:.1}m).",
                gap.abs(),
                if gap > 0.0 { "larger" } else { "smaller" },
                num("se_gap_change")
            )
        }
    )
}

async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id)): Path<(String, String)>,
) -> Result<ConsultationPage, AppError> {
    let f = footprint(&state, &code).await?;
    let c = visible(&state, &viewer, &f, &id).await?;
    let today = today();
    let stage = c.stage(&today);
    let documents = state.store.consultation_documents(c.id).await?;
    let options = state.store.options(c.id).await?;
    let questions = state.store.questions(c.id).await?;
    let count = state.store.response_count(c.id).await?;
    let published: Vec<Vec<(String, String)>> = state
        .store
        .published_responses(c.id)
        .await?
        .iter()
        .map(|answers| answers_view(&questions, answers))
        .collect();
    let area = match areas(&state, &viewer, &f).await? {
        Some(a) => a.name(&c.area_id),
        None => None,
    };
    Ok(ConsultationPage {
        page: Page::new(c.title.clone(), &viewer, "consultations"),
        stage: stage.label(),
        stage_tag: stage.tag(),
        open: stage == Stage::Open,
        opens_on: long_date(&c.opens_on),
        closes_on: long_date(&c.closes_on),
        documents: documents
            .iter()
            .map(|d| {
                let size = if d.file_name.is_none() {
                    String::new()
                } else if d.size < 1024 {
                    format!("{} bytes", d.size)
                } else {
                    format!("{} KB", d.size / 1024)
                };
                (d.href(), d.title.clone(), size)
            })
            .collect(),
        options: option_views(&options),
        questions: questions.len(),
        count: count as usize,
        published,
        area,
        can_manage: viewer.can(Action::ManageConsultations(f.id)),
        can_analyse: viewer.can(Action::AnalyseResponses(f.id)),
        you_said_we_did: (c.responded_on.is_some()).then(|| c.you_said_we_did.clone()),
        responded_on: c.responded_on.as_deref().map(long_date),
        consultation: c,
        footprint: f,
    })
}

fn answers_view(questions: &[Question], answers: &[(i64, Answer)]) -> Vec<(String, String)> {
    questions
        .iter()
        .filter_map(|q| {
            answers
                .iter()
                .find(|(id, _)| *id == q.id)
                .map(|(_, a)| (q.prompt.clone(), a.words()))
        })
        .collect()
}

/// The Gunning checks for a consultation.
async fn checks(state: &AppState, c: &Consultation) -> Result<Vec<dc::Check>, AppError> {
    let documents = state.store.consultation_documents(c.id).await?;
    let options = state.store.options(c.id).await?;
    Ok(dc::gunning(&GunningFacts {
        formal: c.formal,
        opens_on: c.opens_on.clone(),
        closes_on: c.closes_on.clone(),
        min_weeks: c.min_weeks,
        decided_on: c.decided_on.clone(),
        documents: documents.len(),
        options: options.len(),
        options_without_evidence: options
            .iter()
            .filter(|o| o.description.trim().is_empty() || o.evidence.trim().is_empty())
            .count(),
        responded_on: c.responded_on.clone(),
        today: today(),
    }))
}

async fn manage(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id)): Path<(String, String)>,
) -> Result<ConsultationManagePage, AppError> {
    let (f, c) = managed(&state, &viewer, &code, &id).await?;
    manage_page(&state, &viewer, f, c, Vec::new(), Fields::new()).await
}

async fn manage_page(
    state: &AppState,
    viewer: &Viewer,
    f: Footprint,
    c: Consultation,
    errors: Vec<FieldError>,
    kept: Fields,
) -> Result<ConsultationManagePage, AppError> {
    let a = areas(state, viewer, &f).await?;
    let documents = state.store.consultation_documents(c.id).await?;
    let options = state.store.options(c.id).await?;
    let questions = state.store.questions(c.id).await?;
    let checks = checks(state, &c).await?;
    let mut fields = fields_of(&c);
    fields.extend(kept);
    let stage = c.stage(&today());
    let is_initiative = a
        .as_ref()
        .is_some_and(|a| a.initiatives.iter().any(|i| i.0 == c.area_id));
    Ok(ConsultationManagePage {
        page: Page::new(format!("Manage: {}", c.title), viewer, "footprints").with_errors(errors),
        draft: c.published_at.is_none(),
        stage: stage.label(),
        stage_tag: stage.tag(),
        areas: area_choices(a.as_ref()),
        documents: documents.iter().map(|d| (d.href(), d.title.clone())).collect(),
        options: option_views(&options),
        questions: questions
            .iter()
            .map(|q| (q.id, q.prompt.clone(), q.kind.label(), q.required, q.choices.join("; ")))
            .collect(),
        kinds: QuestionKind::ALL.iter().map(|k| (k.key(), k.label())).collect(),
        checks: checks
            .iter()
            .map(|c| (c.principle, c.status.label(), c.status.tag(), c.detail.clone()))
            .collect(),
        is_initiative,
        closed: matches!(stage, Stage::Closed | Stage::Responded),
        decided_on: c.decided_on.as_deref().map(long_date),
        fields,
        consultation: c,
        footprint: f,
    })
}

/// Runs a store change on a consultation, showing a conflict (such as a published
/// consultation's fixed questions) on the manage page.
async fn after_change(
    state: &AppState,
    viewer: &Viewer,
    f: Footprint,
    id: i64,
    result: Result<(), StoreError>,
    (field_name, kept): (&str, Fields),
    anchor: &str,
) -> Result<Response, AppError> {
    match result {
        Ok(()) => {
            Ok(Redirect::to(&format!("/footprints/{}/consultations/{id}/manage{anchor}", f.code)).into_response())
        }
        Err(e @ (StoreError::Conflict { .. } | StoreError::Stale(_))) => {
            let c = state.store.consultation(id).await?.ok_or(AppError::NotFound)?;
            let page = manage_page(
                state,
                viewer,
                f,
                c,
                vec![FieldError::new(field_name, e.to_string())],
                kept,
            )
            .await?;
            Ok(page.into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn save_details(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id)): Path<(String, String)>,
    Form(form): Form<Fields>,
) -> Result<Response, AppError> {
    let (f, c) = managed(&state, &viewer, &code, &id).await?;
    let a = areas(&state, &viewer, &f).await?;
    let input = match details_from(&form, a.as_ref()) {
        Ok(i) => i,
        Err(errors) => return Ok(manage_page(&state, &viewer, f, c, errors, form).await?.into_response()),
    };
    let revision = field(&form, "revision").parse().unwrap_or(-1);
    let r = state
        .store
        .update_consultation(&viewer.who(), c.id, revision, &input)
        .await
        .map(|_| ());
    after_change(&state, &viewer, f, c.id, r, ("title", form), "").await
}

async fn add_option(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id)): Path<(String, String)>,
    Form(form): Form<Fields>,
) -> Result<Response, AppError> {
    let (f, c) = managed(&state, &viewer, &code, &id).await?;
    let mut errors = Vec::new();
    let title = field(&form, "option_title");
    if title.is_empty() || title.chars().count() > 200 {
        errors.push(FieldError::new(
            "option_title",
            "Enter the option's title (200 characters or fewer)",
        ));
    }
    let description = field(&form, "option_description");
    if description.is_empty() {
        errors.push(FieldError::new(
            "option_description",
            "Describe what the option would mean for people",
        ));
    }
    let evidence = field(&form, "option_evidence");
    let effect = match OptionEffect::parse(&field(&form, "effect"), &field(&form, "effect_amount")) {
        Ok(e) => e,
        Err(e) => {
            errors.push(FieldError::new("effect_amount", e.0));
            OptionEffect::NotModelled
        }
    };
    if effect != OptionEffect::NotModelled {
        let a = areas(&state, &viewer, &f).await?;
        if !a.is_some_and(|a| a.initiatives.iter().any(|i| i.0 == c.area_id)) {
            errors.push(FieldError::new(
                "effect",
                "Only a consultation about an initiative can model an option's effect: choose \"not modelled\", or make the consultation about an initiative",
            ));
        }
    }
    if !errors.is_empty() {
        return Ok(manage_page(&state, &viewer, f, c, errors, form).await?.into_response());
    }
    let r = state
        .store
        .add_option(&viewer.who(), c.id, &title, &description, &evidence, effect)
        .await
        .map(|_| ());
    after_change(&state, &viewer, f, c.id, r, ("option_title", form), "#options").await
}

async fn add_question(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id)): Path<(String, String)>,
    Form(form): Form<Fields>,
) -> Result<Response, AppError> {
    let (f, c) = managed(&state, &viewer, &code, &id).await?;
    let Some(kind) = QuestionKind::parse(&field(&form, "kind")) else {
        let e = vec![FieldError::new("kind", "Choose the kind of question")];
        return Ok(manage_page(&state, &viewer, f, c, e, form).await?.into_response());
    };
    let (prompt, choices) = match check_question(
        kind,
        &field(&form, "prompt"),
        form.get("choices").map_or("", |s| s.as_str()),
    ) {
        Ok(v) => v,
        Err(errs) => {
            let e = crate::routes::field_errors(errs);
            return Ok(manage_page(&state, &viewer, f, c, e, form).await?.into_response());
        }
    };
    let hint = field(&form, "hint");
    let required = field(&form, "required") == "yes";
    let r = state
        .store
        .add_question(
            &viewer.who(),
            c.id,
            &footprint_store::consultations::NewQuestion {
                kind,
                prompt,
                hint,
                required,
                choices,
            },
        )
        .await
        .map(|_| ());
    after_change(&state, &viewer, f, c.id, r, ("prompt", form), "#questions").await
}

async fn remove_part(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id)): Path<(String, String)>,
    Form(form): Form<Fields>,
) -> Result<Response, AppError> {
    let (f, c) = managed(&state, &viewer, &code, &id).await?;
    let option = field(&form, "option").parse().ok();
    let question = field(&form, "question").parse().ok();
    let r = state.store.remove_part(&viewer.who(), c.id, option, question).await;
    after_change(&state, &viewer, f, c.id, r, ("consultation", Fields::new()), "").await
}

async fn add_document(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id)): Path<(String, String)>,
    form: Multipart,
) -> Result<Response, AppError> {
    let (f, c) = managed(&state, &viewer, &code, &id).await?;
    let form = read_multipart(form).await?;
    let title = form.get("doc_title");
    let mut kept = Fields::new();
    kept.insert("doc_title".into(), title.clone());
    kept.insert("doc_url".into(), form.get("doc_url"));
    let err = |m: &str| FieldError::new("doc_title", m);
    if title.is_empty() {
        let e = vec![err("Enter the document's title")];
        return Ok(manage_page(&state, &viewer, f, c, e, kept).await?.into_response());
    }
    let doc = match document_from(&form, &title, "doc_") {
        Ok(Some(d)) => d,
        Ok(None) => {
            let e = vec![FieldError::new("file", "Choose a file or give a link")];
            return Ok(manage_page(&state, &viewer, f, c, e, kept).await?.into_response());
        }
        Err(e) => return Ok(manage_page(&state, &viewer, f, c, vec![e], kept).await?.into_response()),
    };
    let r = state
        .store
        .add_consultation_document(&viewer.who(), c.id, &doc)
        .await
        .map(|_| ());
    after_change(&state, &viewer, f, c.id, r, ("doc_title", kept), "#documents").await
}

/// Works out each modelled option's stress-test effect against the plan (the newest published
/// version, else the draft) on common random numbers with `samples` scenarios, for publication:
/// the plan version used and (option id, result JSON). An option that cannot be worked out gets
/// its reason in the result.
pub async fn option_results(
    store: &footprint_store::Store,
    c: &Consultation,
    samples: u64,
) -> Result<(Option<i64>, Vec<(i64, serde_json::Value)>), String> {
    let options = store.options(c.id).await.map_err(|e| e.to_string())?;
    if options.iter().all(|o| o.effect == OptionEffect::NotModelled) {
        return Ok((None, Vec::new()));
    }
    let version = match store
        .latest_published_plan(c.footprint_id)
        .await
        .map_err(|e| e.to_string())?
    {
        Some(v) => v,
        None => store
            .plan_draft(c.footprint_id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("the footprint has no plan")?,
    };
    let doc: footprint_domain::plan::PlanDocument =
        serde_json::from_str(&version.document).map_err(|e| e.to_string())?;
    let base = doc.validate().map_err(|e| e.to_string())?;
    let mut results = Vec::new();
    for o in options.iter().filter(|o| o.effect != OptionEffect::NotModelled) {
        let plan = match o.effect.apply(&doc.model, &c.area_id) {
            Ok(Some(model)) => footprint_domain::plan::PlanDocument::from_model_text(&model.to_string(), "option.json")
                .and_then(|d| d.validate())
                .map_err(|e| e.to_string()),
            Ok(None) => continue,
            Err(e) => Err(e.0),
        };
        let result = match plan {
            Ok(plan) => {
                let a = base.clone();
                let seed = a.run.seed.unwrap_or(0);
                let cmp = tokio::task::spawn_blocking(move || {
                    footprint_stress::compare::compare_plans(&a, &plan, samples, seed)
                })
                .await
                .map_err(|e| e.to_string())?;
                match cmp {
                    Ok(cmp) => {
                        let y = cmp.years.last().expect("a plan has at least one year");
                        json!({
                            "year": y.year,
                            "p_balance_plan": y.p_balance_a,
                            "p_balance_option": y.p_balance_b,
                            "p_balance_change": y.p_balance_change,
                            "se_p_balance_change": y.se_p_balance_change,
                            "gap_change": y.gap_change.mean,
                            "se_gap_change": y.gap_change.se_mean,
                            "samples": cmp.samples,
                            "plan_version": version.number,
                        })
                    }
                    Err(e) => json!({ "error": e.to_string() }),
                }
            }
            Err(e) => json!({ "error": e }),
        };
        results.push((o.id, result));
    }
    Ok((version.number, results))
}

async fn publish(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id)): Path<(String, String)>,
    Form(form): Form<Fields>,
) -> Result<Response, AppError> {
    let (f, c) = managed(&state, &viewer, &code, &id).await?;
    if c.published_at.is_some() {
        let e = vec![FieldError::new(
            "consultation",
            "This consultation is already published",
        )];
        return Ok(manage_page(&state, &viewer, f, c, e, Fields::new())
            .await?
            .into_response());
    }
    let questions = state.store.questions(c.id).await?;
    if questions.is_empty() {
        let e = vec![FieldError::new("prompt", "Add at least one question before publishing")];
        return Ok(manage_page(&state, &viewer, f, c, e, Fields::new())
            .await?
            .into_response());
    }
    let (number, results) = option_results(&state.store, &c, crate::stress::LIVE_SAMPLES)
        .await
        .map_err(AppError::internal)?;
    let revision = field(&form, "revision").parse().unwrap_or(-1);
    let r = state
        .store
        .publish_consultation(&viewer.who(), c.id, revision, number, &results)
        .await
        .map(|_| ());
    after_change(&state, &viewer, f, c.id, r, ("consultation", Fields::new()), "").await
}

async fn outcome(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id)): Path<(String, String)>,
    Form(form): Form<Fields>,
) -> Result<Response, AppError> {
    let (f, c) = managed(&state, &viewer, &code, &id).await?;
    let today = today();
    let r = if form.contains_key("you_said_we_did") {
        let text = field(&form, "you_said_we_did");
        if text.is_empty() {
            let e = vec![FieldError::new(
                "you_said_we_did",
                "Write what people said and what you did about it",
            )];
            return Ok(manage_page(&state, &viewer, f, c, e, form).await?.into_response());
        }
        if today.as_str() <= c.closes_on.as_str() {
            let e = vec![FieldError::new(
                "you_said_we_did",
                format!(
                    "The consultation is open until {}: publish the response after it closes",
                    long_date(&c.closes_on)
                ),
            )];
            return Ok(manage_page(&state, &viewer, f, c, e, form).await?.into_response());
        }
        state
            .store
            .record_outcome(&viewer.who(), c.id, Some(&text), None, &today)
            .await
    } else {
        let d = match date_from_parts(
            &field(&form, "decided_day"),
            &field(&form, "decided_month"),
            &field(&form, "decided_year"),
            "the date of the decision",
        ) {
            Ok(d) => d,
            Err(e) => {
                let e = vec![FieldError::new("decided_day", e.0)];
                return Ok(manage_page(&state, &viewer, f, c, e, form).await?.into_response());
            }
        };
        state
            .store
            .record_outcome(&viewer.who(), c.id, None, Some(&d), &today)
            .await
    };
    after_change(
        &state,
        &viewer,
        f,
        c.id,
        r.map(|_| ()),
        ("you_said_we_did", form),
        "#outcome",
    )
    .await
}

/// A fresh idempotency key for a response form.
fn new_key() -> String {
    hex::encode(crate::auth::random_bytes::<16>())
}

async fn respond_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id)): Path<(String, String)>,
) -> Result<RespondPage, AppError> {
    let f = footprint(&state, &code).await?;
    let c = visible(&state, &viewer, &f, &id).await?;
    let questions = state.store.questions(c.id).await?;
    let mut values = FormValues::new();
    values.insert("idempotency_key".into(), vec![new_key()]);
    Ok(respond_page(&viewer, f, c, questions, Vec::new(), values))
}

fn respond_page(
    viewer: &Viewer,
    f: Footprint,
    c: Consultation,
    questions: Vec<Question>,
    errors: Vec<FieldError>,
    values: FormValues,
) -> RespondPage {
    let stage = c.stage(&today());
    let one = |k: &str| values.get(k).and_then(|v| v.first()).cloned().unwrap_or_default();
    RespondPage {
        page: Page::new(format!("Respond: {}", c.title), viewer, "consultations").with_errors(errors),
        open: stage == Stage::Open,
        closes_on: long_date(&c.closes_on),
        opens_on: long_date(&c.opens_on),
        closed: matches!(stage, Stage::Closed | Stage::Responded),
        key: one("idempotency_key"),
        name: one("name"),
        email: one("email"),
        on_behalf_of: one("on_behalf_of"),
        consent: one("consent"),
        questions: questions
            .into_iter()
            .enumerate()
            .map(|(n, q)| {
                let field = q.field();
                let given = values.get(&field).cloned().unwrap_or_default();
                let ranks = (0..q.choices.len())
                    .map(|i| {
                        values
                            .get(&format!("{field}_r{i}"))
                            .and_then(|v| v.first())
                            .cloned()
                            .unwrap_or_default()
                    })
                    .collect();
                crate::page::QuestionView {
                    number: n + 1,
                    kind: q.kind.key(),
                    text: given.first().cloned().unwrap_or_default(),
                    chosen: given,
                    ranks,
                    max: crate::charts::count(dc::MAX_ANSWER as u64),
                    field,
                    question: q,
                }
            })
            .collect(),
        consultation: c,
        footprint: f,
    }
}

async fn respond(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientAddr(addr): ClientAddr,
    Path((code, id)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let f = footprint(&state, &code).await?;
    let c = visible(&state, &viewer, &f, &id).await?;
    let mut values = FormValues::new();
    for (k, v) in pairs {
        values.entry(k).or_default().push(v);
    }
    let one = |values: &FormValues, k: &str| {
        values
            .get(k)
            .and_then(|v| v.first())
            .map_or("", |s| s.trim())
            .to_string()
    };
    let questions = state.store.questions(c.id).await?;
    // The spam trap: a field people never see. Whatever filled it is not a person; it is thanked
    // and nothing is stored.
    if !one(&values, "website").is_empty() {
        tracing::info!(consultation = c.id, "response refused: spam trap filled");
        return Ok(ReceiptPage {
            page: Page::new("Response received", &viewer, "consultations"),
            reference: None,
            again: false,
            href: href(&f, &c),
            consultation: c,
            footprint: f,
        }
        .into_response());
    }
    let mut key = one(&values, "idempotency_key");
    if key.is_empty() || key.len() > 64 || !key.chars().all(|ch| ch.is_ascii_alphanumeric()) {
        key = new_key();
        values.insert("idempotency_key".into(), vec![key.clone()]);
    }
    let mut errors: Vec<FieldError> = Vec::new();
    let answers = match read_answers(&questions, &values) {
        Ok(a) => a,
        Err(errs) => {
            errors.extend(errs.into_iter().map(|(f, m)| FieldError::new(&f, m)));
            Vec::new()
        }
    };
    let name = one(&values, "name");
    let email = one(&values, "email");
    let on_behalf_of = one(&values, "on_behalf_of");
    for (k, v, max) in [
        ("name", &name, 200),
        ("email", &email, 254),
        ("on_behalf_of", &on_behalf_of, 200),
    ] {
        if v.chars().count() > max {
            errors.push(FieldError::new(k, format!("This must be {max} characters or fewer")));
        }
    }
    if !email.is_empty() && footprint_domain::person::Email::parse(&email).is_err() {
        errors.push(FieldError::new(
            "email",
            "Enter an email address in the right format, like name@example.com, or leave it empty",
        ));
    }
    let consent = match one(&values, "consent").as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            errors.push(FieldError::new("consent", "Say whether we may publish your response"));
            None
        }
    };
    let today = today();
    if !errors.is_empty() {
        return Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            respond_page(&viewer, f, c, questions, errors, values),
        )
            .into_response());
    }
    let client_key = hex::encode(sha2::Sha256::digest(format!("{addr}|{}", c.id).as_bytes()));
    let response = NewResponse {
        idempotency_key: key,
        answers,
        respondent_name: name,
        respondent_email: email,
        on_behalf_of,
        consent: consent.unwrap_or(false),
        client_key,
    };
    let limit = RateLimit {
        max: i64::from(state.config.responses_per_hour),
        window_ms: 3_600_000,
    };
    match state.store.respond(c.id, &response, &today, limit).await? {
        Ok(received) => {
            let (reference, again) = match received {
                Received::New(r, _) => (r, false),
                Received::Again(r, _) => (r, true),
            };
            Ok(ReceiptPage {
                page: Page::new("Response received", &viewer, "consultations"),
                reference: Some(reference),
                again,
                href: href(&f, &c),
                consultation: c,
                footprint: f,
            }
            .into_response())
        }
        Err(refused) => {
            let (status, message) = match refused {
                Refused::NotOpen { closed: true, on } => (
                    axum::http::StatusCode::CONFLICT,
                    format!(
                        "This consultation closed on {}, so it can no longer take responses. Your answers are below, not sent: you can copy them and send them to the footprint's programme office.",
                        long_date(&on)
                    ),
                ),
                Refused::NotOpen { closed: false, on } => (
                    axum::http::StatusCode::CONFLICT,
                    format!("This consultation opens on {}. Your answers are below, not sent.", long_date(&on)),
                ),
                Refused::TooMany => (
                    axum::http::StatusCode::TOO_MANY_REQUESTS,
                    "Too many responses have come from your internet connection in the last hour. Your answers are below, not sent: please try again later.".to_string(),
                ),
            };
            Ok((
                status,
                respond_page(
                    &viewer,
                    f,
                    c,
                    questions,
                    vec![FieldError::new("consultation", message)],
                    values,
                ),
            )
                .into_response())
        }
    }
}

/// Counts per question: choices (count and share), rankings (first preferences and average
/// place), free text (answers and theme tags).
fn summarise(
    questions: &[Question],
    responses: &[footprint_store::consultations::Response],
    tags: &[(i64, i64, String)],
) -> Vec<QuestionSummary> {
    questions
        .iter()
        .map(|q| {
            let answers: Vec<&Answer> = responses
                .iter()
                .filter_map(|r| r.answers.iter().find(|(id, _)| *id == q.id).map(|(_, a)| a))
                .collect();
            let n = answers.len();
            let share = |k: usize| {
                if n == 0 {
                    "0%".to_string()
                } else {
                    percent(k as f64 / n as f64)
                }
            };
            let rows: Vec<(String, String, String)> = match q.kind {
                QuestionKind::Single | QuestionKind::Multiple => q
                    .choices
                    .iter()
                    .map(|c| {
                        let k = answers
                            .iter()
                            .filter(|a| match a {
                                Answer::One(x) => x == c,
                                Answer::Many(v) => v.contains(c),
                                _ => false,
                            })
                            .count();
                        (c.clone(), k.to_string(), share(k))
                    })
                    .collect(),
                QuestionKind::Ranking => q
                    .choices
                    .iter()
                    .map(|c| {
                        let places: Vec<usize> = answers
                            .iter()
                            .filter_map(|a| match a {
                                Answer::Ranked(v) => v.iter().position(|x| x == c),
                                _ => None,
                            })
                            .collect();
                        let first = places.iter().filter(|p| **p == 0).count();
                        let mean = if places.is_empty() {
                            "–".to_string()
                        } else {
                            format!(
                                "{:.2}",
                                places.iter().map(|p| *p as f64 + 1.0).sum::<f64>() / places.len() as f64
                            )
                        };
                        (c.clone(), format!("{first} first"), format!("average place {mean}"))
                    })
                    .collect(),
                QuestionKind::FreeText => {
                    let mut counts: Vec<(String, usize)> = Vec::new();
                    for (_, _, tag) in tags.iter().filter(|t| t.1 == q.id) {
                        match counts.iter_mut().find(|c| &c.0 == tag) {
                            Some(c) => c.1 += 1,
                            None => counts.push((tag.clone(), 1)),
                        }
                    }
                    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                    counts
                        .into_iter()
                        .map(|(t, k)| (format!("Theme: {t}"), k.to_string(), share(k)))
                        .collect()
                }
            };
            QuestionSummary {
                prompt: q.prompt.clone(),
                kind: q.kind.label(),
                answered: n,
                rows,
            }
        })
        .collect()
}

/// Responses listed on one page of the analysis.
const RESPONSES_PER_PAGE: usize = 50;

#[derive(serde::Deserialize)]
struct PageQuery {
    #[serde(default)]
    page: Option<usize>,
}

async fn analysis(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id)): Path<(String, String)>,
    axum::extract::Query(q): axum::extract::Query<PageQuery>,
) -> Result<AnalysisPage, AppError> {
    let (f, c) = analysed(&state, &viewer, &code, &id).await?;
    let questions = state.store.questions(c.id).await?;
    let responses = state.store.responses(c.id).await?;
    let tags = state.store.response_tags(c.id).await?;
    let summary = summarise(&questions, &responses, &tags);
    let pages = responses.len().div_ceil(RESPONSES_PER_PAGE).max(1);
    let page_number = q.page.unwrap_or(1).clamp(1, pages);
    let rows = responses
        .iter()
        .rev()
        .skip((page_number - 1) * RESPONSES_PER_PAGE)
        .take(RESPONSES_PER_PAGE)
        .map(|r| ResponseView {
            id: r.id,
            received: crate::page::when(&r.received_at),
            on_behalf_of: r.on_behalf_of.clone(),
            consent: r.consent,
            moderation: r.moderation.clone(),
            first_answer: r
                .answers
                .iter()
                .find(|(_, a)| matches!(a, Answer::Text(_)))
                .or(r.answers.first())
                .map(|(_, a)| a.words().chars().take(160).collect())
                .unwrap_or_default(),
            tags: tags.iter().filter(|t| t.0 == r.id).map(|t| t.2.clone()).collect(),
        })
        .collect();
    Ok(AnalysisPage {
        page: Page::new(format!("Responses: {}", c.title), &viewer, "footprints"),
        count: responses.len(),
        consented: responses.iter().filter(|r| r.consent).count(),
        published: responses.iter().filter(|r| r.moderation == "published").count(),
        summary,
        rows,
        page_number,
        pages,
        consultation: c,
        footprint: f,
    })
}

async fn responses_csv(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (_, c) = analysed(&state, &viewer, &code, &id).await?;
    let questions = state.store.questions(c.id).await?;
    let responses = state.store.responses(c.id).await?;
    let tags = state.store.response_tags(c.id).await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head = vec![
        "reference".to_string(),
        "received".to_string(),
        "on_behalf_of".to_string(),
        "consent_to_publish".to_string(),
        "moderation".to_string(),
    ];
    for (n, q) in questions.iter().enumerate() {
        head.push(format!("q{}: {}", n + 1, q.prompt));
        if q.kind == QuestionKind::FreeText {
            head.push(format!("q{} themes", n + 1));
        }
    }
    w.write_record(&head).map_err(|e| AppError::internal(e.to_string()))?;
    for r in &responses {
        let mut row = vec![
            r.id.to_string(),
            crate::page::when(&r.received_at),
            crate::export::safe_cell(&r.on_behalf_of),
            if r.consent { "yes" } else { "no" }.to_string(),
            r.moderation.clone(),
        ];
        for q in &questions {
            let a = r
                .answers
                .iter()
                .find(|(id, _)| *id == q.id)
                .map(|(_, a)| a.words())
                .unwrap_or_default();
            row.push(crate::export::safe_cell(&a));
            if q.kind == QuestionKind::FreeText {
                let t: Vec<&str> = tags
                    .iter()
                    .filter(|t| t.0 == r.id && t.1 == q.id)
                    .map(|t| t.2.as_str())
                    .collect();
                row.push(crate::export::safe_cell(&t.join("; ")));
            }
        }
        w.write_record(&row).map_err(|e| AppError::internal(e.to_string()))?;
    }
    let bytes = w.into_inner().map_err(|e| AppError::internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"consultation-{}-responses.csv\"", c.id),
            ),
        ],
        bytes,
    )
        .into_response())
}

async fn response_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id, rid)): Path<(String, String, String)>,
) -> Result<ResponsePage, AppError> {
    let (f, c) = analysed(&state, &viewer, &code, &id).await?;
    one_response(&state, &viewer, f, c, &rid, Vec::new()).await
}

async fn one_response(
    state: &AppState,
    viewer: &Viewer,
    f: Footprint,
    c: Consultation,
    rid: &str,
    errors: Vec<FieldError>,
) -> Result<ResponsePage, AppError> {
    let rid: i64 = rid.parse().map_err(|_| AppError::NotFound)?;
    let questions = state.store.questions(c.id).await?;
    let response = state.store.response(c.id, rid).await?.ok_or(AppError::NotFound)?;
    let r = &response;
    let tags = state.store.response_tags(c.id).await?;
    let names: Vec<&str> = [r.respondent_name.as_str()]
        .into_iter()
        .filter(|n| !n.is_empty())
        .collect();
    let answers = questions
        .iter()
        .filter_map(|q| {
            let (_, a) = r.answers.iter().find(|(id, _)| *id == q.id)?;
            let published = r
                .published_answers
                .as_ref()
                .and_then(|p| p.iter().find(|(id, _)| *id == q.id))
                .map(|(_, a)| a.words());
            let redacted = match a {
                Answer::Text(t) => published.clone().unwrap_or_else(|| redact(t, &names)),
                other => other.words(),
            };
            Some(crate::page::AnswerView {
                question_id: q.id,
                prompt: q.prompt.clone(),
                free_text: q.kind == QuestionKind::FreeText,
                words: a.words(),
                redacted,
                tags: tags
                    .iter()
                    .filter(|t| t.0 == r.id && t.1 == q.id)
                    .map(|t| t.2.clone())
                    .collect(),
            })
        })
        .collect();
    Ok(ResponsePage {
        page: Page::new(format!("Response {rid}"), viewer, "footprints").with_errors(errors),
        id: r.id,
        received: crate::page::when(&r.received_at),
        name: r.respondent_name.clone(),
        email: r.respondent_email.clone(),
        on_behalf_of: r.on_behalf_of.clone(),
        consent: r.consent,
        moderation: r.moderation.clone(),
        answers,
        consultation: c,
        footprint: f,
    })
}

async fn response_action(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id, rid)): Path<(String, String, String)>,
    Form(form): Form<Fields>,
) -> Result<Response, AppError> {
    let (f, c) = analysed(&state, &viewer, &code, &id).await?;
    let response_id: i64 = rid.parse().map_err(|_| AppError::NotFound)?;
    let who = viewer.who();
    let result = match field(&form, "action").as_str() {
        "tag" | "untag" => {
            let tag = field(&form, "tag").to_lowercase();
            let question: i64 = field(&form, "question").parse().map_err(|_| AppError::NotFound)?;
            if tag.is_empty() || tag.chars().count() > 60 || tag.chars().any(char::is_control) {
                let e = vec![FieldError::new(
                    &format!("tag_{question}"),
                    "Enter a theme of 60 characters or fewer",
                )];
                return Ok(one_response(&state, &viewer, f, c, &rid, e).await?.into_response());
            }
            state
                .store
                .tag_response(&who, c.id, response_id, question, &tag, field(&form, "action") == "tag")
                .await
        }
        "publish" => {
            let questions = state.store.questions(c.id).await?;
            let response = state
                .store
                .response(c.id, response_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let r = &response;
            let mut published = Vec::new();
            for (qid, a) in &r.answers {
                let Some(q) = questions.iter().find(|q| q.id == *qid) else {
                    continue;
                };
                published.push((
                    *qid,
                    match a {
                        Answer::Text(t) => {
                            let edited = field(&form, &format!("redacted_{}", q.id));
                            let names: Vec<&str> = [r.respondent_name.as_str()]
                                .into_iter()
                                .filter(|n| !n.is_empty())
                                .collect();
                            // Staff's edit, with the automatic pass run over it again.
                            Answer::Text(redact(if edited.is_empty() { t } else { &edited }, &names))
                        }
                        other => other.clone(),
                    },
                ));
            }
            state.store.moderate(&who, c.id, response_id, Some(&published)).await
        }
        "withhold" => state.store.moderate(&who, c.id, response_id, None).await,
        _ => return Err(AppError::NotFound),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("{}/responses/{response_id}", href(&f, &c))).into_response()),
        Err(e @ (StoreError::Conflict { .. } | StoreError::NotFound(_))) => {
            let e = vec![FieldError::new("moderation", e.to_string())];
            Ok(one_response(&state, &viewer, f, c, &rid, e).await?.into_response())
        }
        Err(e) => Err(e.into()),
    }
}
