//! Footprints: the 44 STP areas of March 2016 and any set up since (for example a demo).

use crate::{Invalid, one_line};

/// A footprint's code: the ONS code of the 44 (`E54000005`), or for a footprint set up here,
/// 2 to 16 capital letters and digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct FootprintCode(String);

impl FootprintCode {
    /// Parses a code, accepting lower case.
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        let t = text.trim().to_ascii_uppercase();
        if t.is_empty() {
            return Err(Invalid("Enter the footprint code".into()));
        }
        if !(2..=16).contains(&t.len()) || !t.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) {
            return Err(Invalid(
                "Footprint code must be 2 to 16 letters and digits, like E54000005".into(),
            ));
        }
        Ok(FootprintCode(t))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for FootprintCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// NHS England's regions as the footprints of 2016 were grouped.
pub const REGIONS: [&str; 4] = ["North", "Midlands and East", "London", "South"];

/// A footprint as it is created: code, name and region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFootprint {
    /// Its code.
    pub code: FootprintCode,
    /// Its name, such as "Cheshire and Merseyside".
    pub name: String,
    /// Its region, one of [`REGIONS`].
    pub region: String,
}

impl NewFootprint {
    /// Parses the three fields; each error names its field.
    pub fn parse(code: &str, name: &str, region: &str) -> Result<Self, Vec<(&'static str, Invalid)>> {
        let mut errors = Vec::new();
        let code = FootprintCode::parse(code).map_err(|e| errors.push(("code", e))).ok();
        let name = one_line(name, "the footprint name", 120)
            .map_err(|e| errors.push(("name", e)))
            .ok();
        let region = match REGIONS.iter().find(|r| r.eq_ignore_ascii_case(region.trim())) {
            Some(r) => Some((*r).to_string()),
            None => {
                errors.push(("region", Invalid(format!("Select the region: {}", REGIONS.join(", ")))));
                None
            }
        };
        match (code, name, region) {
            (Some(code), Some(name), Some(region)) if errors.is_empty() => Ok(NewFootprint { code, name, region }),
            _ => Err(errors),
        }
    }
}

/// The 44 footprints of March 2016 (ONS code, name, region), shipped in the binary.
pub fn reference_footprints() -> Vec<NewFootprint> {
    const CSV: &str = include_str!("../../../data/reference/stp-footprints.csv");
    let mut out = Vec::new();
    for line in CSV.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let fields = split_csv_line(line);
        let [code, name, region] = fields.as_slice() else {
            panic!("stp-footprints.csv: expected three fields in {line:?}");
        };
        out.push(
            NewFootprint::parse(code, name, region).unwrap_or_else(|e| panic!("stp-footprints.csv: {line:?}: {e:?}")),
        );
    }
    out
}

/// Splits one CSV line with RFC 4180 quoting.
fn split_csv_line(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                fields.last_mut().unwrap().push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(String::new()),
            (c, _) => fields.last_mut().unwrap().push(c),
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_44_footprints_ship_with_their_regions() {
        let all = reference_footprints();
        assert_eq!(all.len(), 44);
        let humber = all.iter().find(|f| f.code.as_str() == "E54000006").unwrap();
        assert_eq!(humber.name, "Humber, Coast and Vale");
        assert_eq!(humber.region, "North");
        let mut codes: Vec<_> = all.iter().map(|f| f.code.clone()).collect();
        codes.dedup();
        assert_eq!(codes.len(), 44);
        for r in REGIONS {
            assert!(all.iter().any(|f| f.region == r), "no footprint in {r}");
        }
    }

    #[test]
    fn codes_are_checked() {
        assert_eq!(FootprintCode::parse(" e54000005 ").unwrap().as_str(), "E54000005");
        assert!(FootprintCode::parse("").is_err());
        assert!(FootprintCode::parse("E54-0005").is_err());
        assert!(FootprintCode::parse("X").is_err());
        let e = NewFootprint::parse("", " ", "Wales").unwrap_err();
        let fields: Vec<_> = e.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["code", "name", "region"]);
    }
}
