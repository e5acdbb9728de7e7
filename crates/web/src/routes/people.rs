//! People: a footprint's people and their roles (its lead manages them), and accounts (site
//! administrators create them).

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use footprint_domain::access::{Action, FootprintRole, SiteRole};
use footprint_domain::person::{Email, parse_display_name};
use footprint_store::users::NewUser;

use crate::AppState;
use crate::auth::{Viewer, hash_password};
use crate::error::{AppError, FieldError};
use crate::page::{FootprintPeoplePage, Page, UsersPage};
use crate::routes::footprints::footprint;
use crate::setup::random_password;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/footprints/{code}/people", get(people).post(grant))
        .route("/footprints/{code}/people/{user}/{role}/remove", post(revoke))
        .route("/admin/users", get(users).post(create_user))
}

fn roles() -> Vec<(String, String)> {
    FootprintRole::ALL
        .iter()
        .map(|r| (r.key().to_string(), r.role().label().to_string()))
        .collect()
}

async fn people_page(
    state: &AppState,
    viewer: &Viewer,
    code: &str,
    form: GrantForm,
    errors: Vec<FieldError>,
    banner: Option<String>,
) -> Result<FootprintPeoplePage, AppError> {
    let f = footprint(state, code).await?;
    viewer.require(Action::ManageFootprintPeople(f.id))?;
    let people = state
        .store
        .footprint_people(f.id)
        .await?
        .into_iter()
        .map(|(u, r)| (u, r.key().to_string(), r.role().label().to_string()))
        .collect();
    Ok(FootprintPeoplePage {
        page: Page::new(format!("People in {}", f.name), viewer, "footprints").with_errors(errors),
        footprint: f,
        people,
        roles: roles(),
        email: form.email,
        role: form.role,
        banner,
    })
}

async fn people(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<FootprintPeoplePage, AppError> {
    people_page(&state, &viewer, &code, GrantForm::default(), Vec::new(), None).await
}

#[derive(serde::Deserialize, Default)]
struct GrantForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

async fn grant(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Form(form): Form<GrantForm>,
) -> Result<Response, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::ManageFootprintPeople(f.id))?;
    let mut errors = Vec::new();
    let email = Email::parse(&form.email)
        .map_err(|e| errors.push(FieldError::new("email", e.0)))
        .ok();
    let role = FootprintRole::parse(&form.role);
    if role.is_none() {
        errors.push(FieldError::new("role", "Choose a role"));
    }
    let user = match &email {
        Some(e) => state.store.user_by_email(e).await?,
        None => None,
    };
    if email.is_some() && user.is_none() {
        errors.push(FieldError::new(
            "email",
            "No account uses that email address. Ask a site administrator to create one",
        ));
    }
    let (Some(user), Some(role)) = (user, role) else {
        return Ok(people_page(&state, &viewer, &code, form, errors, None)
            .await?
            .into_response());
    };
    state
        .store
        .grant_footprint_role(&viewer.who(), user.id, f.id, role)
        .await?;
    let banner = format!(
        "{} is now {} in {}",
        user.display_name,
        role.role().label().to_lowercase(),
        f.name
    );
    Ok(
        people_page(&state, &viewer, &code, GrantForm::default(), Vec::new(), Some(banner))
            .await?
            .into_response(),
    )
}

async fn revoke(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, user, role)): Path<(String, i64, String)>,
) -> Result<Redirect, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::ManageFootprintPeople(f.id))?;
    let role = FootprintRole::parse(&role).ok_or(AppError::NotFound)?;
    state
        .store
        .revoke_footprint_role(&viewer.who(), user, f.id, role)
        .await?;
    Ok(Redirect::to(&format!("/footprints/{}/people", f.code)))
}

#[derive(serde::Deserialize, Default)]
struct UserForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    site_role: String,
    #[serde(default)]
    organisation: String,
}

async fn users_page(
    state: &AppState,
    viewer: &Viewer,
    form: UserForm,
    errors: Vec<FieldError>,
    created: Option<(String, String)>,
) -> Result<UsersPage, AppError> {
    viewer.require(Action::ManageUsers)?;
    let organisations = state.store.organisations().await?;
    let users = state
        .store
        .users()
        .await?
        .into_iter()
        .map(|u| {
            let org = u
                .organisation_id
                .and_then(|id| organisations.iter().find(|o| o.id == id))
                .map(|o| o.name.clone())
                .unwrap_or_default();
            let role = match u.site_role {
                SiteRole::Admin => "Site administrator",
                SiteRole::NationalAssurance => "National assurance",
                SiteRole::None => "",
            };
            (u, org, role.to_string())
        })
        .collect();
    Ok(UsersPage {
        page: Page::new("Accounts", viewer, "admin").with_errors(errors),
        users,
        organisations: organisations.into_iter().map(|o| (o.id.to_string(), o.name)).collect(),
        email: form.email,
        name: form.name,
        site_role: form.site_role,
        organisation: form.organisation,
        created,
    })
}

async fn users(State(state): State<AppState>, viewer: Viewer) -> Result<UsersPage, AppError> {
    users_page(&state, &viewer, UserForm::default(), Vec::new(), None).await
}

async fn create_user(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<UserForm>,
) -> Result<Response, AppError> {
    viewer.require(Action::ManageUsers)?;
    let mut errors = Vec::new();
    let email = Email::parse(&form.email)
        .map_err(|e| errors.push(FieldError::new("email", e.0)))
        .ok();
    let name = parse_display_name(&form.name)
        .map_err(|e| errors.push(FieldError::new("name", e.0)))
        .ok();
    let site_role = match form.site_role.as_str() {
        "" | "none" => Some(SiteRole::None),
        other => SiteRole::parse(other),
    };
    if site_role.is_none() {
        errors.push(FieldError::new("site_role", "Choose a site-wide role, or none"));
    }
    let organisation = match form.organisation.trim() {
        "" => None,
        id => match id.parse::<i64>() {
            Ok(id) if state.store.organisation(id).await?.is_some() => Some(id),
            _ => {
                errors.push(FieldError::new(
                    "organisation",
                    "Choose an organisation from the list, or none",
                ));
                None
            }
        },
    };
    let (Some(email), Some(name), Some(site_role)) = (email, name, site_role) else {
        return Ok(users_page(&state, &viewer, form, errors, None).await?.into_response());
    };
    if !errors.is_empty() {
        return Ok(users_page(&state, &viewer, form, errors, None).await?.into_response());
    }
    let password = random_password();
    let new = NewUser {
        email: email.clone(),
        display_name: name,
        password_hash: hash_password(&state, password.clone()).await?,
        site_role,
        organisation_id: organisation,
    };
    match state.store.create_user(&viewer.who(), &new).await {
        Ok(_) => {
            let created = Some((email.as_str().to_string(), password));
            Ok(users_page(&state, &viewer, UserForm::default(), Vec::new(), created)
                .await?
                .into_response())
        }
        Err(footprint_store::StoreError::Conflict { field, message }) => {
            Ok(
                users_page(&state, &viewer, form, vec![FieldError::new(field, message)], None)
                    .await?
                    .into_response(),
            )
        }
        Err(e) => Err(e.into()),
    }
}
