//! The plan's words: its vision, what each of the three gaps means in the footprint, and the
//! priorities under each gap; and adding an initiative to the draft.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use footprint_domain::access::Action;
use footprint_domain::plan::{InitiativeDetails, PlanDocument, Priority};
use footprint_store::StoreError;
use serde_json::json;

use crate::AppState;
use crate::auth::Viewer;
use crate::error::{AppError, FieldError};
use crate::page::{NewInitiativePage, Page, VisionPage};
use crate::routes::footprints::footprint;
use crate::routes::plans::document;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/footprints/{code}/plan/vision", get(vision_form).post(save_vision))
        .route(
            "/footprints/{code}/plan/initiatives/new",
            get(new_form).post(add_initiative),
        )
}

/// An id from a title: lower-case words joined by hyphens, made unique among `taken`.
pub fn slug(title: &str, taken: &[String]) -> String {
    let base: String = title
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|w| !w.is_empty())
        .take(6)
        .collect::<Vec<_>>()
        .join("-");
    let base = if base.is_empty() { "item".to_string() } else { base };
    let mut id = base.clone();
    let mut n = 2;
    while taken.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

type Fields = HashMap<String, String>;

fn fields_from(doc: &PlanDocument) -> Fields {
    let mut f = Fields::new();
    f.insert("vision".into(), doc.vision.clone());
    for (g, gap) in doc.gaps.iter().enumerate() {
        f.insert(format!("summary_{g}"), gap.summary.clone());
        for (i, p) in gap.priorities.iter().enumerate() {
            f.insert(format!("p_{g}_{i}_id"), p.id.clone());
            f.insert(format!("p_{g}_{i}_title"), p.title.clone());
            f.insert(format!("p_{g}_{i}_description"), p.description.clone());
        }
    }
    f
}

fn vision_page(
    viewer: &Viewer,
    f: footprint_store::footprints::Footprint,
    doc: &PlanDocument,
    fields: &Fields,
    errors: Vec<FieldError>,
) -> VisionPage {
    let get = |k: String| fields.get(&k).cloned().unwrap_or_default();
    VisionPage {
        page: Page::new("The plan's vision, gaps and priorities", viewer, "footprints").with_errors(errors),
        vision: get("vision".into()),
        revision: get("revision".into()),
        gaps: doc
            .gaps
            .iter()
            .enumerate()
            .map(|(g, gap)| {
                let mut rows: Vec<(String, String, String, String)> = (0..gap.priorities.len())
                    .map(|i| {
                        (
                            format!("p_{g}_{i}"),
                            get(format!("p_{g}_{i}_id")),
                            get(format!("p_{g}_{i}_title")),
                            get(format!("p_{g}_{i}_description")),
                        )
                    })
                    .collect();
                rows.push((
                    format!("p_{g}_new"),
                    String::new(),
                    get(format!("p_{g}_new_title")),
                    get(format!("p_{g}_new_description")),
                ));
                (
                    g.to_string(),
                    gap.gap.label().to_string(),
                    get(format!("summary_{g}")),
                    rows,
                )
            })
            .collect(),
        footprint: f,
    }
}

async fn vision_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<VisionPage, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::EditPlan(f.id))?;
    let draft = state.store.plan_draft(f.id).await?.ok_or(AppError::NotFound)?;
    let doc = document(&draft)?;
    let mut fields = fields_from(&doc);
    fields.insert("revision".into(), draft.revision.to_string());
    Ok(vision_page(&viewer, f, &doc, &fields, Vec::new()))
}

async fn save_vision(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Form(fields): Form<Fields>,
) -> Result<Response, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::EditPlan(f.id))?;
    let draft = state.store.plan_draft(f.id).await?.ok_or(AppError::NotFound)?;
    let old = document(&draft)?;
    let mut doc = old.clone();
    let get = |k: String| fields.get(&k).map(|s| s.trim().to_string()).unwrap_or_default();
    let mut errors = Vec::new();
    doc.vision = get("vision".into());
    let mut taken: Vec<String> = old
        .gaps
        .iter()
        .flat_map(|g| g.priorities.iter().map(|p| p.id.clone()))
        .collect();
    for (g, gap) in doc.gaps.iter_mut().enumerate() {
        gap.summary = get(format!("summary_{g}"));
        let mut kept = Vec::new();
        for (i, p) in old.gaps[g].priorities.iter().enumerate() {
            let title = get(format!("p_{g}_{i}_title"));
            if title.is_empty() {
                let used = old
                    .initiatives
                    .iter()
                    .filter(|d| d.priority.as_deref() == Some(p.id.as_str()))
                    .count();
                if used > 0 {
                    errors.push(FieldError::new(
                        &format!("p_{g}_{i}_title"),
                        format!(
                            "{used} initiative{} under \"{}\": move {} to another priority before removing it",
                            if used == 1 { " is" } else { "s are" },
                            p.title,
                            if used == 1 { "it" } else { "them" }
                        ),
                    ));
                    kept.push(p.clone());
                }
                continue;
            }
            kept.push(Priority {
                id: p.id.clone(),
                title,
                description: get(format!("p_{g}_{i}_description")),
            });
        }
        let new_title = get(format!("p_{g}_new_title"));
        if !new_title.is_empty() {
            let id = slug(&new_title, &taken);
            taken.push(id.clone());
            kept.push(Priority {
                id,
                title: new_title,
                description: get(format!("p_{g}_new_description")),
            });
        } else if !get(format!("p_{g}_new_description")).is_empty() {
            errors.push(FieldError::new(
                &format!("p_{g}_new_title"),
                "Enter the new priority's title",
            ));
        }
        gap.priorities = kept;
    }
    if errors.is_empty()
        && let Err(bad) = doc.validate()
    {
        errors = bad
            .errors
            .iter()
            .map(|e| FieldError::new("vision", e.to_string()))
            .collect();
    }
    if !errors.is_empty() {
        return Ok(vision_page(&viewer, f, &old, &fields, errors).into_response());
    }
    let revision: i64 = get("revision".into()).parse().unwrap_or(-1);
    let text = serde_json::to_string(&doc).map_err(|e| AppError::internal(e.to_string()))?;
    match state
        .store
        .update_plan_draft(
            &viewer.who(),
            f.id,
            revision,
            &text,
            "Edited the plan's vision, gaps and priorities",
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/footprints/{}/plan", f.code)).into_response()),
        Err(StoreError::Stale(_)) => {
            let e = crate::routes::stale_draft("vision", "words");
            let mut kept = fields.clone();
            kept.insert("revision".into(), draft.revision.to_string());
            Ok(vision_page(&viewer, f, &old, &kept, vec![e]).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<NewInitiativePage, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::EditPlan(f.id))?;
    state.store.plan_draft(f.id).await?.ok_or(AppError::NotFound)?;
    Ok(NewInitiativePage {
        page: Page::new("Add an initiative", &viewer, "footprints"),
        name: String::new(),
        setting: String::new(),
        settings: footprint_stress::plan::Setting::ALL
            .iter()
            .map(|s| (s.as_str().to_string(), s.as_str().replace('-', " ")))
            .collect(),
        footprint: f,
    })
}

#[derive(serde::Deserialize)]
struct NewInitiative {
    #[serde(default)]
    name: String,
    #[serde(default)]
    setting: String,
}

/// Adds an initiative to the draft with neutral figures (no saving yet), then opens its form.
async fn add_initiative(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Form(form): Form<NewInitiative>,
) -> Result<Response, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::EditPlan(f.id))?;
    let again = |errors: Vec<FieldError>| {
        NewInitiativePage {
            page: Page::new("Add an initiative", &viewer, "footprints").with_errors(errors),
            name: form.name.clone(),
            setting: form.setting.clone(),
            settings: footprint_stress::plan::Setting::ALL
                .iter()
                .map(|s| (s.as_str().to_string(), s.as_str().replace('-', " ")))
                .collect(),
            footprint: f.clone(),
        }
        .into_response()
    };
    let name = form.name.trim();
    let mut errors = Vec::new();
    if name.is_empty() {
        errors.push(FieldError::new("name", "Enter the initiative's name"));
    }
    if footprint_stress::plan::Setting::parse(form.setting.trim()).is_none() {
        errors.push(FieldError::new("setting", "Choose the care setting"));
    }
    if !errors.is_empty() {
        return Ok(again(errors));
    }
    for _ in 0..3 {
        let draft = state.store.plan_draft(f.id).await?.ok_or(AppError::NotFound)?;
        let mut doc = document(&draft)?;
        let taken: Vec<String> = doc.initiatives.iter().map(|d| d.id.clone()).collect();
        let id = slug(name, &taken);
        let initiative = json!({
            "id": id, "name": name, "setting": form.setting.trim(), "saving": 0.0,
            "start_month": 0, "ramp_months": 12, "delivery": "medium"
        });
        match doc.model.get_mut("initiative").and_then(|v| v.as_array_mut()) {
            Some(list) => list.push(initiative),
            None => doc.model["initiative"] = json!([initiative]),
        }
        doc.initiatives.push(InitiativeDetails::new(id.clone()));
        if let Err(bad) = doc.validate() {
            return Ok(again(
                bad.errors
                    .iter()
                    .map(|e| FieldError::new("name", e.to_string()))
                    .collect(),
            ));
        }
        let text = serde_json::to_string(&doc).map_err(|e| AppError::internal(e.to_string()))?;
        match state
            .store
            .update_plan_draft(
                &viewer.who(),
                f.id,
                draft.revision,
                &text,
                &format!("Added initiative {name}"),
            )
            .await
        {
            Ok(_) => {
                return Ok(Redirect::to(&format!("/footprints/{}/plan/initiatives/{id}/edit", f.code)).into_response());
            }
            Err(StoreError::Stale(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::Conflict(FieldError::new(
        "plan",
        "The draft is being changed by several people at once; try again",
    )))
}

#[cfg(test)]
mod tests {
    #[test]
    fn slugs_are_ids_and_unique() {
        let taken = vec!["care-homes".to_string()];
        assert_eq!(super::slug("Care homes", &taken), "care-homes-2");
        assert_eq!(
            super::slug("  Urgent & Emergency Care (UEC)!", &[]),
            "urgent-emergency-care-uec"
        );
        assert_eq!(super::slug("§§", &[]), "item");
    }
}
