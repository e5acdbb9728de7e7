//! Footprint's domain: footprints, organisations, people and roles, and the one place that
//! decides who may do what. Pure: no I/O, no SQL, no HTTP.

pub mod access;
pub mod consultation;
pub mod dashboard;
pub mod delivery;
pub mod engagement;
pub mod footprint;
pub mod governance;
pub mod guidance;
pub mod organisation;
pub mod person;
pub mod plan;

/// A value that failed to parse: what was wrong, in words for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub String);

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Invalid {}

/// Trims `text` and checks it is a non-empty single line of at most `max` characters.
pub(crate) fn one_line(text: &str, what: &str, max: usize) -> Result<String, Invalid> {
    let t = text.trim();
    if t.is_empty() {
        return Err(Invalid(format!("Enter {what}")));
    }
    if t.chars().count() > max {
        return Err(Invalid(format!(
            "{} must be {max} characters or fewer",
            capitalise(what)
        )));
    }
    if t.chars().any(char::is_control) {
        return Err(Invalid(format!("{} must be a single line of text", capitalise(what))));
    }
    Ok(t.to_string())
}

fn capitalise(s: &str) -> String {
    let s = s
        .strip_prefix("the ")
        .or_else(|| s.strip_prefix("a "))
        .or_else(|| s.strip_prefix("an "))
        .unwrap_or(s);
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
