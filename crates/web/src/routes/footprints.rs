//! The home page, the list of footprints, a footprint's page and its partners.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use footprint_domain::access::{Action, FootprintRole};
use footprint_domain::footprint::REGIONS;
use footprint_store::footprints::{Footprint, Partner};

use crate::AppState;
use crate::auth::Viewer;
use crate::error::{AppError, FieldError};
use crate::page::{AddPartnerPage, FootprintPage, FootprintsPage, HomePage, Page};

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/footprints", get(list))
        .route("/footprints/{code}", get(show))
        .route(
            "/footprints/{code}/partners/add",
            get(add_partner_form).post(add_partner),
        )
        .route(
            "/footprints/{code}/partners/{organisation}/remove",
            post(remove_partner),
        )
}

async fn home(State(state): State<AppState>, viewer: Viewer) -> Result<HomePage, AppError> {
    let all = state.store.footprints().await?;
    let regions = REGIONS
        .iter()
        .map(|r| (r.to_string(), all.iter().filter(|f| f.footprint.region == *r).count()))
        .collect();
    let today = crate::routes::consultations::today();
    let open_consultations = state
        .store
        .published_consultations()
        .await?
        .into_iter()
        .filter(|(c, ..)| c.stage(&today) == footprint_domain::consultation::Stage::Open)
        .map(|(c, code, name, _)| {
            (
                format!("/footprints/{code}/consultations/{}", c.id),
                c.title,
                name,
                footprint_domain::consultation::long_date(&c.closes_on),
            )
        })
        .collect();
    Ok(HomePage {
        page: Page::new("Sustainability and Transformation Plans", &viewer, "home"),
        footprints: all.len(),
        regions,
        open_consultations,
    })
}

#[derive(serde::Deserialize)]
struct ListQuery {
    #[serde(default)]
    region: String,
}

async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<FootprintsPage, AppError> {
    let region = REGIONS
        .iter()
        .find(|r| r.eq_ignore_ascii_case(q.region.trim()))
        .map(|r| r.to_string())
        .unwrap_or_default();
    let footprints = state
        .store
        .footprints()
        .await?
        .into_iter()
        .filter(|f| region.is_empty() || f.footprint.region == region)
        .collect();
    let title = if region.is_empty() {
        "Footprints".to_string()
    } else {
        format!("Footprints in {region}")
    };
    Ok(FootprintsPage {
        page: Page::new(title, &viewer, "footprints"),
        footprints,
        regions: REGIONS.iter().map(|r| r.to_string()).collect(),
        region,
    })
}

/// A footprint by code, or not found.
pub async fn footprint(state: &AppState, code: &str) -> Result<Footprint, AppError> {
    state.store.footprint_by_code(code).await?.ok_or(AppError::NotFound)
}

/// Partners grouped by sector, in the order of the kinds.
fn by_sector(partners: Vec<Partner>) -> Vec<(&'static str, Vec<Partner>)> {
    let mut out: Vec<(&'static str, Vec<Partner>)> = Vec::new();
    for p in partners {
        let sector = p.organisation.kind.sector();
        match out.iter_mut().find(|(s, _)| *s == sector) {
            Some((_, list)) => list.push(p),
            None => out.push((sector, vec![p])),
        }
    }
    out
}

#[derive(serde::Deserialize)]
struct ShowQuery {
    added: Option<i64>,
    removed: Option<i64>,
}

async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<FootprintPage, AppError> {
    let f = footprint(&state, &code).await?;
    let partners = state.store.partners(f.id).await?;
    let people = state.store.footprint_people(f.id).await?;
    let leads = people
        .iter()
        .filter(|(_, r)| *r == FootprintRole::Lead)
        .map(|(u, _)| u.clone())
        .collect();
    let people = viewer
        .can(Action::ViewFootprintPrivate(f.id))
        .then(|| people.into_iter().map(|(u, r)| (u, r.role().label())).collect());
    let can_edit_partners = viewer.can(Action::EditPartners(f.id));
    let banner = match (q.added, q.removed) {
        (Some(id), _) if can_edit_partners => state
            .store
            .organisation(id)
            .await?
            .map(|o| format!("{} is now a partner of {}", o.name, f.name)),
        (_, Some(id)) if can_edit_partners => state
            .store
            .organisation(id)
            .await?
            .map(|o| format!("{} is no longer a partner of {}", o.name, f.name)),
        _ => None,
    };
    let plan = match state.store.latest_published_plan(f.id).await? {
        Some(v) => {
            let doc = crate::routes::plans::document(&v)?;
            Some((
                v.number.unwrap_or(0),
                crate::page::when(&v.created_at),
                doc.name().to_string(),
                doc.initiative_count(),
            ))
        }
        None => None,
    };
    let draft = viewer.can(Action::ViewFootprintPrivate(f.id)) && state.store.plan_draft(f.id).await?.is_some();
    Ok(FootprintPage {
        plan,
        draft,
        page: Page::new(f.name.clone(), &viewer, "footprints"),
        partner_count: partners.len(),
        sectors: by_sector(partners),
        leads,
        people,
        can_edit_partners,
        can_see_audit: viewer.can(Action::ViewFootprintAudit(f.id)),
        can_manage_people: viewer.can(Action::ManageFootprintPeople(f.id)),
        banner,
        footprint: f,
    })
}

async fn add_partner_page(
    state: &AppState,
    viewer: &Viewer,
    f: Footprint,
    selected: String,
    errors: Vec<FieldError>,
) -> Result<AddPartnerPage, AppError> {
    let current: Vec<i64> = state
        .store
        .partners(f.id)
        .await?
        .into_iter()
        .map(|p| p.organisation.id)
        .collect();
    let choices = state
        .store
        .organisations()
        .await?
        .into_iter()
        .filter(|o| !current.contains(&o.id))
        .collect();
    Ok(AddPartnerPage {
        page: Page::new(format!("Add a partner to {}", f.name), viewer, "footprints").with_errors(errors),
        footprint: f,
        choices,
        selected,
    })
}

async fn add_partner_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<AddPartnerPage, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::EditPartners(f.id))?;
    add_partner_page(&state, &viewer, f, String::new(), Vec::new()).await
}

#[derive(serde::Deserialize)]
struct AddPartnerForm {
    #[serde(default)]
    organisation: String,
}

async fn add_partner(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Form(form): Form<AddPartnerForm>,
) -> Result<Response, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::EditPartners(f.id))?;
    let err = |m: &str| vec![FieldError::new("organisation", m)];
    let Ok(org) = form.organisation.trim().parse::<i64>() else {
        let errors = err("Choose the organisation to add as a partner");
        return Ok(add_partner_page(&state, &viewer, f, form.organisation, errors)
            .await?
            .into_response());
    };
    match state.store.add_partner(&viewer.who(), f.id, org).await {
        Ok(()) => Ok(Redirect::to(&format!("/footprints/{}?added={org}", f.code)).into_response()),
        Err(e) if e.is_user_error() => {
            let message = match &e {
                footprint_store::StoreError::NotFound(_) => "Choose an organisation from the list".to_string(),
                other => other.to_string(),
            };
            Ok(add_partner_page(&state, &viewer, f, form.organisation, err(&message))
                .await?
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn remove_partner(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, organisation)): Path<(String, i64)>,
) -> Result<Redirect, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::EditPartners(f.id))?;
    state.store.remove_partner(&viewer.who(), f.id, organisation).await?;
    Ok(Redirect::to(&format!("/footprints/{}?removed={organisation}", f.code)))
}
