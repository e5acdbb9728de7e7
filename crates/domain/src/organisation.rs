//! Organisations that take part in a footprint, of every kind.

use crate::{Invalid, one_line};

/// The kind of an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OrgKind {
    /// An acute hospital trust.
    AcuteTrust,
    /// A mental health trust.
    MentalHealthTrust,
    /// A community services trust.
    CommunityTrust,
    /// An ambulance trust.
    AmbulanceTrust,
    /// A clinical commissioning group.
    Ccg,
    /// A GP practice.
    GpPractice,
    /// A GP federation.
    GpFederation,
    /// A county council (social care and public health).
    CountyCouncil,
    /// A unitary council (social care, public health, housing and planning).
    UnitaryCouncil,
    /// A district council (housing and planning).
    DistrictCouncil,
    /// A council for voluntary service: the local hub of the voluntary and community sector.
    Cvs,
    /// A voluntary or community sector organisation.
    VoluntaryOrganisation,
    /// The local Healthwatch.
    Healthwatch,
    /// A national body such as NHS England or NHS Improvement.
    NationalBody,
}

impl OrgKind {
    /// Every kind, in the order forms list them.
    pub const ALL: [OrgKind; 14] = [
        OrgKind::AcuteTrust,
        OrgKind::MentalHealthTrust,
        OrgKind::CommunityTrust,
        OrgKind::AmbulanceTrust,
        OrgKind::Ccg,
        OrgKind::GpPractice,
        OrgKind::GpFederation,
        OrgKind::CountyCouncil,
        OrgKind::UnitaryCouncil,
        OrgKind::DistrictCouncil,
        OrgKind::Cvs,
        OrgKind::VoluntaryOrganisation,
        OrgKind::Healthwatch,
        OrgKind::NationalBody,
    ];

    /// The stable key stored and used in forms and the API.
    pub fn key(self) -> &'static str {
        match self {
            OrgKind::AcuteTrust => "acute-trust",
            OrgKind::MentalHealthTrust => "mental-health-trust",
            OrgKind::CommunityTrust => "community-trust",
            OrgKind::AmbulanceTrust => "ambulance-trust",
            OrgKind::Ccg => "ccg",
            OrgKind::GpPractice => "gp-practice",
            OrgKind::GpFederation => "gp-federation",
            OrgKind::CountyCouncil => "county-council",
            OrgKind::UnitaryCouncil => "unitary-council",
            OrgKind::DistrictCouncil => "district-council",
            OrgKind::Cvs => "cvs",
            OrgKind::VoluntaryOrganisation => "voluntary-organisation",
            OrgKind::Healthwatch => "healthwatch",
            OrgKind::NationalBody => "national-body",
        }
    }

    /// The words people use for it.
    pub fn label(self) -> &'static str {
        match self {
            OrgKind::AcuteTrust => "Acute trust",
            OrgKind::MentalHealthTrust => "Mental health trust",
            OrgKind::CommunityTrust => "Community trust",
            OrgKind::AmbulanceTrust => "Ambulance trust",
            OrgKind::Ccg => "Clinical commissioning group (CCG)",
            OrgKind::GpPractice => "GP practice",
            OrgKind::GpFederation => "GP federation",
            OrgKind::CountyCouncil => "County council",
            OrgKind::UnitaryCouncil => "Unitary council",
            OrgKind::DistrictCouncil => "District council",
            OrgKind::Cvs => "Council for voluntary service (CVS)",
            OrgKind::VoluntaryOrganisation => "Voluntary or community organisation",
            OrgKind::Healthwatch => "Healthwatch",
            OrgKind::NationalBody => "National body",
        }
    }

    /// Parses a stored or submitted key.
    pub fn parse(key: &str) -> Result<Self, Invalid> {
        OrgKind::ALL
            .into_iter()
            .find(|k| k.key() == key.trim())
            .ok_or_else(|| Invalid("Select the kind of organisation".into()))
    }

    /// Whether the kind is an NHS trust, which may be a foundation trust.
    pub fn is_trust(self) -> bool {
        matches!(
            self,
            OrgKind::AcuteTrust | OrgKind::MentalHealthTrust | OrgKind::CommunityTrust | OrgKind::AmbulanceTrust
        )
    }

    /// The group the kind belongs to, for grouping partners on a page.
    pub fn sector(self) -> &'static str {
        match self {
            k if k.is_trust() => "NHS providers",
            OrgKind::Ccg => "Commissioners",
            OrgKind::GpPractice | OrgKind::GpFederation => "Primary care",
            OrgKind::CountyCouncil | OrgKind::UnitaryCouncil | OrgKind::DistrictCouncil => "Local government",
            OrgKind::Cvs | OrgKind::VoluntaryOrganisation => "Voluntary and community sector",
            OrgKind::Healthwatch => "Patients and the public",
            _ => "National bodies",
        }
    }
}

/// An organisation as it is created or edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganisationInput {
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: OrgKind,
    /// For a trust: whether it is a foundation trust.
    pub foundation_trust: bool,
    /// Its ODS code, if it has one (`RXX`, `00Q`, `Y01234`): 3 to 6 letters and digits.
    pub ods_code: Option<String>,
}

impl OrganisationInput {
    /// Parses form or API fields; each error names its field.
    pub fn parse(
        name: &str,
        kind: &str,
        foundation_trust: bool,
        ods_code: &str,
    ) -> Result<Self, Vec<(&'static str, Invalid)>> {
        let mut errors = Vec::new();
        let name = one_line(name, "the organisation's name", 160)
            .map_err(|e| errors.push(("name", e)))
            .ok();
        let kind = OrgKind::parse(kind).map_err(|e| errors.push(("kind", e))).ok();
        if let Some(k) = kind
            && foundation_trust
            && !k.is_trust()
        {
            errors.push((
                "foundation_trust",
                Invalid("Only an NHS trust can be a foundation trust".into()),
            ));
        }
        // Spaces and tabs around it are dropped; any other character makes it invalid. The API's
        // schema says exactly this (`^[ \t]*([A-Za-z0-9]{3,6})?[ \t]*$`): a wider "whitespace"
        // would differ between regex dialects and this parser.
        let ods = ods_code.trim_matches([' ', '\t']).to_ascii_uppercase();
        let ods_code = if ods.is_empty() {
            None
        } else if (3..=6).contains(&ods.len()) && ods.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Some(ods)
        } else {
            errors.push((
                "ods_code",
                Invalid("ODS code must be 3 to 6 letters and digits, like RXX".into()),
            ));
            None
        };
        match (name, kind) {
            (Some(name), Some(kind)) if errors.is_empty() => Ok(OrganisationInput {
                name,
                kind,
                foundation_trust,
                ods_code,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_keys() {
        for k in OrgKind::ALL {
            assert_eq!(OrgKind::parse(k.key()).unwrap(), k);
            assert!(!k.label().is_empty());
        }
        assert!(OrgKind::parse("hospital").is_err());
    }

    #[test]
    fn organisation_fields_are_checked_together() {
        let ok =
            OrganisationInput::parse(" Eastvale Hospitals NHS Foundation Trust ", "acute-trust", true, "rxx").unwrap();
        assert_eq!(ok.name, "Eastvale Hospitals NHS Foundation Trust");
        assert_eq!(ok.ods_code.as_deref(), Some("RXX"));
        let e = OrganisationInput::parse("Eastvale CVS", "cvs", true, "R-1").unwrap_err();
        let fields: Vec<_> = e.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["foundation_trust", "ods_code"]);
        let e = OrganisationInput::parse("", "", false, "").unwrap_err();
        assert_eq!(e[0].1.0, "Enter the organisation's name");
        assert_eq!(e[1].1.0, "Select the kind of organisation");
    }

    #[test]
    fn ods_codes_lose_only_spaces_and_tabs_around_them() {
        // As the API schema's pattern says: other characters around the code make it invalid,
        // whatever a regex dialect counts as whitespace (Python's \s takes U+001C to U+001F).
        let parse = |ods: &str| OrganisationInput::parse("Eastvale CVS", "cvs", false, ods).map(|o| o.ods_code);
        assert_eq!(parse(" \trxx\t ").unwrap().as_deref(), Some("RXX"));
        assert_eq!(parse(" \t ").unwrap(), None);
        for bad in ["\u{1c}RXX", "RXX\u{1f}", "\u{3000}RXX", "RXX\n", "\u{a0}RXX"] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
