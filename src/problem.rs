//! Input problems as values. Every stage adds to one [`Problems`] list instead of stopping; the
//! pipeline prints them all, sorted by file and line, and exits 2 without writing anything.
//!
//! Printed one per line, editor-friendly, with the fix on its own line:
//!
//! ```text
//! org.csv:12: duplicate id "S001" (first at line 4)
//! forecasts.csv:40: amount: "1.23E+06" is in scientific notation, ...
//!   hint: format the column as Number ...
//! 2 problems; nothing written
//! ```

use std::fmt::Write as _;

/// The pack's files, in the order their problems are listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum FileKind {
    Org,
    Forecasts,
    Confidence,
    Targets,
    /// What was really booked, in a history folder (`review --history`, `check --history`).
    Actuals,
    /// A flag that does not fit the pack (`--period` naming no period in it).
    CommandLine,
}

impl FileKind {
    pub(crate) const ALL: [FileKind; 6] = [
        FileKind::Org,
        FileKind::Forecasts,
        FileKind::Confidence,
        FileKind::Targets,
        FileKind::Actuals,
        FileKind::CommandLine,
    ];

    /// The file's name inside a pack folder.
    pub(crate) fn file_name(self) -> &'static str {
        match self {
            FileKind::Org => "org.csv",
            FileKind::Forecasts => "forecasts.csv",
            FileKind::Confidence => "confidence.csv",
            FileKind::Targets => "targets.csv",
            FileKind::Actuals => "actuals.csv",
            FileKind::CommandLine => "command line",
        }
    }
}

/// Where a row came from: its file and the 1-based line its record starts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Source {
    pub file: FileKind,
    pub line: u64,
}

impl Source {
    pub(crate) fn new(file: FileKind, line: u64) -> Source {
        Source { file, line }
    }
}

/// One thing wrong with the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Problem {
    pub file: FileKind,
    /// 1-based line; `None` for a problem of the whole file (missing, no root).
    pub line: Option<u64>,
    /// The column as the user's header names it.
    pub column: Option<String>,
    pub message: String,
    pub hint: Option<String>,
}

impl Problem {
    pub(crate) fn at(src: Source, message: impl Into<String>) -> Problem {
        Problem {
            file: src.file,
            line: Some(src.line),
            column: None,
            message: message.into(),
            hint: None,
        }
    }

    pub(crate) fn file(file: FileKind, message: impl Into<String>) -> Problem {
        Problem { file, line: None, column: None, message: message.into(), hint: None }
    }

    pub(crate) fn column(mut self, column: &str) -> Problem {
        self.column = Some(column.to_string());
        self
    }

    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Problem {
        self.hint = Some(hint.into());
        self
    }

    pub(crate) fn maybe_hint(mut self, hint: Option<impl Into<String>>) -> Problem {
        self.hint = hint.map(Into::into);
        self
    }

    fn sort_key(&self) -> (FileKind, u64, &str, &str) {
        (self.file, self.line.unwrap_or(0), self.column.as_deref().unwrap_or(""), &self.message)
    }
}

/// How many problems are kept per file; the rest are counted. A file with a million bad lines
/// needs its first screens of messages, not all of them.
pub(crate) const KEEP_PER_FILE: usize = 1000;

/// The collected problems of a run.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    list: Vec<Problem>,
    /// Problems found beyond what is kept, per file (indexed like [`FileKind::ALL`]).
    dropped: [u64; 6],
}

impl Problems {
    pub(crate) fn push(&mut self, p: Problem) {
        self.list.push(p);
    }

    pub(crate) fn extend(&mut self, ps: impl IntoIterator<Item = Problem>) {
        self.list.extend(ps);
    }

    /// Adds problems collected on another thread, with their overflow counts.
    pub(crate) fn absorb(&mut self, other: Problems) {
        self.list.extend(other.list);
        for (a, b) in self.dropped.iter_mut().zip(other.dropped) {
            *a += b;
        }
    }

    pub(crate) fn note_dropped(&mut self, file: FileKind, n: u64) {
        self.dropped[file as usize] += n;
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty() && self.dropped.iter().all(|&d| d == 0)
    }

    pub(crate) fn total(&self) -> u64 {
        self.list.len() as u64 + self.dropped.iter().sum::<u64>()
    }

    /// Sorts by file and line and keeps the first [`KEEP_PER_FILE`] of each file, so the list a
    /// user sees does not depend on thread count or chunking.
    pub(crate) fn finish(&mut self) {
        self.list.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.list.dedup();
        let mut kept = Vec::with_capacity(self.list.len());
        let mut per_file = [0usize; 6];
        for p in self.list.drain(..) {
            let i = p.file as usize;
            if per_file[i] < KEEP_PER_FILE {
                per_file[i] += 1;
                kept.push(p);
            } else {
                self.dropped[i] += 1;
            }
        }
        self.list = kept;
    }

    #[cfg(test)]
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Problem> {
        self.list.iter()
    }

    /// The report for stderr; `names` gives each file's path as the user sees it.
    pub(crate) fn render(&self, names: &dyn Fn(FileKind) -> String) -> String {
        let mut out = String::new();
        for p in &self.list {
            let _ = write!(out, "{}", names(p.file));
            if let Some(line) = p.line {
                let _ = write!(out, ":{line}");
            }
            out.push_str(": ");
            if let Some(col) = &p.column {
                let _ = write!(out, "{}: ", sanitize(col));
            }
            out.push_str(&p.message);
            out.push('\n');
            if let Some(h) = &p.hint {
                let _ = writeln!(out, "  hint: {h}");
            }
        }
        for kind in FileKind::ALL {
            let n = self.dropped[kind as usize];
            if n > 0 {
                let _ = writeln!(out, "{}: … and {n} more problems not listed", names(kind));
            }
        }
        let total = self.total();
        let noun = if total == 1 { "problem" } else { "problems" };
        let _ = writeln!(out, "{total} {noun}; nothing written");
        out
    }
}

/// Cell text made safe to quote in a message or print to a terminal: control characters and
/// bidirectional overrides (which could make a line read differently than it is) are escaped,
/// and very long text is shortened.
pub(crate) fn sanitize(text: &str) -> String {
    escape_terminal(text, Some(80))
}

/// Control and bidirectional characters escaped, and the text cut at `max` characters (with
/// `…`) if a limit is given.
pub(crate) fn escape_terminal(text: &str, max: Option<usize>) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.chars().enumerate() {
        if Some(i) == max {
            out.push('…');
            break;
        }
        let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}');
        if c.is_control() || bidi {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// `"value"` for a message, sanitized.
pub(crate) fn quoted(text: &str) -> String {
    format!("\"{}\"", sanitize(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(k: FileKind) -> String {
        k.file_name().to_string()
    }

    #[test]
    fn renders_sorted_with_hints_and_a_count() {
        let mut ps = Problems::default();
        ps.push(
            Problem::at(Source::new(FileKind::Forecasts, 9), "\"x\" is not a number")
                .column("amount")
                .hint("fix it"),
        );
        ps.push(Problem::at(Source::new(FileKind::Org, 12), "duplicate id \"S001\""));
        ps.push(Problem::file(FileKind::Org, "no root"));
        ps.finish();
        assert_eq!(
            ps.render(&names),
            "org.csv: no root\n\
             org.csv:12: duplicate id \"S001\"\n\
             forecasts.csv:9: amount: \"x\" is not a number\n  hint: fix it\n\
             3 problems; nothing written\n"
        );
    }

    #[test]
    fn keeps_the_first_problems_of_a_file_and_counts_the_rest() {
        let mut ps = Problems::default();
        for line in (1..=KEEP_PER_FILE as u64 + 5).rev() {
            ps.push(Problem::at(Source::new(FileKind::Forecasts, line), "bad"));
        }
        ps.finish();
        assert_eq!(ps.iter().count(), KEEP_PER_FILE);
        assert_eq!(ps.iter().next().unwrap().line, Some(1));
        assert!(ps.render(&names).contains("forecasts.csv: … and 5 more problems not listed"));
        assert_eq!(ps.total(), KEEP_PER_FILE as u64 + 5);
    }

    #[test]
    fn escapes_control_and_bidi_characters() {
        assert_eq!(sanitize("a\u{1b}[31mb\u{202e}c"), "a\\u{1b}[31mb\\u{202e}c");
        assert_eq!(sanitize("张三"), "张三");
    }
}
