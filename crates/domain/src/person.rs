//! People: email addresses, names and passwords as they may be accepted.

use crate::{Invalid, one_line};

/// An email address, trimmed and lower-cased: a person's sign-in name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Email(String);

impl Email {
    /// Parses an address: one `@`, a non-empty local part, a domain with a dot, no spaces.
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        let t = text.trim().to_lowercase();
        if t.is_empty() {
            return Err(Invalid("Enter an email address".into()));
        }
        let bad = || Invalid("Enter an email address in the correct format, like name@example.org".into());
        if t.len() > 254 || t.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = t.split_once('@').ok_or_else(bad)?;
        let labels_ok = domain
            .split('.')
            .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'));
        if local.is_empty() || domain.contains('@') || !domain.contains('.') || !labels_ok {
            return Err(bad());
        }
        Ok(Email(t))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's name as shown to others.
pub fn parse_display_name(text: &str) -> Result<String, Invalid> {
    one_line(text, "a name", 100)
}

/// The shortest password accepted.
pub const MIN_PASSWORD: usize = 12;
/// The longest password accepted (hashing cost is bounded).
pub const MAX_PASSWORD: usize = 200;

/// Checks a new password: long enough, not too long, not a common or obvious one.
pub fn check_new_password(password: &str, email: Option<&Email>) -> Result<(), Invalid> {
    let n = password.chars().count();
    if n == 0 {
        return Err(Invalid("Enter a password".into()));
    }
    if n < MIN_PASSWORD {
        return Err(Invalid(format!("Password must be {MIN_PASSWORD} characters or more")));
    }
    if n > MAX_PASSWORD {
        return Err(Invalid(format!("Password must be {MAX_PASSWORD} characters or fewer")));
    }
    let lower = password.to_lowercase();
    let distinct = {
        let mut c: Vec<char> = lower.chars().collect();
        c.sort_unstable();
        c.dedup();
        c.len()
    };
    const COMMON: [&str; 8] = [
        "password",
        "123456",
        "qwerty",
        "letmein",
        "welcome",
        "footprint",
        "admin",
        "nhs",
    ];
    let only_common = {
        let mut rest = lower.clone();
        for w in COMMON {
            rest = rest.replace(w, "");
        }
        rest.chars().filter(|c| c.is_alphanumeric()).count() < 6
    };
    let is_email = email.is_some_and(|e| lower.contains(e.as_str().split('@').next().unwrap_or("\u{0}")));
    if distinct < 5 || only_common || is_email {
        return Err(Invalid(
            "Choose a password that is harder to guess: avoid common words, repeats and your email address".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(Email::parse(" Ada@Example.ORG ").unwrap().as_str(), "ada@example.org");
        for bad in [
            "",
            "ada",
            "ada@",
            "@x.org",
            "ada@org",
            "a b@x.org",
            "a@@x.org",
            "a@x..org",
            "a@-x.org",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn passwords() {
        let e = Email::parse("ada.lovelace@example.org").unwrap();
        assert!(check_new_password("correct horse battery staple", Some(&e)).is_ok());
        assert!(check_new_password("short", None).is_err());
        assert!(check_new_password("aaaaaaaaaaaaaaaa", None).is_err());
        assert!(check_new_password("password123456", None).is_err());
        assert!(check_new_password("ada.lovelace-2026!", Some(&e)).is_err());
        assert!(check_new_password(&"x1".repeat(150), None).is_err());
    }
}
