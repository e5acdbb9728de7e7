//! Public consultation: questions and the answers people give, the redaction of personal data
//! before anything is published, the stress-test effect of an option, and the Gunning
//! principles as checks. Pure.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::Date;

use crate::Invalid;

/// The longest free-text answer, in characters.
pub const MAX_ANSWER: usize = 5000;

/// Weeks a formal consultation runs unless a footprint sets otherwise.
pub const DEFAULT_FORMAL_WEEKS: i64 = 12;

/// What kind of answer a question asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QuestionKind {
    /// Free text.
    FreeText,
    /// One of the choices.
    Single,
    /// Any of the choices.
    Multiple,
    /// Every choice put in order.
    Ranking,
}

impl QuestionKind {
    /// Every kind.
    pub const ALL: [QuestionKind; 4] = [
        QuestionKind::FreeText,
        QuestionKind::Single,
        QuestionKind::Multiple,
        QuestionKind::Ranking,
    ];

    /// The stored key.
    pub fn key(self) -> &'static str {
        match self {
            QuestionKind::FreeText => "free-text",
            QuestionKind::Single => "single",
            QuestionKind::Multiple => "multiple",
            QuestionKind::Ranking => "ranking",
        }
    }

    /// Words for staff.
    pub fn label(self) -> &'static str {
        match self {
            QuestionKind::FreeText => "Free text",
            QuestionKind::Single => "Choose one",
            QuestionKind::Multiple => "Choose any",
            QuestionKind::Ranking => "Put in order",
        }
    }

    /// Parses a key.
    pub fn parse(key: &str) -> Option<Self> {
        QuestionKind::ALL.into_iter().find(|k| k.key() == key.trim())
    }
}

/// A question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// Row id.
    pub id: i64,
    /// Its kind.
    pub kind: QuestionKind,
    /// What is asked.
    pub prompt: String,
    /// Help under the question.
    pub hint: String,
    /// Whether an answer is needed.
    pub required: bool,
    /// The choices (none for free text).
    pub choices: Vec<String>,
}

impl Question {
    /// The form field name of the question (`q12`), and of one choice's rank (`q12_r3`).
    pub fn field(&self) -> String {
        format!("q{}", self.id)
    }
}

/// A checked question: its prompt and choices.
pub type CheckedQuestion = (String, Vec<String>);

/// Problems with a form, by field.
pub type FieldProblems = Vec<(&'static str, Invalid)>;

/// Checks a new question: a prompt, and two or more distinct choices unless free text.
pub fn check_question(kind: QuestionKind, prompt: &str, choices_text: &str) -> Result<CheckedQuestion, FieldProblems> {
    let mut errors = Vec::new();
    let prompt = match crate::one_line(prompt, "the question", 300) {
        Ok(p) => p,
        Err(e) => {
            errors.push(("prompt", e));
            String::new()
        }
    };
    let choices: Vec<String> = choices_text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    if kind == QuestionKind::FreeText {
        if !choices.is_empty() {
            errors.push((
                "choices",
                Invalid("A free-text question has no choices: leave the choices empty".into()),
            ));
        }
    } else if choices.len() < 2 {
        errors.push((
            "choices",
            Invalid("Enter at least two choices, one on each line".into()),
        ));
    } else if choices.len() > 20 {
        errors.push(("choices", Invalid("Enter at most 20 choices".into())));
    } else if let Some(c) = choices.iter().find(|c| c.chars().count() > 200) {
        errors.push((
            "choices",
            Invalid(format!(
                "Each choice must be 200 characters or fewer: \"{}…\" is longer",
                c.chars().take(40).collect::<String>()
            )),
        ));
    } else {
        let mut seen: Vec<String> = Vec::new();
        for c in &choices {
            if seen.iter().any(|s| s.eq_ignore_ascii_case(c)) {
                errors.push((
                    "choices",
                    Invalid(format!("\"{c}\" is given twice: each choice must be different")),
                ));
                break;
            }
            seen.push(c.clone());
        }
    }
    if errors.is_empty() {
        Ok((prompt, choices))
    } else {
        Err(errors)
    }
}

/// An answer to one question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "value")]
pub enum Answer {
    /// Free text.
    Text(String),
    /// The one choice.
    One(String),
    /// The choices ticked.
    Many(Vec<String>),
    /// Every choice, first preference first.
    Ranked(Vec<String>),
}

impl Answer {
    /// The answer in one line of words (for CSV and staff pages).
    pub fn words(&self) -> String {
        match self {
            Answer::Text(t) | Answer::One(t) => t.clone(),
            Answer::Many(v) => v.join("; "),
            Answer::Ranked(v) => v
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{}. {c}", i + 1))
                .collect::<Vec<_>>()
                .join("; "),
        }
    }
}

/// The answers a person gave, by question id.
pub type Answers = Vec<(i64, Answer)>;

/// A submitted form: every value of every field.
pub type FormValues = HashMap<String, Vec<String>>;

fn first<'a>(form: &'a FormValues, key: &str) -> &'a str {
    form.get(key).and_then(|v| v.first()).map_or("", |s| s.as_str())
}

/// Reads the answers from a submitted form, checking each against its question: a required
/// answer is present, choices are among the question's, a ranking uses each place once, free text
/// is at most [`MAX_ANSWER`] characters. Errors name the question's field.
pub fn read_answers(questions: &[Question], form: &FormValues) -> Result<Answers, Vec<(String, String)>> {
    let mut answers = Vec::new();
    let mut errors = Vec::new();
    for (n, q) in questions.iter().enumerate() {
        let field = q.field();
        let number = n + 1;
        match q.kind {
            QuestionKind::FreeText => {
                let text = first(form, &field).trim().replace("\r\n", "\n");
                let len = text.chars().count();
                if len > MAX_ANSWER {
                    errors.push((
                        field,
                        format!("Your answer to question {number} is {len} characters long: shorten it to {MAX_ANSWER} or fewer"),
                    ));
                } else if text.is_empty() {
                    if q.required {
                        errors.push((field, format!("Answer question {number}: {}", q.prompt)));
                    }
                } else {
                    answers.push((q.id, Answer::Text(text)));
                }
            }
            QuestionKind::Single => {
                let v = first(form, &field).trim();
                if v.is_empty() {
                    if q.required {
                        errors.push((field, format!("Choose an answer to question {number}: {}", q.prompt)));
                    }
                } else if let Some(c) = q.choices.iter().find(|c| c.as_str() == v) {
                    answers.push((q.id, Answer::One(c.clone())));
                } else {
                    errors.push((field, format!("Choose one of the answers given for question {number}")));
                }
            }
            QuestionKind::Multiple => {
                let ticked: Vec<&str> = form.get(&field).map_or_else(Vec::new, |v| {
                    v.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect()
                });
                if ticked.iter().any(|t| !q.choices.iter().any(|c| c == t)) {
                    errors.push((field, format!("Choose from the answers given for question {number}")));
                } else if ticked.is_empty() {
                    if q.required {
                        errors.push((
                            field,
                            format!("Choose at least one answer to question {number}: {}", q.prompt),
                        ));
                    }
                } else {
                    // In the question's order, each once.
                    let chosen = q
                        .choices
                        .iter()
                        .filter(|c| ticked.contains(&c.as_str()))
                        .cloned()
                        .collect();
                    answers.push((q.id, Answer::Many(chosen)));
                }
            }
            QuestionKind::Ranking => {
                let n_choices = q.choices.len();
                let ranks: Vec<&str> = (0..n_choices)
                    .map(|i| first(form, &format!("{field}_r{i}")).trim())
                    .collect();
                if ranks.iter().all(|r| r.is_empty()) {
                    if q.required {
                        errors.push((
                            field,
                            format!("Put the answers to question {number} in order: give each a number"),
                        ));
                    }
                    continue;
                }
                let parsed: Vec<Option<usize>> = ranks
                    .iter()
                    .map(|r| r.parse::<usize>().ok().filter(|&k| k >= 1 && k <= n_choices))
                    .collect();
                if parsed.iter().any(Option::is_none) {
                    errors.push((
                        field,
                        format!("Give every answer to question {number} a number from 1 to {n_choices}"),
                    ));
                    continue;
                }
                let mut order: Vec<Option<String>> = vec![None; n_choices];
                let mut twice = false;
                for (i, k) in parsed.iter().flatten().enumerate() {
                    if order[k - 1].is_some() {
                        twice = true;
                    }
                    order[k - 1] = Some(q.choices[i].clone());
                }
                if twice {
                    errors.push((
                        field,
                        format!("Use each number from 1 to {n_choices} once in question {number}"),
                    ));
                } else {
                    answers.push((q.id, Answer::Ranked(order.into_iter().flatten().collect())));
                }
            }
        }
    }
    if errors.is_empty() { Ok(answers) } else { Err(errors) }
}

/// What replaces personal data in published text.
pub const REMOVED: &str = "[removed]";

/// Removes personal data from text before it is published: email addresses, telephone and NHS
/// numbers (runs of 9 or more digits, spaces and dashes allowed between them), UK postcodes,
/// and the words of the names given (the respondent's own name and organisation contacts).
/// Staff check each published response as well; this is the first pass, not the only one.
pub fn redact(text: &str, names: &[&str]) -> String {
    let mut out = redact_numbers(&redact_words(text, names));
    // Postcodes: an outward code (letters and digits) then an inward code (digit, two letters).
    out = redact_postcodes(&out);
    out
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '@' || c == '.' || c == '_' || c == '-' || c == '+' || c == '\''
}

fn redact_words(text: &str, names: &[&str]) -> String {
    let name_words: Vec<String> = names
        .iter()
        .flat_map(|n| n.split_whitespace())
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase())
        .filter(|w| w.chars().count() >= 2)
        .collect();
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.is_empty() {
            return;
        }
        let core = word.trim_end_matches(['.', '-', '\'']);
        let tail = &word[core.len()..];
        let is_email = core.contains('@') && {
            let (user, domain) = core.split_once('@').unwrap_or(("", ""));
            !user.is_empty() && domain.contains('.')
        };
        let bare = core.trim_end_matches("'s").to_lowercase();
        if is_email || name_words.contains(&bare) {
            out.push_str(REMOVED);
        } else {
            out.push_str(core);
        }
        out.push_str(tail);
        word.clear();
    };
    for c in text.chars() {
        if is_word_char(c) {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

fn redact_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() || (chars[i] == '+' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            // A run of digits with single spaces, dashes or brackets between them.
            let mut j = i;
            let mut digits = 0;
            let mut last_digit_end = i;
            while j < chars.len() {
                let c = chars[j];
                if c.is_ascii_digit() {
                    digits += 1;
                    last_digit_end = j + 1;
                } else if !(c == ' ' || c == '-' || c == '(' || c == ')' || (c == '+' && j == i))
                    || (c == ' ' && chars.get(j + 1).is_some_and(|n| !n.is_ascii_digit() && *n != '('))
                {
                    break;
                }
                j += 1;
            }
            if digits >= 9 {
                out.push_str(REMOVED);
            } else {
                out.extend(&chars[i..last_digit_end]);
            }
            i = last_digit_end.max(i + 1);
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

fn is_outward(w: &str) -> bool {
    let c: Vec<char> = w.chars().collect();
    (2..=4).contains(&c.len())
        && c[0].is_ascii_alphabetic()
        && c.iter().all(char::is_ascii_alphanumeric)
        && c.iter().any(char::is_ascii_digit)
        && c.last().is_some_and(|l| l.is_ascii_alphanumeric())
        && c.iter().take_while(|x| x.is_ascii_alphabetic()).count() <= 2
}

fn is_inward(w: &str) -> bool {
    let c: Vec<char> = w.chars().collect();
    c.len() == 3 && c[0].is_ascii_digit() && c[1].is_ascii_alphabetic() && c[2].is_ascii_alphabetic()
}

fn redact_postcodes(text: &str) -> String {
    // Tokens split on spaces, keeping trailing punctuation outside the match.
    let mut out = String::with_capacity(text.len());
    let parts: Vec<&str> = text.split(' ').collect();
    let mut i = 0;
    while i < parts.len() {
        let strip = |w: &str| -> (String, String) {
            let core = w.trim_end_matches(|c: char| !c.is_ascii_alphanumeric());
            (core.to_ascii_uppercase(), w[core.len()..].to_string())
        };
        let (a, _) = strip(parts[i]);
        let lead = parts[i].len() - parts[i].trim_start_matches(|c: char| !c.is_ascii_alphanumeric()).len();
        let a_core = a[lead.min(a.len())..].to_string();
        if i > 0 {
            out.push(' ');
        }
        if is_outward(&a_core) && i + 1 < parts.len() {
            let (b, tail) = strip(parts[i + 1]);
            if is_inward(&b) {
                out.push_str(&parts[i][..lead]);
                out.push_str(REMOVED);
                out.push_str(&tail);
                i += 2;
                continue;
            }
        }
        // A postcode written without its space: "NE14AB".
        if a_core.len() >= 5
            && a_core.len() <= 7
            && is_inward(&a_core[a_core.len() - 3..])
            && is_outward(&a_core[..a_core.len() - 3])
        {
            let (_, tail) = strip(parts[i]);
            out.push_str(&parts[i][..lead]);
            out.push_str(REMOVED);
            out.push_str(&tail);
            i += 1;
            continue;
        }
        out.push_str(parts[i]);
        i += 1;
    }
    out
}

/// What an option would do to the initiative the consultation is about, for its stress-test
/// effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "amount")]
pub enum OptionEffect {
    /// Not modelled (for example an option about how rather than whether).
    NotModelled,
    /// The initiative as the plan has it.
    AsPlanned,
    /// Without the initiative: its savings and costs removed.
    Without,
    /// The initiative's saving at this percentage.
    Scaled(u32),
    /// The initiative starting this many months later.
    Delayed(u32),
}

impl OptionEffect {
    /// Reads the effect from a form's kind and amount.
    pub fn parse(kind: &str, amount: &str) -> Result<Self, Invalid> {
        let amount_of = |what: &str, max: u32| -> Result<u32, Invalid> {
            amount
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|a| *a <= max)
                .ok_or_else(|| Invalid(format!("Enter {what} as a whole number from 0 to {max}")))
        };
        Ok(match kind.trim() {
            "" | "not-modelled" => OptionEffect::NotModelled,
            "as-planned" => OptionEffect::AsPlanned,
            "without" => OptionEffect::Without,
            "scaled" => OptionEffect::Scaled(amount_of("the share of the saving, in per cent,", 300)?),
            "delayed" => OptionEffect::Delayed(amount_of("the delay in months", 60)?),
            other => return Err(Invalid(format!("\"{other}\" is not a kind of effect"))),
        })
    }

    /// The stored key of its kind.
    pub fn key(self) -> &'static str {
        match self {
            OptionEffect::NotModelled => "not-modelled",
            OptionEffect::AsPlanned => "as-planned",
            OptionEffect::Without => "without",
            OptionEffect::Scaled(_) => "scaled",
            OptionEffect::Delayed(_) => "delayed",
        }
    }

    /// The amount, if the kind has one.
    pub fn amount(self) -> Option<u32> {
        match self {
            OptionEffect::Scaled(a) | OptionEffect::Delayed(a) => Some(a),
            _ => None,
        }
    }

    /// In words.
    pub fn words(self) -> String {
        match self {
            OptionEffect::NotModelled => "Not modelled in the stress test".into(),
            OptionEffect::AsPlanned => "The initiative as the plan has it".into(),
            OptionEffect::Without => "Without the initiative".into(),
            OptionEffect::Scaled(p) => format!("The initiative saving {p}% of what the plan has"),
            OptionEffect::Delayed(m) => format!("The initiative starting {m} months later"),
        }
    }

    /// Applies the option to a stress-model plan (JSON), changing initiative `id`. Returns none
    /// when the option is not modelled.
    pub fn apply(self, model: &Value, id: &str) -> Result<Option<Value>, Invalid> {
        if self == OptionEffect::NotModelled {
            return Ok(None);
        }
        let mut m = model.clone();
        let list = m
            .get_mut("initiative")
            .and_then(Value::as_array_mut)
            .ok_or_else(|| Invalid("The plan has no initiatives".into()))?;
        let k = list
            .iter()
            .position(|i| i.get("id").and_then(Value::as_str) == Some(id))
            .ok_or_else(|| Invalid(format!("The plan has no initiative \"{id}\"")))?;
        match self {
            OptionEffect::NotModelled | OptionEffect::AsPlanned => {}
            OptionEffect::Without => {
                list.remove(k);
                // Correlations that name the initiative go with it.
                let prefix = format!("initiative.{id}.");
                if let Some(c) = m.get_mut("correlation").and_then(Value::as_array_mut) {
                    c.retain(|c| {
                        !c.get("variables")
                            .and_then(Value::as_array)
                            .is_some_and(|v| v.iter().any(|x| x.as_str().is_some_and(|s| s.starts_with(&prefix))))
                    });
                }
            }
            OptionEffect::Scaled(p) => {
                let f = f64::from(p) / 100.0;
                let saving = &mut list[k]["saving"];
                *saving = scale_value(saving, f)
                    .ok_or_else(|| Invalid(format!("Initiative \"{id}\" has a saving that cannot be scaled")))?;
            }
            OptionEffect::Delayed(months) => {
                let start = list[k]["start_month"].as_i64().unwrap_or(0) + i64::from(months);
                let last = m["years"].as_i64().unwrap_or(5) * 12 - 1;
                m["initiative"][k]["start_month"] = Value::from(start.min(last));
            }
        }
        Ok(Some(m))
    }
}

/// Multiplies a stress-model value (a number or a distribution table) by `f`.
fn scale_value(v: &Value, f: f64) -> Option<Value> {
    match v {
        Value::Number(n) => Some(Value::from(n.as_f64()? * f)),
        Value::Object(o) => {
            let mut out = o.clone();
            let dist = o.get("dist").and_then(Value::as_str).unwrap_or("");
            // Location and spread scale; shape parameters (lognormal's sigma) do not.
            let keys: &[&str] = match dist {
                "lognormal" => &["median"],
                _ => &[
                    "min", "mode", "max", "mean", "sd", "median", "p10", "p90", "value", "values",
                ],
            };
            for k in keys {
                if let Some(x) = out.get_mut(*k) {
                    *x = match x {
                        Value::Number(n) => Value::from(n.as_f64()? * f),
                        Value::Array(a) => Value::Array(
                            a.iter()
                                .map(|y| y.as_f64().map(|y| Value::from(y * f)))
                                .collect::<Option<Vec<_>>>()?,
                        ),
                        _ => return None,
                    };
                }
            }
            Some(Value::Object(out))
        }
        _ => None,
    }
}

/// Parses a date written `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<Date> {
    let mut it = text.trim().splitn(3, '-');
    let y: i32 = it.next()?.parse().ok()?;
    let m: u8 = it.next()?.parse().ok()?;
    let d: u8 = it.next()?.parse().ok()?;
    Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()
}

/// Reads a date from the three fields of the design system's date input, naming `what` in the
/// message. Returns `YYYY-MM-DD`.
pub fn date_from_parts(day: &str, month: &str, year: &str, what: &str) -> Result<String, Invalid> {
    let (d, m, y) = (day.trim(), month.trim(), year.trim());
    if d.is_empty() && m.is_empty() && y.is_empty() {
        return Err(Invalid(format!("Enter {what}")));
    }
    let missing: Vec<&str> = [("a day", d), ("a month", m), ("a year", y)]
        .into_iter()
        .filter(|(_, v)| v.is_empty())
        .map(|(n, _)| n)
        .collect();
    if !missing.is_empty() {
        return Err(Invalid(format!(
            "{} must include {}",
            crate::capitalise(what),
            missing.join(" and ")
        )));
    }
    let (Ok(dn), Ok(mn), Ok(yn)) = (d.parse::<u8>(), m.parse::<u8>(), y.parse::<i32>()) else {
        return Err(Invalid(format!(
            "{} must be a real date, written in numbers",
            crate::capitalise(what)
        )));
    };
    if !(2000..=2100).contains(&yn) {
        return Err(Invalid(format!(
            "{}: the year must have four digits, from 2000 to 2100",
            crate::capitalise(what)
        )));
    }
    let date = time::Month::try_from(mn)
        .ok()
        .and_then(|mo| Date::from_calendar_date(yn, mo, dn).ok())
        .ok_or_else(|| Invalid(format!("{} must be a real date", crate::capitalise(what))))?;
    Ok(iso(date))
}

/// A date as `YYYY-MM-DD`.
pub fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// A `YYYY-MM-DD` date as people read it: `23 November 2026` (the text itself if it is not a
/// date).
pub fn long_date(text: &str) -> String {
    parse_date(text).map_or_else(
        || text.to_string(),
        |d| format!("{} {} {}", d.day(), d.month(), d.year()),
    )
}

/// Whole days from `a` to `b` (negative when `b` is earlier), if both are dates.
pub fn days_between(a: &str, b: &str) -> Option<i64> {
    Some((parse_date(b)? - parse_date(a)?).whole_days())
}

/// Where a consultation is in its life, on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// Being written: not public.
    Draft,
    /// Published, opening later.
    Upcoming,
    /// Taking responses.
    Open,
    /// Closed; the response not yet published.
    Closed,
    /// Closed, with "you said, we did" published.
    Responded,
}

impl Stage {
    /// Works out the stage.
    pub fn of(published: bool, opens_on: &str, closes_on: &str, responded: bool, today: &str) -> Stage {
        if !published {
            Stage::Draft
        } else if today < opens_on {
            Stage::Upcoming
        } else if today <= closes_on {
            Stage::Open
        } else if responded {
            Stage::Responded
        } else {
            Stage::Closed
        }
    }

    /// Words for a tag.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Draft => "Draft",
            Stage::Upcoming => "Opening soon",
            Stage::Open => "Open",
            Stage::Closed => "Closed",
            Stage::Responded => "Outcome published",
        }
    }

    /// The NHS.UK tag colour.
    pub fn tag(self) -> &'static str {
        match self {
            Stage::Draft => "nhsuk-tag--grey",
            Stage::Upcoming => "nhsuk-tag--blue",
            Stage::Open => "nhsuk-tag--green",
            Stage::Closed => "nhsuk-tag--orange",
            Stage::Responded => "nhsuk-tag--purple",
        }
    }
}

/// What the Gunning checks look at.
#[derive(Debug, Clone, Default)]
pub struct GunningFacts {
    /// A formal consultation (the minimum length applies).
    pub formal: bool,
    /// Opening and closing dates, `YYYY-MM-DD`.
    pub opens_on: String,
    /// Closing date.
    pub closes_on: String,
    /// The weeks a formal consultation must run.
    pub min_weeks: i64,
    /// The day the decision that relies on the consultation was recorded, if it was.
    pub decided_on: Option<String>,
    /// Background documents published.
    pub documents: usize,
    /// Options, and how many of them lack evidence or a description.
    pub options: usize,
    /// Options with no description or evidence.
    pub options_without_evidence: usize,
    /// The day "you said, we did" was published, if it was.
    pub responded_on: Option<String>,
    /// Today.
    pub today: String,
}

/// How a check stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckStatus {
    /// Met.
    Met,
    /// Not yet met, and still can be.
    ToDo,
    /// Not met, and can no longer be.
    Failed,
}

impl CheckStatus {
    /// Words for a tag.
    pub fn label(self) -> &'static str {
        match self {
            CheckStatus::Met => "Met",
            CheckStatus::ToDo => "To do",
            CheckStatus::Failed => "Not met",
        }
    }

    /// The NHS.UK tag colour.
    pub fn tag(self) -> &'static str {
        match self {
            CheckStatus::Met => "nhsuk-tag--green",
            CheckStatus::ToDo => "nhsuk-tag--yellow",
            CheckStatus::Failed => "nhsuk-tag--red",
        }
    }
}

/// One of the four Gunning principles, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// The principle.
    pub principle: &'static str,
    /// How it stands.
    pub status: CheckStatus,
    /// Why, in words.
    pub detail: String,
}

/// The Gunning principles as checks for the programme office: proposals still formative,
/// enough information, adequate time, conscientious consideration.
pub fn gunning(f: &GunningFacts) -> Vec<Check> {
    let mut checks = Vec::new();
    // 1. Formative: no decision recorded before the consultation closed.
    checks.push(match &f.decided_on {
        None => Check {
            principle: "Proposals still at a formative stage",
            status: CheckStatus::Met,
            detail: "No decision has been recorded: the options are still open.".into(),
        },
        Some(d) if d.as_str() <= f.closes_on.as_str() => Check {
            principle: "Proposals still at a formative stage",
            status: CheckStatus::Failed,
            detail: format!(
                "A decision was recorded on {}, before the consultation closed on {}.",
                long_date(d),
                long_date(&f.closes_on)
            ),
        },
        Some(d) => Check {
            principle: "Proposals still at a formative stage",
            status: CheckStatus::Met,
            detail: format!(
                "The decision was recorded on {}, after the consultation closed.",
                long_date(d)
            ),
        },
    });
    // 2. Enough information.
    let mut missing = Vec::new();
    if f.documents == 0 {
        missing.push("no background document is published".to_string());
    }
    if f.options == 0 {
        missing.push("no options are set out".to_string());
    } else if f.options_without_evidence > 0 {
        missing.push(format!(
            "{} of the {} options {} no description or evidence",
            f.options_without_evidence,
            f.options,
            if f.options_without_evidence == 1 { "has" } else { "have" }
        ));
    }
    checks.push(Check {
        principle: "Enough information for an intelligent response",
        status: if missing.is_empty() {
            CheckStatus::Met
        } else {
            CheckStatus::ToDo
        },
        detail: if missing.is_empty() {
            format!(
                "{} background document{} and {} options, each with its evidence.",
                f.documents,
                if f.documents == 1 { "" } else { "s" },
                f.options
            )
        } else {
            let mut s = missing.join("; ");
            s.push('.');
            crate::capitalise(&s)
        },
    });
    // 3. Adequate time.
    let days = days_between(&f.opens_on, &f.closes_on).unwrap_or(0) + 1;
    let weeks = days as f64 / 7.0;
    let needed = if f.formal { f.min_weeks } else { 0 };
    checks.push(Check {
        principle: "Adequate time to respond",
        status: if days <= 0 {
            CheckStatus::ToDo
        } else if !f.formal || days >= needed * 7 {
            CheckStatus::Met
        } else {
            CheckStatus::ToDo
        },
        detail: if f.formal {
            format!(
                "Open for {:.1} weeks; a formal consultation needs at least {needed} weeks{}.",
                weeks,
                if days >= needed * 7 { "" } else { ": move the closing date later" }
            )
        } else {
            format!("Open for {weeks:.1} weeks (an informal consultation has no set minimum; {needed} weeks is the formal minimum).", needed = f.min_weeks)
        },
    });
    // 4. Conscientious consideration: the response published before any decision.
    checks.push(match (&f.responded_on, &f.decided_on) {
        (Some(r), Some(d)) if r.as_str() <= d.as_str() => Check {
            principle: "Conscientious consideration of the responses",
            status: CheckStatus::Met,
            detail: format!(
                "\"You said, we did\" was published on {}, before the decision on {}.",
                long_date(r),
                long_date(d)
            ),
        },
        (_, Some(d)) => Check {
            principle: "Conscientious consideration of the responses",
            status: CheckStatus::Failed,
            detail: format!(
                "The decision on {} was recorded before \"you said, we did\" was published.",
                long_date(d)
            ),
        },
        (Some(r), None) => Check {
            principle: "Conscientious consideration of the responses",
            status: CheckStatus::Met,
            detail: format!("\"You said, we did\" was published on {}.", long_date(r)),
        },
        (None, None) => Check {
            principle: "Conscientious consideration of the responses",
            status: CheckStatus::ToDo,
            detail: if f.today.as_str() > f.closes_on.as_str() {
                "Publish \"you said, we did\" before any decision that relies on this consultation.".into()
            } else {
                "After it closes, publish \"you said, we did\" before any decision that relies on it.".into()
            },
        },
    });
    checks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(id: i64, kind: QuestionKind, required: bool, choices: &[&str]) -> Question {
        Question {
            id,
            kind,
            prompt: format!("Question {id}"),
            hint: String::new(),
            required,
            choices: choices.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn form(pairs: &[(&str, &str)]) -> FormValues {
        let mut f = FormValues::new();
        for (k, v) in pairs {
            f.entry(k.to_string()).or_default().push(v.to_string());
        }
        f
    }

    #[test]
    fn answers_are_read_and_checked() {
        let qs = vec![
            q(1, QuestionKind::FreeText, true, &[]),
            q(2, QuestionKind::Single, true, &["A", "B"]),
            q(3, QuestionKind::Multiple, false, &["X", "Y", "Z"]),
            q(4, QuestionKind::Ranking, true, &["One", "Two", "Three"]),
        ];
        let ok = read_answers(
            &qs,
            &form(&[
                ("q1", "  Keep the unit open\r\nplease "),
                ("q2", "B"),
                ("q3", "Z"),
                ("q3", "X"),
                ("q4_r0", "2"),
                ("q4_r1", "3"),
                ("q4_r2", "1"),
            ]),
        )
        .unwrap();
        assert_eq!(
            ok,
            vec![
                (1, Answer::Text("Keep the unit open\nplease".into())),
                (2, Answer::One("B".into())),
                (3, Answer::Many(vec!["X".into(), "Z".into()])),
                (4, Answer::Ranked(vec!["Three".into(), "One".into(), "Two".into()])),
            ]
        );
        assert_eq!(ok[3].1.words(), "1. Three; 2. One; 3. Two");

        let errs = read_answers(
            &qs,
            &form(&[("q2", "C"), ("q3", "W"), ("q4_r0", "1"), ("q4_r1", "1"), ("q4_r2", "2")]),
        )
        .unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["q1", "q2", "q3", "q4"]);
        assert!(errs[0].1.starts_with("Answer question 1"), "{}", errs[0].1);
        assert!(errs[3].1.contains("once"), "{}", errs[3].1);

        let long = "a".repeat(MAX_ANSWER + 1);
        let errs = read_answers(&qs[..1], &form(&[("q1", &long)])).unwrap_err();
        assert!(errs[0].1.contains("5001 characters"), "{}", errs[0].1);
        // Optional questions may be left out; a ranking with a blank place is refused.
        assert_eq!(read_answers(&qs[2..3], &form(&[])).unwrap(), vec![]);
        let errs = read_answers(&qs[3..], &form(&[("q4_r0", "1"), ("q4_r1", "")])).unwrap_err();
        assert!(errs[0].1.contains("from 1 to 3"), "{}", errs[0].1);
    }

    #[test]
    fn questions_are_checked() {
        assert!(check_question(QuestionKind::Single, "Which?", "A\nB").is_ok());
        assert_eq!(
            check_question(QuestionKind::Single, "Which?", "A").unwrap_err()[0].0,
            "choices"
        );
        assert_eq!(
            check_question(QuestionKind::Ranking, "Which?", "A\na").unwrap_err()[0].0,
            "choices"
        );
        assert_eq!(
            check_question(QuestionKind::FreeText, "", "").unwrap_err()[0].0,
            "prompt"
        );
        assert_eq!(
            check_question(QuestionKind::FreeText, "Why?", "A").unwrap_err()[0].0,
            "choices"
        );
    }

    #[test]
    fn personal_data_is_redacted() {
        let text = "I'm Jane Smith (jane.smith@example.org, 07700 900123), living at NE1 4AB. \
                    My NHS number is 943 476 5919. Ward 12 closed in 2016; Smith's view: keep it.";
        let r = redact(text, &["Jane Smith"]);
        assert_eq!(
            r,
            "I'm [removed] [removed] ([removed], [removed]), living at [removed]. \
             My NHS number is [removed]. Ward 12 closed in 2016; [removed] view: keep it."
        );
        assert_eq!(
            redact("Call +44 (0)191 496 0000 or SW1A1AA.", &[]),
            "Call [removed] or [removed]."
        );
        // Ordinary words, numbers and money stay.
        let plain = "Save £24m by 2020-21 across 3 sites; A&E at 95% of 4 hours.";
        assert_eq!(redact(plain, &[]), plain);
    }

    #[test]
    fn option_effects_change_the_plan() {
        let model: Value = serde_json::json!({
            "years": 5,
            "initiative": [
                {"id": "a", "saving": 10.0, "start_month": 6},
                {"id": "b", "saving": {"dist": "triangular", "min": 1.0, "mode": 2.0, "max": 4.0}, "start_month": 50}
            ],
            "correlation": [{"variables": ["initiative.a.delivery", "initiative.b.delivery"], "rank": 0.5}]
        });
        assert_eq!(OptionEffect::NotModelled.apply(&model, "a").unwrap(), None);
        let w = OptionEffect::Without.apply(&model, "a").unwrap().unwrap();
        assert_eq!(w["initiative"].as_array().unwrap().len(), 1);
        assert_eq!(w["correlation"].as_array().unwrap().len(), 0);
        let s = OptionEffect::Scaled(50).apply(&model, "b").unwrap().unwrap();
        assert_eq!(s["initiative"][1]["saving"]["max"], 2.0);
        let d = OptionEffect::Delayed(12).apply(&model, "b").unwrap().unwrap();
        assert_eq!(d["initiative"][1]["start_month"], 59);
        assert!(OptionEffect::Without.apply(&model, "zz").is_err());
        assert_eq!(OptionEffect::parse("scaled", "80").unwrap(), OptionEffect::Scaled(80));
        assert!(OptionEffect::parse("delayed", "-1").is_err());
        assert!(OptionEffect::parse("bogus", "").is_err());
    }

    #[test]
    fn dates_from_three_fields() {
        assert_eq!(
            date_from_parts("1", "9", "2016", "the opening date").unwrap(),
            "2016-09-01"
        );
        assert_eq!(
            date_from_parts("31", "2", "2016", "the opening date").unwrap_err().0,
            "Opening date must be a real date"
        );
        assert_eq!(
            date_from_parts("", "2", "", "the closing date").unwrap_err().0,
            "Closing date must include a day and a year"
        );
        assert_eq!(long_date("2016-09-01"), "1 September 2016");
        assert_eq!(days_between("2016-09-01", "2016-11-24"), Some(84));
    }

    #[test]
    fn the_gunning_checks() {
        let mut f = GunningFacts {
            formal: true,
            opens_on: "2016-09-01".into(),
            closes_on: "2016-11-23".into(),
            min_weeks: 12,
            documents: 1,
            options: 2,
            today: "2016-10-01".into(),
            ..Default::default()
        };
        let c = gunning(&f);
        assert_eq!(
            c.iter().map(|c| c.status).collect::<Vec<_>>(),
            [CheckStatus::Met, CheckStatus::Met, CheckStatus::Met, CheckStatus::ToDo]
        );
        f.closes_on = "2016-11-22".into();
        assert_eq!(gunning(&f)[2].status, CheckStatus::ToDo, "{}", gunning(&f)[2].detail);
        f.decided_on = Some("2016-11-01".into());
        assert_eq!(gunning(&f)[0].status, CheckStatus::Failed);
        assert_eq!(gunning(&f)[3].status, CheckStatus::Failed);
        f.decided_on = Some("2017-01-10".into());
        f.responded_on = Some("2017-01-05".into());
        assert_eq!(gunning(&f)[0].status, CheckStatus::Met);
        assert_eq!(gunning(&f)[3].status, CheckStatus::Met);
        f.documents = 0;
        f.options_without_evidence = 1;
        let c = gunning(&f);
        assert_eq!(c[1].status, CheckStatus::ToDo);
        assert_eq!(
            c[1].detail,
            "No background document is published; 1 of the 2 options has no description or evidence."
        );
        assert_eq!(
            Stage::of(true, "2016-09-01", "2016-11-23", false, "2016-11-23"),
            Stage::Open
        );
        assert_eq!(
            Stage::of(true, "2016-09-01", "2016-11-23", false, "2016-11-24"),
            Stage::Closed
        );
        assert_eq!(
            Stage::of(false, "2016-09-01", "2016-11-23", false, "2016-10-01"),
            Stage::Draft
        );
    }
}
