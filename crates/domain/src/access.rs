//! Who may do what: roles and the one table of permissions.
//!
//! Every permission check in Footprint goes through [`can`]. A person's role is worked out per
//! footprint ([`Actor::role_in`]); the table in [`allowed`] says which roles may take which
//! actions. Routes declare the action they need; the web layer asks [`can`].

/// A row id of a footprint.
pub type FootprintId = i64;
/// A row id of an organisation.
pub type OrganisationId = i64;
/// A row id of a user.
pub type UserId = i64;

/// A person's role, from least to most: the order is used to pick a person's strongest role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Anyone, with no account or no part in the footprint.
    Public,
    /// A member of one of the footprint's partner organisations.
    OrganisationMember,
    /// Writes the footprint's plan and records its engagement.
    Contributor,
    /// Sits on the footprint's partnership board.
    BoardMember,
    /// The footprint's lead or programme office.
    Lead,
    /// National assurance: reads every footprint, gives feedback on submissions.
    NationalAssurance,
    /// Runs the site.
    SiteAdmin,
}

impl Role {
    /// Every role, weakest first.
    pub const ALL: [Role; 7] = [
        Role::Public,
        Role::OrganisationMember,
        Role::Contributor,
        Role::BoardMember,
        Role::Lead,
        Role::NationalAssurance,
        Role::SiteAdmin,
    ];

    /// The words people use for it.
    pub fn label(self) -> &'static str {
        match self {
            Role::Public => "Member of the public",
            Role::OrganisationMember => "Partner organisation member",
            Role::Contributor => "Footprint contributor",
            Role::BoardMember => "Board member",
            Role::Lead => "Footprint lead or programme office",
            Role::NationalAssurance => "National assurance",
            Role::SiteAdmin => "Site administrator",
        }
    }
}

/// A role a person holds site-wide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SiteRole {
    /// No site-wide role.
    None,
    /// National assurance.
    NationalAssurance,
    /// Site administrator.
    Admin,
}

impl SiteRole {
    /// The stored key.
    pub fn key(self) -> &'static str {
        match self {
            SiteRole::None => "none",
            SiteRole::NationalAssurance => "national-assurance",
            SiteRole::Admin => "admin",
        }
    }

    /// Parses a stored key.
    pub fn parse(key: &str) -> Option<Self> {
        [SiteRole::None, SiteRole::NationalAssurance, SiteRole::Admin]
            .into_iter()
            .find(|r| r.key() == key)
    }
}

/// A role a person holds in one footprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FootprintRole {
    /// Contributor.
    Contributor,
    /// Board member.
    BoardMember,
    /// Lead or programme office.
    Lead,
}

impl FootprintRole {
    /// Every footprint role.
    pub const ALL: [FootprintRole; 3] = [
        FootprintRole::Contributor,
        FootprintRole::BoardMember,
        FootprintRole::Lead,
    ];

    /// The stored key.
    pub fn key(self) -> &'static str {
        match self {
            FootprintRole::Contributor => "contributor",
            FootprintRole::BoardMember => "board-member",
            FootprintRole::Lead => "lead",
        }
    }

    /// Parses a stored or submitted key.
    pub fn parse(key: &str) -> Option<Self> {
        FootprintRole::ALL.into_iter().find(|r| r.key() == key.trim())
    }

    /// The general role it gives.
    pub fn role(self) -> Role {
        match self {
            FootprintRole::Contributor => Role::Contributor,
            FootprintRole::BoardMember => Role::BoardMember,
            FootprintRole::Lead => Role::Lead,
        }
    }
}

/// The person asking: who they are and what they hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor {
    /// The user, or none for a member of the public.
    pub user: Option<UserId>,
    /// Their site-wide role.
    pub site_role: Option<SiteRole>,
    /// Their roles in footprints.
    pub footprint_roles: Vec<(FootprintId, FootprintRole)>,
    /// Footprints in which their organisation is a partner.
    pub partner_of: Vec<FootprintId>,
}

impl Actor {
    /// A member of the public.
    pub fn public() -> Self {
        Actor::default()
    }

    /// Whether the person is signed in.
    pub fn signed_in(&self) -> bool {
        self.user.is_some()
    }

    /// The person's strongest role in a footprint (site-wide roles count everywhere).
    pub fn role_in(&self, footprint: FootprintId) -> Role {
        let mut role = Role::Public;
        if self.partner_of.contains(&footprint) {
            role = role.max(Role::OrganisationMember);
        }
        for &(f, r) in &self.footprint_roles {
            if f == footprint {
                role = role.max(r.role());
            }
        }
        role.max(self.site_wide())
    }

    /// The person's site-wide role.
    pub fn site_wide(&self) -> Role {
        match self.site_role {
            Some(SiteRole::Admin) => Role::SiteAdmin,
            Some(SiteRole::NationalAssurance) => Role::NationalAssurance,
            _ => Role::Public,
        }
    }

    /// The person's strongest role anywhere.
    pub fn strongest(&self) -> Role {
        let mut role = self.site_wide();
        if !self.partner_of.is_empty() {
            role = role.max(Role::OrganisationMember);
        }
        for &(_, r) in &self.footprint_roles {
            role = role.max(r.role());
        }
        role
    }
}

/// Something a person may try to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read anything published.
    ViewPublic,
    /// Read a footprint's material that is not yet public (drafts, partners' working papers).
    ViewFootprintPrivate(FootprintId),
    /// Add or remove a footprint's partner organisations.
    EditPartners(FootprintId),
    /// Give or take people's roles in a footprint.
    ManageFootprintPeople(FootprintId),
    /// Read a footprint's audit trail.
    ViewFootprintAudit(FootprintId),
    /// Add an organisation to the directory (any footprint's lead may, to add a partner).
    CreateOrganisation,
    /// Edit an organisation that belongs to the given footprints.
    EditOrganisation(OrganisationFootprints),
    /// Manage one's own account and API tokens.
    ManageOwnAccount,
    /// Manage users and site-wide roles.
    ManageUsers,
    /// Read the whole site's audit trail.
    ViewSiteAudit,
    /// Edit a footprint's draft plan.
    EditPlan(FootprintId),
    /// Submit or publish a footprint's plan (fix the draft as a numbered version), submit a
    /// version against national guidance and keep the footprint's checklist.
    PublishPlan(FootprintId),
    /// Record engagement: activities, stakeholder groups, when options closed.
    RecordEngagement(FootprintId),
    /// Run a footprint's consultations: write, publish, respond publicly, record the decision;
    /// review requests to join its engagement.
    ManageConsultations(FootprintId),
    /// Read consultation responses with the respondents' personal data, tag and moderate them.
    AnalyseResponses(FootprintId),
    /// Set up the footprint's governance: bodies, members, rules, meetings; put proposals on an
    /// agenda, close a meeting and so record its decisions; set actions.
    ManageGovernance(FootprintId),
    /// Draft a proposal for decision.
    Propose(FootprintId),
    /// Read confidential proposals and decisions (board members and national assurance).
    ViewConfidential(FootprintId),
    /// Record delivery: milestone status, benefits realised, actions done.
    RecordDelivery(FootprintId),
    /// Write and publish national guidance (versions, requirements, deadlines).
    ManageGuidance,
    /// Give feedback and a rating on footprints' submissions.
    AssureSubmissions,
    /// Run and read the national stress test.
    RunNationalStress,
}

/// The footprints an organisation belongs to (at most a few are ever checked; more is rare).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OrganisationFootprints {
    ids: [Option<FootprintId>; 8],
    more: bool,
}

impl OrganisationFootprints {
    /// From a list of footprint ids.
    pub fn new(ids: &[FootprintId]) -> Self {
        let mut out = OrganisationFootprints {
            ids: [None; 8],
            more: ids.len() > 8,
        };
        for (slot, &id) in out.ids.iter_mut().zip(ids) {
            *slot = Some(id);
        }
        out
    }

    fn iter(&self) -> impl Iterator<Item = FootprintId> + '_ {
        self.ids.iter().flatten().copied()
    }
}

/// What an action needs: a role in one footprint, in any of several, or site-wide.
enum Needs {
    Anyone,
    SignedIn,
    InFootprint(FootprintId, Role),
    InAnyOf(OrganisationFootprints, Role),
    AnyFootprint(Role),
    SiteWide(Role),
}

/// The permission table: the weakest role each action needs, and where.
fn needs(action: Action) -> Needs {
    use Action::*;
    match action {
        ViewPublic => Needs::Anyone,
        ViewFootprintPrivate(f) => Needs::InFootprint(f, Role::OrganisationMember),
        EditPartners(f) | ManageFootprintPeople(f) | PublishPlan(f) => Needs::InFootprint(f, Role::Lead),
        EditPlan(f) | RecordEngagement(f) | AnalyseResponses(f) => Needs::InFootprint(f, Role::Contributor),
        ManageConsultations(f) | ManageGovernance(f) => Needs::InFootprint(f, Role::Lead),
        Propose(f) | RecordDelivery(f) => Needs::InFootprint(f, Role::Contributor),
        ViewConfidential(f) => Needs::InFootprint(f, Role::BoardMember),
        ViewFootprintAudit(f) => Needs::InFootprint(f, Role::BoardMember),
        CreateOrganisation => Needs::AnyFootprint(Role::Lead),
        EditOrganisation(fs) => Needs::InAnyOf(fs, Role::Lead),
        ManageOwnAccount => Needs::SignedIn,
        ManageUsers | ViewSiteAudit => Needs::SiteWide(Role::SiteAdmin),
        ManageGuidance | AssureSubmissions | RunNationalStress => Needs::SiteWide(Role::NationalAssurance),
    }
}

/// Whether a role, held where it counts, meets a need. National assurance reads every footprint
/// but does not edit footprints; site administrators may do anything.
fn meets(held: Role, needed: Role, editing: bool) -> bool {
    if held == Role::SiteAdmin {
        return true;
    }
    if held == Role::NationalAssurance {
        return !editing && needed <= Role::NationalAssurance;
    }
    held >= needed && needed < Role::NationalAssurance
}

fn is_edit(action: Action) -> bool {
    matches!(
        action,
        Action::EditPartners(_)
            | Action::EditPlan(_)
            | Action::PublishPlan(_)
            | Action::RecordEngagement(_)
            | Action::ManageConsultations(_)
            // Respondents' personal data is for the footprint's own staff, not for reading
            // across footprints.
            | Action::AnalyseResponses(_)
            | Action::ManageFootprintPeople(_)
            | Action::ManageGovernance(_)
            | Action::Propose(_)
            | Action::RecordDelivery(_)
            | Action::CreateOrganisation
            | Action::EditOrganisation(_)
            | Action::ManageUsers
    )
}

/// Whether `actor` may take `action`. The one place permissions are decided.
pub fn can(actor: &Actor, action: Action) -> bool {
    let editing = is_edit(action);
    match needs(action) {
        Needs::Anyone => true,
        Needs::SignedIn => actor.signed_in(),
        Needs::InFootprint(f, role) => actor.signed_in() && meets(actor.role_in(f), role, editing),
        Needs::InAnyOf(fs, role) => {
            actor.signed_in()
                && (meets(actor.site_wide(), role, editing)
                    || fs.iter().any(|f| meets(actor.role_in(f), role, editing))
                    || (fs.more && actor.site_wide() == Role::SiteAdmin))
        }
        Needs::AnyFootprint(role) => actor.signed_in() && meets(actor.strongest(), role, editing),
        Needs::SiteWide(role) => actor.signed_in() && meets(actor.site_wide(), role, editing),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(role: Role, f: FootprintId) -> Actor {
        let mut a = Actor {
            user: Some(1),
            ..Actor::default()
        };
        match role {
            Role::Public => a.user = None,
            Role::OrganisationMember => a.partner_of = vec![f],
            Role::Contributor => a.footprint_roles = vec![(f, FootprintRole::Contributor)],
            Role::BoardMember => a.footprint_roles = vec![(f, FootprintRole::BoardMember)],
            Role::Lead => a.footprint_roles = vec![(f, FootprintRole::Lead)],
            Role::NationalAssurance => a.site_role = Some(SiteRole::NationalAssurance),
            Role::SiteAdmin => a.site_role = Some(SiteRole::Admin),
        }
        a
    }

    #[test]
    fn the_permission_table() {
        use Role::*;
        let f = 7;
        let orgs = OrganisationFootprints::new(&[3, f]);
        // (action, the roles allowed, in Role::ALL order)
        let table: [(Action, [bool; 7]); 22] = [
            (
                Action::RunNationalStress,
                [false, false, false, false, false, true, true],
            ),
            (Action::ManageGuidance, [false, false, false, false, false, true, true]),
            (
                Action::AssureSubmissions,
                [false, false, false, false, false, true, true],
            ),
            (
                Action::ManageGovernance(f),
                [false, false, false, false, true, false, true],
            ),
            (Action::Propose(f), [false, false, true, true, true, false, true]),
            (Action::RecordDelivery(f), [false, false, true, true, true, false, true]),
            (
                Action::ViewConfidential(f),
                [false, false, false, true, true, true, true],
            ),
            (
                Action::RecordEngagement(f),
                [false, false, true, true, true, false, true],
            ),
            (
                Action::AnalyseResponses(f),
                [false, false, true, true, true, false, true],
            ),
            (
                Action::ManageConsultations(f),
                [false, false, false, false, true, false, true],
            ),
            (Action::EditPlan(f), [false, false, true, true, true, false, true]),
            (Action::PublishPlan(f), [false, false, false, false, true, false, true]),
            (Action::ViewPublic, [true; 7]),
            (
                Action::ViewFootprintPrivate(f),
                [false, true, true, true, true, true, true],
            ),
            (Action::EditPartners(f), [false, false, false, false, true, false, true]),
            (
                Action::ManageFootprintPeople(f),
                [false, false, false, false, true, false, true],
            ),
            (
                Action::ViewFootprintAudit(f),
                [false, false, false, true, true, true, true],
            ),
            (
                Action::CreateOrganisation,
                [false, false, false, false, true, false, true],
            ),
            (
                Action::EditOrganisation(orgs),
                [false, false, false, false, true, false, true],
            ),
            (Action::ManageOwnAccount, [false, true, true, true, true, true, true]),
            (Action::ManageUsers, [false, false, false, false, false, false, true]),
            (Action::ViewSiteAudit, [false, false, false, false, false, false, true]),
        ];
        for (action, allowed) in table {
            for (role, want) in [
                Public,
                OrganisationMember,
                Contributor,
                BoardMember,
                Lead,
                NationalAssurance,
                SiteAdmin,
            ]
            .into_iter()
            .zip(allowed)
            {
                assert_eq!(can(&with(role, f), action), want, "{role:?} {action:?}");
            }
        }
    }

    #[test]
    fn a_role_in_one_footprint_gives_nothing_in_another() {
        for role in [
            Role::OrganisationMember,
            Role::Contributor,
            Role::BoardMember,
            Role::Lead,
        ] {
            let a = with(role, 1);
            assert!(!can(&a, Action::ViewFootprintPrivate(2)), "{role:?}");
            assert!(!can(&a, Action::EditPartners(2)), "{role:?}");
            assert!(
                !can(&a, Action::EditOrganisation(OrganisationFootprints::new(&[2, 3]))),
                "{role:?}"
            );
        }
    }

    #[test]
    fn the_strongest_role_counts() {
        let a = Actor {
            user: Some(1),
            site_role: Some(SiteRole::None),
            footprint_roles: vec![(1, FootprintRole::Contributor), (1, FootprintRole::Lead)],
            partner_of: vec![1, 2],
        };
        assert_eq!(a.role_in(1), Role::Lead);
        assert_eq!(a.role_in(2), Role::OrganisationMember);
        assert_eq!(a.role_in(3), Role::Public);
    }
}
