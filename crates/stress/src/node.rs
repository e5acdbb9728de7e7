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
            Err(BadInput {
                errors: vec![InputError {
                    file: file.to_string(),
                    line,
                    column,
                    path: String::new(),
                    message: format!("not valid TOML: {}", e.message().trim()),
                }],
            })
        }
    }
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
        at: 0,
        depth: 0,
    };
    let fail = |offset: usize, message: String| {
        let (l, c) = index.position(offset);
        BadInput {
            errors: vec![InputError {
                file: file.to_string(),
                line: Some(l),
                column: Some(c),
                path: String::new(),
                message: format!("not valid JSON: {message}"),
            }],
        }
    };
    p.skip_ws();
    let node = p.value(&index).map_err(|(o, m)| fail(o, m))?;
    p.skip_ws();
    if p.at < p.bytes.len() {
        return Err(fail(p.at, "unexpected text after the end of the document".into()));
    }
    Ok(node)
}

struct JsonParser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    at: usize,
    depth: usize,
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
                        if entries.iter().any(|(k, _, _)| *k == key) {
                            return Err((key_at, format!("the key \"{key}\" appears twice")));
                        }
                        self.skip_ws();
                        self.expect(b':')?;
                        self.skip_ws();
                        let v = self.value(index)?;
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
                        items.push(self.value(index)?);
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
            s.parse::<f64>()
                .map(Kind::Float)
                .map_err(|_| (start, "not a valid number".into()))
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
}
