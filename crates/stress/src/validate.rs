//! Validation: a document tree becomes a [`Plan`] or a list of errors that each name the file,
//! the line and column, the key path and what was expected (spec sections 3, 5, 7 and 8).

use std::collections::{HashMap, HashSet};

use crate::correlate::{CorrelationProblem, check_consistent};
use crate::dist::Dist;
use crate::error::{BadInput, InputError};
use crate::node::{Kind, Node, Pos};
use crate::plan::{
    Baseline, Confidence, ConfidenceTable, Correlation, Initiative, NationalSpec, Plan, RunSettings, Setting, Value,
};

/// National variables visible to a footprint plan in national mode.
pub type NationalScope<'a> = Option<&'a NationalSpec>;

pub(crate) struct Ctx {
    file: String,
    errors: Vec<InputError>,
}

impl Ctx {
    pub(crate) fn new(file: &str) -> Self {
        Ctx {
            file: file.to_string(),
            errors: Vec::new(),
        }
    }

    pub(crate) fn err(&mut self, pos: Pos, path: &str, message: impl Into<String>) {
        self.errors.push(InputError {
            file: self.file.clone(),
            line: pos.map(|p| p.0),
            column: pos.map(|p| p.1),
            path: path.to_string(),
            message: message.into(),
        });
    }

    pub(crate) fn finish<T>(mut self, value: Option<T>) -> Result<T, BadInput> {
        match value {
            Some(v) if self.errors.is_empty() => Ok(v),
            _ => {
                if self.errors.is_empty() {
                    self.err(None, "", "the file could not be read as a plan");
                }
                self.errors
                    .sort_by_key(|e| (e.line.unwrap_or(usize::MAX), e.column.unwrap_or(0)));
                Err(BadInput { errors: self.errors })
            }
        }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// A table's entries with the keys checked against those allowed.
pub(crate) struct Fields<'a> {
    entries: &'a [(String, Pos, Node)],
    pos: Pos,
    path: String,
}

impl<'a> Fields<'a> {
    /// Opens `node` as a table, reporting any key not in `allowed`.
    pub(crate) fn open(ctx: &mut Ctx, node: &'a Node, path: &str, allowed: &[&str]) -> Option<Self> {
        let Kind::Table(entries) = &node.kind else {
            ctx.err(
                node.pos,
                path,
                format!("expected a table, found {}", node.kind.describe()),
            );
            return None;
        };
        for (key, key_pos, _) in entries {
            if !allowed.contains(&key.as_str()) {
                let hint = match closest(key, allowed) {
                    Some(s) => format!(" (did you mean `{s}`?)"),
                    None => String::new(),
                };
                ctx.err(
                    *key_pos,
                    &join(path, key),
                    format!("unknown key `{key}`{hint}; expected one of: {}", allowed.join(", ")),
                );
            }
        }
        Some(Fields {
            entries,
            pos: node.pos,
            path: path.to_string(),
        })
    }

    pub(crate) fn get(&self, key: &str) -> Option<&'a Node> {
        self.entries.iter().find(|(k, _, _)| k == key).map(|(_, _, v)| v)
    }

    pub(crate) fn path(&self, key: &str) -> String {
        join(&self.path, key)
    }

    pub(crate) fn required(&self, ctx: &mut Ctx, key: &str, what: &str) -> Option<&'a Node> {
        let v = self.get(key);
        if v.is_none() {
            ctx.err(self.pos, &self.path(key), format!("missing; expected {what}"));
        }
        v
    }
}

fn closest<'b>(key: &str, allowed: &[&'b str]) -> Option<&'b str> {
    allowed
        .iter()
        .copied()
        .filter(|a| edit_distance(key, a) <= 2)
        .min_by_key(|a| edit_distance(key, a))
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

pub(crate) fn integer(ctx: &mut Ctx, node: &Node, path: &str, lo: i128, hi: i128, what: &str) -> Option<i128> {
    match node.kind {
        Kind::Int(v) if (lo..=hi).contains(&v) => Some(v),
        Kind::Int(v) => {
            ctx.err(node.pos, path, format!("{v} is out of range; expected {what}"));
            None
        }
        // A whole number beyond 2^53 written with a fraction or exponent (JSON): a float holds
        // it only approximately, so it is not taken for the integer it may have meant.
        Kind::Float(v) if v.fract() == 0.0 && v.abs() > 9_007_199_254_740_992.0 => {
            ctx.err(
                node.pos,
                path,
                format!(
                    "expected {what}, found the number {v:?}, which is beyond the whole numbers a number \
                     with a fraction or exponent holds exactly (2^53); write it as an integer, without a \
                     fraction or exponent"
                ),
            );
            None
        }
        _ => {
            ctx.err(
                node.pos,
                path,
                format!("expected {what}, found {}", describe_found(node)),
            );
            None
        }
    }
}

fn describe_found(node: &Node) -> String {
    match &node.kind {
        // Debug form, so that 3.0 shows as 3.0 where an integer was expected.
        Kind::Float(v) => format!("the number {v:?}"),
        Kind::Str(s) => format!("the string \"{s}\""),
        k => k.describe().to_string(),
    }
}

pub(crate) fn number(ctx: &mut Ctx, node: &Node, path: &str) -> Option<f64> {
    let v = match node.kind {
        Kind::Int(v) => v as f64,
        Kind::Float(v) => v,
        _ => {
            ctx.err(
                node.pos,
                path,
                format!("expected a number, found {}", describe_found(node)),
            );
            return None;
        }
    };
    if !v.is_finite() {
        ctx.err(node.pos, path, format!("expected a finite number, found {v}"));
        return None;
    }
    Some(v)
}

fn string<'a>(ctx: &mut Ctx, node: &'a Node, path: &str, what: &str) -> Option<&'a str> {
    match &node.kind {
        Kind::Str(s) => Some(s),
        _ => {
            ctx.err(
                node.pos,
                path,
                format!("expected {what}, found {}", describe_found(node)),
            );
            None
        }
    }
}

/// What a value is for, which decides the extra rules on its support.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Role {
    Any,
    /// Slippage: no draw may be negative.
    Slippage,
    /// Delivery: no draw may be below 0.
    Delivery,
}

const DIST_NAMES: &str = "fixed, uniform, triangular, pert, normal, lognormal";

/// Reads a fixed amount: a plain number, or `{ dist = "fixed", value = x }`, which spec section 2
/// makes the same as the plain number. Any other distribution is refused here.
fn fixed_amount(ctx: &mut Ctx, node: &Node, path: &str) -> Option<f64> {
    if !matches!(node.kind, Kind::Table(_)) {
        return number(ctx, node, path);
    }
    let is_fixed = matches!(node.entry("dist").map(|d| &d.kind), Some(Kind::Str(d)) if d == "fixed");
    if !is_fixed {
        ctx.err(
            node.pos,
            path,
            "expected a fixed amount in £m (a plain number, or { dist = \"fixed\", value = x }), not a distribution",
        );
        return None;
    }
    match distribution(ctx, node, path)? {
        Dist::Fixed(x) => Some(x),
        _ => None,
    }
}

/// Reads a value: a plain number or a distribution table (spec section 2).
pub(crate) fn value(
    ctx: &mut Ctx,
    node: &Node,
    path: &str,
    national: Option<NationalScope<'_>>,
    role: Role,
) -> Option<Value> {
    let v = match &node.kind {
        Kind::Int(_) | Kind::Float(_) => Value::fixed(number(ctx, node, path)?),
        Kind::Table(entries) => {
            if entries.iter().any(|(k, _, _)| k == "national") {
                let f = Fields::open(ctx, node, path, &["national"])?;
                let name_node = f.get("national")?;
                let name = string(ctx, name_node, &f.path("national"), "the name of a national variable")?;
                match national {
                    None => {
                        ctx.err(
                            node.pos,
                            path,
                            "a national variable can only be used in national mode (footprint stress --national DIR); give a number or a distribution",
                        );
                        return None;
                    }
                    Some(None) => {
                        ctx.err(node.pos, path, "national variables cannot be used here");
                        return None;
                    }
                    Some(Some(spec)) => {
                        match spec.variables.iter().find(|(n, _)| n == name) {
                            Some((_, dist)) => {
                                check_support(ctx, dist, name_node.pos, path, role, Some(name));
                            }
                            None => {
                                let known: Vec<&str> = spec.variables.iter().map(|(n, _)| n.as_str()).collect();
                                ctx.err(
                                name_node.pos,
                                &f.path("national"),
                                format!(
                                    "no national variable is named \"{name}\" in national.toml; expected one of: {}",
                                    if known.is_empty() { "(none defined)".to_string() } else { known.join(", ") }
                                ),
                            );
                                return None;
                            }
                        }
                    }
                }
                Value::National(name.to_string())
            } else {
                let dist = distribution(ctx, node, path)?;
                if !check_support(ctx, &dist, node.pos, path, role, None) {
                    return None;
                }
                Value::Dist(dist)
            }
        }
        _ => {
            ctx.err(
                node.pos,
                path,
                format!("expected a number or a distribution table such as {{ dist = \"pert\", min = 1, mode = 2, max = 3 }}, found {}", describe_found(node)),
            );
            return None;
        }
    };
    if let (Value::Dist(Dist::Fixed(x)), Role::Slippage | Role::Delivery) = (&v, role)
        && *x < 0.0
    {
        {
            let what = if role == Role::Slippage {
                "slippage cannot be negative"
            } else {
                "delivery cannot be negative"
            };
            ctx.err(
                node.pos,
                path,
                format!("{what}; expected a number of 0 or more, found {x}"),
            );
            return None;
        }
    }
    Some(v)
}

fn check_support(ctx: &mut Ctx, dist: &Dist, pos: Pos, path: &str, role: Role, national: Option<&str>) -> bool {
    let what = match role {
        Role::Any => return true,
        Role::Slippage => {
            "slippage_months cannot be negative in any draw (a plan cannot be delivered before it starts)"
        }
        Role::Delivery => "delivery cannot go below 0 in any draw",
    };
    if dist.support_min() < 0.0 {
        let via = national
            .map(|n| format!(" (national variable \"{n}\" is {})", dist.describe()))
            .unwrap_or_default();
        let hint = if matches!(dist, Dist::Normal { .. }) {
            "; a normal distribution is unbounded below, so use a triangular, PERT, uniform or lognormal one"
        } else {
            "; expected a minimum of 0 or more"
        };
        ctx.err(pos, path, format!("{what}{via}{hint}"));
        return false;
    }
    true
}

/// Reads a distribution table (not a national reference).
pub(crate) fn distribution(ctx: &mut Ctx, node: &Node, path: &str) -> Option<Dist> {
    let Kind::Table(entries) = &node.kind else {
        ctx.err(node.pos, path, "expected a distribution table");
        return None;
    };
    let Some((_, _, dist_node)) = entries.iter().find(|(k, _, _)| k == "dist") else {
        ctx.err(
            node.pos,
            &join(path, "dist"),
            format!("missing; expected one of: {DIST_NAMES}"),
        );
        // Still report unknown keys against the union of all parameters.
        Fields::open(
            ctx,
            node,
            path,
            &["dist", "value", "min", "mode", "max", "mean", "sd", "mu", "sigma"],
        );
        return None;
    };
    let dist_path = join(path, "dist");
    let kind = string(ctx, dist_node, &dist_path, &format!("one of: {DIST_NAMES}"))?;
    let keys: &[&str] = match kind {
        "fixed" => &["dist", "value"],
        "uniform" => &["dist", "min", "max"],
        "triangular" | "pert" => &["dist", "min", "mode", "max"],
        "normal" => &["dist", "mean", "sd"],
        "lognormal" => &["dist", "mu", "sigma"],
        other => {
            ctx.err(
                dist_node.pos,
                &dist_path,
                format!("unknown distribution \"{other}\"; expected one of: {DIST_NAMES}"),
            );
            return None;
        }
    };
    let f = Fields::open(ctx, node, path, keys)?;
    let before = ctx.errors.len();
    let mut params = HashMap::new();
    for key in &keys[1..] {
        if let Some(n) = f.required(ctx, key, "a number")
            && let Some(v) = number(ctx, n, &f.path(key))
        {
            params.insert(*key, v);
        }
    }
    if ctx.errors.len() > before {
        return None;
    }
    let p = |k: &str| params[k];
    let pos_of = |k: &str| f.get(k).and_then(|n| n.pos);
    let d = match kind {
        "fixed" => Dist::Fixed(p("value")),
        "uniform" => {
            if p("min") >= p("max") {
                ctx.err(
                    pos_of("max"),
                    &f.path("max"),
                    format!("max ({}) must be greater than min ({})", p("max"), p("min")),
                );
                return None;
            }
            Dist::Uniform {
                min: p("min"),
                max: p("max"),
            }
        }
        "triangular" | "pert" => {
            let (a, c, b) = (p("min"), p("mode"), p("max"));
            if a >= b {
                ctx.err(
                    pos_of("max"),
                    &f.path("max"),
                    format!("max ({b}) must be greater than min ({a})"),
                );
                return None;
            }
            if c < a || c > b {
                ctx.err(
                    pos_of("mode"),
                    &f.path("mode"),
                    format!("mode ({c}) must lie between min ({a}) and max ({b})"),
                );
                return None;
            }
            if kind == "pert" {
                Dist::Pert {
                    min: a,
                    mode: c,
                    max: b,
                }
            } else {
                Dist::Triangular {
                    min: a,
                    mode: c,
                    max: b,
                }
            }
        }
        "normal" => {
            if p("sd") <= 0.0 {
                ctx.err(
                    pos_of("sd"),
                    &f.path("sd"),
                    format!("sd must be greater than 0, found {}", p("sd")),
                );
                return None;
            }
            Dist::Normal {
                mean: p("mean"),
                sd: p("sd"),
            }
        }
        _ => {
            if p("sigma") <= 0.0 {
                ctx.err(
                    pos_of("sigma"),
                    &f.path("sigma"),
                    format!("sigma must be greater than 0, found {}", p("sigma")),
                );
                return None;
            }
            Dist::LogNormal {
                mu: p("mu"),
                sigma: p("sigma"),
            }
        }
    };
    Some(d)
}

fn run_settings(ctx: &mut Ctx, node: &Node, path: &str) -> RunSettings {
    let mut run = RunSettings::default();
    if let Some(f) = Fields::open(ctx, node, path, &["samples", "seed"]) {
        if let Some(n) = f.get("samples") {
            run.samples = integer(
                ctx,
                n,
                &f.path("samples"),
                1000,
                10_000_000,
                "an integer from 1000 to 10000000",
            )
            .map(|v| v as u64);
        }
        if let Some(n) = f.get("seed") {
            run.seed = integer(
                ctx,
                n,
                &f.path("seed"),
                0,
                i128::from(u64::MAX),
                "an integer from 0 to 18446744073709551615",
            )
            .map(|v| v as u64);
        }
    }
    run
}

fn format_version(ctx: &mut Ctx, f: &Fields<'_>) -> Option<()> {
    let n = f.required(ctx, "format", "format = 1")?;
    match n.kind {
        Kind::Int(1) => Some(()),
        Kind::Int(v) => {
            ctx.err(n.pos, "format", format!("format {v} is not supported; expected 1"));
            None
        }
        _ => {
            ctx.err(
                n.pos,
                "format",
                format!("expected the integer 1, found {}", describe_found(n)),
            );
            None
        }
    }
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Validates a plan document. `national` is `Some` in national mode (with the national
/// variables a plan may use), `None` for a single plan.
pub fn plan_from_node(root: &Node, file: &str, national: Option<&NationalSpec>) -> Result<Plan, BadInput> {
    let mut ctx = Ctx::new(file);
    let scope: Option<NationalScope<'_>> = national.map(Some);
    let plan = read_plan(&mut ctx, root, scope);
    ctx.finish(plan)
}

fn read_plan(ctx: &mut Ctx, root: &Node, scope: Option<NationalScope<'_>>) -> Option<Plan> {
    let f = Fields::open(
        ctx,
        root,
        "",
        &[
            "format",
            "name",
            "code",
            "first_year",
            "years",
            "run",
            "baseline",
            "confidence",
            "initiative",
            "correlation",
        ],
    )?;
    let format_ok = format_version(ctx, &f);
    let name = f.required(ctx, "name", "the footprint's name").and_then(|n| {
        let s = string(ctx, n, "name", "the footprint's name as a string")?;
        if s.trim().is_empty() {
            ctx.err(n.pos, "name", "must not be empty; expected the footprint's name");
            None
        } else {
            Some(s.to_string())
        }
    });
    let code = f
        .get("code")
        .and_then(|n| string(ctx, n, "code", "an ONS code as a string").map(str::to_string));
    let first_year = f
        .required(ctx, "first_year", "the first plan year, 2000 to 2100")
        .and_then(|n| integer(ctx, n, "first_year", 2000, 2100, "a year from 2000 to 2100"))
        .map(|v| v as i32);
    let years = f
        .required(ctx, "years", "the number of plan years, 1 to 20")
        .and_then(|n| integer(ctx, n, "years", 1, 20, "an integer from 1 to 20"))
        .map(|v| v as usize);
    // In national mode a plan's [run] is ignored (spec section 7: the national one applies), so
    // it is not read either: nothing in it can change a result or refuse the directory.
    let run = match scope {
        Some(_) => RunSettings::default(),
        None => f.get("run").map(|n| run_settings(ctx, n, "run")).unwrap_or_default(),
    };
    let confidence = match f.get("confidence") {
        Some(n) => confidence_table(ctx, n),
        None => Some(ConfidenceTable::default()),
    };
    let baseline = f
        .required(ctx, "baseline", "a [baseline] table")
        .and_then(|n| baseline(ctx, n, years, scope));
    let mut initiatives = Vec::new();
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut all_ok = true;
    match f.get("initiative") {
        None => {}
        Some(Node {
            kind: Kind::Array(items),
            ..
        }) => {
            for (i, item) in items.iter().enumerate() {
                let path = format!("initiative[{}]", i + 1);
                match initiative(ctx, item, &path, years, confidence.as_ref(), scope) {
                    Some(init) => {
                        if let Some(prev) = ids.get(&init.id) {
                            let id_pos = item_key_pos(item, "id");
                            ctx.err(
                                id_pos,
                                &format!("{path}.id"),
                                format!(
                                    "id \"{}\" is already used by initiative[{prev}]; ids must be unique",
                                    init.id
                                ),
                            );
                            all_ok = false;
                        } else {
                            ids.insert(init.id.clone(), i + 1);
                        }
                        initiatives.push(init);
                    }
                    None => all_ok = false,
                }
            }
        }
        Some(n) => {
            ctx.err(
                n.pos,
                "initiative",
                format!(
                    "expected an array of tables ([[initiative]]), found {}",
                    n.kind.describe()
                ),
            );
            all_ok = false;
        }
    }
    let (name, first_year, years, baseline, confidence) = (name?, first_year?, years?, baseline?, confidence?);
    format_ok?;
    if !all_ok {
        return None;
    }
    let mut plan = Plan {
        name,
        code,
        first_year,
        years,
        run,
        baseline,
        confidence,
        initiatives,
        correlations: Vec::new(),
    };
    if let Some(n) = f.get("correlation") {
        plan.correlations = correlations(ctx, n, &plan, scope.is_some())?;
    }
    Some(plan)
}

fn item_key_pos(node: &Node, key: &str) -> Pos {
    match &node.kind {
        Kind::Table(entries) => entries
            .iter()
            .find(|(k, _, _)| k == key)
            .map_or(node.pos, |(_, _, v)| v.pos),
        _ => node.pos,
    }
}

fn confidence_table(ctx: &mut Ctx, node: &Node) -> Option<ConfidenceTable> {
    let f = Fields::open(ctx, node, "confidence", &["high", "medium", "low"])?;
    let mut table = ConfidenceTable::default();
    let mut ok = true;
    for word in [Confidence::High, Confidence::Medium, Confidence::Low] {
        let Some(row) = f.get(word.as_str()) else { continue };
        let path = f.path(word.as_str());
        let Some(rf) = Fields::open(ctx, row, &path, &["min", "mode", "max"]) else {
            ok = false;
            continue;
        };
        let mut vals = [0.0; 3];
        let mut row_ok = true;
        for (k, key) in ["min", "mode", "max"].iter().enumerate() {
            match rf
                .required(ctx, key, "a number")
                .and_then(|n| number(ctx, n, &rf.path(key)))
            {
                Some(v) => vals[k] = v,
                None => row_ok = false,
            }
        }
        if !row_ok {
            ok = false;
            continue;
        }
        let [a, c, b] = vals;
        let pos_of = |k: &str| rf.get(k).and_then(|n| n.pos);
        if a >= b {
            ctx.err(
                pos_of("max"),
                &rf.path("max"),
                format!("max ({b}) must be greater than min ({a})"),
            );
            ok = false;
        } else if c < a || c > b {
            ctx.err(
                pos_of("mode"),
                &rf.path("mode"),
                format!("mode ({c}) must lie between min ({a}) and max ({b})"),
            );
            ok = false;
        } else if a < 0.0 {
            ctx.err(
                pos_of("min"),
                &rf.path("min"),
                format!("delivery cannot go below 0; expected a min of 0 or more, found {a}"),
            );
            ok = false;
        } else {
            let d = Dist::Pert {
                min: a,
                mode: c,
                max: b,
            };
            match word {
                Confidence::High => table.high = d,
                Confidence::Medium => table.medium = d,
                Confidence::Low => table.low = d,
            }
        }
    }
    ok.then_some(table)
}

fn baseline(ctx: &mut Ctx, node: &Node, years: Option<usize>, scope: Option<NationalScope<'_>>) -> Option<Baseline> {
    let f = Fields::open(
        ctx,
        node,
        "baseline",
        &[
            "funding",
            "spend",
            "funding_growth",
            "demand_growth",
            "cost_inflation",
            "other_income",
        ],
    )?;
    let positive_fixed = |ctx: &mut Ctx, key: &str| -> Option<f64> {
        let n = f.required(ctx, key, "a fixed amount in £m, greater than 0")?;
        let path = f.path(key);
        let v = fixed_amount(ctx, n, &path)?;
        if v <= 0.0 {
            ctx.err(n.pos, &path, format!("expected an amount greater than 0, found {v}"));
            return None;
        }
        Some(v)
    };
    let funding = positive_fixed(ctx, "funding");
    let spend = positive_fixed(ctx, "spend");
    let funding_growth = f
        .required(ctx, "funding_growth", "an array with one value per plan year")
        .and_then(|n| {
            let path = f.path("funding_growth");
            let Kind::Array(items) = &n.kind else {
                ctx.err(
                    n.pos,
                    &path,
                    format!(
                        "expected an array with one value per plan year, found {}",
                        describe_found(n)
                    ),
                );
                return None;
            };
            if let Some(y) = years
                && items.len() != y
            {
                {
                    ctx.err(
                        n.pos,
                        &path,
                        format!("has {} values; expected exactly {y}, one per plan year", items.len()),
                    );
                    return None;
                }
            }
            let mut out = Vec::new();
            for (k, item) in items.iter().enumerate() {
                out.push(value(ctx, item, &format!("{path}[{}]", k + 1), scope, Role::Any));
            }
            out.into_iter().collect::<Option<Vec<_>>>()
        });
    let demand_growth = f
        .required(ctx, "demand_growth", "a value")
        .and_then(|n| value(ctx, n, &f.path("demand_growth"), scope, Role::Any));
    let cost_inflation = f
        .required(ctx, "cost_inflation", "a value")
        .and_then(|n| value(ctx, n, &f.path("cost_inflation"), scope, Role::Any));
    let other_income = match f.get("other_income") {
        None => Some(vec![0.0; years.unwrap_or(0)]),
        Some(n) => {
            let path = f.path("other_income");
            match &n.kind {
                Kind::Array(items) => {
                    if years.is_some_and(|y| items.len() != y) {
                        ctx.err(
                            n.pos,
                            &path,
                            format!(
                                "has {} values; expected exactly {}, one fixed amount in £m per plan year",
                                items.len(),
                                years.unwrap_or(0)
                            ),
                        );
                        None
                    } else {
                        let mut out = Vec::new();
                        for (k, item) in items.iter().enumerate() {
                            let p = format!("{path}[{}]", k + 1);
                            out.push(fixed_amount(ctx, item, &p));
                        }
                        out.into_iter().collect::<Option<Vec<_>>>()
                    }
                }
                _ => {
                    ctx.err(
                        n.pos,
                        &path,
                        format!("expected an array of fixed amounts in £m, found {}", describe_found(n)),
                    );
                    None
                }
            }
        }
    };
    Some(Baseline {
        funding: funding?,
        spend: spend?,
        funding_growth: funding_growth?,
        demand_growth: demand_growth?,
        cost_inflation: cost_inflation?,
        other_income: other_income?,
    })
}

const INITIATIVE_KEYS: [&str; 12] = [
    "id",
    "name",
    "setting",
    "saving",
    "start_month",
    "ramp_months",
    "delivery",
    "slippage_months",
    "recurrent_cost",
    "double_running",
    "capital",
    "cost_overrun",
];

fn initiative(
    ctx: &mut Ctx,
    node: &Node,
    path: &str,
    years: Option<usize>,
    confidence: Option<&ConfidenceTable>,
    scope: Option<NationalScope<'_>>,
) -> Option<Initiative> {
    let f = Fields::open(ctx, node, path, &INITIATIVE_KEYS)?;
    let id = f
        .required(ctx, "id", "an id of lowercase letters, digits and hyphens")
        .and_then(|n| {
            let s = string(ctx, n, &f.path("id"), "an id of lowercase letters, digits and hyphens")?;
            if is_id(s) {
                Some(s.to_string())
            } else {
                ctx.err(
                    n.pos,
                    &f.path("id"),
                    format!("\"{s}\" is not a valid id; expected lowercase letters a-z, digits and hyphens only"),
                );
                None
            }
        });
    let name = f.required(ctx, "name", "the initiative's name").and_then(|n| {
        let s = string(ctx, n, &f.path("name"), "the initiative's name as a string")?;
        if s.trim().is_empty() {
            ctx.err(
                n.pos,
                &f.path("name"),
                "must not be empty; expected the initiative's name",
            );
            None
        } else {
            Some(s.to_string())
        }
    });
    let setting = f.required(ctx, "setting", "a care setting").and_then(|n| {
        let all: Vec<&str> = Setting::ALL.iter().map(|s| s.as_str()).collect();
        let s = string(ctx, n, &f.path("setting"), &format!("one of: {}", all.join(", ")))?;
        let parsed = Setting::parse(s);
        if parsed.is_none() {
            ctx.err(
                n.pos,
                &f.path("setting"),
                format!("unknown setting \"{s}\"; expected one of: {}", all.join(", ")),
            );
        }
        parsed
    });
    let saving = f
        .required(ctx, "saving", "a value in £m a year")
        .and_then(|n| value(ctx, n, &f.path("saving"), scope, Role::Any));
    let max_month = years.map(|y| 12 * y as i128 - 1);
    let start_month = f
        .required(ctx, "start_month", "an integer month")
        .and_then(|n| match max_month {
            Some(hi) => integer(
                ctx,
                n,
                &f.path("start_month"),
                0,
                hi,
                &format!("an integer month from 0 to {hi}"),
            )
            .map(|v| v as u32),
            None => integer(ctx, n, &f.path("start_month"), 0, 239, "an integer month").map(|v| v as u32),
        });
    let ramp_months = f
        .required(ctx, "ramp_months", "an integer number of months, 1 or more")
        .and_then(|n| {
            integer(
                ctx,
                n,
                &f.path("ramp_months"),
                1,
                i128::MAX,
                "an integer number of months, 1 or more",
            )
        })
        // The spec sets no upper bound; beyond u64 a ramp's share of any year is far below the
        // arithmetic's precision, so the longest u64 stands for it.
        .map(|v| u64::try_from(v).unwrap_or(u64::MAX));
    let mut delivery_word = None;
    let delivery = f.required(ctx, "delivery", "a value or one of: high, medium, low").and_then(|n| {
        let p = f.path("delivery");
        if let Kind::Str(s) = &n.kind {
            match Confidence::parse(s) {
                Some(c) => {
                    delivery_word = Some(c);
                    confidence.map(|t| Value::Dist(t.get(c)))
                }
                None => {
                    ctx.err(n.pos, &p, format!("unknown confidence word \"{s}\"; expected high, medium or low, a number or a distribution"));
                    None
                }
            }
        } else {
            value(ctx, n, &p, scope, Role::Delivery)
        }
    });
    let optional = |ctx: &mut Ctx, key: &str, default: f64, role: Role| -> Option<Value> {
        match f.get(key) {
            None => Some(Value::fixed(default)),
            Some(n) => value(ctx, n, &f.path(key), scope, role),
        }
    };
    let slippage_months = optional(ctx, "slippage_months", 0.0, Role::Slippage);
    let recurrent_cost = optional(ctx, "recurrent_cost", 0.0, Role::Any);
    let double_running = optional(ctx, "double_running", 0.0, Role::Any);
    let capital = optional(ctx, "capital", 0.0, Role::Any);
    let cost_overrun = optional(ctx, "cost_overrun", 1.0, Role::Any);
    Some(Initiative {
        id: id?,
        name: name?,
        setting: setting?,
        saving: saving?,
        start_month: start_month?,
        ramp_months: ramp_months?,
        delivery: delivery?,
        delivery_word,
        slippage_months: slippage_months?,
        recurrent_cost: recurrent_cost?,
        double_running: double_running?,
        capital: capital?,
        cost_overrun: cost_overrun?,
    })
}

/// Reads `[[correlation]]` entries, given the variables they may name (name -> uncertain?).
pub(crate) fn correlation_list(
    ctx: &mut Ctx,
    node: &Node,
    known: &HashMap<String, bool>,
    check_name: &dyn Fn(&str) -> Option<String>,
) -> Option<Vec<(Correlation, Pos)>> {
    let Kind::Array(items) = &node.kind else {
        ctx.err(
            node.pos,
            "correlation",
            format!(
                "expected an array of tables ([[correlation]]), found {}",
                node.kind.describe()
            ),
        );
        return None;
    };
    let mut out = Vec::new();
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        let path = format!("correlation[{}]", i + 1);
        let Some(f) = Fields::open(ctx, item, &path, &["variables", "rank"]) else {
            ok = false;
            continue;
        };
        let vars = f.required(ctx, "variables", "an array of two variable names").and_then(|n| {
            let p = f.path("variables");
            let Kind::Array(names) = &n.kind else {
                ctx.err(n.pos, &p, format!("expected an array of two variable names, found {}", describe_found(n)));
                return None;
            };
            if names.len() != 2 {
                ctx.err(n.pos, &p, format!("has {} names; expected exactly two", names.len()));
                return None;
            }
            let mut pair = Vec::new();
            for (k, nn) in names.iter().enumerate() {
                let np = format!("{p}[{}]", k + 1);
                let name = string(ctx, nn, &np, "a variable name such as \"initiative.urgent-care.delivery\"")?;
                if let Some(problem) = check_name(name) {
                    ctx.err(nn.pos, &np, problem);
                    return None;
                }
                match known.get(name) {
                    None => {
                        ctx.err(nn.pos, &np, format!("no variable is named \"{name}\"; expected a name such as baseline.demand_growth or initiative.<id>.delivery"));
                        return None;
                    }
                    Some(false) => {
                        ctx.err(nn.pos, &np, format!("\"{name}\" is fixed; a correlation may name only uncertain values"));
                        return None;
                    }
                    Some(true) => pair.push(name.to_string()),
                }
            }
            if pair[0] == pair[1] {
                ctx.err(n.pos, &p, format!("\"{}\" is paired with itself", pair[0]));
                return None;
            }
            let key = if pair[0] < pair[1] { (pair[0].clone(), pair[1].clone()) } else { (pair[1].clone(), pair[0].clone()) };
            if let Some(prev) = seen.get(&key) {
                ctx.err(n.pos, &p, format!("the pair \"{}\" and \"{}\" is already given in correlation[{prev}]", pair[0], pair[1]));
                return None;
            }
            seen.insert(key, i + 1);
            Some([pair[0].clone(), pair[1].clone()])
        });
        let rank = f
            .required(ctx, "rank", "a number between -1 and 1 (exclusive)")
            .and_then(|n| {
                let p = f.path("rank");
                let r = number(ctx, n, &p)?;
                if r <= -1.0 || r >= 1.0 {
                    ctx.err(
                        n.pos,
                        &p,
                        format!("{r} is out of range; expected a rank correlation strictly between -1 and 1"),
                    );
                    return None;
                }
                Some(r)
            });
        match (vars, rank) {
            (Some(variables), Some(rank)) => out.push((Correlation { variables, rank }, item.pos)),
            _ => ok = false,
        }
    }
    if !ok {
        return None;
    }
    // Positive definiteness of the target matrix and of its Pearson equivalent.
    let pairs: Vec<Correlation> = out.iter().map(|(c, _)| c.clone()).collect();
    if let Err(problems) = check_consistent(&pairs) {
        for CorrelationProblem {
            variables,
            first_index,
            matrix,
        } in problems
        {
            ctx.err(
                out[first_index].1,
                &format!("correlation[{}]", first_index + 1),
                format!(
                    "the correlations among {} are inconsistent: the {} matrix is not positive definite; weaken one or more of them",
                    variables.join(", "),
                    matrix
                ),
            );
        }
        return None;
    }
    Some(out)
}

fn correlations(ctx: &mut Ctx, node: &Node, plan: &Plan, national_mode: bool) -> Option<Vec<Correlation>> {
    let mut known = HashMap::new();
    for (name, v) in plan.named_values() {
        // A national reference is named national.<x>, and belongs in national.toml.
        if let Value::Dist(d) = v {
            known.insert(name, !d.is_fixed());
        }
    }
    let check = move |name: &str| -> Option<String> {
        if name.starts_with("national.") {
            Some(if national_mode {
                format!(
                    "\"{name}\" is a national variable: correlations that involve national variables belong in national.toml"
                )
            } else {
                format!("no variable is named \"{name}\": national variables exist only in national mode")
            })
        } else {
            None
        }
    };
    let list = correlation_list(ctx, node, &known, &check)?;
    Some(list.into_iter().map(|(c, _)| c).collect())
}

/// Validates a `national.toml` document (spec section 7).
pub fn national_from_node(root: &Node, file: &str) -> Result<NationalSpec, BadInput> {
    let mut ctx = Ctx::new(file);
    let spec = read_national(&mut ctx, root);
    ctx.finish(spec)
}

fn read_national(ctx: &mut Ctx, root: &Node) -> Option<NationalSpec> {
    let f = Fields::open(ctx, root, "", &["format", "run", "variable", "correlation"])?;
    let format_ok = format_version(ctx, &f);
    let run = f.get("run").map(|n| run_settings(ctx, n, "run")).unwrap_or_default();
    let mut variables: Vec<(String, Dist)> = Vec::new();
    let mut ok = true;
    let mut names = HashSet::new();
    match f.get("variable") {
        None => {}
        Some(Node {
            kind: Kind::Array(items),
            ..
        }) => {
            for (i, item) in items.iter().enumerate() {
                let path = format!("variable[{}]", i + 1);
                let Some(vf) = Fields::open(ctx, item, &path, &["name", "value"]) else {
                    ok = false;
                    continue;
                };
                let name = vf.required(ctx, "name", "the variable's name").and_then(|n| {
                    let s = string(ctx, n, &vf.path("name"), "the variable's name as a string")?;
                    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
                        ctx.err(
                            n.pos,
                            &vf.path("name"),
                            format!("\"{s}\" is not a valid name; expected letters, digits, '_' and '-' only"),
                        );
                        return None;
                    }
                    if !names.insert(s.to_string()) {
                        ctx.err(n.pos, &vf.path("name"), format!("the name \"{s}\" is used twice"));
                        return None;
                    }
                    Some(s.to_string())
                });
                let dist = vf.required(ctx, "value", "a value").and_then(|n| {
                    match value(ctx, n, &vf.path("value"), Some(None), Role::Any)? {
                        Value::Dist(d) => Some(d),
                        Value::National(_) => None,
                    }
                });
                match (name, dist) {
                    (Some(n), Some(d)) => variables.push((n, d)),
                    _ => ok = false,
                }
            }
        }
        Some(n) => {
            ctx.err(
                n.pos,
                "variable",
                format!(
                    "expected an array of tables ([[variable]]), found {}",
                    n.kind.describe()
                ),
            );
            ok = false;
        }
    }
    format_ok?;
    if !ok {
        return None;
    }
    let mut correlations = Vec::new();
    if let Some(n) = f.get("correlation") {
        let known: HashMap<String, bool> = variables
            .iter()
            .map(|(n, d)| (format!("national.{n}"), !d.is_fixed()))
            .collect();
        let check = |name: &str| -> Option<String> {
            (!name.starts_with("national.")).then(|| {
                format!(
                    "\"{name}\" is not a national variable; national.toml may correlate only national.<name> variables"
                )
            })
        };
        correlations = correlation_list(ctx, n, &known, &check)?
            .into_iter()
            .map(|(c, _)| c)
            .collect();
    }
    Some(NationalSpec {
        run,
        variables,
        correlations,
    })
}
