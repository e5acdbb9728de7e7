//! Organisations: a page for each, and the forms to add and edit them.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use footprint_domain::access::{Action, OrganisationFootprints};
use footprint_domain::organisation::{OrgKind, OrganisationInput};

use crate::AppState;
use crate::auth::Viewer;
use crate::error::{AppError, FieldError};
use crate::page::{OrganisationFormPage, OrganisationPage, Page};
use crate::routes::field_errors;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/organisations/new", get(new_form).post(create))
        .route("/organisations/{id}", get(show))
        .route("/organisations/{id}/edit", get(edit_form).post(update))
}

pub async fn footprints_of(
    state: &AppState,
    id: i64,
) -> Result<(Vec<(i64, String, String)>, OrganisationFootprints), AppError> {
    let fs = state.store.organisation_footprints(id).await?;
    let ids: Vec<i64> = fs.iter().map(|(i, _, _)| *i).collect();
    Ok((fs, OrganisationFootprints::new(&ids)))
}

async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<OrganisationPage, AppError> {
    let organisation = state.store.organisation(id).await?.ok_or(AppError::NotFound)?;
    let (footprints, scope) = footprints_of(&state, id).await?;
    Ok(OrganisationPage {
        page: Page::new(organisation.name.clone(), &viewer, "footprints"),
        can_edit: viewer.can(Action::EditOrganisation(scope)),
        organisation,
        footprints,
    })
}

#[derive(serde::Deserialize, Default)]
struct OrganisationForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    foundation_trust: Option<String>,
    #[serde(default)]
    ods_code: String,
    #[serde(default)]
    version: i64,
    /// A footprint to add the new organisation to as a partner, by code.
    #[serde(default)]
    footprint: String,
}

fn form_page(
    viewer: &Viewer,
    action: String,
    heading: String,
    form: OrganisationForm,
    errors: Vec<FieldError>,
) -> OrganisationFormPage {
    OrganisationFormPage {
        page: Page::new(heading.clone(), viewer, "footprints").with_errors(errors),
        action,
        heading,
        name: form.name,
        kind: form.kind,
        foundation_trust: form.foundation_trust.is_some(),
        ods_code: form.ods_code,
        version: form.version,
        then_footprint: form.footprint,
        kinds: OrgKind::ALL
            .iter()
            .map(|k| (k.key().to_string(), k.label().to_string()))
            .collect(),
    }
}

#[derive(serde::Deserialize)]
struct NewQuery {
    #[serde(default)]
    footprint: String,
}

async fn new_form(viewer: Viewer, Query(q): Query<NewQuery>) -> Result<OrganisationFormPage, AppError> {
    viewer.require(Action::CreateOrganisation)?;
    let form = OrganisationForm {
        footprint: q.footprint,
        ..OrganisationForm::default()
    };
    Ok(form_page(
        &viewer,
        "/organisations/new".into(),
        "Add an organisation".into(),
        form,
        Vec::new(),
    ))
}

async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<OrganisationForm>,
) -> Result<Response, AppError> {
    viewer.require(Action::CreateOrganisation)?;
    let page = |form, errors| {
        form_page(
            &viewer,
            "/organisations/new".into(),
            "Add an organisation".into(),
            form,
            errors,
        )
        .into_response()
    };
    // If the form names a footprint, the new organisation joins it: that needs the right to edit its partners.
    let target = if form.footprint.trim().is_empty() {
        None
    } else {
        let f = state
            .store
            .footprint_by_code(&form.footprint)
            .await?
            .ok_or(AppError::NotFound)?;
        viewer.require(Action::EditPartners(f.id))?;
        Some(f)
    };
    let input = match OrganisationInput::parse(&form.name, &form.kind, form.foundation_trust.is_some(), &form.ods_code)
    {
        Ok(i) => i,
        Err(errors) => return Ok(page(form, field_errors(errors))),
    };
    let created = match state.store.create_organisation(&viewer.who(), &input).await {
        Ok(o) => o,
        Err(footprint_store::StoreError::Conflict { field, message }) => {
            return Ok(page(form, vec![FieldError::new(field, message)]));
        }
        Err(e) => return Err(e.into()),
    };
    match target {
        Some(f) => {
            state.store.add_partner(&viewer.who(), f.id, created.id).await?;
            Ok(Redirect::to(&format!("/footprints/{}?added={}", f.code, created.id)).into_response())
        }
        None => Ok(Redirect::to(&format!("/organisations/{}", created.id)).into_response()),
    }
}

async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<OrganisationFormPage, AppError> {
    let o = state.store.organisation(id).await?.ok_or(AppError::NotFound)?;
    let (_, scope) = footprints_of(&state, id).await?;
    viewer.require(Action::EditOrganisation(scope))?;
    let form = OrganisationForm {
        name: o.name.clone(),
        kind: o.kind.key().to_string(),
        foundation_trust: o.foundation_trust.then(|| "yes".to_string()),
        ods_code: o.ods_code.clone().unwrap_or_default(),
        version: o.version,
        footprint: String::new(),
    };
    Ok(form_page(
        &viewer,
        format!("/organisations/{id}/edit"),
        format!("Edit {}", o.name),
        form,
        Vec::new(),
    ))
}

async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<OrganisationForm>,
) -> Result<Response, AppError> {
    let o = state.store.organisation(id).await?.ok_or(AppError::NotFound)?;
    let (_, scope) = footprints_of(&state, id).await?;
    viewer.require(Action::EditOrganisation(scope))?;
    let heading = format!("Edit {}", o.name);
    let page = |form, errors| {
        form_page(
            &viewer,
            format!("/organisations/{id}/edit"),
            heading.clone(),
            form,
            errors,
        )
        .into_response()
    };
    let input = match OrganisationInput::parse(&form.name, &form.kind, form.foundation_trust.is_some(), &form.ods_code)
    {
        Ok(i) => i,
        Err(errors) => return Ok(page(form, field_errors(errors))),
    };
    match state
        .store
        .update_organisation(&viewer.who(), id, form.version, &input)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/organisations/{id}")).into_response()),
        Err(footprint_store::StoreError::Conflict { field, message }) => {
            Ok(page(form, vec![FieldError::new(field, message)]))
        }
        Err(e @ footprint_store::StoreError::Stale(_)) => Ok(page(form, vec![FieldError::new("name", e.to_string())])),
        Err(e) => Err(e.into()),
    }
}
