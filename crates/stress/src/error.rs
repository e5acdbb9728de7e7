//! Errors for people: every problem in a plan file names the file, where in it, the key path
//! and what was expected.

use std::fmt;

/// One problem found in an input file.
#[derive(Debug, Clone, PartialEq)]
pub struct InputError {
    /// The file (or source name) the problem is in.
    pub file: String,
    /// 1-based line, where the format has one.
    pub line: Option<usize>,
    /// 1-based column, where the format has one.
    pub column: Option<usize>,
    /// Key path such as `initiative[3].delivery.max` (indices count from 1); empty for syntax errors.
    pub path: String,
    /// What was wrong and what was expected.
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        if self.path.is_empty() {
            write!(f, ": {}", self.message)
        } else {
            write!(f, ": {}: {}", self.path, self.message)
        }
    }
}

/// Everything wrong with an input: a bad file never produces a result.
#[derive(Debug, Clone, PartialEq)]
pub struct BadInput {
    /// The problems, in file order.
    pub errors: Vec<InputError>,
}

impl BadInput {
    /// A single problem with no position (for example an unreadable directory).
    pub fn single(file: &str, path: &str, message: impl Into<String>) -> Self {
        BadInput {
            errors: vec![InputError {
                file: file.to_string(),
                line: None,
                column: None,
                path: path.to_string(),
                message: message.into(),
            }],
        }
    }
}

impl fmt::Display for BadInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for BadInput {}

/// Maps byte offsets to 1-based line and column (columns count characters).
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                starts.push(i + 1);
            }
        }
        LineIndex { text, starts }
    }

    pub(crate) fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.starts[line];
        let mut col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        // A byte-order mark is not a column of the first line.
        if line == 0 && col > 0 && self.text.starts_with('\u{feff}') {
            col -= 1;
        }
        (line + 1, col + 1)
    }
}
