//! Every bad-input rule of the spec: the file is refused, and the error names the key path,
//! the line and column, and what was expected.

use footprint_stress::{BadInput, parse_national, parse_plan};

const BASE: &str = r#"format = 1
name = "Test Vale (fictional)"
first_year = 2016
years = 5

[run]
samples = 10000
seed = 1

[baseline]
funding = 1000.0
spend = 1010.0
funding_growth = [0.02, 0.02, 0.02, 0.02, 0.02]
demand_growth = { dist = "triangular", min = 0.01, mode = 0.02, max = 0.03 }
cost_inflation = 0.01
other_income = [5.0, 0.0, 0.0, 0.0, 0.0]

[[initiative]]
id = "alpha"
name = "Alpha"
setting = "acute"
saving = 10.0
start_month = 6
ramp_months = 12
delivery = "medium"
slippage_months = { dist = "triangular", min = 0, mode = 2, max = 6 }

[[initiative]]
id = "beta"
name = "Beta"
setting = "community"
saving = { dist = "uniform", min = 4.0, max = 8.0 }
start_month = 12
ramp_months = 6
delivery = "high"

[[initiative]]
id = "gamma"
name = "Gamma"
setting = "primary"
saving = 5.0
start_month = 0
ramp_months = 24
delivery = { dist = "pert", min = 0.4, mode = 0.7, max = 0.9 }

[[correlation]]
variables = ["initiative.alpha.delivery", "initiative.beta.delivery"]
rank = 0.4
"#;

fn refused(text: &str) -> BadInput {
    match parse_plan(text, "plan.toml") {
        Ok(_) => panic!("accepted a bad file:\n{text}"),
        Err(e) => e,
    }
}

/// Replaces the first occurrence of `from` (which must exist) with `to`.
fn with(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "test set-up: {from:?} not in the base plan");
    BASE.replacen(from, to, 1)
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).expect("needle") + 1
}

/// Asserts one error at `path` whose message contains `fragment`, on the line holding `at`.
fn check(text: &str, path: &str, fragment: &str, at: Option<&str>) {
    let e = refused(text);
    let hit = e
        .errors
        .iter()
        .find(|x| x.path == path)
        .unwrap_or_else(|| panic!("no error at {path}; got:\n{e}"));
    assert!(
        hit.message.contains(fragment),
        "error at {path} says {:?}, expected it to mention {fragment:?}",
        hit.message
    );
    assert_eq!(hit.file, "plan.toml");
    if let Some(needle) = at {
        assert_eq!(hit.line, Some(line_of(text, needle)), "line of {path}: {e}");
        assert!(hit.column.is_some());
    }
    let shown = hit.to_string();
    assert!(shown.starts_with("plan.toml:"), "{shown}");
    assert!(shown.contains(path), "{shown}");
}

#[test]
fn the_base_plan_is_valid() {
    let p = parse_plan(BASE, "plan.toml").unwrap();
    assert_eq!(p.initiatives.len(), 3);
    assert_eq!(p.correlations.len(), 1);
}

#[test]
fn top_level_rules() {
    check(
        &with("format = 1", "format = 2"),
        "format",
        "not supported",
        Some("format = 2"),
    );
    check(&with("format = 1\n", ""), "format", "missing", None);
    check(
        &with("format = 1", "format = \"1\""),
        "format",
        "expected the integer 1",
        Some("format ="),
    );
    check(&with("name = \"Test Vale (fictional)\"\n", ""), "name", "missing", None);
    check(
        &with("name = \"Test Vale (fictional)\"", "name = \"\""),
        "name",
        "empty",
        Some("name = \"\""),
    );
    check(
        &with("first_year = 2016", "first_year = 1999"),
        "first_year",
        "2000 to 2100",
        Some("first_year"),
    );
    check(&with("years = 5", "years = 0"), "years", "1 to 20", Some("years = 0"));
    check(&with("years = 5", "years = 21"), "years", "1 to 20", Some("years = 21"));
    check(
        &with("years = 5", "years = 5.0"),
        "years",
        "expected an integer",
        Some("years = 5.0"),
    );
    check(
        &with("years = 5", "years = 5\nnmae = \"x\""),
        "nmae",
        "did you mean `name`",
        Some("nmae"),
    );
}

#[test]
fn run_rules() {
    check(
        &with("samples = 10000", "samples = 999"),
        "run.samples",
        "1000 to 10000000",
        Some("samples = 999"),
    );
    check(
        &with("samples = 10000", "samples = 10000001"),
        "run.samples",
        "1000 to 10000000",
        Some("samples"),
    );
    check(
        &with("seed = 1", "seed = -1"),
        "run.seed",
        "out of range",
        Some("seed = -1"),
    );
    check(
        &with("seed = 1", "seed = 1\nthreads = 2"),
        "run.threads",
        "unknown key",
        Some("threads"),
    );
}

#[test]
fn baseline_rules() {
    check(
        &with("funding = 1000.0", "funding = 0.0"),
        "baseline.funding",
        "greater than 0",
        Some("funding = 0.0"),
    );
    check(
        &with("spend = 1010.0", "spend = -5"),
        "baseline.spend",
        "greater than 0",
        Some("spend = -5"),
    );
    check(
        &with(
            "spend = 1010.0",
            "spend = { dist = \"uniform\", min = 1000, max = 1020 }",
        ),
        "baseline.spend",
        "fixed amount",
        Some("spend ="),
    );
    check(
        &with(
            "funding_growth = [0.02, 0.02, 0.02, 0.02, 0.02]",
            "funding_growth = [0.02, 0.02, 0.02, 0.02]",
        ),
        "baseline.funding_growth",
        "exactly 5",
        Some("funding_growth"),
    );
    check(
        &with(
            "funding_growth = [0.02, 0.02, 0.02, 0.02, 0.02]",
            "funding_growth = 0.02",
        ),
        "baseline.funding_growth",
        "array",
        Some("funding_growth"),
    );
    check(
        &with("cost_inflation = 0.01\n", ""),
        "baseline.cost_inflation",
        "missing",
        None,
    );
    check(
        &with("other_income = [5.0, 0.0, 0.0, 0.0, 0.0]", "other_income = [5.0, 0.0]"),
        "baseline.other_income",
        "exactly 5",
        Some("other_income"),
    );
    check(
        &with(
            "funding_growth = [0.02, 0.02, 0.02, 0.02, 0.02]",
            "funding_growth = [0.02, 0.02, { dist = \"uniform\", min = 0.03, max = 0.01 }, 0.02, 0.02]",
        ),
        "baseline.funding_growth[3].max",
        "greater than min",
        Some("funding_growth"),
    );
    check(
        &with("[baseline]\n", "[baseline]\nfundng = 1\n"),
        "baseline.fundng",
        "did you mean `funding`",
        Some("fundng"),
    );
    check(
        &with(
            "other_income = [5.0, 0.0, 0.0, 0.0, 0.0]",
            "other_income = [5.0, { dist = \"uniform\", min = 0, max = 1 }, 0.0, 0.0, 0.0]",
        ),
        "baseline.other_income[2]",
        "fixed amount",
        Some("other_income"),
    );
    check(
        &with("funding = 1000.0", "funding = { dist = \"fixed\", value = -1.0 }"),
        "baseline.funding",
        "greater than 0",
        Some("funding ="),
    );
    check(
        &with("funding = 1000.0", "funding = { dist = \"fixed\", valu = 1.0 }"),
        "baseline.funding.valu",
        "unknown key",
        Some("funding ="),
    );
    // A fixed table is the same as the plain number (spec section 2), wherever a fixed amount goes.
    let fixed = with("funding = 1000.0", "funding = { dist = \"fixed\", value = 1000.0 }").replacen(
        "other_income = [5.0,",
        "other_income = [{ dist = \"fixed\", value = 5.0 },",
        1,
    );
    let (a, b) = (
        parse_plan(BASE, "plan.toml").unwrap(),
        parse_plan(&fixed, "plan.toml").unwrap(),
    );
    assert_eq!(
        (a.baseline.funding, &a.baseline.other_income),
        (b.baseline.funding, &b.baseline.other_income)
    );
}

#[test]
fn distribution_rules() {
    let dg = "demand_growth = { dist = \"triangular\", min = 0.01, mode = 0.02, max = 0.03 }";
    let case = |to: &str, path: &str, frag: &str| check(&with(dg, to), path, frag, Some("demand_growth"));
    case(
        "demand_growth = { dist = \"uniform\", min = 0.02, max = 0.02 }",
        "baseline.demand_growth.max",
        "greater than min",
    );
    case(
        "demand_growth = { dist = \"triangular\", min = 0.01, mode = 0.05, max = 0.03 }",
        "baseline.demand_growth.mode",
        "between",
    );
    case(
        "demand_growth = { dist = \"pert\", min = 0.03, mode = 0.03, max = 0.03 }",
        "baseline.demand_growth.max",
        "greater than min",
    );
    case(
        "demand_growth = { dist = \"pert\", min = 0.01, mode = 0.0, max = 0.03 }",
        "baseline.demand_growth.mode",
        "between",
    );
    case(
        "demand_growth = { dist = \"normal\", mean = 0.02, sd = 0 }",
        "baseline.demand_growth.sd",
        "greater than 0",
    );
    case(
        "demand_growth = { dist = \"lognormal\", mu = -4, sigma = -1 }",
        "baseline.demand_growth.sigma",
        "greater than 0",
    );
    case(
        "demand_growth = { dist = \"beta\", min = 0.01, max = 0.03 }",
        "baseline.demand_growth.dist",
        "unknown distribution",
    );
    case(
        "demand_growth = { min = 0.01, max = 0.03 }",
        "baseline.demand_growth.dist",
        "missing",
    );
    case(
        "demand_growth = { dist = \"uniform\", min = 0.01, max = 0.03, mode = 0.02 }",
        "baseline.demand_growth.mode",
        "unknown key",
    );
    case(
        "demand_growth = { dist = \"uniform\", min = 0.01 }",
        "baseline.demand_growth.max",
        "missing",
    );
    case(
        "demand_growth = { dist = \"fixed\", value = \"high\" }",
        "baseline.demand_growth.value",
        "expected a number",
    );
    case(
        "demand_growth = { dist = \"fixed\", value = nan }",
        "baseline.demand_growth.value",
        "finite",
    );
    case("demand_growth = inf", "baseline.demand_growth", "finite");
    case(
        "demand_growth = \"0.02\"",
        "baseline.demand_growth",
        "expected a number or a distribution",
    );
    case(
        "demand_growth = { national = \"demand_growth\" }",
        "baseline.demand_growth",
        "national mode",
    );
}

#[test]
fn initiative_rules() {
    check(
        &with("id = \"alpha\"", "id = \"Alpha Care\""),
        "initiative[1].id",
        "lowercase",
        Some("Alpha Care"),
    );
    check(
        &with("id = \"beta\"", "id = \"alpha\""),
        "initiative[2].id",
        "already used",
        None,
    );
    check(
        &with("name = \"Alpha\"", "name = \"\""),
        "initiative[1].name",
        "empty",
        None,
    );
    check(
        &with("setting = \"acute\"", "setting = \"hospital\""),
        "initiative[1].setting",
        "unknown setting",
        Some("hospital"),
    );
    check(
        &with("saving = 10.0", "savings = 10.0"),
        "initiative[1].savings",
        "did you mean `saving`",
        Some("savings = 10.0"),
    );
    check(
        &with("start_month = 6", "start_month = 60"),
        "initiative[1].start_month",
        "0 to 59",
        Some("start_month = 60"),
    );
    check(
        &with("start_month = 6", "start_month = -1"),
        "initiative[1].start_month",
        "0 to 59",
        Some("start_month = -1"),
    );
    check(
        &with("start_month = 6", "start_month = 6.5"),
        "initiative[1].start_month",
        "expected an integer",
        Some("6.5"),
    );
    check(
        &with("ramp_months = 12", "ramp_months = 0"),
        "initiative[1].ramp_months",
        "1 or more",
        Some("ramp_months = 0"),
    );
    check(
        &with("delivery = \"medium\"", "delivery = \"certain\""),
        "initiative[1].delivery",
        "high, medium or low",
        Some("certain"),
    );
    check(
        &with(
            "delivery = \"medium\"",
            "delivery = { dist = \"normal\", mean = 0.8, sd = 0.1 }",
        ),
        "initiative[1].delivery",
        "below 0",
        Some("delivery = {"),
    );
    check(
        &with(
            "delivery = \"medium\"",
            "delivery = { dist = \"uniform\", min = -0.1, max = 0.9 }",
        ),
        "initiative[1].delivery",
        "below 0",
        Some("delivery = {"),
    );
    check(
        &with("delivery = \"medium\"", "delivery = -0.5"),
        "initiative[1].delivery",
        "cannot be negative",
        Some("-0.5"),
    );
    let slip = "slippage_months = { dist = \"triangular\", min = 0, mode = 2, max = 6 }";
    check(
        &with(
            slip,
            "slippage_months = { dist = \"triangular\", min = -1, mode = 2, max = 6 }",
        ),
        "initiative[1].slippage_months",
        "cannot be negative",
        Some("slippage_months"),
    );
    check(
        &with(slip, "slippage_months = { dist = \"normal\", mean = 3, sd = 1 }"),
        "initiative[1].slippage_months",
        "normal distribution is unbounded",
        Some("slippage_months"),
    );
    check(
        &with(slip, "slippage_months = -2"),
        "initiative[1].slippage_months",
        "cannot be negative",
        Some("slippage_months"),
    );
    check(
        &with("ramp_months = 12\n", ""),
        "initiative[1].ramp_months",
        "missing",
        None,
    );
    // The issue's example path: the third initiative's delivery maximum.
    check(
        &with("max = 0.9 }", "max = 0.3 }"),
        "initiative[3].delivery.max",
        "greater than min",
        Some("max = 0.3"),
    );
}

#[test]
fn confidence_rules() {
    let base = with(
        "[baseline]",
        "[confidence]\nlow = { min = 0.2, mode = 0.1, max = 0.8 }\n\n[baseline]",
    );
    check(&base, "confidence.low.mode", "between", Some("low = {"));
    let base = with(
        "[baseline]",
        "[confidence]\ncertain = { min = 0.9, mode = 1.0, max = 1.0 }\n\n[baseline]",
    );
    check(&base, "confidence.certain", "unknown key", Some("certain"));
    let base = with(
        "[baseline]",
        "[confidence]\nhigh = { min = -0.1, mode = 0.9, max = 1.0 }\n\n[baseline]",
    );
    check(&base, "confidence.high.min", "below 0", Some("high = {"));
    let base = with(
        "[baseline]",
        "[confidence]\nhigh = { min = 0.7, mode = 0.9 }\n\n[baseline]",
    );
    check(&base, "confidence.high.max", "missing", None);
}

#[test]
fn correlation_rules() {
    let pair = "variables = [\"initiative.alpha.delivery\", \"initiative.beta.delivery\"]";
    let case = |to: &str, path: &str, frag: &str| check(&with(pair, to), path, frag, Some("variables ="));
    case(
        "variables = [\"initiative.alpha.delivery\", \"initiative.omega.delivery\"]",
        "correlation[1].variables[2]",
        "no variable is named",
    );
    case(
        "variables = [\"initiative.alpha.delivery\", \"baseline.cost_inflation\"]",
        "correlation[1].variables[2]",
        "fixed",
    );
    case(
        "variables = [\"initiative.alpha.delivery\", \"initiative.alpha.delivery\"]",
        "correlation[1].variables",
        "itself",
    );
    case(
        "variables = [\"initiative.alpha.delivery\"]",
        "correlation[1].variables",
        "exactly two",
    );
    case(
        "variables = [\"initiative.alpha.delivery\", \"national.demand_growth\"]",
        "correlation[1].variables[2]",
        "national mode",
    );
    check(
        &with("rank = 0.4", "rank = 1.0"),
        "correlation[1].rank",
        "strictly between -1 and 1",
        Some("rank = 1.0"),
    );
    check(
        &with("rank = 0.4", "rank = -1"),
        "correlation[1].rank",
        "strictly between -1 and 1",
        Some("rank = -1"),
    );
    // The same pair twice, in the other order.
    let twice = format!(
        "{BASE}\n[[correlation]]\nvariables = [\"initiative.beta.delivery\", \"initiative.alpha.delivery\"]\nrank = 0.2\n"
    );
    check(&twice, "correlation[2].variables", "already given", None);
    // Inconsistent: a~b and b~c strongly positive, a~c strongly negative.
    let bad = format!(
        "{BASE}\n[[correlation]]\nvariables = [\"initiative.beta.delivery\", \"initiative.gamma.delivery\"]\nrank = 0.9\n\n\
         [[correlation]]\nvariables = [\"initiative.alpha.delivery\", \"initiative.gamma.delivery\"]\nrank = -0.9\n"
    );
    let bad = bad.replacen("rank = 0.4", "rank = 0.9", 1);
    let e = refused(&bad);
    let msg = e.to_string();
    assert!(msg.contains("not positive definite"), "{msg}");
    for v in [
        "initiative.alpha.delivery",
        "initiative.beta.delivery",
        "initiative.gamma.delivery",
    ] {
        assert!(msg.contains(v), "{msg}");
    }
}

#[test]
fn values_the_spec_allows_are_accepted() {
    // ramp_months has no upper bound.
    let p = parse_plan(&with("ramp_months = 24", "ramp_months = 4294967296"), "plan.toml").unwrap();
    assert_eq!(p.initiatives[2].ramp_months, 4_294_967_296);
    // An integer written as a float is still refused in TOML, with the number as written.
    check(
        &with("years = 5", "years = 5.0"),
        "years",
        "found the number 5.0",
        Some("years = 5.0"),
    );
}

#[test]
fn syntax_errors_have_line_and_column() {
    let e = refused(&with("years = 5", "years = = 5"));
    assert_eq!(e.errors[0].line, Some(4));
    assert!(e.errors[0].message.contains("not valid TOML"));
    let e = parse_plan(
        "{\n  \"format\": 1,\n  \"name\": \"X\",\n  \"years\": 5,,\n}",
        "plan.json",
    )
    .unwrap_err();
    assert_eq!(e.errors[0].line, Some(4));
    assert!(e.errors[0].to_string().starts_with("plan.json:4:"));
}

#[test]
fn json_errors_name_paths_and_lines() {
    let json = r#"{
  "format": 1,
  "name": "J (fictional)",
  "first_year": 2016,
  "years": 1,
  "baseline": {"funding": 10, "spend": 11, "funding_growth": [0.01], "demand_growth": 0.02, "cost_inflation": 0.01},
  "initiative": [
    {"id": "a", "name": "A", "setting": "acute", "saving": 1, "start_month": 0, "ramp_months": 1,
     "delivery": {"dist": "pert", "min": 0.2, "mode": 0.5, "max": 0.1}}
  ]
}"#;
    let e = parse_plan(json, "plan.json").unwrap_err();
    let hit = &e.errors[0];
    assert_eq!(hit.path, "initiative[1].delivery.max");
    assert_eq!(hit.line, Some(9));
    let good = json.replace("0.1}}", "0.9}}");
    assert!(parse_plan(&good, "plan.json").is_ok());
    // JSON has one kind of number: whole numbers written as 1.0 are integers.
    let floats = good
        .replace("\"years\": 1", "\"years\": 1.0")
        .replace("\"start_month\": 0", "\"start_month\": 0e0")
        .replace("\"format\": 1", "\"format\": 1.0");
    assert!(
        parse_plan(&floats, "plan.json").is_ok(),
        "{:?}",
        parse_plan(&floats, "plan.json").err()
    );
    let e = parse_plan(&good.replace("\"years\": 1", "\"years\": 1.5"), "plan.json").unwrap_err();
    assert_eq!(e.errors[0].path, "years");
    // Beyond 2^53 a number with an exponent is not taken for the integer it may have meant.
    let e = parse_plan(&good.replace("\"years\": 1", "\"years\": 1e20"), "plan.json").unwrap_err();
    assert!(e.errors[0].message.contains("2^53"), "{e}");
    let e = parse_plan(&good.replace("\"spend\": 11", "\"spend\": 1e400"), "plan.json").unwrap_err();
    assert_eq!(e.errors[0].path, "baseline.spend");
    assert!(e.errors[0].message.contains("too large to read"), "{e}");
    // A key given twice is named by its path.
    let twice = good.replace("\"name\": \"A\",", "\"name\": \"A\", \"name\": \"B\",");
    let e = parse_plan(&twice, "plan.json").unwrap_err();
    assert_eq!(
        (e.errors[0].path.as_str(), e.errors[0].line),
        ("initiative[1].name", Some(8))
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let text =
        with("years = 5", "years = 5\ncolour = \"blue\"").replacen("setting = \"acute\"", "setting = \"ward\"", 1);
    let e = refused(&text);
    assert!(e.errors.len() >= 2, "{e}");
    // In file order.
    let lines: Vec<usize> = e.errors.iter().filter_map(|x| x.line).collect();
    assert!(lines.windows(2).all(|w| w[0] <= w[1]));
}

const NATIONAL: &str = r#"format = 1
[run]
samples = 10000
seed = 3

[[variable]]
name = "demand_growth"
value = { dist = "triangular", min = 0.01, mode = 0.02, max = 0.03 }

[[variable]]
name = "cost_inflation"
value = { dist = "pert", min = 0.005, mode = 0.012, max = 0.025 }

[[correlation]]
variables = ["national.demand_growth", "national.cost_inflation"]
rank = 0.3
"#;

fn footprint(years: u32) -> String {
    with(
        "demand_growth = { dist = \"triangular\", min = 0.01, mode = 0.02, max = 0.03 }",
        "demand_growth = { national = \"demand_growth\" }",
    )
    .replacen("years = 5", &format!("years = {years}"), 1)
}

#[test]
fn national_rules() {
    let ok = parse_national(
        "national.toml",
        NATIONAL,
        &[("a.toml".into(), footprint(5)), ("b.toml".into(), footprint(5))],
    );
    assert!(ok.is_ok(), "{:?}", ok.err());
    // Unknown national variable.
    let bad = footprint(5).replace("national = \"demand_growth\"", "national = \"demand\"");
    let e = parse_national("national.toml", NATIONAL, &[("a.toml".into(), bad)]).unwrap_err();
    assert_eq!(e.errors[0].file, "a.toml");
    assert_eq!(e.errors[0].path, "baseline.demand_growth.national");
    assert!(e.errors[0].message.contains("demand_growth, cost_inflation"));
    // Plans must share first_year and years (years differ: the years-dependent arrays are long enough
    // only for 5, so build a 3-year plan properly).
    let three = footprint(3)
        .replace("[0.02, 0.02, 0.02, 0.02, 0.02]", "[0.02, 0.02, 0.02]")
        .replace("[5.0, 0.0, 0.0, 0.0, 0.0]", "[5.0, 0.0, 0.0]");
    let e = parse_national(
        "national.toml",
        NATIONAL,
        &[("a.toml".into(), footprint(5)), ("b.toml".into(), three)],
    )
    .unwrap_err();
    assert_eq!(e.errors[0].file, "b.toml");
    assert!(e.errors[0].message.contains("share first_year and years"));
    assert_eq!(e.errors[0].path, "years");
    assert_eq!(e.errors[0].line, Some(4));
    assert!(e.errors[0].column.is_some());
    let later = footprint(5).replacen("first_year = 2016", "first_year = 2017", 1);
    let e = parse_national(
        "national.toml",
        NATIONAL,
        &[("a.toml".into(), footprint(5)), ("b.toml".into(), later)],
    )
    .unwrap_err();
    assert_eq!((e.errors[0].path.as_str(), e.errors[0].line), ("first_year", Some(3)));
    // A plan's [run] is ignored in national mode (the national one applies), so nothing in it
    // refuses the directory.
    let run = footprint(5).replacen("samples = 10000", "samples = 5\nthreads = \"many\"", 1);
    assert!(parse_national("national.toml", NATIONAL, &[("a.toml".into(), run.clone())]).is_ok());
    assert!(parse_plan(&run, "a.toml").is_err());
    // Correlations with national variables belong in national.toml.
    let corr = footprint(5).replace("\"initiative.beta.delivery\"]", "\"national.cost_inflation\"]");
    let e = parse_national("national.toml", NATIONAL, &[("a.toml".into(), corr)]).unwrap_err();
    assert!(e.errors[0].message.contains("belong in national.toml"), "{}", e);
    // A national variable that could go negative cannot be used for slippage.
    let nat =
        format!("{NATIONAL}\n[[variable]]\nname = \"delay\"\nvalue = {{ dist = \"normal\", mean = 2, sd = 1 }}\n");
    let slip = footprint(5).replace(
        "slippage_months = { dist = \"triangular\", min = 0, mode = 2, max = 6 }",
        "slippage_months = { national = \"delay\" }",
    );
    let e = parse_national("national.toml", &nat, &[("a.toml".into(), slip)]).unwrap_err();
    assert_eq!(e.errors[0].path, "initiative[1].slippage_months");
    // national.toml's own rules.
    let e = parse_national(
        "national.toml",
        &NATIONAL.replace("format = 1", "format = 1\nyears = 5"),
        &[],
    )
    .unwrap_err();
    assert_eq!(e.errors[0].path, "years");
    let e = parse_national(
        "national.toml",
        &NATIONAL.replace("\"national.cost_inflation\"]", "\"baseline.cost_inflation\"]"),
        &[],
    )
    .unwrap_err();
    assert_eq!(e.errors[0].path, "correlation[1].variables[2]");
    let e = parse_national(
        "national.toml",
        &NATIONAL.replace("name = \"cost_inflation\"", "name = \"demand_growth\""),
        &[],
    )
    .unwrap_err();
    assert!(e.errors[0].message.contains("used twice"));
    let e = parse_national("national.toml", NATIONAL, &[]).unwrap_err();
    assert!(e.errors[0].message.contains("no footprint plans"));
}
