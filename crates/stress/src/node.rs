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

/// The key path of the key (or table header) that starts at byte `offset` of TOML text, from
/// the text itself: the last table header before it (an array of tables counted, so the second
/// `[[initiative]]` is `initiative[2]`), the keys of any inline tables it sits in on its line,
/// and the key itself. For messages only: a document that fails to parse has no tree to ask.
fn toml_path_at(text: &str, offset: usize) -> String {
    // A span may start at the line break before what it names.
    let mut offset = offset.min(text.len());
    while text[offset..].starts_with(['\r', '\n', ' ', '\t']) {
        offset += 1;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let mut steps: Vec<Step> = Vec::new();
    // A duplicate table header: the path is the header's own.
    let rest = &text[offset..];
    let line = &text[line_start..];
    if line.trim_start().starts_with('[') {
        let indent = line.len() - line.trim_start().len();
        return header_path(text, line_start + indent).unwrap_or_default();
    }
    // The table the line belongs to: the last header above it.
    let mut header = None;
    let mut at = 0;
    for line in text[..line_start].split_inclusive('\n') {
        let indent = line.len() - line.trim_start().len();
        if line.trim_start().starts_with('[') {
            header = Some(at + indent);
        }
        at += line.len();
    }
    if let Some(p) = header.and_then(|h| header_path(text, h)) {
        steps.push(Step::Key(p));
    }
    // Inline tables open on this line before the key: `key = { …` with its brace still open.
    let mut open: Vec<String> = Vec::new();
    let prefix = &text[line_start..offset];
    let bytes = prefix.as_bytes();
    let mut last_key = String::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => {
                open.push(std::mem::take(&mut last_key));
                i += 1;
            }
            b'}' => {
                open.pop();
                i += 1;
            }
            b'"' | b'\'' | b'_' | b'-' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' => {
                let (key, len) = toml_key_at(&prefix[i..]);
                last_key = key;
                i += len.max(1);
            }
            _ => i += 1,
        }
    }
    steps.extend(open.into_iter().filter(|k| !k.is_empty()).map(Step::Key));
    let (key, _) = toml_key_at(rest);
    if !key.is_empty() {
        steps.push(Step::Key(key));
    }
    key_path(&steps)
}

/// The path of the table header at byte `at` of TOML text: `[a.b]` is `a.b`; `[[a]]` is
/// `a[k]`, the k-th such header in the file.
fn header_path(text: &str, at: usize) -> Option<String> {
    let line = text[at..].lines().next()?.trim();
    let array = line.starts_with("[[");
    let inner = line.trim_start_matches('[');
    let name: String = inner[..inner.find(']')?]
        .split('.')
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(".");
    if !array {
        return Some(name);
    }
    // The headers of this name before this one, and this one.
    let count = 1 + text[..at]
        .lines()
        .filter(|l| {
            let l = l.trim();
            l.starts_with("[[")
                && l.trim_start_matches('[')
                    .split(']')
                    .next()
                    .is_some_and(|n| n.split('.').map(str::trim).collect::<Vec<_>>().join(".") == name)
        })
        .count();
    Some(format!("{name}[{count}]"))
}

/// The (possibly dotted, possibly quoted) key at the start of `s` and the bytes it takes.
fn toml_key_at(s: &str) -> (String, usize) {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    let b = s.as_bytes();
    loop {
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
        let Some(&c) = b.get(i) else { break };
        if c == b'"' || c == b'\'' {
            let end = s[i + 1..].find(c as char).map_or(s.len(), |e| i + 1 + e);
            parts.push(s[i + 1..end].to_string());
            i = (end + 1).min(s.len());
        } else {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'-') {
                i += 1;
            }
            if i == start {
                break;
            }
            parts.push(s[start..i].to_string());
        }
        let mut j = i;
        while j < b.len() && (b[j] == b' ' || b[j] == b'\t') {
            j += 1;
        }
        if b.get(j) == Some(&b'.') {
            i = j + 1;
        } else {
            break;
        }
    }
    (parts.join("."), i)
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
        // A quoted, dotted key.
        let e = toml_error("[run]\n\"seed\" = 1\nseed = 2\n");
        assert_eq!(e.path, "run.seed", "{e}");
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
