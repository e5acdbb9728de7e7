//! Delivery: each initiative's milestones with where they stand, the savings brought in against
//! those planned by year, conditions and actions by organisation, and what is late and who owns
//! it. Anyone can follow delivery; contributors record it; an action's owner can mark it done.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Form, Router};
use footprint_domain::access::Action;
use footprint_domain::consultation::long_date;
use footprint_domain::delivery::{MilestoneStatus, effective, parse_amount, planned_savings};
use footprint_domain::plan::PlanDocument;
use footprint_store::delivery::Benefit;
use footprint_store::footprints::Footprint;
use footprint_store::governance::ActionItem;

use crate::AppState;
use crate::auth::Viewer;
use crate::charts::money;
use crate::error::{AppError, FieldError};
use crate::page::Page;
use crate::routes::consultations::today;
use crate::routes::footprints::footprint;
use crate::routes::{Pairs, one};

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/footprints/{code}/delivery", axum::routing::get(delivery_page))
        .route("/footprints/{code}/delivery/milestones", post(milestone))
        .route("/footprints/{code}/delivery/benefits", post(benefit))
        .route("/footprints/{code}/delivery/actions/{id}", post(action))
}

/// A milestone as the page shows it.
pub struct MilestoneRow {
    pub initiative_id: String,
    pub initiative: String,
    pub owner: String,
    pub title: String,
    pub due: String,
    pub due_text: String,
    pub status: MilestoneStatus,
    pub note: String,
    /// A unique id for the row's form fields.
    pub key: String,
}

/// Something late and who owns it.
pub struct LateRow {
    pub what: String,
    pub owner: String,
    pub due: String,
}

/// An initiative's savings: planned and brought in, by year.
pub struct BenefitRow {
    pub initiative: String,
    /// (planned, realised or empty) per year.
    pub years: Vec<(String, String)>,
}

/// An organisation's conditions and actions.
pub struct OrgActions {
    pub organisation: String,
    pub actions: Vec<ActionRow>,
}

/// A condition or action.
pub struct ActionRow {
    pub item: ActionItem,
    pub due: String,
    pub late: bool,
    pub can_update: bool,
    pub decision_href: Option<String>,
}

/// The delivery page.
#[derive(Template, WebTemplate)]
#[template(path = "delivery.html")]
pub struct DeliveryPage {
    pub page: Page,
    pub footprint: Footprint,
    pub plan_label: String,
    pub has_plan: bool,
    pub counts: Vec<(&'static str, &'static str, usize)>,
    pub late: Vec<LateRow>,
    pub milestones: Vec<MilestoneRow>,
    pub years: Vec<String>,
    pub benefits: Vec<BenefitRow>,
    pub totals: Vec<(String, String)>,
    pub organisations: Vec<OrgActions>,
    pub can_record: bool,
    pub statuses: Vec<(&'static str, &'static str)>,
    /// (id, name)
    pub initiatives: Vec<(String, String)>,
    pub fields: HashMap<String, String>,
}

impl DeliveryPage {
    /// A form value.
    pub fn field(&self, k: &str) -> &str {
        self.fields.get(k).map_or("", |s| s.as_str())
    }
}

/// The plan delivery is tracked against: the newest published version, else (for partners) the
/// draft.
async fn tracked(state: &AppState, viewer: &Viewer, f: &Footprint) -> Result<Option<(PlanDocument, String)>, AppError> {
    if let Some(v) = state.store.latest_published_plan(f.id).await? {
        let label = format!("version {} of the plan", v.number.unwrap_or(0));
        return Ok(Some((crate::routes::plans::document(&v)?, label)));
    }
    if viewer.can(Action::ViewFootprintPrivate(f.id))
        && let Some(v) = state.store.plan_draft(f.id).await?
    {
        return Ok(Some((crate::routes::plans::document(&v)?, "the draft plan".into())));
    }
    Ok(None)
}

fn names(doc: &PlanDocument) -> HashMap<String, String> {
    doc.model["initiative"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|i| {
                    Some((
                        i["id"].as_str()?.to_string(),
                        i["name"].as_str().unwrap_or("").to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn delivery_view(
    state: &AppState,
    viewer: &Viewer,
    f: Footprint,
    errors: Vec<FieldError>,
    fields: HashMap<String, String>,
) -> Result<DeliveryPage, AppError> {
    let today = today();
    let tracked = tracked(state, viewer, &f).await?;
    let org_names: HashMap<i64, String> = state
        .store
        .organisations()
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let recorded = state.store.milestone_statuses(f.id).await?;
    let mut milestones = Vec::new();
    let mut years = Vec::new();
    let mut benefits = Vec::new();
    let mut totals = Vec::new();
    let mut initiatives = Vec::new();
    let mut plan_label = String::new();
    if let Some((doc, label)) = &tracked {
        plan_label = label.clone();
        let names = names(doc);
        for (k, d) in doc.initiatives.iter().enumerate() {
            let name = names.get(&d.id).cloned().unwrap_or_else(|| d.id.clone());
            initiatives.push((d.id.clone(), name.clone()));
            let owner = d
                .lead
                .and_then(|o| org_names.get(&o).cloned())
                .unwrap_or_else(|| "No lead organisation".into());
            for (j, m) in d.milestones.iter().enumerate() {
                let rec = recorded
                    .iter()
                    .find(|r| r.initiative_id == d.id && r.milestone == m.title);
                milestones.push(MilestoneRow {
                    initiative_id: d.id.clone(),
                    initiative: name.clone(),
                    owner: owner.clone(),
                    title: m.title.clone(),
                    due: m.due.clone(),
                    due_text: long_date(&m.due),
                    status: effective(rec.map(|r| r.status), m.done, &m.due, &today),
                    note: rec.map(|r| r.note.clone()).unwrap_or_default(),
                    key: format!("m{k}-{j}"),
                });
            }
        }
        milestones.sort_by(|a, b| a.due.cmp(&b.due).then(a.initiative.cmp(&b.initiative)));
        if let Ok(plan) = doc.validate() {
            years = plan.year_labels();
            let realised = state.store.benefits(f.id).await?;
            let mut total_planned = vec![0.0; years.len()];
            let mut total_realised: Vec<Option<f64>> = vec![None; years.len()];
            for (id, planned) in planned_savings(&plan) {
                let mut cells = Vec::new();
                for (t, p) in planned.iter().enumerate() {
                    total_planned[t] += p;
                    let got = realised.iter().find(|b| b.initiative_id == id && b.year == years[t]);
                    if let Some(b) = got {
                        total_realised[t] = Some(total_realised[t].unwrap_or(0.0) + b.amount);
                    }
                    cells.push((money(*p), got.map(|b| money(b.amount)).unwrap_or_default()));
                }
                benefits.push(BenefitRow {
                    initiative: names.get(&id).cloned().unwrap_or(id),
                    years: cells,
                });
            }
            totals = total_planned
                .iter()
                .zip(&total_realised)
                .map(|(p, r)| (money(*p), r.map(money).unwrap_or_default()))
                .collect();
        }
    }
    let mut late: Vec<LateRow> = milestones
        .iter()
        .filter(|m| m.status == MilestoneStatus::Late)
        .map(|m| LateRow {
            what: format!("{}: {}", m.initiative, m.title),
            owner: m.owner.clone(),
            due: m.due.clone(),
        })
        .collect();
    let user = viewer.user.as_ref().map(|u| u.id);
    let can_record = viewer.can(Action::RecordDelivery(f.id));
    let readers = crate::routes::governance::confidential_readers(state, viewer, &f).await?;
    let decisions = state.store.decisions(f.id).await?;
    let mut organisations: Vec<OrgActions> = Vec::new();
    for a in state.store.actions(f.id).await? {
        // Actions of a confidential decision are for those who read it.
        if let Some(d) = a.decision_id.and_then(|id| decisions.iter().find(|d| d.id == id))
            && d.confidential
            && !readers.get(&d.body_id).copied().unwrap_or(false)
        {
            continue;
        }
        let is_late = a.done_on.is_none() && a.due_on < today;
        let owner = match (&a.organisation, &a.owner) {
            (Some(o), Some(u)) => format!("{}, {}", o.1, u.1),
            (Some(o), None) => o.1.clone(),
            (None, Some(u)) => u.1.clone(),
            (None, None) => "No owner".into(),
        };
        if is_late {
            late.push(LateRow {
                what: format!(
                    "{}: {}",
                    if a.kind == "condition" { "Condition" } else { "Action" },
                    a.title
                ),
                owner,
                due: a.due_on.clone(),
            });
        }
        let org = a
            .organisation
            .as_ref()
            .map_or_else(|| "No organisation named".to_string(), |o| o.1.clone());
        let row = ActionRow {
            due: long_date(&a.due_on),
            late: is_late,
            can_update: can_record || (user.is_some() && a.owner.as_ref().map(|o| o.0) == user),
            decision_href: a.decision_id.map(|d| format!("/footprints/{}/decisions/{d}", f.code)),
            item: a,
        };
        match organisations.iter_mut().find(|o| o.organisation == org) {
            Some(o) => o.actions.push(row),
            None => organisations.push(OrgActions {
                organisation: org,
                actions: vec![row],
            }),
        }
    }
    organisations.sort_by(|a, b| a.organisation.cmp(&b.organisation));
    late.sort_by(|a, b| a.due.cmp(&b.due));
    for l in &mut late {
        l.due = long_date(&l.due);
    }
    let counts = MilestoneStatus::ALL
        .iter()
        .map(|s| (s.label(), s.tag(), milestones.iter().filter(|m| m.status == *s).count()))
        .collect();
    Ok(DeliveryPage {
        page: Page::new(format!("Delivery – {}", f.name), viewer, "footprints").with_errors(errors),
        has_plan: tracked.is_some(),
        plan_label,
        counts,
        late,
        milestones,
        years,
        benefits,
        totals,
        organisations,
        can_record,
        statuses: MilestoneStatus::ALL
            .iter()
            .filter(|s| **s != MilestoneStatus::Late)
            .map(|s| (s.key(), s.label()))
            .collect(),
        initiatives,
        fields,
        footprint: f,
    })
}

async fn delivery_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<DeliveryPage, AppError> {
    let f = footprint(&state, &code).await?;
    delivery_view(&state, &viewer, f, Vec::new(), HashMap::new()).await
}

async fn milestone(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::RecordDelivery(f.id))?;
    let (initiative, title) = (one(&form, "initiative"), one(&form, "milestone"));
    let known = tracked(&state, &viewer, &f).await?.is_some_and(|(doc, _)| {
        doc.initiatives
            .iter()
            .any(|d| d.id == initiative && d.milestones.iter().any(|m| m.title == title))
    });
    let mut errors = Vec::new();
    if !known {
        errors.push(FieldError::new("milestones", "Choose a milestone of the plan"));
    }
    let status = match MilestoneStatus::parse(&one(&form, "status")) {
        Ok(MilestoneStatus::Late) | Err(_) => {
            errors.push(FieldError::new(
                "milestones",
                "Choose not started, on track, at risk or done (a milestone past its date is shown as late)",
            ));
            None
        }
        Ok(s) => Some(s),
    };
    if let (true, Some(status)) = (errors.is_empty(), status) {
        state
            .store
            .set_milestone_status(&viewer.who(), f.id, (&initiative, &title), status, &one(&form, "note"))
            .await?;
        return Ok(Redirect::to(&format!("/footprints/{}/delivery#milestones", f.code)).into_response());
    }
    Ok((
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        delivery_view(&state, &viewer, f, errors, HashMap::new()).await?,
    )
        .into_response())
}

async fn benefit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::RecordDelivery(f.id))?;
    let mut errors = Vec::new();
    let (initiative, year) = (one(&form, "initiative"), one(&form, "year"));
    let plan = tracked(&state, &viewer, &f).await?;
    let initiative_ok = plan
        .as_ref()
        .is_some_and(|(doc, _)| doc.initiatives.iter().any(|d| d.id == initiative));
    if !initiative_ok {
        errors.push(FieldError::new("initiative", "Choose an initiative of the plan"));
    }
    let year_ok = plan
        .as_ref()
        .and_then(|(doc, _)| doc.validate().ok())
        .is_some_and(|p| p.year_labels().contains(&year));
    if !year_ok {
        errors.push(FieldError::new("year", "Choose a year of the plan"));
    }
    let amount = parse_amount(&one(&form, "amount")).map_err(|e| errors.push(FieldError::new("amount", e.0)));
    let note = one(&form, "benefit_note");
    if note.chars().count() > 2000 {
        errors.push(FieldError::new(
            "benefit_note",
            "Keep the note to 2,000 characters or fewer",
        ));
    }
    if let (true, Ok(amount)) = (errors.is_empty(), amount) {
        let b = Benefit {
            initiative_id: initiative,
            year,
            amount,
            note,
        };
        state.store.record_benefit(&viewer.who(), f.id, &b).await?;
        return Ok(Redirect::to(&format!("/footprints/{}/delivery#benefits", f.code)).into_response());
    }
    let fields = form.into_iter().collect();
    Ok((
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        delivery_view(&state, &viewer, f, errors, fields).await?,
    )
        .into_response())
}

async fn action(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id)): Path<(String, String)>,
    Form(form): Form<Pairs>,
) -> Result<Response, AppError> {
    let user = viewer.signed_in()?.clone();
    let f = footprint(&state, &code).await?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let a = state
        .store
        .actions(f.id)
        .await?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or(AppError::NotFound)?;
    if !viewer.can(Action::RecordDelivery(f.id)) && a.owner.as_ref().map(|o| o.0) != Some(user.id) {
        return Err(AppError::Forbidden);
    }
    let done_on = (one(&form, "done") == "yes").then(today);
    let revision: i64 = one(&form, "revision").parse().unwrap_or(-1);
    state
        .store
        .update_action(&viewer.who(), a.id, revision, done_on.as_deref(), &one(&form, "note"))
        .await?;
    Ok(Redirect::to(&format!("/footprints/{}/delivery#actions", f.code)).into_response())
}
