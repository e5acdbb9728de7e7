//! A small document tree with source positions, shared by the TOML and JSON readers, so that
//! validation is written once and every error can point at a line and column.

use crate::error::{BadInput, InputError, LineIndex};

/// A 1-based (line, column) position.
pub type Pos = Option<(usize, usize)>;

/// One value in a plan document.
#[derive(Debug, Clone)]
pub struct Node {
    /// What the value is.
    pub kind: Kind,
    /// Where it starts in the file.
    pub pos: Pos,
}

/// The kinds of value a plan document can hold.
#[derive(Debug, Clone)]
pub enum Kind {
    /// An integer literal.
    Int(i128),
    /// A number with a fraction or exponent.
    Float(f64),
    /// A string.
    Str(String),
    /// A boolean.
    Bool(bool),
    /// An array.
    Array(Vec<Node>),
    /// A table (object) with its entries in file order: key, key position, value.
    Table(Vec<(String, Pos, Node)>),
    /// Anything else the format has (a TOML datetime, a JSON null), by name.
    Other(&'static str),
}

impl Node {
    /// The value of a table's entry `key`, if this is a table that has one.
    pub fn entry(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Table(entries) => entries.iter().find(|(k, _, _)| k == key).map(|(_, _, v)| v),
            _ => None,
        }
    }
}

impl Kind {
    /// A short name for messages: "an integer", "a table", ...
    pub fn describe(&self) -> &'static str {
        match self {
            Kind::Int(_) => "an integer",
            Kind::Float(_) => "a number",
            Kind::Str(_) => "a string",
            Kind::Bool(_) => "a boolean",
            Kind::Array(_) => "an array",
            Kind::Table(_) => "a table",
            Kind::Other(name) => name,
        }
    }
}

/// Reads TOML text into a [`Node`] tree.
pub fn parse_toml(text: &str, file: &str) -> Result<Node, BadInput> {
    let index = LineIndex::new(text);
    match toml::de::DeTable::parse(text) {
        Ok(table) => {
            let pos = Some(index.position(table.span().start));
            Ok(Node {
                kind: table_kind(table.get_ref(), &index),
                pos,
            })
        }
        Err(e) => {
            let (line, column) = match e.span() {
                Some(span) => {
                    let (l, c) = index.position(span.start);
                    (Some(l), Some(c))
                }
                None => (None, None),
            };
            let message = e.message().trim();
            // A duplicate key or table is named by its key path, worked out from the text.
            let path = match e.span() {
                Some(span) if message.contains("duplicate") => toml_path_at(text, span.start),
                _ => String::new(),
            };
            Err(BadInput {
                errors: vec![InputError {
                    file: file.to_string(),
                    line,
                    column,
                    path,
                    message: format!("not valid TOML: {message}"),
                }],
            })
        }
    }
}

/// The key path of the key (or table header) at byte `offset` of TOML text, found by reading
/// the document's syntax events (which have no notion of duplicates) up to it: the table header
/// it is under (an array of tables counted, so the second `[[initiative]]` is
/// `initiative[2]`), the keys and array indices it is nested in, and the key itself with any
/// dotted parts before it. For messages only: a document that fails to parse has no tree to ask.
fn toml_path_at(text: &str, offset: usize) -> String {
    use toml_parser::parser::EventKind;
    // Spans count the byte-order mark; the syntax events do not see it.
    let (text, offset) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest, offset.saturating_sub(3)),
        None => (text, offset),
    };
    let source = toml_parser::Source::new(text);
    let tokens = source.lex().into_vec();
    let mut events: Vec<toml_parser::parser::Event> = Vec::new();
    toml_parser::parser::parse_document(&tokens, &mut events, &mut ());
    let key_text = |span: toml_parser::Span| {
        let mut out = String::new();
        if let Some(raw) = source.get(span) {
            raw.decode_key(&mut out, &mut ());
        }
        out
    };
    /// An open inline table or array: the path steps to drop when it closes.
    enum Open {
        Table(usize),
        Array(usize),
    }
    let mut path: Vec<Step> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    let mut header: Option<(bool, bool)> = None; // (array of tables, holds the offset)
    let mut counts: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut open: Vec<Open> = Vec::new();
    // Steps the value about to be read will drop when it ends (its key's parts).
    let mut value_keys: Option<usize> = None;
    for ev in &events {
        let span = ev.span();
        let holds = span.start() <= offset && offset < span.end().max(span.start() + 1);
        match ev.kind() {
            EventKind::StdTableOpen | EventKind::ArrayTableOpen => {
                header = Some((ev.kind() == EventKind::ArrayTableOpen, false));
                keys.clear();
                open.clear();
                value_keys = None;
            }
            EventKind::SimpleKey => {
                keys.push(key_text(span));
                match &mut header {
                    Some((_, at)) => *at |= holds,
                    None if holds => {
                        path.extend(keys.drain(..).map(Step::Key));
                        return key_path(&path);
                    }
                    None => {}
                }
            }
            EventKind::StdTableClose | EventKind::ArrayTableClose => {
                let (array, at) = header.take().unwrap_or((false, false));
                path.clear();
                // Each part that names an array of tables is its latest table, as TOML reads
                // [initiative.slippage_months] after [[initiative]].
                for (i, key) in keys.iter().enumerate() {
                    path.push(Step::Key(key.clone()));
                    let name = keys[..=i].join(".");
                    if array && i + 1 == keys.len() {
                        let k = counts.entry(name).or_insert(0);
                        path.push(Step::Index(*k));
                        *k += 1;
                    } else if let Some(&k) = counts.get(&name) {
                        path.push(Step::Index(k - 1));
                    }
                }
                keys.clear();
                if at {
                    return key_path(&path);
                }
            }
            EventKind::KeyValSep => {
                value_keys = Some(keys.len());
                path.extend(keys.drain(..).map(Step::Key));
            }
            EventKind::Scalar => {
                if let Some(n) = value_keys.take() {
                    path.truncate(path.len().saturating_sub(n));
                }
            }
            EventKind::InlineTableOpen => open.push(Open::Table(value_keys.take().unwrap_or(0))),
            EventKind::ArrayOpen => {
                open.push(Open::Array(value_keys.take().unwrap_or(0)));
                path.push(Step::Index(0));
            }
            EventKind::ValueSep => {
                if let (Some(Open::Array(_)), Some(Step::Index(i))) = (open.last(), path.last_mut()) {
                    *i += 1;
                }
                keys.clear();
            }
            EventKind::InlineTableClose => {
                if let Some(Open::Table(n)) = open.pop() {
                    path.truncate(path.len().saturating_sub(n));
                }
            }
            EventKind::ArrayClose => {
                if let Some(Open::Array(n)) = open.pop() {
                    path.truncate(path.len().saturating_sub(n + 1));
                }
            }
            _ => {}
        }
        if span.start() > offset {
            break;
        }
    }
    String::new()
}

fn table_kind(table: &toml::de::DeTable<'_>, index: &LineIndex<'_>) -> Kind {
    let mut entries = Vec::with_capacity(table.len());
    for (key, value) in table.iter() {
        let key_pos = Some(index.position(key.span().start));
        entries.push((key.get_ref().to_string(), key_pos, toml_node(value, index)));
    }
    Kind::Table(entries)
}

fn toml_node(value: &toml::Spanned<toml::de::DeValue<'_>>, index: &LineIndex<'_>) -> Node {
    use toml::de::DeValue;
    let pos = Some(index.position(value.span().start));
    let kind = match value.get_ref() {
        DeValue::String(s) => Kind::Str(s.to_string()),
        DeValue::Integer(i) => match i128::from_str_radix(i.as_str(), i.radix()) {
            Ok(v) => Kind::Int(v),
            Err(_) => Kind::Other("an integer too large to read"),
        },
        DeValue::Float(f) => match f.as_str().replace('_', "").parse::<f64>() {
            Ok(v) => Kind::Float(v),
            Err(_) => Kind::Other("a number that cannot be read"),
        },
        DeValue::Boolean(b) => Kind::Bool(*b),
        DeValue::Datetime(_) => Kind::Other("a date-time"),
        DeValue::Array(items) => Kind::Array(items.iter().map(|v| toml_node(v, index)).collect()),
        DeValue::Table(t) => table_kind(t, index),
    };
    Node { kind, pos }
}

/// Reads JSON text into a [`Node`] tree. Duplicate keys are errors.
pub fn parse_json(text: &str, file: &str) -> Result<Node, BadInput> {
    let index = LineIndex::new(text);
    let mut p = JsonParser {
        bytes: text.as_bytes(),
        text,
        // A byte-order mark is not part of the document (as the TOML reader treats it).
        at: if text.starts_with('\u{feff}') { 3 } else { 0 },
        depth: 0,
        path: Vec::new(),
    };
    // The error names the key path where the parser stopped: for a duplicate key, the key.
    let fail = |offset: usize, message: String, path: String| {
        let (l, c) = index.position(offset);
        BadInput {
            errors: vec![InputError {
                file: file.to_string(),
                line: Some(l),
                column: Some(c),
                path,
                message: format!("not valid JSON: {message}"),
            }],
        }
    };
    p.skip_ws();
    let node = match p.value(&index) {
        Ok(node) => node,
        Err((o, m)) => return Err(fail(o, m, key_path(&p.path))),
    };
    p.skip_ws();
    if p.at < p.bytes.len() {
        return Err(fail(
            p.at,
            "unexpected text after the end of the document".into(),
            String::new(),
        ));
    }
    Ok(node)
}

/// One step of a key path: a table's key or an array's index (from 0).
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

/// A key path as errors name it: `initiative[3].delivery.max` (indices count from 1).
fn key_path(steps: &[Step]) -> String {
    let mut out = String::new();
    for step in steps {
        match step {
            Step::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{}]", i + 1)),
        }
    }
    out
}

struct JsonParser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    at: usize,
    depth: usize,
    /// The key path of the value being read.
    path: Vec<Step>,
}

type JsonResult<T> = Result<T, (usize, String)>;

impl JsonParser<'_> {
    fn skip_ws(&mut self) {
        while let Some(&b) = self.bytes.get(self.at) {
            if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                self.at += 1;
            } else {
                break;
            }
        }
    }

    fn expect(&mut self, b: u8) -> JsonResult<()> {
        if self.bytes.get(self.at) == Some(&b) {
            self.at += 1;
            Ok(())
        } else {
            Err((self.at, format!("expected '{}'", b as char)))
        }
    }

    fn value(&mut self, index: &LineIndex<'_>) -> JsonResult<Node> {
        let start = self.at;
        let pos = Some(index.position(start));
        let Some(&b) = self.bytes.get(self.at) else {
            return Err((self.at, "unexpected end of the document".into()));
        };
        let kind = match b {
            b'{' => {
                self.depth += 1;
                if self.depth > 128 {
                    return Err((self.at, "nested too deeply".into()));
                }
                self.at += 1;
                let mut entries: Vec<(String, crate::node::Pos, Node)> = Vec::new();
                self.skip_ws();
                if self.bytes.get(self.at) == Some(&b'}') {
                    self.at += 1;
                } else {
                    loop {
                        self.skip_ws();
                        let key_at = self.at;
                        if self.bytes.get(self.at) != Some(&b'"') {
                            return Err((self.at, "expected a key in double quotes".into()));
                        }
                        let key = self.string()?;
                        self.path.push(Step::Key(key.clone()));
                        if entries.iter().any(|(k, _, _)| *k == key) {
                            return Err((key_at, format!("the key \"{key}\" appears twice")));
                        }
                        self.skip_ws();
                        self.expect(b':')?;
                        self.skip_ws();
                        let v = self.value(index)?;
                        self.path.pop();
                        entries.push((key, Some(index.position(key_at)), v));
                        self.skip_ws();
                        match self.bytes.get(self.at) {
                            Some(b',') => self.at += 1,
                            Some(b'}') => {
                                self.at += 1;
                                break;
                            }
                            _ => return Err((self.at, "expected ',' or '}'".into())),
                        }
                    }
                }
                self.depth -= 1;
                Kind::Table(entries)
            }
            b'[' => {
                self.depth += 1;
                if self.depth > 128 {
                    return Err((self.at, "nested too deeply".into()));
                }
                self.at += 1;
                let mut items = Vec::new();
                self.skip_ws();
                if self.bytes.get(self.at) == Some(&b']') {
                    self.at += 1;
                } else {
                    loop {
                        self.skip_ws();
                        self.path.push(Step::Index(items.len()));
                        items.push(self.value(index)?);
                        self.path.pop();
                        self.skip_ws();
                        match self.bytes.get(self.at) {
                            Some(b',') => self.at += 1,
                            Some(b']') => {
                                self.at += 1;
                                break;
                            }
                            _ => return Err((self.at, "expected ',' or ']'".into())),
                        }
                    }
                }
                self.depth -= 1;
                Kind::Array(items)
            }
            b'"' => Kind::Str(self.string()?),
            b't' => self.word("true", Kind::Bool(true))?,
            b'f' => self.word("false", Kind::Bool(false))?,
            b'n' => self.word("null", Kind::Other("null"))?,
            b'-' | b'0'..=b'9' => self.number()?,
            _ => return Err((self.at, "expected a value".into())),
        };
        Ok(Node { kind, pos })
    }

    fn word(&mut self, w: &str, kind: Kind) -> JsonResult<Kind> {
        if self.bytes[self.at..].starts_with(w.as_bytes()) {
            self.at += w.len();
            Ok(kind)
        } else {
            Err((self.at, "expected a value".into()))
        }
    }

    fn number(&mut self) -> JsonResult<Kind> {
        let start = self.at;
        if self.bytes.get(self.at) == Some(&b'-') {
            self.at += 1;
        }
        let digits = |p: &mut Self| {
            let s = p.at;
            while p.bytes.get(p.at).is_some_and(u8::is_ascii_digit) {
                p.at += 1;
            }
            p.at - s
        };
        let int_start = self.at;
        let n = digits(self);
        if n == 0 || (n > 1 && self.bytes[int_start] == b'0') {
            return Err((start, "not a valid number".into()));
        }
        let mut is_float = false;
        if self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            is_float = true;
            if digits(self) == 0 {
                return Err((start, "not a valid number".into()));
            }
        }
        if matches!(self.bytes.get(self.at), Some(b'e' | b'E')) {
            self.at += 1;
            is_float = true;
            if matches!(self.bytes.get(self.at), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if digits(self) == 0 {
                return Err((start, "not a valid number".into()));
            }
        }
        let s = &self.text[start..self.at];
        if is_float {
            // JSON has one kind of number: 3.0 and 3e0 are the integer 3 wherever an integer is
            // expected (as many JSON writers put whole numbers), and a number everywhere else.
            // Integers are exact up to 2^53; −0.0 keeps its sign as a number.
            let v = s
                .parse::<f64>()
                .map_err(|_| (start, "not a valid number".to_string()))?;
            if !v.is_finite() {
                return Ok(Kind::Other("a number too large to read"));
            }
            if v.fract() == 0.0 && v.abs() <= 9_007_199_254_740_992.0 && !(v == 0.0 && v.is_sign_negative()) {
                Ok(Kind::Int(v as i128))
            } else {
                Ok(Kind::Float(v))
            }
        } else {
            Ok(s.parse::<i128>()
                .map(Kind::Int)
                .unwrap_or(Kind::Other("an integer too large to read")))
        }
    }

    fn string(&mut self) -> JsonResult<String> {
        self.expect(b'"')?;
        let mut out = String::new();
        loop {
            let Some(&b) = self.bytes.get(self.at) else {
                return Err((self.at, "a string is not closed".into()));
            };
            match b {
                b'"' => {
                    self.at += 1;
                    return Ok(out);
                }
                b'\\' => {
                    self.at += 1;
                    let Some(&e) = self.bytes.get(self.at) else {
                        return Err((self.at, "a string is not closed".into()));
                    };
                    self.at += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let c = if (0xD800..0xDC00).contains(&hi) {
                                if self.bytes.get(self.at) == Some(&b'\\') && self.bytes.get(self.at + 1) == Some(&b'u')
                                {
                                    self.at += 2;
                                    let lo = self.hex4()?;
                                    if !(0xDC00..0xE000).contains(&lo) {
                                        return Err((self.at, "invalid surrogate pair in a string".into()));
                                    }
                                    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                                } else {
                                    None
                                }
                            } else {
                                char::from_u32(hi)
                            };
                            match c {
                                Some(c) => out.push(c),
                                None => return Err((self.at, "invalid \\u escape in a string".into())),
                            }
                        }
                        _ => return Err((self.at - 1, "invalid escape in a string".into())),
                    }
                }
                0..=0x1f => return Err((self.at, "control character in a string".into())),
                _ => {
                    // Copy one UTF-8 character.
                    let ch = self.text[self.at..].chars().next().unwrap_or('\u{fffd}');
                    out.push(ch);
                    self.at += ch.len_utf8();
                }
            }
        }
    }

    fn hex4(&mut self) -> JsonResult<u32> {
        let s = self
            .text
            .get(self.at..self.at + 4)
            .ok_or((self.at, "invalid \\u escape".to_string()))?;
        let v = u32::from_str_radix(s, 16).map_err(|_| (self.at, "invalid \\u escape".to_string()))?;
        self.at += 4;
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_positions_and_kinds() {
        let n = parse_json("{\n  \"a\": 1,\n  \"b\": [2.5, \"x\\u00e9\"]\n}", "f.json").unwrap();
        let Kind::Table(entries) = n.kind else { panic!() };
        assert_eq!(entries[0].0, "a");
        assert_eq!(entries[0].1, Some((2, 3)));
        assert!(matches!(entries[0].2.kind, Kind::Int(1)));
        let Kind::Array(items) = &entries[1].2.kind else {
            panic!()
        };
        assert!(matches!(items[0].kind, Kind::Float(v) if v == 2.5));
        assert!(matches!(&items[1].kind, Kind::Str(s) if s == "xé"));
        assert_eq!(items[1].pos, Some((3, 14)));
    }

    #[test]
    fn json_errors_point_at_the_problem() {
        let e = parse_json("{\"a\": 1,\n \"a\": 2}", "f.json").unwrap_err();
        assert_eq!(e.errors[0].line, Some(2));
        assert!(e.errors[0].message.contains("twice"));
        let e = parse_json("{\"a\": 01}", "f.json").unwrap_err();
        assert_eq!(e.errors[0].column, Some(7));
        assert!(parse_json("[1, 2", "f").is_err());
        assert!(parse_json("{} x", "f").is_err());
    }

    #[test]
    fn toml_errors_have_positions() {
        let e = parse_toml("a = 1\nb = = 2\n", "p.toml").unwrap_err();
        assert_eq!(e.errors[0].line, Some(2));
        assert!(e.errors[0].to_string().starts_with("p.toml:2:"));
    }

    fn toml_error(text: &str) -> InputError {
        parse_toml(text, "plan.toml").unwrap_err().errors.remove(0)
    }

    fn json_error(text: &str) -> InputError {
        parse_json(text, "plan.json").unwrap_err().errors.remove(0)
    }

    #[test]
    fn duplicate_toml_keys_are_named_by_their_key_path() {
        let plan = "format = 1\n[baseline]\nfunding = 1.0\n\n[[initiative]]\nid = \"a\"\n\n\
                    [[initiative]]\nid = \"b\"\nid = \"c\"\n";
        let e = toml_error(plan);
        assert_eq!((e.path.as_str(), e.line), ("initiative[2].id", Some(10)), "{e}");
        let e = toml_error("format = 1\nformat = 2\n");
        assert_eq!((e.path.as_str(), e.line), ("format", Some(2)), "{e}");
        let e = toml_error("[baseline]\nfunding = 1.0\nfunding = 2.0\n");
        assert_eq!(e.path, "baseline.funding", "{e}");
        // Inside an inline table, on the second [[initiative]].
        let e = toml_error(
            "[[initiative]]\nid = \"a\"\n[[initiative]]\r\nid = \"b\"\r\n\
             delivery = { dist = \"pert\", min = 0.1, min = 0.2, max = 0.9 }\n",
        );
        assert_eq!(e.path, "initiative[2].delivery.min", "{e}");
        // A table given twice.
        let e = toml_error("[baseline]\nfunding = 1.0\n[baseline]\nspend = 2.0\n");
        assert_eq!(e.path, "baseline", "{e}");
        assert!(e.message.contains("not valid TOML"));
        // A quoted key.
        let e = toml_error("[run]\n\"seed\" = 1\nseed = 2\n");
        assert_eq!(e.path, "run.seed", "{e}");
        // Dotted keys.
        let e = toml_error("run.seed = 5\nrun.seed = 6\n");
        assert_eq!(e.path, "run.seed", "{e}");
        let e = toml_error(
            "[[initiative]]\nid = \"a\"\n[[initiative]]\nslippage_months.dist = \"uniform\"\n\
             slippage_months.dist = \"pert\"\n",
        );
        assert_eq!(e.path, "initiative[2].slippage_months.dist", "{e}");
        // In arrays, on one line and over several, with comments and strings in the way.
        let e = toml_error("[baseline]\nfunding_growth = [0.02, { dist = \"uniform\", min = 0, min = 0.01 }]\n");
        assert_eq!(e.path, "baseline.funding_growth[2].min", "{e}");
        let e = toml_error(
            "[baseline]\nfunding_growth = [\n  0.02, # a comment, with [brackets] and {braces}\n  \"x,y\",\n  \
             { min = 0, min = 1 },\n]\n",
        );
        assert_eq!(e.path, "baseline.funding_growth[3].min", "{e}");
        let e = toml_error("[baseline]\nother_income = [1.0, [2.0, { a = 1, a = 2 }]]\n");
        assert_eq!(e.path, "baseline.other_income[2][2].a", "{e}");
        let e = toml_error("[[correlation]]\nvariables = [\"a.b\", { a = 1, a = 2 }]\n");
        assert_eq!(e.path, "correlation[1].variables[2].a", "{e}");
        // A sub-table of an array of tables.
        let e = toml_error("[[initiative]]\nid = \"a\"\n[initiative.slippage_months]\nmin = 1\nmin = 2\n");
        assert_eq!(e.path, "initiative[1].slippage_months.min", "{e}");
    }

    #[test]
    fn a_key_path_is_found_at_any_offset_of_any_text() {
        // The path finder runs only on a duplicate-key error, but must not fail on any text.
        let demo = include_str!("../../../data/demo/northshire-and-eastvale.toml");
        let samples = [
            demo,
            "a = [1, {b = 2",
            "[[x]]\n[x.y]\nz = { a = [ [ {",
            "\u{feff}",
            "é = 1\n\"ü\" = 2",
        ];
        for text in samples {
            let step = if text.len() > 200 { 17 } else { 1 };
            for offset in (0..=text.len() + 2)
                .step_by(step)
                .filter(|&o| o > text.len() || text.is_char_boundary(o))
            {
                let _ = toml_path_at(text, offset);
            }
        }
        let at = demo.find("\nsaving").unwrap() + 1;
        assert!(
            toml_path_at(demo, at).starts_with("initiative[1].saving"),
            "{}",
            toml_path_at(demo, at)
        );
    }

    #[test]
    fn json_errors_are_named_by_the_key_path_where_they_stop() {
        let e = json_error("{\"initiative\": [{\"id\": \"a\"}, {\"id\": \"b\", \"id\": \"c\"}]}");
        assert_eq!(e.path, "initiative[2].id", "{e}");
        assert!(e.message.contains("appears twice"), "{e}");
        let e = json_error("{\"baseline\": {\"funding\": 1.0,, \"spend\": 2}}");
        assert_eq!(e.path, "baseline", "{e}");
        let e = json_error("{\"format\": 1,}");
        assert_eq!(e.line, Some(1));
    }

    #[test]
    fn a_byte_order_mark_is_not_a_column() {
        let e = json_error("\u{feff}{\"a\": 1,}");
        assert_eq!((e.line, e.column), (Some(1), Some(9)), "{e}");
        let e = toml_error("\u{feff}a = 1\na = 2\n");
        assert_eq!((e.line, e.column, e.path.as_str()), (Some(2), Some(1), "a"), "{e}");
        let e = toml_error("\u{feff}a = = 1\n");
        assert_eq!((e.line, e.column), (Some(1), Some(5)), "{e}");
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_a_document() {
        let json = parse_json("\u{feff}{\"a\": 1}", "x.json").unwrap();
        assert!(matches!(json.entry("a").map(|n| &n.kind), Some(Kind::Int(1))));
        let toml = parse_toml("\u{feff}a = 1\n", "x.toml").unwrap();
        assert!(matches!(toml.entry("a").map(|n| &n.kind), Some(Kind::Int(1))));
    }

    #[test]
    fn whole_json_numbers_are_integers() {
        let node = parse_json(
            "{\"a\": 3.0, \"b\": 3e0, \"c\": 2.5, \"d\": -0.0, \"e\": 1e300, \"f\": 7}",
            "x.json",
        )
        .unwrap();
        let kind = |k: &str| node.entry(k).map(|n| n.kind.clone());
        assert!(matches!(kind("a"), Some(Kind::Int(3))));
        assert!(matches!(kind("b"), Some(Kind::Int(3))));
        assert!(matches!(kind("c"), Some(Kind::Float(v)) if v == 2.5));
        assert!(matches!(kind("d"), Some(Kind::Float(v)) if v == 0.0 && v.is_sign_negative()));
        assert!(matches!(kind("e"), Some(Kind::Float(v)) if v == 1e300));
        assert!(matches!(kind("f"), Some(Kind::Int(7))));
    }
}
