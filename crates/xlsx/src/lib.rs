//! The financial model as an XLSX workbook, for people who work in spreadsheets: written with
//! rust_xlsxwriter, read back with calamine, and checked by the engine. Every figure of the
//! stress model has a cell, so a model goes out and comes back without loss; every problem in an
//! uploaded workbook names its sheet and cell.
//!
//! Sheets: `Plan` (name, code, years, run settings), `Values` (the baseline, one row per value),
//! `Initiatives` (one row per initiative), `Confidence` (the meaning of the confidence words, when
//! the plan sets it) and `Correlations`. A value is four cells: its shape (fixed, uniform,
//! triangular, pert, normal, lognormal, word, national) and up to three parameters A, B, C
//! (fixed: A; uniform: A to C; triangular and PERT: A lowest, B most likely, C highest; normal:
//! A mean, B sd; lognormal: A μ, B σ; word: A is high, medium or low; national: A its name).

use std::io::Cursor;

use calamine::{Data, Range, Reader, Xlsx, open_workbook_from_rs};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use serde_json::{Map, Value, json};

/// The initiative fields that hold values, in column order.
const VALUE_FIELDS: [&str; 7] = [
    "saving",
    "delivery",
    "slippage_months",
    "recurrent_cost",
    "double_running",
    "capital",
    "cost_overrun",
];

/// A cell's address: `B7`.
pub fn cell(row: u32, col: u16) -> String {
    let mut c = u32::from(col) + 1;
    let mut letters = Vec::new();
    while c > 0 {
        let r = (c - 1) % 26;
        letters.push(char::from(b'A' + r as u8));
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", letters.into_iter().collect::<String>(), row + 1)
}

fn write_value(ws: &mut Worksheet, row: u32, col: u16, v: Option<&Value>) -> Result<(), XlsxError> {
    let Some(v) = v else { return Ok(()) };
    let num = |ws: &mut Worksheet, c: u16, x: &Value| -> Result<(), XlsxError> {
        if let Some(f) = x.as_f64() {
            ws.write_number(row, c, f)?;
        }
        Ok(())
    };
    if v.is_number() {
        ws.write_string(row, col, "fixed")?;
        return num(ws, col + 1, v);
    }
    if let Some(word) = v.as_str() {
        ws.write_string(row, col, "word")?;
        ws.write_string(row, col + 1, word)?;
        return Ok(());
    }
    if let Some(name) = v.get("national").and_then(Value::as_str) {
        ws.write_string(row, col, "national")?;
        ws.write_string(row, col + 1, name)?;
        return Ok(());
    }
    let shape = v.get("dist").and_then(Value::as_str).unwrap_or("");
    ws.write_string(row, col, shape)?;
    let params: [&str; 3] = match shape {
        "fixed" => ["value", "", ""],
        "uniform" => ["min", "", "max"],
        "triangular" | "pert" => ["min", "mode", "max"],
        "normal" => ["mean", "sd", ""],
        "lognormal" => ["mu", "sigma", ""],
        _ => ["", "", ""],
    };
    for (k, p) in params.iter().enumerate() {
        if !p.is_empty() {
            num(ws, col + 1 + k as u16, &v[*p])?;
        }
    }
    Ok(())
}

/// The model as an XLSX workbook.
pub fn write_model(model: &Value) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let header = |ws: &mut Worksheet, names: &[&str]| -> Result<(), XlsxError> {
        for (c, n) in names.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *n, &bold)?;
        }
        Ok(())
    };
    let ws = wb.add_worksheet();
    ws.set_name("Plan")?;
    header(ws, &["Item", "Value"])?;
    let mut row = 1;
    for key in ["name", "code", "first_year", "years"] {
        if let Some(v) = model.get(key) {
            ws.write_string(row, 0, key)?;
            match v.as_f64() {
                Some(f) => ws.write_number(row, 1, f)?,
                None => ws.write_string(row, 1, v.as_str().unwrap_or(""))?,
            };
            row += 1;
        }
    }
    for key in ["samples", "seed"] {
        if let Some(f) = model.get("run").and_then(|r| r.get(key)).and_then(Value::as_f64) {
            ws.write_string(row, 0, format!("run.{key}"))?;
            ws.write_number(row, 1, f)?;
            row += 1;
        }
    }

    let ws = wb.add_worksheet();
    ws.set_name("Values")?;
    header(ws, &["Value", "Shape", "A", "B", "C"])?;
    let b = &model["baseline"];
    let mut row = 1;
    for key in ["funding", "spend", "demand_growth", "cost_inflation"] {
        ws.write_string(row, 0, key)?;
        write_value(ws, row, 1, b.get(key))?;
        row += 1;
    }
    for key in ["funding_growth", "other_income"] {
        if let Some(list) = b.get(key).and_then(Value::as_array) {
            for (t, v) in list.iter().enumerate() {
                ws.write_string(row, 0, format!("{key}[{}]", t + 1))?;
                write_value(ws, row, 1, Some(v))?;
                row += 1;
            }
        }
    }

    let ws = wb.add_worksheet();
    ws.set_name("Initiatives")?;
    let mut names = vec!["id", "name", "setting", "start_month", "ramp_months"];
    let value_headers: Vec<String> = VALUE_FIELDS
        .iter()
        .flat_map(|f| {
            [
                format!("{f} shape"),
                format!("{f} A"),
                format!("{f} B"),
                format!("{f} C"),
            ]
        })
        .collect();
    names.extend(value_headers.iter().map(String::as_str));
    header(ws, &names)?;
    let empty = Vec::new();
    for (k, i) in model["initiative"].as_array().unwrap_or(&empty).iter().enumerate() {
        let row = k as u32 + 1;
        for (c, key) in ["id", "name", "setting"].iter().enumerate() {
            ws.write_string(row, c as u16, i[*key].as_str().unwrap_or(""))?;
        }
        for (c, key) in [(3u16, "start_month"), (4, "ramp_months")] {
            if let Some(f) = i[key].as_f64() {
                ws.write_number(row, c, f)?;
            }
        }
        for (n, f) in VALUE_FIELDS.iter().enumerate() {
            write_value(ws, row, 5 + 4 * n as u16, i.get(*f))?;
        }
    }

    if let Some(conf) = model.get("confidence").and_then(Value::as_object) {
        let ws = wb.add_worksheet();
        ws.set_name("Confidence")?;
        header(ws, &["Word", "Lowest", "Most likely", "Highest"])?;
        for (k, (word, v)) in conf.iter().enumerate() {
            let row = k as u32 + 1;
            ws.write_string(row, 0, word)?;
            for (c, p) in ["min", "mode", "max"].iter().enumerate() {
                if let Some(f) = v[*p].as_f64() {
                    ws.write_number(row, 1 + c as u16, f)?;
                }
            }
        }
    }
    let ws = wb.add_worksheet();
    ws.set_name("Correlations")?;
    header(ws, &["Variable", "Variable", "Rank correlation"])?;
    for (k, c) in model
        .get("correlation")
        .and_then(Value::as_array)
        .unwrap_or(&empty)
        .iter()
        .enumerate()
    {
        let row = k as u32 + 1;
        ws.write_string(row, 0, c["variables"][0].as_str().unwrap_or(""))?;
        ws.write_string(row, 1, c["variables"][1].as_str().unwrap_or(""))?;
        if let Some(f) = c["rank"].as_f64() {
            ws.write_number(row, 2, f)?;
        }
    }
    wb.save_to_buffer()
}

/// Reading cells, collecting every problem with its sheet and cell.
struct Sheet<'a> {
    name: &'static str,
    range: &'a Range<Data>,
    problems: &'a mut Vec<String>,
}

impl Sheet<'_> {
    fn at(&self, row: u32, col: u16) -> &Data {
        self.range.get_value((row, u32::from(col))).unwrap_or(&Data::Empty)
    }

    fn where_(&self, row: u32, col: u16) -> String {
        format!("{}!{}", self.name, cell(row, col))
    }

    fn text(&self, row: u32, col: u16) -> String {
        match self.at(row, col) {
            Data::String(s) => s.trim().to_string(),
            Data::Float(f) => f.to_string(),
            Data::Int(i) => i.to_string(),
            Data::Bool(b) => b.to_string(),
            _ => String::new(),
        }
    }

    fn number(&mut self, row: u32, col: u16, what: &str) -> Option<f64> {
        match self.at(row, col).clone() {
            Data::Float(f) => Some(f),
            Data::Int(i) => Some(i as f64),
            Data::String(s) if s.trim().parse::<f64>().is_ok() => s.trim().parse().ok(),
            Data::Empty => {
                let w = self.where_(row, col);
                self.problems.push(format!("{w}: {what}: enter a number"));
                None
            }
            other => {
                let w = self.where_(row, col);
                self.problems
                    .push(format!("{w}: {what}: expected a number, found {other:?}"));
                None
            }
        }
    }

    /// A value from its four cells; none when the shape cell is empty.
    fn value(&mut self, row: u32, col: u16, what: &str) -> Option<Value> {
        let shape = self.text(row, col).to_lowercase();
        let num = |s: &mut Self, k: u16, p: &str| s.number(row, col + k, &format!("{what} {p}"));
        match shape.as_str() {
            "" => None,
            "fixed" => num(self, 1, "value").map(|x| json!(x)),
            "uniform" => {
                let (a, c) = (num(self, 1, "lowest (A)"), num(self, 3, "highest (C)"));
                Some(json!({"dist": "uniform", "min": a?, "max": c?}))
            }
            "triangular" | "pert" => {
                let (a, b, c) = (
                    num(self, 1, "lowest (A)"),
                    num(self, 2, "most likely (B)"),
                    num(self, 3, "highest (C)"),
                );
                Some(json!({"dist": shape, "min": a?, "mode": b?, "max": c?}))
            }
            "normal" => {
                let (a, b) = (num(self, 1, "mean (A)"), num(self, 2, "sd (B)"));
                Some(json!({"dist": "normal", "mean": a?, "sd": b?}))
            }
            "lognormal" => {
                let (a, b) = (num(self, 1, "mu (A)"), num(self, 2, "sigma (B)"));
                Some(json!({"dist": "lognormal", "mu": a?, "sigma": b?}))
            }
            "word" => Some(json!(self.text(row, col + 1))),
            "national" => Some(json!({"national": self.text(row, col + 1)})),
            other => {
                let w = self.where_(row, col);
                self.problems.push(format!(
                    "{w}: {what}: the shape must be fixed, uniform, triangular, pert, normal, lognormal, word or national, not {other:?}"
                ));
                None
            }
        }
    }
}

/// A model from an uploaded workbook, or every problem found in it (sheet and cell).
pub fn read_model(bytes: &[u8]) -> Result<Value, Vec<String>> {
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec()))
        .map_err(|e| vec![format!("The file is not an XLSX workbook that can be read: {e}")])?;
    let names = wb.sheet_names();
    let mut problems = Vec::new();
    for needed in ["Plan", "Values", "Initiatives"] {
        if !names.iter().any(|n| n == needed) {
            problems.push(format!(
                "The workbook has no sheet named {needed}: export one from Footprint to see the layout"
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let range = |wb: &mut Xlsx<_>, name: &str| wb.worksheet_range(name).unwrap_or_default();
    let (plan, values, initiatives) = (
        range(&mut wb, "Plan"),
        range(&mut wb, "Values"),
        range(&mut wb, "Initiatives"),
    );
    let confidence = names
        .iter()
        .any(|n| n == "Confidence")
        .then(|| range(&mut wb, "Confidence"));
    let correlations = names
        .iter()
        .any(|n| n == "Correlations")
        .then(|| range(&mut wb, "Correlations"));

    let mut model = Map::new();
    model.insert("format".into(), json!(1));
    let mut run = Map::new();
    {
        let mut s = Sheet {
            name: "Plan",
            range: &plan,
            problems: &mut problems,
        };
        let rows = plan.end().map_or(0, |(r, _)| r + 1);
        for row in 1..rows {
            let key = s.text(row, 0);
            match key.as_str() {
                "" => {}
                "name" | "code" => {
                    model.insert(key.clone(), json!(s.text(row, 1)));
                }
                "first_year" | "years" => {
                    if let Some(x) = s.number(row, 1, &key) {
                        model.insert(key.clone(), json!(x as i64));
                    }
                }
                "run.samples" | "run.seed" => {
                    if let Some(x) = s.number(row, 1, &key) {
                        run.insert(key[4..].to_string(), json!(x as u64));
                    }
                }
                other => {
                    let w = s.where_(row, 0);
                    s.problems.push(format!(
                        "{w}: unknown item {other:?}; expected name, code, first_year, years, run.samples or run.seed"
                    ));
                }
            }
        }
    }
    if !run.is_empty() {
        model.insert("run".into(), Value::Object(run));
    }
    let mut baseline = Map::new();
    let mut lists: [Vec<Value>; 2] = [Vec::new(), Vec::new()];
    {
        let mut s = Sheet {
            name: "Values",
            range: &values,
            problems: &mut problems,
        };
        let rows = values.end().map_or(0, |(r, _)| r + 1);
        for row in 1..rows {
            let key = s.text(row, 0);
            if key.is_empty() {
                continue;
            }
            let v = s.value(row, 1, &key);
            if let Some((list, rest)) = key.split_once('[') {
                let slot = match list {
                    "funding_growth" => 0,
                    "other_income" => 1,
                    _ => {
                        let w = s.where_(row, 0);
                        s.problems.push(format!("{w}: unknown value {key:?}"));
                        continue;
                    }
                };
                let expected = lists[slot].len() + 1;
                if rest.trim_end_matches(']').parse::<usize>().ok() != Some(expected) {
                    let w = s.where_(row, 0);
                    s.problems
                        .push(format!("{w}: expected {list}[{expected}] (one row per year, in order)"));
                }
                lists[slot].push(v.unwrap_or(Value::Null));
            } else if ["funding", "spend", "demand_growth", "cost_inflation"].contains(&key.as_str()) {
                if let Some(v) = v {
                    baseline.insert(key, v);
                }
            } else {
                let w = s.where_(row, 0);
                s.problems.push(format!("{w}: unknown value {key:?}"));
            }
        }
    }
    let [growth, income] = lists;
    baseline.insert("funding_growth".into(), Value::Array(growth));
    if !income.is_empty() {
        baseline.insert("other_income".into(), Value::Array(income));
    }
    model.insert("baseline".into(), Value::Object(baseline));
    if let Some(conf) = &confidence {
        let mut s = Sheet {
            name: "Confidence",
            range: conf,
            problems: &mut problems,
        };
        let mut table = Map::new();
        let rows = conf.end().map_or(0, |(r, _)| r + 1);
        for row in 1..rows {
            let word = s.text(row, 0);
            if word.is_empty() {
                continue;
            }
            let (a, b, c) = (
                s.number(row, 1, "lowest"),
                s.number(row, 2, "most likely"),
                s.number(row, 3, "highest"),
            );
            if let (Some(a), Some(b), Some(c)) = (a, b, c) {
                table.insert(word, json!({"min": a, "mode": b, "max": c}));
            }
        }
        if !table.is_empty() {
            model.insert("confidence".into(), Value::Object(table));
        }
    }
    let mut list = Vec::new();
    {
        let mut s = Sheet {
            name: "Initiatives",
            range: &initiatives,
            problems: &mut problems,
        };
        let rows = initiatives.end().map_or(0, |(r, _)| r + 1);
        for row in 1..rows {
            let id = s.text(row, 0);
            if id.is_empty() && s.text(row, 1).is_empty() {
                continue;
            }
            let mut i = Map::new();
            i.insert("id".into(), json!(id));
            i.insert("name".into(), json!(s.text(row, 1)));
            i.insert("setting".into(), json!(s.text(row, 2)));
            for (c, key) in [(3u16, "start_month"), (4, "ramp_months")] {
                if let Some(x) = s.number(row, c, key) {
                    i.insert(key.into(), json!(x as i64));
                }
            }
            for (n, f) in VALUE_FIELDS.iter().enumerate() {
                if let Some(v) = s.value(row, 5 + 4 * n as u16, f) {
                    i.insert((*f).into(), v);
                }
            }
            list.push(Value::Object(i));
        }
    }
    model.insert("initiative".into(), Value::Array(list));
    if let Some(corr) = &correlations {
        let mut s = Sheet {
            name: "Correlations",
            range: corr,
            problems: &mut problems,
        };
        let mut out = Vec::new();
        let rows = corr.end().map_or(0, |(r, _)| r + 1);
        for row in 1..rows {
            let (a, b) = (s.text(row, 0), s.text(row, 1));
            if a.is_empty() && b.is_empty() {
                continue;
            }
            if let Some(rank) = s.number(row, 2, "rank correlation") {
                out.push(json!({"variables": [a, b], "rank": rank}));
            }
        }
        if !out.is_empty() {
            model.insert("correlation".into(), Value::Array(out));
        }
    }
    if problems.is_empty() {
        Ok(Value::Object(model))
    } else {
        Err(problems)
    }
}

/// Where in the workbook a key path of the model lives: `initiative[3].saving.max` is the
/// `Initiatives` sheet's row 4, in the saving cells.
pub fn locate(path: &str) -> String {
    if let Some(rest) = path.strip_prefix("initiative[") {
        let (k, field) = rest.split_once(']').unwrap_or((rest, ""));
        let row = k.parse::<u32>().unwrap_or(1);
        let field = field.trim_start_matches('.').split(['.', '[']).next().unwrap_or("");
        let col = match field {
            "id" => Some(0),
            "name" => Some(1),
            "setting" => Some(2),
            "start_month" => Some(3),
            "ramp_months" => Some(4),
            f => VALUE_FIELDS.iter().position(|v| *v == f).map(|n| 5 + 4 * n as u16),
        };
        return match col {
            Some(c) => format!("Initiatives!{}", cell(row, c)),
            None => format!("Initiatives row {}", row + 1),
        };
    }
    if path.starts_with("baseline.") {
        return "Values".into();
    }
    if path.starts_with("correlation") {
        return "Correlations".into();
    }
    if path.starts_with("confidence") {
        return "Confidence".into();
    }
    "Plan".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEMO: &str = include_str!("../../../data/demo/northshire-and-eastvale.toml");

    #[test]
    fn addresses() {
        assert_eq!(cell(0, 0), "A1");
        assert_eq!(cell(6, 5), "F7");
        assert_eq!(cell(9, 26), "AA10");
        assert_eq!(locate("initiative[3].saving.max"), "Initiatives!F4");
        assert_eq!(locate("initiative[2].ramp_months"), "Initiatives!E3");
    }

    #[test]
    fn the_demo_model_round_trips_through_a_workbook() {
        let model: Value = toml::from_str(DEMO).unwrap();
        let bytes = write_model(&model).unwrap();
        let back = read_model(&bytes).unwrap();
        let a = footprint_stress::parse_plan(DEMO, "demo.toml").unwrap();
        let b = footprint_stress::parse_plan(&back.to_string(), "back.json").unwrap();
        assert_eq!(a, b, "the same plan, figure for figure");
    }

    #[test]
    fn problems_name_sheet_and_cell() {
        let mut wb = Workbook::new();
        wb.add_worksheet().set_name("Plan").unwrap();
        let e = read_model(&wb.save_to_buffer().unwrap()).unwrap_err();
        assert!(
            e.iter().any(|p| p.contains("no sheet named Values"))
                && e.iter().any(|p| p.contains("no sheet named Initiatives"))
        );

        // A small workbook with text where a number belongs and an unknown shape.
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("Plan").unwrap();
        for (r, (k, v)) in [("first_year", 2016.0), ("years", 1.0)].iter().enumerate() {
            ws.write_string(r as u32 + 1, 0, *k).unwrap();
            ws.write_number(r as u32 + 1, 1, *v).unwrap();
        }
        let ws = wb.add_worksheet();
        ws.set_name("Values").unwrap();
        for (r, k) in [
            "funding",
            "spend",
            "demand_growth",
            "cost_inflation",
            "funding_growth[1]",
        ]
        .iter()
        .enumerate()
        {
            ws.write_string(r as u32 + 1, 0, *k).unwrap();
            ws.write_string(r as u32 + 1, 1, "fixed").unwrap();
            ws.write_number(r as u32 + 1, 2, 0.02).unwrap();
        }
        let ws = wb.add_worksheet();
        ws.set_name("Initiatives").unwrap();
        for (c, v) in ["a", "A", "acute"].iter().enumerate() {
            ws.write_string(1, c as u16, *v).unwrap();
        }
        ws.write_number(1, 3, 0.0).unwrap();
        ws.write_number(1, 4, 12.0).unwrap();
        ws.write_string(1, 5, "fixed").unwrap();
        ws.write_string(1, 6, "lots").unwrap();
        ws.write_string(1, 9, "wobbly").unwrap();
        let e = read_model(&wb.save_to_buffer().unwrap()).unwrap_err();
        assert!(
            e.iter()
                .any(|p| p.starts_with("Initiatives!G2: saving value: expected a number")),
            "{e:?}"
        );
        assert!(
            e.iter()
                .any(|p| p.starts_with("Initiatives!J2: delivery: the shape must be")),
            "{e:?}"
        );
        let e = read_model(b"not a workbook").unwrap_err();
        assert!(e[0].starts_with("The file is not an XLSX workbook"));
    }
}
