//! A footprint's engagement: its stakeholder groups, the log of activities, the coverage of
//! groups × priorities shaded by the deepest engagement so far with the gaps in plain words, and
//! the timeline that shows, for each proposed change, who was engaged while its options were
//! open and who only after they closed. Public: the point is to show it.

use std::collections::HashMap;

use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use footprint_domain::access::Action;
use footprint_domain::consultation::{date_from_parts, long_date};
use footprint_domain::engagement::{self as eng, Depth, Method, Timing};
use footprint_domain::plan::PlanDocument;
use footprint_store::engagement::{Activity, NewActivity, NewDocument};
use footprint_store::footprints::Footprint;

use crate::AppState;
use crate::auth::Viewer;
use crate::error::{AppError, FieldError};
use crate::page::{ActivityFormPage, ActivityView, CoverageRow, EngagementPage, Page, TimelineRow};
use crate::routes::footprints::footprint;
use crate::routes::plans::{current, document};

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/footprints/{code}/engagement", get(engagement))
        .route(
            "/footprints/{code}/engagement/activities/new",
            get(activity_form).post(add_activity),
        )
        .route("/footprints/{code}/engagement/groups", post(add_group))
        .route("/footprints/{code}/engagement/options-closed", post(options_closed))
        .route("/documents/{id}", get(document_file))
}

/// A plan's areas: its priorities (id, title), and its initiatives (id, name, priority id).
pub struct Areas {
    /// Priorities, in plan order.
    pub priorities: Vec<(String, String)>,
    /// Initiatives: id, name, priority.
    pub initiatives: Vec<(String, String, Option<String>)>,
}

impl Areas {
    /// The areas of a plan document.
    pub fn of(doc: &PlanDocument) -> Areas {
        let names: HashMap<&str, &str> = doc.model["initiative"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|i| Some((i["id"].as_str()?, i["name"].as_str().unwrap_or(""))))
                    .collect()
            })
            .unwrap_or_default();
        Areas {
            priorities: doc
                .gaps
                .iter()
                .flat_map(|g| g.priorities.iter().map(|p| (p.id.clone(), p.title.clone())))
                .collect(),
            initiatives: doc
                .initiatives
                .iter()
                .map(|d| {
                    (
                        d.id.clone(),
                        names.get(d.id.as_str()).map_or_else(|| d.id.clone(), |n| n.to_string()),
                        d.priority.clone(),
                    )
                })
                .collect(),
        }
    }

    /// An area's name, if the plan has it.
    pub fn name(&self, id: &str) -> Option<String> {
        if id == WHOLE_PLAN {
            return Some("The whole plan".into());
        }
        self.priorities
            .iter()
            .find(|p| p.0 == id)
            .map(|p| format!("Priority: {}", p.1))
            .or_else(|| self.initiatives.iter().find(|i| i.0 == id).map(|i| i.1.clone()))
    }

    /// The priorities an activity's areas reach: the whole plan reaches every one, an initiative
    /// reaches its own priority.
    fn expand(&self, areas: &[String]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for a in areas {
            if a == WHOLE_PLAN {
                out.extend(self.priorities.iter().map(|p| p.0.clone()));
                out.extend(self.initiatives.iter().map(|i| i.0.clone()));
            } else {
                out.push(a.clone());
                if let Some(p) = self.initiatives.iter().find(|i| &i.0 == a).and_then(|i| i.2.clone()) {
                    out.push(p);
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

/// The log in the domain's terms, with each activity reaching the priorities of its
/// initiatives; sub-groups count for their group too.
pub fn domain_log(
    groups: &[footprint_store::engagement::Group],
    log: &[footprint_store::engagement::Activity],
    areas: &Areas,
) -> Vec<eng::Activity> {
    let parent_of: HashMap<i64, i64> = groups.iter().filter_map(|g| Some((g.id, g.parent_id?))).collect();
    let name_of: HashMap<i64, &str> = groups.iter().map(|g| (g.id, g.name.as_str())).collect();
    log.iter()
        .map(|a| {
            let mut names: Vec<String> = Vec::new();
            for (id, name, _) in &a.groups {
                names.push(name.clone());
                if let Some(p) = parent_of.get(id).and_then(|p| name_of.get(p)) {
                    names.push(p.to_string());
                }
            }
            eng::Activity {
                date: a.held_on.clone(),
                depth: a.depth,
                groups: names,
                areas: areas.expand(&a.areas),
            }
        })
        .collect()
}

/// The area id that stands for the whole plan.
pub const WHOLE_PLAN: &str = "whole-plan";

/// The CSS class for a depth (or none).
fn depth_class(d: Option<Depth>) -> &'static str {
    match d {
        None => "fp-depth-none",
        Some(Depth::Inform) => "fp-depth-inform",
        Some(Depth::Consult) => "fp-depth-consult",
        Some(Depth::Involve) => "fp-depth-involve",
        Some(Depth::Collaborate) => "fp-depth-collaborate",
        Some(Depth::Empower) => "fp-depth-empower",
    }
}

/// The plan the viewer may read (the draft for partners, else the newest published), if any.
async fn plan_areas(state: &AppState, viewer: &Viewer, f: &Footprint) -> Result<Option<Areas>, AppError> {
    match current(state, viewer, f).await {
        Ok(v) => Ok(Some(Areas::of(&document(&v)?))),
        Err(AppError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

async fn engagement(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<EngagementPage, AppError> {
    let f = footprint(&state, &code).await?;
    engagement_page(&state, &viewer, f, Vec::new(), HashMap::new()).await
}

async fn engagement_page(
    state: &AppState,
    viewer: &Viewer,
    f: Footprint,
    errors: Vec<FieldError>,
    fields: HashMap<String, String>,
) -> Result<EngagementPage, AppError> {
    let groups = state.store.groups(f.id).await?;
    let log = state.store.activities(f.id).await?;
    let closed = state.store.options_closed(f.id).await?;
    let areas = plan_areas(state, viewer, &f).await?.unwrap_or(Areas {
        priorities: Vec::new(),
        initiatives: Vec::new(),
    });
    let domain_log = domain_log(&groups, &log, &areas);
    let priority_ids: Vec<String> = areas.priorities.iter().map(|p| p.0.clone()).collect();
    let coverage: Vec<CoverageRow> = groups
        .iter()
        .map(|g| CoverageRow {
            group: g.name.clone(),
            sub: g.parent_id.is_some(),
            cells: priority_ids
                .iter()
                .map(|p| {
                    let d = eng::deepest(&domain_log, &g.name, p);
                    (depth_class(d), d.map_or("Not engaged", |d| d.label()).to_string())
                })
                .collect(),
        })
        .collect();
    let gaps: Vec<String> = if priority_ids.is_empty() {
        Vec::new()
    } else {
        groups
            .iter()
            .filter(|g| g.parent_id.is_none())
            .filter_map(|g| eng::gap_in_words(&domain_log, &g.name, &priority_ids, "priorities"))
            .collect()
    };
    let top: Vec<&str> = groups
        .iter()
        .filter(|g| g.parent_id.is_none())
        .map(|g| g.name.as_str())
        .collect();
    // Each activity's areas named on their own (not only as part of the whole plan), expanded
    // once: a proposed change is on the timeline if an activity names it.
    let named: Vec<Vec<String>> = log
        .iter()
        .map(|a| {
            let own: Vec<String> = a.areas.iter().filter(|x| x.as_str() != WHOLE_PLAN).cloned().collect();
            areas.expand(&own)
        })
        .collect();
    let timeline: Vec<TimelineRow> = areas
        .priorities
        .iter()
        .map(|p| (p.0.clone(), format!("Priority: {}", p.1)))
        .chain(areas.initiatives.iter().map(|i| (i.0.clone(), i.1.clone())))
        .filter_map(|(id, name)| {
            let closed_on = closed.iter().find(|c| c.0 == id).map(|c| c.1.clone());
            let touched = named.iter().any(|n| n.contains(&id));
            if closed_on.is_none() && !touched {
                return None;
            }
            let mut early = Vec::new();
            let mut late = Vec::new();
            let mut never = Vec::new();
            for g in &top {
                let t = match &closed_on {
                    Some(c) => eng::timing(&domain_log, g, &id, c),
                    // Options still open: anyone engaged so far was engaged early.
                    None => eng::timing(&domain_log, g, &id, "9999-12-31"),
                };
                match t {
                    Timing::Early => early.push(g.to_string()),
                    Timing::Late => late.push(g.to_string()),
                    Timing::Never => never.push(g.to_string()),
                }
            }
            let activities = log
                .iter()
                .zip(&domain_log)
                .filter(|(_, d)| d.areas.contains(&id))
                .map(|(a, _)| {
                    (
                        long_date(&a.held_on),
                        a.title.clone(),
                        a.depth.label().to_string(),
                        closed_on.as_ref().is_some_and(|c| a.held_on.as_str() > c.as_str()),
                    )
                })
                .rev()
                .collect();
            Some(TimelineRow {
                id,
                name,
                closed_on: closed_on.map(|c| long_date(&c)),
                early,
                late,
                never,
                activities,
            })
        })
        .collect();
    let untouched = areas.initiatives.len() + areas.priorities.len() - timeline.len();
    let activities: Vec<ActivityView> = log.iter().map(|a| activity_view(a, &areas)).collect();
    let people: i64 = log.iter().map(Activity::people).sum();
    let can_record = viewer.can(Action::RecordEngagement(f.id));
    let mut change_choices: Vec<(String, String)> = areas
        .priorities
        .iter()
        .map(|p| (p.0.clone(), format!("Priority: {}", p.1)))
        .collect();
    change_choices.extend(areas.initiatives.iter().map(|i| (i.0.clone(), i.1.clone())));
    let can_manage = viewer.can(Action::ManageConsultations(f.id));
    let requests = if can_manage {
        state
            .store
            .join_requests(f.id)
            .await?
            .into_iter()
            .filter(|r| r.status == "pending")
            .collect()
    } else {
        Vec::new()
    };
    Ok(EngagementPage {
        network: state.store.engagement_network(f.id).await?,
        requests,
        can_manage,
        page: Page::new(format!("Engagement – {}", f.name), viewer, "footprints").with_errors(errors),
        priorities: areas.priorities.iter().map(|p| p.1.clone()).collect(),
        groups: groups
            .iter()
            .map(|g| (g.id, g.name.clone(), g.parent_id.is_some()))
            .collect(),
        top_groups: groups
            .iter()
            .filter(|g| g.parent_id.is_none())
            .map(|g| (g.id, g.name.clone()))
            .collect(),
        coverage,
        gaps,
        timeline,
        untouched,
        people,
        activities,
        can_record,
        change_choices,
        fields,
        footprint: f,
    })
}

fn activity_view(a: &Activity, areas: &Areas) -> ActivityView {
    ActivityView {
        held_on: long_date(&a.held_on),
        title: a.title.clone(),
        method: a.method.label().to_string(),
        run_by: a.run_by.clone(),
        depth: a.depth.label().to_string(),
        depth_class: depth_class(Some(a.depth)),
        groups: a
            .groups
            .iter()
            .map(|(_, n, people)| {
                if *people > 0 {
                    format!("{n} ({people})")
                } else {
                    n.clone()
                }
            })
            .collect(),
        areas: a
            .areas
            .iter()
            .map(|x| {
                areas
                    .name(x)
                    .unwrap_or_else(|| "A part of the plan not yet published".into())
            })
            .collect(),
        evidence: a
            .evidence
            .as_ref()
            .map(|d| (d.href(), d.title.clone()))
            .or_else(|| (!a.evidence_url.is_empty()).then(|| (a.evidence_url.clone(), "Evidence (link)".to_string()))),
        what_changed: a.what_changed.clone(),
    }
}

/// A submitted multipart form: its text fields (every value, in order) and its file, if any.
pub struct Submitted {
    /// Text fields.
    pub fields: Vec<(String, String)>,
    /// The file field named `file`: name, media type, bytes (none when no file was chosen).
    pub file: Option<(String, String, Vec<u8>)>,
}

impl Submitted {
    /// The first value of a field, trimmed ("" if absent).
    pub fn get(&self, key: &str) -> String {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    }

    /// Every value of a field.
    pub fn all(&self, key: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_string())
            .collect()
    }
}

/// Reads a multipart form.
pub async fn read_multipart(mut form: Multipart) -> Result<Submitted, AppError> {
    let unreadable = || AppError::Invalid(vec![FieldError::new("file", "The form could not be read: try again")]);
    let mut out = Submitted {
        fields: Vec::new(),
        file: None,
    };
    while let Some(field) = form.next_field().await.map_err(|_| unreadable())? {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("").to_string();
            let content_type = field
                .content_type()
                .map_or("application/octet-stream", |m| m)
                .to_string();
            let bytes = field.bytes().await.map_err(|_| unreadable())?;
            if !file_name.is_empty() && !bytes.is_empty() {
                out.file = Some((file_name, content_type, bytes.to_vec()));
            }
        } else {
            let text = field.text().await.map_err(|_| unreadable())?;
            out.fields.push((name, text));
        }
    }
    Ok(out)
}

/// The media types a document may have (shown inline or downloaded as themselves).
const DOCUMENT_TYPES: [(&str, &str); 8] = [
    ("pdf", "application/pdf"),
    ("txt", "text/plain; charset=utf-8"),
    ("csv", "text/csv; charset=utf-8"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("odt", "application/vnd.oasis.opendocument.text"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
];

/// Reads a document from a form: a file (checked by its extension) or a link (http or https).
/// `prefix` names the form's fields (`evidence_` gives `evidence_url`, `evidence_title`).
pub fn document_from(form: &Submitted, title_default: &str, prefix: &str) -> Result<Option<NewDocument>, FieldError> {
    let title = {
        let t = form.get(&format!("{prefix}title"));
        if t.is_empty() { title_default.to_string() } else { t }
    };
    if let Some((name, _, bytes)) = &form.file {
        let ext = name.rsplit('.').next().unwrap_or("").to_lowercase();
        let Some((_, ct)) = DOCUMENT_TYPES
            .iter()
            .find(|(e, _)| *e == ext || (ext == "jpeg" && *e == "jpg"))
        else {
            return Err(FieldError::new(
                "file",
                format!(
                    "\"{name}\" is not a file type Footprint keeps: use PDF, Word (.docx), OpenDocument (.odt), Excel (.xlsx), CSV, text, PNG or JPEG"
                ),
            ));
        };
        let clean: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        return Ok(Some(NewDocument::File {
            title,
            file_name: clean,
            content_type: ct.to_string(),
            content: bytes.clone(),
        }));
    }
    let url = form.get(&format!("{prefix}url"));
    if url.is_empty() {
        return Ok(None);
    }
    if !(url.starts_with("https://") || url.starts_with("http://"))
        || url.contains(char::is_whitespace)
        || url.len() > 2000
    {
        return Err(FieldError::new(
            &format!("{prefix}url"),
            "Enter a link that starts with https:// or http://",
        ));
    }
    Ok(Some(NewDocument::Link { title, url }))
}

async fn activity_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<ActivityFormPage, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::RecordEngagement(f.id))?;
    activity_form_page(&state, &viewer, f, Vec::new(), None).await
}

async fn activity_form_page(
    state: &AppState,
    viewer: &Viewer,
    f: Footprint,
    errors: Vec<FieldError>,
    form: Option<&Submitted>,
) -> Result<ActivityFormPage, AppError> {
    let groups = state.store.groups(f.id).await?;
    let areas = plan_areas(state, viewer, &f).await?.unwrap_or(Areas {
        priorities: Vec::new(),
        initiatives: Vec::new(),
    });
    let get = |k: &str| form.map(|s| s.get(k)).unwrap_or_default();
    let chosen_areas = form.map(|s| s.all("area")).unwrap_or_default();
    let chosen_groups = form.map(|s| s.all("group")).unwrap_or_default();
    let mut area_choices = vec![(WHOLE_PLAN.to_string(), "The whole plan".to_string(), false)];
    for (pid, title) in &areas.priorities {
        area_choices.push((pid.clone(), format!("Priority: {title}"), false));
        for (iid, name, _) in areas
            .initiatives
            .iter()
            .filter(|i| i.2.as_deref() == Some(pid.as_str()))
        {
            area_choices.push((iid.clone(), name.clone(), true));
        }
    }
    for (iid, name, _) in areas.initiatives.iter().filter(|i| i.2.is_none()) {
        area_choices.push((iid.clone(), name.clone(), true));
    }
    Ok(ActivityFormPage {
        page: Page::new("Record engagement", viewer, "footprints").with_errors(errors),
        day: get("day"),
        month: get("month"),
        year: get("year"),
        title: get("title"),
        method: get("method"),
        run_by: get("run_by"),
        depth: get("depth"),
        evidence_url: get("evidence_url"),
        what_changed: get("what_changed"),
        methods: Method::ALL.iter().map(|m| (m.key(), m.label())).collect(),
        depths: Depth::ALL.iter().map(|d| (d.key(), d.label(), d.meaning())).collect(),
        groups: groups
            .iter()
            .map(|g| {
                (
                    g.id.to_string(),
                    g.name.clone(),
                    g.parent_id.is_some(),
                    chosen_groups.contains(&g.id.to_string()),
                    get(&format!("people_{}", g.id)),
                )
            })
            .collect(),
        areas: area_choices
            .into_iter()
            .map(|(id, name, sub)| {
                let on = chosen_areas.contains(&id);
                (id, name, sub, on)
            })
            .collect(),
        footprint: f,
    })
}

async fn add_activity(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    form: Multipart,
) -> Result<Response, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::RecordEngagement(f.id))?;
    let form = read_multipart(form).await?;
    let mut errors = Vec::new();
    let held_on = match date_from_parts(
        &form.get("day"),
        &form.get("month"),
        &form.get("year"),
        "the date it took place",
    ) {
        Ok(d) => d,
        Err(e) => {
            errors.push(FieldError::new("day", e.0));
            String::new()
        }
    };
    let title = form.get("title");
    if title.is_empty() {
        errors.push(FieldError::new("title", "Enter what the activity was"));
    } else if title.chars().count() > 200 {
        errors.push(FieldError::new("title", "The title must be 200 characters or fewer"));
    }
    let method = Method::parse(&form.get("method"));
    if method.is_none() {
        errors.push(FieldError::new("method", "Choose how people were engaged"));
    }
    let run_by = form.get("run_by");
    if run_by.is_empty() {
        errors.push(FieldError::new("run_by", "Enter who ran it"));
    }
    let depth = Depth::parse(&form.get("depth"));
    if depth.is_none() {
        errors.push(FieldError::new("depth", "Choose how deep the engagement went"));
    }
    let groups = state.store.groups(f.id).await?;
    let mut reached = Vec::new();
    for g in form.all("group") {
        let Some(group) = groups.iter().find(|x| x.id.to_string() == g) else {
            errors.push(FieldError::new("group", "Choose from the groups listed"));
            continue;
        };
        let people_text = form.get(&format!("people_{}", group.id));
        let people = if people_text.is_empty() {
            0
        } else {
            match people_text.replace(',', "").parse::<i64>() {
                Ok(n) if (0..=10_000_000).contains(&n) => n,
                _ => {
                    errors.push(FieldError::new(
                        &format!("people_{}", group.id),
                        format!("Enter how many people from {} took part, as a whole number", group.name),
                    ));
                    0
                }
            }
        };
        reached.push((group.id, people));
    }
    if reached.is_empty() {
        errors.push(FieldError::new("group", "Choose at least one group that was reached"));
    }
    let chosen_areas = form.all("area");
    if chosen_areas.is_empty() {
        errors.push(FieldError::new("area", "Choose the parts of the plan it covered"));
    }
    let evidence = match document_from(&form, &format!("Evidence: {title}"), "evidence_") {
        Ok(d) => d,
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let what_changed = form.get("what_changed");
    if what_changed.chars().count() > 5000 {
        errors.push(FieldError::new(
            "what_changed",
            "What changed must be 5,000 characters or fewer",
        ));
    }
    if !errors.is_empty() {
        return Ok(activity_form_page(&state, &viewer, f, errors, Some(&form))
            .await?
            .into_response());
    }
    let (evidence_url, file) = match evidence {
        Some(NewDocument::Link { url, .. }) => (url, None),
        other => (String::new(), other),
    };
    let a = NewActivity {
        held_on,
        title,
        method,
        run_by,
        depth,
        areas: chosen_areas,
        groups: reached,
        evidence_url,
        what_changed,
    };
    state.store.add_activity(&viewer.who(), f.id, &a, file.as_ref()).await?;
    Ok(Redirect::to(&format!("/footprints/{}/engagement#log", f.code)).into_response())
}

async fn add_group(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::RecordEngagement(f.id))?;
    let name = form.get("name").map_or("", |s| s.trim()).to_string();
    let parent = form
        .get("parent")
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .and_then(|s| s.parse::<i64>().ok());
    let err = if name.is_empty() {
        Some("Enter the group's name")
    } else if name.chars().count() > 100 || name.chars().any(char::is_control) {
        Some("The group's name must be one line of 100 characters or fewer")
    } else {
        None
    };
    let mut fields = form.clone();
    fields.retain(|k, _| k == "name" || k == "parent");
    if let Some(e) = err {
        return Ok(
            engagement_page(&state, &viewer, f, vec![FieldError::new("name", e)], fields)
                .await?
                .into_response(),
        );
    }
    match state.store.add_group(&viewer.who(), f.id, &name, parent).await {
        Ok(_) => Ok(Redirect::to(&format!("/footprints/{}/engagement#groups", f.code)).into_response()),
        Err(footprint_store::StoreError::Conflict { message, .. }) => {
            Ok(
                engagement_page(&state, &viewer, f, vec![FieldError::new("name", message)], fields)
                    .await?
                    .into_response(),
            )
        }
        Err(e) => Err(e.into()),
    }
}

async fn options_closed(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::RecordEngagement(f.id))?;
    let get = |k: &str| form.get(k).map_or("", |s| s.trim()).to_string();
    let area = get("change");
    let areas = plan_areas(&state, &viewer, &f).await?;
    let known = areas
        .as_ref()
        .is_some_and(|a| a.name(&area).is_some() && area != WHOLE_PLAN);
    let mut errors = Vec::new();
    if !known {
        errors.push(FieldError::new("change", "Choose the proposed change"));
    }
    let reopen = get("reopen") == "yes";
    let date = if reopen {
        None
    } else {
        match date_from_parts(
            &get("closed_day"),
            &get("closed_month"),
            &get("closed_year"),
            "the date the options closed",
        ) {
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(FieldError::new("closed_day", e.0));
                None
            }
        }
    };
    if !errors.is_empty() {
        return Ok(engagement_page(&state, &viewer, f, errors, form).await?.into_response());
    }
    state
        .store
        .set_options_closed(&viewer.who(), f.id, &area, date.as_deref())
        .await?;
    Ok(Redirect::to(&format!("/footprints/{}/engagement#timeline", f.code)).into_response())
}

/// A document held here. A consultation's papers are public once it is published; evidence
/// of engagement is public with the log; a draft consultation's papers are for partners.
async fn document_file(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let d = state.store.document(id).await?.ok_or(AppError::NotFound)?;
    if let Some(c) = d.consultation_id {
        let c = state.store.consultation(c).await?.ok_or(AppError::NotFound)?;
        if c.published_at.is_none() {
            viewer.require(Action::ViewFootprintPrivate(d.footprint_id))?;
        }
    }
    if (d.confidential || d.proposal_id.is_some())
        && !crate::routes::governance::may_read_document(&state, &viewer, &d).await?
    {
        return Err(AppError::NotFound);
    }
    let Some(bytes) = state.store.document_content(id).await? else {
        return match d.url {
            Some(u) => Ok(Redirect::to(&u).into_response()),
            None => Err(AppError::NotFound),
        };
    };
    let name = d.file_name.unwrap_or_else(|| "document".into());
    Ok((
        [
            (
                header::CONTENT_TYPE,
                d.content_type.unwrap_or_else(|| "application/octet-stream".into()),
            ),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response())
}
