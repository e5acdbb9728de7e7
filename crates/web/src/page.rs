//! Page templates (askama, in `templates/`): the NHS.UK layout and every page's data.

use askama::Template;
use askama_web::WebTemplate;
use footprint_store::AuditEntry;
use footprint_store::footprints::{Footprint, FootprintSummary, Partner};
use footprint_store::organisations::Organisation;
use footprint_store::sessions::ApiToken;
use footprint_store::users::User;

use crate::auth::Viewer;
use crate::error::FieldError;

/// What the layout needs on every page.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// The page's title (the site name is added).
    pub title: String,
    /// The signed-in person's name.
    pub user_name: Option<String>,
    /// The CSRF token for forms.
    pub csrf: String,
    /// Which menu item is current.
    pub nav: &'static str,
    /// Whether to show the administration link.
    pub admin: bool,
    /// Field errors, for the error summary.
    pub errors: Vec<FieldError>,
}

impl Page {
    /// The page for a viewer.
    pub fn new(title: impl Into<String>, viewer: &Viewer, nav: &'static str) -> Self {
        Page {
            title: title.into(),
            user_name: viewer.user.as_ref().map(|u| u.display_name.clone()),
            csrf: viewer.csrf.clone(),
            nav,
            admin: viewer.can(footprint_domain::access::Action::ViewSiteAudit),
            errors: Vec::new(),
        }
    }

    /// With field errors (the title gains "Error: ", as the design system asks).
    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        if !errors.is_empty() {
            self.title = format!("Error: {}", self.title);
        }
        self.errors = errors;
        self
    }

    /// The error message for a field, if any.
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

/// An error page.
#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub page: Page,
    pub body: String,
}

impl ErrorPage {
    /// An error page with a title and an explanation.
    pub fn new(title: &str, body: String) -> Self {
        ErrorPage {
            page: Page {
                title: title.to_string(),
                ..Page::default()
            },
            body,
        }
    }
}

/// The home page.
#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    pub page: Page,
    pub footprints: usize,
    pub regions: Vec<(String, usize)>,
}

/// Every footprint.
#[derive(Template, WebTemplate)]
#[template(path = "footprints.html")]
pub struct FootprintsPage {
    pub page: Page,
    pub footprints: Vec<FootprintSummary>,
    pub regions: Vec<String>,
    pub region: String,
}

/// One footprint.
#[derive(Template, WebTemplate)]
#[template(path = "footprint.html")]
pub struct FootprintPage {
    pub page: Page,
    pub footprint: Footprint,
    /// Partners grouped by sector.
    pub sectors: Vec<(&'static str, Vec<Partner>)>,
    pub partner_count: usize,
    pub leads: Vec<User>,
    /// People and their roles, for those who may see them.
    pub people: Option<Vec<(User, &'static str)>>,
    pub can_edit_partners: bool,
    pub can_see_audit: bool,
    pub can_manage_people: bool,
    /// The newest published plan: (number, when, name, initiatives).
    pub plan: Option<(i64, String, String, usize)>,
    /// Whether a draft plan exists (shown to those who may see it).
    pub draft: bool,
    pub banner: Option<String>,
}

/// Adding a partner to a footprint.
#[derive(Template, WebTemplate)]
#[template(path = "partner_add.html")]
pub struct AddPartnerPage {
    pub page: Page,
    pub footprint: Footprint,
    pub choices: Vec<Organisation>,
    pub selected: String,
}

/// One organisation.
#[derive(Template, WebTemplate)]
#[template(path = "organisation.html")]
pub struct OrganisationPage {
    pub page: Page,
    pub organisation: Organisation,
    pub footprints: Vec<(i64, String, String)>,
    pub can_edit: bool,
}

/// Adding or editing an organisation.
#[derive(Template, WebTemplate)]
#[template(path = "organisation_form.html")]
pub struct OrganisationFormPage {
    pub page: Page,
    pub action: String,
    pub heading: String,
    pub name: String,
    pub kind: String,
    pub foundation_trust: bool,
    pub ods_code: String,
    pub version: i64,
    pub then_footprint: String,
    pub kinds: Vec<(String, String)>,
}

/// Signing in.
#[derive(Template, WebTemplate)]
#[template(path = "sign_in.html")]
pub struct SignInPage {
    pub page: Page,
    pub email: String,
}

/// One's account and API tokens.
#[derive(Template, WebTemplate)]
#[template(path = "account.html")]
pub struct AccountPage {
    pub page: Page,
    pub user: User,
    pub roles: Vec<(String, String, &'static str)>,
    pub tokens: Vec<ApiToken>,
    pub new_token: Option<String>,
    pub token_name: String,
}

/// The audit log.
#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub page: Page,
    pub heading: String,
    pub entries: Vec<AuditEntry>,
    pub next: Option<String>,
}

/// Formats a time for people.
pub fn when(ms: &i64) -> String {
    footprint_store::format_time(*ms)
}

/// A footprint's people and their roles.
#[derive(Template, WebTemplate)]
#[template(path = "footprint_people.html")]
pub struct FootprintPeoplePage {
    pub page: Page,
    pub footprint: Footprint,
    /// (person, role key, role in words)
    pub people: Vec<(User, String, String)>,
    pub roles: Vec<(String, String)>,
    pub email: String,
    pub role: String,
    pub banner: Option<String>,
}

/// Accounts, for site administrators.
#[derive(Template, WebTemplate)]
#[template(path = "users.html")]
pub struct UsersPage {
    pub page: Page,
    /// (account, organisation name, site role in words)
    pub users: Vec<(User, String, String)>,
    pub organisations: Vec<(String, String)>,
    pub email: String,
    pub name: String,
    pub site_role: String,
    pub organisation: String,
    /// A new account's email address and one-time password.
    pub created: Option<(String, String)>,
}

/// One initiative in a plan's tables.
#[derive(Debug, Clone)]
pub struct InitiativeRow {
    pub id: String,
    pub name: String,
    pub setting: String,
    pub kind: String,
    pub lead: String,
    pub saving: String,
    pub start: String,
    pub ramp: String,
    pub delivery: String,
    pub status: String,
}

/// A priority and its initiatives.
#[derive(Debug, Clone)]
pub struct PriorityView {
    pub title: String,
    pub description: String,
    pub initiatives: Vec<InitiativeRow>,
}

/// A gap and its priorities.
#[derive(Debug, Clone)]
pub struct GapView {
    pub label: String,
    pub summary: String,
    pub priorities: Vec<PriorityView>,
}

/// A plan version's page.
#[derive(Template, WebTemplate)]
#[template(path = "plan.html")]
pub struct PlanPage {
    pub page: Page,
    pub footprint: Footprint,
    /// "Draft" or "Version 2".
    pub label: String,
    /// "Draft", "Submitted" or "Published".
    pub status: String,
    /// When and by whom.
    pub made: String,
    pub number: Option<i64>,
    pub name: String,
    pub vision: String,
    pub baseline: Vec<(String, String)>,
    pub gaps: Vec<GapView>,
    pub unassigned: Vec<InitiativeRow>,
    /// Where its stress test is.
    pub stress_link: String,
    /// Where initiatives are edited (the draft, for those who may edit it).
    pub edit_base: Option<String>,
    /// Whether the viewer may submit or publish the draft.
    pub can_publish: bool,
}

/// A footprint's plan versions.
#[derive(Template, WebTemplate)]
#[template(path = "plan_versions.html")]
pub struct PlanVersionsPage {
    pub page: Page,
    pub footprint: Footprint,
    /// (number, status, when, by)
    pub versions: Vec<(i64, String, String, String)>,
    /// The draft's last change, for those who may see it.
    pub draft: Option<String>,
}

/// A plan version's stress test.
#[derive(Template, WebTemplate)]
#[template(path = "stress.html")]
pub struct StressPage {
    pub page: Page,
    pub footprint: Footprint,
    pub label: String,
    pub plan_link: String,
    pub samples: String,
    pub seed: u64,
    pub method: String,
    /// (year, P(balance), its standard error)
    pub balance: Vec<(String, String, String)>,
    /// (year, p5, p10, p50, p90, p95, mean, se of mean)
    pub gap: Vec<[String; 8]>,
    pub final_p: String,
    pub final_se: String,
    pub shortfall: String,
    pub capital: String,
    pub fan: String,
    pub tornado: String,
    /// (variable, low, high, swing)
    pub bars: Vec<[String; 4]>,
    /// (severity, message)
    pub flags: Vec<(String, String)>,
    /// The link to run a million scenarios, when this run was the live one.
    pub full_link: Option<String>,
    /// After an edit: what was saved and what it did.
    pub changed: Option<(String, String)>,
    /// Where the draft's initiatives are edited, for those who may.
    pub can_publish: bool,
}

/// A milestone on the initiative form: (field prefix, title, due, done, error on its date).
pub type MilestoneRow = (String, String, String, bool, Option<String>);

/// Editing an initiative.
#[derive(Template, WebTemplate)]
#[template(path = "initiative_form.html")]
pub struct InitiativeFormPage {
    pub page: Page,
    pub footprint: Footprint,
    pub action: String,
    pub back: String,
    pub form: crate::routes::initiatives::InitiativeForm,
    pub months: Vec<(String, String)>,
    pub settings: Vec<(String, String)>,
    pub priorities: Vec<(String, String)>,
    pub organisations: Vec<(String, String)>,
    /// (field name, organisation, its part: responsible, consulted, informed or empty)
    pub partner_roles: Vec<(String, String, String)>,
    /// Milestones: (field prefix, title, due, done, error on the due date)
    pub milestones: Vec<MilestoneRow>,
    /// Linked programmes, one per line.
    pub programmes: String,
    /// After "try it without saving": what the change would do, in sentences.
    pub what_if: Option<Vec<String>>,
    pub custom_delivery: bool,
    pub cost_overrun: String,
}

/// Two versions of a plan compared.
#[derive(Template, WebTemplate)]
#[template(path = "compare.html")]
pub struct ComparePage {
    pub page: Page,
    pub footprint: Footprint,
    pub from: String,
    pub to: String,
    pub from_label: String,
    pub to_label: String,
    /// (value, label) of each version the viewer may choose.
    pub choices: Vec<(String, String)>,
    /// (part, field, before, after)
    pub changes: Vec<[String; 4]>,
    /// (year, P(balance) before, after, change ± se, gap change ± se)
    pub years: Vec<[String; 5]>,
    pub final_line: Option<String>,
    pub not_comparable: Option<String>,
}

/// The plan's financial template.
#[derive(Template, WebTemplate)]
#[template(path = "finances.html")]
pub struct FinancesPage {
    pub page: Page,
    pub footprint: Footprint,
    pub action: String,
    pub back: String,
    pub base_year: String,
    pub funding: String,
    pub spend: String,
    /// Demand growth, % a year: lowest, most likely, highest.
    pub demand: [String; 3],
    /// Cost inflation, % a year.
    pub inflation: [String; 3],
    /// (index, year label, funding growth % (lowest, most likely, highest), other income £m)
    pub years: Vec<(String, String, [String; 3], String)>,
    pub revision: String,
}

/// Importing the financial model from a stress-model file.
#[derive(Template, WebTemplate)]
#[template(path = "import.html")]
pub struct ImportPage {
    pub page: Page,
    pub footprint: Footprint,
    pub action: String,
    /// Every problem with the file (file, line, column, key path, what).
    pub problems: Vec<String>,
}

/// The plan's portfolio.
#[derive(Template, WebTemplate)]
#[template(path = "portfolio.html")]
pub struct PortfolioPage {
    pub page: Page,
    pub footprint: Footprint,
    pub label: String,
    /// (title, rows of: group, initiatives, savings, share of savings, running, capital, share
    /// of investment), by care setting and by kind.
    pub tables: Vec<(String, Vec<[String; 7]>)>,
    pub acute: String,
    pub out_of_hospital: String,
    pub warning: Option<String>,
}

/// Shared accountability: organisations × initiatives.
#[derive(Template, WebTemplate)]
#[template(path = "accountability.html")]
pub struct AccountabilityPage {
    pub page: Page,
    pub footprint: Footprint,
    pub label: String,
    pub organisations: Vec<String>,
    /// (initiative, a letter per organisation: A, R, C, I or empty)
    pub matrix: Vec<(String, Vec<String>)>,
    /// (organisation, what it leads, what it is responsible for)
    pub per_org: Vec<(String, Vec<String>, Vec<String>)>,
    pub no_lead: usize,
}

/// Open data and its dictionary.
#[derive(Template, WebTemplate)]
#[template(path = "data.html")]
pub struct DataPage {
    pub page: Page,
    /// (footprint code, name, newest published version, when)
    pub plans: Vec<(String, String, i64, String)>,
    /// (column, what it holds)
    pub columns: Vec<(String, String)>,
}

/// A priority on the vision form: (field prefix, id, title, description).
pub type PriorityRow = (String, String, String, String);

/// The plan's vision, gaps and priorities.
#[derive(Template, WebTemplate)]
#[template(path = "vision.html")]
pub struct VisionPage {
    pub page: Page,
    pub footprint: Footprint,
    pub vision: String,
    pub revision: String,
    /// (index, gap, summary, its priorities' rows)
    pub gaps: Vec<(String, String, String, Vec<PriorityRow>)>,
}

/// Adding an initiative.
#[derive(Template, WebTemplate)]
#[template(path = "initiative_new.html")]
pub struct NewInitiativePage {
    pub page: Page,
    pub footprint: Footprint,
    pub name: String,
    pub setting: String,
    pub settings: Vec<(String, String)>,
}
