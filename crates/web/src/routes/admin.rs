//! The audit log: the whole site's (site administrators) and a footprint's (its board, lead and
//! national assurance).

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use footprint_domain::access::Action;

use crate::AppState;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::page::{AuditPage, Page};
use crate::routes::footprints::footprint;

const PAGE_SIZE: i64 = 50;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/audit", get(site_audit))
        .route("/footprints/{code}/audit", get(footprint_audit))
}

#[derive(serde::Deserialize)]
struct Paging {
    before: Option<i64>,
}

async fn site_audit(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(p): Query<Paging>,
) -> Result<AuditPage, AppError> {
    viewer.require(Action::ViewSiteAudit)?;
    let entries = state.store.audit_entries(None, p.before, PAGE_SIZE).await?;
    let next = (entries.len() as i64 == PAGE_SIZE)
        .then(|| entries.last().map(|e| format!("/admin/audit?before={}", e.id)))
        .flatten();
    Ok(AuditPage {
        page: Page::new("Audit log", &viewer, "admin"),
        heading: "Audit log".into(),
        entries,
        next,
    })
}

async fn footprint_audit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Query(p): Query<Paging>,
) -> Result<AuditPage, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::ViewFootprintAudit(f.id))?;
    let entries = state.store.audit_entries(Some(f.id), p.before, PAGE_SIZE).await?;
    let next = (entries.len() as i64 == PAGE_SIZE)
        .then(|| {
            entries
                .last()
                .map(|e| format!("/footprints/{}/audit?before={}", f.code, e.id))
        })
        .flatten();
    let heading = format!("Audit log of {}", f.name);
    Ok(AuditPage {
        page: Page::new(heading.clone(), &viewer, "footprints"),
        heading,
        entries,
        next,
    })
}
