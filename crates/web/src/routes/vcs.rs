//! The voluntary and community sector directory (`/vcs`): what each organisation does, where,
//! and the council for voluntary service that links it; a way for one to ask to join a
//! footprint's engagement (no account needed); and the lead's answer to such a request.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use footprint_domain::access::Action;
use footprint_domain::organisation::OrgKind;
use footprint_store::StoreError;
use footprint_store::vcs::NewJoinRequest;

use crate::AppState;
use crate::auth::Viewer;
use crate::error::{AppError, FieldError};
use crate::page::{Page, VcsEditPage, VcsJoinPage, VcsPage};
use crate::routes::footprints::footprint;
use crate::routes::organisations::footprints_of;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/vcs", get(directory))
        .route("/vcs/join", get(join_form).post(join))
        .route("/vcs/{id}/edit", get(edit_form).post(edit))
        .route("/footprints/{code}/engagement/requests/{id}", post(decide))
}

type Fields = HashMap<String, String>;

fn field(f: &Fields, k: &str) -> String {
    f.get(k).map_or("", |s| s.trim()).to_string()
}

#[derive(serde::Deserialize)]
struct Search {
    #[serde(default)]
    q: String,
}

async fn directory(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(search): Query<Search>,
) -> Result<VcsPage, AppError> {
    let q = search.q.trim().to_lowercase();
    let all = state.store.vcs_directory().await?;
    let total = all.len();
    let entries = all
        .into_iter()
        .filter(|e| {
            q.is_empty()
                || e.name.to_lowercase().contains(&q)
                || e.area_served.to_lowercase().contains(&q)
                || e.description.to_lowercase().contains(&q)
        })
        .collect();
    Ok(VcsPage {
        page: Page::new("Voluntary and community sector directory", &viewer, "vcs"),
        q: search.q.trim().to_string(),
        total,
        entries,
    })
}

async fn join_page(
    state: &AppState,
    viewer: &Viewer,
    errors: Vec<FieldError>,
    fields: Fields,
    sent: bool,
) -> Result<VcsJoinPage, AppError> {
    let footprints = state
        .store
        .footprints()
        .await?
        .into_iter()
        .map(|f| (f.footprint.code, f.footprint.name))
        .collect();
    let organisations = state
        .store
        .vcs_directory()
        .await?
        .into_iter()
        .map(|e| (e.id.to_string(), e.name))
        .collect();
    Ok(VcsJoinPage {
        page: Page::new(
            if sent {
                "Request sent"
            } else {
                "Ask to join a footprint's engagement"
            },
            viewer,
            "vcs",
        )
        .with_errors(errors),
        footprints,
        organisations,
        fields,
        sent,
    })
}

async fn join_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<Fields>,
) -> Result<VcsJoinPage, AppError> {
    let mut fields = Fields::new();
    if let Some(f) = q.get("footprint") {
        fields.insert("footprint".into(), f.clone());
    }
    join_page(&state, &viewer, Vec::new(), fields, false).await
}

async fn join(State(state): State<AppState>, viewer: Viewer, Form(form): Form<Fields>) -> Result<Response, AppError> {
    // The same spam trap as the response form.
    if !field(&form, "website").is_empty() {
        return Ok(join_page(&state, &viewer, Vec::new(), Fields::new(), true)
            .await?
            .into_response());
    }
    let mut errors = Vec::new();
    let code = field(&form, "footprint");
    let f = match state.store.footprint_by_code(&code).await? {
        Some(f) => Some(f),
        None => {
            errors.push(FieldError::new(
                "footprint",
                "Choose the footprint whose engagement you want to join",
            ));
            None
        }
    };
    let chosen = field(&form, "organisation_id");
    let directory = state.store.vcs_directory().await?;
    let existing = directory.iter().find(|e| e.id.to_string() == chosen);
    let name = match existing {
        Some(e) => e.name.clone(),
        None => field(&form, "organisation"),
    };
    if existing.is_none() && !chosen.is_empty() {
        errors.push(FieldError::new(
            "organisation_id",
            "Choose your organisation from the list, or leave it and give its name",
        ));
    } else if name.is_empty() {
        errors.push(FieldError::new(
            "organisation",
            "Give your organisation's name, or choose it from the list",
        ));
    } else if name.chars().count() > 200 {
        errors.push(FieldError::new(
            "organisation",
            "The name must be 200 characters or fewer",
        ));
    }
    let contact_name = field(&form, "contact_name");
    if contact_name.is_empty() || contact_name.chars().count() > 200 {
        errors.push(FieldError::new(
            "contact_name",
            "Enter the name of someone we can contact (200 characters or fewer)",
        ));
    }
    let contact_email = field(&form, "contact_email");
    if footprint_domain::person::Email::parse(&contact_email).is_err() {
        errors.push(FieldError::new(
            "contact_email",
            "Enter an email address in the right format, like name@example.com",
        ));
    }
    let message = field(&form, "message");
    if message.is_empty() {
        errors.push(FieldError::new(
            "message",
            "Tell the footprint who you work with and how you would like to be involved",
        ));
    } else if message.chars().count() > 5000 {
        errors.push(FieldError::new(
            "message",
            "The message must be 5,000 characters or fewer",
        ));
    }
    let (description, area_served) = (field(&form, "description"), field(&form, "area_served"));
    if description.chars().count() > 2000 || area_served.chars().count() > 200 {
        errors.push(FieldError::new(
            "description",
            "Keep what you do to 2,000 characters and where to 200",
        ));
    }
    let Some(f) = f.filter(|_| errors.is_empty()) else {
        return Ok(join_page(&state, &viewer, errors, form, false).await?.into_response());
    };
    let request = NewJoinRequest {
        organisation_id: existing.map(|e| e.id),
        organisation: name,
        description,
        area_served,
        contact_name,
        contact_email,
        message,
    };
    state.store.request_to_join(f.id, &request).await?;
    let mut kept = Fields::new();
    kept.insert("footprint_name".into(), f.name);
    Ok(join_page(&state, &viewer, Vec::new(), kept, true)
        .await?
        .into_response())
}

async fn edit_page(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    errors: Vec<FieldError>,
    kept: Option<Fields>,
) -> Result<VcsEditPage, AppError> {
    let directory = state.store.vcs_directory().await?;
    let entry = directory
        .iter()
        .find(|e| e.id == id)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let mut fields = Fields::new();
    fields.insert("description".into(), entry.description.clone());
    fields.insert("area_served".into(), entry.area_served.clone());
    fields.insert(
        "cvs".into(),
        entry.cvs.as_ref().map_or(String::new(), |c| c.0.to_string()),
    );
    if let Some(k) = kept {
        fields.extend(k);
    }
    Ok(VcsEditPage {
        page: Page::new(format!("Directory entry: {}", entry.name), viewer, "vcs").with_errors(errors),
        cvs: directory
            .iter()
            .filter(|e| e.kind == OrgKind::Cvs && e.id != id)
            .map(|e| (e.id.to_string(), e.name.clone()))
            .collect(),
        entry,
        fields,
    })
}

async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<VcsEditPage, AppError> {
    let (_, scope) = footprints_of(&state, id).await?;
    viewer.require(Action::EditOrganisation(scope))?;
    edit_page(&state, &viewer, id, Vec::new(), None).await
}

async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<Fields>,
) -> Result<Response, AppError> {
    let (_, scope) = footprints_of(&state, id).await?;
    viewer.require(Action::EditOrganisation(scope))?;
    let (description, area_served) = (field(&form, "description"), field(&form, "area_served"));
    let mut errors = Vec::new();
    if description.chars().count() > 2000 {
        errors.push(FieldError::new(
            "description",
            "What it does must be 2,000 characters or fewer",
        ));
    }
    if area_served.chars().count() > 200 {
        errors.push(FieldError::new(
            "area_served",
            "Where it works must be 200 characters or fewer",
        ));
    }
    let cvs = field(&form, "cvs");
    let cvs_id = if cvs.is_empty() { None } else { cvs.parse::<i64>().ok() };
    if !cvs.is_empty() && cvs_id.is_none() {
        errors.push(FieldError::new(
            "cvs",
            "Choose a council for voluntary service from the list",
        ));
    }
    if errors.is_empty() {
        match state
            .store
            .set_directory_entry(&viewer.who(), id, &description, &area_served, cvs_id)
            .await
        {
            Ok(()) => return Ok(Redirect::to(&format!("/vcs#org-{id}")).into_response()),
            Err(StoreError::Conflict { field, message }) => errors.push(FieldError::new(field, message)),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(edit_page(&state, &viewer, id, errors, Some(form))
        .await?
        .into_response())
}

async fn decide(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id)): Path<(String, i64)>,
    Form(form): Form<Fields>,
) -> Result<Response, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::ManageConsultations(f.id))?;
    let accept = match field(&form, "decision").as_str() {
        "accept" => true,
        "decline" => false,
        _ => {
            return Err(AppError::Invalid(vec![FieldError::new(
                "decision",
                "Accept or decline the request",
            )]));
        }
    };
    match state.store.decide_join_request(&viewer.who(), f.id, id, accept).await {
        Ok(()) => Ok(Redirect::to(&format!("/footprints/{}/engagement#network", f.code)).into_response()),
        Err(StoreError::Conflict { field, message }) => Err(AppError::Conflict(FieldError::new(field, message))),
        Err(e) => Err(e.into()),
    }
}
