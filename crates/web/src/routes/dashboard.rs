//! The national dashboard: every footprint in one sortable, filterable table with its finances
//! (from the latest national run), savings as a share of spend, engagement, governance, delivery
//! and submissions, and a four-point rating that shows the areas behind it; small-multiple charts
//! of the main indicators. For national assurance.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use footprint_domain::access::Action;
use footprint_domain::dashboard::{Assessment, Indicators, assess};
use footprint_domain::delivery::planned_savings;
use footprint_domain::guidance::Rating;
use footprint_domain::plan::PlanDocument;

use crate::AppState;
use crate::auth::Viewer;
use crate::charts::{esc, money, percent};
use crate::error::AppError;
use crate::page::Page;
use crate::routes::consultations::today;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/national", get(dashboard))
}

/// One footprint's line.
pub struct Line {
    pub code: String,
    pub name: String,
    pub region: String,
    pub plan: Option<i64>,
    pub gap: Option<f64>,
    pub p_balance: Option<f64>,
    pub savings: Option<f64>,
    pub engagement: Option<f64>,
    pub decisions: i64,
    pub has_body: bool,
    pub late: Option<(usize, usize)>,
    pub submissions: i64,
    pub feedback: Option<Rating>,
    pub assessment: Assessment,
}

impl Line {
    /// The gap in words.
    pub fn gap_text(&self) -> String {
        self.gap.map_or_else(|| "–".into(), money)
    }
    /// P(balance) in words.
    pub fn balance_text(&self) -> String {
        self.p_balance.map_or_else(|| "–".into(), percent)
    }
    /// Savings share in words.
    pub fn savings_text(&self) -> String {
        self.savings.map_or_else(|| "–".into(), percent)
    }
    /// Engagement in words.
    pub fn engagement_text(&self) -> String {
        self.engagement.map_or_else(|| "–".into(), percent)
    }
    /// Governance in words.
    pub fn governance_text(&self) -> String {
        if self.has_body {
            format!("Body set up; {} decisions", self.decisions)
        } else {
            "No body".into()
        }
    }
    /// Delivery in words.
    pub fn late_text(&self) -> String {
        match self.late {
            Some((n, late)) if n > 0 => format!("{late} of {n} late"),
            _ => "–".into(),
        }
    }
    /// Submissions in words.
    pub fn submission_text(&self) -> String {
        match (self.submissions, self.feedback) {
            (0, _) => "None".into(),
            (n, Some(r)) => format!("{n}; last rated {}", r.label().to_lowercase()),
            (n, None) => format!("{n}; awaiting feedback"),
        }
    }
}

/// The dashboard page.
#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    pub page: Page,
    pub lines: Vec<Line>,
    pub regions: Vec<String>,
    pub region: String,
    pub sort: String,
    pub descending: bool,
    /// (key, heading) of the sortable columns.
    pub columns: Vec<(&'static str, &'static str)>,
    pub run: Option<String>,
    /// Small multiples: SVG.
    pub charts: Vec<String>,
}

impl DashboardPage {
    /// The link that sorts by a column (the other way when it is already sorted by it).
    pub fn sort_href(&self, key: &str) -> String {
        let dir = if self.sort == key && !self.descending {
            "desc"
        } else {
            "asc"
        };
        let region = if self.region.is_empty() {
            String::new()
        } else {
            format!("&region={}", self.region.replace(' ', "+"))
        };
        format!("/national?sort={key}&dir={dir}{region}")
    }

    /// The aria-sort attribute of a column: only on the column sorted by.
    pub fn aria_sort(&self, key: &str) -> &'static str {
        match (self.sort == key, self.descending) {
            (true, true) => " aria-sort=\"descending\"",
            (true, false) => " aria-sort=\"ascending\"",
            _ => "",
        }
    }

    /// Which way a column's link sorts, in words.
    pub fn sort_words(&self, key: &str) -> &'static str {
        if self.sort == key && !self.descending {
            "descending"
        } else {
            "ascending"
        }
    }
}

/// The query string.
#[derive(serde::Deserialize, Default)]
pub struct Params {
    sort: Option<String>,
    dir: Option<String>,
    region: Option<String>,
}

const COLUMNS: [(&str, &str); 10] = [
    ("name", "Footprint"),
    ("region", "Region"),
    ("gap", "Final-year gap (median)"),
    ("balance", "Chance of balance"),
    ("savings", "Savings as a share of spend"),
    ("engagement", "Groups involved"),
    ("governance", "Governance"),
    ("late", "Milestones late"),
    ("submission", "Submissions"),
    ("rating", "Rating"),
];

/// A small bar chart of one indicator across the footprints that have it.
fn small_multiple(id: &str, title: &str, values: &[(String, f64)], max: f64, text: impl Fn(f64) -> String) -> String {
    let (w, bar, gap, label_w) = (320.0, 10.0, 4.0, 150.0);
    let h = values.len() as f64 * (bar + gap) + 24.0;
    let mut s = format!(
        "<svg class=\"fp-small-multiple\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-labelledby=\"{id}-title\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"{id}-title\">{}: {}</title><text x=\"0\" y=\"14\" font-size=\"13\" font-weight=\"bold\" fill=\"#212b32\">{}</text>",
        esc(title),
        esc(&values
            .iter()
            .map(|(n, v)| format!("{n} {}", text(*v)))
            .collect::<Vec<_>>()
            .join(", ")),
        esc(title)
    );
    for (k, (name, v)) in values.iter().enumerate() {
        let y = 24.0 + k as f64 * (bar + gap);
        let len = if max > 0.0 {
            (v / max).clamp(0.0, 1.0) * (w - label_w - 50.0)
        } else {
            0.0
        };
        let short: String = name.chars().take(22).collect();
        s.push_str(&format!(
            "<text x=\"0\" y=\"{}\" font-size=\"10\" fill=\"#212b32\">{}</text><rect x=\"{label_w}\" y=\"{y}\" width=\"{len:.1}\" height=\"{bar}\" fill=\"#005eb8\"><title>{}: {}</title></rect><text x=\"{:.1}\" y=\"{}\" font-size=\"10\" fill=\"#212b32\">{}</text>",
            y + bar - 1.0,
            esc(&short),
            esc(name),
            esc(&text(*v)),
            label_w + len + 4.0,
            y + bar - 1.0,
            esc(&text(*v))
        ));
    }
    s.push_str("</svg>");
    s
}

/// Every footprint's line. With `public`, only published material counts: each footprint's
/// newest published plan, and the national run's finances only where the run used that version.
pub async fn lines(
    state: &AppState,
    public: bool,
) -> Result<(Vec<Line>, Option<footprint_store::national::NationalRun>, Vec<String>), AppError> {
    let today = today();
    let mut facts = state.store.dashboard_facts().await?;
    let run = state
        .store
        .national_runs(20)
        .await?
        .into_iter()
        .find(|r| r.status == "done");
    let by_code: HashMap<String, (f64, f64, i64)> = run
        .as_ref()
        .and_then(|r| r.result.as_ref())
        .and_then(|v| v["footprints"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|f| {
            Some((
                f["code"].as_str()?.to_string(),
                (
                    f["gap_p50"].as_f64()?,
                    f["p_balance"].as_f64()?,
                    f["plan_version"].as_i64()?,
                ),
            ))
        })
        .collect();
    let footprints = state.store.footprints().await?;
    if public {
        facts.plans.clear();
        for f in &footprints {
            if let Some(v) = state.store.latest_published_plan(f.footprint.id).await? {
                facts
                    .plans
                    .insert(f.footprint.id, (v.number.unwrap_or(0), v.document.clone()));
            }
        }
    }
    let mut regions: Vec<String> = footprints.iter().map(|f| f.footprint.region.clone()).collect();
    regions.sort();
    regions.dedup();
    let mut lines = Vec::new();
    for s in footprints {
        let f = s.footprint;
        let plan = facts.plans.get(&f.id);
        let doc: Option<PlanDocument> = plan.and_then(|(_, d)| serde_json::from_str(d).ok());
        let validated = doc.as_ref().and_then(|d| d.validate().ok());
        let savings = validated.as_ref().and_then(|p| {
            let final_year: f64 = planned_savings(p).iter().filter_map(|(_, y)| y.last()).sum();
            (p.baseline.spend > 0.0).then(|| final_year / p.baseline.spend)
        });
        let late = doc.as_ref().map(|d| {
            let mut n = 0;
            let mut late = 0;
            for i in &d.initiatives {
                for m in &i.milestones {
                    n += 1;
                    let done = m.done
                        || facts
                            .done
                            .iter()
                            .any(|(fid, init, title)| *fid == f.id && *init == i.id && *title == m.title);
                    if !done && m.due.as_str() < today.as_str() {
                        late += 1;
                    }
                }
            }
            (n, late)
        });
        let groups = facts.groups.get(&f.id).copied().unwrap_or(0);
        let recorded = facts.activities.get(&f.id).copied().unwrap_or(0) > 0;
        let engagement =
            (groups > 0 && recorded).then(|| facts.involved.get(&f.id).copied().unwrap_or(0) as f64 / groups as f64);
        let (gap, p_balance) = by_code
            .get(&f.code)
            // Only where the run used the plan version shown (a newer one is not yet run).
            .filter(|(_, _, v)| plan.is_some_and(|(n, _)| n == v))
            .map_or((None, None), |(g, p, _)| (Some(*g), Some(*p)));
        let has_body = facts.bodies.get(&f.id).copied().unwrap_or(0) > 0;
        let decisions = facts.decisions.get(&f.id).copied().unwrap_or(0);
        let indicators = Indicators {
            p_balance,
            engagement,
            has_body,
            decisions,
            milestones: late,
        };
        let (submissions, feedback) = facts.submissions.get(&f.id).copied().unwrap_or((0, None));
        lines.push(Line {
            code: f.code,
            name: f.name,
            region: f.region,
            plan: plan.map(|(n, _)| *n),
            gap,
            p_balance,
            savings,
            engagement,
            decisions,
            has_body,
            late,
            submissions,
            feedback,
            assessment: assess(&indicators),
        });
    }
    Ok((lines, run, regions))
}

async fn dashboard(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(params): Query<Params>,
) -> Result<DashboardPage, AppError> {
    viewer.require(Action::RunNationalStress)?;
    let (all, run, regions) = lines(&state, false).await?;
    let region = params.region.unwrap_or_default().trim().to_string();
    let mut lines: Vec<Line> = all
        .into_iter()
        .filter(|l| region.is_empty() || l.region == region)
        .collect();
    let sort = params
        .sort
        .filter(|s| COLUMNS.iter().any(|c| c.0 == s))
        .unwrap_or_else(|| "name".into());
    let descending = params.dir.as_deref() == Some("desc");
    // Sort by the column; footprints with nothing to show go last either way.
    let key = |l: &Line| -> Option<f64> {
        match sort.as_str() {
            "gap" => l.gap,
            "balance" => l.p_balance,
            "savings" => l.savings,
            "engagement" => l.engagement,
            "governance" => Some(if l.has_body { 1.0 + l.decisions as f64 } else { 0.0 }),
            "late" => l.late.filter(|(n, _)| *n > 0).map(|(n, late)| late as f64 / n as f64),
            "submission" => Some(l.submissions as f64),
            "rating" => l.assessment.rating.map(|r| r as u8 as f64),
            _ => None,
        }
    };
    lines.sort_by(|a, b| {
        let ord = match sort.as_str() {
            "name" => a.name.cmp(&b.name),
            "region" => a.region.cmp(&b.region).then(a.name.cmp(&b.name)),
            _ => match (key(a), key(b)) {
                (Some(x), Some(y)) => x.total_cmp(&y).then(a.name.cmp(&b.name)),
                (Some(_), None) => return std::cmp::Ordering::Less,
                (None, Some(_)) => return std::cmp::Ordering::Greater,
                (None, None) => return a.name.cmp(&b.name),
            },
        };
        if descending { ord.reverse() } else { ord }
    });
    let series = |f: &dyn Fn(&Line) -> Option<f64>| -> Vec<(String, f64)> {
        lines.iter().filter_map(|l| f(l).map(|v| (l.name.clone(), v))).collect()
    };
    let mut charts = Vec::new();
    let gaps = series(&|l| l.gap);
    if !gaps.is_empty() {
        let max = gaps.iter().map(|v| v.1.abs()).fold(0.0, f64::max);
        charts.push(small_multiple("sm-gap", "Final-year gap (median)", &gaps, max, money));
    }
    for (id, title, values, max) in [
        ("sm-balance", "Chance of balance", series(&|l| l.p_balance), 1.0),
        ("sm-savings", "Savings as a share of spend", series(&|l| l.savings), 0.0),
        (
            "sm-engagement",
            "Groups involved or deeper",
            series(&|l| l.engagement),
            1.0,
        ),
        (
            "sm-late",
            "Share of milestones late",
            series(&|l| l.late.filter(|(n, _)| *n > 0).map(|(n, late)| late as f64 / n as f64)),
            1.0,
        ),
    ] {
        if values.is_empty() {
            continue;
        }
        let max = if max > 0.0 {
            max
        } else {
            values.iter().map(|v| v.1).fold(0.0, f64::max)
        };
        charts.push(small_multiple(id, title, &values, max, percent));
    }
    let run = run.map(|r| {
        format!(
            "Finances from the national run of {} ({} scenarios a footprint).",
            crate::page::when(&r.started_at),
            r.samples
        )
    });
    Ok(DashboardPage {
        page: Page::new("National dashboard", &viewer, "national"),
        lines,
        regions,
        region,
        sort,
        descending,
        columns: COLUMNS.to_vec(),
        run,
        charts,
    })
}
