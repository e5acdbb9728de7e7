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
    /// Whether to show the national dashboard link (national assurance).
    pub national: bool,
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
            national: viewer.can(footprint_domain::access::Action::RunNationalStress),
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
    /// Open consultations: (href, title, footprint, closing date).
    pub open_consultations: Vec<(String, String, String, String)>,
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

/// Changing one's password.
#[derive(Template, WebTemplate)]
#[template(path = "password.html")]
pub struct PasswordPage {
    pub page: Page,
    /// (field, label, hint, autocomplete).
    pub fields: Vec<(&'static str, &'static str, String, &'static str)>,
}

impl PasswordPage {
    /// The form, with any errors.
    pub fn new(page: Page) -> Self {
        PasswordPage {
            page,
            fields: vec![
                (
                    "current_password",
                    "Your current password",
                    String::new(),
                    "current-password",
                ),
                (
                    "new_password",
                    "New password",
                    format!(
                        "{} characters or more. A few unrelated words together make a strong one.",
                        footprint_domain::person::MIN_PASSWORD
                    ),
                    "new-password",
                ),
                (
                    "confirm_password",
                    "Confirm the new password",
                    String::new(),
                    "new-password",
                ),
            ],
        }
    }
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
    /// Just after a password change.
    pub password_changed: bool,
    /// Changes to how this person signs in over the last 90 days, newest first, in words.
    pub credential_changes: Vec<String>,
    /// Whether two-factor sign-in is on, and their unused recovery codes.
    pub two_factor_on: bool,
    pub recovery_codes_left: i64,
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
    /// The other tables: (file stem, columns with what each holds).
    pub tables: Vec<(String, Vec<(String, String)>)>,
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

/// A row of the coverage map: a group and, per priority, its depth class and words.
pub struct CoverageRow {
    pub group: String,
    pub sub: bool,
    pub cells: Vec<(&'static str, String)>,
}

/// A proposed change on the timeline: who was engaged while its options were open, who only
/// after they closed, who not at all; and its activities (date, title, depth, after closing).
pub struct TimelineRow {
    pub id: String,
    pub name: String,
    pub closed_on: Option<String>,
    pub early: Vec<String>,
    pub late: Vec<String>,
    pub never: Vec<String>,
    pub activities: Vec<(String, String, String, bool)>,
}

/// An activity in the log, ready to show.
pub struct ActivityView {
    pub held_on: String,
    pub title: String,
    pub method: String,
    pub run_by: String,
    pub depth: String,
    pub depth_class: &'static str,
    pub groups: Vec<String>,
    pub areas: Vec<String>,
    /// (href, title)
    pub evidence: Option<(String, String)>,
    pub what_changed: String,
}

/// A footprint's engagement.
#[derive(Template, WebTemplate)]
#[template(path = "engagement.html")]
pub struct EngagementPage {
    pub page: Page,
    pub footprint: Footprint,
    pub priorities: Vec<String>,
    /// (id, name, is a sub-group)
    pub groups: Vec<(i64, String, bool)>,
    pub top_groups: Vec<(i64, String)>,
    pub coverage: Vec<CoverageRow>,
    pub gaps: Vec<String>,
    pub timeline: Vec<TimelineRow>,
    pub untouched: usize,
    pub people: i64,
    pub activities: Vec<ActivityView>,
    pub can_record: bool,
    /// Proposed changes for the options-closed form: (id, name).
    pub change_choices: Vec<(String, String)>,
    /// Values of a form that failed, to show again.
    pub fields: std::collections::HashMap<String, String>,
    /// Organisations that joined the engagement: (id, name).
    pub network: Vec<(i64, String)>,
    /// Pending requests to join, for the lead.
    pub requests: Vec<footprint_store::vcs::JoinRequest>,
    pub can_manage: bool,
}

impl EngagementPage {
    /// A kept form value.
    pub fn field(&self, k: &str) -> &str {
        self.fields.get(k).map_or("", |s| s.as_str())
    }
}

/// Recording an engagement activity.
#[derive(Template, WebTemplate)]
#[template(path = "activity_form.html")]
pub struct ActivityFormPage {
    pub page: Page,
    pub footprint: Footprint,
    pub day: String,
    pub month: String,
    pub year: String,
    pub title: String,
    pub method: String,
    pub run_by: String,
    pub depth: String,
    pub evidence_url: String,
    pub what_changed: String,
    pub methods: Vec<(&'static str, &'static str)>,
    /// (key, label, meaning)
    pub depths: Vec<(&'static str, &'static str, &'static str)>,
    /// (id, name, is a sub-group, ticked, people)
    pub groups: Vec<(String, String, bool, bool, String)>,
    /// (id, name, is an initiative, ticked)
    pub areas: Vec<(String, String, bool, bool)>,
}

/// A row of a consultation list: (href, title, footprint, closing date, stage, tag, responses).
pub type ConsultationRow = (String, String, String, String, &'static str, &'static str, i64);

/// Every published consultation on the site.
#[derive(Template, WebTemplate)]
#[template(path = "consultations_all.html")]
pub struct AllConsultationsPage {
    pub page: Page,
    pub open: Vec<ConsultationRow>,
    pub closed: Vec<ConsultationRow>,
}

/// A footprint's consultations: (href, title, dates, stage, tag, responses).
#[derive(Template, WebTemplate)]
#[template(path = "consultations.html")]
pub struct ConsultationsPage {
    pub page: Page,
    pub footprint: Footprint,
    pub can_manage: bool,
    pub rows: Vec<(String, String, String, &'static str, &'static str, i64)>,
}

/// Starting a consultation.
#[derive(Template, WebTemplate)]
#[template(path = "consultation_form.html")]
pub struct ConsultationFormPage {
    pub page: Page,
    pub footprint: Footprint,
    pub action: String,
    pub areas: Vec<(String, String)>,
    pub fields: std::collections::HashMap<String, String>,
}

impl ConsultationFormPage {
    /// A form value.
    pub fn field(&self, k: &str) -> &str {
        self.fields.get(k).map_or("", |s| s.as_str())
    }
}

/// An option, as people read it.
pub struct OptionView {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub evidence: String,
    pub effect: String,
    pub result: Option<String>,
}

/// A consultation, for the public.
#[derive(Template, WebTemplate)]
#[template(path = "consultation.html")]
pub struct ConsultationPage {
    pub page: Page,
    pub footprint: Footprint,
    pub consultation: footprint_store::consultations::Consultation,
    pub stage: &'static str,
    pub stage_tag: &'static str,
    pub open: bool,
    pub opens_on: String,
    pub closes_on: String,
    /// (href, title, size in words if held here)
    pub documents: Vec<(String, String, String)>,
    pub options: Vec<OptionView>,
    pub questions: usize,
    pub count: usize,
    /// Published responses: (question, answer) each.
    pub published: Vec<Vec<(String, String)>>,
    pub area: Option<String>,
    pub can_manage: bool,
    pub can_analyse: bool,
    pub you_said_we_did: Option<String>,
    pub responded_on: Option<String>,
}

/// Running a consultation.
#[derive(Template, WebTemplate)]
#[template(path = "consultation_manage.html")]
pub struct ConsultationManagePage {
    pub page: Page,
    pub footprint: Footprint,
    pub consultation: footprint_store::consultations::Consultation,
    pub draft: bool,
    pub stage: &'static str,
    pub stage_tag: &'static str,
    pub areas: Vec<(String, String)>,
    pub documents: Vec<(String, String)>,
    pub options: Vec<OptionView>,
    /// (id, prompt, kind, required, choices)
    pub questions: Vec<(i64, String, &'static str, bool, String)>,
    pub kinds: Vec<(&'static str, &'static str)>,
    /// (principle, status, tag, detail)
    pub checks: Vec<(&'static str, &'static str, &'static str, String)>,
    pub is_initiative: bool,
    pub closed: bool,
    pub decided_on: Option<String>,
    pub fields: std::collections::HashMap<String, String>,
}

impl ConsultationManagePage {
    /// A form value.
    pub fn field(&self, k: &str) -> &str {
        self.fields.get(k).map_or("", |s| s.as_str())
    }
}

/// A question on the response form, with what the person gave.
pub struct QuestionView {
    pub number: usize,
    pub kind: &'static str,
    pub field: String,
    pub text: String,
    pub chosen: Vec<String>,
    pub ranks: Vec<String>,
    pub max: String,
    pub question: footprint_domain::consultation::Question,
}

impl QuestionView {
    /// Whether the question is of a kind (by key).
    pub fn is(&self, kind: &str) -> bool {
        self.kind == kind
    }

    /// Whether choice `i` was given place `n`.
    pub fn rank_is(&self, i: &usize, n: &usize) -> bool {
        self.ranks.get(*i).is_some_and(|r| r.trim() == n.to_string())
    }

    /// Whether a choice was chosen.
    pub fn is_chosen(&self, c: &str) -> bool {
        self.chosen.iter().any(|x| x == c)
    }
}

/// The response form.
#[derive(Template, WebTemplate)]
#[template(path = "respond.html")]
pub struct RespondPage {
    pub page: Page,
    pub footprint: Footprint,
    pub consultation: footprint_store::consultations::Consultation,
    pub open: bool,
    pub closed: bool,
    pub opens_on: String,
    pub closes_on: String,
    pub key: String,
    pub name: String,
    pub email: String,
    pub on_behalf_of: String,
    pub consent: String,
    pub questions: Vec<QuestionView>,
}

/// A response received.
#[derive(Template, WebTemplate)]
#[template(path = "receipt.html")]
pub struct ReceiptPage {
    pub page: Page,
    pub footprint: Footprint,
    pub consultation: footprint_store::consultations::Consultation,
    pub reference: Option<i64>,
    pub again: bool,
    pub href: String,
}

/// Counts for one question: (what, count, share or place).
pub struct QuestionSummary {
    pub prompt: String,
    pub kind: &'static str,
    pub answered: usize,
    pub rows: Vec<(String, String, String)>,
}

/// A response in the analysis list.
pub struct ResponseView {
    pub id: i64,
    pub received: String,
    pub on_behalf_of: String,
    pub consent: bool,
    pub moderation: String,
    pub first_answer: String,
    pub tags: Vec<String>,
}

/// The analysis of a consultation's responses, for staff.
#[derive(Template, WebTemplate)]
#[template(path = "analysis.html")]
pub struct AnalysisPage {
    pub page: Page,
    pub footprint: Footprint,
    pub consultation: footprint_store::consultations::Consultation,
    pub count: usize,
    pub consented: usize,
    pub published: usize,
    pub summary: Vec<QuestionSummary>,
    pub rows: Vec<ResponseView>,
    /// Which page of the responses, from 1, of how many.
    pub page_number: usize,
    pub pages: usize,
}

/// One answer on a response's page.
pub struct AnswerView {
    pub question_id: i64,
    pub prompt: String,
    pub free_text: bool,
    pub words: String,
    pub redacted: String,
    pub tags: Vec<String>,
}

/// One response, for staff: tags and moderation.
#[derive(Template, WebTemplate)]
#[template(path = "response.html")]
pub struct ResponsePage {
    pub page: Page,
    pub footprint: Footprint,
    pub consultation: footprint_store::consultations::Consultation,
    pub id: i64,
    pub received: String,
    pub name: String,
    pub email: String,
    pub on_behalf_of: String,
    pub consent: bool,
    pub moderation: String,
    pub answers: Vec<AnswerView>,
}

/// The voluntary and community sector directory.
#[derive(Template, WebTemplate)]
#[template(path = "vcs.html")]
pub struct VcsPage {
    pub page: Page,
    pub q: String,
    pub total: usize,
    pub entries: Vec<footprint_store::vcs::DirectoryEntry>,
}

/// Asking to join a footprint's engagement.
#[derive(Template, WebTemplate)]
#[template(path = "vcs_join.html")]
pub struct VcsJoinPage {
    pub page: Page,
    /// (code, name)
    pub footprints: Vec<(String, String)>,
    /// (id, name)
    pub organisations: Vec<(String, String)>,
    pub fields: std::collections::HashMap<String, String>,
    pub sent: bool,
}

impl VcsJoinPage {
    /// A form value.
    pub fn field(&self, k: &str) -> &str {
        self.fields.get(k).map_or("", |s| s.as_str())
    }
}

/// Editing an organisation's directory entry.
#[derive(Template, WebTemplate)]
#[template(path = "vcs_edit.html")]
pub struct VcsEditPage {
    pub page: Page,
    pub entry: footprint_store::vcs::DirectoryEntry,
    /// (id, name)
    pub cvs: Vec<(String, String)>,
    pub fields: std::collections::HashMap<String, String>,
}

impl VcsEditPage {
    /// A form value.
    pub fn field(&self, k: &str) -> &str {
        self.fields.get(k).map_or("", |s| s.as_str())
    }
}
