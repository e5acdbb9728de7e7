//! Views of a footprint's current plan: its portfolio (savings and investment by care setting
//! and by kind) and its shared accountability (organisations × initiatives, RACI).

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use footprint_domain::access::Action;
use footprint_domain::plan::{PartnerRole, portfolio};
use footprint_store::plans::PlanVersion;

use crate::AppState;
use crate::auth::Viewer;
use crate::charts::{money, percent};
use crate::error::AppError;
use crate::page::{AccountabilityPage, Page, PortfolioPage};
use crate::routes::footprints::footprint;
use crate::routes::plans::document;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/footprints/{code}/plan/portfolio", get(portfolio_page))
        .route("/footprints/{code}/accountability", get(accountability))
}

/// The version these views show: the draft to partners and national assurance, else the newest
/// published one; and its label.
async fn shown(state: &AppState, viewer: &Viewer, footprint_id: i64) -> Result<(PlanVersion, String), AppError> {
    if viewer.can(Action::ViewFootprintPrivate(footprint_id))
        && let Some(d) = state.store.plan_draft(footprint_id).await?
    {
        return Ok((d, "the draft plan".into()));
    }
    let v = state
        .store
        .latest_published_plan(footprint_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let label = format!("version {} of the plan", v.number.unwrap_or(0));
    Ok((v, label))
}

async fn portfolio_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<PortfolioPage, AppError> {
    let f = footprint(&state, &code).await?;
    let (v, label) = shown(&state, &viewer, f.id).await?;
    let doc = document(&v)?;
    let plan = doc
        .validate()
        .map_err(|e| AppError::internal(format!("a stored plan does not validate: {e}")))?;
    let p = portfolio(&plan, &doc.initiatives);
    let total_s: f64 = p.by_setting.iter().map(|l| l.savings).sum();
    let total_i: f64 = p.by_setting.iter().map(|l| l.running + l.capital).sum();
    let share = |a: f64, b: f64| if b > 0.0 { percent(a / b) } else { "–".into() };
    let rows = |lines: &[footprint_domain::plan::PortfolioLine]| {
        lines
            .iter()
            .map(|l| {
                [
                    l.group.replace('-', " "),
                    l.initiatives.to_string(),
                    money(l.savings),
                    share(l.savings, total_s),
                    money(l.running),
                    money(l.capital),
                    share(l.running + l.capital, total_i),
                ]
            })
            .collect()
    };
    Ok(PortfolioPage {
        page: Page::new(format!("Portfolio of the {} plan", f.name), &viewer, "footprints"),
        label,
        tables: vec![
            ("By care setting".to_string(), rows(&p.by_setting)),
            ("By kind".to_string(), rows(&p.by_kind)),
        ],
        acute: percent(p.acute_savings_share),
        out_of_hospital: percent(p.out_of_hospital_investment_share),
        warning: p.warning,
        footprint: f,
    })
}

async fn accountability(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<AccountabilityPage, AppError> {
    let f = footprint(&state, &code).await?;
    let (v, label) = shown(&state, &viewer, f.id).await?;
    let doc = document(&v)?;
    let partners = state.store.partners(f.id).await?;
    let names = crate::stress::initiative_names(&doc.model);
    let letter = |org: i64, d: &footprint_domain::plan::InitiativeDetails| -> &'static str {
        if d.lead == Some(org) {
            return "A";
        }
        match d.partners.iter().find(|(o, _)| *o == org).map(|(_, r)| *r) {
            Some(PartnerRole::Responsible) => "R",
            Some(PartnerRole::Consulted) => "C",
            Some(PartnerRole::Informed) => "I",
            None => "",
        }
    };
    let orgs: Vec<(i64, String)> = partners
        .iter()
        .map(|p| (p.organisation.id, p.organisation.name.clone()))
        .collect();
    let matrix: Vec<(String, Vec<String>)> = doc
        .initiatives
        .iter()
        .map(|d| {
            let name = names
                .iter()
                .find(|(i, _)| *i == d.id)
                .map_or(d.id.clone(), |(_, n)| n.clone());
            (name, orgs.iter().map(|(o, _)| letter(*o, d).to_string()).collect())
        })
        .collect();
    let per_org: Vec<(String, Vec<String>, Vec<String>)> = orgs
        .iter()
        .map(|(o, name)| {
            let leads = doc
                .initiatives
                .iter()
                .filter(|d| d.lead == Some(*o))
                .map(|d| {
                    names
                        .iter()
                        .find(|(i, _)| *i == d.id)
                        .map_or(d.id.clone(), |(_, n)| n.clone())
                })
                .collect();
            let depends = doc
                .initiatives
                .iter()
                .filter(|d| d.partners.iter().any(|(p, r)| p == o && *r == PartnerRole::Responsible))
                .map(|d| {
                    names
                        .iter()
                        .find(|(i, _)| *i == d.id)
                        .map_or(d.id.clone(), |(_, n)| n.clone())
                })
                .collect();
            (name.clone(), leads, depends)
        })
        .collect();
    let no_lead = doc.initiatives.iter().filter(|d| d.lead.is_none()).count();
    Ok(AccountabilityPage {
        page: Page::new(
            format!("Who is accountable for what in {}", f.name),
            &viewer,
            "footprints",
        ),
        label,
        organisations: orgs.into_iter().map(|(_, n)| n).collect(),
        matrix,
        per_org,
        no_lead,
        footprint: f,
    })
}
